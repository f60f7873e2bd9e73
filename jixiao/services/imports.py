"""Importing a file: a preview first, then all of it or nothing.

``preview`` compares the file's department-year with the stored one, object by object and field
by field, and sorts every difference into added / changed / deleted / conflicts / warnings:

- a change the workflow state forbids (a 已提交/已审核/锁定 record) is a conflict;
- a change to a field that someone else changed after the version the file was exported at is a
  conflict, with who changed it, when and to what (the file would otherwise revert it);
- a workflow state in the file that differs from the stored one is a warning: files never
  change workflow state, the stored state stays;
- objects the file leaves out are listed as deletions, applied only when the user confirms.

``apply`` recomputes the preview inside the transaction and stores it when it has no conflict;
otherwise it raises ``ImportConflict`` and nothing is written.
"""
from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import Checked, StaleRow, check_department_year, load_department_year, save_department_year
from jixiao.core import model as core
from jixiao.core import values as value_rules
from jixiao.core import workflow
from jixiao.core.changes import Diff, Ref, assign_rectification_codes, diff_years
from jixiao.core.drafting import load_rules as load_report_rules
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError, Problem
from jixiao.core.workflow import may
from jixiao.excel.importing import ImportOutcome, import_file, import_units
from jixiao.excel.merge import merge_outcome
from jixiao.published import SUPPORTED, read_if_published
from jixiao.published.reading import Reading, align_indicators
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied, NotFound
from jixiao.services.scope import find

KINDS = ("added", "changed", "deleted", "conflict", "warning")
KIND_LABELS = {"added": "新增", "changed": "修改", "deleted": "删除", "conflict": "冲突", "warning": "提示"}


@dataclass(frozen=True)
class Item:
    kind: str  # one of KINDS
    ref: Ref
    name: str
    field: str = ""  # the field's Chinese label ("" for a whole object)
    before: str | None = None
    after: str | None = None
    message: str = ""
    # a conflict the user settles by a choice (a fed indicator's typed value against its ledger's)
    choice: bool = False

    def line(self) -> str:
        where = f"{self.ref.path()}（{self.name}）" if self.name else self.ref.path()
        if self.kind == "changed":
            return f"{where} {self.field}：「{self.before or '空'}」→「{self.after or '空'}」"
        text = f"{where} {self.field}".rstrip()
        return f"{text}：{self.message}" if self.message else text

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "location": self.ref.path(), "name": self.name, "field": self.field,
                "before": self.before, "after": self.after, "message": self.message, "choice": self.choice}


@dataclass
class Preview:
    department: str
    year: int
    source: str
    new: bool  # the department-year is not stored yet
    items: list[Item] = field(default_factory=list)
    delete_missing: bool = False
    candidate: core.DepartmentYear | None = None  # what ``apply`` stores
    chosen: list[str] = field(default_factory=list)  # typed values recorded over a ledger's, and why
    checked: Checked | None = field(default=None, repr=False, compare=False)  # the candidate's rows, for apply

    def of(self, kind: str) -> list[Item]:
        return [i for i in self.items if i.kind == kind]

    @property
    def conflicts(self) -> list[Item]:
        return self.of("conflict")

    def counts(self) -> dict[str, int]:
        return {k: len(self.of(k)) for k in KINDS}

    def summary(self) -> str:
        c = self.counts()
        return "，".join(f"{KIND_LABELS[k]} {c[k]} 项" for k in KINDS)

    def text(self) -> str:
        head = f"导入预览：{self.source} → 部门 {self.department} {self.year} 年度" + ("（新建）" if self.new else "")
        lines = [head, self.summary()]
        for kind in ("conflict", "added", "changed", "deleted", "warning"):
            items = self.of(kind)
            if items:
                lines.append(f"{KIND_LABELS[kind]}：")
                lines.extend(f"  - {i.line()}" for i in items)
        if self.of("deleted") and not self.delete_missing:
            lines.append("文件中没有的对象不会被删除；确需删除请确认（命令行加 --delete-missing）。")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, Any]:
        return {"department": self.department, "year": self.year, "source": self.source, "new": self.new,
                "counts": self.counts(), "items": [i.as_dict() for i in self.items]}


class ImportConflict(Conflict):
    """The import has conflicts; nothing was written. ``preview`` lists them."""

    def __init__(self, preview: Preview):
        super().__init__(f"导入有 {len(preview.conflicts)} 处冲突，未导入任何数据", preview.source)
        self.preview = preview


def _label(ref: Ref, name: str) -> str:
    model = {"year": m.DepartmentYear, "budget_line": m.BudgetLine, "project": m.Project, "fund": m.FundLine,
             "indicator": m.Indicator, "checkpoint": m.Checkpoint, "rectification": m.Rectification}[ref.kind]
    attname = {"project": "project_code"}.get(name, name.replace("stated.", "stated_"))
    try:
        field = model._meta.get_field(attname)
    except FieldDoesNotExist:
        return name
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def _states(stored: core.DepartmentYear | None, candidate: core.DepartmentYear) -> Iterator[Item]:
    """Put the stored workflow states (or the initial ones) on the candidate; a file's differing
    state is a warning."""
    def keep(obj: Any, stored_obj: Any, attr: str, stage: str, ref: Ref, name: str) -> Iterator[Item]:
        value = getattr(stored_obj, attr) if stored_obj is not None else workflow.stage(stage).initial
        given = getattr(obj, attr)
        if given != value:
            label = "状态" if attr == "status" else "目标申报状态"
            yield Item("warning", ref, name, label, value, given,
                       f"文件中为「{given}」，系统中为「{value}」：状态只能通过审核流程改变，导入不改变状态")
            setattr(obj, attr, value)

    se, goals = workflow.SELF_EVALUATION, workflow.GOALS
    yield from keep(candidate, stored, "status", se, Ref("year"), "")
    old_projects = {p.code: p for p in stored.projects} if stored else {}
    for p in candidate.projects:
        old = old_projects.get(p.code)
        yield from keep(p, old, "status", se, Ref("project", p.code), p.name)
        yield from keep(p, old, "goal_status", goals, Ref("project", p.code), p.name)
        old_cps = {c.month: c for c in old.checkpoints} if old else {}
        for c in p.checkpoints:
            yield from keep(c, old_cps.get(c.month), "status", workflow.MONITORING,
                            Ref("checkpoint", p.code, str(c.month)), p.name)
    old_rects = {r.code: r for r in stored.rectifications} if stored else {}
    for r in candidate.rectifications:
        yield from keep(r, old_rects.get(r.code), "status", workflow.RECTIFICATION, Ref("rectification", "", r.code),
                        r.problem[:40])


ORGANISATION_NOTE = "组织机构（部门名称、上级部门）只能由系统管理员或上级部门在机构管理中调整，导入不改变"


def _organisation(candidate: core.DepartmentYear) -> Iterator[Item]:
    """Put the stored department's name and parent on the candidate; a file that says otherwise
    gets a warning. A file never moves or renames a department (nor its parent)."""
    d = candidate.department
    row = m.Department.objects.filter(code=d.code).select_related("parent").first()
    parent = row.parent if row is not None else m.Department.objects.filter(code=d.parent_code or "").first()
    if row is not None:
        stored_parent = parent.code if parent is not None else None
        for label, given, value in (("部门名称", d.name, row.name), ("上级部门", d.parent_code, stored_parent)):
            if given and given != value:  # a file (e.g. an Excel form) that names none says nothing
                yield Item("warning", Ref("year"), "", label, value, given,
                           f"文件中为「{given}」，系统中为「{value or '空'}」：{ORGANISATION_NOTE}")
        d.name, d.parent_code = row.name, stored_parent
    if parent is not None:
        if d.parent_name and d.parent_name != parent.name:
            yield Item("warning", Ref("year"), "", "上级部门名称", parent.name, d.parent_name,
                       f"文件中为「{d.parent_name}」，系统中为「{parent.name}」：{ORGANISATION_NOTE}")
        d.parent_name = parent.name or None
    elif row is not None:
        d.parent_name = None


def _classify(stored: core.DepartmentYear | None, diff: Diff, ids: dict[Ref, tuple[str, int]],
              delete_missing: bool) -> Iterator[Item]:
    since_cache: dict[tuple[Ref, int], dict[str, history.Change]] = {}

    def changed_since(ref: Ref, base: int) -> dict[str, history.Change]:
        if (ref, base) not in since_cache:
            label_id = ids.get(ref)
            rows = history.changes_since(*label_id, base) if label_id else []
            since_cache[(ref, base)] = {c.field: c for c in rows}
        return since_cache[(ref, base)]

    for a in diff.added:
        why = refusal(stored, a.ref) if stored is not None and a.ref.kind != "year" else None
        if why:
            yield Item("conflict", a.ref, a.name, message=f"不能通过导入新增：{why}")
        else:
            yield Item("added", a.ref, a.name)
    for c in diff.changed:
        label = _label(c.ref, c.field)
        before, after = history.as_text(c.before), history.as_text(c.after)
        why = refusal(stored, c.ref, c.field) if stored is not None else None
        if why:
            yield Item("conflict", c.ref, c.name, label, before, after, f"{why}，不能通过导入修改")
            continue
        if c.base_version is not None:
            newer = changed_since(c.ref, c.base_version).get(c.field)
            if newer is not None:
                yield Item("conflict", c.ref, c.name, label, before, after,
                           f"{history.describe([newer], {c.field: label})}，您的文件基于修改前的数据")
                continue
        yield Item("changed", c.ref, c.name, label, before, after)
    for d in diff.deleted:
        if not delete_missing:
            yield Item("deleted", d.ref, d.name, message="文件中没有，确认后才会删除")
            continue
        why = refusal(stored, d.ref) if stored is not None else None
        if why:
            yield Item("conflict", d.ref, d.name, message=f"不能通过导入删除：{why}")
        else:
            yield Item("deleted", d.ref, d.name, message="将删除")


# How the user settles a fed indicator whose file value differs from its ledger's (``Choice``):
# keep the ledger's figure, or record the typed one (the indicator then no longer takes the ledger's
# value this year) with a reason that goes into the history.
KEEP_LEDGER = "ledger"
USE_TYPED = "typed"


@dataclass(frozen=True)
class Choice:
    keep: str  # KEEP_LEDGER | USE_TYPED
    reason: str = ""


def _fed_indicators(dy: core.DepartmentYear) -> Iterator[tuple[Ref, core.Indicator]]:
    for ind in dy.indicators:
        yield Ref("indicator", "", ind.code), ind
    for p in dy.projects:
        for ind in p.indicators:
            yield Ref("indicator", p.code, ind.code), ind


def _fed_differences(stored: core.DepartmentYear | None, candidate: core.DepartmentYear,
                     ) -> Iterator[tuple[Ref, core.Indicator, str, core.Indicator]]:
    """Fed indicators whose actual value in the file differs from both the ledger's and the
    stored one: (ref, the file's indicator, the ledger's value, the stored indicator)."""
    if stored is None:
        return
    feeds = collect_feeds(candidate.department.code, candidate.year)
    before = dict(_fed_indicators(stored))
    for ref, ind in _fed_indicators(candidate):
        ledger = feeds.get(ind.feed) if ind.feed else None
        old = before.get(ref)
        if ledger is None or old is None or ind.actual_text in (None, "", ledger, old.actual_text):
            continue
        yield ref, ind, ledger, old


def choose_for_all(candidate: core.DepartmentYear, keep: str, reason: str = "") -> dict[Ref, Choice]:
    """One choice for every fed indicator the file brings a different value for (the command
    line's ``--keep-ledger`` / ``--use-typed``)."""
    try:
        stored = load_department_year(candidate.department.code, candidate.year)
    except InputError:
        return {}
    return {ref: Choice(keep, reason) for ref, _, _, _ in _fed_differences(stored, candidate)}


def _typed_over_ledger(stored: core.DepartmentYear | None, candidate: core.DepartmentYear,
                       resolve: Mapping[Ref, Choice]) -> tuple[list[Item], list[str]]:
    """A fed indicator whose actual value in the file differs from its ledger's is never
    silently overridden: unresolved it is a conflict showing both values; resolved, the choice is
    applied to the candidate and said in the history reason."""
    items: list[Item] = []
    said: list[str] = []
    for ref, ind, ledger, old in _fed_differences(stored, candidate):
        typed = ind.actual_text
        choice = resolve.get(ref)
        source = load_report_rules().feed_sources.get((ind.feed or "").split(".", 1)[0], ind.feed or "")
        if choice is None or (choice.keep == USE_TYPED and not choice.reason.strip()):
            items.append(Item("conflict", ref, ind.name, "实际完成值", ledger, typed,
                              f"{source}数据为“{ledger}”，文件中填写“{typed}”；评分不会悄悄改用任一个，"
                              f"请选择：保留台账数据，或采用填报值并说明理由", choice=True))
        elif choice.keep == KEEP_LEDGER:
            ind.actual_text = old.actual_text
        else:
            ind.feed = None  # the typed value scores; the ledger no longer feeds it this year
            said.append(f"{ind.name}采用填报值“{typed}”（未取台账数据“{ledger}”），理由：{choice.reason.strip()}")
    return items, said


def _authorize(actor: Actor, dy: core.DepartmentYear) -> None:
    department = m.Department.objects.filter(code=dy.department.code).select_related("parent__parent").first()
    if department is None:
        parent = m.Department.objects.filter(code=dy.department.parent_code or "").first()
        if actor.system or (parent is not None and may(actor.roles_in(parent), "upload")):
            return
        raise Denied(f"部门「{dy.department.code}」尚不存在，只有上级部门或系统管理员可以通过导入新建部门",
                     dy.department.code)
    roles = actor.roles_in(department)
    if not may(roles, "view"):
        raise NotFound("未找到该部门，或无权访问", dy.department.code)
    if not may(roles, "upload"):
        raise Denied("您的角色不能导入数据（需要经办人或部门管理员）", dy.department.code)


def _value_rules(candidate: core.DepartmentYear, diff: Diff) -> Iterator[Item]:
    """The value rules of 实际完成值 (``jixiao.core.values``) on each actual value the file adds or
    changes. A file is read, not refused (real-work §1): what the page refuses or asks about is a
    提示 here, naming the indicator, so the user sees it before confirming the import."""
    rules = value_rules.load_value_rules()
    refs = {c.ref for c in diff.changed if c.ref.kind == "indicator" and c.field == "actual_text"}
    refs |= {a.ref for a in diff.added if a.ref.kind == "indicator"}
    for ref in sorted(refs):
        ind = find(candidate, ref)
        check = value_rules.check_actual(ind, ind.actual_text, rules)
        for message in (*check.refusals, *(q.message for q in check.questions)):
            yield Item("warning", ref, ind.name, "实际完成值", None, ind.actual_text, message)


def preview(actor: Actor, candidate: core.DepartmentYear, source: str, delete_missing: bool = False,
            resolve: Mapping[Ref, Choice] | None = None) -> Preview:
    """What importing ``candidate`` (read from the file named ``source``) would change; nothing is
    written. Raises ``NotFound``/``Denied`` when the actor may not import into that department,
    ``InputError`` for values the database cannot hold."""
    _authorize(actor, candidate)
    code, year = candidate.department.code, candidate.year
    try:
        stored = load_department_year(code, year)
    except InputError:
        stored = None
    candidate = core.clone(candidate)  # the caller's object stays as it was read
    assign_rectification_codes(stored, candidate)
    chosen, said = _typed_over_ledger(stored, candidate, resolve or {})
    warnings = list(_organisation(candidate)) + list(_states(stored, candidate))
    # Checked once the candidate is complete: ``apply`` stores the rows built here.
    checked = check_department_year(candidate)
    out = Preview(code, year, source, stored is None, delete_missing=delete_missing, candidate=candidate,
                  chosen=said, checked=checked)
    diff = diff_years(stored, candidate)
    warnings.extend(_value_rules(candidate, diff))
    ids = history.stored_ids(code, year) if stored is not None else {}
    out.items.extend(_classify(stored, diff, ids, delete_missing))
    out.items.extend(chosen)
    out.items.extend(warnings)
    return out


def apply(actor: Actor, candidate: core.DepartmentYear, source: str, reason: str = "",
          delete_missing: bool = False, resolve: Mapping[Ref, Choice] | None = None) -> Preview:
    """Import ``candidate``: every change of its preview, or — with any conflict — nothing
    (``ImportConflict`` carries the preview). Returns the applied preview."""
    with transaction.atomic():
        # Lock the stored year first, so that the preview and the write see the same data.
        list(m.DepartmentYear.objects.select_for_update()
             .filter(department__code=candidate.department.code, year=candidate.year).values_list("id"))
        result = preview(actor, candidate, source, delete_missing, resolve)
        if result.conflicts:
            raise ImportConflict(result)
        assert result.candidate is not None
        try:
            why = "；".join([reason or f"导入 {source}", *result.chosen])
            save_department_year(result.candidate, who=actor.name, reason=why,
                                 keep_missing=not delete_missing, checked=result.checked)
        except StaleRow as exc:
            raise Conflict(f"{exc.label} 在导入过程中被他人修改，未导入任何数据，请重新预览", source) from None
    return result


@dataclass
class FileRead:
    """A file read as the department-year it would make, with what reading it found."""

    candidate: core.DepartmentYear
    warnings: list[Problem]
    outcome: ImportOutcome | None = None  # Excel only: which form, monitoring months …


def read_file(path: str | Path, department: str | None = None) -> FileRead:
    """An exchange-format .json or an Excel workbook (bulk workbook or standard forms, merged into
    the stored department-year) as the candidate of an import; ``InputError`` when unreadable.
    A published 自评表 (.xlsx/.xls/.docx/.pdf in a local layout, ``jixiao.published``) is merged
    likewise, into ``department`` (the uploader's) unless the table states its 部门编码."""
    p = Path(path)
    if not p.is_file():
        raise InputError("找不到该文件，请检查路径", location=str(path))
    suffix = p.suffix.lower()
    if suffix == ".json":
        return FileRead(exchange.read_file(p), [])
    reading = read_if_published(p)
    if reading is not None:
        return _read_published(reading, department)
    if suffix != ".xlsx":
        raise InputError(f"不支持的文件类型「{suffix or p.name}」，{SUPPORTED}", location=p.name)
    outcome = import_file(p)
    code, year = outcome.department_code, outcome.year
    if isinstance(outcome.data, core.DepartmentYear):
        code, year = outcome.data.department.code, outcome.data.year
    if not code or not year:
        raise InputError([Problem(p.name, "表头中缺少部门编码或年度，无法确定导入到哪个部门年度")])
    try:
        stored = load_department_year(code, year)
    except InputError:
        stored = None
    candidate = merge_outcome(outcome, stored, collect_feeds(code, year) if stored is not None else None)
    return FileRead(candidate, list(outcome.warnings), outcome)


@dataclass
class UnitRead:
    """One department-year of a file read for a batch import: its candidate, or the problems that
    keep it out (``label``: "demo/2022"; "" when the file itself could not be read)."""

    label: str
    candidate: core.DepartmentYear | None
    problems: list[Problem] = field(default_factory=list)


def read_units(path: str | Path) -> list[UnitRead]:
    """Every department-year of a file, each read on its own: a bulk workbook may hold several
    (one with problems does not keep the others out), any other file is one, read as
    ``read_file`` reads it. A bulk workbook's department-year is the candidate as it was read —
    ``read_file`` merges nothing of the stored year into a bulk workbook either."""
    p = Path(path)
    try:
        units = import_units(p) if p.suffix.lower() == ".xlsx" else None
        if units is None:
            candidate = read_file(p).candidate
            return [UnitRead(f"{candidate.department.code}/{candidate.year}", candidate)]
    except InputError as exc:
        return [UnitRead("", None, list(exc.problems))]
    out = []
    for unit in units:
        data = unit.outcome.data if unit.outcome is not None else None
        if isinstance(data, core.DepartmentYear):
            out.append(UnitRead(unit.label, data))
        else:
            out.append(UnitRead(unit.label, None, list(unit.problems)))
    return out


# Codes reading invented (P01, R-PROJECT-CODE …) are replaced by the stored ones when importing.
_CODE_NOTES = ("R-PROJECT-CODE", "R-DEPARTMENT-CODE")


def _read_published(reading: Reading, department: str | None) -> FileRead:
    """A published table as the candidate of an import: its projects (matched to the stored ones
    by name, ``Reading.aligned``) or its department-level table merged into the stored year, the
    way a standard form is; what reading found comes with the warnings."""
    if not reading.department_code_given and not department:
        # A file name is no department: without the uploader's department the import has no target.
        raise InputError([Problem(reading.source, "原表没有部门编码，无法确定导入到哪个部门；请在本部门的“上传”页面"
                                                  "导入，或在表头写明部门编码", "部门编码")])
    code = reading.dy.department.code if reading.department_code_given else str(department)
    year = reading.dy.year
    if not reading.year_given:
        raise InputError([Problem(reading.source, "原表没有注明年度（如「2023年度」），无法确定导入到哪个年度；"
                                                  "请在表头写明年度后再导入", "年度")])
    if reading.has_department_level and reading.dy.projects:
        raise InputError([Problem(reading.source, "同一文件中不能既有部门整体自评表又有项目自评表，请分开导入")])
    try:
        stored = load_department_year(code, year)
    except InputError:
        stored = None
    warnings = [Problem(n.where, n.message, n.field) for n in reading.notes if n.code not in _CODE_NOTES]
    data: core.DepartmentYear | list[core.Project]
    if reading.has_department_level:
        dept = copy.deepcopy(reading.dy)
        dept.department.code = code
        align_indicators(dept.indicators, stored.indicators if stored else [], "D")
        data, form = dept, "dept-self-eval"
    else:
        data, form = reading.aligned(stored), "self-eval"
    outcome = ImportOutcome(data, warnings, form, code, year)
    candidate = merge_outcome(outcome, stored, collect_feeds(code, year) if stored is not None else None)
    return FileRead(candidate, list(outcome.warnings), outcome)
