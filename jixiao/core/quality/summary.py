"""Findings rolled up: counts for the department and the finance bureau, the submission gate,
and a draft of the report's section 三 (存在的问题) that the user edits."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from jixiao.core.model import DepartmentYear
from jixiao.core.quality.findings import DEPARTMENT_OWNER, QualityFinding
from jixiao.core.quality.rules import SEVERITIES, QualityRules, load_rules

BLOCKING_SEVERITY = "错误"
_ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
_EXAMPLES = 3  # places named per problem kind in the draft; the rest are counted


def blocking(findings: Iterable[QualityFinding]) -> bool:
    """True when a finding must be fixed before the form can be submitted (errors only;
    warnings and hints are shown but never stop a submission)."""
    return any(f.severity == BLOCKING_SEVERITY for f in findings)


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def summarize(findings: Iterable[QualityFinding], rules: QualityRules | None = None,
              titles: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Counts by severity, by code (with its title) and by project ("部门整体" for the
    department's own level); plain JSON types, for the web pages, the CLI and the report.
    ``titles`` names codes the quality rules do not know (the monitoring checks, M-…)."""
    items = list(findings)
    rules = rules or load_rules()
    by_code: dict[str, dict[str, Any]] = {}
    for code, n in sorted(Counter(f.code for f in items).items()):
        check = rules.checks.get(code)
        title = check.title if check else (titles or {}).get(code, code)
        severity = next(f.severity for f in items if f.code == code)
        by_code[code] = {"title": title, "severity": severity, "count": n}
    by_project: dict[str, dict[str, int]] = {}
    for f in items:
        row = by_project.setdefault(f.project or DEPARTMENT_OWNER, dict.fromkeys(SEVERITIES, 0) | {"total": 0})
        row[f.severity] = row.get(f.severity, 0) + 1
        row["total"] += 1
    return {
        "total": len(items),
        "by_severity": {s: sum(1 for f in items if f.severity == s) for s in SEVERITIES},
        "by_code": by_code,
        "by_project": by_project,
        "blocking": blocking(items),
    }


def department_summary(dy: DepartmentYear, findings: Iterable[QualityFinding]) -> dict[str, Any]:
    """One row of the finance bureau's overview: who, which year, and the counts."""
    return {
        "department": dy.department.code,
        "name": dy.department.name,
        "year": dy.year,
        **summarize(findings),
    }


def _place(f: QualityFinding) -> str:
    """The location without its trailing field, e.g. "项目 P01「…」/ 指标 P01-I3「…」"."""
    suffix = f" / {f.field}"
    return f.location[: -len(suffix)] if f.field and f.location.endswith(suffix) else f.location


def draft_problems_text(findings: Iterable[QualityFinding], rules: QualityRules | None = None) -> str:
    """A Chinese paragraph for section 三 (存在的问题) built from the findings, worst kinds first.
    It is a draft: the user edits it before it goes into the report."""
    items = list(findings)
    if not items:
        return "经系统审核，未发现绩效目标设置和自评填报方面的问题。"
    rules = rules or load_rules()
    counts = Counter(f.severity for f in items)
    parts = "、".join(f"{s} {counts[s]} 项" for s in SEVERITIES if counts[s])
    head = f"经系统审核，本年度绩效目标设置和自评填报共发现问题 {len(items)} 项（{parts}）。"
    groups: dict[str, list[QualityFinding]] = {}
    for f in items:
        groups.setdefault(f.code, []).append(f)
    ordered = sorted(groups.items(), key=lambda kv: (_severity_rank(kv[1][0].severity), -len(kv[1]), kv[0]))
    sentences = []
    for n, (code, group) in enumerate(ordered):
        check = rules.checks.get(code)
        title = check.title if check else code
        places = list(dict.fromkeys(_place(f) for f in group))
        named = "、".join(places[:_EXAMPLES])
        more = f"等 {len(places)} 处" if len(places) > _EXAMPLES else ""
        lead = f"{_ORDINALS[n]}是" if n < len(_ORDINALS) else "此外，"
        sentences.append(f"{lead}{title}（{named}{more}）")
    return head + "主要表现为：" + "；".join(sentences) + "。"
