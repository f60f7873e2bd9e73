"""The state machines of a budget-performance year and who may do what in them.

Each stage has its own: 绩效目标申报 (``goals``), 运行监控 per checkpoint (``monitoring``),
绩效自评 (``self_evaluation``), 整改 (``rectification``) and 目标调整 (``adjustment``). The rules
are data (``jixiao/rules/workflow.json``); this module only reads and applies them, so a locality
with a different approval chain changes the file, not the code. Pure: no Django.
"""
from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.core.errors import InputError, Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "workflow.json"
SELF_EVALUATION = "self_evaluation"
GOALS = "goals"
MONITORING = "monitoring"
RECTIFICATION = "rectification"
ADJUSTMENT = "adjustment"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    comment_required: bool
    quality_gate: bool = False  # 错误 findings of the record block this step


@dataclass(frozen=True)
class Stage:
    """One stage's state machine."""

    name: str
    label: str
    initial: str
    editable_statuses: frozenset[str]  # content may change
    frozen_statuses: frozenset[str]  # approved: some content changes only by adjustment
    locked_statuses: frozenset[str]  # nothing changes but the transition that reopens it
    reviewable_statuses: frozenset[str]  # a finance review may be recorded
    transitions: tuple[Transition, ...]
    # Content that belongs to this stage, by record kind ("project", "indicator"); the rest of a
    # record belongs to the self-evaluation. ``adjustable``: frozen fields a 目标调整 may change.
    fields: dict[str, frozenset[str]] = field(default_factory=dict)

    def transition(self, action: str) -> Transition | None:
        return next((t for t in self.transitions if t.action == action), None)


@dataclass(frozen=True)
class Segregation:
    """Segregation of duties in force (``segregation`` in the rules, per locality): ``separate``
    maps a step to the step whose last performer may not take it (approve → submit)."""

    locality: str
    separate: dict[str, str]
    locked_year_freezes: bool


@dataclass(frozen=True)
class Workflow:
    version: str
    stages: dict[str, Stage]
    permissions: dict[str, frozenset[str]]
    segregation: Segregation

    def stage(self, name: str) -> Stage:
        return self.stages[name]


def _stage(name: str, data: dict) -> Stage:
    return Stage(
        name=name, label=data["label"], initial=data["initial"],
        editable_statuses=frozenset(data.get("editable", ())),
        frozen_statuses=frozenset(data.get("frozen", ())),
        locked_statuses=frozenset(data.get("locked", ())),
        reviewable_statuses=frozenset(data.get("reviewable", ())),
        transitions=tuple(
            Transition(t["action"], t["label"], tuple(t["from"]), t["to"], frozenset(t["roles"]),
                       bool(t["comment_required"]), bool(t.get("quality_gate", False)))
            for t in data["transitions"]
        ),
        fields={k: frozenset(v) for k, v in data.get("fields", {}).items() if k != "note"},
    )


@cache
def load_workflow() -> Workflow:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    seg = data["segregation"]
    local = seg["localities"][seg["in_force"]]
    return Workflow(
        version=data["version"],
        stages={name: _stage(name, s) for name, s in data["stages"].items()},
        permissions={k: frozenset(v) for k, v in data["permissions"].items()},
        segregation=Segregation(seg["in_force"], {r["step"]: r["not_after"] for r in local["separate"]},
                                bool(local["locked_year_freezes"])),
    )


def segregation() -> Segregation:
    return load_workflow().segregation


def stage(name: str = SELF_EVALUATION) -> Stage:
    return load_workflow().stage(name)


def may(roles: Iterable[str], permission: str) -> bool:
    """Whether any of ``roles`` carries ``permission`` (view, edit, upload, review, …)."""
    return bool(load_workflow().permissions.get(permission, frozenset()) & set(roles))


def editable(status: str, roles: Iterable[str], stage_name: str = SELF_EVALUATION) -> bool:
    """A record can be changed only in an editable status of its stage and by a role that may edit."""
    return status in stage(stage_name).editable_statuses and may(roles, "edit")


def locked(status: str, stage_name: str = SELF_EVALUATION) -> bool:
    return status in stage(stage_name).locked_statuses


def available_actions(status: str, roles: Iterable[str], stage_name: str = SELF_EVALUATION) -> list[Transition]:
    """The steps these roles may take from ``status``, in the order the rules list them."""
    held = set(roles)
    return [t for t in stage(stage_name).transitions if status in t.sources and t.roles & held]


def check_action(status: str, action: str, roles: Iterable[str], comment: str = "",
                 location: str = "", stage_name: str = SELF_EVALUATION) -> tuple[Transition, list[Problem]]:
    """The transition ``action`` names and every reason it is refused now (empty: allowed).
    Raises ``InputError`` for an action the stage does not know."""
    st = stage(stage_name)
    t = st.transition(action)
    if t is None:
        known = "、".join(f"{x.action}（{x.label}）" for x in st.transitions)
        raise InputError([Problem(location, f"{st.label}没有「{action}」这一步，可用的有：{known}", "操作")])
    problems: list[Problem] = []
    if status not in t.sources:
        allowed = "、".join(t.sources)
        problems.append(Problem(location, f"当前状态为「{status}」，只有「{allowed}」状态才能{t.label}", "状态"))
    if not t.roles & set(roles):
        need = "、".join(sorted(t.roles))
        problems.append(Problem(location, f"只有{need}可以{t.label}", "角色"))
    if t.comment_required and not comment.strip():
        problems.append(Problem(location, f"{t.label}须填写意见或理由", "意见"))
    return t, problems


def apply_action(status: str, action: str, roles: Iterable[str], comment: str = "",
                 location: str = "", stage_name: str = SELF_EVALUATION) -> str:
    """The new status after ``action``, or ``InputError`` naming every reason it is refused."""
    t, problems = check_action(status, action, roles, comment, location, stage_name)
    if problems:
        raise InputError(problems)
    return t.target
