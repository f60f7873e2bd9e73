"""Response times of the department home and the project page with the synthetic city loaded.

    .venv/bin/python bench/bench_web.py [--units 1000 --projects 20000 --indicators 300000 --requests 200]

Loads the city (bench/synth.py) into a throw-away SQLite database, logs in as a finance reviewer
who sees every department, then requests department homes and project pages of randomly chosen
departments. Prints p50/p95/max for the first view of a department (cold: load and score) and
for repeated views (warm: the scored year is cached until the data changes). Goal: p95 < 200 ms.
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

GOAL_MS = 200.0


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _line(label: str, ms: list[float]) -> str:
    return (f"{label:<22} n={len(ms):<4} p50={statistics.median(ms):7.1f} ms  p95={_pct(ms, 0.95):7.1f} ms"
            f"  max={max(ms):7.1f} ms")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="网页基准：合成城市下部门首页与项目页的响应时间")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=20000)
    ap.add_argument("--indicators", type=int, default=300000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="jixiao-bench-web-")
    os.environ["DATABASE_URL"] = f"sqlite:///{tmp.name}/bench.sqlite3"
    os.environ["JIXIAO_DEBUG"] = "1"  # plain static storage: no collectstatic needed
    from jixiao.cli import django_setup

    django_setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from bench.synth import make_city
    from jixiao.budget import models as m
    from jixiao.budget.store import save_department_year

    settings.ALLOWED_HOSTS = ["*"]
    t0 = time.perf_counter()
    city = make_city(args.units, args.projects, args.indicators, args.seed)
    for dy in city:
        save_department_year(dy, user="bench")
    load_s = time.perf_counter() - t0
    print(f"合成城市：{len(city)} 个部门，{sum(len(d.projects) for d in city)} 个项目，"
          f"{sum(len(d.indicators) + sum(len(p.indicators) for p in d.projects) for d in city)} 个指标；"
          f"载入 {load_s:.1f} s")

    user = get_user_model().objects.create_user("bench-reviewer", password="Bench#Review2024")
    m.Membership.objects.create(user=user, department=m.Department.objects.get(code=city[0].department.parent_code),
                                role="财政审核")
    client = Client()
    client.force_login(user)
    rng = random.Random(args.seed)
    timings: dict[str, list[float]] = {"部门首页（首次）": [], "部门首页（再次）": [], "项目页（再次）": []}
    seen: set[str] = set()
    for _ in range(args.requests):
        dy = rng.choice(city)
        code = dy.department.code
        cold = code not in seen
        seen.add(code)
        p = rng.choice(dy.projects) if dy.projects else None
        for label, url in (("部门首页", f"/d/{code}/{dy.year}/"), ("项目页", f"/d/{code}/{dy.year}/p/{p.code}/" if p else None)):
            if url is None:
                continue
            start = time.perf_counter()
            answer = client.get(url)
            ms = (time.perf_counter() - start) * 1000
            if answer.status_code != 200:
                print(f"{url} 返回 {answer.status_code}", file=sys.stderr)
                return 1
            timings[f"{label}（{'首次' if cold and label == '部门首页' else '再次'}）"].append(ms)
    for label, ms in timings.items():
        if ms:
            print(_line(label, ms))
    worst = max(_pct(ms, 0.95) for ms in timings.values() if ms)
    print(f"目标 p95 < {GOAL_MS:.0f} ms：{'达到' if worst < GOAL_MS else '未达到'}（最差 p95 {worst:.1f} ms）")
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
