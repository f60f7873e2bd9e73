"""The 佐证材料 page of a department-year: attach a file to an indicator's actual value, a monitoring
checkpoint or a rectification, see which scored indicators still lack evidence, download (through
this view, scoped like every page) and delete. Every change goes to ``jixiao.services.evidence``."""
from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jixiao.budget import models as m
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError
from jixiao.core.evidence import load_evidence_rules
from jixiao.core.workflow import may
from jixiao.services import evidence
from jixiao.services.actor import actor_for
from jixiao.services.errors import NotFound
from jixiao.web import access
from jixiao.web.data import scored
from jixiao.web.views.common import Request, page_context, refused, service_call

SEP = "|"  # between kind, project and key of a target in a form value


def target_value(ref: Ref) -> str:
    return SEP.join((ref.kind, ref.project, ref.key))


def evidence_url(code: str, year: int, ref: Ref | None = None) -> str:
    """The evidence page, with ``ref`` chosen as the target of the upload form."""
    url = reverse("evidence:list", args=[code, year])
    return f"{url}?{urlencode({'target': target_value(ref)})}#upload" if ref else url


def download_url(code: str, year: int, storage: str) -> str:
    return f"{reverse('evidence:download', args=[code, year])}?{urlencode({'f': storage})}"


def _bad_request(request: Request, row: m.DepartmentYear, message: str) -> HttpResponse:
    return render(request, "web/evidence.html", _context(request, row, upload_error=message), status=400)


def _parse_target(raw: str) -> Ref | None:
    parts = raw.split(SEP)
    if len(parts) != 3 or parts[0] not in evidence.KINDS:
        return None
    return Ref(*parts)


def _size(n: int) -> str:
    return f"{n / 1048576:.1f} MB" if n >= 1048576 else f"{max(1, round(n / 1024))} KB"


def _context(request: Request, row: m.DepartmentYear, **extra: Any) -> dict:
    data = scored(row)
    dy = data.dy
    code, year = row.department.code, row.year
    targets: list[tuple[str, str]] = [(target_value(Ref("indicator", "", i.code)), f"部门整体指标 {i.code} {i.name}")
                                      for i in dy.indicators]
    names: dict[Ref, str] = {Ref("indicator", "", i.code): f"部门整体 · {i.code} {i.name}" for i in dy.indicators}
    for p in dy.projects:
        for i in p.indicators:
            ref = Ref("indicator", p.code, i.code)
            targets.append((target_value(ref), f"项目 {p.code} · 指标 {i.code} {i.name}"))
            names[ref] = f"项目 {p.code} {p.name} · {i.code} {i.name}"
        for c in p.checkpoints:
            ref = Ref("checkpoint", p.code, str(c.month))
            targets.append((target_value(ref), f"项目 {p.code} · {c.month} 月监控表"))
            names[ref] = f"项目 {p.code} {p.name} · {c.month} 月监控表"
    for r in dy.rectifications:
        ref = Ref("rectification", "", r.code)
        targets.append((target_value(ref), f"整改事项 {r.code} {r.problem[:30]}"))
        names[ref] = f"整改事项 {r.code} {r.problem[:40]}"
    files = evidence.listing(code, year)
    groups = [{"label": names.get(ref, f"{ref.path()}（已删除）"), "ref": ref,
               "files": [{"e": e, "size": _size(e.size),
                          "url": download_url(code, year, e.storage)} for e in items]}
              for ref, items in sorted(files.items(), key=lambda kv: kv[0])]
    lacking = [{"project": pc, "ind": i, "url": evidence_url(code, year, Ref("indicator", pc, i.code))}
               for pc, i in evidence.missing(dy, data.result)]
    may_edit = may(actor_for(request.user).roles_in(row.department), "edit")
    rules = load_evidence_rules()
    return page_context(
        request, row, targets=targets, chosen=extra.pop("chosen", request.GET.get("target", "")), groups=groups,
        lacking=lacking, may_edit=may_edit, accepted=rules.accepted(), max_mb=rules.max_bytes // 1048576,
        accept=",".join(x for t in rules.types for x in t.extensions), **extra,
    )


@login_required
def listing(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    return render(request, "web/evidence.html", _context(request, row))


@login_required
@require_POST
def upload(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    chosen = request.POST.get("target", "")
    ref = _parse_target(chosen)
    upload_file = request.FILES.get("file")
    if ref is None:
        return render(request, "web/evidence.html",
                      _context(request, row, chosen=chosen, upload_error="请选择佐证材料所属的指标、监控表或整改事项"),
                      status=400)
    name = upload_file.name if upload_file is not None else ""
    data = upload_file.read() if upload_file is not None else b""
    saved, exc = service_call(evidence.attach, actor_for(request.user), code, year, ref, name or "", data,
                              request.POST.get("note", ""))
    if isinstance(exc, InputError):
        return render(request, "web/evidence.html",
                      _context(request, row, chosen=chosen, upload_error="；".join(p.message for p in exc.problems)),
                      status=400)
    if exc is not None:
        return refused(request, exc, lambda extra: render(request, "web/evidence.html",
                                                          _context(request, row, chosen=chosen, **extra)))
    messages.success(request, f"已上传「{saved.name}」（{ref.path()}）")
    return redirect(evidence_url(code, year, ref))


@login_required
@require_POST
def delete(request: Request, code: str, year: int) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    raw = request.POST.get("evidence", "").strip()
    if not raw.isdigit():
        return _bad_request(request, row, "请选择要删除的佐证材料")
    evidence_id = int(raw)
    _, exc = service_call(evidence.delete, actor_for(request.user), code, year, evidence_id,
                          request.POST.get("reason", ""))
    if exc is not None:
        return refused(request, exc,
                       lambda extra: render(request, "web/evidence.html", _context(request, row, **extra)))
    messages.success(request, "已删除该佐证材料（变更记录中保留文件名）")
    return redirect(reverse("evidence:list", args=[code, year]))


@login_required
@require_GET
def download(request: Request, code: str, year: int) -> HttpResponse | FileResponse:
    row = access.get_year_or_404(request.user, code, year)
    storage = request.GET.get("f", "").strip()
    if not storage:
        return _bad_request(request, row, "未指定要下载的佐证材料")
    try:
        e, path = evidence.open_file(actor_for(request.user), code, year, storage)
    except NotFound as exc:
        raise Http404(exc.message) from None
    ft = load_evidence_rules().type(e.file_type)
    response = FileResponse(path.open("rb"), content_type=ft.content_type)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(e.name)}"
    return response
