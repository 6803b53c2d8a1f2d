"""A Django login that fails three times and locks, with every attempt audited.

Run: python examples/integrations_django_lockout.py   (needs secpolicy[django])

The site uses secpolicy's password validator (GB/T 22239 level 3 profile),
the lockout backend (three failures lock the account for 30 minutes, the
rulebook's rule), the RBAC permission backend and the correlation-id
middleware. The client logs in through a reverse proxy that is listed as
trusted, so the audit records keep both the client's address (``src``) and
the proxy's (``nat``). At the end the audit log is verified.
"""

from __future__ import annotations

import json
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import django
from django.conf import settings
from django.urls import path

from secpolicy import FrozenClock
from secpolicy.audit import AuditLogger, read_records, verify
from secpolicy.rbac import RBAC

WORK = Path(tempfile.mkdtemp(prefix="secpolicy-django-demo-"))
KEY = b"demo checkpoint key, 32 bytes!!!"
CLOCK = FrozenClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
AUDIT = AuditLogger.to_file(WORK / "audit.jsonl", key=KEY, clock=CLOCK, seal_idle=False)

ENGINE = RBAC()
ENGINE.add_role("teller")
ENGINE.grant("teller", "bank/account", "view")
ENGINE.add_user("zhang.wei")
ENGINE.assign("zhang.wei", "teller")

settings.configure(
    SECRET_KEY="demo-only",
    ALLOWED_HOSTS=["testserver"],
    USE_TZ=True,
    ROOT_URLCONF=__name__,
    DEFAULT_AUTO_FIELD="django.db.models.AutoField",
    INSTALLED_APPS=[
        "django.contrib.auth",
        "django.contrib.contenttypes",
        "django.contrib.sessions",
        "secpolicy.integrations.django",
    ],
    MIDDLEWARE=[
        "secpolicy.integrations.django.CorrelationIdMiddleware",
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
    ],
    DATABASES={"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": WORK / "db.sqlite3"}},
    PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"],  # argon2-cffi
    AUTHENTICATION_BACKENDS=[
        "secpolicy.integrations.django.LockoutBackend",
        "django.contrib.auth.backends.ModelBackend",
        "secpolicy.integrations.django.RBACBackend",
    ],
    AUTH_PASSWORD_VALIDATORS=[
        {
            "NAME": "secpolicy.integrations.django.PasswordPolicyValidator",
            "OPTIONS": {"profile": "cn-mlps-l3"},
        }
    ],
    SECPOLICY={
        "AUDIT_LOGGER": AUDIT,
        "CLOCK": CLOCK,
        "RBAC": ENGINE,
        "TRUSTED_PROXIES": ["10.0.0.0/8"],
    },
)
django.setup()

from django.contrib.auth import authenticate, get_user_model, login  # noqa: E402
from django.contrib.auth.password_validation import validate_password  # noqa: E402
from django.core.exceptions import ValidationError  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.http import HttpRequest, HttpResponse, JsonResponse  # noqa: E402
from django.test import Client  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402


@csrf_exempt
def login_view(request: HttpRequest) -> HttpResponse:
    """The site's login endpoint."""
    user = authenticate(
        request, username=request.POST.get("username"), password=request.POST.get("password")
    )
    if user is None:
        return JsonResponse({"ok": False}, status=401)
    login(request, user)
    return JsonResponse({"ok": True, "can_view_accounts": user.has_perm("bank.view_account")})


urlpatterns = [path("login", login_view)]

# The reverse proxy at 10.0.0.2 forwards the client 203.0.113.50.
THROUGH_PROXY = {
    "REMOTE_ADDR": "10.0.0.2",
    "REMOTE_PORT": "40100",
    "HTTP_X_FORWARDED_FOR": "203.0.113.50",
}


def attempt(client: Client, password: str) -> int:
    """One login attempt; its HTTP status."""
    response = client.post(
        "/login", {"username": "zhang.wei", "password": password}, **THROUGH_PROXY
    )
    return response.status_code


def main() -> None:
    """Sign up, fail three times, get locked, wait out the lock, log in."""
    call_command("migrate", run_syncdb=True, verbosity=0)

    try:
        validate_password("12345678")
    except ValidationError as exc:
        print("sign-up refuses 12345678:", [e.code for e in exc.error_list])
    password = "Tq7!vX2#pL9m"
    validate_password(password)
    get_user_model().objects.create_user(username="zhang.wei", password=password)

    client = Client()
    for n in range(1, 4):
        print(f"attempt {n} with a wrong password -> HTTP {attempt(client, 'guess')}")
    status = attempt(client, password)
    print(f"the right password while locked -> HTTP {status}")
    if status != 401:
        raise SystemExit("a locked account must refuse the right password")

    CLOCK.advance(timedelta(minutes=31))
    status = attempt(client, password)
    print(f"31 minutes later, the right password -> HTTP {status}")
    if status != 200:
        raise SystemExit("the lock should have lifted after its duration")

    AUDIT.close()
    print("\naudit records:")
    for record in read_records(WORK / "audit.jsonl"):
        if record.get("kind", "event") != "event":
            continue
        print(
            " ",
            record["action"],
            record["outcome"],
            json.dumps(
                {k: record.get(k) for k in ("actor", "src", "nat", "reason")},
                ensure_ascii=False,
            ),
        )
    report = verify(WORK / "audit.jsonl", key=KEY)
    print("audit log verifies:", report.ok)
    if not report.ok:
        raise SystemExit("the audit log should verify")


if __name__ == "__main__":
    main()
