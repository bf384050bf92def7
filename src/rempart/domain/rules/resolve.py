"""The one effective-dating primitive. Nothing else in Rempart compares the dates of rules.

A version is in force on `d` when it is enabled, starts on or before `d`, is the latest such start,
and `d` is not after its `until` (inclusive last day). A later version therefore ends an earlier one.
"""

from __future__ import annotations

from datetime import date, timedelta

from rempart.domain.rules.model import ResolvedRule, Rule, RuleSet, RuleVersion


def version_as_of(rule: Rule, d: date) -> RuleVersion | None:
    best: RuleVersion | None = None
    for v in rule.versions:
        if v.enabled and v.valid_from <= d and (best is None or v.valid_from > best.valid_from):
            best = v
    if best is None or (best.until is not None and d > best.until):
        return None
    return best


def as_of(rules: RuleSet, d: date) -> tuple[ResolvedRule, ...]:
    """Every rule with the version in force on `d` (None where no version is)."""
    return tuple(ResolvedRule(r, version_as_of(r, d), d) for r in rules.rules)


def next_start(rule: Rule, d: date) -> date | None:
    """The first enabled version start after `d` (for explanations: 'not in force until ...')."""
    later = [v.valid_from for v in rule.versions if v.enabled and v.valid_from > d]
    return min(later) if later else None


def contiguous(earlier: RuleVersion, later: RuleVersion) -> bool:
    """True when `earlier` ends the day before `later` starts (so moving one start moves the other end)."""
    return earlier.until is not None and earlier.until + timedelta(days=1) == later.valid_from


def day_before(d: date) -> date:
    return d - timedelta(days=1)


def in_window(d: date, start: date | None, end: date | None) -> bool:
    """Fact validity (permits, listings): start and end inclusive, None open."""
    return (start is None or start <= d) and (end is None or d <= end)
