"""With the request desk's own services: a submitted request reaches the report through its records,
and the evidence of its evaluation hides the targets and the officer yet verifies."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date
from pathlib import Path

from tests.adapters.test_requests_http import CUSTOMERS, request_body

from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.storage.db import Store
from rempart.domain.principals import Principal
from rempart.services import provider
from rempart.services import requests as svc
from rempart.services.evidence import export_evidence
from rempart.services.transparency import build_report
from rempart.settings import Settings
from rempart.verifier import Result, check_evidence, check_report

ROOT = Path(__file__).resolve().parents[2]


def test_desk_request_in_report_and_evidence(sqlite_store: Store, tmp_path: Path) -> None:
    settings = Settings(rules_dir=ROOT / "rules", key_dir=tmp_path / "k")
    key = load_or_create(settings.key_dir)
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    provider.import_customers(sqlite_store, tmp_path / "c.csv")
    legal = Principal("legal", frozenset({"legal_intake"}))
    rules = svc.rules_from_settings(settings)
    out = svc.submit(sqlite_store, settings, rules, request_body(), legal)
    rid = out.get("id") or out.get("request_id")
    with sqlite_store.begin() as conn:
        rep = build_report(conn, date(2026, 1, 1), date(2026, 12, 31), key)
    assert rep.records == 1
    res = Result("r", "report")
    check_report(rep.files, key.public_key_bytes(), res)
    assert res.ok, res.problems
    record = json.loads(rep.files["records.jsonl"].splitlines()[0])
    assert record["record"]["country"] == "FR" and record["proof"]["event"]["subject"] == f"request:{rid}"
    assert b"example.com" not in rep.files["records.jsonl"] and b"Capitaine" not in rep.files["records.jsonl"]

    decision_id = out.get("decision_id") or out["evaluation_decision_id"]
    blob, _ = export_evidence(sqlite_store, decision_id, key)
    with zipfile.ZipFile(io.BytesIO(blob)) as zf:
        files = {n: zf.read(n) for n in zf.namelist()}
    res = Result("e", "evidence")
    check_evidence(files, key.public_key_bytes(), res)
    assert res.ok, res.problems
    body = files["evidence.json"].decode()
    assert "alice@example.com" not in body and "Capitaine" not in body
