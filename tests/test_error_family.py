"""Every error secpolicy raises is a SecPolicyError: no bare builtin exceptions in src/.

The scan reads every module of ``src/secpolicy`` with :mod:`ast` and reports
each ``raise`` of a builtin exception class (``raise ValueError(...)``). Raise a
:mod:`secpolicy.exceptions` class instead; the leaves also inherit the builtin
(``PolicyConfigError`` is a ``ValueError``), so callers' ``except ValueError``
keeps working.
"""

from __future__ import annotations

import ast
import builtins
from pathlib import Path

SRC = Path(__file__).parent.parent / "src" / "secpolicy"

#: Builtins that must not be raised bare. Protocol exceptions stay allowed:
#: AttributeError (__getattr__), StopIteration, NotImplementedError,
#: AssertionError (unreachable code) and KeyboardInterrupt-like signals.
FORBIDDEN = frozenset(
    {
        "Exception",
        "IndexError",
        "KeyError",
        "LookupError",
        "OSError",
        "PermissionError",
        "RecursionError",
        "RuntimeError",
        "TypeError",
        "ValueError",
    }
)

# Files allowed to raise a bare builtin: none. Every error the library raises
# derives from SecPolicyError (leaves also inherit the builtin they refine).
ALLOWLIST: frozenset[str] = frozenset()


def _bare_raises(path: Path) -> list[tuple[int, str]]:
    """(line, class name) of each raise of a forbidden builtin in *path*."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    shadowed = {node.name for node in ast.walk(tree) if isinstance(node, ast.ClassDef)} | {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Raise) or node.exc is None:
            continue
        target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        if (
            isinstance(target, ast.Name)
            and target.id in FORBIDDEN
            and target.id not in shadowed
            and isinstance(getattr(builtins, target.id, None), type)
        ):
            found.append((node.lineno, target.id))
    return found


def _offenders() -> dict[str, list[tuple[int, str]]]:
    result = {}
    for path in sorted(SRC.rglob("*.py")):
        raises = _bare_raises(path)
        if raises:
            result[str(path.relative_to(SRC.parent.parent))] = raises
    return result


class TestErrorFamily:
    def test_no_new_bare_builtin_raises(self) -> None:
        """Only allowlisted files raise a bare ValueError/TypeError/...; the rest use our tree."""
        new = {f: r for f, r in _offenders().items() if f not in ALLOWLIST}
        assert new == {}, "raise a secpolicy.exceptions class instead: " + repr(new)

    def test_allowlist_entries_still_offend(self) -> None:
        """An allowlisted file that no longer raises a bare builtin leaves the list."""
        assert set(_offenders()) >= ALLOWLIST, sorted(ALLOWLIST - set(_offenders()))

    def test_scan_sees_a_bare_raise(self, tmp_path: Path) -> None:
        """The scan reports builtins and ignores our own classes and shadowing imports."""
        module = tmp_path / "m.py"
        module.write_text(
            "from secpolicy.exceptions import PolicyConfigError\n"
            "def f(x):\n"
            "    if x:\n"
            "        raise ValueError('bare')\n"
            "    if x is None:\n"
            "        raise TypeError\n"
            "    raise PolicyConfigError('ours')\n"
            "def g():\n"
            "    raise AttributeError('protocol')\n",
            encoding="utf-8",
        )
        assert _bare_raises(module) == [(4, "ValueError"), (6, "TypeError")]
