"""Checking a policy against baselines, and the report in the forms CI systems read."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections import Counter
from typing import TYPE_CHECKING, Any, Final

import attrs

import secpolicy
from secpolicy.baselines._catalog import BASELINES
from secpolicy.baselines._model import Baseline, Result

if TYPE_CHECKING:
    from collections.abc import Iterable

    from secpolicy.policyfile import ServicePolicy

SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
_INFO_URI: Final = "https://secpolicy.readthedocs.io/en/latest/compliance.html"
_SARIF_KIND: Final = {"pass": "pass", "fail": "fail", "n/a": "notApplicable"}


def get_baseline(name: str) -> Baseline:
    """The baseline called *name*.

    Raises:
        KeyError: Naming the unknown baseline and the known ones.
    """
    try:
        return BASELINES[name]
    except KeyError:
        known = ", ".join(BASELINES)
        raise KeyError(f"unknown baseline {name!r} (known: {known})") from None


@attrs.frozen(kw_only=True)
class CheckReport:
    """The results of checking one policy against one or more baselines.

    Attributes:
        policy: The policy file's path (or ``<policy>``).
        service: The service's name from ``[service]``.
        baselines: The baselines checked, by name.
        results: One result per requirement, baseline by baseline.
        lines: The line of each result's policy key in the file, if known.
    """

    policy: str
    service: str
    baselines: tuple[str, ...]
    results: tuple[Result, ...]
    lines: tuple[int | None, ...] = ()

    @property
    def ok(self) -> bool:
        """True if no requirement failed."""
        return all(result.status != "fail" for result in self.results)

    @property
    def failures(self) -> tuple[Result, ...]:
        """The failed requirements."""
        return tuple(result for result in self.results if result.status == "fail")

    def counts(self) -> dict[str, int]:
        """How many requirements passed, failed and did not apply."""
        counted = Counter(result.status for result in self.results)
        return {status: counted.get(status, 0) for status in ("pass", "fail", "n/a")}

    def _line(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else None

    # -- forms ------------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        """The report as plain data (``--format json``)."""
        return {
            "policy": self.policy,
            "service": self.service,
            "baselines": list(self.baselines),
            "ok": self.ok,
            "counts": self.counts(),
            "results": [
                {**result.to_dict(), "line": self._line(i)} for i, result in enumerate(self.results)
            ],
        }

    def to_text(self) -> str:
        """A readable table: requirement, clause, status, detail; then a summary line."""
        rows = [("STATUS", "REQUIREMENT", "CLAUSE", "DETAIL")]
        rows += [
            (r.status.upper(), r.id, r.requirement.clause, r.verdict.detail) for r in self.results
        ]
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        lines = [
            "  ".join([*(cell.ljust(widths[i]) for i, cell in enumerate(row[:3])), row[3]]).rstrip()
            for row in rows
        ]
        counts = self.counts()
        verdict = "OK" if self.ok else "FAILED"
        lines.append(
            f"{verdict}: {counts['pass']} passed, {counts['fail']} failed, "
            f"{counts['n/a']} not applicable ({', '.join(self.baselines)})"
        )
        return "\n".join(lines)

    def to_junit_xml(self) -> str:
        """JUnit XML: a test suite per baseline, a test case per requirement."""
        root = ET.Element("testsuites", name=f"secpolicy check {self.policy}")
        total = Counter[str]()
        for name in self.baselines:
            results = [r for r in self.results if r.baseline == name]
            counts = Counter(r.status for r in results)
            total.update(counts)
            suite = ET.SubElement(
                root,
                "testsuite",
                name=name,
                tests=str(len(results)),
                failures=str(counts["fail"]),
                errors="0",
                skipped=str(counts["n/a"]),
            )
            for result in results:
                case = ET.SubElement(
                    suite,
                    "testcase",
                    classname=f"secpolicy.{name}",
                    name=f"{result.requirement.id}: {result.requirement.title}",
                    file=self.policy,
                )
                if result.status == "fail":
                    failure = ET.SubElement(case, "failure", message=result.verdict.detail)
                    failure.text = f"{result.requirement.clause}\n{result.verdict.detail}"
                elif result.status == "n/a":
                    ET.SubElement(case, "skipped", message=result.verdict.detail)
                ET.SubElement(case, "system-out").text = result.requirement.clause
        root.set("tests", str(len(self.results)))
        root.set("failures", str(total["fail"]))
        root.set("errors", "0")
        root.set("skipped", str(total["n/a"]))
        ET.indent(root)
        return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"

    def to_sarif(self) -> dict[str, Any]:
        """SARIF 2.1.0 (GitHub code scanning and other tools): one rule per requirement."""
        rules: list[dict[str, Any]] = []
        index: dict[str, int] = {}
        results = []
        for i, result in enumerate(self.results):
            if result.id not in index:
                index[result.id] = len(rules)
                rules.append(
                    {
                        "id": result.id,
                        "name": result.requirement.id,
                        "shortDescription": {"text": result.requirement.title},
                        "fullDescription": {"text": result.requirement.clause},
                        "helpUri": f"{_INFO_URI}#{result.baseline}",
                        "properties": {
                            "baseline": result.baseline,
                            "interpretation": result.requirement.interpretation,
                        },
                    }
                )
            region = {"startLine": self._line(i)} if self._line(i) else {}
            location = {"artifactLocation": {"uri": self.policy}} | (
                {"region": region} if region else {}
            )
            results.append(
                {
                    "ruleId": result.id,
                    "ruleIndex": index[result.id],
                    "kind": _SARIF_KIND[result.status],
                    "level": "error" if result.status == "fail" else "none",
                    "message": {
                        "text": f"{result.requirement.title}: {result.verdict.detail} "
                        f"({result.requirement.clause})"
                    },
                    "locations": [{"physicalLocation": location}],
                }
            )
        return {
            "$schema": SARIF_SCHEMA,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "secpolicy",
                            "version": secpolicy.__version__,
                            "informationUri": _INFO_URI,
                            "rules": rules,
                        }
                    },
                    "results": results,
                }
            ],
        }

    def render(self, fmt: str) -> str:
        """The report as ``text``, ``json``, ``junit`` or ``sarif``."""
        if fmt == "json":
            return json.dumps(self.to_dict(), indent=2, ensure_ascii=False) + "\n"
        if fmt == "junit":
            return self.to_junit_xml()
        if fmt == "sarif":
            return json.dumps(self.to_sarif(), indent=2, ensure_ascii=False) + "\n"
        if fmt == "text":
            return self.to_text() + "\n"
        raise ValueError(f"unknown format {fmt!r}: text, json, junit or sarif")


def check_policy(policy: ServicePolicy, baselines: Iterable[str | Baseline]) -> CheckReport:
    r"""Check *policy* against each of *baselines* (names or :class:`Baseline` values).

    Raises:
        KeyError: For an unknown baseline name.

    Example:
        >>> from secpolicy.policyfile import loads_policy
        >>> policy = loads_policy('[password]\nprofile = "pci-dss-4"')
        >>> report = check_policy(policy, ["pci-dss-4"])
        >>> [r.id for r in report.failures][:2]
        ['pci-dss-4/pan-display', 'pci-dss-4/audit-events']
    """
    chosen = [b if isinstance(b, Baseline) else get_baseline(b) for b in baselines]
    results = tuple(result for baseline in chosen for result in baseline.check(policy))
    return CheckReport(
        policy=str(policy.source) if policy.source is not None else "<policy>",
        service=policy.name,
        baselines=tuple(b.name for b in chosen),
        results=results,
        lines=tuple(policy.line_of(r.requirement.path) for r in results),
    )
