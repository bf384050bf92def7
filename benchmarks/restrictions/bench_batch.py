"""Whole-base restriction job: generate N customers / M balance rows as Parquet (DuckDB), then time the job.

    .venv/bin/python benchmarks/restrictions/bench_batch.py --customers 1000000 --rows 10000000
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from datetime import date
from pathlib import Path

from rempart.adapters.batch import duckdb_runner, synthetic
from rempart.services.restrictions import load_rules

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--customers", type=int, default=1_000_000)
    ap.add_argument("--rows", type=int, default=10_000_000)
    ap.add_argument("--as-of", default="2022-06-01")
    ap.add_argument("--dir", type=Path, default=None)
    ap.add_argument("--memory-limit", default="6GB")
    args = ap.parse_args()
    d = date.fromisoformat(args.as_of)
    work = args.dir or Path(tempfile.mkdtemp(prefix="rempart-bench-"))
    rules = load_rules(ROOT / "rules")
    con = duckdb_runner.connect(memory_limit=args.memory_limit)
    t = time.perf_counter()
    paths = synthetic.generate(con, work, args.customers, args.rows, d)
    print(f"generated {args.customers:,} customers / {args.rows:,} balance rows in {time.perf_counter() - t:.1f} s")
    con.close()
    con = duckdb_runner.connect(memory_limit=args.memory_limit)
    duckdb_runner.register_inputs(con, {k: str(v) for k, v in paths.items()})
    t = time.perf_counter()
    duckdb_runner.evaluate(con, rules, d, out_parquet=work / "decisions.parquet")
    secs = time.perf_counter() - t
    counts = con.execute(f"SELECT outcome, count(*) FROM read_parquet('{work / 'decisions.parquet'}') "
                         "GROUP BY ALL ORDER BY ALL").fetchall()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"evaluated in {secs:.2f} s ({args.rows / secs / 1e6:.1f} M balance rows/s); peak RSS {peak:.2f} GB")
    print("outcomes:", dict(counts))


if __name__ == "__main__":
    main()
