"""绩效目标申报 in the browser: the projects' goals of a department-year, a project's form (code,
name, unit, category, goal, funds by source with 年初/全年预算), its indicator tree (add, edit,
delete, move up/down, pick from the library), the live read-back of a target as the system
understands it with the weight sum against the scheme and last year's actual value, a copy of
last year's project, and the goals workflow (submit, 部门审核, 财政审核, return with a comment).

Every change is one call of the application layer (``services.goals``, ``services.workflow``);
these views parse the form and render the answer, with each error beside its field.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Model
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from jixiao.budget import models as m
from jixiao.core import library as lib
from jixiao.core import model as core
from jixiao.core import quality, workflow
from jixiao.core.changes import Ref
from jixiao.core.display import fmt_score, fmt_value
from jixiao.core.editing import refusal
from jixiao.core.errors import InputError, Problem
from jixiao.core.schemes import Scheme, load_scheme
from jixiao.core.scoring import check_weights
from jixiao.services import goals as svc
from jixiao.services import library as library_svc
from jixiao.services import workflow as flow
from jixiao.services.actor import actor_for
from jixiao.services.errors import Conflict, Denied, ServiceError
from jixiao.services.history import object_key
from jixiao.web import access, presenters
from jixiao.web.data import scored
from jixiao.web.views.common import (
    Request,
    notice,
    page_context,
    posted_version,
    service_call,
)
from jixiao.web.views.home import return_comments


def _label(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


# The form fields by the label the application layer names in its problems (the models'
# verbose names), so that each error is shown beside its field.
PROJECT_LABELS = {_label(m.Project, f): f for f in ("code", "name", "unit", "category", "goal")}
INDICATOR_LABELS = {_label(m.Indicator, f): f for f in ("code", *svc.INDICATOR_FIELDS)}
FUND_LABELS = {_label(m.FundLine, "initial"): "initial", _label(m.FundLine, "budget"): "budget"}


class ProjectForm(forms.Form):
    code = forms.CharField(label=_label(m.Project, "code"), max_length=64, required=False,
                           widget=forms.TextInput(attrs={"autocomplete": "off"}))
    name = forms.CharField(label=_label(m.Project, "name"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"class": "wide"}))
    unit = forms.CharField(label=_label(m.Project, "unit"), max_length=200, required=False)
    category = forms.CharField(label=_label(m.Project, "category"), max_length=64, required=False,
                               widget=forms.TextInput(attrs={"list": "project-categories"}))
    goal = forms.CharField(label=_label(m.Project, "goal"), required=False,
                           widget=forms.Textarea(attrs={"rows": 3, "cols": 80}))


def _level_choices(scheme: Scheme) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    level1 = [(c.level1, c.level1) for c in scheme.categories]
    level2 = [(c.level1, [(x, x) for x in c.level2]) for c in scheme.categories]
    return level1, level2


class IndicatorForm(forms.Form):
    code = forms.CharField(label=_label(m.Indicator, "code"), max_length=64, required=False,
                           help_text="不填则自动编号")
    level1 = forms.ChoiceField(label=_label(m.Indicator, "level1"), required=False)
    level2 = forms.ChoiceField(label=_label(m.Indicator, "level2"), required=False)
    name = forms.CharField(label=_label(m.Indicator, "name"), max_length=300, required=False,
                           widget=forms.TextInput(attrs={"class": "wide"}))
    target_text = forms.CharField(label=_label(m.Indicator, "target_text"), max_length=300, required=False,
                                  help_text="如 ≥7个、≤90万元、90%-95%、按期完成")
    unit = forms.CharField(label=_label(m.Indicator, "unit"), max_length=32, required=False)
    weight = forms.CharField(label=_label(m.Indicator, "weight"), max_length=20, required=False)
    last_year_actual = forms.CharField(label=_label(m.Indicator, "last_year_actual"), max_length=300,
                                       required=False)
    basis = forms.CharField(label="取值依据", max_length=200, required=False,
                            widget=forms.TextInput(attrs={"list": "bases", "class": "wide"}))
    data_source = forms.CharField(label=_label(m.Indicator, "data_source"), max_length=200, required=False)
    core = forms.BooleanField(label=_label(m.Indicator, "core"), required=False)

    def __init__(self, *args: Any, scheme: Scheme, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        level1, level2 = _level_choices(scheme)
        known1 = {v for v, _ in level1}
        known2 = {v for _, group in level2 for v, _ in group}
        # a stored class the scheme does not know stays selectable (and is a quality finding)
        value1, value2 = self._value("level1"), self._value("level2")
        level1_field, level2_field = self.fields["level1"], self.fields["level2"]
        assert isinstance(level1_field, forms.ChoiceField) and isinstance(level2_field, forms.ChoiceField)
        level1_field.choices = [("", "请选择"), *level1,
                                *([(value1, value1)] if value1 and value1 not in known1 else [])]
        level2_field.choices = [("", "请选择"), *level2,
                                *([(value2, value2)] if value2 and value2 not in known2 else [])]

    def _value(self, name: str) -> str:
        if self.is_bound:
            return str(self.data.get(name, "") or "")
        return str(self.initial.get(name, "") or "")


def _add_problems(form: forms.Form, exc: InputError, labels: dict[str, str]) -> list[Problem]:
    """Put each problem beside the field it names; what names no field is returned for the
    table above the form."""
    rest = []
    for p in exc.problems:
        name = labels.get(p.field or "")
        if name and name in form.fields:
            form.add_error(name, p.message)
        else:
            rest.append(p)
    return rest


def _refusal_extra(exc: InputError | ServiceError, form: forms.Form, labels: dict[str, str]) -> dict:
    if isinstance(exc, InputError):
        return {"problems": presenters.problem_rows(_add_problems(form, exc, labels))}
    return {"notice": notice(exc)}


def _status_of(exc: InputError | ServiceError) -> int:
    return 409 if isinstance(exc, Conflict) else 403 if isinstance(exc, Denied) else 400


def _year(request: Request, code: str, year: int) -> m.DepartmentYear:
    return access.get_year_or_404(request.user, code, year)


def _dy(row: m.DepartmentYear) -> core.DepartmentYear:
    return scored(row).dy


def _project(dy: core.DepartmentYear, pcode: str) -> core.Project:
    p = next((p for p in dy.projects if p.code == pcode), None)
    if p is None:
        raise Http404("未找到该项目")
    return p


def _scheme(dy: core.DepartmentYear) -> Scheme:
    return load_scheme(dy.project_template)


def weight_summary(scheme: Scheme, indicators: list[core.Indicator]) -> dict:
    """The weights per 一级指标 against the scheme, the grand total with the execution block, and
    the scheme's own check of them (the same as the quality check and the scoring)."""
    sums: dict[str, Decimal] = {}
    blanks = 0
    for ind in indicators:
        if ind.weight is None:
            blanks += 1
        else:
            sums[ind.level1] = sums.get(ind.level1, Decimal(0)) + ind.weight
    ex = scheme.execution
    rows = []
    for c in scheme.categories:
        have = sums.get(c.level1, Decimal(0)) + (ex.weight if ex.level1 == c.level1 else Decimal(0))
        rows.append({"level1": c.level1, "have": fmt_value(have), "want": fmt_value(c.weight), "ok": have == c.weight})
    total = sum(sums.values(), Decimal(0)) + ex.weight
    problems = [p.message for p in check_weights(indicators, scheme)] if indicators else []
    return {"scheme": scheme.name, "rows": rows, "execution": ex.name, "execution_weight": fmt_value(ex.weight),
            "execution_own": ex.level1 is None, "total": fmt_value(total), "want": fmt_value(scheme.total),
            "ok": total == scheme.total and not blanks and not problems, "blanks": blanks, "problems": problems}


def _goal_findings(dy: core.DepartmentYear, pcode: str) -> list[dict]:
    out = []
    for f in quality.review_goals(dy):
        if f.project == pcode:
            out.append({"severity": f.severity, "where": f.indicator or "项目", "message": f.message,
                        "blocking": quality.blocking([f])})
    return out


def _fund_rows(project: core.Project | None, posted: list[svc.FundInput] | None = None) -> list[dict]:
    """One row per fund source: the stored line (with its version) or an empty one to fill."""
    lines = {f.fund_source: f for f in project.funds} if project else {}
    typed = {f.source: f for f in posted or []}
    out = []
    for n, source in enumerate(core.FUND_SOURCES):
        line = lines.get(source)
        t = typed.get(source)
        out.append({
            "n": n, "source": source, "stored": line is not None, "version": line.version if line else "",
            "initial": t.initial if t else (fmt_value(line.initial) if line and line.initial is not None else ""),
            "budget": t.budget if t else (fmt_value(line.budget) if line and line.budget is not None else ""),
            "executed": presenters.amount(line.executed) if line else "",
        })
    return out


def _posted_funds(request: Request) -> tuple[list[svc.FundInput], list[tuple[str, int | None]]]:
    """The fund rows typed in (a new source only when an amount is typed) and those to delete."""
    keep, drop = [], []
    for n, source in enumerate(core.FUND_SOURCES):
        initial = request.POST.get(f"fund-{n}-initial", "").strip()
        budget = request.POST.get(f"fund-{n}-budget", "").strip()
        raw_version = request.POST.get(f"fund-{n}-version", "").strip()
        version = int(raw_version) if raw_version.isdigit() else None
        stored = request.POST.get(f"fund-{n}-stored") == "1"
        if stored and request.POST.get(f"fund-{n}-delete"):
            drop.append((source, version))
        elif stored or initial or budget:
            keep.append(svc.FundInput(source, initial, budget, version))
    return keep, drop


def _categories(dy: core.DepartmentYear) -> list[str]:
    used = {p.category for p in dy.projects if p.category}
    return sorted(used) + [c for c in lib.load_library().categories if c != lib.COMMON and c not in used]


# ---------------------------------------------------------------------------------------------
# The goals overview


@login_required
@require_GET
def overview(request: Request, code: str, year: int) -> HttpResponse:
    row = _year(request, code, year)
    dy = _dy(row)
    actor = actor_for(request.user)
    scheme = _scheme(dy)
    projects = []
    for p in dy.projects:
        ws = weight_summary(scheme, p.indicators)
        projects.append({"p": p, "count": len(p.indicators), "weights": ws,
                         "budget": presenters.amount(p.budget), "initial": presenters.amount(p.initial_budget)})
    earlier = svc.earlier_projects(actor, code, year)
    ctx = page_context(request, row)
    locked = workflow.locked(dy.status)
    return render(request, "web/goals/overview.html", {
        **ctx, "projects": projects, "earlier": earlier, "earlier_year": earlier[0][0] if earlier else None,
        "may_create": ctx["perms_here"]["edit"] and not locked, "year_locked": locked,
        "money_unit": dy.money_unit, "stage": workflow.stage(workflow.GOALS).label})


# ---------------------------------------------------------------------------------------------
# A project: create, edit, delete, copy


def _project_page(request: Request, row: m.DepartmentYear, pcode: str, form: ProjectForm | None = None,
                  funds: list[svc.FundInput] | None = None, status: int = 200, **extra: Any) -> HttpResponse:
    dy = _dy(row)
    p = _project(dy, pcode)
    actor = actor_for(request.user)
    roles = actor.roles_in(row.department)
    scheme = _scheme(dy)
    if form is None:
        form = ProjectForm(initial={k: getattr(p, k) for k in svc.PROJECT_FIELDS})
    year_locked = workflow.locked(dy.status)
    goal_why = refusal(dy, Ref("project", pcode), "goal")
    indicator_why = refusal(dy, Ref("indicator", pcode, ""))
    may_edit = bool(page_context(request, row)["perms_here"]["edit"])
    earlier = library_svc.earlier_indicators(actor, row.department.code, row.year)
    rows = []
    for n, ind in enumerate(p.indicators):
        label, ok = presenters.target_label(ind.target_text, ind.unit)
        rows.append({"ind": ind, "parsed": label, "parsed_ok": ok, "weight": fmt_score(ind.weight),
                     "first": n == 0, "last": n == len(p.indicators) - 1,
                     "warning": lib.last_year_warning(ind.target_text, ind.unit, ind.last_year_actual),
                     "earlier": lib.earlier_for(ind.name, earlier)[:1]})
    key = object_key(row.department.code, row.year, Ref("project", pcode))
    return render(request, "web/goals/project.html", page_context(
        request, row, project=p, form=form, fund_rows=_fund_rows(p, funds), indicators=rows,
        weights=weight_summary(scheme, p.indicators), findings=_goal_findings(dy, pcode),
        may_edit=may_edit, goal_why=goal_why if may_edit else "", indicator_why=indicator_why if may_edit else "",
        project_why=refusal(dy, Ref("project", pcode), "name") if may_edit else "",
        goal_actions=[] if year_locked else flow.actions(actor, row.department, p.goal_status, workflow.GOALS),
        return_comment=return_comments(row, "goal_status").get(key), history_key=key,
        categories=_categories(dy), money_unit=dy.money_unit, stage=workflow.stage(workflow.GOALS).label,
        may_adjust=p.goal_status in workflow.stage(workflow.GOALS).frozen_statuses and workflow.may(roles, "adjust"),
        **extra), status=status)


@login_required
def project_new(request: Request, code: str, year: int) -> HttpResponse:
    row = _year(request, code, year)
    dy = _dy(row)
    form = ProjectForm(request.POST or None)
    funds: list[svc.FundInput] = []
    extra: dict = {}
    status = 200
    if request.method == "POST" and form.is_valid():
        funds, _ = _posted_funds(request)
        d = form.cleaned_data
        made, exc = service_call(svc.create_project, actor_for(request.user), code, year, d["code"],
                                 {k: d[k] for k in svc.PROJECT_FIELDS}, funds)
        if exc is None:
            messages.success(request, f"已新建项目 {made.ref.project}，请继续设置绩效指标")
            return redirect("web:goals_project", code, year, made.ref.project)
        extra = _refusal_extra(exc, form, {**PROJECT_LABELS, **FUND_LABELS, "资金来源": "code"})
        status = _status_of(exc)
    return render(request, "web/goals/project_new.html", page_context(
        request, row, form=form, fund_rows=_fund_rows(None, funds), categories=_categories(dy),
        money_unit=dy.money_unit, **extra), status=status)


@login_required
def project_goals(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = _year(request, code, year)
    if request.method != "POST":
        return _project_page(request, row, pcode)
    form = ProjectForm(request.POST)
    form.is_valid()
    d = form.cleaned_data
    funds, drop = _posted_funds(request)
    actor = actor_for(request.user)
    _, exc = service_call(svc.save_project, actor, code, year, pcode, {k: d.get(k, "") for k in svc.PROJECT_FIELDS},
                          posted_version(request), funds)
    if exc is None:
        for source, version in drop:
            _, exc = service_call(svc.delete_fund, actor, code, year, pcode, source, version)
            if exc is not None:
                break
    if exc is not None:
        row.refresh_from_db()
        return _project_page(request, row, pcode, form, funds, status=_status_of(exc),
                             **_refusal_extra(exc, form, {**PROJECT_LABELS, **FUND_LABELS}))
    messages.success(request, f"项目 {pcode} 已保存")
    return redirect("web:goals_project", code, year, pcode)


@login_required
@require_POST
def project_delete(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = _year(request, code, year)
    if not request.POST.get("confirm"):  # a project goes with its funds and indicators: asked first
        exc: InputError | ServiceError | None = InputError([Problem(f"项目 {pcode}", "请勾选“确认删除”后再删除项目",
                                                                    "确认删除")])
    else:
        _, exc = service_call(svc.delete_project, actor_for(request.user), code, year, pcode,
                              posted_version(request))
    if exc is not None:
        return _project_page(request, row, pcode, status=_status_of(exc),
                             **_refusal_extra(exc, ProjectForm(), PROJECT_LABELS))
    messages.success(request, f"项目 {pcode} 已删除")
    return redirect("web:goals", code, year)


@login_required
@require_POST
def project_copy(request: Request, code: str, year: int) -> HttpResponse:
    _year(request, code, year)  # scope: 404 outside the user's departments
    source = request.POST.get("source", "")
    from_year, _, from_code = source.partition("/")
    if not from_year.isdigit() or not from_code:
        messages.error(request, "请选择要复制的上年项目")
        return redirect("web:goals", code, year)
    made, exc = service_call(svc.copy_project, actor_for(request.user), code, year, int(from_year), from_code,
                             request.POST.get("code", ""))
    if exc is not None:
        text = "；".join(p.message for p in exc.problems) if isinstance(exc, InputError) else exc.message
        messages.error(request, f"未复制：{text}")
        return redirect("web:goals", code, year)
    messages.success(request, f"已复制 {from_year} 年度项目 {from_code} 为本年度项目 {made}（草稿），"
                              "请核对资金和指标值后提交审核")
    return redirect("web:goals_project", code, year, made)


@login_required
@require_POST
def goal_action(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    """A step of the project's goals workflow: submit, 部门审核通过, 财政审核通过, 退回修改."""
    row = _year(request, code, year)
    moved, exc = service_call(flow.transition, actor_for(request.user), code, year, Ref("project", pcode),
                              request.POST.get("action", ""), request.POST.get("comment", ""),
                              stage=workflow.GOALS, version=posted_version(request))
    if exc is not None:
        row.refresh_from_db()
        return _project_page(request, row, pcode, status=_status_of(exc),
                             **_refusal_extra(exc, ProjectForm(), {}))
    messages.success(request, f"{workflow.stage(workflow.GOALS).label}：已由「{moved.before}」改为「{moved.status}」")
    return redirect("web:goals_project", code, year, pcode)


# ---------------------------------------------------------------------------------------------
# Indicators


def _indicator_initial(ind: core.Indicator) -> dict:
    return {"code": ind.code, "level1": ind.level1, "level2": ind.level2, "name": ind.name,
            "target_text": ind.target_text or "", "unit": ind.unit, "weight": fmt_value(ind.weight) if ind.weight
            is not None else "", "last_year_actual": ind.last_year_actual or "", "basis": ind.basis,
            "data_source": ind.data_source, "core": ind.core}


def _from_library(request: Request, code: str, year: int) -> tuple[dict, str]:
    """The initial values a pick from the library (``?lib=KEY``) or from an earlier year
    (``?earlier=YEAR/PROJECT/INDICATOR``) gives the new indicator form, and where they came from."""
    key = request.GET.get("lib", "")
    if key:
        entry = lib.resolve(library_svc.entries(), key)
        if entry is None or entry.status != lib.ACTIVE:
            return {}, ""
        return ({"level1": entry.level1, "level2": entry.level2, "name": entry.name, "unit": entry.unit,
                 "basis": entry.basis, "target_text": ""},
                f"取自指标库：{entry.category} · {entry.name}（示例指标值 {entry.example or '—'}）")
    picked = request.GET.get("earlier", "")
    if picked:
        y, _, rest = picked.partition("/")
        pcode, _, icode = rest.partition("/")
        hit = next((e for e in library_svc.earlier_indicators(actor_for(request.user), code, year)
                    if str(e.year) == y and e.project == pcode and e.code == icode), None)
        if hit is None:
            return {}, ""
        return ({"level1": hit.level1, "level2": hit.level2, "name": hit.name, "unit": hit.unit,
                 "target_text": hit.target_text or "", "last_year_actual": hit.actual_text or "",
                 "weight": fmt_value(hit.weight) if hit.weight is not None else "", "basis": lib.basis_text(hit)},
                f"取自本单位 {hit.year} 年度项目 {hit.project} 的指标 {hit.code}")
    return {}, ""


def _indicator_page(request: Request, row: m.DepartmentYear, pcode: str, form: IndicatorForm,
                    ind: core.Indicator | None, status: int = 200, **extra: Any) -> HttpResponse:
    dy = _dy(row)
    p = _project(dy, pcode)
    return render(request, "web/goals/indicator.html", page_context(
        request, row, project=p, form=form, ind=ind, bases=lib.load_library().bases,
        readback=_readback(request, row, dy, p, form, ind), **extra), status=status)


def _form_values(form: IndicatorForm) -> dict[str, Any]:
    data = form.data
    out: dict[str, Any] = {f: str(data.get(f, "") or "").strip() for f in svc.INDICATOR_FIELDS if f != "core"}
    out["core"] = bool(data.get("core"))
    return out


def _readback(request: Request, row: m.DepartmentYear, dy: core.DepartmentYear, p: core.Project,
              form: IndicatorForm, ind: core.Indicator | None) -> dict:
    """What the system understands of the target being typed, the weight sum with this weight,
    last year's actual value against it, and the unit's earlier indicators of the same name."""
    v = _form_values(form) if form.is_bound else {k: form.initial.get(k, "") for k in svc.INDICATOR_FIELDS}
    target, unit = str(v.get("target_text") or ""), str(v.get("unit") or "")
    label, ok = presenters.target_label(target or None, unit)
    weight: Decimal | None = None
    weight_error = ""
    raw_weight = str(v.get("weight") or "").replace(",", "")
    if raw_weight:
        try:
            weight = Decimal(raw_weight)
            if not weight.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            weight_error = f"分值「{raw_weight}」不是数字"
            weight = None
    others = [i for i in p.indicators if ind is None or i.code != ind.code]
    this = core.Indicator(ind.code if ind else "新指标", str(v.get("level1") or ""), str(v.get("level2") or ""),
                          str(v.get("name") or ""), target or None, weight, unit=unit)
    at = next((n for n, i in enumerate(p.indicators) if ind is not None and i.code == ind.code), len(others))
    trial = [*others[:at], this, *others[at:]] if this.level1 else others
    scheme = _scheme(dy)
    level2_ok = True
    cat = scheme.category(this.level1) if this.level1 else None
    if cat is not None and this.level2 and this.level2 not in cat.level2:
        level2_ok = False
    earlier = []
    if this.name:
        mine = library_svc.earlier_indicators(actor_for(request.user), row.department.code, row.year)
        earlier = lib.earlier_for(this.name, mine)
    # last year's actual as typed, else the one of the same indicator last year
    last_year = earlier[0].actual_text if earlier and earlier[0].year == row.year - 1 else ""
    last = str(v.get("last_year_actual") or "") or last_year or ""
    return {"parsed": label, "parsed_ok": ok, "weights": weight_summary(scheme, trial), "weight_error": weight_error,
            "warning": lib.last_year_warning(target or None, unit, last or None), "last": last,
            "earlier": [{"e": e, "basis": lib.basis_text(e)} for e in earlier[:5]],
            "level2_ok": level2_ok, "level1": this.level1}


@login_required
@require_GET
def indicator_check(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    """htmx: the read-back of the indicator form as it is being typed (nothing is saved)."""
    row = _year(request, code, year)
    dy = _dy(row)
    p = _project(dy, pcode)
    icode = request.GET.get("editing", "")
    ind = next((i for i in p.indicators if i.code == icode), None) if icode else None
    form = IndicatorForm(request.GET, scheme=_scheme(dy))
    return render(request, "web/goals/_readback.html",
                  {"readback": _readback(request, row, dy, p, form, ind), "money_unit": dy.money_unit})


@login_required
def indicator_new(request: Request, code: str, year: int, pcode: str) -> HttpResponse:
    row = _year(request, code, year)
    dy = _dy(row)
    scheme = _scheme(dy)
    if request.method != "POST":
        initial, picked = _from_library(request, code, year)
        form = IndicatorForm(initial=initial, scheme=scheme)
        return _indicator_page(request, row, pcode, form, None, picked=picked)
    form = IndicatorForm(request.POST, scheme=scheme)
    made, exc = service_call(svc.create_indicator, actor_for(request.user), code, year, pcode, _form_values(form),
                             request.POST.get("code", ""))
    if exc is not None:
        row.refresh_from_db()
        return _indicator_page(request, row, pcode, form, None, status=_status_of(exc),
                               picked=request.POST.get("picked", ""),
                               **_refusal_extra(exc, form, INDICATOR_LABELS))
    messages.success(request, f"已新增指标 {made.ref.key}")
    if request.POST.get("then") == "library":
        return redirect(reverse("web:library_pick", args=[code, year, pcode]))
    return redirect(reverse("web:goals_project", args=[code, year, pcode]) + f"#ind-{made.ref.key}")


@login_required
def indicator_edit(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    row = _year(request, code, year)
    dy = _dy(row)
    p = _project(dy, pcode)
    ind = next((i for i in p.indicators if i.code == icode), None)
    if ind is None:
        raise Http404("未找到该指标")
    scheme = _scheme(dy)
    if request.method != "POST":
        return _indicator_page(request, row, pcode, IndicatorForm(initial=_indicator_initial(ind), scheme=scheme),
                               ind)
    form = IndicatorForm(request.POST, scheme=scheme)
    edited, exc = service_call(svc.edit_indicator, actor_for(request.user), code, year, pcode, icode,
                               _form_values(form), posted_version(request))
    if exc is not None:
        row.refresh_from_db()
        return _indicator_page(request, row, pcode, form, ind, status=_status_of(exc),
                               **_refusal_extra(exc, form, INDICATOR_LABELS))
    messages.success(request, f"指标 {icode} 已保存" if edited.changed else f"指标 {icode} 未变化")
    return redirect(reverse("web:goals_project", args=[code, year, pcode]) + f"#ind-{icode}")


@login_required
@require_POST
def indicator_delete(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    row = _year(request, code, year)
    _, exc = service_call(svc.delete_indicator, actor_for(request.user), code, year, pcode, icode,
                          posted_version(request))
    if exc is not None:
        return _project_page(request, row, pcode, status=_status_of(exc),
                             **_refusal_extra(exc, ProjectForm(), {}))
    messages.success(request, f"指标 {icode} 已删除")
    return redirect("web:goals_project", code, year, pcode)


@login_required
@require_POST
def indicator_move(request: Request, code: str, year: int, pcode: str, icode: str) -> HttpResponse:
    row = _year(request, code, year)
    step = -1 if request.POST.get("direction") == "up" else 1
    _, exc = service_call(svc.move_indicator, actor_for(request.user), code, year, pcode, icode, step,
                          posted_version(request))
    if exc is not None:
        return _project_page(request, row, pcode, status=_status_of(exc),
                             **_refusal_extra(exc, ProjectForm(), {}))
    return redirect(reverse("web:goals_project", args=[code, year, pcode]) + f"#ind-{icode}")
