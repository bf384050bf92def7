"""The restriction scenarios in `rules/scenarios/restrictions/`, read one way for every test that runs
them (domain, replay, HTTP/CLI, stored)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

RULES = Path(__file__).resolve().parents[1] / "rules"
SCENARIOS = sorted((RULES / "scenarios" / "restrictions").glob("*.yaml"))


def merge(base: Any, over: Any) -> Any:
    """`over` laid over `base`, recursively for mappings (a case's facts over the file's base)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = merge(base.get(k), v) if k in base else v
        return out
    return copy.deepcopy(over)


def facts_document(doc: dict[str, Any], case: dict[str, Any]) -> dict[str, Any]:
    """The decision input of one case, as JSON would carry it (dates as strings)."""
    facts: dict[str, Any] = json.loads(json.dumps(merge(doc["base"], case.get("facts", {})), default=str))
    return facts


def cases() -> list[Any]:
    """Every case of every scenario file, as pytest parameters `(doc, case)` named `file[i]`."""
    out = []
    for path in SCENARIOS:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for i, case in enumerate(doc["cases"]):
            out.append(pytest.param(doc, case, id=f"{path.stem}[{i}]"))
    return out
