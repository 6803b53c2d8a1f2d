"""estimate(): scores, guesses, feedback and patterns."""

from __future__ import annotations

import itertools
import math
import random
import string
import unicodedata
from collections import Counter
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import (
    FEEDBACK,
    Blocklist,
    PasswordContext,
    PasswordPolicy,
    Strength,
    estimate,
)

USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "Zhang San", "birth_date": date(1990, 3, 7)},
)


def kinds(strength: Strength) -> list[str]:
    """The pattern kinds of the cover, in order."""
    return [p.kind for p in strength.patterns]


class TestScores:
    @pytest.mark.parametrize(
        "password", ["123456", "password", "qwerty", "woaini1314", "5201314", "iloveyou"]
    )
    def test_most_common_passwords_score_0(self, password: str) -> None:
        """The head of the list is guessed within a few hundred tries."""
        strength = estimate(password)
        assert strength.score == 0
        assert strength.feedback[0] == "common_password"
        assert kinds(strength) == ["dictionary"]

    @pytest.mark.parametrize(
        "password", ["Kx7#qPz9!mV2", "violet tractor amber clouds 58", "湖边的猫在三点钟喝茶"]
    )
    def test_long_unpredictable_passwords_score_4(self, password: str) -> None:
        """Random or long passwords need more than 10^10 guesses and get no feedback."""
        strength = estimate(password)
        assert strength.score == 4
        assert strength.guesses_log10 >= 10
        assert strength.feedback == ()

    def test_scores_follow_guesses(self) -> None:
        """Longer variants of a weak password never score lower."""
        scores = [estimate(p).score for p in ("dragon", "dragon19", "dragon19xk", "dragon19xk#q!")]
        assert scores == sorted(scores)
        assert scores[0] == 0
        assert scores[-1] >= 3

    def test_empty(self) -> None:
        """The empty password needs no guess."""
        assert estimate("") == Strength(
            score=0, guesses_log10=0.0, feedback=("too_short",), patterns=()
        )


class TestPatterns:
    @pytest.mark.parametrize(
        ("password", "kind", "code"),
        [
            ("abcdefgh", "sequence", "sequence"),
            ("98765432", "sequence", "sequence"),
            ("xxxxxxxxxx", "repeat", "repeat"),
            ("k9m2k9m2k9m2", "repeat", "repeat"),
            ("zxcvbnm,./", "keyboard_walk", "keyboard_walk"),
            ("7ujm8ik,9ol.", "keyboard_walk", "keyboard_walk"),
            ("19900307", "date", "date"),
            ("07.03.1990", "date", "date"),
        ],
    )
    def test_kinds(self, password: str, kind: str, code: str) -> None:
        """Each kind of pattern is found and explained."""
        strength = estimate(password)
        assert kind in kinds(strength)
        assert code in strength.feedback
        assert strength.score <= 2

    def test_phone_number(self) -> None:
        """A mobile number is one of about 1.6 billion, and said to be one."""
        strength = estimate("13972856104")
        assert kinds(strength) == ["phone_number"]
        assert strength.feedback == ("phone_number",)
        assert strength.score == 3

    def test_year_inside_a_password(self) -> None:
        """A year costs a few dozen guesses and is reported as a date."""
        strength = estimate("sunflower1987")
        assert kinds(strength) == ["dictionary", "year"]
        assert "date" in strength.feedback

    def test_substitution_capitalisation_and_reversal_cost_little(self) -> None:
        """l33t, capitals and reversal add a little, and say so."""
        plain = estimate("sunflower").guesses_log10
        leet = estimate("$unfl0wer")
        capital = estimate("Sunflower")
        backwards = estimate("rewolfnus")
        assert "substitution" in leet.feedback
        assert "capitalisation" in capital.feedback
        assert "reversed" in backwards.feedback
        for variant in (leet, capital, backwards):
            assert plain < variant.guesses_log10 < plain + 2

    def test_user_data_and_context_words(self) -> None:
        """The user's own data and the service's words count as one guess."""
        assert "user_data" in estimate("Zhangsan!", USER).feedback
        assert "user_data" in estimate("nasgnahz", USER).feedback
        with_word = estimate("Globex-Globex", context_words=["globex"])
        assert "user_data" in with_word.feedback
        assert with_word.score <= 1

    def test_custom_dictionary(self) -> None:
        """A ranked list of the service's own leaked passwords feeds the estimate."""
        leaked = Blocklist(["trombone-giraffe"], name="ours")
        assert estimate("trombone-giraffe", dictionary=leaked).score == 0

    def test_cover_is_contiguous(self) -> None:
        """The patterns cover the password once, left to right."""
        strength = estimate("Xq!7sunflower1987abcd")
        position = 0
        for pattern in strength.patterns:
            assert pattern.start == position
            position = pattern.end
        assert position == len("Xq!7sunflower1987abcd")
        total = sum(p.guesses_log10 for p in strength.patterns)
        assert strength.guesses_log10 >= total

    def test_reference_year(self) -> None:
        """Years near the reference year are cheaper."""
        near = estimate("1999", reference_year=2000).guesses_log10
        far = estimate("1999", reference_year=2090).guesses_log10
        assert near < far


class TestEchoes:
    @pytest.mark.parametrize(
        "password",
        [
            "Summer2024!Summer",
            "Password1Password",
            "qwerty!qwerty",
            "2024Summer2024",
            "19900101 19900101",
            "01011990-01011990",
            "2024-2024",
            "Passw0rd!Password",
            "Password2024!Password2024!",
        ],
    )
    def test_a_piece_repeated_around_a_middle_is_one_repeat(self, password: str) -> None:
        """The whole password is one repeat pattern, well under 10^8 guesses."""
        strength = estimate(password)
        assert kinds(strength) == ["repeat"]
        assert strength.score <= 2
        assert "repeat" in strength.feedback

    def test_a_second_copy_in_other_capitals_costs_a_little(self) -> None:
        """A copy capitalised differently is still one repeat, a little dearer."""
        same = estimate("dragon2024!dragon").guesses
        assert estimate("Dragon2024!dragon").guesses > same
        assert estimate("dragon2024!DrAgOn").guesses > same
        assert kinds(estimate("dragon2024!DrAgOn")) == ["repeat"]

    def test_the_repeat_costs_the_middle(self) -> None:
        """A longer, random middle costs more guesses than a year."""
        assert estimate("Summer2024Summer").guesses < estimate("SummerQ7#kZ9Summer").guesses

    def test_a_far_repeat_is_not_an_echo(self) -> None:
        """Pieces more than ten characters apart are priced separately."""
        assert "repeat" not in kinds(estimate("Summer!q7Kz#9Lm2xSummer"))

    def test_the_repeated_piece_keeps_its_feedback(self) -> None:
        """The feedback names what the repeated piece is (a word, user data)."""
        assert "dictionary_word" in estimate("Dragon2024!Dragon").feedback


class TestDecoration:
    @pytest.mark.parametrize(
        "password",
        ["Tr0ub4dor&3", "Tr0ub4dour&3", "S3cur1ty!1", "P3ngu1n$5", "!Dr@g0n7", "Butt3rfly#7"],
    )
    def test_a_word_with_l33t_and_one_or_two_more_keys_is_weak(self, password: str) -> None:
        """A dictionary word with substitutions and a digit or symbol or two scores under 3."""
        strength = estimate(password)
        assert strength.score <= 2
        assert kinds(strength) == ["dictionary"]

    def test_decoration_has_feedback(self) -> None:
        """The feedback says a digit or symbol at the end does not help."""
        assert "decoration" in estimate("Penguin$5").feedback
        assert FEEDBACK["decoration"]["zh-CN"]

    def test_three_keys_are_not_decoration(self) -> None:
        """Only one or two added keys are priced with the word."""
        assert len(estimate("Penguin&5*").patterns) > 1


class TestResult:
    def test_guesses_and_crack_time(self) -> None:
        """Guesses convert to time at a rate; huge values do not overflow."""
        strength = estimate("password")
        assert strength.guesses == pytest.approx(10**strength.guesses_log10)
        assert strength.crack_seconds(10) == pytest.approx(strength.guesses / 10)
        rng = random.Random(5)
        long_random = "".join(rng.choice(string.printable[:94]) for _ in range(400))
        assert estimate(long_random).guesses == math.inf
        with pytest.raises(ValueError, match="positive"):
            strength.crack_seconds(0)

    def test_messages(self) -> None:
        """Every feedback code has English and Chinese text."""
        assert set(FEEDBACK) >= {"common_password", "too_short", "add_words"}
        for code, texts in FEEDBACK.items():
            assert set(texts) == {"en", "zh-CN"}, code
        strength = estimate("password")
        assert strength.messages()[0] == FEEDBACK["common_password"]["en"]
        assert strength.messages("zh-CN")[0] == FEEDBACK["common_password"]["zh-CN"]
        assert strength.messages("fr") == strength.messages()

    def test_not_a_string(self) -> None:
        """Non-str input is a TypeError."""
        with pytest.raises(TypeError, match="password must be str, not bytes"):
            estimate(b"password")  # type: ignore[arg-type]


class TestAdversarial:
    @pytest.mark.parametrize(
        "password",
        [
            "a" * 4096,
            "P@ss" * 1024,
            "1qaz" * 1024,
            "0" * 4096,
            "19900307" * 512,
            "ß" * 2048,
            "İ" * 2048,
            "\ud800" * 100 + "x",
            "\x00" * 1000,
        ],
    )
    def test_long_crafted_inputs(self, password: str) -> None:
        """Long repetitive and l33t inputs are estimated, and never score high by length alone."""
        strength = estimate(password)
        assert strength.score <= 2  # a repeated unit is weak whatever its length
        assert "repeat" in strength.feedback
        assert strength.patterns[-1].end == len(unicodedata.normalize("NFKC", password))

    @settings(max_examples=300, deadline=None)
    @given(st.text(max_size=80))
    def test_never_raises_and_is_bounded(self, password: str) -> None:
        """Any string: a score 0-4, no more guesses than brute force."""
        strength = estimate(password)
        assert 0 <= strength.score <= 4
        n = len(unicodedata.normalize("NFKC", password))
        assert strength.guesses_log10 <= n * 1.0 + 1e-9

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet="ＡＢＣａｂｃ１２３！abc123!", max_size=30))
    def test_nfkc_equivalent_inputs_agree(self, password: str) -> None:
        """Full-width and ASCII forms get the same estimate."""
        assert estimate(password) == estimate(unicodedata.normalize("NFKC", password))


class TestPolicyMinScore:
    def test_too_weak(self) -> None:
        """min_score refuses weak passwords with their score."""
        policy = PasswordPolicy(min_length=8, min_score=3, blocklist=None)
        result = policy.check("sunflower1987")
        assert "too_weak" in result.codes
        violation = next(v for v in result.violations if v.code == "too_weak")
        assert violation.params["min_score"] == 3
        assert violation.params["score"] < 3
        assert policy.check("violet tractor amber 58").ok

    def test_uses_context_words(self) -> None:
        """The policy's context words make their passwords weak."""
        policy = PasswordPolicy(min_score=3, context_words=("globex",))
        assert "too_weak" in policy.check("Globex-Globex-Globex", context=USER).codes

    @pytest.mark.parametrize("value", [-1, 5])
    def test_range(self, value: int) -> None:
        """Scores run from 0 to 4."""
        with pytest.raises(PolicyConfigError, match="min_score"):
            PasswordPolicy(min_score=value)


def _dictionary_matches_everywhere(  # noqa: PLR0912 (the plain twin mirrors the fast loop)
    text: str, folded: str, words: object
) -> list[object]:
    """The plain twin of the l33t fast path: every source tried from every position."""
    from secpolicy.password import _strength as s

    found = []
    n = len(text)
    table, leet, max_len = words.table, words.leet, words.max_len  # type: ignore[attr-defined]
    sources = [(folded, "exact")]
    for source in (folded.translate(s._SUBSTITUTIONS), folded.translate(s._ALTERNATE)):
        if source != folded and (source, "leet") not in sources:
            sources.append((source, "leet"))
    sources.append((folded[::-1], "reversed"))
    for source, kind in sources:
        for i in range(n - 2):
            for j in range(i + 3, min(n, i + max_len) + 1):
                piece = source[i:j]
                rank = table.get(piece)
                if kind == "leet":
                    other = leet.get(piece)
                    if rank is None or (other and (not rank or other < rank)):
                        rank = other
                if rank is None:
                    break
                if not rank:
                    continue
                start, end = (n - j, n - i) if kind == "reversed" else (i, j)
                if kind == "leet" and folded[start:end] == piece:
                    continue
                if kind == "reversed" and piece == piece[::-1]:
                    continue
                original = text[start:end]
                log10 = math.log10(rank)
                if original != folded[start:end]:
                    log10 += s._case_variations(original)
                if kind == "leet":
                    log10 += s._leet_variations(folded[start:end], piece)
                elif kind == "reversed":
                    log10 += math.log10(2)
                found.append((start, end, round(log10, 9), rank))
    found.extend(_rotations_everywhere(text, folded, table))
    return sorted(found)


def _rotations_everywhere(  # noqa: PLR0912 (the plain twin mirrors both walks)
    text: str, folded: str, table: dict[str, int]
) -> list[object]:
    """The plain twin of the rotation walk: every window of every reading, every shift."""
    from secpolicy.password import _strength as s

    found = []
    n = len(folded)
    readings = [folded]
    for reading in (folded.translate(s._SUBSTITUTIONS), folded.translate(s._ALTERNATE)):
        if reading not in readings:
            readings.append(reading)
    for source in readings:
        for i in range(n):
            for j in range(i + 4, n + 1):
                window = source[i:j]
                keys = sum(1 for a, b in zip(folded[i:j], window, strict=True) if a != b)
                if source is not folded and not keys:
                    continue
                best = None
                for shift in s._ROTATIONS:
                    word = window[-shift:] + window[:-shift]  # undo word[shift:] + word[:shift]
                    rank = table.get(word)
                    if (
                        rank
                        and rank <= s._ROTATED_TOP
                        and word != window
                        and word.isalpha()
                        and (best is None or rank < best)
                    ):
                        best = rank
                if best is not None:
                    log10 = math.log10(best) + s._ROTATION_CHOICES
                    if keys:
                        log10 += s._leet_variations(folded[i:j], window)
                    if text[i:j] != folded[i:j]:
                        log10 += s._case_variations(text[i:j])
                    found.append((i, j, round(log10, 9), best))
    backwards = folded[::-1]
    for i in range(n):
        for j in range(i + 4, n + 1):
            window = backwards[i:j]
            ranks = [
                table[word]
                for shift in s._ROTATIONS
                if (word := window[-shift:] + window[:-shift]) != window
                and word.isalpha()
                and 0 < table.get(word, 0) <= s._ROTATED_TOP
            ]
            if ranks:
                start, end = n - j, n - i
                log10 = math.log10(min(ranks)) + s._ROTATION_CHOICES + math.log10(2)
                if text[start:end] != folded[start:end]:
                    log10 += s._case_variations(text[start:end])
                found.append((start, end, round(log10, 9), min(ranks)))
    return found


class TestDictionaryFastPath:
    @settings(max_examples=300, deadline=None)
    @given(
        st.text(alphabet=st.sampled_from("abcdeilnoprstw013457@$!|+ ASPW"), min_size=0, max_size=24)
    )
    def test_leet_windows_agree_with_every_window(self, password: str) -> None:
        """Trying l33t sources only near substituted keys finds exactly what trying all finds."""
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import COMMON_PASSWORDS

        words = s._dictionary_for(COMMON_PASSWORDS)
        folded = s._fold(password)

        def key(matches: list[s._Match]) -> Counter[tuple[int, int, float, int]]:
            return Counter((m.start, m.end, round(m.log10, 9), m.rank) for m in matches)

        # The mixed readings of two-letter keys have their own twin (below).
        fast = key(s._dictionary_matches(password, folded, words))
        fast -= key(s._mixed_matches(password, folded, words))
        assert sorted(fast.elements()) == _dictionary_matches_everywhere(password, folded, words)

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from("1!|lLiIwamnotseb@0"), min_size=0, max_size=12))
    def test_mixed_readings_are_every_assignment(self, password: str) -> None:
        """The branching walk finds every window that reads as a word with its ``1`` read apart.

        The plain twin tries every window and every reading of its two-letter
        keys (``1`` as ``l`` or ``i`` each), forwards and backwards, keeping
        the cheapest word of each span that neither uniform reading gives,
        with a l33t match's cost (and one choice more for the reversal).
        """
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import COMMON_PASSWORDS

        words = s._dictionary_for(COMMON_PASSWORDS)
        folded = s._fold(password)
        n = len(folded)
        inf = math.inf
        # The cheapest word of each span and direction: what a cover can use.
        best: dict[tuple[bool, int, int], tuple[float, int]] = {}
        rotated: dict[tuple[bool, int, int], tuple[float, int]] = {}
        for source, reverse in ((folded, False), (folded[::-1], True)):
            plain, alternate = source.translate(s._SUBSTITUTIONS), source.translate(s._ALTERNATE)
            for i in range(n):
                for j in range(i + 3, min(n, i + words.max_len) + 1):
                    choices = [s._AMBIGUOUS.get(c, plain[i + k]) for k, c in enumerate(source[i:j])]
                    for letters in itertools.product(*choices):
                        piece = "".join(letters)
                        if piece in (plain[i:j], alternate[i:j]):
                            continue
                        rank = words.table.get(piece)
                        other = words.leet.get(piece)
                        if rank is None or (other and (not rank or other < rank)):
                            rank = other
                        turned = words.rotations().get(piece)
                        for table, found, extra in (
                            (best, rank, 0.0),
                            (rotated, turned, s._ROTATION_CHOICES),
                        ):
                            if not found:
                                continue
                            start, end = (n - j, n - i) if reverse else (i, j)
                            log10 = math.log10(found) + s._leet_variations(source[i:j], piece)
                            log10 += extra + (math.log10(2) if reverse else 0.0)
                            if password[start:end] != folded[start:end]:
                                log10 += s._case_variations(password[start:end])
                            table[reverse, start, end] = min(
                                (round(log10, 9), found), table.get((reverse, start, end), (inf, 0))
                            )
        # A rotation stands for its span where its rank, one choice of rotation more, is lower.
        for span, (log10, rank) in rotated.items():
            word = best.get(span)
            if word is None or rank * len(s._ROTATIONS) < word[1]:
                best[span] = (log10, rank)
        want = [(start, end, *cost) for (_, start, end), cost in best.items()]
        got = [
            (m.start, m.end, round(m.log10, 9), m.rank)
            for m in s._mixed_matches(password, folded, words)
        ]
        assert sorted(got) == sorted(want)


class TestCheapestPerSpan:
    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.sampled_from("1lia@pswordjnfebmr2024-. !"), max_size=40))
    def test_keeping_one_match_per_span_changes_no_estimate(self, password: str) -> None:
        """The cover of every match (the plain twin) costs exactly what the pruned cover costs."""
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import COMMON_PASSWORDS

        words = s._dictionary_for(COMMON_PASSWORDS)
        folded = s._fold(password)
        every = [
            *s._dictionary_matches(password, folded, words),
            *s._matches(password, words, set(), 2026),
        ]
        pruned = s._cheapest_per_span(every)
        assert len({(m.start, m.end) for m in pruned}) == len(pruned)
        plain = s._cover(len(password), every)[0]
        assert math.isclose(s._cover(len(password), pruned)[0], plain, abs_tol=1e-9)
        assert s.score(password) == estimate(password).score


class TestSequenceWindows:
    """The automaton before the sequence scan never hides a run."""

    @settings(max_examples=400, deadline=None)
    @given(
        st.text(
            alphabet=st.sampled_from("abcxyzABCXYZ012789@[`{/:-é\u0660\u0661\u0662"), max_size=24
        )
    )
    def test_same_runs_as_the_scan(self, text: str) -> None:
        """Any text, ASCII or not: the same runs with and without the automaton."""
        from secpolicy.password import _strength as s

        assert s._sequence_matches(text) == s._sequence_runs(text)
        assert s._sequence_matches(s._fold(text)) == s._sequence_runs(s._fold(text))

    def test_text_without_windows_has_no_run(self) -> None:
        """Random-looking ASCII skips the scan; a run of three is still found."""
        from secpolicy.password import _strength as s

        assert s._sequence_matches("x7#q2!z4") == []
        assert [m.kind for m in s._sequence_matches("xyzzy")] == ["sequence"]


class TestFilteredMatchers:
    ALPHABET = st.sampled_from("abAB12!@ $0")

    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=ALPHABET, max_size=40))
    def test_prefilters_find_what_the_loops_find(self, password: str) -> None:
        """The C searches before the repeat and echo loops never hide a match."""
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import COMMON_PASSWORDS

        words = s._dictionary_for(COMMON_PASSWORDS)
        folded = s._fold(password)
        filtered = (
            s._repeat_matches(password, folded, words, set(), 2026),
            s._echo_matches(password, folded, words, set(), 2026),
        )
        always = type("Always", (), {"__call__": lambda self, text: True})()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(s, "_ANY_REPEAT", always)
            patch.setattr(s, "_ANY_ECHO", always)
            patch.setattr(s, "_REPEATED_BLOCK", dict.fromkeys(range(1, s._MAX_BLOCK + 1), always))
            plain = (
                s._repeat_matches(password, folded, words, set(), 2026),
                s._echo_matches(password, folded, words, set(), 2026),
            )
        assert filtered == plain

    @settings(max_examples=200, deadline=None)
    @given(st.text(max_size=30))
    def test_score_is_estimates_score(self, password: str) -> None:
        """The policy's score-only path gives estimate()'s score for any text."""
        from secpolicy.password._strength import score

        text = unicodedata.normalize("NFKC", password)
        assert score(text) == estimate(text).score

    @settings(max_examples=200, deadline=None)
    @given(st.text(alphabet=st.sampled_from("abcword!1$ #"), max_size=24))
    def test_decorations_match_the_plain_rule(self, password: str) -> None:
        """Each span of a word with one or two non-letters at its ends comes once, cheapest."""
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import COMMON_PASSWORDS

        words = s._dictionary_for(COMMON_PASSWORDS)
        dictionary = s._dictionary_matches(password, s._fold(password), words)
        expected: dict[tuple[int, int], float] = {}
        n = len(password)
        for m in dictionary:
            for lead in range(3):
                for trail in range(3):
                    start, end = m.start - lead, m.end + trail
                    if (lead or trail) and start >= 0 and end <= n:
                        ends = password[start : m.start] + password[m.end : end]
                        if not any(ch.isalpha() for ch in ends):
                            cost = m.log10 + lead + trail + (math.log10(2) if lead else 0)
                            expected[start, end] = min(cost, expected.get((start, end), cost))
        decorated = s._decorated(password, dictionary)
        found = {(d.start, d.end): d.log10 for d in decorated}
        assert len(found) == len(decorated)
        assert found.keys() == expected.keys()
        assert all(math.isclose(found[span], expected[span]) for span in found)


def _date_matches_plain(text: str, reference: int) -> list[tuple[int, int, float, str]]:
    """The plain twin of ``_date_matches``: every piece at every offset tested as a date."""
    from secpolicy.password import _strength as s

    found: list[tuple[int, int, float, str]] = []
    for run in s._DIGITS.finditer(text):
        digits = run.group()
        for length in (8, 6, 4):
            for offset in range(len(digits) - length + 1):
                piece = digits[offset : offset + length]
                start = run.start() + offset
                if length == 4:
                    year = int(piece)
                    if 1900 <= year <= 2099:
                        found.append((start, start + 4, s._year_space(year, reference), "year"))
                elif s.is_date(piece):
                    year = int(piece[:4]) if length == 8 else 1990
                    log10 = math.log10(365) + s._year_space(year, reference)
                    found.append((start, start + length, log10, "date"))
        if len(digits) >= 11 and s._MOBILE.fullmatch(digits[-11:]):
            found.append((run.end() - 11, run.end(), s._MOBILE_NUMBERS, "phone_number"))
    for match in s._DATE_SEPARATED.finditer(text):
        if s.is_date(match.group()):
            log10 = math.log10(365 * 4) + s._year_space(1990, reference)
            found.append((match.start(), match.end(), log10, "date"))
    return found


def _plain_date_match_objects(text: str, reference: int) -> list[object]:
    """The plain twin's answers as the matcher's own match objects."""
    from secpolicy.password import _strength as s

    return [s._Match(*m) for m in _date_matches_plain(text, reference)]


class TestDateMatches:
    @settings(max_examples=300, deadline=None)
    @given(st.text(alphabet=st.sampled_from("0123456789119901231-./ a"), max_size=72))
    def test_testing_each_piece_once_finds_what_testing_every_offset_finds(
        self, password: str
    ) -> None:
        """The date matcher's answers equal its plain twin's, match for match and in order."""
        from secpolicy.password import _strength as s

        fast = [(m.start, m.end, m.log10, m.kind) for m in s._date_matches(password, 2026)]
        assert fast == _date_matches_plain(password, 2026)

    def test_a_uniform_digit_run_tests_each_distinct_piece_once(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """``"1" * 72`` has one 6- and one 8-digit piece: is_date runs twice, not 132 times."""
        from secpolicy.password import _strength as s

        tested: list[str] = []
        real = s.is_date

        def counting(piece: str) -> bool:
            tested.append(piece)
            return real(piece)

        monkeypatch.setattr(s, "is_date", counting)
        s._date_matches("1" * 72, 2026)
        assert sorted(tested) == ["111111", "11111111"]

    @pytest.mark.parametrize(
        "password", ["1" * 72, "19901231" * 9, "a1" * 64, "Pass-word" * 14, "x" * 64]
    )
    def test_adversarial_inputs_keep_their_estimate(self, password: str) -> None:
        """The worst-case inputs' estimate matches the plain date matcher's, score and feedback."""
        from secpolicy.password import _strength as s

        fast = estimate(password)
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(s, "_date_matches", _plain_date_match_objects)
            plain = estimate(password)
        assert fast == plain
