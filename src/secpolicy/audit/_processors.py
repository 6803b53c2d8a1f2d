"""structlog processors that turn keyword arguments into a masked audit record.

They work in any structlog chain; :class:`~secpolicy.audit.AuditLogger`
uses them in this order: ``structlog.contextvars.merge_contextvars``, the
caller's enrichment processors, :class:`ShapeEvent`, :class:`MaskPII`,
:func:`render_record`.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Final

from secpolicy import pii
from secpolicy._clock import Clock, SystemClock, to_utc
from secpolicy.audit._event import (
    MAX_PORT,
    OUTCOMES,
    Actor,
    Endpoint,
    WallTime,
    check_action,
    check_data,
    check_ip,
    check_outcome,
    check_port,
    check_text,
    format_time,
)
from secpolicy.audit._ocsf import ACTIONS, ActionSpec
from secpolicy.exceptions import ArgumentTypeError, InvalidArgumentError
from secpolicy.pii import Masker, Scanner, presets
from secpolicy.pii._fields import FIELD_ENTITIES, normalise_field

if TYPE_CHECKING:
    from collections.abc import Callable

    from structlog.typing import EventDict, WrappedLogger

__all__ = ["DEFAULT_MASKER", "MaskPII", "ShapeEvent", "render_record"]

_ACTOR_KEYS: Final = {
    "user_id": "user_id",
    "user_name": "name",
    "session_id": "session_id",
    "ip": "ip",
    "port": "port",
}
_ACTOR_TEXT: Final = (("user_id", "user_id"), ("user_name", "name"), ("session_id", "session_id"))
_TEXT_KEYS: Final = ("target", "reason", "correlation_id")
_ENDPOINT_KEYS: Final = ("src", "nat")
_MAX_TEXT: Final = 4096


class _Keep:
    """An operator that keeps the value: addresses must stay traceable."""

    def apply(self, value: str, entity: str) -> str:
        return value

    def __repr__(self) -> str:
        return "Keep()"


#: The masker audit records use unless told otherwise: the de-identified
#: display forms of :data:`secpolicy.pii.presets.CN_DISPLAY` (resident ID
#: ``110101********1234``, mobile ``138****5678``, card first 6 and last 4,
#: secrets ``******``) applied by field name and by detection in free text,
#: except that IP addresses stay in clear, since the rules require the
#: address of every event.
DEFAULT_MASKER: Final = Masker(
    {**presets.CN_DISPLAY.rules, pii.IP_ADDRESS: _Keep()},
    presets.CN_DISPLAY.default,
    scanner=Scanner(
        [
            pii.CN_RESIDENT_ID,
            pii.CN_USCC,
            pii.IBAN,
            pii.PAYMENT_CARD,
            pii.US_SSN,
            pii.CN_MOBILE,
            pii.PHONE,
            pii.EMAIL,
        ]
    ),
)


class ShapeEvent:
    """Validate flat keyword arguments and arrange them as an audit record.

    Recognised keys: ``event`` (the action, set by the logger's methods),
    ``outcome``, ``time`` (an aware datetime; default: the clock),
    ``user_id``, ``user_name``, ``session_id``, ``ip``, ``port`` (the actor,
    or ``actor=Actor(...)``), ``src`` and ``nat`` (:class:`Endpoint` or a
    mapping), ``target``, ``reason``, ``correlation_id``. Every other key goes
    under ``data``, after a check that JSON can carry it faithfully.

    Raises:
        TypeError, ValueError: A field is invalid; the message names it.
    """

    __slots__ = ("_clock", "_stamp")

    def __init__(self, clock: Clock | None = None) -> None:
        self._clock = clock if clock is not None else SystemClock()
        # The wall clock's text straight from the system (the same instant
        # format_time(SystemClock().now()) gives); any other clock is asked.
        self._stamp = WallTime() if type(self._clock) is SystemClock else self._formatted

    def _formatted(self) -> str:
        return format_time(self._clock.now())

    def __call__(self, logger: WrappedLogger, method: str, event: EventDict) -> EventDict:
        # structlog hands every call a fresh dict: it is ours to take apart.
        # This runs once per audit record, so the common case (a catalogued
        # action, the clock's time, plain actor values) takes no detours.
        fields = event
        pop = fields.pop
        action = pop("event", None)
        spec = ACTIONS.get(action) if type(action) is str else None
        if spec is None:
            check_action(action)
        when = pop("time", None)
        outcome = pop("outcome", "success")
        record: dict[str, Any] = {
            "time": self._stamp() if when is None else format_time(to_utc(when, name="time")),
            "action": action,
            "outcome": outcome if outcome in OUTCOMES else check_outcome(outcome),
        }
        if when is not None:
            # The caller's time says when it happened; this says when it was logged.
            record["logged_time"] = self._stamp()
        actor = _actor(fields)
        if actor:
            record["actor"] = actor
        for key in _TEXT_KEYS:
            value = pop(key, None)
            if value is not None:
                record[key] = check_text(key, value)
        for key in _ENDPOINT_KEYS:
            value = pop(key, None)
            if value is not None:
                record[key] = Endpoint.coerce(key, value).to_dict()  # type: ignore[union-attr]
        if fields:
            check_data(fields)
            record["data"] = fields
        if spec is not None and spec.requires:
            _check_required(spec, actor, fields)
        return record


def _check_required(spec: ActionSpec, actor: dict[str, Any], data: EventDict) -> None:
    for name in spec.requires:
        key = _ACTOR_KEYS.get(name)
        if (key is None or key not in actor) and data.get(name) is None:
            break
    else:
        return
    missing = [
        name
        for name in spec.requires
        if (_ACTOR_KEYS.get(name) or "") not in actor and data.get(name) is None
    ]
    raise InvalidArgumentError(
        f"{spec.action} requires {', '.join(missing)} (pass it or bind it to the logger)"
    )


def _actor(fields: EventDict) -> dict[str, Any]:
    pop = fields.pop
    given = pop("actor", None)
    if given is not None:
        if not isinstance(given, Actor):
            raise ArgumentTypeError(f"actor must be an Actor, not {type(given).__name__}")
        actor = given.to_dict()
    else:
        actor = {}
    for key, name in _ACTOR_TEXT:
        value = pop(key, None)
        if value is not None:
            actor[name] = (
                value
                if type(value) is str and 0 < len(value) <= _MAX_TEXT
                else check_text(key, value)
            )
    ip = pop("ip", None)
    if ip is not None:
        actor["ip"] = check_ip("ip", ip)
    port = pop("port", None)
    if port is not None:
        actor["port"] = (
            port if type(port) is int and 0 <= port <= MAX_PORT else check_port("port", port)
        )
    return actor


#: Values repeat: methods, clients, user names, and free text that systems
#: write from templates ("password reset requested via the portal"). One the
#: masker found nothing in is not scanned again, up to this length (4,096
#: entries of at most 256 characters: about 1 MiB at worst). A text with
#: anything masked in it is never remembered.
_CLEAN_MAX: Final = 256
_CACHE_SIZE: Final = 4096
# Probes of a data key's plan: a value without personal data, and one with.
_PROBES: Final = ("probe value", "probe a.person@example.com 13812345678 110105194912310021")


class MaskPII:
    """Mask personal data in a shaped record through :mod:`secpolicy.pii`.

    ``data`` is masked as a nested record (by configured path, by field name,
    then by detection in text); ``target``, ``reason``, ``correlation_id``,
    the actor's ``name`` and ``session_id`` and the endpoints' ``protocol``
    by detection (user names are often e-mail addresses or mobile numbers).
    The user id, the addresses and ports are left alone: the rules require
    them in clear to trace the real user.

    With ``DEFAULT_MASKER`` (the default), whose configuration this
    processor knows (no paths, no field lists, no operator that binds the
    row), the work per event is planned once per ``data`` key: a key that
    names no field the masker knows and holds no personal data itself has its
    text values scanned directly, without scanning the key again on every
    event, and a value of up to 256 characters already found clean is not
    scanned again. Any
    other key or value takes the masker's own walk, which the plan is tested
    to agree with. Another masker always takes the masker's own walk.

    A text that :meth:`~secpolicy.pii.Masker.may_contain` rules out (fewer
    digits than any of the scanner's entities holds, no ``@``, no serialised
    field, no match of a custom pattern or deny-list term, in every reading
    of the scanner) is written as it is without a scan, whatever the masker;
    a subclass of :class:`~secpolicy.pii.Masker` is always scanned, since it
    may mask text its own way.

    .. versionchanged:: 0.2
       ``actor.name``, ``actor.session_id``, ``correlation_id`` and the
       endpoints' ``protocol`` are masked too; per-key plans; texts the
       masker's pre-check rules out are not scanned.

    Args:
        masker: The masking policy; ``DEFAULT_MASKER`` if None. Use
            ``Masker(..., paths={"data.email": ...})`` for a policy per field;
            a path to one of the free-text fields above (``"actor.name"``,
            ``"correlation_id"``, ``"*.protocol"``) decides that field's
            masking instead of detection, and a field allow or deny list
            named after one (``"reason"``, ``"name"``) applies there, as does
            a field name given to the masker (``fields={"reason": ...}``;
            the built-in field names are not applied to these fields).
    """

    __slots__ = (
        "_by_path",
        "_clean",
        "_keys",
        "_masker",
        "_own",
        "_planned",
        "_precheck",
        "_recognizers",
        "_scanner",
    )

    def __init__(self, masker: Masker | None = None) -> None:
        self._masker = masker if masker is not None else DEFAULT_MASKER
        self._planned = self._masker is DEFAULT_MASKER
        # Masker.may_contain answers for Masker.mask_text: a subclass that
        # masks text another way is always scanned.
        self._precheck = type(self._masker) is Masker
        # data key -> True if its text values are masked by detection alone
        self._keys: dict[str, bool] = {}
        # short texts the scanner found nothing in
        self._clean: set[str] = set()
        # What the plans and clean texts were found with: Scanner.register()
        # replaces the scanner's state, after which they are found again.
        self._scanner = self._masker.scanner
        self._recognizers = self._scanner.recognizers
        # The record's own free-text fields that one of the masker's paths
        # names ("actor.name", "correlation_id"): the path decides there, as
        # it does under data.
        # A field name the caller gave the masker (fields={"reason": ...}) names
        # the entity of that field here too; the built-in names do not ("name"
        # is the user's name, "target" a resource).
        self._by_path = _path_fields(self._masker) | _named_fields(self._masker)
        # ... and those the masker has a field allow or deny list for ("reason"):
        # the list applies there too, as it does under data.
        self._own = self._by_path | _listed_fields(self._masker)

    @property
    def masker(self) -> Masker:
        """The masking policy (read-only).

        The per-key plans and the remembered clean texts were found with this
        masker: setting another one would serve its events the old answers
        (text another policy masks, written in clear). Build a new
        :class:`MaskPII` for another policy.
        """
        return self._masker

    def __call__(self, logger: WrappedLogger, method: str, record: EventDict) -> EventDict:
        if self._planned:
            scanner = self._masker.scanner
            if scanner is not self._scanner or scanner.recognizers is not self._recognizers:
                # A recognizer was registered (or the scanner replaced): a text found
                # clean before may hold what it finds.
                self._keys.clear()
                self._clean.clear()
                self._scanner, self._recognizers = scanner, scanner.recognizers
        data = record.get("data")
        if data:
            record["data"] = self._data(data) if self._planned else self._walk(data)
        text = self._text if self._planned else self._screened
        own = self._own
        for key in _TEXT_KEYS:
            value = record.get(key)
            if value is not None:
                record[key] = self._field(key, None, value) if key in own else text(value)
        actor = record.get("actor")
        if actor:
            # A user name (and a session id some frameworks build from one) may be
            # an e-mail address or a mobile number.
            for key in ("name", "session_id"):
                value = actor.get(key)
                if value is not None:
                    actor[key] = (
                        self._field("actor", key, value) if ("actor", key) in own else text(value)
                    )
        for key in _ENDPOINT_KEYS:
            endpoint = record.get(key)
            if endpoint and endpoint.get("protocol") is not None:
                value = endpoint["protocol"]
                endpoint["protocol"] = (
                    self._field(key, "protocol", value) if (key, "protocol") in own else text(value)
                )
        return record

    def _field(self, key: str, inner: str | None, value: str) -> Any:
        """*value* of the record's field *key* (its member *inner*), by its path or field lists."""
        if (key if inner is None else (key, inner)) not in self._by_path:
            # Detection and the field's lists, as for free text under a field of
            # data; not the field name's entity ("name" is the user's name).
            field = normalise_field(key if inner is None else inner)
            return self._masker.mask_text(value, field=field)
        nested: dict[str, Any] = {key: value if inner is None else {inner: value}}
        masked = self._masker.mask_record(nested)
        # One entry at each level; its key may have been masked as text.
        out = next(iter(masked.values()))
        return out if inner is None else next(iter(out.values()))

    def _walk(self, data: dict[str, Any]) -> Any:
        """The masker's own walk of ``data`` (the plain twin of :meth:`_data`)."""
        return self._masker.mask_record({"data": data})["data"]

    def _data(self, data: dict[str, Any]) -> Any:
        keys = self._keys
        for key, value in data.items():
            plain = keys.get(key)
            if plain is None:
                plain = self._plan(key)
            if not plain or type(value) is not str:
                return self._walk(data)
        text = self._text
        return {key: text(value) for key, value in data.items()}

    def _plan(self, key: str) -> bool:
        """True if a text under *key* is masked by detection alone and *key* stays as it is."""
        masker = self._masker
        plain = type(key) is str and masker.mask_text(key) == key
        if plain:
            for probe in _PROBES:
                walked = masker.mask_record({"data": {key: probe}})["data"]
                if walked != {key: masker.mask_text(probe)}:
                    plain = False
                    break
        if len(self._keys) >= _CACHE_SIZE:
            self._keys.clear()
        self._keys[key] = plain
        return plain

    def _screened(self, value: str) -> str:
        """*value* masked by another masker: scanned unless its cheap pre-check rules it out."""
        masker = self._masker
        if self._precheck and not masker.may_contain(value):
            return value
        return masker.mask_text(value)

    def _text(self, value: str) -> str:
        clean = self._clean
        if value in clean:
            return value
        masker = self._masker
        # Nothing the masker can find fits in a text its pre-check rules out
        # (too few digits, no "@", no serialised field ...): that is what a
        # scan would return.
        masked = masker.mask_text(value) if masker.may_contain(value) else value
        if masked == value and len(value) <= _CLEAN_MAX:
            if len(clean) >= _CACHE_SIZE:
                clean.clear()
            clean.add(value)
        return masked


# The record's own free-text fields that MaskPII masks, as paths from the record.
_FREE_TEXT_FIELDS: Final = (
    *((key,) for key in _TEXT_KEYS),
    ("actor", "name"),
    ("actor", "session_id"),
    *((key, "protocol") for key in _ENDPOINT_KEYS),
)


def _path_fields(masker: Masker) -> frozenset[tuple[str, ...] | str]:
    """The free-text fields of the record that a configured path of *masker* names.

    A field of the top level is named by its key alone, a member by the pair.
    """
    config = masker.config
    found: set[tuple[str, ...] | str] = set()
    for field in _FREE_TEXT_FIELDS:
        if config.path_names(field):
            found.add(field[0] if len(field) == 1 else field)
    return frozenset(found)


def _named_fields(masker: Masker) -> frozenset[tuple[str, ...] | str]:
    """The free-text fields of the record named by a field the caller gave *masker*.

    ``Masker(fields={"reason": PERSON_NAME})`` says what a ``reason`` holds;
    the built-in map of common field names is not applied to the record's
    own fields (``actor.name`` stays detected, not masked whole).
    """
    fields = masker.config.fields
    given = {name for name, entity in fields.items() if FIELD_ENTITIES.get(name) != entity}
    found: set[tuple[str, ...] | str] = set()
    for field in _FREE_TEXT_FIELDS:
        if normalise_field(field[-1]) in given:
            found.add(field[0] if len(field) == 1 else field)
    return frozenset(found)


def _listed_fields(masker: Masker) -> frozenset[tuple[str, ...] | str]:
    """The free-text fields of the record that *masker* has a field allow or deny list for."""
    config = masker.config
    lists = config.allow_list_fields | config.deny_list_fields
    found: set[tuple[str, ...] | str] = set()
    for field in _FREE_TEXT_FIELDS:
        if normalise_field(field[-1]) in lists:
            found.add(field[0] if len(field) == 1 else field)
    return frozenset(found)


def _encoder() -> Callable[[Any], str]:
    """A compact JSON encoder built once (``JSONEncoder.encode`` builds one per call)."""
    encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython always has the C encoder
        return encoder.encode

    def refuse(value: object) -> object:
        raise ArgumentTypeError(f"{type(value).__name__} cannot be written to an audit record")

    # (markers, default, encoder, indent, key separator, item separator,
    #  sort_keys, skipkeys, allow_nan)
    sort_keys = skipkeys = allow_nan = False
    iterencode = make(
        None, refuse, json.encoder.encode_basestring, None, ":", ",", sort_keys, skipkeys, allow_nan
    )

    def encode(value: Any) -> str:
        return "".join(iterencode(value, 0))

    return encode


_ENCODE: Final = _encoder()


def render_record(
    logger: WrappedLogger, method: str, record: EventDict
) -> tuple[tuple[EventDict, str], dict[str, Any]]:
    """The last processor: the record and its JSON body for the chain writer.

    Raises:
        TypeError: A value cannot be serialised (never replaced by ``repr()``).
    """
    return (record, _ENCODE(record)[1:-1]), {}
