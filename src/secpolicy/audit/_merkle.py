"""The RFC 9162 Merkle tree over a log's record lines, and its two proofs.

Leaves are the record lines as written (without their newline):
``leaf = SHA-256(0x00 || line)``, ``node = SHA-256(0x01 || left || right)``,
and the root of the empty tree is ``SHA-256("")`` (RFC 9162, section 2.1.1).
The writer keeps a *compact range* (the roots of the perfect subtrees that
make up the tree, at most one per bit of its size) so that it can compute the
root of a growing log in O(log n) memory; :class:`MerkleTree` keeps every
level so that proofs of a 1,000,000-record log take microseconds.
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Final

from secpolicy.exceptions import InvalidArgumentError, SecPolicyError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = [
    "EMPTY_ROOT",
    "CompactRange",
    "MerkleTree",
    "PrunedRange",
    "leaf_hash",
    "node_hash",
    "verify_consistency",
    "verify_inclusion",
]

_sha256 = hashlib.sha256

_HASH_SIZE: Final = 32
#: The root of the empty tree: SHA-256 of the empty string.
EMPTY_ROOT: Final = _sha256(b"").digest()


def leaf_hash(line: bytes) -> bytes:
    """The leaf hash of one record line (its bytes without the newline)."""
    return _sha256(b"\x00" + line).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """The hash of an interior node."""
    return _sha256(b"\x01" + left + right).digest()


class CompactRange:
    """The perfect-subtree roots of the tree of the first *size* leaves.

    ``hashes[0]`` is the largest (leftmost) subtree; appending a leaf merges
    equal-sized subtrees as a binary counter carries.

    Args:
        size: The number of leaves the hashes cover.
        hashes: One hash per set bit of *size*, largest subtree first.

    Raises:
        ValueError: *hashes* does not have one hash per set bit of *size*.
    """

    __slots__ = ("hashes", "size")

    def __init__(self, size: int = 0, hashes: Sequence[bytes] = ()) -> None:
        if size < 0 or len(hashes) != size.bit_count() or any(len(h) != _HASH_SIZE for h in hashes):
            raise InvalidArgumentError(
                "a compact range needs one 32-byte hash per set bit of its size"
            )
        self.size = size
        self.hashes = list(hashes)

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        hashes = self.hashes
        size = self.size
        node = leaf
        while size & 1:
            node = _sha256(b"\x01" + hashes.pop() + node).digest()
            size >>= 1
        hashes.append(node)
        self.size += 1

    def root(self) -> bytes:
        """The tree's root hash (RFC 9162 MTH of the leaves so far)."""
        hashes = self.hashes
        if not hashes:
            return EMPTY_ROOT
        node = hashes[-1]
        for left in reversed(hashes[:-1]):
            node = _sha256(b"\x01" + left + node).digest()
        return node

    def copy(self) -> CompactRange:
        """An independent copy."""
        return CompactRange(self.size, self.hashes)

    def to_hex(self) -> list[str]:
        """The hashes as hex strings (how records carry them)."""
        return [h.hex() for h in self.hashes]

    @classmethod
    def from_hex(cls, size: int, hashes: Iterable[str]) -> CompactRange:
        """The inverse of :meth:`to_hex`.

        Raises:
            ValueError: Not hex, or not one hash per set bit of *size*.
        """
        return cls(size, [bytes.fromhex(h) for h in hashes])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CompactRange):
            return NotImplemented
        return self.size == other.size and self.hashes == other.hashes

    __hash__ = None  # type: ignore[assignment]  # mutable

    def __repr__(self) -> str:
        return f"CompactRange(size={self.size})"


def _split(n: int) -> int:
    """The largest power of two smaller than *n* (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class PrunedRange(SecPolicyError, LookupError):  # noqa: N818 (internal signal)
    """A hash the tree cannot compute: it lies inside the pruned prefix.

    Internal: :class:`~secpolicy.audit.LogTree` raises ``ProofUnavailable``.
    """


class MerkleTree:
    """Every level of the tree over a list of leaf hashes, for fast proofs.

    Level 0 holds the leaves; level *k* the roots of the aligned perfect
    subtrees of 2**k leaves. Memory is about 64 bytes per leaf.

    A tree whose first leaves were pruned starts from *prefix*, the compact
    range of the pruned leaves (the roots of its perfect subtrees): every
    hash made of whole prefix subtrees and later leaves can still be
    computed (the root of any size from the prefix on, the audit path of
    every later leaf, the consistency proof from any size from the prefix
    on); one inside a prefix subtree raises :class:`PrunedRange`.

    Args:
        leaves: The leaf hashes, in order (after the prefix).
        prefix: The compact range of the leaves before them, if pruned.
    """

    def __init__(self, leaves: Iterable[bytes] = (), *, prefix: CompactRange | None = None) -> None:
        self._begin = 0 if prefix is None else prefix.size
        # (start, end) -> hash of the prefix's perfect subtrees
        self._prefix: dict[tuple[int, int], bytes] = {}
        if prefix is not None:
            start = 0
            for bit, node in zip(
                (b for b in range(prefix.size.bit_length() - 1, -1, -1) if prefix.size >> b & 1),
                prefix.hashes,
                strict=True,
            ):
                self._prefix[start, start + (1 << bit)] = node
                start += 1 << bit
        self._levels: list[list[bytes]] = [list(leaves)]
        # The index of the first node of each level (ceil(begin / 2**level)).
        self._first: list[int] = [self._begin]
        self._build(self._begin)

    def _build(self, changed: int) -> None:
        """Complete the levels above the leaves from index *changed* on."""
        level = 0
        while True:
            below, first_below = self._levels[level], self._first[level]
            first = (first_below + 1) >> 1
            count = (first_below + len(below)) // 2 - first
            if count <= 0:
                break
            if level + 1 == len(self._levels):
                self._levels.append([])
                self._first.append(first)
            above = self._levels[level + 1]
            changed >>= 1
            keep = max(0, changed - first)
            del above[keep:]
            for index in range(
                2 * (first + keep) - first_below, 2 * (first + count) - first_below, 2
            ):
                above.append(_sha256(b"\x01" + below[index] + below[index + 1]).digest())
            level += 1

    def append(self, leaf: bytes) -> None:
        """Add one leaf hash."""
        self._levels[0].append(leaf)
        self._build(self.size - 1)

    @property
    def begin(self) -> int:
        """The index of the first leaf held (0 unless pruned)."""
        return self._begin

    @property
    def size(self) -> int:
        """The number of leaves, the pruned ones included."""
        return self._begin + len(self._levels[0])

    def leaf(self, index: int) -> bytes:
        """The leaf hash at *index*."""
        if index < self._begin:
            raise PrunedRange(index)
        return self._levels[0][index - self._begin]

    def _hash(self, start: int, end: int) -> bytes:
        """MTH of leaves ``[start, end)``; *start* is aligned to the subtree's split."""
        width = end - start
        if start < self._begin:
            node = self._prefix.get((start, end))
            if node is not None:
                return node
            if width == 1:
                raise PrunedRange(start, end)
            k = _split(width)  # a union of prefix subtrees, or a pruned leaf on its left edge
            return node_hash(self._hash(start, start + k), self._hash(start + k, end))
        if width == 1:
            return self._levels[0][start - self._begin]
        level = width.bit_length() - 1
        if width == 1 << level and start % width == 0:
            return self._levels[level][(start >> level) - self._first[level]]
        k = _split(width)
        return node_hash(self._hash(start, start + k), self._hash(start + k, end))

    def root(self, size: int | None = None) -> bytes:
        """The root of the first *size* leaves (all by default).

        Raises:
            ValueError: *size* is larger than the tree.
        """
        size = self.size if size is None else size
        if not 0 <= size <= self.size:
            raise InvalidArgumentError(f"the tree has {self.size} leaves, not {size}")
        return EMPTY_ROOT if size == 0 else self._hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        """The audit path of leaf *index* in the tree of *size* leaves (RFC 9162, 2.1.3.1).

        Raises:
            ValueError: *index* is not below *size*, or *size* exceeds the tree.
        """
        size = self.size if size is None else size
        if not 0 <= index < size <= self.size:
            raise InvalidArgumentError(f"no leaf {index} in a tree of {size} leaves")
        if index < self._begin:
            raise PrunedRange(index)
        path: list[bytes] = []
        start, end = 0, size
        while end - start > 1:
            k = _split(end - start)
            if index < start + k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
        path.reverse()
        return path

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> list[bytes]:
        """The proof that the tree of *old_size* leaves is a prefix of *new_size* (2.1.4.1).

        Raises:
            ValueError: The sizes are not ``0 <= old_size <= new_size <= size``.
        """
        new_size = self.size if new_size is None else new_size
        if not 0 <= old_size <= new_size <= self.size:
            raise InvalidArgumentError(f"no consistency proof from {old_size} to {new_size} leaves")
        if old_size in (0, new_size):
            return []
        path: list[bytes] = []
        start, end, m, whole = 0, new_size, old_size, True
        while m != end - start:
            k = _split(end - start)
            if m <= k:
                path.append(self._hash(start + k, end))
                end = start + k
            else:
                path.append(self._hash(start, start + k))
                start += k
                m -= k
                whole = False
        if not whole:
            path.append(self._hash(start, end))
        path.reverse()
        return path


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """True if *proof* shows leaf hash *leaf* at *index* in the tree with *root* (2.1.3.2)."""
    if (
        not 0 <= index < size
        or len(leaf) != _HASH_SIZE
        or len(root) != _HASH_SIZE
        or any(len(node) != 32 for node in proof)  # noqa: PLR2004
    ):
        return False
    fn, sn = index, size - 1
    node = leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            node = node_hash(sibling, node)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            node = node_hash(node, sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and node == root


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """True if *proof* shows tree (*old_size*, *old_root*) is a prefix of the other (2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root and (old_size > 0 or old_root == EMPTY_ROOT)
    if (
        len(old_root) != _HASH_SIZE
        or len(new_root) != _HASH_SIZE
        or any(len(node) != 32 for node in proof)  # noqa: PLR2004
        or old_size == 0
        or not proof
    ):
        # RFC 9162 defines proofs for 0 < old_size < new_size only.
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            first = node_hash(node, first)
            second = node_hash(node, second)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            second = node_hash(second, node)
        fn >>= 1
        sn >>= 1
    return sn == 0 and first == old_root and second == new_root
