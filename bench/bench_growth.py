"""How cost grows with the size of a city: time per indicator for importing and for scoring at
100, 300, 1,000 and 3,000 units (20 projects and 300 indicators a unit), each beside the bare
operation measured in the same process, and the growth from the smallest size to the largest.

    .venv/bin/python bench/bench_growth.py --max-units 300        # 100 and 300 units
    .venv/bin/python bench/bench_growth.py --max-units 3000       # all four sizes (long)

Each size runs in a fresh process on a fresh SQLite database (copied from one migrated template,
or ``--database-url`` for PostgreSQL, emptied before each run), so sizes do not share caches:

- **import**: every unit is an exchange-format .json file (written first, not timed), read and
  imported through the application layer (``jixiao.services.imports.read_file`` and ``apply``:
  checks, preview, conflict detection, change history) — the path of ``jixiao import``; the
  bare operation is ``json.load`` of the same files;
- **scoring**: every stored department-year read back (``jixiao.budget.bulk.iter_years``), with
  its ledger feeds, and scored; the bare operation is a loop reading every indicator row
  (``values_list`` over the indicator table).

Times are CPU seconds of the benchmark process (SQLite runs inside it; wall time is printed too),
the best of ``--repeat`` runs per size (fewer when another run would pass ``--budget`` seconds),
interleaved across sizes so that a change in the machine's load hits every size alike. The last
line is ``growth X.XX``: time per indicator (import plus scoring) at the largest size ÷ at the
smallest; linear cost is 1.00.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SIZES = (100, 300, 1000, 3000)
PROJECTS_PER_UNIT, INDICATORS_PER_UNIT = 20, 300


def _setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("JIXIAO_SECRET_KEY", "bench-" + "x" * 50)
    from jixiao.cli import django_setup  # noqa: PLC0415 — Django reads DATABASE_URL when it is set up

    django_setup()


def _empty_postgres() -> None:
    from django.apps import apps  # noqa: PLC0415 — after django_setup
    from django.db import connection  # noqa: PLC0415 — after django_setup

    tables = [m._meta.db_table for m in apps.get_models() if m._meta.app_label in ("budget", "jobs", "land",
                                                                                   "invest", "enterprise")]
    with connection.cursor() as cur:
        cur.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE")


def child(size: int, seed: int, url: str) -> dict[str, float]:
    """One size in this (fresh) process; returns CPU and wall seconds of each part."""
    _setup(url)
    if url.startswith("postgres"):
        _empty_postgres()
    from bench.synth import make_city  # noqa: PLC0415 — after django_setup
    from jixiao.budget import bulk  # noqa: PLC0415
    from jixiao.budget import models as m  # noqa: PLC0415
    from jixiao.budget.feeds import collect_feeds  # noqa: PLC0415
    from jixiao.core.scoring import score_department  # noqa: PLC0415
    from jixiao.exchange import write_file  # noqa: PLC0415
    from jixiao.services import imports  # noqa: PLC0415
    from jixiao.services.actor import system_actor  # noqa: PLC0415

    work = Path(tempfile.mkdtemp(prefix="jixiao-growth-"))
    try:
        actor = system_actor()
        # Warm-up (not timed): the first import and scoring load modules and rule files.
        for dy in make_city(3, 3 * PROJECTS_PER_UNIT, 3 * INDICATORS_PER_UNIT, seed + 1000):
            dy.department.code = "warm-" + dy.department.code
            imports.apply(actor, dy, "warm-up")
        for dy in bulk.iter_years():
            score_department(dy, collect_feeds(dy.department.code, dy.year))
        city = make_city(size, size * PROJECTS_PER_UNIT, size * INDICATORS_PER_UNIT, seed)
        indicators = sum(len(dy.indicators) + sum(len(p.indicators) for p in dy.projects) for dy in city)
        files = []
        for dy in city:
            files.append(work / f"{dy.department.code}.json")
            write_file(dy, files[-1])
        del city
        gc.collect()
        gc.freeze()  # what was built before timing is not rescanned by every collection

        def timed(fn: Callable[[], None]) -> tuple[float, float]:
            w0, c0 = time.perf_counter(), time.process_time()
            fn()
            return time.process_time() - c0, time.perf_counter() - w0

        def bare_import() -> None:
            for f in files:
                with f.open(encoding="utf-8") as fh:
                    json.load(fh)

        def do_import() -> None:
            for f in files:
                imports.apply(actor, imports.read_file(f).candidate, f.name)

        codes = [f.stem for f in files]

        def bare_scoring() -> None:
            rows = (m.Indicator.objects.filter(project__department_year__department__code__in=codes)
                    .values_list("id", "code", "target_text", "actual_text", "weight").iterator(chunk_size=5000))
            for _ in rows:
                pass

        def do_scoring() -> None:
            for dy in bulk.iter_years((code, 2022) for code in codes):
                score_department(dy, collect_feeds(dy.department.code, dy.year))

        out: dict[str, float] = {"size": size, "indicators": indicators}
        out["bare_import_cpu"], out["bare_import_wall"] = min(timed(bare_import) for _ in range(3))
        out["import_cpu"], out["import_wall"] = timed(do_import)
        out["bare_scoring_cpu"], out["bare_scoring_wall"] = min(timed(bare_scoring) for _ in range(3))
        out["scoring_cpu"], out["scoring_wall"] = timed(do_scoring)
        out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB
        return out
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run_child(size: int, args: argparse.Namespace, template: Path | None, tmp: Path) -> dict[str, float]:
    if template is not None:
        db = tmp / f"u{size}.sqlite3"
        shutil.copyfile(template, db)
        url = f"sqlite:///{db}"
    else:
        url = args.database_url
    proc = subprocess.run([sys.executable, __file__, "--child", str(size), "--seed", str(args.seed),
                           "--database-url", url], capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-3000:])
        raise SystemExit(f"规模 {size} 的测量进程失败（退出码 {proc.returncode}）")
    for suffix in ("", "-wal", "-shm"):
        if template is not None:
            (tmp / f"u{size}.sqlite3{suffix}").unlink(missing_ok=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="规模增长基准：导入与评分的每指标耗时随部门数的变化")
    ap.add_argument("--max-units", type=int, default=3000,
                    help="最大部门数（依次测 100、300、1000、3000 中不超过它的规模）")
    ap.add_argument("--repeat", type=int, default=2, help="每个规模测几次取最好（1,000 部门以上只测一次），默认 2")
    ap.add_argument("--budget", type=float, default=420,
                    help="时间预算（秒，默认 420）：预计超出时不再重复测量，取已测结果中最好的")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--database-url", default="", help="PostgreSQL 地址（默认每个规模一个新的 SQLite 文件）")
    ap.add_argument("--child", type=int, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.seed, args.database_url)))
        return 0
    sizes = [s for s in SIZES if s <= args.max_units] or [args.max_units]
    print(f"sizes {sizes}; {PROJECTS_PER_UNIT} projects and {INDICATORS_PER_UNIT} indicators a unit; "
          f"load average {os.getloadavg()[0]:.2f} at the start", flush=True)
    best: dict[int, dict[str, float]] = {}
    with tempfile.TemporaryDirectory(prefix="jixiao-growth-") as tmp_name:
        tmp = Path(tmp_name)
        template = None
        if not args.database_url:
            template = tmp / "template.sqlite3"
            proc = subprocess.run([sys.executable, "-c", "import sys; sys.path.insert(0, '.');"
                                   "from bench.bench_growth import _setup; _setup(sys.argv[1])",
                                   f"sqlite:///{template}"], cwd=ROOT, capture_output=True, text=True)
            if proc.returncode != 0:
                sys.stderr.write(proc.stderr[-3000:])
                raise SystemExit("无法建立模板数据库")
        started = time.monotonic()
        for rep in range(args.repeat):
            spent = time.monotonic() - started
            if rep > 0 and spent / rep * (rep + 1) > args.budget:
                print(f"  (no run {rep + 1}: {spent:.0f} s spent, another would pass the {args.budget:.0f} s budget)")
                break
            for size in sizes:
                if rep > 0 and size > 300:
                    continue
                got = _run_child(size, args, template, tmp)
                keep = best.setdefault(size, got)
                for part in ("import", "scoring"):
                    if got[f"{part}_cpu"] < keep[f"{part}_cpu"]:
                        keep[f"{part}_cpu"], keep[f"{part}_wall"] = got[f"{part}_cpu"], got[f"{part}_wall"]
                    if got[f"bare_{part}_cpu"] < keep[f"bare_{part}_cpu"]:
                        keep[f"bare_{part}_cpu"] = got[f"bare_{part}_cpu"]
                print(f"  run {rep + 1}: {size} units: import {got['import_cpu']:.2f} s CPU "
                      f"({got['import_wall']:.2f} s wall), scoring {got['scoring_cpu']:.2f} s CPU; "
                      f"load average {os.getloadavg()[0]:.2f}", flush=True)
    per: dict[int, float] = {}
    for size in sizes:
        b = best[size]
        n = b["indicators"]
        us = {k: b[k] / n * 1e6 for k in ("import_cpu", "bare_import_cpu", "scoring_cpu", "bare_scoring_cpu")}
        per[size] = us["import_cpu"] + us["scoring_cpu"]
        print(f"units {size} indicators {int(n)}: "
              f"import {us['import_cpu']:.1f} µs/indicator "
              f"({b['import_cpu']:.1f} s CPU, {b['import_wall']:.1f} s wall; "
              f"bare json load {us['bare_import_cpu']:.2f} µs, ×{us['import_cpu'] / us['bare_import_cpu']:.1f}); "
              f"scoring {us['scoring_cpu']:.1f} µs/indicator ({b['scoring_cpu']:.1f} s CPU; "
              f"bare query loop {us['bare_scoring_cpu']:.2f} µs, ×{us['scoring_cpu'] / us['bare_scoring_cpu']:.1f}); "
              f"peak RSS {b['peak_mb']:.0f} MB")
    small, large = sizes[0], sizes[-1]
    for part in ("import", "scoring"):
        at = {size: best[size][f"{part}_cpu"] / best[size]["indicators"] for size in (small, large)}
        ratio = at[large] / at[small]
        print(f"{part} growth {ratio:.2f} ({large} ÷ {small} units)")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print(f"growth {per[large] / per[small]:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
