"""The one family of attrs validators of secpolicy.

Every area validates its configuration values with these, so a bad value fails
at construction with the same error everywhere: a
:class:`~secpolicy.exceptions.PolicyConfigError` whose ``path`` (and message)
names the field, and whose message states the rule, never the value (a value
may be a secret or personal data).

The checks are attrs' own (:mod:`attrs.validators`); this module only turns
their ``TypeError``/``ValueError`` into our error with the field path. The
path is ``<section>.<attribute>``, where the section is the class's
``__config_path__`` if it has one (``"password"``), else its name::

    @attrs.frozen(kw_only=True)
    class LockoutPolicy:
        __config_path__: ClassVar[str] = "password.lockout"
        max_failures: int = attrs.field(validator=[instance_of(int), ge(1)])


    LockoutPolicy(max_failures=0)
    # PolicyConfigError: password.lockout.max_failures: must be >= 1

.. versionadded:: 0.2
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

import attrs

from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Callable, Collection

    Validator = Callable[[Any, "attrs.Attribute[Any]", Any], None]

__all__ = [
    "and_",
    "aware_datetime",
    "between",
    "deep_iterable",
    "field_path",
    "ge",
    "gt",
    "in_",
    "instance_of",
    "le",
    "matches",
    "max_len",
    "min_len",
    "non_negative_timedelta",
    "optional",
    "positive_timedelta",
]


def field_path(instance: object, attribute: attrs.Attribute[Any]) -> str:
    """The dotted path of *attribute* on *instance*: ``"password.min_length"``."""
    section = getattr(type(instance), "__config_path__", None) or type(instance).__name__
    return f"{section}.{attribute.name}"


def _wrap(check: Validator, rule: str) -> Validator:
    """Run an attrs validator; turn its failure into PolicyConfigError(*rule*)."""

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            check(instance, attribute, value)
        except (TypeError, ValueError):
            raise PolicyConfigError(rule, path=field_path(instance, attribute)) from None

    validate.__qualname__ = validate.__name__ = f"<validator: {rule}>"
    return validate


def _predicate(test: Callable[[Any], bool], rule: str) -> Validator:
    """A validator from a test of the value alone."""

    def validate(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if not test(value):
            raise PolicyConfigError(rule, path=field_path(instance, attribute))

    validate.__qualname__ = validate.__name__ = f"<validator: {rule}>"
    return validate


def _type_names(types: tuple[type, ...]) -> str:
    return " or ".join(t.__name__ for t in types)


def instance_of(*types: type) -> Validator:
    """The value is an instance of one of *types* (``bool`` never passes for ``int``)."""
    check = _wrap(attrs.validators.instance_of(types), f"must be {_type_names(types)}")
    # True is an int to Python, never a count to a policy.
    not_bool = _predicate(
        lambda value: bool in types or not isinstance(value, bool), f"must be {_type_names(types)}"
    )
    return attrs.validators.and_(not_bool, check)


def ge(bound: Any) -> Validator:
    """The value is at least *bound*."""
    return _wrap(attrs.validators.ge(bound), f"must be >= {bound}")


def gt(bound: Any) -> Validator:
    """The value is more than *bound*."""
    return _wrap(attrs.validators.gt(bound), f"must be > {bound}")


def le(bound: Any) -> Validator:
    """The value is at most *bound*."""
    return _wrap(attrs.validators.le(bound), f"must be <= {bound}")


def between(low: Any, high: Any) -> Validator:
    """The value lies in ``[low, high]``."""
    check = attrs.validators.and_(attrs.validators.ge(low), attrs.validators.le(high))
    return _wrap(check, f"must be between {low} and {high}")


def in_(choices: Collection[Any]) -> Validator:
    """The value is one of *choices* (the message lists them)."""
    listed = ", ".join(sorted(map(str, choices)))
    return _wrap(attrs.validators.in_(choices), f"must be one of: {listed}")


def matches(pattern: str, *, rule: str) -> Validator:
    """The value is a string that fully matches *pattern*; *rule* says it in words."""
    compiled = re.compile(pattern)
    return _predicate(
        lambda value: isinstance(value, str) and compiled.fullmatch(value) is not None, rule
    )


def min_len(length: int) -> Validator:
    """The value has at least *length* items or characters."""
    return _wrap(attrs.validators.min_len(length), f"must have at least {length} item(s)")


def max_len(length: int) -> Validator:
    """The value has at most *length* items or characters."""
    return _wrap(attrs.validators.max_len(length), f"must have at most {length} item(s)")


def aware_datetime() -> Validator:
    """The value is a datetime with a time zone (naive ones are ambiguous)."""
    return _predicate(
        lambda value: isinstance(value, datetime) and value.utcoffset() is not None,
        "must be an aware datetime (with tzinfo)",
    )


def positive_timedelta() -> Validator:
    """The value is a timedelta longer than zero."""
    return _predicate(
        lambda value: isinstance(value, timedelta) and value > timedelta(0),
        "must be a positive duration",
    )


def non_negative_timedelta() -> Validator:
    """The value is a timedelta of zero or more."""
    return _predicate(
        lambda value: isinstance(value, timedelta) and value >= timedelta(0),
        "must be a duration of zero or more",
    )


def optional(validator: Validator | list[Validator]) -> Validator:
    """``None``, or a value that passes *validator*."""
    inner = and_(*validator) if isinstance(validator, list) else validator
    return attrs.validators.optional(inner)


def and_(*validators: Validator) -> Validator:
    """Every one of *validators*, in order (the first failure is reported)."""
    return attrs.validators.and_(*validators)


def deep_iterable(member: Validator, *, iterable: Validator | None = None) -> Validator:
    """Each member of the value passes *member*; the container passes *iterable*.

    A failing member is reported at ``<path>[<index>]``.
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
        try:
            items = list(value)
        except TypeError:
            raise PolicyConfigError(
                "must be a collection", path=field_path(instance, attribute)
            ) from None
        if iterable is not None:
            iterable(instance, attribute, value)
        for index, item in enumerate(items):
            try:
                member(instance, attribute, item)
            except PolicyConfigError as exc:
                raise PolicyConfigError(
                    exc.reason, path=f"{field_path(instance, attribute)}[{index}]"
                ) from None

    return check
