"""The floor under the cheapest cover, and the capped score check() asks for."""

from __future__ import annotations

import math
import random
from datetime import date

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from secpolicy.password import PasswordContext, profiles
from secpolicy.password import _bounded as b
from secpolicy.password import _composed as c
from secpolicy.password import _floor as f
from secpolicy.password import _policy as policy_module
from secpolicy.password import _strength as s
from secpolicy.password._names import name_matches
from secpolicy.password._progressions import progression_matches
from secpolicy.password._rules import (
    COMMON_PASSWORDS,
    COMMON_PASSWORDS_FILE,
    LEET,
    WORDS_FILE,
    Blocklist,
    bundled_words,
)

WORDS = s._dictionary_for(COMMON_PASSWORDS)
USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "Zhang San", "birth_date": date(1990, 3, 7)},
)
TOKENS = frozenset().union(*USER.user_token_sets().values())
#: The alphabets of the searched worst cases (``scripts/password_worst_case.py``),
#: and busier ones with words, separators, dates and the user's data.
ALPHABETS = ("1lI!|", "a1", "@4a", "0oO", "1lI!|0oO", "$5s", "3eE", "0123456789-./ _")
TEXTS = st.one_of(
    *(st.text(alphabet=st.sampled_from(a), min_size=20, max_size=72) for a in ALPHABETS),
    st.text(alphabet=st.sampled_from("abcdeilnoprstw013457@$!|+ ASPW-."), max_size=64),
    st.text(alphabet=st.sampled_from("1lia@pswordjnfebmr2024-. !"), max_size=64),
    st.text(alphabet=st.sampled_from("zhangsan1990037ZS.!"), max_size=48),
    st.text(alphabet=st.sampled_from("1qaz2wsx3edc4rfv-- _.!2024"), max_size=48),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(["密码", "пароль", "Пароль", "password", "2024", "2025", "!", "-"])
        ),
    ),
    st.builds(
        "".join,
        st.lists(
            st.sampled_from(["1qaz", "2wsx", "3edc", "qwer", "tyui", "147", "-", " ", "2024!"])
        ),
    ),
    st.text(max_size=40),
)


def seeded(alphabet: str, length: int, seed: int) -> str:
    """A seeded random string over *alphabet*, as the worst-case search draws them."""
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(length))


WORST = [seeded(a, length, seed) for a in ALPHABETS for length in (64, 72) for seed in range(2)]


def cheap(text: str, personal: frozenset[str] = frozenset()) -> list[s._Match]:
    """The cheap matchers' matches, as the bounded search gathers them first."""
    folded = s._fold(text)
    return [
        *s._sequence_matches(folded),
        *(s._Match(*piece, "sequence") for piece in progression_matches(folded)),
        *(s._Match(*piece, "dictionary") for piece in name_matches(text, folded)),
        *s._walk_matches(folded),
        *s._date_matches(text, 2026),
        *(s._Match(*piece) for piece in c.date_runs(text, 2026)),
        *s._user_matches(text, folded, personal),
    ]


def plain_total(text: str, personal: frozenset[str] = frozenset()) -> float:
    """The plain twin: the cheapest cover of every match the estimator builds."""
    return s._cover(len(text), s._matches(text, WORDS, set(personal), 2026))[0]


def floor(text: str, personal: frozenset[str] = frozenset(), above: float = -1.0) -> float:
    """:func:`_floor.floor_total` of *text*."""
    return f.floor_total(text, s._fold(text), WORDS, cheap(text, personal), 2026, above=above)


class TestFloor:
    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_never_above_the_plain_minimum(self, text: str) -> None:
        """The floor is at most the plain cover's cost (rounding aside)."""
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(
        st.lists(
            st.sampled_from(
                ["W1l1iam", "1nte11igence", "M1ll1on", "Ph1l1ip", "b1ll1ons", "!1l", "xQ7z", "99"]
            ),
            min_size=2,
            max_size=6,
        ).map("".join)
    )
    def test_never_above_the_plain_minimum_on_mixed_keys(self, text: str) -> None:
        """Words whose ``1`` read as ``i`` and as ``l`` (``W1l1iamM1ll1on``) lower the floor too."""
        assert floor(text) <= plain_total(text) + 1e-9

    def test_a_mixed_key_word_counts_in_the_floor(self) -> None:
        """``W1l1iamM1ll1on1nte11igence``: in no uniform reading, its words still count."""
        text = "W1l1iamM1ll1on1nte11igence"
        assert floor(text) <= plain_total(text) + 1e-9

    def test_a_mixed_key_word_keeps_the_capped_score(self) -> None:
        """The floor above 10 once settled this at score 4 where its minimum (9.99) scores 3."""
        text = "W1l1iamW1l1iam11nte11igence!"
        assert s.score(text, cap=4) == s._plain_score(text, cap=4) == 3

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_never_above_the_plain_minimum_with_user_data(self, text: str) -> None:
        """With the user's own tokens, the floor is still at most the plain minimum."""
        assert floor(text, TOKENS) <= plain_total(text, TOKENS) + 1e-9

    @pytest.mark.parametrize("text", WORST)
    def test_worst_cases_floor_is_below_their_minimum_and_above_the_bound(self, text: str) -> None:
        """The searched worst cases have a floor over 10^8 guesses and under their minimum."""
        got = floor(text)
        assert s._SCORE_BOUNDS[2] < got <= plain_total(text) + 1e-9

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(TEXTS, st.floats(min_value=0, max_value=30))
    def test_giving_up_only_when_the_floor_is_within_reach(self, text: str, above: float) -> None:
        """With *above*, the answer is the full floor when that is above it, else 0.0 or it."""
        full = floor(text)
        got = floor(text, above=above)
        if full > above:
            assert got == full
        else:
            assert got in (0.0, full)

    def test_a_whole_text_word_has_no_floor(self) -> None:
        """A dictionary-like span over the whole text may cost under the floor: no bound."""
        assert floor("password") == 0.0

    def test_the_search_stops_before_the_dictionary(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """On a worst case, the search returns from its floor and never reads the dictionary."""
        read: list[str] = []

        def spy(text: str, folded: str, words: s._Dictionary) -> list[s._Match]:
            read.append(text)
            return []

        monkeypatch.setattr(b, "merged_dictionary", spy)
        text = seeded("@4a", 64, 0)
        assert b.Search(WORDS, set(), 2026).total(text, bound=s._SCORE_BOUNDS[2]) > 8
        assert read == []


class TestCappedScore:
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(TEXTS, st.integers(min_value=0, max_value=4))
    def test_capped_score_is_the_capped_plain_score(self, text: str, cap: int) -> None:
        """score(cap=k) is min(plain score, k), with and without the user's data."""
        assert s.score(text, cap=cap) == min(s._plain_score(text), cap)
        assert s.score(text, USER, cap=cap) == s._plain_score(text, USER, cap=cap)

    @pytest.mark.parametrize("text", WORST)
    def test_worst_cases(self, text: str) -> None:
        """The searched worst cases score as the plain twin does, capped or not."""
        want = s._plain_score(text[:64])
        assert s.score(text[:64]) == want
        assert s.score(text[:64], cap=3) == min(want, 3)

    @settings(max_examples=80, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_every_profile_gives_the_plain_verdict(self, text: str) -> None:
        """Each profile's violations, scores included, are those of the uncapped plain twin."""
        names = profiles.__all__
        fast = [getattr(profiles, name).check(text, context=USER).violations for name in names]

        def plain(*args: object, cap: int = 4, **kwargs: object) -> int:
            return s._plain_score(*args, **kwargs)  # type: ignore[arg-type] (test double)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(policy_module, "score", plain)
            want = [getattr(profiles, name).check(text, context=USER).violations for name in names]
        assert fast == want

    @pytest.mark.parametrize("text", WORST)
    def test_every_profile_gives_the_plain_verdict_on_worst_cases(self, text: str) -> None:
        """The searched worst cases are judged as with the uncapped plain twin."""
        names = profiles.__all__
        fast = [getattr(profiles, name).check(text).violations for name in names]

        def plain(*args: object, cap: int = 4, **kwargs: object) -> int:
            return s._plain_score(*args, **kwargs)  # type: ignore[arg-type] (test double)

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(policy_module, "score", plain)
            want = [getattr(profiles, name).check(text).violations for name in names]
        assert fast == want


def readings(text: str) -> list[str]:
    """The readings the floor walks: as typed, both l33t readings and reversed."""
    folded = s._fold(text)
    return [
        folded,
        folded.translate(s._SUBSTITUTIONS),
        folded.translate(s._ALTERNATE),
        folded[::-1],
    ]


#: Texts dense in the keys the floor's walks branch or substitute on.
LEET_TEXTS = st.one_of(
    TEXTS,
    st.text(alphabet=st.sampled_from("1lI!|@4a0oO$5s3eE"), min_size=3, max_size=72),
    st.builds(
        "".join,
        st.lists(st.sampled_from(["W1l1iam", "1nte11igence", "p@ss", "w0rd", "|!|", "4@", "aaa"])),
    ),
)


class TestAutomatonWalks:
    """The floor's walks read the automaton; the walks over the merged table are their twins."""

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(LEET_TEXTS)
    def test_longest_words_are_the_walks(self, text: str) -> None:
        """Each start's longest word from the automaton is the merged walk's, every reading."""
        for source in readings(text):
            assert f._longest_words(source, WORDS) == f._walked_longest(source, WORDS)

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(LEET_TEXTS)
    def test_word_spans_are_the_walks(self, text: str) -> None:
        """Every word span from the automaton is one the merged walk finds, and no other."""
        folded = s._fold(text)
        n = len(folded)
        table, max_len = WORDS.merged(), WORDS.max_len
        want: list[tuple[int, int]] = []
        for source in dict.fromkeys(readings(text)):
            walked = [(i, j) for i, j, _ in b._merged_walk(source, n, table, max_len)]
            if source == folded[::-1] and source != folded:
                walked = [(n - j, n - i) for i, j in walked]
            want += walked
        assert sorted(f.word_spans(folded, WORDS)) == sorted(want)

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(LEET_TEXTS)
    def test_every_mixed_word_is_inside_the_longest_mixed(self, text: str) -> None:
        """The mixed walk over the automaton's trie still reaches every mixed word's end."""
        for source in (s._fold(text), s._fold(text)[::-1]):
            if sum(1 for ch in source if ch in s._AMBIGUOUS) < 2:
                continue
            ends = f._longest_mixed(source, WORDS)
            for i, j, *_ in s._mixed_walk(source, WORDS):
                assert ends[i] >= j

    def test_packed_answers_as_the_merged_table(self) -> None:
        """The trie answers word, beginning or neither as the table of every prefix does."""
        scanner, table = WORDS.scanner(), WORDS.merged()
        for piece in ["pas", "pass", "password", "passw0", "zzq", "lili", "1ll", "dr0", "aaaa"]:
            assert scanner.packed(piece) == table.get(piece)


def relaxed_by_every_piece(
    n: int, exact: list[s._Match], reach: list[int], leet: list[int], keys: list[int]
) -> float:
    """:func:`_floor._relaxed_cover` with every relaxed piece listed: its plain twin."""
    if reach and reach[0] > n:
        return 0.0
    pieces = list(exact)
    for start in range(n):
        for end in range(start + 1, n + 1):
            if reach[start] >= end:
                pieces.append(s._Match(start, end, s._MIN_SUBMATCH, "relaxed"))
            if leet[start] >= end:
                price = s._LOG2 * min(keys[end] - keys[start], 8)
                if end - start < n:
                    price = max(price, s._MIN_SUBMATCH)
                pieces.append(s._Match(start, end, price, "relaxed"))
    return b.cover_total(n, pieces)


def reaches(size: int) -> st.SearchStrategy[list[int]]:
    """Non-decreasing reaches over *size* positions, each at least its position."""
    return st.lists(st.integers(min_value=0, max_value=size), min_size=size, max_size=size).map(
        lambda ends: [max(p, end) for p, end in enumerate(sorted(ends))]
    )


class TestLeetTier:
    """Relaxed pieces of the l33t readings are priced by their keys, never above a match."""

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(LEET_TEXTS)
    def test_never_above_the_plain_minimum_on_leet_texts(self, text: str) -> None:
        """L33t noise, mixed keys and repeats: the floor stays at most the plain minimum."""
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(
        st.builds(
            lambda unit, times, tail: unit * times + tail,
            st.text(alphabet=st.sampled_from("1lI!|@4a0$"), min_size=1, max_size=6),
            st.integers(min_value=2, max_value=12),
            st.text(alphabet=st.sampled_from("1lI!|@4a0$"), max_size=6),
        )
    )
    def test_never_above_the_plain_minimum_on_repeated_leet(self, text: str) -> None:
        """Repeated l33t blocks (their echoes and mirrors too): still at most the minimum."""
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(LEET_TEXTS)
    def test_every_substitution_pays_for_its_keys(self, text: str) -> None:
        """Each match read through a substitution costs log10(2) per l33t key of its span (to 8)."""
        folded = s._fold(text)
        keys = [0]
        for ch in folded:
            keys.append(keys[-1] + (ch in s.LEET))
        for match in s._matches(text, WORDS, set(), 2026):
            if "substitution" in match.notes:
                held = keys[match.end] - keys[match.start]
                assert match.log10 >= s._LOG2 * min(held, 8) - 1e-9

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(LEET_TEXTS, st.integers(min_value=1, max_value=4))
    def test_capped_score_on_leet_texts_is_the_plain_one(self, text: str, cap: int) -> None:
        """With the l33t tier, the search's capped score is still the plain twin's."""
        assert s.score(text[:64], cap=cap) == min(s._plain_score(text[:64]), cap)

    @settings(max_examples=400, deadline=None, derandomize=True)
    @given(
        st.integers(min_value=1, max_value=24).flatmap(
            lambda n: st.tuples(
                st.just(n),
                reaches(n),
                reaches(n),
                st.lists(st.booleans(), min_size=n, max_size=n),
                st.lists(
                    st.tuples(
                        st.integers(min_value=0, max_value=n - 1),
                        st.integers(min_value=1, max_value=n),
                        st.floats(min_value=0, max_value=12),
                    ),
                    max_size=6,
                ),
            )
        )
    )
    def test_sliding_windows_are_every_piece(
        self,
        case: tuple[int, list[int], list[int], list[bool], list[tuple[int, int, float]]],
    ) -> None:
        """The tiers' sliding minima give what listing every relaxed piece gives."""
        n, reach, leet, keyed, spans = case
        keys = [0]
        for held in keyed:
            keys.append(keys[-1] + held)
        exact = [s._Match(a, b_, cost, "x") for a, b_, cost in spans if a < b_]
        got = f._relaxed_cover(n, exact, reach, leet, keys)
        want = relaxed_by_every_piece(n, exact, reach, leet, keys)
        assert got == pytest.approx(want, abs=1e-9)


class TestReversedLeet:
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_prefix_stop_finds_what_every_length_finds(self, text: str) -> None:
        """Stopping at a piece no entry starts with finds the plain twin's matches."""
        folded = s._fold(text)
        assert c.reversed_leet_matches(text, folded) == c.reversed_leet_matches(
            text, folded, starts=None
        )

    def test_without_the_bundled_index_every_length_is_tried(self) -> None:
        """When the bundled list's table is not loaded, the plain loop runs: same matches."""
        text = "Dr0w-ss@p2024!" * 3
        folded = s._fold(text)
        want = c.reversed_leet_matches(text, folded, starts=None)
        assert want
        assert c.reversed_leet_matches(text, folded, starts=lambda: None) == want


class TestSplitSpans:
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_every_split_match_is_inside_a_recorded_span(self, text: str) -> None:
        """Each span _split_matches finds lies inside one the floor records (its plain twin)."""
        folded = s._fold(text)
        furthest = [0] * (len(text) + 1)
        f._split_furthest(text, folded, WORDS, furthest)
        for match in s._split_matches(text, folded, WORDS, read=f._span_reader):
            assert any(furthest[start] >= match.end for start in range(match.start + 1))

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(TEXTS)
    def test_every_reversed_leet_match_is_inside_a_recorded_span(self, text: str) -> None:
        """Each span reversed_leet_matches finds lies inside one the floor records (its twin)."""
        folded = s._fold(text)
        furthest = [0] * (len(text) + 1)
        f._reversed_leet_furthest(text, folded, WORDS, furthest)
        for start, end, *_ in c.reversed_leet_matches(text, folded):
            assert any(furthest[first] >= end for first in range(start + 1))

    def test_with_another_blocklist_the_floor_stays_below(self) -> None:
        """With a policy's own blocklist, the floor is still at most the plain minimum."""
        words = s._dictionary_for(Blocklist(["drowssap", "aaaaaa", "lalala1", "qwe-rty"]))
        for text in [*WORST, "p@ssw0rd-dr0wss@p-" * 3, "a1" * 12 + "drow-ssap" * 3]:
            folded = s._fold(text)
            got = f.floor_total(text, folded, words, cheap(text), 2026)
            want = s._cover(len(text), s._matches(text, words, set(), 2026))[0]
            assert got <= want + 1e-9


#: Repeated blocks with a little around them: the texts the settling test is for.
REPEATED = st.builds(
    lambda unit, times, head, tail: head + unit * times + tail,
    st.text(alphabet=st.sampled_from("a1!@sP0-2024x"), min_size=1, max_size=7),
    st.integers(min_value=2, max_value=40),
    st.text(alphabet=st.sampled_from("a1!Z9"), max_size=4),
    st.text(alphabet=st.sampled_from("a1!Z9"), max_size=4),
).map(lambda text: text[:64])


class TestSettle:
    @settings(max_examples=250, deadline=None, derandomize=True)
    @given(st.one_of(REPEATED, TEXTS), st.sampled_from([8.0, 10.0]))
    def test_settled_total_has_the_plain_minimums_score(self, text: str, bound: float) -> None:
        """Stopping once the floor settles the repeats' cover keeps the minimum's score."""
        got = b.Search(WORDS, set(), 2026).total(
            text, bound=bound, enough=s._SCORE_BOUNDS[0], settle=s._SCORE_BOUNDS
        )
        want = plain_total(text)
        cap = s._SCORE_BOUNDS.index(bound) + 1
        score = sum(got >= edge for edge in s._SCORE_BOUNDS)
        assert min(score, cap) == min(sum(want >= edge for edge in s._SCORE_BOUNDS), cap)

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(REPEATED, st.integers(min_value=0, max_value=4))
    def test_capped_score_of_repeats(self, text: str, cap: int) -> None:
        """On repeated blocks, score(cap=k) is min(plain score, k), with the user's data too."""
        assert s.score(text, cap=cap) == min(s._plain_score(text), cap)
        assert s.score(text, USER, cap=cap) == s._plain_score(text, USER, cap=cap)

    def test_a_settled_repeat_reads_no_whole_text_dictionary(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """a1 x 32: its repeat and the floor settle score 1 before the whole text is read."""
        read: list[str] = []
        original = b._split_matches

        def spy(text: str, *args: object, **kwargs: object) -> list[s._Match]:
            read.append(text)
            return original(text, *args, **kwargs)  # type: ignore[arg-type] (test double)

        monkeypatch.setattr(b, "_split_matches", spy)
        assert s.score("a1" * 32, cap=3) == 1 == s._plain_score("a1" * 32)
        assert read == []


class TestMixedSpans:
    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.one_of(TEXTS, st.text(alphabet=st.sampled_from("1!|lLiIwamnotseb@0"), max_size=24)))
    def test_every_mixed_match_is_inside_a_recorded_span(self, text: str) -> None:
        """Each span _mixed_matches finds lies inside one the floor records (its plain twin)."""
        folded = s._fold(text)
        furthest = [0] * (len(text) + 1)
        f._furthest_words(folded, WORDS, furthest)
        for match in s._mixed_matches(text, folded, WORDS):
            assert any(furthest[start] >= match.end for start in range(match.start + 1))


#: The lists' first words, as an attacker's dictionary starts (letters only, four keys up).
TOP_WORDS = (
    tuple(w for w in bundled_words(COMMON_PASSWORDS_FILE)[:1500] if w.isalpha() and len(w) >= 4)[
        :300
    ]
    + tuple(w for w in bundled_words(WORDS_FILE)[:600] if w.isalpha() and len(w) >= 4)[:200]
)
#: Letters and the l33t keys typed for them, each letter's keys and each key's letters.
TYPED_FOR = {
    letter: [key for key, letters in LEET.items() if letter in letters]
    for letter in set("".join(LEET.values()))
}
DECORATIONS = ("", "1", "12", "123", "!", "!!", "@", "#", "2024", "1990", "0307", "$", "!1", "520")
SEPARATORS = ("", "", "-", ".", "_", " ", "@", "!", "1", "|", "/")
PIECES = ("1qaz", "2wsx", "qwer", "asdf", "1q2w3e", "!qaz", "147258", "йцук", "密码", "我爱你")
PERSONAL = (
    "zhangsan",
    "ZhangSan",
    "zs",
    "zhang",
    "san",
    "19900307",
    "0307",
    "zh4ngs4n",
    "nasgnahz",
)


def attacker_word(rng: random.Random) -> str:
    """A list word as crackers' rules bend it: reversed, rotated, l33t both ways, recased."""
    word = rng.choice(TOP_WORDS)
    turn = rng.random()
    if turn < 0.2:
        word = word[::-1]
    elif turn < 0.35:
        k = rng.randint(1, min(4, len(word) - 1))
        word = word[k:] + word[:k]
    rate = rng.choice((0.0, 0.4, 0.8, 1.0))
    word = "".join(
        rng.choice(TYPED_FOR[ch]) if ch in TYPED_FOR and rng.random() < rate else ch for ch in word
    )
    if rng.random() < 0.2:  # the other way: a key of the word typed as one of its letters
        word = "".join(
            rng.choice(LEET[ch]) if ch in LEET and rng.random() < 0.5 else ch for ch in word
        )
    if rng.random() < 0.2 and len(word) > 4:  # a separator inside
        k = rng.randint(1, len(word) - 1)
        word = word[:k] + rng.choice("-._ &*") + word[k:]
    case = rng.randrange(4)
    if case == 1:
        word = word.capitalize()
    elif case == 2:  # the third of four cases
        word = word.upper()
    elif case == 3:  # the fourth
        word = "".join(ch.upper() if rng.random() < 0.3 else ch for ch in word)
    return word


def attacker_text(rng: random.Random) -> str:
    """Words, decorations, walks, the user's data and l33t noise, repeated or echoed."""

    def piece() -> str:
        roll = rng.random()
        if roll < 0.6:  # most pieces are words
            return attacker_word(rng)
        if roll < 0.7:
            return rng.choice(DECORATIONS)
        if roll < 0.8:
            return rng.choice(PIECES)
        if roll < 0.9:
            return rng.choice(PERSONAL)
        return "".join(rng.choice("1lI!|0oO@4a$5s3eE7t") for _ in range(rng.randint(2, 8)))

    shape = rng.random()
    if shape < 0.25:  # a word and its echoes, some re-spelt
        unit = attacker_word(rng) + rng.choice(DECORATIONS)
        text = rng.choice(SEPARATORS).join(
            unit if rng.random() < 0.7 else attacker_word(rng) for _ in range(rng.randint(2, 4))
        )
    elif shape < 0.35:  # a word, a middle and the word backwards
        word = attacker_word(rng)
        text = word + rng.choice(SEPARATORS) + rng.choice(DECORATIONS) + word[::-1]
    else:
        parts = [piece() for _ in range(rng.randint(2, 7))]
        text = rng.choice(SEPARATORS).join(parts)
        if rng.random() < 0.3:  # a copy of the first pieces after them
            text += text[: rng.randint(1, max(1, len(text)))]
    return (rng.choice(DECORATIONS) if rng.random() < 0.3 else "") + text


#: Seeded texts of the lists' words as attackers bend them, long enough for the floor.
ATTACKER_TEXTS = (
    st.randoms(use_true_random=False)
    .map(attacker_text)
    .filter(lambda text: len(text) >= b._FLOOR_FROM)
    .map(lambda text: text[:80])
)


class TestAttackerTexts:
    """The lists' words bent as crackers bend them: the floor stays below, the scores agree."""

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(ATTACKER_TEXTS)
    def test_never_above_the_plain_minimum(self, text: str) -> None:
        """L33t both ways, reversed, rotated, cut, echoed words: at most the plain minimum."""
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(ATTACKER_TEXTS)
    def test_never_above_the_plain_minimum_with_user_data(self, text: str) -> None:
        """The same texts with the user's pinyin and birthday among the pieces."""
        assert floor(text, TOKENS) <= plain_total(text, TOKENS) + 1e-9

    @settings(max_examples=120, deadline=None, derandomize=True)
    @given(ATTACKER_TEXTS, st.integers(min_value=2, max_value=4))
    def test_capped_score_is_the_plain_one(self, text: str, cap: int) -> None:
        """check()'s capped score on them is the plain twin's, with and without the user."""
        assert s.score(text, cap=cap) == min(s._plain_score(text), cap)
        assert s.score(text, USER, cap=cap) == s._plain_score(text, USER, cap=cap)

    @pytest.mark.parametrize(
        "password",
        [
            "p@ssw0rdp@ssw0rdp@ssw0rd",
            "Passw0rd!Passw0rd!Passw0rd!",
            "Dr0wss@p!Dr0wss@p!2024!!",
            "$h4d0w123$h4d0w123$h4d0w123",
            "@dmin2024@dmin2024@dmin2024",
            "1L0veY0u!1L0veY0u!1L0veY0u!",
            "1l0v3y0u|l0v3y0u!l0v3y0u",
            "P@$$w0rd-P@$$w0rd-P@$$w0rd",
            "5h@d0w-5h@d0w-5h@d0w-2024",
            "sswordpa2024!sswordpa2024!",
            "W3lc0m3@2024W3lc0m3@2024",
            "Zh4ngS4nZh4ngS4n@19900307",
            "zhangsan19900307zhangsan!!",
        ],
    )
    def test_long_attacker_passwords_are_refused_with_the_plain_score(self, password: str) -> None:
        """Past the floor's length, every profile refuses them, and scores as the plain twin."""
        for name in profiles.__all__:
            assert not getattr(profiles, name).check(password, context=USER).ok, name
        for cap in (3, 4):
            assert s.score(password, USER, cap=cap) == s._plain_score(password, USER, cap=cap)


def tiers(text: str) -> tuple[list[int], list[int], dict[tuple[int, int], float]]:
    """The floor's typed and l33t reaches of *text*, and its pieces priced exactly."""
    n, folded = len(text), s._fold(text)
    furthest, leet = [0] * (n + 1), [0] * (n + 1)
    f._furthest_words(folded, WORDS, furthest, leet)
    f._split_furthest(text, folded, WORDS, furthest, leet)
    f._reversed_leet_furthest(text, folded, WORDS, furthest, leet)
    before, after = [0] * (n + 1), [0] * (n + 1)
    for i in range(1, n + 1):
        if not text[i - 1].isalpha():
            before[i] = min(before[i - 1] + 1, s._MAX_DECORATION)
    for j in range(n - 1, -1, -1):
        if not text[j].isalpha():
            after[j] = min(after[j + 1] + 1, s._MAX_DECORATION)
    priced = [s._Match(*piece) for piece in c.calendar_runs(text, folded, 2026)]
    priced += [s._Match(*piece) for piece in c.published_phrases(text, folded)]
    exact: dict[tuple[int, int], float] = {}
    for match in [*priced, *s._decorated(text, priced)]:
        span = (match.start, match.end)
        exact[span] = min(match.log10, exact.get(span, match.log10))
    typed = f._reach(n, furthest, before, after)
    return typed, f._reach(n, leet, before, after, capped=True), exact


def assert_tiered(text: str) -> None:
    """Each dictionary-like match lies in a typed span, is priced as it is, or pays its keys.

    A match outside every widened span of the readings as typed must lie
    in a widened l33t span and cost at least what a relaxed l33t piece
    over its span costs (log10(2) per l33t key up to eight, 50 guesses
    at least inside a longer text): else the floor could exceed it.
    """
    n = len(text)
    typed, leet, exact = tiers(text)
    if typed and typed[0] > n:
        return  # a typed span over the whole text: the floor gives no bound
    keys = [0]
    for ch in s._fold(text):
        keys.append(keys[-1] + (ch in LEET))
    # Name pairs are among the cheap matches the search hands the floor,
    # priced as they are (``_bounded``): no tier has to bound them.
    named = {(a, b, round(c, 9)) for a, b, c in name_matches(text, s._fold(text))}
    for match in s._matches(text, WORDS, set(), 2026):
        start, end = match.start, match.end
        if match.kind != "dictionary" or typed[start] >= end:
            continue
        if (start, end, round(match.log10, 9)) in named:
            continue
        if exact.get((start, end), math.inf) <= match.log10 + 1e-9:
            continue
        price = s._LOG2 * min(keys[end] - keys[start], 8)
        cost = match.log10
        if end - start < n:
            price, cost = max(price, s._MIN_SUBMATCH), max(cost, s._MIN_SUBMATCH)
        assert leet[start] >= end, (text[start:end], match)
        assert cost >= price - 1e-9, (text[start:end], match)


class TestTiers:
    """The proof of the l33t tier, match by match: where a word's span lands, it pays that price."""

    @settings(max_examples=250, deadline=None, derandomize=True)
    @given(st.one_of(ATTACKER_TEXTS, LEET_TEXTS))
    @example("0000000000000000lIlO")  # the name pair li + lo: handed to the floor as priced
    def test_every_word_is_in_a_typed_span_or_pays_its_keys(self, text: str) -> None:
        """Each dictionary-like match lies in a typed span, is priced as it is, or pays its keys."""
        assert_tiered(text)


#: Common entries typed with six l33t keys or more, cheaper than those keys' price.
KEYED_ENTRIES = tuple(
    sorted(
        (
            word
            for word, rank in COMMON_PASSWORDS.ranks.items()
            if rank
            and sum(ch in LEET for ch in word) >= 6
            and math.log10(rank) < s._LOG2 * min(sum(ch in LEET for ch in word), 8) - 0.3
        ),
        key=COMMON_PASSWORDS.ranks.__getitem__,
    )[:40]
)
#: Such an entry in noise no matcher reads (letters that are no word, walk or l33t key).
KEYED_TEXTS = st.builds(
    lambda head, entry, tail: head + entry + tail,
    st.text(alphabet=st.sampled_from("qzkvbnwmrtpxjQZKV"), min_size=6, max_size=16),
    st.sampled_from(KEYED_ENTRIES),
    st.text(alphabet=st.sampled_from("qzkvbnwmrtpxjQZKV"), min_size=6, max_size=16),
)


class TestTypedKeys:
    """A word as typed pays no l33t keys: its span stays in the typed tier, at 50 guesses."""

    def test_a_typed_entry_full_of_keys_keeps_the_typed_price(self) -> None:
        """``1314520`` (7 keys, rank 60) in noise: the floor is the minimum, not 0.4 above it."""
        text = "qzkvbnwmrtpx1314520zkvqbnwmrtpx"
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=150, deadline=None, derandomize=True)
    @given(KEYED_TEXTS)
    def test_never_above_the_plain_minimum(self, text: str) -> None:
        """Typed entries of many keys (``5201314520``, ``123123123``) in noise: at most the min."""
        assert floor(text) <= plain_total(text) + 1e-9

    @settings(max_examples=100, deadline=None, derandomize=True)
    @given(KEYED_TEXTS)
    def test_every_word_is_in_a_typed_span_or_pays_its_keys(self, text: str) -> None:
        """The match-by-match proof (:func:`assert_tiered`) on the same texts."""
        assert_tiered(text)
