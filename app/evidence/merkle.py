"""RFC 6962 / RFC 9162 Merkle tree hashing with inclusion and consistency proofs."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence


def leaf_hash(entry: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


EMPTY_ROOT = hashlib.sha256(b"").digest()
HASH_SIZE = 32


def _well_formed(*hashes: bytes) -> bool:
    """Every hash a verifier is handed is 32 bytes: an empty or short value never matches by accident."""
    return all(isinstance(h, bytes) and len(h) == HASH_SIZE for h in hashes)


def _split(n: int) -> int:
    """Largest power of two strictly smaller than n (n >= 2)."""
    k = 1
    while k << 1 < n:
        k <<= 1
    return k


def root_from_leaf_hashes(leaves: Sequence[bytes]) -> bytes:
    """Merkle Tree Hash over already-hashed leaves, computed bottom-up in O(n)."""
    if not leaves:
        return EMPTY_ROOT
    # A stack-based fold that yields the same tree shape as the recursive RFC definition.
    stack: list[tuple[int, bytes]] = []  # (subtree size, hash)
    for h in leaves:
        size, cur = 1, h
        while stack and stack[-1][0] == size:
            s, left = stack.pop()
            cur = node_hash(left, cur)
            size += s
        stack.append((size, cur))
    size, cur = stack.pop()
    while stack:
        _, left = stack.pop()
        cur = node_hash(left, cur)
    return cur


def prefix_roots(leaves: Sequence[bytes], sizes: set[int]) -> dict[int, bytes]:
    """The Merkle Tree Hash of the first ``n`` leaves for every ``n`` in ``sizes`` (0 < n <= len(leaves)), in one
    pass: O(len(leaves) + len(sizes) * log len(leaves)), whatever the number of sizes."""
    out: dict[int, bytes] = {}
    stack: list[tuple[int, bytes]] = []
    for count, h in enumerate(leaves, start=1):
        size, cur = 1, h
        while stack and stack[-1][0] == size:
            s, left = stack.pop()
            cur = node_hash(left, cur)
            size += s
        stack.append((size, cur))
        if count in sizes:
            root = stack[-1][1]
            for _, left in reversed(stack[:-1]):
                root = node_hash(left, root)
            out[count] = root
    return out


def inclusion_proof(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Audit path for leaf ``index`` in the tree over ``leaves`` (leaf hashes)."""
    n = len(leaves)
    if not 0 <= index < n:
        raise ValueError("leaf index out of range")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaves[:k]), root_from_leaf_hashes(leaves[k:])]
    return [*inclusion_proof(index - k, leaves[k:]), root_from_leaf_hashes(leaves[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], root: bytes) -> bool:
    """RFC 9162 §2.1.3.2 inclusion verification; malformed hashes (empty, short, long) are refused."""
    if not 0 <= index < size or not _well_formed(leaf, root, *proof):
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            r = node_hash(r, p)
        fn >>= 1
        sn >>= 1
    return sn == 0 and r == root


def consistency_proof(old_size: int, leaves: Sequence[bytes]) -> list[bytes]:
    """Proof that the tree of the first ``old_size`` leaves is a prefix of the tree over ``leaves``."""
    n = len(leaves)
    if not 0 < old_size <= n:
        raise ValueError("old size out of range")
    return _subproof(old_size, leaves, True)


def _subproof(m: int, leaves: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root_from_leaf_hashes(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, leaves[:k], complete), root_from_leaf_hashes(leaves[k:])]
    return [*_subproof(m - k, leaves[k:], False), root_from_leaf_hashes(leaves[:k])]


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 §2.1.4.2 consistency verification; malformed hashes (empty, short, long) are refused."""
    if not 0 < old_size <= new_size or not _well_formed(old_root, new_root, *proof):
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is a node of the new tree
        path = [old_root, *path]
    if not path:
        return False
    fn, sn = old_size - 1, new_size - 1
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
                while fn and not fn & 1:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = node_hash(sr, c)
        fn >>= 1
        sn >>= 1
    return fr == old_root and sr == new_root and sn == 0
