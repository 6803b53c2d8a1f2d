"""The rules stored at one resource pattern, in the compact form a check reads.

An entry maps each action that has a rule at the pattern (``*`` included)
to ``(allow_roles, deny_roles)``, tuples of role names in the order their
rules were added. The exact-name map holds one entry per ``(tenant,
resource)``; a wildcard trie node holds ``(pattern text, entry)``. An entry
is never changed once stored: :func:`entry_with` and :func:`entry_without`
return a new one. An entry of a single rule is shared by every name that
has exactly that rule (a policy of many names with one rule each holds a
few hundred entries, not one per name), so no entry may ever be changed in
place.

The form is chosen for the uncached check: one dictionary look-up for the
requested action and one for ``*``, each answered by C-level ``isdisjoint``
calls against the user's roles, instead of a Python loop over one cell per
role. Entries hold only strings and tuples of strings, so the cyclic garbage
collector stops tracking them once they are old. A rule's full record
``(role, text, action, effect, tenant)`` is rebuilt from where it is stored
(see :func:`records`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator

    from secpolicy.rbac._model import RuleRecord

__all__ = ["EMPTY_ENTRY", "Entry", "entry_with", "entry_without", "records"]

Cell = tuple[tuple[str, ...], tuple[str, ...]]
Entry = Mapping[str, Cell]
EMPTY_ENTRY: Final[Entry] = {}
# The shared single-rule entries, by (action, role, effect); bounded (past
# the bound a new single-rule entry is simply not shared).
_SINGLE: dict[tuple[str, str, str], Entry] = {}
_SINGLE_LIMIT: Final = 1 << 12


def entry_with(entry: Entry, action: str, role: str, effect: str) -> Entry:
    """*entry* with *role*'s *effect* rule for *action* (the same entry if it is there)."""
    if not entry:
        key = (action, role, effect)
        single = _SINGLE.get(key)
        if single is None:
            single = {action: ((role,), ()) if effect == "allow" else ((), (role,))}
            if len(_SINGLE) < _SINGLE_LIMIT:
                _SINGLE[key] = single
        return single
    allow, deny = entry.get(action, ((), ()))
    if effect == "allow":
        if role in allow:
            return entry
        cell = ((*allow, role), deny)
    else:
        if role in deny:
            return entry
        cell = (allow, (*deny, role))
    return {**entry, action: cell}


def entry_without(entry: Entry, action: str, role: str, effect: str) -> Entry:
    """*entry* without *role*'s *effect* rule for *action* (an action left empty goes)."""
    allow, deny = entry[action]
    if effect == "allow":
        allow = tuple(r for r in allow if r != role)
    else:
        deny = tuple(r for r in deny if r != role)
    out = dict(entry)
    if allow or deny:
        out[action] = (allow, deny)
    else:
        del out[action]
    return out


def records(
    entry: Entry, text: str, tenant: str | None, action: str | None = None
) -> Iterator[RuleRecord]:
    """The records of the rules in *entry* (stored at *text* in *tenant*).

    With *action*, only the rules that apply to a request for it (its own
    and ``*``); denies of an action come before its allows.
    """
    for act, (allow, deny) in entry.items():
        if action is not None and act not in (action, "*"):
            continue
        for role in deny:
            yield (role, text, act, "deny", tenant)
        for role in allow:
            yield (role, text, act, "allow", tenant)
