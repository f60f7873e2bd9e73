"""The indicator library (指标库) as stored: the shipped data with finance's curation on top, the
curation use cases (add, retire, restore, merge) and the unit's own indicators of earlier years.

Curating is finance's work: the roles that may ``review`` (``rules/workflow.json``, permissions —
财政审核, 系统管理员) in any department may curate; the shipped file never changes at run time.
Every curation step is one row of ``budget.LibraryEntry`` (version + 1) and one history row.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.core import library as lib
from jixiao.core.errors import InputError, Problem
from jixiao.core.schemes import load_scheme
from jixiao.core.targets import TargetError, parse_target
from jixiao.core.workflow import may
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied, NotFound
from jixiao.services.scope import department

ADDED_PREFIX = "ZD"  # keys of the entries finance adds: ZD-001, ZD-002, …
# The scheme whose classes an added entry must fit: the shipped library is written on it.
LIBRARY_SCHEME = "central-2020"
HISTORY_DEPARTMENT = ""  # library history belongs to no department
FIELDS = lib.FIELDS
LABELS = {"category": "项目类别", "level1": "一级指标", "level2": "二级指标", "name": "三级指标", "unit": "度量单位",
           "direction": "指标方向", "basis": "建议取值依据", "example": "示例指标值"}


def _entry(row: m.LibraryEntry) -> lib.Entry:
    return lib.Entry(key=row.key, status=row.status, merged_into=row.merged_into, origin=row.origin,
                     **{f: getattr(row, f) for f in FIELDS})


def entries() -> list[lib.Entry]:
    """The library as users see it (shipped entries with the stored curation laid over them)."""
    return lib.curated(lib.load_library().entries, [_entry(r) for r in m.LibraryEntry.objects.all()])


def may_curate(actor: Actor) -> bool:
    if actor.system or (actor.user is not None and actor.user.is_superuser):
        return True
    return any(may(roles, "review") for roles in actor.role_map().values())


def _curator(actor: Actor) -> None:
    if not may_curate(actor):
        raise Denied("只有财政审核人员或系统管理员可以维护指标库", "指标库")


def _validate(values: dict[str, Any]) -> dict[str, str]:
    library, scheme = lib.load_library(), load_scheme(LIBRARY_SCHEME)
    clean = {f: str(values.get(f, "") or "").strip() for f in FIELDS}
    where = "指标库 新增指标"
    problems = [Problem(where, f"请填写{LABELS[f]}", LABELS[f])
                for f in ("category", "level1", "level2", "name") if not clean[f]]
    if clean["category"] and clean["category"] not in library.categories:
        known = "、".join(library.categories)
        problems.append(Problem(where, f"项目类别「{clean['category']}」不在指标库中，应为：{known}", "项目类别"))
    cat = scheme.category(clean["level1"]) if clean["level1"] else None
    if clean["level1"] and cat is None:
        known = "、".join(c.level1 for c in scheme.categories)
        problems.append(Problem(where, f"一级指标「{clean['level1']}」应为：{known}", "一级指标"))
    if cat is not None and clean["level2"] and clean["level2"] not in cat.level2:
        known = "、".join(cat.level2)
        problems.append(Problem(where, f"二级指标「{clean['level2']}」不属于{cat.level1}，应为：{known}", "二级指标"))
    clean["direction"] = clean["direction"] or "≥"
    if clean["direction"] not in library.directions:
        problems.append(Problem(where, f"指标方向应为：{'、'.join(library.directions)}", "指标方向"))
    if clean["basis"] and clean["basis"] not in library.bases:
        problems.append(Problem(where, f"建议取值依据应为：{'、'.join(library.bases)}", "建议取值依据"))
    if clean["example"]:
        try:
            parse_target(clean["example"], clean["unit"])
        except TargetError as exc:
            problems.append(Problem(where, str(exc), "示例指标值"))
    if len(clean["name"]) > 300 or len(clean["unit"]) > 32:
        problems.append(Problem(where, "三级指标最长 300 字，度量单位最长 32 字", "三级指标"))
    if problems:
        raise InputError(problems)
    return clean


def _record(actor: Actor, row: m.LibraryEntry, field: str, before: Any, after: Any, reason: str) -> None:
    history.record(who=actor.name, department=HISTORY_DEPARTMENT, year=None, label="budget.libraryentry",
                   object_id=row.pk, version=row.version, key=f"指标库/{row.key}", name=row.name, field=field,
                   before=before, after=after, reason=reason)


def add_entry(actor: Actor, values: dict[str, Any], reason: str = "") -> lib.Entry:
    """An indicator finance adds to the library (key ZD-NNN)."""
    _curator(actor)
    clean = _validate(values)
    with transaction.atomic():
        if any(e.status == lib.ACTIVE and e.name == clean["name"] and e.category == clean["category"]
               for e in entries()):
            raise Conflict(f"指标库「{clean['category']}」类中已有「{clean['name']}」", "指标库")
        used = [int(k.rsplit("-", 1)[1]) for k in m.LibraryEntry.objects.select_for_update()
                .filter(key__startswith=f"{ADDED_PREFIX}-").values_list("key", flat=True)]
        key = f"{ADDED_PREFIX}-{max(used, default=0) + 1:03d}"
        row = m.LibraryEntry.objects.create(key=key, updated_by=actor.name, reason=reason.strip(),
                                            origin="财政增补", **clean)
        _record(actor, row, "新增", None, clean["name"], reason.strip())
    return _entry(row)


def _stored(actor: Actor, key: str, version: int | None) -> m.LibraryEntry:
    """The curation row of ``key`` (made from the shipped entry on its first curation), locked."""
    row = m.LibraryEntry.objects.select_for_update().filter(key=key).first()
    if row is None:
        shipped = next((e for e in lib.load_library().entries if e.key == key), None)
        if shipped is None:
            raise NotFound(f"指标库中没有编号 {key} 的指标", key)
        row = m.LibraryEntry.objects.create(key=key, origin=shipped.origin, updated_by=actor.name,
                                            **{f: getattr(shipped, f) for f in FIELDS})
        row.version = 0  # a shipped entry not yet curated is at version 0 on the page
    if version is not None and version != row.version:
        raise Conflict(f"指标 {key} 已被 {row.updated_by} 于 {timezone.localtime(row.updated_at):%m-%d %H:%M} 修改，"
                       "请刷新后重试", key)
    return row


def _set_status(actor: Actor, key: str, status: str, reason: str, version: int | None,
                merged_into: str = "") -> lib.Entry:
    with transaction.atomic():
        row = _stored(actor, key, version)
        before = row.status
        row.status, row.merged_into = status, merged_into
        row.updated_by, row.updated_at, row.reason = actor.name, timezone.now(), reason.strip()
        row.version += 1
        row.save()
        after = f"{status}（并入 {merged_into}）" if merged_into else status
        _record(actor, row, "状态", before, after, reason.strip())
    return _entry(row)


def retire_entry(actor: Actor, key: str, reason: str, version: int | None = None) -> lib.Entry:
    """停用: the entry is no longer offered; indicators already set from it stay as they are."""
    _curator(actor)
    if not reason.strip():
        raise InputError([Problem(f"指标库 {key}", "请说明停用理由", "理由")])
    return _set_status(actor, key, lib.RETIRED, reason, version)


def restore_entry(actor: Actor, key: str, reason: str = "", version: int | None = None) -> lib.Entry:
    _curator(actor)
    return _set_status(actor, key, lib.ACTIVE, reason or "恢复使用", version)


def merge_entry(actor: Actor, key: str, into: str, reason: str, version: int | None = None) -> lib.Entry:
    """合并: ``key`` is a duplicate of ``into``; the picker offers ``into`` only."""
    _curator(actor)
    where = f"指标库 {key}"
    into = into.strip()
    problems = []
    if not into:
        problems.append(Problem(where, "请选择要合并到的指标", "合并到"))
    elif into == key:
        problems.append(Problem(where, "不能合并到自身", "合并到"))
    if not reason.strip():
        problems.append(Problem(where, "请说明合并理由", "理由"))
    if problems:
        raise InputError(problems)
    target = next((e for e in entries() if e.key == into), None)
    if target is None or target.status != lib.ACTIVE:
        raise InputError([Problem(where, f"合并目标 {into} 不存在或已停用", "合并到")])
    return _set_status(actor, key, lib.MERGED, reason, version, merged_into=into)


def entry_versions() -> dict[str, int]:
    """The version each curated entry is at (a shipped one never curated: 0)."""
    return dict(m.LibraryEntry.objects.values_list("key", "version"))


# ---------------------------------------------------------------------------------------------
# The unit's own indicators of earlier years


def earlier_indicators(actor: Actor, code: str, year: int) -> list[lib.Earlier]:
    """Every project indicator of the department's years before ``year``, latest year first."""
    department(actor, code, "view")
    rows = (m.Indicator.objects.filter(project__department_year__department__code=code,
                                       project__department_year__year__lt=year)
            .order_by("-project__department_year__year", "project__position", "position")
            .values_list("project__department_year__year", "project__code", "project__name", "code", "level1",
                         "level2", "name", "unit", "target_text", "actual_text", "weight"))
    out = []
    for y, pcode, pname, icode, l1, l2, name, unit, target, actual, weight in rows:
        out.append(lib.Earlier(y, pcode, pname, icode, l1, l2, name, unit, target, actual,
                               Decimal(weight) if weight is not None else None))
    return out
