"""PasswordPolicy: validation, every rule, messages, expiry, properties."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Literal

import argon2
import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import NaiveDatetimeError, PasswordPolicyError, PolicyConfigError
from secpolicy.password import (
    MESSAGES,
    Blocklist,
    LockoutPolicy,
    LoginThrottle,
    PasswordContext,
    PasswordHasher,
    PasswordPolicy,
    Violation,
    normalise_for_blocklist,
    profiles,
)
from secpolicy.password._rules import _doubled_keys, has_disguised_sequence

BASE = PasswordPolicy(min_length=8, required_classes=3, max_repeated=3, history_size=3)
USER = PasswordContext(
    username="zhangsan",
    email="zhang.san@example.com",
    attributes={"name": "Zhang San", "phone": "13812345678", "birth_date": date(1990, 3, 7)},
)


def codes(
    password: str, policy: PasswordPolicy = BASE, context: PasswordContext | None = None
) -> tuple[str, ...]:
    """The violation codes of *password* under *policy*."""
    return policy.check(password, context=context).codes


class TestConstruction:
    def test_min_above_max_names_both(self) -> None:
        """min_length above max_length fails naming both fields."""
        with pytest.raises(
            PolicyConfigError,
            match=r"min_length: min_length \(20\) must not exceed max_length \(10\)",
        ):
            PasswordPolicy(min_length=20, max_length=10)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("min_length", 0),
            ("min_length", -1),
            ("max_length", "64"),
            ("required_classes", 5),
            ("required_classes", -1),
            ("max_repeated", 0),
            ("history_size", True),
            ("max_age", timedelta(0)),
            ("idle_timeout", 30),
        ],
    )
    def test_invalid_field(self, field: str, value: object) -> None:
        """Each invalid field is named in the error."""
        with pytest.raises(PolicyConfigError, match=f"^{field}: "):
            PasswordPolicy(**{field: value})  # type: ignore[arg-type]

    def test_variants_by_evolve(self) -> None:
        """attrs.evolve builds a validated variant."""
        assert attrs.evolve(BASE, min_length=12).min_length == 12
        with pytest.raises(PolicyConfigError):
            attrs.evolve(BASE, min_length=100)


class TestRules:
    def test_good_password(self) -> None:
        """A long mixed password passes."""
        assert BASE.check("Blue-Harbor-42").ok

    def test_length_counts_code_points(self) -> None:
        """Length is in code points after NFKC, so CJK characters count one each."""
        policy = PasswordPolicy(min_length=4)
        assert policy.check("密码安全").ok
        assert codes("密码安", policy) == ("too_short",)

    def test_too_long_stops_early(self) -> None:
        """Over max_length only too_long is reported (bounding the work)."""
        assert codes("a" * 65, PasswordPolicy()) == ("too_long",)
        assert PasswordPolicy().check("a" * 1_000_000).codes == ("too_long",)

    @pytest.mark.parametrize(
        ("password", "expected"),
        [
            ("alllowercase", ("not_enough_classes",)),
            ("lowerUPPER", ("not_enough_classes",)),
            ("lowerUPPER1", ()),
            ("lowqx1!", ("too_short",)),
        ],
    )
    def test_classes(self, password: str, expected: tuple[str, ...]) -> None:
        """required_classes counts lower, upper, digit and symbol."""
        assert codes(password) == expected

    def test_letters_and_digits(self) -> None:
        """PCI's letters-and-digits rule."""
        policy = PasswordPolicy(letters_and_digits=True, min_length=4)
        assert codes("harborblue", policy) == ("letters_and_digits_required",)
        assert codes("12345678x", policy) == ("sequence", "keyboard_walk")

    def test_repeated(self) -> None:
        """More than max_repeated of one character in a row is refused."""
        assert codes("Baaaa-Cat-9") == ("repeated_characters",)
        assert codes("Baaa-Cat-9") == ()

    @pytest.mark.parametrize("password", ["xAbcd-99!z", "Zy-9876-x!", "XYZW-mnop-1", "x@bcd-99!Z"])
    def test_sequences(self, password: str) -> None:
        """Ascending or descending runs of four are refused."""
        assert "sequence" in codes(password)

    @pytest.mark.parametrize(
        "password", ["Qwerty!!99", "1qaz2wsx!A", "zAsdfgh!!9", "!!Poiu-99x", "Qw3rty!!8"]
    )
    def test_keyboard_walks(self, password: str) -> None:
        """Rows, columns and their reverses are refused."""
        assert "keyboard_walk" in codes(password)

    @pytest.mark.parametrize("password", ["19900307", "1990-03-07", "07031990", "900307"])
    def test_dates(self, password: str) -> None:
        """Passwords that are dates are refused."""
        assert "date" in codes(password, PasswordPolicy(min_length=6))

    def test_not_a_date(self) -> None:
        """Invalid dates and non-digit text are not dates."""
        policy = PasswordPolicy(min_length=6, forbid_sequences=False)
        assert "date" not in codes("19901399", policy)
        assert "date" not in codes("Blue-Harbor", policy)

    @pytest.mark.parametrize("password", ["13812345678", "+86 139 8765 4321"])
    def test_phone_numbers(self, password: str) -> None:
        """Chinese mobile numbers are refused."""
        assert "phone_number" in codes(password, PasswordPolicy(forbid_sequences=False))

    @pytest.mark.parametrize(
        ("password", "attribute"),
        [
            ("Zhangsan2024!", "username"),
            ("nasgnahz!A1", "username"),
            ("Zhang.San#99", "username"),  # zhangsan with its separator removed
            ("Xx-19900307", "birth_date"),
        ],
    )
    def test_user_data(self, password: str, attribute: str) -> None:
        """The user's own data, reversed or with digits appended, is refused."""
        result = BASE.check(password, context=USER)
        similar = [v for v in result.violations if v.code == "similar_to_user_data"]
        assert similar
        assert similar[0].params["attribute"] == attribute

    def test_context_words(self) -> None:
        """Service and company names are refused in any case."""
        policy = attrs.evolve(BASE, context_words=("Acme", "secpolicy"))
        assert "context_word" in codes("ACME-rocks-1", policy)
        assert "context_word" not in codes("Blue-Harbor-42", policy)

    def test_invalid_characters(self) -> None:
        """NUL, control characters and lone surrogates give a violation, not an exception."""
        for bad in ("ab\x00cd1234", "ab\x1bcd", "ab\ud800cd"):
            assert codes(bad) == ("invalid_characters",)

    def test_not_a_string(self) -> None:
        """Non-str input is a programming error."""
        with pytest.raises(TypeError):
            BASE.check(b"bytes")  # type: ignore[arg-type]

    def test_history(self) -> None:
        """Any of the last history_size passwords is refused, older ones are not."""
        hasher = PasswordHasher.unsafe_for_tests()
        old = [
            hasher.hash(p)
            for p in ("Newest-Pass-1", "Middle-Pass-2", "Oldest-Pass-3", "Ancient-Pass-4")
        ]
        context = PasswordContext(previous_hashes=old, hasher=hasher)
        assert "reused" in codes("Oldest-Pass-3", context=context)
        assert "reused" not in codes("Ancient-Pass-4", context=context)


class TestBlocklist:
    def test_normalisation(self) -> None:
        """Case, substitutions and trailing digits or symbols do not hide a common password."""
        assert normalise_for_blocklist("P@ssw0rd2024!") == "password"
        assert normalise_for_blocklist("123456") == "123456"
        blocklist = Blocklist(["password", "woaini"], name="common")
        assert "P@ssw0rd2024!" in blocklist
        assert "W0aini520" in blocklist
        assert "Blue-Harbor" not in blocklist
        assert 42 not in blocklist
        assert len(blocklist) == 2

    def test_policy_uses_blocklist(self) -> None:
        """A blocklisted password is reported with the list's name."""
        policy = attrs.evolve(BASE, blocklist=Blocklist(["dragon"], name="common"))
        violation = policy.check("Dr@gon!!2024").violations[0]
        assert violation == Violation("blocklisted", {"source": "common"})

    def test_from_file_and_union(self, tmp_path: object) -> None:
        """Lists load from files and combine."""
        from pathlib import Path

        path = Path(str(tmp_path)) / "words.txt"
        path.write_text("# company words\nacme\n\nwidget\n", encoding="utf-8")
        merged = Blocklist.from_file(path) | Blocklist(["dragon"])
        assert {"acme1", "widget", "dragon!"} <= {
            w for w in ("acme1", "widget", "dragon!") if w in merged
        }
        assert "words.txt" in repr(merged)


class TestMessages:
    @pytest.mark.parametrize("code", sorted(MESSAGES))
    def test_every_code_has_both_locales(self, code: str) -> None:
        """Every code has English and Chinese messages that format."""
        params = {
            "min_length": 8,
            "max_length": 64,
            "required": 3,
            "max_repeated": 2,
            "history_size": 5,
            "attribute": "name",
            "count": 12,
            "score": 1,
            "min_score": 3,
        }
        violation = Violation(code, params)
        assert violation.message("en")
        assert violation.message("zh-CN")
        assert violation.message("fr") == violation.message("en")
        assert str(violation) == violation.message()

    def test_enforce_raises_with_all(self) -> None:
        """enforce() raises with every violation, never the password."""
        with pytest.raises(PasswordPolicyError) as info:
            BASE.enforce("aaaa")
        assert [v.code for v in info.value.violations] == [
            "too_short",
            "not_enough_classes",
            "blocklisted",
            "repeated_characters",
        ]
        assert "aaaa" not in str(info.value)
        BASE.enforce("Blue-Harbor-42")

    def test_describe(self) -> None:
        """describe() gives help text in both locales."""
        policy = attrs.evolve(BASE, letters_and_digits=True, max_age=timedelta(days=90))
        english = policy.describe()
        chinese = policy.describe("zh-CN")
        assert english[0] == "8 to 64 characters"
        assert chinese[0] == "长度 8 至 64 个字符"
        assert "must be changed every 90 days" in english
        assert len(english) == len(chinese)
        assert PasswordPolicy(
            blocklist=None,
            user_attribute_similarity=False,
            forbid_sequences=False,
            forbid_dates=False,
        ).describe() == ["8 to 64 characters"]
        assert "strength at least 3 of 4" in PasswordPolicy(min_score=3).describe()
        assert "密码强度至少 3/4" in PasswordPolicy(min_score=3).describe("zh-CN")


class TestExpiry:
    CHANGED = datetime(2026, 1, 1, tzinfo=UTC)

    def test_expiry(self) -> None:
        """max_age sets the expiry; the warning window starts before it."""
        policy = PasswordPolicy(max_age=timedelta(days=90), expiry_warning=timedelta(days=7))
        assert policy.expires_at(self.CHANGED) == self.CHANGED + timedelta(days=90)
        assert not policy.is_expired(self.CHANGED, now=self.CHANGED + timedelta(days=89))
        assert policy.is_expired(self.CHANGED, now=self.CHANGED + timedelta(days=90))
        assert not policy.expires_soon(self.CHANGED, now=self.CHANGED + timedelta(days=82))
        assert policy.expires_soon(self.CHANGED, now=self.CHANGED + timedelta(days=83))

    def test_no_expiry(self) -> None:
        """Without max_age nothing expires (NIST, ASVS)."""
        policy = PasswordPolicy()
        assert policy.expires_at(self.CHANGED) is None
        assert not policy.is_expired(self.CHANGED, now=self.CHANGED + timedelta(days=9999))
        assert not policy.expires_soon(self.CHANGED, now=self.CHANGED)

    def test_must_change(self) -> None:
        """First use and expiry force a change."""
        policy = PasswordPolicy(max_age=timedelta(days=90), change_at_first_use=True)
        now = self.CHANGED + timedelta(days=1)
        assert policy.must_change(None, now=now)
        assert policy.must_change(self.CHANGED, now=now, first_use=True)
        assert not policy.must_change(self.CHANGED, now=now)
        assert policy.must_change(self.CHANGED, now=self.CHANGED + timedelta(days=91))
        assert not PasswordPolicy().must_change(None, now=now)

    def test_naive_refused(self) -> None:
        """Naive times are refused."""
        with pytest.raises(NaiveDatetimeError):
            PasswordPolicy(max_age=timedelta(days=1)).expires_at(datetime(2026, 1, 1))  # noqa: DTZ001


class TestProperties:
    @settings(max_examples=300)
    @given(st.text(max_size=80))
    def test_never_raises(self, password: str) -> None:
        """Any string gives a result, never an exception."""
        BASE.check(password, context=USER)

    @given(
        st.text(
            alphabet=st.characters(
                min_codepoint=0x20, max_codepoint=0xFFEF, blacklist_categories=("Cs",)
            ),
            max_size=30,
        )
    )
    def test_nfkc_equivalents_agree(self, password: str) -> None:
        """A password and its NFKC form are judged alike."""
        normal = unicodedata.normalize("NFKC", password)
        assert BASE.check(password).codes == BASE.check(normal).codes

    @given(st.text(max_size=40), st.integers(1, 10))
    def test_stricter_never_passes_more(self, password: str, extra: int) -> None:
        """A password a policy refuses is refused by any stricter variant."""
        strict = attrs.evolve(
            BASE, min_length=min(BASE.min_length + extra, BASE.max_length), required_classes=4
        )
        if not BASE.check(password).ok:
            assert not strict.check(password).ok


ZHANG = PasswordContext(username="zw", attributes={"name": "张伟", "birth_date": date(1990, 1, 15)})


class TestChineseUserData:
    @pytest.mark.parametrize(
        "password",
        [
            "ZhangWei!2024x",
            "weizhang#Qx81",
            "Zh@ngWei-2024",
            "zhāngwěi2024!",
            "zhang1wei3-Qx",
            "zw19900115",
            "Zw!900115",
            "张伟19900115",
            "Qx!19900115kp",
            "Qx!1990-01-15k",
            "Qx#900115-kpz",
            "Kp#0115-Qxzmv",
        ],
    )
    def test_pinyin_initials_and_birthdays(self, password: str) -> None:
        """A Chinese name in pinyin, its initials and birthdays in Chinese forms are refused."""
        assert "similar_to_user_data" in BASE.check(password, context=ZHANG).codes

    def test_short_tokens_match_whole_passwords_only(self) -> None:
        """A two-letter username refuses ``zw`` plus digits, not every password holding ``zw``."""
        assert "similar_to_user_data" in BASE.check("zw2024!!", context=ZHANG).codes
        assert "similar_to_user_data" not in BASE.check("Kx7#zwqPz9!m", context=ZHANG).codes

    def test_estimator_counts_pinyin_as_user_data(self) -> None:
        """The strength estimate sees the pinyin of the name as one guess."""
        from secpolicy.password import estimate

        kinds = {p.kind for p in estimate("ZhangWei!2024x", ZHANG).patterns}
        assert "user_data" in kinds

    def test_strings_that_are_dates(self) -> None:
        """A birth date given as ISO text is expanded like a date."""
        context = PasswordContext(attributes={"birth_date": "1990-01-15"})
        assert "similar_to_user_data" in BASE.check("Qx!900115kpz", context=context).codes

    def test_phone_tail(self) -> None:
        """The last eight digits of a mobile number are refused inside a password."""
        context = PasswordContext(attributes={"phone": "+86 138-1234-5678"})
        assert "similar_to_user_data" in BASE.check("Qx!12345678kp", context=context).codes


class TestKeyboardLayouts:
    @pytest.mark.parametrize(
        "password",
        [
            "aoeuidhtns!9",  # Dvorak home row
            "Azertyuiop!9",  # AZERTY top row
            "Qwertzuiop!9",  # QWERTZ top row
            "wxcvbn!!Q9",  # AZERTY bottom row
            "7894561230!Q",  # numeric keypad
            "147258369!Qa",  # keypad columns
            "йцукенгш!9Q",  # JCUKEN top row
            "фывапр!9Q",  # JCUKEN home row
        ],
    )
    def test_other_layouts(self, password: str) -> None:
        """Walks on Dvorak, AZERTY, QWERTZ, the keypad and JCUKEN are refused."""
        assert "keyboard_walk" in BASE.check(password).codes

    @pytest.mark.parametrize(
        "password",
        ["statue of liberty at dawn", "my property taxes are due", "poverty is not a crime"],
    )
    def test_spelled_words(self, password: str) -> None:
        """A short walk inside an ordinary word is its spelling."""
        assert "keyboard_walk" not in BASE.check(password).codes

    def test_short_walk_in_a_long_random_password(self) -> None:
        """A four-key walk that is a small part of a long random password is not refused."""
        assert "keyboard_walk" not in BASE.check("Kq9;lkjZ!x7Rm2Vw").codes


class TestWorkBeforeTheCap:
    def test_raw_length_is_checked_before_normalisation(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """An input over four times max_length is refused without running NFKC at all."""
        calls: list[int] = []
        real = unicodedata.normalize

        def counting(form: Literal["NFC", "NFD", "NFKC", "NFKD"], text: str) -> str:
            calls.append(len(text))
            return real(form, text)

        monkeypatch.setattr("secpolicy.password._policy.unicodedata.normalize", counting)
        policy = PasswordPolicy(max_length=64)
        result = policy.check("\ufdfa" * 1_000_000)
        assert result.codes == ("too_long",)
        assert calls == []

    def test_normalisation_input_is_bounded(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """NFKC never sees more than four times max_length code points."""
        calls: list[int] = []
        real = unicodedata.normalize

        def counting(form: Literal["NFC", "NFD", "NFKC", "NFKD"], text: str) -> str:
            calls.append(len(text))
            return real(form, text)

        monkeypatch.setattr("secpolicy.password._policy.unicodedata.normalize", counting)
        policy = PasswordPolicy(max_length=64)
        for size in (64, 200, 256, 257, 4096):
            assert not policy.check("\ufdfa" * size).ok
        assert max(calls) <= 256

    def test_composed_forms_still_fit(self) -> None:
        """A password whose decomposed form is longer than max_length but composes to fit passes."""
        policy = PasswordPolicy(min_length=4, max_length=8, forbid_sequences=False)
        decomposed = unicodedata.normalize("NFD", "ḉẅǘḱḉẅǘḱ")
        assert len(decomposed) > 8
        assert "too_long" not in policy.check(decomposed).codes


def _doubled_keys_by_regex(text: str) -> list[str]:
    """The regular-expression reading the linear scan replaced (the plain twin)."""
    doubled = re.compile(r"(.)\1+")
    return [doubled.sub(r"\1", m.group()) for m in re.finditer(r"(?:(.)\1++){4,}", text)]


class TestDoubledKeys:
    """The doubled-key reading of has_disguised_sequence is one linear pass, equal to its twin."""

    @given(st.text(alphabet="aabbc12\n\n x", max_size=60))
    @settings(max_examples=400, derandomize=True)
    def test_agrees_with_the_regular_expression(self, text: str) -> None:
        """Every stretch of four or more doubled keys is read as the regex read it."""
        assert list(_doubled_keys(text)) == _doubled_keys_by_regex(text)

    @pytest.mark.parametrize(
        "text",
        ["x" * 4096, "aabbccdd", "aabbcc", "aa\n\nbbccdd", "aaabbbcccddd", "aabbccddx" * 400],
    )
    def test_examples_and_long_runs(self, text: str) -> None:
        """Long runs (the input that made the regex quadratic) and edge cases agree."""
        assert list(_doubled_keys(text)) == _doubled_keys_by_regex(text)

    def test_doubled_sequence_found_and_long_run_refused_cheaply(self) -> None:
        """A policy with a large max_length still reads doubled sequences after the change."""
        policy = attrs.evolve(profiles.OWASP_ASVS_5, max_length=4096)
        assert has_disguised_sequence("11223344")
        assert not has_disguised_sequence("x" * 4096)
        assert policy.check("aabbccdd" * 512).codes != ()
        assert not policy.check("x" * 4096).ok


class TestHistoryWiring:
    def test_hashes_without_a_hasher_are_refused(self) -> None:
        """Previous hashes but no hasher is a configuration error, not a silent pass."""
        with pytest.raises(PolicyConfigError, match="previous_hashes"):
            PasswordContext(previous_hashes=("$argon2id$...",))
        with pytest.raises(PolicyConfigError, match="current_hash"):
            PasswordContext(current_hash="$argon2id$...")

    def test_change_to_the_same_password_is_refused(self) -> None:
        """The current hash is checked even when the policy keeps no history."""
        hasher = PasswordHasher.unsafe_for_tests()
        context = PasswordContext(current_hash=hasher.hash("Harbor-Lantern-58"), hasher=hasher)
        policy = PasswordPolicy(history_size=0)
        assert "reused" in policy.check("Harbor-Lantern-58", context=context).codes
        assert policy.check("Harbor-Lantern-59x", context=context).ok

    def test_one_hash_given_as_the_history_is_refused(self) -> None:
        """A single hash string passed as previous_hashes is an error, not its characters."""
        hasher = PasswordHasher.unsafe_for_tests()
        with pytest.raises(PolicyConfigError, match="previous_hashes") as caught:
            PasswordContext(previous_hashes=hasher.hash("Harbor-Lantern-58"), hasher=hasher)
        assert "$argon2" not in str(caught.value)

    @pytest.mark.parametrize("bad", [b"$argon2id$v=19$...", None, 42])
    def test_a_hash_that_is_not_text_is_refused(self, bad: object) -> None:
        """A bytes (or None) hash in the history or as current_hash is named, never skipped."""
        hasher = PasswordHasher.unsafe_for_tests()
        good = hasher.hash("Harbor-Lantern-58")
        with pytest.raises(PolicyConfigError, match=r"previous_hashes\[1\]"):
            PasswordContext(previous_hashes=[good, bad], hasher=hasher)
        if bad is not None:
            with pytest.raises(PolicyConfigError, match="current_hash"):
                PasswordContext(current_hash=bad, hasher=hasher)  # type: ignore[arg-type]

    def test_history_given_as_an_iterator_is_checked_every_time(self) -> None:
        """A generator of hashes is read once into the context, so every check sees it."""
        hasher = PasswordHasher.unsafe_for_tests()
        old = hasher.hash("Harbor-Lantern-58")
        context = PasswordContext(previous_hashes=(h for h in [old]), hasher=hasher)
        policy = PasswordPolicy(history_size=4)
        assert "reused" in policy.check("Harbor-Lantern-58", context=context).codes
        assert "reused" in policy.check("Harbor-Lantern-58", context=context).codes
        assert context.previous_hashes == (old,)

    def test_a_history_that_is_not_a_collection_is_refused(self) -> None:
        """previous_hashes=5 is a configuration error naming the field."""
        hasher = PasswordHasher.unsafe_for_tests()
        with pytest.raises(PolicyConfigError, match="previous_hashes"):
            PasswordContext(previous_hashes=5, hasher=hasher)

    def test_argon2_cffis_own_hasher_works_as_the_verifier(self) -> None:
        """argon2-cffi's own PasswordHasher (it raises on a mismatch) checks the history."""
        hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        context = PasswordContext(previous_hashes=[hasher.hash("Harbor-Lantern-58")], hasher=hasher)
        policy = PasswordPolicy(history_size=3)
        assert "reused" in policy.check("Harbor-Lantern-58", context=context).codes
        assert policy.check("Quiet-Meadow-74x", context=context).ok

    def test_a_hash_the_verifier_cannot_check_is_named(self) -> None:
        """A history hash the verifier raises on is a PolicyConfigError naming it, not a pass."""
        hasher = argon2.PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        context = PasswordContext(
            previous_hashes=[hasher.hash("Harbor-Lantern-58"), "pbkdf2_sha256$1$s$h"],
            hasher=hasher,
        )
        with pytest.raises(PolicyConfigError, match=r"previous_hashes\[1\]") as caught:
            PasswordPolicy(history_size=3).check("Quiet-Meadow-74x", context=context)
        assert "Quiet-Meadow" not in str(caught.value)
        assert "pbkdf2" not in str(caught.value)

        class Broken:
            def verify(self, hash: str, password: str) -> bool:  # noqa: A002
                raise RuntimeError(password)

        context = PasswordContext(current_hash="$argon2id$...", hasher=Broken())
        with pytest.raises(PolicyConfigError, match="current_hash") as caught:
            PasswordPolicy().check("Quiet-Meadow-74x", context=context)
        assert "Quiet-Meadow" not in str(caught.value)
        assert caught.value.__cause__ is None

    def test_repr_hides_personal_data(self) -> None:
        """repr shows neither the phone, the birth date, the e-mail nor the hashes."""
        hasher = PasswordHasher.unsafe_for_tests()
        context = PasswordContext(
            username="alice",
            email="alice@example.com",
            attributes={"phone": "13812345678", "birth_date": date(1990, 1, 15)},
            previous_hashes=(hasher.hash("old-password-1"),),
            current_hash=hasher.hash("old-password-2"),
            hasher=hasher,
        )
        text = repr(context)
        for secret in ("13812345678", "1990", "example.com", "$argon2"):
            assert secret not in text


class TestUserValues:
    def test_forms_of_each_kind(self) -> None:
        """Datetimes, bad ISO text and other values become tokens without raising."""
        context = PasswordContext(
            attributes={
                "seen": datetime(1990, 1, 15, 8, 0, tzinfo=UTC),
                "bad": "1990-13-45",
                "none": None,
                "count": 42,
            }
        )
        values = context.user_values()
        assert "19900115" in values["seen"]
        assert values["bad"] == ["1990-13-45"]
        assert "none" not in values
        assert values["count"] == ["42"]


class TestContextFields:
    def test_name_phone_and_birth_date_as_fields(self) -> None:
        """name=, phone= and birth_date= work like the same keys in attributes."""
        context = PasswordContext(
            username="zw", name="张伟", phone="13812345678", birth_date=date(1990, 1, 15)
        )
        for password in ("ZhangWei!2024x", "Qx!12345678kp", "Qx!19900115kp"):
            assert "similar_to_user_data" in BASE.check(password, context=context).codes
        assert "张伟" not in repr(context)
        assert "13812345678" not in repr(context)


class TestContextCollaborators:
    @pytest.mark.parametrize(
        "checker", ["pwned-passwords.txt", b"pwned.txt", Path("pwned.txt"), 42, object()]
    )
    def test_a_breach_checker_without_count_is_refused(self, checker: object) -> None:
        """A path or other object as breach_checker is an error, not a lookup that never runs."""
        with pytest.raises(PolicyConfigError, match="breach_checker"):
            PasswordContext(breach_checker=checker)  # type: ignore[arg-type]

    @pytest.mark.parametrize("hasher", ["argon2", 42, object()])
    def test_a_hasher_without_verify_is_refused(self, hasher: object) -> None:
        """A hasher without verify() is refused when the context is built."""
        with pytest.raises(PolicyConfigError, match="hasher"):
            PasswordContext(current_hash="$argon2id$...", hasher=hasher)  # type: ignore[arg-type]

    def test_fail_open_is_for_outages_only(self) -> None:
        """Before: a path given as breach_checker let every password through a fail-open policy."""
        policy = PasswordPolicy(min_length=4, check_breached=True)
        with pytest.raises(PolicyConfigError):
            policy.check("password", context=PasswordContext(breach_checker="pwned.txt"))  # type: ignore[arg-type]


class TestEstimateBound:
    def test_only_the_first_64_characters_are_estimated(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """min_score estimates at most 64 characters, so the work is bounded at max_length 128."""
        import secpolicy.password._policy as module

        seen: list[int] = []
        real = module.score

        def counting(password: str, *args: object, **kwargs: object) -> object:
            seen.append(len(password))
            return real(password, *args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(module, "score", counting)
        policy = PasswordPolicy(min_length=8, max_length=128, min_score=3, forbid_sequences=False)
        assert "too_weak" in policy.check("p@$$w0rd" * 16).codes
        assert seen == [64]

    def test_a_strong_head_is_enough(self) -> None:
        """A long password whose first 64 characters are strong passes the estimate."""
        policy = PasswordPolicy(min_length=8, max_length=128, min_score=3)
        head = "Kq9;Zx7Rm2Vw!pL4"
        assert "too_weak" not in policy.check(head + "a" * 3 + "password" * 10).codes


class TestDurationBounds:
    @pytest.mark.parametrize("field", ["window", "duration", "max_backoff"])
    def test_lockout_duration_beyond_a_thousand_years_refused(self, field: str) -> None:
        """A lockout duration that date arithmetic would overflow is a configuration error."""
        args = {"max_failures": 5, "window": timedelta(minutes=30), "duration": timedelta(hours=1)}
        args[field] = timedelta(days=365 * 1000 + 1)
        with pytest.raises(PolicyConfigError, match="1000 years"):
            LockoutPolicy(**args)  # type: ignore[arg-type]

    def test_longest_lock_still_computes(self) -> None:
        """A lock of the longest accepted duration is recorded without overflow."""
        lock = LockoutPolicy(
            max_failures=1, window=timedelta(days=1), duration=timedelta(days=365_000)
        )
        state = LoginThrottle(lock).record_failure("u", now=datetime(2026, 1, 1, tzinfo=UTC))
        assert state.locked
