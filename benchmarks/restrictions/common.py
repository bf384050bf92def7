"""Shared helpers of the restriction benchmarks: a fictional stored base, timing, machine load."""

from __future__ import annotations

import os
import random
import resource
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from rempart.adapters.storage.db import Store
from rempart.services import provider

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rules"
ASSETS = (("BTC", "25000.00"), ("ETH", "1800.50"), ("USDT", "0.9312"), ("SOL", "21.37"), ("EUR", None))
AS_OF = "2022-06-01"


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def cpu_seconds() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@dataclass(frozen=True)
class Latency:
    n: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    mean_ms: float

    def line(self) -> str:
        return (
            f"n={self.n} p50 {self.p50_ms:.3f} ms  p90 {self.p90_ms:.3f} ms  p99 {self.p99_ms:.3f} ms  "
            f"max {self.max_ms:.3f} ms  mean {self.mean_ms:.3f} ms"
        )


def latency(samples_s: list[float]) -> Latency:
    ms = sorted(s * 1000 for s in samples_s)
    q = statistics.quantiles(ms, n=100, method="inclusive")
    return Latency(len(ms), q[49], q[89], q[98], ms[-1], statistics.fmean(ms))


def timed(fn: Callable[[], object]) -> float:
    t = time.perf_counter()
    fn()
    return time.perf_counter() - t


def customer_id(i: int) -> str:
    return f"cu{i:07d}"


def build_store(path: Path, customers: int, rows_per_customer: int, *, seed: int = 7) -> Store:
    """A SQLite store with `customers` fictional customers, their balances and prices (imported the normal way)."""
    rng = random.Random(seed)
    path.mkdir(parents=True, exist_ok=True)
    db = path / "rempart.db"
    if db.exists():
        db.unlink()
    store = Store.open(f"sqlite:///{db}")
    header = (
        "customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,"
        "establishment_country,registration_number,email,wallets,created_at\n"
    )
    nats = ("RU", "RU;DE", "BY", "FR", "DE", "UA", "RU;NO", "IT", "")
    ress = ("RU", "DE", "FR", "BY", "CY", "")
    with (path / "customers.csv").open("w", encoding="utf-8") as f:
        f.write(header)
        for i in range(customers):
            cid = customer_id(i)
            if rng.random() < 0.1:
                f.write(
                    f"{cid},company,Example {i} Ltd,,,,,,{rng.choice(('RU', 'CY', 'DE'))},R{i},"
                    f"c{i}@example.com,,2022-01-01\n"
                )
                continue
            permit = rng.choice(("", "", "", "DE:temporary:2023-01-31", "CH:permanent:", "NO:temporary:"))
            f.write(
                f"{cid},person,Person {i} Example,,1980-01-01,{rng.choice(nats)},{rng.choice(ress)},{permit},,,"
                f"p{i}@example.com,,2022-01-01\n"
            )
    with (path / "balances.csv").open("w", encoding="utf-8") as f:
        f.write("customer_id,account_id,asset,amount\n")
        for i in range(customers):
            for j in range(rows_per_customer):
                asset = ASSETS[j % len(ASSETS)][0]
                f.write(f"{customer_id(i)},a{j % 2},{asset},{rng.randrange(0, 50_000_000) / 1e8 * 10:.8f}\n")
    with (path / "prices.csv").open("w", encoding="utf-8") as f:
        f.write("asset,price_eur,as_of,source\n")
        for day in ("2022-05-01", "2022-05-15", "2022-05-31"):
            for asset, price in ASSETS:
                if price is not None:
                    f.write(f"{asset},{price},{day}T00:00:00Z,example-feed\n")
    provider.import_customers(store, path / "customers.csv")
    provider.import_balances(store, path / "balances.csv", as_of=AS_OF)
    provider.import_prices(store, path / "prices.csv")
    return store
