"""Every code block of README.md and docs/ runs in the gate or says why it cannot.

- ```python blocks run, in page order, in one namespace per page (a later block
  may use what an earlier one defined), in a fresh working directory holding
  ``secpolicy.toml`` (a copy of ``examples/secpolicy.toml``, the file the docs
  tell readers to put in their project). Absolute paths under the usual
  system roots (``/var/log/app/audit.jsonl``) are rebased under that
  directory, so an example never writes outside the test.
- A ```python block that cannot run (a fragment using the reader's own
  variables, a file or a service only the reader has) is preceded by a line
  ``<!-- notest: the reason -->``; the reason is required.
- ```toml blocks are loaded as policy files by ``tests/policyfile/test_load.py``.
- Blocks for other tools (``console``, ``text``, ``yaml``, ``ini``, ``json``) are
  transcripts, outputs and configuration of other programs: they are shown,
  not run, and must say which they are (no bare fences).
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import NamedTuple

import pytest

ROOT = Path(__file__).parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
PAGES = [p for p in PAGES if "_build" not in p.parts]

_FENCE = re.compile(
    r"^(?P<indent>[ ]*)```(?P<info>[^`\n]*)\n(?P<body>.*?)^(?P=indent)```[ ]*$",
    re.MULTILINE | re.DOTALL,
)
_NOTEST = re.compile(r"<!--\s*notest:\s*(?P<reason>\S.*?)\s*-->\s*$")
_SHOWN_NOT_RUN = frozenset({"console", "text", "yaml", "ini", "json", "toml"})
# System locations examples write to; rebased under the test's directory.
_ABSOLUTE = re.compile(
    r"""(?P<q>["'])/(?P<path>(?:var|mnt|srv|etc|opt|data|home)/[^"'\n]*)(?P=q)"""
)


class Block(NamedTuple):
    """One fenced code block of a page."""

    page: Path
    line: int
    language: str
    body: str
    notest: str | None  # the reason given, if marked not runnable


def _blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    found = []
    for match in _FENCE.finditer(text):
        info = match["info"].strip()
        if info.startswith("{"):  # a MyST directive ({toctree}, {include}, ...)
            continue
        line = text.count("\n", 0, match.start()) + 1
        before = text[: match.start()].rstrip("\n").rsplit("\n", 1)[-1]
        marker = _NOTEST.search(before)
        language = info.split()[0] if info else ""
        found.append(Block(page, line, language, match["body"], marker and marker["reason"]))
    return found


def _page_id(page: Path) -> str:
    return str(page.relative_to(ROOT))


def _rebase(code: str, root: Path) -> str:
    return _ABSOLUTE.sub(lambda m: repr(str(root / m["path"])), code)


class TestCodeBlocks:
    @pytest.mark.parametrize("page", PAGES, ids=_page_id)
    def test_python_blocks_run(
        self, page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Each runnable ```python block of the page runs without error, in order."""
        shutil.copy(ROOT / "examples" / "secpolicy.toml", tmp_path / "secpolicy.toml")
        monkeypatch.chdir(tmp_path)
        namespace: dict[str, object] = {"__name__": "__docs__"}
        for block in _blocks(page):
            if block.language != "python" or block.notest is not None:
                continue
            code = compile(_rebase(block.body, tmp_path / "root"), f"{page}:{block.line}", "exec")
            exec(code, namespace)  # noqa: S102 (the documentation's own examples)

    @pytest.mark.parametrize("page", PAGES, ids=_page_id)
    def test_every_block_is_run_or_says_why_not(self, page: Path) -> None:
        """A block is Python that runs, a shown-only kind, or marked notest with a reason."""
        for block in _blocks(page):
            where = f"{_page_id(page)}:{block.line}"
            assert block.language, f"{where}: a bare ``` fence; name the language (text, console…)"
            assert block.language == "python" or block.language in _SHOWN_NOT_RUN, (
                f"{where}: unknown block language {block.language!r}"
            )

    def test_blocks_are_found(self) -> None:
        """The extraction sees the pages' Python blocks, so the run test is not vacuous."""
        python = [b for p in PAGES for b in _blocks(p) if b.language == "python"]
        assert len(python) >= 15
        assert sum(b.notest is None for b in python) >= 10

    def test_notest_needs_a_reason(self, tmp_path: Path) -> None:
        """A marker without a reason does not count as a marker."""
        page = tmp_path / "page.md"
        page.write_text(
            "<!-- notest: -->\n```python\nx\n```\n\n"
            "<!-- notest: needs a server -->\n```python\ny\n```\n",
            encoding="utf-8",
        )
        assert [b.notest for b in _blocks(page)] == [None, "needs a server"]

    def test_rebase_keeps_examples_inside(self, tmp_path: Path) -> None:
        """System paths in examples move under the test directory; relative ones stay."""
        code = 'open("/var/log/app/a.jsonl"); open("var/b"); grant("db/orders")'
        rebased = _rebase(code, tmp_path)
        assert repr(str(tmp_path / "var/log/app/a.jsonl")) in rebased
        assert '"var/b"' in rebased
        assert '"db/orders"' in rebased
