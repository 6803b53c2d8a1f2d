"""Reading a chained audit log back, for export and inspection (not verification)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from secpolicy.audit._verify import _collect

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable, Iterator

__all__ = ["read_records"]


def read_records(
    paths: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    kinds: Iterable[str] = ("event",),
) -> Iterator[dict[str, Any]]:
    """Yield the records of a log in chain order, parsed, without checking them.

    Use :func:`~secpolicy.audit.verify` first when integrity matters; this is
    for export (``to_ocsf``) and inspection. Lines that are not JSON objects
    (a torn last line) are skipped.

    Args:
        paths: As for :func:`~secpolicy.audit.verify`.
        kinds: The record kinds to yield (``event``, ``checkpoint``,
            ``segment``, ``repair``, ``prune``, ``sink_error``, ``unvouched``); all
            if empty.
    """
    wanted = frozenset(kinds)
    for path in _collect(paths):
        with path.open("rb") as file:
            for line in file:
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict) and (not wanted or record.get("kind") in wanted):
                    yield record
