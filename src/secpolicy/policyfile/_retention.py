"""The ``[retention]`` section: a profile, the service's own rules and its legal holds."""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._spec import Key
from secpolicy.retention import (
    LegalHold,
    RetentionRule,
    RetentionSchedule,
    ScheduleFileError,
    UnknownCategoryError,
    WorkdayCalendar,
    profiles,
)

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

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
YEAR_KEYS: Final = (
    Key(
        name="holidays", kind="strings", required=True, help="official rest days (ISO dates or a/b)"
    ),
    Key(name="workdays", kind="strings", help="weekend days that are working days (调休)"),
    Key(name="source", kind="str", help="the notice the days come from"),
)
CALENDAR_KEYS: Final = (
    Key(
        name="country",
        kind="str",
        help='"CN" (default: the official Chinese calendar) or another ISO 3166 code',
    ),
    Key(name="subdiv", kind="str", help="a subdivision (state, province) of country"),
    Key(name="first_year", kind="int", minimum=1900, help="other countries: first year covered"),
    Key(name="last_year", kind="int", minimum=1900, help="other countries: last year covered"),
    Key(
        name="extra",
        kind="str",
        help="a TOML or JSON file of newly published years (relative to this file)",
    ),
    Key(
        name="override",
        kind="bool",
        help="let extra/years replace a year the installed official data covers (reported)",
    ),
    Key(
        name="years",
        kind="map",
        keys=(Key(name="*", kind="table", keys=YEAR_KEYS, help="one year's schedule"),),
        help='newly published years inline: [retention.calendar.years."2027"]',
    ),
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
    Key(
        name="categories",
        kind="strings",
        help="categories without a rule of their own that the default rules decide",
    ),
    Key(
        name="on_unknown_category",
        kind="str",
        choices=("error", "default"),
        help='"error" (default): a category the schedule does not know is refused',
    ),
    Key(name="rules", kind="tables", keys=RULE_KEYS, help="the service's own rules"),
    Key(name="holds", kind="tables", keys=HOLD_KEYS, help="legal holds that block disposal"),
    Key(
        name="calendar",
        kind="table",
        keys=CALENDAR_KEYS,
        help="the working-day calendar for deadlines, with years published after a release",
    ),
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
    try:
        return _build_hold(values, path)
    except PolicyConfigError as exc:
        if exc.field is None or exc.field.startswith("retention."):
            raise
        # the hold's own field (released, record_ids[i]) at its place in the file
        raise PolicyConfigError(exc.reason, field=f"{path}.{exc.field}") from None


def _build_hold(values: Mapping[str, Any], path: str) -> LegalHold:
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


def hold_scope_problem(schedule: RetentionSchedule, hold: LegalHold) -> str | None:
    """Why a hold on a category *schedule* does not know would hold nothing, or None.

    A misspelled category (``"user_lgo"``) matches no record, so the records
    it was meant to protect would be disposed of on schedule. The test is the
    one the schedule applies to records (:meth:`RetentionSchedule.rules_for`);
    under ``on_unknown_category = "default"``, where any category is decided,
    a category the schedule does not know that is close to one it knows is
    taken for the misspelling it almost surely is (declare it in
    ``categories`` if it is meant).
    """
    if not isinstance(hold.scope, str) or hold.scope == "*":
        return None
    try:
        schedule.rules_for(hold.scope)
    except UnknownCategoryError as exc:
        return f"the hold would hold nothing: {exc.reason}"
    if schedule.knows(hold.scope):
        return None
    known = [*schedule.categories, *schedule.categories_declared]
    close = difflib.get_close_matches(hold.scope, [k for k in known if k != "*"], n=1)
    if close:
        return (
            f"the hold would hold nothing: unknown category {hold.scope!r}; did you mean "
            f"{close[0]!r}? (declare it in categories= if it is meant)"
        )
    return None


def _check_hold_scope(schedule: RetentionSchedule, hold: LegalHold, field: str) -> None:
    """Refuse a hold that would hold nothing (:func:`hold_scope_problem`)."""
    problem = hold_scope_problem(schedule, hold)
    if problem is not None:
        raise PolicyConfigError(problem, field=field)


def _calendar(values: Mapping[str, Any], base_dir: Path) -> WorkdayCalendar:
    where = "retention.calendar"
    if "extra" in values and "years" in values:
        raise PolicyConfigError("give extra or years, not both", field=where)
    extra: Any = base_dir / values["extra"] if "extra" in values else values.get("years")
    country = values.get("country", "CN")
    if country == "CN" and "subdiv" in values:
        raise PolicyConfigError("is not used for CN", field=f"{where}.subdiv")
    if country != "CN" and ("first_year" not in values or "last_year" not in values):
        raise PolicyConfigError(
            "other countries need first_year and last_year: the years you vouch for",
            field=where,
        )
    try:
        if country == "CN":
            return WorkdayCalendar.china(
                first_year=values.get("first_year"),
                last_year=values.get("last_year"),
                extra=extra,
                override=values.get("override", False),
            )
        return WorkdayCalendar.from_holidays(
            country,
            subdiv=values.get("subdiv"),
            years=range(values["first_year"], values["last_year"] + 1),
            tz=values.get("tz", "UTC"),
            extra=extra,
            override=values.get("override", False),
        )
    except PolicyConfigError as exc:
        raise _calendar_error(exc, where, from_file="extra" in values) from None


def _calendar_error(exc: PolicyConfigError, where: str, *, from_file: bool) -> PolicyConfigError:
    """An error of the calendar, placed at its key in the policy file.

    A schedule's every problem is kept (:class:`~secpolicy.retention.ScheduleFileError`):
    one in a schedule file keeps that file and its line, one given inline is
    placed under ``retention.calendar.years``.
    """
    if isinstance(exc, ScheduleFileError):
        return ScheduleFileError(
            problem
            if problem.source is not None
            else _calendar_error(problem, where, from_file=from_file)
            for problem in exc.errors
        )
    if exc.source is not None:  # in the schedule file: name the file and the entry
        entry = f"{exc.field}: " if exc.field else ""
        return PolicyConfigError(f"{exc.source}: {entry}{exc.reason}", field=f"{where}.extra")
    if exc.field in (None, "extra") or (from_file and exc.field.isdigit()):
        return PolicyConfigError(exc.reason, field=f"{where}.extra" if from_file else where)
    if exc.field in ("country", "tz", "years", "subdiv", "first_year", "last_year"):
        return PolicyConfigError(exc.reason, field=f"{where}.{exc.field}")
    return PolicyConfigError(exc.reason, field=f"{where}.years.{exc.field}")


def build(
    values: Mapping[str, Any], name: str, base_dir: Path
) -> tuple[RetentionSchedule, tuple[LegalHold, ...], WorkdayCalendar | None]:
    """The schedule, holds and calendar of a checked ``[retention]`` table."""
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
            categories=values.get("categories", ()),
            on_unknown_category=values.get("on_unknown_category", "error"),
        )
    except PolicyConfigError as exc:
        field = "retention.tz" if exc.field in ("tz", None) else f"retention.{exc.field}"
        raise PolicyConfigError(exc.reason, field=field) from None
    for i, hold in enumerate(holds):
        _check_hold_scope(schedule, hold, f"retention.holds[{i}].category")
    calendar = None
    if "calendar" in values:
        calendar = _calendar({**values["calendar"], "tz": values.get("tz", "UTC")}, base_dir)
    return schedule, holds, calendar
