"""Land-use survey ledger: area units, idle and low-efficiency rules at their boundaries, 亩均
grading, pinned rule versions, feeds into the demo scoring, import errors, department scoping."""
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
from jixiao.cli import main
from jixiao.core import land
from jixiao.core.errors import InputError
from jixiao.core.scoring import score_department
from jixiao.land import records, store
from jixiao.land.demo import load_demo_ledger
from jixiao.land.excel import read_workbook, write_workbook
from jixiao.land.models import Parcel, ParcelChange
from jixiao.services import ledgers
from jixiao.services.actor import Actor
from jixiao.services.errors import NotFound

DEMO = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo" / "land-2022.json"
RULES = land.load_rule_sets()
RS = land.select_rule_set(RULES, 2022)


def parcel(**kw) -> land.Parcel:
    base = {
        "parcel_id": "P1", "survey_year": 2022, "street": "云埔街道", "location": "云埔一路1号",
        "site_area_m2": D("10000"), "owner": "测试公司", "approved_use": "M1", "current_use": "M1",
        "construction_status": "投产", "production_status": "正常", "floor_area_m2": D("15000"),
        "footprint_m2": D("4000"), "tax": D("450"), "tax_prev": D("450"), "output": D("4500"),
        "output_prev": D("4500"),
    }
    base.update(kw)
    return land.Parcel(**base)


def not_started(start: date, **kw) -> land.Parcel:
    return parcel(construction_status="未动工", agreed_start_date=start, floor_area_m2=D("0"), footprint_m2=D("0"),
                  tax=None, tax_prev=None, output=None, output_prev=None, **kw)


def suspended(built: D, invested: D, since: date = date(2021, 12, 31)) -> land.Parcel:
    return parcel(construction_status="停建", suspension_start_date=since, floor_area_m2=built,
                  planned_floor_area_m2=D("30000"), invested_to_date=invested, total_investment_agreed=D("1000"),
                  tax=None, tax_prev=None, output=None, output_prev=None)


# ---------------------------------------------------------------- units

def test_area_units_are_exact():
    assert land.m2_to_ha(D("10000")) == 1
    assert land.m2_to_mu(D("10000")) == 15
    assert land.mu_to_m2(D("15")) == D("10000")
    assert land.ha_to_m2(D("161.95")) == D("1619500")
    assert land.m2_to_mu(D("1619500")) == D("2429.25")


# ---------------------------------------------------------------- idle land

def test_not_started_exactly_one_year_is_not_yet_idle():
    as_of = date(2022, 12, 31)
    c = land.classify(not_started(date(2021, 12, 31)), RS, as_of)
    assert c.status == "正常"
    c = land.classify(not_started(date(2021, 12, 30)), RS, as_of)
    assert c.status == "闲置"
    assert "2021-12-30" in c.explanation and "land-2022 v1" in c.explanation
    assert "土地闲置费" in c.proposal


def test_not_started_two_years_proposes_recovery():
    c = land.classify(not_started(date(2020, 12, 31)), RS, date(2022, 12, 31))
    assert c.status == "闲置" and "无偿收回" in c.proposal
    c = land.classify(not_started(date(2021, 1, 1)), RS, date(2022, 12, 31))
    assert "闲置费" in c.proposal


def test_government_caused_delay_is_recorded_not_counted_as_idle():
    c = land.classify(not_started(date(2019, 1, 1), delay_cause="政府原因"), RS, date(2022, 12, 31))
    assert c.status == "正常" and c.government_delay
    assert "政府原因" in c.explanation
    c = land.classify(not_started(date(2019, 1, 1), delay_cause="企业原因"), RS, date(2022, 12, 31))
    assert c.status == "闲置" and not c.government_delay


def test_built_floor_exactly_one_third_is_not_idle():
    # 10000 of 30000 m² is exactly 1/3: the rule needs "less than 1/3"
    assert land.classify(suspended(D("10000"), D("500")), RS).status == "正常"
    c = land.classify(suspended(D("9999.99"), D("500")), RS)
    assert c.status == "闲置" and "不足1/3" in c.explanation


def test_investment_exactly_25_percent_is_not_idle():
    assert land.classify(suspended(D("20000"), D("250")), RS).status == "正常"
    c = land.classify(suspended(D("20000"), D("249.99")), RS)
    assert c.status == "闲置" and "已投资额占总投资 25.0%" in c.explanation


def test_suspension_of_exactly_one_year_counts_and_one_day_less_does_not():
    assert land.classify(suspended(D("1000"), D("10"), since=date(2021, 12, 31)), RS).status == "闲置"
    assert land.classify(suspended(D("1000"), D("10"), since=date(2022, 1, 1)), RS).status == "正常"


def test_leap_day_anniversary():
    assert land.add_years(date(2020, 2, 29), 1) == date(2021, 2, 28)


# ---------------------------------------------------------------- low efficiency

def test_tax_below_threshold_needs_two_consecutive_years():
    # 10000 m² = 15 亩; 15 万元/亩 × 15 亩 = 225 万元 is exactly the threshold
    assert land.classify(parcel(tax=D("225"), tax_prev=D("100")), RS).status == "正常"
    assert land.classify(parcel(tax=D("100"), tax_prev=D("300")), RS).status == "正常"
    c = land.classify(parcel(tax=D("48"), tax_prev=D("60")), RS)
    assert c.status == "低效" and c.types == ["产出低效"]
    assert "上年 4 万元/亩，本年 3.2 万元/亩" in c.explanation
    assert c.explanation.endswith("（规则 land-2022 v1）")


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"output": D("2000")}, "LE-OUTPUT"),
        ({"floor_area_m2": D("7999")}, "LE-FAR"),
        ({"footprint_m2": D("2999")}, "LE-COVERAGE"),
        ({"production_status": "半停产"}, "LE-STOP"),
        ({"non_compliant": "环保验收未通过"}, "LE-COMPLY"),
        ({"current_use": "B1"}, "LE-USE"),
    ],
)
def test_each_low_efficiency_rule_fires(changes, code):
    c = land.classify(parcel(**changes), RS)
    assert c.status == "低效"
    assert code in [f.code for f in c.findings]


def test_thresholds_are_strict():
    # FAR exactly 0.8 and coverage exactly 30% are not below the thresholds
    assert land.classify(parcel(floor_area_m2=D("8000"), footprint_m2=D("3000")), RS).status == "正常"


def test_parcels_under_construction_are_not_judged_on_output():
    c = land.classify(parcel(construction_status="在建", tax=D("0"), tax_prev=D("0"), output=D("0")), RS)
    assert c.status == "正常"


def test_manual_override_keeps_the_computed_status_and_reason():
    c = land.classify(parcel(tax=D("10"), tax_prev=D("10"), status_override="正常", override_reason="已签约改造"), RS)
    assert c.status == "正常" and c.computed_status == "低效"
    assert "人工认定为正常" in c.explanation and "已签约改造" in c.explanation


# ---------------------------------------------------------------- 亩均 grading

def _graded(n: int) -> list[land.Parcel]:
    return [parcel(parcel_id=f"P{i}", actual_user=f"企业{i}", actual_user_uscc=f"9144011200000000{i:02d}",
                   tax=D(10 * (n - i + 1))) for i in range(1, n + 1)]


def test_rank_grading_uses_percentiles_25_70_95():
    grades = {g.user: g.grade for g in land.grade_users(_graded(20), RS)}
    expected = ["A"] * 5 + ["B"] * 9 + ["C"] * 5 + ["D"]
    assert [grades[f"企业{i}"] for i in range(1, 21)] == expected


def test_threshold_grading_and_ungraded_users():
    rs = dataclasses.replace(RS, grading=dataclasses.replace(RS.grading, method="thresholds",
                                                             thresholds=(D("20"), D("10"), D("5"))))
    ps = [parcel(parcel_id="a", actual_user="甲", tax=D("300")),  # 20 万元/亩
          parcel(parcel_id="b", actual_user="乙", tax=D("149.99")),
          parcel(parcel_id="c", actual_user="丙", tax=D("0")),
          parcel(parcel_id="d", actual_user="丁", construction_status="在建")]
    grades = {g.user: g.grade for g in land.grade_users(ps, rs)}
    assert grades == {"甲": "A", "乙": "C", "丙": "D", "丁": "不参评"}


def test_a_user_on_two_parcels_is_graded_once():
    ps = [parcel(parcel_id="a", actual_user="甲", actual_user_uscc="X"),
          parcel(parcel_id="b", actual_user="甲", actual_user_uscc="X")]
    assert len(land.grade_users(ps, RS)) == 1


# ---------------------------------------------------------------- rule sets

def _rules_v2(**idle) -> land.RuleSet:
    data = json.loads((land.RULES_DIR / "land-2022-v1.json").read_text(encoding="utf-8"))
    data["version"] = 2
    data["low_efficiency"]["rules"][0]["below"] = "50"
    return land.parse_rule_set(data, "v2")


def test_rule_set_selection_by_date_and_pin():
    v2 = _rules_v2()
    later = dataclasses.replace(v2, id="land-2023", version=1, effective_from=date(2023, 1, 1))
    sets = [RS, v2, later]
    assert land.select_rule_set(sets, 2022) is v2
    assert land.select_rule_set(sets, 2022, ("land-2022", 1)) is RS
    assert land.select_rule_set(sets, 2023) is later
    with pytest.raises(InputError):
        land.select_rule_set(sets, 2021)
    with pytest.raises(InputError):
        land.select_rule_set(sets, 2022, ("land-2022", 9))


def test_malformed_rule_set_lists_every_problem():
    with pytest.raises(InputError) as exc:
        land.parse_rule_set({"id": "x", "version": 1, "effective_from": "2022-13-01"}, "x.json")
    text = str(exc.value)
    assert "effective_from" in text and "$.idle" in text and "$.grading" in text


# ---------------------------------------------------------------- the demo ledger (no database)

def test_demo_ledger_yields_the_report_figures():
    ledger = records.read_json(DEMO)
    results = land.classify_all(ledger.parcels, RS)
    s = land.summarize(ledger, results, RS, land.grade_users(ledger.parcels, RS))
    assert s.parcels.count == 190
    assert s.low_efficiency.count == 56
    assert s.low_efficiency.area_m2 == D("1619500")
    feeds = land.land_feeds(s)
    assert feeds["land.parcels_surveyed"] == "190宗"
    assert feeds["land.low_efficiency_count"] == "56个"
    assert feeds["land.low_efficiency_area_ha"] == "161.95公顷"
    assert s.idle.count > 0 and s.government_delay.count > 0
    assert s.disposal_by_strategy["转型升级"].count == 3
    assert all(p.origin == "示例" for p in ledger.parcels)
    assert RS.illustrative


def test_summary_ignores_rows_of_other_parcels():
    ledger = land.Ledger("demo", 2022, [parcel()], [land.Disposal("OTHER", "收储", area_m2=D("5"))])
    foreign = land.classify(parcel(parcel_id="OTHER", tax=D("1"), tax_prev=D("1")), RS)
    s = land.summarize(ledger, [land.classify(parcel(), RS), foreign], RS)
    assert s.parcels.count == 1 and s.low_efficiency.count == 0 and s.disposal_area_m2 == 0


# ---------------------------------------------------------------- file import errors

def test_json_import_reports_every_problem():
    data = records.ledger_to_dict(land.Ledger("demo", 2022, [parcel(), parcel(parcel_id="P2")]))
    data["parcels"][0]["site_area_m2"] = "-5"
    data["parcels"][0]["construction_status"] = "搁置"
    data["parcels"][1]["owner_uscc"] = "123"
    data["parcels"][1]["agreed_start_date"] = "2022/13/01"
    with pytest.raises(InputError) as exc:
        records.ledger_from_dict(data, "land.json")
    where = [p.location for p in exc.value.problems]
    assert where == ["land.json: $.parcels[0].site_area_m2", "land.json: $.parcels[0].construction_status",
                     "land.json: $.parcels[1].owner_uscc", "land.json: $.parcels[1].agreed_start_date"]
    assert all(p.message for p in exc.value.problems)


def test_cross_row_problems():
    data = records.ledger_to_dict(land.Ledger("demo", 2022, [parcel(), parcel()],
                                              [land.Disposal("P9", "收储", area_m2=D("1"))]))
    with pytest.raises(InputError) as exc:
        records.ledger_from_dict(data, "f.json")
    messages = " ".join(p.message for p in exc.value.problems)
    assert "重复" in messages and "P9" in messages


# ---------------------------------------------------------------- database

@pytest.fixture
def departments(db):
    return (Department.objects.create(code="demo", name="示例部门"),
            Department.objects.create(code="other", name="别的部门"))


ACTOR = Actor(name="测试", system=True)


def _demo_ledger() -> land.Ledger:
    return records.read_json(DEMO)


def save(ledger: land.Ledger, reason: str = "", rule_sets=None, confirm_delete: bool = True) -> ledgers.Saved:
    return ledgers.import_ledger(ACTOR, "land", ledger, reason=reason, confirm_delete=confirm_delete,
                                 rule_sets=rule_sets)[1]


def test_store_round_trip_and_history(departments):
    ledger = _demo_ledger()
    save(ledger)
    loaded = store.load_ledger("demo", 2022)
    assert loaded.parcels == sorted(ledger.parcels, key=lambda p: p.parcel_id)
    assert len(loaded.disposals) == len(ledger.disposals)
    ids = dict(Parcel.objects.values_list("parcel_id", "id"))
    before = ParcelChange.objects.count()
    assert before == len(ledger.parcels) + len(ledger.disposals)  # one 新增 per record
    save(loaded)  # nothing changed, nothing logged
    assert ParcelChange.objects.count() == before
    loaded.parcels[0].tax = D("0.5")
    loaded.parcels[0].tax_prev = D("0.5")
    save(loaded, reason="更正税收")
    history = store.parcel_history("demo", 2022, loaded.parcels[0].parcel_id)
    fields = {h.field for h in history}
    assert {"tax", "tax_prev"} <= fields
    assert any(h.reason == "更正税收" for h in history)
    # the rows kept their identity; the changed one is at version 2, with its history by id
    assert dict(Parcel.objects.values_list("parcel_id", "id")) == ids
    row = Parcel.objects.get(parcel_id=loaded.parcels[0].parcel_id)
    assert row.version == 2
    assert {h.record_id for h in history if h.table == "parcels"} == {row.id}


def test_rule_version_change_does_not_rewrite_past_years(departments):
    ledger = _demo_ledger()
    save(ledger, rule_sets=[RS])
    assert store.load_summary("demo", 2022, [RS]).low_efficiency.count == 56
    v2 = _rules_v2()  # stricter tax threshold, same effective date
    # data corrected after the new version appeared: 2022 keeps the version it was classified with
    ledger.parcels[0].note = "更正备注"
    save(ledger, rule_sets=[RS, v2])
    s = store.load_summary("demo", 2022, [RS, v2])
    assert (s.rule_version, s.low_efficiency.count) == (1, 56)
    assert store.land_feed_provider("demo", 2022)["land.low_efficiency_count"] == "56个"
    # a new year takes the newest rules
    next_year = land.Ledger("demo", 2023, [dataclasses.replace(p, survey_year=2023) for p in ledger.parcels])
    save(next_year, rule_sets=[RS, v2])
    assert store.load_summary("demo", 2023, [RS, v2]).rule_version == 2
    assert store.load_summary("demo", 2023, [RS, v2]).low_efficiency.count > 56
    # and 2022 is only reclassified when asked to; the changed classifications are logged as 认定
    ledgers.recount(ACTOR, "land", "demo", 2022, "land-2022", 2, rule_sets=[RS, v2])
    assert store.load_summary("demo", 2022, [RS, v2]).low_efficiency.count > 56
    assert ParcelChange.objects.filter(year=2022, action="认定", field="status").exists()


def test_department_scoping(departments):
    save(_demo_ledger())
    other = land.Ledger("other", 2022, [parcel(parcel_id="440112-YP-001", tax=D("1"), tax_prev=D("1"))])
    save(other)
    s = store.load_summary("demo", 2022)
    assert (s.parcels.count, s.low_efficiency.count) == (190, 56)
    o = store.load_summary("other", 2022)
    assert (o.parcels.count, o.low_efficiency.count) == (1, 1)
    assert store.land_feed_provider("nobody", 2022) == {}
    assert store.land_feed_provider("demo", 2021) == {}
    with pytest.raises(NotFound):
        save(land.Ledger("missing", 2022, [parcel()]))


def test_feeds_reach_the_demo_scoring(db):
    dy = exchange.read_file(DEMO.parent / "department-2022.json")
    for ind in dy.indicators:
        if ind.feed and ind.feed.startswith("land."):
            ind.actual_text = None  # the figure must come from the ledger rows, not the typed text
    save_department_year(dy)
    load_demo_ledger(dy)
    result = score_department(dy, collect_feeds("demo", 2022))
    by_code = {r.code: r for r in result.indicators}
    got = {code: (r.actual_text, r.feed) for code, r in by_code.items() if code in ("D17", "D18", "D19")}
    assert got == {"D17": ("190宗", "land.parcels_surveyed"), "D18": ("56个", "land.low_efficiency_count"),
                   "D19": ("161.95公顷", "land.low_efficiency_area_ha")}


def test_excel_round_trip_and_cell_errors(departments, tmp_path):
    ledger = _demo_ledger()
    save(ledger)
    path = tmp_path / "land.xlsx"
    write_workbook(ledger, store.stored_results("demo", 2022), path)
    back = read_workbook(path, "demo", 2022)
    assert back.parcels == ledger.parcels and back.disposals == ledger.disposals

    wb = load_workbook(path)
    ws = wb["宗地台账"]
    headers = [c.value for c in ws[1]]
    ws.cell(row=3, column=headers.index("用地面积（平方米）") + 1, value="很大")
    ws.cell(row=5, column=headers.index("建设状态") + 1, value="搁置")
    wb["处置跟踪"].cell(row=2, column=1, value="不存在的宗地")
    wb.save(path)
    with pytest.raises(InputError) as exc:
        read_workbook(path, "demo", 2022)
    where = [p.location for p in exc.value.problems]
    area_col = chr(ord("A") + headers.index("用地面积（平方米）"))
    status_col = chr(ord("A") + headers.index("建设状态"))
    assert f"宗地台账!{area_col}3" in where and f"宗地台账!{status_col}5" in where
    assert Parcel.objects.filter(survey_year=2022).count() == 190  # nothing changed


def test_cli_errors_exit_2(tmp_path, capsys):
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "jixiao-land", "department": "demo", "year": 2022, "parcels": [{}]}', encoding="utf-8")
    assert main(["land", "import", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "宗地编号" in err and "Traceback" not in err
    assert main(["land", "import", str(tmp_path / "missing.xlsx")]) == 2


# ---------------------------------------------------------------- web pages

@pytest.fixture
def land_site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    load_demo_ledger(exchange.read_file(DEMO.parent / "department-2022.json"))


LAND_URLS = ["/d/demo/2022/land/", "/d/demo/2022/land/parcels/", "/d/demo/2022/land/parcels/440112-YP-001/"]


def test_land_pages_show_the_ledger(land_site):
    c = client_for("jingban")
    page = c.get(LAND_URLS[0]).content.decode()
    assert "190 宗" in page and "56 个" in page and "161.95 公顷" in page
    assert "<polygon" in page and "vendor/echarts/echarts.min.js" in page and "land-street" in page
    listing = c.get(LAND_URLS[1], {"status": "低效"}).content.decode()
    assert "共 56 宗，161.95 公顷" in listing
    street = c.get(LAND_URLS[1], {"street": "夏港街道", "status": "低效"}).content.decode()
    assert "云埔街道" not in street.split("<tbody>")[1]
    detail = c.get(LAND_URLS[2]).content.decode()
    assert "land-2022 v1" in detail and "变更记录" in detail and "新增" in detail


@pytest.mark.parametrize("url", LAND_URLS)
def test_land_pages_are_scoped(land_site, url):
    assert client_for("jingban-b").get(url).status_code == 404
    answer = Client().get(url)
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
