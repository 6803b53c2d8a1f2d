"""Every docstring example in src/secpolicy runs, and none is silently skipped.

pytest's ``--doctest-modules`` finds a docstring only in the module an object
claims as its ``__module__``; public names report their public package
(``secpolicy.rbac``), so it would look in the package ``__init__`` and skip the
methods written in the private module. This finder looks where each object is
written instead, using the record ``secpolicy._public.set_module`` keeps.
"""

from __future__ import annotations

import doctest
import importlib
import os
import pkgutil
import types

import django
import pytest

import secpolicy
from secpolicy import _public

# The walk imports secpolicy.integrations.django, whose settings object answers
# any attribute look-up only once Django is set up: set up the test project the
# way tests/integrations/conftest.py does, so this file also runs on its own.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.integrations.djangoproject.settings")
django.setup()


class _WhereWritten(doctest.DocTestFinder):
    def _from_module(self, module: types.ModuleType | None, object: object) -> bool:  # noqa: A002
        origin = _public.ORIGINS.get(id(object))
        if origin is not None and module is not None:
            return origin == module.__name__
        return bool(super()._from_module(module, object))  # type: ignore[misc]


def _modules() -> list[types.ModuleType]:
    names = ["secpolicy"] + [
        m.name for m in pkgutil.walk_packages(secpolicy.__path__, prefix="secpolicy.")
    ]
    return [
        importlib.import_module(name) for name in sorted(names) if not name.endswith("__main__")
    ]


def _doctests() -> list[doctest.DocTest]:
    finder = _WhereWritten(exclude_empty=True)
    found: dict[str, doctest.DocTest] = {}
    for module in _modules():
        for test in finder.find(module):
            if test.examples:
                found.setdefault(test.name, test)
    return sorted(found.values(), key=lambda t: t.name)


DOCTESTS = _doctests()


class TestDocstringExamples:
    @pytest.mark.parametrize("test", DOCTESTS, ids=[t.name for t in DOCTESTS])
    def test_example_runs(self, test: doctest.DocTest) -> None:
        """The docstring example gives the output it shows."""
        output: list[str] = []
        runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
        result = runner.run(test, out=output.append, clear_globs=True)
        assert result.failed == 0, "".join(output)

    def test_none_skipped(self) -> None:
        """Method examples in private modules are found (RetentionSchedule.evaluate, due_by)."""
        names = {t.name for t in DOCTESTS}
        assert len(DOCTESTS) >= 17
        assert "secpolicy.retention._schedule.RetentionSchedule.evaluate" in names
        assert "secpolicy.retention._calendar.WorkdayCalendar.due_by" in names
        assert "secpolicy.crypto._field.FieldEncryptor" in names
