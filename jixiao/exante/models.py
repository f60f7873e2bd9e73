"""A project proposal (项目入库申报), its expert panel and the experts' scores."""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from jixiao.budget.models import MONEY, SCORE
from jixiao.core.exante import KINDS


class Proposal(models.Model):
    department = models.ForeignKey("budget.Department", verbose_name="申报单位", on_delete=models.CASCADE,
                                   related_name="proposals")
    year = models.PositiveSmallIntegerField("预算年度")
    code = models.CharField("项目编码", max_length=64)
    name = models.CharField("项目名称", max_length=200)
    kind = models.CharField("项目类型", max_length=4, choices=[(k, k) for k in KINDS], default="新增")
    policy = models.BooleanField("政策类", default=False)
    requested = models.DecimalField("申请金额（万元）", **MONEY)
    last_year = models.DecimalField("上年预算数（万元）", null=True, blank=True, **MONEY)
    unit = models.CharField("实施单位", max_length=200, blank=True)
    basis = models.TextField("立项依据与必要性", blank=True)
    plan = models.TextField("实施方案", blank=True)
    funding = models.TextField("资金测算与筹资方案", blank=True)
    goal = models.TextField("年度绩效目标", blank=True)
    indicators = models.JSONField("绩效指标", default=list, blank=True)  # [{level1, level2, name, target_text, weight}]
    status = models.CharField("状态", max_length=8, default="草稿")
    trigger_reason = models.TextField("是否须评估", blank=True)
    panel_score = models.DecimalField("专家组评分", null=True, blank=True, **SCORE)
    panel_method = models.CharField("计分方法", max_length=100, blank=True)
    conclusion = models.CharField("评估结论", max_length=8, blank=True)
    approved = models.DecimalField("核定金额（万元）", null=True, blank=True, **MONEY)
    opinion = models.TextField("评估意见与建议", blank=True)
    comment = models.TextField("最近一次审核意见", blank=True)
    project_code = models.CharField("入库后的项目编码", max_length=64, blank=True)
    created_by = models.CharField("申报人", max_length=150, blank=True)
    created = models.DateTimeField("申报时间", default=timezone.now)
    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        verbose_name = verbose_name_plural = "项目入库申报"
        ordering = ["department__code", "year", "code"]
        constraints = [models.UniqueConstraint(fields=["department", "year", "code"],
                                               name="exante_proposal_unique")]

    def __str__(self) -> str:
        return f"{self.name}（{self.code}）"


class PanelMember(models.Model):
    """An expert assigned to a proposal, with the conflict-of-interest declaration."""

    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="panel")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="panels")
    declared = models.BooleanField("已声明", default=False)
    conflict = models.BooleanField("存在利益冲突", default=False)
    declaration = models.TextField("声明内容", blank=True)
    declared_at = models.DateTimeField("声明时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "评审专家"
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="exante_panel_unique")]

    def __str__(self) -> str:
        return f"{self.expert}（{self.proposal}）"


class ExpertScore(models.Model):
    proposal = models.ForeignKey(Proposal, on_delete=models.CASCADE, related_name="scores")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="exante_scores")
    items = models.JSONField("分项得分", default=dict)  # item key → points as text
    total = models.DecimalField("合计", **SCORE)
    opinion = models.TextField("专家意见", blank=True)
    submitted = models.DateTimeField("提交时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "专家评分"
        constraints = [models.UniqueConstraint(fields=["proposal", "expert"], name="exante_score_unique")]

    def __str__(self) -> str:
        return f"{self.expert}：{self.total}（{self.proposal}）"
