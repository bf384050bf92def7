"""Evidence packages: one zip per stored decision that an outsider can check with the public key alone.

The package holds the decision's inputs (personal data a recipient may not see replaced by its
salted hash), its outputs, the rule and list versions it used (`refs`), the audit payload the chain
committed to, the decision's audit events with inclusion proofs against a signed checkpoint (taken
on the spot when none covers them yet), the provider's public key, and a manifest of SHA-256
hashes signed with the provider's key. `rempart verify FILE.zip` (or `rempart.verifier`) checks it.

Why it still verifies when fields are hidden: `save_decision` commits to each leaf value of the
inputs and outputs with its own salt (`salted-fields-v1`, see `rempart.verifier.commit`). A shown
field carries its value and salt, a hidden one only its salted hash (and, for an authorised
recipient who may confirm a value they already hold, its salt); the hash of all field hashes is
what the audit event's payload contains.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from rempart.adapters.storage.db import Store
from rempart.adapters.storage.decisions import StoredDecision, get_decision
from rempart.adapters.storage.tables import audit_events
from rempart.adapters.storage.tables_proof import decision_salts
from rempart.adapters.storage.tables_restrictions import rule_snapshots
from rempart.domain.audit import AuditEvent
from rempart.domain.ports import Signer
from rempart.errors import IntegrityFailure
from rempart.services import proof
from rempart.services.audit import record
from rempart.verifier import (
    EVIDENCE_KIND,
    PLAIN_SCHEME,
    SCHEME,
    commit,
    field_salt,
    flatten,
    sha256_json,
    unflatten,
)

# Keys whose values are personal data: hidden unless the recipient may see them.
PERSONAL_KEYS = frozenset(
    {
        "name",
        "names",
        "alt_names",
        "first_name",
        "last_name",
        "full_name",
        "birth_date",
        "date_of_birth",
        "email",
        "emails",
        "phone",
        "address",
        "addresses",
        "street",
        "postal_code",
        "registration_number",
        "passport",
        "id_number",
        "national_id",
        "tax_id",
        "iban",
        "wallet",
        "wallets",
        "ip",
        "ips",
        "ip_address",
        "officer",
        "contact",
        "value",
        "values",
        "document",
        "message",
        "messages",
        "content",
        "device",
    }
)

README = """Rempart evidence package
========================

evidence.json    the decision: inputs and outputs field by field (hidden fields as salted hashes),
                 refs (rule and list versions), the rule versions it used (`rules_snapshot`, whose
                 hash the inputs and refs commit to), the audit payload, the audit events with
                 their inclusion proofs, and the signed checkpoint they prove against
public_key.pem   the provider's Ed25519 public key (compare its key id with the one the provider publishes)
manifest.json    SHA-256 of every file;  manifest.sig: its Ed25519 signature (base64)

Check it:  rempart verify --public-key PROVIDER_KEY.pem THIS.zip
     or:   python -m rempart.verifier --public-key PROVIDER_KEY.pem THIS.zip
"""


@dataclass(frozen=True)
class Redaction:
    """What a recipient may see. By default, personal-data keys (PERSONAL_KEYS) are hidden."""

    reveal_all: bool = False
    show: frozenset[str] = frozenset()  # keys or JSON pointers to show even if personal
    hide: frozenset[str] = frozenset()  # keys or JSON pointers to hide as well
    include_salts: bool = False  # give hidden fields' salts (an authorised recipient can confirm values)
    personal_keys: frozenset[str] = field(default=PERSONAL_KEYS)

    def hidden(self, pointer: str) -> bool:
        keys = [k for k in pointer.split("/")[1:] if not k.isdigit()]
        if any(_matches(pointer, keys, h) for h in self.hide):
            return True
        if self.reveal_all or any(_matches(pointer, keys, s) for s in self.show):
            return False
        return any(k in self.personal_keys for k in keys) or not path_is_schema(pointer)

    def describe(self) -> dict[str, Any]:
        return {
            "reveal_all": self.reveal_all,
            "show": sorted(self.show),
            "hide": sorted(self.hide),
            "salts_of_hidden_fields": self.include_salts,
        }


_SCHEMA_KEY = re.compile(r"^[A-Za-z0-9_.\-]+$")


def path_is_schema(pointer: str) -> bool:
    """True when every key on the path looks like a field name (letters, digits, `_.-`), not data.

    A key such as `email:alice@example.com` (a target used as a dict key) is data: a field under it
    is hidden by default, and a hidden field's path is published only if it is schema-like."""
    return all(_SCHEMA_KEY.match(k.replace("~1", "/").replace("~0", "~")) for k in pointer.split("/")[1:])


def _matches(pointer: str, keys: list[str], rule: str) -> bool:
    if rule.startswith("/"):
        return pointer == rule or pointer.startswith(rule + "/")
    return rule in keys


def _section(
    obj: Mapping[str, Any], seed: bytes, name: str, policy: Redaction
) -> tuple[dict[str, Any], list[str]]:
    fields: list[dict[str, Any]] = []
    hidden: list[str] = []
    _, hashes = commit(obj, seed, name)
    for pointer, value in flatten(dict(obj)):
        salt = field_salt(seed, name, pointer)
        if policy.hidden(pointer):
            f: dict[str, Any] = {"hash": hashes[pointer]}
            if path_is_schema(pointer):
                f["path"] = pointer
                hidden.append(pointer)
            else:
                hidden.append("(a field whose key is withheld)")
            if policy.include_salts:
                f["salt"] = salt
        else:
            f = {"path": pointer, "value": value, "salt": salt}
        fields.append(f)
    return {"fields": fields, "view": unflatten(fields)}, hidden


def _plain_section(obj: Mapping[str, Any], name: str, policy: Redaction) -> tuple[dict[str, Any], list[str]]:
    """Decisions stored before field commitments: all or nothing."""
    hidden = [p for p, _ in flatten(dict(obj)) if policy.hidden(p)]
    if hidden:
        return {"withheld": True, "hash": sha256_json(dict(obj))}, [f"/{name} (whole)"]
    return {"value": dict(obj)}, []


def audit_payload(dec: StoredDecision, seed: bytes | None) -> dict[str, Any]:
    """The payload `save_decision` hashed into the chain, recomputed from the stored decision."""
    if seed is None:
        return {
            "decision_id": dec.id,
            "kind": dec.kind,
            "inputs_hash": sha256_json(dec.inputs),
            "outputs_hash": sha256_json(dec.outputs),
            "refs_hash": sha256_json(dec.refs),
        }
    return {
        "decision_id": dec.id,
        "kind": dec.kind,
        "commitment": SCHEME,
        "inputs_hash": commit(dec.inputs, seed, "inputs")[0],
        "outputs_hash": commit(dec.outputs, seed, "outputs")[0],
        "refs_hash": sha256_json(dec.refs),
    }


def decision_events(conn: Connection, dec: StoredDecision) -> list[AuditEvent]:
    """The decision's own event first, then every later event about it (approvals, exports...)."""
    c = audit_events.c
    cols = (c.seq, c.id, c.type, c.actor, c.time, c.subject, c.payload_hash, c.prev_hash, c.hash)
    first = conn.execute(select(*cols).where(c.id == dec.audit_event_id)).first()
    if first is None:
        raise IntegrityFailure(
            f"the audit event {dec.audit_event_id} of decision {dec.id} is missing from the log"
        )
    others = conn.execute(
        select(*cols)
        .where((c.subject == f"decision:{dec.id}") & (c.id != dec.audit_event_id))
        .order_by(c.seq)
    ).all()
    return [AuditEvent(int(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8]) for r in [first, *others]]


def _rules_summary(dec: StoredDecision) -> dict[str, Any]:
    def find(obj: Any, keys: Collection[str]) -> Any:
        if isinstance(obj, Mapping):
            for k in keys:
                if k in obj:
                    return obj[k]
        return None

    return {
        "rules": find(dec.outputs, ("rules",)) or find(dec.refs, ("rules", "rule_versions")),
        "list_versions": find(dec.refs, ("list_versions", "list_version", "lists")),
    }


def build_package(
    conn: Connection, decision_id: str, signer: Signer, policy: Redaction, *, actor: str = "system"
) -> tuple[bytes, dict[str, Any]]:
    """The zip of one decision's evidence, in the caller's write transaction (it may take a checkpoint
    and it records the export as a data-access event). Returns (zip bytes, summary)."""
    from rempart.adapters.crypto_keys import public_pem

    dec = get_decision(conn, decision_id)
    row = conn.execute(select(decision_salts.c.seed).where(decision_salts.c.decision_id == dec.id)).first()
    seed = bytes.fromhex(row.seed) if row is not None else None
    events = decision_events(conn, dec)
    payload = audit_payload(dec, seed)
    if sha256_json(payload) != events[0].payload_hash:
        raise IntegrityFailure(
            f"decision {dec.id} no longer matches what the audit log committed to (the stored decision was altered)",
            decision_id=dec.id,
        )
    last = max(ev.seq for ev in events)
    cp = proof.covering_checkpoint(conn, last) or proof.take_checkpoint(conn, signer, f"evidence {dec.id}")
    proofs = proof.inclusion_proofs(conn, events, cp)
    if seed is not None:
        inputs, hid_in = _section(dec.inputs, seed, "inputs", policy)
        outputs, hid_out = _section(dec.outputs, seed, "outputs", policy)
    else:
        inputs, hid_in = _plain_section(dec.inputs, "inputs", policy)
        outputs, hid_out = _plain_section(dec.outputs, "outputs", policy)
    evidence: dict[str, Any] = {
        "kind": EVIDENCE_KIND,
        "format": 1,
        "decision": {
            "id": dec.id,
            "kind": dec.kind,
            "subject": dec.subject,
            "created_at": dec.created_at,
            "actor": dec.actor,
        },
        "commitment": {"scheme": SCHEME if seed is not None else PLAIN_SCHEME},
        "redaction": {**policy.describe(), "hidden_fields": {"inputs": hid_in, "outputs": hid_out}},
        "inputs": inputs,
        "outputs": outputs,
        "refs": dec.refs,
        "summary": _rules_summary(dec),
        "audit_payload": payload,
        "checkpoint": cp.to_dict(),
        "events": proofs,
    }
    snapshot_hash = dec.refs.get("rules_snapshot_hash")
    if snapshot_hash:  # public rule text, stored once by hash: shown whole, checked against the hash
        evidence["rules_snapshot"] = rules_snapshot(conn, str(snapshot_hash))
    files: dict[str, bytes] = {
        "evidence.json": json.dumps(evidence, indent=2, ensure_ascii=False).encode(),
        "public_key.pem": public_pem(signer.public_key_bytes()).encode(),
        "README.txt": README.encode(),
    }
    blob = package_zip(files, signer)
    ev = record(
        conn,
        type="evidence.export",
        actor=actor,
        subject=f"decision:{dec.id}",
        payload={
            "decision_id": dec.id,
            "redaction": policy.describe(),
            "checkpoint_size": cp.size,
            "package_sha256": _sha(blob),
        },
    )
    summary = {
        "decision_id": dec.id,
        "kind": dec.kind,
        "events": len(proofs),
        "checkpoint": cp.to_dict(),
        "hidden_fields": len(hid_in) + len(hid_out),
        "bytes": len(blob),
        "export_event": ev.id,
    }
    return blob, summary


def rules_snapshot(conn: Connection, digest: str) -> Any:
    """The rule versions a restriction decision used (table `rule_snapshots`), checked against `digest`."""
    row = conn.execute(select(rule_snapshots.c.body).where(rule_snapshots.c.hash == digest)).first()
    if row is None or _sha(str(row.body).encode()) != digest:
        raise IntegrityFailure(
            f"the rules snapshot {digest} is missing or does not match its hash", rules_snapshot_hash=digest
        )
    return json.loads(row.body)


def package_zip(files: Mapping[str, bytes], signer: Signer) -> bytes:
    """A zip of `files` plus manifest.json (their SHA-256) and manifest.sig (Ed25519, base64)."""
    import base64

    manifest = json.dumps({"files": {n: _sha(b) for n, b in sorted(files.items())}}, indent=2).encode()
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in [
            *sorted(files.items()),
            ("manifest.json", manifest),
            ("manifest.sig", base64.b64encode(signer.sign(manifest))),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data)
    return out.getvalue()


def _sha(b: bytes) -> str:
    import hashlib

    return hashlib.sha256(b).hexdigest()


def export_evidence(
    store: Store, decision_id: str, signer: Signer, policy: Redaction | None = None, *, actor: str = "system"
) -> tuple[bytes, dict[str, Any]]:
    with store.begin() as conn:
        return build_package(conn, decision_id, signer, policy or Redaction(), actor=actor)
