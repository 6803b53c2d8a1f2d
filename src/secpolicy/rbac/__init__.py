"""Role-based access control: NIST RBAC with separation of duty, tenants, labels and approvals.

- :class:`RBAC` is the engine: roles with inheritance, grants and denies on
  ``/``-separated resources, default deny, explicit deny first, tenants,
  sensitivity labels, privileged roles granted only through approvals.
- :meth:`RBAC.decide` returns a :class:`Decision` that says why;
  :meth:`RBAC.require` raises :class:`~secpolicy.exceptions.AccessDenied`.
- Sessions (:meth:`RBAC.create_session`) enforce dynamic separation of duty.
- Review functions and :meth:`RBAC.review_report` support periodic access
  review.
"""

from __future__ import annotations

from secpolicy.exceptions import AccessDenied, ConstraintViolation
from secpolicy.rbac._engine import RBAC, GrantRequest
from secpolicy.rbac._model import (
    Decision,
    Effect,
    PendingRequest,
    PrivilegedGrant,
    RBACEvent,
    ResourcePattern,
    ReviewEntry,
    ReviewReport,
    Rule,
)
from secpolicy.rbac._sessions import Session

__all__ = [
    "RBAC",
    "AccessDenied",
    "ConstraintViolation",
    "Decision",
    "Effect",
    "GrantRequest",
    "PendingRequest",
    "PrivilegedGrant",
    "RBACEvent",
    "ResourcePattern",
    "ReviewEntry",
    "ReviewReport",
    "Rule",
    "Session",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())
