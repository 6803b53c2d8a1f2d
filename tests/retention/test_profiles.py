"""Retention profiles: values pinned against REFERENCES.md, with citations."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from secpolicy.retention import PERMANENT, Period, RetentionSchedule, profiles

ALL = [getattr(profiles, name) for name in profiles.__all__]


@pytest.mark.parametrize("schedule", ALL, ids=profiles.__all__)
def test_every_rule_is_cited(schedule: RetentionSchedule) -> None:
    """Every profile and each of its rules names its source."""
    assert schedule.citations
    assert schedule.name
    for rule in schedule.rules:
        assert rule.citation


@pytest.mark.parametrize(
    ("schedule", "category", "keep"),
    [
        (profiles.CN_CYBERSECURITY_LAW, "network_log", Period(months=6)),
        (profiles.CN_INTERACTIVE_SERVICE, "registration", PERMANENT),
        (profiles.CN_INTERACTIVE_SERVICE, "friend_list", PERMANENT),
        (profiles.CN_INTERACTIVE_SERVICE, "group_membership", PERMANENT),
        (profiles.CN_INTERACTIVE_SERVICE, "system_maintenance_log", Period(months=12)),
        (profiles.CN_INTERACTIVE_SERVICE, "user_log", Period(months=12)),
        (profiles.CN_INTERACTIVE_SERVICE, "published_content", Period(months=6)),
        (profiles.CN_INTERNET_CAFE, "access_record", Period(days=60)),
        (profiles.CN_INTERNET_CAFE, "identity_registration", Period(days=60)),
        (profiles.PCI_DSS_4, "audit_log", Period(months=12)),
        (profiles.HIPAA, "documentation", Period(years=6)),
        (profiles.SEC_17A_4, "rule_17a4_a", Period(years=6)),
        (profiles.SEC_17A_4, "rule_17a4_b", Period(years=3)),
    ],
)
def test_periods(schedule: RetentionSchedule, category: str, keep: Period) -> None:
    """Each profile keeps each category for the period its source gives."""
    assert {r.keep for r in schedule.rules_for(category)} == {keep}


def test_chinese_profiles_use_shanghai_time() -> None:
    """Chinese periods count Beijing calendar days."""
    for schedule in (
        profiles.CN_CYBERSECURITY_LAW,
        profiles.CN_INTERACTIVE_SERVICE,
        profiles.CN_INTERNET_CAFE,
    ):
        assert schedule.tz == ZoneInfo("Asia/Shanghai")


def test_accessible_periods() -> None:
    """PCI: latest 3 months online; SEC: first 2 years easily accessible."""
    assert profiles.PCI_DSS_4.rules[0].accessible == Period(months=3)
    assert {r.accessible for r in profiles.SEC_17A_4.rules} == {Period(years=2)}


def test_interactive_service_user_log_decision() -> None:
    """A user log from 2024-08-31 may be deleted from 2025-09-01 in Beijing."""
    decision = profiles.CN_INTERACTIVE_SERVICE.evaluate(
        "user_log",
        created=datetime(2024, 8, 31, 1, tzinfo=UTC),
        now=datetime(2025, 9, 1, tzinfo=ZoneInfo("Asia/Shanghai")),
    )
    assert decision.action == "delete"
    assert decision.rule is not None
    assert "12 months" in decision.rule.citation


def test_cybersecurity_law_cites_the_amended_numbering() -> None:
    """Network-log rules cite Art. 23(3) of the amended law, with the 2017 number beside it."""
    for schedule in (profiles.CN_CYBERSECURITY_LAW, profiles.CN_INTERACTIVE_SERVICE):
        (rule,) = [r for r in schedule.rules if r.category == "network_log"]
        assert "Art. 23(3)" in rule.citation
        assert "2025-10-28" in rule.citation
        assert "Art. 21(3) in the 2017 text" in rule.citation


def test_rulebook_rules_say_the_rulebook_is_internal() -> None:
    """Rules from the operator's own rulebook say so rather than citing a public standard."""
    for rule in profiles.CN_INTERACTIVE_SERVICE.rules:
        if rule.category != "network_log":
            assert "internal" in rule.citation
