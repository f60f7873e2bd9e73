"""Attacks on the workflow and the organisation (等保 访问控制, 数据完整性): segregation of duties
as rules data, a locked year that freezes everything below it even in a race of real HTTP
clients, states and the department tree that no file can change."""
from __future__ import annotations

import dataclasses
import json
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from web_support import FAST_HASHERS, load_site, set_status

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.services import imports
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for, system_actor
from jixiao.services.errors import Denied
from jixiao.web.demo import DEMO_PASSWORD

P01 = Ref("project", "P01")
# plausible new actual values (the value rules would ask to confirm a far-off one, not store it)
NEW_ACTUALS = {"P01-I1": "3件", "P01-I2": "99%", "P01-I3": "按期完成", "P01-I4": "9公顷"}


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    set_status("demo", "P01", "草稿")


def _actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


# -- segregation of duties -----------------------------------------------------------------------

def test_whoever_submitted_may_not_approve(site):
    flow.transition(_actor("bumen"), "demo", 2022, P01, "submit")  # a 部门管理员 may submit …
    with pytest.raises(Denied) as refused:
        flow.transition(_actor("bumen"), "demo", 2022, P01, "approve")  # … but not approve their own
    assert "职责分离" in str(refused.value)
    assert load_department_year("demo", 2022).project("P01").status == "已提交"
    moved = flow.transition(_actor("xitong"), "demo", 2022, P01, "approve")  # someone else may
    assert moved.status == "已审核"


def test_the_demo_chain_still_works(site):
    flow.transition(_actor("jingban"), "demo", 2022, P01, "submit")
    assert flow.transition(_actor("bumen"), "demo", 2022, P01, "approve").status == "已审核"


def test_a_locality_may_allow_one_officer_to_do_both(site, monkeypatch):
    rules = workflow.load_workflow()
    single = dataclasses.replace(rules, segregation=workflow.Segregation("single-officer", {}, True))
    monkeypatch.setattr(workflow, "load_workflow", lambda: single)
    flow.transition(_actor("bumen"), "demo", 2022, P01, "submit")
    assert flow.transition(_actor("bumen"), "demo", 2022, P01, "approve").status == "已审核"


def test_segregation_is_rules_data():
    data = json.loads(workflow.RULES_FILE.read_text(encoding="utf-8"))["segregation"]
    assert data["in_force"] == "default" and data["source"]
    assert workflow.segregation().separate == {"approve": "submit", "ratify": "submit"}
    assert workflow.segregation().locked_year_freezes


# -- a locked year, in a race of real HTTP clients ----------------------------------------------

class Browser:
    def __init__(self, base: str, username: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.request("/accounts/login/")
        status, _ = self.request("/accounts/login/", {"username": username, "password": DEMO_PASSWORD})
        assert status == 200  # redirected to the home page

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        if data is not None:
            data = {**data, "csrfmiddlewaretoken": next(c.value for c in self.jar if c.name == "csrftoken")}
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        try:
            with self.opener.open(urllib.request.Request(self.base + path, data=body, headers=headers or {}),
                                  timeout=120) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()


@pytest.fixture
def live_site(live_server, settings, transactional_db):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    set_status("demo", "P01", "草稿")
    m.DepartmentYear.objects.filter(department__code="demo", year=2022).update(status="已审核")
    return live_server.url


def test_no_write_lands_after_the_year_is_locked(live_site):
    """Four edits and the finance bureau's lock start at the same moment over real HTTP. Whatever
    the order, no edit is stored after the lock: every stored edit's history entry comes before
    the lock's, and the edits that came later were refused."""
    indicators = list(m.Indicator.objects.filter(project__department_year__department__code="demo", project__code="P01",
                                                 code__in=NEW_ACTUALS).values_list("code", "version"))
    assert len(indicators) == len(NEW_ACTUALS)
    editors = [Browser(live_site, "jingban") for _ in indicators]
    bureau = Browser(live_site, "caizheng")
    start = threading.Barrier(len(editors) + 1)
    answers: dict[str, tuple[int, str]] = {}

    def edit(i: int) -> None:
        code, version = indicators[i]
        start.wait()
        answers[code] = editors[i].request(f"/d/demo/2022/p/P01/i/{code}/actual/",
                                           {"actual": NEW_ACTUALS[code], "version": version}, {"HX-Request": "true"})

    def lock() -> None:
        start.wait()
        answers["lock"] = bureau.request("/d/demo/2022/workflow/", {"action": "lock"})

    threads = [threading.Thread(target=edit, args=(i,)) for i in range(len(editors))]
    threads.append(threading.Thread(target=lock))
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert all(status < 500 for status, _ in answers.values()), answers
    assert m.DepartmentYear.objects.get(department__code="demo", year=2022).status == "锁定"
    lock_entry = m.ChangeLog.objects.filter(department="demo", model_label="budget.departmentyear",
                                            field="status", after="锁定").get()
    edits = m.ChangeLog.objects.filter(department="demo", field="actual_text")
    assert all(e.id < lock_entry.id for e in edits)
    stored = {i.code: i.actual_text for i in load_department_year("demo", 2022).project("P01").indicators}
    for code, _ in indicators:
        landed = stored[code] == NEW_ACTUALS[code]
        assert landed == edits.filter(object_key__endswith=f"/{code}").exists()
        if not landed:
            assert "锁定" in answers[code][1]  # refused with the reason
    # after the lock nothing moves, whoever asks
    status, page = editors[0].request(f"/d/demo/2022/p/P01/i/{indicators[0][0]}/actual/",
                                      {"actual": "99件", "version": 999}, {"HX-Request": "true"})
    assert "锁定" in page


# -- states and the tree are not data in a file --------------------------------------------------

def test_a_forged_state_in_a_file_changes_nothing(site):
    before = load_department_year("demo", 2022)
    doc = json.loads(exchange.dumps(before))
    doc["status"] = "锁定"
    doc["projects"][0]["status"] = "已审核"
    candidate = exchange.from_dict(doc, "forged.json")
    applied = imports.apply(_actor("jingban"), candidate, "forged.json")
    assert any(i.kind == "warning" and "状态只能通过审核流程改变" in i.message for i in applied.items)
    stored = load_department_year("demo", 2022)
    assert stored.status == before.status != "锁定" and stored.project("P01").status == "草稿"


def test_a_units_file_cannot_move_or_rename_departments(site):
    tree = dict(m.Department.objects.values_list("code", "parent__code"))
    names = dict(m.Department.objects.values_list("code", "name"))
    doc = json.loads(exchange.dumps(load_department_year("demo-b", 2022)))
    doc["department"].update(name="改名的单位", parent_code="demo", parent_name="被改名的部门")
    candidate = exchange.from_dict(doc, "b.json")
    preview = imports.preview(_actor("jingban-b"), candidate, "b.json")
    warned = {i.field for i in preview.items if i.kind == "warning"}
    assert {"部门名称", "上级部门", "上级部门名称"} <= warned
    imports.apply(system_actor(), candidate, "b.json")
    assert dict(m.Department.objects.values_list("code", "parent__code")) == tree
    assert dict(m.Department.objects.values_list("code", "name")) == names


def test_a_cycle_in_the_tree_is_refused_by_the_model(site):
    demo = m.Department.objects.get(code="demo")
    bureau = demo.parent
    assert bureau is not None
    bureau.parent = demo  # the bureau under its own unit
    with pytest.raises(ValidationError):
        bureau.save()
    demo.parent = demo
    with pytest.raises(ValidationError):
        demo.save()
    assert m.Department.objects.get(code=bureau.code).parent_id is None
