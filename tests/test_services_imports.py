"""Imports through the application layer: a preview first; conflicts for locked records and for
fields changed since the file was exported; states never taken from a file; all or nothing."""
from __future__ import annotations

import copy
import json

import pytest
from django.contrib.auth import get_user_model

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.changes import Ref, without_versions
from jixiao.core.errors import InputError
from jixiao.services import imports, records, workflow
from jixiao.services.actor import Actor, system_actor
from jixiao.services.errors import Denied, NotFound
from tests.web_support import load_site


@pytest.fixture
def site(db):
    load_site()


def _user(name: str) -> Actor:
    return Actor(name=name, user=get_user_model().objects.get(username=name))


def _exported(code: str = "demo-b") -> dict:
    return exchange.to_dict(load_department_year(code, 2022))


def _read(doc: dict):
    return exchange.from_dict(json.loads(json.dumps(doc, ensure_ascii=False)), "b.json")


def test_reimporting_an_unchanged_export_changes_nothing(site):
    preview = imports.preview(system_actor(), _read(_exported()), "b.json")
    assert preview.counts() == {"added": 0, "changed": 0, "deleted": 0, "conflict": 0, "warning": 0}


def test_a_file_never_changes_workflow_states(site):
    doc = _exported()
    doc["status"] = "锁定"
    for p in doc["projects"]:
        p["status"], p["goal_status"] = "锁定", "草稿"
    before = dict(m.Project.objects.filter(department_year__department__code="demo-b").values_list("code", "status"))
    result = imports.apply(_user("jingban-b"), _read(doc), "b.json")
    assert {i.field for i in result.of("warning")} == {"状态", "目标申报状态"}
    assert all("导入不改变状态" in i.message for i in result.of("warning"))
    after = dict(m.Project.objects.filter(department_year__department__code="demo-b").values_list("code", "status"))
    assert after == before
    assert m.DepartmentYear.objects.get(department__code="demo-b").status == "草稿"


def test_changes_to_a_submitted_project_are_conflicts_and_nothing_is_applied(site):
    code = load_department_year("demo-b", 2022).projects[0].code
    m.Project.objects.filter(department_year__department__code="demo-b", code=code).update(status="已审核")
    doc = _exported()
    doc["goal"] = "新的部门目标"  # allowed on its own
    doc["projects"][0]["indicators"][0]["actual_text"] = "99场"
    preview = imports.preview(system_actor(), _read(doc), "b.json")
    [conflict] = preview.conflicts
    assert conflict.ref == Ref("indicator", code, doc["projects"][0]["indicators"][0]["code"])
    assert "已审核" in conflict.message and "不能通过导入修改" in conflict.message
    with pytest.raises(imports.ImportConflict):
        imports.apply(system_actor(), _read(doc), "b.json")
    assert load_department_year("demo-b", 2022).goal != "新的部门目标"  # all or nothing


def test_a_stale_file_is_a_conflict_naming_who_changed_what_and_when(site):
    doc = _exported()  # exported at version 1
    p = doc["projects"][0]
    ind = p["indicators"][0]
    records.set_actual(_user("jingban-b"), "demo-b", 2022, p["code"], ind["code"], "8场", ind["version"])
    ind["actual_text"] = "5场"  # the e-mailed workbook still says something else
    preview = imports.preview(system_actor(), _read(doc), "b.json")
    [conflict] = preview.conflicts
    assert "jingban-b" in conflict.message and "8场" in conflict.message and "修改前的数据" in conflict.message
    with pytest.raises(imports.ImportConflict):
        imports.apply(system_actor(), _read(doc), "b.json")
    assert load_department_year("demo-b", 2022).projects[0].indicators[0].actual_text == "8场"


def test_a_file_that_agrees_with_a_newer_change_is_no_conflict(site):
    doc = _exported()
    p = doc["projects"][0]
    ind = p["indicators"][0]
    records.set_actual(_user("jingban-b"), "demo-b", 2022, p["code"], ind["code"], "8场", ind["version"])
    ind["actual_text"] = "8场"
    p["indicators"][1]["deviation_reason"] = "受天气影响推迟"
    result = imports.apply(system_actor(), _read(doc), "b.json")
    assert [i.field for i in result.of("changed")] == ["偏差原因分析及改进措施"]


def test_a_file_without_versions_is_compared_with_the_stored_values_only(site):
    doc = exchange.to_dict(without_versions(load_department_year("demo-b", 2022)))
    doc["projects"][0]["indicators"][0]["actual_text"] = "30场"
    result = imports.apply(system_actor(), _read(doc), "b.json")
    assert len(result.of("changed")) == 1 and not result.conflicts


def test_what_the_file_leaves_out_is_deleted_only_when_confirmed(site):
    doc = _exported()
    gone = doc["projects"].pop()["code"]
    result = imports.apply(system_actor(), _read(doc), "b.json")
    assert [i.ref for i in result.of("deleted")] == [Ref("project", gone)]
    assert gone in [p.code for p in load_department_year("demo-b", 2022).projects]
    imports.apply(system_actor(), _read(doc), "b.json", delete_missing=True)
    assert gone not in [p.code for p in load_department_year("demo-b", 2022).projects]


def test_importing_into_a_locked_year_is_refused_and_reopening_takes_unlock(site):
    m.DepartmentYear.objects.filter(department__code="demo-b").update(status="锁定")
    doc = _exported()
    doc["work_tasks"] = "改写的工作任务"
    with pytest.raises(imports.ImportConflict) as info:
        imports.apply(system_actor(), _read(doc), "b.json")
    assert "已锁定" in info.value.preview.conflicts[0].message
    # Reopening takes the unlock transition, with a reason, from the command line too.
    with pytest.raises(InputError):
        workflow.transition(system_actor(), "demo-b", 2022, Ref("year"), "unlock", "")
    workflow.transition(system_actor(), "demo-b", 2022, Ref("year"), "unlock", "发现数据错误，重新审核")
    assert m.DepartmentYear.objects.get(department__code="demo-b").status == "已审核"


def test_cli_import_lists_conflicts_exits_1_and_dry_run_changes_nothing(site, cli, tmp_path):
    doc = _exported()
    doc["projects"][0]["indicators"][0]["actual_text"] = "31场"
    path = tmp_path / "b.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    ran = cli("import", path, "--dry-run")
    assert ran.returncode == 0 and "修改 1 项" in ran.stdout and "31场" in ran.stdout
    assert load_department_year("demo-b", 2022).projects[0].indicators[0].actual_text != "31场"
    m.Project.objects.filter(department_year__department__code="demo-b",
                             code=doc["projects"][0]["code"]).update(status="锁定")
    ran = cli("import", path)
    assert ran.returncode == 1
    assert "冲突 1 项" in ran.stdout and "未导入任何数据" in ran.stderr and "Traceback" not in ran.stderr
    ran = cli("import", path, "--dry-run", "--json")
    assert json.loads(ran.stdout)["counts"]["conflict"] == 1


def test_import_is_scoped_to_the_actors_departments(site):
    with pytest.raises(NotFound):
        imports.preview(_user("jingban-b"), load_department_year("demo", 2022), "demo.json")
    with pytest.raises(Denied):
        imports.preview(_user("disanfang"), load_department_year("demo", 2022), "demo.json")
    new = copy.deepcopy(load_department_year("demo-b", 2022))
    new.department.code, new.department.parent_code = "brand-new", None
    with pytest.raises(Denied):
        imports.preview(_user("jingban-b"), new, "new.json")


def test_version_1_files_are_read_and_upgraded():
    doc = exchange.to_dict(without_versions(exchange.read_file(
        exchange.__file__.replace("exchange/__init__.py", "data/demo/department-b-2022.json"))))
    doc.pop("format_version")
    doc["version"] = 1  # version 1 named the format version so
    for p in doc["projects"]:
        p.pop("goal_status")
        for c in p["checkpoints"]:
            c["status"] = "草稿"
    doc["rectifications"] = [{"problem": "问题", "measure": "措施", "status": "未开始"}]
    dy = _read(doc)
    assert dy.rectifications[0].status == "待整改"
    assert all(c.status == "填报" for p in dy.projects for c in p.checkpoints)
