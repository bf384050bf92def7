"""OFAC SDN and Consolidated CSV parser, on the real files."""

from __future__ import annotations

from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.adapters.sources.ofac import parse_remarks
from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier, ListSnapshot, NameKind, Wallet
from rempart.errors import InputError


@pytest.fixture(scope="module")
def bench(ofac_bench: list[Path]) -> ListSnapshot:
    return parse("ofac", ofac_bench)


@pytest.fixture(scope="module")
def sdn_2024(ofac_2024_2026: list[Path]) -> ListSnapshot:
    return parse("ofac", ofac_2024_2026)


def _records(path: Path) -> int:
    data = path.read_bytes().rstrip(b"\x1a\r\n")
    return data.count(b"\r\n") + 1


def test_bench_triple_counts_every_sdn_row_without_orphans(
    bench: ListSnapshot, ofac_bench: list[Path]
) -> None:
    sdn = next(p for p in ofac_bench if p.name == "sdn.csv")
    assert bench.list_name == "ofac"
    assert len(bench.entities) == _records(sdn) == 8976
    assert bench.warnings == ()
    assert {f.name for f in bench.source_files} == {"sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"}
    assert all(len(f.sha256) == 64 for f in bench.source_files)
    schemas = bench.counts()
    assert (
        schemas["schema.Person"]
        + schemas["schema.Organization"]
        + schemas["schema.Vessel"]
        + schemas["schema.Aircraft"]
        == 8976
    )


def test_bench_entity_with_xbt_wallets_and_remarks(bench: ListSnapshot) -> None:
    e = {x.source_id: x for x in bench.entities}["28264"]
    assert e.schema == "Person"
    primary = e.names[0]
    assert (primary.full, primary.first, primary.last, primary.kind) == (
        "LI, Jiadong",
        "Jiadong",
        "LI",
        NameKind.PRIMARY,
    )
    assert Wallet("XBT", "1EfMVkxQQuZfBdocpJu6RUsCJvenQWbQyE") in e.wallets
    assert len(e.wallets) == 12
    assert e.birth_dates == (PartialDate(1987, 1, 10),)
    assert e.nationalities == ("CN",)
    assert e.gender == "male"
    assert e.programs == ("DPRK3", "CYBER2")
    # the remarks overflow from sdn_comments.csv is appended, and its a.k.a. become weak aliases
    weak = {n.full for n in e.names if n.kind is NameKind.WEAK_ALIAS}
    assert weak == {"blackjack1987", "khaleesi"}
    assert e.remarks is not None and e.remarks.endswith("Linked To: LAZARUS GROUP.")


def test_bench_comments_overflow_is_joined_without_separator(bench: ListSnapshot) -> None:
    e = {x.source_id: x for x in bench.entities}["12300"]
    assert e.remarks is not None
    assert "Linked To: PROMO RAIZ S.A.S.; Linked To: RED MUNDIAL" in e.remarks
    assert {d.iso() for d in e.birth_dates} == {"1965-05-13", "1968-04-13", "1964-07-07"}
    assert Identifier("passport", "AL720622", "CO") in e.identifiers
    assert Identifier("tax_id", "CIVJ650513LJA", "MX") in e.identifiers


def test_bench_aliases_addresses_and_weak_alias(bench: ListSnapshot) -> None:
    e = {x.source_id: x for x in bench.entities}["306"]
    assert e.schema == "Organization"
    kinds = {(n.full, n.kind) for n in e.names}
    assert ("BANCO NACIONAL DE CUBA", NameKind.PRIMARY) in kinds
    assert ("NATIONAL BANK OF CUBA", NameKind.ALIAS) in kinds
    assert ("BNC", NameKind.WEAK_ALIAS) in kinds
    assert any(a.country == "CH" and "Zurich" in a.text for a in e.addresses)


def test_2024_sdn_with_2026_alt_add_reports_orphans(sdn_2024: ListSnapshot) -> None:
    assert len(sdn_2024.entities) == 14965
    text = " | ".join(sdn_2024.warnings)
    assert "alt.csv: 2727 rows for 1724 ent_nums not in sdn.csv" in text
    assert "add.csv:" in text
    wallets = sum(len(e.wallets) for e in sdn_2024.entities)
    assert wallets > 250
    chains = {w.chain for e in sdn_2024.entities for w in e.wallets}
    assert {"XBT", "ETH", "USDT", "TRX"} <= chains


def test_consolidated_non_sdn(shared_data: Path) -> None:
    snap = parse("ofac", sorted((shared_data / "ofac_consolidated_nonsdn_2025-12_watchman").glob("*.csv")))
    assert snap.list_name == "ofac_cons"
    assert len(snap.entities) == 442
    assert snap.warnings == ()
    e = {x.source_id: x for x in snap.entities}["9639"]
    assert e.names[0].last == "HANIYA"
    assert e.birth_dates == (PartialDate(1962),)


def test_sdn_and_consolidated_files_are_not_mixed(shared_data: Path, ofac_bench: list[Path]) -> None:
    cons = shared_data / "ofac_consolidated_nonsdn_2025-12_watchman" / "cons_prim.csv"
    with pytest.raises(InputError, match="different kinds"):
        parse("ofac", [*ofac_bench, cons])


def test_remarks_parsing() -> None:
    r = parse_remarks(
        "DOB circa 1951; alt. DOB 1960 to 1962; alt. DOB Mar 1970; nationality Russia; citizen Korea, North; "
        "Gender Female; Passport 123456 (Russia) expires 01 Jan 2030; Tax ID No. 7744001497 (Russia); "
        "Registration Number 1027700167110 (Russia); Legal Entity Number 253400WSS48YWMBUA688; "
        "SWIFT/BIC HAVIGB2L; Vessel Registration Identification IMO 7406784; MMSI 572469210; "
        "National ID No. 216040 (Yemen); a.k.a. 'THE CHESS PLAYER'; "
        "Digital Currency Address - ETH 0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c; "
        "alt. Digital Currency Address - USDT TXYZ1234; nationality Atlantis."
    )
    assert [d.iso() for d in r.birth_dates] == ["1951", "1960", "1961", "1962", "1970-03"]
    assert r.nationalities == ["RU", "KP"]  # Atlantis is unknown: left in the remarks text only
    assert r.gender == "female"
    assert {(i.kind, i.value, i.country) for i in r.identifiers} == {
        ("passport", "123456", "RU"),
        ("inn", "7744001497", "RU"),
        ("ogrn", "1027700167110", "RU"),
        ("lei", "253400WSS48YWMBUA688", None),
        ("swift", "HAVIGB2L", None),
        ("imo", "7406784", None),
        ("mmsi", "572469210", None),
        ("national_id", "216040", "YE"),
    }
    assert r.weak_aliases == ["THE CHESS PLAYER"]
    assert r.wallets == [
        Wallet("ETH", "0x8576acc5c05d6ce88f4e49bf65bdf0c62f91353c"),
        Wallet("USDT", "TXYZ1234"),
    ]


def _write(path: Path, rows: list[str]) -> Path:
    path.write_bytes(("\r\n".join(rows) + "\r\n").encode() + b"\x1a")
    return path


GOOD = '10,"DOE, John","individual","SDGT",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,"DOB 01 Jan 1970."'


def test_good_minimal_file_parses(tmp_path: Path) -> None:
    snap = parse("ofac", [_write(tmp_path / "sdn.csv", [GOOD])])
    assert snap.entities[0].birth_dates == (PartialDate(1970, 1, 1),)


def test_wrong_column_count_names_file_line_and_expectation(tmp_path: Path) -> None:
    bad = '11,"ROE, Jane","individual","SDGT",-0- ,-0- ,-0- '
    with pytest.raises(InputError) as exc:
        parse("ofac", [_write(tmp_path / "sdn.csv", [GOOD, bad])])
    err = exc.value
    assert (err.file, err.line, err.field) == ("sdn.csv", 2, "row")
    assert err.expected is not None and "12 columns" in err.expected
    assert "sdn.csv, line 2" in str(err)


def test_non_numeric_ent_num(tmp_path: Path) -> None:
    bad = GOOD.replace("10,", "X1,", 1)
    with pytest.raises(InputError) as exc:
        parse("ofac", [_write(tmp_path / "sdn.csv", [GOOD, bad])])
    assert (exc.value.line, exc.value.field, exc.value.value) == (2, "ent_num", "X1")


def test_alt_file_needs_its_primary(tmp_path: Path) -> None:
    alt = _write(tmp_path / "alt.csv", ['10,1,"aka","DOE, Johnny",-0- '])
    with pytest.raises(InputError, match="exactly one primary"):
        parse("ofac", [alt])


def test_orphan_rows_are_warnings(tmp_path: Path) -> None:
    sdn = _write(tmp_path / "sdn.csv", [GOOD])
    alt = _write(tmp_path / "alt.csv", ['10,1,"aka","DOE, Johnny",-0- ', '99,2,"aka","NOBODY",-0- '])
    snap = parse("ofac", [sdn, alt])
    assert snap.warnings == ("alt.csv: 1 rows for 1 ent_nums not in sdn.csv (orphans, ignored)",)
    assert [n.full for n in snap.entities[0].names] == ["DOE, John", "DOE, Johnny"]
