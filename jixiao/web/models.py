"""What only the web application stores: the lock-out counters, the security log and API tokens
for programs.

Status changes, edits and finance reviews (``budget.Review``) are not stored here: they go to the
department data and the append-only ``budget.ChangeLog``, which is the one history of every record.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jixiao.budget.models import AppendOnly


class LoginThrottle(models.Model):
    """Failed password checks of one key — an account from one address (``账号|地址``) or an
    address (``ip:地址``) — within the lock window. A check is reserved with one conditional
    ``UPDATE … SET failures = failures + 1 WHERE failures < limit`` before the password is
    checked, so a parallel burst gets exactly ``limit`` checks and no more."""

    key = models.CharField("键", max_length=255, unique=True)
    failures = models.PositiveIntegerField("失败次数", default=0)
    last_failure = models.DateTimeField("最近失败", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "登录限制"

    def __str__(self) -> str:
        return f"{self.key}：{self.failures}"


class PasswordHistory(models.Model):
    """The hashes of a user's recent passwords (never a password), so that a new one cannot be
    one of the last ``HistoryValidator.keep``; the newest row also dates the password (expiry)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="password_history",
                             verbose_name="用户")
    password = models.CharField("密码摘要", max_length=128)
    changed = models.DateTimeField("修改时间", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-changed", "-id"]

    def __str__(self) -> str:
        return f"{self.user}（{self.changed:%Y-%m-%d}）"


SECURITY_EVENT_KINDS = ("登录成功", "登录失败", "账号锁定", "锁定期内登录", "退出登录", "拒绝访问", "管理操作",
                        "导出", "清理日志")


class SecurityEvent(AppendOnly):
    """The security log (等保 安全审计): logins, failures, lock-outs, logouts, denied accesses,
    admin actions and exports. Append-only; entries older than the retention period
    (``JIXIAO_SECURITY_LOG_DAYS``) are removed only by ``jixiao security-log --prune``, which logs
    that it did. The password is never stored."""

    when = models.DateTimeField("时间", default=timezone.now, db_index=True)
    kind = models.CharField("类型", max_length=16, choices=[(k, k) for k in SECURITY_EVENT_KINDS], db_index=True)
    username = models.CharField("用户名", max_length=150, blank=True, db_index=True)
    ip = models.CharField("来源地址", max_length=64, blank=True)
    path = models.CharField("地址", max_length=500, blank=True)
    status = models.PositiveSmallIntegerField("状态码", null=True, blank=True)
    detail = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "安全审计日志"
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M:%S} {self.kind} {self.username}"

    def as_dict(self) -> dict[str, object]:
        return {"when": self.when.isoformat(), "kind": self.kind, "username": self.username, "ip": self.ip,
                "path": self.path, "status": self.status, "detail": self.detail}


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
