"""The peer: nomenklatura's `logic-v2` (the algorithm behind yente), run in-process on the same data."""

from __future__ import annotations

from typing import Any

PEER_THRESHOLD = 0.7  # yente's default match threshold for logic-v2


class LogicV2Peer:
    name = "logic-v2"

    def __init__(self) -> None:
        from followthemoney import model
        from nomenklatura.matching import LogicV2

        self._model: Any = model
        self._algo: Any = LogicV2
        self._config: Any = LogicV2.default_config()
        self.version = _version()
        self._n = 0  # logic-v2 caches name analysis by entity id: every entity gets a fresh one

    def _entity(self, eid: str, schema: str, names: list[str], dob: list[str] | None = None) -> Any:
        ftm_schema = (
            schema
            if schema in ("Person", "Company", "Organization", "LegalEntity", "Vessel")
            else "LegalEntity"
        )
        e = self._model.make_entity(ftm_schema)
        self._n += 1
        e.id = f"{eid}-{self._n}"
        for n in names:
            e.add("name", n)
        if dob and ftm_schema == "Person":
            e.add("birthDate", dob)
        return e

    def compare(self, name1: str, name2: str, schema: str) -> float:
        a = self._entity("q", schema, [name1])
        b = self._entity("r", schema, [name2])
        return float(self._algo.compare(a, b, self._config).score)

    def compare_entities(self, query: Any, candidate: Any) -> float:
        return float(self._algo.compare(query, candidate, self._config).score)


def _version() -> str:
    try:
        from importlib.metadata import version

        return f"nomenklatura {version('nomenklatura')}"
    except Exception:  # pragma: no cover
        return "nomenklatura"


def available() -> bool:
    try:
        import nomenklatura.matching  # noqa: F401
    except ImportError:
        return False
    return True
