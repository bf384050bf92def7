"""Shared by the screening benchmarks: a store holding every real list, the service, fixtures."""

from __future__ import annotations

import csv
import os
import random
import resource
from collections.abc import Iterator
from pathlib import Path

from rempart.adapters.shared_data import CATALOGUE
from rempart.adapters.storage.db import Store
from rempart.services.lists import import_files
from rempart.services.screening import ScreeningService
from rempart.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(os.environ.get("REMPART_DATA_DIR", ROOT / ".." / "shared" / "data")).resolve()
WORK = Path(os.environ.get("REMPART_BENCH_DIR", Path.home() / ".cache" / "rempart-bench-screening"))
FIXTURES = DATA / "screening_fixtures_yente"


def peak_rss_mb() -> float:
    """Peak resident memory of this process (and, separately, of its finished children)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def children_peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def bench_db_url() -> str:
    """A SQLite store with every real list imported (built once, reused by every benchmark)."""
    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / "lists.db"
    url = f"sqlite:///{path}"
    marker = WORK / "lists.done"
    if not marker.exists():
        if path.exists():
            path.unlink()
        store = Store.open(url)
        for entry in CATALOGUE:
            paths = entry.paths(DATA)
            if paths:
                import_files(store, paths, entry.source, list_name=entry.list_name)
        store.dispose()
        marker.write_text("ok")
    return url


CACHE = WORK / "screener-cache"


def service(url: str | None = None) -> ScreeningService:
    store = Store.open(url or bench_db_url())
    return ScreeningService(
        store, threshold=Settings().screening_threshold, check_interval=3600, cache_dir=CACHE
    )


def rempart_env() -> dict[str, str]:
    """Environment for `rempart` subprocesses: the same screener cache as the in-process benchmarks."""
    return {**os.environ, "REMPART_CACHE_DIR": str(CACHE)}


def faker_names() -> dict[str, dict[str, list[str]]]:
    """locale -> field (first_names, last_names, ...) -> names, from the Faker name lists."""
    out: dict[str, dict[str, list[str]]] = {}
    with (DATA / "person_names_by_locale_faker" / "faker_person_names_by_locale.csv").open(
        encoding="utf-8"
    ) as f:
        for row in csv.DictReader(f):
            out.setdefault(row["locale"], {}).setdefault(row["field"], []).append(row["name"])
    return out


def generate_customers(n: int, seed: int = 1) -> Iterator[dict[str, str]]:
    """`n` made-up person customers with names drawn per locale from the Faker lists."""
    rng = random.Random(seed)
    names = faker_names()
    pools = []
    for fields in names.values():
        firsts = [
            *fields.get("first_names", []),
            *fields.get("first_names_male", []),
            *fields.get("first_names_female", []),
        ]
        lasts = fields.get("last_names", [])
        if firsts and lasts:
            pools.append((firsts, lasts))
    countries = [
        "DE",
        "FR",
        "GB",
        "US",
        "RU",
        "UA",
        "CN",
        "IN",
        "BR",
        "TR",
        "IR",
        "AE",
        "NG",
        "ES",
        "IT",
        "PL",
    ]
    for i in range(n):
        firsts, lasts = pools[rng.randrange(len(pools))]
        name = f"{rng.choice(firsts)} {rng.choice(lasts)}"
        yield {
            "customer_id": f"g{i:07d}",
            "type": "person",
            "name": name,
            "birth_date": f"{rng.randint(1940, 2005)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "nationalities": rng.choice(countries),
        }


def write_customers(path: Path, n: int, seed: int = 1) -> Path:
    if (
        path.exists()
        and path.stat().st_size > 0
        and path.with_suffix(".n").exists()
        and path.with_suffix(".n").read_text() == str(n)
    ):
        return path
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["customer_id", "type", "name", "birth_date", "nationalities"])
        w.writeheader()
        for row in generate_customers(n, seed):
            w.writerow(row)
    path.with_suffix(".n").write_text(str(n))
    return path


def percentile(values: list[float], p: float) -> float:
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]
