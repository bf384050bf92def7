"""The screener's result cache answers a repeated identical query with the same result, and what a
caller does to a result does not reach the next caller. Warm-up searches every script once."""

from __future__ import annotations

import copy
import pickle

from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, Name
from rempart.domain.screening.model import NameQuery
from rempart.services.screening import Screener
from rempart.services.screening.engine import WARM_UP_NAMES

ENTITIES = [
    ListedEntity(source_id="1", schema="Person", names=(Name("Dravik Solenko"),)),
    ListedEntity(source_id="2", schema="Person", names=(Name("Dravik Solenkov"),)),
    ListedEntity(
        source_id="3",
        schema="Person",
        names=(Name("Marten Qualis"),),
        birth_dates=(PartialDate(1970, 5, 6),),
    ),
]


def screener() -> Screener:
    return Screener([("ofac", "v1", e) for e in ENTITIES], {"ofac": "v1"}, threshold=0.7)


def test_a_repeated_query_gets_the_same_result() -> None:
    s = screener()
    q = NameQuery("Dravik Solenko")
    first = s.screen_name(q)
    assert [h.entity_id for h in first.hits] == ["ofac:1", "ofac:2"]
    again = s.screen_name(NameQuery("Dravik Solenko"))
    assert again.to_dict() == first.to_dict()
    # a fresh screener (no cache) agrees
    assert screener().screen_name(q).to_dict() == first.to_dict()


def test_the_cache_keys_on_every_part_of_the_query() -> None:
    s = screener()
    plain = s.screen_name(NameQuery("Marten Qualis"))
    assert plain.hits and plain.hits[0].entity_id == "ofac:3"
    contradicted = s.screen_name(NameQuery("Marten Qualis", birth_dates=(PartialDate(1990, 1, 1),)))
    assert contradicted.hits == [] or contradicted.hits[0].score < plain.hits[0].score
    assert s.screen_name(NameQuery("Marten Qualis"), limit=1).hits == plain.hits[:1]
    higher = s.screen_name(NameQuery("Dravik Solenko"), threshold=0.99)
    assert higher.threshold == 0.99 and [h.entity_id for h in higher.hits] == ["ofac:1"]


def test_a_caller_changing_a_result_does_not_change_the_next() -> None:
    s = screener()
    q = NameQuery("Dravik Solenko")
    first = s.screen_name(q)
    want = first.to_dict()
    first.hits.clear()
    first.lists.clear()
    assert s.screen_name(q).to_dict() == want


def test_a_pickled_screener_starts_with_an_empty_cache_and_the_same_answers() -> None:
    s = screener()
    q = NameQuery("Dravik Solenko")
    want = s.screen_name(q).to_dict()
    copy = pickle.loads(pickle.dumps(s))
    assert len(copy._results._items) == 0
    assert copy.screen_name(q).to_dict() == want


def test_warm_up_searches_each_script_once() -> None:
    s = screener()
    s.warm()
    assert len(WARM_UP_NAMES) >= 10
    assert s.screen_name(NameQuery("Dravik Solenko")).hits


def test_results_are_kept_packed_and_a_callers_changes_to_a_hit_do_not_reach_the_next() -> None:
    s = screener()
    q = NameQuery("Dravik Solenko")
    first = s.screen_name(q)
    want = copy.deepcopy(first.to_dict())
    assert all(isinstance(v, bytes) for v in s._results._items.values())
    first.hits[0].explanation.clear()
    again = s.screen_name(q)
    assert again.to_dict() == want
    assert [h.score for h in again.hits] == [h.score for h in screener().screen_name(q).hits]
