"""Audit logging beside plain structlog, and verification speed.

Goals (issue: audit logs):

- secpolicy's logger (sequence, hash chain, checkpoints every 1,000 records,
  masking off) keeps at least 0.85x the throughput of plain structlog writing
  the same events with the same JSON renderer to a file, flushed per event
  without fsync; the cost of masking on and of fsync every 100 records is
  stated beside it.
- Verification runs at least 200,000 records per second.

Both loggers write to files in the same temporary directory; each repeat
writes a fresh batch of events.
"""

from __future__ import annotations

import json
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import structlog

from benchmarks._runner import check_goal, compare
from secpolicy.audit import AuditLogger, generate_signing_key, verify

if TYPE_CHECKING:
    from collections.abc import Callable

BATCH = 2_000
VERIFY_RECORDS = 300_000
KEY = generate_signing_key()
_DUMPS = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


def _events(log: Callable[..., Any], n: int) -> None:
    for i in range(n):
        log(
            user_id=f"u{i % 997}",
            ip="203.0.113.9",
            port=40000 + i % 20000,
            session_id="s-7f3a",
            method="password",
            client="web/5.2",
        )


def _plain(directory: Path) -> tuple[Callable[[], None], Callable[[], None]]:
    file = (directory / "plain.jsonl").open("a", encoding="utf-8")
    logger = structlog.wrap_logger(
        structlog.WriteLogger(file),
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.TimeStamper(fmt="iso", utc=True, key="time"),
            structlog.processors.JSONRenderer(serializer=lambda obj, **_: _DUMPS(obj)),
        ],
    )

    def run() -> None:
        _events(lambda **kw: logger.info("auth.login", outcome="success", **kw), BATCH)

    return run, file.close


def _ours(
    directory: Path, name: str, **options: Any
) -> tuple[Callable[[], None], Callable[[], None]]:
    audit = AuditLogger.to_file(
        directory / f"{name}.jsonl",
        key=KEY,
        checkpoint_every=1000,
        checkpoint_interval=timedelta(minutes=10),
        seal_idle=False,
        **options,
    )

    def run() -> None:
        _events(audit.login, BATCH)

    return run, audit.close


def _throughput(directory: Path) -> None:
    plain, close_plain = _plain(directory)
    ours, close_ours = _ours(directory, "ours", mask=False, fsync="never")
    ours_cp, close_cp = _ours(directory, "ours_cp", mask=False)
    masked, close_masked = _ours(directory, "masked", mask=True, fsync="never")
    fsync100, close_fsync = _ours(directory, "fsync100", mask=False, fsync=100)
    result = compare(
        f"one login event, {BATCH} per repeat (per event)",
        ours,
        {
            "plain structlog (flush, no fsync)": plain,
            "secpolicy, fsync at checkpoints": ours_cp,
            "secpolicy, masking on": masked,
            "secpolicy, fsync every 100": fsync100,
        },
        number=1,
        repeat=15,
        items=BATCH,
    )
    for close in (close_plain, close_ours, close_cp, close_masked, close_fsync):
        close()
    ratio = result.ratio("plain structlog (flush, no fsync)")
    check_goal(
        "chain + checkpoints every 1,000, masking off, at least 0.85x plain structlog",
        met=ratio >= 0.85,
        detail=f"{ratio:.2f}x (fsync never; flush per record like the plain logger)",
    )
    cp = result.ratio("plain structlog (flush, no fsync)") / result.ratio(
        "secpolicy, fsync at checkpoints"
    )
    print(f"- with the default fsync at checkpoints: {cp:.2f}x plain structlog")
    for label in ("secpolicy, masking on", "secpolicy, fsync every 100"):
        print(f"- {label}: {result.ratio(label):.2f}x the time of the chain alone")


def _verify_speed(directory: Path) -> None:
    path = directory / "verify.jsonl"
    with AuditLogger.to_file(path, key=KEY, mask=False, fsync="never", seal_idle=False) as audit:
        _events(audit.login, VERIFY_RECORDS)
    size = path.stat().st_size
    best = float("inf")
    for _ in range(3):
        start = time.perf_counter()
        report = verify(path, key=KEY.public_key())
        best = min(best, time.perf_counter() - start)
    assert report.ok, report.summary()
    rate = report.records / best
    print(
        f"\n### verification\n\n{report.records} records ({size / 2**20:.0f} MiB) "
        f"in {best:.2f} s (best of 3): {rate:,.0f} records/s, {size / 2**20 / best:.0f} MiB/s"
    )
    check_goal(
        "verification at least 200,000 records per second",
        met=rate >= 200_000,
        detail=f"{rate:,.0f} records/s",
    )


def main() -> None:
    """Run the audit benchmarks."""
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        _throughput(directory)
        _verify_speed(directory)


if __name__ == "__main__":
    main()
