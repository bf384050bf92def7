"""Templates of the console: one Jinja2 environment (autoescaped), a few filters, the static directory."""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

WEB = Path(__file__).parent
TEMPLATES = WEB / "templates"
STATIC = WEB / "static"


def _eur(value: Any) -> str:
    """'12345.6' -> '12,345.60' (exact decimal, thin grouping); '' for None."""
    if value is None or value == "":
        return ""
    try:
        d = Decimal(str(value))
    except InvalidOperation:
        return str(value)
    return f"{d.quantize(Decimal('0.01')):,}"


def _pretty(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False, sort_keys=True, default=str)


def _when(value: Any) -> str:
    """An ISO time shortened to the minute, in UTC: '2026-09-01 10:00Z'."""
    if not value:
        return ""
    s = str(value)
    if "T" in s:
        day, _, rest = s.partition("T")
        return f"{day} {rest[:5]}Z"
    return s


def _join(value: Any, sep: str = ", ") -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple | set | frozenset):
        return sep.join(str(v) for v in value)
    return str(value)


def _short(value: Any, n: int = 12) -> str:
    s = str(value or "")
    return s if len(s) <= n else s[:n] + "…"


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["eur"] = _eur
    env.filters["pretty"] = _pretty
    env.filters["when"] = _when
    env.filters["joined"] = _join
    env.filters["short"] = _short
    return env


ENV = make_environment()


def render(name: str, **context: Any) -> str:
    return ENV.get_template(name).render(**context)
