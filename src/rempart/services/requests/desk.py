"""Submit, evaluate, move, approve, produce and deliver data requests; list what falls due."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select, update

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import save_decision
from rempart.adapters.storage.tables_requests import (
    customer_risk_marks,
    data_requests,
    request_approvals,
    request_moves,
    request_productions,
)
from rempart.domain.lists import canonical_json, sha256_json
from rempart.domain.ports import Signer
from rempart.domain.principals import Principal
from rempart.domain.requests import workflow as wf
from rempart.domain.requests.evaluate import Evaluation, EvaluationContext, ScreenFn, evaluate
from rempart.domain.requests.model import DataRequest, format_datetime, parse_request
from rempart.domain.requests.production import Scope, build_package
from rempart.domain.requests.rules import RequestRules
from rempart.errors import Conflict, Forbidden, InputError, NotFound, RempartError
from rempart.services.audit import now_iso, record
from rempart.services.requests.records import read_records, resolve_targets
from rempart.services.requests.rules_loader import load_request_rules
from rempart.settings import Settings

INTAKE_ROLES = ("legal_intake", "approver")


def rules_from_settings(settings: Settings) -> RequestRules:
    return load_request_rules(settings.rules_dir)


def _now() -> datetime:
    return datetime.now(UTC)


def principal_for_user(store: Store, username: str) -> Principal:
    """The roles a stored user holds (CLI actors are stored users, like API callers)."""
    from rempart.services.users import get_user

    user = get_user(store, username)
    if not user.active:
        raise Forbidden(f"user {username!r} is deactivated", user=username)
    return Principal(user.username, frozenset(user.roles))


# --- evaluation -----------------------------------------------------------------------------------


def screen_with(service: Any) -> tuple[ScreenFn | None, tuple[str, ...]]:
    """A screening callable over a `ScreeningService`'s current lists (None when no list is loaded)."""
    from rempart.domain.screening.model import Hit, NameQuery

    screener = service.screener()
    if not screener.versions:
        return None, ()

    def screen(name: str, schema: str) -> list[Hit]:
        return list(screener.screen_name(NameQuery(name=name, schema=schema)).hits)

    return screen, tuple(f"{k}:{v}" for k, v in sorted(screener.versions.items()))


def _screen_fn(store: Store, settings: Settings) -> tuple[ScreenFn | None, tuple[str, ...]]:
    """The screening engine over the loaded lists, or None when no list is loaded."""
    from rempart.services.screening.engine import ScreeningService, default_cache_dir

    return screen_with(
        ScreeningService(store, threshold=settings.screening_threshold, cache_dir=default_cache_dir())
    )


def _target_tags(conn: Connection, req: DataRequest) -> dict[str, tuple[str, ...]]:
    """At-risk marks of the customers the targets resolve to, keyed by the target value."""
    resolved = resolve_targets(conn, req.targets, strict=False)
    ids = sorted({c for v in resolved.values() for c in v})
    if not ids:
        return {}
    marks: dict[str, set[str]] = {}
    for r in conn.execute(
        select(customer_risk_marks.c.customer_id, customer_risk_marks.c.tag).where(
            customer_risk_marks.c.customer_id.in_(ids)
        )
    ):
        marks.setdefault(r[0], set()).add(r[1])
    out: dict[str, tuple[str, ...]] = {}
    for t in req.targets:
        tags = set().union(*(marks.get(c, set()) for c in resolved.get(f"{t.type}:{t.value}", [])))
        if tags:
            out[t.value] = tuple(sorted(tags))
    return out


def evaluation_context(
    store: Store | None,
    settings: Settings,
    req: DataRequest,
    screen: ScreenFn | None = None,
    lists: tuple[str, ...] = (),
) -> EvaluationContext:
    """Screening against the loaded lists and the targets' at-risk marks, when a store is at hand."""
    if store is None:
        return EvaluationContext(screen=screen, lists=lists)
    if screen is None:
        screen, lists = _screen_fn(store, settings)
    with store.read() as conn:
        tags = _target_tags(conn, req)
    return EvaluationContext(screen=screen, target_tags=tags, lists=lists)


def _as_of(req: DataRequest, as_of: date | None) -> date:
    if as_of is not None:
        return as_of
    return req.received_at.date() if req.received_at else _now().date()


def evaluate_json(
    body: Any, rules: RequestRules, context: EvaluationContext | None = None, as_of: date | None = None
) -> dict[str, Any]:
    """The stateless evaluation: `product.md` input shape in, output shape out (plus details)."""
    req = parse_request(body)
    ev = evaluate(req, rules, context or EvaluationContext(), _as_of(req, as_of))
    out = ev.to_dict()
    out["lists_screened"] = list(context.lists) if context else []
    return out


# --- stored requests ------------------------------------------------------------------------------


def _row(conn: Connection, request_id: str) -> Any:
    row = conn.execute(select(data_requests).where(data_requests.c.id == request_id)).first()
    if row is None:
        raise NotFound(f"no request {request_id!r}", request_id=request_id)
    return row


def _case(conn: Connection, row: Any) -> wf.Case:
    ev = json.loads(row.evaluation)
    approvals = tuple(
        r[0]
        for r in conn.execute(
            select(request_approvals.c.approver)
            .where(request_approvals.c.request_id == row.id)
            .order_by(request_approvals.c.at)
        )
    )
    return wf.Case(
        id=row.id,
        state=row.state,
        intake_by=row.intake_by,
        outcome=row.outcome,
        eligible_categories=tuple(ev.get("eligible_categories") or ()),
        action=row.action,
        approvals=approvals,
        deadline=datetime.fromisoformat(row.deadline.replace("Z", "+00:00")) if row.deadline else None,
        preservation_until=date.fromisoformat(row.preservation_until) if row.preservation_until else None,
        notice=json.loads(row.notice),
        notified_at=row.notified_at,
    )


def _write_move(conn: Connection, move: wf.Move, *, extra: Mapping[str, Any] | None = None) -> str:
    """Persist one validated move and its audit event in the caller's transaction."""
    ev = record(
        conn,
        type="request.state_changed",
        actor=move.actor,
        subject=f"request:{move.request_id}",
        payload={**move.to_dict(), **dict(extra or {})},
    )
    res = conn.execute(
        update(data_requests)
        .where(data_requests.c.id == move.request_id, data_requests.c.state == move.from_state)
        .values(state=move.to_state, updated_at=ev.time)
    )
    if res.rowcount != 1:
        raise Conflict(f"request {move.request_id} changed meanwhile; retry", request_id=move.request_id)
    conn.execute(
        request_moves.insert().values(
            request_id=move.request_id,
            from_state=move.from_state,
            to_state=move.to_state,
            actor=move.actor,
            reason=move.reason,
            at=ev.time,
            audit_event_id=ev.id,
        )
    )
    return ev.id


def _evaluate_for_store(
    store: Store,
    settings: Settings,
    rules: RequestRules,
    body: Any,
    as_of: date | None,
    context: EvaluationContext | None,
) -> tuple[DataRequest, Evaluation, dict[str, list[str]], EvaluationContext]:
    req = parse_request(body)
    if not req.targets:
        raise InputError(
            "a stored request needs at least one target",
            field="targets",
            expected='[{"type": "customer_id|email|wallet|txid", "value": "..."}]',
        )
    if req.received_at is None:
        req = replace(req, received_at=_now().replace(microsecond=0))
    with store.read() as conn:
        resolved = resolve_targets(conn, req.targets, strict=True)
    ctx = context or evaluation_context(store, settings, req)
    ev = evaluate(req, rules, ctx, _as_of(req, as_of))
    return req, ev, resolved, ctx


def _request_json(req: DataRequest) -> dict[str, Any]:
    body = dict(req.raw)
    if "received_at" not in body and req.received_at is not None:
        body["received_at"] = format_datetime(req.received_at)
    return body


def submit(
    store: Store,
    settings: Settings,
    rules: RequestRules,
    body: Any,
    actor: Principal,
    *,
    as_of: date | None = None,
    context: EvaluationContext | None = None,
) -> dict[str, Any]:
    """Take a request in: resolve its targets (each must match a customer), evaluate, store, and move it
    to `in_review` (or `needs_info`). Bad input raises before anything is written."""
    if not actor.has(*INTAKE_ROLES):
        raise Forbidden("taking a request in needs the legal_intake role", user=actor.user)
    req, ev, resolved, ctx = _evaluate_for_store(store, settings, rules, body, as_of, context)
    rid = f"rq_{uuid.uuid4().hex[:20]}"
    body_json = _request_json(req)
    customer_ids = sorted({c for ids in resolved.values() for c in ids})
    evd = ev.to_dict()
    now = now_iso()
    with store.begin() as conn:
        dec = save_decision(
            conn,
            kind="request_evaluation",
            subject=f"request:{rid}",
            actor=actor.user,
            inputs={"request": body_json, "as_of": ev.as_of.isoformat(), "targets": resolved},
            outputs=evd,
            refs={"rules": list(rules.sources), "route": evd.get("route"), "lists": list(ctx.lists)},
        )
        conn.execute(
            data_requests.insert().values(
                id=rid,
                state="received",
                provider_entity=req.provider_entity or "",
                country=req.requester.country or "",
                instrument_type=req.instrument.type or "",
                received_at=format_datetime(req.received_at) if req.received_at else now,
                intake_by=actor.user,
                request=canonical_json(body_json).decode(),
                request_sha256=sha256_json(body_json),
                evaluation=canonical_json(evd).decode(),
                outcome=ev.outcome,
                action=ev.action
                if ev.action != "none"
                else ("preserve" if req.is_preservation else "disclose"),
                customer_ids=canonical_json(customer_ids).decode(),
                deadline=evd["deadline"],
                preservation_until=evd["preservation_until"],
                notice=canonical_json(evd["user_notice"]).decode(),
                notified_at=None,
                decision_id=dec.id,
                created_at=now,
                updated_at=now,
            )
        )
        record(
            conn,
            type="request.received",
            actor=actor.user,
            subject=f"request:{rid}",
            payload={"request_id": rid, "request_sha256": sha256_json(body_json), "decision_id": dec.id},
        )
        case = _case(conn, _row(conn, rid))
        to = "needs_info" if ev.outcome == "needs_info" else "in_review"
        _, move = wf.advance(case, to, wf.SYSTEM, f"evaluation: {ev.outcome}")
        _write_move(conn, move)
        _commit_for_report(conn, rid)
    return get_request(store, rid)


def resupply(
    store: Store,
    settings: Settings,
    rules: RequestRules,
    request_id: str,
    body: Any,
    actor: Principal,
    *,
    as_of: date | None = None,
) -> dict[str, Any]:
    """Replace a request's content (information supplied, or out-of-band verification done) and
    re-evaluate. Earlier approvals lapse: they approved another content."""
    if not actor.has(*INTAKE_ROLES):
        raise Forbidden("updating a request needs the legal_intake role", user=actor.user)
    req, ev, resolved, _ctx = _evaluate_for_store(store, settings, rules, body, as_of, None)
    body_json = _request_json(req)
    evd = ev.to_dict()
    with store.begin() as conn:
        row = _row(conn, request_id)
        if row.state not in ("needs_info", "in_review"):
            raise Conflict(
                f"request {request_id} is {row.state}: only a request in needs_info or in_review "
                "can be updated",
                request_id=request_id,
                state=row.state,
            )
        dec = save_decision(
            conn,
            kind="request_evaluation",
            subject=f"request:{request_id}",
            actor=actor.user,
            inputs={"request": body_json, "as_of": ev.as_of.isoformat(), "targets": resolved},
            outputs=evd,
            refs={"rules": list(rules.sources), "supersedes": row.decision_id},
        )
        conn.execute(request_approvals.delete().where(request_approvals.c.request_id == request_id))
        conn.execute(
            update(data_requests)
            .where(data_requests.c.id == request_id)
            .values(
                request=canonical_json(body_json).decode(),
                request_sha256=sha256_json(body_json),
                evaluation=canonical_json(evd).decode(),
                outcome=ev.outcome,
                action=ev.action
                if ev.action != "none"
                else ("preserve" if req.is_preservation else "disclose"),
                customer_ids=canonical_json(sorted({c for ids in resolved.values() for c in ids})).decode(),
                deadline=evd["deadline"],
                preservation_until=evd["preservation_until"],
                notice=canonical_json(evd["user_notice"]).decode(),
                decision_id=dec.id,
                updated_at=now_iso(),
            )
        )
        case = _case(conn, _row(conn, request_id))
        to = "needs_info" if ev.outcome == "needs_info" else "in_review"
        if case.state != to:
            _, move = wf.advance(
                case, to, actor if case.state == "needs_info" else wf.SYSTEM, f"re-evaluated: {ev.outcome}"
            )
            _write_move(conn, move)
        else:
            record(
                conn,
                type="request.updated",
                actor=actor.user,
                subject=f"request:{request_id}",
                payload={"request_id": request_id, "decision_id": dec.id, "outcome": ev.outcome},
            )
    return get_request(store, request_id)


def get_request(store: Store, request_id: str) -> dict[str, Any]:
    with store.read() as conn:
        row = _row(conn, request_id)
        moves = [
            dict(r._mapping)
            for r in conn.execute(
                select(request_moves)
                .where(request_moves.c.request_id == request_id)
                .order_by(request_moves.c.seq)
            )
        ]
        approvals = [
            dict(r._mapping)
            for r in conn.execute(
                select(request_approvals)
                .where(request_approvals.c.request_id == request_id)
                .order_by(request_approvals.c.at)
            )
        ]
        prods = [
            {
                "id": r.id,
                "created_at": r.created_at,
                "actor": r.actor,
                "package_sha256": r.package_sha256,
                "key_id": r.key_id,
                "signature": r.signature,
                "manifest": json.loads(r.manifest),
                "decision_id": r.decision_id,
            }
            for r in conn.execute(
                select(request_productions)
                .where(request_productions.c.request_id == request_id)
                .order_by(request_productions.c.created_at)
            )
        ]
    ev = json.loads(row.evaluation)
    return {
        "id": row.id,
        "state": row.state,
        "allowed_moves": list(wf.allowed_moves(row.state)),
        "provider_entity": row.provider_entity,
        "country": row.country,
        "instrument_type": row.instrument_type,
        "received_at": row.received_at,
        "intake_by": row.intake_by,
        "outcome": row.outcome,
        "action": row.action,
        "evaluation": ev,
        "request": json.loads(row.request),
        "customer_ids": json.loads(row.customer_ids),
        "deadline": row.deadline,
        "preservation_until": row.preservation_until,
        "user_notice": {**json.loads(row.notice), "notified_at": row.notified_at},
        "approvals": [{"approver": a["approver"], "at": a["at"], "reason": a["reason"]} for a in approvals],
        "moves": [
            {
                "from": m["from_state"],
                "to": m["to_state"],
                "actor": m["actor"],
                "reason": m["reason"],
                "at": m["at"],
                "audit_event_id": m["audit_event_id"],
            }
            for m in moves
        ],
        "productions": prods,
        "decision_id": row.decision_id,
        "created_at": row.created_at,
        "updated_at": row.updated_at,
    }


def list_requests(store: Store, *, state: str | None = None, limit: int = 200) -> list[dict[str, Any]]:
    if state is not None and state not in wf.STATES:
        raise InputError("unknown state", field="state", expected=" | ".join(wf.STATES), value=state)
    q = (
        select(
            data_requests.c.id,
            data_requests.c.state,
            data_requests.c.outcome,
            data_requests.c.country,
            data_requests.c.instrument_type,
            data_requests.c.received_at,
            data_requests.c.deadline,
            data_requests.c.provider_entity,
        )
        .order_by(data_requests.c.created_at.desc())
        .limit(limit)
    )
    if state:
        q = q.where(data_requests.c.state == state)
    with store.read() as conn:
        return [dict(r._mapping) for r in conn.execute(q)]


def advance(store: Store, request_id: str, to: str, actor: Principal, reason: str) -> dict[str, Any]:
    """One move of the state table (approval goes through `approve`, production through `produce`)."""
    if to == "approved":
        raise Conflict("a request is approved by two approvers: use approve", request_id=request_id)
    if to in ("producing", "produced"):
        raise Conflict("production is started with produce", request_id=request_id)
    with store.begin() as conn:
        case = _case(conn, _row(conn, request_id))
        _, move = wf.advance(case, to, actor, reason)
        _write_move(conn, move)
    return get_request(store, request_id)


def reject(store: Store, request_id: str, actor: Principal, reason: str) -> dict[str, Any]:
    with store.begin() as conn:
        case = _case(conn, _row(conn, request_id))
        _, move = wf.advance(case, "rejected", actor, reason)
        save_decision(
            conn,
            kind="request_rejection",
            subject=f"request:{request_id}",
            actor=actor.user,
            inputs={"request_id": request_id, "reason": reason, "evaluation_outcome": case.outcome},
            outputs={"state": "rejected"},
        )
        _write_move(conn, move)
        _commit_for_report(conn, request_id, outcome="reject")
    return get_request(store, request_id)


def approve(store: Store, request_id: str, actor: Principal, reason: str) -> dict[str, Any]:
    """One approval (four eyes: two distinct approvers, neither the intake author)."""
    with store.begin() as conn:
        case = _case(conn, _row(conn, request_id))
        new, move = wf.approve(case, actor, reason)
        dec = save_decision(
            conn,
            kind="request_approval",
            subject=f"request:{request_id}",
            actor=actor.user,
            inputs={
                "request_id": request_id,
                "approver": actor.user,
                "reason": reason,
                "scope": list(case.eligible_categories),
                "action": case.action,
            },
            outputs={"approvals": list(new.approvals), "state": new.state},
        )
        conn.execute(
            request_approvals.insert().values(
                request_id=request_id,
                approver=actor.user,
                reason=reason.strip(),
                at=now_iso(),
                decision_id=dec.id,
            )
        )
        if move is not None:
            _write_move(conn, move, extra={"approvers": list(new.approvals)})
    return get_request(store, request_id)


def produce(store: Store, request_id: str, actor: Principal, signer: Signer, key_id: str) -> dict[str, Any]:
    """Extract the approved scope, package it (JSON + CSV, manifest of SHA-256, Ed25519 signature) and
    record exactly what left (hashes, not data)."""
    with store.begin() as conn:
        row = _row(conn, request_id)
        case = _case(conn, row)
        case1, m1 = wf.advance(case, "producing", actor, "production started")
        _write_move(conn, m1)
        body = json.loads(row.request)
        req = parse_request(body)
        scope = Scope(
            frozenset(case.eligible_categories), frozenset(json.loads(row.customer_ids)), req.date_range
        )
        records = read_records(conn, scope.customer_ids)
        pid = f"pr_{uuid.uuid4().hex[:20]}"
        meta = {
            "request_id": request_id,
            "production_id": pid,
            "reference": req.instrument.reference,
            "instrument": req.instrument.type,
            "requester": {"agency": req.requester.agency, "country": req.requester.country},
            "provider_entity": req.provider_entity,
            "approvers": list(case.approvals),
            "created_at": now_iso(),
        }
        pkg = build_package(records, scope, meta, signer, key_id)
        summary = pkg.summary()
        dec = save_decision(
            conn,
            kind="request_production",
            subject=f"request:{request_id}",
            actor=actor.user,
            inputs={"request_id": request_id, "scope": scope.to_dict(), "approvers": list(case.approvals)},
            outputs=summary,
            refs={"production_id": pid, "key_id": key_id},
        )
        conn.execute(
            request_productions.insert().values(
                id=pid,
                request_id=request_id,
                created_at=meta["created_at"],
                actor=actor.user,
                manifest=pkg.manifest_bytes.decode(),
                package_sha256=pkg.sha256,
                signature=summary["signature"],
                key_id=key_id,
                package=pkg.zip_bytes,
                decision_id=dec.id,
            )
        )
        record(
            conn,
            type="request.data_exported",
            actor=actor.user,
            subject=f"request:{request_id}",
            payload={"production_id": pid, **summary},
        )
        _, m2 = wf.advance(case1, "produced", wf.SYSTEM, f"package {pkg.sha256[:16]} signed")
        _write_move(conn, m2)
        _commit_for_report(conn, request_id, produced=True)
    return {
        "request_id": request_id,
        "production_id": pid,
        **summary,
        **checkpoint_after_disclosure(store, f"production {pid} of request {request_id}", signer),
    }


def download(store: Store, request_id: str, production_id: str | None = None) -> tuple[str, bytes]:
    with store.read() as conn:
        q = select(request_productions).where(request_productions.c.request_id == request_id)
        if production_id:
            q = q.where(request_productions.c.id == production_id)
        row = conn.execute(q.order_by(request_productions.c.created_at.desc())).first()
    if row is None:
        raise NotFound(f"no production for request {request_id!r}", request_id=request_id)
    return row.id, bytes(row.package)


def deliver(
    store: Store, request_id: str, actor: Principal, reason: str, signer: Signer | None = None
) -> dict[str, Any]:
    """Record delivery, then sign a checkpoint covering it (with `signer`, the provider's key)."""
    with store.begin() as conn:
        row = _row(conn, request_id)
        case = _case(conn, row)
        _, move = wf.advance(case, "delivered", actor, reason)
        prod = conn.execute(
            select(request_productions.c.id, request_productions.c.package_sha256)
            .where(request_productions.c.request_id == request_id)
            .order_by(request_productions.c.created_at.desc())
        ).first()
        _write_move(
            conn,
            move,
            extra={
                "production_id": prod.id if prod else None,
                "package_sha256": prod.package_sha256 if prod else None,
            },
        )
    out = get_request(store, request_id)
    if signer is not None:
        out.update(checkpoint_after_disclosure(store, f"delivery of request {request_id}", signer))
    return out


def checkpoint_after_disclosure(store: Store, reason: str, signer: Signer) -> dict[str, Any]:
    """A signed checkpoint right after data left, so every disclosure is covered by a signed tree head.
    The disclosure is already committed: a failure here is reported with the result, not raised."""
    from rempart.services.proof import checkpoint_now

    try:
        cp = checkpoint_now(store, reason, signer=signer)
    except RempartError as exc:
        return {"checkpoint_error": str(exc)}
    return {"checkpoint": {"id": cp.id, "size": cp.size, "root_hash": cp.root_hash}}


def _commit_for_report(
    conn: Connection, request_id: str, *, produced: bool = False, outcome: str | None = None
) -> None:
    """Commit the request's classification (no personal data) for transparency reports."""
    from rempart.services.transparency import commit_request, facts_from_request

    row = _row(conn, request_id)
    request = json.loads(row.request)
    evaluation = json.loads(row.evaluation) if row.evaluation else None
    accounts = len(json.loads(row.customer_ids)) if produced and row.customer_ids else 0
    commit_request(
        conn,
        facts_from_request(
            request_id, request, evaluation, produced=produced, accounts=accounts, outcome=outcome
        ),
    )


def notify(store: Store, request_id: str, actor: Principal, reason: str) -> dict[str, Any]:
    """Record that the user was notified (refused while a non-disclosure order holds)."""
    if not actor.has(*INTAKE_ROLES):
        raise Forbidden("recording a user notification needs the legal_intake role", user=actor.user)
    now = _now()
    with store.begin() as conn:
        case = _case(conn, _row(conn, request_id))
        status = case.notice.get("status")
        until = case.notice.get("until")
        if status == "withheld" and until and date.fromisoformat(until) >= now.date():
            raise Conflict(f"a non-disclosure order holds until {until}", request_id=request_id)
        if status == "withheld_pending_review" and "lapsed" not in reason.lower():
            raise Conflict(
                "a non-disclosure order without an end date holds: record its lapse in the reason "
                "(e.g. 'order lapsed: court letter of ...')",
                request_id=request_id,
            )
        if case.notified_at:
            raise Conflict(f"the user was already notified on {case.notified_at}", request_id=request_id)
        t = now_iso()
        conn.execute(
            update(data_requests).where(data_requests.c.id == request_id).values(notified_at=t, updated_at=t)
        )
        record(
            conn,
            type="request.user_notified",
            actor=actor.user,
            subject=f"request:{request_id}",
            payload={"request_id": request_id, "reason": reason},
        )
    return get_request(store, request_id)


def due(
    store: Store, *, now: datetime | None = None, horizon: timedelta = timedelta(days=2)
) -> list[dict[str, Any]]:
    """Deadlines, preservation expiries and user notifications due by now + horizon, soonest first."""
    now = now or _now()
    items: list[wf.DueItem] = []
    with store.read() as conn:
        for row in conn.execute(select(data_requests).where(data_requests.c.state != "closed")):
            items.extend(wf.due_items(_case(conn, row), now, horizon))
        for row in conn.execute(
            select(data_requests).where(
                data_requests.c.state == "closed", data_requests.c.notified_at.is_(None)
            )
        ):
            items.extend(wf.due_items(_case(conn, row), now, horizon))
    return [i.to_dict() for i in sorted(items, key=lambda i: i.due)]


def mark_customer(
    store: Store,
    customer_id: str,
    tag: str,
    actor: Principal,
    note: str | None = None,
    *,
    remove: bool = False,
) -> dict[str, Any]:
    """Mark a customer at risk (journalist, activist, opposition, political_donor, ...) or clear a mark."""
    if not actor.has("legal_intake", "approver", "mlro"):
        raise Forbidden("marking customers needs the legal_intake, approver or mlro role", user=actor.user)
    tag = tag.strip().lower()
    if not tag:
        raise InputError("empty tag", field="tag", expected="journalist | activist | opposition | ...")
    with store.begin() as conn:
        from rempart.adapters.storage.tables import customers

        if (
            conn.execute(
                select(customers.c.customer_id).where(customers.c.customer_id == customer_id)
            ).first()
            is None
        ):
            raise NotFound(f"no customer {customer_id!r}", customer_id=customer_id)
        conn.execute(
            customer_risk_marks.delete().where(
                customer_risk_marks.c.customer_id == customer_id, customer_risk_marks.c.tag == tag
            )
        )
        if not remove:
            conn.execute(
                customer_risk_marks.insert().values(
                    customer_id=customer_id, tag=tag, note=note, set_by=actor.user, set_at=now_iso()
                )
            )
        record(
            conn,
            type="customer.risk_mark_" + ("removed" if remove else "set"),
            actor=actor.user,
            subject=f"customer:{customer_id}",
            payload={"customer_id": customer_id, "tag": tag},
        )
    return {"customer_id": customer_id, "tag": tag, "removed": remove}
