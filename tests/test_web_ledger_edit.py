"""Entering park-ledger records in the browser: add, edit and delete with the same rules as an
import (values, cross-row checks, versions, history), errors next to their field, the fed
indicator recounted, and a year without a ledger begun in the browser — never "use the
command line"."""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

import pytest
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import features
from jixiao.budget.store import load_department_year
from jixiao.invest import models as im
from jixiao.land import models as lm

D = "/d/demo/2022/"
VISITS = D + "invest/records/?table=visits"
FORM = D + "invest/records/form/"


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


@pytest.fixture
def ledgers(site):
    core = load_department_year("demo", 2022)
    for load in features.demo_loaders()[1:]:  # the ledgers' loaders (the first is the budget demo)
        load(core)


def _actual(html: str, name: str) -> str:
    """The 实际完成值 cell of the department indicator ``name`` (一级, 二级, 三级, 分值, 指标值, 实际完成值)."""
    row = next(r for r in html.split("<tr>") if f"<td>{name}</td>" in r)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    return re.sub(r"<[^>]+>", "", cells[5]).split("（")[0].strip()


def _visit(**changes: str) -> dict[str, str]:
    return {"table": "visits", "visit_id": "LV-2022-99", "date": "2022-11-08", "leaders": "区领导",
            "enterprise": "珠海示例新材料有限公司", "city": "珠海市", "outside_city": "是", "purpose": "招商",
            **changes}


def test_adding_a_visit_updates_the_fed_indicator(ledgers):
    c = client_for("jingban")
    before = _actual(c.get(D + "evaluation/").content.decode(), "区领导带队赴市外拜访企业数")
    html = c.get(FORM + "?table=visits").content.decode()
    assert '<label for="f-visit_id">拜访编号 *</label>' in html and 'type="date"' in html
    answer = c.post(FORM, _visit())
    assert answer.status_code == 302
    after = _actual(c.get(D + "evaluation/").content.decode(), "区领导带队赴市外拜访企业数")
    assert int(after.rstrip("家")) == int(before.rstrip("家")) + 1
    assert "LV-2022-99" in c.get(VISITS).content.decode()
    log = im.InvestChange.objects.filter(record="LV-2022-99").first()
    assert log is not None and log.who == "jingban"


def test_wrong_values_are_shown_next_to_their_field(ledgers):
    c = client_for("jingban")
    answer = c.post(FORM, _visit(date="11月8日", outside_city="也许", leaders=""))
    html = answer.content.decode()
    assert answer.status_code == 400
    for attr, message in (("date", "不是日期"), ("outside_city", "应填“是”或“否”"), ("leaders", "必填")):
        field = html.split(f'id="f-{attr}"')[1].split("</tr>")[0]
        assert message in field, attr
    assert 'value="珠海示例新材料有限公司"' in html  # what was typed stays
    assert not im.LeaderVisit.objects.filter(visit_id="LV-2022-99").exists()


def test_an_existing_key_is_refused(ledgers):
    answer = client_for("jingban").post(FORM, _visit(visit_id="LV-2022-01"))
    assert answer.status_code == 400 and "已有“LV-2022-01”" in answer.content.decode()


def test_investment_project_with_a_credit_share(ledgers):
    c = client_for("jingban")
    board = D + "invest/"
    before = _actual(c.get(D + "evaluation/").content.decode(), "新洽谈入库项目数")
    assert c.post(FORM, {"table": "projects", "project_id": "P2022-99", "name": "共同引进示例项目",
                         "stage": "新洽谈入库", "entered_pool_date": "2022-10-10"}).status_code == 302
    assert c.post(FORM, {"table": "credits", "project_id": "P2022-99", "unit": "穗港科技合作园管委会",
                         "share": "0.5", "role": "首谈"}).status_code == 302
    too_much = c.post(FORM, {"table": "credits", "project_id": "P2022-99", "unit": "黄埔区投资促进局",
                             "share": "0.6", "role": "协办"})
    assert too_much.status_code == 400  # shares of one project may not exceed 1, as on import
    after = _actual(c.get(D + "evaluation/").content.decode(), "新洽谈入库项目数")
    assert float(after.rstrip("个")) == float(before.rstrip("个")) + 0.5
    assert 'name="credits-share"' in c.get(FORM + "?table=projects").content.decode()
    together = c.post(FORM, {"table": "projects", "project_id": "P2022-98", "name": "另一共同引进项目",
                             "stage": "新洽谈入库", "entered_pool_date": "2022-11-10",
                             "credits-unit": "穗港科技合作园管委会", "credits-share": "0.3", "credits-role": "落地"})
    assert together.status_code == 302  # the project and its credit share in one save
    assert im.Credit.objects.get(project_id="P2022-98").share == Decimal("0.3")
    assert "共同引进示例项目" in c.get(board).content.decode()


def test_edit_changes_only_what_was_changed_and_checks_the_version(ledgers):
    c = client_for("jingban")
    html = c.get(FORM + "?table=visits&key=LV-2022-01").content.decode()
    values = dict(re.findall(r'name="([a-z_]+)" value="([^"]*)"', html))
    for name, options in re.findall(r'<select id="f-[a-z_]+" name="([a-z_]+)">(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected>', options)
        values[name] = chosen[0] if chosen else ""
    version = int(values.pop("version"))
    values.pop("key"), values.pop("table")
    assert values["outside_city"] == "是" and values["origin"] == "示例"
    values["outcome"] = "达成投资意向"
    ok = c.post(FORM, {**values, "table": "visits", "key": "LV-2022-01", "version": version})
    assert ok.status_code == 302
    row = im.LeaderVisit.objects.get(visit_id="LV-2022-01")
    assert row.outcome == "达成投资意向" and row.version == version + 1
    changes = list(im.InvestChange.objects.filter(record="LV-2022-01", action="修改").values_list("field", flat=True))
    assert changes == ["outcome"]
    stale = c.post(FORM, {**values, "outcome": "又改", "table": "visits", "key": "LV-2022-01", "version": version})
    assert stale.status_code == 409 and "jingban" in stale.content.decode()


def test_delete_a_parcel(ledgers):
    c = client_for("jingban")
    html = c.get(D + "land/records/?table=parcels").content.decode()
    assert "440112-YP-001" in html and "确认删除" in html
    version = lm.Parcel.objects.get(parcel_id="440112-YP-001", survey_year=2022).version
    answer = c.post(D + "land/records/delete/", {"table": "parcels", "key": "440112-YP-001", "version": version,
                                                 "reason": "宗地已注销"})
    assert answer.status_code == 302
    assert not lm.Parcel.objects.filter(parcel_id="440112-YP-001", survey_year=2022).exists()


def test_empty_ledger_offers_the_browser_not_the_command_line(site):
    c = client_for("jingban")
    for page in ("land/", "invest/", "enterprise/"):
        html = c.get(D + page).content.decode()
        assert "jixiao" not in html.split("<main>")[1].split("</main>")[0].replace("jixiao 预算绩效", "")
        assert "新建本年度台账并逐条录入" in html
    start = c.get(D + "invest/records/").content.decode()
    assert 'name="unit"' in start  # the investment ledger's 计分单位
    assert c.post(D + "invest/records/start/", {"unit": ""}).status_code == 400
    assert c.post(D + "invest/records/start/", {"unit": "穗港科技合作园管委会"}).status_code == 302
    assert im.InvestYear.objects.filter(department__code="demo", year=2022).exists()
    assert c.post(FORM, _visit()).status_code == 302
    assert "LV-2022-99" in c.get(VISITS).content.decode()


def test_feeds_are_named_not_keyed(ledgers):
    html = client_for("jingban").get(D + "invest/").content.decode()
    assert "invest.fdi_usd" not in html and "招商引资台账：实际利用外资" in html


def test_other_roles_cannot_edit(ledgers):
    f = client_for("caizheng")
    assert f.post(FORM, _visit()).status_code == 403
    assert 'id="add-record"' not in f.get(VISITS).content.decode()


DEMO_INVEST = Path(features.__file__).resolve().parent / "data" / "demo" / "invest-2022.json"


def test_a_ledger_file_is_previewed_then_imported_in_the_browser(site, settings, tmp_path):
    settings.JIXIAO_UPLOAD_DIR = str(tmp_path)
    c = client_for("jingban")
    start = c.get(D + "invest/records/").content.decode()
    assert 'id="ledger-upload"' in start  # the empty state offers the upload too
    with DEMO_INVEST.open("rb") as fh:
        preview = c.post(D + "invest/records/upload/", {"file": fh})
    html = preview.content.decode()
    assert preview.status_code == 200 and "导入预览" in html and "将新建" in html
    assert not im.InvestYear.objects.exists()  # a preview writes nothing
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    assert c.post(D + "invest/records/upload/confirm/", {"token": token}).status_code == 302
    assert im.InvestYear.objects.filter(department__code="demo", year=2022).exists()
    assert im.LeaderVisit.objects.filter(visit_id="LV-2022-01").exists()
    assert not list(tmp_path.iterdir())  # the kept file is gone once imported
    again = c.post(D + "invest/records/upload/confirm/", {"token": token})
    assert again.status_code == 302  # a used token: back to the list with a message, nothing imported twice


def test_wrong_ledger_files_are_refused_with_the_reason(site, settings, tmp_path):
    settings.JIXIAO_UPLOAD_DIR = str(tmp_path)
    c = client_for("jingban")
    bad = tmp_path / "台账.txt"
    bad.write_text("x", encoding="utf-8")
    with bad.open("rb") as fh:
        answer = c.post(D + "invest/records/upload/", {"file": fh})
    assert answer.status_code == 400 and "请选择 .xlsx 或 .json 台账文件" in answer.content.decode()
    with DEMO_INVEST.open("rb") as fh:
        other = c.post("/d/demo/2023/invest/records/upload/", {"file": fh})
    assert other.status_code == 404  # no 2023 department-year
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "jixiao-invest", "format_version": 1, "department": "demo", "year": 2022}',
                      encoding="utf-8")
    with broken.open("rb") as fh:
        answer = c.post(D + "invest/records/upload/", {"file": fh})
    assert answer.status_code == 400 and "计分单位" in answer.content.decode()
    kept = [p for p in tmp_path.iterdir() if p.name not in ("台账.txt", "broken.json")]
    assert not im.InvestYear.objects.exists() and not kept  # a refused file is not kept


def test_enterprise_ticket_briefing_and_enterprise(ledgers):
    c = client_for("jingban")
    form = D + "enterprise/records/form/"
    assert c.post(form, {"table": "enterprises", "uscc": "91440116MA5CXY012K", "name": "广州示例新企业有限公司",
                         "industry_code": "3562"}).status_code == 302
    ticket = {"table": "tickets", "ticket_id": "ZTC-2022-999", "uscc": "91440116MA5CXY012K",
              "category": "用工", "description": "招工难", "received_on": "2022-11-01"}
    alone = c.post(form, ticket)  # the ledger's rule: a ticket has at least its 受理 step
    html = alone.content.decode()
    assert alone.status_code == 400 and "至少应有“受理”" in html and "问题直通车第" in html
    assert ".status" not in html.split('class="grid problems"')[1].split("</table>")[0]
    assert 'name="ticket_events-status"' in html  # the first step is offered on the same form
    assert c.post(form, {**ticket, "ticket_events-status": "受理", "ticket_events-date": "2022-11-01"}
                  ).status_code == 302
    assert c.post(form, {"table": "briefings", "briefing_id": "XJ-2022-99", "date": "2022-12-01",
                         "topic": "助企纾困政策宣讲", "enterprise_count": "30"}).status_code == 302
    unknown = c.post(form, {"table": "tickets", "ticket_id": "ZTC-2022-998", "uscc": "不是代码",
                            "category": "用工", "description": "x", "received_on": "2022-11-01"})
    assert unknown.status_code == 400 and "不是18位统一社会信用代码" in unknown.content.decode()
    tickets = c.get(D + "enterprise/tickets/").content.decode()
    assert "ZTC-2022-999" in tickets
    assert "XJ-2022-99" in c.get(D + "enterprise/records/?table=briefings").content.decode()
