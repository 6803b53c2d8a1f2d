"""Scores, context words and overlap resolution of the scanner's candidates."""

from __future__ import annotations

import heapq
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Final

from secpolicy.pii import _entities

Candidate = tuple[int, int, str, float]
Pass = Callable[[str], list[Candidate]]

_CONTEXT_WINDOW: Final = 40

#: Words that, shortly before a finding, raise its score (matched case-insensitively).
CONTEXT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    _entities.CN_MOBILE: (
        "手机", "电话", "联系", "mobile", "phone", "cell", "tel", "call", "contact",
    ),
    _entities.PHONE: (
        "电话", "手机", "联系", "座机", "传真", "热线", "客服", "phone", "tel", "call",
        "fax", "mobile", "cell", "contact", "hotline", "dial", "ph",
        # the languages of the default phone regions (DE, FR, JP, BR) and 電話
        "電話", "携帯", "telefon", "handy", "téléphone", "tél", "portable", "telefone",
        "celular", "fone", "telephone", "telefono", "cel", "whatsapp",
    ),
    _entities.PAYMENT_CARD: (
        "卡号", "银行卡", "信用卡", "借记卡", "card", "visa", "mastercard", "amex",
        "credit", "debit", "pan", "unionpay", "银联",
        "karte", "kartennummer", "carte", "cartão", "カード",
    ),
    _entities.CN_RESIDENT_ID: ("身份证", "证件", "公民身份", "id", "identity", "idcard", "id_no"),
    _entities.CN_USCC: ("信用代码", "营业执照", "uscc", "credit code", "税号"),
    _entities.US_SSN: ("ssn", "social security", "社会安全"),
    _entities.IBAN: ("iban", "account", "bank", "账户", "账号"),
    _entities.EMAIL: ("邮箱", "email", "e-mail", "mail"),
    _entities.CN_PASSPORT: ("护照", "passport", "证件"),
    _entities.CN_HK_MACAU_PERMIT: ("港澳", "通行证", "permit", "证件"),
    _entities.CN_TAIWAN_PERMIT: ("台湾", "通行证", "permit", "证件"),
    _entities.IP_ADDRESS: ("ip", "addr", "host", "client", "remote", "地址"),
}  # fmt: skip
_CONTEXT_BOOST: Final = 0.35
_PREFIX_WORD: Final = 5  # ASCII context words this long may begin a longer word
# What may stand between two values of one list that one context word names:
# commas, enumeration commas, semicolons, slashes, bars, spaces, "or"/"and".
_LIST_SEPARATOR: Final = re.compile(
    r"[ \t,;/|\u3001\uff0c\uff1b]{1,4}(?:(?:or|and|或|和|及)[ \t,;/|\u3001\uff0c\uff1b]{0,3})?"
    r"|(?:or|and|或|和|及)[ \t]{0,3}",
    re.IGNORECASE,
)
_LIST_GAP: Final = 12  # characters: more is no longer one list

# Scores of the formats, before context (see Finding.score).
_SCORE_CHECKED: Final = 0.9  # a check digit over the whole value
_SCORE_CARD: Final = 0.8
_SCORE_CARD_COMMAS: Final = 0.4  # groups joined by commas: only with a context word
_SCORE_MOBILE: Final = 0.8
_SCORE_EMAIL: Final = 0.9
_SCORE_IP: Final = 0.7
_SCORE_SSN: Final = 0.6
_SCORE_SSN_LOOSE: Final = 0.5  # spaces or dots
_SCORE_SSN_MIXED: Final = 0.4  # two different separators: only with a context word
_SCORE_TRAVEL: Final = 0.5  # a format without a check digit
_SCORE_TRAVEL_LOWER: Final = 0.3  # the same in lower case: only with a context word
_SCORE_PHONE_INTL: Final = 0.75
_SCORE_PHONE: Final = 0.6  # national, with a trunk prefix, parentheses, dashes or dots
# National, digits only: one random 10-digit id in three (nine in ten with a
# leading 0) is a valid national number somewhere, so only with a context word.
_SCORE_PHONE_BARE: Final = 0.4
_SCORE_PHONE_SPACED: Final = 0.4  # national, groups with spaces only, no trunk prefix
_SCORE_GLUED: Final = 0.3  # a phone number touching letters: only with a context word
_SCORE_DENY: Final = 1.0


def _ctx_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One search for any of *words*; ASCII words must not sit inside a longer word.

    A word of five letters or more may begin a longer one (``phoneNumber``,
    ``mobileNo``, ``phones``); a shorter one must stand alone, or ``id`` would
    match ``idle`` and ``tel`` ``television``.

    Each ASCII word's check before it comes after its first letter (as a
    lookbehind over both), so every alternative starts with a literal: the
    engine then skips in C to the first letters of the words and tries only
    the alternatives that start with the letter it is at, where a check first
    was tried for every word at every position (ten times slower over a
    window). A Hypothesis test holds it to :func:`_ctx_pattern_plain`.
    """
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        folded = word.casefold()
        if word.isascii() and folded:
            tail = "" if len(word) >= _PREFIX_WORD else r"(?![a-z])"
            parts.append(re.escape(folded[0]) + r"(?<![a-z].)" + re.escape(folded[1:]) + tail)
        elif word.isascii():
            parts.append(r"(?<![a-z])(?![a-z])")  # the empty word, as the plain form reads it
        else:
            parts.append(re.escape(folded))
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!)")


def _ctx_pattern_plain(words: Iterable[str]) -> re.Pattern[str]:
    """:func:`_ctx_pattern` with each ASCII word's check before it (its plain twin)."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word.casefold())
        if word.isascii():
            tail = "" if len(word) >= _PREFIX_WORD else r"(?![a-z])"
            escaped = r"(?<![a-z])" + escaped + tail
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else re.compile(r"(?!)")


def _score_in_context(
    text: str, candidate: Candidate, contexts: Mapping[str, re.Pattern[str]], floor: int = 0
) -> Candidate:
    """*candidate* with its score raised if a context word comes shortly before it.

    The look-back stops at *floor*, the end of the previous candidate: the
    word ``phone`` before one number is no context for the next one.
    """
    start, end, entity, score = candidate
    pattern = contexts.get(entity)
    if pattern is None or score >= 1.0:
        return candidate
    window = text[max(0, start - _CONTEXT_WINDOW, floor) : start].casefold()
    if pattern.search(window) is None:
        return candidate
    return (start, end, entity, min(1.0, score + _CONTEXT_BOOST))


def _in_context(
    text: str,
    candidates: list[Candidate],
    contexts: Mapping[str, re.Pattern[str]],
    threshold: float,
    *,
    exact: bool,
) -> list[Candidate]:
    """The candidates at the threshold after context, each looking back to the previous one's end.

    Sorted by start, the ends at or before a candidate's start are those of
    earlier candidates; a heap holds the ends still ahead, so the sweep is
    O(n log n) whatever the overlaps.
    """
    candidates.sort()
    kept: list[Candidate] = []
    ahead: list[int] = []
    floor = 0
    listed: Candidate | None = None  # the last candidate a context word raised
    for candidate in candidates:
        start = candidate[0]
        while ahead and ahead[0] <= start:
            floor = max(floor, heapq.heappop(ahead))
        scored = (
            _score_in_context(text, candidate, contexts, floor)
            if exact or candidate[3] < threshold
            else candidate
        )
        if scored[3] > candidate[3]:
            listed = scored
        elif (
            listed is not None
            and scored[3] < threshold
            and listed[2] == candidate[2]
            and 0 <= start - listed[1] <= _LIST_GAP
            and _LIST_SEPARATOR.fullmatch(text, listed[1], start) is not None
        ):
            # The next number of a list after one context word
            # ("tel 4155550132, 4155550133"): the word names the list.
            scored = (start, candidate[1], candidate[2], min(1.0, candidate[3] + _CONTEXT_BOOST))
            listed = scored
        if scored[3] >= threshold:
            kept.append(scored)
        heapq.heappush(ahead, candidate[1])
    return kept


def _resolve(candidates: list[Candidate], ranks: Mapping[str, int]) -> list[Candidate]:
    """Drop overlapping candidates in one sweep: the longer wins, then the more specific.

    Sorted by start, a candidate can only overlap the last one kept (every
    earlier one ends before that one starts), so the sweep is linear after the
    sort, whatever the number of findings. A plain sort of the tuples is
    enough: it orders only candidates with the same start differently from a
    sort by length and rank, and of those the sweep keeps the best by (length,
    rank) in any order.
    """
    candidates.sort()
    kept: list[Candidate] = []
    for candidate in candidates:
        if kept and candidate[0] < kept[-1][1]:
            last = kept[-1]
            if (candidate[0] - candidate[1], ranks[candidate[2]]) < (
                last[0] - last[1],
                ranks[last[2]],
            ):
                kept[-1] = candidate
            continue
        kept.append(candidate)
    if len(kept) == len(candidates):
        return kept
    return _covered(candidates, kept)


def _covered(candidates: list[Candidate], kept: list[Candidate]) -> list[Candidate]:
    """*kept* plus what a dropped candidate held outside it, so no character is left in clear.

    A candidate that lost to a longer one it overlaps only in part
    (``(0755) 5185987<TAB>193`` read as a phone over the first group of
    ``193-89-6740``) keeps the rest of its characters covered: each run of
    characters some candidate covers and no kept finding covers becomes a
    finding of the candidate that reaches furthest from its start. Linear
    in the candidates (both lists are sorted by start).
    """
    runs: list[list[int]] = []  # the maximal runs the candidates cover
    for start, end, _, _ in candidates:
        if runs and start <= runs[-1][1]:
            runs[-1][1] = max(runs[-1][1], end)
        else:
            runs.append([start, end])
    gaps: list[tuple[int, int]] = []
    index = 0
    for run_start, run_end in runs:
        position = run_start
        while index < len(kept) and kept[index][0] < run_end:
            if kept[index][0] > position:
                gaps.append((position, kept[index][0]))
            position = max(position, kept[index][1])
            index += 1
        if position < run_end:
            gaps.append((position, run_end))
    out = list(kept)
    reach: Candidate | None = None
    index = 0
    for gap_start, gap_end in gaps:
        while index < len(candidates) and candidates[index][0] <= gap_start:
            if reach is None or candidates[index][1] > reach[1]:
                reach = candidates[index]
            index += 1
        if reach is not None:  # always: a gap lies in a run some candidate starts
            out.append((gap_start, gap_end, reach[2], reach[3]))
    out.sort()
    return out
