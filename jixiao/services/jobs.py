"""Background jobs as use cases: start one, cancel one, list and read the actor's jobs.

Starting checks scope and role like the work itself would (a batch of reports needs the right
to view the bureau; an import needs ``upload``), then records the ``Job`` and queues its task in
the same transaction, so that a worker never sees a task without its job.
"""
from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from jixiao.jobs.models import CANCELLED, FINISHED, QUEUED, Job
from jixiao.jobs.runtime import append_log, batches
from jixiao.jobs.tasks import run_job
from jixiao.services import scope
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied, NotFound

# Kind → (Chinese title, permission needed in the job's department).
KINDS = {
    "report": ("生成自评报告", "view"),
    "bureau_reports": ("生成全部部门报告", "view"),
    "score_city": ("全部部门评分与审核", "view"),
    "import": ("批量导入", "upload"),
}


def start(actor: Actor, kind: str, code: str | None, params: dict[str, Any], title: str = "") -> Job:
    """Queue a job of ``kind`` acting on department ``code`` (NotFound/Denied as for the work);
    ``code=None``: the whole installation (the command line only, e.g. a first import)."""
    label, permission = KINDS[kind]
    if code is None:
        if not actor.system:
            raise Denied("请指定部门", "部门编码")
        department = None
    else:
        department = scope.department(actor, code, permission)
    scope_name = (department.name or department.code) if department is not None else "全部部门"
    if "year" in params:
        scope_name += f" {params['year']} 年度"
    with transaction.atomic():
        job = Job.objects.create(kind=kind, title=title or f"{label}：{scope_name}",
                                 params=params, who=actor.name, user=actor.user, department=department)
        job.task_id = str(run_job.enqueue(job.id).id)
        job.save(update_fields=["task_id"])
        append_log(job.id, f"{actor.name} 发起任务")
    return job


def visible(actor: Actor) -> QuerySet[Job]:
    """The jobs an actor sees: those they started, and (a system actor) every job — batches, not
    their parts (a part has no user of its own; its progress is its batch's)."""
    if actor.system:
        return batches()
    if not actor.active:
        return Job.objects.none()
    return batches().filter(Q(user=actor.user))


def get(actor: Actor, job_id: int) -> Job:
    job = visible(actor).filter(id=job_id).first()
    if job is None:
        raise NotFound("未找到该任务，或无权查看", f"任务 {job_id}")
    return job


def cancel(actor: Actor, job_id: int) -> Job:
    """Ask the job to stop: a queued job is cancelled at once, a running one at its next step."""
    job = get(actor, job_id)
    if job.state in FINISHED:
        raise Denied(f"任务已{job.state_label}，无需取消", f"任务 {job_id}")
    with transaction.atomic():
        Job.objects.filter(id=job.id).update(cancel_requested=True)
        if Job.objects.filter(id=job.id, state=QUEUED).update(state=CANCELLED, finished_at=timezone.now()):
            append_log(job.id, f"{actor.name} 取消了任务（尚未开始）")
        else:
            append_log(job.id, f"{actor.name} 请求取消任务")
    job.refresh_from_db()
    return job
