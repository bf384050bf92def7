"""Batch screening of a customer file or of the stored customer base, in parallel over the cores.

Workers are forked after the screener is built, so they share its index (copy-on-write) instead of
rebuilding it. Records travel in chunks; results come back in input order.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from sqlalchemy import Connection, delete, select

from rempart.adapters.files import read_records
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import customer_wallets, customers
from rempart.adapters.storage.tables_screening import (
    screening_customer_state,
    screening_list_state,
    screening_runs,
)
from rempart.domain.dates import PartialDate
from rempart.domain.lists import sha256_json
from rempart.domain.parties import Customer, CustomerWallet, FieldError, parse_customer
from rempart.domain.screening.model import Hit
from rempart.services.alerts import EntityFacts, open_alerts
from rempart.services.audit import now_iso, record
from rempart.services.screening.customer_keys import CustomerKeys
from rempart.services.screening.engine import Screener, customer_query

CHUNK = 1000
Progress = Callable[[int], None]


def worker_count(configured: int = 0) -> int:
    return configured if configured > 0 else (os.cpu_count() or 1)


# --- the worker side ------------------------------------------------------------------------------

_SCREENER: Screener | None = None
_LISTS: tuple[str, ...] = ()
_LIMIT = 10
_PROBES = False  # also return each customer's name probes (see `customer_keys`)


def _init(screener: Screener, lists: tuple[str, ...], limit: int, probes: bool = False) -> None:
    global _SCREENER, _LISTS, _LIMIT, _PROBES
    _SCREENER, _LISTS, _LIMIT, _PROBES = screener, lists, limit, probes


def _screen_records(chunk: list[tuple[int, dict[str, Any]]]) -> list[str]:
    """Parse and screen file records; one JSON line each (an `error` object for a bad record)."""
    assert _SCREENER is not None
    out = []
    for line, rec in chunk:
        try:
            c = parse_customer(rec)
        except FieldError as exc:
            cid = str(rec.get("customer_id") or "") or None
            out.append(
                json.dumps(
                    {
                        "id": cid,
                        "line": line,
                        "hits": [],
                        "error": {
                            "code": "invalid_input",
                            "message": str(exc),
                            "line": line,
                            "field": exc.field,
                            "expected": exc.expected,
                            "value": exc.value,
                        },
                    },
                    ensure_ascii=False,
                )
            )
            continue
        hits = _SCREENER.screen_customer(c, limit=_LIMIT, lists=_LISTS)
        out.append(json.dumps({"id": c.customer_id, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False))
    return out


Screened = tuple[str, str, list[Hit], frozenset[str] | None, bool]  # id, data hash, hits, probes, wallet


def _screen_customers(chunk: list[tuple[Customer, str]]) -> list[Screened]:
    assert _SCREENER is not None
    s = _SCREENER
    probe = getattr(s.matcher, "probes", None) if _PROBES else None
    return [
        (
            c.customer_id,
            h,
            s.screen_customer(c, limit=_LIMIT, lists=_LISTS),
            None if probe is None else probe(customer_query(c)),
            bool(c.wallets),
        )
        for c, h in chunk
    ]


def _chunks(items: Iterable[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    buf: list[Any] = []
    for it in items:
        buf.append(it)
        if len(buf) >= size:
            yield buf
            buf = []
    if buf:
        yield buf


def _run(
    screener: Screener,
    fn: Callable[[Any], list[Any]],
    chunks: Iterable[list[Any]],
    workers: int,
    lists: tuple[str, ...],
    limit: int,
    probes: bool = False,
) -> Iterator[list[Any]]:
    """Apply `fn` to every chunk, in order; forked workers when `workers` > 1."""
    if workers <= 1:
        _init(screener, lists, limit, probes)
        for ch in chunks:
            yield fn(ch)
        return
    ctx = multiprocessing.get_context("fork")
    _init(screener, lists, limit, probes)  # inherited by the forked workers
    with ctx.Pool(workers) as pool:
        yield from pool.imap(fn, chunks, chunksize=1)


# --- a customer file ------------------------------------------------------------------------------


@dataclass
class BatchStats:
    records: int = 0
    with_hits: int = 0
    hits: int = 0
    errors: int = 0
    alerts_opened: int = 0
    lists: dict[str, str] = field(default_factory=dict)
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def screen_file(
    screener: Screener,
    path: Path,
    out: IO[str],
    *,
    workers: int = 1,
    progress: Progress | None = None,
    limit: int = 10,
    lists: Sequence[str] = (),
) -> BatchStats:
    """Screen every record of a customer file (CSV or JSON lines); write one JSON line per record,
    `{"id": ..., "hits": [...]}`, in input order. A bad record gives an `error` line; the rest go on."""
    stats = BatchStats(lists=screener._lists_used(lists))
    records = read_records(path, ("customer_id", "name"))
    for lines in _run(screener, _screen_records, _chunks(records), workers, tuple(lists), limit):
        for ln in lines:
            out.write(ln + "\n")
            stats.records += 1
            if '"error": {' in ln:
                stats.errors += 1
            elif not ln.endswith('"hits": []}'):
                stats.with_hits += 1
                stats.hits += len(json.loads(ln)["hits"])
        if progress is not None:
            progress(len(lines))
    return stats


# --- the stored customer base ---------------------------------------------------------------------


def count_customers(store: Store) -> int:
    from sqlalchemy import func

    with store.read() as conn:
        return int(conn.execute(select(func.count()).select_from(customers)).scalar_one())


SPARSE = 0.2  # `only` at most this share of the stored customers: read them by id, not every page


def iter_stored_customers(
    store: Store, only: set[str] | None = None, batch: int = 5000
) -> Iterator[tuple[Customer, str]]:
    """Every stored customer (or only those in `only`) with its data hash, in customer_id order,
    read in pages (a few customers out of many are read by id)."""
    c = customers.c
    cols = (
        c.customer_id,
        c.type,
        c.name,
        c.alt_names,
        c.birth_date,
        c.nationalities,
        c.establishment_country,
        c.registration_number,
        c.data_hash,
    )
    by_id = only is not None and len(only) <= SPARSE * count_customers(store)
    wanted = sorted(only) if by_id and only is not None else []
    last = ""
    k = 0
    while True:
        with store.read() as conn:
            if by_id:
                page = wanted[k : k + 500]
                k += 500
                if not page:
                    return
                rows = conn.execute(
                    select(*cols).where(c.customer_id.in_(page)).order_by(c.customer_id)
                ).all()
            else:
                rows = conn.execute(
                    select(*cols).where(c.customer_id > last).order_by(c.customer_id).limit(batch)
                ).all()
                if not rows:
                    return
                last = rows[-1].customer_id
            ids = [r.customer_id for r in rows]
            wallets: dict[str, list[CustomerWallet]] = {}
            if ids:
                for w in conn.execute(
                    select(customer_wallets).where(customer_wallets.c.customer_id.in_(ids))
                ):
                    wallets.setdefault(w.customer_id, []).append(CustomerWallet(w.chain, w.address))
        for r in rows:
            if only is not None and r.customer_id not in only:
                continue
            bd = None
            if r.birth_date:
                try:
                    bd = PartialDate.parse_iso(r.birth_date)
                except ValueError:
                    bd = None
            yield (
                Customer(
                    customer_id=r.customer_id,
                    type=r.type,
                    name=r.name,
                    alt_names=tuple(json.loads(r.alt_names or "[]")),
                    birth_date=bd,
                    nationalities=tuple(json.loads(r.nationalities or "[]")),
                    establishment_country=r.establishment_country,
                    registration_number=r.registration_number,
                    wallets=tuple(wallets.get(r.customer_id, ())),
                ),
                r.data_hash,
            )


def customer_hashes(store: Store) -> dict[str, str]:
    """customer id -> data hash, of every stored customer."""
    with store.read() as conn:
        return {r[0]: r[1] for r in conn.execute(select(customers.c.customer_id, customers.c.data_hash))}


def entity_facts(screener: Screener) -> dict[str, EntityFacts]:
    return {k: EntityFacts(v.content_hash, v.programs, v.listed_on) for k, v in screener.entities.items()}


def apply_results(
    conn: Connection,
    results: Sequence[tuple[str, str, list[Hit]]],
    facts: dict[str, EntityFacts],
    versions_hash: str,
    now: str,
    *,
    actor: str,
) -> int:
    """Open alerts for matching hits and remember what each customer was screened with."""
    opened = 0
    for cid, data_hash, hits in results:
        if hits:
            opened += len(open_alerts(conn, cid, data_hash, hits, facts, actor=actor))
    ids = [r[0] for r in results]
    for i in range(0, len(ids), 500):
        conn.execute(
            delete(screening_customer_state).where(
                screening_customer_state.c.customer_id.in_(ids[i : i + 500])
            )
        )
    conn.execute(
        screening_customer_state.insert(),
        [
            {"customer_id": cid, "data_hash": h, "versions_hash": versions_hash, "screened_at": now}
            for cid, h, _ in results
        ],
    )
    return opened


def save_list_state(conn: Connection, versions: dict[str, str], now: str) -> None:
    conn.execute(delete(screening_list_state))
    if versions:
        conn.execute(
            screening_list_state.insert(),
            [{"list_name": k, "version_id": v, "screened_at": now} for k, v in sorted(versions.items())],
        )


def save_run(
    conn: Connection, kind: str, started: str, versions: dict[str, str], counts: dict[str, Any], actor: str
) -> str:
    rid = f"sr_{uuid.uuid4().hex[:24]}"
    conn.execute(
        screening_runs.insert().values(
            id=rid,
            kind=kind,
            started_at=started,
            finished_at=now_iso(),
            list_versions=json.dumps(versions),
            counts=json.dumps(counts),
            actor=actor,
        )
    )
    record(
        conn,
        type=f"screening.{kind}",
        actor=actor,
        subject=f"screening_run:{rid}",
        payload={"run_id": rid, "list_versions": versions, "counts": counts},
    )
    return rid


def screen_stored(
    screener: Screener,
    store: Store,
    out: IO[str] | None = None,
    *,
    workers: int = 1,
    progress: Progress | None = None,
    limit: int = 10,
    actor: str = "system",
    only: set[str] | None = None,
    kind: str = "batch",
    record_list_state: bool = True,
    keys: CustomerKeys | None = None,
) -> BatchStats:
    """Screen the stored customers (all, or `only`), open alerts, and record the run. With `keys`,
    file each customer screened there under its name probes (for later delta rescreenings)."""
    started = now_iso()
    stats = BatchStats(lists=dict(screener.versions))
    facts = entity_facts(screener)
    vhash = sha256_json(sorted(screener.versions.items()))
    chunks = _chunks(iter_stored_customers(store, only))
    probes = keys is not None and hasattr(screener.matcher, "probes")
    for screened in _run(screener, _screen_customers, chunks, workers, (), limit, probes):
        results = [(cid, h, hits) for cid, h, hits, _p, _w in screened]
        if keys is not None and probes:
            keys.update((cid, h, p, w) for cid, h, _hits, p, w in screened if p is not None)
        with store.begin() as conn:
            stats.alerts_opened += apply_results(conn, results, facts, vhash, now_iso(), actor=actor)
        for cid, _h, hits in results:
            stats.records += 1
            stats.hits += len(hits)
            stats.with_hits += bool(hits)
            if out is not None:
                out.write(
                    json.dumps({"id": cid, "hits": [h.to_dict() for h in hits]}, ensure_ascii=False) + "\n"
                )
        if progress is not None:
            progress(len(results))
    with store.begin() as conn:
        if record_list_state:
            save_list_state(conn, screener.versions, now_iso())
        stats.run_id = save_run(
            conn,
            kind,
            started,
            screener.versions,
            {"customers": stats.records, "with_hits": stats.with_hits, "alerts_opened": stats.alerts_opened},
            actor,
        )
    return stats
