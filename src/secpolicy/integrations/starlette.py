"""Starlette and FastAPI integration (``pip install 'secpolicy[fastapi]'``).

- :class:`AuditMiddleware`: pure ASGI middleware that works out the client's
  address (trusting ``X-Forwarded-For`` only from the proxies you name) and a
  correlation id, binds them with ``structlog.contextvars`` so that every
  :class:`~secpolicy.audit.AuditLogger` event of the request carries them,
  and records responses that deny access (401, 403).
- :class:`Require`: a FastAPI dependency that asks :mod:`secpolicy.rbac` and
  answers 403 ``{"detail": "Forbidden"}`` on a denial: the client learns
  nothing of the reason, the audit log records it in full.

Example:
    .. code-block:: python

        app = FastAPI()
        app.add_middleware(
            AuditMiddleware,
            audit=audit,
            rbac=rbac,
            trusted_proxies=["10.0.0.0/8"],
            user_id=lambda request: request.headers.get("x-user"),
        )


        @app.get("/accounts/{account_id}")
        def read_account(account_id: str, _=Depends(Require("accounts/{account_id}", "read"))): ...

.. versionadded:: 0.2
"""

from __future__ import annotations

import enum
import inspect
import string
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.exceptions import PolicyConfigError, SecPolicyError
from secpolicy.integrations._extra import missing_extra
from secpolicy.integrations._net import ClientAddress, TrustedProxies, correlation_id
from secpolicy.rbac import RBAC, Decision  # noqa: TC001 (FastAPI reads annotations at run time)

try:
    import structlog
    from starlette.exceptions import HTTPException
    from starlette.requests import Request
except ImportError as exc:  # pragma: no cover - tested in a child process without Starlette
    raise missing_extra("secpolicy.integrations.starlette", "fastapi", "Starlette") from exc

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable, Iterable

    from starlette.types import ASGIApp, Message, Receive, Scope, Send

    from secpolicy.audit import AuditLogger

    #: Finds the user id of a request (sync or async); None for nobody.
    UserGetter = Callable[[Request], Awaitable[str | None] | str | None]
    TenantGetter = Callable[[Request], Awaitable[str | None] | str | None]

__all__ = [
    "DENIAL_STATUSES",
    "AuditMiddleware",
    "RequestContext",
    "Require",
    "default_user_id",
    "request_context",
]

#: Response statuses the middleware records as denials.
DENIAL_STATUSES: Final = frozenset({401, 403})
_STATE_KEY: Final = "secpolicy"
_BAD_SEGMENTS: Final = frozenset({"", ".", ".."})


def default_user_id(request: Request) -> str | None:
    """The id of Starlette's authenticated user (``AuthenticationMiddleware``), else None.

    ``user.identity`` is used, or ``user.display_name`` for users that have no
    identity (``SimpleUser``).

    .. versionadded:: 0.2
    """
    user = request.scope.get("user")
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    try:
        identity = user.identity
    except NotImplementedError:
        identity = user.display_name
    return str(identity) if identity else None


async def _call(getter: Callable[[Request], Any], request: Request) -> Any:
    value = getter(request)
    if inspect.isawaitable(value):
        value = await value
    return value


@attrs.define(kw_only=True)
class RequestContext:
    """What :class:`AuditMiddleware` learnt about a request (``request_context(request)``).

    Attributes:
        client: The client's address before and after the trusted proxies.
        correlation_id: The request's correlation id.
        audit: The audit logger, if the middleware has one.
        rbac: The engine :class:`Require` uses when it is not given one.
        user_id: How to find the request's user.
        denial_recorded: Set once a denial of this request has been audited,
            so that it is recorded once.

    .. versionadded:: 0.2
    """

    client: ClientAddress
    correlation_id: str
    audit: AuditLogger | None = None
    rbac: RBAC | None = None
    user_id: UserGetter = default_user_id
    denial_recorded: bool = False

    def audit_fields(self) -> dict[str, Any]:
        """The addresses and correlation id as audit keyword arguments."""
        return {"correlation_id": self.correlation_id, **self.client.audit_fields()}


def request_context(request: Request) -> RequestContext | None:
    """The :class:`RequestContext` :class:`AuditMiddleware` attached to *request*, if any.

    .. versionadded:: 0.2
    """
    state = request.scope.get("state")
    value = state.get(_STATE_KEY) if isinstance(state, dict) else None
    return value if isinstance(value, RequestContext) else None


def _headers(scope: Scope, name: bytes) -> list[str]:
    return [v.decode("latin-1") for k, v in scope.get("headers", ()) if k.lower() == name]


class AuditMiddleware:
    """Bind each request's addresses and correlation id for audit; record denials.

    For every HTTP and WebSocket request it binds ``correlation_id``, ``ip``,
    ``port``, ``src`` and ``nat`` with ``structlog.contextvars`` for the
    length of the request, attaches a :class:`RequestContext`, and returns
    the correlation id in the *correlation_header* of the response. When the
    response status is 401 or 403 and :class:`Require` has not already
    recorded the denial, it records ``http.denied`` with the method, path and
    status (before the response starts: if the record cannot be written the
    client gets a 500, not an unrecorded denial).

    Args:
        app: The ASGI application.
        audit: The audit logger (also used by :class:`Require`).
        rbac: The engine :class:`Require` uses when not given one.
        trusted_proxies: Addresses or networks of your reverse proxies, or a
            :class:`~secpolicy.integrations.TrustedProxies`. Run uvicorn with
            ``proxy_headers=False`` (``--no-proxy-headers``) so that the peer
            address reaches this middleware unchanged.
        correlation_header: The request id header, believed only from a
            trusted proxy.
        client_port_header: A header in which the nearest trusted proxy
            reports the client's source port (``x-real-port``).
        user_id: Finds the user id of a request (sync or async).
        record_denials: Record 401 and 403 responses.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        audit: AuditLogger | None = None,
        rbac: RBAC | None = None,
        trusted_proxies: Iterable[str] | TrustedProxies = (),
        correlation_header: str = "x-request-id",
        client_port_header: str | None = None,
        user_id: UserGetter | None = None,
        record_denials: bool = True,
    ) -> None:
        self.app = app
        self.audit = audit
        self.rbac = rbac
        self.proxies = (
            trusted_proxies
            if isinstance(trusted_proxies, TrustedProxies)
            else TrustedProxies(trusted_proxies)
        )
        self.correlation_header = correlation_header.lower().encode("latin-1")
        self.client_port_header = (
            client_port_header.lower().encode("latin-1") if client_port_header else None
        )
        self.user_id: UserGetter = user_id if user_id is not None else default_user_id
        self.record_denials = record_denials

    def _client(self, scope: Scope) -> ClientAddress:
        peer = scope.get("client") or (None, None)
        port_values = _headers(scope, self.client_port_header) if self.client_port_header else []
        return self.proxies.resolve(
            peer[0],
            peer[1],
            _headers(scope, b"x-forwarded-for"),
            forwarded_port=port_values[-1] if port_values else None,
            protocol=scope.get("scheme"),
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Handle one ASGI connection."""
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        client = self._client(scope)
        incoming = _headers(scope, self.correlation_header)
        cid = correlation_id(incoming[-1] if incoming else None, trusted=client.peer_trusted)
        context = RequestContext(
            client=client,
            correlation_id=cid,
            audit=self.audit,
            rbac=self.rbac,
            user_id=self.user_id,
        )
        scope.setdefault("state", {})[_STATE_KEY] = context

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = message.get("status", 200)
                if self.record_denials and status in DENIAL_STATUSES:
                    await self._record_denial(scope, context, status)
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k != self.correlation_header
                ]
                headers.append((self.correlation_header, cid.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        with structlog.contextvars.bound_contextvars(**context.audit_fields()):
            await self.app(scope, receive, send_with_id)

    async def _record_denial(self, scope: Scope, context: RequestContext, status: int) -> None:
        if context.denial_recorded or self.audit is None:
            return
        user = await _call(self.user_id, Request(scope))
        self.audit.emit(
            "http.denied",
            outcome="denied",
            user_id=user if isinstance(user, str) and user else None,
            target=f"{scope.get('method', 'GET')} {scope.get('path', '/')}",
            status=status,
            **context.audit_fields(),
        )
        context.denial_recorded = True


#: Readings of one request's path parameters checked at most; more is denied.
_MAX_READINGS: Final = 16


def _clean(text: str) -> bool:
    """True for one literal resource segment: not empty, ``.``, ``..``; no ``/`` or ``*``."""
    return text not in _BAD_SEGMENTS and "/" not in text and "*" not in text


def _canonical_text(value: object) -> str:
    """The resource segment of a validated parameter value (an enum by its value)."""
    if isinstance(value, enum.Enum):
        return str(value.value)
    return str(value)


def _route_readings(request: Request, names: tuple[str, ...]) -> dict[str, set[str]]:
    """How the FastAPI route's own path parameters read each of *names*, as text.

    FastAPI validates a path parameter by its annotation (``int`` turns
    ``"07"`` into ``7``); the endpoint and its dependencies act on those
    values. A parameter that fails validation is left out: FastAPI answers
    422 and the endpoint does not run.
    """
    dependant = getattr(request.scope.get("route"), "dependant", None)
    if dependant is None or not names:
        return {}
    try:
        from fastapi.dependencies.utils import request_params_to_args  # noqa: PLC0415
    except ImportError:  # pragma: no cover - plain Starlette routes have no dependant
        return {}
    found: dict[str, set[str]] = {}
    stack, seen = [dependant], set()
    while stack:
        current = stack.pop()
        if id(current) in seen:
            continue
        seen.add(id(current))
        stack.extend(getattr(current, "dependencies", ()))
        for field in getattr(current, "path_params", ()):
            alias = getattr(field, "alias", None) or field.name
            if alias not in names:
                continue
            values, errors = request_params_to_args([field], request.path_params)
            if not errors and field.name in values:
                found.setdefault(alias, set()).add(_canonical_text(values[field.name]))
    return found


def _require_text(name: str, value: object) -> None:
    if not isinstance(value, str) or not value:
        raise PolicyConfigError("must be a non-empty str", field=name)


def _template_fields(template: str) -> tuple[str, ...]:
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        raise PolicyConfigError("is not a valid template", field="resource") from None
    names = []
    for _, name, spec, conversion in parsed:
        if name is None:
            continue
        if not name.isidentifier() or spec or conversion:
            raise PolicyConfigError(
                "placeholders must be plain path parameter names, such as {account_id}",
                field="resource",
            )
        names.append(name)
    return tuple(names)


class Require:
    """A FastAPI dependency that lets a request through only if RBAC allows it.

    ``Depends(Require("accounts/{account_id}", "read"))`` fills the resource
    from the route's path parameters, finds the user, and asks the engine. A
    denial answers 403 with the body ``{"detail": "Forbidden"}`` whatever
    the reason (no user, no rule, an explicit deny, a malformed name), and
    records ``access.check`` with outcome ``denied``, the resource, the
    engine's reason, the effect and the roles. An allowed request gets the
    :class:`~secpolicy.rbac.Decision` as the dependency's value.

    A path parameter that is not exactly one clean resource segment (it
    contains ``/`` or ``*``, or is empty, ``.`` or ``..``) is denied, so a
    request can never widen the resource it asks for into a pattern. On a
    FastAPI route, the resource is also checked as the route's own
    parameters read it (``account_id: int`` reads ``/accounts/07`` as
    account ``7``): every reading must be allowed, so a deny on
    ``accounts/7`` cannot be walked around with ``07`` or ``+7``.

    Args:
        resource: The resource, with ``{name}`` placeholders for path
            parameters.
        action: The action.
        rbac: The engine; default: the one given to :class:`AuditMiddleware`.
        audit: The audit logger; default: the middleware's. One of them is
            required (denials must be recorded).
        user_id: Finds the user id; default: the middleware's, else
            :func:`default_user_id`.
        tenant: The tenant, or a callable of the request giving it. A
            callable that gives None denies the request: deciding it
            without a tenant would skip the tenant's denies and labels.
        audit_allowed: Also record allowed checks (outcome ``success``).

    Raises:
        PolicyConfigError: *resource* has a placeholder that is not a plain name.

    .. versionadded:: 0.2
    """

    def __init__(
        self,
        resource: str,
        action: str,
        *,
        rbac: RBAC | None = None,
        audit: AuditLogger | None = None,
        user_id: UserGetter | None = None,
        tenant: str | TenantGetter | None = None,
        audit_allowed: bool = False,
    ) -> None:
        _require_text("resource", resource)
        _require_text("action", action)
        self._fields = _template_fields(resource)
        self.resource = resource
        self.action = action
        self.rbac = rbac
        self.audit = audit
        self.user_id = user_id
        self.tenant = tenant
        self.audit_allowed = audit_allowed

    def __repr__(self) -> str:
        return f"Require({self.resource!r}, {self.action!r})"

    def _resource(self, request: Request) -> str | None:
        values = {}
        for name in self._fields:
            value = request.path_params.get(name)
            text = str(value) if value is not None else ""
            if not _clean(text):
                return None
            values[name] = text
        return self.resource.format_map(values)

    def _readings(self, request: Request) -> list[str] | None:
        """Every resource the route may act on: the raw path, and as its parameters read it.

        ``account_id: int`` reads ``/accounts/07`` and ``/accounts/+7`` as
        account 7; each reading must be allowed, or a deny on ``accounts/7``
        would be walked around. None if a reading is not a clean segment.
        """
        readings: dict[str, set[str]] = {}
        for name, text in _route_readings(request, self._fields).items():
            readings.setdefault(name, set()).update(text)
        values: list[dict[str, str]] = [{}]
        for name in self._fields:
            raw = request.path_params.get(name)
            texts = {str(raw) if raw is not None else ""} | readings.get(name, set())
            if not all(_clean(text) for text in texts):
                return None
            values = [{**v, name: t} for v in values for t in sorted(texts)]
            if len(values) > _MAX_READINGS:
                return None
        return [self.resource.format_map(v) for v in values]

    def _engines(self, context: RequestContext | None) -> tuple[AuditLogger, RBAC]:
        audit = self.audit if self.audit is not None else getattr(context, "audit", None)
        rbac = self.rbac if self.rbac is not None else getattr(context, "rbac", None)
        if audit is None or rbac is None:
            raise PolicyConfigError(
                "Require needs an audit logger and an RBAC engine: pass audit= and rbac=, "
                "or give them to AuditMiddleware",
                field="audit" if audit is None else "rbac",
            )
        return audit, rbac

    def _decide(  # noqa: PLR0911 (one return per reason to deny)
        self, rbac: RBAC, user: object, resources: list[str] | None, tenant: object
    ) -> tuple[Decision | None, str]:
        if not isinstance(user, str) or not user:
            return None, "no authenticated user"
        if resources is None:
            return None, "a path parameter is not a single resource segment"
        if tenant is None and callable(self.tenant):
            # Deciding without the tenant would skip its denies and labels.
            return None, "the request names no tenant"
        if tenant is not None and not isinstance(tenant, str):
            return None, "the tenant is not a str"
        found: Decision | None = None
        for resource in resources:
            try:
                decision = rbac.decide(user, resource, self.action, tenant=tenant)
            except SecPolicyError as exc:
                return None, f"the engine refused the request: {type(exc).__name__}"
            if not decision.allowed:
                if found is None:
                    return decision, decision.reason
                # The raw path is allowed, but the route reads it as a resource that is not.
                return decision, f"the route reads the path as {resource}: {decision.reason}"
            found = found or decision
        return found, found.reason if found is not None else "no resource"

    async def __call__(self, request: Request) -> Decision:
        """Allow the request or answer 403 after recording why."""
        context = request_context(request)
        audit, rbac = self._engines(context)
        getter = self.user_id or (context.user_id if context is not None else default_user_id)
        user = await _call(getter, request)
        tenant = await _call(self.tenant, request) if callable(self.tenant) else self.tenant
        resource = self._resource(request)
        readings = self._readings(request) if resource is not None else None
        if readings is not None and resource is not None:
            readings = [resource, *(r for r in readings if r != resource)]
        decision, reason = self._decide(rbac, user, readings, tenant)
        if decision is not None and decision.allowed and not self.audit_allowed:
            return decision
        if context is not None:
            fields = context.audit_fields()
        else:
            peer = request.scope.get("client") or (None, None)
            fields = TrustedProxies().resolve(peer[0], peer[1]).audit_fields()
        details: dict[str, Any] = {"operation": self.action}
        if decision is not None:
            details.update(effect=decision.effect, roles=list(decision.roles))
        if isinstance(tenant, str):
            details["tenant"] = tenant
        audit.emit(
            "access.check",
            outcome="success" if decision is not None and decision.allowed else "denied",
            user_id=user if isinstance(user, str) and user else None,
            target=resource if resource is not None else self.resource,
            reason=reason,
            **details,
            **fields,
        )
        if decision is not None and decision.allowed:
            return decision
        if context is not None:
            context.denial_recorded = True
        raise HTTPException(status_code=403, detail="Forbidden")
