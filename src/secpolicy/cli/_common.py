"""What every subcommand shares: exit codes, errors and output files."""

from __future__ import annotations

import codecs
import contextlib
import io
import stat
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, Final

from secpolicy._fs import atomic_output

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

EXIT_OK: Final = 0
EXIT_FAILURE: Final = 1
EXIT_USAGE: Final = 2


class UsageError(Exception):
    """A bad argument or input file; reported on stderr with exit code 2."""


def refuse_overwrite(output: str | None, inputs: Iterable[str | None]) -> None:
    """Refuse an output file that is one of the command's inputs.

    The report or decisions would replace the file they were made from (the
    policy file, the records), once written: nothing may be lost that way.

    Raises:
        UsageError: Naming the file.
    """
    if output is None or output == "-":
        return
    target = Path(output)
    for given in inputs:
        if given is None or given == "-":
            continue
        source = Path(given)
        try:
            same = target.resolve() == source.resolve() or (
                target.exists() and source.exists() and target.samefile(source)
            )
        except OSError:
            same = False
        if same:
            raise UsageError(
                f"--output {output} is the input file {given}; writing there would replace it"
            )


@contextlib.contextmanager
def open_output(path: str | None) -> Iterator[IO[str]]:
    """Standard output, or a file that appears only once completely written."""
    if path is None or path == "-":
        yield sys.stdout
        return
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        mode = None
    if mode is not None and not stat.S_ISREG(mode) and not stat.S_ISDIR(mode):
        # a device or pipe (/dev/null, /dev/stdout, a FIFO) is written in place:
        # renaming a temporary file over it would replace the device itself
        with open(path, "w", encoding="utf-8", newline="") as handle:  # noqa: PTH123
            yield handle
        return
    with atomic_output(path) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()  # atomic_output owns and closes the binary file


@contextlib.contextmanager
def open_input(path: str | None, *, encoding: str = "utf-8") -> Iterator[IO[str]]:
    """Standard input for ``-`` or no path, else the file as text in *encoding*.

    Raises:
        UsageError: If the file cannot be opened, the encoding is unknown, or
            the content is not text in that encoding (the message names the
            file and the byte offset, never the content).
    """
    name = "<stdin>" if path is None or path == "-" else path
    try:
        codecs.lookup(encoding)
    except LookupError:
        raise UsageError(f"--encoding: unknown encoding {encoding!r}") from None
    if path is None or path == "-":
        handle: IO[str] = (
            io.TextIOWrapper(sys.stdin.buffer, encoding=encoding, newline="", errors="strict")
            if encoding.lower().replace("_", "-") not in ("utf-8", "utf8")
            and hasattr(sys.stdin, "buffer")
            else sys.stdin
        )
    else:
        if Path(path).is_dir():
            raise UsageError(f"{path}: is a directory, not a file")
        try:
            handle = open(path, encoding=encoding, newline="")  # noqa: PTH123, SIM115 (closed below)
        except OSError as exc:
            raise UsageError(f"cannot read {path}: {exc.strerror}") from None
    try:
        yield handle
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"{name}: not {encoding} text (byte {exc.start} of a read block); "
            "give its encoding with --encoding (e.g. gbk)"
        ) from None
    finally:
        if handle is not sys.stdin:
            if path is None or path == "-":
                handle.detach()  # type: ignore[attr-defined]  # leave stdin open for the caller
            else:
                handle.close()
