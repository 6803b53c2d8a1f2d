"""Canonical resource names: case, width and separator look-alikes, pinned."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac import RBAC, InvalidNameError
from secpolicy.rbac._names import LOOKALIKES

# Every spelling below is one an application could map onto "a/secret/1"
# (NFKC, a Windows path, a font that draws them alike) while the engine would
# read one segment: all are refused, in requests and in rules.
LOOKALIKE_SPELLINGS = [
    "a\uff0fsecret\uff0f1",  # FULLWIDTH SOLIDUS (NFKC: "/")
    "a\\secret\\1",  # REVERSE SOLIDUS
    "a\uff3csecret\uff3c1",  # FULLWIDTH REVERSE SOLIDUS
    "a\u2215secret\u22151",  # DIVISION SLASH
    "a\u2044secret\u20441",  # FRACTION SLASH
    "a\u29f8secret\u29f81",  # BIG SOLIDUS
    "a/secret\ufe68x",  # SMALL REVERSE SOLIDUS
    "\uff41/secret/1",  # FULLWIDTH LATIN SMALL LETTER A (NFKC: "a")
    "a/\ufb01le",  # LATIN SMALL LIGATURE FI (NFKC: "fi")
]


def _policy() -> RBAC:
    rbac = RBAC()
    rbac.add_role("staff")
    rbac.grant("staff", "**", "read")
    rbac.deny("staff", "a/secret/**", "read")
    rbac.add_user("u")
    rbac.assign("u", "staff")
    return rbac


class TestLookalikeSeparators:
    @pytest.mark.parametrize("spelling", LOOKALIKE_SPELLINGS)
    def test_requests_with_lookalikes_are_refused(self, spelling: str) -> None:
        """A look-alike or compatibility spelling is a typed error, never an allow past a deny."""
        rbac = _policy()
        assert not rbac.check("u", "a/secret/1", "read")
        with pytest.raises(InvalidNameError) as info:
            rbac.check("u", spelling, "read")
        assert isinstance(info.value, PolicyConfigError)
        assert spelling not in str(info.value)  # the message names the field, not the value

    @pytest.mark.parametrize("spelling", LOOKALIKE_SPELLINGS)
    def test_rules_with_lookalikes_are_refused(self, spelling: str) -> None:
        """The same spellings are refused in grants, denies and labels."""
        rbac = _policy()
        with pytest.raises(InvalidNameError):
            rbac.deny("staff", spelling, "read")
        with pytest.raises(InvalidNameError):
            rbac.grant("staff", spelling, "read")

    def test_fullwidth_wildcard_is_refused_in_patterns(self) -> None:
        """A full-width asterisk (typed by an IME) is refused, not read as a literal segment."""
        rbac = _policy()
        for pattern in ("a/\uff0a", "a/\uff0a\uff0a", "a/\u2217", "a/\ufe61"):
            with pytest.raises(InvalidNameError):
                rbac.deny("staff", pattern, "read")

    def test_every_lookalike_is_refused(self) -> None:
        """Each character of the look-alike set is refused inside a segment."""
        rbac = _policy()
        for char in sorted(LOOKALIKES):
            with pytest.raises(InvalidNameError):
                rbac.check("u", f"a{char}secret/1", "read")

    @given(
        st.lists(
            st.sampled_from(
                ["a", "secret", "1", "/", "\uff0f", "\\", "\u2215", "\uff41", "\uff53"]
            ),
            min_size=1,
            max_size=7,
        )
    )
    def test_no_spelling_nfkc_maps_under_the_deny_is_allowed(self, parts: list[str]) -> None:
        """A name an NFKC-normalising application reads as a/secret/... is denied or refused."""
        name = "".join(parts)
        try:
            allowed = _POLICY.check("u", name, "read")
        except InvalidNameError:
            return
        folded = unicodedata.normalize("NFKC", name)
        assert folded == name  # only NFKC-stable names get a decision
        if folded.startswith("a/secret/"):
            assert not allowed


_POLICY = _policy()


class TestCaseAndOtherScripts:
    def test_resource_names_are_case_sensitive(self) -> None:
        """'A/secret' is another resource than 'a/secret': patterns match code point by point."""
        rbac = _policy()
        assert not rbac.check("u", "a/secret/1", "read")
        assert rbac.check("u", "A/secret/1", "read")
        assert rbac.check("u", "a/Secret/1", "read")

    def test_nfd_and_nfc_are_one_name(self) -> None:
        """Canonically equivalent spellings (NFC and NFD) are the same resource."""
        rbac = _policy()
        rbac.deny("staff", "caf\u00e9/**", "read")
        assert not rbac.check("u", "cafe\u0301/menu", "read")

    def test_ordinary_scripts_are_accepted(self) -> None:
        """Chinese, Japanese and accented names are fine: only look-alikes are refused."""
        rbac = _policy()
        rbac.deny("staff", "客户/身份证/**", "read")
        assert not rbac.check("u", "客户/身份证/110101", "read")
        assert rbac.check("u", "客户/ノート/1", "read")  # KATAKANA NO is a letter, not a slash
        assert rbac.check("u", "\u4e3f/x", "read")  # a CJK ideograph shaped like a slash

    def test_lookalike_user_and_role_names_are_refused(self) -> None:
        """A full-width twin of a registered user or role is refused as a look-alike."""
        rbac = _policy()
        rbac.add_user("alice")
        with pytest.raises(PolicyConfigError, match="look-alike"):
            rbac.add_user("\uff41\uff4c\uff49\uff43\uff45")
        with pytest.raises(PolicyConfigError, match="look-alike"):
            rbac.add_role("\uff53\uff54\uff41\uff46\uff46")
        rbac.remove_user("alice")
        rbac.add_user("\uff41\uff4c\uff49\uff43\uff45")  # the name is free again
