"""Attacks without the signing key: bytes no signature covers, torn tails, keys, reopening."""

from __future__ import annotations

import hashlib
import json
import shutil
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import attrs
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    AnchorMismatch,
    AuditLogger,
    AuditWriteError,
    CheckpointError,
    LogTree,
    MemoryAnchorStore,
    Verifier,
    read_records,
    to_ocsf,
    verify,
    verify_inclusion_proof,
)
from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError
from tests.audit.conftest import KEY

PUBLIC = KEY.public_key()


def _rehash(line: bytes) -> bytes:
    """Recompute a line's own hash after an edit: what anyone can do."""
    body = line.rstrip(b"\n")
    prefix = body[: body.rindex(b',"hash":"')]
    return prefix + b',"hash":"' + hashlib.sha256(prefix).hexdigest().encode() + b'"}\n'


def _sealed_log(make_logger: Callable[..., AuditLogger]) -> Path:
    audit = make_logger(checkpoint_every=4)
    for i in range(10):
        audit.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i)
    audit.close()
    return Path(str(audit._logger.sink.path))  # type: ignore[attr-defined]


def _escape_log_id(line: bytes) -> bytes:
    """Write the log id's first character as a JSON unicode escape (the same string)."""
    at = line.index(b'"log_id":"') + len(b'"log_id":"')
    return line[:at] + b"\\u%04x" % line[at] + line[at + 1 :]


# Re-serialisations of the last checkpoint line that decode to the same record, and
# duplicated members that smuggle text past a parser that keeps the last one.
_CHECKPOINT_EDITS: dict[str, Callable[[bytes], bytes]] = {
    "space": lambda line: line.replace(b'"time":"', b'"time": "', 1),
    "escaped_key": lambda line: line.replace(b'"root":', b'"r\\u006fot":', 1),
    "escaped_slash": lambda line: line.replace(b"/", b"\\/", 1),
    "escaped_letter": _escape_log_id,
    "duplicated_root": lambda line: line.replace(b'"root":', b'"root":"00","root":', 1),
    "duplicated_note": lambda line: line.replace(
        b'"checkpoint":', b'"checkpoint":"smuggled","checkpoint":', 1
    ),
}


class TestLastCheckpointBytes:
    @pytest.mark.parametrize("edit", sorted(_CHECKPOINT_EDITS))
    def test_re_serialised_last_checkpoint_is_modified(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        edit: str,
    ) -> None:
        """The last checkpoint line, which no later signature covers, must be the writer's bytes."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        edited = _rehash(_CHECKPOINT_EDITS[edit](lines[-1]))
        assert edited != lines[-1]
        path.write_bytes(b"".join([*lines[:-1], edited]))
        for store in (None, anchor):
            report = verify(path, key=PUBLIC, anchor=store)
            assert not report.ok, report.summary()
            assert report.problems[0].line == len(lines)
        verifier = Verifier(key=PUBLIC)
        problems = [p for line in [*lines[:-1], edited] for p in verifier.feed(line)]
        problems.extend(verifier.finish())
        assert problems, "the streaming verifier accepted a re-serialised checkpoint"


class TestTornTail:
    @pytest.mark.parametrize(
        "tail",
        [b"hello", b'{"seq":3', b'{"seq":999,"prev":"', b'{"seq":14,"prev":"0000'],
        ids=["garbage", "old_seq", "future_seq", "wrong_prev"],
    )
    def test_bytes_no_crash_could_leave_are_modified(
        self, make_logger: Callable[..., AuditLogger], tail: bytes
    ) -> None:
        """A last line without its newline is a torn write only if it begins the next record."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        assert len(lines) == 14
        path.write_bytes(b"".join(lines) + tail)
        report = verify(path, key=PUBLIC)
        assert not report.ok, report.summary()
        assert [(p.kind, p.line) for p in report.problems] == [("modified", 15)]

    def test_a_torn_start_of_the_next_record_is_a_warning(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """What a crash in the middle of writing record 14 leaves stays a warning."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        full = b'{"seq":14,"prev":"' + lines[-1][-67:-3] + b'","kind":"event","time":"2026'
        for cut in (4, 20, len(full)):
            path.write_bytes(b"".join(lines) + full[:cut])
            report = verify(path, key=PUBLIC)
            assert report.ok, report.summary()
            assert [w.kind for w in report.warnings] == ["torn_tail"]


class TestWriterOpening:
    def test_unsigned_checkpoint_cannot_launder_a_cut(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
    ) -> None:
        """A cut log topped with a forged checkpoint past the newest anchor is not continued."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        assert anchor.latest(verify(path, key=PUBLIC).log_id or "") is not None
        kept, checkpoint = lines[:9], lines[13]  # cut behind the anchored checkpoints 9 and 13
        record = json.loads(checkpoint)
        record["checkpoint"] = record["checkpoint"].replace("\n13\n", "\n16\n", 1)
        record["frontier"] = [record["root"]]  # 16 leaves: a frontier of one hash
        fake = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        forged = [*kept, *lines[5:9], *lines[5:8], fake]
        out, prev = [], ""
        for seq, line in enumerate(forged):
            if seq < len(kept):
                out.append(line)
            else:
                tail = line.split(b',"kind":', 1)[1]
                out.append(_rehash(b'{"seq":%d,"prev":"%s","kind":%s' % (seq, prev.encode(), tail)))
            prev = out[-1][-67:-3].decode()
        path.write_bytes(b"".join(out))
        before = path.read_bytes()
        with pytest.raises(AuditWriteError) as caught:
            make_logger()
        assert "cut off" in str(caught.value) or "signed" in str(caught.value)
        assert path.read_bytes() == before
        assert [a.seq for a in anchor.anchors(verify(path, key=PUBLIC).log_id or "")] == [4, 9, 13]


class TestKeyConfusion:
    def test_hmac_keyed_with_the_public_key_fails_against_that_public_key(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """Anyone can HMAC with the public key's bytes: an Ed25519 verifier must not accept it."""
        raw = PUBLIC.public_bytes(Encoding.Raw, PublicFormat.Raw)
        path = _sealed_log(lambda **options: make_logger(key=raw, anchor=None, **options))
        report = verify(path, key=PUBLIC)
        assert not report.ok
        assert {p.kind for p in report.problems} == {"bad_checkpoint", "unsealed"}
        assert verify(path, key=raw).ok  # the HMAC key itself does verify


class TestWriterForks:
    def test_a_fork_ahead_of_the_newest_anchor_is_not_continued(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        tmp_path: Path,
    ) -> None:
        """A copy that went on without the store is refused once the original anchored more."""
        path = _sealed_log(make_logger)
        (tmp_path / "fork").mkdir()
        shutil.copy(path, tmp_path / "fork" / "audit.jsonl")
        original = make_logger(checkpoint_every=4)
        for i in range(4):
            original.logout(user_id=f"a{i}", ip="203.0.113.9", port=2000 + i)
        original.close()
        fork = make_logger("fork/audit.jsonl", checkpoint_every=4, anchor=None)
        for i in range(12):
            fork.logout(user_id=f"b{i}", ip="203.0.113.9", port=3000 + i)
        fork.close()
        copy = tmp_path / "fork" / "audit.jsonl"
        before, anchors = copy.read_bytes(), len(anchor.anchors(original.log_id))
        with pytest.raises(AnchorMismatch, match="forked"):
            make_logger("fork/audit.jsonl", checkpoint_every=4)
        assert copy.read_bytes() == before
        assert len(anchor.anchors(original.log_id)) == anchors


class TestNoRecordAtAll:
    @pytest.mark.parametrize("fragment", [b'{"seq":0,', b'{"seq":0,"prev":"' + b"0" * 64])
    def test_a_log_reduced_to_a_torn_fragment_is_not_ok(
        self, make_logger: Callable[..., AuditLogger], fragment: bytes
    ) -> None:
        """A file cut down to the start of record 0 holds nothing sealed: not OK, not a warning."""
        path = _sealed_log(make_logger)
        path.write_bytes(fragment)
        report = verify(path, key=PUBLIC)
        assert not report.ok, report.summary()
        assert report.problems[0].kind == "unsealed"


class TestWriterTrustsNoFrontier:
    def test_a_forged_frontier_in_the_last_checkpoint_is_not_continued(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """The writer must not extend (and sign) a tree the anchored root does not give."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        first = json.loads(lines[-1])["frontier"][0].encode()
        lines[-1] = _rehash(lines[-1].replace(first, b"00" * 32))
        path.write_bytes(b"".join(lines))
        log_id = verify(path, key=PUBLIC).log_id or ""
        before = path.read_bytes()
        with pytest.raises(AuditWriteError, match="frontier"):
            make_logger()
        assert path.read_bytes() == before
        assert [a.seq for a in anchor.anchors(log_id)] == [4, 9, 13]

    def test_a_forged_frontier_in_a_new_files_segment_is_not_continued(
        self, make_logger: Callable[..., AuditLogger], clock: FrozenClock, tmp_path: Path
    ) -> None:
        """After rotation the active file's segment frontier must be the rotated file's tree."""
        options: dict[str, Any] = {
            "rotate_every": timedelta(days=1),
            "checkpoint_interval": None,
            "checkpoint_every": 100,
        }
        audit = make_logger(**options)
        audit.login(user_id="u0", ip="203.0.113.9", port=1000)
        clock.advance(timedelta(days=1))
        audit.login(user_id="u1", ip="203.0.113.9", port=1001)
        live = Path(str(audit._logger.sink.path))  # type: ignore[attr-defined]
        (tmp_path / "crash").mkdir()
        for file in live.parent.glob("*.jsonl"):  # the files as a crash now would leave them
            shutil.copy(file, tmp_path / "crash" / file.name)
        path = tmp_path / "crash" / "audit.jsonl"
        lines = path.read_bytes().splitlines(keepends=True)
        segment = json.loads(lines[0])
        assert segment["kind"] == "segment"
        assert segment["frontier"]
        first = segment["frontier"][0].encode()
        out = [_rehash(lines[0].replace(first, b"00" * 32))]
        for line in lines[1:]:
            head, rest = line.split(b',"kind":', 1)
            start = head[: head.index(b'"prev":"') + 8]
            out.append(_rehash(start + out[-1][-67:-3] + b'","kind":' + rest))
        path.write_bytes(b"".join(out))
        before = path.read_bytes()
        with pytest.raises(AuditWriteError, match="frontier"):
            make_logger("crash/audit.jsonl", **options)
        assert path.read_bytes() == before


class TestLifecycleRecordsAreTheWriters:
    @pytest.mark.parametrize("action", ["audit.start", "audit.stop"])
    def test_a_caller_cannot_emit_the_writers_lifecycle_events(
        self, make_logger: Callable[..., AuditLogger], action: str
    ) -> None:
        """A forged audit.stop would hide a crash: only the writer writes these actions."""
        audit = make_logger()
        before = audit._logger.next_seq  # type: ignore[attr-defined]
        with pytest.raises(InvalidArgumentError, match="writer"):
            audit.emit(action, data={"log_id": audit.log_id, "reason": "closed"})
        assert audit._logger.next_seq == before  # type: ignore[attr-defined]


class TestOcsfMalformedRecords:
    @pytest.mark.parametrize(
        "record",
        [
            {},
            {"action": "auth.login", "time": 5},
            {"action": "auth.login", "time": "2026-01-01T00:00:00Z", "actor": "x"},
            {"action": "auth.login", "time": "2026-01-01T00:00:00Z", "src": [1]},
            {"action": "auth.login", "time": "2026-01-01T00:00:00Z", "outcome": "maybe"},
            "auth.login",
        ],
        ids=["empty", "time_not_text", "actor_not_object", "src_not_object", "outcome", "text"],
    )
    def test_a_damaged_record_is_a_typed_error(self, record: Any) -> None:
        """An exporter fed a damaged record gets InvalidArgumentError, not KeyError/TypeError."""
        with pytest.raises(InvalidArgumentError):
            to_ocsf(record)


class TestApiInputs:
    def test_a_single_log_id_string_is_refused_not_split_into_letters(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """expected_log_ids="abc" would expect logs "a", "b", "c": refuse it by name."""
        path = _sealed_log(make_logger)
        with pytest.raises(ArgumentTypeError, match="expected_log_ids"):
            verify(path, key=PUBLIC, expected_log_ids="abc")

    @pytest.mark.parametrize("paths", [None, 5])
    def test_paths_that_are_no_path_are_a_typed_error(self, paths: Any) -> None:
        """verify(None) and verify(5) name the argument instead of a bare TypeError."""
        with pytest.raises(ArgumentTypeError, match="paths"):
            verify(paths, key=PUBLIC)

    def test_the_stream_refuses_a_line_that_is_no_text(self) -> None:
        """feed(5) is not five NUL bytes: it is a typed error."""
        with pytest.raises(ArgumentTypeError, match="line"):
            Verifier(key=PUBLIC).feed(5)  # type: ignore[arg-type]

    def test_a_line_that_cannot_be_utf8_is_modified_not_a_crash(self) -> None:
        """A str with a lone surrogate cannot be what the writer wrote: reported, not raised."""
        verifier = Verifier(key=PUBLIC)
        assert [p.kind for p in verifier.feed("\udcff")] == ["modified"]
        assert not verifier.ok

    def test_inclusion_proof_inputs_are_typed_errors(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """A line or proof of the wrong type, or a line that is not UTF-8, is a typed error."""
        path = _sealed_log(make_logger)
        tree = LogTree.from_files(path)
        note, proof = tree.checkpoint(13), tree.inclusion_proof(3, size=13)
        line = path.read_bytes().splitlines()[3]
        assert verify_inclusion_proof(line, proof, note, key=PUBLIC).size == 13
        with pytest.raises(ArgumentTypeError, match="line"):
            verify_inclusion_proof(5, proof, note, key=PUBLIC)  # type: ignore[arg-type]
        with pytest.raises(ArgumentTypeError, match="proof"):
            verify_inclusion_proof(line, {"seq": 3}, note, key=PUBLIC)  # type: ignore[arg-type]
        with pytest.raises(CheckpointError):
            verify_inclusion_proof("\udcff", proof, note, key=PUBLIC)


class TestMaskingEveryFreeTextField:
    def test_session_id_and_endpoint_protocols_are_masked(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """An e-mail or mobile number in any free-text field is not written in clear."""
        email, mobile = "john.doe@example.com", "13812345678"
        audit = make_logger()
        audit.emit(
            "custom.thing",
            session_id=email,
            src={"ip": "203.0.113.9", "protocol": email},
            nat={"ip": "203.0.113.10", "protocol": mobile},
        )
        audit.close()
        text = Path(str(audit._logger.sink.path)).read_text()  # type: ignore[attr-defined]
        assert email not in text
        assert mobile not in text
        record = next(
            r for r in read_records(audit._logger.sink.path) if r["action"] == "custom.thing"
        )  # type: ignore[attr-defined]
        assert record["actor"]["session_id"] == "j*******@example.com"
        assert record["nat"]["protocol"] == "138****5678"


class TestEndpointErrors:
    def test_an_endpoint_without_its_address_is_a_typed_error(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """src={"port": 5} names the missing address in a SecPolicyError, not a bare TypeError."""
        audit = make_logger()
        with pytest.raises(ArgumentTypeError, match="src"):
            audit.emit("custom.thing", src={"port": 5})


def _forge_after(lines: list[bytes], copies: list[bytes]) -> list[bytes]:
    """*lines* followed by *copies* renumbered and re-chained: records anyone can append."""
    out = list(lines)
    prev = out[-1][-67:-3].decode()
    for line in copies:
        seq = len(out)
        tail = line.split(b',"kind":', 1)[1]
        out.append(_rehash(b'{"seq":%d,"prev":"%s","kind":%s' % (seq, prev.encode(), tail)))
        prev = out[-1][-67:-3].decode()
    return out


class TestWipedActiveFile:
    def test_a_wiped_log_restarted_as_a_new_log_fails_with_its_anchor_store(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """Deleting an unrotated log and restarting the writer leaves the old log missing."""
        path = _sealed_log(make_logger)
        old = verify(path, key=PUBLIC, anchor=anchor)
        assert old.ok
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert missing
        assert old.log_id is not None
        assert old.log_id in missing[0].message
        assert "13" in missing[0].message  # the size it was anchored at

    def test_a_wiped_log_restarted_with_a_new_key_fails_with_its_anchor_store(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """Wiped, restarted with a new signing key and verified with it: the old log is missing."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC, anchor=anchor).log_id
        path.unlink()
        clock.advance(timedelta(minutes=1))
        new_key = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
        audit = make_logger(checkpoint_every=4, key=new_key)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        # Alone, the new log is a perfect log of the new key: nothing can tell.
        assert verify(path, key=new_key.public_key()).ok
        report = verify(path, key=new_key.public_key(), anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert len(missing) == 1
        assert old_id is not None
        assert old_id in missing[0].message
        assert "another key" in missing[0].message
        # Naming the logs to expect decides, as for any other writer.
        new_id = report.log_id
        assert new_id is not None
        named = verify(
            path, key=new_key.public_key(), anchor=anchor, expected_log_ids={new_id, old_id}
        )
        assert "missing_log" in [p.kind for p in named.problems]
        assert verify(path, key=new_key.public_key(), anchor=anchor, expected_log_ids={new_id}).ok

    def test_an_older_log_of_another_key_restored_over_its_successor_fails(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """The older log put back and verified with its own key only: the newer log is missing."""
        path = _sealed_log(make_logger)
        copy = path.read_bytes()
        path.unlink()
        clock.advance(timedelta(minutes=1))
        new_key = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
        audit = make_logger(checkpoint_every=4, key=new_key)
        audit.login(user_id="n", ip="203.0.113.9", port=2000)
        audit.close()
        new_id = verify(path, key=new_key.public_key()).log_id
        path.write_bytes(copy)
        report = verify(path, key=PUBLIC, anchor=anchor)
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert new_id is not None
        assert len(missing) == 1
        assert new_id in missing[0].message
        assert "another key" in missing[0].message

    def test_another_keys_log_of_another_file_put_in_place_fails(
        self,
        tmp_path: Path,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """A log of another file and key copied over this file leaves this file's log missing."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC).log_id
        clock.advance(timedelta(minutes=1))
        other_key = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39)))
        other = make_logger("billing.jsonl", checkpoint_every=4, key=other_key)
        other.login(user_id="b", ip="203.0.113.9", port=3000)
        other.close()
        path.write_bytes((tmp_path / "billing.jsonl").read_bytes())
        report = verify(path, key=other_key.public_key(), anchor=anchor)
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert old_id is not None
        assert len(missing) == 1
        assert old_id in missing[0].message

    def test_a_store_that_cannot_read_the_old_log_does_not_pass_the_wipe(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """An anchor store failing on the old log's anchors fails the check, never skips it."""
        path = _sealed_log(make_logger)
        old = verify(path, key=PUBLIC, anchor=anchor).log_id
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        read = anchor.anchors

        def failing(log_id: str) -> Any:
            if log_id == old:
                raise OSError("store unavailable")
            return read(log_id)

        anchor.anchors = failing  # type: ignore[method-assign]
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert missing
        assert old is not None
        assert old in missing[0].message
        assert "OSError" in missing[0].message

    def test_an_older_log_restored_in_place_of_its_successor_fails(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """A copy of the log a writer sealed before the current one is not the current log."""
        path = _sealed_log(make_logger)
        copy = path.read_bytes()
        old_id = verify(path, key=PUBLIC).log_id
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        new_id = verify(path, key=PUBLIC).log_id
        assert verify(path, key=PUBLIC, anchor=anchor).problems[0].kind == "missing_log"
        path.write_bytes(copy)  # the newer log deleted, the older one put back
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert missing
        assert new_id is not None
        assert new_id in missing[0].message
        assert old_id is not None
        assert verify(path, key=PUBLIC, anchor=anchor, expected_log_ids={old_id}).ok

    def test_another_files_log_put_in_place_of_this_one_fails(
        self,
        tmp_path: Path,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """A log of another file of the same key, copied over this file, leaves this log missing."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC).log_id
        clock.advance(timedelta(minutes=1))
        other = make_logger("billing.jsonl", checkpoint_every=4)
        for i in range(6):
            other.login(user_id=f"b{i}", ip="203.0.113.9", port=3000 + i)
        other.close()
        path.write_bytes((tmp_path / "billing.jsonl").read_bytes())
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert missing
        assert old_id is not None
        assert old_id in missing[0].message
        renamed = tmp_path / "archive.jsonl"
        path.rename(renamed)  # a file renamed on purpose names no other log of the store
        assert verify(renamed, key=PUBLIC, anchor=anchor).ok

    def test_naming_the_expected_logs_decides(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """With expected_log_ids the caller's set governs: the old log is reported if named."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC).log_id
        path.unlink()
        clock.advance(timedelta(minutes=1))
        make_logger(checkpoint_every=4).close()
        new_id = verify(path, key=PUBLIC).log_id
        assert old_id is not None
        assert new_id is not None
        assert verify(path, key=PUBLIC, anchor=anchor, expected_log_ids={new_id}).ok
        named = verify(path, key=PUBLIC, anchor=anchor, expected_log_ids={new_id, old_id})
        assert [p.kind for p in named.problems] == ["missing_log", "truncated"]

    def test_another_writers_log_in_the_store_is_not_reported(
        self,
        tmp_path: Path,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """Logs of other file names, and logs sealing while this one ran, are other writers' logs.

        An earlier log of the same file name is reported whatever key sealed
        it (a wiped log restarted with a new key looks just so): see
        test_a_wiped_log_restarted_with_a_new_key_fails_with_its_anchor_store.
        """
        other_key = Ed25519PrivateKey.from_private_bytes(bytes(range(1, 33)))
        earlier = make_logger("other/billing.jsonl", key=other_key)
        earlier.login(user_id="x", ip="203.0.113.9", port=1)
        earlier.close()
        clock.advance(timedelta(minutes=1))
        ours = make_logger("audit.jsonl", checkpoint_every=2)
        same_key = make_logger("host2/audit.jsonl", checkpoint_every=2)
        for i in range(4):
            ours.login(user_id=f"u{i}", ip="203.0.113.9", port=i + 1)
            same_key.login(user_id=f"v{i}", ip="203.0.113.9", port=i + 1)
            clock.advance(timedelta(seconds=1))
        same_key.close()
        ours.close()
        report = verify(tmp_path / "audit.jsonl", key=PUBLIC, anchor=anchor)
        assert report.ok, report.summary()

    def test_writers_of_no_file_start_a_new_log_each_time(
        self, tmp_path: Path, anchor: MemoryAnchorStore, clock: FrozenClock
    ) -> None:
        """A stdout writer restarted (a new container) is not reported as a deleted log."""
        for name in ("first.jsonl", "second.jsonl"):
            with (tmp_path / name).open("w", encoding="utf-8") as stream:
                audit = AuditLogger.to_stdout(
                    key=KEY, stream=stream, anchor=anchor, clock=clock, seal_idle=False
                )
                audit.login(user_id="u", ip="203.0.113.9", port=1)
                audit.close()
            clock.advance(timedelta(minutes=1))
        report = verify(tmp_path / "second.jsonl", key=PUBLIC, anchor=anchor)
        assert report.ok, report.summary()


class TestUnvouchedTail:
    def test_records_appended_after_the_last_checkpoint_are_marked_on_reopening(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """A restarted writer marks the records it found after the last checkpoint unvouched."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        events = [line for line in lines if b'"kind":"event"' in line]
        path.write_bytes(b"".join(_forge_after(lines, events[:3])))
        audit = make_logger(checkpoint_every=4)
        audit.login(user_id="after", ip="203.0.113.9", port=9)
        audit.close()
        report = verify(path, key=PUBLIC, anchor=anchor)
        unvouched = [w for w in report.warnings if w.kind == "unvouched"]
        assert len(unvouched) == 1
        assert unvouched[0].seq == len(lines)
        assert f"{len(lines)}-{len(lines) + 2}" in unvouched[0].message
        record = json.loads(path.read_bytes().splitlines()[len(lines) + 3])
        assert record["kind"] == "unvouched"
        assert (record["from_seq"], record["to_seq"]) == (len(lines), len(lines) + 2)
        stream = Verifier(key=PUBLIC)
        seen = [p for line in path.read_bytes().splitlines() for p in stream.feed(line)]
        assert [(p.kind, p.seq, p.is_warning) for p in seen] == [("unvouched", len(lines), True)]
        assert stream.finish() == ()
        assert stream.ok

    def test_a_clean_close_leaves_nothing_to_mark(
        self, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
    ) -> None:
        """A log closed by its writer ends sealed: reopening it marks nothing."""
        path = _sealed_log(make_logger)
        audit = make_logger(checkpoint_every=4)
        audit.login(user_id="after", ip="203.0.113.9", port=9)
        audit.close()
        assert b'"kind":"unvouched"' not in path.read_bytes()
        assert verify(path, key=PUBLIC, anchor=anchor).warnings == ()

    def test_a_tail_whose_chain_does_not_link_is_not_continued(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """Records after the last checkpoint whose own hashes hold but chain breaks are refused."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        events = [line for line in lines if b'"kind":"event"' in line]
        forged = _forge_after(lines, events[:3])
        tail = forged[-2].split(b',"kind":', 1)[1]
        forged[-2] = _rehash(b'{"seq":%d,"prev":"%s","kind":%s' % (len(lines) + 1, b"0" * 64, tail))
        path.write_bytes(b"".join(forged))
        before = path.read_bytes()
        with pytest.raises(AuditWriteError, match="chain"):
            make_logger(checkpoint_every=4)
        assert path.read_bytes() == before


class TestReopeningWithoutAnchor:
    def test_a_last_checkpoint_not_signed_by_the_writer_is_not_continued(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """Without an anchor store the writer checks that its own key signed the last checkpoint."""
        audit = make_logger(anchor=None, checkpoint_every=4)
        for i in range(10):
            audit.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i)
        audit.close()
        path = Path(str(audit._logger.sink.path))  # type: ignore[attr-defined]
        lines = path.read_bytes().splitlines(keepends=True)
        record = json.loads(lines[-1])
        assert record["kind"] == "checkpoint"
        text, _, signature = record["checkpoint"].rpartition("\u2014 ")
        name, raw = signature.split(" ", 1)
        record["checkpoint"] = f"{text}\u2014 {name} {raw[:8]}{'A' * (len(raw) - 9)}=\n"
        body = json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        lines[-1] = _rehash(body)
        path.write_bytes(b"".join(lines))
        before = path.read_bytes()
        with pytest.raises(AnchorMismatch, match="not signed by this writer's key"):
            make_logger(anchor=None)
        assert path.read_bytes() == before

    def test_a_log_it_sealed_itself_is_continued(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """The writer's own last checkpoint passes the check and the log goes on."""
        audit = make_logger(anchor=None, checkpoint_every=4)
        audit.login(user_id="u", ip="203.0.113.9", port=1)
        audit.close()
        again = make_logger(anchor=None)
        again.login(user_id="v", ip="203.0.113.9", port=2)
        again.close()
        path = Path(str(again._logger.sink.path))  # type: ignore[attr-defined]
        assert verify(path, key=PUBLIC).ok


class TestUnvouchedRecordShape:
    def test_an_unvouched_record_without_its_range_is_modified(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """A record of kind unvouched that names no range is reported, by verify and the stream."""
        path = _sealed_log(make_logger)
        lines = path.read_bytes().splitlines(keepends=True)
        fake = lines[1].replace(b'"kind":"event"', b'"kind":"unvouched"', 1)
        path.write_bytes(b"".join(_forge_after(lines, [fake])))
        report = verify(path, key=PUBLIC)
        assert any(
            p.kind == "modified" and "unvouched record" in p.message for p in report.problems
        )
        stream = Verifier(key=PUBLIC)
        seen = [p for line in path.read_bytes().splitlines() for p in stream.feed(line)]
        assert [p.kind for p in seen] == ["modified"]


class _FlakyStore(MemoryAnchorStore):
    """Lists a log it holds no anchor of and, when *broken*, one it cannot read."""

    def __init__(self, *, broken: bool) -> None:
        super().__init__()
        self.broken = broken

    def log_ids(self) -> frozenset[str]:
        return super().log_ids() | {"empty"} | ({"broken"} if self.broken else set())

    def anchors(self, log_id: str) -> tuple[Any, ...]:
        if log_id == "broken":
            raise RuntimeError("store down")
        return super().anchors(log_id)


def _verified_with(store: MemoryAnchorStore, tmp_path: Path, clock: FrozenClock) -> Any:
    with AuditLogger.to_file(
        tmp_path / "audit.jsonl", key=KEY, anchor=store, clock=clock, seal_idle=False
    ) as audit:
        audit.login(user_id="u", ip="203.0.113.9", port=1)
    return verify(tmp_path / "audit.jsonl", key=PUBLIC, anchor=store)


class TestPredecessorCheckRobustness:
    def test_logs_the_store_holds_nothing_of_are_skipped(
        self, tmp_path: Path, clock: FrozenClock
    ) -> None:
        """A log the store lists but holds no anchor of is no predecessor."""
        report = _verified_with(_FlakyStore(broken=False), tmp_path, clock)
        assert [p.kind for p in report.problems] == []

    def test_a_log_the_store_cannot_read_fails_closed(
        self, tmp_path: Path, clock: FrozenClock
    ) -> None:
        """A log the store lists but cannot read may be the missing one: the check fails."""
        report = _verified_with(_FlakyStore(broken=True), tmp_path, clock)
        assert not report.ok
        assert [p.kind for p in report.problems] == ["missing_log"]
        assert "broken" in report.problems[0].message
        assert "RuntimeError" in report.problems[0].message


class TestCleanTextCacheBelongsToItsMasker:
    def test_a_masker_set_after_construction_is_not_served_stale_plans(self) -> None:
        """A MaskPII keeps the masker its plans and clean texts were found with."""
        from secpolicy.audit import DEFAULT_MASKER, MaskPII
        from secpolicy.pii import PERSON_NAME, Masker, Redact

        processor = MaskPII()
        note = "call back Alice Wong tomorrow"
        first = processor(None, "info", {"data": {"note": note}, "reason": note})
        assert first["data"]["note"] == note  # the default masker finds nothing here
        strict = Masker({}, Redact(), field_deny_lists={"note": {PERSON_NAME: ["Alice Wong"]}})
        with pytest.raises(AttributeError):
            processor.masker = strict  # type: ignore[misc]
        again = processor(None, "info", {"data": {"note": note}})
        assert processor.masker is DEFAULT_MASKER
        assert again["data"] == DEFAULT_MASKER.mask_record({"data": {"note": note}})["data"]

    def test_a_recognizer_registered_later_is_not_bypassed_by_remembered_texts(self) -> None:
        """Texts found clean before a recognizer joined the default scanner are scanned again."""
        from secpolicy.audit import DEFAULT_MASKER, MaskPII
        from secpolicy.pii import Recognizer, Scanner

        scanner = DEFAULT_MASKER.scanner
        saved = {name: getattr(scanner, name) for name in Scanner.__slots__}
        processor = MaskPII()
        note = "closed by EMP-004217 after review"
        try:
            before = processor(None, "info", {"data": {"note": note}, "reason": note})
            assert before["reason"] == note
            scanner.register(Recognizer(entity="EMPLOYEE_ID", pattern=r"EMP-[0-9]{6}", score=0.9))
            after = processor(None, "info", {"data": {"note": note}, "reason": note})
        finally:
            for name, value in saved.items():
                setattr(scanner, name, value)
        assert "EMP-004217" not in after["reason"]
        assert "EMP-004217" not in after["data"]["note"]


class TestPathsOfTheRecordsOwnFields:
    def test_a_path_to_a_free_text_field_of_the_record_is_applied(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """A masker's paths to actor.name, correlation_id, reason, target and protocols apply."""
        from secpolicy.pii import PERSON_NAME, Masker, Redact

        name = "Zhang San"
        masker = Masker(
            paths={
                "actor.name": PERSON_NAME,
                "actor.session_id": Redact("[session]"),
                "correlation_id": Redact("[correlation]"),
                "reason": Redact("[reason]"),
                "target": Redact("[target]"),
                "*.protocol": Redact("[protocol]"),
                "data.who": Redact("[who]"),
            }
        )
        audit = make_logger(masker=masker)
        audit.emit(
            "custom.thing",
            user_id="u1",
            user_name=name,
            session_id=name,
            correlation_id=name,
            reason=name,
            target=name,
            src={"ip": "203.0.113.9", "protocol": name},
            who=name,
        )
        audit.close()
        text = Path(str(audit._logger.sink.path)).read_text()  # type: ignore[attr-defined]
        assert name not in text
        record = next(
            r
            for r in read_records(audit._logger.sink.path)  # type: ignore[attr-defined]
            if r["action"] == "custom.thing"
        )
        assert record["actor"]["name"] == masker.mask_value(name, PERSON_NAME)
        assert record["actor"]["user_id"] == "u1"  # the user id stays traceable
        assert record["actor"]["session_id"] == "[session]"
        assert record["correlation_id"] == "[correlation]"
        assert record["reason"] == "[reason]"
        assert record["target"] == "[target]"
        assert record["src"] == {"ip": "203.0.113.9", "protocol": "[protocol]"}
        assert record["data"] == {"who": "[who]"}

    def test_a_field_deny_list_for_a_free_text_field_of_the_record_is_applied(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """A masker's deny list for reason, name or correlation_id masks its terms there too."""
        from secpolicy.pii import PERSON_NAME, Masker

        name = "Alice Wong"
        terms = {PERSON_NAME: [name]}
        masker = Masker(
            field_deny_lists={"reason": terms, "name": terms, "correlation_id": terms},
            field_allow_lists={"target": ["13812345678"]},
        )
        audit = make_logger(masker=masker)
        audit.emit(
            "custom.thing",
            user_id="u1",
            user_name=f"{name} (support)",
            reason=f"refund approved for {name}",
            correlation_id=f"case {name}",
            target="13812345678",
        )
        audit.close()
        record = next(
            r
            for r in read_records(audit._logger.sink.path)  # type: ignore[attr-defined]
            if r["action"] == "custom.thing"
        )
        assert name not in json.dumps(record)
        assert record["reason"] == "refund approved for <PERSON_NAME>"
        assert record["actor"]["name"] == "<PERSON_NAME> (support)"  # not masked whole by name
        assert record["correlation_id"] == "case <PERSON_NAME>"
        assert record["target"] == "13812345678"  # the field's allow list, as under data

    def test_a_field_name_given_to_the_masker_applies_to_the_records_own_fields(
        self, make_logger: Callable[..., AuditLogger]
    ) -> None:
        """Masker(fields={"reason": ..., "correlation_id": ...}) masks those fields whole."""
        from secpolicy.pii import PERSON_NAME, PHONE, Masker

        name = "Zhang San"
        masker = Masker(fields={"reason": PERSON_NAME, "correlation_id": PHONE, "Name": PHONE})
        audit = make_logger(masker=masker)
        audit.emit(
            "custom.thing",
            user_id="u1",
            user_name=name,
            reason=name,
            correlation_id="case 0042",
            target="accounts/7",
        )
        audit.close()
        record = next(
            r
            for r in read_records(audit._logger.sink.path)  # type: ignore[attr-defined]
            if r["action"] == "custom.thing"
        )
        assert name not in json.dumps(record)
        assert record["reason"] == masker.mask_record({"reason": name})["reason"]
        expected = masker.mask_record({"correlation_id": "case 0042"})["correlation_id"]
        assert record["correlation_id"] == expected != "case 0042"
        assert record["actor"]["name"] == masker.mask_value(name, PHONE)
        assert record["target"] == "accounts/7"  # no field given for it: detection only


def _later_forgery(store: MemoryAnchorStore, log_id: str, when: str) -> None:
    """Append to *store* a copy of *log_id*'s newest anchor whose note claims the time *when*.

    What anyone who can append to the store can do: the signature no longer
    matches, but a reader that trusts the note's text takes the time as said.
    """
    latest = store.latest(log_id)
    assert latest is not None
    head, _, rest = latest.note.partition("\ntime ")
    note = head + "\ntime " + when + rest[rest.index("\n") :]
    store.put(attrs.evolve(latest, seq=latest.seq + 4, time=when, note=note))


class TestPredecessorTimesAreSigned:
    @pytest.mark.parametrize("new_key", [False, True])
    def test_a_forged_later_anchor_of_the_wiped_log_does_not_hide_the_wipe(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
        new_key: bool,
    ) -> None:
        """An unsigned anchor claiming the wiped log sealed on while the new one ran is no proof."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC, anchor=anchor).log_id
        assert old_id is not None
        path.unlink()
        clock.advance(timedelta(minutes=1))
        key = Ed25519PrivateKey.from_private_bytes(bytes(range(7, 39))) if new_key else KEY
        audit = make_logger(checkpoint_every=4, key=key)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
            clock.advance(timedelta(seconds=10))
        audit.close()
        _later_forgery(anchor, old_id, "2026-03-01T09:00:00.000000Z")
        report = verify(path, key=key.public_key(), anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert len(missing) == 1
        assert old_id in missing[0].message

    def test_a_forged_earlier_anchor_of_the_newer_log_does_not_hide_a_restored_copy(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """An unsigned anchor claiming the newer log began while the older one ran is no proof."""
        path = _sealed_log(make_logger)
        copy = path.read_bytes()
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        new_id = verify(path, key=PUBLIC).log_id
        assert new_id is not None
        path.write_bytes(copy)
        _later_forgery(anchor, new_id, "2026-03-01T08:00:00.000000Z")
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert missing
        assert new_id in missing[0].message

    def test_an_anchor_renaming_the_wiped_logs_file_does_not_hide_the_wipe(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """A copy of the wiped log's newest anchor naming another file leaves it this file's log."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC, anchor=anchor).log_id
        assert old_id is not None
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
        audit.close()
        latest = anchor.latest(old_id)
        assert latest is not None
        anchor.put(attrs.evolve(latest, file="elsewhere.jsonl"))  # the note still verifies
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert len(missing) == 1
        assert old_id in missing[0].message

    def test_an_anchor_renaming_the_substitutes_file_does_not_hide_the_substitution(
        self,
        tmp_path: Path,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """A copy of the substitute's anchor naming this file does not make it this file's log."""
        ours = make_logger(checkpoint_every=2)
        other = make_logger("billing.jsonl", checkpoint_every=2)
        for i in range(4):  # two files of one service, written at the same time
            ours.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i)
            other.login(user_id=f"b{i}", ip="203.0.113.9", port=3000 + i)
            clock.advance(timedelta(seconds=1))
        ours.close()
        other.close()
        path = tmp_path / "audit.jsonl"
        old_id = verify(path, key=PUBLIC, anchor=anchor).log_id
        assert old_id is not None
        path.write_bytes((tmp_path / "billing.jsonl").read_bytes())
        billing_id = verify(path, key=PUBLIC).log_id
        assert billing_id is not None
        latest = anchor.latest(billing_id)
        assert latest is not None
        anchor.put(attrs.evolve(latest, file="audit.jsonl"))  # the note still verifies
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert len(missing) == 1
        assert old_id in missing[0].message

    def test_another_logs_signed_note_under_the_wiped_logs_id_is_no_proof(
        self,
        make_logger: Callable[..., AuditLogger],
        anchor: MemoryAnchorStore,
        clock: FrozenClock,
    ) -> None:
        """The new log's signed note filed under the wiped log's id proves nothing of that log."""
        path = _sealed_log(make_logger)
        old_id = verify(path, key=PUBLIC, anchor=anchor).log_id
        assert old_id is not None
        path.unlink()
        clock.advance(timedelta(minutes=1))
        audit = make_logger(checkpoint_every=4)
        for i in range(5):
            audit.login(user_id=f"n{i}", ip="203.0.113.9", port=2000 + i)
            clock.advance(timedelta(seconds=10))
        audit.close()
        new_id = verify(path, key=PUBLIC).log_id
        assert new_id is not None
        late = anchor.latest(new_id)
        assert late is not None
        anchor.put(attrs.evolve(late, log_id=old_id))  # signed, but for the new log
        report = verify(path, key=PUBLIC, anchor=anchor)
        assert not report.ok
        missing = [p for p in report.problems if p.kind == "missing_log"]
        assert len(missing) == 1
        assert old_id in missing[0].message
