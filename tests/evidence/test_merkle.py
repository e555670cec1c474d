"""app.evidence.merkle against the RFC 6962 reference vectors (the inputs and hashes of the certificate-transparency
reference implementation's tests), and what a verifier must refuse: a changed leaf, root, proof, size or index, and
malformed hashes."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.evidence import merkle

INPUTS = [bytes.fromhex(h) for h in
          ("", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f")]
LEAVES = [merkle.leaf_hash(e) for e in INPUTS]
ROOTS = [bytes.fromhex(h) for h in (
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",  # the empty tree
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
)]
H = {  # the interior nodes the reference proofs are made of
    "leaf0": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "leaf1": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "leaf4": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "n01": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "n23": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "n45": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "n67": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "n0-3": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "n4-7": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
}
# (0-based leaf index, tree size, audit path)
INCLUSION = [
    (0, 1, []),
    (0, 8, ["leaf1", "n23", "n4-7"]),
    (5, 8, ["leaf4", "n67", "n0-3"]),
    (2, 3, ["n01"]),
    (1, 5, ["leaf0", "n23", "leaf4"]),
]
# (old size, new size, proof)
CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["leaf1", "n23", "n4-7"]),
    (6, 8, ["n45", "n67", "n0-3"]),
    (2, 5, ["n23", "leaf4"]),
]


def _path(names: list[str]) -> list[bytes]:
    return [bytes.fromhex(H[n]) for n in names]


def _flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_leaf_and_node_hashes_are_domain_separated() -> None:
    assert merkle.leaf_hash(b"") == bytes.fromhex(H["leaf0"])
    assert merkle.leaf_hash(b"\x00") == bytes.fromhex(H["leaf1"])
    assert merkle.node_hash(LEAVES[0], LEAVES[1]) == bytes.fromhex(H["n01"])
    # a node is not a leaf over the concatenation (the second-preimage defence of RFC 6962 §2.1)
    assert merkle.leaf_hash(LEAVES[0] + LEAVES[1]) != merkle.node_hash(LEAVES[0], LEAVES[1])
    assert hashlib.sha256(b"").digest() == merkle.EMPTY_ROOT


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_reference(size: int) -> None:
    assert merkle.root_from_leaf_hashes(LEAVES[:size]) == ROOTS[size]


def _reference_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 §2.1's recursive definition, to check the iterative fold on other sizes."""
    if not leaves:
        return merkle.EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return merkle.node_hash(_reference_root(leaves[:k]), _reference_root(leaves[k:]))


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=70))
def test_the_iterative_root_is_the_recursive_definition(n: int) -> None:
    leaves = [merkle.leaf_hash(i.to_bytes(2, "big")) for i in range(n)]
    assert merkle.root_from_leaf_hashes(leaves) == _reference_root(leaves)


@pytest.mark.parametrize(("index", "size", "names"), INCLUSION)
def test_inclusion_proofs_match_the_reference(index: int, size: int, names: list[str]) -> None:
    proof = merkle.inclusion_proof(index, LEAVES[:size])
    assert proof == _path(names)
    assert merkle.verify_inclusion(index, size, LEAVES[index], proof, ROOTS[size])


@pytest.mark.parametrize(("index", "size", "names"), [v for v in INCLUSION if v[2]])
def test_inclusion_tampering_is_refused(index: int, size: int, names: list[str]) -> None:
    proof, leaf, root = _path(names), LEAVES[index], ROOTS[size]
    assert not merkle.verify_inclusion(index, size, _flip(leaf), proof, root)
    assert not merkle.verify_inclusion(index, size, leaf, proof, _flip(root))
    for i in range(len(proof)):
        assert not merkle.verify_inclusion(index, size, leaf, [*proof[:i], _flip(proof[i]), *proof[i + 1:]], root)
    assert not merkle.verify_inclusion(index, size, leaf, proof[:-1], root)  # truncated
    assert not merkle.verify_inclusion(index, size, leaf, [*proof, proof[-1]], root)  # extended
    if len(proof) > 1:
        assert not merkle.verify_inclusion(index, size, leaf, proof[::-1], root)  # reordered
    assert not merkle.verify_inclusion(index ^ 1, size, leaf, proof, root)  # another position
    assert not merkle.verify_inclusion(index, size * 2, leaf, proof, root)  # a size the path does not fit
    assert not merkle.verify_inclusion(-1, size, leaf, proof, root)
    assert not merkle.verify_inclusion(size, size, leaf, proof, root)


def test_inclusion_refuses_malformed_hashes() -> None:
    assert not merkle.verify_inclusion(0, 1, b"", [], b"")  # an empty leaf "matching" an empty root
    assert not merkle.verify_inclusion(0, 1, b"\x00" * 31, [], b"\x00" * 31)
    assert not merkle.verify_inclusion(0, 1, LEAVES[0] + b"\x00", [], LEAVES[0] + b"\x00")
    assert not merkle.verify_inclusion(0, 2, LEAVES[0], [b""], merkle.node_hash(LEAVES[0], b""))
    assert merkle.verify_inclusion(0, 1, LEAVES[0], [], ROOTS[1])


def test_inclusion_proof_of_every_leaf_of_odd_trees() -> None:
    for size in range(1, 20):
        leaves = [merkle.leaf_hash(bytes([i])) for i in range(size)]
        root = merkle.root_from_leaf_hashes(leaves)
        for i in range(size):
            assert merkle.verify_inclusion(i, size, leaves[i], merkle.inclusion_proof(i, leaves), root)
    with pytest.raises(ValueError):
        merkle.inclusion_proof(3, LEAVES[:3])


@pytest.mark.parametrize(("old", "new", "names"), CONSISTENCY)
def test_consistency_proofs_match_the_reference(old: int, new: int, names: list[str]) -> None:
    proof = merkle.consistency_proof(old, LEAVES[:new])
    assert proof == _path(names)
    assert merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof)


@pytest.mark.parametrize(("old", "new", "names"), [v for v in CONSISTENCY if v[2]])
def test_consistency_tampering_is_refused(old: int, new: int, names: list[str]) -> None:
    proof = _path(names)
    assert not merkle.verify_consistency(old, new, _flip(ROOTS[old]), ROOTS[new], proof)
    assert not merkle.verify_consistency(old, new, ROOTS[old], _flip(ROOTS[new]), proof)
    for i in range(len(proof)):
        assert not merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new],
                                             [*proof[:i], _flip(proof[i]), *proof[i + 1:]])
    assert not merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof[:-1])
    assert not merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], [*proof, proof[-1]])
    assert not merkle.verify_consistency(old, new, ROOTS[old], ROOTS[new], proof[::-1])
    assert not merkle.verify_consistency(old + 1, new, ROOTS[old], ROOTS[new], proof)
    assert not merkle.verify_consistency(new, old, ROOTS[new], ROOTS[old], proof)  # a shrunken tree
    # a history rewritten before the old size: the new tree's root over a changed first leaf
    rewritten = [_flip(LEAVES[0]), *LEAVES[1:new]]
    assert not merkle.verify_consistency(old, new, ROOTS[old], merkle.root_from_leaf_hashes(rewritten), proof)


def test_consistency_edge_cases() -> None:
    assert merkle.verify_consistency(3, 3, ROOTS[3], ROOTS[3], [])
    assert not merkle.verify_consistency(3, 3, ROOTS[3], ROOTS[3], [ROOTS[3]])  # same size: no proof allowed
    assert not merkle.verify_consistency(3, 3, ROOTS[3], ROOTS[4], [])
    assert not merkle.verify_consistency(0, 8, merkle.EMPTY_ROOT, ROOTS[8], [])
    assert not merkle.verify_consistency(4, 8, ROOTS[4], ROOTS[8], [])  # a power of two still needs a path
    assert not merkle.verify_consistency(1, 1, b"", b"", [])
    assert not merkle.verify_consistency(2, 5, ROOTS[2], ROOTS[5], [b"", bytes.fromhex(H["leaf4"])])
    for bad in (0, -1, 9):
        with pytest.raises(ValueError):
            merkle.consistency_proof(bad, LEAVES)


def test_consistency_between_every_pair_of_sizes() -> None:
    leaves = [merkle.leaf_hash(bytes([i])) for i in range(17)]
    roots = [merkle.root_from_leaf_hashes(leaves[:n]) for n in range(18)]
    for new in range(1, 18):
        for old in range(1, new + 1):
            proof = merkle.consistency_proof(old, leaves[:new])
            assert merkle.verify_consistency(old, new, roots[old], roots[new], proof), (old, new)
            if old < new:
                assert not merkle.verify_consistency(old, new, roots[old - 1] if old > 1 else _flip(roots[1]),
                                                     roots[new], proof), (old, new)
