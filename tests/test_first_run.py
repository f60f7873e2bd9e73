"""From the demo to a real bureau: ``jixiao demo`` never replaces data, ``--reset`` starts over
consistently, ``jixiao init`` and the first-run page set up a bureau and its administrator."""
from __future__ import annotations

import io

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.test import Client

from jixiao.budget import models as m
from jixiao.core import organisation as org
from jixiao.ledgers.models import ChangeRecord
from jixiao.organisation.models import Profile
from jixiao.services import organisation
from jixiao.services.actor import system_actor
from jixiao.services.records import set_actual

STRONG = "Caizheng#2026x"


def _first_draft_indicator() -> tuple[str, str]:
    p = m.Project.objects.filter(department_year__department__code="demo-b", status__in=("草稿", "退回")).first()
    assert p is not None
    return p.code, p.indicators.order_by("position", "id").first().code


def _actual(pcode: str, icode: str) -> str:
    return m.Indicator.objects.get(project__department_year__department__code="demo-b", project__code=pcode,
                                   code=icode).actual_text


def test_demo_again_keeps_an_edit_and_reset_starts_over(db, cli, settings):
    settings.JIXIAO_DEMO = True
    assert cli("demo").returncode == 0
    pcode, icode = _first_draft_indicator()
    original = _actual(pcode, icode)
    set_actual(system_actor(), "demo-b", 2022, pcode, icode, "25", None)
    assert _actual(pcode, icode) == "25"

    again = cli("demo")  # what `make run` does on a second start: nothing
    assert again.returncode == 0 and "未作改动" in again.stdout
    assert _actual(pcode, icode) == "25"
    empty_only = cli("demo", "--if-empty")
    assert empty_only.returncode == 0 and "未载入" in empty_only.stdout
    assert _actual(pcode, icode) == "25"

    reset = cli("demo", "--reset", "--yes")
    assert reset.returncode == 0, reset.stderr
    assert _actual(pcode, icode) == original
    # the edit's history went with it, and so did any ledger history of the demo
    assert not m.ChangeLog.objects.filter(department="demo-b", field="actual_text", after="25").exists()
    assert m.DepartmentYear.objects.filter(department__code="demo").count() == 1
    assert get_user_model().objects.filter(username="jingban-b").exists()


def test_reset_removes_reviews_history_and_ledgers_of_the_demo_only(db, cli, settings):
    settings.JIXIAO_DEMO = True
    assert cli("demo").returncode == 0
    bureau = m.Department.objects.get(code="hp-finance")
    other = m.Department.objects.create(code="real-unit", name="真实单位", parent=bureau)
    m.ChangeLog.objects.create(department="real-unit", model_label="部门", object_key="x", field="name")
    dy = m.DepartmentYear.objects.get(department__code="demo", year=2022)
    m.Review.objects.create(department_year=dy, score=90, grade="优", reason="复核意见（测试）", who="caizheng")
    ledger_rows = sum(model._default_manager.filter(department="demo").count()
                      for model in apps.get_models() if issubclass(model, ChangeRecord))
    assert ledger_rows > 0  # the demo ledgers were loaded with their history

    assert cli("demo", "--reset", "--yes").returncode == 0
    assert not m.Review.objects.filter(department_year__department__code="demo").exists()
    assert m.Department.objects.filter(pk=other.pk).exists()
    assert m.ChangeLog.objects.filter(department="real-unit").exists()  # not the demo's: kept


def test_reset_asks_first(db, cli, settings, monkeypatch):
    settings.JIXIAO_DEMO = True
    assert cli("demo").returncode == 0
    monkeypatch.setattr("sys.stdin.isatty", lambda: True)
    monkeypatch.setattr("builtins.input", lambda prompt="": "n")
    ran = cli("demo", "--reset")
    assert ran.returncode == 1 and "已取消" in ran.stdout
    monkeypatch.setattr("sys.stdin.isatty", lambda: False)
    ran = cli("demo", "--reset")
    assert ran.returncode == 2 and "--yes" in ran.stderr


def test_if_empty_loads_into_an_empty_database(db, cli, settings):
    settings.JIXIAO_DEMO = True
    ran = cli("demo", "--if-empty")
    assert ran.returncode == 0 and "已载入示例部门" in ran.stdout


def test_init_creates_the_bureau_and_the_administrator(db, cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    ran = cli("init", "--bureau-code", "440112", "--bureau-name", "广州市黄埔区财政局", "--admin", "admin01",
              "--name", "张三", "--password-stdin")
    assert ran.returncode == 0, ran.stderr
    assert "jixiao org export" in ran.stdout
    bureau = m.Department.objects.get(code="440112")
    assert bureau.kind == "财政局" and bureau.parent is None
    user = get_user_model().objects.get(username="admin01")
    assert user.check_password(STRONG) and user.is_superuser
    assert m.Membership.objects.filter(user=user, department=bureau, role="系统管理员").exists()
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    again = cli("init", "--bureau-code", "440113", "--bureau-name", "另一个财政局", "--admin", "admin02",
                "--password-stdin")
    assert again.returncode == 1 and "已有管理员" in again.stderr
    assert not m.Department.objects.filter(code="440113").exists()


def test_init_refuses_a_weak_password_and_stores_nothing(db, cli, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("12345678\n"))
    ran = cli("init", "--bureau-code", "440112", "--bureau-name", "财政局", "--admin", "admin01", "--password-stdin")
    assert ran.returncode == 2 and "密码" in ran.stderr and "Traceback" not in ran.stderr
    assert not m.Department.objects.exists() and not get_user_model().objects.exists()


def test_first_run_page_only_while_there_is_no_administrator(db):
    c = Client()
    login = c.get("/accounts/login/")
    assert "首次使用" in login.content.decode()
    page = c.get("/setup/")
    assert page.status_code == 200 and "建立财政局和系统管理员" in page.content.decode()
    bad = c.post("/setup/", {"bureau_code": "440112", "bureau_name": "广州市黄埔区财政局", "username": "admin01",
                             "password": STRONG, "password2": STRONG + "x"})
    assert bad.status_code == 400 and "两次输入的密码不一致" in bad.content.decode()
    done = c.post("/setup/", {"bureau_code": "440112", "bureau_name": "广州市黄埔区财政局", "username": "admin01",
                              "name": "张三", "password": STRONG, "password2": STRONG})
    assert done.status_code == 302
    assert organisation.has_administrator()
    assert c.get("/setup/").status_code == 404
    assert "首次使用" not in c.get("/accounts/login/").content.decode()


def test_an_assigned_password_must_be_changed_first(db):
    organisation.initialise("440112", "财政局", "admin01", STRONG)
    saved = organisation.save_user(system_actor(), org.UserRow(
        username="li.si", name="李四", unit_code="440112", role="财政审核"))
    assert saved.action == "新增" and saved.password
    c = Client()
    assert c.login(username="li.si", password=saved.password)
    home = c.get("/")
    assert home.status_code == 302 and "/accounts/password/" in home["Location"]
    assert Profile.objects.get(user__username="li.si").must_change_password


@pytest.mark.parametrize("command", [("demo", "--help"), ("init", "--help")])
def test_help_names_the_options(cli, command):
    ran = cli(*command)
    assert ran.returncode == 0
    assert ("--reset" in ran.stdout) if command[0] == "demo" else ("--bureau-code" in ran.stdout)
