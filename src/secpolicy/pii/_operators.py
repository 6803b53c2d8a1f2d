"""What to put in place of personal data: masking, redaction, pseudonyms, encryption."""

from __future__ import annotations

import re
import string
from typing import TYPE_CHECKING, Any, Final, Protocol, runtime_checkable

import attrs

from secpolicy.crypto import BlindIndex, FieldEncryptor, Keyset
from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Callable

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


def _check_char(_: object, __: object, value: object) -> None:
    if not isinstance(value, str) or len(value) != 1:
        raise ValueError("char must be a single character")


def _non_negative(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if not isinstance(value, int) or value < 0:
        raise ValueError(f"{attribute.name} must be a non-negative integer")


def _template(*names: str) -> Callable[[object, attrs.Attribute[str], object], None]:
    """A validator: a ``str.format`` template using only *names*, plainly.

    Checked when the operator is built, so that a template naming a field
    the operator does not fill (``{value}``) fails when the policy loads, not
    at the first record it masks; format specs and conversions are refused
    (``{entity:>999999999}`` would build a huge string).
    """
    allowed = ", ".join("{" + n + "}" for n in names)

    def check(_: object, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str):
            raise PolicyConfigError(f"{attribute.name} must be a string", field=attribute.name)
        try:
            fields: list[Any] = list(string.Formatter().parse(value))
        except ValueError:
            raise PolicyConfigError(
                f"{attribute.name} is not a valid template (write {{{{ and }}}} for braces)",
                field=attribute.name,
            ) from None
        for _text, name, spec, conversion in fields:
            if name is not None and (name not in names or spec or conversion):
                raise PolicyConfigError(
                    f"{attribute.name} may use only {allowed}", field=attribute.name
                )

    return check


@attrs.frozen
class Mask:
    """Replace every letter and digit except the first and last few with *char*.

    Separators (spaces, dashes, ``+``, dots) stay, so ``4111-1111-1111-1111``
    with ``Mask(6, 4)`` reads ``4111-11**-****-1111``. When the value has no
    more letters and digits than are kept, all of them are masked, so a short
    value never shows whole. Masking a masked value changes nothing.

    Args:
        keep_first: Letters and digits shown at the start.
        keep_last: Letters and digits shown at the end.
        char: The mask character.
        skip_prefix: A regular expression for a prefix that is shown as it is
            and not counted, such as a country code: with
            ``Mask(3, 4, skip_prefix="[+]?86[ -]?")``, ``+86 150 1234 5678``
            reads ``+86 150 **** 5678``.
    """

    keep_first: int = attrs.field(default=0, validator=_non_negative)
    keep_last: int = attrs.field(default=0, validator=_non_negative)
    char: str = attrs.field(default="*", validator=_check_char, kw_only=True)
    skip_prefix: str | None = attrs.field(default=None, kw_only=True)
    _prefix: re.Pattern[str] | None = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        prefix = None if self.skip_prefix is None else re.compile(self.skip_prefix)
        object.__setattr__(self, "_prefix", prefix)

    def apply(self, value: str, entity: str) -> str:
        """Mask *value* (the same way for every entity)."""
        skip = 0
        if self._prefix is not None:
            found = self._prefix.match(value)
            skip = found.end() if found else 0
        positions = [
            i for i, ch in enumerate(value) if i >= skip and (ch.isalnum() or ch == self.char)
        ]
        if len(positions) <= self.keep_first + self.keep_last:
            hidden = set(positions)
        else:
            hidden = set(positions[self.keep_first : len(positions) - self.keep_last])
        return "".join(self.char if i in hidden else ch for i, ch in enumerate(value))


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
    of each word (``J*** S****``).

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
            return " ".join(
                word[:1] + self.char * (len(word) - 1) if word else word for word in name.split(" ")
            )
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


@attrs.frozen
class Replace:
    """Replace the value with a template, e.g. ``Replace("<{entity}>")`` gives ``<EMAIL>``.

    Args:
        template: A ``str.format`` template; ``{entity}`` is the entity name.
    """

    template: str = attrs.field(default="<{entity}>", validator=_template("entity"))

    def apply(self, value: str, entity: str) -> str:
        """Fill in the template."""
        return self.template.format(entity=entity)


@attrs.frozen(repr=False)
class Pseudonymize:
    """Replace the value with a keyed, deterministic pseudonym: ``<CN_MOBILE:3f2a9c1d…>``.

    The same value always gives the same pseudonym under the same key, so
    masked records stay joinable and countable. Values are normalised first
    (separators removed, letters lower-cased) so ``138 1234 5678`` and
    ``13812345678`` agree.

    .. warning::
        This is pseudonymisation, not anonymisation (GDPR Recital 26, GB/T
        35273 §3.14 and §3.15): whoever holds the key can test any guessed value,
        and low-entropy values (phone numbers, birth dates) can be enumerated.
        Keep the key apart from the data, and treat the output as personal data.

    Args:
        key: 32 key bytes, or a keyset of HMAC keys (``Keyset.generate("HMAC-SHA256")``).
        length: Bytes of the HMAC kept (4 to 32, default 8: 16 hex characters).
        template: ``{entity}`` and ``{digest}`` are filled in.
    """

    key: bytes | Keyset = attrs.field(repr=False)
    length: int = attrs.field(default=8, kw_only=True)
    template: str = attrs.field(
        default="<{entity}:{digest}>", kw_only=True, validator=_template("entity", "digest")
    )
    _index: BlindIndex = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_index", BlindIndex(self.key, length=self.length))

    def apply(self, value: str, entity: str) -> str:
        """Return the pseudonym of *value*."""
        normal = "".join(ch for ch in value.lower() if ch.isalnum() or ch in "@._")
        digest = self._index.compute(normal, context=entity.encode())
        return self.template.format(entity=entity, digest=digest)

    def __repr__(self) -> str:
        return f"Pseudonymize(length={self.length})"


@attrs.frozen(repr=False)
class Encrypt:
    """Replace the value with a :class:`~secpolicy.crypto.FieldEncryptor` token (reversible).

    The entity name is bound as context, so a token can only be decrypted as
    the entity it was found as: ``decrypt(token, context=b"pii:CN_MOBILE")``.

    Args:
        encryptor: The field encryptor (AES-256-GCM or SM4-GCM keyset).
        template: ``{token}`` and ``{entity}`` are filled in.
        context: Builds the associated data from the entity name.
    """

    encryptor: FieldEncryptor
    template: str = attrs.field(
        default="{token}", kw_only=True, validator=_template("token", "entity")
    )
    context: Callable[[str], bytes] = attrs.field(
        default=lambda entity: f"pii:{entity}".encode(), kw_only=True
    )

    def apply(self, value: str, entity: str) -> str:
        """Encrypt *value* and fill in the template."""
        token = self.encryptor.encrypt(value.encode("utf-8"), context=self.context(entity))
        return self.template.format(token=token, entity=entity)

    def __repr__(self) -> str:
        return "Encrypt(<encryptor>)"
