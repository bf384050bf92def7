"""Build a `RuleSet` from rule documents (YAML text), validated against `rules/schema.json`.

Pure: the caller reads the files and passes their text. Every error names the file, the path in
the document (and its line), and what was expected. Operator overrides of uncertain values are
applied here, on the documents, so that a stored rule version is the exact data that decided.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

import jsonschema
import yaml

from rempart.domain.lists import sha256_json
from rempart.domain.rules.model import (
    Citation,
    Coverage,
    Exemption,
    OwnedBy,
    Rule,
    RuleSet,
    RuleVersion,
    Threshold,
)
from rempart.errors import InputError

OVERRIDABLE = ("enabled", "from", "until", "threshold.aggregation", "threshold.amount")


# ---------------------------------------------------------------- YAML with line numbers


def _yaml_lines(text: str) -> dict[tuple[str | int, ...], int]:
    """Map every path in a YAML document to its 1-based line (for error messages)."""
    out: dict[tuple[str | int, ...], int] = {}
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return out

    def walk(node: yaml.Node, path: tuple[str | int, ...], depth: int = 0) -> None:
        if depth > 50:
            return
        out.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                walk(v, (*path, str(k.value)), depth + 1)
        elif isinstance(node, yaml.SequenceNode):
            for i, v in enumerate(node.value):
                walk(v, (*path, i), depth + 1)

    if root is not None:
        walk(root, ())
    return out


def _dotted(path: Sequence[str | int]) -> str:
    s = ""
    for p in path:
        s += f"[{p}]" if isinstance(p, int) else (f".{p}" if s else str(p))
    return s or "(document)"


class _DateSafeLoader(yaml.SafeLoader):
    """SafeLoader that keeps dates as strings: the schema checks their form, the loader parses them."""


_DateSafeLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def parse_yaml(text: str, file: str) -> Any:
    try:
        return yaml.load(text, Loader=_DateSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise InputError(
            f"not valid YAML: {getattr(exc, 'problem', exc)}",
            file=file,
            line=mark.line + 1 if mark else None,
            expected="a YAML document",
        ) from None


# ---------------------------------------------------------------- groups


def load_groups(text: str, file: str = "groups.yaml") -> dict[str, frozenset[str]]:
    doc = parse_yaml(text, file)
    if not isinstance(doc, dict) or not isinstance(doc.get("groups"), dict):
        raise InputError(
            "no 'groups' mapping", file=file, field="groups", expected="groups: {NAME: [CC, ...]}"
        )
    out: dict[str, frozenset[str]] = {}
    for name, members in doc["groups"].items():
        if not isinstance(members, list) or not all(isinstance(m, str) and len(m) == 2 for m in members):
            raise InputError(
                "a group must be a list of ISO 3166-1 alpha-2 codes",
                file=file,
                field=f"groups.{name}",
                expected="[CC, ...]",
            )
        out[str(name)] = frozenset(members)
    return out


# ---------------------------------------------------------------- overrides


def parse_overrides(text: str, origin: str = "REMPART_RULE_OVERRIDES") -> dict[str, Any]:
    """Overrides as inline JSON or YAML text: {rule_id: {field: value}} or {rule_id: {from_date: {field: value}}}
    or {"rule_id@from_date": {field: value}}."""
    if not text.strip():
        return {}
    try:
        doc = json.loads(text)
    except json.JSONDecodeError:
        doc = parse_yaml(text, origin)
    if not isinstance(doc, dict):
        raise InputError(
            "overrides must be a mapping of rule id to values",
            file=origin,
            expected='{"rule.id": {"2022-04-09": {"enabled": false}}}',
        )
    return doc


def _normalize_overrides(
    overrides: Mapping[str, Any], origin: str
) -> dict[str, dict[str | None, dict[str, Any]]]:
    """-> {rule_id: {version_from or None: {field: value}}}."""
    out: dict[str, dict[str | None, dict[str, Any]]] = {}
    for key, value in overrides.items():
        if not isinstance(value, dict):
            raise InputError(
                "an override must be a mapping of field to value",
                file=origin,
                field=str(key),
                expected="{field: value}",
            )
        rule_id, _, vfrom = str(key).partition("@")
        per = out.setdefault(rule_id, {})
        if vfrom:
            per.setdefault(vfrom, {}).update(value)
            continue
        for k, v in value.items():
            if isinstance(v, dict):
                per.setdefault(str(k), {}).update(v)
            else:
                per.setdefault(None, {})[str(k)] = v
    return out


def _apply_overrides(
    docs: list[tuple[str, dict[str, Any]]], overrides: Mapping[str, Any], origin: str
) -> None:
    wanted = _normalize_overrides(overrides, origin)
    seen: set[str] = set()
    for _file, doc in docs:
        for rule in doc.get("rules", []):
            rid = rule["id"]
            if rid not in wanted:
                continue
            seen.add(rid)
            versions: list[dict[str, Any]] = rule["versions"]
            for vfrom, fields in wanted[rid].items():
                if vfrom is None:
                    targets = [v for v in versions if v.get("uncertain")] or (
                        versions if len(versions) == 1 else []
                    )
                    if len(targets) != 1:
                        raise InputError(
                            f"rule {rid} has {len(targets)} uncertain versions; name the version",
                            file=origin,
                            field=rid,
                            expected=f'{{"{rid}": {{"<from date>": {{...}}}}}}',
                        )
                    idx = versions.index(targets[0])
                else:
                    matches = [i for i, v in enumerate(versions) if str(v["from"]) == vfrom]
                    if not matches:
                        raise InputError(
                            f"rule {rid} has no version from {vfrom}",
                            file=origin,
                            field=f"{rid}@{vfrom}",
                            expected="one of " + ", ".join(str(v["from"]) for v in versions),
                        )
                    idx = matches[0]
                _override_version(rid, versions, idx, fields, origin)
    unknown = set(wanted) - seen
    if unknown:
        raise InputError(
            "override of an unknown rule",
            file=origin,
            field=sorted(unknown)[0],
            expected="a rule id from the rule files",
        )


def _override_version(
    rid: str, versions: list[dict[str, Any]], idx: int, fields: Mapping[str, Any], origin: str
) -> None:
    v = versions[idx]
    applied: list[str] = list(v.get("overridden", []))
    for name, value in fields.items():
        where = f"{rid}@{v['from']}.{name}"
        if name not in OVERRIDABLE:
            raise InputError(
                "this field cannot be overridden",
                file=origin,
                field=where,
                expected="one of " + ", ".join(OVERRIDABLE),
            )
        if name == "enabled":
            if not isinstance(value, bool):
                raise InputError(
                    "not a boolean", file=origin, field=where, expected="true or false", value=repr(value)
                )
            v["enabled"] = value
        elif name in ("from", "until"):
            try:
                new = date.fromisoformat(str(value)) if value is not None else None
            except ValueError:
                raise InputError(
                    "not a date", file=origin, field=where, expected="YYYY-MM-DD", value=str(value)
                ) from None
            if name == "from":
                if new is None:
                    raise InputError(
                        "a version needs a start", file=origin, field=where, expected="YYYY-MM-DD"
                    )
                old = date.fromisoformat(str(v["from"]))
                if idx > 0 and versions[idx - 1].get("until") is not None:
                    prev_until = date.fromisoformat(str(versions[idx - 1]["until"]))
                    if prev_until + timedelta(days=1) == old:
                        versions[idx - 1]["until"] = (new - timedelta(days=1)).isoformat()
                v["from"] = new.isoformat()
            else:
                v["until"] = new.isoformat() if new else None
        else:
            th = v.get("threshold")
            if not isinstance(th, dict):
                raise InputError(
                    "this version has no threshold",
                    file=origin,
                    field=where,
                    expected="a version with a threshold",
                )
            key = name.split(".", 1)[1]
            if key == "aggregation" and value not in ("per_provider", "per_account"):
                raise InputError(
                    "unknown aggregation",
                    file=origin,
                    field=where,
                    expected="per_provider or per_account",
                    value=str(value),
                )
            if key == "amount":
                try:
                    Decimal(str(value))
                except InvalidOperation:
                    raise InputError(
                        "not a decimal",
                        file=origin,
                        field=where,
                        expected="a decimal string",
                        value=str(value),
                    ) from None
            v["threshold"] = {**th, key: str(value)}
        applied.append(f"{name}={value}")
    v["overridden"] = applied


# ---------------------------------------------------------------- building the model


def _countries(
    items: Sequence[str],
    groups: Mapping[str, frozenset[str]],
    file: str,
    path: tuple[str | int, ...],
    lines: Mapping[tuple[str | int, ...], int],
) -> frozenset[str]:
    out: set[str] = set()
    for i, c in enumerate(items):
        if c.startswith("@"):
            g = groups.get(c[1:])
            if g is None:
                raise InputError(
                    f"unknown country group {c}",
                    file=file,
                    line=lines.get((*path, i)),
                    field=_dotted((*path, i)),
                    expected="one of " + ", ".join("@" + k for k in groups),
                )
            out |= g
        else:
            out.add(c)
    return frozenset(out)


def _version(
    rule_id: str,
    v: Mapping[str, Any],
    groups: Mapping[str, frozenset[str]],
    file: str,
    path: tuple[str | int, ...],
    lines: Mapping[tuple[str | int, ...], int],
) -> RuleVersion:
    def cc(key: str, sub: Mapping[str, Any], p: tuple[str | int, ...]) -> frozenset[str]:
        return _countries(sub.get(key, []), groups, file, (*p, key), lines)

    cov_path = (*path, "covers")
    c = v["covers"]
    owned_by = None
    if "owned_by" in c:
        ob = c["owned_by"]
        p = (*cov_path, "owned_by")
        owned_by = OwnedBy(
            cc("nationals_or_residents_of", ob, p),
            Decimal(ob["share_exceeds"]),
            cc("established_outside", ob, p),
        )
    covers = Coverage(
        nationals=cc("nationals", c, cov_path),
        residents=cc("residents", c, cov_path),
        established_in=cc("established_in", c, cov_path),
        owned_by=owned_by,
        listed_on=frozenset(c.get("listed_on", [])),
        owned_by_listed_share=Decimal(c["owned_by_listed"]["share_at_least"])
        if "owned_by_listed" in c
        else None,
    )
    th = v.get("threshold")
    threshold = (
        Threshold(Decimal(th["amount"]), th["currency"], th["comparison"], th["aggregation"]) if th else None
    )
    exemptions = tuple(
        Exemption(
            id=e["id"],
            kind=e["kind"],
            countries=_countries(e["countries"], groups, file, (*path, "exemptions", i, "countries"), lines),
            permit_kinds=frozenset(e.get("permit_kinds", ["temporary", "permanent"])),
            natural_persons_only=bool(e.get("natural_persons_only", True)),
            uncertain=bool(e.get("uncertain", False)),
            citation=e.get("citation"),
        )
        for i, e in enumerate(v.get("exemptions", []))
    )
    cit = v["citation"]
    return RuleVersion(
        rule_id=rule_id,
        valid_from=date.fromisoformat(str(v["from"])),
        until=date.fromisoformat(str(v["until"])) if v.get("until") else None,
        covers=covers,
        services=frozenset(v["services"]),
        actions=frozenset(v["actions"]),
        threshold=threshold,
        exemptions=exemptions,
        action=v["action"],
        citation=Citation(cit["instrument"], cit["article"], tuple(cit["sources"]), cit.get("text")),
        uncertain=bool(v.get("uncertain", False)),
        uncertainty=v.get("uncertainty"),
        enabled=bool(v.get("enabled", True)),
        note=v.get("note"),
        overridden=tuple(v.get("overridden", ())),
        raw=copy.deepcopy(dict(v)),
    )


def _check_dates(doc: Mapping[str, Any], file: str, lines: Mapping[tuple[str | int, ...], int]) -> None:
    for ri, rule in enumerate(doc["rules"]):
        prev: date | None = None
        for vi, v in enumerate(rule["versions"]):
            for key in ("from", "until"):
                if v.get(key) is None:
                    continue
                path = ("rules", ri, "versions", vi, key)
                try:
                    date.fromisoformat(str(v[key]))
                except ValueError:
                    raise InputError(
                        "not a real calendar date",
                        file=file,
                        line=lines.get(path),
                        field=_dotted(path),
                        expected="YYYY-MM-DD",
                        value=str(v[key]),
                    ) from None
            start = date.fromisoformat(str(v["from"]))
            if v.get("until") and date.fromisoformat(str(v["until"])) < start:
                path = ("rules", ri, "versions", vi, "until")
                raise InputError(
                    "a version ends before it starts",
                    file=file,
                    line=lines.get(path),
                    field=_dotted(path),
                    expected=f"a date on or after {start}",
                    value=str(v["until"]),
                )
            if prev is not None and start <= prev:
                path = ("rules", ri, "versions", vi, "from")
                raise InputError(
                    "versions must be in increasing order of 'from'",
                    file=file,
                    line=lines.get(path),
                    field=_dotted(path),
                    expected=f"a date after {prev}",
                    value=str(v["from"]),
                )
            prev = start


def validate_document(doc: Any, schema: Mapping[str, Any], file: str, text: str) -> None:
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(
        validator.iter_errors(doc), key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path)))
    )
    if errors:
        err = errors[0]
        best = jsonschema.exceptions.best_match(errors) or err
        path = tuple(best.absolute_path)
        lines = _yaml_lines(text)
        expected = _expected(best)
        raise InputError(
            best.message if len(best.message) < 300 else best.message[:300] + "...",
            file=file,
            line=lines.get(path),
            field=_dotted(path),
            expected=expected,
            value=None,
        )


def _expected(err: jsonschema.ValidationError) -> str:
    v = err.validator
    s = err.schema if isinstance(err.schema, dict) else {}
    if v == "enum":
        return "one of " + ", ".join(map(str, s.get("enum", [])))
    if v == "required":
        return "the field(s) " + ", ".join(str(x) for x in list(err.validator_value or []))  # type: ignore[arg-type]
    if v == "pattern":
        return f"text matching {s.get('pattern')}"
    if v == "type":
        return f"a value of type {err.validator_value}"
    if v == "additionalProperties":
        return "only the fields " + ", ".join(sorted(s.get("properties", {})))
    if v == "const":
        return repr(err.validator_value)
    return f"{v}: {err.validator_value}"


def load_rule_documents(
    texts: Sequence[tuple[str, str]],
    schema: Mapping[str, Any],
    groups: Mapping[str, frozenset[str]],
    overrides: Mapping[str, Any] | None = None,
    overrides_origin: str = "REMPART_RULE_OVERRIDES",
) -> RuleSet:
    """Parse, validate and build every rule document. `texts` is [(file name, YAML text)]."""
    docs: list[tuple[str, dict[str, Any]]] = []
    line_maps: dict[str, dict[tuple[str | int, ...], int]] = {}
    for file, text in texts:
        doc = parse_yaml(text, file)
        validate_document(doc, schema, file, text)
        lines = _yaml_lines(text)
        _check_dates(doc, file, lines)
        docs.append((file, {k: v for k, v in doc.items() if not k.startswith("_")}))
        line_maps[file] = lines
    docs = copy.deepcopy(docs)
    if overrides:
        _apply_overrides(docs, overrides, overrides_origin)
    rules: list[Rule] = []
    seen: dict[str, str] = {}
    for file, doc in docs:
        lines = line_maps[file]
        binds = frozenset(doc.get("binds") or [doc["jurisdiction"]])
        for ri, r in enumerate(doc["rules"]):
            if r["id"] in seen:
                raise InputError(
                    f"rule id {r['id']} is already defined in {seen[r['id']]}",
                    file=file,
                    line=lines.get(("rules", ri, "id")),
                    field=_dotted(("rules", ri, "id")),
                    expected="a unique rule id",
                )
            seen[r["id"]] = file
            versions = tuple(
                _version(r["id"], v, groups, file, ("rules", ri, "versions", vi), lines)
                for vi, v in enumerate(r["versions"])
            )
            versions = tuple(sorted(versions, key=lambda x: x.valid_from))
            rules.append(
                Rule(
                    r["id"], r["title"], r["kind"], doc["regime"], doc["jurisdiction"], binds, versions, file
                )
            )
    content = [{"file": f, "doc": d} for f, d in docs]
    return RuleSet(tuple(rules), sha256_json(content), dict(overrides or {}))


def ruleset_from_versions(
    snapshot: Sequence[Mapping[str, Any]], groups: Mapping[str, frozenset[str]]
) -> RuleSet:
    """Rebuild the rules a stored decision used (see `decide.rules_snapshot`), for replay."""
    rules: list[Rule] = []
    for item in snapshot:
        versions = tuple(
            _version(item["id"], v, groups, "(stored decision)", ("rules", item["id"]), {})
            for v in item.get("versions", [])
        )
        rules.append(
            Rule(
                item["id"],
                item["title"],
                item["kind"],
                item["regime"],
                item["jurisdiction"],
                frozenset(item["binds"]),
                versions,
                item.get("source", ""),
            )
        )
    return RuleSet(tuple(rules), sha256_json(list(snapshot)))
