"""A bureau's batch of reports as one background job on two worker processes: every department of
the synthetic city, one .docx each, zipped.

    .venv/bin/python bench/bench_batch.py --units 100              # quick
    .venv/bin/python bench/bench_batch.py                          # the city: 1,000 departments
    .venv/bin/python bench/bench_batch.py --units 100 --kill-one   # SIGKILL a worker half-way
    .venv/bin/python bench/bench_batch.py --database-url postgres://u:pw@127.0.0.1:5432/db

Steps: a fresh SQLite file (WAL) in a temporary directory, or the empty PostgreSQL database given;
the city (``bench/synth.py``) saved with ``save_department_year`` under its bureau ``fin`` (not
timed; its time is printed); one report built in this process, timed by stage, beside a bare
python-docx build of the same text, tables and charts (python-docx's own API on the default
template: no drafting, no scoring, no styles); then ``--workers`` (2) ``jixiao worker`` processes,
the ``bureau_reports`` job submitted as ``jixiao report --bureau`` does, its progress polled and
printed. ``--kill-one`` kills the worker running the batch itself with SIGKILL when half the
reports are made (the harder case: the batch and a part must both be taken over); the lease is
``--lease`` seconds (default 15, so that the take-over shows within the run; 60 in production).

Checked at the end: the job is done, its zip holds exactly one .docx per department, no name
twice; how many parts (and reports) each worker made. Printed: wall time from submission to the
zip, reports per second, the workers' CPU seconds (user + system, from /proc), the load average
before and after, and the ratio of a report's cost in the batch to the bare build.
Last line: ``batch N reports in X s, Y reports/s, workers CPU Z s, W× bare python-docx``.
"""
from __future__ import annotations

import argparse
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from docx import Document
from docx.shared import Cm

from bench.procs import cpu_seconds, load_average
from bench.synth import make_city
from jixiao.core.drafting import Chart, Draft, Heading, PageBreak, Paragraph, Table

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
BUREAU, YEAR = "fin", 2022  # bench/synth.py puts every unit under 市财政局 "fin", year 2022
TIMEOUT = 3600.0






def load_city(units: int, seed: int) -> None:
    from jixiao.budget import models as m  # noqa: PLC0415 — models need django.setup(), which needs DATABASE_URL first
    from jixiao.budget.store import save_department_year  # noqa: PLC0415 — as above

    if m.DepartmentYear.objects.exists():
        raise SystemExit("数据库中已有部门年度数据，请使用空数据库")
    city = make_city(units, 20 * units, 300 * units, seed)
    t0, c0 = time.perf_counter(), time.process_time()
    for dy in city:
        save_department_year(dy, who="bench")
    print(f"load (not timed): {units} units, {20 * units} projects, {300 * units} indicators saved in "
          f"{time.perf_counter() - t0:.1f} s (CPU {time.process_time() - c0:.1f} s); load average {load_average()}",
          flush=True)


def bare_docx(draft: Draft, charts: dict[str, bytes]) -> bytes:
    """The draft's text, tables and charts through python-docx's own API on its default
    template: the floor a report cannot go below with this library."""
    doc = Document()
    for line in draft.title:
        doc.add_paragraph(line)
    for block in draft.blocks:
        if isinstance(block, Heading):
            doc.add_heading(block.text, min(max(block.level, 1), 3))
        elif isinstance(block, Paragraph):
            doc.add_paragraph(block.text)
        elif isinstance(block, Table):
            doc.add_paragraph(block.caption)
            rows = [list(pair) for pair in block.head] + [block.header] + block.rows
            table = doc.add_table(rows=len(rows), cols=max(len(r) for r in rows))
            for cells, row in zip(table.rows, rows, strict=True):
                for cell, text in zip(cells.cells, row, strict=False):
                    cell.text = text
        elif isinstance(block, Chart):
            doc.add_picture(io.BytesIO(charts[block.key]), width=Cm(15))
        elif isinstance(block, PageBreak):
            doc.add_page_break()
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def one_report(codes: list[str]) -> tuple[float, float]:
    """The reports of ``codes`` in this process, one after the other, by stage (mean CPU after the
    first, which warms the imports and the font cache), and the bare python-docx build of the same
    content. Different departments: one department again and again would hit matplotlib's text
    layout cache and understate a chart. Returns (report CPU s, bare CPU s), means."""
    from jixiao.budget.feeds import collect_feeds  # noqa: PLC0415 — models need django.setup()
    from jixiao.budget.store import load_department_year  # noqa: PLC0415 — as above
    from jixiao.report.charts import render_chart  # noqa: PLC0415 — matplotlib: only here
    from jixiao.report.docx_build import build_docx  # noqa: PLC0415 — as above
    from jixiao.report.generate import draft_for  # noqa: PLC0415 — as above

    spent: dict[str, float] = {}

    def stage(name: str, since: float) -> float:
        now = time.process_time()
        spent[name] = spent.get(name, 0.0) + now - since
        return now

    for n, code in enumerate(codes):
        if n == 1:
            spent.clear()  # the first warmed the imports and the font cache: not counted
        t = time.process_time()
        dy = load_department_year(code, YEAR)
        feeds = collect_feeds(code, YEAR)
        t = stage("load", t)
        draft = draft_for(dy, feeds)
        t = stage("score+draft", t)
        charts = {b.key: render_chart(b) for b in draft.blocks if isinstance(b, Chart)}
        t = stage("charts", t)
        build_docx(draft, charts, io.BytesIO())
        t = stage("docx", t)
        bare_docx(draft, charts)
        stage("bare", t)
    counted = max(len(codes) - 1, 1)
    mean = {k: v / counted for k, v in spent.items()}
    report = sum(v for k, v in mean.items() if k != "bare")
    print(f"one report in this process (CPU, mean of {counted} departments): "
          + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in mean.items() if k != "bare")
          + f" = {report * 1000:.0f} ms; bare python-docx build of the same content {mean['bare'] * 1000:.0f} ms "
          f"(×{report / mean['bare']:.1f})", flush=True)
    return report, mean["bare"]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="批量报告基准：全部部门的报告作为一个后台任务，由多个工作进程生成")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--database-url", help="PostgreSQL（空数据库）；默认在临时目录新建 SQLite 文件")
    ap.add_argument("--kill-one", action="store_true", help="生成一半时以 SIGKILL 结束执行该批任务的工作进程")
    ap.add_argument("--lease", type=float, default=15.0, help="任务租约（秒），默认 15")
    ap.add_argument("--keep", help="保留临时目录（数据库与任务文件）到此目录")
    args = ap.parse_args(argv)

    tmp = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="jixiao-batch-"))
    tmp.mkdir(parents=True, exist_ok=True)
    url = args.database_url or f"sqlite:///{tmp}/batch.sqlite3"
    os.environ.update(DATABASE_URL=url, JIXIAO_VAR_DIR=str(tmp / "var"), JIXIAO_JOB_LEASE_SECONDS=str(args.lease))
    os.environ.setdefault("JIXIAO_SECRET_KEY", "bench-batch-" + "x" * 50)
    from django.db import connection  # noqa: PLC0415 — after DATABASE_URL is set

    from jixiao.cli import django_setup  # noqa: PLC0415 — as above

    django_setup()
    from jixiao.jobs import runtime  # noqa: PLC0415 — models need django.setup()
    from jixiao.jobs.models import DONE, Job  # noqa: PLC0415 — as above
    from jixiao.services import jobs  # noqa: PLC0415 — as above
    from jixiao.services.actor import system_actor  # noqa: PLC0415 — as above

    vendor = connection.vendor
    if vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA journal_mode")
            vendor += f" ({cur.fetchone()[0]})"
    print(f"database: {vendor}; {args.units} units; {args.workers} workers; lease {args.lease:g} s; "
          f"{os.cpu_count()} CPUs; load average {load_average()}", flush=True)
    load_city(args.units, args.seed)
    report_cpu, bare_cpu = one_report([f"u{n:05d}" for n in range(min(args.units, 6))])
    connection.close()  # the workers get the database to themselves (SQLite: one writer)

    logs = [open(tmp / f"worker{n}.log", "w") for n in range(args.workers)]  # noqa: SIM115 — closed below
    procs = [subprocess.Popen([str(JIXIAO), "worker", "--interval", "0.5"], cwd=ROOT, env=os.environ,
                              stdout=log, stderr=subprocess.STDOUT) for log in logs]
    cpu: dict[int, float] = {}
    killed: int | None = None
    try:
        load_before = load_average()
        t0 = time.perf_counter()
        job = jobs.start(system_actor(), "bureau_reports", BUREAU, {"bureau": BUREAU, "year": YEAR})
        shown, shown_at = "", 0.0
        while True:
            time.sleep(1.0)
            job.refresh_from_db()
            line = f"{job.state_label}：{runtime.progress_text(job)}"
            if line != shown and time.perf_counter() - shown_at >= 5 or job.finished:
                print(f"  {time.perf_counter() - t0:6.1f} s  {line}", flush=True)
                shown, shown_at = line, time.perf_counter()
            if job.finished:
                break
            if args.kill_one and killed is None and job.total and job.done >= job.total // 2:
                victim = next((p for p in procs if job.worker and f"-{p.pid}-" in job.worker), procs[0])
                cpu[victim.pid] = cpu_seconds(victim.pid)
                victim.send_signal(signal.SIGKILL)
                killed = victim.pid
                print(f"  {time.perf_counter() - t0:6.1f} s  SIGKILL to worker {victim.pid} (running the batch) "
                      f"at {job.done}/{job.total}", flush=True)
            if time.perf_counter() - t0 > TIMEOUT:
                raise SystemExit(f"任务 {TIMEOUT:.0f} 秒内未完成")
        wall = time.perf_counter() - t0
        for p in procs:
            if p.pid != killed:
                cpu[p.pid] = cpu_seconds(p.pid)
    finally:
        for p in procs:
            if p.poll() is None:
                p.terminate()
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                p.kill()
        for log in logs:
            log.close()

    parts = Job.objects.filter(kind="bureau_reports_part", **{f"params__{runtime.PARENT}": job.id})
    by_worker: Counter[str] = Counter()
    reports: Counter[str] = Counter()
    for worker, done in parts.values_list("worker", "done"):
        pid = worker.rsplit("-", 2)[1] if worker.count("-") >= 2 else worker
        by_worker[pid] += 1
        reports[pid] += done
    retried = parts.filter(attempts__gt=1).count()
    print(f"job {job.id}: {job.state_label}, attempts {job.attempts}; {parts.count()} parts, by worker pid: "
          + ", ".join(f"{pid} {n} parts / {reports[pid]} reports" for pid, n in sorted(by_worker.items()))
          + f"; {retried} part(s) retried")
    if job.state != DONE:
        print(job.log[-3000:])
        raise SystemExit(f"任务未完成：{job.state_label} {job.error}")
    result = runtime.result_path(job)
    assert result is not None
    with zipfile.ZipFile(result) as zf:
        names = [n for n in zf.namelist() if n.endswith(".docx")]
    codes = Counter(n.split("-", 1)[0] for n in names)
    ok = len(names) == args.units and len(set(names)) == len(names) and max(codes.values()) == 1
    print(f"zip: {len(names)} .docx, {len(set(names))} distinct names, {len(codes)} departments, "
          f"{result.stat().st_size / 1e6:.1f} MB — {'as expected' if ok else 'NOT one per department'}")
    workers_cpu = sum(cpu.values())
    per_report = workers_cpu / args.units
    print(f"load average {load_before} before, {load_average()} after; workers CPU "
          + ", ".join(f"{pid} {c:.1f} s" for pid, c in cpu.items())
          + f" = {workers_cpu:.1f} s ({per_report * 1000:.0f} ms a report; {report_cpu * 1000:.0f} ms in this process)")
    print(f"batch {args.units} reports in {wall:.1f} s, {args.units / wall:.2f} reports/s, workers CPU "
          f"{workers_cpu:.1f} s, {per_report / bare_cpu:.1f}× bare python-docx")
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
