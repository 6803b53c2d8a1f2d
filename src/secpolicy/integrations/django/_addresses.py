"""The client's address and the correlation id of a Django request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from secpolicy.integrations._net import ClientAddress, correlation_id
from secpolicy.integrations.django import _conf

if TYPE_CHECKING:
    from django.http import HttpRequest

__all__ = ["client_address", "request_correlation_id"]

_CLIENT: Final = "_secpolicy_client"
_CORRELATION: Final = "_secpolicy_correlation_id"


def _meta_key(header: str) -> str:
    return "HTTP_" + header.upper().replace("-", "_")


def client_address(request: HttpRequest) -> ClientAddress:
    """Where *request* came from: ``REMOTE_ADDR``/``REMOTE_PORT``, and trusted proxies' headers.

    ``X-Forwarded-For`` is believed only when ``REMOTE_ADDR`` is one of
    ``SECPOLICY["TRUSTED_PROXIES"]``; ``SECPOLICY["CLIENT_PORT_HEADER"]``
    (such as ``"X-Real-Port"``) names a header that such a proxy sets to the
    client's source port. The result is kept on the request.

    .. versionadded:: 0.2
    """
    cached = getattr(request, _CLIENT, None)
    if isinstance(cached, ClientAddress):
        return cached
    meta = request.META
    forwarded = meta.get("HTTP_X_FORWARDED_FOR")
    port_header = _conf.option("CLIENT_PORT_HEADER")
    scheme: str | None = request.scheme
    address = _conf.trusted_proxies().resolve(
        meta.get("REMOTE_ADDR"),
        meta.get("REMOTE_PORT"),
        [forwarded] if isinstance(forwarded, str) else [],
        forwarded_port=meta.get(_meta_key(port_header)) if port_header else None,
        protocol=scheme,
    )
    setattr(request, _CLIENT, address)
    return address


def request_correlation_id(request: HttpRequest) -> str:
    """The correlation id of *request* (from a trusted proxy's header, else new), kept on it.

    The header is ``SECPOLICY["CORRELATION_ID_HEADER"]`` (default
    ``X-Request-ID``).

    .. versionadded:: 0.2
    """
    cached = getattr(request, _CORRELATION, None)
    if isinstance(cached, str):
        return cached
    header = _conf.option("CORRELATION_ID_HEADER", "X-Request-ID")
    value = request.META.get(_meta_key(header))
    cid = correlation_id(value, trusted=client_address(request).peer_trusted)
    setattr(request, _CORRELATION, cid)
    return cid
