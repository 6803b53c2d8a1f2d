"""Finding baselines by id or alias: the shipped ones, plugins and custom files."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from importlib.metadata import entry_points
from typing import Final

from secpolicy.baselines._catalog import BUILTIN
from secpolicy.baselines._model import Baseline
from secpolicy.exceptions import PolicyConfigError, SecPolicyError


class UnknownBaselineError(SecPolicyError, KeyError):
    """No baseline has this id or alias.

    A ``KeyError`` too, as a registry is a mapping. The message names the
    known baselines.

    .. versionadded:: 0.2
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


#: The entry point group through which installed packages ship baselines.
ENTRY_POINT_GROUP: Final = "secpolicy.baselines"


def _fold(name: str) -> str:
    """*name* as look-ups compare it: trimmed and case-folded."""
    return name.strip().casefold()


class BaselineRegistry(Mapping[str, Baseline]):
    """Baselines by versioned id; aliases (``pci-dss-4``) are accepted for look-up.

    Iteration yields the versioned ids only, so listings show each baseline
    once. ``registry["pci-dss-4"]`` and ``registry["pci-dss-4.0.1"]`` are the
    same baseline. Ids and aliases are matched without regard to case
    (``PCI-DSS-4.0.1`` is ``pci-dss-4.0.1``), so two baselines whose ids
    differ only in case cannot be registered together.

    .. versionadded:: 0.2
    """

    __slots__ = ("_aliases", "_by_id", "_index")

    def __init__(self, baselines: Iterable[Baseline] = ()) -> None:
        self._by_id: dict[str, Baseline] = {}
        self._aliases: dict[str, str] = {}
        self._index: dict[str, str] = {}
        for baseline in baselines:
            self._add(baseline)

    def _add(self, baseline: Baseline) -> None:
        names = (baseline.name, *baseline.aliases)
        for name in names:
            if _fold(name) in self._index:
                raise PolicyConfigError(
                    f"baseline id {name!r} is used twice (ids are compared without case)",
                    field=f"baseline {baseline.name}",
                )
        self._by_id[baseline.name] = baseline
        for name in names:
            self._index[_fold(name)] = baseline.name
        for alias in baseline.aliases:
            self._aliases[alias] = baseline.name

    def with_baselines(self, baselines: Iterable[Baseline]) -> BaselineRegistry:
        """A new registry holding these baselines and *baselines* (ids must not collide)."""
        return BaselineRegistry([*self._by_id.values(), *baselines])

    def resolve(self, name: str) -> str | None:
        """The versioned id of *name* (an id or an alias, in any case), or None if unknown."""
        return self._index.get(_fold(name))

    def suggest(self, name: str) -> str | None:
        """The known id or alias closest to an unknown *name*, or None.

        .. versionadded:: 0.2
        """
        close = difflib.get_close_matches(_fold(name), list(self._index), n=1, cutoff=0.6)
        if not close:
            return None
        ident = self._index[close[0]]
        return next(n for n in (ident, *self._by_id[ident].aliases) if _fold(n) == close[0])

    def unknown_message(self, names: Iterable[str]) -> str:
        """One line naming the unknown *names*, a near miss for each, and the known ids.

        .. versionadded:: 0.2
        """
        shown = []
        for name in names:
            hint = self.suggest(name)
            shown.append(f"{name!r}" + (f" (did you mean {hint!r}?)" if hint else ""))
        label = "baseline" if len(shown) == 1 else "baselines"
        return f"unknown {label} {', '.join(shown)} (known: {', '.join(self._by_id)})"

    def __getitem__(self, name: str) -> Baseline:
        ident = self.resolve(name)
        if ident is None:
            raise UnknownBaselineError(self.unknown_message([name]))
        return self._by_id[ident]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.resolve(name) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._by_id)

    def __len__(self) -> int:
        return len(self._by_id)

    def aliases(self) -> dict[str, str]:
        """Every alias and the versioned id it stands for."""
        return dict(self._aliases)

    def __repr__(self) -> str:
        return f"BaselineRegistry({', '.join(self._by_id)})"


BaselineRegistry.__module__ = "secpolicy.baselines"

#: The baselines shipped with secpolicy, by versioned id (aliases accepted).
BASELINES: Final = BaselineRegistry(BUILTIN)


def _as_baselines(value: object, name: str) -> list[Baseline]:
    loaded = value() if callable(value) and not isinstance(value, Baseline) else value
    if isinstance(loaded, Baseline):
        return [loaded]
    if isinstance(loaded, Iterable) and not isinstance(loaded, (str, bytes)):
        items = list(loaded)
        if all(isinstance(item, Baseline) for item in items):
            return items
    raise PolicyConfigError(
        "must be a Baseline, an iterable of them, or a callable returning either",
        field=f"entry point {ENTRY_POINT_GROUP}:{name}",
    )


def discover_baselines() -> tuple[Baseline, ...]:
    """The baselines installed packages declare in the ``secpolicy.baselines`` entry point group.

    An entry point names a :class:`Baseline`, an iterable of them, or a
    callable returning either::

        [project.entry-points."secpolicy.baselines"]
        acme = "acme_rules:BASELINE"

    Raises:
        PolicyConfigError: For an entry point that cannot be loaded or does
            not give baselines (naming the entry point).

    .. versionadded:: 0.2
    """
    found: list[Baseline] = []
    for point in entry_points(group=ENTRY_POINT_GROUP):
        try:
            value = point.load()
        except Exception as exc:  # noqa: BLE001 (any import failure of a plugin is reported)
            raise PolicyConfigError(
                f"cannot be loaded: {type(exc).__name__}",
                field=f"entry point {ENTRY_POINT_GROUP}:{point.name}",
            ) from None
        found.extend(_as_baselines(value, point.name))
    return tuple(found)


def available_baselines(extra: Iterable[Baseline] = ()) -> BaselineRegistry:
    """The shipped baselines, the installed plugins' and *extra* (custom files), in one registry.

    Raises:
        PolicyConfigError: If a plugin cannot be loaded or two baselines
            share an id or alias.

    .. versionadded:: 0.2
    """
    return BASELINES.with_baselines([*discover_baselines(), *extra])
