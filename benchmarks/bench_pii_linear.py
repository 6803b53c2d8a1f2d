"""The PII scanner on pathological input: 1 MB against 50 KB of one repeated unit.

Goal: the 20x larger input takes no more than 40x the time (a linear scan
takes about 20x, a quadratic one about 400x). The test suite pins the same
property by counting work (``tests/pii/test_scanner.py::TestLinearTime``);
this is where the time itself is measured.
"""

from __future__ import annotations

import time

from benchmarks._runner import check_goal
from secpolicy.pii import Scanner

UNITS = (
    "1", "@", ".", "a@", "1-", "手1", "\uff11", "a.b", ":", "1.1", "a:", "a-",
    "1,", "1/", "12-", "a1", "a13812345678", '"@', '"a"@', "\r\n1", "4111111111111111",
)  # fmt: skip
SMALL, LARGE = 50_000, 1_000_000


def _median(scanner: Scanner, text: str, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        scanner.find(text)
        times.append(time.perf_counter() - start)
    return sorted(times)[len(times) // 2]


def main() -> None:
    """Time each unit at both sizes and check the ratio."""
    scanner = Scanner()
    print("| unit | 50 KB (ms) | 1 MB (ms) | ratio |")
    print("|---|---:|---:|---:|")
    worst = 0.0
    for unit in UNITS:
        small = _median(scanner, unit * (SMALL // len(unit)), 7)
        large = _median(scanner, unit * (LARGE // len(unit)), 3)
        ratio = large / small
        worst = max(worst, ratio)
        print(f"| `{unit}` | {small * 1e3:.2f} | {large * 1e3:.1f} | {ratio:.1f}x |")
    check_goal("1 MB takes no more than 40x 50 KB", met=worst <= 40, detail=f"worst {worst:.1f}x")
