"""The baselines: what each standard or rulebook requires of a service's declared policy.

Numbers come from ../shared/REFERENCES.md. Where the standard gives none and
assessors' common reading does, the requirement is marked as an
interpretation and its clause says so.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Final

from secpolicy.baselines import _checks as c
from secpolicy.baselines._model import Baseline, Requirement
from secpolicy.retention import Period, profiles

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.baselines._model import Verdict
    from secpolicy.policyfile import ServicePolicy

_NIST: Final = "NIST SP 800-63B-4 (2025)"
_ASVS: Final = "OWASP ASVS 5.0"
_PCI: Final = "PCI DSS v4.0.1"
_MLPS: Final = "GB/T 22239-2019 level 3"
_CSL: Final = "China Cybersecurity Law (2017)"
_RULEBOOK: Final = "interactive-service security rulebook"

#: Events the level-3 audit clause asks for: logins, privilege grants and use, policy changes.
MLPS_EVENTS: Final = (
    "auth.login",
    "auth.logout",
    "privilege.grant",
    "privilege.revoke",
    "privilege.use",
    "policy.change",
)
#: Events the interactive-service rulebook lists: registration, login and logout,
#: publishing, behaviour, groups, files, privileges and staff access to personal data.
RULEBOOK_EVENTS: Final = (
    "account.register",
    "account.update",
    "auth.login",
    "auth.logout",
    "content.publish",
    "content.edit",
    "content.delete",
    "group.create",
    "group.delete",
    "group.join",
    "group.leave",
    "file.upload",
    "file.download",
    "privilege.grant",
    "privilege.use",
    "personal_data.access",
)
#: Events PCI DSS 10.2.1 names: access attempts, administrative actions, privilege changes.
PCI_EVENTS: Final = (
    "auth.login",
    "auth.logout",
    "privilege.grant",
    "privilege.revoke",
    "privilege.use",
    "personal_data.access",
)


def _r(
    ident: str,
    title: str,
    clause: str,
    path: str,
    check: Callable[[ServicePolicy], Verdict],
    *,
    interpretation: bool = False,
) -> Requirement:
    return Requirement(
        id=ident, title=title, clause=clause, path=path, check=check, interpretation=interpretation
    )


NIST_800_63B: Final = Baseline(
    name="nist-800-63b",
    title="NIST SP 800-63B-4, memorized secrets",
    source=f"{_NIST}, §3.1.1.2 and §3.2.2",
    requirements=(
        _r(
            "password-length",
            "at least 15 characters when the password is the only factor, 8 with MFA",
            f"{_NIST} §3.1.1.2",
            "password.min_length",
            c.min_length(15, with_mfa=8),
        ),
        _r(
            "password-max-length",
            "at least 64 characters permitted",
            f"{_NIST} §3.1.1.2",
            "password.max_length",
            c.max_length(64),
        ),
        _r(
            "no-composition",
            "no composition rules",
            f"{_NIST} §3.1.1.2",
            "password.required_classes",
            c.no_composition_rules(),
        ),
        _r(
            "no-rotation",
            "no periodic password change",
            f"{_NIST} §3.1.1.2",
            "password.max_age",
            c.no_periodic_change(),
        ),
        _r(
            "blocklist",
            "common, expected and compromised passwords refused",
            f"{_NIST} §3.1.1.2",
            "password.blocklist",
            c.blocklist(),
        ),
        _r(
            "context-words",
            "context-specific words (service name, username) refused",
            f"{_NIST} §3.1.1.2",
            "password.context_words",
            c.context_words(),
        ),
        _r(
            "rate-limit",
            "at most 100 consecutive failed attempts per account",
            f"{_NIST} §3.2.2",
            "password.lockout",
            c.lockout(100),
        ),
    ),
)

OWASP_ASVS_5: Final = Baseline(
    name="owasp-asvs-5",
    title="OWASP Application Security Verification Standard 5.0, V6 authentication",
    source=f"{_ASVS}, chapter V6",
    requirements=(
        _r(
            "password-length",
            "at least 8 characters (15 strongly recommended)",
            f"{_ASVS} 6.2.1",
            "password.min_length",
            c.min_length(8),
        ),
        _r(
            "password-max-length",
            "at least 64 characters permitted",
            f"{_ASVS} 6.2.9",
            "password.max_length",
            c.max_length(64),
        ),
        _r(
            "no-composition",
            "no composition rules",
            f"{_ASVS} 6.2.5",
            "password.required_classes",
            c.no_composition_rules(),
        ),
        _r(
            "no-rotation",
            "no periodic rotation",
            f"{_ASVS} 6.2.10",
            "password.max_age",
            c.no_periodic_change(),
        ),
        _r(
            "common-passwords",
            "the top common passwords refused",
            f"{_ASVS} 6.2.4",
            "password.blocklist",
            c.blocklist(),
        ),
        _r(
            "context-words",
            "context-specific words refused",
            f"{_ASVS} 6.2.11",
            "password.context_words",
            c.context_words(),
        ),
        _r(
            "breached",
            "passwords found in breaches refused",
            f"{_ASVS} 6.2.12",
            "password.check_breached",
            c.breached(),
        ),
        _r(
            "anti-automation",
            "failed logins limited (lockout or throttling)",
            f"{_ASVS} 6.1.1 and 6.3.1",
            "password.lockout",
            c.lockout(100),
        ),
    ),
)

PCI_DSS_4: Final = Baseline(
    name="pci-dss-4",
    title="PCI DSS v4.0.1: authentication, audit logs, display of card numbers",
    source=f"{_PCI}, Requirements 3, 8 and 10",
    requirements=(
        _r(
            "password-length",
            "at least 12 characters",
            f"{_PCI} 8.3.6",
            "password.min_length",
            c.min_length(12),
        ),
        _r(
            "letters-and-digits",
            "both letters and digits",
            f"{_PCI} 8.3.6",
            "password.letters_and_digits",
            c.letters_and_digits(),
        ),
        _r(
            "history",
            "not the same as any of the last 4 passwords",
            f"{_PCI} 8.3.7",
            "password.history_size",
            c.history(4),
        ),
        _r(
            "rotation",
            "changed at least every 90 days when the password is the only factor",
            f"{_PCI} 8.3.9",
            "password.max_age",
            c.periodic_change(90, unless_mfa=True),
        ),
        _r(
            "lockout",
            "locked after at most 10 attempts, for at least 30 minutes",
            f"{_PCI} 8.3.4",
            "password.lockout",
            c.lockout(10, min_duration=timedelta(minutes=30)),
        ),
        _r(
            "idle-timeout",
            "re-authentication after at most 15 minutes idle",
            f"{_PCI} 8.2.8",
            "password.idle_timeout",
            c.idle_timeout(timedelta(minutes=15)),
        ),
        _r(
            "pan-display",
            "card numbers shown with at most the first 6 and last 4 digits",
            f"{_PCI} 3.4.1",
            "pii.operators",
            c.card_numbers_masked(),
        ),
        _r(
            "audit-events",
            "access, administrative actions and privilege changes logged",
            f"{_PCI} 10.2.1",
            "audit.events",
            c.audit_events(PCI_EVENTS),
        ),
        _r(
            "audit-protected",
            "audit logs protected from modification (chain, signed checkpoints, anchor)",
            f"{_PCI} 10.3.2 and 10.3.4",
            "audit.anchor",
            c.audit_protected(),
        ),
        _r(
            "audit-retention",
            "audit log history kept at least 12 months",
            f"{_PCI} 10.5.1",
            "retention.rules",
            c.retention(None, Period(months=12)),
        ),
        _r(
            "audit-online",
            "the latest 3 months of audit logs immediately available",
            f"{_PCI} 10.5.1",
            "retention.rules",
            c.accessible(None, Period(months=3)),
        ),
    ),
)

CN_MLPS_L3: Final = Baseline(
    name="cn-mlps-l3",
    title="GB/T 22239-2019 (等保2.0) level 3: identification, access control, security audit",
    source=f"{_MLPS}, 8.1.4.1-8.1.4.3, with China Cybersecurity Law Art. 21(3)",
    requirements=(
        _r(
            "password-length",
            "at least 8 characters",
            f"{_MLPS} 8.1.4.1 a) (assessors' interpretation: 8)",
            "password.min_length",
            c.min_length(8),
            interpretation=True,
        ),
        _r(
            "password-complexity",
            "3 of the 4 character classes",
            f"{_MLPS} 8.1.4.1 a) (assessors' interpretation: 3 of 4 classes)",
            "password.required_classes",
            c.required_classes(3),
            interpretation=True,
        ),
        _r(
            "password-change",
            "passwords changed periodically, at least every 90 days",
            f"{_MLPS} 8.1.4.1 a) (assessors' interpretation: 90 days)",
            "password.max_age",
            c.periodic_change(90),
            interpretation=True,
        ),
        _r(
            "lockout",
            "login failures handled: lock after at most 5 failures for at least 10 minutes",
            f"{_MLPS} 8.1.4.1 b) (assessors' interpretation: 5 failures, 10-60 minutes)",
            "password.lockout",
            c.lockout(5, min_duration=timedelta(minutes=10)),
            interpretation=True,
        ),
        _r(
            "idle-timeout",
            "idle sessions logged out within 30 minutes",
            f"{_MLPS} 8.1.4.1 b) (assessors' interpretation: 10-30 minutes)",
            "password.idle_timeout",
            c.idle_timeout(timedelta(minutes=30)),
            interpretation=True,
        ),
        _r(
            "mfa",
            "two or more authentication techniques, one cryptographic",
            f"{_MLPS} 8.1.4.1 d)",
            "password.mfa_required",
            c.mfa(),
        ),
        _r(
            "separation-of-duty",
            "administrator duties separated (system, security, audit)",
            f"{_MLPS} 8.1.4.2 c)",
            "rbac.ssd",
            c.separation_of_duty(),
        ),
        _r(
            "privileged-roles",
            "privileged accounts granted case by case with approval",
            f"{_MLPS} 8.1.4.2 c)",
            "rbac.roles",
            c.privileged_roles(),
        ),
        _r(
            "labels",
            "security labels on important resources",
            f"{_MLPS} 8.1.4.2 f)",
            "rbac.labels",
            c.labels(),
        ),
        _r(
            "audit-events",
            "audit covers every user's important behaviour and security events",
            f"{_MLPS} 8.1.4.3 a)",
            "audit.events",
            c.audit_events(MLPS_EVENTS),
        ),
        _r(
            "audit-protected",
            "audit records protected from deletion, modification and overwriting",
            f"{_MLPS} 8.1.4.3 c)",
            "audit.anchor",
            c.audit_protected(),
        ),
        _r(
            "audit-durable",
            "audit records written durably",
            f"{_MLPS} 8.1.4.3 c)",
            "audit.fsync",
            c.audit_durable(),
        ),
        _r(
            "log-retention",
            "logs kept at least 6 months",
            f"{_CSL} Art. 21(3), as level-3 assessments check it",
            "retention.rules",
            c.retention(None, Period(months=6)),
        ),
    ),
)


def _kept(period: Period) -> str:
    return "permanently" if period.permanent else f"at least {period}"


def _rulebook_retention() -> tuple[Requirement, ...]:
    """One requirement per category of the interactive-service retention profile."""
    return tuple(
        _r(
            f"retention-{rule.category.replace('_', '-')}",
            f"{rule.category} kept {_kept(rule.keep)}",
            rule.citation,
            "retention.rules",
            c.retention(rule.category, rule.keep),
        )
        for rule in profiles.CN_INTERACTIVE_SERVICE.rules
    )


CN_INTERACTIVE_SERVICE: Final = Baseline(
    name="cn-interactive-service",
    title="Internet interactive-service security rulebook: passwords, audit events, retention",
    source=f"{_RULEBOOK} (internal; as reported by the operator), with {_CSL} Art. 21(3)",
    requirements=(
        _r(
            "password-length",
            "at least 8 characters",
            f"{_RULEBOOK}: passwords of at least 8 characters",
            "password.min_length",
            c.min_length(8),
        ),
        _r(
            "password-complexity",
            "letters, digits and special characters mixed (3 of 4 classes)",
            f"{_RULEBOOK}: letters, digits and special characters",
            "password.required_classes",
            c.required_classes(3),
        ),
        _r(
            "trivial-passwords",
            "trivial passwords such as 123456 refused",
            f"{_RULEBOOK}: no trivial passwords",
            "password.blocklist",
            c.blocklist(),
        ),
        _r(
            "first-use",
            "the initial password changed at first use",
            f"{_RULEBOOK}: change at first use",
            "password.change_at_first_use",
            c.change_at_first_use(),
        ),
        _r(
            "lockout",
            "account locked after 3 consecutive failed logins",
            f"{_RULEBOOK}: lock after 3 consecutive failures and notify",
            "password.lockout",
            c.lockout(3),
        ),
        _r(
            "audit-events",
            "registration, login/logout, publishing, behaviour, groups, files, privileges "
            "and staff access to personal data logged",
            f"{_RULEBOOK}: audit log contents",
            "audit.events",
            c.audit_events(RULEBOOK_EVENTS),
        ),
        _r(
            "audit-protected",
            "logs protected from deletion, modification and overwriting",
            f"{_RULEBOOK}: log protection",
            "audit.anchor",
            c.audit_protected(),
        ),
        _r(
            "audit-masked",
            "personal data in logs masked",
            f"{_RULEBOOK}: data shown only on need, masked where possible",
            "audit.mask",
            c.audit_masked(),
        ),
        *_rulebook_retention(),
    ),
)

CN_CYBERSECURITY_LAW: Final = Baseline(
    name="cn-cybersecurity-law",
    title="China Cybersecurity Law: network logs and personal information",
    source=f"{_CSL}, Arts. 21 and 42",
    requirements=(
        _r(
            "monitoring",
            "network operation and security events recorded (logins and logouts at least)",
            f"{_CSL} Art. 21(3)",
            "audit.events",
            c.audit_events(("auth.login", "auth.logout")),
        ),
        _r(
            "log-retention",
            "the audit logs kept at least 6 months",
            f"{_CSL} Art. 21(3)",
            "retention.rules",
            c.retention(None, Period(months=6)),
        ),
        _r(
            "network-log-retention",
            "network logs kept at least 6 months",
            f"{_CSL} Art. 21(3)",
            "retention.rules",
            c.retention("network_log", Period(months=6)),
        ),
        _r(
            "personal-information",
            "personal information in logs protected from disclosure (masked)",
            f"{_CSL} Art. 42",
            "audit.mask",
            c.audit_masked(),
        ),
    ),
)

#: Every baseline by name.
BASELINES: Final[dict[str, Baseline]] = {
    b.name: b
    for b in (
        NIST_800_63B,
        OWASP_ASVS_5,
        PCI_DSS_4,
        CN_MLPS_L3,
        CN_INTERACTIVE_SERVICE,
        CN_CYBERSECURITY_LAW,
    )
}
