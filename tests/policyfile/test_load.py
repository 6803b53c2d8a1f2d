"""load_policy: every section builds the real objects; every error names file, line and key."""

from __future__ import annotations

import json
import pickle
import re
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema
import pytest

from secpolicy import FrozenClock
from secpolicy.audit import AuditLogger, capture, generate_signing_key
from secpolicy.exceptions import FileProblemsError, InvalidArgumentError, PolicyConfigError
from secpolicy.password import COMMON_PASSWORDS, profiles
from secpolicy.pii import CN_MOBILE, EMAIL, Mask, Pseudonymize, Redact, Replace
from secpolicy.policyfile import (
    MAX_POLICY_BYTES,
    SCHEMA_ID,
    AuditSettings,
    PolicyFileError,
    json_schema,
    load_policy,
    loads_policy,
    parse_duration,
    parse_period,
    parse_size,
)
from secpolicy.policyfile._load import SECTIONS, reference_markdown
from secpolicy.rbac import RBAC
from secpolicy.retention import PERMANENT, Period

ROOT = Path(__file__).parents[2]
EXAMPLE = ROOT / "examples" / "secpolicy.toml"
SCHEMA_FILE = ROOT / "src" / "secpolicy" / "policyfile" / "secpolicy.schema.json"
NOW = datetime(2025, 9, 1, tzinfo=UTC)


def _toml_blocks(markdown: Path) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", markdown.read_text(encoding="utf-8"), re.DOTALL)


class TestExamples:
    def test_example_policy_builds_every_section(self) -> None:
        """The shipped example loads into real objects of every area."""
        policy = load_policy(EXAMPLE)
        assert policy.name == "community-site"
        assert policy.sections == ("password", "rbac", "pii", "audit", "retention")
        assert policy.password is not None
        assert policy.password.min_length == 10
        assert policy.password.lockout is not None
        assert policy.password.lockout.max_failures == 3
        assert policy.rbac is not None
        assert policy.rbac.check("cs.chen", "users/1/profile", "read")
        assert not policy.rbac.check("ops.li", "users/1/profile", "read")
        assert policy.pii is not None
        assert policy.pii.mask_text("手机13812345678") == "手机138****5678"
        assert policy.audit is not None
        assert policy.audit.protected
        assert policy.retention is not None
        assert policy.retention.locked
        assert len(policy.holds) == 1

    @pytest.mark.parametrize(
        "page", sorted((ROOT / "docs").rglob("*.md")), ids=lambda p: str(p.relative_to(ROOT))
    )
    def test_every_policy_in_the_docs_loads(self, page: Path, tmp_path: Path) -> None:
        """Each ```toml block of the docs is a policy file that loads."""
        for block in _toml_blocks(page):
            if "[rbac]" in block and "file =" in block:
                (tmp_path / "rbac.toml").write_text(
                    '[roles.viewer]\n[[grants]]\nrole = "viewer"\n'
                    'resource = "r"\naction = "read"\n',
                    encoding="utf-8",
                )
            loads_policy(block, base_dir=tmp_path)

    def test_schema_file_is_generated_from_the_code(self) -> None:
        """The shipped JSON Schema is exactly what json_schema() generates (run make schema)."""
        shipped = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
        assert shipped == json_schema()

    def test_reference_page_is_generated_from_the_code(self) -> None:
        """docs/policyfile-reference.md is what the key declarations produce (make schema)."""
        page = ROOT / "docs" / "policyfile-reference.md"
        assert page.read_text(encoding="utf-8") == reference_markdown()
        for name, keys, _ in SECTIONS:
            assert f"## `[{name}]`" in page.read_text(encoding="utf-8")
            for key in keys:
                assert f"| `{key.name}` |" in page.read_text(encoding="utf-8")

    def test_example_validates_against_the_schema(self) -> None:
        """Editors using the schema accept the example (dates as strings, as TOML-to-JSON does)."""
        schema = json_schema()
        jsonschema.Draft202012Validator.check_schema(schema)
        data = tomllib.loads(EXAMPLE.read_text(encoding="utf-8"))
        data["retention"]["holds"][0]["since"] = data["retention"]["holds"][0]["since"].isoformat()
        jsonschema.validate(data, schema, cls=jsonschema.Draft202012Validator)

    def test_schema_rejects_unknown_keys(self) -> None:
        """The schema, like the loader, refuses a misspelt key."""
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate({"password": {"min_lenght": 8}}, json_schema())


class TestSections:
    def test_password_profile_and_overrides(self) -> None:
        """Overrides amend the profile; false turns an optional rule off."""
        policy = loads_policy(
            '[password]\nprofile = "pci-dss-4"\nmin_length = 15\nmax_age = false\n'
            'idle_timeout = "10 min"\nblocklist = false\n'
        ).password
        assert policy is not None
        assert (policy.min_length, policy.max_age, policy.blocklist) == (15, None, None)
        assert policy.idle_timeout == timedelta(minutes=10)
        assert policy.history_size == profiles.PCI_DSS_4.history_size
        assert policy.name == "pci-dss-4 (amended)"

    def test_password_defaults_and_blocklist_files(self, tmp_path: Path) -> None:
        """Without a profile the defaults apply; blocklist files join the bundled list."""
        (tmp_path / "words.txt").write_text("companyname2025\n", encoding="utf-8")
        policy = loads_policy(
            '[password]\nblocklist_files = ["words.txt"]\n', base_dir=tmp_path
        ).password
        assert policy is not None
        assert policy.check("companyname2025").codes == ("blocklisted",)
        assert policy.blocklist is not COMMON_PASSWORDS

    def test_pii_operators_fields_and_paths(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Operators by name or table, field names and paths build one masker."""
        monkeypatch.setenv("PSEUDONYM_KEY", "11" * 32)
        masker = loads_policy(
            "[pii]\n"
            'entities = ["CN_MOBILE", "EMAIL"]\n'
            'default = { op = "redact", text = "[x]" }\n'
            "[pii.operators]\n"
            'CN_MOBILE = { op = "mask", keep_first = 3, keep_last = 4, max_reveal = 0.7 }\n'
            'EMAIL = { op = "pseudonymize", key_env = "PSEUDONYM_KEY" }\n'
            "[pii.fields]\n"
            'contact = "PHONE"\n'
            "[pii.paths]\n"
            '"user.note" = "redact"\n'
            '"items[*].card" = "PAYMENT_CARD"\n'
        ).pii
        assert masker is not None
        assert masker.operator_for(CN_MOBILE) == Mask(3, 4, max_reveal=0.7)
        assert isinstance(masker.operator_for(EMAIL), Pseudonymize)
        assert masker.default == Redact("[x]")
        record = masker.mask_record({"user": {"note": "hi"}, "contact": "13812345678"})
        assert record == {"user": {"note": ""}, "contact": "138****5678"}

    def test_pii_preset(self) -> None:
        """A preset is the starting point; operators amend it."""
        masker = loads_policy(
            '[pii]\npreset = "cn-display"\n[pii.operators]\nEMAIL = "replace"\n'
        ).pii
        assert masker is not None
        assert masker.operator_for(EMAIL) == Replace()
        assert masker.mask_text("13812345678") == "138****5678"

    def test_audit_settings_open_a_working_logger(self, tmp_path: Path) -> None:
        """The [audit] section opens a chained, anchored file logger that masks with [pii]."""
        from cryptography.hazmat.primitives.serialization import (
            Encoding,
            NoEncryption,
            PrivateFormat,
        )

        key = generate_signing_key()
        (tmp_path / "audit.pem").write_bytes(
            key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
        )
        policy = loads_policy(
            '[pii]\npreset = "cn-display"\n'
            '[audit]\npath = "log/audit.jsonl"\nkey_file = "audit.pem"\nanchor = "anchor.jsonl"\n'
            'fsync = 10\nrotate_size = "1 MiB"\ncheckpoint_interval = false\nmasking = "pii"\n'
            'events = ["auth.login", "billing.refund"]\n',
            base_dir=tmp_path,
        )
        assert policy.audit is not None
        assert policy.audit.rotate_bytes == 1 << 20
        assert policy.audit.fsync == 10
        (tmp_path / "log").mkdir()
        logger = policy.open_audit(clock=FrozenClock(NOW), seal_idle=False)
        assert isinstance(logger, AuditLogger)
        with capture() as events:
            logger.login(user_id="u1", ip="10.0.0.1", port=443, phone="13812345678")
        logger.close()
        assert events[0]["data"] == {"phone": "138****5678"}
        assert (tmp_path / "anchor.jsonl").is_file()

    def test_audit_hmac_key_from_the_environment(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """key_env names a variable read when the logger opens, not when the file loads."""
        settings = loads_policy('[audit]\nsink = "stdout"\nkey_env = "AUDIT_KEY"\n').audit
        assert settings == AuditSettings(sink="stdout", key_env="AUDIT_KEY")
        with pytest.raises(
            PolicyConfigError, match=r"audit\.key_env: environment variable AUDIT_KEY"
        ):
            settings.signing_key()
        monkeypatch.setenv("AUDIT_KEY", "ab" * 32)
        assert settings.signing_key() == bytes([0xAB] * 32)

    def test_retention_profile_rules_and_holds(self) -> None:
        """A profile's rules, the file's own rules and holds make the schedule."""
        policy = loads_policy(
            "[retention]\n"
            'profile = ["cn-cybersecurity-law", "pci-dss-4"]\n'
            'tz = "Asia/Shanghai"\n'
            "[[retention.rules]]\n"
            'category = "registration"\nkeep = "permanent"\n'
            "[[retention.rules]]\n"
            'category = "chat"\nkeep = "1 year 6 months"\nmaximum = "3 years"\n'
            'action = "anonymize"\n'
            "[[retention.holds]]\n"
            'record_ids = ["r1"]\nreason = "case 7"\nsince = 2025-01-01T00:00:00+08:00\n'
            "released = 2025-03-01T00:00:00+08:00\n"
        )
        schedule = policy.retention
        assert schedule is not None
        assert {"network_log", "audit_log", "registration", "chat"} <= set(schedule.categories)
        assert schedule.rules_for("registration")[0].keep == PERMANENT
        assert schedule.rules_for("chat")[0].keep == Period(years=1, months=6)
        assert str(schedule.tz) == "Asia/Shanghai"
        assert policy.holds[0].released is not None

    def test_rbac_from_a_separate_file(self, tmp_path: Path) -> None:
        """[rbac] file = ... reads the RBAC policy from TOML or JSON."""
        (tmp_path / "rbac.json").write_text(
            json.dumps(
                {
                    "roles": {"viewer": {}},
                    "users": ["u"],
                    "grants": [{"role": "viewer", "resource": "r", "action": "read"}],
                    "assignments": [{"user": "u", "role": "viewer"}],
                }
            ),
            encoding="utf-8",
        )
        rbac = loads_policy('[rbac]\nfile = "rbac.json"\n', base_dir=tmp_path).rbac
        assert rbac is not None
        assert rbac.check("u", "r", "read")

    @pytest.mark.parametrize(
        "text", ["2025-01-01T00:00:00", "2025-01-01", "yesterday", "2025-1-1T0:0:0Z"]
    )
    def test_json_date_time_needs_an_offset(self, tmp_path: Path, text: str) -> None:
        """A date-time written as JSON text must be RFC 3339 with an offset."""
        document = {
            "roles": {"viewer": {}},
            "users": ["u"],
            "assignments": [{"user": "u", "role": "viewer", "since": text}],
        }
        (tmp_path / "rbac.json").write_text(json.dumps(document), encoding="utf-8")
        with pytest.raises(PolicyConfigError, match=r"assignments\[0\]\.since: must be an offset"):
            loads_policy('[rbac]\nfile = "rbac.json"\n', base_dir=tmp_path)

    def test_saved_rbac_state_with_reviewers_loads(self, tmp_path: Path) -> None:
        """A document the engine saved, with the reviewer of each review, loads as it was."""
        engine = RBAC()
        engine.add_role("viewer")
        engine.add_user("u")
        engine.add_user("auditor")
        engine.assign("u", "viewer")
        engine.mark_reviewed("u", "viewer", by="auditor")
        saved = engine.to_dict()
        assert saved["reviews"][0]["by"] == "auditor"
        (tmp_path / "rbac.json").write_text(json.dumps(saved), encoding="utf-8")
        rbac = loads_policy('[rbac]\nfile = "rbac.json"\n', base_dir=tmp_path).rbac
        assert rbac is not None
        assert rbac.to_dict()["reviews"] == saved["reviews"]


BROKEN = [
    ("[password]\nmin_length = 0\n", "<string>:2: password.min_length: must be >= 1"),
    (
        "[password]\nmin_lenght = 8\n",
        "<string>:2: password.min_lenght: unknown key (did you mean 'min_length'?)",
    ),
    (
        "[password]\nmin_length = 20\nmax_length = 10\n",
        "<string>:2: password.min_length: min_length (20) must not exceed max_length (10)",
    ),
    ('[password]\nprofile = "nist"\n', "<string>:2: password.profile: must be one of"),
    (
        '[password]\nmax_age = "90 parsecs"\n',
        '<string>:2: password.max_age: must be a duration such as "15 min"',
    ),
    (
        "[password]\nlockout = { max_failures = 3 }\n",
        "<string>:2: password.lockout.window: is required",
    ),
    (
        '[password]\nmin_length = "8"\n',
        "<string>:2: password.min_length: must be an integer, not a string",
    ),
    ("[passwords]\n", "<string>:1: passwords: unknown key (did you mean 'password'?)"),
    ("[password\n", "<string>:1: not valid TOML"),
    ("a = 1\na = 2\n", "<string>:2: not valid TOML"),
    (
        '[rbac.roles.a]\ninherits = ["b"]\n',
        "<string>:2: rbac.roles.a.inherits[0]: unknown role 'b'",
    ),
    (
        '[rbac]\nusers = ["u"]\n[rbac.roles.a]\n[[rbac.assignments]]\nuser = "v"\nrole = "a"\n',
        "<string>:5: rbac.assignments[0].user: unknown user 'v'",
    ),
    (
        '[pii.operators]\nCN_MOBILE = { op = "mask", keep_first = -1 }\n',
        "<string>:2: pii.operators.CN_MOBILE: invalid mask operator",
    ),
    ('[pii.operators]\nNOPE = "redact"\n', "<string>:2: pii.operators.NOPE: unknown entity"),
    (
        '[pii.operators]\nEMAIL = { op = "shred" }\n',
        "<string>:2: pii.operators.EMAIL: op must be one of",
    ),
    (
        '[pii.operators]\nEMAIL = { op = "pseudonymize", key_env = "SECPOLICY_TEST_UNSET" }\n',
        "<string>:2: pii.operators.EMAIL.key_env: environment variable SECPOLICY_TEST_UNSET",
    ),
    ('[pii]\nentities = ["PASSPORT"]\n', "<string>:2: pii.entities[0]: must be one of"),
    ('[pii.paths]\n"a..b" = "EMAIL"\n', "<string>:1: pii.paths: path 'a..b'"),
    (
        '[audit]\nsink = "file"\nkey_env = "K"\n',
        "<string>:1: audit.path: is required for the file sink",
    ),
    ('[audit]\nsink = "stdout"\n', "<string>:1: audit: give exactly one of key_file"),
    (
        '[audit]\nsink = "stdout"\nkey_env = "K"\nfsync = "sometimes"\n',
        '<string>:4: audit.fsync: must be "always"',
    ),
    (
        '[audit]\nsink = "stdout"\nkey_env = "K"\nevents = ["login"]\n',
        "<string>:4: audit.events[0]: not a catalogue action",
    ),
    (
        '[audit]\nsink = "stdout"\nkey_env = "K"\nmasking = "pii"\n',
        '<string>:4: audit.masking: "pii" needs a [pii] section',
    ),
    (
        '[audit]\nsink = "stdout"\nkey_env = "K"\nrotate_size = "lots"\n',
        "<string>:4: audit.rotate_size: must be a size",
    ),
    ('[retention]\nprofile = "gdpr"\n', "<string>:2: retention.profile: must be one of"),
    (
        '[retention]\nprofile = ["hipaa", "gdpr"]\n',
        "<string>:2: retention.profile[1]: must be one of",
    ),
    ('[retention]\ntz = "Mars/Olympus"\n', "<string>:2: retention.tz: unknown time zone"),
    (
        '[[retention.rules]]\ncategory = "x"\nkeep = "6 months"\nmaximum = "3 months"\n',
        "<string>:4: retention.rules[0].maximum: maximum (3 months) is shorter",
    ),
    (
        '[[retention.rules]]\ncategory = "x"\nkeep = "six months"\n',
        "<string>:3: retention.rules[0].keep: must be a period",
    ),
    (
        '[[retention.holds]]\ncategory = "x"\nreason = "r"\nsince = 2025-01-01\n',
        "<string>:4: retention.holds[0].since: must be an offset date-time",
    ),
    (
        '[[retention.holds]]\nreason = "r"\nsince = 2025-01-01T00:00:00Z\n',
        "<string>:1: retention.holds[0]: give exactly one of category and record_ids",
    ),
    (
        (
            '[[retention.rules]]\ncategory = "x"\nkeep = "6 months"\nmaximum = "1 year"\n'
            '[[retention.rules]]\ncategory = "x"\nkeep = "2 years"\n'
        ),
        "<string>:1: retention.rules: rule",
    ),
]


class TestErrors:
    @pytest.mark.parametrize(("text", "message"), BROKEN, ids=[m.split(": ")[1] for _, m in BROKEN])
    def test_broken_files_name_line_and_key(self, text: str, message: str) -> None:
        """Each broken file fails with its line, TOML path and reason."""
        with pytest.raises(PolicyConfigError) as info:
            loads_policy(text)
        assert str(info.value).startswith(message)
        assert info.value.source == "<string>"

    def test_file_errors_name_the_file(self, tmp_path: Path) -> None:
        """load_policy names the file on disk in its errors."""
        path = tmp_path / "secpolicy.toml"
        path.write_text("[service]\nname = 'x'\n\n[password]\nmin_length = -3\n", encoding="utf-8")
        with pytest.raises(PolicyConfigError) as info:
            load_policy(path)
        assert str(info.value) == f"{path}:5: password.min_length: must be >= 1"
        assert (info.value.line, info.value.field) == (5, "password.min_length")

    def test_missing_and_non_utf8_files(self, tmp_path: Path) -> None:
        """A missing file or non-UTF-8 bytes are configuration errors, not crashes."""
        with pytest.raises(PolicyConfigError, match="cannot read the file"):
            load_policy(tmp_path / "nope.toml")
        path = tmp_path / "latin1.toml"
        path.write_bytes(b"[service]\nname = '\xe9'\n")
        with pytest.raises(PolicyConfigError, match=r"latin1.toml:2: not UTF-8"):
            load_policy(path)

    def test_errors_in_the_rbac_file_name_that_file(self, tmp_path: Path) -> None:
        """An error inside the separate RBAC file gives that file and its line."""
        (tmp_path / "rbac.toml").write_text(
            '[roles.a]\n\n[[grants]]\nrole = "ghost"\nresource = "r"\naction = "x"\n',
            encoding="utf-8",
        )
        with pytest.raises(PolicyConfigError) as info:
            loads_policy('[rbac]\nfile = "rbac.toml"\n', base_dir=tmp_path)
        assert (
            str(info.value) == f"{tmp_path / 'rbac.toml'}:4: grants[0].role: unknown role 'ghost'"
        )

    def test_rbac_file_and_inline_policy_together(self, tmp_path: Path) -> None:
        """file = ... and inline keys together are ambiguous, so refused."""
        with pytest.raises(PolicyConfigError, match=r"rbac\.file: give either file"):
            loads_policy('[rbac]\nfile = "x.toml"\nusers = ["u"]\n', base_dir=tmp_path)

    def test_bad_json_rbac_file(self, tmp_path: Path) -> None:
        """A broken JSON RBAC file names its line."""
        (tmp_path / "rbac.json").write_text('{\n "roles": ,\n}', encoding="utf-8")
        with pytest.raises(PolicyConfigError, match=r"rbac.json:2: not valid JSON"):
            loads_policy('[rbac]\nfile = "rbac.json"\n', base_dir=tmp_path)

    def test_messages_never_repeat_secret_values(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A malformed key in the environment is named by variable, never printed."""
        monkeypatch.setenv("PSEUDONYM_KEY", "not-a-key-$$$")
        with pytest.raises(PolicyConfigError) as info:
            loads_policy(
                '[pii.operators]\nEMAIL = { op = "pseudonymize", key_env = "PSEUDONYM_KEY" }\n'
            )
        assert "not-a-key" not in str(info.value)


class TestUnits:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("15 min", timedelta(minutes=15)),
            ("1 h 30 min", timedelta(minutes=90)),
            ("90 days", timedelta(days=90)),
            ("2w", timedelta(weeks=2)),
            (45, timedelta(seconds=45)),
        ],
    )
    def test_durations(self, text: str | int, expected: timedelta) -> None:
        """Durations read with units or as seconds."""
        assert parse_duration(text, "x") == expected

    @pytest.mark.parametrize("text", ["", "15", "0 min", "-5 min", "5 parsecs", True, 0, 1.5])
    def test_bad_durations(self, text: object) -> None:
        """Anything else is refused with the key's path."""
        with pytest.raises(PolicyConfigError, match=r"^x: "):
            parse_duration(text, "x")

    def test_periods_and_sizes(self) -> None:
        """Periods use calendar units; sizes accept SI and binary units."""
        assert parse_period("1 year 6 months", "p") == Period(years=1, months=6)
        assert parse_period("Permanent", "p") == PERMANENT
        assert parse_period("60 d", "p") == Period(days=60)
        assert parse_size("100 MiB", "s") == 100 << 20
        assert parse_size("1 GB", "s") == 10**9
        assert parse_size(4096, "s") == 4096
        for bad in ("soon", "6 fortnights", 6):
            with pytest.raises(PolicyConfigError):
                parse_period(bad, "p")
        for bad_size in ("0 MiB", "10 parsecs", -1, "x"):
            with pytest.raises(PolicyConfigError):
                parse_size(bad_size, "s")


class TestWholeFileErrors:
    def test_every_error_is_reported(self) -> None:
        """All problems of a file come in one error, in file order, each with its line."""
        text = (
            "[password]\n"
            "min_lenght = 8\n"
            'profile = "nist"\n'
            "[audit]\n"
            'sink = "stdout"\n'
            'key_env = "K"\n'
            'events = ["auth.loign"]\n'
            "[retention]\n"
            'semantics = "days"\n'
        )
        with pytest.raises(PolicyFileError) as info:
            loads_policy(text)
        lines = str(info.value).splitlines()
        assert (
            lines[0] == "<string>:2: password.min_lenght: unknown key (did you mean 'min_length'?)"
        )
        assert lines[1].startswith("<string>:3: password.profile: must be one of")
        assert lines[2] == (
            "<string>:7: audit.events[0]: not a catalogue action (did you mean 'auth.login'?)"
        )
        assert lines[3].startswith("<string>:9: retention.semantics: must be one of day, instant")
        assert "did you mean 'day'?" in lines[3]
        assert [e.line for e in info.value.errors] == [2, 3, 7, 9]
        assert info.value.line == 2
        assert isinstance(info.value, PolicyConfigError)

    def test_one_error_reads_as_before(self) -> None:
        """A single problem is reported exactly as one PolicyConfigError would be."""
        with pytest.raises(PolicyFileError) as info:
            loads_policy("[password]\nmin_length = 0\n")
        assert str(info.value) == "<string>:2: password.min_length: must be >= 1"
        assert info.value.field == "password.min_length"

    def test_oversized_file_refused_without_reading_it(self, tmp_path: Path) -> None:
        """A file over the size cap is refused before it is parsed."""
        big = tmp_path / "secpolicy.toml"
        big.write_bytes(b"# padding\n" * (MAX_POLICY_BYTES // 10 + 1))
        with pytest.raises(PolicyConfigError, match="larger than 1024 KiB"):
            load_policy(big)
        with pytest.raises(PolicyConfigError, match="larger than"):
            loads_policy("#" * (MAX_POLICY_BYTES + 1))

    def test_schema_key_accepted(self) -> None:
        """A $schema key for editors is accepted; a non-string one is not."""
        policy = loads_policy(f'"$schema" = "{SCHEMA_ID}"\n[service]\nname = "x"\n')
        assert policy.name == "x"
        with pytest.raises(PolicyConfigError, match=r"\$schema: must be the schema's URL"):
            loads_policy('"$schema" = 3\n')
        assert json_schema()["$id"] == SCHEMA_ID
        assert SCHEMA_ID.endswith("/secpolicy.schema.json")
        assert "/_static/" not in SCHEMA_ID  # published at the site's root (html_extra_path)

    @pytest.mark.parametrize(
        ("events", "ok"),
        [
            (["auth.login", "privilege.use"], True),
            (["refund.approve", "billing.invoice_sent"], True),
            (["auth.loign"], False),
            (["privilege.grnt"], False),
            (["Login"], False),
            (["refund"], False),
        ],
    )
    def test_audit_events_against_the_catalogue(self, events: list[str], ok: bool) -> None:
        """Names in the catalogue's namespaces must be catalogue actions; others are custom."""
        text = f'[audit]\nsink = "stdout"\nkey_env = "K"\nevents = {json.dumps(events)}\n'
        if ok:
            assert loads_policy(text).audit is not None
        else:
            with pytest.raises(PolicyConfigError, match="not a catalogue action"):
                loads_policy(text)


class TestRetentionCalendar:
    def test_inline_years(self) -> None:
        """[retention.calendar.years."2027"] extends the Chinese calendar."""
        policy = loads_policy(
            "[retention]\n"
            'tz = "Asia/Shanghai"\n'
            '[retention.calendar.years."2027"]\n'
            'holidays = ["2027-01-01", "2027-02-05/2027-02-11"]\n'
            'workdays = ["2027-02-14"]\n'
            'source = "the 2027 notice"\n'
        )
        assert policy.calendar is not None
        assert policy.calendar.is_workday(datetime(2027, 2, 14).date())  # noqa: DTZ001
        assert policy.calendar.covered.stop - 1 == 2027

    def test_schedule_file(self, tmp_path: Path) -> None:
        """extra names a file beside the policy; its errors name that file and entry."""
        (tmp_path / "cn-2027.toml").write_text(
            '["2027"]\nholidays = ["2027-01-01"]\n', encoding="utf-8"
        )
        policy_file = tmp_path / "secpolicy.toml"
        policy_file.write_text('[retention.calendar]\nextra = "cn-2027.toml"\n', encoding="utf-8")
        assert load_policy(policy_file).calendar is not None
        (tmp_path / "cn-2027.toml").write_text(
            '["2027"]\nholidays = ["2026-12-31"]\n', encoding="utf-8"
        )
        with pytest.raises(PolicyConfigError) as info:
            load_policy(policy_file)
        assert str(info.value) == (
            f"{tmp_path / 'cn-2027.toml'}:2: 2027.holidays[0]: 2026-12-31 is not in 2027"
        )

    def test_every_schedule_problem_with_file_and_line(self, tmp_path: Path) -> None:
        """Each problem of a schedule file is reported, each with the file and its line."""
        schedule = tmp_path / "cn-2027.toml"
        schedule.write_text(
            '["2027"]\nholidays = [\n  "2027-01-01",\n  "2026-02-05",\n  "2027-13-01",\n]\n'
            'workdays = ["2027-02-15"]\nbogus = 1\n\n["2028"]\nholidays = ["2029-01-01"]\n',
            encoding="utf-8",
        )
        policy_file = tmp_path / "secpolicy.toml"
        policy_file.write_text('[retention.calendar]\nextra = "cn-2027.toml"\n', encoding="utf-8")
        with pytest.raises(PolicyConfigError) as info:
            load_policy(policy_file)
        assert str(info.value).splitlines() == [
            f"{schedule}:4: 2027.holidays[1]: 2026-02-05 is not in 2027",
            (
                f"{schedule}:5: 2027.holidays[2]: must be an ISO 8601 date (2027-10-01) or "
                "interval (2027-10-01/2027-10-07)"
            ),
            (
                f"{schedule}:7: 2027.workdays[0]: 2027-02-15 is a weekday; adjusted working days "
                "are weekend days"
            ),
            f"{schedule}:8: 2027.bogus: unknown key; expected holidays, workdays, source",
            f"{schedule}:11: 2028.holidays[0]: 2029-01-01 is not in 2028",
        ]

    def test_every_inline_year_problem_with_its_line(self) -> None:
        """Inline years report every problem at its line of the policy file."""
        text = (
            '[retention.calendar.years."2027"]\nholidays = ["2026-01-01", "2027-01-01"]\n'
            'workdays = ["2027-02-15", "2027-01-01"]\n'
        )
        with pytest.raises(PolicyConfigError) as info:
            loads_policy(text)
        lines = str(info.value).splitlines()
        assert len(lines) == 4
        assert lines[0] == (
            "<string>:2: retention.calendar.years.2027.holidays[0]: 2026-01-01 is not in 2027"
        )
        assert all(line.startswith("<string>:3: ") for line in lines[1:])

    @pytest.mark.parametrize(
        ("table", "message"),
        [
            (
                (
                    '[retention.calendar.years."2027"]\nholidays = ["2027-01-04"]\n'
                    'workdays = ["2027-01-05"]\n'
                ),
                "retention.calendar.years.2027.workdays[0]: 2027-01-05 is a weekday",
            ),
            (
                '[retention.calendar.years."2029"]\nholidays = ["2029-01-01"]\n',
                "retention.calendar: the covered years would have a gap",
            ),
            ('[retention.calendar]\nsubdiv = "BJ"\n', "retention.calendar.subdiv: is not used"),
            ('[retention.calendar]\ncountry = "DE"\n', "need first_year and last_year"),
            (
                '[retention.calendar]\ncountry = "QQ"\nfirst_year = 2026\nlast_year = 2027\n',
                "retention.calendar.country: the holidays package does not know 'QQ'",
            ),
            (
                (
                    '[retention.calendar]\nextra = "x.toml"\n'
                    '[retention.calendar.years."2027"]\nholidays = ["2027-01-01"]\n'
                ),
                "give extra or years, not both",
            ),
        ],
    )
    def test_calendar_errors(self, table: str, message: str) -> None:
        """Calendar mistakes are named at their key."""
        with pytest.raises(PolicyConfigError, match=re.escape(message)):
            loads_policy(table)

    def test_other_country(self) -> None:
        """Another country's calendar comes from the holidays package for the stated years."""
        policy = loads_policy(
            '[retention]\ntz = "Europe/Berlin"\n[retention.calendar]\ncountry = "DE"\n'
            'subdiv = "BY"\nfirst_year = 2026\nlast_year = 2027\n'
        )
        assert policy.calendar is not None
        assert not policy.calendar.is_workday(datetime(2026, 1, 6).date())  # noqa: DTZ001
        assert str(policy.calendar.tz) == "Europe/Berlin"

    def test_categories_and_unknown(self) -> None:
        """categories and on_unknown_category reach the schedule."""
        policy = loads_policy(
            "[retention]\n"
            'categories = ["invoice"]\n'
            "[[retention.rules]]\n"
            'category = "*"\n'
            'keep = "1 year"\n'
            "[[retention.rules]]\n"
            'category = "user_log"\n'
            'keep = "1 year"\n'
        )
        assert policy.retention is not None
        assert policy.retention.knows("invoice")
        with pytest.raises(PolicyConfigError, match="unknown category"):
            policy.retention.evaluate("user_lgo", created=NOW, now=NOW)
        lax = loads_policy('[retention]\non_unknown_category = "default"\n')
        assert lax.retention is not None
        assert lax.retention.on_unknown_category == "default"


class TestRBACHook:
    def test_loader_attaches_the_event_hook(self) -> None:
        """on_event reaches the RBAC engine the loader builds: changes through it are reported."""
        events: list[object] = []
        policy = loads_policy(
            '[rbac]\n[rbac.roles.viewer]\n[rbac.roles.teller]\ninherits = ["viewer"]\n',
            on_event=events.append,
        )
        assert policy.rbac is not None
        policy.rbac.add_user("li.wei", by="admin")
        policy.rbac.assign("li.wei", "teller", by="admin")
        assert len(events) >= 2


class TestOperatorTemplates:
    @pytest.mark.parametrize(
        "template", ["{value}", "{entity:>999999999}", "{0}", "{entity!r}", "{", "{entity.real}"]
    )
    def test_template_naming_what_the_operator_does_not_fill_fails_at_load(
        self, template: str
    ) -> None:
        """A template the operator cannot fill is a load error with its line, not a crash later."""
        text = f'[pii]\n[pii.operators]\nEMAIL = {{ op = "replace", template = "{template}" }}\n'
        with pytest.raises(PolicyConfigError, match=r":3: pii\.operators\.EMAIL: .*template"):
            loads_policy(text)

    def test_plain_templates_still_load(self) -> None:
        """{entity} and doubled braces are fine."""
        policy = loads_policy(
            '[pii]\n[pii.operators]\nEMAIL = { op = "replace", template = "{{{entity}}}" }\n'
        )
        assert policy.pii.mask_text("a@example.com") == "{EMAIL}"  # type: ignore[union-attr]


class TestClosest:
    def test_reordered_characters_are_nearest(self) -> None:
        """'=>' is '>=' typed backwards; a case change is the same name."""
        from secpolicy.policyfile._spec import closest

        assert closest("=>", [">=", "<=", ">", "<"]) == ">="
        assert closest("STDOUT", ["file", "stdout"]) == "stdout"
        assert closest("zzz", ["file", "stdout"]) is None


class TestFileProblemsError:
    """The shared error of a file with several problems, and the loader's use of it."""

    def _problems(self) -> list[PolicyConfigError]:
        return [
            PolicyConfigError("must be >= 8", path="password.min_length", source="p.toml", line=7),
            PolicyConfigError("no line known", path="rbac", source="p.toml"),
            PolicyConfigError("unknown key", path="pii.entites", source="p.toml", line=2),
        ]

    def test_orders_by_line_and_exposes_the_first(self) -> None:
        """Problems sorted by line (lineless last); the PolicyConfigError fields are the first's."""
        error = FileProblemsError(self._problems())
        assert [e.line for e in error.errors] == [2, 7, None]
        assert (error.source, error.line, error.path, error.reason) == (
            "p.toml",
            2,
            "pii.entites",
            "unknown key",
        )
        assert str(error).splitlines() == [
            "p.toml:2: pii.entites: unknown key",
            "p.toml:7: password.min_length: must be >= 8",
            "p.toml: rbac: no line known",
        ]
        assert error.args == (str(error),)
        assert isinstance(error, PolicyConfigError)
        assert isinstance(error, ValueError)

    def test_needs_a_problem(self) -> None:
        """An empty list of problems is a usage mistake, not an empty error."""
        with pytest.raises(InvalidArgumentError, match=r"errors: .* at least one"):
            FileProblemsError([])

    def test_pickles_with_its_problems(self) -> None:
        """A pickled error (a worker process's) comes back with every problem."""
        error = PolicyFileError(self._problems())
        copy = pickle.loads(pickle.dumps(error))  # noqa: S301 (our own object)
        assert type(copy) is PolicyFileError
        assert str(copy) == str(error)
        assert len(copy.errors) == 3

    def test_policy_file_error_derives_from_it(self, tmp_path: Path) -> None:
        """The loader's PolicyFileError is a FileProblemsError with the same message."""
        path = tmp_path / "secpolicy.toml"
        path.write_text("[password]\nmin_length = 0\nmax_lenght = 64\n", encoding="utf-8")
        with pytest.raises(FileProblemsError) as info:
            load_policy(path)
        assert isinstance(info.value, PolicyFileError)
        lines = str(info.value).splitlines()
        assert len(lines) == len(info.value.errors) == 2
        assert lines[0].startswith(f"{path}:2: password.min_length")
        assert lines[1].startswith(f"{path}:3: password.max_lenght")
