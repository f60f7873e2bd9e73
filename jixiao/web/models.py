"""What only the web application stores: login attempts (for lock-out) and API tokens for programs.

Status changes, edits and finance reviews (``budget.Review``) are not stored here: they go to the
department data and the append-only ``budget.ChangeLog``, which is the one history of every record.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class LoginAttempt(models.Model):
    """One login attempt. The password is never stored, only whether it was accepted."""

    username = models.CharField("用户名", max_length=150, db_index=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    when = models.DateTimeField("时间", default=timezone.now, db_index=True)
    success = models.BooleanField("成功", default=False)

    class Meta:
        verbose_name = verbose_name_plural = "登录记录"
        ordering = ["-when"]

    def __str__(self) -> str:
        return f"{self.username} {'成功' if self.success else '失败'}（{self.when:%Y-%m-%d %H:%M}）"

class ApiToken(models.Model):
    """A token with which a program calls the JSON API as ``user`` (``Authorization: Bearer``).
    Only the SHA-256 of the token is stored; ``prefix``, the token's first characters, is not
    secret and names it in lists and revocations (``jixiao token``, ``jixiao.web.tokens``)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens",
                             verbose_name="用户")
    name = models.CharField("用途", max_length=100, blank=True)
    prefix = models.CharField("前缀", max_length=16, unique=True)
    key_hash = models.CharField("令牌摘要（SHA-256）", max_length=64, unique=True)
    created = models.DateTimeField("创建时间", default=timezone.now)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)
    revoked_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "API 令牌"
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.prefix}（{self.user}）"
