"""Digit runs: cards, Chinese mobile numbers and telephone numbers, retried in parts."""

from __future__ import annotations

import functools
import operator
import re
from typing import TYPE_CHECKING, ClassVar, Final

from secpolicy.pii import _readings
from secpolicy.pii._entities import (
    CN_MOBILE,
    CN_RESIDENT_ID,
    PAYMENT_CARD,
    PHONE,
)
from secpolicy.pii._identifiers import (
    _IBAN,
    _IPV4_SHAPE,
    _iban_pass,
    _iban_span,
    _resident_id_or_uscc,
    _travel,
)
from secpolicy.pii._ids import _CARD_PREFIXES, card_issuer_ok, is_cn_resident_id, luhn_ok
from secpolicy.pii._phone import has_trunk_prefix, international, national_region
from secpolicy.pii._scoring import (
    _SCORE_CARD,
    _SCORE_CARD_COMMAS,
    _SCORE_CHECKED,
    _SCORE_GLUED,
    _SCORE_MOBILE,
    _SCORE_PHONE,
    _SCORE_PHONE_BARE,
    _SCORE_PHONE_INTL,
    _SCORE_PHONE_SPACED,
    Candidate,
    Pass,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

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
# (a + or a second parenthesis may follow an opening one: "(+86 138 …)", "((…",
# and a + may follow a digit: "020 7946 0958+44 20 7946 0958" is two numbers)
# behind a lookahead for 7 digits, with the boundary check moved after the
# first character so that the engine skips in C to the next digit, + or (
# (the pattern starts with that one class, so its search has a first
# character to skip to: an alternation of two starts has none).
# Letters and underscores may touch a run on either side ("uid13812345678",
# "invoice_13812345678.pdf"): such a run is a candidate whose weakly
# validated findings score below the threshold (see _Digits.find).
_DIGITS_HEAD: Final = (
    r"[0-9+(](?:(?<![0-9+(].)|(?<=\([+(])|(?<=[0-9]\+))"
    r"(?:(?<=[0-9])(?=" + _SIX_MORE + r")"
    r"|(?<=\+) ?(?=[0-9]" + _SIX_MORE + r")"
    r"|(?<=\()(?=[0-9]" + _SIX_MORE + r"))"
)
# An extension ends the run: "4111111111111111#020 7946 0958" is a card and a
# phone number, not a card with the extension 020 (the phone's groups then
# read as a run of their own, 7946 0958, and came out in clear).
_DIGITS_BODY: Final = (
    r"[0-9]*(?:" + _SEP + r"[0-9]+)*"
    r"(?: ?(?:ext\.? ?|x ?|# ?)[0-9]{1,6}(?!" + _SEP + r"[0-9]))?(?![0-9])"
)
_DIGITS: Final = re.compile(_DIGITS_HEAD + _DIGITS_BODY)
_GROUP: Final = re.compile(r"[0-9]+")
_DATE_FIRST: Final = re.compile(
    r"(?:19|20)[0-9]{2}([\-./])(?:0?[1-9]|1[0-2])\1(?:0?[1-9]|[12][0-9]|3[01])(?![0-9])"
    # day and month, or month and day, then the year: "31/12/2024", "12/31/2024"
    r"|(?:0?[1-9]|[12][0-9]|3[01])([\-./])(?:0?[1-9]|[12][0-9]|3[01])\2(?:19|20)[0-9]{2}(?![0-9])"
)
_NOT_COMMA: Final = re.compile(r"[ \-./()]")  # a separator of a run other than the comma
_EXTENSION: Final = re.compile(r" ?(?:ext\.? ?|x ?|# ?)[0-9]{1,6}\Z")
_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}")
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
_FREE_FEWEST: Final = min(*_FREE_TOTALS, _CARD_DIGITS.start)  # 10
_ZERO_GROUP: Final = re.compile(r"[^0-9]0")  # a group after the first that starts with 0
_CARD_GROUP: Final = 4  # the first group of a card written in groups
_NATIONAL_MAX: Final = 14  # digits of the longest national number with its trunk prefix
_MAX_GROUPS: Final = 8  # "+33 1 42 68 53 00 ext 12" has 7; no entity has more than 8
_BR_AREA_GROUP: Final = 2  # "11 98456-5666": a Brazilian area code as the first group
_BR_MOBILE_GROUP: Final = 4  # and the mobile number after it in groups of 4 or more
_MOBILE_FIRST_GROUP: Final = 3  # "138 1234 5678": the first group of a mobile has 3 or more
_MAX_ONE_DIGIT_GROUPS: Final = 2  # "+1 1 …" aside, no entity is written in one-digit groups
_MOBILE_DIGITS: Final = 11
_ID_LENGTH: Final = 18
_ID_BODY: Final = 17  # a resident ID without its check character
_MAX_GLUED: Final = 16  # values back to back in one run of digits


# -- the sieve: runs that can be no entity, turned away inside the regex engine --------------
#
# Most digit runs in logs are dates, timestamps, order ids and SSN-shaped
# numbers that no digit entity can be. Classifying each costs a few
# Python calls; the sieve is _DIGITS with a lookahead at the start of each run
# that recognises, in C, the run shapes for which classification is known to
# give nothing, and an empty group that only the other runs set. The pass
# iterates over the runs with the group set (filtered in C); the runs are the
# same as _DIGITS's, so the plain pass (every run classified) is its twin.
#
# Each shape ends where _DIGITS's run ends: no digit, no separator and digit,
# no extension after it (_END), so the shape describes the whole run.
_END: Final = r"(?![0-9]|(?:[ \-.,/]|\) ?| ?\()[0-9]| ?(?:ext|x|#))"
_YEAR: Final = r"(?:19|20)[0-9]{2}"
_MONTH: Final = r"(?:0?[1-9]|1[0-2])"
_DAY: Final = r"(?:0?[1-9]|[12][0-9]|3[01])"
# What _DATE_FIRST matches in full, without its groups: a date alone is no run.
_DATE_SHAPE: Final = (
    "(?:" + _YEAR + "(?:" + "|".join(f"{sep}{_MONTH}{sep}{_DAY}" for sep in ("-", "/", r"\."))
    + ")|" + _DAY + "(?:" + "|".join(f"{sep}{_DAY}{sep}" for sep in ("-", "/", r"\."))
    + ")" + _YEAR + ")"
)  # fmt: skip
# An IPv4-shaped run (the IPv4 pass reports it); after the first, no octet
# starts with 0, so that no part after an IBAN's end is a number with a trunk 0.
_IPV4_RUN: Final = r"[0-9]{1,3}(?:\.(?:[1-9][0-9]{0,2}|0)){3}"
# An SSN-shaped run starting with 1-9 ("520-05-1409", "763 39 9303"): too
# short for a card or mobile, without a trunk 0 for a phone, and every part
# short of the whole leaves out the first or last group, so holds fewer than
# the 7 digits of any entity.
_SSN_RUN: Final = r"[1-9][0-9]{2}[ \-][0-9]{2}[ \-][0-9]{4}"
_WORD_CLASS: Final = "[A-Za-z_]"  # _WORD_CHARS as a class
_NOT_GLUED_BEFORE: Final = "(?<!" + _WORD_CLASS + ")"
_NO_CODE_AFTER: Final = "(?!" + _WORD_CLASS + "[0-9A-Za-z_]{13})"


def _alternation(strings: frozenset[str]) -> str:
    """A regex for a set of digit strings of one length, as a trie (full branches collapsed)."""
    if not strings or "" in strings:
        return ""
    branches: dict[str, set[str]] = {}
    for text in strings:
        branches.setdefault(text[0], set()).add(text[1:])
    by_rest: dict[str, list[str]] = {}
    for first, rests in sorted(branches.items()):
        by_rest.setdefault(_alternation(frozenset(rests)), []).append(first)
    parts = []
    for rest, firsts in by_rest.items():
        chars = "".join(firsts)
        head = "[0-9]" if chars == "0123456789" else (chars if len(chars) == 1 else f"[{chars}]")
        parts.append(head + rest)
    return parts[0] if len(parts) == 1 else "(?:" + "|".join(parts) + ")"


def _bare_forms(entities: frozenset[str], length: int, *, trunkless: bool) -> list[str]:
    """Regexes of *length* digits for the bare runs starting with 1-9 that may be an entity.

    A superset of what :meth:`_Digits.classify` can accept in a run of one
    group: a national phone number of any digits where the length allows one
    without a trunk 0, a mobile number by its first digits, a card by its
    issuer's prefix and length (the Luhn check left to classify).
    """
    if PHONE in entities and length <= _NATIONAL_MAX and (trunkless or length in _UNPREFIXED):
        return [f"[0-9]{{{length}}}"]
    forms: list[tuple[str, int]] = []  # (regex, digits it matches)
    if CN_MOBILE in entities and length == _MOBILE_DIGITS:
        forms.append(("1[3-9]", 2))
    if CN_MOBILE in entities and length == _MOBILE_DIGITS + 2:
        forms.append(("861[3-9]", 4))
    if PAYMENT_CARD in entities and length in _CARD_DIGITS:
        issued = frozenset(p for p, lengths in _CARD_PREFIXES.items() if length in lengths)
        if issued:
            forms.append((_alternation(issued), len(next(iter(issued)))))
    return [f"{form}[0-9]{{{length - width}}}" for form, width in forms]


@functools.lru_cache(maxsize=64)
def _sieve(entities: frozenset[str], *, trunkless: bool, resident_ids: bool) -> re.Pattern[str]:
    """_DIGITS, with group 1 set only on the runs that may hold an entity for this classifier.

    A bare run of 7 to 20 digits is read one digit at a time to its end, and
    there a lookbehind of its length checks the whole run against
    :func:`_bare_forms` (the run's start is one after a non-digit, by the
    boundary check of _DIGITS); a run of 17 or 18 digits that touches a
    letter or underscore may be a glued resident ID. Where a region writes
    national numbers without a trunk prefix, SSN and IPv4 shapes may be
    phone numbers in part, so only bare runs and dates are sieved.
    """
    bare = ""
    for length in reversed(_RUN_DIGITS):
        checks = [f"(?<!{form})" for form in _bare_forms(entities, length, trunkless=trunkless)]
        if resident_ids and length in (_ID_BODY, _ID_LENGTH):
            checks.append(f"(?<!{_WORD_CLASS}[0-9]{{{length}}})")
            checks.append(f"(?!{_WORD_CLASS})")
        end = "(?![0-9])" + "".join(checks)
        bare = "[0-9](?:" + end + ("|" + bare if bare else "") + ")"
    bare = "[1-9][0-9]{5}" + bare
    grouped = [_DATE_SHAPE, *(() if trunkless else (_IPV4_RUN, _SSN_RUN))]
    # A run of several groups glued to a word may be cut where its first or
    # last group belongs to an identifier of another pass (_identifier_cut):
    # it is sieved only where no word touches its start, and no token of 14
    # letters or digits or more follows its end (a credit code's rest).
    never = (
        "(?:" + bare + _END + "|" + _NOT_GLUED_BEFORE + "(?:" + "|".join(grouped) + ")"
        + _END + _NO_CODE_AFTER + ")"
    )  # fmt: skip
    # The run's first character is consumed; the lookbehind steps back onto
    # it, and the lookahead inside reads the run from there.
    return re.compile(_DIGITS_HEAD + "(?:(?<=(?=" + never + ")[0-9])|())" + _DIGITS_BODY)


#: Whether a match of a sieve may hold an entity (its group 1 is set): a C callable for filter.
_MAY_HOLD: Final = operator.attrgetter("lastindex")


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

    __slots__ = ("brazil", "entities", "regions", "resident_ids", "sieve", "trunkless")

    #: Whether :meth:`find` skips work it can prove useless; a subclass that
    #: turns it off is the plain twin a Hypothesis test holds it to.
    shortcuts: ClassVar[bool] = True

    def __init__(
        self, entities: frozenset[str], regions: tuple[str, ...], *, resident_ids: bool = False
    ) -> None:
        self.entities = entities
        self.regions = regions
        self.resident_ids = resident_ids  # also look for resident IDs glued to letters or values
        # Whether a region writes national numbers without a trunk prefix
        # (North America aside): then any length may be a national number.
        self.brazil = "BR" in regions  # mobile numbers written without a trunk 0
        self.trunkless = any(
            not has_trunk_prefix(region) for region in regions if region not in ("US", "CA")
        )
        # _DIGITS with the runs that can be no entity of this classifier unmarked.
        self.sieve = _sieve(entities, trunkless=self.trunkless, resident_ids=resident_ids)

    def classify(self, run: str, digits: str, sizes: list[int]) -> tuple[str, float] | None:
        """The entity and score of one run (it may start with + or a parenthesis), or None."""
        size = len(digits)
        if size not in _RUN_DIGITS or len(sizes) > _MAX_GROUPS:
            return None
        second = sizes[1] if len(sizes) > 1 else 0
        if (
            not self.lead_ok(run[0], digits, sizes[0], second)
            or sizes.count(1) > _MAX_ONE_DIGIT_GROUPS
        ):
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
        if "," in run and _NOT_COMMA.search(run):
            return None  # "(415) 555-0132,0001": a comma ends a number written with others
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

    def lead_ok(self, lead: str, digits: str, first: int, second: int = 0) -> bool:
        """Whether a run can be any entity by its first group (a quick reject by shape).

        Cards start with a group of 4 or more, mobile numbers with 3 or more
        (or ``86``), phones with ``+``, a parenthesis, a trunk ``0``, the
        ``1`` of North America, or a group of 3 or more; with Brazil among
        the regions, a two-digit area code followed by a group of 4 or more
        (*second*, the size of the next group). So a run of one- and
        two-digit groups ("1-1-1-1", "12 12 12") is turned away at each
        group without being classified.
        """
        if first >= _MOBILE_FIRST_GROUP or lead in "+(" or self.trunkless:
            return True
        if first == _BR_AREA_GROUP and (second >= _BR_MOBILE_GROUP or second == 1) and self.brazil:
            # "11 98456-5666", "11 9 8456-5666": a Brazilian area code, then
            # the mobile number (its leading 9 may stand apart)
            return True
        if first == 1:
            return digits[0] in "01"
        return digits[0] == "0" or digits[:2] == "86"

    def find_glued(
        self,
        text: str,
        offset: int,
        after: str,
        *,
        hex_token: Callable[[], bool] = bool,
        edges: tuple[bool, bool] = (True, True),
    ) -> list[Candidate]:
        """Candidates of a run that touches an ASCII letter or underscore (*after*: what follows).

        Only strong checks keep their score: a card (issuer range and Luhn),
        a mobile number, a resident ID (its check character; the ``X`` may be
        the letter the run touches). Phone numbers score below the threshold:
        a context word must vouch for them; so do cards and mobile numbers
        inside a token of hex digits (*hex_token* says whether the run is in
        one, a request id or a hash; it is asked only when there is a finding).
        Where each glued edge of the run (*edges*: its start, its end) is held
        by a value of its own, only the findings at a glued edge are glued:
        in ``(0755) 5185987 11010519491231002X`` the ``X`` ends the ID, and
        in ``uid13812345678 020 7946 0958`` the letters touch the mobile
        number, not the phone number after it. And only a finding that
        touches a glued edge (no separator between them) is glued at all: in
        ``user1 020 7946 0958`` or ``0755-12345678 2024-05-01T12:30:01Z`` the
        phone number stands apart from the word, save in a token whose two
        digits after the letters start groups (an IBAN's check digits,
        ``FR15 2845 …``), whose groups are all its own.
        """
        found = self.find(text, offset, after)
        if found:
            weak = (PHONE, CN_MOBILE, PAYMENT_CARD) if hex_token() else (PHONE,)
            first = offset if edges[0] else -1
            last = offset + len(text) if edges[1] else -1
            held = (
                not edges[0] or any(c[0] == first and c[2] not in weak for c in found),
                not edges[1]
                or any(c[1] == last and c[2] not in weak for c in found)
                or self._id_at_end(text, after),
            )
            apart = held[0] and held[1]
            stop = offset + len(text)
            token = edges[0] and text[:2].isdigit() and text[2:3] in _IBAN_GROUP_SEPARATORS
            found = [
                (s, e, entity, min(score, _SCORE_GLUED))
                if entity in weak
                and (not apart or s == first or e == last)
                and (
                    token
                    or (edges[0] and (s == offset or text[: s - offset].isdigit()))
                    or (edges[1] and (e == stop or text[e - offset :].isdigit()))
                )
                else (s, e, entity, score)
                for s, e, entity, score in found
            ]
        if self.resident_ids and text.isdigit():
            number = text + after if len(text) == _ID_BODY and after in ("X", "x") else text
            if len(number) == _ID_LENGTH and is_cn_resident_id(number):
                found.append((offset, offset + len(number), CN_RESIDENT_ID, _SCORE_CHECKED))
        return found

    @staticmethod
    def _id_at_end(text: str, after: str) -> bool:
        """Whether the last group of *text* and the ``X`` after it are a resident ID."""
        if after not in ("X", "x") or len(text) < _ID_BODY:
            return False
        body = text[-_ID_BODY:]
        edge = len(text) == _ID_BODY or not text[-_ID_BODY - 1].isdigit()
        return edge and body.isdigit() and is_cn_resident_id(body + "X")

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

    def find(self, text: str, offset: int, after: str = "") -> list[Candidate]:
        """Candidates in one match of ``_DIGITS`` (*text*, found at *offset*, *after* following).

        A ``+`` before a run in which nothing is found read as a number
        dialled abroad is no country-code sign but a joiner
        (``zs@example.com+13812345678``, ``a+4111111111111111``: no
        ``+1 381 …``): the run is read again without it.
        """
        found = self._find_run(text, offset, after)
        if found or text[0] != "+":
            return found
        sign = 2 if text[1] == " " else 1
        return self._find_run(text[sign:], offset + sign, after)

    def _find_run(self, text: str, offset: int, after: str) -> list[Candidate]:  # noqa: PLR0911, PLR0912 (one return per form of run)
        """:meth:`find` for the run as written, its ``+`` read as a country-code sign."""
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
        sizes = list(map(len, parts))
        whole = self.classify(text, "".join(parts), sizes)
        if whole is not None:
            entity, score = whole
            end = len(text) + (len(extension) if entity == PHONE else 0)
            return [(offset, offset + end, entity, score)]
        longest = sum(sizes) - min(sizes[0], sizes[-1])
        if (
            self.shortcuts
            and longest < _FREE_FEWEST
            and (longest < _RUN_DIGITS.start or longest < self._fewest(text))
            and max(sizes) < _RUN_DIGITS.stop
        ):
            # Every part of the run short of the whole (a sub-run, or what
            # follows a date) leaves out its first or last group, so holds too
            # few digits for any entity, and no group is long enough to hold
            # values glued together: nothing to retry ("520-05-1409",
            # "628 846 1088").
            return []
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

    def _fewest(self, text: str) -> int:
        """The fewest digits any part of the run *text* needs to be classified as an entity.

        Without ``+``, a parenthesis or a group starting with a trunk ``0``
        (and in regions that all have one), a part can only be a North
        American or service number, a mobile number or a card: 10 digits or
        more. Otherwise 7.
        """
        if self.trunkless or "+" in text or "(" in text or text[0] == "0":
            return _RUN_DIGITS.start
        return _FREE_FEWEST if _ZERO_GROUP.search(text) is None else _RUN_DIGITS.start

    def split(self, text: str, groups: list[tuple[int, int]]) -> list[Candidate]:
        """Sub-runs of a run that failed as a whole: the most specific and longest first.

        Every sub-run of 7 to 20 digits in at most 8 groups is classified (no
        entity is longer), so each group starts a bounded number of tries and
        the work is linear in the run. Then the findings are the set of
        values apart from each other that covers most of the run
        (:func:`_readings.choose`), so a phone number made of a neighbour and
        the start of a card or of another number does not hide either, and
        none takes part of an SSN or IPv4 address in the run. A sub-run keeps
        the + or parenthesis in front of its first group.
        """
        count = len(groups)
        sizes = [end - start for start, end in groups]
        parts = [text[start:end] for start, end in groups]
        options: list[tuple[int, int, int, int, int, str, float]] = []
        lead_ok = self.lead_ok
        for i in range(count):
            start = groups[i][0]
            if start > 0 and text[start - 1] in "+(":
                start -= 1
            second = sizes[i + 1] if i + 1 < count else 0
            if not lead_ok(text[start], text[groups[i][0] : groups[i][0] + 2], sizes[i], second):
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
                digits = "".join(parts[i : j + 1])
                result = self.classify(text[start : groups[j][1]], digits, sizes[i : j + 1])
                if result is not None:
                    rank = _SPLIT_RANK.get(result[0], len(_SPLIT_RANK))
                    options.append((rank, -total, i, j, start, result[0], result[1]))
        if not options:
            return []
        spans = _readings.foreign(text, groups)
        if len(options) == 1 and not spans:
            return [(o[4], groups[o[3]][1], o[5], o[6]) for o in options]
        return [
            (s, groups[j][1], e, score)
            for s, j, e, score in _readings.choose(options, count, spans)
        ]


#: Which entity of a split digit run wins where two overlap: the most specific.
_SPLIT_RANK: Final = {PAYMENT_CARD: 0, CN_MOBILE: 1, PHONE: 2}


_WORD_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_")
_WORD_LETTERS: Final = _WORD_CHARS - {"_"}
_IBAN_GROUP_SEPARATORS: Final = frozenset(" -./")  # between the groups of an IBAN
_EMAIL_END: Final = re.compile(
    r"@[A-Za-z0-9\-]{1,63}(?:\.[A-Za-z0-9\-]{1,63}){0,7}\.[A-Za-z]{2,63}\Z"
)
_EMAIL_START: Final = re.compile(r"[A-Za-z0-9.%+\-]{1,64}@[A-Za-z0-9]")
_IBAN_LONGEST: Final = 42  # characters of the longest IBAN, with separators between its groups


_DIGIT_SET: Final = frozenset("0123456789")
_TRAVEL_LENGTH: Final = 9  # a letter and 8 characters
# What _TRAVEL's match holds between its edges: a letter, then 8 digits or a
# letter (no I or O) and 7 digits. "card_4111" is nine characters starting
# with the permit's C, and no travel document.
_TRAVEL_BODY: Final = re.compile(r"[A-Za-z](?:[A-HJ-NP-Za-hj-np-z][0-9]{7}|[0-9]{8})")


def _identifier_cut(
    text: str, start: int, end: int, *, before: bool, after: bool
) -> tuple[int, int] | None:
    """The run at *start*:*end* without a first or last group inside another pass's identifier.

    Credit codes and resident IDs (18 characters of digits and letters) and
    travel documents (a letter and 8 digits) touch the letters of a run's
    glued edge: a run may begin or end inside one (``E12345678
    0755-5185987``, ``020 7946 0958 91350100M000100Y43``). The identifier's
    pass reports it; the rest of the run is no part of the glued token.
    None where neither edge is such a group.
    """
    cut_start, cut_end = start, end
    if before:
        head = start
        while head < end and text[head] in _DIGIT_SET:
            head += 1
        if start < head < end:
            travel = text[head - _TRAVEL_LENGTH : head]
            ident = text[head - _ID_LENGTH : head]
            if (
                len(travel) == _TRAVEL_LENGTH
                and _TRAVEL_BODY.fullmatch(travel) is not None
                and not text[head - _TRAVEL_LENGTH - 1 : head - _TRAVEL_LENGTH].isalnum()
                and _travel(travel) is not None
            ) or (
                len(ident) == _ID_LENGTH
                and not text[head - _ID_LENGTH - 1 : head - _ID_LENGTH].isalnum()
                and _resident_id_or_uscc(ident) is not None
            ):
                cut_start = head
                while cut_start < end and text[cut_start] not in "0123456789+(":
                    cut_start += 1
    if after:
        tail = end
        while tail > cut_start and text[tail - 1] in _DIGIT_SET:
            tail -= 1
        if cut_start < tail < end:
            ident = text[tail : tail + _ID_LENGTH]
            beside = text[tail + _ID_LENGTH : tail + _ID_LENGTH + 1]
            if (
                len(ident) == _ID_LENGTH
                and not (beside.isascii() and beside.isalnum())
                and _resident_id_or_uscc(ident) is not None
            ):
                cut_end = tail
                while cut_end > cut_start and text[cut_end - 1] not in "0123456789)":
                    cut_end -= 1
    return None if (cut_start, cut_end) == (start, end) else (cut_start, cut_end)


def _joins(text: str, at: int, side: int) -> bool:
    """Whether the underscore at *at* joins two values rather than gluing a run to a word.

    *side* is where the far side lies (-1 before, 1 after). An underscore
    between a run and a digit, a sign, a space or a CJK character joins two
    values as a space does (``000123_(0755) 5185987``); so does one between
    a run and the end of an e-mail address or of a resident ID in ``X``, or
    the start of a valid IBAN or of an e-mail address (which may take the
    run into its local part: the run's own finding keeps the rest covered).
    Letters or another underscore on the far side make a word the run is
    glued to (``uid_…``).
    """
    far = at + side
    if not 0 <= far < len(text) or text[far] not in _WORD_CHARS:
        return True
    if text[far] not in _WORD_LETTERS:
        return False
    if side > 0:
        if _EMAIL_START.match(text, far) is not None:
            return True  # "(0755) 5185987_zs@example.com": the address may take the run
        window = text[far : far + _IBAN_LONGEST]
        return any(start == 0 for start, _, _, _ in _iban_pass(window))
    if text[far] in "Xx" and far >= _ID_BODY and text[far - _ID_BODY : far].isdigit():
        edge = far == _ID_BODY or not text[far - _ID_BODY - 1].isalnum()
        return edge and is_cn_resident_id(text[far - _ID_BODY : far] + "X")
    return _EMAIL_END.search(text, max(0, at - 256), at) is not None


_HEX_TOKEN: Final = re.compile(r"[0-9A-Fa-f]{0,16}")
_ALNUM_TAIL: Final = re.compile(r"[0-9A-Za-z]{0,16}\Z")
_HEX_LOOK: Final = 16  # characters looked at on each side of a glued run


def _in_hex(text: str, start: int, end: int) -> bool:
    """True if the letters and digits around a run (up to 16 each side) are all hex digits.

    A request id or a hash (``req=d57bc17731415371``) holds digit runs that
    read as mobile numbers: inside such a token a glued value needs a
    context word. A run that starts with ``+`` or ``(`` (``ABC+8613812345678``)
    is written as a phone number: no hex token holds those signs.
    """
    if text.startswith(("+", "("), start):
        return False
    before = text[max(0, start - _HEX_LOOK) : start]
    tail = _ALNUM_TAIL.search(before)
    left = tail.group() if tail is not None else ""
    right = text[end : end + _HEX_LOOK]
    lead = _HEX_TOKEN.match(right)
    after_hex = lead.end() if lead is not None else 0
    if after_hex < len(right) and right[after_hex].isascii() and right[after_hex].isalnum():
        return False  # a letter beyond f after the run
    return (left != "" or after_hex > 0) and _HEX_TOKEN.fullmatch(left) is not None


def _iban_end(text: str, start: int) -> int | None:
    """The end of the valid IBAN that starts two letters before the run at *start*, or None."""
    if start < len("FR") or not text[start - 2 : start].isalpha():
        return None
    match = _IBAN.match(text, start - 2)
    if match is None:
        return None
    length = _iban_span(match.group())
    return None if length is None else start - 2 + length


def _inside_iban(text: str, start: int, end: int) -> bool:
    """True if the run at *start*:*end* lies inside a valid IBAN starting two letters before it.

    The IBAN pass reports that IBAN, which covers the run; a run that goes
    on past the IBAN's end is classified as usual.
    """
    iban_end = _iban_end(text, start)
    return iban_end is not None and end <= iban_end


def _digits_pass(  # noqa: PLR0915 (the IBAN, identifier and underscore cases of a run)
    classifier: _Digits, *, ibans: bool = False, skip: bool = True, sieve: bool = True
) -> Pass:
    """The digit-run pass; with *ibans*, the IBAN pass too.

    With *sieve* (and the classifier's shortcuts on), the runs of a text in
    which the IBAN pass finds nothing come from the classifier's sieve, which turns
    away in C the runs of a shape that can be no entity (dates, IPv4
    addresses, timestamps and ids outside every card range, SSN-shaped
    numbers): the same runs as ``_DIGITS``'s, less those whose
    classification gives nothing, so the pass with *sieve* False, which
    classifies every run, is its plain twin. Where an IBAN may be, a run
    that starts inside it is cut at its end, so every run is classified.

    With *ibans* the pass reports the IBAN pass's findings as well, and a
    run that lies inside one of those IBANs (``1256 5178 8002 15`` in
    ``GB08 ZPMD 1256 5178 8002 15``), or inside a valid IBAN that starts two
    letters before it, is not classified: the IBAN covers it, so it would
    lose to the IBAN when overlaps are resolved (a Hypothesis test holds the
    resolved findings to those of the pass with *skip* False, its plain twin).

    A run that goes on past a valid IBAN (reported or, without the IBAN
    entity, only looked for) is cut at the IBAN's end: what
    follows is read as the runs of its own that the pattern finds there
    (``DE89370400440532013000,13812345678,4111111111111111``,
    ``GB82WEST12345698765432 (0755) 5185987``), not as part of a run glued to
    the IBAN's letters (which scored its phone numbers, and its cards and
    mobiles after ``DE89``, the hex look, below the threshold) nor as
    numbers that begin inside the IBAN.
    """
    find = classifier.find
    find_glued = classifier.find_glued
    word = _WORD_CHARS
    shortest = _RUN_DIGITS.start
    sieved = sieve and classifier.shortcuts
    marked = classifier.sieve.finditer

    def scan(  # noqa: PLR0912 (the IBAN cases of a run)
        text: str,
        matches: Iterator[re.Match[str]],
        shift: int,
        covers: list[tuple[int, int]] | None,
        out: list[Candidate],
    ) -> None:
        """Read the runs *matches* finds (at *shift* in *text*) into *out*.

        *covers* are the IBANs, in order and apart (None: not looked for yet;
        without the IBAN pass they are looked for, not reported, when a run
        first touches a letter: only such a run can start inside an IBAN).
        """
        ahead = 0  # the next IBAN that may hold a run
        size = len(text)
        for match in matches:
            start, end = match.start() + shift, match.end() + shift
            group = match.group()
            if group[0] == "(" and ")" not in group:
                # A parenthesis that no group closes is punctuation, not an
                # area code: "(4111111111111111)", "f(13812345678)".
                start += 1
                group = group[1:]
            if end - start < shortest:
                continue  # fewer characters than the digits of any entity
            if covers is None and start > 1 and text[start - 1] in word:
                covers = [(s, e) for s, e, _, _ in _iban_pass(text)]
            if covers:
                while ahead < len(covers) and covers[ahead][1] <= start:
                    ahead += 1
                if ahead < len(covers) and covers[ahead][0] <= start:
                    iban_end = covers[ahead][1]
                    if iban_end < end:
                        # The run goes on past the IBAN: what follows is read
                        # on its own, matched in the rest alone so that the
                        # IBAN's end is a boundary ("…5432(0755) 5185987" gives
                        # the phone with its parenthesis). No IBAN starts in
                        # the rest, which holds no letter.
                        rest = _DIGITS.finditer(text[iban_end:end])
                        scan(text, rest, iban_end, [], out)
                        if ibans and skip:
                            continue  # the part inside the IBAN is the IBAN's
                        end = iban_end
                        group = text[start:end]
                    elif ibans and skip:
                        continue  # inside an IBAN found
            after = text[end] if end < size else ""
            # A run written with its + or area-code parenthesis first has that
            # sign between it and any letters before ("zs@example.com+44 20 …").
            before = bool(start) and text[start - 1] in word and group[0] not in "+("
            if (before or after in word) and not group.isdigit():
                # A run whose first or last group is part of an identifier of
                # another pass glued to letters ("E12345678 0755-5185987",
                # "… 91350100M000100Y43") is cut there: the rest is no part
                # of that token.
                cut = _identifier_cut(text, start, end, before=before, after=after in word)
                if cut is not None:
                    start, end = cut
                    if end - start < shortest:
                        continue
                    group = text[start:end]
                    after = text[end] if end < size else ""
                    before = bool(start) and text[start - 1] in word and group[0] not in "+("
            if before or after in word:
                if ibans and skip and _inside_iban(text, start, end):
                    continue
                glued = (
                    before and not (text[start - 1] == "_" and _joins(text, start - 1, -1)),
                    after in word and not (after == "_" and _joins(text, end, 1)),
                )
                found = find_glued(
                    group,
                    start,
                    after,
                    hex_token=functools.partial(_in_hex, text, start, end),
                    edges=glued,
                )
            else:
                found = find(group, start, after)
            if found:
                out.extend(found)

    def run(text: str) -> list[Candidate]:
        out: list[Candidate] = _iban_pass(text) if ibans else []
        covers = [(s, e) for s, e, _, _ in out] if ibans else None
        if sieved and (not out if ibans else not _iban_pass(text)):
            scan(text, filter(_MAY_HOLD, marked(text)), 0, [], out)
        else:
            scan(text, _DIGITS.finditer(text), 0, covers, out)
        return out

    return run
