"""Transparency reports: honest reports verify; a changed figure, record or CSV cell is named."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from rempart.adapters.crypto_keys import ProviderKey, load_or_create
from rempart.adapters.storage.db import Store
from rempart.services.transparency import build_report, commit_requests, facts_from_request, generate_requests
from rempart.verifier import Result, band, check_report, figures

START, END = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture
def key(tmp_path: Path) -> ProviderKey:
    return load_or_create(tmp_path / "keys")


def report(store: Store, key: ProviderKey, n: int = 300) -> dict[str, bytes]:
    with store.begin() as conn:
        commit_requests(conn, generate_requests(n, seed=3))
        return build_report(conn, START, END, key, threshold=10, sources=[]).files


def check(files: dict[str, bytes], key: ProviderKey) -> Result:
    res = Result("dir", "transparency report")
    check_report(files, key.public_key_bytes(), res)
    return res


def test_figures_band_small_counts_and_keep_emergency_and_preservation_apart() -> None:
    reqs = generate_requests(400, seed=1)
    figs = figures([r.record() for r in reqs], 10)
    regular = [r for r in reqs if not r.emergency and not r.preservation]
    assert figs["requests"]["requests"] == band(len(regular), 10)
    assert figs["emergency"]["requests"] == band(
        sum(1 for r in reqs if r.emergency and not r.preservation), 10
    )
    assert band(3, 10) == "0-9" and band(10, 10) == 10
    assert all(isinstance(v, int) or v == "0-9" for v in figs["requests"]["by_instrument"].values())
    for r in reqs:
        assert "request_id" not in r.record()


def test_honest_report_verifies_and_every_change_is_named(
    store: Store, key: ProviderKey, tmp_path: Path
) -> None:
    honest = report(store, key)
    res = check(honest, key)
    assert res.ok, res.problems
    html = honest["report.html"].decode()
    assert "<svg" in html and "http://" not in html.replace("http://www.w3.org/2000/svg", "")

    # a changed figure in the published JSON
    files = dict(honest)
    rep = json.loads(files["report.json"])
    rep["figures"]["requests"]["by_country"]["US"]["rejected"] = 1234
    files["report.json"] = json.dumps(rep).encode()
    found = check(files, key).problems
    assert any("report.json: changed after signing" in p for p in found)
    assert any("figure requests.by_country.US.rejected: published 1234" in p for p in found)

    # a changed record
    files = dict(honest)
    lines = files["records.jsonl"].decode().splitlines()
    item = json.loads(lines[0])
    item["record"]["outcome"] = "accepted" if item["record"]["outcome"] != "accepted" else "rejected"
    lines[0] = json.dumps(item)
    files["records.jsonl"] = ("\n".join(lines) + "\n").encode()
    assert any("line 1" in p and "does not match its commitment" in p for p in check(files, key).problems)

    # a changed CSV cell
    files = dict(honest)
    files["report.csv"] = (
        files["report.csv"].decode().replace("requests.requests,", "requests.requests,9", 1).encode()
    )
    assert any("report.csv requests.requests" in p for p in check(files, key).problems)

    # a dropped record
    files = dict(honest)
    files["records.jsonl"] = b"\n".join(files["records.jsonl"].splitlines()[1:]) + b"\n"
    assert not check(files, key).ok

    # checked with another key (a report re-signed by someone else fails the same way)
    other = load_or_create(tmp_path / "other")
    res = Result("d", "r")
    check_report(honest, other.public_key_bytes(), res)
    assert any("manifest signature" in p for p in res.problems)
    assert any("signed by another key" in p for p in res.problems)


def test_facts_from_the_request_desk_shape() -> None:
    f = facts_from_request(
        "r1",
        {
            "received_at": "2025-03-04T10:00:00Z",
            "requester": {"country": "fr", "authority_type": "police"},
            "instrument": {"type": "epoc_pr"},
            "data_categories": ["subscriber"],
            "targets": [{"type": "email", "value": "x@example.com"}],
        },
        {"outcome": "accept"},
        produced=False,
        accounts=1,
    )
    assert f.country == "FR" and f.preservation and f.outcome == "accepted"
    assert "example.com" not in json.dumps(f.record())


def test_cli_report_and_verify(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from rempart.adapters.cli.main import app

    monkeypatch.setenv("REMPART_KEY_DIR", str(tmp_path / "k"))
    db = f"sqlite:///{tmp_path / 'r.db'}"
    store = Store.open(db)
    with store.begin() as conn:
        commit_requests(conn, generate_requests(120, seed=5))
    run = CliRunner()
    out = tmp_path / "rep"
    r = run.invoke(
        app,
        [
            "report",
            "transparency",
            "--from",
            "2025-01-01",
            "--to",
            "2025-12-31",
            "--out",
            str(out),
            "--db",
            db,
        ],
    )
    assert r.exit_code == 0, r.output
    r = run.invoke(app, ["report", "verify", str(out)])
    assert r.exit_code == 0, r.output
    rep = json.loads((out / "report.json").read_text())
    rep["figures"]["requests"]["requests"] = 999
    (out / "report.json").write_text(json.dumps(rep))
    r = run.invoke(app, ["report", "verify", str(out)])
    assert r.exit_code == 1 and "requests.requests: published 999" in r.stdout
