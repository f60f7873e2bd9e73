"""Abstract model bases and column helpers of the park ledgers. Abstract bases add no tables of
their own: the concrete models in each ledger app keep their names, columns and migrations."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

MONEY = {"max_digits": 18, "decimal_places": 4}
ORIGIN_DEFAULT = "录入"


def choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v or "（空）") for v in values]


class SnapshotYear(models.Model):
    """One department-year of a ledger stored as a whole snapshot, with the rule set it was first
    counted under. The concrete model adds the department (its own related name) and the
    uniqueness of (department, year)."""

    year = models.PositiveSmallIntegerField("年度")
    rule_id = models.CharField("统计规则", max_length=64)
    rule_version = models.PositiveIntegerField("规则版本")
    origin = models.CharField("数据来源", max_length=8, default=ORIGIN_DEFAULT)
    saved_by = models.CharField("保存人", max_length=150, blank=True)
    saved_at = models.DateTimeField("保存时间", default=timezone.now)
    reason = models.CharField("原因", max_length=300, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.department.code} {self.year}"


class ChangeRecord(models.Model):
    """Append-only history of a ledger's records, keyed by department code, year and the record's
    natural key rather than a foreign key, so that it outlives the rows a new import replaces."""

    when = models.DateTimeField("时间", default=timezone.now, db_index=True)
    who = models.CharField("操作人", max_length=150, blank=True)
    department = models.CharField("部门编码", max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    action = models.CharField("操作", max_length=8)  # 新增 / 修改 / 删除 / 认定
    field = models.CharField("字段", max_length=64, blank=True)
    before = models.TextField("修改前", null=True, blank=True)
    after = models.TextField("修改后", null=True, blank=True)
    reason = models.TextField("原因", blank=True)

    class Meta:
        abstract = True
        ordering = ["-when", "-id"]
