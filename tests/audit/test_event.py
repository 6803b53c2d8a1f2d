"""The event model and its OCSF export."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy._clock import SystemClock
from secpolicy.audit import ACTIONS, Actor, AuditEvent, Endpoint, action_spec, to_ocsf
from secpolicy.audit._event import WallTime, format_time, parse_time
from secpolicy.exceptions import NaiveDatetimeError

T = datetime(2026, 3, 1, 8, 0, 0, 123456, tzinfo=UTC)


class Colour(StrEnum):
    RED = "red"


class TestEvent:
    def test_round_trip(self) -> None:
        """A record rebuilds the same event."""
        event = AuditEvent(
            action="auth.login",
            time=T,
            actor=Actor(user_id="u1", name="alice", session_id="s1", ip="203.0.113.9", port=443),
            outcome="failure",
            reason="bad password",
            correlation_id="req-1",
            src={"ip": "10.0.0.5", "port": 51000, "protocol": "tcp"},
            nat=Endpoint(ip="198.51.100.7", port=62000),
            target="user:u1",
            data={"method": "password", "attempt": 3, "colour": Colour.RED},
        )
        record = event.to_record()
        assert record["time"] == "2026-03-01T08:00:00.123456Z"
        assert record["src"] == {"ip": "10.0.0.5", "port": 51000, "protocol": "tcp"}
        assert AuditEvent.from_record(record) == event
        assert '"action":"auth.login"' in event.to_json()

    def test_time_is_stored_in_utc(self) -> None:
        """An aware time in another zone is converted; a naive one is refused."""
        east8 = timezone(timedelta(hours=8))
        event = AuditEvent(action="a.b", time=datetime(2026, 3, 1, 16, 0, tzinfo=east8))
        assert event.time == datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
        with pytest.raises(NaiveDatetimeError, match="time"):
            AuditEvent(action="a.b", time=datetime(2026, 3, 1))  # noqa: DTZ001

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (T, "2026-03-01T08:00:00.123456Z"),
            (datetime(2026, 3, 1, tzinfo=UTC), "2026-03-01T00:00:00.000000Z"),
            (datetime(1, 1, 1, tzinfo=UTC), "0001-01-01T00:00:00.000000Z"),
            (
                datetime(2026, 1, 1, 7, 59, 59, 999999, tzinfo=timezone(timedelta(hours=8))),
                "2025-12-31T23:59:59.999999Z",
            ),
        ],
    )
    def test_format_time(self, value: datetime, text: str) -> None:
        """Record times are RFC 3339 in UTC with six fraction digits, even when zero."""
        assert format_time(value) == text

    @given(
        st.datetimes(
            # a day inside the range so that any of the zones stays in datetime's years
            min_value=datetime(1, 1, 2),  # noqa: DTZ001 (hypothesis bounds are naive)
            max_value=datetime(9999, 12, 30),  # noqa: DTZ001
            timezones=st.sampled_from(
                [UTC, timezone(timedelta(hours=8)), timezone(-timedelta(hours=5))]
            ),
        )
    )
    def test_format_time_agrees_with_isoformat(self, value: datetime) -> None:
        """The fast formatter writes what isoformat() would, and parse_time reads it back."""
        expected = value.astimezone(UTC).isoformat(timespec="microseconds")[:-6] + "Z"
        assert format_time(value) == expected
        assert parse_time(expected) == value

    @pytest.mark.parametrize(
        ("kwargs", "error", "match"),
        [
            ({"action": "Login"}, ValueError, "dotted lower-case"),
            ({"action": 3}, TypeError, "action must be a str"),
            ({"outcome": "ok"}, ValueError, "outcome must be one of"),
            ({"actor": {"ip": "999.1.1.1"}}, ValueError, "actor.ip is not"),
            ({"actor": {"port": 70000}}, ValueError, "actor.port must be between"),
            ({"actor": {"port": True}}, TypeError, "actor.port must be an int"),
            ({"actor": {"user_id": ""}}, ValueError, "actor.user_id must be 1 to"),
            ({"src": {"ip": "1.2.3.4", "vlan": 3}}, ValueError, "src has unknown keys"),
            ({"src": "1.2.3.4"}, TypeError, "src must be an Endpoint"),
            ({"nat": {"port": 3}}, TypeError, r"nat\..*'ip'"),
            ({"data": {"when": T}}, TypeError, "data.when is a datetime"),
            ({"data": {"x": [1, {"y": float("nan")}]}}, ValueError, r"data.x\[1\].y"),
            ({"data": {"x": {1: "a"}}}, TypeError, "keys must be str"),
            ({"reason": "x" * 5000}, ValueError, "reason must be 1 to 4096"),
        ],
    )
    def test_invalid_fields_are_named(
        self, kwargs: dict[str, object], error: type[Exception], match: str
    ) -> None:
        """Each invalid field fails with a typed error that names it."""

        def build() -> AuditEvent:
            values = {"action": "auth.login", "time": T, **kwargs}
            if isinstance(values.get("actor"), dict):
                values["actor"] = Actor(**values["actor"])
            return AuditEvent(**values)

        with pytest.raises(error, match=match):
            build()

    def test_from_record_refuses_other_kinds(self) -> None:
        """Checkpoints and malformed records are not events."""
        with pytest.raises(ValueError, match="kind 'checkpoint'"):
            AuditEvent.from_record({"kind": "checkpoint"})
        with pytest.raises(ValueError, match="lacks the field 'action'"):
            AuditEvent.from_record({"time": "2026-03-01T08:00:00Z"})
        with pytest.raises(ValueError, match="malformed"):
            AuditEvent.from_record(
                {"time": "2026-03-01T08:00:00Z", "action": "a.b", "actor": {"uid": 1}}
            )


class TestOcsf:
    def test_required_fields_for_every_catalogue_action(self) -> None:
        """Every catalogue action exports with OCSF's required attributes."""
        for action, spec in ACTIONS.items():
            event = AuditEvent(action=action, time=T, actor=Actor(user_id="u1", ip="1.2.3.4"))
            ocsf = to_ocsf(event.to_record(), version="9.9")
            for field in (
                "activity_id",
                "category_uid",
                "class_uid",
                "severity_id",
                "time",
                "type_uid",
            ):
                assert isinstance(ocsf[field], int), (action, field)
            assert ocsf["type_uid"] == spec.class_uid * 100 + spec.activity_id
            assert ocsf["category_uid"] == spec.class_uid // 1000
            assert ocsf["metadata"]["version"] == "1.9.0"
            assert ocsf["metadata"]["product"]["version"] == "9.9"
            assert ocsf["time"] == int(T.timestamp() * 1000)

    def test_login_maps_to_authentication_logon(self) -> None:
        """auth.login is Authentication (3002) / Logon (1); a failure raises severity."""
        record = AuditEvent(
            action="auth.login",
            time=T,
            outcome="failure",
            reason="bad password",
            actor=Actor(user_id="u1", name="alice", session_id="s1", ip="203.0.113.9", port=443),
            src=Endpoint(ip="10.0.0.5", port=51000),
            nat=Endpoint(ip="198.51.100.7", port=62000),
            correlation_id="req-9",
        ).to_record()
        record |= {"seq": 7, "hash": "ab" * 32}
        ocsf = to_ocsf(record)
        assert (ocsf["class_uid"], ocsf["activity_id"], ocsf["type_uid"]) == (3002, 1, 300201)
        assert (ocsf["status_id"], ocsf["status"], ocsf["status_detail"]) == (
            2,
            "Failure",
            "bad password",
        )
        assert ocsf["severity_id"] == 2
        assert ocsf["user"] == {"uid": "u1", "name": "alice"}
        assert ocsf["actor"]["session"] == {"uid": "s1"}
        assert ocsf["src_endpoint"] == {"ip": "10.0.0.5", "port": 51000}
        assert ocsf["unmapped"]["nat"] == {"ip": "198.51.100.7", "port": 62000}
        assert ocsf["metadata"]["sequence"] == 7
        assert ocsf["metadata"]["uid"] == "ab" * 32
        assert ocsf["metadata"]["correlation_uid"] == "req-9"

    def test_actions_outside_the_catalogue_are_api_activity_other(self) -> None:
        """A custom action maps to API Activity / Other and keeps its name."""
        spec = action_spec("billing.refund")
        assert (spec.class_uid, spec.activity_id, spec.type_uid) == (6003, 99, 600399)
        record = AuditEvent(action="billing.refund", time=T, outcome="denied").to_record()
        ocsf = to_ocsf(record)
        assert ocsf["metadata"]["event_code"] == "billing.refund"
        assert ocsf["status_detail"] == "denied"
        assert ocsf["src_endpoint"] == {"name": "unknown"}  # OCSF requires one; no address known
        assert ocsf["api"] == {"operation": "billing.refund"}

    def test_refuses_non_events(self) -> None:
        """Checkpoint records are not exported."""
        with pytest.raises(ValueError, match="not an event"):
            to_ocsf({"kind": "checkpoint"})


def _reference(ns: int) -> str:
    """format_time of the instant *ns* nanoseconds after the epoch (the plain twin)."""
    second = datetime.fromtimestamp(ns // 1_000_000_000, UTC)
    return format_time(second.replace(microsecond=ns // 1000 % 1_000_000))


class TestWallTime:
    @given(st.lists(st.integers(0, 253_402_300_799_999_999_999), min_size=1, max_size=20))
    def test_agrees_with_format_time_of_the_same_instant(self, instants: list[int]) -> None:
        """Each stamp, cached second or not, is format_time of the same instant."""
        readings = iter(instants)
        stamp = WallTime(lambda: next(readings))
        for ns in instants:
            assert stamp() == _reference(ns)

    def test_a_new_second_is_formatted_anew(self) -> None:
        """Within a second only the microseconds change; the next second is made again."""
        readings = iter([1_764_600_000_999_999_000, 1_764_600_001_000_000_000])
        stamp = WallTime(lambda: next(readings))
        assert stamp() == "2025-12-01T14:40:00.999999Z"
        assert stamp() == "2025-12-01T14:40:01.000000Z"

    def test_reads_the_system_clock(self) -> None:
        """By default a stamp lies between two readings of SystemClock."""
        before = format_time(SystemClock().now())
        stamped = WallTime()()
        after = format_time(SystemClock().now())
        assert before <= stamped <= after
