"""Group commit: concurrent writers share one transaction, and each still waits for its commit.

Under load, the gate stores many small decisions at once (one audit event and two rows each). One
transaction per decision means one write lock and one commit apiece; on SQLite, several server
processes then queue on the database lock. Here the writes that arrive while a transaction is being
written wait, and the next transaction writes all of them (up to `max_batch`):

* nothing is fire-and-forget: `run(fn)` returns only after the transaction holding `fn`'s writes has
  committed (and raises if it did not), so an acknowledged decision is never lost;
* no background thread: the first caller leads; when its transaction is done it hands the lead to the
  oldest waiting caller, whose batch holds every write queued meanwhile;
* one bad write does not fail the others: when a shared transaction fails, its writes are retried
  one transaction each, and only the failing caller sees the error. A write function must therefore
  only write through the connection it is given (it may run twice; its first run was rolled back).
"""

from __future__ import annotations

import threading
import weakref
from collections import deque
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from rempart.adapters.storage.db import Store

T = TypeVar("T")


class _Job(Generic[T]):
    __slots__ = ("done", "error", "fn", "lead", "value", "written")

    def __init__(self, fn: Callable[[Connection], T]) -> None:
        self.fn = fn
        self.done = threading.Event()
        self.lead = False  # to lead the next batch (the first caller, or woken to, rather than written)
        self.value: T | None = None
        self.error: BaseException | None = None
        self.written = False  # its transaction committed


class GroupCommit:
    """Shared transactions for one store (see the module docstring). Thread-safe."""

    def __init__(self, store: Store, *, max_batch: int = 64) -> None:
        if max_batch < 1:  # a batch must take at least its leader's own write, or no one ever writes
            raise ValueError(f"max_batch must be at least 1, not {max_batch}")
        self._store = weakref.ref(store)  # weakly: `for_store` keys its committers by store
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: deque[_Job[Any]] = deque()
        self._leading = False  # some caller is writing a batch, or has been told to
        self.transactions = 0  # counters, for benchmarks and tests
        self.writes = 0

    @property
    def store(self) -> Store:
        store = self._store()
        if store is None:
            raise RuntimeError("the store of this group committer is gone")
        return store

    @property
    def pending(self) -> int:
        """Writes queued and not yet taken into a transaction."""
        with self._lock:
            return len(self._queue)

    def run(self, fn: Callable[[Connection], T]) -> T:
        """Run `fn(conn)` in a write transaction, possibly shared with other callers; return its
        result once that transaction has committed."""
        job: _Job[T] = _Job(fn)
        with self._lock:
            self._queue.append(job)
            lead = not self._leading
            self._leading = True
            job.lead = lead
        try:
            if not lead:
                job.done.wait()
                job.done.clear()
            if job.lead:
                self._write_batch()
                job.done.wait()  # set when its own batch is done
        except BaseException:  # interrupted before its batch was taken: leave the queue, pass on a lead
            self._abandon(job)
            raise
        if job.error is not None:
            raise job.error
        if not job.written:  # the leader was interrupted (KeyboardInterrupt, SystemExit) before commit
            raise RuntimeError("the write was not committed (its transaction was interrupted)")
        return job.value  # type: ignore[return-value]

    def _abandon(self, job: _Job[Any]) -> None:
        """A queued caller gives up waiting. Its write leaves the queue if no batch has taken it yet
        (a batch that has will still write it; the caller just does not learn the outcome). When it
        had been handed the lead, the lead goes to the next queued caller, or is released: otherwise
        nobody would ever write the queue again."""
        nxt = None
        with self._lock:
            try:
                self._queue.remove(job)
            except ValueError:
                return  # taken into a batch: its leader finishes it and hands on the lead itself
            if job.lead:
                job.lead = False
                nxt = self._queue[0] if self._queue else None
                if nxt is None:
                    self._leading = False
                else:
                    nxt.lead = True
        if nxt is not None:
            nxt.done.set()

    def _write_batch(self) -> None:
        with self._lock:
            batch = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
        try:
            self._write(batch)
        finally:
            with self._lock:
                nxt = self._queue[0] if self._queue else None
                if nxt is None:
                    self._leading = False
                else:
                    nxt.lead = True
            for job in batch:
                job.lead = False
                job.done.set()
            if nxt is not None:
                nxt.done.set()

    def _write(self, batch: list[_Job[Any]]) -> None:
        try:
            with self.store.begin() as conn:
                values = [job.fn(conn) for job in batch]
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            for job in batch:  # alone, so that only the failing write fails
                try:
                    with self.store.begin() as conn:
                        job.value = job.fn(conn)
                    job.written = True
                    self.transactions += 1
                    self.writes += 1
                except Exception as one:
                    job.error = one
            return
        for job, value in zip(batch, values, strict=True):
            job.value, job.written = value, True
        self.transactions += 1
        self.writes += len(batch)


_COMMITTERS: weakref.WeakKeyDictionary[Store, GroupCommit] = weakref.WeakKeyDictionary()
_COMMITTERS_LOCK = threading.Lock()


def for_store(store: Store) -> GroupCommit:
    """The group committer of `store` (one per store object, so per process; it goes with the store)."""
    with _COMMITTERS_LOCK:
        gc = _COMMITTERS.get(store)
        if gc is None:
            gc = _COMMITTERS[store] = GroupCommit(store)
        return gc
