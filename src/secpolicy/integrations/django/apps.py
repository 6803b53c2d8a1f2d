"""The Django app: add ``"secpolicy.integrations.django"`` to ``INSTALLED_APPS``."""

from __future__ import annotations

from django.apps import AppConfig

__all__ = ["SecPolicyConfig"]


class SecPolicyConfig(AppConfig):
    """Connects the login, logout and failed-login receivers when Django starts.

    .. versionadded:: 0.2
    """

    name = "secpolicy.integrations.django"
    label = "secpolicy"
    verbose_name = "secpolicy"
    default = True

    def ready(self) -> None:
        """Connect the receivers and register the system checks."""
        from django.core import checks  # noqa: PLC0415 (apps load first)

        from secpolicy.integrations.django import _checks, _signals  # noqa: PLC0415

        _signals.connect()
        checks.register(_checks.check_configuration, checks.Tags.security)
