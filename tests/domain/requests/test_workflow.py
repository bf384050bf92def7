"""The state table and the four-eyes rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from rempart.domain.principals import Principal
from rempart.domain.requests import workflow as wf
from rempart.errors import Conflict, Forbidden, InputError

INTAKE = Principal("ines", frozenset({"legal_intake"}))
A1 = Principal("alice", frozenset({"approver"}))
A2 = Principal("bob", frozenset({"approver"}))
SELF = Principal("ines", frozenset({"legal_intake", "approver"}))


def case(**kw: object) -> wf.Case:
    base: dict[str, object] = dict(
        id="rq1",
        state="in_review",
        intake_by="ines",
        outcome="accept",
        eligible_categories=("subscriber",),
        action="disclose",
    )
    base.update(kw)
    return wf.Case(**base)  # type: ignore[arg-type]


def test_every_state_is_in_the_table() -> None:
    states = {s for pair in wf.TRANSITIONS for s in pair}
    assert states == set(wf.STATES)


def test_two_distinct_approvers_neither_the_intake_author() -> None:
    c = case()
    with pytest.raises(Forbidden):
        wf.approve(c, SELF, "mine")
    with pytest.raises(Forbidden):
        wf.approve(c, INTAKE, "not an approver")
    c1, move = wf.approve(c, A1, "ok")
    assert move is None and c1.state == "in_review"
    with pytest.raises(Conflict):
        wf.approve(c1, A1, "twice")
    with pytest.raises(Forbidden):
        wf.advance(c1, "approved", A1, "one approval only")
    c2, move = wf.approve(c1, A2, "ok too")
    assert c2.state == "approved" and move is not None and move.to_state == "approved"


def test_invalid_moves() -> None:
    with pytest.raises(Conflict):
        wf.advance(case(), "delivered", A1, "skip")
    with pytest.raises(InputError):
        wf.advance(case(), "nowhere", A1, "x")
    with pytest.raises(InputError):
        wf.advance(case(), "rejected", A1, " ")
    with pytest.raises(Forbidden):
        wf.advance(case(), "rejected", INTAKE, "intake may not reject")
    with pytest.raises(Forbidden):
        wf.advance(case(state="producing"), "produced", A1, "only the system")
    with pytest.raises(Conflict):
        wf.approve(case(outcome="reject"), A1, "no")


def test_preservation_needs_one_approval() -> None:
    c, move = wf.approve(case(action="preserve"), A1, "preserve")
    assert c.state == "preserved" and move is not None


def test_due_items() -> None:
    now = datetime(2026, 9, 10, 12, tzinfo=UTC)
    c = case(deadline=datetime(2026, 9, 11, 10, tzinfo=UTC))
    assert [i.kind for i in wf.due_items(c, now)] == ["deadline"]
    p = case(state="preserved", action="preserve", preservation_until=date(2026, 9, 11))
    assert [i.kind for i in wf.due_items(p, now)] == ["preservation_expiry"]
    gag = case(state="delivered", notice={"status": "withheld", "until": "2026-09-01"})
    assert [i.kind for i in wf.due_items(gag, now)] == ["user_notification"]
    holding = case(state="delivered", notice={"status": "withheld", "until": "2026-12-01"})
    assert wf.due_items(holding, now) == []
    review = case(state="delivered", notice={"status": "withheld_pending_review", "review_at": "2026-09-11"})
    assert [i.kind for i in wf.due_items(review, now)] == ["non_disclosure_review"]
    assert wf.due_items(review, now - timedelta(days=30)) == []
