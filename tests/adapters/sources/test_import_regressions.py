"""Regressions found by importing every real file set alone: order lines, long ids, cut-off files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.adapters.sources._common import SOURCE_ID_MAX, bounded_source_id
from rempart.errors import InputError


def test_nbctf_order_line_with_a_dash_is_an_order_not_a_person(shared_data: Path) -> None:
    # wallets.csv prints one order as `צ.ת - 34/23`; it separates orders like `צ.ת 34/24`.
    path = shared_data / "il_nbctf_crypto_wallets_opensanctions" / "wallets.csv"
    snap = parse("crypto", [path])
    assert not [e for e in snap.entities if e.primary_name.startswith("צ.ת")]
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))[1:]
    data = [r for r in rows if len(r) == 6 and any(c.strip() for c in r) and not r[0].startswith("צ.ת")]

    def blank(v: str) -> str | None:
        return None if v.strip() in ("", "-") else v.strip()

    persons = {(blank(r[0]) or "").upper() + ":" + (blank(r[1]) or "") for r in data if blank(r[0])}
    wallets = {blank(r[4]) for r in data if not blank(r[0]) and blank(r[4])}
    counts = snap.counts()
    assert counts["schema.Person"] == len(persons) == 289
    assert counts["schema.CryptoWallet"] == len(wallets) == 581
    assert counts["entities"] == 870
    assert any("צ.ת 34/23" in e.programs for e in snap.entities)


def test_long_name_based_ids_fit_the_store(shared_data: Path) -> None:
    # A bob-teamone USDT holder's name (Latin + Cyrillic) is 142 characters: `name:<name>` was too
    # long for PostgreSQL's source_id column.
    path = shared_data / "ofac_crypto_addresses_2025-11-27_bob-teamone" / "sanctioned_addresses_USDT.json"
    snap = parse("crypto", [path])
    ids = [e.source_id for e in snap.entities]
    assert all(len(i) <= SOURCE_ID_MAX for i in ids)
    assert len(set(ids)) == len(ids)
    assert parse("crypto", [path]).content_hash() == snap.content_hash()  # stable


def test_bounded_source_id() -> None:
    assert bounded_source_id("name:Short") == "name:Short"
    a, b = bounded_source_id("name:" + "A" * 200), bounded_source_id("name:" + "A" * 199 + "B")
    assert len(a) == len(b) == SOURCE_ID_MAX and a != b and a.startswith("name:AAAA")


def test_ofac_file_cut_inside_a_quoted_field_is_refused(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / "ofac_consolidated_nonsdn_2025-12_watchman" / "cons_prim.csv").read_bytes()
    lines = raw.split(b"\r\n")
    k = next(i for i in range(len(lines) // 2, len(lines)) if lines[i].endswith(b'."'))
    cut = b"\r\n".join([*lines[:k], lines[k][:-12]])  # inside the last record's quoted remarks
    path = tmp_path / "cons_prim.csv"
    path.write_bytes(cut)
    with pytest.raises(InputError, match="truncated") as exc:
        parse("ofac", [path])
    assert exc.value.file == "cons_prim.csv" and exc.value.line == k + 1


def test_ofac_file_without_end_mark_is_flagged(shared_data: Path, tmp_path: Path) -> None:
    raw = (shared_data / "ofac_consolidated_nonsdn_2025-12_watchman" / "cons_prim.csv").read_bytes()
    assert raw.rstrip().endswith(b"\x1a")
    whole = parse("ofac", [shared_data / "ofac_consolidated_nonsdn_2025-12_watchman" / "cons_prim.csv"])
    assert not whole.warnings
    lines = raw.split(b"\r\n")
    path = tmp_path / "cons_prim.csv"
    path.write_bytes(b"\r\n".join(lines[:100]) + b"\r\n")  # cut at a record boundary
    snap = parse("ofac", [path])
    assert len(snap.entities) == 100
    assert any("end-of-file mark" in w for w in snap.warnings)
