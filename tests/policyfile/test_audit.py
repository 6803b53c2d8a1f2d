"""The ``[audit]`` settings as a value: closed sets are checked at construction."""

from __future__ import annotations

import pytest

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile import AuditSettings


class TestAuditSettings:
    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("sink", "bogus"),
            ("sink", "File"),
            ("sink", None),
            ("masking", "PII"),
            ("masking", "none"),
            ("masking", None),
            ("fsync", "sometimes"),
            ("fsync", 0),
            ("fsync", True),
            ("fsync", None),
        ],
    )
    def test_unknown_value_refused(self, field: str, value: object) -> None:
        """A value outside a closed set is a PolicyConfigError naming the field, not a default."""
        with pytest.raises(PolicyConfigError, match=f"audit.{field}") as caught:
            AuditSettings(**{field: value})  # type: ignore[arg-type]
        assert caught.value.path == f"audit.{field}"

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("sink", "stdout"),
            ("sink", "logging"),
            ("masking", "pii"),
            ("fsync", "always"),
            ("fsync", "never"),
            ("fsync", 100),
        ],
    )
    def test_known_values_kept(self, field: str, value: object) -> None:
        """Every documented value is accepted and kept as given."""
        assert getattr(AuditSettings(**{field: value}), field) == value  # type: ignore[arg-type]
