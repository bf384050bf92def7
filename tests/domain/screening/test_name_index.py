"""Search over an index of made-up listed entities: candidates, features, explanations, pickling."""

from __future__ import annotations

import pickle

import pytest

from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, ListedEntity, Name, NameKind
from rempart.domain.screening.index import Matcher, name_variants
from rempart.domain.screening.model import NameQuery
from rempart.domain.screening.score import ALGORITHM, VERSION

ENTITIES = [
    ListedEntity(
        "P1",
        "Person",
        (
            Name("Sergey Valeryevich AKSYONOV"),
            Name("Sergei Valerievich AKSENOV (Сергей Валерьевич АКСЁНОВ)", NameKind.ALIAS),
        ),
        birth_dates=(PartialDate(1972, 11, 26),),
        nationalities=("ua",),
        identifiers=(Identifier("passport", "AB 123456"),),
        gender="male",
    ),
    ListedEntity("P2", "Person", (Name("Talia Brennan VOSS"),), birth_dates=(PartialDate(1980),)),
    ListedEntity("P3", "Person", (Name("Omar Felsing"),), birth_dates=(PartialDate(1965, 3, 1),)),
    ListedEntity(
        "O1",
        "Organization",
        (Name("OOO Romashka"), Name("ООО «Ромашка»", NameKind.ALIAS)),
        identifiers=(Identifier("inn", "7701234567"),),
    ),
    ListedEntity("O2", "Organization", (Name("Blue Heron Shipping Company"),)),
    ListedEntity("V1", "Vessel", (Name("SEA FALCON"),), identifiers=(Identifier("imo", "9123456"),)),
]


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    entries = [("un" if e.schema == "Person" else "eu", "2026-01-01", e) for e in ENTITIES]
    return Matcher(entries)


def test_finds_transliterated_and_reordered(matcher: Matcher) -> None:
    for q in ("Сергей Аксёнов", "AKSENOV, Sergei", "Serguei Aksionov", "Sergey Valerievich Aksyonov"):
        hits = matcher.search(NameQuery(q))
        assert hits and hits[0].entity_id == "un:P1", (q, hits)
        assert hits[0].match


def test_hit_fields(matcher: Matcher) -> None:
    hit = matcher.search(NameQuery("Talia Voss"))[0]
    assert hit.entity_id == "un:P2"
    assert hit.source_id == "P2"
    assert hit.list_name == "un"
    assert hit.list_version == "2026-01-01"
    assert hit.schema == "Person"
    assert hit.name == "Talia Brennan VOSS"
    assert 0.0 <= hit.score <= 1.0
    assert hit.algorithm == f"{ALGORITHM}/{VERSION}"
    assert "name" in hit.explanation
    assert hit.to_dict()["entity_id"] == "un:P2"


def test_schema_and_list_filters(matcher: Matcher) -> None:
    assert not matcher.search(NameQuery("Romashka", schema="Person"))
    assert matcher.search(NameQuery("Romashka OOO", schema="Organization"))[0].entity_id == "eu:O1"
    assert not matcher.search(NameQuery("Talia Voss", lists=("eu",)))


def test_contradicting_birth_year_lowers_the_score(matcher: Matcher) -> None:
    plain = matcher.search(NameQuery("Omar Felsing"), min_score=0.0)[0]
    same = matcher.search(NameQuery("Omar Felsing", birth_dates=(PartialDate(1965, 3, 1),)), min_score=0.0)[0]
    other = matcher.search(NameQuery("Omar Felsing", birth_dates=(PartialDate(1990),)), min_score=0.0)[0]
    assert other.score < plain.score <= same.score
    assert other.explanation["birth_date"]["result"] == "contradiction"
    assert other.explanation["birth_date"]["contribution"] < 0
    assert not other.match


def test_matching_identifier_raises_the_score(matcher: Matcher) -> None:
    plain = matcher.search(NameQuery("Sergei Aksenko"), min_score=0.0)
    with_id = matcher.search(
        NameQuery("Sergei Aksenko", identifiers=(Identifier("passport", "AB-123456"),)), min_score=0.0
    )
    assert with_id[0].entity_id == "un:P1"
    base = plain[0].score if plain and plain[0].entity_id == "un:P1" else 0.0
    assert with_id[0].score > base
    assert with_id[0].explanation["identifier"]["result"] == "match"


def test_gender_and_nationality_are_explained(matcher: Matcher) -> None:
    hit = matcher.search(
        NameQuery("Sergey Aksyonov", gender="female", nationalities=("Ukraine",)), min_score=0
    )[0]
    assert hit.explanation["gender"]["result"] == "contradiction"
    assert hit.explanation["nationality"]["result"] == "match"


def test_unrelated_names_find_nothing(matcher: Matcher) -> None:
    assert matcher.search(NameQuery("Harriet Quackenbush")) == []


def test_pickles_for_worker_processes(matcher: Matcher) -> None:
    clone = pickle.loads(pickle.dumps(matcher))
    q = NameQuery("Blue Heron Shipping Co.", schema="Organization")
    assert [h.to_dict() for h in clone.search(q)] == [h.to_dict() for h in matcher.search(q)]


def test_name_variants_split_other_script_only() -> None:
    assert name_variants("Sergei AKSENOV (Сергей АКСЁНОВ)") == ["Sergei AKSENOV", "Сергей АКСЁНОВ"]
    assert name_variants("Deutsche Blue (Schweiz) AG") == ["Deutsche Blue (Schweiz) AG"]


def test_compare_method(matcher: Matcher) -> None:
    _score, match, explanation = matcher.compare("Romashka LLC", "ООО Ромашка", "Organization")
    assert match and explanation["name"]["pairs"]


def test_an_acronym_finds_the_organization(matcher: Matcher) -> None:
    hits = matcher.search(NameQuery("BHS", "Organization"))
    assert [h.source_id for h in hits if h.match] == ["O2"]
    assert not [h for h in matcher.search(NameQuery("BHS", "Person")) if h.match]


def test_other_names_given_inside_a_listed_name() -> None:
    assert name_variants("Dorota Vell KARNIS (a.k.a. Dorota KARNYS or Dorotea KARNIS)") == [
        "Dorota Vell KARNIS",
        "Dorota KARNYS",
        "Dorotea KARNIS",
    ]
    # alternatives of one word stand for that word
    assert name_variants("Munar (a.k.a. Munnar, Monar) Jelil AL-TASSAN") == [
        "Munar Jelil AL-TASSAN",
        "Munnar Jelil AL-TASSAN",
        "Monar Jelil AL-TASSAN",
    ]
    assert name_variants("Harbor Akademik (Akademik) Ltd") == ["Harbor Akademik (Akademik) Ltd"]


def test_several_names_in_one_separated_by_commas() -> None:
    names = "Pavel KORIN, Pavel Ivanovici KORINEV, Petru KORIN"
    assert name_variants(names, "Person") == [names, "Pavel KORIN", "Pavel Ivanovici KORINEV", "Petru KORIN"]
    assert name_variants("KORIN, Pavel Ivanovich", "Person") == ["KORIN, Pavel Ivanovich"]
    # an organization's commas separate parts of one name
    org = "DIRECTORATE OF HARBOURS, OFFICE OF THE PORT MASTER, THE REPUBLIC OF NORLAND"
    assert name_variants(org, "Organization") == [org]


def test_an_alternative_inside_a_name_stands_for_the_word_before_it() -> None:
    assert name_variants("Omar (a.k.a. Umar) Abdul-Tawab (a.k.a. Abd al-Tawab) AL FARSI") == [
        "Omar Abdul-Tawab AL FARSI",
        "Omar Abd al-Tawab AL FARSI",
        "Umar Abdul-Tawab AL FARSI",
        "Umar Abd al-Tawab AL FARSI",
    ]
    # one-word nicknames after the name stand for its last word, never alone
    assert name_variants("Anton VELIKOV (a.k.a. Fritz)") == ["Anton VELIKOV", "Anton Fritz"]
