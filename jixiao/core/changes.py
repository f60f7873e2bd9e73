"""What differs between two versions of a department-year, object by object and field by field.

One mechanism serves the change history (``jixiao.services.history``), the import preview
(``jixiao.services.imports``) and the store's upsert: objects are matched by their identity
(project and indicator codes, fund source × nature, checkpoint month, rectification code), never
by position, so an edit or an import keeps every row's identity. Pure: no Django.
"""
from __future__ import annotations

import copy
import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from jixiao.core import model as core

# Fields that are not content: bookkeeping of the copy, or children diffed as objects of their own.
_NOT_CONTENT = frozenset({"version"})
_CHILDREN = {
    "year": frozenset({"department", "budget_lines", "indicators", "projects", "rectifications", "year"}),
    "project": frozenset({"funds", "indicators", "checkpoints", "code"}),
}
# Workflow states: a file carries them as information only; they change by transitions.
STATUS_FIELDS = frozenset({"status", "goal_status"})

KIND_LABELS = {
    "year": "部门年度", "budget_line": "部门预算", "project": "项目", "fund": "项目资金",
    "indicator": "指标", "checkpoint": "监控节点", "rectification": "整改事项",
}


@dataclass(frozen=True, order=True)
class Ref:
    """The identity of one editable object inside a department-year.

    ``project`` is the project code for a project and its children ("" for the department's own
    objects); ``key`` is the object's own key within its owner (indicator code, fund source,
    "fund_source/nature", checkpoint month as text, rectification code; "" for the owner itself)."""

    kind: str
    project: str = ""
    key: str = ""

    def path(self) -> str:
        """Readable location, e.g. "项目 P01 / 指标 I03", "部门整体指标 D01"."""
        if self.kind == "year":
            return "部门年度"
        if self.kind == "project":
            return f"项目 {self.project}"
        if self.kind == "indicator" and not self.project:
            return f"部门整体指标 {self.key}"
        label = {"checkpoint": f"{self.key} 月监控"}.get(self.kind, f"{KIND_LABELS[self.kind]} {self.key}")
        return f"项目 {self.project} / {label}" if self.project else label


@dataclass(frozen=True)
class Added:
    ref: Ref
    name: str
    obj: Any


@dataclass(frozen=True)
class Deleted:
    ref: Ref
    name: str
    obj: Any


@dataclass(frozen=True)
class FieldChange:
    ref: Ref
    name: str  # the object's readable name
    field: str  # dataclass field, nested ones as "stated.total"
    before: Any
    after: Any
    base_version: int | None  # the version the new copy was read at, None when not known


@dataclass
class Diff:
    added: list[Added] = dataclasses.field(default_factory=list)
    deleted: list[Deleted] = dataclasses.field(default_factory=list)
    changed: list[FieldChange] = dataclasses.field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.added or self.deleted or self.changed)


def _fields(kind: str, old: Any, new: Any, ref: Ref, name: str) -> Iterator[FieldChange]:
    skip = _NOT_CONTENT | _CHILDREN.get(kind, frozenset())
    for f in dataclasses.fields(new):
        if f.name in skip:
            continue
        a, b = getattr(old, f.name), getattr(new, f.name)
        if dataclasses.is_dataclass(b) and not isinstance(b, type):
            for g in dataclasses.fields(b):
                x, y = getattr(a, g.name), getattr(b, g.name)
                if x != y:
                    yield FieldChange(ref, name, f"{f.name}.{g.name}", x, y, new.version)
        elif a != b:
            yield FieldChange(ref, name, f.name, a, b, getattr(new, "version", None))


def name_of(kind: str, obj: Any, project: core.Project | None = None) -> str:
    """The readable name of an object in the history and the import preview (``project``: the
    owner of a project's fund, indicator or checkpoint)."""
    if kind == "year":
        return f"{obj.department.name} {obj.year} 年度"
    if kind == "budget_line":
        return f"{obj.fund_source}·{obj.nature}"
    if kind == "rectification":
        return str(obj.problem[:40])
    if kind == "project":
        return str(obj.name)
    owner = f"{project.name}·" if project is not None else ""
    if kind == "fund":
        return f"{owner}{obj.fund_source}"
    if kind == "checkpoint":
        return f"{owner}{obj.month}月监控"
    return f"{owner}{obj.name}"


def field_changes(ref: Ref, old: Any, new: Any, name: str) -> list[FieldChange]:
    """The content fields that differ between two copies of one object."""
    return list(_fields(ref.kind, old, new, ref, name))


def budget_line_key(b: core.BudgetLine) -> str:
    return f"{b.fund_source}/{b.nature}"


def _ref(kind: str, project: str, key: str) -> Ref:
    # A project is its own owner: its code goes in ``project`` so that its children sort under it.
    return Ref(kind, key) if kind == "project" else Ref(kind, project, key)


def _keyed(diff: Diff, kind: str, project: str, old: list, new: list, key: Callable[[Any], str],
           name: Callable[[Any], str], nested: Callable[[Any, Any], None] | None = None) -> None:
    before = {key(x): x for x in old}
    after = {key(x): x for x in new}
    for k, item in after.items():
        ref = _ref(kind, project, k)
        if k not in before:
            diff.added.append(Added(ref, name(item), item))
            continue
        diff.changed.extend(_fields(kind, before[k], item, ref, name(item)))
        if nested:
            nested(before[k], item)
    for k, item in before.items():
        if k not in after:
            diff.deleted.append(Deleted(_ref(kind, project, k), name(item), item))


def diff_years(old: core.DepartmentYear | None, new: core.DepartmentYear) -> Diff:
    """Every object added, deleted or changed going from ``old`` (None: nothing stored) to ``new``.
    A new project's children are part of its addition, not listed one by one."""
    diff = Diff()
    year_name = name_of("year", new)
    if old is None:
        diff.added.append(Added(Ref("year"), year_name, new))
        return diff
    diff.changed.extend(_fields("year", old, new, Ref("year"), year_name))
    _keyed(diff, "budget_line", "", old.budget_lines, new.budget_lines, budget_line_key,
           lambda b: name_of("budget_line", b))
    _keyed(diff, "indicator", "", old.indicators, new.indicators, lambda i: i.code, lambda i: name_of("indicator", i))
    _keyed(diff, "rectification", "", old.rectifications, new.rectifications, lambda r: r.code,
           lambda r: name_of("rectification", r))

    def project_children(a: core.Project, b: core.Project) -> None:
        _keyed(diff, "fund", b.code, a.funds, b.funds, lambda f: f.fund_source, lambda f: name_of("fund", f, b))
        _keyed(diff, "indicator", b.code, a.indicators, b.indicators, lambda i: i.code,
               lambda i: name_of("indicator", i, b))
        _keyed(diff, "checkpoint", b.code, a.checkpoints, b.checkpoints, lambda c: str(c.month),
               lambda c: name_of("checkpoint", c, b))

    _keyed(diff, "project", "", old.projects, new.projects, lambda p: p.code, lambda p: name_of("project", p),
           nested=project_children)
    return diff


def assign_rectification_codes(old: core.DepartmentYear | None, new: core.DepartmentYear) -> None:
    """Rectifications written without a code take the code of the stored one with the same
    problem text, else the next free R-number: a hand-made file keeps the rows' identities."""
    stored = {r.problem: r.code for r in (old.rectifications if old else [])}
    taken = {r.code for r in new.rectifications if r.code} | set(stored.values())
    n = 0
    for r in new.rectifications:
        if r.code:
            continue
        if r.problem in stored and stored[r.problem] not in {x.code for x in new.rectifications}:
            r.code = stored[r.problem]
            continue
        while True:
            n += 1
            code = f"R{n:02d}"
            if code not in taken:
                break
        r.code = code
        taken.add(code)


class _Versioned(Protocol):
    version: int | None  # the stored version a copy was read at (None: not stored)


def without_versions(dy: core.DepartmentYear) -> core.DepartmentYear:
    """A copy of ``dy`` that claims no stored versions: the content alone, as a file made by hand
    (and for comparing content, whatever versions two copies were read at)."""
    dy = copy.deepcopy(dy)
    versioned: list[_Versioned] = [dy, *dy.budget_lines, *dy.indicators, *dy.rectifications]
    for p in dy.projects:
        versioned += [p, *p.funds, *p.indicators, *p.checkpoints]
    for obj in versioned:
        obj.version = None
    return dy
