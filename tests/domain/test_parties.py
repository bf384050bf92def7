from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from rempart.domain.dates import PartialDate
from rempart.domain.parties import FieldError, parse_balance, parse_customer, parse_price

BASE = {
    "customer_id": "C1",
    "type": "person",
    "name": "Ivana Testova",
    "alt_names": "Ivana T.;Иванна Тестова",
    "birth_date": "1980-05",
    "nationalities": "RU;DE",
    "residence_country": "de",
    "residence_permits": "DE:temporary:2027-01-01;FR:permanent:",
    "establishment_country": "",
    "registration_number": "",
    "email": "ivana@example.com",
    "wallets": "ETH:0x0000000000000000000000000000000000000001",
    "created_at": "2021-01-01T00:00:00Z",
}


def test_parse_customer_reads_every_field() -> None:
    c = parse_customer(BASE)
    assert c.type == "person"
    assert c.alt_names == ("Ivana T.", "Иванна Тестова")
    assert c.birth_date == PartialDate(1980, 5)
    assert c.nationalities == ("RU", "DE")
    assert c.residence_country == "DE"
    assert c.residence_permits[0].valid_until == date(2027, 1, 1)
    assert c.residence_permits[1].valid_until is None
    assert c.residence_permits[0].valid_on(date(2027, 1, 1))
    assert not c.residence_permits[0].valid_on(date(2027, 1, 2))
    assert c.wallets[0].chain == "ETH"


def test_json_lists_are_accepted() -> None:
    c = parse_customer({**BASE, "nationalities": ["BY"], "alt_names": []})
    assert c.nationalities == ("BY",)


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("type", "robot", "person or company"),
        ("birth_date", "31.12.1980", "YYYY"),
        ("nationalities", "Russia", "ISO 3166-1"),
        ("residence_permits", "DE:forever:2027-01-01", "temporary or permanent"),
        ("residence_permits", "DE:temporary:2027-13-01", "YYYY-MM-DD"),
        ("wallets", "0xabc", "chain:address"),
        ("email", "not-an-email", "name@domain"),
        ("name", "", "name"),
    ],
)
def test_bad_customer_fields_name_field_and_expectation(field: str, value: str, expected: str) -> None:
    with pytest.raises(FieldError) as info:
        parse_customer({**BASE, field: value})
    assert info.value.field == field
    assert expected in info.value.expected


def test_amounts_are_exact_decimals() -> None:
    b = parse_balance(
        {"customer_id": "C1", "account_id": "a", "asset": "btc", "amount": "0.10000000000000000001"}
    )
    assert b.amount == Decimal("0.10000000000000000001")
    assert b.asset == "BTC"
    with pytest.raises(FieldError, match="float"):
        parse_balance({"customer_id": "C1", "account_id": "a", "asset": "BTC", "amount": 0.1})
    with pytest.raises(FieldError):
        parse_balance({"customer_id": "C1", "account_id": "a", "asset": "BTC", "amount": "-1"})


def test_price_needs_positive_price_and_source() -> None:
    p = parse_price(
        {"asset": "ETH", "price_eur": "2500.10", "as_of": "2022-06-01T00:00:00Z", "source": "example"}
    )
    assert p.price_eur == Decimal("2500.10")
    with pytest.raises(FieldError) as info:
        parse_price({"asset": "ETH", "price_eur": "0", "as_of": "2022-06-01", "source": "x"})
    assert info.value.field == "price_eur"
    with pytest.raises(FieldError) as info:
        parse_price({"asset": "ETH", "price_eur": "1", "as_of": "yesterday", "source": "x"})
    assert info.value.field == "as_of"
