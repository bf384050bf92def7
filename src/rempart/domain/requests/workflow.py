"""The request workflow: one explicit state table and one `advance()` that validates every move.

Pure: `advance()` and `approve()` take the current `Case` and return the new one with the `Move` to
record; the service writes both, with the audit event, in one transaction. Approval of a disclosure
needs two distinct users holding the approver role, neither of them the intake author.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from rempart.domain.principals import Principal
from rempart.errors import Conflict, Forbidden, InputError

STATES = (
    "received",
    "needs_info",
    "in_review",
    "approved",
    "rejected",
    "preserved",
    "producing",
    "produced",
    "delivered",
    "closed",
)

# (from, to) -> roles allowed to make the move ("system" moves are made by the service itself).
TRANSITIONS: Mapping[tuple[str, str], frozenset[str]] = {
    ("received", "in_review"): frozenset({"system", "legal_intake"}),
    ("received", "needs_info"): frozenset({"system", "legal_intake"}),
    ("needs_info", "in_review"): frozenset({"system", "legal_intake"}),
    ("needs_info", "rejected"): frozenset({"approver"}),
    ("needs_info", "closed"): frozenset({"legal_intake", "approver"}),
    ("in_review", "needs_info"): frozenset({"legal_intake", "approver"}),
    ("in_review", "approved"): frozenset({"approver"}),  # only through approve(): two approvers
    ("in_review", "rejected"): frozenset({"approver"}),
    ("in_review", "preserved"): frozenset({"approver"}),
    ("preserved", "in_review"): frozenset({"legal_intake", "approver"}),  # a production order follows
    ("preserved", "closed"): frozenset({"legal_intake", "approver", "system"}),
    ("approved", "producing"): frozenset({"legal_intake", "approver"}),
    ("approved", "rejected"): frozenset({"approver"}),
    ("producing", "produced"): frozenset({"system"}),
    ("producing", "approved"): frozenset({"system"}),  # a failed production returns the case
    ("produced", "delivered"): frozenset({"legal_intake", "approver"}),
    ("delivered", "closed"): frozenset({"legal_intake", "approver"}),
    ("rejected", "closed"): frozenset({"legal_intake", "approver", "system"}),
}

OPEN_STATES = frozenset({"received", "needs_info", "in_review", "approved", "producing", "produced"})
REQUIRED_APPROVALS = 2
SYSTEM = Principal("system", frozenset({"system"}))


@dataclass(frozen=True)
class Case:
    """The workflow state of one stored request."""

    id: str
    state: str
    intake_by: str
    outcome: str  # of the evaluation
    eligible_categories: tuple[str, ...]
    action: str  # disclose | preserve | none
    approvals: tuple[str, ...] = ()
    deadline: datetime | None = None
    preservation_until: date | None = None
    notice: Mapping[str, Any] = field(default_factory=dict)
    notified_at: str | None = None


@dataclass(frozen=True)
class Move:
    request_id: str
    from_state: str
    to_state: str
    actor: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "from": self.from_state,
            "to": self.to_state,
            "actor": self.actor,
            "reason": self.reason,
        }


def allowed_moves(state: str) -> tuple[str, ...]:
    return tuple(to for (frm, to) in TRANSITIONS if frm == state)


def advance(case: Case, to: str, actor: Principal, reason: str) -> tuple[Case, Move]:
    """Validate one move of the state table; return the case in its new state and the move to record."""
    if to not in STATES:
        raise InputError("unknown state", field="to", expected=" | ".join(STATES), value=to)
    roles = TRANSITIONS.get((case.state, to))
    if roles is None:
        raise Conflict(
            f"request {case.id} cannot move from {case.state} to {to}",
            request_id=case.id,
            state=case.state,
            allowed=list(allowed_moves(case.state)),
        )
    human_roles = roles - {"system"}
    if not (actor.roles & roles or ("admin" in actor.roles and human_roles)):
        raise Forbidden(
            f"moving a request from {case.state} to {to} needs one of the roles: {', '.join(sorted(roles))}",
            user=actor.user,
        )
    if not reason or not reason.strip():
        raise InputError("a reason is required for every move", field="reason", expected="a non-empty reason")
    if to == "approved" and case.state == "in_review" and len(set(case.approvals)) < REQUIRED_APPROVALS:
        raise Forbidden(
            f"a disclosure needs {REQUIRED_APPROVALS} distinct approvers; {len(set(case.approvals))} so far",
            request_id=case.id,
        )
    if to == "preserved" and case.action != "preserve":
        raise Conflict("only a preservation request can be preserved", request_id=case.id, action=case.action)
    if to == "producing" and case.action != "disclose":
        raise Conflict("nothing to produce: the approved action is not a disclosure", request_id=case.id)
    return replace(case, state=to), Move(case.id, case.state, to, actor.user, reason.strip())


def approve(case: Case, actor: Principal, reason: str) -> tuple[Case, Move | None]:
    """Record one approval (four eyes). The second distinct approval moves the case to `approved`.

    For a preservation request a single approval preserves (preservation discloses nothing).
    """
    if not actor.has("approver"):
        raise Forbidden("approving needs the approver role", user=actor.user)
    if case.state != "in_review":
        raise Conflict(
            f"request {case.id} is {case.state}, not in_review", request_id=case.id, state=case.state
        )
    if actor.user == case.intake_by:
        raise Forbidden("the intake author may not approve their own request", user=actor.user)
    if actor.user in case.approvals:
        raise Conflict(f"{actor.user} has already approved request {case.id}", user=actor.user)
    if case.outcome in ("reject", "needs_info"):
        raise Conflict(f"the evaluation says {case.outcome}: nothing to approve", request_id=case.id)
    if not case.eligible_categories:
        raise Conflict("no category is eligible for disclosure", request_id=case.id)
    if not reason or not reason.strip():
        raise InputError("an approval needs a reason", field="reason", expected="a non-empty reason")
    if case.action == "preserve":
        new = replace(case, approvals=(*case.approvals, actor.user))
        return advance(new, "preserved", actor, reason)
    new = replace(case, approvals=(*case.approvals, actor.user))
    if len(set(new.approvals)) >= REQUIRED_APPROVALS:
        return advance(new, "approved", actor, reason)
    return new, None


# --- what falls due ------------------------------------------------------------------------------


@dataclass(frozen=True)
class DueItem:
    request_id: str
    kind: str  # deadline | preservation_expiry | user_notification | non_disclosure_review
    due: str
    state: str
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "request_id": self.request_id,
            "kind": self.kind,
            "due": self.due,
            "state": self.state,
            "detail": self.detail,
        }


def due_items(case: Case, now: datetime, horizon: timedelta = timedelta(days=2)) -> list[DueItem]:
    """Deadlines, preservation expiries and user notifications due by `now + horizon`."""
    out: list[DueItem] = []
    limit = now + horizon
    if case.deadline is not None and case.state in OPEN_STATES and case.deadline <= limit:
        overdue = " (overdue)" if case.deadline <= now else ""
        out.append(
            DueItem(
                case.id, "deadline", case.deadline.isoformat(), case.state, f"production deadline{overdue}"
            )
        )
    if (
        case.preservation_until is not None
        and case.state == "preserved"
        and case.preservation_until <= limit.date()
    ):
        out.append(
            DueItem(
                case.id,
                "preservation_expiry",
                case.preservation_until.isoformat(),
                case.state,
                "preservation lapses unless a production order confirms it",
            )
        )
    if case.state in ("delivered", "closed") and case.notified_at is None:
        status = case.notice.get("status")
        until = case.notice.get("until")
        review = case.notice.get("review_at")
        today = now.date()
        if status == "withheld" and until and date.fromisoformat(until) < today:
            out.append(
                DueItem(
                    case.id,
                    "user_notification",
                    until,
                    case.state,
                    "the non-disclosure order lapsed: notify the user",
                )
            )
        elif status == "withheld_pending_review" and review and date.fromisoformat(review) <= limit.date():
            out.append(
                DueItem(
                    case.id,
                    "non_disclosure_review",
                    review,
                    case.state,
                    "non-disclosure order without an end: review it; notify the user if it lapsed",
                )
            )
        elif status in ("due_on_disclosure", "due_after_emergency", "lapsed"):
            out.append(
                DueItem(
                    case.id,
                    "user_notification",
                    today.isoformat(),
                    case.state,
                    "data delivered and no non-disclosure order: notify the user",
                )
            )
    return out
