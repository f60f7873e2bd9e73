"""Time scoring a whole synthetic city from the database: read every department-year back into
core dataclasses and score it, the path ``jixiao score --department X --year Y`` takes, for all.

    .venv/bin/python bench/bench_scoring_db.py [--units N --projects N --indicators N --seed N]
    .venv/bin/python bench/bench_scoring_db.py --units 100   # quick: 2,000 projects, 30,000 indicators
    .venv/bin/python bench/bench_scoring_db.py --database-url postgres://user:pw@host/emptydb

Steps: build the city (bench/synth.py) → save it with ``save_department_year`` into a fresh
SQLite file in a temp dir (or the empty database ``--database-url`` names), timed as "load" →
in a *fresh process* (so its peak RSS is that of reading and scoring only, as a new ``jixiao``
command would be), for every stored department-year: read it into core dataclasses, take its
ledger feeds (``collect_feeds``) and ``score_department`` it, keeping every result. Two readers,
each in its own process (``--reader`` picks one):

- ``store``: ``load_department_year`` one department-year at a time, as ``jixiao score`` does;
- ``bulk``: ``jixiao.budget.bulk.iter_years``, ``--chunk`` department-years per read.

Prints wall and CPU time, the read/score split, departments/s, indicators/s and peak RSS.
Goal: < 30 s on one core from SQLite, peak memory < 1.5 GB.

``--keep DIR`` keeps the SQLite file; ``--skip-load`` scores what the database already holds;
``--same-process`` scores in the loading process (its peak RSS then includes the load).
"""
from __future__ import annotations

import argparse
import gc
import os
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from django.db import connection, connections

from bench.synth import make_city
from jixiao.budget.feeds import collect_feeds
from jixiao.cli import django_setup
from jixiao.core.model import DepartmentYear
from jixiao.core.scoring import score_department

ROOT = Path(__file__).resolve().parent.parent

GOAL_S = 30.0
GOAL_MB = 1536.0


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB


def _setup(url: str) -> None:
    """DATABASE_URL must be set before Django reads its settings; then migrate (quietly)."""
    os.environ["DATABASE_URL"] = url
    # A throw-away key, so that settings do not create var/secret_key; DEBUG stays off (with it
    # on Django would keep every query in memory).
    os.environ.setdefault("JIXIAO_SECRET_KEY", "bench-" + "x" * 50)
    django_setup()


def _describe(url: str) -> str:
    if connection.vendor == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}（{connection.settings_dict['NAME']}）"
    with connection.cursor() as cur:
        cur.execute("SHOW server_version")
        version = cur.fetchone()[0]
    d = connection.settings_dict
    return f"PostgreSQL {version}（{d['HOST'] or 'socket'}:{d['PORT'] or 5432}/{d['NAME']}）"


def load(args: argparse.Namespace) -> None:
    from jixiao.budget import models as m  # noqa: PLC0415 — models need django.setup(), which needs DATABASE_URL from the command line
    from jixiao.budget.store import save_department_year  # noqa: PLC0415 — as above

    if m.DepartmentYear.objects.exists():
        raise SystemExit("数据库中已有部门年度数据，请使用空数据库，或加 --skip-load 直接评分："
                         f"{_describe(args.database_url)}")
    t0 = time.perf_counter()
    city = make_city(args.units, args.projects, args.indicators, args.seed)
    built = time.perf_counter() - t0
    n_ind = sum(len(dy.indicators) + sum(len(p.indicators) for p in dy.projects) for dy in city)
    t1, c1 = time.perf_counter(), time.process_time()
    for dy in city:
        save_department_year(dy, who="bench")
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    print(f"city: {len(city)} units, {sum(len(dy.projects) for dy in city)} projects, {n_ind} indicators "
          f"(built in {built:.2f} s)")
    print(f"load (save_department_year × {len(city)}): {wall:.1f} s (CPU {cpu:.1f} s), "
          f"{n_ind / wall:,.0f} indicators/s, peak RSS {_peak_mb():,.0f} MB; load average {os.getloadavg()[0]:.2f}")


def _read_store(_chunk: int) -> Iterator[tuple[DepartmentYear, dict[str, str]]]:
    """Per department-year, as ``jixiao score --department X --year Y`` does it."""
    from jixiao.budget.store import department_years, load_department_year  # noqa: PLC0415 — models need django.setup(), which needs DATABASE_URL from the command line

    for s in department_years():
        yield load_department_year(s.code, s.year), collect_feeds(s.code, s.year)


def _read_bulk(chunk: int) -> Iterator[tuple[DepartmentYear, dict[str, str]]]:
    """``chunk`` department-years per read (jixiao.budget.bulk), ledger feeds per department."""
    from jixiao.budget.bulk import iter_years  # noqa: PLC0415 — models need django.setup(), which needs DATABASE_URL from the command line

    for dy in iter_years(chunk=chunk):
        yield dy, collect_feeds(dy.department.code, dy.year)


READERS = {
    "store": ("load_department_year + collect_feeds, one department-year at a time", _read_store),
    "bulk": ("bulk.iter_years, {chunk} department-years per read, + collect_feeds", _read_bulk),
}


def score(args: argparse.Namespace) -> None:
    label, reader = READERS[args.reader]
    # As in bench_scoring.py the timed section runs with the cyclic collector off by default
    # (--gc turns it on): nothing here makes cycles, and a full scan over a million live result
    # objects costs about as much as the work itself.
    gc.collect()
    if not args.gc:
        gc.disable()
    read_s = score_s = 0.0
    results = []
    load_before = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    items = reader(args.chunk)
    while True:
        t1 = time.perf_counter()
        item = next(items, None)
        t2 = time.perf_counter()
        read_s += t2 - t1
        if item is None:
            break
        results.append(score_department(*item))  # the results are kept, the inputs are not
        score_s += time.perf_counter() - t2
        del item
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    load_after = os.getloadavg()[0]
    gc.enable()

    n_proj = sum(len(r.projects) for r in results)
    n_ind = sum(len(r.indicators) + sum(len(p.indicators) for p in r.projects) for r in results)
    scored = sum(
        sum(1 for i in r.indicators if i.score is not None)
        + sum(1 for p in r.projects for i in p.indicators if i.score is not None)
        for r in results
    )
    peak = _peak_mb()
    print(f"[{args.reader}] {label.format(chunk=args.chunk)}")
    print(f"  scored from {_describe(args.database_url)}: {len(results)} department-years, {n_proj} projects, "
          f"{n_ind} indicators ({scored} with a score)")
    print(f"  wall time: {wall:.2f} s (CPU {cpu:.2f} s; wall exceeds CPU when the machine is shared; "
          f"gc {'on' if args.gc else 'off'}); read {read_s:.2f} s + score {score_s:.2f} s (wall)")
    print(f"  departments/s: {len(results) / wall:,.1f}; indicators/s: {n_ind / wall:,.0f}; peak RSS: {peak:,.0f} MB")
    ok = wall < GOAL_S and peak < GOAL_MB
    note = ""
    if not ok and cpu < GOAL_S and peak < GOAL_MB:
        note = " (CPU time is under the goal: the machine is busy, run again when it is quiet)"
    print(f"  goal < {GOAL_S:.0f} s and < {GOAL_MB / 1024:.1f} GB: {'met' if ok else 'NOT met'}{note}; "
          f"load average {load_before:.2f} before, {load_after:.2f} after ({os.cpu_count()} CPUs)")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="评分基准：从数据库读取合成城市的全部部门年度并打分")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, help="项目总数（默认每个部门 20 个）")
    ap.add_argument("--indicators", type=int, help="指标总数（默认每个部门 300 个，十分之一为部门整体指标）")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url",
                    help="使用这个（空的）数据库，如 postgres://user:pw@host/db；默认临时目录中的新 SQLite 文件")
    ap.add_argument("--keep", metavar="DIR",
                    help="把 SQLite 文件保存在 DIR 中（不删除），便于之后 --skip-load 重复评分")
    ap.add_argument("--skip-load", action="store_true",
                    help="不载入，直接为数据库中已有的数据打分（需 --database-url）")
    ap.add_argument("--same-process", action="store_true", help="在载入的进程中评分（峰值内存会包含载入阶段）")
    ap.add_argument("--reader", choices=("store", "bulk", "both"), default="both",
                    help="store：逐个部门年度 load_department_year（与 jixiao score 相同）；"
                         "bulk：bulk.iter_years 分批读取；both：两者各在一个新进程中运行（默认）")
    ap.add_argument("--chunk", type=int, default=100, help="bulk 每批读取的部门年度数（默认 100）")
    ap.add_argument("--gc", action="store_true", help="计时期间保持垃圾回收开启（默认关闭，与 timeit 相同）")
    ap.add_argument("--score-only", action="store_true", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args(argv)
    # --units alone scales the whole city: 1000 → 20,000 projects and 300,000 indicators.
    args.projects = args.units * 20 if args.projects is None else args.projects
    args.indicators = args.units * 300 if args.indicators is None else args.indicators
    if args.skip_load and not args.database_url:
        ap.error("--skip-load 需要 --database-url")

    tmp = None
    if not args.database_url:
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            folder = Path(args.keep).resolve()
        else:
            tmp = tempfile.TemporaryDirectory(prefix="jixiao-bench-db-")
            folder = Path(tmp.name)
        args.database_url = f"sqlite:///{folder / 'bench.sqlite3'}"
    try:
        _setup(args.database_url)
        readers = ("store", "bulk") if args.reader == "both" else (args.reader,)
        if not (args.skip_load or args.score_only):
            load(args)
        if args.same_process or args.score_only:
            for args.reader in readers:
                score(args)
            return 0
        sys.stdout.flush()
        connections.close_all()
        rc = 0
        for reader in readers:
            child = [sys.executable, str(Path(__file__).resolve()), "--score-only", "--reader", reader,
                     "--chunk", str(args.chunk), "--database-url", args.database_url]
            rc = rc or subprocess.run(child + (["--gc"] if args.gc else []), cwd=ROOT).returncode
        return rc
    finally:
        if tmp is not None:
            tmp.cleanup()


if __name__ == "__main__":
    sys.exit(main())
