"""Workflow transitions of every stage: one function, the rules in ``jixiao/rules/workflow.json``.

A transition is refused with ``Denied`` when the role or the current state does not allow it,
and with ``InputError`` when a required comment is missing or — for steps with a quality gate
(提交) — the record still has 错误 findings. Nothing under a locked department-year moves except
the year's own ``unlock``. Every transition bumps the record's version and is in the history
with its comment.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import save_department_year
from jixiao.core import model as core
from jixiao.core import quality, workflow
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError, Problem
from jixiao.services import history, monitoring
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied
from jixiao.services.records import stale_conflict
from jixiao.services.scope import department, find, locked_year

STAGE_OF_KIND = {"year": workflow.SELF_EVALUATION, "checkpoint": workflow.MONITORING,
                 "rectification": workflow.RECTIFICATION}


@dataclass(frozen=True)
class Moved:
    ref: Ref
    stage: str
    before: str
    status: str
    version: int


def _blockers(dy: core.DepartmentYear, stage: str, ref: Ref) -> list[Problem]:
    """错误 findings of the record being submitted; for a checkpoint, the monitoring rules' blockers."""
    if stage == workflow.MONITORING:
        return monitoring.checkpoint_blockers(dy, ref)
    if stage == workflow.GOALS:
        findings = quality.review_goals(dy)
    else:
        findings = quality.review(dy, feeds=collect_feeds(dy.department.code, dy.year))
    if ref.kind == "project":
        findings = [f for f in findings if f.project == ref.project]
    elif ref.kind == "year":
        findings = [f for f in findings if f.project is None]
    return [Problem(f.location, f"{f.message}（{f.code}）", f.field or "质量检查")
            for f in findings if quality.blocking([f])]


def _separation(actor: Actor, code: str, year: int, ref: Ref, stage: str, attr: str, action: str,
                where: str) -> list[Problem]:
    """The step is refused to whoever last took the step it must be separated from (the
    submitter may not approve: rules ``segregation``). The history says who that was. The
    command line (the server's administrator) is not a person in the chain."""
    earlier = workflow.segregation().separate.get(action)
    st = workflow.stage(stage)
    before = st.transition(earlier) if earlier else None
    if before is None or actor.system:
        return []
    label_id = history.stored_ids(code, year).get(ref)
    if label_id is None:
        return []
    who = history.last_setter(*label_id, attr, before.target)
    if who != actor.name:
        return []
    step = st.transition(action)
    return [Problem(where, f"职责分离：本条由您{before.label}，须由其他人{step.label if step else action}", "职责分离")]


def transition(actor: Actor, code: str, year: int, ref: Ref, action: str, comment: str = "",
               stage: str | None = None, version: int | None = None) -> Moved:
    """Take the step ``action`` on the record ``ref`` (a project, the year, a checkpoint, a
    rectification) in ``stage`` (default: the record's own; a project's goals are ``goals``)."""
    stage = stage or STAGE_OF_KIND.get(ref.kind, workflow.SELF_EVALUATION)
    attr = "goal_status" if stage == workflow.GOALS else "status"
    comment = comment.strip()
    with transaction.atomic():
        row = department(actor, code, "view")
        dy = locked_year(actor, code, year, "view")
        obj: Any = find(dy, ref)
        if version is not None and obj.version != version:
            raise stale_conflict(code, year, ref, obj, version)
        roles = actor.roles_in(row)
        before = getattr(obj, attr)
        where = ref.path()
        t, problems = workflow.check_action(before, action, roles, comment, where, stage)
        reopening = ref.kind == "year" and stage == workflow.SELF_EVALUATION and t.action == "unlock"
        if workflow.locked(dy.status) and not reopening and workflow.segregation().locked_year_freezes:
            problems.insert(0, Problem(where, f"{dy.year} 年度已{dy.status}，请先解除锁定", "状态"))
        problems += _separation(actor, code, year, ref, stage, attr, t.action, where)
        hard = [p for p in problems if p.field in ("状态", "角色", "职责分离")]
        if hard:
            raise Denied("；".join(p.message for p in hard), where)
        if problems:
            raise InputError(problems)
        setattr(obj, attr, t.target)
        if t.quality_gate:
            blockers = _blockers(dy, stage, ref)
            if blockers:
                raise InputError(blockers)
        reason = f"{t.label}：{comment}" if comment else t.label
        saved = save_department_year(dy, who=actor.name, reason=reason)
    return Moved(ref, stage, before, t.target, saved.versions[ref])


def actions(actor: Actor, department: Any, status: str,
            stage: str = workflow.SELF_EVALUATION) -> list[workflow.Transition]:
    """The steps the actor may take from ``status`` (for buttons)."""
    return workflow.available_actions(status, actor.roles_in(department), stage)
