"""JSON API for other budget systems: departments, projects, indicators, evaluations.

Same access rules as the pages (``access``): an object outside the caller's departments is a 404.
Authentication: an API token (``Authorization: Bearer TOKEN``, ``jixiao token create``) or the
site's session (log in at /accounts/login/); anonymous calls and bad tokens get 401.
Figures use the scorecard's conventions (exact amount strings, percent numbers, 2-decimal scores).
The OpenAPI description is docs/openapi.json, served at /api/openapi.json.
"""
from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.http import Http404, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.scorecard import scorecard_dict
from jixiao.web import access, edits, presenters, tokens
from jixiao.web.data import scored
from jixiao.web.openapi import openapi_document



def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message: str, status: int, **extra) -> JsonResponse:
    # ``detail`` is the key of every error; ``error`` (the same message) stays for older clients.
    return _json({"detail": message, "error": message, **extra}, status)


def _unauthorized(message: str) -> JsonResponse:
    response = _error(message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="jixiao"'
    return response


def api_view(fn: Callable | None = None, *, methods: tuple[str, ...] = ("GET",)):
    """JSON views: ``@api_view`` (GET only) or ``@api_view(methods=("GET", "PATCH"))``; the view
    returns the body as a dict. Authentication is a bearer token (``tokens.authenticate_bearer``)
    or else the session; then a method the view does not declare is a 405, and a session call with
    an unsafe method needs the CSRF token (a bearer call carries no cookie and needs none).
    Errors are JSON bodies with a Chinese ``detail``: 401, 403 (CSRF), 404, 405, 422."""
    allowed = tuple(method.upper() for method in methods)

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                bearer = tokens.authenticate_bearer(request)
            except tokens.TokenRejected as exc:
                return _unauthorized(str(exc))
            if not request.user.is_authenticated:
                return _unauthorized("未登录，请先登录或使用 API 令牌")
            if request.method not in allowed:
                response = _error(f"只支持 {'、'.join(allowed)}", 405)
                response["Allow"] = ", ".join(allowed)
                return response
            if bearer is None and tokens.csrf_failed(request):
                return _error("CSRF 校验失败，请刷新页面后重试；程序调用请使用 API 令牌", 403)
            try:
                return _json(view(request, *args, **kwargs))
            except Http404:
                return _error("未找到，或无权查看", 404)
            except InputError as exc:
                return _error("数据有误", 422, problems=[
                    {"location": p.location, "field": p.field, "message": p.message} for p in exc.problems])
        # Django's CSRF middleware would refuse bearer calls; session calls are checked above.
        return csrf_exempt(wrapper)

    return decorate(fn) if fn is not None else decorate


def _scored(request, code: str, year: int):
    return scored(access.get_year_or_404(request.user, code, year))


@api_view
def departments(request):
    out = []
    for d in access.visible_departments(request.user).select_related("parent").prefetch_related("years"):
        out.append({
            "code": d.code, "name": d.name, "kind": d.kind,
            "parent": d.parent.code if d.parent else None,
            "roles": sorted(access.roles_in(request.user, d)),
            "years": sorted(y.year for y in d.years.all()),
        })
    return {"departments": out}


@api_view
def department_year(request, code: str, year: int):
    data = _scored(request, code, year)
    card = scorecard_dict(data.result)
    card.pop("projects")
    return {**card, "status": data.row.status,
            "projects": [{"code": p.code, "name": p.name, "status": p.status} for p in data.dy.projects]}


@api_view
def projects(request, code: str, year: int):
    data = _scored(request, code, year)
    statuses = {p.code: p.status for p in data.dy.projects}
    cards = scorecard_dict(data.result)["projects"]
    return {"projects": [
        {k: v for k, v in c.items() if k not in ("indicators", "trace", "execution_trace")}
        | {"status": statuses[c["code"]]} for c in cards
    ]}


def _project(request, code: str, year: int, pcode: str) -> dict:
    data = _scored(request, code, year)
    card = next((c for c in scorecard_dict(data.result)["projects"] if c["code"] == pcode), None)
    if card is None:
        raise Http404
    p = data.dy.project(pcode)
    for item, ind in zip(card["indicators"], p.indicators):
        parsed, ok = presenters.target_label(ind.target_text, ind.unit)
        item.update(target=ind.target_text, target_parsed=parsed if ok else None, unit=ind.unit,
                    origin=ind.origin)
    return {**card, "status": p.status, "origin": p.origin}


@api_view
def project(request, code: str, year: int, pcode: str):
    return _project(request, code, year, pcode)


@api_view
def indicators(request, code: str, year: int, pcode: str):
    return {"indicators": _project(request, code, year, pcode)["indicators"]}


@api_view
def evaluation(request, code: str, year: int):
    data = _scored(request, code, year)
    reviews = edits.latest_reviews(data.row)

    def rev(key: str):
        r = reviews.get(key)
        return None if r is None else {"score": f"{r.score:.2f}", "grade": r.grade, "reason": r.reason,
                                       "who": r.who, "when": r.when.isoformat()}

    card = scorecard_dict(data.result)
    statuses = {p.code: p.status for p in data.dy.projects}
    return {
        "code": card["code"], "year": card["year"], "status": data.row.status,
        "score": card["score"], "grade": card["grade"], "review": rev(""),
        "projects": [{"code": c["code"], "name": c["name"], "status": statuses[c["code"]],
                      "score": c["score"], "grade": c["grade"], "review": rev(c["code"])}
                     for c in card["projects"]],
    }


def openapi(request):
    """The API description; public, like any API document (it holds no data)."""
    return _json(openapi_document())
