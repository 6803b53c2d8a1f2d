"""Client addresses behind proxies and correlation ids, without any framework."""

from __future__ import annotations

import ipaddress
import re
import uuid
from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.audit import Endpoint
from secpolicy.exceptions import PolicyConfigError

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

__all__ = ["ClientAddress", "TrustedProxies", "correlation_id"]

_Address = ipaddress.IPv4Address | ipaddress.IPv6Address
_Network = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Hops of ``X-Forwarded-For`` looked at, from the right; a longer chain of
#: trusted proxies than this is not a deployment, it is an attack on the parser.
MAX_HOPS: Final = 32
_MAX_PORT: Final = 65535
_CORRELATION: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")


def _address(text: str) -> _Address | None:
    """The address in *text*, with IPv4-mapped IPv6 folded to IPv4; None if it is none."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _port(value: object) -> int | None:
    """A port number from an int or decimal text, None for anything else."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 0 <= value <= _MAX_PORT else None
    if isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 5:  # noqa: PLR2004 (65535 has five digits)
        number = int(value)
        return number if number <= _MAX_PORT else None
    return None


def _hop(text: str) -> tuple[_Address, int | None] | None:  # noqa: PLR0911 (one per form)
    """One ``X-Forwarded-For`` element: ``addr``, ``v4:port``, ``[v6]`` or ``[v6]:port``."""
    text = text.strip().strip('"')
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        address = _address(text[1:end])
        rest = text[end + 1 :]
        if not rest:
            return (address, None) if address is not None else None
        if not rest.startswith(":"):
            return None
        port = _port(rest[1:])
        return (address, port) if address is not None and port is not None else None
    if text.count(":") == 1:  # IPv4 with a port; a bare IPv6 address has two or more
        host, _, port_text = text.partition(":")
        address, port = _address(host), _port(port_text)
        if address is None or port is None or address.version != 4:  # noqa: PLR2004
            return None
        return address, port
    address = _address(text)
    return (address, None) if address is not None else None


@attrs.frozen(kw_only=True)
class ClientAddress:
    """Where a request came from, as far as the trusted proxies can tell.

    Attributes:
        ip: The client's address: the peer's, or the one a trusted proxy
            forwarded. None if the peer has no IP address (a Unix socket)
            and nothing trusted says otherwise.
        port: The client's port if known; behind a proxy that does not
            forward it, the port of the connection the service saw.
        src: The client's endpoint before address translation (address, the
            port if known, and the protocol).
        nat: The endpoint the service saw after translation (the nearest
            proxy's address and port) when a trusted proxy forwarded the
            request, else None.
        forwarded: True if the address came from a trusted proxy's header.
        peer_trusted: True if the directly connected peer is a trusted proxy
            (so its other headers, such as a request id, may be believed).

    .. versionadded:: 0.2
    """

    ip: str | None
    port: int | None
    src: Endpoint | None
    nat: Endpoint | None
    forwarded: bool = False
    peer_trusted: bool = False

    def audit_fields(self) -> dict[str, Any]:
        """Keyword arguments for an :class:`~secpolicy.audit.AuditLogger` event.

        They are ``ip``, ``port``, ``src`` and ``nat``.

        Fields that are unknown are left out, so a value bound earlier stays.
        """
        fields: dict[str, Any] = {
            "ip": self.ip,
            "port": self.port,
            "src": self.src,
            "nat": self.nat,
        }
        return {key: value for key, value in fields.items() if value is not None}


def _networks(values: Iterable[str]) -> tuple[_Network, ...]:
    if isinstance(values, (str, bytes)):
        raise PolicyConfigError(
            "must be a list of addresses or networks, not one string", field="trusted_proxies"
        )
    out = []
    for i, value in enumerate(values):
        if not isinstance(value, str):
            raise PolicyConfigError(
                f"must be an address or network as text, not {type(value).__name__}",
                field=f"trusted_proxies[{i}]",
            )
        try:
            network = ipaddress.ip_network(value.strip(), strict=True)
        except ValueError:
            raise PolicyConfigError(
                "is not an IP address or network in CIDR form (host bits must be zero)",
                field=f"trusted_proxies[{i}]",
            ) from None
        mapped = (
            network.network_address.ipv4_mapped
            if isinstance(network, ipaddress.IPv6Network)
            else None
        )
        if mapped is not None and network.prefixlen >= 96:  # noqa: PLR2004 (::ffff:0:0/96)
            network = ipaddress.IPv4Network((mapped, network.prefixlen - 96))
        out.append(network)
    return tuple(out)


@attrs.frozen
class TrustedProxies:
    """The reverse proxies and load balancers whose forwarded headers are believed.

    ``X-Forwarded-For`` is written by whoever sent the request, so an address
    in it means something only if a proxy you run appended it. The chain is
    read from the right: while the hop that handed the request on is one of
    *networks*, the address it recorded is the next hop; the first address
    that is not a trusted proxy is the client. Nothing is believed from a peer
    that is not trusted, however the header looks. A hop a trusted proxy wrote
    that is not an address (``unknown``, an obfuscated name) ends the walk at
    that proxy: the client is then the proxy itself, never a guess.

    Args:
        networks: Addresses or CIDR networks (``"10.0.0.0/8"``, ``"::1"``).
            Empty (the default) trusts no proxy: the peer is the client.

    Raises:
        PolicyConfigError: An entry is not an address or network.

    Example:
        >>> proxies = TrustedProxies(["10.0.0.0/8"])
        >>> client = proxies.resolve("10.0.0.5", 41000, ["203.0.113.7"], protocol="https")
        >>> client.ip, client.nat.ip
        ('203.0.113.7', '10.0.0.5')
        >>> TrustedProxies().resolve("198.51.100.9", 5000, ["203.0.113.7"]).ip
        '198.51.100.9'

    .. versionadded:: 0.2
    """

    networks: tuple[_Network, ...] = attrs.field(default=(), converter=_networks)

    def trusts(self, address: str | None) -> bool:
        """True if *address* is inside one of the trusted networks."""
        parsed = _address(address) if isinstance(address, str) else None
        return parsed is not None and self._trusts(parsed)

    def _trusts(self, address: _Address) -> bool:
        return any(address in network for network in self.networks)

    def resolve(
        self,
        peer_ip: str | None,
        peer_port: object = None,
        forwarded_for: Sequence[str] = (),
        *,
        forwarded_port: str | None = None,
        protocol: str | None = None,
    ) -> ClientAddress:
        """The client behind *peer_ip*, believing forwarded headers only from trusted proxies.

        Args:
            peer_ip: The address of the directly connected peer
                (``REMOTE_ADDR``, the ASGI ``client``).
            peer_port: Its port (int or decimal text; anything else is unknown).
            forwarded_for: Every ``X-Forwarded-For`` header value, in the order
                received (each may hold several comma-separated hops).
            forwarded_port: The client's source port as the nearest trusted
                proxy reports it (a header such as ``X-Real-Port``); used only
                when the client is the hop that proxy recorded.
            protocol: The protocol the client used (``http``, ``https``).
        """
        port = _port(peer_port)
        peer = _address(peer_ip) if isinstance(peer_ip, str) else None
        if peer is None:
            return ClientAddress(ip=None, port=port, src=None, nat=None)
        seen = Endpoint(ip=str(peer), port=port, protocol=protocol)
        if not self.networks or not self._trusts(peer):
            return ClientAddress(ip=str(peer), port=port, src=seen, nat=None)
        hops = [hop for value in forwarded_for for hop in value.split(",") if hop.strip()]
        client, client_port, walked = peer, None, 0
        for text in reversed(hops[-MAX_HOPS:]):
            parsed = _hop(text)
            if parsed is None:
                break
            client, client_port = parsed
            walked += 1
            if not self._trusts(client):
                break
        if walked == 0:
            return ClientAddress(ip=str(peer), port=port, src=seen, nat=None, peer_trusted=True)
        if client_port is None and walked == 1 and forwarded_port is not None:
            client_port = _port(forwarded_port.strip())
        return ClientAddress(
            ip=str(client),
            port=client_port if client_port is not None else port,
            src=Endpoint(ip=str(client), port=client_port, protocol=protocol),
            nat=Endpoint(ip=str(peer), port=port, protocol=protocol),
            forwarded=True,
            peer_trusted=True,
        )


def correlation_id(value: str | None, *, trusted: bool) -> str:
    """The request's correlation id: *value* if it may be believed, else a new one.

    An incoming id (``X-Request-ID``) is kept only from a *trusted* peer (a
    proxy that sets or vets it) and only if it is 1 to 128 characters of
    letters, digits and ``.``, ``_``, ``:``, ``-``; anything else would let a
    client write into every audit record of its request. A new id is a random
    UUID in hex.

    .. versionadded:: 0.2
    """
    if trusted and isinstance(value, str) and _CORRELATION.fullmatch(value):
        return value
    return uuid.uuid4().hex
