"""An audited FastAPI denial: the client gets a bare 403, the audit log gets the reason.

Run: python examples/integrations_fastapi_denial.py   (needs secpolicy[fastapi] and httpx)

A customer-service agent may read customer records but not export them, and
customer 42 is a VIP record that needs a clearance the agent lacks. The app
runs behind a load balancer at 10.0.0.7 that is listed as trusted; the
middleware binds the agent's real address and the request's correlation id
to every audit record. The requests are served by the app in-process through
httpx's ASGI transport.
"""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path

import httpx
from fastapi import Depends, FastAPI, Request

from secpolicy.audit import AuditLogger, read_records, verify
from secpolicy.integrations.starlette import AuditMiddleware, Require
from secpolicy.rbac import RBAC, Decision

WORK = Path(tempfile.mkdtemp(prefix="secpolicy-fastapi-demo-"))
KEY = b"demo checkpoint key, 32 bytes!!!"


def build_rbac() -> RBAC:
    """Agents read customers; VIP records are labelled 敏感."""
    rbac = RBAC(levels=("公开", "内部", "敏感"))
    rbac.add_role("customer_service")
    rbac.grant("customer_service", "customers/*", "read")
    rbac.add_user("cs.chen")
    rbac.assign("cs.chen", "customer_service")
    rbac.set_clearance("cs.chen", "内部")
    rbac.set_label("customers/42", "敏感")
    return rbac


def current_user(request: Request) -> str | None:
    """The authenticated user; a real app reads a verified session or token here."""
    return request.headers.get("x-demo-user")


def build_app(audit: AuditLogger, rbac: RBAC) -> FastAPI:
    """The customer API."""
    app = FastAPI()
    app.add_middleware(
        AuditMiddleware,
        audit=audit,
        rbac=rbac,
        trusted_proxies=["10.0.0.7"],
        user_id=current_user,
    )
    read = Require("customers/{customer_id}", "read")
    export = Require("customers/{customer_id}", "export")

    @app.get("/customers/{customer_id}")
    def get_customer(customer_id: str, _: Decision = Depends(read)) -> dict[str, str]:  # noqa: B008
        return {"id": customer_id, "name": "王*"}

    @app.post("/customers/{customer_id}/export")
    def export_customer(customer_id: str, _: Decision = Depends(export)) -> dict[str, str]:  # noqa: B008
        return {"id": customer_id, "status": "exported"}

    return app


async def run(app: FastAPI) -> None:
    """Three requests from the agent's desk through the load balancer."""
    transport = httpx.ASGITransport(app=app, client=("10.0.0.7", 51000))
    headers = {"x-demo-user": "cs.chen", "x-forwarded-for": "192.168.8.23"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for method, url in (
            ("GET", "/customers/7"),
            ("POST", "/customers/7/export"),
            ("GET", "/customers/42"),
        ):
            response = await client.request(method, url, headers=headers)
            print(f"{method} {url} -> {response.status_code} {response.text}")


def main() -> None:
    """Serve the requests, then show what the audit log recorded and verify it."""
    audit = AuditLogger.to_file(WORK / "audit.jsonl", key=KEY, seal_idle=False)
    asyncio.run(run(build_app(audit, build_rbac())))
    audit.close()
    print("\naudit records of the denials:")
    denials = [r for r in read_records(WORK / "audit.jsonl") if r.get("outcome") == "denied"]
    for record in denials:
        shown = {k: record.get(k) for k in ("target", "reason", "actor", "src", "nat")}
        print(" ", json.dumps(shown, ensure_ascii=False))
    if len(denials) != 2:
        raise SystemExit("both denials should be recorded")
    report = verify(WORK / "audit.jsonl", key=KEY)
    print("audit log verifies:", report.ok)
    if not report.ok:
        raise SystemExit("the audit log should verify")


if __name__ == "__main__":
    main()
