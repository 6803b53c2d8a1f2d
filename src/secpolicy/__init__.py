"""secpolicy: typed security-policy primitives for backend services.

The areas live in sub-packages, each with its own public names:
``secpolicy.crypto``, ``secpolicy.password``, ``secpolicy.pii``,
``secpolicy.rbac``, ``secpolicy.retention`` and ``secpolicy.audit``. This
top-level package holds what they share: the version, the root exception and
the clocks that carry time into functions that need it.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from secpolicy._clock import Clock, FrozenClock, SystemClock
from secpolicy.exceptions import SecPolicyError

try:
    __version__: str = version("secpolicy")
except PackageNotFoundError:  # pragma: no cover - only when imported from an uninstalled tree
    __version__ = "0+unknown"

__all__ = ["Clock", "FrozenClock", "SecPolicyError", "SystemClock", "__version__"]
