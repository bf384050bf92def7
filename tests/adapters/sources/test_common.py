"""Helpers shared by the parsers: dates, countries, scripts, names, and the dispatcher."""

from __future__ import annotations

from pathlib import Path

import pytest

from rempart.adapters.sources import parse
from rempart.adapters.sources._common import (
    country_code,
    detect_script,
    parse_birth_dates,
    split_country_list,
    split_last_first,
    split_numbered,
)
from rempart.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("13 May 1965", ["1965-05-13"]),
        ("circa 1951", ["1951"]),
        ("Approximately 1963", ["1963"]),
        ("1960 to 1962", ["1960", "1961", "1962"]),
        ("01 Jan 1960 to 31 Dec 1961", ["1960", "1961"]),
        ("Between 1973 and 1974 (Approximately)", ["1973", "1974"]),
        ("(a) 1.2.1960, (b) 3.4.1961", ["1960-02-01", "1961-04-03"]),
        ("26.11.1972", ["1972-11-26"]),
        ("00/00/1970", ["1970"]),
        ("Mar 1970", ["1970-03"]),
        ("26 Feb. 2011", ["2011-02-26"]),
        ("a long time ago", []),
        ("31.02.1970", []),
    ],
)
def test_birth_dates(text: str, expected: list[str]) -> None:
    assert [d.iso() for d in parse_birth_dates(text)] == expected


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Russia", "RU"),
        ("Russian Federation", "RU"),
        ("Russian", "RU"),
        ("Korea, North", "KP"),
        ("Democratic People's Republic of Korea", "KP"),
        ("Iran (Islamic Republic of)", "IR"),
        ("United Kingdom of Great Britain and Northern Ireland", "GB"),
        ("Türkiye", "TR"),
        ("Congo (Democratic Republic)", "CD"),
        ("Burma", "MM"),
        ("DE", "DE"),
        ("na", None),
        ("former Soviet Union", None),
        ("Atlantis", None),
    ],
)
def test_country_codes(text: str, code: str | None) -> None:
    assert country_code(text) == code


def test_split_country_list() -> None:
    assert split_country_list(["Ukrainian, Russian", "Korea, North", "(a) German, (b) Moroccan"]) == [
        "Ukrainian",
        "Russian",
        "Korea, North",
        "German",
        "Moroccan",
    ]


def test_scripts() -> None:
    assert detect_script("Sergey AKSYONOV") == "Latn"
    assert detect_script("Сергей АКСЁНОВ") == "Cyrl"
    assert detect_script("صدام حسين") == "Arab"
    assert detect_script("金正恩") == "Hani"
    assert detect_script("김정은") == "Hang"
    assert detect_script("12345") == "Latn"


def test_names() -> None:
    assert split_last_first("CIFUENTES VILLA, Jorge Milton") == ("Jorge Milton", "CIFUENTES VILLA")
    assert split_last_first("BANCO NACIONAL DE CUBA") == (None, None)
    assert split_numbered("(1) 223611 (2) C00146605") == ["223611", "C00146605"]
    assert split_numbered("G557170") == ["G557170"]


def test_dispatch_refuses_unknown_source_missing_file_and_unknown_kind(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="unknown source"):
        parse("nowhere", [tmp_path / "x"])
    with pytest.raises(InputError, match="no such file"):
        parse("un", [tmp_path / "missing.xml"])
    odd = tmp_path / "list.csv"
    odd.write_text("x\n", encoding="utf-8")
    with pytest.raises(InputError, match="not an OFAC list file name"):
        parse("ofac", [odd])
    with pytest.raises(InputError, match="not a known crypto address list"):
        parse("crypto", [odd])


def test_source_files_hash_the_bytes(tmp_path: Path) -> None:
    import hashlib

    p = tmp_path / "sanctioned_addresses_XBT.txt"
    p.write_text('1BoatSLRHtKNngkdXEeobR76b53LETtpyT;"EXAMPLE HOLDER"\n', encoding="utf-8")
    snap = parse("crypto", [p])
    assert snap.source_files[0].name == p.name
    assert snap.source_files[0].sha256 == hashlib.sha256(p.read_bytes()).hexdigest()
    assert snap.entities[0].source_id == "name:EXAMPLE HOLDER"
