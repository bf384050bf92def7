"""Restriction benchmarks: the whole-base job (DuckDB), the gate in-process, the gate over HTTP.

`make bench` calls `main()` with no arguments (default sizes, a few minutes). Flags for the big runs:

    .venv/bin/python -m benchmarks.restrictions.run batch --batch-customers 10000000 --rows 100000000 --repeat 2
    .venv/bin/python -m benchmarks.restrictions.run gate http --customers 100000

Figures are wall-clock seconds on this machine; every line carries the load average, since the machine
may be shared (CPU seconds are printed too: they do not depend on waiting for a core).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.restrictions import batch, gate, http
from benchmarks.restrictions.common import build_store, load
from rempart.adapters.batch import duckdb_runner

PARTS = ("batch", "gate", "http")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(
        prog="benchmarks.restrictions.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ap.add_argument("parts", nargs="*", help=f"which benchmarks, of {', '.join(PARTS)} (default: all)")
    ap.add_argument("--batch-customers", type=int, default=1_000_000, help="customers of the whole-base job")
    ap.add_argument("--rows", type=int, default=10_000_000, help="balance rows of the whole-base job")
    ap.add_argument("--repeat", type=int, default=3, help="timed runs of the whole-base job")
    ap.add_argument("--memory-limit", default=duckdb_runner.DEFAULT_MEMORY_LIMIT)
    ap.add_argument("--customers", type=int, default=100_000, help="stored customers for the gate benchmarks")
    ap.add_argument("--calls", type=int, default=3_000, help="in-process gate calls")
    ap.add_argument("--seconds", type=int, default=15, help="HTTP load duration")
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--workers", type=int, default=0, help="uvicorn workers (default: one per core)")
    ap.add_argument(
        "--record",
        action="store_true",
        help="HTTP: only checks that store their decision (default: both kinds)",
    )
    ap.add_argument(
        "--unstored", action="store_true", help="HTTP: only checks that do not store their decision"
    )
    ap.add_argument("--dir", type=Path, default=None, help="working directory (default: a temp dir)")
    args = ap.parse_args(argv or [])  # `make bench` calls main() with no arguments: the default sizes
    parts = args.parts or list(PARTS)
    unknown = sorted(set(parts) - set(PARTS))
    if unknown:
        ap.error(f"unknown benchmark(s) {', '.join(unknown)}; known: {', '.join(PARTS)}")
    print(f"restrictions benchmarks: {', '.join(parts)}  [{load()}]")
    if "batch" in parts:
        batch.run(
            args.batch_customers,
            args.rows,
            work=args.dir / "batch" if args.dir else None,
            repeat=args.repeat,
            memory_limit=args.memory_limit,
        )
    if "gate" in parts or "http" in parts:
        work = (args.dir or Path(tempfile.mkdtemp(prefix="rempart-gate-"))) / "gate"
        rows = 5
        t = time.perf_counter()
        store = build_store(work, args.customers, rows)
        store.dispose()
        print(
            f"stored base: {args.customers:,} customers, {args.customers * rows:,} balance rows, prices "
            f"(SQLite, built in {time.perf_counter() - t:.1f} s)"
        )
        if "gate" in parts:
            gate.run_on(work / "rempart.db", args.customers, calls=args.calls)
        if "http" in parts:
            http.run(
                work / "rempart.db",
                args.customers,
                seconds=args.seconds,
                workers=args.workers or None,
                connections=args.connections,
                record=True if args.record else False if args.unstored else None,
            )


if __name__ == "__main__":
    main(sys.argv[1:])
