"""The search finds exactly what the search before the speed work found (`reference.py`): the same
hits, scores (bit for bit) and explanations, on real queries (yente fixtures) and on generated
customers with birth dates and nationalities. `python -m benchmarks.screening.check_equal [N]`."""

from __future__ import annotations

import sys

from benchmarks.screening import reference
from benchmarks.screening.bench_single import queries
from benchmarks.screening.common import generate_customers, service
from rempart.domain.parties import parse_customer
from rempart.domain.screening.model import NameQuery
from rempart.services.screening.engine import customer_query


def check(n: int = 4000) -> int:
    matcher = service().warm_up().matcher
    qs: list[NameQuery] = list(queries(n))
    qs += [customer_query(parse_customer(r)) for r in generate_customers(n // 2, seed=11)]
    differ = 0
    for round_ in range(2):  # the second round runs on warm caches
        for q in qs:
            got = matcher.search(q)
            want = reference.search(matcher, q)  # type: ignore[arg-type]
            if [(h.to_dict(), h.score) for h in got] != [(h.to_dict(), h.score) for h in want]:
                differ += 1
                if differ <= 5:
                    print(f"DIFFERENT (round {round_}): {q}\n  got  {got}\n  want {want}")
    print(f"{2 * len(qs)} searches, {differ} different from the reference")
    return differ


if __name__ == "__main__":
    sys.exit(1 if check(int(sys.argv[1]) if len(sys.argv) > 1 else 4000) else 0)
