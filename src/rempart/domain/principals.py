"""Who is acting: a user and the roles they hold."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("analyst", "mlro", "legal_intake", "approver", "engineer", "auditor", "admin")


@dataclass(frozen=True)
class Principal:
    user: str
    roles: frozenset[str]

    def has(self, *roles: str) -> bool:
        return "admin" in self.roles or bool(self.roles & frozenset(roles))
