"""Reading many stored department-years at once, as ``jixiao.core.model`` dataclasses.

``read_years(rows)`` reads every child row of the given department-years in one query per table
(budget lines, department and project indicators, projects, fund lines, checkpoints, indicator
progress — skipped when there are no checkpoints —, rectifications): 8 queries at most, whatever
the number of department-years. It builds the dataclasses from plain value tuples: no model
instances, and only the columns the dataclasses hold (the cached ``target_parsed`` JSON is not
read). ``store.load_department_year`` uses it for one
department-year; ``iter_years`` walks a whole city in chunks, for city-wide jobs and benchmarks.

What comes back equals what ``store.save_department_year`` was given: lists in the saved order
(``position``, then id), Decimals without the column's padding.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any, overload

from django.db import models

from jixiao.budget import models as m
from jixiao.core import model as core

# Department-years per chunk in ``iter_years``: few enough that the ids of one chunk stay far
# below every backend's parameter limit, many enough that the per-query cost disappears.
CHUNK = 100

_ONE = Decimal(1)


@overload
def plain_decimal(value: Decimal) -> Decimal: ...
@overload
def plain_decimal(value: None) -> None: ...


def plain_decimal(value: Decimal | None) -> Decimal | None:
    """Drop the zeros the fixed-scale column appended (500.0000 → 500), keeping the value."""
    if value is None:
        return None
    value = value.normalize()
    exponent = value.as_tuple().exponent  # a letter for NaN and infinity, which no column holds
    return value.quantize(_ONE) if isinstance(exponent, int) and exponent > 0 else value


_dec = plain_decimal

_STATED = ("stated_execution_rate", "stated_execution_score", "stated_total", "stated_grade")
_INDICATOR = (
    "code", "level1", "level2", "name", "target_text", "weight", "unit", "actual_text",
    "achievement", "ratio_override", "override_reason", "deviation_reason", "basis",
    "data_source", "core", "last_year_actual", "feed", "stated_score", "origin",
    "original_target_text", "version",
)
_PROJECT = (
    "id", "code", "name", "unit", "category", "goal", "goal_actual",
    "monthly_executed", "execution_explanation", "problems", "measures", "budget_cut_midyear",
    "status", "goal_status", "origin", "version", *_STATED,
)


def _stated(rate: Decimal | None, score: Decimal | None, total: Decimal | None, grade: str | None) -> core.Stated:
    return core.Stated(execution_rate=_dec(rate), execution_score=_dec(score), total=_dec(total),
                       grade=grade)


def _indicator(code: str, level1: str, level2: str, name: str, target_text: str | None,
               weight: Decimal | None, unit: str, actual_text: str | None, achievement: str | None,
               ratio_override: Decimal | None, override_reason: str, deviation_reason: str, basis: str,
               data_source: str, is_core: bool, last_year_actual: str | None, feed: str | None,
               stated_score: Decimal | None, origin: str, original_target_text: str | None,
               version: int) -> core.Indicator:
    return core.Indicator(
        code=code, level1=level1, level2=level2, name=name, target_text=target_text,
        weight=_dec(weight), unit=unit, actual_text=actual_text, achievement=achievement,
        ratio_override=_dec(ratio_override), override_reason=override_reason,
        deviation_reason=deviation_reason, basis=basis, data_source=data_source, core=is_core,
        last_year_actual=last_year_actual, feed=feed, stated_score=_dec(stated_score),
        origin=origin, original_target_text=original_target_text, version=version,
    )


def _rows(queryset: models.QuerySet[Any], owner: str, *fields: str) -> Iterator[tuple[Any, ...]]:
    """(owner id, *fields) tuples in saved order within each owner."""
    return queryset.order_by(owner, "position", "id").values_list(owner, *fields).iterator(chunk_size=4000)


def read_years(rows: Iterable[m.DepartmentYear]) -> list[core.DepartmentYear]:
    """The dataclasses of ``rows`` (in the same order). Fetch the rows with
    ``select_related("department__parent")`` to spare a query per department."""
    rows = list(rows)
    if not rows:
        return []
    ids = [r.id for r in rows]
    in_years = {"department_year_id__in": ids}
    in_projects = {"project__department_year_id__in": ids}

    budget_lines: dict[int, list[core.BudgetLine]] = defaultdict(list)
    for owner, fund_source, nature, budget, executed, initial, carry_over, origin, version in _rows(
        m.BudgetLine.objects.filter(**in_years), "department_year_id",
        "fund_source", "nature", "budget", "executed", "initial", "carry_over", "origin", "version",
    ):
        budget_lines[owner].append(core.BudgetLine(
            fund_source=fund_source, nature=nature, budget=_dec(budget), executed=_dec(executed),
            initial=_dec(initial), carry_over=_dec(carry_over), origin=origin, version=version,
        ))

    year_indicators: dict[int, list[core.Indicator]] = defaultdict(list)
    for owner, *values in _rows(m.Indicator.objects.filter(**in_years), "department_year_id", *_INDICATOR):
        year_indicators[owner].append(_indicator(*values))

    project_indicators: dict[int, list[core.Indicator]] = defaultdict(list)
    for owner, *values in _rows(m.Indicator.objects.filter(**in_projects), "project_id", *_INDICATOR):
        project_indicators[owner].append(_indicator(*values))

    funds: dict[int, list[core.FundLine]] = defaultdict(list)
    for owner, fund_source, budget, executed, initial, version in _rows(
        m.FundLine.objects.filter(**in_projects), "project_id",
        "fund_source", "budget", "executed", "initial", "version",
    ):
        funds[owner].append(core.FundLine(fund_source, _dec(budget), _dec(executed), _dec(initial), version))

    # Checkpoints first: most years have none, and then their progress rows need no query.
    checkpoint_rows = list(_rows(
        m.Checkpoint.objects.filter(**in_projects), "project_id",
        "id", "month", "goal_progress", "expected_executed", "causes", "measures", "status", "version",
    ))
    progress: dict[int, list[core.IndicatorProgress]] = defaultdict(list)
    if checkpoint_rows:
        for owner, indicator, progress_text, forecast_text, likelihood, causes, explanation, measures in _rows(
            m.IndicatorProgress.objects.filter(checkpoint__project__department_year_id__in=ids),
            "checkpoint_id", "indicator", "progress_text", "forecast_text", "likelihood", "causes",
            "explanation", "measures",
        ):
            progress[owner].append(core.IndicatorProgress(
                indicator=indicator, progress_text=progress_text, forecast_text=forecast_text,
                likelihood=likelihood, causes=list(causes), explanation=explanation,
                measures=measures,
            ))
    checkpoints: dict[int, list[core.Checkpoint]] = defaultdict(list)
    for owner, cid, month, goal_progress, expected, causes, measures, status, version in checkpoint_rows:
        checkpoints[owner].append(core.Checkpoint(
            month=month, goal_progress=goal_progress, expected_executed=_dec(expected),
            indicators=progress.pop(cid, []), causes=list(causes), measures=measures, status=status,
            version=version,
        ))

    projects: dict[int, list[core.Project]] = defaultdict(list)
    for (owner, pid, code, name, unit, category, goal, goal_actual, monthly, explanation,
         problems, measures, cut, status, goal_status, origin, version, *stated) in _rows(
        m.Project.objects.filter(**in_years), "department_year_id", *_PROJECT,
    ):
        projects[owner].append(core.Project(
            code=code, name=name, unit=unit, category=category, funds=funds.pop(pid, []),
            goal=goal, goal_actual=goal_actual, indicators=project_indicators.pop(pid, []),
            monthly_executed={int(k): Decimal(v) for k, v in monthly.items()},
            checkpoints=checkpoints.pop(pid, []), execution_explanation=explanation,
            problems=problems, measures=measures, budget_cut_midyear=cut, status=status,
            goal_status=goal_status, stated=_stated(*stated), origin=origin, version=version,
        ))

    rectifications: dict[int, list[core.Rectification]] = defaultdict(list)
    for owner, problem, measure, owner_name, deadline, status, project_code, code, version in _rows(
        m.Rectification.objects.filter(**in_years), "department_year_id",
        "problem", "measure", "owner", "deadline", "status", "project_code", "code", "version",
    ):
        rectifications[owner].append(core.Rectification(
            problem=problem, measure=measure, owner=owner_name,
            deadline=deadline.isoformat() if deadline else None, status=status,
            project=project_code, code=code, version=version,
        ))

    out = []
    for row in rows:
        d = row.department
        parent = d.parent
        out.append(core.DepartmentYear(
            department=core.Department(
                code=d.code, name=d.name,
                parent_code=parent.code if parent else None,
                parent_name=(parent.name or None) if parent else None,
                responsibilities=list(d.responsibilities),
            ),
            year=row.year, money_unit=row.money_unit, project_template=row.project_template,
            department_template=row.department_template, budget_lines=budget_lines.get(row.id, []),
            work_tasks=row.work_tasks, management=row.management, goal=row.goal,
            goal_actual=row.goal_actual, indicators=year_indicators.get(row.id, []),
            projects=projects.get(row.id, []), achievements=row.achievements,
            problems=row.problems, measures=row.measures,
            execution_explanation=row.execution_explanation,
            rectifications=rectifications.get(row.id, []), status=row.status,
            stated=_stated(*(getattr(row, f) for f in _STATED)), origin=row.origin,
            version=row.version,
        ))
    return out


def iter_years(keys: Iterable[tuple[str, int]] | None = None, chunk: int = CHUNK) -> Iterator[core.DepartmentYear]:
    """Every stored department-year (or those of ``keys``: (department code, year) pairs),
    ordered by department code and year, read ``chunk`` department-years at a time."""
    rows = m.DepartmentYear.objects.select_related("department__parent").order_by("department__code", "year")
    if keys is None:
        ids = list(rows.values_list("id", flat=True))
    else:
        wanted = set(keys)
        ids = [pk for pk, code, year in rows.values_list("id", "department__code", "year")
               if (code, year) in wanted]
    for start in range(0, len(ids), chunk):
        part = ids[start:start + chunk]
        by_id = {r.id: r for r in rows.filter(id__in=part)}
        yield from read_years([by_id[i] for i in part])
