"""Merkle trees over audit entries, as in RFC 6962 (Certificate Transparency) §2.1.

Leaves are the entries' chain hashes; a leaf is hashed with a 0x00 prefix and an inner node
with 0x01, so no leaf can pose as a node. The tree over n leaves splits at the largest power
of two below n, which lets a checkpoint over any number of entries prove inclusion.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence


def leaf_hash(entry_hash: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + entry_hash).digest()


def leaf_hashes(entry_hashes: Iterable[bytes]) -> list[bytes]:
    """`leaf_hash` of each entry hash, in order."""
    sha256 = hashlib.sha256
    return [sha256(b"\x00" + h).digest() for h in entry_hashes]


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash of already leaf-hashed entries (MTH in RFC 6962)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    sha256 = hashlib.sha256
    level = list(leaves)
    # Bottom-up pairing gives the same tree as RFC 6962's recursive split: an odd node at the
    # end of a level is promoted unchanged. (The pairs are hashed as `node_hash` does, inline.)
    while len(level) > 1:
        nxt = [
            sha256(b"\x01" + left + right).digest()
            for left, right in zip(level[0::2], level[1::2], strict=False)
        ]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]


def inclusion_path(index: int, leaves: Sequence[bytes]) -> list[bytes]:
    """The audit path for leaf `index` (PATH in RFC 6962 §2.1.1)."""
    if len(leaves) <= 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_path(index, leaves[:k]), root(leaves[k:])]
    return [*inclusion_path(index - k, leaves[k:]), root(leaves[:k])]


def root_from_path(index: int, size: int, leaf: bytes, path: Sequence[bytes]) -> bytes:
    """Recompute the root from a leaf and its audit path (RFC 9162 §2.1.3.2)."""
    if index >= size:
        raise ValueError("leaf index outside the tree")
    fn, sn, node = index, size - 1, leaf
    for sibling in path:
        if sn == 0:
            raise ValueError("audit path too long")
        if fn % 2 == 1 or fn == sn:
            node = node_hash(sibling, node)
            if fn % 2 == 0:
                while fn % 2 == 0 and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    if sn != 0:
        raise ValueError("audit path too short")
    return node
