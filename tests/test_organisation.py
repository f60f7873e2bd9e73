"""The organisation: units and users change only through services/organisation — who may do
what, no cycles, deactivate instead of delete, the Excel list with preview, conflicts and
one-time passwords, and the pages."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.core import organisation as org
from jixiao.core.errors import InputError
from jixiao.excel.organisation import read_workbook, write_workbook
from jixiao.services import organisation
from jixiao.services.actor import actor_for, system_actor
from jixiao.services.errors import Denied, NotFound

# A valid 统一社会信用代码 (check character computed by GB 32100-2015) and one with a wrong last character
VALID_CREDIT = "91350100M000100Y43"
WRONG_CREDIT = "91350100M000100Y44"


@pytest.mark.parametrize("code, ok", [(VALID_CREDIT, True), (WRONG_CREDIT, False), ("9135010", False),
                                      ("91350100M000100I43", False)])
def test_credit_code_check_character(code, ok):
    assert (org.credit_code_problem(code) == "") is ok


def test_cycles_and_depth_are_found_whatever_the_data():
    parents = {"a": "b", "b": "c", "c": "a", "x": "y"}
    problems = org.tree_problems(parents, {"a": "单位!A2"})
    assert len(problems) == 1 and "循环" in problems[0].message
    deep = {f"u{i}": f"u{i + 1}" for i in range(40)}
    assert "超过" in org.tree_problems(deep, {})[0].message


def test_assignable_roles_come_from_the_rules():
    assert org.assignable_roles(["部门管理员"]) == ["经办人", "部门管理员", "第三方只读"]
    assert "财政审核" in org.assignable_roles(["系统管理员"])
    assert org.assignable_roles(["经办人"]) == []


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def test_a_department_admin_manages_the_users_of_their_unit_only(site):
    bumen = _actor("bumen")
    saved = organisation.save_user(bumen, org.UserRow(username="wang.wu", name="王五", unit_code="demo",
                                                      role="经办人", phone="13800138000"))
    assert saved.action == "新增" and len(saved.password) >= 10
    assert m.Membership.objects.filter(user__username="wang.wu", department__code="demo", role="经办人").exists()
    with pytest.raises(Denied, match="财政审核"):
        organisation.save_user(bumen, org.UserRow(username="zhao", name="赵六", unit_code="demo", role="财政审核"))
    with pytest.raises(InputError):  # another unit: not in their scope
        organisation.save_user(bumen, org.UserRow(username="zhao", name="赵六", unit_code="demo-b", role="经办人"))
    with pytest.raises(Denied):  # units are the system administrator's
        organisation.save_unit(bumen, org.UnitRow(code="demo-c", name="新单位", parent_code="demo"))
    history = m.ChangeLog.objects.filter(model_label="用户", object_key="用户/wang.wu")
    assert history.exists() and history.first().who == "bumen"


def test_units_cannot_form_a_cycle_or_hang_under_a_stranger(site):
    admin = _actor("xitong")
    organisation.save_unit(admin, org.UnitRow(code="demo-c", name="示例下属单位", parent_code="demo"))
    with pytest.raises(InputError, match="循环"):
        organisation.save_unit(admin, org.UnitRow(code="demo", name="广州开发区穗港科技合作园管理委员会",
                                                  parent_code="demo-c", kind="主管部门"))
    assert m.Department.objects.get(code="demo").parent.code == "hp-finance"
    with pytest.raises(InputError, match="不存在"):
        organisation.save_unit(admin, org.UnitRow(code="demo-d", name="单位", parent_code="nowhere"))


def test_deactivate_instead_of_delete(site):
    admin = _actor("xitong")
    organisation.set_user_active(admin, "jingban-b", False)
    user = get_user_model().objects.get(username="jingban-b")
    assert not user.is_active and m.Membership.objects.filter(user=user).exists()
    assert not Client().login(username="jingban-b", password="Jixiao#2022")
    organisation.set_unit_active(admin, "demo-b", False)
    assert m.Department.objects.get(code="demo-b").active is False
    assert m.DepartmentYear.objects.filter(department__code="demo-b").exists()
    with pytest.raises(Denied):
        organisation.set_user_active(admin, "xitong", False)


def test_reset_password_forces_a_change_at_the_next_login(site):
    password = organisation.reset_password(_actor("bumen"), "jingban")
    c = Client()
    assert c.login(username="jingban", password=password)
    assert c.get("/").status_code == 302
    page = c.get("/accounts/password/")
    assert page.status_code == 200
    with pytest.raises(NotFound):  # a department admin cannot reach another unit's users
        organisation.reset_password(_actor("bumen"), "jingban-b")


def test_the_list_round_trips_and_imports_with_preview(site, tmp_path):
    admin = system_actor()
    path = tmp_path / "org.xlsx"
    organisation.export_lists(admin, str(path))
    wb = load_workbook(path)
    assert wb.sheetnames[:3] == ["单位", "用户", "说明"] and wb["_jixiao"].sheet_state == "veryHidden"
    units, users, exported_at = read_workbook(path)
    assert {u.code for u in units} >= {"hp-finance", "demo", "demo-b"} and exported_at is not None
    pv = organisation.preview_org(admin, units, users, exported_at)
    assert not pv.blocked and all(c.action == "不变" for c in pv.units + pv.users)

    ws = wb["单位"]
    ws.append(["demo-c", "示例下属单位", "demo", "单位", VALID_CREDIT, "启用"])
    wb["用户"].append(["钱七", "qian.qi", "demo-c", "经办人", "020-12345678", "启用"])
    wb.save(path)
    units, users, exported_at = read_workbook(path)
    done = organisation.apply_org(admin, units, users, exported_at)
    assert not done.preview.blocked
    assert m.Department.objects.get(code="demo-c").parent.code == "demo"
    assert set(done.passwords) == {"qian.qi"}


def test_a_bad_list_names_the_cell_and_changes_nothing(site, tmp_path):
    path = tmp_path / "bad.xlsx"
    units = [org.UnitRow(code="u1", name="单位一", parent_code="u2"),
             org.UnitRow(code="u2", name="单位二", parent_code="u1"),
             org.UnitRow(code="u3", name="单位三", parent_code="hp-finance", credit_code=WRONG_CREDIT)]
    users = [org.UserRow(username="a", name="甲", unit_code="u3", role="科长")]
    write_workbook(path, units, users, timezone.now())
    units, users, exported_at = read_workbook(path)
    done = organisation.apply_org(system_actor(), units, users, exported_at)
    assert done.preview.blocked
    text = " ".join(str(p) for p in done.preview.problems)
    assert "循环" in text and "校验位" in text and "角色「科长」无效" in text and "单位!A" in text
    assert not m.Department.objects.filter(code__in=["u1", "u2", "u3"]).exists()


def test_a_row_changed_since_the_export_is_a_conflict(site, tmp_path):
    admin = system_actor()
    path = tmp_path / "org.xlsx"
    organisation.export_lists(admin, str(path))
    organisation.save_unit(_actor("xitong"), org.UnitRow(code="demo-b", name="改过的名称", parent_code="hp-finance",
                                                         kind="主管部门"))
    wb = load_workbook(path)
    ws = wb["单位"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == "demo-b":
            row[1].value = "文件中的名称"
    wb.save(path)
    units, users, exported_at = read_workbook(path)
    done = organisation.apply_org(admin, units, users, exported_at - timedelta(seconds=0))
    assert done.preview.conflicts and "xitong" in str(done.preview.conflicts[0])
    assert m.Department.objects.get(code="demo-b").name == "改过的名称"


def test_the_pages(site, tmp_path):
    admin = client_for("xitong")
    page = admin.get("/org/")
    assert page.status_code == 200 and "hp-finance" in page.content.decode()
    assert "组织与用户" in admin.get("/d/demo/2022/").content.decode()
    made = admin.post("/org/units/new/", {"code": "demo-c", "name": "示例下属单位", "parent_code": "demo",
                                           "kind": "单位", "credit_code": WRONG_CREDIT, "active": "on"})
    assert made.status_code == 400 and "校验位" in made.content.decode()
    made = admin.post("/org/units/new/", {"code": "demo-c", "name": "示例下属单位", "parent_code": "demo",
                                           "kind": "单位", "credit_code": VALID_CREDIT, "active": "on"})
    assert made.status_code == 302 and m.Department.objects.filter(code="demo-c").exists()
    users = admin.get("/org/users/")
    assert users.status_code == 200 and "jingban-b" in users.content.decode()
    assert admin.get("/org/template.xlsx").status_code == 200
    # a 经办人 has no organisation pages, and no link to them
    jingban = client_for("jingban")
    assert jingban.get("/org/").status_code == 404
    assert "组织与用户" not in jingban.get("/d/demo/2022/").content.decode()
    # a department admin sees the users of their unit, not the bureau's
    bumen = client_for("bumen").get("/org/users/").content.decode()
    assert "jingban" in bumen and "jingban-b" not in bumen and "caizheng" not in bumen


def test_the_list_upload_previews_before_it_imports(site, tmp_path):
    admin = client_for("xitong")
    path = tmp_path / "org.xlsx"
    organisation.export_lists(system_actor(), str(path))
    wb = load_workbook(path)
    wb["用户"].append(["孙八", "sun.ba", "demo", "经办人", "", "启用"])
    wb.save(path)
    with path.open("rb") as fh:
        shown = admin.post("/org/file/", {"file": fh})
    body = shown.content.decode()
    assert shown.status_code == 200 and "预览" in body and "sun.ba" in body
    assert not get_user_model().objects.filter(username="sun.ba").exists()
    token = body.split('name="token" value="')[1].split('"')[0]
    done = admin.post("/org/file/", {"token": token, "action": "apply"})
    assert done.status_code == 302 and get_user_model().objects.filter(username="sun.ba").exists()
