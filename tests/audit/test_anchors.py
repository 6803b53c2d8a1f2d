"""Anchor stores as the verifier and the writer meet them: failing, lagging, forged."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from pathlib import Path

import attrs
import pytest

from secpolicy.audit import (
    Anchor,
    AuditLogger,
    FileAnchorStore,
    MemoryAnchorStore,
    read_records,
    verify,
)
from secpolicy.audit._note import make_checkpoint
from secpolicy.exceptions import AuditWriteError, PolicyConfigError
from tests.audit.conftest import KEY

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
