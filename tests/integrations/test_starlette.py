"""The Starlette/FastAPI integration through httpx's ASGI transport and a real uvicorn."""

# FastAPI declares dependencies as argument defaults: Depends(...) is the idiom.
# ruff: noqa: B008

from __future__ import annotations

import enum
import socket
import threading
from typing import Any

import httpx
import pytest
import structlog
import uvicorn
from fastapi import Depends, FastAPI, Request
from starlette.responses import JSONResponse, PlainTextResponse

from secpolicy.audit import AuditLogger, capture
from secpolicy.exceptions import PolicyConfigError
from secpolicy.integrations import TrustedProxies
from secpolicy.integrations.starlette import (
    AuditMiddleware,
    Require,
    default_user_id,
    request_context,
)
from secpolicy.rbac import RBAC, Decision

pytestmark = pytest.mark.anyio
PEER = ("198.51.100.20", 51515)


@pytest.fixture
def anyio_backend() -> str:
    """Run the async tests on asyncio."""
    return "asyncio"


@pytest.fixture
def rbac() -> RBAC:
    """Alice may read accounts, except account 7."""
    engine = RBAC()
    engine.add_role("teller")
    engine.grant("teller", "accounts/*", "read")
    engine.deny("teller", "accounts/7", "read")
    engine.add_user("alice")
    engine.assign("alice", "teller")
    return engine


@pytest.fixture
def audit(tmp_path: Any) -> Any:
    """An audit log in a temporary file."""
    with AuditLogger.to_file(tmp_path / "audit.jsonl", key=b"k" * 32, seal_idle=False) as log:
        yield log


class Kind(enum.Enum):
    """An account kind, a path parameter read by value."""

    SAVINGS = "savings"


def header_user(request: Request) -> str | None:
    """The user named by the X-User header (the tests' stand-in for authentication)."""
    return request.headers.get("x-user")


def make_app(audit: AuditLogger, rbac: RBAC, **options: Any) -> FastAPI:
    """A FastAPI app with the middleware and a few guarded routes."""
    app = FastAPI()
    app.add_middleware(
        AuditMiddleware,
        audit=audit,
        rbac=rbac,
        trusted_proxies=["10.0.0.0/8", "127.0.0.1"],
        user_id=header_user,
        **options,
    )

    @app.get("/accounts/{account_id}")
    def read_account(
        account_id: str, decision: Decision = Depends(Require("accounts/{account_id}", "read"))
    ) -> dict[str, Any]:
        return {"account": account_id, "roles": list(decision.roles)}

    @app.get("/files/{name:path}")
    def read_file(name: str, _: Decision = Depends(Require("accounts/{name}", "read"))) -> str:
        return name

    @app.get("/context")
    def context(request: Request) -> dict[str, Any]:
        bound = structlog.contextvars.get_contextvars()
        found = request_context(request)
        return {
            "bound": {k: bound.get(k) for k in ("correlation_id", "ip", "port")},
            "context": found.correlation_id if found else None,
        }

    @app.get("/teapot")
    def teapot() -> PlainTextResponse:
        return PlainTextResponse("no", status_code=403)

    return app


def client(app: Any, peer: tuple[str, int] = PEER) -> httpx.AsyncClient:
    """An httpx client over the ASGI transport, connecting from *peer*."""
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app, client=peer), base_url="http://testserver"
    )


class TestRequire:
    async def test_allowed_returns_the_decision(self, audit: AuditLogger, rbac: RBAC) -> None:
        """An allowed request reaches the endpoint with the decision."""
        async with client(make_app(audit, rbac)) as http:
            response = await http.get("/accounts/5", headers={"x-user": "alice"})
        assert response.status_code == 200
        assert response.json() == {"account": "5", "roles": ["teller"]}

    async def test_denial_is_403_without_the_reason(self, audit: AuditLogger, rbac: RBAC) -> None:
        """The client gets a bare 403; the audit record has the reason."""
        with capture() as events:
            async with client(make_app(audit, rbac)) as http:
                response = await http.get("/accounts/7", headers={"x-user": "alice"})
        assert response.status_code == 403
        assert response.json() == {"detail": "Forbidden"}
        assert "deny" not in response.text
        (event,) = events
        assert event["action"] == "access.check"
        assert event["outcome"] == "denied"
        assert event["target"] == "accounts/7"
        assert "denies" in event["reason"]
        assert event["data"]["effect"] == "explicit_deny"
        assert event["actor"] == {"user_id": "alice", "ip": "198.51.100.20", "port": 51515}
        assert event["correlation_id"] == response.headers["x-request-id"]

    async def test_no_user_is_denied(self, audit: AuditLogger, rbac: RBAC) -> None:
        """Without a user the answer is 403 and the record says why."""
        with capture() as events:
            async with client(make_app(audit, rbac)) as http:
                response = await http.get("/accounts/5")
        assert response.status_code == 403
        assert [e["reason"] for e in events] == ["no authenticated user"]

    @pytest.mark.parametrize("name", ["*", "a/b", "%2e%2e", "5*"])
    async def test_path_parameter_cannot_widen_the_resource(
        self, audit: AuditLogger, rbac: RBAC, name: str
    ) -> None:
        """A parameter holding / or * or .. is denied, never matched as a pattern."""
        rbac.grant("teller", "accounts/**", "read")
        async with client(make_app(audit, rbac)) as http:
            response = await http.get(f"/files/{name}", headers={"x-user": "alice"})
        assert response.status_code == 403

    async def test_audit_allowed(self, audit: AuditLogger, rbac: RBAC) -> None:
        """audit_allowed records allowed checks too."""
        app = FastAPI()
        guard = Require(
            "accounts/1",
            "read",
            rbac=rbac,
            audit=audit,
            user_id=header_user,
            audit_allowed=True,
        )

        @app.get("/x")
        def x(_: Decision = Depends(guard)) -> str:
            return "ok"

        with capture() as events:
            async with client(app) as http:
                response = await http.get("/x", headers={"x-user": "alice"})
        assert response.status_code == 200
        assert [(e["action"], e["outcome"]) for e in events] == [("access.check", "success")]
        assert events[0]["actor"]["ip"] == "198.51.100.20"

    async def test_without_middleware_needs_audit_and_rbac(self, rbac: RBAC) -> None:
        """Without an audit logger anywhere, Require refuses to run."""
        app = FastAPI()

        @app.get("/x")
        def x(_: Decision = Depends(Require("accounts/1", "read", rbac=rbac))) -> str:
            return "ok"

        async with client(app) as http:
            with pytest.raises(PolicyConfigError, match="audit"):
                await http.get("/x")

    async def test_tenant_and_async_user(self, audit: AuditLogger, rbac: RBAC) -> None:
        """An async user getter and the tenant are honoured; another tenant is denied."""

        async def user(request: Request) -> str:
            return "bob"

        rbac.add_user("bob")
        rbac.assign("bob", "teller", tenant="t1")
        app = FastAPI()

        async def tenant(request: Request) -> str:
            return request.query_params["tenant"]

        guard = Require("accounts/1", "read", rbac=rbac, audit=audit, user_id=user, tenant=tenant)

        @app.get("/x")
        def x(_: Decision = Depends(guard)) -> str:
            return "ok"

        with capture() as events:
            async with client(app) as http:
                assert (await http.get("/x?tenant=t1")).status_code == 200
                assert (await http.get("/x?tenant=t2")).status_code == 403
        assert [e["data"]["tenant"] for e in events] == ["t2"]

    async def test_engine_errors_are_denials(self, audit: AuditLogger) -> None:
        """A name the engine refuses is a 403 with the error's kind recorded, never an allow."""

        class Refusing(RBAC):
            def decide(self, *args: Any, **kwargs: Any) -> Decision:
                raise PolicyConfigError("malformed name", field="resource")

        app = FastAPI()
        guard = Require("accounts/1", "read", rbac=Refusing(), audit=audit, user_id=header_user)
        bad_tenant = Require(
            "accounts/1", "read", rbac=RBAC(), audit=audit, user_id=header_user, tenant=lambda r: 5
        )

        @app.get("/x")
        def x(_: Decision = Depends(guard)) -> str:
            return "ok"

        @app.get("/y")
        def y(_: Decision = Depends(bad_tenant)) -> str:
            return "ok"

        with capture() as events:
            async with client(app) as http:
                assert (await http.get("/x", headers={"x-user": "alice"})).status_code == 403
                assert (await http.get("/y", headers={"x-user": "alice"})).status_code == 403
        assert [e["reason"] for e in events] == [
            "the engine refused the request: PolicyConfigError",
            "the tenant is not a str",
        ]

    @pytest.mark.parametrize("template", ["a/{0}", "a/{x!r}", "a/{x:>3}", "a/{", ""])
    def test_bad_templates(self, template: str) -> None:
        """Only plain named placeholders are allowed."""
        with pytest.raises(PolicyConfigError):
            Require(template, "read")

    def test_bad_action_and_repr(self) -> None:
        """An empty action is refused; the repr names resource and action."""
        with pytest.raises(PolicyConfigError):
            Require("a", "")
        assert repr(Require("a/{b}", "read")) == "Require('a/{b}', 'read')"


class TestAuditMiddleware:
    async def test_binds_addresses_and_id(self, audit: AuditLogger, rbac: RBAC) -> None:
        """The handler sees the correlation id and client bound in contextvars."""
        async with client(make_app(audit, rbac)) as http:
            response = await http.get("/context", headers={"x-request-id": "spoofed"})
        body = response.json()
        cid = response.headers["x-request-id"]
        assert cid != "spoofed"
        assert body == {
            "bound": {"correlation_id": cid, "ip": "198.51.100.20", "port": 51515},
            "context": cid,
        }
        assert "correlation_id" not in structlog.contextvars.get_contextvars()

    async def test_trusted_proxy(self, audit: AuditLogger, rbac: RBAC) -> None:
        """From a trusted proxy, X-Forwarded-For gives src and the proxy is nat."""
        with capture() as events:
            async with client(make_app(audit, rbac), ("10.0.0.9", 40000)) as http:
                response = await http.get(
                    "/accounts/7",
                    headers={
                        "x-user": "alice",
                        "x-forwarded-for": "203.0.113.5",
                        "x-request-id": "req-1",
                    },
                )
        assert response.headers["x-request-id"] == "req-1"
        (event,) = events
        assert event["src"] == {"ip": "203.0.113.5", "protocol": "http"}
        assert event["nat"] == {"ip": "10.0.0.9", "port": 40000, "protocol": "http"}
        assert event["actor"]["ip"] == "203.0.113.5"
        assert event["correlation_id"] == "req-1"

    async def test_client_port_header(self, audit: AuditLogger, rbac: RBAC) -> None:
        """The client port header of a trusted proxy gives the client's port."""
        app = make_app(audit, rbac, client_port_header="X-Real-Port")
        async with client(app, ("10.0.0.9", 40000)) as http:
            response = await http.get(
                "/context", headers={"x-forwarded-for": "203.0.113.5", "x-real-port": "62000"}
            )
        assert response.json()["bound"]["port"] == 62000

    async def test_records_other_denials_once(self, audit: AuditLogger, rbac: RBAC) -> None:
        """A 403 from elsewhere is recorded as http.denied; Require's is not doubled."""
        with capture() as events:
            async with client(make_app(audit, rbac)) as http:
                await http.get("/teapot", headers={"x-user": "bob"})
                await http.get("/accounts/7", headers={"x-user": "alice"})
        assert [e["action"] for e in events] == ["http.denied", "access.check"]
        assert events[0]["target"] == "GET /teapot"
        assert events[0]["data"]["status"] == 403
        assert events[0]["actor"]["user_id"] == "bob"

    async def test_record_denials_off(self, audit: AuditLogger, rbac: RBAC) -> None:
        """record_denials=False records only what Require records."""
        with capture() as events:
            async with client(make_app(audit, rbac, record_denials=False)) as http:
                await http.get("/teapot")
        assert events == []

    async def test_lifespan_passes_through(self, audit: AuditLogger) -> None:
        """Non-HTTP scopes reach the app untouched."""
        seen: list[str] = []

        async def app(scope: Any, receive: Any, send: Any) -> None:
            seen.append(scope["type"])

        await AuditMiddleware(app, audit=audit, trusted_proxies=TrustedProxies())(
            {"type": "lifespan"}, None, None
        )
        assert seen == ["lifespan"]

    async def test_plain_starlette_user(self, audit: AuditLogger) -> None:
        """default_user_id reads Starlette's authenticated user."""
        from starlette.applications import Starlette
        from starlette.authentication import AuthCredentials, AuthenticationBackend, SimpleUser
        from starlette.middleware import Middleware
        from starlette.middleware.authentication import AuthenticationMiddleware
        from starlette.routing import Route

        class Header(AuthenticationBackend):
            async def authenticate(self, conn: Any) -> Any:
                name = conn.headers.get("x-user")
                return (AuthCredentials(["authenticated"]), SimpleUser(name)) if name else None

        async def who(request: Request) -> JSONResponse:
            return JSONResponse({"user": default_user_id(request)})

        app = Starlette(
            routes=[Route("/who", who)],
            middleware=[
                Middleware(AuditMiddleware, audit=audit),
                Middleware(AuthenticationMiddleware, backend=Header()),
            ],
        )
        async with client(app) as http:
            assert (await http.get("/who", headers={"x-user": "zhang"})).json() == {"user": "zhang"}
            assert (await http.get("/who")).json() == {"user": None}


def _free_port() -> int:
    """A port nothing listens on now (the kernel's choice for port 0)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve(app: Any) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Start uvicorn on a free loopback port in a thread; poll the port until it accepts."""
    port = _free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False, lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    # A guard against a server that never listens, not a measure of speed: a
    # count of polls (6,000 waits of 0.02 s on the server thread, about 120 s),
    # far above what a start takes on a loaded machine; no wall clock is read.
    for _ in range(6_000):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server, thread, port
        except OSError:
            if not thread.is_alive():
                break
            thread.join(0.02)  # wait on the server thread between polls
    server.should_exit = True
    thread.join(5)
    raise AssertionError(f"uvicorn did not listen on port {port}")


class TestDefaultUserId:
    def test_identity_or_display_name(self) -> None:
        """identity is used; a user without one is named by display_name."""
        from starlette.authentication import BaseUser

        class Named(BaseUser):
            is_authenticated = True
            display_name = "li.na"

        class Identified(Named):
            identity = "u-7"

        def request(user: Any) -> Request:
            return Request({"type": "http", "user": user, "headers": []})

        assert default_user_id(request(Named())) == "li.na"
        assert default_user_id(request(Identified())) == "u-7"


class TestUvicorn:
    def test_denial_through_a_real_server(self, audit: AuditLogger, rbac: RBAC) -> None:
        """Through uvicorn on loopback, 127.0.0.1 is a trusted proxy for X-Forwarded-For."""
        server, thread, port = _serve(make_app(audit, rbac))
        try:
            with capture() as events:
                response = httpx.get(
                    f"http://127.0.0.1:{port}/accounts/7",
                    headers={"x-user": "alice", "x-forwarded-for": "203.0.113.77"},
                    timeout=60,  # a hang guard, far above a loaded machine's answer
                )
        finally:
            server.should_exit = True
            thread.join(120)  # a hang guard: uvicorn polls should_exit every 0.1 s
        assert not thread.is_alive()
        assert response.status_code == 403
        assert response.json() == {"detail": "Forbidden"}
        (event,) = events
        assert event["src"]["ip"] == "203.0.113.77"
        assert event["nat"]["ip"] == "127.0.0.1"
        assert 0 < event["nat"]["port"] <= 65535


class TestRequireTenant:
    async def test_request_without_a_tenant_is_denied(self, audit: AuditLogger) -> None:
        """A tenant getter that finds no tenant denies: the tenant's denies cannot be skipped."""
        engine = RBAC()
        engine.add_role("teller")
        engine.grant("teller", "accounts/*", "read")
        engine.deny("teller", "accounts/*", "read", tenant="t1")
        engine.add_user("bob")
        engine.assign("bob", "teller")
        guard = Require(
            "accounts/1",
            "read",
            rbac=engine,
            audit=audit,
            user_id=header_user,
            tenant=lambda request: request.headers.get("x-tenant"),
        )
        app = FastAPI()

        @app.get("/x")
        def x(_: Decision = Depends(guard)) -> str:
            return "ok"

        with capture() as events:
            async with client(app) as http:
                in_t1 = await http.get("/x", headers={"x-user": "bob", "x-tenant": "t1"})
                no_tenant = await http.get("/x", headers={"x-user": "bob"})
        assert in_t1.status_code == 403
        assert no_tenant.status_code == 403
        assert no_tenant.json() == {"detail": "Forbidden"}
        assert [e["outcome"] for e in events] == ["denied", "denied"]
        assert events[1]["reason"] == "the request names no tenant"


class TestRequireReadsParametersAsTheRoute:
    """The resource is checked as the route's own parameters read it, not only as typed."""

    def app(self, audit: AuditLogger, rbac: RBAC) -> FastAPI:
        """Routes whose path parameter is an int, in the endpoint and in a dependency."""
        app = FastAPI()
        guard = Require(
            "accounts/{account_id}", "read", rbac=rbac, audit=audit, user_id=header_user
        )

        @app.get("/accounts/{account_id}")
        def read(account_id: int, _: Decision = Depends(guard)) -> dict[str, int]:
            return {"account": account_id}

        def account_of(account_id: int) -> int:
            return account_id

        @app.get("/via/{account_id}")
        def via(account: int = Depends(account_of), _: Decision = Depends(guard)) -> int:
            return account

        return app

    @pytest.mark.parametrize("path", ["/accounts/07", "/accounts/+7", "/accounts/0007", "/via/07"])
    async def test_another_spelling_of_a_denied_id_is_denied(
        self, audit: AuditLogger, rbac: RBAC, path: str
    ) -> None:
        """/accounts/07 is account 7 to an int parameter, and accounts/7 is denied."""
        with capture() as events:
            async with client(self.app(audit, rbac)) as http:
                response = await http.get(path, headers={"x-user": "alice"})
        assert response.status_code == 403
        assert response.json() == {"detail": "Forbidden"}
        (event,) = events
        assert event["outcome"] == "denied"
        assert "accounts/7" in event["reason"]

    async def test_plain_ids_are_unchanged(self, audit: AuditLogger, rbac: RBAC) -> None:
        """Canonical ids are decided as before; a value FastAPI refuses still gets 422."""
        async with client(self.app(audit, rbac)) as http:
            ok = await http.get("/accounts/8", headers={"x-user": "alice"})
            denied = await http.get("/accounts/7", headers={"x-user": "alice"})
            bad = await http.get("/accounts/x7", headers={"x-user": "alice"})
        assert ok.json() == {"account": 8}
        assert denied.status_code == 403
        assert bad.status_code == 422

    async def test_enum_parameters_are_read_by_value(self, audit: AuditLogger) -> None:
        """An enum path parameter is checked by its value, as the endpoint receives it."""
        engine = RBAC()
        engine.add_role("teller")
        engine.grant("teller", "kinds/*", "read")
        engine.add_user("alice")
        engine.assign("alice", "teller")
        app = FastAPI()
        guard = Require("kinds/{kind}", "read", rbac=engine, audit=audit, user_id=header_user)

        @app.get("/kinds/{kind}")
        def read(kind: Kind, decision: Decision = Depends(guard)) -> str:
            return kind.value

        async with client(app) as http:
            response = await http.get("/kinds/savings", headers={"x-user": "alice"})
        assert response.json() == "savings"
