"""Evidence packages: they verify with the public key alone, hide personal data, and any change fails."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from rempart.adapters.crypto_keys import ProviderKey, load_or_create
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.errors import IntegrityFailure
from rempart.services.evidence import Redaction, export_evidence
from rempart.verifier import Result, check_evidence

INPUTS = {
    "as_of": "2022-06-01",
    "action": "hold",
    "customer": {
        "type": "person",
        "name": "Ivana Testova",
        "email": "ivana@example.com",
        "nationalities": ["RU"],
        "residence_country": "RU",
        "residence_permits": [],
    },
    "holdings": [{"account_id": "a1", "asset": "BTC", "amount": "0.5"}],
    "prices_eur": {"BTC": "25000.00"},
}
OUTPUTS = {
    "outcome": "deny",
    "holdings_eur": "12500.00",
    "rules": [
        {
            "id": "eu.833.5b2",
            "version_from": "2022-04-09",
            "citation": "Reg. 833/2014 Art. 5b(2)",
            "applied": True,
            "reason": "above EUR 10,000",
        }
    ],
}


@pytest.fixture
def key(tmp_path: Path) -> ProviderKey:
    return load_or_create(tmp_path / "keys")


def decide(store: Store) -> str:
    with store.begin() as conn:
        d = save_decision(
            conn,
            kind="restriction",
            subject="customer:c1",
            inputs=INPUTS,
            outputs=OUTPUTS,
            refs={"rules": ["eu.833.5b2@2022-04-09"], "list_versions": {"eu": "eu-2022-06-01"}},
        )
    return d.id


def unzip(blob: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def check(files: dict[str, bytes], key: ProviderKey) -> Result:
    res = Result("ev.zip", "evidence package")
    check_evidence(files, key.public_key_bytes(), res)
    return res


def test_package_verifies_and_hides_personal_data(store: Store, key: ProviderKey) -> None:
    did = decide(store)
    blob, summary = export_evidence(store, did, key)
    files = unzip(blob)
    assert check(files, key).ok, check(files, key).problems
    body = files["evidence.json"].decode()
    assert "Ivana" not in body and "ivana@example.com" not in body
    ev = json.loads(body)
    assert ev["inputs"]["view"]["customer"]["nationalities"] == ["RU"]
    assert ev["inputs"]["view"]["customer"]["name"].startswith("<redacted")
    assert ev["outputs"]["view"]["rules"][0]["citation"] == "Reg. 833/2014 Art. 5b(2)"
    assert ev["summary"]["list_versions"] == {"eu": "eu-2022-06-01"}
    assert summary["hidden_fields"] == 2
    # an authorised recipient: everything shown, still verifies
    full = unzip(export_evidence(store, did, key, Redaction(reveal_all=True))[0])
    assert "Ivana" in full["evidence.json"].decode() and check(full, key).ok


def test_salts_changes_and_altered_decisions(store: Store, key: ProviderKey, tmp_path: Path) -> None:
    from rempart.verifier import field_hash

    did = decide(store)
    # salts let an authorised recipient confirm a value they already hold
    ev = json.loads(
        unzip(export_evidence(store, did, key, Redaction(include_salts=True))[0])["evidence.json"]
    )
    f = next(f for f in ev["inputs"]["fields"] if f["path"] == "/customer/name")
    assert field_hash(f["salt"], f["path"], "Ivana Testova") == f["hash"]
    assert field_hash(f["salt"], f["path"], "Someone Else") != f["hash"]

    # any change to the package fails, and is named
    files = unzip(export_evidence(store, did, key)[0])
    ev = json.loads(files["evidence.json"])
    ev["outputs"]["fields"][0]["value"] = (
        "allow" if ev["outputs"]["fields"][0]["value"] != "allow" else "deny"
    )
    files["evidence.json"] = json.dumps(ev).encode()
    res = check(files, key)
    assert any("changed after signing" in p for p in res.problems)
    assert any("outputs" in p and "commitment" in p for p in res.problems)
    other = load_or_create(tmp_path / "other")
    res = Result("x", "evidence")
    check_evidence(unzip(export_evidence(store, did, key)[0]), other.public_key_bytes(), res)
    assert any("another key" in p or "does not verify" in p for p in res.problems)

    # a decision altered in the database after it was logged is refused
    with store.begin() as conn:
        conn.execute(
            text("UPDATE decisions SET outputs=:o WHERE id=:i"),
            {"o": json.dumps({"outcome": "allow"}), "i": did},
        )
    with pytest.raises(IntegrityFailure, match="altered"):
        export_evidence(store, did, key)


def test_cli_evidence_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rempart.adapters.cli.main import app

    monkeypatch.setenv("REMPART_KEY_DIR", str(tmp_path / "k"))
    db = f"sqlite:///{tmp_path / 'e.db'}"
    did = decide(Store.open(db))
    run = CliRunner()
    out = tmp_path / "ev.zip"
    r = run.invoke(app, ["evidence", did, "--out", str(out), "--db", db])
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["verify", str(out), "--public-key", str(tmp_path / "k" / "public_key.pem")])
    assert r.exit_code == 0, r.output
