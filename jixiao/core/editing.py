"""Which content of a department-year its workflow states allow to change. Pure: no Django.

One answer serves every entry point: a field edit in the browser or the API is refused with
this message, and an import lists it as a conflict. A record's content belongs to a stage: the
goal fields of a project and its indicators (``rules/workflow.json``, goals.fields) to 绩效目标申报,
a checkpoint to 运行监控, a rectification to 整改, everything else to 绩效自评 — and nothing under
a locked department-year changes at all.
"""
from __future__ import annotations

from jixiao.core import model as core
from jixiao.core import workflow
from jixiao.core.changes import Ref

# What a user may set on each kind of record (workflow states change only by transitions,
# identities only by creating and deleting).
EDITABLE: dict[str, tuple[str, ...]] = {
    "year": ("work_tasks", "management", "goal", "goal_actual", "achievements", "problems", "measures",
             "execution_explanation"),
    "budget_line": ("budget", "executed", "initial", "carry_over"),
    "project": ("name", "unit", "category", "goal", "goal_actual", "execution_explanation", "problems",
                "measures", "budget_cut_midyear"),
    "fund": ("budget", "executed", "initial"),
    "indicator": ("level1", "level2", "name", "target_text", "weight", "unit", "actual_text", "achievement",
                  "ratio_override", "override_reason", "deviation_reason", "basis", "data_source", "core",
                  "last_year_actual", "stated_score"),
    "checkpoint": ("goal_progress", "expected_executed", "causes", "measures"),
    "rectification": ("problem", "measure", "owner", "deadline", "project"),
}


def _goal_field(kind: str, field: str) -> bool:
    return field in workflow.stage(workflow.GOALS).fields.get(kind, frozenset())


def refusal(dy: core.DepartmentYear, ref: Ref, field: str = "") -> str | None:
    """Why the states of ``dy`` forbid changing ``field`` of the object ``ref`` (or adding or
    deleting it, with ``field=""``); None when they allow it."""
    se = workflow.stage(workflow.SELF_EVALUATION)
    if dy.status in se.locked_statuses:
        return f"{dy.year} 年度已{dy.status}，不能修改；如需修改请先解除锁定"
    if ref.kind in ("year", "budget_line") or (ref.kind == "indicator" and not ref.project):
        if dy.status not in se.editable_statuses:
            return f"部门整体评价当前状态为「{dy.status}」，不能修改；如需修改请先退回"
        return None
    if ref.kind == "rectification":
        r = next((x for x in dy.rectifications if x.code == ref.key), None)
        st = workflow.stage(workflow.RECTIFICATION)
        if r is not None and field and r.status not in st.editable_statuses:
            return f"整改事项 {r.code} 当前状态为「{r.status}」，不能修改"
        return None
    project = next((p for p in dy.projects if p.code == ref.project), None)
    if project is None:
        return None  # a new project: its states are the initial ones
    if ref.kind == "checkpoint":
        cp = next((c for c in project.checkpoints if str(c.month) == ref.key), None)
        st = workflow.stage(workflow.MONITORING)
        if cp is not None and cp.status not in st.editable_statuses:
            return f"{project.code} {cp.month} 月监控当前状态为「{cp.status}」，不能修改；如需修改请先退回"
        return None
    kind = "indicator" if ref.kind == "indicator" else "project"
    goals = workflow.stage(workflow.GOALS)
    if (field and _goal_field(kind, field)) or (not field and ref.kind == "indicator"):
        if project.goal_status in goals.frozen_statuses:
            how = "请提交目标调整" if field in goals.fields.get("adjustable", frozenset()) else "已批复的目标不能修改"
            return f"{project.code} 的绩效目标已「{project.goal_status}」，{how}"
        if project.goal_status not in goals.editable_statuses:
            return f"{project.code} 的绩效目标当前状态为「{project.goal_status}」，不能修改；如需修改请先退回"
        if field:
            return None
    if project.status not in se.editable_statuses:
        return f"{project.code} {project.status}，不能修改；如需修改请先退回"
    return None
