"""Figures the unit typed in its narrative fields, tied to the data: a number written next to an
indicator's name against that indicator's actual value, and the same figure written differently in
two fields (712 人次 here, 721 there). Used when the report is drafted (a warning in the draft) and
by the quality review at submission (Q-NARRATIVE-FIGURE). Pure."""
from __future__ import annotations

import re
from collections.abc import Mapping
from decimal import Decimal

from jixiao.core.model import DepartmentYear
from jixiao.core.targets import parse_actual


def narrative_fields(dy: DepartmentYear) -> dict[str, str]:
    """The narrative fields of a department-year by the label the unit knows them by."""
    return {"年度总体工作和重点工作任务": dy.work_tasks, "部门整体绩效管理情况": dy.management,
            "年度部门整体绩效目标实际完成情况": dy.goal_actual,
            "主要工作成效": dy.achievements, "存在的主要问题": dy.problems, "下一步改进措施": dy.measures,
            **{f"项目“{p.name}”实际完成情况": p.goal_actual for p in dy.projects}}


_NUMBER_AFTER = re.compile(r"^[^。；;！!？?\d]{0,8}?(\d+(?:\.\d+)?)\s*([^\d\s，,。；;、（()）]{0,4})")


def _labels(name: str) -> list[str]:
    out = [name]
    for tail in ("数量", "数", "人次", "次数"):
        if name.endswith(tail) and len(name) - len(tail) >= 3:
            out.append(name[: -len(tail)])
    return out


def narrative_figures(actuals: Mapping[str, str], fields: Mapping[str, str]) -> list[str]:
    """Findings where a figure written in a narrative field next to an indicator's name differs
    from the indicator's actual value in the data (``actuals``: name → actual as scored)."""
    findings = []
    for name, actual in actuals.items():
        value, unit, _ = parse_actual(actual)
        if value is None:
            continue
        for label, text in fields.items():
            # The longest form of the name that the text uses: “新洽谈入库项目数” or “新洽谈入库项目”.
            variant = next((v for v in _labels(name) if v in (text or "")), None)
            start = 0
            while variant and (at := text.find(variant, start)) >= 0:
                start = at + len(variant)
                m = _NUMBER_AFTER.match(text[start:])
                if not m or (unit and not m.group(2).startswith(unit)):
                    continue
                if Decimal(m.group(1)) != value:
                    findings.append(f"“{label}”中写“{variant}{m.group(1)}{m.group(2)}”，"
                                    f"而数据中“{name}”的实际完成值为{actual}，请核对")
    return findings


_FIGURE = re.compile(r"([\u4e00-\u9fff]{2,4})(\d+(?:\.\d+)?)([\u4e00-\u9fff]{1,2})")


def figures_across(fields: Mapping[str, str]) -> list[str]:
    """Findings where two narrative fields state the same figure (same words before it, same unit)
    with different numbers: “出动712人次” in one, “出动721人次” in another."""
    seen: dict[tuple[str, str], tuple[str, str]] = {}
    findings = []
    for label, text in fields.items():
        for before, number, unit in _FIGURE.findall(text or ""):
            k = (before, unit)
            if k in seen and seen[k][1] != number and seen[k][0] != label:
                findings.append(f"“{seen[k][0]}”中写“{before}{seen[k][1]}{unit}”，“{label}”中写"
                                f"“{before}{number}{unit}”，两处不一致，请核对")
            seen.setdefault(k, (label, number))
    return findings
