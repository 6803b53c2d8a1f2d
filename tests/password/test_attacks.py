"""Attacks on the password profiles and their configuration, from the documented promises."""

from __future__ import annotations

import math
import random
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import (
    Blocklist,
    LockoutPolicy,
    LoginThrottle,
    OfflineBreachChecker,
    PasswordContext,
    PasswordHasher,
    PasswordPolicy,
    estimate,
    profiles,
)
from secpolicy.password import _composed as composed
from secpolicy.password import _names as names
from secpolicy.password import _policy as policy_module
from secpolicy.password import _progressions as progressions
from secpolicy.password import _strength as strength
from secpolicy.password._floor import floor_total
from secpolicy.password._progressions import progression_matches
from secpolicy.password._rules import CANDIDATE_BUDGET, COMMON_PASSWORDS, blocklist_candidates
from secpolicy.password._strength import REFERENCE_YEAR

PROFILES: dict[str, PasswordPolicy] = {
    "NIST_800_63B": profiles.NIST_800_63B,
    "NIST_800_63B_MFA": profiles.NIST_800_63B_MFA,
    "OWASP_ASVS_5": profiles.OWASP_ASVS_5,
    "PCI_DSS_4": profiles.PCI_DSS_4,
    "CN_MLPS_L3": profiles.CN_MLPS_L3,
}

LOCKOUT = LockoutPolicy(max_failures=3, window=timedelta(hours=1), duration=timedelta(minutes=30))

INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad")


class TestInvisibleDecoration:
    """Characters that do not show cannot make a common password look new."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("mark", INVISIBLE)
    def test_zero_width_in_repeated_word(self, name: str, mark: str) -> None:
        """`passwordpassword` with an invisible character between letters is refused."""
        password = mark.join(["pass", "word", "pass", "word"])
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("name", sorted(PROFILES))
    def test_zero_width_padding_is_not_length(self, name: str) -> None:
        """Invisible characters do not count towards the minimum length."""
        check = PROFILES[name].check("Xk9#mQ2" + "\u200b" * 20)
        assert "too_short" in check.codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    def test_accents_on_a_common_password(self, name: str) -> None:
        """Accents over a repeated common word are trivial decoration."""
        assert not PROFILES[name].check("pa\u015bswordpassw\u00f3rd").ok
        assert not PROFILES[name].check("pas\u0301swordpasswo\u0308rd!").ok

    def test_accents_on_other_scripts_untouched(self) -> None:
        """Combining marks of scripts other than Latin still count as characters."""
        phrase = "नमस्ते दुनिया मेरी किताब"
        assert "too_short" not in profiles.NIST_800_63B.check(phrase).codes


class TestBreachFileConfiguration:
    """A breach file that cannot be searched is a configuration error."""

    def test_directory_is_config_error(self, tmp_path: Path) -> None:
        """A directory given as the breach file is refused with PolicyConfigError."""
        with pytest.raises(PolicyConfigError):
            OfflineBreachChecker(tmp_path)


class TestShiftedWalks:
    """Keyboard columns typed with shift are still walks."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["!QAZ@WSX#EDC$RFV", "!qaz@wsx#edc$rfv", "ZAQ!XSW@CDE#VFR$"]
    )
    def test_shifted_column_walk(self, name: str, password: str) -> None:
        """`!QAZ@WSX#EDC$RFV`, the shifted `1qaz2wsx3edc4rfv`, is refused."""
        assert not PROFILES[name].check(password).ok


class TestSpelledOut:
    """A common password spelled letter by letter with a separator is still common."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "p-a-s-s-w-o-r-d-1-2",
            "P.a.s.s.w.o.r.d.2024",
            "p a s s w o r d p a s s",
            "i_l_o_v_e_y_o_u_1",
        ],
    )
    def test_separated_letters(self, name: str, password: str) -> None:
        """Separators between the letters of `password` do not hide it."""
        assert not PROFILES[name].check(password).ok

    def test_passphrase_with_spaces_unaffected(self) -> None:
        """Ordinary words separated by spaces are not read as a spelling."""
        assert profiles.NIST_800_63B.check("correct staple ballad orbit tundra").ok


class TestConfusables:
    """Cyrillic and Greek lookalikes mixed into Latin text do not disguise a common password."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        ["p\u0430sswordpassword", "\u0420\u0430ssword12345678", "passw\u03bfrdpassw\u03bfrd"],
    )
    def test_mixed_script_lookalikes(self, name: str, password: str) -> None:
        """`passwordpassword` with a Cyrillic a in it is refused like the Latin form."""
        assert not PROFILES[name].check(password).ok

    def test_wholly_cyrillic_passphrase_unaffected(self) -> None:
        """A passphrase entirely in Cyrillic is not rewritten into Latin letters."""
        assert profiles.NIST_800_63B.check("тихий снег укрыл старый сад").ok


class TestThrottleKeys:
    """Writing a user name differently does not reset its failure count."""

    @pytest.mark.parametrize(
        "variant",
        [
            "user:Alice",
            "user:ALICE",
            "user:alice ",
            "user:\uff41\uff4c\uff49\uff43\uff45",
            "user:ali\u200bce",
        ],
    )
    def test_variants_share_the_lock(self, variant: str) -> None:
        """After three failures on `user:alice`, every spelling of it is locked."""
        throttle = LoginThrottle(LOCKOUT)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        for _ in range(3):
            throttle.record_failure("user:alice", now=now)
        assert throttle.status(variant, now=now).locked
        assert throttle.record_failure(variant, now=now).locked

    def test_variants_count_together(self) -> None:
        """Failures spread over spellings of one name add up to a lock."""
        throttle = LoginThrottle(LOCKOUT)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        for key in ("user:alice", "user:Alice", "user:ALICE"):
            status = throttle.record_failure(key, now=now)
        assert status.locked
        throttle.unlock("USER:alice")
        assert not throttle.status("user:alice", now=now).locked

    def test_huge_key_bounded(self) -> None:
        """A megabyte key is only case-folded, not NFKC-normalised."""
        throttle = LoginThrottle(LOCKOUT)
        now = datetime(2026, 1, 1, tzinfo=UTC)
        key = "user:" + "\ufdfa" * 100_000
        assert throttle.record_failure(key, now=now).failures == 1
        assert throttle.status(key, now=now).failures == 1


class TestBoundedReadings:
    """The extra readings (lookalikes, spellings) cost at most one more pass."""

    @pytest.mark.parametrize(
        "password", [("p-\u0430-" * 16)[:64], ("Xk-9-#-m-Q-2-v\u0430" * 5)[:64]]
    )
    def test_at_most_two_passes(self, password: str, monkeypatch: pytest.MonkeyPatch) -> None:
        """check() judges a mixed-script, spelled-out password in two passes at most."""
        calls: list[str] = []
        original = PasswordPolicy._guessable

        def counting(self: PasswordPolicy, text: str, context: object) -> object:
            calls.append(text)
            return original(self, text, context)  # type: ignore[arg-type]

        monkeypatch.setattr(PasswordPolicy, "_guessable", counting)
        profiles.OWASP_ASVS_5.check(password)
        assert 1 <= len(calls) <= 2


class TestSequenceFastPath:
    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="abcdefxyz0123456789@$!ABC-", max_size=20))
    def test_one_search_agrees_with_the_plain_run_count(self, password: str) -> None:
        """The regex over the fixed windows finds a sequence exactly when the plain walk does."""
        from secpolicy.password._rules import _forms, _has_run, has_sequence

        plain = any(_has_run(text, 4) for text in _forms(password))
        assert has_sequence(password) == plain


class TestFourRunFastPath:
    """Runs of four in a disguised sequence's readings, found by one search or by the walk."""

    @settings(max_examples=400, deadline=None)
    @given(st.text(alphabet="abcdwxyz0123789@`{/:ABCZ[é\u0101\u0102", max_size=16))
    def test_one_search_agrees_with_the_plain_run_count(self, text: str) -> None:
        """The search for lower-case ASCII finds a run of four exactly when the plain walk does."""
        from secpolicy.password._rules import _has_four_run, _has_run

        assert _has_four_run(text) == _has_run(text, 4)


class TestDisguisedSequences:
    """A sequence with every key doubled or interleaved with another is still a sequence."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "a1b2c3d4e5f6g7h8",
            "1a2b3c4d5e6f7g8h9i",
            "11223344556677889",
            "aabbccddeeffgghh",
            "Secure!11223344",
            "998877665544332211",
            "A1B2C3D4E5F6G7H8!",
        ],
    )
    def test_refused_as_sequence(self, name: str, password: str) -> None:
        """Doubled (11223344...) and interleaved (a1b2c3d4...) sequences are refused everywhere."""
        assert "sequence" in PROFILES[name].check(password).codes

    def test_ordinary_text_is_not_one(self) -> None:
        """The rule finds nothing in passwords without such a pattern (random passphrase words)."""
        from secpolicy.password._rules import has_disguised_sequence

        assert not has_disguised_sequence("statue of liberty at dawn")
        assert not has_disguised_sequence("x7#Qm!2pLw9&Rt4z")
        assert has_disguised_sequence("a1b2c3d4")


class TestPlantedArgon2Cost:
    """A stored argon2 hash may not make one login cost far more than the hasher's own."""

    @pytest.mark.parametrize(
        "params",
        ["m=4194304,t=1,p=1", "m=65536,t=100000,p=1", "m=65536,t=3,p=255"],
    )
    @pytest.mark.parametrize("prefix", ["$argon2id$", "argon2$argon2id$"])
    def test_planted_costly_hash_is_not_run(
        self, monkeypatch: pytest.MonkeyPatch, params: str, prefix: str
    ) -> None:
        """A planted m=4 GiB, t=100000 or p=255 hash returns False without running argon2."""
        import argon2

        hasher = PasswordHasher(profile="RFC_9106_LOW_MEMORY")
        salt, digest = "c2FsdHNhbHRzYWx0c2FsdA", "aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"
        planted = f"{prefix}v=19${params}${salt}${digest}"

        def refuse(*_: object, **__: object) -> bool:
            raise AssertionError("argon2 ran on a planted hash")

        monkeypatch.setattr(argon2.PasswordHasher, "verify", refuse)
        assert hasher.verify(planted, "password") is False
        assert hasher.needs_rehash(planted.removeprefix("argon2"))


class TestPlantedBcryptCost:
    """A stored bcrypt hash with an extreme cost is refused rather than run."""

    @pytest.mark.parametrize("cost", ["31", "20", "99"])
    def test_planted_cost_is_not_run(self, monkeypatch: pytest.MonkeyPatch, cost: str) -> None:
        """bcrypt$$2b$31$... (2**31 rounds, days of CPU) returns False without calling bcrypt."""
        import sys
        import types

        def refuse(*_: object) -> bool:
            raise AssertionError("bcrypt ran on a planted hash")

        fake = types.ModuleType("bcrypt")
        fake.checkpw = refuse  # type: ignore[attr-defined]
        monkeypatch.setitem(sys.modules, "bcrypt", fake)
        planted = f"bcrypt$$2b${cost}$" + "a" * 53
        assert PasswordHasher.unsafe_for_tests().verify(planted, "password") is False


class TestReflectedWords:
    """A word followed by its reverse (hashcat's reflect rule) is one guess more than the word."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "fenderrednef1!",
            "Basketballllabteksab!",
            "princessassecnirp99",
            "Dragon2024!!4202nogarD",
            "sunshine1enihsnus",
            "iloveyouuoyevoli",
        ],
    )
    def test_reflection_is_too_weak(self, name: str, password: str) -> None:
        """word + reversed(word), with or without a middle or decoration, is refused as too weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_estimate_names_the_reflection(self) -> None:
        """estimate() explains the reflection as a repeat of the word, reversed."""
        from secpolicy.password import estimate

        result = estimate("fenderrednef")
        assert result.score <= 2
        assert "reversed" in result.feedback


class TestSequencesInsideRunTogetherWords:
    """Four letters in alphabet order where two words meet are spelling, not a sequence."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "kristopherfullerstudiofellow",
            "kerrstuckmosesmarla",
            "priorstudiedlucascornelia",
            "reyessniderstudyincrease",
        ],
    )
    def test_run_together_passphrase_not_a_sequence(self, name: str, password: str) -> None:
        """``rstu`` in "fullerstudio" does not make a random four-word passphrase a sequence."""
        assert "sequence" not in PROFILES[name].check(password).codes

    @pytest.mark.parametrize(
        "password", ["helloabcdefworld", "xAbcd-99!z", "Tr1234ee-Bark", "abcdwx", "Sunsh1nebcde!"]
    )
    def test_deliberate_sequences_still_refused(self, password: str) -> None:
        """Long, digit, decorated or dominant sequences are still refused by the rule."""
        assert "sequence" in profiles.OWASP_ASVS_5.check(password).codes


class TestEveryCharacterDoubled:
    """A word with each character typed twice (hashcat's ``q`` rule) is one guess more than it."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        ["qqwweerrttyy1!", "ppaasssswwoorrdd1!", "PPrriinncceessss2024", "ddrraaggoonn!!99"],
    )
    def test_doubled_word_is_too_weak(self, name: str, password: str) -> None:
        """ppaasssswwoorrdd1! and its kin are refused as too weak in every profile."""
        assert "too_weak" in PROFILES[name].check(password).codes


class TestHistoryIgnoresInvisibleCharacters:
    """An invisible character does not make an earlier password new again."""

    @pytest.mark.parametrize("mark", INVISIBLE)
    def test_reuse_with_an_invisible_character_is_refused(self, mark: str) -> None:
        """The current password with a zero-width character or soft hyphen added is 'reused'."""
        from secpolicy.password import PasswordContext

        hasher = PasswordHasher.unsafe_for_tests()
        old = "Velvet-Harbor-Lantern-73"
        context = PasswordContext(
            username="u", current_hash=hasher.hash(old), previous_hashes=[], hasher=hasher
        )
        policy = attrs.evolve(profiles.PCI_DSS_4, history_size=4)
        assert "reused" in policy.check(old[:6] + mark + old[6:], context=context).codes


class TestBackoffOverflow:
    """The doubling backoff stops at max_backoff however many failures there are."""

    def test_many_failures_with_backoff_do_not_overflow(self) -> None:
        """100 failures at one-second backoff report a 15-minute delay, not an OverflowError."""
        policy = LockoutPolicy(
            max_failures=100,
            window=timedelta(days=1),
            duration=timedelta(hours=1),
            backoff=timedelta(seconds=1),
        )
        throttle = LoginThrottle(policy)
        start = datetime(2026, 1, 1, tzinfo=UTC)
        for i in range(99):
            status = throttle.record_failure("user:alice", now=start + timedelta(seconds=i))
        assert status.failures == 99
        assert status.retry_after == start + timedelta(seconds=98) + policy.max_backoff
        assert throttle.record_failure("user:alice", now=start + timedelta(seconds=99)).locked


class TestMoreLayoutWalks:
    """Walks down the columns of QWERTZ and AZERTY, AZERTY's digit row and keypad columns."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "yaq12wsxcde34rfv",
            "1qay2wsx!Secure9",
            "&é\"'(-è_çà)=azer",
            "aqwzsxedcrfvtgby",
            "1a2z3e4r5t6y7u8i",
            "7410852096307410",
            "1470258036903691",
        ],
    )
    def test_refused(self, name: str, password: str) -> None:
        """Each is refused as a keyboard walk or as too weak in every profile."""
        codes = set(PROFILES[name].check(password).codes)
        assert codes & {"keyboard_walk", "too_weak"}


class TestHasherLengthCap:
    """The hasher refuses huge passwords before normalising them (a login-time DoS)."""

    def test_verify_huge_password_does_no_work(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """verify() of a 1,000,000-character password is False without running NFKC or argon2."""
        import types

        import argon2

        hasher = PasswordHasher.unsafe_for_tests()
        stored = hasher.hash("x")

        def refuse(*_: object, **__: object) -> object:
            raise AssertionError("work was done on a huge password")

        monkeypatch.setattr(
            "secpolicy.password._hasher.unicodedata", types.SimpleNamespace(normalize=refuse)
        )
        monkeypatch.setattr(argon2.PasswordHasher, "verify", refuse)
        huge = "\ufdfa" * 1_000_000
        assert hasher.verify(stored, huge) is False
        assert hasher.verify("pbkdf2_sha256$1$salt$abc", huge) is False
        assert hasher.verify(None, huge) is False

    def test_hash_refuses_over_the_cap(self) -> None:
        """hash() of a password over MAX_PASSWORD_LENGTH raises a typed error naming the cap."""
        from secpolicy.exceptions import SecPolicyError
        from secpolicy.password._hasher import MAX_PASSWORD_LENGTH

        hasher = PasswordHasher.unsafe_for_tests()
        with pytest.raises(SecPolicyError, match=str(MAX_PASSWORD_LENGTH)):
            hasher.hash("a" * (MAX_PASSWORD_LENGTH + 1))
        assert hasher.verify(hasher.hash("a" * MAX_PASSWORD_LENGTH), "a" * MAX_PASSWORD_LENGTH)


class TestRotatedWords:
    """A common word rotated by a letter or three (hashcat's ``{`` and ``}``) is the word."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Asswordp2024!!!",  # password, rotated left by one
            "asswordp2024!",
            "Dpasswor2024!!",  # rotated right by one
            "sswordpa2024!x",  # left by two
            "Gondra1987!",  # dragon left by three
            "onkeym1234567",  # monkey left by one
            "inesunsh2024",  # sunshine right by three
        ],
    )
    def test_rotated_word_is_too_weak(self, name: str, password: str) -> None:
        """Every profile refuses a rotated common word with a year or symbols as too weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_estimate_names_the_rotation(self) -> None:
        """The estimate explains the piece as a rotated word."""
        from secpolicy.password import estimate

        strength = estimate("asswordp")
        assert strength.score == 0
        assert "rotated" in strength.feedback
        assert strength.messages("zh-CN")


class TestPublishedPassphrases:
    """Published example passphrases are priced at their rank in a short list, in any spelling."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "correcthorsebatterystaple",
            "CorrectHorseBatteryStaple",
            "correct horse battery staple",
            "Correct-Horse-Battery-Staple1!",
            "correct.horse.battery.staple",
            "c0rr3cth0rs3b4tt3ryst4pl3",
            "incorrecthorsebatterystaple",
            "thequickbrownfoxjumpsoverthelazydog",
            "The quick brown fox jumps over the lazy dog",
            "maytheforcebewithyou",
        ],
    )
    def test_published_passphrase_is_refused(self, name: str, password: str) -> None:
        """xkcd 936's passphrase and its siblings are too weak in every profile."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_an_unpublished_four_word_phrase_keeps_its_honest_estimate(self) -> None:
        """Four ordinary words run together that no one published stay strong (no blanket rule)."""
        from secpolicy.password import estimate

        assert estimate("staplebatteryhorsecorrect").score == 4
        assert profiles.NIST_800_63B.check("staplebatteryhorsecorrect").ok
        assert profiles.NIST_800_63B.check("velvet orbit cactus lantern").ok


class TestCalendarWords:
    """Month, weekday and season names are one of 12, 7 or 4, however many are strung together."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Januaryfebruary12",
            "MarchApril2024!",
            "MarchApril2024!!",
            "january-february-march",
            "JanFebMarAprMay1!",
            "MondayTuesday2024",
            "mondaytuesdaywednesday",
            "SummerWinter2024!",
            "SpringSummerAutumnWinter",
            "DecemberJanuary2023!",
            "September2024!Aa",
            "FridaySaturday99",
        ],
    )
    def test_calendar_words_are_too_weak(self, name: str, password: str) -> None:
        """Every profile refuses month pairs, weekday runs and season pairs as too weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_calendar_word_costs_its_set(self) -> None:
        """One month name is about 24 guesses (12 names, full or short), not its word rank."""
        from secpolicy.password import estimate

        assert estimate("september").guesses_log10 < 2
        assert estimate("Sunday").guesses_log10 < 2


class TestDateCompositions:
    """Dates, year-months and years joined into ranges cost little more than their first piece."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "2024-01-01-2024-01",
            "2024-01-01-2025-01-01",
            "2023-2024",
            "2023-2024-2025",
            "1990-2024!",
            "2024.01-2024.12",
            "20240101~20241231",
            "01/01/2024-12/31/2024",
            "2024-01to2024-06",
            "199001-202412",
        ],
    )
    def test_date_composition_is_refused(self, name: str, password: str) -> None:
        """Every profile refuses ranges of dates, year-months and years as too weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_estimate_prices_the_range_as_a_date(self) -> None:
        """The whole range is one date pattern well under 10^8 guesses."""
        from secpolicy.password import estimate

        strength = estimate("2024-01-01-2024-01")
        assert [p.kind for p in strength.patterns] == ["date"]
        assert strength.guesses_log10 < 8


class TestRotatedL33tAndPinyinCalendar:
    """Siblings: a rotated word in l33t, and calendar names in pinyin as Chinese users type them."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["Ssw0rdpa2024!", "ssw0rdp@2024!", "0nkeym2024!x", "Ag0ndr2024!"]
    )
    def test_rotated_l33t_word_is_too_weak(self, name: str, password: str) -> None:
        """A rotated common word with substitutions is still the word in every profile."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "yiyueeryue2024",
            "Shieryueyiyue2023!",
            "xingqiyixingqier99",
            "zhouyizhouer2024",
            "ChuntianXiatian2024",
        ],
    )
    def test_pinyin_calendar_names_are_too_weak(self, name: str, password: str) -> None:
        """一月二月 typed as pinyin, 星期一 and 周一, 春天夏天: as weak as their English names."""
        assert "too_weak" in PROFILES[name].check(password).codes


class TestRotatedSiblings:
    """A common word rotated and reversed, or cut by a separator, is still the word."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["pdrowssa2024!!!", "ssapdrow2024!!!", "ssaPdrow2024!!!", "Wordpass2024!!!"]
    )
    def test_reversed_rotation_is_too_weak(self, name: str, password: str) -> None:
        """`password` rotated (by up to half its length) and reversed is priced as the word."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Pass-word2024!!!",
            "Pass.word.2024!!",
            "Pass@word2024!!!",
            "Sword-pas2024!!!",
            "Assw-ordp2024!!",
            "Ass.wordp.2024!",
            "ssa-pdrow2024!!!",
            "Monk-ey2024!!!!!",
        ],
    )
    def test_separator_inside_a_word_is_too_weak(self, name: str, password: str) -> None:
        """A separator typed inside a common (or rotated) word does not hide it."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["1qaz-2wsx-3edc", "1qaz 2wsx 3edc!", "1qaz.2wsx.3edc"])
    def test_separator_inside_a_keyboard_walk_is_too_weak(self, name: str, password: str) -> None:
        """A keyboard walk cut into chunks by separators is still the walk."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["p@ss-w0rd2024!!", "@ssw-0rdp2024!", "P@ss.w0rd.2024"])
    def test_separator_inside_a_l33t_word_is_too_weak(self, name: str, password: str) -> None:
        """A separator beside a l33t digit or symbol does not hide the word."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_separated_passphrase_unaffected(self) -> None:
        """Ordinary words joined by separators are not read as one split word."""
        assert profiles.NIST_800_63B.check("orbit-tundra-ballad-staple").ok
        assert profiles.NIST_800_63B.check("correct.staple.ballad.orbit").ok


class TestFamousQuotes:
    """Quotations run together, or typed backwards, are phrases a cracker tries first."""

    @pytest.mark.parametrize("name", ["NIST_800_63B", "NIST_800_63B_MFA", "OWASP_ASVS_5"])
    @pytest.mark.parametrize(
        "password",
        [
            "tobeornottobethatisthequestion",
            "To be or not to be, that is the question",
            "elementarymydearwatson",
            "Houston we have a problem",
            "keep-calm-and-carry-on",
            "elpatsyrettabesrohtcerroc",
            "Elpats-yrettab-esroh-tcerroc",
        ],
    )
    def test_quotation_is_too_weak(self, name: str, password: str) -> None:
        """A published quotation, with or without separators, forwards or backwards, is weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_ordinary_sentence_unaffected(self) -> None:
        """A sentence of ordinary words is not read as a quotation."""
        assert profiles.NIST_800_63B.check("my tundra orbit is not a ballad").ok


class TestCalendarSeparators:
    """Month names and dates joined by less usual separators are still the calendar."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        ["jan~feb~2024!!", "Jan,Feb,2024!!", "Jan|Feb|Mar|2024", "2024~01~01~2024~02!"],
    )
    def test_calendar_with_other_separators_is_too_weak(self, name: str, password: str) -> None:
        """`~`, `,`, `|` between names, or `~`/`_` inside dates, do not hide a calendar run."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["xingqiliuxingqitian", "zhouliuzhoutian2024", "libaiyilibaier2024"]
    )
    def test_other_pinyin_weekdays_are_too_weak(self, name: str, password: str) -> None:
        """星期天, 周天 and 礼拜一..礼拜天 in pinyin are weekday names like 星期一."""
        assert "too_weak" in PROFILES[name].check(password).codes


class TestCounters:
    """A word or block repeated with a counting number is one guess per counter."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Test1Test2Test3Test4",
            "pass01pass02pass03",
            "dog1dog2dog3dog4",
            "abc1-abc2-abc3-abc4",
            "Test-1-Test-2-Test-3",
            "tiger5tiger10tiger15",
            "qwe1qwe2qwe3qwe4",
        ],
    )
    def test_counted_repeats_are_too_weak(self, name: str, password: str) -> None:
        """`Test1Test2Test3`: one word and a counter, however long the run."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_unrelated_numbered_words_unaffected(self) -> None:
        """Different words with different numbers are not one counter."""
        assert profiles.NIST_800_63B.check("orbit7tundra31ballad9staple").ok

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["Mayth3f0rc3b3w1thy0u", "W1nt3r1sc0m1ng!!"])
    def test_quotation_with_both_l33t_readings_is_too_weak(self, name: str, password: str) -> None:
        """`1` read as `i` alongside `3` as `e` and `0` as `o` still spells the phrase."""
        assert "too_weak" in PROFILES[name].check(password).codes

    @pytest.mark.parametrize("name", ["NIST_800_63B", "NIST_800_63B_MFA", "OWASP_ASVS_5"])
    @pytest.mark.parametrize("password", ["2024.01.01 - 2024.01.31", "2024-01-01 ~ 2024-12-31"])
    def test_date_range_with_spaced_joiner_is_too_weak(self, name: str, password: str) -> None:
        """A date range written with spaces round its dash is still a date range."""
        assert "too_weak" in PROFILES[name].check(password).codes


class TestReversedL33tWords:
    """A word typed backwards *and* in l33t, perhaps cut by a separator, is still the word."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Dr0w-ss@p2024!",
            "dr0w-ss@p2024!",
            "Dr0w.ss@p2024!",
            "Dr0w_ss4p2024!",
            "DR0W-SS@P2024!",
            "y3kn0m-2024!!",
            "en1hsnus-2024!",
            "3n!hsnus.2024!",
            "yt1ruc3s-2024!",
        ],
    )
    def test_reversed_l33t_word_is_too_weak(self, name: str, password: str) -> None:
        """`password`, `monkey`, `sunshine`, `security` reversed with substitutions are refused."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_estimate_names_both_rules(self) -> None:
        """The piece is one dictionary word, reversed and substituted, well under 10^4 guesses."""
        from secpolicy.password import estimate

        strength = estimate("Dr0w-ss@p")
        assert [p.kind for p in strength.patterns] == ["dictionary"]
        assert strength.guesses_log10 < 4
        assert {"reversed", "substitution"} <= set(strength.feedback)


class TestCompositionsOfCommonPieces:
    """Common pieces joined by one separator cost the product of the pieces, not random text."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "asdf-ghjk-2024!",
            "asdf.ghjk.2024!",
            "Asdf-Ghjk-2024!",
            "qwer-tyui-2024!",
            "Monkey-Dragon-2024",
            "Monkey.Dragon.2024",
            "Dragon_Master_2023",
            "Shadow-Monkey-2025",
            "Football-Baseball-2024!",
            "ILoveJan2024!!!",
            "ilovejan2024!!!",
            "ILoveMay2024!!!",
            "ILoveDec2023???",
            "IloveFeb2024!!!",
            "ILoveMonday2024!!",
            "MyLoveJune2024!!",
            "P@ss-W0rd-2024!",
            "Pass-Word-2024!",
            "sun-shine-2024!!",
        ],
    )
    def test_composition_is_too_weak(self, name: str, password: str) -> None:
        """Keyboard-walk chunks, top words and a phrase with a month, year and symbols are weak."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_two_top_words_and_a_year_cost_their_product(self) -> None:
        """`Monkey-Dragon-2024` is about rank x rank x years x separator, under 10^7 guesses."""
        from secpolicy.password import estimate

        strength = estimate("Monkey-Dragon-2024")
        assert strength.guesses_log10 < 7
        assert [p.kind for p in strength.patterns] == ["dictionary"]

    @pytest.mark.parametrize(
        "password",
        [
            "orbit-tundra-ballad-staple",
            "correct.staple.ballad.orbit",
            "statue of liberty at dawn",
            "my property taxes are due",
            "poverty is not a crime",
            "Orbit-Tundra-Ballad-2024",
        ],
    )
    def test_ordinary_words_keep_their_estimate(self, password: str) -> None:
        """Uncommon words joined by separators stay strong: their ranks multiply to much."""
        assert profiles.NIST_800_63B.check(password).ok


class TestCalendarNamesInOtherLanguages:
    """Month and weekday names of the library's regions cost their set, like the English ones."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "JanuarFebruar2024",
            "maerzapril2024!",
            "MontagDienstag2024",
            "JanvierFevrier2024",
            "février-mars-2024",
            "lundimardi2024!!",
            "EneroFebrero2024!",
            "LunesMartes2024",
            "JaneiroFevereiro24",
            "segundaterca2024",
            "GennaioFebbraio2024",
            "LunediMartedi2024",
            "JanuariFebruari2024",
            "maandagdinsdag2024",
            "Ichigatsunigatsu2024",
            "getsuyoubikayoubi2024",
        ],
    )
    def test_foreign_calendar_words_are_too_weak(self, name: str, password: str) -> None:
        """German, French, Spanish, Portuguese, Italian, Dutch and romaji names are refused."""
        assert "too_weak" in PROFILES[name].check(password).codes

    def test_foreign_name_costs_its_set_and_language(self) -> None:
        """One foreign month name is one of 12 in one of 14 forms, under 10^2.5 guesses."""
        from secpolicy.password import estimate

        for word in ("dezember", "juillet", "miércoles", "setembro", "giovedi", "kugatsu"):
            assert estimate(word).guesses_log10 < 2.5, word


class TestGreetingPhrases:
    """Greetings and famous lines, with a number after them, are phrase-list entries."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "Happybirthday2me",
            "merrychristmas2023",
            "onceuponatime123",
            "maythe4thbewithyou",
            "Iloveyoutothemoon",
            "whatdoesthefoxsay",
            "HappyNewYear2024!",
        ],
    )
    def test_greeting_phrase_is_refused(self, name: str, password: str) -> None:
        """Holiday greetings, fairy-tale openings and famous lines are too weak everywhere."""
        assert not PROFILES[name].check(password).ok


class TestPinyinPhrases:
    """Pinyin love words and common full names cost their place in a short list."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "aini1314yisheng",
            "aini1314520yisheng",
            "woaiwangfang1314",
            "wangfang0101woaini",
            "qinaide1314520",
            "lisi19900101",
            "yisheng1314",
            "zhongguoren1949",
            "lixiaolong1314",
        ],
    )
    def test_pinyin_phrase_is_refused(self, name: str, password: str) -> None:
        """我爱你一生, 亲爱的, 中国人 and the commonest names with love numbers are refused."""
        assert not PROFILES[name].check(password).ok


class TestDatesInFields:
    """A date written in fields inside a composition is one date, not three numbers."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["Smith.John.1990.01.01", "John.Smith.12.05.1988"])
    def test_name_and_separated_birthday_is_refused(self, name: str, password: str) -> None:
        """A common name pair and a birthday joined by one separator are too weak everywhere."""
        assert not PROFILES[name].check(password).ok

    def test_date_in_fields_costs_one_date(self) -> None:
        """``1990.01.01`` after two words adds one date's guesses: a day, a year and an order."""
        from secpolicy.password import estimate

        short = estimate("Smith.John.1990").guesses_log10
        full = estimate("Smith.John.1990.01.01").guesses_log10
        assert 2.0 < full - short < 3.5


class TestTextSpeakPhrases:
    """Digits read as words (``4ever``, ``2gether``, ``2u``) are phrase-list entries."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "iloveyou2u4ever!",
            "Friends4ever!!",
            "bestfriends4ever",
            "Forever2gether!",
            "us2gether4ever",
            "together4ever1",
        ],
    )
    def test_text_speak_phrase_is_refused(self, name: str, password: str) -> None:
        """Text-speak love and friendship lines are too weak everywhere."""
        assert not PROFILES[name].check(password).ok


class TestZigzagWalks:
    """The home row zigzagged with the top row is a keyboard walk, both ways."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["plokijuhygtf", "PLOKIJUHYG!2024", "Qawsedrftgyh1!", "plokijuhygtfrdes"]
    )
    def test_top_and_home_row_zigzag(self, name: str, password: str) -> None:
        """``qawsedrftgyh`` and its reverse ``plokijuhygtf`` are refused everywhere."""
        assert not PROFILES[name].check(password).ok


class TestRefusedReading:
    """The second reading skips its score only when a cheap rule already refuses it."""

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        st.sampled_from(sorted(PROFILES)),
        st.text(alphabet="aA4@1lI!|0oO-. s$5", min_size=1, max_size=24),
    )
    def test_agrees_with_the_scored_pass(self, name: str, text: str) -> None:
        """_refused_reading refuses exactly when _guessable does, with the same cheap codes."""
        policy = PROFILES[name]
        fast = {v.code for v in policy._refused_reading(text, None)}
        plain = {v.code for v in policy._guessable(text, None)}
        assert bool(fast) == bool(plain)
        assert fast <= plain
        assert plain - fast <= {"too_weak"}


class TestTwoLetterKeysReadDifferently:
    """A ``1`` for ``i`` and another for ``l`` in one word do not hide the word."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        ("uniform", "mixed"),
        [
            ("Wi11iam!Wi11iam", "W1l1iam!W1l1iam"),
            ("1nte1ligence2024", "1nte11igence2024"),
            ("Wi11iam!Wi11iam", "W|l1iam!W|l1iam"),
            ("Wi11iam!Wi11iam", "Wi1!iam!Wi1!iam"),
            ("mailliw2024!mailliw", "ma1l1iw2024!ma1l1iw"),
        ],
    )
    def test_refused_like_the_uniform_spelling(self, name: str, uniform: str, mixed: str) -> None:
        """Each profile that refuses the word with one reading of its keys refuses the mixed one."""
        assert not PROFILES[name].check(uniform).ok
        assert not PROFILES[name].check(mixed).ok

    @pytest.mark.parametrize(
        ("uniform", "mixed"),
        [("Wi11iam", "W1l1iam"), ("Mi11ion", "M1l1ion"), ("i11inois", "1l1inois")],
    )
    def test_the_estimate_finds_the_word(self, uniform: str, mixed: str) -> None:
        """The mixed spelling costs what the uniform one does: the word and its substitutions."""
        assert estimate(mixed).guesses_log10 == estimate(uniform).guesses_log10


class TestLatinLookalikes:
    """Latin letters NFKC keeps (dotless i, small capitals, strokes, sharp s) do not disguise."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "W\u0131ll\u0131am!W\u0131ll\u0131am",
            "M\u0131ll\u0131ona\u0131re2024!",
            "Pa\u00dfword!Pa\u00dfword1",
            "PA\u1e9eWORD!PA\u1e9eWORD1",
            "Passw\u1d0frd!Passw\u1d0frd1",
            "Drag\u1d0fn-M\u1d0fnkey-2024",
            "\u1d18\u1d00ssw\u1d0f\u0280\u1d05!\u1d18\u1d00ssw\u1d0f\u0280\u1d05",
            "Passw\u00f8rd!Passw\u00f8rd1",
            "Mi\u0142\u0142ionaire2024!",
            "\u0110ragon-Monkey-2024",
            "Passw\ua74drd!Passw\ua74drd1",
            "Sunsh\u1d7bne2024!Sunsh\u1d7bne",
        ],
    )
    def test_refused_like_the_plain_letters(self, name: str, password: str) -> None:
        """Millionaire2024! with dotless i (U+0131) is refused wherever the plain one is."""
        assert not PROFILES[name].check(password).ok

    def test_turkish_passphrase_unaffected(self) -> None:
        """A passphrase of Turkish words keeps its dotless letters' honest estimate."""
        assert profiles.NIST_800_63B.check("k\u0131rm\u0131z\u0131 bal\u0131k yazdan kalma").ok


class TestDigitsOfOtherScripts:
    """Arabic-Indic, Devanagari or Thai digits after common pieces are still a year."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("zero", [0x0660, 0x06F0, 0x0966, 0x09E6, 0x0E50, 0x07C0])
    def test_composition_with_a_year_in_other_digits(self, name: str, zero: int) -> None:
        """`Dragon-Monkey-2024` is refused with its year in any script's digits."""
        year = "".join(chr(zero + int(d)) for d in "2024")
        assert not PROFILES[name].check("Dragon-Monkey-" + year).ok


class TestDictionaryAutomatonFailure:
    """An automaton that cannot be built fails the check loudly, never as "no words"."""

    def test_a_failed_build_is_an_error_then_retried(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """check() raises while the automaton cannot be built, and refuses once it can."""
        from secpolicy.password import _wordscan

        def no_memory(*_: object) -> object:
            raise MemoryError

        policy = PasswordPolicy(min_length=8, blocklist=Blocklist(["hunter22"]), min_score=3)
        monkeypatch.setattr(_wordscan.ahocorasick, "Automaton", no_memory)
        with pytest.raises(MemoryError):
            policy.check("P@ssw0rdP@ssw0rd!")
        monkeypatch.undo()
        assert "too_weak" in policy.check("P@ssw0rdP@ssw0rd!").codes


def _adversarial(seed: int) -> str:
    """A few cheap pieces combined the way the fast score's floor relaxes them.

    Words in every reading (l33t both ways, reversed, rotated, cut by a
    separator), years, dates, walks, sequences, calendar names, phrases,
    pinyin, the user's data and CJK text, joined plainly or as a repeat, an
    echo, a mirror, a doubled piece or a counter, then decorated: most land
    near the 10^8 guesses of ``min_score=3``.
    """
    rng = random.Random(seed)
    words = ["password", "monkey", "dragon", "sunshine", "iloveyou", "princess", "football"]
    words += ["shadow", "master", "superman", "michael", "jennifer", "basketball", "security"]
    leet = {"a": "@4", "e": "3", "i": "1!", "l": "1|", "o": "0", "s": "$5", "t": "7+", "g": "9"}

    def l33t(word: str) -> str:
        return "".join(rng.choice(leet[c]) if c in leet and rng.random() < 0.5 else c for c in word)

    def word() -> str:
        w = rng.choice(words)
        shape = rng.randrange(6)
        if shape == 1:
            w = l33t(w)
        elif shape == 2:
            w = l33t(w[::-1])
        elif shape == 3:
            k = rng.randint(1, 3)
            w = w[k:] + w[:k]
        elif shape == 4:
            k = rng.randint(1, len(w) - 1)
            w = l33t(w[:k]) + rng.choice("-._ !") + l33t(w[k:])
        return w.capitalize() if rng.random() < 0.4 else w

    def piece() -> str:
        return rng.choice(
            [
                word(),
                word(),
                str(rng.randint(1950, 2030)),
                f"{rng.randint(1960, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
                rng.choice(["qwerty", "1qaz2wsx", "asdf", "zxcvbn", "azerty", "ytrewq", "фыва"]),
                rng.choice(["1qaz-2wsx-3edc", "qwer tyui op", "zaq1.xsw2.cde3.vfr4-"]),
                rng.choice(["пароль", "Пароль", "密码", "contraseña", "密码password"]),
                rng.choice(
                    ["W1l1iam", "Dr@g0n", "1nte11igence", "M0nk3y", "1l1iamw", "wor1d!h3llo"]
                ),
                rng.choice(["abcd", "1234", "987654", "xyz"]),
                rng.choice(["March", "april", "Monday", "summer", "dezember", "yiyue"]),
                rng.choice(["correcthorse", "woaini", "5201314", "zhangwei", "happybirthday"]),
                rng.choice(["zhangsan", "0307", "19900307", "sanzhang", "密码", "张三"]),
                rng.choice("!@#$*") * rng.randint(1, 3),
            ]
        )

    parts = [piece() for _ in range(rng.randint(1, 3))]
    sep = rng.choice(["", "", "-", ".", "_", " "])
    unit = sep.join(parts)
    shape = rng.randrange(6)
    if shape == 0:
        text = unit * rng.randint(2, 5)
    elif shape == 1:
        text = unit + str(rng.randint(0, 2030))[: rng.randint(1, 4)] + "!" + unit.lower()
    elif shape == 2:
        text = unit + rng.choice(["", "1", "!"]) + unit[::-1]
    elif shape == 3:
        text = "".join(c * 2 for c in unit) + piece()
    elif shape == 4:
        start = rng.randint(0, 20)
        text = "".join(f"{sep}{parts[0]}{start + k}" for k in range(rng.randint(2, 4)))
    else:
        text = unit
    while len(text) < 24:
        text += rng.choice(["", "-", "!"]) + piece()
    return text[:64] + rng.choice(["", "", "!", "1", "2024", "!!"])


WORDS = strength._dictionary_for(COMMON_PASSWORDS)
ADVERSARIAL = [_adversarial(seed) for seed in range(150)]
ADVERSARIAL_USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "张三", "birth_date": date(1990, 3, 7)},
)


class TestAdversarialCompositions:
    """Cheap pieces combined to fool the fast score's floor are judged as by the plain cover."""

    @pytest.mark.parametrize("text", ADVERSARIAL)
    def test_floor_is_below_the_plain_minimum(self, text: str) -> None:
        """The floor never exceeds the plain cover's cost, with or without the user's data."""
        for context in (None, ADVERSARIAL_USER):
            words, personal = strength._inputs(context, (), None)
            folded = strength._fold(text)
            cheap = [
                *strength._sequence_matches(folded),
                *strength._walk_matches(folded),
                *strength._date_matches(text, REFERENCE_YEAR),
                *(strength._Match(*p) for p in composed.date_runs(text, REFERENCE_YEAR)),
                *strength._user_matches(text, folded, personal),
            ]
            got = floor_total(text, folded, words, cheap, REFERENCE_YEAR)
            matches = strength._matches(text, words, personal, REFERENCE_YEAR)
            assert got <= strength._cover(len(text), matches)[0] + 1e-9

    @pytest.mark.parametrize("text", ADVERSARIAL)
    def test_capped_score_and_every_profile_agree_with_the_plain_cover(self, text: str) -> None:
        """score(cap=k) is min(plain score, k), and each profile's violations are the plain ones."""
        for context in (None, ADVERSARIAL_USER):
            want = strength._plain_score(text, context)
            assert [strength.score(text, context, cap=k) for k in range(5)] == [
                min(want, k) for k in range(5)
            ]

        def plain(*args: object, cap: int = 4, **kwargs: object) -> int:
            return strength._plain_score(*args, **kwargs)  # type: ignore[arg-type] (test double)

        fast = [
            PROFILES[name].check(text, context=ADVERSARIAL_USER).violations for name in PROFILES
        ]
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(policy_module, "score", plain)
            want_violations = [
                PROFILES[name].check(text, context=ADVERSARIAL_USER).violations for name in PROFILES
            ]
        assert fast == want_violations


class TestWalksCutAtTheirGroups:
    """A keyboard walk cut by one separator between its groups costs the walk and the separator."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        [
            "1qaz-2wsx-3edc-4rfv",
            "1qaz-2wsx-3edc-4rfv-2024!",
            "1QAZ.2WSX.3EDC.4RFV",
            "qwer_tyui_op12",
            "2024!1qaz 2wsx 3edc 4rfv",
            "zaq1-xsw2-cde3-vfr4",
        ],
    )
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Every profile refuses them, as it refuses the uncut ``1qaz2wsx3edc4rfv2024!``."""
        assert not PROFILES[name].check(password).ok

    def test_costs_the_uncut_walk_and_the_separator(self) -> None:
        """Three cuts by ``-`` between the groups of four cost one choice of separator more."""
        uncut = strength.estimate("1qaz2wsx3edc4rfv").guesses_log10
        cut = strength.estimate("1qaz-2wsx-3edc-4rfv").guesses_log10
        assert cut == pytest.approx(uncut + math.log10(4))

    @pytest.mark.parametrize(
        ("cut", "uncut"),
        [
            ("1qaz-2wsx-3edc-2024", "1qaz2wsx3edc2024"),
            ("Dragon-1qaz-2wsx-3edc-2024", "Dragon1qaz2wsx3edc2024"),
            ("2024 qwer tyui op", "2024qwertyuiop"),
        ],
    )
    def test_the_separator_on_to_the_next_piece_is_the_walks(self, cut: str, uncut: str) -> None:
        """The walk's separator before or after its neighbours costs no more choices."""
        more = strength.estimate(cut).guesses_log10 - strength.estimate(uncut).guesses_log10
        assert more <= math.log10(4) + 1e-9

    @pytest.mark.parametrize("password", ["1qaz-2wsx_3edc-4rfv", "1qa-z2ws-x3e-dc4rfv"])
    def test_mixed_or_irregular_cuts_stay_dear(self, password: str) -> None:
        """Different separators, or cuts off the groups, are not the walk's own shape."""
        assert (
            strength.estimate(password).guesses_log10
            > strength.estimate("1qaz-2wsx-3edc-4rfv").guesses_log10 + 1.0
        )


class TestCountedYears:
    """A counter that starts at a year costs the year, not any number of its digits."""

    def test_a_year_counter_costs_the_year(self) -> None:
        """``Dragon2024Dragon2025`` starts its counter at a recent year: one of about twenty."""
        counted = [
            m
            for m in strength._counter_matches(
                "xqzvkw2024xqzvkw2025", "xqzvkw2024xqzvkw2025", WORDS, set(), REFERENCE_YEAR
            )
            if m.start == 0 and m.end == 20
        ]
        assert counted
        assert counted[0].log10 < strength.estimate("xqzvkw").guesses_log10 + 4.0

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["пароль2024пароль2025!!", "Пароль2024!Пароль2024!", "Пароль2025Пароль2026"]
    )
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """The Russian word for password with a year counter or repeated is refused."""
        assert not PROFILES[name].check(password).ok


class TestPasswordInOtherLanguages:
    """The word "password" in the languages users type it in is one of the first guesses."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        ["密码password密码2024!!", "密码密码2024!!", "Contraseña2024!!", "Пароль-2024-!"],
    )
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Each is a translation of "password" with a year and symbols."""
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("word", ["密码", "密碼", "пароль", "passwort", "contraseña", "senha"])
    def test_each_costs_a_choice_among_few(self, word: str) -> None:
        """Alone, each costs at most a choice among a few dozen words."""
        assert strength.estimate(word).guesses_log10 <= 2.0


class TestMixedKeysInCompositions:
    """A word whose ``1`` is ``i`` in one place and ``l`` in another is a piece of a composition."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password", ["W1l1iam-Dr@g0n-2024", "Dr@g0n.W1l1iam.2024", "M0nk3y_W1l1iam_1990"]
    )
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Refused as ``William-Dragon-2024`` is."""
        assert not PROFILES[name].check(password).ok

    def test_costs_what_a_uniform_reading_costs(self) -> None:
        """Mixed readings cost their substituted keys, as ``W1ll1am-Dr@g0n-2024``'s do."""
        mixed = strength.estimate("W1l1iam-Dr@g0n-2024").guesses_log10
        plain = strength.estimate("William-Dragon-2024").guesses_log10
        assert mixed <= plain + 6 * math.log10(2) + 1e-9


class TestMixedKeysInRotatedWords:
    """A rotated word whose two-letter keys read differently costs the rotation and its keys."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["1l1iamw!1l1iamw", "1l1iamw2024!"])
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """``1l1iamw`` is ``william`` rotated by one, its ``1`` read as ``i`` and as ``l``."""
        assert not PROFILES[name].check(password).ok

    def test_costs_the_rotation_and_the_keys(self) -> None:
        """As much as the uniform ``1ll1amw`` (rotated ``william``) with its keys."""
        mixed = [m for m in strength._mixed_matches("1l1iamw", "1l1iamw", WORDS) if m.end == 7]
        assert mixed
        assert "rotated" in mixed[0].notes
        assert min(m.log10 for m in mixed) <= strength.estimate("1ll1amw").guesses_log10 + 1e-9


class TestWholeWordShortcut:
    """A text typed whole as a dictionary entry scores 0 at once only when the walks read it."""

    #: Longer than the dictionary's longest readable word (``_MAX_WORD``, 32).
    LONG = "xq7vzk9mw2pl4rt8bn3hy6dc5jf1gs0ae"

    def test_custom_entry_beyond_the_walks_keeps_its_exact_score(self) -> None:
        """A 33-key custom entry is blocklisted; its too_weak score is the plain twin's, not 0."""
        blocklist = Blocklist([self.LONG, "hunter2"])
        policy = PasswordPolicy(max_length=128, min_score=4, blocklist=blocklist)
        plain = strength._plain_score(self.LONG, dictionary=blocklist)
        assert strength.score(self.LONG, dictionary=blocklist) == plain
        assert estimate(self.LONG, dictionary=blocklist).score == plain
        weak = [v for v in policy.check(self.LONG).violations if v.code == "too_weak"]
        assert [v.params["score"] for v in weak] == ([plain] if plain < 4 else [])
        assert "blocklisted" in policy.check(self.LONG).codes

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.sampled_from(["password", "qwerty", "dragon", "monkey", "x7", "Q", "\u00e9", "1"]),
            min_size=1,
            max_size=8,
        ).map("".join)
    )
    def test_custom_entries_of_any_length_score_as_the_plain_twin(self, word: str) -> None:
        """Entries of 3 to 60 keys, typed whole in any case: the score is the plain cover's."""
        blocklist = Blocklist([word, word.upper() + "x"])
        for text in (word, word.upper(), word.capitalize()):
            assert strength.score(text, dictionary=blocklist) == strength._plain_score(
                text, dictionary=blocklist
            )


ATTACK_PIECES = st.sampled_from(
    [
        "password", "p@ssw0rd", "P4$$W0RD", "iloveyou", "1L0veY0u", "$h4d0w", "@dmin",
        "abcdef", "13579", "fedcba", "aabbccdd", "a1b2c3d4", "\u03b1\u03b2\u03b3\u03b4",
        "\u0430\u0431\u0432\u0433", "\uff41\uff42\uff43\uff44", "\u0661\u0662\u0663\u0664",
        "\u0967\u0968\u0969\u096a", "qwerty", "\u0439\u0446\u0443\u043a\u0435\u043d", "azerty",
        "qwertz", "aoeuid", "7894561230", "correcthorsebatterystaple", "elpatsyrettab",
        "c0rr3ct-h0rs3", "tobeornottobe", "\u5bc6\u7801", "\u043f\u0430\u0440\u043e\u043b\u044c",
        "contrase\u00f1a", "zhangwei", "19900517", "2024", "!", "-", " ", "\uff20", "\uff14",
        "\u00c9", "\u0130", "\u0131", "\u00df", "\u200b", "\u0301", "\ud800", "\udfff",
    ]
)  # fmt: skip
ATTACKS = st.lists(
    st.one_of(ATTACK_PIECES, ATTACK_PIECES.map(str.upper), ATTACK_PIECES.map(lambda p: p[::-1])),
    min_size=1,
    max_size=4,
).map("".join)


class TestShortcutsAgainstTwinsOnAttacks:
    """Each shortcut of issue 20 agrees with its plain twin on what attackers type."""

    @settings(max_examples=300, deadline=None)
    @given(ATTACKS)
    def test_score_is_the_plain_score(self, password: str) -> None:
        """The bounded score (whole-word shortcut included) is the plain cover's, capped."""
        import unicodedata

        text = unicodedata.normalize("NFKC", password)
        context = PasswordContext(username="zhangwei", attributes={"birthday": "1990-05-17"})
        for ctx in (None, context):
            for cap in (3, 4):
                assert strength.score(text, ctx, cap=cap) == strength._plain_score(
                    text, ctx, cap=cap
                )

    @settings(max_examples=300, deadline=None)
    @given(ATTACKS)
    def test_phrases_sequences_cuts_and_runs_agree(self, password: str) -> None:
        """Phrase prefilter, sequence automaton, camel cuts and four-run search vs their twins."""
        import unicodedata

        from secpolicy.password import _rules as rules

        text = unicodedata.normalize("NFKC", password)
        folded = strength._fold(text)
        assert composed.published_phrases(text, folded) == composed.published_phrases(
            text, folded, prefilter=False
        )
        assert strength._sequence_matches(folded) == strength._sequence_runs(folded)
        assert composed._camel_parts(text) == composed._camel_cuts(text)
        for form in rules._forms(text):
            assert rules._has_four_run(form) == rules._has_run(form, 4)


class TestKeypadColumnsCut:
    """Keypad columns cut into their groups by one separator are the walk they spell (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize(
        "password",
        ["147-258-369", "147 258 369", "789-456-123", "7410-8520-9630", "159-357-159-357"],
    )
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Digits on both sides of each cut do not hide the walk."""
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("name", sorted(PROFILES))
    def test_columns_of_letters_still_refused(self, name: str) -> None:
        """``1qaz-2wsx-3edc`` after a word and before a year (a letter beside each cut)."""
        assert not PROFILES[name].check("Dragon-1qaz-2wsx-3edc-2024").ok

    def test_priced_as_the_walk(self) -> None:
        """``147-258-369`` costs the walk ``147258369`` and its separator's choice, no more."""
        cut = strength.estimate("147-258-369")
        assert [p.kind for p in cut.patterns] == ["keyboard_walk"]
        walk = strength.estimate("147258369").guesses_log10
        assert cut.guesses_log10 <= walk + math.log10(4) + 1e-9
        assert _floor_of("147-258-369") <= cut.guesses_log10 + 1e-9

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        st.lists(st.text(alphabet="0123456789qaz", min_size=1, max_size=4), min_size=2, max_size=5),
        st.sampled_from(["-", " ", ".", "/", "#"]),
        st.sampled_from(["", "Dragon", "2024!"]),
    )
    def test_digit_groups_agree_with_the_plain_cover(
        self, groups: list[str], separator: str, tail: str
    ) -> None:
        """Digits cut by separators: the bounded score, the plain cover and the floor agree."""
        text = separator.join(groups) + tail
        want = strength._plain_score(text)
        assert [strength.score(text, cap=k) for k in range(5)] == [min(want, k) for k in range(5)]
        words, personal = strength._inputs(None, (), None)
        matches = strength._matches(text, words, personal, REFERENCE_YEAR)
        assert _floor_of(text) <= strength._cover(len(text), matches)[0] + 1e-9


def _floor_of(text: str) -> float:
    """The score's floor of *text* with the cheap matchers' matches, as the bounded search."""
    words, personal = strength._inputs(None, (), None)
    folded = strength._fold(text)
    cheap = [
        *strength._sequence_matches(folded),
        *strength._walk_matches(folded),
        *strength._date_matches(text, REFERENCE_YEAR),
        *(strength._Match(*p) for p in composed.date_runs(text, REFERENCE_YEAR)),
        *strength._user_matches(text, folded, personal),
    ]
    return floor_total(text, folded, words, cheap, REFERENCE_YEAR)


#: Lookalikes of Latin letters that carry a mark or a dot: NFKC keeps them.
MARKED_LOOKALIKES = (
    "Mi\u0140\u0140ionaire2024!",  # Catalan l with middle dot: l\u00b7 after NFKC
    "MI\u013f\u013fIONAIRE2024!",
    "Pr\u0457ncess2024!",  # Cyrillic i with diaeresis
    "Sunsh\u0457ne2024!",
    "S\u00ebcr\u0451t2024!",  # Cyrillic io (e with diaeresis)
    "\u04d2dminPassword1!",  # Cyrillic A with diaeresis
    "Sh\u04e7pping2024!",  # Cyrillic o with diaeresis
    "P\u03acssword2024!",  # Greek alpha with tonos
    "Pr\u03cancess2024!",  # Greek iota with dialytika
    "Pr\u03b9ncess2024!",  # Greek iota
    "Mon\u043aey2024!",  # Cyrillic ka
    "Mon\u03baey2024!",  # Greek kappa
    "\u04c0loveYou2024!",  # Cyrillic palochka, capital
    "\u051celcome2024!",  # Cyrillic we, capital
)


class TestMarkedLookalikes:
    """A lookalike of a Latin letter with a mark over it is decoration of the word (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", MARKED_LOOKALIKES)
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Refused as the word with plain letters is."""
        check = PROFILES[name].check(password)
        assert {"blocklisted", "too_weak"} & set(check.codes), check.codes

    @pytest.mark.parametrize("password", MARKED_LOOKALIKES)
    def test_read_as_latin(self, password: str) -> None:
        """The rules' reading is ASCII: marks and the middle dot gone, lookalikes Latin."""
        text = policy_module._nfkc(password)
        assert policy_module._as_latin(policy_module._visible(text)).isascii()

    def test_wholly_cyrillic_text_untouched(self) -> None:
        """Without Latin letters nothing is read as Latin: ``\u0451`` stays a letter of its own."""
        text = "\u0401\u043b\u043a\u0430 \u0437\u0438\u043c\u043e\u0439 \u0457\u0436\u0430\u043a"
        assert policy_module._as_latin(text) == text

    def test_middle_dot_between_other_letters_kept(self) -> None:
        """Only the dot after an ``l`` is the Catalan letter's: ``a\u00b7b`` keeps it."""
        assert policy_module._as_latin("ab\u00b7c\u00e9") == "ab\u00b7ce"


#: Common words with every letter that has a key written as that key (``(`` c,
#: ``#`` h, ``+`` t, ``|`` l), a year and a symbol after them.
LETTERLESS_LEET = ("(#0(0|@+32024!", "(0(@(0|@2024!", "(#0(0|@+3!!", "!(#0(0|@+32024")


class TestWordsWhollyInKeys:
    """A word spelt wholly in l33t keys has no letter to find it by (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", LETTERLESS_LEET)
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """Refused as ``chocolate2024!`` (``ch0c0l@t3``) is."""
        assert "blocklisted" in PROFILES[name].check(password).codes

    def test_numbers_are_not_read_as_words(self) -> None:
        """A core needs two keys that are not digits: ``2024!`` and ``123456!`` stay themselves."""
        assert blocklist_candidates("123456!") == ["123456!", "123456"]
        assert blocklist_candidates("2024!!") == ["2024!!", "2024"]

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(st.text(alphabet="@4(3#1!|05$7+2%&*^-_=", max_size=24))
    def test_readings_bounded_and_letterless_ones_are_keys(self, text: str) -> None:
        """Within the budget, and every reading but the text's own forms is letters only."""
        found = blocklist_candidates(text)
        assert len(found) <= CANDIDATE_BUDGET
        bare = text.strip("".join(ch for ch in set(text) if not ch.isalnum()))
        for reading in found:
            assert reading in (text, bare) or reading.isalpha()


class TestMixedKeysWithinBudget:
    """Two-letter keys read mixed are tried before keys kept as themselves (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", ["+w1|1gh+2024!", "+W1|1GH+2024!", "+w1|1gh+!!"])
    def test_refused_everywhere(self, name: str, password: str) -> None:
        """``twilight`` with ``1`` as i and ``|`` as l is found before the budget runs out."""
        assert "blocklisted" in PROFILES[name].check(password).codes

    def test_reading_within_budget(self) -> None:
        """The reading is among the first ``CANDIDATE_BUDGET``."""
        assert "twilight" in blocklist_candidates("+w1|1gh+2024!")


PROGRESSIONS = [
    "13579111315171921",
    "2468101214161820",
    "123456789101112",
    "5101520253035",
    "10203040506070",
    "21191715131197531",
    "2018161412108642",
    "2-4-6-8-10-12-14-16",
    "5.10.15.20.25.30.35",
]


class TestNumberProgressions:
    """Numbers counted by a constant step cost a start, a step and a count (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", PROGRESSIONS)
    def test_refused(self, name: str, password: str) -> None:
        """Every profile refuses a counted run, with or without separators, either way."""
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("password", PROGRESSIONS)
    def test_estimate_and_score_agree(self, password: str) -> None:
        """The plain cover and the bounded score see the same progression."""
        assert estimate(password).score == strength.score(password) < 3

    def test_priced_as_its_choices(self) -> None:
        """The odd numbers to 21: start 1 (2), step 2 (4 with the direction), 11 numbers."""
        spans = {(s, e): g for s, e, g in progression_matches("13579111315171921")}
        assert spans[(0, 17)] == pytest.approx(math.log10(2 * 4 * 11))

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(st.text(alphabet="0123456789-. _x", max_size=40))
    def test_fast_scan_is_the_plain_twin(self, text: str) -> None:
        """The scan for starts finds what trying every position finds."""
        assert progression_matches(text) == progressions._plain_progressions(text)

    @settings(max_examples=200, deadline=None, derandomize=True)
    @given(
        st.integers(0, 300),
        st.integers(-30, 30).filter(bool),
        st.integers(4, 12),
        st.sampled_from(["", "-", "."]),
    )
    def test_every_progression_is_found(
        self, first: int, step: int, count: int, separator: str
    ) -> None:
        """Any start, step (up or down) and count of four or more is found whole."""
        numbers = [first + k * step for k in range(count)]
        text = separator.join(str(v) for v in numbers if v >= 0)
        if sum(v >= 0 for v in numbers) < 4:
            return
        assert any(s == 0 and e == len(text) for s, e, _ in progression_matches(text))


NAMES_AND_DATES = [
    "Zhang_Wei_19900517",
    "weizhang0517!",
    "Li_Na_19881203",
    "wangfang@1990",
    "LiuYang_850312",
    "chen-jing-1992-08-21",
    "ZhaoLei19870101",
]


class TestChineseNamesWithoutContext:
    """A common Chinese name and a birthday are refused without the user's data (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", NAMES_AND_DATES)
    def test_refused(self, name: str, password: str) -> None:
        """Surname and given name in either order, any separator, with a date."""
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("password", NAMES_AND_DATES)
    def test_estimate_and_score_agree(self, password: str) -> None:
        """The plain cover and the bounded score see the same name."""
        assert estimate(password).score == strength.score(password) < 3

    def test_priced_by_its_ranks(self) -> None:
        """Zhang (3rd surname) Wei (1st given name), in one of two orders: 6 guesses."""
        spans = {(s, e): g for s, e, g in names.name_matches("weizhang", "weizhang")}
        assert spans[(0, 8)] == pytest.approx(math.log10(3 * 1 * 2))

    def test_the_list_names_its_source(self) -> None:
        """The data file's header says where the ranks come from."""
        header = (Path(names.__file__).parent / "data" / names.NAMES_FILE).read_text("utf-8")
        assert "姓名报告" in header
        assert len(names.SURNAMES) >= 100

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        st.lists(
            st.sampled_from(["zhang", "Wei", "li", "NA", "wang", "fang", "_", "-", "1", "x", "é"]),
            max_size=8,
        ).map("".join)
    )
    def test_automaton_is_the_plain_twin(self, text: str) -> None:
        """The surname automaton finds what trying every surname everywhere finds."""
        folded = strength._fold(text)
        assert sorted(names.name_matches(text, folded)) == sorted(names._plain_names(text, folded))


WADE_GILES_NAMES = [
    "Tsai_Wei_1990",
    "Kuo_Wei_1990",
    "Hsieh_Ming_1990",
    "Tsai_Ming_1990",
    "Hsu_Li_0517",
    "Ming_Tsai_1990",
    "Tseng-Wei-0517",
    "Chen_Hsin_1990",
    "Wang_Chieh_1990",
    "Lin_Chih_1990",
    "Liu_Chun_1990",
]


class TestWadeGilesNames:
    """Taiwan's and the diaspora's spellings of the common surnames are names too (issue 20)."""

    @pytest.mark.parametrize("name", sorted(PROFILES))
    @pytest.mark.parametrize("password", WADE_GILES_NAMES)
    def test_refused(self, name: str, password: str) -> None:
        """``Tsai_Wei_1990`` is as weak as ``Cai_Wei_1990``: the same surname and given name."""
        assert not PROFILES[name].check(password).ok

    @pytest.mark.parametrize("password", WADE_GILES_NAMES)
    def test_estimate_and_score_agree(self, password: str) -> None:
        """The plain cover and the bounded score see the same name."""
        assert estimate(password).score == strength.score(password) < 3

    def test_priced_as_the_pinyin(self) -> None:
        """A spelling costs the rank of the surname it spells, here 蔡 (cai)."""
        assert names.SURNAMES["tsai"] == names.SURNAMES["cai"]
        assert names.SURNAMES["chang"] == names.SURNAMES["zhang"]
        assert names.GIVEN["hsin"] == names.GIVEN["xin"]
        wade = {(s, e): g for s, e, g in names.name_matches("tsaiwei", "tsaiwei")}
        pinyin = {(s, e): g for s, e, g in names.name_matches("caiwei", "caiwei")}
        assert wade[(0, 7)] == pytest.approx(pinyin[(0, 6)])

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        st.lists(
            st.sampled_from(
                ["Tsai", "hsu", "KUO", "wei", "Hsin", "chih", "li", "ho", "_", "-", "19900517", "é"]
            ),
            max_size=7,
        ).map("".join)
    )
    def test_twins_and_floor_agree(self, text: str) -> None:
        """Automaton vs plain names, bounded vs plain score, floor below the plain cover."""
        folded = strength._fold(text)
        assert sorted(names.name_matches(text, folded)) == sorted(names._plain_names(text, folded))
        if not text:
            return
        want = strength._plain_score(text)
        assert [strength.score(text, cap=k) for k in range(5)] == [min(want, k) for k in range(5)]
        words, personal = strength._inputs(None, (), None)
        cheap = [
            *(strength._Match(*p, "dictionary") for p in names.name_matches(text, folded)),
            *strength._date_matches(text, REFERENCE_YEAR),
            *(strength._Match(*p) for p in composed.date_runs(text, REFERENCE_YEAR)),
        ]
        matches = strength._matches(text, words, personal, REFERENCE_YEAR)
        got = floor_total(text, folded, words, cheap, REFERENCE_YEAR)
        assert got <= strength._cover(len(text), matches)[0] + 1e-9


def _progression_text(first: int, step: int, count: int, separator: str, back: bool) -> str:
    """*count* numbers from *first* by *step* (those not negative), reversed if *back*."""
    text = separator.join(str(first + k * step) for k in range(count) if first + k * step >= 0)
    return text[::-1] if back else text


class TestProgressionsBesideNamesAndDates:
    """Progressions inside longer texts, beside names, dates and each other, agree everywhere."""

    @settings(max_examples=300, deadline=None, derandomize=True)
    @given(
        st.lists(
            st.one_of(
                st.builds(
                    _progression_text,
                    st.integers(0, 2000),
                    st.integers(-60, 60).filter(bool),
                    st.integers(3, 8),
                    st.sampled_from(["", "-", ".", " ", "/", "#"]),
                    st.booleans(),
                ),
                st.sampled_from(
                    ["zhang", "Wei", "lina", "Tsai", "anhui", "1990", "19900517", "05-17", "_", "x"]
                ),
            ),
            min_size=1,
            max_size=4,
        ).map("".join)
    )
    def test_score_floor_and_twins_agree(self, text: str) -> None:
        """Bounded vs plain score at every cap, the floor below the plain cover, scan vs twin."""
        assert progression_matches(text) == progressions._plain_progressions(text)
        want = strength._plain_score(text)
        assert [strength.score(text, cap=k) for k in range(5)] == [min(want, k) for k in range(5)]
        words, personal = strength._inputs(None, (), None)
        folded = strength._fold(text)
        cheap = [
            *strength._sequence_matches(folded),
            *(strength._Match(*p, "sequence") for p in progression_matches(folded)),
            *(strength._Match(*p, "dictionary") for p in names.name_matches(text, folded)),
            *strength._walk_matches(folded),
            *strength._date_matches(text, REFERENCE_YEAR),
            *(strength._Match(*p) for p in composed.date_runs(text, REFERENCE_YEAR)),
        ]
        matches = strength._matches(text, words, personal, REFERENCE_YEAR)
        got = floor_total(text, folded, words, cheap, REFERENCE_YEAR)
        assert got <= strength._cover(len(text), matches)[0] + 1e-9
