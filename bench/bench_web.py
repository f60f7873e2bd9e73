"""Response times of the department home and the project page with the synthetic city loaded.

    .venv/bin/python bench/bench_web.py [--units 1000 --projects 20000 --indicators 300000 --requests 200]
                                        [--db /tmp/city.sqlite3]

Loads the city (bench/synth.py) into a throw-away SQLite database (or, with ``--db``, into that
file, which later runs reuse: loading the full city takes minutes), logs in as a finance reviewer
who sees every department, then requests department homes and project pages of randomly chosen
departments: each department's home, its home again, one of its projects. Prints p50/p95/max for
the first view of a department (cold: load and score) and for repeated views (warm: the scored
year is cached until the data changes; a department seen earlier may have left the cache), the CPU time of the
process (steadier than wall time on a busy machine; SQLite runs in-process, so it is counted) and
the number of database queries per page. Goal: p95 < 200 ms.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bench.synth import make_city
from jixiao.cli import django_setup

GOAL_MS = 200.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _line(label: str, ms: list[float], cpu: list[float]) -> str:
    return (f"{label:<22} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={_pct(ms, 0.95):7.1f} ms"
            f"  max={max(ms):7.1f} ms  CPU p95={_pct(cpu, 0.95):7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="网页基准：合成城市下部门首页与项目页的响应时间")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=20000)
    ap.add_argument("--indicators", type=int, default=300000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--db", type=Path, help="SQLite file to keep the city in; reused when it already holds one")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="jixiao-bench-web-")
    db = args.db.resolve() if args.db else Path(tmp.name) / "bench.sqlite3"
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["JIXIAO_DEBUG"] = "1"  # plain static storage: no collectstatic needed
    django_setup()
    from jixiao.budget import models as m  # noqa: PLC0415 — models need django.setup(), after DATABASE_URL is set from --db
    from jixiao.budget.store import save_department_year  # noqa: PLC0415 — as above

    settings.ALLOWED_HOSTS = ["*"]
    t0 = time.perf_counter()
    if m.DepartmentYear.objects.exists():
        print(f"沿用 {db} 中已载入的合成城市")
    else:
        city = make_city(args.units, args.projects, args.indicators, args.seed)
        for dy in city:
            save_department_year(dy, who="bench")
        print(f"载入合成城市 {time.perf_counter() - t0:.1f} s")
    years = list(m.DepartmentYear.objects.select_related("department").order_by("department__code"))
    projects: dict[int, list[str]] = {}
    for year_id, project_code in m.Project.objects.values_list("department_year_id", "code"):
        projects.setdefault(year_id, []).append(project_code)
    print(f"合成城市：{len(years)} 个部门，{sum(len(v) for v in projects.values())} 个项目，"
          f"{m.Indicator.objects.count()} 个指标")

    user, _ = get_user_model().objects.get_or_create(username="bench-reviewer")
    bureau = next(y.department.parent_id for y in years if y.department.parent_id is not None)
    m.Membership.objects.get_or_create(user=user, department_id=bureau, role="财政审核")
    client = Client()
    client.force_login(user)
    rng = random.Random(args.seed)
    timings: dict[str, list[float]] = {"部门首页（首次）": [], "部门首页（再次）": [], "项目页（再次）": []}
    cpu: dict[str, list[float]] = {k: [] for k in timings}
    queries: dict[str, int] = {}
    seen: set[int] = set()
    for _ in range(args.requests):
        row = rng.choice(years)
        code = row.department.code
        cold = row.pk not in seen
        seen.add(row.pk)
        pcode = rng.choice(projects[row.pk]) if projects.get(row.pk) else None
        # as a user works: the home page, the home page again (back from a project), a project
        home = f"/d/{code}/{row.year}/"
        pages: tuple[tuple[str, str | None], ...] = (
            ("部门首页", home), ("部门首页", home), ("项目页", f"/d/{code}/{row.year}/p/{pcode}/" if pcode else None))
        for n, (label, url) in enumerate(pages):
            if url is None:
                continue
            reset_queries()  # loading the city filled the query log; count from zero
            with CaptureQueriesContext(connection) as captured:
                start, start_cpu = time.perf_counter(), time.process_time()
                answer = client.get(url)
                elapsed_ms = (time.perf_counter() - start) * 1000
                cpu_ms = (time.process_time() - start_cpu) * 1000
            if answer.status_code != 200:
                print(f"{url} 返回 {answer.status_code}", file=sys.stderr)
                return 1
            key = f"{label}（{'首次' if cold and n == 0 else '再次'}）"
            timings[key].append(elapsed_ms)
            cpu[key].append(cpu_ms)
            queries[key] = max(queries.get(key, 0), len(captured))
    for label, ms in timings.items():
        if ms:
            print(f"{_line(label, ms, cpu[label])}  查询≤{queries[label]} 次")
    worst = max(_pct(ms, 0.95) for ms in timings.values() if ms)
    print(f"目标 p95 < {GOAL_MS:.0f} ms：{'达到' if worst < GOAL_MS else '未达到'}（最差 p95 {worst:.1f} ms）")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
