"""UK lists: the OFSI consolidated spreadsheet and the (derived) UK Sanctions List CSVs.

**OFSI `UK_Sanctions_List.xlsx`** (list "uk"): row 1 reads `Last Updated | dd/mm/yyyy` (the `as_of`),
row 2 is the header, then one row per name variation. Rows are grouped by `Group ID`: one entity per
Group ID (`source_id`). `Group Type` Individual/Entity/Ship gives Person/Organization/Vessel.
`Alias Type` Primary name -> primary; Primary name variation and AKA -> alias (AKA with `Low quality`
-> weak alias); FKA -> previous name. `Name Non-Latin Script` becomes an alias in its detected script.
Read with openpyxl in read-only mode.

**UK Sanctions List CSVs** as published by covyr (list "uk_sl"): `subjects.csv` (one entity per row,
`source_id` = `unique_id` such as RUS0123), `subject_names.csv` and `subject_dobs.csv` joined on
`unique_id`. `as_of` is the latest `last_updated` date in `subjects.csv`.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl

from rempart.adapters.sources._common import (
    clean,
    country_codes,
    detect_script,
    parse_partial_date,
    read_csv_dicts,
    require_date,
    source_files,
    split_country_list,
    split_numbered,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Address, Identifier, ListedEntity, ListSnapshot, Name, NameKind
from rempart.errors import InputError

XLSX_REQUIRED = (
    "Name 6",
    "Name 1",
    "Name 2",
    "Name 3",
    "Name 4",
    "Name 5",
    "Name Non-Latin Script",
    "DOB",
    "Town of Birth",
    "Country of Birth",
    "Nationality",
    "Passport Number",
    "National Identification Number",
    "Address 1",
    "Address 2",
    "Address 3",
    "Address 4",
    "Address 5",
    "Address 6",
    "Post/Zip Code",
    "Country",
    "Other Information",
    "Group Type",
    "Alias Type",
    "Alias Quality",
    "Regime",
    "Listed On",
    "Group ID",
)
_GROUP_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}


@dataclass
class _Group:
    schema: str
    names: list[Name] = field(default_factory=list)
    birth_dates: list[PartialDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: list[date] = field(default_factory=list)
    remarks: list[str] = field(default_factory=list)
    gender: str | None = None


def _cell_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return " ".join(value.split()) or None
    if isinstance(value, datetime):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return clean(value)


def parse_ofsi_xlsx(path: Path, list_name: str = "uk") -> ListSnapshot:
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # zipfile.BadZipFile, KeyError, InvalidFileException...
        raise InputError(
            f"cannot open the spreadsheet: {exc}", file=path.name, expected="an .xlsx workbook"
        ) from exc
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if not first or _cell_text(first[0]) != "Last Updated" or len(first) < 2:
            raise InputError(
                "first row is not the 'Last Updated' line",
                file=path.name,
                line=1,
                field="A1",
                expected="'Last Updated' then a dd/mm/yyyy date",
                value=_cell_text(first[0]) if first else None,
            )
        as_of = require_date(_cell_text(first[1]) or "", file=path.name, line=1, field="B1")
        header = next(rows, None)
        cols = [_cell_text(c) or "" for c in header or ()]
        ix = {name: i for i, name in enumerate(cols)}
        for name in XLSX_REQUIRED:
            if name not in ix:
                raise InputError(
                    "missing column",
                    file=path.name,
                    line=2,
                    field=name,
                    expected="the OFSI ConList header",
                    value=None,
                )
        groups: dict[str, _Group] = {}
        for line, raw in enumerate(rows, start=3):
            row = [_cell_text(c) for c in raw]
            if not any(row):
                continue
            if len(row) < len(cols):
                row.extend([None] * (len(cols) - len(row)))
            _ofsi_row(groups, row, ix, path.name, line)
    finally:
        wb.close()
    entities = [_ofsi_entity(gid, g) for gid, g in groups.items()]
    return ListSnapshot(
        list_name=list_name, as_of=as_of, source_files=source_files([path]), entities=tuple(entities)
    )


def _ofsi_row(
    groups: dict[str, _Group], row: list[str | None], ix: dict[str, int], file: str, line: int
) -> None:
    def get(col: str) -> str | None:
        return row[ix[col]]

    gid = get("Group ID")
    if not gid or not gid.isdigit():
        raise InputError(
            "missing or non-numeric Group ID",
            file=file,
            line=line,
            field="Group ID",
            expected="a number",
            value=gid,
        )
    gtype = (get("Group Type") or "").lower()
    if gtype not in _GROUP_SCHEMAS:
        raise InputError(
            "unknown Group Type",
            file=file,
            line=line,
            field="Group Type",
            expected="Individual, Entity or Ship",
            value=get("Group Type"),
        )
    g = groups.get(gid)
    if g is None:
        g = groups[gid] = _Group(_GROUP_SCHEMAS[gtype])
    person = g.schema == "Person"

    parts = [get(f"Name {i}") for i in (1, 2, 3, 4, 5)]
    last = get("Name 6")
    full = " ".join(p for p in [*parts, last] if p)
    alias_type = (get("Alias Type") or "").lower()
    quality = (get("Alias Quality") or "").lower()
    if alias_type == "primary name":
        kind = NameKind.PRIMARY
    elif alias_type == "fka":
        kind = NameKind.PREVIOUS
    elif quality.startswith("low"):
        kind = NameKind.WEAK_ALIAS
    else:
        kind = NameKind.ALIAS
    if full:
        first = parts[0] if person else None
        g.names.append(Name(full, kind, detect_script(full), first, last if person else None))
    non_latin = get("Name Non-Latin Script")
    if non_latin:
        g.names.append(Name(non_latin, NameKind.ALIAS, detect_script(non_latin)))

    dob = get("DOB")
    if dob:
        pd = parse_partial_date(dob)
        if pd is None:
            raise InputError(
                "not a valid date of birth",
                file=file,
                line=line,
                field="DOB",
                expected="dd/mm/yyyy, mm/yyyy or yyyy (00 for unknown parts)",
                value=dob,
            )
        g.birth_dates.append(pd)
    place = ", ".join(p for p in (get("Town of Birth"), get("Country of Birth")) if p)
    if place:
        g.birth_places.append(place)
    codes, unknown = country_codes(split_country_list(split_numbered(get("Nationality"))))
    g.nationalities.extend(codes)
    g.remarks.extend(f"nationality: {u}" for u in unknown)
    for col, kind_id in (("Passport Number", "passport"), ("National Identification Number", "national_id")):
        for number in split_numbered(get(col)):
            g.identifiers.append(Identifier(kind_id, number))
    addr_parts = [get(f"Address {i}") for i in range(1, 7)] + [get("Post/Zip Code"), get("Country")]
    addr = ", ".join(p for p in addr_parts if p)
    if addr:
        ccodes, _ = country_codes(split_numbered(get("Country")))
        g.addresses.append(Address(addr, ccodes[0] if len(ccodes) == 1 else None))
        g.countries.extend(ccodes)
    regime = get("Regime")
    if regime:
        g.programs.append(regime)
    listed = get("Listed On")
    if listed:
        g.listed_on.append(require_date(listed, file=file, line=line, field="Listed On"))
    other = get("Other Information")
    if other:
        g.remarks.append(other)
        m = re.search(r"\(Gender\):\s*(Male|Female)", other, re.I)
        if m:
            g.gender = m.group(1).lower()


def _ofsi_entity(gid: str, g: _Group) -> ListedEntity:
    names = tuple(sorted(uniq(g.names), key=lambda n: n.kind is not NameKind.PRIMARY))
    if not any(n.kind is NameKind.PRIMARY for n in names) and names:
        n0 = names[0]
        names = (Name(n0.full, NameKind.PRIMARY, n0.script, n0.first, n0.last), *names[1:])
    return ListedEntity(
        source_id=gid,
        schema=g.schema,
        names=names,
        birth_dates=uniq(g.birth_dates),
        birth_places=uniq(g.birth_places),
        nationalities=uniq(g.nationalities),
        countries=uniq(g.countries),
        identifiers=uniq(g.identifiers),
        addresses=uniq(g.addresses),
        programs=uniq(g.programs),
        listed_on=min(g.listed_on) if g.listed_on else None,
        gender=g.gender,
        remarks="\n".join(uniq(g.remarks)) or None,
    )


# --------------------------------------------------------------------------- UK Sanctions List CSVs

SL_HEADERS = {
    "subjects.csv": [
        "unique_id",
        "subject_type",
        "un_reference_number",
        "ofsi_group_id",
        "date_designated",
        "last_updated",
    ],
    "subject_names.csv": [
        "name_id",
        "unique_id",
        "name_type",
        "alias_strength",
        "full_name",
        "name_6",
        "name_1",
        "name_2",
        "name_3",
        "name_4",
        "name_5",
    ],
    "subject_dobs.csv": ["dob_id", "unique_id", "year", "month", "day", "precision", "parse_issues"],
}
_SL_SCHEMAS = {"individual": "Person", "entity": "Organization", "ship": "Vessel"}


def parse_uk_sl(paths: Sequence[Path], list_name: str = "uk_sl") -> ListSnapshot:
    by_name = {p.name.lower(): p for p in paths}
    subjects_path = by_name.get("subjects.csv")
    if subjects_path is None:
        raise InputError(
            "the UK Sanctions List import needs subjects.csv",
            file=", ".join(p.name for p in paths),
            expected="subjects.csv",
        )
    subjects: dict[str, dict[str, str]] = {}
    updated: list[date] = []
    designated: dict[str, date | None] = {}
    for line, row in read_csv_dicts(subjects_path, SL_HEADERS["subjects.csv"]):
        uid = row["unique_id"]
        if not re.fullmatch(r"[A-Z]{2,4}\d{3,5}", uid):
            raise InputError(
                "bad unique_id",
                file=subjects_path.name,
                line=line,
                field="unique_id",
                expected="a UK list reference such as RUS0123",
                value=uid,
            )
        if uid in subjects:
            raise InputError(
                "duplicate unique_id",
                file=subjects_path.name,
                line=line,
                field="unique_id",
                expected="each unique_id once",
                value=uid,
            )
        if row["subject_type"] not in _SL_SCHEMAS:
            raise InputError(
                "unknown subject_type",
                file=subjects_path.name,
                line=line,
                field="subject_type",
                expected="individual, entity or ship",
                value=row["subject_type"],
            )
        subjects[uid] = row
        designated[uid] = (
            require_date(row["date_designated"], file=subjects_path.name, line=line, field="date_designated")
            if row["date_designated"]
            else None
        )
        if row["last_updated"]:
            updated.append(
                require_date(row["last_updated"], file=subjects_path.name, line=line, field="last_updated")
            )

    warnings: list[str] = []
    names: dict[str, list[Name]] = defaultdict(list)
    dobs: dict[str, list[PartialDate]] = defaultdict(list)
    names_path = by_name.get("subject_names.csv")
    if names_path is not None:
        orphans = 0
        for line, row in read_csv_dicts(names_path, SL_HEADERS["subject_names.csv"]):
            uid = row["unique_id"]
            if uid not in subjects:
                orphans += 1
                continue
            full = row["full_name"]
            if not full:
                raise InputError(
                    "empty full_name", file=names_path.name, line=line, field="full_name", expected="a name"
                )
            ntype, strength = row["name_type"], row["alias_strength"]
            if ntype == "primary":
                kind = NameKind.PRIMARY
            elif strength.startswith("low"):
                kind = NameKind.WEAK_ALIAS
            else:
                kind = NameKind.ALIAS
            person = subjects[uid]["subject_type"] == "individual"
            first = row["name_1"] or None if person else None
            last = row["name_6"] or None if person else None
            names[uid].append(Name(full, kind, detect_script(full), first, last))
        if orphans:
            warnings.append(f"{names_path.name}: {orphans} rows for unique_ids not in subjects.csv (ignored)")
    dobs_path = by_name.get("subject_dobs.csv")
    if dobs_path is not None:
        orphans = 0
        for line, row in read_csv_dicts(dobs_path, SL_HEADERS["subject_dobs.csv"]):
            uid = row["unique_id"]
            if uid not in subjects:
                orphans += 1
                continue
            try:
                y = int(row["year"])
                mo = int(row["month"]) if row["month"] else None
                d = int(row["day"]) if row["day"] and mo else None
                dobs[uid].append(PartialDate(y, mo, d))
            except ValueError:
                raise InputError(
                    "not a valid date of birth",
                    file=dobs_path.name,
                    line=line,
                    field="year/month/day",
                    expected="numeric year, month and day forming a calendar date",
                    value=f"{row['year']}-{row['month']}-{row['day']}",
                ) from None
        if orphans:
            warnings.append(f"{dobs_path.name}: {orphans} rows for unique_ids not in subjects.csv (ignored)")

    entities = []
    no_name = 0
    for uid, row in subjects.items():
        ns = uniq(names.get(uid, []))
        if not ns:
            no_name += 1
            ns = (Name(uid, NameKind.PRIMARY),)
        remarks = []
        if row["un_reference_number"]:
            remarks.append(f"UN reference: {row['un_reference_number']}")
        if row["ofsi_group_id"]:
            remarks.append(f"OFSI group id: {row['ofsi_group_id']}")
        entities.append(
            ListedEntity(
                source_id=uid,
                schema=_SL_SCHEMAS[row["subject_type"]],
                names=ns,
                birth_dates=uniq(dobs.get(uid, [])),
                programs=(re.sub(r"\d+$", "", uid),),
                listed_on=designated[uid],
                remarks="; ".join(remarks) or None,
            )
        )
    if no_name:
        warnings.append(f"{no_name} subjects have no name in subject_names.csv (named by their unique_id)")
    all_paths = [p for p in paths if p.name.lower() in SL_HEADERS]
    if not updated:
        raise InputError(
            "no last_updated date", file=subjects_path.name, field="last_updated", expected="dd/mm/yyyy dates"
        )
    return ListSnapshot(
        list_name=list_name,
        as_of=max(updated),
        source_files=source_files(all_paths),
        entities=tuple(entities),
        warnings=tuple(warnings),
    )
