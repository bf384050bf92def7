"""UN Security Council Consolidated List, official XML (`CONSOLIDATED_LIST`).

Streamed with `defusedxml`'s `iterparse` (no DTDs, no entity expansion): each `INDIVIDUAL` becomes a
Person and each `ENTITY` an Organization, with `source_id` = `DATAID`.

- names: `FIRST_NAME`..`FOURTH_NAME` joined; aliases with quality `Good`/`a.k.a.` are aliases,
  `Low` weak aliases, `f.k.a.` previous names; `NAME_ORIGINAL_SCRIPT` is an alias in its detected script;
- birth dates: `DATE` (full), `YEAR` (exact or approximately), `FROM_YEAR`..`TO_YEAR` ranges;
- nationalities (ISO2; unknown values go to remarks), documents, addresses, `LISTED_ON`;
- `as_of` is the date of the root's `dateGenerated` attribute.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from rempart.adapters.sources._common import (
    clean,
    country_code,
    detect_script,
    require_date,
    source_files,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Address, Identifier, ListedEntity, ListSnapshot, Name, NameKind
from rempart.errors import InputError

_ALIAS_KINDS = {
    "good": NameKind.ALIAS,
    "a.k.a.": NameKind.ALIAS,
    "low": NameKind.WEAK_ALIAS,
    "f.k.a.": NameKind.PREVIOUS,
}


def _text(el: ET.Element | None) -> str | None:
    return clean(el.text) if el is not None else None


def _child(el: ET.Element, tag: str) -> str | None:
    return _text(el.find(tag))


def parse_un(path: Path, list_name: str = "un") -> ListSnapshot:
    entities: list[ListedEntity] = []
    as_of: date | None = None
    seen: set[str] = set()
    stack: list[str] = []
    try:
        for event, el in iterparse(str(path), events=("start", "end")):
            if event == "start":
                stack.append(el.tag)
                if el.tag == "CONSOLIDATED_LIST":
                    generated = el.get("dateGenerated")
                    if not generated:
                        raise InputError(
                            "missing dateGenerated",
                            file=path.name,
                            element="CONSOLIDATED_LIST",
                            field="dateGenerated",
                            expected="an ISO timestamp",
                        )
                    as_of = require_date(
                        generated[:10], file=path.name, element="CONSOLIDATED_LIST", field="dateGenerated"
                    )
                continue
            stack.pop()
            if el.tag in ("INDIVIDUAL", "ENTITY"):
                entity = _entity(el, path.name, len(entities) + 1)
                if entity.source_id in seen:
                    raise InputError(
                        "duplicate DATAID",
                        file=path.name,
                        element=f"{el.tag}[{len(entities) + 1}]",
                        field="DATAID",
                        expected="each DATAID once",
                        value=entity.source_id,
                    )
                seen.add(entity.source_id)
                entities.append(entity)
                el.clear()
    except ET.ParseError as exc:
        line, _col = getattr(exc, "position", (None, None))
        raise InputError(
            f"malformed XML: {exc}",
            file=path.name,
            line=line,
            element="/".join(stack) or None,
            expected="a complete, well-formed UN consolidated list XML",
        ) from exc
    except DefusedXmlException as exc:
        raise InputError(
            f"forbidden XML construct: {exc}", file=path.name, expected="XML without DTD or entities"
        ) from exc
    if as_of is None:
        raise InputError(
            "not a UN consolidated list",
            file=path.name,
            element="CONSOLIDATED_LIST",
            expected="a CONSOLIDATED_LIST root element",
        )
    return ListSnapshot(
        list_name=list_name,
        as_of=as_of,
        source_files=source_files([path]),
        entities=tuple(entities),
    )


def _entity(el: ET.Element, file: str, index: int) -> ListedEntity:
    where = f"{el.tag}[{index}]"
    dataid = _child(el, "DATAID")
    if not dataid or not dataid.isdigit():
        raise InputError(
            "missing or non-numeric DATAID",
            file=file,
            element=where,
            field="DATAID",
            expected="a number",
            value=dataid,
        )
    where = f"{el.tag}[DATAID={dataid}]"
    person = el.tag == "INDIVIDUAL"
    parts = [_child(el, t) for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
    present = [p for p in parts if p]
    if not present:
        raise InputError("no name", file=file, element=where, field="FIRST_NAME", expected="a name")
    full = " ".join(present)
    first = parts[0] if person and len(present) > 1 else None
    last = present[-1] if person and len(present) > 1 else None
    names = [Name(full, NameKind.PRIMARY, detect_script(full), first, last)]
    birth_dates: list[PartialDate] = []
    unknown: list[str] = []

    alias_tag = "INDIVIDUAL_ALIAS" if person else "ENTITY_ALIAS"
    for alias in el.findall(alias_tag):
        alias_name = _child(alias, "ALIAS_NAME")
        if alias_name:
            quality = (_child(alias, "QUALITY") or "good").lower()
            kind = _ALIAS_KINDS.get(quality, NameKind.ALIAS)
            names.append(Name(alias_name, kind, detect_script(alias_name)))
        alias_dob = _child(alias, "DATE_OF_BIRTH")
        if alias_dob:
            birth_dates.append(_partial(alias_dob, file, where, "DATE_OF_BIRTH"))
    original = _child(el, "NAME_ORIGINAL_SCRIPT")
    if original:
        names.append(Name(original, NameKind.ALIAS, detect_script(original)))

    for dob in el.findall("INDIVIDUAL_DATE_OF_BIRTH"):
        birth_dates.extend(_dob(dob, file, where))

    birth_places = []
    for pob in el.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
        place = ", ".join(p for p in (_child(pob, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p)
        if place:
            birth_places.append(place)

    nationalities: list[str] = []
    for nat in el.findall("NATIONALITY/VALUE"):
        value = _text(nat)
        if not value:
            continue
        code = country_code(value)
        if code:
            nationalities.append(code)
        else:
            unknown.append(f"nationality: {value}")

    identifiers: list[Identifier] = []
    for doc in el.findall("INDIVIDUAL_DOCUMENT"):
        number = _child(doc, "NUMBER")
        if not number:
            continue
        dtype = (_child(doc, "TYPE_OF_DOCUMENT") or "").lower()
        doc_kind = "passport" if "pass" in dtype else "national_id" if "national" in dtype else "other"
        country = country_code(_child(doc, "ISSUING_COUNTRY") or _child(doc, "COUNTRY_OF_ISSUE"))
        identifiers.append(Identifier(doc_kind, number, country))

    addresses: list[Address] = []
    countries: list[str] = []
    for addr in el.findall("INDIVIDUAL_ADDRESS" if person else "ENTITY_ADDRESS"):
        fields = [_child(addr, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
        text = ", ".join(f for f in fields if f)
        if not text:
            continue
        code = country_code(fields[-1])
        if code:
            countries.append(code)
        addresses.append(Address(text, code))

    listed = _child(el, "LISTED_ON")
    # xs:date may carry a time-zone suffix: 2015-04-07-04:00
    listed_on = require_date(listed[:10], file=file, element=where, field="LISTED_ON") if listed else None
    gender = _child(el, "GENDER")
    program = _child(el, "UN_LIST_TYPE")
    comments = _child(el, "COMMENTS1")
    remarks = "; ".join(x for x in [comments, *unknown] if x) or None
    return ListedEntity(
        source_id=dataid,
        schema="Person" if person else "Organization",
        names=uniq(names),
        birth_dates=uniq(birth_dates),
        birth_places=uniq(birth_places),
        nationalities=uniq(nationalities),
        countries=uniq(countries),
        identifiers=uniq(identifiers),
        addresses=uniq(addresses),
        programs=(program,) if program else (),
        listed_on=listed_on,
        gender=gender.lower() if gender else None,
        remarks=remarks,
    )


def _partial(text: str, file: str, where: str, field: str) -> PartialDate:
    try:
        return PartialDate.parse_iso(text[:10])
    except ValueError:
        raise InputError(
            "not a valid date", file=file, element=where, field=field, expected="YYYY-MM-DD", value=text
        ) from None


def _year(text: str | None, file: str, where: str, field: str) -> int:
    if not text or not text.isdigit() or not 1000 <= int(text) <= 2999:
        raise InputError(
            "not a valid year",
            file=file,
            element=where,
            field=field,
            expected="a four-digit year",
            value=text,
        )
    return int(text)


def _dob(dob: ET.Element, file: str, where: str) -> list[PartialDate]:
    where = f"{where}/INDIVIDUAL_DATE_OF_BIRTH"
    kind = (_child(dob, "TYPE_OF_DATE") or "").upper()
    full = _child(dob, "DATE")
    if full:
        return [_partial(full, file, where, "DATE")]
    year = _child(dob, "YEAR")
    if year:
        return [PartialDate(_year(year, file, where, "YEAR"))]
    lo, hi = _child(dob, "FROM_YEAR"), _child(dob, "TO_YEAR")
    if kind == "BETWEEN" or lo or hi:
        a = _year(lo, file, where, "FROM_YEAR")
        b = _year(hi, file, where, "TO_YEAR")
        if b < a:
            raise InputError(
                "TO_YEAR before FROM_YEAR",
                file=file,
                element=where,
                field="TO_YEAR",
                expected=f"a year >= {a}",
                value=str(b),
            )
        years = range(a, b + 1) if b - a <= 12 else (a, b)
        return [PartialDate(y) for y in years]
    return []
