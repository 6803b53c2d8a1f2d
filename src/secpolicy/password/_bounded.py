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

import itertools
import math
from operator import ne
from typing import TYPE_CHECKING, Final

from secpolicy.password._composed import calendar_runs, date_runs, phrase_matches
from secpolicy.password._floor import floor_total
from secpolicy.password._names import name_matches
from secpolicy.password._progressions import progression_matches
from secpolicy.password._rules import _SUBSTITUTIONS
from secpolicy.password._strength import (
    _ALTERNATE,
    _BRUTE_PER_CHAR,
    _LOG2,
    _MIN_SUBMATCH,
    _ROTATION_CHOICES,
    _SCORE_BOUNDS,
    _SEGMENT_PENALTY,
    _case_variations,
    _counter_matches,
    _decorated,
    _doubled_matches,
    _echo_matches,
    _fold,
    _Match,
    _mirror_matches,
    _mixed_matches,
    _repeat_spans,
    _sequence_matches,
    _split_matches,
    _user_matches,
    _walk_matches,
)
from secpolicy.password._strength import _date_matches as _dates

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.password._strength import _Dictionary

#: What a piece beside a match adds to any cover at the least: a brute-force
#: character (or more) and the penalty for combining two pieces.
_EDGE: Final = _BRUTE_PER_CHAR + _SEGMENT_PENALTY
#: Below this best cover, only matches touching an end of the text can help.
_ANCHORED_BELOW: Final = _MIN_SUBMATCH + 2 * _EDGE
#: Rounding headroom: a match is dropped only when it is clearly too costly.
_SLACK: Final = 1e-9
_INF: Final = math.inf
#: From this length on, the search first tries :func:`floor_total` against its
#: bound: shorter texts are cheap to search in full, and rarely above it.
_FLOOR_FROM: Final = 24


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
            if cost < pattern[e]:  # noqa: PLR1730 (a call to min() per match costs more)
                pattern[e] = cost
    return min(pattern[n], brute[n])


class Search:
    """One estimate's branch and bound: the words, the user's tokens and a memo of prices."""

    __slots__ = (
        "_by_start",
        "_decorated_by_start",
        "_memo",
        "_personal",
        "_reference",
        "_source",
        "_words",
    )

    def __init__(self, words: _Dictionary, personal: set[str], reference: int) -> None:
        self._words = words
        self._personal = personal
        self._reference = reference
        self._memo: dict[str, float] = {}
        # The whole text's dictionary matches by start, once read in full.
        self._source = ""
        self._by_start: list[list[_Match]] = []
        self._decorated_by_start: list[list[_Match]] = []

    def price(self, piece: str, bound: float = _INF) -> float:
        """The cheapest cover of *piece* without repeats: exact up to *bound*, above it beyond."""
        known = self._memo.get(piece)
        if known is not None:
            return known
        total = self.total(piece, repeats=False, bound=bound, known=self._within(piece))
        if total <= bound:
            self._memo[piece] = total
        return total

    def _within(self, piece: str) -> tuple[list[_Match], list[_Match]] | None:
        """The whole text's dictionary matches and their decorations inside *piece*, moved.

        A dictionary match depends only on the characters of its span (each
        reading maps one key to one letter, the case and substitution costs
        count the span's keys), so the matches inside a piece of the text are
        exactly what reading the piece alone finds; a decoration inside the
        piece has its word and its added keys inside it too, so the cheapest
        decoration of each span inside is the piece's own. None until the
        whole text has been read in full, or when *piece* is not a piece of it.
        """
        at = self._source.find(piece) if self._by_start else -1
        if at < 0:
            return None
        stop = at + len(piece)

        def moved(by_start: list[list[_Match]]) -> list[_Match]:
            return [
                _Match(m.start - at, m.end - at, m.log10, m.kind, m.notes, m.rank)
                for matches in by_start[at:stop]
                for m in matches
                if m.end <= stop
            ]

        return moved(self._by_start), moved(self._decorated_by_start)

    def _priced(self, piece: str) -> tuple[float, list[_Match | None]]:
        """:meth:`price` in the shape the echo and mirror matchers take (no explanation)."""
        return self.price(piece), []

    def total(  # noqa: PLR0912, PLR0915 (one pass of stages, each cut by the bound)
        self,
        text: str,
        *,
        repeats: bool = True,
        bound: float = _INF,
        enough: float = -_INF,
        known: tuple[list[_Match], list[_Match]] | None = None,
        settle: tuple[float, ...] = (),
    ) -> float:
        """The minimum cover cost of *text*, exact when it is at most *bound*.

        Above *bound* the answer is some value above it. With *enough*, the
        search stops as soon as a cover cheaper than *enough* is known and
        returns that cover's cost (the score's first bound: any such cover
        means score 0). *known*, if given, is ``_dictionary_matches``'s answer
        for *text* and the cheapest decoration of each span built from it,
        already known. With *settle* (ascending thresholds, the score's
        bounds), once the repeats give a cover within *bound* and the floor
        proves the minimum is at least the highest threshold at or below
        that cover, the search stops and returns the cover's cost: it lies
        between the same two thresholds as the minimum.
        """
        n = len(text)
        folded = _fold(text)
        words, personal, reference = self._words, self._personal, self._reference
        if known is not None and not repeats and bound == _INF:
            return _piece_total(text, folded, *known, personal=personal, reference=reference)
        best = float(n) * _BRUTE_PER_CHAR  # all brute force
        kept: list[_Match] = [
            *_sequence_matches(folded),
            *(_Match(*piece, "sequence") for piece in progression_matches(folded)),
            *(_Match(*piece, "dictionary") for piece in name_matches(text, folded)),
            *_walk_matches(folded),
            *_dates(text, reference),
            *(_Match(*piece) for piece in date_runs(text, reference)),
            *_user_matches(text, folded, personal),
        ]
        cheap = list(kept)
        if repeats and bound + _SLACK < n and n >= _FLOOR_FROM:
            # A floor above the bound settles it before anything is priced (see _floor).
            floor = floor_total(text, folded, words, cheap, reference, above=bound + _SLACK)
            if floor > bound + _SLACK:
                return floor

        def keep(found: list[_Match]) -> None:
            limit = min(best, bound)
            if limit >= n:  # nothing known beats brute force: nothing to cut
                kept.extend(found)
            else:
                limit += _SLACK
                kept.extend(m for m in found if _lower_bound(m.start, m.end, m.log10, n) <= limit)

        # Repeats first: a repeated text's repeat is a cheap cover that cuts the rest.
        if repeats:
            found = self._repeats(text, folded, min(best, bound))
            if found:
                keep(found)
                best = min(best, cover_total(n, kept))
                if best < enough:
                    return best
                if (
                    settle
                    and n >= _FLOOR_FROM
                    and best <= bound
                    and self._settled(
                        text, folded, cheap=cheap, repeated=found, best=best, settle=settle
                    )
                ):
                    return best
        limit = min(best, bound)
        decorated: list[_Match] | None = None  # the decorations of `dictionary`, if built
        if known is not None:
            dictionary, decorated = list(known[0]), known[1]
        elif limit + _SLACK < _ANCHORED_BELOW:
            dictionary = _anchored_dictionary(text, folded, words)
        else:
            dictionary = merged_dictionary(text, folded, words)
            if repeats and not self._by_start:
                # Kept for the pieces the repeat matchers price (see _within).
                decorated = _undominated(text, dictionary, [])
                self._source = text
                self._by_start = _by_start(dictionary, n)
                self._decorated_by_start = _by_start(decorated, n)
        extra: list[_Match] = []  # other dictionary-like matches
        if repeats:
            extra += _split_matches(text, folded, words, read=merged_dictionary)
        extra += [_Match(*piece) for piece in phrase_matches(text, folded)]
        extra += [_Match(*piece) for piece in calendar_runs(text, folded, reference)]
        keep(dictionary)
        keep(extra)
        if decorated is None:
            extra = dictionary + extra
        else:
            keep(decorated)
        if limit < n:
            extra = [m for m in extra if _decoration_bound(m, n) <= limit + _SLACK]
        keep(_undominated(text, extra, dictionary))
        if repeats:
            priced = self._priced
            if bound < _INF:
                current = cover_total(n, kept)
                # Above the bound, and even repeats at their cheapest conceivable
                # prices cannot bring it within (see _beyond): skip pricing them.
                if current > bound + _SLACK and self._beyond(text, folded, kept, bound):
                    return current
            if min(best, bound) + _SLACK >= _LOG2 + _BRUTE_PER_CHAR:
                # Each costs its piece (at least 1.0) and one choice (log10 2) more.
                keep(_echo_matches(text, folded, words, personal, reference, price=priced))
                keep(_mirror_matches(text, folded, words, personal, reference, price=priced))
                keep(_doubled_matches(text, folded, words, personal, reference, price=priced))
            keep(_counter_matches(text, folded, words, personal, reference, price=priced))
        return cover_total(n, kept) if kept else best

    def _settled(
        self,
        text: str,
        folded: str,
        *,
        cheap: list[_Match],
        repeated: list[_Match],
        best: float,
        settle: tuple[float, ...],
    ) -> bool:
        """Whether the minimum is at least the highest of *settle* at or below *best*.

        *repeated* are :meth:`_repeats`' matches, each priced exactly when
        it can take part in a cover within the bound (see :meth:`_repeats`),
        so the floor built with them instead of its own optimistic repeats
        is at most the minimum whenever the minimum is within the bound
        (``_floor``); *best* is within it, and a minimum above it is above
        the threshold anyway.
        """
        low = max((edge for edge in settle if edge <= best), default=None)
        if low is None:
            return False
        floor = floor_total(
            text, folded, self._words, cheap, self._reference, above=low + _SLACK, repeated=repeated
        )
        return floor >= low + _SLACK

    def _beyond(self, text: str, folded: str, kept: list[_Match], bound: float) -> bool:
        """Whether every cover of *text* costs more than *bound*, its repeats priced at their least.

        An echo, mirror, doubled or counted piece costs ``max(price, 1.0)``
        plus non-negative terms (its choice, its middle's price, its copy's
        variations, its counter), every price at least 0.0; with every price
        0.0 (*optimistic*), each such match keeps its span and costs at most
        its true cost. The cheapest cover is monotone
        in its matches' costs, so the cover of *kept* with the counters (as
        priced) and these optimistic matches is at most the true minimum: if
        it is above *bound*, so is the minimum, and the cover of *kept* alone
        (at least the minimum) is a value above the bound, as the contract of
        :meth:`total` asks. No piece is priced for this test.
        """
        words, personal, reference = self._words, self._personal, self._reference
        optimistic = _optimistic
        trial = [
            *kept,
            *_echo_matches(text, folded, words, personal, reference, price=optimistic),
            *_mirror_matches(text, folded, words, personal, reference, price=optimistic),
            *_doubled_matches(text, folded, words, personal, reference, price=optimistic),
            *_counter_matches(text, folded, words, personal, reference, price=optimistic),
        ]
        return cover_total(len(text), trial) > bound + _SLACK

    def _repeats(self, text: str, folded: str, limit: float) -> list[_Match]:
        """``_strength._repeat_matches`` with each unit priced once, and not when it cannot win."""
        found: list[_Match] = []
        n = len(folded)
        for start, block, repeats in _repeat_spans(folded):
            end = start + repeats * block
            extra = math.log10(repeats)
            # The unit costs at least 1.0 (max(base, 1.0)).
            if _lower_bound(start, end, _BRUTE_PER_CHAR + extra, n) > limit + _SLACK:
                continue
            edges = (_EDGE if start > 0 else 0.0) + (_EDGE if end < n else 0.0)
            base = self.price(text[start : start + block], limit - edges - extra + _SLACK)
            log10 = max(base, 1.0) + extra
            found.append(_Match(start, end, log10, "repeat"))
            # The repeat with brute force around it is a cover (its price
            # is never below the true one, so neither is this cost).
            cover = log10 if start == 0 and end == n else max(log10, _MIN_SUBMATCH)
            if start > 0:
                cover += start * _BRUTE_PER_CHAR + _SEGMENT_PENALTY
            if end < n:
                cover += (n - end) * _BRUTE_PER_CHAR + _SEGMENT_PENALTY
            limit = min(limit, cover)
        return found


def _optimistic(_piece: str) -> tuple[float, list[_Match | None]]:
    """A price no piece can undercut (a cover costs at least 0.0), for :meth:`Search._beyond`."""
    return 0.0, []


def _by_start(matches: list[_Match], n: int) -> list[list[_Match]]:
    """*matches* in one list per start position."""
    buckets: list[list[_Match]] = [[] for _ in range(n)]
    for match in matches:
        buckets[match.start].append(match)
    return buckets


def _undominated(text: str, sources: list[_Match], others: list[_Match]) -> list[_Match]:
    """The decorations of *sources* that are cheaper than every match on their span.

    A decoration no cheaper than a word on its own span can never lower the
    minimum (it costs as much and covers the same keys), so it is not kept.
    """
    if not sources or text.isalpha():
        return []
    spans: dict[tuple[int, int], float] = {}
    for match in itertools.chain(sources, others):
        span = (match.start, match.end)
        if match.log10 < spans.get(span, _INF):
            spans[span] = match.log10
    return [m for m in _decorated(text, sources) if spans.get((m.start, m.end), _INF) > m.log10]


def _piece_total(
    text: str,
    folded: str,
    dictionary: list[_Match],
    decorated: list[_Match],
    *,
    personal: set[str],
    reference: int,
) -> float:
    """A piece's cheapest cover from its dictionary matches and their decorations, known.

    No bound to cut by, so nothing is filtered; what ``_strength._matches``
    builds with ``repeats=False``, the decorations no cheaper than a word of
    their span left out.
    """
    extra = [
        *(_Match(*piece) for piece in phrase_matches(text, folded)),
        *(_Match(*piece) for piece in calendar_runs(text, folded, reference)),
    ]
    found = [*dictionary, *decorated, *extra, *_undominated(text, extra, dictionary)]
    found += [_Match(*piece) for piece in date_runs(text, reference)]
    found += _user_matches(text, folded, personal)
    found += _sequence_matches(folded)
    found += [_Match(*piece, "sequence") for piece in progression_matches(folded)]
    found += [_Match(*piece, "dictionary") for piece in name_matches(text, folded)]
    found += _walk_matches(folded)
    found += _dates(text, reference)
    return cover_total(len(text), found)


def _decoration_bound(match: _Match, n: int) -> float:
    """The least any decoration of *match* (up to two keys each side) costs in a cover."""
    start, end = max(match.start - 2, 0), min(match.end + 2, n)
    return _lower_bound(start, end, match.log10 + _BRUTE_PER_CHAR, n)


def _anchored_dictionary(  # noqa: PLR0912, PLR0915 (five readings of one span, one loop)
    text: str, folded: str, words: _Dictionary
) -> list[_Match]:
    """``_strength._dictionary_matches`` restricted to spans near an end of the text.

    The same readings and costs: as typed, both l33t readings, rotations in
    each reading and reversed. Each span is looked up once: every prefix of
    a word is in its table, so the walk's stopping rule finds exactly the
    words a direct lookup finds. Spans start at most two keys from the
    start or end at most two keys from the end, since a decoration adds up
    to two keys each side and may then touch an end.
    """
    found: list[_Match] = []
    n = len(text)
    if n < 3:  # noqa: PLR2004 (the shortest word)
        return found
    max_len = words.max_len
    spans = sorted(
        {(i, j) for i in range(min(3, n)) for j in range(i + 3, min(n, i + max_len) + 1)}
        | {(i, j) for j in range(max(3, n - 2), n + 1) for i in range(max(0, j - max_len), j - 2)}
    )
    log10 = math.log10
    table, leet, rotations = words.table.get, words.leet.get, words.rotations().get
    readings: list[tuple[str, list[int]]] = []
    for source in (folded.translate(_SUBSTITUTIONS), folded.translate(_ALTERNATE)):
        if source != folded and all(source != known for known, _ in readings):
            # changed[k]: substituted keys before k, so a span's count is one subtraction.
            changed = list(
                itertools.accumulate(
                    (a != b for a, b in zip(source, folded, strict=True)), initial=0
                )
            )
            readings.append((source, changed))
    backwards = folded[::-1]
    for i, j in spans:
        lower = folded[i:j]
        rank = table(lower)
        if rank:
            original = text[i:j]
            if original != lower:
                cost = log10(rank) + _case_variations(original)
                found.append(_Match(i, j, cost, "dictionary", ("capitalisation",), rank))
            else:
                found.append(_Match(i, j, log10(rank), "dictionary", (), rank))
        rank = rotations(lower)
        if rank:
            cost = log10(rank) + _ROTATION_CHOICES + _capitals(text, lower, i, j)
            found.append(_Match(i, j, cost, "dictionary", ("rotated",), rank))
        for source, changed in readings:
            keys = changed[j] - changed[i]
            if not keys:
                continue  # the span reads as typed: the exact lookups have it
            piece = source[i:j]
            rank = table(piece)
            other = leet(piece)
            if rank is None or (other and (not rank or other < rank)):
                rank = other
            if rank:
                cost = log10(rank) + _LOG2 * min(keys, 8) + _capitals(text, lower, i, j)
                found.append(_Match(i, j, cost, "dictionary", ("substitution",), rank))
            rank = rotations(piece)
            if rank:
                cost = log10(rank) + _ROTATION_CHOICES + _LOG2 * min(keys, 8)
                cost += _capitals(text, lower, i, j)
                found.append(_Match(i, j, cost, "dictionary", ("rotated",), rank))
        back = backwards[n - j : n - i]
        rank = table(back)
        if rank and back != lower:
            cost = log10(rank) + _LOG2 + _capitals(text, lower, i, j)
            found.append(_Match(i, j, cost, "dictionary", ("reversed",), rank))
        rank = rotations(back)
        if rank:
            cost = log10(rank) + _ROTATION_CHOICES + _LOG2 + _capitals(text, lower, i, j)
            found.append(_Match(i, j, cost, "dictionary", ("rotated", "reversed"), rank))
    # Two-letter keys read differently within one word, at an end like the rest.
    mixed = _mixed_matches(text, folded, words)
    found += [m for m in mixed if m.start < 3 or m.end > n - 3]  # noqa: PLR2004 (the spans above)
    return found


_RANK: Final = (1 << 20) - 1


def _merged_walk(
    source: str, n: int, table: dict[str, int], max_len: int
) -> list[tuple[int, int, int]]:
    """``(i, j, packed ranks)`` for every piece of *source* that is a word of any table.

    Each table holds every prefix of its words, so walking while the piece
    is in any table finds every word of each table that its own walk finds.
    """
    get = table.get
    hits: list[tuple[int, int, int]] = []
    for i in range(n - 2):
        stop = min(n, i + max_len)
        j = i + 3
        packed = get(source[i:j])
        while packed is not None:
            if packed:
                hits.append((i, j, packed))
            if j >= stop:
                break
            j += 1
            packed = get(source[i:j])
    return hits


def merged_dictionary(text: str, folded: str, words: _Dictionary) -> list[_Match]:
    """``_strength._dictionary_matches`` (with its rotations) from one automaton pass per reading.

    The same matches at the same costs, in another order: as typed and its
    rotations from one pass, each l33t reading (word, l33t form or
    rotation, with a substituted key at least) from one, and reversed with
    reversed rotations from one; each pass finds every word of
    :meth:`~secpolicy.password._strength._Dictionary.merged` in its reading
    in C (``_wordscan``). Its plain twin is :func:`walked_dictionary`.
    """
    return [*_read_dictionary(text, folded, words.scanner()), *_mixed_matches(text, folded, words)]


def walked_dictionary(text: str, folded: str, words: _Dictionary) -> list[_Match]:
    """:func:`merged_dictionary` with each pass a walk, one lookup in ``merged()`` per key."""
    table, max_len = words.merged(), words.max_len

    def walk(source: str) -> list[tuple[int, int, int]]:
        return _merged_walk(source, len(source), table, max_len)

    return [*_read_dictionary(text, folded, walk), *_mixed_matches(text, folded, words)]


def _read_dictionary(  # noqa: PLR0912 (five readings decoded in one pass each)
    text: str, folded: str, scan: Callable[[str], list[tuple[int, int, int]]]
) -> list[_Match]:
    """The dictionary matches of *text* from *scan*'s ``(i, j, packed ranks)`` per reading."""
    found: list[_Match] = []
    n = len(text)
    if n < 3:  # noqa: PLR2004 (the shortest word)
        return found
    log10 = math.log10
    # A text typed in lower case has no capitals anywhere: no piece to compare.
    cased = text != folded

    def capitals(i: int, j: int) -> float:
        if not cased:
            return 0.0
        original = text[i:j]
        return 0.0 if original == folded[i:j] else _case_variations(original)

    for i, j, packed in scan(folded):
        rank = packed & _RANK
        if rank:
            if cased and (original := text[i:j]) != folded[i:j]:
                cost = log10(rank) + _case_variations(original)
                found.append(_Match(i, j, cost, "dictionary", ("capitalisation",), rank))
            else:
                found.append(_Match(i, j, log10(rank), "dictionary", (), rank))
        rank = packed >> 40
        if rank:
            cost = log10(rank) + _ROTATION_CHOICES + capitals(i, j)
            found.append(_Match(i, j, cost, "dictionary", ("rotated",), rank))
    readings: list[str] = []
    for source in (folded.translate(_SUBSTITUTIONS), folded.translate(_ALTERNATE)):
        if source != folded and source not in readings:
            readings.append(source)
    for source in readings:
        # changed[k]: substituted keys before k, so a piece's count is one subtraction.
        changed = list(itertools.accumulate(map(ne, source, folded), initial=0))
        for i, j, packed in scan(source):
            keys = changed[j] - changed[i]
            if not keys:
                continue  # no substitution here: the pass as typed has it
            substituted = _LOG2 * min(keys, 8)
            rank, other = packed & _RANK, packed >> 20 & _RANK
            if other and (not rank or other < rank):
                rank = other
            if rank:
                cost = log10(rank) + substituted + capitals(i, j)
                found.append(_Match(i, j, cost, "dictionary", ("substitution",), rank))
            rank = packed >> 40
            if rank:
                cost = log10(rank) + _ROTATION_CHOICES + substituted + capitals(i, j)
                found.append(_Match(i, j, cost, "dictionary", ("rotated", "substitution"), rank))
    backwards = folded[::-1]
    for i, j, packed in scan(backwards):
        start, end = n - j, n - i
        rank = packed & _RANK
        if rank and backwards[i:j] != folded[start:end]:  # a palindrome reads as typed
            cost = log10(rank) + _LOG2 + capitals(start, end)
            found.append(_Match(start, end, cost, "dictionary", ("reversed",), rank))
        rank = packed >> 40
        if rank:
            cost = log10(rank) + _ROTATION_CHOICES + _LOG2 + capitals(start, end)
            found.append(_Match(start, end, cost, "dictionary", ("rotated", "reversed"), rank))
    return found


def _whole_word(text: str, folded: str, words: _Dictionary) -> float:
    """The cost of the dictionary's match of *text* as typed over all of it, or infinity.

    The match :func:`_anchored_dictionary` and :func:`merged_dictionary`
    find on the span of the whole text (the whole text is at both ends),
    so any cover it starts is one the plain cover also has. A text longer
    than the dictionary's ``max_len`` is never read whole by those walks
    (a custom blocklist may hold longer entries), so it has no such match.
    """
    if not 3 <= len(text) <= words.max_len:  # noqa: PLR2004 (the shortest word)
        return _INF
    rank = words.table.get(folded)
    if not rank:
        return _INF
    return math.log10(rank) + _capitals(text, folded, 0, len(text))


def _capitals(text: str, lower: str, i: int, j: int) -> float:
    """The capitalisations of ``text[i:j]`` (0.0 when it is typed in lower case)."""
    original = text[i:j]
    return 0.0 if original == lower else _case_variations(original)


def bounded_score(
    text: str, words: _Dictionary, personal: set[str], reference: int, cap: int = 4
) -> int:
    """The score of the cheapest cover of *text*, found by :class:`Search`, at most *cap*."""
    if cap <= 0:
        return 0
    # A common password typed whole is a one-piece cover (the dictionary's match
    # over the whole text, as typed): under the first bound, the score is 0.
    if _whole_word(text, _fold(text), words) < _SCORE_BOUNDS[0]:
        return 0
    # Every minimum at or above the cap's score bound has a score of at least
    # the cap, so the search is exact only up to that bound (above it,
    # total() answers a value above).
    total = Search(words, personal, reference).total(
        text,
        bound=_SCORE_BOUNDS[min(cap, len(_SCORE_BOUNDS)) - 1],
        enough=_SCORE_BOUNDS[0],
        settle=_SCORE_BOUNDS,
    )
    return min(cap, sum(total >= bound for bound in _SCORE_BOUNDS))
