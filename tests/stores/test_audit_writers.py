"""Audit across writers: three processes anchor to one SQLAnchorStore; a fourth verifies."""

from __future__ import annotations

import multiprocessing
import shutil
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from secpolicy.stores.sql import SQLAnchorStore

# A fixed key: tests are reproducible, and no test depends on its secrecy.
KEY_BYTES = bytes(range(32))
WRITERS = 3
EVENTS = 23
TIMEOUT = 120.0


def _write(job: tuple[str, str, str], out: Any) -> None:
    """One service instance: write its own log, anchoring every checkpoint."""
    from secpolicy.audit import AuditLogger

    url, prefix, path = job
    engine = sa.create_engine(url)
    logger = AuditLogger.to_file(
        path,
        key=Ed25519PrivateKey.from_private_bytes(KEY_BYTES),
        anchor=SQLAnchorStore(engine, prefix=prefix),
        checkpoint_every=5,
        seal_idle=False,
    )
    for i in range(EVENTS):
        logger.emit("billing.refund", user_id=f"u{i}", outcome="success")
    out.put(logger.log_id)
    logger.close()
    engine.dispose()


def _verify(job: tuple[str, str, list[str]], out: Any) -> None:
    """The auditor's process: verify every log against the anchors and the writer list."""
    from secpolicy.audit import verify

    url, prefix, paths = job
    engine = sa.create_engine(url)
    store = SQLAnchorStore(engine, prefix=prefix, create_schema=False)
    report = verify(
        [Path(p) for p in paths],
        key=Ed25519PrivateKey.from_private_bytes(KEY_BYTES).public_key(),
        anchor=store,
        expected_log_ids=store.log_ids(),
    )
    out.put((report.ok, sorted({problem.kind for problem in report.problems})))
    engine.dispose()


def _in_child(work: Any, job: Any) -> Any:
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=work, args=(job, out))
    child.start()
    result = out.get(timeout=TIMEOUT)
    child.join(TIMEOUT)
    assert child.exitcode == 0
    return result


class TestAuditAcrossWriters:
    @pytest.fixture
    def logs(self, engine: sa.Engine, prefix: str, tmp_path: Path) -> tuple[str, list[Path]]:
        """Three writer processes, each with its own log, all anchored in one table."""
        url = engine.url.render_as_string(hide_password=False)
        SQLAnchorStore(engine, prefix=prefix)
        paths = [tmp_path / f"w{i}" / "audit.jsonl" for i in range(WRITERS)]
        ctx = multiprocessing.get_context("fork")
        out = ctx.Queue()
        children = [
            ctx.Process(target=_write, args=((url, prefix, str(path)), out)) for path in paths
        ]
        for child in children:
            child.start()
        log_ids = {out.get(timeout=TIMEOUT) for _ in children}
        for child in children:
            child.join(TIMEOUT)
            assert child.exitcode == 0
        assert SQLAnchorStore(engine, prefix=prefix).log_ids() == log_ids
        return url, paths

    def _check(self, url: str, prefix: str, paths: list[Path]) -> tuple[bool, list[str]]:
        ok, kinds = _in_child(_verify, (url, prefix, [str(p) for p in paths]))
        return bool(ok), list(kinds)

    def test_untouched_logs_verify(self, logs: tuple[str, list[Path]], prefix: str) -> None:
        """The three logs as written verify against the shared anchors."""
        url, paths = logs
        assert self._check(url, prefix, paths) == (True, [])

    def test_truncated_log_is_found(self, logs: tuple[str, list[Path]], prefix: str) -> None:
        """A log with its sealed tail cut off fails against its writer's anchors."""
        url, paths = logs
        lines = paths[0].read_bytes().splitlines(keepends=True)
        paths[0].write_bytes(b"".join(lines[: len(lines) // 2]))
        ok, kinds = self._check(url, prefix, paths)
        assert not ok
        assert {"truncated", "rollback"} & set(kinds)

    def test_substituted_log_is_found(self, logs: tuple[str, list[Path]], prefix: str) -> None:
        """One writer's log replaced by another writer's fails: that writer is missing."""
        url, paths = logs
        shutil.copyfile(paths[2], paths[1])
        ok, kinds = self._check(url, prefix, paths)
        assert not ok
        assert "missing_log" in kinds or "unknown_log" in kinds

    def test_missing_writer_is_found(self, logs: tuple[str, list[Path]], prefix: str) -> None:
        """A writer whose log is not handed to the verifier is reported missing."""
        url, paths = logs
        ok, kinds = self._check(url, prefix, paths[:2])
        assert not ok
        assert "missing_log" in kinds
