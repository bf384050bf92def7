"""The customer base filed under its name keys: which customers can a few new listed entities concern?

A search finds a candidate only through the index lookups its query makes (`Matcher.probes`:
a name part's spelling skeleton with its deletion neighbourhood, its consonants, two adjacent parts
joined). Filing every customer under those probes once, a delta rescreening looks up which probes
hit the small index of the entities a list version added or changed, and screens only the customers
holding one (plus, when those entities carry wallets, the customers with a wallet). Every other
customer would get no candidate from that index, so no hit: the delta finds exactly what screening
every customer against those entities finds.

The probes depend only on the customer's data and the name analysis code, not on the lists, so the
index is kept between runs (a pickle in the screener cache directory, keyed by the code) and only
customers that are new or changed are analyzed again.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from pathlib import Path
from typing import Protocol

from rempart.adapters.storage.db import Store
from rempart.domain.screening.index import Probes
from rempart.domain.screening.model import NameQuery

FORMAT = 2


class ProbingMatcher(Protocol):
    def probes(self, query: NameQuery) -> Probes: ...

    def hits(self, probe: str) -> bool: ...

    def concerned(self, probes: Probes, hit: AbstractSet[str]) -> bool: ...


class CustomerKeys:
    """customer id -> (data hash, probes, has a wallet), and probe -> customers."""

    def __init__(self) -> None:
        self.rows: dict[str, tuple[str, Probes, bool]] = {}

    def __len__(self) -> int:
        return len(self.rows)

    def add(self, customer_id: str, data_hash: str, probes: Probes, has_wallet: bool) -> None:
        self.rows[customer_id] = (data_hash, probes, has_wallet)

    def update(self, items: Iterable[tuple[str, str, Probes, bool]]) -> None:
        for cid, h, probes, wallet in items:
            self.rows[cid] = (h, probes, wallet)

    def stale(self, current: dict[str, str]) -> set[str]:
        """Forget customers no longer stored; return those new or changed since they were filed."""
        for cid in [c for c in self.rows if c not in current]:
            del self.rows[cid]
        rows = self.rows
        return {cid for cid, h in current.items() if (got := rows.get(cid)) is None or got[0] != h}

    def concerned(self, matcher: ProbingMatcher, wallets: bool) -> set[str]:
        """Customers a search in `matcher`'s index can give a hit: whose probes find names carrying
        enough of a query name's weight (and, when `wallets`, every customer with a wallet)."""
        by_probe: dict[str, list[str]] = {}
        out: set[str] = set()
        for cid, (_h, probes, has_wallet) in self.rows.items():
            if wallets and has_wallet:
                out.add(cid)
            for parts in probes:
                for _share, ps in parts:
                    for p in ps:
                        got = by_probe.get(p)
                        if got is None:
                            by_probe[p] = [cid]
                        else:
                            got.append(cid)
        hit = {p for p in by_probe if matcher.hits(p)}
        rows = self.rows
        for p in hit:
            for cid in by_probe[p]:
                if cid not in out and matcher.concerned(rows[cid][1], hit):
                    out.add(cid)
        return out

    # ------------------------------------------------------------------ kept between runs
    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with tmp.open("wb") as f:
            pickle.dump((FORMAT, self.rows), f, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> CustomerKeys:
        """The saved index, or an empty one when there is none (or it is unreadable)."""
        keys = cls()
        try:
            with path.open("rb") as f:
                fmt, rows = pickle.load(f)
            if fmt == FORMAT and isinstance(rows, dict):
                keys.rows = rows
        except Exception:  # no file, or a broken or stale one: rebuilt
            path.unlink(missing_ok=True)
        return keys


def keys_path(cache_dir: Path, store: Store) -> Path:
    """Where the customer keys of one store are kept: per store, per name analysis code."""
    from rempart.domain import screening as pkg

    h = hashlib.sha256(f"{store.engine.url}#{store.schema}".encode())
    for p in sorted(Path(pkg.__path__[0]).glob("*.py")):
        h.update(p.read_bytes())
    return cache_dir / f"customer-keys-{h.hexdigest()[:32]}.pickle"
