"""Password strength: how many guesses an informed attacker needs, in linear time.

The model is zxcvbn's: a password is covered by a sequence of patterns
(common password or word, user data, sequence, repeat, keyboard walk, date,
phone number) and brute-forced characters; each pattern is worth the guesses
an attacker who tries that kind of pattern first would spend on it, and the
estimate is the cheapest cover. Unlike zxcvbn, every pattern search is bounded
per position (dictionary words by their longest entry, repeats by block
length) and the cover is found by one pass of dynamic programming over
maximal matches, so the work grows linearly with the password's length:
there is no input that takes seconds.
"""

from __future__ import annotations

import itertools
import math
import re
import string
import threading
import unicodedata
import weakref
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import ahocorasick
import attrs

from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError
from secpolicy.password._composed import calendar_runs, date_runs, phrase_matches
from secpolicy.password._names import name_matches
from secpolicy.password._progressions import progression_matches
from secpolicy.password._rules import (
    _MOBILE,
    _SUBSTITUTIONS,
    COMMON_PASSWORDS,
    ENGLISH_WORDS,
    ESTIMATOR_ROWS,
    INDEX_FILE,
    LEET,
    Blocklist,
    bundled_index,
    is_date,
    user_tokens,
)
from secpolicy.password._wordscan import WordScanner

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from secpolicy.password._policy import PasswordContext
    from secpolicy.password._violations import Locale

#: The year dates are measured from (zxcvbn uses the current year; a constant
#: keeps results reproducible and no clock is read). Override per call.
REFERENCE_YEAR: Final = 2026

#: Every feedback code with its message per locale. Codes are stable API.
FEEDBACK: Final[dict[str, dict[str, str]]] = {
    "common_password": {
        "en": "This is one of the most common passwords.",
        "zh-CN": "这是最常见的密码之一。",
    },
    "dictionary_word": {
        "en": "Common words and names are easy to guess.",
        "zh-CN": "常见单词和姓名容易被猜到。",
    },
    "user_data": {
        "en": "Your own name, username or details are easy to guess.",
        "zh-CN": "您的姓名、用户名等个人信息容易被猜到。",
    },
    "reversed": {
        "en": "Words spelled backwards are not much harder to guess.",
        "zh-CN": "倒写的单词并不会更难猜。",
    },
    "rotated": {
        "en": "A word with its letters rotated (asswordp) is not much harder to guess.",
        "zh-CN": "把单词的字母轮换（如 asswordp）并不会更难猜。",
    },
    "substitution": {
        "en": "Predictable substitutions such as @ for a do not help much.",
        "zh-CN": "用 @ 代替 a 这样的替换作用不大。",
    },
    "capitalisation": {
        "en": "Capitalising the first letter or every letter does not help much.",
        "zh-CN": "首字母大写或全部大写作用不大。",
    },
    "sequence": {
        "en": "Sequences such as abc or 6543 are easy to guess.",
        "zh-CN": "abc、6543 这样的顺序字符容易被猜到。",
    },
    "repeat": {
        "en": "Repeats such as aaa or abcabc are easy to guess.",
        "zh-CN": "aaa、abcabc 这样的重复容易被猜到。",
    },
    "keyboard_walk": {
        "en": "Keyboard patterns such as qwerty or 1qaz2wsx are easy to guess.",
        "zh-CN": "qwerty、1qaz2wsx 这样的键盘排列容易被猜到。",
    },
    "date": {
        "en": "Dates and years are easy to guess.",
        "zh-CN": "日期和年份容易被猜到。",
    },
    "phone_number": {
        "en": "Phone numbers are easy to guess.",
        "zh-CN": "手机号码容易被猜到。",
    },
    "decoration": {
        "en": "A digit or symbol or two added to a word does not help much.",
        "zh-CN": "在单词前后加一两个数字或符号作用不大。",
    },
    "too_short": {
        "en": "Use a longer password: length helps most.",
        "zh-CN": "请使用更长的密码：长度最重要。",
    },
    "add_words": {
        "en": "Add a word or two more; uncommon words are better.",
        "zh-CN": "再加一两个词，不常见的词更好。",
    },
}

_BRUTE_PER_CHAR: Final = 1.0  # log10 of 10 guesses per unexplained character, as zxcvbn
_SEGMENT_PENALTY: Final = math.log10(3)  # each further pattern the attacker must combine
_MIN_SUBMATCH: Final = math.log10(50)  # a pattern inside a longer password is never cheaper
_MAX_WORD: Final = 32
_LOG2: Final = math.log10(2)
_MAX_BLOCK: Final = 12
#: A word repeated around a middle (``Summer2024!Summer``) is priced as one
#: pattern when the middle is at most this long and the word at least
#: ``_MIN_ECHO`` characters.
_MAX_MIDDLE: Final = 10
_MIN_ECHO: Final = 3
_MAX_ECHO: Final = 32
_ECHO_PARTNERS: Final = 4  # later occurrences of a trigram tried per position
_MAX_ECHOES: Final = 16
# Searches in C that rule matchers out before their Python loops; each finds
# exactly what the loop needs to find anything (a test proves it).
_ANY_REPEAT: Final = re.compile(r"(?s)(.)\1\1|(.{2,%d})\2" % _MAX_BLOCK).search  # noqa: UP031
_REPEATED_BLOCK: Final = {
    1: re.compile(r"(?s)(.)\1\1").search,
    **{block: re.compile(r"(?s)(.{%d})\1" % block).search for block in range(2, _MAX_BLOCK + 1)},  # noqa: UP031
}
_ANY_ECHO: Final = re.compile(r"(?s)(.{%d}).*?\1" % _MIN_ECHO).search  # noqa: UP031
#: Digits or symbols added at either end of a word (``Tr0ub4dor&3``): up to
#: this many are priced with the word, as the first rules a cracker applies.
_MAX_DECORATION: Final = 2
#: Rotations by up to this many letters either way are priced as the word.
_MAX_ROTATION: Final = 4
_ROTATIONS: Final = tuple(k for r in range(1, _MAX_ROTATION + 1) for k in (r, -r))
_ROTATION_CHOICES: Final = math.log10(len(_ROTATIONS))
#: The separators users put inside a word (``Pass-word``), each one choice of
#: four; any other symbol there is one of the 33 printable ASCII symbols.
_COMMON_SEPARATORS: Final = frozenset("-._ ")
_COUNTER_JOINERS: Final = "-._ "
_SEPARATOR_CHOICES: Final = (math.log10(4), math.log10(33))
#: At most this many separators inside one split word.
_MAX_CUTS: Final = 2
#: Rotations are tried on the words of at most this rank.
_ROTATED_TOP: Final = 5000
_KEYS: Final = 47  # keys on the main block of a US/Chinese keyboard
_KEY_DEGREE: Final = 4  # average neighbours per key along rows and columns
_MOBILE_NUMBERS: Final = math.log10(1.6e9)  # numbers in service in China, roughly
_SCORE_BOUNDS: Final = (3.0, 6.0, 8.0, 10.0)  # log10 guesses: zxcvbn's thresholds
_DATE_SEPARATED: Final = re.compile(r"(?<!\d)\d{1,4}[-./ ]\d{1,2}[-./ ]\d{1,4}(?!\d)")
_DIGITS: Final = re.compile(r"\d{4,}")
#: Every l33t key read as its second letter where it has two (``1`` as ``i``)
#: and as its only one elsewhere, so ``s3cur1ty`` reads ``security``.
_ALTERNATE: Final = str.maketrans({k: v[-1] for k, v in LEET.items()})


@attrs.frozen(kw_only=True)
class Pattern:
    """One piece of the cheapest cover of a password.

    Attributes:
        kind: ``dictionary``, ``user_data``, ``sequence``, ``repeat``,
            ``keyboard_walk``, ``date``, ``year``, ``phone_number`` or
            ``brute_force``.
        start: Index of the first character (in the NFKC form).
        end: Index after the last character.
        guesses_log10: The guesses this piece costs, as a power of ten.
    """

    kind: str
    start: int
    end: int
    guesses_log10: float


@attrs.frozen(kw_only=True)
class Strength:
    """How hard a password is to guess.

    Attributes:
        score: 0 (guessed within a thousand tries) to 4 (more than 10¹⁰),
            with zxcvbn's thresholds 10³, 10⁶, 10⁸ and 10¹⁰.
        guesses_log10: The estimated number of guesses, as a power of ten
            (a float would overflow for long passwords).
        feedback: Stable codes (see ``FEEDBACK``) saying what makes the
            password weak and how to improve it; empty for strong passwords.
        patterns: The cover the estimate is based on, for explanations. It
            holds positions, never the characters.
    """

    score: int
    guesses_log10: float
    feedback: tuple[str, ...]
    patterns: tuple[Pattern, ...]

    @property
    def guesses(self) -> float:
        """The estimated guesses (``inf`` beyond the float range)."""
        return math.inf if self.guesses_log10 > 308 else 10.0**self.guesses_log10  # noqa: PLR2004

    def crack_seconds(self, guesses_per_second: float) -> float:
        """Seconds to find the password at the given rate (e.g. 10 per second online)."""
        if guesses_per_second <= 0:
            raise InvalidArgumentError("guesses_per_second must be positive")
        return self.guesses / guesses_per_second

    def messages(self, locale: Locale = "en") -> list[str]:
        """The feedback as sentences in *locale* (``en`` or ``zh-CN``)."""
        return [FEEDBACK[code].get(locale, FEEDBACK[code]["en"]) for code in self.feedback]


class _Match(NamedTuple):
    start: int
    end: int
    log10: float
    kind: str
    notes: tuple[str, ...] = ()
    rank: int = 0  # dictionary matches: the word's rank


def _with_prefixes(ranks: Mapping[str, int]) -> dict[str, int]:
    """*ranks* plus every proper prefix of its words mapped to 0, for one lookup per step."""
    table: dict[str, int] = {}
    for word in ranks:
        for i in range(3, len(word)):
            table.setdefault(word[:i], 0)
    table.update(ranks)
    return table


class _Dictionary:
    """Ranks of a word list and of its l33t forms, each with every prefix.

    One dictionary lookup per step tells both whether the piece is a word
    (its rank) and whether a longer piece can still be one (0): the walk
    over a password stops at the first piece that is neither.
    """

    __slots__ = ("_merged", "_rotations", "_scanner", "leet", "max_len", "table")

    def __init__(self, *rankings: Mapping[str, int]) -> None:
        ranks: dict[str, int] = {}
        for ranking in rankings:
            for word, rank in ranking.items():
                if ranks.get(word, rank + 1) > rank:
                    ranks[word] = rank
        leet: dict[str, int] = {}
        for word, rank in ranks.items():
            plain = word.translate(_SUBSTITUTIONS)
            if plain != word and leet.get(plain, rank + 1) > rank:
                leet[plain] = rank
        self.max_len = min(_MAX_WORD, max((len(w) for w in ranks), default=0))
        self.table = _with_prefixes(ranks)
        self.leet = _with_prefixes(leet)
        self._rotations: dict[str, int] | None = None
        self._merged: dict[str, int] | None = None
        self._scanner: WordScanner | None = None

    def rotations(self) -> dict[str, int]:
        """The rotated forms of the commonest words, with every prefix (built on first use).

        Rotating a word by up to ``_MAX_ROTATION`` letters either way
        (``asswordp``, ``dpasswor``) is a cracker's rule (hashcat's ``{`` and
        ``}``); it is applied to the ``_ROTATED_TOP`` commonest words, of at
        least four letters, each rotation keeping its word's rank.
        """
        table = self._rotations
        if table is None:
            rotated: dict[str, int] = {}
            for word, rank in self.table.items():
                if 0 < rank <= _ROTATED_TOP and len(word) >= 4 and word.isalpha():  # noqa: PLR2004
                    for shift in _ROTATIONS:
                        form = word[shift:] + word[:shift]
                        if form != word and rotated.get(form, rank + 1) > rank:
                            rotated[form] = rank
            table = self._rotations = _with_prefixes(rotated)
        return table

    def merged(self) -> dict[str, int]:
        """Every piece of the three tables, its ranks packed in one int (built on first use).

        ``rank | leet_rank << 20 | rotation_rank << 40``, 0 for a piece that
        is only a prefix: one lookup per step serves every table, for the
        score's dictionary walk (``_bounded``). Ranks stay below ``2**20``.
        """
        table = self._merged
        if table is None:
            table = self._merged = self._merge()
        return table

    def _merge(self, *, prefixes: bool = True) -> dict[str, int]:
        """The merged table; without *prefixes*, its words only (what the automaton holds)."""
        table = dict(self.table) if prefixes else {w: r for w, r in self.table.items() if r}
        get = table.get
        for word, rank in self.leet.items():
            if prefixes or rank:
                table[word] = get(word, 0) | rank << 20
        for word, rank in self.rotations().items():
            if prefixes or rank:
                table[word] = get(word, 0) | rank << 40
        return table

    def scanner(self) -> WordScanner:
        """The words of :meth:`merged` in one automaton (built on first use).

        It finds in one C pass what the walk over :meth:`merged` finds (see
        ``_wordscan``). It is built from the merged table's words alone,
        which are not kept.
        """
        scanner = self._scanner
        if scanner is None:
            scanner = self._scanner = WordScanner(self._merge(prefixes=False), self.max_len)
        return scanner

    def sections(self) -> dict[str, list[str]]:
        """The tables as text sections (the build script writes them; see :meth:`from_sections`)."""
        result: dict[str, list[str]] = {}
        for label, table in (("table", self.table), ("leet", self.leet)):
            words = sorted(w for w, r in table.items() if r)
            result[f"{label}_words"] = words
            result[f"{label}_ranks"] = [str(table[w]) for w in words]
            result[f"{label}_prefixes"] = sorted(w for w, r in table.items() if not r)
        return result

    @classmethod
    def from_sections(cls, sections: Mapping[str, list[str]]) -> _Dictionary:
        """The tables from prebuilt text sections: C-level dictionary building, no loop."""
        index = cls()
        index._rotations = None
        index._merged = None
        index._scanner = None
        tables = []
        for label in ("table", "leet"):
            table = dict.fromkeys(sections[f"{label}_prefixes"], 0)
            words = sections[f"{label}_words"]
            table.update(zip(words, map(int, sections[f"{label}_ranks"]), strict=True))
            tables.append(table)
        index.table, index.leet = tables
        words = sections["table_words"]
        index.max_len = min(_MAX_WORD, max(map(len, words), default=0))
        return index


#: Ordinary words and names, ranked (zxcvbn's frequency lists): what makes
#: ``Tr0ub4dor`` cheaper than its length suggests. Not a blocklist.
_WORDS: Final = ENGLISH_WORDS
# One index per live blocklist; it goes when the blocklist does, so lists
# built per request do not pile up.
_DICTIONARIES: Final[weakref.WeakKeyDictionary[Blocklist, _Dictionary]] = (
    weakref.WeakKeyDictionary()
)
_DICTIONARY_LOCK: Final = threading.Lock()


def _dictionary_for(blocklist: Blocklist) -> _Dictionary:
    """The estimator's index for *blocklist* plus the words, built once per list.

    The bundled list's index is prebuilt by the build script and read from
    the package; any other list's is built here from its ranks.
    """
    index = _DICTIONARIES.get(blocklist)
    if index is None:
        with _DICTIONARY_LOCK:
            index = _DICTIONARIES.get(blocklist)
            if index is None:
                if blocklist is COMMON_PASSWORDS:
                    index = _Dictionary.from_sections(bundled_index(INDEX_FILE))
                else:
                    index = _Dictionary(blocklist.ranks, _WORDS.ranks)
                _DICTIONARIES[blocklist] = index
    return index


def _walk_pairs() -> dict[tuple[str, str], frozenset[tuple[int, int]]]:
    """Every (row, direction) each pair of neighbouring keys lies on.

    A pair may lie on several (``q`` to ``a`` is a QWERTY column and an
    AZERTY one), and a walk turns only where no row continues.
    """
    pairs: dict[tuple[str, str], set[tuple[int, int]]] = {}
    for row_id, row in enumerate(ESTIMATOR_ROWS):
        for a, b in itertools.pairwise(row):
            pairs.setdefault((a, b), set()).add((row_id, 1))
            pairs.setdefault((b, a), set()).add((row_id, -1))
    return {pair: frozenset(rows) for pair, rows in pairs.items()}


_WALK_PAIRS: Final = _walk_pairs()


def _fold(text: str) -> str:
    """Lower-case, one character for one (so that positions line up)."""
    folded = text.lower()
    if len(folded) == len(text):
        return folded
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in text)


def _case_variations(piece: str) -> float:
    """log10 of the capitalisations an attacker tries for *piece* (zxcvbn's rule)."""
    if not any(c.isupper() for c in piece):
        return 0.0
    upper = sum(1 for c in piece if c.isupper())
    lower = sum(1 for c in piece if c.islower())
    if lower == 0 or (upper == 1 and (piece[0].isupper() or piece[-1].isupper())):
        return math.log10(2)
    return math.log10(sum(math.comb(upper + lower, i) for i in range(1, min(upper, lower) + 1)))


def _leet_variations(original: str, plain: str) -> float:
    substituted = sum(1 for a, b in zip(original, plain, strict=True) if a != b)
    return math.log10(2) * min(substituted, 8) if substituted else 0.0


def _walk(
    source: str, starts: range, n: int, table: Mapping[str, int], max_len: int
) -> list[tuple[int, int, int]]:
    """``(i, j, rank)`` for every word ``source[i:j]`` of *table* starting at *starts*.

    From each start the piece grows one character at a time while it is a
    word or the prefix of one (rank 0): one lookup per step, and most starts
    end after one.
    """
    get = table.get
    hits: list[tuple[int, int, int]] = []
    for i in starts:
        j = i + 3
        rank = get(source[i:j])
        if rank is None:
            continue
        stop = min(n, i + max_len)
        while True:
            if rank:
                hits.append((i, j, rank))
            if j >= stop:
                break
            j += 1
            rank = get(source[i:j])
            if rank is None:
                break
    return hits


def _leet_walk(
    source: str, starts: range, n: int, words: _Dictionary
) -> list[tuple[int, int, int]]:
    """:func:`_walk` over a l33t reading: a piece is a word of either table, the lower rank wins."""
    get, leet_get, max_len = words.table.get, words.leet.get, words.max_len
    hits: list[tuple[int, int, int]] = []
    for i in starts:
        stop = min(n, i + max_len)
        for j in range(i + 3, stop + 1):
            piece = source[i:j]
            rank = get(piece)
            other = leet_get(piece)
            if rank is None or (other and (not rank or other < rank)):
                rank = other
            if rank is None:
                break
            if rank:
                hits.append((i, j, rank))
    return hits


#: The keys that stand for two letters (``1`` for ``l`` or ``i``), each read both ways.
_RANK: Final = (1 << 20) - 1  # one table's rank in a merged entry (see _Dictionary.merged)
_AMBIGUOUS: Final = {key: letters for key, letters in LEET.items() if len(letters) > 1}


def _mixed_matches(text: str, folded: str, words: _Dictionary) -> list[_Match]:
    """Words spelt with two-letter keys read differently within the word (``W1l1iam``).

    The two l33t readings read every ``1`` (``!``, ``|``) of the text the same
    way, so a word that needs one as ``i`` and another as ``l`` (``w1l1iam``,
    ``1nte11igence``) is in neither. Here the walk branches at each such key
    into both letters, keeping the pieces that are a word or the prefix of
    one (of either table); only the pieces that neither uniform reading
    holds are reported, at the cost of a l33t match (its substituted keys,
    its capitals), the cheapest word of each span only (a cover takes the
    cheapest, and a decoration costs its word and more), so no match is found
    twice; the same backwards (``ma1l1iw``), one choice more for the
    reversal. A mixed piece holds two such keys at least, so only texts with
    two are walked.
    """
    ambiguous = [k for k, c in enumerate(folded) if c in _AMBIGUOUS]
    if len(ambiguous) < 2:  # noqa: PLR2004 (one key: the two readings cover both letters)
        return []
    n = len(folded)
    log10 = math.log10
    found: list[_Match] = []
    for reverse in (False, True):
        source = folded[::-1] if reverse else folded
        for i, end, rank, keys, rotated in _mixed_walk(source, words):
            start, stop = (n - end, n - i) if reverse else (i, end)
            cost = log10(rank) + _LOG2 * min(keys, 8)
            notes: tuple[str, ...] = ("substitution",)
            if rotated:
                cost += _ROTATION_CHOICES
                notes = ("rotated", *notes)
            if reverse:
                cost += _LOG2
                notes = ("reversed", *notes)
            original = text[start:stop]
            if original != folded[start:stop]:
                cost += _case_variations(original)
                notes += ("capitalisation",)
            found.append(_Match(start, stop, cost, "dictionary", notes, rank))
    return found


def _mixed_walk(  # noqa: PLR0912 (one branching walk over three tables)
    source: str, words: _Dictionary
) -> list[tuple[int, int, int, int, bool]]:
    """``(i, j, rank, keys, rotated)``: the best word of each span ``source[i:j]`` read mixed.

    *keys* is the span's substituted keys; *rotated* says the word is a
    rotation of the commonest words' (``1l1iamw``), which costs one choice
    of rotation more: a span's rotation is reported instead of its word
    only when its rank with that choice is lower. Each piece carries whether
    it is still the first or the second uniform reading of its span.
    """
    ambiguous = [k for k, c in enumerate(source) if c in _AMBIGUOUS]
    n = len(source)
    plain = source.translate(_SUBSTITUTIONS)
    alternate = source.translate(_ALTERNATE)
    changed = list(
        itertools.accumulate((a != b for a, b in zip(source, plain, strict=True)), initial=0)
    )
    # One lookup per piece: the merged table holds the three tables' ranks.
    merged_get, max_len = words.merged().get, words.max_len
    hits: list[tuple[int, int, int, int, bool]] = []
    for i in range(max(0, ambiguous[1] - max_len + 1), ambiguous[-2] + 1):
        pieces: list[tuple[str, bool, bool]] = [("", True, True)]
        for j in range(i, min(n, i + max_len)):
            first, second = plain[j], alternate[j]
            letters = _AMBIGUOUS.get(source[j], first)
            grown: list[tuple[str, bool, bool]] = []
            best = best_rotated = 0
            for piece, as_first, as_second in pieces:
                for letter in letters:
                    longer = piece + letter
                    still_first = as_first and letter == first
                    still_second = as_second and letter == second
                    if len(longer) < 3:  # noqa: PLR2004 (the tables hold pieces of three keys up)
                        grown.append((longer, still_first, still_second))
                        continue
                    packed = merged_get(longer)
                    if packed is None:
                        continue
                    grown.append((longer, still_first, still_second))
                    if still_first or still_second or not packed:
                        continue
                    rank, other, turned = packed & _RANK, packed >> 20 & _RANK, packed >> 40
                    if not rank or (other and other < rank):
                        rank = other
                    if rank and (not best or rank < best):
                        best = rank
                    if turned and (not best_rotated or turned < best_rotated):
                        best_rotated = turned
            keys = changed[j + 1] - changed[i]
            if best_rotated and (not best or best_rotated * len(_ROTATIONS) < best):
                hits.append((i, j + 1, best_rotated, keys, True))
            elif best:
                hits.append((i, j + 1, best, keys, False))
            pieces = grown
            if not pieces:
                break
    return hits


def _dictionary_matches(  # noqa: PLR0912 (three sources, kept in one pass for speed)
    text: str, folded: str, words: _Dictionary
) -> list[_Match]:
    """Words of the dictionary in *text*: as typed, in l33t readings, and reversed."""
    found: list[_Match] = []
    n = len(text)
    if n < 3:  # noqa: PLR2004 (the shortest word)
        return found
    table, max_len = words.table, words.max_len
    everywhere = range(n - 2)
    log10 = math.log10
    for i, j, rank in _walk(folded, everywhere, n, table, max_len):
        original = text[i:j]
        if original == folded[i:j]:
            found.append(_Match(i, j, log10(rank), "dictionary", (), rank))
        else:
            cost = log10(rank) + _case_variations(original)
            found.append(_Match(i, j, cost, "dictionary", ("capitalisation",), rank))
    plain = folded.translate(_SUBSTITUTIONS)
    alternate = folded.translate(_ALTERNATE)
    for source in (plain, alternate):
        if source == folded or (source is alternate and alternate == plain):
            continue
        # Only windows that hold a substituted character can give a l33t match.
        changed = [k for k in range(n) if source[k] != folded[k]]
        starts = range(max(0, changed[0] - max_len + 1), min(n - 2, changed[-1] + 1))
        # substituted[k]: substituted keys before k, so a window's count is one subtraction.
        substituted = [0] * (n + 1)
        for k in changed:
            substituted[k + 1] = 1
        substituted = list(itertools.accumulate(substituted))
        for i, j, rank in _leet_walk(source, starts, n, words):
            keys = substituted[j] - substituted[i]
            if not keys:
                continue  # no substitution here: the exact walk has it
            lower = folded[i:j]
            original = text[i:j]
            cost = log10(rank) + _LOG2 * min(keys, 8)  # as _leet_variations counts them
            if original != lower:
                cost += _case_variations(original)
                notes: tuple[str, ...] = ("substitution", "capitalisation")
            else:
                notes = ("substitution",)
            found.append(_Match(i, j, cost, "dictionary", notes, rank))
    found += _mixed_matches(text, folded, words)
    found += _rotation_matches(text, folded, words)
    backwards = folded[::-1]
    for i, j, rank in _walk(backwards, everywhere, n, table, max_len):
        piece = backwards[i:j]
        if piece == piece[::-1]:
            continue
        start, end = n - j, n - i
        original = text[start:end]
        cost = log10(rank) + _LOG2
        if original != folded[start:end]:
            cost += _case_variations(original)
            notes = ("reversed", "capitalisation")
        else:
            notes = ("reversed",)
        found.append(_Match(start, end, cost, "dictionary", notes, rank))
    return found


def _rotation_matches(text: str, folded: str, words: _Dictionary) -> list[_Match]:
    """Common words rotated by up to ``_MAX_ROTATION`` letters (``asswordp``, ``ssw0rdpa``).

    As typed and in both l33t readings; a reading's substituted keys cost as
    in the l33t walk.
    """
    found: list[_Match] = []
    n = len(text)
    rotations = words.rotations()
    sources = [folded]
    for reading in (folded.translate(_SUBSTITUTIONS), folded.translate(_ALTERNATE)):
        if reading not in sources:
            sources.append(reading)
    for source in sources:
        for i, j, rank in _walk(source, range(n - 2), n, rotations, words.max_len):
            original = text[i:j]
            lower = folded[i:j]
            cost = math.log10(rank) + _ROTATION_CHOICES
            notes: tuple[str, ...] = ("rotated",)
            if source is not folded:
                keys = sum(1 for a, b in zip(lower, source[i:j], strict=True) if a != b)
                if not keys:
                    continue  # the reading as typed has it
                cost += _LOG2 * min(keys, 8)
                notes += ("substitution",)
            if original != lower:
                cost += _case_variations(original)
                notes += ("capitalisation",)
            found.append(_Match(i, j, cost, "dictionary", notes, rank))
    # Reversed after rotating (``ssapdrow``: ``wordpass`` backwards) is one more rule.
    backwards = folded[::-1]
    for i, j, rank in _walk(backwards, range(n - 2), n, rotations, words.max_len):
        start, end = n - j, n - i
        original = text[start:end]
        cost = math.log10(rank) + _ROTATION_CHOICES + _LOG2
        notes = ("rotated", "reversed")
        if original != folded[start:end]:
            cost += _case_variations(original)
            notes += ("capitalisation",)
        found.append(_Match(start, end, cost, "dictionary", notes, rank))
    return found


def split_kept(text: str, *, walks: bool) -> list[int]:
    """The positions of *text* kept when separators inside a word are dropped.

    A separator (not a letter or digit) goes when it stands between letters,
    or with *walks* between letters or digits (``147-258-369``, the keypad's
    columns, are digits on both sides); a l33t key (``p@ss-w0rd``'s ``@``)
    is kept in the walks' reading. Shared by
    :func:`_split_matches` and the score's floor, which must read the same
    pieces.
    """
    n = len(text)
    inside = str.isalnum if walks else str.isalpha
    return [
        k
        for k in range(n)
        if not (
            0 < k < n - 1
            and not text[k].isalnum()
            and not (walks and ord(text[k]) in _SUBSTITUTIONS)  # ``p@ss-w0rd``'s ``@``
            and inside(text[k - 1])
            and inside(text[k + 1])
            and (walks or text[k - 1].isalpha() or text[k + 1].isalpha())
        )
    ]


def _split_matches(
    text: str,
    folded: str,
    words: _Dictionary,
    *,
    read: Callable[[str, str, _Dictionary], list[_Match]] | None = None,
) -> list[_Match]:
    """Words and keyboard walks cut by separators (``Pass-word``, ``1qaz-2wsx-3edc``).

    Each single non-alphanumeric character between two letters is dropped,
    and in a second reading each one between a letter and a letter or digit
    that is not a l33t key (``@`` in ``p@ss-w0rd`` stays); the joined text
    is looked up as usual, and a match that spanned a dropped character covers it, each
    dropped character costing its place in the match times its choice (one
    of four common separators, or any symbol).
    """
    found: list[_Match] = []
    n = len(text)
    if n < 3 or text.isalnum():  # noqa: PLR2004 (a cut needs a character each side)
        return found
    letters_keep: list[int] = []
    for walks in (False, True):
        keep = split_kept(text, walks=walks)
        if len(keep) == n:
            continue
        joined = "".join(text[k] for k in keep)
        kept = set(keep)
        folded_joined = _fold(joined)
        # Between letters: words. Between letters or digits: walks, and words
        # whose l33t digits touch the separator (``@ssw-0rdp``).
        matches = _walk_matches(folded_joined) if walks else []
        if not walks or keep != letters_keep:
            matches += (read or _dictionary_matches)(joined, folded_joined, words)
        if not walks:
            letters_keep = keep
        for match in matches:
            start, end = keep[match.start], keep[match.end - 1] + 1
            cuts = (end - start) - (match.end - match.start)
            if 0 < cuts <= _MAX_CUTS:  # more: spelt out, not a word; none: the plain lookup's
                cost = match.log10
                places = math.log10(match.end - match.start)
                for k in range(start + 1, end - 1):
                    if k not in kept:
                        cost += places + _SEPARATOR_CHOICES[text[k] not in _COMMON_SEPARATORS]
                found.append(match._replace(start=start, end=end, log10=cost))
            if walks and cuts and match.kind in (_WALK, "dictionary"):
                found += _grouped_walks(text, folded_joined, keep, kept, match)
    return found


def _grouped_walks(
    text: str, joined: str, keep: list[int], kept: set[int], match: _Match
) -> list[_Match]:
    """A walk of the joined text cut at its groups by one separator, priced as the walk and it.

    The walk may run on past its last group (``1qaz-2wsx-3edc-2024``: ``c2``
    are neighbours); then the walk up to its last cut, or to the group after
    it, is the piece. The same separator on to the next piece (``-2024``,
    ``Dragon-``) is the walk's own, its choice already paid, so a match also
    takes it in at either end or both.
    """
    start, end = keep[match.start], keep[match.end - 1] + 1
    cuts = [k for k in range(start + 1, end - 1) if k not in kept]
    size = cuts[0] - start
    found: list[_Match] = []
    if size not in _WALK_GROUPS:
        return found
    if match.kind != _WALK:  # a common password that is a walk (``1qaz2wsx3edc``)
        piece = joined[match.start : match.end]
        if not any(m.end - m.start == len(piece) for m in _walk_matches(piece)):
            return found
    # The whole walk, the walk up to its last cut and up to the group after it.
    for last in dict.fromkeys((end, cuts[-1], cuts[-1] + size + 1)):
        grouped = _grouped_cut(text, start, last, kept) if last <= end else None
        if grouped is None:
            continue
        if last == end:
            walk = match.log10
        else:
            stop = match.start + (last - start) - sum(1 for k in cuts if k < last)
            piece = joined[match.start : stop]
            whole = [m.log10 for m in _walk_matches(piece) if m.end - m.start == len(piece)]
            if not whole:
                continue
            walk = whole[0]
        cost = walk + _SEPARATOR_CHOICES[grouped not in _COMMON_SEPARATORS]
        after = last < len(text) and last not in kept and text[last] == grouped
        before = start > 0 and start - 1 not in kept and text[start - 1] == grouped
        for first in (start, start - 1) if before else (start,):
            found.append(_Match(first, last, cost, _WALK))
            if after:
                found.append(_Match(first, last + 1, cost, _WALK))
    return found


_WALK: Final = "keyboard_walk"
#: The heights of a keyboard's columns (``1qaz``) and of the keypad's (``147``):
#: a walk cut between groups of either size is cut where its keys are grouped.
_WALK_GROUPS: Final = (3, 4)


def _grouped_cut(text: str, start: int, end: int, kept: set[int]) -> str | None:
    """The separator that cuts ``text[start:end]`` into its groups, if one does.

    Groups of three or four keys (``1qaz-2wsx-3edc-4rfv``, ``qwer tyui op``),
    the last one possibly shorter, each cut from the next by the same
    character: a cracker's rule joins a walk's groups with one separator,
    so the cuts cost that one choice, however many there are.
    """
    cuts = [k for k in range(start + 1, end - 1) if k not in kept]
    if not cuts or len({text[k] for k in cuts}) != 1:
        return None
    size = cuts[0] - start
    if size not in _WALK_GROUPS:
        return None
    bounds = [*cuts, end]
    for before, after in itertools.pairwise(bounds):
        length = after - before - 1
        if length != size and (after != end or length > size):
            return None
    return text[cuts[0]]


def _user_matches(text: str, folded: str, tokens: Iterable[str]) -> list[_Match]:
    found: list[_Match] = []
    present = set(folded)
    for token in tokens:
        if len(token) < 3 or token[0] not in present or token[-1] not in present:  # noqa: PLR2004
            continue  # too short to price, or cannot occur either way round
        for candidate, extra in ((token, 0.0), (token[::-1], _LOG2)):
            at = folded.find(candidate)
            while at >= 0:
                end = at + len(candidate)
                log10 = extra + _case_variations(text[at:end])
                found.append(_Match(at, end, log10, "user_data"))
                at = folded.find(candidate, at + 1)
    return found


def _sequence_windows() -> Any:
    """An automaton over every three-key run of ``a-z``, ``A-Z`` and ``0-9``, both ways."""
    automaton: Any = ahocorasick.Automaton()
    for alphabet in (string.ascii_lowercase, string.ascii_uppercase, string.digits):
        for keys in (alphabet, alphabet[::-1]):
            for i in range(len(keys) - 2):
                automaton.add_word(keys[i : i + 3], 0)
    automaton.make_automaton()
    return automaton.iter


#: Read-only once built; each call makes its own iterator, so threads share it.
_SEQUENCE_WINDOWS: Final = _sequence_windows()


def _sequence_matches(folded: str) -> list[_Match]:
    """Runs of three or more keys ascending or descending by one within a class.

    In ASCII, letters and digits step by one only within ``a-z``, ``A-Z``
    and ``0-9`` (the keys beside those ranges are symbols), so a text with
    none of their three-key windows has no run, which one C pass tells;
    the scan (:func:`_sequence_runs`, the plain twin) finds the rest.
    """
    if folded.isascii() and next(_SEQUENCE_WINDOWS(folded), None) is None:
        return []
    return _sequence_runs(folded)


def _sequence_runs(folded: str) -> list[_Match]:
    """:func:`_sequence_matches` by a scan of every key."""
    found: list[_Match] = []
    n = len(folded)
    i = 0
    while i < n - 2:
        step = ord(folded[i + 1]) - ord(folded[i])
        j = i + 1
        if step in (1, -1) and _same_class(folded[i], folded[j]):
            while j + 1 < n and ord(folded[j + 1]) - ord(folded[j]) == step:
                if not _same_class(folded[j], folded[j + 1]):
                    break
                j += 1
        if j - i + 1 >= 3:  # noqa: PLR2004
            first = folded[i]
            base = 4 if first in "a1z9" else 10 if first.isdigit() else 26
            log10 = math.log10(base * (j - i + 1) * (2 if step < 0 else 1))
            found.append(_Match(i, j + 1, log10, "sequence"))
            i = j
        else:
            i += 1
    return found


def _same_class(a: str, b: str) -> bool:
    return (a.isdigit() and b.isdigit()) or (a.isalpha() and b.isalpha() and a.isascii())


def _repeat_spans(folded: str) -> Iterator[tuple[int, int, int]]:
    """``(start, block, repeats)`` of every maximal run of a block repeated in *folded*.

    Blocks of up to ``_MAX_BLOCK`` characters; a run is two or more of a
    longer block, three or more of one character. Both the full cover
    (:func:`_repeat_matches`) and the bounded search read the runs here.
    """
    n = len(folded)
    if _ANY_REPEAT(folded) is None:
        return  # one search in C rules out every block length at once
    for block in range(1, min(_MAX_BLOCK, n // 2) + 1):  # a block must fit twice
        if _REPEATED_BLOCK[block](folded) is None:
            continue
        k = block
        while k < n:
            if folded[k] != folded[k - block]:
                k += 1
                continue
            start = k - block
            while k < n and folded[k] == folded[k - block]:
                k += 1
            repeats = (k - start) // block
            if repeats >= 2 and (block > 1 or repeats >= 3):  # noqa: PLR2004
                yield start, block, repeats


def _repeat_matches(
    text: str, folded: str, words: _Dictionary, personal: set[str], reference: int
) -> list[_Match]:
    """Maximal runs of a block of up to ``_MAX_BLOCK`` characters repeated.

    A run costs its block's own estimate (found the same way, without
    repeats; the block is short, so this is constant work) times the
    number of repeats.
    """
    found: list[_Match] = []
    for start, block, repeats in _repeat_spans(folded):
        unit = text[start : start + block]
        base, pieces = _cover(block, _matches(unit, words, personal, reference, repeats=False))
        log10 = max(base, 1.0) + math.log10(repeats)
        end = start + repeats * block
        found.append(_Match(start, end, log10, "repeat", _codes(pieces)))
    return found


#: A word or block followed by a number, as in ``Test1Test2`` or ``dog-01-dog-02``.
_COUNTED: Final = re.compile(r"([^\d]{1,%d}?)(\d{1,6})" % _MAX_WORD)  # noqa: UP031
#: Steps a counter is tried with: 1 to 10, up or down.
_COUNTER_STEPS: Final = math.log10(20)


def _counter_matches(
    text: str,
    folded: str,
    words: _Dictionary,
    personal: set[str],
    reference: int,
    *,
    price: Callable[[str], tuple[float, list[_Match | None]]] | None = None,
) -> list[_Match]:
    """A block repeated with a counter after it (``Test1Test2Test3``, ``pass01-pass02``).

    Consecutive ``block + number`` pieces whose blocks match (a separator
    before a block aside) and whose numbers step by one constant of at most
    ten cost the block's own estimate, the first number (a year as a year:
    ``pass2024pass2025``), the step, the run's length and a separator's
    choice, as a cracker's counter rule does.
    """
    found: list[_Match] = []
    if not any(c.isdigit() for c in folded):
        return found
    pieces = list(_COUNTED.finditer(folded))
    i = 0
    while i < len(pieces):
        first = pieces[i]
        unit = first.group(1)
        key = unit.lstrip(_COUNTER_JOINERS) or unit
        numbers = [int(first.group(2))]
        k = i + 1
        while k < len(pieces):
            piece = pieces[k]
            if piece.start() != pieces[k - 1].end():
                break
            other = piece.group(1)
            if (
                other.lstrip(_COUNTER_JOINERS) != key
                or other[: len(other) - len(key)]
                != (pieces[i + 1].group(1)[: len(pieces[i + 1].group(1)) - len(key)])
            ):
                break
            step = int(piece.group(2)) - numbers[-1]
            if not 0 < abs(step) <= 10 or (  # noqa: PLR2004 (the steps tried)
                len(numbers) > 1 and step != numbers[1] - numbers[0]
            ):
                break
            numbers.append(int(piece.group(2)))
            k += 1
        if len(numbers) >= 2:  # noqa: PLR2004
            start, end = first.start(), pieces[k - 1].end()
            block = text[first.start(1) : first.end(1)]
            base, covered = (
                price(block)
                if price is not None
                else _cover(len(unit), _matches(block, words, personal, reference, repeats=False))
            )
            log10 = (
                max(base, 1.0)
                + _first_count(first.group(2), reference)
                + _COUNTER_STEPS
                + math.log10(len(numbers))
                + (_SEPARATOR_CHOICES[0] if key != pieces[i + 1].group(1) else 0.0)
            )
            found.append(_Match(start, end, log10, "repeat", _codes(covered)))
            i = k
        else:
            i += 1
    return found


def _first_count(digits: str, reference: int) -> float:
    """The counter's first number: a year (``2024``) one of those near *reference*, or 10^digits."""
    if len(digits) == 4 and 1900 <= int(digits) <= 2099:  # noqa: PLR2004 (as _date_matches)
        return min(float(len(digits)), _year_space(int(digits), reference))
    return float(len(digits))


def _echo_matches(
    text: str,
    folded: str,
    words: _Dictionary,
    personal: set[str],
    reference: int,
    *,
    price: Callable[[str], tuple[float, list[_Match | None]]] | None = None,
) -> list[_Match]:
    """A piece repeated after a short middle: ``Summer2024!Summer``, ``19900101 19900101``.

    The attacker picks the piece, the middle and repeats the piece, so the
    whole costs the piece's estimate, the middle's, and one choice more (a
    second copy in other capitals or l33t costs its variations). Pieces are
    compared with substitutions undone (``Passw0rd!Password``). Pieces longer
    than ``_MAX_BLOCK`` repeated back to back (``Password2024!Password2024!``)
    are found here too, unless the block search already has them. Work is
    bounded: each position tries at most ``_ECHO_PARTNERS`` later occurrences
    of its first three characters, and at most ``_MAX_ECHOES`` echoes, the
    longest first, are priced.
    """
    n = len(folded)
    if n < 2 * _MIN_ECHO:
        return []
    plain = folded.translate(_SUBSTITUTIONS)
    if _ANY_ECHO(plain) is None:
        return []  # no three characters occur twice without overlapping
    at: dict[str, list[int]] = {}
    for i in range(n - _MIN_ECHO + 1):
        at.setdefault(plain[i : i + _MIN_ECHO], []).append(i)
    echoes: list[tuple[int, int, int]] = []
    for positions in at.values():
        if len(positions) < 2:  # noqa: PLR2004
            continue
        for k, p in enumerate(positions):
            partners = 0
            for q in positions[k + 1 :]:
                distance = q - p
                if distance < _MIN_ECHO:
                    continue
                if distance > _MAX_ECHO + _MAX_MIDDLE or partners >= _ECHO_PARTNERS:
                    break
                partners += 1
                if p > 0 and plain[p - 1] == plain[q - 1]:
                    continue  # not the longest echo: the one a character earlier covers it
                length = _MIN_ECHO
                limit = min(distance, n - q, _MAX_ECHO)
                while length < limit and plain[p + length] == plain[q + length]:
                    length += 1
                middle = distance - length
                if middle > _MAX_MIDDLE or (middle == 0 and _periodic(plain[p : q + length])):
                    continue  # too far apart, or a repeat the block search has
                echoes.append((p, q, length))
    echoes.sort(key=lambda echo: -echo[2])
    costs: dict[str, tuple[float, list[_Match | None]]] = {}

    def cost(piece: str) -> tuple[float, list[_Match | None]]:
        known = costs.get(piece)
        if known is None:
            matches = _matches(piece, words, personal, reference, repeats=False)
            known = costs[piece] = _cover(len(piece), matches)
        return known

    return [_echo(text, folded, echo, price or cost) for echo in echoes[:_MAX_ECHOES]]


def _doubled_matches(
    text: str,
    folded: str,
    words: _Dictionary,
    personal: set[str],
    reference: int,
    *,
    price: Callable[[str], tuple[float, list[_Match | None]]] | None = None,
) -> list[_Match]:
    """A piece with every character typed twice: ``ppaasssswwoorrdd``, ``qqwweerrtt``.

    Doubling each character is one of a cracker's first rules (hashcat's
    ``q``), so the span costs the piece's estimate and one choice more.
    Spans of at least three pairs are found in one pass; a piece of one
    repeated block is left to the block search.
    """
    found: list[_Match] = []
    n = len(folded)
    i = 0
    while i < n - 1:
        j = i
        while j + 1 < n and folded[j] == folded[j + 1] and j - i < 2 * _MAX_ECHO:
            j += 2
        unit = text[i:j:2]
        plain = folded[i:j:2]
        if len(unit) < _MIN_ECHO:
            i += 1
            continue
        if not any(plain[b:] == plain[:-b] for b in range(1, min(_MAX_BLOCK, len(plain) // 2) + 1)):
            base, pieces = (
                price(unit)
                if price is not None
                else _cover(len(unit), _matches(unit, words, personal, reference, repeats=False))
            )
            found.append(_Match(i, j, max(base, 1.0) + _LOG2, "repeat", _codes(pieces)))
        i = j
    return found


def _mirror_matches(
    text: str,
    folded: str,
    words: _Dictionary,
    personal: set[str],
    reference: int,
    *,
    price: Callable[[str], tuple[float, list[_Match | None]]] | None = None,
) -> list[_Match]:
    """A piece followed by its reverse: ``fenderrednef``, ``sunshine1enihsnus``.

    Appending the reversed word is one of a cracker's first rules (hashcat's
    ``f``, reflect), so the whole costs the piece's estimate and one choice
    more, plus a middle character if there is one. Each centre of the text
    is expanded once, at most ``_MAX_ECHO`` characters to a side, and the
    ``_MAX_ECHOES`` longest reflections are priced.
    """
    n = len(folded)
    plain = folded.translate(_SUBSTITUTIONS)
    backwards = plain[::-1]
    found: list[tuple[int, int, int]] = []  # (start, half, middle)
    for centre in range(_MIN_ECHO, n - _MIN_ECHO + 1):
        for middle in (0, 1):
            right = centre + middle
            # plain[centre - h : centre] reversed is backwards[n - centre : n - centre + h].
            mirrored = n - centre
            if plain[right : right + _MIN_ECHO] != backwards[mirrored : mirrored + _MIN_ECHO]:
                continue  # most centres end here, after one comparison in C
            low, high = _MIN_ECHO, min(_MAX_ECHO, centre, n - right)
            while low < high:  # the longest reflection, by halving (slices compare in C)
                half = (low + high + 1) // 2
                if plain[right : right + half] == backwards[mirrored : mirrored + half]:
                    low = half
                else:
                    high = half - 1
            span = plain[centre - low : right + low]
            if not _has_period(span, min(_MAX_BLOCK, len(span) // 2)):
                found.append((centre - low, low, middle))  # else a repeat the block search has
    found.sort(key=lambda mirror: -mirror[1])
    costs: dict[str, float] = {}

    def cost(piece: str) -> float:
        if price is not None:
            return price(piece)[0]
        known = costs.get(piece)
        if known is None:
            matches = _matches(piece, words, personal, reference, repeats=False)
            known = costs[piece] = _cover(len(piece), matches)[0]
        return known

    result: list[_Match] = []
    for start, half, middle in found[:_MAX_ECHOES]:
        piece = text[start : start + half]
        log10 = max(cost(piece), 1.0) + _LOG2
        if middle:
            log10 += cost(text[start + half : start + half + 1])
        copy = text[start + half + middle : start + 2 * half + middle]
        if copy != piece[::-1]:
            first, second = (
                folded[start : start + half][::-1],
                folded[start + half + middle : start + 2 * half + middle],
            )
            log10 += _leet_variations(first, second) if first != second else _case_variations(copy)
        result.append(_Match(start, start + 2 * half + middle, log10, "repeat", ("reversed",)))
    return result


def _has_period(piece: str, most: int) -> bool:
    """*piece* equals itself shifted by some block of 1 to *most* characters."""
    for block in range(1, most + 1):  # noqa: SIM110 (a generator per call costs more)
        if piece[block:] == piece[:-block]:
            return True
    return False


def _periodic(piece: str) -> bool:
    """*piece* repeats a block of at most ``_MAX_BLOCK`` characters back to back."""
    return any(piece[block:] == piece[:-block] for block in range(1, _MAX_BLOCK + 1))


def _echo(
    text: str,
    folded: str,
    where: tuple[int, int, int],
    cost: Callable[[str], tuple[float, list[_Match | None]]],
) -> _Match:
    p, q, length = where
    piece = text[p : p + length]
    base, pieces = cost(piece)
    log10 = max(base, 1.0) + _LOG2
    if q > p + length:
        log10 += cost(text[p + length : q])[0]
    copy = text[q : q + length]
    if copy != piece:
        first, second = folded[p : p + length], folded[q : q + length]
        if first != second:
            log10 += _leet_variations(first, second)
        elif copy != second:
            log10 += _case_variations(copy)
        else:
            log10 += _LOG2  # the first copy was the capitalised one
    return _Match(p, q + length, log10, "repeat", _codes(pieces))


def _codes(pieces: list[_Match | None]) -> tuple[str, ...]:
    """The feedback codes of a repeated piece's own patterns (``user_data`` in a repeat)."""
    kinds = {"dictionary": "dictionary_word", "year": "date"}
    return tuple(dict.fromkeys(kinds.get(p.kind, p.kind) for p in pieces if p is not None))


def _decorated(text: str, dictionary: list[_Match]) -> list[_Match]:
    """Dictionary words with one or two digits or symbols at either end (``Tr0ub4dor&3``).

    Appending or prepending a character or two is the first rule a cracker
    applies to every word, so the word and its decoration are one pattern,
    priced at the word's guesses times ten per added character (brute
    force's rate) and two for prepending, without the penalty of combining
    two patterns.
    """
    found: list[_Match] = []
    if text.isalpha():
        return found
    n = len(text)
    # before[i]: non-letters ending just before i; after[j]: non-letters from j (at most 2).
    before = [0] * (n + 1)
    for i in range(1, n + 1):
        if not text[i - 1].isalpha():
            before[i] = min(before[i - 1] + 1, _MAX_DECORATION)
    after = [0] * (n + 1)
    for j in range(n - 1, -1, -1):
        if not text[j].isalpha():
            after[j] = min(after[j + 1] + 1, _MAX_DECORATION)
    # Only the cheapest decoration of each span can enter the cover: keep one
    # per span (the first of the cheapest, as the cover would take).
    best: dict[tuple[int, int], tuple[float, _Match]] = {}
    get = best.get
    for match in dictionary:
        start, end = match.start, match.end
        most_lead, most_trail = before[start], after[end]
        if not (most_lead or most_trail):
            continue
        base = match.log10
        for lead, trail, extra in _DECORATIONS[most_lead][most_trail]:
            log10 = base + extra
            span = (start - lead, end + trail)
            known = get(span)
            if known is None or log10 < known[0]:
                best[span] = (log10, match)
    for (start, end), (log10, match) in best.items():
        notes = (*match.notes, "decoration")
        found.append(_Match(start, end, log10, match.kind, notes, match.rank))
    return found


def _decorations(most: int) -> list[list[list[tuple[int, int, float]]]]:
    """``[lead][trail]``: every (lead, trail, added log10) up to those counts, one key at least."""
    return [
        [
            [
                (a, b, _BRUTE_PER_CHAR * (a + b) + (_LOG2 if a else 0.0))
                for a in range(lead + 1)
                for b in range(trail + 1)
                if a or b
            ]
            for trail in range(most + 1)
        ]
        for lead in range(most + 1)
    ]


_DECORATIONS: Final = _decorations(_MAX_DECORATION)


def _walk_matches(folded: str) -> list[_Match]:
    found: list[_Match] = []
    n = len(folded)
    i = 0
    while i < n - 1:
        j = i
        turns = 0
        direction = _WALK_PAIRS.get((folded[i], folded[i + 1]))
        while direction is not None and j + 1 < n:
            step = _WALK_PAIRS.get((folded[j], folded[j + 1]))
            if step is None:
                break
            # The rows the walk may still be on; a turn where none continues.
            direction = direction & step
            if not direction:
                turns += 1
                direction = step
            j += 1
        length = j - i + 1
        if length >= 4:  # noqa: PLR2004
            log10 = math.log10(_KEYS * _KEY_DEGREE * (length - 1)) + turns * math.log10(length)
            found.append(_Match(i, j + 1, log10, "keyboard_walk"))
            i = j
        else:
            i += 1
    return found


def _year_space(year: int, reference: int) -> float:
    return math.log10(max(abs(year - reference), 20))


def _date_matches(text: str, reference: int) -> list[_Match]:
    """Years, dates and mobile numbers in the digit runs of *text*.

    A run repeats its pieces (``1111...`` has one 8-digit piece at every
    offset), so each distinct piece is tested as a date once per call.
    """
    found: list[_Match] = []
    dated: dict[str, bool] = {}
    for run in _DIGITS.finditer(text):
        digits = run.group()
        for length in (8, 6, 4):
            for offset in range(len(digits) - length + 1):
                piece = digits[offset : offset + length]
                start = run.start() + offset
                if length == 4:  # noqa: PLR2004
                    year = int(piece)
                    if 1900 <= year <= 2099:  # noqa: PLR2004
                        found.append(_Match(start, start + 4, _year_space(year, reference), "year"))
                else:
                    known = dated.get(piece)
                    if known is None:
                        known = dated[piece] = is_date(piece)
                    if not known:
                        continue
                    year = int(piece[:4]) if length == 8 else 1990  # noqa: PLR2004
                    log10 = math.log10(365) + _year_space(year, reference)
                    found.append(_Match(start, start + length, log10, "date"))
        if len(digits) >= 11 and _MOBILE.fullmatch(digits[-11:]):  # noqa: PLR2004
            found.append(_Match(run.end() - 11, run.end(), _MOBILE_NUMBERS, "phone_number"))
    for match in _DATE_SEPARATED.finditer(text):
        if is_date(match.group()):
            log10 = math.log10(365 * 4) + _year_space(1990, reference)
            found.append(_Match(match.start(), match.end(), log10, "date"))
    return found


def _cover(n: int, matches: list[_Match]) -> tuple[float, list[_Match | None]]:
    """The cheapest cover: (log10 guesses, patterns in order, None for brute force)."""
    ending: list[list[_Match]] = [[] for _ in range(n + 1)]
    for match in matches:
        ending[match.end].append(match)
    inf = math.inf
    # pattern[e]: best cost of the prefix [0, e) whose last piece is a pattern;
    # brute[e]: ... whose last piece is brute force (runs cost 10 per char).
    pattern = [inf] * (n + 1)
    brute = [inf] * (n + 1)
    pattern[0] = 0.0
    via_pattern: list[tuple[_Match, bool] | None] = [None] * (n + 1)
    via_brute: list[bool] = [False] * (n + 1)  # True: extends a brute-force run
    for e in range(1, n + 1):
        fresh = pattern[e - 1] + (_SEGMENT_PENALTY if e > 1 else 0.0)
        extend = brute[e - 1]
        brute[e] = (fresh if fresh < extend else extend) + _BRUTE_PER_CHAR
        via_brute[e] = extend <= fresh
        for match in ending[e]:
            s = match.start
            before_pattern = pattern[s]
            before_brute = brute[s]
            previous = before_pattern if before_pattern < before_brute else before_brute
            log10 = match.log10 if match.end - s == n else max(match.log10, _MIN_SUBMATCH)
            cost = previous + log10 + (_SEGMENT_PENALTY if s > 0 else 0.0)
            if cost < pattern[e]:
                pattern[e] = cost
                via_pattern[e] = (match, before_brute < before_pattern)
    # Walk back.
    pieces: list[_Match | None] = []
    e, in_brute = n, brute[n] < pattern[n]
    while e > 0:
        if in_brute:
            pieces.append(None)
            in_brute = via_brute[e]
            e -= 1
        else:
            step = via_pattern[e]
            assert step is not None  # noqa: S101 (pattern[e] is finite only through a match)
            pieces.append(step[0])
            in_brute = step[1]
            e = step[0].start
    pieces.reverse()
    return min(pattern[n], brute[n]), pieces


def estimate(
    password: str,
    context: PasswordContext | None = None,
    *,
    context_words: Iterable[str] = (),
    dictionary: Blocklist | None = None,
    reference_year: int = REFERENCE_YEAR,
) -> Strength:
    """Estimate how many guesses *password* takes, with a 0-4 score and feedback.

    Args:
        password: The candidate; NFKC-normalised first, like everywhere in
            :mod:`secpolicy.password`.
        context: The user's own data (username, e-mail, name, phone, birth
            date); pieces of it count as one guess.
        context_words: Words specific to the service (its name, the company's
            name); each counts as one guess.
        dictionary: Ranked common passwords and words; default
            ``COMMON_PASSWORDS``.
        reference_year: The year dates are measured from.

    Never raises for a ``str``; time grows linearly with its length.

    Raises:
        TypeError: If *password* is not a ``str``.
    """
    if not isinstance(password, str):
        raise ArgumentTypeError(f"password must be str, not {type(password).__name__}")
    text = unicodedata.normalize("NFKC", password)
    n = len(text)
    if n == 0:
        return Strength(score=0, guesses_log10=0.0, feedback=("too_short",), patterns=())
    total, pieces = _cheapest_cover(text, context, context_words, dictionary, reference_year)
    score = sum(total >= bound for bound in _SCORE_BOUNDS)
    return Strength(
        score=score,
        guesses_log10=total,
        feedback=_feedback(n, score, pieces),
        patterns=_patterns(pieces),
    )


def _cheapest_cover(
    text: str,
    context: PasswordContext | None,
    context_words: Iterable[str],
    dictionary: Blocklist | None,
    reference: int,
) -> tuple[float, list[_Match | None]]:
    words, personal = _inputs(context, context_words, dictionary)
    return _cover(len(text), _matches(text, words, personal, reference))


def _inputs(
    context: PasswordContext | None, context_words: Iterable[str], dictionary: Blocklist | None
) -> tuple[_Dictionary, set[str]]:
    """The dictionary index and the user's own tokens an estimate runs with."""
    words = _dictionary_for(dictionary if dictionary is not None else COMMON_PASSWORDS)
    personal = set(user_tokens(context_words))
    if context is not None:
        for tokens in context.user_token_sets().values():
            personal |= tokens
    return words, personal


def score(
    text: str,
    context: PasswordContext | None = None,
    *,
    context_words: Iterable[str] = (),
    dictionary: Blocklist | None = None,
    reference_year: int = REFERENCE_YEAR,
    cap: int = 4,
) -> int:
    """:func:`estimate`'s score of an NFKC-normalised *text*, without the explanation.

    What :meth:`PasswordPolicy.check` needs: the same minimum, found by branch
    and bound (``_bounded``), which builds only the matches that can take
    part in the cheapest cover; no patterns, feedback or result object are
    built. With *cap*, the answer is ``min(score, cap)``: a policy that asks
    for a score of at least *cap* needs nothing finer above it, and the
    search stops as soon as the cover is known to reach the cap's bound.
    :func:`_plain_score` is its plain twin.
    """
    if not text:
        return 0
    # Imported here: the bounded search is built from this module's matchers.
    from secpolicy.password._bounded import bounded_score  # noqa: PLC0415

    words, personal = _inputs(context, context_words, dictionary)
    return bounded_score(text, words, personal, reference_year, cap)


def _plain_score(
    text: str,
    context: PasswordContext | None = None,
    *,
    context_words: Iterable[str] = (),
    dictionary: Blocklist | None = None,
    reference_year: int = REFERENCE_YEAR,
    cap: int = 4,
) -> int:
    """:func:`score` from the full cover of every match: the twin the tests compare it with."""
    if not text:
        return 0
    total = _cheapest_cover(text, context, context_words, dictionary, reference_year)[0]
    return min(cap, sum(total >= bound for bound in _SCORE_BOUNDS))


def _matches(
    text: str, words: _Dictionary, personal: set[str], reference: int, *, repeats: bool = True
) -> list[_Match]:
    folded = _fold(text)
    dictionary = _dictionary_matches(text, folded, words)
    if repeats:  # a repeated unit's split words are the whole text's
        dictionary += _split_matches(text, folded, words)
    dictionary += [_Match(*piece) for piece in phrase_matches(text, folded)]
    dictionary += [_Match(*piece) for piece in calendar_runs(text, folded, reference)]
    if len(dictionary) > _PRUNE_FROM:
        dictionary = _cheapest_per_span(dictionary)
    found = [
        *dictionary,
        *_decorated(text, dictionary),
        *(_Match(*piece) for piece in date_runs(text, reference)),
        *_user_matches(text, folded, personal),
        *_sequence_matches(folded),
        *(_Match(*piece, "sequence") for piece in progression_matches(folded)),
        *(_Match(*piece, "dictionary") for piece in name_matches(text, folded)),
        *_walk_matches(folded),
        *_date_matches(text, reference),
    ]
    if repeats:
        found += _repeat_matches(text, folded, words, personal, reference)
        found += _echo_matches(text, folded, words, personal, reference)
        found += _mirror_matches(text, folded, words, personal, reference)
        found += _doubled_matches(text, folded, words, personal, reference)
        found += _counter_matches(text, folded, words, personal, reference)
    return _cheapest_per_span(found) if len(found) > _PRUNE_FROM else found


#: Below this many matches, pruning costs more than the cover saves.
_PRUNE_FROM: Final = 48


def _cheapest_per_span(matches: list[_Match]) -> list[_Match]:
    """The first cheapest match of each span, in the order of first appearance.

    The cover only ever takes the cheapest piece of a span, so the others
    are dead weight: a run of digits has a word, a l33t word and eight
    decorated words on almost every span (``1111...``), and dropping them
    keeps the cover's work bounded by the spans, not by the readings.
    """
    best: dict[tuple[int, int], int] = {}
    kept: list[_Match] = []
    for match in matches:
        span = (match.start, match.end)
        at = best.get(span)
        if at is None:
            best[span] = len(kept)
            kept.append(match)
        elif match.log10 < kept[at].log10:
            kept[at] = match
    return kept


def _patterns(pieces: list[_Match | None]) -> tuple[Pattern, ...]:
    result: list[Pattern] = []
    position = 0
    brute_start: int | None = None  # start of the brute-force run being gathered
    whole = len(pieces) == 1

    def close_run() -> None:
        if brute_start is not None:
            length = position - brute_start
            result.append(
                Pattern(
                    kind="brute_force",
                    start=brute_start,
                    end=position,
                    guesses_log10=_BRUTE_PER_CHAR * length,
                )
            )

    for piece in pieces:
        if piece is None:
            if brute_start is None:
                brute_start = position
            position += 1
            continue
        close_run()
        brute_start = None
        result.append(
            Pattern(
                kind=piece.kind,
                start=piece.start,
                end=piece.end,
                guesses_log10=piece.log10 if whole else max(piece.log10, _MIN_SUBMATCH),
            )
        )
        position = piece.end
    close_run()
    return tuple(result)


def _feedback(n: int, score: int, pieces: list[_Match | None]) -> tuple[str, ...]:
    if score == len(_SCORE_BOUNDS):
        return ()
    codes: list[str] = []
    for piece in pieces:
        if piece is None:
            continue
        if piece.kind == "dictionary":
            whole = piece.end - piece.start == n
            common = whole and piece.rank <= 1000  # noqa: PLR2004
            codes.append("common_password" if common else "dictionary_word")
            codes.extend(piece.notes)
        elif piece.kind == "year":
            codes.append("date")
        elif piece.kind == "repeat":
            codes.append("repeat")
            codes.extend(piece.notes)
        else:
            codes.append(piece.kind)
    if score <= 2:  # noqa: PLR2004 (zxcvbn's "too guessable")
        if n < 12:  # noqa: PLR2004
            codes.append("too_short")
        codes.append("add_words")
    return tuple(dict.fromkeys(codes))
