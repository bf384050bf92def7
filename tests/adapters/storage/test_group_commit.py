"""Group commit: concurrent writes share transactions, each caller returns after its own commit, and
one failing write fails only its caller (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import Connection, func, select

from rempart.adapters.storage import group_commit
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import (
    PreparedDecision,
    get_decision,
    prepare_decision,
    write_decision,
)
from rempart.adapters.storage.group_commit import GroupCommit, for_store
from rempart.adapters.storage.tables import audit_events, decisions
from rempart.services import audit


def _prepared(i: int) -> PreparedDecision:
    return prepare_decision(
        kind="restriction",
        subject=f"customer:c{i}",
        inputs={"facts": {"customer": {"id": f"c{i}"}}, "n": i},
        outputs={"outcome": "allow", "n": i},
        refs={"i": i},
        actor="tester",
    )


def _writer(p: PreparedDecision) -> Callable[[Connection], str]:
    return lambda conn: write_decision(conn, p).id


def _wait_until(cond: Callable[[], bool], timeout: float = 20) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.005)


def test_queued_writes_share_one_transaction_and_all_commit(store: Store) -> None:
    gc = GroupCommit(store)
    started, gate = threading.Event(), threading.Event()
    first = _prepared(0)

    def blocked(conn: Connection) -> str:
        started.set()
        gate.wait(20)  # holds the first transaction open while the others queue
        return write_decision(conn, first).id

    others = [_prepared(i) for i in range(1, 9)]
    with ThreadPoolExecutor(9) as pool:
        f0 = pool.submit(gc.run, blocked)
        assert started.wait(20)
        futures = [pool.submit(gc.run, _writer(p)) for p in others]
        _wait_until(lambda: gc.pending == len(others))
        gate.set()
        ids = [f0.result(timeout=30)] + [f.result(timeout=30) for f in futures]
    assert ids == [first.id] + [p.id for p in others]
    assert gc.writes == 9 and gc.transactions == 2  # the first alone, then the eight queued together
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 9
        for p in [first, *others]:
            assert get_decision(conn, p.id).outputs["n"] == p.outputs["n"]
        count, breaks = audit.verify(conn)
    assert count == 9 and breaks == []


def test_a_failing_write_fails_only_its_caller(store: Store) -> None:
    gc = GroupCommit(store)
    started, gate = threading.Event(), threading.Event()
    good = [_prepared(i) for i in range(4)]

    def blocked(conn: Connection) -> str:
        started.set()
        gate.wait(20)
        return write_decision(conn, good[0]).id

    def bad(conn: Connection) -> str:
        write_decision(conn, _prepared(99))  # written, then the whole function fails
        raise ValueError("refused")

    with ThreadPoolExecutor(6) as pool:
        f0 = pool.submit(gc.run, blocked)
        assert started.wait(20)
        rest = [pool.submit(gc.run, _writer(p)) for p in good[1:3]]
        _wait_until(lambda: gc.pending == 2)
        failing = pool.submit(gc.run, bad)
        _wait_until(lambda: gc.pending == 3)
        rest.append(pool.submit(gc.run, _writer(good[3])))
        _wait_until(lambda: gc.pending == 4)
        gate.set()
        assert f0.result(timeout=30) == good[0].id
        assert [f.result(timeout=30) for f in rest] == [p.id for p in good[1:]]
        with pytest.raises(ValueError, match="refused"):
            failing.result(timeout=30)
    with store.read() as conn:
        subjects = set(conn.execute(select(decisions.c.subject)).scalars())
        assert subjects == {f"customer:c{i}" for i in range(4)}  # not c99: its write was rolled back
        assert conn.execute(select(func.count()).select_from(audit_events)).scalar() == 4
        count, breaks = audit.verify(conn)
    assert count == 4 and breaks == []


def test_many_threads_each_get_their_own_committed_result(store: Store) -> None:
    gc = for_store(store)
    assert for_store(store) is gc
    prepared = [_prepared(i) for i in range(40)]
    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(lambda p: gc.run(_writer(p)), prepared))
    assert ids == [p.id for p in prepared]
    assert gc.writes == 40 and 1 <= gc.transactions <= 40
    with store.read() as conn:
        assert conn.execute(select(func.count()).select_from(decisions)).scalar() == 40
        count, breaks = audit.verify(conn)
    assert count == 40 and breaks == []


# ---------------------------------------------------------------- a waiting caller interrupted


class _Interrupted(BaseException):
    """Stands for what may interrupt a waiting thread (KeyboardInterrupt, SystemExit)."""


def _in_daemon_thread(fn: Callable[[], str]) -> Future[str]:
    """Run `fn` in a daemon thread: a regression leaves a caller waiting forever, and must fail the
    test rather than hang the run at exit (as a pool's worker would)."""
    fut: Future[str] = Future()

    def target() -> None:
        try:
            fut.set_result(fn())
        except BaseException as exc:
            fut.set_exception(exc)

    threading.Thread(target=target, daemon=True).start()
    return fut


def _interrupt_waiting(
    monkeypatch: pytest.MonkeyPatch, victim: Callable[[Connection], str], done: type[threading.Event]
) -> None:
    """The caller running `victim` waits on an event of class `done`."""
    original = group_commit._Job

    class Job(original):  # type: ignore[valid-type,misc]
        def __init__(self, fn: Callable[[Connection], Any]) -> None:
            super().__init__(fn)
            if fn is victim:
                self.done = done()

    monkeypatch.setattr(group_commit, "_Job", Job)


def _blocking_first(gc: GroupCommit, p: PreparedDecision) -> tuple[Future[str], threading.Event]:
    started, gate = threading.Event(), threading.Event()

    def blocked(conn: Connection) -> str:
        started.set()
        gate.wait(30)
        return write_decision(conn, p).id

    f = _in_daemon_thread(lambda: gc.run(blocked))
    assert started.wait(30)
    return f, gate


def _committed_subjects(store: Store) -> set[str]:
    with store.read() as conn:
        _count, breaks = audit.verify(conn)
        assert breaks == []
        return set(conn.execute(select(decisions.c.subject)).scalars())


def test_a_caller_interrupted_when_handed_the_lead_passes_it_on(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    class WakesInterrupted(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            super().wait(timeout)  # woken (here: to lead the next batch), then interrupted
            raise _Interrupted

    gc = GroupCommit(store)
    first, victim_p, after = _prepared(0), _prepared(1), _prepared(2)
    victim = _writer(victim_p)
    _interrupt_waiting(monkeypatch, victim, WakesInterrupted)
    f0, gate = _blocking_first(gc, first)
    fv = _in_daemon_thread(lambda: gc.run(victim))
    _wait_until(lambda: gc.pending == 1)
    fa = _in_daemon_thread(lambda: gc.run(_writer(after)))
    _wait_until(lambda: gc.pending == 2)
    gate.set()
    assert f0.result(timeout=30) == first.id
    with pytest.raises(_Interrupted):
        fv.result(timeout=30)
    assert fa.result(timeout=30) == after.id  # the lead was passed on: the queue is written
    later = _prepared(3)
    assert gc.run(_writer(later)) == later.id  # and the committer is not left "leading" forever
    assert _committed_subjects(store) == {"customer:c0", "customer:c2", "customer:c3"}


def test_a_caller_interrupted_while_queued_leaves_the_queue(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    interrupt = threading.Event()

    class InterruptedWhileWaiting(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            interrupt.wait(30)  # still queued behind the running batch when interrupted
            raise _Interrupted

    gc = GroupCommit(store)
    first, victim_p, after = _prepared(0), _prepared(1), _prepared(2)
    victim = _writer(victim_p)
    _interrupt_waiting(monkeypatch, victim, InterruptedWhileWaiting)
    f0, gate = _blocking_first(gc, first)
    fv = _in_daemon_thread(lambda: gc.run(victim))
    _wait_until(lambda: gc.pending == 1)
    fa = _in_daemon_thread(lambda: gc.run(_writer(after)))
    _wait_until(lambda: gc.pending == 2)
    interrupt.set()
    with pytest.raises(_Interrupted):
        fv.result(timeout=30)
    assert gc.pending == 1  # the interrupted write left the queue: nobody will be handed it
    gate.set()
    assert f0.result(timeout=30) == first.id
    assert fa.result(timeout=30) == after.id
    assert _committed_subjects(store) == {"customer:c0", "customer:c2"}


def test_a_batch_must_hold_at_least_one_write(store: Store) -> None:
    with pytest.raises(ValueError, match="max_batch"):
        GroupCommit(store, max_batch=0)
