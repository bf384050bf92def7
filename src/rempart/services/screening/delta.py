"""Delta rescreening: when a list version changes, screen only what changed.

- Entities the diff touched (added or changed since the version the customer base was last
  screened against) go into a small index. The customers that index can concern are found in the
  reverse direction (`customer_keys`: the customer base filed under its name probes, kept between
  runs); only they are run against it, which finds exactly what running every customer would.
- Customers that are new or whose data changed since their last screening are run against
  everything.
Removed entities open nothing; their open alerts stay for the analyst (the entity's delisting is
visible in the list diff).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import select

from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import customers
from rempart.adapters.storage.tables_screening import screening_customer_state, screening_list_state
from rempart.domain.lists import ListVersion, diff_entities
from rempart.services.audit import now_iso
from rempart.services.screening.batch import (
    Progress,
    customer_hashes,
    iter_stored_customers,
    save_list_state,
    save_run,
    screen_stored,
)
from rempart.services.screening.customer_keys import CustomerKeys, keys_path
from rempart.services.screening.engine import (
    MatcherFactory,
    Screener,
    ScreeningService,
    customer_query,
    default_matcher_factory,
    load_entries,
)


@dataclass
class DeltaResult:
    lists: dict[str, dict[str, Any]] = field(
        default_factory=dict
    )  # list -> {from, to, added, changed, removed}
    touched_entities: int = 0
    customers_concerned: int = 0  # of the customers screened before, those the touched entities can concern
    customers_vs_delta: int = 0
    customers_vs_all: int = 0
    alerts_opened: int = 0
    run_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def touched_entities(
    store: Store, current: Sequence[ListVersion]
) -> tuple[dict[str, list[str]], dict[str, dict[str, Any]]]:
    """Per list, the source ids added or changed since the version last screened against."""
    with store.read() as conn:
        screened = {r.list_name: r.version_id for r in conn.execute(select(screening_list_state))}
        touched: dict[str, list[str]] = {}
        summary: dict[str, dict[str, Any]] = {}
        for v in current:
            before = screened.get(v.list_name)
            if before == v.id:
                continue
            prev = lists_repo.entity_hashes(conn, before) if before else {}
            diff = diff_entities(prev, lists_repo.entity_hashes(conn, v.id))
            touched[v.list_name] = [*diff.added, *diff.changed]
            summary[v.list_name] = {"from": before, "to": v.id, **diff.summary()}
    return touched, summary


def changed_customers(store: Store) -> set[str]:
    """Customers never screened, or whose data changed since their last screening."""
    c, s = customers.c, screening_customer_state.c
    with store.read() as conn:
        rows = conn.execute(
            select(c.customer_id)
            .select_from(customers.outerjoin(screening_customer_state, s.customer_id == c.customer_id))
            .where((s.customer_id.is_(None)) | (s.data_hash != c.data_hash))
        )
        return {r[0] for r in rows}


def customer_keys(
    store: Store, matcher: object, cache_dir: Path | None = None, hashes: dict[str, str] | None = None
) -> CustomerKeys:
    """The stored customers filed under their name probes, brought up to date (customers new or
    changed since they were filed are analyzed again; with `cache_dir`, kept there). `hashes`:
    the stored customers' data hashes, when already read."""
    path = keys_path(cache_dir, store) if cache_dir else None
    keys = CustomerKeys.load(path) if path is not None else CustomerKeys()
    stale = keys.stale(customer_hashes(store) if hashes is None else hashes)
    probes = getattr(matcher, "probes", None)
    if stale and probes is not None:
        keys.update(
            (c.customer_id, h, probes(customer_query(c)), bool(c.wallets))
            for c, h in iter_stored_customers(store, stale)
        )
        if path is not None:
            keys.save(path)
    return keys


def concerned_customers(
    store: Store, small: Screener, cache_dir: Path | None = None, hashes: dict[str, str] | None = None
) -> set[str]:
    """The stored customers that screening against `small` can give a hit (a superset: every
    customer whose name lookups find something in its index, every customer with a wallet when it
    holds listed wallets). Every stored customer when the matcher cannot say."""
    m = small.matcher
    if not hasattr(m, "probes") or not hasattr(m, "hits"):
        return set(customer_hashes(store) if hashes is None else hashes)
    keys = customer_keys(store, m, cache_dir, hashes)
    return keys.concerned(m, wallets=small.addresses.size > 0)  # type: ignore[arg-type]


def rescreen_delta(
    store: Store,
    *,
    threshold: float,
    full: Screener | None = None,
    workers: int = 1,
    actor: str = "system",
    progress: Progress | None = None,
    matcher_factory: MatcherFactory = default_matcher_factory,
    cache_dir: Path | None = None,
) -> DeltaResult:
    """Bring the customer base's screening up to the current list versions, doing only the delta.
    With `cache_dir`, the customer keys are kept there between runs (else rebuilt each time)."""
    started = now_iso()
    with store.read() as conn:
        current = lists_repo.current_versions(conn)
    versions = {v.list_name: v.id for v in current}
    result = DeltaResult()
    touched, result.lists = touched_entities(store, current)
    fresh = changed_customers(store)
    # 1. the touched entities against every customer already screened and unchanged
    if touched:
        entries = load_entries(store, [v for v in current if v.list_name in touched], touched)
        result.touched_entities = len(entries)
        if entries:
            small = Screener(
                entries,
                {k: versions[k] for k in touched},
                threshold=threshold,
                matcher_factory=matcher_factory,
            )
            hashes = customer_hashes(store)
            known = set(hashes) - fresh
            concerned = concerned_customers(store, small, cache_dir, hashes) & known
            result.customers_concerned = len(concerned)
            if known:
                st = screen_stored(
                    small,
                    store,
                    workers=workers,
                    progress=progress,
                    actor=actor,
                    only=concerned,
                    kind="delta-entities",
                    record_list_state=False,
                )
                result.customers_vs_delta = st.records
                result.alerts_opened += st.alerts_opened
    # 2. new or changed customers against everything
    if fresh:
        if full is None or full.versions != versions:
            full = Screener(
                load_entries(store, current), versions, threshold=threshold, matcher_factory=matcher_factory
            )
        st = screen_stored(
            full,
            store,
            workers=workers,
            progress=progress,
            actor=actor,
            only=fresh,
            kind="delta-customers",
            record_list_state=False,
        )
        result.customers_vs_all = st.records
        result.alerts_opened += st.alerts_opened
    with store.begin() as conn:
        save_list_state(conn, versions, now_iso())
        result.run_id = save_run(
            conn,
            "delta",
            started,
            versions,
            {
                "touched_entities": result.touched_entities,
                "customers_vs_delta": result.customers_vs_delta,
                "customers_vs_all": result.customers_vs_all,
                "alerts_opened": result.alerts_opened,
                "lists": result.lists,
            },
            actor,
        )
    return result


def rescreen_after_import(
    store: Store,
    list_version: str | None = None,
    *,
    threshold: float | None = None,
    service: ScreeningService | None = None,
    workers: int = 1,
    actor: str = "system",
    cache_dir: Path | None = None,
) -> DeltaResult:
    """Call after `lists import` created `list_version`: refresh the live screener (if any) and
    rescreen the delta against the stored customers. The customer keys are kept in `cache_dir`
    (default: the service's)."""
    if threshold is None:
        from rempart.settings import Settings

        threshold = service.threshold if service is not None else Settings().screening_threshold
    full = service.refresh() if service is not None else None
    return rescreen_delta(
        store,
        threshold=threshold,
        full=full,
        workers=workers,
        actor=actor,
        cache_dir=cache_dir if cache_dir is not None or service is None else service.cache_dir,
    )
