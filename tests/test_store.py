"""Database store: exact round trip, stable identities and versions, all-or-nothing saves,
append-only history by object id, feeds registry."""
from __future__ import annotations

import copy
from decimal import Decimal

import pytest

from jixiao import exchange
from jixiao.budget import feeds, store
from jixiao.budget.models import AppendOnlyError, ChangeLog, Department, DepartmentYear, Indicator, Project
from jixiao.core import model
from jixiao.core.changes import without_versions as content
from jixiao.core.errors import InputError
from jixiao.services import history

D = Decimal


def _minimal(code: str = "t1", year: int = 2023) -> model.DepartmentYear:
    ind = model.Indicator(code="I1", level1="产出指标", level2="数量指标", name="培训人次",
                          target_text="≥100人次", weight=D("50"), actual_text="120人次")
    return model.DepartmentYear(
        department=model.Department(code=code, name="测试单位"),
        year=year,
        budget_lines=[model.BudgetLine("一般公共预算", "项目支出", D("100"), D("90"))],
        projects=[model.Project(code="P1", name="培训项目",
                                funds=[model.FundLine("一般公共预算", D("100"), D("90"))],
                                indicators=[ind])],
    )


def test_round_trip_demo_is_equal(stored_demo):
    back = store.load_department_year("demo", 2022)
    assert content(back) == content(stored_demo)
    assert back.version == 1 and all(p.version == 1 for p in back.projects)
    # Lists come back in the saved order, not in id or code order.
    assert [p.code for p in back.projects] == [p.code for p in stored_demo.projects]
    assert [i.code for i in back.projects[0].indicators] == [i.code for i in stored_demo.projects[0].indicators]
    # The exchange document of what was loaded reads back to the same department-year.
    assert exchange.from_dict(exchange.to_dict(back)) == back


def test_decimals_are_exact_and_without_padding(db):
    dy = _minimal()
    dy.budget_lines[0].budget = D("12345678901.2345")  # 15 significant digits: the limit
    dy.budget_lines[0].executed = D("0.0001")
    dy.projects[0].funds[0].budget = D("207.50")
    dy.projects[0].monthly_executed = {1: D("0.1"), 12: D("33.3333333")}  # JSON keeps any scale
    dy.projects[0].indicators[0].ratio_override = D("0.833333")
    dy.projects[0].indicators[0].override_reason = "按档内比例"
    store.save_department_year(dy)
    back = store.load_department_year("t1", 2023)
    assert content(back) == dy
    assert str(back.budget_lines[0].budget) == "12345678901.2345"
    assert str(back.budget_lines[0].executed) == "0.0001"
    assert str(back.projects[0].funds[0].budget) == "207.5"  # the column's 4-place padding is gone
    assert str(back.projects[0].funds[0].executed) == "90"
    assert back.projects[0].monthly_executed == {1: D("0.1"), 12: D("33.3333333")}


def test_reordering_is_kept_and_every_row_keeps_its_id_and_version(stored_demo):
    first_ids = dict(Project.objects.values_list("code", "id"))
    indicator_ids = dict(Indicator.objects.values_list("code", "id"))
    dy = copy.deepcopy(stored_demo)
    dy.projects.reverse()
    dy.projects[0].indicators.reverse()
    store.save_department_year(dy)
    back = store.load_department_year("demo", 2022)
    assert content(back) == content(dy)
    assert dict(Project.objects.values_list("code", "id")) == first_ids
    assert dict(Indicator.objects.values_list("code", "id")) == indicator_ids
    # Moving a row is no change of its content: versions stay.
    assert {i.version for p in back.projects for i in p.indicators} == {1}


def test_a_changed_row_gets_a_new_version_and_the_others_keep_theirs(stored_demo):
    dy = store.load_department_year("demo", 2022)
    dy.projects[0].indicators[0].actual_text = "3件"
    saved = store.save_department_year(dy, who="张三")
    back = store.load_department_year("demo", 2022)
    assert back.projects[0].indicators[0].version == 2
    assert back.projects[0].indicators[1].version == 1 and back.projects[0].version == 1
    row = ChangeLog.objects.get(field="actual_text", who="张三")
    assert row.object_id == Indicator.objects.get(project__code=dy.projects[0].code,
                                                   code=dy.projects[0].indicators[0].code).pk
    assert row.version == 2
    assert [c.after for c in history.changes_since("budget.indicator", row.object_id, 1)] == ["3件"]
    assert len(saved.diff.changed) == 1


def test_a_row_changed_between_reading_and_writing_fails_the_whole_save(stored_demo, monkeypatch):
    dy = store.load_department_year("demo", 2022)
    dy.goal = "新目标"
    dy.projects[0].indicators[0].actual_text = "3件"
    target = Indicator.objects.get(project__code=dy.projects[0].code, code=dy.projects[0].indicators[0].code)
    real = store._Writer.upsert

    def racing(self, ref, planned, stored, owner, label):
        if stored is not None and stored.pk == target.pk:  # someone else saves it first
            Indicator.objects.filter(pk=target.pk).update(version=stored.version + 1)
        return real(self, ref, planned, stored, owner, label)

    monkeypatch.setattr(store._Writer, "upsert", racing)
    with pytest.raises(store.StaleRow):
        store.save_department_year(dy)
    monkeypatch.undo()
    back = store.load_department_year("demo", 2022)
    assert back.goal == stored_demo.goal  # the whole save was rolled back


def test_keep_missing_keeps_what_the_new_copy_leaves_out(stored_demo):
    dy = copy.deepcopy(stored_demo)
    gone = dy.projects.pop(1)
    del dy.projects[0].indicators[0]
    store.save_department_year(dy, keep_missing=True)
    back = store.load_department_year("demo", 2022)
    assert gone.code in [p.code for p in back.projects]
    assert len(back.projects[0].indicators) == len(stored_demo.projects[0].indicators)


def test_values_the_database_cannot_hold_are_all_reported_and_nothing_changes(stored_demo):
    before_log = ChangeLog.objects.count()
    dy = copy.deepcopy(stored_demo)
    dy.goal = "新目标"
    dy.projects[1].funds[0].budget = D("1.23456")
    dy.projects[2].indicators[0].name = "名" * 301
    dy.budget_lines[0].executed = D("1234567890123.255")
    with pytest.raises(InputError) as info:
        store.save_department_year(dy)
    where = [p.location for p in info.value.problems]
    assert where == [
        "demo/2022: $.budget_lines[0].executed",
        "demo/2022: $.projects[1].funds[0].budget",
        "demo/2022: $.projects[2].indicators[0].name",
    ]
    assert "4 位小数" in str(info.value)
    assert content(store.load_department_year("demo", 2022)) == content(stored_demo)
    assert ChangeLog.objects.count() == before_log


def test_a_failure_during_the_write_leaves_the_prior_data(stored_demo, monkeypatch):
    before_log = ChangeLog.objects.count()
    dy = copy.deepcopy(stored_demo)
    dy.projects[0].name = "改过的名称"
    del dy.projects[1]

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    # Fails after every table has been written, before the history is appended.
    monkeypatch.setattr(history, "record_diff", boom)
    with pytest.raises(RuntimeError):
        store.save_department_year(dy)
    assert content(store.load_department_year("demo", 2022)) == content(stored_demo)
    assert ChangeLog.objects.count() == before_log


def test_changes_are_logged_field_by_field(stored_demo):
    dy = copy.deepcopy(stored_demo)
    dy.stated.total = D("95")
    p = dy.projects[0]
    p.indicators[0].actual_text = "3件"
    removed = dy.projects.pop(1)
    dy.projects.append(model.Project(code="NEW", name="新增项目",
                                     funds=[model.FundLine("其他", D("1"), D("1"))]))
    store.save_department_year(dy, who="张三", reason="年中调整")
    rows = {(r.object_key, r.field): r for r in ChangeLog.objects.filter(reason="年中调整")}
    total = rows[("demo/2022", "stated.total")]
    assert (total.before, total.after, total.who) == (str(stored_demo.stated.total), "95", "张三")
    actual = rows[(f"demo/2022/项目/{p.code}/指标/{p.indicators[0].code}", "actual_text")]
    assert (actual.before, actual.after) == (stored_demo.projects[0].indicators[0].actual_text, "3件")
    assert rows[("demo/2022/项目/NEW", "（新增）")].after == "新增项目"
    assert rows[(f"demo/2022/项目/{removed.code}", "（删除）")].before == removed.name
    assert len(rows) == 4
    assert content(store.load_department_year("demo", 2022)) == content(dy)


def test_saving_the_same_data_again_logs_nothing(stored_demo):
    before_log = ChangeLog.objects.count()
    store.save_department_year(copy.deepcopy(stored_demo))
    assert ChangeLog.objects.count() == before_log


def test_change_log_is_append_only(stored_demo):
    entry = ChangeLog.objects.first()
    entry.after = "篡改"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.filter(pk=entry.pk).update(after="篡改")
    with pytest.raises(AppendOnlyError):
        ChangeLog.objects.all().delete()
    assert ChangeLog.objects.get(pk=entry.pk).after != "篡改"


def test_department_hierarchy_and_listing(stored_demo):
    demo = Department.objects.get(code="demo")
    assert demo.parent.code == stored_demo.department.parent_code
    assert demo.parent.kind == "财政局"
    store.save_department_year(_minimal("t2", 2021))
    listed = [(y.code, y.year) for y in store.department_years()]
    assert listed == [("demo", 2022), ("t2", 2021)]
    assert [y.code for y in store.department_years(["t2"])] == ["t2"]
    assert DepartmentYear.objects.count() == 2


def test_missing_department_year_is_a_chinese_input_error(db):
    with pytest.raises(InputError) as info:
        store.load_department_year("demo", 2022)
    assert "未找到部门 demo 的 2022 年度数据，请先运行 jixiao demo 或导入数据" in str(info.value)


def test_feed_registry_merges_providers_and_rejects_a_key_claimed_twice(monkeypatch):
    monkeypatch.setattr(feeds, "_providers", [])

    def land(code, year):
        return {"land.idle_count": f"{code}-{year}"}

    def invest(code, year):
        return {"invest.fdi_usd": "1810万美元"}

    feeds.register_feed_provider(land)
    feeds.register_feed_provider(land)  # a second ready() must not duplicate it
    feeds.register_feed_provider(invest)
    assert feeds.collect_feeds("demo", 2022) == {"land.idle_count": "demo-2022", "invest.fdi_usd": "1810万美元"}

    def rival(code, year):
        return {"land.idle_count": "0"}

    feeds.register_feed_provider(rival)
    with pytest.raises(RuntimeError, match="land.idle_count"):
        feeds.collect_feeds("demo", 2022)
