"""Production: extract exactly the approved scope and package it, hashed and signed. Pure.

Every field of every record kind belongs to one data category (`FIELD_CATEGORIES`); the customer id
links records and is always kept. A record is produced only when its customer is an approved target,
its date (if the kind is dated) lies in the approved range, and it keeps at least one approved field.
The package is a zip: one JSON and one CSV file per record kind, `manifest.json` (SHA-256 of every
file, the scope, the request) and `manifest.sig` (Ed25519 over the manifest bytes, base64).
"""

from __future__ import annotations

import base64
import csv
import hashlib
import io
import json
import zipfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from rempart.domain.lists import canonical_json
from rempart.domain.ports import Signer
from rempart.domain.requests.model import DateRange

KEY = "customer_id"
FORMAT = "rempart.request-production/1"

FIELD_CATEGORIES: Mapping[str, Mapping[str, str]] = {
    "customers": {
        "type": "subscriber",
        "name": "subscriber",
        "alt_names": "subscriber",
        "birth_date": "subscriber",
        "nationalities": "subscriber",
        "residence_country": "subscriber",
        "residence_permits": "subscriber",
        "establishment_country": "subscriber",
        "registration_number": "subscriber",
        "email": "subscriber",
        "created_at": "subscriber",
    },
    "logins": {"at": "identification", "ip": "identification", "device": "transactions"},
    "wallets": {"chain": "transactions", "address": "transactions"},
    "balances": {
        "as_of": "transactions",
        "account_id": "transactions",
        "asset": "transactions",
        "amount": "transactions",
    },
    "transactions": {
        "txid": "transactions",
        "kind": "transactions",
        "asset": "transactions",
        "amount": "transactions",
        "address": "transactions",
        "at": "transactions",
    },
    "messages": {"at": "content", "channel": "content", "subject": "content", "body": "content"},
}
# The field whose date must fall in the approved range (kinds without one are current state).
DATE_FIELDS: Mapping[str, str] = {"logins": "at", "balances": "as_of", "transactions": "at", "messages": "at"}


@dataclass(frozen=True)
class Scope:
    categories: frozenset[str]
    customer_ids: frozenset[str]
    date_range: DateRange | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "categories": sorted(self.categories),
            "customer_ids": sorted(self.customer_ids),
            "date_range": {"from": self.date_range.start.isoformat(), "to": self.date_range.end.isoformat()}
            if self.date_range
            else None,
        }


def _record_date(value: Any) -> date | None:
    if value is None:
        return None
    s = str(value)
    try:
        return date.fromisoformat(s[:10])
    except ValueError:
        return None


def extract(
    records: Mapping[str, Sequence[Mapping[str, Any]]], scope: Scope
) -> dict[str, list[dict[str, Any]]]:
    """Only the approved fields of the approved customers' records within the date range."""
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, fields in FIELD_CATEGORIES.items():
        keep = [f for f, cat in fields.items() if cat in scope.categories]
        if not keep:
            continue
        date_field = DATE_FIELDS.get(kind)
        rows: list[dict[str, Any]] = []
        for rec in records.get(kind, ()):
            if str(rec.get(KEY)) not in scope.customer_ids:
                continue
            if date_field is not None and scope.date_range is not None:
                d = _record_date(rec.get(date_field))
                if d is None or not scope.date_range.contains(d):
                    continue
            row: dict[str, Any] = {KEY: str(rec[KEY])}
            row.update({f: rec.get(f) for f in keep})
            rows.append(row)
        rows.sort(key=lambda r: json.dumps(r, sort_keys=True, default=str))
        out[kind] = rows
    return out


def _csv_bytes(kind: str, rows: Sequence[Mapping[str, Any]]) -> bytes:
    header = [KEY] + [f for f in FIELD_CATEGORIES[kind] if rows and f in rows[0]]
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(
            [
                ""
                if r.get(h) is None
                else (json.dumps(r[h], ensure_ascii=False) if isinstance(r[h], list | dict) else r[h])
                for h in header
            ]
        )
    return buf.getvalue().encode("utf-8")


@dataclass(frozen=True)
class Package:
    zip_bytes: bytes
    manifest: Mapping[str, Any]
    manifest_bytes: bytes
    signature: bytes
    sha256: str

    def summary(self) -> dict[str, Any]:
        """What left, without the data: file hashes, counts, the package hash and the signature."""
        return {
            "package_sha256": self.sha256,
            "manifest_sha256": hashlib.sha256(self.manifest_bytes).hexdigest(),
            "signature": base64.b64encode(self.signature).decode(),
            "files": list(self.manifest["files"]),
            "scope": self.manifest["scope"],
            "key_id": self.manifest.get("key_id"),
        }


_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


def build_package(
    records: Mapping[str, Sequence[Mapping[str, Any]]],
    scope: Scope,
    meta: Mapping[str, Any],
    signer: Signer,
    key_id: str,
) -> Package:
    """Extract, write JSON + CSV per kind, hash every file into the manifest, sign the manifest."""
    data = extract(records, scope)
    files: dict[str, bytes] = {}
    entries: list[dict[str, Any]] = []
    for kind, rows in data.items():
        js = (json.dumps(rows, ensure_ascii=False, indent=1, sort_keys=True, default=str) + "\n").encode(
            "utf-8"
        )
        cs = _csv_bytes(kind, rows)
        for name, content in ((f"{kind}.json", js), (f"{kind}.csv", cs)):
            files[name] = content
            entries.append(
                {
                    "name": name,
                    "sha256": hashlib.sha256(content).hexdigest(),
                    "bytes": len(content),
                    "records": len(rows),
                }
            )
    manifest = {
        "format": FORMAT,
        **dict(meta),
        "scope": scope.to_dict(),
        "fields": {
            k: sorted(f for f, c in FIELD_CATEGORIES[k].items() if c in scope.categories) for k in data
        },
        "files": entries,
        "key_id": key_id,
        "signature_algorithm": "Ed25519",
    }
    manifest_bytes = canonical_json(manifest)
    signature = signer.sign(manifest_bytes)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in [
            ("manifest.json", manifest_bytes),
            ("manifest.sig", base64.b64encode(signature) + b"\n"),
            *sorted(files.items()),
        ]:
            info = zipfile.ZipInfo(name, date_time=_FIXED_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, content)
    zb = buf.getvalue()
    return Package(zb, manifest, manifest_bytes, signature, hashlib.sha256(zb).hexdigest())


def verify_package(zip_bytes: bytes, public_key_raw: bytes) -> list[str]:
    """Problems found (empty when the signature and every file hash check out)."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(zip_bytes)) as z:
        names = set(z.namelist())
        if not {"manifest.json", "manifest.sig"} <= names:
            return ["manifest.json or manifest.sig is missing"]
        mbytes = z.read("manifest.json")
        try:
            Ed25519PublicKey.from_public_bytes(public_key_raw).verify(
                base64.b64decode(z.read("manifest.sig").strip()), mbytes
            )
        except (InvalidSignature, ValueError):
            problems.append("the manifest signature does not verify with this public key")
        manifest = json.loads(mbytes)
        listed = set()
        for f in manifest.get("files", []):
            listed.add(f["name"])
            if f["name"] not in names:
                problems.append(f"{f['name']} is listed in the manifest but missing")
                continue
            if hashlib.sha256(z.read(f["name"])).hexdigest() != f["sha256"]:
                problems.append(f"{f['name']} does not match its SHA-256 in the manifest")
        extra = names - listed - {"manifest.json", "manifest.sig"}
        problems.extend(f"{n} is not listed in the manifest" for n in sorted(extra))
    return problems
