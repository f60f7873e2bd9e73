"""The security log (等保 安全审计): what it holds is written by ``jixiao.web.security``; this
module reads it for the system administrator's page and ``jixiao security-log``, exports it, and
removes entries older than the retention period (``JIXIAO_SECURITY_LOG_DAYS``, default 180 days).

The log is append-only (``budget.AppendOnly``): nothing edits or deletes an entry except the
retention prune, which goes around the guard deliberately and leaves an entry saying so.
"""
from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jixiao.web.models import SECURITY_EVENT_KINDS, LoginThrottle, SecurityEvent

PAGE_SIZE = 100


def entries(kind: str = "", username: str = "") -> models.QuerySet[SecurityEvent]:
    rows = SecurityEvent.objects.all()
    if kind:
        rows = rows.filter(kind=kind)
    if username:
        rows = rows.filter(username=username)
    return rows.order_by("-when", "-id")


def as_json(rows: models.QuerySet[SecurityEvent]) -> str:
    return json.dumps({"entries": [r.as_dict() for r in rows.iterator()]}, ensure_ascii=False, indent=1)


def retention_days() -> int:
    return int(settings.JIXIAO_SECURITY_LOG_DAYS)


def prune(who: str) -> int:
    """Remove the entries older than the retention period; returns how many. The removal itself
    is logged. (``models.QuerySet.delete``: the one sanctioned way around the append-only guard.)"""
    cutoff = timezone.now() - timedelta(days=retention_days())
    old = SecurityEvent.objects.filter(when__lt=cutoff)
    count, _ = models.QuerySet.delete(old)
    # lock-out counters whose window has long passed hold nothing (one row per address and account)
    LoginThrottle.objects.filter(last_failure__lt=cutoff).delete()
    SecurityEvent.objects.create(kind="清理日志", username=who[:150],
                                 detail=f"删除 {cutoff:%Y-%m-%d} 之前（保存期 {retention_days()} 天）的 {count} 条记录")
    return count


def _administrator(request: HttpRequest) -> None:
    # The whole system's log: a superuser only. Others get 404 (the page is not theirs to know).
    if not request.user.is_superuser:
        raise Http404("未找到该页面")


@login_required
def security_log(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    kind = request.GET.get("kind", "").strip()
    username = request.GET.get("user", "").strip()
    page = Paginator(entries(kind, username), PAGE_SIZE).get_page(request.GET.get("page"))
    context: dict[str, Any] = {"page": page, "kinds": SECURITY_EVENT_KINDS, "kind": kind, "username": username,
                               "days": retention_days()}
    return render(request, "web/security_log.html", context)


@login_required
def security_log_export(request: HttpRequest) -> HttpResponse:
    _administrator(request)
    rows = entries(request.GET.get("kind", "").strip(), request.GET.get("user", "").strip())
    response = HttpResponse(as_json(rows), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="security-log-{timezone.localdate():%Y%m%d}.json"'
    return response

