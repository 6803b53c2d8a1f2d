"""The HTML report for auditors: one self-contained page, no script, readable printed."""

from __future__ import annotations

import functools
from html import escape
from typing import TYPE_CHECKING, Final

from secpolicy.pii import CN_MOBILE, CN_RESIDENT_ID, EMAIL, PHONE, US_SSN, Scanner

if TYPE_CHECKING:
    from collections.abc import Sequence

    from secpolicy.baselines._report import CheckReport, Locale

_TEXT: Final[dict[str, dict[str, str]]] = {
    "en": {
        "title": "Compliance report",
        "service": "Service",
        "policy": "Policy file",
        "sha256": "Policy file SHA-256",
        "generated": "Checked at",
        "tool": "Tool",
        "summary": "Summary",
        "baselines": "Baselines and editions",
        "baseline": "Baseline",
        "edition": "Edition",
        "version": "Data version",
        "scope": "Scope",
        "status": "Status",
        "requirement": "Requirement",
        "clause": "Clause",
        "required": "Required",
        "declared": "Declared",
        "detail": "Detail",
        "waivers": "Waivers",
        "no_waivers": "The policy declares no waivers.",
        "approver": "Approver",
        "expires": "Expires",
        "reason": "Reason",
        "state": "State",
        "line": "Line",
        "interpretation": "interpretation",
        "error": "The policy file could not be checked",
        "verdict_ok": "OK: no requirement failed",
        "verdict_failed": "FAILED: at least one requirement fell short",
        "pass": "pass",
        "fail": "fail",
        "waived": "waived",
        "n/a": "not applicable",
        "active": "active",
        "expired": "expired",
        "too-long": "waiver too long",
        "evaluated": "Evaluated at",
        "calendar": "Official calendar years overridden",
        "overridden": "CLOCK OVERRIDDEN: this report was evaluated at {at}, not at the time "
        "of the check ({real}). Waivers expired at the time of the check still count as expired.",
        "unknown": "unknown",
        "legend": "Requirements marked as an interpretation encode a reading of the clause "
        "(assessors' numbers, a stricter mechanism); the note says which.",
    },
    "zh-CN": {
        "title": "合规检查报告",
        "service": "服务",
        "policy": "策略文件",
        "sha256": "策略文件 SHA-256",
        "generated": "检查时间",
        "tool": "工具",
        "summary": "概要",
        "baselines": "基线与版本",
        "baseline": "基线",
        "edition": "标准版本",
        "version": "数据版本",
        "scope": "适用范围",
        "status": "结果",
        "requirement": "要求",
        "clause": "条款",
        "required": "要求值",
        "declared": "声明值",
        "detail": "说明",
        "waivers": "豁免",
        "no_waivers": "策略未声明任何豁免。",
        "approver": "批准人",
        "expires": "到期",
        "reason": "理由",
        "state": "状态",
        "line": "行",
        "interpretation": "解读",
        "error": "策略文件无法检查",
        "verdict_ok": "通过：没有不满足的要求",
        "verdict_failed": "未通过：至少一项要求不满足",
        "pass": "通过",
        "fail": "未通过",
        "waived": "已豁免",
        "n/a": "不适用",
        "active": "有效",
        "expired": "已过期",
        "too-long": "豁免期限过长",
        "evaluated": "评估时间",
        "calendar": "被覆盖的官方日历年份",
        "overridden": "时钟已被覆盖：本报告按 {at} 评估，而非检查时的实际时间（{real}）。"
        "在实际时间已过期的豁免仍按过期处理。",
        "unknown": "未知",
        "legend": "标注为“解读”的要求是对条款的解读（测评机构常用的数值或更严格的机制），"
        "备注中说明依据。",
    },
}

_CSS: Final = """
:root { color-scheme: light; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "Noto Sans CJK SC",
       "PingFang SC", "Microsoft YaHei", sans-serif; color: #1b1f24; margin: 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .5rem; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 .5rem; border-bottom: 1px solid #d0d7de; }
table { border-collapse: collapse; width: 100%; margin: .4rem 0 1rem; }
th, td { border: 1px solid #d0d7de; padding: .3rem .5rem; text-align: left;
         vertical-align: top; }
th { background: #f3f4f6; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: .2rem 1rem; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
code { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace;
       font-size: .9em; }
.verdict { font-weight: 700; padding: .4rem .6rem; display: inline-block; }
.ok { background: #dafbe1; color: #116329; }
.failed { background: #ffebe9; color: #a40e26; }
.status { font-weight: 700; white-space: nowrap; }
.s-pass { color: #116329; }
.s-fail { color: #a40e26; }
.s-waived { color: #9a6700; }
.s-na { color: #57606a; }
.note { color: #57606a; font-size: .9em; }
.tag { border: 1px solid #9a6700; color: #9a6700; border-radius: 3px; padding: 0 .2rem;
       font-size: .8em; }
@media print {
  body { margin: 0; font-size: 10pt; }
  h2 { break-after: avoid; }
  tr, .verdict { break-inside: avoid; }
  thead { display: table-header-group; }
  a { color: inherit; text-decoration: none; }
}
"""


@functools.cache
def _personal_data() -> Scanner:
    """Contact data and identity numbers; not cards or IP-shaped clause numbers (8.1.4.2)."""
    return Scanner([EMAIL, CN_MOBILE, CN_RESIDENT_ID, PHONE, US_SSN])


def _free(text: str) -> str:
    """Free text from the policy file (waiver reasons, details), escaped, personal data masked.

    A printed report travels further than the policy file: a phone number or
    e-mail address someone wrote into a waiver's reason is shown as
    ``<EMAIL>``, never in clear.
    """
    out: list[str] = []
    position = 0
    for start, end, entity in _personal_data().spans(text):
        out.append(escape(text[position:start]))
        out.append(escape(f"<{entity}>"))
        position = end
    out.append(escape(text[position:]))
    return "".join(out)


def _status_class(status: str) -> str:
    return {"pass": "s-pass", "fail": "s-fail", "waived": "s-waived"}.get(status, "s-na")


def _report_section(report: CheckReport, t: dict[str, str]) -> str:
    e = escape
    parts = [
        f"<section><h2>{e(t['policy'])}: <code>{e(report.policy)}</code></h2>",
        '<dl class="meta">',
        f"<dt>{e(t['service'])}</dt><dd>{_free(report.service or '-')}</dd>",
        f"<dt>{e(t['sha256'])}</dt><dd><code>{e(report.policy_sha256 or t['unknown'])}</code></dd>",
        f"<dt>{e(t['generated'])}</dt><dd>{e(report.generated_at.isoformat())}</dd>",
        f"<dt>{e(t['evaluated'])}</dt><dd>{e(report.evaluated_at.isoformat())}</dd>",
        f"<dt>{e(t['tool'])}</dt><dd>secpolicy {e(report.tool_version)}</dd>",
        *(
            [
                f"<dt>{e(t['calendar'])}</dt>",
                f"<dd>{e(', '.join(map(str, report.calendar_overridden_years)))}</dd>",
            ]
            if report.calendar_overridden_years
            else []
        ),
        "</dl>",
    ]
    if report.clock_overridden:
        warning = t["overridden"].format(
            at=report.evaluated_at.isoformat(), real=report.generated_at.isoformat()
        )
        parts.append(f'<p class="verdict failed clock-overridden">{e(warning)}</p>')
    if report.error is not None:
        parts.append(
            f'<p class="verdict failed">{e(t["error"])}</p><p><code>{_free(str(report.error))}'
            "</code></p></section>"
        )
        return "\n".join(parts)
    counts = report.counts()
    verdict = "ok" if report.ok else "failed"
    parts.append(f'<p class="verdict {verdict}">{e(t["verdict_" + verdict])}</p>')
    parts.append(f"<h3>{e(t['summary'])}</h3><table><thead><tr>")
    parts.append("".join(f"<th>{e(t[s])}</th>" for s in counts) + "</tr></thead><tbody><tr>")
    parts.append("".join(f"<td>{n}</td>" for n in counts.values()) + "</tr></tbody></table>")
    parts.append(
        f"<h3>{e(t['baselines'])}</h3><table><thead><tr><th>{e(t['baseline'])}</th>"
        f"<th>{e(t['edition'])}</th><th>{e(t['version'])}</th><th>{e(t['scope'])}</th>"
        "</tr></thead><tbody>"
    )
    parts.extend(
        f"<tr><td><code>{e(b.name)}</code><br>{e(b.title)}</td><td>{e(b.edition)}</td>"
        f"<td>{e(b.version)}</td><td>{e(b.scope)}</td></tr>"
        for b in report.editions
    )
    parts.append("</tbody></table>")
    for name in report.baselines:
        parts.append(
            f"<h3><code>{e(name)}</code></h3><table><thead><tr><th>{e(t['status'])}</th>"
            f"<th>{e(t['requirement'])}</th><th>{e(t['clause'])}</th>"
            f"<th>{e(t['required'])}</th><th>{e(t['declared'])}</th>"
            f"<th>{e(t['detail'])}</th><th>{e(t['line'])}</th></tr></thead><tbody>"
        )
        for i, result in enumerate(report.results):
            if result.baseline != name:
                continue
            req = result.requirement
            mark = (
                f' <span class="tag">{e(t["interpretation"])}</span>' if req.interpretation else ""
            )
            note = f'<div class="note">{e(req.note)}</div>' if req.note else ""
            line = report.lines[i] if i < len(report.lines) else None
            parts.append(
                f'<tr><td class="status {_status_class(result.status)}">{e(t[result.status])}</td>'
                f"<td><code>{e(req.id)}</code><br>{e(req.title)}</td>"
                f"<td>{e(req.clause)}{mark}{note}</td>"
                f"<td>{e(result.verdict.required)}</td><td>{_free(result.verdict.declared)}</td>"
                f"<td>{_free(result.detail)}</td><td>{line or ''}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append(f"<h3>{e(t['waivers'])}</h3>")
    if not report.waivers:
        parts.append(f"<p>{e(t['no_waivers'])}</p>")
    else:
        parts.append(
            f"<table><thead><tr><th>{e(t['requirement'])}</th><th>{e(t['state'])}</th>"
            f"<th>{e(t['expires'])}</th><th>{e(t['approver'])}</th><th>{e(t['reason'])}</th>"
            "</tr></thead><tbody>"
        )
        for waiver in report.waivers:
            state = report.waiver_state(waiver)
            ticket = f" ({_free(waiver.ticket)})" if waiver.ticket else ""
            parts.append(
                f"<tr><td><code>{e(waiver.requirement)}</code></td>"
                f'<td class="status {"s-waived" if state == "active" else "s-fail"}">'
                f"{e(t[state])}</td><td>{e(waiver.expires_text)}</td>"
                f"<td>{_free(waiver.approver)}</td><td>{_free(waiver.reason)}{ticket}</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</section>")
    return "\n".join(parts)


def html_report(reports: Sequence[CheckReport], *, locale: Locale = "en") -> str:
    """The reports as one self-contained HTML page (inline CSS, no script, no external file)."""
    t = _TEXT[locale]
    body = "\n".join(_report_section(report, t) for report in reports)
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(locale)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{escape(t['title'])}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"<h1>{escape(t['title'])}</h1>\n"
        f'<p class="note">{escape(t["legend"])}</p>\n{body}\n</body>\n</html>\n'
    )
