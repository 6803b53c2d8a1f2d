"""Identifier patterns and their classifiers, each a regular-expression pass.

Resident IDs, credit codes, SSNs, IBANs, travel documents and IP addresses.
"""

from __future__ import annotations

import re
from ipaddress import IPv6Address
from typing import TYPE_CHECKING, Final, cast

from secpolicy.exceptions import PolicyConfigError
from secpolicy.pii._entities import (
    CN_HK_MACAU_PERMIT,
    CN_PASSPORT,
    CN_RESIDENT_ID,
    CN_TAIWAN_PERMIT,
    CN_USCC,
    IBAN,
    IP_ADDRESS,
    US_SSN,
)
from secpolicy.pii._ids import (
    IBAN_DIGIT_COUNTRIES,
    IBAN_LENGTHS,
    _resident_id_match_ok,
    _ssn_match_ok,
    _uscc_match_ok,
    iban_ok,
    luhn_ok,
)
from secpolicy.pii._scoring import (
    _SCORE_CHECKED,
    _SCORE_IP,
    _SCORE_SSN,
    _SCORE_SSN_LOOSE,
    _SCORE_SSN_MIXED,
    _SCORE_TRAVEL,
    _SCORE_TRAVEL_LOWER,
    Candidate,
    Pass,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    # One pass of a pattern: the pattern, what a match is (or None), its score.
    _Part = tuple[re.Pattern[str], Callable[[str], str | None], Callable[[str, str], float]]

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
    r"|[0-9]{5}[ \-./]" + _DATE + r"[ \-./][0-9]{3}[0-9Xx]"
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
# Country code, check digits, then letters and digits with at most one space,
# dash, dot, slash or underscore between them (log keys and file names write
# "DE89_3704_0044_0532_0130_00"; the length and MOD 97 check decide, as for
# the other separators). The candidate may run into the next word; the
# classifier cuts it at the country's IBAN length. This is the plain form;
# _IBAN below finds the candidates of it that can validate.
_IBAN_ANY: Final = re.compile(
    r"[A-Za-z]" + _AFTER_FIRST + r"[A-Za-z][0-9]{2}(?:[ \-./_]?[A-Za-z0-9]){11,34}"
)


def _second_letters(countries: Iterable[str]) -> str:
    """A pattern for the second letter of *countries*, after their first (any case)."""
    by_first: dict[str, str] = {}
    for country in sorted(countries):
        by_first[country[0]] = by_first.get(country[0], "") + country[1]
    return "|".join(
        f"(?<=[{first}{first.lower()}])[{seconds}{seconds.lower()}]"
        for first, seconds in by_first.items()
    )


# The fast form: only countries of the registry, and where a country's
# account number is digits only, digits only (so a megabyte of "BE71-" is
# turned away in C rather than cut and checked at each letter). A letter
# right after the digits is refused as a continuation of the token, which is
# what the cut of the plain form refuses. The same IBANs are found (a
# Hypothesis test holds the two to agreement).
_IBAN: Final = re.compile(
    r"[A-Za-z]"
    + _AFTER_FIRST
    + "(?:(?:"
    + _second_letters(IBAN_DIGIT_COUNTRIES & IBAN_LENGTHS.keys())
    + r")[0-9]{2}(?:[ \-./_]?[0-9]){11,30}(?![A-Za-z])|(?:"
    + _second_letters(IBAN_LENGTHS.keys() - IBAN_DIGIT_COUNTRIES)
    + r")[0-9]{2}(?:[ \-./_]?[A-Za-z0-9]){11,34})"
)
# After the first digit. The two separators may differ ("123-45 6789", or
# "123  45 - 6789" once wide separators are narrowed); such an SSN scores
# below the threshold and needs a context word.
_SSN_REST: Final = r"[0-9]{2}[ \-./][0-9]{2}[ \-./][0-9]{4}"
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
# An SSN beside an underscore ("ssn_193-89-6740", "193-89-6740_2024.csv"),
# which the pattern above takes for a word character: the search skips in C
# to each underscore with a digit beside it, and an SSN is read on each side.
_SSN_SHAPE: Final = re.compile(r"[0-9]{3}[ \-./][0-9]{2}[ \-./][0-9]{4}")
_UNDERSCORE_BY_DIGIT: Final = re.compile(r"_(?:(?<=[0-9]_)|(?=[0-9]))")
_SSN_SIZE: Final = 11
_ALNUM: Final = frozenset("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")


def _ssn_underscore_pass(text: str) -> list[Candidate]:
    """SSNs with an underscore on one side or both, valid as the SSN pass has them.

    An SSN between two underscores is read once, from the one before it.
    """
    if "_" not in text:
        return []
    out = []
    size = len(text)
    for match in _UNDERSCORE_BY_DIGIT.finditer(text):
        at = match.start()
        first = at - _SSN_SIZE
        if (
            first >= 0
            and (first == 0 or (text[first - 1] not in _ALNUM and text[first - 1] != "_"))
            and _SSN_SHAPE.fullmatch(text, first, at)
            and _ssn_match_ok(text[first:at])
        ):
            out.append((first, at, US_SSN, _id_score(US_SSN, text[first:at])))
        end = at + 1 + _SSN_SIZE
        if (
            _SSN_SHAPE.match(text, at + 1)
            and (end == size or text[end] not in _ALNUM)
            and _ssn_match_ok(text[at + 1 : end])
        ):
            out.append((at + 1, end, US_SSN, _id_score(US_SSN, text[at + 1 : end])))
    return out


def _underscore_pass(parts: tuple[_Part, ...]) -> Pass:
    """The identifiers of *parts* right after an underscore (``id_110105_19491231_002X``).

    Their patterns turn away a match after a letter, digit or underscore
    (the match would be part of a word); after an underscore, which joins
    the words of a file name or a log key (``passport_E12345678.pdf``,
    ``uscc_91350100M000100Y43``), the value is read as after a space: each
    pattern is tried at every underscore, with its check before asking for
    that underscore.
    """
    after = tuple(
        (re.compile(pattern.pattern.replace(_AFTER_FIRST, "(?<=_.)")), classify, score)
        for pattern, classify, score in parts
    )

    def run(text: str) -> list[Candidate]:
        if "_" not in text:
            return []
        out = []
        at = text.find("_")
        while at >= 0:
            for pattern, classify, score in after:
                match = pattern.match(text, at + 1)
                if match is not None:
                    found = match.group()
                    entity = classify(found)
                    if entity is not None:
                        out.append((match.start(), match.end(), entity, score(entity, found)))
                        break
            at = text.find("_", at + 1)
        return out

    return run


# Passports, Hong Kong/Macao and Taiwan travel permits: a letter and 8 characters.
_TRAVEL: Final = re.compile(
    r"[CDEGLPScdeglps]" + _AFTER_FIRST + r"(?:[A-HJ-NP-Za-hj-np-z][0-9]{7}|[0-9]{8})" + _NOT_AFTER
)
_IPV4_OCTET: Final = r"(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])"
# The first octet after its first digit, with the alternatives in the same order.
_IPV4_OCTET_REST: Final = r"(?:(?<=2)(?:5[0-5]|[0-4][0-9])|(?<=1)[0-9]{2}|(?<=[1-9])[0-9]|)"
# Before the address: no letter, digit or dot, but an underscore ("ip_10.0.0.1",
# a log key) or a dot after a letter ("host.10.0.0.1", "zs@example.com.10.0.0.1")
# may stand there; a digit or dot before a dot is a longer dotted number
# ("1.2.3.4.5"), a letter a version ("v1.2.3.4").
_IPV4: Final = re.compile(
    r"[0-9](?:(?<=[A-Za-z]\..)|(?<![0-9A-Za-z.].))"
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

# -- the other classifiers ------------------------------------------------------------------


_GROUPING: Final = str.maketrans("", "", " -./")  # between the 6-8-4 groups of an ID


def _resident_id_or_uscc(text: str) -> str | None:
    """CN_RESIDENT_ID or CN_USCC for a match of the shared pass, in that order.

    A 15-digit number that starts with 34 or 37 and passes the Luhn check is
    an American Express card number, not a first-generation ID.
    """
    if text[0] != "0" and text[:15].translate(_GROUPING).isdigit() and _resident_id_match_ok(text):
        if len(text) == 15 and text[:2] in ("34", "37") and luhn_ok(text):  # noqa: PLR2004
            return None
        return CN_RESIDENT_ID
    if _USCC_SHAPE.fullmatch(text) and _uscc_match_ok(text):
        return CN_USCC
    return None


def _ids_or_ssn(text: str) -> str | None:
    """US_SSN, CN_RESIDENT_ID or CN_USCC for a match of the pass for all three."""
    if text[3] in " -./":
        return US_SSN if _ssn_match_ok(text) else None
    return _resident_id_or_uscc(text)


def _id_score(entity: str, text: str) -> float:
    if entity == US_SSN:
        if text[3] != text[6]:  # two different separators
            return _SCORE_SSN_MIXED
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


_IBAN_DROP: Final = str.maketrans("", "", " -./_")
# For each IBAN length n: n letters or digits with at most one separator
# between two of them, as in a match of _IBAN.
_IBAN_CUTS: Final = {
    n: re.compile(r"[A-Za-z0-9](?:[ \-./_]?[A-Za-z0-9]){%d}" % (n - 1))  # noqa: UP031 (a count)
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


_IPV6_MIN_COLONS: Final = 6  # without '::': 8 groups, or 6 and an IPv4 tail


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


_NOT_WORD: Final = r"[^0-9A-Za-z_]"
_THIRD_DIGIT: Final = r"(?=..[0-9])"  # after the character before: the match's third


def _boundary_form(patterns: Iterable[re.Pattern[str]]) -> re.Pattern[str]:
    """*patterns*, group *i* for the *i*-th, each found from the character before its first.

    Each pattern is a class, ``_AFTER_FIRST`` and the rest, and each of its
    matches has a digit as its third character (true of the identifiers,
    the SSN and the travel documents; a test holds them to it). In text,
    most characters are letters and digits inside a word, where each such
    pattern's first class matches and its check before is then tried; here
    the engine skips in C to the next character that is no letter, digit or
    underscore, which every match but one at the very start has before it,
    and goes no further where the third character after it is no digit
    (most words).
    """
    bodies = []
    for pattern in patterns:
        first, check, rest = pattern.pattern.partition(_AFTER_FIRST)
        if pattern.groups or not check or not first.startswith("[") or not first.endswith("]"):
            raise PolicyConfigError("a boundary form needs a class, its check, and no groups")
        bodies.append("(" + first + rest + ")")
    return re.compile(_NOT_WORD + _THIRD_DIGIT + "(?:" + "|".join(bodies) + ")")


def _boundary_pass(parts: tuple[_Part, ...]) -> Pass:
    """The :func:`_regex_pass` of each part in one search (their fast twin).

    The parts' matches must never overlap nor start at the same place (true
    of the identifiers and SSN, and of them and travel documents: each match
    is a word, or groups of digits between separators that no other match
    spans). Then one search of their boundary form finds every part's
    matches, in order; a match at the very start has no character before it
    and is looked for with the parts' own patterns. A Hypothesis test holds
    it to the parts' own passes.
    """
    fast = _boundary_form(pattern for pattern, _, _ in parts)
    numbered = tuple(enumerate(parts, start=1))

    def run(text: str) -> list[Candidate]:
        out = []
        position = 0
        for _, (pattern, classify, score) in numbered:
            first = pattern.match(text)
            if first is not None:
                position = first.end()
                found = first.group()
                entity = classify(found)
                if entity is not None:
                    out.append((0, position, entity, score(entity, found)))
                break
        for match in fast.finditer(text, position):
            index = cast("int", match.lastindex)  # one group always matches
            _, classify, score = parts[index - 1]
            found = match.group(index)
            entity = classify(found)
            if entity is not None:
                out.append((match.start(index), match.end(), entity, score(entity, found)))
        return out

    return run


# Where a candidate of _IBAN can start: after a character that is no letter,
# digit or underscore (the pattern's boundary), two letters, then the two
# check digits. Every match of _IBAN but one at the very start has that
# character before it, so searching for the hint in C, which skips to the
# next such character and looks two letters and two digits ahead, and
# matching the pattern right after it finds what the pattern's own search
# finds, without trying the country alternatives at every letter of the
# text (a third of the search time on English log lines), nor a lookbehind
# at every digit (the search from the check digits before it: another third
# on English log lines, a fifth on Chinese text). A Hypothesis test holds
# _search_from_boundary to ``_IBAN.search``, its plain twin. (_IBAN_GLUED's
# own search is as fast as this: it has no alternatives to try.)
_IBAN_AFTER: Final = re.compile(r"[^0-9A-Za-z_](?=[A-Za-z]{2}[0-9]{2})")


def _search_from_boundary(
    pattern: re.Pattern[str], hint: re.Pattern[str], text: str, position: int
) -> re.Match[str] | None:
    """``pattern.search(text, position)`` for _IBAN, found from *hint*."""
    match = pattern.match
    if position == 0:
        matched = match(text, 0)
        if matched is not None:
            return matched
        position = 1
    search = hint.search
    while (found := search(text, position - 1)) is not None:
        start = found.end()
        matched = match(text, start)
        if matched is not None:
            return matched
        position = start + 1
    return None


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
    while (match := _search_from_boundary(_IBAN, _IBAN_AFTER, text, position)) is not None:
        start = match.start()
        length = _iban_span(match.group())
        # The pattern may stop short of the token (a digit group cut where a
        # letter follows it): the ASCII letter or digit after the IBAN in the
        # text must not continue it either.
        if length is not None:
            after = text[start + length : start + length + 1]
            if after.isascii() and after.isalnum():
                length = None
        if length is None:
            position = start + 1
        else:
            out.append((start, start + length, IBAN, _SCORE_CHECKED))
            position = start + length
    return out


# An IBAN in any case glued to a word on either side
# ("ibanGB82WEST12345698765432", "DE89370400440532013000eur",
# "ibangb82west12345698765432", "IBANgb82west…", "gb82west12345698765432card",
# "…GB82WEST12345698765432Konto"): no change of case need show where it
# starts, so every place where a country code and two check digits stand is
# tried (never after a digit, which continues a token), and only a
# candidate of its country's length that passes MOD 97 is reported.
# The boundary rule is the module's: only ASCII letters, digits and
# underscores are word characters, so a CJK character or other non-ASCII
# text beside the IBAN is an ordinary boundary. Before it may stand an
# underscore ("iban_GB82…") or a word of letters in any case ("Konto",
# "IbanNr", "xY"; a run of 32 letters is taken as a word) that no digit
# comes before; a word character after it must start such a word of
# letters that no digit follows. A run inside a base64 string or a hash has
# digits beside its letters and is not read as one; a mixed-case word is
# how a key is written ("KontoGB82…"), so it is no reason to leave a valid
# IBAN in clear.
_IBAN_GLUED: Final = re.compile(
    r"[A-Za-z](?<![0-9].)[A-Za-z][0-9]{2}(?:[ \-./_]?[A-Za-z0-9]){11,30}"
)
_LETTERS_BEFORE: Final = re.compile(r"(?:(?<![0-9A-Za-z])[A-Za-z]{1,32}|(?<![0-9])[A-Za-z]{32})\Z")
_WORD_AFTER: Final = re.compile(r"[A-Za-z]{1,32}(?![0-9A-Za-z])|[A-Za-z]{32}")
_WORD_CHAR: Final = re.compile(r"[0-9A-Za-z_]")
_WORD_LETTER: Final = re.compile(r"[A-Za-z_]")


def _glued_iban_pass(text: str) -> list[Candidate]:
    """IBANs in any case glued to a word on either side, valid by length and MOD 97.

    IBANs with an ordinary boundary on both sides are the IBAN pass's; each
    search reads a bounded stretch past its start.
    """
    out = []
    position = 0
    size = len(text)
    search = _IBAN_GLUED.search  # in C it is as fast as a search from the digits
    while (match := search(text, position)) is not None:
        start = match.start()
        position = start + 1
        wanted = IBAN_LENGTHS.get(text[start : start + 2].upper())
        cut = None if wanted is None else _IBAN_CUTS[wanted].match(match.group())
        if cut is None:
            continue
        glued_before = start > 0 and _WORD_LETTER.match(text, start - 1) is not None
        if (
            glued_before
            and text[start - 1] != "_"
            and _LETTERS_BEFORE.search(text, max(0, start - 33), start) is None
        ):
            continue  # the letters before follow a digit: a mixed token
        end = start + cut.end()
        # An underscore ends an IBAN that an underscore starts or that is
        # written in underscores ("x_DE89…_2024.csv", "DE89_3704_…_00_x"),
        # not one glued to letters before ("ibanDE89…000_x" is one token).
        keyed = text[end : end + 1] == "_" and (
            text[start - 1 : start] in ("", "_") or "_" in cut.group()
        )
        if end < size and not keyed and _WORD_CHAR.match(text, end):
            if _WORD_AFTER.match(text, end) is None:
                continue  # digits, an underscore or a mixed token go on: no IBAN ends here
        elif not glued_before:
            continue  # ordinary boundaries on both sides: the IBAN pass reports it
        if iban_ok(cut.group().translate(_IBAN_DROP).upper()):
            out.append((start, end, IBAN, _SCORE_CHECKED))
            position = end
    return out


# The full stops of CJK input methods between digits ("192。168。1。1"); the
# full-width one is folded with the other full-width forms. One code point
# for one, so offsets stay. The stop comes first and the digit before it is
# checked after it, so the engine skips to each stop (a test holds it to the
# plain form "(?<=[0-9])[stops](?=[0-9])").
_WIDE_STOP_DIGITS: Final = re.compile("[\u3002\uff61\ufe52](?<=[0-9].)(?=[0-9])")


_HINT_AFTER_START: Final = 3  # an address's first dot, where its hint starts, after its start


def _ipv4_pass(text: str) -> list[Candidate]:
    """IPv4 addresses, searched from at most three characters before the first hint.

    Every address holds the hint at its first dot, at most three characters
    after its start, so no address starts before the first hint less three
    (a test holds this to the plain search from the start).
    """
    if not text.isascii():
        text = _WIDE_STOP_DIGITS.sub(".", text)
    hint = _IPV4_HINT.search(text)
    if hint is None:
        return []
    start = max(0, hint.start() - _HINT_AFTER_START)
    # The IPv4 pattern admits only octets 0-255, so every match is an address.
    return [(m.start(), m.end(), IP_ADDRESS, _SCORE_IP) for m in _IPV4.finditer(text, start)]


def _ipv6_pass(text: str) -> list[Candidate]:
    if not _may_hold_ipv6(text):
        return []
    return [
        (m.start(), m.end(), IP_ADDRESS, _SCORE_IP)
        for m in _IPV6.finditer(text)
        if _ipv6(m.group()) is not None
    ]


def _travel_classifier(wanted: frozenset[str]) -> Callable[[str], str | None]:
    """The travel document a match of ``_TRAVEL`` is, if among *wanted*."""

    def classify(text: str) -> str | None:
        entity = _travel(text)
        return entity if entity in wanted else None

    return classify
