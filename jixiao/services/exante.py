"""项目入库与事前绩效评估: the use cases, each with the acting ``Actor`` first.

- a unit (经办人/部门管理员) drafts a proposal, edits it while 草稿/退回, and submits it;
- the finance bureau (财政审核) returns it or starts the review, naming the expert panel (users
  holding the role 评审专家);
- each expert declares any conflict of interest (a declared conflict withdraws them) and scores
  independently — an expert sees their own scores only;
- the bureau concludes: the panel score from the rules (mean, or without the highest and lowest),
  the conclusion band, the approved amount (核减额, 核减率);
- a supported proposal enters the budget year as a project with its goal and indicators; an
  unsupported one cannot.

Workflow states come from ``rules/workflow.json`` (stage ``exante``), numbers from
``rules/exante.json``; every change is written to the history (label 事前评估).
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.core import exante as rules
from jixiao.core import model as core
from jixiao.core.errors import InputError, Problem
from jixiao.core.numbers import parse_decimal
from jixiao.core.text import number_problem
from jixiao.core.workflow import apply_action, may
from jixiao.exante.models import ExpertScore, PanelMember, Proposal
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied, NotFound
from jixiao.services.records import save_locked
from jixiao.services.scope import department, locked_year

STAGE = "exante"
LABEL = "事前评估"
EXPERT_ROLE = "评审专家"
FIELDS = {"name": "项目名称", "kind": "项目类型", "policy": "政策类", "requested": "申请金额（万元）",
          "last_year": "上年预算数（万元）", "unit": "实施单位", "basis": "立项依据与必要性", "plan": "实施方案",
          "funding": "资金测算与筹资方案", "goal": "年度绩效目标", "indicators": "绩效指标"}


def _money(value: Any, label: str, required: bool) -> Decimal | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        if required:
            raise InputError([Problem(label, "请填写金额", label)])
        return None
    try:
        # thousands separators through the one strict reader: "1,200" yes, "7,00.0,77" never 700.077
        amount = parse_decimal(text) if "," in text else Decimal(text)
    except (InvalidOperation, ValueError):
        raise InputError([Problem(label, f"“{value}”不是金额（万元）", label)]) from None
    why = number_problem(amount)
    if why or amount < 0 or amount >= Decimal("1e11"):
        raise InputError([Problem(label, why or f"金额 {value} 超出范围", label)])
    return amount


def _clean(values: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    problems: list[Problem] = []
    for key, raw in values.items():
        if key not in FIELDS:
            problems.append(Problem(key, "不能设置该字段", key))
            continue
        try:
            if key in ("requested", "last_year"):
                out[key] = _money(raw, FIELDS[key], key == "requested")
            elif key == "kind":
                if raw not in rules.KINDS:
                    raise InputError([Problem(FIELDS[key], f"应为{'或'.join(rules.KINDS)}", FIELDS[key])])
                out[key] = raw
            elif key == "policy":
                out[key] = bool(raw)
            elif key == "indicators":
                out[key] = _indicators(raw)
            else:
                text = str(raw or "").strip()
                if key == "name" and not text:
                    raise InputError([Problem(FIELDS[key], "请填写项目名称", FIELDS[key])])
                out[key] = text
        except InputError as exc:
            problems += exc.problems
    if problems:
        raise InputError(problems)
    return out


def _indicators(raw: Any) -> list[dict[str, str]]:
    rows = []
    for n, item in enumerate(raw or [], start=1):
        name = str(item.get("name", "")).strip()
        if not name:
            continue
        weight = str(item.get("weight", "") or "").strip()
        if weight:
            try:
                Decimal(weight)
            except InvalidOperation:
                raise InputError([Problem(f"绩效指标第{n}行", f"分值“{weight}”不是数字", "分值")]) from None
        rows.append({"level1": str(item.get("level1", "")).strip() or "产出指标",
                     "level2": str(item.get("level2", "")).strip() or "数量指标", "name": name,
                     "target_text": str(item.get("target_text", "")).strip(), "weight": weight})
    return rows


def _record(actor: Actor, p: Proposal, field: str, before: Any, after: Any, reason: str = "") -> None:
    history.record(who=actor.name, department=p.department.code, year=p.year, label=LABEL, object_id=p.pk,
                   version=p.version, key=f"{p.department.code}/{p.year}/事前评估/{p.code}", name=p.name,
                   field=field, before=before, after=after, reason=reason)


def _trigger(p: Proposal) -> str:
    return rules.trigger(p.kind, p.requested, p.last_year).reason


def create(actor: Actor, code: str, year: int, project_code: str, values: dict[str, Any]) -> Proposal:
    row = department(actor, code, "edit")
    pcode = project_code.strip()
    if not pcode:
        raise InputError([Problem("项目编码", "请填写项目编码", "项目编码")])
    clean = _clean({"kind": "新增", **values})
    with transaction.atomic():
        if Proposal.objects.filter(department=row, year=year, code=pcode).exists():
            raise Conflict(f"{year} 年度已有项目编码为 {pcode} 的申报", pcode)
        p = Proposal(department=row, year=year, code=pcode, created_by=actor.name, **clean)
        p.trigger_reason = _trigger(p)
        p.save()
        _record(actor, p, "（新建）", None, p.name)
    return p


def proposal(actor: Actor, pk: int) -> Proposal:
    """A proposal the actor may see: the unit's and the bureau's people by scope, an expert only
    when on its panel."""
    p = Proposal.objects.select_related("department").filter(pk=pk).first()
    if p is None:
        raise NotFound("未找到该申报", str(pk))
    if may(actor.roles_in(p.department), "view"):
        return p
    if actor.user is not None and PanelMember.objects.filter(proposal=p, expert=actor.user, conflict=False).exists():
        return p
    raise NotFound("未找到该申报，或无权访问", str(pk))


def _locked(actor: Actor, pk: int, permission: str) -> Proposal:
    p = Proposal.objects.select_for_update().select_related("department").filter(pk=pk).first()
    if p is None:
        raise NotFound("未找到该申报", str(pk))
    department(actor, p.department.code, permission)
    return p


def edit(actor: Actor, pk: int, values: dict[str, Any], version: int | None) -> Proposal:
    clean = _clean(values)
    with transaction.atomic():
        p = _locked(actor, pk, "edit")
        if version is not None and version != p.version:
            raise Conflict("该申报已被他人修改，请刷新后再改", p.code)
        if p.status not in ("草稿", "退回"):
            raise Denied(f"申报状态为“{p.status}”，不能修改；如需修改请由财政退回", p.code)
        for key, value in clean.items():
            before = getattr(p, key)
            if before != value:
                _record(actor, p, FIELDS[key], before, value)
                setattr(p, key, value)
        p.trigger_reason = _trigger(p)
        p.version += 1
        p.save()
    return p


def _roles(actor: Actor, p: Proposal) -> frozenset[str]:
    return actor.roles_in(p.department)


def step(actor: Actor, pk: int, action: str, comment: str = "") -> Proposal:
    """submit / return / review — the steps with nothing more to them (see ``start_review``,
    ``conclude``, ``enter_budget``)."""
    if action in ("conclude", "enter"):
        raise InputError([Problem("操作", "请使用“作出评估结论”或“入库”页面", "操作")])
    with transaction.atomic():
        p = _locked(actor, pk, "view")
        if action == "review" and not p.panel.filter(conflict=False).exists():
            raise InputError([Problem("评审专家", "请先指定评审专家", "评审专家")])
        before = p.status
        p.status = apply_action(p.status, action, _roles(actor, p), comment, p.code, STAGE)
        p.comment = comment
        p.version += 1
        p.save()
        _record(actor, p, "状态", before, p.status, comment)
    return p


def experts() -> list[Any]:
    """Users who hold the role 评审专家 somewhere (the pool the bureau picks a panel from)."""
    User = get_user_model()
    return list(User.objects.filter(is_active=True, memberships__role=EXPERT_ROLE).distinct().order_by("username"))


def assign_panel(actor: Actor, pk: int, usernames: list[str]) -> list[PanelMember]:
    with transaction.atomic():
        p = _locked(actor, pk, "review")
        if p.status not in ("已申报", "评审中"):
            raise Denied(f"申报状态为“{p.status}”，不能指定专家", p.code)
        pool = {u.username: u for u in experts()}
        unknown = [u for u in usernames if u not in pool]
        if unknown:
            raise InputError([Problem("评审专家", f"“{u}”不是评审专家", "评审专家") for u in unknown])
        minimum = rules.load_rules().min_experts
        if len(set(usernames)) < minimum:
            raise InputError([Problem("评审专家", f"专家组至少 {minimum} 人", "评审专家")])
        for name in usernames:
            PanelMember.objects.get_or_create(proposal=p, expert=pool[name])
        _record(actor, p, "评审专家", None, "、".join(sorted(set(usernames))))
        return list(p.panel.select_related("expert"))


def _member(actor: Actor, p: Proposal) -> PanelMember:
    member = PanelMember.objects.filter(proposal=p, expert=actor.user).first() if actor.user is not None else None
    if member is None:
        raise NotFound("您不是该项目的评审专家", p.code)
    return member


def declare(actor: Actor, pk: int, conflict: bool, text: str = "") -> PanelMember:
    """The expert's conflict-of-interest declaration; a declared conflict withdraws them."""
    with transaction.atomic():
        p = Proposal.objects.select_for_update().get(pk=pk)
        member = _member(actor, p)
        if p.status != "评审中":
            raise Denied("该项目不在评审中", p.code)
        if conflict and not text.strip():
            raise InputError([Problem("利益冲突声明", "请说明存在的利益关系", "利益冲突声明")])
        member.declared, member.conflict, member.declaration = True, conflict, text.strip()
        member.declared_at = timezone.now()
        member.save()
        _record(actor, p, "利益冲突声明", None, ("存在利益冲突，回避：" + text.strip()) if conflict else "无利益冲突")
    return member


def score(actor: Actor, pk: int, items: dict[str, Any], opinion: str = "") -> ExpertScore:
    """An expert's own scores, item by item (each within its points)."""
    with transaction.atomic():
        p = Proposal.objects.select_for_update().get(pk=pk)
        member = _member(actor, p)
        if p.status != "评审中":
            raise Denied("该项目不在评审中，不能评分", p.code)
        if not member.declared or member.conflict:
            raise Denied("请先声明与该项目无利益冲突" if not member.declared else "已声明利益冲突并回避，不能评分",
                         p.code)
        system = rules.system_for(p.policy)
        parsed: dict[str, Decimal | None] = {}
        bad: list[Problem] = []
        for item in system.items():
            raw = str(items.get(item.key, "") or "").strip()
            try:
                parsed[item.key] = Decimal(raw) if raw else None
            except InvalidOperation:
                bad.append(Problem(f"评分：{item.key}", f"“{raw}”不是数字", item.name))
        problems = bad + rules.score_problems(system, parsed)
        if problems:
            raise InputError(problems)
        values = {k: v for k, v in parsed.items() if v is not None}
        row, _ = ExpertScore.objects.update_or_create(
            proposal=p, expert=actor.user,
            defaults={"items": {k: str(v) for k, v in values.items()}, "total": rules.total(values),
                      "opinion": opinion.strip(), "submitted": timezone.now()})
        _record(actor, p, "专家评分", None, f"{actor.name}：{row.total}")
    return row


@dataclass(frozen=True)
class Conclusion:
    proposal: Proposal
    panel: rules.Panel
    label: str
    cut: rules.Cut


def panel_of(p: Proposal) -> rules.Panel | None:
    totals = [s.total for s in p.scores.all()]
    return rules.panel_score(totals) if totals else None


def conclude(actor: Actor, pk: int, approved: Any, opinion: str = "") -> Conclusion:
    """The panel score, the conclusion band and the approved amount (0 for 不予支持)."""
    with transaction.atomic():
        p = _locked(actor, pk, "review")
        members = [m_ for m_ in p.panel.all() if not m_.conflict]
        scored = {s.expert_id for s in p.scores.all()}
        missing = [m_.expert.username for m_ in members if m_.expert_id not in scored]
        if missing:
            raise InputError([Problem("专家评分", f"尚有专家未评分：{'、'.join(missing)}", "专家评分")])
        if len(scored) < rules.load_rules().min_experts:
            raise InputError([Problem("专家评分", f"有效评分不足 {rules.load_rules().min_experts} 份", "专家评分")])
        panel = rules.panel_score([s.total for s in p.scores.all()])
        label = rules.conclusion(panel.score)
        amount = Decimal(0) if not rules.supported(label) else _money(approved, "核定金额（万元）", True)
        assert amount is not None
        if amount > p.requested:
            raise InputError([Problem("核定金额（万元）", "核定金额不能超过申请金额", "核定金额（万元）")])
        if label == "调整后支持" and amount == p.requested and not opinion.strip():
            raise InputError([Problem("评估意见与建议", "调整后支持须写明调整意见", "评估意见与建议")])
        before = p.status
        p.status = apply_action(p.status, "conclude", _roles(actor, p), opinion, p.code, STAGE)
        p.panel_score, p.panel_method, p.conclusion = panel.score.quantize(Decimal("0.01")), panel.method, label
        p.approved, p.opinion = amount, opinion.strip()
        p.version += 1
        p.save()
        _record(actor, p, "评估结论", before, f"{label}，专家组评分 {p.panel_score}，核定 {amount} 万元", opinion)
    return Conclusion(p, panel, label, rules.cut(p.requested, amount))


def enter_budget(actor: Actor, pk: int) -> core.Project:
    """A supported proposal becomes a project of the budget year (目标申报 草稿) with its goal,
    its indicators and the approved amount; an unsupported one cannot."""
    with transaction.atomic():
        p = _locked(actor, pk, "review")
        if not rules.supported(p.conclusion):
            raise Denied(f"评估结论为“{p.conclusion or '未评审'}”，不能入库", p.code)
        if not m.DepartmentYear.objects.filter(department=p.department, year=p.year).exists():
            save_department_year(core.DepartmentYear(
                department=core.Department(p.department.code, p.department.name), year=p.year),
                who=actor.name, reason=f"事前绩效评估项目入库：建立 {p.year} 年度")
        dy = locked_year(actor, p.department.code, p.year, permission="review")
        if any(x.code == p.code for x in dy.projects):
            raise Conflict(f"{p.year} 年度已有项目 {p.code}", p.code)
        project = core.Project(
            code=p.code, name=p.name, unit=p.unit, goal=p.goal,
            funds=[core.FundLine("一般公共预算", p.approved, None, initial=p.approved)],
            indicators=[core.Indicator(code=f"I{n}", level1=i["level1"], level2=i["level2"], name=i["name"],
                                       target_text=i["target_text"] or None,
                                       weight=Decimal(i["weight"]) if i.get("weight") else None,
                                       origin="事前评估")
                        for n, i in enumerate(p.indicators, start=1)],
            origin="事前评估")
        dy.projects.append(project)
        save_locked(dy, actor, f"事前绩效评估{p.conclusion}，入库")
        before = p.status
        p.status = apply_action(p.status, "enter", _roles(actor, p), "", p.code, STAGE)
        p.project_code = p.code
        p.version += 1
        p.save()
        _record(actor, p, "状态", before, p.status)
    return project


def proposals_for(actor: Actor, year: int | None = None) -> list[Proposal]:
    """The proposals of the actor's departments, and those on whose panel the actor sits."""
    ids = list(actor.role_map())
    visible = Proposal.objects.filter(department_id__in=ids)
    if actor.user is not None:
        visible = visible | Proposal.objects.filter(panel__expert=actor.user, panel__conflict=False)
    if year is not None:
        visible = visible.filter(year=year)
    return list(visible.select_related("department").distinct().order_by("department__code", "year", "code"))


def totals(proposals: list[Proposal]) -> rules.Cut:
    """核减额 and 核减率 over the concluded proposals."""
    return rules.total_cut([(p.requested, p.approved) for p in proposals if p.approved is not None])
