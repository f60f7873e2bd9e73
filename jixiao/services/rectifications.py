"""The 整改 register: creating an item from a finding (a review remark, a quality finding, a
monitoring warning) and reading how far each item has come.

Editing, deleting and the steps (开始整改, 整改完成 with its note, 退回, 确认) are the general use
cases of ``records`` and ``workflow`` — one mechanism for every record; this module adds what only
the register needs: the next code, the fields a register item cannot do without, and which items
are overdue. Which states count as "still open" is the rectification stage's ``editable`` list in
``rules/workflow.json``; nothing here repeats it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.db import transaction

from jixiao.budget import models as m
from jixiao.core import model as core
from jixiao.core import workflow
from jixiao.core.changes import Ref
from jixiao.core.errors import InputError, Problem
from jixiao.services import records
from jixiao.services.actor import Actor
from jixiao.services.history import object_key
from jixiao.services.records import Edited
from jixiao.services.scope import locked_year

# What a register item must say to be followed up: the problem, the measure, who and by when
# (整改措施和完成时限). Field name → label (the model's verbose names).
REQUIRED = ("problem", "measure", "owner", "deadline")
_CODE = re.compile(r"^R(\d+)$")


@dataclass(frozen=True)
class Progress:
    """The latest step of an item: who took it, when, and the note given with it."""

    who: str
    when: object
    step: str
    note: str


def next_code(existing: list[str]) -> str:
    """R01, R02, …: one more than the highest R-number in use (codes given by hand are skipped)."""
    numbers = [int(hit.group(1)) for c in existing if (hit := _CODE.match(c))]
    return f"R{(max(numbers) + 1) if numbers else 1:02d}"


def create_rectification(actor: Actor, code: str, year: int, problem: str, measure: str, owner: str,
                         deadline: str, project: str | None = None, source: str = "") -> Edited:
    """Add an item to the register with the next free code; ``source`` (e.g. "财政复核意见")
    is written to the history as the reason, so the item says where it came from."""
    values = {"problem": problem, "measure": measure, "owner": owner, "deadline": deadline,
              "project": project or None}
    problems = [Problem(f"整改事项（新增）.{name}", f"请填写{records._label(core.Rectification, name)}",
                        records._label(core.Rectification, name))
                for name in REQUIRED if not str(values[name] or "").strip()]
    if problems:
        raise InputError(problems)
    with transaction.atomic():
        # the year's lock is held from choosing the code to writing it: two users adding at once
        # get R03 and R04, not one refusal
        dy = locked_year(actor, code, year)
        if project and all(p.code != project for p in dy.projects):
            raise InputError([Problem("整改事项（新增）.project", f"没有项目「{project}」", "所属项目")])
        rcode = next_code([r.code for r in dy.rectifications])
        reason = f"新增整改事项（来源：{source.strip()}）" if source.strip() else "新增整改事项"
        return records.create(actor, code, year, Ref("rectification", "", rcode), values, reason=reason)


def is_open(status: str) -> bool:
    """Still to be worked on (the stage's editable states: 待整改, 整改中)."""
    return status in workflow.stage(workflow.RECTIFICATION).editable_statuses


def is_overdue(item: core.Rectification, today: date) -> bool:
    """The deadline has passed and the item is still open."""
    return bool(item.deadline) and is_open(item.status) and date.fromisoformat(str(item.deadline)) < today


def latest_progress(code: str, year: int) -> dict[str, Progress]:
    """Rectification code → its latest step with the note (the 整改完成 note is the closure note)."""
    prefix = object_key(code, year, Ref("rectification", "", ""))
    out: dict[str, Progress] = {}
    logs = (m.ChangeLog.objects.filter(department=code, year=year, field="status", object_key__startswith=prefix)
            .order_by("-when", "-id").values("object_key", "who", "when", "after", "reason"))
    for log in logs:
        rcode = log["object_key"][len(prefix):]
        if rcode not in out:
            step, _, note = (log["reason"] or "").partition("：")
            out[rcode] = Progress(log["who"], log["when"], f"{step} → {log['after']}", note)
    return out
