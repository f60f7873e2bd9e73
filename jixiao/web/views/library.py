"""指标库 in the browser: picking a project's indicators from the library (common indicators by
category and class, and the unit's own indicators of earlier years with their targets and actual
values), and finance's curation of the library (add, retire, restore, merge).

The picker only opens the indicator form filled in (``views.goals.indicator_new?lib=…``); the
target is set there, where its read-back, the weight sum and the below-last-year warning show.
Curation is one call of ``services.library`` per step.
"""
from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from jixiao.core import library as lib
from jixiao.core.errors import InputError
from jixiao.core.schemes import load_scheme
from jixiao.core.workflow import locked
from jixiao.services import library as svc
from jixiao.services.actor import actor_for
from jixiao.services.errors import Conflict, ServiceError
from jixiao.web import access, presenters
from jixiao.web.data import scored
from jixiao.web.views.common import Request, notice, page_context, service_call

# The provenance tags of a rules file's source (confirmed/recalled/inferred) are for maintainers.
PROVENANCE_TAG = re.compile(r"（(?:confirmed|recalled|inferred)）")
# Rows shown at once on the picker; a narrower search shows the rest.
PICK_LIMIT = 120
# The add form's fields by the label the application layer names in its problems.
ADD_LABELS = dict(svc.LABELS)
FIELD_OF = {label: name for name, label in svc.LABELS.items()}


def _key(name: str) -> str:
    return name.replace(" ", "")


@login_required
@require_GET
def pick(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = access.get_year_or_404(request.user, code, year)
    dy = scored(row).dy
    p = next((x for x in dy.projects if x.code == pcode), None)
    if p is None:
        raise Http404("未找到该项目")
    library = lib.load_library()
    suggested = lib.suggest_categories(library, p.name, p.category)
    category = request.GET.get("category", suggested[0] if suggested else "")
    if category and category not in library.categories:
        category = ""
    level1 = request.GET.get("level1", "")
    text = request.GET.get("q", "").strip()
    found = lib.search(svc.entries(), category=category, level1=level1, text=text)
    have = {_key(i.name) for i in p.indicators}
    earlier = [e for e in svc.earlier_indicators(actor_for(request.user), code, year)
               if (not text or text in e.name) and (not level1 or e.level1 == level1)]
    new_url = reverse("web:goals_indicator_new", args=[code, year, pcode])
    return render(request, "web/library/pick.html", page_context(
        request, row, project=p, library=library, category=category, level1=level1, q=text,
        suggested=suggested, level1s=[c.level1 for c in load_scheme(dy.project_template).categories],
        entries=[{"e": e, "have": _key(e.name) in have} for e in found[:PICK_LIMIT]],
        more=max(0, len(found) - PICK_LIMIT), earlier=[{"e": e, "have": _key(e.name) in have} for e in earlier[:60]],
        new_url=new_url, year_locked=locked(dy.status)))


def _curate_page(request: Request, category: str, text: str, typed: dict | None = None,
                 errors: dict[str, list[str]] | None = None, status: int = 200) -> HttpResponse:
    library = lib.load_library()
    if category not in library.categories:
        category = ""
    everything = svc.entries()
    found = [e for e in lib.search(everything, text=text, include_inactive=True)
             if not category or e.category == category]
    versions = svc.entry_versions()
    active = [e for e in everything if e.status == lib.ACTIVE]
    return render(request, "web/library/curate.html", {
        "library": library, "category": category, "q": text, "may_curate": svc.may_curate(actor_for(request.user)),
        "rows": [{"e": e, "version": versions.get(e.key, 0),
                  "into": lib.resolve(everything, e.key) if e.status == lib.MERGED else None} for e in found],
        "targets": [e for e in active if not category or e.category in (category, lib.COMMON)],
        "counts": {s: sum(e.status == s for e in everything) for s in lib.STATUSES},
        "scheme": load_scheme(svc.LIBRARY_SCHEME), "typed": typed or {"category": category}, "errors": errors or {},
        "labels": ADD_LABELS, "source": PROVENANCE_TAG.sub("", library.source),
    }, status=status)


@login_required
def curate(request: Request) -> HttpResponse:
    """The library with its curation: every entry (retired and merged ones too) of a category;
    a POST is one curation step (``action``: add, retire, restore, merge)."""
    if request.method != "POST":
        return _curate_page(request, request.GET.get("category", lib.load_library().categories[0]),
                            request.GET.get("q", "").strip())
    actor = actor_for(request.user)
    action = request.POST.get("action", "")
    key = request.POST.get("key", "")
    reason = request.POST.get("reason", "")
    raw_version = request.POST.get("version", "").strip()
    version = int(raw_version) if raw_version.isdigit() else None
    category = request.POST.get("category", "")
    back = reverse("web:library") + f"?category={category}"
    exc: InputError | ServiceError | None
    if action == "add":
        values = {f: request.POST.get(f, "") for f in lib.FIELDS}
        done, exc = service_call(svc.add_entry, actor, values, reason)
        if exc is None:
            messages.success(request, f"已新增指标库指标 {done.key} {done.name}")
            return redirect(reverse("web:library") + f"?category={done.category}#lib-{done.key}")
        errors: dict[str, list[str]] = {}
        if isinstance(exc, InputError):
            for p in exc.problems:  # beside the field the problem names
                errors.setdefault(FIELD_OF.get(p.field or "", "reason"), []).append(p.message)
        else:
            errors["name"] = [notice(exc)["message"]]
        return _curate_page(request, values["category"] or category, "", {**values, "reason": reason}, errors,
                            status=400 if isinstance(exc, InputError) else 409 if isinstance(exc, Conflict) else 403)
    elif action == "retire":
        done, exc = service_call(svc.retire_entry, actor, key, reason, version)
    elif action == "restore":
        done, exc = service_call(svc.restore_entry, actor, key, reason, version)
    elif action == "merge":
        done, exc = service_call(svc.merge_entry, actor, key, request.POST.get("into", ""), reason, version)
    else:
        messages.error(request, f"未知的操作「{action}」")
        return redirect(back)
    if exc is not None:
        if isinstance(exc, InputError):
            for shown in presenters.problem_rows(exc.problems):
                messages.error(request, f"{key} 未保存：{shown['field']}：{shown['message']}")
        else:
            messages.error(request, f"{key} 未执行：{notice(exc)['message']}")
        return redirect(back + f"#lib-{key}")
    messages.success(request, f"指标 {done.key} {done.name}：{done.status}")
    return redirect(back + f"#lib-{done.key}")
