"""Enterprise services and economic monitoring: 规上/限上 thresholds at their boundaries, growth
from the bureau's same-scope figures (never from last year's published total), data vintages,
person-visits, the ticket state machine and overdue rules, 专精特新 counting, the demo figures,
feeds into the demo scoring, files, department scoping."""
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
from jixiao.core import enterprise as ent
from jixiao.core.errors import InputError
from jixiao.core.scoring import score_department
from jixiao.enterprise import records, store
from jixiao.enterprise.demo import load_demo_ledger
from jixiao.enterprise.models import EnterpriseChange, MonthlyStat
from jixiao.services import ledgers
from jixiao.services.actor import Actor

DEMO = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo" / "enterprise-2022.json"
RULES = ent.select_rules(ent.load_rules(), 2022)


def uscc(n: int) -> str:
    return f"914401167{n:08d}X"


def firm(n: int, code: str = "3562", revenue: str | None = "5000") -> ent.Enterprise:
    return ent.Enterprise(uscc(n), f"企业{n}", code, None if revenue is None else D(revenue))


def stat(n: int, month: int, output: str, prior: str, vintage: date = date(2023, 1, 18)) -> ent.MonthlyStat:
    return ent.MonthlyStat(uscc(n), month, vintage, output=D(output), output_prior=D(prior))


def ledger(**kw) -> ent.EnterpriseLedger:
    return ent.EnterpriseLedger("demo", 2022, **kw)


def where(table: str, i: int, attr: str) -> str:
    return f"{table}[{i}].{attr}"


# ---------------------------------------------------------------- status thresholds

@pytest.mark.parametrize("code,revenue,status", [
    ("3562", "2000", "规上工业"), ("3562", "1999.99", ""), ("2682", "20000", "规上工业"),
    ("5137", "2000", "限上批发"), ("5137", "1999", ""), ("5221", "500", "限上零售"), ("5221", "499.99", ""),
    ("6110", "200", "限上住宿"), ("6210", "199", ""), ("6513", "90000", ""), ("3562", None, ""),
])
def test_scale_status_thresholds_are_inclusive(code, revenue, status):
    assert ent.scale_status(firm(1, code, revenue), RULES) == status


def test_thresholds_are_data():
    raised = dataclasses.replace(RULES, above_scale_min=D("2500"))
    assert ent.scale_status(firm(1, "3562", "2000"), raised) == ""


# ---------------------------------------------------------------- growth

def test_growth_uses_same_scope_prior_not_last_years_published_total():
    firms = [firm(1), firm(2, "3973")]
    stats = [stat(1, 1, "1045", "1000"), stat(2, 1, "2090", "2000")]
    published = [ent.PublishedTotal("规上工业总产值", 2021, D("2800"))]  # last year's scope was larger
    s = ent.summarize(ledger(enterprises=firms, stats=stats, published=published), RULES)
    assert s.above_scale.growth == D("0.045")
    assert s.published_prior == {"规上工业总产值": D("2800")}
    # what a naive comparison with the published total would give — and what must not be used
    assert s.above_scale.current / D("2800") - 1 != s.above_scale.growth
    other = ent.summarize(ledger(enterprises=firms, stats=stats,
                                 published=[ent.PublishedTotal("规上工业总产值", 2021, D("1"))]), RULES)
    assert other.above_scale.growth == s.above_scale.growth


def test_growth_is_per_division_and_only_over_firms_in_scope():
    firms = [firm(1, "3562"), firm(2, "3511"), firm(3, "3973"), firm(4, "3562", "1500")]
    stats = [stat(1, 1, "110", "100"), stat(2, 1, "100", "100"), stat(3, 1, "90", "100"), stat(4, 1, "999", "1")]
    s = ent.summarize(ledger(enterprises=firms, stats=stats), RULES)
    assert (s.above_scale.enterprises, s.above_scale.current, s.above_scale.prior) == (3, 300, 300)
    by_code = {d.code: d for d in s.divisions}
    assert by_code["35"].total.growth == D("0.05") and by_code["35"].tag == "高端装备"
    assert by_code["39"].total.growth == D("-0.1") and not by_code["39"].growing
    assert [d.code for d in s.growing_divisions] == ["35"]


def test_the_newest_vintage_of_a_month_wins():
    stats = [stat(1, 12, "90", "100", date(2023, 1, 10)), stat(1, 12, "105", "100", date(2023, 1, 18))]
    s = ent.summarize(ledger(enterprises=[firm(1)], stats=stats), RULES)
    assert s.above_scale.current == 105 and s.latest_vintage == date(2023, 1, 18)


def test_current_figure_without_same_scope_prior_is_rejected():
    bad = ent.MonthlyStat(uscc(1), 3, date(2022, 4, 15), output=D("10"))
    problems = ent.check_ledger(ledger(enterprises=[firm(1)], stats=[bad]), RULES, where)
    assert [p.location for p in problems] == ["stats[0].output_prior"]
    assert "同口径" in problems[0].message


def test_demo_figures_match_the_report():
    s = ent.summarize(records.read_json(DEMO), RULES)
    assert (s.above_scale.enterprises, s.above_scale.current) == (132, D("2684900"))
    assert (s.above_quota.enterprises, s.above_quota.current) == (80, D("2723400"))
    assert len(s.divisions) == 9
    assert sorted(d.tag for d in s.growing_divisions) == sorted(["高端装备", "集成电路", "美妆大健康", "生物技术"])
    feeds = ent.enterprise_feeds(s)
    assert feeds["enterprise.above_scale_output_growth"] == "4.5%"
    assert feeds["enterprise.above_quota_sales_growth"] == "-8.82%"
    assert feeds["enterprise.above_scale_output"] == "268.49亿元"
    assert feeds["enterprise.above_quota_sales"] == "272.34亿元"
    assert (feeds["enterprise.visit_person_times"], feeds["enterprise.policy_briefings"]) == ("712人次", "6次")
    assert s.specialised_reported["国家级"] == 8 and s.specialised_reported["省级"] == 9


# ---------------------------------------------------------------- visits

def test_visits_count_person_visits_in_the_year():
    visits = [ent.Visit("V1", date(2022, 3, 1), uscc(1), ["委领导", "专员01", "专员02"], leader_involved=True),
              ent.Visit("V2", date(2022, 5, 1), uscc(1), ["专员01", "专员03"]),
              ent.Visit("V3", date(2021, 12, 31), uscc(2), ["专员01", "专员02", "专员03", "专员04"])]
    s = ent.summarize(ledger(enterprises=[firm(1), firm(2)], visits=visits), RULES)
    assert (s.person_visits, s.visits, s.enterprises_visited, s.leader_visits) == (5, 2, 1, 1)


def test_visit_needs_staff():
    visit = ent.Visit("V1", date(2022, 3, 1), uscc(1), [])
    problems = ent.check_ledger(ledger(enterprises=[firm(1)], visits=[visit]), RULES, where)
    assert [p.location for p in problems] == ["visits[0].staff"]


# ---------------------------------------------------------------- tickets

def ticket(category: str = "融资", received: date = date(2022, 11, 2), deadline: date | None = None) -> ent.Ticket:
    t = ent.Ticket("T1", uscc(1), category, "贷款贴息", received, deadline=deadline)
    return ent.advance(t, "受理", received, RULES)


def test_ticket_walks_the_closed_loop():
    t = ticket()
    for status, day in (("转办", 3), ("办理中", 5), ("办结", 10)):
        t = ent.advance(t, status, date(2022, 11, day), RULES)
    t = ent.advance(t, "回访", date(2022, 11, 15), RULES, satisfaction="满意")
    assert [e.status for e in t.events] == ["受理", "转办", "办理中", "办结", "回访"]
    assert t.status == "回访" and t.satisfaction == "满意"
    assert ent.check_ticket(t, RULES, lambda i, a: f"{i}.{a}") == []


@pytest.mark.parametrize("path,illegal", [
    ((), "办结"), ((), "回访"), (("转办",), "办结"), (("办理中", "办结"), "转办"),
    (("办理中", "办结"), "办理中"),
])
def test_illegal_transitions_are_rejected(path, illegal):
    t = ticket()
    for status in path:
        t = ent.advance(t, status, date(2022, 11, 20), RULES)
    with pytest.raises(InputError) as exc:
        ent.advance(t, illegal, date(2022, 11, 21), RULES)
    assert f"不能从“{t.status}”变为“{illegal}”" in str(exc.value)


def test_follow_up_needs_satisfaction_and_dates_go_forward():
    t = ent.advance(ent.advance(ticket(), "办理中", date(2022, 11, 3), RULES), "办结", date(2022, 11, 9), RULES)
    with pytest.raises(InputError):
        ent.advance(t, "回访", date(2022, 11, 12), RULES)
    with pytest.raises(InputError):
        ent.advance(t, "回访", date(2022, 11, 1), RULES, satisfaction="满意")
    with pytest.raises(InputError):
        ent.advance(ent.Ticket("T2", uscc(1), "用工", "招工", date(2022, 1, 1)), "转办", date(2022, 1, 1), RULES)


def test_stored_history_with_a_skipped_step_is_located():
    t = ent.Ticket("T9", uscc(1), "用地", "用地指标", date(2022, 5, 5), events=[
        ent.TicketEvent("T9", "受理", date(2022, 5, 5)), ent.TicketEvent("T9", "办结", date(2022, 5, 9))])
    problems = ent.check_ledger(ledger(enterprises=[firm(1)], tickets=[t]), RULES, where)
    assert [p.location for p in problems] == ["ticket_events[1].status"]
    assert "T9" in problems[0].message


def test_overdue_rules():
    # 融资 has no category limit: the default 15 days → deadline 17 November
    t = ticket()
    assert ent.deadline_of(t, RULES) == date(2022, 11, 17)
    assert ent.overdue(t, RULES, date(2022, 11, 13)).flag == "正常"
    assert ent.overdue(t, RULES, date(2022, 11, 14)).flag == "临期"  # within warn_days
    assert ent.overdue(t, RULES, date(2022, 11, 17)).flag == "临期"  # the deadline day is still in time
    late = ent.overdue(t, RULES, date(2022, 11, 20))
    assert (late.flag, late.days_late) == ("逾期", 3)
    land = ticket("用地")
    assert ent.deadline_of(land, RULES) == date(2022, 12, 2)  # 用地 has 30 days
    done = ent.advance(ent.advance(t, "办理中", date(2022, 11, 3), RULES), "办结", date(2022, 11, 17), RULES)
    assert ent.overdue(done, RULES, date(2022, 12, 31)).flag == "按期办结"
    late_done = ent.advance(ent.advance(t, "办理中", date(2022, 11, 3), RULES), "办结", date(2022, 11, 19), RULES)
    o = ent.overdue(late_done, RULES, date(2022, 12, 31))
    assert (o.flag, o.days_late) == ("逾期办结", 2)
    # judged before it was closed, the same ticket was simply late
    assert ent.overdue(late_done, RULES, date(2022, 11, 18)).flag == "逾期"
    explicit = ticket(deadline=date(2022, 11, 5))
    assert ent.overdue(explicit, RULES, date(2022, 11, 6)).flag == "逾期"


# ---------------------------------------------------------------- 专精特新

def test_specialised_counting_is_explicit():
    rec = [ent.Recognition(uscc(1), "专精特新“小巨人”", "国家级", date(2021, 7, 1), expires_on=date(2024, 6, 30)),
           ent.Recognition(uscc(1), "专精特新“小巨人”", "省级", date(2020, 1, 1), expires_on=date(2023, 1, 1)),
           ent.Recognition(uscc(2), "专精特新“小巨人”", "省级", date(2022, 3, 1)),
           ent.Recognition(uscc(3), "专精特新“小巨人”", "省级", date(2018, 1, 1), expires_on=date(2021, 1, 1)),
           ent.Recognition(uscc(4), "专精特新“小巨人”", "省级", date(2023, 1, 5)),
           ent.Recognition(uscc(5), "创新型中小企业", "区级", date(2022, 1, 1))]
    s = ent.summarize(ledger(enterprises=[firm(i) for i in range(1, 6)], recognitions=rec), RULES)
    assert (s.specialised_exclusive["国家级"], s.specialised_exclusive["省级"]) == (1, 1)
    assert (s.specialised_inclusive["国家级"], s.specialised_inclusive["省级"]) == (1, 2)
    assert s.specialised_counting == "exclusive" and s.specialised_reported == s.specialised_exclusive


# ---------------------------------------------------------------- checks and files

def test_ledger_checks_are_located():
    firms = [firm(1, "35"), firm(2, "9999"), firm(1)]
    visits = [ent.Visit("V1", date(2022, 3, 1), uscc(7), ["专员01"])]
    problems = ent.check_ledger(ledger(enterprises=firms, visits=visits), RULES, where)
    located = {p.location for p in problems}
    assert {"enterprises[0].industry_code", "enterprises[1].industry_code", "enterprises[2].uscc",
            "visits[0].uscc"} <= located


def test_ticket_steps_of_unknown_tickets_are_located(tmp_path):
    data = records.ledger_to_dict(ledger(enterprises=[firm(1)]))
    data["ticket_events"] = [{"ticket_id": "NOPE", "status": "受理", "date": "2022-01-01"}]
    with pytest.raises(InputError) as exc:
        records.ledger_from_dict(data, "e.json")
    assert exc.value.problems[0].location == "e.json: $.ticket_events[0].ticket_id"


def test_interleaved_ticket_steps_are_located_in_the_file():
    data = records.ledger_to_dict(ledger(enterprises=[firm(1)]))
    data["tickets"] = [{"ticket_id": t, "uscc": uscc(1), "category": "用工", "description": "招工",
                        "received_on": "2022-03-01"} for t in ("A", "B")]
    data["ticket_events"] = [{"ticket_id": "A", "status": "受理", "date": "2022-03-01"},
                             {"ticket_id": "B", "status": "受理", "date": "2022-03-01"},
                             {"ticket_id": "A", "status": "办结", "date": "2022-03-02"}]
    with pytest.raises(InputError) as exc:
        records.ledger_from_dict(data, "e.json")
    assert [p.location for p in exc.value.problems] == ["e.json: $.ticket_events[2].status"]


@pytest.fixture
def departments(db):
    return (Department.objects.create(code="demo", name="示例部门"),
            Department.objects.create(code="other", name="别的部门"))


ACTOR = Actor(name="测试", system=True)


def save(ledger: ent.EnterpriseLedger, reason: str = "", confirm_delete: bool = True) -> ledgers.Saved:
    return ledgers.import_ledger(ACTOR, "enterprise", ledger, reason=reason, confirm_delete=confirm_delete)[1]


def test_store_round_trip_and_scoping(departments):
    demo = records.read_json(DEMO)
    save(demo)
    loaded = store.load_ledger("demo", 2022)
    assert sorted(loaded.enterprises, key=lambda e: e.uscc) == sorted(demo.enterprises, key=lambda e: e.uscc)
    assert {t.ticket_id: t.events for t in loaded.tickets} == {t.ticket_id: t.events for t in demo.tickets}
    assert {p.plan_id: p.measures for p in loaded.plans} == {p.plan_id: p.measures for p in demo.plans}
    small = ledger(enterprises=[firm(1)], stats=[stat(1, 1, "110", "100")],
                   visits=[ent.Visit("V1", date(2022, 3, 1), uscc(1), ["专员01", "专员02"])])
    save(dataclasses.replace(small, department="other"))
    assert store.load_summary("demo", 2022).person_visits == 712
    other = store.enterprise_feed_provider("other", 2022)
    assert other["enterprise.visit_person_times"] == "2人次"
    assert other["enterprise.above_scale_output_growth"] == "10.0%"
    assert store.enterprise_feed_provider("demo", 2021) == {} and store.enterprise_feed_provider("nobody", 2022) == {}


def test_bad_ledger_stores_nothing(departments):
    save(ledger(enterprises=[firm(1)], stats=[stat(1, 1, "110", "100")]))
    bad = ledger(enterprises=[firm(1)], stats=[stat(1, 1, "1.00001", "100")])  # more places than the column holds
    with pytest.raises(InputError) as exc:
        save(bad)
    problem = exc.value.problems[0]
    assert problem.location.startswith("月度统计[1]") and problem.field == "工业总产值（万元）"
    assert "4 位小数" in problem.message
    assert MonthlyStat.objects.get().output == D("110")


def test_import_logs_each_changed_field_and_nothing_when_unchanged(departments):
    small = ledger(enterprises=[firm(1), firm(2)], stats=[stat(1, 1, "110", "100"), stat(2, 1, "90", "80")])
    save(small)
    created = EnterpriseChange.objects.count()
    assert created == 4 and set(EnterpriseChange.objects.values_list("action", flat=True)) == {"新增"}
    save(small)  # unchanged: nothing logged
    assert EnterpriseChange.objects.count() == created
    revised = dataclasses.replace(small, stats=[stat(1, 1, "110", "100"), stat(2, 1, "95", "80")])
    save(revised, reason="统计局更正")
    log = list(EnterpriseChange.objects.exclude(action="新增"))
    assert [(h.table, h.record, h.action, h.field, h.before, h.after, h.who, h.reason) for h in log] == [
        ("stats", f"{uscc(2)} / 1 / 2023-01-18", "修改", "output", "90.0000", "95", "测试", "统计局更正")]
    assert store.history("demo", 2022)[0] == log[0]


def test_feeds_reach_the_demo_scoring(db, demo_dy):
    for ind in demo_dy.indicators:
        if ind.feed and ind.feed.startswith("enterprise."):
            ind.actual_text = None
    save_department_year(demo_dy)
    assert "712人次" in load_demo_ledger(demo_dy)
    result = score_department(demo_dy, collect_feeds("demo", 2022))
    got = {r.code: r.actual_text for r in result.indicators if r.feed and r.feed.startswith("enterprise.")}
    assert got == {"D21": "4.5%", "D22": "712人次", "D23": "6次"}
    d22 = next(r for r in result.indicators if r.code == "D22")
    assert "实际完成值取自「企业服务台账：走访企业人次」" in d22.trace


def test_excel_round_trip_and_cell_errors(tmp_path):
    small = ledger(
        enterprises=[firm(1), firm(2, "5221", "800")],
        stats=[stat(1, 1, "110", "100"),
               ent.MonthlyStat(uscc(2), 1, date(2022, 2, 15), sales=D("50.5"), sales_prior=D("60"))],
        visits=[ent.Visit("V1", date(2022, 3, 1), uscc(1), ["委领导", "专员01"], leader_involved=True)],
        tickets=[dataclasses.replace(ticket(), received_on=date(2022, 11, 2))],
        plans=[ent.Plan("P1", uscc(1), "扩产方案", measures=[ent.PlanMeasure("P1", "协调用地", "区规划和自然资源局")])],
        briefings=[ent.Briefing("B1", date(2022, 2, 24), "稳增长政策宣讲会", person_count=70)],
    )
    path = tmp_path / "enterprise.xlsx"
    records.write_excel(small, path)
    back = records.read_excel(path, "demo", 2022)
    assert back == small
    wb = load_workbook(path)
    ws = wb["月度统计"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=2, column=headers.index("月份") + 1, value=13)
    ws.cell(row=3, column=headers.index("销售额（万元）") + 1, value="很多")
    wb["办理过程"].cell(row=2, column=2, value="已办")
    wb.save(path)
    with pytest.raises(InputError) as exc:
        records.read_excel(path, "demo", 2022)
    located = {p.location for p in exc.value.problems}
    sales = chr(ord("A") + headers.index("销售额（万元）"))
    assert f"月度统计!{sales}3" in located and "办理过程!B2" in located
    wb = load_workbook(path)
    wb["月度统计"].cell(row=3, column=headers.index("销售额（万元）") + 1, value=50.5)
    wb["办理过程"].cell(row=2, column=2, value="受理")
    wb.save(path)
    with pytest.raises(InputError) as exc:  # the month is checked once the cells parse
        records.read_excel(path, "demo", 2022)
    month = chr(ord("A") + headers.index("月份"))
    assert [p.location for p in exc.value.problems] == [f"月度统计!{month}2"]


def test_cli_summary_tickets_and_errors(tmp_path, capsys, db, monkeypatch):
    monkeypatch.setattr(cli_ledgers, "setup", lambda: None)  # pytest-django owns the test database
    Department.objects.create(code="demo", name="示例部门")
    assert main(["enterprise", "import", str(DEMO)]) == 0
    capsys.readouterr()
    assert main(["enterprise", "summary", "--department", "demo", "--year", "2022", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["above_scale_industry"]["current_yi"] == "268.49" and data["above_scale_industry"]["enterprises"] == 132
    assert data["above_quota_trade"]["current_yi"] == "272.34" and data["person_visits"] == 712
    assert main(["enterprise", "tickets", "--department", "demo", "--year", "2022", "--open"]) == 0
    out = capsys.readouterr().out
    assert "逾期" in out and "临期" in out and "回访" not in out
    assert main(["enterprise", "tickets", "--department", "demo", "--year", "2022", "--as-of", "昨天"]) == 2
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"format": "jixiao-enterprise", "department": "demo", "year": 2022,
                               "enterprises": [{"uscc": "123", "name": "甲", "industry_code": "3562"}]}),
                   encoding="utf-8")
    capsys.readouterr()
    assert main(["enterprise", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.json: $.enterprises[0].uscc" in err and "Traceback" not in err


# ---------------------------------------------------------------- web pages

@pytest.fixture
def enterprise_site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    load_demo_ledger(exchange.read_file(DEMO.parent / "department-2022.json"))


FIRST = "91440116700000001X"
ENTERPRISE_URLS = ["/d/demo/2022/enterprise/", "/d/demo/2022/enterprise/list/", "/d/demo/2022/enterprise/tickets/",
                   f"/d/demo/2022/enterprise/e/{FIRST}/"]


def test_enterprise_pages_show_the_ledger(enterprise_site):
    c = client_for("jingban")
    page = c.get(ENTERPRISE_URLS[0]).content.decode()
    assert "132 家" in page and "268.49 亿元" in page and "712 人次" in page and "272.34 亿元" in page
    assert "vendor/echarts/echarts.min.js" in page and 'id="enterprise-divisions"' in page
    assert "高端装备、集成电路、美妆大健康、生物技术" in page
    listing = c.get(ENTERPRISE_URLS[1], {"status": "规上工业", "division": "35"}).content.decode()
    assert "共 24 家" in listing
    queue = c.get(ENTERPRISE_URLS[2]).content.decode()
    assert 'class="overdue"' in queue and 'class="due-soon"' in queue and "已逾期 44 天" in queue
    assert "ZTC-2022-001" not in queue  # closed and followed up: only in the full list
    assert "ZTC-2022-001" in c.get(ENTERPRISE_URLS[2], {"all": "1"}).content.decode()
    detail = c.get(ENTERPRISE_URLS[3]).content.decode()
    assert "月度统计" in detail and "走访记录" in detail and "规上工业" in detail
    assert c.get("/d/demo/2022/enterprise/e/91440116799999999X/").status_code == 404


@pytest.mark.parametrize("url", ENTERPRISE_URLS)
def test_enterprise_pages_are_scoped(enterprise_site, url):
    assert client_for("jingban-b").get(url).status_code == 404
    answer = Client().get(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
