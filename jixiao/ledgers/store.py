"""The database side shared by the park ledgers: department lookup, column-capacity checks, core
rows ⇄ model rows, the change history, and ``SnapshotLedger`` — a ledger stored as one snapshot
per department-year (investment, enterprise) that an import replaces as a whole, in one
transaction, after every row has been checked, logging per record and field what it changed."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

from django.db import models, transaction

from jixiao.budget.models import Department
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import (
    SAMPLE_ORIGIN, Change, RowWhere, Table, diff_records, keyed_rows, pinned_rule_set,
)
from jixiao.ledgers.models import ChangeRecord, SnapshotYear

SYSTEM_USER = "系统"
_BATCH = 500


def who(user: Any) -> str:
    """The name written into the history: a user object, a name, or the system."""
    if user is None:
        return SYSTEM_USER
    if isinstance(user, str):
        return user
    return getattr(user, "get_username", lambda: str(user))()


def department(code: str) -> Department:
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise InputError(f"部门“{code}”不存在，请先导入该部门的年度数据（jixiao import）", "部门编码") from None


def capacity_problems(model: type[models.Model], table: Table, rows: Iterable[Any], where: RowWhere,
                      attrs: Sequence[str] | None = None) -> list[Problem]:
    """Values the columns cannot hold exactly, reported instead of silently rounded or cut."""
    problems = []
    specs = [s for s in table.specs if attrs is None or s.attr in attrs]
    fields = {s.attr: model._meta.get_field(s.attr) for s in specs}
    for i, obj in enumerate(rows):
        for spec in specs:
            f, value = fields[spec.attr], getattr(obj, spec.attr)
            if isinstance(f, models.DecimalField) and isinstance(value, Decimal):
                exp = value.normalize().as_tuple().exponent
                places = -exp if isinstance(exp, int) and exp < 0 else 0
                whole = len(str(int(value))) if value >= 1 else 0
                if places > f.decimal_places:
                    problems.append(Problem(where(i, spec.attr), f"最多保留{f.decimal_places}位小数", spec.title))
                elif whole > f.max_digits - f.decimal_places:
                    problems.append(Problem(where(i, spec.attr), "数值过大，请检查单位", spec.title))
            elif isinstance(f, models.CharField) and isinstance(value, str) and len(value) > f.max_length:
                problems.append(Problem(where(i, spec.attr), f"不能超过{f.max_length}个字", spec.title))
            elif isinstance(f, models.PositiveIntegerField) and isinstance(value, int) and value > 2_147_483_647:
                problems.append(Problem(where(i, spec.attr), "数值过大", spec.title))
    return problems


def to_rows(model: type[models.Model], table: Table, objs: Iterable[Any], **extra: Any) -> list[models.Model]:
    """Unsaved model rows for ``bulk_create``; ordered tables keep the file's order in ``position``."""
    ordered = any(f.name == "position" for f in model._meta.fields)
    out = []
    for pos, obj in enumerate(objs):
        values = {a: getattr(obj, a) for a in table.attrs}
        if ordered:
            values["position"] = pos
        out.append(model(**values, **extra))
    return out


def to_core(table: Table, rows: Iterable[models.Model], **extra: Any) -> list[Any]:
    return [table.cls(**{a: getattr(r, a) for a in table.attrs}, **extra) for r in rows]


def write_history(model: type[ChangeRecord], changes: Iterable[Change], key_field: str, **common: Any) -> None:
    """Append the changes, each with who, when, department, year and reason (``common``)."""
    model.objects.bulk_create((model(**{key_field: c.record}, action=c.action, field=c.field, before=c.before,
                                     after=c.after, **common) for c in changes), batch_size=_BATCH)


def demo_ledger(read_json: Callable[[Path], Any], path: Path, dy: Any) -> Any | None:
    """The illustrative ledger of ``path`` when it belongs to the demo department ``dy``, marked 示例."""
    ledger = read_json(path)
    if ledger.department != dy.department.code:
        return None
    ledger.origin = SAMPLE_ORIGIN
    return ledger


# ---------------------------------------------------------------- snapshot ledgers

@dataclass(frozen=True)
class SnapshotLedger:
    """A ledger kept as one snapshot per department-year: the year row (with its pinned rule
    set) and one model per table, whose columns carry the table's attribute names."""

    year_model: type[SnapshotYear]
    change_model: type[ChangeRecord]
    tables: tuple[Table, ...]
    models: Mapping[str, type[models.Model]]  # table key → model
    noun: str  # 招商台账
    command: str  # the CLI command that imports it
    rules_what: str  # 招商统计规则
    load_rules: Callable[[], list[Any]]
    select_rules: Callable[[list[Any], int], Any]  # the newest rule set in force in a year

    def where(self, table: str, i: int, attr: str) -> str:
        sheet = next(t.sheet for t in self.tables if t.key == table)
        return f"{sheet}[{i + 1}].{attr}"

    def years(self, code: str) -> list[int]:
        return list(self.year_model.objects.filter(department__code=code).order_by("year")
                    .values_list("year", flat=True))

    def exists(self, code: str, year: int) -> bool:
        return self.year_model.objects.filter(department__code=code, year=year).exists()

    def year_row(self, code: str, year: int) -> SnapshotYear:
        row = self.year_model.objects.filter(department=department(code), year=year).first()
        if row is None:
            raise InputError(f"部门“{code}”没有{year}年度的{self.noun}，请先导入（jixiao {self.command} import）", self.noun)
        return row

    def _sets(self, rule_sets: Iterable[Any] | None) -> list[Any]:
        return list(rule_sets) if rule_sets is not None else self.load_rules()

    def rules_of(self, row: SnapshotYear, rule_sets: Iterable[Any] | None = None) -> Any:
        return pinned_rule_set(self._sets(rule_sets), (row.rule_id, row.rule_version), self.rules_what, "统计")

    def rules_for(self, dept: Department, year: int, rule_sets: Iterable[Any] | None = None) -> Any:
        """The rule set a save counts under: the year's pinned one, or for a new year the newest in force."""
        row = self.year_model.objects.filter(department=dept, year=year).first()
        if row is not None:
            return self.rules_of(row, rule_sets)
        return self.select_rules(self._sets(rule_sets), year)

    def load_tables(self, row: SnapshotYear) -> dict[str, list[Any]]:
        return {t.key: to_core(t, self.models[t.key].objects.filter(ledger=row)) for t in self.tables}

    def check(self, rows: Mapping[str, Sequence[Any]], problems: list[Problem]) -> None:
        """Raise with the ledger's own problems plus every value its columns cannot hold."""
        for t in self.tables:
            problems += capacity_problems(self.models[t.key], t, rows[t.key],
                                          lambda i, a, t=t: self.where(t.key, i, a))
        if problems:
            raise InputError(problems)

    def replace(self, dept: Department, year: int, rows: Mapping[str, Sequence[Any]], rules: Any, user: Any,
                reason: str, origin: str, **fields: Any) -> None:
        """Replace the department's snapshot of ``year``. Replacing a stored snapshot logs every
        record and field it changed; the first snapshot of a year is recorded by its year row
        (who, when, why) alone — thousands of 新增 entries would say nothing more."""
        name = who(user)
        with transaction.atomic():
            existing = self.year_model.objects.filter(department=dept, year=year).first()
            old = {t.key: self._stored(existing, t) for t in self.tables} if existing else None
            if existing:
                existing.delete()
            row = self.year_model.objects.create(department=dept, year=year, rule_id=rules.id,
                                                 rule_version=rules.version, origin=origin, saved_by=name,
                                                 reason=reason[:300], **fields)
            for t in self.tables:
                self.models[t.key].objects.bulk_create(to_rows(self.models[t.key], t, rows[t.key], ledger=row),
                                                       batch_size=_BATCH)
            if old is None:
                return
            for t in self.tables:
                new = keyed_rows(t, ({a: getattr(r, a) for a in t.attrs} for r in rows[t.key]))
                write_history(self.change_model, diff_records(old[t.key], new), "record", table=t.key,
                              who=name, department=dept.code, year=year, reason=reason)

    def _stored(self, row: SnapshotYear, table: Table) -> dict[str, dict[str, Any]]:
        # insertion order is the file's order, which tells apart rows sharing an identity
        values = self.models[table.key].objects.filter(ledger=row).order_by("id").values(*table.attrs)
        return keyed_rows(table, values)

    def history(self, code: str, year: int) -> list[ChangeRecord]:
        return list(self.change_model.objects.filter(department=code, year=year))
