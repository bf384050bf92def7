"""Parsing the decision input: a field of the wrong type is refused, naming the field."""

from __future__ import annotations

from typing import Any

import pytest

from rempart.domain.restrictions import parse_facts
from rempart.errors import InputError

BASE: dict[str, Any] = {
    "as_of": "2022-06-01",
    "action": "deposit",
    "customer": {"type": "person", "nationalities": ["RU"], "residence_country": "RU", "sanctions": []},
    "holdings": [],
    "prices_eur": {"BTC": "25000.00"},
    "asset": "BTC",
    "amount": "0.5",
}


@pytest.mark.parametrize(
    ("field", "value"),
    [("asset", ["BTC"]), ("asset", 7), ("provider_entity", 0), ("provider_entity", ["EU"])],
)
def test_a_code_that_is_not_a_string_is_refused(field: str, value: Any) -> None:
    # str() made ["BTC"] the asset "['BTC']" (no price -> a stored "review"), and 0 the provider "EU"
    with pytest.raises(InputError) as e:
        parse_facts({**BASE, field: value})
    assert e.value.field == field


def test_codes_as_strings_still_parse() -> None:
    facts = parse_facts({**BASE, "asset": "btc", "provider_entity": "de"})
    assert (facts.asset, facts.provider_entity) == ("BTC", "DE")
    assert parse_facts({**BASE, "provider_entity": None}).provider_entity == "EU"
