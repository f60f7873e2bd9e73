"""API tokens: ``jixiao token`` in-process, ``Authorization: Bearer`` on the API, CSRF, last_used."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path
from django.utils import timezone
from web_support import FAST_HASHERS, load_site

from jixiao.cli import main
from jixiao.web.demo import DEMO_PASSWORD
from jixiao.web.models import ApiToken
from jixiao.web.tokens import LAST_USED_SECONDS
from jixiao.web.views.api import api_view


@api_view(methods=("GET", "POST"))
def _echo(request):
    return {"user": request.user.username, "method": request.method}


# This module is also the URLconf of the tests marked below: the site plus one view that takes
# POST, as the API's write endpoints will.
urlpatterns = [path("test-api/echo/", _echo), path("", include("jixiao.urls"))]
with_echo = pytest.mark.urls(__name__)


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def create(capsys, username: str = "jingban", *extra: str) -> str:
    capsys.readouterr()
    assert main(["token", "create", username, *extra]) == 0
    out = capsys.readouterr().out
    assert "令牌" in out.splitlines()[0]
    return out.splitlines()[-1]


def bearer(token: str) -> Client:
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_created_token_authenticates_the_api(site, capsys):
    token = create(capsys, "jingban", "--name", "预算一体化系统")
    answer = bearer(token).get("/api/departments/")
    assert answer.status_code == 200
    assert [d["code"] for d in answer.json()["departments"]] == ["demo"]
    assert answer["Cache-Control"] == "no-store"
    # The scheme is case-insensitive; the token user's scope applies (jingban sees demo only).
    other = Client(HTTP_AUTHORIZATION=f"bearer {token}").get("/api/departments/demo-b/2022/")
    assert other.status_code == 404 and other.json()["detail"]
    assert ApiToken.objects.get().name == "预算一体化系统"


def test_only_the_hash_is_stored(site, capsys):
    token = create(capsys)
    row = ApiToken.objects.get()
    assert row.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token.startswith(row.prefix + "_") and len(token) - len(row.prefix) > 40
    stored = [str(v) for v in ApiToken.objects.values().get().values()]
    assert not any(token in v or token[len(row.prefix) + 1:] in v for v in stored)


def test_revoked_wrong_and_empty_tokens_are_401(site, capsys):
    token = create(capsys)
    prefix = ApiToken.objects.get().prefix
    assert main(["token", "revoke", prefix]) == 0
    assert "已撤销" in capsys.readouterr().out
    for value in (token, token[:-1] + ("A" if token[-1] != "A" else "B"), "jx_00000000_nothing", ""):
        answer = bearer(value).get("/api/departments/")
        assert answer.status_code == 401, value
        assert answer.json()["detail"] and answer["WWW-Authenticate"].startswith("Bearer")
    assert "撤销" in bearer(token).get("/api/departments/").json()["detail"]
    assert main(["token", "revoke", prefix]) == 0  # again: says so, changes nothing
    assert "无需重复" in capsys.readouterr().out


def test_a_bad_token_is_not_replaced_by_the_session(site):
    c = Client(HTTP_AUTHORIZATION="Bearer jx_00000000_nothing")
    assert c.login(username="jingban", password=DEMO_PASSWORD)
    assert c.get("/api/departments/").status_code == 401


def test_inactive_users_token_is_refused(site, capsys):
    token = create(capsys, "bumen")
    User.objects.filter(username="bumen").update(is_active=False)
    answer = bearer(token).get("/api/departments/")
    assert answer.status_code == 401 and "停用" in answer.json()["detail"]
    assert main(["token", "create", "bumen"]) == 2
    assert "停用" in capsys.readouterr().err


def test_revoke_all_of_a_users_tokens(site, capsys):
    first, second = create(capsys), create(capsys)
    keep = create(capsys, "bumen")
    assert main(["token", "revoke", "--user", "jingban"]) == 0
    assert "2 个令牌" in capsys.readouterr().out
    assert [bearer(t).get("/api/departments/").status_code for t in (first, second, keep)] == [401, 401, 200]


def test_revoke_by_number_and_by_full_token(site, capsys):
    first, second = create(capsys), create(capsys)
    rows = {t: ApiToken.objects.get(prefix="_".join(t.split("_", 2)[:2])) for t in (first, second)}
    assert main(["token", "revoke", str(rows[first].pk)]) == 0
    assert main(["token", "revoke", second]) == 0
    assert ApiToken.objects.filter(revoked_at__isnull=True).count() == 0


def test_list_never_shows_the_secret(site, capsys):
    token = create(capsys)
    create(capsys, "bumen")
    assert main(["token", "list", "--user", "jingban"]) == 0
    out = capsys.readouterr().out
    prefix = ApiToken.objects.get(user__username="jingban").prefix
    assert prefix in out and token not in out and token[len(prefix):] not in out
    assert "jingban" in out and "bumen" not in out and "有效" in out
    assert main(["token", "list"]) == 0
    assert "bumen" in capsys.readouterr().out


def test_unknown_user_and_bad_arguments_exit_2(site, capsys):
    for argv in (["token", "create", "nobody"], ["token", "list", "--user", "nobody"],
                 ["token", "revoke", "--user", "nobody"], ["token", "revoke", "jx_ffffffff"],
                 ["token", "revoke"]):
        capsys.readouterr()
        assert main(argv) == 2, argv
        err = capsys.readouterr().err
        assert err.startswith("错误：") and "Traceback" not in err, argv
    assert ApiToken.objects.count() == 0


def test_anonymous_gets_401_with_detail(site):
    answer = Client().get("/api/departments/")
    assert answer.status_code == 401 and answer.json()["detail"] == answer.json()["error"]


def test_get_only_views_refuse_other_methods(site, capsys):
    answer = bearer(create(capsys)).post("/api/departments/", {})
    assert answer.status_code == 405 and answer["Allow"] == "GET" and "GET" in answer.json()["detail"]


@with_echo
def test_bearer_needs_no_csrf_but_the_session_does(site, capsys):
    answer = bearer(create(capsys)).post("/test-api/echo/", {})
    assert answer.status_code == 200 and answer.json() == {"user": "jingban", "method": "POST"}

    session = Client(enforce_csrf_checks=True)
    assert session.login(username="jingban", password=DEMO_PASSWORD)
    assert session.get("/test-api/echo/").status_code == 200  # safe methods need no CSRF token
    refused = session.post("/test-api/echo/", {})
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    secret = "a" * 32
    session.cookies["csrftoken"] = secret
    accepted = session.post("/test-api/echo/", {}, HTTP_X_CSRFTOKEN=secret)
    assert accepted.status_code == 200 and accepted.json()["user"] == "jingban"


def test_last_used_is_written_at_most_once_a_minute(site, capsys):
    c = bearer(create(capsys))
    row = ApiToken.objects.get()
    assert row.last_used is None
    assert c.get("/api/departments/").status_code == 200
    row.refresh_from_db()
    first = row.last_used
    assert first is not None

    recent = timezone.now() - timedelta(seconds=LAST_USED_SECONDS - 10)
    ApiToken.objects.filter(pk=row.pk).update(last_used=recent)
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):
            assert c.get("/api/departments/").status_code == 200
    assert not [q for q in queries if q["sql"].startswith("UPDATE") and "web_apitoken" in q["sql"]]
    row.refresh_from_db()
    assert row.last_used == recent

    old = timezone.now() - timedelta(seconds=LAST_USED_SECONDS + 1)
    ApiToken.objects.filter(pk=row.pk).update(last_used=old)
    assert c.get("/api/departments/").status_code == 200
    row.refresh_from_db()
    assert row.last_used > old + timedelta(seconds=LAST_USED_SECONDS)
