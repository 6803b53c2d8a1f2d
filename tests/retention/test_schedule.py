"""Schedules: precedence of several rules, holds, locking and bulk evaluation."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.exceptions import LegalHoldError, PolicyConfigError
from secpolicy.retention import (
    PERMANENT,
    LegalHold,
    Period,
    RetentionDecision,
    RetentionRecord,
    RetentionRule,
    RetentionSchedule,
    ScheduleChange,
    ScheduleLockedError,
    UnknownCategoryError,
)

SH = ZoneInfo("Asia/Shanghai")
CREATED = datetime(2024, 8, 31, 9, tzinfo=SH)
LATER = datetime(2030, 1, 1, tzinfo=SH)


def rule(category: str = "log", **kw: object) -> RetentionRule:
    """A rule for *category*, six months unless told otherwise."""
    kw.setdefault("keep", Period(months=6))
    return RetentionRule(category=category, **kw)  # type: ignore[arg-type]


class TestSingleRule:
    def test_references_case(self) -> None:
        """Kept through 2025-02-28, eligible from 2025-03-01 00:00 +08:00."""
        schedule = RetentionSchedule([rule()], tz="Asia/Shanghai")
        before = schedule.evaluate("log", created=CREATED, now=datetime(2025, 2, 28, 23, tzinfo=SH))
        after = schedule.evaluate("log", created=CREATED, now=datetime(2025, 3, 1, tzinfo=SH))
        assert before.action == "retain"
        assert after.action == "delete"
        assert after.keep_through == date(2025, 2, 28)
        assert after.eligible_from == after.retain_until == datetime(2025, 3, 1, tzinfo=SH)
        assert after.rule is after.disposal_rule is schedule.rules[0]

    def test_instant_semantics(self) -> None:
        """With instant semantics disposal starts at the same wall-clock time."""
        schedule = RetentionSchedule([rule()], tz=SH, semantics="instant")
        decision = schedule.evaluate("log", created=CREATED, now=LATER)
        assert decision.eligible_from == datetime(2025, 2, 28, 9, tzinfo=SH)
        assert decision.keep_through == date(2025, 2, 28)

    def test_permanent(self) -> None:
        """A permanent rule keeps forever and disposes of nothing."""
        schedule = RetentionSchedule([rule("registration", keep=PERMANENT)], tz=SH)
        decision = schedule.evaluate("registration", created=CREATED, now=LATER)
        assert decision.action == "retain"
        assert decision.retain_until is decision.eligible_from is decision.disposal is None
        assert "permanently" in decision.reasons[0]

    def test_unknown_category(self) -> None:
        """Under on_unknown_category="default" a category without rules is kept, with a reason."""
        schedule = RetentionSchedule([rule()], tz=SH, on_unknown_category="default")
        decision = schedule.evaluate("other", created=CREATED, now=LATER)
        assert decision.action == "retain"
        assert decision.rule is None
        assert "no retention rule" in decision.reasons[0]

    def test_event_trigger(self) -> None:
        """An event-triggered rule keeps the record until the event, then counts from it."""
        schedule = RetentionSchedule(
            [rule("kyc", keep=Period(years=5), trigger="relationship_ended")], tz=SH
        )
        waiting = schedule.evaluate("kyc", created=CREATED, now=LATER)
        assert waiting.action == "retain"
        assert waiting.eligible_from is None
        assert "until relationship_ended happens" in waiting.reasons[0]
        ended = schedule.evaluate(
            "kyc",
            created=CREATED,
            events={"relationship_ended": datetime(2025, 1, 10, 12, tzinfo=SH)},
            now=LATER,
        )
        assert ended.eligible_from == datetime(2030, 1, 11, tzinfo=SH)
        assert ended.action == "retain"
        assert ended.disposal == "delete"

    def test_accessible(self) -> None:
        """accessible_until reports the online period."""
        schedule = RetentionSchedule(
            [rule("audit", keep=Period(months=12), accessible=Period(months=3))], tz=UTC
        )
        decision = schedule.evaluate("audit", created=datetime(2024, 1, 15, tzinfo=UTC), now=LATER)
        assert decision.accessible_until == datetime(2024, 4, 16, tzinfo=UTC)


class TestPrecedence:
    def test_longest_retention_wins(self) -> None:
        """Of two minimums, the longer one holds the record."""
        schedule = RetentionSchedule(
            [rule(keep=Period(months=6)), rule(keep=Period(months=12), trigger="created")], tz=SH
        )
        decision = schedule.evaluate("log", created=CREATED, now=datetime(2025, 6, 1, tzinfo=SH))
        assert decision.action == "retain"
        assert decision.keep_through == date(2025, 8, 31)
        assert decision.rule is schedule.rules[1]

    def test_retention_wins_over_deletion(self) -> None:
        """A default's longer minimum holds a record an explicit rule would delete sooner."""
        schedule = RetentionSchedule(
            [rule("cafe_log", keep=Period(days=60)), rule("*", keep=Period(months=6))], tz=SH
        )
        decision = schedule.evaluate(
            "cafe_log", created=CREATED, now=datetime(2024, 12, 1, tzinfo=SH)
        )
        assert decision.action == "retain"
        assert decision.keep_through == date(2025, 2, 28)
        assert decision.rule is schedule.rules[1]

    def test_explicit_wins_over_default_for_disposal(self) -> None:
        """The explicit rule's action applies, even when a default is longer."""
        schedule = RetentionSchedule(
            [
                rule("profile", keep=Period(months=6), action="anonymize"),
                rule("*", keep=Period(months=12), action="delete"),
            ],
            tz=SH,
        )
        decision = schedule.evaluate("profile", created=CREATED, now=LATER)
        assert decision.action == "anonymize"
        assert decision.disposal_rule is schedule.rules[0]
        assert decision.rule is schedule.rules[1]
        assert decision.keep_through == date(2025, 8, 31)

    def test_default_applies_without_explicit(self) -> None:
        """A category with no explicit rule gets the default."""
        schedule = RetentionSchedule([rule("*", keep=Period(months=1), action="review")], tz=SH)
        decision = schedule.evaluate("anything", created=CREATED, now=LATER)
        assert decision.action == "review"
        assert schedule.rules_for("anything") == schedule.rules

    def test_shortest_deletion_wins(self) -> None:
        """Of two explicit disposals, the one due first applies (after retention)."""
        schedule = RetentionSchedule(
            [
                rule(keep=Period(months=12), action="anonymize"),
                rule(keep=Period(months=6), action="delete", trigger="closed"),
            ],
            tz=SH,
        )
        decision = schedule.evaluate("log", created=CREATED, events={"closed": CREATED}, now=LATER)
        assert decision.disposal == "delete"
        assert decision.eligible_from == datetime(2025, 9, 1, tzinfo=SH)

    def test_waiting_rule_holds_everything(self) -> None:
        """A rule still waiting for its event keeps the record indefinitely."""
        schedule = RetentionSchedule(
            [rule(keep=Period(months=1)), rule(keep=Period(months=1), trigger="closed")], tz=SH
        )
        decision = schedule.evaluate("log", created=CREATED, now=LATER)
        assert decision.action == "retain"
        assert decision.retain_until is None
        assert decision.disposal == "delete"

    def test_hipaa_whichever_is_later(self) -> None:
        """Six years from creation or last effective date, whichever is later."""
        from secpolicy.retention.profiles import HIPAA

        created = datetime(2020, 1, 1, tzinfo=UTC)
        early = HIPAA.evaluate(
            "documentation",
            created=created,
            events={"last_effective": datetime(2019, 6, 1, tzinfo=UTC)},
            now=LATER,
        )
        late = HIPAA.evaluate(
            "documentation",
            created=created,
            events={"last_effective": datetime(2022, 5, 1, tzinfo=UTC)},
            now=LATER,
        )
        assert early.keep_through == date(2026, 1, 1)
        assert late.keep_through == date(2028, 5, 1)
        assert late.rule is not None
        assert late.rule.trigger == "last_effective"

    @given(
        months=st.lists(st.integers(0, 40), min_size=1, max_size=5),
        extra=st.integers(0, 40),
        created=st.datetimes(
            min_value=datetime(2000, 1, 1),  # noqa: DTZ001 (hypothesis bounds are naive)
            max_value=datetime(2050, 1, 1),  # noqa: DTZ001
            timezones=st.just(UTC),
        ),
    )
    def test_more_rules_never_shorten(
        self, months: list[int], extra: int, created: datetime
    ) -> None:
        """Adding a rule never makes retention end earlier."""
        rules = [rule(keep=Period(months=m)) for m in months]
        before = RetentionSchedule(rules, tz=SH).evaluate("log", created=created, now=LATER)
        after = RetentionSchedule([*rules, rule("*", keep=Period(months=extra))], tz=SH).evaluate(
            "log", created=created, now=LATER
        )
        assert before.retain_until is not None
        assert after.retain_until is not None
        assert after.retain_until >= before.retain_until
        assert before.retain_until >= created + timedelta(days=28 * max(months))


class TestMaximum:
    def test_must_dispose_by(self) -> None:
        """A maximum sets the storage-limitation deadline and flags overdue records."""
        schedule = RetentionSchedule([rule(keep=Period(months=6), maximum=Period(months=7))], tz=SH)
        decision = schedule.evaluate("log", created=CREATED, now=LATER)
        assert decision.must_dispose_by == datetime(2025, 4, 1, tzinfo=SH)
        assert decision.overdue
        on_time = schedule.evaluate("log", created=CREATED, now=datetime(2025, 3, 5, tzinfo=SH))
        assert on_time.action == "delete"
        assert not on_time.overdue

    def test_rule_maximum_shorter_than_keep(self) -> None:
        """A rule whose maximum is shorter than its minimum is refused."""
        with pytest.raises(PolicyConfigError, match=r"maximum: maximum .* is shorter"):
            rule(keep=Period(months=12), maximum=Period(months=6))

    def test_schedule_conflict(self) -> None:
        """A minimum that outlasts another rule's maximum on the same records is refused."""
        with pytest.raises(PolicyConfigError, match="requires them gone within"):
            RetentionSchedule(
                [
                    rule(keep=Period(months=1), maximum=Period(months=3)),
                    rule("*", keep=Period(months=6)),
                ],
                tz=SH,
            )

    def test_conflict_across_triggers_is_reported(self) -> None:
        """With different triggers the conflict shows at evaluation; retention wins."""
        schedule = RetentionSchedule(
            [
                rule(keep=Period(months=1), maximum=Period(months=3)),
                rule(keep=Period(months=6), trigger="closed"),
            ],
            tz=SH,
        )
        decision = schedule.evaluate(
            "log", created=CREATED, events={"closed": CREATED}, now=datetime(2025, 1, 1, tzinfo=SH)
        )
        assert decision.action == "retain"
        assert not decision.overdue
        assert any("retention wins" in r for r in decision.reasons)

    def test_permanent_maximum_refused(self) -> None:
        """A maximum must end."""
        with pytest.raises(PolicyConfigError, match="cannot be permanent"):
            rule(maximum=PERMANENT)


class TestHolds:
    def test_hold_blocks_disposal(self) -> None:
        """An active hold keeps an eligible record and is named in the decision."""
        schedule = RetentionSchedule([rule()], tz=SH)
        hold = LegalHold("log", "case 2025-17", datetime(2025, 1, 1, tzinfo=UTC))
        decision = schedule.evaluate("log", created=CREATED, now=LATER, holds=[hold])
        assert decision.on_hold
        assert decision.action == "retain"
        assert decision.eligible_from is None
        assert decision.retain_until == datetime(2025, 3, 1, tzinfo=SH)
        assert decision.holds == (hold,)
        assert any("case 2025-17" in r for r in decision.reasons)

    def test_released_and_future_holds_ignored(self) -> None:
        """A released hold, or one placed after now, does not apply."""
        schedule = RetentionSchedule([rule()], tz=SH)
        released = LegalHold(
            "*",
            "closed case",
            datetime(2025, 1, 1, tzinfo=UTC),
            released=datetime(2026, 1, 1, tzinfo=UTC),
        )
        future = LegalHold("*", "later", datetime(2031, 1, 1, tzinfo=UTC))
        decision = schedule.evaluate("log", created=CREATED, now=LATER, holds=[released, future])
        assert not decision.on_hold
        assert decision.action == "delete"

    def test_scopes(self) -> None:
        """Holds scope by category, by record id or by predicate."""
        schedule = RetentionSchedule([rule(), rule("mail")], tz=SH)
        since = datetime(2025, 1, 1, tzinfo=UTC)
        by_id = LegalHold.for_records(["r1"], "subpoena", since, name="S-1")
        by_predicate = LegalHold(lambda r: r.attributes.get("user") == "u9", "dispute", since)
        other_category = LegalHold("mail", "mail case", since)
        holds = [by_id, by_predicate, other_category]

        def held(**kw: object) -> bool:
            return schedule.evaluate("log", created=CREATED, now=LATER, holds=holds, **kw).on_hold  # type: ignore[arg-type]

        assert held(record_id="r1")
        assert not held(record_id="r2")
        assert held(attributes={"user": "u9"})
        assert not held(attributes={"user": "u1"})
        assert str(by_id) == "hold S-1: subpoena"
        assert str(other_category) == "hold mail: mail case"

    def test_dispose_guard(self) -> None:
        """dispose() raises under a hold or within retention, and passes otherwise."""
        schedule = RetentionSchedule([rule()], tz=SH)
        record = RetentionRecord(category="log", created=CREATED, record_id="r1")
        hold = LegalHold("log", "case 9", datetime(2025, 1, 1, tzinfo=UTC))
        with pytest.raises(LegalHoldError, match="case 9"):
            schedule.dispose(record, now=LATER, holds=[hold])
        with pytest.raises(PolicyConfigError, match="eligible from 2025-03-01"):
            schedule.dispose(record, now=datetime(2025, 1, 1, tzinfo=SH))
        assert schedule.dispose(record, now=LATER).action == "delete"

    def test_dispose_permanent(self) -> None:
        """A permanent record can never be disposed of."""
        schedule = RetentionSchedule([rule(keep=PERMANENT)], tz=SH)
        with pytest.raises(PolicyConfigError, match="indefinitely"):
            schedule.dispose(RetentionRecord(category="log", created=CREATED), now=LATER)


class TestLocking:
    def test_locked_can_extend(self) -> None:
        """A locked schedule accepts a longer period and new rules."""
        locked = RetentionSchedule([rule()], tz=SH, name="logs").lock()
        amended = locked.amend([rule(keep=Period(months=12)), rule("new")])
        assert amended.locked
        assert [r.keep for r in amended.rules] == [Period(months=12), Period(months=6)]
        assert "locked" in repr(amended)
        assert "'logs'" in repr(amended)

    def test_locked_cannot_shorten(self) -> None:
        """Shortening a locked period is refused, naming the rule."""
        locked = RetentionSchedule([rule()], tz=SH).lock()
        with pytest.raises(
            ScheduleLockedError, match=r"locked: cannot shorten 'log' after created"
        ):
            locked.amend([rule(keep=Period(months=5))])
        with pytest.raises(PolicyConfigError, match="schedule is locked"):
            locked.amend([rule(keep=Period(days=180))])

    def test_locked_cannot_add_maximum(self) -> None:
        """A new or shorter maximum is a shortening too."""
        locked = RetentionSchedule([rule()], tz=SH).lock()
        with pytest.raises(PolicyConfigError, match="maximum"):
            locked.amend([rule(maximum=Period(months=8))])

    def test_unlocked_can_shorten(self) -> None:
        """Without a lock, amendments replace rules freely."""
        schedule = RetentionSchedule([rule()], tz=SH)
        assert schedule.amend([rule(keep=Period(days=1))]).rules[0].keep == Period(days=1)
        assert schedule.amend([rule()]).rules == schedule.rules


class TestBulk:
    def test_evaluate_many_mappings(self) -> None:
        """Mappings with ISO times are decided lazily, in order."""
        schedule = RetentionSchedule([rule(), rule("reg", keep=PERMANENT)], tz=SH)
        records = iter(
            [
                {"id": 1, "category": "log", "created": "2024-08-31T09:00:00+08:00"},
                {"record_id": "x", "category": "reg", "created": CREATED, "user": "u1"},
                RetentionRecord(category="log", created=datetime(2029, 12, 1, tzinfo=SH)),
            ]
        )
        decisions = schedule.evaluate_many(records, now=LATER)
        first = next(decisions)
        assert (first.record_id, first.action) == ("1", "delete")
        assert [d.action for d in decisions] == ["retain", "retain"]

    @pytest.mark.parametrize(
        ("record", "message"),
        [
            ({"created": "2024-01-01T00:00:00+00:00"}, r"records\[0\]\.category"),
            ({"category": "log"}, r"records\[0\]\.created: missing"),
            ({"category": "log", "created": "yesterday"}, "not an ISO 8601 time"),
            ({"category": "log", "created": "2024-01-01T00:00:00"}, "needs a UTC offset"),
            ({"category": "log", "created": 5}, "must be a datetime"),
            ({"category": "log", "created": CREATED, "events": []}, r"\.events"),
            (
                {"category": "log", "created": CREATED, "events": {"closed": "soon"}},
                r"records\[0\]\.events\.closed",
            ),
            (["not", "a", "mapping"], r"records\[0\]: must be a mapping"),
        ],
    )
    def test_bad_records(self, record: object, message: str) -> None:
        """A malformed record names the field and its position."""
        schedule = RetentionSchedule([rule()], tz=SH)
        with pytest.raises(PolicyConfigError, match=message):
            list(schedule.evaluate_many([record], now=LATER))  # type: ignore[list-item]

    def test_to_dict(self) -> None:
        """Decisions serialise to JSON-ready dicts with the citation."""
        schedule = RetentionSchedule([rule(citation="Art. 21")], tz=SH)
        data = schedule.evaluate("log", created=CREATED, now=LATER, record_id="9").to_dict()
        assert data["record_id"] == "9"
        assert data["eligible_from"] == "2025-03-01T00:00:00+08:00"
        assert data["keep_through"] == "2025-02-28"
        assert data["citation"] == "Art. 21"
        assert data["holds"] == []


class TestValidation:
    def test_bad_zone(self) -> None:
        """An unknown zone is named."""
        with pytest.raises(PolicyConfigError, match="tz: unknown time zone"):
            RetentionSchedule([], tz="Mars/Olympus")

    def test_bad_semantics(self) -> None:
        """Only day and instant semantics exist."""
        with pytest.raises(PolicyConfigError, match="semantics"):
            RetentionSchedule([], semantics="week")  # type: ignore[arg-type]

    def test_bad_rule(self) -> None:
        """Rules must be RetentionRule objects."""
        with pytest.raises(PolicyConfigError, match=r"rules\[0\]"):
            RetentionSchedule(["log"])  # type: ignore[list-item]

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"category": ""}, "category"),
            ({"keep": 6}, "keep"),
            ({"trigger": " "}, "trigger"),
            ({"action": "shred"}, "action"),
            ({"accessible": "3 months"}, "accessible"),
            ({"maximum": 7}, "maximum"),
        ],
    )
    def test_rule_fields(self, kwargs: dict[str, object], field: str) -> None:
        """Each invalid rule field is named in the error."""
        fields: dict[str, object] = {"category": "log", "keep": Period(months=6), **kwargs}
        with pytest.raises(PolicyConfigError, match=f"^{field}: "):
            RetentionRule(**fields)  # type: ignore[arg-type]

    def test_naive_times_refused(self) -> None:
        """Naive creation and decision times are refused."""
        from secpolicy.exceptions import NaiveDatetimeError

        schedule = RetentionSchedule([rule()], tz=SH)
        with pytest.raises(NaiveDatetimeError, match="created"):
            schedule.evaluate("log", created=datetime(2024, 1, 1), now=LATER)  # noqa: DTZ001
        with pytest.raises(NaiveDatetimeError, match="now"):
            schedule.evaluate("log", created=CREATED, now=datetime(2024, 1, 1))  # noqa: DTZ001

    def test_str(self) -> None:
        """Rules read naturally."""
        assert str(rule()) == "log: keep 6 months, then delete"
        assert str(rule(trigger="closed", action="review")) == (
            "log: keep 6 months after closed, then review"
        )
        assert str(rule(keep=PERMANENT)) == "log: keep permanently"


AT = datetime(2026, 12, 1, tzinfo=UTC)


class TestUnknownCategories:
    def test_misspelled_category_refused(self) -> None:
        """A misspelled category is an error with a suggestion, not a default decision."""
        schedule = RetentionSchedule(
            [rule("user_log", keep=Period(months=12)), rule("*", keep=Period(days=30))], tz=SH
        )
        with pytest.raises(UnknownCategoryError, match="did you mean 'user_log'") as info:
            schedule.evaluate("user_lgo", created=CREATED, now=LATER)
        assert info.value.category == "user_lgo"
        assert isinstance(info.value, PolicyConfigError)

    def test_unknown_without_defaults_refused(self) -> None:
        """Without default rules an unknown category is refused too, with no wild guess."""
        schedule = RetentionSchedule([rule("user_log")], tz=SH)
        with pytest.raises(UnknownCategoryError) as info:
            schedule.evaluate("invoice", created=CREATED, now=LATER)
        assert info.value.suggestion is None

    def test_declared_categories_use_defaults(self) -> None:
        """A declared category is decided by the default rules."""
        schedule = RetentionSchedule(
            [rule("user_log"), rule("*", keep=Period(months=1), action="review")],
            tz=SH,
            categories=["invoice"],
        )
        assert schedule.knows("invoice")
        assert schedule.knows("user_log")
        assert not schedule.knows("user_lgo")
        assert schedule.evaluate("invoice", created=CREATED, now=LATER).action == "review"

    def test_defaults_only_schedule_takes_any_category(self) -> None:
        """A schedule with only default rules decides every category."""
        schedule = RetentionSchedule([rule("*", keep=Period(months=1))], tz=SH)
        assert schedule.evaluate("anything", created=CREATED, now=LATER).action == "delete"

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"on_unknown_category": "guess"}, "on_unknown_category"),
            ({"categories": [""]}, "categories[0]"),
            ({"locked": "yes"}, "locked"),
        ],
    )
    def test_bad_settings(self, kwargs: dict[str, object], field: str) -> None:
        """Invalid settings name their field."""
        with pytest.raises(PolicyConfigError) as info:
            RetentionSchedule([rule()], tz=SH, **kwargs)  # type: ignore[arg-type]
        assert info.value.field == field


class TestReviewPrecedence:
    def test_shorter_delete_does_not_override_review(self) -> None:
        """A review rule is never overridden by a shorter delete rule of the same category."""
        schedule = RetentionSchedule(
            [
                rule("contract", keep=Period(years=1), action="review"),
                rule("contract", keep=Period(months=6), action="delete", trigger="closed"),
            ],
            tz=SH,
        )
        decision = schedule.evaluate(
            "contract", created=CREATED, events={"closed": CREATED}, now=LATER
        )
        assert decision.action == decision.disposal == "review"
        assert decision.disposal_rule is schedule.rules[0]

    def test_default_review_yields_to_explicit(self) -> None:
        """An explicit rule still decides the disposal over a default review rule."""
        schedule = RetentionSchedule(
            [rule("log", action="delete"), rule("*", keep=Period(months=1), action="review")],
            tz=SH,
        )
        assert schedule.evaluate("log", created=CREATED, now=LATER).action == "delete"


class TestImmutable:
    def test_attributes_cannot_be_flipped(self) -> None:
        """A schedule's lock and rules cannot be changed in place."""
        locked = RetentionSchedule([rule()], tz=SH).lock()
        with pytest.raises(AttributeError):
            locked.locked = False  # type: ignore[misc]
        with pytest.raises(AttributeError):
            locked.rules = ()  # type: ignore[misc]
        with pytest.raises(AttributeError):
            del locked.locked
        assert locked.locked


class TestReplace:
    def _locked(self) -> RetentionSchedule:
        return RetentionSchedule(
            [
                rule("audit_log", keep=Period(months=12), accessible=Period(months=3)),
                rule("contract", keep=Period(years=5), action="review"),
                rule("*", keep=Period(months=6)),
            ],
            tz=SH,
            name="bank",
        ).lock()

    def test_extension_recorded(self) -> None:
        """An extension is accepted and recorded: who, why, when, what."""
        locked = self._locked()
        seen: list[ScheduleChange] = []
        longer = locked.replace(
            [
                rule("audit_log", keep=Period(months=18), accessible=Period(months=3)),
                *locked.rules[1:],
            ],
            by="sec-admin",
            reason="CHG-42",
            at=AT,
            on_change=seen.append,
        )
        (change,) = longer.history
        assert seen == [change]
        assert change.accepted
        assert change.by == "sec-admin"
        assert change.at == AT
        assert change.changes == (
            (
                "audit_log after created: keep 12 months, accessible 3 months -> "
                "keep 18 months, accessible 3 months"
            ),
        )
        assert change.to_dict()["reason"] == "CHG-42"
        assert longer.locked
        assert longer.name == "bank"

    @pytest.mark.parametrize(
        ("change", "needle"),
        [
            ({"rules_keep": Period(months=11)}, "cannot shorten 'audit_log'"),
            ({"rules_accessible": Period(months=1)}, "immediate availability"),
            ({"rules_accessible": None}, "immediate availability"),
            ({"rules_drop": "contract"}, "cannot be removed"),
            ({"rules_contract_action": "delete"}, "must stay under review"),
            ({"rules_maximum": Period(months=24)}, "maximum"),
            ({"locked": False}, "lock cannot be removed"),
            ({"tz": "UTC"}, "zone cannot change"),
            ({"semantics": "instant"}, "instant"),
            ({"on_unknown_category": "default"}, "default rules"),
        ],
    )
    def test_weakening_refused_and_recorded(self, change: dict[str, object], needle: str) -> None:
        """Every way of weakening a locked schedule is refused, and the refusal is recorded."""
        locked = self._locked()
        audit, contract, default = locked.rules
        kwargs: dict[str, object] = {}
        rules = [audit, contract, default]
        if "rules_keep" in change:
            rules[0] = rule("audit_log", keep=change["rules_keep"], accessible=audit.accessible)
        if "rules_accessible" in change:
            rules[0] = rule("audit_log", keep=audit.keep, accessible=change["rules_accessible"])
        if "rules_maximum" in change:
            rules[0] = rule(
                "audit_log",
                keep=audit.keep,
                accessible=audit.accessible,
                maximum=change["rules_maximum"],
            )
        if "rules_drop" in change:
            rules.remove(contract)
        if "rules_contract_action" in change:
            rules[1] = rule("contract", keep=contract.keep, action=change["rules_contract_action"])
        kwargs.update({k: v for k, v in change.items() if not k.startswith("rules_")})
        seen: list[ScheduleChange] = []
        with pytest.raises(ScheduleLockedError, match=needle):
            locked.replace(
                rules, by="dev", reason="speed up", at=AT, on_change=seen.append, **kwargs
            )  # type: ignore[arg-type]
        (refused,) = seen
        assert not refused.accepted
        assert refused.refusal
        assert needle.split("'", maxsplit=1)[0] in refused.refusal

    def test_new_rule_cannot_replace_default_review(self) -> None:
        """A new explicit rule may not take a category out of the default review."""
        locked = RetentionSchedule(
            [rule("*", keep=Period(months=1), action="review")], tz=SH
        ).lock()
        with pytest.raises(ScheduleLockedError, match="default review"):
            locked.replace(
                [*locked.rules, rule("log", keep=Period(months=2))], by="a", reason="b", at=AT
            )
        assert locked.replace(
            [*locked.rules, rule("log", keep=Period(months=2), action="review")],
            by="a",
            reason="b",
            at=AT,
        ).knows("log")

    def test_free_changes_on_locked(self) -> None:
        """Citations, names, new rules and stricter settings are free on a locked schedule."""
        locked = self._locked()
        changed = locked.replace(
            [*locked.rules, rule("new_log", keep=Period(months=1))],
            by="a",
            reason="b",
            at=AT,
            name="bank-2026",
            citations=["internal rulebook §4"],
            semantics="day",
        )
        assert changed.name == "bank-2026"
        assert changed.citations == ("internal rulebook §4",)
        assert changed.history[-1].changes == ("new_log after created: (none) -> keep 1 month",)

    def test_unlocked_replace_is_free(self) -> None:
        """An unlocked schedule may be replaced by anything; the change is still recorded."""
        schedule = RetentionSchedule([rule()], tz=SH)
        shorter = schedule.replace(
            [rule(keep=Period(days=1))], by="a", reason="b", at=AT, tz="UTC", locked=True
        )
        assert shorter.locked
        assert str(shorter.tz) == "UTC"
        assert "tz: Asia/Shanghai -> UTC" in shorter.history[-1].changes
        assert "locked: False -> True" in shorter.history[-1].changes

    @pytest.mark.parametrize(("by", "reason"), [("", "x"), ("a", " ")])
    def test_who_and_why_required(self, by: str, reason: str) -> None:
        """A change needs who and why."""
        with pytest.raises(PolicyConfigError):
            self._locked().replace(None, by=by, reason=reason, at=AT)

    def test_amend_records_when_told_who(self) -> None:
        """amend() with by, reason and at records the change; partial audit data is refused."""
        locked = self._locked()
        amended = locked.amend(
            [rule("contract", keep=Period(years=6), action="review")], by="a", reason="b", at=AT
        )
        assert amended.history[-1].changes[0].startswith("contract after created")
        with pytest.raises(PolicyConfigError, match="together"):
            locked.amend([], by="a")


class TestPickling:
    def test_schedules_holds_and_calendars_pickle(self) -> None:
        """Policy values pickle cleanly (for worker processes) and decide the same afterwards."""
        import pickle

        from secpolicy.retention import WorkdayCalendar, profiles

        schedule = profiles.CN_INTERACTIVE_SERVICE.lock().replace(
            None, by="a", reason="b", at=AT, name="copy"
        )
        hold = LegalHold.for_records(["r1"], "case 9", datetime(2025, 1, 1, tzinfo=UTC))
        again, hold_again = pickle.loads(pickle.dumps((schedule, hold)))  # noqa: S301 (our own bytes)
        record = RetentionRecord(category="user_log", created=CREATED, record_id="r1")
        assert again.evaluate_record(record, now=LATER, holds=[hold_again]) == (
            schedule.evaluate_record(record, now=LATER, holds=[hold])
        )
        assert again.history == schedule.history
        assert again.locked
        calendar = WorkdayCalendar.china()
        calendar_again = pickle.loads(pickle.dumps(calendar))  # noqa: S301 (our own bytes)
        assert calendar_again.add_workdays(date(2024, 9, 30), 1) == date(2024, 10, 8)

    def test_record_ids_must_be_a_list(self) -> None:
        """One string of ids is refused instead of being read character by character."""
        with pytest.raises(PolicyConfigError, match="not one string"):
            LegalHold.for_records("r1", "case", datetime(2025, 1, 1, tzinfo=UTC))


class TestDecisionClosedSets:
    """A RetentionDecision's action and disposal are checked at construction."""

    def _decision(self, **changes: object) -> object:
        fields: dict[str, object] = {
            "category": "log",
            "record_id": None,
            "action": "retain",
            "disposal": "delete",
            "retain_until": None,
            "keep_through": None,
            "eligible_from": None,
            "must_dispose_by": None,
            "accessible_until": None,
            "overdue": False,
            "on_hold": False,
            "holds": (),
            "rule": None,
            "disposal_rule": None,
            "rules": (),
            "reasons": (),
        }
        fields.update(changes)
        return RetentionDecision(**fields)  # type: ignore[arg-type]  # deliberately loose

    @pytest.mark.parametrize("action", ["burn", "Delete", "", None, "keep"])
    def test_unknown_action_is_refused(self, action: object) -> None:
        """action is retain or a disposal action; anything else names the field."""
        with pytest.raises(PolicyConfigError, match=r"RetentionDecision\.action: must be one of"):
            self._decision(action=action)

    @pytest.mark.parametrize("disposal", ["retain", "shred", ""])
    def test_unknown_disposal_is_refused(self, disposal: object) -> None:
        """disposal is a disposal action or None."""
        with pytest.raises(PolicyConfigError, match=r"RetentionDecision\.disposal: must be one of"):
            self._decision(disposal=disposal)

    def test_known_values(self) -> None:
        """Every value the schedule itself produces is accepted."""
        assert self._decision(action="anonymize", disposal=None)
