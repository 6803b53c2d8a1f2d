"""Common Chinese names in pinyin, priced by their ranks, with no user data needed.

``Zhang_Wei_19900517`` and ``weizhang0517!`` are a name and a birthday: a
cracker's first list against Chinese users is the common surnames times the
common given names, in either order, so such a name costs the two ranks, not
the dictionary's rank of its letters (which does not list most of them):

    guesses = surname rank * given rank * 2 (order) * separator * case

Wade-Giles spellings (``Tsai``,
``Hsu``, ``Kuo``: Taiwan's and the diaspora's) are listed under
``[surname spellings]`` and cost the rank of the pinyin they spell; so do
the given-name syllables' (``Hsin``, ``Chih``) under ``[given spellings]``.

A given name of two syllables not listed as one costs the product of its
syllables' ranks. The separator between the parts (none, ``-._`` or space:
one choice of four; any other symbol: one of 33) may follow the name again
at no further cost, as a composition goes on with the same separator
(``Zhang_Wei_``). The user's own name is priced apart, as one guess, through
``PasswordContext`` (its pinyin forms); this is the list for everyone else.

The ranked lists are ``data/chinese_names.txt`` (its header names the
source). :func:`name_matches` finds the surnames with one automaton pass
(C) and tries the given names beside each; :func:`_plain_names` is its
plain twin, trying every surname at every position.
"""

from __future__ import annotations

import math
from importlib import resources
from typing import Any, Final

import ahocorasick

#: The data file, in ``secpolicy/password/data``.
NAMES_FILE: Final = "chinese_names.txt"
_COMMON_SEPARATORS: Final = "-._ "
_SEPARATOR_LOG10: Final = (math.log10(4), math.log10(33))
_ORDER: Final = math.log10(2)
_CASE_STYLES: Final = math.log10(5)

Span = tuple[int, int, float]


def _load() -> tuple[dict[str, int], dict[str, int]]:
    """``(surnames, given names)``, each mapping a name to its 1-based rank."""
    text = resources.files("secpolicy.password").joinpath(f"data/{NAMES_FILE}")
    sections: dict[str, dict[str, int]] = {
        "surnames": {},
        "given": {},
        "surname spellings": {},
        "given spellings": {},
    }
    spellings: list[tuple[str, str, str]] = []
    current: dict[str, int] | None = None
    for raw in text.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections[line[1:-1]]
            continue
        if current is sections["surname spellings"] or current is sections["given spellings"]:
            spelling, pinyin = line.split()
            spellings.append(
                (
                    "surnames" if current is sections["surname spellings"] else "given",
                    spelling,
                    pinyin,
                )
            )
        elif current is not None:
            current.setdefault(line, len(current) + 1)
    for section, spelling, pinyin in spellings:
        ranks = sections[section]
        rank = ranks[pinyin]
        ranks[spelling] = min(ranks.get(spelling, rank), rank)
    return sections["surnames"], sections["given"]


SURNAMES, GIVEN = _load()
_LONGEST_GIVEN: Final = max(map(len, GIVEN))


def _automaton() -> Any:
    automaton: Any = ahocorasick.Automaton()
    for name in SURNAMES:
        automaton.add_word(name, name)
    automaton.make_automaton()
    return automaton.iter


#: Read-only once built; each call makes its own iterator, so threads share it.
_SURNAME_HITS: Final = _automaton()


def name_matches(text: str, folded: str) -> list[Span]:
    """``(start, end, log10 guesses)`` of every surname-and-given-name pair in *folded*."""
    if not folded.isascii():
        return _plain_names(text, folded)
    hits = [(end + 1 - len(name), name) for end, name in _SURNAME_HITS(folded)]
    return _pairs(text, folded, hits)


def _plain_names(text: str, folded: str) -> list[Span]:
    """:func:`name_matches` by trying every surname at every position."""
    hits = [
        (at, name) for at in range(len(folded)) for name in SURNAMES if folded.startswith(name, at)
    ]
    return _pairs(text, folded, hits)


def _given_after(folded: str, at: int) -> list[tuple[int, float]]:
    """``(end, log10 rank)`` of each given name (one listed, or two syllables) from *at*."""
    found: list[tuple[int, float]] = []
    n = len(folded)
    for length in range(1, _LONGEST_GIVEN + 1):
        if at + length > n:
            break
        rank = GIVEN.get(folded[at : at + length])
        if rank is None:
            continue
        found.append((at + length, math.log10(rank)))
        for second in range(1, _LONGEST_GIVEN + 1):
            if at + length + second > n:
                break
            other = GIVEN.get(folded[at + length : at + length + second])
            if other is not None:
                found.append((at + length + second, math.log10(rank * other)))
    return found


def _given_before(folded: str, end: int) -> list[tuple[int, float]]:
    """``(start, log10 rank)`` of each given name ending at *end*."""
    found: list[tuple[int, float]] = []
    for length in range(1, _LONGEST_GIVEN + 1):
        if length > end:
            break
        rank = GIVEN.get(folded[end - length : end])
        if rank is None:
            continue
        found.append((end - length, math.log10(rank)))
        for second in range(1, _LONGEST_GIVEN + 1):
            if length + second > end:
                break
            other = GIVEN.get(folded[end - length - second : end - length])
            if other is not None:
                found.append((end - length - second, math.log10(rank * other)))
    return found


def _pairs(text: str, folded: str, hits: list[tuple[int, str]]) -> list[Span]:
    found: list[Span] = []
    n = len(folded)
    for at, surname in hits:
        end = at + len(surname)
        base = math.log10(SURNAMES[surname]) + _ORDER
        # Surname first: zhangwei, zhang_wei.
        for separator in _separators(folded, end):
            second = end + len(separator)
            for stop, given in _given_after(folded, second):
                price = base + given + _separator_price(separator)
                _add(found, text, folded, (at, second, stop), price, separator, n)
        # Given name first: weizhang, wei-zhang.
        for separator in _separators_before(folded, at):
            for start, given in _given_before(folded, at - len(separator)):
                price = base + given + _separator_price(separator)
                _add(found, text, folded, (start, at, end), price, separator, n)
    return found


def _separators(folded: str, at: int) -> tuple[str, ...]:
    if at < len(folded) and not folded[at].isalnum():
        return ("", folded[at])
    return ("",)


def _separators_before(folded: str, at: int) -> tuple[str, ...]:
    if at > 0 and not folded[at - 1].isalnum():
        return ("", folded[at - 1])
    return ("",)


def _separator_price(separator: str) -> float:
    if not separator:
        return 0.0
    return _SEPARATOR_LOG10[0 if separator in _COMMON_SEPARATORS else 1]


def _add(  # noqa: PLR0917 (one match and where it may extend)
    found: list[Span],
    text: str,
    folded: str,
    parts: tuple[int, int, int],
    price: float,
    separator: str,
    n: int,
) -> None:
    """Record the name on ``[start, end)``, its second part from *second*: ``parts``."""
    start, second, end = parts
    log10 = price + _case(text[start:end], (0, second - start))
    found.append((start, end, log10))
    if separator and end < n and folded[end] == separator:
        found.append((start, end + 1, log10))  # the composition's next separator


def _case(piece: str, heads: tuple[int, int]) -> float:
    """Capitalisation: one style of five, or else zxcvbn's mix of upper and lower.

    The styles, as a cracker's case rules try them: none, the first part's
    first letter, the second's, both, all upper.
    """
    letters = [c for c in piece if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if upper == 0:
        return 0.0
    capitals = {i for i, c in enumerate(piece) if c.isupper()}
    if upper == len(letters) or capitals <= set(heads):
        return _CASE_STYLES
    lower = len(letters) - upper
    return math.log10(sum(math.comb(len(letters), k) for k in range(1, min(upper, lower) + 1)))
