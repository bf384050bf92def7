"""The provider's customers, their wallets, balances and prices. Frozen dataclasses and pure parsing."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from rempart.domain.dates import PartialDate
from rempart.domain.lists import sha256_json

CUSTOMER_FIELDS = (
    "customer_id",
    "type",
    "name",
    "alt_names",
    "birth_date",
    "nationalities",
    "residence_country",
    "residence_permits",
    "establishment_country",
    "registration_number",
    "email",
    "wallets",
    "created_at",
)
CUSTOMER_TYPES = {
    "person": "person",
    "individual": "person",
    "company": "company",
    "organization": "company",
    "organisation": "company",
    "legal_entity": "company",
    "entity": "company",
}
PERMIT_KINDS = ("temporary", "permanent")
_CC = re.compile(r"^[A-Z]{2}$")
_ASSET = re.compile(r"^[A-Za-z0-9._-]{1,20}$")
# The longest value each bounded field may hold (the store keeps these in fixed-width columns).
MAX_LENGTH = {
    "customer_id": 120,
    "account_id": 120,
    "registration_number": 120,
    "email": 320,
    "wallets.chain": 20,
    "wallets.address": 200,
    "created_at": 40,
    "as_of": 40,
    "source": 120,
    "amount": 64,
    "price_eur": 64,
}


class FieldError(ValueError):
    """A value that is not what was expected; the adapter adds file and line."""

    def __init__(self, field: str, message: str, expected: str, value: object = None) -> None:
        super().__init__(message)
        self.field = field
        self.expected = expected
        self.value = None if value is None else str(value)


@dataclass(frozen=True, slots=True)
class ResidencePermit:
    country: str
    kind: str  # temporary | permanent
    valid_until: date | None

    def valid_on(self, day: date) -> bool:
        return self.valid_until is None or day <= self.valid_until

    def to_dict(self) -> dict[str, Any]:
        return {
            "country": self.country,
            "kind": self.kind,
            "valid_until": self.valid_until.isoformat() if self.valid_until else None,
        }


@dataclass(frozen=True, slots=True)
class CustomerWallet:
    chain: str
    address: str


@dataclass(frozen=True, slots=True)
class Customer:
    customer_id: str
    type: str  # person | company
    name: str
    alt_names: tuple[str, ...] = ()
    birth_date: PartialDate | None = None
    nationalities: tuple[str, ...] = ()
    residence_country: str | None = None
    residence_permits: tuple[ResidencePermit, ...] = ()
    establishment_country: str | None = None
    registration_number: str | None = None
    email: str | None = None
    wallets: tuple[CustomerWallet, ...] = ()
    created_at: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "type": self.type,
            "name": self.name,
            "alt_names": list(self.alt_names),
            "birth_date": self.birth_date.iso() if self.birth_date else None,
            "nationalities": list(self.nationalities),
            "residence_country": self.residence_country,
            "residence_permits": [p.to_dict() for p in self.residence_permits],
            "establishment_country": self.establishment_country,
            "registration_number": self.registration_number,
            "email": self.email,
            "wallets": [{"chain": w.chain, "address": w.address} for w in self.wallets],
            "created_at": self.created_at,
        }

    def data_hash(self) -> str:
        return sha256_json(self.to_dict())


@dataclass(frozen=True, slots=True)
class Balance:
    customer_id: str
    account_id: str
    asset: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Price:
    asset: str
    price_eur: Decimal
    as_of: str  # ISO date or datetime, as given
    source: str


# --- parsing (pure) -------------------------------------------------------------------------------


def _text(v: object) -> str:
    return "" if v is None else str(v).strip()


def _list(v: object, field: str) -> list[str]:
    if v is None:
        return []
    if isinstance(v, list | tuple):
        return [_text(x) for x in v if _text(x)]
    if isinstance(v, str):
        return [p.strip() for p in v.split(";") if p.strip()]
    raise FieldError(field, "not a list", "a list, or values separated by ';'", v)


def _fits(v: str, field: str) -> str:
    """`v` itself, refused when longer than the field's `MAX_LENGTH`."""
    limit = MAX_LENGTH[field]
    if len(v) > limit:
        shown = v if len(v) <= 60 else v[:57] + "..."
        raise FieldError(
            field.split(".")[0], f"too long ({len(v)} characters)", f"at most {limit} characters", shown
        )
    return v


def _country(v: str, field: str) -> str:
    cc = v.strip().upper()
    if not _CC.match(cc):
        raise FieldError(field, "not a country code", "an ISO 3166-1 alpha-2 code such as DE", v)
    return cc


def _date(v: str, field: str) -> date:
    try:
        return date.fromisoformat(v)
    except ValueError:
        raise FieldError(field, "not a date", "a date YYYY-MM-DD", v) from None


def parse_decimal(v: object, field: str, *, positive: bool = False, non_negative: bool = False) -> Decimal:
    if isinstance(v, float):
        raise FieldError(field, "a binary float loses cents", 'a decimal string such as "0.5"', v)
    s = _text(v)
    try:
        d = Decimal(s)
    except InvalidOperation:
        raise FieldError(field, "not a decimal number", "a decimal number such as 1234.56", v) from None
    if not d.is_finite():
        raise FieldError(field, "not a finite number", "a decimal number such as 1234.56", v)
    if len(str(d)) > MAX_LENGTH.get(field, 64):
        raise FieldError(field, "too many digits", f"at most {MAX_LENGTH.get(field, 64)} characters", s[:60])
    if positive and d <= 0:
        raise FieldError(field, "must be greater than zero", "a positive decimal", v)
    if non_negative and d < 0:
        raise FieldError(field, "must not be negative", "a decimal >= 0", v)
    return d


def parse_customer(row: Mapping[str, Any]) -> Customer:
    """Build a Customer from one record of the customer file (CSV cells or JSON values)."""
    cid = _text(row.get("customer_id"))
    if not cid:
        raise FieldError("customer_id", "missing", "a non-empty customer id")
    _fits(cid, "customer_id")
    raw_type = _text(row.get("type")).lower()
    if raw_type not in CUSTOMER_TYPES:
        raise FieldError("type", "unknown customer type", "person or company", row.get("type"))
    name = _text(row.get("name"))
    if not name:
        raise FieldError("name", "missing", "the customer's name")
    bd_text = _text(row.get("birth_date"))
    birth: PartialDate | None = None
    if bd_text:
        try:
            birth = PartialDate.parse_iso(bd_text)
        except ValueError:
            raise FieldError("birth_date", "not a date", "YYYY, YYYY-MM or YYYY-MM-DD", bd_text) from None
    nats = tuple(_country(c, "nationalities") for c in _list(row.get("nationalities"), "nationalities"))
    res = _text(row.get("residence_country"))
    est = _text(row.get("establishment_country"))
    permits = []
    for p in _list(row.get("residence_permits"), "residence_permits"):
        parts = p.split(":")
        if len(parts) not in (2, 3):
            raise FieldError(
                "residence_permits",
                "malformed permit",
                "CC:kind:valid_until, e.g. DE:temporary:2027-01-01",
                p,
            )
        kind = parts[1].strip().lower()
        if kind not in PERMIT_KINDS:
            raise FieldError("residence_permits", "unknown permit kind", "temporary or permanent", parts[1])
        until = _date(parts[2].strip(), "residence_permits") if len(parts) == 3 and parts[2].strip() else None
        permits.append(ResidencePermit(_country(parts[0], "residence_permits"), kind, until))
    wallets = []
    for w in _list(row.get("wallets"), "wallets"):
        chain, sep, addr = w.partition(":")
        if not sep or not chain.strip() or not addr.strip():
            raise FieldError("wallets", "malformed wallet", "chain:address, e.g. ETH:0x...", w)
        wallets.append(
            CustomerWallet(
                _fits(chain.strip().upper(), "wallets.chain"), _fits(addr.strip(), "wallets.address")
            )
        )
    created = _text(row.get("created_at")) or None
    if created:
        _fits(created, "created_at")
        try:
            datetime.fromisoformat(created.replace("Z", "+00:00"))
        except ValueError:
            raise FieldError(
                "created_at", "not a timestamp", "an ISO 8601 date or date-time", created
            ) from None
    email = _text(row.get("email")) or None
    if email and "@" not in email:
        raise FieldError("email", "not an e-mail address", "name@domain", email)
    registration = _text(row.get("registration_number")) or None
    if registration:
        _fits(registration, "registration_number")
    return Customer(
        customer_id=cid,
        type=CUSTOMER_TYPES[raw_type],
        name=name,
        alt_names=tuple(_list(row.get("alt_names"), "alt_names")),
        birth_date=birth,
        nationalities=nats,
        residence_country=_country(res, "residence_country") if res else None,
        residence_permits=tuple(permits),
        establishment_country=_country(est, "establishment_country") if est else None,
        registration_number=registration,
        email=_fits(email, "email") if email else None,
        wallets=tuple(wallets),
        created_at=created,
    )


def parse_balance(row: Mapping[str, Any]) -> Balance:
    for f in ("customer_id", "account_id", "asset"):
        if not _text(row.get(f)):
            raise FieldError(f, "missing", f"a non-empty {f}")
    _fits(_text(row["customer_id"]), "customer_id")
    _fits(_text(row["account_id"]), "account_id")
    asset = _text(row.get("asset")).upper()
    if not _ASSET.match(asset):
        raise FieldError("asset", "not an asset code", "a ticker such as BTC", asset)
    return Balance(
        _text(row["customer_id"]),
        _text(row["account_id"]),
        asset,
        parse_decimal(row.get("amount"), "amount", non_negative=True),
    )


def parse_price(row: Mapping[str, Any]) -> Price:
    asset = _text(row.get("asset")).upper()
    if not _ASSET.match(asset):
        raise FieldError("asset", "not an asset code", "a ticker such as BTC", row.get("asset"))
    as_of = _fits(_text(row.get("as_of")), "as_of")
    try:
        datetime.fromisoformat(as_of.replace("Z", "+00:00"))
    except ValueError:
        raise FieldError("as_of", "not a date", "an ISO 8601 date or date-time", as_of) from None
    source = _fits(_text(row.get("source")), "source")
    if not source:
        raise FieldError("source", "missing", "where the price comes from (e.g. an exchange or index)")
    return Price(asset, parse_decimal(row.get("price_eur"), "price_eur", positive=True), as_of, source)


def check_header(columns: Sequence[str], required: Sequence[str]) -> list[str]:
    """The required columns missing from a header."""
    have = {c.strip() for c in columns}
    return [c for c in required if c not in have]
