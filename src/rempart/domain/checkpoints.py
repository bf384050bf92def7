"""Signed tree heads ("checkpoints") of the audit log. Pure: encoding, parsing and checking.

A checkpoint says: "the log had `size` events and its Merkle root was `root_hash` at `time`",
signed with the provider's Ed25519 key. The signed message is a fixed text (in the spirit of the
C2SP checkpoint format), so that anyone can re-create it from the published JSON:

    rempart-checkpoint/v1
    <origin>
    <size>
    <root hash, hex>
    <time, ISO 8601 UTC>
    <key id>

`key_id` is the first 8 bytes (hex) of SHA-256("rempart-ed25519:" || raw public key). Signature
checking uses `cryptography`'s Ed25519 (pure computation, no I/O).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

FORMAT = "rempart-checkpoint/v1"
ORIGIN = "rempart-audit-log"
KIND = "rempart.checkpoint"


def key_id_of(public_key_raw: bytes) -> str:
    return hashlib.sha256(b"rempart-ed25519:" + public_key_raw).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class TreeHead:
    size: int
    root_hash: str  # hex
    time: str  # ISO 8601, UTC, "Z"
    key_id: str
    origin: str = ORIGIN

    def message(self) -> bytes:
        return (
            f"{FORMAT}\n{self.origin}\n{self.size}\n{self.root_hash}\n{self.time}\n{self.key_id}\n".encode()
        )


@dataclass(frozen=True, slots=True)
class Checkpoint:
    head: TreeHead
    signature: str  # base64 of the 64-byte Ed25519 signature
    id: int | None = None  # position in the provider's store (not signed)
    reason: str = ""  # why it was taken (not signed)

    @property
    def size(self) -> int:
        return self.head.size

    @property
    def root_hash(self) -> str:
        return self.head.root_hash

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "kind": KIND,
            "origin": self.head.origin,
            "size": self.head.size,
            "root_hash": self.head.root_hash,
            "time": self.head.time,
            "key_id": self.head.key_id,
            "signature": self.signature,
        }
        if self.id is not None:
            d["id"] = self.id
        if self.reason:
            d["reason"] = self.reason
        return d

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Checkpoint:
        """Parse a published checkpoint; raises ValueError naming the bad field."""
        try:
            size = d["size"]
            if not isinstance(size, int) or isinstance(size, bool) or size < 0:
                raise ValueError(f"checkpoint field 'size' must be a non-negative integer, got {size!r}")
            root = str(d["root_hash"])
            if len(root) != 64 or any(c not in "0123456789abcdef" for c in root):
                raise ValueError("checkpoint field 'root_hash' must be 64 lowercase hex digits")
            head = TreeHead(size, root, str(d["time"]), str(d["key_id"]), str(d.get("origin", ORIGIN)))
            cid = d.get("id")
            return cls(
                head, str(d["signature"]), int(cid) if cid is not None else None, str(d.get("reason", ""))
            )
        except KeyError as exc:
            raise ValueError(f"checkpoint is missing the field {exc.args[0]!r}") from None


def sign_head(head: TreeHead, signature: bytes) -> Checkpoint:
    return Checkpoint(head, base64.b64encode(signature).decode())


def signature_problem(cp: Checkpoint, public_key_raw: bytes) -> str | None:
    """None if `cp` is signed by this key; otherwise what is wrong, in words."""
    expected = key_id_of(public_key_raw)
    try:
        sig = base64.b64decode(cp.signature, validate=True)
    except (binascii.Error, ValueError):
        return "signature is not valid base64 (forged or corrupted checkpoint)"
    try:
        Ed25519PublicKey.from_public_bytes(public_key_raw).verify(sig, cp.head.message())
    except InvalidSignature:
        if cp.head.key_id != expected:
            return (
                f"signed by another key (key id {cp.head.key_id}, the provider's key is {expected}): "
                "forged or re-signed checkpoint"
            )
        return "signature does not verify under the provider's key (forged or altered checkpoint)"
    if cp.head.key_id != expected:
        return f"key id {cp.head.key_id} does not match the signing key {expected}"
    return None


def rollback_problems(checkpoints: Iterable[Checkpoint]) -> list[tuple[Checkpoint, str]]:
    """Checkpoints must only move forward: each one at least as large and no older than those before."""
    out: list[tuple[Checkpoint, str]] = []
    best: Checkpoint | None = None
    for cp in checkpoints:
        if best is not None:
            if cp.size < best.size:
                out.append(
                    (
                        cp,
                        f"rolled back: size {cp.size} is smaller than an earlier checkpoint's "
                        f"{best.size}{_label(best)}",
                    )
                )
                continue
            if cp.head.time < best.head.time:
                out.append(
                    (
                        cp,
                        f"rolled back: time {cp.head.time} is older than an earlier checkpoint's "
                        f"{best.head.time}{_label(best)}",
                    )
                )
                continue
            if cp.size == best.size and cp.root_hash != best.root_hash:
                out.append((cp, f"two checkpoints of size {cp.size} with different roots (a forked log)"))
                continue
        best = cp
    return out


def seen_problem(latest: Checkpoint | None, seen: Checkpoint) -> str | None:
    """Compare the log's newest checkpoint with one a verifier saw before (kept outside the store)."""
    if latest is None:
        return (
            f"the log has no checkpoint, but one of size {seen.size} ({seen.head.time}) was seen before "
            "(checkpoints deleted: rolled back)"
        )
    if latest.size < seen.size or latest.head.time < seen.head.time:
        return (
            f"the newest checkpoint (size {latest.size}, {latest.head.time}) is older than one already "
            f"seen (size {seen.size}, {seen.head.time}): the log was rolled back"
        )
    return None


def _label(cp: Checkpoint) -> str:
    return f" (checkpoint #{cp.id})" if cp.id is not None else ""
