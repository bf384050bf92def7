"""Benchmark data: labelled name pairs, cross-script pairs, the yente screening fixtures, the watchlist.

The watchlist is built with the real list parsers (`rempart.adapters.sources`) when they load;
for the UN XML and the EU CSVs a small fallback loader keeps the benchmark running without them.
Nothing here is copied into the repository: everything is read from the shared data directory.
"""

from __future__ import annotations

import csv
import os
import re
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, ListedEntity, Name, NameKind
from rempart.domain.screening.lexicon import LEXICON_DIR, LEXICON_FILES, Lexicon
from rempart.domain.screening.model import NameQuery

csv.field_size_limit(sys.maxsize)


def data_dir() -> Path:
    env = os.environ.get("REMPART_DATA_DIR")
    if env:
        return Path(env)
    return (Path(__file__).resolve().parents[2] / ".." / "shared" / "data").resolve()


def load_lexicon(base: Path) -> Lexicon:
    """The rigour dictionaries from `base/name_normalization_rigour`, or the built-in table."""
    d = base / LEXICON_DIR
    if not all((d / f).exists() for f in LEXICON_FILES):
        return Lexicon.builtin()
    texts = [(d / f).read_text(encoding="utf-8") for f in LEXICON_FILES]
    return Lexicon.from_json_texts(*texts)


@dataclass(frozen=True)
class Pair:
    name1: str
    name2: str
    schema: str
    is_match: bool
    group: str = ""
    quality: str = ""
    category: str = ""


def nomenklatura_pairs(base: Path) -> list[Pair]:
    path = base / "name_pairs_nomenklatura_name_bench" / "cases.csv"
    with path.open(encoding="utf-8") as f:
        return [
            Pair(r["name1"], r["name2"], r["schema"], r["is_match"].strip().lower() == "true",
                 r["case_group"], r.get("quality") or "MEDIUM", r.get("category") or "")
            for r in csv.DictReader(f)
        ]  # fmt: skip


def watchman_cross_script(base: Path) -> list[Pair]:
    path = base / "name_pairs_watchman_cross_script" / "cross_script_pairs.csv"
    out: list[Pair] = []
    with path.open(encoding="utf-8") as f:
        for row in csv.reader(f):
            if not row or row[0].startswith("#") or len(row) < 2:
                continue
            out.append(
                Pair(row[0], row[1], "Person", True, "watchman", category=row[3] if len(row) > 3 else "")
            )
    return out


_CYR = re.compile(r"[\u0400-\u04ff]")
_LAT = re.compile(r"[A-Za-z]")


def _split_multi(cell: str) -> list[str]:
    if not cell:
        return []
    return [v.strip() for v in next(csv.reader([cell], delimiter=";", skipinitialspace=True)) if v.strip()]


EU_REGIMES = {"269": "32014R0269.csv", "765": "32006R0765.csv"}  # Ukraine; Belarus


def eu_latin_cyrillic(base: Path, regime: str = "269") -> list[Pair]:
    """Every (Latin, Cyrillic) pair of names of the same person in an EU regime: 269/2014 (Ukraine's
    territorial integrity) or 765/2006 (Belarus, whose Cyrillic names come in Belarusian and in
    Russian: ЦЯЦЕРЫН and ТЕТЕРИН, Tsiatseryn and Teterin).

    Persons only: the Cyrillic names of organizations there are mostly translations and acronyms
    (АО ‘ВМЗ’ / JSC ‘Volsk Mechanical Plant’), not transliterations. Every pair: a person's
    Cyrillic name is also paired with the Latin form of a former name or a pseudonym, which no
    matcher can find from the spelling (Лариса КУДЕЛЬМАН / Larisa DOLINA)."""
    return [
        Pair(cy, la, "Person", True, f"eu_{regime}")
        for cyrillic, latin in eu_people(base, regime)
        for la in latin
        for cy in cyrillic
    ]


def eu_entry_pairs(base: Path, regime: str = "269") -> list[Pair]:
    """Each Cyrillic alias of a person against the entry's own name in Latin (the `name` column):
    the pairs a reader of the regulation sees side by side."""
    path = base / "eu_journal_sanctions_consolidated_2026-08-21_opensanctions" / EU_REGIMES[regime]
    out: list[Pair] = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["schema"] != "Person" or not _LAT.search(row["name"]) or _CYR.search(row["name"]):
                continue
            for v in _split_multi(row["alias"]):
                m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", v)
                parts = [m.group(1), m.group(2)] if m else [x.strip() for x in v.split(" / ")]
                for x in parts:
                    if _CYR.search(x) and not _LAT.search(re.sub(r"[iI]", "", x)):
                        out.append(Pair(x, row["name"], "Person", True, f"eu_{regime}_entry"))
    return out


def eu_people(base: Path, regime: str = "269") -> list[tuple[list[str], list[str]]]:
    """Per person of an EU regime (`EU_REGIMES`): its Cyrillic names and its Latin names."""
    path = base / "eu_journal_sanctions_consolidated_2026-08-21_opensanctions" / EU_REGIMES[regime]
    out: list[tuple[list[str], list[str]]] = []
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["schema"] != "Person":
                continue
            names: list[str] = []
            for cell in (row["name"], row["alias"]):
                for v in _split_multi(cell) if cell != row["name"] else [cell]:
                    m = re.match(r"^(.*?)\s*\(([^()]*)\)\s*$", v)
                    if m and bool(_CYR.search(m.group(2))) != bool(_CYR.search(m.group(1))):
                        names.extend([m.group(1), m.group(2)])
                    else:
                        names.extend(x.strip() for x in v.split(" / ") if x.strip())
            latin = [n for n in names if _LAT.search(n) and not _CYR.search(n)]
            cyrillic = [n for n in names if _CYR.search(n) and not _LAT.search(re.sub(r"[iI]", "", n))]
            if latin and cyrillic:
                out.append((cyrillic, latin))
    return out


def _partial_date(text: str) -> PartialDate | None:
    text = text.strip()
    try:
        return PartialDate.parse_iso(text)
    except ValueError:
        pass
    m = re.search(r"(\d{1,2})\.(\d{1,2})\.(\d{4})", text)
    if m:
        try:
            return PartialDate(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            return None
    m = re.search(r"\b(1[89]\d\d|20[0-2]\d)\b", text)
    return PartialDate(int(m.group(1))) if m else None


def yente_queries(base: Path, name: str) -> list[NameQuery]:
    """A yente fixture (`positives_un_treated.csv`, `negatives_global.csv`...) as name queries."""
    path = base / "screening_fixtures_yente" / name
    out: list[NameQuery] = []
    with path.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            dob = _partial_date(r.get("date_of_birth") or "")
            nat = (r.get("nationality") or "").strip()
            out.append(
                NameQuery(
                    name=r["full_name"],
                    schema="Person",
                    birth_dates=(dob,) if dob else (),
                    nationalities=(nat,) if nat else (),
                    gender=(r.get("gender") or None),
                )
            )
    return out


# ---------------------------------------------------------------------------------------------
# Watchlist


Entry = tuple[str, str, ListedEntity]


def watchlist(base: Path, which: str = "all") -> tuple[list[Entry], list[str]]:
    """(entries, notes): the lists in `base` as (list_name, list_version, entity); `which` = all or un."""
    notes: list[str] = []
    entries: list[Entry] = []
    loaders = [("un", _un)] if which == "un" else [("un", _un), ("eu", _eu), ("ofac", _ofac), ("uk", _uk)]
    for list_name, loader in loaders:
        try:
            got, how = loader(base)
        except Exception as exc:  # a parser under construction must not stop the benchmark
            notes.append(f"{list_name}: not loaded ({type(exc).__name__}: {str(exc)[:120]})")
            continue
        entries.extend(got)
        notes.append(f"{list_name}: {len(got)} entities ({how})")
    return entries, notes


def _un(base: Path) -> tuple[list[Entry], str]:
    path = base / "un_sc_consolidated_2026-02-27_watchman" / "UN_consolidated.xml"
    try:
        from rempart.adapters.sources.un import parse_un

        snap = parse_un(path)
        return [("un", snap.as_of.isoformat(), e) for e in snap.entities], "rempart parser"
    except ImportError:
        return [("un", "2026-02-27", e) for e in _un_fallback(path)], "benchmark loader"


def _eu(base: Path) -> tuple[list[Entry], str]:
    d = base / "eu_journal_sanctions_consolidated_2026-08-21_opensanctions"
    paths = sorted(d.glob("*.csv"))
    try:
        from rempart.adapters.sources.eu import parse_eu

        snap = parse_eu(paths)
        return [("eu", snap.as_of.isoformat(), e) for e in snap.entities], "rempart parser"
    except ImportError:
        return [("eu", "2026-08-21", e) for e in _eu_fallback(paths)], "benchmark loader"


def _ofac(base: Path) -> tuple[list[Entry], str]:
    from rempart.adapters.sources.ofac import classify, parse_ofac

    out: list[Entry] = []
    for folder in ("ofac_sdn_2024-05-03_jackdwyer", "ofac_consolidated_nonsdn_2025-12_watchman"):
        files = []
        kind = ""
        for p in sorted((base / folder).glob("*.csv")):
            c = classify(p)
            if c:
                kind = c[0]
                files.append((p, c[1]))
        name = "ofac" if kind == "sdn" else "ofac_cons"
        snap = parse_ofac(files, name, kind)
        out.extend((name, snap.as_of.isoformat(), e) for e in snap.entities)
    return out, "rempart parser"


def _uk(base: Path) -> tuple[list[Entry], str]:
    from rempart.adapters.sources.uk import parse_ofsi_xlsx

    snap = parse_ofsi_xlsx(base / "uk_ofsi_conlist_2025-04-10_nadya-soto" / "UK_Sanctions_List.xlsx")
    return [("uk", snap.as_of.isoformat(), e) for e in snap.entities], "rempart parser"


def _un_fallback(path: Path) -> Iterator[ListedEntity]:
    root = ET.parse(path).getroot()
    for tag, schema in (("INDIVIDUAL", "Person"), ("ENTITY", "Organization")):
        for el in root.iter(tag):
            parts = [
                (el.findtext(t) or "").strip()
                for t in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")
            ]
            names = [Name(" ".join(p for p in parts if p))]
            for al in el.iter(f"{tag}_ALIAS"):
                n = (al.findtext("ALIAS_NAME") or "").strip()
                if n:
                    q = (al.findtext("QUALITY") or "").lower()
                    names.append(Name(n, NameKind.WEAK_ALIAS if q == "low" else NameKind.ALIAS))
            orig = (el.findtext("NAME_ORIGINAL_SCRIPT") or "").strip()
            if orig:
                names.append(Name(orig, NameKind.ALIAS, "Zyyy"))
            dobs: list[PartialDate] = []
            for d in el.iter("INDIVIDUAL_DATE_OF_BIRTH"):
                for t in ("DATE", "YEAR", "FROM_YEAR", "TO_YEAR"):
                    pd = _partial_date(d.findtext(t) or "")
                    if pd:
                        dobs.append(pd)
            nats = tuple(v.text.strip() for n in el.iter("NATIONALITY") for v in n.iter("VALUE") if v.text)
            docs = tuple(
                Identifier(
                    (d.findtext("TYPE_OF_DOCUMENT") or "other").lower(), (d.findtext("NUMBER") or "").strip()
                )
                for d in el.iter("INDIVIDUAL_DOCUMENT")
                if (d.findtext("NUMBER") or "").strip()
            )
            yield ListedEntity(
                source_id=(el.findtext("DATAID") or "").strip(),
                schema=schema,
                names=tuple(names),
                birth_dates=tuple(dobs),
                nationalities=nats,
                identifiers=docs,
            )


def _eu_fallback(paths: list[Path]) -> Iterator[ListedEntity]:
    for p in paths:
        with p.open(encoding="utf-8") as f:
            for i, r in enumerate(csv.DictReader(f)):
                if not r.get("name"):
                    continue
                names = [Name(r["name"])]
                for col, kind in (("alias", NameKind.ALIAS), ("weakAlias", NameKind.WEAK_ALIAS),
                                  ("previousName", NameKind.PREVIOUS)):  # fmt: skip
                    names.extend(Name(v, kind) for v in _split_multi(r.get(col) or ""))
                dobs = tuple(
                    d for d in (_partial_date(v) for v in _split_multi(r.get("birthDate") or "")) if d
                )
                ids: list[Identifier] = []
                for col, id_kind in (("passportNumber", "passport"), ("innCode", "inn"), ("ogrnCode", "ogrn"),
                                  ("imoNumber", "imo"), ("leiCode", "lei"), ("idNumber", "national_id")):  # fmt: skip
                    ids.extend(Identifier(id_kind, v) for v in _split_multi(r.get(col) or ""))
                schema = r["schema"] if r["schema"] != "Company" else "Organization"
                yield ListedEntity(
                    source_id=f"{p.stem}:{r.get('recordId') or i}",
                    schema=schema,
                    names=tuple(names),
                    birth_dates=dobs,
                    nationalities=tuple(_split_multi(r.get("nationality") or "")),
                    identifiers=tuple(ids),
                    gender=(r.get("gender") or None),
                )


# ---------------------------------------------------------------------------------------------
# The UK list's names in their own script: an evaluation built from the lists themselves


@dataclass(frozen=True)
class ScriptCase:
    """A person's name as the UK list writes it in its own script, and the Latin names it gives."""

    entity: str
    name: str
    script: str
    latin: tuple[str, ...]
    held_out: bool  # the half kept out of development (by a hash of the entity's id)


def uk_non_latin(base: Path) -> tuple[list[ScriptCase], list[Entry]]:
    """(cases, the UK's persons with their Latin names only). Each case is a non-Latin name of two
    words or more (single words are nicknames: Север / SEVER) of a UK-listed person."""
    import zlib

    from rempart.adapters.sources.uk import parse_ofsi_xlsx

    snap = parse_ofsi_xlsx(base / "uk_ofsi_conlist_2025-04-10_nadya-soto" / "UK_Sanctions_List.xlsx")
    cases: list[ScriptCase] = []
    latin_entries: list[Entry] = []
    for e in snap.entities:
        if e.schema != "Person":
            continue
        latin = tuple(n.full for n in e.names if n.script == "Latn")
        if not latin:
            continue
        held = zlib.crc32(e.source_id.encode()) % 2 == 1
        latin_entries.append(
            ("uk", snap.as_of.isoformat(), replace(e, names=tuple(n for n in e.names if n.script == "Latn")))
        )
        for n in e.names:
            if n.script != "Latn" and len(n.full.split()) >= 2:
                cases.append(ScriptCase(e.source_id, n.full, n.script, latin, held))
    return cases, latin_entries
