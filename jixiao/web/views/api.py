"""JSON API for other budget systems: read and write departments, projects, indicators,
checkpoints, rectifications, workflow steps, finance reviews, target adjustments and imports.

Same access rules as the pages (``access``): an object outside the caller's departments is a 404.
Authentication: an API token (``Authorization: Bearer TOKEN``, ``jixiao token create``) or the
site's session (log in at /accounts/login/); anonymous calls and bad tokens get 401.
Figures use the scorecard's conventions (exact amount strings, percent numbers, 2-decimal scores).

Every write goes through the application layer (``jixiao.services``): these views only parse the
request and render what the layer returns or raises. ``api_view`` maps its refusals to statuses:
``Denied`` 403, ``NotFound`` 404, ``Conflict`` 409 (a stale ``version``; an import's conflicts
with its preview), ``InputError`` 422 with ``problems``. Each editable object carries its
``version``; a PATCH or DELETE names the version it was read at.
The OpenAPI description is docs/openapi.json, served at /api/openapi.json.
"""
from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from decimal import Decimal
from functools import wraps
from pathlib import Path
from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.core import model as core
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError, Problem
from jixiao.exchange import safejson
from jixiao.files import atomic_write
from jixiao.scorecard import scorecard_dict
from jixiao.services import adjustments, imports, records, reviews
from jixiao.services import goals as goal_setting
from jixiao.services import results as results_application
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.errors import Conflict, Denied, NotFound, ServiceError
from jixiao.services.imports import ImportConflict
from jixiao.services.reviews import ReviewScore
from jixiao.services.scope import find
from jixiao.web import access, presenters, tokens
from jixiao.web.data import Scored, scored
from jixiao.web.openapi import openapi_document

Body = dict[str, Any]
# What a view returns: the body (200), (status, body), or a response of its own.
Answer = Body | tuple[int, Body] | HttpResponse

# Names a request may use besides the exchange-format field names.
ALIASES: dict[str, dict[str, str]] = {"indicator": {"actual": "actual_text", "target": "target_text"}}
# Keys of a PATCH/POST body that are not fields: the version read, and the reason for the history.
RESERVED = ("version", "reason", "confirm")  # confirm: the value rules' questions are answered yes
# The workflow stages a record of each kind moves in (the first is its default).
STAGES: dict[str, tuple[str, ...]] = {
    "project": (workflow.SELF_EVALUATION, workflow.GOALS), "year": (workflow.SELF_EVALUATION,),
    "checkpoint": (workflow.MONITORING,), "rectification": (workflow.RECTIFICATION,),
}
_TRUE = ("1", "true", "yes", "on", "是")


def _json(data: Body, status: int = 200) -> JsonResponse:
    return JsonResponse(data, status=status, json_dumps_params={"ensure_ascii": False})


def _error(message: str, status: int, **extra: Any) -> JsonResponse:
    # ``detail`` is the key of every error; ``error`` (the same message) stays for older clients.
    return _json({"detail": message, "error": message, **extra}, status)


def _unauthorized(message: str) -> JsonResponse:
    response = _error(message, 401)
    response["WWW-Authenticate"] = 'Bearer realm="jixiao"'
    return response


def _problems(problems: list[Problem]) -> list[Body]:
    return [{"location": p.location, "field": p.field, "message": p.message} for p in problems]


def _input_detail(exc: InputError) -> str:
    messages = [p.message for p in exc.problems]
    if not messages:
        return "数据有误"
    more = f"（等 {len(messages)} 处）" if len(messages) > 3 else ""
    return "数据有误：" + "；".join(messages[:3]) + more


def _render(answer: Answer) -> HttpResponse:
    if isinstance(answer, HttpResponse):
        return answer
    if isinstance(answer, tuple):
        status, body = answer
        return _json(body, status)
    return _json(answer)


def _refusal(exc: Exception) -> JsonResponse:
    """The JSON answer to an error of the application layer (or a view's 404)."""
    if isinstance(exc, Http404):
        return _error("未找到，或无权查看", 404)
    if isinstance(exc, InputError):
        return _error(_input_detail(exc), 422, problems=_problems(exc.problems))
    assert isinstance(exc, ServiceError)
    extra: Body = {"location": exc.location} if exc.location else {}
    if isinstance(exc, ImportConflict):
        extra["preview"] = exc.preview.as_dict()
    status = 404 if isinstance(exc, NotFound) else 403 if isinstance(exc, Denied) else \
        409 if isinstance(exc, Conflict) else 400
    return _error(exc.message, status, **extra)


def api_view(fn: Callable | None = None, *, methods: tuple[str, ...] = ("GET",)) -> Callable:
    """JSON views: ``@api_view`` (GET only) or ``@api_view(methods=("GET", "PATCH"))``; the view
    returns the body as a dict (200), ``(status, body)``, or a response of its own.
    Authentication is a bearer token (``tokens.authenticate_bearer``) or else the session; then a
    method the view does not declare is a 405, and a session call with an unsafe method needs the
    CSRF token (a bearer call carries no cookie and needs none). Errors are JSON bodies with a
    Chinese ``detail``: 401, 403 (CSRF; ``Denied``), 404 (``Http404``, ``NotFound``), 405,
    409 (``Conflict``), 422 (``InputError``, with ``problems``)."""
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
                return _render(view(request, *args, **kwargs))
            except (Http404, InputError, ServiceError) as exc:
                return _refusal(exc)

        wrapper.api_methods = allowed  # type: ignore[attr-defined]  # read by the OpenAPI test
        # Django's CSRF middleware would refuse bearer calls; session calls are checked above.
        return csrf_exempt(wrapper)

    return decorate(fn) if fn is not None else decorate


# ---------------------------------------------------------------------------------------------
# Reading the request


def _body(request: HttpRequest) -> Body:
    """The JSON object the request carries ({} when it has no body)."""
    raw = request.body
    if not raw.strip():
        return {}
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Problem("请求体", "请求体应为 UTF-8 编码的 JSON（Content-Type: application/json）",
                                  "请求体")]) from None
    # depth, duplicate keys, number sizes: the same strict reading as an exchange file
    data = safejson.loads(text, "请求体")
    if not isinstance(data, dict):
        raise InputError([Problem("请求体", "请求体应为一个 JSON 对象（{…}）", "请求体")])
    return data


def _text(body: Body, key: str, label: str, required: bool = False) -> str:
    value = body.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InputError([Problem(key, f"请填写{label}（{key}）", label)])
        return ""
    if isinstance(value, (dict, list, bool)):
        raise InputError([Problem(key, f"{label}（{key}）应为文字", label)])
    return str(value).strip()


def _version(request: HttpRequest, body: Body, required: bool = True) -> int | None:
    """The ``version`` the caller read the object at (body, or the query for a DELETE)."""
    value = body.get("version", request.GET.get("version"))
    if value is None or value == "":
        if required:
            raise InputError([Problem("version", "请提供 version（读取该对象时得到的版本号），以免覆盖他人的修改",
                                      "version")])
        return None
    if isinstance(value, bool) or not str(value).strip().isdigit():
        raise InputError([Problem("version", f"version「{value}」应为整数（读取该对象时得到的版本号）", "version")])
    return int(str(value).strip())


def _values(body: Body, kind: str, skip: tuple[str, ...] = ()) -> Body:
    """The fields to set, by their exchange-format names (aliases resolved)."""
    aliases = ALIASES.get(kind, {})
    out: Body = {}
    problems: list[Problem] = []
    for key, value in body.items():
        if key in RESERVED or key in skip:
            continue
        name = aliases.get(key, key)
        if name in out:
            problems.append(Problem(key, f"「{key}」与「{name}」是同一字段，只能给出一个", key))
        elif isinstance(value, dict):
            problems.append(Problem(key, f"「{key}」应为文字、数字或是/否", key))
        out[name] = value
    if problems:
        raise InputError(problems)
    return out


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in _TRUE


def _year_row(request: HttpRequest, code: str, year: int) -> m.DepartmentYear:
    """The department-year, or 404 out of scope: checked before the body is read, so that an
    outsider learns nothing from a validation message."""
    return access.get_year_or_404(request.user, code, year)


# ---------------------------------------------------------------------------------------------
# Rendering records


def _plain(value: Any) -> Any:
    """A dataclass value as JSON: exact amount strings, nested objects as objects."""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _scored(request: HttpRequest, code: str, year: int) -> Scored:
    return scored(_year_row(request, code, year))


def _indicator_item(item: Body, ind: core.Indicator) -> Body:
    """The scorecard's indicator plus what a writer needs: every editable field as written."""
    parsed, ok = presenters.target_label(ind.target_text, ind.unit)
    fields = {name: _plain(getattr(ind, name)) for name in records.EDITABLE["indicator"]}
    return {**item, **fields, "actual": ind.actual_text, "target": ind.target_text,
            "target_parsed": parsed if ok else None, "original_target_text": ind.original_target_text,
            "origin": ind.origin, "version": ind.version}


def _indicators(items: list[Body], inds: list[core.Indicator]) -> list[Body]:
    by_code = {i.code: i for i in inds}
    return [_indicator_item(item, by_code[item["code"]]) for item in items if item["code"] in by_code]


def _project_body(data: Scored, p: core.Project) -> Body:
    card = next(c for c in scorecard_dict(data.result)["projects"] if c["code"] == p.code)
    fields = {name: _plain(getattr(p, name)) for name in records.EDITABLE["project"]}
    return {**card, **fields, "indicators": _indicators(card["indicators"], p.indicators),
            "funds": [_plain(f) for f in p.funds], "origin": p.origin, **_project_states(p)}


def _project_states(p: core.Project) -> Body:
    return {"status": p.status, "goal_status": p.goal_status, "version": p.version}


def _year_body(data: Scored) -> Body:
    card = scorecard_dict(data.result)
    card.pop("projects")
    fields = {name: _plain(getattr(data.dy, name)) for name in records.EDITABLE["year"]}
    return {**card, **fields, "indicators": _indicators(card["indicators"], data.dy.indicators),
            "status": data.dy.status, "version": data.dy.version,
            "projects": [{"code": p.code, "name": p.name, **_project_states(p)} for p in data.dy.projects]}


def _render_object(data: Scored, ref: Ref) -> Body:
    """The object ``ref`` names as stored (``NotFound`` when absent); a project and an indicator
    with their scores."""
    obj = find(data.dy, ref)
    if ref.kind == "year":
        return _year_body(data)
    if ref.kind == "project":
        return _project_body(data, obj)
    if ref.kind == "indicator" and ref.project:
        project = find(data.dy, Ref("project", ref.project))
        return next(i for i in _project_body(data, project)["indicators"] if i["code"] == ref.key)
    return _plain(obj)


def _read(request: HttpRequest, code: str, year: int, ref: Ref) -> Body:
    return _render_object(_scored(request, code, year), ref)


def _review_body(r: m.Review) -> Body:
    return {"id": r.pk, "project": r.project.code if r.project else None,
            "score": f"{r.score:.2f}", "grade": r.grade,
            "self_score": None if r.self_score is None else f"{r.self_score:.2f}", "self_grade": r.self_grade,
            "reason": r.reason, "who": r.who, "when": r.when.isoformat(),
            "items": [{"indicator": i.indicator_code, "name": i.name, "score": f"{i.score:.2f}",
                       "self_score": None if i.self_score is None else f"{i.self_score:.2f}", "comment": i.comment}
                      for i in r.items.all()]}


def _adjustment_body(a: m.TargetAdjustment) -> Body:
    ind = a.indicator
    return {"id": a.pk, "project": ind.project.code if ind.project else None, "indicator": ind.code,
            "field": a.field, "original": a.original, "adjusted": a.adjusted, "reason": a.reason,
            "status": a.status, "requested_by": a.requested_by, "requested_at": a.requested_at.isoformat(),
            "decided_by": a.decided_by or None, "decided_at": a.decided_at.isoformat() if a.decided_at else None,
            "decision_comment": a.decision_comment, "version": a.version}


# ---------------------------------------------------------------------------------------------
# The write steps every resource shares


def _object(request: HttpRequest, code: str, year: int, ref: Ref) -> Answer:
    """GET, PATCH or DELETE one object; PATCH answers the object as now stored and ``changed``."""
    if request.method == "GET":
        return _read(request, code, year, ref)
    _year_row(request, code, year)
    body = _body(request)
    actor = actor_for(request.user)
    reason = _text(body, "reason", "修改原因")
    if request.method == "DELETE":
        records.delete(actor, code, year, ref, _version(request, body), reason=reason)
        return {"detail": f"已删除{ref.path()}", "location": ref.path()}
    edited = records.edit(actor, code, year, ref, _values(body, ref.kind), _version(request, body), reason=reason,
                          confirm=body.get("confirm") in (True, 1, "1", "true"))
    # The object as now stored (its content and version agree, should another write follow at once).
    return {**_read(request, code, year, ref), "changed": list(edited.changed)}


def _create(request: HttpRequest, code: str, year: int, key: str, label: str, ref_of: Callable[[str], Ref]) -> Answer:
    """POST a new object: its identity is ``key`` in the body, the rest are its fields."""
    _year_row(request, code, year)
    body = _body(request)
    ref = ref_of(_text(body, key, label, required=True))
    records.create(actor_for(request.user), code, year, ref, _values(body, ref.kind, skip=(key,)),
                   reason=_text(body, "reason", "修改原因"))
    return 201, _read(request, code, year, ref)


def _move(request: HttpRequest, code: str, year: int, ref: Ref) -> Answer:
    """POST a workflow step: ``action``, ``comment``, optional ``stage`` and ``version``."""
    _year_row(request, code, year)
    body = _body(request)
    stage = _text(body, "stage", "流程阶段") or None
    stages = STAGES[ref.kind]
    if stage is not None and stage not in stages:
        raise InputError([Problem("stage", f"流程阶段「{stage}」无效，应为：{'、'.join(stages)}", "流程阶段")])
    moved = flow.transition(actor_for(request.user), code, year, ref, _text(body, "action", "操作", required=True),
                            _text(body, "comment", "意见"), stage, _version(request, body, required=False))
    return {"location": ref.path(), "stage": moved.stage, "before": moved.before, "status": moved.status,
            "version": moved.version}


def _list(request: HttpRequest, code: str, year: int, key: str,
          items: Callable[[core.DepartmentYear], list[Any]]) -> Body:
    return {key: [_plain(x) for x in items(_scored(request, code, year).dy)]}


# ---------------------------------------------------------------------------------------------
# Views


@api_view
def departments(request: HttpRequest) -> Answer:
    out = []
    for d in access.visible_departments(request.user).select_related("parent").prefetch_related("years"):
        out.append({
            "code": d.code, "name": d.name, "kind": d.kind,
            "parent": d.parent.code if d.parent else None,
            "roles": sorted(access.roles_in(request.user, d)),
            "years": sorted(y.year for y in d.years.all()),
        })
    return {"departments": out}


@api_view(methods=("GET", "PATCH"))
def department_year(request: HttpRequest, code: str, year: int) -> Answer:
    return _object(request, code, year, Ref("year"))


@api_view(methods=("POST",))
def department_workflow(request: HttpRequest, code: str, year: int) -> Answer:
    return _move(request, code, year, Ref("year"))


@api_view(methods=("GET", "POST"))
def projects(request: HttpRequest, code: str, year: int) -> Answer:
    if request.method == "POST":
        return _create(request, code, year, "code", "项目编码", lambda key: Ref("project", key))
    data = _scored(request, code, year)
    states = {p.code: _project_states(p) for p in data.dy.projects}
    cards = scorecard_dict(data.result)["projects"]
    return {"projects": [
        {k: v for k, v in c.items() if k not in ("indicators", "trace", "execution_trace")} | states[c["code"]]
        for c in cards
    ]}


@api_view(methods=("GET", "PATCH", "DELETE"))
def project(request: HttpRequest, code: str, year: int, pcode: str) -> Answer:
    return _object(request, code, year, Ref("project", pcode))


@api_view(methods=("POST",))
def project_workflow(request: HttpRequest, code: str, year: int, pcode: str) -> Answer:
    return _move(request, code, year, Ref("project", pcode))


@api_view(methods=("GET", "POST"))
def indicators(request: HttpRequest, code: str, year: int, pcode: str) -> Answer:
    if request.method == "POST":
        return _create(request, code, year, "code", "指标编码", lambda key: Ref("indicator", pcode, key))
    return {"indicators": _read(request, code, year, Ref("project", pcode))["indicators"]}


@api_view(methods=("GET", "PATCH", "DELETE"))
def indicator(request: HttpRequest, code: str, year: int, pcode: str, icode: str) -> Answer:
    return _object(request, code, year, Ref("indicator", pcode, icode))


@api_view(methods=("GET", "POST"))
def indicator_adjustments(request: HttpRequest, code: str, year: int, pcode: str, icode: str) -> Answer:
    """GET: the indicator's 目标调整 requests; POST: request one (``field``, ``value``, ``reason``)."""
    row = _year_row(request, code, year)
    if request.method == "GET":
        find(scored(row).dy, Ref("indicator", pcode, icode))  # 404 for an indicator that is not there
        found = m.TargetAdjustment.objects.filter(
            indicator__project__department_year=row, indicator__project__code=pcode, indicator__code=icode,
        ).select_related("indicator__project")
        return {"adjustments": [_adjustment_body(a) for a in found]}
    body = _body(request)
    field = _text(body, "field", "调整内容", required=True)
    adj = adjustments.request_adjustment(actor_for(request.user), code, year, pcode, icode,
                                         ALIASES["indicator"].get(field, field),
                                         _text(body, "value", "调整后的值"), _text(body, "reason", "调整理由"))
    return 201, _adjustment_body(adj)


@api_view(methods=("GET", "PATCH"))
def fund(request: HttpRequest, code: str, year: int, pcode: str, source: str) -> Answer:
    return _object(request, code, year, Ref("fund", pcode, source))


@api_view(methods=("GET", "POST"))
def checkpoints(request: HttpRequest, code: str, year: int, pcode: str) -> Answer:
    if request.method == "POST":
        return _create(request, code, year, "month", "监控月份", lambda key: Ref("checkpoint", pcode, key))
    return _list(request, code, year, "checkpoints", lambda dy: find(dy, Ref("project", pcode)).checkpoints)


@api_view(methods=("GET", "PATCH", "DELETE"))
def checkpoint(request: HttpRequest, code: str, year: int, pcode: str, month: int) -> Answer:
    return _object(request, code, year, Ref("checkpoint", pcode, str(month)))


@api_view(methods=("POST",))
def checkpoint_workflow(request: HttpRequest, code: str, year: int, pcode: str, month: int) -> Answer:
    return _move(request, code, year, Ref("checkpoint", pcode, str(month)))


@api_view(methods=("GET", "POST"))
def rectifications(request: HttpRequest, code: str, year: int) -> Answer:
    if request.method == "POST":
        return _create(request, code, year, "code", "整改事项编码", lambda key: Ref("rectification", "", key))
    return _list(request, code, year, "rectifications", lambda dy: dy.rectifications)


@api_view(methods=("GET", "PATCH", "DELETE"))
def rectification(request: HttpRequest, code: str, year: int, rcode: str) -> Answer:
    return _object(request, code, year, Ref("rectification", "", rcode))


@api_view(methods=("POST",))
def rectification_workflow(request: HttpRequest, code: str, year: int, rcode: str) -> Answer:
    return _move(request, code, year, Ref("rectification", "", rcode))


@api_view(methods=("POST",))
def review(request: HttpRequest, code: str, year: int) -> Answer:
    """The finance bureau's 复核: ``project`` (null: the department), ``reason``, ``scores``
    per indicator (or ``total`` alone)."""
    _year_row(request, code, year)
    body = _body(request)
    given = body.get("scores") or []
    if not isinstance(given, list) or not all(isinstance(s, dict) for s in given):
        raise InputError([Problem("scores", 'scores 应为列表，每项形如 {"indicator": 编码, "score": 得分}',
                                  "复核得分")])
    scores = [ReviewScore(_text(s, "indicator", "指标编码", required=True), _text(s, "score", "复核得分"),
                          _text(s, "comment", "复核说明")) for s in given]
    total = _text(body, "total", "复核得分") or None
    recorded = reviews.record_review(actor_for(request.user), code, year, _text(body, "project", "项目编码") or None,
                                     _text(body, "reason", "复核意见"), scores, total)
    return 201, _review_body(recorded)


def _decision_body(d: m.ResultDecision) -> Body:
    return {"project": d.project_code, "grade": d.grade, "grade_basis": d.grade_basis, "consequence": d.consequence,
            "proposed": None if d.proposed is None else f"{d.proposed:.2f}", "decided": f"{d.decided:.2f}",
            "comment": d.comment, "rules": d.rules, "who": d.who, "when": d.when.isoformat()}


@api_view(methods=("GET", "POST"))
def results(request: HttpRequest, code: str, year: int) -> Answer:
    """结果应用: GET each project's grade, consequence, proposed amount and decision in force;
    POST the finance bureau's decision ``{"project": "P01", "amount": "180", "comment": "…"}``
    (amount blank: adopt the proposal)."""
    row = _year_row(request, code, year)
    if request.method == "POST":
        body = _body(request)
        decided = results_application.decide(
            actor_for(request.user), code, year, _text(body, "project", "项目编码", required=True),
            _text(body, "amount", "下年度安排数"), _text(body, "comment", "审核意见"))
        return 201, _decision_body(decided)
    data = scored(row)
    projects = []
    for o in results_application.outcomes(row, data.result):
        p = o.proposal
        projects.append({
            "project": p.project, "name": p.name, "score": None if p.score is None else f"{p.score:.2f}",
            "grade": p.grade, "grade_basis": p.grade_basis,
            "consequence": p.consequence.consequence if p.consequence else None,
            "budget": None if p.budget is None else f"{p.budget:.2f}",
            "proposed": None if p.proposed is None else f"{p.proposed:.2f}", "reason": p.reason,
            "decision": _decision_body(o.decision) if o.decision else None})
    return {"money_unit": row.money_unit, "projects": projects}


@api_view(methods=("POST",))
def indicator_move(request: HttpRequest, code: str, year: int, pcode: str, icode: str) -> Answer:
    """The order of a project's indicators (绩效目标申报): ``{"direction": "up"|"down", "version": N}``
    moves one place; the answer is the new order."""
    _year_row(request, code, year)
    body = _body(request)
    direction = _text(body, "direction", "方向", required=True)
    if direction not in ("up", "down"):
        raise InputError([Problem("direction", f"方向「{direction}」无效，应为 up（上移）或 down（下移）", "方向")])
    moved = goal_setting.move_indicator(actor_for(request.user), code, year, pcode, icode,
                                        -1 if direction == "up" else 1, _version(request, body, required=False))
    p = find(_scored(request, code, year).dy, Ref("project", pcode))
    return {"moved": moved, "order": [i.code for i in p.indicators]}


@api_view(methods=("POST",))
def project_copy(request: HttpRequest, code: str, year: int) -> Answer:
    """A project of an earlier year copied as this year's draft: ``{"from_year": 2021,
    "from_project": "P01", "code": "P21"}`` (code blank: the same code)."""
    _year_row(request, code, year)
    body = _body(request)
    raw_year = _text(body, "from_year", "复制自年度", required=True)
    if not raw_year.isdigit():
        raise InputError([Problem("from_year", f"复制自年度「{raw_year}」应为四位年份", "复制自年度")])
    source = _text(body, "from_project", "复制自项目", required=True)
    made = goal_setting.copy_project(actor_for(request.user), code, year, int(raw_year), source,
                                     _text(body, "code", "项目编码"))
    return 201, _read(request, code, year, Ref("project", made))


@api_view
def year_adjustments(request: HttpRequest, code: str, year: int) -> Answer:
    """Every 目标调整 of the year's projects, newest first (``status`` 待审核 awaits a decision)."""
    row = _year_row(request, code, year)
    found = m.TargetAdjustment.objects.filter(indicator__project__department_year=row).select_related(
        "indicator__project")
    return {"adjustments": [_adjustment_body(a) for a in found]}


@api_view(methods=("GET", "POST"))
def adjustment(request: HttpRequest, id: int) -> Answer:
    """GET: one 目标调整; POST: decide it (``action`` approve/reject, ``comment``)."""
    adj = (m.TargetAdjustment.objects.select_related("indicator__project__department_year__department")
           .filter(pk=id, indicator__project__isnull=False).first())
    if adj is None or adj.indicator.project is None:
        raise Http404
    year_row = adj.indicator.project.department_year
    _year_row(request, year_row.department.code, year_row.year)
    if request.method == "GET":
        return _adjustment_body(adj)
    body = _body(request)
    decided = adjustments.decide_adjustment(
        actor_for(request.user), adj.pk, _text(body, "action", "操作", required=True),
        _text(body, "comment", "审核意见"), _version(request, body, required=False))
    return _adjustment_body(decided)


def _upload_limit() -> int:
    return int(getattr(settings, "JIXIAO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def _read_upload(request: HttpRequest) -> tuple[imports.FileRead, str]:
    """The department-year a request imports: an uploaded file (``file``, .json or .xlsx), or an
    exchange-format document as the JSON body."""
    upload = request.FILES.get("file")
    if upload is None:
        if (request.content_type or "").startswith("multipart/"):
            raise InputError([Problem("file", "请以 file 字段上传文件（.json 或 .xlsx）", "文件")])
        return imports.FileRead(exchange.from_dict(_body(request), "请求体"), []), "API 请求体"
    name = Path(upload.name or "").name
    name = name if name not in ("", ".", "..") else "upload"
    if upload.size is not None and upload.size > _upload_limit():
        raise InputError([Problem(name, f"文件过大，上限 {_upload_limit() // 1024 // 1024} MB", "文件大小")])
    with tempfile.TemporaryDirectory(prefix="jixiao-api-") as folder:
        path = Path(folder) / name  # the name as uploaded: what reading it reports

        def copy(tmp: Path) -> None:
            with tmp.open("wb") as fh:
                for chunk in upload.chunks():
                    fh.write(chunk)
        atomic_write(path, copy)  # a full disk: 422 with a message, not a 500
        return imports.read_file(path), name


@api_view(methods=("POST",))
def import_document(request: HttpRequest) -> Answer:
    """Import a department-year: ``?dry_run=1`` answers the preview and changes nothing;
    otherwise all of it is applied, or — with any conflict — nothing (409 with the preview).
    ``?delete_missing=1`` also deletes what the document leaves out."""
    read, source = _read_upload(request)
    actor = actor_for(request.user)
    delete_missing = _flag(request.GET.get("delete_missing"))
    reading = _problems(read.warnings)
    if _flag(request.GET.get("dry_run")):
        preview = imports.preview(actor, read.candidate, source, delete_missing)
        return {**preview.as_dict(), "summary": preview.summary(), "applied": False, "reading": reading}
    applied = imports.apply(actor, read.candidate, source, reason=request.GET.get("reason") or f"API 导入 {source}",
                            delete_missing=delete_missing)
    return {**applied.as_dict(), "summary": applied.summary(), "applied": True, "reading": reading}


@api_view
def evaluation(request: HttpRequest, code: str, year: int) -> Answer:
    data = _scored(request, code, year)
    latest = reviews.latest_reviews(data.row)

    def rev(key: str) -> Body | None:
        r = latest.get(key)
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


def openapi(request: HttpRequest) -> JsonResponse:
    """The API description; public, like any API document (it holds no data)."""
    return _json(openapi_document())
