"""Importing a park-ledger file (.xlsx or .json) in the browser: the file is read and checked,
the preview says what would be added, changed and left out, and only the confirmation imports it
(``jixiao.services.ledgers.preview_import`` / ``import_ledger``: all or nothing, stored records the
file leaves out kept unless the user ticks 同时删除). The same readers as ``jixiao <ledger> import``.

Between the preview and the confirmation the file waits in the upload folder of the budget upload
(``jixiao.web.views.upload``: ``JIXIAO_UPLOAD_DIR``, size limit, sweeping) under a random token
kept in the user's session."""
from __future__ import annotations

import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao.core.errors import InputError, Problem
from jixiao.enterprise import records as enterprise_records
from jixiao.invest import records as invest_records
from jixiao.land import excel as land_excel
from jixiao.land import records as land_records
from jixiao.services import ledgers
from jixiao.services.actor import actor_for
from jixiao.web import access
from jixiao.web.ledger_forms import ledger_context, ledger_or_404
from jixiao.web.views.common import Request, refused, service_call
from jixiao.web.views.upload import sweep, upload_dir, upload_limit

SESSION_KEY = "jixiao_ledger_uploads"
SUFFIXES = (".xlsx", ".json")
# Reading a ledger file: JSON names its department and year; a workbook takes them from the page
# (and the investment ledger its 计分单位: the stored year's, else the one typed in the form).
JSON_READERS: dict[str, Callable[[Path], Any]] = {
    "land": land_records.read_json, "invest": invest_records.read_json, "enterprise": enterprise_records.read_json}
EXCEL_READERS: dict[str, Callable[[Path, str, int, str], Any]] = {
    "land": lambda p, code, year, unit: land_excel.read_workbook(p, code, year),
    "invest": invest_records.read_excel,
    "enterprise": lambda p, code, year, unit: enterprise_records.read_excel(p, code, year),
}


def _read(ledger_key: str, path: Path, name: str, code: str, year: int, unit: str) -> Any:
    if path.suffix == ".json":
        core = JSON_READERS[ledger_key](path)
        if (core.department, core.year) != (code, year):
            raise InputError([Problem(name, f"文件中的部门、年度为 {core.department} {core.year}，"
                                            f"与本页 {code} {year} 不一致", "部门编码")])
        return core
    if ledger_key == "invest" and not unit:
        raise InputError([Problem(name, "导入 Excel 招商台账须填写计分单位", "计分单位")])
    return EXCEL_READERS[ledger_key](path, code, year, unit)


def _unit(ledger_key: str, code: str, year: int, typed: str) -> str:
    """The investment ledger's 计分单位 for a workbook: as typed, else the stored year's."""
    if ledger_key != "invest":
        return ""
    if typed.strip():
        return typed.strip()
    stored = ledger_or_404("invest").year_model._default_manager.filter(department__code=code, year=year)
    return stored.values_list("unit", flat=True).first() or ""


@login_required
@require_POST
def upload(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """Read the file and show what importing it would do."""
    led = ledger_or_404(ledger)
    access.get_year_or_404(request.user, code, year, permission="upload")
    sweep()
    back = reverse(f"{led.key}:records", args=[code, year])

    def page(extra: dict) -> HttpResponse:
        return render(request, "web/ledger_records.html", ledger_context(
            request, code, year, led, table=led.tables[0], tables=[(x.key, x.table.sheet) for x in led.tables],
            rows=[], **extra))

    file = request.FILES.get("file")
    name = Path(file.name or "").name if file else ""
    suffix = Path(name).suffix.lower()
    if file is None or suffix not in SUFFIXES:
        return refused(request, InputError([Problem(name or "上传文件", "请选择 .xlsx 或 .json 台账文件", "文件类型")]),
                       page)
    if (file.size or 0) > upload_limit():
        return refused(request, InputError([Problem(name, f"文件过大，上限 {upload_limit() // 1024 // 1024} MB",
                                                    "文件大小")]), page)
    folder = upload_dir()
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(18)
    path = folder / f"{token}{suffix}"
    with path.open("wb") as fh:
        for chunk in file.chunks():
            fh.write(chunk)
    unit = _unit(led.key, code, year, request.POST.get("unit", ""))
    try:
        core = _read(led.key, path, name, code, year, unit)
    except InputError as exc:
        path.unlink(missing_ok=True)
        return refused(request, exc, page)
    preview, exc2 = service_call(ledgers.preview_import, actor_for(request.user), led.key, core, name)
    if exc2 is not None:
        path.unlink(missing_ok=True)
        return refused(request, exc2, page)
    pending = dict(request.session.get(SESSION_KEY, {}))
    pending[token] = {"ledger": led.key, "code": code, "year": year, "name": name, "suffix": suffix, "unit": unit}
    request.session[SESSION_KEY] = pending
    return render(request, "web/ledger_upload.html", ledger_context(
        request, code, year, led, preview=preview, token=token, back=back, name=name))


@login_required
@require_POST
def confirm(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """Import the previewed file (or forget it: ``cancel``)."""
    led = ledger_or_404(ledger)
    access.get_year_or_404(request.user, code, year, permission="upload")
    token = request.POST.get("token", "")
    pending = dict(request.session.get(SESSION_KEY, {}))
    entry = pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    back = reverse(f"{led.key}:records", args=[code, year])
    if entry is None or (entry["ledger"], entry["code"], entry["year"]) != (led.key, code, year):
        messages.error(request, "预览已失效（已导入、已取消或超过保留时间），请重新上传文件")
        return redirect(back)
    path = upload_dir() / f"{token}{entry['suffix']}"
    try:
        if request.POST.get("cancel"):
            messages.success(request, f"已取消导入 {entry['name']}")
            return redirect(back)
        try:
            core = _read(led.key, path, entry["name"], code, year, entry["unit"])
        except (InputError, OSError):
            messages.error(request, "上传的文件已不在服务器上，请重新上传")
            return redirect(back)
        done, exc = service_call(ledgers.import_ledger, actor_for(request.user), led.key, core, entry["name"],
                                 confirm_delete=bool(request.POST.get("delete_missing")))
        if exc is not None:
            return refused(request, exc, lambda extra: render(request, "web/error.html", ledger_context(
                request, code, year, led, **extra)))
        preview, _ = done
        messages.success(request, f"已导入 {entry['name']}：新增 {preview.created} 条，修改 {preview.updated} 条")
        return redirect(back + "?" + urlencode({"table": led.tables[0].key}))
    finally:
        path.unlink(missing_ok=True)
