"""What an attached engine reads from its policy store, checked before it is applied.

A store is the other instances' word: its replies are data to check, not
to trust. A change list of another shape, an append reply the store's own
list does not bear out, or a change that is not JSON data is refused with a
typed error, so a faulty or hostile store can make an engine stale (it then
fails closed) but never make it skip or reorder changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import PolicyConfigError
from secpolicy.rbac._store import MemoryPolicyStore

if TYPE_CHECKING:
    from secpolicy.rbac._store import PolicyStore


def _plain(value: object) -> object:
    """*value* as JSON data, the form a store may give it back in."""
    return json.loads(json.dumps(value, sort_keys=True))


def change_digest(change: object) -> bytes | None:
    """A digest of *change* as JSON data (``None`` if it is not JSON data)."""
    try:
        text = json.dumps(change, sort_keys=True)
    except (TypeError, ValueError):
        return None
    return hashlib.blake2b(text.encode(), digest_size=16).digest()


def written(store: PolicyStore, version: int, document: Mapping[str, Any]) -> int | None:
    """The version *document* has in *store* if it is the change right after *version*.

    ``None`` if another change is there, none is, or the store cannot say.
    """
    try:
        changes = store.changes_since(version)
        if not changes:
            return None
        found, stored = changes[0]
        if type(found) is int and found == version + 1 and _plain(stored) == _plain(document):
            return found
    except Exception:  # noqa: BLE001 (the store's first failure is what the caller sees)
        return None
    return None


_PAIR: Final = 2


def changes_since(store: PolicyStore, version: int) -> list[tuple[int, Mapping[str, Any]]]:
    """``store.changes_since(version)``, checked: a list of ``(version, change)`` pairs.

    Raises:
        PolicyConfigError: If the reply has another shape (nothing is applied).
    """
    reply: object = store.changes_since(version)
    if isinstance(reply, str | bytes) or not isinstance(reply, Sequence):
        raise PolicyConfigError("must be a list of (version, change) pairs", field="store.changes")
    for i, item in enumerate(reply):
        if not isinstance(item, tuple | list) or len(item) != _PAIR or type(item[0]) is not int:
            raise PolicyConfigError(
                "must be a (version, change) pair with an integer version",
                field=f"store.changes[{i}]",
            )
    return [(v, c) for v, c in reply]


def confirmed(store: PolicyStore, version: int, document: Mapping[str, Any], reply: object) -> int:
    """The version *document* took in *store*, appended after *version* with *reply*.

    A reply that is not the next version, taken on trust, would make
    :meth:`RBAC.refresh` skip other writers' changes up to it (their
    revocations too): the store's own change list must bear it out.

    Raises:
        PolicyConfigError: If it does not.
    """
    if type(reply) is int and reply == version + 1:
        return reply
    if written(store, version, document) is None:
        raise PolicyConfigError(
            f"the store answered version {reply!r} for the change after version "
            f"{version}, and does not hold it there",
            field="store",
        )
    return version + 1


def head_version(store: PolicyStore) -> object:
    """The version *store* is at, for a store whose change list after a version came back empty.

    Then the store is either at that version or compacted past it, and only
    its snapshot's version tells which. A :class:`MemoryPolicyStore` says
    its version without copying the snapshot (a follower polling a store
    compacted at its version would copy the whole policy on every poll);
    another store is asked for its snapshot (the protocol has no cheaper
    question). Versions only grow, so a version read after the empty list
    that equals the reader's says the store was at it when the list was read.
    """
    if type(store) is MemoryPolicyStore:
        return store.version
    return store.load()[0]


# How often a snapshot read is tried again when the store compacts during it.
_SNAPSHOT_TRIES: Final = 8


def snapshot_and_changes(
    store: PolicyStore, floor: int
) -> tuple[int, Mapping[str, Any] | None, list[tuple[int, Mapping[str, Any]]]]:
    """The store's snapshot and every change after it, read as one consistent picture.

    ``load()`` and ``changes_since()`` are two reads: a compaction landing
    between them (a job in another thread or process) deletes the changes
    after the snapshot just read, and an empty list would then pass for "no
    change since", leaving the reader at the older snapshot while it takes
    itself for synchronised (a revocation in between never applied). So the
    change list must continue the snapshot, and an empty one holds only if
    the snapshot is still the newest when read again; otherwise the read is
    tried again.

    Raises:
        PolicyConfigError: If the snapshot's version is not a count of
            changes or is below *floor* (a refresh never goes back), or the
            store compacted during every try.
    """
    gap = ""
    for _ in range(_SNAPSHOT_TRIES):
        version, document = store.load()
        if type(version) is not int or version < 0:
            raise PolicyConfigError(
                f"the store's snapshot has version {version!r}, not a count of changes",
                field="store",
            )
        if version < floor:
            # An older snapshot would undo changes the engine applied
            # (revocations too): a refresh never goes back.
            raise PolicyConfigError(
                f"the store's snapshot is at version {version!r}, behind this "
                f"engine's version {floor}",
                field="store",
            )
        changes = changes_since(store, version)
        if changes:
            if changes[0][0] == version + 1:
                return version, document, changes
            gap = f"skipped from version {version} to {changes[0][0]}"
        elif head_version(store) == version:
            return version, document, changes
        else:
            gap = f"compacted past its snapshot at version {version}"
    raise PolicyConfigError(
        f"the store {gap}: its change list did not continue its snapshot in "
        f"{_SNAPSHOT_TRIES} reads (compacted during each, or broken)",
        field="store",
    )
