"""Load the request rules from `rules/requests/*.yaml`, validated against `rules/requests/schema.json`.

A bad file fails with the file, the line, the element and what was expected. Loaded rules are cached per
directory and file modification times (rules are data; a changed file is reloaded).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from rempart.domain.requests.rules import RequestRules, build_rules
from rempart.errors import InputError

SCHEMA_FILE = "schema.json"


def _line_of(node: yaml.Node | None, path: Sequence[Any]) -> int | None:
    """The 1-based line of the element at `path` in a composed YAML document."""
    current = node
    for key in path:
        if isinstance(current, yaml.MappingNode):
            nxt = None
            for k, v in current.value:
                if isinstance(k, yaml.ScalarNode) and k.value == str(key):
                    nxt = v
                    break
            current = nxt
        elif isinstance(current, yaml.SequenceNode) and isinstance(key, int) and key < len(current.value):
            current = current.value[key]
        else:
            current = None
        if current is None:
            break
    return current.start_mark.line + 1 if current is not None else None


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def load_documents(directory: Path) -> dict[str, dict[str, Any]]:
    schema_path = directory / SCHEMA_FILE
    try:
        schema = json.loads(schema_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("request rule schema not found", file=str(schema_path)) from None
    docs: dict[str, dict[str, Any]] = {}
    files = sorted(directory.glob("*.yaml"))
    if not files:
        raise InputError("no request rule files", file=str(directory), expected="*.yaml files")
    for path in files:
        text = path.read_text(encoding="utf-8")
        try:
            node = yaml.compose(text)
            data = yaml.safe_load(text)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise InputError(
                f"not valid YAML: {getattr(exc, 'problem', exc)}",
                file=str(path),
                line=mark.line + 1 if mark else None,
            ) from None
        if not isinstance(data, dict) or "kind" not in data:
            raise InputError(
                "a request rule file is a mapping with a 'kind'",
                file=str(path),
                expected="kind: entities | jurisdictions | routes | agencies | red_flags",
            )
        kind = str(data["kind"])
        sub_name = f"{kind}_file"
        if sub_name not in schema["$defs"]:
            raise InputError(
                "unknown kind",
                file=str(path),
                field="kind",
                expected="entities | jurisdictions | routes | agencies | red_flags",
                value=kind,
            )
        sub = {**schema["$defs"][sub_name], "$defs": schema["$defs"]}
        validator = jsonschema.Draft202012Validator(sub, format_checker=jsonschema.FormatChecker())
        errors = sorted(validator.iter_errors(_jsonable(data)), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            err = errors[0]
            p = list(err.absolute_path)
            raise InputError(
                err.message,
                file=str(path),
                line=_line_of(node, p),
                element="/".join(str(x) for x in p[:-1]) or None,
                field=str(p[-1]) if p else None,
                expected=str(err.schema.get("description") or err.validator)
                if isinstance(err.schema, dict)
                else None,
            )
        docs[path.name] = data
    return docs


def load_groups(rules_dir: Path) -> dict[str, list[str]]:
    path = rules_dir / "groups.yaml"
    if not path.exists():
        return {}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    groups = data.get("groups", {}) if isinstance(data, Mapping) else {}
    return {str(k): [str(c) for c in v] for k, v in groups.items()}


@lru_cache(maxsize=8)
def _cached(directory: str, _stamp: tuple[tuple[str, float], ...]) -> RequestRules:
    d = Path(directory)
    return build_rules(load_documents(d / "requests"), load_groups(d))


def load_request_rules(rules_dir: Path) -> RequestRules:
    """Rules from `<rules_dir>/requests/` (and country groups from `<rules_dir>/groups.yaml`)."""
    req = rules_dir / "requests"
    if not req.is_dir():
        raise InputError("request rules directory not found", file=str(req))
    stamp = tuple(
        sorted((p.name, p.stat().st_mtime) for p in [*req.glob("*"), rules_dir / "groups.yaml"] if p.exists())
    )
    return _cached(str(rules_dir.resolve()), stamp)
