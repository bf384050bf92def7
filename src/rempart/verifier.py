"""The independent verifier: checks what Rempart publishes with the provider's public key alone.

No database, no network, no settings: only the files and `rempart.domain` (pure). It checks

* a signed tree head (checkpoint JSON),
* an inclusion proof (`rempart audit prove`) and a consistency proof (`rempart audit consistency`),
* an evidence package (`rempart evidence ... --out FILE.zip`),
* a published transparency report (a directory from `rempart report transparency`).

It also defines the public formats that those files commit to (the salted field commitments of a
decision, the transparency record and the figures recounted from records), so the provider and
the verifier share one definition. Run it as `rempart verify FILE...` or
`python -m rempart.verifier --public-key KEY.pem FILE...`.
"""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import hmac
import io
import itertools
import json
import sys
import zipfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rempart.domain import merkle
from rempart.domain.audit import chain_hash, event_body
from rempart.domain.checkpoints import KIND as CHECKPOINT_KIND
from rempart.domain.checkpoints import Checkpoint, key_id_of, signature_problem

INCLUSION_KIND = "rempart.inclusion-proof"
CONSISTENCY_KIND = "rempart.consistency-proof"
EVIDENCE_KIND = "rempart.evidence"
REPORT_KIND = "rempart.transparency-report"
SCHEME = "salted-fields-v1"
PLAIN_SCHEME = "plain-v0"
RECORD_EVENT = "transparency.request"
OUTCOMES = ("accepted", "partial", "rejected", "escalated", "pending")


# --- shared encodings -----------------------------------------------------------------------------


# One encoder, built once (`json.dumps` with these options would build a new one at every call).
_CANONICAL = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)


def canonical_json(obj: Any) -> bytes:
    """The one canonical JSON of Rempart (sorted keys, no spaces, UTF-8); equals domain.lists'."""
    return _CANONICAL.encode(obj).encode()


def sha256_json(obj: Any) -> str:
    return hashlib.sha256(canonical_json(obj)).hexdigest()


def parse_public_key(data: bytes, *, source: str = "public key") -> bytes:
    """Raw 32-byte Ed25519 key from PEM (SubjectPublicKeyInfo), or 64 hex digits, or base64."""
    text = data.strip()
    if text.startswith(b"-----BEGIN"):
        key = serialization.load_pem_public_key(text)
        if not isinstance(key, Ed25519PublicKey):
            raise ValueError(f"{source}: not an Ed25519 public key")
        return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    try:
        raw = bytes.fromhex(text.decode())
    except ValueError:
        try:
            raw = base64.b64decode(text, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(f"{source}: not a PEM, hex or base64 Ed25519 public key") from None
    if len(raw) != 32:
        raise ValueError(f"{source}: an Ed25519 public key has 32 bytes, not {len(raw)}")
    return raw


def verify_signature(public_key: bytes, message: bytes, signature_b64: str) -> bool:
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(
            base64.b64decode(signature_b64, validate=True), message
        )
        return True
    except (InvalidSignature, binascii.Error, ValueError):
        return False


# --- salted field commitments (decision inputs and outputs) ---------------------------------------


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


def flatten(obj: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """(JSON pointer, scalar) for every leaf; empty objects and arrays are leaves too."""
    out: list[tuple[str, Any]] = []
    _flatten_into(obj, prefix, out)
    return out


def _flatten_into(obj: Any, prefix: str, out: list[tuple[str, Any]]) -> None:
    if isinstance(obj, Mapping):
        if not obj:
            out.append((prefix, {}))
            return
        for k in sorted(obj):
            key = str(k)
            if "~" in key or "/" in key:
                key = _escape(key)
            _flatten_into(obj[k], f"{prefix}/{key}", out)
    elif isinstance(obj, list | tuple):
        if not obj:
            out.append((prefix, []))
            return
        for i, v in enumerate(obj):
            _flatten_into(v, f"{prefix}/{i}", out)
    else:
        out.append((prefix, obj))


def field_salt(seed: bytes, section: str, pointer: str) -> str:
    return hmac.digest(seed, f"{section}\x00{pointer}".encode(), "sha256").hex()[:32]


def field_hash(salt_hex: str, pointer: str, value: Any) -> str:
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical_json([pointer, value])).hexdigest()


def section_commitment(field_hashes: Iterable[str]) -> str:
    """What the audit payload holds for a section: the hash of its sorted per-field salted hashes.

    Each field hash binds its pointer, value and salt, so the commitment needs neither: a hidden
    field is published as its hash alone (its key may be personal data too, e.g. an e-mail address
    used as a dict key)."""
    return sha256_json({"scheme": SCHEME, "fields": sorted(field_hashes)})


def _salter(seed: bytes, section: str) -> Any:
    """`field_salt` as raw bytes, HMAC-SHA256 (RFC 2104) with the key's inner and outer states hashed
    once per section instead of once per field: the same salts, a third of the work."""
    key = (hashlib.sha256(seed).digest() if len(seed) > 64 else seed).ljust(64, b"\0")
    inner = hashlib.sha256(bytes(b ^ 0x36 for b in key))
    outer = hashlib.sha256(bytes(b ^ 0x5C for b in key))
    inner.update(f"{section}\x00".encode())

    def salt(pointer: str) -> bytes:
        i = inner.copy()
        i.update(pointer.encode())
        o = outer.copy()
        o.update(i.digest())
        return o.digest()[:16]

    return salt


# `canonical_json` of one [pointer, value] pair without building an encoder per call (the same bytes).
_PAIR_ENCODER = (
    c_make_encoder(None, str, encode_basestring, None, ":", ",", True, False, True)
    if c_make_encoder is not None
    else None
)


def _pair_json(pointer: str, value: Any) -> bytes:
    if _PAIR_ENCODER is None:
        return canonical_json([pointer, value])
    return "".join(_PAIR_ENCODER([pointer, value], 0)).encode()


def commit(obj: Mapping[str, Any], seed: bytes, section: str) -> tuple[str, dict[str, str]]:
    """(commitment, {pointer: field hash}) of a decision's inputs or outputs.

    Equal to `field_hash(field_salt(seed, section, p), p, v)` for every leaf, computed faster."""
    salt, sha256 = _salter(seed, section), hashlib.sha256
    hashes = {p: sha256(salt(p) + _pair_json(p, v)).hexdigest() for p, v in flatten(dict(obj))}
    return section_commitment(hashes.values()), hashes


def unflatten(fields: Sequence[Mapping[str, Any]]) -> Any:
    """A readable view of a section: shown values in place, hidden ones as '<redacted sha256:…>'."""
    root: dict[str, Any] = {}
    for f in fields:
        if "path" not in f:
            continue  # a hidden field whose very key is withheld
        parts = [p.replace("~1", "/").replace("~0", "~") for p in str(f["path"]).split("/")[1:]]
        value = f["value"] if "value" in f else f"<redacted sha256:{f.get('hash', '')[:16]}…>"
        node: Any = root
        for i, part in enumerate(parts):
            last = i == len(parts) - 1
            if isinstance(node, dict):
                if last:
                    node[part] = value
                else:
                    node = node.setdefault(part, {})
        if not parts:
            return value
    return _lists(root)


def _lists(node: Any) -> Any:
    if isinstance(node, dict):
        if node and all(k.isdigit() for k in node):
            return [_lists(node[k]) for k in sorted(node, key=int)]
        return {k: _lists(v) for k, v in node.items()}
    return node


# --- results --------------------------------------------------------------------------------------


@dataclass
class Result:
    """The outcome of checking one file: what it is, whether it holds, and every problem named."""

    file: str
    kind: str
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "kind": self.kind,
            "ok": self.ok,
            "problems": self.problems,
            "notes": self.notes,
        }


# --- tree heads and proofs ------------------------------------------------------------------------


def check_checkpoint(
    d: Mapping[str, Any], public_key: bytes, res: Result, label: str = "checkpoint"
) -> Checkpoint | None:
    try:
        cp = Checkpoint.from_dict(d)
    except ValueError as exc:
        res.problems.append(f"{label}: {exc}")
        return None
    p = signature_problem(cp, public_key)
    if p:
        res.problems.append(f"{label} (size {cp.size}): {p}")
        return None
    return cp


def _event_leaf(ev: Mapping[str, Any], res: Result, label: str) -> bytes | None:
    try:
        body = event_body(
            int(ev["seq"]),
            str(ev["id"]),
            str(ev["type"]),
            str(ev["actor"]),
            str(ev["time"]),
            str(ev["subject"]),
            str(ev["payload_hash"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        res.problems.append(f"{label}: malformed event ({exc})")
        return None
    if "hash" in ev and "prev_hash" in ev:
        try:
            ok = chain_hash(str(ev["prev_hash"]), body) == ev["hash"]
        except ValueError:
            ok = False
        if not ok:
            res.problems.append(f"{label}: event #{ev['seq']} does not match its chain hash (edited)")
    return merkle.leaf_hash(body)


def check_inclusion(
    proof: Mapping[str, Any],
    public_key: bytes,
    res: Result,
    *,
    checkpoint: Checkpoint | None = None,
    label: str = "",
) -> bool:
    """An inclusion proof of one event; against its own checkpoint, or `checkpoint` when given."""
    ev = proof.get("event") or {}
    label = label or f"event #{ev.get('seq', '?')}"
    before = len(res.problems)
    cp = checkpoint
    if cp is None:
        cp = check_checkpoint(proof.get("checkpoint") or {}, public_key, res, f"{label}: checkpoint")
        if cp is None:
            return False
    leaf = _event_leaf(ev, res, label)
    if leaf is None:
        return False
    try:
        index, size = int(proof["leaf_index"]), int(proof.get("tree_size", cp.size))
        path = [bytes.fromhex(h) for h in proof["path"]]
    except (KeyError, TypeError, ValueError) as exc:
        res.problems.append(f"{label}: malformed proof ({exc})")
        return False
    if size != cp.size:
        res.problems.append(f"{label}: proof is for a tree of {size} events, the checkpoint has {cp.size}")
    if index != int(ev["seq"]) - 1:
        res.problems.append(f"{label}: leaf index {index} does not match event #{ev['seq']}")
    if "leaf_hash" in proof and proof["leaf_hash"] != leaf.hex():
        res.problems.append(f"{label}: the stated leaf hash is not the hash of the event")
    if not merkle.verify_inclusion(index, cp.size, leaf, path, bytes.fromhex(cp.root_hash)):
        res.problems.append(
            f"{label}: not included in the signed tree of {cp.size} events (event altered or proof forged)"
        )
    return len(res.problems) == before


def check_consistency(proof: Mapping[str, Any], public_key: bytes, res: Result) -> None:
    try:
        first, second = int(proof["first_size"]), int(proof["second_size"])
        r1, r2 = bytes.fromhex(proof["first_root"]), bytes.fromhex(proof["second_root"])
        path = [bytes.fromhex(h) for h in proof["path"]]
    except (KeyError, TypeError, ValueError) as exc:
        res.problems.append(f"malformed consistency proof ({exc})")
        return
    signed = 0
    for key, n, r in (("first_checkpoint", first, r1), ("second_checkpoint", second, r2)):
        if key in proof:
            cp = check_checkpoint(proof[key], public_key, res, key.replace("_", " "))
            if cp is not None:
                signed += 1
                if cp.size != n or cp.root_hash != r.hex():
                    res.problems.append(
                        f"{key.replace('_', ' ')} (size {cp.size}) does not match the proof's tree "
                        f"of {n} events"
                    )
    if signed < 2:
        res.notes.append("only the proof's roots are checked; compare them with checkpoints you hold")
    if not merkle.verify_consistency(first, second, r1, r2, path):
        res.problems.append(
            f"the tree of {second} events does not extend the tree of {first} events "
            "(history rewritten, or the proof is forged)"
        )


# --- evidence packages ----------------------------------------------------------------------------


def _check_manifest(files: Mapping[str, bytes], public_key: bytes, res: Result) -> None:
    if "manifest.json" not in files or "manifest.sig" not in files:
        res.problems.append("manifest.json or manifest.sig is missing")
        return
    if not verify_signature(public_key, files["manifest.json"], files["manifest.sig"].decode().strip()):
        res.problems.append(
            "manifest signature does not verify under the provider's key (package altered or forged)"
        )
    try:
        manifest = json.loads(files["manifest.json"])
        listed: Mapping[str, str] = manifest["files"]
    except (ValueError, KeyError, TypeError):
        res.problems.append("manifest.json is malformed")
        return
    for name, digest in listed.items():
        if name not in files:
            res.problems.append(f"{name}: listed in the manifest but missing")
        elif hashlib.sha256(files[name]).hexdigest() != digest:
            res.problems.append(f"{name}: changed after signing (SHA-256 differs from the manifest)")
    for name in files:
        if name not in listed and name not in ("manifest.json", "manifest.sig"):
            res.notes.append(f"{name}: not covered by the manifest (ignored)")


def _section(name: str, section: Mapping[str, Any], committed: str, scheme: str, res: Result) -> None:
    fields = section.get("fields")
    if scheme == PLAIN_SCHEME:
        if "value" in section:
            if sha256_json(section["value"]) != committed:
                res.problems.append(f"{name}: do not match the hash in the audit log (altered)")
        else:
            res.notes.append(f"{name}: withheld (only their hash is committed)")
        return
    if not isinstance(fields, list):
        res.problems.append(f"{name}: no field list")
        return
    hashes: list[str] = []
    shown: set[str] = set()
    for f in fields:
        p = str(f.get("path", ""))
        if "value" in f:
            if p in shown:
                res.problems.append(f"{name}{p}: listed twice")
            shown.add(p)
            try:
                h = field_hash(str(f["salt"]), p, f["value"])
            except (KeyError, ValueError):
                res.problems.append(f"{name}{p}: shown without a valid salt")
                continue
            if "hash" in f and f["hash"] != h:
                res.problems.append(f"{name}{p}: value does not match its committed hash (altered)")
            hashes.append(h)
        else:
            hashes.append(str(f.get("hash", "")))
    if len(set(hashes)) != len(hashes):
        res.problems.append(f"{name}: a field is listed twice")
    if section_commitment(hashes) != committed:
        res.problems.append(
            f"{name}: the fields do not match the commitment in the audit log (a value was altered, added or "
            f"removed{'; shown fields: ' + ', '.join(sorted(shown)[:5]) if shown else ''})"
        )


def _check_rules_snapshot(ev: Mapping[str, Any], res: Result) -> None:
    """A restriction decision commits to the hash of the rule versions it used (in its refs and its
    inputs); the package carries those rule versions, which must hash to it."""
    refs = ev.get("refs") or {}
    digest = refs.get("rules_snapshot_hash") if isinstance(refs, Mapping) else None
    if not digest:
        return
    for f in (ev.get("inputs") or {}).get("fields") or []:
        if f.get("path") == "/rules_snapshot_hash" and "value" in f and f["value"] != digest:
            res.problems.append("inputs/rules_snapshot_hash is not the one in refs (altered)")
    if "rules_snapshot" not in ev:
        res.problems.append(f"the rules snapshot {str(digest)[:16]}… the decision used is missing")
    elif sha256_json(ev["rules_snapshot"]) != digest:
        res.problems.append("the rules snapshot does not match the hash the decision committed to (altered)")
    else:
        res.notes.append(
            f"rules snapshot {str(digest)[:16]}…: {len(ev['rules_snapshot'])} rule(s), hash checked"
        )


def check_evidence(files: Mapping[str, bytes], public_key: bytes, res: Result) -> None:
    _check_manifest(files, public_key, res)
    try:
        ev = json.loads(files["evidence.json"])
    except (KeyError, ValueError):
        res.problems.append("evidence.json is missing or not JSON")
        return
    if "public_key.pem" in files:
        try:
            inside = parse_public_key(files["public_key.pem"])
            if inside != public_key:
                res.problems.append(
                    f"the package's public key ({key_id_of(inside)}) is not the provider's "
                    f"({key_id_of(public_key)})"
                )
        except ValueError as exc:
            res.problems.append(str(exc))
    cp = check_checkpoint(ev.get("checkpoint") or {}, public_key, res)
    if cp is None:
        return
    dec = ev.get("decision") or {}
    did = dec.get("id")
    payload = ev.get("audit_payload") or {}
    events = ev.get("events") or []
    if not events:
        res.problems.append("no audit events in the package")
        return
    seen: set[int] = set()
    for proof in events:
        e = proof.get("event") or {}
        if int(e.get("seq", -1)) in seen:
            res.problems.append(f"event #{e.get('seq')} appears twice")
        seen.add(int(e.get("seq", -1)))
        check_inclusion(proof, public_key, res, checkpoint=cp)
    first = events[0].get("event") or {}
    if first.get("subject") != f"decision:{did}" or first.get("type") != f"decision.{dec.get('kind')}":
        res.problems.append(
            f"the first event is not the record of decision {did} ({first.get('type')}, "
            f"{first.get('subject')})"
        )
    if sha256_json(payload) != first.get("payload_hash"):
        res.problems.append("the audit payload does not match the payload hash in the log (altered)")
    if payload.get("decision_id") != did or payload.get("kind") != dec.get("kind"):
        res.problems.append("the audit payload names another decision")
    scheme = str(payload.get("commitment", PLAIN_SCHEME))
    _section("inputs", ev.get("inputs") or {}, str(payload.get("inputs_hash")), scheme, res)
    _section("outputs", ev.get("outputs") or {}, str(payload.get("outputs_hash")), scheme, res)
    if sha256_json(ev.get("refs") or {}) != payload.get("refs_hash"):
        res.problems.append("refs (rule and list versions) do not match the hash in the audit log (altered)")
    _check_rules_snapshot(ev, res)
    res.notes.append(
        f"decision {did} ({dec.get('kind')}), {len(events)} audit event(s), checkpoint of {cp.size} "
        f"events at {cp.head.time}"
    )


# --- transparency reports: records and figures ----------------------------------------------------


def band(n: int, threshold: int) -> int | str:
    """A count as published: exact at or above the threshold, else the band '0-<threshold-1>'."""
    return n if n >= threshold else f"0-{threshold - 1}"


def _pct(part: int, whole: int, threshold: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole >= threshold and whole else None


def figures(records: Iterable[Mapping[str, Any]], threshold: int) -> dict[str, Any]:
    """The published figures of a transparency report, recounted from its records.

    Regular requests are counted apart from emergency and from preservation requests (as the large
    platforms do); counts below `threshold` are shown as a band.
    """
    groups: dict[str, list[Mapping[str, Any]]] = {"regular": [], "emergency": [], "preservation": []}
    for r in records:
        if r.get("preservation"):
            groups["preservation"].append(r)
        elif r.get("emergency"):
            groups["emergency"].append(r)
        else:
            groups["regular"].append(r)

    def block(rs: list[Mapping[str, Any]], detail: bool) -> dict[str, Any]:
        n = len(rs)
        produced = sum(1 for r in rs if r.get("produced"))
        accounts = sum(int(r.get("accounts", 0)) for r in rs)
        by_outcome = Counter(str(r.get("outcome")) for r in rs)
        countries: dict[str, list[Mapping[str, Any]]] = {}
        for r in rs:
            countries.setdefault(str(r.get("country")), []).append(r)
        out: dict[str, Any] = {
            "requests": band(n, threshold),
            "with_data_produced_pct": _pct(produced, n, threshold),
            "accounts_affected": band(accounts, threshold),
            "by_outcome": {o: band(by_outcome.get(o, 0), threshold) for o in OUTCOMES},
            "by_country": {
                c: {
                    "requests": band(len(cr), threshold),
                    **{o: band(sum(1 for r in cr if r.get("outcome") == o), threshold) for o in OUTCOMES},
                    "with_data_produced_pct": _pct(
                        sum(1 for r in cr if r.get("produced")), len(cr), threshold
                    ),
                    "accounts_affected": band(sum(int(r.get("accounts", 0)) for r in cr), threshold),
                }
                for c, cr in sorted(countries.items())
            },
        }
        if detail:
            cats = Counter(c for r in rs for c in r.get("categories", []))
            out["by_requester_type"] = {
                k: band(v, threshold)
                for k, v in sorted(Counter(str(r.get("requester_type")) for r in rs).items())
            }
            out["by_instrument"] = {
                k: band(v, threshold)
                for k, v in sorted(Counter(str(r.get("instrument")) for r in rs).items())
            }
            out["by_data_category"] = {k: band(v, threshold) for k, v in sorted(cats.items())}
            out["by_month"] = {
                k: band(v, threshold)
                for k, v in sorted(Counter(str(r.get("received_on", ""))[:7] for r in rs).items())
            }
        return out

    return {
        "requests": block(groups["regular"], True),
        "emergency": block(groups["emergency"], False),
        "preservation": block(groups["preservation"], False),
    }


def record_payload(record: Mapping[str, Any], salt: str) -> dict[str, Any]:
    """The payload of a request's commitment event: its non-personal record and a salt."""
    return {"record": dict(record), "salt": salt}


def figure_rows(figs: Mapping[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """Figures as (dotted path, value) rows: the CSV of a report and the names of mismatches."""
    out: list[tuple[str, Any]] = []
    for k, v in figs.items():
        path = f"{prefix}.{k}" if prefix else str(k)
        if isinstance(v, Mapping):
            out.extend(figure_rows(v, path))
        else:
            out.append((path, v))
    return out


def _csv_value(v: Any) -> str:
    return "" if v is None else str(v)


def check_report(files: Mapping[str, bytes], public_key: bytes, res: Result) -> None:
    _check_manifest(files, public_key, res)
    try:
        rep = json.loads(files["report.json"])
    except (KeyError, ValueError):
        res.problems.append("report.json is missing or not JSON")
        return
    if rep.get("kind") != REPORT_KIND:
        res.problems.append("report.json is not a Rempart transparency report")
        return
    cp = check_checkpoint(rep.get("checkpoint") or {}, public_key, res, "report's tree head")
    threshold = int(rep.get("band_threshold", 10))
    period = rep.get("period") or {}
    try:
        start, end = date.fromisoformat(period["from"]), date.fromisoformat(period["to"])
    except (KeyError, TypeError, ValueError):
        res.problems.append("report period is missing or malformed")
        return
    records: list[Mapping[str, Any]] = []
    seen_events: set[str] = set()
    seen_subjects: set[str] = set()
    lines = files.get("records.jsonl", b"").decode().splitlines()
    bad_records = 0
    for i, line in enumerate(lines, 1):
        if not line.strip():
            continue
        before = len(res.problems)
        try:
            item = json.loads(line)
            record, salt, proof = item["record"], str(item["salt"]), item["proof"]
            event = proof["event"]
        except (ValueError, KeyError, TypeError):
            res.problems.append(f"records.jsonl line {i}: malformed")
            continue
        label = f"records.jsonl line {i} (event #{event.get('seq')})"
        if event.get("type") != RECORD_EVENT:
            res.problems.append(f"{label}: the event is a {event.get('type')!r}, not a request commitment")
        if sha256_json(record_payload(record, salt)) != event.get("payload_hash"):
            res.problems.append(f"{label}: the record does not match its commitment in the log (altered)")
        if str(event.get("id")) in seen_events or str(event.get("subject")) in seen_subjects:
            res.problems.append(f"{label}: the same request is counted twice")
        seen_events.add(str(event.get("id")))
        seen_subjects.add(str(event.get("subject")))
        try:
            received = date.fromisoformat(str(record.get("received_on")))
            if not start <= received <= end:
                res.problems.append(f"{label}: received on {received}, outside the report's period")
        except ValueError:
            res.problems.append(f"{label}: no valid received_on date")
        if cp is not None:
            check_inclusion(proof, public_key, res, checkpoint=cp, label=label)
        if len(res.problems) > before:
            bad_records += 1
            if bad_records > 20:
                res.problems.append("more than 20 bad records; stopping")
                break
        records.append(record)
    if rep.get("records_count") != len(records):
        res.problems.append(
            f"report says {rep.get('records_count')} records, records.jsonl holds {len(records)}"
        )
    recount = figures(records, threshold)
    published = dict(figure_rows(rep.get("figures") or {}))
    expected = dict(figure_rows(recount))
    for path in sorted(set(published) | set(expected)):
        if path not in expected:
            res.problems.append(f"figure {path}: published {published[path]!r} but no record supports it")
        elif path not in published:
            res.problems.append(f"figure {path}: missing from the report (recounted {expected[path]!r})")
        elif published[path] != expected[path]:
            res.problems.append(
                f"figure {path}: published {published[path]!r}, recounted from the log's "
                f"commitments {expected[path]!r}"
            )
    if "report.csv" in files:
        rows = list(csv.reader(io.StringIO(files["report.csv"].decode())))
        csv_figs = {r[0]: r[1] for r in rows[1:] if len(r) >= 2}
        for path, v in expected.items():
            if csv_figs.get(path) != _csv_value(v):
                res.problems.append(f"report.csv {path}: {csv_figs.get(path)!r}, recounted {_csv_value(v)!r}")
        for path in set(csv_figs) - set(expected):
            res.problems.append(f"report.csv {path}: a figure no record supports")
    if cp is not None:
        res.notes.append(
            f"{len(records)} request records recounted; tree head of {cp.size} events at {cp.head.time}; "
            f"band threshold {threshold}"
        )


# --- dispatch -------------------------------------------------------------------------------------


def _read_dir(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


def verify_path(path: Path, public_key: bytes) -> Result:
    """Check one published file or report directory; the kind is recognised from its content."""
    name = str(path)
    if path.is_dir():
        res = Result(name, "transparency report")
        check_report(_read_dir(path), public_key, res)
        return res
    data = path.read_bytes()
    if zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as zf:
            files = {i.filename: zf.read(i) for i in zf.infolist() if not i.is_dir()}
        if "report.json" in files:
            res = Result(name, "transparency report")
            check_report(files, public_key, res)
        else:
            res = Result(name, "evidence package")
            check_evidence(files, public_key, res)
        return res
    try:
        obj = json.loads(data)
    except ValueError:
        return Result(name, "unknown", [f"{name}: neither JSON, a zip, nor a report directory"])
    kind = obj.get("kind") if isinstance(obj, dict) else None
    if kind == CHECKPOINT_KIND:
        res = Result(name, "checkpoint")
        cp = check_checkpoint(obj, public_key, res)
        if cp is not None:
            res.notes.append(f"tree of {cp.size} events, root {cp.root_hash}, signed at {cp.head.time}")
    elif kind == INCLUSION_KIND:
        res = Result(name, "inclusion proof")
        check_inclusion(obj, public_key, res)
    elif kind == CONSISTENCY_KIND:
        res = Result(name, "consistency proof")
        check_consistency(obj, public_key, res)
    elif kind == REPORT_KIND:
        res = Result(name, "transparency report")
        check_report(_read_dir(path.parent), public_key, res)
    else:
        res = Result(
            name, "unknown", [f"{name}: not a Rempart checkpoint, proof, evidence package or report"]
        )
    return res


def checkpoints_in_order(results: Sequence[Result], paths: Sequence[Path]) -> list[str]:
    """Given several checkpoints, the later ones (by time) must not be smaller: a rollback check."""
    heads: list[Checkpoint] = []
    for r, p in zip(results, paths, strict=True):
        if r.kind == "checkpoint" and r.ok:
            heads.append(Checkpoint.from_dict(json.loads(p.read_bytes())))
    heads.sort(key=lambda c: c.head.time)
    out = []
    for a, b in itertools.pairwise(heads):
        if b.size < a.size or (b.size == a.size and b.root_hash != a.root_hash):
            out.append(
                f"checkpoint of {b.head.time} (size {b.size}) is behind or forks from the one of "
                f"{a.head.time} (size {a.size}): rolled back"
            )
    return out


def main(argv: Sequence[str] | None = None) -> int:
    import argparse

    ap = argparse.ArgumentParser(
        prog="rempart-verify", description=__doc__.split("\n\n")[0] if __doc__ else None
    )
    ap.add_argument("--public-key", required=True, type=Path, help="the provider's Ed25519 public key (PEM)")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("files", nargs="+", type=Path)
    args = ap.parse_args(argv)
    key = parse_public_key(args.public_key.read_bytes(), source=str(args.public_key))
    results = [verify_path(p, key) for p in args.files]
    extra = checkpoints_in_order(results, args.files)
    if args.json:
        print(
            json.dumps(
                {
                    "ok": all(r.ok for r in results) and not extra,
                    "results": [r.to_dict() for r in results],
                    "problems": extra,
                }
            )
        )
    else:
        for r in results:
            print(f"{'ok' if r.ok else 'FAILED'}: {r.file} ({r.kind})")
            for p in r.problems:
                print(f"  - {p}")
            for n in r.notes:
                print(f"    {n}")
        for p in extra:
            print(f"FAILED: {p}")
    return 0 if all(r.ok for r in results) and not extra else 1


if __name__ == "__main__":
    sys.exit(main())
