"""Telephone numbers: the scanner's candidate check and E.164 normalisation, via phonenumbers.

A cheap regular expression in the scanner finds runs of digits; only the runs
that look like a telephone number (digit count, grouping, a trunk prefix or
an international prefix) reach :mod:`phonenumbers`, whose metadata (Google's
libphonenumber) decides whether the number exists in a region.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Final

import phonenumbers
from phonenumbers import NumberParseException, PhoneMetadata
from phonenumbers.phonenumberutil import COUNTRY_CODE_TO_REGION_CODE

#: Regions whose national formats are recognised unless the scanner is told
#: otherwise: mainland China, and the regions of the national formats most
#: often met in Chinese and international logs (US/Canada, UK, Germany,
#: France, Japan, Brazil). International numbers (``+44 …``, ``0044 …``) are
#: recognised for every region whatever this list says.
DEFAULT_PHONE_REGIONS: Final = ("CN", "US", "GB", "DE", "FR", "JP", "BR")

_MIN_DIGITS: Final = 7  # the shortest national number written with an area code
_MAX_DIGITS: Final = 17  # 00 + a 15-digit E.164 number
_CN_MOBILE: Final = re.compile(r"1[3-9][0-9]{9}")
# Area code, then a local number of 7 or 8 digits that does not start with 0 or 1.
_CN_LANDLINE: Final = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})[2-9][0-9]{6,7}")
_CN_SERVICE: Final = re.compile(r"[48]00[0-9]{7}")  # 400 and 800 numbers
# A Brazilian mobile number without the trunk 0: a two-digit area code (DDD,
# 11-99, no 0 in it) and nine digits starting with 9.
_BR_MOBILE: Final = re.compile(r"[1-9][1-9]9[0-9]{8}")
_NANP_REGIONS: Final = frozenset({"US", "CA"})
_NANP_DIGITS: Final = 10
_NANP_LAYOUTS: Final = frozenset({(10,), (11,), (3, 3, 4), (1, 3, 3, 4), (3, 7), (1, 10)})
_GROUPS: Final = re.compile(r"[0-9]+")
_NON_DIGITS: Final = re.compile(r"[^0-9]")


@lru_cache(maxsize=64)
def _trunk_prefix(region: str) -> str | None:
    """The national (trunk) prefix of *region* (``"0"`` for CN, GB, DE …), if any."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None:
        return None
    prefix = metadata.national_prefix
    return prefix if isinstance(prefix, str) and prefix else None


def has_trunk_prefix(region: str) -> bool:
    """True if *region* writes national numbers after a trunk prefix (``0`` in most regions)."""
    return _trunk_prefix(region) is not None


def known_region(region: str) -> bool:
    """True if *region* is a region code phonenumbers has metadata for."""
    return PhoneMetadata.metadata_for_region(region) is not None


_NON_GEO: Final = "001"
# The number types of libphonenumber's metadata, in the order its validity check tries them.
_TYPES: Final = (
    "premium_rate", "toll_free", "shared_cost", "voip", "personal_number", "pager", "uan",
    "voicemail",
)  # fmt: skip


# A number description compiled: (possible lengths, pattern), or None where absent.
_Desc = tuple[frozenset[int], re.Pattern[str] | None] | None


def _compile_desc(desc: object) -> _Desc:
    if desc is None:
        return None
    source = getattr(desc, "national_number_pattern", None)
    lengths = frozenset(getattr(desc, "possible_length", ()) or ())
    return lengths, (None if source is None else re.compile(source))


def _matches(nsn: str, desc: _Desc) -> bool:
    """libphonenumber's ``_is_number_matching_desc``: possible lengths, then the pattern."""
    if desc is None:
        return False
    lengths, pattern = desc
    if lengths and len(nsn) not in lengths:
        return False
    return pattern is not None and pattern.fullmatch(nsn) is not None


_COMPILED: dict[int, tuple[_Desc, tuple[_Desc, ...], _Desc, _Desc, bool]] = {}


def _compiled(metadata: PhoneMetadata) -> tuple[_Desc, tuple[_Desc, ...], _Desc, _Desc, bool]:
    """The descriptions of *metadata*, compiled once (metadata objects live for the process)."""
    key = id(metadata)
    found = _COMPILED.get(key)
    if found is None:
        found = (
            _compile_desc(metadata.general_desc),
            tuple(
                d for d in (_compile_desc(getattr(metadata, n)) for n in _TYPES) if d is not None
            ),
            _compile_desc(metadata.fixed_line),
            _compile_desc(metadata.mobile),
            bool(metadata.same_mobile_and_fixed_line_pattern),
        )
        _COMPILED[key] = found
    return found


def _known_type(nsn: str, metadata: PhoneMetadata) -> bool:
    """True where libphonenumber's number type is not UNKNOWN (its definition of valid)."""
    general, types, fixed, mobile, same = _compiled(metadata)
    if not _matches(nsn, general):
        return False
    if any(_matches(nsn, desc) for desc in types):
        return True
    if _matches(nsn, fixed):
        return True
    return not same and _matches(nsn, mobile)


_VALIDITY_CACHE: Final = 16_384  # numbers remembered (about 2 MB at most)


@lru_cache(maxsize=_VALIDITY_CACHE)
def valid_number(country_code: int, nsn: str) -> bool:
    """``phonenumbers.is_valid_number`` for a country code and national significant number.

    Remembered in a bounded LRU cache by country code and digits (a log
    repeats its numbers); :func:`_valid_number` is the uncached twin. A
    number that matches no number type of any region of its code is refused
    with one search first (North America's 25 regions are otherwise tried
    one by one for a counter such as ``628 846 1088``).
    """
    refuse = _any_region_type(country_code)
    if refuse is not None and refuse.fullmatch(nsn) is None:
        return False
    return _valid_number(country_code, nsn)


@lru_cache(maxsize=512)
def _any_region_type(country_code: int) -> re.Pattern[str] | None:
    """One pattern for every number type of every region of a code with several regions.

    A number is valid only where it has a type, and it has one only where it
    matches that type's pattern: a number that matches none of them is valid
    nowhere. None for a code of one region, which :func:`_valid_number`
    checks with about as few searches.
    """
    regions = _regions_of(country_code)
    if len(regions) < 2:  # noqa: PLR2004 (one region: nothing to share)
        return None
    sources = [
        f"(?:{desc[1].pattern})"
        for _, metadata in regions
        for desc in (*_compiled(metadata)[1], *_compiled(metadata)[2:4])
        if desc is not None and desc[1] is not None
    ]
    return re.compile("|".join(sources)) if sources else re.compile(r"(?!)")


def _valid_number(country_code: int, nsn: str) -> bool:
    """The check of :func:`valid_number`, uncached.

    The same rules on the same metadata, without building and re-parsing a
    ``PhoneNumber``: the region is chosen among the country code's regions as
    libphonenumber chooses it (leading digits, else the first region where the
    number has a type), and the number is valid there if it has a type.
    """
    if not _any_region_general(country_code).fullmatch(nsn):
        return False  # no region of the code has such numbers at all: the common case
    candidates = _regions_of(country_code)
    if len(candidates) == 1:
        return _known_type(nsn, candidates[0][1])
    for leading, metadata in candidates:
        if leading is not None:
            if leading.match(nsn):
                return _known_type(nsn, metadata)
        elif _known_type(nsn, metadata):
            return True
    return False


@lru_cache(maxsize=512)
def _any_region_general(country_code: int) -> re.Pattern[str]:
    """One pattern for the general descriptions of all of a country code's regions.

    A number is valid only in a region whose general description it
    matches, so a number that matches none is refused with one search
    instead of one per region (North America has 25 regions).
    """
    sources = []
    for _, metadata in _regions_of(country_code):
        general = metadata.general_desc
        source = getattr(general, "national_number_pattern", None) if general else None
        if source is None:
            return re.compile(r"[0-9]*")  # a region without one: no quick refusal
        sources.append(f"(?:{source})")
    return re.compile("|".join(sources)) if sources else re.compile(r"(?!)")


@lru_cache(maxsize=512)
def _regions_of(country_code: int) -> tuple[tuple[re.Pattern[str] | None, PhoneMetadata], ...]:
    """The metadata of a country code's regions, in libphonenumber's order, with leading digits."""
    regions = COUNTRY_CODE_TO_REGION_CODE.get(country_code, ())
    if regions and regions[0] == _NON_GEO:
        metadata = PhoneMetadata.metadata_for_nongeo_region(country_code, None)
        return () if metadata is None else ((None, metadata),)
    found = []
    for region in regions:
        metadata = PhoneMetadata.metadata_for_region(region, None)
        if metadata is not None:
            leading = metadata.leading_digits
            found.append((None if leading is None else re.compile(leading), metadata))
    return tuple(found)


def _split_country_code(digits: str) -> tuple[int, str] | None:
    """The country code and national number of *digits* (no country code starts with 0)."""
    if digits[:1] == "0":
        return None  # "00" + "001234567…" is a zero-padded id, not a call to +1
    for size in (1, 2, 3):
        code = int(digits[:size]) if len(digits) > size else 0
        if code in COUNTRY_CODE_TO_REGION_CODE:
            return code, digits[size:]
    return None


_PADDED: Final = re.compile(r"[^0-9]0000[0-9]")


def zero_padded(text: str) -> bool:
    """True if a group of *text* after the first starts with four zeros and goes on.

    No telephone number has such a group (a subscriber number does not start
    with 0, and ``0000`` closes a switchboard's number): it is a zero-padded
    counter beside the number (``(415) 555-0132 00000042``), which must not
    be read as part of it.
    """
    return "0000" in text and _PADDED.search(text) is not None


def international(text: str, digits: str) -> bool:
    """True if *text* (``+…`` or ``00…``) is a valid number in international form.

    The country code is read from the digits (country codes are prefix-free
    and never start with 0); a national trunk prefix written after it
    (``+44 (0)20 …``) is dropped. A group that is a zero-padded counter
    (:func:`zero_padded`) makes no number.
    """
    international_digits = digits[2:] if not text.startswith("+") else digits
    if not text.startswith("+") and not digits.startswith("00"):
        return False
    if zero_padded(text):
        return False
    split = _split_country_code(international_digits)
    if split is None:
        return False
    code, nsn = split
    if valid_number(code, nsn):
        return True
    return nsn.startswith("0") and valid_number(code, nsn[1:])


def _nanp_layout_ok(text: str) -> bool:
    """North American numbers are written 3-3-4 (optionally 1 or +1 first) or as bare digits."""
    groups = tuple(len(g) for g in _GROUPS.findall(text))
    return groups in _NANP_LAYOUTS


def national_region(text: str, digits: str, regions: tuple[str, ...]) -> str | None:
    """The first of *regions* where *text*, written in national form, is a valid number.

    A region whose numbers are written with a trunk prefix (``0`` in China,
    the UK, Germany, France, Japan, Brazil) must see that prefix, or an area
    code in parentheses: without that rule almost any run of digits is a
    valid national number somewhere. North American numbers have no trunk
    prefix to see; China's 400 and 800 service numbers have none either, and
    Brazilian mobile numbers are written without it (``11 98456-5666``): an
    area code and nine digits starting with 9, valid as a Brazilian number.
    Chinese landlines are accepted on their structure (area code and a local
    number of 7 or 8 digits) where the metadata lists fewer exchanges than
    are in use. A group that is a zero-padded counter (:func:`zero_padded`)
    makes no number.
    """
    if zero_padded(text):
        return None
    bracket = text.startswith("(")
    for region in regions:
        if region in _NANP_REGIONS:
            nanp = len(digits) == _NANP_DIGITS or (
                len(digits) == _NANP_DIGITS + 1 and digits[0] == "1"
            )
            if nanp and _nanp_layout_ok(text) and _valid_national(digits, region):
                return region
            continue
        if region == "BR" and _BR_MOBILE.fullmatch(digits) and _valid_national(digits, region):
            return region  # "11 98456-5666": Brazilians write mobiles without the trunk 0
        trunk = _trunk_prefix(region)
        if region == "CN" and (
            _CN_SERVICE.fullmatch(digits) or (_CN_LANDLINE.fullmatch(digits) and not text.isdigit())
        ):
            return region
        if trunk is not None and not digits.startswith(trunk) and not bracket:
            continue
        if _valid_national(digits, region):
            return region
    return None


@lru_cache(maxsize=256)
def _country_code(region: str) -> int:
    metadata = PhoneMetadata.metadata_for_region(region)
    return int(metadata.country_code) if metadata is not None and metadata.country_code else 0


def _valid_national(digits: str, region: str) -> bool:
    """A number written in *region*'s national form is valid there.

    The trunk prefix, where written, is dropped to give the national
    significant number (as phonenumbers' parser does for these regions);
    failing that, the digits are tried as they are (regions such as Italy
    keep their leading zero).
    """
    code = _country_code(region)
    trunk = _trunk_prefix(region)
    if trunk is not None and digits.startswith(trunk) and valid_number(code, digits[len(trunk) :]):
        return True
    return valid_number(code, digits)


def phone_digits(value: str) -> str:
    """The ASCII digits of *value*, full-width digits folded."""
    return _NON_DIGITS.sub("", unicodedata.normalize("NFKC", value))


def is_phone_number(value: str, regions: tuple[str, ...] = DEFAULT_PHONE_REGIONS) -> bool:
    """True for a valid number in international form or in a national form of *regions*."""
    text = unicodedata.normalize("NFKC", value).strip()
    digits = phone_digits(text)
    if not _MIN_DIGITS <= len(digits) <= _MAX_DIGITS:
        return False
    if text.startswith("+") or digits.startswith("00"):
        return international(text, digits)
    if _CN_MOBILE.fullmatch(digits):
        return True
    return national_region(text, digits, regions) is not None


def _region_of_national(text: str, digits: str, region: str) -> str:
    """The region a number without a country code belongs to, by its own evidence.

    A number is read in *region* when it is written the way *region* writes
    its national numbers: after the trunk prefix (``0`` in China, the UK,
    Germany …), or as a Chinese mobile or 400/800 number. Written otherwise
    and laid out as a North American number (``(415) 555-0132``,
    ``415-555-0132``, ``1-415-555-0132``), valid there, it is read as one:
    no Chinese landline is written without its ``0``.
    """
    trunk = _trunk_prefix(region)
    if trunk is None or digits.startswith(trunk) or region in _NANP_REGIONS:
        return region
    groups = tuple(len(g) for g in _GROUPS.findall(text))
    nanp = groups in _NANP_LAYOUTS and (
        len(digits) == _NANP_DIGITS or (len(digits) == _NANP_DIGITS + 1 and digits[0] == "1")
    )
    # "1-415-555-0132" has the digits of a Chinese mobile number, not its layout.
    leading_one = len(groups) > 1 and groups[0] == 1
    if nanp and leading_one and _valid_national(digits, "US"):
        return "US"
    if region == "CN" and (_CN_MOBILE.fullmatch(digits) or _CN_SERVICE.fullmatch(digits)):
        return region
    if nanp and _valid_national(digits, "US"):
        return "US"
    return region


def to_e164(value: str, region: str = "CN") -> str | None:
    """*value* in E.164 form (``+8613812345678``), or None if it is not a valid number.

    ``+86 138 1234 5678``, ``0086-138-1234-5678``, ``8613812345678`` and
    the same digits in full width all give ``+8613812345678``. A number
    without a country code is read in *region* when it is written as
    *region* writes national numbers (with its trunk prefix, or as a Chinese
    mobile or service number); a North American layout such as
    ``(415) 555-0132`` without that prefix gives ``+14155550132``, as
    ``+1 (415) 555-0132`` does.

    .. versionchanged:: 0.3 The number's own layout decides its region
       where it is not written as a national number of *region*.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    digits = phone_digits(text)
    if not digits:
        return None
    if text.startswith("+"):
        candidate = text
    elif digits.startswith("00"):
        candidate = "+" + digits[2:]
    elif digits.startswith("86") and _CN_MOBILE.fullmatch(digits[2:]):
        candidate = "+" + digits
    else:
        candidate = text
        region = _region_of_national(text, digits, region)
    try:
        number = phonenumbers.parse(candidate, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return str(phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164))
