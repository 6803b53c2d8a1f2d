"""Finding personal data in free text, Chinese text included, in linear time."""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable, Iterator
from ipaddress import IPv6Address
from typing import Final

import attrs

from secpolicy.pii._entities import (
    CN_MOBILE,
    CN_RESIDENT_ID,
    CN_USCC,
    DETECTABLE,
    EMAIL,
    IBAN,
    IP_ADDRESS,
    PAYMENT_CARD,
    PHONE,
    US_SSN,
)
from secpolicy.pii._ids import (
    is_cn_resident_id,
    is_cn_uscc,
    is_iban,
    is_us_ssn,
    luhn_ok,
)


@attrs.frozen(kw_only=True, repr=False)
class Finding:
    """One piece of personal data found in a text.

    Attributes:
        entity: The entity name (``"CN_MOBILE"``, ``"EMAIL"``, …).
        start: Offset of the first character in the scanned text.
        end: Offset after the last character (``text[start:end]``).
        text: The matched text, exactly as it appears (personal data: the
            ``repr`` hides it).
    """

    entity: str
    start: int
    end: int
    text: str

    def __repr__(self) -> str:
        return f"Finding({self.entity}, {self.start}:{self.end})"


# Full-width forms (FF01-FF5E) and the ideographic space fold to ASCII. The
# mapping is one code point to one, so offsets in the folded text are offsets
# in the original.
_FOLD: Final = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
_NEEDS_FOLD: Final = re.compile("[\uff01-\uff5e\u3000]")

# Boundaries are explicit ASCII classes, never \b: in Python (and in Presidio's
# patterns) \b sees no boundary between a CJK character and a digit, so
# "手机13812345678" would never match. Letters, digits and underscores on
# either side mean the digits belong to a longer token (an order id, a hash).
# Where a pattern starts with a character class, the check before it goes
# after that first character, as a two-character lookbehind (_AFTER_FIRST):
# then the regular expression engine skips in C to the next character of the
# class instead of trying the lookbehind at every position.
_AFTER_FIRST: Final = r"(?<![0-9A-Za-z_].)"
_NOT_AFTER: Final = r"(?![0-9A-Za-z_])"

_RESIDENT_ID_REST: Final = (  # after the first digit, 1-9: 18 characters, or 15 digits
    r"(?:[0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx]|[0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
)
_USCC_CHAR: Final = "[0-9A-HJ-NPQRTUWXY]"
_USCC_REST: Final = _USCC_CHAR + "[0-9]{6}" + _USCC_CHAR + "{10}"
_RESIDENT_ID: Final = re.compile(r"[1-9]" + _AFTER_FIRST + _RESIDENT_ID_REST + _NOT_AFTER)
_USCC: Final = re.compile(_USCC_CHAR + _AFTER_FIRST + _USCC_REST + _NOT_AFTER)
_USCC_SHAPE: Final = re.compile(_USCC_CHAR + _USCC_REST)
# Both in one pass, when both are wanted. Where both shapes fit they have the
# same span (18 characters, same boundaries), so the classifier tries both.
_ID_ALTERNATIVES: Final = r"(?<=[1-9])" + _RESIDENT_ID_REST + "|" + _USCC_REST
_RESIDENT_ID_OR_USCC: Final = re.compile(
    _USCC_CHAR + _AFTER_FIRST + "(?:" + _ID_ALTERNATIVES + ")" + _NOT_AFTER
)
_IBAN: Final = re.compile(
    r"[A-Z]"
    + _AFTER_FIRST
    + r"[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?"
    + _NOT_AFTER
)
# Digit groups: an optional + or (, then 7-23 digits with single spaces,
# dashes or a closing parenthesis between them. Bounded, so linear. The
# alternatives for the next digit start with different characters, so only
# one can match; the bare digit, by far the most common, is tried first.
_DIGITS: Final = re.compile(
    r"(?<![0-9A-Za-z_+(])(?:\+|\()?[0-9](?:[0-9]|[ \-][0-9]|\) ?[0-9]){6,22}" + _NOT_AFTER
)
_SSN_REST: Final = r"[0-9]{2}([ \-])[0-9]{2}\1[0-9]{4}"  # after the first digit
_SSN: Final = re.compile(r"[0-9]" + _AFTER_FIRST + _SSN_REST + _NOT_AFTER)
# Both identifiers and the SSN in one pass, when all three are wanted. An SSN
# has a separator as its fourth character where the identifiers have a letter
# or digit, so at most one of them matches at a position; and their matches
# never overlap (an identifier is a whole run of letters and digits, 15 or 18
# long, and an SSN's runs are 3, 2 and 4 long), so one pass finds what the
# separate passes find.
_IDS_OR_SSN: Final = re.compile(
    _USCC_CHAR
    + _AFTER_FIRST
    + "(?:"
    + _ID_ALTERNATIVES
    + r"|(?<=[0-9])"
    + _SSN_REST
    + ")"
    + _NOT_AFTER
)
_IPV4_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
# The first octet after its first digit, with the alternatives in the same order.
_IPV4_OCTET_REST: Final = r"(?:(?<=2)(?:5[0-5]|[0-4][0-9])|(?<=1)[0-9]{2}|(?<=[1-9])[0-9]|)"
_IPV4: Final = re.compile(
    r"[0-9](?<![0-9A-Za-z_.].)"
    + _IPV4_OCTET_REST
    + r"(?:\."
    + _IPV4_OCTET
    + r"){3}(?![0-9A-Za-z_]|\.[0-9])"
)
_IPV4_HINT: Final = re.compile(r"\.[0-9]{1,3}\.[0-9]{1,3}\.")  # in every IPv4 address
# A hex digit or colon first; a hex digit must be followed by up to three more
# and a colon (the first group of an address).
_IPV6: Final = re.compile(
    r"[0-9A-Fa-f:](?<![0-9A-Za-z_:.].)(?:(?<=:)|(?=[0-9A-Fa-f]{0,3}:))"
    r"[0-9A-Fa-f:.]{1,43}[0-9A-Fa-f:](?![0-9A-Za-z_:]|\.[0-9A-Za-z])"
)
_LOCAL_MAX: Final = 64  # characters of an address's local part (RFC 5321 4.5.3.1.1)
_LOCAL_CHARS: Final = string.ascii_letters + string.digits + "._%+-"
_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,"
    + str(_LOCAL_MAX)
    + r"}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}"
)
_NANP_GROUPS: Final = re.compile(r"\(?[2-9][0-9]{2}\)?[ \-.]?[2-9][0-9]{2}[ \-.][0-9]{4}")
_GROUPED: Final = re.compile(r"[0-9]{4}(?:[ \-][0-9]{4}){2,3}(?:[ \-][0-9]{1,3})?")


_SEPARATOR_CHARS: Final = str.maketrans("", "", " -()+")
_MOBILE_DIGITS: Final = re.compile(r"(?:86)?1[3-9][0-9]{9}")
_E164_DIGITS: Final = range(8, 16)
_CARD_DIGITS: Final = range(13, 20)
_NANP_DIGITS: Final = 10
_MOBILE_SIZES: Final = frozenset({11, 13})  # 1xxxxxxxxxx, or with the 86 prefix
_IPV6_MIN_COLONS: Final = 6  # without '::': 8 groups, or 6 and an IPv4 tail
_TLD_MIN: Final = 2  # letters of the shortest top-level domain


def _classify_digits(candidate: str) -> str | None:
    """The entity of a digit group (mobile, phone or card), or None."""
    if candidate.isdigit():  # no separators: the common case of ids and bare numbers
        digits, plus, bracket, grouped = candidate, False, False, True
    else:
        digits = candidate.translate(_SEPARATOR_CHARS)
        plus = candidate[0] == "+"
        bracket = "(" in candidate
        grouped = False
    size = len(digits)
    entity = None
    if (
        size in _MOBILE_SIZES
        and not bracket
        and _MOBILE_DIGITS.fullmatch(digits)
        and (digits[:2] == "86" or not plus)
    ):
        entity = CN_MOBILE
    elif plus:
        entity = PHONE if size in _E164_DIGITS and not candidate.startswith("+(") else None
    elif size in _CARD_DIGITS:
        grouped = grouped or bool(_GROUPED.fullmatch(candidate))
        entity = PAYMENT_CARD if not bracket and grouped and luhn_ok(digits) else None
    elif size == _NANP_DIGITS and _NANP_GROUPS.fullmatch(candidate):
        entity = PHONE
    return entity


_DIGIT_RUN: Final = re.compile(r"[0-9]+")


def _digit_parts(candidate: str) -> list[tuple[int, int, str]]:
    """Entities inside a digit group that is none as a whole, as ``(start, end, entity)``.

    The pattern takes ``12 6222021234567890128 99`` as one group of 23 digits,
    which is neither a card nor a phone; the card inside it must not leak
    because its neighbours are digits. The runs of whole groups between the
    separators are tried, longest first and left to right (at most twelve
    groups, so the work is bounded).
    """
    groups = [m.span() for m in _DIGIT_RUN.finditer(candidate)]
    last = len(groups) - 1
    out: list[tuple[int, int, str]] = []
    i = 0
    while i <= last:
        for j in range(last, i - 1, -1):
            if i == 0 and j == last:
                continue  # the whole group: already classified
            start, end = groups[i][0], groups[j][1]
            entity = _classify_digits(candidate[start:end])
            if entity is not None:
                out.append((start, end, entity))
                i = j
                break
        i += 1
    return out


def _email_ok(text: str) -> bool:
    """:func:`is_email` for a match of ``_EMAIL``, whose shape is already checked.

    The pattern guarantees ASCII, one ``@`` and non-empty labels; what is left
    is the dots of the local part, the hyphens at the ends of labels and a
    top-level domain of two or more letters.
    """
    local, _, domain = text.partition("@")
    tld = domain[domain.rfind(".") + 1 :]
    return (
        local[0] != "."
        and local[-1] != "."
        and ".." not in local
        and domain[0] != "-"
        and domain[-1] != "-"
        and "-." not in domain
        and ".-" not in domain
        and tld.isalpha()
        and len(tld) >= _TLD_MIN
    )


Classifier = Callable[[str], str | None]
Matches = Callable[[str], Iterator[re.Match[str]]]
# (the entities it can report, what finds its candidates in a text, what a
# candidate is (None: every candidate is the one entity), a test that a text
# can hold a finding at all (None: always run))
Detector = tuple[frozenset[str], Matches, Classifier | None, Callable[[str], bool] | None]


def _email_matches(text: str) -> Iterator[re.Match[str]]:
    """The matches of ``_EMAIL.finditer(text)``, found from each ``@`` instead of scanning.

    The local-part class excludes ``@``, so a match starts where the run of
    local-part characters before its ``@`` starts (the lookbehind rules out
    any later start), and that run is found with :meth:`str.rstrip`. A run
    longer than ``_LOCAL_MAX``, or one that begins inside the previous match,
    gives no match, as in a full scan. Only the domain is left to the regular
    expression, matched at that one position.
    """
    match_at = _EMAIL.match
    position = 0
    at = text.find("@")
    while at >= 0:
        window = text[max(0, at - _LOCAL_MAX - 1) : at]
        run = len(window) - len(window.rstrip(_LOCAL_CHARS))
        start = at - run
        match = match_at(text, start) if 0 < run <= _LOCAL_MAX and start >= position else None
        if match is not None:
            yield match
            position = match.end()
        at = text.find("@", at + 1)  # the next @ is after the match: one @ to an address


def _has_at(text: str) -> bool:
    return "@" in text


def _may_hold_ipv4(text: str) -> bool:
    """An IPv4 address has two dots with one to three digits between them and a third dot.

    The hint starts with a literal dot, so the engine looks only at dots.
    """
    return _IPV4_HINT.search(text) is not None


def _may_hold_ipv6(text: str) -> bool:
    """What :func:`_ipv6` accepts has ``::`` or at least six colons."""
    return "::" in text or text.count(":") >= _IPV6_MIN_COLONS


def _ipv6(text: str) -> str | None:
    """IP_ADDRESS for a real IPv6 address, else None.

    An address has ``::`` or at least six colons (seven groups, or six and a
    dotted IPv4 tail); times such as ``10:00:00`` are turned away before the
    full parse.
    """
    if not _may_hold_ipv6(text):
        return None
    try:
        IPv6Address(text)  # every match has a colon: never an IPv4 address
    except ValueError:
        return None
    return IP_ADDRESS


def _resident_id_or_uscc(text: str) -> str | None:
    """CN_RESIDENT_ID or CN_USCC for a match of the shared pass, in that order."""
    if text[0] != "0" and text[:15].isdigit() and is_cn_resident_id(text):
        return CN_RESIDENT_ID
    if _USCC_SHAPE.fullmatch(text) and is_cn_uscc(text):
        return CN_USCC
    return None


def _fixed(entity: str, check: Callable[[str], bool]) -> Classifier:
    return lambda text: entity if check(text) else None


def _one(entity: str) -> frozenset[str]:
    return frozenset({entity})


def _ids_or_ssn(text: str) -> str | None:
    """US_SSN, CN_RESIDENT_ID or CN_USCC for a match of the pass for all three."""
    if text[3] in " -":
        return US_SSN if is_us_ssn(text) else None
    return _resident_id_or_uscc(text)


_BOTH_IDS: Final = frozenset({CN_RESIDENT_ID, CN_USCC})
_IDS_AND_SSN: Final = _BOTH_IDS | {US_SSN}
_DIGIT_ENTITIES: Final = frozenset({PAYMENT_CARD, CN_MOBILE, PHONE})
_SSN_PASS: Final[Detector] = (_one(US_SSN), _SSN.finditer, _fixed(US_SSN, is_us_ssn), None)
_ID_PASSES: Final[tuple[Detector, ...]] = (
    (_BOTH_IDS, _RESIDENT_ID_OR_USCC.finditer, _resident_id_or_uscc, None),
    (_one(CN_RESIDENT_ID), _RESIDENT_ID.finditer, _fixed(CN_RESIDENT_ID, is_cn_resident_id), None),
    (_one(CN_USCC), _USCC.finditer, _fixed(CN_USCC, is_cn_uscc), None),
)
_OTHER_PASSES: Final[tuple[Detector, ...]] = (
    (_one(IBAN), _IBAN.finditer, _fixed(IBAN, is_iban), None),
    (_DIGIT_ENTITIES, _DIGITS.finditer, _classify_digits, None),
    (_one(EMAIL), _email_matches, _fixed(EMAIL, _email_ok), _has_at),
    # The IPv4 pattern admits only octets 0-255, so every match is an address.
    (_one(IP_ADDRESS), _IPV4.finditer, None, _may_hold_ipv4),
    (_one(IP_ADDRESS), _IPV6.finditer, _ipv6, _may_hold_ipv6),
)


def _passes(wanted: frozenset[str]) -> tuple[Detector, ...]:
    """The passes that find *wanted*, sharing one pass among identifiers where they can.

    All three of resident ID, credit code and SSN: one pass; both
    identifiers: one pass for them and one for the SSN; otherwise one each.
    """
    if wanted >= _IDS_AND_SSN:
        ids: tuple[Detector, ...] = ((_IDS_AND_SSN, _IDS_OR_SSN.finditer, _ids_or_ssn, None),)
    elif wanted >= _BOTH_IDS:
        ids = (_ID_PASSES[0], _SSN_PASS)
    else:
        ids = (*_ID_PASSES[1:], _SSN_PASS)
    return tuple(d for d in (*ids, *_OTHER_PASSES) if d[0] & wanted)


_RANK: Final = {entity: rank for rank, entity in enumerate(DETECTABLE)}


class Scanner:
    """Finds personal data in text and validates every match before reporting it.

    Works inside Chinese text without spaces, with full-width digits and
    letters, and with common separators (``138 1234 5678``,
    ``+86-138-1234-5678``, ``4111-1111-1111-1111``). Check digits are verified
    (Luhn for cards, MOD 11-2 for resident IDs, MOD 97 for IBANs, GB 32100 for
    credit codes), so a 16-digit order id that fails Luhn is not a card.
    Every pattern has bounded repetition, so time is linear in the text length
    whatever the input.

    Args:
        entities: The entity names to look for (default: all detectable ones).

    Raises:
        ValueError: For an entity name the scanner cannot detect.

    Example:
        >>> [f.entity for f in Scanner().find("客户张三，手机13812345678，邮箱 zs@example.com")]
        ['CN_MOBILE', 'EMAIL']
    """

    __slots__ = ("_detectors", "entities")

    def __init__(self, entities: Iterable[str] | None = None) -> None:
        wanted = tuple(DETECTABLE if entities is None else entities)
        unknown = sorted(set(wanted) - set(DETECTABLE))
        if unknown:
            raise ValueError(
                f"cannot detect {', '.join(unknown)}; detectable: {', '.join(DETECTABLE)}"
            )
        self.entities = frozenset(wanted)
        self._detectors = _passes(self.entities)

    def find(self, text: str) -> list[Finding]:
        """Every finding in *text*, in order, without overlaps.

        Where candidates overlap, the longer one wins (an e-mail address that
        starts with a mobile number is an e-mail address), then the more
        specific entity.

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return [Finding(entity=e, start=s, end=t, text=text[s:t]) for s, t, e in self.spans(text)]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Like :meth:`find`, as ``(start, end, entity)`` tuples (no objects to build).

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        folded = text if text.isascii() or not _NEEDS_FOLD.search(text) else text.translate(_FOLD)
        candidates: list[tuple[int, int, str]] = []
        add = candidates.append
        entities = self.entities
        for reports, matches, classify, gate in self._detectors:
            if gate is not None and not gate(folded):
                continue  # no finding is possible: skip the pass
            if classify is None:
                (fixed,) = reports
                for match in matches(folded):
                    start, end = match.span()
                    add((start, end, fixed))
                continue
            for match in matches(folded):
                entity = classify(match.group())
                if entity is not None:
                    if entity in entities:
                        start, end = match.span()
                        add((start, end, entity))
                elif classify is _classify_digits and not match.group().isdigit():
                    base = match.start()  # what cannot be classified is retried in parts
                    for start, end, part in _digit_parts(match.group()):
                        if part in entities:
                            add((base + start, base + end, part))
        return _resolve(candidates) if len(candidates) > 1 else candidates

    def scan_lines(self, lines: Iterable[str]) -> Iterator[tuple[int, Finding]]:
        """Findings of each line of an iterable (a file), with 1-based line numbers.

        Memory is bounded by the longest line, whatever the number of lines.
        """
        for number, line in enumerate(lines, start=1):
            for finding in self.find(line):
                yield number, finding

    def __repr__(self) -> str:
        return f"Scanner({sorted(self.entities)})"


def _resolve(candidates: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Drop overlapping candidates in one sweep: the longer wins, then the more specific.

    Sorted by start, a candidate can only overlap the last one kept (every
    earlier one ends before that one starts), so the sweep is linear after the
    sort, whatever the number of findings. A plain sort of the tuples is
    enough: it orders only candidates with the same start differently from a
    sort by length and rank, and of those the sweep keeps the best by (length,
    rank) in any order.
    """
    candidates.sort()
    kept: list[tuple[int, int, str]] = []
    for candidate in candidates:
        if kept and candidate[0] < kept[-1][1]:
            last = kept[-1]
            if (candidate[0] - candidate[1], _RANK[candidate[2]]) < (
                last[0] - last[1],
                _RANK[last[2]],
            ):
                kept[-1] = candidate
            continue
        kept.append(candidate)
    return kept
