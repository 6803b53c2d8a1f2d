"""Django system checks: a lockout that is not enforced, auditing that is off, a bad setting."""

from __future__ import annotations

from typing import Any, Final

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from secpolicy.exceptions import SecPolicyError
from secpolicy.integrations.django import _conf

__all__ = ["check_configuration"]

_LOCKOUT: Final = "secpolicy.integrations.django.LockoutBackend"


def check_configuration(app_configs: Any = None, **_: Any) -> list[checks.CheckMessage]:
    """What ``manage.py check`` reports about secpolicy's configuration.

    - ``secpolicy.E001``: ``LockoutBackend`` is not the first backend, so a
      backend before it checks a locked account's password (the login is
      still refused, but a right guess shows).
    - ``secpolicy.E002``: a ``SECPOLICY`` entry cannot be used.
    - ``secpolicy.W001``: ``LockoutBackend`` is not installed (failures are
      counted but never enforced).
    - ``secpolicy.W002``: no ``AUDIT_LOGGER``: logins are not audited.
    """
    found: list[checks.CheckMessage] = []
    backends = list(getattr(settings, "AUTHENTICATION_BACKENDS", ()))
    if _LOCKOUT not in backends:
        found.append(
            checks.Warning(
                "LockoutBackend is not in AUTHENTICATION_BACKENDS: failed logins are counted "
                "but a locked account is not refused",
                hint=f"put {_LOCKOUT!r} first in AUTHENTICATION_BACKENDS",
                id="secpolicy.W001",
            )
        )
    elif backends.index(_LOCKOUT) != 0:
        found.append(
            checks.Error(
                "LockoutBackend is not the first authentication backend: the backends before "
                "it check a locked account's password, and the answer tells a right guess "
                "from a wrong one",
                hint=f"move {_LOCKOUT!r} to the start of AUTHENTICATION_BACKENDS",
                id="secpolicy.E001",
            )
        )
    try:
        _conf.throttle()
        _conf.lockout_keys()
        _conf.trusted_proxies()
        audit = _conf.audit_logger()
    except (ImproperlyConfigured, SecPolicyError) as exc:
        found.append(checks.Error(f"SECPOLICY cannot be used: {exc}", id="secpolicy.E002"))
        return found
    if audit is None:
        found.append(
            checks.Warning(
                "SECPOLICY has no AUDIT_LOGGER: logins, logouts and failed logins are not audited",
                id="secpolicy.W002",
            )
        )
    return found
