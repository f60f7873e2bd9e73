"""Running one job: progress, heartbeat (the lease), cancellation, log and an atomic result file.

A job's work is a function ``work(job, progress)`` (``jixiao.jobs.kinds``). It reports progress
through ``Progress``, which also renews the lease and raises ``Cancelled`` once the user asked to
cancel. It writes its output under ``progress.work_dir`` and publishes the result with
``progress.publish``: written to a temporary name and renamed, so a worker killed half-way leaves
no half file behind and a retry produces the result exactly once.

A large job can be split into parts (``add_parts``/``run_parts``): part jobs are rows of their
own, not queue tasks; the worker running the parent takes them one at a time, and so does every
idle worker (``claim_part``), so that one batch keeps every worker busy. A part has a lease like
any job, so a killed worker's part is queued again; a retried parent finds its parts of before.
"""
from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import F, QuerySet, Sum, Value
from django.db.models.functions import Concat
from django.utils import timezone

from jixiao.core.errors import InputError
from jixiao.jobs.models import CANCELLED, DONE, FAILED, FINISHED, QUEUED, RUNNING, Job
from jixiao.services.errors import ServiceError

# Progress is written at most this often (seconds): a job of 300,000 steps must not be 300,000 writes.
WRITE_EVERY = 0.5
# A part job names its parent under this key of its parameters (no column: parts are rare).
PARENT = "parent"


def batches() -> QuerySet[Job]:
    """Jobs that are not parts of another (what users and monitors count: a part is its batch's)."""
    return Job.objects.filter(**{f"params__{PARENT}__isnull": True})
# How long a parent waits between looks at parts that other workers are running (seconds).
PART_POLL = 0.5


def lease_seconds() -> float:
    """How long a running job's lease lasts without a heartbeat before another worker takes it."""
    return float(getattr(settings, "JIXIAO_JOB_LEASE_SECONDS", 60))


def jobs_dir() -> Path:
    return Path(getattr(settings, "JIXIAO_JOBS_DIR", "") or Path(settings.VAR_DIR) / "jobs")


def result_path(job: Job) -> Path | None:
    return jobs_dir() / job.result_file if job.result_file else None


def work_dir(job_id: int) -> Path:
    """A job's working directory (its parts write into their parent's)."""
    return jobs_dir() / str(job_id)


class Cancelled(Exception):
    """The user cancelled the job: the work stops at its next progress step."""


def append_log(job_id: int, text: str) -> None:
    stamp = timezone.localtime().strftime("%H:%M:%S")
    Job.objects.filter(id=job_id).update(log=Concat(F("log"), Value(f"{stamp} {text}\n")))


def _duration(seconds: float) -> str:
    seconds = int(round(seconds))
    if seconds < 60:
        return f"{seconds} 秒"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} 分 {seconds} 秒"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} 小时 {minutes} 分"


def progress_text(job: Job) -> str:
    """"3/10（30%），已用 12 秒，预计还需 28 秒": counts and time left, for the page and stderr."""
    parts = [f"{job.done}/{job.total}（{job.percent}%）" if job.total else "准备中"]
    if job.started_at:
        elapsed = ((job.finished_at or timezone.now()) - job.started_at).total_seconds()
        parts.append(f"已用 {_duration(elapsed)}")
        if job.state == RUNNING and job.total and 0 < job.done < job.total:
            parts.append(f"预计还需 {_duration(elapsed / job.done * (job.total - job.done))}")
    return "，".join(parts)


class Progress:
    """What a job's work sees: counts, log, the cancel check and its working directory."""

    def __init__(self, job: Job):
        self.job = job
        self._last = 0.0
        self.work_dir = work_dir(job.id)
        self.work_dir.mkdir(parents=True, exist_ok=True)

    def start(self, total: int) -> None:
        self.job.total = total
        Job.objects.filter(id=self.job.id).update(total=total, heartbeat_at=timezone.now())

    def log(self, text: str) -> None:
        append_log(self.job.id, text)

    def advance(self, done: int | None = None, step: int = 1) -> None:
        """One more step done (or ``done`` steps in all); raises ``Cancelled`` when asked to stop."""
        self.job.done = self.job.done + step if done is None else done
        now = time.monotonic()
        if now - self._last < WRITE_EVERY and self.job.done < self.job.total:
            return
        self._last = now
        Job.objects.filter(id=self.job.id).update(done=self.job.done, heartbeat_at=timezone.now())
        parent = self.job.params.get(PARENT) if isinstance(self.job.params, dict) else None
        if parent is not None:
            # The user watches the batch, not its parts: its count is theirs, kept current here
            # because the batch's own worker updates it only between the parts it runs itself.
            done = Job.objects.filter(**{f"params__{PARENT}": parent}).aggregate(n=Sum("done"))["n"] or 0
            Job.objects.filter(id=parent, state=RUNNING, done__lt=done, total__gt=done).update(done=done)
        if Job.objects.filter(id=self.job.id, cancel_requested=True).exists():
            raise Cancelled()

    def publish(self, tmp: Path, name: str) -> None:
        """Make ``tmp`` (inside the work directory) the job's result, atomically."""
        final = self.work_dir / f"result{Path(name).suffix}"
        os.replace(tmp, final)
        self.job.result_file = str(final.relative_to(jobs_dir()))
        self.job.result_name = name
        Job.objects.filter(id=self.job.id).update(result_file=self.job.result_file, result_name=name)


class _Heartbeat(threading.Thread):
    """Renews the lease while one long step runs (a PDF conversion reports no progress for seconds)."""

    def __init__(self, job_id: int, worker: str):
        super().__init__(daemon=True, name=f"jixiao-heartbeat-{job_id}")
        self.job_id, self.worker = job_id, worker
        self.stop = threading.Event()

    def run(self) -> None:
        try:
            while not self.stop.wait(lease_seconds() / 4):
                Job.objects.filter(id=self.job_id, state=RUNNING, worker=self.worker).update(
                    heartbeat_at=timezone.now())
        finally:
            connection.close()  # this thread's own connection


Work = Callable[[Job, Progress], Any]


def fresh_connection() -> None:
    """Drop a connection the database closed (a long idle worker), as Django does per request;
    never inside a transaction (a caller's, or a test's), where closing would lose it."""
    if not connection.in_atomic_block:
        close_old_connections()


def execute(job_id: int, worker: str, work_for: Callable[[str], Work]) -> str:
    """Run the job ``job_id`` in this process as ``worker``; returns its final state."""
    fresh_connection()
    job = Job.objects.filter(id=job_id).first()
    if job is None or job.state in (DONE, FAILED, CANCELLED):
        return job.state if job else "missing"
    if job.cancel_requested:
        Job.objects.filter(id=job_id).update(state=CANCELLED, finished_at=timezone.now())
        return CANCELLED
    now = timezone.now()
    Job.objects.filter(id=job_id).update(state=RUNNING, worker=worker, heartbeat_at=now,
                                         started_at=job.started_at or now, attempts=F("attempts") + 1)
    job.refresh_from_db()
    append_log(job_id, f"开始执行（第 {job.attempts} 次，工作进程 {worker}）")
    beat = _Heartbeat(job_id, worker)
    beat.start()
    state, error = DONE, ""
    try:
        work_for(job.kind)(job, Progress(job))
    except Cancelled:
        state = CANCELLED
    except (InputError, ServiceError) as exc:
        state, error = FAILED, str(exc)
    except Exception as exc:
        # Not the user's doing: the job is marked failed for the user, the traceback stays with
        # the queue's task record (django-tasks-db) for the administrator.
        Job.objects.filter(id=job_id).update(state=FAILED, finished_at=timezone.now(),
                                             error=f"内部错误（{type(exc).__name__}），请联系系统管理员")
        append_log(job_id, f"内部错误：{type(exc).__name__}: {exc}")
        raise
    finally:
        beat.stop.set()
        beat.join()
    Job.objects.filter(id=job_id).update(state=state, error=error, finished_at=timezone.now())
    append_log(job_id, {DONE: "执行完毕", CANCELLED: "已按要求取消", FAILED: f"执行失败：{error}"}[state])
    return state


def stale_jobs() -> list[Job]:
    """Running jobs whose lease ran out: their worker died (killed, machine lost)."""
    limit = timezone.now() - timedelta(seconds=lease_seconds())
    return list(Job.objects.filter(state=RUNNING, heartbeat_at__lt=limit))


def mark_requeued(job: Job) -> bool:
    """The job is queued again unless someone else already did (conditional update)."""
    changed = Job.objects.filter(id=job.id, state=RUNNING, heartbeat_at=job.heartbeat_at).update(
        state=QUEUED, worker="")
    if changed:
        append_log(job.id, f"工作进程 {job.worker} 已失联（超过 {int(lease_seconds())} 秒无心跳），任务重新排队")
    return bool(changed)


def add_parts(parent: Job, kind: str, params: list[dict[str, Any]]) -> list[int]:
    """The ids of the part jobs of ``parent``, one per item of ``params``, made once: a parent
    retried after its worker died finds the parts of its first attempt (some done already)."""
    with transaction.atomic():
        existing = list(Job.objects.filter(**{f"params__{PARENT}": parent.id}).order_by("id")
                        .values_list("id", flat=True))
        if existing:
            return existing
        count = len(params)
        Job.objects.bulk_create([
            Job(kind=kind, title=f"{parent.title}（第 {n}/{count} 部分）", params={**p, PARENT: parent.id},
                who=parent.who, department=parent.department)  # no user: their starter sees the parent only
            for n, p in enumerate(params, 1)])
        return list(Job.objects.filter(**{f"params__{PARENT}": parent.id}).order_by("id")
                    .values_list("id", flat=True))


def claim_part(worker: str, parent_id: int | None = None) -> int | None:
    """A queued part job (of ``parent_id``, or of any parent) taken for ``worker``, or None. The
    conditional update is the claim: of two workers asking at once, one gets it."""
    queued = Job.objects.filter(state=QUEUED, task_id="", **{f"params__{PARENT}__isnull": False})
    if parent_id is not None:
        queued = queued.filter(**{f"params__{PARENT}": parent_id})
    for pk in queued.order_by("id").values_list("id", flat=True)[:5]:
        if Job.objects.filter(id=pk, state=QUEUED).update(state=RUNNING, worker=worker, heartbeat_at=timezone.now()):
            return pk
    return None


def run_part(part_id: int, worker: str, work_for: Callable[[str], Work]) -> str:
    """Run a claimed part; its own failure is recorded on it (and read by its parent), so it never
    ends the worker or the parent that ran it."""
    try:
        return execute(part_id, worker, work_for)
    except Exception:  # execute marked the part failed and logged the error: nothing to add
        return FAILED


def run_parts(progress: Progress, part_ids: list[int], work_for: Callable[[str], Work]) -> list[Job]:
    """Run the parts of ``progress.job`` beside the other workers until all are finished; the
    job's progress is the sum of theirs. A cancelled parent cancels its parts. Returns them."""
    parent = progress.job
    while True:
        taken = claim_part(parent.worker, parent.id)
        if taken is not None:
            run_part(taken, parent.worker, work_for)
        rows = list(Job.objects.filter(id__in=part_ids).values_list("state", "done"))
        try:
            progress.advance(max(parent.done, min(sum(done for _, done in rows), parent.total - 1)))
        except Cancelled:
            Job.objects.filter(id__in=part_ids).exclude(state__in=FINISHED).update(cancel_requested=True)
            Job.objects.filter(id__in=part_ids, state=QUEUED).update(state=CANCELLED, finished_at=timezone.now())
            raise
        if all(state in FINISHED for state, _ in rows):
            return list(Job.objects.filter(id__in=part_ids).order_by("id"))
        if taken is None:
            time.sleep(PART_POLL)  # the rest run on other workers
