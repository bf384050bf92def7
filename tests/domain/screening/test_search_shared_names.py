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


VARIANTS = (
    "Abd Al-Latif Bin Abdallah Salih Muhammad Al-Kawari",
    "ABD AL-LATIF BIN ABDALLAH SALIH MUHAMMAD AL-KAWARI",
    "ABD AL-LATIF BIN ABDALLAH SALIH MUHAMMAD  AL-KAWARI",
    "AL-KAWARI, 'Abd al-Latif Bin 'Abdallah Salih Muhammad",
    "Abd-al-Latif Abdallah Salih al-Kuwari",
    "高市 早苗",
    "高石 早苗",
    "Сергей Аксёнов",
    "СЕРГЕЙ АКСЁНОВ",
)
QUERIES = (
    "Abdul Latif Abdallah Salih al-Kawari",
    "Latif Kawari",
    "Abd Al Latif bin Abdullah Saleh Mohammed Kuwari",
    "Takaichi Sanae",
    "高市早苗",
    "Sergei Aksenov",
)


def test_names_in_one_class_compare_alike() -> None:
    """`_form_class` groups the listed names that every comparison treats alike: a search reuses
    one's comparison for the others. Should a comparison come to read more of a name, this fails."""
    from rempart.domain.screening.features import compare_name_forms, name_score_estimate
    from rempart.domain.screening.index import _name_score_cap
    from rempart.domain.screening.normalize import analyze_name

    m = Matcher(("ofac", "v1", ListedEntity(str(i), "Person", (Name(n),))) for i, n in enumerate(VARIANTS))
    forms, classes = m._forms, m._form_class
    by_text = {f.original: c for f, c in zip(forms, classes, strict=True)}
    assert by_text[VARIANTS[0]] == by_text[VARIANTS[1]] == by_text[VARIANTS[2]]
    assert by_text[VARIANTS[0]] != by_text[VARIANTS[3]]  # another order of the parts
    assert by_text["高市 早苗"] != by_text["高石 早苗"]  # the same romanization, other characters
    for text in QUERIES:
        q = analyze_name(text, "Person", m.lexicon)
        for i, a in enumerate(forms):
            for j, b in enumerate(forms):
                if i < j and classes[i] == classes[j]:
                    assert compare_name_forms(q, a) == compare_name_forms(q, b)
                    assert name_score_estimate(q, a) == name_score_estimate(q, b)
                    assert _name_score_cap(q, a, {}, {}) == _name_score_cap(q, b, {}, {})
