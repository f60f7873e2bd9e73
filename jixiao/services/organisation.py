"""The organisation's use cases: the bureau and its units, users and their roles.

The unit tree, unit names and memberships change only here — never by a department-year import
(``jixiao import`` of a unit's file names its parent; that is a warning, not a change). Who may:

- a 系统管理员 (a superuser everywhere; a membership at a bureau for its subtree) creates, edits
  and deactivates units and users below it and assigns any role (``organise``);
- a 部门管理员 manages the users of their unit and the units below it, with the roles
  ``assignable_roles`` gives them (``manage_users``, ``rules/workflow.json``).

Nothing is deleted: a unit or a user is deactivated, and every change is written to the one
history (``budget.ChangeLog``, labels 单位 / 用户).
"""
from __future__ import annotations

import secrets
import string
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.core import organisation as org
from jixiao.core.errors import InputError, Problem
from jixiao.core.organisation import assignable_roles
from jixiao.core.workflow import may
from jixiao.excel.organisation import read_workbook, write_workbook
from jixiao.organisation.models import Profile
from jixiao.services import history
from jixiao.services.actor import ADMIN_ROLE, Actor
from jixiao.services.errors import Conflict, Denied, NotFound

UNIT_LABEL, USER_LABEL = "单位", "用户"
UNIT_FIELDS = {"name": "单位名称", "parent_code": "上级单位编码", "kind": "类型", "credit_code": "统一社会信用代码",
               "active": "状态"}
USER_FIELDS = {"name": "姓名", "role": "角色", "phone": "联系电话", "active": "状态"}


# -- who may ------------------------------------------------------------------------------------

def _superadmin(actor: Actor) -> bool:
    """The command line, or a superuser: an administrator of the whole system."""
    return actor.system or bool(actor.user is not None and actor.user.is_superuser and actor.active)


def _may_organise(actor: Actor, unit: m.Department | None) -> bool:
    if unit is None:  # a root unit (a bureau): only an administrator of the whole system
        return _superadmin(actor)
    return may(actor.roles_in(unit), "organise")


def _check_assign(actor: Actor, unit: m.Department, role: str) -> None:
    held = actor.roles_in(unit)
    if not may(held, "manage_users"):
        raise NotFound("未找到该单位，或无权管理其用户", unit.code)
    allowed = assignable_roles(held)
    if role not in allowed:
        raise Denied(f"您的角色不能授予「{role}」（可授予：{'、'.join(allowed) or '无'}）", unit.code)


def _unit(actor: Actor, code: str) -> m.Department:
    row = m.Department.objects.filter(code=code).first()
    if row is None or not may(actor.roles_in(row), "view"):
        raise NotFound("未找到该单位，或无权访问", code)
    return row


def has_administrator() -> bool:
    """Whether anybody can administer the system yet (the first-run page asks this)."""
    User = get_user_model()
    return (User.objects.filter(is_active=True, is_superuser=True).exists()
            or m.Membership.objects.filter(role=ADMIN_ROLE, user__is_active=True).exists())


def units_in_scope(actor: Actor) -> list[m.Department]:
    """The units the actor sees, in tree order (each parent before its children)."""
    roles = actor.role_map()
    rows = {d.id: d for d in m.Department.objects.filter(id__in=list(roles)).select_related("parent")}
    children: dict[int | None, list[m.Department]] = {}
    for d in rows.values():
        parent = d.parent_id if d.parent_id in rows else None
        children.setdefault(parent, []).append(d)
    out: list[m.Department] = []
    stack = sorted(children.get(None, []), key=lambda d: d.code, reverse=True)
    seen: set[int] = set()
    while stack:
        d = stack.pop()
        if d.id in seen:
            continue
        seen.add(d.id)
        out.append(d)
        stack.extend(sorted(children.get(d.id, []), key=lambda x: x.code, reverse=True))
    return out


def may_manage(actor: Actor) -> dict[str, bool]:
    """What the organisation pages offer this actor: units, users."""
    roles = actor.role_map()
    held = set().union(*roles.values()) if roles else set()
    return {"units": may(frozenset(held), "organise") or _may_organise(actor, None),
            "users": may(frozenset(held), "manage_users")}


# -- units --------------------------------------------------------------------------------------

def _unit_values(d: m.Department) -> dict[str, str]:
    return {"name": d.name, "parent_code": d.parent.code if d.parent else "", "kind": d.kind,
            "credit_code": d.credit_code, "active": "启用" if d.active else "停用"}


def _row_values(row: org.UnitRow) -> dict[str, str]:
    return {"name": row.name, "parent_code": row.parent_code, "kind": row.kind, "credit_code": row.credit_code,
            "active": "启用" if row.active else "停用"}


def _parents_with(row: org.UnitRow, extra: dict[str, str] | None = None) -> dict[str, str]:
    parents = dict(m.Department.objects.filter(parent__isnull=False).values_list("code", "parent__code"))
    parents.update(extra or {})
    if row.parent_code:
        parents[row.code] = row.parent_code
    else:
        parents.pop(row.code, None)
    return parents


def _save_unit(actor: Actor, row: org.UnitRow, parents: dict[str, str], reason: str) -> tuple[m.Department, str]:
    problems = org.unit_problems(row)
    if problems:
        raise InputError(problems)
    stored = m.Department.objects.filter(code=row.code).select_related("parent").first()
    parent = None
    if row.parent_code:
        parent = m.Department.objects.filter(code=row.parent_code).first()
        if parent is None:
            raise InputError([Problem(row.location or row.code,
                                      f"上级单位「{row.parent_code}」不存在，请先建立上级单位", "上级单位编码")])
    # the unit itself (when it exists) and its new place must both be the actor's to organise
    if stored is not None and not _may_organise(actor, stored.parent if stored.parent else None) \
            and not _may_organise(actor, stored):
        raise NotFound("未找到该单位，或无权管理", row.code)
    moved = stored is None or (stored.parent.code if stored.parent else "") != row.parent_code
    if moved and not _may_organise(actor, parent):
        raise Denied("您只能在自己管辖的单位下建立或调整单位" if parent else "只有系统管理员可以建立顶级单位（财政局）",
                     row.location or row.code)
    loop = org.cycle_from(row.code, parents)
    if loop:
        raise InputError([Problem(row.location or row.code, f"上级关系形成循环：{' → '.join(loop)}", "上级单位编码")])
    after = _row_values(row)
    if stored is None:
        stored = m.Department.objects.create(code=row.code, name=row.name, parent=parent, kind=row.kind,
                                             credit_code=row.credit_code, active=row.active)
        history.record(who=actor.name, department=row.code, year=None, label=UNIT_LABEL, object_id=stored.pk,
                       version=None, key=f"单位/{row.code}", name=row.name, field="（新建）", before=None,
                       after=row.name, reason=reason)
        return stored, "新增"
    before = _unit_values(stored)
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if not changed:
        return stored, "不变"
    stored.name, stored.parent, stored.kind = row.name, parent, row.kind
    stored.credit_code, stored.active = row.credit_code, row.active
    stored.save(update_fields=["name", "parent", "kind", "credit_code", "active"])
    for k, v in changed.items():
        history.record(who=actor.name, department=row.code, year=None, label=UNIT_LABEL, object_id=stored.pk,
                       version=None, key=f"单位/{row.code}", name=row.name, field=UNIT_FIELDS[k], before=before[k],
                       after=v, reason=reason)
    return stored, "修改"


def save_unit(actor: Actor, row: org.UnitRow, reason: str = "") -> m.Department:
    """Create a unit or change one (name, parent, kind, credit code, active)."""
    with transaction.atomic():
        unit, _ = _save_unit(actor, row, _parents_with(row), reason)
    actor.forget_roles()
    return unit


def set_unit_active(actor: Actor, code: str, active: bool, reason: str = "") -> m.Department:
    unit = _unit(actor, code)
    row = org.UnitRow(code=unit.code, name=unit.name, parent_code=unit.parent.code if unit.parent else "",
                      kind=unit.kind, credit_code=unit.credit_code, active=active)
    return save_unit(actor, row, reason)


# -- users --------------------------------------------------------------------------------------

def temporary_password() -> str:
    """A one-time password that passes any reasonable policy: 14 characters of four classes."""
    alphabet = string.ascii_letters + string.digits
    body = [secrets.choice(alphabet) for _ in range(10)]
    return "".join(body) + secrets.choice("ABCDEFGHJKLMNPQRSTUVWXYZ") + secrets.choice("abcdefghijkmnpqrstuvwxyz") \
        + secrets.choice("23456789") + secrets.choice("#%+=@")


def _assign_password(user: Any, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    user.save()
    profile, _ = Profile.objects.get_or_create(user=user)
    profile.assigned_password = user.password if must_change else ""
    profile.assigned_at = timezone.now()
    profile.save()


def check_password_policy(password: str, user: Any = None, where: str = "密码") -> None:
    """The site's password policy (``AUTH_PASSWORD_VALIDATORS``), as an InputError."""
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise InputError([Problem(where, msg, "密码") for msg in exc.messages]) from None


@dataclass
class SavedUser:
    username: str
    action: str  # 新增 / 修改 / 不变
    password: str = ""  # the one-time password of a new account, shown once


def _user_values(user: Any, unit_code: str) -> dict[str, str]:
    """A stored user as the user list shows them in one unit: the fields a row can change."""
    profile = Profile.objects.filter(user=user).first()
    roles_here = sorted(m.Membership.objects.filter(user=user, department__code=unit_code)
                        .values_list("role", flat=True))
    return {"name": user.first_name, "role": "、".join(roles_here), "phone": profile.phone if profile else "",
            "active": "启用" if user.is_active else "停用"}


def _user_row_values(row: org.UserRow) -> dict[str, str]:
    return {"name": row.name[:150], "role": row.role, "phone": row.phone, "active": "启用" if row.active else "停用"}


def _save_user(actor: Actor, row: org.UserRow, reason: str) -> SavedUser:
    problems = org.user_problems(row)
    if problems:
        raise InputError(problems)
    unit = m.Department.objects.filter(code=row.unit_code).first()
    if unit is None or not may(actor.roles_in(unit), "view"):
        raise InputError([Problem(row.location or row.username, f"单位「{row.unit_code}」不存在或不在您的管辖范围内",
                                  "单位编码")])
    _check_assign(actor, unit, row.role)
    User = get_user_model()
    user = User.objects.filter(username=row.username).first()
    key = f"用户/{row.username}"
    if user is None:
        user = User.objects.create(username=row.username, first_name=row.name[:150], is_active=row.active)
        password = temporary_password()
        _assign_password(user, password, must_change=True)
        Profile.objects.filter(user=user).update(phone=row.phone)
        m.Membership.objects.create(user=user, department=unit, role=row.role)
        history.record(who=actor.name, department=unit.code, year=None, label=USER_LABEL, object_id=user.pk,
                       version=None, key=key, name=row.name, field="（新建）", before=None,
                       after=f"{row.role}（{unit.code}）", reason=reason)
        return SavedUser(row.username, "新增", password)
    # an existing account is the actor's to change only when every unit it belongs to is
    for membership in m.Membership.objects.filter(user=user).select_related("department"):
        if not may(actor.roles_in(membership.department), "manage_users"):
            raise Denied(f"用户「{row.username}」还属于您管辖范围以外的单位，不能在此修改",
                         row.location or row.username)
    if user.is_superuser and not _superadmin(actor):
        raise Denied("不能修改系统管理员账号", row.location or row.username)
    profile, _ = Profile.objects.get_or_create(user=user)
    before, after = _user_values(user, unit.code), _user_row_values(row)
    changed = {k: v for k, v in after.items() if before[k] != v}
    if not changed:
        return SavedUser(row.username, "不变")
    user.first_name, user.is_active = row.name[:150], row.active
    user.save(update_fields=["first_name", "is_active"])
    profile.phone = row.phone
    profile.save(update_fields=["phone"])
    if "role" in changed:
        m.Membership.objects.filter(user=user, department=unit).delete()
        m.Membership.objects.create(user=user, department=unit, role=row.role)
    for k, v in changed.items():
        history.record(who=actor.name, department=unit.code, year=None, label=USER_LABEL, object_id=user.pk,
                       version=None, key=key, name=row.name, field=USER_FIELDS[k], before=before[k], after=v,
                       reason=reason)
    return SavedUser(row.username, "修改")


def save_user(actor: Actor, row: org.UserRow, reason: str = "") -> SavedUser:
    """Create a user (with a one-time password to change at first login) or change one's name,
    phone, role in a unit or active flag."""
    with transaction.atomic():
        return _save_user(actor, row, reason)


def _managed_user(actor: Actor, username: str) -> Any:
    User = get_user_model()
    user = User.objects.filter(username=username).first()
    if user is None:
        raise NotFound("未找到该用户，或无权管理", username)
    if _superadmin(actor):
        return user
    if user.is_superuser:
        raise Denied("不能修改系统管理员账号", username)
    memberships = list(m.Membership.objects.filter(user=user).select_related("department"))
    if not memberships or not all(may(actor.roles_in(x.department), "manage_users") for x in memberships):
        raise NotFound("未找到该用户，或无权管理", username)
    return user


def reset_password(actor: Actor, username: str) -> str:
    """A new one-time password for ``username``, to be changed at the next login. Returned once."""
    with transaction.atomic():
        user = _managed_user(actor, username)
        password = temporary_password()
        _assign_password(user, password, must_change=True)
        unit = m.Membership.objects.filter(user=user).values_list("department__code", flat=True).first() or ""
        history.record(who=actor.name, department=unit, year=None, label=USER_LABEL, object_id=user.pk,
                       version=None, key=f"用户/{username}", name=user.first_name or username, field="密码",
                       before=None, after="已重置（须在下次登录时修改）", reason="")
    return password


def set_user_active(actor: Actor, username: str, active: bool) -> None:
    with transaction.atomic():
        user = _managed_user(actor, username)
        if user.is_active == active:
            return
        if actor.user is not None and actor.user.pk == user.pk and not active:
            raise Denied("不能停用自己的账号", username)
        user.is_active = active
        user.save(update_fields=["is_active"])
        unit = m.Membership.objects.filter(user=user).values_list("department__code", flat=True).first() or ""
        history.record(who=actor.name, department=unit, year=None, label=USER_LABEL, object_id=user.pk,
                       version=None, key=f"用户/{username}", name=user.first_name or username, field="状态",
                       before="停用" if active else "启用", after="启用" if active else "停用", reason="")


@dataclass
class UserRoles:
    username: str
    name: str
    active: bool
    superuser: bool
    phone: str
    must_change_password: bool
    roles: list[tuple[str, str, str]]  # (unit code, unit name, role)


def users_in_scope(actor: Actor) -> list[UserRoles]:
    """Every user with a membership in the actor's units, with all their roles (one page)."""
    units = {d.id for d in units_in_scope(actor)}
    rows = (m.Membership.objects.filter(department_id__in=units).select_related("user", "department")
            .order_by("user__username", "department__code"))
    users: dict[int, UserRoles] = {}
    profiles = {p.user_id: p for p in Profile.objects.filter(user__memberships__department_id__in=units)
                .select_related("user")}
    for r in rows:
        p = profiles.get(r.user_id)
        u = users.setdefault(r.user_id, UserRoles(
            r.user.username, r.user.first_name, r.user.is_active, r.user.is_superuser, p.phone if p else "",
            bool(p and p.must_change_password), []))
        u.roles.append((r.department.code, r.department.name, r.role))
    return list(users.values())


# -- first run ----------------------------------------------------------------------------------

@dataclass
class Initialised:
    bureau: m.Department
    username: str


def initialise(bureau_code: str, bureau_name: str, username: str, password: str, name: str = "") -> Initialised:
    """The first run: the bureau (a root unit of kind 财政局) and the first system administrator,
    whose password goes through the policy. Refused once any administrator exists."""
    code, username = org.clean_code(bureau_code), username.strip()
    problems = org.unit_problems(org.UnitRow(code=code, name=bureau_name.strip(), kind="财政局", location="财政局"))
    problems += org.user_problems(org.UserRow(username=username, name=name.strip() or username,
                                              unit_code=code, role=ADMIN_ROLE, location="管理员"))
    if problems:
        raise InputError(problems)
    User = get_user_model()
    with transaction.atomic():
        if has_administrator():
            raise Conflict("系统已有管理员，无需再次初始化；请用管理员账号登录后在“组织与用户”中管理", "初始化")
        if User.objects.filter(username=username).exists():
            raise Conflict(f"登录名「{username}」已被使用，请换一个", "管理员")
        user = User(username=username, first_name=(name.strip() or username)[:150], is_active=True,
                    is_staff=True, is_superuser=True)
        check_password_policy(password, user, "管理员密码")
        bureau = m.Department.objects.filter(code=code).first()
        if bureau is None:
            bureau = m.Department.objects.create(code=code, name=bureau_name.strip(), kind="财政局")
        elif bureau.parent_id is not None:
            raise Conflict(f"单位「{code}」已存在且不是顶级单位，不能作为财政局", "财政局")
        _assign_password(user, password, must_change=False)
        m.Membership.objects.create(user=user, department=bureau, role=ADMIN_ROLE)
        history.record(who="系统（初始化）", department=code, year=None, label=UNIT_LABEL, object_id=bureau.pk,
                       version=None, key=f"单位/{code}", name=bureau.name, field="（初始化）", before=None,
                       after=f"财政局 {bureau.name}，管理员 {username}", reason="首次运行初始化")
    return Initialised(bureau, username)


# -- the unit and user lists as a file -----------------------------------------------------------

@dataclass
class OrgPreview:
    units: list[org.Change] = field(default_factory=list)
    users: list[org.Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # errors: nothing is applied while any
    conflicts: list[Problem] = field(default_factory=list)  # changed by someone else since the export
    warnings: list[Problem] = field(default_factory=list)

    @property
    def blocked(self) -> bool:
        return bool(self.problems or self.conflicts)

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for c in self.units + self.users:
            out[f"{c.kind}{c.action}"] = out.get(f"{c.kind}{c.action}", 0) + 1
        return out


def _changed_since(exported_at: datetime | None, labels: tuple[str, ...]) -> dict[str, tuple[str, datetime]]:
    """Object key → (who, when) of the latest change after the file was exported."""
    if exported_at is None:
        return {}
    out: dict[str, tuple[str, datetime]] = {}
    for key, who, when in (m.ChangeLog.objects.filter(model_label__in=labels, when__gt=exported_at)
                           .order_by("when").values_list("object_key", "who", "when")):
        out[key] = (who, when)
    return out


def preview_org(actor: Actor, units: list[org.UnitRow], users: list[org.UserRow],
                exported_at: datetime | None = None) -> OrgPreview:
    """What importing the unit and user lists would change; nothing is written."""
    pv = OrgPreview()
    pv.problems += org.duplicates(((u.code, u.location) for u in units), "单位编码")
    pv.problems += org.duplicates((((u.username + "@" + u.unit_code), u.location) for u in users), "登录名与单位")
    stored = {d.code: d for d in m.Department.objects.select_related("parent")}
    parents = {code: d.parent.code for code, d in stored.items() if d.parent}
    where: dict[str, str] = {}
    for unit_row in units:
        where[unit_row.code] = unit_row.location
        if unit_row.parent_code:
            parents[unit_row.code] = unit_row.parent_code
        else:
            parents.pop(unit_row.code, None)
    pv.problems += org.tree_problems(parents, where)
    stale = _changed_since(exported_at, (UNIT_LABEL, USER_LABEL))
    in_file = {u.code for u in units}
    for u in units:
        pv.problems += org.unit_problems(u)
        if u.parent_code and u.parent_code not in stored and u.parent_code not in in_file:
            pv.problems.append(Problem(u.location, f"上级单位「{u.parent_code}」既不在本表中也不在系统中",
                                       "上级单位编码"))
        d = stored.get(u.code)
        target_parent = stored.get(u.parent_code) if u.parent_code else None
        if d is None:
            if u.parent_code and u.parent_code in in_file and u.parent_code not in stored:
                # the parent is new in this very file: the actor must be able to create that one
                pass
            elif not _may_organise(actor, target_parent):
                pv.problems.append(Problem(u.location, "您只能在自己管辖的单位下建立单位", "上级单位编码"))
            pv.units.append(org.Change(UNIT_LABEL, u.code, "新增", location=u.location))
            continue
        changes = org.diff_fields(_unit_values(d), _row_values(u), UNIT_FIELDS)
        if changes and not (_may_organise(actor, d) or _may_organise(actor, d.parent)):
            pv.problems.append(Problem(u.location, "该单位不在您的管辖范围内，不能修改", "单位编码"))
        if changes and f"单位/{u.code}" in stale:
            who, when = stale[f"单位/{u.code}"]
            pv.conflicts.append(Problem(u.location, f"该单位已被 {who} 于 {timezone.localtime(when):%m-%d %H:%M} 修改，"
                                                    "请重新导出后再改", "单位编码"))
        pv.units.append(org.Change(UNIT_LABEL, u.code, "修改" if changes else "不变", changes, u.location))
    User = get_user_model()
    existing = {x.username: x for x in User.objects.filter(username__in=[x.username for x in users])}
    for ur in users:
        pv.problems += org.user_problems(ur)
        unit = stored.get(ur.unit_code)
        if unit is None and ur.unit_code not in in_file:
            pv.problems.append(Problem(ur.location, f"单位「{ur.unit_code}」既不在单位表中也不在系统中", "单位编码"))
        elif unit is not None:
            held = actor.roles_in(unit)
            if not may(held, "manage_users"):
                pv.problems.append(Problem(ur.location, "该单位不在您的管辖范围内，不能管理其用户", "单位编码"))
            elif ur.role not in assignable_roles(held):
                pv.problems.append(Problem(ur.location, f"您的角色不能授予「{ur.role}」", "角色"))
        x = existing.get(ur.username)
        if x is None:
            pv.users.append(org.Change(USER_LABEL, ur.username, "新增", location=ur.location))
            continue
        changes = org.diff_fields(_user_values(x, ur.unit_code), _user_row_values(ur), USER_FIELDS)
        if changes and f"用户/{ur.username}" in stale:
            who, when = stale[f"用户/{ur.username}"]
            pv.conflicts.append(Problem(ur.location, f"该用户已被 {who} 于 {timezone.localtime(when):%m-%d %H:%M} "
                                                     "修改，请重新导出后再改", "登录名"))
        pv.users.append(org.Change(USER_LABEL, ur.username, "修改" if changes else "不变", changes, ur.location))
    return pv


@dataclass
class OrgApplied:
    preview: OrgPreview
    passwords: dict[str, str] = field(default_factory=dict)  # new login → one-time password


def apply_org(actor: Actor, units: list[org.UnitRow], users: list[org.UserRow],
              exported_at: datetime | None = None, reason: str = "") -> OrgApplied:
    """Import the lists: all of it, or (with any problem or conflict) nothing."""
    with transaction.atomic():
        pv = preview_org(actor, units, users, exported_at)
        if pv.blocked:
            return OrgApplied(pv)
        done = OrgApplied(pv)
        # parents first, whatever the file's order
        pending = list(units)
        known = set(m.Department.objects.values_list("code", flat=True))
        extra: dict[str, str] = {}
        for _ in range(org.MAX_DEPTH + 1):
            ready = [u for u in pending if not u.parent_code or u.parent_code in known]
            for u in ready:
                if u.parent_code:
                    extra[u.code] = u.parent_code
                _save_unit(actor, u, _parents_with(u, extra), reason or "导入单位名单")
                known.add(u.code)
            pending = [u for u in pending if u not in ready]
            if not pending:
                break
        actor.forget_roles()  # the units just created are in the actor's scope now
        for user_row in users:
            saved = _save_user(actor, user_row, reason or "导入用户名单")
            if saved.password:
                done.passwords[saved.username] = saved.password
    return done


def lists_in_scope(actor: Actor) -> tuple[list[org.UnitRow], list[org.UserRow]]:
    """The actor's units and users as rows of the organisation workbook."""
    units = [org.UnitRow(code=d.code, name=d.name, parent_code=d.parent.code if d.parent else "", kind=d.kind,
                         credit_code=d.credit_code, active=d.active) for d in units_in_scope(actor)]
    users = [org.UserRow(username=u.username, name=u.name, unit_code=code, role=role, phone=u.phone, active=u.active)
             for u in users_in_scope(actor) for code, _, role in u.roles]
    return units, users


def export_lists(actor: Actor, path: str) -> tuple[int, int]:
    """Write the organisation workbook of the actor's scope; (units, users) written."""
    units, users = lists_in_scope(actor)
    write_workbook(path, units, users, timezone.now())
    return len(units), len(users)


def read_lists(path: str) -> tuple[list[org.UnitRow], list[org.UserRow], datetime | None]:
    return read_workbook(path)
