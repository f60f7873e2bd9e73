"""Excel upload: the bulk workbook (or an exchange-format JSON) replaces the department-year,
all or nothing. Problems come back as a table (sheet, cell, message); nothing is stored."""
from __future__ import annotations

import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.core.errors import InputError, Problem
from jixiao.web import access
from jixiao.web.data import latest_year
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import perms_here

SUFFIXES = (".xlsx", ".json")


def upload_limit() -> int:
    return int(getattr(settings, "JIXIAO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def _read(path: Path, name: str):
    if path.suffix == ".json":
        return exchange.read_file(path)
    from jixiao import excel

    return excel.read_workbook(path)


def check_and_save(user, department: m.Department, upload) -> str:
    """Read the uploaded file and store it; ``InputError`` with every problem otherwise."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(name or "上传文件", "只接受 Excel 工作簿（.xlsx）或交换格式（.json）", "文件类型")])
    if upload.size > upload_limit():
        raise InputError([Problem(name, f"文件过大（{upload.size // 1024} KB），上限 {upload_limit() // 1024 // 1024} MB", "文件大小")])
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{suffix}"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        dy = _read(path, name)
    problems = []
    if dy.department.code != department.code:
        problems.append(Problem(name, f"文件中的部门编码为「{dy.department.code}」，与当前部门「{department.code}」不符；"
                                      "请上传本部门的工作簿", "部门编码"))
    existing = m.DepartmentYear.objects.filter(department=department, year=dy.year).first()
    if existing is not None:
        if existing.status == "锁定":
            problems.append(Problem(name, f"{dy.year} 年度已锁定，不能再导入；如需修改请联系财政审核人员解除锁定", "状态"))
        locked = list(existing.projects.filter(status__in=("已审核", "锁定")).values_list("code", flat=True))
        if locked:
            problems.append(Problem(name, f"项目 {'、'.join(locked)} 已审核或锁定，导入会覆盖审核结果；"
                                          "请先退回这些项目再导入", "状态"))
    if problems:
        raise InputError(problems)
    save_department_year(dy, user=user, reason=f"网页上传 {name}")
    return f"已导入 {dy.department.name} {dy.year} 年度：{len(dy.projects)} 个项目"


@login_required
def upload(request, code: str):
    department = access.get_department_or_404(request.user, code, permission="upload")
    row = latest_year(department)
    ctx = {"department": department, "year": row.year if row else None, "row": row,
           "limit_mb": upload_limit() // 1024 // 1024, "problems": []}
    ctx["perms_here"] = perms_here(request.user, department)
    if request.method == "POST":
        upload_file = request.FILES.get("file")
        if upload_file is None:
            ctx["problems"] = problem_rows([Problem("上传文件", "请选择要上传的文件", "文件")])
        else:
            try:
                note = check_and_save(request.user, department, upload_file)
            except InputError as exc:
                ctx["problems"] = problem_rows(exc.problems)
            else:
                messages.success(request, note)
                return redirect("web:department_latest", code)
    return render(request, "web/upload.html", ctx, status=400 if ctx["problems"] else 200)
