"""Wallet addresses: every OFAC address is found from every valid spelling; random valid ones are not."""

from __future__ import annotations

import glob
import json
import os
import random
from pathlib import Path

import pytest

from rempart.domain.screening import addresses
from rempart.domain.screening.addresses import (
    AddressIndex,
    ListedAddress,
    b58check_encode,
    b58encode,
    cashaddr_encode,
    eip55,
    keccak256,
    monero_b58encode,
    normalize_address,
    normalize_listed,
    segwit_encode,
)
from rempart.errors import InputError


def _ofac_pairs(shared_data: Path) -> list[tuple[str, str]]:
    out = []
    for f in sorted(glob.glob(str(shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone" / "*.json"))):
        chain = os.path.basename(f).rsplit("_", 1)[1].removesuffix(".json")
        out.extend((chain, it["address"]) for it in json.loads(Path(f).read_text()))
    return out


def _thomasgregg(shared_data: Path) -> list[tuple[str, str]]:
    d = json.loads(
        (
            shared_data / "ofac_crypto_addresses_2026-08-20_thomasgregg" / "sanctioned-addresses.json"
        ).read_text()
    )
    return [(v["type"].split("- ")[1], k) for k, v in d["addresses"].items()]


def _index(pairs: list[tuple[str, str]]) -> AddressIndex:
    idx = AddressIndex()
    for i, (chain, addr) in enumerate(pairs):
        n = normalize_listed(chain, addr)
        idx.add(ListedAddress(f"crypto:{i}", str(i), "crypto", "v1", "CryptoWallet", f"e{i}", addr, n))
    return idx


def spellings(addr: str) -> list[str]:
    """Every other valid spelling of `addr` that its chain's rules allow."""
    n = normalize_address(addr)
    out = {addr, n.address}
    if n.format == "evm":
        body = addr[2:]
        out |= {"0x" + body.lower(), "0x" + body.upper(), eip55(body), "0X" + body.lower()}
    elif n.format in ("bech32", "bech32m"):
        out |= {addr.lower(), addr.upper()}
    elif n.format == "cashaddr":
        body = n.address.split(":")[1]
        out |= {body, body.upper(), "bitcoincash:" + body, n.address.upper(), n.key}
    elif n.format == "tron":
        from rempart.domain.screening.addresses import b58check_decode

        out.add("41" + b58check_decode(addr).hex()[2:])
    out |= {" " + addr + "\n"}
    return sorted(out)


def test_every_listed_address_validates(shared_data: Path) -> None:
    bad = [(c, a) for c, a in _ofac_pairs(shared_data) if not normalize_listed(c, a).validated]
    # One OFAC "XMR" entry is a 64-hex string, not a Monero address; it stays findable as listed.
    assert [a for _, a in bad] == ["5be5543ff73456ab9f2d207887e2af87322c651ea1a873c5b25b7ffae456c320"]


def test_every_ofac_address_found_from_every_valid_spelling(shared_data: Path) -> None:
    pairs = _ofac_pairs(shared_data)
    idx = _index(pairs)
    checked = 0
    for i, (chain, addr) in enumerate(pairs):
        if not normalize_listed(chain, addr).validated:
            assert any(m.entry.source_id == str(i) for m in idx.search(addr))
            assert any(m.entry.source_id == str(i) for m in idx.search(addr.upper()))
            continue
        chains = [None, chain] if chain in normalize_address(addr).candidates else [None]
        for s in spellings(addr):
            for ch in chains:
                hits = {m.entry.source_id for m in idx.search(s, ch)}
                assert str(i) in hits, (chain, addr, s, ch)
                checked += 1
    assert checked > 2000


def test_case_lost_listing_found_from_real_spelling(shared_data: Path) -> None:
    """The 2026 file lower-cased every address; a correct spelling still finds those entries."""
    lowered = _thomasgregg(shared_data)
    idx = _index(lowered)
    low = {a for _, a in lowered}
    found = 0
    for chain, addr in _ofac_pairs(shared_data):
        if addr.lower() in low and normalize_listed(chain, addr).validated:
            assert idx.search(addr), addr
            found += 1
    assert found > 600


def test_case_matters_where_the_chain_says_so(shared_data: Path) -> None:
    addr = "123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX"
    with pytest.raises(InputError, match="checksum"):
        normalize_address(addr.lower(), "XBT")
    evm = "0x08723392Ed15743cc38513C4925f5e6be5c17243"
    wrong = (
        evm[:3] + evm[3].swapcase() + evm[4:]
        if evm[3].isalpha()
        else "0x08723392eD15743cc38513C4925f5e6be5c17243"
    )
    with pytest.raises(InputError, match="EIP-55"):
        normalize_address(wrong)


@pytest.mark.parametrize(
    ("address", "chain", "message"),
    [
        ("0x1234", None, "40 hexadecimal"),
        ("0x08723392ed15743cc38513c4925f5e6be5c1724", "ETH", "40 hexadecimal"),
        ("bc1qyy5pt5cx3zth8xlj92lq5y87dh8xv3nwgs4ncx", "XBT", "checksum"),
        ("bc1qyy5pt5cx3zth8xlj92lq5y87dh8xv3nwgs4NCQ", "XBT", "mixed"),
        ("TAYhjpL8pPs8T84FSM329nffQpc6jD8GBN", "TRX", "checksum"),
        ("TAYhjpL8pPs8T84FSM329nffQpc6jD8GBM", "ETH", "0x"),
        ("123WBUDmSJv4GctdVEz6Qq6z8nXSKrJ4KX", "LTC", "not LTC"),
        ("", None, "empty"),
        ("0x08723392Ed15743cc38513C4925f5e6be5c17243", "NOPE", "unknown chain"),
    ],
)
def test_invalid_addresses_say_which_rule_failed(address: str, chain: str | None, message: str) -> None:
    with pytest.raises(InputError, match=message):
        normalize_address(address, chain)


def test_chain_detection() -> None:
    assert normalize_address("0x08723392Ed15743cc38513C4925f5e6be5c17243").chain == "ETH"
    assert normalize_address("TAYhjpL8pPs8T84FSM329nffQpc6jD8GBM").chain == "TRX"
    assert normalize_address("LNf2JDiuunBz7GMDKFYHN4rq5meXWxiwfb").chain == "LTC"
    assert normalize_address("qpf2cphc5dkuclkqur7lhj2yuqq9pk3hmukle77vhq").chain == "BCH"
    assert normalize_address("rnXyVQzgxZe7TR1EPzTkGj2jxH4LMJYh66").chain == "XRP"
    assert normalize_address("t1MMXtBrSp1XG38Lx9cePcNUCJj5vdWfUWL").chain == "ZEC"
    assert "XBT" in normalize_address("bc1qyy5pt5cx3zth8xlj92lq5y87dh8xv3nwgs4ncq").candidates


def _random_valid(rng: random.Random) -> list[str]:
    def rb(n: int) -> bytes:
        return bytes(rng.getrandbits(8) for _ in range(n))

    spend_view = b"\x12" + rb(64)
    return [
        eip55(rb(20).hex()),
        b58check_encode(b"\x00" + rb(20)),
        b58check_encode(b"\x05" + rb(20)),
        b58check_encode(b"\x30" + rb(20)),
        b58check_encode(b"\x41" + rb(20)),
        b58check_encode(b"\x1c\xb8" + rb(20)),
        segwit_encode("bc", 0, rb(20)),
        segwit_encode("bc", 1, rb(32)),
        segwit_encode("ltc", 0, rb(20)),
        cashaddr_encode("bitcoincash", 0, rb(20)),
        monero_b58encode(spend_view + keccak256(spend_view)[:4]),
        b58encode(b"\x01" + rb(31)),
    ]


def test_no_hit_on_random_valid_addresses(shared_data: Path) -> None:
    idx = _index(_ofac_pairs(shared_data) + _thomasgregg(shared_data))
    rng = random.Random(7)
    for _ in range(300):
        for a in _random_valid(rng):
            normalize_address(a)  # valid
            assert idx.search(a) == [], a


@pytest.mark.parametrize(
    ("chain", "address", "n_spellings"),
    [
        ("ETH", "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", 3),
        ("XBT", "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq", 2),
        ("TRX", "TNPeeaaFB7K9cmo4uQpcU32zGK8G1NYqeL", 3),
        ("XBT", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", 1),
    ],
)
def test_every_spelling_has_the_same_key(chain: str, address: str, n_spellings: int) -> None:
    n = addresses.normalize_address(address, chain)
    sp = addresses.spellings(n)
    assert len(sp) == n_spellings and address in sp
    assert {addresses.normalize_address(s, chain).key for s in sp} == {n.key}


def test_cashaddr_and_legacy_spellings_meet() -> None:
    legacy = addresses.normalize_address("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2", "BCH")
    sp = addresses.spellings(legacy)
    cash = [s for s in sp if s.startswith("bitcoincash:")]
    assert cash and addresses.normalize_address(cash[0], "BCH").key == legacy.key
    full = addresses.spellings(addresses.normalize_address(cash[0], "BCH"))
    assert {addresses.normalize_address(s, "BCH").key for s in full} == {legacy.key}
    assert any(s.isupper() for s in full) and any(not s.startswith("bitcoincash:") for s in full)
    assert addresses.spellings(addresses.normalize_listed("TRX", "tnpeeaafb7k9cmo4uqpcu32zgk8g1nyqel")) == ()
