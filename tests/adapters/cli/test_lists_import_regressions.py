"""`rempart lists import` regressions on SQLite and PostgreSQL: long name-based ids, bad list names."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from rempart.adapters.cli.main import app

runner = CliRunner()


def test_bob_teamone_usdt_alone_imports_twice(db_url: str, shared_data: Path) -> None:
    # A holder's name there is 142 characters: PostgreSQL refused its `name:` source_id.
    path = shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone" / "sanctioned_addresses_USDT.json"
    args = ["lists", "import", str(path), "--source", "crypto", "--db", db_url, "--json"]
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.stderr
    first = json.loads(r.stdout)
    assert first["counts"]["entities"] == 19 and first["counts"]["wallets"] == 93
    r = runner.invoke(app, args)
    assert r.exit_code == 0, r.stderr
    assert json.loads(r.stdout)["diff"] == {"added": 0, "removed": 0, "changed": 0}


def test_a_list_name_that_does_not_fit_is_refused(db_url: str, shared_data: Path) -> None:
    path = shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone" / "sanctioned_addresses_XRP.json"
    r = runner.invoke(
        app,
        ["lists", "import", str(path), "--source", "crypto", "--list", "x" * 41, "--db", db_url, "--json"],
    )
    assert r.exit_code == 2 and r.stdout == ""
    assert "list" in r.stderr and "40" in r.stderr
