"""Inclusion and consistency proofs over a log's Merkle tree (RFC 9162, section 2.1).

An auditor holding only a signed checkpoint can check that one record is in
the log (:meth:`LogTree.inclusion_proof` with
:func:`verify_inclusion_proof`) and that a later checkpoint extends an
earlier one (:meth:`LogTree.consistency_proof` with
:func:`verify_consistency_proof`), in O(log n) hashes, without reading the
log. A consistency proof between two anchored checkpoints shows that the log
was not rolled back or forked between them.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import TYPE_CHECKING, Any

import attrs

from secpolicy.audit._chain import HEAD
from secpolicy.audit._merkle import (
    CompactRange,
    MerkleTree,
    PrunedRange,
    leaf_hash,
    verify_consistency,
    verify_inclusion,
)
from secpolicy.audit._note import Checkpoint, CheckpointError, verify_checkpoint
from secpolicy.exceptions import ArgumentTypeError

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Sequence

    from secpolicy.audit._chain import VerifyKey

__all__ = [
    "ConsistencyProof",
    "InclusionProof",
    "LogTree",
    "ProofUnavailable",
    "verify_consistency_proof",
    "verify_inclusion_proof",
]


class ProofUnavailable(CheckpointError, LookupError):  # noqa: N818 (states what was found)
    """A proof or root that needs records a pruned log no longer holds.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"


def _prefix_of(raw: bytes, kind: bytes, begin: int) -> CompactRange:
    """The frontier of the segment record a pruned log begins with."""
    if kind != b"segment":
        raise CheckpointError(
            f"the log begins at record {begin}, not record 0, and not with a segment record: "
            "a pruned log begins with the segment record of its oldest kept file"
        )
    try:
        frontier = json.loads(raw)["frontier"]
        return CompactRange.from_hex(begin, frontier)
    except (ValueError, KeyError, TypeError):
        raise CheckpointError(
            f"the segment record {begin} has no valid Merkle frontier of the records before it"
        ) from None


def _b64(hashes: Sequence[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


def _unb64(values: object) -> tuple[bytes, ...]:
    if not isinstance(values, list) or not all(isinstance(v, str) for v in values):
        raise CheckpointError("a proof's hashes must be a list of base64 strings")
    try:
        return tuple(base64.b64decode(v, validate=True) for v in values)
    except (binascii.Error, ValueError):
        raise CheckpointError("a proof hash is not base64") from None


def _int(value: object, name: str) -> int:
    if type(value) is not int or value < 0:
        raise CheckpointError(f"a proof's {name} must be a non-negative integer")
    return value


@attrs.frozen(kw_only=True)
class InclusionProof:
    """The audit path of one record in the tree of *size* records.

    Attributes:
        seq: The record's sequence number (its leaf index).
        size: The tree size the path leads to (a checkpoint's size).
        hashes: The sibling hashes, from the leaf up.

    .. versionadded:: 0.2
    """

    seq: int
    size: int
    hashes: tuple[bytes, ...] = attrs.field(repr=lambda value: f"<{len(value)} hashes>")

    __module__ = "secpolicy.audit"

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible values (hashes in base64)."""
        return {"seq": self.seq, "size": self.size, "hashes": _b64(self.hashes)}

    @classmethod
    def from_dict(cls, value: object) -> InclusionProof:
        """The inverse of :meth:`to_dict`.

        Raises:
            CheckpointError: The value is not an inclusion proof.
        """
        if not isinstance(value, dict) or set(value) != {"seq", "size", "hashes"}:
            raise CheckpointError("an inclusion proof has exactly seq, size and hashes")
        return cls(
            seq=_int(value["seq"], "seq"),
            size=_int(value["size"], "size"),
            hashes=_unb64(value["hashes"]),
        )


@attrs.frozen(kw_only=True)
class ConsistencyProof:
    """The proof that the tree of *old_size* records is a prefix of the tree of *new_size*.

    Attributes:
        old_size: The earlier checkpoint's size.
        new_size: The later checkpoint's size.
        hashes: The proof's hashes (RFC 9162, section 2.1.4).

    .. versionadded:: 0.2
    """

    old_size: int
    new_size: int
    hashes: tuple[bytes, ...] = attrs.field(repr=lambda value: f"<{len(value)} hashes>")

    __module__ = "secpolicy.audit"

    def to_dict(self) -> dict[str, Any]:
        """JSON-compatible values (hashes in base64)."""
        return {"old_size": self.old_size, "new_size": self.new_size, "hashes": _b64(self.hashes)}

    @classmethod
    def from_dict(cls, value: object) -> ConsistencyProof:
        """The inverse of :meth:`to_dict`.

        Raises:
            CheckpointError: The value is not a consistency proof.
        """
        if not isinstance(value, dict) or set(value) != {"old_size", "new_size", "hashes"}:
            raise CheckpointError("a consistency proof has exactly old_size, new_size and hashes")
        return cls(
            old_size=_int(value["old_size"], "old_size"),
            new_size=_int(value["new_size"], "new_size"),
            hashes=_unb64(value["hashes"]),
        )


class LogTree:
    """The Merkle tree of a log read from its files, to hand out proofs.

    Build it with :meth:`from_files` (or from the lines with
    :meth:`from_lines`); it holds about 64 bytes per record. It checks no
    signature itself: proofs are checked against signed checkpoints by
    :func:`verify_inclusion_proof` and :func:`verify_consistency_proof`.

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"

    def __init__(self, tree: MerkleTree, checkpoints: dict[int, str]) -> None:
        self._tree = tree
        self._checkpoints = checkpoints

    @classmethod
    def from_lines(cls, lines: Iterable[bytes]) -> LogTree:
        """The tree of record lines given in order, from record 0 or from a pruned log's start.

        A pruned log begins with the ``segment`` record of its oldest kept
        file, whose ``frontier`` is the compact range of the records pruned
        before it (bound by every later checkpoint's signed root: a changed
        frontier gives other roots, and proofs that do not verify).

        Raises:
            CheckpointError: A line is not the record its place expects, or
                a log that does not begin at record 0 does not begin with a
                segment record carrying its frontier.
        """
        leaves: list[bytes] = []
        checkpoints: dict[int, str] = {}
        prefix: CompactRange | None = None
        begin = 0
        for line in lines:
            raw = line.removesuffix(b"\n")
            if not raw:
                continue
            head = HEAD.match(raw)
            if head is not None and not leaves and prefix is None and int(head[1]):
                begin = int(head[1])
                prefix = _prefix_of(raw, head[3], begin)
            if head is None or int(head[1]) != begin + len(leaves):
                raise CheckpointError(
                    f"line {len(leaves) + 1} is not record {begin + len(leaves)}: proofs need "
                    "the log from record 0 (or from the segment record a pruned log begins "
                    "with), in order (verify it first)"
                )
            if head[3] == b"checkpoint":
                try:
                    note = json.loads(raw).get("checkpoint")
                except ValueError:
                    note = None
                if isinstance(note, str):
                    checkpoints[begin + len(leaves)] = note
            leaves.append(leaf_hash(raw))
        return cls(MerkleTree(leaves, prefix=prefix), checkpoints)

    @classmethod
    def from_files(
        cls, paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]
    ) -> LogTree:
        """The tree of the log at *paths* (as for :func:`~secpolicy.audit.verify`).

        Raises:
            CheckpointError: The log is out of order, or does not start at
                record 0 or at a segment record.
        """
        from secpolicy.audit._verify import _collect  # noqa: PLC0415 (no import cycle)

        def lines() -> Iterable[bytes]:
            for path in _collect(paths):
                with path.open("rb") as file:
                    yield from file

        return cls.from_lines(lines())

    @property
    def size(self) -> int:
        """The number of records, the pruned ones included."""
        return self._tree.size

    @property
    def begins(self) -> int:
        """The first record the log holds (0 unless it was pruned).

        .. versionadded:: 0.2
        """
        return self._tree.begin

    def root(self, size: int | None = None) -> bytes:
        """The root hash of the first *size* records (all by default).

        Raises:
            ProofUnavailable: *size* lies inside the pruned part and the
                root needs hashes that were pruned.
            ValueError: *size* exceeds the tree.
        """
        try:
            return self._tree.root(size)
        except PrunedRange:
            raise ProofUnavailable(
                f"the root of the first {size} records needs records the log no longer holds "
                f"(it begins at record {self.begins})"
            ) from None

    def checkpoint(self, size: int) -> str:
        """The signed checkpoint note the log holds for tree *size*.

        Raises:
            KeyError: The log has no checkpoint record at sequence number *size*.
        """
        return self._checkpoints[size]

    @property
    def checkpoint_sizes(self) -> tuple[int, ...]:
        """The sizes of the checkpoints in the log, ascending."""
        return tuple(sorted(self._checkpoints))

    def inclusion_proof(self, seq: int, *, size: int | None = None) -> InclusionProof:
        """The proof that record *seq* is in the tree of *size* records.

        Works on a pruned log for every record it still holds, against every
        tree size from there on.

        Args:
            seq: The record's sequence number.
            size: The checkpoint size to prove against (default: the newest
                checkpoint after *seq*).

        Raises:
            ProofUnavailable: Record *seq* was pruned.
            ValueError: No such record or tree size.
        """
        if seq < self.begins:
            raise ProofUnavailable(
                f"record {seq} was pruned (the log begins at record {self.begins}): there is "
                "no record left to prove"
            )
        if size is None:
            size = next((s for s in self.checkpoint_sizes if s > seq), self.size)
        return InclusionProof(
            seq=seq, size=size, hashes=tuple(self._tree.inclusion_proof(seq, size))
        )

    def consistency_proof(self, old_size: int, new_size: int | None = None) -> ConsistencyProof:
        """The proof that the tree of *old_size* records is a prefix of *new_size*.

        On a pruned log, the proof from any size at or after :attr:`begins`
        is available (the frontier of the pruned records provides the hashes
        left of it). A proof from a smaller size needs hashes inside the
        pruned records and is available only where the frontier's subtrees
        happen to provide them: check older checkpoints before pruning (a
        witness does it at every checkpoint), then prove from a kept one.

        Raises:
            ProofUnavailable: *old_size* lies inside the pruned part and the
                proof needs hashes that were pruned.
            ValueError: The sizes are not ``0 <= old_size <= new_size <= size``.
        """
        new_size = self.size if new_size is None else new_size
        try:
            hashes = tuple(self._tree.consistency_proof(old_size, new_size))
        except PrunedRange:
            raise ProofUnavailable(
                f"the consistency proof from {old_size} records needs hashes of records pruned "
                f"before record {self.begins}; prove from a checkpoint at or after it"
            ) from None
        return ConsistencyProof(old_size=old_size, new_size=new_size, hashes=hashes)

    def __repr__(self) -> str:
        return f"LogTree(size={self.size})"


def _checked(
    note: str | Checkpoint,
    key: VerifyKey | Sequence[VerifyKey],
    witnesses: Sequence[tuple[str, VerifyKey]],
) -> Checkpoint:
    text = note.note if isinstance(note, Checkpoint) else note
    return verify_checkpoint(text, key=key, witnesses=witnesses)


def verify_inclusion_proof(
    line: bytes | str,
    proof: InclusionProof,
    checkpoint: str | Checkpoint,
    *,
    key: VerifyKey | Sequence[VerifyKey],
    witnesses: Sequence[tuple[str, VerifyKey]] = (),
) -> Checkpoint:
    """Check that the record *line* is in the log the signed *checkpoint* describes.

    Args:
        line: The record's exact bytes (a trailing newline is ignored); a
            ``str`` is encoded as UTF-8, so it must be the line as written.
        proof: From :meth:`LogTree.inclusion_proof`.
        checkpoint: The signed checkpoint note whose size the proof leads to.
        key: The writer's verification key.
        witnesses: Cosigners that must have signed the checkpoint too.

    Returns:
        The verified checkpoint.

    Raises:
        CheckpointError: The checkpoint's signature, the line's sequence
            number or the proof does not verify.

    .. versionadded:: 0.2
    """
    if not isinstance(line, (str, bytes)):
        raise ArgumentTypeError(f"line is bytes or str, not {type(line).__name__}", argument="line")
    if not isinstance(proof, InclusionProof):
        raise ArgumentTypeError(
            f"proof is an InclusionProof, not {type(proof).__name__}", argument="proof"
        )
    verified = _checked(checkpoint, key, witnesses)
    try:
        raw = (line.encode() if isinstance(line, str) else line).removesuffix(b"\n")
    except UnicodeEncodeError:
        raise CheckpointError(f"the line is not record {proof.seq}: it is not UTF-8") from None
    head = HEAD.match(raw)
    if head is None or int(head[1]) != proof.seq:
        raise CheckpointError(f"the line is not record {proof.seq}")
    if proof.size != verified.size:
        raise CheckpointError(
            f"the proof leads to tree size {proof.size}, the checkpoint is of {verified.size}"
        )
    if not verify_inclusion(leaf_hash(raw), proof.seq, proof.size, proof.hashes, verified.root):
        raise CheckpointError(f"record {proof.seq} is not in the checkpoint's tree")
    return verified


def verify_consistency_proof(
    proof: ConsistencyProof,
    old: str | Checkpoint,
    new: str | Checkpoint,
    *,
    key: VerifyKey | Sequence[VerifyKey],
    witnesses: Sequence[tuple[str, VerifyKey]] = (),
) -> tuple[Checkpoint, Checkpoint]:
    """Check that the signed checkpoint *new* extends *old* (no rollback, no fork).

    Raises:
        CheckpointError: A signature or the proof does not verify, or the
            checkpoints are of different logs.

    .. versionadded:: 0.2
    """
    before = _checked(old, key, witnesses)
    after = _checked(new, key, witnesses)
    if before.origin != after.origin:
        raise CheckpointError("the checkpoints are of different logs")
    if (proof.old_size, proof.new_size) != (before.size, after.size):
        raise CheckpointError("the proof is for other tree sizes than the checkpoints")
    if not verify_consistency(before.size, after.size, before.root, after.root, proof.hashes):
        raise CheckpointError(
            f"the tree of {after.size} records does not extend the tree of {before.size}: "
            "the log was rolled back or forked"
        )
    return before, after
