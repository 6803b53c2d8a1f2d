"""Identifier validation, with python-stdnum for the checksums it covers."""

from __future__ import annotations

import ipaddress
import re
from datetime import date
from typing import TYPE_CHECKING, Final, Literal

import attrs
from stdnum import iban as _iban
from stdnum import luhn as _luhn
from stdnum.cn import ric as _ric
from stdnum.cn import uscc as _uscc
from stdnum.exceptions import ValidationError as _StdnumError
from stdnum.us import ssn as _ssn

from secpolicy.exceptions import InvalidIdentifierError
from secpolicy.pii._entities import (
    CN_MOBILE,
    CN_RESIDENT_ID,
    CN_USCC,
    EMAIL,
    IBAN,
    IP_ADDRESS,
    PAYMENT_CARD,
    PHONE,
    US_SSN,
)

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
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_SEPARATORS = str.maketrans("", "", " -")
_CARD_DIGITS: Final = range(13, 20)  # ISO/IEC 7812 primary account numbers
_EARLIEST_BIRTH_YEAR: Final = 1800


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
    return InvalidIdentifierError(CN_RESIDENT_ID, reason, message)


def _check_resident_id(value: object) -> tuple[str, date, str, bool, str]:
    """The checks of :func:`parse_cn_resident_id`, without the county lookup.

    Returns the normalised number, birth date, sequence digits, whether it is
    a first-generation number, and the province name.
    """
    if not isinstance(value, str):
        raise TypeError(f"value must be str, not {type(value).__name__}")
    number = value.strip().upper()
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
    if born.year < _EARLIEST_BIRTH_YEAR or born > date.today():  # noqa: DTZ011 (a date, not an instant)
        raise _fail("birth_date", "the birth date is out of range")
    province = PROVINCES.get(number[:2])
    if province is None:
        raise _fail("region", "the first two digits are not a province-level code")
    return number, born, sequence, legacy, province


def parse_cn_resident_id(value: str) -> ResidentId:
    """Parse and validate a Chinese resident identity number.

    Accepts the 18-character number (check character ISO 7064 MOD 11-2, ``X``
    for 10, computed with python-stdnum) and the 15-digit first-generation
    number (``YYMMDD`` birth date in the 1900s, no check character). A correct
    check character, a real birth date not in the future and a known
    province-level code are enough: python-stdnum's county table misses some
    real codes for some birth years, so the county lookup only adds the
    ``region`` name.

    Raises:
        InvalidIdentifierError: With ``reason`` ``"format"``, ``"length"``,
            ``"checksum"``, ``"birth_date"`` or ``"region"``; the message
            never contains the number.
    """
    number, born, sequence, legacy, province = _check_resident_id(value)
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
    id_number: str, *, gender: str | None = None, birth_date: date | None = None
) -> list[str]:
    """List the ways *id_number* disagrees with the declared gender and birth date.

    The insurance rulebook blocks a policy when they disagree.

    Args:
        id_number: A resident identity number.
        gender: ``"male"``/``"female"`` (also ``"M"``/``"F"``, ``"男"``/``"女"``).
        birth_date: The declared date of birth.

    Returns:
        Stable codes: ``"id_number_invalid:<reason>"``, ``"gender_mismatch"``,
        ``"birth_date_mismatch"``, ``"gender_unknown"``. Empty when consistent.
    """
    try:
        parsed = parse_cn_resident_id(id_number)
    except InvalidIdentifierError as exc:
        return [f"id_number_invalid:{exc.reason}"]
    problems = []
    if gender is not None:
        declared = _GENDERS.get(gender.strip().lower())
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
    "female": "female",
    "f": "female",
    "女": "female",
}


def is_cn_resident_id(value: str) -> bool:
    """True if *value* is a valid resident identity number (18 or 15 characters)."""
    try:
        _check_resident_id(value)  # the county lookup adds a name, not validity
    except InvalidIdentifierError:
        return False
    return True


def is_cn_mobile(value: str) -> bool:
    """True for an 11-digit mainland mobile number (1, then 3-9), with optional +86."""
    return bool(_MOBILE.fullmatch(value.translate(_SEPARATORS)))


def is_cn_uscc(value: str) -> bool:
    """True for a valid Unified Social Credit Code (GB 32100-2015), via python-stdnum."""
    return bool(_uscc.is_valid(value))


def is_payment_card(value: str) -> bool:
    """True for 13-19 digits (spaces and dashes allowed) passing the Luhn check."""
    digits = value.translate(_SEPARATORS)
    return len(digits) in _CARD_DIGITS and digits.isascii() and digits.isdigit() and luhn_ok(digits)


def luhn_ok(digits: str) -> bool:
    """True if a string of ASCII digits passes the Luhn check (python-stdnum's checksum)."""
    return bool(_luhn.checksum(digits) == 0)


def is_iban(value: str) -> bool:
    """True for a valid IBAN (country format and MOD 97-10), via python-stdnum."""
    return bool(_iban.is_valid(value))


def is_us_ssn(value: str) -> bool:
    """True for a valid US Social Security number (area, group and serial rules)."""
    return bool(_ssn.is_valid(value))


def is_ip_address(value: str) -> bool:
    """True for an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def is_email(value: str) -> bool:
    """True for a plausible e-mail address (ASCII local part and a dotted domain)."""
    if not _EMAIL.fullmatch(value):
        return False
    local, _, domain = value.partition("@")
    labels = domain.split(".")
    return (
        not local.startswith(".")
        and not local.endswith(".")
        and ".." not in local
        and all(label and not label.startswith("-") and not label.endswith("-") for label in labels)
        and labels[-1].isalpha()
        and len(labels[-1]) >= 2  # noqa: PLR2004 (shortest top-level domain)
    )


def is_phone(value: str) -> bool:
    """True for an international number (+ and 8-15 digits) or a Chinese mobile number."""
    compact = re.sub(r"[ \-()]", "", value)
    if compact.startswith("+"):
        return compact[1:].isdigit() and 8 <= len(compact) - 1 <= 15  # noqa: PLR2004 (E.164)
    return is_cn_mobile(compact) or (len(compact) == 10 and compact.isdigit())  # noqa: PLR2004


#: A validator per detectable entity.
VALIDATORS: Final[dict[str, Callable[[str], bool]]] = {
    CN_RESIDENT_ID: is_cn_resident_id,
    CN_MOBILE: is_cn_mobile,
    CN_USCC: is_cn_uscc,
    PAYMENT_CARD: is_payment_card,
    IBAN: is_iban,
    US_SSN: is_us_ssn,
    IP_ADDRESS: is_ip_address,
    EMAIL: is_email,
    PHONE: is_phone,
}


def is_valid(entity: str, value: str) -> bool:
    """Validate *value* as *entity* (one of the detectable entity names).

    Raises:
        KeyError: For an entity that has no validator.
    """
    return VALIDATORS[entity](value)
