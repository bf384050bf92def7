"""Single-name screening through the service against every list: p50/p99 latency, peak memory."""

from __future__ import annotations

import csv
import os
import time

from benchmarks.screening.common import FIXTURES, peak_rss_mb, percentile, service
from rempart.domain.screening.model import NameQuery


def queries(n: int = 3000) -> list[NameQuery]:
    out = []
    for name in ("positives_un_treated.csv", "negatives_global.csv"):
        with (FIXTURES / name).open(encoding="utf-8") as f:
            for i, row in enumerate(csv.DictReader(f)):
                if i >= n // 2:
                    break
                out.append(NameQuery(row["full_name"]))
    return out


def main() -> dict[str, float]:
    svc = service()
    t0 = time.perf_counter()
    screener = svc.warm_up()
    build_s = time.perf_counter() - t0
    qs = queries()
    for q in qs[:200]:  # warm caches
        svc.screen_name(q)
    results = getattr(screener, "_results", None)
    if results is not None:  # every query below is searched, none answered from the result cache
        results._items.clear()
    times = []
    cpu = []
    for q in qs:
        t, c = time.perf_counter(), time.process_time()
        svc.screen_name(q)
        times.append((time.perf_counter() - t) * 1000)
        cpu.append((time.process_time() - c) * 1000)
    repeated = []
    for q in qs[:500]:  # the same queries again: answered from the result cache
        t = time.perf_counter()
        svc.screen_name(q)
        repeated.append((time.perf_counter() - t) * 1000)
    out = {
        "entities": float(screener.size),
        "build_or_load_s": build_s,
        "queries": float(len(qs)),
        "p50_ms": percentile(times, 50),
        "p99_ms": percentile(times, 99),
        "mean_ms": sum(times) / len(times),
        "cpu_p50_ms": percentile(cpu, 50),
        "cpu_p99_ms": percentile(cpu, 99),
        "repeated_p50_ms": percentile(repeated, 50),
        "peak_rss_mb": peak_rss_mb(),
    }
    print(
        f"single name, {int(out['entities'])} entities, {len(qs)} queries (half listed, half not): "
        f"p50 {out['p50_ms']:.2f} ms, p99 {out['p99_ms']:.2f} ms, mean {out['mean_ms']:.2f} ms "
        f"(target p50 <= 0.5, p99 <= 3); CPU time p50 {out['cpu_p50_ms']:.2f} ms, p99 {out['cpu_p99_ms']:.2f} ms; "
        f"a repeated query p50 {out['repeated_p50_ms']:.3f} ms; screener ready in {build_s:.1f} s; "
        f"peak RSS {out['peak_rss_mb']:.0f} MB; load {os.getloadavg()[0]:.1f}"
    )
    return out


if __name__ == "__main__":
    main()
