"""Screening alerts: opened by a hit at or above the threshold on a stored customer; confirmed (a true
match) or dismissed (a false positive) by an analyst with a reason.

States and moves are one table (`TRANSITIONS`); every move writes the state change, an audit event
and a stored decision in the same transaction. A dismissed (customer, entity) pair does not alert
again until the customer's data (`customers.data_hash`) or the listed entity (its content hash)
changes. A confirmed alert is the sanctions fact the restrictions engine uses
(`confirmed_sanctions`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select, update

from rempart.adapters.storage.decisions import save_decision
from rempart.adapters.storage.tables_screening import screening_alerts
from rempart.domain.lists import canonical_json
from rempart.domain.screening.model import Hit
from rempart.errors import Conflict, InputError, NotFound
from rempart.services.audit import now_iso, record

STATES = ("open", "confirmed", "dismissed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "open": ("confirmed", "dismissed"),
    "confirmed": ("dismissed",),  # a confirmation found wrong on review
    "dismissed": ("confirmed",),  # a dismissal found wrong on review
}
# The restrictions engine knows the lists eu, ofac, uk, un. Stored list names may carry a suffix
# (ofac_cons, uk_sl, ofac_crypto); the OFAC crypto-address list is part of the SDN list.
RESTRICTION_LISTS = ("eu", "ofac", "uk", "un")


def restriction_list(list_name: str) -> str | None:
    """The restrictions engine's list for a stored list name, or None (e.g. il_nbctf, ftm)."""
    head = list_name.split("_", 1)[0].lower()
    if head in RESTRICTION_LISTS:
        return head
    return "ofac" if head == "crypto" else None


@dataclass(frozen=True)
class Alert:
    id: str
    customer_id: str
    entity_id: str
    list_name: str
    list_version: str
    source_id: str
    schema: str
    matched_name: str
    score: str
    kind: str
    explanation: dict[str, Any]
    algorithm: str
    state: str
    customer_data_hash: str
    entity_content_hash: str
    regimes: dict[str, Any]
    created_at: str
    decided_at: str | None
    decided_by: str | None
    reason: str | None
    decision_id: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "customer_id": self.customer_id,
            "entity_id": self.entity_id,
            "list": self.list_name,
            "list_version": self.list_version,
            "source_id": self.source_id,
            "schema": self.schema,
            "name": self.matched_name,
            "score": float(self.score),
            "kind": self.kind,
            "explanation": self.explanation,
            "algorithm": self.algorithm,
            "state": self.state,
            "created_at": self.created_at,
            "decided_at": self.decided_at,
            "decided_by": self.decided_by,
            "reason": self.reason,
            "decision_id": self.decision_id,
        }


def _row(r: Any) -> Alert:
    return Alert(
        r.id,
        r.customer_id,
        r.entity_id,
        r.list_name,
        r.list_version,
        r.source_id,
        r.schema,
        r.matched_name,
        r.score,
        r.kind,
        json.loads(r.explanation),
        r.algorithm,
        r.state,
        r.customer_data_hash,
        r.entity_content_hash,
        json.loads(r.regimes),
        r.created_at,
        r.decided_at,
        r.decided_by,
        r.reason,
        r.decision_id,
    )


@dataclass(frozen=True)
class EntityFacts:
    content_hash: str
    programs: tuple[str, ...] = ()
    listed_on: str | None = None


def open_alerts(
    conn: Connection,
    customer_id: str,
    customer_data_hash: str,
    hits: Iterable[Hit],
    entities: Mapping[str, EntityFacts],
    *,
    actor: str = "system",
) -> list[Alert]:
    """Open an alert for each matching hit unless the pair already has an open or confirmed alert,
    or was dismissed with both sides unchanged since. Returns the alerts opened."""
    hits = [h for h in hits if h.match]
    if not hits:
        return []
    existing: dict[str, list[Any]] = {}
    for r in conn.execute(
        select(
            screening_alerts.c.entity_id,
            screening_alerts.c.state,
            screening_alerts.c.customer_data_hash,
            screening_alerts.c.entity_content_hash,
        ).where(screening_alerts.c.customer_id == customer_id)
    ):
        existing.setdefault(r.entity_id, []).append(r)
    opened: list[Alert] = []
    best: dict[str, Hit] = {}
    for h in hits:
        if h.entity_id not in best or h.score > best[h.entity_id].score:
            best[h.entity_id] = h
    now = now_iso()
    for h in best.values():
        facts = entities.get(h.entity_id) or EntityFacts("")
        prior = existing.get(h.entity_id, [])
        if any(p.state in ("open", "confirmed") for p in prior):
            continue
        if any(
            p.state == "dismissed"
            and p.customer_data_hash == customer_data_hash
            and p.entity_content_hash == facts.content_hash
            for p in prior
        ):
            continue  # dismissed, and neither side changed since
        aid = f"al_{uuid.uuid4().hex[:24]}"
        kind = "address" if "address" in h.explanation else "name"
        values = {
            "id": aid,
            "customer_id": customer_id,
            "entity_id": h.entity_id,
            "list_name": h.list_name,
            "list_version": h.list_version,
            "source_id": h.source_id,
            "schema": h.schema,
            "matched_name": h.name,
            "score": f"{h.score:.4f}",
            "kind": kind,
            "explanation": canonical_json(h.explanation).decode(),
            "algorithm": h.algorithm,
            "state": "open",
            "customer_data_hash": customer_data_hash,
            "entity_content_hash": facts.content_hash,
            "regimes": canonical_json(
                {"programs": list(facts.programs), "listed_on": facts.listed_on}
            ).decode(),
            "created_at": now,
        }
        conn.execute(screening_alerts.insert().values(**values))
        record(
            conn,
            type="alert.opened",
            actor=actor,
            subject=f"alert:{aid}",
            payload={
                "alert_id": aid,
                "customer_id": customer_id,
                "entity_id": h.entity_id,
                "list_version": h.list_version,
                "score": values["score"],
                "algorithm": h.algorithm,
                "explanation": h.explanation,
            },
        )
        opened.append(get_alert(conn, aid))
    return opened


def get_alert(conn: Connection, alert_id: str) -> Alert:
    r = conn.execute(select(screening_alerts).where(screening_alerts.c.id == alert_id)).first()
    if r is None:
        raise NotFound(f"no alert {alert_id!r}", alert_id=alert_id)
    return _row(r)


def list_alerts(
    conn: Connection, *, state: str | None = None, customer_id: str | None = None, limit: int = 100
) -> list[Alert]:
    if state is not None and state not in STATES:
        raise InputError("unknown alert state", field="state", expected=" | ".join(STATES), value=state)
    q = select(screening_alerts).order_by(screening_alerts.c.seq.desc()).limit(limit)
    if state:
        q = q.where(screening_alerts.c.state == state)
    if customer_id:
        q = q.where(screening_alerts.c.customer_id == customer_id)
    return [_row(r) for r in conn.execute(q)]


def decide(conn: Connection, alert_id: str, to: str, *, actor: str, reason: str) -> Alert:
    """Move an alert to `confirmed` or `dismissed` with a reason: state change, audit event and
    stored decision in the caller's transaction."""
    if to not in ("confirmed", "dismissed"):
        raise InputError(
            "an alert is confirmed or dismissed", field="state", expected="confirmed | dismissed", value=to
        )
    if not reason.strip():
        raise InputError("a reason is required", field="reason", expected="why the analyst decided so")
    if not actor.strip():
        raise InputError("an actor is required", field="actor", expected="the analyst's user name")
    a = get_alert(conn, alert_id)
    if to not in TRANSITIONS.get(a.state, ()):
        raise Conflict(
            f"alert {alert_id} is {a.state}; it cannot become {to}", alert_id=alert_id, state=a.state
        )
    decision = save_decision(
        conn,
        kind="screening_alert",
        subject=f"customer:{a.customer_id}",
        inputs={
            "alert_id": a.id,
            "customer_id": a.customer_id,
            "customer_data_hash": a.customer_data_hash,
            "entity_id": a.entity_id,
            "entity_content_hash": a.entity_content_hash,
            "list": a.list_name,
            "list_version": a.list_version,
            "score": a.score,
            "algorithm": a.algorithm,
            "explanation": a.explanation,
            "previous_state": a.state,
        },
        outputs={"state": to, "match": to == "confirmed", "reason": reason},
        refs={"alert_id": a.id, "list_version": a.list_version, "entity_id": a.entity_id},
        actor=actor,
    )
    now = now_iso()
    conn.execute(
        update(screening_alerts)
        .where(screening_alerts.c.id == alert_id)
        .values(state=to, decided_at=now, decided_by=actor, reason=reason, decision_id=decision.id)
    )
    record(
        conn,
        type=f"alert.{to}",
        actor=actor,
        subject=f"alert:{alert_id}",
        payload={
            "alert_id": alert_id,
            "from": a.state,
            "to": to,
            "reason": reason,
            "decision_id": decision.id,
        },
    )
    return get_alert(conn, alert_id)


def confirm(conn: Connection, alert_id: str, *, actor: str, reason: str) -> Alert:
    return decide(conn, alert_id, "confirmed", actor=actor, reason=reason)


def dismiss(conn: Connection, alert_id: str, *, actor: str, reason: str) -> Alert:
    return decide(conn, alert_id, "dismissed", actor=actor, reason=reason)


def _sanction(a: Alert, status: str) -> dict[str, Any] | None:
    lst = restriction_list(a.list_name)
    if lst is None:
        return None
    programs = list(a.regimes.get("programs") or [])
    out: dict[str, Any] = {
        "list": lst,
        "regime": programs[0] if programs else None,
        "entity_id": a.entity_id,
        "status": status,
        "programs": programs,
        "alert_id": a.id,
    }
    if a.regimes.get("listed_on"):
        out["listed_from"] = a.regimes["listed_on"]
    return out


def confirmed_sanctions(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """The customer's confirmed matches, as the restrictions engine's sanctions facts:
    `{"list": "eu|ofac|uk|un", "regime": <first program>, "entity_id": ..., "status": "confirmed", ...}`.
    Matches on lists the restrictions engine does not know (e.g. `ftm`) are left out."""
    out = []
    for a in list_alerts(conn, state="confirmed", customer_id=customer_id, limit=10_000):
        s = _sanction(a, "confirmed")
        if s is not None:
            out.append(s)
    return sorted(out, key=lambda s: (s["list"], s["entity_id"]))


def possible_sanctions(conn: Connection, customer_id: str) -> list[dict[str, Any]]:
    """Open (unadjudicated) alerts as `status: possible` facts: a restriction decision should review."""
    out = []
    for a in list_alerts(conn, state="open", customer_id=customer_id, limit=10_000):
        s = _sanction(a, "possible")
        if s is not None:
            out.append(s)
    return sorted(out, key=lambda s: (s["list"], s["entity_id"]))
