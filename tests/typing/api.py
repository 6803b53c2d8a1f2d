"""Type-checker-only usage of the public API; checked by mypy --strict, never run."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from secpolicy import Clock, FrozenClock, SecPolicyError, SystemClock, __version__
from secpolicy.exceptions import PolicyConfigError

version: str = __version__

clock: Clock = FrozenClock(datetime(2024, 1, 1, tzinfo=UTC))
now: datetime = clock.now()
later: datetime = FrozenClock(now).advance(timedelta(days=1))
system: Clock = SystemClock()

err: SecPolicyError = PolicyConfigError("must be >= 1", field="password.min_length", line=3)
field: str | None = err.field if isinstance(err, PolicyConfigError) else None

# -- secpolicy.crypto ---------------------------------------------------------
from secpolicy.crypto import (  # noqa: E402 (grouped by area for reading)
    BlindIndex,
    DeterministicEncryptor,
    EnvKeyProvider,
    FieldEncryptor,
    FileEncryptor,
    FileKeyProvider,
    Key,
    KeyProvider,
    Keyset,
    KeyState,
)

keyset: Keyset = Keyset.generate("SM4-GCM", now=now)
rotated: Key = keyset.rotate()
state: KeyState = rotated.state
token: str = FieldEncryptor(keyset).encrypt(b"13812345678", context=b"customers.phone:42")
plain: bytes = FieldEncryptor(keyset).decrypt(token, context=b"customers.phone:42")
lookups: tuple[str, ...] = DeterministicEncryptor(Keyset.generate("AES-SIV")).lookup_tokens(
    b"x", context=b"c"
)
index: str = BlindIndex(Keyset.generate("HMAC-SM3"), length=8).compute(
    "13812345678", context=b"customers.phone"
)
written: int = FileEncryptor(keyset).encrypt_file("in.csv", "out.spf", context=b"in.csv")
provider: KeyProvider = EnvKeyProvider(kek=b"k" * 32)
provider = FileKeyProvider("keys.json")
wrapped: str = keyset.to_json(kek=b"k" * 32)

# -- secpolicy.retention ------------------------------------------------------
from datetime import date  # noqa: E402
from zoneinfo import ZoneInfo  # noqa: E402

from secpolicy.retention import (  # noqa: E402
    PERMANENT,
    LegalHold,
    Period,
    RetentionDecision,
    RetentionRule,
    RetentionSchedule,
    WorkdayCalendar,
    profiles,
)

schedule = RetentionSchedule(
    [
        RetentionRule(category="user_log", keep=Period(months=12), citation="rulebook"),
        RetentionRule(category="registration", keep=PERMANENT),
        RetentionRule(category="*", keep=Period(months=6), action="review"),
    ],
    tz=ZoneInfo("Asia/Shanghai"),
).lock()
decision: RetentionDecision = schedule.evaluate(
    "user_log",
    created=now,
    now=later,
    holds=[LegalHold("user_log", "case 7", now)],
)
eligible: datetime | None = decision.eligible_from
kept: date | None = profiles.CN_INTERACTIVE_SERVICE.evaluate(
    "registration", created=now, now=later
).keep_through
t_plus_1: date = WorkdayCalendar.china().add_workdays(date(2024, 9, 30), 1)
deadline: datetime = WorkdayCalendar.china().due_by(now, hours=24)

# -- secpolicy.pii ------------------------------------------------------------
from secpolicy.pii import (  # noqa: E402
    CN_MOBILE,
    Finding,
    Mask,
    Masker,
    MaskerConfig,
    Operator,
    Pseudonymize,
    ResidentId,
    check_identity,
    parse_cn_resident_id,
    presets,
)
from secpolicy.pii import Scanner as PiiScanner  # noqa: E402

findings: list[Finding] = PiiScanner(["CN_MOBILE", "EMAIL"]).find("手机13812345678")
operator: Operator = Mask(3, 4)
masker = Masker({CN_MOBILE: operator, "EMAIL": Pseudonymize(b"k" * 32)}, paths={"a.b": CN_MOBILE})
masked_text: str = masker.mask_text("手机13812345678")
in_field: str = masker.mask_text("张三 13812345678", field="remarks")
config: MaskerConfig = masker.config
field_entities: Mapping[str, str] = config.fields
configured_paths: tuple[tuple[str, str | Operator], ...] = config.paths
named: bool = config.path_names(("a", "b"))
listed: frozenset[str] = config.allow_list_fields | config.deny_list_fields
masked_record: object = presets.CN_DISPLAY.mask_record({"手机号": "13812345678"})
resident: ResidentId = parse_cn_resident_id("11010519491231002X")
born: date = resident.birth_date
problems: list[str] = check_identity("11010519491231002X", gender="女", birth_date=born)

# -- secpolicy.rbac -------------------------------------------------------------
from secpolicy.rbac import RBAC, Decision, GrantRequest, RBACEvent, ReviewReport, Session  # noqa: E402

events_seen: list[RBACEvent] = []
rbac = RBAC(levels=("公开", "内部"), clock=clock, on_event=events_seen.append)
rbac.add_role("viewer")
rbac.add_role("dba", privileged=True, approvals=2)
rbac.grant("viewer", "accounts/**", "read", tenant="b1")
allowed: bool = rbac.check("u", "accounts/1", "read", tenant="b1")
decision_made: Decision = rbac.decide("u", "accounts/1", "read")
pending_request: GrantRequest = rbac.request_grant(
    "u", "dba", requested_by="r", duration=timedelta(hours=1), reason="incident"
)
session: Session = rbac.create_session("u", ["viewer"])
report: ReviewReport = rbac.review_report(privileged_interval=timedelta(days=30))
policy_data: dict[str, object] = RBAC.from_dict(rbac.to_dict()).to_dict()

# -- secpolicy.password -----------------------------------------------------------
from secpolicy.password import (  # noqa: E402
    CHEAPEST,
    LockStatus,
    LoginThrottle,
    PasswordCheck,
    PasswordContext,
    PasswordHasher,
)
from secpolicy.password import profiles as password_profiles  # noqa: E402

hasher = PasswordHasher(CHEAPEST)
checked: PasswordCheck = password_profiles.CN_MLPS_L3.check(
    "Blue-Harbor-42",
    context=PasswordContext(username="u", previous_hashes=[hasher.hash("x")], hasher=hasher),
)
codes_found: tuple[str, ...] = checked.codes
chinese: list[str] = checked.messages("zh-CN")
lockout = password_profiles.PCI_DSS_4.lockout
if lockout is not None:
    throttled: LockStatus = LoginThrottle(lockout).record_failure("user:u", now=now)
    may_try: bool = throttled.allowed
expired: bool = password_profiles.PCI_DSS_4.is_expired(now, now=later)

# -- secpolicy.audit ----------------------------------------------------------------
from secpolicy.audit import (  # noqa: E402
    AuditEvent,
    AuditLogger,
    MemoryAnchorStore,
    Problem,
    VerifyReport,
    generate_signing_key,
    to_ocsf,
    verify,
)

signing = generate_signing_key()
audit_log = AuditLogger.to_file(
    "audit.jsonl", key=signing, anchor=MemoryAnchorStore(), fsync=100, seal_idle=False
)
audit_log.bind(user_id="u1", ip="203.0.113.9", port=443).login()
audit_log.export_personal_data(user_id="s1", subject="customer:9", fields=["phone"])
audit_log.close()
audit_report: VerifyReport = verify("audit.jsonl", key=signing.public_key())
first_problem: Problem | None = audit_report.first_problem
ocsf_event: dict[str, object] = to_ocsf(AuditEvent(action="auth.login", time=now).to_record())

# -- secpolicy.policyfile, secpolicy.baselines, secpolicy.testing ---------------------
from secpolicy.baselines import CheckReport, Result, check_policy  # noqa: E402
from secpolicy.policyfile import ServicePolicy, load_policy, loads_policy  # noqa: E402
from secpolicy.testing import assert_no_pii, assert_password_rejected  # noqa: E402

service: ServicePolicy = load_policy("secpolicy.toml")
declared: ServicePolicy = loads_policy('[password]\nprofile = "cn-mlps-l3"\n')
if declared.password is not None:
    assert_password_rejected(declared.password, "123456", code="too_short")
compliance: CheckReport = check_policy(service, ["cn-mlps-l3", "pci-dss-4"])
shortfalls: tuple[Result, ...] = compliance.failures
junit_xml: str = compliance.render("junit")
line_of_min_length: int | None = service.line_of("password.min_length")
assert_no_pii("order 42 shipped")
