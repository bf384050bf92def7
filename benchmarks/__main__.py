"""Run every benchmark: `python -m benchmarks [AREA ...]` (areas: the sub-folders with a run.py)."""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    areas = sorted(p.parent.name for p in HERE.glob("*/run.py"))
    chosen = argv or areas
    unknown = [a for a in chosen if a not in areas]
    if unknown:
        print(f"unknown benchmark area(s): {', '.join(unknown)}; known: {', '.join(areas)}", file=sys.stderr)
        return 2
    failures = 0
    for area in chosen:
        print(f"\n=== benchmarks/{area} ===", flush=True)
        t0 = time.perf_counter()
        module = importlib.import_module(f"benchmarks.{area}.run")
        try:
            module.main()
        except Exception as exc:  # report and go on with the other areas
            failures += 1
            print(f"benchmark {area} failed: {exc!r}", file=sys.stderr)
        print(f"=== {area}: {time.perf_counter() - t0:.1f} s ===", flush=True)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
