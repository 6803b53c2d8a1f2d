"""Fault injection: failing sinks, fsync, rotation and anchors; a full disk; fork; clocks."""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    Anchor,
    AnchorMismatch,
    AuditLogger,
    MemoryAnchorStore,
    WriterForked,
    read_records,
    verify,
)
from secpolicy.audit._writer import ChainWriter
from secpolicy.exceptions import AuditWriteError
from tests.audit.conftest import KEY

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}
PUBLIC = KEY.public_key()


def _seqs(path: Path) -> list[int]:
    return [int(r["seq"]) for r in read_records(path, kinds=())]


class FlakyStore(MemoryAnchorStore):
    """An anchor store double that raises what it is told to, then recovers."""

    def __init__(self) -> None:
        super().__init__()
        self.error: BaseException | None = None
        self.gate: threading.Event | None = None

    def put(self, anchor: Anchor) -> None:
        """Fail or block as configured, else store."""
        if self.gate is not None:
            self.gate.wait(5)
        if self.error is not None:
            raise self.error
        super().put(anchor)


class RaisingSink:
    """A custom sink double that raises a non-OSError after *good* lines."""

    def __init__(self, good: int, error: BaseException | None = None) -> None:
        self.good = good
        self.error = error if error is not None else RuntimeError("broken pipe of a queue")
        self.lines: list[bytes] = []
        self.fail_open: Exception | None = None
        self.fail_close: Exception | None = None

    def open(self) -> None:
        """Open, or fail when told to."""
        if self.fail_open is not None:
            raise self.fail_open

    def write(self, line: bytes) -> None:
        """Keep *line*, or raise once *good* lines were kept."""
        if len(self.lines) >= self.good:
            raise self.error
        self.lines.append(line)

    def close(self) -> None:
        """Close, or fail when told to."""
        if self.fail_close is not None:
            raise self.fail_close


class TestCustomSinkFailures:
    def test_any_exception_is_a_typed_error_and_stops_the_writer(self, clock: FrozenClock) -> None:
        """A sink's RuntimeError reaches the caller as AuditWriteError; nothing is renumbered."""
        sink = RaisingSink(good=4)  # segment, audit.start, two events
        audit = AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        audit.login(**ADDR)
        audit.login(**ADDR)
        with pytest.raises(AuditWriteError, match="RuntimeError") as caught:
            audit.login(**ADDR)
        assert isinstance(caught.value.__cause__, RuntimeError)
        writer = audit._logger
        assert writer.failed is not None
        assert writer.next_seq == 4
        sink.good = 100  # the sink recovers: the writer still refuses until reopened
        with pytest.raises(AuditWriteError, match="stopped after a write error"):
            audit.login(**ADDR)
        with pytest.raises(AuditWriteError, match="stopped after a write error"):
            audit.checkpoint()
        audit.close()  # no final checkpoint after a failure, and no raise
        assert [json.loads(line)["seq"] for line in sink.lines] == [0, 1, 2, 3]

    def test_base_exceptions_pass_through_but_stop_the_writer(self, clock: FrozenClock) -> None:
        """A KeyboardInterrupt in a sink is not wrapped, and the writer is stopped all the same."""
        sink = RaisingSink(good=2, error=KeyboardInterrupt())  # segment and audit.start
        audit = AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        with pytest.raises(KeyboardInterrupt):
            audit.login(**ADDR)
        with pytest.raises(AuditWriteError, match="stopped"):
            audit.login(**ADDR)
        audit.close()

    def test_typed_errors_pass_through_and_a_bad_tail_is_refused(self, clock: FrozenClock) -> None:
        """A sink's own AuditWriteError is kept as it is; open() must return a Tail or None."""
        sink = RaisingSink(good=100)
        sink.fail_open = AuditWriteError("quota")
        with pytest.raises(AuditWriteError, match="quota"):
            AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        sink.fail_open = None
        audit = AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        sink.fail_close = AuditWriteError("flush refused")
        with pytest.raises(AuditWriteError, match="flush refused"):
            audit.close()

        class Odd(RaisingSink):
            def open(self) -> Any:  # type: ignore[override]
                """Return something that is not a Tail."""
                return {"seq": 0}

        with pytest.raises(AuditWriteError, match="not a Tail"):
            AuditLogger.with_sink(Odd(good=100), key=KEY, clock=clock, seal_idle=False)

    def test_open_and_close_failures_are_typed(self, clock: FrozenClock) -> None:
        """A sink failing to open or close raises AuditWriteError, with the errno kept."""
        sink = RaisingSink(good=100)
        sink.fail_open = ValueError("bad dsn")
        with pytest.raises(AuditWriteError, match="opening"):
            AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        sink.fail_open = None
        mirror = RaisingSink(good=100)
        mirror.fail_open = LookupError("no topic")
        with pytest.raises(AuditWriteError, match="opening"):
            AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False, mirrors=[mirror])
        audit = AuditLogger.with_sink(sink, key=KEY, clock=clock, seal_idle=False)
        audit.login(**ADDR)
        sink.fail_close = OSError(errno.EPIPE, "pipe")
        with pytest.raises(AuditWriteError, match="closing") as caught:
            audit.close()
        assert caught.value.errno == errno.EPIPE
        assert audit.closed


class TestWriteFailures:
    def test_fsync_error_never_reuses_a_sequence_number(
        self,
        make_logger: Callable[..., AuditLogger],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """After an fsync error the writer stops; reopened, the chain has no fork."""
        audit = make_logger(fsync="always")
        audit.login(**ADDR)
        real = os.fsync

        def fail(fd: int) -> None:
            raise OSError(errno.EIO, "I/O error")

        monkeypatch.setattr(os, "fsync", fail)
        with pytest.raises(AuditWriteError, match="fsync"):
            audit.login(**ADDR)  # the record is in the file: at-least-once
        monkeypatch.setattr(os, "fsync", real)
        with pytest.raises(AuditWriteError, match="stopped after a write error"):
            audit.login(**ADDR)
        audit.close()
        with AuditLogger.to_file(tmp_path / "audit.jsonl", key=KEY, seal_idle=False) as again:
            again.login(**ADDR)
        seqs = _seqs(tmp_path / "audit.jsonl")
        assert seqs == list(range(len(seqs)))
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC)
        assert report.ok, report.summary()
        # two logins, then the reopened writer's audit.start, login and audit.stop
        assert sum(1 for r in read_records(tmp_path / "audit.jsonl")) == 5

    def test_failed_rotation_leaves_the_active_file_whole(
        self,
        make_logger: Callable[..., AuditLogger],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """Disk full while writing the next file: nothing renamed, the log reopens."""
        audit = make_logger(rotate_bytes=4096)
        real_open = os.open

        def full(path: str | os.PathLike[str], flags: int, mode: int = 0o777) -> int:
            if str(path).endswith(".rotating"):
                raise OSError(errno.ENOSPC, "No space left on device")
            return real_open(path, flags, mode)

        monkeypatch.setattr(os, "open", full)
        with pytest.raises(AuditWriteError, match="rotate"):  # noqa: PT012 (rotation comes within 100)
            for i in range(100):
                audit.publish(**ADDR, message_id=str(i), title="t")
        monkeypatch.setattr(os, "open", real_open)
        audit.close()
        assert not list(tmp_path.glob(".*rotating"))
        again = make_logger(rotate_bytes=4096)
        for i in range(60):
            again.publish(**ADDR, message_id=str(i), title="t")
        again.close()
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC)
        assert report.ok, report.summary()
        assert len(report.files) > 1

    def test_rotation_interrupted_between_renames_is_completed(
        self,
        make_logger: Callable[..., AuditLogger],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A crash after the active file was renamed: the next open finishes the rotation."""
        audit = make_logger(rotate_bytes=4096)
        real_replace = Path.replace

        def crash(self: Path, target: str | os.PathLike[str]) -> Path:
            if self.name.endswith(".rotating"):
                raise OSError(errno.EIO, "power cut")
            return real_replace(self, target)

        monkeypatch.setattr(Path, "replace", crash)
        with pytest.raises(AuditWriteError, match="rotation"):  # noqa: PT012 (rotation comes within 100)
            for i in range(100):
                audit.publish(**ADDR, message_id=str(i), title="t")
        monkeypatch.setattr(Path, "replace", real_replace)
        audit.close()
        assert not (tmp_path / "audit.jsonl").exists()
        again = make_logger(rotate_bytes=4096)
        again.publish(**ADDR, message_id="after", title="t")
        again.close()
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC)
        assert report.ok, report.summary()

    def test_disk_full_in_a_subprocess(self, tmp_path: Path) -> None:
        """RLIMIT_FSIZE: the writer fails closed, the log reopens and verifies whole."""
        resource = pytest.importorskip("resource")
        del resource
        script = f"""
import resource, signal, sys
sys.path.insert(0, {str(Path.cwd())!r})
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
resource.setrlimit(resource.RLIMIT_FSIZE, (12000, 12000))
from secpolicy.audit import AuditLogger, FileAnchorStore, AuditWriteError
from tests.audit.conftest import KEY
audit = AuditLogger.to_file(sys.argv[1], key=KEY, fsync="always", checkpoint_every=10,
                            anchor=FileAnchorStore(sys.argv[2]), seal_idle=False)
done = 0
try:
    for i in range(10000):
        audit.login(user_id="u1", ip="203.0.113.9", port=1000 + i)
        done += 1
except AuditWriteError:
    pass
try:
    audit.login(user_id="u1", ip="203.0.113.9", port=1)
except AuditWriteError:
    print(done, "refused")
audit.close() if False else None
"""
        path, anchors = tmp_path / "audit.jsonl", tmp_path / "anchors.jsonl"
        result = subprocess.run(
            [sys.executable, "-c", script, str(path), str(anchors)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        done, refused = result.stdout.split()
        assert refused == "refused"
        assert int(done) > 10
        from secpolicy.audit import FileAnchorStore

        store = FileAnchorStore(anchors)
        before = verify(path, key=PUBLIC, anchor=store)
        assert {p.kind for p in before.problems} <= {"unsealed"}, before.summary()
        assert sum(1 for _ in read_records(path)) >= int(done)
        with AuditLogger.to_file(path, key=KEY, anchor=store, seal_idle=False) as again:
            again.logout(**ADDR)
        after = verify(path, key=PUBLIC, anchor=store)
        assert after.ok, after.summary()


class TestAnchorFailures:
    def test_non_oserror_fails_closed_and_recovers(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Any exception from put fails the call; later calls write nothing until it recovers."""
        store = FlakyStore()
        audit = make_logger(anchor=store, checkpoint_every=3)
        store.error = RuntimeError("store down")
        audit.login(**ADDR)
        with pytest.raises(AuditWriteError, match="RuntimeError"):
            audit.login(**ADDR)
        written = len(_seqs(tmp_path / "audit.jsonl"))
        with pytest.raises(AuditWriteError, match="anchor"):
            audit.login(**ADDR)
        assert len(_seqs(tmp_path / "audit.jsonl")) == written
        store.error = None
        audit.login(**ADDR)
        audit.close()
        assert verify(tmp_path / "audit.jsonl", key=PUBLIC, anchor=store).ok

    def test_timeout_outside_the_lock(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A hanging store times out; the lock is free meanwhile."""
        store = FlakyStore()
        store.gate = threading.Event()
        audit = make_logger(
            anchor=store, checkpoint_every=2, anchor_timeout=timedelta(milliseconds=50)
        )
        with pytest.raises(AuditWriteError, match="timed out"):
            audit.login(**ADDR)
        writer = audit._logger
        assert writer._lock.acquire(blocking=False)
        writer._lock.release()
        store.gate.set()
        store.gate = None
        audit.login(**ADDR)
        audit.close()
        assert verify(tmp_path / "audit.jsonl", key=PUBLIC, anchor=store).ok

    def test_idle_sealer_survives_a_failing_store(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock
    ) -> None:
        """The sealer thread's loop keeps going after the store raised anything."""
        store = FlakyStore()
        store.error = ValueError("bad")
        audit = make_logger(anchor=store, checkpoint_interval=timedelta(seconds=30))
        audit.login(**ADDR)
        writer: ChainWriter = audit._logger

        class Ticks:
            """Two idle intervals, then stop."""

            def __init__(self) -> None:
                self.left = 2

            def wait(self, seconds: float) -> bool:
                clock.advance(timedelta(seconds=seconds + 1))
                self.left -= 1
                return self.left < 0

            def set(self) -> None:
                """Nothing to stop."""

        writer._stop = Ticks()  # type: ignore[assignment]
        writer._seal_loop()
        assert writer.pending_anchors == 1
        store.error = None
        audit.close()
        assert store.latest(audit.log_id) is not None


class TestOpening:
    def test_failed_constructor_releases_the_lock(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """A refused open closes its descriptor: the next open in this process succeeds."""
        audit = make_logger()
        audit.login(**ADDR)
        audit.close()
        path = tmp_path / "audit.jsonl"
        data = path.read_bytes()
        path.write_bytes(data[: data.index(b"\n") + 1])
        with pytest.raises(AnchorMismatch):
            make_logger()
        path.write_bytes(data)
        make_logger().close()

    def test_torn_tail_evidence_is_kept_until_recorded(
        self,
        make_logger: Callable[..., AuditLogger],
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:
        """A torn line is saved before it is cut, and recorded even if the first reopen fails."""
        audit = make_logger()
        audit.login(**ADDR)
        audit.close()
        path = tmp_path / "audit.jsonl"
        torn = b'{"seq":3,"prev":"00'
        path.write_bytes(path.read_bytes() + torn)

        def refuse(self: ChainWriter, tail: object) -> None:
            raise AnchorMismatch("refused for the test")

        monkeypatch.setattr(ChainWriter, "_check_anchor", refuse)
        with pytest.raises(AnchorMismatch):
            make_logger()
        monkeypatch.undo()
        evidence = tmp_path / f".audit.jsonl.torn-{len(path.read_bytes())}"
        assert evidence.read_bytes() == torn
        make_logger().close()
        repairs = list(read_records(path, kinds=("repair",)))
        assert [r["removed_bytes"] for r in repairs] == [len(torn)]
        assert repairs[0]["evidence"] == evidence.name[1:]
        assert (tmp_path / evidence.name[1:]).read_bytes() == torn
        report = verify(path, key=PUBLIC)
        assert report.ok, report.summary()
        assert [w.kind for w in report.warnings] == ["repaired"]


class TestFork:
    @pytest.mark.skipif(not hasattr(os, "fork"), reason="POSIX fork")
    def test_child_refuses_the_parents_writer(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A forked child gets WriterForked and leaves the parent's log alone."""
        audit = make_logger()
        audit.login(**ADDR)
        pid = os.fork()
        if pid == 0:  # pragma: no cover - the child's exit code is the result
            code = 1
            try:
                audit.login(**ADDR)
            except WriterForked:
                code = 0
            except BaseException:  # noqa: BLE001 (anything else fails the test)
                code = 2
            try:
                audit.close()
            except BaseException:  # noqa: BLE001
                code = 3
            os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        audit.login(**ADDR)
        audit.close()
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC)
        assert report.ok, report.summary()
        assert len(list(read_records(tmp_path / "audit.jsonl"))) == 2


class TestClocks:
    def test_wall_clock_step_back_does_not_stall_sealing(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, clock: FrozenClock
    ) -> None:
        """Intervals run on the monotonic clock, whatever the wall clock does."""
        ticks = [0.0]
        audit = make_logger(checkpoint_interval=timedelta(seconds=30), monotonic=lambda: ticks[0])
        audit.login(**ADDR)
        clock.set(clock.now() - timedelta(hours=2))
        ticks[0] = 31.0
        audit.login(**ADDR)
        kinds = [r["kind"] for r in read_records(tmp_path / "audit.jsonl", kinds=())]
        assert kinds.count("checkpoint") == 1

    def test_injected_clock_stepping_back_seals_at_once(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, clock: FrozenClock
    ) -> None:
        """With only a wall clock injected, a step back seals instead of stalling for hours."""
        audit = make_logger(checkpoint_interval=timedelta(seconds=30))
        audit.login(**ADDR)
        clock.set(clock.now() - timedelta(hours=2))
        audit.login(**ADDR)
        kinds = [r["kind"] for r in read_records(tmp_path / "audit.jsonl", kinds=())]
        assert kinds.count("checkpoint") == 1

    def test_logged_time_beside_the_event_time(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path, clock: FrozenClock
    ) -> None:
        """A caller's event time is kept, and the time it was logged is recorded beside it."""
        audit = make_logger()
        when = clock.now() - timedelta(days=1)
        audit.login(**ADDR, time=when)
        audit.login(**ADDR)
        first, second = read_records(tmp_path / "audit.jsonl")
        assert first["time"].startswith("2026-02-28T08:00:00")
        assert first["logged_time"].startswith("2026-03-01T08:00:00")
        assert "logged_time" not in second


class TestMasking:
    def test_actor_name_and_correlation_id(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """An e-mail as user name and a mobile number in the correlation id are masked."""
        audit = make_logger()
        audit.login(**ADDR, user_name="zhang.wei@example.com", correlation_id="req-13812345678")
        text = (tmp_path / "audit.jsonl").read_text()
        assert "zhang.wei@example.com" not in text
        assert "13812345678" not in text
        record = next(read_records(tmp_path / "audit.jsonl"))
        assert record["actor"]["user_id"] == "u1"
        assert json.dumps(record["actor"]["name"]) != json.dumps("zhang.wei@example.com")
