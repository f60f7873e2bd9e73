"""JSON API: content, scoping, and the committed OpenAPI document."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from jixiao.web.openapi import openapi_document
from web_support import FAST_HASHERS, client_for, load_site

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


def test_evaluation_includes_reviews(site):
    client_for("caizheng").post("/d/demo/2022/review/", {"project": "", "score": "90", "reason": "部分指标佐证不足"})
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


def test_openapi_covers_every_api_route():
    from django.urls import get_resolver

    doc_paths = set(openapi_document()["paths"])
    web = get_resolver().url_patterns[0]
    routes = {"/" + str(p.pattern).replace("<str:", "{").replace("<int:", "{").replace(">", "}")
              for p in web.url_patterns if getattr(p, "name", "") and p.name.startswith("api_") and p.name != "api_openapi"}
    assert routes == doc_paths


def test_openapi_endpoint_needs_no_login(db):
    from django.test import Client

    assert Client().get("/api/openapi.json").json()["openapi"].startswith("3.")
