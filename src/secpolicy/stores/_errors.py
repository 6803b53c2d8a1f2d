"""The errors of the shared stores."""

from __future__ import annotations

from secpolicy.exceptions import SecPolicyError

__all__ = ["HoldStateError", "StoreError", "StoreSchemaError"]


class StoreError(SecPolicyError, OSError):
    """The shared store could not be reached or did not accept a change.

    Callers that decide access treat it as a reason to deny: a store that
    cannot be read is never taken to mean "nothing is locked" or "nothing
    was revoked".
    """

    __module__ = "secpolicy.stores"


class StoreSchemaError(SecPolicyError):
    """The database holds a schema this version of secpolicy does not know.

    Raised when the recorded schema version is newer than the code's (an
    older release running against a migrated database), or when the schema
    is missing and creating it was not allowed.
    """

    __module__ = "secpolicy.stores"


class HoldStateError(SecPolicyError, LookupError):
    """A legal hold that does not exist, or was already lifted, was asked to change."""

    __module__ = "secpolicy.stores"
