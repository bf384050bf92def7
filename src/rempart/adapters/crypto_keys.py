"""The provider's Ed25519 signing key, kept in `settings.key_dir` (never in the repository).

Created on first use: `signing_key.pem` (PKCS#8, mode 0600, directory mode 0700) and
`public_key.pem` beside it, which is what the provider publishes. Implements the domain's
`Signer` port.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from rempart.domain.checkpoints import key_id_of
from rempart.errors import InputError

PRIVATE_NAME = "signing_key.pem"
PUBLIC_NAME = "public_key.pem"


@dataclass(frozen=True)
class ProviderKey:
    private: Ed25519PrivateKey
    directory: Path

    def sign(self, message: bytes) -> bytes:
        return self.private.sign(message)

    def public_key_bytes(self) -> bytes:
        return self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )

    @property
    def key_id(self) -> str:
        return key_id_of(self.public_key_bytes())

    def public_pem(self) -> str:
        return public_pem(self.public_key_bytes())

    @property
    def public_path(self) -> Path:
        return self.directory / PUBLIC_NAME


def load_or_create(key_dir: Path) -> ProviderKey:
    """The provider's key; generated (and its public half exported) the first time."""
    key_dir = Path(key_dir)
    priv_path = key_dir / PRIVATE_NAME
    if priv_path.exists():
        data = priv_path.read_bytes()
        key = serialization.load_pem_private_key(data, password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise InputError(
                "the signing key is not an Ed25519 key", file=str(priv_path), expected="Ed25519 PKCS#8 PEM"
            )
        pk = ProviderKey(key, key_dir)
    else:
        key_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(key_dir, 0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        # Create with 0600 from the start (no window where the key is world-readable).
        fd = os.open(priv_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(pem)
        pk = ProviderKey(key, key_dir)
    pub = key_dir / PUBLIC_NAME
    if not pub.exists() or pub.read_text() != pk.public_pem():
        pub.write_text(pk.public_pem())
    return pk


def public_pem(raw: bytes) -> str:
    return (
        Ed25519PublicKey.from_public_bytes(raw)
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def load_public_key(path: Path) -> bytes:
    """Raw 32-byte Ed25519 public key from a PEM file."""
    from rempart.verifier import parse_public_key

    return parse_public_key(Path(path).read_bytes(), source=str(path))
