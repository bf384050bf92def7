"""One contract suite for every repository, run on SQLite and on PostgreSQL (the `store` fixture)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from rempart.adapters.storage import lists_repo
from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import get_decision, list_decisions, save_decision
from rempart.adapters.storage.tables import audit_events, audit_head, balances, customers, prices
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.errors import InputError, NotFound
from rempart.services import audit, provider
from rempart.services.lists import import_snapshot


def entity(sid: str, name: str, *, wallet: str | None = None) -> ListedEntity:
    return ListedEntity(
        source_id=sid,
        schema="Person",
        names=(Name(name, NameKind.PRIMARY), Name(name.upper(), NameKind.ALIAS)),
        wallets=(Wallet("ETH", wallet),) if wallet else (),
        programs=("TEST",),
    )


def snapshot(*entities: ListedEntity, day: date = date(2026, 1, 1)) -> ListSnapshot:
    return ListSnapshot("testlist", day, (SourceFile("list.csv", "ab" * 32),), entities)


def test_list_versions_are_immutable_and_diffed(store: Store) -> None:
    first = import_snapshot(store, snapshot(entity("1", "Anna Example"), entity("2", "Boris Example")))
    assert first.created and first.diff.summary() == {"added": 2, "removed": 0, "changed": 0}
    again = import_snapshot(store, snapshot(entity("2", "Boris Example"), entity("1", "Anna Example")))
    assert not again.created and again.version.id == first.version.id and again.diff.empty

    second = import_snapshot(
        store,
        snapshot(
            entity("1", "Anna Example", wallet="0x" + "1" * 40),
            entity("3", "Carl Example"),
            day=date(2026, 2, 1),
        ),
    )
    assert second.created
    assert second.diff.added == ("3",) and second.diff.removed == ("2",) and second.diff.changed == ("1",)
    with store.read() as conn:
        assert lists_repo.current_version(conn, "testlist").id == second.version.id  # type: ignore[union-attr]
        old = {e.source_id: e for e in lists_repo.iter_entities(conn, first.version.id)}
        new = {e.source_id: e for e in lists_repo.iter_entities(conn, second.version.id)}
        assert set(old) == {"1", "2"} and set(new) == {"1", "3"}
        assert old["1"].wallets == () and new["1"].wallets[0].address == "0x" + "1" * 40
        assert lists_repo.version_as_of(conn, "testlist", date(2026, 1, 15)).id == first.version.id  # type: ignore[union-attr]
        shown = lists_repo.current_versions(conn)
        assert [v.list_name for v in shown] == ["testlist"]
        assert (
            shown[0].counts["entities"] == 2
            and shown[0].counts["names"] == 4
            and shown[0].counts["wallets"] == 1
        )


def test_empty_snapshot_is_refused_and_nothing_written(store: Store) -> None:
    import_snapshot(store, snapshot(entity("1", "Anna Example")))
    with pytest.raises(InputError):
        import_snapshot(store, snapshot())
    with store.read() as conn:
        assert lists_repo.current_version(conn, "testlist").counts["entities"] == 1  # type: ignore[union-attr]


CUSTOMERS_CSV = """customer_id,type,name,alt_names,birth_date,nationalities,residence_country,residence_permits,establishment_country,registration_number,email,wallets,created_at
C1,person,Anna Example,,1980-01-02,RU,DE,DE:temporary:2027-01-01,,,anna@example.com,ETH:0x0000000000000000000000000000000000000001,2021-01-01
C2,company,Example Trading LLC,,,,,,RU,1027700000000,ops@example.com,,2021-02-01
"""


def test_customers_import_upserts_and_is_all_or_nothing(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "customers.csv"
    f.write_text(CUSTOMERS_CSV)
    r = provider.import_customers(store, f)
    assert (r.rows, r.added, r.changed) == (2, 2, 0)
    r = provider.import_customers(store, f)
    assert (r.added, r.changed, r.unchanged) == (0, 0, 2)
    f.write_text(CUSTOMERS_CSV.replace("Anna Example", "Anna Example-Smith"))
    assert provider.import_customers(store, f).changed == 1

    bad = tmp_path / "bad.csv"
    bad.write_text(
        CUSTOMERS_CSV.replace("C2,company", "C3,person").replace("1027700000000", "x")
        + "C4,robot,X,,,,,,,,,,\n"
    )
    with pytest.raises(InputError) as info:
        provider.import_customers(store, bad)
    assert info.value.line == 4 and info.value.field == "type" and "bad.csv" in str(info.value)
    with store.read() as conn:
        ids = sorted(r[0] for r in conn.execute(select(customers.c.customer_id)))
    assert ids == ["C1", "C2"]  # C3 (valid, before the bad row) was not half-written


def test_balances_are_snapshots_with_exact_amounts(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "balances.csv"
    f.write_text("customer_id,account_id,asset,amount\nC1,a1,BTC,0.123456789012345678\nC1,a1,ETH,2\n")
    first = provider.import_balances(store, f, as_of="2022-06-01")
    f.write_text("customer_id,account_id,asset,amount\nC1,a1,BTC,1\n")
    second = provider.import_balances(store, f, as_of="2022-07-01")
    assert second.snapshot_id != first.snapshot_id
    with store.read() as conn:
        rows = conn.execute(
            select(balances.c.asset, balances.c.amount)
            .where(balances.c.snapshot_id == first.snapshot_id)
            .order_by(balances.c.asset)
        ).all()
    assert [tuple(r) for r in rows] == [("BTC", "0.123456789012345678"), ("ETH", "2")]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"customer_id":"C1","account_id":"a","asset":"BTC","amount":"1"}\n{"customer_id":"C1",\n')
    with pytest.raises(InputError) as info:
        provider.import_balances(store, bad)
    assert info.value.line == 2


def test_balances_from_parquet(store: Store, tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    f = tmp_path / "balances.parquet"
    pq.write_table(
        pa.table({"customer_id": ["C1"], "account_id": ["a"], "asset": ["BTC"], "amount": ["0.5"]}), f
    )
    assert provider.import_balances(store, f).rows == 1


def test_prices_are_never_overwritten(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "prices.csv"
    f.write_text("asset,price_eur,as_of,source\nBTC,25000.00,2022-06-01,example-index\n")
    assert provider.import_prices(store, f).added == 1
    assert provider.import_prices(store, f).unchanged == 1
    f.write_text("asset,price_eur,as_of,source\nBTC,26000.00,2022-06-01,example-index\n")
    with pytest.raises(InputError):
        provider.import_prices(store, f)
    with store.read() as conn:
        assert conn.execute(select(prices.c.price_eur)).scalar_one() == "25000.00"


def test_decisions_round_trip_with_audit_event(store: Store) -> None:
    with store.begin() as conn:
        d = save_decision(
            conn,
            kind="restriction",
            subject="customer:C1",
            inputs={"a": "1"},
            outputs={"outcome": "allow"},
            refs={"rules": ["x"]},
            actor="tester",
        )
    with store.read() as conn:
        back = get_decision(conn, d.id)
        assert back.outputs == {"outcome": "allow"} and back.refs == {"rules": ["x"]}
        assert [x.id for x in list_decisions(conn, kind="restriction")] == [d.id]
        with pytest.raises(NotFound):
            get_decision(conn, "d_missing")
        ev = conn.execute(select(audit_events).where(audit_events.c.id == d.audit_event_id)).one()
        assert ev.type == "decision.restriction"


def _chain(store: Store, n: int = 5) -> None:
    with store.begin() as conn:
        for i in range(n):
            audit.record(conn, type="test.event", actor="tester", subject=f"thing:{i}", payload={"i": i})


def _verify(store: Store) -> list[str]:
    with store.read() as conn:
        _count, breaks = audit.verify(conn)
    return [str(b) for b in breaks]


def test_honest_chain_verifies(store: Store) -> None:
    _chain(store)
    with store.read() as conn:
        count, breaks = audit.verify(conn)
    assert count == 5 and breaks == []


def test_edited_event_is_named(store: Store) -> None:
    _chain(store)
    with store.begin() as conn:
        conn.execute(update(audit_events).where(audit_events.c.seq == 3).values(actor="mallory"))
    problems = _verify(store)
    assert problems and problems[0].startswith("audit event #3") and "edited" in problems[0]


def test_deleted_event_is_named(store: Store) -> None:
    _chain(store)
    with store.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 2))
    problems = _verify(store)
    assert any("#3" in p and "missing" in p for p in problems)


def test_deleted_tail_is_named(store: Store) -> None:
    _chain(store)
    with store.begin() as conn:
        conn.execute(delete(audit_events).where(audit_events.c.seq == 5))
    assert any("head" in p for p in _verify(store))


def test_swapped_events_are_named(store: Store) -> None:
    _chain(store)
    with store.begin() as conn:
        rows = {
            r.seq: r._asdict()
            for r in conn.execute(select(audit_events).where(audit_events.c.seq.in_([2, 3])))
        }
        for seq, other in ((2, 3), (3, 2)):
            vals = {k: v for k, v in rows[other].items() if k != "seq"}
            conn.execute(
                update(audit_events).where(audit_events.c.seq == seq).values(**{**vals, "id": f"tmp{seq}"})
            )
        for seq, other in ((2, 3), (3, 2)):
            conn.execute(update(audit_events).where(audit_events.c.seq == seq).values(id=rows[other]["id"]))
    problems = _verify(store)
    assert problems and "#2" in problems[0]


def test_inserted_event_is_named(store: Store) -> None:
    _chain(store, 3)
    with store.begin() as conn:
        last = conn.execute(select(audit_events).where(audit_events.c.seq == 3)).one()
        conn.execute(
            audit_events.insert().values(
                seq=4,
                id="forged",
                type="test.event",
                actor="mallory",
                time=last.time,
                subject="thing:x",
                payload_hash="0" * 64,
                prev_hash=last.hash,
                hash="f" * 64,
            )
        )
        conn.execute(update(audit_head).values(seq=4, hash="f" * 64))
    problems = _verify(store)
    assert any("#4" in p and "edited" in p for p in problems)
