"""Verification: a mutation campaign, threads, a killed writer, rewrites and keys."""

from __future__ import annotations

import hashlib
import json
import random
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    AuditLogger,
    FileAnchorStore,
    MemoryAnchorStore,
    generate_signing_key,
    read_records,
    verify,
)
from tests.audit.conftest import KEY

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}
# The campaign's log: one segment line, audit.start and audit.stop, ten
# checkpoints and the events between them. Every kind of line and every
# boundary (segment start, checkpoint, the torn last line) is present, as in a
# log of any length; 200 events between checkpoints instead of the default
# 1,000 make each verification 5x cheaper, and a mutation lands on a
# checkpoint line 5x as often.
RECORDS = 2_000
CHECKPOINT_EVERY = 200
CHECKPOINTS = 10
MUTATIONS = 1_000


def _rehash(line: bytes) -> bytes:
    """A forged line with a valid hash of its own (what an attacker can compute)."""
    prefix = line[: line.rindex(b',"hash":"')]
    return prefix + b',"hash":"' + hashlib.sha256(prefix).hexdigest().encode() + b'"}\n'


@pytest.fixture(scope="module")
def campaign_log(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MemoryAnchorStore]:
    """A sealed, anchored log of 2,000 lines: a segment, start and stop, 10 checkpoints."""
    directory = tmp_path_factory.mktemp("campaign")
    anchor = MemoryAnchorStore()
    with AuditLogger.to_file(
        directory / "audit.jsonl",
        key=KEY,
        anchor=anchor,
        mask=False,
        seal_idle=False,
        checkpoint_every=CHECKPOINT_EVERY,
    ) as audit:
        # with the segment, audit.start, audit.stop and the checkpoints: RECORDS lines
        for i in range(RECORDS - 3 - CHECKPOINTS):
            audit.login(user_id=f"u{i % 50}", ip="203.0.113.9", port=1024 + i)
    return directory / "audit.jsonl", anchor


def _mutate(  # noqa: PLR0911 (one return per mutation kind)
    lines: list[bytes], rng: random.Random
) -> tuple[list[bytes], str, set[str], int | None]:
    """One random mutation: new lines, its name, accepted kinds, the line to report."""
    n = len(lines)
    kind = rng.choice(["edit", "delete", "duplicate", "swap", "insert", "forge", "truncate"])
    i = rng.randrange(n)
    out = list(lines)
    if kind == "edit":
        line = bytearray(out[i])
        pos = rng.randrange(len(line))
        line[pos] = (line[pos] + rng.randrange(1, 256)) % 256
        out[i] = bytes(line)
        if pos == len(line) - 1 and i == n - 1:  # the last newline: now a torn line
            return out, kind, {"truncated"}, None
        return out, kind, {"modified"}, i + 1
    if kind == "delete":
        del out[i]
        if i == n - 1:
            return out, kind, {"truncated"}, None
        return out, kind, {"deleted"}, i + 1
    if kind == "duplicate":
        out.insert(i + 1, out[i])
        return out, kind, {"duplicated"}, i + 2
    if kind == "swap":
        i = min(i, n - 2)
        out[i], out[i + 1] = out[i + 1], out[i]
        return out, kind, {"reordered"}, i + 1
    if kind == "insert":  # garbage or a changed copy whose hash was not recomputed
        forged = out[i].replace(b'"outcome":"success"', b'"outcome":"failure"')
        if forged == out[i]:
            forged = b'{"seq":1,"note":"forged"}\n'
        out.insert(i, forged)
        return out, kind, {"modified"}, i + 1
    if kind == "forge":  # a well-formed record with a valid hash, posing as its neighbour
        forged = (
            _rehash(out[i].replace(b'"kind":"', b'"kind":"x', 1))
            if b'"kind":"event"' not in out[i]
            else _rehash(out[i].replace(b'"user_id":"', b'"user_id":"x', 1))
        )
        out.insert(i, forged)
        return out, kind, {"inserted"}, i + 1
    cut = rng.randrange(1, sum(map(len, lines)) - 1)
    data = b"".join(lines)[:cut]
    return [data], kind, {"truncated"}, None


@pytest.mark.parametrize(
    "mutations",
    [pytest.param(200, id="200"), pytest.param(MUTATIONS, id="full", marks=pytest.mark.campaign)],
)
def test_mutation_campaign(
    campaign_log: tuple[Path, MemoryAnchorStore], tmp_path: Path, mutations: int
) -> None:
    """Random single mutations of a 2,000-line log (200, or 1,000 with -m campaign)."""
    path, anchor = campaign_log
    lines = path.read_bytes().splitlines(keepends=True)
    assert len(lines) == RECORDS
    kinds = [json.loads(line)["kind"] for line in lines]
    assert kinds.count("segment") == 1
    assert kinds.count("checkpoint") == CHECKPOINTS
    clean = verify(path, key=KEY.public_key(), anchor=anchor)
    assert clean.ok
    assert clean.warnings == ()
    rng = random.Random(20261123)
    target = tmp_path / "audit.jsonl"
    seen: dict[str, int] = {}
    for round_ in range(mutations):
        mutated, kind, expected, line = _mutate(lines, rng)
        target.write_bytes(b"".join(mutated))
        report = verify([target], key=KEY.public_key(), anchor=anchor)
        first = report.first_problem
        context = f"round {round_}: {kind} at line {line}: {report.summary()}"
        assert not report.ok, context
        assert first is not None
        assert first.kind in expected, context
        if line is not None:
            assert first.line == line, context
        elif kind == "truncate" and first.line is not None:  # cut right before a newline
            assert first.line == len(mutated[0].splitlines()), context
        seen[kind] = seen.get(kind, 0) + 1
    assert len(seen) == 7
    assert min(seen.values()) >= (100 if mutations == MUTATIONS else 10)  # every kind exercised


def test_rewritten_chain_breaks_the_checkpoint(tmp_path: Path) -> None:
    """Rewriting records and recomputing every later hash is caught by the signature."""
    path = tmp_path / "audit.jsonl"
    with AuditLogger.to_file(path, key=KEY, checkpoint_every=50, seal_idle=False) as audit:
        for _ in range(120):
            audit.login(**ADDR)
    lines = path.read_bytes().splitlines(keepends=True)
    prev = None
    rewritten = []
    for number, original in enumerate(lines):
        line = original
        if number == 10:
            line = line.replace(b'"u1"', b'"u2"')
        if prev is not None and number >= 10:
            record = json.loads(line)
            line = line.replace(record["prev"].encode(), prev.encode(), 1)
        if number >= 10:
            line = _rehash(line)
        prev = json.loads(line)["hash"]
        rewritten.append(line)
    path.write_bytes(b"".join(rewritten))
    report = verify(path, key=KEY.public_key())
    assert not report.ok
    first = report.first_problem
    assert first is not None
    assert first.kind == "bad_checkpoint"
    assert first.line == 51
    assert "records 1-49" in first.message or "may have been rewritten" in first.message


def test_key_rotation_and_unknown_key(tmp_path: Path) -> None:
    """Checkpoints signed by two keys verify with both; with one, the other is named."""
    path = tmp_path / "audit.jsonl"
    old, new = KEY, generate_signing_key()
    with AuditLogger.to_file(path, key=old, seal_idle=False) as audit:
        audit.login(**ADDR)
    with AuditLogger.to_file(
        path, key=new, seal_idle=False, previous_keys=[old.public_key()]
    ) as audit:
        audit.login(**ADDR)
    assert verify(path, key=[old.public_key(), new.public_key()]).ok
    report = verify(path, key=old.public_key())
    assert [p.kind for p in report.problems] == ["bad_checkpoint", "unsealed"]
    assert "was not given" in report.problems[0].message


def test_threads_keep_one_chain(tmp_path: Path) -> None:
    """8 threads x 5,000 records give one valid chain with every record in it."""
    path = tmp_path / "audit.jsonl"
    audit = AuditLogger.to_file(path, key=KEY, mask=False, seal_idle=False)
    barrier = threading.Barrier(8)

    def work(n: int) -> None:
        log = audit.bind(user_id=f"t{n}", ip="10.0.0.1", port=n)
        barrier.wait()
        for i in range(5_000):
            log.emit("load.test", i=i)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    audit.close()
    report = verify(path, key=KEY.public_key())
    assert report.ok, report.summary()
    events = [e for e in read_records(path) if e["action"] not in ("audit.start", "audit.stop")]
    assert len(events) == 40_000
    assert len({(e["actor"]["user_id"], e["data"]["i"]) for e in events}) == 40_000  # type: ignore[index]


_WRITER = """
import sys
from secpolicy.audit import AuditLogger, FileAnchorStore
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
key = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
audit = AuditLogger.to_file(sys.argv[1], key=key, fsync="always", checkpoint_every=100,
                            anchor=FileAnchorStore(sys.argv[2]), seal_idle=False)
i = 0
while True:
    audit.login(user_id="u1", ip="203.0.113.9", port=1024 + i % 60000)
    print(i, flush=True)
    i += 1
"""


def test_sigkill_leaves_a_verifiable_log(tmp_path: Path) -> None:
    """A writer killed with SIGKILL leaves a log that verifies and is continued on reopening."""
    path, anchors = tmp_path / "audit.jsonl", tmp_path / "anchors.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-c", _WRITER, str(path), str(anchors)],
        stdout=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdout is not None
    acknowledged = -1
    for line in process.stdout:
        acknowledged = int(line)
        if acknowledged >= 750:
            break
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stdout.close()
    store = FileAnchorStore(anchors)
    report = verify(path, key=KEY.public_key(), anchor=store)
    # Nothing is lost or damaged; the records after the last checkpoint are unsealed.
    assert {p.kind for p in report.problems} <= {"unsealed"}, report.summary()
    assert len(list(read_records(path))) >= acknowledged + 1
    assert {w.kind for w in report.warnings} <= {"torn_tail"}
    with AuditLogger.to_file(path, key=KEY, anchor=store, seal_idle=False) as audit:
        audit.logout(**ADDR)
    after = verify(path, key=KEY.public_key(), anchor=store)
    assert after.ok, after.summary()
    assert after.unsealed == 0


def test_report_formats(tmp_path: Path, clock: FrozenClock) -> None:
    """summary() and to_dict() carry the figures; progress is called to the end."""
    path = tmp_path / "audit.jsonl"
    with AuditLogger.to_file(path, key=KEY, clock=clock, seal_idle=False) as audit:
        audit.login(**ADDR)
    calls: list[tuple[int, int]] = []
    report = verify(path, key=KEY, progress=lambda done, total: calls.append((done, total)))
    assert calls[-1][0] == calls[-1][1] == path.stat().st_size
    # segment, audit.start, login, audit.stop, checkpoint
    assert report.summary().startswith("OK: 5 records in 1 file(s), 1 valid checkpoint(s)")
    data = report.to_dict()
    assert data["ok"] is True
    assert data["files"][0]["records"] == 5
    missing = verify(tmp_path / "nothing.jsonl", key=KEY)
    assert not missing.ok
    assert missing.problems[0].kind == "missing_file"
    empty = tmp_path / "empty.jsonl"
    empty.write_bytes(b"")
    assert verify([empty], key=KEY).problems[0].message == "the file is empty"
    assert str(missing.problems[0]).startswith(str(tmp_path / "nothing.jsonl"))


def test_directory_and_truncated_anchor_file(
    tmp_path: Path, make_logger: Callable[..., AuditLogger], anchor: MemoryAnchorStore
) -> None:
    """A directory is verified as one log; an anchor past the end is a cut-off tail."""
    audit = make_logger(rotate_bytes=4096)
    for i in range(40):
        audit.publish(**ADDR, message_id=str(i), title="t")
    audit.close()
    assert verify(tmp_path, key=KEY, anchor=anchor).ok
    active = tmp_path / "audit.jsonl"
    active.write_bytes(b"".join(active.read_bytes().splitlines(keepends=True)[:-1]))
    report = verify(tmp_path, key=KEY, anchor=anchor)
    assert [p.kind for p in report.problems] == ["truncated", "unsealed"]


class TestProblemRecord:
    """The public finding record refuses values outside its closed sets."""

    def test_unknown_kind_is_refused_naming_the_field(self) -> None:
        """A kind outside ProblemKind is a PolicyConfigError naming Problem.kind."""
        from secpolicy.audit import Problem
        from secpolicy.exceptions import PolicyConfigError

        with pytest.raises(PolicyConfigError, match=r"Problem\.kind"):
            Problem(kind="fine", file="a.jsonl", line=None, seq=None, message="x")  # type: ignore[arg-type]

    def test_every_documented_kind_is_accepted(self) -> None:
        """Each member of ProblemKind builds a Problem."""
        import typing

        from secpolicy.audit import Problem
        from secpolicy.audit._verify import ProblemKind

        for kind in typing.get_args(ProblemKind):
            assert Problem(kind=kind, file="a", line=1, seq=0, message="m").kind == kind

    @pytest.mark.parametrize(
        ("field", "value"),
        [("file", 3), ("line", "1"), ("seq", 1.5), ("message", b"m"), ("line", True)],
    )
    def test_wrongly_typed_fields_are_refused(self, field: str, value: object) -> None:
        """A field of the wrong type is a PolicyConfigError naming it."""
        from secpolicy.audit import Problem
        from secpolicy.exceptions import PolicyConfigError

        values: dict[str, object] = {
            "kind": "modified",
            "file": "a",
            "line": 1,
            "seq": 0,
            "message": "m",
        }
        values[field] = value
        with pytest.raises(PolicyConfigError, match=rf"Problem\.{field}"):
            Problem(**values)  # type: ignore[arg-type]

    def test_file_summary_refuses_a_negative_count(self) -> None:
        """FileSummary's record count cannot be negative."""
        from secpolicy.audit._verify import FileSummary
        from secpolicy.exceptions import PolicyConfigError

        with pytest.raises(PolicyConfigError, match=r"FileSummary\.records"):
            FileSummary(file="a", records=-1, first_seq=None, last_seq=None, problems=0)
