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

from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from secpolicy.pii._scoring import Candidate

_MIN_ITEMS: Final = 2


def _is_digit_item(item: object) -> bool:
    """A non-negative ``int`` (not a ``bool``) or a string of ASCII digits: a number's pieces."""
    if isinstance(item, str):
        return item.isascii() and item.isdigit()
    return isinstance(item, int) and not isinstance(item, bool) and item >= 0


def item_text(item: object) -> str:
    """How an item of a run is written: a string as it is, an int in decimal."""
    return item if isinstance(item, str) else str(int(item))  # type: ignore[call-overload]  # an int by digit_runs


def digit_runs(items: Sequence[Any]) -> list[tuple[int, int]]:
    """The maximal runs ``(first, stop)`` of two or more consecutive digit items."""
    runs = []
    first = None
    for index, item in enumerate(items):
        if _is_digit_item(item):
            if first is None:
                first = index
        elif first is not None:
            if index - first >= _MIN_ITEMS:
                runs.append((first, index))
            first = None
    if first is not None and len(items) - first >= _MIN_ITEMS:
        runs.append((first, len(items)))
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
