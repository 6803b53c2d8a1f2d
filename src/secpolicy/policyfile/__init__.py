"""One TOML file that declares a service's policies: ``secpolicy.toml``.

:func:`load_policy` reads the file and builds the real objects of each area
(a :class:`~secpolicy.password.PasswordPolicy`, an :class:`~secpolicy.rbac.RBAC`
engine, a :class:`~secpolicy.pii.Masker`, the audit settings and a
:class:`~secpolicy.retention.RetentionSchedule`). Every error is a
:class:`~secpolicy.exceptions.PolicyConfigError` naming the file, line and
TOML path; the loader reads the whole file first and reports every problem
at once (:class:`PolicyFileError`). :func:`json_schema` gives the file's JSON
Schema for editors.
"""

from __future__ import annotations

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._audit import AuditSettings
from secpolicy.policyfile._load import (
    MAX_POLICY_BYTES,
    SCHEMA_ID,
    PolicyFileError,
    json_schema,
    load_policy,
    loads_policy,
)
from secpolicy.policyfile._policy import ServicePolicy
from secpolicy.policyfile._spec import parse_duration, parse_period, parse_size
from secpolicy.policyfile._waivers import Waiver

__all__ = [
    "MAX_POLICY_BYTES",
    "SCHEMA_ID",
    "AuditSettings",
    "PolicyConfigError",
    "PolicyFileError",
    "ServicePolicy",
    "Waiver",
    "json_schema",
    "load_policy",
    "loads_policy",
    "parse_duration",
    "parse_period",
    "parse_size",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())
