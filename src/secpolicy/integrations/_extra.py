"""The error an integration raises when its framework is not installed."""

from __future__ import annotations

__all__ = ["missing_extra"]


def missing_extra(integration: str, extra: str, framework: str) -> ImportError:
    """An :class:`ImportError` telling which extra installs *framework*.

    Args:
        integration: The module that needs it (``secpolicy.integrations.django``).
        extra: The extra that installs it (``django``).
        framework: The framework's name as users know it (``Django``).
    """
    return ImportError(
        f"{integration} needs {framework}, which is not installed; "
        f"install the extra: pip install 'secpolicy[{extra}]'",
        name=integration,
    )
