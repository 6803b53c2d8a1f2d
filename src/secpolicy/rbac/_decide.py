"""Pure decision logic over one immutable state: effective roles, rule look-up, decisions.

Nothing here changes a state or reads a clock; the engine passes both in.
The only side effect is the state's cache of effective role sets, whose
entries are checked against the state they are read with (the user's
assignments, grants and the hierarchy, by identity, and the time window), so
a cache entry can never answer for a state it was not computed from.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Final

from secpolicy.rbac._entries import records
from secpolicy.rbac._match import ResourcePattern, match_segments, pattern_of, reaches, trie_match
from secpolicy.rbac._model import Decision, PrivilegedGrant, ResourceFilter, Rule, rule_of
from secpolicy.rbac._names import _REQUEST_CACHE as _REQUESTS
from secpolicy.rbac._names import CACHED_NAME_MAX, canon_request

if TYPE_CHECKING:
    from collections.abc import Iterable

    from secpolicy.rbac._entries import Entry
    from secpolicy.rbac._state import State

__all__ = [
    "Effective",
    "allowed_plain",
    "decide",
    "effective",
    "label_level",
    "lookup",
    "resources_for",
    "role_path",
    "session_roles",
    "traverse",
    "who_can",
]

_CACHE_LIMIT: Final = 1 << 17


class Effective:
    """The roles a user is authorized for at an instant.

    Attributes:
        roles: Every role held: assigned roles and what they inherit, and the
            privileged roles of active grants with what those inherit. A
            privileged role is entered only through a grant of that role.
        plain: The part held without any privileged grant.
        grants: The active grants, each with the roles it brings.
        since, until: The time window in which the answer holds.
    """

    __slots__ = ("grants", "plain", "roles", "since", "until")

    def __init__(
        self,
        roles: frozenset[str],
        plain: frozenset[str],
        grants: tuple[tuple[PrivilegedGrant, frozenset[str]], ...],
        since: datetime | None,
        until: datetime | None,
    ) -> None:
        self.roles = roles
        self.plain = plain
        self.grants = grants
        self.since = since
        self.until = until


def traverse(state: State, starts: Iterable[str], granted: frozenset[str]) -> frozenset[str]:
    """*starts* and every role they inherit, entering privileged roles only if in *granted*."""
    roles = state.roles
    out: set[str] = set()
    stack = list(starts)
    while stack:
        name = stack.pop()
        if name in out:
            continue
        info = roles.get(name)
        if info is None or (info.privileged and name not in granted):
            continue
        out.add(name)
        stack.extend(info.juniors)
    return frozenset(out)


def effective(state: State, tenant: str | None, user: str, now: datetime | None) -> Effective:
    """The roles *user* holds in *tenant* at *now* (``now`` may be None if they have no grants)."""
    assigned = state.assignments.get((tenant, user))
    grant_ids = state.user_grants.get((tenant, user))
    key = (tenant, user)
    cache = state.cache
    hit = cache.get(key)
    if hit is not None and hit[0] is assigned and hit[1] is grant_ids and hit[2] is state.hierarchy:
        found: Effective = hit[3]
        if found.since is None or (
            now is not None and found.since <= now and (found.until is None or now < found.until)
        ):
            return found
    since: datetime | None = None
    until: datetime | None = None
    active: list[PrivilegedGrant] = []
    if grant_ids and now is None:
        # Without an instant no grant can be shown active: the plain roles only.
        plain = traverse(state, assigned or (), frozenset())
        return Effective(plain, plain, (), None, None)
    if grant_ids:
        assert now is not None  # noqa: S101 (checked above)
        since = datetime.min.replace(tzinfo=now.tzinfo)
        for request_id in grant_ids:
            grant = state.grants[request_id]
            if grant.active(now):
                active.append(grant)
                since = max(since, grant.starts)
                until = grant.expires if until is None else min(until, grant.expires)
            elif grant.starts > now:
                until = grant.starts if until is None else min(until, grant.starts)
            else:
                since = max(since, grant.expires)
    plain = traverse(state, assigned or (), frozenset())
    brought: list[tuple[PrivilegedGrant, frozenset[str]]] = []
    roles = plain
    if active:
        granted = frozenset(g.role for g in active)
        roles = traverse(state, [*(assigned or ()), *granted], granted)
        brought = [(g, traverse(state, [g.role], granted)) for g in active]
    found = Effective(roles, plain, tuple(brought), since, until)
    if len(user) + len(tenant or "") <= CACHED_NAME_MAX:  # a long name is kept nowhere
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[key] = (assigned, grant_ids, state.hierarchy, found, state.assignments)
    return found


def _entries(
    state: State, scope: str | None, resource: tuple[str, ...], text: str
) -> list[tuple[str, Entry]]:
    """The ``(pattern text, entry)`` of every pattern in *scope* that matches *resource*."""
    found: list[tuple[str, Entry]] = []
    entry = state.exact.get((scope, text))
    if entry is not None:
        found.append((text, entry))
    root = state.rules.get(scope)
    if root is not None:
        found.extend(trie_match(root, resource))
    return found


def lookup(
    state: State,
    tenant: str | None,
    resource: tuple[str, ...],
    action: str,
    roles: frozenset[str] | None,
) -> tuple[list[Rule], list[Rule]]:
    """The deny and allow rules of *roles* (every role if None) that apply to the request."""
    denies: list[Rule] = []
    allows: list[Rule] = []
    text = "/".join(resource)
    for scope in (None, tenant) if tenant is not None else (None,):
        for pattern, entry in _entries(state, scope, resource, text):
            for record in records(entry, pattern, scope, action):
                if roles is not None and record[0] not in roles:
                    continue
                (denies if record[3] == "deny" else allows).append(rule_of(record))
    return denies, allows


def allowed_plain(  # noqa: PLR0917 (the plain twin of first_check)
    state: State,
    tenant: str | None,
    user: str,
    resource: tuple[str, ...],
    action: str,
    text: str,
    key: tuple[str | None, str] | None = None,
) -> bool:
    """``check`` for a user without privileged grants in *tenant*: roles, rules, labels in one pass.

    The plain twin of :func:`first_check` (which the engine calls). The
    same answer as ``decide(...).allowed`` with ``effective(state, tenant,
    user, None)`` (its own plain twin; differential tests hold the three
    together). *text* is ``"/".join(resource)``; *key* is ``(tenant, user)``
    if the caller has built it already. The user's roles come from
    the validated cache when it can answer (no assignment anywhere changed
    since, or not this user's, and the same hierarchy); each applicable
    action of an entry is answered by two ``isdisjoint`` calls; a deny ends
    the look-up at once.
    """
    if key is None:
        key = (tenant, user)
    roles = plain_roles(state, tenant, user, key)
    if not roles:
        return False
    # The request's plan: every rule entry that applies to the name, and its
    # highest label, shared between states and checked against the rule and
    # label maps it was read from (by identity), so a plan never answers for
    # a state whose rules or labels differ.
    plan = plan_of(state, tenant, resource, text)
    found = False
    for entry in plan[5]:
        # The requested action's cell, then the cell of rules for every action.
        cell = entry.get(action)
        if cell is not None:
            if cell[1] and not roles.isdisjoint(cell[1]):
                return False
            found = found or not roles.isdisjoint(cell[0])
        cell = entry.get("*")
        if cell is not None:
            if cell[1] and not roles.isdisjoint(cell[1]):
                return False
            found = found or not roles.isdisjoint(cell[0])
    if not found:
        return False
    best: int = plan[4]
    if best < 0:
        return True
    clearance = state.clearances.get(key)
    return clearance is not None and state.levels.index(clearance) >= best


_PLAN: Final = object()  # marks a tenant's plan key apart from a (tenant, user) key


def first_check(state: State, key: tuple[str, str, str, str | None]) -> bool | None:
    """``check`` of a request of plain strings that the memo has not answered.

    *key* is the request's exact arguments ``(user, resource, action,
    tenant)``. None if the user holds privileged grants in the tenant (the
    caller decides fully, never memoises). Otherwise the same answer as
    :func:`allowed_plain` (its plain twin, itself held to :func:`decide`).

    One look-up by *key* finds the request's *record*: the roles of the
    rules that apply to the request (its action's and ``*``'s, allowing
    and denying, from the entries of the name and of every matching
    wildcard pattern), the highest label of the name, and the user's
    roles, with the maps each was read from, checked by identity against
    *state* (the rule and label maps; the assignments, the grants by user
    and the hierarchy). So a record never answers for a state whose rules,
    labels, assignments, grants or roles differ. The three role sets are
    bit masks over a numbering of the user's roles made when the record is
    built (see :func:`_masks`), so they are small and compared in one
    step; they are only ever compared with masks of the same record. What
    the record leaves to each check is the decision itself: the user's
    roles against the denying and allowing roles (a deny wins), then the
    clearance, whose rank the record keeps only with the clearance map it
    was read from. A record that does not fit is rebuilt from the
    validated plan and role caches.

    Raises:
        InvalidNameError: For a malformed name (the request is not recorded).
    """
    rec = state.cache.get(key)
    if (
        rec is None
        or rec[0] is not state.exact
        or rec[1] is not state.rules
        or rec[2] is not state.label_exact
        or rec[3] is not state.labels
        or rec[4] is not state.assignments
        or rec[5] is not state.user_grants
        or rec[6] is not state.hierarchy
    ):
        rec = _record(state, key)
    roles: int | None = rec[7]
    if roles is None:
        return None
    if roles & rec[9] or not roles & rec[8]:
        return False  # a deny of a held role, or no held role allows
    best: int = rec[10]
    if best < 0:
        return True
    if rec[11] is state.clearances:
        return rec[12] >= best  # type: ignore[no-any-return]
    clearance = state.clearances.get(rec[13])
    return clearance is not None and state.levels.index(clearance) >= best


def _masks(held: Iterable[str], *groups: Iterable[str]) -> list[int]:
    """The mask of the *held* roles, then of each group, over a numbering of *held* made here.

    Only the held roles get bits: a role of a group that is not held adds
    none, as it could never meet a held one. The numbering is local to the
    call, and masks are meaningful only against masks of the same call,
    which is how a record uses them. (A numbering shared between calls, and
    so between threads, could give two names one bit when two record builds
    numbered names at once, and a user's role then met another role's rule.)
    """
    bits = {role: 1 << i for i, role in enumerate(held)}
    out = [(1 << len(bits)) - 1]
    get = bits.get
    for group in groups:
        mask = 0
        for role in group:
            mask |= get(role, 0)
        out.append(mask)
    return out


def _record(state: State, key: tuple[str, str, str, str | None]) -> tuple[Any, ...]:
    """The request record :func:`first_check` reads, built for *state* and stored."""
    canon = _REQUESTS.get(key)
    if canon is None:
        canon = canon_request(*key)
    name, segments, act, scope, text = canon
    holder = (scope, name)
    plan = plan_of(state, scope, segments, text)
    roles: frozenset[str] | None = None
    if not (state.user_grants and holder in state.user_grants):
        roles = plain_roles(state, scope, name, holder)
    allow: list[str] = []
    deny: list[str] = []
    for entry in plan[5]:
        for cell in (entry.get(act), entry.get("*")):
            if cell is not None:
                allow.extend(cell[0])
                deny.extend(cell[1])
    held, allowing, denying = _masks(roles or (), allow, deny)
    clearance = state.clearances.get(holder)
    rank = -1 if clearance is None else state.levels.index(clearance)
    rec = (
        state.exact,
        state.rules,
        state.label_exact,
        state.labels,
        state.assignments,
        state.user_grants,
        state.hierarchy,
        None if roles is None else held,
        allowing,
        denying,
        plan[4],
        state.clearances,
        rank,
        holder,
    )
    cache = state.cache
    if len(cache) >= _CACHE_LIMIT:
        cache.clear()
    cache[key] = rec
    return rec


def plain_roles(
    state: State, tenant: str | None, user: str, key: tuple[str | None, str]
) -> frozenset[str]:
    """The roles of *user* (without privileged grants) in *tenant*; *key* is ``(tenant, user)``.

    From the validated cache when it can answer (no assignment anywhere
    changed since, or not this user's, and the same hierarchy), else from
    :func:`effective`.
    """
    cache = state.cache
    hit = cache.get(key)
    if hit is not None and hit[1] is None and hit[2] is state.hierarchy:
        if hit[4] is state.assignments:
            return hit[3].roles  # type: ignore[no-any-return]  # no assignment changed since
        if hit[0] is state.assignments.get(key):
            cache[key] = (*hit[:4], state.assignments)
            return hit[3].roles  # type: ignore[no-any-return]
    return effective(state, tenant, user, None).roles


def plan_of(
    state: State, tenant: str | None, resource: tuple[str, ...], text: str
) -> tuple[Any, ...]:
    """The request plan of *text* in *tenant* (see :func:`_plan`), from the cache if it fits."""
    cache = state.cache
    pkey: object = text if tenant is None else (tenant, text, _PLAN)
    plan = cache.get(pkey)
    if (
        plan is None
        or plan[0] is not state.exact
        or plan[1] is not state.rules
        or plan[2] is not state.label_exact
        or plan[3] is not state.labels
    ):
        plan = _plan(state, tenant, resource, text)
        if len(cache) >= _CACHE_LIMIT:
            cache.clear()
        cache[pkey] = plan
    return plan


def _plan(
    state: State, tenant: str | None, resource: tuple[str, ...], text: str
) -> tuple[Any, ...]:
    """``(exact, rules, label_exact, labels, best label or -1, entries)`` for one name.

    The entries are those of the exact name and of every wildcard pattern
    matching *resource*, in *tenant*'s scope and the global one; the first
    four items are the maps they were read from (the plan's validity).
    """
    entries: list[Entry] = []
    best = -1
    for scope in (None,) if tenant is None else (None, tenant):
        entry = state.exact.get((scope, text))
        if entry is not None:
            entries.append(entry)
        root = state.rules.get(scope) if state.rules else None
        if root is not None:
            entries.extend(wild for _, wild in trie_match(root, resource))
        hit = state.label_exact.get((scope, text))
        if hit is not None and hit[0] > best:
            best = hit[0]
        marks = state.labels.get(scope) if state.labels else None
        if marks is not None:
            for level, _ in trie_match(marks, resource):
                best = max(best, level)
    return (state.exact, state.rules, state.label_exact, state.labels, best, tuple(entries))


def label_level(
    state: State, tenant: str | None, resource: tuple[str, ...], text: str | None = None
) -> int | None:
    """The rank of the highest sensitivity label matching *resource*, if any.

    *text* is ``"/".join(resource)`` if the caller has it already.
    """
    if text is None:
        text = "/".join(resource)
    best: int | None = None
    exact = state.label_exact.get
    tries = state.labels
    for scope in (None,) if tenant is None else (None, tenant):
        hit = exact((scope, text))
        if hit is not None and (best is None or hit[0] > best):
            best = hit[0]
        root = tries.get(scope) if tries else None
        if root is not None:
            for level, _ in trie_match(root, resource):
                if best is None or level > best:
                    best = level
    return best


def cleared(
    state: State,
    tenant: str | None,
    user: str,
    resource: tuple[str, ...],
    text: str | None = None,
) -> bool:
    """True if no label on *resource* is above *user*'s clearance."""
    if not state.label_index:
        return True
    label = label_level(state, tenant, resource, text)
    if label is None:
        return True
    clearance = state.clearances.get((tenant, user))
    return clearance is not None and state.level_index(clearance) >= label


def role_path(
    state: State, starts: Iterable[str], goal: str, granted: frozenset[str]
) -> tuple[str, ...]:
    """The shortest inheritance path from one of *starts* down to *goal* (sorted ties)."""
    queue: list[tuple[str, ...]] = [(s,) for s in sorted(starts)]
    seen = {p[0] for p in queue}
    head = 0
    while head < len(queue):
        path = queue[head]
        head += 1
        if path[-1] == goal:
            return path
        info = state.roles[path[-1]]
        for junior in sorted(info.juniors):
            jinfo = state.roles[junior]
            if junior not in seen and (not jinfo.privileged or junior in granted):
                seen.add(junior)
                queue.append((*path, junior))
    return (goal,)  # pragma: no cover - callers ask only for reachable roles


def session_roles(
    state: State, eff: Effective, active: frozenset[str]
) -> tuple[frozenset[str], frozenset[str]]:
    """The roles a session's *active* set gives now: (all, those held without a grant)."""
    granted = frozenset(g.role for g, _ in eff.grants)
    roles = traverse(state, active & eff.roles, granted)
    return roles, roles & eff.plain


def _sort(rules: list[Rule]) -> list[Rule]:
    return sorted(set(rules), key=lambda r: (r.role, r.resource.text, r.action, r.tenant or ""))


def decide(  # noqa: PLR0917 (internal, called in two places)
    state: State,
    tenant: str | None,
    user: str,
    resource: tuple[str, ...],
    action: str,
    eff: Effective,
    *,
    roles: frozenset[str] | None = None,
    plain: frozenset[str] | None = None,
    starts: Iterable[str] | None = None,
) -> Decision:
    """The full decision: effect, deciding rule, role path, reason.

    *roles*/*plain* narrow the roles (a session); *starts* are the roles the
    path in the decision begins from (the held or active roles).
    """
    held = eff.roles if roles is None else roles
    without_grant = eff.plain if plain is None else plain
    granted = frozenset(g.role for g, _ in eff.grants)
    text = "/".join(resource)
    where = "" if tenant is None else f" in tenant {tenant!r}"
    origin = (
        sorted(starts)
        if starts is not None
        else [
            *state.assigned(tenant, user),
            *(g.role for g, _ in eff.grants),
        ]
    )
    denies, allows = lookup(state, tenant, resource, action, held)
    common: dict[str, Any] = {"user": user, "resource": text, "action": action, "tenant": tenant}
    if denies:
        rule = _sort(denies)[0]
        path = role_path(state, [r for r in origin if r in held], rule.role, granted)
        return Decision(
            allowed=False,
            effect="explicit_deny",
            roles=path,
            rule=rule,
            reason=f"rule '{rule}' denies it, through role {' -> '.join(path)}{where}",
            **common,
        )
    if not allows:
        return Decision(
            allowed=False,
            effect="implicit_deny",
            roles=(),
            rule=None,
            reason=f"no role of {user!r} allows {action} on {text}{where} (default deny)",
            **common,
        )
    ordinary = [r for r in allows if r.role in without_grant]
    grant: PrivilegedGrant | None = None
    if ordinary:
        rule = _sort(ordinary)[0]
    else:
        rule = _sort(allows)[0]
        grant = next((g for g, brings in eff.grants if rule.role in brings), None)
    path = role_path(state, [r for r in origin if r in held], rule.role, granted)
    if not cleared(state, tenant, user, resource):
        label = label_level(state, tenant, resource)
        assert label is not None  # noqa: S101 (not cleared means labelled)
        clearance = state.clearances.get((tenant, user))
        has = f"is cleared to {clearance}" if clearance else "has no clearance"
        return Decision(
            allowed=False,
            effect="explicit_deny",
            roles=path,
            rule=None,
            reason=f"{text} is labelled {state.levels[label]}; {user!r} {has}",
            **common,
        )
    via = " -> ".join(path)
    extra = "" if grant is None else f" (privileged grant {grant.request_id})"
    return Decision(
        allowed=True,
        effect="allow",
        roles=path,
        rule=rule,
        reason=f"rule '{rule}' allows it, through role {via}{where}{extra}",
        privileged=grant is not None,
        request_id=None if grant is None else grant.request_id,
        **common,
    )


def denied(tenant: str | None, user: str, resource: str, action: str, reason: str) -> Decision:
    """An explicit deny that no rule made (a stale policy, a broken session constraint)."""
    return Decision(
        allowed=False,
        effect="explicit_deny",
        roles=(),
        rule=None,
        reason=reason,
        user=user,
        resource=resource,
        action=action,
        tenant=tenant,
    )


def who_can(
    state: State,
    tenant: str | None,
    resource: tuple[str, ...],
    action: str,
    now: datetime,
) -> frozenset[str]:
    """Every user allowed *action* on *resource* in *tenant* at *now*."""
    denies, allows = lookup(state, tenant, resource, action, None)
    if not allows:
        return frozenset()
    allow_roles = {r.role for r in allows}
    deny_roles = {r.role for r in denies}
    # Roles whose holders may reach an allowing role (seniors, transitively).
    reach: set[str] = set()
    stack = list(allow_roles)
    while stack:
        name = stack.pop()
        if name in reach:
            continue
        reach.add(name)
        stack.extend(state.seniors.get(name, ()))
    candidates: set[str] = set()
    for role in reach:
        candidates.update(state.members.get((tenant, role), ()))
    for tenant_key, user in state.user_grants:
        if tenant_key == tenant:
            candidates.add(user)
    out = []
    for user in candidates:
        eff = effective(state, tenant, user, now)
        if eff.roles.isdisjoint(allow_roles) or not eff.roles.isdisjoint(deny_roles):
            continue
        if cleared(state, tenant, user, resource):
            out.append(user)
    return frozenset(out)


def resources_for(  # noqa: PLR0917 (internal)
    state: State,
    tenant: str | None,
    user: str,
    action: str,
    eff: Effective,
    under: tuple[str, ...] | None,
) -> ResourceFilter:
    """The allow and deny patterns that decide which resources *user* may act on."""
    allow: dict[str, ResourcePattern] = {}
    deny: dict[str, ResourcePattern] = {}
    prefix = under or ()
    scopes = (None, tenant) if tenant is not None else (None,)
    index = state.rule_index
    for role in eff.roles:
        for scope in scopes:
            for _, text, act, effect, _ in index.get((scope, role), {}).values():
                if act not in (action, "*"):
                    continue
                pattern = pattern_of(text)
                if reaches(pattern.segments, prefix):
                    (allow if effect == "allow" else deny)[text] = pattern
    if state.label_index:
        clearance = state.clearances.get((tenant, user))
        rank = -1 if clearance is None else state.level_index(clearance)
        for (scope, text), level in state.label_index.items():
            if scope in scopes and state.level_index(level) > rank:
                pattern = pattern_of(text)
                if reaches(pattern.segments, prefix):
                    deny[text] = pattern
    denied_patterns = tuple(sorted(deny.values(), key=lambda p: p.text))
    exact_denies = {p.text for p in denied_patterns if p.is_exact}
    wild_denies = [p for p in denied_patterns if not p.is_exact]
    kept = [
        p
        for p in allow.values()
        if not (
            p.is_exact
            and (
                p.text in exact_denies
                or any(match_segments(d.segments, p.segments) for d in wild_denies)
            )
        )
    ]
    kept.sort(key=lambda p: p.text)
    return ResourceFilter(allow=tuple(kept), deny=denied_patterns, under=under)
