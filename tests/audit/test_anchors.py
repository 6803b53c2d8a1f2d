"""Anchor stores as the verifier and the writer meet them: failing, lagging, forged."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    Anchor,
    AnchorMismatch,
    AuditLogger,
    Checkpoint,
    FileAnchorStore,
    FileSink,
    MemoryAnchorStore,
    key_id,
    read_records,
    verify,
)
from secpolicy.audit._note import make_checkpoint
from secpolicy.audit._sinks import Tail
from secpolicy.exceptions import AuditWriteError, PolicyConfigError
from secpolicy.retention import Period, RetentionRule, RetentionSchedule
from tests.audit.conftest import KEY, START
from tests.audit.test_faults import FlakyStore

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}
PUBLIC = KEY.public_key()


class BrokenStore(MemoryAnchorStore):
    """A store whose reads fail."""

    def __init__(self, *, listing: bool = True, reading: bool = True) -> None:
        super().__init__()
        self.listing = listing
        self.reading = reading

    def log_ids(self) -> frozenset[str]:
        """Fail when told to."""
        if not self.listing:
            raise ConnectionError("down")
        return super().log_ids()

    def anchors(self, log_id: str) -> tuple[Anchor, ...]:
        """Fail when told to."""
        if not self.reading:
            raise ConnectionError("down")
        return super().anchors(log_id)

    def latest(self, log_id: str) -> Anchor | None:
        """Fail when reads fail."""
        if not self.reading:
            raise ConnectionError("down")
        return super().latest(log_id)


def _log(make_logger: Callable[..., AuditLogger], store: MemoryAnchorStore, tmp_path: Path) -> Path:
    audit = make_logger(anchor=store, checkpoint_every=5)
    for _ in range(12):
        audit.login(**ADDR)
    audit.close()
    return tmp_path / "audit.jsonl"


def _kinds(report_problems: Sequence[object]) -> list[str]:
    return [getattr(p, "kind", "") for p in report_problems]


class TestVerifierAndStores:
    def test_a_failing_store_is_a_finding(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A store that cannot list or read its anchors fails verification, never crashes it."""
        store = BrokenStore()
        path = _log(make_logger, store, tmp_path)
        store.listing = False
        assert "unknown_log" in _kinds(verify(path, key=PUBLIC, anchor=store).problems)
        store.listing, store.reading = True, False
        report = verify(path, key=PUBLIC, anchor=store)
        assert "truncated" in _kinds(report.problems)
        assert "cannot be read" in report.problems[0].message

    def test_forged_and_mismatched_anchors(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """An anchor not signed by the key, or whose note is of another size, is reported."""
        path = _log(make_logger, anchor, tmp_path)
        log_id = verify(path, key=PUBLIC).log_id
        assert log_id is not None
        latest = anchor.latest(log_id)
        assert latest is not None
        forged = attrs.evolve(
            latest, seq=latest.seq + 100, note=latest.note.replace("time", "time x")
        )
        anchor.put(forged)
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert "not signed by the given key" in report.problems[0].message
        other = MemoryAnchorStore()
        for held in anchor.anchors(log_id)[:-1]:
            other.put(held)
        other.put(attrs.evolve(latest, seq=latest.seq + 1))
        report = verify(path, key=PUBLIC, anchor=other)
        assert "does not match its own note" in report.problems[0].message

    def test_pruned_anchors_are_not_required(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """An anchor of a size below where a pruned log begins is not missing."""
        path = _log(make_logger, anchor, tmp_path)
        log_id = verify(path, key=PUBLIC).log_id
        assert log_id is not None
        early = make_checkpoint(log_id=log_id, size=0, root=b"\0" * 32, time="t", key=KEY)
        anchor.put(
            Anchor(
                log_id=log_id,
                seq=0,
                head="0" * 64,
                hash="0" * 64,
                time="t",
                alg="ed25519",
                key_id="k",
                root="00" * 32,
                note=early.note,
                file="audit.jsonl",
            )
        )
        assert "rollback" in _kinds(verify(path, key=PUBLIC, anchor=anchor).problems)


class TestWriterAndStores:
    def test_unreadable_store_refuses_to_open(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """If the newest anchor cannot be read, an existing log is not continued."""
        store = BrokenStore()
        _log(make_logger, store, tmp_path)
        store.reading = False
        with pytest.raises(AuditWriteError, match="cannot read the newest anchor"):
            make_logger(anchor=store)

    def test_lagging_store_gets_the_missed_checkpoint(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """A checkpoint the store missed before a restart is anchored on reopening."""
        path = _log(make_logger, MemoryAnchorStore(), tmp_path)
        log_id = verify(path, key=PUBLIC).log_id
        assert log_id is not None
        assert anchor.latest(log_id) is None
        make_logger(anchor=anchor).close()
        latest = anchor.latest(log_id)
        assert latest is not None
        checkpoints = [r["seq"] for r in read_records(path, kinds=("checkpoint",))]
        assert latest.seq == checkpoints[-1]
        assert verify(path, key=PUBLIC, anchor=anchor).ok
        lagging = MemoryAnchorStore()
        lagging.put(anchor.anchors(log_id)[0])
        again = make_logger(anchor=lagging)
        again.close()
        assert lagging.latest(log_id) == anchor.latest(log_id)

    def test_malformed_last_checkpoint_refuses_to_continue(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A last checkpoint whose note is not a checkpoint stops the writer from continuing."""
        import hashlib

        path = _log(make_logger, MemoryAnchorStore(), tmp_path)
        lines = path.read_bytes().splitlines(keepends=True)
        record = json.loads(lines[-1])
        record["checkpoint"] = "not a note\n"
        text = json.dumps({k: v for k, v in record.items() if k != "hash"}, separators=(",", ":"))
        prefix = text[:-1].encode()
        lines[-1] = prefix + b',"hash":"' + hashlib.sha256(prefix).hexdigest().encode() + b'"}\n'
        path.write_bytes(b"".join(lines))
        with pytest.raises(AuditWriteError, match="malformed"):
            make_logger()


class TestAnchorRecords:
    def test_from_dict_refuses_bad_values(self) -> None:
        """Anchors from a store are checked: fields, types."""
        good = {
            "log_id": "a",
            "seq": 1,
            "head": "h",
            "hash": "x",
            "time": "t",
            "alg": "ed25519",
            "key_id": "k",
            "root": "r",
            "note": "n",
            "file": "f",
        }
        assert Anchor.from_dict(good).to_dict() == good
        with pytest.raises(PolicyConfigError, match="seq"):
            Anchor.from_dict({**good, "seq": "1"})
        with pytest.raises(PolicyConfigError, match="fields"):
            Anchor.from_dict({**good, "sig": "s"})
        with pytest.raises(PolicyConfigError, match="root"):
            Anchor.from_dict({**good, "root": 3})

    def test_file_store_lists_logs_and_keeps_every_anchor(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A file store keeps each anchor once, in order, and lists its logs."""
        store = FileAnchorStore(tmp_path / "anchors" / "a.jsonl")
        path = _log(make_logger, store, tmp_path)  # type: ignore[arg-type]
        log_id = verify(path, key=PUBLIC).log_id
        assert store.log_ids() == frozenset({log_id})
        held = store.anchors(str(log_id))
        store.put(held[0])  # again: at-least-once
        assert store.anchors(str(log_id)) == held
        assert [a.seq for a in held] == sorted(a.seq for a in held)
        assert verify(path, key=PUBLIC, anchor=store).ok


OPTIONS: dict[str, Any] = {
    "key": KEY,
    "seal_idle": False,
    "checkpoint_every": 5,
    "checkpoint_interval": None,
    "rotate_every": timedelta(days=30),
    "lifecycle_events": False,
}
SINK_OPTIONS = {k: v for k, v in OPTIONS.items() if k != "rotate_every"}
MONTH = timedelta(days=31)


def _month(audit: AuditLogger, clock: FrozenClock, tag: str) -> None:
    for i in range(8):
        audit.login(user_id=f"{tag}-{i}", ip="203.0.113.9", port=1000 + i)
    clock.advance(MONTH)


def _forked(tmp_path: Path, *, keep_months: int | None) -> tuple[Path, MemoryAnchorStore]:
    """History A anchored in the returned store; B, a copy forked from A, sealed further elsewhere.

    B's newest checkpoint is signed by the writer's key and lies past A's newest
    anchor, which B does not contain. With *keep_months*, B was pruned.
    """
    store = MemoryAnchorStore()
    clock = FrozenClock(START)
    a_path = tmp_path / "a" / "audit.jsonl"
    with AuditLogger.to_file(a_path, anchor=store, clock=clock, **OPTIONS) as audit:
        _month(audit, clock, "m0")
        _month(audit, clock, "m1")
    shutil.copytree(a_path.parent, tmp_path / "b")
    forked_at = clock.now()
    with AuditLogger.to_file(a_path, anchor=store, clock=clock, **OPTIONS) as audit:
        _month(audit, clock, "a2")
    b_clock = FrozenClock(forked_at)
    b_path = tmp_path / "b" / "audit.jsonl"
    with AuditLogger.to_file(b_path, anchor=MemoryAnchorStore(), clock=b_clock, **OPTIONS) as audit:
        for month in range(2, 5):
            _month(audit, b_clock, f"b{month}")
        if keep_months is not None:
            schedule = RetentionSchedule(
                [
                    RetentionRule(
                        category="audit_log", keep=Period(months=keep_months), citation="t"
                    )
                ],
                tz="UTC",
            )
            assert audit.prune(schedule, now=b_clock.now())
    return b_path, store


class DelegatingSink:
    """A custom sink (not a FileSink) over a file sink, with or without lines()."""

    def __init__(self, path: Path, *, readable: bool) -> None:
        self.inner = FileSink(path)
        if readable:
            self.lines = self.inner.lines

    def open(self) -> Tail:
        """Open the file."""
        return self.inner.open()

    def write(self, line: bytes) -> None:
        """Append to the file."""
        self.inner.write(line)

    def close(self) -> None:
        """Close the file."""
        self.inner.close()


class TestForkChecks:
    def test_a_forked_copy_is_refused(self, tmp_path: Path) -> None:
        """A signed copy that forked from the anchored history is not continued."""
        path, store = _forked(tmp_path, keep_months=None)
        before = path.read_bytes()
        with pytest.raises(AnchorMismatch, match="forked"):
            AuditLogger.to_file(path, anchor=store, **OPTIONS)
        assert path.read_bytes() == before

    def test_a_pruned_forked_copy_is_refused(self, tmp_path: Path) -> None:
        """Pruning does not switch the fork check off: the kept frontier gives the roots."""
        path, store = _forked(tmp_path, keep_months=4)
        report = verify(path, key=PUBLIC)
        assert report.begins_seq is not None
        assert report.begins_seq > 0
        latest = store.latest(str(report.log_id))
        assert latest is not None
        assert latest.seq >= report.begins_seq  # the anchored size is in the kept part
        with pytest.raises(AnchorMismatch, match="forked"):
            AuditLogger.to_file(path, anchor=store, **OPTIONS)

    def test_an_anchor_inside_the_pruned_part_cannot_be_checked(self, tmp_path: Path) -> None:
        """If the newest anchor lies in pruned records, the log is refused, not trusted."""
        path, store = _forked(tmp_path, keep_months=1)
        report = verify(path, key=PUBLIC)
        latest = store.latest(str(report.log_id))
        assert latest is not None
        assert report.begins_seq is not None
        assert latest.seq < report.begins_seq
        with pytest.raises(AnchorMismatch, match="pruned"):
            AuditLogger.to_file(path, anchor=store, **OPTIONS)

    def test_a_lagging_store_of_a_pruned_log_is_caught_up(self, tmp_path: Path) -> None:
        """The legitimate case still works on a pruned log: the missed checkpoint is anchored."""
        path, _ = _forked(tmp_path, keep_months=4)
        log_id = str(verify(path, key=PUBLIC).log_id)
        checkpoints = [r["seq"] for r in read_records(path, kinds=("checkpoint",))]
        lagging = MemoryAnchorStore()
        full = MemoryAnchorStore()
        AuditLogger.to_file(path, anchor=full, **OPTIONS).close()
        for held in full.anchors(log_id):
            if held.seq < checkpoints[-1]:
                lagging.put(held)
        lagging.put(_anchor_at(path, checkpoints[-3], log_id))
        AuditLogger.to_file(path, anchor=lagging, **OPTIONS).close()
        newest = lagging.latest(log_id)
        assert newest is not None
        assert newest.seq == checkpoints[-1]

    @pytest.mark.parametrize("readable", [False, True])
    def test_custom_sinks_are_checked_too(self, tmp_path: Path, readable: bool) -> None:
        """A sink that is not a FileSink is read back through lines(), or refused without it."""
        path, store = _forked(tmp_path, keep_months=None)
        sink = DelegatingSink(path, readable=readable)
        with pytest.raises(AnchorMismatch, match="forked" if readable else "cannot read"):
            AuditLogger.with_sink(sink, anchor=store, **SINK_OPTIONS)
        assert sink.inner._fd is None  # released

    def test_damaged_newest_anchor_or_unreadable_log_is_refused(self, tmp_path: Path) -> None:
        """A newest anchor that is no note, or a log that reads back out of order, is refused."""
        path, store = _forked(tmp_path, keep_months=None)
        log_id = str(verify(path, key=PUBLIC).log_id)
        latest = store.latest(log_id)
        assert latest is not None
        damaged = MemoryAnchorStore()
        damaged.put(attrs.evolve(latest, note="not a note\n"))
        with pytest.raises(AnchorMismatch, match="damaged"):
            AuditLogger.to_file(path, anchor=damaged, **OPTIONS)
        sink = DelegatingSink(path, readable=True)
        lines = list(sink.inner.lines())

        def shuffled() -> Iterator[bytes]:
            yield from [lines[0], *lines[2:]]

        sink.lines = shuffled
        with pytest.raises(AnchorMismatch, match="forked"):
            AuditLogger.with_sink(sink, anchor=store, **SINK_OPTIONS)
        last = [r["seq"] for r in read_records(path, kinds=("checkpoint",))][-1]
        at_size = MemoryAnchorStore()
        at_size.put(attrs.evolve(latest, note="not a note\n", seq=last))
        with pytest.raises(AnchorMismatch, match="damaged"):
            AuditLogger.to_file(path, anchor=at_size, **OPTIONS)

    @pytest.mark.parametrize("error", [RuntimeError("reader gone"), OSError(5, "I/O error")])
    def test_a_failing_read_back_is_a_typed_error(self, tmp_path: Path, error: Exception) -> None:
        """A sink whose lines() fails does not open: AuditWriteError, never a pass."""
        path, store = _forked(tmp_path, keep_months=None)
        sink = DelegatingSink(path, readable=True)

        def broken() -> Iterator[bytes]:
            raise error

        sink.lines = broken
        with pytest.raises(AuditWriteError, match="reading its records back") as caught:
            AuditLogger.with_sink(sink, anchor=store, **SINK_OPTIONS)
        assert not isinstance(caught.value, AnchorMismatch)
        assert caught.value.__cause__ is error

    def test_a_custom_sink_of_a_lagging_store_is_caught_up(self, tmp_path: Path) -> None:
        """With lines(), a custom sink's log gets its missed checkpoint anchored."""
        path, _ = _forked(tmp_path, keep_months=None)
        log_id = str(verify(path, key=PUBLIC).log_id)
        checkpoints = [r["seq"] for r in read_records(path, kinds=("checkpoint",))]
        lagging = MemoryAnchorStore()
        lagging.put(_anchor_at(path, checkpoints[-3], log_id))
        sink = DelegatingSink(path, readable=True)
        AuditLogger.with_sink(sink, anchor=lagging, **SINK_OPTIONS).close()
        newest = lagging.latest(log_id)
        assert newest is not None
        assert newest.seq == checkpoints[-1]


def _anchor_at(path: Path, seq: int, log_id: str) -> Anchor:
    """The anchor the writer made of the checkpoint record *seq* of the log at *path*."""
    (record,) = [r for r in read_records(path, kinds=("checkpoint",)) if r["seq"] == seq]
    checkpoint = Checkpoint.parse(record["checkpoint"])
    return Anchor(
        log_id=log_id,
        seq=seq,
        head=record["prev"],
        hash=record["hash"],
        time=checkpoint.time,
        alg="ed25519",
        key_id=key_id(PUBLIC),
        root=checkpoint.root.hex(),
        note=checkpoint.note,
        file="audit.jsonl",
    )


class TestKeyRotation:
    NEW = Ed25519PrivateKey.from_private_bytes(bytes(range(5, 37)))

    def _missed(self, tmp_path: Path) -> tuple[Path, FlakyStore, str]:
        """A log whose last checkpoint (signed with KEY) the store failed to take."""
        store = FlakyStore()
        path = tmp_path / "audit.jsonl"
        audit = AuditLogger.to_file(path, anchor=store, **{**OPTIONS, "rotate_every": None})
        for _ in range(7):
            audit.login(**ADDR)
        store.error = ConnectionError("store down")
        with pytest.raises(AuditWriteError):
            audit.close()
        store.error = None
        return path, store, audit.log_id

    def test_checkpoint_of_the_previous_key_is_anchored_after_rotation(
        self, tmp_path: Path
    ) -> None:
        """Restarted with a new key, the writer anchors the old key's checkpoint it missed."""
        path, store, log_id = self._missed(tmp_path)
        last = [r["seq"] for r in read_records(path, kinds=("checkpoint",))][-1]
        assert store.latest(log_id) is not None
        assert store.latest(log_id).seq < last  # type: ignore[union-attr]
        options = {**OPTIONS, "rotate_every": None, "key": self.NEW}
        with pytest.raises(AnchorMismatch, match="previous_keys"):
            AuditLogger.to_file(path, anchor=store, **options)
        audit = AuditLogger.to_file(path, anchor=store, previous_keys=[PUBLIC], **options)
        audit.checkpoint()  # nothing to seal: hands the pending anchor over
        newest = store.latest(log_id)
        assert newest is not None
        assert (newest.seq, newest.key_id) == (last, key_id(PUBLIC))
        audit.login(**ADDR)
        audit.close()
        newest = store.latest(log_id)
        assert newest is not None
        assert newest.key_id == key_id(self.NEW)
        report = verify(path, key=[PUBLIC, self.NEW.public_key()], anchor=store)
        assert report.ok, report.summary()

    def test_a_store_that_never_saw_the_log(self, tmp_path: Path) -> None:
        """An empty store gets the old key's checkpoint too; a key that signed nothing won't do."""
        path, _, log_id = self._missed(tmp_path)
        fresh = MemoryAnchorStore()
        options = {**OPTIONS, "rotate_every": None, "key": self.NEW}
        stranger = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
        with pytest.raises(AnchorMismatch, match="not signed by this writer's key"):
            AuditLogger.to_file(
                path, anchor=fresh, previous_keys=[stranger.public_key()], **options
            )
        AuditLogger.to_file(path, anchor=fresh, previous_keys=PUBLIC, **options).close()
        newest = fresh.latest(log_id)
        assert newest is not None
        assert newest.key_id == key_id(PUBLIC)
        with pytest.raises(TypeError):
            AuditLogger.to_file(path, anchor=fresh, previous_keys=["nope"], **options)
