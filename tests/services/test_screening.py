"""Screening service, batch, delta and alerts on a fictional list, on SQLite and PostgreSQL."""

from __future__ import annotations

import io
import json
from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.storage.db import Store
from rempart.domain.dates import PartialDate
from rempart.domain.lists import ListedEntity, ListSnapshot, Name, NameKind, SourceFile, Wallet
from rempart.domain.screening.model import NameQuery
from rempart.errors import Conflict, InputError
from rempart.services import alerts
from rempart.services.lists import import_snapshot
from rempart.services.provider import import_customers
from rempart.services.screening import ScreeningService, rescreen_delta, screen_file, screen_stored

THRESHOLD = 0.8
EVM = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed"  # the EIP-55 specification's example

IVAN = ListedEntity(
    source_id="1001",
    schema="Person",
    names=(Name("Ivan Petrovich Testerov"), Name("Иван Петрович Тестеров", NameKind.ALIAS, "Cyrl")),
    birth_dates=(PartialDate(1961, 3, 4),),
    nationalities=("RU",),
    wallets=(Wallet("ETH", EVM),),
    programs=("RUSSIA-EO14024",),
    listed_on=date(2022, 3, 1),
)
ACME = ListedEntity(
    source_id="1002",
    schema="Organization",
    names=(Name("Examplar Shipping Company LLC"),),
    programs=("SDGT",),
)
NEW = ListedEntity(
    source_id="1003", schema="Person", names=(Name("Gregor Samplewicz Fakeman"),), programs=("CYBER2",)
)


def snapshot(*entities: ListedEntity, as_of: date = date(2026, 1, 1)) -> ListSnapshot:
    return ListSnapshot("ofac", as_of, (SourceFile("sdn.csv", "0" * 64),), tuple(entities))


CUSTOMERS = """customer_id,type,name,alt_names,birth_date,nationalities,wallets
c1,person,Ivan Testerov,,1961-03-04,RU,
c2,person,Alice Example,,1990-01-01,FR,ETH:0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed
c3,person,Gregor Fakeman,,,DE,
c4,company,Nothing Related GmbH,,,,
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


@pytest.fixture
def service(store: Store) -> ScreeningService:
    import_snapshot(store, snapshot(IVAN, ACME))
    return ScreeningService(store, threshold=THRESHOLD, check_interval=0.0)


def test_screen_name_and_address(service: ScreeningService) -> None:
    res = service.screen_name(NameQuery("TESTEROV, Ivan", birth_dates=(PartialDate(1961),)))
    assert res.hits and res.hits[0].entity_id == "ofac:1001"
    h = res.hits[0]
    assert h.match and h.list_version == res.lists["ofac"] and h.algorithm == res.algorithm
    assert h.explanation
    d = res.to_dict()
    assert set(d["hits"][0]) >= {
        "entity_id",
        "source_id",
        "list",
        "list_version",
        "schema",
        "name",
        "score",
        "match",
        "explanation",
    }
    for spelling in (EVM, EVM.lower(), "0x" + EVM[2:].upper()):
        a = service.screen_address(spelling)
        assert [x.entity_id for x in a.hits] == ["ofac:1001"]
        assert a.hits[0].explanation["address"]["match"] == "exact"
    assert service.screen_address("0x" + "1" * 40).hits == []
    with pytest.raises(InputError, match="EIP-55"):
        service.screen_address(EVM[:-1] + "D")


def test_list_restriction(service: ScreeningService) -> None:
    q = NameQuery("Ivan Testerov", lists=("ofac",))
    assert service.screen_name(q).hits
    with pytest.raises(InputError, match="no list 'un'"):
        service.screen_name(NameQuery("Ivan Testerov", lists=("un",)))


def test_rebuilds_when_a_list_version_changes(store: Store, service: ScreeningService) -> None:
    first = service.refresh()
    assert not service.screen_name(NameQuery("Gregor Fakeman")).hits
    import_snapshot(store, snapshot(IVAN, ACME, NEW, as_of=date(2026, 2, 1)))
    second = service.refresh()
    assert second is not first and second.versions["ofac"] != first.versions["ofac"]
    assert service.screen_name(NameQuery("Gregor Fakeman")).hits


@pytest.mark.parametrize("workers", [1, 2])
def test_batch_file_in_input_order(service: ScreeningService, tmp_path: Path, workers: int) -> None:
    rows = CUSTOMERS.splitlines()
    body = "\n".join([rows[0]] + [r.replace("c", f"x{i}-c", 1) for i in range(300) for r in rows[1:]]) + "\n"
    path = write(tmp_path, "customers.csv", body)
    out = io.StringIO()
    done: list[int] = []
    stats = screen_file(service.screener(), path, out, workers=workers, progress=done.append)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [x["id"] for x in lines] == [f"x{i}-c{k}" for i in range(300) for k in (1, 2, 3, 4)]
    assert stats.records == 1200 and sum(done) == 1200
    by_id = {x["id"]: x["hits"] for x in lines}
    assert [h["entity_id"] for h in by_id["x0-c1"]] == ["ofac:1001"]
    assert [h["entity_id"] for h in by_id["x0-c2"]] == ["ofac:1001"]  # by wallet
    assert by_id["x0-c3"] == [] and by_id["x0-c4"] == []


def test_batch_file_bad_record_gives_error_line(service: ScreeningService, tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "c.jsonl",
        '{"customer_id": "a", "type": "person", "name": "Ivan Testerov"}\n'
        '{"customer_id": "b", "type": "alien", "name": "X"}\n',
    )
    out = io.StringIO()
    stats = screen_file(service.screener(), path, out)
    lines = [json.loads(x) for x in out.getvalue().splitlines()]
    assert stats.errors == 1 and lines[1]["error"]["field"] == "type" and lines[1]["line"] == 2


def test_alerts_open_dismiss_and_reopen_on_change(
    store: Store, service: ScreeningService, tmp_path: Path
) -> None:
    import_customers(store, write(tmp_path, "customers.csv", CUSTOMERS))
    stats = screen_stored(service.screener(), store)
    assert stats.alerts_opened == 2  # c1 by name, c2 by wallet
    with store.read() as conn:
        open_ = {a.customer_id: a for a in alerts.list_alerts(conn, state="open")}
    assert set(open_) == {"c1", "c2"}
    assert open_["c2"].kind == "address" and open_["c1"].list_version == service.screener().versions["ofac"]
    # screening again opens nothing new
    assert screen_stored(service.screener(), store).alerts_opened == 0
    with store.begin() as conn:
        alerts.dismiss(conn, open_["c2"].id, actor="ana", reason="wallet belongs to an exchange hot wallet")
        alerts.confirm(conn, open_["c1"].id, actor="ana", reason="same person: name, birth date")
        with pytest.raises(Conflict):
            alerts.confirm(conn, open_["c1"].id, actor="ana", reason="again")
        with pytest.raises(InputError, match="reason"):
            alerts.dismiss(conn, open_["c1"].id, actor="ana", reason=" ")
    # a dismissed pair stays quiet while neither side changes
    assert screen_stored(service.screener(), store).alerts_opened == 0
    with store.read() as conn:
        facts = alerts.confirmed_sanctions(conn, "c1")
        assert facts == [
            {
                "list": "ofac",
                "regime": "RUSSIA-EO14024",
                "entity_id": "ofac:1001",
                "status": "confirmed",
                "programs": ["RUSSIA-EO14024"],
                "alert_id": open_["c1"].id,
                "listed_from": "2022-03-01",
            }
        ]
        assert alerts.confirmed_sanctions(conn, "c2") == []
        from rempart.adapters.storage.decisions import list_decisions

        kinds = [d.outputs["state"] for d in list_decisions(conn, kind="screening_alert")]
        assert sorted(kinds) == ["confirmed", "dismissed"]
    # the customer's data changes: the dismissed pair alerts again
    changed = CUSTOMERS.replace("Alice Example,,1990-01-01", "Alice Example,,1990-01-02")
    import_customers(store, write(tmp_path, "customers2.csv", changed))
    assert screen_stored(service.screener(), store).alerts_opened == 1


def test_delta_rescreens_only_what_changed(store: Store, service: ScreeningService, tmp_path: Path) -> None:
    import_customers(store, write(tmp_path, "customers.csv", CUSTOMERS))
    first = rescreen_delta(store, threshold=THRESHOLD)
    assert first.customers_vs_all == 4 and first.alerts_opened == 2
    again = rescreen_delta(store, threshold=THRESHOLD)
    assert (again.touched_entities, again.customers_vs_delta, again.customers_vs_all) == (0, 0, 0)
    import_snapshot(store, snapshot(IVAN, ACME, NEW, as_of=date(2026, 2, 1)))
    d = rescreen_delta(store, threshold=THRESHOLD)
    # only Gregor Fakeman (c3) shares a name key with the new entity: the others are not screened
    assert d.touched_entities == 1 and d.customers_vs_all == 0
    assert d.customers_concerned == d.customers_vs_delta == 1
    assert d.lists["ofac"]["added"] == 1
    with store.read() as conn:
        assert [a.entity_id for a in alerts.list_alerts(conn, customer_id="c3")] == ["ofac:1003"]
    new_customer = CUSTOMERS + "c5,person,Ivan P. Testerov,,1961,,\n"
    import_customers(store, write(tmp_path, "customers3.csv", new_customer))
    d2 = rescreen_delta(store, threshold=THRESHOLD)
    assert (d2.touched_entities, d2.customers_vs_all, d2.alerts_opened) == (0, 1, 1)
