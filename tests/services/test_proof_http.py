"""The proof endpoints: public tree head, key and proofs; authenticated evidence download."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from fastapi.testclient import TestClient

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.http.app import create_app
from rempart.adapters.http.deps import Principal
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.services import audit, proof
from rempart.settings import Settings
from rempart.verifier import Result, check_evidence, check_inclusion


def test_proof_endpoints(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'h.db'}"
    settings = Settings(database_url=db, key_dir=tmp_path / "k")
    store = Store.open(db)
    key = load_or_create(settings.key_dir)
    with store.begin() as conn:
        for i in range(6):
            audit.record(conn, type="t", actor="a", subject=f"s{i}", payload={})
        d = save_decision(
            conn,
            kind="screening",
            subject="customer:c9",
            inputs={"name": "Test Person"},
            outputs={"hits": []},
        )
        proof.take_checkpoint(conn, key)
    app = create_app(settings, store)
    client = TestClient(app)
    assert client.get("/v1/proof/checkpoint").json()["size"] == 7
    assert "BEGIN PUBLIC KEY" in client.get("/v1/proof/public-key").text
    p = client.get("/v1/proof/inclusion/3")
    assert p.status_code == 200 and "event" not in p.json() and p.json()["leaf_index"] == 2
    c = client.get("/v1/proof/consistency", params={"first": 3, "second": 7})
    assert c.status_code == 200 and c.json()["second_checkpoint"]["size"] == 7
    assert client.get(f"/v1/proof/evidence/{d.id}").status_code == 401
    app.state.authenticate = lambda _r: Principal("auditor1", frozenset({"auditor"}))
    full = client.get("/v1/proof/inclusion/3/full").json()
    res = Result("p", "inclusion")
    assert check_inclusion(full, key.public_key_bytes(), res), res.problems
    r = client.get(f"/v1/proof/evidence/{d.id}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    res = Result("e", "evidence")
    check_evidence(files, key.public_key_bytes(), res)
    assert res.ok, res.problems
    assert b"Test Person" not in files["evidence.json"]
    assert client.get(f"/v1/proof/evidence/{d.id}", params={"reveal_all": True}).status_code == 403
    assert client.get("/v1/proof/evidence/d_missing").status_code == 404
