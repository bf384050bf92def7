"""The Merkle tree against RFC 9162's recursive definitions, and proofs that must fail."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rempart.domain import merkle
from rempart.domain.checkpoints import (
    Checkpoint,
    TreeHead,
    key_id_of,
    rollback_problems,
    seen_problem,
    sign_head,
    signature_problem,
)


def ref_mth(d: list[bytes]) -> bytes:
    n = len(d)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return merkle.leaf_hash(d[0])
    k = 1 << ((n - 1).bit_length() - 1)
    return merkle.node_hash(ref_mth(d[:k]), ref_mth(d[k:]))


def ref_path(m: int, d: list[bytes]) -> list[bytes]:
    n = len(d)
    if n <= 1:
        return []
    k = 1 << ((n - 1).bit_length() - 1)
    if m < k:
        return [*ref_path(m, d[:k]), ref_mth(d[k:])]
    return [*ref_path(m - k, d[k:]), ref_mth(d[:k])]


def ref_subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if b else [ref_mth(d)]
    k = 1 << ((n - 1).bit_length() - 1)
    if m <= k:
        return [*ref_subproof(m, d[:k], b), ref_mth(d[k:])]
    return [*ref_subproof(m - k, d[k:], False), ref_mth(d[:k])]


def data(n: int) -> list[bytes]:
    return [f"event {i}".encode() for i in range(n)]


def test_leaf_and_node_hashes_use_distinct_prefixes() -> None:
    assert merkle.leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert merkle.node_hash(b"a", b"b") == hashlib.sha256(b"\x01ab").digest()
    assert merkle.root_from_leaf_hashes([]) == hashlib.sha256(b"").digest()


def test_every_root_path_and_consistency_proof_up_to_40_leaves() -> None:
    for size in range(1, 41):
        d = data(size)
        tree = merkle.MemoryTree.from_leaf_hashes([merkle.leaf_hash(x) for x in d])
        root = tree.root()
        assert root == ref_mth(d)
        for m in range(size):
            path = tree.inclusion_proof(m)
            assert path == ref_path(m, d)
            assert merkle.verify_inclusion(m, size, merkle.leaf_hash(d[m]), path, root)
        for m in range(1, size):
            proof = tree.consistency_proof(m)
            assert proof == ref_subproof(m, d, True)
            assert merkle.verify_consistency(m, size, tree.root(m), root, proof)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 300), st.data())
def test_tampered_proofs_fail(size: int, draw: st.DataObject) -> None:
    d = data(size)
    tree = merkle.MemoryTree.from_leaf_hashes([merkle.leaf_hash(x) for x in d])
    root = tree.root()
    m = draw.draw(st.integers(0, size - 1))
    path = tree.inclusion_proof(m)
    leaf = merkle.leaf_hash(d[m])
    assert not merkle.verify_inclusion(m, size, merkle.leaf_hash(b"other"), path, root)
    if path:
        i = draw.draw(st.integers(0, len(path) - 1))
        bad = [*path[:i], hashlib.sha256(path[i]).digest(), *path[i + 1 :]]
        assert not merkle.verify_inclusion(m, size, leaf, bad, root)
        assert not merkle.verify_inclusion(m, size, leaf, path[:-1], root)
    first = draw.draw(st.integers(1, size - 1))
    proof = tree.consistency_proof(first)
    assert merkle.verify_consistency(first, size, tree.root(first), root, proof)
    assert not merkle.verify_consistency(first, size, merkle.leaf_hash(b"forged"), root, proof)
    assert not merkle.verify_consistency(first, size, tree.root(first), merkle.leaf_hash(b"forged"), proof)


def test_compact_range_reports_the_nodes_a_store_keeps() -> None:
    d = data(37)
    tree = merkle.MemoryTree.from_leaf_hashes([merkle.leaf_hash(x) for x in d])
    acc = merkle.CompactRange()
    for x in d:
        for level, index, h in acc.append(merkle.leaf_hash(x)):
            assert tree.node(level, index) == h
    assert acc.root() == tree.root()
    restored = merkle.CompactRange.restore(37, tree.node)
    restored.append(merkle.leaf_hash(b"next"))
    assert restored.root() == ref_mth([*d, b"next"])


def test_proof_of_an_index_outside_the_tree_is_refused() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_ranges(5, 5)


# --- checkpoints ----------------------------------------------------------------------------------


def _signed(size: int, root: str, time: str, cid: int | None = None) -> tuple[Checkpoint, bytes]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = KEY
    pub = key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    head = TreeHead(size, root, time, key_id_of(pub))
    cp = sign_head(head, key.sign(head.message()))
    assert isinstance(key, Ed25519PrivateKey)
    return Checkpoint(cp.head, cp.signature, cid), pub


from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey  # noqa: E402

KEY = Ed25519PrivateKey.generate()
ROOT = "ab" * 32


def test_checkpoint_signature_and_size() -> None:
    cp, pub = _signed(10, ROOT, "2026-01-01T00:00:00.000000Z")
    assert signature_problem(cp, pub) is None
    assert len(str(cp.to_dict()).encode()) < 1024
    other = Ed25519PrivateKey.generate()
    forged = Checkpoint(TreeHead(11, ROOT, cp.head.time, cp.head.key_id), cp.signature)
    assert "does not verify" in (signature_problem(forged, pub) or "")
    from cryptography.hazmat.primitives import serialization

    opub = other.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    head = TreeHead(10, ROOT, cp.head.time, key_id_of(opub))
    resigned = sign_head(head, other.sign(head.message()))
    assert "another key" in (signature_problem(resigned, pub) or "")
    assert Checkpoint.from_dict(cp.to_dict()) == cp


def test_rollbacks_are_named() -> None:
    a, _ = _signed(10, ROOT, "2026-01-01T00:00:00.000000Z", 1)
    b, _ = _signed(12, "cd" * 32, "2026-01-02T00:00:00.000000Z", 2)
    replay = Checkpoint(a.head, a.signature, 3)
    problems = rollback_problems([a, b, replay])
    assert len(problems) == 1 and problems[0][0].id == 3 and "rolled back" in problems[0][1]
    assert seen_problem(a, b) is not None and "rolled back" in (seen_problem(a, b) or "")
    assert seen_problem(b, a) is None
    assert seen_problem(None, a) is not None
