"""Deleting rotated audit files that the retention schedule lets go."""

from __future__ import annotations

import json
import os
from typing import TYPE_CHECKING, Any

from secpolicy.audit._chain import HEAD
from secpolicy.audit._event import parse_time
from secpolicy.audit._sinks import _first_line, _lines_backwards, rotated_files
from secpolicy.exceptions import AuditWriteError

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

    from secpolicy.audit._writer import ChainWriter
    from secpolicy.retention import LegalHold, RetentionSchedule

__all__ = ["prune_files"]


def _edge(path: Path, *, last: bool) -> tuple[int, str, dict[str, Any]]:
    """Sequence number, prev and parsed record of a file's first or last line."""
    fd = os.open(path, os.O_RDONLY)
    try:
        line = next(_lines_backwards(fd, os.fstat(fd).st_size), b"") if last else _first_line(fd)
    finally:
        os.close(fd)
    head = HEAD.match(line)
    try:
        record = json.loads(line)
    except ValueError:
        record = None
    if head is None or not isinstance(record, dict):
        raise AuditWriteError(
            f"cannot prune: {path.name} has a damaged {'last' if last else 'first'} record"
        )
    return int(head[1]), head[2].decode(), record


def prune_files(
    writer: ChainWriter,
    path: Path,
    schedule: RetentionSchedule,
    *,
    now: datetime,
    category: str,
    holds: tuple[LegalHold, ...],
) -> list[Path]:
    """Delete the oldest rotated files that *schedule* allows; see ``AuditLogger.prune``."""
    rotated = rotated_files(path)
    doomed: list[Path] = []
    citations: set[str] = set()
    for file in rotated:
        _, _, last = _edge(file, last=True)
        decision = schedule.evaluate(
            category, created=parse_time(last["time"]), now=now, holds=holds, record_id=file.name
        )
        if decision.action != "delete":
            break
        doomed.append(file)
        if decision.rule is not None:
            citations.add(decision.rule.citation)
    if not doomed:
        return []
    remaining = rotated[len(doomed)] if len(doomed) < len(rotated) else path
    seq, prev, _ = _edge(remaining, last=False)
    writer.record(
        "prune",
        {
            "files": [file.name for file in doomed],
            "begins_seq": seq,
            "begins_prev": prev,
            "begins_file": remaining.name,
            "category": category,
            "citations": sorted(citations),
        },
    )
    for file in doomed:
        try:
            file.unlink()
        except OSError as exc:
            raise AuditWriteError(
                exc.errno, f"recorded the pruning of {file.name} but could not delete it: {exc}"
            ) from exc
    return doomed
