"""``jixiao worker``: claim queued jobs one at a time and run them; give a dead worker's job to
another. Claiming is django-tasks-db's: ``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL, an
exclusive transaction on SQLite, so with any number of workers each job runs once."""
from __future__ import annotations

import os
import socket
import time
from collections.abc import Callable

from django.db import transaction
from django.db.utils import OperationalError
from django.utils.crypto import get_random_string
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from jixiao.jobs import kinds, runtime
from jixiao.jobs.models import FAILED, Job

# A job is tried at most this often: one that kills its worker every time must not loop forever.
MAX_ATTEMPTS = 3


def worker_id(prefix: str = "") -> str:
    """Unique across machines: host, process and a random part (the queue keeps it per task)."""
    return f"{prefix}{socket.gethostname()[:30]}-{os.getpid()}-{get_random_string(6)}"


def requeue_stale() -> int:
    """Queue again the jobs of workers that died; fail those tried too often. Returns how many."""
    count = 0
    for job in runtime.stale_jobs():
        with transaction.atomic():
            if job.attempts >= MAX_ATTEMPTS:
                done = Job.objects.filter(id=job.id, state=job.state, heartbeat_at=job.heartbeat_at).update(
                    state=FAILED, error=f"已执行 {job.attempts} 次均未完成（工作进程中断），不再重试")
                if done:
                    if job.task_id:
                        DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.FAILED)
                    runtime.append_log(job.id, "多次中断，任务失败")
                continue
            if runtime.mark_requeued(job):
                if job.task_id:  # a part job has no queue task: its parent's worker or any idle one takes it
                    DBTaskResult.objects.filter(id=job.task_id).update(status=TaskResultStatus.READY)
                count += 1
    return count


def _runner(wid: str) -> Worker:
    return Worker(queue_names=["*"], interval=0, batch=True, backend_name="default", startup_delay=False,
                  max_tasks=None, worker_id=wid, excluded_queue_names=[])


def claim(wid: str, task_id: str | None = None) -> DBTaskResult | None:
    """The next ready task (or exactly ``task_id``) claimed for ``wid``; None when there is none."""
    tasks = DBTaskResult.objects.ready()
    if task_id is not None:
        tasks = tasks.filter(id=task_id)
    try:
        with exclusive_transaction(tasks.db):
            found = tasks.get_locked()
            if found is not None:
                found.claim(wid)
            return found
    except OperationalError as exc:
        if is_locked_database_exception(exc):
            return None  # another worker holds the queue: try again on the next round
        raise


def run_claimed(found: DBTaskResult, wid: str) -> None:
    _runner(wid).run_task(found)


def run(once: bool = False, interval: float = 1.0, wid: str | None = None,
        say: Callable[[str], None] = lambda _: None, stop: Callable[[], bool] = lambda: False) -> int:
    """The worker loop; ``once``: until the queue is empty. Returns the number of jobs run."""
    wid = wid or worker_id()
    say(f"后台任务工作进程 {wid} 已启动")
    ran = 0
    while not stop():
        runtime.fresh_connection()
        if requeue_stale():
            say("已将失联工作进程的任务重新排队")
        found = claim(wid)
        if found is None:
            # Nothing new: help with a running batch, part by part (its parent's worker does too).
            part = runtime.claim_part(wid)
            if part is not None:
                say(f"执行分批任务 {part}")
                runtime.run_part(part, wid, kinds.work_for)
                continue
            if once:
                break
            time.sleep(interval)
            continue
        say(f"执行任务 {found.id}")
        run_claimed(found, wid)
        ran += 1
    return ran
