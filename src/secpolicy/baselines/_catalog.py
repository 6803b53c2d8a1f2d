"""The baselines: what each standard or rulebook requires of a service's declared policy.

Numbers come from ../shared/REFERENCES.md. Where the standard gives none and
assessors' common reading does, the requirement is marked as an
interpretation and its clause says so.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Final

from secpolicy.baselines import _checks as c
from secpolicy.baselines._model import Baseline, ChangelogEntry, Requirement
from secpolicy.retention import Period, profiles

if TYPE_CHECKING:
    from collections.abc import Callable

    from secpolicy.baselines._model import Verdict
    from secpolicy.policyfile import ServicePolicy

_NIST: Final = "NIST SP 800-63B-4 (2025)"
_ASVS: Final = "OWASP ASVS 5.0.0 (2025)"
_PCI: Final = "PCI DSS v4.0.1 (June 2024)"
_MLPS: Final = "GB/T 22239-2019 level 3"
_CSL: Final = "China Cybersecurity Law (as amended 2025-10-28, in force 2026-01-01)"
#: The zone Chinese law counts periods in (PRC Civil Code, Arts. 201-203, by whole days).
_CN_TZ: Final = "Asia/Shanghai"
_RULEBOOK: Final = "internal rulebook (internet interactive-service security policy)"
_RULEBOOK_NOTE: Final = (
    "an operator's internal rulebook, not a public standard; the text is the one "
    "secpolicy was specified from, as reported by the operator"
)
_PCI_SCOPE: Final = (
    "Requirement 8 applies to the accounts of personnel and of applications with access "
    "to the cardholder data environment, not to consumer (cardholder) accounts"
)
_ANCHOR_NOTE: Final = (
    "stricter than the clause: it asks that logs be protected from modification; this "
    "baseline also asks for an anchor kept elsewhere, because a hash chain alone does not "
    "reveal a cut-off tail; and a checkpoint must seal the chain at least every 10,000 "
    "records and every hour (no standard gives a number: 10,000 is ten times the writer's "
    "default, an hour the cadence of AWS CloudTrail's signed digests)"
)
_ATTEMPTS_NOTE: Final = (
    "NIST limits consecutive failed attempts to 100 and sets no period; a lock that lifts by "
    "itself lets the failures go on, so this baseline counts the attempts an attacker who waits "
    "out each lock gets in 30 days (the period is this baseline's choice) and asks for at most 100"
)
#: Parts of clauses that a policy file declares but secpolicy cannot see enforced.
_EMITTED: Final = (
    (
        "that the service emits these events: [audit] events is what it declares, and the check "
        "compares the declaration"
    ),
)
_IDLE: Final = (
    (
        "that the service ends idle sessions: idle_timeout is declared, and secpolicy does not see "
        "the service's sessions"
    ),
)
_MFA: Final = (
    (
        "that the service enforces the second factor and that one technique is cryptographic: "
        "mfa_required is declared only"
    ),
)
_FIRST_USE: Final = ("that the service forces the change: change_at_first_use is declared only",)
_BREACHED: Final = (
    (
        "that the breach corpus or range API is reachable from the service: check_breached is "
        "declared only"
    ),
)
_HISTORY: Final = (
    "that the service passes the user's previous hashes to the check: history_size is declared",
)
_END_SESSION: Final = (
    (
        "ending the session after failed logins (结束会话): a behaviour of the service that the "
        "policy file cannot declare"
    ),
)
_NOTIFY: Final = (
    (
        "notifying the user of the lock: the service's LoginThrottle on_lock handler, which the "
        "policy file cannot declare"
    ),
)
_APPROVAL_PROCEDURE: Final = (
    (
        "the approval procedure itself (approval items, departments and approvers) and its "
        "periodic review (8.1.7.3 a) and c)): management requirements outside the policy file"
    ),
)

#: The date of this release's corrections, for the baselines' changelogs.
_V4: Final = date(2026, 12, 2)
_V3: Final = date(2026, 12, 2)
_V2: Final = date(2026, 12, 1)
_V1: Final = date(2025, 6, 1)
_FIRST: Final = ChangelogEntry(version="1", date=_V1, changes=("first edition (secpolicy 0.1)",))

#: Events the level-3 audit clause asks for, as this library reads "important user
#: behaviour and important security events": logins, privilege grants and use, policy changes.
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
#: PCI DSS 10.2.1.1 and 10.2.1.4: access to cardholder data and (invalid) access attempts.
PCI_EVENTS: Final = ("auth.login", "auth.logout", "personal_data.access")
#: PCI DSS 10.2.1.2: actions by anyone with administrative access.
PCI_ADMIN_EVENTS: Final = ("privilege.use", "policy.change")
#: PCI DSS 10.2.1.3: all access to audit logs.
PCI_LOG_ACCESS_EVENTS: Final = ("audit.access",)
#: PCI DSS 10.2.1.5: changes to identification and authentication credentials.
PCI_CREDENTIAL_EVENTS: Final = (
    "account.register",
    "account.update",
    "privilege.grant",
    "privilege.revoke",
)
#: PCI DSS 10.2.1.6: initialisation, stopping or pausing of the audit logs.
PCI_AUDIT_LIFECYCLE_EVENTS: Final = ("audit.start", "audit.stop")


def _r(
    ident: str,
    title: str,
    clause: str,
    path: str,
    check: Callable[[ServicePolicy], Verdict],
    *,
    interpretation: bool = False,
    note: str = "",
    severity: float = 7.0,
    not_checked: tuple[str, ...] = (),
) -> Requirement:
    return Requirement(
        id=ident,
        title=title,
        clause=clause,
        path=path,
        check=check,
        interpretation=interpretation,
        note=note,
        severity=severity,
        not_checked=not_checked,
    )


NIST_800_63B: Final = Baseline(
    name="nist-800-63b-4",
    aliases=("nist-800-63b",),
    version="3",
    edition=_NIST,
    title="NIST SP 800-63B-4, passwords",
    source=f"{_NIST}, §3.1.1.2 (password verifiers) and §3.2.2 (rate limiting)",
    scope="passwords used as an authenticator; other authenticators are out of scope",
    changelog=(
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                (
                    "rate-limit counts the attempts an attacker who waits out each lock gets in "
                    "30 days (at most 100) and is marked as an interpretation: a lock that lifts "
                    "after a second failed to limit anything"
                ),
                (
                    "blocklist also tries common passwords repeated or spelled out (password "
                    "password, p a s s w o r d)"
                ),
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id nist-800-63b-4 (nist-800-63b kept as an alias)",
                (
                    "password-max-length marked as an interpretation: the 64-character rule is a "
                    "SHOULD"
                ),
                "checks run the declared policy on sample passwords",
            ),
        ),
        _FIRST,
    ),
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
            f"{_NIST} §3.1.1.2 (a SHOULD)",
            "password.max_length",
            c.max_length(64),
            interpretation=True,
            note="the publication says verifiers SHOULD permit at least 64 characters; "
            "this baseline treats the SHOULD as required",
            severity=4.0,
        ),
        _r(
            "no-composition",
            "no composition rules",
            f"{_NIST} §3.1.1.2",
            "password.required_classes",
            c.no_composition_rules(),
            severity=4.0,
        ),
        _r(
            "no-rotation",
            "no periodic password change",
            f"{_NIST} §3.1.1.2",
            "password.max_age",
            c.no_periodic_change(),
            severity=4.0,
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
            c.lockout(100, max_attempts=100),
            interpretation=True,
            note=_ATTEMPTS_NOTE,
        ),
    ),
)

OWASP_ASVS_5: Final = Baseline(
    name="owasp-asvs-5.0.0",
    aliases=("owasp-asvs-5",),
    version="3",
    edition=_ASVS,
    title="OWASP Application Security Verification Standard 5.0.0, V6 authentication",
    source=f"{_ASVS}, chapter V6",
    scope="password authentication (V6.1 to V6.3); other V6 sections are out of scope",
    changelog=(
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                (
                    "anti-automation counts the attempts an attacker who waits out each lock gets "
                    "in 30 days (at most 100)"
                ),
                "common-passwords also tries common passwords repeated or spelled out",
                "breached names what it does not check (that the breach source is reachable)",
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id owasp-asvs-5.0.0 (owasp-asvs-5 kept as an alias)",
                (
                    "anti-automation marked as an interpretation: the limit of 100 failures is "
                    "NIST's number, ASVS gives none"
                ),
            ),
        ),
        _FIRST,
    ),
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
            severity=4.0,
        ),
        _r(
            "no-composition",
            "no composition rules",
            f"{_ASVS} 6.2.5",
            "password.required_classes",
            c.no_composition_rules(),
            severity=4.0,
        ),
        _r(
            "no-rotation",
            "no periodic rotation",
            f"{_ASVS} 6.2.10",
            "password.max_age",
            c.no_periodic_change(),
            severity=4.0,
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
            not_checked=_BREACHED,
        ),
        _r(
            "anti-automation",
            "failed logins limited (lockout or throttling), at most 100 consecutive failures",
            f"{_ASVS} 6.1.1 and 6.3.1 (limit: NIST SP 800-63B-4 §3.2.2)",
            "password.lockout",
            c.lockout(100, max_attempts=100),
            interpretation=True,
            note="ASVS asks for documented anti-automation controls and gives no number; "
            f"the limit of 100 consecutive failures is NIST SP 800-63B-4's; {_ATTEMPTS_NOTE}",
        ),
    ),
)

_REQ8: Final = f"scope: {_PCI_SCOPE}"

PCI_DSS_4: Final = Baseline(
    name="pci-dss-4.0.1",
    aliases=("pci-dss-4",),
    version="4",
    edition=_PCI,
    title="PCI DSS v4.0.1: authentication, audit logs, display of card numbers",
    source=f"{_PCI}, Requirements 3.4, 8 and 10",
    scope=f"{_PCI_SCOPE}. Requirement 10 applies to the system components in scope.",
    changelog=(
        ChangelogEntry(
            version="4",
            date=_V4,
            changes=("audit-protected also fails an anchor kept in a directory below the log's",),
        ),
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                (
                    "audit-protected asks for a checkpoint at least every 10,000 records and every "
                    "hour (interpretation)"
                ),
                (
                    "history, idle-timeout and the audit-event requirements name what they do not "
                    "check (declared only)"
                ),
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id pci-dss-4.0.1 (pci-dss-4 kept as an alias)",
                (
                    "pan-display masks sample card numbers (incl. UnionPay) with the declared "
                    "masker instead of reading the PAYMENT_CARD operator"
                ),
                "scope note: Requirement 8 does not apply to consumer accounts",
                "new requirements for 10.2.1.2, 10.2.1.3, 10.2.1.5 and 10.2.1.6",
                "audit-events now covers 10.2.1.1 and 10.2.1.4",
                "audit-protected marked as an interpretation (stricter than 10.3.2/10.3.4)",
                "audit-retention judged by the rule the schedule applies",
            ),
        ),
        _FIRST,
    ),
    requirements=(
        _r(
            "password-length",
            "at least 12 characters",
            f"{_PCI} 8.3.6",
            "password.min_length",
            c.min_length(12),
            note=_REQ8,
        ),
        _r(
            "letters-and-digits",
            "both letters and digits",
            f"{_PCI} 8.3.6",
            "password.letters_and_digits",
            c.letters_and_digits(),
            note=_REQ8,
        ),
        _r(
            "history",
            "not the same as any of the last 4 passwords",
            f"{_PCI} 8.3.7",
            "password.history_size",
            c.history(4),
            not_checked=_HISTORY,
            note=_REQ8,
        ),
        _r(
            "rotation",
            "changed at least every 90 days when the password is the only factor",
            f"{_PCI} 8.3.9",
            "password.max_age",
            c.periodic_change(90, unless_mfa=True),
            note=_REQ8,
        ),
        _r(
            "lockout",
            "locked after at most 10 attempts, for at least 30 minutes",
            f"{_PCI} 8.3.4",
            "password.lockout",
            c.lockout(10, min_duration=timedelta(minutes=30)),
            note=_REQ8,
        ),
        _r(
            "idle-timeout",
            "re-authentication after at most 15 minutes idle",
            f"{_PCI} 8.2.8",
            "password.idle_timeout",
            c.idle_timeout(timedelta(minutes=15)),
            not_checked=_IDLE,
            note=_REQ8,
        ),
        _r(
            "pan-display",
            "card numbers shown with at most the first 6 and last 4 digits",
            f"{_PCI} 3.4.1",
            "pii",
            c.card_numbers_masked(),
            severity=9.0,
        ),
        _r(
            "audit-events",
            "access to cardholder data and every (invalid) access attempt logged",
            f"{_PCI} 10.2.1.1 and 10.2.1.4",
            "audit.events",
            c.audit_events(PCI_EVENTS),
            not_checked=_EMITTED,
        ),
        _r(
            "audit-admin-actions",
            "every action by anyone with administrative access logged (privilege use, "
            "policy changes)",
            f"{_PCI} 10.2.1.2",
            "audit.events",
            c.audit_events(PCI_ADMIN_EVENTS),
            not_checked=_EMITTED,
        ),
        _r(
            "audit-log-access",
            "all access to the audit logs logged",
            f"{_PCI} 10.2.1.3",
            "audit.events",
            c.audit_events(PCI_LOG_ACCESS_EVENTS),
            not_checked=_EMITTED,
        ),
        _r(
            "audit-credential-changes",
            "changes to identification and authentication credentials logged (new accounts, "
            "account changes, elevation of privileges)",
            f"{_PCI} 10.2.1.5",
            "audit.events",
            c.audit_events(PCI_CREDENTIAL_EVENTS),
            not_checked=_EMITTED,
        ),
        _r(
            "audit-start-stop",
            "initialisation, stopping and pausing of the audit logs logged",
            f"{_PCI} 10.2.1.6",
            "audit.events",
            c.audit_events(PCI_AUDIT_LIFECYCLE_EVENTS),
            not_checked=_EMITTED,
        ),
        _r(
            "audit-protected",
            "audit logs protected from modification (chain, signed checkpoints, anchor)",
            f"{_PCI} 10.3.2 and 10.3.4",
            "audit.anchor",
            c.audit_protected(),
            interpretation=True,
            note=_ANCHOR_NOTE,
            severity=8.0,
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
            severity=5.0,
        ),
    ),
)

_ASSESSORS: Final = "assessors' common reading; the standard gives no number"

CN_MLPS_L3: Final = Baseline(
    name="cn-mlps-l3-2019",
    aliases=("cn-mlps-l3",),
    version="5",
    edition="GB/T 22239-2019 (等保2.0), level 3",
    title="GB/T 22239-2019 (等保2.0) level 3: identification, access control, security audit",
    source=f"{_MLPS}, 8.1.4.1 to 8.1.4.3 (computing environment), 8.1.5 and 8.1.7.3 b), with "
    f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)",
    scope="the application's computing environment (安全计算环境) as a secpolicy.toml declares "
    "it; network, physical and most management requirements are out of scope",
    changelog=(
        ChangelogEntry(
            version="5",
            date=_V4,
            changes=(
                (
                    "separation-of-duty fails a constraint between roles whose rights contain one "
                    "another (an administrator granted ** beside the auditor)"
                ),
                (
                    "privileged-roles fails when the privilege can be had without approval: "
                    "privileged roles that grant nothing, or a user holding every right of one "
                    "through plain roles"
                ),
                "audit-protected also fails an anchor kept in a directory below the log's",
                (
                    "retention counts the period by whole days in Asia/Shanghai, whatever zone and"
                    " semantics the schedule uses"
                ),
            ),
        ),
        ChangelogEntry(
            version="4",
            date=_V3,
            changes=(
                (
                    "every citation re-checked against the transcriptions that could be found "
                    "(the standard's own text was not available); no number changed"
                ),
                (
                    "privileged-roles says that 8.1.7.3 b) is read from the order of the "
                    "control points and items, not seen printed"
                ),
            ),
        ),
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                "privileged-roles cites 8.1.7.3 b), the item that asks for level-by-level approval",
                "lockout names the part of 8.1.4.1 b) it does not check (ending the session)",
                (
                    "audit-protected asks for a checkpoint at least every 10,000 records and every "
                    "hour; audit-durable fails fsync at checkpoints that never come or every more "
                    "than 10,000 records (interpretations)"
                ),
                "mfa, idle-timeout, audit-events and privileged-roles name what they do not check",
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id cn-mlps-l3-2019 (cn-mlps-l3 kept as an alias)",
                (
                    "separation-of-duty cites 8.1.4.2 d) (was c)) and names 8.1.5 for the "
                    "three administrators"
                ),
                "labels cites 8.1.4.2 g) (was f))",
                (
                    "privileged-roles cites 8.1.7.3, a management requirement (was 8.1.4.2 c)), "
                    "and asks 2 approvals"
                ),
                (
                    "log-retention cites the Cybersecurity Law Art. 23(3) of the 2025 amendment "
                    "(Art. 21(3) in the 2017 text) and is marked as an interpretation"
                ),
                "audit-events, audit-protected and audit-durable marked as interpretations",
                "separation of duty and labels must bind roles and resources the policy uses",
            ),
        ),
        _FIRST,
    ),
    requirements=(
        _r(
            "password-length",
            "at least 8 characters",
            f"{_MLPS} 8.1.4.1 a)",
            "password.min_length",
            c.min_length(8),
            interpretation=True,
            note=f"complexity is required; 8 characters is {_ASSESSORS}",
        ),
        _r(
            "password-complexity",
            "3 of the 4 character classes",
            f"{_MLPS} 8.1.4.1 a)",
            "password.required_classes",
            c.required_classes(3),
            interpretation=True,
            note=f"complexity is required; 3 of 4 classes is {_ASSESSORS}",
        ),
        _r(
            "password-change",
            "passwords changed periodically, at least every 90 days",
            f"{_MLPS} 8.1.4.1 a)",
            "password.max_age",
            c.periodic_change(90),
            interpretation=True,
            note=f"periodic change (定期更换) is required; 90 days is {_ASSESSORS}",
        ),
        _r(
            "lockout",
            "login failures handled: lock after at most 5 failures for at least 10 minutes",
            f"{_MLPS} 8.1.4.1 b)",
            "password.lockout",
            c.lockout(5, min_duration=timedelta(minutes=10)),
            not_checked=_END_SESSION,
            interpretation=True,
            note=f"the clause asks for login-failure handling: ending the session, limiting "
            "failed logins and logging out on connection timeout; this requirement checks the "
            f"limit (5 failures and 10-60 minutes are {_ASSESSORS}), idle-timeout checks the "
            "logout, and ending the session is not checked",
        ),
        _r(
            "idle-timeout",
            "idle sessions logged out within 30 minutes",
            f"{_MLPS} 8.1.4.1 b)",
            "password.idle_timeout",
            c.idle_timeout(timedelta(minutes=30)),
            not_checked=_IDLE,
            interpretation=True,
            note=f"logout on timeout is required; 10-30 minutes is {_ASSESSORS}",
        ),
        _r(
            "mfa",
            "two or more authentication techniques, one cryptographic",
            f"{_MLPS} 8.1.4.1 d)",
            "password.mfa_required",
            c.mfa(),
            not_checked=_MFA,
        ),
        _r(
            "separation-of-duty",
            "administrator rights separated: an enforced separation-of-duty constraint over "
            "roles in use",
            f"{_MLPS} 8.1.4.2 d); the system, audit and security administrators: 8.1.5",
            "rbac.ssd",
            c.separation_of_duty(),
            interpretation=True,
            note="the clause asks for least privilege and separated administrator rights; "
            "this baseline reads it as a static separation-of-duty constraint whose roles are "
            "granted something and held",
        ),
        _r(
            "privileged-roles",
            "privileged roles granted case by case, with approval at two levels",
            f"{_MLPS} 8.1.7.3 b) (授权和审批, management requirements)",
            "rbac.roles",
            c.privileged_roles(min_approvals=2),
            not_checked=_APPROVAL_PROCEDURE,
            interpretation=True,
            note="approval of important operations is a management requirement; this baseline "
            "reads level-by-level approval (逐级审批) as at least 2 approvals per privileged "
            "grant; the number 8.1.7.3 b) is read from the order of the management control points "
            "(授权和审批 third under 安全管理机构) and of the level-3 items (逐级审批 second of "
            "three) in third-party transcriptions: it was not seen printed",
        ),
        _r(
            "labels",
            "security labels on important resources the policy grants access to",
            f"{_MLPS} 8.1.4.2 g)",
            "rbac.labels",
            c.labels(),
        ),
        _r(
            "audit-events",
            "audit covers every user's important behaviour and security events",
            f"{_MLPS} 8.1.4.3 a)",
            "audit.events",
            c.audit_events(MLPS_EVENTS),
            not_checked=_EMITTED,
            interpretation=True,
            note="the clause names no events; logins, logouts, privilege grants, revocations "
            "and use, and policy changes are this baseline's reading",
        ),
        _r(
            "audit-protected",
            "audit records protected from deletion, modification and overwriting",
            f"{_MLPS} 8.1.4.3 c)",
            "audit.anchor",
            c.audit_protected(),
            interpretation=True,
            note=_ANCHOR_NOTE,
            severity=8.0,
        ),
        _r(
            "audit-durable",
            "audit records not lost: written to disk at least at every checkpoint",
            f"{_MLPS} 8.1.4.3 c)",
            "audit.fsync",
            c.audit_durable(),
            interpretation=True,
            note="the clause asks for protection and regular backup (定期备份) of the records; "
            "fsync is this library's reading of not losing them and does not replace backups",
            severity=5.0,
        ),
        _r(
            "log-retention",
            "logs kept at least 6 months",
            f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)",
            "retention.rules",
            c.retention(None, Period(months=6), tz=_CN_TZ),
            interpretation=True,
            note="GB/T 22239-2019 gives no retention period; level-3 assessments check the "
            "Cybersecurity Law's 6 months",
        ),
    ),
)


def _kept(period: Period) -> str:
    return "permanently" if period.permanent else f"at least {period}"


#: What the rulebook says of each retention category of the profile.
_RULEBOOK_RETENTION: Final = {
    "registration": "registration data",
    "registration_history": "changes to registration data",
    "friend_list": "friend lists and their changes",
    "group_registration": "group registration",
    "group_membership": "group membership and its changes",
    "system_maintenance_log": "system maintenance logs",
    "user_log": "user logs (login, logout, behaviour)",
    "published_content": "published information",
}


def _retention_clause(category: str, period: Period) -> str:
    if category == "network_log":
        return f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)"
    what = _RULEBOOK_RETENTION.get(category, category.replace("_", " "))
    return f"{_RULEBOOK}: {what}, {_kept(period)}"


def _rulebook_retention() -> tuple[Requirement, ...]:
    """One requirement per category of the interactive-service retention profile."""
    return tuple(
        _r(
            f"retention-{rule.category.replace('_', '-')}",
            f"{rule.category} kept {_kept(rule.keep)}",
            _retention_clause(rule.category, rule.keep),
            "retention.rules",
            c.retention(rule.category, rule.keep, tz=_CN_TZ),
            interpretation=rule.category != "network_log",
            note="" if rule.category == "network_log" else _RULEBOOK_NOTE,
        )
        for rule in profiles.CN_INTERACTIVE_SERVICE.rules
    )


CN_INTERACTIVE_SERVICE: Final = Baseline(
    name="cn-interactive-service-1",
    aliases=("cn-interactive-service",),
    version="4",
    edition="internal interactive-service security rulebook, as specified to secpolicy 0.1",
    title="Internet interactive-service security rulebook (internal): passwords, audit, retention",
    source=f"{_RULEBOOK}: {_RULEBOOK_NOTE}; network logs: {_CSL} Art. 23(3) "
    "(Art. 21(3) in the 2017 text)",
    scope="an internal rulebook, not a public standard: a pass shows the declared policy meets "
    "the rulebook as secpolicy encodes it, not a regulator's assessment",
    changelog=(
        ChangelogEntry(
            version="4",
            date=_V4,
            changes=(
                (
                    "audit-masked fails a masker that shows the part display practice hides (the "
                    "middle digits of a mobile, the birth date of a resident ID, most of an "
                    "e-mail's local part)"
                ),
                "audit-protected also fails an anchor kept in a directory below the log's",
                (
                    "retention counts the period by whole days in Asia/Shanghai, whatever zone and"
                    " semantics the schedule uses"
                ),
            ),
        ),
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                (
                    "lockout asks the lock to hold at least 10 minutes (interpretation) and says "
                    "that notifying the user is not checked"
                ),
                "trivial-passwords also tries common passwords repeated or spelled out",
                (
                    "audit-protected asks for a checkpoint at least every 10,000 records and every "
                    "hour (interpretation)"
                ),
                "first-use and audit-events name what they do not check (declared only)",
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id cn-interactive-service-1 (cn-interactive-service kept as an alias)",
                (
                    "every requirement citing the rulebook names it as an internal rulebook and "
                    "is marked as an interpretation"
                ),
                (
                    "network-log retention cites the Cybersecurity Law Art. 23(3) of the 2025 "
                    "amendment (Art. 21(3) in the 2017 text)"
                ),
            ),
        ),
        _FIRST,
    ),
    requirements=(
        _r(
            "password-length",
            "at least 8 characters",
            f"{_RULEBOOK}: passwords of at least 8 characters",
            "password.min_length",
            c.min_length(8),
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        _r(
            "password-complexity",
            "letters, digits and special characters mixed (3 of 4 classes)",
            f"{_RULEBOOK}: letters, digits and special characters",
            "password.required_classes",
            c.required_classes(3),
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        _r(
            "trivial-passwords",
            "trivial passwords such as 123456 refused",
            f"{_RULEBOOK}: no trivial passwords",
            "password.blocklist",
            c.blocklist(),
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        _r(
            "first-use",
            "the initial password changed at first use",
            f"{_RULEBOOK}: change at first use",
            "password.change_at_first_use",
            c.change_at_first_use(),
            not_checked=_FIRST_USE,
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        _r(
            "lockout",
            "account locked after 3 consecutive failed logins, for at least 10 minutes",
            f"{_RULEBOOK}: lock after 3 consecutive failures and notify",
            "password.lockout",
            c.lockout(3, min_duration=timedelta(minutes=10)),
            not_checked=_NOTIFY,
            interpretation=True,
            note=f"{_RULEBOOK_NOTE}; the rulebook names no lock duration: a lock that lifts at "
            "once limits nothing, so this baseline asks that it hold at least 10 minutes "
            f"(the lower end of what MLPS assessors accept)",
        ),
        _r(
            "audit-events",
            "registration, login/logout, publishing, behaviour, groups, files, privileges "
            "and staff access to personal data logged",
            f"{_RULEBOOK}: audit log contents",
            "audit.events",
            c.audit_events(RULEBOOK_EVENTS),
            not_checked=_EMITTED,
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        _r(
            "audit-protected",
            "logs protected from deletion, modification and overwriting",
            f"{_RULEBOOK}: log protection",
            "audit.anchor",
            c.audit_protected(),
            interpretation=True,
            note=f"{_RULEBOOK_NOTE}; {_ANCHOR_NOTE}",
        ),
        _r(
            "audit-masked",
            "personal data in logs masked",
            f"{_RULEBOOK}: data shown only on need, masked where possible",
            "audit.mask",
            c.audit_masked(),
            interpretation=True,
            note=_RULEBOOK_NOTE,
        ),
        *_rulebook_retention(),
    ),
)

CN_CYBERSECURITY_LAW: Final = Baseline(
    name="cn-cybersecurity-law-2025",
    aliases=("cn-cybersecurity-law",),
    version="4",
    edition=_CSL,
    title="China Cybersecurity Law: network logs and personal information",
    source=f"{_CSL}, Arts. 23 and 44 (Arts. 21 and 42 in the 2017 text)",
    scope="the log and personal-information duties a policy file can declare",
    changelog=(
        ChangelogEntry(
            version="4",
            date=_V4,
            changes=(
                (
                    "personal-information fails a masker that shows the part display practice "
                    "hides (the middle digits of a mobile, the birth date of a resident ID, most "
                    "of an e-mail's local part)"
                ),
                (
                    "retention counts the period by whole days in Asia/Shanghai, whatever zone and"
                    " semantics the schedule uses"
                ),
            ),
        ),
        ChangelogEntry(
            version="3",
            date=_V3,
            changes=(
                "monitoring names what it does not check (that the declared events are emitted)",
            ),
        ),
        ChangelogEntry(
            version="2",
            date=_V2,
            changes=(
                "versioned id cn-cybersecurity-law-2025 (cn-cybersecurity-law kept as an alias)",
                (
                    "cites the numbering of the amendment of 2025-10-28 (in force 2026-01-01): "
                    "Art. 23 (was 21) and Art. 44 (was 42)"
                ),
                "monitoring and personal-information marked as interpretations",
            ),
        ),
        _FIRST,
    ),
    requirements=(
        _r(
            "monitoring",
            "network operation and security events recorded (logins and logouts at least)",
            f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)",
            "audit.events",
            c.audit_events(("auth.login", "auth.logout")),
            not_checked=_EMITTED,
            interpretation=True,
            note="the article asks for technical measures that monitor and record network "
            "operation and security events; logins and logouts are this baseline's minimum",
        ),
        _r(
            "log-retention",
            "the audit logs kept at least 6 months",
            f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)",
            "retention.rules",
            c.retention(None, Period(months=6), tz=_CN_TZ),
        ),
        _r(
            "network-log-retention",
            "network logs kept at least 6 months",
            f"{_CSL} Art. 23(3) (Art. 21(3) in the 2017 text)",
            "retention.rules",
            c.retention("network_log", Period(months=6), tz=_CN_TZ),
        ),
        _r(
            "personal-information",
            "personal information in logs protected from disclosure (masked)",
            f"{_CSL} Art. 44 (Art. 42 in the 2017 text)",
            "audit.mask",
            c.audit_masked(),
            interpretation=True,
            note="the article asks operators to keep personal information from disclosure; "
            "masking it in logs is this baseline's reading",
        ),
    ),
)

#: The baselines shipped with secpolicy, in order.
BUILTIN: Final[tuple[Baseline, ...]] = (
    NIST_800_63B,
    OWASP_ASVS_5,
    PCI_DSS_4,
    CN_MLPS_L3,
    CN_INTERACTIVE_SERVICE,
    CN_CYBERSECURITY_LAW,
)
