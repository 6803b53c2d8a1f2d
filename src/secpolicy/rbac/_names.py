"""Canonical names: users, roles, actions, tenants and ``/``-separated resources.

Every name the engine stores or is asked about goes through here first, so
two spellings of one name (NFC and NFD, ``a/./b`` and ``a/b``) can never be
told apart by a rule, and a malformed name is a typed error, never a match.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Final

from secpolicy.exceptions import PolicyConfigError

__all__ = [
    "InvalidNameError",
    "canon_action",
    "canon_id",
    "canon_pattern",
    "canon_request",
    "canon_resource",
    "fold_id",
]

# Categories refused anywhere in a name: controls, format characters (zero
# width, bidirectional overrides), surrogates, private use, unassigned, and
# the line and paragraph separators.
_REFUSED_CATEGORIES: Final = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})
_ASCII_CONTROL: Final = re.compile(r"[\x00-\x1f\x7f]")
# Invisible characters outside those categories: the Unicode
# Default_Ignorable_Code_Point characters that are marks or letters
# (combining grapheme joiner, Hangul fillers, Khmer inherent vowels,
# Mongolian free variation selectors, variation selectors), and the blank
# Braille pattern. ``bob`` followed by one of them is drawn as ``bob`` (a
# second account a person cannot tell from the first), and NFKC_Casefold,
# which databases and identifier profiles use, deletes them.
_INVISIBLE: Final = re.compile(
    "[\u034f\u115f\u1160\u17b4\u17b5\u180b-\u180f\u2800\u3164\ufe00-\ufe0f"
    "\uffa0\U000e0100-\U000e01ef]"
)
_CACHE_LIMIT: Final = 1 << 16
#: The longest name (in characters) whose canonical form is kept. The caches
#: are bounded in entries; this bounds what one entry holds, so request names
#: an attacker makes long cannot make them hold gigabytes. Longer names are
#: checked afresh each time.
CACHED_NAME_MAX: Final = 256
# Characters refused in resource names and patterns because they look like
# the separator ``/`` or the wildcard ``*`` (or are another system's
# separator, ``\\``) without being them: the engine would read one segment
# where a person, or an application that maps them to ``/``, reads several.
# Full-width and other compatibility forms (U+FF0F, U+FF3C, U+FF0A) are refused
# by the NFKC rule instead (see :class:`InvalidNameError`).
LOOKALIKES: Final = frozenset(
    "\\"  # REVERSE SOLIDUS: the path separator of Windows and some URL parsers
    "\u1735"  # PHILIPPINE SINGLE PUNCTUATION
    "\u2041"  # CARET INSERTION POINT
    "\u2044"  # FRACTION SLASH
    "\u2215"  # DIVISION SLASH
    "\u2216"  # SET MINUS
    "\u2571"  # BOX DRAWINGS LIGHT DIAGONAL UPPER RIGHT TO LOWER LEFT
    "\u2572"  # BOX DRAWINGS LIGHT DIAGONAL UPPER LEFT TO LOWER RIGHT
    "\u27cb"  # MATHEMATICAL RISING DIAGONAL
    "\u27cd"  # MATHEMATICAL FALLING DIAGONAL
    "\u29f8"  # BIG SOLIDUS
    "\u29f9"  # BIG REVERSE SOLIDUS
    "\u3033"  # VERTICAL KANA REPEAT MARK UPPER HALF
    "\u31d3"  # CJK STROKE SP
    "\u066d"  # ARABIC FIVE POINTED STAR
    "\u204e"  # LOW ASTERISK
    "\u2217"  # ASTERISK OPERATOR
    "\u2731"  # HEAVY ASTERISK
)


class InvalidNameError(PolicyConfigError):
    """A user, role, action, tenant or resource name that is not canonical.

    Raised for policies and for requests alike: an empty name, leading or
    trailing white space, control or format characters, invisible
    characters (variation selectors, the combining grapheme joiner, Hangul
    fillers and other default-ignorable code points), and in resource
    names an empty segment (``a//b``, a leading or trailing ``/``), a ``.``
    or ``..`` segment, ``*`` outside a pattern, a compatibility character
    (one that Unicode NFKC changes: the full-width solidus U+FF0F, asterisk
    U+FF0A and letters, ligatures, circled digits) or a look-alike of ``/``
    or ``*`` (the backslash, U+2215 DIVISION SLASH, U+2044 FRACTION SLASH,
    U+29F8 BIG SOLIDUS, U+2217 ASTERISK OPERATOR and the others in
    ``LOOKALIKES``). Names are compared after Unicode NFC normalisation,
    code point by code point, so letter case matters. The message names the
    field, never the value.

    It is a :class:`~secpolicy.exceptions.PolicyConfigError` (and so a
    ``ValueError``).

    .. versionadded:: 0.2
    """

    __module__ = "secpolicy.rbac"


def _text(value: object, field: str) -> str:
    if not isinstance(value, str):
        raise InvalidNameError("must be a string", field=field)
    if type(value) is not str:
        # A str subclass compares and hashes as its class says, not as its
        # text: keep the text only, as an exact str.
        value = str.__str__(value)
    if not value.isascii():
        for char in value:
            if unicodedata.category(char) in _REFUSED_CATEGORIES:
                raise InvalidNameError("contains a control or format character", field=field)
        if _INVISIBLE.search(value):
            raise InvalidNameError(
                "contains an invisible character (a variation selector, combining grapheme "
                "joiner, Hangul filler or another default-ignorable code point)",
                field=field,
            )
        value = unicodedata.normalize("NFC", value)
    elif _ASCII_CONTROL.search(value):
        raise InvalidNameError("contains a control character", field=field)
    return value


_ID_CACHE: dict[object, str] = {}


def canon_id(value: object, field: str) -> str:
    """The NFC form of a user, role, tenant or constraint name.

    Raises:
        InvalidNameError: If it is not a non-empty string without surrounding
            white space and without control or format characters.
    """
    found = _ID_CACHE.get(value) if type(value) is str else None
    if found is not None:
        return found
    text = _text(value, field)
    if not text:
        raise InvalidNameError("must not be empty", field=field)
    if text != text.strip():
        raise InvalidNameError("must not begin or end with white space", field=field)
    if len(_ID_CACHE) >= _CACHE_LIMIT:
        _ID_CACHE.clear()
    if type(value) is str and len(value) <= CACHED_NAME_MAX:
        _ID_CACHE[value] = text
    return text


# Cyrillic and Greek letters drawn like Latin ones: inside a name that also
# has Latin letters they are a disguise (``alice`` with a Cyrillic a).
_LATIN_TWINS: Final = str.maketrans(
    "\u0430\u0435\u0441\u043e\u043f\u0445\u0443\u0455\u0456\u0458\u0501\u051b"
    "\u051d\u04bb\u04cf\u0410\u0412\u0415\u041a\u041c\u041d\u041e\u0420\u0421"
    "\u0422\u0425\u0423\u0405\u0406\u0408\u03bf\u03b1\u03bd\u03c1\u0391\u0392"
    "\u0395\u0396\u0397\u0399\u039a\u039c\u039d\u039f\u03a1\u03a4\u03a5\u03a7",
    "aecopxysijdqwhlABEKMHOPCTXYSIJoavpABEZHIKMNOPTYX",
)


def fold_id(name: str) -> str:
    """The look-alike key of a user or role name: NFKC, Latin twins, then case folding.

    Two accounts (or roles) whose keys are equal are refused as look-alikes
    (``alice``, ``Alice``, the full-width ``alice``, U+FF41 onwards, and, in
    a name that has Latin letters, ``alice`` with a Cyrillic or Greek letter
    drawn like a Latin one). A name wholly in Cyrillic or Greek is its own.
    """
    folded = unicodedata.normalize("NFKC", name)
    if not folded.isascii() and any("a" <= c <= "z" or "A" <= c <= "Z" for c in folded):
        folded = folded.translate(_LATIN_TWINS)
    return folded.casefold()


_ACTION_CACHE: dict[object, str] = {}


def canon_action(value: object, field: str = "action", *, pattern: bool = False) -> str:
    """An action name; ``*`` (every action) only in rules (*pattern* true).

    Compatibility characters (those NFKC changes, e.g. the full-width
    ``delete`` written with U+FF44) are refused, as in resource names.
    """
    if not pattern and type(value) is str:
        found = _ACTION_CACHE.get(value)
        if found is not None:
            return found
    action = canon_id(value, field)
    if not action.isascii() and not unicodedata.is_normalized("NFKC", action):
        # A full-width or ligature form reads as the plain action to a person
        # (and to anything that folds it) but is another name to the rules.
        raise InvalidNameError(
            "contains a compatibility character (a full-width or other form that "
            "Unicode NFKC changes); write its plain form",
            field=field,
        )
    if not pattern and "*" in action:
        raise InvalidNameError("'*' is not an action one can ask for", field=field)
    if pattern and "*" in action and action != "*":
        raise InvalidNameError("'*' must be the whole action", field=field)
    if not pattern:
        if len(_ACTION_CACHE) >= _CACHE_LIMIT:
            _ACTION_CACHE.clear()
        if type(value) is str and len(value) <= CACHED_NAME_MAX:
            _ACTION_CACHE[value] = action
    return action


def _segments(value: object, field: str) -> tuple[str, list[str]]:
    text = _text(value, field)
    if not text:
        raise InvalidNameError("must not be empty", field=field)
    if text.isascii():
        if "\\" in text:
            raise InvalidNameError("contains '\\', a look-alike of the separator '/'", field=field)
    else:
        if not unicodedata.is_normalized("NFKC", text):
            raise InvalidNameError(
                "contains a compatibility character (a full-width or other form that "
                "Unicode NFKC changes, such as '\uff0f' or '\uff0a'); write its plain form",
                field=field,
            )
        if not LOOKALIKES.isdisjoint(text):
            raise InvalidNameError("contains a look-alike of '/' or '*'", field=field)
    parts = text.split("/")
    for part in parts:
        if not part:
            raise InvalidNameError(
                "has an empty segment ('//', or a leading or trailing '/')", field=field
            )
        if part in (".", ".."):
            raise InvalidNameError("has a '.' or '..' segment", field=field)
        if part != part.strip():
            raise InvalidNameError(
                "has a segment beginning or ending with white space", field=field
            )
    return text, parts


_RESOURCE_CACHE: dict[object, tuple[str, ...]] = {}


def canon_resource(value: object, field: str = "resource") -> tuple[str, ...]:
    """The segments of a requested resource name (no wildcards).

    Raises:
        InvalidNameError: For any non-canonical name (see :class:`InvalidNameError`).
    """
    found = _RESOURCE_CACHE.get(value) if type(value) is str else None
    if found is not None:
        return found
    _, parts = _segments(value, field)
    for part in parts:
        if "*" in part:
            raise InvalidNameError("'*' is a wildcard, not part of a resource name", field=field)
    segments = tuple(parts)
    if len(_RESOURCE_CACHE) >= _CACHE_LIMIT:
        _RESOURCE_CACHE.clear()
    if type(value) is str and len(value) <= CACHED_NAME_MAX:
        _RESOURCE_CACHE[value] = segments
    return segments


_PATTERN_CACHE: dict[str, tuple[str, ...]] = {}


def canon_pattern(value: object, field: str = "resource") -> tuple[str, ...]:
    """The segments of a resource pattern: ``*`` one segment, ``**`` any number (even none).

    Consecutive ``**`` collapse into one (they mean the same).

    Raises:
        InvalidNameError: For a non-canonical name, or ``*`` inside a segment.
    """
    found = _PATTERN_CACHE.get(value) if type(value) is str else None
    if found is not None:
        return found
    _, parts = _segments(value, field)
    segments: list[str] = []
    for part in parts:
        if "*" in part and part not in ("*", "**"):
            raise InvalidNameError("'*' and '**' must be whole segments", field=field)
        if part == "**" and segments and segments[-1] == "**":
            continue
        segments.append(part)
    canonical = tuple(segments)
    if type(value) is str:
        if len(_PATTERN_CACHE) >= _CACHE_LIMIT:
            _PATTERN_CACHE.clear()
        _PATTERN_CACHE[value] = canonical
    return canonical


Request = tuple[str, tuple[str, ...], str, "str | None", str]
_REQUEST_CACHE: dict[tuple[str, str, str, str | None], Request] = {}


def canon_request(user: str, resource: str, action: str, tenant: str | None) -> Request:
    """The canonical ``(user, segments, action, tenant, resource text)`` of a request of ``str``.

    The resource is checked first, then the action, the user and the tenant,
    so the error names the first malformed field in that order. Answers are
    kept by the exact argument strings (the caller passes only exact
    ``str``), so a request seen before costs one look-up instead of one per
    name.
    """
    segments = canon_resource(resource)
    act = canon_action(action)
    name = canon_id(user, "user")
    scope = None if tenant is None else canon_id(tenant, "tenant")
    # An ASCII name that passed canon_resource is its own canonical text.
    text = resource if resource.isascii() else "/".join(segments)
    found: Request = (name, segments, act, scope, text)
    if len(user) + len(resource) + len(action) + len(tenant or "") <= CACHED_NAME_MAX:
        if len(_REQUEST_CACHE) >= _CACHE_LIMIT:
            _REQUEST_CACHE.clear()
        _REQUEST_CACHE[(user, resource, action, tenant)] = found
    return found
