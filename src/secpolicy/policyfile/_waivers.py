"""The ``[[waivers]]`` section: accepted exceptions to baseline requirements, each with an end.

A waiver names one requirement (``pci-dss-4.0.1/lockout``), why it is
accepted, who approved it and when it expires. ``secpolicy check`` shows a
waived requirement as ``waived`` (never ``pass``), fails it once the waiver
has expired, and lists every waiver in its reports. A waiver may not run
longer than ``[waivers_settings] max_days`` (default 365) from the time the
report is made: one that does fails as "waiver too long". Expiry and length
are always judged at the real time the check runs; a what-if instant
(``--now``) can make a waiver expire earlier, never revive an expired one. Whether the requirement
id exists is checked against the baselines when the policy is checked (the
policy file does not know which baselines are installed).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Literal

import attrs

from secpolicy.exceptions import PolicyConfigError
from secpolicy.policyfile._spec import Key

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

#: A waiver's longest allowed run, in days from the time a report is made.
DEFAULT_MAX_DAYS: Final = 365
#: The largest ``[waivers_settings] max_days`` a file may set (five years).
LIMIT_MAX_DAYS: Final = 1830
#: What a waiver is when a report is made.
WaiverState = Literal["active", "expired", "too-long"]

_REQUIREMENT_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*/[A-Za-z0-9][A-Za-z0-9._\-]*")

KEYS: Final = (
    Key(
        name="requirement",
        kind="str",
        required=True,
        help='the requirement waived, "baseline/requirement" ("pci-dss-4.0.1/lockout")',
    ),
    Key(name="reason", kind="str", required=True, help="why the shortfall is accepted"),
    Key(name="approver", kind="str", required=True, help="who accepted it (name or role)"),
    Key(
        name="expires",
        kind="any",
        required=True,
        schema={"type": "string", "anyOf": [{"format": "date"}, {"format": "date-time"}]},
        help="the last day it holds (2026-06-30), or an offset date-time",
    ),
    Key(name="ticket", kind="str", help="the change or risk ticket, for the audit trail"),
)

SETTINGS_KEYS: Final = (
    Key(
        name="max_days",
        kind="int",
        minimum=1,
        help=(
            f"the longest a waiver may run, in days from when the report is made "
            f"(default {DEFAULT_MAX_DAYS}, at most {LIMIT_MAX_DAYS})"
        ),
    ),
)


@attrs.frozen(kw_only=True)
class Waiver:
    """One accepted exception to a baseline requirement, with an approver and an end.

    Attributes:
        requirement: ``baseline/requirement`` as written in the file.
        reason: Why the shortfall is accepted.
        approver: Who accepted it.
        expires: The last day the waiver holds (a date: through the end of
            that day, UTC), or the aware instant it ends.
        ticket: The change or risk ticket, if given.
        line: The line of the waiver in the policy file, if known.

    .. versionadded:: 0.2
    """

    requirement: str
    reason: str
    approver: str
    expires: date | datetime
    ticket: str | None = None
    line: int | None = attrs.field(default=None, eq=False)

    @property
    def ends(self) -> datetime:
        """The aware instant from which the waiver no longer holds."""
        if isinstance(self.expires, datetime):
            return self.expires
        day = datetime(self.expires.year, self.expires.month, self.expires.day, tzinfo=UTC)
        if self.expires == date.max:  # the day after 9999-12-31 is not a datetime
            return datetime.max.replace(tzinfo=UTC)
        return day + timedelta(days=1)

    @property
    def expires_text(self) -> str:
        """The expiry as ISO 8601 text."""
        return self.expires.isoformat()

    def state(self, now: datetime | date) -> Literal["active", "expired"]:
        """``active`` before :attr:`ends`, ``expired`` from then on.

        Args:
            now: An aware datetime, or a date (its start, UTC: a waiver that
                expires on a date still holds on that date).
        """
        moment = as_instant(now)
        return "active" if moment < self.ends else "expired"

    def too_long(self, made_at: datetime, max_days: int = DEFAULT_MAX_DAYS) -> bool:
        """True if the waiver runs past *max_days* days after *made_at* (aware).

        A date expiry is compared by day (UTC): made on 2026-12-02 with 365
        days, ``2027-12-02`` is allowed and ``2027-12-03`` is too long.

        .. versionadded:: 0.2
        """
        moment = as_instant(made_at).astimezone(UTC)
        try:
            limit = moment + timedelta(days=max_days)
        except OverflowError:
            return False
        if isinstance(self.expires, datetime):
            return self.expires.astimezone(UTC) > limit
        return self.expires > limit.date()

    def judge(
        self,
        real: datetime,
        *,
        evaluated: datetime | None = None,
        max_days: int = DEFAULT_MAX_DAYS,
    ) -> WaiverState:
        """The waiver's state in a report made at the *real* time.

        ``expired`` if it has ended at *real* or at the what-if instant
        *evaluated* (a what-if instant never revives an expired waiver),
        else ``too-long`` if it runs past *max_days* days after *real*, else
        ``active``.

        .. versionadded:: 0.2
        """
        if self.state(real) == "expired":
            return "expired"
        if evaluated is not None and self.state(evaluated) == "expired":
            return "expired"
        if self.too_long(real, max_days):
            return "too-long"
        return "active"

    def to_dict(self) -> dict[str, Any]:
        """The waiver as plain data (the reports' waiver lists)."""
        return {
            "requirement": self.requirement,
            "reason": self.reason,
            "approver": self.approver,
            "expires": self.expires_text,
            "ticket": self.ticket,
            "line": self.line,
        }


def as_instant(now: datetime | date) -> datetime:
    """*now* as an aware datetime: a date is its start in UTC; a naive datetime is an error."""
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise PolicyConfigError("now must be an aware datetime", field="now")
        return now
    if isinstance(now, date):
        return datetime(now.year, now.month, now.day, tzinfo=UTC)
    raise PolicyConfigError("now must be a datetime or a date", field="now")


def _expires(value: Any, path: str) -> date | datetime:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise PolicyConfigError(
                "must be a date (2026-06-30) or an offset date-time, not a local date-time",
                field=path,
            )
        try:
            value.astimezone(UTC)  # compared in UTC: an offset must not push it out of range
        except OverflowError:
            raise PolicyConfigError("is out of the range of dates", field=path) from None
        return value
    if isinstance(value, date):
        return value
    raise PolicyConfigError("must be a TOML date such as 2026-06-30", field=path)


def build_settings(table: Mapping[str, Any]) -> int:
    """The ``max_days`` of a checked ``[waivers_settings]`` table.

    Raises:
        PolicyConfigError: For more than :data:`LIMIT_MAX_DAYS` days.
    """
    days: int = table.get("max_days", DEFAULT_MAX_DAYS)
    if days > LIMIT_MAX_DAYS:
        raise PolicyConfigError(
            f"must be at most {LIMIT_MAX_DAYS} days (five years): a waiver is a "
            "time-limited exception",
            field="waivers_settings.max_days",
        )
    return days


def build(
    tables: Sequence[Mapping[str, Any]], lines: Mapping[str, int] | None = None
) -> tuple[Waiver, ...]:
    """The waivers of a checked ``[[waivers]]`` array.

    Raises:
        PolicyConfigError: For a malformed requirement id, an expiry that is
            not a date, or two waivers of the same requirement.
    """
    out: list[Waiver] = []
    seen: dict[str, int] = {}
    for i, table in enumerate(tables):
        path = f"waivers[{i}]"
        ident = table["requirement"].strip()
        if not _REQUIREMENT_ID.fullmatch(ident):
            raise PolicyConfigError(
                'must be "baseline/requirement", such as "pci-dss-4.0.1/lockout"',
                field=f"{path}.requirement",
            )
        if ident in seen:
            raise PolicyConfigError(
                f"waives the same requirement as waivers[{seen[ident]}]",
                field=f"{path}.requirement",
            )
        seen[ident] = i
        out.append(
            Waiver(
                requirement=ident,
                reason=table["reason"],
                approver=table["approver"],
                expires=_expires(table["expires"], f"{path}.expires"),
                ticket=table.get("ticket"),
                line=(lines or {}).get(path),
            )
        )
    return tuple(out)


Waiver.__module__ = "secpolicy.policyfile"
