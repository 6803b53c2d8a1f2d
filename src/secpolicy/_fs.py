"""File-system helpers shared by the areas: atomic replacement of files."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterator

StrPath = str | os.PathLike[str]


@contextlib.contextmanager
def atomic_output(dst: StrPath, *, mode: int | None = None) -> Iterator[IO[bytes]]:
    """Write to a temporary file beside *dst*; rename it over *dst* only on success.

    The data is flushed and fsynced before the rename, and the directory after
    it. On any failure the temporary file is removed, so a half-written file
    never appears under the destination name and an existing file is kept.

    Args:
        dst: The file to create or replace.
        mode: Permission bits for the new file (e.g. ``0o600`` for secrets).
    """
    target = Path(dst)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".partial", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            if mode is not None:
                os.fchmod(out.fileno(), mode)
            yield out
            out.flush()
            os.fsync(out.fileno())
        tmp.replace(target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    with contextlib.suppress(OSError):  # not every platform can fsync a directory
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
