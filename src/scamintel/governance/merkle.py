"""The Merkle tree of RFC 9162 (Certificate Transparency version 2.0, §2.1) over the audit
log's entry hashes: the tree head a node signs, and the consistency proofs that show a later
tree extends an earlier one without changing it.

Leaf ``i`` (from 0) is the 32 bytes of the entry hash of audit entry ``i + 1``. Pure Python and
no I/O: callers read the hashes and hand them over."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
HASH_SIZE = 32


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def leaf_hash(leaf: bytes) -> bytes:
    return _sha256(LEAF_PREFIX + leaf)


def node_hash(left: bytes, right: bytes) -> bytes:
    return _sha256(NODE_PREFIX + left + right)


def leaf_of(entry_hash: str) -> bytes:
    """The leaf of an entry: its hash as bytes. A stored hash that is not 64 hex digits (a
    tampered row) still makes a leaf, so the tree is built and the tampering reported."""
    try:
        data = bytes.fromhex(entry_hash)
    except ValueError:
        return entry_hash.encode("utf-8")
    return data if len(data) == HASH_SIZE else entry_hash.encode("utf-8")


def _split(n: int) -> int:
    """The largest power of two smaller than ``n`` (n > 1): where RFC 9162 splits a tree."""
    return 1 << ((n - 1).bit_length() - 1)


def tree_hash(leaves: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1, without recursion: the leaves are folded as a compact
    range (one perfect subtree per bit of ``n``), which gives the same tree."""
    accumulator = TreeAccumulator()
    for leaf in leaves:
        accumulator.append(leaf)
    return accumulator.root()


class TreeAccumulator:
    """The root of every prefix of a log in one pass: after ``append`` of the first ``m``
    leaves, ``root()`` is MTH(D[0:m]) in O(log m). Verifying many signed heads then costs
    one read of the log, not one per head."""

    __slots__ = ("_stack", "size")

    def __init__(self) -> None:
        # Roots of the perfect subtrees whose sizes are the bits of ``size``, largest first.
        self._stack: list[tuple[int, bytes]] = []
        self.size = 0

    def append(self, leaf: bytes) -> None:
        self._stack.append((1, leaf_hash(leaf)))
        self.size += 1
        while len(self._stack) >= 2 and self._stack[-1][0] == self._stack[-2][0]:
            size, right = self._stack.pop()
            _, left = self._stack.pop()
            self._stack.append((size * 2, node_hash(left, right)))

    def root(self) -> bytes:
        if not self._stack:
            return _sha256(b"")  # MTH({}) = HASH()
        # RFC 9162 splits at the largest power of two, so the right side is folded first.
        root = self._stack[-1][1]
        for _, left in reversed(self._stack[:-1]):
            root = node_hash(left, root)
        return root


def consistency_proof(first: int, leaves: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]) of RFC 9162 §2.1.4.1 for ``m = first`` and ``n = len(leaves)``: the
    subtree hashes that let a verifier holding MTH(D[0:m]) compute MTH(D[n]). Empty when
    ``m == n`` (the two trees are equal)."""
    n = len(leaves)
    if not 1 <= first <= n:
        raise ValueError(f"a consistency proof needs 1 <= first <= {n}, got first={first}")
    if first == n:
        return []
    return _subproof(first, leaves, 0, n, complete=True)


def _subproof(
    m: int, leaves: Sequence[bytes], start: int, end: int, *, complete: bool
) -> list[bytes]:
    """SUBPROOF(m, D[start:end], b): ``complete`` is b, true while the first tree is a whole
    subtree of the one being proved (its root is then known to the verifier already)."""
    n = end - start
    if m == n:
        return [] if complete else [tree_hash(leaves[start:end])]
    k = _split(n)
    if m <= k:
        return [
            *_subproof(m, leaves, start, start + k, complete=complete),
            tree_hash(leaves[start + k : end]),
        ]
    return [
        *_subproof(m - k, leaves, start + k, end, complete=False),
        tree_hash(leaves[start : start + k]),
    ]


def verify_consistency(
    first: int, second: int, first_root: bytes, second_root: bytes, proof: Iterable[bytes]
) -> bool:
    """Whether ``proof`` shows that the tree of size ``second`` with root ``second_root``
    extends the tree of size ``first`` with root ``first_root`` (RFC 9162 §2.1.4.2)."""
    path = list(proof)
    if not 1 <= first <= second:
        return False
    if first == second:
        # Equal sizes: the proof is empty and the two roots are the same tree.
        return not path and first_root == second_root
    if not path:
        return False
    # A first tree that is a whole subtree (power-of-two size) is the proof's first node.
    if first & (first - 1) == 0:
        path.insert(0, first_root)
    fn, sn = first - 1, second - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr = node_hash(c, fr)
            sr = node_hash(c, sr)
            if not fn & 1:
                while fn != 0 and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == first_root and sr == second_root and sn == 0


def consistency_ranges(first: int, second: int) -> list[tuple[int, int]]:
    """The leaf ranges ``[start, end)`` whose MTH make PROOF(first, D[second]), in proof
    order: the same recursion as ``consistency_proof``, without the leaves. The ranges do not
    overlap, so the proof can be computed in one pass over the leaves (``streamed_proof``)."""
    if not 1 <= first <= second:
        raise ValueError(f"a consistency proof needs 1 <= first <= {second}, got first={first}")
    if first == second:
        return []
    return _subranges(first, 0, second, complete=True)


def _subranges(m: int, start: int, end: int, *, complete: bool) -> list[tuple[int, int]]:
    n = end - start
    if m == n:
        return [] if complete else [(start, end)]
    k = _split(n)
    if m <= k:
        return [*_subranges(m, start, start + k, complete=complete), (start + k, end)]
    return [*_subranges(m - k, start + k, end, complete=False), (start, start + k)]


def streamed_proof(
    first: int, second: int, leaves: Iterable[bytes]
) -> tuple[bytes, bytes, list[bytes]]:
    """MTH(D[0:first]), MTH(D[0:second]) and PROOF(first, D[second]) from the first
    ``second`` leaves read once, in order, holding O(log n) hashes instead of every leaf: a
    partner asking for a proof over a large log costs the node a read, not its memory."""
    ranges = consistency_ranges(first, second)
    hashes: dict[tuple[int, int], bytes] = {}
    pending = sorted(ranges)
    prefix = TreeAccumulator()
    current: TreeAccumulator | None = None
    first_root = b""
    for index, leaf in enumerate(leaves):
        if index >= second:
            break
        prefix.append(leaf)
        if prefix.size == first:
            first_root = prefix.root()
        if pending and pending[0][0] <= index:
            current = current or TreeAccumulator()
            current.append(leaf)
            if index + 1 == pending[0][1]:
                hashes[pending.pop(0)] = current.root()
                current = None
    if prefix.size != second:
        raise ValueError(f"{second} leaves were needed, {prefix.size} were given")
    return first_root, prefix.root(), [hashes[item] for item in ranges]
