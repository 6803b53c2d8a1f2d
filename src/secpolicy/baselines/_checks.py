"""Reusable checks: each factory returns a function that judges one aspect of a policy."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from secpolicy.baselines._model import Verdict, failed, not_applicable, passed
from secpolicy.pii import PAYMENT_CARD, Encrypt, Mask, Pseudonymize, Redact, Replace

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from secpolicy.password import PasswordPolicy
    from secpolicy.policyfile import ServicePolicy
    from secpolicy.retention import Period, RetentionRule


def _minutes(delta: timedelta) -> str:
    if delta >= timedelta(days=1) and not delta % timedelta(days=1):
        return f"{delta.days} days"
    return f"{delta.total_seconds() / 60:g} min"


def _password(
    judge: Callable[[PasswordPolicy], Verdict],
) -> Callable[[ServicePolicy], Verdict]:
    def check(policy: ServicePolicy) -> Verdict:
        if policy.password is None:
            return failed("no [password] section")
        return judge(policy.password)

    return check


def min_length(required: int, *, with_mfa: int | None = None) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* characters (*with_mfa* when a second factor is required)."""

    def judge(p: PasswordPolicy) -> Verdict:
        need = with_mfa if with_mfa is not None and p.mfa_required else required
        text = f"min_length {p.min_length}, required >= {need}"
        if with_mfa is not None:
            text += " (MFA required)" if p.mfa_required else " (password is the only factor)"
        return passed(text) if p.min_length >= need else failed(text)

    return _password(judge)


def max_length(required: int) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* characters permitted."""

    def judge(p: PasswordPolicy) -> Verdict:
        text = f"max_length {p.max_length}, required >= {required}"
        return passed(text) if p.max_length >= required else failed(text)

    return _password(judge)


def no_composition_rules() -> Callable[[ServicePolicy], Verdict]:
    """No character-class rules imposed."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.required_classes == 0 and not p.letters_and_digits:
            return passed("no composition rules")
        imposed = [f"required_classes {p.required_classes}"] if p.required_classes else []
        imposed += ["letters_and_digits"] if p.letters_and_digits else []
        return failed(f"composition rules imposed: {', '.join(imposed)}; required: none")

    return _password(judge)


def required_classes(required: int) -> Callable[[ServicePolicy], Verdict]:
    """At least *required* of lower, upper, digit and symbol."""

    def judge(p: PasswordPolicy) -> Verdict:
        text = f"required_classes {p.required_classes}, required >= {required}"
        return passed(text) if p.required_classes >= required else failed(text)

    return _password(judge)


def letters_and_digits() -> Callable[[ServicePolicy], Verdict]:
    """Both letters and digits."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.letters_and_digits:
            return passed("letters_and_digits true")
        return failed("letters_and_digits false, required true")

    return _password(judge)


def no_periodic_change() -> Callable[[ServicePolicy], Verdict]:
    """No forced periodic change."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.max_age is None:
            return passed("no periodic change")
        return failed(f"max_age {_minutes(p.max_age)}; required: no periodic change")

    return _password(judge)


def periodic_change(days: int, *, unless_mfa: bool = False) -> Callable[[ServicePolicy], Verdict]:
    """Changed at least every *days* days (not required with MFA if *unless_mfa*)."""

    def judge(p: PasswordPolicy) -> Verdict:
        if unless_mfa and p.mfa_required:
            return not_applicable("MFA is required, so periodic change is not")
        if p.max_age is None:
            return failed(f"no max_age; required <= {days} days")
        text = f"max_age {_minutes(p.max_age)}, required <= {days} days"
        return passed(text) if p.max_age <= timedelta(days=days) else failed(text)

    return _password(judge)


def history(required: int) -> Callable[[ServicePolicy], Verdict]:
    """Not any of the last *required* passwords."""

    def judge(p: PasswordPolicy) -> Verdict:
        text = f"history_size {p.history_size}, required >= {required}"
        return passed(text) if p.history_size >= required else failed(text)

    return _password(judge)


def blocklist() -> Callable[[ServicePolicy], Verdict]:
    """Common passwords refused."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.blocklist is None:
            return failed("blocklist off; required on")
        return passed(f"blocklist {p.blocklist.name}")

    return _password(judge)


def context_words() -> Callable[[ServicePolicy], Verdict]:
    """The user's own data and the service's words refused."""

    def judge(p: PasswordPolicy) -> Verdict:
        if not p.user_attribute_similarity:
            return failed("user_attribute_similarity false; required true")
        words = len(p.context_words)
        if not words:
            return failed("user data checked, but no context_words (service name) given")
        return passed(f"user data and {words} context word(s) checked")

    return _password(judge)


def breached() -> Callable[[ServicePolicy], Verdict]:
    """Passwords found in breaches refused."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.check_breached:
            return passed(f"check_breached true (threshold {p.breach_threshold})")
        return failed("check_breached false; required true")

    return _password(judge)


def lockout(
    max_failures: int, *, min_duration: timedelta | None = None
) -> Callable[[ServicePolicy], Verdict]:
    """Locked after at most *max_failures* failures (for at least *min_duration*)."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.lockout is None:
            return failed(f"no lockout; required after <= {max_failures} failures")
        lock = p.lockout
        text = f"locks after {lock.max_failures} failures for {_minutes(lock.duration)}"
        if lock.max_failures > max_failures:
            return failed(f"{text}; required <= {max_failures} failures")
        if min_duration is not None and lock.duration < min_duration:
            return failed(f"{text}; required >= {_minutes(min_duration)}")
        return passed(text)

    return _password(judge)


def idle_timeout(limit: timedelta) -> Callable[[ServicePolicy], Verdict]:
    """Idle sessions end within *limit*."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.idle_timeout is None:
            return failed(f"no idle_timeout; required <= {_minutes(limit)}")
        text = f"idle_timeout {_minutes(p.idle_timeout)}, required <= {_minutes(limit)}"
        return passed(text) if p.idle_timeout <= limit else failed(text)

    return _password(judge)


def mfa() -> Callable[[ServicePolicy], Verdict]:
    """A second factor required."""

    def judge(p: PasswordPolicy) -> Verdict:
        return passed("mfa_required true") if p.mfa_required else failed("mfa_required false")

    return _password(judge)


def change_at_first_use() -> Callable[[ServicePolicy], Verdict]:
    """The initial password changed at first use."""

    def judge(p: PasswordPolicy) -> Verdict:
        if p.change_at_first_use:
            return passed("change_at_first_use true")
        return failed("change_at_first_use false")

    return _password(judge)


# -- audit ------------------------------------------------------------------------------


def audit_events(required: Iterable[str]) -> Callable[[ServicePolicy], Verdict]:
    """The audit section declares every one of *required*."""
    wanted = tuple(required)

    def check(policy: ServicePolicy) -> Verdict:
        if policy.audit is None:
            return failed("no [audit] section")
        missing = [action for action in wanted if action not in policy.audit.events]
        if missing:
            return failed(f"events not recorded: {', '.join(missing)}")
        return passed(f"all {len(wanted)} events recorded")

    return check


def audit_protected() -> Callable[[ServicePolicy], Verdict]:
    """Records chained, signed at checkpoints and anchored elsewhere."""

    def check(policy: ServicePolicy) -> Verdict:
        audit = policy.audit
        if audit is None:
            return failed("no [audit] section")
        if not audit.protected:
            return failed("records are chained and signed, but no anchor is configured")
        interval = audit.checkpoint_interval
        every = f"every {audit.checkpoint_every} records"
        if interval is not None:
            every += f" and {_minutes(interval)}"
        return passed(f"hash chain, checkpoints signed {every}, anchored")

    return check


def audit_durable() -> Callable[[ServicePolicy], Verdict]:
    """Records reach the disk: not ``fsync = "never"``."""

    def check(policy: ServicePolicy) -> Verdict:
        audit = policy.audit
        if audit is None:
            return failed("no [audit] section")
        if audit.sink != "file":
            return not_applicable(f"{audit.sink} sink: durability is the receiver's")
        if audit.fsync == "never":
            return failed('fsync "never": a crash may lose records')
        return passed(f"fsync {audit.fsync}")

    return check


def audit_masked() -> Callable[[ServicePolicy], Verdict]:
    """Personal data masked before it reaches the audit log."""

    def check(policy: ServicePolicy) -> Verdict:
        if policy.audit is None:
            return failed("no [audit] section")
        if not policy.audit.mask:
            return failed("mask false: personal data reaches the log in clear")
        return passed(f"masked ({policy.audit.masking} masker)")

    return check


# -- retention --------------------------------------------------------------------------


def _rules(
    policy: ServicePolicy, category: str | None, required: str = ""
) -> tuple[str, tuple[RetentionRule, ...]] | Verdict:
    """The category (None: the audit files') and its rules, or the failure that stops the check."""
    name = category
    if name is None:
        if policy.audit is None:
            return failed("no [audit] section to name the audit log's category")
        name = policy.audit.retention_category
    if policy.retention is None:
        return failed("no [retention] section")
    rules = policy.retention.rules_for(name)
    return (name, rules) if rules else failed(f"no retention rule for {name}{required}")


def retention(category: str | None, period: Period) -> Callable[[ServicePolicy], Verdict]:
    """Records of *category* (None: the audit files' category) kept at least *period*."""

    def check(policy: ServicePolicy) -> Verdict:
        found = _rules(policy, category, f"; required at least {period}")
        if isinstance(found, Verdict):
            return found
        name, rules = found
        need = "permanently" if period.permanent else f"at least {period}"
        enough = [r for r in rules if r.keep.covers(period)]
        if enough:
            return passed(f"{name} kept {enough[0].keep}, required {need}")
        kept = ", ".join(dict.fromkeys(str(r.keep) for r in rules))
        return failed(f"{name} kept {kept}, required {need}")

    return check


def accessible(category: str | None, period: Period) -> Callable[[ServicePolicy], Verdict]:
    """The latest *period* of *category* immediately available."""

    def check(policy: ServicePolicy) -> Verdict:
        found = _rules(policy, category)
        if isinstance(found, Verdict):
            return found
        name, rules = found
        online = [r.accessible or r.keep for r in rules]
        if any(p.covers(period) for p in online):
            return passed(f"{name} immediately available at least {period}")
        shown = ", ".join(dict.fromkeys(str(p) for p in online))
        return failed(f"{name} immediately available {shown}, required {period}")

    return check


# -- rbac and pii -----------------------------------------------------------------------


def separation_of_duty() -> Callable[[ServicePolicy], Verdict]:
    """At least one static separation-of-duty constraint."""

    def check(policy: ServicePolicy) -> Verdict:
        if policy.rbac is None:
            return failed("no [rbac] section")
        ssd = policy.rbac.to_dict()["ssd"]
        if not ssd:
            return failed("no ssd constraint separates administrator duties")
        return passed(f"{len(ssd)} ssd constraint(s): {', '.join(c['name'] for c in ssd)}")

    return check


def privileged_roles() -> Callable[[ServicePolicy], Verdict]:
    """Privileged roles exist and are granted only with approval."""

    def check(policy: ServicePolicy) -> Verdict:
        if policy.rbac is None:
            return failed("no [rbac] section")
        roles = {n: r for n, r in policy.rbac.to_dict()["roles"].items() if r["privileged"]}
        if not roles:
            return failed("no role is marked privileged (superuser, DBA)")
        detail = ", ".join(f"{n} ({r['approvals']} approval(s))" for n, r in sorted(roles.items()))
        return passed(f"privileged: {detail}")

    return check


def labels() -> Callable[[ServicePolicy], Verdict]:
    """Sensitivity labels on important resources."""

    def check(policy: ServicePolicy) -> Verdict:
        if policy.rbac is None:
            return failed("no [rbac] section")
        found = policy.rbac.to_dict()["labels"]
        if not found:
            return failed("no sensitivity labels on resources")
        return passed(f"{len(found)} labelled resource pattern(s)")

    return check


def card_numbers_masked() -> Callable[[ServicePolicy], Verdict]:
    """Card numbers shown with at most the first 6 and last 4 digits."""

    def check(policy: ServicePolicy) -> Verdict:
        if policy.pii is None:
            return failed("no [pii] section")
        operator = policy.pii.operator_for(PAYMENT_CARD)
        if isinstance(operator, (Redact, Replace, Pseudonymize, Encrypt)):
            return passed(f"PAYMENT_CARD: {type(operator).__name__}")
        if isinstance(operator, Mask):
            text = f"PAYMENT_CARD: Mask({operator.keep_first}, {operator.keep_last})"
            if operator.keep_first <= 6 and operator.keep_last <= 4:  # noqa: PLR2004 (PCI 3.4.1)
                return passed(text)
            return failed(f"{text}; at most 6 and 4 allowed")
        return failed(f"PAYMENT_CARD: {type(operator).__name__} cannot be judged; use Mask(6, 4)")

    return check
