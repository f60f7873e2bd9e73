"""Helpers every page uses: the per-department context and how refused input is shown."""
from __future__ import annotations

from django.conf import settings
from django.shortcuts import render

from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.workflow import load_workflow, may
from jixiao.web import access
from jixiao.web.presenters import problem_rows


def perms_here(user, department: m.Department) -> dict[str, bool]:
    roles = access.roles_in(user, department)
    return {name: may(roles, name) for name in load_workflow().permissions}


def page_context(request, row: m.DepartmentYear, **extra) -> dict:
    department = row.department
    return {
        "department": department, "year": row.year, "row": row,
        "roles": sorted(access.roles_in(request.user, department)),
        "perms_here": perms_here(request.user, department),
        "years": list(department.years.order_by("-year").values_list("year", flat=True)),
        "animation": not getattr(settings, "TESTING", False),
        **extra,
    }


def problems_response(request, exc: InputError, template: str = "web/error.html", context: dict | None = None,
                      status: int = 400):
    return render(request, template, {**(context or {}), "problems": problem_rows(exc.problems)}, status=status)
