"""The 任务 pages: the user's jobs, one job with its progress bar (htmx polls the fragment until
the job ends), cancel, download; the bureau's "生成全部部门报告" button; and ``/healthz``."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db import connection
from django.db.utils import DatabaseError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from jixiao.jobs.models import QUEUED, RUNNING, Job
from jixiao.jobs.runtime import batches, lease_seconds, progress_text, result_path, stale_jobs
from jixiao.services import jobs
from jixiao.services.actor import actor_for
from jixiao.services.errors import NotFound, ServiceError


def _job(request: HttpRequest, job_id: int) -> Job:
    try:
        return jobs.get(actor_for(request.user), job_id)
    except NotFound as exc:
        raise Http404(exc.message) from None


@login_required
def job_list(request: HttpRequest) -> HttpResponse:
    rows = list(jobs.visible(actor_for(request.user))[:100])
    return render(request, "jobs/list.html", {"jobs": [(j, progress_text(j)) for j in rows]})


@login_required
def job_detail(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "jobs/detail.html", {"job": job, "progress": progress_text(job)})


@login_required
def job_progress(request: HttpRequest, job_id: int) -> HttpResponse:
    job = _job(request, job_id)
    return render(request, "jobs/_progress.html", {"job": job, "progress": progress_text(job)})


@login_required
@require_POST
def job_cancel(request: HttpRequest, job_id: int) -> HttpResponse:
    try:
        jobs.cancel(actor_for(request.user), job_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ServiceError:
        pass  # already finished: the page shows its final state
    return redirect("jobs:detail", job_id)


@login_required
def job_download(request: HttpRequest, job_id: int) -> FileResponse:
    job = _job(request, job_id)
    path = result_path(job)
    if path is None or not path.exists():
        raise Http404("该任务没有结果文件")
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.result_name)


@login_required
@require_POST
def bureau_reports(request: HttpRequest, code: str, year: int) -> HttpResponse:
    try:
        job = jobs.start(actor_for(request.user), "bureau_reports", code, {"bureau": code, "year": year})
    except NotFound as exc:
        raise Http404(exc.message) from None
    return redirect("jobs:detail", job.id)


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """No login: for a load balancer or a monitor. 200 when the database answers, 503 otherwise."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        queue = {
            # batches only: the parts of a big batch wait by design while their batch runs
            "queued": batches().filter(state=QUEUED).count(),
            "parts_queued": Job.objects.filter(state=QUEUED).count() - batches().filter(state=QUEUED).count(),
            "running": batches().filter(state=RUNNING).count(),
            "stale": len(stale_jobs()),
            "tasks_ready": DBTaskResult.objects.filter(status=TaskResultStatus.READY).count(),
            "lease_seconds": lease_seconds(),
        }
        oldest = batches().filter(state=QUEUED).order_by("created_at").values_list("created_at", flat=True).first()
        queue["oldest_queued_seconds"] = round((timezone.now() - oldest).total_seconds(), 1) if oldest else 0
    except DatabaseError as exc:
        return JsonResponse({"status": "error", "database": {"ok": False, "error": type(exc).__name__}}, status=503)
    database = {"ok": True, "vendor": connection.vendor}
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode")
            database["journal_mode"] = cursor.fetchone()[0]
    return JsonResponse({"status": "ok", "database": database, "jobs": queue})
