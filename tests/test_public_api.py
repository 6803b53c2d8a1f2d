"""Pin the public surface: every public package's ``__all__`` is exactly what it defines."""

from __future__ import annotations

import importlib
import inspect
import types

import pytest

#: Every public module and the names it promises. A change here is a change to
#: the contract in DESIGN.md and needs a CHANGELOG line.
EXPECTED: dict[str, set[str]] = {
    "secpolicy": {"Clock", "FrozenClock", "SecPolicyError", "SystemClock", "__version__"},
    "secpolicy.exceptions": {
        "AccessDenied",
        "AuditWriteError",
        "CalendarCoverageError",
        "ConstraintViolation",
        "DecryptionError",
        "KeysetError",
        "LegalHoldError",
        "NaiveDatetimeError",
        "PasswordPolicyError",
        "PolicyConfigError",
        "SecPolicyError",
    },
    "secpolicy.crypto": {
        "AES_256_GCM",
        "AES_SIV",
        "HMAC_SHA256",
        "HMAC_SM3",
        "SM4_GCM",
        "AesGcmKeyWrapper",
        "Algorithm",
        "BlindIndex",
        "DecryptionError",
        "DeterministicEncryptor",
        "EnvKeyProvider",
        "FieldEncryptor",
        "FileEncryptor",
        "FileKeyProvider",
        "Key",
        "KeyProvider",
        "KeyState",
        "KeyWrapper",
        "Keyset",
        "KeysetError",
    },
    "secpolicy.cli": {"EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "main"},
}


#: Module-level names that are public by spelling but are implementation details.
NOT_API = {"annotations", "TYPE_CHECKING", "AREAS"}


def _defined_public_names(module: types.ModuleType) -> set[str]:
    """Names without an underscore that secpolicy itself defines in *module*.

    Modules and names imported from other libraries (``Any``, ``version``) are
    not part of the surface.
    """
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or name in NOT_API or inspect.ismodule(value):
            continue
        origin = getattr(value, "__module__", "secpolicy")
        if isinstance(origin, str) and not origin.startswith("secpolicy"):
            continue
        names.add(name)
    return names


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: constants, then classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
class TestExportedMembers:
    def test_all_matches_contract(self, module_name: str) -> None:
        """__all__ lists exactly the promised names."""
        module = importlib.import_module(module_name)
        assert set(module.__all__) == EXPECTED[module_name]

    def test_all_is_sorted_and_unique(self, module_name: str) -> None:
        """__all__ is sorted isort-style (CONSTANTS, Classes, functions), without duplicates."""
        exported = importlib.import_module(module_name).__all__
        assert list(exported) == sorted(set(exported), key=_isort_key)

    def test_every_exported_name_exists(self, module_name: str) -> None:
        """Every name in __all__ is importable from the module."""
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert hasattr(module, name), name

    def test_no_unlisted_public_names(self, module_name: str) -> None:
        """Nothing public is defined that __all__ forgets."""
        module = importlib.import_module(module_name)
        assert _defined_public_names(module) - {"__version__"} <= set(module.__all__)

    def test_public_names_have_docstrings(self, module_name: str) -> None:
        """Every exported class and function is documented."""
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert inspect.getdoc(value), f"{module_name}.{name} has no docstring"
