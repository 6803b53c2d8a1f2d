"""One method per audited action of the catalogue (see ``_ocsf.ACTIONS``).

Each method takes the fields the rules ask for as keyword arguments. The
user, address and port may come from the bound context instead
(``audit.bind(user_id=..., ip=..., port=...)``); whatever the rules require
and is still missing when the event is shaped is a :class:`ValueError`. Every
other keyword goes to :meth:`emit` (``outcome``, ``reason``, ``target``,
``session_id``, ``src``, ``nat``, free data).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence

    from secpolicy.audit._event import Outcome

__all__ = ["Catalogue"]


class Catalogue:
    """The catalogue's methods; :class:`~secpolicy.audit.AuditLogger` provides ``emit``."""

    __slots__ = ()

    if TYPE_CHECKING:
        # AuditLogger provides emit(); declared here only so the mixin type-checks.
        def emit(self, action: str, **fields: Any) -> None:
            """Record an event of *action*."""

    # -- accounts and sessions -------------------------------------------------

    def register(
        self,
        *,
        user_id: str | None = None,
        ip: str | None = None,
        port: int | None = None,
        user_name: str | None = None,
        id_type: str | None = None,
        id_number: str | None = None,
        email: str | None = None,
        mobile: str | None = None,
        **extra: Any,
    ) -> None:
        """A user registered (``account.register``).

        The identity document number, e-mail and mobile are masked by the
        default masking policy.
        """
        optional = {"id_type": id_type, "id_number": id_number, "email": email, "mobile": mobile}
        extra.update({k: v for k, v in optional.items() if v is not None})
        self.emit(
            "account.register", user_id=user_id, ip=ip, port=port, user_name=user_name, **extra
        )

    def change_profile(
        self,
        *,
        user_id: str | None = None,
        ip: str | None = None,
        port: int | None = None,
        changed: Sequence[str],
        **extra: Any,
    ) -> None:
        """A user's registration data changed (``account.update``); *changed* names the fields.

        Pass old and new values as extra keywords (``old_name=..., new_name=...``)
        where the change history must be kept; they are masked like any data.
        """
        self.emit(
            "account.update", user_id=user_id, ip=ip, port=port, changed=list(changed), **extra
        )

    def login(
        self,
        *,
        user_id: str | None = None,
        ip: str | None = None,
        port: int | None = None,
        outcome: Outcome = "success",
        **extra: Any,
    ) -> None:
        """A login attempt (``auth.login``); record failures with ``outcome="failure"``."""
        self.emit("auth.login", user_id=user_id, ip=ip, port=port, outcome=outcome, **extra)

    def logout(
        self,
        *,
        user_id: str | None = None,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A logout (``auth.logout``)."""
        self.emit("auth.logout", user_id=user_id, ip=ip, port=port, **extra)

    # -- content ----------------------------------------------------------------

    def publish(
        self,
        *,
        user_id: str | None = None,
        message_id: str,
        title: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """Content was published (``content.publish``): message id, title, address."""
        self.emit(
            "content.publish",
            user_id=user_id,
            ip=ip,
            port=port,
            message_id=message_id,
            title=title,
            **extra,
        )

    def edit_post(
        self,
        *,
        user_id: str | None = None,
        message_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A post was edited (``content.edit``)."""
        self.emit("content.edit", user_id=user_id, ip=ip, port=port, message_id=message_id, **extra)

    def delete_post(
        self,
        *,
        user_id: str | None = None,
        message_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A post was deleted (``content.delete``)."""
        self.emit(
            "content.delete", user_id=user_id, ip=ip, port=port, message_id=message_id, **extra
        )

    def map_short_url(
        self,
        *,
        user_id: str | None = None,
        short_url: str,
        long_url: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A short URL was mapped to a long one (``url.map``)."""
        self.emit(
            "url.map",
            user_id=user_id,
            ip=ip,
            port=port,
            short_url=short_url,
            long_url=long_url,
            **extra,
        )

    # -- groups -------------------------------------------------------------------

    def create_group(
        self,
        *,
        user_id: str | None = None,
        group_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A group was created (``group.create``)."""
        self.emit("group.create", user_id=user_id, ip=ip, port=port, group_id=group_id, **extra)

    def delete_group(
        self,
        *,
        user_id: str | None = None,
        group_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A group was deleted (``group.delete``)."""
        self.emit("group.delete", user_id=user_id, ip=ip, port=port, group_id=group_id, **extra)

    def join_group(
        self,
        *,
        user_id: str | None = None,
        group_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A user joined a group (``group.join``)."""
        self.emit("group.join", user_id=user_id, ip=ip, port=port, group_id=group_id, **extra)

    def leave_group(
        self,
        *,
        user_id: str | None = None,
        group_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A user left a group (``group.leave``)."""
        self.emit("group.leave", user_id=user_id, ip=ip, port=port, group_id=group_id, **extra)

    # -- files ----------------------------------------------------------------------

    def upload(
        self,
        *,
        user_id: str | None = None,
        file_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A file was uploaded (``file.upload``)."""
        self.emit("file.upload", user_id=user_id, ip=ip, port=port, file_id=file_id, **extra)

    def download(
        self,
        *,
        user_id: str | None = None,
        file_id: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """A file was downloaded (``file.download``)."""
        self.emit("file.download", user_id=user_id, ip=ip, port=port, file_id=file_id, **extra)

    # -- privileges, personal data, policy ------------------------------------------

    def grant_privilege(
        self, *, user_id: str | None = None, grantee: str, privilege: str | None, **extra: Any
    ) -> None:
        """*user_id* granted *privilege* (role or permission) to *grantee*: ``privilege.grant``."""
        self.emit("privilege.grant", user_id=user_id, grantee=grantee, privilege=privilege, **extra)

    def revoke_privilege(
        self, *, user_id: str | None = None, grantee: str, privilege: str | None, **extra: Any
    ) -> None:
        """*user_id* revoked *privilege* from *grantee* (``privilege.revoke``)."""
        self.emit(
            "privilege.revoke", user_id=user_id, grantee=grantee, privilege=privilege, **extra
        )

    def use_privilege(
        self, *, user_id: str | None = None, privilege: str | None, **extra: Any
    ) -> None:
        """*user_id* used *privilege* (``privilege.use``); give ``target`` for what it touched."""
        self.emit("privilege.use", user_id=user_id, privilege=privilege, **extra)

    def access_personal_data(
        self, *, user_id: str | None = None, subject: str, fields: Sequence[str], **extra: Any
    ) -> None:
        """Staff *user_id* viewed *fields* of data subject *subject* (``personal_data.access``)."""
        self.emit(
            "personal_data.access", user_id=user_id, subject=subject, fields=list(fields), **extra
        )

    def export_personal_data(
        self, *, user_id: str | None = None, subject: str, fields: Sequence[str], **extra: Any
    ) -> None:
        """Staff *user_id* exported *fields* of *subject* (``personal_data.export``).

        *subject* may name a set (``"segment:vip"``); give ``records=`` with the count.
        """
        self.emit(
            "personal_data.export", user_id=user_id, subject=subject, fields=list(fields), **extra
        )

    def access_audit_log(
        self,
        *,
        user_id: str | None = None,
        log: str,
        ip: str | None = None,
        port: int | None = None,
        **extra: Any,
    ) -> None:
        """*user_id* read, searched, exported or verified the audit log *log* (``audit.access``).

        PCI DSS 10.2.1.3 asks for every individual access to the audit logs:
        call it from the code that serves them to people (a log viewer, an
        export, a verification run by an auditor). *log* names the log (its
        id or path); ``purpose=`` or ``query=`` may say what for.

        .. versionadded:: 0.2
        """
        self.emit("audit.access", user_id=user_id, ip=ip, port=port, log=log, **extra)

    def change_policy(self, *, user_id: str | None = None, policy: str, **extra: Any) -> None:
        """A security policy changed (``policy.change``); pass ``before``/``after`` digests."""
        self.emit("policy.change", user_id=user_id, policy=policy, **extra)
