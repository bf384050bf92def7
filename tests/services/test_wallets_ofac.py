"""Every wallet address on the real OFAC lists is found from every valid spelling of it; random valid
addresses of each chain are not found; invalid addresses get an error that names the rule."""

from __future__ import annotations

import base64
import hashlib
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import pytest

from rempart.adapters.sources.crypto import parse_ofac_crypto
from rempart.adapters.sources.ofac import classify, parse_ofac
from rempart.domain.lists import ListedEntity
from rempart.domain.screening import addresses as A
from rempart.domain.screening.model import Hit, NameQuery
from rempart.errors import InputError
from rempart.services.screening.engine import Screener


class _NoNames:
    algorithm = "none"

    def search(
        self,
        query: NameQuery,
        limit: int = 10,
        threshold: float | None = None,
        min_score: float | None = None,
    ) -> list[Hit]:
        return []


@pytest.fixture(scope="module")
def ofac(shared_data: Path) -> tuple[Screener, list[tuple[str, str, ListedEntity]]]:
    tg = shared_data / "ofac_crypto_addresses_2026-08-20_thomasgregg" / "sanctioned-addresses.json"
    bob = sorted((shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone").glob("*.txt"))
    sdn = shared_data / "ofac_sdn_2024-05-03_jackdwyer" / "sdn.csv"
    entries: list[tuple[str, str, ListedEntity]] = []
    for name, snap in (
        ("ofac_crypto", parse_ofac_crypto([*bob, tg])),  # the newest list, case recovered where known
        ("crypto_bob", parse_ofac_crypto(bob)),  # 2025-11, case preserved
    ):
        entries += [(name, "v", e) for e in snap.entities]
    c = classify(sdn)
    assert c is not None
    entries += [("ofac", "v", e) for e in parse_ofac([(sdn, c[1])], "ofac", c[0]).entities if e.wallets]
    versions = {x[0]: "v" for x in entries}
    return Screener(entries, versions, threshold=0.8, matcher_factory=lambda _e, _t: _NoNames()), entries


def test_every_listed_address_is_found_from_every_valid_spelling(
    ofac: tuple[Screener, list[tuple[str, str, ListedEntity]]],
) -> None:
    screener, entries = ofac
    checked = Counter[str]()
    unvalidated = 0
    for list_name, _v, e in entries:
        eid = f"{list_name}:{e.source_id}"
        for w in e.wallets:
            n = A.normalize_listed(w.chain, w.address)
            # the listed spelling itself, whatever it is, and with stray spaces around it
            for q in (w.address, f"  {w.address}\t"):
                assert eid in {h.entity_id for h in screener.screen_address(q).hits}, (w, q)
            if not n.validated:
                unvalidated += 1  # case lost by a transcription: found from the listed spelling
                continue
            # the chain the address is valid on (a few entries are listed under another chain)
            valid_on = n.chain if n.chain in n.candidates else n.candidates[0]
            for q in A.spellings(n):
                for chain in (None, valid_on):
                    hits = screener.screen_address(q, chain).hits
                    assert eid in {h.entity_id for h in hits}, (w, q, chain)
                    h = next(h for h in hits if h.entity_id == eid)
                    assert h.score == 1.0 and h.match and h.explanation["address"]["listed"] == w.address
                checked[n.format] += 1
    # the lists hold hundreds of addresses of every major format
    assert sum(checked.values()) > 2000 and checked["evm"] > 300 and checked["tron"] > 100
    assert {"base58check", "bech32", "cashaddr", "monero", "xrp"} <= set(checked)
    assert unvalidated < 300


def test_lowercased_entry_is_found_from_its_real_spelling(
    ofac: tuple[Screener, list[tuple[str, str, ListedEntity]]],
) -> None:
    """thomasgregg lower-cases every address; where bob-teamone kept the case, the real (valid)
    spelling finds the lower-cased entry of the newer list too."""
    screener, entries = ofac
    found = 0
    for list_name, _v, e in entries:
        if list_name != "crypto_bob":
            continue
        for w in e.wallets:
            n = A.normalize_listed(w.chain, w.address)
            if n.validated and n.case_sensitive:
                lists = {h.list_name for h in screener.screen_address(w.address).hits}
                assert "crypto_bob" in lists
                found += "ofac_crypto" in lists
    assert found > 400


# --- random valid addresses of each chain ---------------------------------------------------------


def _b58(version: bytes, rnd: random.Random, size: int = 20) -> str:
    return A.b58check_encode(version + rnd.randbytes(size))


def _random_addresses(rnd: random.Random) -> dict[str, Sequence[str]]:
    def monero() -> str:
        body = bytes([0x12]) + rnd.randbytes(64)
        return A.monero_b58encode(body + A.keccak256(body)[:4])

    def stellar() -> str:
        body = bytes([6 << 3]) + rnd.randbytes(32)
        crc = A._crc16_xmodem(body).to_bytes(2, "little")
        return base64.b32encode(body + crc).decode().rstrip("=")

    def algorand() -> str:
        key = rnd.randbytes(32)
        return base64.b32encode(key + hashlib.new("sha512_256", key).digest()[-4:]).decode().rstrip("=")

    return {
        "ETH": [A.eip55(rnd.randbytes(20).hex()) for _ in range(50)],
        "XBT": [_b58(b"\x00", rnd) for _ in range(20)]
        + [_b58(b"\x05", rnd) for _ in range(10)]
        + [A.segwit_encode("bc", 0, rnd.randbytes(20)) for _ in range(10)]
        + [A.segwit_encode("bc", 1, rnd.randbytes(32)) for _ in range(10)],
        "LTC": [_b58(b"\x30", rnd) for _ in range(10)] + [A.segwit_encode("ltc", 0, rnd.randbytes(20))],
        "DOGE": [_b58(b"\x1e", rnd) for _ in range(10)],
        "DASH": [_b58(b"\x4c", rnd) for _ in range(10)],
        "ZEC": [_b58(bytes.fromhex("1cb8"), rnd) for _ in range(10)],
        "BTG": [_b58(b"\x26", rnd) for _ in range(5)],
        "BCH": [A.cashaddr_encode("bitcoincash", 0, rnd.randbytes(20)) for _ in range(10)],
        "TRX": [_b58(b"\x41", rnd) for _ in range(50)],
        "XMR": [monero() for _ in range(10)],
        "XRP": [A.b58check_encode(b"\x00" + rnd.randbytes(20), A.XRP_ALPHABET) for _ in range(10)],
        "SOL": [A.b58encode(rnd.randbytes(32)) for _ in range(10)],
        "XLM": [stellar() for _ in range(5)],
        "ALGO": [algorand() for _ in range(5)],
    }


def test_random_valid_addresses_are_not_found(
    ofac: tuple[Screener, list[tuple[str, str, ListedEntity]]],
) -> None:
    screener, _ = ofac
    for chain, addrs in _random_addresses(random.Random(20260820)).items():
        for a in addrs:
            n = A.normalize_address(a, chain)  # valid for its chain
            assert n.validated
            for q in A.spellings(n):
                assert screener.screen_address(q, chain).hits == [], (chain, q)
                assert screener.screen_address(q).hits == [], (chain, q)


def test_invalid_spellings_get_an_error_naming_the_rule(
    ofac: tuple[Screener, list[tuple[str, str, ListedEntity]]],
) -> None:
    screener, entries = ofac
    rnd = random.Random(7)
    tried = Counter[str]()
    for _l, _v, e in entries:
        for w in e.wallets:
            n = A.normalize_listed(w.chain, w.address)
            if not n.validated or tried[n.format] >= 20:
                continue
            if n.format == "evm":
                body = n.address[2:]
                i = next(i for i, ch in enumerate(body) if ch.isalpha())
                bad = "0x" + body[:i] + body[i].swapcase() + body[i + 1 :]  # breaks EIP-55
                rule = "EIP-55"
            elif n.format in ("base58check", "tron", "xrp"):
                i = rnd.randrange(2, len(n.address) - 1)
                alphabet = A.XRP_ALPHABET if n.format == "xrp" else A.B58_ALPHABET
                repl = next(c for c in alphabet if c != n.address[i])
                bad = n.address[:i] + repl + n.address[i + 1 :]
                rule = "checksum"
            elif n.format in ("bech32", "bech32m"):
                i = len(n.address) - 3
                repl = next(c for c in A.BECH32_CHARSET if c != n.address[i])
                bad = n.address[:i] + repl + n.address[i + 1 :]
                rule = "checksum"
            else:
                continue
            with pytest.raises(InputError) as exc:
                screener.screen_address(bad, n.chain)
            assert rule in exc.value.message and exc.value.field == "address", (bad, exc.value.message)
            tried[n.format] += 1
    assert tried["evm"] and tried["base58check"] and tried["bech32"] and tried["tron"]
    with pytest.raises(InputError, match="unknown chain"):
        screener.screen_address("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "NOPE")
    with pytest.raises(InputError, match="not a valid wallet address"):
        screener.screen_address("hello-world")
