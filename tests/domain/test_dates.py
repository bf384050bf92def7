from __future__ import annotations

import pytest

from rempart.domain.dates import PartialDate


@pytest.mark.parametrize("text", ["1972", "1972-11", "1972-11-26"])
def test_iso_round_trip(text: str) -> None:
    assert PartialDate.parse_iso(text).iso() == text


@pytest.mark.parametrize("text", ["72", "1972-13", "1972-02-30", "26.11.1972", ""])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.parse_iso(text)


def test_compatible_compares_the_common_precision() -> None:
    full = PartialDate(1972, 11, 26)
    assert full.compatible(PartialDate(1972))
    assert full.compatible(PartialDate(1972, 11))
    assert not full.compatible(PartialDate(1973))
    assert not full.compatible(PartialDate(1972, 11, 27))
