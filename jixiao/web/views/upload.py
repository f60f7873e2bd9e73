"""Upload: an Excel workbook (bulk workbook or standard forms) or an exchange-format JSON file is
read, compared with the stored data and shown as a preview — what would be added, changed and
deleted, the conflicts and the warnings, object by object and field by field — and imported only
when the user confirms (``jixiao.services.imports``: all or nothing, states never change).

Between the preview and the confirmation the file waits on the server under a random token kept
in the user's session (``JIXIAO_UPLOAD_DIR``, default ``var/uploads``); it is removed once
imported or cancelled, and files older than ``JIXIAO_UPLOAD_KEEP_HOURS`` are swept away.

A batch — a .zip of unit files, or a bulk workbook of several department-years — is not
previewed here: it starts the batch import job, whose page shows a result row per
department-year."""
from __future__ import annotations

import secrets
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadedfile import UploadedFile
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from jixiao.budget import models as m
from jixiao.core.errors import InputError, Problem
from jixiao.files import atomic_write
from jixiao.jobs.runtime import jobs_dir
from jixiao.published import SUFFIXES as PUBLISHED_SUFFIXES
from jixiao.services import imports, jobs
from jixiao.services.actor import actor_for
from jixiao.services.errors import Conflict, Denied, NotFound, ServiceError
from jixiao.services.imports import KIND_LABELS, ImportConflict, Preview
from jixiao.web import access
from jixiao.web.data import latest_year
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import STATUSES, Request, notice, perms_here, refusal_context

SUFFIXES = (".json", *PUBLISHED_SUFFIXES)  # .xlsx: jixiao's workbooks and forms, or a published 自评表
BATCH_SUFFIXES = (".zip", ".xlsx")  # a zip of unit files, or a bulk workbook of several department-years
SESSION_KEY = "jixiao_uploads"
# The order the preview lists its items in: what blocks the import first.
PREVIEW_ORDER = ("conflict", "added", "changed", "deleted", "warning")
# Items shown per kind (a new department-year adds hundreds of objects); the counts are complete.
PREVIEW_ROWS = 300


def upload_limit() -> int:
    return int(getattr(settings, "JIXIAO_UPLOAD_MAX_BYTES", 20 * 1024 * 1024))


def upload_dir() -> Path:
    configured = getattr(settings, "JIXIAO_UPLOAD_DIR", None)
    return Path(configured) if configured else Path(settings.VAR_DIR) / "uploads"


def keep_seconds() -> float:
    return float(getattr(settings, "JIXIAO_UPLOAD_KEEP_HOURS", 6)) * 3600


def sweep() -> None:
    """Remove uploaded files nobody confirmed within the keeping time."""
    folder = upload_dir()
    if not folder.is_dir():
        return
    limit = time.time() - keep_seconds()
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < limit:
                path.unlink()
        except OSError:
            continue  # removed meanwhile by another request


def _pending(request: Request) -> dict:
    return dict(request.session.get(SESSION_KEY, {}))


def _forget(request: Request, token: str) -> None:
    pending = _pending(request)
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    if entry is not None:
        (upload_dir() / f"{token}{entry['suffix']}").unlink(missing_ok=True)


def _copy(upload: UploadedFile, out: Path) -> None:
    with out.open("wb") as fh:
        for chunk in upload.chunks():
            fh.write(chunk)


def _keep(request: Request, department: m.Department, upload: UploadedFile) -> tuple[str, Path, str]:
    """Check the uploaded file's type and size and keep it under a new token."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise InputError([Problem(name or "上传文件", "只接受 Excel 工作簿（.xlsx/.xls）、交换格式（.json），"
                                                    "或已发布的自评表（.docx/.pdf）", "文件类型")])
    size = upload.size or 0
    if size > upload_limit():
        limit_mb = upload_limit() // 1024 // 1024
        raise InputError([Problem(name, f"文件过大（{size // 1024} KB），上限 {limit_mb} MB", "文件大小")])
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    path = folder / f"{token}{suffix}"
    atomic_write(path, lambda tmp: _copy(upload, tmp))  # a full disk: a message, no partial file
    pending = _pending(request)
    pending[token] = {"department": department.code, "name": name, "suffix": suffix}
    request.session[SESSION_KEY] = pending
    return token, path, name


def _read(department: m.Department, path: Path, name: str) -> imports.FileRead:
    """The file as the department-year it would make; it must be this department's."""
    read = imports.read_file(path, department.code)  # a published table without 部门编码 is this department's
    found = read.candidate.department.code
    if found != department.code:
        raise InputError([Problem(name, f"文件中的部门编码为「{found}」，与当前部门「{department.code}」不符；"
                                        "请上传本部门的数据", "部门编码")])
    return read


def preview_context(preview: Preview, read: imports.FileRead | None, token: str, delete_missing: bool) -> dict:
    counts = preview.counts()
    kinds = []
    for kind in PREVIEW_ORDER:
        items = preview.of(kind)
        if items:
            kinds.append({"kind": kind, "label": KIND_LABELS[kind], "count": len(items),
                          "items": [i.as_dict() for i in items[:PREVIEW_ROWS]],
                          "more": max(0, len(items) - PREVIEW_ROWS)})
    return {"preview": {
        "source": preview.source, "department": preview.department, "year": preview.year, "new": preview.new,
        "summary": preview.summary(), "counts": counts, "kinds": kinds, "token": token,
        "delete_missing": delete_missing, "changes": counts["added"] + counts["changed"] + counts["deleted"],
        # conflicts the user settles here (ledger or typed value) and those only a new file settles
        "choices": sum(1 for i in preview.of("conflict") if i.choice),
        "blocking": sum(1 for i in preview.of("conflict") if not i.choice),
        "reading": problem_rows(read.warnings) if read is not None else [],
    }}


def _context(request: Request, department: m.Department, **extra: Any) -> dict:
    row = latest_year(department)
    return {"department": department, "year": row.year if row else None, "row": row,
            "limit_mb": upload_limit() // 1024 // 1024, "problems": [],
            "perms_here": perms_here(request.user, department), **extra}


def _answer(request: Request, department: m.Department, exc: InputError | ServiceError,
            **extra: Any) -> HttpResponse:
    shown, kind = refusal_context(exc)
    return render(request, "web/upload.html", _context(request, department, **extra, **shown), status=STATUSES[kind])


def _start_batch(request: Request, department: m.Department, upload: UploadedFile) -> HttpResponse:
    """A .zip of unit files or a bulk workbook of several department-years, imported by a
    background job (``jixiao import-batch`` does the same): each department-year on its own,
    all or nothing, with a row in the job page's result table. The job acts as the user, so a
    department-year outside the user's departments is a refused row, as on the command line."""
    name = Path(upload.name or "").name
    suffix = Path(name).suffix.lower()
    if suffix not in BATCH_SUFFIXES:
        raise InputError([Problem(name or "上传文件", "批量导入只接受 .zip 压缩包或批量工作簿（.xlsx）", "文件类型")])
    size = upload.size or 0
    if size > upload_limit():
        limit_mb = upload_limit() // 1024 // 1024
        raise InputError([Problem(name, f"文件过大（{size // 1024} KB），上限 {limit_mb} MB", "文件大小")])
    # The worker may run on another machine: the file goes to the shared job storage.
    folder = jobs_dir() / "uploads"
    folder.mkdir(parents=True, exist_ok=True)
    stored = folder / f"{secrets.token_hex(16)}{suffix}"
    atomic_write(stored, lambda tmp: _copy(upload, tmp))
    try:
        job = jobs.start(actor_for(request.user), "import", department.code,
                         {"file": str(stored), "source": name, "delete_missing": False}, title=f"批量导入：{name}")
    except (Denied, NotFound):
        stored.unlink(missing_ok=True)
        raise
    return redirect("jobs:detail", job.id)


@login_required
def upload(request: Request, code: str) -> HttpResponse:
    """GET: the upload form. POST: read the file and show its preview (nothing is stored yet);
    with ``batch``, start the batch import job instead."""
    department = access.get_department_or_404(request.user, code, permission="upload")
    sweep()
    if request.method != "POST":
        return render(request, "web/upload.html", _context(request, department))
    upload_file = request.FILES.get("file")
    if upload_file is None:
        return _answer(request, department, InputError([Problem("上传文件", "请选择要上传的文件", "文件")]))
    if request.POST.get("batch") == "1":
        try:
            return _start_batch(request, department, upload_file)
        except (InputError, Denied, NotFound) as exc:
            return _answer(request, department, exc)
    try:
        token, path, name = _keep(request, department, upload_file)
    except InputError as exc:
        return _answer(request, department, exc)
    try:
        read = _read(department, path, name)
        preview = imports.preview(actor_for(request.user), read.candidate, name)
    except (InputError, Denied, Conflict) as exc:
        _forget(request, token)
        return _answer(request, department, exc)
    return render(request, "web/upload.html",
                  _context(request, department, **preview_context(preview, read, token, False)))


@login_required
@require_POST
def upload_confirm(request: Request, code: str) -> HttpResponse:
    """Import the previewed file (``apply``), or discard it (``cancel``)."""
    department = access.get_department_or_404(request.user, code, permission="upload")
    token = request.POST.get("token", "")
    entry = _pending(request).get(token)
    path = upload_dir() / f"{token}{entry['suffix']}" if entry else None
    if entry is None or entry["department"] != department.code or path is None or not path.is_file():
        if entry is not None:
            _forget(request, token)
        return _answer(request, department, InputError([Problem(
            "上传文件", f"待确认的文件已过期（保留 {keep_seconds() / 3600:g} 小时）或已处理，请重新上传", "文件")]))
    name = entry["name"]
    if request.POST.get("action") == "cancel":
        _forget(request, token)
        messages.success(request, f"已取消导入「{name}」，未保存任何数据")
        return redirect("web:upload", code)
    delete_missing = request.POST.get("delete_missing") == "1"
    actor = actor_for(request.user)
    try:
        read = _read(department, path, name)
        fed = request.POST.get("fed", "")
        resolve = (imports.choose_for_all(read.candidate, fed, request.POST.get("fed_reason", ""))
                   if fed in (imports.KEEP_LEDGER, imports.USE_TYPED) else None)
        applied = imports.apply(actor, read.candidate, name, reason=f"网页上传 {name}", delete_missing=delete_missing,
                                resolve=resolve)
    except ImportConflict as exc:
        return render(request, "web/upload.html", _context(
            request, department, notice=notice(exc), **preview_context(exc.preview, read, token, delete_missing)),
            status=STATUSES["conflict"])
    except (InputError, Denied, Conflict) as exc:
        return _answer(request, department, exc)
    _forget(request, token)
    messages.success(request, f"已导入「{name}」到 {applied.year} 年度：{applied.summary()}")
    return redirect("web:department", code, applied.year)
