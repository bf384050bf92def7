"""The gate's stored decisions (SQLite and PostgreSQL): the same record as
`restrictions_store.save_restriction_decision`, hashed before the write transaction, written through
shared transactions under concurrency; replay, evidence packages and `audit verify` still hold."""

from __future__ import annotations

import io
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

from sqlalchemy import func, select
from tests.services.test_restrictions_store import RULES, seed

from rempart.adapters.batch import restrictions_store as repo
from rempart.adapters.crypto_keys import load_or_create
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import get_decision
from rempart.adapters.storage.group_commit import for_store
from rempart.adapters.storage.tables import decisions
from rempart.domain.restrictions import decide, parse_facts
from rempart.services import audit
from rempart.services import restrictions as svc
from rempart.services.evidence import export_evidence
from rempart.verifier import Result, check_evidence


def test_gate_record_equals_save_restriction_decision(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    rules = svc.load_rules(RULES)
    for cid, action, asset, amount in (
        ("c1", "deposit", "BTC", "0.0000004"),
        ("c2", "withdraw", "BTC", "0.1"),
        ("c4", "hold", None, None),
    ):
        out = svc.check_customer(
            store, rules, customer_id=cid, action=action, asset=asset, amount=amount, as_of="2022-06-01"
        )
        with store.read() as conn:
            doc, evidence = repo.facts_document(conn, cid, date(2022, 6, 1))
        doc.update({"action": action, "provider_entity": "EU"})
        if amount is not None:
            doc.update({"amount": amount, "asset": asset})
        facts = parse_facts(doc)
        decision = decide(facts, rules, facts.as_of)
        with store.begin() as conn:
            reference = repo.save_restriction_decision(
                conn,
                facts,
                decision,
                rules,
                evidence,
                actor="system",
                groups=svc.load_groups_dir_cached(rules),
            )
        with store.read() as conn:
            mine, theirs = get_decision(conn, out["decision_id"]), get_decision(conn, reference)
        assert (mine.kind, mine.subject, mine.actor) == (theirs.kind, theirs.subject, theirs.actor)
        assert mine.inputs == theirs.inputs and mine.refs == theirs.refs
        assert mine.outputs == theirs.outputs
        assert {k: v for k, v in out.items() if k not in ("customer_id", "decision_id")} == mine.outputs
        assert out["customer_id"] == cid
        assert svc.replay(store, out["decision_id"])["identical"]


def test_concurrent_stored_checks_all_commit_and_verify(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    rules = svc.load_rules(RULES)
    customers = ["c1", "c2", "c3", "c4"] * 8

    def check(cid: str) -> dict[str, object]:
        return svc.check_customer(store, rules, customer_id=cid, as_of="2022-06-01", actor="gate-test")

    with ThreadPoolExecutor(8) as pool:
        outs = list(pool.map(check, customers))
    ids = [str(o["decision_id"]) for o in outs]
    assert len(set(ids)) == len(customers)
    gc = for_store(store)
    assert gc.writes == len(customers) and gc.transactions <= gc.writes
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == len(customers)
        for out, did in zip(outs, ids, strict=True):
            stored = get_decision(conn, did)
            assert stored.subject == f"customer:{out['customer_id']}" and stored.actor == "gate-test"
            assert stored.outputs["outcome"] == out["outcome"]
        count, breaks = audit.verify(conn)
    assert breaks == [] and count >= len(customers)

    key = load_or_create(tmp_path / "keys")
    for did in (ids[0], ids[-1]):
        assert svc.replay(store, did)["identical"]
        with zipfile.ZipFile(io.BytesIO(export_evidence(store, did, key)[0])) as zf:
            files = {n: zf.read(n) for n in zf.namelist()}
        res = Result("ev.zip", "evidence package")
        check_evidence(files, key.public_key_bytes(), res)
        assert res.ok, res.problems
        assert json.loads(files["evidence.json"])["decision"]["id"] == did


def test_unstored_check_writes_nothing(store: Store, tmp_path: Path) -> None:
    seed(store, tmp_path)
    rules = svc.load_rules(RULES)
    with store.read() as conn:
        before = conn.execute(select(func.count()).select_from(decisions)).scalar()
    out = svc.check_customer(store, rules, customer_id="c1", as_of="2022-06-01", record=False)
    assert "decision_id" not in out and out["customer_id"] == "c1"
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == before
