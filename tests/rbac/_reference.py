"""Reference models of the RBAC tests, written from the definitions, not from the engine."""

from __future__ import annotations

from functools import cache


def segment_match(pattern: str, resource: str) -> bool:
    """'*' matches one segment, '**' zero or more (a plain recursive matcher)."""
    p, r = pattern.split("/"), resource.split("/")

    @cache
    def m(i: int, j: int) -> bool:
        if i == len(p):
            return j == len(r)
        if p[i] == "**":
            return any(m(i + 1, k) for k in range(j, len(r) + 1))
        return j < len(r) and p[i] in ("*", r[j]) and m(i + 1, j + 1)

    return m(0, 0)
