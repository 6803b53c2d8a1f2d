"""Finding personal data in free text, Chinese text included, in linear time."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
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
    is_email,
    is_iban,
    is_ip_address,
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
_RESIDENT_ID_OR_USCC: Final = re.compile(
    _USCC_CHAR
    + _AFTER_FIRST
    + r"(?:(?<=[1-9])"
    + _RESIDENT_ID_REST
    + "|"
    + _USCC_REST
    + ")"
    + _NOT_AFTER
)
_IBAN: Final = re.compile(
    r"[A-Z]"
    + _AFTER_FIRST
    + r"[A-Z][0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?"
    + _NOT_AFTER
)
# Digit groups: an optional + or (, then 7-23 digits with single spaces,
# dashes or a closing parenthesis between them. Bounded, so linear.
_DIGITS: Final = re.compile(
    r"(?<![0-9A-Za-z_+(])(?:\+|\()?[0-9](?:(?:[ \-]|\) ?)?[0-9]){6,22}" + _NOT_AFTER
)
_SSN: Final = re.compile(
    r"[0-9]" + _AFTER_FIRST + r"[0-9]{2}([ \-])[0-9]{2}\1[0-9]{4}" + _NOT_AFTER
)
_IPV4_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4: Final = re.compile(
    r"(?<![0-9A-Za-z_.])" + _IPV4_OCTET + r"(?:\." + _IPV4_OCTET + r"){3}(?![0-9A-Za-z_]|\.[0-9])"
)
# A hex digit or colon first; a hex digit must be followed by up to three more
# and a colon (the first group of an address).
_IPV6: Final = re.compile(
    r"[0-9A-Fa-f:](?<![0-9A-Za-z_:.].)(?:(?<=:)|(?=[0-9A-Fa-f]{0,3}:))"
    r"[0-9A-Fa-f:.]{1,43}[0-9A-Fa-f:](?![0-9A-Za-z_:]|\.[0-9A-Za-z])"
)
_EMAIL: Final = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]{1,64}@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){1,8}"
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


def _email_ok(text: str) -> bool:
    return is_email(text)


Classifier = Callable[[str], str | None]
# (the entities it can report, pattern, what a match is (None: every match is
# the one entity), a character every match contains or None)
Detector = tuple[frozenset[str], re.Pattern[str], Classifier | None, str | None]


def _ipv6(text: str) -> str | None:
    """IP_ADDRESS for a real IPv6 address, else None.

    An address has ``::`` or at least six colons (seven groups, or six and a
    dotted IPv4 tail); times such as ``10:00:00`` are turned away before the
    full parse.
    """
    if "::" not in text and text.count(":") < _IPV6_MIN_COLONS:
        return None
    return IP_ADDRESS if is_ip_address(text) else None


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


_BOTH_IDS: Final = frozenset({CN_RESIDENT_ID, CN_USCC})
_DIGIT_ENTITIES: Final = frozenset({PAYMENT_CARD, CN_MOBILE, PHONE})
_ID_PASSES: Final[tuple[Detector, ...]] = (
    (_BOTH_IDS, _RESIDENT_ID_OR_USCC, _resident_id_or_uscc, None),
    (_one(CN_RESIDENT_ID), _RESIDENT_ID, _fixed(CN_RESIDENT_ID, is_cn_resident_id), None),
    (_one(CN_USCC), _USCC, _fixed(CN_USCC, is_cn_uscc), None),
)
_OTHER_PASSES: Final[tuple[Detector, ...]] = (
    (_one(IBAN), _IBAN, _fixed(IBAN, is_iban), None),
    (_one(US_SSN), _SSN, _fixed(US_SSN, is_us_ssn), None),
    (_DIGIT_ENTITIES, _DIGITS, _classify_digits, None),
    (_one(EMAIL), _EMAIL, _fixed(EMAIL, _email_ok), "@"),
    # The IPv4 pattern admits only octets 0-255, so every match is an address.
    (_one(IP_ADDRESS), _IPV4, None, "."),
    (_one(IP_ADDRESS), _IPV6, _ipv6, ":"),
)


def _passes(wanted: frozenset[str]) -> tuple[Detector, ...]:
    """The passes that find *wanted*: one for both identifiers when both are wanted."""
    ids = _ID_PASSES[:1] if wanted >= _BOTH_IDS else _ID_PASSES[1:]
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
        for reports, pattern, classify, needs in self._detectors:
            if needs is not None and needs not in folded:
                continue  # a character every match contains is absent: skip the pass
            if classify is None:
                (fixed,) = reports
                for match in pattern.finditer(folded):
                    start, end = match.span()
                    add((start, end, fixed))
                continue
            for match in pattern.finditer(folded):
                entity = classify(match.group())
                if entity is not None and entity in entities:
                    start, end = match.span()
                    add((start, end, entity))
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
    sort, whatever the number of findings.
    """
    candidates.sort(key=lambda c: (c[0], c[0] - c[1], _RANK[c[2]]))
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
