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
    is_payment_card,
    is_us_ssn,
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
_NOT_BEFORE: Final = r"(?<![0-9A-Za-z_])"
_NOT_AFTER: Final = r"(?![0-9A-Za-z_])"

_RESIDENT_ID: Final = re.compile(
    _NOT_BEFORE
    + r"(?:[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    + r"[0-9]{3}[0-9Xx]|[1-9][0-9]{5}[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3})"
    + _NOT_AFTER
)
_USCC: Final = re.compile(
    _NOT_BEFORE + r"[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}" + _NOT_AFTER
)
_IBAN: Final = re.compile(
    _NOT_BEFORE + r"[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,4})?" + _NOT_AFTER
)
# Digit groups: an optional + or (, then 7-23 digits with single spaces,
# dashes or a closing parenthesis between them. Bounded, so linear.
_DIGITS: Final = re.compile(
    r"(?<![0-9A-Za-z_+(])(?:\+|\()?[0-9](?:(?:[ \-]|\) ?)?[0-9]){6,22}" + _NOT_AFTER
)
_SSN: Final = re.compile(_NOT_BEFORE + r"[0-9]{3}([ \-])[0-9]{2}\1[0-9]{4}" + _NOT_AFTER)
_IPV4_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
_IPV4: Final = re.compile(
    r"(?<![0-9A-Za-z_.])" + _IPV4_OCTET + r"(?:\." + _IPV4_OCTET + r"){3}(?![0-9A-Za-z_]|\.[0-9])"
)
_IPV6: Final = re.compile(
    r"(?<![0-9A-Za-z_:.])(?=[0-9A-Fa-f]{0,4}:)[0-9A-Fa-f:.]{2,44}[0-9A-Fa-f:]"
    r"(?![0-9A-Za-z_:]|\.[0-9A-Za-z])"
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


def _classify_digits(candidate: str) -> str | None:
    """The entity of a digit group (mobile, phone or card), or None."""
    digits = candidate.translate(_SEPARATOR_CHARS)
    plus = candidate.startswith("+")
    bracket = "(" in candidate
    entity = None
    if not bracket and _MOBILE_DIGITS.fullmatch(digits) and (digits[:2] == "86" or not plus):
        entity = CN_MOBILE
    elif plus:
        entity = PHONE if len(digits) in _E164_DIGITS and not candidate.startswith("+(") else None
    elif len(digits) in _CARD_DIGITS:
        grouped = candidate.isdigit() or _GROUPED.fullmatch(candidate)
        entity = PAYMENT_CARD if not bracket and grouped and is_payment_card(digits) else None
    elif len(digits) == _NANP_DIGITS and _NANP_GROUPS.fullmatch(candidate):
        entity = PHONE
    return entity


def _email_ok(text: str) -> bool:
    return is_email(text)


Detector = tuple[str | None, re.Pattern[str], Callable[[str], str | None]]


def _fixed(entity: str, check: Callable[[str], bool]) -> Callable[[str], str | None]:
    return lambda text: entity if check(text) else None


_DETECTORS: Final[tuple[Detector, ...]] = (
    (CN_RESIDENT_ID, _RESIDENT_ID, _fixed(CN_RESIDENT_ID, is_cn_resident_id)),
    (CN_USCC, _USCC, _fixed(CN_USCC, is_cn_uscc)),
    (IBAN, _IBAN, _fixed(IBAN, is_iban)),
    (US_SSN, _SSN, _fixed(US_SSN, is_us_ssn)),
    (None, _DIGITS, _classify_digits),  # cards, mobiles, phones
    (EMAIL, _EMAIL, _fixed(EMAIL, _email_ok)),
    # The IPv4 pattern admits only octets 0-255, so every match is an address.
    (IP_ADDRESS, _IPV4, lambda _: IP_ADDRESS),
    (IP_ADDRESS, _IPV6, lambda t: IP_ADDRESS if t.count(":") >= 2 and is_ip_address(t) else None),  # noqa: PLR2004
)
_RANK: Final = {entity: rank for rank, entity in enumerate(DETECTABLE)}
_DIGIT_ENTITIES: Final = frozenset({PAYMENT_CARD, CN_MOBILE, PHONE})


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
        self._detectors = tuple(
            d
            for d in _DETECTORS
            if (d[0] in self.entities) or (d[0] is None and self.entities & _DIGIT_ENTITIES)
        )

    def find(self, text: str) -> list[Finding]:
        """Every finding in *text*, in order, without overlaps.

        Where candidates overlap, the longer one wins (an e-mail address that
        starts with a mobile number is an e-mail address), then the more
        specific entity.

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        folded = text.translate(_FOLD) if _NEEDS_FOLD.search(text) else text
        candidates: list[tuple[int, int, str]] = []
        for _, pattern, classify in self._detectors:
            for match in pattern.finditer(folded):
                entity = classify(match.group())
                if entity is not None and entity in self.entities:
                    candidates.append((match.start(), match.end(), entity))
        return [
            Finding(entity=e, start=s, end=t, text=text[s:t]) for s, t, e in _resolve(candidates)
        ]

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
