"""The self-evaluation workflow 草稿 → 已提交 → 退回 / 已审核 → 锁定 and who may do what.

The rules are data (``jixiao/rules/workflow.json``); this module only reads and applies them, so
a locality with a different approval chain changes the file, not the code. Pure: no Django.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable

from jixiao.core.errors import InputError, Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "workflow.json"


@dataclass(frozen=True)
class Transition:
    action: str
    label: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    comment_required: bool


@dataclass(frozen=True)
class Workflow:
    version: str
    editable_statuses: frozenset[str]
    transitions: tuple[Transition, ...]
    permissions: dict[str, frozenset[str]]

    def transition(self, action: str) -> Transition | None:
        for t in self.transitions:
            if t.action == action:
                return t
        return None


@lru_cache(maxsize=1)
def load_workflow() -> Workflow:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return Workflow(
        version=data["version"],
        editable_statuses=frozenset(data["editable_statuses"]),
        transitions=tuple(
            Transition(t["action"], t["label"], tuple(t["from"]), t["to"], frozenset(t["roles"]),
                       bool(t["comment_required"]))
            for t in data["transitions"]
        ),
        permissions={k: frozenset(v) for k, v in data["permissions"].items()},
    )


def may(roles: Iterable[str], permission: str, wf: Workflow | None = None) -> bool:
    """Whether any of ``roles`` carries ``permission`` (view, edit, upload, review, …)."""
    wf = wf or load_workflow()
    return bool(wf.permissions.get(permission, frozenset()) & set(roles))


def editable(status: str, roles: Iterable[str], wf: Workflow | None = None) -> bool:
    """A record can be changed only in an editable status and by a role that may edit."""
    wf = wf or load_workflow()
    return status in wf.editable_statuses and may(roles, "edit", wf)


def available_actions(status: str, roles: Iterable[str], wf: Workflow | None = None) -> list[Transition]:
    """The steps these roles may take from ``status``, in the order the rules list them."""
    wf = wf or load_workflow()
    held = set(roles)
    return [t for t in wf.transitions if status in t.sources and t.roles & held]


def apply_action(status: str, action: str, roles: Iterable[str], comment: str = "",
                 location: str = "", wf: Workflow | None = None) -> str:
    """The new status after ``action``, or ``InputError`` naming every reason it is refused."""
    wf = wf or load_workflow()
    t = wf.transition(action)
    if t is None:
        raise InputError([Problem(location, f"未知的操作「{action}」", "操作")])
    problems: list[Problem] = []
    if status not in t.sources:
        allowed = "、".join(t.sources)
        problems.append(Problem(location, f"当前状态为「{status}」，只有「{allowed}」状态才能{t.label}", "状态"))
    if not t.roles & set(roles):
        need = "、".join(sorted(t.roles))
        problems.append(Problem(location, f"只有{need}可以{t.label}", "角色"))
    if t.comment_required and not comment.strip():
        problems.append(Problem(location, f"{t.label}须填写意见或理由", "意见"))
    if problems:
        raise InputError(problems)
    return t.target
