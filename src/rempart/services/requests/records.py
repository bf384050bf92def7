"""The provider's records a request can reach: import (logins, transactions, support messages), target
resolution, and reading one scope's records for production.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import balance_snapshots, balances, customer_wallets, customers
from rempart.adapters.storage.tables_requests import customer_logins, support_messages, transactions
from rempart.domain.lists import sha256_json
from rempart.domain.parties import CUSTOMER_FIELDS
from rempart.domain.requests.model import Target, parse_datetime
from rempart.errors import InputError
from rempart.services.audit import record

KINDS: Mapping[str, tuple[Any, tuple[str, ...], tuple[str, ...]]] = {
    # kind -> (table, required fields, optional fields)
    "transactions": (transactions, ("customer_id", "txid", "kind", "asset", "amount", "at"), ("address",)),
    "logins": (customer_logins, ("customer_id", "at", "ip"), ("device",)),
    "messages": (support_messages, ("customer_id", "at", "channel", "body"), ("subject",)),
}
TX_KINDS = ("deposit", "withdrawal", "trade")


@dataclass(frozen=True)
class RecordImport:
    kind: str
    file: str
    rows: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return {"kind": self.kind, "file": self.file, "rows": self.rows, "sha256": self.sha256}


def _read_rows(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() in (".jsonl", ".json", ".ndjson"):
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as exc:
                raise InputError(f"not JSON: {exc.msg}", file=str(path), line=n) from None
            if not isinstance(obj, dict):
                raise InputError("a line must be a JSON object", file=str(path), line=n)
            yield n, obj
    else:
        reader = csv.DictReader(text.splitlines())
        for n, row in enumerate(reader, start=2):
            yield n, {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}


def import_records(store: Store, kind: str, path: Path, *, actor: str = "system") -> RecordImport:
    """Append logins, transactions or support messages (CSV with a header, or JSON lines). All or nothing."""
    if kind not in KINDS:
        raise InputError("unknown record kind", field="kind", expected=" | ".join(KINDS), value=kind)
    table, required, optional = KINDS[kind]
    rows: list[dict[str, Any]] = []
    for n, raw in _read_rows(path):
        row: dict[str, Any] = {}
        for f in required:
            v = raw.get(f)
            if v is None or str(v).strip() == "":
                raise InputError("missing field", file=str(path), line=n, field=f, expected="a value")
            row[f] = str(v).strip()
        for f in optional:
            v = raw.get(f)
            row[f] = str(v).strip() if v not in (None, "") else None
        if kind == "transactions":
            if row["kind"] not in TX_KINDS:
                raise InputError(
                    "unknown transaction kind",
                    file=str(path),
                    line=n,
                    field="kind",
                    expected=" | ".join(TX_KINDS),
                    value=row["kind"],
                )
            try:
                row["amount"] = str(Decimal(row["amount"]))
            except InvalidOperation:
                raise InputError(
                    "not a decimal amount",
                    file=str(path),
                    line=n,
                    field="amount",
                    expected="a decimal number",
                    value=row["amount"],
                ) from None
        try:
            row["at"] = (
                parse_datetime(row["at"], element=f"line {n}", field="at").isoformat().replace("+00:00", "Z")
            )
        except InputError as exc:
            raise InputError(
                exc.message, file=str(path), line=n, field="at", expected=exc.expected, value=exc.value
            ) from None
        rows.append(row)
    digest = sha256_json(rows)
    with store.begin() as conn:
        known = {r[0] for r in conn.execute(select(customers.c.customer_id))}
        for i, row in enumerate(rows):
            if row["customer_id"] not in known:
                raise InputError(
                    "unknown customer",
                    file=str(path),
                    element=f"record {i + 1}",
                    field="customer_id",
                    expected="an imported customer id",
                    value=row["customer_id"],
                )
        if rows:
            conn.execute(table.insert(), rows)
        record(
            conn,
            type=f"provider.{kind}_imported",
            actor=actor,
            subject=f"import:{kind}",
            payload={"kind": kind, "file": path.name, "rows": len(rows), "sha256": digest},
        )
    return RecordImport(kind, str(path), len(rows), digest)


# --- targets -------------------------------------------------------------------------------------


def resolve_target(conn: Connection, t: Target) -> set[str]:
    """Customer ids a target designates (customer id, e-mail, wallet address or transaction hash)."""
    if t.type == "customer_id":
        q = select(customers.c.customer_id).where(customers.c.customer_id == t.value)
        return {r[0] for r in conn.execute(q)}
    if t.type == "email":
        q = select(customers.c.customer_id).where(func.lower(customers.c.email) == t.value.lower())
        return {r[0] for r in conn.execute(q)}
    if t.type == "wallet":
        v = t.value.lower()
        q1 = select(customer_wallets.c.customer_id).where(func.lower(customer_wallets.c.address) == v)
        q2 = select(transactions.c.customer_id).where(func.lower(transactions.c.address) == v)
        return {r[0] for r in conn.execute(q1)} | {r[0] for r in conn.execute(q2)}
    q = select(transactions.c.customer_id).where(transactions.c.txid == t.value)
    return {r[0] for r in conn.execute(q)}


def resolve_targets(conn: Connection, targets: Sequence[Target], *, strict: bool) -> dict[str, list[str]]:
    """`type:value` -> customer ids. With `strict`, a target matching no customer is an input error."""
    out: dict[str, list[str]] = {}
    for i, t in enumerate(targets):
        ids = resolve_target(conn, t)
        if not ids and strict:
            raise InputError(
                f"target {t.type} {t.value!r} matches no customer",
                element=f"targets[{i}]",
                field="value",
                expected=f"a {t.type} of a stored customer",
                value=t.value,
            )
        out[f"{t.type}:{t.value}"] = sorted(ids)
    return out


# --- records of a scope ---------------------------------------------------------------------------


def _maybe_json(v: Any) -> Any:
    if isinstance(v, str) and v[:1] in "[{":
        try:
            return json.loads(v)
        except json.JSONDecodeError:
            return v
    return v


def read_records(conn: Connection, customer_ids: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
    """Every record of these customers (the pure `extract()` then keeps only the approved scope)."""
    ids = sorted(set(customer_ids))
    out: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("customers", "wallets", "balances", "logins", "transactions", "messages")
    }
    if not ids:
        return out
    for r in conn.execute(select(customers).where(customers.c.customer_id.in_(ids))):
        m = dict(r._mapping)
        # The customer's own fields; wallets are records of their own (below).
        out["customers"].append({k: _maybe_json(m.get(k)) for k in CUSTOMER_FIELDS if k != "wallets"})
    for r in conn.execute(select(customer_wallets).where(customer_wallets.c.customer_id.in_(ids))):
        out["wallets"].append(dict(r._mapping))
    q = (
        select(
            balances.c.customer_id,
            balances.c.account_id,
            balances.c.asset,
            balances.c.amount,
            balance_snapshots.c.as_of,
        )
        .join(balance_snapshots, balance_snapshots.c.id == balances.c.snapshot_id)
        .where(balances.c.customer_id.in_(ids))
    )
    out["balances"] = [dict(r._mapping) for r in conn.execute(q)]
    for r in conn.execute(select(customer_logins).where(customer_logins.c.customer_id.in_(ids))):
        out["logins"].append({k: v for k, v in r._mapping.items() if k != "id"})
    for r in conn.execute(select(transactions).where(transactions.c.customer_id.in_(ids))):
        out["transactions"].append({k: v for k, v in r._mapping.items() if k != "id"})
    for r in conn.execute(select(support_messages).where(support_messages.c.customer_id.in_(ids))):
        out["messages"].append({k: v for k, v in r._mapping.items() if k != "id"})
    return out
