"""The one task of the queue: run a job. Its kind decides the work (``jixiao.jobs.kinds``)."""
from __future__ import annotations

from django_tasks import TaskContext, task

from jixiao.jobs import kinds, runtime


@task(takes_context=True)
def run_job(context: TaskContext, job_id: int) -> str:
    ids = context.task_result.worker_ids
    return runtime.execute(job_id, ids[-1] if ids else "?", kinds.work_for)
