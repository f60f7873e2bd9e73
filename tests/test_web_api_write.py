"""JSON API writes, through the application layer: every endpoint's success, a stale ``version``
(409 naming who changed what), the role and the workflow state (403), scope (404), wrong values
(422), and imports (dry run, apply, conflicts). Calls use bearer tokens, as programs do."""
from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.excel.bulk_write import write_bulk
from jixiao.web.tokens import create_token

B = "/api/departments/demo-b/2022"
D = "/api/departments/demo/2022"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


class Api:
    """A program calling the API with one user's bearer token (no session, no CSRF token)."""

    def __init__(self, username: str):
        _, token = create_token(get_user_model().objects.get(username=username))
        self.client = Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {token}")

    def _send(self, method: str, path: str, body: Any = None) -> tuple[int, dict]:
        send = getattr(self.client, method)
        if body is None:
            answer = send(path)
        else:
            answer = send(path, data=json.dumps(body, ensure_ascii=False), content_type="application/json")
        return answer.status_code, answer.json()

    def get(self, path: str) -> tuple[int, dict]:
        return self._send("get", path)

    def patch(self, path: str, body: Any) -> tuple[int, dict]:
        return self._send("patch", path, body)

    def post(self, path: str, body: Any = None) -> tuple[int, dict]:
        return self._send("post", path, {} if body is None else body)

    def delete(self, path: str, body: Any = None) -> tuple[int, dict]:
        return self._send("delete", path, body)


def _indicator(api: Api, pcode: str = "B01", icode: str = "B01-I1", base: str = B) -> dict:
    status, body = api.get(f"{base}/projects/{pcode}/indicators/{icode}/")
    assert status == 200, body
    return body


def _refused(answer: tuple[int, dict], status: int, *words: str) -> dict:
    code, body = answer
    assert code == status, body
    assert body["detail"] and body["detail"] == body["error"]
    for word in words:
        assert word in body["detail"], body["detail"]
    return body


# --- indicators ------------------------------------------------------------------------------


def test_patch_indicator_actual_returns_the_new_version(site):
    api = Api("jingban-b")
    ind = _indicator(api)
    status, body = api.patch(f"{B}/projects/B01/indicators/B01-I1/", {"actual": "25场", "version": ind["version"]})
    assert status == 200, body
    assert body["version"] == ind["version"] + 1 and body["changed"] == ["actual_text"]
    assert body["actual"] == body["actual_text"] == "25场" and body["score"] is not None
    assert _indicator(api)["actual"] == "25场"
    assert m.ChangeLog.objects.filter(field="actual_text", after="25场", who="jingban-b").exists()
    # Other editable fields by their exchange names, several at once.
    status, body = api.patch(f"{B}/projects/B01/indicators/B01-I1/", {
        "deviation_reason": "场地改造，活动顺延", "data_source": "活动台账", "version": body["version"]})
    assert status == 200 and set(body["changed"]) == {"deviation_reason", "data_source"}
    # The same value again changes nothing and keeps the version.
    status, same = api.patch(f"{B}/projects/B01/indicators/B01-I1/", {"actual": "25场", "version": body["version"]})
    assert status == 200 and same["version"] == body["version"] and same["changed"] == []


def test_stale_version_is_409_naming_who_changed_it(site):
    mine, theirs = Api("jingban-b"), Api("xitong")
    v = _indicator(mine)["version"]
    assert theirs.patch(f"{B}/projects/B01/indicators/B01-I1/", {"actual": "30场", "version": v})[0] == 200
    body = _refused(mine.patch(f"{B}/projects/B01/indicators/B01-I1/", {"actual": "27场", "version": v}), 409,
                    "xitong", "30场", "未保存")
    assert body["location"] == "项目 B01 / 指标 B01-I1"
    assert _indicator(mine)["actual"] == "30场"


def test_patch_needs_a_version_and_good_values(site):
    api = Api("jingban-b")
    ind = _indicator(api)
    path = f"{B}/projects/B01/indicators/B01-I1/"
    body = _refused(api.patch(path, {"actual": "25场"}), 422, "version")
    assert body["problems"][0]["field"] == "version"
    body = _refused(api.patch(path, {"achievement": "很好", "version": ind["version"]}), 422, "很好")
    assert body["problems"][0]["location"].endswith("achievement")
    _refused(api.patch(path, {"stated_score": "很多", "version": ind["version"]}), 422, "不是数字")
    body = _refused(api.patch(path, {"colour": "red", "version": ind["version"]}), 422, "colour")
    _refused(api.patch(path, {"actual": "1", "actual_text": "2", "version": ind["version"]}), 422)
    assert _refused(api.patch(path, {"actual": "1", "version": "v1"}), 422)["problems"][0]["field"] == "version"
    answer = api.client.patch(path, data="{not json", content_type="application/json")
    assert answer.status_code == 422 and "JSON" in answer.json()["detail"]
    assert _indicator(api)["version"] == ind["version"]


def test_the_workflow_state_and_the_role_are_403(site):
    api = Api("jingban-b")
    ind = _indicator(api)
    # An approved goal's target is frozen (it changes through a target adjustment).
    _refused(api.patch(f"{B}/projects/B01/indicators/B01-I1/", {"target": "≥30场", "version": ind["version"]}),
             403, "目标调整")
    set_status("demo-b", "B01", "已提交")
    ind = _indicator(api)
    _refused(api.patch(f"{B}/projects/B01/indicators/B01-I1/", {"actual": "28场", "version": ind["version"]}),
             403, "已提交")
    # A read-only role edits nothing.
    reader = Api("disanfang")
    p = _indicator(reader, "P01", "P01-I1", D)
    _refused(reader.patch(f"{D}/projects/P01/indicators/P01-I1/", {"actual": "3件", "version": p["version"]}), 403)


def test_out_of_scope_is_404_for_reads_and_writes(site):
    outsider = Api("jingban-b")
    ind = _indicator(Api("jingban"), "P01", "P01-I1", D)
    for answer in (outsider.get(f"{D}/projects/P01/indicators/P01-I1/"),
                   outsider.patch(f"{D}/projects/P01/indicators/P01-I1/", {"actual": "3件", "version": ind["version"]}),
                   outsider.patch(f"{D}/projects/P01/indicators/P01-I1/", "not even an object"),
                   outsider.post(f"{D}/projects/P01/workflow/", {"action": "submit"}),
                   outsider.post(f"{D}/projects/", {"code": "X1", "name": "x"}),
                   outsider.post(f"{D}/review/", {"reason": "x"}),
                   outsider.delete(f"{D}/projects/P01/"),
                   outsider.patch(f"{D}/", {"problems": "x", "version": 1})):
        _refused(answer, 404)
    # In scope but absent is the same answer.
    _refused(outsider.get(f"{B}/projects/B99/indicators/B99-I1/"), 404)
    _refused(outsider.get(f"{B}/projects/B01/indicators/B01-I9/"), 404)


def test_create_and_delete_a_project_and_its_indicators(site):
    api = Api("jingban-b")
    status, project = api.post(f"{B}/projects/", {"code": "B09", "name": "新增项目（测试）", "category": "专项"})
    assert status == 201, project
    assert (project["code"], project["status"], project["goal_status"]) == ("B09", "草稿", "草稿")
    assert project["version"] >= 1 and project["category"] == "专项"
    _refused(api.post(f"{B}/projects/", {"code": "B09", "name": "重复"}), 409, "已存在")
    _refused(api.post(f"{B}/projects/", {"name": "没有编码"}), 422, "项目编码")
    new = {"code": "B09-I1", "level1": "产出指标", "level2": "数量指标", "name": "培训场次", "target_text": "≥4场",
           "weight": "20"}
    status, ind = api.post(f"{B}/projects/B09/indicators/", new)
    assert status == 201, ind
    assert (ind["target"], ind["weight"], ind["actual"]) == ("≥4场", "20", None)
    _refused(api.post(f"{B}/projects/B09/indicators/", {"code": "B09-I2", "name": "缺字段"}), 422)
    # An approved goal takes no new indicators.
    _refused(api.post(f"{B}/projects/B01/indicators/", {**new, "code": "B01-I9"}), 403, "B01")
    _refused(api.delete(f"{B}/projects/B09/indicators/B09-I1/"), 422, "version")
    _refused(api.delete(f"{B}/projects/B09/indicators/B09-I1/", {"version": ind["version"] + 5}), 409)
    status, gone = api.delete(f"{B}/projects/B09/indicators/B09-I1/?version={ind['version']}")
    assert status == 200 and "已删除" in gone["detail"]
    _refused(api.get(f"{B}/projects/B09/indicators/B09-I1/"), 404)
    project = api.get(f"{B}/projects/B09/")[1]
    assert api.delete(f"{B}/projects/B09/", {"version": project["version"]})[0] == 200
    assert "B09" not in [p["code"] for p in api.get(f"{B}/projects/")[1]["projects"]]


def test_patch_project_and_fund(site):
    api = Api("jingban-b")
    project = api.get(f"{B}/projects/B01/")[1]
    status, body = api.patch(f"{B}/projects/B01/", {"problems": "宣传不足", "budget_cut_midyear": False,
                                                    "version": project["version"]})
    assert status == 200 and body["problems"] == "宣传不足" and body["version"] == project["version"] + 1
    _refused(api.patch(f"{B}/projects/B01/", {"problems": "又改", "version": project["version"]}), 409, "jingban-b")
    _refused(api.patch(f"{B}/projects/B01/", {"goal": "新目标", "version": body["version"]}), 403, "已批复")
    _refused(api.patch(f"{B}/projects/B01/", {"status": "锁定", "version": body["version"]}), 422, "status")
    fund = body["funds"][0]
    path = f"{B}/projects/B01/funds/{fund['fund_source']}/"
    assert api.get(path)[1] == fund
    status, changed = api.patch(path, {"executed": "12.5", "version": fund["version"]})
    assert status == 200 and changed["executed"] == "12.5" and changed["changed"] == ["executed"]
    _refused(api.patch(path, {"executed": "很多", "version": changed["version"]}), 422, "不是数字")


def test_patch_department_year(site):
    api = Api("jingban-b")
    year = api.get(f"{B}/")[1]
    assert isinstance(year["version"], int) and year["status"] == "草稿"
    status, body = api.patch(f"{B}/", {"problems": "部分指标偏低", "goal": "提升社区服务", "version": year["version"]})
    assert status == 200 and body["problems"] == "部分指标偏低" and body["version"] == year["version"] + 1
    assert set(body["changed"]) == {"problems", "goal"}
    _refused(api.patch(f"{B}/", {"problems": "x", "version": year["version"]}), 409, "jingban-b")
    # demo's department-year is 已审核: not editable.
    demo = Api("jingban").get(f"{D}/")[1]
    _refused(Api("jingban").patch(f"{D}/", {"problems": "x", "version": demo["version"]}), 403, "已审核")


# --- workflow --------------------------------------------------------------------------------


def _fill(api: Api, pcode: str) -> None:
    """Every blank actual of the project on target, so that the quality gate lets it through."""
    for ind in api.get(f"{B}/projects/{pcode}/indicators/")[1]["indicators"]:
        if not ind["actual"]:
            value = (ind["target"] or "").lstrip("≥≤><= ") or "达成预期指标"
            assert api.patch(f"{B}/projects/{pcode}/indicators/{ind['code']}/",
                             {"actual": value, "version": ind["version"]})[0] == 200


def test_project_workflow_submit_approve_lock_unlock(site):
    jingban, bumen, finance = Api("jingban-b"), Api("xitong"), Api("caizheng")
    _fill(jingban, "B01")
    status, body = jingban.post(f"{B}/projects/B01/workflow/", {"action": "submit", "comment": "请审核"})
    assert status == 200, body
    assert (body["before"], body["status"], body["stage"]) == ("草稿", "已提交", "self_evaluation")
    assert jingban.get(f"{B}/projects/B01/")[1]["version"] == body["version"]
    _refused(jingban.post(f"{B}/projects/B01/workflow/", {"action": "approve"}), 403, "部门管理员")
    _refused(jingban.post(f"{B}/projects/B01/workflow/", {"action": "submit"}), 403, "已提交")
    _refused(bumen.post(f"{B}/projects/B01/workflow/", {"action": "return"}), 422, "意见")
    _refused(bumen.post(f"{B}/projects/B01/workflow/", {"action": "fly"}), 422, "fly")
    _refused(bumen.post(f"{B}/projects/B01/workflow/", {"action": "approve", "version": body["version"] - 1}), 409)
    _refused(bumen.post(f"{B}/projects/B01/workflow/", {}), 422, "action")
    _refused(bumen.post(f"{B}/projects/B01/workflow/", {"action": "approve", "stage": "monitoring"}), 422)
    assert bumen.post(f"{B}/projects/B01/workflow/", {"action": "approve"})[1]["status"] == "已审核"
    assert finance.post(f"{B}/projects/B01/workflow/", {"action": "lock"})[1]["status"] == "锁定"
    status, body = finance.post(f"{B}/projects/B01/workflow/", {"action": "return", "comment": "重填"})
    assert status == 403, body


def test_submit_with_quality_errors_is_422(site):
    api = Api("jingban-b")
    status, body = api.post(f"{B}/projects/B01/workflow/", {"action": "submit"})
    assert status == 422 and body["problems"], body
    assert api.get(f"{B}/projects/B01/")[1]["status"] == "草稿"


def test_goals_stage_by_stage_parameter(site):
    api = Api("jingban-b")
    body = _refused(api.post(f"{B}/projects/B01/workflow/", {"action": "submit", "stage": "goals"}), 403,
                    "财政审核通过")
    assert body["location"] == "项目 B01"
    status, project = api.post(f"{B}/projects/", {"code": "B09", "name": "新项目"})
    assert status == 201
    status, body = Api("caizheng").post(f"{B}/projects/B09/workflow/", {"action": "ratify", "stage": "goals"})
    assert status == 403 and "部门审核通过" in body["detail"]


def test_department_year_workflow_lock_and_unlock(site):
    finance, jingban = Api("caizheng"), Api("jingban")
    _refused(jingban.post(f"{D}/workflow/", {"action": "lock"}), 403, "财政审核")
    status, body = finance.post(f"{D}/workflow/", {"action": "lock"})
    assert status == 200 and body["status"] == "锁定", body
    ind = _indicator(jingban, "P01", "P01-I1", D)
    _refused(jingban.patch(f"{D}/projects/P01/indicators/P01-I1/", {"actual": "3件", "version": ind["version"]}),
             403, "锁定")
    _refused(finance.post(f"{D}/workflow/", {"action": "unlock"}), 422, "意见")
    status, body = finance.post(f"{D}/workflow/", {"action": "unlock", "comment": "补充佐证材料"})
    assert status == 200 and body["status"] == "已审核"


# --- checkpoints and rectifications ----------------------------------------------------------


def test_checkpoints_patch_create_delete_and_workflow(site):
    jingban, bumen = Api("jingban"), Api("bumen")
    listed = jingban.get(f"{D}/projects/P01/checkpoints/")[1]["checkpoints"]
    assert [c["month"] for c in listed] == [7]
    path = f"{D}/projects/P01/checkpoints/7/"
    cp = jingban.get(path)[1]
    assert cp["status"] == "已审核"
    _refused(jingban.patch(path, {"measures": "x", "version": cp["version"]}), 403, "已审核")
    _refused(bumen.post(path + "workflow/", {"action": "return"}), 422, "意见")
    status, moved = bumen.post(path + "workflow/", {"action": "return", "comment": "补充进度说明"})
    assert status == 200 and moved["status"] == "退回" and moved["stage"] == "monitoring", moved
    _refused(jingban.patch(path, {"measures": "x", "version": cp["version"]}), 409, "bumen")
    status, body = jingban.patch(path, {"goal_progress": "按计划推进", "expected_executed": "40",
                                        "version": moved["version"]})
    assert status == 200 and body["goal_progress"] == "按计划推进" and body["expected_executed"] == "40", body
    _refused(jingban.patch(path, {"causes": ["不存在的原因"], "version": body["version"]}), 422, "偏差原因")
    status, moved = jingban.post(path + "workflow/", {"action": "submit"})
    assert status == 200 and moved["status"] == "已提交", moved
    _refused(jingban.patch(path, {"measures": "x", "version": moved["version"]}), 403, "已提交")
    _refused(jingban.post(path + "workflow/", {"action": "approve"}), 403)
    assert bumen.post(path + "workflow/", {"action": "approve"})[1]["status"] == "已审核"
    status, new = jingban.post(f"{D}/projects/P01/checkpoints/", {"month": 9, "goal_progress": "过半"})
    assert status == 201 and new["month"] == 9 and new["status"] == "填报", new
    _refused(jingban.post(f"{D}/projects/P01/checkpoints/", {"month": 9}), 409, "已存在")
    assert jingban.delete(f"{D}/projects/P01/checkpoints/9/", {"version": new["version"]})[0] == 200
    _refused(jingban.get(f"{D}/projects/P01/checkpoints/9/"), 404)


def test_rectifications_create_patch_delete_and_workflow(site):
    jingban, finance = Api("jingban"), Api("caizheng")
    r01 = jingban.get(f"{D}/rectifications/R01/")[1]
    assert r01["status"] == "整改中"
    status, body = jingban.patch(f"{D}/rectifications/R01/", {"owner": "办公室", "version": r01["version"]})
    assert status == 200 and body["owner"] == "办公室"
    _refused(jingban.patch(f"{D}/rectifications/R01/", {"deadline": "明年", "version": body["version"]}), 422, "日期")
    status, new = jingban.post(f"{D}/rectifications/", {"code": "R02", "problem": "台账不全", "measure": "补齐台账",
                                                        "deadline": "2023-09-30", "project": "P01"})
    assert status == 201 and new["status"] == "待整改" and new["project"] == "P01", new
    assert [r["code"] for r in jingban.get(f"{D}/rectifications/")[1]["rectifications"]] == ["R01", "R02"]
    _refused(jingban.post(f"{D}/rectifications/", {"code": "R03", "problem": "缺整改措施"}), 422)
    _refused(jingban.post(f"{D}/rectifications/R01/workflow/", {"action": "complete"}), 422, "意见")
    status, moved = jingban.post(f"{D}/rectifications/R01/workflow/", {"action": "complete", "comment": "已办结"})
    assert status == 200 and moved["status"] == "已完成"
    _refused(jingban.patch(f"{D}/rectifications/R01/", {"owner": "x", "version": moved["version"]}), 403, "已完成")
    _refused(jingban.post(f"{D}/rectifications/R01/workflow/", {"action": "confirm"}), 403)
    assert finance.post(f"{D}/rectifications/R01/workflow/", {"action": "confirm"})[1]["status"] == "已确认"
    assert jingban.delete(f"{D}/rectifications/R02/", {"version": new["version"]})[0] == 200


# --- review and target adjustments -----------------------------------------------------------


def test_finance_review(site):
    finance = Api("caizheng")
    body = {"project": "P01", "reason": "部分指标佐证不足",
            "scores": [{"indicator": "P01-I1", "score": "5", "comment": "佐证不足"}]}
    status, review = finance.post(f"{D}/review/", body)
    assert status == 201, review
    assert review["project"] == "P01" and review["who"] == "caizheng" and review["items"][0]["score"] == "5.00"
    ev = finance.get(f"{D}/evaluation/")[1]
    assert next(p for p in ev["projects"] if p["code"] == "P01")["review"]["score"] == review["score"]
    status, whole = finance.post(f"{D}/review/", {"project": None, "reason": "整体复核", "total": "88"})
    assert status == 201 and whole["score"] == "88.00" and whole["project"] is None
    _refused(Api("jingban").post(f"{D}/review/", body), 403, "财政审核")
    _refused(finance.post(f"{D}/review/", {**body, "reason": ""}), 422, "复核意见")
    _refused(finance.post(f"{D}/review/", {**body, "scores": [{"indicator": "P01-I1", "score": "很多"}]}), 422)
    _refused(finance.post(f"{D}/review/", {**body, "scores": "P01-I1=5"}), 422, "scores")
    # demo-b is still 草稿: nothing to review yet.
    _refused(finance.post(f"{B}/review/", {"project": "B01", "reason": "x", "total": "80"}), 403, "草稿")


def test_target_adjustment_request_and_decision(site):
    jingban, finance, xitong = Api("jingban-b"), Api("caizheng"), Api("xitong")
    path = f"{B}/projects/B01/indicators/B01-I1/adjustments/"
    status, adj = jingban.post(path, {"field": "target", "value": "≥26场", "reason": "场地扩容"})
    assert status == 201, adj
    assert (adj["field"], adj["original"], adj["adjusted"]) == ("target_text", "≥24场", "≥26场")
    assert adj["status"] == "待审核" and adj["requested_by"] == "jingban-b"
    _refused(jingban.post(path, {"field": "target_text", "value": "≥27场", "reason": "再改"}), 403, "待审核")
    _refused(jingban.post(f"{B}/projects/B02/indicators/B02-I1/adjustments/", {"field": "target_text",
                                                                             "value": "≥9个"}), 422, "理由")
    _refused(jingban.post(f"{B}/projects/B02/indicators/B02-I1/adjustments/", {"field": "name", "value": "x",
                                                                             "reason": "x"}), 422)
    assert [a["id"] for a in jingban.get(path)[1]["adjustments"]] == [adj["id"]]
    assert [a["id"] for a in jingban.get(f"{B}/adjustments/")[1]["adjustments"]] == [adj["id"]]
    one = f"/api/adjustments/{adj['id']}/"
    assert jingban.get(one)[1] == adj
    _refused(jingban.post(one, {"action": "approve"}), 403)
    _refused(Api("jingban").get(one), 404)
    _refused(Api("jingban").post(one, {"action": "approve"}), 404)
    _refused(Api("jingban").get("/api/adjustments/99999/"), 404)
    _refused(finance.post(one, {"action": "fly"}), 422)
    status, decided = finance.post(one, {"action": "approve", "comment": "同意"})
    assert status == 200 and decided["status"] == "已批准" and decided["decided_by"] == "caizheng", decided
    ind = _indicator(jingban)
    assert (ind["target"], ind["original_target_text"]) == ("≥26场", "≥24场")
    _refused(finance.post(one, {"action": "reject", "comment": "再议"}), 403, "已批准")
    # A rejection needs a comment.
    status, weight = jingban.post(f"{B}/projects/B02/indicators/B02-I1/adjustments/",
                                  {"field": "weight", "value": "12", "reason": "调整权重"})
    assert status == 201
    _refused(xitong.post(f"/api/adjustments/{weight['id']}/", {"action": "reject"}), 422, "意见")
    assert xitong.post(f"/api/adjustments/{weight['id']}/", {"action": "reject", "comment": "不必"})[1]["status"] \
        == "已驳回"


# --- import ----------------------------------------------------------------------------------


def _document(code: str = "demo-b") -> dict:
    return json.loads(exchange.dumps(load_department_year(code, 2022)))


def _set_actual(doc: dict, pcode: str, icode: str, value: str) -> None:
    project = next(p for p in doc["projects"] if p["code"] == pcode)
    next(i for i in project["indicators"] if i["code"] == icode)["actual_text"] = value


def test_import_dry_run_then_apply(site):
    api = Api("jingban-b")
    doc = _document()
    _set_actual(doc, "B01", "B01-I1", "31场")
    status, preview = api.post("/api/import/?dry_run=1", doc)
    assert status == 200, preview
    assert preview["applied"] is False and preview["counts"]["changed"] == 1 and preview["counts"]["conflict"] == 0
    item = next(i for i in preview["items"] if i["kind"] == "changed")
    assert (item["location"], item["before"], item["after"]) == ("项目 B01 / 指标 B01-I1", "26场", "31场")
    assert _indicator(api)["actual"] == "26场"
    status, applied = api.post("/api/import/", doc)
    assert status == 200 and applied["applied"] is True and applied["counts"]["changed"] == 1
    assert _indicator(api)["actual"] == "31场"


def test_import_a_file_upload(site):
    api = Api("jingban-b")
    doc = _document()
    _set_actual(doc, "B02", "B02-I1", "9个")
    upload = io.BytesIO(json.dumps(doc, ensure_ascii=False).encode())
    upload.name = "demo-b.json"
    answer = api.client.post("/api/import/?dry_run=1", data={"file": upload})
    assert answer.status_code == 200 and answer.json()["counts"]["changed"] == 1, answer.json()
    assert answer.json()["source"] == "demo-b.json"


def test_import_an_excel_workbook(site, tmp_path):
    dy = load_department_year("demo-b", 2022)
    dy.projects[0].indicators[0].actual_text = "33场"
    path = tmp_path / "demo-b.xlsx"
    write_bulk(dy, path)
    api = Api("jingban-b")
    with path.open("rb") as fh:
        answer = api.client.post("/api/import/?dry_run=1", data={"file": fh})
    preview = answer.json()
    assert answer.status_code == 200 and preview["source"] == "demo-b.xlsx", preview
    assert [(i["location"], i["after"]) for i in preview["items"] if i["kind"] == "changed"] == [
        ("项目 B01 / 指标 B01-I1", "33场")]
    with path.open("rb") as fh:
        assert api.client.post("/api/import/", data={"file": fh}).status_code == 200
    assert _indicator(api)["actual"] == "33场"
    answer = api.client.post("/api/import/", data={"file": io.BytesIO(b"x")})
    assert answer.status_code == 422, answer.json()


def test_import_with_conflicts_is_409_with_the_preview_and_applies_nothing(site):
    api = Api("jingban-b")
    doc = _document()
    _set_actual(doc, "B01", "B01-I1", "31场")
    _set_actual(doc, "B02", "B02-I1", "9个")
    set_status("demo-b", "B01", "已提交")
    status, preview = api.post("/api/import/?dry_run=1", doc)
    assert status == 200 and preview["counts"]["conflict"] == 1
    body = _refused(api.post("/api/import/", doc), 409, "冲突")
    conflict = next(i for i in body["preview"]["items"] if i["kind"] == "conflict")
    assert conflict["location"] == "项目 B01 / 指标 B01-I1" and "已提交" in conflict["message"]
    assert _indicator(api, "B02", "B02-I1")["actual"] == "8个"


def test_import_is_scoped_and_checked(site):
    doc = _document()
    _refused(Api("jingban").post("/api/import/?dry_run=1", doc), 404)
    _refused(Api("disanfang").post("/api/import/?dry_run=1", _document("demo")), 403, "导入")
    body = _refused(Api("jingban-b").post("/api/import/", {"format": "something-else"}), 422)
    assert body["problems"]
    _refused(Api("jingban-b").post("/api/import/", [1, 2]), 422, "JSON 对象")


# --- the wrapper -----------------------------------------------------------------------------


def test_methods_are_declared(site):
    api = Api("jingban-b")
    answer = api.client.put(f"{B}/projects/B01/indicators/B01-I1/", data="{}", content_type="application/json")
    assert answer.status_code == 405 and answer["Allow"] == "GET, PATCH, DELETE"
    assert api.client.get(f"{B}/projects/B01/workflow/").status_code == 405
    assert Client().patch(f"{B}/projects/B01/", data="{}", content_type="application/json").status_code == 401


def test_session_writes_need_the_csrf_token(site):
    c = client_for("jingban-b")
    c.handler.enforce_csrf_checks = True
    ind = c.get(f"{B}/projects/B01/indicators/B01-I1/").json()
    answer = c.patch(f"{B}/projects/B01/indicators/B01-I1/",
                     data=json.dumps({"actual": "1场", "version": ind["version"]}), content_type="application/json")
    assert answer.status_code == 403 and "CSRF" in answer.json()["detail"]
