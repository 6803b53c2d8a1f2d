"""A tiny shared runner: measure secpolicy and a competitor in one process run.

Each benchmark hands :func:`compare` a callable for secpolicy and one per
competitor. The runner interleaves their repeats (so machine noise lands on
both sides alike), takes the median per-call time of each, and prints a table
with the ratio of every competitor to secpolicy. Timed assertions never live
in the test suite; a benchmark may instead state its goal and print whether the
measured ratio meets it.
"""

from __future__ import annotations

import gc
import resource
import statistics
import sys
import time
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable


@dataclass(frozen=True)
class Timing:
    """Per-call times of one contender, in nanoseconds."""

    label: str
    samples: tuple[float, ...]

    @property
    def median(self) -> float:
        """Median per-call time in nanoseconds."""
        return statistics.median(self.samples)

    @property
    def worst(self) -> float:
        """Slowest repeat's per-call time in nanoseconds."""
        return max(self.samples)


@dataclass(frozen=True)
class Comparison:
    """The timings of secpolicy and its competitors for one task."""

    title: str
    ours: Timing
    theirs: tuple[Timing, ...] = field(default=())

    def ratio(self, label: str) -> float:
        """How many times slower the competitor *label* is than secpolicy (median)."""
        other = next(t for t in self.theirs if t.label == label)
        return other.median / self.ours.median


def _per_call(fn: Callable[[], object], number: int) -> float:
    start = time.perf_counter_ns()
    for _ in range(number):
        fn()
    return (time.perf_counter_ns() - start) / number


def compare(
    title: str,
    ours: Callable[[], object],
    theirs: dict[str, Callable[[], object]] | None = None,
    *,
    number: int = 1000,
    repeat: int = 7,
    number_theirs: int | None = None,
    items: int = 1,
    items_theirs: int | None = None,
) -> Comparison:
    """Time *ours* and each competitor, interleaved, and print the comparison.

    Args:
        title: What is measured.
        ours: One call of the secpolicy side.
        theirs: One call of each competitor, by label.
        number: Calls per repeat for secpolicy.
        repeat: Repeats per contender; the median repeat is reported.
        number_theirs: Calls per repeat for competitors (default: *number*);
            lower it for a competitor that is orders of magnitude slower.
        items: How many operations one call of *ours* performs (a batch);
            times are reported per operation, so no per-call harness cost
            lands on the fast side.
        items_theirs: The same for the competitors (default: *items*).
    """
    theirs = theirs or {}
    n_theirs = number_theirs or number
    ours()  # warm caches and lazy loading outside the timed region
    for fn in theirs.values():
        fn()
    return interleave(
        title,
        lambda: _per_call(ours, number),
        {label: partial(_per_call, fn, n_theirs) for label, fn in theirs.items()},
        repeat=repeat,
        items=items,
        items_theirs=items_theirs,
    )


def interleave(
    title: str,
    ours: Callable[[], float],
    theirs: dict[str, Callable[[], float]],
    *,
    repeat: int,
    items: int,
    items_theirs: int | None = None,
) -> Comparison:
    """Run each contender's timed repeat in turn, *repeat* times, and print the comparison.

    Each callable runs one repeat and returns its nanoseconds (per call);
    *items* and *items_theirs* turn them into times per operation.
    """
    samples: dict[str, list[float]] = {"secpolicy": [], **{k: [] for k in theirs}}
    gc.collect()
    per_theirs = items_theirs or items
    for _ in range(repeat):
        samples["secpolicy"].append(ours() / items)
        for label, measure in theirs.items():
            samples[label].append(measure() / per_theirs)
    result = Comparison(
        title,
        Timing("secpolicy", tuple(samples["secpolicy"])),
        tuple(Timing(label, tuple(samples[label])) for label in theirs),
    )
    print_comparison(result)
    return result


def format_ns(ns: float) -> str:
    """Render a duration in the most readable unit."""
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def print_comparison(result: Comparison) -> None:
    """Print one comparison as a small Markdown table."""
    print(f"\n### {result.title}\n")
    print("| contender | median per operation | worst repeat | ratio to secpolicy |")
    print("|---|---|---|---|")
    for timing in (result.ours, *result.theirs):
        ratio = timing.median / result.ours.median
        print(
            f"| {timing.label} | {format_ns(timing.median)} | {format_ns(timing.worst)} "
            f"| {ratio:.2f}× |"
        )


def check_goal(description: str, *, met: bool, detail: str) -> bool:
    """Print whether a stated goal was met, with the measured figure."""
    print(f"- goal: {description}: {'MET' if met else 'NOT MET'} ({detail})")
    return met


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024
