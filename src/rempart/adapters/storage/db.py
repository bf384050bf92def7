"""The store: an engine, its migrations, and transactions. SQLite by default, PostgreSQL in production."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, event, inspect
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).parent / "migrations"


def normalize_url(url: str) -> str:
    """Accept `postgresql://` and `postgres://` as psycopg 3 URLs; leave others as given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class Store:
    """One database. `begin()` is a transaction; everything written inside commits or rolls back together."""

    def __init__(self, engine: Engine, schema: str | None = None) -> None:
        self.engine = engine
        self.schema = schema

    @classmethod
    def open(cls, url: str, *, schema: str | None = None, migrate: bool = True) -> Store:
        url = normalize_url(url)
        u = make_url(url)
        kwargs: dict[str, object] = {}
        if u.get_backend_name() == "sqlite":
            kwargs["connect_args"] = {"timeout": 30, "check_same_thread": False}
        elif schema:
            kwargs["connect_args"] = {"options": f"-csearch_path={schema}"}
        engine = create_engine(url, future=True, pool_pre_ping=True, **kwargs)
        if u.get_backend_name() == "sqlite":
            _sqlite_pragmas(engine)
        store = cls(engine, schema)
        if migrate:
            store.migrate()
        return store

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def migrate(self) -> None:
        """Bring the schema to the newest migration (Alembic `upgrade head`)."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")

    def table_names(self) -> list[str]:
        return inspect(self.engine).get_table_names()

    @contextlib.contextmanager
    def begin(self) -> Iterator[Connection]:
        """One transaction. On SQLite it takes the write lock at once (BEGIN IMMEDIATE)."""
        with self.engine.connect() as conn:
            if self.dialect == "sqlite":
                conn.exec_driver_sql("BEGIN IMMEDIATE")
                try:
                    yield conn
                except BaseException:
                    conn.rollback()
                    raise
                else:
                    conn.commit()
            else:
                with conn.begin():
                    yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            yield conn

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):  # type: ignore[no-untyped-def]
        # Let SQLAlchemy/us manage transactions (pysqlite's implicit BEGIN breaks BEGIN IMMEDIATE).
        dbapi_conn.isolation_level = None
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()
