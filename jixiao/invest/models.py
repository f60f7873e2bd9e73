"""Database rows of the investment ledger: one ``InvestYear`` per department-year (with the rule
set it is counted under) and its projects, credits, FDI arrivals, events and visits, each a
record of its year: another year's corrections never touch it. Storage, versions and history
are the shared ones of ``jixiao.ledgers``."""
from __future__ import annotations

from django.db import models

from jixiao.budget.models import Department
from jixiao.core import invest
from jixiao.ledgers.models import ChangeRecord, Digits, LedgerRecord, LedgerYear, money
from jixiao.ledgers.models import choices as _choices

SHARE: Digits = {"max_digits": 6, "decimal_places": 4}
RATE: Digits = {"max_digits": 14, "decimal_places": 6}


class InvestYear(LedgerYear):
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="invest_years")
    unit = models.CharField("计分单位", max_length=100)

    class Meta:
        verbose_name = verbose_name_plural = "招商台账年度"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="invest_year_unique")]


class Project(LedgerRecord):
    ledger = models.ForeignKey(InvestYear, on_delete=models.CASCADE, related_name="projects")
    project_id = models.CharField("项目编号", max_length=64)
    name = models.CharField("项目名称", max_length=200)
    stage = models.CharField("当前阶段", max_length=8, choices=_choices(invest.ALL_STAGES), db_index=True)
    investor = models.CharField("投资方", max_length=200, blank=True)
    investor_region = models.CharField("投资方国别地区", max_length=64, blank=True)
    is_foreign = models.BooleanField("外资项目", default=False)
    industry_code = models.CharField("行业代码", max_length=8, blank=True)
    industry_tag = models.CharField("重点产业", max_length=32, blank=True)
    source_channel = models.CharField("引进渠道", max_length=32, blank=True)
    first_contact_date = models.DateField("首次接洽日期", null=True, blank=True)
    entered_pool_date = models.DateField("入库日期", null=True, blank=True)
    signed_date = models.DateField("签约日期", null=True, blank=True)
    registered_date = models.DateField("注册日期", null=True, blank=True)
    landed_date = models.DateField("落地日期", null=True, blank=True)
    started_date = models.DateField("动工日期", null=True, blank=True)
    production_date = models.DateField("投产日期", null=True, blank=True)
    full_production_date = models.DateField("达产日期", null=True, blank=True)
    closed_date = models.DateField("终止日期", null=True, blank=True)
    agreement_no = models.CharField("协议编号", max_length=64, blank=True)
    agreed_investment = money("协议投资额", null=True, blank=True)
    agreed_investment_unit = models.CharField("协议投资额单位", max_length=8, default="万元")
    agreed_output = money("协议达产年产值", null=True, blank=True)
    agreed_output_unit = models.CharField("协议达产年产值单位", max_length=8, default="万元")
    fx_rate_cny = models.DecimalField("折人民币汇率", null=True, blank=True, **RATE)
    fx_rate_source = models.CharField("汇率来源", max_length=200, blank=True)
    registered_uscc = models.CharField("注册企业统一社会信用代码", max_length=18, blank=True)
    registered_capital = money("注册资本", null=True, blank=True)
    registered_capital_unit = models.CharField("注册资本单位", max_length=8, default="万元")
    officer = models.CharField("责任人", max_length=64, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "招商项目"
        ordering = ["ledger", "project_id"]
        constraints = [models.UniqueConstraint(fields=["ledger", "project_id"], name="invest_project_unique")]


class Credit(LedgerRecord):
    ledger = models.ForeignKey(InvestYear, on_delete=models.CASCADE, related_name="credits")
    position = models.PositiveIntegerField(default=0)
    project_id = models.CharField("项目编号", max_length=64)
    unit = models.CharField("计分单位", max_length=100)
    share = models.DecimalField("分成比例", **SHARE)
    role = models.CharField("角色", max_length=8, choices=_choices(invest.CREDIT_ROLES), default="独立引进")
    counts_for = models.JSONField("计分环节", default=list)
    amount_split = models.BooleanField("协议金额按比例分成", default=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "分成计分"
        ordering = ["ledger", "position"]


class FdiInflow(LedgerRecord):
    ledger = models.ForeignKey(InvestYear, on_delete=models.CASCADE, related_name="fdi")
    fdi_id = models.CharField("到资编号", max_length=64)
    arrival_date = models.DateField("到资日期")
    amount = money("原币金额")
    unit = models.CharField("原币单位", max_length=8)
    type = models.CharField("到资类型", max_length=8, choices=_choices(invest.FDI_TYPES), default="新设")
    project_id = models.CharField("项目编号", max_length=64, blank=True)
    enterprise_uscc = models.CharField("企业统一社会信用代码", max_length=18, blank=True)
    enterprise = models.CharField("外资企业", max_length=200, blank=True)
    fx_rate_usd = models.DecimalField("折美元汇率", null=True, blank=True, **RATE)
    fx_rate_source = models.CharField("汇率来源", max_length=200, blank=True)
    credited_unit = models.CharField("计入单位", max_length=100, blank=True)
    share = models.DecimalField("计入比例", default=1, **SHARE)
    verified_by = models.CharField("核实部门", max_length=64, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "实际利用外资"
        ordering = ["ledger", "arrival_date", "fdi_id"]


class PromotionEvent(LedgerRecord):
    ledger = models.ForeignKey(InvestYear, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField("活动编号", max_length=64)
    date = models.DateField("活动日期")
    type = models.CharField("活动类型", max_length=16, choices=_choices(invest.EVENT_TYPES))
    title = models.CharField("活动名称", max_length=200)
    place = models.CharField("举办地点", max_length=200, blank=True)
    outside_district = models.BooleanField("区外举办", default=False)
    organiser = models.CharField("主办单位", max_length=200, blank=True)
    partners = models.CharField("合作单位", max_length=300, blank=True)
    attendees = models.PositiveIntegerField("参加人数", null=True, blank=True)
    leads_generated = models.PositiveIntegerField("获取线索数", null=True, blank=True)
    projects_signed = models.PositiveIntegerField("现场签约项目数", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "招商活动"
        ordering = ["ledger", "date", "event_id"]


class LeaderVisit(LedgerRecord):
    ledger = models.ForeignKey(InvestYear, on_delete=models.CASCADE, related_name="visits")
    visit_id = models.CharField("拜访编号", max_length=64)
    date = models.DateField("拜访日期")
    leaders = models.CharField("带队领导", max_length=200)
    enterprise = models.CharField("拜访企业", max_length=200)
    city = models.CharField("所在城市", max_length=64, blank=True)
    outside_city = models.BooleanField("赴市外", default=False)
    purpose = models.CharField("目的", max_length=8, choices=_choices(invest.VISIT_PURPOSES), default="招商")
    outcome = models.TextField("成效", blank=True)
    follow_up = models.TextField("跟进事项", blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "领导拜访企业"
        ordering = ["ledger", "date", "visit_id"]


class InvestChange(ChangeRecord):
    """Append-only history of the pipeline's records, per record and field."""

    class Meta(ChangeRecord.Meta):
        verbose_name = verbose_name_plural = "招商台账变更记录"
