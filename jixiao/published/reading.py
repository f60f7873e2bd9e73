"""What reading a published table gives: the department-year, what reading found (codes R-…) and
where in the original each project and indicator was read, so that every finding names its place
there (sheet!cell, 表2第5行, 第3页表1第5行)."""
from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field

from jixiao.core import model
from jixiao.core.quality import QualityFinding, review
from jixiao.published.labels import severity, titles


@dataclass
class Note:
    """Something reading found, reported with the checks' findings (codes R-…)."""

    code: str
    message: str
    where: str
    project: str | None = None
    field: str = ""


@dataclass
class Place:
    """Where an object was read: its first cell, and the cell of each field (attribute → place)."""

    where: str
    fields: dict[str, str] = field(default_factory=dict)


_FIELD_WORDS = (  # words of a finding's field -> the attribute whose cell it names
    ("偏差", "deviation_reason"), ("实际", "actual_text"), ("指标值", "target_text"), ("目标", "target_text"),
    ("分值", "weight"), ("权重", "weight"), ("执行率", "rate"), ("得分", "score"), ("总分", "total"),
    ("等级", "grade"), ("执行数", "executed"), ("预算", "budget"), ("单位", "unit"), ("名称", "name"),
)


@dataclass
class Reading:
    source: str  # the file name
    dy: model.DepartmentYear
    notes: list[Note] = field(default_factory=list)
    # (project code or None, indicator code or None) -> where it was read
    places: dict[tuple[str | None, str | None], Place] = field(default_factory=dict)
    department_code_given: bool = False
    year_given: bool = False

    @property
    def has_department_level(self) -> bool:
        """Whether the file carries the department's own table (部门整体支出绩效自评表)."""
        return (None, None) in self.places

    def titles(self) -> dict[str, str]:
        """The titles of the R-… codes, for summaries."""
        return titles()

    def notes_as_findings(self) -> list[QualityFinding]:
        labels = {p.code: f"项目 {p.code}「{p.name}」" for p in self.dy.projects}
        return [QualityFinding(code=n.code, severity=severity(n.code), message=n.message,
                               location=f"{labels.get(n.project or '', '部门整体')} / 原表 {n.where}",
                               project=n.project, field=n.field) for n in self.notes]

    def original_place(self, f: QualityFinding) -> str | None:
        """The cell (or row) of the original a finding is about."""
        place = self.places.get((f.project, f.indicator)) or self.places.get((f.project, None))
        if place is None:
            return None
        for word, attr in _FIELD_WORDS:
            if word in f.field and attr in place.fields:
                return place.fields[attr]
        return place.where

    def findings(self, checks: list[QualityFinding]) -> list[QualityFinding]:
        """What reading found, then ``checks`` with the place in the original added to each
        location. Department-level findings are dropped when the file has no department table (a
        project 自评表 says nothing about the department's own indicators)."""
        out = self.notes_as_findings()
        for f in checks:
            if f.project is None and not self.has_department_level:
                continue
            where = self.original_place(f)
            out.append(dataclasses.replace(f, location=f"{f.location} / 原表 {where}") if where else f)
        return out

    def review(self) -> list[QualityFinding]:
        """Every check on the table, all in one round, each finding at its place in the original."""
        return self.findings(review(self.dy))

    def aligned(self, stored: model.DepartmentYear | None) -> list[model.Project]:
        """The projects for an import into ``stored``: a project of the same name takes the stored
        code (and its indicators the codes of the stored ones of the same name); a new project the
        next P-number the stored year does not use. Invented codes must never overwrite another
        project."""
        projects = copy.deepcopy(self.dy.projects)
        if stored is None:
            return projects
        by_name = {p.name: p for p in stored.projects}
        used = {p.code for p in stored.projects}
        n = 0
        for p in projects:
            old = by_name.get(p.name)
            if old is None:
                n += 1
                while f"P{n:02d}" in used:
                    n += 1
                p.code = f"P{n:02d}"
                used.add(p.code)
            else:
                p.code = old.code
            align_indicators(p.indicators, old.indicators if old else [], p.code)
        return projects


def align_indicators(incoming: list[model.Indicator], stored: list[model.Indicator], prefix: str) -> None:
    """Give ``incoming`` the codes of the stored indicators of the same 三级指标 name, and the others
    ``<prefix>-I<n>`` codes that no stored indicator uses."""
    names = {i.name: i.code for i in stored}
    taken = set(names.values())
    k = 0
    for ind in incoming:
        if ind.name in names:
            ind.code = names.pop(ind.name)
            continue
        k += 1
        while f"{prefix}-I{k}" in taken:
            k += 1
        ind.code = f"{prefix}-I{k}"
        taken.add(ind.code)
