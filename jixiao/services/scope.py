"""Scope: the department an actor acts in, and the object a reference names.

Out-of-scope and absent are the same answer (``NotFound``), so that a user cannot even learn
which other departments exist; in scope without the right is ``Denied``.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import model as core
from jixiao.core.changes import Ref, budget_line_key
from jixiao.core.workflow import may
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied, NotFound

DENIED = {
    "edit": "您的角色不能修改该部门的数据（需要经办人或部门管理员）",
    "upload": "您的角色不能导入数据（需要经办人或部门管理员）",
    "review": "只有财政审核人员可以复核",
    "adjust": "您的角色不能申请目标调整",
}


def department(actor: Actor, code: str, permission: str) -> m.Department:
    row = m.Department.objects.filter(code=code).select_related("parent__parent").first()
    if row is None or not may(actor.roles_in(row), "view"):
        raise NotFound("未找到该部门，或无权访问", code)
    if not may(actor.roles_in(row), permission):
        raise Denied(DENIED.get(permission, "您的角色不能进行此操作"), code)
    return row


def departments_under(actor: Actor, bureau: m.Department, year: int) -> list[m.Department]:
    """The departments below ``bureau`` that the actor may view and that have data for ``year``
    (a walk that ends: every department is visited once, whatever the rows say)."""
    children: dict[int | None, list[int]] = {}
    for pk, parent in m.Department.objects.values_list("id", "parent_id"):
        children.setdefault(parent, []).append(pk)
    below: list[int] = []
    stack = list(children.get(bureau.id, []))
    while stack:
        pk = stack.pop()
        if pk in below or pk == bureau.id:
            continue
        below.append(pk)
        stack.extend(children.get(pk, []))
    roles = actor.role_map()
    with_year = set(m.DepartmentYear.objects.filter(year=year, department_id__in=below)
                    .values_list("department_id", flat=True))
    return list(m.Department.objects.filter(id__in=[pk for pk in below if pk in with_year
                                                    and may(roles.get(pk, frozenset()), "view")])
                .order_by("code"))


def locked_year(actor: Actor, code: str, year: int, permission: str = "edit") -> core.DepartmentYear:
    """Inside a transaction: the checked actor's department-year, locked against concurrent
    writers until the transaction ends, as dataclasses."""
    department_row = department(actor, code, permission)
    found = list(m.DepartmentYear.objects.select_for_update().filter(department=department_row, year=year)
                 .values_list("id", flat=True))
    if not found:
        raise NotFound("未找到该年度数据", f"{code}/{year}")
    return load_department_year(code, year)


def find(dy: core.DepartmentYear, ref: Ref) -> Any:
    """The object ``ref`` names in ``dy``, or ``NotFound``."""
    def pick(items: list, key: Callable[[Any], str]) -> Any:
        hit = next((x for x in items if key(x) == ref.key), None)
        if hit is None:
            raise NotFound(f"未找到{ref.path()}", ref.path())
        return hit

    if ref.kind == "year":
        return dy
    if ref.kind == "budget_line":
        return pick(dy.budget_lines, budget_line_key)
    if ref.kind == "rectification":
        return pick(dy.rectifications, lambda r: r.code)
    if ref.kind == "indicator" and not ref.project:
        return pick(dy.indicators, lambda i: i.code)
    project = next((p for p in dy.projects if p.code == ref.project), None)
    if project is None:
        raise NotFound(f"未找到项目 {ref.project}", ref.path())
    if ref.kind == "project":
        return project
    if ref.kind == "indicator":
        return pick(project.indicators, lambda i: i.code)
    if ref.kind == "fund":
        return pick(project.funds, lambda f: f.fund_source)
    if ref.kind == "checkpoint":
        return pick(project.checkpoints, lambda c: str(c.month))
    raise NotFound(f"未知的对象类型「{ref.kind}」", ref.kind)


