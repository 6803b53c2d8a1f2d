"""Role-based access control: NIST RBAC with separation of duty, tenants, labels and approvals.

- :class:`RBAC` is the engine: roles with inheritance, grants and denies on
  ``/``-separated resources, default deny, explicit deny first, tenants,
  sensitivity labels, privileged roles held only through approved grants.
- :meth:`RBAC.decide` returns a :class:`Decision` that says why;
  :meth:`RBAC.require` raises :class:`~secpolicy.exceptions.AccessDenied`.
- Sessions (:meth:`RBAC.create_session`) enforce dynamic separation of duty.
- Review functions and :meth:`RBAC.review_report` support periodic access
  review; :meth:`RBAC.who_can` and :meth:`RBAC.resources_for` answer the
  reverse questions.
- :class:`PolicyStore` shares one policy between engines.
"""

from __future__ import annotations

from secpolicy.exceptions import AccessDenied, ConstraintViolation
from secpolicy.rbac._engine import RBAC, GrantRequest
from secpolicy.rbac._match import ResourcePattern
from secpolicy.rbac._model import (
    AdminKind,
    AdminRights,
    Decision,
    Effect,
    EventKind,
    PendingRequest,
    PrivilegedGrant,
    RBACEvent,
    ResourceFilter,
    ReviewEntry,
    ReviewReport,
    Rule,
)
from secpolicy.rbac._names import InvalidNameError
from secpolicy.rbac._sessions import Session
from secpolicy.rbac._store import MemoryPolicyStore, PolicyStore, StoreConflict

__all__ = [
    "RBAC",
    "AccessDenied",
    "AdminKind",
    "AdminRights",
    "ConstraintViolation",
    "Decision",
    "Effect",
    "EventKind",
    "GrantRequest",
    "InvalidNameError",
    "MemoryPolicyStore",
    "PendingRequest",
    "PolicyStore",
    "PrivilegedGrant",
    "RBACEvent",
    "ResourceFilter",
    "ResourcePattern",
    "ReviewEntry",
    "ReviewReport",
    "Rule",
    "Session",
    "StoreConflict",
]

from secpolicy._public import set_module as _set_module

_set_module(globals())
