"""Which values a digit run that is no one value is read as: the reading that covers most of it.

A run such as ``(0755) 5185987 010-62345678`` or ``415-555-0132 020 7946
0958`` holds two phone numbers, but also a longer valid number made of the
first and the start of the second (``(0755) 5185987 010`` is a German
number). Taking the longest value first left the rest of the second number
unread, and its first digits reported as part of the wrong value. The run is
read instead as the set of values, apart from each other, that covers the
most of its digits, a specific value's digits counting more (values that
score at the threshold first): a dynamic programme over its groups, linear
in the options (each group starts a bounded number of them).

Values of other passes made of several groups of a run, an SSN
(``193-89-6740``) or an IPv4 address, take part as options of their own
that are not reported (their pass reports them): so a phone number does not
take the ``193`` of ``(0755) 5185987 193-89-6740``, and ``193-89-6740 01 42
68 53 00`` is an SSN and a French number, not a mobile number
``193-89-6740 01`` and a rest.
"""

from __future__ import annotations

import re
from typing import Final

from secpolicy.pii._ids import _ssn_match_ok
from secpolicy.pii._scoring import _SCORE_IP, _SCORE_SSN, _SCORE_SSN_LOOSE, _SCORE_SSN_MIXED

#: An option of a split run: (rank, -digits, first group, last group, start, entity, score).
Option = tuple[int, int, int, int, int, str, float]

_REPORTED: Final = 0.5  # the scanner's default threshold: scores below need a context word
_FOREIGN_RANK: Final = 1  # an SSN or IPv4 address counts as specific as a mobile number
_SSN_SIZES: Final = (3, 2, 4)
_SSN_SEPARATORS: Final = frozenset(" -./")
_IPV4_GROUPS: Final = 4
_OCTET_MAX: Final = 255
_OCTET_DIGITS: Final = 3


def _octet(part: str) -> bool:
    return (
        len(part) <= _OCTET_DIGITS and (part == "0" or part[0] != "0") and int(part) <= _OCTET_MAX
    )


def _ssn_score(first: str, second: str) -> float:
    """The SSN pass's score for these two separators (see ``_identifiers._id_score``)."""
    if first != second:
        return _SCORE_SSN_MIXED
    return _SCORE_SSN if first == "-" else _SCORE_SSN_LOOSE


# One search tells whether a run may hold either (most runs hold neither).
_MAY_HOLD: Final = re.compile(
    r"(?<![0-9])[0-9]{3}[ \-./][0-9]{2}[ \-./][0-9]{4}(?![0-9])|[0-9]\.[0-9]{1,3}\.[0-9]{1,3}\."
)


def foreign(text: str, groups: list[tuple[int, int]]) -> list[tuple[int, int, int, float]]:
    """The groups of *text* that are an SSN or an IPv4 address: (first, last, digits, score)."""
    if _MAY_HOLD.search(text) is None:
        return []
    found = []
    count = len(groups)
    sizes = [end - start for start, end in groups]
    for i in range(count):
        if i + 2 < count and tuple(sizes[i : i + 3]) == _SSN_SIZES:
            seps = (
                text[groups[i][1] : groups[i + 1][0]],
                text[groups[i + 1][1] : groups[i + 2][0]],
            )
            if all(sep in _SSN_SEPARATORS for sep in seps) and _ssn_match_ok(
                text[groups[i][0] : groups[i + 2][1]]
            ):
                found.append((i, i + 2, sum(_SSN_SIZES), _ssn_score(*seps)))
        last = i + _IPV4_GROUPS - 1
        if last < count and all(
            text[groups[k][1] : groups[k + 1][0]] == "." for k in range(i, last)
        ):
            dotted_before = i > 0 and text[groups[i - 1][1] : groups[i][0]] == "."
            dotted_after = last + 1 < count and text[groups[last][1] : groups[last + 1][0]] == "."
            if not (dotted_before or dotted_after) and all(
                _octet(text[s:e]) for s, e in groups[i : last + 1]
            ):
                found.append((i, last, sum(sizes[i : last + 1]), _SCORE_IP))
    return found


def choose(
    options: list[Option],
    count: int,
    spans: list[tuple[int, int, int, float]],
) -> list[tuple[int, int, str, float]]:
    """The options to report, as (start, last group, entity, score), in order.

    *options* are the values of sub-runs of a run of *count* groups; *spans*
    the groups of other passes' values (:func:`foreign`). Digits count by
    how specific their value is: a card's thrice, a mobile number's, an
    SSN's or an IPv4 address's twice, a phone number's once. Of the sets of
    options apart from each other, the one with the most such digits in
    options scoring at the threshold wins, then the most such digits, then
    the most digits, then the fewest options; a full tie goes to the
    options from the left, each first in sorted order (specific, long).
    The values of *spans* take part as options of their own and are not
    reported (their pass reports them). Then an option left out whose
    first group nothing reported holds keeps its leading groups covered, up
    to the first group something reported holds, the best option first: a
    value's head is never left in clear beside a longer wrong reading, and
    what follows a value (a year after a phone) is not masked for it.
    """
    kept = sorted(
        [
            *options,
            *((_FOREIGN_RANK, -digits, i, j, -1, "", score) for i, j, digits, score in spans),
        ]
    )
    by_first: list[list[Option]] = [[] for _ in range(count)]
    for option in kept:
        by_first[option[2]].append(option)
    # best[k]: the key and the options of the best reading of groups k and after.
    zero = (0, 0, 0, 0)
    best: list[tuple[tuple[int, int, int, int], tuple[Option, ...]]] = [(zero, ())] * (count + 1)
    for k in range(count - 1, -1, -1):
        choice = best[k + 1]
        for option in by_first[k]:
            rank, minus, _, last, _, _, score = option
            key, rest = best[last + 1]
            digits = -minus
            weighted = digits * (3 - rank)
            candidate = (
                key[0] + (weighted if score >= _REPORTED else 0),
                key[1] + weighted,
                key[2] + digits,
                key[3] - 1,
            )
            if candidate > choice[0] or (candidate == choice[0] and choice is best[k + 1]):
                choice = (candidate, (option, *rest))
        best[k] = choice
    chosen = best[0][1]
    held = [o for o in chosen if not o[5]]
    if held:
        # A value left out for an SSN or IPv4 address that holds groups of
        # its own no value read covers ("03-1234-5678" in "007-03-1234-5678")
        # is reported too: overlaps are resolved with the other pass's value,
        # and no digit an option covered is left in clear.
        covered = {k for o in chosen for k in range(o[2], o[3] + 1)}
        chosen = (
            *chosen,
            *(
                o
                for o in kept
                if o[5]
                and o not in chosen
                and any(o[2] <= f[3] and f[2] <= o[3] for f in held)
                and any(k not in covered for k in range(o[2], o[3] + 1))
            ),
        )
    # A sub-run that lost to an overlapping one that starts later ("020 7946
    # 0958" of ``020 7946 0958 2024-05-01 12``, read as the longer ``0958
    # 2024-05-01``) keeps the groups before the winner covered: "020 7946" is
    # not left in clear. Only its leading groups: what a loser holds after
    # the winner is what follows a value (the year of ``手机130 0339 0757
    # 2018年``, read as ``0757 2018``), not a value's head.
    covered = {k for o in chosen for k in range(o[2], o[3] + 1)}
    found = [(o[4], o[3], o[5], o[6]) for o in chosen if o[5]]
    for o in kept:
        if not o[5] or o in chosen or o[2] in covered:
            continue
        k = o[2]
        while k <= o[3] and k not in covered:
            covered.add(k)
            k += 1
        found.append((o[4], k - 1, o[5], o[6]))
    return sorted(found)
