"""The 整改 register page: items with owner, deadline, state and latest note; overdue items
flagged; a finding (finance review, monitoring warning, quality check) turned into an item in one
click; editing with versions; the steps with the closure note; who may take which step."""
from __future__ import annotations

import re
from datetime import date
from urllib.parse import unquote

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.services import rectifications as rect

URL = "/d/demo/2022/rectification/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _row(html: str, rcode: str) -> str:
    return html.split(f'id="rect-{rcode}"')[1].split("</tr>")[0]


def test_register_lists_items_and_flags_the_overdue_one(site):
    html = client_for("jingban").get(URL).content.decode()
    row = _row(html, "R01")
    assert "2023-06-30" in row and "整改中" in row and "财务科（示例）" in row
    assert "已逾期" in row  # deadline passed, still 整改中
    assert "逾期未完成整改 1 项" in html
    assert 'id="evidence-R01"' in row and "佐证材料（0）" in row and "/evidence/" in row  # where its proof goes
    # reachable from the navigation of every department page
    assert f'href="{URL}"' in client_for("jingban").get("/d/demo/2022/").content.decode()


def test_a_finding_becomes_an_item_in_one_click(site):
    c = client_for("jingban")
    html = c.get(URL).content.decode()
    links = re.findall(r'href="\?([^"]+)#new-rectification" class="take"', html)
    assert links, "每条待整改的问题都应有“转为整改事项”"
    query = dict(pair.split("=", 1) for pair in links[0].replace("&amp;", "&").split("&"))
    problem = unquote(query["problem"].replace("+", " "))
    form = c.get(URL + "?" + links[0].replace("&amp;", "&")).content.decode().split('id="new-rectification"')[1]
    assert form.startswith(" open>")  # the prefilled form is shown open
    assert problem in form.replace("&quot;", '"').replace("&#x27;", "'")
    answer = c.post(URL + "new/", {"problem": problem, "project": unquote(query["project"]),
                                   "source": unquote(query["source"]), "measure": "逐项核对后补报数据",
                                   "owner": "规划科 张三", "deadline": "2099-03-31"})
    assert answer.status_code == 302 and answer["Location"].endswith("#rect-R02")
    r = m.Rectification.objects.get(code="R02")
    assert (r.problem, r.owner, r.deadline, r.status) == (problem, "规划科 张三", date(2099, 3, 31), "待整改")
    log = m.ChangeLog.objects.filter(object_key="demo/2022/整改/R02").first()
    assert log is not None and "来源" in log.reason
    html = c.get(URL).content.decode()
    assert "已转为整改事项" in html and "已逾期" not in _row(html, "R02")


def test_missing_owner_deadline_and_measure_are_named(site):
    answer = client_for("jingban").post(URL + "new/", {"problem": "项目 P03 绩效目标不够细化"})
    html = answer.content.decode()
    assert answer.status_code == 400
    for label in ("整改措施", "责任人", "整改期限"):
        assert f"请填写{label}" in html
    assert "项目 P03 绩效目标不够细化" in html  # what was typed stays in the form
    assert not m.Rectification.objects.filter(code="R02").exists()
    bad = client_for("jingban").post(URL + "new/", {"problem": "x", "measure": "y", "owner": "z",
                                                    "deadline": "明年"})
    assert bad.status_code == 400 and "日期「明年」无效" in bad.content.decode()


def test_closure_needs_a_note_and_finance_confirms(site):
    c = client_for("jingban")
    version = m.Rectification.objects.get(code="R01").version
    refused = c.post(URL + "R01/step/", {"action": "complete", "comment": "", "version": version})
    assert refused.status_code == 400 and "意见" in refused.content.decode()
    done = c.post(URL + "R01/step/", {"action": "complete", "comment": "已完成全员培训，指标全部细化",
                                      "version": version})
    assert done.status_code == 302
    html = c.get(URL).content.decode()
    row = _row(html, "R01")
    assert "已完成" in row and "已完成全员培训，指标全部细化" in row and "已逾期" not in row
    assert 'data-action="rect-confirm"' not in row  # 确认整改 is the finance bureau's
    f = client_for("caizheng")
    row = _row(f.get(URL).content.decode(), "R01")
    assert 'data-action="rect-confirm"' in row
    version = m.Rectification.objects.get(code="R01").version
    assert f.post(URL + "R01/step/", {"action": "confirm", "version": version}).status_code == 302
    assert m.Rectification.objects.get(code="R01").status == "已确认"
    denied = c.post(URL + "R01/edit/", {"problem": "改", "measure": "改", "owner": "改", "deadline": "2023-01-01",
                                        "version": version + 1})
    assert denied.status_code == 403 and "不能修改" in denied.content.decode()


def test_edit_is_saved_and_a_stale_version_is_refused(site):
    c = client_for("jingban")
    r = m.Rectification.objects.get(code="R01")
    values = {"problem": r.problem, "measure": r.measure, "owner": "财务科 李四", "deadline": "2099-06-30"}
    assert c.post(URL + "R01/edit/", {**values, "version": r.version}).status_code == 302
    r.refresh_from_db()
    assert r.owner == "财务科 李四" and r.deadline == date(2099, 6, 30)
    stale = c.post(URL + "R01/edit/", {**values, "owner": "别人", "version": r.version - 1})
    assert stale.status_code == 409 and "jingban" in stale.content.decode()
    assert m.Rectification.objects.get(code="R01").owner == "财务科 李四"
    assert "已逾期" not in _row(c.get(URL).content.decode(), "R01")


def test_finance_review_remarks_are_offered(site):
    f = client_for("caizheng")
    form = f.get("/d/demo/2022/review/?project=P01").content.decode().split('id="review-form"')[1]
    values = dict(re.findall(r'name="(score-[^"]+)" value="([^"]*)"', form))
    values["score-P01-I4"] = "1"
    f.post("/d/demo/2022/review/", {"project": "P01", **values, "comment-P01-I4": "收回面积不足",
                                     "reason": "效益指标未达目标"})
    html = client_for("jingban").get(URL).content.decode()
    findings = html.split('id="findings"')[1]
    assert "财政复核意见" in findings and "收回面积不足" in findings


def test_finance_user_cannot_add_items(site):
    assert client_for("caizheng").post(URL + "new/", {"problem": "a", "measure": "b", "owner": "c",
                                                      "deadline": "2099-01-01"}).status_code == 403


def test_next_code_skips_hand_given_codes():
    assert rect.next_code([]) == "R01"
    assert rect.next_code(["R01", "R07", "整改-3"]) == "R08"
