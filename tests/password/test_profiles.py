"""Password profiles pinned against REFERENCES.md."""

from __future__ import annotations

from datetime import timedelta

import pytest

from secpolicy.password import PasswordPolicy, profiles

ALL = {name: getattr(profiles, name) for name in profiles.__all__}


@pytest.mark.parametrize("name", sorted(ALL))
def test_cited(name: str) -> None:
    """Every profile names its clauses."""
    policy: PasswordPolicy = ALL[name]
    assert policy.citations
    assert policy.name


def test_nist() -> None:
    """NIST: 15 alone, 8 with MFA, 64 allowed, no composition or rotation, 100 failures."""
    assert profiles.NIST_800_63B.min_length == 15
    assert profiles.NIST_800_63B_MFA.min_length == 8
    assert profiles.NIST_800_63B_MFA.mfa_required
    assert profiles.NIST_800_63B.max_length >= 64
    assert profiles.NIST_800_63B.required_classes == 0
    assert profiles.NIST_800_63B.max_age is None
    assert profiles.NIST_800_63B.lockout is not None
    assert profiles.NIST_800_63B.lockout.max_failures == 100


def test_asvs() -> None:
    """ASVS 5.0: 8 minimum, at least 64 allowed, no composition, no rotation."""
    policy = profiles.OWASP_ASVS_5
    assert (policy.min_length, policy.required_classes, policy.max_age) == (8, 0, None)
    assert policy.max_length >= 64


def test_pci() -> None:
    """PCI DSS 4.0.1: 12, letters+digits, last 4, 90 days, 10 tries / 30 min, 15 min idle."""
    policy = profiles.PCI_DSS_4
    assert policy.min_length == 12
    assert policy.letters_and_digits
    assert policy.history_size == 4
    assert policy.max_age == timedelta(days=90)
    assert policy.lockout is not None
    assert (policy.lockout.max_failures, policy.lockout.duration) == (10, timedelta(minutes=30))
    assert policy.idle_timeout == timedelta(minutes=15)


def test_mlps() -> None:
    """GB/T 22239 level 3 (assessors): 8, 3 of 4 classes, 90 days, history 5, 5 / 30 min, MFA."""
    policy = profiles.CN_MLPS_L3
    assert (policy.min_length, policy.required_classes, policy.history_size) == (8, 3, 5)
    assert policy.max_age == timedelta(days=90)
    assert policy.lockout is not None
    assert (policy.lockout.max_failures, policy.lockout.duration) == (5, timedelta(minutes=30))
    assert policy.mfa_required
    assert policy.idle_timeout is not None
    assert timedelta(minutes=10) <= policy.idle_timeout <= timedelta(minutes=30)
    assert any("assessors' interpretation" in c for c in policy.citations)


def test_profiles_judge_passwords() -> None:
    """The profiles refuse what their rules refuse."""
    assert profiles.PCI_DSS_4.check("Blue-Harbor-42").ok
    assert not profiles.PCI_DSS_4.check("Blue-Harbor").ok
    assert not profiles.CN_MLPS_L3.check("bluehar1").ok
    assert not profiles.NIST_800_63B.check("Blue-Harbor-42").ok
    assert profiles.NIST_800_63B.check("blue harbor at dawn").ok
