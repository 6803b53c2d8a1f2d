"""Run benchmarks: ``python -m benchmarks [NAME ...]`` (default: all of them).

Each ``benchmarks/bench_<name>.py`` module defines ``main() -> None``.
"""

from __future__ import annotations

import importlib
import platform
import sys
from pathlib import Path

import secpolicy


def _available() -> list[str]:
    here = Path(__file__).parent
    return sorted(p.stem.removeprefix("bench_") for p in here.glob("bench_*.py"))


def main(argv: list[str]) -> int:
    """Run the named benchmarks, or every one."""
    names = argv or _available()
    unknown = sorted(set(names) - set(_available()))
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; have: {', '.join(_available())}")
        return 2
    print(
        f"secpolicy {secpolicy.__version__}, Python {platform.python_version()}, "
        f"{platform.machine()}, {platform.system()}"
    )
    for name in names:
        print(f"\n## {name}")
        importlib.import_module(f"benchmarks.bench_{name}").main()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
