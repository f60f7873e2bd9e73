"""Helpers every page uses: the per-department context and how refused input is shown."""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse

from jixiao import features
from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.workflow import load_workflow, may
from jixiao.web import access
from jixiao.web.data import scored
from jixiao.web.presenters import problem_rows

# Feature pages of a department-year shown in the navigation, each by its route name, as the
# features declare them (jixiao/features.py). A feature whose routes are not installed simply
# has no link.
FEATURE_PAGES = features.nav_pages()


def department_url(name: str, code: str, year: int) -> str | None:
    """The URL of a department-year page by route name; None when that feature is not installed."""
    try:
        return reverse(name, args=[code, year])
    except NoReverseMatch:
        return None


def feature_links(code: str, year: int) -> list[tuple[str, str]]:
    return [(label, url) for label, name in FEATURE_PAGES if (url := department_url(name, code, year))]


def perms_here(user, department: m.Department) -> dict[str, bool]:
    roles = access.roles_in(user, department)
    return {name: may(roles, name) for name in load_workflow().permissions}


def page_context(request, row: m.DepartmentYear, **extra) -> dict:
    department = row.department
    return {
        "department": department, "year": row.year, "row": row,
        "roles": sorted(access.roles_in(request.user, department)),
        "perms_here": perms_here(request.user, department),
        "feature_links": feature_links(department.code, row.year),
        "animation": not getattr(settings, "TESTING", False),
        **extra,
    }


def problems_response(request, exc: InputError, template: str = "web/error.html", context: dict | None = None,
                      status: int = 400):
    return render(request, template, {**(context or {}), "problems": problem_rows(exc.problems)}, status=status)


def scored_year_page(view: Callable) -> Callable:
    """A page of one department-year: logged in, scoped (404 outside the user's departments) and
    scored. Data that cannot be scored shows its problems on the page instead of failing; the view
    is called as ``view(request, row, data)``."""

    @login_required
    @wraps(view)
    def page(request, code: str, year: int):
        row = access.get_year_or_404(request.user, code, year)
        try:
            data = scored(row)
        except InputError as exc:
            return problems_response(request, exc, context=page_context(request, row), status=200)
        return view(request, row, data)

    return page
