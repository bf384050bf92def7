"""EU sanctions from the OpenSanctions EU-journal CSVs (`consolidated/{celex}.csv`, `amendments/*.csv`).

See `FORMAT.md` beside the files. Each row is one designated entity in one legal context; every
entity column except `name` is multi-valued (`;`-separated, CSV-quoted within the cell).

**What is one record (one entity).** Annexes number their entries separately (entry 1 of annex II.A
and entry 1 of annex II.B are different designations), so a record is identified by

- `(framework celex, annex, recordId)` when the row has a `recordId`;
- `(framework celex, annex, name)` when the act prints no `recordId`.

Rows sharing that key (the same entry under several measures or programs) are one entity whose
programs are the union. The entity count is the number of distinct keys over all files given.
`source_id` is `celex:recordId` with the annex inserted when needed for uniqueness:
`{celex}:{annex}:{recordId}`, or `{celex}:{annex}:~{name}` without a recordId.

**Amendments** (`amendedCelex,amendmentCelex,...` files) are applied after every consolidated file,
in CELEX order of the amending act: a row whose key exists replaces that record's content (programs
are kept as a union), a row with a new key adds a record. Amendments never remove.

**Names.** `name` is the primary name, `alias`/`weakAlias`/`previousName` the other kinds. A value
printed as `Latin form (Кириллица)` — a Latin name followed by the same name in another script in
parentheses — is split into two names, each with its script.

Schemas: Person, LegalEntity, Organization and Vessel are kept; Company becomes Organization and
Asset (a facility, a zone, a named crypto-asset) LegalEntity. Country columns are mapped to ISO2
(`nationality` -> nationalities; `country`, `jurisdiction`, `flag` -> countries); unknown wording is
kept in remarks.

`startDate` (the listing date) must be a date (`26.11.2014`, `2014-11-26`, `26 Nov. 2014`); a bad one is
refused. `birthDate` is free-form: what is not understood is kept in remarks. `as_of` is the latest
`startDate` over all rows that is not after the newest file's modification date (a measure can be
printed with a future effective date).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rempart.adapters.sources._common import (
    country_codes,
    detect_script,
    mtime_date,
    parse_birth_dates,
    read_csv_dicts,
    require_date,
    source_files,
    split_country_list,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Address, Identifier, ListedEntity, ListSnapshot, Name, NameKind
from rempart.errors import InputError

ENTITY_COLUMNS = [
    "recordId",
    "programKey",
    "annex",
    "measure",
    "startDate",
    "reason",
    "schema",
    "name",
    "alias",
    "weakAlias",
    "previousName",
    "country",
    "nationality",
    "jurisdiction",
    "birthDate",
    "birthPlace",
    "position",
    "passportNumber",
    "gender",
    "appearance",
    "ethnicity",
    "fatherName",
    "motherName",
    "incorporationDate",
    "legalForm",
    "sector",
    "registrationNumber",
    "taxNumber",
    "idNumber",
    "innCode",
    "ogrnCode",
    "kppCode",
    "okpoCode",
    "leiCode",
    "swiftBic",
    "ticker",
    "imoNumber",
    "mmsi",
    "flag",
    "address",
    "phone",
    "email",
    "website",
    "notes",
]
CONSOLIDATED_HEADER = ["celex", *ENTITY_COLUMNS]
AMENDMENT_HEADER = ["amendedCelex", "amendmentCelex", *ENTITY_COLUMNS]

_SCHEMAS = {
    "Person": "Person",
    "LegalEntity": "LegalEntity",
    "Organization": "Organization",
    "Company": "Organization",
    "Vessel": "Vessel",
    "Asset": "LegalEntity",
}
_ID_COLUMNS = (
    ("passportNumber", "passport"),
    ("idNumber", "national_id"),
    ("taxNumber", "tax_id"),
    ("innCode", "inn"),
    ("ogrnCode", "ogrn"),
    ("registrationNumber", "registration"),
    ("kppCode", "other"),
    ("okpoCode", "other"),
    ("leiCode", "lei"),
    ("swiftBic", "swift"),
    ("imoNumber", "imo"),
    ("mmsi", "mmsi"),
)
_PAIR = re.compile(r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)$")


def file_kind(path: Path) -> str | None:
    """`consolidated`, `amendment`, or None, from the file's header line."""
    with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
        first = fh.readline().strip()
    if first.startswith("celex,recordId,"):
        return "consolidated"
    if first.startswith("amendedCelex,amendmentCelex,"):
        return "amendment"
    return None


@dataclass
class _Row:
    file: str
    line: int
    celex: str
    values: dict[str, str]

    def key(self) -> tuple[str, str, str]:
        rid = self.values["recordId"]
        return (self.celex, self.values["annex"], rid if rid else "~" + self.values["name"])


@dataclass
class _Record:
    rows: list[_Row] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)


def split_multi(cell: str) -> list[str]:
    """Values of a multi-valued cell: `;`-separated, CSV-quoted when a value holds `;` or `"`."""
    if not cell:
        return []
    if '"' not in cell:
        return [v.strip() for v in cell.split(";") if v.strip()]
    reader = csv.reader(io.StringIO(cell), delimiter=";", skipinitialspace=True)
    return [v.strip() for row in reader for v in row if v.strip()]


def _read(path: Path, kind: str) -> list[_Row]:
    header = CONSOLIDATED_HEADER if kind == "consolidated" else AMENDMENT_HEADER
    rows: list[_Row] = []
    for line, values in read_csv_dicts(
        path,
        header,
        expected_header=f"the EU journal {kind} header ({','.join(header[:4])},...)",
        encodings=("utf-8-sig",),
    ):
        celex = values["celex"] if kind == "consolidated" else values["amendedCelex"]
        if not re.fullmatch(r"3\d{4}[A-Z]\d{4}", celex):
            raise InputError(
                "bad CELEX",
                file=path.name,
                line=line,
                field=header[0],
                expected="a CELEX number such as 32014R0269",
                value=celex,
            )
        if not values["name"]:
            raise InputError("empty name", file=path.name, line=line, field="name", expected="a name")
        if values["schema"] not in _SCHEMAS:
            raise InputError(
                "unknown schema",
                file=path.name,
                line=line,
                field="schema",
                expected=", ".join(_SCHEMAS),
                value=values["schema"],
            )
        if values["startDate"]:
            require_date(values["startDate"], file=path.name, line=line, field="startDate")
        rows.append(_Row(path.name, line, celex, values))
    return rows


def parse_eu(paths: Sequence[Path], list_name: str = "eu") -> ListSnapshot:
    consolidated: list[Path] = []
    amendments: list[Path] = []
    for p in paths:
        kind = file_kind(p)
        if kind == "consolidated":
            consolidated.append(p)
        elif kind == "amendment":
            amendments.append(p)
        else:
            raise InputError(
                "not an EU journal CSV",
                file=p.name,
                line=1,
                field="header",
                expected="a header starting celex,recordId or amendedCelex,amendmentCelex",
            )
    records: dict[tuple[str, str, str], _Record] = {}
    start_dates: list[date] = []
    for p in sorted(consolidated, key=lambda x: x.name):
        for row in _read(p, "consolidated"):
            rec = records.setdefault(row.key(), _Record())
            rec.rows.append(row)
            rec.programs.append(row.values["programKey"])
    changed = added = 0
    for p in sorted(amendments, key=lambda x: x.name):
        by_key: dict[tuple[str, str, str], list[_Row]] = {}
        for row in _read(p, "amendment"):
            by_key.setdefault(row.key(), []).append(row)
        for key, rows in by_key.items():
            existing = records.get(key)
            if existing is None:
                existing = records[key] = _Record()
                added += 1
            else:
                changed += 1
            existing.rows = rows
            existing.programs.extend(r.values["programKey"] for r in rows)
    entities = []
    for key, rec in records.items():
        entity = _entity(key, rec)
        if entity.listed_on:
            start_dates.append(entity.listed_on)
        entities.append(entity)
    warnings = []
    if amendments:
        warnings.append(f"amendments: {changed} records changed, {added} records added")
    if not start_dates:
        raise InputError(
            "no startDate in any row: cannot date the list",
            file=", ".join(p.name for p in paths),
            field="startDate",
            expected="at least one listing date",
        )
    # a listing can take effect in the future (e.g. a measure applying from next year): such dates
    # do not date the list, so they are ignored when an earlier one exists
    newest_file = mtime_date(paths)
    past = [d for d in start_dates if d <= newest_file]
    return ListSnapshot(
        list_name=list_name,
        as_of=max(past or start_dates),
        source_files=source_files(paths),
        entities=tuple(entities),
        warnings=tuple(warnings),
    )


def _names(value: str, kind: NameKind) -> list[Name]:
    """A printed name; `Latin (Другое письмо)` gives the Latin form and the other-script form."""
    m = _PAIR.match(value)
    if m:
        outer, inner = m.group("outer").strip(), m.group("inner").strip()
        outer_script, inner_script = detect_script(outer), detect_script(inner)
        if inner_script != outer_script and inner_script != "Latn":
            inner_kind = NameKind.ALIAS if kind is NameKind.PRIMARY else kind
            return [Name(outer, kind, outer_script), Name(inner, inner_kind, inner_script)]
    return [Name(value, kind, detect_script(value))]


def _entity(key: tuple[str, str, str], rec: _Record) -> ListedEntity:
    celex, annex, rid = key
    source_id = f"{celex}:{annex}:{rid}"
    first = rec.rows[0]
    v = first.values
    names: list[Name] = _names(v["name"], NameKind.PRIMARY)
    birth_dates: list[PartialDate] = []
    birth_places: list[str] = []
    nationalities: list[str] = []
    countries: list[str] = []
    identifiers: list[Identifier] = []
    addresses: list[Address] = []
    remarks: list[str] = []
    listed: list[date] = []
    genders: list[str] = []
    for row in rec.rows:
        r = row.values
        for col, kind in (
            ("alias", NameKind.ALIAS),
            ("weakAlias", NameKind.WEAK_ALIAS),
            ("previousName", NameKind.PREVIOUS),
        ):
            for value in split_multi(r[col]):
                names.extend(_names(value, kind))
        for value in split_multi(r["birthDate"]):
            parsed = parse_birth_dates(value)
            if parsed:
                birth_dates.extend(parsed)
            else:
                remarks.append(f"birth date: {value}")
        birth_places.extend(split_multi(r["birthPlace"]))
        codes, unknown = country_codes(split_country_list(split_multi(r["nationality"])))
        nationalities.extend(codes)
        remarks.extend(f"nationality: {u}" for u in unknown)
        for col in ("country", "jurisdiction", "flag"):
            codes, unknown = country_codes(split_country_list(split_multi(r[col])))
            countries.extend(codes)
            remarks.extend(f"{col}: {u}" for u in unknown)
        for col, kind_id in _ID_COLUMNS:
            identifiers.extend(Identifier(kind_id, value) for value in split_multi(r[col]))
        addresses.extend(Address(a) for a in split_multi(r["address"]))
        genders.extend(g.lower().rstrip(".") for g in split_multi(r["gender"]))
        if r["startDate"]:
            listed.append(require_date(r["startDate"], file=row.file, line=row.line, field="startDate"))
        for col in ("reason", "position"):
            if r[col]:
                remarks.append(r[col])
        remarks.extend(split_multi(r["notes"]))
    gender = genders[0] if genders and genders[0] in ("male", "female") else None
    return ListedEntity(
        source_id=source_id,
        schema=_SCHEMAS[v["schema"]],
        names=uniq(names),
        birth_dates=uniq(birth_dates),
        birth_places=uniq(birth_places),
        nationalities=uniq(nationalities),
        countries=uniq(countries),
        identifiers=uniq(identifiers),
        addresses=uniq(addresses),
        programs=uniq(rec.programs),
        listed_on=min(listed) if listed else None,
        gender=gender,
        remarks="\n".join(uniq(remarks)) or None,
    )
