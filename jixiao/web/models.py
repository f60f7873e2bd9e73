"""What only the web application stores: login attempts (for lock-out), re-scores (复核) and
API tokens for programs.

Status changes and edits are not stored here: they go to the department data and the
append-only ``budget.ChangeLog``, which is the one history of every record.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jixiao.budget.models import Digits

SCORE: Digits = {"max_digits": 10, "decimal_places": 4}


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


class Review(models.Model):
    """A finance-bureau re-score (复核) of a project's or a department's self-evaluation.
    The latest row per (department, year, project) is the one in force; older ones stay as history."""

    department = models.CharField("部门编码", max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    project = models.CharField("项目编码", max_length=64, blank=True)  # "" = 部门整体
    score = models.DecimalField("复核得分", **SCORE)
    grade = models.CharField("复核等级", max_length=8)
    self_score = models.DecimalField("自评得分", **SCORE)
    self_grade = models.CharField("自评等级", max_length=8)
    reason = models.TextField("复核意见")
    who = models.CharField("复核人", max_length=150)
    when = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "财政复核"
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["department", "year"], name="web_review_dept_year")]

    def __str__(self) -> str:
        return f"{self.department}/{self.year}/{self.project or '部门整体'}：{self.score}（{self.grade}）"


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
