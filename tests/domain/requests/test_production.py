"""A produced package never holds a field of an unapproved category, a record outside the date range,
or another customer's data (property-based, over generated records and requests)."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.domain.requests.model import CATEGORIES, DateRange
from rempart.domain.requests.production import (
    DATE_FIELDS,
    FIELD_CATEGORIES,
    KEY,
    Scope,
    build_package,
    verify_package,
)


class KeySigner:
    def __init__(self) -> None:
        self.key = Ed25519PrivateKey.generate()

    def sign(self, message: bytes) -> bytes:
        return self.key.sign(message)

    def public_key_bytes(self) -> bytes:
        return self.key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


CUSTOMERS = ["c1", "c2", "c3", "c4"]
BASE = date(2024, 1, 1)
days = st.integers(min_value=0, max_value=1000)
text = st.text(alphabet='abcxyz019 ,"\n', max_size=12)


@st.composite
def records(draw: st.DrawFn) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for kind, fields in FIELD_CATEGORIES.items():
        rows = []
        for _ in range(draw(st.integers(min_value=0, max_value=6))):
            rec: dict[str, Any] = {KEY: draw(st.sampled_from(CUSTOMERS))}
            for f in fields:
                rec[f] = draw(text)
            if kind in DATE_FIELDS:
                d = BASE + timedelta(days=draw(days))
                rec[DATE_FIELDS[kind]] = (
                    d.isoformat() + "T12:00:00Z" if draw(st.booleans()) else d.isoformat()
                )
            rows.append(rec)
        out[kind] = rows
    return out


@st.composite
def scopes(draw: st.DrawFn) -> Scope:
    cats = draw(st.sets(st.sampled_from(CATEGORIES), min_size=1))
    ids = draw(st.sets(st.sampled_from(CUSTOMERS), min_size=1, max_size=2))
    a, b = sorted((draw(days), draw(days)))
    return Scope(
        frozenset(cats), frozenset(ids), DateRange(BASE + timedelta(days=a), BASE + timedelta(days=b))
    )


SIGNER = KeySigner()


@settings(max_examples=80, deadline=None)
@given(recs=records(), scope=scopes())
def test_package_holds_only_the_approved_scope(recs: dict[str, list[dict[str, Any]]], scope: Scope) -> None:
    pkg = build_package(recs, scope, {"request_id": "rq_test"}, SIGNER, "kid")
    assert verify_package(pkg.zip_bytes, SIGNER.public_key_bytes()) == []
    assert scope.date_range is not None
    with zipfile.ZipFile(io.BytesIO(pkg.zip_bytes)) as z:
        for name in z.namelist():
            if not name.endswith(".json") or name == "manifest.json":
                continue
            kind = name[: -len(".json")]
            allowed = {f for f, c in FIELD_CATEGORIES[kind].items() if c in scope.categories}
            assert allowed, f"{kind} produced although none of its categories was approved"
            for rec in json.loads(z.read(name)):
                assert rec[KEY] in scope.customer_ids
                assert set(rec) - {KEY} <= allowed
                if kind in DATE_FIELDS and DATE_FIELDS[kind] in rec:
                    assert scope.date_range.contains(date.fromisoformat(rec[DATE_FIELDS[kind]][:10]))
            # nothing in range and in scope was left out
            expected = [
                r
                for r in recs.get(kind, [])
                if r[KEY] in scope.customer_ids
                and (
                    kind not in DATE_FIELDS
                    or scope.date_range.contains(date.fromisoformat(r[DATE_FIELDS[kind]][:10]))
                )
            ]
            assert len(json.loads(z.read(name))) == len(expected)


def test_tampering_is_detected() -> None:
    recs = {"customers": [{KEY: "c1", "name": "Alice", "email": "a@example.com"}]}
    scope = Scope(frozenset({"subscriber"}), frozenset({"c1"}), None)
    pkg = build_package(recs, scope, {"request_id": "rq"}, SIGNER, "kid")
    buf = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(pkg.zip_bytes)) as src, zipfile.ZipFile(buf, "w") as dst:
        for n in src.namelist():
            data = src.read(n)
            dst.writestr(n, data.replace(b"Alice", b"Mallory") if n == "customers.json" else data)
    problems = verify_package(buf.getvalue(), SIGNER.public_key_bytes())
    assert any("customers.json" in p for p in problems)
    other = KeySigner()
    assert any("signature" in p for p in verify_package(pkg.zip_bytes, other.public_key_bytes()))
