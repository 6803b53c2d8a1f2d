"""The individual password rules, as functions over an NFKC-normalised password."""

from __future__ import annotations

import itertools
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterable

_SUBSTITUTIONS: Final = str.maketrans(
    {"@": "a", "0": "o", "$": "s", "1": "l", "3": "e", "5": "s", "7": "t"}
)
_TRAILING: Final = re.compile(r"[\W\d_]+$")
_LEADING: Final = re.compile(r"^[\W_]+")
MIN_SEQUENCE: Final = 4
_KEYBOARD_ROWS: Final = (
    "`1234567890-=",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    # Columns, as typed top to bottom (1qaz2wsx...).
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
)
_MOBILE: Final = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")


def _walks() -> frozenset[str]:
    found = set()
    for row in _KEYBOARD_ROWS:
        for text in (row, row[::-1]):
            for i in range(len(text) - MIN_SEQUENCE + 1):
                found.add(text[i : i + MIN_SEQUENCE])
    return frozenset(found)


_WALKS: Final = _walks()


def normalise_for_blocklist(password: str) -> str:
    """Case-fold, undo common substitutions, strip leading symbols and trailing digits/symbols.

    ``P@ssw0rd2024!`` becomes ``password``, so one list entry covers its
    common variants.
    """
    text = _LEADING.sub("", password.casefold())
    stripped = _TRAILING.sub("", text)
    if not stripped:
        # Only digits and symbols: the password is its own common form (123456).
        return text
    return stripped.translate(_SUBSTITUTIONS)


class Blocklist:
    """A set of forbidden passwords, matched after :func:`normalise_for_blocklist`.

    Lookups are O(1). Entries are normalised the same way as candidates, so
    ``Blocklist(["password"])`` also refuses ``P@ssw0rd2024!``.

    Args:
        words: The forbidden passwords.
        name: A label for reports (``"company"``, ``"service names"``).
    """

    __slots__ = ("_words", "name")

    def __init__(self, words: Iterable[str], *, name: str = "custom") -> None:
        self._words = frozenset(normalise_for_blocklist(w) for w in words if w.strip())
        self.name = name

    @classmethod
    def from_file(cls, path: str | Path, *, name: str | None = None) -> Blocklist:
        """One password per line (UTF-8); blank lines and ``#`` comments are skipped."""
        source = Path(path)
        with source.open(encoding="utf-8") as handle:
            words = [line.strip() for line in handle if line.strip() and not line.startswith("#")]
        return cls(words, name=name or source.name)

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and normalise_for_blocklist(password) in self._words

    def __len__(self) -> int:
        return len(self._words)

    def __or__(self, other: Blocklist) -> Blocklist:
        merged = Blocklist((), name=f"{self.name}+{other.name}")
        merged._words = self._words | other._words
        return merged

    def __repr__(self) -> str:
        return f"Blocklist({self.name!r}, {len(self)} entries)"


def has_invalid_characters(password: str) -> bool:
    """Control characters (NUL included) or lone surrogates."""
    return any(
        (ord(ch) < 0x20 and ch not in "\t") or ord(ch) == 0x7F or 0xD800 <= ord(ch) <= 0xDFFF  # noqa: PLR2004
        for ch in password
    )


def character_classes(password: str) -> int:
    """How many of lower-case, upper-case, digit and symbol (anything else) occur."""
    lower = upper = digit = symbol = False
    for ch in password:
        if ch.islower():
            lower = True
        elif ch.isupper():
            upper = True
        elif ch.isdigit():
            digit = True
        else:
            symbol = True
    return lower + upper + digit + symbol


def longest_run(password: str) -> int:
    """The longest run of one repeated character."""
    best = run = 0
    previous = None
    for ch in password:
        run = run + 1 if ch == previous else 1
        best = max(best, run)
        previous = ch
    return best


def _forms(password: str) -> tuple[str, ...]:
    """The case-folded password, and its form with common substitutions undone (qw3rty)."""
    text = password.casefold()
    plain = text.translate(_SUBSTITUTIONS)
    return (text,) if plain == text else (text, plain)


def has_sequence(password: str, length: int = MIN_SEQUENCE) -> bool:
    """A run of *length* letters or digits ascending or descending by one (abcd, 4321, @bcd)."""
    return any(_has_run(text, length) for text in _forms(password))


def _has_run(text: str, length: int) -> bool:
    up = down = 1
    for a, b in itertools.pairwise(text):
        if a.isalnum() and b.isalnum():
            step = ord(b) - ord(a)
            up = up + 1 if step == 1 else 1
            down = down + 1 if step == -1 else 1
        else:
            up = down = 1
        if up >= length or down >= length:
            return True
    return False


def has_keyboard_walk(password: str) -> bool:
    """Four or more keys in a row or column of the keyboard (qwer, asdf, 1qaz, qw3rty)."""
    return any(
        text[i : i + MIN_SEQUENCE] in _WALKS
        for text in _forms(password)
        for i in range(len(text) - MIN_SEQUENCE + 1)
    )


def is_date(password: str) -> bool:
    """The password is a date (YYYYMMDD, YYMMDD, DDMMYYYY, MMDDYYYY; separators allowed)."""
    digits = re.sub(r"[-./ ]", "", password)
    if not digits.isascii() or not digits.isdigit():
        return False
    candidates: list[tuple[int, int, int]] = []
    if len(digits) == 8:  # noqa: PLR2004
        y, m, d = int(digits[:4]), int(digits[4:6]), int(digits[6:])
        candidates.append((y, m, d))
        candidates.append((int(digits[4:]), int(digits[2:4]), int(digits[:2])))  # DDMMYYYY
        candidates.append((int(digits[4:]), int(digits[:2]), int(digits[2:4])))  # MMDDYYYY
    elif len(digits) == 6:  # noqa: PLR2004
        y = int(digits[:2])
        candidates.append((1900 + y if y > 30 else 2000 + y, int(digits[2:4]), int(digits[4:])))  # noqa: PLR2004
    for year, month, day in candidates:
        if 1900 <= year <= 2099:  # noqa: PLR2004
            try:
                date(year, month, day)
            except ValueError:
                continue
            return True
    return False


def is_mobile_number(password: str) -> bool:
    """The password is a Chinese mobile number (with or without +86 and separators)."""
    return bool(_MOBILE.fullmatch(re.sub(r"[-\s]", "", password)))


def user_tokens(values: Iterable[str]) -> set[str]:
    """Pieces of user data worth refusing in a password: whole values and their parts (4+ chars)."""
    tokens: set[str] = set()
    for value in values:
        text = value.casefold().strip()
        if len(text) >= MIN_SEQUENCE:
            tokens.add(text)
        for part in re.split(r"[\s@._\-+/:]+", text):
            if len(part) >= MIN_SEQUENCE:
                tokens.add(part)
    return tokens


def matches_user_data(password: str, tokens: Iterable[str]) -> bool:
    """The password contains a token, forwards or reversed, ignoring case and trailing digits."""
    text = password.casefold()
    core = _TRAILING.sub("", text) or text
    return any(token in text or token[::-1] in text or core == token for token in tokens)
