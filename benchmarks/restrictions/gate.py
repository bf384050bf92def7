"""The real-time gate in-process: latency of `check_customer` for a stored customer.

.venv/bin/python -m benchmarks.restrictions.run gate --customers 100000
"""

from __future__ import annotations

import random
import time
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


def run_on(db: Path, customers: int, *, calls: int = 3_000) -> None:
    """Time `check_customer` on the SQLite store at `db` (built by `common.build_store`)."""
    store = Store.open(f"sqlite:///{db}")
    try:
        measure(store, customers, 300, record=False)  # warm-up: rules, caches, connection pool
        for label, record, n in (
            ("decision not stored", False, calls),
            ("decision stored", True, calls // 3),
        ):
            wall, cpu = measure(store, customers, n, record=record)
            print(
                f"gate check_customer in-process, {label}:\n  wall {latency(wall).line()}\n"
                f"  cpu  {latency(cpu).line()}\n  [{load()}]"
            )
    finally:
        store.dispose()
