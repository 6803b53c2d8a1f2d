"""Public names report the module users import them from.

A class defined in ``secpolicy.rbac._engine`` and exported by ``secpolicy.rbac``
should read as ``secpolicy.rbac.RBAC`` in reprs, tracebacks, pickles and the
documentation, not as a private path users cannot rely on (httpx does the
same). Each package calls :func:`set_module` as the last line of its
``__init__``::

    set_module(globals())

.. versionadded:: 0.2
"""

from __future__ import annotations

import inspect
from typing import Any

__all__ = ["ORIGINS", "set_module"]

#: The module each renamed object was defined in, by ``id``: the doctest run
#: (``tests/test_doctests.py``) uses it to find docstrings where they are written.
ORIGINS: dict[int, str] = {}


def set_module(namespace: dict[str, Any]) -> None:
    """Point ``__module__`` of every class and function in ``__all__`` at this package.

    Only objects defined in a private module below the package
    (``<package>._something``) are changed; names re-exported from another
    public module (``secpolicy.exceptions``) keep theirs.
    """
    package: str = namespace["__name__"]
    for name in namespace.get("__all__", ()):
        obj = namespace.get(name)  # a lazy name (module __getattr__) is not there yet
        if not (inspect.isclass(obj) or inspect.isfunction(obj)):
            continue
        module = getattr(obj, "__module__", "") or ""
        if module.startswith(f"{package}._"):
            ORIGINS[id(obj)] = module
            obj.__module__ = package
