"""The main job end to end (`rempart demo` on the real lists, small), and the CLI's conventions."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from rempart.adapters.cli.main import app

runner = CliRunner()


def _commands(c: Any, path: list[str]) -> list[tuple[str, Any]]:
    if hasattr(c, "commands"):
        out: list[tuple[str, Any]] = []
        for name, sub in c.commands.items():
            out.extend(_commands(sub, [*path, name]))
        return out
    return [(" ".join(path), c)]


def test_every_command_takes_db_and_json() -> None:
    missing = []
    for name, command in _commands(typer.main.get_command(app), []):
        opts = {o for p in command.params for o in getattr(p, "opts", [])}
        if name != "version":
            missing.extend(f"{name} {o}" for o in ("--db", "--json") if o not in opts)
    assert missing == []


def test_demo_loads_screens_decides_and_takes_requests(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REMPART_KEY_DIR", str(tmp_path / "keys"))
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    r = runner.invoke(
        app,
        [
            "demo",
            "--data",
            str(shared_data),
            "--customers",
            "300",
            "--out",
            str(tmp_path / "demo-data"),
            "--no-serve",
            "--db",
            db,
            "--json",
        ],
    )
    assert r.exit_code == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["customers"] == 300 and summary["planted"]
    assert {u["user"] for u in summary["users"]} >= {"admin", "approver1", "approver2", "intake"}
    for step in (
        "Importing the real sanctions lists",
        "Screening every customer",
        "Deciding restrictions",
        "sample government data requests",
    ):
        assert step in r.stderr
    # the planted listed persons were found and confirmed, and the log verifies
    show = json.loads(runner.invoke(app, ["lists", "show", "--db", db, "--json"]).stdout)
    assert {s["list"] for s in show} >= {"ofac", "un", "uk", "eu", "ofac_crypto"}
    alerts = runner.invoke(app, ["alerts", "list", "--db", db, "--json"]).stdout
    assert any(p["customer_id"] in alerts for p in summary["planted"])
    assert runner.invoke(app, ["audit", "verify", "--db", db]).exit_code == 0
