"""The Django integration against real Django: test client, settings module, SQLite."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import (
    password_validators_help_texts,
    validate_password,
)
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.test import Client, override_settings
from django.utils import translation

from secpolicy.audit import capture
from secpolicy.integrations.django import (
    PasswordPolicyValidator,
    RBACBackend,
    get_throttle,
    locale_for,
    lockout_keys,
    permission_target,
)
from secpolicy.password import LockoutPolicy, MemoryThrottleStore, profiles
from tests.integrations.djangoproject import services

pytestmark = pytest.mark.usefixtures("django_project")

PEER = {"REMOTE_ADDR": "198.51.100.20", "REMOTE_PORT": "51515"}
GOOD = "Kx9!mQ2#vL7p"


def make_user(username: str = "alice", password: str = GOOD, **fields: Any) -> Any:
    """Create a user with a password the CN profile accepts."""
    return get_user_model().objects.create_user(username=username, password=password, **fields)


def post_login(client: Client, username: str, password: str, **meta: str) -> int:
    """POST to the login view; the status code."""
    response = client.post("/login", {"username": username, "password": password}, **(PEER | meta))
    return response.status_code


def logins(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The auth.login records among *events*."""
    return [e for e in events if e["action"] == "auth.login"]


class TestPasswordPolicyValidator:
    def test_rejects_with_codes_and_params(self) -> None:
        """Each violation is a ValidationError with secpolicy's code and params."""
        with pytest.raises(ValidationError) as info:
            validate_password("abc")
        codes = [e.code for e in info.value.error_list]
        assert "too_short" in codes
        short = next(e for e in info.value.error_list if e.code == "too_short")
        assert short.params == {"min_length": 8}
        assert "8" in " ".join(info.value.messages)

    def test_accepts_a_good_password(self) -> None:
        """A password that satisfies the profile passes."""
        validate_password(GOOD)

    def test_messages_in_simplified_chinese(self) -> None:
        """Under zh-hans the messages are secpolicy's zh-CN ones."""
        with translation.override("zh-hans"), pytest.raises(ValidationError) as info:
            validate_password("abc")
        assert any("密码长度至少为 8 个字符" in m for m in info.value.messages)

    def test_help_text_follows_the_language(self) -> None:
        """get_help_text describes the policy in English and in Chinese."""
        english = " ".join(password_validators_help_texts())
        assert "8 to" in english
        with translation.override("zh-hans"):
            chinese = " ".join(password_validators_help_texts())
        assert "密码要求" in chinese

    def test_similarity_to_user_data(self) -> None:
        """A password built from the username is refused as similar_to_user_data."""
        user = get_user_model()(username="zhangwei2024", email="zw@example.com")
        with pytest.raises(ValidationError) as info:
            validate_password("Zhangwei2024!", user)
        assert "similar_to_user_data" in [e.code for e in info.value.error_list]

    def test_current_password_counts_as_history(self) -> None:
        """With a history policy, reusing the current password is refused as reused."""
        user = make_user("histuser")
        with pytest.raises(ValidationError) as info:
            validate_password(GOOD, user)
        assert [e.code for e in info.value.error_list] == ["reused"]

    def test_percent_in_a_message_survives(self) -> None:
        """Django's message % params leaves secpolicy's formatted text unchanged."""
        error = ValidationError("50%% done".replace("%%", "%").replace("%", "%%"), params={"a": 1})
        assert error.messages == ["50% done"]

    def test_policy_file_option(self, tmp_path: Any) -> None:
        """OPTIONS policy_file loads the [password] section."""
        path = tmp_path / "secpolicy.toml"
        path.write_text('[password]\nprofile = "pci-dss-4"\n', encoding="utf-8")
        validator = PasswordPolicyValidator(policy_file=str(path))
        assert validator.policy.min_length == 12
        with pytest.raises(ValidationError):
            validator.validate("Short1!x")

    def test_policy_file_without_password_section(self, tmp_path: Any) -> None:
        """A policy file without [password] is a configuration error."""
        path = tmp_path / "secpolicy.toml"
        path.write_text('[service]\nname = "x"\n', encoding="utf-8")
        with pytest.raises(ImproperlyConfigured, match="password"):
            PasswordPolicyValidator(policy_file=str(path))

    @pytest.mark.parametrize(
        "options", [{}, {"profile": "cn-mlps-l3", "policy_file": "x.toml"}, {"profile": "nope"}]
    )
    def test_bad_options(self, options: dict[str, str]) -> None:
        """Not exactly one source, or an unknown profile, is refused when built."""
        with pytest.raises(ImproperlyConfigured):
            PasswordPolicyValidator(**options)

    def test_profile_by_constant_name(self) -> None:
        """A profile may be named by its constant."""
        assert PasswordPolicyValidator(profile="PCI_DSS_4").policy.name == "pci-dss-4"

    @pytest.mark.parametrize(
        ("language", "locale"),
        [
            ("zh-hans", "zh-CN"),
            ("zh-Hant", "zh-CN"),
            ("zh_CN", "zh-CN"),
            ("en-us", "en"),
            ("fr", "en"),
            (None, "en"),
        ],
    )
    def test_locale_for(self, language: str | None, locale: str) -> None:
        """Django language codes map onto secpolicy's locales."""
        assert locale_for(language) == locale


class TestLockout:
    def test_three_failures_lock_the_account(self) -> None:
        """The third failure locks; the right password is then refused too."""
        make_user()
        client = Client()
        assert [post_login(client, "alice", "wrong") for _ in range(3)] == [401] * 3
        assert get_throttle().status("user:alice", now=services.CLOCK.now()).locked
        assert post_login(client, "alice", GOOD) == 401

    def test_lock_lifts_after_the_duration(self) -> None:
        """After the lock's duration the right password works again."""
        make_user()
        client = Client()
        for _ in range(3):
            post_login(client, "alice", "wrong")
        services.CLOCK.advance(timedelta(minutes=31))
        assert post_login(client, "alice", GOOD) == 200

    def test_success_clears_the_count(self) -> None:
        """Two failures, a success, two failures: not locked."""
        make_user()
        client = Client()
        for _ in range(2):
            post_login(client, "alice", "wrong")
        assert post_login(client, "alice", GOOD) == 200
        for _ in range(2):
            post_login(client, "alice", "wrong")
        assert post_login(client, "alice", GOOD) == 200

    def test_case_variants_share_one_count(self) -> None:
        """Alice, ALICE and alice count against one account."""
        make_user()
        client = Client()
        for name in ("Alice", "ALICE", "alice"):
            post_login(client, name, "wrong")
        assert post_login(client, "alice", GOOD) == 401

    def test_lock_is_audited_and_notified(self) -> None:
        """The failure that locks is recorded with auth.lockout and ON_LOCK is called."""
        make_user()
        seen: list[str] = []
        services.ON_LOCK_CALLS = seen
        config = {**_secpolicy(), "ON_LOCK": "tests.integrations.djangoproject.services.on_lock"}
        with override_settings(SECPOLICY=config), capture() as events:
            client = Client()
            for _ in range(3):
                post_login(client, "alice", "wrong")
        assert seen == ["user:alice"]
        lockouts = [e for e in events if e["action"] == "auth.lockout"]
        assert len(lockouts) == 1
        assert lockouts[0]["data"]["failures"] == 3
        assert logins(events)[-1]["data"]["locked"] is True

    def test_configured_store_and_policy(self) -> None:
        """THROTTLE_STORE and LOCKOUT_POLICY are honoured."""
        config = {
            **_secpolicy(),
            "THROTTLE_STORE": "secpolicy.password.MemoryThrottleStore",
            "LOCKOUT_POLICY": LockoutPolicy(
                max_failures=2, window=timedelta(minutes=5), duration=timedelta(minutes=5)
            ),
        }
        make_user()
        with override_settings(SECPOLICY=config):
            assert isinstance(get_throttle().store, MemoryThrottleStore)
            client = Client()
            for _ in range(2):
                post_login(client, "alice", "wrong")
            assert post_login(client, "alice", GOOD) == 401

    def test_lock_by_ip(self) -> None:
        """LOCKOUT_KEYS=("ip",) locks the address across accounts."""
        make_user()
        make_user("bob")
        with override_settings(SECPOLICY={**_secpolicy(), "LOCKOUT_KEYS": ("ip",)}):
            client = Client()
            for name in ("x1", "x2", "x3"):
                post_login(client, name, "wrong")
            assert post_login(client, "bob", GOOD) == 401
            assert post_login(client, "bob", GOOD, REMOTE_ADDR="198.51.100.21") == 200

    def test_lockout_keys(self) -> None:
        """Usernames are folded; each configured kind gives one key."""
        with override_settings(
            SECPOLICY={**_secpolicy(), "LOCKOUT_KEYS": ("username", "ip", "username_ip")}
        ):
            assert lockout_keys("\uff21lice", "192.0.2.1") == [
                "user:alice",
                "ip:192.0.2.1",
                "user_ip:alice|192.0.2.1",
            ]
            assert lockout_keys(None, None) == []

    def test_profile_lockout_policy(self) -> None:
        """LOCKOUT_POLICY may name a profile (its lockout is used); an unknown name is refused."""
        with override_settings(SECPOLICY={**_secpolicy(), "LOCKOUT_POLICY": "pci-dss-4"}):
            assert get_throttle().policy.max_failures == 10
        with override_settings(SECPOLICY={**_secpolicy(), "LOCKOUT_POLICY": "owasp-asvs-5"}):
            assert get_throttle().policy == profiles.OWASP_ASVS_5.lockout
        with (
            override_settings(SECPOLICY={**_secpolicy(), "LOCKOUT_POLICY": "owasp-asvs-4"}),
            pytest.raises(ImproperlyConfigured, match="unknown password profile"),
        ):
            get_throttle()

    @pytest.mark.parametrize(
        "config",
        [
            {"LOCKOUT_KEYS": ("email",)},
            {"LOCKOUT_POLICY": 3},
            {"THROTTLE_STORE": "secpolicy.password.LockStatus"},
            {"THROTTLE_STORE": "no.such.module"},
            {"UNKNOWN": 1},
        ],
    )
    def test_bad_configuration(self, config: dict[str, Any]) -> None:
        """A wrong SECPOLICY entry is ImproperlyConfigured, naming it."""
        with override_settings(SECPOLICY={**_secpolicy(), **config}):
            with pytest.raises(ImproperlyConfigured) as info:  # noqa: PT012 (either may refuse)
                get_throttle()
                lockout_keys("alice", "192.0.2.1")
            assert next(iter(config)) in str(info.value)


def _secpolicy() -> dict[str, Any]:
    from django.conf import settings

    return dict(settings.SECPOLICY)


class TestAudit:
    def test_login_logout_and_failure_are_recorded(self) -> None:
        """Login, failed login and logout carry the client's address and port."""
        make_user()
        client = Client()
        with capture() as events:
            post_login(client, "alice", "wrong")
            post_login(client, "alice", GOOD)
            client.post("/logout", **PEER)
        actions = [(e["action"], e["outcome"]) for e in events]
        assert actions == [
            ("auth.login", "failure"),
            ("auth.login", "success"),
            ("auth.logout", "success"),
        ]
        for event in events:
            assert event["actor"]["ip"] == "198.51.100.20"
            assert event["actor"]["port"] == 51515
            assert event["src"] == {"ip": "198.51.100.20", "port": 51515, "protocol": "http"}
            assert "nat" not in event
            assert event["correlation_id"]
        assert events[0]["actor"]["user_id"] == "alice"
        assert events[0]["reason"] == "invalid credentials"

    def test_trusted_proxy_gives_before_and_after_nat(self) -> None:
        """Behind a trusted proxy, src is the forwarded client and nat the proxy."""
        make_user()
        with capture() as events:
            post_login(
                Client(),
                "alice",
                GOOD,
                REMOTE_ADDR="10.1.2.3",
                REMOTE_PORT="40000",
                HTTP_X_FORWARDED_FOR="203.0.113.9, 10.9.9.9",
            )
        (event,) = logins(events)
        assert event["actor"]["ip"] == "203.0.113.9"
        assert event["src"]["ip"] == "203.0.113.9"
        assert event["nat"] == {"ip": "10.1.2.3", "port": 40000, "protocol": "http"}

    def test_forwarded_header_from_an_untrusted_peer_is_ignored(self) -> None:
        """X-Forwarded-For from a peer that is not a trusted proxy changes nothing."""
        make_user()
        with capture() as events:
            post_login(Client(), "alice", "wrong", HTTP_X_FORWARDED_FOR="10.0.0.1, 203.0.113.1")
        (event,) = logins(events)
        assert event["actor"]["ip"] == "198.51.100.20"
        assert "203.0.113.1" not in str(event)

    def test_client_port_header(self) -> None:
        """CLIENT_PORT_HEADER from a trusted proxy gives the client's port."""
        make_user()
        config = {**_secpolicy(), "CLIENT_PORT_HEADER": "X-Real-Port"}
        with override_settings(SECPOLICY=config), capture() as events:
            post_login(
                Client(),
                "alice",
                GOOD,
                REMOTE_ADDR="10.1.2.3",
                HTTP_X_FORWARDED_FOR="203.0.113.9",
                HTTP_X_REAL_PORT="61000",
            )
        (event,) = logins(events)
        assert event["actor"]["port"] == 61000
        assert event["src"]["port"] == 61000

    def test_audit_failure_undoes_the_login(self) -> None:
        """If the login cannot be recorded, the session is not kept."""
        make_user()
        services.audit_logger_instance().close()
        client = Client()
        with pytest.raises(Exception, match=r"closed|write"):
            post_login(client, "alice", GOOD)
        assert "_auth_user_id" not in client.session

    def test_logout_of_anonymous_is_not_recorded(self) -> None:
        """Logging out without a session records nothing."""
        with capture() as events:
            Client().post("/logout", **PEER)
        assert events == []

    def test_no_audit_logger_configured(self) -> None:
        """Without AUDIT_LOGGER logins work and lockout still counts."""
        make_user()
        config = {k: v for k, v in _secpolicy().items() if k != "AUDIT_LOGGER"}
        with override_settings(SECPOLICY=config), capture() as events:
            client = Client()
            for _ in range(3):
                post_login(client, "alice", "wrong")
            assert post_login(client, "alice", GOOD) == 401
            client.post("/logout", **PEER)
        assert events == []

    def test_missing_port_fails_closed(self) -> None:
        """A server that gives no REMOTE_PORT cannot record a login, so no login happens."""
        make_user()
        client = Client()
        with pytest.raises(ValueError, match="port"):
            client.post("/login", {"username": "alice", "password": GOOD})
        assert "_auth_user_id" not in client.session
        with pytest.raises(ValueError, match="port"):
            client.post("/login", {"username": "alice", "password": "wrong"})

    def test_authenticate_without_request(self) -> None:
        """A failure with no request is counted and recorded without addresses."""
        from django.contrib.auth import authenticate

        make_user()
        with capture() as events:
            assert authenticate(username="alice", password="wrong") is None
        assert [e["action"] for e in events] == ["auth.local_login"]
        assert get_throttle().status("user:alice", now=services.CLOCK.now()).failures == 1


class TestCorrelationIdMiddleware:
    def test_generates_and_returns_an_id(self) -> None:
        """Without a trusted header a new id is bound, kept on the request and returned."""
        response = Client().get("/context", HTTP_X_REQUEST_ID="attacker-chosen", **PEER)
        body = response.json()
        assert body["correlation_id"] != "attacker-chosen"
        assert body["correlation_id"] == body["attribute"] == response["X-Request-ID"]
        assert body["ip"] == "198.51.100.20"
        assert body["port"] == 51515

    def test_trusted_proxy_header_is_kept(self) -> None:
        """From a trusted proxy a well-formed id is kept."""
        response = Client().get(
            "/context", HTTP_X_REQUEST_ID="req-42", REMOTE_ADDR="10.0.0.2", REMOTE_PORT="1"
        )
        assert response.json()["correlation_id"] == "req-42"

    def test_malformed_id_from_a_proxy_is_replaced(self) -> None:
        """An id with characters outside the safe set is replaced even from a proxy."""
        response = Client().get(
            "/context", HTTP_X_REQUEST_ID="a b\nc", REMOTE_ADDR="10.0.0.2", REMOTE_PORT="1"
        )
        assert response.json()["correlation_id"] != "a b\nc"

    def test_login_records_carry_the_middleware_id(self) -> None:
        """The audit record of a login carries the id the response returns."""
        make_user()
        client = Client()
        with capture() as events:
            response = client.post("/login", {"username": "alice", "password": GOOD}, **PEER)
        assert logins(events)[0]["correlation_id"] == response["X-Request-ID"]

    def test_context_is_unbound_after_the_request(self) -> None:
        """Nothing stays bound once the response is made."""
        import structlog

        Client().get("/context", **PEER)
        assert "correlation_id" not in structlog.contextvars.get_contextvars()

    @pytest.mark.anyio
    async def test_async_stack(self) -> None:
        """Under the async client the middleware binds the same context."""
        from django.test import AsyncClient

        response = await AsyncClient().get("/context", **PEER)
        assert response.json()["correlation_id"] == response["X-Request-ID"]


class TestRBACBackend:
    def test_has_perm_asks_rbac(self) -> None:
        """bank.view_account maps to view on bank/account, objects to bank/account/<pk>."""
        user = make_user()
        assert user.has_perm("bank.view_account")
        assert not user.has_perm("bank.change_account")
        backend = RBACBackend()
        assert backend.has_perm(user, "bank.view_account", _Account(5))
        assert not backend.has_perm(user, "bank.view_account", _Account(7))

    def test_through_a_view(self) -> None:
        """request.user.has_perm in a view goes through the backend."""
        make_user()
        client = Client()
        post_login(client, "alice", GOOD)
        assert client.get("/perm/bank.view_account", **PEER).json() == {"allowed": True}
        assert client.get("/perm/bank.delete_account", **PEER).json() == {"allowed": False}

    def test_unknown_inactive_and_anonymous_users_are_denied(self) -> None:
        """Users the engine does not know, inactive users and anonymous users have nothing."""
        from django.contrib.auth.models import AnonymousUser

        backend = RBACBackend()
        assert not backend.has_perm(make_user("bob"), "bank.view_account")
        assert not backend.has_perm(make_user(is_active=False), "bank.view_account")
        assert not backend.has_perm(AnonymousUser(), "bank.view_account")
        assert not backend.has_perm(None, "bank.view_account")

    @pytest.mark.parametrize("pk", ["*", "**", "..", "", "5/../7", "a/b", "5*"])
    def test_pk_that_is_not_one_segment_is_denied(self, pk: str) -> None:
        """A primary key that would widen the resource maps to nothing."""
        assert permission_target("bank.view_account", _Account(pk)) is None
        assert not RBACBackend().has_perm(
            make_user(f"u{abs(hash(pk))}"), "bank.view_account", _Account(pk)
        )

    @pytest.mark.parametrize(
        ("perm", "obj", "target"),
        [
            ("bank.view_account", None, ("bank/account", "view")),
            ("bank.approve", None, ("bank", "approve")),
            ("bank.view_account", "obj", ("bank/account/5", "view")),
            ("bank.approve", "obj", ("bank/account/5", "approve")),
            ("bank.view_loan", "obj", None),
            ("other.view_account", "obj", None),
            ("noperm", None, None),
            ("a/b.view_x", None, None),
            ("*.view_account", None, None),
            ("bank.view_*", None, None),
            ("bank.*", None, None),
        ],
    )
    def test_permission_target(self, perm: str, obj: Any, target: Any) -> None:
        """The documented mapping from permissions to resources and actions."""
        assert permission_target(perm, _Account(5) if obj else None) == target

    def test_module_perms(self) -> None:
        """has_module_perms is true when some allow rule lies under the app."""
        user = make_user()
        backend = RBACBackend()
        assert backend.has_module_perms(user, "bank")
        assert not backend.has_module_perms(user, "hr")
        assert not backend.has_module_perms(make_user(is_active=False, username="z"), "bank")
        assert backend.get_all_permissions(user) == set()

    def test_custom_user_tenant_and_mapping(self) -> None:
        """RBAC_USER, RBAC_TENANT and RBAC_PERMISSION replace the defaults."""
        config = {
            **_secpolicy(),
            "RBAC_USER": lambda user: "alice",
            "RBAC_TENANT": lambda user, obj: "branch-1",
            "RBAC_PERMISSION": lambda perm, obj: ("bank/account/1", "view"),
        }
        with override_settings(SECPOLICY=config):
            # alice's role is assigned without a tenant, which is not branch-1's
            assert not RBACBackend().has_perm(make_user("carol"), "anything.here")

    @pytest.mark.parametrize("tenant", [None, "", 5])
    def test_tenant_getter_without_a_tenant_denies(self, tenant: object) -> None:
        """A configured RBAC_TENANT giving no tenant name denies instead of checking globally."""
        config = {**_secpolicy(), "RBAC_TENANT": lambda user, obj: tenant}
        user = make_user()
        backend = RBACBackend()
        assert backend.has_perm(user, "bank.view_account")  # without RBAC_TENANT: global
        with override_settings(SECPOLICY=config):
            assert not backend.has_perm(user, "bank.view_account")
            assert not backend.has_perm(user, "bank.view_account", _Account(5))
            assert not backend.has_module_perms(user, "bank")

    def test_missing_engine(self) -> None:
        """Without RBAC or a policy file the backend refuses to guess."""
        config = {k: v for k, v in _secpolicy().items() if k != "RBAC"}
        with override_settings(SECPOLICY=config), pytest.raises(ImproperlyConfigured):
            RBACBackend().has_perm(make_user(), "bank.view_account")

    def test_engine_from_policy_file(self, tmp_path: Any) -> None:
        """POLICY_FILE's [rbac] section is used when RBAC is not set."""
        path = tmp_path / "secpolicy.toml"
        path.write_text(
            '[rbac]\nusers = ["alice"]\n[rbac.roles.viewer]\n'
            '[[rbac.grants]]\nrole = "viewer"\nresource = "bank/**"\naction = "view"\n'
            '[[rbac.assignments]]\nuser = "alice"\nrole = "viewer"\n',
            encoding="utf-8",
        )
        config = {k: v for k, v in _secpolicy().items() if k != "RBAC"} | {"POLICY_FILE": str(path)}
        with override_settings(SECPOLICY=config):
            assert RBACBackend().has_perm(make_user(), "bank.view_account", _Account(7))


class _Meta:
    app_label = "bank"
    model_name = "account"


class _Account:
    """A model instance stand-in: the backend reads only _meta and pk."""

    _meta = _Meta()

    def __init__(self, pk: object) -> None:
        self.pk = pk


class TestEdges:
    def test_errors_are_both_kinds(self) -> None:
        """A bad setting is Django's ImproperlyConfigured and secpolicy's PolicyConfigError."""
        from secpolicy.exceptions import PolicyConfigError, SecPolicyError
        from secpolicy.integrations.django import SettingsError

        with override_settings(SECPOLICY={"BAD": 1}), pytest.raises(SettingsError) as info:
            get_throttle()
        assert isinstance(info.value, ImproperlyConfigured)
        assert isinstance(info.value, PolicyConfigError)
        assert isinstance(info.value, SecPolicyError)

    def test_settings_must_be_a_dict(self) -> None:
        """SECPOLICY of another type is refused."""
        with override_settings(SECPOLICY=["x"]), pytest.raises(ImproperlyConfigured):
            get_throttle()

    def test_callable_settings_must_be_callable(self) -> None:
        """A non-callable AUDIT_USER_ID is refused when first used."""
        make_user()
        with (
            override_settings(SECPOLICY={**_secpolicy(), "AUDIT_USER_ID": 42}),
            pytest.raises(ImproperlyConfigured, match="AUDIT_USER_ID"),
        ):
            post_login(Client(), "alice", GOOD)

    def test_default_clock_and_policy_file_lockout(self, tmp_path: Any) -> None:
        """Without CLOCK the system clock counts; POLICY_FILE's lockout rules apply."""
        path = tmp_path / "secpolicy.toml"
        path.write_text(
            '[password]\nprofile = "cn-mlps-l3"\n'
            '[password.lockout]\nmax_failures = 2\nwindow = "10 min"\nduration = "10 min"\n',
            encoding="utf-8",
        )
        config = {k: v for k, v in _secpolicy().items() if k != "CLOCK"} | {
            "POLICY_FILE": str(path)
        }
        make_user()
        with override_settings(SECPOLICY=config):
            assert get_throttle().policy.max_failures == 2
            client = Client()
            for _ in range(2):
                post_login(client, "alice", "wrong")
            assert post_login(client, "alice", GOOD) == 401

    def test_username_read_like_model_backend(self) -> None:
        """The lockout counts the field ModelBackend checks: username first."""
        from secpolicy.integrations.django._backends import attempted_username

        assert attempted_username({"username": "a", "email": "b"}) == "a"
        assert attempted_username({"username": None}) is None
        assert attempted_username({"username": ""}) is None

    def test_backends_keep_no_users(self) -> None:
        """Neither backend authenticates or loads users."""
        from secpolicy.integrations.django import LockoutBackend

        assert LockoutBackend().get_user(1) is None
        assert RBACBackend().get_user(1) is None
        assert RBACBackend().authenticate(None, username="alice", password=GOOD) is None

    def test_rbac_edge_inputs(self) -> None:
        """Odd permissions, objects and user names are denied."""
        user = make_user()
        backend = RBACBackend()
        assert not backend.has_perm(user, 42)  # type: ignore[arg-type]
        assert not backend.has_perm(user, "bank.view_account", object())
        assert permission_target("bank.view_account", _Account(None)) is None
        with override_settings(SECPOLICY={**_secpolicy(), "RBAC_USER": lambda u: ""}):
            assert not backend.has_perm(user, "bank.view_account")
            assert not backend.has_module_perms(user, "bank")

    def test_engine_errors_are_denials(self) -> None:
        """An engine that refuses a name denies; it never allows."""
        from secpolicy.exceptions import PolicyConfigError
        from secpolicy.rbac import RBAC

        class Refusing(RBAC):
            def check(self, *args: Any, **kwargs: Any) -> bool:
                raise PolicyConfigError("malformed name", field="resource")

        with override_settings(SECPOLICY={**_secpolicy(), "RBAC": Refusing()}):
            assert not RBACBackend().has_perm(make_user(), "bank.view_account")

    def test_receivers_can_be_disconnected(self) -> None:
        """disconnect() stops counting and auditing; connect() restores it."""
        from secpolicy.integrations.django import _signals

        make_user()
        _signals.disconnect()
        try:
            with capture() as events:
                post_login(Client(), "alice", "wrong")
            assert events == []
        finally:
            _signals.connect()

    def test_login_without_audit_logger_still_clears(self) -> None:
        """Without AUDIT_LOGGER a login still clears the failure count."""
        make_user()
        config = {k: v for k, v in _secpolicy().items() if k != "AUDIT_LOGGER"}
        with override_settings(SECPOLICY=config):
            client = Client()
            post_login(client, "alice", "wrong")
            assert post_login(client, "alice", GOOD) == 200
            assert get_throttle().status("user:alice", now=services.CLOCK.now()).failures == 0

    def test_validator_with_a_plain_object(self) -> None:
        """A user object without Django's helpers is compared by its attributes only."""

        class Plain:
            first_name = "Wei"
            last_name = ""
            email = ""

        validator = PasswordPolicyValidator(policy=profiles.CN_MLPS_L3)
        validator.validate(GOOD, Plain())
        with pytest.raises(ImproperlyConfigured):
            PasswordPolicyValidator(policy="cn-mlps-l3")  # type: ignore[arg-type]


class TestSystemChecks:
    def ids(self) -> list[str]:
        """The ids of secpolicy's check messages."""
        from django.core import checks

        return [m.id for m in checks.run_checks() if m.id and m.id.startswith("secpolicy.")]

    def test_project_is_clean(self) -> None:
        """The test project's configuration passes."""
        assert self.ids() == []

    def test_lockout_backend_must_come_first(self) -> None:
        """A backend before LockoutBackend is an error."""
        from django.conf import settings

        backends = list(settings.AUTHENTICATION_BACKENDS)
        with override_settings(AUTHENTICATION_BACKENDS=backends[1:] + backends[:1]):
            assert self.ids() == ["secpolicy.E001"]
        with override_settings(AUTHENTICATION_BACKENDS=backends[1:]):
            assert self.ids() == ["secpolicy.W001"]

    def test_lock_holds_when_the_backend_is_late(self) -> None:
        """With ModelBackend first the lock still holds at login(), but a right guess shows."""
        from django.conf import settings

        make_user()
        backends = list(settings.AUTHENTICATION_BACKENDS)
        with override_settings(AUTHENTICATION_BACKENDS=backends[1:2] + backends[:1]):
            client = Client()
            for _ in range(3):
                post_login(client, "alice", "wrong")
            with capture() as events:
                assert post_login(client, "alice", GOOD) == 403  # != 401: why E001 is an error
            assert "_auth_user_id" not in client.session
        assert [(e["outcome"], e["reason"]) for e in logins(events)] == [
            ("failure", "account locked")
        ]

    def test_direct_login_of_a_locked_account_is_refused(self) -> None:
        """login() without authenticate() (an e-mail link, SSO) cannot log a locked account in."""
        from django.contrib.auth import login
        from django.core.exceptions import PermissionDenied
        from django.test import RequestFactory

        user = make_user()
        client = Client()
        for _ in range(3):
            post_login(client, "alice", "wrong")
        request = RequestFactory().get("/", **PEER)
        from django.contrib.sessions.backends.db import SessionStore

        request.session = SessionStore()
        user.backend = "django.contrib.auth.backends.ModelBackend"
        with pytest.raises(PermissionDenied):
            login(request, user)
        assert "_auth_user_id" not in request.session

    def test_bad_setting_and_no_audit(self) -> None:
        """An unusable SECPOLICY is E002; no audit logger is W002."""
        with override_settings(SECPOLICY={**_secpolicy(), "LOCKOUT_KEYS": ("x",)}):
            assert self.ids() == ["secpolicy.E002"]
        config = {k: v for k, v in _secpolicy().items() if k != "AUDIT_LOGGER"}
        with override_settings(SECPOLICY=config):
            assert self.ids() == ["secpolicy.W002"]


class TestMoreEdges:
    def test_active_user_flagged_anonymous_has_nothing(self) -> None:
        """An object that says it is anonymous has no permissions even if active."""

        class Odd:
            is_active = True
            is_anonymous = True

        assert not RBACBackend().has_perm(Odd(), "bank.view_account")

    def test_clock_of_the_wrong_type(self) -> None:
        """CLOCK that is not a clock is refused, naming the key."""
        make_user()
        with (
            override_settings(SECPOLICY={**_secpolicy(), "CLOCK": 5}),
            pytest.raises(ImproperlyConfigured, match="CLOCK"),
        ):
            post_login(Client(), "alice", "wrong")

    def test_full_name_is_compared(self) -> None:
        """The user's full name counts as user data."""
        user = get_user_model()(username="u1", first_name="Zhang", last_name="Weiming")
        with pytest.raises(ValidationError) as info:
            validate_password("ZhangWeiming#1", user)
        assert "similar_to_user_data" in [e.code for e in info.value.error_list]


class TestAsyncAuth:
    @pytest.mark.anyio
    async def test_aauthenticate_refuses_a_locked_account(self) -> None:
        """aauthenticate counts failures and refuses the right password while locked."""
        from asgiref.sync import sync_to_async
        from django.contrib.auth import aauthenticate

        await sync_to_async(make_user)()
        with capture() as events:
            for _ in range(3):
                assert await aauthenticate(username="alice", password="wrong") is None
            assert await aauthenticate(username="alice", password=GOOD) is None
        assert get_throttle().status("user:alice", now=services.CLOCK.now()).locked
        assert len([e for e in events if e["action"] == "auth.local_login"]) == 4

    @pytest.mark.anyio
    async def test_ahas_perm(self) -> None:
        """user.ahas_perm and ahas_module_perms go through the RBAC backend."""
        from asgiref.sync import sync_to_async

        user = await sync_to_async(make_user)()
        assert await user.ahas_perm("bank.view_account")
        assert not await user.ahas_perm("bank.delete_account")
        assert await user.ahas_module_perms("bank")


class _WritesFail(MemoryThrottleStore):
    """A throttle store that reads but cannot write (a read-only replica, a busy SQLite file)."""

    def update(self, key: str, change: Any) -> Any:
        """Refuse every write."""
        from secpolicy.stores import StoreError

        raise StoreError("cannot write throttle state")


class TestThrottleStoreFailure:
    def test_failed_login_is_audited_when_the_store_cannot_count_it(self) -> None:
        """A failed login the store could not count is still recorded, then the error raised."""
        from secpolicy.stores import StoreError

        make_user()
        config = {**_secpolicy(), "THROTTLE_STORE": _WritesFail()}
        with (
            override_settings(SECPOLICY=config),
            capture() as events,
            pytest.raises(StoreError),
        ):
            post_login(Client(), "alice", "wrong")
        (event,) = logins(events)
        assert event["outcome"] == "failure"
        assert event["data"]["throttle_error"] == "StoreError"
        assert event["actor"]["ip"] == "198.51.100.20"

    def test_login_whose_counts_cannot_be_cleared_does_not_stand(self) -> None:
        """When the store fails during login(), the new session is flushed before the error."""
        from django.contrib.auth import login
        from django.contrib.sessions.backends.db import SessionStore
        from django.test import RequestFactory

        from secpolicy.stores import StoreError

        user = make_user()
        request = RequestFactory().post("/login", **PEER)
        request.session = SessionStore()
        config = {**_secpolicy(), "THROTTLE_STORE": _WritesFail()}
        with override_settings(SECPOLICY=config), pytest.raises(StoreError):
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        assert "_auth_user_id" not in request.session
