"""Crypto address lists.

**OFAC-derived lists** (list "ofac_crypto"):

- bob-teamone `sanctioned_addresses_<ASSET>.json` (`[{"address", "name"}]`) or `.txt`
  (`address;"name"` per line); `name` is every SDN name of the holder joined by `;` (the first is
  taken as the primary name). Address case is preserved. The chain is the file's ASSET.
- thomasgregg `sanctioned-addresses.json` (`{"metadata", "addresses": {address: {"type",
  "entries": [{"entity", "program", "uid", "akas"}]}}}`): fresher, with the SDN uid, but its address
  keys are lower-cased. When bob-teamone files are given too, the original case is recovered from
  them and thomasgregg decides which addresses are listed (bob-teamone addresses it lacks are
  reported, not imported); otherwise the lower-cased addresses are kept and a warning says how
  many of them are on case-sensitive chains.

Addresses are grouped by holder: `source_id` is the SDN uid when known, else `name:<primary name>`.
`as_of` is thomasgregg's `sdnListDate` when given, else the newest file date.

**Israeli NBCTF seizure orders** (list "il_nbctf"): `wallets.csv` as transcribed by OpenSanctions
(Hebrew header: full name, ID number, passport, date of birth, wallet id / user, currency), with
order lines (`צ.ת 18/26`) separating the orders. A named row gives a Person (grouped by name and
ID number, `source_id` = `person:<NAME>[:<id>]`); an unnamed row gives a CryptoWallet entity per
address (`source_id` = `wallet:<address>`). The order numbers become programs. An empty currency is
inferred from the address form when possible (ETH, TRX, XBT), else `UNKNOWN`. `as_of` is the
latest update date of `releases.csv` when given, else the newest file date.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from rempart.adapters.sources._common import (
    detect_script,
    mtime_date,
    parse_partial_date,
    read_text,
    require_date,
    source_files,
    uniq,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, ListedEntity, ListSnapshot, Name, NameKind, Wallet
from rempart.errors import InputError

_BOB = re.compile(r"^sanctioned_addresses_(?P<asset>[A-Z0-9]+)\.(?P<ext>json|txt)$", re.I)
NBCTF_HEADER = ["שם מלא", "תעודת זהות", "דרכון", "תאריך לידה", "מספר זיהוי הארנק האלקטרוני/ יוזר", "מטבע"]
RELEASES_HEADER = ["סוג", "תאריך עדכון", "תוקף הצו"]
# An order line: `צ.ת 18/26`, also printed `צ.ת - 34/23` (the program is kept as `צ.ת 34/23`).
_ORDER = re.compile(r"^צ\.ת[\s\-\u2013]*(?P<num>\d+/\d+)")


def file_kind(path: Path) -> str | None:
    """`bob`, `thomasgregg`, `nbctf`, `nbctf_releases` or None."""
    name = path.name
    if _BOB.match(name):
        return "bob"
    if name.lower() == "sanctioned-addresses.json":
        return "thomasgregg"
    if path.suffix.lower() == ".csv":
        with path.open("r", encoding="utf-8-sig", errors="replace") as fh:
            head = fh.readline().strip().split(",")
        if head == NBCTF_HEADER:
            return "nbctf"
        if head == RELEASES_HEADER:
            return "nbctf_releases"
    if path.suffix.lower() == ".json":
        try:
            with path.open("r", encoding="utf-8") as fh:
                obj = json.load(fh)
        except (OSError, ValueError):
            return None
        if isinstance(obj, dict) and "addresses" in obj and "metadata" in obj:
            return "thomasgregg"
    return None


def infer_chain(address: str) -> str:
    if re.fullmatch(r"0x[0-9a-fA-F]{40}", address):
        return "ETH"
    if re.fullmatch(r"T[1-9A-HJ-NP-Za-km-z]{33}", address):
        return "TRX"
    if re.fullmatch(r"(bc1[02-9ac-hj-np-z]{11,71}|[13][1-9A-HJ-NP-Za-km-z]{25,34})", address):
        return "XBT"
    return "UNKNOWN"


def _case_insensitive(chain: str, address: str) -> bool:
    return address.lower().startswith("0x")


@dataclass
class _Holder:
    names: list[Name] = field(default_factory=list)
    wallets: list[Wallet] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    identifiers: list[Identifier] = field(default_factory=list)
    birth_dates: list[PartialDate] = field(default_factory=list)
    schema: str = "LegalEntity"


def _split_names(joined: str) -> list[Name]:
    parts = [p.strip() for p in joined.split(";") if p.strip()]
    return [
        Name(p, NameKind.PRIMARY if i == 0 else NameKind.ALIAS, detect_script(p)) for i, p in enumerate(parts)
    ]


def _read_bob(path: Path, asset: str, ext: str) -> list[tuple[int, str, str]]:
    """(line or item number, address, joined names)."""
    out: list[tuple[int, str, str]] = []
    if ext.lower() == "json":
        try:
            items = json.loads(read_text(path, encodings=("utf-8-sig",)))
        except json.JSONDecodeError as exc:
            raise InputError(
                f"not valid JSON: {exc.msg}", file=path.name, line=exc.lineno, expected="a JSON list"
            ) from exc
        if not isinstance(items, list):
            raise InputError("not a JSON list", file=path.name, line=1, expected="a list of {address, name}")
        for i, item in enumerate(items, start=1):
            if not isinstance(item, dict) or not isinstance(item.get("address"), str) or not item["address"]:
                raise InputError(
                    "item without an address",
                    file=path.name,
                    element=f"item[{i}]",
                    field="address",
                    expected="an object with a non-empty address string",
                )
            out.append((i, item["address"].strip(), str(item.get("name") or "").strip()))
        return out
    text = read_text(path, encodings=("utf-8-sig",))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=";")
    for row in reader:
        if not row or not row[0].strip():
            continue
        if len(row) < 2:
            raise InputError(
                "line without a name",
                file=path.name,
                line=reader.line_num,
                field="name",
                expected='address;"names"',
                value=";".join(row),
            )
        out.append((reader.line_num, row[0].strip(), ";".join(row[1:]).strip()))
    return out


def _read_thomasgregg(path: Path) -> tuple[dict[str, Any], date | None]:
    try:
        obj = json.loads(read_text(path, encodings=("utf-8-sig",)))
    except json.JSONDecodeError as exc:
        raise InputError(
            f"not valid JSON: {exc.msg}", file=path.name, line=exc.lineno, expected="a JSON object"
        ) from exc
    if not isinstance(obj, dict) or not isinstance(obj.get("addresses"), dict):
        raise InputError(
            "no addresses object", file=path.name, field="addresses", expected="{metadata, addresses}"
        )
    meta = obj.get("metadata") or {}
    list_date = meta.get("sdnListDate") if isinstance(meta, dict) else None
    as_of = None
    if isinstance(list_date, str) and list_date:
        try:
            as_of = datetime.strptime(list_date, "%m/%d/%Y").date()
        except ValueError:
            raise InputError(
                "bad sdnListDate",
                file=path.name,
                element="metadata",
                field="sdnListDate",
                expected="mm/dd/yyyy",
                value=list_date,
            ) from None
    return obj["addresses"], as_of


def parse_ofac_crypto(paths: Sequence[Path], list_name: str = "ofac_crypto") -> ListSnapshot:
    bob: list[tuple[Path, str, str]] = []
    tg: list[Path] = []
    for p in paths:
        m = _BOB.match(p.name)
        if m:
            bob.append((p, m.group("asset").upper(), m.group("ext")))
        else:
            tg.append(p)
    warnings: list[str] = []
    # bob-teamone: address -> (chain, names, original case)
    bob_addr: dict[str, tuple[str, str, str]] = {}
    for p, asset, ext in bob:
        for _n, address, names in _read_bob(p, asset, ext):
            bob_addr.setdefault(address.lower(), (asset, names, address))
    holders: dict[str, _Holder] = {}
    as_of: date | None = None
    if tg:
        if len(tg) > 1:
            raise InputError(
                "more than one sanctioned-addresses.json",
                file=", ".join(p.name for p in tg),
                expected="one thomasgregg file",
            )
        addresses, as_of = _read_thomasgregg(tg[0])
        recovered = lowered = 0
        for key, info in addresses.items():
            if not isinstance(info, dict) or not isinstance(info.get("entries"), list):
                raise InputError(
                    "address without entries",
                    file=tg[0].name,
                    element=f"addresses[{key}]",
                    field="entries",
                    expected="a list of entries",
                )
            atype = str(info.get("type") or "")
            chain = atype.rsplit("-", 1)[-1].strip().upper() if "-" in atype else infer_chain(key)
            address = key
            if key.lower() in bob_addr:
                address = bob_addr[key.lower()][2]
                recovered += 1
            elif not _case_insensitive(chain, key):
                lowered += 1
            for entry in info["entries"]:
                uid = str(entry.get("uid") or "").strip()
                name = str(entry.get("entity") or "").strip()
                if not uid or not name:
                    raise InputError(
                        "entry without uid or entity name",
                        file=tg[0].name,
                        element=f"addresses[{key}]",
                        field="uid/entity",
                        expected="both",
                    )
                h = holders.setdefault(uid, _Holder())
                if not h.names:
                    h.names.append(Name(name, NameKind.PRIMARY, detect_script(name)))
                    h.names.extend(Name(a, NameKind.ALIAS, detect_script(a)) for a in entry.get("akas") or [])
                    h.programs.extend(
                        p.strip() for p in str(entry.get("program") or "").split(",") if p.strip()
                    )
                h.wallets.append(Wallet(chain, address))
        if bob:
            missing = len(set(bob_addr) - {k.lower() for k in addresses})
            warnings.append(
                f"address case recovered from bob-teamone for {recovered} of {len(addresses)} addresses"
            )
            if missing:
                warnings.append(f"{missing} bob-teamone addresses are not in {tg[0].name} (not imported)")
        if lowered:
            warnings.append(
                f"{lowered} addresses on case-sensitive chains are kept lower-cased (case unknown)"
            )
    else:
        for address, (asset, names, _orig) in bob_addr.items():
            del address
            parsed = _split_names(names) or [Name(_orig, NameKind.PRIMARY)]
            key = "name:" + parsed[0].full
            h = holders.setdefault(key, _Holder())
            if not h.names:
                h.names.extend(parsed)
            h.wallets.append(Wallet(asset, _orig))
    entities = [
        ListedEntity(
            source_id=sid,
            schema=h.schema,
            names=uniq(h.names),
            wallets=uniq(h.wallets),
            programs=uniq(h.programs),
        )
        for sid, h in holders.items()
    ]
    return ListSnapshot(
        list_name=list_name,
        as_of=as_of or mtime_date(paths),
        source_files=source_files(paths),
        entities=tuple(entities),
        warnings=tuple(warnings),
    )


def _blank(v: str) -> str | None:
    v = v.strip()
    return None if v in ("", "-") else v


def parse_nbctf(paths: Sequence[Path], list_name: str = "il_nbctf") -> ListSnapshot:
    wallets_files = [p for p in paths if file_kind(p) == "nbctf"]
    releases = [p for p in paths if file_kind(p) == "nbctf_releases"]
    if len(wallets_files) != 1:
        raise InputError(
            "the NBCTF import needs one wallets.csv",
            file=", ".join(p.name for p in paths),
            expected="one wallets.csv with the Hebrew header",
        )
    path = wallets_files[0]
    holders: dict[str, _Holder] = {}
    order: str | None = None
    text = read_text(path, encodings=("utf-8-sig",))
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    for row in reader:
        line = reader.line_num
        if not row or not any(c.strip() for c in row):
            continue
        m = _ORDER.match(row[0].strip())
        if m and not any(c.strip() for c in row[1:]):
            order = f"צ.ת {m['num']}"
            continue
        if len(row) != 6:
            raise InputError(
                "wrong number of columns",
                file=path.name,
                line=line,
                field="row",
                expected="6 columns",
                value=str(len(row)),
            )
        name, idnum, passport, dob, wallet, currency = (_blank(c) for c in row)
        chain = (currency or "").upper() or (infer_chain(wallet) if wallet else "UNKNOWN")
        if name:
            sid = f"person:{name.upper()}" + (f":{idnum}" if idnum else "")
            h = holders.setdefault(sid, _Holder(schema="Person"))
            if not h.names:
                h.names.append(Name(name, NameKind.PRIMARY, detect_script(name)))
            if idnum:
                h.identifiers.append(Identifier("national_id", idnum))
            if passport:
                h.identifiers.append(Identifier("passport", passport))
            if dob:
                pd = parse_partial_date(dob)
                if pd is None:
                    raise InputError(
                        "not a valid date of birth",
                        file=path.name,
                        line=line,
                        field="תאריך לידה",
                        expected="dd/mm/yyyy",
                        value=dob,
                    )
                h.birth_dates.append(pd)
        elif wallet:
            sid = f"wallet:{wallet}"
            h = holders.setdefault(sid, _Holder(schema="CryptoWallet"))
            if not h.names:
                h.names.append(Name(wallet, NameKind.PRIMARY))
        else:
            continue
        if wallet:
            h.wallets.append(Wallet(chain, wallet))
        if order:
            h.programs.append(order)
    as_of: date | None = None
    for rp in releases:
        rreader = csv.reader(io.StringIO(read_text(rp, encodings=("utf-8-sig",)), newline=""))
        next(rreader)
        for row in rreader:
            if len(row) >= 2 and row[1].strip():
                d = require_date(row[1].strip(), file=rp.name, line=rreader.line_num, field="תאריך עדכון")
                as_of = max(as_of, d) if as_of else d
    entities = [
        ListedEntity(
            source_id=sid,
            schema=h.schema,
            names=uniq(h.names),
            birth_dates=uniq(h.birth_dates),
            identifiers=uniq(h.identifiers),
            wallets=uniq(h.wallets),
            programs=uniq(h.programs),
        )
        for sid, h in holders.items()
    ]
    return ListSnapshot(
        list_name=list_name,
        as_of=as_of or mtime_date(paths),
        source_files=source_files(paths),
        entities=tuple(entities),
    )
