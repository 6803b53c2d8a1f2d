"""What to put in place of personal data: masking, redaction, pseudonyms, encryption."""

from __future__ import annotations

import ipaddress
import math
import re
import string
import unicodedata
from datetime import date
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from secpolicy.crypto import BlindIndex, FieldEncryptor, Keyset
from secpolicy.exceptions import DecryptionError, PolicyConfigError
from secpolicy.pii import _entities
from secpolicy.pii._fold import canonical
from secpolicy.pii._phone import phone_digits, to_e164

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

_COMPOUND: Final = (
    "欧阳 太史 端木 上官 司马 东方 独孤 南宫 万俟 闻人 夏侯 诸葛 尉迟 公羊 "
    "赫连 澹台 皇甫 宗政 濮阳 公冶 太叔 申屠 公孙 慕容 仲孙 钟离 长孙 宇文 "
    "司徒 鲜于 司空 闾丘 子车 亓官 司寇 巫马 公西 颛孙 壤驷 公良 漆雕 乐正 "
    "宰父 谷梁 拓跋 夹谷 轩辕 令狐 段干 百里 呼延 东郭 南门 羊舌 微生 公户 "
    "公玉 公仪 梁丘 公仲 公上 公门 公山 公坚 左丘 公伯 西门 公祖 第五 公乘 "
    "贯丘 公皙 南荣 东里 东宫 仲长 子书 子桑 即墨 达奚 褚师"
)
#: Two-character Chinese surnames (复姓) kept whole by :class:`MaskName`.
COMPOUND_SURNAMES: Final = frozenset(_COMPOUND.split())


@runtime_checkable
class Operator(Protocol):
    """Turns one piece of personal data into what may be shown or stored instead."""

    def apply(self, value: str, entity: str) -> str:
        """Return the replacement for *value*, found as *entity*."""
        ...


def _check_char(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or len(value) != 1:
        raise PolicyConfigError("must be a single character", field=attribute.name)


def _non_negative(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PolicyConfigError("must be a non-negative integer", field=attribute.name)


def _fraction(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PolicyConfigError("must be a fraction from 0 to 1", field=attribute.name)


def _check_prefix(_: object, attribute: attrs.Attribute[str | None], value: object) -> None:
    if value is None:
        return
    if not isinstance(value, str):
        raise PolicyConfigError("must be a regular expression or None", field=attribute.name)
    try:
        re.compile(value)
    except re.error:
        raise PolicyConfigError("is not a valid regular expression", field=attribute.name) from None


_DATE_FORMATS: Final = (
    # (pattern, order of the groups: y m d)
    (re.compile(r"([0-9]{4})[-/.年]\s*([0-9]{1,2})[-/.月]\s*([0-9]{1,2})日?"), "ymd"),
    (re.compile(r"([0-9]{4})([0-9]{2})([0-9]{2})"), "ymd"),
    (re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})"), "dmy"),
)


def parse_birth_date(value: str) -> date | None:
    """The date a birth-date field holds, or None if it cannot be read unambiguously.

    ISO (``1990-01-15``, with a time after it), ``1990/01/15``, ``1990年1月15日``,
    ``19900115``, and day-first or month-first forms with a four-digit year at
    the end (``15/01/1990``, ``01/15/1990``). Where day and month could be
    swapped (``05/04/1990``), both readings hide the same parts, so the
    reading does not matter for masking: the day-first one is returned.
    """
    text = unicodedata.normalize("NFKC", value).strip()
    for pattern, order in _DATE_FORMATS:
        found = pattern.match(text)
        if found is None or not _date_tail_ok(text[found.end() :]):
            continue
        first, second, third = (int(g) for g in found.groups())
        if order == "ymd":
            candidates = [(first, second, third)]
        else:
            candidates = [(third, second, first), (third, first, second)]
        for year, month, day in candidates:
            try:
                return date(year, month, day)
            except ValueError:
                continue
    return None


def _date_tail_ok(tail: str) -> bool:
    """After a date, nothing, or a time (``T10:00:00``, `` 10:00``)."""
    return not tail or (tail[0] in "T " and not any(ch.isalpha() for ch in tail[1:]))


@attrs.frozen
class Mask:
    """Replace every letter and digit except the first and last few with *char*.

    Separators (spaces, dashes, ``+``, dots) stay, so ``4111-1111-1111-1111``
    with ``Mask(6, 4)`` reads ``4111-11**-****-1111``. When the value has no
    more letters and digits than are kept, all of them are masked, so a short
    value never shows whole. Masking a masked value changes nothing.

    A mask never reveals more than *max_reveal* of the value's letters and
    digits: where *keep_first* and *keep_last* would show more, both shrink in
    proportion, so ``Mask(3, 4)`` on ``+12345678`` shows 4 of its 8 digits
    (``+1****678``), not 7. Birth dates (entity ``BIRTH_DATE``) are read as a
    date first and masked in ISO order, so ``Mask(4, 0)`` shows the year of
    ``15/01/1990`` (``1990-**-**``), never the day and month; a birth date
    that cannot be read is masked whole.

    Args:
        keep_first: Letters and digits shown at the start.
        keep_last: Letters and digits shown at the end.
        char: The mask character.
        skip_prefix: A regular expression for a prefix that is shown as it is
            and not counted, such as a country code: with
            ``Mask(3, 4, skip_prefix="[+]?86[ -]?")``, ``+86 150 1234 5678``
            reads ``+86 150 **** 5678``.
        max_reveal: The largest share of the letters and digits shown (0 to
            1, default 0.5). ``.. versionadded:: 0.2``

    Raises:
        PolicyConfigError: For a negative count, a *char* that is not one
            character, an invalid *skip_prefix* or a share outside 0 to 1.
    """

    keep_first: int = attrs.field(default=0, validator=_non_negative)
    keep_last: int = attrs.field(default=0, validator=_non_negative)
    char: str = attrs.field(default="*", validator=_check_char, kw_only=True)
    skip_prefix: str | None = attrs.field(default=None, kw_only=True, validator=_check_prefix)
    max_reveal: float = attrs.field(default=0.5, kw_only=True, validator=_fraction)
    _prefix: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        prefix = None if self.skip_prefix is None else re.compile(self.skip_prefix)
        object.__setattr__(self, "_prefix", prefix)

    def kept(self, count: int) -> tuple[int, int]:
        """How many of *count* letters and digits show at the start and at the end."""
        first, last = self.keep_first, self.keep_last
        if count <= first + last:
            return 0, 0
        allowed = math.floor(self.max_reveal * count + 1e-9)
        if first + last > allowed:
            scaled = first * allowed // (first + last)
            first, last = scaled, allowed - scaled
        return first, last

    def apply(self, value: str, entity: str) -> str:
        """Mask *value*; a ``BIRTH_DATE`` is read as a date first."""
        if entity == _entities.BIRTH_DATE:
            born = parse_birth_date(value)
            value = born.isoformat() if born is not None else value
            if born is None:
                return "".join(self.char if ch.isalnum() else ch for ch in value)
        skip = 0
        if self._prefix is not None:
            found = self._prefix.match(value)
            skip = found.end() if found else 0
        positions = [
            i for i, ch in enumerate(value) if i >= skip and (ch.isalnum() or ch == self.char)
        ]
        first, last = self.kept(len(positions))
        hidden = set(positions[first : len(positions) - last])
        return "".join(self.char if i in hidden else ch for i, ch in enumerate(value))


@attrs.frozen
class Keep:
    """Keep the value as it is, for fields that must stay in clear (an audit record's IP address).

    .. versionadded:: 0.2
    """

    def apply(self, value: str, entity: str) -> str:
        """Return *value* unchanged."""
        return value


@attrs.frozen
class MaskEmail:
    """Mask the local part of an e-mail address, keeping the domain: ``z*******@example.com``.

    Args:
        keep_first: Characters of the local part shown.
        char: The mask character.
    """

    keep_first: int = attrs.field(default=1, validator=_non_negative)
    char: str = attrs.field(default="*", validator=_check_char, kw_only=True)

    def apply(self, value: str, entity: str) -> str:
        """Mask the part before ``@``; a value without ``@`` is masked whole."""
        local, at, domain = value.rpartition("@")
        if not at:
            return self.char * len(value)
        shown = local[: self.keep_first] if len(local) > self.keep_first else ""
        return shown + self.char * (len(local) - len(shown)) + at + domain


@attrs.frozen
class MaskName:
    """Keep the surname, mask the given name: ``张*``, ``张*明`` style, ``欧阳**``.

    Chinese names keep a one- or two-character surname (two for the
    compound surnames in ``COMPOUND_SURNAMES``); with *keep_last*, the
    last character shows too (``张*明``). Latin names keep the first letter
    of each word (``J*** S****``). A value that would show whole (a single
    character, a one-letter initial) is masked.

    Args:
        keep_last: Also show the last character of a Chinese given name of two
            or more characters.
        char: The mask character.
    """

    keep_last: bool = attrs.field(default=False)
    char: str = attrs.field(default="*", validator=_check_char, kw_only=True)

    def apply(self, value: str, entity: str) -> str:
        """Mask the given name."""
        name = value.strip()
        if not name:
            return value
        if name.isascii():
            # A word of one letter (an initial) would show whole: it is masked.
            return " ".join(
                word[:1] + self.char * (len(word) - 1) if len(word) > 1 else self.char * len(word)
                for word in name.split(" ")
            )
        if len(name) == 1:  # a surname or given name alone: showing it shows all
            return self.char
        surname = name[:2] if name[:2] in COMPOUND_SURNAMES and len(name) > 2 else name[:1]  # noqa: PLR2004
        given = name[len(surname) :]
        if self.keep_last and len(given) >= 2:  # noqa: PLR2004
            return surname + self.char * (len(given) - 1) + given[-1]
        return surname + self.char * len(given)


@attrs.frozen
class Redact:
    """Remove the value entirely (replace it with *text*, empty by default)."""

    text: str = ""

    def apply(self, value: str, entity: str) -> str:
        """Return the replacement text."""
        return self.text


def _template(*names: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    """A validator: a ``str.format`` template that uses only *names*, plainly.

    Checked when the operator is built, so that a template naming a field the
    operator does not fill (``{value}``) fails when the policy loads, not at
    the first record it masks; format specs, conversions, attributes and
    indexes are refused (``{entity:>999999999}`` would build a huge string).
    """
    allowed = ", ".join("{" + n + "}" for n in names)

    def check(_: object, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            raise PolicyConfigError(f"{attribute.name} must be a string", field=attribute.name)
        try:
            parsed = list(string.Formatter().parse(value))
        except ValueError:
            raise PolicyConfigError(
                f"{attribute.name} is not a valid template (write {{{{ and }}}} for braces)",
                field=attribute.name,
            ) from None
        for _text, name, spec, conversion in parsed:
            if name is not None and (name not in names or spec or conversion):
                raise PolicyConfigError(
                    f"{attribute.name} may use only {allowed}", field=attribute.name
                )

    return check


@attrs.frozen
class Replace:
    """Replace the value with a template, e.g. ``Replace("<{entity}>")`` gives ``<EMAIL>``.

    Args:
        template: A ``str.format`` template; ``{entity}`` is the entity name.
    """

    template: str = attrs.field(default="<{entity}>", validator=_template("entity"))

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.template, str):
            raise PolicyConfigError("must be a str", field="template")
        try:
            self.template.format(entity="E")
        except (ValueError, KeyError, IndexError, AttributeError):
            raise PolicyConfigError(
                "must be a str.format template in which only {entity} appears",
                field="template",
            ) from None

    def apply(self, value: str, entity: str) -> str:
        """Fill in the template."""
        return self.template.format(entity=entity)


@attrs.frozen(repr=False)
class Pseudonymize:
    """Replace the value with a keyed, deterministic pseudonym: ``<CN_MOBILE:3f2a9c1d…>``.

    The same value always gives the same pseudonym under the same key, so
    masked records stay joinable and countable. Values are normalised first:
    invisible characters dropped, the digits of every script read as ASCII,
    NFKC (full-width digits and letters to ASCII), case folding; separators
    removed from identifiers (cards, IBANs, ID and passport numbers), IP
    addresses in their canonical form, runs of white space made one space in
    everything else (``a-b@x.cn`` is not ``ab@x.cn``); telephone numbers
    (``CN_MOBILE`` and ``PHONE``, which share one pseudonym space) in E.164
    form, so ``+86 138 1234 5678``,
    ``8613812345678``, ``13812345678`` and the same digits in full width
    give one pseudonym.

    .. versionchanged:: 0.2 Phone numbers are normalised to E.164 and
       ``CN_MOBILE`` and ``PHONE`` share a pseudonym space, so pseudonyms of
       phone numbers differ from those of 0.1.

    .. warning::
        This is pseudonymisation, not anonymisation (GDPR Recital 26, GB/T
        35273 §3.14 and §3.15): whoever holds the key can test any guessed value,
        and low-entropy values (phone numbers, birth dates) can be enumerated.
        Keep the key apart from the data, and treat the output as personal data.

    Args:
        key: 32 key bytes, or a keyset of HMAC keys (``Keyset.generate("HMAC-SHA256")``).
        length: Bytes of the HMAC kept (4 to 32, default 8: 16 hex characters).
        template: ``{entity}`` and ``{digest}`` are filled in.
        phone_region: The region of phone numbers written without a country code.
    """

    key: bytes | Keyset = attrs.field(repr=False)
    length: int = attrs.field(default=8, kw_only=True)
    template: str = attrs.field(
        default="<{entity}:{digest}>", kw_only=True, validator=_template("entity", "digest")
    )
    phone_region: str = attrs.field(default="CN", kw_only=True)
    _index: BlindIndex = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", BlindIndex(self.key, length=self.length))

    def normalise(self, value: str, entity: str) -> tuple[str, str]:
        """The normal form of *value* and the pseudonym space it falls in."""
        folded = unicodedata.normalize("NFKC", canonical(value)).casefold()
        if entity in _PHONE_ENTITIES:
            e164 = to_e164(folded, self.phone_region)
            return (e164 if e164 is not None else phone_digits(folded)), _entities.PHONE
        if entity in _COMPACT_ENTITIES:  # identifiers: separators carry no meaning
            return "".join(ch for ch in folded if ch.isalnum()), entity
        if entity == _entities.IP_ADDRESS:
            try:
                return str(ipaddress.ip_address(folded.strip().strip("[]"))), entity
            except ValueError:
                pass
        # Elsewhere punctuation tells people apart (a-b@x.cn is not ab@x.cn,
        # Li Na not Lina): only runs of white space are made one space.
        return " ".join(folded.split()), entity

    def apply(self, value: str, entity: str) -> str:
        """Return the pseudonym of *value*."""
        normal, space = self.normalise(value, entity)
        digest = self._index.compute(normal, context=space.encode())
        return self.template.format(entity=entity, digest=digest)

    def __repr__(self) -> str:
        return f"Pseudonymize(length={self.length})"


_PHONE_ENTITIES: Final = frozenset({_entities.CN_MOBILE, _entities.PHONE})
_COMPACT_ENTITIES: Final = frozenset({
    _entities.CN_RESIDENT_ID, _entities.CN_USCC, _entities.CN_PASSPORT,
    _entities.CN_HK_MACAU_PERMIT, _entities.CN_TAIWAN_PERMIT, _entities.PAYMENT_CARD,
    _entities.IBAN, _entities.US_SSN, _entities.BANK_ACCOUNT,
})  # fmt: skip
# The message of every decryption failure (the same as secpolicy.crypto's: no oracle).
_DECRYPT_FAILED: Final = "could not decrypt: the token is invalid for this key, context or keyset"
_TOKEN_CHARS: Final = "[A-Za-z0-9_-]+"  # noqa: S105 (base64url, not a password)
_ENTITY_CHARS: Final = "[A-Z][A-Z0-9_]*"


@attrs.frozen(repr=False)
class Encrypt:
    """Replace the value with a :class:`~secpolicy.crypto.FieldEncryptor` token (reversible).

    The token carries the entity it was found as (``enc:CN_MOBILE:AQAAA…``),
    and the entity is bound into the associated data, so a token decrypts
    only as that entity. With *context*, the token is also bound to its row:
    ``Encrypt(encryptor, context=lambda record: record["customer_id"])``
    makes a token copied into another customer's record fail to decrypt.
    :meth:`secpolicy.pii.Masker.unmask` (or :meth:`decrypt`) reverses tokens
    for callers holding the keyset.

    Args:
        encryptor: The field encryptor (AES-256-GCM or SM4-GCM keyset).
        template: ``{token}`` and ``{entity}`` are filled in; both must appear
            so that the token can be found and decrypted again.
        context: Builds the row part of the associated data from the record
            being masked (bytes or text). Masking free text outside a record
            binds no row.

    .. versionchanged:: 0.2 Tokens carry the entity (``enc:{entity}:{token}``)
       and *context* takes the record, not the entity.
    """

    encryptor: FieldEncryptor
    template: str = attrs.field(default="enc:{entity}:{token}", kw_only=True)
    context: Callable[[Mapping[str, Any]], bytes | str] | None = attrs.field(
        default=None, kw_only=True
    )
    _pattern: re.Pattern[str] = attrs.field(init=False, eq=False)

    def __attrs_post_init__(self) -> None:
        if "{token}" not in self.template or "{entity}" not in self.template:
            raise PolicyConfigError("must contain {token} and {entity}", field="template")
        try:
            self.template.format(entity="E", token="T")  # noqa: S106 (a trial fill-in)
        except (KeyError, IndexError, ValueError):
            raise PolicyConfigError(
                "only {token} and {entity} may appear", field="template"
            ) from None
        literal = re.escape(self.template.replace("{entity}", "\0").replace("{token}", "\1"))
        pattern = literal.replace(re.escape("\0"), f"(?P<entity>{_ENTITY_CHARS})").replace(
            re.escape("\1"), f"(?P<token>{_TOKEN_CHARS})"
        )
        object.__setattr__(self, "_pattern", re.compile(pattern))

    def _associated(self, entity: str, record: Mapping[str, Any] | None) -> bytes:
        base = f"pii:{entity}".encode()
        if self.context is None or record is None:
            return base
        row = self.context(record)
        return base + b"|" + (row if isinstance(row, bytes) else str(row).encode("utf-8"))

    def apply(self, value: str, entity: str) -> str:
        """Encrypt *value* and fill in the template (no row bound)."""
        return self.apply_in(value, entity, None)

    def apply_in(self, value: str, entity: str, record: Mapping[str, Any] | None) -> str:
        """Encrypt *value*, bound to *entity* and to the row context of *record*."""
        token = self.encryptor.encrypt(
            value.encode("utf-8"), context=self._associated(entity, record)
        )
        return self.template.format(token=token, entity=entity)

    @property
    def pattern(self) -> re.Pattern[str]:
        """Finds this operator's tokens in text (groups ``entity`` and ``token``)."""
        return self._pattern

    def decrypt(self, text: str, *, record: Mapping[str, Any] | None = None) -> str:
        """The value a whole token of this operator stood for.

        Raises:
            DecryptionError: If *text* is not one token, or it does not
                authenticate (another key, entity or row).
        """
        found = self._pattern.fullmatch(text)
        if found is None:
            raise DecryptionError(_DECRYPT_FAILED)
        return self._open(found, record)

    def _open(self, found: re.Match[str], record: Mapping[str, Any] | None) -> str:
        plain = self.encryptor.decrypt(
            found["token"], context=self._associated(found["entity"], record)
        )
        try:
            return plain.decode("utf-8")
        except UnicodeDecodeError:
            raise DecryptionError(_DECRYPT_FAILED) from None

    def __repr__(self) -> str:
        return "Encrypt(<encryptor>)"
