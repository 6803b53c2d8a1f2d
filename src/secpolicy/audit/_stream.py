"""A streaming verifier for collectors: one line at a time, state to persist and resume.

Logs shipped through Kafka, Vector, Fluent Bit or Loki arrive line by line,
never as files. :class:`Verifier` checks each line as it comes (its own hash,
the chain, the Merkle tree, every checkpoint's signature) and keeps only
O(log n) state, which :meth:`Verifier.state` returns as JSON-compatible
values so that a collector can store it with its offset and resume after a
restart. The hashes are over the exact bytes the writer wrote: a pipeline
that parses and re-serialises the JSON (reordering keys, changing spaces or
escapes) changes them, and is reported as ``modified``. Ship the raw line
in a string field and hand that string to :meth:`Verifier.feed`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Final

from secpolicy.audit._chain import HASH_KEY, HASH_SUFFIX_LEN, HEAD, VerifyKey, key_id
from secpolicy.audit._merkle import CompactRange, leaf_hash
from secpolicy.audit._verify import Problem, ProblemKind, _frontier, check_checkpoint
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["Verifier"]

_STATE_VERSION: Final = 1
_STREAM: Final = "<stream>"


class Verifier:
    """Verify a log fed one line at a time, in order.

    Args:
        key: The checkpoint verification key (or several after rotation).
        state: What :meth:`state` returned earlier, to resume where it was.
        source: The name used in findings (a topic, a stream id).

    Every line must be the next record of one log: a collector that can
    reorder lines must restore the order (by ``seq``) first. The first line
    of a new stream must be a ``segment`` record: record 0, or the first
    record of a rotated file (whose Merkle frontier lets verification start
    there, to be confirmed by the next checkpoint).

    Example:
        >>> verifier = Verifier(key=public_key)  # doctest: +SKIP
        >>> for raw in consumer:  # doctest: +SKIP
        ...     for problem in verifier.feed(raw.value):
        ...         alert(problem)
        ...     store(offset=raw.offset, state=verifier.state())

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.audit"

    def __init__(
        self,
        *,
        key: VerifyKey | Sequence[VerifyKey],
        state: Mapping[str, Any] | None = None,
        source: str = _STREAM,
    ) -> None:
        keys: list[VerifyKey] = (
            [key] if not isinstance(key, Sequence) or isinstance(key, bytes) else list(key)
        )
        for item in keys:
            key_id(item)
        self._keys: list[VerifyKey] = keys
        self.source = source
        self.log_id: str | None = None
        self.lines = 0
        self.next_seq: int | None = None
        self._prev = ""
        self._tree: CompactRange | None = None
        self.checkpoints = 0
        self.sealed_seq: int | None = None
        self._unsealed_from: int | None = None
        self.problems = 0
        if state is not None:
            self._restore(state)

    # -- persistence ------------------------------------------------------------

    def state(self) -> dict[str, Any]:
        """JSON-compatible values to resume from with ``Verifier(key=..., state=...)``."""
        return {
            "version": _STATE_VERSION,
            "log_id": self.log_id,
            "lines": self.lines,
            "next_seq": self.next_seq,
            "prev": self._prev,
            "tree_size": None if self._tree is None else self._tree.size,
            "tree": None if self._tree is None else self._tree.to_hex(),
            "checkpoints": self.checkpoints,
            "sealed_seq": self.sealed_seq,
            "unsealed_from": self._unsealed_from,
            "problems": self.problems,
        }

    def _restore(self, state: Mapping[str, Any]) -> None:
        try:
            if state["version"] != _STATE_VERSION:
                raise PolicyConfigError("unknown verifier state version", field="state.version")
            self.log_id = _optional(state["log_id"], str)
            self.lines = int(state["lines"])
            self.next_seq = _optional(state["next_seq"], int)
            self._prev = str(state["prev"])
            size = _optional(state["tree_size"], int)
            self._tree = None if size is None else CompactRange.from_hex(size, state["tree"])
            self.checkpoints = int(state["checkpoints"])
            self.sealed_seq = _optional(state["sealed_seq"], int)
            self._unsealed_from = _optional(state["unsealed_from"], int)
            self.problems = int(state["problems"])
        except (KeyError, TypeError, ValueError) as exc:
            if isinstance(exc, PolicyConfigError):
                raise
            raise PolicyConfigError(
                f"not a verifier state: {type(exc).__name__}", field="state"
            ) from None

    # -- lines ------------------------------------------------------------------

    @property
    def ok(self) -> bool:
        """True if nothing was found so far and every record fed is sealed."""
        return self.problems == 0 and self.checkpoints > 0 and self._unsealed_from is None

    @property
    def unsealed(self) -> int:
        """Records fed since the last valid checkpoint."""
        if self._unsealed_from is None or self.next_seq is None:
            return 0
        return self.next_seq - self._unsealed_from

    def _problem(self, kind: ProblemKind, seq: int | None, message: str) -> Problem:
        self.problems += 1
        return Problem(kind=kind, file=self.source, line=self.lines, seq=seq, message=message)

    def feed(self, line: bytes | str) -> tuple[Problem, ...]:  # noqa: PLR0911 (one return per finding)
        """Check the next line (one trailing newline is ignored).

        Returns:
            What is wrong with this line, if anything. A wrong line does not
            advance the chain: the following correct record still verifies.
        """
        if not isinstance(line, (str, bytes, bytearray, memoryview)):
            # bytes(5) would be five NUL bytes, a "line" nobody sent.
            raise ArgumentTypeError(
                f"a line is bytes or str, not {type(line).__name__}", argument="line"
            )
        self.lines += 1
        try:
            raw = line.encode() if isinstance(line, str) else bytes(line)
        except UnicodeEncodeError:
            return (
                self._problem(
                    "modified", self.next_seq, "the line is not text the writer could have written"
                ),
            )
        raw = raw.removesuffix(b"\n")
        head = HEAD.match(raw)
        if (
            head is None
            or raw[-HASH_SUFFIX_LEN:-66] != HASH_KEY
            or not raw.endswith(b'"}')
            or hashlib.sha256(raw[:-HASH_SUFFIX_LEN]).hexdigest()
            != raw[-66:-2].decode("ascii", "replace")
        ):
            return (
                self._problem(
                    "modified",
                    self.next_seq,
                    "the line does not match the hash it carries: changed in transit or "
                    "re-serialised (ship the raw line)",
                ),
            )
        seq, prev, kind = int(head[1]), head[2].decode(), head[3].decode()
        digest = raw[-66:-2].decode()
        if self.next_seq is None:
            if kind != "segment":
                return (self._problem("deleted", seq, "a stream must begin with a segment record"),)
        elif seq != self.next_seq or prev != self._prev:
            kind_of: ProblemKind = (
                "deleted"
                if seq > self.next_seq
                else "duplicated"
                if seq < self.next_seq
                else "modified"
            )
            return (
                self._problem(
                    kind_of,
                    seq,
                    f"record {seq} is not the next record {self.next_seq} linked to the last one",
                ),
            )
        found: list[Problem] = []
        if kind != "event":
            try:
                record = json.loads(raw)
            except ValueError:
                return (self._problem("modified", seq, "a record that is not JSON"),)
            found.extend(self._special(seq, kind, record, raw))
            if kind != "checkpoint" and any(not p.is_warning for p in found):
                return tuple(found)
            # A checkpoint whose signature fails is still the chain's next record:
            # the chain moves on, and what it should have sealed stays unsealed.
        if self._tree is None or self._tree.size != seq:
            return (self._problem("modified", seq, "the Merkle state does not reach this record"),)
        self._tree.append(leaf_hash(raw))
        self.next_seq = seq + 1
        self._prev = digest
        if (kind != "checkpoint" or found) and self._unsealed_from is None:
            self._unsealed_from = seq
        return tuple(found)

    def _special(  # noqa: PLR0911 (one return per finding)
        self, seq: int, kind: str, record: dict[str, Any], raw: bytes
    ) -> list[Problem]:
        if kind == "segment":
            log_id = record.get("log_id")
            if not isinstance(log_id, str):
                return [self._problem("modified", seq, "a segment record without its log id")]
            if self.log_id is not None and log_id != self.log_id:
                return [self._problem("unknown_log", seq, f"a segment of another log ({log_id})")]
            frontier = _frontier(record, seq)
            if frontier is None:
                return [self._problem("modified", seq, "a segment without a valid frontier")]
            if self._tree is None:
                self._tree = frontier
                self.log_id = log_id
                if seq:
                    self._unsealed_from = seq  # joined mid-log: sealed from the next checkpoint
            elif frontier != self._tree:
                return [self._problem("modified", seq, "the segment's frontier is not the log's")]
            return []
        if kind == "checkpoint":
            covered = (
                f"records {self._unsealed_from}-{seq - 1}"
                if self._unsealed_from is not None
                else "records"
            )
            checkpoint, _, mismatch = check_checkpoint(
                record, raw, seq, self.log_id, self._tree, self._keys, covered
            )
            if mismatch is not None or checkpoint is None:
                return [self._problem("bad_checkpoint", seq, str(mismatch))]
            self.checkpoints += 1
            self.sealed_seq = seq
            self._unsealed_from = None
        if kind == "unvouched":
            first, last = record.get("from_seq"), record.get("to_seq")
            if not isinstance(first, int) or not isinstance(last, int):
                return [self._problem("modified", seq, "an unvouched record without its range")]
            # A warning, as verify() reports it: it does not make the stream fail.
            return [
                Problem(
                    kind="unvouched",
                    file=self.source,
                    line=self.lines,
                    seq=first,
                    message=f"records {first}-{last} were found unsealed when the writer "
                    "reopened the log: the checkpoints after them do not vouch for who wrote them",
                )
            ]
        return []

    def finish(self) -> tuple[Problem, ...]:
        """What the end of the stream shows: records no checkpoint covers."""
        if self.next_seq is None:
            return ()
        if self.checkpoints == 0:
            return (
                self._problem(
                    "unsealed",
                    None,
                    "no checkpoint yet: nothing fed is covered by a valid signature",
                ),
            )
        if self._unsealed_from is not None:
            return (
                self._problem(
                    "unsealed",
                    self._unsealed_from,
                    f"{self.unsealed} record(s) from {self._unsealed_from} on are not sealed yet",
                ),
            )
        return ()

    def __repr__(self) -> str:
        return f"Verifier(log_id={self.log_id!r}, next_seq={self.next_seq}, ok={self.ok})"


def _optional(value: object, kind: type[Any]) -> Any:
    if value is None:
        return None
    if not isinstance(value, kind) or isinstance(value, bool):
        raise ArgumentTypeError(kind.__name__)
    return value
