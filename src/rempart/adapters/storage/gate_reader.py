"""The gate's read of one stored customer, on the driver's cursor.

`restrictions_store.facts_document` defines what the gate reads: one statement for the customer, its
balances in the latest snapshot and the price table's fingerprint, one for its sanctions matches, and
the cached price table. Here the same two statements are compiled once per dialect and run on the
DBAPI cursor of the pooled connection: SQLAlchemy's execution context and result objects cost more
than the indexed look-ups themselves, and a gate check is two such look-ups. The result is the same
document (a test compares them customer by customer, on SQLite and PostgreSQL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from sqlalchemy import Connection
from sqlalchemy.sql.elements import ClauseElement

from rempart.adapters.batch import restrictions_store as _store
from rempart.errors import NotFound

_CUSTOMER_FACTS = _store._CUSTOMER_FACTS
_MATCHES_ONE = _store._MATCHES_ONE
_LISTS = frozenset(_store._LISTS)


class _Compiled:
    """A statement compiled for one dialect: its SQL text and how to pass its parameters."""

    __slots__ = ("defaults", "names", "positional", "sql")

    def __init__(self, stmt: ClauseElement, conn: Connection) -> None:
        compiled = stmt.compile(dialect=conn.dialect)
        self.sql = str(compiled)
        self.positional = bool(getattr(compiled, "positional", False))
        self.names: tuple[str, ...] = tuple(getattr(compiled, "positiontup", None) or ())
        self.defaults: dict[str, Any] = dict(compiled.params)  # literals bound by the statement itself

    def params(self, values: Mapping[str, Any]) -> Sequence[Any] | Mapping[str, Any]:
        merged = {**self.defaults, **values}
        return [merged[n] for n in self.names] if self.positional else merged


_COMPILED: dict[tuple[str, str, int], _Compiled] = {}
_LOCK = threading.Lock()


def _compiled(conn: Connection, which: str, stmt: ClauseElement) -> _Compiled:
    key = (conn.dialect.name, which, id(conn.dialect.__class__))
    hit = _COMPILED.get(key)
    if hit is None:
        hit = _Compiled(stmt, conn)
        with _LOCK:
            _COMPILED[key] = hit
    return hit


def _rows(
    conn: Connection, which: str, stmt: ClauseElement, values: Mapping[str, Any]
) -> tuple[list[str], Sequence[Any]]:
    c = _compiled(conn, which, stmt)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(c.sql, c.params(values))
        names = [d[0] for d in cursor.description]
        return names, cursor.fetchall()
    finally:
        cursor.close()


def facts_document(conn: Connection, customer_id: str, d: date) -> tuple[dict[str, Any], dict[str, Any]]:
    """Equal to `restrictions_store.facts_document(conn, customer_id, d)`."""
    names, rows = _rows(conn, "customer", _CUSTOMER_FACTS, {"cid": customer_id})
    if not rows:
        raise NotFound(f"no customer {customer_id!r}", customer_id=customer_id)
    col = {n: i for i, n in enumerate(names)}
    first = rows[0]
    account, asset, amount = col["b_account_id"], col["b_asset"], col["b_amount"]
    holdings = [
        {"account_id": r[account], "asset": r[asset], "amount": r[amount]}
        for r in rows
        if r[asset] is not None
    ]
    mnames, mrows = _rows(conn, "matches", _MATCHES_ONE, {"cid": customer_id})
    m = {n: i for i, n in enumerate(mnames)}
    matches = [
        {
            "list": r[m["list_name"]],
            "entity_id": r[m["entity_id"]],
            "status": "confirmed" if r[m["state"]] == "confirmed" else "possible",
            "list_version": r[m["list_version"]],
        }
        for r in mrows
        if r[m["list_name"]] in _LISTS
    ]
    cust = {
        "id": first[col["customer_id"]],
        "type": first[col["type"]],
        "nationalities": json.loads(first[col["nationalities"]] or "[]"),
        "residence_country": first[col["residence_country"]],
        "residence_permits": json.loads(first[col["residence_permits"]] or "[]"),
        "establishment_country": first[col["establishment_country"]],
        "sanctions": [{k: x[k] for k in ("list", "entity_id", "status")} for x in matches],
    }
    doc = {
        "as_of": d.isoformat(),
        "customer": cust,
        "holdings": holdings,
        "prices_eur": _store._prices_cached(conn, d, first[col["n_prices"]], first[col["last_price"]]),
    }
    evidence = {
        "balance_snapshot": first[col["snap"]],
        "list_versions": sorted({f"{x['list']}:{x['list_version']}" for x in matches}),
    }
    return doc, evidence
