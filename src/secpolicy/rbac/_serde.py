"""RBAC policies as plain data: documents to states and back, with full fidelity.

:func:`load` maps a document to a :class:`State` by replaying the same
validated changes the engine makes (so a document can hold nothing the API
would refuse), and :func:`dump` maps a state to a document. Neither touches
an engine. Every malformed document raises
:class:`~secpolicy.exceptions.PolicyConfigError` naming the path of the
offending entry.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final

import attrs

from secpolicy._clock import to_utc
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import _ops
from secpolicy.rbac._constraints import check_ssd
from secpolicy.rbac._grants import longest_grant
from secpolicy.rbac._model import (
    ADMIN_KINDS,
    AdminRights,
    PendingRequest,
    PrivilegedGrant,
    RuleRecord,
)
from secpolicy.rbac._names import canon_action, canon_id, canon_pattern, fold_id
from secpolicy.rbac._state import (
    DEFAULT_MAX_GRANT,
    DEFAULT_REQUEST_TTL,
    Config,
    State,
    UserInfo,
    new_state,
)

__all__ = ["FORMAT", "dump", "load", "load_plain"]

#: The document format this version writes (documents without ``format`` are format 1).
FORMAT: Final = 2

_TOP: Final = frozenset(
    {
        "format",
        "levels",
        "roles",
        "users",
        "grants",
        "denies",
        "assignments",
        "ssd",
        "dsd",
        "labels",
        "clearances",
        "privileged_grants",
        "pending_requests",
        "reviews",
        "next_request",
        "approvals",
        "admin_rights",
    }
)
_MAX_SECONDS: Final = 1e12  # far beyond any sane duration; keeps timedelta in range
_ROLE_KEYS: Final = frozenset(
    {"inherits", "privileged", "approvals", "approver_roles", "max_duration_seconds"}
)


def _mapping(value: object, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyConfigError("must be a table", field=path)
    for key in value:
        if not isinstance(key, str):
            raise PolicyConfigError("keys must be strings", field=path)
    return value


def _list(value: object, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise PolicyConfigError("must be a list", field=path)
    return value


def _keys(item: Mapping[str, Any], allowed: frozenset[str] | set[str], path: str) -> None:
    if allowed.issuperset(item):
        return
    unknown = sorted(set(item) - set(allowed))
    if unknown:
        raise PolicyConfigError(f"unknown key(s) {', '.join(unknown)}", field=path)


def _str(item: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = item.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str):
        raise PolicyConfigError("must be a string", field=f"{path}.{key}")
    return value


def _time(item: Mapping[str, Any], key: str, path: str) -> datetime:
    value = item.get(key)
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PolicyConfigError("must be an ISO 8601 time", field=f"{path}.{key}") from None
    else:
        raise PolicyConfigError("must be an ISO 8601 time", field=f"{path}.{key}")
    if parsed.tzinfo is None:
        raise PolicyConfigError("must carry a time zone", field=f"{path}.{key}")
    return to_utc(parsed, name=key)


def _seconds(item: Mapping[str, Any], key: str, path: str, default: timedelta) -> timedelta:
    value = item.get(key)
    if value is None:
        return default
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value < _MAX_SECONDS
    ):
        raise PolicyConfigError("must be a positive number of seconds", field=f"{path}.{key}")
    return timedelta(seconds=value)


def _names(value: object, path: str) -> list[str]:
    return [canon_id(v, f"{path}[{i}]") for i, v in enumerate(_list(value, path))]


def _run(
    state: State,
    path: str,
    op: Callable[[State, Mapping[str, Any], datetime, str | None], _ops.Result],
    args: Mapping[str, Any],
    at: datetime,
) -> State:
    try:
        return op(state, args, at, None).state
    except PolicyConfigError as exc:
        field = exc.field or ""
        if field.startswith(path) or (field.startswith("roles.") and not path.startswith("roles.")):
            full = field
        elif path.startswith("roles."):
            full = path
        elif field and field not in ("rule",):
            full = f"{path}.{field.rsplit('.', 1)[-1]}"
        else:
            full = path
        raise PolicyConfigError(exc.reason, field=full) from None
    except ConstraintViolation as exc:
        raise PolicyConfigError(str(exc), field=path) from None


def _config(data: Mapping[str, Any]) -> Config:
    raw = _mapping(data.get("approvals", {}), "approvals")
    _keys(raw, {"approver_role", "request_ttl_seconds", "max_grant_duration_seconds"}, "approvals")
    role = raw.get("approver_role", "approver")
    return Config(
        approver_role=None if role is None else canon_id(role, "approvals.approver_role"),
        request_ttl=_seconds(raw, "request_ttl_seconds", "approvals", DEFAULT_REQUEST_TTL),
        max_grant_duration=_seconds(
            raw, "max_grant_duration_seconds", "approvals", DEFAULT_MAX_GRANT
        ),
    )


_Section = Callable[[State, Mapping[str, Any], datetime], State]
_RULE_KEYS: Final = frozenset({"role", "resource", "action", "tenant"})
RuleEffectItem = tuple[RuleRecord, tuple[str, ...]]


def _users_plain(state: State, data: Mapping[str, Any], now: datetime) -> State:
    """The ``users`` section as one validated change per user (the plain twin)."""
    for i, user in enumerate(_list(data.get("users", []), "users")):
        state = _run(state, f"users[{i}]", _ops.op_add_user, {"user": user}, now)
    return state


def _plain_error(exc: PolicyConfigError) -> PolicyConfigError:
    """*exc* as the plain replay raises it (:func:`_run`): a PolicyConfigError, same path."""
    return PolicyConfigError(exc.reason, field=exc.field)


def _users_bulk(state: State, data: Mapping[str, Any], now: datetime) -> State:
    """The ``users`` section in one mutation of each map, with the checks of ``add_user``.

    The same state and the same first error as :func:`_users_plain`.
    """
    users = state.users.mutate()
    folded = state.folded.mutate()
    for i, raw in enumerate(_list(data.get("users", []), "users")):
        path = f"users[{i}].user"
        try:
            name = canon_id(raw, path)
        except PolicyConfigError as exc:
            raise _plain_error(exc) from None
        if name in users:
            continue  # adding twice is harmless
        key = ("user", fold_id(name))
        other = folded.get(key)
        if other is not None and other != name:
            raise PolicyConfigError(
                f"differs from the existing user {other!r} only in letter case or width "
                "(a look-alike)",
                field=path,
            )
        users[name] = UserInfo(name, now)
        folded[key] = name
    return state.derive(users=users.finish(), folded=folded.finish())


def _rules_plain(state: State, data: Mapping[str, Any], now: datetime) -> State:
    """The ``grants`` and ``denies`` sections as one validated change per rule (the plain twin)."""
    for kind, op in (("grants", _ops.OPS["grant"]), ("denies", _ops.OPS["deny"])):
        for i, raw in enumerate(_list(data.get(kind, []), kind)):
            path = f"{kind}[{i}]"
            item = _mapping(raw, path)
            _keys(item, _RULE_KEYS, path)
            state = _run(state, path, op, item, now)
    return state


def _rule(state: State, item: Mapping[str, Any], path: str, effect: str) -> RuleEffectItem:
    """One grant or deny entry, checked as ``grant``/``deny`` check it (in their order)."""
    tenant = item.get("tenant")
    if tenant is not None:
        tenant = canon_id(tenant, f"{path}.tenant")
    role = canon_id(item.get("role"), f"{path}.role")
    if role not in state.roles:
        raise PolicyConfigError(f"unknown role {role!r}", field=f"{path}.role")
    action = canon_action(item.get("action"), f"{path}.action", pattern=True)
    resource = item.get("resource")
    if not isinstance(resource, str):
        raise PolicyConfigError("must be a resource name or pattern", field=f"{path}.resource")
    segments = canon_pattern(resource, f"{path}.resource")
    return (role, "/".join(segments), action, effect, tenant), segments


def _rules_bulk(state: State, data: Mapping[str, Any], now: datetime) -> State:
    """The ``grants`` and ``denies`` sections validated entry by entry, then added at once.

    Each entry gets the checks of ``grant``/``deny`` and the same first error
    as :func:`_rules_plain`; the rules then enter the maps through one
    mutation each (:func:`._ops.add_rules`) instead of one new state per rule.
    """
    del now  # rules carry no time
    items: list[RuleEffectItem] = []
    seen: set[RuleRecord] = set()
    for kind, effect in (("grants", "allow"), ("denies", "deny")):
        for i, raw in enumerate(_list(data.get(kind, []), kind)):
            path = f"{kind}[{i}]"
            item = _mapping(raw, path)
            _keys(item, _RULE_KEYS, path)
            try:
                record, segments = _rule(state, item, path, effect)
            except PolicyConfigError as exc:
                raise _plain_error(exc) from None
            if record not in seen:  # a repeated rule is harmless, as with grant()
                seen.add(record)
                items.append((record, segments))
    return _ops.add_rules(state, items) if items else state


def load_plain(data: object, now: datetime) -> State:
    """:func:`load` replaying one validated change per user and rule (its plain twin)."""
    try:
        return _load(data, now, _users_plain, _rules_plain)
    except PolicyConfigError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError):
        raise PolicyConfigError("malformed entry", field="rbac") from None


def load(data: object, now: datetime) -> State:
    """Validate *data* and build the state it describes (loading reports no events).

    Raises:
        PolicyConfigError: Naming the offending entry, e.g.
            ``roles.auditor.inherits[1]``.
    """
    path = "rbac"
    try:
        return _load(data, now, _users_bulk, _rules_bulk)
    except PolicyConfigError:
        raise
    except (TypeError, ValueError, KeyError, AttributeError, OverflowError, RecursionError):
        raise PolicyConfigError("malformed entry", field=path) from None


def _load(  # noqa: PLR0912, PLR0915 (one pass per section)
    data: object, now: datetime, users: _Section, rules: _Section
) -> State:
    data = _mapping(data, "rbac")
    _keys(data, _TOP, "rbac")
    version = data.get("format", 1)
    if isinstance(version, bool) or version not in (1, FORMAT):
        raise PolicyConfigError(
            f"unsupported format (this version reads 1 and {FORMAT})", field="format"
        )
    levels = _names(data.get("levels", []), "levels")
    if len(set(levels)) != len(levels):
        raise PolicyConfigError("sensitivity levels must be distinct", field="levels")
    state = new_state(levels=tuple(levels), config=_config(data))
    # Roles first, then the edges (a role may inherit one defined after it).
    roles = _mapping(data.get("roles", {}), "roles")
    specs: dict[str, Mapping[str, Any]] = {}
    waiting: list[tuple[str, Mapping[str, Any]]] = []
    for name, raw_spec in roles.items():
        path = f"roles.{name}"
        spec = _mapping(raw_spec if raw_spec is not None else {}, path)
        _keys(spec, _ROLE_KEYS, path)
        waiting.append((name, spec))
    while waiting:
        # A role's approver roles must exist first (they may be defined after it).
        defined = set(roles)
        ready = [
            (name, spec)
            for name, spec in waiting
            if not isinstance(spec.get("approver_roles"), list | tuple)
            or all(
                not isinstance(r, str) or r not in defined or r in state.roles
                for r in spec["approver_roles"]
            )
        ]
        for name, spec in ready or waiting[:1]:
            path = f"roles.{name}"
            args = {k: v for k, v in spec.items() if k != "inherits"}
            state = _run(state, path, _ops.op_add_role, {"role": name, **args}, now)
            specs[canon_id(name, path)] = spec
        done = {id(spec) for _, spec in ready or waiting[:1]}
        waiting = [(n, s) for n, s in waiting if id(s) not in done]
    for name, spec in specs.items():
        for i, junior in enumerate(_list(spec.get("inherits", []), f"roles.{name}.inherits")):
            path = f"roles.{name}.inherits[{i}]"
            if not isinstance(junior, str) or canon_id(junior, path) not in state.roles:
                raise PolicyConfigError(f"unknown role {junior!r}", field=path)
            state = _run(
                state, path, _ops.op_add_inheritance, {"senior": name, "junior": junior}, now
            )
    state = users(state, data, now)
    state = rules(state, data, now)
    for kind in ("ssd", "dsd"):
        for i, raw in enumerate(_list(data.get(kind, []), kind)):
            path = f"{kind}[{i}]"
            item = _mapping(raw, path)
            _keys(item, {"name", "roles", "n"}, path)
            state = _run(state, path, _ops.OPS[f"add_{kind}"], item, now)
    for i, raw in enumerate(_list(data.get("assignments", []), "assignments")):
        path = f"assignments[{i}]"
        item = _mapping(raw, path)
        _keys(item, {"user", "role", "tenant", "since"}, path)
        if item.get("since") is not None:
            state = _run(
                state, path, _ops.op_assign, {**item, "since": _time(item, "since", path)}, now
            )
        else:
            state = _run(state, path, _ops.op_assign, item, now)
    for i, raw in enumerate(_list(data.get("labels", []), "labels")):
        path = f"labels[{i}]"
        item = _mapping(raw, path)
        _keys(item, {"resource", "level", "tenant"}, path)
        state = _run(state, path, _ops.op_set_label, item, now)
    for i, raw in enumerate(_list(data.get("clearances", []), "clearances")):
        path = f"clearances[{i}]"
        item = _mapping(raw, path)
        _keys(item, {"user", "level", "tenant"}, path)
        state = _run(state, path, _ops.op_set_clearance, item, now)
    state = _load_grants(state, data, now)
    try:
        check_ssd(state, now=now)
    except ConstraintViolation as exc:
        raise PolicyConfigError(str(exc), field="privileged_grants") from None
    for i, raw in enumerate(_list(data.get("reviews", []), "reviews")):
        path = f"reviews[{i}]"
        item = _mapping(raw, path)
        _keys(item, {"user", "role", "tenant", "at", "by"}, path)
        tenant = None if item.get("tenant") is None else canon_id(item["tenant"], f"{path}.tenant")
        user = canon_id(item.get("user"), f"{path}.user")
        if user not in state.users:
            # A departure drops the user's review marks; a mark for nobody is forged.
            raise PolicyConfigError(f"unknown user {user!r}", field=f"{path}.user")
        role = canon_id(item.get("role"), f"{path}.role")
        if role not in state.roles:
            raise PolicyConfigError(f"unknown role {role!r}", field=f"{path}.role")
        # The reviewer may have left since; the record of their review stays.
        # (Documents written before reviewers were recorded have no "by".)
        by = None if item.get("by") is None else canon_id(item["by"], f"{path}.by")
        if by == user:
            raise PolicyConfigError("nobody reviews their own access", field=f"{path}.by")
        at = _time(item, "at", path)
        if at > now:
            # A review dated later would put the next one off until then.
            raise PolicyConfigError("must not be in the future", field=f"{path}.at")
        state = state.derive(reviewed=state.reviewed.set((tenant, user, role), (at, by)))
    counter = data.get("next_request", state.next_request)
    if isinstance(counter, bool) or not isinstance(counter, int) or counter < state.next_request:
        raise PolicyConfigError(
            "must be an integer above every request id in the document", field="next_request"
        )
    state = state.derive(next_request=counter)
    rights = data.get("admin_rights")
    if rights is not None:
        rights = _mapping(rights, "admin_rights")
        _keys(rights, set(ADMIN_KINDS), "admin_rights")
        for kind, roles_ in rights.items():
            _list(roles_, f"admin_rights.{kind}")
        admin = AdminRights(rights=rights)
        _ops.check_rights_roles(state, admin)
        state = state.derive(config=attrs.evolve(state.config, admin=admin))
    return state


def _request_number(request_id: object, path: str) -> int:
    if not isinstance(request_id, str) or not request_id.startswith("gr-"):
        raise PolicyConfigError("must be a request id gr-<n>", field=path)
    digits = request_id[3:]
    if not digits.isdigit() or not digits.isascii() or len(digits) > 18:  # noqa: PLR2004
        raise PolicyConfigError("must be a request id gr-<n>", field=path)
    return int(digits)


def _load_grants(state: State, data: Mapping[str, Any], now: datetime) -> State:  # noqa: PLR0912, PLR0915 (grants, requests)
    highest = 0
    seen: set[str] = set()

    def common(item: Mapping[str, Any], path: str) -> tuple[str, str, str, str | None, str]:
        nonlocal highest
        request_id = item.get("request_id")
        highest = max(highest, _request_number(request_id, f"{path}.request_id"))
        assert isinstance(request_id, str)  # noqa: S101 (checked above)
        if request_id in seen:
            raise PolicyConfigError("appears twice", field=f"{path}.request_id")
        seen.add(request_id)
        user = canon_id(item.get("user"), f"{path}.user")
        if user not in state.users:
            raise PolicyConfigError(f"unknown user {user!r}", field=f"{path}.user")
        role = canon_id(item.get("role"), f"{path}.role")
        info = state.roles.get(role)
        if info is None or not info.privileged:
            raise PolicyConfigError("must be a privileged role", field=f"{path}.role")
        tenant = None if item.get("tenant") is None else canon_id(item["tenant"], f"{path}.tenant")
        reason = _str(item, "reason", path)
        if not reason.strip():
            # request_grant refuses a grant nobody justified; so does a document.
            raise PolicyConfigError("must say why the grant is needed", field=f"{path}.reason")
        return request_id, user, role, tenant, reason

    def vetted(
        item: Mapping[str, Any], path: str, user: str, role: str, span: timedelta
    ) -> tuple[str, tuple[str, ...]]:
        # What the workflow would have refused: a grant longer than the role
        # allows, self-approval, one approver counted twice.
        limit = longest_grant(state, role)
        if span > limit:
            raise PolicyConfigError(f"may last at most {limit}", field=path)
        asker = canon_id(item.get("requested_by"), f"{path}.requested_by")
        approvers = tuple(_names(item.get("approvers", []), f"{path}.approvers"))
        if len(set(approvers)) != len(approvers):
            raise PolicyConfigError("names an approver twice", field=f"{path}.approvers")
        if {user, asker} & set(approvers):
            raise PolicyConfigError(
                "an approver may be neither the requester nor the grantee",
                field=f"{path}.approvers",
            )
        return asker, approvers

    for i, raw in enumerate(_list(data.get("privileged_grants", []), "privileged_grants")):
        path = f"privileged_grants[{i}]"
        item = _mapping(raw, path)
        _keys(
            item,
            {
                "request_id",
                "user",
                "role",
                "tenant",
                "starts",
                "expires",
                "requested_by",
                "approvers",
                "reason",
            },
            path,
        )
        request_id, user, role, tenant, reason = common(item, path)
        starts, expires = _time(item, "starts", path), _time(item, "expires", path)
        if starts > now:
            # The workflow starts a grant when the last approval is given.
            raise PolicyConfigError("must not be in the future", field=f"{path}.starts")
        if expires <= starts:
            raise PolicyConfigError("must be after starts", field=f"{path}.expires")
        asker, approvers = vetted(item, path, user, role, expires - starts)
        if len(approvers) < state.roles[role].approvals:
            raise PolicyConfigError(
                f"needs {state.roles[role].approvals} approvals", field=f"{path}.approvers"
            )
        grant = PrivilegedGrant(
            request_id=request_id,
            user=user,
            role=role,
            tenant=tenant,
            starts=starts,
            expires=expires,
            requested_by=asker,
            approvers=approvers,
            reason=reason,
        )
        key = (tenant, user)
        state = state.derive(
            grants=state.grants.set(request_id, grant),
            user_grants=state.user_grants.set(key, (*state.user_grants.get(key, ()), request_id)),
        )
    for i, raw in enumerate(_list(data.get("pending_requests", []), "pending_requests")):
        path = f"pending_requests[{i}]"
        item = _mapping(raw, path)
        _keys(
            item,
            {
                "request_id",
                "user",
                "role",
                "tenant",
                "requested_by",
                "requested_at",
                "duration_seconds",
                "reason",
                "approvals_required",
                "approvers",
                "expires",
            },
            path,
        )
        request_id, user, role, tenant, reason = common(item, path)
        needed = state.roles[role].approvals
        required = item.get("approvals_required", needed)
        if isinstance(required, bool) or not isinstance(required, int) or required != needed:
            raise PolicyConfigError(
                f"must be the role's number of approvals ({needed})",
                field=f"{path}.approvals_required",
            )
        duration = _seconds(item, "duration_seconds", path, timedelta(0))
        if duration <= timedelta(0):
            raise PolicyConfigError(
                "must be a positive number of seconds", field=f"{path}.duration_seconds"
            )
        asker, approvers = vetted(item, path, user, role, duration)
        if asker not in state.users:
            raise PolicyConfigError(f"unknown user {asker!r}", field=f"{path}.requested_by")
        for j, approver in enumerate(approvers):
            if approver not in state.users:
                raise PolicyConfigError(
                    f"unknown user {approver!r}", field=f"{path}.approvers[{j}]"
                )
        if len(approvers) >= required:
            raise PolicyConfigError(
                "has every approval it needs, so it is not pending", field=f"{path}.approvers"
            )
        requested_at = _time(item, "requested_at", path)
        if requested_at > now:
            # A request dated later would stay approvable long past its TTL.
            raise PolicyConfigError("must not be in the future", field=f"{path}.requested_at")
        expires = _time(item, "expires", path)
        if expires > requested_at + state.config.request_ttl:
            raise PolicyConfigError(
                f"must lapse within {state.config.request_ttl} of the request",
                field=f"{path}.expires",
            )
        pending = PendingRequest(
            request_id=request_id,
            user=user,
            role=role,
            tenant=tenant,
            requested_by=asker,
            requested_at=requested_at,
            duration=duration,
            reason=reason,
            approvals_required=required,
            approvers=approvers,
            expires=expires,
        )
        state = state.derive(pending=state.pending.set(request_id, pending))
    return state.derive(next_request=max(state.next_request, highest + 1))


def _scoped(entry: dict[str, Any], tenant: str | None) -> dict[str, Any]:
    return entry if tenant is None else {**entry, "tenant": tenant}


def _seconds_out(span: timedelta) -> int | float:
    seconds = span.total_seconds()
    return int(seconds) if seconds == int(seconds) else seconds


def dump(state: State) -> dict[str, Any]:
    """The whole policy in *state* as plain, JSON-ready data (format :data:`FORMAT`)."""
    rules: dict[str, list[dict[str, Any]]] = {"allow": [], "deny": []}
    for (tenant, role), items in sorted(
        state.rule_index.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
    ):
        for _, text, action, effect, _ in sorted(items.values(), key=lambda r: (r[1], r[2])):
            entry = {"role": role, "resource": text, "action": action}
            rules[effect].append(_scoped(entry, tenant))
    config = state.config
    out: dict[str, Any] = {
        "format": FORMAT,
        "levels": list(state.levels),
        "roles": {
            name: {
                "inherits": sorted(info.juniors),
                "privileged": info.privileged,
                "approvals": info.approvals,
                **(
                    {}
                    if info.approver_roles is None
                    else {"approver_roles": sorted(info.approver_roles)}
                ),
                **(
                    {}
                    if info.max_duration is None
                    else {"max_duration_seconds": _seconds_out(info.max_duration)}
                ),
            }
            for name, info in sorted(state.roles.items())
        },
        "users": sorted(state.users),
        "grants": rules["allow"],
        "denies": rules["deny"],
        "assignments": [
            _scoped({"user": user, "role": role, "since": since.isoformat()}, tenant)
            for (tenant, user), roles in sorted(
                state.assignments.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
            )
            for role, since in sorted(roles.items())
        ],
        "ssd": [
            {"name": c.name, "roles": sorted(c.roles), "n": c.n}
            for _, c in sorted(state.ssd.items())
        ],
        "dsd": [
            {"name": c.name, "roles": sorted(c.roles), "n": c.n}
            for _, c in sorted(state.dsd.items())
        ],
        "labels": [
            _scoped({"resource": text, "level": level}, tenant)
            for (tenant, text), level in sorted(
                state.label_index.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
            )
        ],
        "clearances": [
            _scoped({"user": user, "level": level}, tenant)
            for (tenant, user), level in sorted(
                state.clearances.items(), key=lambda kv: (kv[0][0] or "", kv[0][1])
            )
        ],
        "privileged_grants": [
            _scoped(
                {
                    "request_id": g.request_id,
                    "user": g.user,
                    "role": g.role,
                    "starts": g.starts.isoformat(),
                    "expires": g.expires.isoformat(),
                    "requested_by": g.requested_by,
                    "approvers": list(g.approvers),
                    "reason": g.reason,
                },
                g.tenant,
            )
            for _, g in sorted(state.grants.items(), key=lambda kv: _request_number(kv[0], ""))
        ],
        "pending_requests": [
            _scoped(
                {
                    "request_id": p.request_id,
                    "user": p.user,
                    "role": p.role,
                    "requested_by": p.requested_by,
                    "requested_at": p.requested_at.isoformat(),
                    "duration_seconds": _seconds_out(p.duration),
                    "reason": p.reason,
                    "approvals_required": p.approvals_required,
                    "approvers": list(p.approvers),
                    "expires": p.expires.isoformat(),
                },
                p.tenant,
            )
            for _, p in sorted(state.pending.items(), key=lambda kv: _request_number(kv[0], ""))
        ],
        "reviews": [
            _scoped(
                {
                    "user": user,
                    "role": role,
                    "at": at.isoformat(),
                    **({} if by is None else {"by": by}),
                },
                tenant,
            )
            for (tenant, user, role), (at, by) in sorted(
                state.reviewed.items(), key=lambda kv: (kv[0][0] or "", kv[0][1], kv[0][2])
            )
        ],
        "next_request": state.next_request,
        "approvals": {
            "approver_role": config.approver_role,
            "request_ttl_seconds": _seconds_out(config.request_ttl),
            "max_grant_duration_seconds": _seconds_out(config.max_grant_duration),
        },
    }
    if config.admin is not None:
        out["admin_rights"] = {k: sorted(v) for k, v in sorted(config.admin.rights.items())}
    return out
