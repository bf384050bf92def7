"""What the console asks of the other areas: alerts, restriction cases, the request desk, proof, reports.

Each function uses the area's service when it is there and degrades to a read of the stored rows
(or to "not available yet") when it is not. Writes go only through the area services.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Table, func, select

from rempart.adapters.storage import all_tables
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import StoredDecision
from rempart.adapters.web.integrations import first, has, optional
from rempart.domain.principals import Principal
from rempart.errors import Conflict, InputError
from rempart.services import audit as audit_service
from rempart.services import console_queries as queries
from rempart.settings import Settings

NOT_YET = "not available yet: this part of Rempart is still being built"


@dataclass
class Listing:
    """Rows for a page, or why there are none."""

    available: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    source: str = ""  # which service or table the rows came from
    actions: bool = False  # whether the page may offer buttons that change state


def _table(store: Store, name: str) -> Table | None:
    """A table that both the code and the database know (its migration has run)."""
    table = all_tables.metadata.tables.get(name)
    if table is None or name not in store.table_names():
        return None
    return table


# --- alerts -----------------------------------------------------------------------------------------


def _alerts_service() -> Any:
    return optional("rempart.services.alerts")


def _alert_row(r: Any) -> dict[str, Any]:
    d = dict(r._mapping) if hasattr(r, "_mapping") else dict(r)
    for key in ("explanation", "regimes"):
        if isinstance(d.get(key), str):
            with contextlib.suppress(ValueError):
                d[key] = json.loads(d[key])
    return d


def list_alerts(
    store: Store, *, status: str = "open", customer_id: str | None = None, limit: int = 200
) -> Listing:
    svc = _alerts_service()
    if status not in ("open", "confirmed", "dismissed", "all"):
        raise InputError(
            "unknown alert state", field="status", expected="open | confirmed | dismissed | all", value=status
        )
    state = None if status == "all" else status
    if has(svc, "list_alerts"):
        with store.read() as conn:
            rows = [
                _service_alert(a)
                for a in svc.list_alerts(conn, state=state, customer_id=customer_id, limit=limit)
            ]
            source = "services.alerts"
    else:
        table = _table(store, "screening_alerts")
        if table is None:
            return Listing(False, message=NOT_YET + " (screening alerts)")
        q = select(table).order_by(table.c.seq.desc()).limit(limit)
        if state:
            q = q.where(table.c.state == state)
        if customer_id:
            q = q.where(table.c.customer_id == customer_id)
        with store.read() as conn:
            rows = [_alert_row(r) for r in conn.execute(q)]
        source = "screening_alerts"
    with store.read() as conn:
        names = queries.customer_names(conn, sorted({str(r["customer_id"]) for r in rows}))
    for r in rows:
        r["customer_name"] = names.get(str(r["customer_id"]))
    actions = has(svc, "confirm", "dismiss") or has(svc, "decide")
    return Listing(
        True,
        rows,
        source=source,
        actions=actions,
        message="" if actions else "confirm and dismiss are " + NOT_YET,
    )


def _service_alert(a: Any) -> dict[str, Any]:
    """The alert service's record as the template's row (table column names)."""
    d = dict(a.__dict__) if hasattr(a, "__dict__") else _as_dict(a)
    return d


def alerts_for_customer(store: Store, customer_id: str) -> Listing:
    return list_alerts(store, status="all", customer_id=customer_id, limit=50)


def alert_summary(store: Store) -> dict[str, Any]:
    table = _table(store, "screening_alerts")
    if table is None:
        return {"available": False, "message": NOT_YET}
    with store.read() as conn:
        counts = {
            str(s): int(n)
            for s, n in conn.execute(select(table.c.state, func.count()).group_by(table.c.state))
        }
    return {"available": True, "counts": counts, "open": counts.get("open", 0)}


def decide_alert(store: Store, alert_id: str, action: str, *, reason: str, actor: str) -> None:
    """Confirm or dismiss through the alert service (state change, decision and audit in one transaction)."""
    if action not in ("confirm", "dismiss"):
        raise InputError("unknown alert action", field="action", expected="confirm | dismiss", value=action)
    if not reason.strip():
        raise InputError(
            "a reason is required to confirm or dismiss an alert",
            field="reason",
            expected="a short explanation",
        )
    svc = _alerts_service()
    if has(svc, action):
        with store.begin() as conn:
            getattr(svc, action)(conn, alert_id, actor=actor, reason=reason.strip())
        return
    raise Conflict("confirming and dismissing alerts is " + NOT_YET)


# --- restriction cases ----------------------------------------------------------------------------------


def restriction_cases(store: Store) -> Listing:
    cases = queries.restriction_cases(store)
    return Listing(True, [c.__dict__ for c in cases], source="decisions")


def case_summary(store: Store) -> dict[str, int]:
    counts: dict[str, int] = {}
    for c in queries.restriction_cases(store):
        counts[c.outcome] = counts.get(c.outcome, 0) + 1
    return counts


def offboarding_plan(decisions: list[StoredDecision]) -> dict[str, Any] | None:
    """The plan attached to the customer's latest restriction decision, if it carries one."""
    for d in decisions:
        if d.kind.startswith("restriction"):
            plan = d.outputs.get("plan") or d.outputs.get("offboarding")
            return plan if isinstance(plan, dict) else None
    return None


# --- request desk -------------------------------------------------------------------------------------


def _requests_service() -> Any:
    return optional("rempart.services.requests")


def request_summary(store: Store) -> dict[str, Any]:
    listing = list_requests(store)
    if not listing.available:
        return {"available": False, "message": listing.message}
    counts: dict[str, int] = {}
    for r in listing.rows:
        counts[str(r.get("state"))] = counts.get(str(r.get("state")), 0) + 1
    return {"available": True, "counts": counts, "total": len(listing.rows)}


def list_requests(store: Store) -> Listing:
    svc = _requests_service()
    if has(svc, "list_requests") and _table(store, "data_requests") is not None:
        rows = [_as_dict(r) for r in svc.list_requests(store)]
        return Listing(True, rows, source="services.requests", actions=True)
    return Listing(False, message=NOT_YET + " (data-request desk)")


def request_detail(store: Store, request_id: str, *, actor: str) -> dict[str, Any]:
    svc = _requests_service()
    if has(svc, "get_request"):
        return _as_dict(svc.get_request(store, request_id))
    raise Conflict("the data-request desk is " + NOT_YET)


def advance_request(
    store: Store, request_id: str, action: str, *, reason: str, actor: str, roles: frozenset[str]
) -> None:
    """Approve (one of the four eyes) or reject through the desk's workflow, which enforces the roles,
    the two distinct approvers and the intake author's exclusion."""
    svc = _requests_service()
    if action not in ("approve", "reject"):
        raise InputError("unknown request action", field="action", expected="approve | reject", value=action)
    if has(svc, action):
        getattr(svc, action)(store, request_id, Principal(actor, roles), reason)
        return
    raise Conflict("the request workflow is " + NOT_YET)


def _as_dict(obj: Any) -> dict[str, Any]:
    if isinstance(obj, dict):
        return obj
    to_dict = getattr(obj, "to_dict", None)
    if callable(to_dict):
        out = to_dict()
        if isinstance(out, dict):
            return out
    return dict(getattr(obj, "__dict__", {}))


# --- audit, checkpoints, reports -----------------------------------------------------------------------


def verify_log(store: Store, *, actor: str) -> dict[str, Any]:
    """Run the verifier over the whole log (the proof service's when it exists, else the chain walk)."""
    with store.read() as conn:
        count, breaks = audit_service.verify(conn)
    return {
        "ok": not breaks,
        "events": count,
        "breaks": [str(b) for b in breaks],
        "when": audit_service.now_iso(),
        "verifier": "hash chain (services.audit.verify)",
    }


def checkpoints(store: Store) -> Listing:
    svc = optional("rempart.services.proof")
    if not has(svc, "load_checkpoints") or _table(store, "audit_checkpoints") is None:
        return Listing(False, message=NOT_YET + " (signed checkpoints)")
    assert svc is not None
    with store.read() as conn:
        cps = list(svc.load_checkpoints(conn))
    rows = []
    for cp in reversed(cps[-50:]):
        head = getattr(cp, "head", cp)
        rows.append(
            {
                "id": getattr(cp, "id", None),
                "size": getattr(head, "size", None),
                "root_hash": getattr(head, "root_hash", ""),
                "time": getattr(head, "time", ""),
                "key_id": getattr(head, "key_id", ""),
                "reason": getattr(cp, "reason", ""),
            }
        )
    return Listing(True, rows, source="services.proof")


def reports(store: Store, settings: Settings) -> Listing:
    svc = first("rempart.services.transparency", "rempart.services.report", "rempart.services.reports")
    if svc is None:
        return Listing(False, message=NOT_YET + " (transparency reports)")
    return Listing(False, message="report listing is " + NOT_YET)
