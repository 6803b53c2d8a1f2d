"""Folding text for the scanner: full-width forms, dashes, spaces, hidden characters.

Every fold maps one code point to one, so offsets in the folded text are
offsets in the original; the second reading (invisible characters removed,
escapes decoded, wide separators narrowed) keeps a map back to the text.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from typing import Final

# Full-width forms (FF01-FF5E) and the ideographic space fold to ASCII, the
# no-break and thin spaces, tabs and line breaks to a space, and the dashes
# (hyphen, non-breaking hyphen, figure dash, en and em dash, minus) and the
# soft hyphen to "-".
# Decimal digits of every script (Arabic-Indic, Devanagari, …) fold to ASCII
# digits, and the invisible characters that can be slipped into a number
# (zero-width space, joiners, word joiner, byte order mark) to a space, so
# "138\u200b1234\u200b5678" is read as "138 1234 5678" and not as two short
# runs. The mapping is one code point to one, so offsets in the folded text
# are offsets in the original.
# Marks that show nothing either: the bidirectional marks, embeddings,
# overrides and isolates (which right-to-left interfaces insert on their
# own), the combining grapheme joiner, the Mongolian vowel separator and the
# invisible mathematical operators.
_MARKS: Final = (
    0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C, 0x034F, 0x180E,
    *range(0x2061, 0x2065),
)  # fmt: skip
# The other dashes (horizontal bar, two- and three-em dash, small em dash and
# hyphen-minus, hyphen bullet, Armenian hyphen) and the Japanese long-vowel
# mark that Japanese input methods type between the groups of a number, and
# the wave dashes (wave dash, full-width tilde, wavy and swung dash) that
# Chinese and Japanese input methods type for a dash ("138\uff5e1234\uff5e5678").
_MORE_DASHES: Final = (
    0x2015, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0x2043, 0x058A, 0x30FC, 0xFF70,
    0x301C, 0xFF5E, 0x3030, 0x2053,
)  # fmt: skip
_FOLD_FIXED: Final = (
    {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    | {0x3000: 0x20, 0x00A0: 0x20, 0x202F: 0x20, 0x2007: 0x20}
    | dict.fromkeys((*range(0x2000, 0x2007), 0x2008, 0x2009, 0x200A), 0x20)
    | {0x1680: 0x20, 0x205F: 0x20}
    | dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF), 0x20)
    | dict.fromkeys(_MARKS, 0x20)
    | dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029), 0x20)
    | dict.fromkeys((0x00AD, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212), 0x2D)
    | dict.fromkeys(_MORE_DASHES, 0x2D)
    | {0xFE6B: 0x40}  # the small commercial at, as the full-width one
    | {0x3001: 0x2C}  # the ideographic comma, as the full-width one
    | {0x00B7: 0x2E, 0x30FB: 0x2E}  # middle dots, typed as dots between groups
)
_ASCII_FOLD: Final = dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D), 0x20)


@functools.cache
def _fold_table() -> dict[int, int]:
    """The fold mapping with the decimal digits of every script (built on first use).

    Every such digit lies below U+20000; one regular-expression pass over
    that range finds them in C.
    """
    planes = "".join(map(chr, range(0x80, 0x20000)))
    digits = {m.start() + 0x80: 0x30 + int(m.group()) for m in re.finditer(r"\d", planes)}
    return digits | _FOLD_FIXED


# Characters that show nothing: zero-width space, joiners, word joiner, byte
# order mark, soft hyphen, and the marks above.
_INVISIBLE_CHARS: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad") | frozenset(
    map(chr, _MARKS)
)
_INVISIBLE: Final = re.compile("[" + "".join(sorted(_INVISIBLE_CHARS)) + "]")
# A percent-escape of a printable ASCII character, as URLs and query strings carry them.
_PERCENT: Final = re.compile("%(?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e])")
# A carriage return before a line feed: "138\r\n1234" is read as "138\n1234" is.
_CRLF: Final = "\r\n"
# An HTML character reference to a printable ASCII character or the no-break
# space, as HTML mail and pages carry them ("138&nbsp;1234", "a&#64;b.cn").
_ENTITY_REF: Final = re.compile(
    "&(?:nbsp|#(?:3[2-9]|[4-9][0-9]|1[01][0-9]|12[0-6]|160)|#[xX](?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e]|[aA]0));"
)
_HIDDEN: Final = re.compile(
    _INVISIBLE.pattern + "|" + _PERCENT.pattern + "|" + _ENTITY_REF.pattern + "|\r(?=\n)"
)


# A wide separator between two groups of a number: two or more spaces (tabs
# fold to spaces), or a dash or slash with spaces on either side
# ("4111 - 1111", "138  1234  5678", "4111 / 1111"). Each start needs a
# letter, digit or parenthesis before it, so a run of spaces is read from one
# position only: linear.
#
# A comma with spaces is narrowed only between two digits ("card 4111, 1111,
# 1111, 1111" reads as "4111,1111,1111,1111", whose rules then apply: a card
# in comma groups needs a card word), never in prose; so is a full stop with
# spaces on both sides ("4111 . 1111"). A double or triple dash is one dash.
_WIDE: Final = re.compile(
    r"(?<=[0-9A-Za-z)])"
    r"(?: {0,8}(?:--?-?|[/,]) {1,8}| {1,8}(?:--?-?|[/,]) {0,8}| {2,8}|---?| {1,8}\. {1,8})"
    r"(?=[0-9A-Za-z(+])"
)
_NUMBERISH: Final = frozenset("0123456789()+")
_DIGIT_CHARS: Final = frozenset("0123456789")
# One of them is in every wide separator; one search finds whether any is there.
_WIDE_PAIRS: Final = ("  ", " -", "- ", " /", "/ ", ", ", " ,", "--", " . ")
_WIDE_HINT: Final = re.compile("|".join(re.escape(pair) for pair in _WIDE_PAIRS))


def _narrowed(
    seen: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]] | None:
    """*seen* with each wide separator next to a digit made one space, or its dash or slash alone.

    *starts* and *ends* map each character of *seen* to the text; the
    result's maps do the same. None when *seen* has no wide separator.
    """
    if _WIDE_HINT.search(seen) is None:
        return None
    chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    done = 0
    for found in _WIDE.finditer(seen):
        at, end = found.span()
        if seen[at - 1] not in _NUMBERISH and seen[end] not in _NUMBERISH:
            continue  # between two words: no number is split here
        mark = seen[at:end].strip()
        if mark in (",", ".") and not (seen[at - 1] in _DIGIT_CHARS and seen[end] in _DIGIT_CHARS):
            continue  # a comma or full stop in prose, not between the groups of a number
        keep = at if not mark else seen.index(mark, at)  # the dash or slash, else one space
        chars.append(seen[done:at])
        new_starts.extend(starts[done:at])
        new_ends.extend(ends[done:at])
        chars.append(seen[keep])
        new_starts.append(starts[keep])
        new_ends.append(ends[keep])
        done = end
    if done == 0:
        return None
    chars.append(seen[done:])
    new_starts.extend(starts[done:])
    new_ends.extend(ends[done:])
    return "".join(chars), new_starts, new_ends


# An underscore between two digits, as log keys and file names join the
# groups of a number ("4111_1111_1111_1111", "138_1234_5678"): the second
# reading reads it as a dash, one character for one, so the groups are one
# run there while the first reading still sees a run glued to a word by an
# underscore that touches a letter ("id_11010519491231002X", "2024_110105…"
# keep their first reading; "order_2024_0001" is eight digits either way).
_DIGIT_JOINER: Final = re.compile(r"(?<=[0-9])_(?=[0-9])")


def _dashed(seen: str) -> str | None:
    """*seen* with each underscore between two digits read as a dash; None when it has none."""
    if "_" not in seen:
        return None  # what subn answers, without the search
    dashed, count = _DIGIT_JOINER.subn("-", seen)
    return dashed if count else None


def _second_reading(text: str, folded: str) -> tuple[str, list[int], list[int]] | None:
    """*folded* without invisible characters, with percent-escapes and HTML references decoded.

    The carriage return of each CRLF line break is dropped too, so that a
    number split by CRLF reads as one split by LF, an underscore between
    two digits is read as a dash (``138_1234_5678``), and wide separators
    between the groups of a number are narrowed (``4111 - 1111``,
    ``138  1234  5678``). Returns the text so read and, for each of its
    characters, where it starts and ends in *text*; None when there is
    nothing to remove, decode, read as a dash or narrow.
    """
    view = _decoded(text, folded)
    if view is None:
        dashed = _dashed(folded)
        if dashed is None and _WIDE_HINT.search(folded) is None:
            return None  # what _narrowed answers, without building the identity maps first
        size = len(folded)
        view = (dashed or folded, list(range(size)), list(range(1, size + 1)))
        return _narrowed(*view) or (view if dashed is not None else None)
    dashed = _dashed(view[0])
    if dashed is not None:
        view = (dashed, view[1], view[2])
    return _narrowed(*view) or view


def _second_reading_plain(text: str, folded: str) -> tuple[str, list[int], list[int]] | None:
    """:func:`_second_reading` without its shortcuts (its plain twin, held to it by a test)."""
    size = len(folded)
    decoded = _decoded(text, folded)
    seen, starts, ends = decoded or (folded, list(range(size)), list(range(1, size + 1)))
    dashed = _DIGIT_JOINER.sub("-", seen)
    narrowed = _narrowed(dashed, starts, ends)
    if narrowed is not None:
        return narrowed
    if decoded is None and dashed == seen:
        return None
    return dashed, starts, ends


def _decoded(text: str, folded: str) -> tuple[str, list[int], list[int]] | None:
    """The part of :func:`_second_reading` that removes and decodes characters."""
    invisible = not text.isascii() and _INVISIBLE.search(text) is not None
    if (
        not invisible
        and ("%" not in text or _PERCENT.search(text) is None)
        and ("&" not in text or _ENTITY_REF.search(text) is None)
        and _CRLF not in text
    ):
        return None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for found in _HIDDEN.finditer(text):
        at = found.start()
        chars.append(folded[done:at])
        starts.extend(range(done, at))
        ends.extend(range(done + 1, at + 1))
        done = found.end()
        if text[at] == "%":
            chars.append(chr(int(text[at + 1 : done], 16)))
            starts.append(at)
            ends.append(done)
        elif text[at] == "&":
            chars.append(html.unescape(text[at:done]).replace("\u00a0", " "))
            starts.append(at)
            ends.append(done)
    chars.append(folded[done:])
    starts.extend(range(done, len(text)))
    ends.extend(range(done + 1, len(text) + 1))
    return "".join(chars), starts, ends


# A character to fold, or a decimal digit of another script: a digit that is
# no ASCII digit is written as one class, [^\D0-9], so that every alternative
# starts with a class and the engine skips in C to the next candidate (the
# plain form, "(?![0-9])\d", tried its lookahead at every character; a test
# holds the two to agreement).
_NEEDS_FOLD: Final = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD_FIXED)) + "]|[^\\D0-9]"
)


_ASCII_BREAKS: Final = "".join(map(chr, _ASCII_FOLD))


def fold(text: str) -> str:
    """*text* with full-width forms, spaces, line breaks and dashes folded, offsets kept."""
    if text.isascii():
        # One str.replace per kind of break present: a log line ends in one
        # line feed, and a replace finds it in C where translate maps every
        # character. The plain twins, text.translate(_ASCII_FOLD) and
        # text.translate(_fold_table()), are held to this by tests.
        for brk in _ASCII_BREAKS:
            if brk in text:
                text = text.replace(brk, " ")
        return text
    if len(text) <= _SHORT_TEXT:
        # A line of Chinese text holds two or three kinds of character to
        # fold (its full-width commas, its line break): one replace for each
        # is cheaper than a translate that looks up every character.
        found = set(_NEEDS_FOLD.findall(text))
        if len(found) <= _FEW_KINDS:
            chars = _fold_chars()
            for kind in found:
                text = text.replace(kind, chars[kind])
            return text
    return text.translate(_fold_table()) if _NEEDS_FOLD.search(text) else text


_SHORT_TEXT: Final = 512  # characters: what findall reads in one call stays small
_FEW_KINDS: Final = 8  # distinct characters to fold that are replaced one kind at a time


@functools.cache
def _fold_chars() -> dict[str, str]:
    """:func:`_fold_table` from character to character (built on first use)."""
    return {chr(k): chr(v) for k, v in _fold_table().items()}


def canonical(text: str) -> str:
    """*text* without invisible characters and with the digits of every script folded to ASCII.

    For comparing values (pseudonyms): ``138\u200e1234\u200e5678`` and
    Arabic-Indic digits are the number ``13812345678``.
    """
    if not text.isascii() and _INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    return fold(text)


_ALLOW_DROP: Final = str.maketrans("", "", " -.()+\t")


def allow_key(value: str) -> str:
    """How an allow-list entry and a finding are compared: NFKC, case-folded, separators dropped."""
    return unicodedata.normalize("NFKC", value).casefold().translate(_ALLOW_DROP)
