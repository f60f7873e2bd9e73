"""Abstract model bases and column helpers of the park ledgers. Abstract bases add no tables of
their own: the concrete models in each ledger app keep their names, columns and migrations.

- ``LedgerYear``: one department-year of a ledger, with the rule set it is counted under and who
  saved it last, when and why.
- ``LedgerRecord``: one record of a ledger table. It belongs to its year (``ledger``, declared by
  the concrete model) and keeps its row identity across edits and imports; ``version`` counts its
  changes, so an edit based on an older version is refused.
- ``ChangeRecord``: the ledger's change history, append-only (``AppendOnlyError`` on any update or
  delete, through the queryset or an instance). A row names the record by id (``record_id``,
  which outlives a deleted record) and by its readable key (``record``), with the record's
  version after the change.
"""
from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone

from jixiao.budget.models import AppendOnly, AppendOnlyError, Department, Digits
from jixiao.ledgers.fields import ExactDecimalField

MONEY: Digits = {"max_digits": 18, "decimal_places": 4}
ORIGIN_DEFAULT = "录入"

__all__ = ["MONEY", "AppendOnlyError", "ChangeRecord", "Digits", "ExactDecimalField", "LedgerRecord",
           "LedgerYear", "choices", "money"]


def choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v or "（空）") for v in values]


def money(verbose_name: str, **kwargs: Any) -> ExactDecimalField:
    """A money column (万元 or the stated unit): 14 integer digits and 4 places, stored exactly."""
    return ExactDecimalField(verbose_name, max_digits=MONEY["max_digits"], decimal_places=MONEY["decimal_places"],
                             **kwargs)


class LedgerYear(models.Model):
    """One department-year of a ledger, with the rule set it was first counted under. The
    concrete model adds the department (its own related name) and the uniqueness of
    (department, year)."""

    year = models.PositiveSmallIntegerField("年度")
    rule_id = models.CharField("统计规则", max_length=64)
    rule_version = models.PositiveIntegerField("规则版本")
    origin = models.CharField("数据来源", max_length=8, default=ORIGIN_DEFAULT)
    saved_by = models.CharField("保存人", max_length=150, blank=True)
    saved_at = models.DateTimeField("保存时间", default=timezone.now)
    reason = models.CharField("原因", max_length=300, blank=True)
    # declared by each concrete model (a foreign key with its own related name); only typed here
    department: Department

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.department.code} {self.year}"


class LedgerRecord(models.Model):
    """One record of a ledger table; ``version`` starts at 1 and grows with every change."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True


class ChangeRecord(AppendOnly):
    """Append-only history of a ledger's records."""

    when = models.DateTimeField("时间", default=timezone.now, db_index=True)
    who = models.CharField("操作人", max_length=150, blank=True)
    department = models.CharField("部门编码", max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField("年度")
    table = models.CharField("台账表", max_length=32)
    record_id = models.BigIntegerField("记录编号", null=True, blank=True, db_index=True)
    record = models.CharField("记录", max_length=200, db_index=True)
    version = models.PositiveIntegerField("版本", null=True, blank=True)
    action = models.CharField("操作", max_length=8)  # 新增 / 修改 / 删除 / 认定
    field = models.CharField("字段", max_length=64, blank=True)
    # None (not set) and "" (set to blank) differ in a history
    before = models.TextField("修改前", null=True, blank=True)  # noqa: DJ001
    after = models.TextField("修改后", null=True, blank=True)  # noqa: DJ001
    reason = models.TextField("原因", blank=True)

    class Meta:
        abstract = True
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.who} {self.record} {self.action} {self.field}"
