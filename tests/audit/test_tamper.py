"""A tamper campaign: what an attacker without the signing key can do to a log, each caught."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from secpolicy.audit import (
    AnchorMismatch,
    AuditLogger,
    MemoryAnchorStore,
    verify,
)
from secpolicy.audit._chain import GENESIS
from secpolicy.audit._note import make_checkpoint
from tests.audit.conftest import KEY

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}
PUBLIC = KEY.public_key()
_HEAD = re.compile(rb'^\{"seq":\d+,"prev":"[0-9a-f]{64}"')


def _rechain(lines: list[bytes], *, seq: int = 0, prev: str = GENESIS) -> list[bytes]:
    """Renumber and relink *lines* and recompute every hash: what anyone can do."""
    out = []
    for line in lines:
        body = line.rstrip(b"\n")
        body = _HEAD.sub(b'{"seq":%d,"prev":"%s"' % (seq, prev.encode()), body)
        prefix = body[: body.rindex(b',"hash":"')]
        digest = hashlib.sha256(prefix).hexdigest()
        out.append(prefix + b',"hash":"' + digest.encode() + b'"}\n')
        seq += 1
        prev = digest
    return out


def _lines(path: Path) -> list[bytes]:
    return path.read_bytes().splitlines(keepends=True)


def _kinds(path: Path, **options: object) -> list[str]:
    report = verify(path, key=PUBLIC, **options)  # type: ignore[arg-type]
    assert not report.ok, report.summary()
    return [p.kind for p in report.problems]


def _write(make_logger: Callable[..., AuditLogger], count: int = 30, **options: object) -> Path:
    options.setdefault("checkpoint_every", 10)
    audit = make_logger(**options)
    for i in range(count):
        audit.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i)
    audit.close()
    return Path(str(audit._logger.sink.path))  # type: ignore[attr-defined]


class TestSealing:
    def test_rewritten_without_checkpoints_and_new_log_id(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """A log rechained with a new log id and no checkpoints fails, with and without anchor."""
        path = _write(make_logger)
        original = verify(path, key=PUBLIC, anchor=anchor)
        assert original.ok, original.summary()
        kept = [line for line in _lines(path) if b'"kind":"checkpoint"' not in line]
        kept[0] = re.sub(rb'"log_id":"[0-9a-f]+"', b'"log_id":"' + b"f" * 32 + b'"', kept[0])
        path.write_bytes(b"".join(_rechain(kept)))
        assert "unsealed" in _kinds(path)
        with_anchor = _kinds(path, anchor=anchor)
        assert {"unsealed", "unknown_log"} <= set(with_anchor)
        expected = _kinds(path, anchor=anchor, expected_log_ids=[original.log_id])
        assert {"missing_log", "truncated"} <= set(expected)

    def test_writer_that_never_sealed_is_reported_as_such(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A log without any checkpoint yet is not OK and says 'no checkpoint yet'."""
        audit = make_logger()
        audit.login(**ADDR)
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC)
        assert not report.ok
        assert [p.kind for p in report.problems] == ["unsealed"]
        assert ": unsealed: no checkpoint yet" in str(report.problems[0])
        assert report.checkpoints == 0

    def test_forged_unsealed_tail(self, make_logger: Callable[..., AuditLogger]) -> None:
        """Well-chained records appended after the last checkpoint are unsealed: an error."""
        path = _write(make_logger)
        lines = _lines(path)
        last = json.loads(lines[-1])
        forged = _rechain([lines[1]], seq=last["seq"] + 1, prev=last["hash"])
        path.write_bytes(b"".join(lines + forged))
        assert _kinds(path) == ["unsealed"]

    @pytest.mark.parametrize(
        ("member", "value"),
        [
            ("time", '"2020-01-01T00:00:00Z"'),
            ("log_id", '"' + "e" * 32 + '"'),
            ("root", '"' + "0" * 64 + '"'),
            ("frontier", "[]"),
            ("sealed", "1"),
        ],
    )
    def test_checkpoint_edits(
        self, make_logger: Callable[..., AuditLogger], member: str, value: str
    ) -> None:
        """Any member of the last checkpoint changed (hash recomputed) fails verification."""
        path = _write(make_logger)
        record = json.loads(_lines(path)[-1])
        record[member] = json.loads(value)
        _replace_last(path, record)
        assert "bad_checkpoint" in _kinds(path)

    def test_checkpoint_note_edit(self, make_logger: Callable[..., AuditLogger]) -> None:
        """A changed tree size in the signed note breaks the signature."""
        path = _write(make_logger)
        record = json.loads(_lines(path)[-1])
        record["checkpoint"] = record["checkpoint"].replace(f"\n{record['seq']}\n", "\n1\n", 1)
        _replace_last(path, record)
        assert _kinds(path)[0] == "bad_checkpoint"

    def test_last_line_edited_and_stripped_of_its_newline(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """The last checkpoint edited and left without newline is no torn tail that passes."""
        path = _write(make_logger)
        lines = _lines(path)
        lines[-1] = lines[-1].replace(b'"kind":"checkpoint"', b'"kind":"checkpoint "')[:-1]
        path.write_bytes(b"".join(lines))
        assert "unsealed" in _kinds(path)
        assert {"unsealed", "truncated"} <= set(_kinds(path, anchor=anchor))

    def test_torn_tail_after_the_last_checkpoint_is_flagged(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """A half-written line after the last checkpoint is a warning, the rest sealed."""
        path = _write(make_logger)
        data = path.read_bytes()
        count = data.count(b"\n")
        path.write_bytes(data + b'{"seq":%d,"prev":"%s' % (count, data[-67:-60]))
        report = verify(path, key=PUBLIC)
        assert report.ok, report.summary()
        assert [w.kind for w in report.warnings] == ["torn_tail"]


class TestLogIdentity:
    def test_segment_record_removed(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """Without its segment record (rechained) a log fails, with and without anchor."""
        path = _write(make_logger)
        path.write_bytes(b"".join(_rechain(_lines(path)[1:])))
        assert "deleted" in _kinds(path)
        assert "unknown_log" in _kinds(path, anchor=anchor)

    def test_substituted_by_another_legitimate_log(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """Another writer's sound log in place of the expected one is reported."""
        first = _write(make_logger, name="a.jsonl")
        second = _write(make_logger, name="b.jsonl")
        expected = verify(first, key=PUBLIC).log_id
        assert expected is not None
        assert verify(second, key=PUBLIC, anchor=anchor).ok  # sound on its own
        shutil.copy(second, first)
        kinds = _kinds(first, anchor=anchor, expected_log_ids=[expected])
        assert {"unknown_log", "missing_log"} <= set(kinds)

    def test_missing_and_unknown_writers(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """Every expected writer must be there, and nothing else."""
        (tmp_path / "a").mkdir()
        (tmp_path / "b").mkdir()
        a = _write(make_logger, name="a/audit.jsonl")
        b = _write(make_logger, name="b/audit.jsonl")
        ids = [verify(p, key=PUBLIC).log_id for p in (a, b)]
        both = verify([a, b], key=PUBLIC, anchor=anchor, expected_log_ids=ids)
        assert both.ok, both.summary()
        assert set(both.log_ids) == set(ids)
        assert _kinds(a, anchor=anchor, expected_log_ids=ids) == ["missing_log", "truncated"]
        assert "unknown_log" in _kinds([a, b], anchor=anchor, expected_log_ids=ids[:1])
        assert anchor.log_ids() == frozenset(ids)

    def test_mixed_logs(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """A rotated file of another log put among a log's files is reported."""
        audit = make_logger(rotate_bytes=4096, checkpoint_every=10)
        for i in range(40):
            audit.publish(**ADDR, message_id=str(i), title="t")
        audit.close()
        (tmp_path / "other").mkdir()
        other = _write(make_logger, name="other/x.jsonl")
        shutil.copy(other, tmp_path / "audit.000099.jsonl")
        assert "unknown_log" in _kinds(tmp_path / "audit.jsonl", anchor=anchor)


class TestAnchors:
    def test_restart_cannot_launder_a_truncation(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """Cut sealed records, restart: the writer refuses and writes nothing."""
        path = _write(make_logger)
        lines = _lines(path)
        path.write_bytes(b"".join(lines[:15]))
        before = path.read_bytes()
        with pytest.raises(AnchorMismatch, match="cut off"):
            make_logger()
        assert path.read_bytes() == before
        audit = make_logger(anchor=None)  # a writer that skips the anchor...
        for _ in range(150):
            audit.login(**ADDR)
        audit.close()
        kinds = _kinds(path, anchor=anchor)  # ...is still caught by every anchor
        assert "rollback" in kinds

    def test_rollback_to_an_older_snapshot(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """An older copy restored over the log is truncated; the writer refuses it."""
        audit = make_logger(checkpoint_every=10)
        for _ in range(12):
            audit.login(**ADDR)
        audit.checkpoint()
        snapshot = (tmp_path / "audit.jsonl").read_bytes()
        for _ in range(30):
            audit.login(**ADDR)
        audit.close()
        (tmp_path / "audit.jsonl").write_bytes(snapshot)
        assert "truncated" in _kinds(tmp_path / "audit.jsonl", anchor=anchor)
        with pytest.raises(AnchorMismatch):
            make_logger()

    def test_forked_history_in_the_anchor_store(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore, tmp_path: Path
    ) -> None:
        """Two anchored checkpoints of one size with different trees are a fork."""
        audit = make_logger(checkpoint_every=10)
        for _ in range(5):
            audit.login(**ADDR)
        audit.checkpoint()
        audit.close()
        (tmp_path / "fork").mkdir()
        shutil.copy(tmp_path / "audit.jsonl", tmp_path / "fork" / "audit.jsonl")
        side = MemoryAnchorStore()
        for directory, store, user in ((tmp_path, anchor, "u1"), (tmp_path / "fork", side, "u2")):
            other = AuditLogger.to_file(
                directory / "audit.jsonl", key=KEY, anchor=store, seal_idle=False
            )
            other.login(user_id=user, ip="203.0.113.9", port=1)
            other.close()
        log_id = verify(tmp_path / "audit.jsonl", key=PUBLIC).log_id
        assert log_id is not None
        for forked in side.anchors(log_id):
            anchor.put(forked)
        assert "forked" in _kinds(tmp_path / "audit.jsonl", anchor=anchor)

    def test_checkpoint_replaced_at_its_place(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """A writer refuses a log whose last checkpoint is not the anchored one."""
        path = _write(make_logger)
        log_id = verify(path, key=PUBLIC).log_id
        assert log_id is not None
        before = path.read_bytes()
        with pytest.raises(AnchorMismatch, match="differs from its anchored copy"):
            make_logger(anchor=_shifted(anchor, log_id))
        assert path.read_bytes() == before
        assert "rollback" in _kinds(path, anchor=_shifted(anchor, log_id))


def _shifted(store: MemoryAnchorStore, log_id: str) -> MemoryAnchorStore:
    """A store whose newest anchor of *log_id* was signed at another time (another history)."""
    latest = store.latest(log_id)
    assert latest is not None
    other = make_checkpoint(
        log_id=log_id,
        size=latest.seq,
        root=bytes.fromhex(latest.root),
        time="2030-01-01T00:00:00Z",
        key=KEY,
    )
    shifted = MemoryAnchorStore()
    shifted.put(attrs.evolve(latest, note=other.note, time=other.time))
    return shifted


def _replace_last(path: Path, record: dict[str, object]) -> None:
    """Replace the last line by *record* (re-serialised, hash recomputed)."""
    lines = _lines(path)
    text = json.dumps({k: v for k, v in record.items() if k != "hash"}, separators=(",", ":"))
    edited = text[:-1].encode() + b',"hash":"x"}\n'
    seq, prev = record["seq"], record["prev"]
    assert isinstance(seq, int)
    assert isinstance(prev, str)
    path.write_bytes(b"".join([*lines[:-1], *_rechain([edited], seq=seq, prev=prev)]))
