"""Restriction rules as data: dated versions, coverage, thresholds, exemptions, citations.

Pure: built from already-parsed documents by `loader.py`; resolved on a date by `as_of()` only.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

ACTIONS = ("hold", "open_account", "deposit", "withdraw", "trade", "transfer_out")
OUTCOMES = ("allow", "deny", "offboard", "freeze", "review")
SEVERITY = {"allow": 0, "deny": 1, "offboard": 2, "freeze": 3}
LISTS = ("eu", "ofac", "uk", "un")


@dataclass(frozen=True, slots=True)
class Citation:
    instrument: str
    article: str
    sources: tuple[str, ...]
    text: str | None = None

    def render(self) -> str:
        return f"{self.instrument}; {self.article} " + "".join(f"[{s}]" for s in self.sources)


@dataclass(frozen=True, slots=True)
class Threshold:
    amount: Decimal
    currency: str
    comparison: str  # "exceeds" (strictly greater) or "at_least"
    aggregation: str  # "per_provider" or "per_account"

    def crossed(self, value: Decimal) -> bool:
        return value > self.amount if self.comparison == "exceeds" else value >= self.amount

    def describe(self) -> str:
        op = "exceeds" if self.comparison == "exceeds" else "is at least"
        return f"{op} {self.currency} {self.amount:,.2f} ({self.aggregation.replace('_', ' ')})"


@dataclass(frozen=True, slots=True)
class Exemption:
    id: str
    kind: str  # "nationality" | "residence_permit"
    countries: frozenset[str]
    permit_kinds: frozenset[str] = frozenset({"temporary", "permanent"})
    natural_persons_only: bool = True
    uncertain: bool = False
    citation: str | None = None


@dataclass(frozen=True, slots=True)
class OwnedBy:
    countries: frozenset[str]
    share_exceeds: Decimal
    established_outside: frozenset[str]


@dataclass(frozen=True, slots=True)
class Coverage:
    nationals: frozenset[str] = frozenset()
    residents: frozenset[str] = frozenset()
    established_in: frozenset[str] = frozenset()
    owned_by: OwnedBy | None = None
    listed_on: frozenset[str] = frozenset()
    owned_by_listed_share: Decimal | None = None


@dataclass(frozen=True)
class RuleVersion:
    rule_id: str
    valid_from: date
    until: date | None
    covers: Coverage
    services: frozenset[str]
    actions: frozenset[str]
    threshold: Threshold | None
    exemptions: tuple[Exemption, ...]
    action: str
    citation: Citation
    uncertain: bool = False
    uncertainty: str | None = None
    enabled: bool = True
    note: str | None = None
    overridden: tuple[str, ...] = ()
    raw: Mapping[str, Any] = field(default_factory=dict, compare=False)

    @property
    def key(self) -> str:
        return f"{self.rule_id}@{self.valid_from.isoformat()}"


@dataclass(frozen=True)
class Rule:
    id: str
    title: str
    kind: str  # "restriction" | "freeze"
    regime: str
    jurisdiction: str
    binds: frozenset[str]
    versions: tuple[RuleVersion, ...]  # sorted by valid_from
    source: str = ""


@dataclass(frozen=True)
class RuleSet:
    """Every rule Rempart knows, in file order. `content_hash` identifies this exact set (with overrides)."""

    rules: tuple[Rule, ...]
    content_hash: str = ""
    overrides: Mapping[str, Any] = field(default_factory=dict)

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


@dataclass(frozen=True)
class ResolvedRule:
    """A rule and the version in force on a date (None when none is)."""

    rule: Rule
    version: RuleVersion | None
    on: date
