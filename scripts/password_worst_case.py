"""Find the slowest ``check()`` inputs per bundled password profile.

Not a test: a seeded search over the inputs known to be costly (l33t
alphabets, separator runs, repeated blocks) at each profile's ``max_length``,
each timed as the median of repeated runs in CPU time (``time.process_time``:
on a shared machine, wall time also counts the waits for a core).

    .venv/bin/python scripts/password_worst_case.py [--tries N] [--repeats N] [--shorter]
"""

from __future__ import annotations

import argparse
import random
import statistics
import string
import time

from secpolicy.password import profiles

ALPHABETS = ("1lI!|", "a1", "@4a", "0oO", "1lI!|0oO", "$5s", "3eE", string.digits + "-./ _")
SEED = 20261202


#: Shorter lengths searched too: a shorter text needs fewer cheap pieces to
#: come under a score bound, so the estimate's shortcuts settle it less often.
SHORTER = (16, 24, 32, 48)


def candidates(length: int, tries: int, *, shorter: bool = False) -> list[str]:
    """Seeded random strings over small alphabets, plus fixed repeats.

    At *length* (and 64 and 72 under a longer maximum); with *shorter*, also
    at each of ``SHORTER``.
    """
    rng = random.Random(SEED)  # noqa: S311 (seeded test inputs, not secrets)
    found = ["a1" * (length // 2), "1" * length, "P@ssw0rd" * (length // 8)]
    sizes = {length, 64, 72} if length >= 72 else {length}  # noqa: PLR2004
    if shorter:
        sizes |= {size for size in SHORTER if size < length}
    for alphabet in ALPHABETS:
        for size in sorted(sizes):
            found.extend("".join(rng.choice(alphabet) for _ in range(size)) for _ in range(tries))
    return found


def timed(check: object, text: str, repeats: int) -> float:
    """Median CPU seconds of ``check(text)`` over *repeats* runs."""
    runs = []
    for _ in range(repeats):
        start = time.process_time()
        check(text)  # type: ignore[operator]
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def main() -> None:
    """Print the three slowest inputs per profile."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--tries", type=int, default=8)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--shorter", action="store_true", help="also search lengths 16-48")
    args = parser.parse_args()
    for name in profiles.__all__:
        policy = getattr(profiles, name)
        texts = candidates(policy.max_length, args.tries, shorter=args.shorter)
        screened = sorted(texts, key=lambda t: timed(policy.check, t, 1), reverse=True)[:12]
        worst = sorted(((timed(policy.check, t, args.repeats), t) for t in screened), reverse=True)[
            :3
        ]
        for seconds, text in worst:
            print(f"{name:18} {seconds * 1e3:6.2f} ms  len={len(text):3}  {text!r}")


if __name__ == "__main__":
    main()
