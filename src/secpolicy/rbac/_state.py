"""The engine's immutable state: persistent maps and tries, replaced whole on every change.

Every collection that grows with the policy is a persistent map
(:mod:`immutables`, a HAMT) or a persistent segment trie, so a change costs
the logarithm of the policy's size and shares everything else with the state
before it. Readers hold one state and see it whole.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, NamedTuple

import attrs
import immutables

if TYPE_CHECKING:
    from secpolicy.rbac._entries import Entry
    from secpolicy.rbac._match import Node
    from secpolicy.rbac._model import AdminRights, PendingRequest, PrivilegedGrant, RuleRecord

__all__ = ["Config", "Constraint", "RoleInfo", "State", "UserInfo", "new_state"]

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


class State(NamedTuple):
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
        rules: Per tenant (``None``: every tenant), the trie of wildcard
            rules; payloads are ``(pattern text, entry)`` (see
            :mod:`._entries`).
        exact: ``(tenant, resource)`` to the entry of the rules without
            wildcards at that name (one look-up per tenant, no walk).
        rule_index: ``(tenant, role)`` to its rules, each record keyed by
            itself, for review and revoke.
        labels: Per tenant, the trie of wildcard labels; payloads are
            ``(rank, pattern)``.
        label_exact: ``(tenant, resource)`` to ``(rank, pattern)``.
        label_index: ``(tenant, pattern text)`` to its level.
        clearances: ``(tenant, user)`` to a level.
        ssd, dsd: Separation-of-duty constraints by name.
        grants: Privileged grants by request id.
        user_grants: ``(tenant, user)`` to request ids of their grants.
        pending: Pending requests by id.
        reviewed: ``(tenant, user, role)`` to the last review: when, and by whom.
        next_request: The number of the next request id.
        version: The policy-store version this state reflects.
        cache: Derived, validated-on-read answers shared between states.
        memo: Answers of ``check`` for this state only (a new state starts
            with an empty one), for users without privileged grants.
    """

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
    exact: immutables.Map[tuple[str | None, str], Entry]
    rule_index: immutables.Map[tuple[str | None, str], immutables.Map[RuleRecord, RuleRecord]]
    labels: immutables.Map[str | None, Node]
    label_exact: immutables.Map[tuple[str | None, str], tuple[int, Any]]
    label_index: immutables.Map[tuple[str | None, str], str]
    clearances: immutables.Map[tuple[str | None, str], str]
    ssd: immutables.Map[str, Constraint]
    dsd: immutables.Map[str, Constraint]
    grants: immutables.Map[str, PrivilegedGrant]
    user_grants: immutables.Map[tuple[str | None, str], tuple[str, ...]]
    pending: immutables.Map[str, PendingRequest]
    reviewed: immutables.Map[tuple[str | None, str, str], tuple[datetime, str | None]]
    next_request: int
    version: int
    cache: dict[Any, Any]
    memo: dict[Any, bool]

    def derive(self, **changes: Any) -> State:
        """A copy of this state with *changes* (and an empty memo); the original is untouched.

        Raises:
            KeyError: For a name that is not a field (a programming error).
        """
        # NamedTuple._replace pops every one of the 28 fields from a dict; a
        # change touches one to three, so copy the values and set those.
        values = list(self)
        values[_MEMO_INDEX] = {}
        for name, value in changes.items():
            values[_FIELD_INDEX[name]] = value
        return tuple.__new__(State, values)

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


_FIELD_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(State._fields)}
_MEMO_INDEX: Final = _FIELD_INDEX["memo"]


def new_state(*, levels: tuple[str, ...] = (), config: Config | None = None) -> State:
    """An empty state (its own cache and hierarchy token)."""
    empty = _M
    return State(
        levels=levels,
        config=config or Config(),
        roles=empty,
        closure=empty,
        seniors=empty,
        hierarchy=object(),
        users=empty,
        folded=empty,
        assignments=empty,
        members=empty,
        rules=empty,
        exact=empty,
        rule_index=empty,
        labels=empty,
        label_exact=empty,
        label_index=empty,
        clearances=empty,
        ssd=empty,
        dsd=empty,
        grants=empty,
        user_grants=empty,
        pending=empty,
        reviewed=empty,
        next_request=1,
        version=0,
        cache={},
        memo={},
    )
