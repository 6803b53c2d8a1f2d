"""Plain views over django.contrib.auth, as a service would write them."""

from __future__ import annotations

import structlog
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def login_view(request: HttpRequest) -> HttpResponse:
    """Authenticate the posted username and password; 200 or 401."""
    user = authenticate(
        request, username=request.POST.get("username"), password=request.POST.get("password")
    )
    if user is None:
        return JsonResponse({"ok": False}, status=401)
    login(request, user)
    return JsonResponse({"ok": True})


@csrf_exempt
def logout_view(request: HttpRequest) -> HttpResponse:
    """Log out."""
    logout(request)
    return JsonResponse({"ok": True})


def perm_view(request: HttpRequest, perm: str) -> HttpResponse:
    """Whether the user holds *perm*."""
    return JsonResponse({"allowed": request.user.has_perm(perm)})


def context_view(request: HttpRequest) -> HttpResponse:
    """What the middleware bound for audit."""
    bound = structlog.contextvars.get_contextvars()
    return JsonResponse(
        {
            "correlation_id": bound.get("correlation_id"),
            "ip": bound.get("ip"),
            "port": bound.get("port"),
            "attribute": getattr(request, "correlation_id", None),
        }
    )
