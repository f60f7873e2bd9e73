"""Database rows of the enterprise ledger, one snapshot (``EnterpriseYear``) per department-year.
Statistics keep every data vintage the bureau supplied; the summary reads the newest. Ticket
steps and plan measures are rows of their own, ordered by ``position``."""
from __future__ import annotations

from django.db import models

from jixiao.budget.models import Department
from jixiao.core import enterprise as ent
from jixiao.ledgers.models import ChangeRecord, LedgerRecord, LedgerYear, money
from jixiao.ledgers.models import choices as _choices


class EnterpriseYear(LedgerYear):
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="enterprise_years")

    class Meta:
        verbose_name = verbose_name_plural = "企业服务台账年度"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="enterprise_year_unique")]


class Enterprise(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="enterprises")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    name = models.CharField("企业名称", max_length=200)
    industry_code = models.CharField("行业代码", max_length=4)
    main_revenue = money("上年主营业务收入（万元）", null=True, blank=True)
    ownership = models.CharField("登记注册类型", max_length=32, blank=True)
    street = models.CharField("所在街道", max_length=64, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    parcel_id = models.CharField("宗地编号", max_length=64, blank=True)
    high_tech = models.BooleanField("高新技术企业", default=False)
    officer = models.CharField("服务专员", max_length=64, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "企业"
        ordering = ["ledger", "uscc"]
        constraints = [models.UniqueConstraint(fields=["ledger", "uscc"], name="enterprise_uscc_unique")]


class Recognition(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="recognitions")
    uscc = models.CharField("统一社会信用代码", max_length=18)
    program = models.CharField("认定类别", max_length=64)
    level = models.CharField("级别", max_length=8, choices=_choices(ent.LEVELS))
    recognised_on = models.DateField("认定日期")
    batch = models.CharField("批次", max_length=64, blank=True)
    expires_on = models.DateField("有效期至", null=True, blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "专精特新认定"
        ordering = ["ledger", "uscc", "recognised_on"]


class MonthlyStat(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="stats")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    month = models.PositiveSmallIntegerField("月份")
    vintage = models.DateField("数据版本日期")
    output = money("工业总产值（万元）", null=True, blank=True)
    output_prior = money("上年同期工业总产值（同口径）", null=True, blank=True)
    sales = money("销售额（万元）", null=True, blank=True)
    sales_prior = money("上年同期销售额（同口径）", null=True, blank=True)
    main_revenue = money("主营业务收入（万元）", null=True, blank=True)
    price_basis = models.CharField("价格口径", max_length=8, choices=_choices(ent.PRICE_BASES), default="现价")
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "月度统计"
        ordering = ["ledger", "uscc", "month", "vintage"]
        constraints = [models.UniqueConstraint(fields=["ledger", "uscc", "month", "vintage"],
                                               name="enterprise_stat_unique")]


class PublishedTotal(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="published")
    measure = models.CharField("指标", max_length=64)
    year = models.PositiveSmallIntegerField("年度")
    value = money("公布数（万元）")
    source = models.CharField("来源", max_length=200, blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "上年公布数"


class Visit(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="visits")
    visit_id = models.CharField("走访编号", max_length=64)
    date = models.DateField("走访日期")
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    staff = models.JSONField("走访人员", default=list)
    leader_involved = models.BooleanField("领导带队", default=False)
    purpose = models.CharField("走访目的", max_length=200, blank=True)
    issues_raised = models.TextField("反映问题", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["ledger", "date", "visit_id"]


class Ticket(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="tickets")
    ticket_id = models.CharField("工单编号", max_length=64)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    category = models.CharField("问题类别", max_length=32)
    description = models.TextField("问题描述")
    received_on = models.DateField("收到日期")
    source = models.CharField("来源", max_length=8, choices=_choices(ent.TICKET_SOURCES), default="走访")
    assigned_dept = models.CharField("承办部门", max_length=100, blank=True)
    deadline = models.DateField("办理时限", null=True, blank=True)
    resolution = models.TextField("办理结果", blank=True)
    satisfaction = models.CharField("满意度", max_length=8, blank=True, choices=_choices(ent.SATISFACTION))
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "问题直通车"
        ordering = ["ledger", "received_on", "ticket_id"]


class TicketEvent(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="ticket_events")
    position = models.PositiveIntegerField(default=0)
    ticket_id = models.CharField("工单编号", max_length=64, db_index=True)
    status = models.CharField("状态", max_length=8, choices=_choices(ent.TICKET_STATUSES))
    date = models.DateField("日期")
    note = models.TextField("说明", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "工单办理过程"
        ordering = ["ledger", "position"]


class Plan(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="plans")
    plan_id = models.CharField("方案编号", max_length=64)
    uscc = models.CharField("统一社会信用代码", max_length=18, db_index=True)
    title = models.CharField("方案名称", max_length=200)
    goals = models.TextField("目标", blank=True)
    started_on = models.DateField("制定日期", null=True, blank=True)
    reviewed_on = models.DateField("最近评估日期", null=True, blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "一企一策"
        ordering = ["ledger", "plan_id"]


class PlanMeasure(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="plan_measures")
    position = models.PositiveIntegerField(default=0)
    plan_id = models.CharField("方案编号", max_length=64)
    measure = models.TextField("措施")
    owner_dept = models.CharField("责任部门", max_length=100, blank=True)
    due_on = models.DateField("完成时限", null=True, blank=True)
    status = models.CharField("进展", max_length=8, choices=_choices(ent.MEASURE_STATUSES), default="未开始")
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "一企一策措施"
        ordering = ["ledger", "position"]


class Briefing(LedgerRecord):
    ledger = models.ForeignKey(EnterpriseYear, on_delete=models.CASCADE, related_name="briefings")
    briefing_id = models.CharField("宣讲会编号", max_length=64)
    date = models.DateField("日期")
    topic = models.CharField("主题", max_length=200)
    policies = models.TextField("宣讲政策", blank=True)
    organiser = models.CharField("组织单位", max_length=200, blank=True)
    enterprise_count = models.PositiveIntegerField("参会企业数", null=True, blank=True)
    person_count = models.PositiveIntegerField("参会人数", null=True, blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "政策宣讲会"
        ordering = ["ledger", "date", "briefing_id"]


class EnterpriseChange(ChangeRecord):
    """Append-only history of the ledger's records, per record and field."""

    class Meta(ChangeRecord.Meta):
        verbose_name = verbose_name_plural = "企业服务台账变更记录"
