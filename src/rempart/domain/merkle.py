"""A Merkle tree over the audit log in the manner of Certificate Transparency (RFC 9162, section 2.1).

Pure functions, no storage. Hashing with distinct prefixes so that a leaf can never pass for a node:

    leaf hash  = SHA-256(0x00 || leaf data)
    node hash  = SHA-256(0x01 || left || right)
    MTH({})    = SHA-256("")

The leaf data of audit event #seq is the event's canonical body (`AuditEvent.body()`: the
length-prefixed seq, id, type, actor, time, subject and payload hash), i.e. the same bytes the hash
chain covers, and leaf index = seq - 1. The Merkle tree is thus independent of the chain's
`prev_hash` links: a proof is checked from the event's own fields.

Stored trees are addressed by *perfect subtrees*: node (level, index) is the hash of leaves
[index * 2**level, (index + 1) * 2**level). Every range the RFC's recursion needs decomposes into
such nodes, so a store that keeps them answers any proof in O(log n) look-ups.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

EMPTY_ROOT = hashlib.sha256(b"").digest()

_sha256 = hashlib.sha256

NodeLookup = Callable[[int, int], bytes]
"""(level, index) -> the hash of that perfect subtree."""


def leaf_hash(data: bytes) -> bytes:
    return _sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


# --- whole trees in memory ------------------------------------------------------------------------


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """MTH of a list of leaf hashes (RFC 9162 2.1.1)."""
    acc = CompactRange()
    for h in leaves:
        acc.append(h)
    return acc.root()


class CompactRange:
    """The right edge of a growing tree: one perfect subtree per set bit of the size.

    Appending is amortised O(1) hashes; `root()` folds the (at most log n) subtrees. Used to
    recompute the root of every checkpointed prefix in one pass over the log.
    """

    __slots__ = ("_nodes", "size")

    def __init__(self) -> None:
        self._nodes: list[bytes] = []  # perfect subtree hashes, largest (leftmost) first
        self.size = 0

    def append(self, leaf: bytes) -> list[tuple[int, int, bytes]]:
        """Add a leaf hash; return the perfect nodes it completed as (level, index, hash), leaf first."""
        made = [(0, self.size, leaf)]
        h = leaf
        n = self.size
        level = 0
        nodes = self._nodes
        while n & 1:
            h = node_hash(nodes.pop(), h)
            n >>= 1
            level += 1
            made.append((level, self.size >> level, h))
        nodes.append(h)
        self.size += 1
        return made

    def append_fast(self, leaf: bytes) -> None:
        """`append` without reporting the nodes made (the hot path of verification)."""
        h = leaf
        n = self.size
        nodes = self._nodes
        while n & 1:
            h = _sha256(b"\x01" + nodes.pop() + h).digest()
            n >>= 1
        nodes.append(h)
        self.size += 1

    def root(self) -> bytes:
        if not self._nodes:
            return EMPTY_ROOT
        h = self._nodes[-1]
        for left in reversed(self._nodes[:-1]):
            h = node_hash(left, h)
        return h

    def frontier(self) -> list[tuple[int, int]]:
        """(level, index) of the perfect subtrees currently held, largest first."""
        return perfect_decomposition(0, self.size)

    @classmethod
    def restore(cls, size: int, lookup: NodeLookup) -> CompactRange:
        """Rebuild the right edge of a stored tree of `size` leaves from its perfect nodes."""
        acc = cls()
        acc._nodes = [lookup(level, index) for level, index in perfect_decomposition(0, size)]
        acc.size = size
        return acc


@dataclass(frozen=True, slots=True)
class MemoryTree:
    """Every perfect node of a tree held in memory: levels[l][i] = node (l, i). For tests and tools."""

    levels: tuple[tuple[bytes, ...], ...]

    @classmethod
    def from_leaf_hashes(cls, leaves: Iterable[bytes]) -> MemoryTree:
        levels: list[list[bytes]] = [list(leaves)]
        while len(levels[-1]) > 1:
            below = levels[-1]
            levels.append([node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)])
        return cls(tuple(tuple(lv) for lv in levels))

    @property
    def size(self) -> int:
        return len(self.levels[0]) if self.levels else 0

    def node(self, level: int, index: int) -> bytes:
        return self.levels[level][index]

    def root(self, size: int | None = None) -> bytes:
        return range_hash(0, self.size if size is None else size, self.node)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        return inclusion_proof(index, self.size if size is None else size, self.node)

    def consistency_proof(self, first: int, second: int | None = None) -> list[bytes]:
        return consistency_proof(first, self.size if second is None else second, self.node)


# --- ranges and perfect nodes ---------------------------------------------------------------------


def perfect_decomposition(start: int, end: int) -> list[tuple[int, int]]:
    """The perfect subtrees (level, index) that make up MTH(D[start:end]), left to right.

    Valid for every range the RFC's recursion produces (start is a multiple of a power of two at
    least as large as the first subtree), which includes every [0, n).
    """
    out: list[tuple[int, int]] = []
    pos = start
    while pos < end:
        remaining = end - pos
        level = remaining.bit_length() - 1
        # The subtree must also be aligned at pos.
        if pos:
            level = min(level, (pos & -pos).bit_length() - 1)
        out.append((level, pos >> level))
        pos += 1 << level
    return out


def range_hash(start: int, end: int, lookup: NodeLookup) -> bytes:
    """MTH(D[start:end]) from stored perfect nodes: the right-to-left fold of the decomposition."""
    if end <= start:
        return EMPTY_ROOT
    parts = perfect_decomposition(start, end)
    h = lookup(*parts[-1])
    for level, index in reversed(parts[:-1]):
        h = node_hash(lookup(level, index), h)
    return h


def inclusion_ranges(index: int, size: int) -> list[tuple[int, int]]:
    """The ranges whose MTH form PATH(index, D[0:size]) (RFC 9162 2.1.3.1), leaf side first."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is outside a tree of size {size}")
    out: list[tuple[int, int]] = []
    start, end, m = 0, size, index
    while end - start > 1:
        k = _split(end - start)
        if m < k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
            m -= k
    out.reverse()
    return out


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The ranges whose MTH form PROOF(first, D[0:second]) (RFC 9162 2.1.4.1), in proof order."""
    if not 0 <= first <= second:
        raise ValueError(f"no consistency proof from size {first} to size {second}")
    if first in (0, second):
        return []
    out: list[tuple[int, int]] = []
    start, end, m, b = 0, second, first, True
    while True:
        n = end - start
        if m == n:
            if not b:
                out.append((start, end))
            break
        k = _split(n)
        if m <= k:
            out.append((start + k, end))
            end = start + k
        else:
            out.append((start, start + k))
            start += k
            m -= k
            b = False
    out.reverse()
    return out


def nodes_needed(ranges: Iterable[tuple[int, int]]) -> set[tuple[int, int]]:
    """Every perfect node a list of ranges needs (to fetch them from a store in one query)."""
    need: set[tuple[int, int]] = set()
    for start, end in ranges:
        need.update(perfect_decomposition(start, end))
    return need


def inclusion_proof(index: int, size: int, lookup: NodeLookup) -> list[bytes]:
    return [range_hash(s, e, lookup) for s, e in inclusion_ranges(index, size)]


def consistency_proof(first: int, second: int, lookup: NodeLookup) -> list[bytes]:
    return [range_hash(s, e, lookup) for s, e in consistency_ranges(first, second)]


# --- verification (RFC 9162 2.1.3.2 and 2.1.4.2) --------------------------------------------------


def root_from_inclusion_proof(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes | None:
    """The root an inclusion proof implies, or None if the proof has the wrong shape."""
    if not 0 <= index < size:
        return None
    fn, sn, r = index, size - 1, leaf
    for p in path:
        if sn == 0:
            return None
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        return None
    return r


def verify_inclusion(index: int, size: int, leaf: bytes, path: Sequence[bytes], root: bytes) -> bool:
    return root_from_inclusion_proof(index, size, leaf, path) == root


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, path: Sequence[bytes]
) -> bool:
    if not 0 <= first <= second:
        return False
    if first == second:
        return not path and first_root == second_root
    if first == 0:
        return not path and first_root == EMPTY_ROOT
    proof = list(path)
    if first & (first - 1) == 0:  # a power of two: the old root is itself a node of the new tree
        proof.insert(0, first_root)
    if not proof:
        return False
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = proof[0]
    for c in proof[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while not fn & 1 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return sn == 0 and fr == first_root and sr == second_root
