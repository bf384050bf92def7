"""Import time, counts and peak memory of every real list, into a fresh SQLite and PostgreSQL store."""

from __future__ import annotations

import os
import resource
import tempfile
import time
import uuid
from pathlib import Path

from sqlalchemy import create_engine, text

from rempart.adapters.shared_data import CATALOGUE
from rempart.adapters.storage.db import Store
from rempart.services.lists import import_files

DATA = Path(
    os.environ.get("REMPART_DATA_DIR", Path(__file__).resolve().parents[2] / ".." / "shared" / "data")
).resolve()
PG = os.environ.get("REMPART_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def run(store: Store, label: str) -> None:
    print(f"\n{label}")
    print(
        f"{'list':<12} {'entities':>9} {'names':>8} {'wallets':>8} {'import s':>9} {'re-import s':>12}  diff on re-import"
    )
    for entry in CATALOGUE:
        paths = entry.paths(DATA)
        if not paths:
            continue
        t0 = time.perf_counter()
        first = import_files(store, paths, entry.source, list_name=entry.list_name, as_of=entry.as_of)
        t1 = time.perf_counter()
        again = import_files(store, paths, entry.source, list_name=entry.list_name, as_of=entry.as_of)
        t2 = time.perf_counter()
        c = first.version.counts
        print(
            f"{entry.list_name:<12} {c['entities']:>9} {c['names']:>8} {c['wallets']:>8} {t1 - t0:>9.2f} "
            f"{t2 - t1:>12.2f}  {again.diff.summary()} created={again.created}"
        )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        run(store, "SQLite")
        store.dispose()
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG)
    try:
        with admin.begin() as c:
            c.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL not reachable ({exc.__class__.__name__}); skipped")
        return
    try:
        store = Store.open(PG, schema=schema)
        run(store, "PostgreSQL")
        store.dispose()
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    print(f"\npeak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
