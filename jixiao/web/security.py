"""Security an audited government intranet system needs beyond Django's defaults:
a Content-Security-Policy that allows nothing but this site, a few more headers, and
lock-out after repeated failed logins (counted in the database, so it holds across processes).
"""
from __future__ import annotations

import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest
from django.utils import timezone

from jixiao.web.models import LoginAttempt

# Everything from this site only. Inline scripts are not needed: data for charts travels in
# <script type="application/json"> (json_script), which the browser never executes.
CSP = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
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


# The idle timeout needs minute precision, not a session write on every page view.
SESSION_REFRESH_SECONDS = 60
SEEN_KEY = "_jixiao_seen"


class SessionIdleMiddleware:
    """Keeps a logged-in session alive while it is used: at most once a minute it touches the
    session, so the session middleware saves it with a fresh expiry (now + SESSION_COOKIE_AGE).
    Runs before the view, so a logout in the view is not followed by a write to a new session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and session.get(SESSION_KEY) is not None:
            now = int(time.time())
            if now - session.get(SEEN_KEY, 0) >= SESSION_REFRESH_SECONDS:
                session[SEEN_KEY] = now
        return self.get_response(request)


def max_failures() -> int:
    return int(getattr(settings, "JIXIAO_LOGIN_MAX_FAILURES", 5))


def lock_minutes() -> int:
    return int(getattr(settings, "JIXIAO_LOGIN_LOCK_MINUTES", 15))


def recent_failures(username: str) -> int:
    """Failures since the last success within the lock window."""
    since = timezone.now() - timedelta(minutes=lock_minutes())
    attempts = LoginAttempt.objects.filter(username__iexact=username, when__gte=since)
    last_ok = attempts.filter(success=True).order_by("-when").values_list("when", flat=True).first()
    failed = attempts.filter(success=False)
    if last_ok is not None:
        failed = failed.filter(when__gt=last_ok)
    return failed.count()


def client_ip(request: HttpRequest | None) -> str:
    """The caller's address ("" when the form was built without a request)."""
    return "" if request is None else (request.META.get("REMOTE_ADDR") or "")[:64]


class LockoutAuthenticationForm(AuthenticationForm):
    """Refuses a locked account before checking the password, and records every attempt."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "locked": "登录失败次数过多，账号已锁定 %(minutes)s 分钟，请稍后再试或联系系统管理员。",
    }

    def clean(self):
        username = (self.cleaned_data.get("username") or "").strip()
        if username and recent_failures(username) >= max_failures():
            LoginAttempt.objects.create(username=username[:150], ip=client_ip(self.request), success=False)
            raise forms.ValidationError(self.error_messages["locked"], code="locked",
                                        params={"minutes": lock_minutes()})
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if username:
                LoginAttempt.objects.create(username=username[:150], ip=client_ip(self.request), success=False)
            raise
        LoginAttempt.objects.create(username=username[:150], ip=client_ip(self.request), success=True)
        return cleaned
