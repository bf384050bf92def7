"""The real-time gate in-process: latency of `check_customer` for a stored customer.

    .venv/bin/python -m benchmarks.restrictions.run gate --customers 100000
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

from benchmarks.restrictions.common import AS_OF, RULES, build_store, customer_id, latency, load, timed
from rempart.adapters.storage.db import Store
from rempart.services import restrictions as svc

ACTIONS = (("hold", None, None), ("deposit", "BTC", "0.01"), ("withdraw", "ETH", "0.5"), ("trade", None, None),
           ("transfer_out", "USDT", "100"))


def measure(store: Store, customers: int, calls: int, *, record: bool, seed: int = 11) -> list[float]:
    rules = svc.load_rules(RULES)
    rng = random.Random(seed)
    out: list[float] = []
    for _ in range(calls):
        cid = customer_id(rng.randrange(customers))
        action, asset, amount = rng.choice(ACTIONS)
        out.append(timed(lambda: svc.check_customer(  # noqa: B023 - called at once
            store, rules, customer_id=cid, action=action, asset=asset, amount=amount, as_of=AS_OF,
            record=record)))
    return out


def run(customers: int = 100_000, rows_per_customer: int = 5, calls: int = 3_000, work: Path | None = None) -> None:
    work = work or Path(tempfile.mkdtemp(prefix="rempart-gate-"))
    t = time.perf_counter()
    store = build_store(work, customers, rows_per_customer)
    print(f"store: {customers:,} customers, {customers * rows_per_customer:,} balance rows, SQLite "
          f"({time.perf_counter() - t:.1f} s to build)")
    try:
        measure(store, customers, 300, record=False)  # warm-up: rules, caches, connection pool
        print(f"check, decision not stored:  {latency(measure(store, customers, calls, record=False)).line()}  "
              f"[{load()}]")
        measure(store, customers, 50, record=True)
        print(f"check, decision stored:      {latency(measure(store, customers, calls // 3, record=True)).line()}"
              f"  [{load()}]")
    finally:
        store.dispose()
