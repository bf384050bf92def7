"""The standalone verifier: no database, the public key and the files only."""

from __future__ import annotations

import ast
import json
from pathlib import Path

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.storage.db import Store
from rempart.services import audit, proof
from rempart.verifier import flatten, main, unflatten

SRC = Path(__file__).resolve().parents[1] / "src" / "rempart" / "verifier.py"


def test_verifier_imports_only_the_pure_domain() -> None:
    tree = ast.parse(SRC.read_text())
    ours = [
        n.module
        for n in ast.walk(tree)
        if isinstance(n, ast.ImportFrom) and n.module and n.module.startswith("rempart")
    ]
    assert ours and all(m.startswith("rempart.domain") for m in ours)
    names = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert not names & {"sqlalchemy", "fastapi", "typer"}


def test_flatten_round_trip() -> None:
    obj = {"a": {"b": [1, {"c/d": None}], "e": []}, "f": {}}
    fields = [{"path": p, "value": v} for p, v in flatten(obj)]
    assert unflatten(fields) == obj


def test_main_checks_files_and_names_problems(tmp_path: Path, capsys: object) -> None:
    key = load_or_create(tmp_path / "keys")
    store = Store.open(f"sqlite:///{tmp_path / 'v.db'}")
    with store.begin() as conn:
        for i in range(5):
            audit.record(conn, type="t", actor="a", subject=f"s{i}", payload={"i": i})
        cp1 = proof.take_checkpoint(conn, key)
        audit.record(conn, type="t", actor="a", subject="s5", payload={})
        cp2 = proof.take_checkpoint(conn, key)
        p = proof.prove(conn, "3")
    pub = str(tmp_path / "keys" / "public_key.pem")
    (tmp_path / "cp1.json").write_text(json.dumps(cp1.to_dict()))
    (tmp_path / "cp2.json").write_text(json.dumps(cp2.to_dict()))
    (tmp_path / "p.json").write_text(json.dumps(p))
    files = [str(tmp_path / n) for n in ("cp1.json", "cp2.json", "p.json")]
    assert main(["--public-key", pub, *files]) == 0
    # an older head presented as newer: a rollback between the two files
    older = cp1.to_dict()
    (tmp_path / "cp2.json").write_text(json.dumps({**cp2.to_dict(), "size": 4}))
    assert main(["--public-key", pub, *files]) == 1
    (tmp_path / "cp2.json").write_text(json.dumps(older | {"root_hash": "00" * 32}))
    assert main(["--public-key", pub, "--json", str(tmp_path / "cp2.json")]) == 1
