"""The audit logger: catalogue methods, structlog context, masking, sinks, capture."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import structlog
from hypothesis import given, settings
from hypothesis import strategies as st

from secpolicy._clock import FrozenClock
from secpolicy.audit import (
    ACTIONS,
    DEFAULT_MASKER,
    AuditLogger,
    LoggingSink,
    MaskPII,
    StreamSink,
    capture,
    read_records,
    to_ocsf,
    verify,
)
from secpolicy.exceptions import AuditWriteError
from secpolicy.pii import CN_MOBILE, Mask, Masker, Recognizer, Redact, Scanner
from secpolicy.rbac import RBACEvent
from tests.audit.conftest import KEY, START

ADDR = {"user_id": "u1", "ip": "203.0.113.9", "port": 52100}


def _events(path: Path) -> list[dict[str, object]]:
    return list(read_records(path))


class TestCatalogue:
    def test_every_method_writes_its_action(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Each catalogue method records its catalogue action with the given fields."""
        audit = make_logger()
        audit.register(**ADDR, user_name="alice", id_type="cn_resident_id")
        audit.change_profile(**ADDR, changed=["name"])
        audit.login(**ADDR)
        audit.logout(**ADDR)
        audit.publish(**ADDR, message_id="m1", title="hello")
        audit.edit_post(**ADDR, message_id="m1")
        audit.delete_post(**ADDR, message_id="m1")
        audit.map_short_url(
            **ADDR, short_url="https://s.example/x", long_url="https://example.com/a"
        )
        audit.create_group(**ADDR, group_id="g1")
        audit.delete_group(**ADDR, group_id="g1")
        audit.join_group(**ADDR, group_id="g1")
        audit.leave_group(**ADDR, group_id="g1")
        audit.upload(**ADDR, file_id="f1")
        audit.download(**ADDR, file_id="f1")
        audit.grant_privilege(user_id="admin", grantee="u1", privilege="dba")
        audit.revoke_privilege(user_id="admin", grantee="u1", privilege="dba")
        audit.use_privilege(user_id="admin", privilege="dba", target="db:customers")
        audit.access_personal_data(user_id="staff1", subject="customer:9", fields=["phone"])
        audit.export_personal_data(
            user_id="staff1", subject="segment:vip", fields=["name"], records=120
        )
        audit.change_policy(user_id="admin", policy="password", before="a1", after="b2")
        audit.access_audit_log(**ADDR, log="audit.jsonl", purpose="quarterly review")
        audit.close()
        actions = [record["action"] for record in _events(tmp_path / "audit.jsonl")]
        written_by_the_writer = {"audit.start", "audit.stop"}  # see TestLifecycle
        assert sorted(actions) == sorted(set(ACTIONS) - written_by_the_writer)
        assert len(actions) == len(ACTIONS) - 2

    def test_record_layout(self, make_logger: Callable[..., AuditLogger], tmp_path: Path) -> None:
        """A login record carries time, action, outcome, actor, addresses and data."""
        audit = make_logger()
        audit.login(
            **ADDR,
            outcome="failure",
            reason="bad password",
            session_id="s1",
            user_name="alice",
            src={"ip": "10.0.0.5", "port": 50000},
            nat={"ip": "198.51.100.7", "port": 61000, "protocol": "tcp"},
            correlation_id="req-1",
            method="password",
        )
        audit.close()
        (record,) = _events(tmp_path / "audit.jsonl")
        assert record["time"] == "2026-03-01T08:00:00.000000Z"
        assert record["action"] == "auth.login"
        assert record["outcome"] == "failure"
        assert record["actor"] == {
            "user_id": "u1",
            "name": "alice",
            "session_id": "s1",
            "ip": "203.0.113.9",
            "port": 52100,
        }
        assert record["src"] == {"ip": "10.0.0.5", "port": 50000}
        assert record["nat"]["protocol"] == "tcp"
        assert record["data"] == {"method": "password"}
        assert record["seq"] == 1

    def test_missing_required_field(self, make_logger: Callable[..., AuditLogger]) -> None:
        """A catalogue event without what the rules require is refused, naming the fields."""
        audit = make_logger()
        with pytest.raises(ValueError, match=r"auth.login requires ip, port"):
            audit.login(user_id="u1")

    def test_bad_values_are_refused(self, make_logger: Callable[..., AuditLogger]) -> None:
        """Bad types and values fail before anything is written, naming the field."""
        audit = make_logger()
        with pytest.raises(ValueError, match="ip is not an IPv4"):
            audit.login(user_id="u1", ip="not-an-ip", port=1)
        with pytest.raises(TypeError, match="port must be an int"):
            audit.login(user_id="u1", ip="1.2.3.4", port="80")
        with pytest.raises(TypeError, match=r"data\.when is a datetime"):
            audit.emit("billing.refund", when=START)
        with pytest.raises(ValueError, match="dotted lower-case"):
            audit.emit("Billing Refund")
        with pytest.raises(ValueError, match="outcome must be one of"):
            audit.emit("billing.refund", outcome="maybe")
        with pytest.raises(TypeError, match="actor must be an Actor"):
            audit.emit("billing.refund", actor="u1")
        with pytest.raises(TypeError, match="user_name must be a str"):
            audit.emit("billing.refund", user_name=3)
        assert audit._logger.next_seq == 1  # only the segment record was written

    def test_explicit_time_must_be_aware(self, make_logger: Callable[..., AuditLogger]) -> None:
        """A time passed in is converted to UTC; a naive one is refused."""
        audit = make_logger()
        audit.emit("job.run", time=datetime(2026, 1, 1, tzinfo=UTC))
        with pytest.raises(ValueError, match="time"):
            audit.emit("job.run", time=datetime(2026, 1, 1))  # noqa: DTZ001


class TestContext:
    def test_bind_supplies_actor(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Bound user, address and port fill in the catalogue methods' fields."""
        audit = make_logger()
        request = audit.bind(**ADDR, correlation_id="req-7")
        request.publish(message_id="m1", title="t")
        request.logout()
        audit.close()
        records = _events(tmp_path / "audit.jsonl")
        assert [r["actor"]["user_id"] for r in records] == ["u1", "u1"]
        assert {r["correlation_id"] for r in records} == {"req-7"}

    def test_contextvars_are_merged(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Values bound with structlog.contextvars reach the record."""
        audit = make_logger()
        structlog.contextvars.bind_contextvars(request_id="r-1", correlation_id="c-1")
        try:
            audit.login(**ADDR)
        finally:
            structlog.contextvars.clear_contextvars()
        audit.close()
        (record,) = _events(tmp_path / "audit.jsonl")
        assert record["correlation_id"] == "c-1"
        assert record["data"] == {"request_id": "r-1"}

    def test_enrichment_processors(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """The caller's processors run on the keyword arguments before validation."""

        def service(_: object, __: str, event: dict[str, object]) -> dict[str, object]:
            event["service"] = "shop"
            return event

        audit = make_logger(processors=[service])
        audit.login(**ADDR)
        audit.close()
        assert _events(tmp_path / "audit.jsonl")[0]["data"] == {"service": "shop"}

    def test_enrichment_processor_may_drop_an_event(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """structlog.DropEvent from the caller's processor skips the event, as in structlog."""

        def health_checks(_: object, __: str, event: dict[str, object]) -> dict[str, object]:
            if event.get("client") == "probe":
                raise structlog.DropEvent
            return event

        audit = make_logger(processors=[health_checks])
        audit.login(**ADDR, client="probe")
        audit.login(**ADDR, client="web")
        audit.close()
        assert [r["data"] for r in _events(tmp_path / "audit.jsonl")] == [{"client": "web"}]
        assert verify(tmp_path / "audit.jsonl", key=KEY).ok


KEYS = [
    "note",
    "method",
    "client",
    "mobile",
    "password",
    "id_number",
    "email",
    "name",
    "ip",
    "phone",
    "身份证号",
    "手机号",
    "contact",
    "13812345678",
    "a@example.com",
    "remarks",
]
TEXTS = [
    "password",
    "web/5.2",
    "",
    "Zhang San",
    "13812345678",
    "call 13812345678 today",
    "mail a.person@example.com now",
    "110105194912310021",
    "ID 110105194912310021 checked",
    "203.0.113.9",
    "6222020200112233445",
    "Customer asked to update the delivery address for order 88213 today.",
]
VALUES = st.one_of(
    st.sampled_from(TEXTS),
    st.text(max_size=30),
    st.integers(),
    st.none(),
    st.booleans(),
    st.lists(st.sampled_from(TEXTS), max_size=3),
    st.dictionaries(st.sampled_from(KEYS), st.sampled_from(TEXTS), max_size=2),
)


class TestMaskingPlan:
    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.dictionaries(st.sampled_from(KEYS), VALUES, max_size=5), max_size=4))
    def test_planned_masking_agrees_with_the_maskers_walk(
        self, batches: list[dict[str, object]]
    ) -> None:
        """The per-key plan and the clean cache give exactly what the masker's walk gives."""
        processor = MaskPII()
        for data in [*batches, *batches]:  # the second round runs on warm caches
            record = {
                "data": dict(data),
                "reason": next(iter(data), "none"),
                "actor": {"name": "x"},
            }
            expected_data = DEFAULT_MASKER.mask_record({"data": dict(data)})["data"]
            expected_reason = DEFAULT_MASKER.mask_text(record["reason"])  # type: ignore[arg-type]
            masked = processor(None, "audit", record)
            assert masked.get("data") == (expected_data if data else masked.get("data"))
            assert masked["reason"] == expected_reason

    def test_known_fields_and_pii_keys_take_the_walk(self) -> None:
        """A field the masker knows, or a key holding personal data, is never planned plain."""
        processor = MaskPII()
        assert processor._plan("note")
        for key in ("mobile", "password", "身份证号", "13812345678", "ip", "name"):
            assert not processor._plan(key), key
        masker = Masker(paths={"data.note": Redact()})
        other = MaskPII(masker)
        walked = masker.mask_record({"data": {"note": "hello"}})["data"]
        assert other(None, "audit", {"data": {"note": "hello"}})["data"] == walked
        assert walked != {"note": "hello"}

    def test_caches_stay_bounded(self) -> None:
        """Plans and clean texts are dropped wholesale once 4,096 are held."""
        processor = MaskPII()
        for i in range(4100):
            # Seven digits: the masker's pre-check cannot rule the value out.
            processor(None, "audit", {"data": {f"k{i}x": f"value {2_000_000 + i}"}})
        assert 0 < len(processor._keys) <= 4096
        assert 0 < len(processor._clean) <= 4096

    def test_only_clean_texts_up_to_256_characters_are_cached(self) -> None:
        """Personal data and free text over 256 characters are never remembered."""
        processor = MaskPII()
        note = "Customer asked on 2026-12-02 to update the delivery address by phone. " * 3
        assert len(note) <= 256
        long = "x 2026-12-02 " * 20
        with_pii = note[:200] + " call 13812345678"
        short = "web/5.2.2026"
        for text in (short, "13812345678", note, long, with_pii):
            assert DEFAULT_MASKER.may_contain(text)
            processor._text(text)
        assert processor._clean == {short, note}
        assert processor._text(with_pii) == DEFAULT_MASKER.mask_text(with_pii) != with_pii

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.sampled_from(TEXTS), min_size=1, max_size=4).map(" ".join) | st.text())
    def test_another_masker_is_screened_like_its_mask_text(self, text: str) -> None:
        """With any Masker, a text field comes out as that masker's mask_text gives it."""
        masker = Masker(scanner=Scanner(recognizers=[Recognizer("TICKET", r"T-[0-9]{2}")]))
        processor = MaskPII(masker)
        record = processor(None, "audit", {"reason": text, "target": f"{text} T-77"})
        assert record["reason"] == masker.mask_text(text)
        assert record["target"] == masker.mask_text(f"{text} T-77") != f"{text} T-77"

    def test_a_masker_subclass_is_always_scanned(self) -> None:
        """A subclass may mask text its own way: its pre-check is never trusted."""

        class Shouting(Masker):
            def mask_text(self, text: str) -> str:
                return text.upper()

        processor = MaskPII(Shouting())
        assert processor(None, "audit", {"reason": "plain words"})["reason"] == "PLAIN WORDS"

    def test_ruled_out_free_text_is_never_scanned(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A note the pre-check rules out is written as it is without a scan."""
        processor = MaskPII()
        scans: list[str] = []
        real = Masker.mask_text

        def counting(self: Masker, text: str) -> str:
            scans.append(text)
            return real(self, text)

        monkeypatch.setattr(Masker, "mask_text", counting)
        note = "Customer asked to update the delivery address for order 88213 today."
        record = processor(None, "audit", {"data": {"note": note}, "reason": "call 13812345678"})
        assert record["data"] == {"note": note}
        assert record["reason"] == "call 138****5678"
        assert note not in scans
        assert "call 13812345678" in scans

    @settings(max_examples=200, deadline=None)
    @given(
        st.lists(
            st.lists(st.sampled_from(TEXTS), min_size=1, max_size=6).map(" ".join)
            | st.text(min_size=40, max_size=300),
            max_size=6,
        )
    )
    def test_cached_free_text_agrees_with_the_masker(self, notes: list[str]) -> None:
        """Long texts, cold and warm, are masked exactly as the masker masks them."""
        processor = MaskPII()
        for note in [*notes, *notes]:
            assert processor._text(note) == DEFAULT_MASKER.mask_text(note)


class TestMasking:
    def test_identifiers_never_reach_the_file_in_clear(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """ID and mobile numbers are masked by field name and in free text; addresses are not."""
        audit = make_logger()
        audit.register(
            **ADDR,
            id_type="cn_resident_id",
            id_number="11010519491231002X",
            mobile="13812345678",
            email="alice@example.com",
            password="hunter2",
        )
        audit.emit(
            "support.note",
            reason="customer called from 13912345678",
            note="id 11010519491231002X, server 10.1.2.3",
        )
        audit.close()
        text = (tmp_path / "audit.jsonl").read_text(encoding="utf-8")
        for secret in ("11010519491231002X", "13812345678", "13912345678", "hunter2"):
            assert secret not in text
        records = _events(tmp_path / "audit.jsonl")
        assert records[0]["data"]["id_number"] == "110105********002X"
        assert records[0]["data"]["mobile"] == "138****5678"
        assert records[0]["actor"]["ip"] == "203.0.113.9"
        assert "10.1.2.3" in records[1]["data"]["note"]
        assert records[1]["reason"] == "customer called from 139****5678"

    def test_policy_per_field(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A masker with paths decides per field."""
        masker = Masker(
            {CN_MOBILE: Mask(3, 4, max_reveal=7 / 11)}, paths={"data.contact": Redact("[removed]")}
        )
        audit = make_logger(masker=masker)
        audit.emit("support.note", contact="13812345678", other="13812345678")
        audit.close()
        (record,) = _events(tmp_path / "audit.jsonl")
        assert record["data"] == {"contact": "[removed]", "other": "138****5678"}

    def test_masking_off(self, make_logger: Callable[..., AuditLogger], tmp_path: Path) -> None:
        """mask=False writes values as given; a masker with it is a contradiction."""
        audit = make_logger(mask=False)
        audit.emit("support.note", mobile="13812345678")
        audit.close()
        assert _events(tmp_path / "audit.jsonl")[0]["data"] == {"mobile": "13812345678"}
        with pytest.raises(ValueError, match="mask=False"):
            make_logger("other.jsonl", mask=False, masker=Masker())


class TestStartStop:
    def test_start_and_stop_are_recorded_and_sealed(
        self, tmp_path: Path, clock: FrozenClock
    ) -> None:
        """Opening writes audit.start, closing audit.stop before the final checkpoint."""
        path = tmp_path / "audit.jsonl"
        with AuditLogger.to_file(path, key=KEY, clock=clock, seal_idle=False) as audit:
            audit.login(**ADDR)
        with AuditLogger.to_file(path, key=KEY, clock=clock, seal_idle=False) as again:
            log_id = again.log_id
        records = list(read_records(path, kinds=()))
        events = [r for r in records if r["kind"] == "event"]
        assert [(e["action"], e["data"]) for e in events if e["action"] != "auth.login"] == [
            ("audit.start", {"log_id": log_id, "opened": "created"}),
            ("audit.stop", {"log_id": log_id, "reason": "closed"}),
            ("audit.start", {"log_id": log_id, "opened": "reopened"}),
            ("audit.stop", {"log_id": log_id, "reason": "closed"}),
        ]
        assert records[-1]["kind"] == "checkpoint"
        assert records[-2]["action"] == "audit.stop"
        report = verify(path, key=KEY.public_key())
        assert report.ok, report.summary()
        for event in events:
            ocsf = to_ocsf(event)
            if event["action"].startswith("audit."):
                assert (ocsf["class_uid"], ocsf["log_name"]) == (1008, log_id)
                assert ocsf["activity_id"] == (6 if event["action"] == "audit.start" else 7)

    def test_not_captured_and_can_be_turned_off(self, tmp_path: Path, clock: FrozenClock) -> None:
        """capture() sees the application's events only; lifecycle_events=False writes none."""
        with (
            capture() as seen,
            AuditLogger.to_file(
                tmp_path / "a.jsonl", key=KEY, clock=clock, seal_idle=False
            ) as audit,
        ):
            audit.login(**ADDR)
        assert [event["action"] for event in seen] == ["auth.login"]
        with AuditLogger.to_file(
            tmp_path / "b.jsonl", key=KEY, clock=clock, seal_idle=False, lifecycle_events=False
        ) as audit:
            audit.login(**ADDR)
        assert [r["action"] for r in read_records(tmp_path / "b.jsonl")] == ["auth.login"]

    def test_no_stop_after_a_failure(self, clock: FrozenClock) -> None:
        """A writer stopped by a sink failure cannot write audit.stop: its absence shows it."""
        lines: list[bytes] = []

        class Failing:
            def open(self) -> None:
                return None

            def write(self, line: bytes) -> None:
                if b'"auth.logout"' in line:
                    raise OSError(5, "I/O error")
                lines.append(line)

            def close(self) -> None:
                return None

        audit = AuditLogger.with_sink(Failing(), key=KEY, clock=clock, seal_idle=False)
        audit.login(**ADDR)
        with pytest.raises(AuditWriteError):
            audit.logout(**ADDR)
        audit.close()
        actions = [json.loads(line).get("action") for line in lines]
        assert actions == [None, "audit.start", "auth.login"]


class TestSinks:
    def test_stdout_sink_writes_a_verifiable_chain(
        self, tmp_path: Path, clock: FrozenClock
    ) -> None:
        """The stream sink writes chained lines a collector can verify."""
        out = io.StringIO()
        audit = AuditLogger.to_stdout(key=KEY, stream=out, clock=clock, seal_idle=False)
        audit.login(**ADDR)
        audit.close()
        path = tmp_path / "collected.jsonl"
        path.write_text(out.getvalue(), encoding="utf-8")
        report = verify(path, key=KEY.public_key())
        assert report.ok, report.summary()
        assert report.records == 5  # segment, audit.start, login, audit.stop, checkpoint

    def test_logging_bridge(self, clock: FrozenClock, caplog: pytest.LogCaptureFixture) -> None:
        """The logging sink hands each line to a stdlib logger, parsed record attached."""
        caplog.set_level(logging.INFO, logger="audit.test")
        audit = AuditLogger.to_logging("audit.test", key=KEY, clock=clock, seal_idle=False)
        audit.login(**ADDR)
        audit.close()
        records = [r for r in caplog.records if r.name == "audit.test"]
        kinds = [r.audit["kind"] for r in records]  # type: ignore[attr-defined]
        assert kinds == ["segment", "event", "event", "event", "checkpoint"]
        actions = [json.loads(r.getMessage()).get("action") for r in records[1:4]]
        assert actions == ["audit.start", "auth.login", "audit.stop"]

    def test_failing_primary_sink_fails_the_call(self, clock: FrozenClock) -> None:
        """A stream that refuses writes raises AuditWriteError from the event call."""
        out = io.StringIO()
        audit = AuditLogger.to_stdout(key=KEY, stream=out, clock=clock, seal_idle=False)
        out.close()
        with pytest.raises(AuditWriteError, match="cannot write an audit record"):
            audit.login(**ADDR)

    def test_failing_mirror_is_recorded_not_raised(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """A mirror failure is written into the chain once per failure streak."""
        mirror = io.StringIO()
        audit = make_logger(mirrors=[StreamSink(mirror)])
        audit.login(**ADDR)
        mirror.close()
        audit.login(**ADDR)
        audit.login(**ADDR)
        audit.close()
        kinds = [r["kind"] for r in read_records(tmp_path / "audit.jsonl", kinds=())]
        assert kinds.count("sink_error") == 1
        report = verify(tmp_path / "audit.jsonl", key=KEY)
        assert report.ok
        assert [w.kind for w in report.warnings] == ["sink_error"]

    def test_logging_sink_wraps_handler_errors(self) -> None:
        """A handler that raises becomes AuditWriteError."""

        class Boom(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                raise RuntimeError("down")

            def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802
                raise RuntimeError("down")

        logger = logging.getLogger("audit.boom")
        logger.addHandler(Boom())
        logger.propagate = False
        logger.setLevel(logging.INFO)
        sink = LoggingSink(logger)
        with pytest.raises(AuditWriteError):
            sink.write(b'{"seq":0}\n')


class TestLifecycle:
    def test_closed_logger_refuses(self, make_logger: Callable[..., AuditLogger]) -> None:
        """After close(), every bound copy fails closed."""
        audit = make_logger()
        bound = audit.bind(user_id="u1")
        audit.close()
        audit.close()  # idempotent
        assert bound.closed
        with pytest.raises(AuditWriteError, match="closed"):
            bound.login(ip="1.2.3.4", port=1)
        with pytest.raises(AuditWriteError, match="closed"):
            audit.checkpoint()

    def test_direct_construction_is_refused(self) -> None:
        """The structlog constructor needs the chain writer the factories build."""
        with pytest.raises(TypeError, match="to_file"):
            AuditLogger(object(), [], {})  # type: ignore[arg-type]

    def test_properties(self, make_logger: Callable[..., AuditLogger], anchor: object) -> None:
        """anchor, log_id and repr describe the logger."""
        audit = make_logger()
        assert audit.anchor is anchor
        assert len(audit.log_id) == 32
        assert "AuditLogger" in repr(audit)


class TestCapture:
    def test_capture_sees_written_events(self, make_logger: Callable[..., AuditLogger]) -> None:
        """capture() collects event records as written, masked, with seq and hash."""
        audit = make_logger()
        with capture() as outer, capture() as inner:
            audit.login(**ADDR, mobile="13812345678")
        audit.login(**ADDR)
        assert len(outer) == len(inner) == 1
        assert outer[0]["action"] == "auth.login"
        assert outer[0]["data"]["mobile"] == "138****5678"
        assert outer[0]["seq"] == 1
        assert len(outer[0]["hash"]) == 64


class TestRbacHook:
    def test_rbac_events_become_privilege_records(
        self, make_logger: Callable[..., AuditLogger], tmp_path: Path
    ) -> None:
        """Assignments, revocations, uses and other RBAC events are recorded."""
        audit = make_logger()
        at = START + timedelta(minutes=1)
        for kind, role in [
            ("role_assigned", "dba"),
            ("grant_revoked", "dba"),
            ("privileged_use", "dba"),
            ("user_removed", None),
        ]:
            audit.on_rbac_event(
                RBACEvent(kind=kind, user="u1", role=role, tenant="t1", by="admin", at=at)
            )
        audit.close()
        records = _events(tmp_path / "audit.jsonl")
        assert [r["action"] for r in records] == [
            "privilege.grant",
            "privilege.revoke",
            "privilege.use",
            "rbac.user_removed",
        ]
        assert records[0]["actor"] == {"user_id": "admin"}
        assert records[0]["data"]["grantee"] == "u1"
        assert records[0]["data"]["tenant"] == "t1"
        assert records[0]["time"] == "2026-03-01T08:01:00.000000Z"
