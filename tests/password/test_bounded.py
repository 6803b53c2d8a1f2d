"""The score's branch and bound against its plain twin, the full cover of every match."""

from __future__ import annotations

import math
import random
import string
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import InvalidArgumentError
from secpolicy.password import PasswordContext, profiles
from secpolicy.password import _bounded as b
from secpolicy.password import _policy as policy_module
from secpolicy.password import _strength as s
from secpolicy.password._rules import COMMON_PASSWORDS, Blocklist
from secpolicy.password._wordscan import WordScanner
from tests.password.test_floor import readings

WORDS = s._dictionary_for(COMMON_PASSWORDS)
USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "Zhang San", "birth_date": date(1990, 3, 7)},
)
#: Alphabets that make every reading busy: l33t keys, words, digits, separators.
TEXTS = st.one_of(
    st.text(alphabet=st.sampled_from("abcdeilnoprstw013457@$!|+ ASPW"), max_size=40),
    st.text(alphabet=st.sampled_from("1lI!|0o@a4$s5"), max_size=64),
    st.text(alphabet=st.sampled_from("aA1!x-. "), max_size=64),
    st.text(alphabet=st.sampled_from("1lia@pswordjnfebmr2024-. !"), max_size=40),
    st.text(max_size=30),
)
ADVERSARIAL = [
    "1" * 64,
    "x" * 64,
    "a1" * 32,
    "ab" * 32,
    "aA" * 32,
    "!" * 64,
    "123" * 21,
    "Pass-word" * 7,
    "janfeb" * 10,
    "2024-01-" * 8,
    "correcthorse" * 5,
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/" + "1qaz2wsx3edc4rfv5tgb",
    "qwertyuiopasdfghjklzxcvbnm" * 2,
    "P@ssw0rd" * 8,
    ("4@8({[</369&#!1/|0$5+7%2/" * 3)[:64],
]


def plain_total(text: str, personal: frozenset[str] = frozenset()) -> float:
    """The plain twin: the cheapest cover of every match the estimator builds."""
    return s._cover(len(text), s._matches(text, WORDS, set(personal), 2026))[0]


def bounded_total(text: str, personal: frozenset[str] = frozenset()) -> float:
    """The branch and bound's minimum, with no early stop."""
    return b.Search(WORDS, set(personal), 2026).total(text)


class TestSearch:
    @settings(max_examples=400, deadline=None)
    @given(TEXTS)
    def test_minimum_is_the_plain_minimum(self, text: str) -> None:
        """The bounded search finds exactly the plain cover's cost, to the last bit."""
        assert bounded_total(text) == plain_total(text)

    @settings(max_examples=150, deadline=None)
    @given(st.text(alphabet=st.sampled_from("zhangsan1990037ZS.!"), max_size=32))
    def test_minimum_with_user_data(self, text: str) -> None:
        """With the user's own tokens, the minimum still equals the plain one."""
        tokens = frozenset().union(*USER.user_token_sets().values())
        assert bounded_total(text, tokens) == plain_total(text, tokens)

    @pytest.mark.parametrize("text", ADVERSARIAL)
    def test_adversarial_inputs(self, text: str) -> None:
        """The worst-case inputs' minimum equals the plain one."""
        assert bounded_total(text) == plain_total(text)

    @settings(max_examples=100, deadline=None)
    @given(TEXTS, st.floats(min_value=0, max_value=30))
    def test_a_bound_is_exact_below_and_never_undercuts_above(
        self, text: str, bound: float
    ) -> None:
        """Under a bound the answer is exact when the minimum is within it, above it otherwise."""
        got = b.Search(WORDS, set(), 2026).total(text, bound=bound)
        want = plain_total(text)
        if want <= bound:
            assert got == want
        else:
            assert got > bound

    def test_prices_are_not_kept_between_estimates(self) -> None:
        """The memo of piece prices belongs to one search: no password piece outlives it."""
        search = b.Search(WORDS, set(), 2026)
        search.total("Summer2024!Summer")
        assert b.Search(WORDS, set(), 2026)._memo == {}

    def test_cover_total_is_the_plain_covers_cost(self) -> None:
        """The walk-back-free cover returns the plain cover's first value."""
        for text in ADVERSARIAL:
            matches = s._matches(text, WORDS, set(), 2026)
            assert b.cover_total(len(text), matches) == s._cover(len(text), matches)[0]


class TestShortcuts:
    def test_a_cheap_whole_repeat_ends_the_search(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """``1`` x 64 is a repeat cheaper than the first score bound: only its units are read."""
        real = b._anchored_dictionary

        def unreachable(text: str, folded: str, words: s._Dictionary) -> list[s._Match]:
            if len(text) > s._MAX_BLOCK:
                raise AssertionError("the dictionary was read")
            return real(text, folded, words)  # the unit's own price

        monkeypatch.setattr(b, "merged_dictionary", unreachable)
        monkeypatch.setattr(b, "_anchored_dictionary", unreachable)
        assert s.score("1" * 64) == 0
        assert s.score("!" * 72) == 0

    def test_a_cheap_cover_reads_the_dictionary_only_at_the_ends(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Under ``_MIN_SUBMATCH + 2 * _EDGE`` only the anchored reading runs."""

        def unreachable(*args: object) -> list[object]:
            raise AssertionError("the whole dictionary was read")

        monkeypatch.setattr(b, "merged_dictionary", unreachable)
        for text in ("aA" * 32, "a1" * 32, "123" * 21):
            assert b.Search(WORDS, set(), 2026).total(text) < b._ANCHORED_BELOW
        monkeypatch.undo()
        for text in ("aA" * 32, "a1" * 32, "123" * 21):
            assert bounded_total(text) == plain_total(text)

    def test_a_cheap_whole_word_ends_the_search(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A top entry typed whole scores 0 without reading the dictionary or any matcher."""

        def unreachable(*args: object) -> list[object]:
            raise AssertionError("a matcher ran")

        for name in ("merged_dictionary", "_anchored_dictionary", "_sequence_matches"):
            monkeypatch.setattr(b, name, unreachable)
        for text in ("password", "Password", "iloveyou", "123456"):
            assert s.score(text) == 0
        monkeypatch.undo()
        for text in ("password", "Password", "iloveyou", "123456"):
            assert s.score(text) == s._plain_score(text) == 0

    @settings(max_examples=300, deadline=None)
    @given(
        st.sampled_from(
            sorted(COMMON_PASSWORDS.ranks, key=COMMON_PASSWORDS.ranks.__getitem__)[:3000]
        ),
        st.lists(st.booleans(), max_size=12),
    )
    def test_whole_words_score_as_the_plain_score(self, word: str, upper: list[bool]) -> None:
        """Common entries in any capitals (cheap whole words or not) score as the plain twin."""
        text = "".join(
            c.upper() if flip else c
            for c, flip in zip(word, upper + [False] * len(word), strict=False)
        )
        assert s.score(text) == s._plain_score(text)
        assert s.score(text, cap=3) == s._plain_score(text, cap=3)

    @settings(max_examples=300, deadline=None)
    @given(TEXTS)
    def test_anchored_reading_is_the_full_reading_at_the_ends(self, text: str) -> None:
        """Every dictionary match within two keys of an end, the same in both readings."""
        folded = s._fold(text)
        n = len(text)

        def near_an_end(m: s._Match) -> bool:
            return m.start <= 2 or m.end >= n - 2

        def cheapest(matches: list[s._Match]) -> dict[tuple[int, int], float]:
            found: dict[tuple[int, int], float] = {}
            for m in matches:
                found[m.start, m.end] = min(m.log10, found.get((m.start, m.end), math.inf))
            return found

        full = [m for m in s._dictionary_matches(text, folded, WORDS) if near_an_end(m)]
        anchored = b._anchored_dictionary(text, folded, WORDS)
        assert cheapest(anchored) == cheapest(full)

    @settings(max_examples=400, deadline=None)
    @given(TEXTS)
    def test_merged_walk_finds_every_reading(self, text: str) -> None:
        """One walk per reading over the merged table finds the plain walks' matches exactly."""
        folded = s._fold(text)

        def key(matches: list[s._Match]) -> list[tuple[int, int, float, int]]:
            return sorted((m.start, m.end, m.log10, m.rank) for m in matches)

        assert key(b.merged_dictionary(text, folded, WORDS)) == key(
            s._dictionary_matches(text, folded, WORDS)
        )

    def test_merged_table_holds_every_table(self) -> None:
        """Each piece of each table is in the merged one with its rank in its field."""
        merged = WORDS.merged()
        for shift, table in ((0, WORDS.table), (20, WORDS.leet), (40, WORDS.rotations())):
            for word, rank in table.items():
                assert merged[word] >> shift & b._RANK == rank

    @pytest.mark.parametrize("text", ["1" * 64, "!" * 64, "p@ss1!" * 10, "11pass11" * 8])
    def test_dominated_decorations_never_win(self, text: str) -> None:
        """A decorated word no cheaper than a word on the same span never changes the cover.

        The decoration comes after the dictionary in the match list and the
        cover takes a later match only when strictly cheaper, so it can be
        left out; ``1`` x 64 has hundreds of them.
        """
        folded = s._fold(text)
        dictionary = s._dictionary_matches(text, folded, WORDS)
        spans: dict[tuple[int, int], float] = {}
        for m in dictionary:
            spans[m.start, m.end] = min(m.log10, spans.get((m.start, m.end), math.inf))
        decorated = s._decorated(text, dictionary)
        alive = [m for m in decorated if spans.get((m.start, m.end), math.inf) > m.log10]
        assert len(alive) < len(decorated)
        rest = [m for m in s._matches(text, WORDS, set(), 2026) if "decoration" not in m.notes]
        n = len(text)
        assert (
            s._cover(n, [*dictionary, *alive, *rest])[0]
            == s._cover(n, [*dictionary, *decorated, *rest])[0]
        )


class TestScore:
    @settings(max_examples=300, deadline=None)
    @given(TEXTS)
    def test_score_is_the_plain_score(self, text: str) -> None:
        """score() (branch and bound) equals its plain twin and estimate()'s score."""
        assert s.score(text) == s._plain_score(text)
        assert s.score(text, USER) == s._plain_score(text, USER)
        if text and unicodedata.is_normalized("NFKC", text):
            assert s.score(text) == s.estimate(text).score

    def test_bundled_list_and_benchmark_like_corpus(self) -> None:
        """A seeded sample of the bundled list and decorated words score as the plain twin does."""
        rng = random.Random(20261202)
        entries = sorted(COMMON_PASSWORDS.ranks)
        sample = rng.sample(entries, 1500)
        sample += [w for w in entries if len(w) >= 15][:300]
        for word in rng.sample(entries, 300):
            sample.append(word.capitalize() + rng.choice(["", "1", "123", "!", "2024"]))
            sample.append("".join(rng.choice(string.printable[:94]) for _ in range(16)))
        for text in sample:
            assert s.score(text) == s._plain_score(text), text

    @settings(max_examples=60, deadline=None)
    @given(TEXTS)
    def test_every_profile_gives_the_plain_verdict(self, text: str) -> None:
        """Each profile's violations are the same with the bounded score and with its twin."""
        names = profiles.__all__
        fast = [getattr(profiles, name).check(text, context=USER).violations for name in names]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(policy_module, "score", s._plain_score)
            plain = [getattr(profiles, name).check(text, context=USER).violations for name in names]
        assert fast == plain


#: Every l33t key with several readings, with letters and digits they stand for.
LEET_HEAVY = st.text(alphabet=st.sampled_from("1lI!|aeo0@$5"), max_size=72)


def _mixed_leet(seed: int, length: int) -> str:
    """A seeded string of the keys with the most readings, mixed at random."""
    rng = random.Random(seed)
    return "".join(rng.choice("1lI!|") for _ in range(length))


WORST_CASES = [_mixed_leet(seed, length) for seed in range(4) for length in (64, 72)]


class TestRepeatsAtTheirLeast:
    @settings(max_examples=200, deadline=None)
    @given(LEET_HEAVY)
    def test_leet_heavy_score_is_the_plain_score(self, text: str) -> None:
        """On l33t keys with many readings, score() equals its plain twin."""
        assert s.score(text) == s._plain_score(text)

    @settings(max_examples=100, deadline=None)
    @given(LEET_HEAVY, st.floats(min_value=0, max_value=30))
    def test_leet_heavy_bound_is_exact_below_and_above_otherwise(
        self, text: str, bound: float
    ) -> None:
        """Under a bound the l33t-heavy minimum is exact within it and above it beyond."""
        got = b.Search(WORDS, set(), 2026).total(text, bound=bound)
        want = plain_total(text)
        if want <= bound:
            assert got == want
        else:
            assert got > bound

    @settings(max_examples=100, deadline=None)
    @given(st.one_of(TEXTS, LEET_HEAVY))
    def test_optimistic_repeats_never_exceed_the_minimum(self, text: str) -> None:
        """Repeats priced at 0.0 with every other match give a cover at most the true minimum."""
        folded = s._fold(text)
        matches = [m for m in s._matches(text, WORDS, set(), 2026) if m.kind != "repeat"]
        matches += s._repeat_matches(text, folded, WORDS, set(), 2026)
        optimistic = b._optimistic
        matches += s._echo_matches(text, folded, WORDS, set(), 2026, price=optimistic)
        matches += s._mirror_matches(text, folded, WORDS, set(), 2026, price=optimistic)
        matches += s._doubled_matches(text, folded, WORDS, set(), 2026, price=optimistic)
        matches += s._counter_matches(text, folded, WORDS, set(), 2026, price=optimistic)
        assert b.cover_total(len(text), matches) <= plain_total(text)

    @pytest.mark.parametrize("text", WORST_CASES)
    def test_worst_case_inputs_keep_the_plain_verdict(self, text: str) -> None:
        """The slowest known inputs score and are judged as with the plain twin."""
        assert s.score(text) == s._plain_score(text)
        names = profiles.__all__
        fast = [getattr(profiles, name).check(text).violations for name in names]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(policy_module, "score", s._plain_score)
            plain = [getattr(profiles, name).check(text).violations for name in names]
        assert fast == plain

    def test_repeats_beyond_the_last_bound_are_not_priced(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """When repeats at their least cannot bring a cover under 10, no echo piece is priced."""
        priced: list[str] = []
        original = b.Search._priced

        def spy(self: b.Search, piece: str) -> tuple[float, list[s._Match | None]]:
            priced.append(piece)
            return original(self, piece)

        monkeypatch.setattr(b.Search, "_priced", spy)
        text = WORST_CASES[0]
        assert plain_total(text) > s._SCORE_BOUNDS[-1]
        assert b.Search(WORDS, set(), 2026).total(text, bound=s._SCORE_BOUNDS[-1]) > 10
        assert priced == []
        assert s.score(text) == 4


#: Texts for the automaton against the walk: l33t keys, CJK, repeats, mixed case.
SCANNED = st.one_of(
    TEXTS,
    st.text(alphabet=st.sampled_from("密码你好爱我abcPASSword1@"), max_size=40),
    st.builds(
        lambda unit, times: (unit * times)[:64],
        st.text(alphabet=st.sampled_from("pPaAsS$5w0oOrRdD1lI!|@4"), min_size=1, max_size=9),
        st.integers(min_value=1, max_value=20),
    ),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=24),
)
SCANNED_FIXED = [
    *ADVERSARIAL,
    "",
    "ab",
    "abc",
    "PaSsWoRd",
    "密码password密码",
    "\U0001f600password\U0001f600",  # a key outside the BMP before the word
    "\ud800password",  # a lone surrogate
    "pass\x00word",
    "iloveyou" * 8,
    ("1lI!|" * 13)[:64],
    "drowssap",
    "asswordp",
]


#: Words for dictionaries built in a test: ranks up to the rotations' cut-off.
_FEW_WORDS = {"password": 1, "dragon": 2, "letmein": 3, "sesame": 4, "bites": 40, "stole": 5000}


class TestWordScanner:
    """The automaton (C) against its plain twin, the walk over the merged table."""

    def test_a_word_length_the_values_cannot_hold_is_refused(self) -> None:
        """A maximum word length past the packed values' length field is a typed error."""
        with pytest.raises(InvalidArgumentError, match="length field") as raised:
            WordScanner({"password": 1}, 64)
        assert raised.value.argument == "max_len"

    @settings(max_examples=500, deadline=None)
    @given(SCANNED)
    def test_scan_is_the_walk(self, text: str) -> None:
        """For each reading, the automaton finds the walk's words, ranks and order exactly."""
        scan, table, max_len = WORDS.scanner(), WORDS.merged(), WORDS.max_len
        for source in readings(text):
            assert scan(source) == b._merged_walk(source, len(source), table, max_len)

    @settings(max_examples=500, deadline=None)
    @given(SCANNED)
    def test_matches_are_the_walks(self, text: str) -> None:
        """The dictionary matches from the automaton equal the walk's, notes and order too."""
        folded = s._fold(text)
        assert b.merged_dictionary(text, folded, WORDS) == b.walked_dictionary(text, folded, WORDS)

    @pytest.mark.parametrize("text", SCANNED_FIXED)
    def test_fixed_inputs(self, text: str) -> None:
        """Worst cases, short texts, CJK, keys outside the BMP, surrogates and NUL agree."""
        folded = s._fold(text)
        assert b.merged_dictionary(text, folded, WORDS) == b.walked_dictionary(text, folded, WORDS)
        key = sorted(
            (m.start, m.end, m.log10, m.rank) for m in b.merged_dictionary(text, folded, WORDS)
        )
        assert key == sorted(
            (m.start, m.end, m.log10, m.rank) for m in s._dictionary_matches(text, folded, WORDS)
        )

    def test_positions_are_code_points(self) -> None:
        """A key outside the BMP counts as one position, as in Python."""
        text = "\U0001f600password"
        spans = {(m.start, m.end) for m in b.merged_dictionary(text, text, WORDS) if m.rank}
        assert (1, 9) in spans

    @settings(max_examples=100, deadline=None)
    @given(
        st.lists(st.text(alphabet="abcdeilost01@$", min_size=1, max_size=12), max_size=30),
        st.text(alphabet="abcdeilost01@$ABC", max_size=30),
    )
    def test_any_blocklist(self, entries: list[str], text: str) -> None:
        """A dictionary built from any list (and a few words) scans as it walks."""
        words = s._Dictionary(Blocklist(entries).ranks, _FEW_WORDS)
        folded = s._fold(text)
        assert b.merged_dictionary(text, folded, words) == b.walked_dictionary(text, folded, words)

    def test_threads_share_one_automaton(self) -> None:
        """Four threads reading at once through one automaton each get the walk's matches."""
        rng = random.Random(20261202)
        texts = ["".join(rng.choice("pass@w0rd1lI!|") for _ in range(40)) for _ in range(200)]
        want = [b.walked_dictionary(t, s._fold(t), WORDS) for t in texts]
        barrier = threading.Barrier(4)

        def read(_: int) -> list[list[s._Match]]:
            barrier.wait()
            return [b.merged_dictionary(t, s._fold(t), WORDS) for t in texts]

        with ThreadPoolExecutor(max_workers=4) as pool:
            assert all(got == want for got in pool.map(read, range(4)))

    def test_an_empty_dictionary_finds_nothing(self) -> None:
        """A dictionary without words has an automaton that reports nothing."""
        empty = s._Dictionary()
        assert empty.scanner()("password") == []
        assert b.merged_dictionary("password", "password", empty) == []

    def test_the_merged_table_is_not_kept_for_the_automaton(self) -> None:
        """Building the automaton does not keep the merged table alive (memory)."""
        words = s._Dictionary({"password": 1, "dragon": 2})
        words.scanner()
        assert words._merged is None
