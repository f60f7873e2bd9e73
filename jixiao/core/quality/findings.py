"""What a check reports, and how places in a department-year are named for users."""
from __future__ import annotations

import dataclasses
from dataclasses import asdict, dataclass
from typing import Any

from jixiao.core.model import Indicator, Project
from jixiao.core.quality.rules import QualityRules

DEPARTMENT_OWNER = "部门整体"


@dataclass
class QualityFinding:
    code: str  # stable, e.g. "Q-TARGET-LOW"
    severity: str  # 错误 / 警告 / 提示
    message: str  # Chinese, says what is wrong and what to fix
    location: str  # e.g. "项目 P01「仲裁解除用地合同经费」/ 指标 P01-I3「按仲裁程序节点推进」/ 指标值"
    project: str | None = None  # Project.code, None for the department level
    indicator: str | None = None  # Indicator.code
    field: str = ""  # the field as the user knows it, e.g. "指标值"
    numbers: dict[str, str] = dataclasses.field(default_factory=dict)  # the figures behind the finding

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def owner_label(project: Project | None) -> str:
    return f"项目 {project.code}「{project.name}」" if project is not None else DEPARTMENT_OWNER


def place(project: Project | None, ind: Indicator | None = None, field_name: str = "") -> str:
    parts = [owner_label(project)]
    if ind is not None:
        parts.append(f"指标 {ind.code}「{ind.name}」")
    if field_name:
        parts.append(field_name)
    return " / ".join(parts)


class Collector:
    """Collects findings of one review; the severity comes from the rules, never from the caller,
    so a locality can reclassify a check in ``quality.json`` alone."""

    def __init__(self) -> None:
        self.findings: list[QualityFinding] = []

    def add(
        self, rules: QualityRules, code: str, message: str, project: Project | None,
        ind: Indicator | None = None, field_name: str = "", numbers: dict[str, str] | None = None,
    ) -> None:
        self.findings.append(QualityFinding(
            code=code, severity=rules.severity(code), message=message,
            location=place(project, ind, field_name),
            project=project.code if project is not None else None,
            indicator=ind.code if ind is not None else None,
            field=field_name, numbers=dict(numbers or {}),
        ))
