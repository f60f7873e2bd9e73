"""A city's units imported as a bureau does it: one zip of unit files through ``jixiao
import-batch``, run as one background job by ``--workers`` (2) ``jixiao worker`` processes.

    .venv/bin/python bench/bench_city_import.py --units 100        # quick
    .venv/bin/python bench/bench_city_import.py                    # the city: 1,000 units
    .venv/bin/python bench/bench_city_import.py --database-url postgres://u:pw@127.0.0.1:5432/db
    .venv/bin/python bench/bench_city_import.py --workers 0        # the command imports alone

Steps: the city (``bench/synth.py``: 20 projects and 300 indicators a unit) written as one
exchange-format .json per unit into a zip (not timed); a fresh SQLite file (WAL) in a temporary
directory, or the empty PostgreSQL database given, migrated; the workers started; then ``jixiao
import-batch CITY.zip`` timed from start to its result table. Every unit goes through the
application layer (``services.imports.apply``: checks, preview, conflicts, history), split into
parts that both workers take. Checked at the end: every unit 已导入 and stored.

Printed: wall time, the CPU seconds of the command and the workers (user + system, from /proc),
the workers' peak memory (VmHWM), the load average before and after, and the ratio to the bare
operation measured in this process: ``json.load`` of the same files. PostgreSQL's own CPU is not
counted (it shares the machine's cores). Last line: ``city import N units in X s wall, ...``.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.procs import cpu_seconds, load_average, peak_mb
from bench.synth import make_city

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"








def write_city(units: int, seed: int, work: Path) -> tuple[Path, list[Path], int]:
    """The city as unit files and one zip of them; the indicators in all."""
    from jixiao.exchange import write_file  # noqa: PLC0415 — after Django is set up

    city = make_city(units, 20 * units, 300 * units, seed)
    indicators = sum(len(dy.indicators) + sum(len(p.indicators) for p in dy.projects) for dy in city)
    files = []
    for dy in city:
        files.append(work / "units" / f"{dy.department.code}.json")
        write_file(dy, files[-1])
    upload = work / "city.zip"
    with zipfile.ZipFile(upload, "w", zipfile.ZIP_DEFLATED) as zf:
        for f in files:
            zf.write(f, f.name)
    return upload, files, indicators


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="全市导入基准：各单位文件打包为一个压缩包，"
                                             "经 jixiao import-batch 由工作进程导入")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2, help="工作进程数（0：由命令自己导入）")
    ap.add_argument("--database-url", help="PostgreSQL（空数据库）；默认在临时目录新建 SQLite 文件")
    args = ap.parse_args(argv)

    work = Path(tempfile.mkdtemp(prefix="jixiao-city-import-"))
    (work / "units").mkdir()
    url = args.database_url or f"sqlite:///{work}/city.sqlite3"
    os.environ.update(DATABASE_URL=url, JIXIAO_VAR_DIR=str(work / "var"))
    os.environ.setdefault("JIXIAO_SECRET_KEY", "bench-city-import-" + "x" * 50)
    from django.core.management import call_command  # noqa: PLC0415 — after DATABASE_URL is set
    from django.db import connection  # noqa: PLC0415 — as above

    from jixiao.cli import django_setup  # noqa: PLC0415 — as above

    django_setup()
    call_command("migrate", verbosity=0)
    from jixiao.budget import models as m  # noqa: PLC0415 — models need django.setup()

    if m.DepartmentYear.objects.exists():
        raise SystemExit("数据库中已有部门年度数据，请使用空数据库")
    t0 = time.perf_counter()
    upload, files, indicators = write_city(args.units, args.seed, work)
    print(f"database: {connection.vendor}; {args.units} units, {indicators} indicators written to "
          f"{upload.name} ({upload.stat().st_size / 1e6:.1f} MB) in {time.perf_counter() - t0:.1f} s (not timed); "
          f"{args.workers} workers; {os.cpu_count()} CPUs", flush=True)
    c0 = time.process_time()
    for _ in range(3):
        for f in files:
            with f.open(encoding="utf-8") as fh:
                json.load(fh)
    bare = (time.process_time() - c0) / 3
    connection.close()  # the workers and the command get the database to themselves

    logs = [open(work / f"worker{n}.log", "w") for n in range(args.workers)]  # noqa: SIM115 — closed below
    workers = [subprocess.Popen([str(JIXIAO), "worker", "--interval", "0.5"], cwd=ROOT, env=os.environ,
                                stdout=log, stderr=subprocess.STDOUT) for log in logs]
    try:
        time.sleep(3)  # the workers are up (imports, database connection) before the clock starts
        before = {w.pid: cpu_seconds(w.pid) for w in workers}
        load_before = load_average()
        t0 = time.perf_counter()
        # the result table goes to a file: a pipe would fill up with a thousand lines and stop the command
        with (work / "import.out").open("w") as out_file, (work / "import.err").open("w") as err_file:
            command = subprocess.Popen([str(JIXIAO), "import-batch", str(upload)], cwd=ROOT, env=os.environ,
                                       stdout=out_file, stderr=err_file)
            command_cpu = 0.0
            while command.poll() is None:
                command_cpu = max(command_cpu, cpu_seconds(command.pid))
                time.sleep(0.2)
        wall = time.perf_counter() - t0
        out, err = (work / "import.out").read_text(), (work / "import.err").read_text()
        workers_cpu = sum(cpu_seconds(w.pid) - before[w.pid] for w in workers)
        peak = max([peak_mb(w.pid) for w in workers] or [0.0])
    finally:
        for w in workers:
            w.terminate()
        for w in workers:
            w.wait(timeout=30)
        for log in logs:
            log.close()
    lines = out.splitlines()
    imported = sum(1 for line in lines if "\t已导入" in line)
    progress = [x for x in err.splitlines() if x.strip()]
    print(f"  last progress line: {progress[-1] if progress else '(none)'}")
    django_setup()
    stored = m.DepartmentYear.objects.count()
    if command.returncode != 0 or imported != args.units or stored != args.units:
        sys.stderr.write(err[-3000:])
        raise SystemExit(f"导入未全部完成：退出码 {command.returncode}，已导入 {imported} 个，库中 {stored} 个")
    cpu = command_cpu + workers_cpu
    print(f"load average before {load_before}, after {load_average()}")
    print(f"city import {args.units} units in {wall:.1f} s wall, {wall / indicators * 1e6:.0f} µs/indicator; "
          f"CPU {cpu:.1f} s (command {command_cpu:.1f} s, {args.workers} workers {workers_cpu:.1f} s); "
          f"workers' peak RSS {peak:.0f} MB; bare json load {bare:.2f} s CPU, ×{cpu / bare:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
