"""Where each key of a TOML document is written, so errors can name the line.

``tomllib`` returns plain data without positions. :func:`line_index` walks
the text of a document that ``tomllib`` has already accepted and records the
1-based line of every table header, key and array element under the same
dotted path the loader uses in its errors (``rbac.grants[2].role``).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Mapping

_BARE_KEY: Final = re.compile(r"[A-Za-z0-9_-]+")
_ESCAPE: Final = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.DOTALL)
#: A bare value (number, boolean, date-time with a space between date and time).
_SCALAR: Final = re.compile(r"[^,\]\}\s#]+(?: [0-9:.+\-Zz]+)?")
_SIMPLE_ESCAPES: Final = {
    "b": "\b",
    "t": "\t",
    "n": "\n",
    "f": "\f",
    "r": "\r",
    '"': '"',
    "\\": "\\",
}


def _unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "uU":
            return chr(int(code[1:], 16))
        return _SIMPLE_ESCAPES.get(code, code)

    return _ESCAPE.sub(one, text)


def join(path: str, key: str) -> str:
    """The dotted path of *key* inside *path*."""
    return f"{path}.{key}" if path else key


class _Scanner:
    """A single forward pass over a valid TOML document."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.line = 1
        self.lines: dict[str, int] = {}
        self.array_tables: dict[str, int] = {}

    # -- characters -----------------------------------------------------------------

    def peek(self, n: int = 1) -> str:
        return self.text[self.pos : self.pos + n]

    def advance(self, n: int = 1) -> str:
        chunk = self.text[self.pos : self.pos + n]
        self.line += chunk.count("\n")
        self.pos += n
        return chunk

    def skip_space(self, *, newlines: bool) -> None:
        while self.pos < len(self.text):
            char = self.text[self.pos]
            if char in " \t\r" or (newlines and char == "\n"):
                self.advance()
            elif char == "#":
                end = self.text.find("\n", self.pos)
                self.advance((end if end >= 0 else len(self.text)) - self.pos)
            else:
                return

    def record(self, path: str, line: int) -> None:
        self.lines.setdefault(path, line)

    # -- keys -------------------------------------------------------------------------

    def key_part(self) -> str:
        quote = self.peek()
        if quote in ('"', "'"):
            end = self.pos + 1
            while self.text[end] != quote:
                end += 2 if quote == '"' and self.text[end] == "\\" else 1
            raw = self.advance(end + 1 - self.pos)[1:-1]
            return _unescape(raw) if quote == '"' else raw
        match = _BARE_KEY.match(self.text, self.pos)
        if match is None:
            raise PolicyConfigError(f"unexpected character at line {self.line}")
        return self.advance(match.end() - self.pos)

    def dotted_key(self) -> list[str]:
        parts = [self.key_part()]
        self.skip_space(newlines=False)
        while self.peek() == ".":
            self.advance()
            self.skip_space(newlines=False)
            parts.append(self.key_part())
            self.skip_space(newlines=False)
        return parts

    def resolve(self, parts: list[str]) -> str:
        """The path of a header, with the current index of every array of tables in it."""
        path = ""
        for part in parts:
            path = join(path, part)
            if path in self.array_tables:
                path = f"{path}[{self.array_tables[path]}]"
        return path

    # -- values ------------------------------------------------------------------------

    def string(self) -> None:
        for quote in ('"""', "'''"):
            if self.peek(3) == quote:
                self.advance(3)
                end = self.pos
                while True:
                    end = self.text.index(quote, end)
                    if quote == '"""' and _escaped(self.text, end):
                        end += 1
                        continue
                    break
                # up to two quotes may directly precede the closing delimiter
                while self.text[end + 3 : end + 4] == quote[0]:
                    end += 1
                self.advance(end + 3 - self.pos)
                return
        self.key_part()  # a one-line string is read like a quoted key

    def value(self, path: str) -> None:
        char = self.peek()
        if char in ('"', "'"):
            self.string()
        elif char == "[":
            self.array(path)
        elif char == "{":
            self.inline_table(path)
        else:
            match = _SCALAR.match(self.text, self.pos)
            self.advance(match.end() - self.pos if match else 1)

    def array(self, path: str) -> None:
        self.advance()  # [
        index = 0
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "]":
                self.advance()
                return
            element = f"{path}[{index}]"
            self.record(element, self.line)
            self.value(element)
            index += 1
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.advance()

    def inline_table(self, path: str) -> None:
        self.advance()  # {
        while True:
            self.skip_space(newlines=True)
            if self.peek() == "}":
                self.advance()
                return
            self.key_value(path)
            self.skip_space(newlines=True)
            if self.peek() == ",":
                self.advance()

    def key_value(self, table: str) -> None:
        line = self.line
        path = table
        for part in self.dotted_key():
            path = join(path, part)
            self.record(path, line)
        self.skip_space(newlines=False)
        self.advance()  # =
        self.skip_space(newlines=False)
        self.value(path)

    # -- document ----------------------------------------------------------------------

    def header(self) -> str:
        line = self.line
        array = self.peek(2) == "[["
        self.advance(2 if array else 1)
        self.skip_space(newlines=False)
        parts = self.dotted_key()
        self.advance(2 if array else 1)
        if array:
            parent = self.resolve(parts[:-1])
            plain = join(parent, parts[-1])
            self.array_tables[plain] = self.array_tables.get(plain, -1) + 1
            self.record(plain, line)
            path = f"{plain}[{self.array_tables[plain]}]"
        else:
            path = self.resolve(parts)
        self.record(path, line)
        return path

    def run(self) -> dict[str, int]:
        table = ""
        while True:
            self.skip_space(newlines=True)
            if self.pos >= len(self.text):
                return self.lines
            if self.peek() == "[":
                table = self.header()
            else:
                self.key_value(table)


def _escaped(text: str, at: int) -> bool:
    """True if the character at *at* is escaped by an odd run of backslashes."""
    count = 0
    while at - count - 1 >= 0 and text[at - count - 1] == "\\":
        count += 1
    return count % 2 == 1


def line_index(text: str) -> dict[str, int]:
    """The 1-based line of every key, table and array element of the TOML *text*.

    *text* must be a document ``tomllib`` accepts. Should the walk still fail
    (a construct it does not follow), the lines found so far are returned:
    an error message then names the nearest enclosing key instead.
    """
    scanner = _Scanner(text)
    try:
        return scanner.run()
    except (ValueError, IndexError):
        return scanner.lines


def find_line(lines: Mapping[str, int], path: str) -> int | None:
    """The line of *path*, or of its nearest enclosing key or table that has one."""
    while path:
        if path in lines:
            return lines[path]
        cut = max(path.rfind("."), path.rfind("["))
        if cut <= 0:
            break
        path = path[:cut]
    return lines.get(path)
