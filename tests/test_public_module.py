"""Public classes and functions report the public module they are imported from."""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil

import pytest

import secpolicy
from secpolicy import _public

#: Public packages: secpolicy and every sub-package without a leading underscore.
PACKAGES = ["secpolicy"] + [
    f"secpolicy.{m.name}"
    for m in pkgutil.iter_modules(secpolicy.__path__)
    if m.ispkg and not m.name.startswith("_")
]


def _exported(package: str) -> list[tuple[str, object]]:
    module = importlib.import_module(package)
    names = [n for n in getattr(module, "__all__", ()) if n != "__version__"]
    return [(n, getattr(module, n)) for n in names]


class TestPublicModule:
    @pytest.mark.parametrize("package", PACKAGES)
    def test_exported_classes_and_functions_name_a_public_module(self, package: str) -> None:
        """Every class or function in __all__ reports a module without a private part."""
        private = {
            name: obj.__module__  # type: ignore[attr-defined]
            for name, obj in _exported(package)
            if (inspect.isclass(obj) or inspect.isfunction(obj))
            and any(part.startswith("_") for part in obj.__module__.split("."))
        }
        assert private == {}

    def test_names_read_as_their_package(self) -> None:
        """A few anchors: the engine, the logger, the clock read as their packages."""
        from secpolicy.audit import AuditLogger
        from secpolicy.rbac import RBAC

        assert RBAC.__module__ == "secpolicy.rbac"
        assert AuditLogger.__module__ == "secpolicy.audit"
        assert secpolicy.FrozenClock.__module__ == "secpolicy"

    def test_pickles_by_public_path(self) -> None:
        """A public class still pickles: pickle finds it under the public module."""
        from secpolicy.retention import Period

        data = pickle.dumps(Period(months=6))
        assert b"secpolicy.retention._period" not in data
        assert pickle.loads(data) == Period(months=6)  # noqa: S301 (our own bytes)

    def test_set_module_leaves_other_public_modules_alone(self) -> None:
        """Names re-exported from another public module keep their module."""
        from secpolicy.crypto import DecryptionError

        namespace = {"__name__": "secpolicy.crypto", "__all__": ["DecryptionError", "X"]}
        namespace["DecryptionError"] = DecryptionError
        _public.set_module(namespace)
        assert DecryptionError.__module__ == "secpolicy.exceptions"
