"""The one storage mechanism of the park ledgers (land, investment, enterprise, and any new one).

A ledger is declared as data — a ``Ledger``: its year model, change model, one ``TableStore`` per
field table (``jixiao.core.ledger.Table`` plus its model) and the few functions that differ
(how core rows become the core ledger, its checks in the core, derived fields such as land's
classification). Everything else is here, once:

- reading a department-year back into the core ledger;
- ``plan``: what bringing the stored year to a new core ledger does, record by record, by each
  record's key (its natural identity, ``jixiao.core.ledger.record_keys``), with every value the
  columns cannot hold reported (``jixiao.services.capacity``) before anything is written;
- ``apply``: the write, in the caller's transaction — created records inserted (version 1),
  changed ones updated in place (row identity kept, ``version`` + 1), records the plan may delete
  deleted, and one append-only history row per created or deleted record and per changed field,
  naming the record by id and key, with its version after the change.

Only ``jixiao.services.ledgers`` calls ``apply``: it decides who may write, which records may
be deleted, and checks versions.
"""
from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from django.utils import timezone

from jixiao.budget.models import Department
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import (
    Entry,
    Table,
    TablePlan,
    Where,
    as_text,
    object_values,
    pinned_rule_set,
    plan_table,
    record_keys,
    record_text,
)
from jixiao.ledgers.models import ChangeRecord, LedgerYear
from jixiao.services.capacity import problems_for

SYSTEM_USER = "系统"
_BATCH = 500
# the fields every year row has (LedgerYear's, its key and department, land's classification time)
_YEAR_FIELDS = {"id", "department", "year", "rule_id", "rule_version", "origin", "saved_by", "saved_at", "reason",
                "classified_at"}

YearT = TypeVar("YearT", bound=LedgerYear)  # the ledger's concrete year model
ChangeT = TypeVar("ChangeT", bound=ChangeRecord)  # the ledger's concrete change model


def department(code: str) -> Department:
    try:
        return Department.objects.get(code=code)
    except Department.DoesNotExist:
        raise InputError(f"部门“{code}”不存在，请先导入该部门的年度数据（jixiao import）", "部门编码") from None


# ---------------------------------------------------------------- declarations

@dataclass(frozen=True)
class Ref:
    """A core attribute naming a record of another table of the ledger, stored as a foreign key:
    land's disposal names its parcel by ``parcel_id``, stored as ``Disposal.parcel``."""

    fk: str  # the foreign key field of the model
    table: str  # the referenced table's key
    attr: str  # the referenced record's attribute the core value matches


@dataclass(frozen=True)
class TableStore:
    """One field table of a ledger and the model its records are stored in. The model's columns
    carry the table's attribute names, plus ``ledger`` (the year row), ``version`` and, for an
    ordered table, ``position``."""

    table: Table
    model: Any  # a LedgerRecord model (typed loosely: abstract bases have no manager for mypy)
    refs: Mapping[str, Ref] = field(default_factory=dict)
    carried: tuple[str, ...] = ()  # model fields handed to the core row besides the table's
    columns: Callable[[LedgerYear], dict[str, Any]] | None = None  # further values of a new row
    derived: tuple[str, ...] = ()  # fields the ledger computes (``Ledger.derive``): stored and logged
    silent: tuple[str, ...] = ()  # derived fields stored but not logged (their effect shows elsewhere)

    @property
    def key(self) -> str:
        return self.table.key

    @property
    def ordered(self) -> bool:
        return any(f.name == "position" for f in self.model._meta.fields)


@dataclass(frozen=True)
class Ledger(Generic[YearT, ChangeT]):
    """A park ledger, declared once: what the generic storage needs to know about it. Its year
    model is reached through ``_default_manager`` (its only manager, ``objects``): the abstract
    ``LedgerYear`` the type variable is bound to declares no manager."""

    key: str  # land / invest / enterprise (its feature's key)
    noun: str  # 土地台账
    command: str  # the CLI command (jixiao land …)
    year_model: type[YearT]
    change_model: type[ChangeT]
    tables: tuple[TableStore, ...]  # referenced tables before those referring to them
    rules_what: str  # 土地识别规则
    counted: str  # 认定 / 统计: how a year is counted under its rule set
    load_rules: Callable[[], list[Any]]
    newest_rules: Callable[[list[Any], int], Any]  # the newest rule set in force in a year
    header: Callable[[Any], dict[str, Any]]  # core ledger → year-row fields (origin, …)
    build: Callable[[str, int, Mapping[str, Any], Mapping[str, list[Any]], Where], tuple[Any, list[Problem]]]
    flat: Callable[[Any], dict[str, list[Any]]]  # core ledger → rows by table key
    check: Callable[[Any, Any, Where], list[Problem]]  # the core's cross-row checks
    derive: Callable[[Any, Any], dict[str, list[dict[str, Any]]]] | None = None  # ledger, rules → table → per row
    derived_action: Callable[[str], str] = lambda attr: "修改"

    def table(self, key: str) -> TableStore:
        for t in self.tables:
            if t.key == key:
                return t
        raise KeyError(key)

    # ------------------------------------------------------------ reading

    def years(self, code: str) -> list[int]:
        return list(self.year_model._default_manager.filter(department__code=code).order_by("year")
                    .values_list("year", flat=True))

    def exists(self, code: str, year: int) -> bool:
        return self.year_model._default_manager.filter(department__code=code, year=year).exists()

    def year_row(self, code: str, year: int) -> YearT:
        row = (self.year_model._default_manager.filter(department__code=code, year=year)
               .select_related("department").first())
        if row is None:
            raise InputError(f"部门“{code}”没有{year}年度的{self.noun}，请先导入（jixiao {self.command} import）",
                             self.noun)
        return row

    def rule_sets(self, rule_sets: Iterable[Any] | None = None) -> list[Any]:
        return list(rule_sets) if rule_sets is not None else self.load_rules()

    def rules_of(self, row: LedgerYear, rule_sets: Iterable[Any] | None = None) -> Any:
        """The rule set the stored year is counted under (its pin)."""
        return pinned_rule_set(self.rule_sets(rule_sets), (row.rule_id, row.rule_version), self.rules_what,
                               self.counted)

    def rules_for(self, code: str, year: int, rule_sets: Iterable[Any] | None = None) -> Any:
        """The rule set a save counts under: the year's pinned one, or for a new year the newest in force."""
        row = self.year_model._default_manager.filter(department__code=code, year=year).first()
        if row is not None:
            return self.rules_of(row, rule_sets)
        return self.newest_rules(self.rule_sets(rule_sets), year)

    def _records(self, t: TableStore, year_row: LedgerYear, for_keys: bool = False) -> list[Any]:
        qs = t.model.objects.filter(ledger=year_row)
        if t.refs:
            qs = qs.select_related(*(r.fk for r in t.refs.values()))
        if for_keys:  # the order that tells apart records sharing an identity: the file's
            qs = qs.order_by("position", "id") if t.ordered else qs.order_by("id")
        return list(qs)

    def _values(self, t: TableStore, row: Any) -> dict[str, Any]:
        values = {}
        for a in t.table.attrs:
            ref = t.refs.get(a)
            values[a] = getattr(getattr(row, ref.fk), ref.attr) if ref else getattr(row, a)
        return values

    def _core(self, t: TableStore, row: Any) -> Any:
        return t.table.cls(**self._values(t, row), **{a: getattr(row, a) for a in t.carried})

    def load_rows(self, year_row: LedgerYear) -> dict[str, list[Any]]:
        """The stored core rows by table key, in the model's order."""
        return {t.key: [self._core(t, r) for r in self._records(t, year_row)] for t in self.tables}

    def load(self, code: str, year: int) -> Any:
        """The stored department-year as the core ledger."""
        row = self.year_row(code, year)
        ledger, problems = self.build(code, year, self.stored_header(row), self.load_rows(row), self.where)
        if problems:  # stored rows were checked when saved: this is a damaged database
            raise InputError(problems)
        return ledger

    def stored_header(self, row: LedgerYear) -> dict[str, Any]:
        names = [f.name for f in self.year_model._meta.concrete_fields]
        return {"origin": row.origin, **{k: getattr(row, k) for k in self.header_fields() if k in names}}

    def header_fields(self) -> list[str]:
        """The year row's own fields besides the shared ones (investment: ``unit``)."""
        return [f.name for f in self.year_model._meta.concrete_fields if f.name not in _YEAR_FIELDS]

    def record(self, code: str, year: int, table: str, key: str) -> tuple[Any, dict[str, Any]] | None:
        """The stored record of ``table`` with key ``key``: its row and its field values."""
        year_row = self.year_model._default_manager.filter(department__code=code, year=year).first()
        if year_row is None:
            return None
        t = self.table(table)
        rows = self._records(t, year_row, for_keys=True)
        values = [self._values(t, r) for r in rows]
        for k, row, v in zip(record_keys(t.table, values), rows, values, strict=True):
            if k == key:
                return row, v
        return None

    def history(self, code: str, year: int, table: str | None = None, record: str | None = None
                ) -> list[ChangeT]:
        rows = self.change_model.objects.filter(department=code, year=year)
        if table is not None:
            rows = rows.filter(table=table)
        if record is not None:
            rows = rows.filter(record=record)
        return list(rows)

    def entries_since(self, table: str, record_id: int, version: int) -> list[Entry]:
        """The history of one record (a table's row id) after ``version``, oldest first."""
        rows = (self.change_model.objects.filter(table=table, record_id=record_id, version__gt=version)
                .order_by("when", "id"))
        return [Entry(r.when, r.who, r.action, r.field, r.before, r.after, r.version) for r in rows]

    def where(self, table: str, i: int, attr: str) -> str:
        """Where a problem of a stored (or about to be stored) row is: ``宗地台账[3].tax``."""
        return f"{self.table(table).table.sheet}[{i + 1}].{attr}"

    # ------------------------------------------------------------ checking and planning

    def assemble(self, code: str, year: int, header: Mapping[str, Any], rows: Mapping[str, list[Any]],
                 rules: Any, where: Where | None = None) -> Any:
        """The core ledger from rows by table, after every check of the core; raises with every problem."""
        ledger, problems = self.build(code, year, header, rows, where or self.where)
        problems += self.check(ledger, rules, where or self.where)
        if problems:
            raise InputError(problems)
        return ledger

    def plan(self, dept: Department, year: int, ledger: Any, rules: Any,
             renames: Mapping[tuple[str, str], str] | None = None) -> Plan:
        """What saving ``ledger`` would do; raises when a value does not fit its column.
        ``renames``: (table, new key) → the stored key of a record whose identity an edit changed."""
        year_row = self.year_model._default_manager.filter(department=dept, year=year).first()
        rows = self.flat(ledger)
        derived = self.derive(ledger, rules) if self.derive else {}
        tables, problems = [], []
        for t in self.tables:
            stored = self._records(t, year_row, for_keys=True) if year_row else []
            old_values = [self._values(t, r) | {a: getattr(r, a) for a in t.derived} for r in stored]
            old_keys = record_keys(t.table, old_values)
            for (table, new_key), old_key in (renames or {}).items():
                if table == t.key and old_key in old_keys:
                    old_keys[old_keys.index(old_key)] = new_key
            new_rows = rows.get(t.key, [])
            new_values = [object_values(t.table, obj) | (derived.get(t.key) or [{}] * len(new_rows))[i]
                          for i, obj in enumerate(new_rows)]
            new_keys = record_keys(t.table, new_values)
            tp = plan_table(t.table, dict(zip(old_keys, old_values, strict=True)),
                            dict(zip(new_keys, new_values, strict=True)))
            tables.append(TableDiff(t, tp, dict(zip(old_keys, stored, strict=True)),
                                    dict(zip(old_keys, old_values, strict=True)), new_keys, new_values))
            for i, (key, values) in enumerate(zip(new_keys, new_values, strict=True)):
                if key in tp.created or key in tp.updated:
                    problems += problems_for(self._instance(t, values), f"{t.table.sheet}[{i + 1}]（{key}）")
        if problems:
            raise InputError(problems)
        return Plan(self, dept, year, year_row, ledger, rules, tables)

    def _instance(self, t: TableStore, values: Mapping[str, Any]) -> Any:
        return t.model(**{a: v for a, v in values.items() if a not in t.refs})

    # ------------------------------------------------------------ writing (jixiao.services.ledgers only)

    def apply(self, plan: Plan, who: str, reason: str, delete: Collection[tuple[str, str]] = (),
              pin: bool = False) -> SaveResult:
        """Write ``plan`` (inside the caller's transaction). Stored records the new rows leave out
        are deleted only when (table, key) is in ``delete``; the others are kept as they are.
        ``pin``: the year is counted under ``plan.rules`` from now on (a new year always is)."""
        now = timezone.now()
        year_row = plan.year_row
        header = {"origin": self.header(plan.ledger).get("origin", "录入"),
                  **{k: v for k, v in self.header(plan.ledger).items() if k in self.header_fields()}}
        if year_row is None:
            year_row = self.year_model._default_manager.create(
                department=plan.dept, year=plan.year, rule_id=plan.rules.id, rule_version=plan.rules.version,
                saved_by=who, saved_at=now, reason=reason[:300], **header)
        else:
            for k, v in header.items():
                setattr(year_row, k, v)
            year_row.saved_by, year_row.saved_at, year_row.reason = who, now, reason[:300]
            if pin:
                year_row.rule_id, year_row.rule_version = plan.rules.id, plan.rules.version
            year_row.save()
        log: list[ChangeT] = []
        common = {"who": who, "when": now, "department": plan.dept.code, "year": plan.year, "reason": reason}
        result = SaveResult()
        # deletions first, referring tables before those they refer to
        for d in reversed(plan.tables):
            gone = [k for k in d.plan.missing if (d.store.key, k) in delete]
            for k in gone:
                row = d.stored[k]
                log.append(self.change_model(table=d.store.key, record_id=row.pk, record=k, version=row.version,
                                             action="删除", before=record_text(d.old[k]), **common))
            if gone:
                d.store.model.objects.filter(pk__in=[d.stored[k].pk for k in gone]).delete()
                result.deleted[d.store.key] = gone
        rows_by_table: dict[str, list[Any]] = {}
        for d in plan.tables:
            log += self._write_table(d, year_row, rows_by_table, common, result)
        self.change_model.objects.bulk_create(log, batch_size=_BATCH)
        return result

    def _write_table(self, d: TableDiff, year_row: LedgerYear, rows_by_table: dict[str, list[Any]],
                     common: dict[str, Any], result: SaveResult) -> list[ChangeT]:
        t = d.store
        parents = {a: {getattr(r, ref.attr): r for r in rows_by_table.get(ref.table, [])}
                   for a, ref in t.refs.items()}
        extra = t.columns(year_row) if t.columns else {}
        created, updated, dirty, log = [], [], set(), []
        final: list[Any] = []
        for pos, (key, values) in enumerate(zip(d.new_keys, d.new_values, strict=True)):
            row = d.stored.get(key)
            if row is None:
                row = self._instance(t, values)
                row.ledger = year_row
                for k, v in extra.items():
                    setattr(row, k, v)
                for a, ref in t.refs.items():
                    setattr(row, ref.fk, parents[a][values[a]])
                if t.ordered:
                    row.position = pos
                created.append((key, row, values))
            else:
                fields = d.plan.updated.get(key, [])
                for a in fields:
                    if a in t.refs:
                        setattr(row, t.refs[a].fk, parents[a][values[a]])
                        dirty.add(t.refs[a].fk)
                    else:
                        setattr(row, a, values[a])
                        dirty.add(a)
                if fields:
                    row.version += 1
                    dirty.add("version")
                    updated.append(row)
                    for a in fields:
                        if a in t.silent:
                            continue
                        action = self.derived_action(a) if a in t.derived else "修改"
                        log.append(self.change_model(
                            table=t.key, record_id=row.pk, record=key, version=row.version, action=action,
                            field=a, before=as_text(d.old[key].get(a)), after=as_text(values[a]), **common))
                if t.ordered and row.position != pos:
                    row.position = pos
                    dirty.add("position")
                    if not fields:
                        updated.append(row)
            final.append(row)
        t.model.objects.bulk_create([row for _, row, _ in created], batch_size=_BATCH)
        if updated:
            t.model.objects.bulk_update(updated, sorted(dirty), batch_size=200)
        for key, row, values in created:
            log.append(self.change_model(table=t.key, record_id=row.pk, record=key, version=row.version,
                                         action="新增", after=record_text(values), **common))
        kept = [row for k, row in d.stored.items() if k in d.plan.missing and k not in result.deleted.get(t.key, [])]
        rows_by_table[t.key] = final + kept
        if created:
            result.created[t.key] = [k for k, _, _ in created]
        if d.plan.updated:
            result.updated[t.key] = list(d.plan.updated)
        return log


# ---------------------------------------------------------------- plans and results

@dataclass
class TableDiff:
    store: TableStore
    plan: TablePlan
    stored: dict[str, Any]  # key → stored row
    old: dict[str, dict[str, Any]]  # key → stored values
    new_keys: list[str]
    new_values: list[dict[str, Any]]


@dataclass
class Plan:
    """What saving a core ledger into a department-year does (``Ledger.plan``)."""

    ledger_def: Ledger
    dept: Department
    year: int
    year_row: LedgerYear | None
    ledger: Any
    rules: Any
    tables: list[TableDiff]

    @property
    def table_plans(self) -> list[TablePlan]:
        return [d.plan for d in self.tables]

    @property
    def missing(self) -> list[tuple[str, str]]:
        """(table key, record key) of every stored record the new ledger leaves out."""
        return [(d.store.key, k) for d in self.tables for k in d.plan.missing]

    @property
    def changed(self) -> bool:
        return self.year_row is None or any(d.plan.created or d.plan.updated for d in self.tables)


@dataclass
class SaveResult:
    created: dict[str, list[str]] = field(default_factory=dict)  # table key → record keys
    updated: dict[str, list[str]] = field(default_factory=dict)
    deleted: dict[str, list[str]] = field(default_factory=dict)

    def count(self, what: str) -> int:
        return sum(len(v) for v in getattr(self, what).values())


def merge_kept(ledger_def: Ledger, plan: Plan, keep: Sequence[tuple[str, str]]) -> dict[str, list[Any]]:
    """The new ledger's rows with the stored records of ``keep`` (table, key) appended to their
    tables: what an import that deletes nothing unconfirmed stores."""
    rows = {k: list(v) for k, v in ledger_def.flat(plan.ledger).items()}
    for d in plan.tables:
        for k in d.plan.missing:
            if (d.store.key, k) in keep:
                rows.setdefault(d.store.key, []).append(ledger_def._core(d.store, d.stored[k]))
    return rows
