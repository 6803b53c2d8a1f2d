"""Password policies: what a password must satisfy, and when it must change."""

from __future__ import annotations

import inspect
import re
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import PurePath
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Protocol

import attrs
from argon2.exceptions import VerifyMismatchError

from secpolicy._clock import ensure_aware
from secpolicy.exceptions import (
    ArgumentTypeError,
    PasswordPolicyError,
    PolicyConfigError,
    SecPolicyError,
)
from secpolicy.password._rules import (
    COMMON_PASSWORDS,
    Blocklist,
    character_classes,
    date_forms,
    has_disguised_sequence,
    has_invalid_characters,
    has_keyboard_walk,
    has_refused_sequence,
    is_date,
    is_mobile_number,
    longest_run,
    matches_user_data,
    user_tokens,
)
from secpolicy.password._strength import score
from secpolicy.password._violations import Locale, PasswordCheck, Violation, ViolationCode

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping, Sequence

    from secpolicy.password._breach import AsyncBreachChecker, BreachChecker


class Verifier(Protocol):
    """What the history check needs from a hasher: ``verify(hash, password) -> bool``."""

    def verify(self, hash: str, password: str) -> bool:  # noqa: A002 (argon2-cffi's own name)
        """True if *password* matches *hash*."""
        ...


def _at_least(minimum: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    def check(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise PolicyConfigError(f"must be an integer >= {minimum}", field=attribute.name)

    return check


def _optional_at_least(minimum: int) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    inner = _at_least(minimum)

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        if value is not None:
            inner(instance, attribute, value)

    return check


def _strings(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _hashes(value: object) -> tuple[str, ...]:
    """The history as a tuple of hash strings, read once.

    One string is refused rather than read as its characters, and an iterator
    is read here rather than by the first check (which would leave nothing
    for the next): either way the history check would pass silently.
    """
    if isinstance(value, (str, bytes, bytearray)):
        raise PolicyConfigError(
            "must be a sequence of hash strings, not one string", field="previous_hashes"
        )
    try:
        items: tuple[object, ...] = tuple(value)  # type: ignore[arg-type]  # may raise TypeError
    except TypeError:
        raise PolicyConfigError(
            f"must be a sequence of hash strings, not {type(value).__name__}",
            field="previous_hashes",
        ) from None
    for index, item in enumerate(items):
        if not isinstance(item, str):
            raise PolicyConfigError(
                f"must be a hash string, not {type(item).__name__}",
                field=f"previous_hashes[{index}]",
            )
    return items  # type: ignore[return-value]  # every item was checked to be a str


def _optional_hash(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise PolicyConfigError(
            f"must be a hash string or None, not {type(value).__name__}", field=attribute.name
        )


#: The longest duration a password policy accepts (a window, a lock, an age):
#: a thousand years, far below what ``datetime`` arithmetic can add to today.
MAX_POLICY_DURATION: Final = timedelta(days=365 * 1000)


def _positive_delta(_: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and (not isinstance(value, timedelta) or value <= timedelta(0)):
        raise PolicyConfigError("must be a positive timedelta or None", field=attribute.name)
    if value is not None and value > MAX_POLICY_DURATION:
        raise PolicyConfigError("must not exceed 1000 years", field=attribute.name)


@attrs.frozen(kw_only=True)
class LockoutPolicy:
    """Lock an account after too many consecutive failed logins.

    Args:
        max_failures: Failures within *window* that lock the account.
        window: How far back failures count.
        duration: How long the lock lasts (it lifts by itself).
        backoff: If set, each failure also imposes a delay before the next
            attempt: *backoff*, then doubling, up to *max_backoff*.
        max_backoff: The longest such delay.
    """

    max_failures: int = attrs.field(validator=_at_least(1))
    window: timedelta = attrs.field(validator=_positive_delta)
    duration: timedelta = attrs.field(validator=_positive_delta)
    backoff: timedelta | None = attrs.field(default=None, validator=_positive_delta)
    max_backoff: timedelta = attrs.field(default=timedelta(minutes=15), validator=_positive_delta)


_ISO_DATE: Final = re.compile(r"\d{4}-\d{2}-\d{2}")
#: NFKC composes at most four code points into one (a Greek vowel with three
#: marks), so a raw input longer than this many times ``max_length`` cannot
#: normalise to an acceptable length and is refused before normalisation.
NFKC_MAX_SHRINK: Final = 4
#: ``min_score`` judges this many leading characters. Guesses only grow with
#: more characters, so a password whose first 64 are strong is strong; one
#: whose first 64 are guessable is refused, whatever follows.
ESTIMATED_LENGTH: Final = 64


@attrs.frozen(kw_only=True)
class PasswordContext:
    """What the policy knows about the user whose password is checked.

    Only ``username`` appears in ``repr``: the e-mail address, the other
    personal data and the hashes are hidden.

    Attributes:
        username: The account name.
        email: The e-mail address (its local part is checked too).
        name: The person's name; a Chinese name is also matched in pinyin.
        phone: The phone number (also by its last 8 and 6 digits).
        birth_date: The birth date, matched in the forms people write it.
        attributes: Other personal data: ``{"name": "张伟", "phone": ...,
            "birth_date": date(1990, 1, 15)}``. Chinese names are also matched
            in pinyin (with and without tones, initials); dates in the forms
            people write birthdays (``19900115``, ``900115``, ``0115``,
            ``1990-01-15``).
        previous_hashes: The user's earlier password hashes, newest first.
        current_hash: The hash of the password being replaced, so that a
            change to the same password is refused.
        hasher: What verifies a password against those hashes; required
            when any hash is given.
        breach_checker: Where to look passwords up when the policy checks
            breaches (an offline corpus or the range API).

    Raises:
        PolicyConfigError: If *hasher* has no ``verify`` method or
            *breach_checker* no ``count`` method; if hashes are given
            without a hasher, as one string instead of a sequence, or as
            anything but strings (the history check would silently pass).
            The message names the field and position, never the hash.

    .. versionchanged:: 0.2
       ``name``, ``phone``, ``birth_date`` and ``current_hash``; hashes
       without a ``hasher`` are refused; personal data is hidden from ``repr``;
       ``previous_hashes`` is stored as a tuple of strings.
    """

    username: str | None = None
    email: str | None = attrs.field(default=None, repr=False)
    name: str | None = attrs.field(default=None, repr=False)
    phone: str | None = attrs.field(default=None, repr=False)
    birth_date: date | None = attrs.field(default=None, repr=False)
    attributes: Mapping[str, Any] = attrs.field(factory=dict, repr=False)
    previous_hashes: Sequence[str] = attrs.field(default=(), repr=False, converter=_hashes)
    current_hash: str | None = attrs.field(default=None, repr=False, validator=_optional_hash)
    hasher: Verifier | None = None
    breach_checker: BreachChecker | AsyncBreachChecker | None = None
    _token_sets: Mapping[str, frozenset[str]] = attrs.field(
        init=False, repr=False, eq=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        # Duck-typed: anything with the method fits, but a path or a name in its
        # place would make the check fail at every call and, for the breach
        # lookup under a fail-open policy, pass every password.
        # Text and paths are refused by name: ``str.count`` exists, so a file
        # name given as the checker would answer 0 ("not breached") for all.
        for field, method in (("hasher", "verify"), ("breach_checker", "count")):
            value = getattr(self, field)
            if value is None:
                continue
            if isinstance(value, (str, bytes, bytearray, PurePath)) or not callable(
                getattr(value, method, None)
            ):
                hint = (
                    "; open a breach file with OfflineBreachChecker(path)"
                    if field == "breach_checker"
                    else ""
                )
                raise PolicyConfigError(
                    f"must be an object with a {method}() method, not {type(value).__name__}{hint}",
                    field=field,
                )
        if self.hasher is None and (self.previous_hashes or self.current_hash):
            field = "current_hash" if self.current_hash else "previous_hashes"
            raise PolicyConfigError(
                "a hasher is required to compare the password with earlier hashes", field=field
            )
        # Computed once (pinyin, date forms): a context is a snapshot of the user's data.
        tokens = {kind: frozenset(user_tokens(v)) for kind, v in self.user_values().items()}
        object.__setattr__(self, "_token_sets", MappingProxyType(tokens))

    def user_token_sets(self) -> Mapping[str, frozenset[str]]:
        """The pieces of each kind of user data a password may not contain (see ``user_values``).

        .. versionadded:: 0.2
        """
        return self._token_sets

    def user_values(self) -> dict[str, list[str]]:
        """User data by kind, as strings (dates in the forms people write them)."""
        values: dict[str, list[str]] = {}
        if self.username:
            values["username"] = [self.username]
        if self.email:
            values["email"] = [self.email, self.email.partition("@")[0]]
        named = {"name": self.name, "phone": self.phone, "birth_date": self.birth_date}
        given = {key: value for key, value in named.items() if value is not None}
        for key, value in {**given, **self.attributes}.items():
            if isinstance(value, datetime):
                values[key] = date_forms(value.date())
            elif isinstance(value, date):
                values[key] = date_forms(value)
            elif isinstance(value, str) and _ISO_DATE.fullmatch(value.strip()):
                try:
                    values[key] = date_forms(date.fromisoformat(value.strip()))
                except ValueError:
                    values[key] = [value]
            elif value is not None:
                text = str(value)
                forms = [text]
                digits = re.sub(r"\D", "", text)
                if len(digits) >= 11:  # noqa: PLR2004 (a mobile number: its tail is typed too)
                    forms += [digits, digits[-8:], digits[-6:]]
                values[key] = forms
        return values


def _matches(hasher: Verifier, stored: str, password: str, where: str) -> bool:
    """*password* matches the earlier hash *stored*, which the field *where* held.

    argon2-cffi's own ``PasswordHasher`` signals a mismatch by raising
    ``VerifyMismatchError``: that is a mismatch. Any other error means the
    hash was not checked, and skipping it would let a reused password
    through, so it is a ``PolicyConfigError`` naming the field (never the
    hash, the password or the hasher's message, which may hold either).
    """
    try:
        return bool(hasher.verify(stored, password))
    except VerifyMismatchError:
        return False
    except SecPolicyError:
        raise
    except Exception as exc:  # noqa: BLE001 (re-raised as the library's error, below)
        failure = type(exc).__name__
    raise PolicyConfigError(
        f"the hasher could not check this hash ({failure}); the history check cannot "
        "pass without it",
        field=where,
    )


def _as_count(answer: object) -> int | None:
    """A checker's answer as a count, or None for anything that is not a non-negative int."""
    if isinstance(answer, bool) or not isinstance(answer, int) or answer < 0:
        return None
    return answer


def _discard(awaitable: object) -> None:
    close = getattr(awaitable, "close", None)
    if callable(close):
        close()


#: A Latin letter with a mark NFD does not split off (stroke, hook, bar, tail:
#: ``\u00f8``, ``\u0142``), a dotless one (``\u0131``) or a small capital
#: (``\u1d0f``), by its Unicode name.
_LATIN_VARIANT: Final = re.compile(
    r"LATIN (SMALL |CAPITAL )?(?:LETTER |SMALL CAPITAL |CAPITAL |DOTLESS )+([A-Z])(?: WITH .+)?"
)
#: The Unicode blocks that hold such letters: Latin-1 and Extended-A/B, IPA,
#: phonetic extensions, Extended Additional, C, D, E, F and G.
_LATIN_BLOCKS: Final = (
    (0x00C0, 0x0250),
    (0x0250, 0x02B0),
    (0x1D00, 0x1DC0),
    (0x1E00, 0x1F00),
    (0x2C60, 0x2C80),
    (0xA720, 0xA800),
    (0xAB30, 0xAB70),
    (0x10780, 0x107C0),
    (0x1DF00, 0x1E000),
)


def _latin_variants() -> dict[str, str]:
    """Each Latin letter variant NFKC keeps, mapped to its plain ASCII letter."""
    found: dict[str, str] = {}
    for low, high in _LATIN_BLOCKS:
        for point in range(low, high):
            letter = chr(point)
            match = _LATIN_VARIANT.fullmatch(unicodedata.name(letter, ""))
            compatible = unicodedata.normalize("NFKC", letter)
            # NFKC reads the ASCII ones itself; a digraph (``\u01c5``) is not one letter.
            if match is None or compatible.isascii() or len(compatible) > 1:
                continue
            case, plain = match.groups()
            found[letter] = plain if case == "CAPITAL " else plain.lower()
    return found


#: Cyrillic and Greek letters drawn like Latin ones, and Latin letters drawn
#: like plain ones (those above, script a and g; sharp s for ``ss``). Mixed
#: into Latin text they are a disguise (``p\u0430ssword`` with a Cyrillic a,
#: ``M\u0131ll\u0131onaire``, ``Passw\u00f8rd``): NFKC keeps them and the
#: estimator's words are ASCII, so the rules also read them as the plain
#: letter there; wholly Cyrillic or Greek text is not.
_CONFUSABLES: Final = str.maketrans(
    {
        **_latin_variants(),
        **dict(
            zip(
                "аесопхуѕіјԁԛԝһӏкАВЕКМНОРСТХУЅІЈӀԚԜοανρικΑΒΕΖΗΙΚΜΝΟΡΤΥΧɑɡ",
                "aecopxysijdqwhlkABEKMHOPCTXYSIJIQWoavpikABEZHIKMNOPTYXag",
                strict=True,
            )
        ),
        "ß": "ss",
        "ẞ": "SS",
    }
)


def _visible(text: str) -> str:
    """*text* as the rules judge it: invisible characters and Latin accents removed.

    Format characters (zero-width space and joiners, word joiner, BOM, soft
    hyphen) do not show and do not slow a guesser who tries the bare word, so
    they must not make ``pass\u200bword`` look new; combining marks on ASCII
    letters (``paśsword``) are decoration of the same kind. Marks of other
    scripts are left alone, since there they are part of the letters.
    """
    if text.isascii():
        return text
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", text):
        category = unicodedata.category(ch)
        if category == "Cf" or (category == "Mn" and kept and kept[-1].isascii()):
            continue
        kept.append(ch)
    return unicodedata.normalize("NFC", "".join(kept))


#: The middle dot NFKC leaves after ``l`` from the Catalan ``\u0140`` (``l\u00b7``).
_MIDDLE_DOT_L: Final = re.compile("(?<=[lL])\u00b7")


def _unmarked(text: str) -> str:
    """*text* (lookalikes already read as Latin) without the marks and dots that decorate it.

    A Cyrillic letter with a diaeresis (``\u0451``, ``\u0457``, ``\u04d2``)
    decomposes to a lookalike of a Latin letter and the mark, which
    :func:`_visible` keeps, since its base was not Latin there; read as
    Latin, the mark is decoration like any other on a Latin letter
    (``Princess`` as ``Pr\u0457ncess``). ``\u0140`` (l with a middle dot) is
    ``l\u00b7`` after NFKC; the dot after an ``l`` goes too
    (``Mi\u0140\u0140ionaire``).
    """
    kept: list[str] = []
    for ch in unicodedata.normalize("NFD", text).translate(_CONFUSABLES):
        if unicodedata.category(ch) == "Mn" and kept and kept[-1].isascii():
            continue
        kept.append(ch)
    return _MIDDLE_DOT_L.sub("", unicodedata.normalize("NFC", "".join(kept)))


def _as_latin(text: str) -> str:
    """*text* with lookalike letters read as Latin and digits as ASCII, if it mixes scripts.

    Digits of other scripts (``\u0662\u0660\u0662\u0664``, Arabic-Indic 2024)
    are the same numbers to a guesser who types them, and NFKC keeps them.
    """
    if text.isascii() or not any("a" <= ch <= "z" or "A" <= ch <= "Z" for ch in text):
        return text
    text = text.translate(_CONFUSABLES)
    if text.isascii():
        return text
    text = _unmarked(text)
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )


#: Four or more single letters or digits each followed by the same separator:
#: ``p-a-s-s``, ``p a s s``, ``P.a.s.s``.
_SPELLED: Final = re.compile(r"([^\W_])([\W_])(?:[^\W_]\2){2,}[^\W_]")


def _unspelled(text: str) -> str:
    """*text* with the separators of letter-by-letter spellings removed (``p-a-s-s`` → ``pass``).

    A guesser who tries ``password`` tries it with a separator between every
    letter too, so the rules also judge that form.
    """
    return _SPELLED.sub(lambda m: m.group(0).replace(m.group(2), ""), text)


def _nfkc(password: str) -> str:
    if unicodedata.is_normalized("NFKC", password):  # a quick check in C; most inputs pass
        return password
    return unicodedata.normalize("NFKC", password)


@attrs.frozen(kw_only=True)
class PasswordPolicy:
    """What a password must satisfy and when it must change; immutable and validated.

    Build variants of a profile with ``attrs.evolve(profiles.CN_MLPS_L3, min_length=12)``.

    Args:
        min_length: Minimum length in Unicode code points (after NFKC).
        max_length: Maximum length; it also bounds hashing cost.
        required_classes: How many of lower-case, upper-case, digit and symbol
            must occur (0 to 4). Characters outside these (CJK, for example)
            count as symbols.
        letters_and_digits: Require at least one letter and one digit (PCI).
        blocklist: Forbidden passwords, matched whole or after normalisation;
            by default the bundled ``COMMON_PASSWORDS``. Combine lists with
            ``|``; None turns the check off.
        context_words: Words of the service or organisation the password may
            not contain (matched case-insensitively).
        user_attribute_similarity: Refuse passwords built from the user's own
            data (username, e-mail, name, phone, birth date), also reversed
            or with digits appended.
        max_repeated: The longest run of one character allowed, or None.
        min_score: Refuse passwords whose :func:`estimate` score (0-4) is
            lower, or None (the default: the other rules decide). The first
            64 characters are estimated, which bounds the work.
        forbid_sequences: Refuse ``abcd``/``4321`` sequences and keyboard walks.
        forbid_dates: Refuse passwords that are a date.
        forbid_phone_numbers: Refuse passwords that are a mobile number.
        check_breached: Refuse passwords found in breach corpora, through the
            context's ``breach_checker``.
        breach_threshold: Occurrences from which a password counts as breached.
        breach_fail_closed: Refuse the password when no answer can be had
            (no checker, service unreachable). Off by default (fail open).
            An asyncio checker given to the blocking :meth:`check`, and a
            checker that raises ``PolicyConfigError`` (a closed
            ``OfflineBreachChecker``), refuse either way
            (``breach_check_unavailable``): they can never answer, which
            is a mistake to fix rather than an outage.
        history_size: Refuse the last N passwords (0: no history check).
        max_age: Force a change after this long, or None.
        expiry_warning: Warn this long before *max_age* runs out.
        change_at_first_use: The first password (set by an administrator)
            must be changed at first login.
        lockout: Failed-login handling, or None.
        idle_timeout: Log out an idle session after this long, or None.
        mfa_required: A second factor is required.
        name: A label for reports.
        citations: The clauses this policy encodes.

    Raises:
        PolicyConfigError: For any invalid field; ``min_length`` above
            ``max_length`` names both.
    """

    min_length: int = attrs.field(default=8, validator=_at_least(1))
    max_length: int = attrs.field(default=64, validator=_at_least(1))
    required_classes: int = attrs.field(default=0, validator=_at_least(0))
    letters_and_digits: bool = False
    blocklist: Blocklist | None = COMMON_PASSWORDS
    context_words: tuple[str, ...] = attrs.field(default=(), converter=_strings)
    user_attribute_similarity: bool = True
    max_repeated: int | None = attrs.field(default=None, validator=_optional_at_least(1))
    min_score: int | None = attrs.field(default=None, validator=_optional_at_least(0))
    forbid_sequences: bool = True
    forbid_dates: bool = True
    forbid_phone_numbers: bool = True
    check_breached: bool = False
    breach_threshold: int = attrs.field(default=1, validator=_at_least(1))
    breach_fail_closed: bool = False
    history_size: int = attrs.field(default=0, validator=_at_least(0))
    max_age: timedelta | None = attrs.field(default=None, validator=_positive_delta)
    expiry_warning: timedelta = attrs.field(default=timedelta(days=14), validator=_positive_delta)
    change_at_first_use: bool = False
    lockout: LockoutPolicy | None = None
    idle_timeout: timedelta | None = attrs.field(default=None, validator=_positive_delta)
    mfa_required: bool = False
    name: str = ""
    citations: tuple[str, ...] = attrs.field(default=(), converter=_strings)

    def __attrs_post_init__(self) -> None:
        if self.min_length > self.max_length:
            raise PolicyConfigError(
                f"min_length ({self.min_length}) must not exceed max_length ({self.max_length})",
                field="min_length",
            )
        if self.required_classes > 4:  # noqa: PLR2004 (lower, upper, digit, symbol)
            raise PolicyConfigError("must be between 0 and 4", field="required_classes")
        if self.min_score is not None and self.min_score > 4:  # noqa: PLR2004 (scores 0-4)
            raise PolicyConfigError("must be between 0 and 4", field="min_score")

    def check(self, password: str, *, context: PasswordContext | None = None) -> PasswordCheck:
        """Every rule *password* breaks; never raises for any ``str``.

        The password is NFKC-normalised first, so visually identical forms
        (full-width letters, ligatures) are judged alike; length counts code
        points. A password longer than ``max_length`` is reported without
        running the other rules, which bounds the work for huge inputs.

        Raises:
            TypeError: If *password* is not a ``str``.
        """
        if not isinstance(password, str):
            raise ArgumentTypeError(f"password must be str, not {type(password).__name__}")
        if len(password) > self.max_length * NFKC_MAX_SHRINK:
            # Refused before any other work: NFKC alone can take seconds on megabytes.
            return self._too_long()
        if has_invalid_characters(password):
            return PasswordCheck((Violation("invalid_characters"),))
        text = _nfkc(password)
        if len(text) > self.max_length:
            return self._too_long()
        visible = _visible(text)
        guessable = self._guessable(visible, context)
        reading = _unspelled(_as_latin(visible))
        if not guessable and reading != visible:
            # At most one more pass, and only for a password the first found fine.
            guessable = self._refused_reading(reading, context)
        found = [
            *self._shape(visible),
            *guessable,
            *self._history(password, visible, context),
            *self._breached(text, context),
        ]
        return PasswordCheck(tuple(found))

    def _too_long(self) -> PasswordCheck:
        return PasswordCheck((Violation("too_long", {"max_length": self.max_length}),))

    def _shape(self, text: str) -> list[Violation]:
        found = []
        if len(text) < self.min_length:
            found.append(Violation("too_short", {"min_length": self.min_length}))
        # No text has fewer than zero classes: count them only when some are required.
        if self.required_classes and character_classes(text) < self.required_classes:
            found.append(Violation("not_enough_classes", {"required": self.required_classes}))
        if self.letters_and_digits and not (
            any(c.isalpha() for c in text) and any(c.isdigit() for c in text)
        ):
            found.append(Violation("letters_and_digits_required"))
        return found

    def _guessable(self, text: str, context: PasswordContext | None) -> list[Violation]:
        return [*self._cheap_guessable(text, context), *self._too_weak(text, context)]

    def _refused_reading(self, text: str, context: PasswordContext | None) -> list[Violation]:
        """:meth:`_guessable` for the second reading, without its score when a cheap rule refuses.

        The password is refused either way, so the estimate (nearly all of
        the pass's cost) would only add a ``too_weak`` beside the refusal;
        its plain twin is :meth:`_guessable`, which always scores.
        """
        return self._cheap_guessable(text, context) or self._too_weak(text, context)

    def _cheap_guessable(self, text: str, context: PasswordContext | None) -> list[Violation]:
        found = []
        if self.blocklist is not None and text in self.blocklist:
            found.append(Violation("blocklisted", {"source": self.blocklist.name}))
        folded = text.casefold()
        if any(word.casefold() in folded for word in self.context_words if word.strip()):
            found.append(Violation("context_word"))
        if self.user_attribute_similarity and context is not None:
            for kind, tokens in context.user_token_sets().items():
                if matches_user_data(text, tokens):
                    found.append(Violation("similar_to_user_data", {"attribute": kind}))
                    break
        if self.max_repeated is not None and longest_run(text) > self.max_repeated:
            found.append(Violation("repeated_characters", {"max_repeated": self.max_repeated}))
        checks: tuple[tuple[bool, ViolationCode], ...] = (
            (
                self.forbid_sequences
                and (has_refused_sequence(text) or has_disguised_sequence(text)),
                "sequence",
            ),
            (self.forbid_sequences and has_keyboard_walk(text), "keyboard_walk"),
            (self.forbid_dates and is_date(text), "date"),
            (self.forbid_phone_numbers and is_mobile_number(text), "phone_number"),
        )
        found.extend(Violation(code) for failed, code in checks if failed)
        return found

    def _too_weak(self, text: str, context: PasswordContext | None) -> list[Violation]:
        found = []
        if self.min_score is not None:
            # Only the first ESTIMATED_LENGTH characters are estimated: that bounds the
            # work, and more characters only ever add guesses, so the cut errs strict.
            # The score alone: estimate()'s cover without building its explanation.
            got = score(
                text[:ESTIMATED_LENGTH],
                context,
                context_words=self.context_words,
                dictionary=self.blocklist,
                cap=self.min_score,  # the verdict and a refusal's score need nothing above
            )
            if got < self.min_score:
                found.append(Violation("too_weak", {"score": got, "min_score": self.min_score}))
        return found

    def _breached(self, text: str, context: PasswordContext | None) -> list[Violation]:
        if not self.check_breached:
            return []
        checker = context.breach_checker if context is not None else None
        count: int | None = None
        if checker is not None:
            try:
                answer: object = checker.count(text)
            except PolicyConfigError:
                # A checker that can never answer (closed): a mistake, not an outage.
                return [Violation("breach_check_unavailable")]
            except Exception:  # noqa: BLE001 (check() never raises: a failed lookup is "unknown")
                answer = None
            if inspect.isawaitable(answer):
                # An asyncio checker called from the blocking check(): use acheck().
                # Not an outage that fail-open may wave through: this lookup can
                # never happen, so the check would be a no-op for every password.
                _discard(answer)
                return [Violation("breach_check_unavailable")]
            count = _as_count(answer)
        return self._breach_verdict(count)

    def _breach_verdict(self, count: int | None) -> list[Violation]:
        if count is None:
            return [Violation("breach_check_unavailable")] if self.breach_fail_closed else []
        if count >= self.breach_threshold:
            return [Violation("breached", {"count": count})]
        return []

    async def acheck(
        self, password: str, *, context: PasswordContext | None = None
    ) -> PasswordCheck:
        """:meth:`check` for asyncio services: awaits an asynchronous breach checker.

        Every rule but the breach lookup runs as in :meth:`check`; the
        context's ``breach_checker`` may be an
        :class:`~secpolicy.password.AsyncBreachChecker` (its ``count`` is
        awaited) or a blocking one. Never raises for any ``str``.

        .. versionadded:: 0.2
        """
        offline = attrs.evolve(self, check_breached=False)
        result = offline.check(password, context=context)
        if not self.check_breached or result.codes in (("too_long",), ("invalid_characters",)):
            return result
        checker = context.breach_checker if context is not None else None
        count: int | None = None
        if checker is not None:
            try:
                answer: object = checker.count(_nfkc(password))
                if inspect.isawaitable(answer):
                    answer = await answer
            except PolicyConfigError:
                # A checker that can never answer (closed): a mistake, not an outage.
                return PasswordCheck((*result.violations, Violation("breach_check_unavailable")))
            except Exception:  # noqa: BLE001 (never raises: a failed lookup is "unknown")
                answer = None
            count = _as_count(answer)
        return PasswordCheck((*result.violations, *self._breach_verdict(count)))

    def _history(
        self, password: str, visible: str, context: PasswordContext | None
    ) -> list[Violation]:
        if context is None:
            return []
        hasher = context.hasher
        recent = [
            (f"previous_hashes[{index}]", stored)
            for index, stored in enumerate(context.previous_hashes[: self.history_size])
        ]
        if context.current_hash:
            recent.insert(0, ("current_hash", context.current_hash))
        if not recent:
            return []
        if hasher is None:  # pragma: no cover - PasswordContext refuses hashes without a hasher
            raise PolicyConfigError("a hasher is required", field="hasher")
        # Also as the rules read it: a zero-width character or soft hyphen added to
        # an earlier password does not make it a new one.
        typed = (password,) if visible == _nfkc(password) else (password, visible)
        if any(_matches(hasher, stored, form, where) for where, stored in recent for form in typed):
            return [Violation("reused", {"history_size": max(self.history_size, 1)})]
        return []

    def enforce(self, password: str, *, context: PasswordContext | None = None) -> None:
        """Raise unless *password* satisfies the policy.

        Raises:
            PasswordPolicyError: Carrying every violation.
        """
        result = self.check(password, context=context)
        if not result.ok:
            raise PasswordPolicyError(result.violations)

    def describe(self, locale: Locale = "en") -> list[str]:
        """The policy as help text for a sign-up form, one line per requirement."""
        zh = locale == "zh-CN"
        lines = [
            f"长度 {self.min_length} 至 {self.max_length} 个字符"
            if zh
            else f"{self.min_length} to {self.max_length} characters"
        ]
        if self.required_classes:
            lines.append(
                Violation("not_enough_classes", {"required": self.required_classes}).message(locale)
            )
        if self.letters_and_digits:
            lines.append(Violation("letters_and_digits_required").message(locale))
        if self.blocklist is not None or self.forbid_sequences or self.forbid_dates:
            lines.append(
                "不能是常见密码、连续或键盘排列的字符、日期或手机号码"
                if zh
                else "not a common password, sequence, keyboard pattern, date or phone number"
            )
        if self.user_attribute_similarity:
            lines.append(
                "不能包含用户名、姓名、邮箱等个人信息"
                if zh
                else "not based on your name, username or e-mail"
            )
        if self.min_score is not None:
            lines.append(
                f"密码强度至少 {self.min_score}/4"
                if zh
                else f"strength at least {self.min_score} of 4"
            )
        if self.history_size:
            lines.append(Violation("reused", {"history_size": self.history_size}).message(locale))
        if self.max_age is not None:
            days = self.max_age.days
            lines.append(f"每 {days} 天须更换一次" if zh else f"must be changed every {days} days")
        return lines

    # -- expiry -------------------------------------------------------------------

    def expires_at(self, changed_at: datetime) -> datetime | None:
        """When a password set at *changed_at* must be changed, or None if never."""
        changed_at = ensure_aware(changed_at, name="changed_at")
        return None if self.max_age is None else changed_at + self.max_age

    def is_expired(self, changed_at: datetime, *, now: datetime) -> bool:
        """True if the password set at *changed_at* must be changed at *now*."""
        expires = self.expires_at(changed_at)
        return expires is not None and ensure_aware(now, name="now") >= expires

    def expires_soon(self, changed_at: datetime, *, now: datetime) -> bool:
        """True within ``expiry_warning`` before expiry (show a reminder), and once expired."""
        expires = self.expires_at(changed_at)
        return (
            expires is not None and ensure_aware(now, name="now") >= expires - self.expiry_warning
        )

    def must_change(
        self, changed_at: datetime | None, *, now: datetime, first_use: bool = False
    ) -> bool:
        """True if the user must change the password before going on.

        Args:
            changed_at: When it was last set, or None if never by the user.
            now: The time of the login.
            first_use: The password was set by an administrator and this is
                the user's first login.
        """
        if self.change_at_first_use and (first_use or changed_at is None):
            return True
        return changed_at is not None and self.is_expired(changed_at, now=now)
