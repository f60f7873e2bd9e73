"""The database ⇄ ``jixiao.core.land`` boundary for the land ledger.

``save_ledger`` replaces one department's ledger for one survey year in a single transaction:
every row is checked first, the parcels are classified with the year's pinned rule set, and every
changed field is appended to ``ParcelChange``. Other years and other departments are untouched.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Iterable

from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as budget
from jixiao.core import land
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import as_text, diff_records, same, to_value
from jixiao.land import models as m
from jixiao.land import records
from jixiao.ledgers.store import SYSTEM_USER, capacity_problems, demo_ledger, department, who, write_history

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "land-2022.json"

_PARCEL_ATTRS = records.PARCELS.attrs
_DISPOSAL_ATTRS = [a for a in records.DISPOSALS.attrs if a != "parcel_id"]
_CLASSIFICATION = ("status", "computed_status", "rule_id", "rule_version")  # a change of these is 认定
_SILENT = ("findings", "explanation")  # stored, but their effect shows in status
_ROW_ATTRS = [*_PARCEL_ATTRS, "status", "computed_status", "findings", "explanation", "government_delay", "proposal",
              "rule_id", "rule_version"]


def _sets(rule_sets: Iterable[land.RuleSet] | None) -> list[land.RuleSet]:
    return list(rule_sets) if rule_sets is not None else land.load_rule_sets()


def _pin(dept: budget.Department, year: int) -> tuple[str, int] | None:
    row = m.LandYear.objects.filter(department=dept, year=year).first()
    return (row.rule_id, row.rule_version) if row else None


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


# ---------------------------------------------------------------- reading

def ledger_years(code: str) -> list[int]:
    return list(m.LandYear.objects.filter(department__code=code).order_by("year").values_list("year", flat=True))


def load_ledger(code: str, year: int) -> land.Ledger:
    dept = department(code)
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
    dept = department(code)
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
    def parcel_where(i: int, attr: str) -> str:
        return f"宗地[{i + 1}]（{ledger.parcels[i].parcel_id}）.{attr}"

    def disposal_where(i: int, attr: str) -> str:
        return f"处置[{i + 1}]（{ledger.disposals[i].parcel_id}）.{attr}"

    problems = records.check_ledger(ledger, parcel_where, disposal_where)
    problems += [Problem(f"宗地[{i + 1}]（{p.parcel_id}）", f"摸查年度{p.survey_year}与台账年度{ledger.year}不一致")
                 for i, p in enumerate(ledger.parcels) if p.survey_year != ledger.year]
    problems += capacity_problems(m.Parcel, records.PARCELS, ledger.parcels, parcel_where)
    problems += capacity_problems(m.Disposal, records.DISPOSALS, ledger.disposals, disposal_where, _DISPOSAL_ATTRS)
    dept = department(ledger.department)
    if problems:
        raise InputError(problems)
    rs = land.select_rule_set(_sets(rule_sets), ledger.year, _pin(dept, ledger.year))
    results = land.classify_all(ledger.parcels, rs)
    with transaction.atomic():
        _write(dept, ledger, results, who(user), reason)
        m.LandYear.objects.update_or_create(
            department=dept, year=ledger.year,
            defaults={"rule_id": rs.id, "rule_version": rs.version, "origin": ledger.origin},
        )
    return results


def _disposal_lists(parcels: Iterable[str], disposals: Iterable[tuple[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {pid: {"disposals": None} for pid in parcels}
    for pid, d in disposals:
        if pid in out:
            out[pid]["disposals"] = (out[pid]["disposals"] or []) + [{a: as_text(getattr(d, a)) for a in _DISPOSAL_ATTRS}]
    return out


def _describe(values: dict[str, Any]) -> str:
    return f"{values['street']} {values['location']} {to_value(values['site_area_m2'])} 平方米"


def _write(dept: budget.Department, ledger: land.Ledger, results: list[land.Classification], user: str,
           reason: str) -> None:
    """Bring the stored parcel-year rows to ``ledger``: new parcels inserted, changed ones updated
    field by field, missing ones deleted, disposals replaced; every change logged in ParcelChange."""
    existing = {r.parcel_id: r for r in m.Parcel.objects.filter(department=dept, survey_year=ledger.year)}
    result_of = {c.parcel_id: c for c in results}
    new = {p.parcel_id: {a: getattr(p, a) for a in _PARCEL_ATTRS} | _result_fields(result_of[p.parcel_id])
           for p in ledger.parcels}
    old = {pid: {a: getattr(row, a) for a in _ROW_ATTRS} for pid, row in existing.items()}
    changes = diff_records(old, new, _describe, lambda a: "认定" if a in _CLASSIFICATION else "修改", _SILENT)

    now = timezone.now()
    added, updated, dirty = [], [], {"updated_at"}
    for pid, values in new.items():
        row = existing.get(pid)
        if row is None:
            added.append(m.Parcel(department=dept, survey_year=ledger.year, **values))
            continue
        fields = [a for a, v in values.items() if not same(getattr(row, a), v)]
        if fields:
            for a in fields:
                setattr(row, a, values[a])
            row.updated_at = now
            dirty.update(fields)
            updated.append(row)
    m.Parcel.objects.filter(pk__in=[row.pk for pid, row in existing.items() if pid not in new]).delete()
    m.Parcel.objects.bulk_create(added, batch_size=500)
    m.Parcel.objects.bulk_update(updated, sorted(dirty), batch_size=200)
    keep = {r.parcel_id: r for r in [*added, *(existing[pid] for pid in new if pid in existing)]}

    # a parcel's disposals are logged as one field: the list before and after
    stored = m.Disposal.objects.filter(parcel__in=keep.values()).select_related("parcel").order_by("position")
    changes += diff_records(_disposal_lists(keep, ((d.parcel.parcel_id, d) for d in stored)),
                            _disposal_lists(keep, ((d.parcel_id, d) for d in ledger.disposals)))
    m.Disposal.objects.filter(parcel__in=keep.values()).delete()
    m.Disposal.objects.bulk_create([m.Disposal(parcel=keep[d.parcel_id], position=pos,
                                               **{a: getattr(d, a) for a in _DISPOSAL_ATTRS})
                                    for pos, d in enumerate(ledger.disposals)], batch_size=500)
    write_history(m.ParcelChange, changes, "parcel_id", who=user, department=dept.code, year=ledger.year,
                  reason=reason)


def reclassify(code: str, year: int, rule_id: str | None = None, version: int | None = None,
               user: Any = None, rule_sets: Iterable[land.RuleSet] | None = None) -> land.RuleSet:
    """Classify a stored year again — with its pinned rule set, or, when ``rule_id`` is given,
    deliberately with another one, which then becomes the year's pinned rule set."""
    sets = _sets(rule_sets)
    ledger = load_ledger(code, year)
    dept = department(code)
    rs = land.rule_set_by_id(sets, rule_id, version) if rule_id else land.select_rule_set(sets, year, _pin(dept, year))
    results = land.classify_all(ledger.parcels, rs)
    reason = f"按{rs.label}重新认定"
    with transaction.atomic():
        _write(dept, ledger, results, who(user), reason)
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
    ledger = demo_ledger(records.read_json, DEMO_FILE, dy)
    if ledger is None:
        return ""
    results = save_ledger(ledger, user=SYSTEM_USER, reason="载入示例土地台账")
    s = land.summarize(ledger, results, year_rule_set(ledger.department, ledger.year))
    return (f"已载入示例土地台账 {ledger.year} 年度：摸查地块 {s.parcels.count} 宗，低效用地 {s.low_efficiency.count} 个，"
            f"{land.land_feeds(s)['land.low_efficiency_area_ha']}（示例数据）")
