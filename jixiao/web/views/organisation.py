"""组织与用户: the units and users of the actor's scope, edited through
``jixiao.services.organisation``; the unit and user lists as a workbook (download, upload with
preview and confirmation); the first-run page while no administrator exists."""
from __future__ import annotations

import secrets
from pathlib import Path
from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from jixiao.core import organisation as org
from jixiao.core.errors import InputError, Problem
from jixiao.services import organisation
from jixiao.services.actor import actor_for
from jixiao.services.errors import ServiceError
from jixiao.web.presenters import problem_rows
from jixiao.web.views.common import Request, generated
from jixiao.web.views.upload import upload_dir, upload_limit

SESSION_KEY = "jixiao_org_upload"


def _problems(form: forms.Form, exc: InputError) -> list[dict]:
    """Put each problem next to its field when the form has it; the rest go to the table."""
    rest: list[Problem] = []
    labels = {f.label: name for name, f in form.fields.items()}
    for p in exc.problems:
        name = labels.get(p.field)
        if name:
            form.add_error(name, p.message)
        else:
            rest.append(p)
    return problem_rows(rest)


def _require(request: Request, what: str) -> None:
    if not organisation.may_manage(actor_for(request.user))[what]:
        raise Http404


# -- units --------------------------------------------------------------------------------------

class UnitForm(forms.Form):
    code = forms.CharField(label="单位编码", max_length=64)
    name = forms.CharField(label="单位名称", max_length=200)
    parent_code = forms.ChoiceField(label="上级单位编码", required=False)
    kind = forms.ChoiceField(label="类型", choices=[(k, k) for k in org.UNIT_KINDS], initial="单位")
    credit_code = forms.CharField(label="统一社会信用代码", max_length=18, required=False,
                                  help_text="18 位，可不填；填写时按国家标准校验")
    active = forms.BooleanField(label="启用", required=False, initial=True)


@login_required
def units(request: Request) -> HttpResponse:
    actor = actor_for(request.user)
    allowed = organisation.may_manage(actor)
    if not (allowed["units"] or allowed["users"]):
        raise Http404
    rows = organisation.units_in_scope(actor)
    depth: dict[int, int] = {}
    for d in rows:
        depth[d.id] = depth.get(d.parent_id, -1) + 1 if d.parent_id in depth else 0
    return render(request, "web/organisation/units.html", {
        "units": [{"d": d, "indent": depth[d.id]} for d in rows], "allowed": allowed})


@login_required
def unit_edit(request: Request, code: str | None = None) -> HttpResponse:
    _require(request, "units")
    actor = actor_for(request.user)
    scope = organisation.units_in_scope(actor)
    stored = next((d for d in scope if d.code == code), None) if code else None
    if code and stored is None:
        raise Http404
    choices = [("", "（无，顶级单位）")] + [(d.code, f"{d.name}（{d.code}）") for d in scope if d.code != code]
    initial = {}
    if stored is not None:
        initial = {"code": stored.code, "name": stored.name, "parent_code": stored.parent.code if stored.parent else "",
                   "kind": stored.kind, "credit_code": stored.credit_code, "active": stored.active}
    form = UnitForm(request.POST or None, initial=initial)
    cast(forms.ChoiceField, form.fields["parent_code"]).choices = choices
    if stored is not None:
        form.fields["code"].disabled = True
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        row = org.UnitRow(code=org.clean_code(stored.code if stored else c["code"]), name=c["name"].strip(),
                          parent_code=c["parent_code"] or "", kind=c["kind"],
                          credit_code=org.clean_code(c["credit_code"]).upper(), active=c["active"], location="单位")
        try:
            organisation.save_unit(actor, row)
        except InputError as exc:
            problems = _problems(form, exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"已保存单位 {row.name}（{row.code}）")
            return redirect("organisation:units")
    return render(request, "web/organisation/unit_edit.html", {"form": form, "stored": stored, "problems": problems},
                  status=400 if request.method == "POST" else 200)


# -- users --------------------------------------------------------------------------------------

class UserForm(forms.Form):
    username = forms.CharField(label="登录名", max_length=150)
    name = forms.CharField(label="姓名", max_length=150)
    unit_code = forms.ChoiceField(label="单位编码")
    role = forms.ChoiceField(label="角色")
    phone = forms.CharField(label="联系电话", max_length=32, required=False)
    active = forms.BooleanField(label="启用", required=False, initial=True)


@login_required
def users(request: Request) -> HttpResponse:
    _require(request, "users")
    actor = actor_for(request.user)
    return render(request, "web/organisation/users.html", {
        "users": organisation.users_in_scope(actor), "allowed": organisation.may_manage(actor)})


@login_required
def user_edit(request: Request, username: str | None = None) -> HttpResponse:
    _require(request, "users")
    actor = actor_for(request.user)
    scope = organisation.units_in_scope(actor)
    stored = None
    if username:
        stored = next((u for u in organisation.users_in_scope(actor) if u.username == username), None)
        if stored is None:
            raise Http404
    roles_anywhere = sorted({r for d in scope for r in org.assignable_roles(actor.roles_in(d))},
                            key=org.ROLES.index)
    initial = {}
    if stored is not None:
        code, _, role = stored.roles[0]
        initial = {"username": stored.username, "name": stored.name, "unit_code": code, "role": role,
                   "phone": stored.phone, "active": stored.active}
    form = UserForm(request.POST or None, initial=initial)
    cast(forms.ChoiceField, form.fields["unit_code"]).choices = [(d.code, f"{d.name}（{d.code}）") for d in scope]
    cast(forms.ChoiceField, form.fields["role"]).choices = [(r, r) for r in roles_anywhere]
    if stored is not None:
        form.fields["username"].disabled = True
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        row = org.UserRow(username=stored.username if stored else org.clean_code(c["username"]),
                          name=c["name"].strip(), unit_code=c["unit_code"], role=c["role"],
                          phone=org.clean_code(c["phone"]), active=c["active"], location="用户")
        try:
            saved = organisation.save_user(actor, row)
        except InputError as exc:
            problems = _problems(form, exc)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            if saved.password:
                messages.success(request, f"已建立用户 {saved.username}，初始密码：{saved.password}"
                                          "（仅显示一次，请告知本人；首次登录时须修改）")
            else:
                messages.success(request, f"已保存用户 {saved.username}")
            return redirect("organisation:users")
    return render(request, "web/organisation/user_edit.html", {"form": form, "stored": stored, "problems": problems},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_POST
def user_reset(request: Request, username: str) -> HttpResponse:
    _require(request, "users")
    try:
        password = organisation.reset_password(actor_for(request.user), username)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已重置用户 {username} 的密码，一次性密码：{password}"
                                  "（仅显示一次；下次登录时须修改）")
    return redirect("organisation:users")


@login_required
@require_POST
def user_active(request: Request, username: str) -> HttpResponse:
    _require(request, "users")
    active = request.POST.get("active") == "1"
    try:
        organisation.set_user_active(actor_for(request.user), username, active)
    except ServiceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"已{'启用' if active else '停用'}用户 {username}")
    return redirect("organisation:users")


# -- the lists as a workbook --------------------------------------------------------------------

@login_required
def org_export(request: Request) -> HttpResponse:
    actor = actor_for(request.user)
    allowed = organisation.may_manage(actor)
    if not (allowed["units"] or allowed["users"]):
        raise Http404
    return generated(f"单位与用户名单-{timezone.localdate():%Y%m%d}.xlsx",
                     lambda path: organisation.export_lists(actor, str(path)))


@login_required
def org_file(request: Request) -> HttpResponse:
    """GET: the upload form. POST with a file: the preview. POST ``apply``: import it."""
    actor = actor_for(request.user)
    allowed = organisation.may_manage(actor)
    if not (allowed["units"] or allowed["users"]):
        raise Http404
    context: dict = {"limit_mb": upload_limit() // 1024 // 1024, "problems": []}
    if request.method != "POST":
        return render(request, "web/organisation/file.html", context)
    token = request.POST.get("token", "")
    pending = request.session.get(SESSION_KEY, {})
    try:
        if request.POST.get("action") in ("apply", "cancel") and token in pending:
            path = upload_dir() / f"{token}.xlsx"
            if request.POST["action"] == "cancel":
                path.unlink(missing_ok=True)
                return redirect("organisation:units")
            units_, users_, exported_at = organisation.read_lists(str(path))
            done = organisation.apply_org(actor, units_, users_, exported_at)
            if done.preview.blocked:
                context.update(_preview_context(done.preview, token))
                return render(request, "web/organisation/file.html", context, status=409)
            path.unlink(missing_ok=True)
            request.session[SESSION_KEY] = {k: v for k, v in pending.items() if k != token}
            counts = done.preview.counts()
            summary = "，".join(f"{k} {v}" for k, v in sorted(counts.items()))
            messages.success(request, f"已导入单位与用户名单：{summary}")
            for username, password in done.passwords.items():
                messages.info(request, f"新用户 {username} 的初始密码：{password}（仅显示一次；首次登录时须修改）")
            return redirect("organisation:units")
        upload = request.FILES.get("file")
        if upload is None:
            raise InputError([Problem("上传文件", "请选择要导入的单位与用户名单（.xlsx）", "文件")])
        name = Path(upload.name or "").name
        if Path(name).suffix.lower() != ".xlsx":
            raise InputError([Problem(name or "上传文件", "只接受 Excel 工作簿（.xlsx）", "文件类型")])
        if (upload.size or 0) > upload_limit():
            raise InputError([Problem(name, f"文件过大，上限 {upload_limit() // 1024 // 1024} MB", "文件大小")])
        folder = upload_dir()
        folder.mkdir(parents=True, exist_ok=True)
        token = secrets.token_urlsafe(18)
        path = folder / f"{token}.xlsx"
        with path.open("wb") as fh:
            for chunk in upload.chunks():
                fh.write(chunk)
        try:
            units_, users_, exported_at = organisation.read_lists(str(path))
        except InputError:
            path.unlink(missing_ok=True)
            raise
        pending = {**pending, token: name}
        request.session[SESSION_KEY] = pending
        context.update(_preview_context(organisation.preview_org(actor, units_, users_, exported_at), token))
        return render(request, "web/organisation/file.html", context)
    except InputError as exc:
        context["problems"] = problem_rows(exc.problems)
        return render(request, "web/organisation/file.html", context, status=400)


def _preview_context(pv: organisation.OrgPreview, token: str) -> dict:
    return {"preview": {
        "token": token, "counts": sorted(pv.counts().items()), "blocked": pv.blocked,
        "rows": [c for c in pv.units + pv.users if c.action != "不变"],
        "problems": problem_rows(pv.problems), "conflicts": problem_rows(pv.conflicts)}}


# -- first run ----------------------------------------------------------------------------------

class FirstRunForm(forms.Form):
    bureau_code = forms.CharField(label="财政局编码", max_length=64, help_text="如 440112")
    bureau_name = forms.CharField(label="财政局名称", max_length=200)
    username = forms.CharField(label="管理员登录名", max_length=150)
    name = forms.CharField(label="管理员姓名", max_length=150, required=False)
    password = forms.CharField(label="密码", widget=forms.PasswordInput)
    password2 = forms.CharField(label="再次输入密码", widget=forms.PasswordInput)

    def clean(self) -> dict:
        data = super().clean() or {}
        if data.get("password") and data.get("password") != data.get("password2"):
            self.add_error("password2", "两次输入的密码不一致")
        return data


def first_run(request: Request) -> HttpResponse:
    """Only while nobody can administer the system: afterwards the page does not exist."""
    if organisation.has_administrator():
        raise Http404
    form = FirstRunForm(request.POST or None)
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        c = form.cleaned_data
        try:
            organisation.initialise(c["bureau_code"], c["bureau_name"], c["username"], c["password"], c["name"])
        except InputError as exc:
            for p in exc.problems:
                target = {"财政局": "bureau_code", "管理员": "username", "管理员密码": "password"}.get(p.location)
                if p.field == "单位名称":
                    target = "bureau_name"
                form.add_error(target, p.message)
        except ServiceError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, f"初始化完成：已建立 {c['bureau_name']} 和系统管理员 {c['username']}，请登录。")
            return redirect(reverse("web:login"))
    return render(request, "web/organisation/first_run.html", {"form": form, "problems": problems},
                  status=400 if request.method == "POST" else 200)

