"""Reading a stored customer's facts and the whole base; storing restriction decisions and runs."""

from __future__ import annotations

import hashlib
import json
import threading
import time
import uuid
import weakref
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlalchemy import Connection, Engine, and_, bindparam, func, or_, select

from rempart.adapters.batch import duckdb_runner
from rempart.adapters.storage.decisions import save_decision
from rempart.adapters.storage.tables import balances, customers, prices
from rempart.adapters.storage.tables_restrictions import (
    restriction_results,
    restriction_runs,
    rule_snapshots,
)
from rempart.adapters.storage.tables_screening import screening_alerts as _alerts
from rempart.domain.lists import canonical_json
from rempart.domain.restrictions import Decision, Facts, decide, parse_facts, rules_snapshot
from rempart.domain.rules import RuleSet
from rempart.errors import IntegrityFailure, NotFound
from rempart.services.audit import now_iso, record

_LISTS = ("eu", "ofac", "uk", "un")
_MATCH_COLUMNS = (
    _alerts.c.customer_id,
    _alerts.c.list_name,
    _alerts.c.entity_id,
    _alerts.c.state,
    _alerts.c.list_version,
)
_MATCHES_ALL = select(*_MATCH_COLUMNS).where(_alerts.c.state.in_(("confirmed", "open")))
# No expanding IN here: its parameters would be rendered again at every execution of the gate.
_MATCHES_ONE = select(*_MATCH_COLUMNS).where(
    _alerts.c.customer_id == bindparam("cid"),
    or_(_alerts.c.state == "confirmed", _alerts.c.state == "open"),
)


def _match_dict(r: Any) -> dict[str, Any]:
    return {
        "customer_id": r.customer_id,
        "list": r.list_name,
        "entity_id": r.entity_id,
        "status": "confirmed" if r.state == "confirmed" else "possible",
        "list_version": r.list_version,
    }


def confirmed_matches(conn: Connection, customer_ids: list[str] | None = None) -> list[dict[str, Any]]:
    """Sanctions facts from screening alerts: 'confirmed' -> confirmed match, 'open' -> possible match.
    The one place that knows where matches live."""
    if customer_ids is not None and len(customer_ids) == 1:
        rows = conn.execute(_MATCHES_ONE, {"cid": customer_ids[0]})
    elif customer_ids is not None:
        rows = conn.execute(_MATCHES_ALL.where(_alerts.c.customer_id.in_(customer_ids)))
    else:
        rows = conn.execute(_MATCHES_ALL)
    return [_match_dict(r) for r in rows if r.list_name in _LISTS]


def _latest_snapshot(conn: Connection) -> int | None:
    return conn.execute(select(func.max(balances.c.snapshot_id))).scalar()


def _prices(conn: Connection, d: date) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    limit = d.isoformat() + "T99"
    for r in conn.execute(select(prices).order_by(prices.c.as_of)):
        if str(r.as_of) <= limit:
            out[r.asset] = {"price": r.price_eur, "source": r.source, "as_of": str(r.as_of)}
    return out


# Prices are appended, never rewritten in place (a conflicting re-import is refused), so the number of
# price rows and the latest time identify the table's content: the gate re-reads prices only when they
# change, and never serves a price table older than the one committed when its query ran.
# Kept per engine (weakly: a disposed store's entries go with it).
_PRICE_CACHE: weakref.WeakKeyDictionary[
    Engine, dict[tuple[str, int, str | None], dict[str, dict[str, str]]]
] = weakref.WeakKeyDictionary()
_PRICE_CACHE_LOCK = threading.Lock()

_SNAPSHOT = select(func.max(balances.c.snapshot_id)).scalar_subquery()
# One statement per customer: the customer, its balances in the latest snapshot, and the price table's
# fingerprint (SQLite and PostgreSQL evaluate the uncorrelated sub-queries once).
_CUSTOMER_FACTS = (
    select(
        customers,
        balances.c.account_id.label("b_account_id"),
        balances.c.asset.label("b_asset"),
        balances.c.amount.label("b_amount"),
        _SNAPSHOT.label("snap"),
        select(func.count()).select_from(prices).scalar_subquery().label("n_prices"),
        select(func.max(prices.c.as_of)).scalar_subquery().label("last_price"),
    )
    .select_from(
        customers.outerjoin(
            balances,
            and_(balances.c.customer_id == customers.c.customer_id, balances.c.snapshot_id == _SNAPSHOT),
        )
    )
    .where(customers.c.customer_id == bindparam("cid"))
    .order_by(balances.c.account_id, balances.c.asset)
)


def _prices_cached(
    conn: Connection, d: date, n_prices: int, last_price: str | None
) -> dict[str, dict[str, str]]:
    key = (d.isoformat(), int(n_prices or 0), None if last_price is None else str(last_price))
    with _PRICE_CACHE_LOCK:
        per_engine = _PRICE_CACHE.setdefault(conn.engine, {})
        hit = per_engine.get(key)
    if hit is None:
        hit = _prices(conn, d)
        with _PRICE_CACHE_LOCK:
            if len(per_engine) > 64:
                per_engine.clear()
            per_engine[key] = hit
    return {k: dict(v) for k, v in hit.items()}


def _customer_doc(row: Any) -> dict[str, Any]:
    return {
        "id": row.customer_id,
        "type": row.type,
        "nationalities": json.loads(row.nationalities or "[]"),
        "residence_country": row.residence_country,
        "residence_permits": json.loads(row.residence_permits or "[]"),
        "establishment_country": row.establishment_country,
    }


def facts_document(conn: Connection, customer_id: str, d: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """The decision input for a stored customer on `d` (and what it used): two queries and cached prices."""
    rows = conn.execute(_CUSTOMER_FACTS, {"cid": customer_id}).all()
    if not rows:
        raise NotFound(f"no customer {customer_id!r}", customer_id=customer_id)
    first = rows[0]
    snap = first.snap
    holdings = [
        {"account_id": r.b_account_id, "asset": r.b_asset, "amount": r.b_amount}
        for r in rows
        if r.b_asset is not None
    ]
    matches = confirmed_matches(conn, [customer_id])
    cust = _customer_doc(first)
    cust["sanctions"] = [{k: m[k] for k in ("list", "entity_id", "status")} for m in matches]
    doc = {
        "as_of": d.isoformat(),
        "customer": cust,
        "holdings": holdings,
        "prices_eur": _prices_cached(conn, d, first.n_prices, first.last_price),
    }
    evidence = {
        "balance_snapshot": snap,
        "list_versions": sorted({f"{m['list']}:{m['list_version']}" for m in matches}),
    }
    return doc, evidence


# The rules snapshot of a rule set on a date, computed once: {(id(rules), date): (rules, hash, body)}
# (the rule set is kept so that its id is not reused while the entry lives).
_SNAPSHOTS: dict[tuple[int, str], tuple[RuleSet, str, str]] = {}
# Snapshot hashes seen committed in each store (weakly: a disposed store's entries go with it).
_SAVED_SNAPSHOTS: weakref.WeakKeyDictionary[Engine, set[str]] = weakref.WeakKeyDictionary()
_SNAPSHOT_LOCK = threading.Lock()


def rules_snapshot_of(rules: RuleSet, d: date) -> tuple[str, str]:
    """(SHA-256 of the canonical JSON, that JSON) of `rules_snapshot(rules, d)`."""
    key = (id(rules), d.isoformat())
    hit = _SNAPSHOTS.get(key)
    if hit is None or hit[0] is not rules:
        body = canonical_json(rules_snapshot(rules, d))
        hit = (rules, hashlib.sha256(body).hexdigest(), body.decode())
        with _SNAPSHOT_LOCK:
            if len(_SNAPSHOTS) > 256:
                _SNAPSHOTS.clear()
            _SNAPSHOTS[key] = hit
    return hit[1], hit[2]


def save_rules_snapshot(conn: Connection, digest: str, body: str) -> None:
    """Store a rules snapshot once per hash. A hash is remembered only once seen committed (read back
    by a later call), so a rolled-back first insert is redone; concurrent inserts do not conflict."""
    with _SNAPSHOT_LOCK:
        known = _SAVED_SNAPSHOTS.setdefault(conn.engine, set())
        if digest in known:
            return
    c = rule_snapshots.c
    if conn.execute(select(c.hash).where(c.hash == digest)).first() is not None:
        with _SNAPSHOT_LOCK:
            known.add(digest)
        return
    values = {"hash": digest, "body": body}
    if conn.dialect.name == "sqlite":
        from sqlalchemy.dialects import sqlite

        conn.execute(sqlite.insert(rule_snapshots).values(values).on_conflict_do_nothing())
    elif conn.dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql

        conn.execute(postgresql.insert(rule_snapshots).values(values).on_conflict_do_nothing())
    else:
        conn.execute(rule_snapshots.insert().values(values))


def load_rules_snapshot(conn: Connection, digest: str) -> list[dict[str, Any]]:
    row = conn.execute(select(rule_snapshots.c.body).where(rule_snapshots.c.hash == digest)).first()
    if row is None:
        raise NotFound(f"no rules snapshot {digest!r}", rules_snapshot_hash=digest)
    body = str(row.body)
    if hashlib.sha256(body.encode()).hexdigest() != digest:
        raise IntegrityFailure(
            f"the rules snapshot {digest} does not match its hash (altered)", rules_snapshot_hash=digest
        )
    snapshot: list[dict[str, Any]] = json.loads(body)
    return snapshot


def restriction_record_fields(
    facts: Facts,
    decision: Decision,
    out: Mapping[str, Any],
    rules: RuleSet,
    evidence: Mapping[str, Any],
    *,
    groups: Mapping[str, Any],
    snapshot_hash: str,
) -> dict[str, Any]:
    """What a stored restriction decision holds (`kind`, `subject`, `inputs`, `outputs`, `refs`): one
    definition for the whole-base job and the gate. `out` is `decision.to_dict()`."""
    return {
        "kind": "restriction",
        "subject": f"customer:{facts.customer.id}",
        "inputs": {"facts": facts.to_dict(), "rules_snapshot_hash": snapshot_hash, "groups": dict(groups)},
        "outputs": out,
        "refs": {
            "rule_versions": out["rule_versions"],
            "rules_hash": rules.content_hash,
            "rules_snapshot_hash": snapshot_hash,
            "facts_hash": decision.facts_hash,
            "list_versions": list(evidence.get("list_versions", [])),
            "balance_snapshot": evidence.get("balance_snapshot"),
            "prices": out["valuation"]["prices"],
            "customer_id": facts.customer.id,
        },
    }


def save_restriction_decision(
    conn: Connection,
    facts: Facts,
    decision: Decision,
    rules: RuleSet,
    evidence: Mapping[str, Any],
    *,
    actor: str,
    groups: Mapping[str, Any],
) -> str:
    """The decision's inputs are its facts, the country groups and the hash of the rules snapshot
    (stored once in `rule_snapshots`): committing to the ~300 fields of the snapshot field by field at
    every decision cost more than the decision itself."""
    out = decision.to_dict()
    snapshot_hash, body = rules_snapshot_of(rules, decision.as_of)
    save_rules_snapshot(conn, snapshot_hash, body)
    stored = save_decision(
        conn,
        actor=actor,
        **restriction_record_fields(
            facts, decision, out, rules, evidence, groups=groups, snapshot_hash=snapshot_hash
        ),
    )
    return stored.id


def decimal_array(values: list[Any]) -> pa.Array:
    """Exact decimal strings as one Arrow decimal column: DECIMAL(18, s) (a 64-bit integer) when every value
    fits, DECIMAL(38, s) otherwise; `s` is the largest scale present, so nothing is rounded."""
    decs = [Decimal(str(v)) for v in values]
    scale = max((max(0, -int(d.as_tuple().exponent)) for d in decs), default=0)
    digits = max((len(d.as_tuple().digits) + int(d.as_tuple().exponent) for d in decs), default=1)
    width = max(digits, 1) + scale
    if width > 38:
        raise ValueError(f"an amount needs {width} digits; the set-based job handles at most 38")
    q = Decimal(1).scaleb(-scale)
    return pa.array([d.quantize(q) for d in decs], pa.decimal128(18 if width <= 18 else 38, scale))


def _arrow_base(conn: Connection, d: date) -> tuple[dict[str, pa.Table], dict[str, dict[str, Any]]]:
    """The stored base as the job's input tables; customers dictionary-encoded once to an integer key."""
    cust_rows: dict[str, list[Any]] = {
        k: []
        for k in (
            "customer_id",
            "type",
            "nationalities",
            "residence_country",
            "establishment_country",
            "permits",
        )
    }
    docs: dict[str, dict[str, Any]] = {}
    keys: dict[str, int] = {}
    for row in conn.execute(select(customers)):
        doc = _customer_doc(row)
        facts = parse_facts({"as_of": d.isoformat(), "customer": doc})  # same normalization as decide()
        c = facts.customer
        docs[row.customer_id] = doc
        keys[row.customer_id] = len(keys)
        cust_rows["customer_id"].append(row.customer_id)
        cust_rows["type"].append(c.type)
        cust_rows["nationalities"].append(list(c.nationalities) if c.nationalities is not None else None)
        cust_rows["residence_country"].append(c.residence_country)
        cust_rows["establishment_country"].append(c.establishment_country)
        cust_rows["permits"].append(
            [
                {
                    "country": p.country,
                    "kind": p.kind,
                    "valid_from": p.valid_from,
                    "valid_until": p.valid_until,
                }
                for p in c.residence_permits
            ]
        )
    permit_t = pa.list_(
        pa.struct(
            [
                ("country", pa.string()),
                ("kind", pa.string()),
                ("valid_from", pa.date32()),
                ("valid_until", pa.date32()),
            ]
        )
    )
    cust = pa.table(
        {
            "customer_key": pa.array(range(len(keys)), pa.int64()),
            "customer_id": pa.array(cust_rows["customer_id"], pa.string()),
            "type": pa.array(cust_rows["type"], pa.string()),
            "nationalities": pa.array(cust_rows["nationalities"], pa.list_(pa.string())),
            "residence_country": pa.array(cust_rows["residence_country"], pa.string()),
            "establishment_country": pa.array(cust_rows["establishment_country"], pa.string()),
            "permits": pa.array(cust_rows["permits"], permit_t),
        }
    )
    snap = _latest_snapshot(conn)
    b_rows: dict[str, list[Any]] = {"customer_key": [], "account_id": [], "asset": [], "amount": []}
    if snap is not None:
        for b in conn.execute(select(balances).where(balances.c.snapshot_id == snap)):
            key = keys.get(b.customer_id)
            if key is None:  # a balance of no known customer decides nothing
                continue
            b_rows["customer_key"].append(key)
            b_rows["account_id"].append(b.account_id)
            b_rows["asset"].append(b.asset)
            b_rows["amount"].append(b.amount)
    bal = pa.table(
        {
            "customer_key": pa.array(b_rows["customer_key"], pa.int64()),
            "account_id": pa.array(b_rows["account_id"], pa.string()),
            "asset": pa.array(b_rows["asset"], pa.string()),
            "amount": decimal_array(b_rows["amount"]),
        }
    )
    pr = _prices(conn, d)
    price_t = pa.table(
        {
            "asset": pa.array(list(pr), pa.string()),
            "price_eur": decimal_array([v["price"] for v in pr.values()]),
        }
    )
    ms = [m for m in confirmed_matches(conn) if m["customer_id"] in keys]
    sanc = pa.table(
        {
            "customer_key": pa.array([keys[m["customer_id"]] for m in ms], pa.int64()),
            "list": pa.array([m["list"] for m in ms], pa.string()),
            "status": pa.array([m["status"] for m in ms], pa.string()),
            "listed_from": pa.array([None] * len(ms), pa.date32()),
            "listed_until": pa.array([None] * len(ms), pa.date32()),
        }
    )
    return {"customers": cust, "balances": bal, "prices": price_t, "sanctions": sanc}, docs


def evaluate_stored_base(
    store: Any,
    rules: RuleSet,
    d: date,
    *,
    out: Path | None,
    provider_entity: str,
    progress: bool,
    actor: str,
    groups: Mapping[str, Any],
) -> dict[str, Any]:
    from rich.progress import Progress

    started = now_iso()
    t0 = time.perf_counter()
    with Progress(disable=not progress, transient=True) as bar:
        task = bar.add_task("reading the customer base", total=4)
        with store.read() as conn:
            tables, _docs = _arrow_base(conn, d)
            prev = conn.execute(
                select(restriction_runs)
                .where(restriction_runs.c.provider_entity == provider_entity)
                .order_by(restriction_runs.c.seq.desc())
                .limit(1)
            ).first()
            prev_results = {}
            if prev is not None:
                prev_results = {
                    r.customer_id: (r.outcome, r.decided_by)
                    for r in conn.execute(
                        select(restriction_results).where(restriction_results.c.run_id == prev.id)
                    )
                }
        bar.update(task, advance=1, description="deciding (DuckDB, set-based)")
        con = duckdb_runner.connect()
        duckdb_runner.register_inputs(con, tables)
        rel = duckdb_runner.evaluate(con, rules, d, provider_entity=provider_entity)
        assert rel is not None
        rows = rel.project("customer_id, outcome, decided_by, CAST(holdings_eur AS VARCHAR)").fetchall()
        bar.update(task, advance=1, description="comparing with the previous run")
        run_id = f"r_{uuid.uuid4().hex[:24]}"
        counts: dict[str, int] = {}
        changed = []
        for cid, outcome, _decided_by, _holdings in rows:
            counts[outcome] = counts.get(outcome, 0) + 1
            before = prev_results.get(cid)
            if (before is None and outcome != "allow") or (before is not None and before[0] != outcome):
                changed.append(cid)
        bar.update(task, advance=1, description="storing decisions")
        items = []
        decision_ids: dict[str, str] = {}
        with store.begin() as conn:
            for cid in changed:
                doc, evidence = facts_document(conn, cid, d)
                doc.update({"action": "hold", "provider_entity": provider_entity})
                facts = parse_facts(doc)
                dec = decide(facts, rules, d)
                decision_ids[cid] = save_restriction_decision(
                    conn, facts, dec, rules, evidence, actor=actor, groups=groups
                )
                why = (
                    "; ".join(r.reason for r in dec.results if r.rule.id in dec.decided_by)
                    or "no rule applies"
                )
                items.append(
                    {
                        "customer_id": cid,
                        "from": (prev_results.get(cid) or ("(none)",))[0],
                        "to": dec.outcome,
                        "decided_by": list(dec.decided_by),
                        "why": why,
                        "decision_id": decision_ids[cid],
                    }
                )
            conn.execute(
                restriction_results.insert(),
                [
                    {
                        "run_id": run_id,
                        "customer_id": cid,
                        "outcome": o,
                        "decided_by": db or "",
                        "holdings_eur": str(Decimal(h).normalize()) if h else "0",
                        "decision_id": decision_ids.get(cid),
                    }
                    for cid, o, db, h in rows
                ]
                or [],
            )
            from rempart.services.restrictions import rules_in_force

            versions = {r["id"]: r["version_from"] for r in rules_in_force(rules, d)}
            seconds = time.perf_counter() - t0
            conn.execute(
                restriction_runs.insert().values(
                    id=run_id,
                    as_of=d.isoformat(),
                    provider_entity=provider_entity,
                    rules_hash=rules.content_hash,
                    rule_versions=canonical_json(versions).decode(),
                    counts=canonical_json(counts).decode(),
                    started_at=started,
                    seconds=f"{seconds:.3f}",
                )
            )
            record(
                conn,
                type="restrictions.evaluate",
                actor=actor,
                subject=f"run:{run_id}",
                payload={
                    "run_id": run_id,
                    "as_of": d.isoformat(),
                    "counts": counts,
                    "rules_hash": rules.content_hash,
                    "changes": len(items),
                },
            )
        bar.update(task, advance=1)
    if out is not None:
        with out.open("w", encoding="utf-8") as f:
            for cid, o, db, h in rows:
                f.write(
                    json.dumps(
                        {
                            "customer_id": cid,
                            "outcome": o,
                            "decided_by": db.split(",") if db else [],
                            "holdings_eur": h,
                            "decision_id": decision_ids.get(cid),
                        }
                    )
                    + "\n"
                )
    return {
        "run_id": run_id,
        "as_of": d.isoformat(),
        "customers": len(rows),
        "outcomes": counts,
        "seconds": time.perf_counter() - t0,
        "rules_hash": rules.content_hash,
        "changes": {"previous_run": prev.id if prev is not None else None, "items": items},
    }
