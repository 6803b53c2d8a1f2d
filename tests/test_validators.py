"""The shared validator family: PolicyConfigError with the field path, never the value."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import attrs
import pytest

from secpolicy import _validators as v
from secpolicy.exceptions import PolicyConfigError


@attrs.frozen(kw_only=True)
class Lockout:
    __config_path__: ClassVar[str] = "password.lockout"

    max_failures: int = attrs.field(default=3, validator=[v.instance_of(int), v.ge(1)])
    ratio: float = attrs.field(default=0.5, validator=v.between(0, 1))
    window: timedelta = attrs.field(default=timedelta(minutes=5), validator=v.positive_timedelta())
    grace: timedelta = attrs.field(default=timedelta(0), validator=v.non_negative_timedelta())
    mode: str = attrs.field(default="lock", validator=v.in_({"lock", "delay"}))
    code: str = attrs.field(default="ab", validator=v.matches(r"[a-z]+", rule="must be a-z"))
    tags: tuple[str, ...] = attrs.field(
        default=(), validator=v.deep_iterable(v.instance_of(str), iterable=v.max_len(3))
    )
    since: datetime | None = attrs.field(default=None, validator=v.optional(v.aware_datetime()))
    limit: int | None = attrs.field(default=None, validator=v.optional([v.gt(0), v.le(10)]))
    name: str = attrs.field(default="x", validator=v.min_len(1))


@attrs.frozen
class Unnamed:
    size: int = attrs.field(validator=v.instance_of(int))


def _error(**kwargs: Any) -> PolicyConfigError:
    with pytest.raises(PolicyConfigError) as caught:
        Lockout(**kwargs)
    return caught.value


class TestValidators:
    def test_valid_values_pass(self) -> None:
        """In-range values construct without error."""
        Lockout(since=datetime(2026, 1, 1, tzinfo=UTC), limit=10, tags=("a", "b"))

    @pytest.mark.parametrize(
        ("kwargs", "path", "rule"),
        [
            ({"max_failures": 0}, "password.lockout.max_failures", "must be >= 1"),
            ({"max_failures": "3"}, "password.lockout.max_failures", "must be int"),
            ({"max_failures": True}, "password.lockout.max_failures", "must be int"),
            ({"ratio": 1.5}, "password.lockout.ratio", "must be between 0 and 1"),
            ({"window": timedelta(0)}, "password.lockout.window", "must be a positive duration"),
            ({"window": 5}, "password.lockout.window", "must be a positive duration"),
            ({"grace": timedelta(seconds=-1)}, "password.lockout.grace", "zero or more"),
            ({"mode": "ban"}, "password.lockout.mode", "must be one of: delay, lock"),
            ({"code": "AB"}, "password.lockout.code", "must be a-z"),
            ({"code": 7}, "password.lockout.code", "must be a-z"),
            ({"tags": ("a", 2)}, "password.lockout.tags[1]", "must be str"),
            ({"tags": ("a",) * 4}, "password.lockout.tags", "at most 3"),
            ({"tags": 5}, "password.lockout.tags", "must be a collection"),
            ({"since": datetime(2026, 1, 1)}, "password.lockout.since", "aware"),  # noqa: DTZ001
            ({"limit": 0}, "password.lockout.limit", "must be > 0"),
            ({"limit": 11}, "password.lockout.limit", "must be <= 10"),
            ({"name": ""}, "password.lockout.name", "at least 1"),
        ],
    )
    def test_error_names_path_and_rule(self, kwargs: dict[str, Any], path: str, rule: str) -> None:
        """The error is a PolicyConfigError whose path and message name the field and rule."""
        err = _error(**kwargs)
        assert err.path == err.field == path
        assert str(err).startswith(f"{path}: ")
        assert rule in err.reason
        assert isinstance(err, ValueError)

    def test_value_never_in_message(self) -> None:
        """A rejected value (which may be a secret) does not appear in the message."""
        err = _error(code="S3CRET-VALUE")
        assert "S3CRET" not in str(err)
        err = _error(mode="hunter2")
        assert "hunter2" not in str(err)

    def test_section_defaults_to_class_name(self) -> None:
        """Without __config_path__, the class name is the section."""
        with pytest.raises(PolicyConfigError) as caught:
            Unnamed(size="big")  # type: ignore[arg-type]
        assert caught.value.path == "Unnamed.size"

    def test_not_chained(self) -> None:
        """The attrs error is not chained (its message would carry the value)."""
        err = _error(max_failures=0)
        assert err.__cause__ is None
        assert err.__suppress_context__
