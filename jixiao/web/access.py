"""Which departments a request's user may see, for the pages: anything out of reach is a 404
(not 403), so that a user cannot even learn which other departments exist.

The roles themselves are computed in one place, ``jixiao.services.actor``; the application
layer enforces them on every change. Views never filter by hand; they ask here.
"""
from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from jixiao.budget import models as m
from jixiao.core.workflow import may
from jixiao.services.actor import ADMIN_ROLE, actor_for

__all__ = ["ADMIN_ROLE", "bureaus", "get_department_or_404", "get_year_or_404", "has_permission",
           "role_map", "roles_in", "visible_departments"]


def role_map(user: Any) -> dict[int, frozenset[str]]:
    """Department id → roles the user holds there (inherited from every department above)."""
    return actor_for(user).role_map()


def roles_in(user: Any, department: m.Department) -> set[str]:
    return set(actor_for(user).roles_in(department))


def visible_departments(user: Any) -> QuerySet[m.Department]:
    """Queryset of the departments ``user`` may see."""
    return m.Department.objects.filter(id__in=list(role_map(user))).order_by("code")


def get_department_or_404(user: Any, code: str, permission: str = "view") -> m.Department:
    """The department ``code`` if the user may see it and has ``permission`` there; else 404."""
    department = m.Department.objects.filter(code=code).select_related("parent__parent").first()
    if department is None or not may(roles_in(user, department), permission):
        raise Http404("未找到该部门")
    return department


def get_year_or_404(user: Any, code: str, year: int, permission: str = "view") -> m.DepartmentYear:
    department = get_department_or_404(user, code, permission)
    row = m.DepartmentYear.objects.filter(department=department, year=year).first()
    if row is None:
        raise Http404("未找到该年度数据")
    row.department = department  # already loaded: spares a query on every page
    return row


def has_permission(user: Any, department: m.Department, permission: str) -> bool:
    return may(roles_in(user, department), permission)


def bureaus(user: Any) -> QuerySet[m.Department]:
    """Departments where the user reviews (财政审核 or 系统管理员) and that have departments under them."""
    ids = [pk for pk, roles in role_map(user).items() if may(roles, "review")]
    return m.Department.objects.filter(id__in=ids, children__isnull=False).distinct().order_by("code")
