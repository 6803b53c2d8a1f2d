"""Pin the public surface: every public package's ``__all__`` is exactly what it defines."""

from __future__ import annotations

import ast
import importlib
import inspect
import types

import pytest

#: Every public module and the names it promises. A change here is a change to
#: the contract in DESIGN.md and needs a CHANGELOG line.
EXPECTED: dict[str, set[str]] = {
    "secpolicy": {"Clock", "FrozenClock", "SecPolicyError", "SystemClock", "__version__"},
    "secpolicy.exceptions": {
        "AccessDenied",
        "ArgumentTypeError",
        "AuditWriteError",
        "CalendarCoverageError",
        "ConstraintViolation",
        "DecryptionError",
        "FileProblemsError",
        "InvalidArgumentError",
        "InvalidIdentifierError",
        "KeysetError",
        "LegalHoldError",
        "NaiveDatetimeError",
        "PasswordPolicyError",
        "PolicyConfigError",
        "SecPolicyError",
    },
    "secpolicy.crypto": {
        "AES_256_GCM",
        "AES_SIV",
        "HMAC_SHA256",
        "HMAC_SM3",
        "SM4_GCM",
        "AesGcmKeyWrapper",
        "Algorithm",
        "BlindIndex",
        "DecryptionError",
        "DeterministicEncryptor",
        "EnvKeyProvider",
        "FieldEncryptor",
        "FileEncryptor",
        "FileKeyProvider",
        "Key",
        "KeyProvider",
        "KeyState",
        "KeyWrapper",
        "Keyset",
        "KeysetError",
        "PassphraseWrapper",
    },
    "secpolicy.password": {
        "ASVS_MINIMUM",
        "CHEAPEST",
        "COMMON_PASSWORDS",
        "FEEDBACK",
        "MAX_PASSWORD_LENGTH",
        "MESSAGES",
        "REFERENCE_YEAR",
        "RFC_9106_HIGH_MEMORY",
        "RFC_9106_LOW_MEMORY",
        "AsyncBreachChecker",
        "AsyncLoginThrottle",
        "AsyncMemoryThrottleStore",
        "AsyncOnlineBreachChecker",
        "AsyncThrottleStore",
        "Blocklist",
        "BreachChecker",
        "Locale",
        "LockStatus",
        "LockoutPolicy",
        "LoginThrottle",
        "MemoryThrottleStore",
        "OfflineBreachChecker",
        "OnlineBreachChecker",
        "PasswordCheck",
        "PasswordContext",
        "PasswordHasher",
        "PasswordPolicy",
        "PasswordPolicyError",
        "Pattern",
        "SessionCheck",
        "SessionPolicy",
        "SessionReason",
        "SessionState",
        "Strength",
        "ThrottleState",
        "ThrottleStore",
        "Verifier",
        "Violation",
        "ViolationCode",
        "estimate",
        "normalise_for_blocklist",
        "profiles",
        "sha1_hex",
        "urllib_transport",
    },
    "secpolicy.password.profiles": {
        "CN_MLPS_L3",
        "NIST_800_63B",
        "NIST_800_63B_MFA",
        "OWASP_ASVS_5",
        "PCI_DSS_4",
    },
    "secpolicy.pii": {
        "ADDRESS",
        "BANK_ACCOUNT",
        "BIRTH_DATE",
        "CN_HK_MACAU_PERMIT",
        "CN_MOBILE",
        "CN_PASSPORT",
        "CN_RESIDENT_ID",
        "CN_TAIWAN_PERMIT",
        "CN_USCC",
        "COMPOUND_SURNAMES",
        "CONTEXT_WORDS",
        "DEFAULT_PHONE_REGIONS",
        "DETECTABLE",
        "EMAIL",
        "FIELD_ONLY",
        "IBAN",
        "IP_ADDRESS",
        "KEY_FIELDS",
        "PAYMENT_CARD",
        "PERSON_NAME",
        "PHONE",
        "SECRET",
        "US_SSN",
        "CustomerIssue",
        "Encrypt",
        "EntityName",
        "Finding",
        "InvalidIdentifierError",
        "Keep",
        "Mask",
        "MaskEmail",
        "MaskName",
        "Masker",
        "MaskerConfig",
        "MaskingFilter",
        "Operator",
        "Pseudonymize",
        "Recognizer",
        "Redact",
        "Replace",
        "ResidentId",
        "Scanner",
        "SharedContact",
        "check_customer_record",
        "check_identity",
        "find_shared_contacts",
        "is_cn_hk_macau_permit",
        "is_cn_mobile",
        "is_cn_passport",
        "is_cn_resident_id",
        "is_cn_taiwan_permit",
        "is_cn_uscc",
        "is_email",
        "is_iban",
        "is_ip_address",
        "is_payment_card",
        "is_phone",
        "is_us_ssn",
        "is_valid",
        "mask_processor",
        "parse_cn_resident_id",
        "presets",
        "to_e164",
    },
    "secpolicy.pii.presets": {"CN_DISPLAY", "PCI_DISPLAY"},
    "secpolicy.rbac": {
        "RBAC",
        "AccessDenied",
        "AdminKind",
        "AdminRights",
        "ConstraintViolation",
        "Decision",
        "Effect",
        "EventKind",
        "GrantRequest",
        "InvalidNameError",
        "MemoryPolicyStore",
        "PendingRequest",
        "PolicyStore",
        "PrivilegedGrant",
        "RBACEvent",
        "ResourceFilter",
        "ResourcePattern",
        "ReviewEntry",
        "ReviewReport",
        "Rule",
        "Session",
        "StoreConflict",
    },
    "secpolicy.audit": {
        "ACTIONS",
        "DEFAULT_MASKER",
        "OCSF_VERSION",
        "OUTCOMES",
        "ActionSpec",
        "Actor",
        "Anchor",
        "AnchorMismatch",
        "AnchorStore",
        "AuditEvent",
        "AuditLogger",
        "AuditWriteError",
        "Checkpoint",
        "CheckpointError",
        "ConsistencyProof",
        "Endpoint",
        "FileAnchorStore",
        "FileSink",
        "FileSummary",
        "Fsync",
        "InclusionProof",
        "LogTree",
        "LoggingSink",
        "MaskPII",
        "MemoryAnchorStore",
        "OcsfVersion",
        "Outcome",
        "Problem",
        "ProofUnavailable",
        "ShapeEvent",
        "SigningKey",
        "Sink",
        "StreamSink",
        "Verifier",
        "VerifyKey",
        "VerifyReport",
        "WriterForked",
        "action_spec",
        "capture",
        "cosign",
        "generate_signing_key",
        "key_id",
        "load_hmac_key",
        "load_key_file",
        "read_records",
        "render_record",
        "rotated_files",
        "to_ocsf",
        "verify",
        "verify_checkpoint",
        "verify_consistency_proof",
        "verify_inclusion_proof",
    },
    "secpolicy.retention": {
        "ANY_CATEGORY",
        "PERMANENT",
        "Action",
        "BadRecordsError",
        "CalendarCoverageError",
        "LegalHold",
        "LegalHoldError",
        "Period",
        "RetentionDecision",
        "RetentionRecord",
        "RetentionRule",
        "RetentionSchedule",
        "ScheduleChange",
        "ScheduleFileError",
        "ScheduleLockedError",
        "Semantics",
        "UnknownCategories",
        "UnknownCategoryError",
        "WorkdayCalendar",
        "evaluate_jsonl",
        "profiles",
    },
    "secpolicy.retention.profiles": {
        "CN_CYBERSECURITY_LAW",
        "CN_INTERACTIVE_SERVICE",
        "CN_INTERNET_CAFE",
        "HIPAA",
        "PCI_DSS_4",
        "SEC_17A_4",
    },
    "secpolicy.cli": {"EXIT_FAILURE", "EXIT_OK", "EXIT_USAGE", "main"},
    "secpolicy.policyfile": {
        "MAX_POLICY_BYTES",
        "SCHEMA_ID",
        "AuditSettings",
        "PolicyConfigError",
        "PolicyFileError",
        "ServicePolicy",
        "json_schema",
        "load_policy",
        "loads_policy",
        "parse_duration",
        "parse_period",
        "parse_size",
        "Waiver",
    },
    "secpolicy.baselines": {
        "BASELINES",
        "ENTRY_POINT_GROUP",
        "Baseline",
        "BaselineRegistry",
        "ChangelogEntry",
        "CheckReport",
        "Requirement",
        "Result",
        "Status",
        "UnknownBaselineError",
        "Verdict",
        "available_baselines",
        "check_policy",
        "discover_baselines",
        "get_baseline",
        "invalid_report",
        "load_baseline_file",
        "loads_baseline",
        "render_reports",
    },
    "secpolicy.integrations": {"ClientAddress", "TrustedProxies", "correlation_id"},
    "secpolicy.integrations.django": {
        "DEFAULT_LOCKOUT",
        "CorrelationIdMiddleware",
        "LockoutBackend",
        "LockoutKey",
        "PasswordPolicyValidator",
        "RBACBackend",
        "SettingsError",
        "client_address",
        "get_throttle",
        "locale_for",
        "lockout_keys",
        "lockout_status",
        "permission_target",
        "request_correlation_id",
        "reset_settings",
    },
    "secpolicy.integrations.starlette": {
        "DENIAL_STATUSES",
        "AuditMiddleware",
        "RequestContext",
        "Require",
        "default_user_id",
        "request_context",
    },
    "secpolicy.integrations.sqlalchemy": {
        "BlindIndex",
        "Deterministic",
        "Encrypted",
        "ReencryptReport",
        "keep_index",
        "lookup",
        "reencrypt_table",
        "row_context",
    },
    "secpolicy.integrations.arrow": {
        "DECISION_SCHEMA",
        "FINDING_SCHEMA",
        "evaluate_retention",
        "evaluate_retention_batches",
        "mask_batches",
        "mask_dataset",
        "mask_table",
        "pseudonymize_columns",
        "scan_batches",
        "scan_table",
    },
    "secpolicy.integrations.spark": {
        "KeyMaterialError",
        "evaluate_retention",
        "mask_columns",
        "pseudonymize_columns",
        "scan_table",
    },
    "secpolicy.stores": {"HoldStateError", "StoreError", "StoreSchemaError"},
    "secpolicy.stores.redis": {"AsyncRedisThrottleStore", "RedisThrottleStore"},
    "secpolicy.stores.sql": {
        "COMPONENTS",
        "HoldEvent",
        "PolicyFollower",
        "SQLAnchorStore",
        "SQLHoldStore",
        "SQLPolicyStore",
        "SQLThrottleStore",
        "StoredHold",
        "create_anchor_writer_role",
        "migrate",
        "schema_version",
    },
    "secpolicy.testing": {
        "assert_access_denied",
        "assert_audited",
        "assert_no_pii",
        "assert_password_rejected",
    },
}


#: Module-level names that are public by spelling but are implementation details.
NOT_API = {"TYPE_CHECKING", "AREAS"}


def _defined_public_names(module: types.ModuleType) -> set[str]:
    """Names without an underscore that *module*'s own source defines or re-exports.

    Counted: top-level functions, classes and assignments, and names imported
    from the module's own private submodules (``from pkg._impl import X``).
    Names imported from elsewhere (``Any``, another area) are not part of its
    surface.
    """
    tree = ast.parse(inspect.getsource(module))
    private_prefix = module.__name__ + "._"
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(private_prefix):
            names.update(alias.asname or alias.name for alias in node.names)
    return {n for n in names if not n.startswith("_")} - NOT_API


def _isort_key(name: str) -> tuple[int, str]:
    """The order ruff's RUF022 keeps: constants, then classes, then the rest."""
    if name.isupper() and len(name) > 1:
        return (0, name)
    if name[:1].isupper():
        return (1, name)
    return (2, name)


@pytest.mark.parametrize("module_name", sorted(EXPECTED))
class TestExportedMembers:
    def test_all_matches_contract(self, module_name: str) -> None:
        """__all__ lists exactly the promised names."""
        module = importlib.import_module(module_name)
        assert set(module.__all__) == EXPECTED[module_name]

    def test_all_is_sorted_and_unique(self, module_name: str) -> None:
        """__all__ is sorted isort-style (CONSTANTS, Classes, functions), without duplicates."""
        exported = importlib.import_module(module_name).__all__
        assert list(exported) == sorted(set(exported), key=_isort_key)

    def test_every_exported_name_exists(self, module_name: str) -> None:
        """Every name in __all__ is importable from the module."""
        module = importlib.import_module(module_name)
        for name in module.__all__:
            assert hasattr(module, name), name

    def test_no_unlisted_public_names(self, module_name: str) -> None:
        """Nothing public is defined that __all__ forgets."""
        module = importlib.import_module(module_name)
        assert _defined_public_names(module) <= set(module.__all__)

    def test_public_names_have_docstrings(self, module_name: str) -> None:
        """Every exported class and function is documented."""
        module = importlib.import_module(module_name)
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isclass(value) or inspect.isfunction(value):
                assert inspect.getdoc(value), f"{module_name}.{name} has no docstring"
