"""Helpers for the PII tests: identifiers built from their definitions."""

from __future__ import annotations

from datetime import date


def mod11_2(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character, written from GB 11643-1999 (not stdnum)."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def resident_id(region: str, born: date, sequence: int) -> str:
    """A valid 18-character resident ID for *region*, *born* and *sequence* (0-999)."""
    first17 = f"{region}{born:%Y%m%d}{sequence:03d}"
    return first17 + mod11_2(first17)


def luhn_complete(prefix: str, length: int) -> str:
    """Complete *prefix* to *length* digits with a valid Luhn check digit."""
    body = prefix.ljust(length - 1, "0")
    total = 0
    for i, d in enumerate(reversed(body)):
        n = int(d) * (2 if i % 2 == 0 else 1)
        total += n - 9 if n > 9 else n
    return body + str((10 - total % 10) % 10)
