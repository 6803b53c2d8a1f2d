"""Finding personal data in free text, Chinese text included, in linear time.

The passes live beside it: folding in ``_fold``, identifiers in
``_identifiers``, digit runs in ``_digitruns``, e-mail addresses in
``_email``, scores, context and overlap resolution in ``_scoring``, custom
recognizers and deny-lists in ``_recognizer``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import attrs

from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.pii import _entities
from secpolicy.pii._digitruns import _Digits, _digits_pass
from secpolicy.pii._email import _email_pass
from secpolicy.pii._fold import _second_reading, allow_key, fold
from secpolicy.pii._identifiers import (
    _RESIDENT_ID,
    _RESIDENT_ID_OR_USCC,
    _SSN,
    _TRAVEL,
    _USCC,
    _boundary_pass,
    _fixed,
    _glued_iban_pass,
    _iban_pass,
    _id_score,
    _ipv4_pass,
    _ipv6_pass,
    _regex_pass,
    _resident_id_or_uscc,
    _ssn_underscore_pass,
    _travel_classifier,
    _travel_score,
    _underscore_pass,
)
from secpolicy.pii._ids import _ssn_match_ok, _uscc_match_ok
from secpolicy.pii._phone import DEFAULT_PHONE_REGIONS, known_region
from secpolicy.pii._recognizer import DenyList, Recognizer
from secpolicy.pii._scoring import (
    CONTEXT_WORDS,
    Candidate,
    Pass,
    _ctx_pattern,
    _in_context,
    _resolve,
)

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Mapping

    from secpolicy.pii._identifiers import _Part


@attrs.frozen(kw_only=True, repr=False)
class Finding:
    """One piece of personal data found in a text.

    Attributes:
        entity: The entity name (``"CN_MOBILE"``, ``"EMAIL"``, …).
        start: Offset of the first character in the scanned text.
        end: Offset after the last character (``text[start:end]``).
        text: The matched text, exactly as it appears (personal data: the
            ``repr`` hides it).
        score: How sure the scanner is, from 0 to 1: the format's own score
            (a checked check digit scores high, a bare national phone number
            low), raised when a context word (``手机``, ``card``, ``身份证`` …)
            comes shortly before. ``.. versionadded:: 0.2``
    """

    entity: str
    start: int
    end: int
    text: str
    score: float = 1.0

    def __repr__(self) -> str:
        return f"Finding({self.entity}, {self.start}:{self.end})"


_BOTH_IDS: Final = frozenset({_entities.CN_RESIDENT_ID, _entities.CN_USCC})
_TRAVEL_ENTITIES: Final = frozenset(
    {_entities.CN_PASSPORT, _entities.CN_HK_MACAU_PERMIT, _entities.CN_TAIWAN_PERMIT}
)
_DIGIT_ENTITIES: Final = frozenset({_entities.PAYMENT_CARD, _entities.CN_MOBILE, _entities.PHONE})


def _identifier_parts(wanted: frozenset[str]) -> list[_Part]:
    """The identifier and travel-document patterns that find *wanted*, sharing where they can.

    Both identifiers: one pattern; otherwise one each; then the travel
    documents'. The SSN is no part of them (it has a pass of its
    own): a resident ID written 4-4-4-4-2 may start at an SSN's last group
    (``123-45-1101 0519 4912 3100 2X``), and one search resumes after the
    SSN, so the ID's other 14 characters were left in clear.
    """
    parts: list[_Part] = []
    if wanted >= _BOTH_IDS:
        parts.append((_RESIDENT_ID_OR_USCC, _resident_id_or_uscc, _id_score))
    elif _entities.CN_RESIDENT_ID in wanted:
        only_id = _fixed(
            _entities.CN_RESIDENT_ID,
            lambda t: _resident_id_or_uscc(t) == _entities.CN_RESIDENT_ID,
        )
        parts.append((_RESIDENT_ID, only_id, _id_score))
    elif _entities.CN_USCC in wanted:
        parts.append((_USCC, _fixed(_entities.CN_USCC, _uscc_match_ok), _id_score))
    if wanted & _TRAVEL_ENTITIES:
        parts.append((_TRAVEL, _travel_classifier(wanted & _TRAVEL_ENTITIES), _travel_score))
    return parts


def _passes(
    wanted: frozenset[str], regions: tuple[str, ...], *, plain: bool = False
) -> tuple[Pass, ...]:
    """The passes that find *wanted*.

    The identifier patterns (:func:`_identifier_parts`) are searched in one
    pass (:func:`_boundary_pass`); with *plain*, each in a pass of its own
    (the plain twin, held to it by a test). The SSN has a pass of its own
    either way: its matches may overlap a resident ID's; so have the
    identifiers right after an underscore (:func:`_underscore_pass`).
    """
    parts = _identifier_parts(wanted)
    passes: list[Pass] = []
    if plain:
        passes.extend(_regex_pass(*part) for part in parts)
    elif parts:
        passes.append(_boundary_pass(tuple(parts)))
    if parts:
        passes.append(_underscore_pass(tuple(parts)))
    if _entities.US_SSN in wanted:
        passes.append(_regex_pass(_SSN, _fixed(_entities.US_SSN, _ssn_match_ok), _id_score))
        passes.append(_ssn_underscore_pass)
    digit_runs = bool(wanted & _DIGIT_ENTITIES) or _entities.CN_RESIDENT_ID in wanted
    if _entities.IBAN in wanted:
        # With digit runs, the IBAN pass runs inside the digit pass, which
        # then skips the runs inside the IBANs it finds.
        passes.extend((_glued_iban_pass,) if digit_runs else (_iban_pass, _glued_iban_pass))
    if digit_runs:  # resident IDs glued to letters, too
        digits = _Digits(
            wanted & _DIGIT_ENTITIES, regions, resident_ids=_entities.CN_RESIDENT_ID in wanted
        )
        passes.append(_digits_pass(digits, ibans=_entities.IBAN in wanted))
    if _entities.EMAIL in wanted:
        passes.append(_email_pass)
    if _entities.IP_ADDRESS in wanted:
        passes.extend((_ipv4_pass, _ipv6_pass))
    return tuple(passes)


_RANK: Final[dict[str, int]] = {entity: rank for rank, entity in enumerate(_entities.DETECTABLE)}
_CUSTOM_RANK: Final = len(_entities.DETECTABLE)


def _check_threshold(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
        raise PolicyConfigError("must be a number from 0 to 1", field="threshold")
    return float(value)


def _check_regions(regions: Iterable[object]) -> tuple[str, ...]:
    checked: tuple[object, ...] = (regions,) if isinstance(regions, str) else tuple(regions)
    for region in checked:
        if not isinstance(region, str) or not known_region(region):
            raise PolicyConfigError(
                "unknown region code (use ISO 3166-1 alpha-2, e.g. 'CN', 'US')",
                field="phone_regions",
            )
    return tuple(str(region) for region in checked)


class Scanner:
    """Finds personal data in text and validates every match before reporting it.

    Works inside Chinese text without spaces, with full-width digits and
    letters, and with common separators (``138 1234 5678``,
    ``+86-138-1234-5678``, ``4111-1111-1111-1111``, ``972.238.9261``,
    no-break spaces and em dashes). Check digits are verified (Luhn and the
    issuer's range and length for cards, MOD 11-2 for resident IDs, MOD 97 for
    IBANs, GB 32100 and the region code for credit codes), and telephone
    numbers are validated with phonenumbers' metadata. A run of digits that is
    not one entity is retried in parts split at its separators, so
    ``13812345678 13987654321`` gives two mobile numbers and a card followed
    by its expiry date is still found. Every pattern has bounded repetition
    or is linear by construction, so time is linear in the text length.

    Each finding has a score; findings scoring below *threshold* are not
    reported. Context words shortly before a finding raise its score.

    Args:
        entities: The entity names to look for (default: all detectable ones,
            those of *recognizers* and *deny_list* included).
        phone_regions: The regions whose national phone formats are
            recognised (``020 7946 0958`` is a UK number only if ``"GB"`` is
            among them); international numbers are recognised for every
            region. Default: ``DEFAULT_PHONE_REGIONS``.
        threshold: The lowest score reported (0 to 1, default 0.5).
        recognizers: Custom :class:`Recognizer` objects.
        allow_list: Values never reported (test card numbers, the company's
            own hotline), compared after NFKC folding, case folding and
            dropping spaces, dashes, dots, parentheses and ``+``.
        deny_list: Entity name → exact terms always reported as that entity
            (project code names, customer names), with score 1.

    Raises:
        PolicyConfigError: For an entity name the scanner cannot detect, an
            unknown region, or a threshold outside 0 to 1.

    Example:
        >>> [f.entity for f in Scanner().find("客户张三，手机13812345678，邮箱 zs@example.com")]
        ['CN_MOBILE', 'EMAIL']
    """

    __slots__ = (
        "_all",
        "_allow",
        "_allow_values",
        "_contexts",
        "_custom",
        "_deny",
        "_deny_terms",
        "_passes",
        "_ranks",
        "entities",
        "phone_regions",
        "recognizers",
        "threshold",
    )

    def __init__(
        self,
        entities: Iterable[str] | None = None,
        *,
        phone_regions: Iterable[str] = DEFAULT_PHONE_REGIONS,
        threshold: float = 0.5,
        recognizers: Iterable[Recognizer] = (),
        allow_list: Iterable[str] = (),
        deny_list: Mapping[str, Iterable[str]] | None = None,
    ) -> None:
        self.recognizers: tuple[Recognizer, ...] = tuple(recognizers)
        for recognizer in self.recognizers:
            if not isinstance(recognizer, Recognizer):
                raise PolicyConfigError("must be Recognizer objects", field="recognizers")
        self._deny_terms = {
            k: tuple((v,) if isinstance(v, str) else v) for k, v in (deny_list or {}).items()
        }
        self._deny = DenyList(self._deny_terms)
        custom = {r.entity for r in self.recognizers} | self._deny.entities
        known = (*_entities.DETECTABLE, *sorted(custom - set(_entities.DETECTABLE)))
        wanted = tuple(known if entities is None else entities)
        unknown = sorted(str(e) for e in set(wanted) - set(known))
        if unknown:
            raise PolicyConfigError(
                f"cannot detect {', '.join(unknown)}; detectable: {', '.join(known)}",
                field="entities",
            )
        self._all = entities is None
        self.entities = frozenset(wanted)
        self.phone_regions = _check_regions(phone_regions)
        self.threshold = _check_threshold(threshold)
        if isinstance(allow_list, str):
            allow_list = (allow_list,)
        self._allow_values = tuple(allow_list)
        self._allow = frozenset(allow_key(v) for v in allow_list)
        self._ranks = {entity: _RANK.get(entity, _CUSTOM_RANK) for entity in known}
        contexts = {e: list(words) for e, words in CONTEXT_WORDS.items()}
        for recognizer in self.recognizers:
            contexts.setdefault(recognizer.entity, []).extend(recognizer.context)
        self._contexts = {e: _ctx_pattern(w) for e, w in contexts.items() if w}
        self._passes = _passes(self.entities, self.phone_regions)
        self._custom = bool(self.recognizers) or bool(self._deny.entities)

    def __reduce__(self) -> tuple[Any, ...]:
        # Rebuilt from its arguments: its compiled passes are closures, and a
        # scanner must pickle cleanly to worker processes (Spark executors).
        return (
            _rebuild_scanner,
            (
                None if self._all else tuple(sorted(self.entities)),
                self.phone_regions,
                self.threshold,
                self.recognizers,
                self._allow_values,
                self._deny_terms,
            ),
        )

    def register(self, recognizer: Recognizer) -> Scanner:
        """Add *recognizer* to this scanner and return the scanner (for chaining).

        Its entity is added to the scanner's entities. The scanner's state is
        replaced in one assignment per attribute, so a scan running in another
        thread sees the recognizer or not, never half of it; register
        recognizers while setting up, before sharing the scanner.

        .. versionadded:: 0.2
        """
        if not isinstance(recognizer, Recognizer):
            raise PolicyConfigError("must be a Recognizer", field="recognizer")
        entities = None if self._all else (*self.entities, recognizer.entity)
        built = Scanner(
            entities,
            phone_regions=self.phone_regions,
            threshold=self.threshold,
            recognizers=(*self.recognizers, recognizer),
            allow_list=self._allow_values,
            deny_list=self._deny_terms,
        )
        for name in Scanner.__slots__:
            setattr(self, name, getattr(built, name))
        return self

    def find(self, text: str) -> list[Finding]:
        """Every finding in *text* scoring at least the threshold, in order, without overlaps.

        Where candidates overlap, the longer one wins (an e-mail address that
        starts with a mobile number is an e-mail address), then the more
        specific entity.

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return [
            Finding(entity=e, start=s, end=t, text=text[s:t], score=score)
            for s, t, e, score in self.scored(text)
        ]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Like :meth:`find`, as ``(start, end, entity)`` tuples (no objects to build).

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return [(s, t, e) for s, t, e, _ in self._scan(text, exact=False)]

    def scored(self, text: str) -> list[Candidate]:
        """Like :meth:`find`, as ``(start, end, entity, score)`` tuples.

        .. versionadded:: 0.2

        Raises:
            TypeError: If *text* is not a ``str``.
        """
        return self._scan(text, exact=True)

    def _scan(self, text: str, *, exact: bool) -> list[Candidate]:
        """The findings; with *exact* False, context is looked for only below the threshold.

        A candidate already at the threshold is reported whatever its context,
        so :meth:`spans` and masking skip the look-back; :meth:`find` and
        :meth:`scored` report the score with its context.
        """
        if not isinstance(text, str):
            raise ArgumentTypeError(f"text must be str, not {type(text).__name__}")
        folded = fold(text)
        candidates = self._candidates(folded)
        view = _second_reading(text, folded)
        if view is not None:
            # Read once more without the invisible characters, which may sit
            # anywhere inside a value ("110105\u200b19491231002X"), and with
            # percent-escapes decoded ("phone%3D13812345678", "zs%40qq.com");
            # the spans are mapped back onto the text.
            seen, starts, ends = view
            candidates.extend(
                (starts[s], ends[t - 1], e, score) for s, t, e, score in self._candidates(seen)
            )
        if not candidates:
            return candidates
        threshold = self.threshold
        contexts = self._contexts
        if not exact and all(c[3] >= threshold for c in candidates):
            kept = candidates  # at the threshold already: no look-back needed
        else:
            kept = _in_context(folded, candidates, contexts, threshold, exact=exact)
        if self._allow:
            allow = self._allow
            kept = [c for c in kept if allow_key(folded[c[0] : c[1]]) not in allow]
        return _resolve(kept, self._ranks) if len(kept) > 1 else kept

    def _candidates(self, folded: str) -> list[Candidate]:
        """The candidates of every pass, recognizer and deny-list in *folded* text."""
        candidates: list[Candidate] = []
        for run in self._passes:
            candidates.extend(run(folded))
        if self._custom:
            for recognizer in self.recognizers:
                if recognizer.entity in self.entities:
                    candidates.extend(recognizer.find(folded))
            candidates.extend(c for c in self._deny.find(folded) if c[2] in self.entities)
        return candidates

    def scan_lines(self, lines: Iterable[str]) -> Iterator[tuple[int, Finding]]:
        """Findings of each line of an iterable (a file), with 1-based line numbers.

        Memory is bounded by the longest line, whatever the number of lines.
        """
        for number, line in enumerate(lines, start=1):
            for finding in self.find(line):
                yield number, finding

    def __repr__(self) -> str:
        return f"Scanner({sorted(self.entities)}, threshold={self.threshold})"


def _rebuild_scanner(  # noqa: PLR0917 (the constructor's arguments, for pickle)
    entities: tuple[str, ...] | None,
    phone_regions: tuple[str, ...],
    threshold: float,
    recognizers: tuple[Recognizer, ...],
    allow_list: tuple[str, ...],
    deny_list: dict[str, tuple[str, ...]],
) -> Scanner:
    """Unpickle a :class:`Scanner`."""
    return Scanner(
        entities,
        phone_regions=phone_regions,
        threshold=threshold,
        recognizers=recognizers,
        allow_list=allow_list,
        deny_list=deny_list,
    )
