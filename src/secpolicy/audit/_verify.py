"""Verification of chained audit logs: what changed, where, and what is missing.

The verifier reads every line once. A line whose own hash does not match its
bytes was modified; a record whose sequence number skips ahead marks deleted
records (or, if the missing ones turn up later, reordered ones); a sequence
number seen before is a duplicate or, if its content differs, a forged
insertion, told apart by which of the two the next record links to. Signed
checkpoints prove who wrote the chain up to them, and the newest anchor shows
whether the log's end was cut off.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal, get_args

import attrs

from secpolicy._validators import ge, in_, instance_of, optional
from secpolicy.audit._chain import (
    GENESIS,
    HASH_KEY,
    HASH_SUFFIX_LEN,
    HEAD,
    VerifyKey,
    frame,
    key_id,
    render_body,
)
from secpolicy.audit._event import parse_time
from secpolicy.audit._merkle import CompactRange, leaf_hash
from secpolicy.audit._note import Checkpoint, CheckpointError, note_key_id, verify_checkpoint
from secpolicy.audit._sinks import rotated_files
from secpolicy.exceptions import ArgumentTypeError

if TYPE_CHECKING:
    from datetime import datetime

    from secpolicy.audit._anchor import Anchor, AnchorStore

__all__ = ["Problem", "VerifyReport", "verify"]

ProblemKind = Literal[
    "modified",
    "deleted",
    "inserted",
    "duplicated",
    "reordered",
    "truncated",
    "bad_checkpoint",
    "missing_file",
    "unsealed",
    "rollback",
    "forked",
    "unknown_log",
    "missing_log",
    "torn_tail",
    "repaired",
    "sink_error",
    "unvouched",
]
#: Kinds that are reported as warnings: they do not make a report fail.
WARNING_KINDS: Final = frozenset({"torn_tail", "repaired", "sink_error", "unvouched"})
#: The members of a checkpoint record: nothing the signature does not bind.
_CHECKPOINT_MEMBERS: Final = frozenset(
    {"seq", "prev", "kind", "time", "log_id", "root", "frontier", "checkpoint", "hash"}
)
_WINDOW: Final = 1 << 16
_SEQ_MARK: Final = b'{"seq":'
# Where, in a line read with its newline, the hash member and the hash begin.
_HASH_KEY_AT: Final = -(HASH_SUFFIX_LEN + 1)
_HASH_AT: Final = _HASH_KEY_AT + len(HASH_KEY)
# The head of an event record, given its sequence number and the previous hash.
_EVENT_HEAD: Final = b'{"seq":%d,"prev":"%s","kind":"event"'


@attrs.frozen(kw_only=True)
class Problem:
    """One finding of :func:`verify`.

    Attributes:
        kind: Errors: ``modified``, ``deleted``, ``inserted``,
            ``duplicated``, ``reordered``, ``truncated`` (the end was cut
            off, or is behind an anchored checkpoint), ``bad_checkpoint``,
            ``missing_file``, ``unsealed`` (records after the last valid
            checkpoint; its message begins "no checkpoint yet" for a log with
            no valid checkpoint at all: a writer that never sealed, or a
            forgery), ``rollback`` (the
            log differs from an anchored checkpoint at its place: cut and
            rewritten, or an older copy restored and continued), ``forked``
            (two anchored checkpoints of one size with different trees),
            ``unknown_log`` (a log that was not expected or that the anchor
            store never saw), ``missing_log`` (an expected log not found).
            Warnings: ``torn_tail`` (an incomplete last line after the last
            checkpoint: a crash during a write), ``repaired``, ``sink_error``,
            ``unvouched`` (records the writer found unsealed when it reopened
            the log and sealed without vouching for them).
        file: The file, as given or found.
        line: The 1-based line number, if the finding has a place.
        seq: The sequence number concerned, if known.
        message: What was found, for people.
    """

    kind: ProblemKind = attrs.field(validator=in_(get_args(ProblemKind)))
    file: str = attrs.field(validator=instance_of(str))
    line: int | None = attrs.field(validator=optional([instance_of(int), ge(1)]))
    seq: int | None = attrs.field(validator=optional([instance_of(int), ge(0)]))
    message: str = attrs.field(validator=instance_of(str))

    @property
    def is_warning(self) -> bool:
        """True for findings that do not fail verification."""
        return self.kind in WARNING_KINDS

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.kind}: {self.message}"


@attrs.frozen(kw_only=True)
class FileSummary:
    """Per-file figures of a :class:`VerifyReport`.

    Attributes:
        file: The file.
        records: Intact records read.
        first_seq: The first intact record's sequence number, or None.
        last_seq: The last intact record's sequence number, or None.
        problems: Errors found in this file.
    """

    file: str = attrs.field(validator=instance_of(str))
    records: int = attrs.field(validator=[instance_of(int), ge(0)])
    first_seq: int | None = attrs.field(validator=optional([instance_of(int), ge(0)]))
    last_seq: int | None = attrs.field(validator=optional([instance_of(int), ge(0)]))
    problems: int = attrs.field(validator=[instance_of(int), ge(0)])


@attrs.frozen
class VerifyReport:
    """The result of :func:`verify`.

    Attributes:
        ok: True if no error was found (warnings allowed).
        records: Intact records read, over all files.
        files: Figures per file, in chain order.
        problems: Errors, in file and line order.
        warnings: Warnings (an unsealed tail, a torn last line, repairs).
        checkpoints: Checkpoints whose signature verified.
        sealed_seq: The last sequence number covered by a valid checkpoint.
        unsealed: Records after the last valid checkpoint.
        begins_seq: Where the log begins (after pruning, not 0).
        log_id: The log's id (of the active file's log), if a segment record was read.
        log_ids: Every log found.
        anchor: The newest valid anchor of the log, if any.
    """

    ok: bool
    records: int
    files: tuple[FileSummary, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]
    checkpoints: int
    sealed_seq: int | None
    unsealed: int
    begins_seq: int | None
    log_id: str | None
    log_ids: tuple[str, ...]
    anchor: Anchor | None

    @property
    def first_problem(self) -> Problem | None:
        """The earliest error, or None."""
        return self.problems[0] if self.problems else None

    def summary(self) -> str:
        """A short text report: one line per file, then every finding."""
        head = (
            f"{'OK' if self.ok else 'FAILED'}: {self.records} records in {len(self.files)} "
            f"file(s), {self.checkpoints} valid checkpoint(s), {len(self.problems)} problem(s), "
            f"{len(self.warnings)} warning(s)"
        )
        lines = [head]
        for item in self.files:
            span = "" if item.first_seq is None else f" (seq {item.first_seq}-{item.last_seq})"
            lines.append(f"  {item.file}: {item.records} records{span}, {item.problems} problem(s)")
        lines.extend(f"  error: {problem}" for problem in self.problems)
        lines.extend(f"  warning: {warning}" for warning in self.warnings)
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-compatible values."""
        return {
            "ok": self.ok,
            "records": self.records,
            "checkpoints": self.checkpoints,
            "sealed_seq": self.sealed_seq,
            "unsealed": self.unsealed,
            "begins_seq": self.begins_seq,
            "log_id": self.log_id,
            "log_ids": list(self.log_ids),
            "files": [attrs.asdict(item) for item in self.files],
            "problems": [attrs.asdict(p) for p in self.problems],
            "warnings": [attrs.asdict(w) for w in self.warnings],
        }


def _collect(paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]]) -> list[Path]:
    given = [paths] if isinstance(paths, (str, os.PathLike)) else list(paths)
    found: list[Path] = []
    for item in given:
        path = Path(item)
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix == ".jsonl"))
        elif len(given) == 1:
            found.extend(rotated_files(path))
            found.append(path)
        else:
            found.append(path)
    unique = list(dict.fromkeys(found))
    return sorted(unique, key=lambda p: (_segment_of(p), unique.index(p)))


def _segment_of(path: Path) -> float:
    try:
        with path.open("rb") as file:
            first = json.loads(file.readline())
        segment = first.get("segment") if first.get("kind") == "segment" else None
    except (OSError, ValueError, AttributeError):
        return float("inf")
    return float(segment) if isinstance(segment, int) else float("inf")


class _Found(Exception):  # noqa: N818 (an internal signal, not an error)
    """The first pass found something: repeat with every check."""


@attrs.define
class _Damage:
    file: str
    first_line: int
    last_line: int
    records: int


@attrs.define
class _Gap:
    start: int
    end: int
    file: str
    line: int
    filled: list[int] = attrs.field(factory=list)


class _Verifier:
    def __init__(
        self,
        keys: list[VerifyKey],
        problems: list[tuple[int, int, Problem]],
        file_counts: dict[str, list[Any]],
    ) -> None:
        self.keys = keys
        self.problems = problems
        # On the first pass (see verify()) any finding stops it: the full pass follows.
        self.first_pass = False
        self.file_index = 0
        self.expected: int | None = None
        # seq -> (hash, file, line) of the last _WINDOW records
        self.hashes: dict[int, tuple[str, str, int]] = {}
        self.unknown: set[int] = set()
        self.rivals: dict[int, list[tuple[str, str, int]]] = {}
        self.gaps: list[_Gap] = []
        self.damage: _Damage | None = None
        self.damaged_start = False
        self.records = 0
        self.first: tuple[int, str, str, int] | None = None
        self.first_kind = ""
        self.begins: list[tuple[int, str]] = []
        self.log_id: str | None = None
        self.segment: int | None = None
        self.checkpoints = 0
        # seq -> the signed text of every valid checkpoint, to compare anchors with
        self.checkpoint_texts: dict[int, str] = {}
        self.sealed_seq: int | None = None
        self.last_seq: int | None = None
        self.unsealed_from: int | None = None
        self.file_counts = file_counts
        # The Merkle compact range of records 0 .. tree.size - 1, or None
        # while it is unknown (before the first record, after damage).
        self.tree: CompactRange | None = None
        self.last_file = ""

    def report(
        self, kind: ProblemKind, file: str, line: int | None, seq: int | None, msg: str
    ) -> None:
        if self.first_pass:
            raise _Found
        order = (self.file_index, line if line is not None else 1 << 62)
        self.problems.append(
            (*order, Problem(kind=kind, file=file, line=line, seq=seq, message=msg))
        )
        if kind not in WARNING_KINDS and file in self.file_counts:
            self.file_counts[file][3] += 1

    # -- per line -------------------------------------------------------------

    def damaged(self, file: str, number: int, line: bytes) -> None:
        records = max(1, line.count(_SEQ_MARK))
        if (
            self.damage is not None
            and self.damage.file == file
            and self.damage.last_line == number - 1
        ):
            self.damage.last_line = number
            self.damage.records += records
        else:
            self.flush_damage(None)
            self.damage = _Damage(file, number, number, records)

    def flush_damage(self, next_seq: int | None) -> None:
        damage, self.damage = self.damage, None
        if damage is None:
            return
        lines = (
            f"line {damage.first_line}"
            if damage.first_line == damage.last_line
            else f"lines {damage.first_line}-{damage.last_line}"
        )
        seq = self.expected
        guess = f" (where record {seq} belongs)" if seq is not None else ""
        self.report(
            "modified",
            damage.file,
            damage.first_line,
            seq,
            f"{lines}{guess} "
            + (
                "does not match the hash it carries"
                if damage.first_line == damage.last_line
                else "do not match the hashes they carry"
            )
            + ": changed, corrupted or forged",
        )
        if self.expected is None:
            # The log's first lines are damaged: they held the records before the first intact one.
            self.damaged_start = True
            return
        slots = damage.records
        if next_seq is not None:
            slots = min(slots, max(0, next_seq - self.expected))
        for missing in range(self.expected, self.expected + slots):
            self.unknown.add(missing)
        self.expected += slots

    def intact(  # noqa: PLR0917 (one call site, in the hot loop)
        self, file: str, number: int, line: bytes, seq: int, prev: str, digest: str, kind: str
    ) -> None:
        self.flush_damage(seq)
        self.records += 1
        counts = self.file_counts[file]
        counts[0] += 1
        if counts[1] is None:
            counts[1] = seq
        counts[2] = seq
        if self.expected is None:
            self.first = (seq, prev, file, number)
            if seq == 0:
                self.tree = CompactRange()
            self.first_kind = kind
            self.accept(seq, prev, digest, file, number)
            self.expected = seq + 1
        elif seq == self.expected:
            self.link(seq, prev, file, number)
            self.accept(seq, prev, digest, file, number)
            self.expected = seq + 1
        elif seq > self.expected:
            self.gaps.append(_Gap(self.expected, seq - 1, file, number))
            self.accept(seq, prev, digest, file, number)
            self.expected = seq + 1
        else:
            self.behind(seq, prev, digest, file, number)
        if kind != "event":
            self.special(file, number, line, seq, prev, kind)
        tree = self.tree
        if tree is not None:
            if tree.size == seq:
                tree.append(leaf_hash(line))
            else:
                self.tree = None  # out of order: the tree is unknown until a frontier

    def behind(self, seq: int, prev: str, digest: str, file: str, number: int) -> None:
        for gap in self.gaps:
            if gap.start <= seq <= gap.end and seq not in gap.filled:
                gap.filled.append(seq)
                if len(gap.filled) == 1:
                    self.report(
                        "reordered",
                        gap.file,
                        gap.line,
                        gap.start,
                        f"records are out of order: record {seq} at {file}:{number} "
                        f"belongs before line {gap.line}",
                    )
                self.link(seq, prev, file, number)
                self.hashes[seq] = (digest, file, number)
                return
        seen = self.hashes.get(seq)
        if seen is not None and seen[0] == digest:
            _, first_file, first_line = seen
            self.report(
                "duplicated",
                file,
                number,
                seq,
                f"record {seq} repeats {first_file}:{first_line}",
            )
            return
        self.rivals.setdefault(seq, []).append((digest, file, number))

    def link(self, seq: int, prev: str, file: str, number: int) -> None:
        before = seq - 1
        if before in self.unknown or before < 0:
            return
        entry = self.hashes.get(before)
        known = entry[0] if entry is not None else None
        if known is None or known == prev:
            if known is not None and before in self.rivals:
                for _, rival_file, rival_line in self.rivals.pop(before):
                    self.report(
                        "inserted",
                        rival_file,
                        rival_line,
                        before,
                        f"a second record {before} that the chain does not link to (forged)",
                    )
            return
        for index, (digest, rival_file, rival_line) in enumerate(self.rivals.get(before, [])):
            if digest == prev:
                _, impostor_file, impostor_line = self.hashes[before]
                self.report(
                    "inserted",
                    impostor_file,
                    impostor_line,
                    before,
                    f"record {before} here is not the one the chain links to "
                    f"({rival_file}:{rival_line} is): forged",
                )
                self.hashes[before] = (digest, rival_file, rival_line)
                rivals = self.rivals.pop(before)
                del rivals[index]
                for _, other_file, other_line in rivals:
                    self.report("inserted", other_file, other_line, before, "forged record")
                return
        _, prev_file, prev_line = self.hashes[before]
        self.report(
            "modified",
            prev_file,
            prev_line,
            before,
            f"record {before} is not the one record {seq} at {file}:{number} follows: "
            "it was replaced (its hash recomputed) or the chain was rewritten",
        )

    def accept(self, seq: int, prev: str, digest: str, file: str, number: int) -> None:
        self.hashes[seq] = (digest, file, number)
        if not seq % _WINDOW:
            self.forget(seq)
        self.last_seq = seq if self.last_seq is None else max(self.last_seq, seq)
        if self.unsealed_from is None:
            self.unsealed_from = seq

    def forget(self, seq: int) -> None:
        """Drop hashes older than the window, to keep memory flat on huge logs."""
        horizon = seq - _WINDOW
        for old in [k for k in self.hashes if k < horizon]:
            del self.hashes[old]

    def line(self, file: str, number: int, raw: bytes, *, last_file: bool) -> None:
        """Check one line that is not the common case (see :func:`verify`)."""
        torn = not raw.endswith(b"\n")
        line = raw if torn else raw[:-1]
        head = HEAD.match(line)
        digest = line[-66:-2].decode("ascii", "replace")
        if (
            head is None
            or line[-HASH_SUFFIX_LEN:-66] != HASH_KEY
            or not line.endswith(b'"}')
            or hashlib.sha256(line[:-HASH_SUFFIX_LEN]).hexdigest() != digest
        ):
            if torn and last_file and self.could_begin_next(line):
                self.flush_damage(None)
                self.report(
                    "torn_tail",
                    file,
                    number,
                    self.expected,
                    f"the last line ({len(raw)} bytes) is incomplete: a crash during "
                    "a write, or the file was cut here; reopening the log repairs it",
                )
            else:
                self.damaged(file, number, line)
            return
        seq = int(head[1])
        if torn:
            self.report(
                "truncated" if last_file else "modified",
                file,
                number,
                seq,
                "the file ends without the newline after this record: it was cut",
            )
        self.intact(file, number, line, seq, head[2].decode(), digest, head[3].decode())

    def could_begin_next(self, torn: bytes) -> bool:
        """True if *torn* is what a crash could leave of the record after the last one.

        Bytes that cannot begin that record (another sequence number or
        previous hash, text that is no record) were not left by a crash.
        """
        expected = 0 if self.expected is None else self.expected
        if expected == 0:
            prev = GENESIS
        else:
            entry = self.hashes.get(expected - 1)
            if entry is None:
                return False
            prev = entry[0]
        start = b'{"seq":%d,"prev":"%s","kind":"' % (expected, prev.encode())
        return torn.startswith(start) or start.startswith(torn)

    def next_head(self) -> tuple[bytes | None, int]:
        """The exact start of the next line if it is the expected event linked to the last.

        Returns:
            Those bytes and the expected sequence number, or None and -1 when
            the next line cannot take the common path (the first line, after
            damage, after a gap in what is known).
        """
        expected = self.expected
        if (
            expected is None
            or self.damage is not None
            or self.tree is None
            or self.tree.size != expected
        ):
            return None, -1
        entry = self.hashes.get(expected - 1)
        if entry is None:
            return None, -1
        return _EVENT_HEAD % (expected, entry[0].encode()), expected

    # -- records of the log's own ---------------------------------------------

    def special(  # noqa: PLR0917 (called from intact() only)
        self, file: str, number: int, line: bytes, seq: int, prev: str, kind: str
    ) -> None:
        try:
            record = json.loads(line)
        except ValueError:
            self.report("modified", file, number, seq, "a record that is not JSON")
            return
        if kind == "segment":
            self.segment_record(file, number, seq, record)
        elif kind == "checkpoint":
            self.checkpoint(file, number, seq, prev, record, line)
        elif kind == "prune":
            begins = (record.get("begins_seq"), record.get("begins_prev"))
            if isinstance(begins[0], int) and isinstance(begins[1], str):
                self.begins.append((begins[0], begins[1]))
        elif kind == "repair":
            self.report(
                "repaired",
                file,
                number,
                seq,
                f"a torn line of {record.get('removed_bytes')} bytes was removed after a crash",
            )
        elif kind == "sink_error":
            self.report("sink_error", file, number, seq, f"mirror {record.get('sink')} failed")
        elif kind == "unvouched":
            first, last = record.get("from_seq"), record.get("to_seq")
            if isinstance(first, int) and isinstance(last, int):
                self.report(
                    "unvouched",
                    file,
                    number,
                    first,
                    f"records {first}-{last} were found unsealed when the writer reopened the "
                    "log (after a crash or a kill, or added by someone else): the checkpoints "
                    "after them do not vouch for who wrote them",
                )
            else:
                self.report("modified", file, number, seq, "an unvouched record without its range")

    def segment_record(self, file: str, number: int, seq: int, record: dict[str, Any]) -> None:
        frontier = _frontier(record, seq)
        if frontier is None:
            self.report("modified", file, number, seq, "a segment record without a valid frontier")
        elif self.tree is None or self.tree.size != seq:
            # A pruned log, or after damage: the next checkpoint's root checks it.
            self.tree = frontier
        elif frontier != self.tree:
            self.report(
                "modified", file, number, seq, "the segment's Merkle frontier is not the log's"
            )
        log_id = record.get("log_id")
        if self.log_id is None and isinstance(log_id, str):
            self.log_id = log_id
        elif log_id != self.log_id:
            self.report("inserted", file, number, seq, "a segment of another log")
        segment = record.get("segment")
        if isinstance(segment, int):
            if self.segment is not None and segment != self.segment + 1 and number == 1:
                self.report(
                    "missing_file",
                    file,
                    number,
                    seq,
                    f"segment {segment} follows segment {self.segment}: a file is missing",
                )
            self.segment = segment

    def checkpoint(  # noqa: PLR0917 (called from special() only)
        self, file: str, number: int, seq: int, prev: str, record: dict[str, Any], line: bytes
    ) -> None:
        covered = (
            f"records {self.unsealed_from}-{seq - 1}"
            if self.unsealed_from is not None
            else "records"
        )
        checkpoint, frontier, mismatch = check_checkpoint(
            record, line, seq, self.log_id, self.tree, self.keys, covered
        )
        if mismatch is not None or checkpoint is None or frontier is None:
            self.report("bad_checkpoint", file, number, seq, str(mismatch))
            return
        if self.tree is None or self.tree.size != seq:
            self.tree = frontier  # resynchronise after damage reported above
        self.checkpoints += 1
        self.checkpoint_texts[seq] = checkpoint.text
        self.sealed_seq = seq
        self.unsealed_from = None

    # -- the end --------------------------------------------------------------

    def finish(self) -> None:
        """Report what only the end shows: unfilled gaps, unlinked rivals, a missing start."""
        self.flush_damage(None)
        for gap in self.gaps:
            missing = [s for s in range(gap.start, gap.end + 1) if s not in gap.filled]
            if missing and not gap.filled:
                span = f"{missing[0]}" if len(missing) == 1 else f"{missing[0]}-{missing[-1]}"
                self.report(
                    "deleted",
                    gap.file,
                    gap.line,
                    gap.start,
                    f"record(s) {span} missing before this line",
                )
        for seq, rivals in self.rivals.items():
            for _, file, number in rivals:
                self.report(
                    "inserted",
                    file,
                    number,
                    seq,
                    f"a second record {seq}; the chain links to neither",
                )
        if self.first is not None:
            seq, prev, file, number = self.first
            explained = (seq == 0 and prev == GENESIS) or (seq, prev) in self.begins
            if explained and self.first_kind != "segment":
                self.report(
                    "deleted",
                    file,
                    number,
                    seq,
                    "the log does not begin with its segment record (which names the log): "
                    "it was removed or the log was rewritten",
                )
            if not explained and not self.damaged_start:
                self.report(
                    "deleted",
                    file,
                    number,
                    seq,
                    f"the log begins at record {seq} and no prune record explains it: "
                    f"records before {seq} (or whole files) were removed",
                )

    def seal_state(self, last_file: str) -> None:
        """Report records no valid checkpoint covers (and a log with no record at all)."""
        if self.last_seq is None:
            # Nothing intact was read: a torn fragment alone is not a sealed log.
            self.report(
                "unsealed",
                last_file,
                None,
                None,
                "no checkpoint yet: the log holds no intact record, so nothing in it is "
                "covered by a valid checkpoint signature (cut down, or a writer that never sealed)",
            )
            return
        if self.checkpoints == 0:
            self.report(
                "unsealed",
                last_file,
                None,
                self.first[0] if self.first is not None else None,
                "no checkpoint yet: no record of this log is covered by a valid checkpoint "
                "signature (a writer that has not sealed yet, or a forged log)",
            )
        elif self.unsealed_from is not None:
            count = self.last_seq - self.unsealed_from + 1
            self.report(
                "unsealed",
                last_file,
                None,
                self.unsealed_from,
                f"{count} record(s) from {self.unsealed_from} on are not covered by a checkpoint",
            )

    def check_anchors(self, anchors: Sequence[Anchor], last_file: str) -> Anchor | None:
        """Compare the log with every anchor of its writer; return the newest valid one."""
        valid: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            try:
                checkpoint = verify_checkpoint(anchor.note, key=self.keys)
            except CheckpointError:
                self.report(
                    "bad_checkpoint",
                    last_file,
                    None,
                    anchor.seq,
                    f"anchored checkpoint {anchor.seq} is not signed by the given key",
                )
                continue
            if checkpoint.signers != (checkpoint.origin,):
                self.report(
                    "bad_checkpoint",
                    last_file,
                    None,
                    anchor.seq,
                    f"anchored checkpoint {anchor.seq}: {_extra_lines(checkpoint)}",
                )
                continue
            if checkpoint.size != anchor.seq or checkpoint.log_id != anchor.log_id:
                self.report(
                    "bad_checkpoint",
                    last_file,
                    None,
                    anchor.seq,
                    f"anchored checkpoint {anchor.seq} does not match its own note",
                )
                continue
            valid.setdefault(anchor.seq, []).append(anchor)
        newest: Anchor | None = None
        beyond: list[Anchor] = []
        begins = self.first[0] if self.first is not None else 0
        for seq in sorted(valid):
            texts = {Checkpoint.parse(a.note).text for a in valid[seq]}
            anchor = valid[seq][-1]
            newest = anchor
            if len(texts) > 1:
                self.report(
                    "forked",
                    last_file,
                    None,
                    seq,
                    f"the anchor store holds {len(texts)} different checkpoints of size {seq}: "
                    "the writer's log was forked (two histories were sealed)",
                )
                continue
            seen = self.checkpoint_texts.get(seq)
            if seen is not None:
                if seen not in texts:
                    self.report(
                        "rollback",
                        last_file,
                        None,
                        seq,
                        f"checkpoint {seq} differs from its anchored copy: the log was replaced",
                    )
                continue
            if self.last_seq is None or seq > self.last_seq:
                beyond.append(anchor)
            elif seq < begins or seq in self.unknown:
                continue  # pruned, or inside damage already reported
            else:
                self.report(
                    "rollback",
                    last_file,
                    None,
                    seq,
                    f"anchored checkpoint {seq} ({anchor.time}) is not in the log: records "
                    "were cut and the log continued (or rewritten) after it",
                )
        if beyond:
            first, last = beyond[0], beyond[-1]
            self.report(
                "truncated",
                last_file,
                None,
                first.seq,
                f"the anchor store holds {len(beyond)} checkpoint(s) up to {last.seq} "
                f"({last.file}, {last.time}) but the log ends at record {self.last_seq}: "
                "its tail was cut off, or an older copy was restored",
            )
        return newest


def _why_unsigned(note: str, exc: CheckpointError, covered: str, keys: list[VerifyKey]) -> str:
    try:
        parsed = Checkpoint.parse(note)
    except CheckpointError:
        return f"its note is malformed ({exc}): {covered} may have been rewritten"
    known = {note_key_id(parsed.origin, key) for key in keys}
    ids = [line.rsplit(" ", 1)[-1] for line in note.split("\n\n", 1)[-1].splitlines()]
    if not any(_key_id_of(encoded) in known for encoded in ids):
        return "signed with a key that was not given (or the log id was changed)"
    return f"the signature does not match: {covered} may have been rewritten"


def _extra_lines(checkpoint: Checkpoint) -> str:
    """What is wrong with a note that has more than the writer's one signature line."""
    unknown = len(checkpoint.unverified_signers)
    return (
        f"its note carries {len(checkpoint.signers) - 1} signature line(s) besides the "
        f"writer's ({unknown} of key(s) that cannot be checked), which the writer never writes"
    )


def check_checkpoint(  # noqa: PLR0917 (the facts of one checkpoint record)
    record: dict[str, Any],
    line: bytes,
    seq: int,
    log_id: str | None,
    tree: CompactRange | None,
    keys: list[VerifyKey],
    covered: str,
) -> tuple[Checkpoint | None, CompactRange | None, str | None]:
    """Check a checkpoint record at *seq*: its note's signature and that it binds every member.

    *line* is the record's line as read (with or without its newline). No later
    signature covers the bytes of a log's last checkpoint, so the line must be
    exactly the one the writer renders from its members: another spelling of the
    same JSON (spaces, escapes, a duplicated member hiding text) is refused.

    Returns:
        The checkpoint, its frontier and None; or what is wrong as the third item.
    """
    note = record.get("checkpoint")
    if not isinstance(note, str):
        return None, None, "a checkpoint without its signed note"
    try:
        checkpoint = verify_checkpoint(note, key=keys)
    except CheckpointError as exc:
        return None, None, _why_unsigned(note, exc, covered, keys)
    frontier = _frontier(record, seq)
    mismatch = None
    if set(record) != _CHECKPOINT_MEMBERS:
        mismatch = "it carries members the signature does not cover"
    elif checkpoint.signers != (checkpoint.origin,):
        mismatch = _extra_lines(checkpoint)
    elif checkpoint.size != seq:
        mismatch = f"it was signed for tree size {checkpoint.size}, not {seq}"
    elif log_id is None or checkpoint.log_id != log_id:
        mismatch = "it was signed for another log"
    elif (
        record.get("log_id") != checkpoint.log_id
        or record.get("time") != checkpoint.time
        or record.get("root") != checkpoint.root.hex()
    ):
        mismatch = "its unsigned copies of the log id, time or root were changed"
    elif frontier is None or frontier.root() != checkpoint.root:
        mismatch = "its Merkle frontier does not give the signed root"
    elif not _canonical(record, line):
        mismatch = "its line is not the writer's form of its members (re-serialised)"
    elif tree is not None and tree.size == seq and tree.root() != checkpoint.root:
        mismatch = f"the Merkle root of {covered} is not the signed one"
    if mismatch is not None:
        return None, None, f"{mismatch}: {covered} may have been rewritten"
    return checkpoint, frontier, None


def _canonical(record: dict[str, Any], line: bytes) -> bool:
    """True if *line* is byte for byte the checkpoint line the writer renders from *record*."""
    members = {name: record[name] for name in ("time", "log_id", "root", "frontier", "checkpoint")}
    expected, _ = frame(record["seq"], record["prev"], "checkpoint", render_body(members))
    return line.removesuffix(b"\n") == expected.removesuffix(b"\n")


def _frontier(record: dict[str, Any], seq: int) -> CompactRange | None:
    frontier = record.get("frontier")
    if not isinstance(frontier, list) or not all(isinstance(h, str) for h in frontier):
        return None
    try:
        return CompactRange.from_hex(seq, frontier)
    except ValueError:
        return None


def _key_id_of(encoded: str) -> bytes:
    try:
        return base64.b64decode(encoded, validate=True)[:4]
    except (binascii.Error, ValueError):
        return b""


def _log_id_of(path: Path) -> str | None:
    """The log id in the segment record that begins *path*, if it can be read."""
    try:
        with path.open("rb") as file:
            first = json.loads(file.readline())
    except (OSError, ValueError):
        return None
    if isinstance(first, dict) and first.get("kind") == "segment":
        log_id = first.get("log_id")
        return log_id if isinstance(log_id, str) else None
    return None


def _group(files: list[Path]) -> dict[str | None, list[tuple[int, Path]]]:
    """Files by the log they begin with; unreadable ones go with the file before them."""
    groups: dict[str | None, list[tuple[int, Path]]] = {}
    current: str | None = None
    ids = [_log_id_of(path) for path in files]
    for index, path in enumerate(files):
        log_id = ids[index]
        if log_id is None:
            log_id = current if current is not None else next((i for i in ids if i), None)
        current = log_id
        groups.setdefault(log_id, []).append((index, path))
    return groups


def _read_chain(  # noqa: PLR0912, PLR0915 (the hot loop is kept in one place for speed)
    verifier: _Verifier,
    files: list[tuple[int, Path]],
    progress: Callable[[int, int], None] | None,
    done: list[int],
    *,
    trust_merkle: bool,
) -> None:
    """Feed every line of *files* (one log, in chain order) to *verifier*.

    With *trust_merkle*, event lines on the common path are not hashed for
    their own ``hash`` member: the signed Merkle root of the next checkpoint
    covers their exact bytes. :func:`verify` uses that only for a first pass
    and repeats the full check whenever that pass finds anything at all, so
    a report with findings always comes from checking every line's hash.
    """
    hashes = verifier.hashes
    sha256 = hashlib.sha256
    total = done[1]
    for position, (index, path) in enumerate(files):
        verifier.file_index = index
        name = str(path)
        last_file = position == len(files) - 1
        counts = verifier.file_counts[name] = [0, None, None, 0]
        try:
            handle = path.open("rb")
        except OSError as exc:
            verifier.report("missing_file", name, None, None, f"cannot be read: {exc.strerror}")
            continue
        fast = 0
        number = 0
        # The exact bytes the next record starts with if it is the common
        # case: the expected event, linked to the last record.
        head, seq = verifier.next_head()
        # The Merkle compact range, unrolled into locals on the common path.
        tree = verifier.tree
        nodes: list[bytes] = tree.hashes if tree is not None else []
        size = tree.size if tree is not None else 0
        with handle:
            for number, raw in enumerate(handle, 1):
                if progress is not None:
                    done[0] += len(raw)
                    if done[0] >= done[2]:
                        progress(done[0], total)
                        done[2] = done[0] + (1 << 22)
                if (
                    head is not None
                    and raw.startswith(head)
                    and raw.endswith(b'"}\n')
                    and raw[_HASH_KEY_AT:_HASH_AT] == HASH_KEY
                ):
                    hex_digest = raw[_HASH_AT:-3]
                    digest = hex_digest.decode("ascii", "replace")
                    if trust_merkle or sha256(raw[:_HASH_KEY_AT]).hexdigest() == digest:
                        if not fast and counts[1] is None:
                            counts[1] = seq
                        hashes[seq] = (digest, name, number)
                        node = sha256(b"\x00" + raw[:-1]).digest()
                        carry = size
                        while carry & 1:
                            node = sha256(b"\x01" + nodes.pop() + node).digest()
                            carry >>= 1
                        nodes.append(node)
                        size += 1
                        verifier.last_seq = seq
                        fast += 1
                        if not seq % _WINDOW:
                            verifier.forget(seq)
                        if verifier.unsealed_from is None:
                            verifier.unsealed_from = seq
                        seq += 1
                        verifier.expected = seq
                        head = _EVENT_HEAD % (seq, hex_digest)
                        continue
                if tree is not None:
                    tree.size = size
                verifier.line(name, number, raw, last_file=last_file)
                head, seq = verifier.next_head()
                tree = verifier.tree
                nodes = tree.hashes if tree is not None else []
                size = tree.size if tree is not None else 0
            if tree is not None:
                tree.size = size
            if fast:
                counts[0] += fast
                verifier.records += fast
                counts[2] = verifier.last_seq
        if number == 0:
            verifier.report("modified", name, None, None, "the file is empty")


def verify(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    key: VerifyKey | Sequence[VerifyKey],
    anchor: AnchorStore | None = None,
    expected_log_ids: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> VerifyReport:
    """Check chained audit logs and say what was changed and where.

    ``ok`` is True only if every record is covered by a valid checkpoint
    signature (the signed Merkle root of the lines before it); with
    *anchor*, if the log matches every anchored checkpoint of its writer;
    with *expected_log_ids*, if exactly the expected logs were found.

    Args:
        paths: The active log file (its rotated files beside it are found),
            a directory (every ``*.jsonl`` in it), or a list of files. Files
            are grouped by the log they belong to and read in chain order
            (their segment records), whatever order they are given in.
        key: The checkpoint key, or several (after key rotation): an Ed25519
            public key (enough), its private key, or HMAC key bytes.
        anchor: The anchor store the writer used; without it a cut-off tail
            cannot be told from a log that simply ended. Every log found must
            be known to it (:meth:`AnchorStore.log_ids`).
        expected_log_ids: The logs that must be there (one per writer):
            a missing one is ``missing_log``, any other ``unknown_log``, and
            their anchors are looked up by these ids, not by what the files
            declare. Without it, the files must hold exactly one log.
        progress: Called as ``progress(bytes_done, bytes_total)`` about every
            4 MiB and at the end.

    Returns:
        A :class:`VerifyReport`: ``ok`` is False if any error was found; every
        finding has its file, line and sequence number.

    .. versionchanged:: 0.2
       Records no valid checkpoint covers are an error (``unsealed``,
       "no checkpoint yet"); every anchor is checked; *expected_log_ids*.
    """
    keys = [key] if not isinstance(key, Sequence) or isinstance(key, bytes) else list(key)
    for item in keys:
        key_id(item)  # rejects what is not a key, with a clear error
    if isinstance(expected_log_ids, (str, bytes)):
        # frozenset("abc") would expect the logs "a", "b" and "c".
        raise ArgumentTypeError(
            "expected_log_ids must be a collection of log ids, not one string",
            argument="expected_log_ids",
        )
    expected = None if expected_log_ids is None else frozenset(expected_log_ids)
    given: object = paths  # typed as paths, but a caller may pass anything
    if not isinstance(given, (str, os.PathLike, Iterable)) or isinstance(given, bytes):
        raise ArgumentTypeError(
            f"paths must be a path or paths, not {type(paths).__name__}", argument="paths"
        )
    files = _collect(paths)
    total = sum(p.stat().st_size for p in files if p.is_file())
    try:
        report = _run(paths, files, keys, anchor, expected, None, total, trust_merkle=True)
    except _Found:
        pass
    else:
        if progress is not None:
            progress(total, total)
        return report
    # Something was found: check every line's own hash too, for precise findings.
    return _run(paths, files, keys, anchor, expected, progress, total, trust_merkle=False)


def _run(  # noqa: PLR0912, PLR0915, PLR0917 (the checks of every log, in one place)
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    files: list[Path],
    keys: list[VerifyKey],
    anchor: AnchorStore | None,
    expected: frozenset[str] | None,
    progress: Callable[[int, int], None] | None,
    total: int,
    *,
    trust_merkle: bool,
) -> VerifyReport:
    done = [0, total, 1 << 22]
    problems: list[tuple[int, int, Problem]] = []
    file_counts: dict[str, list[Any]] = {}
    groups = _group(files)
    last_name = str(files[-1]) if files else str(paths)
    main_id = next((log_id for log_id, group in groups.items() if group[-1][1] == files[-1]), None)
    verifiers: dict[str | None, _Verifier] = {}
    for log_id, group in groups.items():
        verifier = _Verifier(keys, problems, file_counts)
        verifier.first_pass = trust_merkle
        verifiers[log_id] = verifier
        _read_chain(verifier, group, progress, done, trust_merkle=trust_merkle)
        verifier.finish()
    main = verifiers.get(main_id) or _Verifier(keys, problems, file_counts)
    main.first_pass = trust_merkle
    main.file_index = len(files)
    known: frozenset[str] | None = None
    if anchor is not None:
        try:
            known = frozenset(anchor.log_ids())
        except Exception as exc:  # noqa: BLE001 (a store failure is a finding, not a crash)
            main.report(
                "unknown_log",
                last_name,
                None,
                None,
                f"the anchor store cannot list its logs: {type(exc).__name__}",
            )
            known = frozenset()
    found_anchor: Anchor | None = None
    main_anchors: Sequence[Anchor] = ()
    for log_id, verifier in verifiers.items():
        verifier.file_index = len(files)
        group_last = verifier.last_file = str(groups[log_id][-1][1])
        name = log_id if log_id is not None else "(unreadable)"
        if expected is not None and log_id not in expected:
            verifier.report(
                "unknown_log",
                group_last,
                None,
                None,
                f"log {name} is not one of the expected logs (substituted or mixed in)",
            )
        elif expected is None and log_id != main_id:
            verifier.report(
                "unknown_log",
                group_last,
                None,
                None,
                f"files of another log ({name}) are mixed into log {main_id}",
            )
        if anchor is not None and log_id is None:
            verifier.report(
                "unknown_log",
                group_last,
                None,
                None,
                "the files name no log (no segment record): they cannot be matched with any anchor",
            )
        if anchor is not None and log_id is not None and known is not None:
            if log_id not in known:
                verifier.report(
                    "unknown_log",
                    group_last,
                    None,
                    None,
                    f"the anchor store has never seen log {log_id}: not a log of this writer",
                )
            else:
                held = _anchors_of(anchor, log_id, verifier)
                newest = verifier.check_anchors(held, group_last)
                if log_id == main_id:
                    found_anchor = newest
                    main_anchors = held
        verifier.seal_state(group_last)
    for log_id in sorted((expected or frozenset()) - set(verifiers)):
        main.report(
            "missing_log",
            last_name,
            None,
            None,
            f"expected log {log_id} was not found: a writer's files are missing or replaced",
        )
        if anchor is not None:
            absent = _Verifier(keys, problems, file_counts)
            absent.first_pass = trust_merkle
            absent.file_index = len(files)
            absent.check_anchors(_anchors_of(anchor, log_id, absent), last_name)
    if anchor is not None and expected is None and known and main_anchors:
        given = groups[main_id][-1][1].name if main_id in groups else ""
        _report_predecessors(
            anchor, known - set(verifiers), main_anchors, keys, main, last_name, given
        )
    if progress is not None:
        progress(total, total)
    ordered = [p for *_, p in sorted(problems, key=lambda item: (item[0], item[1]))]
    found_problems = tuple(p for p in ordered if not p.is_warning)
    warnings = tuple(p for p in ordered if p.is_warning)
    summaries = tuple(
        FileSummary(file=name, records=c[0], first_seq=c[1], last_seq=c[2], problems=c[3])
        for name, c in file_counts.items()
    )
    if not files:
        found_problems = (
            Problem(
                kind="missing_file",
                file=str(paths),
                line=None,
                seq=None,
                message="no log files found",
            ),
            *found_problems,
        )
    return VerifyReport(
        ok=not found_problems,
        records=sum(v.records for v in verifiers.values()),
        files=summaries,
        problems=found_problems,
        warnings=warnings,
        checkpoints=sum(v.checkpoints for v in verifiers.values()),
        sealed_seq=main.sealed_seq,
        unsealed=0
        if main.unsealed_from is None or main.last_seq is None
        else main.last_seq - main.unsealed_from + 1,
        begins_seq=main.first[0] if main.first is not None else None,
        log_id=main.log_id,
        log_ids=tuple(sorted(i for i in verifiers if i is not None)),
        anchor=found_anchor,
    )


def _anchors_of(store: AnchorStore, log_id: str, verifier: _Verifier) -> Sequence[Anchor]:
    try:
        return store.anchors(log_id)
    except Exception as exc:  # noqa: BLE001 (a store failure is a finding, not a crash)
        verifier.report(
            "truncated",
            verifier.last_file,
            None,
            None,
            f"the anchors of log {log_id} cannot be read ({type(exc).__name__}): "
            "the log's end cannot be checked",
        )
        return ()


def _anchor_time(anchor: Anchor) -> datetime | None:
    """When the checkpoint of *anchor* was signed, from its note (the fields are not signed)."""
    try:
        return parse_time(Checkpoint.parse(anchor.note).time)
    except (CheckpointError, ValueError):
        return None


def _signed_time(anchor: Anchor, keys: list[VerifyKey]) -> datetime | None:
    """When the checkpoint of *anchor* was signed, if one of *keys* signed it for its log."""
    try:
        checkpoint = verify_checkpoint(anchor.note, key=keys)
        if checkpoint.log_id != anchor.log_id:
            return None
        return parse_time(checkpoint.time)
    except (CheckpointError, ValueError):
        return None


def _sealed_by(held: Sequence[Anchor], latest: Anchor, ids: set[str]) -> str:
    """Which key sealed the log of the anchors *held*, in words.

    Whatever key sealed it: a writer restarted with a new key after its log
    was wiped leaves exactly such a log behind.
    """
    if {a.key_id for a in held} & ids:
        return "with this key"
    return f"with another key (key id {latest.key_id}, not one of the keys given)"


def _report_predecessors(  # noqa: PLR0917 (the facts of one check)
    store: AnchorStore,
    others: Iterable[str],
    main_anchors: Sequence[Anchor],
    keys: list[VerifyKey],
    main: _Verifier,
    last_name: str,
    given: str,
) -> None:
    """Report logs the store holds of this log's file that ended before it began or began after it.

    A writer that finds its active file gone starts a new log with a new id,
    so deleting an unrotated log and restarting the service leaves a log
    that matches its own anchors. The store still holds the old one: a log
    of the same file name, signed by the same key, whose every anchor is
    older than this log's first. Put the other way round, a copy of an
    older log restored in place of the current one matches its own anchors
    too: the store holds the current log, of the same file name and key,
    whose every anchor is newer than this log's last. Whatever key sealed
    the other log: a writer restarted with a new key after its log was wiped
    is the same attack, and the verifier may hold only the new key. Another
    writer's log differs in its file name, or was still being sealed while
    this log ran; a fleet whose writers share a file name (each with its own
    key, one after the other) names the logs it expects with
    ``expected_log_ids``. And a log of another file put in place of this one
    (its anchors never name *given*, the file it was found in) leaves the
    store's log of that file missing. Times are those of checkpoints signed by
    one of *keys*: an anchor's text is anyone's who can append to the store,
    so a log that only anchors of other keys show running beside this one is
    reported too.
    """
    # A stream or logging sink names no file: each start of such a writer is a new log.
    # An anchor's file is not signed: a copy of one with another file is
    # stored after the writer's own anchor of its size (ties keep the order
    # stored), so the file this log was written to is what the first says.
    firsts: dict[int, Anchor] = {}
    for anchor in main_anchors:
        firsts.setdefault(anchor.seq, anchor)
    files = {a.file for a in firsts.values()} - {""}
    ids = {key_id(k) for k in keys}
    # This log's own anchors not signed by a key given are reported as such
    # (check_anchors); when it began and ended is what the signed ones say.
    begins = [t for t in (_signed_time(a, keys) for a in main_anchors) if t is not None] or [
        t for t in map(_anchor_time, main_anchors) if t is not None
    ]
    if not begins:
        return
    start, end = min(begins), max(begins)
    for log_id in sorted(others):
        try:
            held = store.anchors(log_id)
        except Exception as exc:  # noqa: BLE001 (a store failure is a finding, not a crash)
            # Skipping the log would pass a wiped or substituted log whenever the
            # store fails on the one log that shows it: the check fails closed.
            main.report(
                "missing_log",
                last_name,
                None,
                None,
                f"the anchors of log {log_id} cannot be read ({type(exc).__name__}): whether "
                "it is this writer's missing or replaced log cannot be checked (name the logs "
                "to verify with expected_log_ids to check only those)",
            )
            continue
        if not held:
            continue
        claimed = [t for t in map(_anchor_time, held) if t is not None]
        if not claimed:
            continue
        # Anyone who can append to the store can add an anchor that claims any
        # time and file: an anchor naming this file makes its log this file's
        # log, and only a signature by a key given proves when it was sealed.
        held_files = {a.file for a in held}
        if not held_files & files:
            if given and given not in files and given in held_files:
                latest = held[-1]
                main.report(
                    "missing_log",
                    last_name,
                    None,
                    None,
                    f"the anchor store holds log {log_id}, written to {given} "
                    f"{_sealed_by(held, latest, ids)} and sealed up to record {latest.seq - 1} "
                    f"({latest.seq} records), and none of the files given holds it, while the "
                    f"log found in {given} was written to {', '.join(sorted(files))}: another "
                    "log was put in place of this one (if the files were renamed, name the logs "
                    "to verify with expected_log_ids)",
                )
            continue
        # Signatures are checked only for the logs of this file: few.
        verified = {id(a): t for a in held if (t := _signed_time(a, keys)) is not None}
        signed_times = list(verified.values())
        times = signed_times or claimed
        latest = next((a for a in reversed(held) if id(a) in verified), held[-1])
        signed = (
            "with this key"
            if verified
            else f"with another key (key id {latest.key_id}, not one of the keys given)"
        )
        if min(times) > end:
            main.report(
                "missing_log",
                last_name,
                None,
                None,
                f"the anchor store holds log {log_id}, written to {latest.file} {signed}, "
                f"begun after this log's last checkpoint and sealed up to record {latest.seq - 1} "
                f"({latest.seq} records, checkpoint of {latest.time}), and none of the files "
                "given holds it: an older log was put in place of the current one, or the "
                "current log's files are missing (if it is another writer's log, name the logs "
                "to verify with expected_log_ids)",
            )
            continue
        if max(times) > start:
            if signed_times:
                continue  # it was sealing while this log ran: another writer's log
            main.report(
                "missing_log",
                last_name,
                None,
                None,
                f"the anchor store holds log {log_id}, written to {latest.file} {signed}, "
                f"whose anchors claim it was sealed while this log ran, up to record "
                f"{latest.seq - 1}, but none of them is signed by a key given, so that is "
                "no proof, and none of the files given holds it: the log may have been "
                "removed and its writer restarted (if it is another writer's log, give its key "
                "or name the logs to verify with expected_log_ids)",
            )
            continue
        main.report(
            "missing_log",
            last_name,
            None,
            None,
            f"the anchor store holds log {log_id}, written to {latest.file} {signed} and "
            f"sealed up to record {latest.seq - 1} ({latest.seq} records, checkpoint of "
            f"{latest.time}) before this log began, and none of the files given holds it: the "
            "log was removed and its writer restarted (with a new key, too, if another key "
            "sealed it), or its files are missing (if it is another writer's log, name the "
            "logs to verify with expected_log_ids)",
        )
