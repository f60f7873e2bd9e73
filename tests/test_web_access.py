"""Scoping, for every route of the whole URLconf (every app, every namespace, the API and the
admin): each route has a case in ROUTES saying how it is reached, and
the case is checked on the demo site as ``jixiao demo`` builds it (both departments, every
ledger, the demo logins) plus a pending target adjustment:

- SCOPED / BUREAU (the department or bureau code is in the path) and OBJECT (an object id that
  belongs to a department): for a user of another department the URL answers exactly as for a
  department (or object) that does not exist, for GET, POST, PATCH and DELETE: 404, or 405 for
  a method the view does not take (refused before scoping, so it reveals nothing), and 404 for
  at least one method. A member of the department reaches the same URL (so the 404 is about
  scope, not a URL that names nothing). Anonymous visitors are sent to the login page (pages)
  or get 401 (API);
- BODY: the department is named in the request body (the import API): another department's
  document is a 404;
- LOGIN: any logged-in user; anonymous visitors are sent to the login page;
- LISTING: any logged-in user, content scoped (test_own_department_is_reachable); API: 401;
- PUBLIC: reachable without logging in, on purpose;
- SUPERUSER: the system administrator only; anonymous visitors are sent to the login page, every
  other user gets 404;
- the admin namespace: staff only (anonymous visitors and department users are sent to the
  admin login), except its own login and logout.

A route added without a case fails test_every_route_has_a_case.
"""
from __future__ import annotations

import re

import pytest
from conftest import in_process, rows_for_the_module, run_cli
from django.contrib.auth import get_user_model
from django.test import Client, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from web_support import FAST_HASHERS, client_for

from jixiao import exchange
from jixiao.budget.store import load_department_year
from jixiao.jobs import worker
from jixiao.services import adjustments, exante, jobs
from jixiao.services.actor import actor_for
from jixiao.web import access

SCOPED, BUREAU, OBJECT, BODY = "scoped", "bureau", "object", "body"
LOGIN, LISTING, PUBLIC = "login", "listing", "public"
SUPERUSER = "superuser"  # the system administrator (a superuser) only; others get 404
MANAGER = "manager"  # who manages users (部门管理员, 系统管理员); others get 404
FIRST_RUN = "first_run"  # only while no administrator exists: 404 on the demo site, for everyone
JOB = "job"  # a background job: the user who started it; everyone else gets 404
# Every route outside the admin namespace, by name (or by its path when it has no name).
ROUTES = {
    # web: the department-year pages and their actions
    "web:department_latest": SCOPED,
    "web:department": SCOPED,
    "web:dashboard": SCOPED,
    "web:project": SCOPED,
    "web:edit_actual": SCOPED,
    "web:adjust_request": SCOPED,
    "web:adjust_decide": SCOPED,
    "web:project_action": SCOPED,
    "web:evaluation": SCOPED,
    "web:department_action": SCOPED,
    "web:problems_text": SCOPED,
    "web:rectification_action": SCOPED,
    "web:rectifications": SCOPED,
    "web:rectification_create": SCOPED,
    "web:rectification_edit": SCOPED,
    "web:rectification_step": SCOPED,
    "web:results": SCOPED,
    "web:report": SCOPED,
    "web:excel": SCOPED,
    "web:json": SCOPED,
    "web:history": SCOPED,
    "web:review": SCOPED,
    "web:review_total": SCOPED,
    "web:upload": SCOPED,
    "web:upload_confirm": SCOPED,
    "web:monitoring": SCOPED,
    "web:checkpoint_action": SCOPED,
    "web:checkpoint_form": SCOPED,
    "evidence:list": SCOPED,
    "evidence:upload": SCOPED,
    "evidence:delete": SCOPED,
    "evidence:download": SCOPED,
    "web:selfeval": SCOPED,
    "web:selfeval_dept_summary": SCOPED,
    "web:selfeval_dept_texts": SCOPED,
    "web:selfeval_dept_indicator": SCOPED,
    "web:selfeval_project": SCOPED,
    "web:selfeval_summary": SCOPED,
    "web:selfeval_texts": SCOPED,
    "web:selfeval_indicator": SCOPED,
    "web:bureau_latest": BUREAU,
    "web:bureau": BUREAU,
    "web:bureau_monitoring": BUREAU,
    "web:bureau_reviews": BUREAU,
    "web:bureau_results": BUREAU,
    "web:bureau_results_xlsx": BUREAU,
    "web:index": LOGIN,
    "web:password_change": LOGIN,
    # 绩效目标申报, 指标库, 目标调整
    "web:goals": SCOPED,
    "web:goals_new": SCOPED,
    "web:goals_copy": SCOPED,
    "web:goals_project": SCOPED,
    "web:goals_project_delete": SCOPED,
    "web:goals_action": SCOPED,
    "web:goals_indicator_new": SCOPED,
    "web:goals_indicator_check": SCOPED,
    "web:goals_indicator": SCOPED,
    "web:goals_indicator_move": SCOPED,
    "web:goals_indicator_delete": SCOPED,
    "web:library_pick": SCOPED,
    "web:adjustments": SCOPED,
    "web:library": LOGIN,
    "web:favicon": PUBLIC,
    "web:login": PUBLIC,
    "web:logout": PUBLIC,
    # web: the JSON API
    "web:api_openapi": PUBLIC,
    "web:api_departments": LISTING,
    "web:api_department_year": SCOPED,
    "web:api_department_workflow": SCOPED,
    "web:api_projects": SCOPED,
    "web:api_project": SCOPED,
    "web:api_project_workflow": SCOPED,
    "web:api_indicators": SCOPED,
    "web:api_indicator": SCOPED,
    "web:api_indicator_adjustments": SCOPED,
    "web:api_fund": SCOPED,
    "web:api_indicator_move": SCOPED,
    "web:api_project_copy": SCOPED,
    "web:api_checkpoints": SCOPED,
    "web:api_checkpoint": SCOPED,
    "web:api_checkpoint_workflow": SCOPED,
    "web:api_rectifications": SCOPED,
    "web:api_rectification": SCOPED,
    "web:api_rectification_workflow": SCOPED,
    "web:api_review": SCOPED,
    "web:api_results": SCOPED,
    "web:api_year_adjustments": SCOPED,
    "web:api_evaluation": SCOPED,
    "web:api_adjustment": OBJECT,
    "web:api_import": BODY,
    # the park ledgers
    "land:summary": SCOPED,
    "land:list": SCOPED,
    "land:parcel": SCOPED,
    "invest:board": SCOPED,
    "enterprise:overview": SCOPED,
    "enterprise:list": SCOPED,
    "enterprise:tickets": SCOPED,
    "enterprise:detail": SCOPED,
    "land:records": SCOPED,
    "land:record_form": SCOPED,
    "land:record_delete": SCOPED,
    "land:start": SCOPED,
    "land:upload": SCOPED,
    "land:upload_confirm": SCOPED,
    "invest:records": SCOPED,
    "invest:record_form": SCOPED,
    "invest:record_delete": SCOPED,
    "invest:start": SCOPED,
    "invest:upload": SCOPED,
    "invest:upload_confirm": SCOPED,
    "enterprise:records": SCOPED,
    "enterprise:record_form": SCOPED,
    "enterprise:record_delete": SCOPED,
    "enterprise:start": SCOPED,
    "enterprise:upload": SCOPED,
    "enterprise:upload_confirm": SCOPED,
    # the security log: the system administrator only (404 for everyone else)
    "security:log": SUPERUSER,
    "security:export": SUPERUSER,
    # 组织与用户: units are the system administrator's; users also a 部门管理员's (their unit's)
    "organisation:first_run": FIRST_RUN,
    "organisation:units": MANAGER,
    "organisation:unit_new": SUPERUSER,
    "organisation:unit_edit": SUPERUSER,
    "organisation:users": MANAGER,
    "organisation:user_new": MANAGER,
    "organisation:user_edit": MANAGER,
    "organisation:user_reset": MANAGER,
    "organisation:user_active": MANAGER,
    "organisation:file": MANAGER,
    "organisation:export": MANAGER,
    # 事前绩效评估: the list shows what the user may see; a proposal is an object of its department
    "exante:list": LOGIN,
    "exante:new": SCOPED,
    "exante:detail": OBJECT,
    "exante:act": OBJECT,
    "exante:report": OBJECT,
    "exante:form": OBJECT,
    # 任务: a job is its starter's; the bureau's batch report is started from the bureau page
    "jobs:list": LOGIN,
    "jobs:detail": JOB,
    "jobs:progress": JOB,
    "jobs:cancel": JOB,
    "jobs:download": JOB,
    "jobs:bureau_reports": BUREAU,
    "jobs:healthz": PUBLIC,
    # 预检与复核底稿
    "precheck:department": SCOPED,
    "precheck:workpaper": SCOPED,
    "precheck:bureau": BUREAU,
}
ADMIN_PUBLIC = {"admin:login", "admin:logout"}
# Public views that take POST only.
POST_ONLY = {"web:logout"}
# URL arguments naming an object of the demo department (or of the demo data), per parameter;
# the fixture adds the ids of the objects it creates ("adjustment", "id").
ARGS = {"code": "demo", "year": 2022, "pcode": "P01", "icode": "P01-I1", "fmt": "docx", "form": "bulk",
        "source": "一般公共预算", "month": 7, "rcode": "R01",
        "parcel_id": "440112-YP-001", "uscc": "91440116700000001X",
        "object_id": "1", "content_type_id": "1", "app_label": "budget", "url": "no-such-page/",
        "uidb64": "MQ", "token": "set-password", "username": "jingban"}
CREATED = ("adjustment", "id", "pk", "job_id")
BUREAU_CODE = "hp-finance"
NOWHERE = {SCOPED: {"code": "no-such-dept"}, BUREAU: {"code": "no-such-bureau"},
           OBJECT: {"id": 10**9, "adjustment": 10**9, "pk": 10**9}}
# Members of the demo department (and its bureau) who may open its pages, by the work they do.
INSIDERS = ("jingban", "bumen", "caizheng")
OUTSIDER = "jingban-b"  # 经办人 of demo-b only
METHODS = ("get", "post", "patch", "delete")


def _patterns(resolver=None, prefix="", ns=""):
    for p in (resolver or get_resolver()).url_patterns:
        if isinstance(p, URLResolver):
            yield from _patterns(p, prefix + str(p.pattern), f"{ns}{p.namespace}:" if p.namespace else ns)
        elif isinstance(p, URLPattern):
            route = prefix + str(p.pattern)
            yield (f"{ns}{p.name}" if p.name else route), route, ns.rstrip(":")


def all_routes() -> list[tuple[str, str, str]]:
    """(key, route, namespace) of every route: the name, or the route itself when unnamed."""
    return sorted(set(_patterns()))


def _params(route: str) -> list[str]:
    return re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)


def url_of(key: str, route: str, **given: object) -> str:
    kwargs = {p: given.get(p, ARGS[p]) for p in _params(route)}
    if key != route:  # named
        return reverse(key, kwargs=kwargs)
    # Unnamed (the admin's redirects and its catch-all): the path with its arguments put in.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(kwargs[m.group(1)]), route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(kwargs[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def cases(kind: str) -> list[tuple[str, str]]:
    return [(key, route) for key, route, ns in all_routes() if ns != "admin" and ROUTES.get(key) == kind]


def admin_routes() -> list[tuple[str, str]]:
    return [(key, route) for key, route, ns in all_routes() if ns == "admin" and key not in ADMIN_PUBLIC]


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker):
    """`jixiao demo` in demo mode, once for the module, and a pending target adjustment."""
    with rows_for_the_module(django_db_blocker):
        with django_db_blocker.unblock(), pytest.MonkeyPatch.context() as mp, \
                override_settings(JIXIAO_DEMO=True, PASSWORD_HASHERS=FAST_HASHERS):
            in_process(mp)
            assert run_cli("demo") == 0
            jingban = actor_for(get_user_model().objects.get(username="jingban"))
            adj = adjustments.request_adjustment(jingban, "demo", 2022, "P01", "P01-I1", "target_text", "≥3件",
                                                 "仲裁委排期推迟")
            proposal = exante.create(jingban, "demo", 2023, "X01", {"name": "园区企业服务平台", "requested": "80"})
            caizheng = actor_for(get_user_model().objects.get(username="caizheng"))
            job = jobs.start(caizheng, "report", "demo", {"code": "demo", "year": 2022})
            worker.run(once=True)  # its result exists: the download names something
        with pytest.MonkeyPatch.context() as mp:
            for name in ("adjustment", "id"):
                mp.setitem(ARGS, name, adj.pk)
            mp.setitem(ARGS, "pk", proposal.pk)
            mp.setitem(ARGS, "job_id", job.pk)
            yield


@pytest.fixture
def site(demo_site, db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS


def test_every_route_has_a_case():
    routes = all_routes()
    missing = [f"{key}（{route}）" for key, route, ns in routes if ns != "admin" and key not in ROUTES]
    assert not missing, "新路由没有访问范围用例，请在 ROUTES 中登记：\n" + "\n".join(missing)
    stale = set(ROUTES) - {key for key, _, _ in routes}
    assert not stale, f"ROUTES 中的路由已不存在：{sorted(stale)}"
    for key, route, _ in routes:
        unknown = set(_params(route)) - set(ARGS) - set(CREATED)
        assert not unknown, f"{key}: 请在 ARGS 中给出参数 {unknown} 的示例值"
    for key, route in cases(SCOPED):
        assert "code" in _params(route), f"{key} takes no department code: scope it through access"
    for key, route in cases(OBJECT):
        assert set(_params(route)) & set(CREATED), f"{key}: which object? name it in CREATED"
    assert len(cases(SCOPED)) >= 40 and len(admin_routes()) >= 20
    assert {ns for _, _, ns in routes} >= {"web", "land", "invest", "enterprise", "admin", "jobs", "organisation"}


def _insider_status(insiders: list[Client], url: str) -> int:
    """The answer of the first member of the department (or its bureau) who is not refused:
    proof that the URL names something, so the outsider's 404 is about scope. POST (with no
    data: it changes nothing) when the view takes no GET."""
    status = 404
    for c in insiders:
        status = c.get(url).status_code
        if status == 405:
            status = c.post(url).status_code
        if status != 404:
            break
    return status


def test_other_department_gets_404(site):
    """jingban-b belongs to demo-b only: every demo URL answers as if it named nothing, for
    every method, while a member of demo (or of its bureau) reaches the same URL."""
    outsider = client_for(OUTSIDER)
    insiders = [client_for(username) for username in INSIDERS]
    wrong = []
    checked = 0
    for kind in (SCOPED, BUREAU, OBJECT):
        for key, route in cases(kind):
            url = url_of(key, route, **({"code": BUREAU_CODE} if kind == BUREAU else {}))
            status = _insider_status(insiders, url)
            if status == 404 or status >= 500:
                wrong.append(f"{key} {url}：本部门用户也得到 {status}（示例参数 ARGS 不指向任何对象？）")
            nowhere = url_of(key, route, **NOWHERE[kind])
            answers = {}
            for method in METHODS:
                answer = getattr(outsider, method)(url).status_code
                expected = getattr(outsider, method)(nowhere).status_code
                answers[method] = answer
                if answer != expected or answer not in (404, 405):
                    wrong.append(f"{method.upper()} {key} {url} → {answer}（不存在的对象：{expected}）")
                checked += 1
            if 404 not in answers.values():
                wrong.append(f"{key} {url}：没有任何方法得到 404：{answers}")
    assert not wrong, "\n".join(wrong)
    assert checked >= 150


def test_another_departments_document_cannot_be_imported(site):
    document = exchange.to_dict(load_department_year("demo", 2022))
    for key, route in cases(BODY):
        url = url_of(key, route) + "?dry_run=1"
        assert client_for(OUTSIDER).post(url, document, content_type="application/json").status_code == 404, key
        assert client_for("jingban").post(url, document, content_type="application/json").status_code == 200, key
        assert Client().post(url, document, content_type="application/json").status_code == 401, key


def test_anonymous_is_sent_to_login(site):
    wrong = []
    for kind in (SCOPED, BUREAU, OBJECT, BODY, LOGIN, LISTING):
        for key, route in cases(kind):
            url = url_of(key, route, **({"code": BUREAU_CODE} if kind == BUREAU else {}))
            for method in METHODS:
                answer = getattr(Client(), method)(url)
                if key.startswith("web:api_"):
                    ok = answer.status_code == 401
                else:
                    # 405: a method the view does not take, refused before anything else
                    ok = answer.status_code == 405 or (
                        answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"))
                if not ok:
                    wrong.append(f"{method.upper()} {key} {url} → {answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_login_pages_open_for_any_logged_in_user(site):
    c = client_for(OUTSIDER)
    wrong = []
    for key, route in cases(LOGIN) + cases(LISTING):
        answer = c.get(url_of(key, route))
        # the home page sends a user of one department on to it: fine, as long as not to a login
        if not (answer.status_code == 200 or (answer.status_code == 302 and "/login/" not in answer["Location"])):
            wrong.append(f"{key} → {answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_public_pages_need_no_login(site):
    wrong = []
    for key, route in cases(PUBLIC):
        url = url_of(key, route)
        if key in POST_ONLY:
            answer = Client().post(url)
            ok = answer.status_code in (200, 302)
        else:
            answer = Client().get(url)
            ok = answer.status_code == 200
        if not ok:
            wrong.append(f"{key} {url} → {answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_admin_is_for_staff_only(site):
    """Every admin route: anonymous visitors and department users (not staff) are sent to the
    admin login; the system administrator (xitong) is not."""
    admin = client_for("xitong")
    visitors = (("anonymous", Client()), (OUTSIDER, client_for(OUTSIDER)), ("bumen", client_for("bumen")))
    wrong = []
    for key, route in admin_routes():
        url = url_of(key, route)
        for who, c in visitors:
            answer = c.get(url)
            if not (answer.status_code == 302 and answer["Location"].startswith("/admin/login/")):
                wrong.append(f"{who} GET {key} {url} → {answer.status_code}")
        answer = admin.get(url)
        if answer.status_code == 302 and answer["Location"].startswith("/admin/login/"):
            wrong.append(f"xitong GET {key} {url} → admin login")
    assert not wrong, "\n".join(wrong)


def test_own_department_is_reachable(site):
    c = client_for(OUTSIDER)
    assert c.get("/d/demo-b/2022/").status_code == 200
    listing = c.get("/api/departments/").json()["departments"]
    assert [d["code"] for d in listing] == ["demo-b"]


def test_bureau_reviewer_sees_departments_below(site):

    user = get_user_model().objects.get(username="caizheng")
    codes = set(access.visible_departments(user).values_list("code", flat=True))
    assert {"demo", "demo-b", "hp-finance"} <= codes
    operator = get_user_model().objects.get(username="jingban")
    assert set(access.visible_departments(operator).values_list("code", flat=True)) == {"demo"}


def test_read_only_role_cannot_post(site):
    c = client_for("disanfang")
    assert c.get("/d/demo/2022/p/P01/").status_code == 200
    assert c.get("/d/demo/upload/").status_code == 404
    assert c.get("/d/demo/2022/review/").status_code == 404


def test_superuser_pages_are_the_system_administrators(site):
    wrong = []
    for key, route in cases(SUPERUSER):
        url = url_of(key, route)
        anonymous = Client().get(url)
        if not (anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")):
            wrong.append(f"匿名 {key} → {anonymous.status_code}")
        for user in (OUTSIDER, "bumen", "caizheng"):
            answer = client_for(user).get(url)
            if answer.status_code != 404:
                wrong.append(f"{user} {key} → {answer.status_code}")
        if client_for("xitong").get(url).status_code != 200:
            wrong.append(f"xitong {key} 无法打开")
    assert not wrong, "\n".join(wrong)


def test_user_managers_pages(site):
    """部门管理员 and 系统管理员 open them; a 经办人 or the finance reviewer gets 404; anonymous
    visitors go to the login page. POST-only steps are tried on a user that does not exist (a
    404 inside the scope check, changing nothing)."""
    wrong = []
    for key, route in cases(MANAGER):
        url = url_of(key, route)
        post_only = Client().get(url).status_code == 302 and client_for("bumen").get(url).status_code == 405
        anonymous = Client().get(url)
        if not (anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")):
            wrong.append(f"匿名 {key} → {anonymous.status_code}")
        probe = url_of(key, route, username="no-such-user") if post_only else url
        for user in (OUTSIDER, "caizheng"):
            answer = (client_for(user).post(probe) if post_only else client_for(user).get(url)).status_code
            if answer != 404:
                wrong.append(f"{user} {key} → {answer}")
        for user in ("bumen", "xitong"):
            answer = (client_for(user).post(probe) if post_only else client_for(user).get(url)).status_code
            if answer not in (200, 302):
                wrong.append(f"{user} {key} → {answer}")
    assert not wrong, "\n".join(wrong)


def test_the_first_run_page_is_gone_once_there_is_an_administrator(site):
    for key, route in cases(FIRST_RUN):
        url = url_of(key, route)
        for c in (Client(), client_for("xitong"), client_for(OUTSIDER)):
            assert c.get(url).status_code == 404, key
            assert c.post(url, {"bureau_code": "x", "username": "y"}).status_code == 404, key


def test_a_job_is_its_starters(site):
    """The finance reviewer started a report job: only they open its pages and its result."""
    wrong = []
    for key, route in cases(JOB):
        url = url_of(key, route)
        anonymous = Client().get(url)
        if not (anonymous.status_code == 302 and anonymous["Location"].startswith("/accounts/login/")):
            wrong.append(f"匿名 {key} → {anonymous.status_code}")
        for user in (OUTSIDER, "jingban"):
            answers = {client_for(user).get(url).status_code, client_for(user).post(url).status_code}
            if 404 not in answers or answers - {404, 405}:
                wrong.append(f"{user} {key} → {sorted(answers)}")
        owner = client_for("caizheng")
        answer = owner.get(url).status_code
        if answer == 405:
            answer = owner.post(url).status_code
        if answer not in (200, 302):
            wrong.append(f"caizheng {key} → {answer}")
    assert not wrong, "\n".join(wrong)
