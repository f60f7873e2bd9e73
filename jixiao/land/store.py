"""The database ⇄ ``jixiao.core.land`` boundary for the land ledger.

``save_ledger`` replaces one department's ledger for one survey year in a single transaction:
every row is checked first, the parcels are classified with the year's pinned rule set, and every
changed field is appended to ``ParcelChange``. Other years and other departments are untouched.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterable

from django.db import models, transaction

from jixiao.budget import models as budget
from jixiao.core import land
from jixiao.core.errors import InputError, Problem
from jixiao.land import models as m
from jixiao.land import records

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "land-2022.json"
SYSTEM_USER = "系统"

_PARCEL_ATTRS = [s.attr for s in records.PARCEL_FIELDS]
_DISPOSAL_ATTRS = [s.attr for s in records.DISPOSAL_FIELDS]


def _who(user: Any) -> str:
    if user is None:
        return SYSTEM_USER
    if isinstance(user, str):
        return user
    return getattr(user, "get_username", lambda: str(user))()


def _department(code: str) -> budget.Department:
    try:
        return budget.Department.objects.get(code=code)
    except budget.Department.DoesNotExist:
        raise InputError(f"部门“{code}”不存在，请先导入该部门的年度数据（jixiao import）", "部门编码") from None


def _sets(rule_sets: Iterable[land.RuleSet] | None) -> list[land.RuleSet]:
    return list(rule_sets) if rule_sets is not None else land.load_rule_sets()


def _pin(dept: budget.Department, year: int) -> tuple[str, int] | None:
    row = m.LandYear.objects.filter(department=dept, year=year).first()
    return (row.rule_id, row.rule_version) if row else None


# ---------------------------------------------------------------- checks against column sizes

def _capacity(model: type[models.Model], obj: Any, attrs: list[str], where: Any) -> list[Problem]:
    """Values the columns cannot hold exactly, reported instead of silently rounded or cut."""
    problems = []
    for attr in attrs:
        f = model._meta.get_field(attr)
        value = getattr(obj, attr)
        if isinstance(f, models.DecimalField) and isinstance(value, Decimal):
            exp = value.normalize().as_tuple().exponent
            places = -exp if isinstance(exp, int) and exp < 0 else 0
            whole = len(str(int(value))) if value >= 1 else 0
            if places > f.decimal_places:
                problems.append(Problem(where(attr), f"最多保留{f.decimal_places}位小数", f.verbose_name))
            elif whole > f.max_digits - f.decimal_places:
                problems.append(Problem(where(attr), "数值过大，请检查单位", f.verbose_name))
        elif isinstance(f, models.CharField) and isinstance(value, str) and len(value) > f.max_length:
            problems.append(Problem(where(attr), f"不能超过{f.max_length}个字", f.verbose_name))
        elif isinstance(f, models.PositiveIntegerField) and isinstance(value, int) and value > 2_147_483_647:
            problems.append(Problem(where(attr), "数值过大", f.verbose_name))
    return problems


# ---------------------------------------------------------------- conversion

def _parcel(row: m.Parcel) -> land.Parcel:
    values = {a: getattr(row, a) for a in _PARCEL_ATTRS}
    return land.Parcel(survey_year=row.survey_year, **values)


def _disposal(row: m.Disposal) -> land.Disposal:
    values = {a: getattr(row, a) for a in _DISPOSAL_ATTRS if a != "parcel_id"}
    return land.Disposal(parcel_id=row.parcel.parcel_id, **values)


def _classification(row: m.Parcel) -> land.Classification:
    return land.Classification(
        parcel_id=row.parcel_id, status=row.status, computed_status=row.computed_status,
        findings=[land.Finding(**f) for f in row.findings], explanation=row.explanation,
        rule_id=row.rule_id, rule_version=row.rule_version or 0, metrics=land.metrics(_parcel(row)),
        government_delay=row.government_delay, proposal=row.proposal,
    )


def _result_fields(c: land.Classification) -> dict[str, Any]:
    return {
        "status": c.status, "computed_status": c.computed_status,
        "findings": [{"code": f.code, "type": f.type, "message": f.message} for f in c.findings],
        "explanation": c.explanation, "government_delay": c.government_delay, "proposal": c.proposal,
        "rule_id": c.rule_id, "rule_version": c.rule_version,
    }


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(records.to_value(value))


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return _text(a) == _text(b)


# ---------------------------------------------------------------- reading

def ledger_years(code: str) -> list[int]:
    return list(m.LandYear.objects.filter(department__code=code).order_by("year").values_list("year", flat=True))


def load_ledger(code: str, year: int) -> land.Ledger:
    dept = _department(code)
    year_row = m.LandYear.objects.filter(department=dept, year=year).first()
    if year_row is None:
        raise InputError(f"部门“{code}”没有{year}年度的土地台账，请先导入（jixiao land import）", "土地台账")
    rows = list(m.Parcel.objects.filter(department=dept, survey_year=year).order_by("parcel_id"))
    disposals = m.Disposal.objects.filter(parcel__in=rows).select_related("parcel").order_by("parcel__parcel_id",
                                                                                             "position")
    return land.Ledger(department=code, year=year, parcels=[_parcel(r) for r in rows],
                       disposals=[_disposal(d) for d in disposals], origin=year_row.origin)


def stored_results(code: str, year: int) -> list[land.Classification]:
    rows = m.Parcel.objects.filter(department__code=code, survey_year=year).order_by("parcel_id")
    return [_classification(r) for r in rows]


def year_rule_set(code: str, year: int, rule_sets: Iterable[land.RuleSet] | None = None) -> land.RuleSet:
    dept = _department(code)
    return land.select_rule_set(_sets(rule_sets), year, _pin(dept, year))


def load_summary(code: str, year: int, rule_sets: Iterable[land.RuleSet] | None = None) -> land.LandSummary:
    """The year's totals from the stored rows and their stored classification."""
    ledger = load_ledger(code, year)
    rs = year_rule_set(code, year, rule_sets)
    return land.summarize(ledger, stored_results(code, year), rs, land.grade_users(ledger.parcels, rs))


def parcel_history(code: str, year: int, parcel_id: str) -> list[m.ParcelChange]:
    return list(m.ParcelChange.objects.filter(department=code, year=year, parcel_id=parcel_id))


# ---------------------------------------------------------------- writing

def save_ledger(ledger: land.Ledger, user: Any = None, reason: str = "",
                rule_sets: Iterable[land.RuleSet] | None = None) -> list[land.Classification]:
    """Replace the department's ledger of ``ledger.year``; all or nothing. The year keeps the rule
    set it was first classified with; a new year takes the rule set in force."""
    problems = records.check_ledger(ledger, lambda i, a: f"宗地[{i + 1}]（{ledger.parcels[i].parcel_id}）.{a}",
                                    lambda i, a: f"处置[{i + 1}]（{ledger.disposals[i].parcel_id}）.{a}")
    for i, p in enumerate(ledger.parcels):
        if p.survey_year != ledger.year:
            problems.append(Problem(f"宗地[{i + 1}]（{p.parcel_id}）", f"摸查年度{p.survey_year}与台账年度{ledger.year}不一致"))
        problems += _capacity(m.Parcel, p, _PARCEL_ATTRS, lambda a, i=i, p=p: f"宗地[{i + 1}]（{p.parcel_id}）.{a}")
    for i, d in enumerate(ledger.disposals):
        problems += _capacity(m.Disposal, d, [a for a in _DISPOSAL_ATTRS if a != "parcel_id"],
                              lambda a, i=i, d=d: f"处置[{i + 1}]（{d.parcel_id}）.{a}")
    dept = _department(ledger.department)
    if problems:
        raise InputError(problems)
    rs = land.select_rule_set(_sets(rule_sets), ledger.year, _pin(dept, ledger.year))
    results = land.classify_all(ledger.parcels, rs)
    who = _who(user)
    with transaction.atomic():
        _write(dept, ledger, results, who, reason)
        m.LandYear.objects.update_or_create(
            department=dept, year=ledger.year,
            defaults={"rule_id": rs.id, "rule_version": rs.version, "origin": ledger.origin},
        )
    return results


def _write(dept: budget.Department, ledger: land.Ledger, results: list[land.Classification], who: str,
           reason: str) -> None:
    existing = {r.parcel_id: r for r in m.Parcel.objects.filter(department=dept, survey_year=ledger.year)}
    result_of = {c.parcel_id: c for c in results}
    old_disposals: dict[str, list[dict[str, Any]]] = {}
    for d in m.Disposal.objects.filter(parcel__in=existing.values()).select_related("parcel"):
        old_disposals.setdefault(d.parcel.parcel_id, []).append(
            {a: _text(getattr(d, a)) for a in _DISPOSAL_ATTRS if a != "parcel_id"})
    log: list[m.ParcelChange] = []

    def change(pid: str, action: str, field: str = "", before: Any = None, after: Any = None) -> None:
        log.append(m.ParcelChange(who=who, department=dept.code, year=ledger.year, parcel_id=pid, action=action,
                                  field=field, before=_text(before), after=_text(after), reason=reason))

    keep: dict[str, m.Parcel] = {}
    for p in ledger.parcels:
        values = {a: getattr(p, a) for a in _PARCEL_ATTRS} | _result_fields(result_of[p.parcel_id])
        row = existing.get(p.parcel_id)
        if row is None:
            row = m.Parcel.objects.create(department=dept, survey_year=ledger.year, **values)
            change(p.parcel_id, "新增", after=f"{p.street} {p.location} {records.to_value(p.site_area_m2)} 平方米")
        else:
            dirty = False
            for attr, value in values.items():
                before = getattr(row, attr)
                if not _same(before, value):
                    action = "认定" if attr in ("status", "computed_status", "rule_id", "rule_version") else "修改"
                    if attr not in ("findings", "explanation"):  # their effect shows in status
                        change(p.parcel_id, action, attr, before, value)
                    setattr(row, attr, value)
                    dirty = True
            if dirty:
                row.save()
        keep[p.parcel_id] = row
    for pid, row in existing.items():
        if pid not in keep:
            change(pid, "删除", before=f"{row.street} {row.location} {records.to_value(row.site_area_m2)} 平方米")
            row.delete()
    m.Disposal.objects.filter(parcel__in=keep.values()).delete()
    new_disposals: dict[str, list[dict[str, Any]]] = {}
    rows = []
    for pos, d in enumerate(ledger.disposals):
        values = {a: getattr(d, a) for a in _DISPOSAL_ATTRS if a != "parcel_id"}
        rows.append(m.Disposal(parcel=keep[d.parcel_id], position=pos, **values))
        new_disposals.setdefault(d.parcel_id, []).append({a: _text(v) for a, v in values.items()})
    m.Disposal.objects.bulk_create(rows)
    for pid in sorted(set(old_disposals) | set(new_disposals)):
        if pid in keep and old_disposals.get(pid) != new_disposals.get(pid):
            change(pid, "修改", "disposals", old_disposals.get(pid), new_disposals.get(pid))
    m.ParcelChange.objects.bulk_create(log)


def reclassify(code: str, year: int, rule_id: str | None = None, version: int | None = None,
               user: Any = None, rule_sets: Iterable[land.RuleSet] | None = None) -> land.RuleSet:
    """Classify a stored year again — with its pinned rule set, or, when ``rule_id`` is given,
    deliberately with another one, which then becomes the year's pinned rule set."""
    sets = _sets(rule_sets)
    ledger = load_ledger(code, year)
    dept = _department(code)
    rs = land.rule_set_by_id(sets, rule_id, version) if rule_id else land.select_rule_set(sets, year, _pin(dept, year))
    results = land.classify_all(ledger.parcels, rs)
    reason = f"按{rs.label}重新认定"
    with transaction.atomic():
        _write(dept, ledger, results, _who(user), reason)
        m.LandYear.objects.filter(department=dept, year=year).update(rule_id=rs.id, rule_version=rs.version)
    return rs


# ---------------------------------------------------------------- feeds and demo

def land_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored ledger; nothing when the department has no ledger that year."""
    if not m.LandYear.objects.filter(department__code=code, year=year).exists():
        return {}
    return land.land_feeds(load_summary(code, year))


def load_demo_ledger(dy: Any) -> str:
    """(Re)load the illustrative ledger of the demo department (a DEMO_LOADERS entry)."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledger.origin = "示例"
    save_ledger(ledger, user=SYSTEM_USER, reason="载入示例土地台账")
    s = load_summary(ledger.department, ledger.year)
    return (f"已载入示例土地台账 {ledger.year} 年度：摸查地块 {s.parcels.count} 宗，低效用地 {s.low_efficiency.count} 个，"
            f"{land.land_feeds(s)['land.low_efficiency_area_ha']}（示例数据）")
