"""The engine's immutable state and the permission index built from it."""

from __future__ import annotations

from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

import attrs

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime

    from secpolicy.rbac._model import PendingRequest, PrivilegedGrant, ResourcePattern, Rule

_EMPTY: Final[Mapping[Any, Any]] = MappingProxyType({})


@attrs.frozen
class RoleInfo:
    """A role's definition (global: the same role can be used in every tenant)."""

    name: str
    juniors: frozenset[str] = frozenset()
    privileged: bool = False
    approvals: int = 1


@attrs.frozen
class Constraint:
    """A separation-of-duty constraint: fewer than *n* of *roles* per user (or session)."""

    name: str
    roles: frozenset[str]
    n: int


class Index:
    """The rules of one role and every role it inherits, in one tenant, for fast lookup."""

    __slots__ = ("exact", "wild")

    def __init__(self, rules: list[tuple[Rule, str]]) -> None:
        self.exact: dict[tuple[str, str], list[tuple[Rule, str]]] = {}
        self.wild: list[tuple[Rule, str]] = []
        for rule, owner in rules:
            if rule.resource.is_exact:
                self.exact.setdefault((rule.resource.text, rule.action), []).append((rule, owner))
            else:
                self.wild.append((rule, owner))

    def verdict(self, resource: str, action: str) -> int:
        """0 if no rule applies, 1 if only allows apply, 2 if a deny applies (fast path)."""
        found = 0
        exact = self.exact
        for hits in (exact.get((resource, action)), exact.get((resource, "*"))):
            if hits:
                for rule, _ in hits:
                    if rule.effect == "deny":
                        return 2
                found = 1
        for rule, _ in self.wild:
            if rule.action in ("*", action) and rule.resource.matches(resource):
                if rule.effect == "deny":
                    return 2
                found = 1
        return found

    def lookup(
        self, resource: str, action: str
    ) -> tuple[tuple[Rule, str] | None, tuple[Rule, str] | None]:
        """The first deny and the first allow that apply, with the role that owns each."""
        deny = allow = None
        exact = self.exact
        for key in ((resource, action), (resource, "*")):
            for hit in exact.get(key, ()):
                if hit[0].effect == "deny":
                    deny = deny or hit
                else:
                    allow = allow or hit
        for hit in self.wild:
            rule = hit[0]
            if rule.action in ("*", action) and rule.resource.matches(resource):
                if rule.effect == "deny":
                    deny = deny or hit
                else:
                    allow = allow or hit
        return deny, allow


@attrs.frozen
class State:
    """Everything the engine knows, replaced whole on every change."""

    levels: tuple[str, ...] = ()
    roles: Mapping[str, RoleInfo] = _EMPTY
    closure: Mapping[str, frozenset[str]] = _EMPTY
    users: frozenset[str] = frozenset()
    rules: Mapping[tuple[str | None, str], tuple[Rule, ...]] = _EMPTY
    assignments: Mapping[str | None, Mapping[str, Mapping[str, datetime]]] = _EMPTY
    ssd: Mapping[str, Constraint] = _EMPTY
    dsd: Mapping[str, Constraint] = _EMPTY
    labels: Mapping[str | None, tuple[tuple[ResourcePattern, str], ...]] = _EMPTY
    clearances: Mapping[tuple[str | None, str], str] = _EMPTY
    grants: tuple[PrivilegedGrant, ...] = ()
    pending: Mapping[str, PendingRequest] = _EMPTY
    reviewed: Mapping[tuple[str | None, str, str], datetime] = _EMPTY
    # Permission indexes by (tenant, role), built on first use. Shared by
    # states whose roles, hierarchy and rules are the same.
    cache: dict[tuple[str | None, str], Index] = attrs.field(factory=dict, eq=False, repr=False)
    # Indexes of each user's assigned roles. Not an init field, so every new
    # state (every change, assignments included) starts with an empty one.
    user_cache: dict[tuple[str | None, str], tuple[Index, ...]] = attrs.field(
        factory=dict, eq=False, repr=False, init=False
    )

    def index(self, tenant: str | None, role: str) -> Index:
        """The permission index of *role* (with everything it inherits) in *tenant*."""
        key = (tenant, role)
        found = self.cache.get(key)
        if found is None:
            rules: list[tuple[Rule, str]] = []
            for junior in self.closure.get(role, ()):
                rules.extend((r, junior) for r in self.rules.get((None, junior), ()))
                if tenant is not None:
                    rules.extend((r, junior) for r in self.rules.get((tenant, junior), ()))
            found = self.cache[key] = Index(rules)
        return found

    def user_indexes(self, tenant: str | None, user: str) -> tuple[Index, ...]:
        """The indexes of the roles assigned to *user* in *tenant* (cached for known users)."""
        key = (tenant, user)
        found = self.user_cache.get(key)
        if found is None:
            roles = self.assigned(tenant, user)
            found = tuple(self.index(tenant, role) for role in roles)
            if roles:  # unknown users leave no trace
                self.user_cache[key] = found
        return found

    def assigned(self, tenant: str | None, user: str) -> Mapping[str, datetime]:
        """The roles assigned to *user* in *tenant*, with the time of assignment."""
        table: Mapping[str, Mapping[str, datetime]] = self.assignments.get(tenant, _EMPTY)
        return table.get(user, _EMPTY)

    def active_grants(self, tenant: str | None, user: str, now: datetime) -> list[PrivilegedGrant]:
        """The privileged grants of *user* in force at *now*."""
        return [g for g in self.grants if g.user == user and g.tenant == tenant and g.active(now)]

    def authorized(self, tenant: str | None, user: str, now: datetime | None = None) -> set[str]:
        """Every role *user* holds in *tenant*: assigned, inherited and (at *now*) granted."""
        roles: set[str] = set()
        for role in self.assigned(tenant, user):
            roles |= self.closure[role]
        if now is not None:
            for grant in self.active_grants(tenant, user, now):
                roles |= self.closure[grant.role]
        return roles

    def label_of(self, tenant: str | None, resource: str) -> str | None:
        """The highest sensitivity level among the labels that match *resource*."""
        best: str | None = None
        for scope in (None, tenant) if tenant is not None else (None,):
            for pattern, level in self.labels.get(scope, ()):
                if pattern.matches(resource) and (
                    best is None or self.levels.index(level) > self.levels.index(best)
                ):
                    best = level
        return best


def compute_closure(roles: Mapping[str, RoleInfo]) -> dict[str, frozenset[str]]:
    """Each role with every role it inherits, directly or not (the hierarchy must be acyclic)."""
    closure: dict[str, frozenset[str]] = {}

    def visit(name: str) -> frozenset[str]:
        found = closure.get(name)
        if found is None:
            members = {name}
            stack = list(roles[name].juniors)
            while stack:
                junior = stack.pop()
                if junior not in members:
                    members.add(junior)
                    stack.extend(roles[junior].juniors)
            found = closure[name] = frozenset(members)
        return found

    for name in roles:
        visit(name)
    return closure
