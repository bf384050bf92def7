"""Read-only views for the console: counts, recent decisions, a customer's facts and holdings.

The console uses the area services (alerts, restrictions, requests, proof) where they exist; this
module holds only the small read queries that no area service offers. Viewing a customer's data is
a data access and is audited (`customer_view`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, func, or_, select

from rempart.adapters.storage import all_tables, lists_repo
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import StoredDecision, get_decision, list_decisions
from rempart.adapters.storage.tables import (
    audit_events,
    audit_head,
    balance_snapshots,
    balances,
    customer_wallets,
    customers,
    decisions,
    prices,
)
from rempart.errors import NotFound
from rempart.services.audit import record

CASE_OUTCOMES = ("offboard", "freeze", "review")
CENT = Decimal("0.01")


@dataclass(frozen=True)
class Holding:
    account_id: str
    asset: str
    amount: str
    price_eur: str | None
    price_as_of: str | None
    price_source: str | None
    value_eur: str | None


@dataclass(frozen=True)
class CustomerView:
    customer: dict[str, Any]
    wallets: list[dict[str, str]]
    holdings: list[Holding]
    holdings_eur: str
    unpriced_assets: list[str]
    snapshot: dict[str, Any] | None
    decisions: list[StoredDecision]


@dataclass(frozen=True)
class Dashboard:
    lists: list[dict[str, Any]]
    customers: int
    decisions_by_kind: dict[str, int]
    audit_events: int
    audit_head_seq: int | None
    audit_last_time: str | None
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Case:
    customer_id: str
    name: str | None
    outcome: str
    decision_id: str
    decided_at: str
    kind: str
    rules: list[str]


def dashboard(store: Store) -> Dashboard:
    with store.read() as conn:
        versions = [v.to_dict(with_diff=True) for v in lists_repo.current_versions(conn)]
        n_customers = int(conn.execute(select(func.count()).select_from(customers)).scalar_one())
        by_kind = {
            str(k): int(n)
            for k, n in conn.execute(
                select(decisions.c.kind, func.count()).group_by(decisions.c.kind).order_by(decisions.c.kind)
            )
        }
        head = conn.execute(select(audit_head.c.seq).where(audit_head.c.id == 1)).first()
        last_time = conn.execute(
            select(audit_events.c.time).order_by(audit_events.c.seq.desc()).limit(1)
        ).scalar_one_or_none()
        n_events = int(conn.execute(select(func.count()).select_from(audit_events)).scalar_one())
    return Dashboard(versions, n_customers, by_kind, n_events, int(head.seq) if head else None, last_time)


def recent_decisions(store: Store, *, kind: str | None = None, limit: int = 20) -> list[StoredDecision]:
    with store.read() as conn:
        return list_decisions(conn, kind=kind, limit=limit)


def search_customers(store: Store, query: str = "", *, limit: int = 50) -> list[dict[str, Any]]:
    q = select(
        customers.c.customer_id,
        customers.c.type,
        customers.c.name,
        customers.c.nationalities,
        customers.c.residence_country,
        customers.c.establishment_country,
    )
    query = query.strip()
    if query:
        like = f"%{query.lower()}%"
        q = q.where(
            or_(
                func.lower(customers.c.customer_id).like(like),
                func.lower(customers.c.name).like(like),
                func.lower(customers.c.email).like(like),
            )
        )
    q = q.order_by(customers.c.customer_id).limit(limit)
    with store.read() as conn:
        return [
            {
                "customer_id": r.customer_id,
                "type": r.type,
                "name": r.name,
                "nationalities": json.loads(r.nationalities),
                "residence_country": r.residence_country,
                "establishment_country": r.establishment_country,
            }
            for r in conn.execute(q)
        ]


def customer_names(conn: Connection, ids: list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for i in range(0, len(ids), 500):
        chunk = ids[i : i + 500]
        out.update(
            {
                r[0]: r[1]
                for r in conn.execute(
                    select(customers.c.customer_id, customers.c.name).where(
                        customers.c.customer_id.in_(chunk)
                    )
                )
            }
        )
    return out


def _subject_keys(customer_id: str) -> list[str]:
    return [customer_id, f"customer:{customer_id}"]


def _decimal(value: str | None) -> Decimal | None:
    if value is None:
        return None
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def customer_view(store: Store, customer_id: str, *, actor: str, purpose: str = "console") -> CustomerView:
    """A customer's facts, wallets, holdings in EUR and decisions; records the access in the audit log."""
    with store.begin() as conn:
        row = conn.execute(select(customers).where(customers.c.customer_id == customer_id)).first()
        if row is None:
            raise NotFound(f"no customer {customer_id!r}", customer_id=customer_id)
        cust = {
            "customer_id": row.customer_id,
            "type": row.type,
            "name": row.name,
            "alt_names": json.loads(row.alt_names),
            "birth_date": row.birth_date,
            "nationalities": json.loads(row.nationalities),
            "residence_country": row.residence_country,
            "residence_permits": json.loads(row.residence_permits),
            "establishment_country": row.establishment_country,
            "registration_number": row.registration_number,
            "email": row.email,
            "created_at": row.created_at,
            "updated_at": row.updated_at,
        }
        wallets = [
            {"chain": w.chain, "address": w.address}
            for w in conn.execute(
                select(customer_wallets)
                .where(customer_wallets.c.customer_id == customer_id)
                .order_by(customer_wallets.c.chain, customer_wallets.c.address)
            )
        ]
        snap = conn.execute(
            select(balance_snapshots).order_by(balance_snapshots.c.id.desc()).limit(1)
        ).first()
        holdings: list[Holding] = []
        total = Decimal(0)
        unpriced: list[str] = []
        if snap is not None:
            rows = conn.execute(
                select(balances)
                .where(balances.c.snapshot_id == snap.id, balances.c.customer_id == customer_id)
                .order_by(balances.c.account_id, balances.c.asset)
            ).all()
            latest = _latest_prices(conn, sorted({r.asset for r in rows}))
            for r in rows:
                price = latest.get(r.asset)
                amount = _decimal(r.amount)
                value: Decimal | None = None
                if price is not None and amount is not None:
                    p = _decimal(price[0])
                    value = (amount * p).quantize(CENT) if p is not None else None
                if value is None:
                    unpriced.append(r.asset)
                else:
                    total += value
                holdings.append(
                    Holding(
                        r.account_id,
                        r.asset,
                        r.amount,
                        price[0] if price else None,
                        price[1] if price else None,
                        price[2] if price else None,
                        str(value) if value is not None else None,
                    )
                )
        decs = conn.execute(
            select(decisions.c.id)
            .where(decisions.c.subject.in_(_subject_keys(customer_id)))
            .order_by(decisions.c.seq.desc())
            .limit(50)
        ).all()
        stored = [get_decision(conn, d[0]) for d in decs]
        record(
            conn,
            type="data.viewed",
            actor=actor,
            subject=f"customer:{customer_id}",
            payload={"customer_id": customer_id, "view": "customer_page", "purpose": purpose},
        )
    snapshot = {"id": snap.id, "as_of": snap.as_of} if snap is not None else None
    return CustomerView(
        cust, wallets, holdings, str(total.quantize(CENT)), sorted(set(unpriced)), snapshot, stored
    )


def _latest_prices(conn: Connection, assets: list[str]) -> dict[str, tuple[str, str, str]]:
    """asset -> (price_eur, as_of, source) of the newest price per asset."""
    if not assets:
        return {}
    out: dict[str, tuple[str, str, str]] = {}
    for r in conn.execute(
        select(prices).where(prices.c.asset.in_(assets)).order_by(prices.c.asset, prices.c.as_of)
    ):
        out[r.asset] = (r.price_eur, str(r.as_of), r.source)  # later rows win
    return out


def restriction_cases(store: Store, *, limit: int = 500, scan: int = 20_000) -> list[Case]:
    """Customers whose current restriction status is freeze, offboard or review, most severe first.

    The status is the latest whole-base evaluation run (`restriction_results`), overridden by a later
    stored `restriction` decision about keeping the relationship (action `hold`). Decisions about a
    single deposit or trade do not change a customer's case.
    """
    status: dict[str, Case] = {}
    with store.read() as conn:
        run_time = ""
        runs = all_tables.metadata.tables.get("restriction_runs")
        results = all_tables.metadata.tables.get("restriction_results")
        if runs is not None and results is not None and "restriction_runs" in store.table_names():
            run = conn.execute(select(runs).order_by(runs.c.seq.desc()).limit(1)).first()
            if run is not None:
                run_time = str(run.started_at)
                for r in conn.execute(
                    select(results)
                    .where(results.c.run_id == run.id, results.c.outcome.in_(CASE_OUTCOMES))
                    .limit(scan)
                ):
                    status[r.customer_id] = Case(
                        r.customer_id,
                        None,
                        r.outcome,
                        r.decision_id or "",
                        run_time,
                        f"run {run.id} as of {run.as_of}",
                        [x for x in str(r.decided_by).split(",") if x],
                    )
        latest = (
            select(decisions.c.subject, func.max(decisions.c.seq).label("seq"))
            .where(decisions.c.kind.like("restriction%"), decisions.c.created_at > run_time)
            .group_by(decisions.c.subject)
            .subquery()
        )
        rows = conn.execute(
            select(
                decisions.c.id,
                decisions.c.kind,
                decisions.c.subject,
                decisions.c.created_at,
                decisions.c.outputs,
            )
            .join(latest, decisions.c.seq == latest.c.seq)
            .order_by(decisions.c.seq.desc())
            .limit(scan)
        ).all()
        for r in rows:
            out = json.loads(r.outputs)
            if not isinstance(out, dict) or out.get("action", "hold") != "hold":
                continue
            cid = r.subject.removeprefix("customer:")
            outcome = str(out.get("outcome"))
            if outcome not in CASE_OUTCOMES:
                status.pop(cid, None)
                continue
            applied = [
                str(x.get("id")) for x in out.get("rules", []) if isinstance(x, dict) and x.get("applied")
            ]
            status[cid] = Case(cid, None, outcome, r.id, r.created_at, r.kind, applied)
        cases = list(status.values())
        order = {"freeze": 0, "offboard": 1, "review": 2}
        cases.sort(key=lambda c: (order.get(c.outcome, 9), c.customer_id))
        cases = cases[:limit]
        names = customer_names(conn, [c.customer_id for c in cases])
    return [
        Case(c.customer_id, names.get(c.customer_id), c.outcome, c.decision_id, c.decided_at, c.kind, c.rules)
        for c in cases
    ]


def decision(store: Store, decision_id: str) -> StoredDecision:
    with store.read() as conn:
        return get_decision(conn, decision_id)
