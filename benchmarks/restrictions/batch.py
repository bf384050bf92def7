"""Whole-base restriction job: generate N customers / M balance rows as Parquet (DuckDB), then time the job.

.venv/bin/python -m benchmarks.restrictions.run batch --batch-customers 1000000 --rows 10000000
.venv/bin/python -m benchmarks.restrictions.run batch --batch-customers 10000000 --rows 100000000

Generation is not timed. Timed (in a fresh process, inputs registered as Parquet views read in place):
`duckdb_runner.evaluate(..., out_parquet=...)`, i.e. reading the price table, generating the SQL from the
rules in force, and the one statement that values every customer's balances in EUR (exact decimals),
evaluates every rule and writes each customer's outcome, deciding rules, holdings and rule statuses as
Parquet. CPU seconds (all threads) are printed next to the wall clock: on a shared machine they are the
figure to compare.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks.restrictions.common import RULES, load
from rempart.adapters.batch import duckdb_runner, synthetic

# Each timed run is a fresh process, so that its peak RSS is the job's own (not the generator's).
CHILD = """
import json, resource, sys, time
from datetime import date
from pathlib import Path
from rempart.adapters.batch import duckdb_runner
from rempart.services.restrictions import load_rules
work, as_of, memory_limit, threads = Path(sys.argv[1]), date.fromisoformat(sys.argv[2]), sys.argv[3], int(sys.argv[4])
rules = load_rules(Path(sys.argv[5]))
con = duckdb_runner.connect(threads=threads or None, memory_limit=memory_limit)
duckdb_runner.register_inputs(con, {k: str(work / f"{k}.parquet") for k in duckdb_runner.INPUTS})
r0 = resource.getrusage(resource.RUSAGE_SELF)
t = time.perf_counter()
duckdb_runner.evaluate(con, rules, as_of, out_parquet=work / "decisions.parquet")
secs = time.perf_counter() - t
r1 = resource.getrusage(resource.RUSAGE_SELF)
counts = dict(con.execute(f"SELECT outcome, count(*) FROM read_parquet('{work / 'decisions.parquet'}') GROUP BY ALL").fetchall())
print(json.dumps({"seconds": secs, "cpu": r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime,
                  "peak_rss_gb": r1.ru_maxrss / 1024 / 1024, "outcomes": counts}))
"""


def generate(work: Path, customers: int, rows: int, d: date) -> None:
    if (
        (work / "balances.parquet").exists()
        and (work / "size.txt").exists()
        and (work / "size.txt").read_text() == f"{customers} {rows} {d}"
    ):
        print(f"reusing the generated base in {work}")
        return
    con = duckdb_runner.connect()
    t = time.perf_counter()
    synthetic.generate(con, work, customers, rows, d)
    con.close()
    (work / "size.txt").write_text(f"{customers} {rows} {d}")
    print(
        f"generated {customers:,} customers / {rows:,} balance rows as Parquet in {time.perf_counter() - t:.1f} s"
    )


def run(
    customers: int = 1_000_000,
    rows: int = 10_000_000,
    *,
    as_of: str = "2022-06-01",
    work: Path | None = None,
    repeat: int = 3,
    memory_limit: str = duckdb_runner.DEFAULT_MEMORY_LIMIT,
    threads: int = 0,
) -> None:
    import json

    d = date.fromisoformat(as_of)
    work = work or Path(tempfile.gettempdir()) / f"rempart-bench-restrictions-{customers}-{rows}"
    work.mkdir(parents=True, exist_ok=True)
    generate(work, customers, rows, d)
    best: float | None = None
    for i in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(work), as_of, memory_limit, str(threads), str(RULES)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        r = json.loads(out.strip().splitlines()[-1])
        best = r["seconds"] if best is None else min(best, r["seconds"])
        print(
            f"run {i + 1}: {customers:,} customers / {rows:,} rows evaluated in {r['seconds']:.2f} s "
            f"(CPU {r['cpu']:.1f} s, {rows / r['seconds'] / 1e6:.1f} M rows/s), peak RSS {r['peak_rss_gb']:.2f} GB"
            f"  [{load()}]"
        )
        if i == 0:
            print(f"  outcomes: {dict(sorted(r['outcomes'].items()))}")
    print(f"best of {repeat}: {best:.2f} s")
