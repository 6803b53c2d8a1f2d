"""Identifier validation: check digits, issuer ranges, formats per country."""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from datetime import date, datetime
from typing import TYPE_CHECKING, Final, Literal

import attrs
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError
from stdnum.us import ssn as _ssn

from secpolicy.exceptions import ArgumentTypeError, InvalidIdentifierError
from secpolicy.pii import _entities
from secpolicy.pii._phone import DEFAULT_PHONE_REGIONS, is_phone_number

if TYPE_CHECKING:
    from collections.abc import Callable

Gender = Literal["male", "female"]

#: Province-level codes of GB/T 2260, the first two digits of a resident ID
#: (81/82/83: residence permits of Hong Kong, Macao and Taiwan residents).
PROVINCES: Final[dict[str, str]] = {
    "11": "北京市", "12": "天津市", "13": "河北省", "14": "山西省", "15": "内蒙古自治区",
    "21": "辽宁省", "22": "吉林省", "23": "黑龙江省",
    "31": "上海市", "32": "江苏省", "33": "浙江省", "34": "安徽省", "35": "福建省",
    "36": "江西省", "37": "山东省",
    "41": "河南省", "42": "湖北省", "43": "湖南省", "44": "广东省", "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市", "51": "四川省", "52": "贵州省", "53": "云南省", "54": "西藏自治区",
    "61": "陕西省", "62": "甘肃省", "63": "青海省", "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省", "81": "香港特别行政区", "82": "澳门特别行政区", "83": "台湾地区",
}  # fmt: skip

_ID18 = re.compile(r"[1-9][0-9]{16}[0-9X]")
_ID15 = re.compile(r"[1-9][0-9]{14}")
_MOBILE = re.compile(r"(?:\+?86)?1[3-9][0-9]{9}")
_SEPARATORS = str.maketrans("", "", " -.()\u00a0")
_CARD_DIGITS: Final = range(13, 20)  # ISO/IEC 7812 primary account numbers
_EARLIEST_BIRTH_YEAR: Final = 1800
_LATEST_BIRTH_YEAR: Final = 2099  # the centuries GB 11643-1999 numbers are issued for


@attrs.frozen(kw_only=True, repr=False)
class ResidentId:
    """A parsed Chinese resident identity number (GB 11643-1999).

    Attributes:
        number: The number, normalised (18 characters with an upper-case X, or
            15 digits for a first-generation number).
        region_code: The six-digit administrative division code.
        province: The province-level division's name, from the first two digits.
        region: The county-level name, if python-stdnum's table knows the code
            for that birth year; ``None`` otherwise (the table is not complete).
        birth_date: The date of birth.
        gender: ``"male"`` (odd sequence digit) or ``"female"`` (even).
        legacy: True for a 15-digit first-generation number.

    The ``repr`` hides everything: the object is personal data.
    """

    number: str
    region_code: str
    province: str
    region: str | None
    birth_date: date
    gender: Gender
    legacy: bool

    def age(self, on: date) -> int:
        """Whole years of age on the date *on*."""
        years = on.year - self.birth_date.year
        return years - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))

    def __repr__(self) -> str:
        return f"ResidentId(<hidden>, legacy={self.legacy})"


def _fail(reason: str, message: str) -> InvalidIdentifierError:
    return InvalidIdentifierError(_entities.CN_RESIDENT_ID, reason, message)


_ID_GROUPING: Final = str.maketrans("", "", " -./")  # "110105-19491231-002X"


def _check_resident_id(
    value: object, today: date | None = None
) -> tuple[str, date, str, bool, str]:
    """The checks of :func:`parse_cn_resident_id`, without the county lookup.

    Returns the normalised number, birth date, sequence digits, whether it is
    a first-generation number, and the province name.
    """
    if not isinstance(value, str):
        raise ArgumentTypeError(f"value must be str, not {type(value).__name__}")
    number = unicodedata.normalize("NFKC", value).strip().translate(_ID_GROUPING).upper()
    if len(number) == 18:  # noqa: PLR2004 (GB 11643-1999 length)
        if not _ID18.fullmatch(number):
            raise _fail("format", "17 digits and a digit or X expected")
        if _ric.calc_check_digit(number) != number[-1]:
            raise _fail("checksum", "the check character does not match")
        birth_text, sequence, legacy = number[6:14], number[14:17], False
    elif len(number) == 15:  # noqa: PLR2004 (first-generation length)
        if not _ID15.fullmatch(number):
            raise _fail("format", "15 digits expected")
        birth_text, sequence, legacy = "19" + number[6:12], number[12:15], True
    else:
        raise _fail("length", "18 characters (or 15 digits for the old format) expected")
    try:
        born = date(int(birth_text[:4]), int(birth_text[4:6]), int(birth_text[6:8]))
    except ValueError:
        raise _fail("birth_date", "the birth date is not a real date") from None
    if not _EARLIEST_BIRTH_YEAR <= born.year <= _LATEST_BIRTH_YEAR or (
        today is not None and born > today
    ):
        raise _fail("birth_date", "the birth date is out of range")
    province = PROVINCES.get(number[:2])
    if province is None:
        raise _fail("region", "the first two digits are not a province-level code")
    return number, born, sequence, legacy, province


def parse_cn_resident_id(value: str, *, today: date | None = None) -> ResidentId:
    """Parse and validate a Chinese resident identity number.

    Accepts the 18-character number (check character ISO 7064 MOD 11-2, ``X``
    for 10, computed with python-stdnum) and the 15-digit first-generation
    number (``YYMMDD`` birth date in the 1900s, no check character). A correct
    check character, a real birth date not in the future and a known
    province-level code are enough: python-stdnum's county table misses some
    real codes for some birth years, so the county lookup only adds the
    ``region`` name. The number may be written in groups of 6, 8 and 4
    (``110105 19491231 002X``); full-width digits are folded.

    Args:
        value: The number.
        today: If given, a birth date after it is refused (``"birth_date"``).
            Nothing here reads the clock.

    .. versionchanged:: 0.2 *today* replaces a reading of the system date.

    Raises:
        InvalidIdentifierError: With ``reason`` ``"format"``, ``"length"``,
            ``"checksum"``, ``"birth_date"`` or ``"region"``; the message
            never contains the number.
    """
    number, born, sequence, legacy, province = _check_resident_id(value, today)
    region = None
    if not legacy:
        try:
            place = _ric.get_birth_place(number)
            region = place.get("county") or None
        except _StdnumError:
            region = None
    return ResidentId(
        number=number,
        region_code=number[:6],
        province=province,
        region=region,
        birth_date=born,
        gender="male" if int(sequence[-1]) % 2 else "female",
        legacy=legacy,
    )


def check_identity(
    id_number: str,
    *,
    gender: str | int | None = None,
    birth_date: date | None = None,
    today: date | None = None,
) -> list[str]:
    """List the ways *id_number* disagrees with the declared gender and birth date.

    The insurance rulebook blocks a policy when they disagree.

    Args:
        id_number: A resident identity number.
        gender: ``"male"``/``"female"`` (also ``"M"``/``"F"``, ``"男"``/``"女"``,
            ``"男性"``/``"女性"``, and the GB/T 2261.1 codes ``1``/``2``; ``0``
            and ``9``, unknown and unstated, give ``"gender_unknown"``).
        birth_date: The declared date of birth; a ``datetime`` is compared by its date.
        today: Passed to :func:`parse_cn_resident_id`.

    Returns:
        Stable codes: ``"id_number_invalid:<reason>"``, ``"gender_mismatch"``,
        ``"birth_date_mismatch"``, ``"gender_unknown"``. Empty when consistent.
    """
    try:
        parsed = parse_cn_resident_id(id_number, today=today)
    except InvalidIdentifierError as exc:
        return [f"id_number_invalid:{exc.reason}"]
    problems = []
    if isinstance(birth_date, datetime):
        birth_date = birth_date.date()
    if gender is not None:
        declared = declared_gender(gender)
        if declared is None:
            problems.append("gender_unknown")
        elif declared != parsed.gender:
            problems.append("gender_mismatch")
    if birth_date is not None and birth_date != parsed.birth_date:
        problems.append("birth_date_mismatch")
    return problems


_GENDERS: Final[dict[str, Gender]] = {
    "male": "male",
    "m": "male",
    "男": "male",
    "男性": "male",
    "1": "male",  # GB/T 2261.1-2003 code 1
    "female": "female",
    "f": "female",
    "女": "female",
    "女性": "female",
    "2": "female",  # GB/T 2261.1-2003 code 2
}


def declared_gender(value: object) -> Gender | None:
    """The gender a declared value names, or None (unknown, unstated, or not a gender)."""
    if isinstance(value, bool):
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().lower()
    return _GENDERS.get(text)


def is_cn_resident_id(value: str) -> bool:
    """True if *value* is a valid resident identity number (18 or 15 characters)."""
    try:
        _check_resident_id(value)  # the county lookup adds a name, not validity
    except InvalidIdentifierError:
        return False
    return True


def _resident_id_match_ok(text: str) -> bool:
    """:func:`is_cn_resident_id` for a scanner match: ASCII digits (and ``X``) in groups.

    The same checks, without folding what the scanner's pattern already
    matched and without building an error for each miss: the format, the
    check character (MOD 11-2 as python-stdnum computes it: the first 17
    digits read in base 13, since 13 is 2 modulo 11), a real birth date in
    range, a province. A Hypothesis test holds it to
    :func:`is_cn_resident_id`, its plain twin.
    """
    number = text.translate(_ID_GROUPING).upper()
    if len(number) == 18:  # noqa: PLR2004 (GB 11643-1999 length)
        if not number.isascii() or not _ID18.fullmatch(number):
            return False
        check = (1 - 2 * int(number[:17], 13)) % 11
        if "0123456789X"[check] != number[17]:
            return False
        year, month, day = int(number[6:10]), int(number[10:12]), int(number[12:14])
    elif len(number) == 15:  # noqa: PLR2004 (first-generation length)
        if not number.isascii() or not _ID15.fullmatch(number):
            return False
        year, month, day = 1900 + int(number[6:8]), int(number[8:10]), int(number[10:12])
    else:
        return False
    try:
        date(year, month, day)
    except ValueError:
        return False
    return _EARLIEST_BIRTH_YEAR <= year <= _LATEST_BIRTH_YEAR and number[:2] in PROVINCES


def is_cn_mobile(value: str) -> bool:
    """True for an 11-digit mainland mobile number (1, then 3-9), with optional +86 or 0086."""
    compact = _fold(value).translate(_SEPARATORS)
    if compact.startswith("0086"):
        compact = compact[2:]
    return bool(_MOBILE.fullmatch(compact))


def _uscc_region_ok(code: str) -> bool:
    """Characters 3-8 of a credit code are a GB/T 2260 division code (or 100000, national)."""
    region = code[2:8]
    return region == "100000" or (region.isdigit() and region[:2] in PROVINCES)


def is_cn_uscc(value: str) -> bool:
    """True for a valid Unified Social Credit Code (GB 32100-2015).

    The check character is computed by python-stdnum; the administrative
    division code (characters 3-8) must name a province-level division.
    """
    code = _fold(value).strip().upper()
    return bool(_uscc.is_valid(code)) and _uscc_region_ok(code)


def _fold(value: str) -> str:
    return unicodedata.normalize("NFKC", value)


# GB 32100-2015: the 31 characters of a credit code with their values, and
# the weights of the first 17 for the check character.
_USCC_ALPHABET: Final = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_VALUES: Final = {c: i for i, c in enumerate(_USCC_ALPHABET)} | {
    c.lower(): i for i, c in enumerate(_USCC_ALPHABET) if c.isalpha()
}
_USCC_WEIGHTS: Final = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _uscc_match_ok(text: str) -> bool:
    """:func:`is_cn_uscc` for a scanner match: 18 credit-code characters in either case.

    The same checks as python-stdnum's and :func:`_uscc_region_ok`, without
    folding and cleaning what the scanner's pattern already matched: eight
    digits first, the check character by weighted sum modulo 31, a division
    code. A Hypothesis test holds it to :func:`is_cn_uscc`, its plain twin.
    """
    if not text[:8].isdigit() or not text[:8].isascii():
        return False
    values = _USCC_VALUES
    total = sum(values[c] * w for c, w in zip(text, _USCC_WEIGHTS, strict=False))
    return _USCC_ALPHABET[-total % 31] == text[17].upper() and _uscc_region_ok(text)


# Brands of payment cards by issuer identification number (ISO/IEC 7812-1),
# as (first digits low, first digits high, lengths). Ranges from the card
# networks' published tables.
_CARD_RANGES: Final[tuple[tuple[int, int, range | tuple[int, ...]], ...]] = (
    (4, 4, (13, 16, 19)),  # Visa
    (51, 55, (16,)),  # Mastercard
    (2221, 2720, (16,)),  # Mastercard 2-series
    (34, 34, (15,)),  # American Express
    (37, 37, (15,)),  # American Express
    (62, 62, range(16, 20)),  # UnionPay (and Discover's 622126-622925)
    (81, 81, range(16, 20)),  # UnionPay 81 range
    (6011, 6011, range(16, 20)),  # Discover
    (644, 649, range(16, 20)),  # Discover
    (65, 65, range(16, 20)),  # Discover, RuPay
    (3528, 3589, range(16, 20)),  # JCB
    (300, 305, range(14, 20)),  # Diners Club International
    (3095, 3095, range(14, 20)),  # Diners Club International
    (36, 36, range(14, 20)),  # Diners Club International
    (38, 39, range(16, 20)),  # Diners Club
    (2200, 2204, range(16, 20)),  # Mir
    (50, 50, range(13, 20)),  # Maestro
    (56, 58, range(13, 20)),  # Maestro
    (60, 60, range(16, 20)),  # RuPay
    (6304, 6304, range(13, 20)),  # Maestro
    (6759, 6759, range(13, 20)),  # Maestro UK
    (6761, 6763, range(13, 20)),  # Maestro
)


def _card_lengths_by_prefix() -> dict[str, frozenset[int]]:
    """Every 4-digit prefix of a network's range → the lengths its numbers have."""
    table: dict[str, set[int]] = {}
    for prefix in range(10_000):
        text = f"{prefix:04d}"
        for low, high, lengths in _CARD_RANGES:
            width = len(str(low))
            if low <= int(text[:width]) <= high:
                table.setdefault(text, set()).update(lengths)
    return {prefix: frozenset(lengths) for prefix, lengths in table.items()}


_CARD_PREFIXES: Final = _card_lengths_by_prefix()


def card_issuer_ok(digits: str) -> bool:
    """True if *digits* start with a card network's issuer range and have its length.

    Thirteen-digit numbers starting with 1 (epoch-millisecond timestamps)
    and other numbers outside every network's range are refused.
    """
    lengths = _CARD_PREFIXES.get(digits[:4])
    return lengths is not None and len(digits) in lengths


def is_payment_card(value: str) -> bool:
    """True for a card number: 13-19 digits, a network's issuer range and length, Luhn.

    Spaces and dashes between digits are allowed.
    """
    digits = _fold(value).translate(_SEPARATORS)
    return (
        len(digits) in _CARD_DIGITS
        and digits.isascii()
        and digits.isdigit()
        and card_issuer_ok(digits)
        and luhn_ok(digits)
    )


# Each digit's contribution when doubled: 2 × d, less 9 above 9.
_LUHN_DOUBLED: Final = str.maketrans("0123456789", "0246813579")


def luhn_ok(digits: str) -> bool:
    """True if a string of ASCII digits passes the Luhn check (ISO/IEC 7812-1 Annex B).

    Table-driven: the digits to double are mapped to their contribution in
    one ``str.translate``; python-stdnum's ``luhn.checksum`` is the reference
    in the tests.
    """
    total = sum(map(int, digits[-1::-2])) + sum(map(int, digits[-2::-2].translate(_LUHN_DOUBLED)))
    return total % 10 == 0


#: Length of the IBAN of each country of the SWIFT IBAN registry (ISO 13616).
IBAN_LENGTHS: Final[dict[str, int]] = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22,
    "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24,
    "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20, "EG": 29, "ES": 24, "FI": 18,
    "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23, "GL": 18, "GR": 27,
    "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20,
    "LU": 20, "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23, "PK": 24,
    "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22, "RU": 33, "SA": 24,
    "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20,
    "YE": 30,
}  # fmt: skip
#: Countries whose basic bank account number (BBAN) is digits only (ISO 13616 registry).
IBAN_DIGIT_COUNTRIES: Final = frozenset({
    "AE", "AT", "BA", "BE", "BI", "CR", "CZ", "DE", "DJ", "DK", "EE", "EG", "ES", "FI",
    "FO", "GL", "HR", "HU", "IL", "IS", "LT", "LY", "ME", "MN", "MR", "NO", "PL", "PT",
    "RS", "SD", "SE", "SI", "SK", "SO", "ST", "TL", "TN", "VA", "XK",
})  # fmt: skip
_IBAN_SEPARATORS: Final = str.maketrans("", "", " -./")
_IBAN_SHAPE: Final = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")
_MOD97_LETTERS: Final = {c: str(c - 55) for c in range(ord("A"), ord("Z") + 1)}  # A=10 … Z=35


def iban_ok(compact: str) -> bool:
    """True for an upper-case IBAN without separators: country length, check digits, MOD 97.

    Where the country's account number is digits only, a letter in it is refused.
    """
    if IBAN_LENGTHS.get(compact[:2]) != len(compact) or not _IBAN_SHAPE.fullmatch(compact):
        return False
    if not 2 <= int(compact[2:4]) <= 98:  # noqa: PLR2004 (ISO 13616 check digits)
        return False
    if compact[:2] in IBAN_DIGIT_COUNTRIES and not compact[4:].isdigit():
        return False  # a letter where the country's format has digits only
    rearranged = compact[4:] + compact[:4]
    number = rearranged.translate(_MOD97_LETTERS)
    return int(number) % 97 == 1


def is_iban(value: str) -> bool:
    """True for a valid IBAN: the country's length, check digits 02-98 and MOD 97-10 (ISO 13616).

    Upper or lower case, with spaces, dashes, dots or slashes between characters. The bank
    code is not looked up: banks open and merge faster than any table.
    """
    return iban_ok(_fold(value).translate(_IBAN_SEPARATORS).upper())


_SSN_SEPARATORS: Final = str.maketrans("", "", " -./")


def is_us_ssn(value: str) -> bool:
    """True for a valid US Social Security number (area, group and serial rules).

    Written as 9 digits or in groups of 3, 2 and 4 separated by dashes,
    spaces, dots or slashes.
    """
    return bool(_ssn.is_valid(_fold(value).strip().translate(_SSN_SEPARATORS)))


# python-stdnum's list of SSNs printed in advertisements and never valid.
_SSN_BLACKLIST: Final = frozenset({"078051120", "457555462", "219099999"})


def _ssn_match_ok(text: str) -> bool:
    """:func:`is_us_ssn` for a scanner match: ASCII digits 3-2-4 with one separator between.

    The same rules as python-stdnum's check, read off the fixed positions
    without folding, cleaning and a regular-expression match (the scanner
    has already matched the shape); a Hypothesis test holds it to
    :func:`is_us_ssn`, its plain twin.
    """
    area, group, serial = text[:3], text[4:6], text[7:11]
    return (
        area not in ("000", "666")
        and area[0] != "9"
        and group != "00"
        and serial != "0000"
        and area + group + serial not in _SSN_BLACKLIST
    )


def is_ip_address(value: str) -> bool:
    """True for an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


_PASSPORT: Final = re.compile(r"E[0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|G[0-9]{8}|[DSP]E[0-9]{7}")
_HK_MACAU_PERMIT: Final = re.compile(r"C[0-9]{8}|C[A-HJ-NP-Z][0-9]{7}")
_TAIWAN_PERMIT: Final = re.compile(r"L[0-9]{8}")


def is_cn_passport(value: str) -> bool:
    """True for the format of a PRC passport number.

    ``E`` and 8 digits or ``E``, a letter and 7 digits (ordinary passports
    since 2012), ``G`` and 8 digits (older ordinary), ``DE``/``SE``/``PE`` and 7
    digits (diplomatic, service, public affairs). The number has no check
    digit, so context words matter for the score.
    """
    return bool(_PASSPORT.fullmatch(_fold(value).strip().upper()))


def is_cn_hk_macau_permit(value: str) -> bool:
    """True for the format of an exit-entry permit to Hong Kong and Macao (``C``, 8 more)."""
    return bool(_HK_MACAU_PERMIT.fullmatch(_fold(value).strip().upper()))


def is_cn_taiwan_permit(value: str) -> bool:
    """True for the format of a mainland resident's travel permit to Taiwan (``L`` and 8 digits)."""
    return bool(_TAIWAN_PERMIT.fullmatch(_fold(value).strip().upper()))


def is_email(value: str) -> bool:
    """True for a plausible e-mail address.

    The local part is ASCII (apostrophes allowed: ``o'brien@example.ie``) or
    made of letters of one script (``张三@例子.中国``); the domain may be
    internationalised (``user@bücher.de``) or in punycode
    (``a@xn--d1acufc.xn--p1ai``).
    """
    from secpolicy.pii._email import email_ok, full_match  # noqa: PLC0415 (no cycle at import)

    folded = _fold(value)
    return full_match(folded) and email_ok(folded)


def is_phone(value: str, *, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> bool:
    """True for a valid telephone number, checked with phonenumbers.

    International form (``+44 20 7946 0958``, ``0044 …``) for any region;
    national forms of *regions* (``020 7946 0958``, ``(415) 555-0132``,
    ``010-12345678``); Chinese mobile numbers.
    """
    return is_phone_number(value, regions)


#: A validator per detectable entity.
VALIDATORS: Final[dict[str, Callable[[str], bool]]] = {
    _entities.CN_RESIDENT_ID: is_cn_resident_id,
    _entities.CN_MOBILE: is_cn_mobile,
    _entities.CN_USCC: is_cn_uscc,
    _entities.CN_PASSPORT: is_cn_passport,
    _entities.CN_HK_MACAU_PERMIT: is_cn_hk_macau_permit,
    _entities.CN_TAIWAN_PERMIT: is_cn_taiwan_permit,
    _entities.PAYMENT_CARD: is_payment_card,
    _entities.IBAN: is_iban,
    _entities.US_SSN: is_us_ssn,
    _entities.IP_ADDRESS: is_ip_address,
    _entities.EMAIL: is_email,
    _entities.PHONE: is_phone,
}


def is_valid(entity: str, value: str) -> bool:
    """Validate *value* as *entity* (one of the detectable entity names).

    Raises:
        KeyError: For an entity that has no validator.
    """
    return VALIDATORS[entity](value)
