"""Security an audited government intranet system (等保 level 3) needs beyond Django's defaults:

- a Content-Security-Policy that allows nothing but this site (ECharts may style its tooltips
  through ``style`` attributes; scripts are never inline);
- request bodies refused from their Content-Length before anything reads them
  (``RequestSizeMiddleware``; ``jixiao serve`` also caps them in waitress while streaming);
- an idle timeout and an absolute session lifetime;
- lock-out after repeated failed logins, by account-and-address and by address, counted with a
  conditional UPDATE so that a parallel burst gets exactly the limit of password checks;
- the security log (``SecurityEvent``): logins, failures, lock-outs, logouts, denied accesses on
  scoped routes, admin actions and exports.
"""
from __future__ import annotations

import time
from datetime import timedelta
from typing import Any, cast

from django import forms
from django.conf import settings
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_out
from django.contrib.contenttypes.models import ContentType
from django.db.models import F
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from jixiao.services import history
from jixiao.web.models import LoginThrottle, PasswordHistory, SecurityEvent

# Everything from this site only. Inline scripts are not needed: data for charts travels in
# <script type="application/json"> (json_script), which the browser never executes. ECharts
# writes its tooltips with style attributes (style-src-attr); <style> elements and every script
# must still come from this site.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-elem 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])


class SecurityHeadersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CSP)
        response.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        response.setdefault("X-Content-Type-Options", "nosniff")
        response.setdefault("Referrer-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages with budget data must not linger in shared browser caches.
            response.setdefault("Cache-Control", "no-store")
        return response


def max_request_bytes() -> int:
    """The largest request body accepted: the largest upload plus its multipart envelope."""
    return int(settings.JIXIAO_REQUEST_MAX_BYTES)


class RequestSizeMiddleware:
    """Refuses a request whose declared body is larger than the limit before anything reads it
    (first in the chain). A chunked body without a length is not read by Django at all, and
    ``jixiao serve`` has waitress cap every body while it streams in."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        limit = max_request_bytes()
        if length > limit:
            message = f"请求内容 {length / 1024 / 1024:.1f} MB 超过上限 {limit / 1024 / 1024:.0f} MB，未被接收"
            if request.path.startswith("/api/"):
                return HttpResponse(f'{{"detail": "{message}"}}'.encode(), status=413,
                                    content_type="application/json; charset=utf-8")
            return HttpResponse(message.encode(), status=413, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


# The idle timeout needs minute precision, not a session write on every page view.
SESSION_REFRESH_SECONDS = 60
SEEN_KEY = "_jixiao_seen"
STARTED_KEY = "_jixiao_started"
EXPIRED_KEY = "_jixiao_password_expired"


class SessionIdleMiddleware:
    """Keeps a logged-in session alive while it is used: at most once a minute it touches the
    session, so the session middleware saves it with a fresh expiry (now + SESSION_COOKIE_AGE).
    A session older than the absolute lifetime (``JIXIAO_SESSION_MAX_HOURS``) ends whatever its
    use; a password older than JIXIAO_PASSWORD_MAX_DAYS sends the user to the password change
    page until it is changed. Runs before the view, so a logout in the view is not followed by a
    write to a new session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            started = session.get(STARTED_KEY)
            if started is None:
                session[STARTED_KEY] = now
            elif now - started > settings.JIXIAO_SESSION_MAX_SECONDS:
                logout(request)
                return redirect(f"{settings.LOGIN_URL}?next={request.path}")
            if now - session.get(SEEN_KEY, 0) >= SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now
                session[EXPIRED_KEY] = password_expired(request.user)
            if session.get(EXPIRED_KEY) and request.path not in _password_pages():
                return redirect(reverse("web:password_change"))
        return self.get_response(request)


def _password_pages() -> tuple[str, ...]:
    return (reverse("web:password_change"), reverse("web:logout"), reverse("web:login"))


def password_expired(user: Any) -> bool:
    """Whether ``user``'s password is older than JIXIAO_PASSWORD_MAX_DAYS (never when 0). The
    newest ``PasswordHistory`` row dates the password; without one, the account's creation."""
    days = int(settings.JIXIAO_PASSWORD_MAX_DAYS)
    if days <= 0 or user is None or not user.is_authenticated:
        return False
    changed = PasswordHistory.objects.filter(user_id=user.pk).values_list("changed", flat=True).first()
    return (changed or user.date_joined) < timezone.now() - timedelta(days=days)


# -- the security log -------------------------------------------------------------------------

def client_ip(request: HttpRequest | None) -> str:
    """The caller's address ("" without a request). Behind a proxy ``jixiao serve`` has waitress
    put the X-Forwarded-For address here — only for requests from JIXIAO_TRUSTED_PROXIES."""
    return "" if request is None else (request.META.get("REMOTE_ADDR") or "")[:64]


def log_event(kind: str, request: HttpRequest | None = None, username: str = "", detail: str = "",
              status: int | None = None) -> SecurityEvent:
    """Append one entry to the security log."""
    if not username and request is not None and getattr(request, "user", None) is not None \
            and request.user.is_authenticated:
        username = request.user.get_username()
    path = request.get_full_path()[:500] if request is not None else ""
    return SecurityEvent.objects.create(kind=kind, username=username[:150], ip=client_ip(request), path=path,
                                        status=status, detail=detail)


# Routes whose 403/404 is a denied access worth logging: everything scoped by a department, the
# administration and the log itself. (A 404 for a mistyped static file is not.)
SCOPED_PREFIXES = ("/d/", "/bureau/", "/api/", "/admin/", "/security-log/", "/land/", "/invest/", "/enterprise/",
                   "/org/", "/organisation/")
# Route names (namespace:name) of downloads: logged as exports.
EXPORT_ROUTES = frozenset({"web:report", "web:excel", "web:json", "security:export"})


class AuditMiddleware:
    """Writes denied accesses (403/404 on scoped routes) and successful downloads to the log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        status = response.status_code
        if status in (403, 404) and request.path.startswith(SCOPED_PREFIXES):
            log_event("拒绝访问", request, status=status, detail=f"{request.method} 被拒绝")
        elif status == 200 and request.method == "GET":
            match = getattr(request, "resolver_match", None)
            if match is not None and match.view_name in EXPORT_ROUTES:
                log_event("导出", request, status=status, detail=match.view_name)
        return response


@receiver(user_logged_out)
def _logged_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    log_event("退出登录", request, username=user.get_username() if user is not None else "")


@receiver(post_save, sender=LogEntry)
def _admin_action(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    """Every action in the admin goes to the security log; a deletion also to the change history."""
    if not created:
        return
    what = {1: "新增", 2: "修改", 3: "删除"}.get(instance.action_flag, "操作")
    content_type = cast("ContentType | None", instance.content_type)
    model = content_type.model_class() if content_type is not None else None
    who = cast("AbstractBaseUser", instance.user).get_username()
    label = f"{model._meta.app_label}.{model._meta.model_name}" if model is not None else "admin"
    detail = f"后台{what}：{label} {instance.object_repr}（编号 {instance.object_id}）"
    SecurityEvent.objects.create(kind="管理操作", username=who, detail=detail)
    if instance.action_flag == DELETION:
        history.record(who=who, department="", year=None, label=label,
                       object_id=int(instance.object_id) if str(instance.object_id).isdigit() else None,
                       version=None, key=str(instance.object_id), name=instance.object_repr[:200],
                       field="（删除）", before=instance.object_repr, after=None, reason="后台管理删除")


# -- lock-out ---------------------------------------------------------------------------------

def max_failures() -> int:
    return int(settings.JIXIAO_LOGIN_MAX_FAILURES)


def ip_max_failures() -> int:
    return int(settings.JIXIAO_LOGIN_IP_MAX_FAILURES)


def lock_minutes() -> int:
    return int(settings.JIXIAO_LOGIN_LOCK_MINUTES)


def _keys(username: str, ip: str) -> list[tuple[str, int]]:
    """The counters an attempt is charged to, with their limits: the address (so one place
    cannot try many accounts), then the account from that address (so nobody elsewhere can lock
    a chosen user out)."""
    return [(f"ip:{ip}"[:255], ip_max_failures()), (f"{username.lower()}|{ip}"[:255], max_failures())]


def _reserve(key: str, limit: int) -> bool:
    """Take one password check of ``key``'s allowance; False when none is left (locked)."""
    now = timezone.now()
    LoginThrottle.objects.get_or_create(key=key)  # a parallel creation is handled inside (savepoint, re-read)
    # A window that has passed starts again.
    LoginThrottle.objects.filter(key=key, last_failure__lt=now - timedelta(minutes=lock_minutes())).update(failures=0)
    # The one atomic step: of N parallel attempts, exactly ``limit - failures`` succeed here.
    return LoginThrottle.objects.filter(key=key, failures__lt=limit).update(
        failures=F("failures") + 1, last_failure=now) == 1


class LockoutAuthenticationForm(AuthenticationForm):
    """Reserves a password check before making it (refused when the account or the address is
    locked), and writes every attempt to the security log."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "登录失败次数过多，账号已锁定 %(minutes)s 分钟，请稍后再试或联系系统管理员。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        ip = client_ip(self.request)
        if username:
            for key, limit in _keys(username, ip):
                if not _reserve(key, limit):
                    what = "来源地址" if key.startswith("ip:") else "账号"
                    log_event("锁定期内登录", self.request, username=username, detail=f"{what}已锁定，未核对密码")
                    raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                                params={"minutes": lock_minutes()})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                log_event("登录失败", self.request, username=username, detail="用户名或密码错误")
                account = _keys(username, ip)[1][0]
                if LoginThrottle.objects.filter(key=account, failures__gte=max_failures()).exists():
                    log_event("账号锁定", self.request, username=username,
                              detail=f"连续失败 {max_failures()} 次，锁定 {lock_minutes()} 分钟（来源 {ip or '未知'}）")
            raise
        # A success clears the account's count and gives back the check it took of the address's
        # allowance — only that one (an office behind one address logs in all day; one good
        # account must not reset the allowance of an address trying others).
        address, account = (key for key, _ in _keys(username, ip))
        LoginThrottle.objects.filter(key=account).update(failures=0)
        LoginThrottle.objects.filter(key=address, failures__gt=0).update(failures=F("failures") - 1)
        log_event("登录成功", self.request, username=username)
        return cleaned
