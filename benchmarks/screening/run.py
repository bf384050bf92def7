"""Screening benchmarks (`make bench`): single-name latency, HTTP throughput, batch, delta, and the
yente screening fixtures through `rempart screen batch`. Sizes from the environment:
REMPART_BENCH_BATCH_N (default 20000; the target is stated for 1,000,000), REMPART_BENCH_NEGATIVES
(default: all 50,000), REMPART_BENCH_HTTP_SECONDS (default 15)."""

from __future__ import annotations

import os

from benchmarks.screening import bench_batch, bench_http, bench_single


def main() -> None:
    bench_single.main()
    bench_http.main(float(os.environ.get("REMPART_BENCH_HTTP_SECONDS", "15")))
    bench_batch.main()


if __name__ == "__main__":
    main()
