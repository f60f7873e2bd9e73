"""Bulk reading: many department-years in a fixed number of queries, equal to what was saved."""
from __future__ import annotations

import copy
from decimal import Decimal

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jixiao.budget import bulk, store
from jixiao.budget.models import DepartmentYear
from jixiao.core import model
from jixiao.core.changes import without_versions


def _save_mixed(demo_dy):
    """The demo (checkpoints, progress, rectifications), a second year of it with its lists
    reordered, a copy under another code and an empty department: several owners interleaved
    in every table."""
    later = copy.deepcopy(demo_dy)
    later.year = demo_dy.year + 1
    later.projects.reverse()
    later.projects[0].indicators.reverse()
    later.budget_lines[0].budget = Decimal("207.50")
    other = copy.deepcopy(demo_dy)
    other.department = model.Department(code="u00002", name="另一单位")
    other.projects = other.projects[1:]
    empty = model.DepartmentYear(department=model.Department(code="a0", name="空单位"), year=2022)
    saved = [demo_dy, later, other, empty]
    for dy in saved:
        store.save_department_year(dy, who="pytest")
    return saved


def test_iter_years_equals_saved_in_order(db, demo_dy):
    saved = _save_mixed(demo_dy)
    got = list(bulk.iter_years(chunk=3))  # two chunks
    expected = sorted(saved, key=lambda dy: (dy.department.code, dy.year))
    assert [without_versions(dy) for dy in got] == expected
    assert {p.version for dy in got for p in dy.projects} == {1}  # each row's stored version
    assert str(got[[d.year for d in got].index(demo_dy.year + 1)].budget_lines[0].budget) == "207.5"


def test_read_years_matches_load_department_year(db, demo_dy):
    saved = _save_mixed(demo_dy)
    rows = list(DepartmentYear.objects.select_related("department__parent").order_by("-id"))
    got = bulk.read_years(rows)
    assert got == [store.load_department_year(r.department.code, r.year) for r in rows]
    assert len(got) == len(saved)


def test_query_count_does_not_grow_with_years(db, demo_dy):
    _save_mixed(demo_dy)
    rows = list(DepartmentYear.objects.select_related("department__parent"))
    assert len(rows) == 4
    demo = next(r for r in rows if r.department.code == demo_dy.department.code)
    empty = next(r for r in rows if r.department.code == "a0")
    with CaptureQueriesContext(connection) as one:
        bulk.read_years([demo])
    with CaptureQueriesContext(connection) as many:
        bulk.read_years(rows)
    with CaptureQueriesContext(connection) as unmonitored:  # no checkpoints: no progress query
        bulk.read_years([empty])
    assert len(many) == len(one) == 8
    assert len(unmonitored) == 7


def test_keys_select_and_empty(db, demo_dy):
    _save_mixed(demo_dy)
    got = list(bulk.iter_years([("u00002", 2022), (demo_dy.department.code, demo_dy.year), ("none", 1)]))
    assert [(d.department.code, d.year) for d in got] == sorted(
        [("u00002", 2022), (demo_dy.department.code, demo_dy.year)])
    assert bulk.read_years([]) == []
