"""Restriction use cases: load the rules (with operator overrides), decide, check a stored customer,
evaluate the whole base, replay a stored decision."""

from __future__ import annotations

import functools
import json
import threading
import weakref
from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from rempart.domain.restrictions import Decision, Facts, decide, parse_facts
from rempart.domain.rules import RuleSet, load_groups, load_rule_documents, parse_overrides
from rempart.errors import InputError

RULE_DIRS = ("eu", "freeze")  # restriction regimes; rules/requests is another area's


def rule_files(rules_dir: Path) -> list[Path]:
    files: list[Path] = []
    for sub in RULE_DIRS:
        files.extend(sorted((rules_dir / sub).glob("*.yaml")))
    return files


def read_overrides(value: str) -> tuple[dict[str, Any], str]:
    """REMPART_RULE_OVERRIDES: inline JSON/YAML, or a path to a YAML/JSON file."""
    text = value.strip()
    if not text:
        return {}, "REMPART_RULE_OVERRIDES"
    if not text.startswith("{") and Path(text).is_file():
        return parse_overrides(Path(text).read_text(encoding="utf-8"), text), text
    return parse_overrides(text), "REMPART_RULE_OVERRIDES"


def aggregation_overrides(rules_dir: Path, scope: str) -> dict[str, Any]:
    """REMPART_VALUATION_SCOPE=wallet: every threshold is measured per account (wallet)."""
    if scope != "wallet":
        return {}
    rs = load_rules(rules_dir)
    return {
        f"{r.id}@{v.valid_from.isoformat()}": {"threshold.aggregation": "per_account"}
        for r in rs.rules
        for v in r.versions
        if v.threshold is not None
    }


@functools.lru_cache(maxsize=16)
def _load_cached(rules_dir: str, overrides_json: str, origin: str) -> RuleSet:
    root = Path(rules_dir)
    schema = json.loads((root / "schema.json").read_text(encoding="utf-8"))
    groups = load_groups((root / "groups.yaml").read_text(encoding="utf-8"), str(root / "groups.yaml"))
    texts = [
        (
            str(p.relative_to(root.parent)) if root.parent in p.parents else str(p),
            p.read_text(encoding="utf-8"),
        )
        for p in rule_files(root)
    ]
    if not texts:
        raise InputError("no rule files", file=str(root), expected="rules/eu/*.yaml and rules/freeze/*.yaml")
    return load_rule_documents(texts, schema, groups, json.loads(overrides_json), origin)


def load_rules(
    rules_dir: Path, overrides: Mapping[str, Any] | None = None, origin: str = "REMPART_RULE_OVERRIDES"
) -> RuleSet:
    return _load_cached(str(rules_dir.resolve()), json.dumps(dict(overrides or {}), sort_keys=True), origin)


def load_groups_dir(rules_dir: Path) -> dict[str, frozenset[str]]:
    return load_groups(
        (rules_dir / "groups.yaml").read_text(encoding="utf-8"), str(rules_dir / "groups.yaml")
    )


def rules_from_settings(settings: Any) -> RuleSet:
    """The rules with the operator's overrides and valuation scope from the settings object."""
    rules_dir = Path(settings.rules_dir)
    overrides, origin = read_overrides(getattr(settings, "rule_overrides", "") or "")
    scope = getattr(settings, "valuation_scope", "provider")
    merged = {**aggregation_overrides(rules_dir, scope), **overrides}
    return load_rules(rules_dir, merged, origin)


def decide_document(doc: Any, rules: RuleSet, *, file: str | None = None) -> tuple[Facts, Decision]:
    facts = parse_facts(doc, file)
    return facts, decide(facts, rules, facts.as_of)


def decide_json(
    doc: Any, rules: RuleSet, *, file: str | None = None, as_of: date | None = None
) -> dict[str, Any]:
    facts = parse_facts(doc, file)
    return decide(facts, rules, as_of or facts.as_of).to_dict()


# ---------------------------------------------------------------- rules in force, replay keys


def rules_in_force(rules: RuleSet, d: date) -> list[dict[str, Any]]:
    from rempart.domain.rules import as_of

    rows = []
    for rr in as_of(rules, d):
        v = rr.version
        rows.append(
            {
                "id": rr.rule.id,
                "title": rr.rule.title,
                "version_from": v.valid_from.isoformat() if v else None,
                "version_until": v.until.isoformat() if v and v.until else None,
                "uncertain": bool(v and v.uncertain),
                "overridden": list(v.overridden) if v else [],
                "citation": v.citation.render() if v else "",
                "file": rr.rule.source,
            }
        )
    return rows


def replay_key(out: Mapping[str, Any]) -> dict[str, Any]:
    """What must be identical on replay: outcome, deciding rules, holdings, and each rule's version and status."""
    return {
        "outcome": out["outcome"],
        "decided_by": list(out["decided_by"]),
        "holdings_eur": out["holdings_eur"],
        "action_allowed": out.get("action_allowed"),
        "rules": sorted((r["id"], r["version_from"], r["status"], r.get("outcome")) for r in out["rules"]),
    }


# ---------------------------------------------------------------- stored customers


def _stored() -> Any:
    from rempart.adapters.batch import restrictions_store as restrictions_repo

    return restrictions_repo


def check_customer(
    store: Any,
    rules: RuleSet,
    *,
    customer_id: str,
    action: str = "hold",
    asset: str | None = None,
    amount: Any = None,
    as_of: Any = None,
    provider_entity: str | None = None,
    actor: str = "system",
    record: bool = True,
) -> dict[str, Any]:
    """The gate: decide for a stored customer and an action; store the decision (with what it used).

    Storing (the default) costs more than deciding: the decision's fields are committed one by one
    with salted hashes (see `save_decision`). That hashing runs before the write transaction, and
    concurrent checks share their transactions (`group_commit`); each call returns only once its
    decision and audit event are committed."""
    from rempart.adapters.storage import gate_reader

    d = _to_date(as_of) if as_of else date.today()
    with store.read() as conn:
        doc, evidence = gate_reader.facts_document(conn, customer_id, d)
    doc.update({"action": action, "provider_entity": provider_entity or "EU"})
    if amount is not None:
        doc["amount"] = str(amount)
        doc["asset"] = asset
    elif asset is not None:
        doc["asset"] = asset
    facts = parse_facts(doc)
    decision = decide(facts, rules, d)
    out = decision.to_dict()
    stored = _store_decision(store, facts, decision, out, rules, evidence, actor) if record else None
    out["customer_id"] = customer_id
    if stored is not None:
        out["decision_id"] = stored
    return out


def restriction_record(
    facts: Facts,
    decision: Decision,
    out: Mapping[str, Any],
    rules: RuleSet,
    evidence: Mapping[str, Any],
    *,
    actor: str,
    groups: Mapping[str, Any],
    snapshot_hash: str,
) -> Any:
    """The stored form of a restriction decision, prepared (hashed) outside any transaction: the same
    inputs, outputs and refs as `restrictions_store.save_restriction_decision` (a test compares them).
    `out` is `decision.to_dict()`."""
    from rempart.adapters.storage.decisions import prepare_decision

    return prepare_decision(
        actor=actor,
        **_stored().restriction_record_fields(
            facts, decision, out, rules, evidence, groups=groups, snapshot_hash=snapshot_hash
        ),
    )


# Rules snapshots known committed, per store (weakly): each is written once, in its own transaction,
# before the first decision that refers to it, so a shared transaction that rolls back never leaves
# a decision pointing at a snapshot that was not stored.
_SNAPSHOTS_STORED: weakref.WeakKeyDictionary[Any, set[str]] = weakref.WeakKeyDictionary()
_SNAPSHOTS_LOCK = threading.Lock()


def _ensure_snapshot(store: Any, rules: RuleSet, d: date) -> str:
    repo = _stored()
    digest, body = repo.rules_snapshot_of(rules, d)
    with _SNAPSHOTS_LOCK:
        known = _SNAPSHOTS_STORED.setdefault(store, set())
        if digest in known:
            return str(digest)
    with store.begin() as conn:
        repo.save_rules_snapshot(conn, digest, body)
    with _SNAPSHOTS_LOCK:
        known.add(digest)
    return str(digest)


def _store_decision(
    store: Any,
    facts: Facts,
    decision: Decision,
    out: Mapping[str, Any],
    rules: RuleSet,
    evidence: Mapping[str, Any],
    actor: str,
) -> str:
    from rempart.adapters.storage import group_commit
    from rempart.adapters.storage.decisions import write_decision

    snapshot_hash = _ensure_snapshot(store, rules, decision.as_of)
    prepared = restriction_record(
        facts,
        decision,
        out,
        rules,
        evidence,
        actor=actor,
        groups=load_groups_dir_cached(rules),
        snapshot_hash=snapshot_hash,
    )
    stored = group_commit.for_store(store).run(lambda conn: write_decision(conn, prepared))
    return str(stored.id)


def _to_date(v: Any) -> date:
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError:
        raise InputError("not a date", field="as_of", expected="YYYY-MM-DD", value=str(v)) from None


_GROUPS_BY_HASH: dict[str, dict[str, frozenset[str]]] = {}


def load_groups_dir_cached(rules: RuleSet) -> dict[str, list[str]]:
    """The country groups the rule files use (stored with each decision, for replay)."""
    first = rules.rules[0].source if rules.rules else ""
    root = Path(first).parent.parent if first else Path("rules")
    key = str(root)
    if key not in _GROUPS_BY_HASH:
        path = root / "groups.yaml"
        if not path.is_file():
            from rempart.settings import Settings

            path = Path(Settings().rules_dir) / "groups.yaml"
        _GROUPS_BY_HASH[key] = load_groups(path.read_text(encoding="utf-8"), str(path))
    return {k: sorted(v) for k, v in _GROUPS_BY_HASH[key].items()}


def replay(store: Any, decision_id: str, *, rules_dir: Path | None = None) -> dict[str, Any]:
    """Recompute a stored restriction decision from the rule versions, prices and facts it recorded."""
    from rempart.adapters.storage.decisions import get_decision
    from rempart.domain.lists import sha256_json
    from rempart.domain.rules import ruleset_from_versions

    with store.read() as conn:
        stored = get_decision(conn, decision_id)
        if stored.kind != "restriction":
            raise InputError(
                "not a restriction decision",
                field="decision_id",
                expected="a restriction decision id",
                value=decision_id,
            )
        inputs = stored.inputs
        if "rules_snapshot_hash" in inputs:  # the snapshot is stored once, by hash
            snapshot = _stored().load_rules_snapshot(conn, inputs["rules_snapshot_hash"])
        else:  # decisions stored before rule_snapshots carry the snapshot in their inputs
            snapshot = inputs["rules"]
    groups = {k: frozenset(v) for k, v in inputs["groups"].items()}
    rules = ruleset_from_versions(snapshot, groups)
    facts = parse_facts(inputs["facts"])
    facts_hash_ok = facts.content_hash() == stored.refs.get("facts_hash")
    decision = decide(facts, rules, facts.as_of).to_dict()
    a, b = replay_key(stored.outputs), replay_key(decision)
    diffs = [f"{k}: stored {a[k]!r} != replayed {b[k]!r}" for k in a if a[k] != b[k]]
    if not facts_hash_ok:
        diffs.append("facts hash differs from the one recorded")
    return {
        "decision_id": decision_id,
        "identical": not diffs,
        "stored_outcome": stored.outputs["outcome"],
        "replayed_outcome": decision["outcome"],
        "as_of": facts.as_of.isoformat(),
        "rule_versions": stored.refs.get("rule_versions"),
        "list_versions": stored.refs.get("list_versions"),
        "facts_hash": stored.refs.get("facts_hash"),
        "rules_snapshot_hash": sha256_json(snapshot),
        "differences": diffs,
    }


def evaluate_base(
    store: Any,
    rules: RuleSet,
    d: date,
    *,
    out: Path | None = None,
    provider_entity: str = "EU",
    progress: bool = False,
    actor: str = "system",
) -> dict[str, Any]:
    """Whole-base evaluation: set-based in DuckDB; stores the run and lists changes since the previous run."""
    repo = _stored()
    result: dict[str, Any] = repo.evaluate_stored_base(
        store,
        rules,
        d,
        out=out,
        provider_entity=provider_entity,
        progress=progress,
        actor=actor,
        groups=load_groups_dir_cached(rules),
    )
    return result
