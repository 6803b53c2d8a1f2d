"""What every subcommand shares: exit codes, errors and output files."""

from __future__ import annotations

import contextlib
import io
import sys
from typing import IO, TYPE_CHECKING, Final

from secpolicy._fs import atomic_output

if TYPE_CHECKING:
    from collections.abc import Iterator

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2


class UsageError(Exception):
    """A bad argument or input file; reported on stderr with exit code 2."""


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file that appears only once completely written."""
    if path is None or path == "-":
        yield sys.stdout
        return
    with atomic_output(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # atomic_output owns and closes the binary file


@contextlib.contextmanager
def open_input(path: str | None) -> Iterator[IO[str]]:
    """Standard input for ``-`` or no path, else the file as UTF-8 text."""
    if path is None or path == "-":
        yield sys.stdin
        return
    try:
        handle = open(path, encoding="utf-8", newline="")  # noqa: PTH123, SIM115 (closed below)
    except OSError as exc:
        raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    with handle:
        yield handle
