"""Where the PII scanner's time goes: CPU time of each pass over the benchmark corpora.

No goal of its own: it says which part of ``bench_pii``'s detect-and-mask
time each pass takes, and times the fast paths beside their plain twins in
the same run (the shared identifier search against one pass per pattern).
Each round times every part once, in turn, with ``time.process_time``, so a
slow spell on a shared machine weighs on all of them; the table gives the
median and the range over the rounds.
"""

from __future__ import annotations

import os
import statistics
import time
from typing import TYPE_CHECKING, Any

from benchmarks._pii_corpus import chinese, english
from secpolicy.pii import Masker
from secpolicy.pii._fold import _second_reading, fold
from secpolicy.pii._scanner import _passes
from secpolicy.pii._scoring import _in_context, _resolve

if TYPE_CHECKING:
    from collections.abc import Callable

N = 10_000
ROUNDS = 7


def _cpu(run: Callable[[Any], object], items: list[Any]) -> float:
    start = time.process_time()
    for item in items:
        run(item)
    return time.process_time() - start


def _parts(
    masker: Masker, texts: list[str]
) -> dict[str, tuple[Callable[[Any], object], list[Any]]]:
    """Each timed part, as a function and the items it is called with."""
    scanner = masker.scanner
    folded = [fold(text) for text in texts]
    fast = _passes(scanner.entities, scanner.phone_regions)
    plain = _passes(scanner.entities, scanner.phone_regions, plain=True)
    shared, rest = fast[0], fast[1:]
    separate = plain[: len(plain) - len(rest)]  # the shared pass's plain twin
    names = ["glued IBANs", "digit runs (IBANs inside)", "e-mail", "IPv4", "IPv6"]
    candidates = [scanner._candidates(text) for text in folded]  # noqa: SLF001 (measured)
    threshold, contexts, ranks = scanner.threshold, scanner._contexts, scanner._ranks  # noqa: SLF001

    def score_and_resolve(item: tuple[str, list[Any]]) -> object:
        text, found = item
        found = list(found)
        if found and min(c[3] for c in found) < threshold:
            found = _in_context(text, found, contexts, threshold, exact=False)
        return _resolve(found, ranks) if len(found) > 1 else found

    parts: dict[str, tuple[Callable[[Any], object], list[Any]]] = {
        "mask_text (all)": (masker.mask_text, texts),
        "scan (all)": (lambda t: scanner._scan(t, exact=False), texts),  # noqa: SLF001
        "fold": (fold, texts),
        "fold and second reading": (lambda t: _second_reading(t, fold(t)), texts),
        "identifiers and travel documents, shared search": (shared, folded),
        "the same, one pass per pattern (plain twin)": (
            lambda t: [run(t) for run in separate],
            folded,
        ),
    }
    for name, run in zip(names, rest, strict=True):
        parts[name] = (run, folded)
    parts["context scores and overlaps"] = (
        score_and_resolve,
        list(zip(folded, candidates, strict=True)),
    )
    parts["masker: key=value fields"] = (
        lambda t: ("=" in t or ":" in t) and masker._pairs(t),  # noqa: SLF001
        texts,
    )
    return parts


def _table(name: str, texts: list[str]) -> None:
    parts = _parts(Masker(), texts)
    times: dict[str, list[float]] = {part: [] for part in parts}
    for _ in range(ROUNDS):
        for part, (run, items) in parts.items():
            times[part].append(_cpu(run, items))
    print(f"\n### {name}: {len(texts):,} samples, {ROUNDS} rounds, CPU seconds\n")
    print("| part | median | min | max |")
    print("|---|---|---|---|")
    for part, seconds in times.items():
        print(
            f"| {part} | {statistics.median(seconds):.3f} | {min(seconds):.3f} "
            f"| {max(seconds):.3f} |"
        )
    ratio = statistics.median(
        fast / plain
        for fast, plain in zip(
            times["identifiers and travel documents, shared search"],
            times["the same, one pass per pattern (plain twin)"],
            strict=True,
        )
    )
    print(f"\n- shared search / plain twin, per round: median {ratio:.2f}")


def main() -> None:
    """Time each part on both corpora."""
    print(f"- load average at start: {os.getloadavg()[0]:.1f}")
    _table("English log lines", [text for text, _ in english(N)])
    _table("Chinese sentences", [text for text, _ in chinese(N)])
    print(f"- load average at end: {os.getloadavg()[0]:.1f}")
