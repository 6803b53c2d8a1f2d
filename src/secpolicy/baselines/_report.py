"""Checking a policy against baselines, and the report in the forms CI systems read."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections import Counter
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Literal
from urllib.parse import quote

import attrs

import secpolicy
from secpolicy._clock import Clock, SystemClock
from secpolicy.baselines._model import STATUSES, Baseline, Result
from secpolicy.baselines._registry import (
    BASELINES,
    BaselineRegistry,
    UnknownBaselineError,
    available_baselines,
)
from secpolicy.exceptions import ArgumentTypeError, PolicyConfigError
from secpolicy.policyfile import ServicePolicy, Waiver
from secpolicy.policyfile._waivers import DEFAULT_MAX_DAYS, as_instant

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

Format = Literal["text", "json", "junit", "sarif", "html"]
Locale = Literal["en", "zh-CN"]
FORMATS: Final[tuple[Format, ...]] = ("text", "json", "junit", "sarif", "html")
LOCALES: Final[tuple[Locale, ...]] = ("en", "zh-CN")

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI: Final = "https://secpolicy.readthedocs.io/en/latest/compliance.html"
_SARIF_KIND: Final = {"pass": "pass", "fail": "fail", "n/a": "notApplicable", "waived": "fail"}
_SRCROOT: Final = "%SRCROOT%"
#: The rule of the single result a report carries when the policy file is invalid.
INVALID_RULE: Final = "secpolicy/invalid-policy-file"


def get_baseline(name: str) -> Baseline:
    """The baseline called *name*: a versioned id or alias, shipped or from a plugin.

    Raises:
        KeyError: Naming the unknown baseline and the known ones.
    """
    found = BASELINES.resolve(name)
    registry = BASELINES if found is not None else available_baselines()
    try:
        return registry[name]
    except KeyError:
        raise UnknownBaselineError(registry.unknown_message([name])) from None


def policy_digest(policy: ServicePolicy) -> str | None:
    """The SHA-256 of the policy's source file as hex, or None without a readable file."""
    if policy.source is None:
        return None
    try:
        return hashlib.sha256(Path(policy.source).read_bytes()).hexdigest()
    except OSError:
        return None


@attrs.frozen(kw_only=True)
class CheckReport:
    """The results of checking one policy against one or more baselines.

    Attributes:
        policy: The policy file's path (or ``<policy>``).
        service: The service's name from ``[service]``.
        baselines: The baselines checked, by versioned id.
        results: One result per requirement, baseline by baseline.
        lines: The line of each result's policy key in the file, if known.
        editions: The baselines checked (their edition, version and changelog).
        waivers: Every waiver the policy declares, checked or not in this run.
        generated_at: When the check ran, read from the checker's clock
            (aware); waivers' expiry and length are always judged at it.
        evaluated_at: The instant the policy was evaluated at: *generated_at*
            unless a what-if instant was given (``--now``, ``now=``).
        clock_overridden: True if *evaluated_at* was given by the caller
            instead of read from the clock; every form of the report says so.
        waiver_max_days: The longest a waiver may run, in days from
            *generated_at* (``[waivers_settings] max_days``).
        calendar_overridden_years: The years whose official working-day
            schedule the policy's ``[retention.calendar]`` replaces
            (``override = true``); every form names them.
        policy_sha256: The SHA-256 of the policy file, as hex, if known.
        tool_version: The secpolicy version that checked.
        error: Why the policy file could not be checked (then there are no
            results and the report is not ok).
    """

    policy: str
    service: str
    baselines: tuple[str, ...]
    results: tuple[Result, ...]
    lines: tuple[int | None, ...] = ()
    editions: tuple[Baseline, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    generated_at: datetime = attrs.field(factory=lambda: SystemClock().now())
    evaluated_at: datetime = attrs.field(
        default=attrs.Factory(lambda self: self.generated_at, takes_self=True)
    )
    clock_overridden: bool = False
    waiver_max_days: int = DEFAULT_MAX_DAYS
    calendar_overridden_years: tuple[int, ...] = ()
    policy_sha256: str | None = None
    tool_version: str = secpolicy.__version__
    error: PolicyConfigError | None = None

    @property
    def ok(self) -> bool:
        """True if the file was checked and no requirement failed (waived ones do not fail)."""
        return self.error is None and all(result.status != "fail" for result in self.results)

    @property
    def failures(self) -> tuple[Result, ...]:
        """The failed requirements (an expired waiver fails its requirement)."""
        return tuple(result for result in self.results if result.status == "fail")

    @property
    def waived(self) -> tuple[Result, ...]:
        """The requirements an active waiver covers."""
        return tuple(result for result in self.results if result.status == "waived")

    def counts(self) -> dict[str, int]:
        """How many requirements passed, failed, were waived and did not apply."""
        counted = Counter(result.status for result in self.results)
        return {status: counted.get(status, 0) for status in STATUSES}

    def waiver_state(self, waiver: Waiver) -> Literal["active", "expired", "too-long"]:
        """``active``, ``expired`` or ``too-long``, as :meth:`~secpolicy.policyfile.Waiver.judge`.

        Expired at :attr:`generated_at` (the real time) or at
        :attr:`evaluated_at` is expired: a what-if instant never revives a
        lapsed waiver.
        """
        return waiver.judge(
            self.generated_at, evaluated=self.evaluated_at, max_days=self.waiver_max_days
        )

    @property
    def calendar_note(self) -> str | None:
        """The note every form carries when the calendar replaces official years, else None."""
        if not self.calendar_overridden_years:
            return None
        years = ", ".join(map(str, self.calendar_overridden_years))
        return (
            f"CALENDAR OVERRIDDEN: [retention.calendar] replaces the official working-day "
            f"schedule of {years} (override = true)"
        )

    @property
    def clock_note(self) -> str | None:
        """The warning every form carries when the clock was overridden, else None."""
        if not self.clock_overridden:
            return None
        return (
            f"CLOCK OVERRIDDEN: evaluated at {self.evaluated_at.isoformat()}, not at the "
            f"time of the check ({self.generated_at.isoformat()}); waivers expired at "
            "the time of the check still count as expired"
        )

    def _line(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else None

    # -- forms ------------------------------------------------------------------------

    def metadata(self) -> dict[str, Any]:
        """What every form records besides the results: tool, editions, file hash, time."""
        return {
            "tool": {"name": "secpolicy", "version": self.tool_version},
            "generated_at": self.generated_at.isoformat(),
            "evaluated_at": self.evaluated_at.isoformat(),
            "clock_overridden": self.clock_overridden,
            "waiver_max_days": self.waiver_max_days,
            "calendar_overridden_years": list(self.calendar_overridden_years),
            "policy": self.policy,
            "policy_sha256": self.policy_sha256,
            "service": self.service,
            "editions": [b.to_dict(requirements=False) for b in self.editions],
            "waivers": [{**w.to_dict(), "state": self.waiver_state(w)} for w in self.waivers],
        }

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (``--format json``)."""
        data = {
            **self.metadata(),
            "baselines": list(self.baselines),
            "ok": self.ok,
            "counts": self.counts(),
            "results": [
                {**result.to_dict(), "line": self._line(i)} for i, result in enumerate(self.results)
            ],
        }
        if self.error is not None:
            data["error"] = _error_dict(self.error)
        return data

    def to_text(self) -> str:
        """A readable table: requirement, clause, status, detail; then a summary line."""
        note = [] if self.clock_note is None else [f"WARNING: {self.clock_note}"]
        if self.calendar_note is not None:
            note.append(f"NOTE: {self.calendar_note}")
        if self.error is not None:
            return "\n".join([*note, f"ERROR: {self.error}"])
        rows = [("STATUS", "REQUIREMENT", "CLAUSE", "DETAIL")]
        rows += [(r.status.upper(), r.id, r.requirement.clause, r.detail) for r in self.results]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = note + [
            "  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])), row[3]]).rstrip()
            for row in rows
        ]
        lines.extend(
            f"WAIVER {waiver.requirement} ({self.waiver_state(waiver)}, expires "
            f"{waiver.expires_text}, approved by {waiver.approver}): {waiver.reason}"
            for waiver in self.waivers
        )
        counts = self.counts()
        verdict = "OK" if self.ok else "FAILED"
        editions = ", ".join(f"{b.name} [{b.edition}]" for b in self.editions) or ", ".join(
            self.baselines
        )
        waived = f"{counts['waived']} waived, " if counts["waived"] else ""
        partial = sum(1 for r in self.results if r.status == "pass" and r.requirement.not_checked)
        passed = f"{counts['pass']} passed" + (
            f" ({partial} with parts not checked)" if partial else ""
        )
        lines.append(
            f"{verdict}: {passed}, {counts['fail']} failed, {waived}"
            f"{counts['n/a']} not applicable ({editions})"
        )
        return "\n".join(lines)

    def to_junit_xml(self) -> str:
        """JUnit XML: a test suite per baseline, a test case per requirement."""
        return junit_xml([self])

    def to_sarif(
        self, *, include_passing: bool = False, root: str | Path | None = None
    ) -> dict[str, Any]:
        """SARIF 2.1.0 for GitHub code scanning (see ``render_reports`` with ``"sarif"``)."""
        return sarif_log([self], include_passing=include_passing, root=root)

    def to_html(self, *, locale: Locale = "en") -> str:
        """A self-contained HTML page for auditors, in English or Chinese (``zh-CN``)."""
        from secpolicy.baselines._html import html_report  # noqa: PLC0415 (only for HTML)

        return html_report([self], locale=locale)

    def render(
        self,
        fmt: str,
        *,
        locale: str = "en",
        include_passing: bool = False,
        root: str | Path | None = None,
    ) -> str:
        """The report as ``text``, ``json``, ``junit``, ``sarif`` or ``html``."""
        return render_reports(
            [self], fmt, locale=locale, include_passing=include_passing, root=root
        )


def _error_dict(error: PolicyConfigError) -> dict[str, Any]:
    return {
        "message": str(error),
        "reason": error.reason,
        "field": error.field,
        "line": error.line,
    }


def render_reports(
    reports: Sequence[CheckReport],
    fmt: str,
    *,
    locale: str = "en",
    include_passing: bool = False,
    root: str | Path | None = None,
) -> str:
    """Several reports (one per policy file) in one document of the form *fmt*.

    Raises:
        PolicyConfigError: For an unknown form or locale.
    """
    if locale not in LOCALES:
        raise PolicyConfigError(f"unknown locale {locale!r}: {', '.join(LOCALES)}", field="locale")
    if fmt == "json":
        data: Any = (
            reports[0].to_dict()
            if len(reports) == 1
            else {"ok": all(r.ok for r in reports), "reports": [r.to_dict() for r in reports]}
        )
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    if fmt == "junit":
        return junit_xml(reports)
    if fmt == "sarif":
        log = sarif_log(reports, include_passing=include_passing, root=root)
        return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        from secpolicy.baselines._html import html_report  # noqa: PLC0415 (only for HTML)

        return html_report(reports, locale=locale)
    if fmt == "text":
        return "\n\n".join(r.to_text() for r in reports) + "\n"
    raise PolicyConfigError(f"unknown format {fmt!r}: {', '.join(FORMATS)}", field="format")


# -- JUnit -------------------------------------------------------------------------------


def _junit_properties(
    suite: ET.Element, report: CheckReport, baseline: Baseline | None = None
) -> None:
    """The report's metadata (version, hash, time, edition, waivers) as ``<properties>``."""
    props = ET.SubElement(suite, "properties")
    pairs = [
        ("secpolicy.version", report.tool_version),
        ("policy.sha256", report.policy_sha256 or ""),
        ("checked_at", report.generated_at.isoformat()),
        ("evaluated_at", report.evaluated_at.isoformat()),
        ("clock_overridden", "true" if report.clock_overridden else "false"),
        ("waiver_max_days", str(report.waiver_max_days)),
        ("calendar_overridden_years", ",".join(map(str, report.calendar_overridden_years))),
    ]
    if baseline is not None:
        pairs += [("baseline.edition", baseline.edition), ("baseline.version", baseline.version)]
    pairs += [
        (
            f"waiver.{waiver.requirement}",
            (
                f"{report.waiver_state(waiver)}, expires {waiver.expires_text}, "
                f"approved by {waiver.approver}: {waiver.reason}"
            ),
        )
        for waiver in report.waivers
    ]
    for name, value in pairs:
        ET.SubElement(props, "property", name=name, value=value)


def _policy_file_suite(root: ET.Element, prefix: str, report: CheckReport) -> None:
    """The one-case suite of a policy file whose validity alone was judged."""
    failed = report.error is not None
    suite = ET.SubElement(
        root,
        "testsuite",
        name=f"{prefix}policy file",
        tests="1",
        failures="0",
        errors="1" if failed else "0",
        skipped="0",
    )
    _junit_properties(suite, report)
    case = ET.SubElement(
        suite, "testcase", classname="secpolicy", name="policy file", file=report.policy
    )
    if report.error is not None:
        ET.SubElement(case, "error", message=str(report.error)).text = str(report.error)


def junit_xml(reports: Sequence[CheckReport]) -> str:
    """JUnit XML: a test suite per policy file and baseline, a test case per requirement."""
    names = ", ".join(r.policy for r in reports)
    root = ET.Element("testsuites", name=f"secpolicy check {names}")
    total = Counter[str]()
    tests = 0
    for report in reports:
        prefix = f"{report.policy}: " if len(reports) > 1 else ""
        if report.error is not None or not report.baselines:
            # An invalid file is one erring test; a check of validity alone is one
            # passing test. Either suite carries the metadata (a what-if clock too).
            _policy_file_suite(root, prefix, report)
            total["error"] += int(report.error is not None)
            tests += 1
            continue
        for name in report.baselines:
            results = [r for r in report.results if r.baseline == name]
            counts = Counter(r.status for r in results)
            total.update(counts)
            tests += len(results)
            suite = ET.SubElement(
                root,
                "testsuite",
                name=f"{prefix}{name}",
                tests=str(len(results)),
                failures=str(counts["fail"]),
                errors="0",
                skipped=str(counts["n/a"] + counts["waived"]),
            )
            _junit_properties(
                suite, report, next((b for b in report.editions if b.name == name), None)
            )
            for result in results:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"secpolicy.{name}",
                    name=f"{result.requirement.id}: {result.requirement.title}",
                    file=report.policy,
                )
                if result.status == "fail":
                    failure = ET.SubElement(case, "failure", message=result.detail)
                    failure.text = f"{result.requirement.clause}\n{result.detail}"
                elif result.status in ("n/a", "waived"):
                    ET.SubElement(case, "skipped", message=result.detail)
                ET.SubElement(case, "system-out").text = result.requirement.clause
    root.set("tests", str(tests))
    root.set("failures", str(total["fail"]))
    root.set("errors", str(total["error"]))
    root.set("skipped", str(total["n/a"] + total["waived"]))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


# -- SARIF -------------------------------------------------------------------------------


def _artifact(path: str, root: Path) -> dict[str, str]:
    """A SARIF artifact location: repo-relative and percent-encoded under ``%SRCROOT%``."""
    if path.startswith("<"):  # <stdin>, <policy>: no file on disk
        return {"uri": quote(path.strip("<>"), safe=""), "uriBaseId": _SRCROOT}
    full = Path(path).resolve()
    try:
        relative = full.relative_to(root)
    except ValueError:
        return {"uri": full.as_uri()}
    return {"uri": quote(relative.as_posix(), safe="/"), "uriBaseId": _SRCROOT}


def _sarif_rule(result: Result) -> dict[str, Any]:
    req = result.requirement
    return {
        "id": result.id,
        "name": req.id,
        "shortDescription": {"text": req.title},
        "fullDescription": {"text": req.clause + (f" ({req.note})" if req.note else "")},
        "helpUri": f"{_INFO_URI}#{result.baseline.replace('.', '-')}",
        "defaultConfiguration": {"level": "error"},
        "properties": {
            "baseline": result.baseline,
            "clause": req.clause,
            "interpretation": req.interpretation,
            "security-severity": f"{req.severity:.1f}",
            "tags": ["security", "compliance", result.baseline],
            "precision": "very-high",
        },
    }


def sarif_log(
    reports: Sequence[CheckReport],
    *,
    include_passing: bool = False,
    root: str | Path | None = None,
) -> dict[str, Any]:
    """SARIF 2.1.0 for GitHub code scanning: one run, one rule per requirement.

    Only failures are results unless *include_passing* (then passes, waived
    requirements, as suppressed results, and n/a ones too). Paths are
    relative to *root* (default: the current directory), percent-encoded,
    with ``uriBaseId`` ``%SRCROOT%``. An invalid policy file gives one
    error result, so an upload step still has a valid log.
    """
    base = Path(root if root is not None else Path.cwd()).resolve()
    rules: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    results: list[dict[str, Any]] = []
    for report in reports:
        location: dict[str, Any] = {"artifactLocation": _artifact(report.policy, base)}
        if report.error is not None:
            if INVALID_RULE not in index:
                index[INVALID_RULE] = len(rules)
                rules.append(
                    {
                        "id": INVALID_RULE,
                        "name": "invalid-policy-file",
                        "shortDescription": {"text": "the policy file could not be read"},
                        "fullDescription": {"text": "secpolicy.toml must load without errors"},
                        "helpUri": _INFO_URI,
                        "properties": {"security-severity": "8.0", "tags": ["security"]},
                    }
                )
            line = report.error.line
            results.append(
                {
                    "ruleId": INVALID_RULE,
                    "ruleIndex": index[INVALID_RULE],
                    "kind": "fail",
                    "level": "error",
                    "message": {"text": str(report.error)},
                    "locations": [
                        {
                            "physicalLocation": location
                            | ({"region": {"startLine": line}} if line else {})
                        }
                    ],
                }
            )
            continue
        for i, result in enumerate(report.results):
            if not include_passing and result.status != "fail":
                continue
            if result.id not in index:
                index[result.id] = len(rules)
                rules.append(_sarif_rule(result))
            line = report._line(i)  # noqa: SLF001 (same module)
            entry: dict[str, Any] = {
                "ruleId": result.id,
                "ruleIndex": index[result.id],
                "kind": _SARIF_KIND[result.status],
                "level": "error" if result.status in ("fail", "waived") else "none",
                "message": {
                    "text": f"{result.requirement.title}: {result.detail} "
                    f"({result.requirement.clause})"
                },
                "locations": [
                    {
                        "physicalLocation": location
                        | ({"region": {"startLine": line}} if line else {})
                    }
                ],
                "properties": {"status": result.status},
            }
            if result.status == "waived" and result.waiver is not None:
                entry["suppressions"] = [
                    {
                        "kind": "external",
                        "status": "accepted",
                        "justification": f"{result.waiver.reason} (approved by "
                        f"{result.waiver.approver}, expires {result.waiver.expires_text})",
                    }
                ]
            results.append(entry)
    ids = sorted({b for r in reports for b in r.baselines}) or ["policy"]
    first = reports[0] if reports else None
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "secpolicy",
                "version": first.tool_version if first else secpolicy.__version__,
                "semanticVersion": first.tool_version if first else secpolicy.__version__,
                "informationUri": _INFO_URI,
                "rules": rules,
            }
        },
        "automationDetails": {"id": f"secpolicy/{'+'.join(ids)}/"},
        "originalUriBaseIds": {_SRCROOT: {"uri": base.as_uri() + "/"}},
        "invocations": [
            {
                "executionSuccessful": all(r.error is None for r in reports),
                **({"endTimeUtc": _utc(first.generated_at)} if first else {}),
            }
        ],
        "results": results,
        "properties": {
            "clock_overridden": any(r.clock_overridden for r in reports),
            "evaluated_at": [r.evaluated_at.isoformat() for r in reports],
            "reports": [r.metadata() for r in reports],
        },
    }
    notes = [n for r in reports for n in (r.clock_note, r.calendar_note) if n is not None]
    if notes:
        run["invocations"][0]["toolExecutionNotifications"] = [
            {"level": "warning", "message": {"text": note}} for note in notes
        ]
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


# -- checking ----------------------------------------------------------------------------


def _resolve_waivers(
    policy: ServicePolicy, registry: BaselineRegistry
) -> dict[tuple[str, str], Waiver]:
    """The waivers by (versioned baseline id, requirement id); unknown ids are errors."""
    source = str(policy.source) if policy.source is not None else None
    out: dict[tuple[str, str], Waiver] = {}
    for i, waiver in enumerate(policy.waivers):
        name, _, ident = waiver.requirement.partition("/")
        field = f"waivers[{i}].requirement"
        line = policy.line_of(field)
        baseline_id = registry.resolve(name)
        if baseline_id is None:
            raise PolicyConfigError(
                registry.unknown_message([name]),
                field=field,
                source=source,
                line=line,
            )
        baseline = registry[baseline_id]
        if baseline.requirement(ident) is None:
            raise PolicyConfigError(
                f"{baseline_id} has no requirement {ident!r}", field=field, source=source, line=line
            )
        if (baseline_id, ident) in out:
            raise PolicyConfigError(
                f"waives {baseline_id}/{ident} a second time", field=field, source=source, line=line
            )
        out[baseline_id, ident] = waiver
    return out


def _instants(now: datetime | date | None, clock: Clock | None) -> tuple[datetime, datetime, bool]:
    """The real time (read once from *clock*), the evaluated instant, and whether they differ."""
    real = as_instant((clock if clock is not None else SystemClock()).now())
    if now is None:
        return real, real, False
    return real, as_instant(now), True


def _shipped(baseline: Baseline) -> bool:
    """True if *baseline* is a shipped one; an impostor of a shipped id is an error."""
    shipped = BASELINES.resolve(baseline.name)
    if shipped is None:
        return False
    if BASELINES[shipped] is not baseline:
        # a report would show this baseline's results under the shipped id
        raise PolicyConfigError(
            f"baseline id {baseline.name!r} is taken by the shipped {shipped}",
            field=f"baseline {baseline.name}",
        )
    return True


def _arguments(
    policy: object, baselines: Iterable[str | Baseline] | str | Baseline
) -> list[str | Baseline]:
    """The baselines to check, after refusing arguments of the wrong type by name."""
    if not isinstance(policy, ServicePolicy):
        raise ArgumentTypeError(
            f"policy must be a ServicePolicy (load_policy, loads_policy), not "
            f"{type(policy).__name__}",
            argument="policy",
        )
    # one id or Baseline given alone is one baseline, not a sequence of letters
    given = [baselines] if isinstance(baselines, str | Baseline) else list(baselines)
    for b in given:
        if not isinstance(b, str | Baseline):
            raise ArgumentTypeError(
                f"baselines must be ids or Baseline values, not {type(b).__name__}",
                argument="baselines",
            )
    return given


def check_policy(
    policy: ServicePolicy,
    baselines: Iterable[str | Baseline] | str | Baseline,
    *,
    now: datetime | date | None = None,
    clock: Clock | None = None,
    extra: Iterable[Baseline] = (),
    policy_sha256: str | None = None,
) -> CheckReport:
    r"""Check *policy* against each of *baselines* (ids, aliases or :class:`Baseline` values).

    One id or :class:`Baseline` may be given alone (``check_policy(p, "pci-dss-4")``).

    Waivers in the policy (``[[waivers]]``) are applied: a requirement under
    an active waiver is ``waived``; under an expired one, or one that runs
    longer than ``[waivers_settings] max_days`` from now, ``fail``.

    A gate cannot be turned green by moving its clock: waivers are always
    judged at the real time, read once from *clock*. A what-if instant
    *now* may only make a waiver expire earlier ("will my waivers still
    hold on 2027-03-01?"), and the report says in every form that it was
    evaluated at an overridden instant (``evaluated_at``,
    ``clock_overridden``).

    Args:
        policy: The loaded policy.
        baselines: What to check against.
        now: A what-if instant to evaluate at (aware, or a date meaning its
            start in UTC; default: the clock's time). It never revives a
            waiver expired at the clock's time.
        clock: The clock of the real time (default: the system clock).
        extra: Baselines that ids may also name (custom baseline files);
            waivers may name their requirements.
        policy_sha256: The policy file's SHA-256 as hex (default: read
            from the policy's source file, if any).

    Raises:
        KeyError: For an unknown baseline name (an UnknownBaselineError).
        ArgumentTypeError: If *policy* is not a ServicePolicy or a baseline is
            neither an id nor a Baseline.
        PolicyConfigError: For a waiver of an unknown requirement, naming
            its line.

    .. versionchanged:: 0.2
       *clock*; *now* is a what-if instant that never revives a waiver.

    Example:
        >>> from secpolicy.policyfile import loads_policy
        >>> policy = loads_policy('[password]\nprofile = "pci-dss-4"')
        >>> report = check_policy(policy, ["pci-dss-4"])
        >>> [r.id for r in report.failures][:2]
        ['pci-dss-4.0.1/pan-display', 'pci-dss-4.0.1/audit-events']
    """
    given = _arguments(policy, baselines)
    real, evaluated, overridden = _instants(now, clock)
    by_name = {b.name: b for b in extra}
    for b in given:
        if isinstance(b, Baseline) and not _shipped(b):
            by_name.setdefault(b.name, b)
    extras = tuple(by_name.values())
    registry = BASELINES.with_baselines(extras) if extras else BASELINES
    needs_plugins = any(isinstance(b, str) and b not in registry for b in given) or any(
        w.requirement.partition("/")[0] not in registry for w in policy.waivers
    )
    if needs_plugins:
        registry = available_baselines(extras)
    chosen: list[Baseline] = []
    for b in given:
        if isinstance(b, Baseline):
            baseline = b
        else:
            try:
                baseline = registry[b]
            except KeyError:
                raise UnknownBaselineError(
                    f"unknown baseline {b!r} (known: {', '.join(registry)})"
                ) from None
        if baseline.name not in (c.name for c in chosen):
            chosen.append(baseline)
    waivers = _resolve_waivers(policy, registry)
    results = []
    for baseline in chosen:
        for result in baseline.check(policy):
            waiver = waivers.get((baseline.name, result.requirement.id))
            if waiver is not None:
                state = waiver.judge(real, evaluated=evaluated, max_days=policy.waiver_max_days)
                result = attrs.evolve(result, waiver=waiver, waiver_state=state)  # noqa: PLW2901
            results.append(result)
    return CheckReport(
        policy=str(policy.source) if policy.source is not None else "<policy>",
        service=policy.name,
        baselines=tuple(b.name for b in chosen),
        results=tuple(results),
        lines=tuple(policy.line_of(r.requirement.path) for r in results),
        editions=tuple(chosen),
        waivers=policy.waivers,
        generated_at=real,
        evaluated_at=evaluated,
        clock_overridden=overridden,
        waiver_max_days=policy.waiver_max_days,
        calendar_overridden_years=(
            policy.calendar.overridden_years if policy.calendar is not None else ()
        ),
        policy_sha256=policy_sha256 if policy_sha256 is not None else policy_digest(policy),
    )


def invalid_report(
    source: str,
    error: PolicyConfigError,
    baselines: Iterable[Baseline] = (),
    *,
    now: datetime | date | None = None,
    clock: Clock | None = None,
    policy_sha256: str | None = None,
) -> CheckReport:
    """The report of a policy file that could not be loaded: no results, the error.

    Written in every form so that CI steps that upload the report (SARIF to
    code scanning) still find a valid file.
    """
    chosen = tuple(baselines)
    real, evaluated, overridden = _instants(now, clock)
    return CheckReport(
        policy=source,
        service="",
        baselines=tuple(b.name for b in chosen),
        results=(),
        editions=chosen,
        generated_at=real,
        evaluated_at=evaluated,
        clock_overridden=overridden,
        policy_sha256=policy_sha256,
        error=error,
    )
