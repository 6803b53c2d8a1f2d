"""Custom recognizers (with a check against exponential patterns) and deny-lists."""

from __future__ import annotations

import importlib
import re
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.exceptions import PolicyConfigError
from secpolicy.pii._scoring import _SCORE_DENY, Candidate

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

# -- recognizers --------------------------------------------------------------------------


def _check_score(_: object, attribute: attrs.Attribute[float], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PolicyConfigError("must be a number from 0 to 1", field=attribute.name)


_ENTITY_NAME: Final = re.compile(r"[A-Z][A-Z0-9_]{0,63}")


def _check_entity(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not isinstance(value, str) or not _ENTITY_NAME.fullmatch(value):
        raise PolicyConfigError(
            "must be an upper-case name of letters, digits and underscores", field=attribute.name
        )


# The standard library's parser of regular expressions (no stubs ship for it):
# how a user's pattern is checked before it is accepted.
_sre: Any = importlib.import_module("re._constants")
_sre_parse: Any = importlib.import_module("re._parser")
_REPEATS: Final = (_sre.MAX_REPEAT, _sre.MIN_REPEAT)


def _first_chars(items: list[tuple[Any, Any]]) -> list[tuple[int, int]] | None:
    """The code point ranges a sequence of parsed items can start with, or None if unknown."""
    if not items:
        return None
    op, av = items[0]
    if op is _sre.LITERAL:
        return [(av, av)]
    if op is _sre.IN and all(kind in (_sre.LITERAL, _sre.RANGE) for kind, _ in av):
        return [(v, v) if kind is _sre.LITERAL else v for kind, v in av]
    if op is _sre.SUBPATTERN:
        return _first_chars(list(av[3]))
    return None


def _overlap(a: list[tuple[int, int]] | None, b: list[tuple[int, int]] | None) -> bool:
    if a is None or b is None:
        return True
    return any(lo <= other_hi and other_lo <= hi for lo, hi in a for other_lo, other_hi in b)


def _children(op: object, av: Any) -> list[Any]:
    """The parsed sequences inside one parsed item."""
    if op in _REPEATS or op is _sre.POSSESSIVE_REPEAT:
        return [av[2]]
    if op is _sre.SUBPATTERN:
        return [av[3]]
    if op is _sre.BRANCH:
        return list(av[1])
    if op is _sre.ATOMIC_GROUP:
        return [av]
    if op in (_sre.ASSERT, _sre.ASSERT_NOT):
        return [av[1]]
    return []


def _varies(items: Iterable[tuple[Any, Any]]) -> bool:
    """True if parsed items hold a variable repetition or alternatives that start alike."""
    for op, av in items:
        if op in _REPEATS and av[0] != av[1]:
            return True
        if op is _sre.BRANCH:
            firsts = [_first_chars(list(branch)) for branch in av[1]]
            if any(_overlap(x, y) for i, x in enumerate(firsts) for y in firsts[i + 1 :]):
                return True
        if any(_varies(child) for child in _children(op, av)):
            return True
    return False


def _exponential(items: Iterable[tuple[Any, Any]]) -> bool:
    """True if a repetition of more than one count holds a variable repetition or ambiguity.

    Such a pattern (``(a+)+b``, ``(x?)+``, ``(?:a|a)+``) can backtrack
    through exponentially many ways of matching the same text. Possessive
    repetitions and atomic groups give nothing back, so they are not counted
    themselves (what they hold still is).
    """
    for op, av in items:
        if op in _REPEATS and av[1] > 1 and _varies(av[2]):
            return True
        if any(_exponential(child) for child in _children(op, av)):
            return True
    return False


def _compile(value: str | re.Pattern[str]) -> re.Pattern[str]:
    try:
        pattern = value if isinstance(value, re.Pattern) else re.compile(value)
    except (re.error, TypeError) as exc:
        raise PolicyConfigError(f"not a regular expression ({exc})", field="pattern") from None
    if _exponential(_sre_parse.parse(pattern.pattern, pattern.flags).data):
        raise PolicyConfigError(
            "a repeated group holds a repetition of variable count or alternatives that can "
            "start alike (as in (a+)+ or (a|ab)*), which can take exponential time; repeat "
            "a fixed-count group, make the inner repetition possessive (a++) or atomic ((?>...))",
            field="pattern",
        )
    return pattern


def _context_tuple(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class Recognizer:
    """A custom entity: a pattern, an optional validator, context words and a score.

    Register recognizers on a :class:`Scanner` (``Scanner(recognizers=[...])``
    or :meth:`Scanner.register`); their findings take part in the overlap
    resolution, the threshold and the allow-list like the built-in ones.

    Args:
        entity: The entity name reported (upper case, e.g. ``"EMPLOYEE_ID"``).
        pattern: A regular expression (string or compiled). It runs on the
            folded text (full-width forms as ASCII). A pattern that can
            backtrack exponentially is refused: a repeated group holding a
            repetition of variable count (``(a+)+``, ``(x?)*``, ``(a{1,9})+``)
            or alternatives that can start with the same character
            (``(?:a|ab)+``). Its time is the scanner's time: bound each
            repetition (``[0-9]{1,20}`` rather than ``[0-9]+``) and anchor
            its start (``(?<![0-9])[0-9]{6}``) to keep it linear on long runs.
        validator: Called with each match; a match is reported only if it
            returns True.
        context: Words that raise the score when they come shortly before.
        score: The score of a match without context (0 to 1).

    Raises:
        PolicyConfigError: For a bad entity name, score or pattern (one that
            does not compile or that can backtrack exponentially).

    Example:
        >>> from secpolicy.pii import Scanner
        >>> employee = Recognizer(entity="EMPLOYEE_ID", pattern=r"EMP-[0-9]{6}", context=("工号",))
        >>> [(f.entity, f.text) for f in Scanner(recognizers=[employee]).find("工号EMP-004211")]
        [('EMPLOYEE_ID', 'EMP-004211')]

    .. versionadded:: 0.2
    """

    entity: str = attrs.field(validator=_check_entity)
    pattern: re.Pattern[str] = attrs.field(converter=_compile)
    validator: Callable[[str], bool] | None = attrs.field(default=None, kw_only=True)
    context: tuple[str, ...] = attrs.field(default=(), converter=_context_tuple, kw_only=True)
    score: float = attrs.field(default=0.6, validator=_check_score, kw_only=True)

    def find(self, text: str) -> list[Candidate]:
        """The candidates of this recognizer in *text* (already folded)."""
        check = self.validator
        return [
            (m.start(), m.end(), self.entity, float(self.score))
            for m in self.pattern.finditer(text)
            if m.end() > m.start() and (check is None or check(m.group()))
        ]


def _terms_pattern(terms: Iterable[str]) -> re.Pattern[str] | None:
    """One pattern for exact *terms*.

    A term that starts or ends with an ASCII letter or digit must not continue
    a longer word there.
    """
    parts = []
    for term in sorted({t for t in terms if t}, key=len, reverse=True):
        escaped = re.escape(term)
        if term[0].isascii() and term[0].isalnum():
            escaped = r"(?<![0-9A-Za-z_])" + escaped
        if term[-1].isascii() and term[-1].isalnum():
            escaped += r"(?![0-9A-Za-z_])"
        parts.append(escaped)
    return re.compile("|".join(parts)) if parts else None


class DenyList:
    """Exact terms reported as an entity (project code names, customer names).

    Args:
        terms: Entity name → the terms reported as that entity.
    """

    __slots__ = ("_patterns",)

    def __init__(self, terms: Mapping[str, Iterable[str]]) -> None:
        patterns = []
        for entity, words in terms.items():
            _check_entity(None, _ENTITY_ATTRIBUTE, entity)
            pattern = _terms_pattern((words,) if isinstance(words, str) else words)
            if pattern is not None:
                patterns.append((entity, pattern))
        self._patterns = tuple(patterns)

    @property
    def entities(self) -> frozenset[str]:
        """The entities the list reports."""
        return frozenset(entity for entity, _ in self._patterns)

    def find(self, text: str) -> list[Candidate]:
        """Every occurrence of a term in *text*."""
        return [
            (m.start(), m.end(), entity, _SCORE_DENY)
            for entity, pattern in self._patterns
            for m in pattern.finditer(text)
        ]


_ENTITY_ATTRIBUTE: Final = attrs.fields(Recognizer).entity
