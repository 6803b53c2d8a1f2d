"""Every word of the estimator's merged table in a text, in one C pass.

The score's dictionary reading (:func:`secpolicy.password._bounded.merged_dictionary`)
needs, for each reading of a password, every piece of at least three keys
that is a word of one of the estimator's tables, with its packed ranks.
The plain way (:func:`secpolicy.password._bounded._merged_walk`) grows a piece
from every start, one table lookup per key; here an Aho-Corasick automaton
(``pyahocorasick``, C) over the same words finds every occurrence in one
pass over the text.

Why the two agree: the walk from ``i`` stops at the first piece that is
neither a word nor the prefix of one, and every prefix of a word (of three
keys or more) is in its table, so it reports exactly the pieces
``source[i:j]`` with ``3 <= j - i <= max_len`` whose packed ranks are not 0
-- the words this automaton holds. A Hypothesis test compares both.

The automaton holds words only, never a password; it is built once per
dictionary, on first use, and read-only afterwards (each call makes its own
iterator, so threads can share it).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import ahocorasick

from secpolicy.exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from collections.abc import Mapping

#: The shortest word the walk reports.
_SHORTEST: Final = 3
#: Each stored value is ``packed << _LENGTH_BITS | len(word)``.
_LENGTH_BITS: Final = 6
_LENGTH_MASK: Final = (1 << _LENGTH_BITS) - 1


class WordScanner:
    """``(i, j, packed)`` for every word ``source[i:j]`` of a merged table, sorted.

    Called with a text, it returns what :func:`_bounded._merged_walk` returns
    for it: each word's start and end and its value in the table, ordered
    by start and then end.
    """

    __slots__ = ("_get", "_iter", "_match")

    def __init__(self, merged: Mapping[str, int], max_len: int) -> None:
        if max_len > _LENGTH_MASK:
            raise InvalidArgumentError(
                "must fit in the automaton's length field", argument="max_len"
            )
        # STORE_ANY keeps Python ints: STORE_INTS keeps only 32 bits, and the
        # packed ranks take up to 60.
        automaton: Any = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        add = automaton.add_word
        shift = _LENGTH_BITS
        for word, packed in merged.items():
            if packed and _SHORTEST <= len(word) <= max_len:
                add(word, packed << shift | len(word))
        # An automaton without words cannot be searched: nothing to find.
        self._iter: Any = None
        if len(automaton):
            automaton.make_automaton()
            self._iter = automaton.iter
        self._get: Any = automaton.get
        self._match: Any = automaton.match

    def __call__(self, source: str) -> list[tuple[int, int, int]]:
        """Every word of the table in *source*, as ``(start, end, packed)`` in walk order."""
        scan = self._iter
        if scan is None:
            return []
        shift, mask = _LENGTH_BITS, _LENGTH_MASK
        # The automaton reports each word at its last key, by end; the walk
        # reports by start. One (start, end) occurs once, so the sort never
        # compares the values.
        hits = [(k + 1 - (value & mask), k + 1, value >> shift) for k, value in scan(source)]
        hits.sort()
        return hits

    def longest(self, source: str) -> list[int]:
        """For each start of *source*, the end of the longest word there (0 if none).

        What the floor's walk over the merged table gives (``_floor._longest_words``):
        the walk from a start reaches every word there, and this automaton
        holds exactly those words. Each word is reported at its end, in
        increasing order, so the last one reported for a start is its longest.
        """
        ends = [0] * len(source)
        scan = self._iter
        if scan is None:
            return ends
        mask = _LENGTH_MASK
        for k, value in scan(source):
            ends[k + 1 - (value & mask)] = k + 1
        return ends

    def spans(self, source: str) -> list[tuple[int, int]]:
        """``(start, end)`` of every word of *source*, by start and then end (as the walk)."""
        scan = self._iter
        if scan is None:
            return []
        mask = _LENGTH_MASK
        found = [(k + 1 - (value & mask), k + 1) for k, value in scan(source)]
        found.sort()
        return found

    def packed(self, piece: str) -> int | None:
        """*piece*'s packed ranks if it is a word, 0 if only a word's beginning, else None.

        What ``merged().get`` answers for pieces of three to ``max_len`` keys,
        read from the automaton's trie instead of a table of every prefix.
        """
        value = self._get(piece, None)
        if value is not None:
            return int(value) >> _LENGTH_BITS
        return 0 if self._match(piece) else None
