"""Sanctions list parsers: real list files in, one normalized `ListSnapshot` out.

`parse(source, paths, list_name=None)` dispatches on `source` (`ofac`, `un`, `uk`, `eu`, `ftm`,
`crypto`) and detects the kind of each file within the source from its name or header. Files of
different kinds (OFAC SDN with Consolidated files, the OFSI spreadsheet with the UK Sanctions List
CSVs, OFAC crypto lists with the Israeli NBCTF list) are refused: one import makes one list.

| source | kinds (list name) | `as_of` |
|---|---|---|
| ofac | `sdn.csv`+`alt.csv`+`add.csv`+`sdn_comments.csv` ("ofac"); `cons_*.csv` ("ofac_cons") | newest file mtime |
| un | UN SC consolidated XML ("un") | `dateGenerated` |
| uk | OFSI `UK_Sanctions_List.xlsx` ("uk"); `subjects.csv`+`subject_names.csv`+`subject_dobs.csv` ("uk_sl") | `Last Updated` cell; max `last_updated` |
| eu | EU journal consolidated + amendment CSVs ("eu") | max `startDate` not after the newest file mtime |
| ftm | FollowTheMoney JSON lines ("ftm") | max `last_change`, else newest file mtime |
| crypto | bob-teamone / thomasgregg OFAC lists ("ofac_crypto"); NBCTF `wallets.csv` ("il_nbctf") | `sdnListDate`, else mtime; `releases.csv` max date, else mtime |

Every malformed input raises `rempart.errors.InputError` naming the file, the line (or XML element,
sheet row), the field and what was expected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from rempart.adapters.sources import crypto, eu, ftm, ofac, uk, un
from rempart.adapters.sources._common import SOURCE_ID_MAX, bounded_source_id
from rempart.domain.lists import ListSnapshot
from rempart.errors import InputError

SOURCES = ("ofac", "un", "uk", "eu", "ftm", "crypto")

__all__ = ["SOURCES", "detect_kind", "parse"]


def _names(paths: Sequence[Path]) -> str:
    return ", ".join(p.name for p in paths)


def detect_kind(source: str, path: Path) -> str:
    """The kind of one file within a source, e.g. `sdn`/`cons` for OFAC, `xlsx`/`sl` for UK."""
    if source == "ofac":
        cls = ofac.classify(path)
        if cls is None:
            raise InputError(
                "not an OFAC list file name",
                file=path.name,
                expected="sdn.csv, alt.csv, add.csv, sdn_comments.csv or cons_prim/alt/add/comments.csv",
            )
        return cls[0]
    if source == "un":
        return "un"
    if source == "uk":
        if path.suffix.lower() == ".xlsx":
            return "xlsx"
        if path.name.lower() in uk.SL_HEADERS:
            return "sl"
        raise InputError(
            "not a UK list file",
            file=path.name,
            expected="UK_Sanctions_List.xlsx or subjects.csv/subject_names.csv/subject_dobs.csv",
        )
    if source == "eu":
        kind = eu.file_kind(path)
        if kind is None:
            raise InputError(
                "not an EU journal CSV",
                file=path.name,
                line=1,
                field="header",
                expected="a header starting celex,recordId or amendedCelex,amendmentCelex",
            )
        return "eu"
    if source == "ftm":
        return "ftm"
    if source == "crypto":
        kind = crypto.file_kind(path)
        if kind in ("bob", "thomasgregg"):
            return "ofac_crypto"
        if kind in ("nbctf", "nbctf_releases"):
            return "nbctf"
        raise InputError(
            "not a known crypto address list",
            file=path.name,
            expected="sanctioned_addresses_<ASSET>.json/.txt, sanctioned-addresses.json or NBCTF wallets.csv",
        )
    raise InputError(f"unknown source {source!r}", field="source", expected=" | ".join(SOURCES), value=source)


def parse(source: str, paths: Sequence[Path], list_name: str | None = None) -> ListSnapshot:
    """Parse the files of one list into a snapshot (see the module docstring for the kinds).

    A `source_id` longer than the store's column (a name-based id) is shortened with a digest."""
    snapshot = _parse(source, paths, list_name)
    if all(len(e.source_id) <= SOURCE_ID_MAX for e in snapshot.entities):
        return snapshot
    entities = tuple(replace(e, source_id=bounded_source_id(e.source_id)) for e in snapshot.entities)
    return replace(snapshot, entities=entities)


def _parse(source: str, paths: Sequence[Path], list_name: str | None) -> ListSnapshot:
    if source not in SOURCES:
        raise InputError(
            f"unknown source {source!r}", field="source", expected=" | ".join(SOURCES), value=source
        )
    paths = [Path(p) for p in paths]
    if not paths:
        raise InputError("no files given", field="paths", expected="at least one file")
    for p in paths:
        if not p.is_file():
            raise InputError("no such file", file=str(p), expected="a readable file")
    kinds = {p: detect_kind(source, p) for p in paths}
    distinct = sorted(set(kinds.values()))
    if len(distinct) > 1:
        detail = "; ".join(f"{k}: {_names([p for p in paths if kinds[p] == k])}" for k in distinct)
        raise InputError(
            f"files of different kinds in one import ({detail})",
            file=_names(paths),
            expected="the files of one list only",
            value=", ".join(distinct),
        )
    kind = distinct[0]
    if len({p.resolve() for p in paths}) != len(paths):
        raise InputError("a file is given twice", file=_names(paths), expected="each file once")
    if source == "ofac":
        files = [(p, ofac.classify(p)[1]) for p in paths]  # type: ignore[index]
        return ofac.parse_ofac(files, list_name or ofac.LIST_NAMES[kind], kind)
    if source == "un":
        if len(paths) != 1:
            raise InputError("the UN list is one XML file", file=_names(paths), expected="one file")
        return un.parse_un(paths[0], list_name or "un")
    if source == "uk":
        if kind == "xlsx":
            if len(paths) != 1:
                raise InputError("the OFSI list is one spreadsheet", file=_names(paths), expected="one .xlsx")
            return uk.parse_ofsi_xlsx(paths[0], list_name or "uk")
        return uk.parse_uk_sl(paths, list_name or "uk_sl")
    if source == "eu":
        return eu.parse_eu(paths, list_name or "eu")
    if source == "ftm":
        return ftm.parse_ftm(paths, list_name or "ftm")
    if kind == "ofac_crypto":
        return crypto.parse_ofac_crypto(paths, list_name or "ofac_crypto")
    return crypto.parse_nbctf(paths, list_name or "il_nbctf")
