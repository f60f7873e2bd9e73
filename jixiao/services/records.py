"""Editing the records of a department-year: one use case per function, one mechanism beneath.

Every edit (the browser's htmx fields and forms, the JSON API) runs the same steps in one
transaction that holds the department-year's lock:

1. scope and role: the actor must see the department (else ``NotFound``) and may ``edit`` there;
2. the version: a caller that read the object at an older version gets ``Conflict`` saying
   what changed since, by whom and when — never a silent overwrite;
3. the workflow state of the field's stage (``jixiao.core.editing``): else ``Denied``;
4. the values (types and vocabularies; wrong ones raise ``InputError`` naming the field);
5. the store writes the changed rows with new versions and appends the history.

Blank values are stored as "not filled" (None) and show up as quality findings, not refusals.
"""
from __future__ import annotations

import copy
import dataclasses
import typing
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction

from jixiao.budget import models as m
from jixiao.budget.store import StaleRow, save_department_year, save_fields
from jixiao.core import model as core
from jixiao.core import values as value_rules
from jixiao.core.changes import Ref
from jixiao.core.editing import EDITABLE, refusal
from jixiao.core.errors import InputError, Problem
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied, NotFound
from jixiao.services.scope import find, locked_year

CLASSES: dict[str, type] = {
    "year": core.DepartmentYear, "budget_line": core.BudgetLine, "project": core.Project, "fund": core.FundLine,
    "indicator": core.Indicator, "checkpoint": core.Checkpoint, "rectification": core.Rectification,
}
VOCABULARIES: dict[str, tuple[str, ...]] = {
    "achievement": core.ACHIEVEMENTS, "fund_source": core.FUND_SOURCES, "nature": core.NATURES,
    "likelihood": core.LIKELIHOODS,
}
_TRUE, _FALSE = ("true", "1", "是", "yes", "on"), ("false", "0", "否", "no", "off", "")


@dataclass(frozen=True)
class Edited:
    """The object after the change: its new version (unchanged when nothing differed)."""

    ref: Ref
    version: int
    changed: tuple[str, ...]


def _label(cls: type, name: str) -> str:
    model = {core.DepartmentYear: m.DepartmentYear, core.BudgetLine: m.BudgetLine, core.Project: m.Project,
             core.FundLine: m.FundLine, core.Indicator: m.Indicator, core.Checkpoint: m.Checkpoint,
             core.Rectification: m.Rectification, core.IndicatorProgress: m.IndicatorProgress}[cls]
    try:
        field = model._meta.get_field({"project": "project_code"}.get(name, name))
    except FieldDoesNotExist:
        return name
    return str(field.verbose_name) if isinstance(field, models.Field) else name


def parse_value(cls: type, name: str, raw: Any, where: str) -> Any:
    """``raw`` (text from a form, or JSON) as the dataclass field's type; ``InputError`` naming
    the field when it is not. Blank text is None where the field may be unfilled."""
    hint = typing.get_type_hints(cls)[name]
    optional = type(None) in typing.get_args(hint)
    base = next((a for a in typing.get_args(hint) if a is not type(None)), hint) if optional else hint
    label = _label(cls, name)

    def bad(message: str) -> InputError:
        return InputError([Problem(where, message, label)])

    text = raw.strip() if isinstance(raw, str) else raw
    if text is None or text == "":
        if optional:
            return None
        if base is str:
            return ""
        if base is bool:
            return False
        if typing.get_origin(base) is list:
            return []
        raise bad(f"{label}不能为空")
    if base is Decimal:
        try:
            value = Decimal(str(text).replace(",", "").replace("，", ""))
        except InvalidOperation:
            raise bad(f"{label}「{text}」不是数字") from None
        if not value.is_finite():
            raise bad(f"{label}「{text}」不是数字")
        return value
    if base is bool:
        if isinstance(text, bool):
            return text
        if str(text).lower() in _TRUE:
            return True
        if str(text).lower() in _FALSE:
            return False
        raise bad(f"{label}应为“是”或“否”")
    if typing.get_origin(base) is list:
        items = text if isinstance(text, list) else [x.strip() for x in str(text).replace("，", ",").split(",")]
        items = [str(x) for x in items if str(x).strip()]
        wrong = [x for x in items if x not in core.DEVIATION_CAUSES]
        if wrong:
            raise bad(f"「{'、'.join(wrong)}」不是有效的偏差原因，应为：{'、'.join(core.DEVIATION_CAUSES)}")
        return items
    if base is int:
        try:
            return int(str(text))
        except ValueError:
            raise bad(f"{label}「{text}」应为整数") from None
    word = str(text)
    if name == "deadline":
        try:
            date.fromisoformat(word)
        except ValueError:
            raise bad(f"日期「{word}」无效，应写成 2023-06-30 的形式") from None
    if name in VOCABULARIES and word not in VOCABULARIES[name]:
        raise bad(f"「{word}」不是有效取值，应为：{'、'.join(VOCABULARIES[name])}")
    return word


def edit(actor: Actor, code: str, year: int, ref: Ref, values: dict[str, Any], version: int | None,
         reason: str = "", confirm: bool = False) -> Edited:
    """Set ``values`` (field name → text or JSON value) on the object ``ref``, based on ``version``
    (None: the caller does not know it, e.g. a hand-made form — then no conflict check).

    An indicator's 实际完成值 passes the value rules (``jixiao.core.values``): a refused value is an
    ``InputError``; one that needs confirming (far from the target, ``0.96`` against a percent) is
    ``Unconfirmed`` unless ``confirm`` — the page asks, the API must send ``confirm``."""
    cls = CLASSES[ref.kind]
    unknown = [k for k in values if k not in EDITABLE[ref.kind]]
    if unknown:
        raise InputError([Problem(ref.path(), f"不能修改「{k}」，可修改的字段：{'、'.join(EDITABLE[ref.kind])}", k)
                          for k in unknown])
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        obj = find(dy, ref)
        if version is not None and obj.version != version:
            raise stale_conflict(code, year, ref, obj, version)
        denied = [why for name in values if (why := refusal(dy, ref, name))]
        if denied:
            raise Denied(denied[0], ref.path())
        problems: list[Problem] = []
        parsed: dict[str, Any] = {}
        for name, raw in values.items():
            try:
                parsed[name] = parse_value(cls, name, raw, f"{ref.path()}.{name}")
            except InputError as exc:
                problems.extend(exc.problems)
        if problems:
            raise InputError(problems)
        if ref.kind == "indicator" and "actual_text" in parsed and parsed["actual_text"] != obj.actual_text:
            # the rules see the target as it will be after this edit
            after = dataclasses.replace(obj, **{k: v for k, v in parsed.items() if k != "actual_text"})
            value_rules.enforce(after, parsed["actual_text"], value_rules.load_value_rules(),
                                f"{ref.path()}.actual_text", confirm)
        changed = tuple(n for n, v in parsed.items() if getattr(obj, n) != v)
        before = {name: getattr(obj, name) for name in changed}
        for name in changed:
            setattr(obj, name, parsed[name])
        if not changed:
            return Edited(ref, obj.version or 1, ())
        try:
            saved = save_fields(dy, ref, before, who=actor.name, reason=reason)
        except StaleRow as exc:  # cannot happen while the year is locked; kept as a safety net
            raise Conflict(f"{exc.label} 刚被他人修改，未保存，请刷新后重试", exc.label) from None
        return Edited(ref, saved.versions[ref], changed)


def stale_conflict(code: str, year: int, ref: Ref, obj: Any, version: int) -> Conflict:
    """The Conflict for a write based on ``version`` of ``obj``: what changed since, by whom, when."""
    from_ids = history.stored_ids(code, year).get(ref)
    since = history.changes_since(*from_ids, version) if from_ids else []
    labels = {f.name: _label(CLASSES[ref.kind], f.name) for f in dataclasses.fields(CLASSES[ref.kind])}
    detail = (history.describe(since, labels) if since
              else f"已被他人修改（当前版本 {obj.version}，您基于版本 {version}）")
    return Conflict(f"{ref.path()} {detail}；您的修改基于修改前的数据，未保存，请刷新后重新填写", ref.path())


def _save(dy: core.DepartmentYear, actor: Actor, reason: str) -> Any:
    try:
        return save_department_year(dy, who=actor.name, reason=reason)
    except StaleRow as exc:  # cannot happen while the year is locked; kept as a safety net
        raise Conflict(f"{exc.label} 刚被他人修改，未保存，请刷新后重试", exc.label) from None


def save_locked(dy: core.DepartmentYear, actor: Actor, reason: str) -> Any:
    """Save a department-year that a use case read with ``locked_year`` in its transaction and
    rearranged itself (the order of a list, a copied project), after checking scope and state."""
    return _save(dy, actor, reason)


# ---------------------------------------------------------------------------------------------
# Creating and deleting


def _new(cls: type, values: dict[str, Any], where: str) -> Any:
    problems: list[Problem] = []
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in values:
            try:
                kwargs[f.name] = parse_value(cls, f.name, values[f.name], f"{where}.{f.name}")
            except InputError as exc:
                problems.extend(exc.problems)
        elif f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
            problems.append(Problem(f"{where}.{f.name}", f"缺少{_label(cls, f.name)}", _label(cls, f.name)))
    if problems:
        raise InputError(problems)
    return cls(**kwargs)


def _siblings(dy: core.DepartmentYear, ref: Ref) -> list[Any]:
    """The list the object ``ref`` names belongs in."""
    if ref.kind == "project":
        return dy.projects
    if ref.kind == "rectification":
        return dy.rectifications
    if ref.kind == "indicator" and not ref.project:
        return dy.indicators
    project = find(dy, Ref("project", ref.project))
    lists: dict[str, list[Any]] = {"indicator": project.indicators, "fund": project.funds,
                                   "checkpoint": project.checkpoints}
    return lists[ref.kind]


def create(actor: Actor, code: str, year: int, ref: Ref, values: dict[str, Any], reason: str = "") -> Edited:
    """Add the object ``ref`` names (its key taken from ``ref``) with ``values``."""
    cls = CLASSES[ref.kind]
    identity = {"project": {"code": ref.project}, "indicator": {"code": ref.key},
                "fund": {"fund_source": ref.key}, "checkpoint": {"month": ref.key},
                "rectification": {"code": ref.key}}.get(ref.kind)
    if identity is None:
        raise InputError([Problem(ref.path(), "该类对象不能单独新增", "类型")])
    allowed = set(EDITABLE[ref.kind]) | ({"month"} if ref.kind == "checkpoint" else set())
    unknown = [k for k in values if k not in allowed]
    if unknown:
        raise InputError([Problem(ref.path(), f"不能设置「{k}」", k) for k in unknown])
    obj = _new(cls, {**values, **identity}, ref.path())
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        why = refusal(dy, ref)
        if why:
            raise Denied(why, ref.path())
        try:
            find(dy, ref)
        except NotFound:
            pass
        else:
            raise Conflict(f"{ref.path()} 已存在", ref.path())
        _siblings(dy, ref).append(obj)
        saved = _save(dy, actor, reason)
        return Edited(ref, saved.versions[ref], tuple(values))


def delete(actor: Actor, code: str, year: int, ref: Ref, version: int | None, reason: str = "") -> None:
    """Remove the object ``ref`` (and, for a project, everything in it), based on ``version``."""
    if ref.kind in ("year", "budget_line"):
        raise InputError([Problem(ref.path(), "该类对象不能删除", "类型")])
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        obj = find(dy, ref)
        if version is not None and obj.version != version:
            raise stale_conflict(code, year, ref, obj, version)
        why = refusal(dy, ref)
        if why:
            raise Denied(why, ref.path())
        _siblings(dy, ref).remove(obj)
        _save(dy, actor, reason)


# The use cases by name, for the shells.

def set_actual(actor: Actor, code: str, year: int, project: str, indicator: str, text: str | None,
               version: int | None, confirm: bool = False) -> Edited:
    """An indicator's 实际完成值 as written (blank: not yet reported), under the value rules;
    ``project=""`` names a department-level indicator."""
    return edit(actor, code, year, Ref("indicator", project, indicator), {"actual_text": text}, version,
                confirm=confirm)


# The fields of one indicator's line in a 监控表 (its progress has no identity of its own).
PROGRESS_FIELDS = ("progress_text", "forecast_text", "likelihood", "causes", "explanation", "measures")


def fill_checkpoint(actor: Actor, code: str, year: int, project: str, month: int, values: dict[str, Any],
                    progress: dict[str, dict[str, Any]], version: int | None,
                    executed_to_date: str | None = None, reason: str = "") -> Edited:
    """A project's 绩效运行监控表 of ``month``, created when the month has none yet: the funds block
    (``values``: goal_progress, expected_executed, causes, measures), each indicator's line
    (``progress``: indicator code → PROGRESS_FIELDS) and, when given, the 1-X月累计执行数 — the
    month's own figure becomes the difference to the months before it, so the monthly figures and
    the cumulative one never disagree. All of it is the checkpoint's content: its state decides."""
    ref = Ref("checkpoint", project, str(month))
    where = ref.path()
    if not 1 <= month <= 12:
        raise InputError([Problem(where, f"监控月份应为 1～12，实际为 {month}", "监控月份")])
    unknown = [k for k in values if k not in EDITABLE["checkpoint"]]
    unknown += [k for fields in progress.values() for k in fields if k not in PROGRESS_FIELDS]
    if unknown:
        raise InputError([Problem(where, f"不能修改「{k}」", k) for k in unknown])
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        p = find(dy, Ref("project", project))
        cp = next((c for c in p.checkpoints if c.month == month), None)
        if cp is not None and version is not None and cp.version != version:
            raise stale_conflict(code, year, ref, cp, version)
        why = refusal(dy, ref, "measures" if cp is not None else "")
        if why:
            raise Denied(why, where)
        problems: list[Problem] = []
        parsed: dict[str, Any] = {}
        for name, raw in values.items():
            try:
                parsed[name] = parse_value(core.Checkpoint, name, raw, f"{where}.{name}")
            except InputError as exc:
                problems.extend(exc.problems)
        order = [i.code for i in p.indicators]
        lines: dict[str, dict[str, Any]] = {}
        for icode, fields in progress.items():
            if icode not in order:
                problems.append(Problem(f"{where} / 指标 {icode}", "不是本项目的绩效指标", "指标编码"))
                continue
            lines[icode] = {}
            for name, raw in fields.items():
                try:
                    lines[icode][name] = parse_value(core.IndicatorProgress, name, raw,
                                                     f"{where} / 指标 {icode}.{name}")
                except InputError as exc:
                    problems.extend(exc.problems)
        monthly = dict(p.monthly_executed)
        label = f"1-{month}月累计执行数"
        if executed_to_date is not None and executed_to_date.strip():
            try:
                amount = parse_value(core.Checkpoint, "expected_executed", executed_to_date, f"{where}.executed")
            except InputError:
                problems.append(Problem(f"{where}.executed", f"{label}「{executed_to_date.strip()}」不是数字", label))
            else:
                before = sum((v for k, v in monthly.items() if k < month), Decimal(0))
                if amount < before:
                    problems.append(Problem(f"{where}.executed", f"{label} {amount} 小于 1-{month - 1}月已填报的"
                                                                  f"执行数合计 {before}，请核对", label))
                else:
                    monthly[month] = amount - before
        if problems:
            raise InputError(problems)
        before_copy = copy.deepcopy(cp)
        if cp is None:
            cp = core.Checkpoint(month=month)
            p.checkpoints = sorted([*p.checkpoints, cp], key=lambda c: c.month)
        for name, value in parsed.items():
            setattr(cp, name, value)
        by_code = {ip.indicator: ip for ip in cp.indicators}
        for icode, fields in lines.items():
            ip = by_code.setdefault(icode, core.IndicatorProgress(indicator=icode))
            for name, value in fields.items():
                setattr(ip, name, value)
        rank = {c: n for n, c in enumerate(order)}
        cp.indicators = sorted(by_code.values(), key=lambda ip: rank.get(ip.indicator, len(rank)))
        changed = tuple(n for n in (*values, "indicators")
                        if before_copy is None or getattr(before_copy, n) != getattr(cp, n))
        if monthly != p.monthly_executed:
            p.monthly_executed = monthly
            changed += ("monthly_executed",)
        if before_copy is not None and not changed:
            return Edited(ref, cp.version or 1, ())
        saved = _save(dy, actor, reason)
        return Edited(ref, saved.versions[ref], changed)


def edit_indicator(actor: Actor, code: str, year: int, project: str, indicator: str, values: dict[str, Any],
                   version: int | None, confirm: bool = False) -> Edited:
    """Fields of a project's indicator, or of a department-level one (``project=""``)."""
    return edit(actor, code, year, Ref("indicator", project, indicator), values, version, confirm=confirm)


def edit_project(actor: Actor, code: str, year: int, project: str, values: dict[str, Any],
                 version: int | None) -> Edited:
    return edit(actor, code, year, Ref("project", project), values, version)


def edit_goal(actor: Actor, code: str, year: int, project: str | None, text: str, version: int | None) -> Edited:
    """The 年度总体目标 of a project, or of the department (``project=None``)."""
    ref = Ref("project", project) if project else Ref("year")
    return edit(actor, code, year, ref, {"goal": text}, version)


def edit_year(actor: Actor, code: str, year: int, values: dict[str, Any], version: int | None) -> Edited:
    return edit(actor, code, year, Ref("year"), values, version)
