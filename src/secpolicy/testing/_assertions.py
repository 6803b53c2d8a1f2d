"""Assertions for services' tests; failures name the rule, never the value."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from secpolicy.password import PasswordCheck, PasswordContext, PasswordPolicy
    from secpolicy.pii import Finding
    from secpolicy.rbac import RBAC, Decision


_NESTED = ("actor", "src", "nat", "data")
_MISSING = object()


def assert_password_rejected(
    policy: PasswordPolicy,
    password: str,
    *,
    code: str | None = None,
    context: PasswordContext | None = None,
) -> PasswordCheck:
    """Fail unless *policy* rejects *password* (for the reason *code*, if given).

    Returns:
        The check, for further assertions on its violations.

    Example:
        >>> from secpolicy.password import profiles
        >>> assert_password_rejected(profiles.CN_MLPS_L3, "123456", code="too_short").codes[0]
        'too_short'
    """
    __tracebackhide__ = True
    result = policy.check(password, context=context)
    label = policy.name or "the policy"
    if result.ok:
        raise AssertionError(f"{label} accepted the password; expected a rejection")
    if code is not None and code not in result.codes:
        raise AssertionError(
            f"{label} rejected the password for {', '.join(result.codes)}, not for {code!r}"
        )
    return result


def assert_access_denied(
    rbac: RBAC,
    user: str,
    resource: str,
    action: str,
    *,
    tenant: str | None = None,
) -> Decision:
    """Fail unless *rbac* denies *user* the *action* on *resource*.

    The decision is asked for without side effects (no privileged use is
    reported). The failure message gives the role path and rule that allowed it.

    Returns:
        The decision, for assertions on its ``effect`` and ``reason``.
    """
    __tracebackhide__ = True
    decision = rbac.decide(user, resource, action, tenant=tenant)
    if decision.allowed:
        raise AssertionError(
            f"{user!r} may {action!r} {resource!r}; expected a denial ({decision.reason})"
        )
    return decision


def _field(record: Mapping[str, Any], name: str) -> Any:
    if name in record:
        return record[name]
    for part in _NESTED:
        nested = record.get(part)
        if isinstance(nested, Mapping) and name in nested:
            return nested[name]
    return _MISSING


def assert_audited(
    events: Sequence[Mapping[str, Any]], action: str, **fields: Any
) -> Mapping[str, Any]:
    """Fail unless an event of *action* with every one of *fields* was recorded.

    A field is looked up at the top of the record (``outcome``, ``target``)
    and then in ``actor``, ``src``, ``nat`` and ``data``, so
    ``assert_audited(events, "auth.login", user_id="u1", outcome="failure")``
    reads as the call that logged it.

    Args:
        events: What the ``audit_events`` fixture (or ``secpolicy.audit.capture``)
            collected.
        action: The action, such as ``auth.login``.
        fields: Values the record must hold.

    Returns:
        The first matching record.
    """
    __tracebackhide__ = True
    same_action = [e for e in events if e.get("action") == action]
    for event in same_action:
        if all(_field(event, k) == v for k, v in fields.items()):
            return event
    recorded = sorted({str(e.get("action")) for e in events})
    if not same_action:
        raise AssertionError(
            f"no {action!r} event recorded (recorded: {', '.join(recorded) or 'nothing'})"
        )
    differing = sorted({k for e in same_action for k, v in fields.items() if _field(e, k) != v})
    raise AssertionError(
        f"{len(same_action)} {action!r} event(s) recorded, none with the expected "
        f"{', '.join(differing)}"
    )


def assert_no_pii(text: str, entities: Iterable[str] | None = None) -> None:
    """Fail if *text* holds personal data (of *entities*, default all detectable).

    The message lists each finding's entity and position, never the value,
    so a failing test does not copy personal data into CI logs.

    Example:
        >>> assert_no_pii("user 42 logged in")
    """
    __tracebackhide__ = True
    from secpolicy.pii import Scanner  # noqa: PLC0415 (building a scanner compiles patterns)

    findings: list[Finding] = Scanner(entities).find(text)
    if findings:
        where = ", ".join(f"{f.entity} at {f.start}-{f.end}" for f in findings[:10])
        more = f" and {len(findings) - 10} more" if len(findings) > 10 else ""  # noqa: PLR2004
        raise AssertionError(f"personal data found: {where}{more}")
