"""Scoping: every URL pattern of the web app answers 404 for another department's objects,
anonymous visitors are sent to the login page (pages) or get 401 (API)."""
from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from web_support import FAST_HASHERS, client_for, load_site

# Arguments naming an object of the demo department, per URL parameter.
DEMO_ARGS = {"code": "demo", "year": 2022, "pcode": "P01", "icode": "P01-I1", "fmt": "docx", "form": "bulk"}
PUBLIC = {"web:login", "web:logout", "web:api_openapi", "web:index", "web:password_change"}
# Listings take no department: their content is scoped (test_own_department_is_reachable).
LISTINGS = {"web:api_departments"}
# Bureau pages are addressed by the bureau's code.
BUREAU = {"web:bureau", "web:bureau_latest", "web:bureau_monitoring"}
POST_ONLY = {"web:edit_actual", "web:project_action", "web:department_action", "web:problems_text"}


def _patterns(resolver=None, prefix="", ns=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            sub_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _patterns(p, prefix + str(p.pattern), sub_ns)
        elif isinstance(p, URLPattern) and p.name:
            yield f"{ns}{p.name}", list(p.pattern.converters)


def web_routes() -> list[tuple[str, list[str]]]:
    return sorted({(n, tuple(a)) for n, a in _patterns() if n.startswith("web:")})


def _url(name: str, params, code: str) -> str:
    from django.urls import reverse

    args = {k: DEMO_ARGS[k] for k in params}
    args["code"] = code
    return reverse(name, kwargs=args) if params else reverse(name)


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_every_route_is_covered():
    names = {n for n, _ in web_routes()}
    scoped = names - PUBLIC - LISTINGS
    assert scoped, "no department-scoped routes found"
    for name in scoped:
        params = dict(web_routes())[name]
        assert "code" in params, f"{name} takes no department code: scope it through access"


SCOPED = [r for r in web_routes() if r[0] not in PUBLIC | LISTINGS]


def test_other_department_gets_404(site):
    """jingban-b belongs to demo-b only: every demo URL is a 404, for GET and POST alike."""
    c = client_for("jingban-b")
    wrong = []
    for name, params in SCOPED:
        url = _url(name, params, "hp-finance" if name in BUREAU else "demo")
        for method in ("get", "post"):
            answer = getattr(c, method)(url, {"actual": "1件", "action": "submit", "comment": "x",
                                              "score": "1", "reason": "x"})
            # A method the view does not take is refused before scoping (405, whatever the
            # department, so it reveals nothing): GET on POST-only views, POST on the API.
            refused = answer.status_code == 405 and (
                (method == "get" and name in POST_ONLY) or (method == "post" and name.startswith("web:api_")))
            if answer.status_code != 404 and not refused:
                wrong.append(f"{method.upper()} {name} {url} → {answer.status_code}")
    assert not wrong, "\n".join(wrong)
    assert len(SCOPED) >= 20


def test_anonymous_is_sent_to_login(site):
    from django.test import Client

    wrong = []
    for name, params in SCOPED + [("web:api_departments", ()), ("web:index", ())]:
        url = _url(name, params, "hp-finance" if name in BUREAU else "demo")
        answer = Client().get(url)
        if name.startswith("web:api_"):
            ok = answer.status_code == 401
        else:
            ok = answer.status_code == 405 or (
                answer.status_code == 302 and answer["Location"].startswith("/accounts/login/"))
        if not ok:
            wrong.append(f"{name} {url} → {answer.status_code}")
    assert not wrong, "\n".join(wrong)


def test_own_department_is_reachable(site):
    c = client_for("jingban-b")
    assert c.get("/d/demo-b/2022/").status_code == 200
    listing = c.get("/api/departments/").json()["departments"]
    assert [d["code"] for d in listing] == ["demo-b"]


def test_bureau_reviewer_sees_departments_below(site):
    from jixiao.web import access
    from django.contrib.auth import get_user_model

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
