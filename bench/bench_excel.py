"""Time the bulk workbook of the synthetic city: export (``jixiao.excel.xlsx_stream``), import
(calamine + our conversion and checks), and calamine's bare read of the same file, side by side
in one run.

    .venv/bin/python bench/bench_excel.py [--units N --projects N --indicators N --seed N --keep FILE]

The bulk workbook carries one department-year, so the city is moved as one: every unit's projects
(codes prefixed with the unit code) and every unit's department indicators go into a single
department-year. The synthetic weights are random, and an import refuses weights that do not add
up to the template, so they are spread evenly over each 一级指标 first (same rows, same texts);
department indicators the generator filed under a project class (its cost indicators) are moved
to the department template's first class.

Each phase runs in its own forked process, so each peak RSS is that phase's own (the export's
includes the in-memory city it writes). Goals: import < 20 s, export < 30 s, import within 2× of
the bare calamine read, peak RSS < 1.5 GB.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any

import python_calamine

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_city
from jixiao.core.errors import InputError
from jixiao.core.model import Department, DepartmentYear, Indicator
from jixiao.core.schemes import load_scheme
from jixiao.excel import import_file
from jixiao.excel.bulk_write import write_bulk

CENT = Decimal("0.01")


def reweight(indicators: list[Indicator], template_id: str) -> None:
    """Spread each 一级指标's template weight evenly (to the cent) over its indicators; a class
    with no indicators hands its weight to the first class present, as 10号 allows."""
    tpl = load_scheme(template_id)
    groups: dict[str, list[Indicator]] = defaultdict(list)
    for ind in indicators:
        if tpl.category(ind.level1) is None:
            ind.level1, ind.level2 = tpl.categories[0].level1, tpl.categories[0].level2[0]
        groups[ind.level1].append(ind)
    present = [c for c in tpl.categories if groups.get(c.level1)]
    if not present:
        return
    budget = {c.level1: c.weight - (tpl.execution.weight if tpl.execution.level1 == c.level1 else 0) for c in present}
    budget[present[0].level1] += sum((c.weight for c in tpl.categories if not groups.get(c.level1)), Decimal(0))
    if tpl.execution.level1 is not None and not groups.get(tpl.execution.level1):
        budget[present[0].level1] -= tpl.execution.weight
    for level1, total in budget.items():
        inds = groups[level1]
        each = (total / len(inds)).quantize(CENT, rounding=ROUND_DOWN)
        for ind in inds:
            ind.weight = each
        inds[-1].weight = total - each * (len(inds) - 1)


def city_as_one(units: int, projects: int, indicators: int, seed: int) -> DepartmentYear:
    city = make_city(units, projects, indicators, seed)
    one = DepartmentYear(department=Department("city", "合成城市（全部单位）"), year=2022, origin="示例",
                         department_template="dept-default")
    for dy in city:
        for ind in dy.indicators:
            ind.code = f"{dy.department.code}-{ind.code}"
            one.indicators.append(ind)
        for p in dy.projects:
            p.code = f"{dy.department.code}-{p.code}"
            reweight(p.indicators, one.project_template)
            one.projects.append(p)
        one.budget_lines.extend(b for b in dy.budget_lines if not any(
            (x.fund_source, x.nature) == (b.fund_source, b.nature) for x in one.budget_lines))
    reweight(one.indicators, one.department_template)
    return one


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _export(args: argparse.Namespace, path: str, out: mp.Queue) -> None:
    t0 = time.perf_counter()
    dy = city_as_one(args.units, args.projects, args.indicators, args.seed)
    built = time.perf_counter() - t0
    rows = len(dy.indicators) + sum(len(p.indicators) for p in dy.projects)
    t0 = time.perf_counter()
    write_bulk(dy, path)
    out.put({"built": built, "rows": rows, "export": time.perf_counter() - t0, "rss": _peak_mb()})


def _bare(path: str, out: mp.Queue) -> None:
    t0 = time.perf_counter()
    wb = python_calamine.CalamineWorkbook.from_path(path)
    cells = 0
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        cells += sum(len(r) for r in rows)
    out.put({"bare": time.perf_counter() - t0, "cells": cells, "rss": _peak_mb()})


def _import(path: str, out: mp.Queue) -> None:
    t0 = time.perf_counter()
    try:
        data = import_file(path).data
        assert isinstance(data, DepartmentYear)  # the bulk workbook holds one department-year
        rows = len(data.indicators) + sum(len(p.indicators) for p in data.projects)
        error = ""
    except InputError as exc:
        rows, error = 0, f"{len(exc.problems)} 个问题，例如：{exc.problems[0]}"
    out.put({"import": time.perf_counter() - t0, "rows": rows, "error": error, "rss": _peak_mb()})


def _run(target: Callable[..., None], *args: object) -> dict[str, Any]:
    ctx = mp.get_context("fork")
    queue = ctx.Queue()
    proc = ctx.Process(target=target, args=(*args, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Excel 批量工作簿基准：导出、导入与 calamine 裸读对比")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=20000)
    ap.add_argument("--indicators", type=int, default=300000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--keep", metavar="FILE", help="保留生成的工作簿到该路径")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or str(Path(tmp) / "city-bulk.xlsx")
        ex = _run(_export, args, path)
        size = Path(path).stat().st_size / 1024 / 1024
        print(f"合成城市：{args.units} 个单位，{args.projects} 个项目，{ex['rows']} 行指标（构建 {ex['built']:.1f} s）")
        print(f"导出（流式写入）：{ex['export']:6.1f} s   峰值内存 {ex['rss']:6.0f} MB   文件 {size:.1f} MB")
        bare = _run(_bare, path)
        imp = _run(_import, path)
        print(f"calamine 裸读：    {bare['bare']:6.1f} s   峰值内存 {bare['rss']:6.0f} MB   {bare['cells']} 个单元格")
        print(f"导入（读取+校验）：{imp['import']:6.1f} s   峰值内存 {imp['rss']:6.0f} MB   {imp['rows']} 行指标")
        if imp["error"]:
            print(f"导入被拒绝：{imp['error']}")
        ratio = imp["import"] / bare["bare"] if bare["bare"] else float("inf")
        print(f"导入 / 裸读 = {ratio:.2f}×   目标：导入 < 20 s，导出 < 30 s，导入 ≤ 2× 裸读，内存 < 1536 MB")
    return 1 if imp["error"] else 0


if __name__ == "__main__":
    sys.exit(main())
