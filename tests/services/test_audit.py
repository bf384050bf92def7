"""The audit chain's head under concurrent appends (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future

from sqlalchemy import text

from rempart.adapters.storage.db import Store
from rempart.domain.audit import AuditEvent
from rempart.services import audit


def _wait_until_blocked(store: Store, pid: int) -> None:
    """Until PostgreSQL backend `pid` waits on a lock (a loop with a generous guard, not a timing)."""
    end = time.monotonic() + 30
    while True:
        with store.read() as conn:
            wait = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
        if wait == "Lock":
            return
        if time.monotonic() > end:
            raise AssertionError(f"backend {pid} never waited on a lock (waits on {wait!r})")
        time.sleep(0.01)


def test_the_first_appends_of_concurrent_transactions_chain_onto_one_head(store: Store) -> None:
    """Both find no head row yet: the second must wait for the first and chain onto it, not fail on
    the head's primary key (PostgreSQL) or fork the chain."""
    pid: Future[int] = Future()
    second: Future[AuditEvent] = Future()

    def append_second() -> None:
        try:
            with store.begin() as conn:
                if store.dialect == "postgresql":
                    pid.set_result(int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one()))
                ev = audit.record(conn, type="t", actor="b", subject="s:2", payload={"n": 2})
        except BaseException as exc:
            second.set_exception(exc)
        else:
            second.set_result(ev)  # once committed

    with store.begin() as conn:
        first = audit.record(conn, type="t", actor="a", subject="s:1", payload={"n": 1})
        threading.Thread(target=append_second, daemon=True).start()
        if store.dialect == "postgresql":  # the second reads no head and waits on the first's insert
            _wait_until_blocked(store, pid.result(timeout=30))
    ev = second.result(timeout=60)
    assert (first.seq, ev.seq) == (1, 2)
    assert ev.prev_hash == first.hash
    with store.read() as conn:
        count, breaks = audit.verify(conn)
    assert count == 2 and breaks == []
