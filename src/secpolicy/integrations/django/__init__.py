"""Django integration (``pip install 'secpolicy[django]'``).

- :class:`PasswordPolicyValidator` for ``AUTH_PASSWORD_VALIDATORS``.
- :class:`LockoutBackend`: refuses locked accounts; the app counts failures
  on ``user_login_failed`` through :class:`~secpolicy.password.LoginThrottle`.
- :class:`RBACBackend`: ``user.has_perm()`` answered by :mod:`secpolicy.rbac`.
- Login, logout and failed-login audit through
  :class:`~secpolicy.audit.AuditLogger`, with the client's address before and
  after proxies.
- :class:`CorrelationIdMiddleware`: a correlation id for every audit record.

Add ``"secpolicy.integrations.django"`` to ``INSTALLED_APPS`` and configure
with one ``SECPOLICY`` dictionary in settings; see the Django page of the
documentation.

.. versionadded:: 0.2
"""

from __future__ import annotations

from secpolicy.integrations._extra import missing_extra

try:
    import django  # noqa: F401 (probe for the extra)
except ImportError as exc:  # pragma: no cover - tested in a child process without Django
    raise missing_extra("secpolicy.integrations.django", "django", "Django") from exc

from secpolicy.integrations.django._addresses import client_address, request_correlation_id
from secpolicy.integrations.django._backends import (
    LockoutBackend,
    RBACBackend,
    lockout_keys,
    lockout_status,
    permission_target,
)
from secpolicy.integrations.django._conf import DEFAULT_LOCKOUT, LockoutKey, SettingsError
from secpolicy.integrations.django._conf import reset as reset_settings
from secpolicy.integrations.django._conf import throttle as get_throttle
from secpolicy.integrations.django._middleware import CorrelationIdMiddleware
from secpolicy.integrations.django._validators import PasswordPolicyValidator, locale_for

__all__ = [
    "DEFAULT_LOCKOUT",
    "CorrelationIdMiddleware",
    "LockoutBackend",
    "LockoutKey",
    "PasswordPolicyValidator",
    "RBACBackend",
    "SettingsError",
    "client_address",
    "get_throttle",
    "locale_for",
    "lockout_keys",
    "lockout_status",
    "permission_target",
    "request_correlation_id",
    "reset_settings",
]
