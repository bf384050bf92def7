"""Imports point inward: the domain imports nothing of ours outside itself, and no framework."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src" / "rempart"
FORBIDDEN = (
    "sqlalchemy",
    "fastapi",
    "typer",
    "duckdb",
    "pyspark",
    "starlette",
    "uvicorn",
    "alembic",
    "psycopg",
)
ALLOWED_OURS = ("rempart.domain", "rempart.errors")


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def test_domain_is_pure() -> None:
    offenders = []
    for path in (SRC / "domain").rglob("*.py"):
        for name in _imports(path):
            root = name.split(".")[0]
            if root in FORBIDDEN or (root == "rempart" and not name.startswith(ALLOWED_OURS)):
                offenders.append(f"{path.relative_to(SRC)} imports {name}")
    assert offenders == []


def test_only_the_app_factory_and_cli_import_the_http_adapter() -> None:
    offenders = []
    for path in SRC.rglob("*.py"):
        rel = path.relative_to(SRC).as_posix()
        if rel.startswith(("adapters/http/", "adapters/cli/")):
            continue
        for name in _imports(path):
            if name.startswith("rempart.adapters.http"):
                offenders.append(f"{rel} imports {name}")
    assert offenders == []
