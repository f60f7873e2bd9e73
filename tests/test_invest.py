"""Investment pipeline: credit arithmetic (16.5 / 8.5 from shared projects, Σ share ≤ 1), counting by
event year, FDI by arrival year and currency, agreed amounts with currency and split, events and
visits, the demo figures, feeds into the demo scoring, files, department scoping, web pages."""
from __future__ import annotations

import dataclasses
import json
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest
from django.test import Client
from openpyxl import load_workbook
from web_support import FAST_HASHERS, client_for, load_site

from jixiao import exchange
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.models import Department
from jixiao.budget.store import save_department_year
from jixiao.cli import ledgers as cli_ledgers
from jixiao.cli import main
from jixiao.core import invest
from jixiao.core.errors import InputError
from jixiao.core.scoring import score_department
from jixiao.invest import records, store
from jixiao.invest.demo import load_demo_ledger
from jixiao.invest.models import Credit, InvestChange, Project
from jixiao.services import ledgers
from jixiao.services.actor import Actor
from jixiao.services.errors import NotFound

DEMO = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo" / "invest-2022.json"
RULES = invest.select_rules(invest.load_rules(), 2022)
US = "本单位"


def project(pid: str, **kw) -> invest.Project:
    base = {"project_id": pid, "name": f"项目{pid}", "stage": "新洽谈入库", "entered_pool_date": date(2022, 3, 1)}
    base.update(kw)
    return invest.Project(**base)


def ledger(projects=(), credits=(), year: int = 2022, **kw) -> invest.InvestLedger:
    return invest.InvestLedger("demo", year, US, list(projects), list(credits), **kw)


def where(table: str, i: int, attr: str) -> str:
    return f"{table}[{i}].{attr}"


# ---------------------------------------------------------------- credit arithmetic

def test_shared_projects_count_their_stored_share():
    projects = [project("A"), project("B"), project("C")]
    credits = [invest.Credit("A", US, D("1")), invest.Credit("B", US, D("0.5")),
               invest.Credit("B", "云埔街道", D("0.5")), invest.Credit("C", US, D("0.3")),
               invest.Credit("C", "区投资促进局", D("0.7"))]
    s = invest.summarize(ledger(projects, credits), RULES)
    assert (s.pool.raw, s.pool.credited) == (3, D("1.8"))
    assert invest.check_ledger(ledger(projects, credits), RULES, where) == []


def test_demo_pool_and_registered_come_from_half_shares():
    demo = records.read_json(DEMO)
    s = invest.summarize(demo, RULES)
    assert (s.pool.raw, s.pool.credited) == (20, D("16.5"))
    assert (s.registered.raw, s.registered.credited) == (10, D("8.5"))
    assert (s.signed.raw, s.signed.credited) == (4, 3)
    halves = [c for c in demo.credits if c.unit == demo.unit and c.share == D("0.5")]
    assert len(halves) == 7  # 13 whole + 7 halves = 16.5: nothing assumes 0.5, every share is a row


def test_shares_above_one_are_rejected_naming_the_project():
    projects = [project("A"), project("B", name="新能源装备项目")]
    credits = [invest.Credit("A", US, D("1")), invest.Credit("B", US, D("0.6")),
               invest.Credit("B", "云埔街道", D("0.5"))]
    problems = invest.check_ledger(ledger(projects, credits), RULES, where)
    assert len(problems) == 1
    assert problems[0].location == "credits[1].share"
    assert "B" in problems[0].message and "新能源装备项目" in problems[0].message and "1.1" in problems[0].message
    data = records.ledger_to_dict(ledger(projects, credits))
    with pytest.raises(InputError) as exc:
        records.ledger_from_dict(data, "f.json")
    assert "f.json: $.credits[1].share" in str(exc.value)


def test_credit_only_counts_for_its_measures():
    p = project("A", stage="注册", signed_date=date(2022, 4, 1), registered_date=date(2022, 5, 1))
    credit = invest.Credit("A", US, D("1"), counts_for=["注册"])
    s = invest.summarize(ledger([p], [credit]), RULES)
    assert (s.pool.credited, s.signed.credited, s.registered.credited) == (0, 0, 1)
    assert (s.pool.raw, s.signed.raw) == (1, 1)


# ---------------------------------------------------------------- event years and stages

def test_stage_counts_by_event_year_not_current_stage():
    p = project("A", stage="动工", entered_pool_date=date(2021, 3, 9), signed_date=date(2021, 9, 27),
                registered_date=date(2022, 2, 18), landed_date=date(2022, 6, 30), started_date=date(2022, 10, 12),
                agreed_investment=D("4"), agreed_investment_unit="亿元")
    credits = [invest.Credit("A", US, D("1"))]
    s22 = invest.summarize(ledger([p], credits, 2022), RULES)
    assert (s22.pool.raw, s22.signed.raw, s22.registered.credited) == (0, 0, 1)
    assert s22.agreed_investment.credited == 0  # the agreement was signed in 2021
    s21 = invest.summarize(ledger([p], credits, 2021), RULES)
    assert (s21.pool.credited, s21.signed.credited, s21.registered.credited) == (1, 1, 0)
    assert s21.agreed_investment.credited == 4


def test_stage_dates_must_follow_the_pipeline():
    bad = [project("A", stage="签约"),  # no 签约 date
           project("B", stage="新洽谈入库", registered_date=date(2022, 5, 1)),  # a later stage already dated
           project("C", stage="注册", entered_pool_date=date(2022, 6, 1), signed_date=date(2022, 5, 1),
                   registered_date=date(2022, 7, 1)),  # signed before it entered the pool
           project("D", stage="新洽谈入库", closed_date=date(2022, 8, 1))]
    problems = invest.check_ledger(ledger(bad), RULES, where)
    located = {p.location for p in problems}
    assert {"projects[0].signed_date", "projects[1].registered_date", "projects[2].signed_date",
            "projects[3].closed_date"} <= located
    assert invest.check_ledger(ledger([project("E", stage="终止", closed_date=date(2022, 9, 1))]), RULES, where) == []


# ---------------------------------------------------------------- money

def test_fdi_counts_by_arrival_year_in_usd():
    fdi = [invest.FdiInflow("F0", date(2021, 12, 31), D("380"), "万美元"),
           invest.FdiInflow("F1", date(2022, 1, 1), D("420"), "万美元"),
           invest.FdiInflow("F2", date(2022, 8, 9), D("2000"), "万港元", fx_rate_usd=D("0.1281"),
                            fx_rate_source="示例汇率"),
           invest.FdiInflow("F3", date(2022, 11, 30), D("300"), "万欧元", fx_rate_usd=D("1.0406"),
                            fx_rate_source="示例汇率"),
           invest.FdiInflow("F4", date(2022, 12, 1), D("50"), "万美元", credited_unit="区投资促进局"),
           invest.FdiInflow("F5", date(2022, 12, 2), D("1000000"), "美元", share=D("0.5"))]
    s = invest.summarize(ledger(fdi=fdi), RULES)
    assert s.fdi.raw == D("420") + D("256.2") + D("312.18") + D("50") + D("100")
    assert s.fdi.credited == D("420") + D("256.2") + D("312.18") + D("50")  # F4 belongs to another unit, F5 half
    assert s.fdi_by_currency == {"万美元": D("470"), "万港元": D("256.2"), "万欧元": D("312.18"), "美元": D("100")}
    assert "F0" not in s.fdi.ids


def test_foreign_currency_needs_a_rate_and_its_source():
    rows = [invest.FdiInflow("F1", date(2022, 3, 1), D("100"), "万港元"),
            invest.FdiInflow("F2", date(2022, 3, 1), D("100"), "万港元", fx_rate_usd=D("0.128")),
            invest.FdiInflow("F3", date(2022, 3, 1), D("100"), "万卢布")]
    p = project("A", stage="签约", signed_date=date(2022, 4, 1), agreed_investment=D("5000"),
                agreed_investment_unit="万美元")
    problems = invest.check_ledger(ledger([p], fdi=rows), RULES, where)
    located = {x.location for x in problems}
    assert {"fdi[0].fx_rate_usd", "fdi[1].fx_rate_usd", "fdi[2].unit", "projects[0].fx_rate_cny"} <= located


def test_agreed_amounts_convert_currency_and_split_by_credit():
    a = project("A", stage="签约", signed_date=date(2022, 6, 8), agreed_investment=D("5000"),
                agreed_investment_unit="万美元", fx_rate_cny=D("6.8"), fx_rate_source="示例汇率",
                agreed_output=D("24000"), agreed_output_unit="万元")
    b = project("B", stage="签约", signed_date=date(2022, 9, 16), agreed_investment=D("10"),
                agreed_investment_unit="亿元", agreed_output=D("8"), agreed_output_unit="亿元")
    c = project("C", stage="签约", signed_date=date(2022, 10, 1), agreed_investment=D("2"),
                agreed_investment_unit="亿元")
    credits = [invest.Credit("A", US, D("1")), invest.Credit("B", US, D("0.5")),
               invest.Credit("C", US, D("0.5"), amount_split=False)]
    s = invest.summarize(ledger([a, b, c], credits), RULES)
    assert s.agreed_investment.raw == D("3.4") + 10 + 2
    assert s.agreed_investment.credited == D("3.4") + 5 + 2
    assert s.agreed_output.credited == D("2.4") + 4
    assert invest.to_cny(D("1810"), "万美元", D("6.8"), "万元") == D("12308")


def test_demo_totals_match_the_report():
    s = invest.summarize(records.read_json(DEMO), RULES)
    assert invest.invest_feeds(s) == {
        "invest.fdi_usd": "1810万美元", "invest.pool_entered": "16.5个", "invest.signed": "3个",
        "invest.registered": "8.5个", "invest.agreed_investment": "17.75亿元", "invest.agreed_output": "13.85亿元",
        "invest.promotion_events": "1次", "invest.leader_visits": "6家", "invest.exchange_events": "5场",
    }
    assert (s.agreed_investment.raw, s.agreed_output.raw) == (D("26.1"), D("20.3"))  # raw beside credited
    assert s.exchange_outside_district == 1 and s.leader_visit_rows == 7
    assert s.sample_rows > 0


def test_leader_visits_count_distinct_enterprises_outside_the_city():
    visits = [invest.LeaderVisit("V1", date(2022, 2, 1), "区领导", "甲公司", "深圳市", True),
              invest.LeaderVisit("V2", date(2022, 9, 1), "区领导", "甲公司", "深圳市", True),
              invest.LeaderVisit("V3", date(2022, 3, 1), "区领导", "乙公司", "广州市", False),
              invest.LeaderVisit("V4", date(2021, 3, 1), "区领导", "丙公司", "上海市", True)]
    s = invest.summarize(ledger(visits=visits), RULES)
    assert (s.leader_visits, s.leader_visit_rows) == (1, 2)
    per_visit = dataclasses.replace(RULES, visits_distinct_enterprises=False, visits_outside_city_only=False)
    assert invest.summarize(ledger(visits=visits), per_visit).leader_visits == 3


def test_events_are_typed():
    events = [invest.PromotionEvent("E1", date(2022, 6, 1), "推介会", "推介会"),
              invest.PromotionEvent("E2", date(2022, 7, 1), "园区招商交流活动", "交流", outside_district=True),
              invest.PromotionEvent("E3", date(2022, 8, 1), "考察", "考察"),
              invest.PromotionEvent("E4", date(2021, 8, 1), "园区招商交流活动", "去年的交流")]
    s = invest.summarize(ledger(events=events), RULES)
    assert (s.promotion_events, s.exchange_events, s.exchange_outside_district) == (1, 1, 1)


def test_bad_rule_file_is_reported():
    with pytest.raises(InputError) as exc:
        invest.parse_rules({"id": "x", "version": 1, "effective_from": "2022-01-01", "credit": {},
                            "agreed_amounts": {"project_set": "落地", "unit": "亿元"},
                            "events": {"promotion_types": ["路演"], "exchange_types": []}, "leader_visits": {}},
                           "x.json")
    text = str(exc.value)
    assert "max_share_per_project" in text and "project_set" in text and "路演" in text and "outside_city_only" in text


# ---------------------------------------------------------------- database

@pytest.fixture
def departments(db):
    return (Department.objects.create(code="demo", name="示例部门"),
            Department.objects.create(code="other", name="别的部门"))


ACTOR = Actor(name="测试", system=True)


def save(ledger: invest.InvestLedger, reason: str = "", confirm_delete: bool = True) -> ledgers.Saved:
    return ledgers.import_ledger(ACTOR, "invest", ledger, reason=reason, confirm_delete=confirm_delete)[1]


def test_store_round_trip_and_scoping(departments):
    demo = records.read_json(DEMO)
    save(demo)
    loaded = store.load_ledger("demo", 2022)
    assert loaded.projects == sorted(demo.projects, key=lambda p: p.project_id)
    assert loaded.credits == demo.credits
    other = ledger([project("X")], [invest.Credit("X", US, D("1"))])
    save(dataclasses.replace(other, department="other"))
    assert store.load_summary("demo", 2022).pool.credited == D("16.5")
    assert store.load_summary("other", 2022).pool.credited == 1
    assert store.invest_feed_provider("other", 2022)["invest.pool_entered"] == "1个"
    assert store.invest_feed_provider("demo", 2021) == {}
    assert store.invest_feed_provider("nobody", 2022) == {}
    with pytest.raises(NotFound):
        save(dataclasses.replace(other, department="missing"))


def test_bad_ledger_stores_nothing(departments):
    save(records.read_json(DEMO))
    bad = records.read_json(DEMO)
    bad.credits.append(invest.Credit(bad.projects[0].project_id, "别的单位", D("0.2")))
    with pytest.raises(InputError) as exc:
        save(bad)
    assert "P2022-01" in str(exc.value) and "分成" in str(exc.value)
    assert Project.objects.filter(ledger__department__code="demo").count() == len(bad.projects)
    assert store.load_summary("demo", 2022).pool.credited == D("16.5")


def test_import_logs_each_changed_field_and_nothing_when_unchanged(departments):
    save(records.read_json(DEMO))  # a new year: one 新增 per record
    created = InvestChange.objects.count()
    assert created == InvestChange.objects.filter(action="新增").count() == sum(
        len(rows) for rows in records.flat(records.read_json(DEMO)).values())
    save(records.read_json(DEMO))  # the same file again: nothing changed, nothing logged
    assert InvestChange.objects.count() == created
    changed = records.read_json(DEMO)
    credit = next(c for c in changed.credits if c.unit == changed.unit and c.share == D("0.5"))
    credit.share = D("0.4")
    save(changed, reason="更正分成")
    log = list(InvestChange.objects.exclude(action="新增"))
    assert [(h.table, h.record, h.action, h.field, h.before, h.after, h.who, h.reason, h.version) for h in log] == [
        ("credits", f"{credit.project_id} / {changed.unit}", "修改", "share", "0.5000", "0.4", "测试", "更正分成", 2)]
    assert log[0].when is not None and store.history("demo", 2022)[0] == log[0]
    row = Credit.objects.get(pk=log[0].record_id)
    assert (row.project_id, row.unit, row.share, row.version) == (credit.project_id, changed.unit, D("0.4"), 2)


def test_feeds_reach_the_demo_scoring(db, demo_dy):
    for ind in demo_dy.indicators:
        if ind.feed and ind.feed.startswith("invest."):
            ind.actual_text = None  # the figure must come from the ledger rows, not the typed text
    save_department_year(demo_dy)
    assert "8.5个" in load_demo_ledger(demo_dy)
    result = score_department(demo_dy, collect_feeds("demo", 2022))
    got = {r.code: r.actual_text for r in result.indicators if r.feed and r.feed.startswith("invest.")}
    assert got == {"D08": "1810万美元", "D09": "16.5个", "D10": "3个", "D11": "8.5个", "D12": "17.75亿元",
                   "D13": "13.85亿元", "D14": "1次", "D15": "6家", "D16": "5场"}
    d08 = next(r for r in result.indicators if r.code == "D08")
    assert "实际完成值取自「招商引资台账：实际利用外资」" in d08.trace  # the feed by its name, not its key
    assert d08.over_completion.quantize(D("0.0001")) == D("0.2067")


# ---------------------------------------------------------------- files and CLI

def test_excel_round_trip_and_cell_errors(departments, tmp_path):
    demo = records.read_json(DEMO)
    path = tmp_path / "invest.xlsx"
    records.write_excel(demo, path)
    back = records.read_excel(path, "demo", 2022, demo.unit)
    assert back.projects == demo.projects and back.credits == demo.credits and back.fdi == demo.fdi
    assert back.events == demo.events and back.visits == demo.visits

    wb = load_workbook(path)
    ws = wb["分成计分"]
    headers = [c.value for c in ws[1]]
    share_col = headers.index("分成比例") + 1
    ws.cell(row=2, column=share_col, value="一半多")
    wb["项目台账"].cell(row=3, column=[c.value for c in wb["项目台账"][1]].index("当前阶段") + 1, value="搁置")
    wb.save(path)
    with pytest.raises(InputError) as exc:
        records.read_excel(path, "demo", 2022, demo.unit)
    located = {p.location for p in exc.value.problems}
    letter = chr(ord("A") + share_col - 1)
    assert f"分成计分!{letter}2" in located and "项目台账!C3" in located

    records.write_excel(demo, path)
    wb = load_workbook(path)
    ws = wb["分成计分"]
    ws.cell(row=ws.max_row + 1, column=1, value="P2022-14")
    ws.cell(row=ws.max_row, column=2, value="第三个单位")
    ws.cell(row=ws.max_row, column=3, value=0.25)
    wb.save(path)
    with pytest.raises(InputError) as exc:
        records.read_excel(path, "demo", 2022, demo.unit)
    assert any(p.location.startswith("分成计分!C") and "P2022-14" in p.message for p in exc.value.problems)


def test_cli_summary_export_and_errors(tmp_path, capsys, db, monkeypatch):
    monkeypatch.setattr(cli_ledgers, "setup", lambda: None)  # pytest-django owns the test database
    Department.objects.create(code="demo", name="示例部门")
    assert main(["invest", "import", str(DEMO)]) == 0
    capsys.readouterr()
    assert main(["invest", "summary", "--department", "demo", "--year", "2022", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pool_entered"] == {"raw": "20", "credited": "16.5", "ids": data["pool_entered"]["ids"]}
    assert data["fdi"]["credited"] == "1810" and data["feeds"]["invest.agreed_output"] == "13.85亿元"
    out = tmp_path / "back.json"
    assert main(["invest", "export", "--department", "demo", "--year", "2022", "-o", str(out)]) == 0
    assert sorted(p.project_id for p in records.read_json(out).projects) == sorted(
        p.project_id for p in records.read_json(DEMO).projects)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "jixiao-invest", "department": "demo", "year": 2022, "unit": US,
                               "projects": [{"name": "无编号"}]}, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["invest", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: $.projects[0].project_id" in err and "当前阶段" in err and "Traceback" not in err
    assert main(["invest", "import", str(tmp_path / "x.xlsx")]) == 2
    assert main(["invest", "summary", "--department", "demo", "--year", "2019"]) == 2


# ---------------------------------------------------------------- web pages

@pytest.fixture
def invest_site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    load_demo_ledger(exchange.read_file(DEMO.parent / "department-2022.json"))


def test_pipeline_board_shows_stages_and_credited_totals(invest_site):
    page = client_for("jingban").get("/d/demo/2022/invest/").content.decode()
    assert "项目看板" in page and "新洽谈入库" in page and "达产" in page
    assert "<td>16.5</td><td>20</td>" in page and "<td>8.5</td><td>10</td>" in page
    assert "1810万美元" in page and "本单位分成 0.5；云埔街道 0.5" in page
    assert "否（到资不在本年度）" in page  # the December 2021 arrival is listed, not counted


@pytest.mark.parametrize("url", ["/d/demo/2022/invest/"])
def test_invest_pages_are_scoped(invest_site, url):
    assert client_for("jingban-b").get(url).status_code == 404
    assert client_for("jingban-b").get("/d/demo-b/2022/invest/").status_code == 200  # its own year, no ledger
    answer = Client().get(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
