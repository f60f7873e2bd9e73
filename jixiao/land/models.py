"""Database rows of the land ledger. One ``Parcel`` row per parcel *per survey year*: a year's
records are never overwritten by another year's corrections. Classification results are stored
on the row with the rule set id and version that produced them; ``LandYear`` pins that version
for the department-year so that adding a rule version does not rewrite past years. Storage,
versions and history are the shared ones of ``jixiao.ledgers``."""
from __future__ import annotations

from django.db import models
from django.utils import timezone

from jixiao.budget.models import Department
from jixiao.core import land
from jixiao.ledgers.models import ChangeRecord, Digits, LedgerRecord, LedgerYear, money
from jixiao.ledgers.models import choices as _choices

AREA: Digits = {"max_digits": 14, "decimal_places": 2}
RATIO: Digits = {"max_digits": 10, "decimal_places": 4}


class LandYear(LedgerYear):
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="land_years")
    rule_id = models.CharField("识别规则", max_length=64)
    classified_at = models.DateTimeField("认定时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "土地台账年度"
        constraints = [models.UniqueConstraint(fields=["department", "year"], name="land_year_unique")]

    def __str__(self) -> str:
        return f"{self.department.code} {self.year}（{self.rule_id} v{self.rule_version}）"


class Parcel(LedgerRecord):
    ledger = models.ForeignKey(LandYear, verbose_name="台账年度", on_delete=models.CASCADE, related_name="parcels")
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="parcels")
    survey_year = models.PositiveSmallIntegerField("摸查年度", db_index=True)
    parcel_id = models.CharField("宗地编号", max_length=64)
    street = models.CharField("所在街道", max_length=64, db_index=True)
    location = models.CharField("坐落", max_length=200, blank=True)
    site_area_m2 = models.DecimalField("用地面积（平方米）", **AREA)
    owner = models.CharField("土地使用权人", max_length=200)
    owner_uscc = models.CharField("权利人统一社会信用代码", max_length=18, blank=True)
    actual_user = models.CharField("现状土地使用人", max_length=200, blank=True)
    actual_user_uscc = models.CharField("使用人统一社会信用代码", max_length=18, blank=True)
    title_cert_no = models.CharField("不动产权证号", max_length=100, blank=True)
    land_source = models.CharField("土地来源", max_length=8, choices=_choices(land.LAND_SOURCES), default="出让")
    right_type = models.CharField("权属性质", max_length=8, choices=_choices(land.RIGHT_TYPES), default="国有")
    contract_no = models.CharField("出让合同编号", max_length=100, blank=True)
    contract_date = models.DateField("合同签订日期", null=True, blank=True)
    agreed_start_date = models.DateField("约定动工日期", null=True, blank=True)
    agreed_completion_date = models.DateField("约定竣工日期", null=True, blank=True)
    approved_use = models.CharField("批准用途", max_length=16, blank=True)
    current_use = models.CharField("现状用途", max_length=16, blank=True, db_index=True)
    planned_use = models.CharField("规划用途", max_length=16, blank=True)
    industry_code = models.CharField("行业代码", max_length=8, blank=True)
    floor_area_m2 = models.DecimalField("已建建筑面积（平方米）", default=0, **AREA)
    footprint_m2 = models.DecimalField("基底面积（平方米）", default=0, **AREA)
    planned_floor_area_m2 = models.DecimalField("应开发建设总面积（平方米）", null=True, blank=True, **AREA)
    contract_far = models.DecimalField("合同容积率", null=True, blank=True, **RATIO)
    total_investment_agreed = money("约定总投资（万元）", null=True, blank=True)
    invested_to_date = money("已投资额（万元）", null=True, blank=True)
    construction_status = models.CharField("建设状态", max_length=8, choices=_choices(land.CONSTRUCTION_STATUSES))
    suspension_start_date = models.DateField("停建起始日期", null=True, blank=True)
    production_status = models.CharField("生产状态", max_length=8, blank=True,
                                         choices=_choices(land.PRODUCTION_STATUSES))
    fixed_asset_investment = money("固定资产投资（万元）", null=True, blank=True)
    output = money("本年产值（万元）", null=True, blank=True)
    output_prev = money("上年产值（万元）", null=True, blank=True)
    tax = money("本年税收（万元）", null=True, blank=True)
    tax_prev = money("上年税收（万元）", null=True, blank=True)
    employment = models.PositiveIntegerField("就业人数", null=True, blank=True)
    delay_cause = models.CharField("延迟原因", max_length=8, blank=True, choices=_choices(land.DELAY_CAUSES))
    non_compliant = models.CharField("不符合产业或安全环保情况", max_length=300, blank=True)
    status_override = models.CharField("人工认定状态", max_length=8, blank=True)
    override_reason = models.CharField("人工认定理由", max_length=300, blank=True)
    enterprises = models.JSONField("经营企业信用代码", default=list, blank=True)
    geometry = models.JSONField("范围（GeoJSON）", null=True, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")
    # the stored classification: never recomputed behind the user's back
    status = models.CharField("利用状态", max_length=8, default="正常", db_index=True)
    computed_status = models.CharField("按规则认定状态", max_length=8, default="正常")
    findings = models.JSONField("触发的规则", default=list, blank=True)
    explanation = models.TextField("认定说明", blank=True)
    government_delay = models.BooleanField("政府原因延迟", default=False)
    proposal = models.CharField("处置建议", max_length=200, blank=True)
    rule_id = models.CharField("识别规则", max_length=64, blank=True)
    rule_version = models.PositiveIntegerField("规则版本", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "宗地"
        ordering = ["department", "survey_year", "parcel_id"]
        constraints = [
            models.UniqueConstraint(fields=["department", "survey_year", "parcel_id"], name="land_parcel_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.parcel_id}（{self.survey_year}）"


class Disposal(LedgerRecord):
    ledger = models.ForeignKey(LandYear, verbose_name="台账年度", on_delete=models.CASCADE, related_name="disposals")
    parcel = models.ForeignKey(Parcel, verbose_name="宗地", on_delete=models.CASCADE, related_name="disposals")
    position = models.PositiveIntegerField(default=0)
    strategy = models.CharField("处置策略", max_length=16, choices=_choices(land.DISPOSAL_STRATEGIES))
    status = models.CharField("处置进度", max_length=8, choices=_choices(land.DISPOSAL_STATUSES), default="未启动")
    partner = models.CharField("合作方", max_length=200, blank=True)
    partner_is_soe = models.BooleanField("合作方为区属国企", default=False)
    start_date = models.DateField("开始日期", null=True, blank=True)
    finish_date = models.DateField("完成日期", null=True, blank=True)
    area_m2 = models.DecimalField("处置面积（平方米）", **AREA)
    disposed_m2 = models.DecimalField("已处置面积（平方米）", default=0, **AREA)
    not_implemented_reason = models.CharField("未实施原因", max_length=16, blank=True)
    note = models.TextField("备注", blank=True)
    origin = models.CharField("数据来源", max_length=8, default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "处置跟踪"
        ordering = ["parcel", "position"]


class ParcelChange(ChangeRecord):
    """Append-only history of the land ledger's records (parcels and disposals)."""

    class Meta(ChangeRecord.Meta):
        verbose_name = verbose_name_plural = "宗地变更记录"
