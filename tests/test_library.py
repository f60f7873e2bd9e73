"""The indicator library's core (jixiao.core.library): the shipped data, the curation laid over it,
the search a picker uses, the unit's earlier indicators as 取值依据, and the "below last year's
actual" warning (目标设置过低) that the goal form shows when a target is typed and the goal check
reports — one comparison for both."""
from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from jixiao.core import model as core
from jixiao.core import quality
from jixiao.core.library import (
    COMMON,
    MERGED,
    RETIRED,
    Earlier,
    Entry,
    basis_text,
    curated,
    earlier_for,
    last_year_warning,
    load_library,
    resolve,
    search,
    suggest_categories,
    weaker_than_last_year,
    with_status,
)
from jixiao.core.schemes import load_scheme
from jixiao.core.targets import parse_target


def test_shipped_library_is_versioned_and_large_enough_to_pick_from():
    lib = load_library()
    assert lib.version and "财预〔2020〕10号" in lib.source
    assert len(lib.entries) >= 250
    keys = [e.key for e in lib.entries]
    assert len(keys) == len(set(keys))
    for required in ("基础设施建设", "专项补助", "培训", "信息化", "招商引资", "土地整理", "企业服务", "宣传", "运维",
                     "课题研究", COMMON):
        assert sum(e.category == required for e in lib.entries) >= 10 or required == COMMON, required


def test_every_entry_fits_the_default_scheme_and_its_example_target_reads():
    lib = load_library()
    scheme = load_scheme("central-2020")
    for e in lib.entries:
        cat = scheme.category(e.level1)
        assert cat is not None and e.level2 in cat.level2, e
        assert e.direction in lib.directions, e
        assert e.basis in lib.bases, e
        t = parse_target(e.example, e.unit)  # raises on an unreadable example
        assert t.quantitative == (e.direction != "定性"), e


def test_search_by_category_includes_the_common_indicators_and_hides_retired_ones():
    lib = load_library()
    found = search(lib.entries, category="招商引资")
    assert {e.category for e in found} == {"招商引资", COMMON}
    assert any(e.name == "实际利用外资" for e in found)
    assert [e.name for e in search(lib.entries, category="培训", text="人次")] == ["培训人次"]
    retired = with_status(found[0], RETIRED)
    entries = curated(lib.entries, [retired])
    assert retired.key not in {e.key for e in search(entries, category="招商引资")}
    assert retired.key in {e.key for e in search(entries, category="招商引资", include_inactive=True)}


def test_curation_replaces_shipped_entries_and_appends_added_ones():
    shipped = [Entry("A", "培训", "产出指标", "数量指标", "培训人次", "人次"),
               Entry("B", "培训", "产出指标", "数量指标", "培训人数", "人")]
    added = Entry("X-1", "培训", "产出指标", "数量指标", "线上培训人次", "人次", origin="财政增补")
    merged = with_status(shipped[1], MERGED, "A")
    out = curated(shipped, [merged, added])
    assert [e.key for e in out] == ["A", "B", "X-1"]
    assert out[1].status == MERGED and resolve(out, "B") == shipped[0]
    assert resolve(out, "nope") is None


def test_categories_are_suggested_from_the_project_name():
    lib = load_library()
    assert suggest_categories(lib, "园区招商引资工作经费", "一般公共预算项目")[0] == "招商引资"
    assert "宣传" in suggest_categories(lib, "园区宣传推介经费")
    assert suggest_categories(lib, "无关名称") == []


@pytest.mark.parametrize(("target", "unit", "last", "weaker"), [
    ("≥8公顷", "", "8.6公顷", True),  # a floor below last year's actual
    ("≥9公顷", "", "8.6公顷", False),
    ("≥8.6公顷", "", "8.6公顷", False),  # equal is not weaker
    ("≤5%", "", "3%", True),  # a ceiling looser than last year's actual
    ("≤2%", "", "3%", False),
    ("≥90%", "", "95%", True),
    ("≥90", "%", "95%", True),  # the unit from its own column
    ("≥8个", "", "9公顷", False),  # another unit: not comparable
    ("≥90%", "", "9个", False),  # percent against a count: not comparable
    ("按期完成", "", "100%", False),  # qualitative
    ("≥8公顷", "", None, False),
    ("", "", "9公顷", False),
    ("到5次", "", "9次", False),  # unreadable: its own finding, not this one
])
def test_weaker_than_last_year(target, unit, last, weaker):
    assert (weaker_than_last_year(target, unit, last) is not None) is weaker
    assert (last_year_warning(target, unit, last) is not None) is weaker


def test_the_warning_names_both_values_and_the_goal_check_says_the_same():
    message = last_year_warning("≥8公顷", "", "8.6公顷")
    assert message is not None and "≥8公顷" in message and "8.6公顷" in message and "低于" in message
    w = weaker_than_last_year("≥8公顷", "", "8.6公顷")
    assert w is not None and (w.target, w.last) == (Decimal("8"), Decimal("8.6"))
    ind = core.Indicator("I1", "产出指标", "数量指标", "收回低效闲置用地面积", "≥8公顷", Decimal("20"),
                         last_year_actual="8.6公顷")
    p = core.Project("P01", "测试项目", indicators=[ind])
    dy = core.DepartmentYear(core.Department("t", "测试"), 2023, projects=[p])
    found = [f for f in quality.review_goals(dy) if f.code == "Q-TARGET-BELOW-LAST-YEAR"]
    assert [f.message for f in found] == [message]
    p.indicators[0] = replace(ind, target_text="≥9公顷")
    assert not [f for f in quality.review_goals(dy) if f.code == "Q-TARGET-BELOW-LAST-YEAR"]


def test_earlier_indicators_of_the_same_name_latest_first_as_basis():
    def row(year: int, project: str, name: str, target: str, actual: str | None) -> Earlier:
        return Earlier(year, project, "旧项目", f"{project}-I1", "产出指标", "数量指标", name, "", target, actual, None)

    rows = [row(2020, "P01", "完成仲裁案件数", "≥1件", "1件"), row(2021, "P01", "完成 仲裁案件数", "≥2件", "3件"),
            row(2021, "P02", "培训人次", "≥2人次", None)]
    hits = earlier_for("完成仲裁案件数", rows)
    assert [h.year for h in hits] == [2021, 2020]
    assert basis_text(hits[0]) == "历史标准：2021年指标值≥2件，实际完成3件"
    assert basis_text(rows[2]) == "历史标准：2021年指标值≥2人次，实际完成未填报"
