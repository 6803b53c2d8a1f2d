"""Client addresses behind trusted proxies, and correlation ids, without a framework."""

from __future__ import annotations

import ipaddress
import subprocess
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from secpolicy.audit import Endpoint
from secpolicy.exceptions import PolicyConfigError
from secpolicy.integrations import ClientAddress, TrustedProxies, correlation_id

PROXIES = TrustedProxies(["10.0.0.0/8", "2001:db8:ffff::/48"])


class TestTrustedProxies:
    def test_direct_client(self) -> None:
        """With no trusted peer, the peer is the client and nothing is forwarded."""
        found = PROXIES.resolve("198.51.100.1", "5000", ["203.0.113.1"], protocol="https")
        assert found == ClientAddress(
            ip="198.51.100.1",
            port=5000,
            src=Endpoint(ip="198.51.100.1", port=5000, protocol="https"),
            nat=None,
        )

    def test_one_proxy(self) -> None:
        """Behind one trusted proxy the forwarded address is the client, the proxy is nat."""
        found = PROXIES.resolve("10.0.0.5", 41000, ["203.0.113.7"])
        assert (found.ip, found.port, found.forwarded, found.peer_trusted) == (
            "203.0.113.7",
            41000,
            True,
            True,
        )
        assert found.src == Endpoint(ip="203.0.113.7")
        assert found.nat == Endpoint(ip="10.0.0.5", port=41000)

    def test_chain_is_read_from_the_right(self) -> None:
        """Trusted hops are skipped from the right; a spoofed left part is not believed."""
        found = PROXIES.resolve("10.0.0.5", 1, ["1.1.1.1, 203.0.113.7", "10.2.2.2"])
        assert found.ip == "203.0.113.7"

    def test_all_trusted_gives_the_leftmost(self) -> None:
        """When every hop is a trusted proxy, the leftmost is the client."""
        assert PROXIES.resolve("10.0.0.5", 1, ["10.3.3.3, 10.2.2.2"]).ip == "10.3.3.3"

    @pytest.mark.parametrize("garbage", ["unknown", "_hidden", "[::1", "1.2.3.4:99999", "[::1]x"])
    def test_unreadable_hop_stops_at_the_proxy(self, garbage: str) -> None:
        """A hop that is not an address ends the walk at the proxy that wrote it."""
        found = PROXIES.resolve("10.0.0.5", 1, [f"203.0.113.9, {garbage}, 10.2.2.2"])
        assert found.ip == "10.2.2.2"
        assert PROXIES.resolve("10.0.0.5", 1, [garbage]).ip == "10.0.0.5"

    @pytest.mark.parametrize(
        ("hop", "ip", "port"),
        [
            ("203.0.113.7:4711", "203.0.113.7", 4711),
            ("[2001:db8::1]:4711", "2001:db8::1", 4711),
            ("[2001:db8::1]", "2001:db8::1", None),
            ("2001:db8::1", "2001:db8::1", None),
            ('"203.0.113.7"', "203.0.113.7", None),
            ("::ffff:203.0.113.7", "203.0.113.7", None),
        ],
    )
    def test_hop_forms(self, hop: str, ip: str, port: int | None) -> None:
        """Ports, brackets, quotes and IPv4-mapped addresses are understood."""
        found = PROXIES.resolve("10.0.0.5", 1, [hop])
        assert found.ip == ip
        assert found.src is not None
        assert found.src.port == port

    def test_ipv6_proxy_and_mapped_peer(self) -> None:
        """A trusted IPv6 proxy and an IPv4-mapped peer are matched."""
        assert PROXIES.resolve("2001:db8:ffff::2", 1, ["203.0.113.7"]).ip == "203.0.113.7"
        assert PROXIES.resolve("::ffff:10.0.0.5", 1, ["203.0.113.7"]).ip == "203.0.113.7"
        mapped = TrustedProxies(["::ffff:10.0.0.0/104"])
        assert mapped.trusts("10.1.2.3")

    def test_forwarded_port(self) -> None:
        """The client port header counts only for the hop the nearest proxy recorded."""
        assert PROXIES.resolve("10.0.0.5", 1, ["203.0.113.7"], forwarded_port="6000").port == 6000
        deeper = PROXIES.resolve("10.0.0.5", 1, ["203.0.113.7, 10.2.2.2"], forwarded_port="6000")
        assert deeper.port == 1
        assert deeper.src is not None
        assert deeper.src.port is None

    @pytest.mark.parametrize("peer", [None, "", "unix:/run/app.sock", "not-an-ip"])
    def test_peer_without_address(self, peer: str | None) -> None:
        """A peer without an IP address gives no address at all, whatever is forwarded."""
        found = PROXIES.resolve(peer, None, ["203.0.113.7"])
        assert (found.ip, found.src, found.nat) == (None, None, None)
        assert found.audit_fields() == {}

    @pytest.mark.parametrize(
        "port", ["", "-1", "65536", "\uff11\uff12", True, 70000, 3.5, "123456"]
    )
    def test_bad_ports_are_unknown(self, port: object) -> None:
        """A port that is not 0-65535 in plain digits is unknown."""
        assert PROXIES.resolve("198.51.100.1", port).port is None

    def test_no_hops_from_a_trusted_peer(self) -> None:
        """A trusted peer without X-Forwarded-For is itself the client."""
        found = PROXIES.resolve("10.0.0.5", 80, [])
        assert (found.ip, found.forwarded, found.peer_trusted) == ("10.0.0.5", False, True)

    def test_hop_limit(self) -> None:
        """Only the last MAX_HOPS hops are looked at."""
        hops = ", ".join(["203.0.113.1"] + ["10.0.0.1"] * 40)
        assert PROXIES.resolve("10.0.0.5", 1, [hops]).ip == "10.0.0.1"

    def test_audit_fields(self) -> None:
        """audit_fields gives the logger's keyword arguments."""
        fields = PROXIES.resolve("10.0.0.5", 1, ["203.0.113.7"]).audit_fields()
        assert set(fields) == {"ip", "port", "src", "nat"}

    @pytest.mark.parametrize(
        ("value", "field"),
        [
            ("10.0.0.0/8", "trusted_proxies"),
            (["10.0.0.1/8"], "trusted_proxies[0]"),
            (["nonsense"], "trusted_proxies[0]"),
            ([10], "trusted_proxies[0]"),
        ],
    )
    def test_bad_configuration(self, value: object, field: str) -> None:
        """A wrong proxy list is a PolicyConfigError naming the entry."""
        with pytest.raises(PolicyConfigError) as info:
            TrustedProxies(value)  # type: ignore[arg-type]
        assert info.value.field == field

    def test_trusts(self) -> None:
        """trusts() answers for text addresses only."""
        assert PROXIES.trusts("10.9.9.9")
        assert not PROXIES.trusts("11.0.0.1")
        assert not PROXIES.trusts(None)
        assert not PROXIES.trusts("garbage")

    @given(
        peer=st.ip_addresses(v=4).filter(lambda a: a not in ipaddress.ip_network("10.0.0.0/8")),
        forwarded=st.lists(st.text(max_size=40), max_size=4),
    )
    def test_untrusted_peer_is_always_the_client(
        self, peer: ipaddress.IPv4Address, forwarded: list[str]
    ) -> None:
        """Whatever X-Forwarded-For says, an untrusted peer's own address is used."""
        found = PROXIES.resolve(str(peer), 1234, forwarded)
        assert found.ip == str(peer)
        assert found.nat is None
        assert not found.forwarded

    @given(forwarded=st.lists(st.text(max_size=60), max_size=4))
    def test_never_raises(self, forwarded: list[str]) -> None:
        """Any header text resolves to some address, never an exception."""
        found = PROXIES.resolve("10.0.0.5", 1, forwarded)
        assert found.ip is not None


class TestCorrelationId:
    def test_trusted_well_formed_is_kept(self) -> None:
        """A well-formed id from a trusted peer is kept."""
        assert correlation_id("req-1.a:b_c", trusted=True) == "req-1.a:b_c"

    @pytest.mark.parametrize("value", [None, "", "a b", "x" * 129, "-lead", "a\nb", "日本"])
    def test_malformed_is_replaced(self, value: str | None) -> None:
        """An id outside the safe form is replaced by a new one."""
        new = correlation_id(value, trusted=True)
        assert new != value
        assert len(new) == 32

    def test_untrusted_is_replaced(self) -> None:
        """From an untrusted peer even a well-formed id is replaced."""
        assert correlation_id("req-1", trusted=False) != "req-1"

    def test_new_ids_differ(self) -> None:
        """Generated ids are unique."""
        assert correlation_id(None, trusted=False) != correlation_id(None, trusted=False)


class TestMissingExtras:
    @pytest.mark.parametrize(
        ("module", "blocked", "extra"),
        [
            ("secpolicy.integrations.django", "django", "secpolicy[django]"),
            ("secpolicy.integrations.starlette", "starlette", "secpolicy[fastapi]"),
            ("secpolicy.integrations.sqlalchemy", "sqlalchemy", "secpolicy[sqlalchemy]"),
        ],
    )
    def test_import_error_names_the_extra(self, module: str, blocked: str, extra: str) -> None:
        """Without its framework an integration's ImportError says which extra to install."""
        code = (
            f"import sys; sys.modules[{blocked!r}] = None\n"
            "try:\n"
            f"    import {module}\n"
            "except ImportError as exc:\n"
            "    print(exc)\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert extra in result.stdout

    def test_core_imports_no_framework(self) -> None:
        """Importing secpolicy and the integrations package loads no framework."""
        code = (
            "import sys, secpolicy, secpolicy.integrations, secpolicy.audit, secpolicy.rbac\n"
            "print(sorted(m for m in ('django', 'starlette', 'fastapi', 'sqlalchemy') "
            "if m in sys.modules))\n"
        )
        result = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, check=True
        )
        assert result.stdout.strip() == "[]"


class TestMissingExtra:
    def test_message(self) -> None:
        """The error names the module, the framework and the pip command."""
        from secpolicy.integrations._extra import missing_extra

        error = missing_extra("secpolicy.integrations.django", "django", "Django")
        assert isinstance(error, ImportError)
        assert error.name == "secpolicy.integrations.django"
        assert "pip install 'secpolicy[django]'" in str(error)
