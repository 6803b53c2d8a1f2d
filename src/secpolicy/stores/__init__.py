"""Shared state for many instances of a service: Redis and SQL stores.

The areas define small store protocols (:class:`secpolicy.password.ThrottleStore`,
:class:`secpolicy.audit.AnchorStore`, the RBAC policy store); the modules here
implement them on real servers, so that four replicas lock an account after
three failures in total, a revocation in one instance reaches the others, and
every writer's audit anchors sit in one append-only table.

- :mod:`secpolicy.stores.redis` (``pip install 'secpolicy[redis]'``):
  :class:`~secpolicy.stores.redis.RedisThrottleStore`.
- :mod:`secpolicy.stores.sql` (``pip install 'secpolicy[sql]'``, or
  ``'secpolicy[postgres]'`` with the PostgreSQL driver), on SQLAlchemy Core,
  the same code on SQLite and PostgreSQL: ``SQLThrottleStore``,
  ``SQLPolicyStore``, ``SQLAnchorStore``, ``SQLHoldStore`` and ``migrate``.

No area imports this package, and importing it imports neither Redis nor
SQLAlchemy: only the error types live here.

.. versionadded:: 0.2
"""

from __future__ import annotations

from secpolicy.stores._errors import HoldStateError, StoreError, StoreSchemaError

__all__ = ["HoldStateError", "StoreError", "StoreSchemaError"]

from secpolicy._public import set_module as _set_module

_set_module(globals())
