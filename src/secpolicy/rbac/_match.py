"""Resource patterns: the plain matcher and the persistent segment trie that indexes them.

A pattern is a tuple of segments where ``*`` matches exactly one segment and
``**`` any number of segments, none included (``**/secret`` matches
``secret``). :func:`match_segments` is the plain reference matcher; the
:class:`Node` trie is the fast path that finds every pattern matching a
resource in one walk, and a property test holds the two to the same answers.

Tries are persistent: :func:`trie_update` returns a new root that shares
every untouched node with the old one, so a change costs the depth of the
pattern (times a HAMT step), never the size of the policy, and readers of
the old root are never disturbed.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Final

import attrs
import immutables

from secpolicy.rbac._names import canon_pattern, canon_resource

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "EMPTY",
    "Node",
    "ResourcePattern",
    "match_segments",
    "reaches",
    "trie_collect",
    "trie_match",
    "trie_update",
]

_EMPTY_MAP: Final[immutables.Map[str, Any]] = immutables.Map()
# Answers trie_match keeps per root; past this many the root's memo starts over.
_WALK_LIMIT: Final = 1 << 12


def _states(pattern: tuple[str, ...], resource: tuple[str, ...]) -> set[int]:
    """The pattern positions reachable after matching all of *resource*."""
    size = len(pattern)

    def close(positions: set[int]) -> set[int]:
        out = set(positions)
        stack = list(positions)
        while stack:
            p = stack.pop()
            if p < size and pattern[p] == "**" and p + 1 not in out:
                out.add(p + 1)
                stack.append(p + 1)
        return out

    states = close({0})
    for segment in resource:
        nxt: set[int] = set()
        for p in states:
            if p < size:
                part = pattern[p]
                if part == "**":
                    nxt.add(p)
                elif part in ("*", segment):
                    nxt.add(p + 1)
        if not nxt:
            return nxt
        states = close(nxt)
    return states


def match_segments(pattern: tuple[str, ...], resource: tuple[str, ...]) -> bool:
    """True if *pattern* matches *resource* (the plain twin of the trie walk).

    A set of pattern positions is carried along the resource's segments, so
    the cost is the product of the two lengths at most, whatever the number
    of ``**``.
    """
    return len(pattern) in _states(pattern, resource)


def reaches(pattern: tuple[str, ...], prefix: tuple[str, ...]) -> bool:
    """True if *pattern* matches *prefix* or some resource below it."""
    # Any pattern position left after the prefix matches the prefix itself
    # (the end) or, with the rest of the pattern, some longer resource.
    return bool(_states(pattern, prefix))


@attrs.frozen
class ResourcePattern:
    """A ``/``-separated resource name where ``*`` is one segment and ``**`` any depth.

    ``accounts/*/balance`` matches ``accounts/42/balance``; ``accounts/**``
    matches ``accounts``, ``accounts/42`` and ``accounts/42/balance``;
    ``**/secret`` matches ``secret`` and ``a/b/secret``; ``**`` matches
    everything. The text is kept in canonical form (NFC, consecutive ``**``
    collapsed).

    Raises:
        InvalidNameError: For a malformed pattern (empty segments, ``.`` or
            ``..``, control characters, ``*`` inside a segment).
    """

    __module__ = "secpolicy.rbac"

    text: str
    segments: tuple[str, ...] = attrs.field(init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        segments = canon_pattern(self.text)
        object.__setattr__(self, "segments", segments)
        object.__setattr__(self, "text", "/".join(segments))

    @property
    def is_exact(self) -> bool:
        """True if the pattern has no wildcard."""
        return "*" not in self.segments and "**" not in self.segments

    def matches(self, resource: str) -> bool:
        """True if *resource* is matched by the pattern.

        Raises:
            InvalidNameError: If *resource* is not a canonical resource name.
        """
        return match_segments(self.segments, canon_resource(resource))

    def __str__(self) -> str:
        return self.text


@functools.lru_cache(maxsize=1 << 16)
def pattern_of(text: str) -> ResourcePattern:
    """The (shared) :class:`ResourcePattern` of a canonical pattern text."""
    return ResourcePattern(text)


class Node:
    """One trie node: children by exact segment, by ``*`` and by ``**``, and a payload.

    Nodes are never changed once built.
    """

    __slots__ = ("dstar", "exact", "star", "value", "walks")

    def __init__(
        self,
        exact: immutables.Map[str, Node],
        star: Node | None,
        dstar: Node | None,
        value: Any,
    ) -> None:
        self.exact = exact
        self.star = star
        self.dstar = dstar
        self.value = value
        # trie_match's answers for this node as a root: a node never changes,
        # so an answer never goes stale; a changed trie is a new root.
        self.walks: dict[tuple[str, ...], tuple[Any, ...]] | None = None

    def is_empty(self) -> bool:
        """True if nothing is stored at or below this node."""
        return (
            self.value is None and self.star is None and self.dstar is None and not len(self.exact)
        )


EMPTY: Final = Node(_EMPTY_MAP, None, None, None)


def trie_update(root: Node, pattern: tuple[str, ...], change: Callable[[Any], Any]) -> Node:
    """A new root where the payload at *pattern* is ``change(old payload or None)``.

    A payload of ``None`` removes the entry (and prunes empty nodes).
    """
    path: list[Node] = []
    node: Node | None = root
    for segment in pattern:
        current = node if node is not None else EMPTY
        path.append(current)
        if segment == "**":
            node = current.dstar
        elif segment == "*":
            node = current.star
        else:
            node = current.exact.get(segment)
    leaf = node if node is not None else EMPTY
    new: Node | None = Node(leaf.exact, leaf.star, leaf.dstar, change(leaf.value))
    for parent, segment in zip(reversed(path), reversed(pattern), strict=True):
        child = None if new is None or new.is_empty() else new
        if segment == "**":
            new = Node(parent.exact, parent.star, child, parent.value)
        elif segment == "*":
            new = Node(parent.exact, child, parent.dstar, parent.value)
        else:
            if child is not None:
                exact = parent.exact.set(segment, child)
            elif segment in parent.exact:
                exact = parent.exact.delete(segment)
            else:  # pragma: no cover - removing what was never stored
                exact = parent.exact
            new = Node(exact, parent.star, parent.dstar, parent.value)
    assert new is not None  # noqa: S101 (a root always exists)
    return new


def trie_collect(root: Node, resource: tuple[str, ...]) -> list[Any]:
    """The payloads of every pattern in the trie that matches *resource*, each once.

    The walk follows exact segments without a stack push per segment, and
    expands a ``**`` node over the positions it may absorb directly. A
    ``**`` node can be reached at several positions only below another
    ``**`` (above it every segment consumes exactly one position); only
    there are the expanded positions remembered, so a node is never
    expanded twice at a position and the walk stays polynomial.
    """
    out: list[Any] = []
    size = len(resource)
    # (node, position, below a "**")
    stack: list[tuple[Node, int, bool]] = [(root, 0, False)]
    # For each "**" node below another one: the lowest position expanded so far.
    expanded: dict[int, int] = {}
    while stack:
        node, i, deep = stack.pop()
        while True:
            if node.dstar is not None:
                _expand(node.dstar, i, deep, resource, expanded, stack, out)
            if i == size:
                if node.value is not None:
                    out.append(node.value)
                break
            if node.star is not None:
                stack.append((node.star, i + 1, deep))
            child = node.exact.get(resource[i])
            if child is None:
                break
            node = child
            i += 1
    return out


def trie_match(root: Node, resource: tuple[str, ...]) -> tuple[Any, ...]:
    """The same payloads as :func:`trie_collect` (its plain twin), remembered on *root*.

    A root is immutable (every change to a trie makes a new root), so an
    answer kept on it is right for as long as the root is in use: the walk
    over many wildcard rules is paid once per root and resource, not again
    after each change elsewhere in the policy (users, assignments, exact
    rules). A property test holds this to :func:`trie_collect`.
    """
    walks = root.walks
    if walks is None:
        walks = root.walks = {}
    found = walks.get(resource)
    if found is None:
        if len(walks) >= _WALK_LIMIT:
            walks.clear()
        found = walks[resource] = tuple(trie_collect(root, resource))
    return found


def _expand(  # noqa: PLR0917 (the walk's state, passed to one helper)
    dstar: Node,
    i: int,
    deep: bool,  # noqa: FBT001 (positional on purpose: a hot helper)
    resource: tuple[str, ...],
    expanded: dict[int, int],
    stack: list[tuple[Node, int, bool]],
    out: list[Any],
) -> None:
    """Let the ``**`` node *dstar*, reached at position *i*, absorb 0 or more segments."""
    size = len(resource)
    end = size + 1
    if deep:
        end = expanded.get(id(dstar), end)
        if i >= end:
            return
        expanded[id(dstar)] = i
    if end > size and dstar.value is not None:
        out.append(dstar.value)  # "**" absorbing the rest
    if dstar.dstar is not None:  # pragma: no cover - canonical patterns collapse "**/**"
        stack.extend((dstar, j, True) for j in range(i, end))
        return
    exact, star = dstar.exact, dstar.star
    for j in range(i, min(end, size)):
        if len(exact):
            child = exact.get(resource[j])
            if child is not None:
                stack.append((child, j + 1, True))
        if star is not None:
            stack.append((star, j + 1, True))
