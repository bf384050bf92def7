"""A government request for customer data, as the desk receives it. Pure: parsed from a mapping.

The JSON shape is fixed by `product.md` ("Request evaluation: input and output"); extra fields are
accepted. A field that is *missing* stays `None` (the evaluation answers `needs_info`); a field that is
*malformed* (unknown category, impossible date, dates in the wrong order) raises `InputError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from rempart.errors import InputError

CATEGORIES = ("subscriber", "identification", "transactions", "content")
AUTHORITY_TYPES = (
    "police",
    "prosecutor",
    "court",
    "investigating_judge",
    "regulator",
    "tax",
    "intelligence",
    "other",
)
INSTRUMENT_TYPES = (
    "subpoena",
    "court_order",
    "search_warrant",
    "epoc",
    "epoc_pr",
    "mlat",
    "emergency",
    "preservation_letter",
    "informal",
)
PRESERVATION_INSTRUMENTS = ("epoc_pr", "preservation_letter")
ISSUER_ROLES = ("judge", "court", "investigating_judge", "prosecutor", "police", "agency")
TARGET_TYPES = ("customer_id", "email", "wallet", "txid")
PROVIDER_ENTITIES = ("EU", "US")


@dataclass(frozen=True, slots=True)
class Requester:
    agency: str | None = None
    country: str | None = None
    authority_type: str | None = None
    officer: str | None = None
    email: str | None = None
    verified: bool = False  # out-of-band verification done by the desk (agency switchboard)
    phone: str | None = None


@dataclass(frozen=True, slots=True)
class Instrument:
    type: str | None = None
    issuer_role: str | None = None
    reference: str | None = None
    issued_at: date | None = None
    offence: str | None = None
    max_penalty_years: Decimal | None = None
    validated_by: str | None = None  # e-Evidence Art. 4: an order validated by a judge or prosecutor
    document_sha256: str | None = None
    due_at: datetime | None = None  # a return date set by the instrument itself


@dataclass(frozen=True, slots=True)
class Target:
    type: str
    value: str
    tags: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    def contains(self, d: date) -> bool:
        return self.start <= d <= self.end


@dataclass(frozen=True, slots=True)
class NonDisclosure:
    until: date | None = None  # None: no end date (review periodically)
    review_at: date | None = None


@dataclass(frozen=True)
class DataRequest:
    received_at: datetime | None
    provider_entity: str | None
    requester: Requester
    instrument: Instrument
    emergency: bool = False
    emergency_justification: str | None = None
    targets: tuple[Target, ...] = ()
    data_categories: tuple[str, ...] = ()
    date_range: DateRange | None = None
    non_disclosure: NonDisclosure | None = None
    provider_country: str | None = None
    description: str | None = None
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False, repr=False)

    @property
    def is_emergency(self) -> bool:
        return self.emergency or self.instrument.type == "emergency"

    @property
    def is_preservation(self) -> bool:
        return self.instrument.type in PRESERVATION_INSTRUMENTS

    def free_text(self) -> str:
        """Every free-text field, for red-flag terms (offence, description, justification, agency)."""
        parts = [
            self.instrument.offence,
            self.description,
            self.emergency_justification,
            self.requester.agency,
            self.instrument.reference,
        ]
        parts += [t.value for t in self.targets if t.type not in ("wallet", "txid")]
        extra = self.raw.get("notes")
        if isinstance(extra, str):
            parts.append(extra)
        return "\n".join(p for p in parts if p)


# --- parsing --------------------------------------------------------------------------------------


def _str(d: Mapping[str, Any], key: str, element: str) -> str | None:
    v = d.get(key)
    if v is None:
        return None
    if isinstance(v, bool) or not isinstance(v, str | int | float):
        raise InputError("must be a string", element=element, field=key, expected="a string", value=repr(v))
    s = str(v).strip()
    return s or None


def _enum(d: Mapping[str, Any], key: str, element: str, allowed: tuple[str, ...]) -> str | None:
    v = _str(d, key, element)
    if v is None:
        return None
    if v not in allowed:
        raise InputError(f"unknown {key}", element=element, field=key, expected=" | ".join(allowed), value=v)
    return v


def _date(d: Mapping[str, Any], key: str, element: str) -> date | None:
    v = _str(d, key, element)
    if v is None:
        return None
    try:
        return date.fromisoformat(v[:10]) if len(v) > 10 and v[10] == "T" else date.fromisoformat(v)
    except ValueError:
        raise InputError("not a date", element=element, field=key, expected="YYYY-MM-DD", value=v) from None


def parse_datetime(text: str, *, element: str = "request", field: str = "received_at") -> datetime:
    """ISO 8601 with a `Z` or an offset; a naive time or a bare date is taken as UTC."""
    s = text.strip()
    try:
        if len(s) == 10:
            dt = datetime.combine(date.fromisoformat(s), datetime.min.time())
        else:
            dt = datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(
            "not a date-time",
            element=element,
            field=field,
            expected="ISO 8601, e.g. 2026-09-01T10:00:00Z",
            value=s,
        ) from None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def format_datetime(dt: datetime) -> str:
    return dt.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _mapping(d: Mapping[str, Any], key: str, element: str) -> Mapping[str, Any]:
    v = d.get(key)
    if v is None:
        return {}
    if not isinstance(v, Mapping):
        raise InputError(
            "must be an object", element=element, field=key, expected="a JSON object", value=repr(v)
        )
    return v


def parse_request(data: Any) -> DataRequest:
    """Build a `DataRequest` from the JSON shape of `product.md`. Malformed values raise `InputError`."""
    if not isinstance(data, Mapping):
        raise InputError(
            "a request must be a JSON object", expected="a JSON object", value=type(data).__name__
        )
    received = _str(data, "received_at", "request")
    received_at = parse_datetime(received) if received else None
    entity = _str(data, "provider_entity", "request")
    if entity is not None:
        entity = entity.upper()
        if entity not in PROVIDER_ENTITIES:
            raise InputError(
                "unknown provider entity",
                element="request",
                field="provider_entity",
                expected=" | ".join(PROVIDER_ENTITIES),
                value=entity,
            )
    provider_country = _str(data, "provider_country", "request")

    r = _mapping(data, "requester", "request")
    verified = r.get("verified", False)
    if not isinstance(verified, bool):
        raise InputError(
            "must be true or false",
            element="requester",
            field="verified",
            expected="a boolean",
            value=repr(verified),
        )
    country = _str(r, "country", "requester")
    requester = Requester(
        agency=_str(r, "agency", "requester"),
        country=country.upper() if country else None,
        authority_type=_enum(r, "authority_type", "requester", AUTHORITY_TYPES),
        officer=_str(r, "officer", "requester"),
        email=(_str(r, "email", "requester") or "").lower() or None,
        verified=verified,
        phone=_str(r, "phone", "requester"),
    )

    i = _mapping(data, "instrument", "request")
    penalty_raw = i.get("max_penalty_years")
    penalty: Decimal | None = None
    if penalty_raw is not None and penalty_raw != "":
        try:
            if isinstance(penalty_raw, bool):
                raise InvalidOperation
            penalty = Decimal(str(penalty_raw))
        except InvalidOperation:
            raise InputError(
                "not a number",
                element="instrument",
                field="max_penalty_years",
                expected="a number of years",
                value=repr(penalty_raw),
            ) from None
        if penalty < 0:
            raise InputError(
                "negative penalty",
                element="instrument",
                field="max_penalty_years",
                expected="a number of years >= 0",
                value=str(penalty),
            )
    due = _str(i, "due_at", "instrument")
    instrument = Instrument(
        type=_enum(i, "type", "instrument", INSTRUMENT_TYPES),
        issuer_role=_enum(i, "issuer_role", "instrument", ISSUER_ROLES),
        reference=_str(i, "reference", "instrument"),
        issued_at=_date(i, "issued_at", "instrument"),
        offence=_str(i, "offence", "instrument"),
        max_penalty_years=penalty,
        validated_by=_enum(i, "validated_by", "instrument", ISSUER_ROLES),
        document_sha256=_str(i, "document_sha256", "instrument"),
        due_at=parse_datetime(due, element="instrument", field="due_at") if due else None,
    )

    emergency = data.get("emergency", False)
    if emergency is None:
        emergency = False
    if not isinstance(emergency, bool):
        raise InputError(
            "must be true or false",
            element="request",
            field="emergency",
            expected="a boolean",
            value=repr(emergency),
        )

    targets_raw = data.get("targets") or []
    if not isinstance(targets_raw, list):
        raise InputError("must be a list", element="request", field="targets", expected="a JSON array")
    targets: list[Target] = []
    for n, t in enumerate(targets_raw):
        el = f"targets[{n}]"
        if not isinstance(t, Mapping):
            raise InputError(
                "must be an object", element=el, expected='{"type": ..., "value": ...}', value=repr(t)
            )
        ttype = _enum(t, "type", el, TARGET_TYPES)
        value = _str(t, "value", el)
        if ttype is None or value is None:
            raise InputError(
                "a target needs a type and a value",
                element=el,
                expected='{"type": "customer_id|email|wallet|txid", "value": "..."}',
            )
        tags_raw = t.get("tags") or []
        if not isinstance(tags_raw, list) or not all(isinstance(x, str) for x in tags_raw):
            raise InputError(
                "must be a list of strings", element=el, field="tags", expected="a JSON array of strings"
            )
        targets.append(
            Target(
                ttype,
                value.lower() if ttype == "email" else value,
                tuple(x.strip().lower() for x in tags_raw),
            )
        )

    cats_raw = data.get("data_categories") or []
    if not isinstance(cats_raw, list):
        raise InputError(
            "must be a list", element="request", field="data_categories", expected="a JSON array"
        )
    cats: list[str] = []
    for c in cats_raw:
        if not isinstance(c, str) or c.strip() not in CATEGORIES:
            raise InputError(
                "unknown data category",
                element="request",
                field="data_categories",
                expected=" | ".join(CATEGORIES),
                value=str(c),
            )
        if c.strip() not in cats:
            cats.append(c.strip())
    ordered = tuple(c for c in CATEGORIES if c in cats)

    dr = _mapping(data, "date_range", "request")
    start, end = _date(dr, "from", "date_range"), _date(dr, "to", "date_range")
    date_range: DateRange | None = None
    if start is not None and end is not None:
        if start > end:
            raise InputError(
                "dates in the wrong order",
                element="date_range",
                field="from",
                expected=f"'from' on or before 'to' ({end.isoformat()})",
                value=start.isoformat(),
            )
        date_range = DateRange(start, end)

    nd_raw = data.get("non_disclosure")
    non_disclosure: NonDisclosure | None = None
    if nd_raw is not None and nd_raw is not False:
        if nd_raw is True:
            non_disclosure = NonDisclosure()
        elif isinstance(nd_raw, Mapping):
            if nd_raw.get("ordered", True) is not False:
                non_disclosure = NonDisclosure(
                    _date(nd_raw, "until", "non_disclosure"), _date(nd_raw, "review_at", "non_disclosure")
                )
        else:
            raise InputError(
                "must be an object",
                element="request",
                field="non_disclosure",
                expected='{"until": "YYYY-MM-DD" | null}',
                value=repr(nd_raw),
            )

    return DataRequest(
        received_at=received_at,
        provider_entity=entity,
        requester=requester,
        instrument=instrument,
        emergency=emergency,
        emergency_justification=_str(data, "emergency_justification", "request"),
        targets=tuple(targets),
        data_categories=ordered,
        date_range=date_range,
        non_disclosure=non_disclosure,
        provider_country=provider_country.upper() if provider_country else None,
        description=_str(data, "description", "request"),
        raw=dict(data),
    )


def partial_date_range(data: Mapping[str, Any]) -> tuple[bool, bool]:
    """Which ends of the date range were given (for the missing-field check)."""
    dr = data.get("date_range")
    if not isinstance(dr, Mapping):
        return (False, False)
    return (dr.get("from") not in (None, ""), dr.get("to") not in (None, ""))
