"""Small things every page relies on: one set of number filters (scores 2 decimals, money with
thousands separators in 万元, a year as written), 修改密码 in every user's navigation, and the
site's own icon (served by the app, no other host)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from django.template import Context, Template
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.web.templatetags import jx


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("89.9750"), "89.98"), (Decimal("96.0000"), "96"), ("9.5", "9.5"), (None, "—"), ("", "—"),
    ("很好", "很好"),
])
def test_score(value, shown):
    assert jx.score(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("1153.2549"), "1,153.25"), (Decimal("86"), "86.00"), ("1234567.891", "1,234,567.89"),
    (Decimal("-0.001"), "0.00"), (None, "—"),
])
def test_money(value, shown):
    assert jx.money(value) == shown


@pytest.mark.parametrize(("value", "shown"), [
    (2022, "2022"), (Decimal("2022.00"), "2022"), ("2022", "2022"), ("2,022.00", "2022"), (None, "—"),
    ("2022年", "2022年"),
])
def test_year_is_never_grouped(value, shown):
    assert jx.year(value) == shown


def test_rate():
    assert jx.rate(Decimal("0.95761")) == "95.8%" and jx.rate(None) == "—"


def test_the_filters_are_builtins_of_every_template():
    out = Template("{{ y|year }} {{ a|money }} {{ s|score }}").render(
        Context({"y": 2022, "a": Decimal("12345.6"), "s": Decimal("4.5")}))
    assert out == "2022 12,345.60 4.5"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


@pytest.mark.parametrize("user", ["jingban", "bumen", "caizheng", "disanfang", "xitong", "jingban-b"])
def test_password_change_and_library_are_in_every_users_navigation(site, user):
    html = client_for(user).get("/", follow=True).content.decode()
    assert 'href="/accounts/password/"' in html and "修改密码" in html
    assert 'href="/library/"' in html
    assert client_for(user).get("/accounts/password/").status_code == 200


def test_the_favicon_is_served_by_the_app(site, client):
    answer = client.get("/favicon.ico")
    assert answer.status_code == 200 and answer["Content-Type"] == "image/svg+xml"
    assert answer.content.startswith(b"<svg")
    html = client_for("jingban").get("/d/demo/2022/").content.decode()
    assert 'rel="icon"' in html and "favicon.svg" in html and "http" not in html.split('rel="icon"')[1][:80]
