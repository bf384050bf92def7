"""The desk's services against a real store: the FSB screened on the real OFAC SDN list, at-risk marks."""

from __future__ import annotations

import time
from pathlib import Path

from tests.adapters.test_requests_http import CUSTOMERS, request_body

from rempart.adapters.storage.db import Store
from rempart.domain.principals import Principal
from rempart.domain.requests.model import parse_request
from rempart.services import lists, provider
from rempart.services import requests as svc
from rempart.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = Settings(rules_dir=ROOT / "rules")


def test_fsb_is_rejected_by_screening_the_real_sdn_list(
    sqlite_store: Store, shared_data: Path, tmp_path: Path
) -> None:
    # The real SDN file, cut to every 20th entry plus the FSB (entry 21344), to keep the test fast.
    lines = (
        (shared_data / "ofac_sdn_2024-05-03_jackdwyer" / "sdn.csv").read_text(encoding="utf-8").splitlines()
    )
    keep = [ln for i, ln in enumerate(lines) if i % 20 == 0 or ln.startswith("21344,")]
    (tmp_path / "sdn.csv").write_text("\n".join(keep) + "\n", encoding="utf-8")
    lists.import_files(sqlite_store, [tmp_path / "sdn.csv"], "ofac")
    body = request_body(
        provider_entity="US",
        requester={
            "agency": "Federal Security Service",
            "country": "RU",
            "authority_type": "police",
            "officer": "X",
            "email": "x@example.org",
            "verified": True,
        },
    )
    req = parse_request(body)
    t = time.perf_counter()
    ctx = svc.evaluation_context(sqlite_store, SETTINGS, req)
    out = svc.evaluate_json(body, svc.rules_from_settings(SETTINGS), ctx)
    assert time.perf_counter() - t < 60
    assert out["outcome"] == "reject"
    hits = [r for r in out["reasons"] if r["code"] == "requester_sanctioned"]
    assert hits and "FEDERAL SECURITY SERVICE" in hits[0]["message"]
    assert out["lists_screened"]


def test_customer_marked_at_risk_escalates(sqlite_store: Store, tmp_path: Path) -> None:
    (tmp_path / "c.csv").write_text(CUSTOMERS)
    provider.import_customers(sqlite_store, tmp_path / "c.csv")
    legal = Principal("legal", frozenset({"legal_intake"}))
    svc.mark_customer(sqlite_store, "c1", "journalist", legal, "investigative reporter")
    body = request_body(data_categories=["subscriber"])
    ctx = svc.evaluation_context(sqlite_store, SETTINGS, parse_request(body))
    out = svc.evaluate_json(body, svc.rules_from_settings(SETTINGS), ctx)
    assert out["outcome"] == "escalate"
    assert any(r["code"] == "target_at_risk" for r in out["reasons"])
