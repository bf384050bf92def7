"""FollowTheMoney JSON lines, on a small fictional fixture (no real FtM export is in shared data)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, NameKind, Wallet
from rempart.errors import InputError

FIXTURE = Path(__file__).parent / "fixtures" / "ftm_sample.jsonl"


def test_fixture() -> None:
    snap = parse("ftm", [FIXTURE])
    assert snap.list_name == "ftm"
    assert snap.as_of == date(2026, 5, 1)
    by_id = {e.source_id: e for e in snap.entities}
    assert set(by_id) == {"ex-person-1", "ex-org-1", "ex-wallet-2"}
    person = by_id["ex-person-1"]
    assert person.schema == "Person"
    assert (person.names[0].first, person.names[0].last) == ("Alexandra", "Sample")
    assert ("Александра Сэмпл", NameKind.ALIAS, "Cyrl") in {(n.full, n.kind, n.script) for n in person.names}
    assert ("Sasha", NameKind.WEAK_ALIAS) in {(n.full, n.kind) for n in person.names}
    assert person.birth_dates == (PartialDate(1980, 4, 2),)
    assert person.nationalities == ("RU",)
    assert person.wallets == (Wallet("ETH", "0x00000000000000000000000000000000000000e1"),)
    assert person.programs == ("EXAMPLE-PROGRAM",)
    assert person.listed_on == date(2024, 2, 3)
    org = by_id["ex-org-1"]
    assert org.schema == "Organization"
    assert org.countries == ("CY",)
    assert Identifier("inn", "7700000000") in org.identifiers
    assert Identifier("passport", "P-42", "CY") in org.identifiers
    assert ("Example Holdings", NameKind.PREVIOUS) in {(n.full, n.kind) for n in org.names}
    wallet = by_id["ex-wallet-2"]
    assert wallet.schema == "CryptoWallet"
    assert wallet.wallets == (Wallet("BTC", "bc1qexampleexampleexampleexample0000000"),)
    assert snap.warnings == ("skipped 1 Ownership entities",)


def test_dataset_name(tmp_path: Path) -> None:
    assert parse("ftm", [FIXTURE], list_name="example_dataset").list_name == "example_dataset"


def test_bad_json_line(tmp_path: Path) -> None:
    p = tmp_path / "entities.ftm.json"
    p.write_text(FIXTURE.read_text(encoding="utf-8") + '{"id": "x", "schema": \n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("ftm", [p])
    assert (exc.value.file, exc.value.line) == ("entities.ftm.json", 8)


def test_property_must_be_a_list(tmp_path: Path) -> None:
    p = tmp_path / "e.json"
    p.write_text('{"id": "a", "schema": "Person", "properties": {"name": "Not A List"}}\n', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("ftm", [p])
    assert (exc.value.line, exc.value.field) == (1, "properties.name")
