"""Number progressions: numbers counted by a constant step, typed one after another.

``13579111315171921`` (the odd numbers to 21), ``2468101214161820``,
``5101520253035``, ``10203040506070``, ``2-4-6-8-10-12`` and their
descending forms are what a cracker's counting rule produces: it picks a
start, a step and how many numbers to write, so the run costs those three
choices, the way zxcvbn prices a sequence by its first key, its length and
its direction (not by its digits, as brute force would):

    guesses = (start + 1) * (2 * |step|) * count * separators

``start + 1`` ranks the start among the numbers below it, ``2 * |step|``
ranks the step among those up and down, ``count`` is how many numbers
were written, and a separator between them (``-``, ``.``, ``_``, space, or
any other symbol) is one choice of four or of 33, as the estimator prices a
separator elsewhere. A progression needs at least four numbers (three with
any step read too many random digit runs as one).

:func:`progression_matches` finds the first numbers of each run by one
regular-expression scan (C) and tries each split of them; its work is at
most ``_MAX_COUNT`` numbers per start and split, so linear in the length.
:func:`_plain_progressions` is its plain twin: every start, every split,
no scan.
"""

from __future__ import annotations

import math
import re
from typing import Final

#: The longest number a progression's term is read as.
_MAX_DIGITS: Final = 6
#: At least this many numbers: three numbers with any step are too many readings of
#: any six digits (``856104`` as 8, 56, 104) to be priced as one choice of each.
_MIN_COUNT: Final = 4
#: At most this many numbers per match: a longer run is found again from a later start.
_MAX_COUNT: Final = 64
#: Separators priced as one choice of four; any other symbol is one of 33.
_COMMON_SEPARATORS: Final = "-._ "
_SEPARATOR_LOG10: Final = (math.log10(4), math.log10(33))
#: A digit, optionally one other character, a digit: where any progression starts.
_TWO_NUMBERS: Final = re.compile(r"(?=[0-9].?[0-9])", re.DOTALL)
_DIGITS: Final = frozenset("0123456789")

Span = tuple[int, int, float]


def progression_matches(text: str) -> list[Span]:
    """``(start, end, log10 guesses)`` of every progression in *text*, from each start."""
    if _DIGITS.isdisjoint(text):
        return []
    starts = [m.start() for m in _TWO_NUMBERS.finditer(text)]
    return _progressions_from(text, starts)


def _plain_progressions(text: str) -> list[Span]:
    """:func:`progression_matches` trying every position as a start."""
    return _progressions_from(text, range(len(text)))


def _is_separator(c: str) -> bool:
    return not c.isalnum()


def _number(head: str, length: int) -> bool:
    """Whether *head* is a number of *length* ASCII digits, without a leading zero."""
    return (
        len(head) == length and all(c in _DIGITS for c in head) and (length == 1 or head[0] != "0")
    )


def _progressions_from(text: str, starts: range | list[int]) -> list[Span]:
    found: list[Span] = []
    for i in starts:
        if text[i] not in _DIGITS:
            continue
        for first_len in range(1, _MAX_DIGITS + 1):
            head = text[i : i + first_len]
            if not _number(head, first_len):
                break
            _extend(text, i, int(head), i + first_len, found)
    return found


def _extend(text: str, i: int, first: int, at: int, found: list[Span]) -> None:
    """Every progression starting with the number *first* at *i*, its digits ending at *at*."""
    n = len(text)
    separator = ""
    if at + 1 < n and _is_separator(text[at]) and text[at + 1] in _DIGITS:
        separator = text[at]
    pos = at + len(separator)
    for second_len in range(1, _MAX_DIGITS + 1):
        head = text[pos : pos + second_len]
        if not _number(head, second_len):
            break
        step = int(head) - first
        if step == 0:
            continue
        end, count, value = pos + second_len, 2, int(head)
        while count < _MAX_COUNT:
            value += step
            if value < 0:
                break
            token = separator + str(value)
            if not text.startswith(token, end):
                break
            end += len(token)
            count += 1
        if count >= _MIN_COUNT:
            found.append((i, end, _price(first, step, count, separator)))


def _price(first: int, step: int, count: int, separator: str) -> float:
    log10 = math.log10(first + 1) + math.log10(2 * abs(step)) + math.log10(count)
    if separator:
        log10 += _SEPARATOR_LOG10[0 if separator in _COMMON_SEPARATORS else 1]
    return log10
