"""OpenSanctions FollowTheMoney entities as JSON lines: `{"id", "schema", "properties": {...}}` per line.

- Person, Organization, Company, LegalEntity, PublicBody, Vessel, Airplane become listed entities
  (`source_id` = the FtM `id`);
- a CryptoWallet becomes a wallet (`currency`, `publicKey`) of its `holder` when the holder is in the
  file, and an entity of schema CryptoWallet otherwise;
- a Sanction adds its `program`/`programId` and `startDate` (listing date) to its `entity`;
- Passport and Identification add an identifier to their `holder`;
- other schemas (relations, addresses, ...) are counted in the warnings and skipped.

`as_of` is the latest `last_change`/`last_seen` of the entities when present, else the file date.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from rempart.adapters.sources._common import (
    country_code,
    detect_script,
    mtime_date,
    parse_birth_dates,
    parse_partial_date,
    source_files,
    to_date,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Address, Identifier, ListedEntity, ListSnapshot, Name, NameKind, Wallet
from rempart.errors import InputError

_SCHEMAS = {
    "Person": "Person",
    "Organization": "Organization",
    "Company": "Organization",
    "PublicBody": "Organization",
    "LegalEntity": "LegalEntity",
    "Vessel": "Vessel",
    "Airplane": "Aircraft",
}
_ID_PROPS = (
    ("passportNumber", "passport"),
    ("idNumber", "national_id"),
    ("taxNumber", "tax_id"),
    ("vatCode", "tax_id"),
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("registrationNumber", "registration"),
    ("leiCode", "lei"),
    ("swiftBic", "swift"),
    ("imoNumber", "imo"),
    ("mmsi", "mmsi"),
)


@dataclass
class _Raw:
    line: int
    id: str
    schema: str
    props: dict[str, list[str]]
    extra_ids: list[Identifier] = field(default_factory=list)
    wallets: list[Wallet] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed: list[date] = field(default_factory=list)


def _props(obj: dict[str, Any], file: str, line: int) -> dict[str, list[str]]:
    props = obj.get("properties", {})
    if not isinstance(props, dict):
        raise InputError(
            "properties is not an object",
            file=file,
            line=line,
            field="properties",
            expected="an object of lists of strings",
        )
    out: dict[str, list[str]] = {}
    for k, v in props.items():
        if not isinstance(v, list) or not all(isinstance(x, str | int | float) for x in v):
            raise InputError(
                "property values must be a list of strings",
                file=file,
                line=line,
                field=f"properties.{k}",
                expected="a list of strings",
                value=str(v)[:80],
            )
        out[k] = [str(x).strip() for x in v if str(x).strip()]
    return out


def parse_ftm(paths: Sequence[Path], list_name: str = "ftm") -> ListSnapshot:
    main: dict[str, _Raw] = {}
    wallets: list[_Raw] = []
    sanctions: list[_Raw] = []
    documents: list[_Raw] = []
    skipped: Counter[str] = Counter()
    changes: list[date] = []
    for path in paths:
        with path.open("r", encoding="utf-8") as fh:
            for line, text in enumerate(fh, start=1):
                if not text.strip():
                    continue
                try:
                    obj = json.loads(text)
                except json.JSONDecodeError as exc:
                    raise InputError(
                        f"not valid JSON: {exc.msg}",
                        file=path.name,
                        line=line,
                        expected="one JSON object per line",
                    ) from exc
                if not isinstance(obj, dict):
                    raise InputError("not a JSON object", file=path.name, line=line, expected="a JSON object")
                eid, schema = obj.get("id"), obj.get("schema")
                if not isinstance(eid, str) or not eid:
                    raise InputError(
                        "missing id", file=path.name, line=line, field="id", expected="a string id"
                    )
                if not isinstance(schema, str) or not schema:
                    raise InputError(
                        "missing schema",
                        file=path.name,
                        line=line,
                        field="schema",
                        expected="an FtM schema name",
                    )
                for stamp in ("last_change", "last_seen"):
                    value = obj.get(stamp)
                    if isinstance(value, str):
                        d = to_date(parse_partial_date(value[:10]))
                        if d:
                            changes.append(d)
                raw = _Raw(line, eid, schema, _props(obj, path.name, line))
                if schema in _SCHEMAS:
                    if eid in main:
                        raise InputError(
                            "duplicate id",
                            file=path.name,
                            line=line,
                            field="id",
                            expected="each entity once",
                            value=eid,
                        )
                    main[eid] = raw
                elif schema == "CryptoWallet":
                    wallets.append(raw)
                elif schema == "Sanction":
                    sanctions.append(raw)
                elif schema in ("Passport", "Identification"):
                    documents.append(raw)
                else:
                    skipped[schema] += 1
    file_label = ", ".join(p.name for p in paths)
    warnings = [f"skipped {n} {schema} entities" for schema, n in sorted(skipped.items())]
    extra: list[ListedEntity] = []
    for w in wallets:
        address = _first(w.props, "publicKey")
        if not address:
            raise InputError(
                "CryptoWallet without publicKey",
                file=file_label,
                line=w.line,
                field="publicKey",
                expected="a wallet address",
            )
        chain = ((w.props.get("currency") or ["UNKNOWN"])[0]).upper()
        holders = [h for h in w.props.get("holder", []) if h in main]
        if holders:
            for h in holders:
                main[h].wallets.append(Wallet(chain, address))
        else:
            wname = (w.props.get("name") or [address])[0]
            extra.append(
                ListedEntity(
                    source_id=w.id,
                    schema="CryptoWallet",
                    names=(Name(wname, NameKind.PRIMARY, detect_script(wname)),),
                    wallets=(Wallet(chain, address),),
                )
            )
    for s in sanctions:
        for target in s.props.get("entity", []):
            if target in main:
                main[target].programs.extend(s.props.get("program", []) + s.props.get("programId", []))
                for sd in s.props.get("startDate", []):
                    d = to_date(parse_partial_date(sd[:10]))
                    if d:
                        main[target].listed.append(d)
    for doc in documents:
        number = _first(doc.props, "number")
        if not number:
            continue
        kind = "passport" if doc.schema == "Passport" else "national_id"
        country = country_code((doc.props.get("country") or [""])[0].upper())
        for h in doc.props.get("holder", []):
            if h in main:
                main[h].extra_ids.append(Identifier(kind, number, country))
    entities = [_entity(r, file_label) for r in main.values()] + extra
    return ListSnapshot(
        list_name=list_name,
        as_of=max(changes) if changes else mtime_date(paths),
        source_files=source_files(paths),
        entities=tuple(entities),
        warnings=tuple(warnings),
    )


def _first(props: dict[str, list[str]], key: str) -> str | None:
    values = props.get(key)
    return values[0] if values else None


def _codes(values: list[str]) -> list[str]:
    out = []
    for v in values:
        code = country_code(v.upper() if len(v) == 2 else v)
        if code:
            out.append(code)
    return out


def _entity(r: _Raw, file: str) -> ListedEntity:
    p = r.props
    person = r.schema == "Person"
    names: list[Name] = []
    first = _first(p, "firstName")
    last = _first(p, "lastName")
    for i, n in enumerate(p.get("name", [])):
        names.append(
            Name(
                n,
                NameKind.PRIMARY if i == 0 else NameKind.ALIAS,
                detect_script(n),
                first if person and i == 0 else None,
                last if person and i == 0 else None,
            )
        )
    for prop, kind in (
        ("alias", NameKind.ALIAS),
        ("weakAlias", NameKind.WEAK_ALIAS),
        ("previousName", NameKind.PREVIOUS),
    ):
        names.extend(Name(n, kind, detect_script(n)) for n in p.get(prop, []))
    if not names:
        raise InputError(
            "entity without a name",
            file=file,
            line=r.line,
            field="properties.name",
            expected="at least one name",
        )
    birth_dates: list[PartialDate] = []
    for d in p.get("birthDate", []):
        birth_dates.extend(parse_birth_dates(d))
    identifiers = [Identifier(kind, v) for prop, kind in _ID_PROPS for v in p.get(prop, [])]
    identifiers.extend(r.extra_ids)
    gender = _first(p, "gender")
    return ListedEntity(
        source_id=r.id,
        schema=_SCHEMAS[r.schema],
        names=uniq(names),
        birth_dates=uniq(birth_dates),
        birth_places=uniq(p.get("birthPlace", [])),
        nationalities=uniq(_codes(p.get("nationality", []) + p.get("citizenship", []))),
        countries=uniq(_codes(p.get("country", []) + p.get("jurisdiction", []) + p.get("flag", []))),
        identifiers=uniq(identifiers),
        addresses=uniq(Address(a) for a in p.get("address", [])),
        wallets=uniq(r.wallets),
        programs=uniq(r.programs + p.get("program", [])),
        listed_on=min(r.listed) if r.listed else None,
        gender=gender.lower() if gender else None,
        remarks="\n".join(p.get("notes", [])) or None,
    )
