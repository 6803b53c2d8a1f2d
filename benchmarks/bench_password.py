"""Password checks against zxcvbn and Django's default validators, in one run.

Goals (issue: passwords and keys):
- ``check()`` with each profile (estimator on, no network) has a mean at most
  1/50 of zxcvbn's mean on a corpus of at least 1,000 realistic passwords,
  and a worst case under 2 ms for any input;
- each profile rejects at least 99 % of the corpus passwords that zxcvbn
  scores 0 or 1 and of Django's common passwords of 8+ characters, and at
  most 0.1 % of random four-word passphrases and random 16-20 character
  passwords as guessable;
- offline breach lookup: median under 50 µs on a generated file of 10 million
  hashes, resident memory independent of the file size.

The corpus is built here, seeded, from sources other than secpolicy's own
list where possible: Django's bundled common-password list (a different
compilation, deeper ranks), words from zxcvbn's English list with the usual
decorations, pinyin names with birthdays, passphrases and random strings.
"""

from __future__ import annotations

import gzip
import os
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks._runner import check_goal, compare, format_ns
from secpolicy.password import OfflineBreachChecker, estimate, profiles, sha1_hex

if TYPE_CHECKING:
    from collections.abc import Callable

DATA = Path(__file__).parent / "_data"
SEED = 20261122
BREACH_LINES = 10_000_000
ADVERSARIAL = [
    ("4@8({[</369&#!1/|0$5+7%2/" * 3)[:72],  # zxcvbn's l33t table: seconds there
    "P@ssw0rd" * 9,
    "p@$$w0rd" * 9,
    "1!2@3#4$5%" * 7,
    "a" * 72,
    "1" * 72,  # every window a common password, in three readings
    "x" * 64,  # a uniform letter run: a repeat of every block length
    "a1" * 64,  # separators between letters, a repeat at every even block
    "Pass-word" * 14,  # a separated word repeated to the length cap
    "janfeb" * 12,  # calendar names
    "2024-01-" * 9,  # a date composition
    "correcthorse" * 6,  # a published phrase's prefix
    "1qaz" * 18,
    "a" * 4096,
    "P@ssw0rd" * 512,
    "4@8({[</369&#!1/|0$5+7%2/" * 164,
    "19900307" * 512,
    "".join(random.Random(1).choice(string.printable[:94]) for _ in range(4096)),
    "密码" * 2048,
]


def _django_common() -> list[str]:
    import django

    path = Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz"
    return gzip.decompress(path.read_bytes()).decode().split()


def corpus() -> list[str]:
    """About 1,200 realistic passwords, seeded."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    rng = random.Random(SEED)
    common = _django_common()
    words = FREQUENCY_LISTS["english_wikipedia"][1000:12000]
    names = ["zhang", "wang", "li", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou"]
    given = ["wei", "fang", "min", "jing", "lei", "yan", "tao", "ming", "hua", "jun", "xin"]
    found = rng.sample(common[2000:], 500)
    for _ in range(250):
        word = rng.choice(words)
        decorated = rng.choice([word, word.capitalize(), word.replace("a", "@").replace("o", "0")])
        found.append(decorated + rng.choice(["", "1", "123", "!", "2024", str(rng.randint(0, 99))]))
    for _ in range(120):
        year = rng.randint(1960, 2010)
        birthday = f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        found.append(rng.choice(names) + rng.choice(given) + rng.choice([str(year), birthday]))
    for _ in range(150):
        sep = rng.choice([" ", "-", "", "."])
        found.append(sep.join(rng.choice(words) for _ in range(rng.randint(3, 5))))
    for _ in range(180):
        alphabet = string.ascii_letters + string.digits + "!@#$%^&*"
        found.append("".join(rng.choice(alphabet) for _ in range(rng.randint(8, 20))))
    return found


def _django_validators() -> Any:
    from django.conf import settings

    if not settings.configured:
        settings.configure(USE_I18N=False)
    import django

    django.setup()
    from django.contrib.auth import password_validation as pv
    from django.core.exceptions import ValidationError

    validators = [
        pv.UserAttributeSimilarityValidator(),
        pv.MinimumLengthValidator(),
        pv.CommonPasswordValidator(),
        pv.NumericPasswordValidator(),
    ]

    def check(password: str) -> bool:
        ok = True
        for validator in validators:
            try:
                validator.validate(password)
            except ValidationError:
                ok = False
        return ok

    return check


def _worst_case(fn: Any, inputs: list[str], repeat: int = 5) -> tuple[float, str]:
    worst, label = 0.0, ""
    for text in inputs:
        times = []
        for _ in range(repeat):
            start = time.perf_counter_ns()
            fn(text)
            times.append(time.perf_counter_ns() - start)
        median = statistics.median(times)
        if median > worst:
            worst, label = median, f"{text[:12]!r}… ({len(text)} chars)"
    return worst, label


PROFILES = ("NIST_800_63B", "NIST_800_63B_MFA", "OWASP_ASVS_5", "PCI_DSS_4", "CN_MLPS_L3")
# The rules about guessability; composition rules (PCI's letters and digits,
# CN's three classes) refuse passphrases by design and are counted apart.
GUESSABILITY = {
    "blocklisted",
    "too_weak",
    "repeated_characters",
    "sequence",
    "keyboard_walk",
    "date",
    "phone_number",
    "similar_to_user_data",
}


def passphrases(count: int) -> list[str]:
    """Random four-word passphrases from zxcvbn's English list (ranks 500-10,500), seeded."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    words = [w for w in FREQUENCY_LISTS["english_wikipedia"][500:10500] if len(w) >= 3]
    rng = random.Random(SEED + 1)
    return [rng.choice(" -.").join(rng.choice(words) for _ in range(4)) for _ in range(count)]


def random_passwords(count: int) -> list[str]:
    """Random 16-20 character passwords over printable ASCII, seeded."""
    rng = random.Random(SEED + 2)
    alphabet = string.ascii_letters + string.digits + string.punctuation
    return ["".join(rng.choice(alphabet) for _ in range(rng.randint(16, 20))) for _ in range(count)]


def bench_checks() -> None:
    """check() in every profile and estimate() against zxcvbn and Django on the corpus."""
    import zxcvbn

    passwords = corpus()
    django_check = _django_validators()
    policies = {name: getattr(profiles, name) for name in PROFILES}
    print(f"corpus: {len(passwords)} passwords; adversarial: {len(ADVERSARIAL)} inputs")

    def over_corpus(fn: Callable[[str], object]) -> Callable[[], None]:
        """One call runs *fn* on every corpus password (a batch of len(passwords))."""

        def run() -> None:
            for password in passwords:
                fn(password)

        return run

    theirs_zxcvbn, theirs_django = over_corpus(zxcvbn.zxcvbn), over_corpus(django_check)
    items = len(passwords)
    for name, policy in policies.items():
        policy.check("warm up the lists")
        others = {"zxcvbn": theirs_zxcvbn}
        if name == "NIST_800_63B":
            others["django validators"] = theirs_django
        result = compare(
            f"check() with {name} (estimator on) vs zxcvbn (mean per password)",
            over_corpus(policy.check),
            others,
            number=3,
            repeat=3,
            number_theirs=1,
            items=items,
        )
        ratio = result.ratio("zxcvbn")
        check_goal(
            f"{name}: check() mean at most 1/50 of zxcvbn's",
            met=ratio >= 50,
            detail=f"zxcvbn {ratio:.1f}×",
        )
    compare(
        "estimate() vs zxcvbn (mean per password)",
        over_corpus(estimate),
        {"zxcvbn": theirs_zxcvbn},
        number=1,
        repeat=3,
        number_theirs=1,
        items=items,
    )

    inputs = passwords + ADVERSARIAL + ["\ufdfa" * 256, "\ufdfa" * 1_000_000]
    worst_case_cpu(ADVERSARIAL + hard_inputs())
    for name, policy in policies.items():
        worst, label = _worst_case(policy.check, inputs)
        check_goal(
            f"{name}: check() worst case under 2 ms for any input",
            met=worst < 2e6,
            detail=f"worst {format_ns(worst)} on {label}",
        )
    wide = profiles.NIST_800_63B.__class__(min_length=15, max_length=4096)
    worst_wide, label_wide = _worst_case(wide.check, inputs[:-1])
    print(
        f"- check() with max_length=4096 and no estimator (every other rule runs on every "
        f"input): worst {format_ns(worst_wide)} on {label_wide}"
    )
    worst_est, label_est = _worst_case(estimate, inputs[:-1], repeat=3)
    print(f"- estimate() worst {format_ns(worst_est)} on {label_est}")
    short = [t for t in ADVERSARIAL if len(t) <= 72]
    worst_z, label_z = _worst_case(zxcvbn.zxcvbn, short, repeat=1)
    print(f"- zxcvbn worst {format_ns(worst_z)} on {label_z} (it refuses inputs over 72)")
    linear = [estimate_time(n) for n in (512, 4096)]
    print(
        f"- estimate() on 'P@ss' repeated: 512 chars {format_ns(linear[0])}, 4,096 chars "
        f"{format_ns(linear[1])} (ratio {linear[1] / linear[0]:.1f} for 8× the length)"
    )

    weak = [p for p in passwords if zxcvbn.zxcvbn(p[:72])["score"] <= 1]
    django8 = [p for p in _django_common() if len(p) >= 8]
    phrases = passphrases(3000)
    randoms = random_passwords(3000)
    print(
        f"\n| profile | zxcvbn score 0-1 refused (of {len(weak)}) | Django list 8+ refused "
        f"(of {len(django8)}) | passphrases refused as guessable (of {len(phrases)}) | "
        f"random 16-20 refused as guessable (of {len(randoms)}) | passphrases refused "
        "by any rule |\n|---|---|---|---|---|---|"
    )
    for name, policy in policies.items():
        weak_share = sum(not policy.check(p).ok for p in weak) / len(weak)
        django_share = sum(not policy.check(p).ok for p in django8) / len(django8)
        guessable = sum(bool(GUESSABILITY & set(policy.check(p).codes)) for p in phrases)
        any_rule = sum(not policy.check(p).ok for p in phrases)
        random_refused = sum(bool(GUESSABILITY & set(policy.check(p).codes)) for p in randoms)
        print(
            f"| {name} | {weak_share:.1%} | {django_share:.1%} | "
            f"{guessable / len(phrases):.2%} | {random_refused / len(randoms):.2%} | "
            f"{any_rule / len(phrases):.1%} |"
        )
        met = (
            weak_share >= 0.99
            and django_share >= 0.99
            and guessable <= len(phrases) // 1000
            and random_refused <= len(randoms) // 1000
        )
        check_goal(
            f"{name}: refuses >= 99 % of weak and Django-listed passwords, "
            "<= 0.1 % of passphrases and random passwords",
            met=met,
            detail=f"{weak_share:.1%} / {django_share:.1%} / {guessable} / {random_refused}",
        )
    agree = sum(estimate(p).score == zxcvbn.zxcvbn(p[:72])["score"] for p in passwords)
    close = sum(abs(estimate(p).score - zxcvbn.zxcvbn(p[:72])["score"]) <= 1 for p in passwords)
    print(
        f"- estimate() score equals zxcvbn's on {agree / len(passwords):.0%} of the corpus, "
        f"within one on {close / len(passwords):.0%}"
    )


def bench_score_twin() -> None:
    """The score's branch and bound against its plain twin on every bundled entry and corpus."""
    from secpolicy.password._bounded import Search
    from secpolicy.password._rules import COMMON_PASSWORDS
    from secpolicy.password._strength import _cover, _dictionary_for, _matches, score

    words = _dictionary_for(COMMON_PASSWORDS)
    texts = sorted(COMMON_PASSWORDS.ranks)
    texts += corpus() + passphrases(3000) + random_passwords(3000) + _django_common()
    texts += [t[:64] for t in ADVERSARIAL]
    differ = 0
    for text in texts:
        plain = _cover(len(text), _matches(text, words, set(), 2026))[0]
        if Search(words, set(), 2026).total(text) != plain or score(text) != sum(
            plain >= bound for bound in (3.0, 6.0, 8.0, 10.0)
        ):
            differ += 1
    check_goal(
        "score() (branch and bound) equals its plain twin on the bundled list and the corpora",
        met=differ == 0,
        detail=f"{differ} of {len(texts):,} differ",
    )


def bench_dictionary_read(rounds: int = 5) -> None:
    """check() with the automaton's dictionary reading against the walk and zxcvbn, in CPU time.

    Interleaved in one process (``time.process_time``, so waiting for a
    shared CPU is not counted): each round times zxcvbn, then each profile
    with the plain twin (``walked_dictionary``) swapped in and with the
    automaton (``merged_dictionary``), over the whole corpus. Medians and
    the spread over *rounds*; then each profile's worst case over the
    adversarial and hard inputs, best of 5, in both readings.
    """
    import zxcvbn

    from secpolicy.password import _bounded

    passwords = corpus()
    fast, plain = _bounded.merged_dictionary, _bounded.walked_dictionary
    policies = {name: getattr(profiles, name) for name in PROFILES}

    def per_password(fn: Callable[[str], object]) -> float:
        start = time.process_time()
        for password in passwords:
            fn(password)
        return (time.process_time() - start) / len(passwords)

    times: dict[str, list[float]] = {"zxcvbn": []}
    try:
        for policy in policies.values():
            for reading in (plain, fast):
                _bounded.merged_dictionary = reading
                policy.check("P@ssw0rd warm-up of the lists")
        for _ in range(rounds):
            times["zxcvbn"].append(per_password(zxcvbn.zxcvbn))
            for name, policy in policies.items():
                for label, reading in (("walk", plain), ("automaton", fast)):
                    _bounded.merged_dictionary = reading
                    times.setdefault(f"{name} {label}", []).append(per_password(policy.check))
        print(f"check() in CPU time, {rounds} interleaved rounds over {len(passwords)} passwords")
        print("| profile | walk | automaton | zxcvbn | zxcvbn / walk | zxcvbn / automaton |")
        print("|---|---|---|---|---|---|")
        zx = times["zxcvbn"]
        for name in policies:
            walk, auto = times[f"{name} walk"], times[f"{name} automaton"]
            before = [z / w for z, w in zip(zx, walk, strict=True)]
            after = [z / a for z, a in zip(zx, auto, strict=True)]
            print(
                f"| `{name}` | {statistics.median(walk) * 1e6:.0f} µs "
                f"| {statistics.median(auto) * 1e6:.0f} µs | {statistics.median(zx) * 1e3:.2f} ms "
                f"| {statistics.median(before):.1f}× ({min(before):.1f}-{max(before):.1f}) "
                f"| {statistics.median(after):.1f}× ({min(after):.1f}-{max(after):.1f}) |"
            )
        inputs = [t for t in ADVERSARIAL if len(t) <= 72] + hard_inputs()
        print("worst case, CPU per check, best of 5 (walk → automaton)")
        for name, policy in policies.items():
            worst: dict[str, tuple[float, str]] = {}
            for label, reading in (("walk", plain), ("automaton", fast)):
                _bounded.merged_dictionary = reading
                worst[label] = max(
                    (min(_cpu(policy.check, text) for _ in range(5)), f"{text[:12]!r}…")
                    for text in inputs
                )
            print(
                f"- `{name}`: {worst['walk'][0] * 1e3:.2f} ms ({worst['walk'][1]}) → "
                f"{worst['automaton'][0] * 1e3:.2f} ms ({worst['automaton'][1]})"
            )
    finally:
        _bounded.merged_dictionary = fast


def bench_mixed_readings(rounds: int = 5) -> None:
    """check() with the mixed readings of two-letter keys (``W1l1iam``) and without, CPU time.

    The walk that reads each ``1``, ``!`` and ``|`` as ``l`` or ``i`` apart is
    swapped out (``_mixed_matches`` returning nothing) and in, interleaved
    per round: over the corpus and ADVERSARIAL in every profile (median
    ratio and spread), then each profile's twelve slowest inputs of
    ``scripts/password_worst_case.py`` (best of 5 rounds of 3 calls each).
    """
    import importlib.util

    from secpolicy.password import _bounded, _strength

    real = _strength._mixed_matches  # noqa: SLF001 (the matcher measured)

    def use(matcher: Callable[..., list[Any]]) -> None:
        # Both modules' names: _bounded imports it from _strength.
        _strength._mixed_matches = matcher  # type: ignore[assignment]  # noqa: SLF001
        _bounded._mixed_matches = matcher  # type: ignore[assignment]  # noqa: SLF001

    def nothing(*_: object) -> list[Any]:
        return []

    policies = [getattr(profiles, name) for name in PROFILES]
    for policy in policies:
        policy.check("warm up 1l1!|")

    def per_check(texts: list[str]) -> float:
        start = time.process_time()
        for policy in policies:
            for text in texts:
                policy.check(text)
        return (time.process_time() - start) / (len(texts) * len(policies))

    try:
        for label, texts in (("corpus", corpus()), ("adversarial", ADVERSARIAL)):
            without, with_ = [], []
            for _ in range(rounds):
                use(nothing)
                without.append(per_check(texts))
                use(real)
                with_.append(per_check(texts))
            ratios = [b / a for a, b in zip(without, with_, strict=True)]
            print(
                f"{label}: {statistics.median(without) * 1e6:.0f} us -> "
                f"{statistics.median(with_) * 1e6:.0f} us a check, ratio "
                f"{statistics.median(ratios):.3f} ({min(ratios):.3f}-{max(ratios):.3f})"
            )
        spec = importlib.util.spec_from_file_location(
            "password_worst_case", Path(__file__).parent.parent / "scripts/password_worst_case.py"
        )
        assert spec is not None
        assert spec.loader is not None
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        for name, policy in zip(PROFILES, policies, strict=True):
            use(real)
            slowest = sorted(
                script.candidates(policy.max_length, 8),
                key=lambda text: _cpu(policy.check, text, calls=1),
            )[-12:]
            without, with_ = [], []
            for text in slowest:
                use(nothing)
                without.append(min(_cpu(policy.check, text, calls=3) for _ in range(5)))
                use(real)
                with_.append(min(_cpu(policy.check, text, calls=3) for _ in range(5)))
            print(
                f"{name}: slowest 12 {min(without) * 1e3:.2f}-{max(without) * 1e3:.2f} ms -> "
                f"{min(with_) * 1e3:.2f}-{max(with_) * 1e3:.2f} ms"
            )
    finally:
        use(real)


def worst_case_cpu(inputs: list[str]) -> None:
    """Each profile's worst check() in CPU time (``time.process_time``), best of 5 rounds."""
    for name in PROFILES:
        policy = getattr(profiles, name)
        worst, label = 0.0, ""
        for text in inputs:
            best = min(_cpu(policy.check, text) for _ in range(5))
            if best > worst:
                worst, label = best, f"{text[:12]!r}… ({len(text)} chars)"
        check_goal(
            f"{name}: check() worst case under 2 ms of CPU for any input",
            met=worst < 2e-3,
            detail=f"worst {worst * 1e3:.2f} ms on {label}",
        )


def _cpu(fn: Callable[[str], object], text: str, calls: int = 5) -> float:
    """CPU seconds per call of *fn* on *text*, over *calls* calls."""
    start = time.process_time()
    for _ in range(calls):
        fn(text)
    return (time.process_time() - start) / calls


def hard_inputs() -> list[str]:
    """Worst-case candidates beyond ADVERSARIAL: runs, walks and l33t-key noise, seeded."""
    rng = random.Random(SEED + 3)
    walks = [
        "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/" * 2,
        "qwertyuiopasdfghjklzxcvbnm" * 3,
        "zaq12wsxcde34rfvbgt56yhnmju78ik,.lo90p;/" * 2,
    ]
    found = ["x" * 64, "a1" * 64, "ab" * 36, "aA" * 36, "!" * 72, "123" * 24, "p@ss" * 18]
    found += [w[:72] for w in walks]
    for length in (64, 72):  # the longest most profiles take, and ASVS's longer cap
        found += [
            "".join(rng.choice(string.printable[:94]) for _ in range(length)) for _ in range(10)
        ]
        found += ["".join(rng.choice("1lI!|") for _ in range(length)) for _ in range(10)]
        found += ["".join(rng.choice("0o@a4$s5") for _ in range(length)) for _ in range(10)]
    return found


def estimate_time(length: int) -> float:
    """Median nanoseconds of estimate() on 'P@ss' repeated to *length*."""
    text = ("P@ss" * length)[:length]
    times = []
    for _ in range(5):
        start = time.perf_counter_ns()
        estimate(text)
        times.append(time.perf_counter_ns() - start)
    return statistics.median(times)


def breach_file(lines: int, present: list[str]) -> Path:
    """A sorted HASH:COUNT file of *lines* hashes including *present*, cached in _data."""
    DATA.mkdir(exist_ok=True)
    path = DATA / f"pwned-{lines}.txt"
    if path.exists():
        return path
    rng = random.Random(lines)
    hashes = {sha1_hex(p) for p in present}
    while len(hashes) < lines:
        hashes.update(f"{rng.getrandbits(160):040X}" for _ in range(lines - len(hashes)))
    ordered = sorted(hashes)
    partial = path.with_suffix(".partial")
    with partial.open("w", encoding="ascii") as out:
        for start in range(0, len(ordered), 100_000):
            out.write(
                "".join(f"{h}:{rng.randint(1, 9999)}\n" for h in ordered[start : start + 100_000])
            )
    partial.replace(path)
    return path


_CHILD = """
import random, resource, sys, time
from secpolicy.password import OfflineBreachChecker
path, lookups = sys.argv[1], sys.argv[2:]
def rss():
    fields = {}
    with open("/proc/self/status") as f:
        for line in f:
            name, _, value = line.partition(":")
            if name in ("RssAnon", "RssFile"):
                fields[name] = int(value.split()[0]) / 1024
    return fields["RssAnon"], fields["RssFile"]
anon0, file0 = rss()
with OfflineBreachChecker(path) as checker:
    for digest in lookups:
        checker.count_hash(digest)
    anon1, file1 = rss()
print(f"{anon1 - anon0:.1f} {file1 - file0:.1f}")
"""


def bench_breach() -> None:
    """Offline lookups on a 10-million-hash file; memory against a 1-million one."""
    rng = random.Random(SEED)
    present = [f"corpus-password-{i}" for i in range(5_000)]
    start = time.perf_counter()
    big = breach_file(BREACH_LINES, present)
    small = breach_file(BREACH_LINES // 10, present)
    print(
        f"breach files ready in {time.perf_counter() - start:.1f} s: "
        f"{big.stat().st_size / 2**20:.0f} MiB and {small.stat().st_size / 2**20:.0f} MiB"
    )
    queries = [sha1_hex(p) for p in rng.sample(present, 2_000)]
    queries += [f"{rng.getrandbits(160):040X}" for _ in range(2_000)]
    rng.shuffle(queries)
    with OfflineBreachChecker(big) as checker:
        assert all(checker.count_hash(sha1_hex(p)) > 0 for p in present[:100])
        times = []
        for digest in queries:
            t0 = time.perf_counter_ns()
            checker.count_hash(digest)
            times.append(time.perf_counter_ns() - t0)
        with_hash = []
        for password in present[:2_000]:
            t0 = time.perf_counter_ns()
            checker.count(password)
            with_hash.append(time.perf_counter_ns() - t0)
    median = statistics.median(times)
    print(
        f"- lookup on {BREACH_LINES:,} hashes: median {format_ns(median)}, "
        f"p99 {format_ns(sorted(times)[int(len(times) * 0.99)])}; "
        f"count(password) with NFKC and SHA-1: median {format_ns(statistics.median(with_hash))}"
    )
    check_goal("offline lookup median under 50 µs", met=median < 50_000, detail=format_ns(median))
    growth = {}
    for path in (small, big):
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(path), *queries],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        ).stdout.split()
        growth[path.name] = (float(out[0]), float(out[1]))
    print(
        "- resident memory added by opening the file and 4,000 lookups "
        "(private heap / file pages mapped from the page cache): "
        + ", ".join(f"{name}: {a:.1f} / {f:.1f} MiB" for name, (a, f) in growth.items())
    )
    (small_anon, _), (big_anon, _) = growth.values()
    check_goal(
        "private resident memory independent of the file size",
        met=big_anon <= small_anon + 1.0,
        detail=f"{small_anon:.1f} MiB on 1M hashes vs {big_anon:.1f} MiB on 10M",
    )


def main() -> None:
    """Run every part."""
    bench_checks()
    bench_score_twin()
    bench_breach()
