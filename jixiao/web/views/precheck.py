"""预检 and the reviewer's workpaper in the browser: the unit runs the 复核 rule pack before
submitting and sees, per indicator, the score a reviewer applying it would give and why; the
finance reviewer sees the same, the workpaper (底稿, 偏离度, 差值表) with its Excel download, and a
bureau-wide table of self-score against reviewed score with the rules behind the differences."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render

from jixiao.budget import models as m
from jixiao.core.errors import InputError
from jixiao.core.precheck import load_pack, pack_names
from jixiao.excel.workpaper import write_workpaper
from jixiao.services import precheck
from jixiao.services.actor import actor_for
from jixiao.services.errors import ServiceError
from jixiao.web.views.common import Request, generated, page_context


def _pack(request: Request) -> str:
    name = request.GET.get("pack", "default")
    return name if name in pack_names() else "default"


@login_required
def department(request: Request, code: str, year: int) -> HttpResponse:
    actor = actor_for(request.user)
    pack = _pack(request)
    try:
        checked, wp = precheck.stored_review(actor, code, year, pack)
    except (ServiceError, InputError):
        raise Http404 from None
    row = m.DepartmentYear.objects.select_related("department").get(department__code=code, year=year)
    counts = {s: sum(1 for f in checked.findings if f.severity == s) for s in ("P0", "P1", "P2")}
    return render(request, "web/precheck.html", page_context(
        request, row, checked=checked, wp=wp, counts=counts, pack=load_pack(pack), packs=pack_names(),
        projects=[(c, n, own, review, own - review) for c, n, own, review in wp.by_project()]))


@login_required
def workpaper(request: Request, code: str, year: int) -> HttpResponse:
    try:
        _, wp = precheck.stored_review(actor_for(request.user), code, year, _pack(request))
    except (ServiceError, InputError):
        raise Http404 from None
    return generated(f"{code}-{year}-复核底稿.xlsx", lambda path: write_workpaper(wp, path))


@login_required
def bureau(request: Request, code: str, year: int) -> HttpResponse:
    try:
        lines = precheck.bureau_summary(actor_for(request.user), code, year, _pack(request))
    except (ServiceError, InputError):
        raise Http404 from None
    bureau_row = m.Department.objects.get(code=code)
    return render(request, "web/precheck_bureau.html", {"bureau": bureau_row, "year_value": year, "lines": lines,
                                                        "pack": load_pack(_pack(request))})
