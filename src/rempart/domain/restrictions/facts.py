"""The facts a restriction decision uses, parsed from the product's JSON shape with errors naming the field.

`None` means *unknown*: a fact that is unknown and could change the outcome gives `review`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from rempart.domain.lists import sha256_json
from rempart.domain.rules.model import ACTIONS, LISTS
from rempart.errors import InputError

CUSTOMER_TYPES = {
    "person": "person",
    "natural_person": "person",
    "individual": "person",
    "entity": "entity",
    "company": "entity",
    "organization": "entity",
    "legal_person": "entity",
    "organisation": "entity",
    "legalentity": "entity",
}
PERMIT_KINDS = {"temporary", "permanent", "visa", "other"}
# Usual spellings of the same kinds. A visa (Schengen or national) is not a residence permit.
PERMIT_KIND_ALIASES = {
    "temporary_residence": "temporary",
    "temporary_residence_permit": "temporary",
    "temporary_permit": "temporary",
    "permanent_residence": "permanent",
    "permanent_residence_permit": "permanent",
    "permanent_permit": "permanent",
    "long_term": "permanent",
    "long_term_resident": "permanent",
    "schengen_visa": "visa",
    "national_visa": "visa",
}
LIST_ALIASES = {"ofsi": "uk", "gb": "uk", "sdn": "ofac", "us": "ofac", "unsc": "un"}
# Match status as given -> as decided on: a possible match is one not yet adjudicated (-> review); an
# adjudicated false positive is no match and is dropped.
MATCH_STATUSES = {
    "confirmed": "confirmed",
    "true_positive": "confirmed",
    "possible": "possible",
    "open": "possible",
    "pending": "possible",
    "unadjudicated": "possible",
    "potential": "possible",
    "dismissed": "dismissed",
    "false_positive": "dismissed",
}
PROVIDER_ENTITIES = {"EU", "US", "UK"}
EU_MEMBERS = frozenset(
    [
        "AT",
        "BE",
        "BG",
        "HR",
        "CY",
        "CZ",
        "DK",
        "EE",
        "FI",
        "FR",
        "DE",
        "GR",
        "EL",
        "HU",
        "IE",
        "IT",
        "LV",
        "LT",
        "LU",
        "MT",
        "NL",
        "PL",
        "PT",
        "RO",
        "SK",
        "SI",
        "ES",
        "SE",
    ]
)
SERVICES = {
    "custody",
    "exchange",
    "trading_platform",
    "transfer",
    "reception_transmission",
    "execution",
    "advice",
    "portfolio_management",
    "placing",
    "payment",
    "e_money",
}
_CC = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True, slots=True)
class Permit:
    country: str
    kind: str
    valid_until: date | None
    valid_from: date | None = None


@dataclass(frozen=True, slots=True)
class Sanction:
    list: str
    regime: str | None = None
    entity_id: str | None = None
    status: str = "confirmed"  # confirmed | possible
    listed_from: date | None = None
    listed_until: date | None = None


@dataclass(frozen=True, slots=True)
class Owner:
    share: Decimal | None
    type: str | None = "person"
    nationalities: tuple[str, ...] | None = None
    residence_country: str | None = None
    sanctions: tuple[Sanction, ...] = ()


@dataclass(frozen=True, slots=True)
class Customer:
    type: str | None
    nationalities: tuple[str, ...] | None
    residence_country: str | None
    residence_permits: tuple[Permit, ...]
    establishment_country: str | None
    sanctions: tuple[Sanction, ...]
    ownership: tuple[Owner, ...] | None = None
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Holding:
    account_id: str
    asset: str
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Price:
    asset: str
    price_eur: Decimal
    source: str | None = None
    as_of: str | None = None


@dataclass(frozen=True)
class Facts:
    as_of: date
    action: str
    customer: Customer
    holdings: tuple[Holding, ...]
    prices: Mapping[str, Price]
    provider_entity: str = "EU"
    services: tuple[str, ...] | None = None  # None: a custodial exchange account
    asset: str | None = None  # the action's asset and amount (deposit, withdraw, transfer_out)
    amount: Decimal | None = None
    account_id: str | None = None
    raw: Mapping[str, Any] | None = None

    @property
    def jurisdiction(self) -> str:
        return (
            "EU"
            if self.provider_entity in EU_MEMBERS
            else ("UK" if self.provider_entity == "GB" else self.provider_entity)
        )

    def to_dict(self) -> dict[str, Any]:
        c = self.customer
        return {
            "as_of": self.as_of.isoformat(),
            "action": self.action,
            "provider_entity": self.provider_entity,
            "customer": {
                "id": c.id,
                "type": c.type,
                "nationalities": list(c.nationalities) if c.nationalities is not None else None,
                "residence_country": c.residence_country,
                "residence_permits": [
                    {
                        "country": p.country,
                        "kind": p.kind,
                        "valid_from": p.valid_from.isoformat() if p.valid_from else None,
                        "valid_until": p.valid_until.isoformat() if p.valid_until else None,
                    }
                    for p in c.residence_permits
                ],
                "establishment_country": c.establishment_country,
                "sanctions": [_sanction_dict(s) for s in c.sanctions],
                "ownership": None
                if c.ownership is None
                else [
                    {
                        "share": str(o.share) if o.share is not None else None,
                        "type": o.type,
                        "nationalities": list(o.nationalities) if o.nationalities is not None else None,
                        "residence_country": o.residence_country,
                        "sanctions": [_sanction_dict(s) for s in o.sanctions],
                    }
                    for o in c.ownership
                ],
            },
            "holdings": [
                {"account_id": h.account_id, "asset": h.asset, "amount": str(h.amount)} for h in self.holdings
            ],
            "prices_eur": {
                k: {"price": str(p.price_eur), "source": p.source, "as_of": p.as_of}
                for k, p in sorted(self.prices.items())
            },
            "services": list(self.services) if self.services is not None else None,
            "asset": self.asset,
            "amount": str(self.amount) if self.amount is not None else None,
            "account_id": self.account_id,
        }

    def content_hash(self) -> str:
        return sha256_json(self.to_dict())


def _sanction_dict(s: Sanction) -> dict[str, Any]:
    return {
        "list": s.list,
        "regime": s.regime,
        "entity_id": s.entity_id,
        "status": s.status,
        "listed_from": s.listed_from.isoformat() if s.listed_from else None,
        "listed_until": s.listed_until.isoformat() if s.listed_until else None,
    }


# ---------------------------------------------------------------- parsing


class _P:
    """Field-naming parse helpers."""

    def __init__(self, file: str | None) -> None:
        self.file = file

    def err(self, field: str, message: str, expected: str, value: Any = None) -> InputError:
        return InputError(
            message,
            file=self.file,
            field=field,
            expected=expected,
            value=None if value is None else str(value)[:80],
        )

    def date(self, v: Any, field: str, required: bool = False) -> date | None:
        if v is None:
            if required:
                raise self.err(field, "missing", "a date YYYY-MM-DD")
            return None
        if not isinstance(v, str):
            raise self.err(field, "not a date", "a date YYYY-MM-DD", v)
        try:
            return date.fromisoformat(v.strip()[:10]) if len(v.strip()) >= 10 else date.fromisoformat(v)
        except ValueError:
            raise self.err(field, "not a date", "a date YYYY-MM-DD", v) from None

    def decimal(self, v: Any, field: str, *, negative: bool = False) -> Decimal:
        if isinstance(v, bool) or not isinstance(v, str | int | float):
            raise self.err(field, "not a decimal", 'a decimal string such as "0.5"', v)
        try:
            d = Decimal(str(v).strip())
        except InvalidOperation:
            raise self.err(field, "not a decimal", 'a decimal string such as "0.5"', v) from None
        if not d.is_finite() or (d < 0 and not negative):
            raise self.err(field, "not a finite non-negative decimal", 'a decimal string such as "0.5"', v)
        return d

    def country(self, v: Any, field: str) -> str | None:
        if v is None or v == "":
            return None
        if not isinstance(v, str) or not _CC.match(v.strip().upper()):
            raise self.err(field, "not a country code", 'an ISO 3166-1 alpha-2 code such as "RU"', v)
        return v.strip().upper()

    def countries(self, v: Any, field: str) -> tuple[str, ...] | None:
        if v is None:
            return None
        if isinstance(v, str):
            v = [x for x in v.replace(",", ";").split(";") if x.strip()]
        if not isinstance(v, list):
            raise self.err(field, "not a list", "a list of ISO 3166-1 alpha-2 codes", v)
        out = []
        for i, x in enumerate(v):
            c = self.country(x, f"{field}[{i}]")
            if c:
                out.append(c)
        return tuple(sorted(set(out))) if out else None  # an empty list is as good as unknown

    def obj(self, v: Any, field: str) -> Mapping[str, Any]:
        if not isinstance(v, dict):
            raise self.err(field, "not an object", "a JSON object", v)
        return v

    def lst(self, v: Any, field: str) -> list[Any]:
        if v is None:
            return []
        if not isinstance(v, list):
            raise self.err(field, "not a list", "a JSON array", v)
        return v


def parse_sanctions(p: _P, v: Any, field: str) -> tuple[Sanction, ...]:
    out = []
    for i, s in enumerate(p.lst(v, field)):
        f = f"{field}[{i}]"
        s = p.obj(s, f)
        lst = str(s.get("list", "")).lower()
        lst = LIST_ALIASES.get(lst, lst)
        if lst not in LISTS:
            raise p.err(f"{f}.list", "unknown list", "one of " + ", ".join(LISTS), s.get("list"))
        status = str(s.get("status") or "confirmed").lower()
        if status not in MATCH_STATUSES:
            raise p.err(f"{f}.status", "unknown match status", "confirmed, possible or dismissed", status)
        status = MATCH_STATUSES[status]
        if status == "dismissed":
            continue
        out.append(
            Sanction(
                list=lst,
                regime=s.get("regime"),
                entity_id=s.get("entity_id"),
                status=status,
                listed_from=p.date(s.get("listed_from", s.get("listed_on")), f"{f}.listed_from"),
                listed_until=p.date(s.get("listed_until", s.get("delisted_on")), f"{f}.listed_until"),
            )
        )
    return tuple(out)


def parse_customer(p: _P, v: Any, field: str = "customer") -> Customer:
    c = p.obj(v, field)
    raw_type = c.get("type")
    ctype = None
    if raw_type is not None:
        ctype = CUSTOMER_TYPES.get(str(raw_type).lower())
        if ctype is None:
            raise p.err(f"{field}.type", "unknown customer type", "person or entity", raw_type)
    permits = []
    for i, pm in enumerate(p.lst(c.get("residence_permits"), f"{field}.residence_permits")):
        f = f"{field}.residence_permits[{i}]"
        if isinstance(pm, str):  # CC:kind:valid_until, as in the customer file
            parts = pm.split(":")
            pm = {
                "country": parts[0],
                "kind": parts[1] if len(parts) > 1 else None,
                "valid_until": parts[2] if len(parts) > 2 and parts[2] else None,
            }
        pm = p.obj(pm, f)
        country = p.country(pm.get("country"), f"{f}.country")
        if country is None:
            raise p.err(f"{f}.country", "missing", "an ISO 3166-1 alpha-2 code")
        kind = str(pm.get("kind") or "").lower().replace(" ", "_").replace("-", "_")
        kind = PERMIT_KIND_ALIASES.get(kind, kind)
        if kind not in PERMIT_KINDS:
            raise p.err(
                f"{f}.kind", "unknown permit kind", "temporary, permanent, visa or other", pm.get("kind")
            )
        permits.append(
            Permit(
                country,
                kind,
                p.date(pm.get("valid_until"), f"{f}.valid_until"),
                p.date(pm.get("valid_from"), f"{f}.valid_from"),
            )
        )
    ownership = None
    if c.get("ownership") is not None or c.get("owners") is not None:
        key = "ownership" if c.get("ownership") is not None else "owners"
        owners = []
        for i, o in enumerate(p.lst(c.get(key), f"{field}.{key}")):
            f = f"{field}.{key}[{i}]"
            o = p.obj(o, f)
            share_raw = o.get("share_percent", o.get("share"))
            share = p.decimal(share_raw, f"{f}.share") if share_raw is not None else None
            otype = CUSTOMER_TYPES.get(str(o.get("type", "person")).lower(), "person")
            owners.append(
                Owner(
                    share,
                    otype,
                    p.countries(o.get("nationalities"), f"{f}.nationalities"),
                    p.country(o.get("residence_country"), f"{f}.residence_country"),
                    parse_sanctions(p, o.get("sanctions"), f"{f}.sanctions"),
                )
            )
        ownership = tuple(owners)
    return Customer(
        type=ctype,
        nationalities=p.countries(c.get("nationalities"), f"{field}.nationalities"),
        residence_country=p.country(c.get("residence_country"), f"{field}.residence_country"),
        residence_permits=tuple(permits),
        establishment_country=p.country(c.get("establishment_country"), f"{field}.establishment_country"),
        sanctions=parse_sanctions(p, c.get("sanctions"), f"{field}.sanctions")
        + parse_sanctions(
            p,
            [
                {**x, "status": "possible"} if isinstance(x, dict) else x
                for x in p.lst(c.get("possible_matches"), f"{field}.possible_matches")
            ],
            f"{field}.possible_matches",
        ),
        ownership=ownership,
        id=str(c["id"]) if c.get("id") is not None else None,
    )


def parse_facts(doc: Any, file: str | None = None, *, default_as_of: date | None = None) -> Facts:
    """Parse the decision input of product.md (plus optional fields); raise InputError naming the field."""
    p = _P(file)
    d = p.obj(doc, "(body)")
    as_of = p.date(d.get("as_of"), "as_of", required=default_as_of is None) or default_as_of
    assert as_of is not None
    action = d.get("action", "hold")
    if action not in ACTIONS:
        raise p.err("action", "unknown action", "one of " + ", ".join(ACTIONS), action)
    if "customer" not in d:
        raise p.err("customer", "missing", "a customer object")
    customer = parse_customer(p, d["customer"])
    holdings = []
    for i, h in enumerate(p.lst(d.get("holdings"), "holdings")):
        f = f"holdings[{i}]"
        h = p.obj(h, f)
        asset = h.get("asset")
        if not isinstance(asset, str) or not asset.strip():
            raise p.err(f"{f}.asset", "missing", 'an asset code such as "BTC"', asset)
        if "amount" not in h:
            raise p.err(f"{f}.amount", "missing", "a decimal string")
        holdings.append(
            Holding(
                str(h.get("account_id") or h.get("wallet") or "default"),
                asset.strip().upper(),
                p.decimal(h["amount"], f"{f}.amount"),
            )
        )
    prices: dict[str, Price] = {}
    praw = d.get("prices_eur") or {}
    if not isinstance(praw, dict):
        raise p.err("prices_eur", "not an object", "an object of asset to EUR price string", praw)
    for asset, pv in praw.items():
        f = f"prices_eur.{asset}"
        if isinstance(pv, dict):
            prices[asset.upper()] = Price(
                asset.upper(),
                p.decimal(pv.get("price", pv.get("price_eur")), f"{f}.price"),
                pv.get("source"),
                pv.get("as_of"),
            )
        else:
            prices[asset.upper()] = Price(asset.upper(), p.decimal(pv, f))
    for ev in p.lst(d.get("price_evidence"), "price_evidence"):
        if isinstance(ev, dict) and str(ev.get("asset", "")).upper() in prices:
            a = str(ev["asset"]).upper()
            prices[a] = Price(a, prices[a].price_eur, ev.get("source"), ev.get("as_of"))
    for name in ("asset", "provider_entity"):  # not str(): a list or a number is no code
        if d.get(name) is not None and not isinstance(d[name], str):
            raise p.err(
                name, "not a string", "a code such as " + ('"BTC"' if name == "asset" else '"EU"'), d[name]
            )
    provider = str(d.get("provider_entity") or "EU").upper()
    if provider not in PROVIDER_ENTITIES and provider not in EU_MEMBERS and provider != "GB":
        raise p.err(
            "provider_entity",
            "unknown provider entity",
            "EU, US or UK (or an EU member state code)",
            provider,
        )
    services = None
    if d.get("services") is not None:
        services = tuple(str(s) for s in p.lst(d.get("services"), "services"))
        for i, s in enumerate(services):
            if s not in SERVICES:
                raise p.err(f"services[{i}]", "unknown service", "one of " + ", ".join(sorted(SERVICES)), s)
    amount = p.decimal(d["amount"], "amount") if d.get("amount") is not None else None
    asset = str(d["asset"]).upper() if d.get("asset") else None
    if amount is not None and asset is None:
        raise p.err("asset", "an amount needs its asset", 'an asset code such as "BTC"')
    return Facts(
        as_of=as_of,
        action=action,
        customer=customer,
        holdings=tuple(holdings),
        prices=prices,
        provider_entity=provider,
        services=services,
        asset=asset,
        amount=amount,
        account_id=str(d["account_id"]) if d.get("account_id") else None,
        raw=d,
    )
