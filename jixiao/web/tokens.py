"""API tokens for programs: ``Authorization: Bearer TOKEN`` on the JSON API (/api/).

A token is ``jx_<8 hex>_<43 characters from secrets.token_urlsafe(32)>``. Only its SHA-256 is
stored (``ApiToken.key_hash``), beside the non-secret prefix ``jx_<8 hex>`` that names it in
``jixiao token list`` / ``revoke``. ``last_used`` is written at most once a minute per token,
not on every request.

Bearer calls carry no cookie, so a forged cross-site request cannot hold one: they need no CSRF
token. The API views are therefore CSRF-exempt, and ``csrf_failed`` applies Django's check to
the session-authenticated calls instead (``jixiao.web.views.api.api_view``).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import User
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import timezone

from jixiao.web.models import ApiToken

PREFIX_START = "jx_"
LAST_USED_SECONDS = 60


class TokenRejected(Exception):
    """A bearer token that does not authenticate; ``str(exc)`` is the Chinese reason for the 401."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(user: User, name: str = "") -> tuple[ApiToken, str]:
    """A new token for ``user``: the stored row and the token itself, which is never stored."""
    prefix = PREFIX_START + secrets.token_hex(4)
    while ApiToken.objects.filter(prefix=prefix).exists():  # 1 in 4 billion: draw again
        prefix = PREFIX_START + secrets.token_hex(4)
    token = f"{prefix}_{secrets.token_urlsafe(32)}"
    row = ApiToken.objects.create(user=user, name=name, prefix=prefix, key_hash=hash_token(token))
    return row, token


def bearer_token(request: HttpRequest) -> str | None:
    """The token of an ``Authorization: Bearer`` header ("" if empty); None without one."""
    scheme, _, value = request.headers.get("Authorization", "").strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return value.strip()


def authenticate_bearer(request: HttpRequest) -> ApiToken | None:
    """Authenticates a request that carries a bearer token: sets ``request.user`` to the token's
    user and returns the token. None when the request has no bearer token (the session applies).
    Raises ``TokenRejected`` for an unknown or revoked token or an inactive user; a request with
    a bad token is refused, never treated as its session."""
    token = bearer_token(request)
    if token is None:
        return None
    if not token:
        raise TokenRejected("缺少 API 令牌：请求头应为 Authorization: Bearer 令牌")
    row = ApiToken.objects.select_related("user").filter(key_hash=hash_token(token)).first()
    if row is None or row.revoked_at is not None:
        raise TokenRejected("API 令牌无效或已撤销")
    if not row.user.is_active:
        raise TokenRejected("API 令牌所属账号已停用")
    _touch(row)
    request.user = row.user
    return row


def _touch(row: ApiToken) -> None:
    """Records the use, at most once a minute (the condition also holds between processes)."""
    now = timezone.now()
    stale = now - timedelta(seconds=LAST_USED_SECONDS)
    if row.last_used is not None and row.last_used > stale:
        return
    ApiToken.objects.filter(Q(last_used__isnull=True) | Q(last_used__lte=stale), pk=row.pk).update(last_used=now)
    row.last_used = now


def _no_response(request: HttpRequest) -> HttpResponse:  # CsrfViewMiddleware needs a get_response
    return HttpResponse()


def csrf_failed(request: HttpRequest) -> bool:
    """Django's CSRF check for a request to a CSRF-exempt view: True when an unsafe method comes
    without a valid CSRF token (the check also logs the refusal, as for any page)."""
    return CsrfViewMiddleware(_no_response).process_view(request, _no_response, (), {}) is not None
