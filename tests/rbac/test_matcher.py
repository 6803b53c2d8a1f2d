"""Canonical names and the pattern matcher: the trie against the plain twin."""

from __future__ import annotations

import functools
import itertools
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy.exceptions import PolicyConfigError, SecPolicyError
from secpolicy.rbac import RBAC, InvalidNameError, ResourcePattern
from secpolicy.rbac._match import (
    EMPTY,
    match_segments,
    reaches,
    trie_collect,
    trie_match,
    trie_update,
)
from tests.rbac._reference import segment_match as naive


def _text_of(pattern: ResourcePattern, _old: object) -> str:
    return pattern.text


def _same(text: str, _old: object) -> str:
    return text


@pytest.fixture
def vault() -> RBAC:
    """Deny accounts/secret/** and **/secret, allow everything else."""
    rbac = RBAC()
    rbac.add_role("all")
    rbac.grant("all", "**", "read")
    rbac.deny("all", "accounts/secret/**", "read")
    rbac.deny("all", "**/secret", "read")
    rbac.add_user("u")
    rbac.assign("u", "all")
    return rbac


class TestCanonicalNames:
    def test_leading_double_star_matches_zero_segments(self, vault: RBAC) -> None:
        """deny **/secret + allow ** denies 'secret' itself."""
        assert not vault.check("u", "secret", "read")
        assert not vault.check("u", "a/b/secret", "read")
        assert vault.check("u", "secrets", "read")

    @pytest.mark.parametrize(
        "name",
        [
            "accounts/x/../secret/1",
            "accounts//secret/1",
            "accounts/./secret/1",
            "/accounts/secret/1",
            "accounts/secret/1/",
            "",
            "accounts/secret\n/1",
            "accounts/\x00secret",
            "a/\u202esecret",
            "accounts/*",
            "accounts/ secret",
        ],
    )
    def test_malformed_requests_raise(self, vault: RBAC, name: str) -> None:
        """Non-canonical request names raise a typed error from every entry point."""
        for call in (
            lambda: vault.check("u", name, "read"),
            lambda: vault.decide("u", name, "read"),
            lambda: vault.require("u", name, "read"),
            lambda: vault.who_can(name, "read"),
            lambda: vault.resources_for("u", "read", under=name),
        ):
            with pytest.raises(InvalidNameError) as info:
                call()
            assert isinstance(info.value, SecPolicyError)
            assert isinstance(info.value, ValueError)
            assert name not in str(info.value) or not name

    def test_nfd_is_the_same_name(self, vault: RBAC) -> None:
        """An NFD spelling is normalised before matching, so a deny on the NFC name holds."""
        vault.deny("all", "café/menu", "read")
        nfd = unicodedata.normalize("NFD", "café/menu")
        assert nfd != "café/menu"
        assert not vault.check("u", nfd, "read")
        assert vault.decide("u", nfd, "read").resource == "café/menu"

    @pytest.mark.parametrize(
        "bad", ["a//b", "/a", "a/", "a/./b", "a/../b", "a*/b", "a/**x", "a\nb", ""]
    )
    def test_malformed_patterns_refused(self, vault: RBAC, bad: str) -> None:
        """grant, deny and labels refuse malformed patterns with the typed error."""
        with pytest.raises(InvalidNameError):
            vault.grant("all", bad, "read")
        with pytest.raises(InvalidNameError):
            vault.deny("all", bad, "read")
        with pytest.raises(PolicyConfigError):
            vault.set_label(bad, "x")

    @pytest.mark.parametrize("bad", ["", " alice", "alice ", "a\tb", "a\u200bb", "a\x7f"])
    def test_user_and_role_names(self, vault: RBAC, bad: str) -> None:
        """User, role and action names are canonical: no surrounding blanks, no controls."""
        with pytest.raises(InvalidNameError):
            vault.add_user(bad)
        with pytest.raises(InvalidNameError):
            vault.add_role(bad)
        with pytest.raises(InvalidNameError):
            vault.check(bad, "a", "read")
        with pytest.raises(InvalidNameError):
            vault.check("u", "a", bad)

    def test_request_action_star_refused(self, vault: RBAC) -> None:
        """'*' is a rule wildcard, not an action one can ask for."""
        with pytest.raises(InvalidNameError):
            vault.check("u", "a", "*")

    def test_nested_double_stars_are_instant(self, vault: RBAC) -> None:
        """Consecutive ** collapse; a long resource against many ** is polynomial."""
        vault.grant("all", "a/**/**/**/**/**/**/**/x", "write")
        assert ResourcePattern("a/**/**/**/x").text == "a/**/x"
        resource = "a/" + "/".join(["b"] * 400) + "/y"
        assert not vault.check("u", resource, "write")
        pattern = ResourcePattern("a/**/b/**/b/**/b/**/z")
        assert not pattern.matches(resource)


segments = st.sampled_from(["a", "b", "c", "secret", "é", "e\u0301"])
pattern_parts = st.one_of(segments, st.sampled_from(["*", "**"]))


class TestTrieAgainstPlainTwin:
    @settings(max_examples=1000, deadline=None)
    @given(
        st.lists(st.lists(pattern_parts, min_size=1, max_size=6), min_size=1, max_size=10),
        st.lists(segments, min_size=1, max_size=7),
    )
    def test_trie_collect_agrees(self, patterns: list[list[str]], resource: list[str]) -> None:
        """The trie returns exactly the patterns the plain matcher (and the naive one) accept."""
        root = EMPTY
        canon = []
        for parts in patterns:
            pattern = ResourcePattern("/".join(parts))
            canon.append(pattern)
            root = trie_update(root, pattern.segments, functools.partial(_text_of, pattern))
        res = ResourcePattern("/".join(resource)).segments  # canonical (NFC)
        found = trie_collect(root, res)
        got = set(found)
        assert len(found) == len(got)  # each matching pattern once, however many "**"
        want = {p.text for p in canon if match_segments(p.segments, res)}
        assert got == want
        assert want == {p.text for p in canon if naive(p.text, "/".join(res))}

    @settings(max_examples=500, deadline=None)
    @given(
        st.lists(
            st.tuples(st.booleans(), st.lists(pattern_parts, min_size=1, max_size=5)),
            min_size=1,
            max_size=12,
        ),
        st.lists(st.lists(segments, min_size=1, max_size=5), min_size=1, max_size=6),
    )
    def test_trie_match_agrees_with_its_plain_twin(
        self, changes: list[tuple[bool, list[str]]], resources: list[list[str]]
    ) -> None:
        """The remembered walk equals the plain walk on every root, old roots included."""
        roots = [EMPTY]
        for remove, parts in changes:
            pattern = ResourcePattern("/".join(parts))
            if remove:
                roots.append(trie_update(roots[-1], pattern.segments, lambda _: None))
            else:
                roots.append(
                    trie_update(roots[-1], pattern.segments, functools.partial(_text_of, pattern))
                )
            for root in roots:  # ask every root, twice: computed, then remembered
                for parts_of in resources:
                    res = ResourcePattern("/".join(parts_of)).segments
                    want = tuple(trie_collect(root, res))
                    assert trie_match(root, res) == want
                    assert trie_match(root, res) == want

    def test_trie_match_memo_is_bounded(self) -> None:
        """A root remembers a bounded number of walks and stays right past the bound."""
        pattern = ResourcePattern("x/**")
        root = trie_update(EMPTY, pattern.segments, functools.partial(_text_of, pattern))
        for i in range(5000):
            assert trie_match(root, ("x", str(i))) == ("x/**",)
        assert root.walks is not None
        assert len(root.walks) <= 1 << 12
        assert trie_match(root, ("y",)) == ()

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(pattern_parts, min_size=1, max_size=4), st.lists(segments, min_size=1, max_size=3)
    )
    def test_reaches(self, parts: list[str], prefix: list[str]) -> None:
        """reaches() is true exactly when the pattern matches the prefix or some name below it."""
        pattern = ResourcePattern("/".join(parts))
        p = ResourcePattern("/".join(prefix)).segments
        alphabet = sorted({s for s in pattern.segments if "*" not in s} | {"z"})
        tails = [
            t
            for n in range(len(pattern.segments) + 1)
            for t in itertools.product(alphabet, repeat=n)
        ]
        brute = any(match_segments(pattern.segments, (*p, *t)) for t in tails)
        assert reaches(pattern.segments, p) is brute

    def test_removal_prunes(self) -> None:
        """Removing every payload leaves an empty trie."""
        root = EMPTY
        for text in ("a/*", "a/**", "a/b", "**/c"):
            root = trie_update(root, ResourcePattern(text).segments, functools.partial(_same, text))
        for text in ("a/*", "a/**", "a/b", "**/c"):
            root = trie_update(root, ResourcePattern(text).segments, lambda _: None)
        assert root.is_empty()

    @settings(max_examples=150, deadline=None)
    @given(
        st.lists(
            st.tuples(
                st.lists(pattern_parts, min_size=1, max_size=4), st.sampled_from(["allow", "deny"])
            ),
            min_size=1,
            max_size=8,
        ),
        st.lists(segments, min_size=1, max_size=5),
    )
    def test_engine_agrees_with_naive_model(
        self, rules: list[tuple[list[str], str]], resource: list[str]
    ) -> None:
        """check() equals 'some allow matches and no deny matches' by the naive matcher."""
        rbac = RBAC()
        rbac.add_role("r")
        rbac.add_user("u")
        rbac.assign("u", "r")
        for parts, effect in rules:
            (rbac.grant if effect == "allow" else rbac.deny)("r", "/".join(parts), "read")
        text = unicodedata.normalize("NFC", "/".join(resource))
        canon = [(ResourcePattern("/".join(p)).text, e) for p, e in rules]
        allowed = any(naive(p, text) for p, e in canon if e == "allow") and not any(
            naive(p, text) for p, e in canon if e == "deny"
        )
        assert rbac.check("u", "/".join(resource), "read") is allowed
        assert (text in rbac.resources_for("u", "read")) is allowed
