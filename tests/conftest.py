"""Shared fixtures: the real data directory, and a store on SQLite and on PostgreSQL."""

from __future__ import annotations

import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from rempart.adapters.storage.db import Store

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("REMPART_TEST_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()
POSTGRES_URL = os.environ.get(
    "REMPART_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> bool:
    try:
        eng = create_engine(POSTGRES_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


POSTGRES_UP = _postgres_available()


def pytest_report_header(config: pytest.Config) -> list[str]:
    if POSTGRES_UP:
        return [f"PostgreSQL: {POSTGRES_URL} answers; storage contract tests run on SQLite AND PostgreSQL"]
    banner = "!" * 78
    return [
        banner,
        f"!!! PostgreSQL at {POSTGRES_URL} does NOT answer: PostgreSQL tests are SKIPPED !!!",
        banner,
    ]


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not POSTGRES_UP:
        terminalreporter.write_sep(
            "!",
            "PostgreSQL was not reachable: the PostgreSQL half of the storage suite was SKIPPED",
            red=True,
        )


@pytest.fixture(scope="session")
def shared_data() -> Path:
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data directory {SHARED_DATA} is absent")
    return SHARED_DATA


def make_postgres_store() -> Iterator[Store]:
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    store = Store.open(POSTGRES_URL, schema=schema)
    try:
        yield store
    finally:
        store.dispose()
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def make_sqlite_store(tmp_path: Path) -> Iterator[Store]:
    store = Store.open(f"sqlite:///{tmp_path / 'rempart.db'}")
    try:
        yield store
    finally:
        store.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    """A fresh, migrated store: once on SQLite, once on PostgreSQL (a schema of its own)."""
    if request.param == "sqlite":
        yield from make_sqlite_store(tmp_path)
    else:
        if not POSTGRES_UP:
            warnings.warn("PostgreSQL not reachable: skipping the PostgreSQL contract run", stacklevel=1)
            pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer")
        yield from make_postgres_store()


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[Store]:
    yield from make_sqlite_store(tmp_path)


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL for CLI tests: a fresh SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'cli.db'}"
        return
    if not POSTGRES_UP:
        pytest.skip(f"PostgreSQL at {POSTGRES_URL} does not answer")
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as c:
        c.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield f"{POSTGRES_URL}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as c:
            c.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()
