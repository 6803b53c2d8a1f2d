"""Masking free text, streams of lines and structured records."""

from __future__ import annotations

import array
import enum
import re
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from datetime import date, time
from decimal import Decimal
from types import MappingProxyType
from typing import Any, Final

import attrs

from secpolicy.exceptions import (
    ArgumentTypeError,
    DecryptionError,
    InvalidArgumentError,
    PolicyConfigError,
)
from secpolicy.pii._entities import (
    CN_HK_MACAU_PERMIT,
    CN_MOBILE,
    CN_PASSPORT,
    CN_RESIDENT_ID,
    CN_TAIWAN_PERMIT,
    CN_USCC,
    DETECTABLE,
    EMAIL,
    FIELD_ONLY,
    IBAN,
    IP_ADDRESS,
    PAYMENT_CARD,
    PHONE,
    US_SSN,
)
from secpolicy.pii._fields import FIELD_ENTITIES, builtin_entity, normalise_field
from secpolicy.pii._fold import _decoded, _second_reading, allow_key, fold
from secpolicy.pii._operators import Encrypt, Operator, Replace
from secpolicy.pii._recognizer import _ENTITY_NAME, DenyList, Recognizer
from secpolicy.pii._scanner import Scanner
from secpolicy.pii._scoring import _resolve
from secpolicy.pii._sequences import item_text, split_values, text_runs

# A field serialised into text: a quoted key, a colon and a quoted value (JSON,
# a Python repr), or key=value (a query string, logfmt). Every quantifier is
# bounded and the value stops at its closing quote or a delimiter, so a match
# attempt reads a bounded stretch of text: linear. Plain form: the quoted
# field r"(["'])([^"'\\\n]{1,64})\1[ \t]*:[ \t]*(["'])(...)\3" or
# r"(?<![\w.\-])([A-Za-z_][\w.\-]{0,63})=(...)". Written with the first
# character of either as one class and the checks on it after it, so that
# the engine skips in C to the next quote, letter or underscore; group 5
# holds the key=value key after its first character. A test holds it to
# the plain form.
_PAIR: Final = re.compile(
    r"""["'A-Za-z_](?:"""
    r"""(?<=(["']))([^"'\\\n]{1,64})\1[ \t]*:[ \t]*(["'])((?:(?!\3)[^\\\n]|\\.){1,4096})\3"""
    r"""|(?<![\w.\-].)(?<=[A-Za-z_])([\w.\-]{0,63})=([^&\s,;"'<>]{1,4096}))"""
)
_PAIR_ENTITIES: Final = frozenset(FIELD_ONLY)  # what detection cannot find on its own
_PAIR_KEYS_KEPT: Final = 4096  # serialised fields' keys remembered per masker
_UNSEEN: Final = "\x00unseen"  # a key the memory does not hold (no entity is named so)
_SEGMENT: Final = re.compile(r"([^.\[\]]+)|\[(\*|[0-9]+)\]")


def _compile_path(path: str) -> tuple[str | int, ...]:
    """``user.contact.phone`` / ``items[*].card`` → segments (``*`` and ``-1`` are wildcards)."""
    segments: list[str | int] = []
    position = 0
    for match in _SEGMENT.finditer(path):
        key, index = match.groups()
        gap = path[position : match.start()]
        # A key after another segment needs a dot; an index follows directly.
        expected = "." if key is not None and segments else ""
        if gap != expected:
            raise PolicyConfigError(f"path {path!r}: unexpected text at offset {position}")
        if key is not None:
            segments.append("*" if key == "*" else normalise_field(key))
        else:
            segments.append(-1 if index == "*" else int(index))
        position = match.end()
    if not segments or position != len(path):
        raise PolicyConfigError(
            f"path {path!r}: expected keys separated by dots and [index] or [*]"
        )
    return tuple(segments)


def _path_matches(pattern: tuple[str | int, ...], path: tuple[str | int, ...]) -> bool:
    if len(pattern) != len(path):
        return False
    for want, have in zip(pattern, path, strict=True):
        if want in ("*", -1) and isinstance(have, int) == (want == -1):
            continue
        if want != have:
            return False
    return True


#: How deep :meth:`Masker.mask_record` walks; deeper (or cyclic) records are refused.
MAX_DEPTH: Final = 100
_FIELD: Final = "FIELD"  # the entity an operator sees when nothing more is known
_LIST_RANK: Final = 0  # a field's deny-list term wins over an overlapping detection


# What each built-in entity's finding holds at least, in a text as the scanner
# reads it (folded, so the decimal digits of every script are ASCII): this
# many ASCII digits. A text with fewer cannot hold the entity.
_FEWEST_DIGITS: Final[Mapping[str, int]] = MappingProxyType({
    CN_RESIDENT_ID: 15,  # the first generation's 15 digits; 17 and a check character
    CN_USCC: 6,  # the region code
    PAYMENT_CARD: 13,
    US_SSN: 9,
    CN_MOBILE: 11,
    PHONE: 7,  # digit runs shorter than 7 digits are never read as a number
    CN_PASSPORT: 7,  # a letter, then a letter and 7 digits or 8 digits
    CN_HK_MACAU_PERMIT: 7,
    CN_TAIWAN_PERMIT: 7,
})  # fmt: skip
# An IPv4 address has four digits and three dots (or the full stops of CJK
# input methods, which the scanner reads as dots between digits); an IPv6
# address has a colon.
_IPV4_DIGITS: Final = 4
_IPV4_DOTS: Final = 3
_STOPS: Final = (".", "\u3002", "\uff61", "\ufe52")
# An IBAN starts with its country code and two check digits, side by side (the
# pattern starts at a digit, so the engine skips to the next digit in C).
_IBAN_HEAD: Final = re.compile(r"[0-9](?<=[A-Za-z]{2}[0-9])[0-9]")
_IBAN_DIGITS: Final = 2
_ASCII_DIGITS: Final = b"0123456789"


class _Precheck:
    """What :meth:`Masker.may_contain` looks for, planned once per state of the scanner."""

    __slots__ = ("always", "custom", "deny", "email", "fewest", "iban", "ip", "key", "patterns")

    def __init__(self, scanner: Scanner) -> None:
        deny = scanner._deny  # noqa: SLF001 (same package)
        self.key = (scanner.entities, scanner.recognizers, deny)
        custom = {r.entity for r in scanner.recognizers} | deny.entities
        entities = scanner.entities
        # An entity of which nothing is known here (a built-in one added
        # later) makes every text a candidate: the check never guesses.
        # So does a recognizer of a subclass with a find() of its own (a
        # dictionary lookup, a model): what it reports is not its pattern's
        # matches.
        self.always = any(
            entity not in _FEWEST_DIGITS and entity not in _OTHER_SIGNS and entity not in custom
            for entity in entities
        ) or any(type(r).find is not Recognizer.find for r in scanner.recognizers)
        bounds = [_FEWEST_DIGITS[e] for e in entities if e in _FEWEST_DIGITS]
        self.fewest = min(bounds) if bounds else _NO_BOUND
        self.email = EMAIL in entities
        self.iban = IBAN in entities
        self.ip = IP_ADDRESS in entities
        # Every custom pattern whatever its entity, validator or score, and
        # every deny-list term: a superset of what the scanner reports.
        self.patterns = tuple(r.pattern for r in scanner.recognizers)
        self.deny = deny if deny.entities else None
        self.custom = bool(self.patterns) or self.deny is not None

    def may_hold(self, reading: str) -> bool:
        """False only if *reading* (a text as the scanner reads it) holds no finding."""
        if ":" in reading or "=" in reading or (self.email and "@" in reading):
            # A serialised field whose key says what it holds ("password=…",
            # '{"name": …}'), an IPv6 address, an e-mail address.
            return True
        # Digits are ASCII in a reading, and UTF-8 writes no other character
        # with an ASCII byte.
        raw = reading.encode("utf-8", "surrogatepass")
        digits = len(raw) - len(raw.translate(None, _ASCII_DIGITS))
        if (
            digits >= self.fewest
            or (self.iban and digits >= _IBAN_DIGITS and _IBAN_HEAD.search(reading) is not None)
            or (
                self.ip and digits >= _IPV4_DIGITS and sum(map(reading.count, _STOPS)) >= _IPV4_DOTS
            )
        ):
            return True
        return self.custom and (
            any(pattern.search(reading) is not None for pattern in self.patterns)
            or (self.deny is not None and bool(self.deny.find(reading)))
        )


_NO_BOUND: Final = 1 << 62  # no digit entity among the scanner's
_OTHER_SIGNS: Final = frozenset({EMAIL, IBAN, IP_ADDRESS})  # found by the signs above


def _is_entity_name(value: object) -> bool:
    return isinstance(value, str) and _ENTITY_NAME.fullmatch(value) is not None


@attrs.frozen(kw_only=True)
class MaskerConfig:
    """A read-only view of a :class:`Masker`'s field configuration (:attr:`Masker.config`).

    Every member is immutable (a mapping proxy over a copy, tuples, frozen
    sets), so the view cannot change the masker; the masker itself is fixed
    once built. The values of field allow and deny lists are not shown: a
    deny list holds personal data (customer names), so only the field names
    that have a list are.

    Attributes:
        fields: Normalised field name → the entity it holds: the built-in map
            (when ``builtin_fields``) with the constructor's ``fields`` over it.
        builtin_fields: Whether the built-in map of common field names is used.
        paths: The configured field paths as written, with their entity name or
            operator, in the order they are tried.
        allow_list_fields: The normalised field names with a field allow-list.
        deny_list_fields: The normalised field names with a field deny-list.

    .. versionadded:: 0.3
    """

    fields: Mapping[str, str]
    builtin_fields: bool
    paths: tuple[tuple[str, str | Operator], ...]
    allow_list_fields: frozenset[str]
    deny_list_fields: frozenset[str]

    def path_names(self, path: Sequence[str | int]) -> bool:
        """True if one of :attr:`paths` names the field at *path* (keys and list indexes).

        Keys are compared normalised, as the masker compares them: ``("Actor",
        "Name")`` is named by ``actor.name``, ``("items", 0, "card")`` by
        ``items[*].card``.
        """
        segments = tuple(normalise_field(p) if isinstance(p, str) else p for p in path)
        return any(_path_matches(_compile_path(p), segments) for p, _ in self.paths)


class Masker:
    """Masks personal data in text, line streams and nested records.

    Args:
        rules: The operator for each entity (``{CN_MOBILE: Mask(3, 4)}``).
        default: The operator for entities without a rule (default
            ``Replace("<{entity}>")``).
        scanner: What to detect in free text (default: every detectable entity).
        fields: Extra field names and the entity they hold (``{"contact": PHONE}``),
            matched case-insensitively, ignoring ``_``, ``-``, ``.`` and spaces.
        builtin_fields: Also use the built-in map of common English and
            Chinese field names (``password``, ``id_number``, ``身份证号``,
            ``手机号`` …).
        paths: Field paths and what they hold, as an entity name or an
            operator: ``{"user.contact.phone": CN_MOBILE, "items[*].card": Mask(6, 4)}``.
            A path wins over a field name.
        field_allow_lists: Field name → values left in clear in that field
            (the company's own hotline in ``support_phone``), compared as the
            scanner's allow-list compares. ``.. versionadded:: 0.2``
        field_deny_lists: Field name → ``{entity: terms}`` masked as that
            entity wherever they occur in that field (customer names in
            ``remarks``). ``.. versionadded:: 0.2``

    Raises:
        PolicyConfigError: For an operator without ``apply``, a malformed path
            or a malformed list.

    Example:
        >>> from secpolicy.pii import CN_MOBILE, Mask
        >>> Masker({CN_MOBILE: Mask(3, 4, max_reveal=0.7)}).mask_text("手机13812345678")
        '手机138****5678'
    """

    __slots__ = (
        "_allow",
        "_builtin",
        "_default",
        "_deny",
        "_fields",
        "_pair_keys",
        "_path_sources",
        "_paths",
        "_precheck",
        "_rules",
        "_scanner",
    )

    def __init__(
        self,
        rules: Mapping[str, Operator] | None = None,
        default: Operator | None = None,
        *,
        scanner: Scanner | None = None,
        fields: Mapping[str, str] | None = None,
        builtin_fields: bool = True,
        paths: Mapping[str, str | Operator] | None = None,
        field_allow_lists: Mapping[str, Iterable[str]] | None = None,
        field_deny_lists: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    ) -> None:
        self._rules: dict[str, Operator] = dict(rules or {})
        for entity, operator in self._rules.items():
            if not _is_entity_name(entity):
                raise PolicyConfigError(
                    "keys must be upper-case entity names of letters, digits and underscores",
                    field="rules",
                )
            if not isinstance(operator, Operator):
                raise PolicyConfigError(
                    "must be an operator with apply(value, entity)", field=f"rules[{entity!r}]"
                )
        self._default: Operator = default if default is not None else Replace()
        if not isinstance(self._default, Operator):
            raise PolicyConfigError(
                "must be an operator with apply(value, entity)", field="default"
            )
        self._scanner = scanner if scanner is not None else Scanner()
        self._fields = dict(FIELD_ENTITIES) if builtin_fields else {}
        self._builtin = builtin_fields
        for name, entity in (fields or {}).items():
            if not _is_entity_name(entity):
                raise PolicyConfigError(
                    "must map to an upper-case entity name of letters, digits and underscores",
                    field="fields",
                )
            self._fields[normalise_field(name)] = entity
        self._paths = [(_compile_path(p), target) for p, target in (paths or {}).items()]
        self._path_sources = list((paths or {}).keys())
        self._allow: dict[str, frozenset[str]] = {}
        for name, values in (field_allow_lists or {}).items():
            items = (values,) if isinstance(values, str) else tuple(values)
            self._allow[normalise_field(name)] = frozenset(allow_key(str(v)) for v in items)
        self._deny: dict[str, DenyList] = {
            normalise_field(name): DenyList(terms)
            for name, terms in (field_deny_lists or {}).items()
        }
        self._precheck: _Precheck | None = None
        # A serialised field's key as written → the entity its value is
        # masked as, or None (see _pairs). The configuration it depends on
        # is fixed once the masker is built; bounded, cleared when full.
        self._pair_keys: dict[str, str | None] = {}

    @property
    def rules(self) -> Mapping[str, Operator]:
        """The operator of each entity with a rule of its own (read-only).

        A masker's configuration is fixed once it is built, so anything that
        remembers its answers (the audit log's clean-text cache) stays right;
        :meth:`evolve` makes a changed copy.
        """
        return MappingProxyType(self._rules)

    @property
    def default(self) -> Operator:
        """The operator of entities without a rule of their own (read-only)."""
        return self._default

    @property
    def scanner(self) -> Scanner:
        """The scanner that finds personal data in free text (read-only)."""
        return self._scanner

    @property
    def config(self) -> MaskerConfig:
        """A read-only view of this masker's field configuration.

        What the masker does by field name and path, for code that masks
        records of its own shape (the audit log's own fields): the view holds
        immutable copies, so nothing done with it changes the masker.

        Example:
            >>> from secpolicy.pii import PHONE, Masker
            >>> Masker(fields={"contact": PHONE}, builtin_fields=False).config.fields
            mappingproxy({'contact': 'PHONE'})
        """
        return MaskerConfig(
            fields=MappingProxyType(dict(self._fields)),
            builtin_fields=self._builtin,
            paths=tuple(zip(self._path_sources, (t for _, t in self._paths), strict=True)),
            allow_list_fields=frozenset(self._allow),
            deny_list_fields=frozenset(self._deny),
        )

    def evolve(
        self,
        *,
        rules: Mapping[str, Operator] | None = None,
        default: Operator | None = None,
        scanner: Scanner | None = None,
        fields: Mapping[str, str] | None = None,
        paths: Mapping[str, str | Operator] | None = None,
        field_allow_lists: Mapping[str, Iterable[str]] | None = None,
        field_deny_lists: Mapping[str, Mapping[str, Iterable[str]]] | None = None,
    ) -> Masker:
        """A new masker that starts from this one (a preset) and changes what is given.

        *rules*, *fields*, *paths* and the field lists are added to this
        masker's and win over them; *default* and *scanner* replace this
        masker's. This masker is not changed.

        Example:
            >>> from secpolicy.pii import EMAIL, Redact, presets
            >>> masker = presets.CN_DISPLAY.evolve(rules={EMAIL: Redact("[email]")})
            >>> masker.mask_text("mail a@example.com")
            'mail [email]'
        """
        new = Masker(
            {**self._rules, **(rules or {})},
            default if default is not None else self._default,
            scanner=scanner if scanner is not None else self._scanner,
            builtin_fields=False,
            paths=paths,
            field_allow_lists=field_allow_lists,
            field_deny_lists=field_deny_lists,
        )
        new._builtin = self._builtin
        new._fields = {**self._fields, **{normalise_field(k): v for k, v in (fields or {}).items()}}
        new._paths = [*new._paths, *self._paths]  # the new paths are tried first
        new._path_sources = [*new._path_sources, *self._path_sources]
        new._allow = {**self._allow, **new._allow}
        new._deny = {**self._deny, **new._deny}
        new._pair_keys = {}  # the fields changed after construction
        return new

    def operator_for(self, entity: str) -> Operator:
        """The operator applied to *entity*."""
        return self._rules.get(entity, self._default)

    def mask_text(self, text: str, *, field: str | None = None) -> str:
        """*text* with every finding replaced by its entity's operator.

        A record serialised into the text (``{"password": "…"}``, a Python
        repr, ``name=…`` in a query string) has the values of its known
        fields masked too, where the key says what detection cannot: a
        secret, a name, an address, a birth date, an account.

        Args:
            text: The text to mask.
            field: The name of the field *text* comes from: that field's
                allow and deny lists apply, as in :meth:`mask_record`; the
                entity the field name holds does not (the text is still
                detected, not masked whole). ``.. versionadded:: 0.3``
        """
        if field is None:
            return self._text(text, None, None)
        if not isinstance(field, str):
            raise ArgumentTypeError(f"field must be str or None, not {type(field).__name__}")
        return self._string(text, (), None, None, normalise_field(field))

    def may_contain(self, text: str) -> bool:
        """False only if :meth:`mask_text` would return *text* unchanged; cheap.

        A necessary condition for anything :meth:`mask_text` masks, checked
        without scanning: the text as the scanner reads it (full-width forms,
        other scripts' digits folded; invisible characters removed,
        percent-escapes and HTML character references decoded) has enough
        digits for one of the scanner's entities, an ``@`` for an e-mail
        address, an IBAN's country code and check digits, a colon or equals
        sign (a serialised field such as ``password=…``, an IPv6 address), a
        match of a custom recognizer's pattern or a deny-list term (a
        recognizer of a subclass with a ``find()`` of its own makes every
        text a candidate). True is
        no finding: callers that see True call :meth:`mask_text`; callers
        that see False may skip it (the audit log does, per event).

        It answers for :meth:`mask_text` only: :meth:`mask_record` also masks
        by field name and path.

        Raises:
            TypeError: If *text* is not a ``str``.

        Example:
            >>> from secpolicy.pii import presets
            >>> presets.CN_DISPLAY.may_contain("order 88213 shipped")
            False
            >>> presets.CN_DISPLAY.may_contain("order 88213 shipped on 2026-12-02")
            True
            >>> presets.CN_DISPLAY.may_contain("call 13812345678")
            True

        .. versionadded:: 0.2
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"text must be str, not {type(text).__name__}")
        check = self._check()
        if check.always:
            return True
        folded = fold(text)
        if check.may_hold(folded):
            return True
        if check.custom:
            second = _second_reading(text, folded)
            return second is not None and check.may_hold(second[0])
        # Without custom patterns, only removing invisible characters and
        # decoding escapes can change the answer: narrowing a wide separator
        # leaves one character of it, and the built-in signs are digits, "@",
        # ":", "=" and a letter pair touching two digits (the plain twin,
        # _may_contain_plain, reads the whole second reading; a test holds
        # the two to agreement).
        decoded = _decoded(text, folded)
        return decoded is not None and check.may_hold(decoded[0])

    def _may_contain_plain(self, text: str) -> bool:
        """:meth:`may_contain` on every reading of the scanner, in full (its plain twin)."""
        check = self._check()
        if check.always:
            return True
        folded = fold(text)
        second = _second_reading(text, folded)
        return check.may_hold(folded) or (second is not None and check.may_hold(second[0]))

    def _check(self) -> _Precheck:
        scanner = self._scanner
        check = self._precheck
        deny = scanner._deny  # noqa: SLF001 (same package)
        if check is None or check.key != (scanner.entities, scanner.recognizers, deny):
            # First use, or Scanner.register() replaced the scanner's state.
            check = self._precheck = _Precheck(scanner)
        return check

    def _text(self, text: str, root: Mapping[str, Any] | None, field: str | None) -> str:
        spans = self._scanner._scan(text, exact=False)  # noqa: SLF001 (same package)
        if "=" in text or ":" in text:
            pairs = self._pairs(text)
            if pairs:
                ranks = dict(self._scanner._ranks)  # noqa: SLF001 (the scanner's own order)
                ranks.update(dict.fromkeys(_PAIR_ENTITIES, _LIST_RANK))
                spans = _resolve([*spans, *pairs], ranks)
        if field is not None and (field in self._deny or field in self._allow):
            spans = self._field_lists(text, spans, field)
        if not spans:
            return text
        out: list[str] = []
        position = 0
        rules, default = self._rules, self._default
        for start, end, entity, _ in spans:
            out.append(text[position:start])
            operator = rules.get(entity, default)
            if root is None:
                out.append(operator.apply(text[start:end], entity))
            else:
                out.append(_run(operator, text[start:end], entity, root))
            position = end
        out.append(text[position:])
        return "".join(out)

    def _pairs(self, text: str) -> list[tuple[int, int, str, float]]:
        """The values of serialised fields in *text* whose key names data detection cannot find.

        ``{"password": "…"}``, ``{'name': '…'}`` and ``password=…`` hold a
        secret, a name, an address, a birth date or an account by their key
        alone; the value is masked as that entity.
        """
        out: list[tuple[int, int, str, float]] = []
        keys = self._pair_keys
        for match in _PAIR.finditer(text):
            key = match.group(2)
            group = 4
            if key is None:
                key, group = text[match.start() : match.end(5)], 6
            # One lookup: between a membership test and a read another
            # thread sharing the masker may clear the full memory (KeyError).
            entity = keys.get(key, _UNSEEN)
            if entity is _UNSEEN:
                entity = self._pair_entity(key)
                if len(keys) >= _PAIR_KEYS_KEPT:
                    keys.clear()
                keys[key] = entity
            if entity is not None:
                out.append((match.start(group), match.end(group), entity, 1.0))
        return out

    def _pair_entity(self, key: str) -> str | None:
        """The entity a serialised field's value is masked as by its key alone, or None.

        What :meth:`_pairs` remembers per key; a test holds the remembered
        answers to this one.
        """
        entity = self._field_entity(normalise_field(key))
        return entity if entity in _PAIR_ENTITIES else None

    def _field_lists(
        self, text: str, spans: list[tuple[int, int, str, float]], field: str
    ) -> list[tuple[int, int, str, float]]:
        deny = self._deny.get(field)
        if deny is not None:
            extra = deny.find(fold(text))
            if extra:
                ranks = dict(self._scanner._ranks)  # noqa: SLF001 (the scanner's own order)
                # A serialised field's value ("password=…") may overlap a term.
                ranks.update(dict.fromkeys(_PAIR_ENTITIES, _LIST_RANK))
                for entity in deny.entities:
                    ranks[entity] = _LIST_RANK
                spans = _resolve([*spans, *extra], ranks)
        allow = self._allow.get(field)
        if allow:
            spans = [s for s in spans if allow_key(text[s[0] : s[1]]) not in allow]
        return spans

    def mask_lines(self, lines: Iterable[str]) -> Iterator[str]:
        """Mask each line of an iterable (a log file) lazily; memory is one line."""
        for line in lines:
            yield self.mask_text(line)

    def mask_value(self, value: str, entity: str) -> str:
        """Mask a whole field value known to hold *entity*.

        If the scanner recognises the whole value as a more specific entity
        (a ``phone`` field holding a Chinese mobile number), that entity's
        operator applies; otherwise *entity*'s.
        """
        return self._value(value, entity, None)

    def _detected(self, value: str) -> str | None:
        stripped = value.strip()
        findings = self._scanner.spans(stripped)
        if len(findings) == 1 and findings[0][:2] == (0, len(stripped)):
            return findings[0][2]
        return None

    def _value(self, value: str, entity: str, root: Mapping[str, Any] | None) -> str:
        if entity in DETECTABLE or entity not in self._rules:
            entity = self._detected(value) or entity
        return _run(self.operator_for(entity), value, entity, root)

    def mask_record(self, record: Any) -> Any:
        """A masked copy of *record* (nested mappings, lists, tuples, sets); the input is untouched.

        Each value is masked by the first that applies: a configured path, a
        known field name, then detection in free text. Keys are scanned like
        text (``{"13812345678": …}`` becomes ``{"138****5678": …}``); two keys
        that mask alike are kept apart with a ``#2`` suffix, so no entry is
        lost. Leaves other than text, decided per type:

        - ``None`` and booleans are kept.
        - Numbers (``int``, ``float``, ``Decimal``): under a known field they
          become masked strings; elsewhere they are masked only if they are
          personal data on their own (a phone number stored as an integer).
        - ``bytes``, ``bytearray``, ``memoryview`` and every other object with
          the buffer protocol (``array.array``, ``mmap``): its bytes are decoded
          (UTF-16 with a byte order mark, UTF-8, else Latin-1), masked as
          text, and encoded back in the same codec, as the same type for
          ``bytes``, ``bytearray`` and ``memoryview`` and as ``bytes``
          otherwise; the value itself is returned if nothing is found.
          An ``array.array`` of characters (``"u"``, ``"w"``) is masked as its
          text and comes back as such an array; an array of numbers is masked
          item by item (a list comes back if any item changed).
        - A number split across consecutive items of a list, tuple or integer
          array (ints or digit strings: ``[4111, 1111, 1111, 1111]``) is
          found as the items written with spaces between them would be; the
          items it covers become strings: a masked form as long as the value
          (``Mask``) is cut back into the items' widths, any other stands in
          the first item and the rest become ``""`` (no item moves).
          ``.. versionadded:: 0.3``
        - Enum members (``StrEnum`` and ``IntEnum`` too) are masked by their
          value: the masked value comes back in place of the member, the
          member itself if nothing is found. Enum keys likewise.
        - Dates and times: under a known field (a birth date) the operator
          gets the ISO form and returns a masked string; elsewhere they are
          kept, since a date alone identifies no one.
        - Sets and frozensets: each item is masked; the same type comes back.
        - Any other object: masked through ``str(value)`` under a known field;
          elsewhere replaced by its masked ``str`` if that holds personal data.

        An operator applied by a path or a field name receives the entity
        the value holds (what the scanner finds in the whole value, else the
        field name's entity), never a placeholder, so an ``Encrypt`` token
        records the real entity.

        Raises:
            InvalidArgumentError: If *record* is nested more than
                100 levels deep or contains itself (a reference
                cycle); nothing of it is returned.
        """
        root = record if isinstance(record, Mapping) else None
        return self._walk(record, (), None, root)

    def _target(self, path: tuple[str | int, ...]) -> str | Operator | None:
        for pattern, target in self._paths:
            if _path_matches(pattern, path):
                return target
        if path and isinstance(path[-1], str):
            return self._field_entity(path[-1])
        return None

    def _field_entity(self, name: str) -> str | None:
        """The entity a normalised field name holds: configured, else built in (qualified too)."""
        entity = self._fields.get(name)
        if entity is None and self._builtin:
            entity = builtin_entity(name)
        return entity

    def _field_of(self, path: tuple[str | int, ...]) -> str | None:
        for segment in reversed(path):
            if isinstance(segment, str):
                return segment
        return None

    def _walk(
        self,
        value: Any,
        path: tuple[str | int, ...],
        inherited: str | Operator | None,
        root: Mapping[str, Any] | None,
    ) -> Any:
        if len(path) > MAX_DEPTH:
            raise InvalidArgumentError(
                f"record is nested more than {MAX_DEPTH} levels deep (or refers to itself)",
                argument="record",
            )
        # A list or mapping under a known field ("phones": [...], "name":
        # {"first": ...}) passes its target to what it holds; a field of its
        # own, deeper down, wins.
        target = (self._target(path) if path else None) or inherited
        if isinstance(value, Mapping):
            out: dict[Any, Any] = {}
            for key, item in value.items():
                masked = self._walk(item, (*path, normalise_field(str(key))), target, root)
                _put(out, self._key(key, root), masked)
            return out
        if isinstance(value, (list, tuple)):
            items = [self._walk(item, (*path, i), target, root) for i, item in enumerate(value)]
            if target is None:
                self._split_numbers(value, items, root)
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, Set):
            masked_items = [self._walk(item, (*path, -1), target, root) for item in value]
            return frozenset(masked_items) if isinstance(value, frozenset) else set(masked_items)
        if isinstance(value, enum.Enum):
            # A member's str() is its name ("Contact.MAIN"): what it carries
            # is its value, masked like any value; an unchanged value keeps
            # the member.
            inner = value.value
            masked = self._walk(inner, path, target, root)
            return value if masked is inner or (target is None and masked == inner) else masked
        if isinstance(value, array.array) and value.typecode not in _BYTE_TYPECODES:
            return self._array(value, path, target, root)
        return self._leaf(value, path, target, root)

    def _array(
        self,
        value: array.array[Any],
        path: tuple[str | int, ...],
        target: str | Operator | None,
        root: Mapping[str, Any] | None,
    ) -> Any:
        """An array of characters is masked as its text, an array of numbers item by item.

        Their bytes are machine words, not text: decoded as bytes, a
        character array's UTF-32 would hide every number from the scanner.
        (Arrays of bytes are buffers like ``bytes``.)
        """
        if value.typecode in _CHAR_TYPECODES:
            text = value.tounicode()
            masked = self._leaf(text, path, target, root)
            if masked == text:
                return value
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)  # "u" from Python 3.13 on
                return array.array(value.typecode, str(masked))
        items = value.tolist()
        masked_items = [self._leaf(item, (*path, i), target, root) for i, item in enumerate(items)]
        if target is None:
            self._split_numbers(items, masked_items, root)
        return value if masked_items == items else masked_items

    def _split_numbers(
        self, items: Sequence[Any], masked: list[Any], root: Mapping[str, Any] | None
    ) -> None:
        """Mask in *masked* the runs of digit items of *items* that together form a value.

        ``[4111, 1111, 1111, 1111]`` is read as ``"4111 1111 1111 1111"`` (see
        ``_sequences``); the items a value covers come back as strings.
        """
        every = [item_text(item, lambda raw: _decode(raw)[0]) for item in items]
        for first, stop in text_runs(every):
            texts = [text for text in every[first:stop] if text is not None]
            found = split_values(
                texts,
                lambda text: self._scanner._scan(text, exact=False),  # noqa: SLF001 (same package)
                lambda value, entity: _run(self.operator_for(entity), value, entity, root),
            )
            for index, text in found.items():
                # What the item holds apart from the split value (a
                # serialised "password=…", a second value) is masked too.
                masked[first + index] = self._text(text, root, None)

    def _key(self, key: Any, root: Mapping[str, Any] | None) -> Any:
        if isinstance(key, enum.Enum):
            inner = self._key(key.value, root)
            return key if inner == key.value else inner
        if isinstance(key, str):
            return self._text(key, root, None)
        if key is None or isinstance(key, bool):
            return key
        text = str(key)
        masked = self._text(text, root, None)
        return key if masked == text else masked

    def _leaf(  # noqa: PLR0911 (one return per kind of leaf)
        self,
        value: Any,
        path: tuple[str | int, ...],
        target: str | Operator | None,
        root: Mapping[str, Any] | None,
    ) -> Any:
        if value is None or isinstance(value, bool):
            return value
        field = self._field_of(path)
        if isinstance(value, str):
            return self._string(value, path, target, root, field)
        if isinstance(value, (bytes, bytearray, memoryview)) or _is_buffer(value):
            raw = _buffer_bytes(value)
            if raw is None:
                return self._string(_text_of(value), path, target, root, field)
            text, codec = _decode(raw)
            masked = self._string(text, path, target, root, field)
            if masked == text:
                return value
            try:
                encoded = masked.encode(codec)
            except UnicodeEncodeError:
                encoded = masked.encode("utf-8")
            if isinstance(value, bytearray):
                return bytearray(encoded)
            return memoryview(encoded) if isinstance(value, memoryview) else encoded
        if isinstance(value, (date, time)):  # datetime is a date
            if target is None:
                return value
            text = value.isoformat()
            return self._string(text, path, target, root, field)
        text = str(value) if isinstance(value, (int, float, Decimal)) else _text_of(value)
        masked = self._string(text, path, target, root, field)
        if target is None and masked == text:
            return value
        return masked

    def _string(
        self,
        value: str,
        path: tuple[str | int, ...],
        target: str | Operator | None,
        root: Mapping[str, Any] | None,
        field: str | None,
    ) -> str:
        allow = self._allow.get(field) if field is not None else None
        if allow and allow_key(value) in allow:
            return value
        if target is None:
            return self._text(value, root, field)
        if isinstance(target, str):
            return self._value(value, target, root)
        entity = self._detected(value)
        if entity is None:
            named = self._field_entity(path[-1]) if path and isinstance(path[-1], str) else None
            entity = named or _FIELD
        return _run(target, value, entity, root)

    @property
    def binds_rows(self) -> bool:
        """True if an operator binds its output to the row (``Encrypt`` with ``context=``).

        Such a masker needs the whole record to mask one field; see
        :meth:`field_masker`.

        .. versionadded:: 0.2
        """
        operators = (*self._rules.values(), self._default, *(t for _, t in self._paths))
        return any(getattr(op, "context", None) is not None for op in operators)

    def field_masker(self, name: str) -> Callable[[Any, Mapping[str, Any] | None], Any]:
        """A function that masks a value of field *name* as :meth:`mask_record` would.

        ``field_masker("phone")(value, record)`` equals
        ``mask_record(record)["phone"]`` for a top-level field holding
        *value* (the record matters only to operators that bind the row, see
        :attr:`binds_rows`; pass None otherwise). Columnar callers (Arrow,
        Spark) call it once per column and then once per cell.

        .. versionadded:: 0.2
        """
        path = (normalise_field(name),)

        def mask(value: Any, record: Mapping[str, Any] | None = None) -> Any:
            return self._walk(value, path, None, record)

        return mask

    def _encrypters(self) -> list[Encrypt]:
        found: dict[int, Encrypt] = {}
        for operator in (*self._rules.values(), self._default, *(t for _, t in self._paths)):
            if isinstance(operator, Encrypt):
                found.setdefault(id(operator), operator)
        return list(found.values())

    def unmask(self, value: Any, *, record: Mapping[str, Any] | None = None) -> Any:
        """Reverse the ``Encrypt`` tokens in *value* (text or a record masked by this masker).

        Only a caller holding the encryptors' keysets can do this, and only for
        tokens of this masker's ``Encrypt`` operators; every other mask stays.
        Tokens bound to a row context are checked against *record* (default:
        *value* itself, when it is a mapping), so a token moved to another row
        fails.

        Raises:
            DecryptionError: If a token of this masker's form does not decrypt
                (another key, entity or row).

        .. versionadded:: 0.2
        """
        encrypters = self._encrypters()
        if not encrypters:
            return value
        context = record if record is not None else (value if isinstance(value, Mapping) else None)
        return self._unwalk(value, encrypters, context)

    def _unwalk(self, value: Any, encrypters: list[Encrypt], context: Any) -> Any:
        if isinstance(value, str):
            return _reveal(value, encrypters, context)
        if isinstance(value, Mapping):
            return {
                self._unwalk(k, encrypters, context): self._unwalk(v, encrypters, context)
                for k, v in value.items()
            }
        if isinstance(value, (list, tuple)):
            items = [self._unwalk(item, encrypters, context) for item in value]
            return items if isinstance(value, list) else tuple(items)
        if isinstance(value, Set):
            revealed = [self._unwalk(item, encrypters, context) for item in value]
            return frozenset(revealed) if isinstance(value, frozenset) else set(revealed)
        return value

    def __repr__(self) -> str:
        return f"Masker(rules={sorted(self._rules)}, default={self._default!r})"


_UTF16_BOMS: Final = (b"\xff\xfe", b"\xfe\xff")


def _decode(raw: bytes) -> tuple[str, str]:
    """*raw* as text and the codec to encode the masked text back in.

    UTF-16 with a byte order mark (what Windows tools export) first, then
    UTF-8, else Latin-1 (which reads any bytes).
    """
    if raw[:2] in _UTF16_BOMS and len(raw) % 2 == 0:
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError:
            pass
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return raw.decode("latin-1"), "latin-1"


def _run(operator: Operator, value: str, entity: str, root: Mapping[str, Any] | None) -> str:
    """Apply *operator*; operators that bind a row (``Encrypt``) get the record."""
    apply_in = getattr(operator, "apply_in", None)
    if apply_in is not None and root is not None:
        result = apply_in(value, entity, root)
    else:
        result = operator.apply(value, entity)
    if not isinstance(result, str):
        raise PolicyConfigError("an operator must return str", field=type(operator).__name__)
    return result


def _reveal(text: str, encrypters: list[Encrypt], context: Any) -> str:
    for encrypter in encrypters:
        if encrypter.pattern.search(text) is None:
            continue

        def opened(found: re.Match[str], encrypter: Encrypt = encrypter) -> str:
            errors = 0
            for candidate in (encrypter, *(e for e in encrypters if e is not encrypter)):
                try:
                    return candidate._open(found, context)  # noqa: SLF001 (same package)
                except DecryptionError:
                    errors += 1
            raise DecryptionError(_DECRYPT_FAILED)

        text = encrypter.pattern.sub(opened, text)
    return text


# The array type codes of characters ("w" from Python 3.13 on).
_CHAR_TYPECODES: Final = frozenset({"u", "w"})
_BYTE_TYPECODES: Final = frozenset({"b", "B"})

_DECRYPT_FAILED: Final = "could not decrypt: the token is invalid for this key, context or keyset"


def _is_buffer(value: object) -> bool:
    """True for an object that exports the buffer protocol (``array.array``, ``mmap`` …)."""
    try:
        memoryview(value)  # type: ignore[arg-type]  # probing the protocol is the point
    except TypeError:
        return False
    except ValueError:  # a released view: a buffer still, read as text by the caller
        return True
    return True


def _buffer_bytes(value: object) -> bytes | None:
    """The bytes of a bytes-like *value*, or None if its buffer cannot be read as bytes."""
    try:
        with memoryview(value) as view:  # type: ignore[arg-type]  # a buffer, checked before
            return view.tobytes()
    except (TypeError, ValueError):  # a released view
        return None


def _text_of(value: object) -> str:
    try:
        return str(value)
    except Exception:  # noqa: BLE001 (a broken __str__ must not stop masking)
        return "<unprintable>"


def _put(out: dict[Any, Any], key: Any, value: Any) -> None:
    """Store *value* under *key*, or under ``key#2``, ``key#3`` … if a masked key collides."""
    if key not in out:
        out[key] = value
        return
    number = 2
    while f"{key}#{number}" in out:
        number += 1
    out[f"{key}#{number}"] = value
