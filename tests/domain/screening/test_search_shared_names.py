"""One person on several lists under the same names: the search compares each listed name once and
gives every entity its own hit, with the same score and an explanation of its own."""

from __future__ import annotations

from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, Name
from rempart.domain.screening import score
from rempart.domain.screening.index import Matcher
from rempart.domain.screening.model import NameQuery

PERSON = ListedEntity(
    "X1",
    "Person",
    (Name("Bashir Kadim Sabawi AL-TARIQI"), Name("Basheer Kazim Sabawi al-Tariqi")),
    birth_dates=(PartialDate(1961, 2, 3),),
)


def test_one_person_on_four_lists() -> None:
    m = Matcher((lst, "v1", PERSON) for lst in ("eu", "ofac", "uk", "un"))
    calls = 0
    compare = score.compare_name_forms

    def counting(*args: object) -> object:
        nonlocal calls
        calls += 1
        return compare(*args)  # type: ignore[arg-type]

    score.compare_name_forms = counting  # type: ignore[assignment]
    try:
        hits = m.search(NameQuery("Bashir Kadim Sabawi al-Tariqi"))
    finally:
        score.compare_name_forms = compare
    assert [h.list_name for h in hits] == ["eu", "ofac", "uk", "un"]
    assert len({h.score for h in hits}) == 1 and hits[0].match
    assert len({id(h.explanation) for h in hits}) == 4
    assert len({id(h.explanation["name"]) for h in hits}) == 4
    assert calls == 2  # two listed names, each compared once for the four entities
