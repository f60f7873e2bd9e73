"""A user's profile: contact phone, and the password hash an administrator set.

While ``user.password`` still equals ``assigned_password`` the user must change it before doing
anything else (``jixiao.organisation.middleware``): comparing hashes needs no hook into every
place a password can change, and a changed password ends the obligation by itself.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Profile(models.Model):
    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile",
                                verbose_name="用户")
    phone = models.CharField("联系电话", max_length=32, blank=True)
    assigned_password = models.CharField("管理员设置的密码（摘要）", max_length=128, blank=True)
    assigned_at = models.DateTimeField("设置时间", null=True, blank=True)
    created = models.DateTimeField("创建时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "用户资料"

    def __str__(self) -> str:
        return str(self.user)

    @property
    def must_change_password(self) -> bool:
        return bool(self.assigned_password) and self.assigned_password == self.user.password
