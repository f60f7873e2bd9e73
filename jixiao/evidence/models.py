"""One attached file. It names what it supports the way the rest of jixiao names records — by
kind, project code and key (indicator code, month, rectification code: ``jixiao.core.changes.Ref``)
— so it stays attached across edits and imports that keep those identities. The file itself lies
under the evidence directory as ``storage`` (a random token), never at a path derived from the
user's file name or the row id."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from jixiao.budget.models import DepartmentYear

KINDS = (("indicator", "指标实际完成值"), ("checkpoint", "监控表"), ("rectification", "整改事项"))


class Evidence(models.Model):
    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE, related_name="evidence")
    kind = models.CharField("所属对象类型", max_length=16, choices=KINDS)
    project = models.CharField("项目编码", max_length=64, blank=True)  # "" for the department's own
    key = models.CharField("对象编码", max_length=64)  # indicator code, month, rectification code
    name = models.CharField("文件名", max_length=200)
    storage = models.CharField("存储名", max_length=64, unique=True)
    file_type = models.CharField("文件类型", max_length=16)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64)
    note = models.CharField("说明", max_length=300, blank=True)
    uploaded_by = models.CharField("上传人", max_length=150)
    uploaded_at = models.DateTimeField("上传时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "佐证材料"
        ordering = ["department_year", "kind", "project", "key", "uploaded_at", "id"]
        indexes = [models.Index(fields=["department_year", "kind", "project", "key"], name="evidence_target")]

    def __str__(self) -> str:
        return self.name
