"""Batch and delta through `rempart screen batch` (a subprocess, as a user runs it), and the yente
screening fixtures: recall on listed names, alert rate on people who are not listed."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from benchmarks.screening.common import (
    FIXTURES,
    WORK,
    bench_db_url,
    children_peak_rss_mb,
    rempart_env,
    service,
    write_customers,
)
from rempart.domain.dates import PartialDate
from rempart.services.screening import Screener, load_entries
from rempart.services.screening.batch import screen_file, worker_count

REMPART = [str(Path(sys.executable).parent / "rempart")]


def run_batch(path: Path, out: Path) -> float:
    t0 = time.perf_counter()
    r = subprocess.run(
        [*REMPART, "screen", "batch", str(path), "--out", str(out), "--db", bench_db_url(), "--json"],
        env=rempart_env(),
        capture_output=True,
        text=True,
    )
    if r.returncode not in (0, 2):
        raise RuntimeError(r.stderr[-2000:])
    return time.perf_counter() - t0


def batch(n: int) -> dict[str, float]:
    service().warm_up()  # the screener cache is built once; the batch loads it
    path = write_customers(WORK / f"customers_{n}.csv", n)
    secs = run_batch(path, WORK / f"out_{n}.jsonl")
    rate = n / secs
    print(
        f"batch: {n} generated customers in {secs:.1f} s ({rate:.0f}/s, {worker_count()} workers; "
        f"1,000,000 would take {1_000_000 / rate / 60:.1f} min; target <= 5 min); "
        f"peak RSS of the batch processes {children_peak_rss_mb():.0f} MB"
    )
    return {"n": n, "seconds": secs, "per_second": rate}


def delta(n: int, touched: int = 100) -> dict[str, float]:
    """100 listed entities as if new, in a small index, against `n` customers (the delta step)."""
    svc = service()
    with svc.store.read() as conn:
        from rempart.adapters.storage import lists_repo

        v = lists_repo.current_version(conn, "eu")
    assert v is not None
    ids = sorted(lists_repo_ids(svc, v.id))[:: max(1, len(lists_repo_ids(svc, v.id)) // touched)][:touched]
    entries = load_entries(svc.store, [v], {"eu": ids})
    small = Screener(entries, {"eu": v.id}, threshold=svc.threshold)
    path = write_customers(WORK / f"customers_{n}.csv", n)
    t0 = time.perf_counter()
    with open(os.devnull, "w") as devnull:
        screen_file(small, path, devnull, workers=worker_count())
    secs = time.perf_counter() - t0
    print(
        f"delta: {len(entries)} entities x {n} customers in {secs:.1f} s; x 1,000,000 would take "
        f"{secs * 1_000_000 / n:.0f} s (target <= 30 s)"
    )
    return {"n": n, "entities": len(entries), "seconds": secs}


def lists_repo_ids(svc: object, version_id: str) -> list[str]:
    from rempart.adapters.storage import lists_repo

    with svc.store.read() as conn:  # type: ignore[attr-defined]
        return list(lists_repo.entity_hashes(conn, version_id))


def fixture_customers(name: str, limit: int | None = None) -> Path:
    src = FIXTURES / name
    dst = WORK / f"fixture_{name}"
    with src.open(encoding="utf-8") as f, dst.open("w", newline="", encoding="utf-8") as g:
        w = csv.DictWriter(g, fieldnames=["customer_id", "type", "name", "birth_date", "nationalities"])
        w.writeheader()
        for i, row in enumerate(csv.DictReader(f)):
            if limit is not None and i >= limit:
                break
            nat = (row.get("nationality") or "").strip()
            dob = (row.get("date_of_birth") or "").strip()[:10]
            try:
                PartialDate.parse_iso(dob)
            except ValueError:
                dob = dob[:4]  # the fixtures hold a few impossible dates (1974-01-32): keep the year
            w.writerow(
                {
                    "customer_id": f"f{i}",
                    "type": "person",
                    "name": row["full_name"],
                    "birth_date": dob if dob[:4].isdigit() else "",
                    "nationalities": nat.upper() if len(nat) == 2 else "",
                }
            )
    return dst


def yente_fixtures(negatives: int | None) -> dict[str, float]:
    out: dict[str, float] = {}
    for name, kind, limit in (
        ("positives_un_treated.csv", "recall", None),
        ("negatives_global.csv", "alert rate", negatives),
    ):
        path = fixture_customers(name, limit)
        res = WORK / f"fixture_out_{name}.jsonl"
        secs = run_batch(path, res)
        lines = [json.loads(x) for x in res.read_text().splitlines()]
        flagged = sum(1 for x in lines if any(h["match"] for h in x["hits"]))
        errors = sum(1 for x in lines if "error" in x)
        share = flagged / len(lines)
        out[name] = share
        target = ">= 0.99" if kind == "recall" else "<= 0.001"
        print(
            f"{name}: {kind} {share:.4f} ({flagged}/{len(lines)}, {errors} bad records; target {target}) "
            f"via `rempart screen batch` in {secs:.1f} s"
        )
    return out


def main() -> None:
    n = int(os.environ.get("REMPART_BENCH_BATCH_N", "20000"))
    yente_fixtures(
        int(os.environ["REMPART_BENCH_NEGATIVES"]) if os.environ.get("REMPART_BENCH_NEGATIVES") else None
    )
    batch(n)
    delta(n)


if __name__ == "__main__":
    main()
