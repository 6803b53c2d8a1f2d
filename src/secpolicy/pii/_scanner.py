"""Finding personal data in free text, Chinese text included, in linear time."""

from __future__ import annotations

import functools
import heapq
import html
import importlib
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping
from ipaddress import IPv6Address
from typing import Any, Final

import attrs

from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.pii._email import email_matches, email_ok
from secpolicy.pii._entities import (
    CN_HK_MACAU_PERMIT,
    CN_MOBILE,
    CN_PASSPORT,
    CN_RESIDENT_ID,
    CN_TAIWAN_PERMIT,
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
    IBAN_LENGTHS,
    card_issuer_ok,
    iban_ok,
    is_cn_resident_id,
    is_cn_uscc,
    is_us_ssn,
    luhn_ok,
)
from secpolicy.pii._phone import (
    DEFAULT_PHONE_REGIONS,
    has_trunk_prefix,
    international,
    known_region,
    national_region,
)

__all__ = ["CONTEXT_WORDS", "DEFAULT_PHONE_REGIONS", "Finding", "Recognizer", "Scanner"]


@attrs.frozen(kw_only=True, repr=False)
class Finding:
    """One piece of personal data found in a text.

    Attributes:
        entity: The entity name (``"CN_MOBILE"``, ``"EMAIL"``, …).
        start: Offset of the first character in the scanned text.
        end: Offset after the last character (``text[start:end]``).
        text: The matched text, exactly as it appears (personal data: the
            ``repr`` hides it).
        score: How sure the scanner is, from 0 to 1: the format's own score
            (a checked check digit scores high, a bare national phone number
            low), raised when a context word (``手机``, ``card``, ``身份证`` …)
            comes shortly before. ``.. versionadded:: 0.2``
    """

    entity: str
    start: int
    end: int
    text: str
    score: float = 1.0

    def __repr__(self) -> str:
        return f"Finding({self.entity}, {self.start}:{self.end})"


# Full-width forms (FF01-FF5E) and the ideographic space fold to ASCII, the
# no-break and thin spaces, tabs and line breaks to a space, and the dashes
# (hyphen, non-breaking hyphen, figure dash, en and em dash, minus) and the
# soft hyphen to "-".
# Decimal digits of every script (Arabic-Indic, Devanagari, …) fold to ASCII
# digits, and the invisible characters that can be slipped into a number
# (zero-width space, joiners, word joiner, byte order mark) to a space, so
# "138\u200b1234\u200b5678" is read as "138 1234 5678" and not as two short
# runs. The mapping is one code point to one, so offsets in the folded text
# are offsets in the original.
# Marks that show nothing either: the bidirectional marks, embeddings,
# overrides and isolates (which right-to-left interfaces insert on their
# own), the combining grapheme joiner, the Mongolian vowel separator and the
# invisible mathematical operators.
_MARKS: Final = (
    0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C, 0x034F, 0x180E,
    *range(0x2061, 0x2065),
)  # fmt: skip
# The other dashes (horizontal bar, two- and three-em dash, small em dash and
# hyphen-minus, hyphen bullet, Armenian hyphen) and the Japanese long-vowel
# mark that Japanese input methods type between the groups of a number.
_MORE_DASHES: Final = (0x2015, 0x2E3A, 0x2E3B, 0xFE58, 0xFE63, 0x2043, 0x058A, 0x30FC, 0xFF70)
_FOLD_FIXED: Final = (
    {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
    | {0x3000: 0x20, 0x00A0: 0x20, 0x202F: 0x20, 0x2007: 0x20}
    | dict.fromkeys((*range(0x2000, 0x2007), 0x2008, 0x2009, 0x200A), 0x20)
    | {0x1680: 0x20, 0x205F: 0x20}
    | dict.fromkeys((0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF), 0x20)
    | dict.fromkeys(_MARKS, 0x20)
    | dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029), 0x20)
    | dict.fromkeys((0x00AD, 0x2010, 0x2011, 0x2012, 0x2013, 0x2014, 0x2212), 0x2D)
    | dict.fromkeys(_MORE_DASHES, 0x2D)
    | {0xFE6B: 0x40}  # the small commercial at, as the full-width one
)
_ASCII_FOLD: Final = dict.fromkeys((0x09, 0x0A, 0x0B, 0x0C, 0x0D), 0x20)


@functools.cache
def _fold_table() -> dict[int, int]:
    """The fold mapping with the decimal digits of every script (built on first use).

    Every such digit lies below U+20000; one regular-expression pass over
    that range finds them in C.
    """
    planes = "".join(map(chr, range(0x80, 0x20000)))
    digits = {m.start() + 0x80: 0x30 + int(m.group()) for m in re.finditer(r"\d", planes)}
    return digits | _FOLD_FIXED


# Characters that show nothing: zero-width space, joiners, word joiner, byte
# order mark, soft hyphen, and the marks above.
_INVISIBLE_CHARS: Final = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad") | frozenset(
    map(chr, _MARKS)
)
_INVISIBLE: Final = re.compile("[" + "".join(sorted(_INVISIBLE_CHARS)) + "]")
# A percent-escape of a printable ASCII character, as URLs and query strings carry them.
_PERCENT: Final = re.compile("%(?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e])")
# A carriage return before a line feed: "138\r\n1234" is read as "138\n1234" is.
_CRLF: Final = "\r\n"
# An HTML character reference to a printable ASCII character or the no-break
# space, as HTML mail and pages carry them ("138&nbsp;1234", "a&#64;b.cn").
_ENTITY_REF: Final = re.compile(
    "&(?:nbsp|#(?:3[2-9]|[4-9][0-9]|1[01][0-9]|12[0-6]|160)|#[xX](?:[2-6][0-9A-Fa-f]|7[0-9A-Ea-e]|[aA]0));"
)
_HIDDEN: Final = re.compile(
    _INVISIBLE.pattern + "|" + _PERCENT.pattern + "|" + _ENTITY_REF.pattern + "|\r(?=\n)"
)


# A wide separator between two groups of a number: two or more spaces (tabs
# fold to spaces), or a dash with spaces on either side ("4111 - 1111",
# "138  1234  5678"). Each start needs a letter, digit or parenthesis before
# it, so a run of spaces is read from one position only: linear.
_WIDE: Final = re.compile(
    r"(?<=[0-9A-Za-z)])(?: {0,8}- {1,8}| {1,8}- {0,8}| {2,8})(?=[0-9A-Za-z(+])"
)
_NUMBERISH: Final = frozenset("0123456789()+")


def _narrowed(
    seen: str, starts: list[int], ends: list[int]
) -> tuple[str, list[int], list[int]] | None:
    """*seen* with each wide separator next to a digit made one space, or its dash alone.

    *starts* and *ends* map each character of *seen* to the text; the
    result's maps do the same. None when *seen* has no wide separator.
    """
    if "  " not in seen and " -" not in seen and "- " not in seen:
        return None
    chars: list[str] = []
    new_starts: list[int] = []
    new_ends: list[int] = []
    done = 0
    for found in _WIDE.finditer(seen):
        at, end = found.span()
        if seen[at - 1] not in _NUMBERISH and seen[end] not in _NUMBERISH:
            continue  # between two words: no number is split here
        keep = seen.find("-", at, end)
        keep = at if keep < 0 else keep
        chars.append(seen[done:at])
        new_starts.extend(starts[done:at])
        new_ends.extend(ends[done:at])
        chars.append(seen[keep])
        new_starts.append(starts[keep])
        new_ends.append(ends[keep])
        done = end
    if done == 0:
        return None
    chars.append(seen[done:])
    new_starts.extend(starts[done:])
    new_ends.extend(ends[done:])
    return "".join(chars), new_starts, new_ends


def _second_reading(text: str, folded: str) -> tuple[str, list[int], list[int]] | None:
    """*folded* without invisible characters, with percent-escapes and HTML references decoded.

    The carriage return of each CRLF line break is dropped too, so that a
    number split by CRLF reads as one split by LF, and wide separators
    between the groups of a number are narrowed (``4111 - 1111``,
    ``138  1234  5678``). Returns the text so read and, for each of its
    characters, where it starts and ends in *text*; None when there is
    nothing to remove, decode or narrow.
    """
    view = _decoded(text, folded)
    if view is None:
        size = len(folded)
        return _narrowed(folded, list(range(size)), list(range(1, size + 1)))
    return _narrowed(*view) or view


def _decoded(text: str, folded: str) -> tuple[str, list[int], list[int]] | None:
    """The part of :func:`_second_reading` that removes and decodes characters."""
    invisible = not text.isascii() and _INVISIBLE.search(text) is not None
    if (
        not invisible
        and ("%" not in text or _PERCENT.search(text) is None)
        and ("&" not in text or _ENTITY_REF.search(text) is None)
        and _CRLF not in text
    ):
        return None
    chars: list[str] = []
    starts: list[int] = []
    ends: list[int] = []
    done = 0
    for found in _HIDDEN.finditer(text):
        at = found.start()
        chars.append(folded[done:at])
        starts.extend(range(done, at))
        ends.extend(range(done + 1, at + 1))
        done = found.end()
        if text[at] == "%":
            chars.append(chr(int(text[at + 1 : done], 16)))
            starts.append(at)
            ends.append(done)
        elif text[at] == "&":
            chars.append(html.unescape(text[at:done]).replace("\u00a0", " "))
            starts.append(at)
            ends.append(done)
    chars.append(folded[done:])
    starts.extend(range(done, len(text)))
    ends.extend(range(done + 1, len(text) + 1))
    return "".join(chars), starts, ends


_LINE_BREAKS: Final = re.compile("[\t\n\x0b\x0c\r]")  # the ASCII ones
_NEEDS_FOLD: Final = re.compile(
    "[" + "".join(re.escape(chr(cp)) for cp in sorted(_FOLD_FIXED)) + "]|(?![0-9])\\d"
)

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

_DATE: Final = r"(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
_DATE_YY: Final = r"[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
# After the first digit: 18 characters (or 6-8-4 with spaces, dashes or dots, or
# groups of four), or 15 digits.
_RESIDENT_ID_REST: Final = (
    r"(?:[0-9]{5}" + _DATE + r"[0-9]{3}[0-9Xx]"
    r"|[0-9]{5}[ \-.]" + _DATE + r"[ \-.][0-9]{3}[0-9Xx]"
    # 6-4-4-4 and 4-4-4-4-2, with spaces or dashes (no groups: the SSN's
    # back-reference shares the pattern)
    r"|[0-9]{5} [0-9]{4} [0-9]{4} [0-9]{3}[0-9Xx]|[0-9]{5}-[0-9]{4}-[0-9]{4}-[0-9]{3}[0-9Xx]"
    r"|[0-9]{3} [0-9]{4} [0-9]{4} [0-9]{4} [0-9][0-9Xx]"
    r"|[0-9]{3}-[0-9]{4}-[0-9]{4}-[0-9]{4}-[0-9][0-9Xx]"
    r"|[0-9]{5}" + _DATE_YY + r"[0-9]{3})"
)
# Credit codes are printed in upper case but typed in any case: both are read.
_USCC_CHAR: Final = "[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]"
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
# Country code, check digits, then letters and digits with at most one space
# or dash between them. The candidate may run into the next word; the
# classifier cuts it at the country's IBAN length.
_IBAN: Final = re.compile(
    r"[A-Za-z]" + _AFTER_FIRST + r"[A-Za-z][0-9]{2}(?:[ \-]?[A-Za-z0-9]){11,34}"
)
_SSN_REST: Final = r"[0-9]{2}([ \-.])[0-9]{2}\1[0-9]{4}"  # after the first digit
_SSN: Final = re.compile(r"[0-9]" + _AFTER_FIRST + _SSN_REST + _NOT_AFTER)
# Both identifiers and the SSN in one pass, when all three are wanted. An SSN
# has a separator as its fourth character where the identifiers have a letter
# or digit, so at most one of them matches at a position; and their matches
# never overlap (an identifier is a run of letters and digits, or 6-8-4 with
# single spaces, and an SSN's runs are 3, 2 and 4 long), so one pass finds
# what the separate passes find.
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
# Passports, Hong Kong/Macao and Taiwan travel permits: a letter and 8 characters.
_TRAVEL: Final = re.compile(
    r"[CDEGLPScdeglps]" + _AFTER_FIRST + r"(?:[A-HJ-NP-Za-hj-np-z][0-9]{7}|[0-9]{8})" + _NOT_AFTER
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
_IPV4_SHAPE: Final = re.compile(r"[0-9]{1,3}(?:\.[0-9]{1,3}){3}")
# A hex digit or colon first; a hex digit must be followed by up to three more
# and a colon (the first group of an address).
_IPV6: Final = re.compile(
    r"[0-9A-Fa-f:](?<![0-9A-Za-z_:.].)(?:(?<=:)|(?=[0-9A-Fa-f]{0,3}:))"
    r"[0-9A-Fa-f:.]{1,43}[0-9A-Fa-f:](?![0-9A-Za-z_:]|\.[0-9A-Za-z])"
)
# Between two digit groups: a space, dash, dot, slash or comma ("138/1234/5678",
# "030/1234567", "4111,1111,1111,1111": a comma-separated row of numbers is
# one run whose numbers the retry in parts finds), or a parenthesis.
_SEP: Final = r"(?:[ \-.,/]|\) ?| ?\()"
_SIX_MORE: Final = r"(?:" + _SEP + r"?[0-9]){6}"
# Digit runs: an optional + or (, then groups of digits with one separator
# between them (a space, dash or dot, a closing parenthesis, an opening one),
# and an optional extension. The lookahead at the start skips, in C, the
# short numbers (years, counts, times) that cannot be any entity. Each
# separator alternative starts with a different character or is followed by a
# digit, so the engine backtracks at most one character: linear. The
# lookahead is bounded (at most 7 digits and 6 separators).
#
# Written as the plain form "(?<![0-9A-Za-z_+(])(?:\+ ?|\()?[0-9]+(?:SEP[0-9]+)*"
# behind a lookahead for 7 digits, with the boundary check moved after the
# first character so that the engine skips in C to the next digit, + or (.
# Letters and underscores may touch a run on either side ("uid13812345678",
# "invoice_13812345678.pdf"): such a run is a candidate whose weakly
# validated findings score below the threshold (see _Digits.find).
_DIGITS: Final = re.compile(
    r"[0-9+(](?<![0-9+(].)"
    r"(?:(?<=[0-9])(?=" + _SIX_MORE + r")"
    r"|(?<=\+) ?(?=[0-9]" + _SIX_MORE + r")"
    r"|(?<=\()(?=[0-9]" + _SIX_MORE + r"))"
    r"[0-9]*(?:" + _SEP + r"[0-9]+)*"
    r"(?: ?(?:ext\.? ?|x ?|# ?)[0-9]{1,6})?(?![0-9])"
)
_GROUP: Final = re.compile(r"[0-9]+")
_DATE_FIRST: Final = re.compile(
    r"(?:19|20)[0-9]{2}([\-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"
    # day and month, or month and day, then the year: "31/12/2024", "12/31/2024"
    r"|(?:0?[1-9]|[12][0-9]|3[01])([\-./])(?:0?[1-9]|[12][0-9]|3[01])\2(?:19|20)[0-9]{2}(?![0-9])"
)
_EXTENSION: Final = re.compile(r" ?(?:ext\.? ?|x ?|# ?)[0-9]{1,6}\Z")
_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}")
_IPV6_MIN_COLONS: Final = 6  # without '::': 8 groups, or 6 and an IPv4 tail
_RUN_DIGITS: Final = range(7, 21)  # what any digit entity can hold (00 + 15, a card's 19)
_CARD_DIGITS: Final = range(13, 20)
_CARD_LAYOUTS: Final = frozenset({(4, 6, 5), (4, 6, 4)})  # American Express, Diners Club
_DOTTED_CARD_GROUPS: Final = 3  # "4111.1111.1111.1111"; never a decimal "1234567890123.4"
_DECIMAL_GROUPS: Final = 2  # "07.519501": a decimal number, not a dotted phone
_MOBILE_GROUPS: Final = [3, 4, 4]  # "138 1234 5678"
_MIN_INNER_GROUP: Final = 2  # a group inside a dotted number has 2 digits or more
_UNPREFIXED: Final = frozenset({10, 11})  # NANP with or without 1; 400/800 numbers
_UNPREFIXED_MIN: Final = min(_UNPREFIXED)
_FREE_TOTALS: Final = frozenset({10, 11, 13})  # NANP/service, mobile, 86 + mobile
_CARD_GROUP: Final = 4  # the first group of a card written in groups
_NATIONAL_MAX: Final = 14  # digits of the longest national number with its trunk prefix
_MAX_GROUPS: Final = 8  # "+33 1 42 68 53 00 ext 12" has 7; no entity has more than 8
_MOBILE_FIRST_GROUP: Final = 3  # "138 1234 5678": the first group of a mobile has 3 or more
_CONTEXT_WINDOW: Final = 40
_MAX_ONE_DIGIT_GROUPS: Final = 2  # "+1 1 …" aside, no entity is written in one-digit groups
_MOBILE_DIGITS: Final = 11
_ID_LENGTH: Final = 18
_ID_BODY: Final = 17  # a resident ID without its check character
_MAX_GLUED: Final = 16  # values back to back in one run of digits

#: Words that, shortly before a finding, raise its score (matched case-insensitively).
CONTEXT_WORDS: Final[dict[str, tuple[str, ...]]] = {
    CN_MOBILE: ("手机", "电话", "联系", "mobile", "phone", "cell", "tel", "call", "contact"),
    PHONE: (
        "电话", "手机", "联系", "座机", "传真", "热线", "客服", "phone", "tel", "call",
        "fax", "mobile", "cell", "contact", "hotline", "dial",
    ),
    PAYMENT_CARD: (
        "卡号", "银行卡", "信用卡", "借记卡", "card", "visa", "mastercard", "amex",
        "credit", "debit", "pan", "unionpay", "银联",
    ),
    CN_RESIDENT_ID: ("身份证", "证件", "公民身份", "id", "identity", "idcard", "id_no"),
    CN_USCC: ("信用代码", "营业执照", "uscc", "credit code", "税号"),
    US_SSN: ("ssn", "social security", "社会安全"),
    IBAN: ("iban", "account", "bank", "账户", "账号"),
    EMAIL: ("邮箱", "email", "e-mail", "mail"),
    CN_PASSPORT: ("护照", "passport", "证件"),
    CN_HK_MACAU_PERMIT: ("港澳", "通行证", "permit", "证件"),
    CN_TAIWAN_PERMIT: ("台湾", "通行证", "permit", "证件"),
    IP_ADDRESS: ("ip", "addr", "host", "client", "remote", "地址"),
}  # fmt: skip
_CONTEXT_BOOST: Final = 0.35

# Scores of the formats, before context (see Finding.score).
_SCORE_CHECKED: Final = 0.9  # a check digit over the whole value
_SCORE_CARD: Final = 0.8
_SCORE_CARD_COMMAS: Final = 0.4  # groups joined by commas: only with a context word
_SCORE_MOBILE: Final = 0.8
_SCORE_EMAIL: Final = 0.9
_SCORE_IP: Final = 0.7
_SCORE_SSN: Final = 0.6
_SCORE_SSN_LOOSE: Final = 0.5  # spaces or dots
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

# A candidate: (start, end, entity, score).
Candidate = tuple[int, int, str, float]


def _ctx_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """One search for any of *words*; ASCII words must not sit inside a longer word."""
    parts = []
    for word in sorted(set(words), key=len, reverse=True):
        escaped = re.escape(word.casefold())
        if word.isascii():
            escaped = r"(?<![a-z])" + escaped + r"(?![a-z])"
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
    for candidate in candidates:
        start = candidate[0]
        while ahead and ahead[0] <= start:
            floor = max(floor, heapq.heappop(ahead))
        scored = (
            _score_in_context(text, candidate, contexts, floor)
            if exact or candidate[3] < threshold
            else candidate
        )
        if scored[3] >= threshold:
            kept.append(scored)
        heapq.heappush(ahead, candidate[1])
    return kept


# -- digit runs: cards, mobiles, phones ------------------------------------------------------


def _mobile_ok(digits: str, sizes: list[int], *, plus: bool) -> bool:
    """A Chinese mobile number, with +86, 86 or 0086 in front or not.

    The group where the national number starts must hold 3 or more of its
    digits, so ``1-800-555-0199`` is not a mobile number.
    """
    size = len(digits)
    if size == 11:  # noqa: PLR2004
        prefix = 0
    elif size == 13 and digits[:2] == "86":  # noqa: PLR2004
        prefix = 2
    elif size == 15 and digits[:4] == "0086" and not plus:  # noqa: PLR2004
        prefix = 4
    else:
        return False
    if plus and prefix != 2:  # noqa: PLR2004
        return False
    if not _MOBILE.fullmatch(digits, prefix):
        return False
    seen = 0
    for group in sizes:
        if seen + group > prefix:
            return seen + group - prefix >= _MOBILE_FIRST_GROUP
        seen += group
    return False  # pragma: no cover (the groups hold all the digits)


def _card_layout_ok(sizes: list[int]) -> bool:
    """No separators, groups of 4 with a shorter last group, or 4-6-5 / 4-6-4."""
    if len(sizes) == 1:
        return True
    if tuple(sizes) in _CARD_LAYOUTS:
        return True
    return all(size == 4 for size in sizes[:-1]) and 1 <= sizes[-1] <= 4  # noqa: PLR2004


def _dots_ok(run: str, sizes: list[int]) -> bool:
    """Dotted numbers are phones only in three groups or more of 2 digits or more, never IPv4.

    Two groups are a decimal number ("07.519501", the seconds of a time).
    """
    return (
        len(sizes) > _DECIMAL_GROUPS
        and min(sizes) >= _MIN_INNER_GROUP
        and _IPV4_SHAPE.fullmatch(run) is None
    )


class _Digits:
    """Classifies digit runs; runs that are not one entity are retried in parts."""

    __slots__ = ("entities", "regions", "resident_ids", "trunkless")

    def __init__(
        self, entities: frozenset[str], regions: tuple[str, ...], *, resident_ids: bool = False
    ) -> None:
        self.entities = entities
        self.regions = regions
        self.resident_ids = resident_ids  # also look for resident IDs glued to letters or values
        # Whether a region writes national numbers without a trunk prefix
        # (North America aside): then any length may be a national number.
        self.trunkless = any(
            not has_trunk_prefix(region) for region in regions if region not in ("US", "CA")
        )

    def classify(self, run: str, digits: str, sizes: list[int]) -> tuple[str, float] | None:
        """The entity and score of one run (it may start with + or a parenthesis), or None."""
        size = len(digits)
        if size not in _RUN_DIGITS or len(sizes) > _MAX_GROUPS:
            return None
        if not self.lead_ok(run[0], digits, sizes[0]) or sizes.count(1) > _MAX_ONE_DIGIT_GROUPS:
            return None
        plus = run[0] == "+"
        bracket = "(" in run
        entities = self.entities
        if (
            CN_MOBILE in entities
            and not bracket
            and _mobile_ok(digits, sizes, plus=plus)
            and ("," not in run or sizes[-3:] == _MOBILE_GROUPS)
        ):
            # With commas only in the usual 3-4-4 groups: "1825,201,4594" is
            # three values of a row of numbers.
            return CN_MOBILE, _SCORE_MOBILE
        dotted = "." in run
        if (
            PAYMENT_CARD in entities
            and size in _CARD_DIGITS
            and not (plus or bracket or (dotted and len(sizes) < _DOTTED_CARD_GROUPS))
            and _card_layout_ok(sizes)
            and card_issuer_ok(digits)
            and luhn_ok(digits)
        ):
            # Groups of four joined by commas are as often a row of numbers
            # (one in thirty passes the issuer range and Luhn): a card word
            # must vouch for them.
            return PAYMENT_CARD, _SCORE_CARD_COMMAS if "," in run else _SCORE_CARD
        if PHONE not in entities or (dotted and not _dots_ok(run, sizes)):
            return None
        return self._phone(run, digits, sizes, plus=plus, bracket=bracket, dotted=dotted)

    def _phone(  # noqa: PLR0911 (one return per format)
        self, run: str, digits: str, sizes: list[int], *, plus: bool, bracket: bool, dotted: bool
    ) -> tuple[str, float] | None:
        """The PHONE score of a run that is no card or mobile number, or None."""
        size = len(digits)
        if _DATE_FIRST.match(run):
            return None  # "2025-09-30 10": a date and an hour, not a phone
        if plus or digits.startswith("00"):
            if not international(run, digits):
                return None
            # "0049626148" alone is as often a zero-padded id as a number dialled abroad.
            bare = not plus and len(sizes) == 1
            return PHONE, _SCORE_PHONE_BARE if bare else _SCORE_PHONE_INTL
        if size > _NATIONAL_MAX:
            return None
        if not (self.trunkless or bracket or digits[0] == "0" or size in _UNPREFIXED):
            return None  # only North American and Chinese service numbers go without a 0
        region = national_region(run, digits, self.regions)
        if region is None:
            return None
        if len(sizes) == 1 and not bracket:
            return PHONE, _SCORE_PHONE_BARE
        if "," in run or (not bracket and digits[0] != "0" and "-" not in run and not dotted):
            return PHONE, _SCORE_PHONE_SPACED
        return PHONE, _SCORE_PHONE

    def lead_ok(self, lead: str, digits: str, first: int) -> bool:
        """Whether a run can be any entity by its first group (a quick reject by shape).

        Cards start with a group of 4 or more, mobile numbers with 3 or more
        (or ``86``), phones with ``+``, a parenthesis, a trunk ``0``, the
        ``1`` of North America, or a group of 3 or more. So a run of one- and
        two-digit groups ("1-1-1-1", "12 12 12") is turned away at each
        group without being classified.
        """
        if first >= _MOBILE_FIRST_GROUP or lead in "+(" or self.trunkless:
            return True
        if first == 1:
            return digits[0] in "01"
        return digits[0] == "0" or digits[:2] == "86"

    def find_glued(
        self, text: str, offset: int, after: str, *, hex_token: Callable[[], bool] = bool
    ) -> list[Candidate]:
        """Candidates of a run that touches an ASCII letter or underscore (*after*: what follows).

        Only strong checks keep their score: a card (issuer range and Luhn),
        a mobile number, a resident ID (its check character; the ``X`` may be
        the letter the run touches). Phone numbers score below the threshold:
        a context word must vouch for them; so do cards and mobile numbers
        inside a token of hex digits (*hex_token* says whether the run is in
        one, a request id or a hash; it is asked only when there is a finding).
        """
        found = self.find(text, offset, after)
        if found:
            weak = (PHONE, CN_MOBILE, PAYMENT_CARD) if hex_token() else (PHONE,)
            found = [
                (s, e, entity, min(score, _SCORE_GLUED) if entity in weak else score)
                for s, e, entity, score in found
            ]
        if self.resident_ids and text.isdigit():
            number = text + after if len(text) == _ID_BODY and after in ("X", "x") else text
            if len(number) == _ID_LENGTH and is_cn_resident_id(number):
                found.append((offset, offset + len(number), CN_RESIDENT_ID, _SCORE_CHECKED))
        return found

    def partition(self, digits: str, after: str) -> list[tuple[int, int, str, float]] | None:
        """Values glued to each other in a run too long for one: an exact split, or None.

        A run of more digits than any entity holds is read as cards, mobile
        numbers and resident IDs back to back only when it splits exactly into
        such validated values (at most _MAX_GLUED of them); a long order id
        rarely does. The ``X`` of a resident ID may follow the run (*after*).
        """
        size = len(digits)
        if size > _MAX_GLUED * _CARD_DIGITS.stop:
            return None
        memo: dict[int, list[tuple[int, int, str, float]] | None] = {}

        def solve(i: int) -> list[tuple[int, int, str, float]] | None:
            if i == size:
                return []
            if i in memo:
                return memo[i]
            result = None
            for j, entity, score in self._values_at(digits, i, after):
                rest = solve(j)
                if rest is not None:
                    result = [(i, j, entity, score), *rest]
                    break
            memo[i] = result
            return result

        return solve(0)

    def _values_at(self, digits: str, i: int, after: str) -> Iterator[tuple[int, str, float]]:
        """The validated values that start at *i* in a long run: (end, entity, score).

        Every kind is tried, wanted or not: a scanner for resident IDs alone
        must still see where a glued mobile number ends.
        """
        rest = len(digits) - i
        if rest == _ID_BODY and after in ("X", "x") and is_cn_resident_id(digits[i:] + "X"):
            yield i + _ID_BODY, CN_RESIDENT_ID, _SCORE_CHECKED  # the X is added by the caller
        if rest >= _ID_LENGTH and is_cn_resident_id(digits[i : i + _ID_LENGTH]):
            yield i + _ID_LENGTH, CN_RESIDENT_ID, _SCORE_CHECKED
        for length in _CARD_DIGITS:
            number = digits[i : i + length]
            if len(number) == length and card_issuer_ok(number) and luhn_ok(number):
                yield i + length, PAYMENT_CARD, _SCORE_CARD
        if _MOBILE.match(digits, i) and rest >= _MOBILE_DIGITS:
            yield i + _MOBILE_DIGITS, CN_MOBILE, _SCORE_MOBILE

    def long_group(self, digits: str, offset: int, after: str) -> list[Candidate]:
        """The values glued back to back in a group of more digits than any entity holds."""
        parts = self.partition(digits, after)
        if not parts:
            return []
        wanted = self.entities | ({CN_RESIDENT_ID} if self.resident_ids else set())
        return [
            (
                offset + s,
                offset + e + (entity == CN_RESIDENT_ID and e - s == _ID_BODY),
                entity,
                score,
            )
            for s, e, entity, score in parts
            if entity in wanted
        ]

    def find(self, text: str, offset: int, after: str = "") -> list[Candidate]:  # noqa: PLR0911 (one return per form of run)
        """Candidates in one match of ``_DIGITS`` (*text*, found at *offset*, *after* following)."""
        if text.isdigit():  # one group, no separators: the common case of ids and bare numbers
            if len(text) < _UNPREFIXED_MIN and text[0] != "0" and not self.trunkless:
                return []  # too short for a card or mobile, and a phone would need a 0
            if len(text) >= _RUN_DIGITS.stop:
                return self.long_group(text, offset, after)
            bare = self.classify(text, text, [len(text)])
            return [] if bare is None else [(offset, offset + len(text), *bare)]
        if _IPV4_SHAPE.fullmatch(text) or _DATE_FIRST.fullmatch(text):
            return []  # an IPv4 address (the IPv4 pass reports it) or a date alone
        extension = ""
        found = _EXTENSION.search(text) if ("x" in text or "#" in text) else None
        if found is not None:
            extension, text = text[found.start() :], text[: found.start()]
        parts = _GROUP.findall(text)
        whole = self.classify(text, "".join(parts), list(map(len, parts)))
        if whole is not None:
            entity, score = whole
            end = len(text) + (len(extension) if entity == PHONE else 0)
            return [(offset, offset + end, entity, score)]
        groups = [m.span() for m in _GROUP.finditer(text)]
        if len(parts) == 1:
            start, end = groups[0]
            long = end - start >= _RUN_DIGITS.stop
            return self.long_group(text[start:end], offset + start, "") if long else []
        dated = _DATE_FIRST.match(text)
        if dated is not None:
            # A run that starts with a date: those groups are the date, not
            # part of a phone number ("2024-08-31 12 30" is a date and a
            # time); what follows is a run of its own.
            rest = [g for g in groups if g[0] >= dated.end()]
            if not rest:
                return []
            first = rest[0][0]
            if text[first - 1] in "+(":
                first -= 1
            return self.find(text[first:] + extension, offset + first, after)
        results = [
            (offset + s, offset + e, entity, score)
            for s, e, entity, score in self.split(text, groups)
        ]
        for start, end in groups:
            if end - start >= _RUN_DIGITS.stop:
                tail = text[end] if end < len(text) else after
                results.extend(self.long_group(text[start:end], offset + start, tail))
        return results

    def split(self, text: str, groups: list[tuple[int, int]]) -> list[Candidate]:
        """Sub-runs of a run that failed as a whole: the most specific and longest first.

        Every sub-run of 7 to 20 digits in at most 8 groups is classified (no
        entity is longer), so each group starts a bounded number of tries and
        the work is linear in the run. Then the findings are taken by
        specificity (a card before a mobile number before a phone number),
        then by length, then from the left, skipping any that overlaps one
        already taken: a phone number made of a neighbour and the start of a
        card must not hide the card. A sub-run keeps the + or parenthesis in
        front of its first group.
        """
        count = len(groups)
        sizes = [end - start for start, end in groups]
        options: list[tuple[int, int, int, int, int, str, float]] = []
        lead_ok = self.lead_ok
        for i in range(count):
            start = groups[i][0]
            if start > 0 and text[start - 1] in "+(":
                start -= 1
            if not lead_ok(text[start], text[groups[i][0] : groups[i][0] + 2], sizes[i]):
                continue  # what classify turns away first, without building the sub-runs
            # Without +, ( or a trunk 0 (and in regions that all have one), only
            # a North American or service number, a mobile number or a card can
            # start here, so only their lengths are worth building.
            free = text[start] not in "+(" and text[groups[i][0]] != "0" and not self.trunkless
            total = 0
            ones = 0
            for j in range(i, min(count, i + _MAX_GROUPS)):
                total += sizes[j]
                ones += sizes[j] == 1
                if total > _RUN_DIGITS.stop - 1 or ones > _MAX_ONE_DIGIT_GROUPS:
                    break
                if total < _RUN_DIGITS.start or (i == 0 and j == count - 1):
                    continue
                if (
                    free
                    and total not in _FREE_TOTALS
                    and not ((i == j or sizes[i] == _CARD_GROUP) and total in _CARD_DIGITS)
                ):
                    continue  # what classify would refuse by length, unbuilt
                digits = "".join(text[s:e] for s, e in groups[i : j + 1])
                result = self.classify(text[start : groups[j][1]], digits, sizes[i : j + 1])
                if result is not None:
                    rank = _SPLIT_RANK.get(result[0], len(_SPLIT_RANK))
                    options.append((rank, -total, i, j, start, result[0], result[1]))
        options.sort()
        taken = [False] * count
        found: list[Candidate] = []
        for _, _, i, j, start, entity, score in options:
            if any(taken[i : j + 1]):
                continue
            for k in range(i, j + 1):
                taken[k] = True
            found.append((start, groups[j][1], entity, score))
        found.sort()
        return found


#: Which entity of a split digit run wins where two overlap: the most specific.
_SPLIT_RANK: Final = {PAYMENT_CARD: 0, CN_MOBILE: 1, PHONE: 2}


# -- the other classifiers ------------------------------------------------------------------


_GROUPING: Final = str.maketrans("", "", " -.")  # between the 6-8-4 groups of an ID


def _resident_id_or_uscc(text: str) -> str | None:
    """CN_RESIDENT_ID or CN_USCC for a match of the shared pass, in that order.

    A 15-digit number that starts with 34 or 37 and passes the Luhn check is
    an American Express card number, not a first-generation ID.
    """
    if text[0] != "0" and text[:15].translate(_GROUPING).isdigit() and is_cn_resident_id(text):
        if len(text) == 15 and text[:2] in ("34", "37") and luhn_ok(text):  # noqa: PLR2004
            return None
        return CN_RESIDENT_ID
    if _USCC_SHAPE.fullmatch(text) and is_cn_uscc(text):
        return CN_USCC
    return None


def _ids_or_ssn(text: str) -> str | None:
    """US_SSN, CN_RESIDENT_ID or CN_USCC for a match of the pass for all three."""
    if text[3] in " -.":
        return US_SSN if is_us_ssn(text) else None
    return _resident_id_or_uscc(text)


def _id_score(entity: str, text: str) -> float:
    if entity == US_SSN:
        return _SCORE_SSN if text[3] == "-" else _SCORE_SSN_LOOSE
    return _SCORE_CHECKED


def _travel_score(_entity: str, text: str) -> float:
    """Lower case is how a word or an id is written, rarely a document number: context decides."""
    return _SCORE_TRAVEL if text[0].isupper() and not text[1].islower() else _SCORE_TRAVEL_LOWER


def _travel(text: str) -> str | None:
    """The travel document a match of ``_TRAVEL`` is, by its first letter."""
    first, second = text[0].upper(), text[1].upper()
    if first == "E" or (first == "G" and second.isdigit()):
        return CN_PASSPORT
    if first in "DSP" and second == "E":
        return CN_PASSPORT
    if first == "C":
        return CN_HK_MACAU_PERMIT
    if first == "L" and second.isdigit():
        return CN_TAIWAN_PERMIT
    return None


_IBAN_DROP: Final = str.maketrans("", "", " -")
# For each IBAN length n: n letters or digits with at most one space or dash
# between two of them, as in a match of _IBAN.
_IBAN_CUTS: Final = {
    n: re.compile(r"[A-Za-z0-9](?:[ \-]?[A-Za-z0-9]){%d}" % (n - 1))  # noqa: UP031 (a count)
    for n in set(IBAN_LENGTHS.values())
}


def _iban_span(text: str) -> int | None:
    """The length of the IBAN at the start of a match of ``_IBAN``, or None.

    The match is cut after the country's number of letters and digits (one
    regular-expression match); what follows must not continue the token.
    """
    wanted = IBAN_LENGTHS.get(text[:2].upper())
    if wanted is None:
        return None
    cut = _IBAN_CUTS[wanted].match(text)
    if cut is None:
        return None
    end = cut.end()
    if end < len(text) and text[end].isalnum():
        return None
    return end if iban_ok(text[:end].translate(_IBAN_DROP).upper()) else None


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


# -- recognizers --------------------------------------------------------------------------


def _check_score(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PolicyConfigError("must be a number from 0 to 1", field=attribute.name)


_ENTITY_NAME: Final = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def _check_entity(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _ENTITY_NAME.fullmatch(value):
        raise PolicyConfigError(
            "must be an upper-case name of letters, digits and underscores", field=attribute.name
        )


# The standard library's parser of regular expressions (no stubs ship for it):
# how a user's pattern is checked before it is accepted.
_sre: Any = importlib.import_module("re._constants")
_sre_parse: Any = importlib.import_module("re._parser")
_REPEATS: Final = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)


def _first_chars(items: list[tuple[Any, Any]]) -> list[tuple[int, int]] | None:
    """The code point ranges a sequence of parsed items can start with, or None if unknown."""
    if not items:
        return None
    op, av = items[0]
    if op is _sre.LITERAL:
        return [(av, av)]
    if op is _sre.IN and all(kind in (_sre.LITERAL, _sre.RANGE) for kind, _ in av):
        return [(v, v) if kind is _sre.LITERAL else v for kind, v in av]
    if op is _sre.SUBPATTERN:
        return _first_chars(list(av[3]))
    return None


def _overlap(a: list[tuple[int, int]] | None, b: list[tuple[int, int]] | None) -> bool:
    if a is None or b is None:
        return True
    return any(lo <= other_hi and other_lo <= hi for lo, hi in a for other_lo, other_hi in b)


def _children(op: object, av: Any) -> list[Any]:
    """The parsed sequences inside one parsed item."""
    if op in _REPEATS or op is _sre.POSSESSIVE_REPEAT:
        return [av[2]]
    if op is _sre.SUBPATTERN:
        return [av[3]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op is _sre.ATOMIC_GROUP:
        return [av]
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    return []


def _varies(items: Iterable[tuple[Any, Any]]) -> bool:
    """True if parsed items hold a variable repetition or alternatives that start alike."""
    for op, av in items:
        if op in _REPEATS and av[0] != av[1]:
            return True
        if op is _sre.BRANCH:
            firsts = [_first_chars(list(branch)) for branch in av[1]]
            if any(_overlap(x, y) for i, x in enumerate(firsts) for y in firsts[i + 1 :]):
                return True
        if any(_varies(child) for child in _children(op, av)):
            return True
    return False


def _exponential(items: Iterable[tuple[Any, Any]]) -> bool:
    """True if a repetition of more than one count holds a variable repetition or ambiguity.

    Such a pattern (``(a+)+b``, ``(x?)+``, ``(?:a|a)+``) can backtrack
    through exponentially many ways of matching the same text. Possessive
    repetitions and atomic groups give nothing back, so they are not counted
    themselves (what they hold still is).
    """
    for op, av in items:
        if op in _REPEATS and av[1] > 1 and _varies(av[2]):
            return True
        if any(_exponential(child) for child in _children(op, av)):
            return True
    return False


def _compile(value: str | re.Pattern[str]) -> re.Pattern[str]:
    try:
        pattern = value if isinstance(value, re.Pattern) else re.compile(value)
    except (re.error, TypeError) as exc:
        raise PolicyConfigError(f"not a regular expression ({exc})", field="pattern") from None
    if _exponential(_sre_parse.parse(pattern.pattern, pattern.flags).data):
        raise PolicyConfigError(
            "a repeated group holds a repetition of variable count or alternatives that can "
            "start alike (as in (a+)+ or (a|ab)*), which can take exponential time; repeat "
            "a fixed-count group, make the inner repetition possessive (a++) or atomic ((?>...))",
            field="pattern",
        )
    return pattern


def _context_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class Recognizer:
    """A custom entity: a pattern, an optional validator, context words and a score.

    Register recognizers on a :class:`Scanner` (``Scanner(recognizers=[...])``
    or :meth:`Scanner.register`); their findings take part in the overlap
    resolution, the threshold and the allow-list like the built-in ones.

    Args:
        entity: The entity name reported (upper case, e.g. ``"EMPLOYEE_ID"``).
        pattern: A regular expression (string or compiled). It runs on the
            folded text (full-width forms as ASCII). A pattern that can
            backtrack exponentially is refused: a repeated group holding a
            repetition of variable count (``(a+)+``, ``(x?)*``, ``(a{1,9})+``)
            or alternatives that can start with the same character
            (``(?:a|ab)+``). Its time is the scanner's time: bound each
            repetition (``[0-9]{1,20}`` rather than ``[0-9]+``) and anchor
            its start (``(?<![0-9])[0-9]{6}``) to keep it linear on long runs.
        validator: Called with each match; a match is reported only if it
            returns True.
        context: Words that raise the score when they come shortly before.
        score: The score of a match without context (0 to 1).

    Raises:
        PolicyConfigError: For a bad entity name, score or pattern (one that
            does not compile or that can backtrack exponentially).

    Example:
        >>> employee = Recognizer(entity="EMPLOYEE_ID", pattern=r"EMP-[0-9]{6}", context=("工号",))
        >>> [(f.entity, f.text) for f in Scanner(recognizers=[employee]).find("工号EMP-004211")]
        [('EMPLOYEE_ID', 'EMP-004211')]

    .. versionadded:: 0.2
    """

    entity: str = attrs.field(validator=_check_entity)
    pattern: re.Pattern[str] = attrs.field(converter=_compile)
    validator: Callable[[str], bool] | None = attrs.field(default=None, kw_only=True)
    context: tuple[str, ...] = attrs.field(default=(), converter=_context_tuple, kw_only=True)
    score: float = attrs.field(default=0.6, validator=_check_score, kw_only=True)

    def find(self, text: str) -> list[Candidate]:
        """The candidates of this recognizer in *text* (already folded)."""
        check = self.validator
        return [
            (m.start(), m.end(), self.entity, float(self.score))
            for m in self.pattern.finditer(text)
            if m.end() > m.start() and (check is None or check(m.group()))
        ]


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for exact *terms*.

    A term that starts or ends with an ASCII letter or digit must not continue
    a longer word there.
    """
    parts = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        escaped = re.escape(term)
        if term[0].isascii() and term[0].isalnum():
            escaped = r"(?<![0-9A-Za-z_])" + escaped
        if term[-1].isascii() and term[-1].isalnum():
            escaped += r"(?![0-9A-Za-z_])"
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else None


def fold(text: str) -> str:
    """*text* with full-width forms, spaces, line breaks and dashes folded, offsets kept."""
    if text.isascii():
        return text.translate(_ASCII_FOLD) if _LINE_BREAKS.search(text) else text
    return text.translate(_fold_table()) if _NEEDS_FOLD.search(text) else text


def canonical(text: str) -> str:
    """*text* without invisible characters and with the digits of every script folded to ASCII.

    For comparing values (pseudonyms): ``138\u200e1234\u200e5678`` and
    Arabic-Indic digits are the number ``13812345678``.
    """
    if not text.isascii() and _INVISIBLE.search(text) is not None:
        text = _INVISIBLE.sub("", text)
    return fold(text)


_ALLOW_DROP: Final = str.maketrans("", "", " -.()+\t")


def allow_key(value: str) -> str:
    """How an allow-list entry and a finding are compared: NFKC, case-folded, separators dropped."""
    return unicodedata.normalize("NFKC", value).casefold().translate(_ALLOW_DROP)


class DenyList:
    """Exact terms reported as an entity (project code names, customer names).

    Args:
        terms: Entity name → the terms reported as that entity.
    """

    __slots__ = ("_patterns",)

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        patterns = []
        for entity, words in terms.items():
            _check_entity(None, _ENTITY_ATTRIBUTE, entity)
            pattern = _terms_pattern((words,) if isinstance(words, str) else words)
            if pattern is not None:
                patterns.append((entity, pattern))
        self._patterns = tuple(patterns)

    @property
    def entities(self) -> frozenset[str]:
        """The entities the list reports."""
        return frozenset(entity for entity, _ in self._patterns)

    def find(self, text: str) -> list[Candidate]:
        """Every occurrence of a term in *text*."""
        return [
            (m.start(), m.end(), entity, _SCORE_DENY)
            for entity, pattern in self._patterns
            for m in pattern.finditer(text)
        ]


_ENTITY_ATTRIBUTE: Final = attrs.fields(Recognizer).entity


# -- the scanner ---------------------------------------------------------------------------

Pass = Callable[[str], list[Candidate]]


def _regex_pass(
    pattern: re.Pattern[str],
    classify: Callable[[str], str | None],
    score: Callable[[str, str], float],
) -> Pass:
    def run(text: str) -> list[Candidate]:
        out = []
        for match in pattern.finditer(text):
            found = match.group()
            entity = classify(found)
            if entity is not None:
                out.append((match.start(), match.end(), entity, score(entity, found)))
        return out

    return run


def _fixed(entity: str, check: Callable[[str], bool]) -> Callable[[str], str | None]:
    return lambda text: entity if check(text) else None


_BOTH_IDS: Final = frozenset({CN_RESIDENT_ID, CN_USCC})
_IDS_AND_SSN: Final = _BOTH_IDS | {US_SSN}
_TRAVEL_ENTITIES: Final = frozenset({CN_PASSPORT, CN_HK_MACAU_PERMIT, CN_TAIWAN_PERMIT})
_DIGIT_ENTITIES: Final = frozenset({PAYMENT_CARD, CN_MOBILE, PHONE})


def _iban_pass(text: str) -> list[Candidate]:
    """Valid IBANs; the search goes on right after each one, or after the first letter of a miss.

    A candidate may run into the next word (another IBAN, ``"BE71 … GB82 …"``),
    so the search never resumes after its whole match: an IBAN found ends at
    its country's length, and an invalid candidate may hide a valid one that
    starts inside it. Each search reads at most one candidate (a bounded
    number of characters) past its start: linear.
    """
    out = []
    position = 0
    search = _IBAN.search
    while (match := search(text, position)) is not None:
        start = match.start()
        length = _iban_span(match.group())
        if length is None:
            position = start + 1
        else:
            out.append((start, start + length, IBAN, _SCORE_CHECKED))
            position = start + length
    return out


# The full stops of CJK input methods (ideographic, halfwidth ideographic,
# small): a dot between domain labels where an ASCII label follows
# ("name@example。com"); the full-width one is folded with the other
# full-width forms. One code point for one, so offsets stay.
_WIDE_STOP: Final = re.compile("[\u3002\uff61\ufe52](?=[A-Za-z0-9])")


def _email_pass(text: str) -> list[Candidate]:
    if "@" not in text:
        return []
    if not text.isascii() and _WIDE_STOP.search(text) is not None:
        # Only before an ASCII label: "zs@example.com。谢谢" ends the
        # sentence, it does not continue the domain.
        text = _WIDE_STOP.sub(".", text)
    return [(s, e, EMAIL, _SCORE_EMAIL) for s, e in email_matches(text) if email_ok(text[s:e])]


def _ipv4_pass(text: str) -> list[Candidate]:
    if not _may_hold_ipv4(text):
        return []
    # The IPv4 pattern admits only octets 0-255, so every match is an address.
    return [(m.start(), m.end(), IP_ADDRESS, _SCORE_IP) for m in _IPV4.finditer(text)]


def _ipv6_pass(text: str) -> list[Candidate]:
    if not _may_hold_ipv6(text):
        return []
    return [
        (m.start(), m.end(), IP_ADDRESS, _SCORE_IP)
        for m in _IPV6.finditer(text)
        if _ipv6(m.group()) is not None
    ]


_WORD_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")


_HEX_TOKEN: Final = re.compile(r"[0-9A-Fa-f]{0,16}")
_ALNUM_TAIL: Final = re.compile(r"[0-9A-Za-z]{0,16}\Z")
_HEX_LOOK: Final = 16  # characters looked at on each side of a glued run


def _in_hex(text: str, start: int, end: int) -> bool:
    """True if the letters and digits around a run (up to 16 each side) are all hex digits.

    A request id or a hash (``req=d57bc17731415371``) holds digit runs that
    read as mobile numbers: inside such a token a glued value needs a
    context word.
    """
    before = text[max(0, start - _HEX_LOOK) : start]
    tail = _ALNUM_TAIL.search(before)
    left = tail.group() if tail is not None else ""
    right = text[end : end + _HEX_LOOK]
    lead = _HEX_TOKEN.match(right)
    after_hex = lead.end() if lead is not None else 0
    if after_hex < len(right) and right[after_hex].isascii() and right[after_hex].isalnum():
        return False  # a letter beyond f after the run
    return (left != "" or after_hex > 0) and _HEX_TOKEN.fullmatch(left) is not None


def _inside_iban(text: str, start: int, end: int) -> bool:
    """True if the run at *start*:*end* lies inside a valid IBAN starting two letters before it.

    The IBAN pass reports that IBAN, which covers the run; a run that goes
    on past the IBAN's end is classified as usual.
    """
    if start < len("FR") or not text[start - 2 : start].isalpha():
        return False
    match = _IBAN.match(text, start - 2)
    if match is None:
        return False
    length = _iban_span(match.group())
    return length is not None and end <= start - 2 + length


def _digits_pass(classifier: _Digits, *, ibans: bool = False) -> Pass:
    """The digit-run pass; with *ibans*, runs inside an IBAN the IBAN pass finds are skipped."""
    find = classifier.find
    find_glued = classifier.find_glued
    word = _WORD_CHARS
    shortest = _RUN_DIGITS.start

    def run(text: str) -> list[Candidate]:
        out: list[Candidate] = []
        size = len(text)
        for match in _DIGITS.finditer(text):
            start, end = match.span()
            if end - start < shortest:
                continue  # fewer characters than the digits of any entity
            after = text[end] if end < size else ""
            if after in word or (start and text[start - 1] in word):
                if ibans and _inside_iban(text, start, end):
                    continue
                found = find_glued(
                    match.group(),
                    start,
                    after,
                    hex_token=functools.partial(_in_hex, text, start, end),
                )
            else:
                found = find(match.group(), start, after)
            if found:
                out.extend(found)
        return out

    return run


def _travel_pass(wanted: frozenset[str]) -> Pass:
    def classify(text: str) -> str | None:
        entity = _travel(text)
        return entity if entity in wanted else None

    return _regex_pass(_TRAVEL, classify, _travel_score)


def _passes(wanted: frozenset[str], regions: tuple[str, ...]) -> tuple[Pass, ...]:
    """The passes that find *wanted*, sharing one pass among identifiers where they can.

    All three of resident ID, credit code and SSN: one pass; both
    identifiers: one pass for them and one for the SSN; otherwise one each.
    """
    passes: list[Pass] = []
    if wanted >= _IDS_AND_SSN:
        passes.append(_regex_pass(_IDS_OR_SSN, _ids_or_ssn, _id_score))
    else:
        if wanted >= _BOTH_IDS:
            passes.append(_regex_pass(_RESIDENT_ID_OR_USCC, _resident_id_or_uscc, _id_score))
        elif CN_RESIDENT_ID in wanted:
            only_id = _fixed(CN_RESIDENT_ID, lambda t: _resident_id_or_uscc(t) == CN_RESIDENT_ID)
            passes.append(_regex_pass(_RESIDENT_ID, only_id, _id_score))
        elif CN_USCC in wanted:
            passes.append(_regex_pass(_USCC, _fixed(CN_USCC, is_cn_uscc), _id_score))
        if US_SSN in wanted:
            passes.append(_regex_pass(_SSN, _fixed(US_SSN, is_us_ssn), _id_score))
    if IBAN in wanted:
        passes.append(_iban_pass)
    if wanted & _DIGIT_ENTITIES or CN_RESIDENT_ID in wanted:  # IDs glued to letters, too
        digits = _Digits(wanted & _DIGIT_ENTITIES, regions, resident_ids=CN_RESIDENT_ID in wanted)
        passes.append(_digits_pass(digits, ibans=IBAN in wanted))
    if wanted & _TRAVEL_ENTITIES:
        passes.append(_travel_pass(wanted & _TRAVEL_ENTITIES))
    if EMAIL in wanted:
        passes.append(_email_pass)
    if IP_ADDRESS in wanted:
        passes.extend((_ipv4_pass, _ipv6_pass))
    return tuple(passes)


_RANK: Final[dict[str, int]] = {entity: rank for rank, entity in enumerate(DETECTABLE)}
_CUSTOM_RANK: Final = len(DETECTABLE)


def _check_threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PolicyConfigError("must be a number from 0 to 1", field="threshold")
    return float(value)


def _check_regions(regions: Iterable[object]) -> tuple[str, ...]:
    checked: tuple[object, ...] = (regions,) if isinstance(regions, str) else tuple(regions)
    for region in checked:
        if not isinstance(region, str) or not known_region(region):
            raise PolicyConfigError(
                "unknown region code (use ISO 3166-1 alpha-2, e.g. 'CN', 'US')",
                field="phone_regions",
            )
    return tuple(str(region) for region in checked)


class Scanner:
    """Finds personal data in text and validates every match before reporting it.

    Works inside Chinese text without spaces, with full-width digits and
    letters, and with common separators (``138 1234 5678``,
    ``+86-138-1234-5678``, ``4111-1111-1111-1111``, ``972.238.9261``,
    no-break spaces and em dashes). Check digits are verified (Luhn and the
    issuer's range and length for cards, MOD 11-2 for resident IDs, MOD 97 for
    IBANs, GB 32100 and the region code for credit codes), and telephone
    numbers are validated with phonenumbers' metadata. A run of digits that is
    not one entity is retried in parts split at its separators, so
    ``13812345678 13987654321`` gives two mobile numbers and a card followed
    by its expiry date is still found. Every pattern has bounded repetition
    or is linear by construction, so time is linear in the text length.

    Each finding has a score; findings scoring below *threshold* are not
    reported. Context words shortly before a finding raise its score.

    Args:
        entities: The entity names to look for (default: all detectable ones,
            those of *recognizers* and *deny_list* included).
        phone_regions: The regions whose national phone formats are
            recognised (``020 7946 0958`` is a UK number only if ``"GB"`` is
            among them); international numbers are recognised for every
            region. Default: ``DEFAULT_PHONE_REGIONS``.
        threshold: The lowest score reported (0 to 1, default 0.5).
        recognizers: Custom :class:`Recognizer` objects.
        allow_list: Values never reported (test card numbers, the company's
            own hotline), compared after NFKC folding, case folding and
            dropping spaces, dashes, dots, parentheses and ``+``.
        deny_list: Entity name → exact terms always reported as that entity
            (project code names, customer names), with score 1.

    Raises:
        PolicyConfigError: For an entity name the scanner cannot detect, an
            unknown region, or a threshold outside 0 to 1.

    Example:
        >>> [f.entity for f in Scanner().find("客户张三，手机13812345678，邮箱 zs@example.com")]
        ['CN_MOBILE', 'EMAIL']
    """

    __slots__ = (
        "_all",
        "_allow",
        "_allow_values",
        "_contexts",
        "_custom",
        "_deny",
        "_deny_terms",
        "_passes",
        "_ranks",
        "entities",
        "phone_regions",
        "recognizers",
        "threshold",
    )

    def __init__(
        self,
        entities: Iterable[str] | None = None,
        *,
        phone_regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
        threshold: float = 0.5,
        recognizers: Iterable[Recognizer] = (),
        allow_list: Iterable[str] = (),
        deny_list: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.recognizers: tuple[Recognizer, ...] = tuple(recognizers)
        for recognizer in self.recognizers:
            if not isinstance(recognizer, Recognizer):
                raise PolicyConfigError("must be Recognizer objects", field="recognizers")
        self._deny_terms = {
            k: tuple((v,) if isinstance(v, str) else v) for k, v in (deny_list or {}).items()
        }
        self._deny = DenyList(self._deny_terms)
        custom = {r.entity for r in self.recognizers} | self._deny.entities
        known = (*DETECTABLE, *sorted(custom - set(DETECTABLE)))
        wanted = tuple(known if entities is None else entities)
        unknown = sorted(str(e) for e in set(wanted) - set(known))
        if unknown:
            raise PolicyConfigError(
                f"cannot detect {', '.join(unknown)}; detectable: {', '.join(known)}",
                field="entities",
            )
        self._all = entities is None
        self.entities = frozenset(wanted)
        self.phone_regions = _check_regions(phone_regions)
        self.threshold = _check_threshold(threshold)
        if isinstance(allow_list, str):
            allow_list = (allow_list,)
        self._allow_values = tuple(allow_list)
        self._allow = frozenset(allow_key(v) for v in allow_list)
        self._ranks = {entity: _RANK.get(entity, _CUSTOM_RANK) for entity in known}
        contexts = {e: list(words) for e, words in CONTEXT_WORDS.items()}
        for recognizer in self.recognizers:
            contexts.setdefault(recognizer.entity, []).extend(recognizer.context)
        self._contexts = {e: _ctx_pattern(w) for e, w in contexts.items() if w}
        self._passes = _passes(self.entities, self.phone_regions)
        self._custom = bool(self.recognizers) or bool(self._deny.entities)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments: its compiled passes are closures, and a
        # scanner must pickle cleanly to worker processes (Spark executors).
        return (
            _rebuild_scanner,
            (
                None if self._all else tuple(sorted(self.entities)),
                self.phone_regions,
                self.threshold,
                self.recognizers,
                self._allow_values,
                self._deny_terms,
            ),
        )

    def register(self, recognizer: Recognizer) -> Scanner:
        """Add *recognizer* to this scanner and return the scanner (for chaining).

        Its entity is added to the scanner's entities. The scanner's state is
        replaced in one assignment per attribute, so a scan running in another
        thread sees the recognizer or not, never half of it; register
        recognizers while setting up, before sharing the scanner.

        .. versionadded:: 0.2
        """
        if not isinstance(recognizer, Recognizer):
            raise PolicyConfigError("must be a Recognizer", field="recognizer")
        entities = None if self._all else (*self.entities, recognizer.entity)
        built = Scanner(
            entities,
            phone_regions=self.phone_regions,
            threshold=self.threshold,
            recognizers=(*self.recognizers, recognizer),
            allow_list=self._allow_values,
            deny_list=self._deny_terms,
        )
        for name in Scanner.__slots__:
            setattr(self, name, getattr(built, name))
        return self

    def find(self, text: str) -> list[Finding]:
        """Every finding in *text* scoring at least the threshold, in order, without overlaps.

        Where candidates overlap, the longer one wins (an e-mail address that
        starts with a mobile number is an e-mail address), then the more
        specific entity.

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return [
            Finding(entity=e, start=s, end=t, text=text[s:t], score=score)
            for s, t, e, score in self.scored(text)
        ]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Like :meth:`find`, as ``(start, end, entity)`` tuples (no objects to build).

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return [(s, t, e) for s, t, e, _ in self._scan(text, exact=False)]

    def scored(self, text: str) -> list[Candidate]:
        """Like :meth:`find`, as ``(start, end, entity, score)`` tuples.

        .. versionadded:: 0.2

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return self._scan(text, exact=True)

    def _scan(self, text: str, *, exact: bool) -> list[Candidate]:
        """The findings; with *exact* False, context is looked for only below the threshold.

        A candidate already at the threshold is reported whatever its context,
        so :meth:`spans` and masking skip the look-back; :meth:`find` and
        :meth:`scored` report the score with its context.
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"text must be str, not {type(text).__name__}")
        folded = fold(text)
        candidates = self._candidates(folded)
        view = _second_reading(text, folded)
        if view is not None:
            # Read once more without the invisible characters, which may sit
            # anywhere inside a value ("110105\u200b19491231002X"), and with
            # percent-escapes decoded ("phone%3D13812345678", "zs%40qq.com");
            # the spans are mapped back onto the text.
            seen, starts, ends = view
            candidates.extend(
                (starts[s], ends[t - 1], e, score) for s, t, e, score in self._candidates(seen)
            )
        if not candidates:
            return candidates
        threshold = self.threshold
        contexts = self._contexts
        if not exact and all(c[3] >= threshold for c in candidates):
            kept = candidates  # at the threshold already: no look-back needed
        else:
            kept = _in_context(folded, candidates, contexts, threshold, exact=exact)
        if self._allow:
            allow = self._allow
            kept = [c for c in kept if allow_key(folded[c[0] : c[1]]) not in allow]
        return _resolve(kept, self._ranks) if len(kept) > 1 else kept

    def _candidates(self, folded: str) -> list[Candidate]:
        """The candidates of every pass, recognizer and deny-list in *folded* text."""
        candidates: list[Candidate] = []
        for run in self._passes:
            candidates.extend(run(folded))
        if self._custom:
            for recognizer in self.recognizers:
                if recognizer.entity in self.entities:
                    candidates.extend(recognizer.find(folded))
            candidates.extend(c for c in self._deny.find(folded) if c[2] in self.entities)
        return candidates

    def scan_lines(self, lines: Iterable[str]) -> Iterator[tuple[int, Finding]]:
        """Findings of each line of an iterable (a file), with 1-based line numbers.

        Memory is bounded by the longest line, whatever the number of lines.
        """
        for number, line in enumerate(lines, start=1):
            for finding in self.find(line):
                yield number, finding

    def __repr__(self) -> str:
        return f"Scanner({sorted(self.entities)}, threshold={self.threshold})"


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
    return kept


def _rebuild_scanner(  # noqa: PLR0917 (the constructor's arguments, for pickle)
    entities: tuple[str, ...] | None,
    phone_regions: tuple[str, ...],
    threshold: float,
    recognizers: tuple[Recognizer, ...],
    allow_list: tuple[str, ...],
    deny_list: dict[str, tuple[str, ...]],
) -> Scanner:
    """Unpickle a :class:`Scanner`."""
    return Scanner(
        entities,
        phone_regions=phone_regions,
        threshold=threshold,
        recognizers=recognizers,
        allow_list=allow_list,
        deny_list=deny_list,
    )
