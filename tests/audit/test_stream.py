"""The streaming verifier: lines fed one by one, state persisted and resumed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from secpolicy.audit import AuditLogger, Verifier
from secpolicy.exceptions import PolicyConfigError
from tests.audit.conftest import KEY


@pytest.fixture
def lines(make_logger: Callable[..., AuditLogger], tmp_path: Path) -> list[bytes]:
    """The lines of a log of 120 events, checkpoints every 25 records, two files."""
    audit = make_logger(checkpoint_every=25, rotate_bytes=8192)
    for i in range(120):
        audit.login(user_id=f"u{i}", ip="203.0.113.9", port=1000 + i, note="zhang@example.com")
    audit.close()
    files = [*sorted(tmp_path.glob("audit.0*.jsonl")), tmp_path / "audit.jsonl"]
    assert len(files) > 1
    return [line for path in files for line in path.read_bytes().splitlines(keepends=True)]


class TestVerifier:
    def test_a_sound_stream_is_sealed(self, lines: list[bytes]) -> None:
        """Every line of a sound log passes; at the end everything is sealed."""
        verifier = Verifier(key=KEY.public_key())
        for line in lines:
            assert verifier.feed(line) == ()
        assert verifier.finish() == ()
        assert verifier.ok
        assert verifier.next_seq == len(lines)

    def test_state_resumes_across_restarts(self, lines: list[bytes]) -> None:
        """A collector that stores state() every 17 lines ends where one pass ends."""
        state = None
        for start in range(0, len(lines), 17):
            verifier = Verifier(key=KEY, state=None if state is None else json.loads(state))
            for line in lines[start : start + 17]:
                assert verifier.feed(line.decode()) == ()
            state = json.dumps(verifier.state())
        assert verifier.ok
        assert verifier.sealed_seq == Verifier(key=KEY, state=json.loads(str(state))).sealed_seq

    def test_re_serialising_pipeline_is_caught(self, lines: list[bytes]) -> None:
        """A pipeline that parses and re-dumps the JSON changes the bytes: modified."""
        verifier = Verifier(key=KEY)
        found = []
        for line in lines:
            reserialised = json.dumps(json.loads(line))  # spaces after separators
            found.extend(verifier.feed(reserialised))
        assert found
        assert {p.kind for p in found} == {"modified"}
        assert "re-serialised" in found[0].message
        assert not verifier.ok

    def test_unsealed_tail_and_never_sealed(self, lines: list[bytes]) -> None:
        """A stream that stops after records with no checkpoint says so at the end."""
        verifier = Verifier(key=KEY)
        for line in lines[:-1]:
            verifier.feed(line)
        assert [p.kind for p in verifier.finish()] == ["unsealed"]
        fresh = Verifier(key=KEY)
        fresh.feed(lines[0])
        fresh.feed(lines[1])
        assert [p.kind for p in fresh.finish()] == ["no_checkpoint"]

    def test_gaps_duplicates_and_forged_checkpoints(self, lines: list[bytes]) -> None:
        """Missing, repeated and badly signed lines are reported; the chain does not move."""
        verifier = Verifier(key=KEY)
        verifier.feed(lines[0])
        assert [p.kind for p in verifier.feed(lines[2])] == ["deleted"]
        assert verifier.feed(lines[1]) == ()
        assert [p.kind for p in verifier.feed(lines[1])] == ["duplicated"]
        other = Verifier(key=bytes(range(32)))
        kinds = [p.kind for line in lines for p in other.feed(line)]
        assert kinds
        assert set(kinds) == {"bad_checkpoint"}
        assert [p.kind for p in Verifier(key=KEY).feed(lines[1])] == ["deleted"]

    def test_bad_state_is_refused(self) -> None:
        """A state that is not one is a PolicyConfigError."""
        with pytest.raises(PolicyConfigError, match="state"):
            Verifier(key=KEY, state={"version": 1})
        with pytest.raises(PolicyConfigError, match="version"):
            Verifier(key=KEY, state={"version": 9})


class TestVerifierEdges:
    def test_joining_at_a_rotated_file(self, lines: list[bytes]) -> None:
        """A stream may start at a rotated file's segment record; the next checkpoint seals."""
        start = next(i for i, line in enumerate(lines) if i and b'"kind":"segment"' in line)
        verifier = Verifier(key=KEY)
        for line in lines[start:]:
            assert verifier.feed(line) == ()
        assert verifier.finish() == ()
        assert verifier.ok

    def test_another_logs_segment(self, lines: list[bytes], tmp_path: Path) -> None:
        """A segment record of another log in the stream is reported."""
        verifier = Verifier(key=KEY)
        for line in lines[:3]:
            verifier.feed(line)
        record = json.loads(lines[0])
        other = lines[0].replace(record["log_id"].encode(), b"f" * 32)
        prefix = other[: other.rindex(b',"hash":"')]
        import hashlib

        forged = prefix + b',"hash":"' + hashlib.sha256(prefix).hexdigest().encode() + b'"}\n'
        fresh = Verifier(key=KEY)
        fresh.feed(forged)
        assert fresh.log_id == "f" * 32
        found = [p.kind for p in fresh.feed(lines[1])]
        assert found == ["modified"]  # record 1 links to the real segment, not the forged one
        assert repr(fresh).startswith("Verifier(")

    def test_state_round_trip_rejects_wrong_types(self, lines: list[bytes]) -> None:
        """Every member of a state is type-checked on restore."""
        verifier = Verifier(key=KEY)
        for line in lines[:5]:
            verifier.feed(line)
        state = verifier.state()
        assert Verifier(key=[KEY], state=state).state() == state
        for member, value in (("next_seq", "5"), ("tree_size", True), ("tree", ["zz"])):
            with pytest.raises(PolicyConfigError):
                Verifier(key=KEY, state={**state, member: value})
        assert Verifier(key=KEY).finish() == ()
        assert Verifier(key=KEY).unsealed == 0
