"""What a screening asks and what it answers. Shared by the matcher, the services and the adapters."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rempart.domain.dates import PartialDate
from rempart.domain.lists import Identifier


@dataclass(frozen=True, slots=True)
class NameQuery:
    """A party to screen by name (a customer at onboarding, a row of a batch, a requesting agency)."""

    name: str
    schema: str = "Person"  # Person, Organization, LegalEntity, Vessel, Aircraft
    alt_names: tuple[str, ...] = ()
    birth_dates: tuple[PartialDate, ...] = ()
    nationalities: tuple[str, ...] = ()
    identifiers: tuple[Identifier, ...] = ()
    gender: str | None = None
    lists: tuple[str, ...] = ()  # restrict to these lists; empty = all


@dataclass(frozen=True, slots=True)
class Hit:
    """One listed entity that a query resembles, with the score and why."""

    entity_id: str
    source_id: str
    list_name: str
    list_version: str
    schema: str
    name: str  # the listed name that matched best
    score: float  # 0..1
    match: bool  # score >= threshold
    explanation: dict[str, Any] = field(default_factory=dict)
    algorithm: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "source_id": self.source_id,
            "list": self.list_name,
            "list_version": self.list_version,
            "schema": self.schema,
            "name": self.name,
            "score": round(self.score, 4),
            "match": self.match,
            "explanation": self.explanation,
            "algorithm": self.algorithm,
        }
