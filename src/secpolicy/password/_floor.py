"""A lower bound on the estimator's cheapest cover, from where its matches can lie.

The score of a long password is decided by whether its cheapest cover costs
at least a threshold (10⁸ guesses for ``min_score=3``). Pricing every
dictionary reading, decoration and repeat of random text over a few l33t
keys takes milliseconds, although only a handful of cheap pieces could ever
bring such a text under the threshold. :func:`floor_total` bounds the
minimum from below without pricing anything, so that the branch and bound
(``_bounded``) can stop as soon as that bound is above its own.

Why it is a lower bound (the proof the tests check on random texts): the
plain cover (``_strength._matches``) takes its matches from

* the cheap matchers (sequences, keyboard walks, dates, years, date runs,
  the user's data), given here at their own costs;
* repeated blocks, echoes, mirrors, doubled and counted pieces, whose spans
  do not depend on any price: each costs its piece's price (at least 0.0)
  plus non-negative terms, so with every price 0.0 each keeps its span and
  costs at most what it really does (``_bounded._optimistic``); a repeated
  block costs ``max(price, 1.0) + log10(repeats)``, at least
  ``1.0 + log10(repeats)``;
* dictionary-like matches: words in every reading (as typed, both l33t
  readings, reversed, rotated; each such span is a word of the merged
  table, and that table holds every prefix of its words, so a walk that
  grows a piece while it is in the table finds every one), words cut by
  separators and words reversed in l33t (their joined and reversed readings
  walked the same way), published phrases, calendar runs and compositions
  (given at their own costs, as are their decorations), and the decorations
  of the others, which add at most ``_MAX_DECORATION`` digits or symbols at
  either end.

A piece that does not span the whole text costs at least ``_MIN_SUBMATCH``
in a cover, whatever it is. So the cover problem is relaxed: a word found
by one of those walks may cover any part of its span, decorations included,
at ``_MIN_SUBMATCH``, and the others keep their spans at the costs above.
Every cover of the plain problem is a cover of the relaxed one at no more
cost, so the relaxed minimum is at most the true one. A relaxed piece over
the whole text would cost less than ``_MIN_SUBMATCH``; such a text gets no
bound (0.0).

The words found only in a l33t reading (both uniform ones, the mixed one,
the joined texts' and the reversed l33t ones) are kept apart: every match
read through a substitution pays ``log10(2)`` for each l33t key of its
span, up to eight (a decoration's keys cost 1.0 each, a dropped separator
its place and choice, both more), so a relaxed piece of those spans costs
that for the l33t keys it holds, and ``_MIN_SUBMATCH`` at least unless it
is the whole text. On l33t noise (``@4a4@@a…``) nearly every span is such a
word, and its keys lift the floor over the score's bound.

The relaxed minimum is a dynamic programme over positions: with the
furthest end ``reach[p]`` of any dictionary-like span over position ``p``
(non-decreasing in ``p``), a relaxed piece ending at ``e`` may start at any
``p < e`` with ``reach[p] >= e``, an interval whose both ends only move
right, so a sliding minimum serves every end in constant time.
"""

from __future__ import annotations

import collections
import itertools
import math
from typing import TYPE_CHECKING, Final

from secpolicy.password._composed import (
    _INNER_SEPARATOR,
    calendar_runs,
    published_phrases,
    reversed_leet_matches,
)
from secpolicy.password._rules import _ALTERNATE as _LEET_ALTERNATE
from secpolicy.password._rules import _SUBSTITUTIONS, COMMON_PASSWORDS, LEET
from secpolicy.password._strength import (
    _ALTERNATE,
    _AMBIGUOUS,
    _BRUTE_PER_CHAR,
    _DICTIONARIES,
    _LOG2,
    _MAX_DECORATION,
    _MIN_SUBMATCH,
    _SEGMENT_PENALTY,
    _counter_matches,
    _decorated,
    _doubled_matches,
    _echo_matches,
    _fold,
    _Match,
    _mirror_matches,
    _repeat_spans,
    _walk_matches,
    split_kept,
)

if TYPE_CHECKING:
    from secpolicy.password._strength import _Dictionary

_INF: Final = math.inf


def _optimistic(_piece: str) -> tuple[float, list[_Match | None]]:
    """A price no piece can undercut (a cover costs at least 0.0)."""
    return 0.0, []


def _furthest_words(
    folded: str, words: _Dictionary, furthest: list[int], leet: list[int] | None = None
) -> None:
    """Raise ``furthest[i]`` to the end of the longest word span starting at *i*, every reading.

    The readings of ``_strength._dictionary_matches`` (and ``_bounded``'s
    merged walk): as typed, both l33t readings and reversed, each looked
    up in the merged table, which holds every word of the three tables
    (words, l33t forms, rotations) and every prefix of them, so growing a
    piece while it is in the table reaches every word. A superset of the
    dictionary matches' spans: a l33t reading's span counts even where it
    substitutes nothing. A reversed word read from *i* to *j* of the
    reversed text is the span ``(n - j, n - i)``, inside the longest one.
    The words that read only with the two-letter keys mixed
    (``_strength._mixed_matches``) are walked as that does, both ways.

    With *leet*, the spans of the l33t and mixed readings raise *leet*
    instead: each of their matches pays ``log10(2)`` for every l33t key of
    its span, up to eight (see :func:`_relaxed_cover`).
    """
    n = len(folded)
    substituted = furthest if leet is None else leet
    readings = [folded]
    for source in (folded.translate(_SUBSTITUTIONS), folded.translate(_ALTERNATE)):
        if source not in readings:
            readings.append(source)
    for source in readings:
        raised = furthest if source is folded else substituted
        for i, longest in enumerate(_longest_words(source, words)):
            if longest > raised[i]:  # noqa: PLR1730 (max() per start costs more)
                raised[i] = longest
    for i, longest in enumerate(_longest_words(folded[::-1], words)):
        if longest and n - i > furthest[n - longest]:
            furthest[n - longest] = n - i
    # Words whose two-letter keys read differently (``1nte11igence``), both ways.
    if sum(1 for c in folded if c in _AMBIGUOUS) >= 2:  # noqa: PLR2004 (as _mixed_matches)
        for i, longest in enumerate(_longest_mixed(folded, words)):
            if longest > substituted[i]:  # noqa: PLR1730 (as above)
                substituted[i] = longest
        for i, longest in enumerate(_longest_mixed(folded[::-1], words)):
            if longest and n - i > substituted[n - longest]:
                substituted[n - longest] = n - i


#: Live readings of one start's walk beyond which :func:`_longest_mixed`
#: stops reading and gives the start its whole window. At 16 the floor took
#: about five times as long on ``1lI!|`` noise as at 8, and gave the same
#: value on 800 seeded l33t and mixed-key texts: such a start's window is a
#: l33t span anyway, priced by its keys.
_MOST_READINGS: Final = 8


def _longest_mixed(source: str, words: _Dictionary) -> list[int]:
    """For each start, an end at least that of every word ``_strength._mixed_walk`` finds there.

    The same branching walk (each two-letter key read as either letter, each
    other key as its plain letter), in the automaton's trie (``_wordscan``),
    which holds every word of the three tables ``_mixed_walk`` reads of up
    to ``max_len`` keys and so every beginning of one: every piece it keeps
    that can still grow into a word it reports is kept here. Where more
    than ``_MOST_READINGS`` readings are alive at once, the start is given
    its whole window (``max_len`` keys), which only widens the spans: the
    work per start stays bounded. Each piece's answer is kept for this call
    only (pieces spelt with the two letters repeat from start to start).
    """
    n = len(source)
    plain = source.translate(_SUBSTITUTIONS)
    packed, max_len = words.scanner().packed, words.max_len
    options = [_AMBIGUOUS.get(c, p) for c, p in zip(source, plain, strict=True)]
    known: dict[str, int | None] = {}
    unseen = -1
    ends = [0] * n
    for i in range(n - 2):
        # Pieces of fewer than three keys are not in the table: all of them.
        pieces = [a + b for a in options[i] for b in options[i + 1]]
        for j in range(i + 2, min(n, i + max_len)):
            grown: list[str] = []
            word = False
            for piece in pieces:
                for letter in options[j]:
                    longer = piece + letter
                    value = known.get(longer, unseen)
                    if value == unseen:
                        value = known[longer] = packed(longer)
                    if value is not None:
                        grown.append(longer)
                        word = word or value > 0
            if not grown:
                break
            if word:
                ends[i] = j + 1
            if len(grown) > _MOST_READINGS:
                ends[i] = min(n, i + max_len)
                break
            pieces = grown
    return ends


def _longest_words(source: str, words: _Dictionary) -> list[int]:
    """For each start, the end of the longest word of the merged table there (0 if none).

    Read from the dictionary's automaton (``_wordscan``), which holds every
    word of the merged table of three to ``max_len`` keys: the walk over
    the merged table from a start, one lookup per key, finds exactly those
    words there (every prefix of a word is in the table), so the table of
    prefixes is not built for this. :func:`_walked_longest` is the plain twin.
    """
    return words.scanner().longest(source)


def _walked_longest(source: str, words: _Dictionary) -> list[int]:
    """:func:`_longest_words` by the walk over the merged table: the twin the tests compare."""
    n = len(source)
    get, max_len = words.merged().get, words.max_len
    ends = [0] * n
    for i in range(n - 2):
        stop = min(n, i + max_len)
        j = i + 3
        packed = get(source[i:j])
        while packed is not None:
            if packed:
                ends[i] = j
            if j >= stop:
                break
            j += 1
            packed = get(source[i:j])
    return ends


def _split_furthest(  # noqa: PLR0912 (two readings in one pass, as _split_matches)
    text: str, folded: str, words: _Dictionary, furthest: list[int], leet: list[int] | None = None
) -> None:
    """Raise *furthest* over the spans of ``_strength._split_matches``'s words and walks.

    The same two joined texts (separators dropped between letters, then
    between letters and digits), each read as :func:`_furthest_words` reads
    a text, and its keyboard walks; each longest span is mapped back over
    the dropped characters. Every split match is a word or walk of a joined
    text inside one of these, so its span is inside the mapped one (the
    mapping keeps order); in the second reading a span also takes in the
    dropped characters next to it, as a walk cut at its groups may
    (``_strength._grouped_walks``); the limit on cuts is not
    applied, which only adds spans. ``_split_matches(read=_span_reader)`` is
    the plain twin.

    With *leet*, the joined texts' l33t and mixed spans raise *leet*: such a
    match pays ``log10(2)`` for each l33t key it keeps and more than that
    (its place and its choice) for each one it drops, so it too pays
    ``log10(2)`` for every l33t key of its span up to eight (the characters
    a walk's span takes in are never l33t keys, which that reading keeps).
    """
    n = len(text)
    if n < 3 or text.isalnum():  # noqa: PLR2004 (as _split_matches)
        return
    letters_keep: list[int] = []
    for walks in (False, True):
        keep = split_kept(text, walks=walks)
        if len(keep) == n:
            continue
        joined = _fold("".join(text[k] for k in keep))
        ends = [0] * (len(joined) + 1)
        leet_ends = ends if leet is None else [0] * (len(joined) + 1)
        if not walks or keep != letters_keep:
            _furthest_words(joined, words, ends, leet_ends)
        if walks:
            for match in _walk_matches(joined):
                if match.end > ends[match.start]:  # noqa: PLR1730 (as below)
                    ends[match.start] = match.end
        else:
            letters_keep = keep
        targets = [(ends, furthest)] if leet is None else [(ends, furthest), (leet_ends, leet)]
        for spans, raised in targets:
            for a, b in enumerate(spans):
                if b:
                    if walks:  # a walk cut at its groups takes in the dropped ones next to it
                        start = keep[a - 1] + 1 if a else 0
                        end = keep[b] if b < len(keep) else n
                    else:
                        start, end = keep[a], keep[b - 1] + 1
                    if end > raised[start]:  # noqa: PLR1730 (max() per span costs more)
                        raised[start] = end


def _reversed_leet_furthest(
    text: str, folded: str, words: _Dictionary, furthest: list[int], leet: list[int] | None = None
) -> None:
    """Raise *furthest* over the spans of ``_composed.reversed_leet_matches``.

    The same readings (l33t undone, separators inside words dropped),
    reversed; each longest word of the bundled list's merged table there
    (which holds every entry of the common list) is mapped back. Every
    match of that function is such a word, inside the longest one at its
    start, so its span is inside the mapped one; its other conditions are
    not applied, which only adds spans. With another blocklist's *words*,
    the matches' own spans (``reversed_leet_matches``, the plain twin), so
    that the bundled list's table is not built for this.

    With *leet*, the spans raise *leet* instead: each such match pays
    ``log10(2)`` for each l33t key it keeps, and more for each separator it
    drops, which is never a l33t key (those are letters in its readings).
    """
    if leet is not None:
        furthest = leet
    n = len(folded)
    if n < 4 or not any(c in LEET for c in folded):  # noqa: PLR2004 (as reversed_leet_matches)
        return
    common = _DICTIONARIES.get(COMMON_PASSWORDS)
    if common is not words:
        for start, end, *_ in reversed_leet_matches(text, folded):
            if end > furthest[start]:  # noqa: PLR1730 (max() per span costs more)
                furthest[start] = end
        return
    # The automaton holds the words of up to ``max_len`` keys: the list has
    # none longer unless ``max_len`` is ``_MAX_WORD``, above the reversed words' limit.
    readings = [folded.translate(_SUBSTITUTIONS)]
    alternate = folded.translate(_LEET_ALTERNATE).translate(_SUBSTITUTIONS)
    if alternate != readings[0]:
        readings.append(alternate)
    for reading in readings:
        cut = frozenset(m.start() for m in _INNER_SEPARATOR.finditer(reading))
        kept = [k for k in range(n) if k not in cut]
        backwards = "".join(reading[k] for k in reversed(kept))
        size = len(backwards)
        for i, j in enumerate(_longest_words(backwards, common)):
            if j:
                start, end = kept[size - j], kept[size - 1 - i] + 1
                if end > furthest[start]:  # noqa: PLR1730 (max() per span costs more)
                    furthest[start] = end


def word_spans(folded: str, words: _Dictionary) -> list[tuple[int, int]]:
    """Every ``(i, j)`` where a reading of ``folded[i:j]`` is a word of any table.

    The readings and the table of :func:`_furthest_words`; for
    ``_split_matches``, which needs every span, not only the longest.
    """
    n = len(folded)
    spans: list[tuple[int, int]] = []
    if n < 3:  # noqa: PLR2004 (the shortest word)
        return spans
    scan = words.scanner().spans
    readings = [folded]
    for source in (folded.translate(_SUBSTITUTIONS), folded.translate(_ALTERNATE)):
        if source not in readings:
            readings.append(source)
    backwards = folded[::-1]
    if backwards not in readings:
        readings.append(backwards)
    for source in readings:
        if source is backwards:
            spans += [(n - j, n - i) for i, j in scan(source)]
        else:
            spans += scan(source)
    return spans


def _span_reader(text: str, folded: str, words: _Dictionary) -> list[_Match]:
    """``_split_matches``'s lookup as spans only: every word span, priced 0.0."""
    return [_Match(i, j, 0.0, "dictionary") for i, j in word_spans(folded, words)]


def floor_total(
    text: str,
    folded: str,
    words: _Dictionary,
    cheap: list[_Match],
    reference: int,
    *,
    above: float = -_INF,
    repeated: list[_Match] | None = None,
) -> float:
    """A value at most the cheapest cover's cost of *text* (0.0 when none is found).

    *cheap* holds the cheap matchers' matches (sequences, keyboard walks,
    dates, date runs, the user's data) at their own costs. Nothing is
    priced: see the module's docstring for why the answer never exceeds the
    plain cover's minimum. *repeated*, if given, replaces the repeated
    blocks at their least by blocks priced elsewhere: the answer is then at
    most the minimum whenever each block that can take part in a cheapest
    cover is priced exactly (the bounded search's repeats, when the minimum
    is within its bound). The matchers run cheapest first; once the
    relaxed cover of those read so far is at most *above*, more matches can
    only lower it, so the search gives up and answers 0.0.
    """
    n = len(text)
    if n == 0:
        return 0.0
    personal: set[str] = set()  # the user's data is in *cheap*; the matchers below ignore it
    exact = list(cheap)
    if repeated is not None:
        exact += repeated
    else:
        for start, block, repeats in _repeat_spans(folded):
            exact.append(
                _Match(start, start + block * repeats, 1.0 + math.log10(repeats), "repeat")
            )
    before = [0] * (n + 1)  # non-letters just before i (at most _MAX_DECORATION)
    for i in range(1, n + 1):
        if not text[i - 1].isalpha():
            before[i] = min(before[i - 1] + 1, _MAX_DECORATION)
    after = [0] * (n + 1)  # non-letters from j on (at most _MAX_DECORATION)
    for j in range(n - 1, -1, -1):
        if not text[j].isalpha():
            after[j] = min(after[j + 1] + 1, _MAX_DECORATION)
    exact += _doubled_matches(text, folded, words, personal, reference, price=_optimistic)
    exact += _counter_matches(text, folded, words, personal, reference, price=_optimistic)
    exact += _echo_matches(text, folded, words, personal, reference, price=_optimistic)
    exact += _mirror_matches(text, folded, words, personal, reference, price=_optimistic)
    # The furthest end of a dictionary-like span from each start, before widening:
    # of the readings as typed, and of the l33t readings (priced by their keys).
    furthest = [0] * (n + 1)
    leet = [0] * (n + 1)
    if any(4 * (m.end - m.start) >= n for m in exact) and (
        _relaxed_cover(n, exact, list(range(n))) <= above
    ):
        return 0.0  # a long cheap cover (a repeat or an echo) is already within reach of the bound
    keys = list(itertools.accumulate((c in LEET for c in folded), initial=0))
    _furthest_words(folded, words, furthest, leet)

    def relaxed() -> float:
        typed = _reach(n, furthest, before, after)
        substituted = _reach(n, leet, before, after, capped=True)
        return _relaxed_cover(n, exact, typed, substituted, keys)

    if relaxed() <= above:
        return 0.0  # already within reach of the bound: the rest can only lower it
    _split_furthest(text, folded, words, furthest, leet)
    _reversed_leet_furthest(text, folded, words, furthest, leet)
    # Phrases, calendar runs and compositions are few and priced already: they
    # and their decorations keep their own costs (a composition often spans
    # the whole text, where a relaxed piece would have no floor).
    priced = [_Match(*piece) for piece in calendar_runs(text, folded, reference)]
    priced += [_Match(*piece) for piece in published_phrases(text, folded)]
    exact += priced
    exact += _decorated(text, priced)
    return relaxed()


def _reach(
    n: int, furthest: list[int], before: list[int], after: list[int], *, capped: bool = False
) -> list[int]:
    """``reach[p]``: how far a piece inside a widened dictionary-like span over *p* may go.

    Each span widened by the decorations it may take (``before`` and
    ``after`` count the digits and symbols next to it); non-decreasing, at
    least ``p``; ``n + 1`` at 0 when one widened span is the whole text,
    unless *capped* (then ``n``: the l33t spans, whose whole-text piece
    still has a price).
    """
    widest = [0] * (n + 1)
    for first in range(n):
        end = furthest[first]
        if end:
            end += after[end]
            start = first - before[first]
            if end > widest[start]:  # noqa: PLR1730 (max() per start costs more)
                widest[start] = end
    if widest[0] >= n and not capped:
        return [n + 1] * n
    reach: list[int] = []
    run = 0
    for p in range(n):
        run = max(run, widest[p])
        reach.append(run if run > p else p)
    return reach


def _leet_levels() -> tuple[tuple[int | None, float], ...]:
    """``(most keys, price)``: a relaxed l33t piece with that many l33t keys at most costs that.

    A match of a l33t reading pays ``log10(2)`` for each l33t key of its
    span, up to eight, and a piece inside a longer text at least
    ``_MIN_SUBMATCH``; the counts with one price are one level, the last
    (eight keys and more) without a limit.
    """
    levels: list[tuple[int | None, float]] = []
    for keys in range(_MAX_LEET_KEYS + 1):
        price = max(_MIN_SUBMATCH, _LOG2 * keys)
        if levels and levels[-1][1] == price:
            levels[-1] = (keys, price)
        else:
            levels.append((keys, price))
    levels[-1] = (None, levels[-1][1])
    return tuple(levels)


#: The l33t keys a match pays for at most (as ``_strength``'s l33t readings).
_MAX_LEET_KEYS: Final = 8
_LEET_LEVELS: Final = _leet_levels()


def _relaxed_cover(  # noqa: PLR0912, PLR0915 (one pass, every tier's window kept together)
    n: int,
    exact: list[_Match],
    reach: list[int],
    leet: list[int] | None = None,
    keys: list[int] | None = None,
) -> float:
    """``_bounded.cover_total`` of *exact* plus relaxed pieces within each reach.

    ``reach[p]`` (non-decreasing, at least ``p``) is how far a relaxed piece
    at ``_MIN_SUBMATCH`` over position ``p`` may go; ``reach[p] == p`` means
    none covers it, and ``reach[0] > n`` that one covers the whole text,
    which has no floor. ``leet`` is the same for the spans of the l33t
    readings, whose pieces cost :data:`_LEET_LEVELS` by the l33t keys they
    hold (``keys[e] - keys[s]``, *keys* counting them before each
    position); one over the whole text costs its keys alone.

    Each tier is a sliding minimum: the starts a piece ending at ``e`` may
    have form an interval whose both ends only move right as ``e`` does
    (for a level, the starts with few enough keys up to ``e`` too).
    """
    if reach and reach[0] > n:
        return 0.0
    ending: list[list[_Match]] = [[] for _ in range(n + 1)]
    for match in exact:
        ending[match.end].append(match)
    inf = _INF
    pattern = [inf] * (n + 1)
    brute = [inf] * (n + 1)
    pattern[0] = 0.0
    # Starts p of relaxed pieces still open, with the cost before them, cheapest at the left.
    window: collections.deque[tuple[float, int]] = collections.deque()
    low = 0  # every start below `low` no longer reaches
    # The l33t tier: one window per level, each with its own first start (by keys).
    tiers: list[tuple[int | None, float, collections.deque[tuple[float, int]]]] = []
    firsts: list[int] = []
    spans: list[int] = leet if leet is not None else []
    counts: list[int] = keys if keys is not None else []
    if spans and counts:
        tiers = [(most, price, collections.deque()) for most, price in _LEET_LEVELS]
        firsts = [0] * len(tiers)
    leet_low = 0
    for e in range(1, n + 1):
        fresh = pattern[e - 1] + (_SEGMENT_PENALTY if e > 1 else 0.0)
        extend = brute[e - 1]
        brute[e] = (fresh if fresh < extend else extend) + _BRUTE_PER_CHAR
        # Open the start e - 1: a piece from there costs the best before it and its penalty.
        s = e - 1
        value = (pattern[s] if pattern[s] < brute[s] else brute[s]) + (
            _SEGMENT_PENALTY if s > 0 else 0.0
        )
        if reach[s] > s:
            while window and window[-1][0] >= value:
                window.pop()
            window.append((value, s))
        while low < e and reach[low] < e:
            low += 1
        while window and window[0][1] < low:
            window.popleft()
        best = window[0][0] + _MIN_SUBMATCH if window else inf
        if tiers:
            opened = spans[s] > s
            while leet_low < e and spans[leet_low] < e:
                leet_low += 1
            upto = counts[e]
            for t, (most, price, queue) in enumerate(tiers):
                if opened:
                    while queue and queue[-1][0] >= value:
                        queue.pop()
                    queue.append((value, s))
                first = leet_low
                if most is not None:
                    k = firsts[t]
                    while upto - counts[k] > most:
                        k += 1
                    firsts[t] = k
                    first = max(first, k)
                while queue and queue[0][1] < first:
                    queue.popleft()
                if queue and queue[0][0] + price < best:
                    best = queue[0][0] + price
        for match in ending[e]:
            start = match.start
            before_pattern = pattern[start]
            before_brute = brute[start]
            previous = before_pattern if before_pattern < before_brute else before_brute
            log10 = match.log10 if e - start == n else max(match.log10, _MIN_SUBMATCH)
            cost = previous + log10 + (_SEGMENT_PENALTY if start > 0 else 0.0)
            if cost < best:  # noqa: PLR1730 (a call to min() per match costs more)
                best = cost
        pattern[e] = best
    total = min(pattern[n], brute[n])
    if tiers and spans[0] >= n:
        # One l33t piece over the whole text: its keys, not raised to _MIN_SUBMATCH.
        whole = _LOG2 * min(counts[n], _MAX_LEET_KEYS)
        total = min(total, whole)
    return total
