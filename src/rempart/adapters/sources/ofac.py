"""OFAC SDN and Consolidated (non-SDN) lists in the official CSV formats.

Files have no header, use `-0- ` for an empty cell, CRLF line endings and end with a 0x1A byte:

- primary (`sdn.csv` / `cons_prim.csv`): ent_num, name, type, programs, title, call sign, vessel type,
  tonnage, GRT, vessel flag, vessel owner, remarks;
- alternate names (`alt.csv` / `cons_alt.csv`): ent_num, alt_num, alt_type (aka/fka/nka), name, remarks;
- addresses (`add.csv` / `cons_add.csv`): ent_num, add_num, address, city/state/postal, country, remarks;
- remarks overflow (`sdn_comments.csv` / `cons_comments.csv`): ent_num, the rest of the remarks.

The remarks (joined with their overflow) are parsed into birth dates, places of birth, nationalities,
gender, identifiers, weak aliases (`a.k.a. 'X'`) and wallets (`Digital Currency Address - XBT ...`).
The whole remarks text is kept in `remarks`, so nothing unrecognised is lost.

Rows of the secondary files whose ent_num is not in the primary file (as with an older `sdn.csv`
and newer `alt.csv`/`add.csv`) are skipped and counted in the snapshot's warnings.

The files carry no list date: `as_of` is the date of the newest file's modification time.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rempart.adapters.sources._common import (
    clean,
    country_code,
    mtime_date,
    parse_birth_dates,
    read_text,
    source_files,
    split_last_first,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Address, Identifier, ListedEntity, ListSnapshot, Name, NameKind, Wallet
from rempart.errors import InputError

ROLES = ("primary", "alt", "add", "comments")
COLUMNS = {"primary": 12, "alt": 5, "add": 6, "comments": 2}
_NAMES = {
    "sdn.csv": ("sdn", "primary"),
    "alt.csv": ("sdn", "alt"),
    "add.csv": ("sdn", "add"),
    "sdn_comments.csv": ("sdn", "comments"),
    "cons_prim.csv": ("cons", "primary"),
    "cons_alt.csv": ("cons", "alt"),
    "cons_add.csv": ("cons", "add"),
    "cons_comments.csv": ("cons", "comments"),
}
LIST_NAMES = {"sdn": "ofac", "cons": "ofac_cons"}


def classify(path: Path) -> tuple[str, str] | None:
    """(`sdn` or `cons`, role) of an OFAC file from its name; None when the name is not an OFAC one."""
    return _NAMES.get(path.name.lower())


def _cell(value: str) -> str | None:
    v = value.strip()
    if v == "-0-" or not v:
        return None
    return v


def _has_eof_mark(path: Path) -> bool:
    """Whether the file ends with the Ctrl-Z (0x1A) OFAC writes after the last record."""
    with path.open("rb") as fh:
        fh.seek(max(0, path.stat().st_size - 16))
        return fh.read().rstrip(b"\r\n ").endswith(b"\x1a")


def read_rows(path: Path, role: str) -> Iterator[tuple[int, list[str | None]]]:
    """(line number, cells) of every record of one OFAC CSV file, checking the column count."""
    text = read_text(path)
    text = text.rstrip("\x1a\r\n ")
    reader = csv.reader(io.StringIO(text, newline=""))
    ncols = COLUMNS[role]
    start = 1
    try:
        for row in reader:
            line = start
            start = reader.line_num + 1
            if not row or (len(row) == 1 and not row[0].strip("\x1a ")):
                continue
            if len(row) != ncols:
                raise InputError(
                    "wrong number of columns",
                    file=path.name,
                    line=line,
                    field="row",
                    expected=f"{ncols} columns ({role} file)",
                    value=str(len(row)),
                )
            if not row[0].strip().isdigit():
                raise InputError(
                    "ent_num is not a number",
                    file=path.name,
                    line=line,
                    field="ent_num",
                    expected="a positive integer",
                    value=row[0],
                )
            yield line, [_cell(c) for c in row]
        if text.count('"') % 2:
            # Quotes come in pairs (an embedded quote is doubled): an odd count means the last
            # quoted field never closes, i.e. the file was cut off inside a record.
            raise InputError(
                "unterminated quoted field: the file ends inside a record (truncated?)",
                file=path.name,
                line=start - 1 if start > 1 else 1,
                field="row",
                expected='a closing " before the end of the file',
            )
    except csv.Error as exc:
        raise InputError(
            f"malformed CSV: {exc}", file=path.name, line=reader.line_num, expected="RFC 4180 CSV"
        ) from exc


# --------------------------------------------------------------------------- remarks


@dataclass
class Remarks:
    birth_dates: list[PartialDate] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    wallets: list[Wallet] = field(default_factory=list)
    weak_aliases: list[str] = field(default_factory=list)
    gender: str | None = None


# (regex of the label, identifier kind); the value follows the label.
_ID_LABELS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p, re.I), kind)
    for p, kind in [
        (r"(?:Diplomatic |Official |Service )?Passport(?: No\.?| Number)?", "passport"),
        (r"Vessel Registration Identification IMO", "imo"),
        (r"IMO(?: Number)?", "imo"),
        (r"MMSI", "mmsi"),
        (r"Legal Entity Number", "lei"),
        (r"SWIFT/BIC", "swift"),
        (r"Tax ID No\.", "tax_id"),
        (
            r"(?:R\.F\.C\.|RFC|V\.A\.T\. Number|US FEIN|Italian Fiscal Code|NIT #|RUC #|C\.U\.I\.T\.)",
            "tax_id",
        ),
        (
            r"(?:National ID No\.|National ID Number|Identification Number|Personal ID Card|Cedula No\.|"
            r"D\.N\.I\.|C\.U\.R\.P\.|Turkish Identification Number|SSN|Numero de Identidad|"
            r"Residency Number|Public Security and Immigration No\.|Birth Certificate Number|"
            r"Driver's License No\.|Credencial electoral|Electoral Registry No\.|C\.U\.I\.|I\.F\.E\.|"
            r"Kenyan ID No\.|Bosnian Personal ID No\.|Moroccan Personal ID No\.|Stateless Person ID Card|"
            r"British National Overseas Passport|Refugee ID Card|Travel Document Number)",
            "national_id",
        ),
        (
            r"(?:Registration Number|Registration ID|Company Number|UK Company Number|"
            r"Commercial Registry Number|Business Registration Document #|Business Registration Number|"
            r"Certificate of Incorporation Number|Chamber of Commerce Number|"
            r"Unified Social Credit Code \(USCC\)|Enterprise Number|C\.R\. No\.|"
            r"Economic Register Number \(CBLS\)|Trade License No\.|Matricula Mercantil No\.?|"
            r"Folio Mercantil No\.|Central Registration System Number|Istanbul Chamber of Comm\. No\.|"
            r"Dubai Chamber of Commerce Membership No\.|Registered Charity No\.|Branch Unit Number|"
            r"Commercial Registry Number|Permit Number|Business Number|Registration No\.)",
            "registration",
        ),
        (r"Government Gazette Number", "other"),
        (r"D-U-N-S Number", "other"),
        (r"BIK \(RU\)", "other"),
        (r"ISIN", "other"),
    ]
]
_VALUE_TAIL = re.compile(
    r"^(?P<value>.+?)(?:\s*\((?P<country>[^()]*)\))?"
    r"(?:\s+(?:issued|expires|expired|Issue Date|Expiration Date|Expire Date)\b.*)?$",
    re.I,
)
_WALLET = re.compile(r"^Digital Currency Address - (?P<chain>[A-Za-z0-9]+)\s+(?P<address>\S+)$")
_AKA = re.compile(r"^a\.k\.a\.,?\s+'(?P<name>.+)'\.?$")
_ALT_PREFIX = re.compile(r"^(?:alt\.|Alt\.)\s+")
_NATIONALITY = re.compile(r"^(?:nationality|citizen)\s+(.+)$")
_REGISTRATION_COUNTRY = re.compile(r"^Nationality of Registration\s+(.+)$")
_GENDER = re.compile(r"^Gender\s+(Male|Female)$", re.I)
_NON_DIGITS = re.compile(r"\D")


def _split_remarks(text: str) -> list[str]:
    return [p.strip() for p in text.split(";") if p.strip()]


def parse_remarks(text: str | None) -> Remarks:
    """Structured facts from an OFAC remarks text (the unparsed text stays in the entity's remarks)."""
    out = Remarks()
    if not text:
        return out
    for raw in _split_remarks(text):
        part = _ALT_PREFIX.sub("", raw).strip()
        part_nodot = part.rstrip(".").strip()
        if m := _WALLET.match(part_nodot):
            out.wallets.append(Wallet(m.group("chain").upper(), m.group("address")))
            continue
        if m := _AKA.match(part):
            out.weak_aliases.append(m.group("name").strip())
            continue
        if part_nodot.startswith("DOB "):
            out.birth_dates.extend(parse_birth_dates(part_nodot[4:]))
            continue
        if part_nodot.startswith("POB "):
            out.birth_places.append(part_nodot[4:].strip())
            continue
        if m := _NATIONALITY.match(part_nodot):
            code = country_code(m.group(1))
            if code:
                out.nationalities.append(code)
            continue
        if m := _REGISTRATION_COUNTRY.match(part_nodot):
            code = country_code(m.group(1))
            if code:
                out.countries.append(code)
            continue
        if m := _GENDER.match(part_nodot):
            out.gender = m.group(1).lower()
            continue
        ident = _parse_identifier(part_nodot)
        if ident:
            out.identifiers.append(ident)
    return out


def _parse_identifier(part: str) -> Identifier | None:
    for label, kind in _ID_LABELS:
        m = label.match(part)
        if not m or m.end() >= len(part) or not part[m.end()].isspace():
            continue
        rest = part[m.end() :].strip()
        tail = _VALUE_TAIL.match(rest)
        if not tail:
            return None
        value = tail.group("value").strip().rstrip(",")
        country = country_code(tail.group("country")) if tail.group("country") else None
        if not value:
            return None
        digits = _NON_DIGITS.sub("", value)
        if kind == "tax_id" and country == "RU" and len(digits) in (10, 12) and digits == value:
            kind = "inn"
        elif kind == "registration" and country == "RU" and len(digits) in (13, 15) and digits == value:
            kind = "ogrn"
        elif kind == "imo":
            value = digits or value
        return Identifier(kind, value, country)
    return None


# --------------------------------------------------------------------------- entities

_SCHEMAS = {"individual": "Person", "vessel": "Vessel", "aircraft": "Aircraft"}
_ALT_KINDS = {"aka": NameKind.ALIAS, "fka": NameKind.PREVIOUS, "nka": NameKind.ALIAS}


def _programs(text: str | None) -> tuple[str, ...]:
    if not text:
        return ()
    return uniq(p.strip(" []") for p in text.split("] [") if p.strip(" []"))


def _name(full: str, kind: NameKind, person: bool) -> Name:
    first, last = split_last_first(full) if person else (None, None)
    return Name(full, kind, "Latn", first, last)


def parse_ofac(files: Sequence[tuple[Path, str]], list_name: str, kind: str) -> ListSnapshot:
    """Parse one OFAC file set: `files` are (path, role) with role in ROLES; exactly one primary."""
    primaries = [p for p, r in files if r == "primary"]
    if len(primaries) != 1:
        want = "sdn.csv" if kind == "sdn" else "cons_prim.csv"
        raise InputError(
            "an OFAC import needs exactly one primary file",
            file=", ".join(p.name for p, _ in files),
            expected=f"one {want}",
            value=str(len(primaries)),
        )
    primary = primaries[0]
    rows: dict[int, list[str | None]] = {}
    for line, row in read_rows(primary, "primary"):
        ent = int(row[0] or 0)
        if ent in rows:
            raise InputError(
                "duplicate ent_num",
                file=primary.name,
                line=line,
                field="ent_num",
                expected="each ent_num once",
                value=str(ent),
            )
        if not row[1]:
            raise InputError("empty name", file=primary.name, line=line, field="SDN_Name", expected="a name")
        rows[ent] = row

    alts: dict[int, list[list[str | None]]] = defaultdict(list)
    adds: dict[int, list[list[str | None]]] = defaultdict(list)
    comments: dict[int, list[str]] = defaultdict(list)
    warnings: list[str] = []
    for path, role in files:
        if role == "primary":
            continue
        orphan_rows = 0
        orphan_ents: set[int] = set()
        for _line, row in read_rows(path, role):
            ent = int(row[0] or 0)
            if ent not in rows:
                orphan_rows += 1
                orphan_ents.add(ent)
                continue
            if role == "alt":
                alts[ent].append(row)
            elif role == "add":
                adds[ent].append(row)
            elif row[1]:
                comments[ent].append(row[1])
        if orphan_rows:
            warnings.append(
                f"{path.name}: {orphan_rows} rows for {len(orphan_ents)} ent_nums not in {primary.name} "
                "(orphans, ignored)"
            )

    if not _has_eof_mark(primary):
        # A file cut at a record boundary parses cleanly; only the missing end mark tells.
        warnings.append(
            f"{primary.name} does not end with OFAC's end-of-file mark (0x1A): check that it is complete"
        )
    entities = [
        _entity(ent, row, alts.get(ent, []), adds.get(ent, []), comments.get(ent, []))
        for ent, row in rows.items()
    ]
    return ListSnapshot(
        list_name=list_name,
        as_of=mtime_date(p for p, _ in files),
        source_files=source_files(p for p, _ in files),
        entities=tuple(entities),
        warnings=tuple(warnings),
    )


def _entity(
    ent: int,
    row: list[str | None],
    alts: list[list[str | None]],
    adds: list[list[str | None]],
    comments: list[str],
) -> ListedEntity:
    sdn_type = (row[2] or "").lower()
    schema = _SCHEMAS.get(sdn_type, "Organization")
    person = schema == "Person"
    remarks_text = ((row[11] or "") + "".join(comments)).strip() or None
    rem = parse_remarks(remarks_text)

    names = [_name(row[1] or "", NameKind.PRIMARY, person)]
    for alt in sorted(alts, key=lambda a: int(a[1] or 0)):
        if alt[3]:
            names.append(_name(alt[3], _ALT_KINDS.get((alt[2] or "aka").lower(), NameKind.ALIAS), person))
    names.extend(Name(n, NameKind.WEAK_ALIAS) for n in rem.weak_aliases)

    addresses: list[Address] = []
    countries = list(rem.countries)
    for add in sorted(adds, key=lambda a: int(a[1] or 0)):
        parts = [p for p in (add[2], add[3], add[4]) if p]
        if not parts:
            continue
        code = country_code(add[4])
        if code:
            countries.append(code)
        addresses.append(Address(", ".join(parts), code))
    if row[9]:
        flag = country_code(row[9])
        if flag:
            countries.append(flag)

    identifiers = list(rem.identifiers)
    if row[5]:
        identifiers.append(Identifier("other", row[5]))  # vessel call sign

    return ListedEntity(
        source_id=str(ent),
        schema=schema,
        names=uniq(names),
        birth_dates=uniq(rem.birth_dates),
        birth_places=uniq(rem.birth_places),
        nationalities=uniq(rem.nationalities),
        countries=uniq(countries),
        identifiers=uniq(identifiers),
        addresses=uniq(addresses),
        wallets=uniq(rem.wallets),
        programs=_programs(row[3]),
        listed_on=None,
        gender=rem.gender,
        remarks=clean(remarks_text),
    )
