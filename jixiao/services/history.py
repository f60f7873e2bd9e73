"""The change history (``budget.ChangeLog``): one row per changed field, appended, never edited.

Every writer of the application layer records here, so one record's history reads the same
whichever way it changed (browser, upload, import, API, CLI). Rows name the object by id (its
identity lasts) and by a readable key ("demo/2022/项目/P01/指标/I03") for display.
"""
from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal
from typing import Any

from jixiao.budget import models as m
from jixiao.budget.bulk import plain_decimal
from jixiao.budget.rows import insert_rows, new_row
from jixiao.core.changes import Diff, Ref

MODEL_LABELS = {
    "year": "budget.departmentyear", "budget_line": "budget.budgetline", "project": "budget.project",
    "fund": "budget.fundline", "indicator": "budget.indicator", "checkpoint": "budget.checkpoint",
    "rectification": "budget.rectification",
}
ADDED, DELETED, CREATED = "（新增）", "（删除）", "（新建）"


def _jsonable(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        value = dataclasses.asdict(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items() if k != "version"}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


def as_text(value: Any) -> str | None:
    """How a value is written in the history (and shown back to users)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return str(plain_decimal(value))
    if isinstance(value, str):
        return value
    return json.dumps(_jsonable(value), ensure_ascii=False, sort_keys=True)


def object_key(department: str, year: int, ref: Ref) -> str:
    base = f"{department}/{year}"
    if ref.kind == "year":
        return base
    own = {"budget_line": "预算", "indicator": "指标", "rectification": "整改", "fund": "资金",
           "checkpoint": "监控"}
    if ref.kind == "project":
        return f"{base}/项目/{ref.project}"
    if ref.project:
        return f"{base}/项目/{ref.project}/{own[ref.kind]}/{ref.key}"
    return f"{base}/{own[ref.kind]}/{ref.key}"


def record(*, who: str, department: str, year: int | None, label: str, object_id: int | None,
           version: int | None, key: str, name: str, field: str, before: Any, after: Any,
           reason: str = "") -> m.ChangeLog:
    return m.ChangeLog.objects.create(**_row(who, department, year, label, object_id, version, key, name,
                                             field, before, after, reason))


def _row(who: str, department: str, year: int | None, label: str, object_id: int | None,
         version: int | None, key: str, name: str, field: str, before: Any, after: Any,
         reason: str) -> dict[str, Any]:
    return {"who": who, "department": department, "year": year, "model_label": label, "object_id": object_id,
            "version": version, "object_key": key[:300], "object_repr": (name or key)[:300], "field": field[:64],
            "before": as_text(before), "after": as_text(after), "reason": reason}


def record_diff(diff: Diff, ids: dict[Ref, int], versions: dict[Ref, int], *, who: str, department: str,
                year: int, reason: str, year_name: str, counts: tuple[int, int]) -> None:
    """History rows for a stored department-year change (see ``budget.store``)."""
    rows = []

    def add(ref: Ref, name: str, field: str, before: Any, after: Any) -> None:
        rows.append(new_row(m.ChangeLog, **_row(who, department, year, MODEL_LABELS[ref.kind], ids.get(ref),
                                       versions.get(ref), object_key(department, year, ref), name, field,
                                       before, after, reason)))

    for a in diff.added:
        if a.ref.kind == "year":
            add(a.ref, year_name, CREATED, None, f"{counts[0]} 个项目，{counts[1]} 个指标")
        else:
            add(a.ref, a.name, ADDED, None, a.name)
    for c in diff.changed:
        add(c.ref, c.name, c.field, c.before, c.after)
    for d in diff.deleted:
        add(d.ref, d.name, DELETED, d.name, None)
    insert_rows(m.ChangeLog, rows)


@dataclasses.dataclass(frozen=True)
class Change:
    """One recorded change of an object, for conflict messages."""

    field: str
    who: str
    when: datetime
    after: str | None
    version: int | None


def changes_since(label: str, object_id: int, version: int) -> list[Change]:
    """What was recorded for an object after ``version`` (its changes that a copy read at
    ``version`` does not know), oldest first."""
    rows = (m.ChangeLog.objects.filter(model_label=label, object_id=object_id, version__gt=version)
            .order_by("when", "id").values_list("field", "who", "when", "after", "version"))
    return [Change(*r) for r in rows]


def describe(changes: Iterable[Change], labels: dict[str, str] | None = None) -> str:
    """「实际完成值已被 bumen 于 10:42 改为 8个」, the latest change of each field."""
    latest: dict[str, Change] = {}
    for c in changes:
        latest[c.field] = c
    parts = []
    for c in latest.values():
        label = (labels or {}).get(c.field, c.field)
        value = "空" if c.after in (None, "") else c.after
        parts.append(f"{label}已被 {c.who} 于 {c.when.astimezone():%m-%d %H:%M} 改为「{value}」")
    return "；".join(parts)


def last_setter(label: str, object_id: int, field: str, value: str) -> str | None:
    """Who last set ``field`` of the row to ``value`` (e.g. who submitted it), or None."""
    return (m.ChangeLog.objects.filter(model_label=label, object_id=object_id, field=field, after=value)
            .order_by("-when", "-id").values_list("who", flat=True).first())


def stored_ids(department: str, year: int) -> dict[Ref, tuple[str, int]]:
    """Ref → (model label, id) of every stored row of a department-year, to look up its history."""
    out: dict[Ref, tuple[str, int]] = {}
    dy = m.DepartmentYear.objects.filter(department__code=department, year=year).first()
    if dy is None:
        return out
    out[Ref("year")] = (MODEL_LABELS["year"], dy.pk)
    for pk, fs, nature in m.BudgetLine.objects.filter(department_year=dy).values_list("id", "fund_source", "nature"):
        out[Ref("budget_line", "", f"{fs}/{nature}")] = (MODEL_LABELS["budget_line"], pk)
    for pk, code in m.Indicator.objects.filter(department_year=dy).values_list("id", "code"):
        out[Ref("indicator", "", code)] = (MODEL_LABELS["indicator"], pk)
    for pk, code in m.Rectification.objects.filter(department_year=dy).values_list("id", "code"):
        out[Ref("rectification", "", code)] = (MODEL_LABELS["rectification"], pk)
    for pk, code in m.Project.objects.filter(department_year=dy).values_list("id", "code"):
        out[Ref("project", code)] = (MODEL_LABELS["project"], pk)
    inside = {"project__department_year": dy}
    for pk, p, code in m.Indicator.objects.filter(**inside).values_list("id", "project__code", "code"):
        out[Ref("indicator", p, code)] = (MODEL_LABELS["indicator"], pk)
    for pk, p, fs in m.FundLine.objects.filter(**inside).values_list("id", "project__code", "fund_source"):
        out[Ref("fund", p, fs)] = (MODEL_LABELS["fund"], pk)
    for pk, p, month in m.Checkpoint.objects.filter(**inside).values_list("id", "project__code", "month"):
        out[Ref("checkpoint", p, str(month))] = (MODEL_LABELS["checkpoint"], pk)
    return out
