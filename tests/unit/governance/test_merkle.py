"""The RFC 9162 Merkle tree: roots, consistency proofs and their verification."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scamintel.governance.merkle import (
    TreeAccumulator,
    consistency_proof,
    leaf_of,
    streamed_proof,
    tree_hash,
    verify_consistency,
)

# The test vectors of Certificate Transparency's reference implementation (RFC 6962 trees are
# built the same way as RFC 9162's).
CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
MAX = 70


def leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(str(i).encode()).digest() for i in range(n)]


def reference_root(items: list[bytes]) -> bytes:
    """MTH as RFC 9162 §2.1.1 writes it, recursively."""
    if not items:
        return hashlib.sha256(b"").digest()
    if len(items) == 1:
        return hashlib.sha256(b"\x00" + items[0]).digest()
    k = 1
    while k * 2 < len(items):
        k *= 2
    return hashlib.sha256(b"\x01" + reference_root(items[:k]) + reference_root(items[k:])).digest()


ALL = leaves(MAX)
ROOTS = [tree_hash(ALL[:n]) for n in range(MAX + 1)]


def test_roots_match_certificate_transparency_test_vectors() -> None:
    assert [tree_hash(CT_LEAVES[:n]).hex() for n in range(1, 9)] == CT_ROOTS


def test_the_first_ct_proof_matches_the_reference() -> None:
    assert [p.hex()[:8] for p in consistency_proof(1, CT_LEAVES)] == [
        "96a296d2",
        "5f083f0a",
        "6b47aaf2",
    ]


def test_the_accumulator_gives_the_root_of_every_prefix() -> None:
    accumulator = TreeAccumulator()
    assert accumulator.root() == reference_root([])
    for n, leaf in enumerate(ALL, start=1):
        accumulator.append(leaf)
        assert accumulator.root() == reference_root(ALL[:n]) == ROOTS[n]


def test_every_pair_of_sizes_up_to_70_verifies() -> None:
    for n in range(1, MAX + 1):
        for m in range(1, n + 1):
            proof = consistency_proof(m, ALL[:n])
            assert verify_consistency(m, n, ROOTS[m], ROOTS[n], proof), (m, n)


def test_a_wrong_root_fails_for_every_pair() -> None:
    bad = hashlib.sha256(b"not a root").digest()
    for n in range(1, MAX + 1):
        for m in range(1, n + 1):
            proof = consistency_proof(m, ALL[:n])
            assert not verify_consistency(m, n, bad, ROOTS[n], proof)
            assert not verify_consistency(m, n, ROOTS[m], bad, proof)


@given(st.integers(1, MAX), st.data())
def test_a_changed_leaf_in_the_first_tree_fails(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(1, n))
    index = data.draw(st.integers(0, m - 1))
    changed = list(ALL[:n])
    changed[index] = hashlib.sha256(b"changed").digest()
    # The log as it is now (changed) cannot prove that it extends the head signed before.
    proof = consistency_proof(m, changed)
    assert not verify_consistency(m, n, ROOTS[m], tree_hash(changed), proof)


@given(st.integers(2, MAX), st.data())
def test_a_removed_or_reordered_leaf_fails(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(2, n))
    index = data.draw(st.integers(0, m - 2))
    removed = ALL[:index] + ALL[index + 1 : n]
    if m <= len(removed):
        proof = consistency_proof(m, removed)
        assert not verify_consistency(m, len(removed), ROOTS[m], tree_hash(removed), proof)
    swapped = list(ALL[:n])
    swapped[index], swapped[index + 1] = swapped[index + 1], swapped[index]
    proof = consistency_proof(m, swapped)
    assert not verify_consistency(m, n, ROOTS[m], tree_hash(swapped), proof)


@given(st.integers(1, MAX), st.data())
def test_a_changed_proof_fails(n: int, data: st.DataObject) -> None:
    m = data.draw(st.integers(1, n))
    proof = consistency_proof(m, ALL[:n])
    if not proof:
        assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], [ROOTS[m]])
        return
    index = data.draw(st.integers(0, len(proof) - 1))
    proof[index] = hashlib.sha256(proof[index]).digest()
    assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof)
    assert not verify_consistency(m, n, ROOTS[m], ROOTS[n], proof[:-1])


def test_sizes_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="1 <= first"):
        consistency_proof(0, ALL[:3])
    with pytest.raises(ValueError, match="1 <= first"):
        consistency_proof(4, ALL[:3])
    assert not verify_consistency(3, 2, ROOTS[3], ROOTS[2], [])


def test_a_stored_hash_that_is_not_hex_still_makes_a_leaf() -> None:
    assert leaf_of("ab" * 32) == bytes.fromhex("ab" * 32)
    assert leaf_of("not hex") == b"not hex"


def test_the_streamed_proof_is_the_recursive_one_for_every_pair_up_to_70() -> None:
    """One pass over the leaves (as the database hands them out) gives the same roots and
    proof as the recursion over all leaves in memory."""
    leaves = [hashlib.sha256(str(i).encode()).digest() for i in range(70)]
    for n in range(1, 71):
        for m in range(1, n + 1):
            first_root, second_root, proof = streamed_proof(m, n, iter(leaves))
            assert first_root == tree_hash(leaves[:m])
            assert second_root == tree_hash(leaves[:n])
            assert proof == consistency_proof(m, leaves[:n])


def test_the_streamed_proof_needs_every_leaf() -> None:
    with pytest.raises(ValueError, match="5 leaves were needed, 4"):
        streamed_proof(2, 5, iter([b"a", b"b", b"c", b"d"]))
