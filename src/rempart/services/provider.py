"""Import the provider's data: customers (with wallets), balances (as a snapshot), prices. All or nothing."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Context, localcontext
from pathlib import Path

from sqlalchemy import Connection, delete, select

from rempart.adapters.files import file_sha256, parse_all, parse_all_lines
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.tables import balance_snapshots, balances, customer_wallets, customers, prices
from rempart.domain.parties import Balance, Customer, Price, parse_balance, parse_customer, parse_price
from rempart.errors import InputError
from rempart.services.audit import now_iso, record

CUSTOMER_REQUIRED = ("customer_id", "type", "name")
BALANCE_REQUIRED = ("customer_id", "account_id", "asset", "amount")
PRICE_REQUIRED = ("asset", "price_eur", "as_of", "source")


@dataclass(frozen=True)
class ImportCount:
    kind: str
    file: str
    rows: int
    added: int = 0
    changed: int = 0
    unchanged: int = 0
    snapshot_id: int | None = None

    def to_dict(self) -> dict[str, object]:
        return {k: v for k, v in self.__dict__.items() if v is not None}


def customer_row(c: Customer, now: str) -> dict[str, object]:
    d = c.to_dict()
    return {
        "customer_id": c.customer_id,
        "type": c.type,
        "name": c.name,
        "alt_names": json.dumps(d["alt_names"], ensure_ascii=False),
        "birth_date": d["birth_date"],
        "nationalities": json.dumps(d["nationalities"]),
        "residence_country": c.residence_country,
        "residence_permits": json.dumps(d["residence_permits"]),
        "establishment_country": c.establishment_country,
        "registration_number": c.registration_number,
        "email": c.email,
        "created_at": c.created_at,
        "data_hash": c.data_hash(),
        "updated_at": now,
    }


def _unique(items: Sequence[tuple[int, Customer]], path: Path) -> list[Customer]:
    seen: dict[str, int] = {}
    for line, c in items:
        if c.customer_id in seen:
            raise InputError(
                f"duplicate customer_id (first on line {seen[c.customer_id]})",
                file=str(path),
                line=line,
                field="customer_id",
                expected="each customer once per file",
                value=c.customer_id,
            )
        seen[c.customer_id] = line
    return [c for _line, c in items]


def upsert_customers(conn: Connection, items: Sequence[Customer], now: str) -> tuple[int, int, int]:
    existing: dict[str, str] = {}
    ids = [c.customer_id for c in items]
    for i in range(0, len(ids), 500):
        for cid, h in conn.execute(
            select(customers.c.customer_id, customers.c.data_hash).where(
                customers.c.customer_id.in_(ids[i : i + 500])
            )
        ):
            existing[cid] = h
    new_rows, changed = [], []
    for c in items:
        h = existing.get(c.customer_id)
        if h is None:
            new_rows.append(c)
        elif h != c.data_hash():
            changed.append(c)
    for chunk_start in range(0, len(new_rows), 2000):
        chunk = new_rows[chunk_start : chunk_start + 2000]
        conn.execute(customers.insert(), [customer_row(c, now) for c in chunk])
        wallets = [
            {"customer_id": c.customer_id, "chain": w.chain, "address": w.address}
            for c in chunk
            for w in dict.fromkeys(c.wallets)
        ]
        if wallets:
            conn.execute(customer_wallets.insert(), wallets)
    for c in changed:
        conn.execute(
            customers.update().where(customers.c.customer_id == c.customer_id).values(customer_row(c, now))
        )
        conn.execute(delete(customer_wallets).where(customer_wallets.c.customer_id == c.customer_id))
        if c.wallets:
            conn.execute(
                customer_wallets.insert(),
                [
                    {"customer_id": c.customer_id, "chain": w.chain, "address": w.address}
                    for w in dict.fromkeys(c.wallets)
                ],
            )
    return len(new_rows), len(changed), len(items) - len(new_rows) - len(changed)


def import_customers(store: Store, path: Path, *, actor: str = "system") -> ImportCount:
    items = _unique(parse_all_lines(path, CUSTOMER_REQUIRED, parse_customer), path)
    now = now_iso()
    with store.begin() as conn:
        added, changed, unchanged = upsert_customers(conn, items, now)
        record(
            conn,
            type="customers.imported",
            actor=actor,
            subject=f"file:{path.name}",
            payload={"sha256": file_sha256(path), "rows": len(items), "added": added, "changed": changed},
        )
    return ImportCount("customers", str(path), len(items), added, changed, unchanged)


def insert_balance_snapshot(
    conn: Connection, items: Sequence[Balance], *, as_of: str, sha: str, now: str
) -> int:
    res = conn.execute(
        balance_snapshots.insert().values(as_of=as_of, source_sha256=sha, rows=len(items), created_at=now)
    )
    sid = int(res.inserted_primary_key[0])  # type: ignore[index]
    merged: dict[tuple[str, str, str], Balance] = {}
    with localcontext(Context(prec=200)):  # exact sums: the default 28 digits would round wei amounts
        for b in items:
            key = (b.customer_id, b.account_id, b.asset)
            prev = merged.get(key)
            merged[key] = b if prev is None else Balance(*key, prev.amount + b.amount)
    rows = [
        {
            "snapshot_id": sid,
            "customer_id": b.customer_id,
            "account_id": b.account_id,
            "asset": b.asset,
            "amount": str(b.amount),
        }
        for b in merged.values()
    ]
    for i in range(0, len(rows), 10000):
        conn.execute(balances.insert(), rows[i : i + 10000])
    return sid


def import_balances(
    store: Store, path: Path, *, as_of: str | None = None, actor: str = "system"
) -> ImportCount:
    """A balance file is a whole snapshot of holdings at `as_of` (default: now); earlier snapshots are kept."""
    items = parse_all(path, BALANCE_REQUIRED, parse_balance)
    if not items:
        # An empty snapshot would say every customer holds nothing: refuse it rather than mislead.
        raise InputError("the file has no balance rows", file=str(path), expected="at least one balance row")
    now = now_iso()
    sha = file_sha256(path)
    with store.begin() as conn:
        sid = insert_balance_snapshot(conn, items, as_of=as_of or now, sha=sha, now=now)
        record(
            conn,
            type="balances.imported",
            actor=actor,
            subject=f"balance_snapshot:{sid}",
            payload={"sha256": sha, "rows": len(items), "as_of": as_of or now},
        )
    return ImportCount("balances", str(path), len(items), added=len(items), snapshot_id=sid)


def upsert_prices(conn: Connection, items: Sequence[Price]) -> tuple[int, int]:
    added = unchanged = 0
    for p in items:
        cur = conn.execute(
            select(prices.c.price_eur).where(
                prices.c.asset == p.asset, prices.c.as_of == p.as_of, prices.c.source == p.source
            )
        ).first()
        if cur is None:
            conn.execute(
                prices.insert().values(
                    asset=p.asset, as_of=p.as_of, source=p.source, price_eur=str(p.price_eur)
                )
            )
            added += 1
        elif cur[0] == str(p.price_eur):
            unchanged += 1
        else:
            raise InputError(
                "a different price is already stored for this asset, time and source (prices are never overwritten)",
                field="price_eur",
                expected=cur[0],
                value=str(p.price_eur),
            )
    return added, unchanged


def import_prices(store: Store, path: Path, *, actor: str = "system") -> ImportCount:
    items = parse_all(path, PRICE_REQUIRED, parse_price)
    with store.begin() as conn:
        try:
            added, unchanged = upsert_prices(conn, items)
        except InputError as exc:
            raise InputError(
                exc.message, file=str(path), field=exc.field, expected=exc.expected, value=exc.value
            ) from None
        record(
            conn,
            type="prices.imported",
            actor=actor,
            subject=f"file:{path.name}",
            payload={"sha256": file_sha256(path), "rows": len(items), "added": added},
        )
    return ImportCount("prices", str(path), len(items), added=added, unchanged=unchanged)
