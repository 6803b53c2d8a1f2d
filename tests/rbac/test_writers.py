"""Several engines writing one policy store, with sessions and the decision log in the mix.

Two or three engines share a store and write grants, denies, revokes,
assignments, hierarchy edges, labels and privileged grants in any order,
each from whatever version it last saw: a writer behind the store gets
:class:`StoreConflict` and nothing changes. Between the writes every engine
is asked (so its memos, records and plans of older states are in its
caches), and the naive model of :mod:`tests.rbac.test_interleaved`, kept
once per store version, says what each engine must answer at the version it
holds (nothing at all once it is stale); after a refresh that is the
store's current state, which a fresh engine built from the store answers
too. Sessions opened on the engines are held to the model of their active
roles, and with the decision log on every enforced decision is recorded,
exactly once, with the reason ``decide`` gives at the same state and
instant (stale refusals included).
"""

from __future__ import annotations

import contextlib
import copy
import functools
import random
import threading
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from secpolicy import FrozenClock
from secpolicy.exceptions import AccessDenied, ConstraintViolation, PolicyConfigError
from secpolicy.rbac import RBAC, Decision, MemoryPolicyStore, RBACEvent, Session, StoreConflict
from secpolicy.stores.sql import SQLPolicyStore
from tests.rbac.test_interleaved import (
    ACTIONS,
    DENIED,
    LEVELS,
    PATTERNS,
    PRIVILEGED,
    RESOURCES,
    ROLES,
    START,
    TENANTS,
    USERS,
    Model,
    engine,
)

BOUND = timedelta(minutes=45)
DSD = frozenset({"r0", "r1"})


class Writers:
    """Engines on one store, the model of every store version, and the sessions opened."""

    def __init__(self, store: Any, n: int, *, log: bool) -> None:
        self.clock = FrozenClock(START)
        self.store = store
        self.log = log
        seed = engine(self.clock)
        seed.add_dsd("duty", sorted(DSD), 2)
        seed.attach(store)
        self.models: dict[int, Model] = {seed.store_version: Model(self.clock)}
        # The users whose departure each version records (sessions of theirs end).
        self.departures: dict[int, str] = {}
        self.events: list[list[RBACEvent]] = [[] for _ in range(n)]
        self.engines: list[RBAC] = []
        self.synced: list[datetime] = []
        # Set once an engine read a snapshot: its sessions may have ended (fail closed).
        self.reloaded: list[int] = []
        for i in range(n):
            rbac = RBAC(
                clock=self.clock,
                on_event=self.events[i].append,
                decision_log=log,
                allow_sample_rate=1.0 if log else 0.0,
            )
            rbac.attach(store, max_staleness=BOUND)
            self.engines.append(rbac)
            self.synced.append(self.clock.now())
            self.reloaded.append(-1)
        self.sessions: list[tuple[int, Session, frozenset[str], int]] = []

    @property
    def head(self) -> int:
        """The store's version."""
        return max(self.models)

    def fresh(self, i: int) -> bool:
        """True while engine *i* synchronised within the bound."""
        return self.clock.now() - self.synced[i] <= BOUND

    def commit(self, rbac: RBAC, before: int, change: Callable[[Model], None]) -> None:
        """The model of each version *rbac* wrote after *before*: *change* applied."""
        model = copy.deepcopy(self.models[before], {id(self.clock): self.clock})
        change(model)
        for version in range(before + 1, rbac.store_version + 1):
            self.models[version] = model


def _change(w: Writers, i: int, op: tuple[Any, ...]) -> None:  # noqa: PLR0912, PLR0915
    """One change on engine *i*; a refused or conflicting change changes nothing anywhere."""
    _, kind, role, other, user, tenant, pattern, action, bit = op
    rbac = w.engines[i]
    before = rbac.store_version
    document = rbac.to_dict()
    head = w.head
    change: Callable[[Model], None]
    departed: str | None = None
    try:
        if kind == "grant":
            rbac.grant(role, pattern, action, tenant=tenant)

            def change(m: Model) -> None:
                m.rules.add((role, pattern, action, "allow", tenant))

        elif kind == "deny":
            narrow = DENIED[bit]
            rbac.deny(role, narrow, action, tenant=tenant)

            def change(m: Model) -> None:
                m.rules.add((role, narrow, action, "deny", tenant))

        elif kind == "revoke":
            rbac.revoke(role, pattern, action, tenant=tenant)

            def change(m: Model) -> None:
                m.rules -= {(role, pattern, action, e, tenant) for e in ("allow", "deny")}

        elif kind == "assign":
            rbac.assign(user, role, tenant=tenant)

            def change(m: Model) -> None:
                m.assigned.add((user, role, tenant))

        elif kind == "deassign":
            rbac.deassign(user, role, tenant=tenant)

            def change(m: Model) -> None:
                m.assigned.discard((user, role, tenant))

        elif kind == "inherit":
            rbac.add_inheritance(role, other)

            def change(m: Model) -> None:
                m.inherits.add((role, other))

        elif kind == "uninherit":
            rbac.delete_inheritance(role, other)

            def change(m: Model) -> None:
                m.inherits.discard((role, other))

        elif kind == "label":
            rbac.set_label(pattern, LEVELS[bit], tenant=tenant)

            def change(m: Model) -> None:
                m.labels[(tenant, pattern)] = LEVELS[bit]

        elif kind == "unlabel":
            rbac.remove_label(pattern, tenant=tenant)

            def change(m: Model) -> None:
                del m.labels[(tenant, pattern)]

        elif kind == "grant_many":
            batch = [(role, pattern, action), (other, "a/**" if bit else "**/b", "read")]
            rbac.grant_many(batch, tenant=tenant)

            def change(m: Model) -> None:
                m.rules |= {(r, p, a, "allow", tenant) for (r, p, a) in batch}

        elif kind == "expire":
            rbac.expire_grants()
            now = w.clock.now()

            def change(m: Model) -> None:
                m.grants = {k: g for k, g in m.grants.items() if g[4] > now}

        elif kind == "clearance":
            rbac.set_clearance(user, LEVELS[bit], tenant=tenant)

            def change(m: Model) -> None:
                m.clearances[(tenant, user)] = LEVELS[bit]

        elif kind == "delete_role":
            rbac.delete_role(role)
            rbac.add_role(role, privileged=role in PRIVILEGED)

            def change(m: Model) -> None:
                m.delete_role(role)

        elif kind == "remove_user":
            rbac.remove_user(user)
            departed = user
            rbac.add_user(user)

            def change(m: Model) -> None:
                m.remove_user(user)

        elif kind == "privileged":
            target = "p0" if bit else "p1"
            request = rbac.request_grant(
                user,
                target,
                requested_by="boss",
                duration=timedelta(minutes=30 * (1 + bit)),
                reason="incident",
                tenant=tenant,
            )
            grant = rbac.approve(request.request_id, by="ap")
            assert grant is not None
            entry = (user, target, tenant, grant.starts, grant.expires)

            def change(m: Model) -> None:
                m.grants[grant.request_id] = entry

        elif kind == "revoke_grant":
            ids = sorted(rbac.state.grants)
            if not ids:
                return
            request_id = ids[bit % len(ids)]
            rbac.revoke_grant(request_id, by="ap")

            def change(m: Model) -> None:
                m.grants.pop(request_id)

        else:  # pragma: no cover - every kind is listed
            raise AssertionError(kind)
    except StoreConflict:
        assert before < head, "a writer at the head got a conflict"
        assert rbac.store_version == before
        assert rbac.to_dict() == document
        return
    except (PolicyConfigError, ConstraintViolation):
        # Refused before anything was written (the engine checks its own state first).
        assert rbac.store_version == before, (kind, "half written")
        assert rbac.to_dict() == document
        return
    if rbac.store_version == before:
        # Nothing to change in the engine's own state (granted already): nothing written.
        assert rbac.to_dict() == document
        return
    assert before == head, "a writer behind the store wrote"
    w.commit(rbac, before, change)
    if departed is not None:
        w.departures[before + 1] = departed
    w.synced[i] = w.clock.now()


def _refresh(w: Writers, i: int) -> None:
    rbac = w.engines[i]
    before = rbac.store_version
    rbac.refresh()
    if isinstance(w.store, MemoryPolicyStore):
        # Behind the snapshot, the engine read it (the changes up to it are gone).
        base = MemoryPolicyStore.load(w.store)[0]
        if base > before:
            w.reloaded[i] = base
    w.synced[i] = w.clock.now()
    assert rbac.store_version == w.head
    # The store's current state, read afresh, is what the refreshed engine holds.
    fresh = RBAC.from_store(w.store, clock=w.clock)
    assert fresh.to_dict() == rbac.to_dict()
    assert RBAC.from_dict(rbac.to_dict(), clock=w.clock).to_dict() == rbac.to_dict()
    model = w.models[w.head]
    for user in USERS:
        for tenant in TENANTS:
            for resource in RESOURCES:
                for action in ACTIONS:
                    expected = model.check(user, resource, action, tenant)
                    assert fresh.check(user, resource, action, tenant=tenant) is expected


def _logged(w: Writers, i: int, start: int, decision: Decision) -> None:
    """Exactly one ``access_decision`` since *start*, saying what *decision* says."""
    if not w.log:
        return
    found = [e for e in w.events[i][start:] if e.kind == "access_decision"]
    assert len(found) == 1, (decision, found)
    event = found[0]
    assert event.user == decision.user
    assert event.tenant == decision.tenant
    assert event.details == {
        "resource": decision.resource,
        "operation": decision.action,
        "effect": decision.effect,
        "reason": decision.reason,
    }


def _ask(w: Writers, i: int) -> None:
    """Engine *i* answers every request as the model of the version it holds."""
    rbac = w.engines[i]
    model = w.models[rbac.store_version]
    fresh = w.fresh(i)
    events = w.events[i]
    for user in USERS:
        for tenant in TENANTS:
            for resource in RESOURCES:
                for action in ACTIONS:
                    expected = fresh and model.check(user, resource, action, tenant)
                    for _ in range(2):  # the second answer may come from the memo
                        start = len(events)
                        got = rbac.check(user, resource, action, tenant=tenant)
                        decision = rbac.decide(user, resource, action, tenant=tenant)
                        assert got is expected, (i, user, resource, action, tenant, fresh)
                        assert decision.allowed is got
                        if not fresh:
                            assert "fail closed" in decision.reason
                        _logged(w, i, start, decision)
                    if w.log:
                        start = len(events)
                        if expected:
                            assert rbac.require(user, resource, action, tenant=tenant) == decision
                        else:
                            with pytest.raises(AccessDenied) as denied:
                                rbac.require(user, resource, action, tenant=tenant)
                            assert denied.value.decision == decision
                        _logged(w, i, start, decision)


def _session_model(
    model: Model, active: frozenset[str], user: str, tenant: str | None
) -> set[str] | None:
    """The roles a session with *active* roles gives now (None: it breaks the DSD set)."""
    held = model.held(user, tenant)
    now = model.clock.now()
    granted = {
        role
        for (u, role, t, s, e) in model.grants.values()
        if (u, t) == (user, tenant) and s <= now < e
    }
    roles: set[str] = set()
    stack = sorted(active & held)
    while stack:
        role = stack.pop()
        if role in roles or (role in PRIVILEGED and role not in granted):
            continue
        roles.add(role)
        stack.extend(j for (s, j) in model.inherits if s == role)
    return None if roles >= DSD else roles


class _Narrowed(Model):
    """The model with a user's roles fixed (a session's)."""

    def __init__(self, model: Model, roles: set[str]) -> None:
        self.__dict__.update(model.__dict__)
        self._roles = roles

    def held(self, user: str, tenant: str | None) -> set[str]:
        return self._roles


def _open(w: Writers, i: int, op: tuple[Any, ...]) -> None:
    """A session on engine *i* with every role the user is authorized for but one."""
    _, _, role, _, user, tenant, _, _, _ = op
    rbac = w.engines[i]
    held = rbac.authorized_roles(user, tenant=tenant)
    wanted = held - {role}
    if wanted >= DSD:
        wanted -= {"r1"}
    try:
        session = rbac.create_session(user, sorted(wanted), tenant=tenant)
    except ConstraintViolation:
        return
    w.sessions.append((i, session, frozenset(wanted), rbac.store_version))


def _toggle(w: Writers, op: tuple[Any, ...]) -> None:
    """Drop a role from, or activate one in, one of the sessions (NIST Drop/AddActiveRole)."""
    _, kind, role, _, _, _, _, _, bit = op
    if not w.sessions:
        return
    k = (bit + len(role)) % len(w.sessions) if kind == "drop" else bit % len(w.sessions)
    i, session, active, created = w.sessions[k]
    if kind == "drop":
        session.drop(role)
        w.sessions[k] = (i, session, active - {role}, created)
        return
    rbac = w.engines[i]
    model = w.models[rbac.store_version]
    ended = _ended(w, i, session, created)
    held = model.held(session.user, session.tenant)
    allowed = (
        not ended
        and role in held
        and _session_model(model, (active & held) | {role}, session.user, session.tenant)
        is not None
    )
    try:
        session.activate(role)
    except ConstraintViolation:
        assert not allowed or w.reloaded[i] > created, (session, role, active)
        return
    assert allowed, (session, role, active)
    w.sessions[k] = (i, session, (active & held) | {role}, created)


def _ended(w: Writers, i: int, session: Session, created: int) -> bool:
    rbac = w.engines[i]
    return any(
        w.departures.get(v) == session.user for v in range(created + 1, rbac.store_version + 1)
    )


def _ask_sessions(w: Writers) -> None:
    for i, session, active, created in w.sessions:
        rbac = w.engines[i]
        model = w.models[rbac.store_version]
        ended = _ended(w, i, session, created)
        roles = _session_model(model, active, session.user, session.tenant)
        for resource in RESOURCES:
            for action in ACTIONS:
                expected = (
                    w.fresh(i)
                    and not ended
                    and roles is not None
                    and _Narrowed(model, roles).check(
                        session.user, resource, action, session.tenant
                    )
                )
                start = len(w.events[i])
                got = session.check(resource, action)
                decision = session.decide(resource, action)
                assert decision.allowed is got
                _logged(w, i, start, decision)
                if w.reloaded[i] > created:
                    # A snapshot makes every user new: sessions then end (fail closed).
                    assert not got or expected, (i, session, resource, action)
                else:
                    assert got is expected, (i, session, active, resource, action, roles)


_KINDS = (
    *("grant",) * 3,
    *("deny",) * 2,
    "revoke",
    *("assign",) * 3,
    "deassign",
    "inherit",
    "uninherit",
    "delete_role",
    "remove_user",
    "label",
    "unlabel",
    "grant_many",
    "expire",
    "clearance",
    "privileged",
    "revoke_grant",
    *("refresh",) * 4,
    "advance",
    "session",
    "session",
    "drop",
    "activate",
    "compact",
)
_STEP = st.tuples(
    st.integers(0, 2),
    st.sampled_from(_KINDS),
    st.sampled_from(ROLES),
    st.sampled_from(ROLES),
    st.sampled_from(USERS),
    st.sampled_from(TENANTS),
    st.sampled_from(PATTERNS),
    st.sampled_from((*ACTIONS, "*")),
    st.integers(0, 1),
)


def _walk(store: Any, steps: list[tuple[Any, ...]], *, log: bool) -> None:
    w = Writers(store, 3, log=log)
    for step in steps:
        i, kind = step[0], step[1]
        if kind == "refresh":
            _refresh(w, i)
        elif kind == "advance":
            w.clock.advance(timedelta(minutes=20 + 10 * step[8]))
        elif kind == "session":
            _open(w, i, step)
        elif kind in ("drop", "activate"):
            _toggle(w, step)
        elif kind == "compact":
            if step[8] and isinstance(store, _Compactor):
                # Inside the next read of the snapshot, by whichever engine, at
                # the version engine i holds then.
                store.armed = w.engines[i].snapshot
            else:
                # An engine behind the store's snapshot cannot compact (StoreConflict).
                with contextlib.suppress(StoreConflict):
                    store.compact(*w.engines[i].snapshot())
        else:
            _change(w, i, step)
        for k in range(len(w.engines)):
            _ask(w, k)
        _ask_sessions(w)


def _sqlite(tmp_path: Path) -> Iterator[SQLPolicyStore]:
    eng = sa.create_engine(f"sqlite:///{tmp_path}")
    try:
        yield SQLPolicyStore(eng)
    finally:
        eng.dispose()


@settings(max_examples=100, deadline=None, derandomize=True)
@given(st.lists(_STEP, min_size=10, max_size=40))
# A change compacted away at the head reaches an engine behind it.
@example(
    [
        (0, "assign", "r0", "r2", "u1", None, "**/b", "*", 1),
        (0, "compact", "r1", "p0", "u1", "t1", "**/secret", "write", 1),
        (2, "refresh", "r2", "r1", "u1", "t1", "**/secret", "read", 1),
    ]
)
def test_three_writers_on_a_memory_store(steps: list[tuple[Any, ...]]) -> None:
    """Every engine answers as the model of its version, a refreshed one as the store's head.

    Some compactions land inside the next snapshot read (between its
    ``load()`` and ``changes_since()``), as a job in another thread would.
    """
    _walk(_Compactor(), steps, log=False)


class _Compactor(MemoryPolicyStore):
    """Compacts with an armed snapshot right after the next ``load()``."""

    def __init__(self) -> None:
        super().__init__()
        self.armed: Callable[[], tuple[int, dict[str, Any]]] | None = None

    def load(self) -> tuple[int, Mapping[str, Any] | None]:
        found = super().load()
        if self.armed is not None:
            armed, self.armed = self.armed, None
            with contextlib.suppress(StoreConflict):
                self.compact(*armed())
        return found


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.lists(_STEP, min_size=10, max_size=40))
def test_three_writers_with_the_decision_log(steps: list[tuple[Any, ...]]) -> None:
    """The same walk with every decision recorded: one record per enforced decision, its reason."""
    _walk(MemoryPolicyStore(), steps, log=True)


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(steps=st.lists(_STEP, min_size=10, max_size=30), log=st.booleans())
def test_three_writers_on_a_sqlite_store(
    tmp_path: Path, steps: list[tuple[Any, ...]], log: bool
) -> None:
    """The same walk on a SQLite file (a file of its own per example), the log on or off."""
    path = tmp_path / f"{abs(hash((tuple(steps), log)))}.db"
    path.unlink(missing_ok=True)
    for store in _sqlite(path):
        _walk(store, steps, log=log)


# -- real threads: writers racing on one store, checks racing the refreshes ----------------


def _racing(make: Callable[[], Any], seed: int) -> None:  # noqa: PLR0915 (one scenario)
    """Three engines write at once, retrying on conflicts; checks race the refreshes.

    One writer denies ``vault/**`` and another revokes the grant on
    ``safe/**`` part-way through; neither is ever lifted. A check on an engine
    whose store version (read before the check) has reached that change
    allows nothing it took away, whatever the other threads' writes,
    refreshes, compactions, memos and records were doing meanwhile, and an
    engine attached after the change holds it. At the end every engine,
    refreshed, holds the store's policy.
    """
    clock = FrozenClock(START)
    seed_engine = RBAC(clock=clock)
    for role in ("r0", "r1", "r2"):
        seed_engine.add_role(role)
    for user in ("u0", "u1", "u2"):
        seed_engine.add_user(user)
        seed_engine.assign(user, "r0")
    seed_engine.grant("r0", "vault/**", "read")
    seed_engine.grant("r0", "safe/**", "read")
    store = make()
    seed_engine.attach(store)
    engines = [RBAC.from_store(make(), clock=clock) for _ in range(3)]
    taken: dict[str, int] = {}
    wrong: list[tuple[str, int, int]] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def retry(rbac: RBAC, change: Callable[[], None]) -> None:
        while True:
            try:
                change()
            except StoreConflict:
                rbac.refresh()
            else:
                return

    def write(k: int) -> None:
        rnd = random.Random(seed * 7 + k)
        rbac = engines[k]
        try:
            for n in range(30):
                role, user = rnd.choice(("r1", "r2")), rnd.choice(("u0", "u1", "u2"))
                name = f"noise/{k}/{n % 5}"
                kind = rnd.choice(("grant", "deny", "revoke", "assign", "deassign", "refresh"))
                method = getattr(rbac, kind)
                if kind == "refresh":
                    rbac.refresh()
                elif kind in ("grant", "deny", "revoke"):
                    with contextlib.suppress(PolicyConfigError):  # revoking what is not there
                        retry(rbac, functools.partial(method, role, name, "read"))
                else:
                    with contextlib.suppress(PolicyConfigError, ConstraintViolation):
                        retry(rbac, functools.partial(method, user, role))
                if n == 10 and k == 0:
                    retry(rbac, lambda: rbac.deny("r0", "vault/**", "read"))
                    taken["vault/1"] = rbac.store_version
                if n == 15 and k == 1:
                    retry(rbac, lambda: rbac.revoke("r0", "safe/**", "read"))
                    taken["safe/1"] = rbac.store_version
        except BaseException as exc:  # noqa: BLE001 (reported by the test thread)
            errors.append(exc)

    def check(k: int) -> None:
        n = k
        while not done.is_set():
            n += 1
            rbac = engines[n % 3]
            for resource in ("vault/1", "safe/1"):
                since = taken.get(resource)
                version = rbac.store_version
                got = rbac.check(f"u{n % 3}", resource, "read")
                if since is not None and version >= since and got:
                    wrong.append((resource, since, version))

    def compact_and_attach() -> None:
        # Compactions race the refreshes, and engines attach while they run:
        # one attached after a change was taken must hold it.
        n = 0
        try:
            while not done.is_set():
                n += 1
                with contextlib.suppress(StoreConflict):  # an engine behind the snapshot
                    store.compact(*engines[n % 3].snapshot())
                since = dict(taken)
                late = RBAC.from_store(make(), clock=clock)
                for resource, version in since.items():
                    if late.check("u0", resource, "read"):
                        wrong.append((resource, version, late.store_version))
        except BaseException as exc:  # noqa: BLE001 (reported by the test thread)
            errors.append(exc)

    writers = [threading.Thread(target=write, args=(k,)) for k in range(3)]
    checkers = [threading.Thread(target=check, args=(k,)) for k in range(2)]
    checkers.append(threading.Thread(target=compact_and_attach))
    for thread in (*writers, *checkers):
        thread.start()
    for thread in writers:
        thread.join()
    done.set()
    for thread in checkers:
        thread.join()
    assert not errors, errors
    assert not wrong, wrong
    fresh = RBAC.from_store(store, clock=clock)
    for rbac in engines:
        rbac.refresh()
        assert rbac.to_dict() == fresh.to_dict()
        for user in ("u0", "u1", "u2"):
            noise = [f"noise/{k}/{n}" for k in range(3) for n in range(5)]
            for resource in ("vault/1", "safe/1", *noise):
                assert rbac.check(user, resource, "read") is fresh.check(user, resource, "read")
                assert not rbac.check(user, "vault/1", "read")
                assert not rbac.check(user, "safe/1", "read")


@pytest.mark.parametrize("seed", range(3))
def test_racing_writers_on_a_memory_store(seed: int) -> None:
    """See :func:`_racing` (the engines share one store object)."""
    store = MemoryPolicyStore()
    _racing(lambda: store, seed)


@pytest.mark.parametrize("seed", range(2))
def test_racing_writers_on_a_sqlite_store(tmp_path: Path, seed: int) -> None:
    """See :func:`_racing`; each engine reads the file through its own SQLAlchemy engine."""
    engines: list[sa.Engine] = []

    def make() -> SQLPolicyStore:
        engines.append(sa.create_engine(f"sqlite:///{tmp_path / 'race.db'}"))
        return SQLPolicyStore(engines[-1])

    try:
        _racing(make, seed)
    finally:
        for eng in engines:
            eng.dispose()


def test_a_constraint_from_another_writer_ends_the_sessions_that_break_it() -> None:
    """A DSD set written by one engine refuses another engine's session once it refreshes.

    The refusal, with its reason, is in the decision log, and so are the
    allows before it; dropping a role lifts it.
    """
    clock = FrozenClock(START)
    store = MemoryPolicyStore()
    admin = RBAC(clock=clock)
    for role in ("maker", "checker"):
        admin.add_role(role)
        admin.grant(role, f"{role}/**", "*")
    admin.add_user("u")
    admin.assign("u", "maker")
    admin.assign("u", "checker")
    admin.attach(store)
    events: list[RBACEvent] = []
    app = RBAC(clock=clock, on_event=events.append, decision_log=True, allow_sample_rate=1.0)
    app.attach(store, max_staleness=BOUND)
    session = app.create_session("u", ["maker", "checker"])
    assert session.check("maker/1", "write")
    admin.add_dsd("four-eyes", ["maker", "checker"], 2)
    assert session.check("checker/1", "write")  # the app has not seen the constraint yet
    app.refresh()
    assert not session.check("maker/1", "write")
    assert not app.create_session("u", ["maker"]).check("checker/1", "write")
    session.drop("checker")
    assert session.check("maker/1", "write")
    clock.advance(BOUND + timedelta(seconds=1))
    assert not session.check("maker/1", "write")
    decisions = [e.details for e in events if e.kind == "access_decision"]
    assert [d["effect"] for d in decisions] == [
        "allow",
        "allow",
        "explicit_deny",
        "implicit_deny",
        "allow",
        "explicit_deny",
    ]
    assert "four-eyes" in decisions[2]["reason"]
    assert "fail closed" in decisions[5]["reason"]
