"""``CorrelationIdMiddleware``: a correlation id and the client's address for audit records."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from asgiref.sync import iscoroutinefunction, markcoroutinefunction

from secpolicy.integrations.django import _conf
from secpolicy.integrations.django._addresses import client_address, request_correlation_id

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable

    from django.http import HttpRequest, HttpResponseBase

__all__ = ["CorrelationIdMiddleware"]


class CorrelationIdMiddleware:
    """Bind the request's correlation id and client address to the audit log.

    For the length of the request, ``correlation_id``, ``ip``, ``port``,
    ``src`` and ``nat`` are bound with ``structlog.contextvars``, so every
    :class:`~secpolicy.audit.AuditLogger` event recorded while handling it
    carries them. The id comes from the ``X-Request-ID`` header (or
    ``SECPOLICY["CORRELATION_ID_HEADER"]``) when the peer is a trusted proxy
    and the value is well-formed, and is generated otherwise; it is sent back
    in the same response header and kept as ``request.correlation_id``.

    Put it near the top of ``MIDDLEWARE``. It works under WSGI and ASGI.

    .. versionadded:: 0.2
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def _context(self, request: HttpRequest) -> dict[str, Any]:
        cid = request_correlation_id(request)
        request.correlation_id = cid
        return {"correlation_id": cid, **client_address(request).audit_fields()}

    def _finish(self, response: HttpResponseBase, cid: str) -> HttpResponseBase:
        header = _conf.option("CORRELATION_ID_HEADER", "X-Request-ID")
        response[header] = cid
        return response

    def __call__(self, request: HttpRequest) -> HttpResponseBase | Awaitable[HttpResponseBase]:
        if self.is_async:
            return self.__acall__(request)
        context = self._context(request)
        with structlog.contextvars.bound_contextvars(**context):
            response = self.get_response(request)
        return self._finish(response, context["correlation_id"])

    async def __acall__(self, request: HttpRequest) -> HttpResponseBase:
        context = self._context(request)
        with structlog.contextvars.bound_contextvars(**context):
            response = await self.get_response(request)
        return self._finish(response, context["correlation_id"])
