"""Crypto address lists: bob-teamone, thomasgregg (OFAC-derived) and the Israeli NBCTF wallets."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.domain.lists import ListSnapshot, Wallet
from rempart.errors import InputError


@pytest.fixture(scope="module")
def bob_files(shared_data: Path) -> list[Path]:
    return sorted((shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone").glob("*"))


@pytest.fixture(scope="module")
def tg_file(shared_data: Path) -> Path:
    return shared_data / "ofac_crypto_addresses_2026-08-20_thomasgregg" / "sanctioned-addresses.json"


def _addresses(snap: ListSnapshot) -> set[str]:
    return {w.address for e in snap.entities for w in e.wallets}


def test_bob_teamone(bob_files: list[Path]) -> None:
    snap = parse("crypto", bob_files)
    assert snap.list_name == "ofac_crypto"
    expected = set()
    for p in bob_files:
        if p.suffix == ".json":
            expected |= {item["address"] for item in json.loads(p.read_text(encoding="utf-8"))}
    assert _addresses(snap) == expected
    assert len(expected) == 743
    lazarus = next(e for e in snap.entities if e.primary_name == "Lazarus Group")
    assert Wallet("ETH", "0x08723392Ed15743cc38513C4925f5e6be5c17243") in lazarus.wallets
    assert "Hidden Cobra" in {n.full for n in lazarus.names}


def test_thomasgregg_alone_keeps_lower_case_with_warning(tg_file: Path) -> None:
    snap = parse("crypto", [tg_file])
    assert snap.as_of == date(2026, 8, 20)
    assert len(_addresses(snap)) == 961
    assert any("kept lower-cased" in w for w in snap.warnings)
    central_bank = {e.source_id: e for e in snap.entities}["4632"]
    assert central_bank.primary_name == "BANK MARKAZI JOMHOURI ISLAMI IRAN"
    assert all(w.chain == "TRX" for w in central_bank.wallets)


def test_thomasgregg_with_bob_recovers_case(tg_file: Path, bob_files: list[Path]) -> None:
    snap = parse("crypto", [tg_file, *bob_files])
    addresses = _addresses(snap)
    assert len(addresses) == 961
    assert "0x08723392Ed15743cc38513C4925f5e6be5c17243" in addresses  # original case back
    assert any("recovered from bob-teamone for 743 of 961" in w for w in snap.warnings)
    xbt = [w for e in snap.entities for w in e.wallets if w.chain == "XBT"]
    assert any(any(c.isupper() for c in w.address) for w in xbt)


def test_nbctf(shared_data: Path) -> None:
    d = shared_data / "il_nbctf_crypto_wallets_opensanctions"
    snap = parse("crypto", [d / "wallets.csv", d / "releases.csv"])
    assert snap.list_name == "il_nbctf"
    assert snap.as_of == date(2026, 7, 1)
    expected = set()
    with (d / "wallets.csv").open(encoding="utf-8", newline="") as fh:
        for row in list(csv.reader(fh))[1:]:
            if len(row) == 6 and row[4].strip() not in ("", "-"):
                expected.add(row[4].strip())
    assert _addresses(snap) == expected
    persons = [e for e in snap.entities if e.schema == "Person"]
    wallets = [e for e in snap.entities if e.schema == "CryptoWallet"]
    assert persons and wallets
    assert all(e.programs and e.programs[0].startswith("צ.ת") for e in snap.entities)


def test_ofac_and_nbctf_lists_are_not_mixed(shared_data: Path, tg_file: Path) -> None:
    with pytest.raises(InputError, match="different kinds"):
        parse("crypto", [tg_file, shared_data / "il_nbctf_crypto_wallets_opensanctions" / "wallets.csv"])


def test_bad_json(tmp_path: Path) -> None:
    p = tmp_path / "sanctioned_addresses_XBT.json"
    p.write_text('[{"address": "1abc", "name": "X"},', encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("crypto", [p])
    assert exc.value.file == "sanctioned_addresses_XBT.json"
    assert exc.value.line == 1


def test_nbctf_wrong_column_count(tmp_path: Path, shared_data: Path) -> None:
    src = (shared_data / "il_nbctf_crypto_wallets_opensanctions" / "wallets.csv").read_text(encoding="utf-8")
    lines = src.splitlines()
    p = tmp_path / "wallets.csv"
    p.write_text("\n".join([*lines[:3], "A NAME,123,TXabc", *lines[3:]]) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as exc:
        parse("crypto", [p])
    assert (exc.value.file, exc.value.line, exc.value.field) == ("wallets.csv", 4, "row")
