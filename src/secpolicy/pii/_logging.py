"""Masking application logs: a stdlib logging filter and a structlog processor."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Final

from secpolicy.exceptions import InvalidArgumentError
from secpolicy.pii._masker import Masker

if TYPE_CHECKING:
    from collections.abc import MutableMapping

# Keys structlog and its stdlib bridge keep for their own use: exception
# information is rendered (and then masked) by later processors, and
# underscore keys belong to structlog.
_KEPT: Final = frozenset({"exc_info", "stack_info"})
# A LogRecord's own attributes; everything else on a record came from
# ``extra=`` and reaches the formatter (``%(phone)s``) as it was given.
_RECORD_ATTRIBUTES: Final = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


@lru_cache(maxsize=1)
def _default_masker() -> Masker:
    return Masker()


class MaskingFilter(logging.Filter):
    """A :class:`logging.Filter` that masks personal data in each record before it is emitted.

    The message is formatted with its arguments first and the result masked,
    so a number split over two arguments (``"%s%s" % ("138", "12345678")``)
    is still found; the record's ``args`` are then emptied. A formatted
    traceback (``exc_text``) and ``stack_info`` are masked too, and so are the
    fields given with ``extra=`` (by field name, then detection, as
    :meth:`Masker.mask_record` masks them). The record is never dropped.

    Attach it to a handler (``handler.addFilter(MaskingFilter())``): a
    handler's filters see every record the handler emits, while a logger's
    filters see only records logged on that very logger.

    Args:
        masker: The masking policy (default: ``Masker()``, every entity
            replaced by ``<ENTITY>``).
        name: As for :class:`logging.Filter`.

    Example:
        >>> import logging
        >>> record = logging.LogRecord(
        ...     "app", logging.INFO, __file__, 1, "user %s", ("13812345678",), None
        ... )
        >>> MaskingFilter().filter(record), record.getMessage()
        (True, 'user <CN_MOBILE>')

    .. versionadded:: 0.2
    """

    def __init__(self, masker: Masker | None = None, name: str = "") -> None:
        super().__init__(name)
        self.masker = masker if masker is not None else _default_masker()

    def filter(self, record: logging.LogRecord) -> bool:
        """Mask *record* in place; always True (the record is kept)."""
        mask = self.masker.mask_text
        try:
            message = record.getMessage()
        except (TypeError, ValueError, KeyError):  # arguments that do not fit the format
            message = f"{record.msg} {record.args!r}"
        record.msg = mask(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        if record.stack_info:
            record.stack_info = mask(record.stack_info)
        extra = {k: v for k, v in vars(record).items() if k not in _RECORD_ATTRIBUTES}
        if extra:
            for key, value in _mask_fields(self.masker, extra).items():
                setattr(record, key, value)
        return True


# What replaces a field too deep (or cyclic) to be masked: a log call must not
# fail, and the value must not be printed.
UNMASKABLE: Final = "<UNMASKABLE>"


def _mask_fields(masker: Masker, fields: dict[str, Any]) -> dict[Any, Any]:
    """*fields* masked as a record; a field that cannot be walked becomes UNMASKABLE."""
    try:
        return dict(masker.mask_record(fields))
    except InvalidArgumentError:
        out: dict[Any, Any] = {}
        for key, value in fields.items():
            try:
                out.update(masker.mask_record({key: value}))
            except InvalidArgumentError:
                out[masker.mask_text(str(key))] = UNMASKABLE
        return out


def mask_processor(
    logger: object,
    method_name: str,
    event_dict: MutableMapping[str, Any],
    *,
    masker: Masker | None = None,
) -> MutableMapping[str, Any]:
    """A structlog processor that masks personal data in the event dict, the event message included.

    Values are masked as :meth:`Masker.mask_record` masks a record: by field
    name (``phone=``, ``id_number=`` …) and by detection in text, so
    ``log.info("login from 13812345678", email="a@b.cn")`` renders neither.
    ``exc_info``, ``stack_info`` and keys starting with ``_`` are left to
    structlog; put the processor after ``format_exc_info`` to mask the
    rendered traceback too.

    Use it directly (``processors=[..., mask_processor, renderer]``) for the
    default masker, or bind another:
    ``functools.partial(mask_processor, masker=presets.CN_DISPLAY)``.

    .. versionadded:: 0.2
    """
    policy = masker if masker is not None else _default_masker()
    kept = {}
    rest = {}
    for key, value in event_dict.items():
        if key in _KEPT or str(key).startswith("_"):  # keys need not be str
            kept[key] = value
        else:
            rest[key] = value
    event = rest.pop("event", None)
    masked = _mask_fields(policy, rest) if rest else {}
    out: dict[Any, Any] = {}
    if event is not None:
        # An event that is not text (bytes, a dict, an exception) is masked
        # as a value in a list: by detection, whatever its type.
        out["event"] = (
            policy.mask_text(event)
            if isinstance(event, str)
            else _mask_fields(policy, {"event": event})["event"]
        )
    out.update(masked)
    out.update(kept)
    return out
