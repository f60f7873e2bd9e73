"""JSON API for other budget systems: departments, projects, indicators, evaluations.

Same access rules as the pages (``access``): an object outside the caller's departments is a 404.
Authentication is the site's session (log in at /accounts/login/); anonymous calls get 401.
Figures use the scorecard's conventions (exact amount strings, percent numbers, 2-decimal scores).
The OpenAPI description is docs/openapi.json, served at /api/openapi.json.
"""
from __future__ import annotations

from functools import wraps

from django.http import Http404, JsonResponse

from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.scorecard import scorecard_dict
from jixiao.web import access, edits, presenters
from jixiao.web.data import scored
from jixiao.web.openapi import openapi_document



def _json(data, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def api_view(fn):
    """Session-authenticated JSON; 401/404/422 as JSON bodies with a Chinese message."""
    @wraps(fn)
    def wrapper(request, *args, **kwargs):
        if not request.user.is_authenticated:
            return _json({"error": "未登录，请先登录"}, 401)
        if request.method != "GET":
            return _json({"error": "只支持 GET"}, 405)
        try:
            return _json(fn(request, *args, **kwargs))
        except Http404:
            return _json({"error": "未找到，或无权查看"}, 404)
        except InputError as exc:
            return _json({"error": "数据有误", "problems": [
                {"location": p.location, "field": p.field, "message": p.message} for p in exc.problems]}, 422)
    return wrapper


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
