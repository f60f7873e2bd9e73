"""The park ledgers' use cases (land, investment, enterprise — any ``jixiao.features`` entry with a
ledger): one function per use case, each taking the acting ``Actor`` first, the only writers of
the ledger tables. Each runs in one transaction:

1. scope and role: the actor must see the department (else ``NotFound``) and hold the
   permission (``edit`` for records, ``upload`` for a file; else ``Denied``);
2. the version: an edit or delete based on an older version of the record is refused with
   ``Conflict`` saying what changed since, by whom and when (from the ledger's history);
3. the values (``InputError`` naming the field) and the ledger's own cross-row checks (the core's
   ``check_ledger``), with the year's pinned rule set;
4. what the columns cannot hold exactly (``jixiao.services.capacity``), before anything is written;
5. the write (``jixiao.ledgers.store``): records upserted by key, keeping their row identity,
   versions counted, the history appended.

An import deletes nothing it was not told to: stored records the file leaves out are listed by
``preview_import`` and kept by ``import_ledger`` unless ``confirm_delete=True`` (CLI
``--delete-missing``).
"""
from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.db import transaction

from jixiao import features
from jixiao.budget.models import Department
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import SAMPLE_ORIGIN, changes_since, object_values, parse_value, plan_text, record_keys
from jixiao.ledgers.store import Ledger, Plan, SaveResult, TableStore, merge_kept
from jixiao.services import scope
from jixiao.services.actor import Actor
from jixiao.services.demo import DEMO_WHO
from jixiao.services.errors import Conflict, NotFound


class ActorLike(Protocol):
    """What these use cases need of the actor (``jixiao.services.actor.Actor`` is one)."""

    name: str

    def roles_in(self, department: Any) -> frozenset[str] | set[str]: ...


@dataclass
class Saved:
    """What a use case stored: record keys by table, the year's counting rule set."""

    ledger: str
    department: str
    year: int
    result: SaveResult
    rules: Any
    version: int | None = None  # the edited or created record's version after the change
    key: str = ""


@dataclass
class ImportPreview:
    """What importing a file would do; ``import_ledger`` stores exactly this."""

    ledger: str
    department: str
    year: int
    source: str
    new: bool  # the department-year is not stored yet
    lines: list[str]  # one per table that changes
    created: int
    updated: int
    unchanged: int
    missing: list[tuple[str, str]] = field(default_factory=list)  # (table, key) the file leaves out

    def text(self, confirm_delete: bool = False) -> str:
        head = f"导入预览：{self.source} → 部门 {self.department} {self.year} 年度" + ("（新建）" if self.new else "")
        body = [f"  {line}" for line in self.lines] or ["  与已保存的台账相同，无变化"]
        tail = []
        if self.missing and not confirm_delete:
            tail.append(f"文件中没有的 {len(self.missing)} 条记录不会被删除；"
                        "确需删除请确认（命令行加 --delete-missing）。")
        return "\n".join([head, *body, *tail])


# ---------------------------------------------------------------- helpers

def _ledger(key: str) -> Ledger:
    try:
        return features.ledger(key)
    except KeyError:
        raise NotFound(f"没有名为“{key}”的台账", key) from None


def _department(actor: ActorLike, code: str, permission: str) -> Department:
    return scope.department(actor, code, permission)  # type: ignore[arg-type]


def _table(ledger: Ledger, table: str) -> TableStore:
    try:
        return ledger.table(table)
    except KeyError:
        raise NotFound(f"{ledger.noun}没有“{table}”表", table) from None


def _values(t: TableStore, raw: Mapping[str, Any], where: str, partial: bool) -> dict[str, Any]:
    """Raw values (form text, JSON values or typed ones) as the fields' types; every problem named."""
    specs = {s.attr: s for s in t.table.specs}
    problems, out = [], {}
    for attr in raw:
        if attr not in specs:
            problems.append(Problem(f"{where}.{attr}", f"“{attr}”不是{t.table.sheet}的字段"))
    for attr, spec in specs.items():
        if partial and attr not in raw:
            continue
        value, problem = parse_value(spec, raw.get(attr))
        if problem:
            problems.append(Problem(f"{where}.{attr}", problem, spec.title))
        elif value is not None or attr in raw:
            out[attr] = value
    if problems:
        raise InputError(problems)
    return out


def _year_row(ledger: Ledger, dept: Department, year: int) -> Any:
    # select_for_update: concurrent writers of the department-year queue up behind this one
    row = ledger.year_model.objects.select_for_update().filter(department=dept, year=year).first()
    if row is None:
        raise NotFound(f"部门“{dept.code}”没有{year}年度的{ledger.noun}", f"{dept.code}/{year}")
    return row


def _keyed_rows(ledger: Ledger, year_row: Any) -> dict[str, list[tuple[str, Any]]]:
    """The stored core rows of every table with their keys, in key order."""
    out = {}
    for t in ledger.tables:
        records = ledger._records(t, year_row, for_keys=True)
        values = [ledger._values(t, r) for r in records]
        keys = record_keys(t.table, values)
        out[t.key] = [(k, ledger._core(t, r)) for k, r in zip(keys, records, strict=True)]
    return out


def _stale(ledger: Ledger, t: TableStore, key: str, row: Any, base_version: int) -> Conflict:
    titles = {s.attr: s.title for s in t.table.specs}
    titles.update({f.name: str(f.verbose_name) for f in t.model._meta.fields})
    message = changes_since(f"{t.table.sheet}“{key}”", base_version, row.version,
                            ledger.entries_since(t.key, row.pk, base_version), titles)
    return Conflict(message, f"{t.table.sheet}（{key}）")


def _save_rows(actor: ActorLike, ledger: Ledger, dept: Department, year: int, year_row: Any,
               rows: Mapping[str, list[Any]], reason: str, delete: tuple[tuple[str, str], ...] = (),
               renames: Mapping[tuple[str, str], str] | None = None) -> tuple[Plan, SaveResult]:
    """Check ``rows`` as the whole year (the core's checks, the pinned rules) and store them."""
    rules = ledger.rules_of(year_row)
    core_ledger = ledger.assemble(dept.code, year, ledger.stored_header(year_row), rows, rules)
    plan = ledger.plan(dept, year, core_ledger, rules, renames)
    unexpected = [m for m in plan.missing if m not in delete]
    if unexpected:  # the rows came from the stored year: only the deleted record may be missing
        raise InputError("台账记录读取不完整，未保存任何修改，请重试", ledger.noun)
    return plan, ledger.apply(plan, actor.name, reason, delete=delete)


# ---------------------------------------------------------------- records

def create_record(actor: ActorLike, ledger_key: str, code: str, year: int, table: str, values: Mapping[str, Any],
                  reason: str = "", linked: Mapping[str, list[Mapping[str, Any]]] | None = None) -> Saved:
    """Add one record to a stored department-year (its key must be new). ``linked``: rows of
    other tables saved with it in the same check and write — a 问题直通车 ticket with its first
    step (受理), a project with its credit share — when the ledger's checks need them together."""
    ledger = _ledger(ledger_key)
    t = _table(ledger, table)
    with transaction.atomic():
        dept = _department(actor, code, "edit")
        year_row = _year_row(ledger, dept, year)
        where = f"{t.table.sheet}（新增）"
        parsed = _values(t, values, where, partial=False)
        columns = t.columns(year_row) if t.columns else {}
        carried = {a: columns[a] for a in t.carried}
        try:
            obj = t.table.cls(**parsed, **carried)
        except TypeError as exc:  # a required field the table does not mark required
            raise InputError(f"缺少必填字段：{exc}", where) from None
        key = record_keys(t.table, [object_values(t.table, obj)])[0]
        keyed = _keyed_rows(ledger, year_row)
        if any(k == key for k, _ in keyed[t.key]):
            raise InputError(f"{t.table.sheet}中已有“{key}”，请修改该记录或换用其他编号", where)
        rows = {k: [obj for _, obj in pairs] for k, pairs in keyed.items()}
        rows[t.key].append(obj)
        for other, extra_rows in (linked or {}).items():
            lt = _table(ledger, other)
            for n, raw in enumerate(extra_rows, 1):
                rows[lt.key].append(lt.table.cls(**_values(lt, raw, f"{lt.table.sheet}（新增 {n}）", partial=False)))
        plan, result = _save_rows(actor, ledger, dept, year, year_row, rows, reason or f"新增{t.table.sheet}记录")
        new_key = record_keys(t.table, [object_values(t.table, o) for o in rows[t.key]])[-1]
    return Saved(ledger_key, code, year, result, plan.rules, version=1, key=new_key)


def edit_record(actor: ActorLike, ledger_key: str, code: str, year: int, table: str, key: str,
                values: Mapping[str, Any], base_version: int, reason: str = "") -> Saved:
    """Change fields of one record, based on the version the caller saw (``base_version``)."""
    ledger = _ledger(ledger_key)
    t = _table(ledger, table)
    with transaction.atomic():
        dept = _department(actor, code, "edit")
        year_row = _year_row(ledger, dept, year)
        found = ledger.record(code, year, table, key)
        if found is None:
            raise NotFound(f"未找到{t.table.sheet}“{key}”", f"{t.table.sheet}（{key}）")
        row, _ = found
        row = t.model.objects.select_for_update().get(pk=row.pk)
        if row.version != base_version:
            raise _stale(ledger, t, key, row, base_version)
        parsed = _values(t, values, f"{t.table.sheet}（{key}）", partial=True)
        keyed = _keyed_rows(ledger, year_row)
        rows = {k: [obj for _, obj in pairs] for k, pairs in keyed.items()}
        index = next(i for i, (k, _) in enumerate(keyed[t.key]) if k == key)
        rows[t.key][index] = dataclasses.replace(rows[t.key][index], **parsed)
        new_key = record_keys(t.table, [object_values(t.table, o) for o in rows[t.key]])[index]
        renames = {(t.key, new_key): key} if new_key != key else None
        plan, result = _save_rows(actor, ledger, dept, year, year_row, rows, reason or f"修改{t.table.sheet}记录",
                                  renames=renames)
        version = t.model.objects.get(pk=row.pk).version
    return Saved(ledger_key, code, year, result, plan.rules, version=version, key=new_key)


def delete_record(actor: ActorLike, ledger_key: str, code: str, year: int, table: str, key: str,
                  base_version: int | None, reason: str = "") -> Saved:
    """Delete one record (the call is the confirmation), based on the version the caller saw;
    ``None`` skips the version check (the command line names the record by key alone)."""
    ledger = _ledger(ledger_key)
    t = _table(ledger, table)
    with transaction.atomic():
        dept = _department(actor, code, "edit")
        year_row = _year_row(ledger, dept, year)
        found = ledger.record(code, year, table, key)
        if found is None:
            raise NotFound(f"未找到{t.table.sheet}“{key}”", f"{t.table.sheet}（{key}）")
        row, _ = found
        row = t.model.objects.select_for_update().get(pk=row.pk)
        if base_version is not None and row.version != base_version:
            raise _stale(ledger, t, key, row, base_version)
        keyed = _keyed_rows(ledger, year_row)
        rows = {k: [obj for k2, obj in pairs if not (k == t.key and k2 == key)] for k, pairs in keyed.items()}
        plan, result = _save_rows(actor, ledger, dept, year, year_row, rows, reason or f"删除{t.table.sheet}记录",
                                  delete=((t.key, key),))
    return Saved(ledger_key, code, year, result, plan.rules, key=key)


def start_year(actor: ActorLike, ledger_key: str, code: str, year: int, header: Mapping[str, Any] | None = None,
               reason: str = "") -> Saved:
    """Begin an empty department-year of a ledger, counted under the newest rule set in force,
    so that records can be added one by one (in the browser) instead of by a file. ``header``:
    the year's own fields (the investment ledger's 计分单位 ``unit``)."""
    ledger = _ledger(ledger_key)
    given = {k: str(v).strip() for k, v in (header or {}).items() if str(v or "").strip()}
    with transaction.atomic():
        dept = _department(actor, code, "edit")
        if ledger.year_model._default_manager.select_for_update().filter(department=dept, year=year).exists():
            raise Conflict(f"部门“{code}”已有{year}年度的{ledger.noun}", f"{code}/{year}")
        missing = [f for f in ledger.header_fields() if f not in given]
        if missing:
            titles = {f.name: str(f.verbose_name) for f in ledger.year_model._meta.fields}
            raise InputError([Problem(f"{ledger.noun}.{f}", f"请填写{titles.get(f, f)}", titles.get(f, f))
                              for f in missing])
        rules = ledger.rules_for(code, year)
        core_ledger = ledger.assemble(code, year, {"origin": "录入", **given}, {}, rules)
        plan = ledger.plan(dept, year, core_ledger, rules)
        result = ledger.apply(plan, actor.name, reason or f"新建{year}年度{ledger.noun}")
    return Saved(ledger_key, code, year, result, rules)


# ---------------------------------------------------------------- files

def _import_plan(ledger: Ledger, dept: Department, core_ledger: Any, rule_sets: list[Any] | None) -> Plan:
    rules = ledger.rules_for(dept.code, core_ledger.year, rule_sets)
    # the file was checked when read; check it again with the rules the year is counted under
    checked = ledger.assemble(dept.code, core_ledger.year, ledger.header(core_ledger), ledger.flat(core_ledger), rules)
    return ledger.plan(dept, core_ledger.year, checked, rules)


def _preview(ledger: Ledger, plan: Plan, source: str, confirm_delete: bool) -> ImportPreview:
    plans = plan.table_plans
    return ImportPreview(
        ledger=ledger.key, department=plan.dept.code, year=plan.year, source=source, new=plan.year_row is None,
        lines=plan_text(plans, confirm_delete), created=sum(len(p.created) for p in plans),
        updated=sum(len(p.updated) for p in plans), unchanged=sum(len(p.unchanged) for p in plans),
        missing=plan.missing)


def preview_import(actor: ActorLike, ledger_key: str, core_ledger: Any, source: str = "",
                   rule_sets: list[Any] | None = None, confirm_delete: bool = False) -> ImportPreview:
    """What importing ``core_ledger`` (a file, read and checked) would do — with ``confirm_delete``,
    deleting the stored records it leaves out; nothing is written."""
    ledger = _ledger(ledger_key)
    with transaction.atomic():
        dept = _department(actor, core_ledger.department, "upload")
        return _preview(ledger, _import_plan(ledger, dept, core_ledger, rule_sets), source, confirm_delete)


def import_ledger(actor: ActorLike, ledger_key: str, core_ledger: Any, source: str = "", reason: str = "",
                  confirm_delete: bool = False, rule_sets: list[Any] | None = None) -> tuple[ImportPreview, Saved]:
    """Store a file's department-year, all or nothing: its records upserted by key; stored
    records the file leaves out deleted only with ``confirm_delete``, else kept as they are."""
    ledger = _ledger(ledger_key)
    with transaction.atomic():
        dept = _department(actor, core_ledger.department, "upload")
        plan = _import_plan(ledger, dept, core_ledger, rule_sets)
        preview = _preview(ledger, plan, source, confirm_delete)
        if plan.missing and not confirm_delete:
            rows = merge_kept(ledger, plan, plan.missing)
            kept = ledger.assemble(dept.code, plan.year, ledger.header(core_ledger), rows, plan.rules)
            plan = ledger.plan(dept, plan.year, kept, plan.rules)
        result = ledger.apply(plan, actor.name, reason or f"导入 {source}".strip(),
                              delete=tuple(plan.missing) if confirm_delete else ())
    return preview, Saved(ledger_key, dept.code, plan.year, result, plan.rules)


def recount(actor: ActorLike, ledger_key: str, code: str, year: int, rule_id: str | None = None,
            version: int | None = None, rule_sets: list[Any] | None = None) -> Saved:
    """Count a stored year again — with its pinned rule set, or deliberately with another one
    (``rule_id``, optionally ``version``), which then becomes the year's pinned rule set. For
    land this re-classifies every parcel; changed classifications are logged as 认定."""
    ledger = _ledger(ledger_key)
    with transaction.atomic():
        dept = _department(actor, code, "edit")
        year_row = _year_row(ledger, dept, year)
        sets = ledger.rule_sets(rule_sets)
        if rule_id:
            matching = [r for r in sets if r.id == rule_id and (version is None or r.version == version)]
            if not matching:
                raise InputError(f"找不到{ledger.rules_what}“{rule_id}”" + (f" v{version}" if version else ""), "规则")
            rules = max(matching, key=lambda r: r.version)
        else:
            rules = ledger.rules_of(year_row, sets)
        rows = {k: [obj for _, obj in pairs] for k, pairs in _keyed_rows(ledger, year_row).items()}
        core_ledger = ledger.assemble(code, year, ledger.stored_header(year_row), rows, rules)
        plan = ledger.plan(dept, year, core_ledger, rules)
        result = ledger.apply(plan, actor.name, f"按{rules.label}重新{ledger.counted}", pin=True)
    return Saved(ledger_key, code, year, result, rules)


def load_demo(ledger_key: str, core_ledger: Any, reason: str) -> Saved:
    """(Re)load a ledger's illustrative rows into the demo department, marked 示例: a system
    action, like loading the demo department-year; records the demo file no longer has go."""
    core_ledger.origin = SAMPLE_ORIGIN
    actor = Actor(name=DEMO_WHO, system=True)
    _, saved = import_ledger(actor, ledger_key, core_ledger, source="示例数据", reason=reason, confirm_delete=True)
    return saved
