"""The ``[retention]`` section: a profile, the service's own rules and its legal holds."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._spec import Key
from secpolicy.retention import LegalHold, RetentionRule, RetentionSchedule, profiles

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Retention profiles by the name a policy file uses.
PROFILES: Final[dict[str, RetentionSchedule]] = {
    schedule.name: schedule for schedule in (getattr(profiles, n) for n in profiles.__all__)
}

RULE_KEYS: Final = (
    Key(name="category", kind="str", required=True, help='what records ("*": every category)'),
    Key(name="keep", kind="period", required=True, help='"6 months", "1 year", "permanent"'),
    Key(name="trigger", kind="str", help='"created" (default) or an event: "account_closed"'),
    Key(name="action", kind="str", choices=("anonymize", "delete", "review"), help="at the end"),
    Key(name="maximum", kind="period", help="must be gone within this (storage limitation)"),
    Key(name="accessible", kind="period", help="kept immediately available this long"),
    Key(name="citation", kind="str", help="the clause this rule implements"),
)
HOLD_KEYS: Final = (
    Key(name="category", kind="str", help='the category held ("*": every record)'),
    Key(name="record_ids", kind="strings", help="or the records held, by id"),
    Key(name="reason", kind="str", required=True, help="why: a case number, an investigation"),
    Key(name="since", kind="datetime", required=True, help="when the hold was placed"),
    Key(name="released", kind="datetime", help="when it was released"),
    Key(name="name", kind="str", help="a short identifier for reports"),
)
KEYS: Final = (
    Key(
        name="profile",
        kind="any",
        schema={
            "anyOf": [
                {"type": "string", "enum": sorted(PROFILES)},
                {"type": "array", "items": {"type": "string", "enum": sorted(PROFILES)}},
            ]
        },
        help="a retention profile (or several) whose rules the schedule starts from",
    ),
    Key(name="tz", kind="str", help='the zone whose days count ("Asia/Shanghai")'),
    Key(name="semantics", kind="str", choices=("day", "instant"), help='default "day"'),
    Key(name="locked", kind="bool", help="compliance mode: periods may only be extended"),
    Key(name="rules", kind="tables", keys=RULE_KEYS, help="the service's own rules"),
    Key(name="holds", kind="tables", keys=HOLD_KEYS, help="legal holds that block disposal"),
)


def _profiles(value: Any) -> list[RetentionSchedule]:
    names = [value] if isinstance(value, str) else value
    if not isinstance(names, list) or not names:
        raise PolicyConfigError(
            "must be a profile name or an array of them", field="retention.profile"
        )
    out = []
    for i, name in enumerate(names):
        if name not in PROFILES:
            where = "retention.profile" if isinstance(value, str) else f"retention.profile[{i}]"
            raise PolicyConfigError(f"must be one of {', '.join(sorted(PROFILES))}", field=where)
        out.append(PROFILES[name])
    return out


def _hold(values: Mapping[str, Any], path: str) -> LegalHold:
    if ("category" in values) == ("record_ids" in values):
        raise PolicyConfigError("give exactly one of category and record_ids", field=path)
    name = values.get("name", "")
    if "record_ids" in values:
        hold = LegalHold.for_records(
            values["record_ids"], values["reason"], values["since"], name=name
        )
        released = values.get("released")
        if released is None:
            return hold
        return LegalHold(hold.scope, hold.reason, hold.since, released=released, name=name)
    return LegalHold(
        values["category"],
        values["reason"],
        values["since"],
        released=values.get("released"),
        name=name,
    )


def build(values: Mapping[str, Any], name: str) -> tuple[RetentionSchedule, tuple[LegalHold, ...]]:
    """The schedule and holds of a checked ``[retention]`` table."""
    bases = _profiles(values["profile"]) if "profile" in values else []
    rules: list[RetentionRule] = [rule for base in bases for rule in base.rules]
    for i, item in enumerate(values.get("rules", ())):
        try:
            rules.append(RetentionRule(**item))
        except PolicyConfigError as exc:
            raise PolicyConfigError(exc.reason, field=f"retention.rules[{i}].{exc.field}") from None
    holds = tuple(
        _hold(item, f"retention.holds[{i}]") for i, item in enumerate(values.get("holds", ()))
    )
    tz = values.get("tz", bases[0].tz if bases else "UTC")
    citations = [citation for base in bases for citation in base.citations]
    try:
        schedule = RetentionSchedule(
            rules,
            tz=tz,
            semantics=values.get("semantics", "day"),
            locked=values.get("locked", False),
            name=name or "+".join(base.name for base in bases),
            citations=dict.fromkeys(citations),
        )
    except PolicyConfigError as exc:
        field = "retention.tz" if exc.field in ("tz", None) else f"retention.{exc.field}"
        raise PolicyConfigError(exc.reason, field=field) from None
    return schedule, holds
