"""Fast edits (issue 16): a page's cache key reads stored timestamps, so a warm page never
recomputes the ledger feeds; a budget save re-scores without recomputing them; a ledger write
still makes every page of that department-year fresh."""
from __future__ import annotations

import time

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao import exchange, features
from jixiao.budget import models as m
from jixiao.budget.store import check_department_year, load_department_year, save_department_year
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.core.errors import InputError
from jixiao.services import ledgers, records
from jixiao.services.actor import Actor, system_actor
from jixiao.web import data

PROJECT = "/d/demo/2022/p/P01/"
SAVE = "/d/demo/2022/p/P01/i/P01-I4/actual/"


@pytest.fixture
def site(db, settings, monkeypatch):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    dy = exchange.read_file(DEMO_FILE)
    for f in features.ledgers():
        features.resolve(f.demo_loader)(dy)
    set_status("demo", "P01", "草稿")
    calls: list[tuple[str, int]] = []
    real = data.collect_feeds
    monkeypatch.setattr(data, "collect_feeds", lambda code, year: calls.append((code, year)) or real(code, year))
    return calls


def _version(page: str) -> str:
    row = page.split('id="ind-P01-I4"')[1].split("</tr>")[0]
    return row.split('name="version" value="')[1].split('"')[0]


def test_saving_a_value_rescores_without_recomputing_the_ledger_feeds(site):
    calls = site
    c = client_for("jingban")
    page = c.get(PROJECT).content.decode()
    assert calls == [("demo", 2022)]  # the first view computes them once
    times = []
    for value in ("", "10公顷", "", "10公顷", "", "10公顷"):
        t0 = time.perf_counter()
        answer = c.post(SAVE, {"actual": value, "version": _version(page)}, HTTP_HX_REQUEST="true")
        times.append(time.perf_counter() - t0)
        page = answer.content.decode()
        assert "P01-I4 实际完成值已保存" in page
    assert calls == [("demo", 2022)]  # six saves, six re-scores, no feed recomputed
    print(f"actual-value save on the demo, server side: median {sorted(times)[len(times) // 2] * 1000:.0f} ms")


def test_a_warm_page_reads_timestamps_not_ledgers(site):
    c = client_for("bumen")
    c.get("/d/demo/2022/")
    with CaptureQueriesContext(connection) as q:
        assert c.get("/d/demo/2022/").status_code == 200
    ledger_tables = [features.resolve(f.ledger).year_model._meta.db_table.split("_")[0] for f in features.ledgers()]
    touched = [x["sql"] for x in q if any(f'"{t}_' in x["sql"] for t in ledger_tables)]
    assert len(touched) == 1 and "UNION" in touched[0], touched  # the ledgers' saved_at, one query


def test_a_ledger_write_makes_the_pages_fresh(site):
    calls = site
    row = m.DepartmentYear.objects.select_related("department").get(department__code="demo", year=2022)
    first = data.scored(row)
    assert data.scored(row).entry is first.entry
    before = data.feed_stamps(row)
    ledgers.recount(system_actor(), "land", "demo", 2022)
    assert data.feed_stamps(row) != before
    again = data.scored(row)
    assert again.entry is not first.entry and len(calls) == 2  # feeds recomputed after the ledger changed


def _clerk() -> Actor:
    return Actor(name="jingban", user=get_user_model().objects.get(username="jingban"))


def _history(ref_key: str) -> list[tuple]:
    return list(m.ChangeLog.objects.filter(object_key=ref_key).order_by("id").values_list(
        "who", "department", "year", "model_label", "object_id", "version", "object_key", "object_repr", "field",
        "before", "after", "reason"))


def test_a_field_edit_writes_what_the_whole_year_save_writes(site):
    """The edit of one indicator's fields writes only that row, and exactly what saving the whole
    year would have written: the values, the version, one history row per field, updated_at."""
    key = "demo/2022/项目/P01/指标/P01-I4"
    ind = m.Indicator.objects.get(project__department_year__department__code="demo", project__code="P01",
                                  code="P01-I4")
    others = dict(m.Indicator.objects.exclude(pk=ind.pk).values_list("id", "version"))
    year = m.DepartmentYear.objects.get(department__code="demo", year=2022)
    done = records.edit_indicator(_clerk(), "demo", 2022, "P01", "P01-I4",
                                  {"actual_text": "9公顷", "deviation_reason": "受天气影响"}, ind.version)
    fast = _history(key)[-2:]
    assert done.version == ind.version + 1 == m.Indicator.objects.get(pk=ind.pk).version
    assert dict(m.Indicator.objects.exclude(pk=ind.pk).values_list("id", "version")) == others
    assert m.DepartmentYear.objects.get(pk=year.pk).updated_at > year.updated_at
    # the same change again, through the store's save of the whole year
    m.Indicator.objects.filter(pk=ind.pk).update(actual_text=ind.actual_text, deviation_reason=ind.deviation_reason,
                                                 version=ind.version)
    dy = load_department_year("demo", 2022)
    changed = dy.project("P01").indicators[3]
    changed.actual_text, changed.deviation_reason = "9公顷", "受天气影响"
    save_department_year(dy, who="jingban")
    assert _history(key)[-2:] == fast
    assert m.Indicator.objects.get(pk=ind.pk).version == done.version


def test_a_value_the_column_cannot_hold_is_refused_as_the_store_words_it(site):
    m.Project.objects.filter(department_year__department__code="demo", code="P01").update(goal_status="草稿")
    unit = "公" * (m.Indicator._meta.get_field("unit").max_length + 1)
    ind = load_department_year("demo", 2022).project("P01").indicators[3]
    with pytest.raises(InputError) as info:
        records.edit_indicator(_clerk(), "demo", 2022, "P01", "P01-I4", {"unit": unit}, ind.version)
    dy = load_department_year("demo", 2022)
    assert dy.project("P01").indicators[3] == ind  # nothing written
    dy.project("P01").indicators[3].unit = unit
    with pytest.raises(InputError) as whole:
        check_department_year(dy)
    assert info.value.problems == whole.value.problems and "最多" in info.value.problems[0].message


def test_a_project_scored_alone_equals_it_scored_in_its_year(site):
    """A project's page scores only that project: its results and findings are those of the year."""
    for code in ("demo", "demo-b"):
        row = m.DepartmentYear.objects.select_related("department").get(department__code=code, year=2022)
        data._cache.clear()
        full = data.scored(row)
        for p, pr in zip(full.dy.projects, full.result.projects, strict=True):
            data._cache.clear()
            alone = data.scored_project(row, p.code)
            assert alone.only == p.code and [x.code for x in alone.dy.projects] == [p.code]
            assert alone.result.projects == [pr]
            assert [f for f in alone.findings() if f.project == p.code] == \
                   [f for f in full.findings() if f.project == p.code]
    data._cache.clear()
    full = data.scored(row)
    assert data.scored_project(row, "P01").entry is full.entry  # a current cached year is used as it is


def test_a_save_answers_with_the_project_scored_not_the_year(site, monkeypatch):
    c = client_for("jingban")
    page = c.get(PROJECT).content.decode()
    whole: list[int] = []
    real = data.score_department
    monkeypatch.setattr(data, "score_department", lambda dy, feeds=None: whole.append(len(dy.projects))
                        or real(dy, feeds))
    answer = c.post(SAVE, {"actual": "9公顷", "version": _version(page)}, HTTP_HX_REQUEST="true")
    assert "P01-I4 实际完成值已保存" in answer.content.decode()
    assert whole == [1]  # one project scored for the answer
    row = c.post("/d/demo/2022/selfeval/p/P01/i/P01-I4/", {"actual": "8公顷", "reason": "",
                                                           "version": _version(answer.content.decode())},
                 HTTP_HX_REQUEST="true").content.decode()
    assert "已保存" in row and whole == [1, 1]
