"""Ready retention schedules, one per regulation or rulebook.

Each schedule's rules carry the clause they implement in ``citation``; the
schedule's ``citations`` name the sources as a whole. Periods are minimums
("at least"), with day semantics in the schedule's zone. Extend a profile with
``RetentionSchedule.amend`` or combine it with your own rules:
``RetentionSchedule([*profile.rules, *mine], tz=profile.tz)``.
"""

from __future__ import annotations

from typing import Final

from secpolicy.retention._period import PERMANENT, Period
from secpolicy.retention._rules import RetentionRule
from secpolicy.retention._schedule import RetentionSchedule

__all__ = [
    "CN_CYBERSECURITY_LAW",
    "CN_INTERACTIVE_SERVICE",
    "CN_INTERNET_CAFE",
    "HIPAA",
    "PCI_DSS_4",
    "SEC_17A_4",
]

_CSL_23: Final = (
    "China Cybersecurity Law (as amended 2025-10-28, in force 2026-01-01), Art. 23(3) "
    "(Art. 21(3) in the 2017 text): network logs kept at least 6 months"
)
_RULEBOOK: Final = "interactive-service security rulebook (internal; reported by the operator)"

#: Network logs for at least six months, as the China Cybersecurity Law
#: (Art. 23(3) as amended on 2025-10-28, in force since 2026-01-01; Art. 21(3)
#: in the 2017 text) requires of network operators for the logs that record network
#: operation and security events.
CN_CYBERSECURITY_LAW: Final = RetentionSchedule(
    [
        RetentionRule(
            category="network_log", keep=Period(months=6), action="delete", citation=_CSL_23
        ),
    ],
    tz="Asia/Shanghai",
    name="cn-cybersecurity-law",
    citations=(_CSL_23,),
)

#: The interactive-service rulebook the library was specified from:
#: registration data, friend lists and group registration and membership with
#: their change history permanently; system maintenance and user logs at least
#: 12 months; published content at least 6 months; logs of decommissioned
#: systems on the same terms (so decommissioning never shortens a period); and
#: the Cybersecurity Law's 6-month floor for any other network log.
CN_INTERACTIVE_SERVICE: Final = RetentionSchedule(
    [
        *(
            RetentionRule(category=category, keep=PERMANENT, citation=f"{_RULEBOOK}: {what}")
            for category, what in (
                ("registration", "registration data, permanent"),
                ("registration_history", "changes to registration data, permanent"),
                ("friend_list", "friend lists and their changes, permanent"),
                ("group_registration", "group registration, permanent"),
                ("group_membership", "group membership and its changes, permanent"),
            )
        ),
        RetentionRule(
            category="system_maintenance_log",
            keep=Period(months=12),
            citation=f"{_RULEBOOK}: system maintenance logs, at least 12 months",
        ),
        RetentionRule(
            category="user_log",
            keep=Period(months=12),
            citation=f"{_RULEBOOK}: user logs (login, logout, behaviour), at least 12 months",
        ),
        RetentionRule(
            category="published_content",
            keep=Period(months=6),
            citation=f"{_RULEBOOK}: published information, at least 6 months",
        ),
        RetentionRule(category="network_log", keep=Period(months=6), citation=_CSL_23),
    ],
    tz="Asia/Shanghai",
    name="cn-interactive-service",
    citations=(_RULEBOOK, _CSL_23),
)

_CAFE: Final = (
    "Regulations on the Administration of Internet Access Service Business Sites, Art. 23: "
    "registration of users' identity documents and access records kept at least 60 days"
)

#: Identity registrations and access records of internet-access service sites
#: (internet cafés) for at least 60 days, per the Regulations, Art. 23.
CN_INTERNET_CAFE: Final = RetentionSchedule(
    [
        RetentionRule(category="identity_registration", keep=Period(days=60), citation=_CAFE),
        RetentionRule(category="access_record", keep=Period(days=60), citation=_CAFE),
    ],
    tz="Asia/Shanghai",
    name="cn-internet-cafe",
    citations=(_CAFE,),
)

_PCI: Final = (
    "PCI DSS v4.0.1, Req. 10.5.1: audit log history retained at least 12 months, "
    "the most recent 3 months immediately available for analysis"
)

#: Audit logs for 12 months, the latest 3 immediately available, per PCI DSS
#: v4.0.1 Requirement 10.5.1.
PCI_DSS_4: Final = RetentionSchedule(
    [
        RetentionRule(
            category="audit_log",
            keep=Period(months=12),
            accessible=Period(months=3),
            citation=_PCI,
        ),
    ],
    tz="UTC",
    name="pci-dss-4",
    citations=(_PCI,),
)

_HIPAA: Final = (
    "HIPAA, 45 CFR 164.316(b)(2)(i): required documentation retained 6 years from the date "
    "of its creation or the date when it last was in effect, whichever is later"
)

#: Required HIPAA documentation for six years from creation or from the date it
#: was last in effect, whichever is later. Two rules express "whichever is later": the
#: longest retention wins, and until the ``last_effective`` event is recorded
#: the document is still in effect and kept.
HIPAA: Final = RetentionSchedule(
    [
        RetentionRule(
            category="documentation", keep=Period(years=6), action="review", citation=_HIPAA
        ),
        RetentionRule(
            category="documentation",
            keep=Period(years=6),
            trigger="last_effective",
            action="review",
            citation=_HIPAA,
        ),
    ],
    tz="UTC",
    name="hipaa",
    citations=(_HIPAA,),
)

_SEC_A: Final = (
    "SEC Rule 17a-4(a), 17 CFR 240.17a-4(a): records of Rule 17a-3(a)(1)-(3), (5), (21), (22) "
    "preserved at least 6 years, the first 2 years in an easily accessible place"
)
_SEC_B: Final = (
    "SEC Rule 17a-4(b), 17 CFR 240.17a-4(b): other required records preserved at least 3 years, "
    "the first 2 years in an easily accessible place"
)

#: Broker-dealer records under SEC Rule 17a-4, kept 6 or 3 years by record
#: type, the first 2 years easily accessible. Categories name the paragraph of the rule.
SEC_17A_4: Final = RetentionSchedule(
    [
        RetentionRule(
            category="rule_17a4_a",
            keep=Period(years=6),
            accessible=Period(years=2),
            action="review",
            citation=_SEC_A,
        ),
        RetentionRule(
            category="rule_17a4_b",
            keep=Period(years=3),
            accessible=Period(years=2),
            action="review",
            citation=_SEC_B,
        ),
    ],
    tz="UTC",
    name="sec-17a-4",
    citations=(_SEC_A, _SEC_B),
)
