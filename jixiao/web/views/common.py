"""Helpers every page uses: the per-department context, and how the application layer's answers
are shown (a refused value as the problems table, a refusal or a conflict as a notice)."""
from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django_htmx.middleware import HtmxDetails

from jixiao import features
from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.workflow import load_workflow, may
from jixiao.services.errors import Conflict, Denied, NotFound, ServiceError
from jixiao.web import access
from jixiao.web.data import scored
from jixiao.web.presenters import problem_rows

# Feature pages of a department-year shown in the navigation, each by its route name, as the
# features declare them (jixiao/features.py). A feature whose routes are not installed simply
# has no link.
FEATURE_PAGES = features.nav_pages()

T = TypeVar("T")

# The files the pages hand out, by suffix.
CONTENT_TYPES = {
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".json": "application/json; charset=utf-8",
}


def attachment(body: bytes | str, name: str) -> HttpResponse:
    """A download named ``name`` (any characters: RFC 5987), typed by its suffix."""
    response = HttpResponse(body, content_type=CONTENT_TYPES[Path(name).suffix.lower()])
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def generated(name: str, write: Callable[[Path], object]) -> HttpResponse:
    """A file made for this response: ``write(path)`` in a private temporary directory (gone when
    the response is built), sent as the download ``name``."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"file{Path(name).suffix}"
        write(path)
        body = path.read_bytes()
    return attachment(body, name)


class Request(HttpRequest):
    """A request as the middleware leaves it for the views (``request.htmx``)."""

    htmx: HtmxDetails


# How a refusal of the application layer is headed on the page, and its HTTP status when the
# answer is a whole page (an htmx fragment is always 200: htmx swaps only 2xx answers).
NOTICE_TITLES = {"conflict": "未保存：该数据已被他人修改", "denied": "未执行"}
STATUSES = {"conflict": 409, "denied": 403, "problems": 400}


def department_url(name: str, code: str, year: int) -> str | None:
    """The URL of a department-year page by route name; None when that feature is not installed."""
    try:
        return reverse(name, args=[code, year])
    except NoReverseMatch:
        return None


def feature_links(code: str, year: int) -> list[tuple[str, str]]:
    return [(label, url) for label, name in FEATURE_PAGES if (url := department_url(name, code, year))]


def perms_here(user: Any, department: m.Department) -> dict[str, bool]:
    roles = access.roles_in(user, department)
    return {name: may(roles, name) for name in load_workflow().permissions}


def page_context(request: HttpRequest, row: m.DepartmentYear, **extra: Any) -> dict:
    department = row.department
    return {
        "department": department, "year": row.year, "row": row,
        "roles": sorted(access.roles_in(request.user, department)),
        "perms_here": perms_here(request.user, department),
        "feature_links": feature_links(department.code, row.year),
        "animation": bool(settings.JIXIAO_CHART_ANIMATION),
        **extra,
    }


def problems_response(request: HttpRequest, exc: InputError, template: str = "web/error.html",
                      context: dict | None = None, status: int = 400) -> HttpResponse:
    return render(request, template, {**(context or {}), "problems": problem_rows(exc.problems)}, status=status)


def notice(exc: ServiceError, attempted: str | None = None) -> dict:
    """A refusal (``Denied``) or a conflict as the page shows it; ``attempted``: what the user
    typed and what was therefore not saved, shown back so that nothing is lost."""
    kind = "conflict" if isinstance(exc, Conflict) else "denied"
    return {"kind": kind, "title": NOTICE_TITLES[kind], "message": exc.message, "attempted": attempted}


def refusal_context(exc: InputError | ServiceError, attempted: str | None = None) -> tuple[dict, str]:
    """What a page shows for an answer of the application layer, and which answer it is
    ("problems", "denied", "conflict"). ``NotFound`` is a 404."""
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    if isinstance(exc, InputError):
        return {"problems": problem_rows(exc.problems)}, "problems"
    shown = notice(exc, attempted)
    return {"notice": shown}, shown["kind"]


def refused(request: Request, exc: InputError | ServiceError, render_page: Callable[[dict], HttpResponse],
            attempted: str | None = None) -> HttpResponse:
    """The page again with the answer on it: the problems table, or the refusal or conflict
    notice (with ``attempted``, what the user typed); a whole page carries the status (400, 403,
    409), an htmx fragment 200."""
    extra, kind = refusal_context(exc, attempted)
    response = render_page(extra)
    if not request.htmx:
        response.status_code = STATUSES[kind]
    return response


def service_call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> tuple[Any, InputError | ServiceError | None]:
    """``fn(*args, **kwargs)`` → (result, None), or (None, the refusal) when the application
    layer refused with ``InputError``, ``Denied`` or ``Conflict``; ``NotFound`` is a 404."""
    try:
        return fn(*args, **kwargs), None
    except NotFound as exc:
        raise Http404(exc.message) from None
    except (InputError, Denied, Conflict) as exc:
        return None, exc


def posted_version(request: HttpRequest) -> int | None:
    """The version the form was rendered at (hidden input ``version``); None when absent."""
    raw = request.POST.get("version", "").strip()
    return int(raw) if raw.isdigit() else None


def scored_year_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A page of one department-year: logged in, scoped (404 outside the user's departments) and
    scored. Data that cannot be scored shows its problems on the page instead of failing; the view
    is called as ``view(request, row, data)``."""

    @login_required
    @wraps(view)
    def page(request: Request, code: str, year: int) -> HttpResponse:
        row = access.get_year_or_404(request.user, code, year)
        try:
            data = scored(row)
        except InputError as exc:
            return problems_response(request, exc, context=page_context(request, row), status=200)
        return view(request, row, data)

    return page
