"""The work of each kind of job. Each function reads its parameters from ``job.params``, acts
as the job's actor through the application layer and the stores (never around them), reports
progress and publishes one result file.

- ``report``: one department (or project) report, .docx or .pdf (the PDF conversion is the slow
  part of a click, hence a job);
- ``bureau_reports``: one .docx per department under a bureau, zipped; the departments are
  split into ``bureau_reports_part`` jobs that every idle worker helps with; resumable: a
  department whose report a killed worker already wrote is not written again;
- ``import``: a zip of unit workbooks / exchange files, or one such file — a bulk workbook may
  hold several department-years — as one job with a per-unit result table;
- ``score_city``: every department-year of a year scored, as a table.
"""
from __future__ import annotations

import contextlib
import csv
import io
import os
import time
import zipfile
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import connection

from jixiao.budget import bulk
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.core import quality
from jixiao.core.display import fmt_score
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.core.scoring import score_department
from jixiao.core.workflow import may
from jixiao.jobs import runtime
from jixiao.jobs.models import FAILED, Job
from jixiao.jobs.runtime import Progress, Work
from jixiao.services import imports
from jixiao.services.actor import Actor, actor_for
from jixiao.services.errors import ServiceError
from jixiao.services.scope import departments_under


def job_actor(job: Job) -> Actor:
    """The actor who started the job: the user, or the command line under the name it ran as."""
    if job.user is not None:
        return actor_for(job.user)
    return Actor(name=job.who, system=True)


def _generate() -> Callable[..., Any]:
    # The report stack (matplotlib, python-docx) costs ~2 s to import: only a report job pays it.
    from jixiao.report.generate import generate  # noqa: PLC0415 — heavy, and only for reports
    return generate


def report(job: Job, progress: Progress) -> None:
    code, year, fmt = job.params["code"], int(job.params["year"]), job.params.get("format", ".docx")
    project = job.params.get("project") or None
    progress.start(1)
    dy = load_department_year(code, year)
    name = f"{code}-{year}{'-' + project if project else ''}-自评报告{fmt}"
    tmp = progress.work_dir / f"part{fmt}"
    draft = _generate()(dy, tmp, collect_feeds(code, year), project)
    for warning in draft.warnings:
        progress.log(f"提示：{warning}")
    progress.publish(tmp, name)
    progress.advance(1)


# Departments per part of a batch: a worker killed half-way loses at most one part's work, and
# two workers end within a part of each other; a part costs a few queries of its own.
REPORTS_PER_PART = 10


def bureau_reports(job: Job, progress: Progress) -> None:
    bureau_code, year = job.params["bureau"], int(job.params["year"])
    bureau = m.Department.objects.get(code=bureau_code)
    departments = departments_under(job_actor(job), bureau, year)
    if not departments:
        raise InputError([Problem(bureau_code, f"所辖部门没有 {year} 年度数据，未生成报告", "部门编码")])
    progress.start(len(departments) + 1)
    parts = progress.work_dir / "parts"
    named = [(d.code, d.name) for d in departments]
    if len(named) <= REPORTS_PER_PART:  # one part: no other worker could help
        _write_reports(job.id, named, year, progress)
    else:
        part_ids = runtime.add_parts(job, "bureau_reports_part", [
            {"year": year, "departments": named[i:i + REPORTS_PER_PART]}
            for i in range(0, len(named), REPORTS_PER_PART)])
        for part in runtime.run_parts(progress, part_ids, work_for):
            if part.state == FAILED:
                raise InputError([Problem(part.title, f"部分报告未能生成：{part.error}", "任务")])
    failed = [d for d in departments if not (parts / f"{d.code}.docx").exists()]
    tmp_zip = progress.work_dir / "part.zip"
    # Stored, not deflated: a .docx is a zip already, compressing it again costs CPU and saves ~1 %.
    with zipfile.ZipFile(tmp_zip, "w", compression=zipfile.ZIP_STORED) as zf:
        for d in departments:
            final = parts / f"{d.code}.docx"
            if final.exists():
                zf.write(final, f"{d.code}-{d.name or d.code}-{year}-自评报告.docx")
    progress.publish(tmp_zip, f"{bureau_code}-{year}-部门自评报告.zip")
    made = f"已生成 {len(departments) - len(failed)} 个部门的报告"
    progress.log(made + (f"，{len(failed)} 个未能生成" if failed else ""))
    progress.advance(len(departments) + 1)


def bureau_reports_part(job: Job, progress: Progress) -> None:
    """Some departments of a batch (``departments``: [code, name] pairs)."""
    progress.start(len(job.params["departments"]))
    _write_reports(int(job.params[runtime.PARENT]), job.params["departments"], int(job.params["year"]), progress)


def _write_reports(batch_id: int, departments: list[tuple[str, str]], year: int, progress: Progress) -> None:
    """Each department's report into the batch's folder under a temporary name, then renamed, so
    that a retry (of a part or of the batch) makes none twice; a failure is noted in the batch's log."""
    parts = runtime.work_dir(batch_id) / "parts"
    parts.mkdir(parents=True, exist_ok=True)
    generate = _generate()
    for index, (code, name) in enumerate(departments):
        final = parts / f"{code}.docx"
        if not final.exists():  # written by an earlier attempt: each report is made once
            tmp = parts / f"{code}.part.docx"
            try:
                generate(load_department_year(code, year), tmp, collect_feeds(code, year))
            except InputError as exc:
                runtime.append_log(batch_id, f"{code} {name}：未能生成报告：{exc}")
            else:
                os.replace(tmp, final)
        progress.advance(index + 1)


def score_city(job: Job, progress: Progress) -> None:
    year = int(job.params["year"])
    bureau_code = job.params.get("bureau")
    actor = job_actor(job)
    if bureau_code:
        codes = [d.code for d in departments_under(actor, m.Department.objects.get(code=bureau_code), year)]
    else:
        roles = actor.role_map()
        codes = list(m.DepartmentYear.objects.filter(year=year).filter(department_id__in=[
            pk for pk, held in roles.items() if may(held, "view")]).order_by("department__code")
            .values_list("department__code", flat=True))
    progress.start(len(codes))
    rows: list[dict[str, Any]] = []
    table: list[list[str]] = []
    for index, dy in enumerate(bulk.iter_years((code, year) for code in codes)):
        result = score_department(dy, collect_feeds(dy.department.code, year))
        # the quality checks of the department's pages, counted by severity
        found = Counter(f.severity for f in quality.review(dy, result))
        counts = [found.get(s, 0) for s in quality.SEVERITIES]
        problems = ("、".join(f"{s} {n} 项" for s, n in zip(quality.SEVERITIES, counts, strict=True) if n)
                    or "未发现问题")
        rows.append({"unit": dy.department.code, "name": dy.department.name, "status": "已评分",
                     "message": f"{fmt_score(result.total)} 分 · {result.grade or '—'} · 审核：{problems}"})
        table.append([dy.department.code, dy.department.name, fmt_score(result.total), result.grade or "",
                      *map(str, counts)])
        progress.advance(index + 1)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["部门编码", "部门名称", "评分", "等级", *(f"审核{s}" for s in quality.SEVERITIES)])
    writer.writerows(table)
    tmp = progress.work_dir / "part.csv"
    tmp.write_text(out.getvalue(), encoding="utf-8-sig")
    Job.objects.filter(id=job.id).update(result_rows=rows)
    progress.publish(tmp, f"{year}-评分汇总.csv")


def _import_members(path: Path, into: Path, source: str) -> list[tuple[str, Path]]:
    """The files of an upload, each with its name: the file itself (``source``, the name it was
    uploaded under), or every .xlsx/.json file inside a .zip."""
    if path.suffix.lower() != ".zip":
        return [(source, path)]
    members: list[tuple[str, Path]] = []
    try:
        with zipfile.ZipFile(path) as zf:
            for info in zf.infolist():
                if not info.flag_bits & 0x800:  # no UTF-8 flag: Windows Explorer writes GBK names
                    with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):  # else: as read
                        info.filename = info.filename.encode("cp437").decode("gbk")
                name = Path(info.filename)
                if info.is_dir() or name.suffix.lower() not in (".xlsx", ".json") or name.name.startswith("."):
                    continue
                target = into / f"{len(members):05d}{name.suffix.lower()}"
                target.write_bytes(zf.read(info))
                members.append((info.filename, target))
    except zipfile.BadZipFile:
        raise InputError("不是有效的 zip 压缩包", location=source) from None
    if not members:
        raise InputError("压缩包中没有 .xlsx 或 .json 文件", location=source)
    return members


# Problems listed in a unit's row of the result table; the count says how many there are in all.
SHOWN_PROBLEMS = 5
SHOWN_CONFLICTS = 3
IMPORTED, CONFLICTING, REFUSED = "已导入", "未导入（有冲突）", "未导入"


def problems_text(problems: list[Problem]) -> str:
    """"共 7 处问题：指标!B5（指标编码）：…；…；另有 2 处未列出" — the first problems, each with its place."""
    if len(problems) == 1:
        return str(problems[0])
    shown = "；".join(str(p) for p in problems[:SHOWN_PROBLEMS])
    more = len(problems) - SHOWN_PROBLEMS
    return f"共 {len(problems)} 处问题：{shown}" + (f"；另有 {more} 处未列出" if more > 0 else "")


@dataclass
class _Pending:
    """One department-year of an upload, read: the candidate to import, or why it cannot be."""

    unit: str  # as the result table names it: "demo/2022（单位甲.xlsx）"
    candidate: DepartmentYear | None
    failure: str = ""


def _read_member(name: str, member: Path) -> list[_Pending]:
    """The department-years of one file of the upload (``name``: as the user knows it)."""
    return [_Pending(f"{u.label}（{name}）" if u.label else name, u.candidate,
                     problems_text(u.problems) if u.problems else "") for u in imports.read_units(member)]


def _import_one(actor: Actor, pending: _Pending, source: str, delete_missing: bool) -> dict[str, Any]:
    if pending.candidate is None:
        return {"unit": pending.unit, "status": REFUSED, "message": pending.failure}
    try:
        result = imports.apply(actor, pending.candidate, source, delete_missing=delete_missing)
    except imports.ImportConflict as exc:
        first = "；".join(i.line() for i in exc.preview.conflicts[:SHOWN_CONFLICTS])
        return {"unit": pending.unit, "status": CONFLICTING, "message": f"{exc.preview.summary()}。{first}"}
    except InputError as exc:
        return {"unit": pending.unit, "status": REFUSED, "message": problems_text(exc.problems)}
    except ServiceError as exc:
        return {"unit": pending.unit, "status": REFUSED, "message": str(exc)}
    return {"unit": pending.unit, "status": IMPORTED, "message": result.summary()}


# Files per part of a batch import: on PostgreSQL a zip of more files is imported by every idle
# worker side by side. Not on SQLite: its one writer makes the others wait (measured: 1,000 units
# took 65 s on two workers against 56 s on one), so there the batch's worker imports them all.
IMPORTS_PER_PART = 20


def _import_in_parts() -> bool:
    return connection.vendor != "sqlite"


def import_files(job: Job, progress: Progress) -> None:
    """Every department-year of the upload — the files of a zip, the department-years of a bulk
    workbook holding several — each all or nothing, through the application layer (the same
    preview, checks, conflict detection and history as ``jixiao import``)."""
    path = Path(job.params["file"])
    source = job.params.get("source") or path.name
    members_dir = progress.work_dir / "members"
    members_dir.mkdir(exist_ok=True)
    members = _import_members(path, members_dir, source)
    progress.start(len(members))
    named = [(name, str(member)) for name, member in members]
    if len(named) <= IMPORTS_PER_PART or not _import_in_parts():
        rows = _import_some(job, job, named, progress)
    else:
        part_ids = runtime.add_parts(job, "import_part", [
            {"members": named[i:i + IMPORTS_PER_PART], "source": source,
             "delete_missing": bool(job.params.get("delete_missing"))}
            for i in range(0, len(named), IMPORTS_PER_PART)])
        rows = []
        for part in runtime.run_parts(progress, part_ids, work_for):
            rows += part.result_rows or []
            done = {r.get("member") for r in part.result_rows or []}
            rows += [{"unit": name, "status": REFUSED, "message": f"导入中断：{part.error or part.state}",
                      "member": Path(member).name} for name, member in part.params["members"]
                     if Path(member).name not in done]
        progress.advance(len(members))
    Job.objects.filter(id=job.id).update(result_rows=rows)
    ok = sum(1 for r in rows if r["status"] == IMPORTED)
    progress.log(f"共 {len(rows)} 个部门年度：导入 {ok} 个，未导入 {len(rows) - ok} 个")


def import_part(job: Job, progress: Progress) -> None:
    """Some files of a batch import (``members``: [name, path] pairs), as the batch's actor."""
    progress.start(len(job.params["members"]))
    batch = Job.objects.get(id=int(job.params[runtime.PARENT]))
    _import_some(batch, job, [tuple(x) for x in job.params["members"]], progress)


def _import_some(batch: Job, job: Job, members: list[tuple[str, str]], progress: Progress) -> list[dict[str, Any]]:
    """The result rows of importing ``members`` as ``batch``'s actor, each row naming its file.
    The rows are kept on ``job`` as they come (every few seconds), so that a retry after a killed
    worker goes on after the files already imported instead of importing them again (a file
    imported since is imported again, which changes nothing)."""
    actor = job_actor(batch)
    delete_missing = bool(batch.params.get("delete_missing"))
    rows: list[dict[str, Any]] = list(Job.objects.filter(id=job.id).values_list("result_rows", flat=True).get() or [])
    done = {r.get("member") for r in rows}  # a file is named by where it was unpacked: unique in the batch
    total = len(members)
    kept = time.monotonic()
    for name, member in members:
        if Path(member).name in done:
            continue
        pending = _read_member(name, Path(member))
        if len(pending) > 1:  # a workbook of several department-years: each one is a step
            total += len(pending) - 1
            progress.start(total)
            progress.log(f"{name}：包含 {len(pending)} 个部门年度，逐个导入")
        rows += [{**_import_one(actor, one, name, delete_missing), "member": Path(member).name} for one in pending]
        if time.monotonic() - kept >= runtime.WRITE_EVERY:  # the whole table each time: not after every file
            Job.objects.filter(id=job.id).update(result_rows=rows)
            kept = time.monotonic()
        progress.advance(len(rows))
    Job.objects.filter(id=job.id).update(result_rows=rows)
    return rows


WORK: dict[str, Work] = {
    "report": report,
    "bureau_reports": bureau_reports,
    "bureau_reports_part": bureau_reports_part,
    "score_city": score_city,
    "import": import_files,
    "import_part": import_part,
}


def work_for(kind: str) -> Work:
    return WORK[kind]
