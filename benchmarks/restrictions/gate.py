"""The real-time gate in-process: latency of `check_customer` for a stored customer.

.venv/bin/python -m benchmarks.restrictions.run gate --customers 100000
"""

from __future__ import annotations

import random
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from benchmarks.restrictions.common import AS_OF, RULES, customer_id, latency, load
from rempart.adapters.storage.db import Store
from rempart.services import restrictions as svc

ACTIONS = (
    ("hold", None, None),
    ("deposit", "BTC", "0.01"),
    ("withdraw", "ETH", "0.5"),
    ("trade", None, None),
    ("transfer_out", "USDT", "100"),
)


def measure(
    store: Store, customers: int, calls: int, *, record: bool, seed: int = 11
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU (this thread) seconds per call; on a loaded machine the CPU time shows the
    work of one check without the time spent waiting for a core."""
    rules = svc.load_rules(RULES)
    rng = random.Random(seed)
    wall: list[float] = []
    cpu: list[float] = []
    for _ in range(calls):
        cid = customer_id(rng.randrange(customers))
        action, asset, amount = rng.choice(ACTIONS)
        c0, t0 = time.thread_time(), time.perf_counter()
        svc.check_customer(
            store,
            rules,
            customer_id=cid,
            action=action,
            asset=asset,
            amount=amount,
            as_of=AS_OF,
            record=record,
        )
        wall.append(time.perf_counter() - t0)
        cpu.append(time.thread_time() - c0)
    return wall, cpu


def concurrent_stored(store: Store, customers: int, calls: int, threads: int = 8) -> str:
    """Stored checks from `threads` threads at once (as the HTTP server's thread pool makes them): the
    hashing runs in parallel with other checks' writes, and the writes share transactions."""
    from rempart.adapters.storage.group_commit import for_store

    rules = svc.load_rules(RULES)
    gc = for_store(store)
    tx0, w0 = gc.transactions, gc.writes

    def one(i: int) -> None:
        rng = random.Random(i)
        action, asset, amount = rng.choice(ACTIONS)
        svc.check_customer(
            store,
            rules,
            customer_id=customer_id(rng.randrange(customers)),
            action=action,
            asset=asset,
            amount=amount,
            as_of=AS_OF,
        )

    c0, t0 = time.process_time(), time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(one, range(calls)))
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    return (
        f"gate check_customer in-process, decision stored, {threads} threads: {calls / wall:,.0f} checks/s, "
        f"CPU {cpu * 1000 / calls:.2f} ms per check; {gc.writes - w0:,} decisions in "
        f"{gc.transactions - tx0:,} transactions (group commit)\n  [{load()}]"
    )


def run_on(db: Path, customers: int, *, calls: int = 3_000) -> None:
    """Time `check_customer` on the SQLite store at `db` (built by `common.build_store`)."""
    store = Store.open(f"sqlite:///{db}")
    try:
        measure(store, customers, 300, record=False)  # warm-up: rules, caches, connection pool
        for label, record, n in (
            ('decision not stored ("record": false)', False, calls),
            ("decision stored (the default: decision + audit event committed)", True, calls // 3),
        ):
            wall, cpu = measure(store, customers, n, record=record)
            print(
                f"gate check_customer in-process, {label}:\n  wall {latency(wall).line()}\n"
                f"  cpu  {latency(cpu).line()}\n  [{load()}]"
            )
        print(concurrent_stored(store, customers, calls // 3))
    finally:
        store.dispose()
