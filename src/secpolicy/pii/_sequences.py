"""Numbers split across the items of a numeric sequence (``[4111, 1111, 1111, 1111]``).

A card, a mobile number or a resident ID stored as several integers or
digit strings (an ``array('h', …)`` of four-digit groups, a list from a form
with one box per group) is read as its items written with a space between them,
``"4111 1111 1111 1111"``, which the scanner reads as it reads the same
text: so consecutive items that together form a validated value are masked,
and a sequence of readings (``[4521, 4533, 4540, 4551]``) is reported exactly
when the same numbers printed in a line of text would be.
"""

from __future__ import annotations

import enum
import operator
from decimal import Decimal
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from secpolicy.pii._scoring import Candidate

_MIN_ITEMS: Final = 2


def item_text(item: object, decode: Callable[[bytes], str]) -> str | None:
    """How an item is written in the line its sequence forms; None if it breaks the line.

    Text as it is (a piece of a number may carry its separators, another
    script's or full-width digits, or a check letter: ``"4111-"``,
    ``"002X"``); an integer in decimal, its sign too (``int``, ``IntEnum``
    and every type with ``__index__``, not a ``bool``); ``bytes`` and
    ``bytearray`` decoded; a ``Decimal`` as it prints; an enum member by its value. Anything else
    (``None``, a float, a nested container) ends the line, as it would be
    printed apart.
    """
    if isinstance(item, enum.Enum) and not isinstance(item, int | str):
        item = item.value
    text: str | None = None
    if isinstance(item, str):
        text = str.__str__(item)
    elif isinstance(item, bytes | bytearray):
        text = decode(bytes(item))
    elif isinstance(item, Decimal):
        text = str(item) if item.is_finite() else None  # Decimal("4111") prints as 4111
    elif not isinstance(item, bool) and hasattr(type(item), "__index__"):
        try:
            text = str(operator.index(item))  # type: ignore[arg-type]  # has __index__
        except TypeError:
            text = None
    return text


def text_runs(texts: Sequence[str | None]) -> list[tuple[int, int]]:
    """The maximal runs ``(first, stop)`` of two or more consecutive items written as text."""
    runs = []
    first = None
    for index, text in enumerate(texts):
        if text is not None:
            if first is None:
                first = index
        elif first is not None:
            if index - first >= _MIN_ITEMS:
                runs.append((first, index))
            first = None
    if first is not None and len(texts) - first >= _MIN_ITEMS:
        runs.append((first, len(texts)))
    return runs


def split_values(
    texts: Sequence[str],
    scan: Callable[[str], list[Candidate]],
    apply: Callable[[str, str], str],
) -> dict[int, str]:
    """The masked text of each item (by index in *texts*) that a value spanning items touches.

    *scan* finds the values in the items joined by single spaces; *apply*
    masks a value of an entity. Only values that run over more than one item
    matter here (a value inside one item is found when the item is masked
    alone), but every value touching such an item is applied to it. A masked
    value as long as the original (``Mask``, ``Keep``) is cut back at the
    items' boundaries; any other (a placeholder, a pseudonym, a token) goes
    into the first item it touches, and the rest of the items it covers
    become empty strings, so no item moves and no digit of the value stays.
    """
    joined = " ".join(texts)
    starts = []
    position = 0
    for text in texts:
        starts.append(position)
        position += len(text) + 1
    touched: dict[int, list[tuple[int, int, str]]] = {}
    multi: list[int] = []
    item = 0
    for start, end, entity, _ in scan(joined):
        while item + 1 < len(texts) and starts[item + 1] <= start:
            item += 1
        last = item
        while last + 1 < len(texts) and starts[last + 1] < end:
            last += 1
        for index in range(item, last + 1):
            touched.setdefault(index, []).append((start, end, entity))
        if last > item:
            multi.extend(range(item, last + 1))
    masked: dict[int, str] = {}  # by the value's start
    out: dict[int, str] = {}
    for index in sorted(set(multi)):
        begin = starts[index]
        stop = begin + len(texts[index])
        pieces = []
        cursor = begin
        for start, end, entity in touched[index]:
            if start not in masked:
                masked[start] = apply(joined[start:end], entity)
            value = masked[start]
            if start > cursor:
                pieces.append(joined[cursor:start])
            if len(value) == end - start:
                pieces.append(value[max(start, begin) - start : min(end, stop) - start])
            elif start >= begin:
                pieces.append(value)  # the value's first item holds all of it
            cursor = min(end, stop)
        pieces.append(joined[cursor:stop])
        out[index] = "".join(pieces)
    return out
