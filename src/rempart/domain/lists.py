"""Listed entities, list snapshots, list versions and their diffs: one normalized model for every list.

Pure: no database, no files. Parsers in `adapters/sources` build `ListSnapshot`s; storage keeps
`ListVersion`s; `diff_entities` compares two snapshots.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from rempart.domain.dates import PartialDate

LIST_NAMES = ("ofac", "un", "uk", "eu", "ftm", "crypto")
SCHEMAS = ("Person", "Organization", "LegalEntity", "Vessel", "Aircraft", "CryptoWallet")


class NameKind(StrEnum):
    PRIMARY = "primary"
    ALIAS = "alias"
    WEAK_ALIAS = "weak_alias"
    PREVIOUS = "previous"


@dataclass(frozen=True, slots=True)
class Name:
    """One name of a listed entity. `script` is an ISO 15924 code (Latn, Cyrl, Arab, Hani, ...)."""

    full: str
    kind: NameKind = NameKind.PRIMARY
    script: str = "Latn"
    first: str | None = None
    last: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"full": self.full, "kind": self.kind.value, "script": self.script}
        if self.first:
            out["first"] = self.first
        if self.last:
            out["last"] = self.last
        return out

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Name:
        return cls(
            d["full"],
            NameKind(d.get("kind", "primary")),
            d.get("script", "Latn"),
            d.get("first"),
            d.get("last"),
        )


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier: kind is one of passport, national_id, tax_id, inn, ogrn, imo, lei, swift,
    registration, mmsi, other. `country` is ISO 3166-1 alpha-2 where known."""

    kind: str
    value: str
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "value": self.value, "country": self.country}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Identifier:
        return cls(d["kind"], d["value"], d.get("country"))


@dataclass(frozen=True, slots=True)
class Address:
    text: str
    country: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "country": self.country}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Address:
        return cls(d["text"], d.get("country"))


@dataclass(frozen=True, slots=True)
class Wallet:
    """A crypto wallet address with its chain (the list's currency code: XBT, ETH, TRX, USDT, ...)."""

    chain: str
    address: str

    def to_dict(self) -> dict[str, Any]:
        return {"chain": self.chain, "address": self.address}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Wallet:
        return cls(d["chain"], d["address"])


@dataclass(frozen=True, slots=True)
class ListedEntity:
    """One entry of a sanctions list, normalized.

    `source_id` is the identifier the list itself gives (OFAC ent_num, UN DATAID, UK Group ID,
    EU journal `celex:recordId`, FollowTheMoney id).
    """

    source_id: str
    schema: str
    names: tuple[Name, ...]
    birth_dates: tuple[PartialDate, ...] = ()
    birth_places: tuple[str, ...] = ()
    nationalities: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    addresses: tuple[Address, ...] = ()
    wallets: tuple[Wallet, ...] = ()
    programs: tuple[str, ...] = ()
    listed_on: date | None = None
    gender: str | None = None
    remarks: str | None = None

    @property
    def primary_name(self) -> str:
        for n in self.names:
            if n.kind is NameKind.PRIMARY:
                return n.full
        return self.names[0].full if self.names else self.source_id

    def to_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "schema": self.schema,
            "names": [n.to_dict() for n in self.names],
            "birth_dates": [d.iso() for d in self.birth_dates],
            "birth_places": list(self.birth_places),
            "nationalities": list(self.nationalities),
            "countries": list(self.countries),
            "identifiers": [i.to_dict() for i in self.identifiers],
            "addresses": [a.to_dict() for a in self.addresses],
            "wallets": [w.to_dict() for w in self.wallets],
            "programs": list(self.programs),
            "listed_on": self.listed_on.isoformat() if self.listed_on else None,
            "gender": self.gender,
            "remarks": self.remarks,
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> ListedEntity:
        return cls(
            source_id=d["source_id"],
            schema=d["schema"],
            names=tuple(Name.from_dict(n) for n in d.get("names", ())),
            birth_dates=tuple(PartialDate.parse_iso(x) for x in d.get("birth_dates", ())),
            birth_places=tuple(d.get("birth_places", ())),
            nationalities=tuple(d.get("nationalities", ())),
            countries=tuple(d.get("countries", ())),
            identifiers=tuple(Identifier.from_dict(i) for i in d.get("identifiers", ())),
            addresses=tuple(Address.from_dict(a) for a in d.get("addresses", ())),
            wallets=tuple(Wallet.from_dict(w) for w in d.get("wallets", ())),
            programs=tuple(d.get("programs", ())),
            listed_on=date.fromisoformat(d["listed_on"]) if d.get("listed_on") else None,
            gender=d.get("gender"),
            remarks=d.get("remarks"),
        )

    def content_hash(self) -> str:
        return sha256_json(self.to_dict())


def entity_id(list_name: str, source_id: str) -> str:
    """Rempart's stable id of a listed entity: `<list>:<source_id>`."""
    return f"{list_name}:{source_id}"


@dataclass(frozen=True, slots=True)
class SourceFile:
    name: str
    sha256: str


@dataclass(frozen=True)
class ListSnapshot:
    """What a parser returns: every entity of one list, as of a date, from some source files."""

    list_name: str
    as_of: date
    source_files: tuple[SourceFile, ...]
    entities: tuple[ListedEntity, ...]
    warnings: tuple[str, ...] = ()

    def content_hash(self) -> str:
        """Hash of the normalized content: the same entities give the same hash, whatever the file order."""
        h = hashlib.sha256()
        for eh in sorted(f"{e.source_id}\x00{e.content_hash()}" for e in self.entities):
            h.update(eh.encode())
            h.update(b"\n")
        return h.hexdigest()

    def counts(self) -> dict[str, int]:
        return count_entities(self.entities)


def count_entities(entities: Iterable[ListedEntity]) -> dict[str, int]:
    counts = {"entities": 0, "names": 0, "wallets": 0}
    by_schema: dict[str, int] = {}
    for e in entities:
        counts["entities"] += 1
        counts["names"] += len(e.names)
        counts["wallets"] += len(e.wallets)
        by_schema[e.schema] = by_schema.get(e.schema, 0) + 1
    counts.update({f"schema.{k}": v for k, v in sorted(by_schema.items())})
    return counts


@dataclass(frozen=True)
class ListDiff:
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def summary(self) -> dict[str, int]:
        return {"added": len(self.added), "removed": len(self.removed), "changed": len(self.changed)}


def diff_entities(previous: Mapping[str, str], current: Mapping[str, str]) -> ListDiff:
    """Compare two versions given as {source_id: content_hash}."""
    added = tuple(sorted(k for k in current if k not in previous))
    removed = tuple(sorted(k for k in previous if k not in current))
    changed = tuple(sorted(k for k in current if k in previous and previous[k] != current[k]))
    return ListDiff(added, removed, changed)


@dataclass(frozen=True)
class ListVersion:
    """An immutable stored version of one list."""

    id: str
    list_name: str
    as_of: date
    content_hash: str
    source_files: tuple[SourceFile, ...]
    counts: Mapping[str, int]
    created_at: str
    previous_id: str | None = None
    diff: ListDiff = field(default_factory=ListDiff)
    warnings: tuple[str, ...] = ()

    def to_dict(self, with_diff: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "list": self.list_name,
            "version": self.id,
            "as_of": self.as_of.isoformat(),
            "counts": dict(self.counts),
            "content_hash": self.content_hash,
            "source_files": [{"name": s.name, "sha256": s.sha256} for s in self.source_files],
            "created_at": self.created_at,
            "previous": self.previous_id,
        }
        if with_diff:
            out["diff"] = self.diff.summary()
        return out


def sha256_json(obj: Any) -> str:
    """SHA-256 of a canonical JSON encoding (sorted keys, no spaces, UTF-8)."""
    return hashlib.sha256(canonical_json(obj)).hexdigest()


# One encoder, built once (`json.dumps` with these options would build a new one at every call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(obj: Any) -> bytes:
    return _CANONICAL.encode(obj).encode()
