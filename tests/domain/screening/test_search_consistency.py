"""`Matcher.search` answers the same whatever `min_score` and `limit`: a search with min_score m and
limit n returns the hits of the search with min_score 0 and no limit that score at least m (same
scores, same order), the first n of them. Checked on a seeded sample of the UN list's own names
(whole, cut, misspelt, reordered) and on made-up names."""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rempart.adapters.sources.un import parse_un
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, Name
from rempart.domain.screening.features import compare_name_forms
from rempart.domain.screening.index import Matcher, _name_score_cap
from rempart.domain.screening.lexicon import Lexicon
from rempart.domain.screening.model import Hit, NameQuery
from rempart.domain.screening.normalize import analyze_name

FLOORS = (0.0, 0.2, 0.3, 0.45, 0.5, 0.6, 0.7, 0.75, 0.86, 0.95, 1.0)
LIMITS = (1, 2, 3, 10)
EVERYTHING = 10_000


def _key(hits: list[Hit]) -> list[tuple[str, float, str, bool, Any]]:
    return [(h.entity_id, h.score, h.name, h.match, h.explanation) for h in hits]


def _check(matcher: Matcher, query: NameQuery) -> None:
    everything = matcher.search(query, limit=EVERYTHING, min_score=0.0)
    scores = [h.score for h in everything]
    assert scores == sorted(scores, reverse=True)
    for floor in FLOORS:
        want = [h for h in everything if h.score >= floor]
        for limit in LIMITS:
            got = matcher.search(query, limit=limit, min_score=floor)
            assert _key(got) == _key(want[:limit]), (query, floor, limit)
    default = matcher.search(query, limit=EVERYTHING)  # min_score: the threshold
    assert _key(default) == _key([h for h in everything if h.score >= matcher.threshold])


@pytest.fixture(scope="module")
def un_matcher(shared_data: Path) -> Matcher:
    snap = parse_un(shared_data / "un_sc_consolidated_2026-02-27_watchman" / "UN_consolidated.xml")
    return Matcher(("un", snap.as_of.isoformat(), e) for e in snap.entities)


def _variations(name: str, rng: random.Random) -> list[str]:
    words = name.split()
    out = [name]
    if len(words) > 2:
        out.append(" ".join(w for i, w in enumerate(words) if i != rng.randrange(len(words))))
    if len(words) > 1:
        out.append(" ".join(reversed(words)))
    w = rng.randrange(len(words))
    if len(words[w]) > 3:
        i = rng.randrange(1, len(words[w]) - 1)
        words[w] = words[w][:i] + words[w][i + 1 :] + words[w][i]  # a letter moved to the end
        out.append(" ".join(words))
    return out


def test_real_names_same_hits_whatever_min_score_and_limit(un_matcher: Matcher, shared_data: Path) -> None:
    snap = parse_un(shared_data / "un_sc_consolidated_2026-02-27_watchman" / "UN_consolidated.xml")
    rng = random.Random(20261130)
    entities = rng.sample(list(snap.entities), 60)
    queries: list[NameQuery] = []
    for e in entities:
        name = rng.choice(e.names).full
        for v in _variations(name, rng):
            queries.append(NameQuery(v, schema=e.schema))
    queries += [
        NameQuery("Ahmad Mohammad Hassan"),
        NameQuery("Kim Chol"),
        NameQuery("Mohammed bin Abdullah al Hashimi", birth_dates=(PartialDate(1970),)),
        NameQuery("Abdul Rahman Agha", nationalities=("af",)),
        NameQuery("Harriet Quackenbush"),
    ]
    for q in queries:
        _check(un_matcher, q)


_PARTS = ["Ahmad", "Muhammad", "Abdul", "Rahman", "Hassan", "al", "Kim", "Chol", "Sergei", "Ivanov", "Zhang"]
_PARTS += ["Wei", "Talia", "Voss", "Omar", "Felsing", "Bank", "Trading", "LLC", "Petrov", "Ali", "Khan"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parts=st.lists(st.sampled_from(_PARTS), min_size=1, max_size=5),
    schema=st.sampled_from(["Person", "Organization", "LegalEntity"]),
    year=st.none() | st.integers(min_value=1950, max_value=1995),
)
def test_made_up_names_same_hits_whatever_min_score_and_limit(
    un_matcher: Matcher, parts: list[str], schema: str, year: int | None
) -> None:
    births = () if year is None else (PartialDate(year),)
    _check(un_matcher, NameQuery(" ".join(parts), schema=schema, birth_dates=births))


VARIANT_ENTITIES = [
    ListedEntity("J1", "Person", (Name("Yamada Taro"),)),
    ListedEntity("P1", "Person", (Name("Oskar Brennwald HALVERSEN"),)),
    ListedEntity("P2", "Person", (Name("Greta LINDQVIST"),)),
    ListedEntity("K1", "Person", (Name("KIM Jong Ho"),)),
    ListedEntity("K2", "Person", (Name("崔龍植"),)),
]


@pytest.fixture(scope="module")
def variant_matcher() -> Matcher:
    return Matcher(("ofac", "v1", e) for e in VARIANT_ENTITIES)


def test_query_names_are_expanded_like_listed_names(variant_matcher: Matcher) -> None:
    """A query name gets the same variants as a listed one (`name_variants`): its Japanese reading,
    each slash alternative, each script of a name with its other form in parentheses."""
    kanji = variant_matcher.search(NameQuery("山田太郎"))
    assert [h.entity_id for h in kanji] == ["ofac:J1"]
    assert kanji[0].score == variant_matcher.search(NameQuery("yamada taro"))[0].score
    slash = variant_matcher.search(NameQuery("Oskar HALWERSSEN/HALVERSEN"), min_score=0.0)
    plain = variant_matcher.search(NameQuery("Oskar HALVERSEN"), min_score=0.0)
    assert [(h.entity_id, h.score) for h in slash] == [(h.entity_id, h.score) for h in plain]
    both = variant_matcher.search(NameQuery("Greta LINDQVIST (Грета ЛИНДКВИСТ)"))
    assert both and both[0].entity_id == "ofac:P2"
    assert both[0].score == variant_matcher.search(NameQuery("Greta LINDQVIST"))[0].score


def test_search_finds_what_the_comparison_finds_in_korean_and_spelt_typos() -> None:
    """The search's bound and lookups keep up with the comparison: a merged Korean given name
    (Jonghyeok / Jong Hyeok), a Hangul query against a one-word Latin spelling (수진 / Sujin, whose
    skeleton reads the j as a glide), a typo that moves the skeleton further than the spelling
    (Lakahl / Lakhal: kh is h), a Latin dh for ذ, a given name's Belarusian form (by its group)."""
    entities = [
        ("ofac", "v1", ListedEntity("A", "Person", (Name("Ri Jonghyeok"),))),
        ("ofac", "v1", ListedEntity("B", "Person", (Name("Kim Sujin"),))),
        ("ofac", "v1", ListedEntity("C", "Person", (Name("Tarik LAKHAL"),))),
        ("ofac", "v1", ListedEntity("D", "Person", (Name("ذبيح علي"),))),
        ("ofac", "v1", ListedEntity("E", "Person", (Name("Aliaksandr Ivanavich KALDUN"),))),
    ]
    m = Matcher(entities, Lexicon.builtin())
    for query, expected in (
        ("Ri Jong Hyeok", "ofac:A"),
        ("김수진", "ofac:B"),
        ("Tarik LAKAHL", "ofac:C"),
        ("Dhabih ALI", "ofac:D"),
        ("Alexander Ivanovich KALDUN", "ofac:E"),  # one given name, spelt two edits apart
    ):
        assert [h.entity_id for h in m.search(NameQuery(query, "Person"))] == [expected], query


def test_names_in_hanja_are_found_by_their_korean_reading(variant_matcher: Matcher) -> None:
    """A query in hanja finds the Latin spelling of its Korean reading, and a listed name in hanja
    is found by one (`transliterate.korean_reading`)."""
    assert [h.entity_id for h in variant_matcher.search(NameQuery("金正浩"))] == ["ofac:K1"]
    assert [h.entity_id for h in variant_matcher.search(NameQuery("Choe Ryong Sik"))] == ["ofac:K2"]
    assert not variant_matcher.search(NameQuery("金英植"))  # Kim Yong Sik: another person


def test_probes_cover_the_query_variants(variant_matcher: Matcher) -> None:
    """Delta rescreening files a customer under the probes of every form the search looks up."""
    probes = variant_matcher.probes(NameQuery("Oskar HALWERSSEN/HALVERSEN"))
    assert len(probes) == 3  # the whole name and each alternative
    hit = {p for parts in probes for _s, ps in parts for p in ps if variant_matcher.hits(p)}
    assert Matcher.concerned(probes, hit)


_BOUND_PARTS = [
    *_PARTS,
    "Abdulrahman",
    "Abdul-Rahman",
    "bin",
    "ibn",
    "J.",
    "M",
    "II",
    "3",
    "عبدالرحمن",
    "محمد",
]
_BOUND_PARTS += ["Сергей", "Иванов", "山田", "太郎", "김철", "Mohamed", "Mohammed", "Hasan", "Ivanova", "Ltd"]


@settings(max_examples=400, deadline=None)
@given(
    a=st.lists(st.sampled_from(_BOUND_PARTS), min_size=1, max_size=6),
    b=st.lists(st.sampled_from(_BOUND_PARTS), min_size=1, max_size=6),
    schema=st.sampled_from(["Person", "Organization", "Vessel", "LegalEntity"]),
)
def test_the_score_cap_is_a_true_upper_bound(a: list[str], b: list[str], schema: str) -> None:
    """The search skips a full comparison only on `_name_score_cap`: it is never below the score."""
    lexicon = Lexicon.builtin()
    q, c = analyze_name(" ".join(a), schema, lexicon), analyze_name(" ".join(b), schema, lexicon)
    assert _name_score_cap(q, c, {}, {}) >= compare_name_forms(q, c).score - 1e-12


def test_the_bounds_hold_for_acronyms() -> None:
    # an acronym may abbreviate several runs of words: the bounds must allow for every one
    from rempart.domain.screening.features import name_score_estimate

    words = ["alpha", "anna", "amla", "asia", "mila", "mike", "lima", "beta", "mm", "aa", "ab", "am", "ma"]
    rnd = random.Random(3)
    lex = Lexicon.builtin()
    for _ in range(4000):
        a = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 3)))
        b = " ".join(rnd.choice(words) for _ in range(rnd.randint(1, 4)))
        q, c = analyze_name(a, "Organization", lex), analyze_name(b, "Organization", lex)
        real = compare_name_forms(q, c).score
        assert _name_score_cap(q, c, {}, {}) >= real - 1e-9, (a, b)
        assert name_score_estimate(q, c) >= real - 0.02 - 1e-9, (a, b)
