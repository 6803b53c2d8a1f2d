"""secpolicy: typed security-policy primitives for backend services.

The areas live in sub-packages, each with its own public names:
``secpolicy.crypto``, ``secpolicy.password``, ``secpolicy.pii``,
``secpolicy.rbac``, ``secpolicy.retention`` and ``secpolicy.audit``. This
top-level package holds what they share: the version, the root exception and
the clocks that carry time into functions that need it.

``import secpolicy`` is cheap (the pytest plugin is loaded by every pytest run
of a project that installs secpolicy): ``__version__`` is read from the package
metadata on first access, not at import.
"""

from __future__ import annotations

from secpolicy._clock import Clock, FrozenClock, SystemClock
from secpolicy._public import set_module as _set_module
from secpolicy.exceptions import SecPolicyError

__all__ = ["Clock", "FrozenClock", "SecPolicyError", "SystemClock", "__version__"]

__version__: str

_set_module(globals())


def __getattr__(name: str) -> str:
    """Read ``__version__`` from the installed package's metadata, once."""
    if name != "__version__":
        raise AttributeError(f"module 'secpolicy' has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 (lazy on purpose)

    try:
        value = version("secpolicy")
    except PackageNotFoundError:  # pragma: no cover - only when imported from an uninstalled tree
        value = "0+unknown"
    globals()["__version__"] = value
    return value
