"""Masking free text, streams of lines and structured records."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any, Final

from secpolicy.pii._entities import DETECTABLE
from secpolicy.pii._fields import FIELD_ENTITIES, normalise_field
from secpolicy.pii._operators import Operator, Replace
from secpolicy.pii._scanner import Scanner

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
            raise ValueError(f"path {path!r}: unexpected text at offset {position}")
        if key is not None:
            segments.append("*" if key == "*" else normalise_field(key))
        else:
            segments.append(-1 if index == "*" else int(index))
        position = match.end()
    if not segments or position != len(path):
        raise ValueError(f"path {path!r}: expected keys separated by dots and [index] or [*]")
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

    Example:
        >>> from secpolicy.pii import CN_MOBILE, Mask
        >>> Masker({CN_MOBILE: Mask(3, 4)}).mask_text("手机13812345678")
        '手机138****5678'
    """

    __slots__ = ("_fields", "_paths", "default", "rules", "scanner")

    def __init__(
        self,
        rules: Mapping[str, Operator] | None = None,
        default: Operator | None = None,
        *,
        scanner: Scanner | None = None,
        fields: Mapping[str, str] | None = None,
        builtin_fields: bool = True,
        paths: Mapping[str, str | Operator] | None = None,
    ) -> None:
        self.rules: dict[str, Operator] = dict(rules or {})
        for entity, operator in self.rules.items():
            if not isinstance(operator, Operator):
                raise TypeError(f"rules[{entity!r}] must be an operator with apply(value, entity)")
        self.default: Operator = default if default is not None else Replace()
        self.scanner = scanner if scanner is not None else Scanner()
        self._fields = dict(FIELD_ENTITIES) if builtin_fields else {}
        self._fields.update({normalise_field(k): v for k, v in (fields or {}).items()})
        self._paths = [(_compile_path(p), target) for p, target in (paths or {}).items()]

    def evolve(
        self,
        *,
        rules: Mapping[str, Operator] | None = None,
        default: Operator | None = None,
        scanner: Scanner | None = None,
        fields: Mapping[str, str] | None = None,
        paths: Mapping[str, str | Operator] | None = None,
    ) -> Masker:
        """A new masker that starts from this one (a preset) and changes what is given.

        *rules*, *fields* and *paths* are added to this masker's and win over
        them; *default* and *scanner* replace this masker's. This masker is
        not changed.

        Example:
            >>> from secpolicy.pii import EMAIL, Redact, presets
            >>> masker = presets.CN_DISPLAY.evolve(rules={EMAIL: Redact("[email]")})
            >>> masker.mask_text("mail a@example.com")
            'mail [email]'
        """
        new = Masker(
            {**self.rules, **(rules or {})},
            default if default is not None else self.default,
            scanner=scanner if scanner is not None else self.scanner,
            builtin_fields=False,
            paths=paths,
        )
        new._fields = {**self._fields, **{normalise_field(k): v for k, v in (fields or {}).items()}}
        new._paths = [*new._paths, *self._paths]  # the new paths are tried first
        return new

    def operator_for(self, entity: str) -> Operator:
        """The operator applied to *entity*."""
        return self.rules.get(entity, self.default)

    def mask_text(self, text: str) -> str:
        """*text* with every finding replaced by its entity's operator."""
        spans = self.scanner.spans(text)
        if not spans:
            return text
        out: list[str] = []
        position = 0
        for start, end, entity in spans:
            out.append(text[position:start])
            out.append(self.operator_for(entity).apply(text[start:end], entity))
            position = end
        out.append(text[position:])
        return "".join(out)

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
        stripped = value.strip()
        if entity in DETECTABLE or entity not in self.rules:
            findings = self.scanner.find(stripped)
            if len(findings) == 1 and findings[0].text == stripped:
                entity = findings[0].entity
        return self.operator_for(entity).apply(value, entity)

    def mask_record(self, record: Any) -> Any:
        """A masked copy of *record* (nested mappings, lists and tuples); the input is untouched.

        Each value is masked by the first that applies: a configured path, a
        known field name, then detection in free text. Keys are kept. Numbers
        under a known field become masked strings; other numbers are masked
        only if they are personal data on their own (a phone number stored as
        an integer). ``None`` and booleans are kept.
        """
        return self._walk(record, (), None)

    def _target(self, path: tuple[str | int, ...]) -> str | Operator | None:
        for pattern, target in self._paths:
            if _path_matches(pattern, path):
                return target
        if path and isinstance(path[-1], str):
            return self._fields.get(path[-1])
        return None

    def _walk(
        self, value: Any, path: tuple[str | int, ...], inherited: str | Operator | None
    ) -> Any:
        if isinstance(value, Mapping):
            return {
                key: self._walk(item, (*path, normalise_field(str(key))), None)
                for key, item in value.items()
            }
        # A list under a known field ("phones": [...]) passes its target to its items.
        target = (self._target(path) if path else None) or inherited
        if isinstance(value, (list, tuple)):
            items = [self._walk(item, (*path, i), target) for i, item in enumerate(value)]
            return items if isinstance(value, list) else tuple(items)
        return self._leaf(value, target)

    def _leaf(self, value: Any, target: str | Operator | None) -> Any:
        if value is None or isinstance(value, bool):
            return value
        if isinstance(value, (int, float)):
            text = str(value)
            if target is not None:
                return self._apply(text, target)
            masked = self.mask_text(text)
            return value if masked == text else masked
        if not isinstance(value, str):
            return value
        if target is not None:
            return self._apply(value, target)
        return self.mask_text(value)

    def _apply(self, value: str, target: str | Operator) -> str:
        if isinstance(target, str):
            return self.mask_value(value, target)
        return target.apply(value, "FIELD")

    def __repr__(self) -> str:
        return f"Masker(rules={sorted(self.rules)}, default={self.default!r})"
