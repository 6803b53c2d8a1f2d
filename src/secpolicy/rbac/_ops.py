"""Every change to the policy as one pure function: ``apply(state, change) -> (state, events)``.

A change is plain, JSON-ready data (``{"op": ..., "args": {...}, "by": ...,
"at": ...}``): the engine builds one for each mutation, applies it under its
lock, and (when attached to a policy store) writes the same change to the
store, so other engines replay exactly what this one did. Every argument is
validated here, whoever produced the change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, NamedTuple, overload

import attrs
import immutables

from secpolicy._clock import to_utc
from secpolicy.exceptions import ConstraintViolation, PolicyConfigError
from secpolicy.rbac import _grants
from secpolicy.rbac._constraints import check_ssd, users_holding
from secpolicy.rbac._decide import effective
from secpolicy.rbac._entries import EMPTY_ENTRY, entry_with, entry_without
from secpolicy.rbac._match import EMPTY, ResourcePattern, trie_update
from secpolicy.rbac._model import (
    ADMIN_KINDS,
    AdminKind,
    AdminRights,
    RBACEvent,
    RuleEffect,
    RuleRecord,
)
from secpolicy.rbac._names import canon_action, canon_id, canon_pattern, fold_id
from secpolicy.rbac._state import Constraint, RoleInfo, State, UserInfo

__all__ = [
    "OPS",
    "Event",
    "PendingEvent",
    "Result",
    "add_rules",
    "apply",
    "built",
    "tenant_of",
]

_M: Final[immutables.Map[Any, Any]] = immutables.Map()
# A thousand years: beyond any sane span, and it keeps dates in range (and NaN out).
_LONGEST_SECONDS: Final = 365 * 1000 * 86400


class PendingEvent(NamedTuple):
    """An event a change reports, built into an :class:`RBACEvent` only if someone listens."""

    kind: Any
    at: datetime
    by: str | None
    fields: dict[str, Any]

    def build(self) -> RBACEvent:
        """The event itself."""
        fields = dict(self.fields)
        details = fields.pop("details", {})
        return RBACEvent(
            kind=self.kind,
            at=self.at,
            by=self.by,
            user=fields.pop("user", None),
            **fields,
            details=details,
        )


Event = RBACEvent | PendingEvent


def built(event: Event) -> RBACEvent:
    """The :class:`RBACEvent` of a change's event."""
    return event if isinstance(event, RBACEvent) else event.build()


class Result(NamedTuple):
    """What a change did: the next state, its events and a value for the caller."""

    state: State
    events: Sequence[Event]
    value: Any = None


def tenant_of(args: Mapping[str, Any]) -> str | None:
    """The change's tenant, canonical."""
    tenant = args.get("tenant")
    return None if tenant is None else canon_id(tenant, "tenant")


def _authorize(  # noqa: PLR0917 (internal, one call shape)
    state: State,
    kind: AdminKind,
    by: str | None,
    tenant: str | None,
    subject: str | None,
    at: datetime,
) -> None:
    """Refuse the change unless *by* may administer *kind* (when admin rights are configured)."""
    rights = state.config.admin
    if rights is None:
        return
    if by is None:
        raise ConstraintViolation(f"changes of {kind} need by= (administrator rights are enforced)")
    if by not in state.users:
        raise ConstraintViolation(f"{by!r} is not a registered user and may not administer {kind}")
    if subject is not None and subject == by:
        raise ConstraintViolation(f"{by!r} may not administer their own access ({kind})")
    needed = rights.roles_for(kind)
    held = effective(state, tenant, by, at).roles
    if tenant is not None:
        held = held | effective(state, None, by, at).roles
    if held.isdisjoint(needed):
        raise ConstraintViolation(
            f"{by!r} may not administer {kind}: it needs one of {sorted(needed) or '(no role)'}"
        )


def _not_own_role(  # noqa: PLR0917 (internal, one call shape)
    state: State, kind: AdminKind, by: str | None, role: str, tenant: str | None, at: datetime
) -> None:
    """Refuse, under admin rights, a change that widens a role *by* holds (own access)."""
    if state.config.admin is None or by is None:
        return
    scopes: set[str | None] = {None, tenant}
    if tenant is None:
        # A rule without a tenant applies in every tenant the administrator is in.
        scopes |= {t for t, _ in state.members} | {t for t, _ in state.user_grants}
    for scope in scopes:
        if role in effective(state, scope, by, at).roles:
            raise ConstraintViolation(
                f"{by!r} may not administer their own access ({kind} of role {role!r}, "
                "which they hold)"
            )


def _role(state: State, value: object, field: str = "role") -> str:
    name = canon_id(value, field)
    if name not in state.roles:
        raise PolicyConfigError(f"unknown role {name!r}", field=field)
    return name


def _user(state: State, value: object, field: str = "user") -> str:
    name = canon_id(value, field)
    if name not in state.users:
        raise PolicyConfigError(f"unknown user {name!r}; add_user() first", field=field)
    return name


def _strings(value: object, field: str) -> list[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise PolicyConfigError("must be a list of names", field=field)
    return list(value)


def _event(kind: Any, at: datetime, by: str | None, **fields: Any) -> PendingEvent:
    return PendingEvent(kind, at, by, fields)


def _check_folded(state: State, kind: str, name: str) -> immutables.Map[tuple[str, str], str]:
    key = (kind, fold_id(name))
    other = state.folded.get(key)
    if other is not None and other != name:
        raise PolicyConfigError(
            f"differs from the existing {kind} {other!r} only in letter case or width "
            "(a look-alike)",
            field=kind,
        )
    return state.folded.set(key, name)


# -- hierarchy -----------------------------------------------------------------------


def _recompute(state: State, roles: immutables.Map[str, RoleInfo], start: str) -> State:
    """Roles and closures after a change to *start*'s juniors (its seniors follow)."""
    seniors = _seniors_after(state, roles, start)
    affected: set[str] = set()
    stack = [start]
    while stack:
        name = stack.pop()
        if name not in affected:
            affected.add(name)
            stack.extend(seniors.get(name, ()))
    fresh: dict[str, frozenset[str]] = {}
    for root in affected:
        todo = [(root, False)]
        while todo:
            current, expanded = todo.pop()
            if current in fresh:
                continue
            juniors = roles[current].juniors
            if not expanded:
                todo.append((current, True))
                todo.extend((j, False) for j in juniors if j in affected and j not in fresh)
                continue
            members = {current}
            for junior in juniors:
                members |= fresh[junior] if junior in fresh else state.closure[junior]
            fresh[current] = frozenset(members)
    closure = state.closure.mutate()
    for name, closed in fresh.items():
        closure[name] = closed
    return state.derive(roles=roles, closure=closure.finish(), seniors=seniors, hierarchy=object())


def _seniors_after(
    state: State, roles: immutables.Map[str, RoleInfo], changed: str
) -> immutables.Map[str, frozenset[str]]:
    """The reverse edges after *changed*'s juniors became ``roles[changed].juniors``."""
    seniors = state.seniors
    old = state.roles.get(changed)
    before = old.juniors if old is not None else frozenset()
    after = roles[changed].juniors if changed in roles else frozenset()
    for junior in before - after:
        seniors = seniors.set(junior, seniors.get(junior, frozenset()) - {changed})
    for junior in after - before:
        seniors = seniors.set(junior, seniors.get(junior, frozenset()) | {changed})
    return seniors


def _path(state: State, start: str, goal: str) -> list[str]:
    queue: list[list[str]] = [[start]]
    seen = {start}
    head = 0
    while head < len(queue):
        path = queue[head]
        head += 1
        if path[-1] == goal:
            return path
        for junior in sorted(state.roles[path[-1]].juniors):
            if junior not in seen:
                seen.add(junior)
                queue.append([*path, junior])
    return [start]  # pragma: no cover - callers ask only for reachable roles


def _duration(value: object, field: str) -> timedelta | None:
    if value is None:
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not 0 < value <= _LONGEST_SECONDS
    ):
        raise PolicyConfigError("must be a positive number of seconds", field=field)
    return timedelta(seconds=value)


def _approver_roles(
    state: State, name: str, raw: object, *, privileged: bool
) -> frozenset[str] | None:
    """The approver roles of a new role: defined roles, at least one, privileged roles only."""
    if raw is None:
        return None
    field = f"roles.{name}.approver_roles"
    if not privileged:
        raise PolicyConfigError("applies only to a privileged role (privileged=True)", field=field)
    names = _strings(raw, field)
    if not names:
        # Nobody could ever approve a grant: the role would be unusable, silently.
        raise PolicyConfigError(
            "must name at least one role (leave it out to use the engine's approver role)",
            field=field,
        )
    return frozenset(_role(state, r, f"{field}[{i}]") for i, r in enumerate(names))


def op_add_role(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    _authorize(state, "roles", by, None, None, at)
    name = canon_id(args.get("role"), "role")
    if name in state.roles:
        raise PolicyConfigError(f"role {name!r} already exists", field=f"roles.{name}")
    folded = _check_folded(state, "role", name)
    privileged = args.get("privileged", False)
    if not isinstance(privileged, bool):
        raise PolicyConfigError("must be true or false", field=f"roles.{name}.privileged")
    approvals = args.get("approvals", 1)
    if not isinstance(approvals, int) or isinstance(approvals, bool) or approvals < 1:
        raise PolicyConfigError("must be at least 1", field=f"roles.{name}.approvals")
    juniors = []
    for i, junior in enumerate(_strings(args.get("inherits", ()), f"roles.{name}.inherits")):
        juniors.append(_role(state, junior, f"roles.{name}.inherits[{i}]"))
    approvers = _approver_roles(state, name, args.get("approver_roles"), privileged=privileged)
    max_duration = _duration(args.get("max_duration_seconds"), f"roles.{name}.max_duration")
    if not privileged and (approvals != 1 or max_duration is not None):
        # Only privileged roles are granted through approvals: these would do nothing.
        key = "approvals" if approvals != 1 else "max_duration"
        raise PolicyConfigError(
            "applies only to a privileged role (privileged=True)", field=f"roles.{name}.{key}"
        )
    info = RoleInfo(name, frozenset(juniors), privileged, approvals, approvers, max_duration)
    roles = state.roles.set(name, info)
    new = _recompute(state.derive(folded=folded), roles, name)
    event = _event(
        "role_added",
        at,
        by,
        role=name,
        details={"inherits": sorted(juniors), "privileged": privileged, "approvals": approvals},
    )
    return Result(new, [event])


def op_add_inheritance(
    state: State, args: Mapping[str, Any], at: datetime, by: str | None
) -> Result:
    _authorize(state, "roles", by, None, None, at)
    senior = _role(state, args.get("senior"), "senior")
    junior = _role(state, args.get("junior"), "junior")
    _not_own_role(state, "roles", by, senior, None, at)
    if senior in state.closure[junior]:
        cycle = " -> ".join([senior, *_path(state, junior, senior)])
        raise PolicyConfigError(f"cycle {cycle}", field=f"roles.{senior}.inherits")
    info = state.roles[senior]
    if junior in info.juniors:
        return Result(state, [])
    roles = state.roles.set(senior, attrs.evolve(info, juniors=info.juniors | {junior}))
    new = _recompute(state, roles, senior)
    check_ssd(new, users_holding(new, [senior]), at)
    return Result(
        new, [_event("inheritance_added", at, by, role=senior, details={"junior": junior})]
    )


def op_delete_inheritance(
    state: State, args: Mapping[str, Any], at: datetime, by: str | None
) -> Result:
    _authorize(state, "roles", by, None, None, at)
    senior = _role(state, args.get("senior"), "senior")
    junior = canon_id(args.get("junior"), "junior")
    # Cutting an edge of a held role can lift a deny the junior carries.
    _not_own_role(state, "roles", by, senior, None, at)
    info = state.roles[senior]
    if junior not in info.juniors:
        raise PolicyConfigError(f"{senior!r} does not inherit {junior!r}", field="junior")
    roles = state.roles.set(senior, attrs.evolve(info, juniors=info.juniors - {junior}))
    new = _recompute(state, roles, senior)
    return Result(
        new, [_event("inheritance_deleted", at, by, role=senior, details={"junior": junior})]
    )


def op_delete_role(  # noqa: PLR0912 (every part of a role goes)
    state: State, args: Mapping[str, Any], at: datetime, by: str | None
) -> Result:
    _authorize(state, "roles", by, None, None, at)
    name = _role(state, args.get("role"))
    # Deleting a held role (directly or through a senior) can lift its denies.
    _not_own_role(state, "roles", by, name, None, at)
    for kind, table in (("static", state.ssd), ("dynamic", state.dsd)):
        for constraint in table.values():
            if name in constraint.roles:
                raise ConstraintViolation(
                    f"role {name!r} is part of the {kind} separation-of-duty constraint "
                    f"{constraint.name!r}"
                )
    admin = state.config.admin
    if admin is not None:
        kinds = sorted(k for k, roles in admin.rights.items() if name in roles)
        if kinds:
            raise ConstraintViolation(
                f"role {name!r} holds administrator rights ({', '.join(kinds)}); "
                "change the rights first"
            )
    for other in state.roles.values():
        relies = other.approver_roles is not None and name in other.approver_roles
        if other.name != name and relies:
            raise ConstraintViolation(
                f"role {name!r} approves grants of the privileged role {other.name!r}; "
                "that role would have no approvers"
            )
    events: list[Event] = []
    new = state
    # Rules of the role, in every tenant.
    for key in [k for k in state.rule_index if k[1] == name]:
        for record in state.rule_index[key].values():
            new = _remove_rule(new, record)
    # Assignments.
    for tenant, role in [k for k in state.members if k[1] == name]:
        for user in state.members[(tenant, role)]:
            new = _set_assignment(new, tenant, user, new.assigned(tenant, user).delete(name), name)
            events.append(
                _event(
                    "role_deassigned",
                    at,
                    by,
                    user=user,
                    role=name,
                    tenant=tenant,
                    details={"cause": "role_deleted"},
                )
            )
    # Privileged grants and requests of the role.
    for grant in [g for g in new.grants.values() if g.role == name]:
        new, event = _grants.revoke(new, grant.request_id, by, at)
        events.append(event)
    for pending in [p for p in new.pending.values() if p.role == name]:
        new, event = _grants.revoke(new, pending.request_id, by, at)
        events.append(event)
    # The role and every edge to it.
    roles = new.roles
    for senior in new.seniors.get(name, ()):
        info = roles[senior]
        roles = roles.set(senior, attrs.evolve(info, juniors=info.juniors - {name}))
    seniors = new.seniors
    for junior in state.roles[name].juniors:
        seniors = seniors.set(junior, seniors.get(junior, frozenset()) - {name})
    roles = roles.delete(name)
    affected = set(new.seniors.get(name, ()))
    new = new.derive(roles=roles, seniors=seniors.delete(name) if name in seniors else seniors)
    closure = new.closure.delete(name)
    new = new.derive(closure=closure)
    for senior in affected:
        new = _recompute(new, new.roles, senior)
    reviewed = new.reviewed
    for marked in [k for k in reviewed if k[2] == name]:
        reviewed = reviewed.delete(marked)
    folded = new.folded.delete(("role", fold_id(name)))
    new = new.derive(reviewed=reviewed, folded=folded, hierarchy=object())
    events.append(_event("role_deleted", at, by, role=name))
    return Result(new, events)


# -- users and assignments -----------------------------------------------------------


def op_add_user(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    name = canon_id(args.get("user"), "user")
    _authorize(state, "users", by, None, name, at)
    if name in state.users:
        return Result(state, [])
    folded = _check_folded(state, "user", name)
    new = state.derive(users=state.users.set(name, UserInfo(name, at)), folded=folded)
    return Result(new, [_event("user_added", at, by, user=name)])


def _set_assignment(
    state: State, tenant: str | None, user: str, roles: immutables.Map[str, datetime], changed: str
) -> State:
    key = (tenant, user)
    assignments = (
        state.assignments.set(key, roles)
        if len(roles)
        else (state.assignments.delete(key) if key in state.assignments else state.assignments)
    )
    members_key = (tenant, changed)
    group = state.members.get(members_key, _M)
    group = (
        group.set(user, None)
        if changed in roles
        else (group.delete(user) if user in group else group)
    )
    members = (
        state.members.set(members_key, group)
        if len(group)
        else (state.members.delete(members_key) if members_key in state.members else state.members)
    )
    return state.derive(assignments=assignments, members=members)


def op_assign(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    user = _user(state, args.get("user"))
    role = _role(state, args.get("role"))
    _authorize(state, "assignments", by, tenant, user, at)
    if state.roles[role].privileged:
        raise ConstraintViolation(
            f"role {role!r} is privileged: it is granted only through request_grant() and approvals"
        )
    current = state.assigned(tenant, user)
    if role in current:
        return Result(state, [])
    when = args.get("since")
    since = at if when is None else to_utc(_parse_time(when, "since"), name="since")
    if since > at:
        # A holding dated later than the change that made it would not be due
        # for review until that date (a periodic review it silently skips).
        raise PolicyConfigError("must not be after the assignment was made", field="since")
    new = _set_assignment(state, tenant, user, current.set(role, since), role)
    check_ssd(new, [(tenant, user)], at)
    return Result(new, [_event("role_assigned", at, by, user=user, role=role, tenant=tenant)])


def _parse_time(value: object, field: str) -> datetime:
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            raise PolicyConfigError("must be an ISO 8601 time", field=field) from None
        if parsed.tzinfo is None:
            raise PolicyConfigError("must carry a time zone", field=field)
        return parsed
    raise PolicyConfigError("must be an ISO 8601 time", field=field)


def op_deassign(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    user = canon_id(args.get("user"), "user")
    role = canon_id(args.get("role"), "role")
    _authorize(state, "assignments", by, tenant, user, at)
    current = state.assigned(tenant, user)
    if role not in current:
        raise PolicyConfigError(f"{user!r} does not hold {role!r}", field="role")
    new = _set_assignment(state, tenant, user, current.delete(role), role)
    return Result(new, [_event("role_deassigned", at, by, user=user, role=role, tenant=tenant)])


def op_remove_user(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    user = _user(state, args.get("user"))
    _authorize(state, "users", by, None, user, at)
    new = state
    for tenant, _ in [k for k in state.assignments if k[1] == user]:
        for role in list(state.assigned(tenant, user)):
            new = _set_assignment(new, tenant, user, new.assigned(tenant, user).delete(role), role)
    new, events = _grants.withdraw_for_user(new, user, at)
    clearances = new.clearances
    for key in [k for k in clearances if k[1] == user]:
        clearances = clearances.delete(key)
    reviewed = new.reviewed
    for marked in [k for k in reviewed if k[1] == user]:
        reviewed = reviewed.delete(marked)
    new = new.derive(
        users=new.users.delete(user),
        folded=new.folded.delete(("user", fold_id(user))),
        clearances=clearances,
        reviewed=reviewed,
    )
    return Result(new, [*events, _event("user_removed", at, by, user=user)])


# -- rules ---------------------------------------------------------------------------


def _remove_rule(state: State, record: RuleRecord) -> State:
    role, text, action, effect, tenant = record
    key = (tenant, role)
    index = state.rule_index[key].delete(record)
    rule_index = state.rule_index.set(key, index) if len(index) else state.rule_index.delete(key)
    segments = canon_pattern(text)
    if "*" not in segments and "**" not in segments:
        key2 = (tenant, text)
        entry = entry_without(state.exact[key2], action, role, effect)
        exact = state.exact.set(key2, entry) if entry else state.exact.delete(key2)
        return state.derive(exact=exact, rule_index=rule_index)

    def change(payload: Any) -> Any:
        entry = entry_without(payload[1], action, role, effect)
        return (text, entry) if entry else None

    root = trie_update(state.rules.get(tenant, EMPTY), segments, change)
    rules = state.rules.delete(tenant) if root.is_empty() else state.rules.set(tenant, root)
    return state.derive(rules=rules, rule_index=rule_index)


def _payload_with(record: RuleRecord) -> Callable[[Any], Any]:
    """The trie change that adds *record* to a node's ``(text, entry)`` payload."""
    role, text, action, effect, _tenant = record

    def change(payload: Any) -> Any:
        entry = payload[1] if payload is not None else EMPTY_ENTRY
        return (text, entry_with(entry, action, role, effect))

    return change


def _add_rule(state: State, record: RuleRecord, segments: tuple[str, ...]) -> State:
    role, text, action, effect, tenant = record
    key = (tenant, role)
    index = state.rule_index.get(key, _M).set(record, record)
    rule_index = state.rule_index.set(key, index)
    if "*" not in segments and "**" not in segments:
        key2 = (tenant, text)
        entry = entry_with(state.exact.get(key2, EMPTY_ENTRY), action, role, effect)
        return state.derive(exact=state.exact.set(key2, entry), rule_index=rule_index)
    root = trie_update(state.rules.get(tenant, EMPTY), segments, _payload_with(record))
    return state.derive(rules=state.rules.set(tenant, root), rule_index=rule_index)


def add_rules(state: State, items: Sequence[tuple[RuleRecord, tuple[str, ...]]]) -> State:
    """*state* with every ``(record, segments)`` of *items* added: the bulk fast path.

    The same state as adding them one by one with :func:`_add_rule` (its
    plain twin; a property test holds the two to the same maps and tries),
    but the maps are changed through one mutation each instead of copying a
    path per rule, so a large batch allocates (and leaves the garbage
    collector) a fraction of the nodes. Records must be new (not in *state*)
    and distinct.
    """
    exact = state.exact.mutate()
    index = state.rule_index.mutate()
    per_role: dict[tuple[str | None, str], Any] = {}
    rules = state.rules
    for record, segments in items:
        role, text, action, effect, tenant = record
        key = (tenant, role)
        mine = per_role.get(key)
        if mine is None:
            mine = per_role[key] = state.rule_index.get(key, _M).mutate()
        mine[record] = record
        if "*" not in segments and "**" not in segments:
            key2 = (tenant, text)
            exact[key2] = entry_with(exact.get(key2, EMPTY_ENTRY), action, role, effect)
            continue
        rules = rules.set(
            tenant, trie_update(rules.get(tenant, EMPTY), segments, _payload_with(record))
        )
    for key, mine in per_role.items():
        index[key] = mine.finish()
    return state.derive(exact=exact.finish(), rule_index=index.finish(), rules=rules)


def _rule_items(value: object) -> list[object]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise PolicyConfigError("must be a list of [role, resource, action]", field="rules")
    return list(value)


class _Granted(Sequence[PendingEvent]):
    """The ``permission_granted`` events of a bulk grant, built only when someone reads them.

    A batch of many rules would otherwise hold an event object (with its
    dictionaries) per rule until the change commits, whether or not a hook
    listens.
    """

    __slots__ = ("_at", "_by", "_items")

    def __init__(
        self, items: list[tuple[RuleRecord, tuple[str, ...]]], at: datetime, by: str | None
    ) -> None:
        self._items = items
        self._at = at
        self._by = by

    def __len__(self) -> int:
        return len(self._items)

    def _event(self, record: RuleRecord) -> PendingEvent:
        role, text, action, _, tenant = record
        return _event(
            "permission_granted",
            self._at,
            self._by,
            role=role,
            tenant=tenant,
            details={"resource": text, "operation": action},
        )

    @overload
    def __getitem__(self, index: int) -> PendingEvent: ...
    @overload
    def __getitem__(self, index: slice) -> list[PendingEvent]: ...
    def __getitem__(self, index: int | slice) -> PendingEvent | list[PendingEvent]:
        if isinstance(index, slice):
            return [self._event(record) for record, _ in self._items[index]]
        return self._event(self._items[index][0])

    def __iter__(self) -> Iterator[PendingEvent]:
        for record, _ in self._items:
            yield self._event(record)


def op_grant_many(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    """Allow many ``[role, resource, action]`` rules in *tenant* at once, all or nothing."""
    tenant = tenant_of(args)
    _authorize(state, "permissions", by, tenant, None, at)
    items: list[tuple[RuleRecord, tuple[str, ...]]] = []
    # Keys as text (canonical names hold no NUL), which the collector never tracks.
    seen: set[str] = set()
    checked: set[str] = set()
    for i, raw in enumerate(_rule_items(args.get("rules"))):
        path = f"rules[{i}]"
        if isinstance(raw, str | bytes) or not isinstance(raw, Sequence) or len(raw) != 3:  # noqa: PLR2004 (a triple)
            raise PolicyConfigError("must be [role, resource, action]", field=path)
        role = _role(state, raw[0], f"{path}.role")
        segments = canon_pattern(_resource_text(raw[1], f"{path}.resource"), f"{path}.resource")
        action = canon_action(raw[2], f"{path}.action", pattern=True)
        if role not in checked:
            _not_own_role(state, "permissions", by, role, tenant, at)
            checked.add(role)
        text = "/".join(segments)
        key = f"{role}\x00{text}\x00{action}"
        if key in seen:
            continue
        existing = state.rule_index.get((tenant, role))
        if existing is not None and (role, text, action, "allow", tenant) in existing:
            continue  # granted already: harmless, as with grant()
        seen.add(key)
        items.append(((role, text, action, "allow", tenant), segments))
    if not items:
        return Result(state, [], 0)
    return Result(add_rules(state, items), _Granted(items, at, by), len(items))


def _resource_text(value: object, field: str = "resource") -> str:
    if not isinstance(value, str):
        raise PolicyConfigError("must be a resource name or pattern", field=field)
    return value


def _op_rule(
    effect: RuleEffect,
) -> Callable[[State, Mapping[str, Any], datetime, str | None], Result]:
    def op(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
        tenant = tenant_of(args)
        role = _role(state, args.get("role"))
        action = canon_action(args.get("action"), pattern=True)
        segments = canon_pattern(_resource_text(args.get("resource")))
        text = "/".join(segments)
        _authorize(state, "permissions", by, tenant, None, at)
        if effect == "allow":
            _not_own_role(state, "permissions", by, role, tenant, at)
        existing = state.rule_index.get((tenant, role))
        if existing is not None and (role, text, action, effect, tenant) in existing:
            return Result(state, [])
        kind = "permission_granted" if effect == "allow" else "permission_denied"
        event = _event(
            kind, at, by, role=role, tenant=tenant, details={"resource": text, "operation": action}
        )
        return Result(_add_rule(state, (role, text, action, effect, tenant), segments), [event])

    return op


def op_revoke(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    role = canon_id(args.get("role"), "role")
    action = canon_action(args.get("action"), pattern=True)
    pattern = ResourcePattern(_resource_text(args.get("resource")))
    _authorize(state, "permissions", by, tenant, None, at)
    _not_own_role(state, "permissions", by, role, tenant, at)
    existing = state.rule_index.get((tenant, role), _M)
    found = [
        existing[(role, pattern.text, action, effect, tenant)]
        for effect in ("allow", "deny")
        if (role, pattern.text, action, effect, tenant) in existing
    ]
    if not found:
        raise PolicyConfigError(f"{role!r} has no rule for {action} on {pattern}", field="rule")
    new = state
    for record in found:
        new = _remove_rule(new, record)
    event = _event(
        "permission_revoked",
        at,
        by,
        role=role,
        tenant=tenant,
        details={"resource": pattern.text, "operation": action},
    )
    return Result(new, [event])


# -- constraints ---------------------------------------------------------------------


def _op_constraint(kind: str) -> Callable[[State, Mapping[str, Any], datetime, str | None], Result]:
    def op(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
        _authorize(state, "constraints", by, None, None, at)
        name = canon_id(args.get("name"), f"{kind}.name")
        members = frozenset(
            _role(state, r, f"{kind}.{name}.roles")
            for r in _strings(args.get("roles"), f"{kind}.{name}.roles")
        )
        size = args.get("n", 2)
        if (
            not isinstance(size, int)
            or isinstance(size, bool)
            or size < 2  # noqa: PLR2004 (NIST: n >= 2)
            or size > len(members)
        ):
            raise PolicyConfigError(
                "n must be at least 2 and at most the number of roles", field=f"{kind}.{name}.n"
            )
        table = state.ssd if kind == "ssd" else state.dsd
        if name in table:
            raise PolicyConfigError("already exists", field=f"{kind}.{name}")
        constraint = Constraint(name, members, size)
        if kind == "ssd":
            new = state.derive(ssd=state.ssd.set(name, constraint))
            check_ssd(new, now=at)
        else:
            # Sessions that now break it deny until a role is dropped (see Session).
            new = state.derive(dsd=state.dsd.set(name, constraint))
        event = _event(
            f"{kind}_added", at, by, details={"name": name, "roles": sorted(members), "n": size}
        )
        return Result(new, [event])

    return op


# -- labels --------------------------------------------------------------------------


def _level(state: State, value: object) -> str:
    level = canon_id(value, "level")
    if level not in state.levels:
        raise PolicyConfigError(
            f"unknown level {level!r}; levels are {', '.join(state.levels) or '(none)'}",
            field="level",
        )
    return level


def _not_own_label(
    state: State, by: str | None, tenant: str | None, text: str, level: str | None
) -> None:
    """Refuse, under admin rights, lowering or removing a label that fences *by* out.

    *level* is the new level (None: the label goes). A label without a
    tenant applies in every tenant, so every clearance of *by* counts.
    """
    old = state.label_index.get((tenant, text))
    if state.config.admin is None or by is None or old is None:
        return
    rank = state.level_index(old)
    if level is not None and state.level_index(level) >= rank:
        return  # raising or keeping a label narrows access
    scopes: set[str | None] = {tenant}
    if tenant is None:
        scopes |= {t for t, u in state.clearances if u == by}
        scopes |= {t for t, u in state.assignments if u == by}
    for scope in scopes:
        clearance = state.clearances.get((scope, by))
        if clearance is None or state.level_index(clearance) < rank:
            raise ConstraintViolation(
                f"{by!r} may not administer their own access (lowering or removing the label "
                f"{old!r} on {text}, above their clearance)"
            )


def op_set_label(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    pattern = ResourcePattern(_resource_text(args.get("resource")))
    level = _level(state, args.get("level"))
    _authorize(state, "labels", by, tenant, None, at)
    _not_own_label(state, by, tenant, pattern.text, level)
    rank = state.level_index(level)
    index = state.label_index.set((tenant, pattern.text), level)
    if pattern.is_exact:
        exact = state.label_exact.set((tenant, pattern.text), (rank, pattern))
        new = state.derive(label_exact=exact, label_index=index)
    else:
        root = trie_update(
            state.labels.get(tenant, EMPTY), pattern.segments, lambda _: (rank, pattern)
        )
        new = state.derive(labels=state.labels.set(tenant, root), label_index=index)
    event = _event(
        "label_set", at, by, tenant=tenant, details={"resource": pattern.text, "level": level}
    )
    return Result(new, [event])


def op_remove_label(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    pattern = ResourcePattern(_resource_text(args.get("resource")))
    _authorize(state, "labels", by, tenant, None, at)
    if (tenant, pattern.text) not in state.label_index:
        raise PolicyConfigError(f"no label on {pattern}", field="resource")
    _not_own_label(state, by, tenant, pattern.text, None)
    index = state.label_index.delete((tenant, pattern.text))
    if pattern.is_exact:
        new = state.derive(
            label_exact=state.label_exact.delete((tenant, pattern.text)), label_index=index
        )
    else:
        root = trie_update(state.labels[tenant], pattern.segments, lambda _: None)
        labels = state.labels.delete(tenant) if root.is_empty() else state.labels.set(tenant, root)
        new = state.derive(labels=labels, label_index=index)
    event = _event("label_removed", at, by, tenant=tenant, details={"resource": pattern.text})
    return Result(new, [event])


def op_set_clearance(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    user = _user(state, args.get("user"))
    level = _level(state, args.get("level"))
    _authorize(state, "labels", by, tenant, user, at)
    new = state.derive(clearances=state.clearances.set((tenant, user), level))
    event = _event("clearance_set", at, by, user=user, tenant=tenant, details={"level": level})
    return Result(new, [event])


# -- privileged grants and reviews ---------------------------------------------------


def op_request_grant(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    seconds = args.get("duration_seconds")
    if (
        isinstance(seconds, bool)
        or not isinstance(seconds, int | float)
        or not 0 < seconds <= _LONGEST_SECONDS
    ):
        raise PolicyConfigError("must be a positive timedelta", field="duration")
    new, pending, event = _grants.request(
        state,
        user=args.get("user"),
        role=args.get("role"),
        tenant=tenant_of(args),
        requested_by=args.get("requested_by"),
        duration=timedelta(seconds=seconds),
        reason=args.get("reason"),
        at=at,
    )
    return Result(new, [event], pending)


def op_approve(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    new, grant, events = _grants.approve(state, args.get("request_id"), by, at)
    return Result(new, events, grant)


def op_revoke_grant(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    request_id = args.get("request_id")
    target = state.grants.get(request_id) if isinstance(request_id, str) else None
    subject = target.user if target is not None else None
    _authorize(state, "grants", by, None if target is None else target.tenant, subject, at)
    new, event = _grants.revoke(state, request_id, by, at)
    return Result(new, [event])


def op_expire(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    new, lapsed, events = _grants.expire(state, at)
    return Result(new, events, lapsed)


def op_mark_reviewed(state: State, args: Mapping[str, Any], at: datetime, by: str | None) -> Result:
    tenant = tenant_of(args)
    user = _user(state, args.get("user"))
    role = _role(state, args.get("role"))
    if by is None:
        raise PolicyConfigError("a review needs the reviewer (by=)", field="by")
    _authorize(state, "reviews", by, tenant, user, at)
    # A review is an attestation by a person: a registered user other than
    # the one reviewed, about a holding that exists (with or without
    # administrator rights configured).
    if by not in state.users:
        raise ConstraintViolation(f"{by!r} is not a registered user and may not record a review")
    if by == user:
        raise ConstraintViolation(f"{by!r} may not review their own access")
    if role not in effective(state, tenant, user, at).roles:
        raise PolicyConfigError(
            f"{user!r} does not hold {role!r} here; nothing to review", field="role"
        )
    new = state.derive(reviewed=state.reviewed.set((tenant, user, role), (at, by)))
    return Result(new, [_event("review_recorded", at, by, user=user, role=role, tenant=tenant)])


def check_rights_roles(state: State, rights: AdminRights | None) -> None:
    """Refuse administrator rights that name a role that does not exist (a typo locks out)."""
    if rights is None:
        return
    for kind, roles in sorted(rights.rights.items()):
        for role in sorted(roles):
            if role not in state.roles:
                raise PolicyConfigError(f"unknown role {role!r}", field=f"admin_rights.{kind}")


def _no_own_gain(state: State, rights: AdminRights | None, by: str | None, at: datetime) -> None:
    """Refuse, under enforced rights, new rights that give *by* a kind they lack now.

    ``None`` (no enforcement) gives everyone every kind. The roles *by* holds
    in any tenant count, as they do when a right is used there.
    """
    old = state.config.admin
    if old is None or by is None:
        return
    scopes: set[str | None] = {None}
    scopes |= {t for t, u in state.assignments if u == by}
    scopes |= {t for t, u in state.user_grants if u == by}
    held: frozenset[str] = frozenset()
    for scope in scopes:
        held |= effective(state, scope, by, at).roles
    gained = [
        kind
        for kind in ADMIN_KINDS
        if held.isdisjoint(old.roles_for(kind))
        and (rights is None or not held.isdisjoint(rights.roles_for(kind)))
    ]
    if gained:
        raise ConstraintViolation(
            f"{by!r} may not widen their own administrator rights (would gain "
            f"{', '.join(gained)}); another administrator must make this change"
        )


def op_set_admin_rights(
    state: State, args: Mapping[str, Any], at: datetime, by: str | None
) -> Result:
    if state.config.admin is not None:
        _authorize(state, "admin", by, None, None, at)
    raw = args.get("rights")
    rights = None if raw is None else AdminRights(rights=raw)
    check_rights_roles(state, rights)
    _no_own_gain(state, rights, by, at)
    new = state.derive(config=attrs.evolve(state.config, admin=rights))
    details = {} if rights is None else {k: sorted(v) for k, v in rights.rights.items()}
    return Result(new, [_event("admin_rights_set", at, by, details=details)])


OPS: Final[dict[str, Callable[[State, Mapping[str, Any], datetime, str | None], Result]]] = {
    "add_user": op_add_user,
    "remove_user": op_remove_user,
    "add_role": op_add_role,
    "delete_role": op_delete_role,
    "add_inheritance": op_add_inheritance,
    "delete_inheritance": op_delete_inheritance,
    "grant": _op_rule("allow"),
    "grant_many": op_grant_many,
    "deny": _op_rule("deny"),
    "revoke": op_revoke,
    "assign": op_assign,
    "deassign": op_deassign,
    "add_ssd": _op_constraint("ssd"),
    "add_dsd": _op_constraint("dsd"),
    "set_label": op_set_label,
    "remove_label": op_remove_label,
    "set_clearance": op_set_clearance,
    "request_grant": op_request_grant,
    "approve": op_approve,
    "revoke_grant": op_revoke_grant,
    "expire_grants": op_expire,
    "mark_reviewed": op_mark_reviewed,
    "set_admin_rights": op_set_admin_rights,
}


def apply(state: State, change: Mapping[str, Any]) -> Result:
    """Apply one change (see the module docstring) to *state*.

    Raises:
        PolicyConfigError: For a malformed change or invalid arguments.
        ConstraintViolation: If the change would break a constraint or the
            administrator may not make it.
    """
    if not isinstance(change, Mapping):
        raise PolicyConfigError("must be a table", field="change")
    op = OPS.get(change.get("op"))  # type: ignore[arg-type]
    if op is None:
        raise PolicyConfigError("unknown operation", field="change.op")
    args = change.get("args", {})
    if not isinstance(args, Mapping):
        raise PolicyConfigError("must be a table", field="change.args")
    by_raw = change.get("by")
    by = None if by_raw is None else canon_id(by_raw, "by")
    at = to_utc(_parse_time(change.get("at"), "change.at"), name="at")
    return op(state, args, at, by)
