"""The one place that decides which departments a user may see and what they may do there.

A membership (user × department × role) reaches the department and every department below it:
a finance-bureau reviewer sees all departments under the bureau. Superusers see everything as
系统管理员. Views never filter by hand; they ask here, and anything out of reach is a 404 (not
403), so that a user cannot even learn which other departments exist.
"""
from __future__ import annotations

from collections import defaultdict

from django.http import Http404

from jixiao.budget import models as m
from jixiao.core.workflow import may

ADMIN_ROLE = "系统管理员"


def _tree() -> tuple[dict[int, list[int]], dict[int, int | None]]:
    children: dict[int, list[int]] = defaultdict(list)
    parents: dict[int, int | None] = {}
    for pk, parent in m.Department.objects.values_list("id", "parent_id"):
        parents[pk] = parent
        if parent is not None:
            children[parent].append(pk)
    return children, parents


def _below(roots: set[int], children: dict[int, list[int]]) -> set[int]:
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        pk = stack.pop()
        if pk in seen:
            continue
        seen.add(pk)
        stack.extend(children.get(pk, ()))
    return seen


def _cache(user) -> dict:
    # One request, one user: memberships are read once per request, not once per check.
    cache = getattr(user, "_jixiao_access", None)
    if cache is None:
        cache = {}
        user._jixiao_access = cache
    return cache


def role_map(user) -> dict[int, set[str]]:
    """Department id → roles the user holds there (inherited from every department above)."""
    if not user.is_authenticated or not user.is_active:
        return {}
    cache = _cache(user)
    if "roles" in cache:
        return cache["roles"]
    children, parents = _tree()
    roles: dict[int, set[str]] = defaultdict(set)
    if user.is_superuser:
        for pk in parents:
            roles[pk].add(ADMIN_ROLE)
    else:
        for dept_id, role in m.Membership.objects.filter(user=user).values_list("department_id", "role"):
            for pk in _below({dept_id}, children):
                roles[pk].add(role)
    cache["roles"] = dict(roles)
    return cache["roles"]


def visible_departments(user):
    """Queryset of the departments ``user`` may see."""
    return m.Department.objects.filter(id__in=list(role_map(user))).order_by("code")


def _ancestors(department: m.Department) -> list[int]:
    """The department's id and the ids of every department above it, nearest first."""
    ids: list[int] = []
    node = department
    while node is not None and node.id not in ids:
        ids.append(node.id)
        node = node.parent  # select_related loaded the first levels; a deeper one costs a query
    return ids


def roles_in(user, department: m.Department) -> set[str]:
    """Roles the user holds in ``department``. A page concerns one department: walking up from it
    costs a query or two, where ``role_map`` reads the whole tree (a city has a thousand units)."""
    if not user.is_authenticated or not user.is_active:
        return set()
    cache = _cache(user)
    if "roles" in cache:
        return set(cache["roles"].get(department.id, set()))
    per_department = cache.setdefault("roles_in", {})
    if department.id not in per_department:
        if user.is_superuser:
            per_department[department.id] = {ADMIN_ROLE}
        else:
            per_department[department.id] = set(m.Membership.objects.filter(
                user=user, department_id__in=_ancestors(department)).values_list("role", flat=True))
    return set(per_department[department.id])


def get_department_or_404(user, code: str, permission: str = "view") -> m.Department:
    """The department ``code`` if the user may see it and has ``permission`` there; else 404."""
    department = m.Department.objects.filter(code=code).select_related("parent__parent").first()
    if department is None or not may(roles_in(user, department), permission):
        raise Http404("未找到该部门")
    return department


def get_year_or_404(user, code: str, year: int, permission: str = "view") -> m.DepartmentYear:
    department = get_department_or_404(user, code, permission)
    row = m.DepartmentYear.objects.filter(department=department, year=year).first()
    if row is None:
        raise Http404("未找到该年度数据")
    row.department = department  # already loaded: spares a query on every page
    return row


def has_permission(user, department: m.Department, permission: str) -> bool:
    return may(roles_in(user, department), permission)


def bureaus(user):
    """Departments where the user reviews (财政审核 or 系统管理员) and that have departments under them."""
    ids = [pk for pk, roles in role_map(user).items() if may(roles, "review")]
    return m.Department.objects.filter(id__in=ids, children__isnull=False).distinct().order_by("code")
