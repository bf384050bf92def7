"""The search keeps at most `MAX_OPEN` candidate names per query name: those sharing the most, then
the closest in weight, then the first in the candidates' order, exactly as `heapq.nlargest` on
(share, -weight gap) keeps them; and a query part's names found in its posting lists are the same
whether its lists are walked or looked up as sets."""

from __future__ import annotations

import heapq
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.domain.lists import ListedEntity, Name
from rempart.domain.screening.index import BIG_POSTING, MAX_OPEN, Matcher

_GIVEN = ("Anna", "Boris", "Chen", "Dara", "Elif", "Farid", "Goran", "Hana", "Ivo", "Jana")
_FAMILY = ("Kovac", "Lindqvist", "Moreau", "Novak", "Okafor", "Petrov", "Quist", "Rossi")
_MATCHER = Matcher(
    ("ofac", "v1", ListedEntity(str(i), "Person", (Name(f"{g} {'Al ' * (i % 3)}{f}"),)))
    for i, (g, f) in enumerate((g, f) for _ in range(8) for g in _GIVEN for f in _FAMILY)
)


def _nlargest(acc: dict[int, float], qw: float) -> dict[int, float]:
    fw = _MATCHER._form_weight
    return dict(heapq.nlargest(MAX_OPEN, acc.items(), key=lambda kv: (kv[1], -abs(fw[kv[0]] - qw))))


@settings(max_examples=200, deadline=None)
@given(
    st.integers(min_value=0, max_value=2**32),
    st.integers(min_value=MAX_OPEN + 1, max_value=len(_MATCHER._forms)),
    st.lists(st.floats(min_value=0.0, max_value=1.0), min_size=1, max_size=6),
    st.sampled_from((3.0, 8.0, 11.35, 14.0)),
)
def test_the_cut_keeps_what_nlargest_keeps(seed: int, n: int, shares: list[float], qw: float) -> None:
    rng = random.Random(seed)
    fids = rng.sample(range(len(_MATCHER._forms)), n)
    acc = {f: rng.choice(shares) for f in fids}  # few distinct shares: many ties at the cut
    got = _MATCHER._best_sharing(acc, qw)
    assert got == _nlargest(acc, qw)
    assert len(got) == MAX_OPEN


def test_names_held_are_the_same_through_sets_and_lists() -> None:
    rng = random.Random(7)
    postings = list(_MATCHER._postings.values())
    for _ in range(200):
        posts = rng.sample(postings, rng.randint(1, 4))
        names = set(rng.sample(range(len(_MATCHER._forms)), 60))
        want = names & {f for p in posts for f in p}
        assert set(_MATCHER._held(names, posts)) == want
        assert _MATCHER._names_in("k" + str(rng.random()), posts) == len({f for p in posts for f in p})


def test_a_big_posting_list_is_looked_up_as_a_set() -> None:
    big = max(_MATCHER._postings.values(), key=len)
    assert len(big) > BIG_POSTING
    names = set(range(0, len(_MATCHER._forms), 3))
    assert set(_MATCHER._held(names, [big])) == names & set(big)
    assert set(_MATCHER._held(names, [big, [0, 1, 2]])) == names & (set(big) | {0, 1, 2})
