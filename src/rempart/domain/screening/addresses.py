"""Crypto wallet addresses: chain-aware validation and normalization to an exact-match key.

Pure. Each address format is checked by its own rules (checksum, length, version byte, character
set), and an invalid address raises `InputError` naming the rule that failed. The normalized form
gives one `key` per address space, so that every valid spelling of an address (EIP-55 mixed case,
all lower or upper case for EVM and Bech32, `bitcoincash:` prefix or legacy Base58 for Bitcoin
Cash) maps to the same key and is found by exact lookup:

| format | chains | rule | case |
|---|---|---|---|
| evm | ETH ETC ARB BSC BNB USDT USDC MATIC ... | 0x + 40 hex, EIP-55 checksum when mixed case | insensitive |
| base58check | XBT LTC BCH BSV BTG DASH DOGE ZEC(t) XVG DGB | version byte per chain, double SHA-256 | sensitive |
| bech32/bech32m | bc1 ltc1 btg1 dgb1 (BIP-173/350), bnb1, zs1 | BCH-code checksum, witness rules | insensitive |
| cashaddr | BCH | polymod checksum with prefix; key = legacy Base58 | insensitive |
| tron | TRX USDT | Base58Check, 25 bytes, 0x41 prefix (hex `41...` accepted) | sensitive |
| monero | XMR | Monero Base58 blocks, Keccak-256 checksum, network byte | sensitive |
| xrp | XRP | Ripple alphabet Base58Check, version 0 | sensitive |
| solana | SOL USDC USDT | Base58 of exactly 32 bytes (no checksum exists) | sensitive |
| stellar | XLM | StrKey base32, version G, CRC16-XModem | insensitive |
| algorand | ALGO | base32, SHA-512/256 checksum | insensitive |
| siacoin | SC | 76 hex, BLAKE2b checksum | insensitive |

Entries on a list that fail their chain's rules (typos, case lost by a transcription) are kept
by `normalize_listed` under a `raw:` key (case-folded), so that they are still found from the
listed spelling or from a valid spelling that differs only in case.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from Crypto.Hash import keccak

from rempart.errors import InputError

ALGORITHM = "rempart-address"
ALGORITHM_VERSION = "1"

B58_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
XRP_ALPHABET = "rpshnaf39wBUDNEGHJKLM4PQRST7VWXYZ2bcdeCg65jkm8oFqi1tuvAxyz"
BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


@dataclass(frozen=True, slots=True)
class NormalizedAddress:
    """A validated address. `key` is shared by every spelling of the same address (and by every
    chain of one address space, e.g. all EVM chains); `address` is the canonical spelling."""

    chain: str
    format: str
    address: str
    key: str
    case_sensitive: bool
    candidates: tuple[str, ...] = ()
    validated: bool = True
    note: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "chain": self.chain,
            "format": self.format,
            "address": self.address,
            "key": self.key,
            "case_sensitive": self.case_sensitive,
            "candidates": list(self.candidates),
            "validated": self.validated,
            **({"note": self.note} if self.note else {}),
        }


class _Invalid(Exception):
    """Internal: one format's rule failed (the message says which)."""


# --- chain table ----------------------------------------------------------------------------------

EVM_CHAINS = (
    "ETH",
    "ETC",
    "ARB",
    "BSC",
    "BNB",
    "USDT",
    "USDC",
    "MATIC",
    "POL",
    "AVAX",
    "OP",
    "BASE",
    "FTM",
    "DAI",
    "BUSD",
    "CRO",
    "GNO",
    "LINK",
    "SHIB",
    "UNI",
    "WETH",
)

# Base58Check version bytes (as hex of the prefix) per chain.
B58_VERSIONS: dict[str, tuple[str, ...]] = {
    "XBT": ("00", "05"),
    "BCH": ("00", "05"),
    "BSV": ("00", "05"),
    "LTC": ("30", "32", "05"),
    "DOGE": ("1e", "16"),
    "DASH": ("4c", "10"),
    "BTG": ("26", "17"),
    "ZEC": ("1cb8", "1cbd"),
    "XVG": ("1e", "21"),
    "DGB": ("1e", "3f", "05"),
    "USDT": ("00", "05"),  # Omni layer on Bitcoin
}

# Bech32 human-readable parts: hrp -> (chains, kind) where kind is "segwit" or "plain:<bytes>".
BECH32_HRPS: dict[str, tuple[tuple[str, ...], str]] = {
    "bc": (("XBT",), "segwit"),
    "ltc": (("LTC",), "segwit"),
    "btg": (("BTG",), "segwit"),
    "dgb": (("DGB",), "segwit"),
    "bnb": (("BNB",), "plain:20"),
    "zs": (("ZEC",), "plain:43"),
}

CHAIN_FORMATS: dict[str, tuple[str, ...]] = {
    **{c: ("evm",) for c in EVM_CHAINS},
    "XBT": ("base58check", "bech32"),
    "BCH": ("cashaddr", "base58check"),
    "BSV": ("base58check",),
    "LTC": ("base58check", "bech32"),
    "DOGE": ("base58check",),
    "DASH": ("base58check",),
    "BTG": ("base58check", "bech32"),
    "ZEC": ("base58check", "bech32"),
    "XVG": ("base58check",),
    "DGB": ("base58check", "bech32"),
    "TRX": ("tron",),
    "XMR": ("monero",),
    "XRP": ("xrp",),
    "SOL": ("solana",),
    "XLM": ("stellar",),
    "ALGO": ("algorand",),
    "SC": ("siacoin",),
}
CHAIN_FORMATS["USDT"] = ("evm", "tron", "solana", "base58check")
CHAIN_FORMATS["USDC"] = ("evm", "solana", "stellar", "algorand")
CHAIN_FORMATS["BNB"] = ("evm", "bech32")

CHAIN_ALIASES = {
    "BTC": "XBT",
    "BITCOIN": "XBT",
    "ETHEREUM": "ETH",
    "ERC20": "ETH",
    "TRON": "TRX",
    "TRC20": "TRX",
    "BEP20": "BSC",
    "BEP2": "BNB",
    "LITECOIN": "LTC",
    "MONERO": "XMR",
    "RIPPLE": "XRP",
    "SOLANA": "SOL",
    "ZCASH": "ZEC",
    "DOGECOIN": "DOGE",
    "ARBITRUM": "ARB",
    "POLYGON": "MATIC",
    "STELLAR": "XLM",
    "ALGORAND": "ALGO",
    "BITCOINCASH": "BCH",
    "BITCOIN CASH": "BCH",
    "BCHABC": "BCH",
    "VERGE": "XVG",
    "DIGIBYTE": "DGB",
    "SIACOIN": "SC",
    "ETHEREUM CLASSIC": "ETC",
}

FORMAT_ORDER = (
    "evm",
    "tron",
    "bech32",
    "cashaddr",
    "monero",
    "xrp",
    "base58check",
    "stellar",
    "algorand",
    "siacoin",
    "solana",
)


def canonical_chain(chain: str) -> str:
    """The list's currency code for a chain name (`btc` -> `XBT`, `trc20` -> `TRX`)."""
    c = chain.strip().upper()
    c = re.sub(r"^DIGITAL CURRENCY ADDRESS\s*-\s*", "", c)
    return CHAIN_ALIASES.get(c, c)


def known_chains() -> tuple[str, ...]:
    return tuple(sorted(CHAIN_FORMATS))


# --- encodings ------------------------------------------------------------------------------------


def _sha256d(b: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(b).digest()).digest()


def keccak256(b: bytes) -> bytes:
    k = keccak.new(digest_bits=256)
    k.update(b)
    return bytes(k.digest())


def b58decode(s: str, alphabet: str = B58_ALPHABET) -> bytes:
    n = 0
    for ch in s:
        i = alphabet.find(ch)
        if i < 0:
            raise _Invalid(f"character {ch!r} is not in the Base58 alphabet (no 0, O, I or l)")
        n = n * 58 + i
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    pad = len(s) - len(s.lstrip(alphabet[0]))
    return b"\x00" * pad + body


def b58encode(b: bytes, alphabet: str = B58_ALPHABET) -> str:
    n = int.from_bytes(b, "big")
    out = []
    while n:
        n, r = divmod(n, 58)
        out.append(alphabet[r])
    pad = len(b) - len(b.lstrip(b"\x00"))
    return alphabet[0] * pad + "".join(reversed(out))


def b58check_decode(s: str, alphabet: str = B58_ALPHABET) -> bytes:
    raw = b58decode(s, alphabet)
    if len(raw) < 5:
        raise _Invalid("too short for Base58Check (payload and 4-byte checksum)")
    payload, check = raw[:-4], raw[-4:]
    if _sha256d(payload)[:4] != check:
        raise _Invalid("Base58Check checksum mismatch (a typo, or the letter case was changed)")
    return payload


def b58check_encode(payload: bytes, alphabet: str = B58_ALPHABET) -> str:
    return b58encode(payload + _sha256d(payload)[:4], alphabet)


def _convertbits(data: Sequence[int], frombits: int, tobits: int, pad: bool) -> list[int]:
    acc = 0
    bits = 0
    out: list[int] = []
    maxv = (1 << tobits) - 1
    for v in data:
        acc = (acc << frombits) | v
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            out.append((acc >> bits) & maxv)
    if pad:
        if bits:
            out.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        raise _Invalid("invalid padding in the data part")
    return out


_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
BECH32_CONST = 1
BECH32M_CONST = 0x2BC830A3


def _bech32_polymod(values: Sequence[int]) -> int:
    chk = 1
    for v in values:
        b = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i in range(5):
            if (b >> i) & 1:
                chk ^= _BECH32_GEN[i]
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_decode(s: str) -> tuple[str, list[int], str]:
    """Return (hrp, data without checksum, 'bech32' | 'bech32m')."""
    if s.lower() != s and s.upper() != s:
        raise _Invalid("Bech32 strings must be all lower case or all upper case, not mixed")
    s = s.lower()
    pos = s.rfind("1")
    if pos < 1 or pos + 7 > len(s):
        raise _Invalid("no Bech32 separator '1' followed by a data part of at least 6 characters")
    if len(s) > 90:
        raise _Invalid("longer than the 90 characters Bech32 allows")
    hrp = s[:pos]
    data = []
    for ch in s[pos + 1 :]:
        i = BECH32_CHARSET.find(ch)
        if i < 0:
            raise _Invalid(
                f"character {ch!r} is not in the Bech32 alphabet (no 1, b, i or o after the separator)"
            )
        data.append(i)
    const = _bech32_polymod(_hrp_expand(hrp) + data)
    if const == BECH32_CONST:
        enc = "bech32"
    elif const == BECH32M_CONST:
        enc = "bech32m"
    else:
        raise _Invalid("Bech32 checksum mismatch (a typo in the address)")
    return hrp, data[:-6], enc


def bech32_encode(hrp: str, data: Sequence[int], enc: str = "bech32") -> str:
    const = BECH32_CONST if enc == "bech32" else BECH32M_CONST
    values = _hrp_expand(hrp) + list(data)
    polymod = _bech32_polymod([*values, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(BECH32_CHARSET[d] for d in [*data, *checksum])


def segwit_encode(hrp: str, witver: int, program: bytes) -> str:
    return bech32_encode(
        hrp, [witver, *_convertbits(program, 8, 5, True)], "bech32" if witver == 0 else "bech32m"
    )


def _cash_polymod(values: Sequence[int]) -> int:
    c = 1
    for d in values:
        c0 = c >> 35
        c = ((c & 0x07FFFFFFFF) << 5) ^ d
        if c0 & 0x01:
            c ^= 0x98F2BC8E61
        if c0 & 0x02:
            c ^= 0x79B76D99E2
        if c0 & 0x04:
            c ^= 0xF33E5FB3C4
        if c0 & 0x08:
            c ^= 0xAE2EABE2A8
        if c0 & 0x10:
            c ^= 0x1E4F43E470
    return c ^ 1


def cashaddr_encode(prefix: str, version: int, payload: bytes) -> str:
    data = _convertbits(bytes([version]) + payload, 8, 5, True)
    values = [ord(c) & 0x1F for c in prefix] + [0] + data
    poly = _cash_polymod([*values, 0, 0, 0, 0, 0, 0, 0, 0])
    checksum = [(poly >> 5 * (7 - i)) & 0x1F for i in range(8)]
    return prefix + ":" + "".join(BECH32_CHARSET[d] for d in data + checksum)


_XMR_FULL_BLOCK = 8
_XMR_ENC_SIZES = (0, 2, 3, 5, 6, 7, 9, 10, 11)


def monero_b58decode(s: str) -> bytes:
    out = bytearray()
    for i in range(0, len(s), 11):
        block = s[i : i + 11]
        if len(block) not in _XMR_ENC_SIZES:
            raise _Invalid(f"a Monero Base58 block of {len(block)} characters is impossible")
        size = _XMR_ENC_SIZES.index(len(block))
        n = 0
        for ch in block:
            j = B58_ALPHABET.find(ch)
            if j < 0:
                raise _Invalid(f"character {ch!r} is not in the Base58 alphabet")
            n = n * 58 + j
        if n >> (8 * size):
            raise _Invalid("a Monero Base58 block overflows its size")
        out += n.to_bytes(size, "big")
    return bytes(out)


def monero_b58encode(b: bytes) -> str:
    out = []
    for i in range(0, len(b), _XMR_FULL_BLOCK):
        block = b[i : i + _XMR_FULL_BLOCK]
        n = int.from_bytes(block, "big")
        size = _XMR_ENC_SIZES[len(block)]
        chars = []
        for _ in range(size):
            n, r = divmod(n, 58)
            chars.append(B58_ALPHABET[r])
        out.append("".join(reversed(chars)))
    return "".join(out)


def _crc16_xmodem(data: bytes) -> int:
    crc = 0
    for byte in data:
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return crc


def _b32decode(s: str) -> bytes:
    import base64

    s = s.upper()
    if not re.fullmatch(r"[A-Z2-7]+", s):
        raise _Invalid("characters outside the base32 alphabet (A-Z, 2-7)")
    try:
        return base64.b32decode(s + "=" * (-len(s) % 8))
    except ValueError as exc:
        raise _Invalid(f"not valid base32: {exc}") from None


def eip55(hex40: str) -> str:
    """The EIP-55 mixed-case checksum spelling of a 40-hex-digit address (without 0x)."""
    h = hex40.lower()
    digest = keccak256(h.encode()).hex()
    return "0x" + "".join(
        c.upper() if c.isalpha() and int(digest[i], 16) >= 8 else c for i, c in enumerate(h)
    )


# --- one parser per format; each returns (canonical, key, case_sensitive, chains, note) ------------

Parsed = tuple[str, str, bool, tuple[str, ...], str]

_HEX40 = re.compile(r"^0[xX][0-9a-fA-F]{40}$")


def _p_evm(s: str) -> Parsed:
    if not s[:2].lower() == "0x":
        raise _Invalid("EVM addresses start with 0x")
    if not _HEX40.match(s):
        raise _Invalid(
            f"EVM addresses are 0x followed by 40 hexadecimal digits (got {len(s) - 2} characters after 0x)"
        )
    body = s[2:]
    checksummed = eip55(body)
    note = ""
    if body != body.lower() and body != body.upper():
        if "0x" + body != checksummed:
            raise _Invalid(
                "mixed-case EVM address fails its EIP-55 checksum (a typo?); "
                f"the checksummed spelling of these digits is {checksummed}"
            )
        note = "EIP-55 checksum verified"
    else:
        note = "single-case EVM address (no EIP-55 checksum to verify)"
    return checksummed, "0x" + body.lower(), False, EVM_CHAINS, note


def _p_tron(s: str) -> Parsed:
    if re.fullmatch(r"(0x)?41[0-9a-fA-F]{40}", s):
        payload = bytes.fromhex(s[-42:])
        addr = b58check_encode(payload)
        return addr, addr, True, ("TRX", "USDT"), "hex TRON address converted to Base58Check"
    if not s.startswith("T"):
        raise _Invalid("TRON addresses start with T (Base58Check) or 41 (hex)")
    payload = b58check_decode(s)
    if len(payload) != 21 or payload[0] != 0x41:
        raise _Invalid("TRON addresses hold 21 bytes starting with 0x41")
    return s, s, True, ("TRX", "USDT"), "Base58Check checksum verified"


def _p_base58check(s: str) -> Parsed:
    payload = b58check_decode(s)
    if b58encode(b58decode(s)) != s:
        raise _Invalid("non-canonical Base58 encoding")
    chains: list[str] = []
    for chain, versions in B58_VERSIONS.items():
        for v in versions:
            vb = bytes.fromhex(v)
            if payload.startswith(vb) and len(payload) - len(vb) == 20:
                chains.append(chain)
    if not chains:
        raise _Invalid(
            f"unknown Base58Check version byte 0x{payload[:1].hex()} or length {len(payload)} "
            "(expected a 1-2 byte version and a 20-byte hash)"
        )
    return s, s, True, tuple(chains), "Base58Check checksum verified"


def _p_bech32(s: str) -> Parsed:
    hrp, data, enc = bech32_decode(s)
    if hrp not in BECH32_HRPS:
        raise _Invalid(f"unknown Bech32 prefix {hrp!r} (known: {', '.join(sorted(BECH32_HRPS))})")
    chains, kind = BECH32_HRPS[hrp]
    if kind == "segwit":
        if not data:
            raise _Invalid("empty witness program")
        witver = data[0]
        prog = _convertbits(data[1:], 5, 8, False)
        if witver > 16 or not 2 <= len(prog) <= 40:
            raise _Invalid(
                f"witness version {witver} with a {len(prog)}-byte program is not a valid segwit output"
            )
        if witver == 0 and len(prog) not in (20, 32):
            raise _Invalid("segwit v0 programs are 20 or 32 bytes")
        if (witver == 0) != (enc == "bech32"):
            raise _Invalid(
                "segwit v0 uses Bech32 and v1+ uses Bech32m (BIP-350); the checksum variant is wrong"
            )
    else:
        size = int(kind.split(":")[1])
        if enc != "bech32":
            raise _Invalid("this prefix uses Bech32, not Bech32m")
        if len(_convertbits(data, 5, 8, False)) != size:
            raise _Invalid(f"{hrp}1 addresses hold {size} bytes")
    low = s.lower()
    return low, low, False, chains, f"{enc} checksum verified"


def _p_cashaddr(s: str) -> Parsed:
    low = s.lower()
    if low != s and s.upper() != s:
        raise _Invalid("cashaddr strings must be all lower case or all upper case")
    prefix, _, body = low.rpartition(":")
    prefix = prefix or "bitcoincash"
    if prefix != "bitcoincash":
        raise _Invalid(f"unknown cashaddr prefix {prefix!r} (expected bitcoincash)")
    if not body or body[0] not in "qp":
        raise _Invalid("Bitcoin Cash cashaddr addresses start with q or p")
    data = []
    for ch in body:
        i = BECH32_CHARSET.find(ch)
        if i < 0:
            raise _Invalid(f"character {ch!r} is not in the cashaddr alphabet")
        data.append(i)
    if _cash_polymod([ord(c) & 0x1F for c in prefix] + [0] + data) != 0:
        raise _Invalid("cashaddr checksum mismatch (a typo in the address)")
    raw = bytes(_convertbits(data[:-8], 5, 8, False))
    version, payload = raw[0], raw[1:]
    if version & 0x07 != 0 or len(payload) != 20 or (version >> 3) not in (0, 1):
        raise _Invalid("only 160-bit P2PKH/P2SH cashaddr payloads are supported")
    legacy = b58check_encode(bytes([0x00 if version >> 3 == 0 else 0x05]) + payload)
    return (
        f"{prefix}:{body}",
        legacy,
        False,
        ("BCH",),
        "cashaddr checksum verified; key is the legacy Base58 form",
    )


def _p_monero(s: str) -> Parsed:
    if len(s) not in (95, 106) or s[0] not in "48":
        raise _Invalid("Monero addresses are 95 characters (106 integrated) starting with 4 or 8")
    raw = monero_b58decode(s)
    if keccak256(raw[:-4])[:4] != raw[-4:]:
        raise _Invalid("Monero Keccak-256 checksum mismatch")
    if raw[0] not in (0x12, 0x13, 0x2A):
        raise _Invalid(f"unknown Monero network byte 0x{raw[0]:02x} (mainnet: 0x12, 0x13, 0x2a)")
    return s, s, True, ("XMR",), "Keccak-256 checksum verified"


def _p_xrp(s: str) -> Parsed:
    if not s.startswith("r"):
        raise _Invalid("XRP classic addresses start with r")
    payload = b58check_decode(s, XRP_ALPHABET)
    if len(payload) != 21 or payload[0] != 0:
        raise _Invalid("XRP classic addresses hold 21 bytes starting with 0x00")
    return s, s, True, ("XRP",), "Base58Check (Ripple alphabet) checksum verified"


def _p_solana(s: str) -> Parsed:
    if not 32 <= len(s) <= 44:
        raise _Invalid("Solana addresses are 32 to 44 Base58 characters")
    if len(b58decode(s)) != 32:
        raise _Invalid("Solana addresses decode to exactly 32 bytes")
    return s, s, True, ("SOL", "USDC", "USDT"), "Base58 32-byte key (Solana has no checksum)"


def _p_stellar(s: str) -> Parsed:
    up = s.upper()
    if len(up) != 56 or not up.startswith("G"):
        raise _Invalid("Stellar account ids are 56 base32 characters starting with G")
    raw = _b32decode(up)
    if raw[0] != 6 << 3:
        raise _Invalid("not a Stellar account id version byte")
    if _crc16_xmodem(raw[:-2]).to_bytes(2, "little") != raw[-2:]:
        raise _Invalid("Stellar CRC16 checksum mismatch")
    return up, up, False, ("XLM", "USDC"), "StrKey CRC16 checksum verified"


def _p_algorand(s: str) -> Parsed:
    up = s.upper()
    if len(up) != 58:
        raise _Invalid("Algorand addresses are 58 base32 characters")
    raw = _b32decode(up)
    if len(raw) != 36 or hashlib.new("sha512_256", raw[:32]).digest()[-4:] != raw[32:]:
        raise _Invalid("Algorand SHA-512/256 checksum mismatch")
    return up, up, False, ("ALGO", "USDC"), "SHA-512/256 checksum verified"


def _p_siacoin(s: str) -> Parsed:
    low = s.lower()
    if not re.fullmatch(r"[0-9a-f]{76}", low):
        raise _Invalid("Siacoin addresses are 76 hexadecimal digits")
    raw = bytes.fromhex(low)
    if hashlib.blake2b(raw[:32], digest_size=32).digest()[:6] != raw[32:]:
        raise _Invalid("Siacoin BLAKE2b checksum mismatch")
    return low, low, False, ("SC",), "BLAKE2b checksum verified"


PARSERS: dict[str, Callable[[str], Parsed]] = {
    "evm": _p_evm,
    "tron": _p_tron,
    "base58check": _p_base58check,
    "bech32": _p_bech32,
    "cashaddr": _p_cashaddr,
    "monero": _p_monero,
    "xrp": _p_xrp,
    "solana": _p_solana,
    "stellar": _p_stellar,
    "algorand": _p_algorand,
    "siacoin": _p_siacoin,
}


# --- public API -----------------------------------------------------------------------------------


def normalize_address(address: str, chain: str | None = None) -> NormalizedAddress:
    """Validate `address` (on `chain` when given, else on whichever chain's rules it satisfies) and
    return its normalized form. Raise `InputError` saying which rule failed."""
    s = address.strip()
    if not s:
        raise InputError("empty wallet address", field="address", expected="a wallet address")
    if any(ch.isspace() for ch in s):
        raise InputError("a wallet address has no spaces", field="address", value=address)
    wanted = canonical_chain(chain) if chain else None
    if wanted is not None and wanted not in CHAIN_FORMATS:
        raise InputError(
            f"unknown chain {chain!r}",
            field="chain",
            value=chain,
            expected="one of " + ", ".join(known_chains()),
        )
    formats = CHAIN_FORMATS[wanted] if wanted else FORMAT_ORDER
    failures: list[str] = []
    for fmt in formats:
        try:
            canonical, key, cs, chains, note = PARSERS[fmt](s)
        except _Invalid as exc:
            failures.append(f"{fmt}: {exc}")
            continue
        if wanted is not None and wanted not in chains:
            failures.append(f"{fmt}: valid, but for {', '.join(chains)}, not {wanted}")
            continue
        fmt_name = note.split(" ")[0] if fmt == "bech32" else fmt
        return NormalizedAddress(
            chain=wanted or chains[0],
            format=fmt_name,
            address=canonical,
            key=key,
            case_sensitive=cs,
            candidates=chains,
            note=note,
        )
    on = f" on {wanted}" if wanted else " on any known chain"
    # Report the most specific failure: the first format whose shape matched the input.
    detail = _best_failure(s, failures)
    raise InputError(
        f"not a valid wallet address{on}: {detail}",
        field="address",
        value=address,
        expected=f"a {wanted} address" if wanted else "a wallet address of a known chain",
    )


def _best_failure(s: str, failures: list[str]) -> str:
    if not failures:
        return "no rule applies"
    shape = _shape(s)
    for f in failures:
        if shape and f.startswith(shape + ":"):
            return f
    return failures[0] if len(failures) == 1 else "; ".join(failures[:4])


def _shape(s: str) -> str | None:
    low = s.lower()
    if low.startswith("0x"):
        return "evm"
    if low.startswith(tuple(h + "1" for h in BECH32_HRPS)):
        return "bech32"
    if low.startswith("bitcoincash:") or (len(s) == 42 and low[0] in "qp"):
        return "cashaddr"
    if s.startswith("T") and len(s) == 34:
        return "tron"
    if len(s) in (95, 106) and s[0] in "48":
        return "monero"
    if s.startswith("r") and 25 <= len(s) <= 35:
        return "xrp"
    if 25 <= len(s) <= 36:
        return "base58check"
    return None


def normalize_listed(chain: str, address: str) -> NormalizedAddress:
    """Normalize an address as a list gives it. Never raises: an entry that fails its chain's rules
    (a typo on the list, or a transcription that lost the letter case) is kept under a `raw:` key."""
    c = canonical_chain(chain) if chain else ""
    for ch in ((c,) if c in CHAIN_FORMATS else ()) + (None,):
        try:
            n = normalize_address(address, ch)
        except InputError as exc:
            last = exc.message
            continue
        if ch is None and c:
            return NormalizedAddress(
                c,
                n.format,
                n.address,
                n.key,
                n.case_sensitive,
                n.candidates,
                True,
                f"listed as {c} but valid as {n.chain}; {n.note}",
            )
        return n
    s = address.strip()
    reason = last if "last" in locals() else "empty"
    return NormalizedAddress(
        c or "?",
        "raw",
        s,
        raw_key(s),
        False,
        (c,) if c else (),
        False,
        f"listed spelling fails the chain's rules ({reason}); matched on its case-folded spelling",
    )


def raw_key(text: str) -> str:
    """The fallback key of a listed spelling that no rule validates: case-folded, no spaces."""
    return "raw:" + "".join(text.split()).lower()


def lookup_keys(n: NormalizedAddress, original: str | None = None) -> tuple[str, ...]:
    """Keys under which a query address can be found: its exact key, then the case-folded
    spellings (to reach listed entries whose case was lost)."""
    keys = [n.key, raw_key(n.address)]
    if original is not None:
        keys.append(raw_key(original))
    if n.format == "cashaddr":
        keys.append(raw_key(n.address.split(":", 1)[1]))
        keys.append(raw_key(n.key))
    return tuple(dict.fromkeys(keys))


def spellings(n: NormalizedAddress) -> tuple[str, ...]:
    """Every valid spelling of a validated address, as a wallet or an exchange may write it: all
    lower or upper case where the chain ignores case (EVM, Bech32, cashaddr, StrKey, Siacoin), the
    EIP-55 checksum case, cashaddr with and without its `bitcoincash:` prefix and as legacy Base58,
    TRON as hex. Case-sensitive encodings have one spelling. An unvalidated entry has none."""
    if not n.validated:
        return ()
    a = n.address
    out = [a]
    if n.format == "evm":
        body = a[2:].lower()
        out += ["0x" + body, "0x" + body.upper(), eip55(body)]
    elif n.format in ("bech32", "bech32m", "stellar", "algorand", "siacoin"):
        out += [a.lower(), a.upper()]
    elif n.format == "cashaddr":
        body = a.split(":", 1)[1]
        out += [a.upper(), body, body.upper(), n.key]
    elif n.format == "tron":
        hex_form = b58check_decode(a).hex()
        out += [hex_form, hex_form.upper().replace("X", "x")]
    elif n.format == "base58check" and n.chain == "BCH":
        payload = b58check_decode(a)
        if len(payload) == 21 and payload[0] in (0x00, 0x05):
            out.append(cashaddr_encode("bitcoincash", 0 if payload[0] == 0 else 8, payload[1:]))
    return tuple(dict.fromkeys(out))


def listed_keys(n: NormalizedAddress) -> tuple[str, ...]:
    """Keys under which a listed address is indexed: its exact key and, for case-sensitive or
    unvalidated spellings, the case-folded one (a transcription may have lost the case)."""
    if n.case_sensitive or not n.validated:
        return tuple(dict.fromkeys((n.key, raw_key(n.address))))
    return (n.key,)


@dataclass(frozen=True, slots=True)
class ListedAddress:
    """A wallet address on a list, with the entity that holds it."""

    entity_id: str
    source_id: str
    list_name: str
    list_version: str
    schema: str
    name: str
    listed: str  # the spelling on the list
    normalized: NormalizedAddress


@dataclass(frozen=True, slots=True)
class AddressMatch:
    entry: ListedAddress
    how: str  # "exact" or "case-folded"
    query: NormalizedAddress | None

    def explanation(self, query_text: str) -> dict[str, object]:
        q = self.query
        return {
            "address": {
                "query": query_text,
                "query_normalized": q.address if q else None,
                "query_chain": q.chain if q else None,
                "query_rule": q.note if q else "the query fails every chain's rules; compared as listed",
                "listed": self.entry.listed,
                "listed_chain": self.entry.normalized.chain,
                "listed_rule": self.entry.normalized.note,
                "key": self.entry.normalized.key,
                "match": self.how,
                "score": 1.0,
            }
        }


class AddressIndex:
    """Exact lookup of normalized addresses. Built once per set of list versions."""

    __slots__ = ("_by_key", "size")

    def __init__(self) -> None:
        self._by_key: dict[str, list[ListedAddress]] = {}
        self.size = 0

    def add(self, entry: ListedAddress) -> None:
        self.size += 1
        for k in listed_keys(entry.normalized):
            self._by_key.setdefault(k, []).append(entry)

    def search(self, address: str, chain: str | None = None) -> list[AddressMatch]:
        """Every listed entry with the same address. Raise `InputError` when `address` is invalid
        and is not itself a spelling found on a list."""
        try:
            q: NormalizedAddress | None = normalize_address(address, chain)
        except InputError:
            entries = self._by_key.get(raw_key(address), [])
            if not entries:
                raise
            return [AddressMatch(e, "as listed (case-folded)", None) for e in entries]
        assert q is not None
        out: list[AddressMatch] = []
        seen: set[int] = set()
        for i, k in enumerate(lookup_keys(q, address)):
            for e in self._by_key.get(k, []):
                if id(e) in seen:
                    continue
                seen.add(id(e))
                exact = i == 0 or (e.normalized.validated and e.normalized.key == q.key)
                out.append(AddressMatch(e, "exact" if exact else "case-folded", q))
        return out
