"""Dates that may be partial (birth dates on sanctions lists often give only a year)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_ISO = re.compile(r"^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$")


@dataclass(frozen=True, slots=True, order=True)
class PartialDate:
    """A date known to year, month or day precision."""

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1000 <= self.year <= 2999:
            raise ValueError(f"year out of range: {self.year}")
        if self.month is None and self.day is not None:
            raise ValueError("a day without a month")
        if self.month is not None and self.day is not None:
            date(self.year, self.month, self.day)  # raises ValueError if impossible
        elif self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month out of range: {self.month}")

    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    def iso(self) -> str:
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def parse_iso(cls, text: str) -> PartialDate:
        """Parse `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; raise ValueError otherwise."""
        m = _ISO.match(text.strip())
        if not m:
            raise ValueError(f"not a date of the form YYYY, YYYY-MM or YYYY-MM-DD: {text!r}")
        y, mo, d = m.groups()
        return cls(int(y), int(mo) if mo else None, int(d) if d else None)

    def compatible(self, other: PartialDate) -> bool:
        """True when both could denote the same day (comparing only the precision both have)."""
        if self.year != other.year:
            return False
        if self.month is None or other.month is None:
            return True
        if self.month != other.month:
            return False
        if self.day is None or other.day is None:
            return True
        return self.day == other.day

    def __str__(self) -> str:
        return self.iso()


def parse_date(text: str) -> date:
    """Parse an ISO `YYYY-MM-DD` into a date, with a message naming what was expected."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(f"not a date of the form YYYY-MM-DD: {text!r}") from exc
