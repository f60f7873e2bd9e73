"""JSON API reads: content (with the codes, values and versions writers need), scoping, and the
committed OpenAPI document (every route, every method, the writable fields)."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import get_resolver
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.services import records, reviews
from jixiao.services.actor import Actor
from jixiao.web.openapi import openapi_document

DOC = Path(__file__).resolve().parents[1] / "docs" / "openapi.json"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_department_year_and_projects(site):
    c = client_for("jingban")
    dept = c.get("/api/departments/demo/2022/").json()
    assert (dept["budget"], dept["execution_rate"], dept["grade"]) == ("1153.25", "95.76", "优")
    projects = c.get("/api/departments/demo/2022/projects/").json()["projects"]
    assert len(projects) == 11 and {"code", "score", "grade", "status"} <= set(projects[0])
    p01 = c.get("/api/departments/demo/2022/projects/P01/").json()
    assert p01["indicators"][0]["target"] == "≥2件" and p01["indicators"][0]["target_parsed"] == "≥ 2件"
    inds = c.get("/api/departments/demo/2022/projects/P01/indicators/").json()["indicators"]
    assert len(inds) == 5


def test_writers_read_codes_values_and_versions(site):
    c = client_for("jingban-b")
    departments = c.get("/api/departments/").json()["departments"]
    assert [(d["code"], d["name"], d["parent"]) for d in departments] == [("demo-b", "黄埔区示例街道办事处（示例）",
                                                                           "hp-finance")]
    finance = {d["code"]: d["parent"] for d in client_for("caizheng").get("/api/departments/").json()["departments"]}
    assert finance["hp-finance"] is None and finance["demo"] == "hp-finance"
    year = c.get("/api/departments/demo-b/2022/").json()
    assert isinstance(year["version"], int) and year["status"] == "草稿" and "problems" in year
    assert {"code", "status", "goal_status", "version"} <= set(year["projects"][0])
    projects = c.get("/api/departments/demo-b/2022/projects/").json()["projects"]
    assert [(p["code"], p["status"], p["goal_status"]) for p in projects] == [
        ("B01", "草稿", "财政审核通过"), ("B02", "草稿", "财政审核通过"), ("B03", "草稿", "财政审核通过")]
    assert all(isinstance(p["version"], int) for p in projects)
    inds = c.get("/api/departments/demo-b/2022/projects/B01/indicators/").json()["indicators"]
    first = inds[0]
    assert (first["code"], first["actual"], first["target"], first["weight"]) == ("B01-I1", "26场", "≥24场",
                                                                                 first["target"] and first["weight"])
    assert first["actual_text"] == first["actual"] and first["target_text"] == first["target"]
    assert isinstance(first["version"], int) and first["weight"].replace(".", "").isdigit()
    assert next(i for i in inds if i["code"] == "B01-I3")["actual"] is None  # not reported yet
    one = c.get("/api/departments/demo-b/2022/projects/B01/indicators/B01-I1/").json()
    assert one == first
    project = c.get("/api/departments/demo-b/2022/projects/B01/").json()
    assert project["funds"][0]["fund_source"] == "一般公共预算" and isinstance(project["funds"][0]["version"], int)
    assert project["goal_status"] == "财政审核通过" and "goal" in project


def test_evaluation_includes_reviews(site):
    finance = Actor(name="caizheng", user=get_user_model().objects.get(username="caizheng"))
    reviews.record_review(finance, "demo", 2022, None, "部分指标佐证不足", total="90")
    ev = client_for("disanfang").get("/api/departments/demo/2022/evaluation/").json()
    assert ev["review"]["score"] == "90.00" and ev["review"]["reason"] == "部分指标佐证不足"
    assert ev["projects"][0]["review"] is None


def test_scoping_and_errors_are_json(site):
    c = client_for("jingban-b")
    answer = c.get("/api/departments/demo/2022/")
    assert answer.status_code == 404 and "error" in answer.json()


def test_openapi_is_served_and_committed():
    assert json.loads(DOC.read_text(encoding="utf-8")) == openapi_document(), \
        "docs/openapi.json is stale: python -m jixiao.web.openapi > docs/openapi.json"


def _api_routes() -> dict[str, tuple[str, ...]]:
    """OpenAPI path → the methods its view declares, for every API route of the URLconf."""
    web = get_resolver().url_patterns[0]
    routes = [p for p in web.url_patterns
              if getattr(p, "name", "") and p.name.startswith("api_") and p.name != "api_openapi"]
    return {"/" + str(p.pattern).replace("<str:", "{").replace("<int:", "{").replace(">", "}"): p.callback.api_methods
            for p in routes}


def test_openapi_covers_every_api_route_and_method():
    paths = openapi_document()["paths"]
    routes = _api_routes()
    assert set(routes) == set(paths)
    for route, methods in routes.items():
        documented = {k.upper() for k in paths[route] if k != "parameters"}
        assert documented == set(methods), route
        for method, op in paths[route].items():
            if method == "parameters":
                continue
            errors = {code for code in op["responses"] if code >= "400"}
            expected = {"401", "404"} if method == "get" else {"401", "403", "404", "409", "422"}
            if route == "/api/departments/":  # a listing: nothing to be out of scope
                expected = {"401"}
            assert errors == expected, (route, method)
            assert ("requestBody" in op) == (method in ("post", "patch")), (route, method)


def test_openapi_writable_fields_are_the_layers():
    schemas = openapi_document()["components"]["schemas"]
    assert set(schemas["IndicatorPatch"]["properties"]) == {*records.EDITABLE["indicator"], "actual", "target",
                                                            "version", "reason", "confirm"}
    assert schemas["IndicatorPatch"]["required"] == ["version"]


def test_openapi_endpoint_needs_no_login(db):
    assert Client().get("/api/openapi.json").json()["openapi"].startswith("3.")
