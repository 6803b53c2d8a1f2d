"""The chain writer: checkpoints, anchors, rotation, reopening, repair, failures, pruning."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    AuditLogger,
    FileAnchorStore,
    FileSink,
    MemoryAnchorStore,
    read_records,
    rotated_files,
    verify,
)
from secpolicy.exceptions import AuditWriteError
from secpolicy.retention import LegalHold, Period, RetentionRule, RetentionSchedule
from tests.audit.conftest import KEY, START

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}


def _kinds(path: Path) -> list[str]:
    return [str(r["kind"]) for r in read_records(path, kinds=())]


class TestCheckpoints:
    def test_every_n_records(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, anchor: MemoryAnchorStore
    ) -> None:
        """A checkpoint follows every N records and is anchored."""
        audit = make_logger(checkpoint_every=10)
        for _ in range(25):
            audit.login(**ADDR)
        kinds = _kinds(tmp_path / "audit.jsonl")
        assert kinds.count("checkpoint") == 2
        latest = anchor.latest(audit.log_id)
        assert latest is not None
        assert latest.seq == kinds.index("checkpoint", 12)

    def test_every_interval(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, clock: FrozenClock
    ) -> None:
        """A write after the interval seals; an explicit checkpoint() too."""
        audit = make_logger(checkpoint_interval=timedelta(seconds=30))
        audit.login(**ADDR)
        clock.advance(timedelta(seconds=31))
        audit.login(**ADDR)
        assert _kinds(tmp_path / "audit.jsonl").count("checkpoint") == 1
        audit.login(**ADDR)
        audit.checkpoint()
        audit.checkpoint()  # nothing unsealed: no-op
        assert _kinds(tmp_path / "audit.jsonl").count("checkpoint") == 2

    def test_idle_sealer_thread(self, tmp_path: Path) -> None:
        """The background sealer starts and stops with the logger."""
        audit = AuditLogger.to_file(
            tmp_path / "a.jsonl", key=KEY, checkpoint_interval=timedelta(hours=1)
        )
        sealer = audit._logger._sealer
        assert sealer is not None
        assert sealer.is_alive()
        audit.close()
        assert not sealer.is_alive()

    def test_hmac_key(self, make_logger: Callable[..., AuditLogger], tmp_path: Path) -> None:
        """HMAC checkpoints verify with the same key and fail with another."""
        key = bytes(range(32))
        audit = make_logger(key=key)
        audit.login(**ADDR)
        audit.close()
        assert verify(tmp_path / "audit.jsonl", key=key).ok
        report = verify(tmp_path / "audit.jsonl", key=bytes(32))
        assert [p.kind for p in report.problems] == ["bad_checkpoint", "unsealed"]

    @pytest.mark.parametrize(
        ("options", "match"),
        [
            ({"key": b"short"}, "at least 32 bytes"),
            ({"key": "secret"}, "key must be"),
            ({"key": KEY.public_key()}, "public key cannot sign"),
            ({"checkpoint_every": 0}, "checkpoint_every"),
            ({"checkpoint_interval": timedelta(0)}, "checkpoint_interval"),
            ({"fsync": "sometimes"}, "fsync must be"),
            ({"fsync": 0}, "fsync must be"),
            ({"rotate_bytes": 10}, "rotate_bytes"),
            ({"rotate_every": timedelta(0)}, "rotate_every"),
        ],
    )
    def test_bad_options(
        self, make_logger: Callable[..., AuditLogger], options: dict[str, object], match: str
    ) -> None:
        """Bad options fail at construction, naming the option."""
        with pytest.raises((TypeError, ValueError), match=match):
            make_logger(**options)


class TestRotation:
    def test_by_size_keeps_one_chain(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, anchor: MemoryAnchorStore
    ) -> None:
        """Rotated files carry one chain that verifies as a whole."""
        audit = make_logger(rotate_bytes=4096)
        for i in range(60):
            audit.publish(**ADDR, message_id=str(i), title="t")
        audit.close()
        files = rotated_files(tmp_path / "audit.jsonl")
        assert len(files) >= 3
        report = verify(tmp_path / "audit.jsonl", key=KEY.public_key(), anchor=anchor)
        assert report.ok, report.summary()
        assert len(report.files) == len(files) + 1
        assert [f.first_seq for f in report.files[1:]] == [
            prior.last_seq + 1
            for prior in report.files[:-1]  # type: ignore[operator]
        ]

    def test_by_age(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, clock: FrozenClock
    ) -> None:
        """A file older than rotate_every is rotated on the next write."""
        audit = make_logger(rotate_every=timedelta(days=1), checkpoint_interval=None)
        audit.login(**ADDR)
        clock.advance(timedelta(days=1))
        audit.login(**ADDR)
        audit.close()
        assert [p.name for p in rotated_files(tmp_path / "audit.jsonl")] == ["audit.000000.jsonl"]
        assert verify(tmp_path / "audit.jsonl", key=KEY).ok

    def test_missing_middle_file(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Removing a rotated file is reported where the chain resumes."""
        audit = make_logger(rotate_bytes=4096)
        for i in range(60):
            audit.publish(**ADDR, message_id=str(i), title="t")
        audit.close()
        files = rotated_files(tmp_path / "audit.jsonl")
        files[1].unlink()
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        kinds = {p.kind for p in report.problems}
        assert kinds == {"deleted", "missing_file"}
        assert report.problems[0].file == str(files[2])


class TestReopen:
    def test_chain_continues(self, make_logger: Callable[..., AuditLogger], tmp_path: Path) -> None:
        """Reopening continues the sequence and the chain, with the same log id."""
        first = make_logger()
        first.login(**ADDR)
        first.close()
        second = make_logger()
        second.logout(**ADDR)
        second.close()
        assert second.log_id == first.log_id
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        assert report.ok
        assert report.records == 5

    def test_torn_line_is_repaired_and_recorded(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A torn last line (a crash mid-write) is cut off and the repair recorded."""
        path = tmp_path / "audit.jsonl"
        first = make_logger()
        first.login(**ADDR)
        first.close()
        data = path.read_bytes()
        assert data.count(b"\n") == 3
        with path.open("ab") as file:
            file.write(b'{"seq":3,"prev":"' + data[-67:-65])  # what a crash leaves
        torn = verify(path, key=KEY)
        assert torn.ok
        assert "torn_tail" in [w.kind for w in torn.warnings]
        second = make_logger()
        second.logout(**ADDR)
        second.close()
        records = list(read_records(path, kinds=("repair",)))
        assert records[0]["removed_bytes"] == 19
        report = verify(path, key=KEY)
        assert report.ok, report.summary()
        assert [w.kind for w in report.warnings] == ["repaired"]

    def test_damaged_last_record_refuses_to_continue(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """If the last complete record is damaged the writer fails closed."""
        path = tmp_path / "audit.jsonl"
        first = make_logger()
        first.login(**ADDR)
        first.close()
        data = path.read_bytes()
        path.write_bytes(data[:-10] + b"0" * 9 + b"\n")
        with pytest.raises(AuditWriteError, match="cannot be continued"):
            make_logger()

    def test_not_a_log(self, make_logger: Callable[..., AuditLogger], tmp_path: Path) -> None:
        """A file that is not an audit log is refused, not appended to."""
        (tmp_path / "audit.jsonl").write_text("hello\n")
        with pytest.raises(AuditWriteError, match="not JSON"):
            make_logger()

    def test_continues_after_rotation_crash(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """With only rotated files left (a crash after renaming), the chain goes on."""
        audit = make_logger()
        audit.login(**ADDR)
        audit.close()
        (tmp_path / "audit.jsonl").rename(tmp_path / "audit.000000.jsonl")
        again = make_logger()
        again.login(**ADDR)
        again.close()
        assert verify(tmp_path / "audit.jsonl", key=KEY).ok

    def test_second_writer_is_refused(self, make_logger: Callable[..., AuditLogger]) -> None:
        """One log has one writer."""
        make_logger()
        with pytest.raises(AuditWriteError, match="another writer"):
            make_logger()


class TestFailures:
    def test_write_failure_leaves_no_partial_record(
        self,
        make_logger: Callable[..., AuditLogger],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A failed write raises AuditWriteError, cuts the file back and keeps the chain."""
        audit = make_logger()
        audit.login(**ADDR)
        real_write = os.write

        def half_then_fail(fd: int, data: bytes) -> int:
            if len(data) > 100:
                real_write(fd, bytes(data)[:50])
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_write(fd, data)

        monkeypatch.setattr(os, "write", half_then_fail)
        with pytest.raises(AuditWriteError, match="No space left"):
            audit.login(**ADDR)
        monkeypatch.undo()
        with pytest.raises(AuditWriteError, match="stopped after a write error"):
            audit.login(**ADDR)  # disabled until reopened: no sequence number reused
        audit.close()
        with AuditLogger.to_file(tmp_path / "audit.jsonl", key=KEY, seal_idle=False) as again:
            again.login(**ADDR)
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        assert report.ok, report.summary()
        # The stopped writer could not seal its records; the next one says so.
        assert [(w.kind, w.seq) for w in report.warnings] == [("unvouched", 0)]
        actions = [r["action"] for r in read_records(tmp_path / "audit.jsonl")]
        assert actions == ["auth.login", "audit.start", "auth.login", "audit.stop"]

    def test_fsync_failure_fails_closed(
        self, make_logger: Callable[..., AuditLogger], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """With fsync='always', an fsync error fails the call."""
        audit = make_logger(fsync="always")

        def fail(fd: int) -> None:
            raise OSError(errno.EIO, "I/O error")

        monkeypatch.setattr(os, "fsync", fail)
        with pytest.raises(AuditWriteError, match="fsync"):
            audit.login(**ADDR)

    def test_anchor_failure_fails_closed(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A checkpoint that cannot be anchored fails the call that triggered it."""
        blocker = tmp_path / "not-a-dir"
        blocker.write_text("")
        audit = make_logger(anchor=FileAnchorStore(blocker / "anchors.jsonl"), checkpoint_every=3)
        audit.login(**ADDR)
        with pytest.raises(AuditWriteError, match="anchor"):
            audit.login(**ADDR)  # written (at-least-once), its checkpoint not anchored
        with pytest.raises(AuditWriteError, match="anchor"):
            audit.login(**ADDR)  # refused before writing: the anchor is still pending
        with pytest.raises(AuditWriteError, match="anchor"):
            audit.close()  # the pending checkpoint cannot be anchored either
        assert audit.closed
        assert len(list(read_records(tmp_path / "audit.jsonl"))) == 2

    def test_unopenable_path(self, tmp_path: Path) -> None:
        """A log path that cannot be created raises AuditWriteError."""
        blocker = tmp_path / "file"
        blocker.write_text("")
        with pytest.raises(AuditWriteError, match="cannot open"):
            AuditLogger.to_file(blocker / "audit.jsonl", key=KEY, seal_idle=False)

    def test_fsync_every_n(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: FrozenClock
    ) -> None:
        """fsync=N calls fsync once per N records."""
        calls: list[int] = []
        monkeypatch.setattr(os, "fsync", calls.append)
        sink = FileSink(tmp_path / "a.jsonl", fsync=3)
        audit = AuditLogger.with_sink(
            sink, key=KEY, clock=clock, seal_idle=False, checkpoint_every=1000
        )
        before = len(calls)
        for _ in range(6):
            audit.login(**ADDR)
        assert len(calls) - before == 2
        assert "fsync=3" in repr(sink)


class TestFileAnchorStore:
    def test_round_trip_and_torn_line(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Anchors survive in the file; a torn last line is ignored and closed on the next put."""
        store = FileAnchorStore(tmp_path / "anchors" / "a.jsonl")
        audit = make_logger(anchor=store, checkpoint_every=2)
        audit.login(**ADDR)
        audit.login(**ADDR)
        with store.path.open("ab") as file:
            file.write(b'{"log_id":')
        first = store.latest(audit.log_id)
        assert first is not None
        audit.login(**ADDR)
        audit.login(**ADDR)
        latest = store.latest(audit.log_id)
        assert latest is not None
        assert latest.seq > first.seq
        assert store.latest("other") is None
        assert "a.jsonl" in repr(store)

    def test_garbage_line_is_an_error(self, tmp_path: Path) -> None:
        """A complete line that is not an anchor names the file and line."""
        path = tmp_path / "a.jsonl"
        path.write_text('{"log_id": 1}\n')
        with pytest.raises(Exception, match="line 1"):
            FileAnchorStore(path).latest("x")


class TestPrune:
    def _log(self, make_logger: Callable[..., AuditLogger], clock: FrozenClock) -> AuditLogger:
        audit = make_logger(rotate_every=timedelta(days=30), checkpoint_interval=None)
        for _ in range(5):
            audit.login(**ADDR)
            clock.advance(timedelta(days=31))
        return audit

    def test_prunes_oldest_files_and_records_it(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock, tmp_path: Path
    ) -> None:
        """Files past retention go, oldest first; verification knows where the log begins."""
        audit = self._log(make_logger, clock)
        schedule = RetentionSchedule(
            [
                RetentionRule(
                    category="audit_log", keep=Period(months=2), action="delete", citation="test"
                )
            ],
            tz="UTC",
        )
        before = rotated_files(tmp_path / "audit.jsonl")
        deleted = audit.prune(schedule, now=clock.now())
        assert deleted == before[: len(deleted)]
        assert 1 <= len(deleted) < len(before)
        audit.close()
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        assert report.ok, report.summary()
        assert report.begins_seq is not None
        assert report.begins_seq > 0
        (prune,) = read_records(tmp_path / "audit.jsonl", kinds=("prune",))
        assert prune["files"] == [p.name for p in deleted]
        assert prune["citations"] == ["test"]

    def test_hold_stops_pruning(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock
    ) -> None:
        """A legal hold on the category keeps every file."""
        audit = self._log(make_logger, clock)
        schedule = RetentionSchedule(
            [RetentionRule(category="audit_log", keep=Period(months=2), action="delete")], tz="UTC"
        )
        hold = LegalHold("audit_log", "case 7", START)
        assert audit.prune(schedule, now=clock.now(), holds=[hold]) == []

    def test_unexplained_start_is_deleted(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock, tmp_path: Path
    ) -> None:
        """Removing the oldest file without prune() is reported."""
        audit = self._log(make_logger, clock)
        audit.close()
        rotated_files(tmp_path / "audit.jsonl")[0].unlink()
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        assert report.problems[0].kind == "deleted"
        assert "no prune record" in report.problems[0].message

    def test_only_files_can_prune(self, clock: FrozenClock) -> None:
        """A stream logger has nothing to prune."""
        audit = AuditLogger.to_stdout(key=KEY, clock=clock, seal_idle=False)
        schedule = RetentionSchedule([], tz="UTC")
        with pytest.raises(TypeError, match="file"):
            audit.prune(schedule, now=clock.now())
