"""Test helpers for services that use secpolicy, and its pytest plugin.

The assertions work in any test runner. The pytest plugin
(:mod:`secpolicy.testing.plugin`, loaded automatically once secpolicy is
installed) adds the fixtures ``audit_events``, ``frozen_clock``,
``secpolicy_policy`` and ``rbac_from_policy``, and the option
``--secpolicy-baseline NAME`` that checks the project's ``secpolicy.toml``
as a test item.
"""

from __future__ import annotations

from secpolicy.testing._assertions import (
    assert_access_denied,
    assert_audited,
    assert_no_pii,
    assert_password_rejected,
)

__all__ = [
    "assert_access_denied",
    "assert_audited",
    "assert_no_pii",
    "assert_password_rejected",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())
