"""The ``[password]`` section: a profile and the fields that override it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.exceptions import PolicyConfigError
from secpolicy.password import COMMON_PASSWORDS, Blocklist, LockoutPolicy, PasswordPolicy, profiles
from secpolicy.policyfile._spec import Key

if TYPE_CHECKING:
    from collections.abc import Mapping

#: Password profiles by the name a policy file uses.
PROFILES: Final[dict[str, PasswordPolicy]] = {
    policy.name: policy for policy in (getattr(profiles, name) for name in profiles.__all__)
}

_OFF = "; false turns it off"

LOCKOUT_KEYS: Final = (
    Key(name="max_failures", kind="int", minimum=1, required=True, help="failures that lock"),
    Key(name="window", kind="duration", required=True, help="how far back failures count"),
    Key(name="duration", kind="duration", required=True, help="how long the lock lasts"),
    Key(name="backoff", kind="duration", help="delay after each failure, doubling"),
    Key(name="max_backoff", kind="duration", help="the longest such delay"),
)

KEYS: Final = (
    Key(
        name="profile",
        kind="str",
        choices=tuple(sorted(PROFILES)),
        help="the profile the other keys amend (default: secpolicy's defaults)",
    ),
    Key(name="min_length", kind="int", minimum=1, help="minimum length in code points"),
    Key(name="max_length", kind="int", minimum=1, help="maximum length in code points"),
    Key(name="required_classes", kind="int", minimum=0, help="of lower, upper, digit, symbol"),
    Key(name="letters_and_digits", kind="bool", help="require a letter and a digit (PCI)"),
    Key(name="blocklist", kind="bool", help="refuse the bundled common passwords"),
    Key(
        name="blocklist_files",
        kind="strings",
        help="more blocklists, one password per line, relative to this file",
    ),
    Key(name="context_words", kind="strings", help="service words a password may not contain"),
    Key(name="user_attribute_similarity", kind="bool", help="refuse the user's own data"),
    Key(name="max_repeated", kind="int", minimum=1, help="longest run of one character"),
    Key(name="min_score", kind="int", minimum=0, help="minimum strength score, 0-4"),
    Key(name="forbid_sequences", kind="bool", help="refuse sequences and keyboard walks"),
    Key(name="forbid_dates", kind="bool", help="refuse dates"),
    Key(name="forbid_phone_numbers", kind="bool", help="refuse mobile numbers"),
    Key(name="check_breached", kind="bool", help="refuse passwords found in breaches"),
    Key(name="breach_threshold", kind="int", minimum=1, help="occurrences that count"),
    Key(name="breach_fail_closed", kind="bool", help="refuse when no breach answer can be had"),
    Key(name="history_size", kind="int", minimum=0, help="refuse the last N passwords"),
    Key(
        name="max_age", nullable=True, kind="duration", help="force a change after this long" + _OFF
    ),
    Key(name="expiry_warning", kind="duration", help="warn this long before expiry"),
    Key(name="change_at_first_use", kind="bool", help="the first password must be changed"),
    Key(
        name="lockout",
        nullable=True,
        kind="table",
        keys=LOCKOUT_KEYS,
        help="failed-login lockout" + _OFF,
    ),
    Key(name="idle_timeout", nullable=True, kind="duration", help="log out idle sessions" + _OFF),
    Key(name="mfa_required", kind="bool", help="a second factor is required"),
)


def build(values: Mapping[str, Any], base_dir: Path) -> PasswordPolicy:
    """The policy of a checked ``[password]`` table; files are found relative to *base_dir*."""
    base = PROFILES[values["profile"]] if "profile" in values else PasswordPolicy()
    changes: dict[str, Any] = {
        name: value for name, value in values.items() if name not in {"profile", "blocklist_files"}
    }
    if isinstance(changes.get("lockout"), dict):
        try:
            changes["lockout"] = LockoutPolicy(**changes["lockout"])
        except PolicyConfigError as exc:
            raise PolicyConfigError(exc.reason, field=f"password.lockout.{exc.field}") from None
    blocklist: Blocklist | None = base.blocklist
    if "blocklist" in values:
        blocklist = COMMON_PASSWORDS if values["blocklist"] else None
    for i, name in enumerate(values.get("blocklist_files", ())):
        path = base_dir / name
        try:
            extra = Blocklist.from_file(path, name=Path(name).name)
        except PolicyConfigError as exc:
            raise PolicyConfigError(exc.reason, field=f"password.blocklist_files[{i}]") from None
        blocklist = extra if blocklist is None else blocklist | extra
    if changes and base.name:
        changes["name"] = f"{base.name} (amended)"
    changes["blocklist"] = blocklist
    try:
        return attrs.evolve(base, **changes)
    except PolicyConfigError as exc:
        raise PolicyConfigError(exc.reason, field=f"password.{exc.field}") from None
