"""The estimator's score by branch and bound: the plain cover's minimum with less work.

:func:`secpolicy.password._strength.estimate` builds every match and takes the
cheapest cover (its plain twin here). A policy needs only the score, that is
the minimum's bucket, so this module finds the same minimum while building
only the matches that can take part in it.

Why a match may be left out (the proof the tests check on random texts):

* Let ``U`` be the cost of any cover already found (all brute force costs
  ``n``), so the minimum is at most ``U``. In a cover, a match on
  ``[s, e)`` costs ``log10`` (raised to ``_MIN_SUBMATCH`` unless it spans the
  whole text), plus ``_SEGMENT_PENALTY`` if ``s > 0``; a non-empty prefix
  before it costs at least one brute-force character (1.0; a pattern there
  costs at least ``_MIN_SUBMATCH``), and a piece after it at least
  ``_SEGMENT_PENALTY`` plus 1.0. So every cover through the match costs at
  least :func:`_lower_bound`; if that exceeds ``U``, no cheapest cover uses
  it, and leaving it out changes neither the minimum nor, since the
  dynamic programme adds the same numbers along the same cheapest path,
  its floating-point value. A slack of ``_SLACK`` keeps rounding on the safe
  side.
* When ``U`` is below ``_MIN_SUBMATCH + 2 * _EDGE``, no match strictly
  inside the text can be used, so the dictionary is read only at its two
  ends (:func:`_anchored_dictionary`), and when ``U`` is below the first score
  bound the score is 0 whatever else the text holds.
* A decorated word (``word12``) costs its word and more; where the
  dictionary already has a match on the same span at most as costly, the
  decorated one can never be cheaper and is not built.
* A repeated unit, an echoed piece or a mirrored half is priced by its own
  cover; the price of each piece is computed once per estimate, and not at
  all when even its cheapest conceivable price (1.0) cannot beat ``U``.
  Pieces priced under a bound are exact when their minimum is within the
  bound and otherwise some value above it (never below the true price),
  which is all a bound needs.

Nothing here is kept between calls: the memo of piece prices lives for one
estimate only, so no piece of a password outlives its check.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Final

from secpolicy.password._composed import calendar_runs, date_runs, phrase_matches
from secpolicy.password._rules import _SUBSTITUTIONS
from secpolicy.password._strength import (
    _ALTERNATE,
    _ANY_REPEAT,
    _BRUTE_PER_CHAR,
    _LOG2,
    _MAX_BLOCK,
    _MIN_SUBMATCH,
    _REPEATED_BLOCK,
    _ROTATION_CHOICES,
    _SCORE_BOUNDS,
    _SEGMENT_PENALTY,
    _case_variations,
    _counter_matches,
    _decorated,
    _dictionary_matches,
    _doubled_matches,
    _echo_matches,
    _fold,
    _Match,
    _mirror_matches,
    _sequence_matches,
    _split_matches,
    _user_matches,
    _walk_matches,
)
from secpolicy.password._strength import _date_matches as _dates

if TYPE_CHECKING:
    from secpolicy.password._strength import _Dictionary

#: What a piece beside a match adds to any cover at the least: a brute-force
#: character (or more) and the penalty for combining two pieces.
_EDGE: Final = _BRUTE_PER_CHAR + _SEGMENT_PENALTY
#: Below this best cover, only matches touching an end of the text can help.
_ANCHORED_BELOW: Final = _MIN_SUBMATCH + 2 * _EDGE
#: Rounding headroom: a match is dropped only when it is clearly too costly.
_SLACK: Final = 1e-9
_INF: Final = math.inf


def _lower_bound(start: int, end: int, log10: float, n: int) -> float:
    """The least any cover of an *n*-character text through this match can cost."""
    if end - start == n:
        return log10
    cost = log10 if log10 > _MIN_SUBMATCH else _MIN_SUBMATCH
    if start > 0:
        cost += _EDGE
    if end < n:
        cost += _EDGE
    return cost


def cover_total(n: int, matches: list[_Match]) -> float:
    """The cheapest cover's cost, as ``_strength._cover`` computes it, without the walk back."""
    ending: list[list[_Match]] = [[] for _ in range(n + 1)]
    for match in matches:
        ending[match.end].append(match)
    inf = _INF
    pattern = [inf] * (n + 1)
    brute = [inf] * (n + 1)
    pattern[0] = 0.0
    for e in range(1, n + 1):
        fresh = pattern[e - 1] + (_SEGMENT_PENALTY if e > 1 else 0.0)
        extend = brute[e - 1]
        brute[e] = (fresh if fresh < extend else extend) + _BRUTE_PER_CHAR
        for match in ending[e]:
            s = match.start
            before_pattern = pattern[s]
            before_brute = brute[s]
            previous = before_pattern if before_pattern < before_brute else before_brute
            log10 = match.log10 if match.end - s == n else max(match.log10, _MIN_SUBMATCH)
            cost = previous + log10 + (_SEGMENT_PENALTY if s > 0 else 0.0)
            pattern[e] = min(pattern[e], cost)
    return min(pattern[n], brute[n])


class Search:
    """One estimate's branch and bound: the words, the user's tokens and a memo of prices."""

    __slots__ = ("_memo", "_personal", "_reference", "_words")

    def __init__(self, words: _Dictionary, personal: set[str], reference: int) -> None:
        self._words = words
        self._personal = personal
        self._reference = reference
        self._memo: dict[str, float] = {}

    def price(self, piece: str, bound: float = _INF) -> float:
        """The cheapest cover of *piece* without repeats: exact up to *bound*, above it beyond."""
        known = self._memo.get(piece)
        if known is not None:
            return known
        total = self.total(piece, repeats=False, bound=bound)
        if total <= bound:
            self._memo[piece] = total
        return total

    def _priced(self, piece: str) -> tuple[float, list[_Match | None]]:
        """:meth:`price` in the shape the echo and mirror matchers take (no explanation)."""
        return self.price(piece), []

    def total(  # noqa: PLR0912 (one pass of stages, each cut by the bound)
        self, text: str, *, repeats: bool = True, bound: float = _INF, enough: float = -_INF
    ) -> float:
        """The minimum cover cost of *text*, exact when it is at most *bound*.

        Above *bound* the answer is some value above it. With *enough*, the
        search stops as soon as a cover cheaper than *enough* is known and
        returns that cover's cost (the score's first bound: any such cover
        means score 0).
        """
        n = len(text)
        folded = _fold(text)
        words, personal, reference = self._words, self._personal, self._reference
        best = float(n) * _BRUTE_PER_CHAR  # all brute force
        kept: list[_Match] = []

        def keep(found: list[_Match]) -> None:
            limit = min(best, bound) + _SLACK
            kept.extend(m for m in found if _lower_bound(m.start, m.end, m.log10, n) <= limit)

        # Cheap matchers first: they set the bound the costly ones are cut by.
        keep(_sequence_matches(folded))
        keep(_walk_matches(folded))
        keep(_dates(text, reference))
        keep([_Match(*piece) for piece in date_runs(text, reference)])
        keep(_user_matches(text, folded, personal))
        if repeats:
            keep(self._repeats(text, folded, min(best, bound)))
        if kept:
            best = min(best, cover_total(n, kept))
        if best < enough:
            return best
        limit = min(best, bound)
        if limit + _SLACK < _ANCHORED_BELOW:
            dictionary = _anchored_dictionary(text, folded, words)
        else:
            dictionary = _dictionary_matches(text, folded, words)
        if repeats:
            dictionary += _split_matches(text, folded, words)
        dictionary += [_Match(*piece) for piece in phrase_matches(text, folded)]
        dictionary += [_Match(*piece) for piece in calendar_runs(text, folded, reference)]
        keep(dictionary)
        # Best of each dictionary span: a decoration no cheaper is never built.
        spans: dict[tuple[int, int], float] = {}
        for match in dictionary:
            span = (match.start, match.end)
            if match.log10 < spans.get(span, _INF):
                spans[span] = match.log10
        sources = [m for m in dictionary if _decoration_bound(m, n) <= limit + _SLACK]
        if sources:
            keep(
                [
                    m
                    for m in _decorated(text, sources)
                    if spans.get((m.start, m.end), _INF) > m.log10
                ]
            )
        if repeats:
            priced = self._priced
            if kept:
                best = min(best, cover_total(n, kept))
            if best < enough:
                return best
            if min(best, bound) + _SLACK >= _LOG2 + _BRUTE_PER_CHAR:
                # Each costs its piece (at least 1.0) and one choice (log10 2) more.
                keep(_echo_matches(text, folded, words, personal, reference, price=priced))
                keep(_mirror_matches(text, folded, words, personal, reference, price=priced))
                keep(_doubled_matches(text, folded, words, personal, reference, price=priced))
            keep(_counter_matches(text, folded, words, personal, reference, price=priced))
        return cover_total(n, kept) if kept else best

    def _repeats(self, text: str, folded: str, limit: float) -> list[_Match]:
        """``_strength._repeat_matches`` with each unit priced once, and not when it cannot win."""
        found: list[_Match] = []
        n = len(folded)
        if _ANY_REPEAT(folded) is None:
            return found
        for block in range(1, min(_MAX_BLOCK, n // 2) + 1):
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
                    end = start + repeats * block
                    extra = math.log10(repeats)
                    # The unit costs at least 1.0 (max(base, 1.0)).
                    if _lower_bound(start, end, _BRUTE_PER_CHAR + extra, n) > limit + _SLACK:
                        continue
                    edges = (_EDGE if start > 0 else 0.0) + (_EDGE if end < n else 0.0)
                    base = self.price(text[start : start + block], limit - edges - extra + _SLACK)
                    log10 = max(base, 1.0) + extra
                    found.append(_Match(start, end, log10, "repeat"))
                    if start == 0 and end == n and log10 < limit:
                        limit = log10  # a whole-text repeat is a cover by itself
        return found


def _decoration_bound(match: _Match, n: int) -> float:
    """The least any decoration of *match* (up to two keys each side) costs in a cover."""
    start, end = max(match.start - 2, 0), min(match.end + 2, n)
    return _lower_bound(start, end, match.log10 + _BRUTE_PER_CHAR, n)


def _anchored_dictionary(  # noqa: PLR0912, PLR0915 (five readings of one span, one loop)
    text: str, folded: str, words: _Dictionary
) -> list[_Match]:
    """``_strength._dictionary_matches`` restricted to spans touching an end of the text.

    The same readings and costs: as typed, both l33t readings, rotations in
    each reading and reversed. Each span is looked up once: every prefix of
    a word is in its table, so the walk's stopping rule finds exactly the
    words a direct lookup finds.
    """
    found: list[_Match] = []
    n = len(text)
    if n < 3:  # noqa: PLR2004 (the shortest word)
        return found
    max_len = words.max_len
    # A decoration adds up to two keys each side, so words up to two keys
    # from an end are read too: their decorated forms may touch it.
    spans = sorted(
        {(i, j) for i in range(min(3, n)) for j in range(i + 3, min(n, i + max_len) + 1)}
        | {(i, j) for j in range(max(3, n - 2), n + 1) for i in range(max(0, j - max_len), j - 2)}
    )
    log10 = math.log10
    table, leet, rotations = words.table, words.leet, words.rotations()
    plain = folded.translate(_SUBSTITUTIONS)
    alternate = folded.translate(_ALTERNATE)
    readings = [r for r in (plain, alternate) if r != folded]
    if len(readings) == 2 and readings[0] == readings[1]:  # noqa: PLR2004
        readings.pop()
    backwards = folded[::-1]
    for i, j in spans:
        original = text[i:j]
        lower = folded[i:j]
        capitals = original != lower
        rank = table.get(lower)
        if rank:
            if capitals:
                cost = log10(rank) + _case_variations(original)
                found.append(_Match(i, j, cost, "dictionary", ("capitalisation",), rank))
            else:
                found.append(_Match(i, j, log10(rank), "dictionary", (), rank))
        for source in readings:
            piece = source[i:j]
            keys = sum(1 for a, b in zip(lower, piece, strict=True) if a != b)
            if not keys:
                continue
            rank = table.get(piece)
            other = leet.get(piece)
            if rank is None or (other and (not rank or other < rank)):
                rank = other
            if rank:
                cost = log10(rank) + _LOG2 * min(keys, 8)
                if capitals:
                    cost += _case_variations(original)
                found.append(_Match(i, j, cost, "dictionary", ("substitution",), rank))
        for source in (folded, *readings):
            piece = source[i:j]
            rank = rotations.get(piece)
            if not rank:
                continue
            cost = log10(rank) + _ROTATION_CHOICES
            if source is not folded:
                keys = sum(1 for a, b in zip(lower, piece, strict=True) if a != b)
                if not keys:
                    continue
                cost += _LOG2 * min(keys, 8)
            if capitals:
                cost += _case_variations(original)
            found.append(_Match(i, j, cost, "dictionary", ("rotated",), rank))
        back = backwards[n - j : n - i]
        rank = table.get(back)
        if rank and back != lower:
            cost = log10(rank) + _LOG2
            if capitals:
                cost += _case_variations(original)
            found.append(_Match(i, j, cost, "dictionary", ("reversed",), rank))
        rank = rotations.get(back)
        if rank:
            cost = log10(rank) + _ROTATION_CHOICES + _LOG2
            if capitals:
                cost += _case_variations(original)
            found.append(_Match(i, j, cost, "dictionary", ("rotated", "reversed"), rank))
    return found


def bounded_score(text: str, words: _Dictionary, personal: set[str], reference: int) -> int:
    """The score of the cheapest cover of *text*, found by :class:`Search`."""
    total = Search(words, personal, reference).total(text, enough=_SCORE_BOUNDS[0])
    return sum(total >= bound for bound in _SCORE_BOUNDS)
