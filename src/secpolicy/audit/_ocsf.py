"""The catalogue of audited actions and their mapping to OCSF.

Each catalogue entry names the rule that asks for the event and the OCSF
class and activity a SIEM expects for it. :func:`to_ocsf` writes OCSF 1.9.0
by default: Event Log Activity 1008, Authentication 3002, Authorize Session
3003, Entity Management 3004, Group Management 3006, User Management 3007,
API Activity 6003, File Hosting Activity 6006; ``type_uid`` is
``class_uid * 100 + activity_id``. OCSF 1.9.0 deprecates Account Change
(3001) and User Access Management (3005) in favour of User Management (3007)
(ocsf-schema changelog, v1.9.0, "Deprecated", #1603), so registrations,
account updates and privilege grants and revocations are User Management
events; ``ocsf_version="1.8.0"`` writes them in the 1.8.0 classes for
SIEMs that do not know 3007 yet.

Each event carries what its class requires (``user`` for User Management,
Account Change, Authentication, Authorize Session and User Access
Management; ``api``, ``actor`` and ``src_endpoint`` for API Activity;
``file`` for File Hosting; ``group``; ``entity``; ``privileges``; a
``log_*`` name for Event Log Activity). What the tests validate against
which schema is listed in ``docs/audit.md`` (OCSF export).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final, Literal

import attrs

from secpolicy.audit._event import check_action, parse_time
from secpolicy.exceptions import InvalidArgumentError

__all__ = ["ACTIONS", "OCSF_VERSION", "ActionSpec", "OcsfVersion", "action_spec", "to_ocsf"]

#: The OCSF schema version of :func:`to_ocsf`'s output (by default).
OCSF_VERSION: Final = "1.9.0"
#: The versions :func:`to_ocsf` can write.
OcsfVersion = Literal["1.9.0", "1.8.0"]

_CATEGORIES: Final = {
    1: "System Activity",
    3: "Identity & Access Management",
    6: "Application Activity",
}
_CLASSES: Final = {
    1008: "Event Log Activity",
    3001: "Account Change",
    3002: "Authentication",
    3003: "Authorize Session",
    3004: "Entity Management",
    3005: "User Access Management",
    3006: "Group Management",
    3007: "User Management",
    6003: "API Activity",
    6006: "File Hosting Activity",
}
_RULEBOOK: Final = "interactive-service audit rules"
_ACCOUNT_CHANGE: Final = 3001
_AUTHENTICATION: Final = 3002
_AUTHORIZE_SESSION: Final = 3003
_ENTITY_MANAGEMENT: Final = 3004
_USER_ACCESS: Final = 3005
_GROUP_MANAGEMENT: Final = 3006
_USER_MANAGEMENT: Final = 3007
_API_ACTIVITY: Final = 6003
_FILE_HOSTING: Final = 6006
_EVENT_LOG: Final = 1008


def _product_version() -> str:
    from importlib.metadata import PackageNotFoundError, version  # noqa: PLC0415 (rarely needed)

    try:
        return version("secpolicy")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0+unknown"


@attrs.frozen
class ActionSpec:
    """One audited action and how it maps to OCSF.

    Attributes:
        action: The dotted action name written to the log.
        class_uid: The OCSF event class.
        activity_id: The OCSF activity within the class (99 is "Other").
        activity_name: The OCSF activity's name.
        severity_id: The OCSF severity of a successful event (1 Informational,
            2 Low, 3 Medium); failures and denials are raised by one step.
        requires: The fields the rules ask every such record to carry.
        citation: Which rule asks for the event.
    """

    action: str
    class_uid: int
    activity_id: int
    activity_name: str
    severity_id: int = 1
    requires: tuple[str, ...] = ()
    citation: str = ""

    @property
    def category_uid(self) -> int:
        """The OCSF category, which is the class id's thousands digit."""
        return self.class_uid // 1000

    @property
    def type_uid(self) -> int:
        """``class_uid * 100 + activity_id``."""
        return self.class_uid * 100 + self.activity_id


_ADDR: Final = ("user_id", "ip", "port")

#: The catalogue: every action the :class:`~secpolicy.audit.AuditLogger` has a
#: method for, keyed by action name.
ACTIONS: Final[Mapping[str, ActionSpec]] = {
    spec.action: spec
    for spec in (
        ActionSpec(
            "account.register",
            3007,
            1,
            "Create",
            requires=_ADDR,
            citation=f"{_RULEBOOK}: registration (user id, name, identity document, "
            "time, IP and port, e-mail, mobile)",
        ),
        ActionSpec(
            "account.update",
            3007,
            2,
            "Update",
            requires=(*_ADDR, "changed"),
            citation=f"{_RULEBOOK}: registration data changes, with change history",
        ),
        ActionSpec(
            "auth.login",
            3002,
            1,
            "Logon",
            requires=_ADDR,
            citation=f"{_RULEBOOK}: login (time, IP, port); PCI DSS 10.2.1.4 invalid access",
        ),
        ActionSpec(
            "auth.logout",
            3002,
            2,
            "Logoff",
            requires=_ADDR,
            citation=f"{_RULEBOOK}: logout (time, IP, port)",
        ),
        ActionSpec(
            "content.publish",
            6003,
            1,
            "Create",
            requires=(*_ADDR, "message_id", "title"),
            citation=f"{_RULEBOOK}: publishing (message id, time, IP, port, title)",
        ),
        ActionSpec(
            "content.edit",
            6003,
            3,
            "Update",
            requires=(*_ADDR, "message_id"),
            citation=f"{_RULEBOOK}: behaviour (edit posts)",
        ),
        ActionSpec(
            "content.delete",
            6003,
            4,
            "Delete",
            requires=(*_ADDR, "message_id"),
            citation=f"{_RULEBOOK}: behaviour (delete posts)",
        ),
        ActionSpec(
            "group.create",
            3006,
            6,
            "Create",
            requires=(*_ADDR, "group_id"),
            citation=f"{_RULEBOOK}: group creation",
        ),
        ActionSpec(
            "group.delete",
            3006,
            5,
            "Delete",
            requires=(*_ADDR, "group_id"),
            citation=f"{_RULEBOOK}: group deletion",
        ),
        ActionSpec(
            "group.join",
            3006,
            3,
            "Add User",
            requires=(*_ADDR, "group_id"),
            citation=f"{_RULEBOOK}: behaviour (join groups)",
        ),
        ActionSpec(
            "group.leave",
            3006,
            4,
            "Remove User",
            requires=(*_ADDR, "group_id"),
            citation=f"{_RULEBOOK}: behaviour (leave groups)",
        ),
        ActionSpec(
            "file.upload",
            6006,
            1,
            "Upload",
            requires=(*_ADDR, "file_id"),
            citation=f"{_RULEBOOK}: behaviour (upload files)",
        ),
        ActionSpec(
            "file.download",
            6006,
            2,
            "Download",
            requires=(*_ADDR, "file_id"),
            citation=f"{_RULEBOOK}: behaviour (download files)",
        ),
        ActionSpec(
            "url.map",
            6003,
            1,
            "Create",
            requires=(*_ADDR, "short_url", "long_url"),
            citation=f"{_RULEBOOK}: short-URL mappings",
        ),
        ActionSpec(
            "privilege.grant",
            3007,
            14,
            "Assign Privileges",
            severity_id=2,
            requires=("user_id", "grantee", "privilege"),
            citation="PCI DSS 10.2.1.5 changes to privileges; GB/T 22239-2019 8.1.4.3",
        ),
        ActionSpec(
            "privilege.revoke",
            3007,
            15,
            "Remove Privileges",
            severity_id=2,
            requires=("user_id", "grantee", "privilege"),
            citation="PCI DSS 10.2.1.5 changes to privileges",
        ),
        ActionSpec(
            "privilege.use",
            3003,
            1,
            "Assign Privileges",
            severity_id=2,
            requires=("user_id", "privilege"),
            citation="PCI DSS 10.2.1.2 actions by administrative accounts",
        ),
        ActionSpec(
            "personal_data.access",
            6003,
            2,
            "Read",
            requires=("user_id", "subject", "fields"),
            citation=f"{_RULEBOOK}: every staff operation on personal data; "
            "PCI DSS 10.2.1.1 access to cardholder data",
        ),
        ActionSpec(
            "personal_data.export",
            6003,
            99,
            "Other",
            severity_id=2,
            requires=("user_id", "subject", "fields"),
            citation=f"{_RULEBOOK}: every staff operation on personal data",
        ),
        ActionSpec(
            "audit.access",
            6003,
            2,
            "Read",
            requires=("user_id", "log"),
            citation="PCI DSS 10.2.1.3 all individual user access to audit logs",
        ),
        ActionSpec(
            "audit.start",
            1008,
            6,
            "Start",
            citation="PCI DSS 10.2.1.6 initialization, starting, stopping or pausing of the "
            "audit logs (written by the log writer when it opens a log)",
        ),
        ActionSpec(
            "audit.stop",
            1008,
            7,
            "Stop",
            severity_id=2,
            citation="PCI DSS 10.2.1.6 initialization, starting, stopping or pausing of the "
            "audit logs (written by the log writer when it closes a log)",
        ),
        ActionSpec(
            "policy.change",
            3004,
            3,
            "Update",
            severity_id=2,
            requires=("user_id", "policy"),
            citation="PCI DSS 10.2.1.2 actions by administrative accounts (a policy change is one)",
        ),
    )
}

#: Where OCSF 1.8.0, before User Management, put the actions 1.9.0 moved.
_OCSF_1_8: Final = {
    "account.register": (3001, 1, "Create"),
    "account.update": (3001, 99, "Other"),
    "privilege.grant": (3005, 1, "Assign Privileges"),
    "privilege.revoke": (3005, 2, "Revoke Privileges"),
}
_OTHER: Final = ActionSpec("", 6003, 99, "Other")
_STATUS: Final = {"success": (1, "Success"), "failure": (2, "Failure"), "denied": (2, "Failure")}
_SEVERITY: Final = {1: "Informational", 2: "Low", 3: "Medium", 4: "High"}


def action_spec(action: str) -> ActionSpec:
    """The catalogue entry of *action*, or API Activity / Other for actions outside it."""
    check_action(action)
    spec = ACTIONS.get(action)
    return spec if spec is not None else attrs.evolve(_OTHER, action=action)


def _spec_for(action: str, ocsf_version: str) -> ActionSpec:
    """The catalogue entry of *action* in the classes of *ocsf_version*."""
    if ocsf_version not in ("1.9.0", "1.8.0"):
        raise InvalidArgumentError("ocsf_version must be '1.9.0' or '1.8.0'")
    spec = action_spec(action)
    if ocsf_version == "1.8.0" and spec.action in _OCSF_1_8:
        class_uid, activity_id, activity_name = _OCSF_1_8[spec.action]
        spec = attrs.evolve(
            spec, class_uid=class_uid, activity_id=activity_id, activity_name=activity_name
        )
    return spec


def _epoch_ms(text: str) -> int:
    return int(parse_time(text).timestamp() * 1000)


def to_ocsf(
    record: Mapping[str, Any],
    *,
    product: str = "secpolicy",
    version: str | None = None,
    ocsf_version: Literal["1.9.0", "1.8.0"] = OCSF_VERSION,
) -> dict[str, Any]:
    """An audit record (as stored, or :meth:`AuditEvent.to_record`) as an OCSF event.

    The required attributes are always present (``activity_id``,
    ``category_uid``, ``class_uid``, ``metadata.product``,
    ``metadata.version``, ``severity_id``, ``time`` in milliseconds,
    ``type_uid``); the actor becomes ``actor.user`` and ``actor.session``, the
    client address ``src_endpoint`` (the address before NAT when known), the
    sequence number and hash ``metadata.sequence`` and ``metadata.uid``, and
    everything OCSF has no attribute for goes under ``unmapped``.

    Args:
        record: An event record.
        product: The product name that goes into ``metadata.product.name``.
        version: The product's version; defaults to secpolicy's.
        ocsf_version: ``"1.9.0"`` (the default: account and privilege events
            are User Management 3007) or ``"1.8.0"`` (they are Account Change
            3001 and User Access Management 3005, which 1.9.0 deprecates).

    Raises:
        ValueError: *record* is not an event record, or *ocsf_version* is not
            one of those.

    .. versionchanged:: 0.2
       OCSF 1.9.0 by default; *ocsf_version*; a damaged record (a member
       missing or of the wrong type) raises :class:`~secpolicy.exceptions.InvalidArgumentError`.
    """
    if not isinstance(record, Mapping):
        raise InvalidArgumentError(f"an audit record is a mapping, not {type(record).__name__}")
    try:
        return _to_ocsf(record, product=product, version=version, ocsf_version=ocsf_version)
    except InvalidArgumentError:
        raise
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        # A damaged stored record: name what broke, never the values it holds.
        raise InvalidArgumentError(
            f"the record is not an event record this export can read ({type(exc).__name__})"
        ) from None


def _to_ocsf(
    record: Mapping[str, Any],
    *,
    product: str,
    version: str | None,
    ocsf_version: Literal["1.9.0", "1.8.0"],
) -> dict[str, Any]:
    if record.get("kind", "event") != "event":
        raise InvalidArgumentError(f"record of kind {record.get('kind')!r} is not an event")
    if version is None:
        version = _product_version()
    spec = _spec_for(record["action"], ocsf_version)
    outcome = record.get("outcome", "success")
    status_id, status = _STATUS[outcome]
    severity_id = min(spec.severity_id + (outcome != "success"), 4)
    actor = record.get("actor", {})
    event: dict[str, Any] = {
        "activity_id": spec.activity_id,
        "activity_name": spec.activity_name,
        "category_uid": spec.category_uid,
        "category_name": _CATEGORIES[spec.category_uid],
        "class_uid": spec.class_uid,
        "class_name": _CLASSES[spec.class_uid],
        "type_uid": spec.type_uid,
        "type_name": f"{_CLASSES[spec.class_uid]}: {spec.activity_name}",
        "severity_id": severity_id,
        "severity": _SEVERITY[severity_id],
        "status_id": status_id,
        "status": status,
        "time": _epoch_ms(record["time"]),
        "message": record["action"],
        "metadata": {
            "version": ocsf_version,
            "product": {"name": product, "vendor_name": product, "version": version},
            "event_code": record["action"],
        },
    }
    if outcome != "success":
        event["status_detail"] = outcome
    if "reason" in record:
        event["status_detail"] = record["reason"]
    user = {k: v for k, v in (("uid", actor.get("user_id")), ("name", actor.get("name"))) if v}
    if user:
        event["actor"] = {"user": user}
        if spec.class_uid == _AUTHENTICATION:
            event["user"] = dict(user)
    if "session_id" in actor:
        event.setdefault("actor", {})["session"] = {"uid": actor["session_id"]}
    source = record.get("src") or {"ip": actor.get("ip"), "port": actor.get("port")}
    endpoint = {k: v for k, v in source.items() if v is not None and k in ("ip", "port")}
    if endpoint:
        event["src_endpoint"] = endpoint
    if "correlation_id" in record:
        event["metadata"]["correlation_uid"] = record["correlation_id"]
    if "seq" in record:
        event["metadata"]["sequence"] = record["seq"]
    if "hash" in record:
        event["metadata"]["uid"] = record["hash"]
    _class_attributes(event, spec, record, product)
    unmapped = {key: record[key] for key in ("target", "nat", "data") if key in record}
    if unmapped:
        event["unmapped"] = unmapped
    return event


def _text(value: object) -> str:
    return value if isinstance(value, str) else str(value)


def _subject_user(grantee: object, actor_user: dict[str, Any] | None) -> dict[str, Any]:
    """The user an account or privilege activity was about: the grantee, else the actor."""
    if grantee is not None:
        return {"uid": _text(grantee)}
    return dict(actor_user) if actor_user else {"name": "unknown"}


def _class_attributes(
    event: dict[str, Any], spec: ActionSpec, record: Mapping[str, Any], product: str
) -> None:
    """Add what the OCSF class requires beyond the base event (validated per class in tests)."""
    data = record.get("data") or {}
    uid = spec.class_uid
    actor_user = event.get("actor", {}).get("user")
    if uid in (_ACCOUNT_CHANGE, _AUTHENTICATION, _AUTHORIZE_SESSION):
        event["user"] = dict(actor_user) if actor_user else {"name": "unknown"}
    if uid == _AUTHENTICATION:
        event["service"] = {"name": product}
    if uid in (_API_ACTIVITY, _FILE_HOSTING):
        event.setdefault("actor", {"app_name": product})
        # OCSF requires the source endpoint; a record without an address says so.
        event.setdefault("src_endpoint", {"name": "unknown"})
    if uid == _API_ACTIVITY:
        event["api"] = {"operation": record["action"]}
    elif uid == _FILE_HOSTING:
        file_id = data.get("file_id")
        event["file"] = {
            "name": _text(data.get("file_name", file_id if file_id is not None else "unknown")),
            "type_id": 1,  # Regular File
            **({"uid": _text(file_id)} if file_id is not None else {}),
        }
    elif uid == _GROUP_MANAGEMENT:
        group = data.get("group_id", record.get("target"))
        event["group"] = {"uid": _text(group)} if group is not None else {"name": "unknown"}
    elif uid == _ENTITY_MANAGEMENT:
        event["entity"] = {
            "name": _text(data.get("policy", record.get("target", "unknown"))),
            "type": "policy",
        }
    elif uid in (_USER_ACCESS, _USER_MANAGEMENT):
        event["user"] = _subject_user(data.get("grantee"), actor_user)
    elif uid == _EVENT_LOG:
        # The audit log itself started or stopped (OCSF needs one of the log_* names).
        event["log_provider"] = product
        event["log_type_id"] = 2  # Application
        event["log_type"] = "Application"
        log_id = data.get("log_id")
        if log_id is not None:
            event["log_name"] = _text(log_id)
    if uid in (_USER_ACCESS, _AUTHORIZE_SESSION) or (
        uid == _USER_MANAGEMENT and spec.action.startswith("privilege.")
    ):
        privilege = data.get("privilege")
        event["privileges"] = [_text(privilege)] if privilege is not None else ["unknown"]
