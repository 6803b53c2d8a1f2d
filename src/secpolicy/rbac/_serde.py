"""RBAC policies as plain data: loading with precise errors, and dumping."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac._model import ResourcePattern, Rule, RuleEffect
from secpolicy.rbac._state import Constraint, RoleInfo, State, compute_closure

if TYPE_CHECKING:
    from datetime import datetime

    from secpolicy.rbac._engine import RBAC

_TOP = {
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
}


def _mapping(value: Any, path: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise PolicyConfigError("must be a table", field=path)
    return value


def _list(value: Any, path: str) -> Sequence[Any]:
    if not isinstance(value, list | tuple):
        raise PolicyConfigError("must be a list", field=path)
    return value


def _text(item: Mapping[str, Any], key: str, path: str, *, optional: bool = False) -> Any:
    value = item.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value:
        raise PolicyConfigError("must be a non-empty string", field=f"{path}.{key}")
    return value


def _rethrow(path: str, exc: PolicyConfigError) -> PolicyConfigError:
    return PolicyConfigError(exc.reason, field=path)


def _entries(data: Mapping[str, Any], key: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(path, entry)`` for each table in the list *data[key]*."""
    for i, item in enumerate(_list(data.get(key, []), key)):
        path = f"{key}[{i}]"
        yield path, _mapping(item, path)


def _roles(roles: Mapping[str, Any]) -> dict[str, RoleInfo]:
    """Validate role definitions and inheritance (in file order, refusing cycles)."""
    specs = {
        name: _mapping(spec if spec is not None else {}, f"roles.{name}")
        for name, spec in roles.items()
    }
    infos: dict[str, RoleInfo] = {}
    for name, spec in specs.items():
        path = f"roles.{name}"
        key: object = name  # policy files are untyped
        if not isinstance(key, str) or not name.strip():
            raise PolicyConfigError("role names must be non-empty strings", field="roles")
        unknown = sorted(set(spec) - {"inherits", "privileged", "approvals"})
        if unknown:
            raise PolicyConfigError(f"unknown key(s) {', '.join(unknown)}", field=path)
        privileged = spec.get("privileged", False)
        if not isinstance(privileged, bool):
            raise PolicyConfigError("must be true or false", field=f"{path}.privileged")
        approvals = spec.get("approvals", 1)
        if not isinstance(approvals, int) or isinstance(approvals, bool) or approvals < 1:
            raise PolicyConfigError("must be at least 1", field=f"{path}.approvals")
        infos[name] = RoleInfo(name, frozenset(), privileged, approvals)
    edges: dict[str, set[str]] = {name: set() for name in infos}
    for name, spec in specs.items():
        for i, junior in enumerate(_list(spec.get("inherits", []), f"roles.{name}.inherits")):
            path = f"roles.{name}.inherits[{i}]"
            if junior not in infos:
                raise PolicyConfigError(f"unknown role {junior!r}", field=path)
            back = _reach(edges, junior, name)
            if back is not None:
                raise PolicyConfigError(f"cycle {' -> '.join([name, *back])}", field=path)
            edges[name].add(junior)
    return {
        name: RoleInfo(name, frozenset(edges[name]), i.privileged, i.approvals)
        for name, i in infos.items()
    }


def _reach(edges: Mapping[str, set[str]], start: str, goal: str) -> list[str] | None:
    """A path from *start* to *goal* along *edges*, or None."""
    queue, seen = [[start]], {start}
    while queue:
        path = queue.pop(0)
        if path[-1] == goal:
            return path
        for nxt in sorted(edges[path[-1]]):
            if nxt not in seen:
                seen.add(nxt)
                queue.append([*path, nxt])
    return None


def _rules(
    data: Mapping[str, Any], roles: Mapping[str, RoleInfo]
) -> dict[tuple[str | None, str], tuple[Rule, ...]]:
    table: dict[tuple[str | None, str], dict[Rule, None]] = {}
    kinds: tuple[tuple[str, RuleEffect], ...] = (("grants", "allow"), ("denies", "deny"))
    for kind, effect in kinds:
        for path, item in _entries(data, kind):
            role, resource, action = (_text(item, k, path) for k in ("role", "resource", "action"))
            tenant = _text(item, "tenant", path, optional=True)
            if role not in roles:
                raise PolicyConfigError(f"unknown role {role!r}", field=f"{path}.role")
            try:
                pattern = ResourcePattern(resource)
            except PolicyConfigError as exc:
                raise _rethrow(f"{path}.resource", exc) from None
            rule = Rule(role, pattern, action, effect, tenant)
            table.setdefault((tenant, role), {})[rule] = None
    return {key: tuple(rules) for key, rules in table.items()}


def _constraints(
    data: Mapping[str, Any], roles: Mapping[str, RoleInfo], kind: str
) -> dict[str, Constraint]:
    out: dict[str, Constraint] = {}
    for path, item in _entries(data, kind):
        name = _text(item, "name", path)
        members = frozenset(_list(item.get("roles"), f"{path}.roles"))
        unknown = sorted(str(r) for r in members - set(roles))
        if unknown:
            raise PolicyConfigError(f"unknown role(s) {', '.join(unknown)}", field=f"{path}.roles")
        n = item.get("n", 2)
        if not isinstance(n, int) or isinstance(n, bool) or n < 2 or n > len(members):  # noqa: PLR2004
            raise PolicyConfigError(
                "n must be at least 2 and at most the number of roles", field=f"{path}.n"
            )
        if name in out:
            raise PolicyConfigError("already exists", field=f"{path}.name")
        out[name] = Constraint(name, members, n)
    return out


def _assignments(
    data: Mapping[str, Any],
    roles: Mapping[str, RoleInfo],
    *,
    closure: Mapping[str, frozenset[str]],
    users: frozenset[str],
    ssd: Mapping[str, Constraint],
    now: datetime,
) -> dict[str | None, dict[str, dict[str, datetime]]]:
    table: dict[str | None, dict[str, dict[str, datetime]]] = {}
    held: dict[tuple[str | None, str], set[str]] = {}
    for path, item in _entries(data, "assignments"):
        user, role = _text(item, "user", path), _text(item, "role", path)
        tenant = _text(item, "tenant", path, optional=True)
        if user not in users:
            raise PolicyConfigError(f"unknown user {user!r}", field=f"{path}.user")
        if role not in roles:
            raise PolicyConfigError(f"unknown role {role!r}", field=f"{path}.role")
        if roles[role].privileged:
            raise PolicyConfigError(
                f"role {role!r} is privileged: it is granted only through request_grant()",
                field=f"{path}.role",
            )
        authorized = held.setdefault((tenant, user), set())
        authorized |= closure[role]
        for constraint in ssd.values():
            count = len(authorized & constraint.roles)
            if count >= constraint.n:
                raise PolicyConfigError(
                    f"static separation of duty {constraint.name!r}: {user!r} would hold {count} "
                    f"of {sorted(constraint.roles)} (at most {constraint.n - 1} allowed)",
                    field=path,
                )
        table.setdefault(tenant, {}).setdefault(user, {})[role] = now
    return table


def _labels(engine: RBAC, data: Mapping[str, Any]) -> None:
    for kind, key, setter in (
        ("labels", "resource", engine.set_label),
        ("clearances", "user", engine.set_clearance),
    ):
        for path, item in _entries(data, kind):
            tenant = _text(item, "tenant", path, optional=True)
            try:
                setter(_text(item, key, path), _text(item, "level", path), tenant=tenant)
            except PolicyConfigError as exc:
                raise _rethrow(path, exc) from None


def load(engine: RBAC, data: Mapping[str, Any], now: datetime) -> None:
    """Validate *data* in one pass and install it in the empty *engine* as one state.

    Every error names the offending entry. Loading is a single policy change:
    no per-assignment events are reported.
    """
    data = _mapping(data, "rbac")
    unknown = sorted(set(data) - _TOP)
    if unknown:
        raise PolicyConfigError(f"unknown key(s) {', '.join(unknown)}", field="rbac")
    roles = _roles(_mapping(data.get("roles", {}), "roles"))
    users = []
    for i, user in enumerate(_list(data.get("users", []), "users")):
        if not isinstance(user, str) or not user.strip():
            raise PolicyConfigError("must be a non-empty string", field=f"users[{i}]")
        users.append(user)
    rules = _rules(data, roles)
    ssd, dsd = _constraints(data, roles, "ssd"), _constraints(data, roles, "dsd")
    closure = compute_closure(roles)
    assignments = _assignments(
        data, roles, closure=closure, users=frozenset(users), ssd=ssd, now=now
    )
    engine._state = State(  # noqa: SLF001 (same area: installing a freshly built state)
        levels=engine.state.levels,
        roles=MappingProxyType(roles),
        closure=MappingProxyType(closure),
        users=frozenset(users),
        rules=MappingProxyType(rules),
        assignments=MappingProxyType(
            {
                tenant: MappingProxyType({u: MappingProxyType(r) for u, r in table.items()})
                for tenant, table in assignments.items()
            }
        ),
        ssd=MappingProxyType(ssd),
        dsd=MappingProxyType(dsd),
    )
    _labels(engine, data)


def dump(state: State) -> dict[str, Any]:
    """The policy in *state* as plain, JSON- and TOML-ready data."""

    def rules(effect: str) -> list[dict[str, Any]]:
        out = []
        for (tenant, role), items in state.rules.items():
            for rule in items:
                if rule.effect == effect:
                    entry = {"role": role, "resource": rule.resource.text, "action": rule.action}
                    if tenant is not None:
                        entry["tenant"] = tenant
                    out.append(entry)
        return out

    def scoped(entry: dict[str, Any], tenant: str | None) -> dict[str, Any]:
        return entry if tenant is None else {**entry, "tenant": tenant}

    return {
        "levels": list(state.levels),
        "roles": {
            name: {
                "inherits": sorted(info.juniors),
                "privileged": info.privileged,
                "approvals": info.approvals,
            }
            for name, info in state.roles.items()
        },
        "users": sorted(state.users),
        "grants": rules("allow"),
        "denies": rules("deny"),
        "assignments": [
            scoped({"user": user, "role": role}, tenant)
            for tenant, table in state.assignments.items()
            for user, roles in table.items()
            for role in roles
        ],
        "ssd": [{"name": c.name, "roles": sorted(c.roles), "n": c.n} for c in state.ssd.values()],
        "dsd": [{"name": c.name, "roles": sorted(c.roles), "n": c.n} for c in state.dsd.values()],
        "labels": [
            scoped({"resource": p.text, "level": level}, tenant)
            for tenant, items in state.labels.items()
            for p, level in items
        ],
        "clearances": [
            scoped({"user": user, "level": level}, tenant)
            for (tenant, user), level in state.clearances.items()
        ],
    }
