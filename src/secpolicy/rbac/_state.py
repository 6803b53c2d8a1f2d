"""The engine's immutable state: persistent maps and tries, replaced whole on every change.

Every collection that grows with the policy is a persistent map
(:mod:`immutables`, a HAMT) or a persistent segment trie, so a change costs
the logarithm of the policy's size and shares everything else with the state
before it. Readers hold one state and see it whole.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Final

import attrs
import immutables

from secpolicy.rbac._match import EMPTY, Node
from secpolicy.rbac._model import AdminRights, PendingRequest, PrivilegedGrant, Rule

__all__ = ["Config", "Constraint", "RoleInfo", "State", "UserInfo"]

Map = immutables.Map
_M: Final[immutables.Map[Any, Any]] = immutables.Map()

DEFAULT_REQUEST_TTL: Final = timedelta(days=3)
DEFAULT_MAX_GRANT: Final = timedelta(days=7)


@attrs.frozen
class RoleInfo:
    """A role's definition (global: the same role can be used in every tenant)."""

    name: str
    juniors: frozenset[str] = frozenset()
    privileged: bool = False
    approvals: int = 1
    approver_roles: frozenset[str] | None = None
    max_duration: timedelta | None = None


@attrs.frozen
class UserInfo:
    """A registered user. A new object on every registration, so a re-added user is new."""

    name: str
    added: datetime


@attrs.frozen
class Constraint:
    """A separation-of-duty constraint: fewer than *n* of *roles* per user (or session)."""

    name: str
    roles: frozenset[str]
    n: int


@attrs.frozen(kw_only=True)
class Config:
    """The engine's approval and administration settings (saved with the policy)."""

    approver_role: str | None = "approver"
    request_ttl: timedelta = DEFAULT_REQUEST_TTL
    max_grant_duration: timedelta = DEFAULT_MAX_GRANT
    admin: AdminRights | None = None


class State:
    """Everything the engine knows. Never changed: :meth:`derive` makes the next one.

    Attributes:
        levels: The sensitivity scale, lowest first.
        config: Approval and administration settings.
        roles: Role definitions by name.
        closure: Each role with every role it inherits (privilege ignored).
        seniors: Each role with the roles that directly inherit it.
        hierarchy: A token replaced whenever roles or inheritance change.
        users: Registered users.
        folded: Case-folded user and role names, to refuse look-alikes.
        assignments: ``(tenant, user)`` to the assigned roles and when.
        members: ``(tenant, role)`` to its directly assigned users.
        rules: Per tenant (``None``: every tenant), the rule trie; payloads
            map action to role to ``(allow, deny)`` rules.
        rule_index: ``(tenant, role)`` to its rules, for review and revoke.
        labels: Per tenant, the label trie; payloads are level indexes.
        label_index: ``(tenant, pattern text)`` to its level.
        clearances: ``(tenant, user)`` to a level.
        ssd, dsd: Separation-of-duty constraints by name.
        grants: Privileged grants by request id.
        user_grants: ``(tenant, user)`` to request ids of their grants.
        pending: Pending requests by id.
        reviewed: ``(tenant, user, role)`` to the last review.
        next_request: The number of the next request id.
        version: The policy-store version this state reflects.
        cache: Derived, validated-on-read answers shared between states.
    """

    __slots__ = (
        "assignments",
        "cache",
        "clearances",
        "closure",
        "config",
        "dsd",
        "folded",
        "grants",
        "hierarchy",
        "label_index",
        "labels",
        "levels",
        "members",
        "next_request",
        "pending",
        "reviewed",
        "roles",
        "rule_index",
        "rules",
        "seniors",
        "ssd",
        "user_grants",
        "users",
        "version",
    )

    levels: tuple[str, ...]
    config: Config
    roles: immutables.Map[str, RoleInfo]
    closure: immutables.Map[str, frozenset[str]]
    seniors: immutables.Map[str, frozenset[str]]
    hierarchy: object
    users: immutables.Map[str, UserInfo]
    folded: immutables.Map[tuple[str, str], str]
    assignments: immutables.Map[tuple[str | None, str], immutables.Map[str, datetime]]
    members: immutables.Map[tuple[str | None, str], immutables.Map[str, None]]
    rules: immutables.Map[str | None, Node]
    rule_index: immutables.Map[tuple[str | None, str], immutables.Map[tuple[str, str, str], Rule]]
    labels: immutables.Map[str | None, Node]
    label_index: immutables.Map[tuple[str | None, str], str]
    clearances: immutables.Map[tuple[str | None, str], str]
    ssd: immutables.Map[str, Constraint]
    dsd: immutables.Map[str, Constraint]
    grants: immutables.Map[str, PrivilegedGrant]
    user_grants: immutables.Map[tuple[str | None, str], tuple[str, ...]]
    pending: immutables.Map[str, PendingRequest]
    reviewed: immutables.Map[tuple[str | None, str, str], datetime]
    next_request: int
    version: int
    cache: dict[Any, Any]

    def __init__(self, *, levels: tuple[str, ...] = (), config: Config | None = None) -> None:
        self.levels = levels
        self.config = config or Config()
        self.roles = _M
        self.closure = _M
        self.seniors = _M
        self.hierarchy = object()
        self.users = _M
        self.folded = _M
        self.assignments = _M
        self.members = _M
        self.rules = _M
        self.rule_index = _M
        self.labels = _M
        self.label_index = _M
        self.clearances = _M
        self.ssd = _M
        self.dsd = _M
        self.grants = _M
        self.user_grants = _M
        self.pending = _M
        self.reviewed = _M
        self.next_request = 1
        self.version = 0
        self.cache = {}

    def derive(self, **changes: Any) -> State:
        """A copy of this state with *changes*; the original is untouched."""
        new = object.__new__(State)
        for name in State.__slots__:
            object.__setattr__(new, name, changes.pop(name, getattr(self, name)))
        if changes:  # pragma: no cover - programming error
            raise AttributeError(", ".join(changes))
        if new.hierarchy is self.hierarchy and (
            new.roles is not self.roles or new.closure is not self.closure
        ):
            object.__setattr__(new, "hierarchy", object())
        return new

    def __setattr__(self, name: str, value: object) -> None:
        if hasattr(self, "cache"):
            raise AttributeError("State is immutable; use derive()")
        object.__setattr__(self, name, value)

    # -- small queries -----------------------------------------------------------------

    def assigned(self, tenant: str | None, user: str) -> immutables.Map[str, datetime]:
        """The roles assigned to *user* in *tenant*, with the time of assignment."""
        return self.assignments.get((tenant, user), _M)

    def user_grant_list(self, tenant: str | None, user: str) -> list[PrivilegedGrant]:
        """Every grant of *user* in *tenant* (active or not)."""
        return [self.grants[i] for i in self.user_grants.get((tenant, user), ())]

    def level_index(self, level: str) -> int:
        """The rank of *level* on the scale."""
        return self.levels.index(level)


def empty_trie() -> Node:
    """An empty rule or label trie."""
    return EMPTY
