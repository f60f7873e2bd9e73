"""Database mirror of ``jixiao.core.model``. Convert with ``jixiao.budget.store``; never score here.

Child rows keep a ``position`` so that loading gives the lists back in the order they were saved.
Money is ``DecimalField(18, 4)`` in the department-year's ``money_unit``.
"""
from __future__ import annotations

from typing import Any, TypedDict

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from jixiao.core.model import (
    ACHIEVEMENTS,
    ADJUSTMENT_STATUSES,
    CHECKPOINT_STATUSES,
    FUND_SOURCES,
    GOAL_STATUSES,
    LIKELIHOODS,
    NATURES,
    ORIGINS,
    RECTIFICATION_STATUSES,
    STATUSES,
)
from jixiao.core.organisation import ROLES
from jixiao.core.organisation import UNIT_KINDS as DEPARTMENT_KINDS


class Digits(TypedDict):
    """The size of a ``DecimalField``, spread into it as keywords: ``DecimalField(..., **MONEY)``."""

    max_digits: int
    decimal_places: int


MONEY: Digits = {"max_digits": 18, "decimal_places": 4}
SCORE: Digits = {"max_digits": 10, "decimal_places": 4}  # weights, scores, percent rates
RATIO: Digits = {"max_digits": 10, "decimal_places": 6}  # fractions 0..1



def _choices(values: tuple[str, ...]) -> list[tuple[str, str]]:
    return [(v, v) for v in values]


class Versioned(models.Model):
    """An editable row: ``version`` grows by one on every change. A write based on an older
    version is refused by the application layer (``jixiao.services``), so no update is lost."""

    version = models.PositiveIntegerField("版本", default=1)

    class Meta:
        abstract = True


class Department(models.Model):
    code = models.CharField("部门编码", max_length=64, unique=True)
    name = models.CharField("部门名称", max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", verbose_name="上级部门", null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )
    kind = models.CharField("类型", max_length=8, choices=_choices(DEPARTMENT_KINDS), default="单位")
    responsibilities = models.JSONField("主要职责", default=list, blank=True)
    # 统一社会信用代码 as the bureau's unit list gives it (18 characters), when given
    credit_code = models.CharField("统一社会信用代码", max_length=18, blank=True)
    # A unit is deactivated, never deleted: its department-years and history stay readable.
    active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name or self.code}（{self.code}）"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.clean()
        super().save(*args, **kwargs)

    def clean(self) -> None:
        """A parent that is the department itself or one below it would make a cycle, after
        which every walk up the tree would never end: refused on every save."""
        if self.parent_id is None or self.pk is None:
            return  # a new row has nothing below it
        seen: set[int] = set()
        up: int | None = self.parent_id
        while up is not None and up not in seen:  # ``seen``: bounded even on a damaged tree
            if up == self.pk:
                raise ValidationError({"parent": f"上级部门不能是「{self.code}」自身或其下级部门（会形成循环）"})
            seen.add(up)
            up = Department.objects.filter(pk=up).values_list("parent_id", flat=True).first()



class StatedFields(models.Model):
    """The figures a unit wrote itself (``core.model.Stated``), kept beside the computed ones."""

    stated_execution_rate = models.DecimalField("填报执行率（%）", null=True, blank=True, **SCORE)
    stated_execution_score = models.DecimalField("填报执行率得分", null=True, blank=True, **SCORE)
    stated_total = models.DecimalField("填报总分", null=True, blank=True, **SCORE)
    stated_grade = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "填报等级", max_length=8, null=True, blank=True,
    )

    class Meta:
        abstract = True


class DepartmentYear(StatedFields, Versioned):
    department = models.ForeignKey(Department, verbose_name="部门", on_delete=models.CASCADE,
                                   related_name="years")
    year = models.PositiveSmallIntegerField("年度")
    money_unit = models.CharField("金额单位", max_length=16, default="万元")
    project_template = models.CharField("项目评分模板", max_length=64, default="central-2020")
    department_template = models.CharField("部门整体评分模板", max_length=64, default="dept-default")
    work_tasks = models.TextField("年度总体工作和重点工作任务", blank=True)
    management = models.TextField("部门整体绩效管理情况", blank=True)
    goal = models.TextField("部门整体绩效目标", blank=True)
    goal_actual = models.TextField("目标实际完成情况", blank=True)
    achievements = models.TextField("主要工作成效", blank=True)
    problems = models.TextField("存在的主要问题", blank=True)
    measures = models.TextField("下一步改进措施", blank=True)
    execution_explanation = models.TextField("执行率偏低原因", blank=True)
    status = models.CharField("状态", max_length=8, choices=_choices(STATUSES), default="草稿")
    origin = models.CharField("来源", max_length=8, choices=_choices(ORIGINS), default="录入")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "部门年度"
        ordering = ["department__code", "year"]
        constraints = [
            models.UniqueConstraint(fields=["department", "year"], name="budget_deptyear_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.department.name or self.department.code} {self.year} 年度"


class BudgetLine(Versioned):
    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE,
                                        related_name="budget_lines")
    position = models.PositiveIntegerField(default=0)
    fund_source = models.CharField("资金来源", max_length=16, choices=_choices(FUND_SOURCES))
    nature = models.CharField("支出性质", max_length=8, choices=_choices(NATURES))
    budget = models.DecimalField("全年预算数", null=True, blank=True, **MONEY)
    executed = models.DecimalField("全年执行数", null=True, blank=True, **MONEY)
    initial = models.DecimalField("年初预算数", null=True, blank=True, **MONEY)
    carry_over = models.DecimalField("年末结转和结余", default=0, **MONEY)
    origin = models.CharField("来源", max_length=8, choices=_choices(ORIGINS), default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "部门预算"
        ordering = ["department_year", "position"]

    def __str__(self) -> str:
        return f"部门预算 {self.fund_source}/{self.nature}"


class Project(StatedFields, Versioned):
    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE,
                                        related_name="projects")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField("项目编码", max_length=64)
    name = models.CharField("项目名称", max_length=300)
    unit = models.CharField("实施单位", max_length=200, blank=True)
    category = models.CharField("项目类别", max_length=64, blank=True)
    goal = models.TextField("年度总体目标", blank=True)
    goal_actual = models.TextField("实际完成情况", blank=True)
    # {"1": "12.5", …}: amount spent in each month (not cumulative), as Decimal strings
    monthly_executed = models.JSONField("月度执行数", default=dict, blank=True)
    execution_explanation = models.TextField("执行率偏低原因", blank=True)
    problems = models.TextField("存在问题", blank=True)
    measures = models.TextField("改进措施", blank=True)
    budget_cut_midyear = models.BooleanField("年中调减预算", default=False)
    status = models.CharField("自评状态", max_length=8, choices=_choices(STATUSES), default="草稿")
    goal_status = models.CharField("目标申报状态", max_length=8, choices=_choices(GOAL_STATUSES),
                                   default="草稿")
    origin = models.CharField("来源", max_length=8, choices=_choices(ORIGINS), default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "项目"
        ordering = ["department_year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["department_year", "code"], name="budget_project_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class FundLine(Versioned):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="funds")
    position = models.PositiveIntegerField(default=0)
    fund_source = models.CharField("资金来源", max_length=16, choices=_choices(FUND_SOURCES))
    budget = models.DecimalField("全年预算数", null=True, blank=True, **MONEY)
    executed = models.DecimalField("全年执行数", null=True, blank=True, **MONEY)
    initial = models.DecimalField("年初预算数", null=True, blank=True, **MONEY)

    class Meta:
        verbose_name = verbose_name_plural = "项目资金"
        ordering = ["project", "position"]

    def __str__(self) -> str:
        return f"项目资金 {self.fund_source}"


class Indicator(Versioned):
    """A third-level indicator of either the department-year (部门整体) or one project."""

    department_year = models.ForeignKey(DepartmentYear, null=True, blank=True,
                                        on_delete=models.CASCADE, related_name="indicators")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="indicators")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField("指标编码", max_length=64)
    level1 = models.CharField("一级指标", max_length=64)
    level2 = models.CharField("二级指标", max_length=64)
    name = models.CharField("三级指标", max_length=300)
    target_text = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "年度指标值", max_length=300, null=True, blank=True,
    )
    # Set by an approved 目标调整: target_text then holds the adjusted value.
    original_target_text = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "原指标值", max_length=300, null=True, blank=True,
    )
    weight = models.DecimalField("分值", null=True, blank=True, **SCORE)
    unit = models.CharField("度量单位", max_length=32, blank=True)
    actual_text = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "实际完成值", max_length=300, null=True, blank=True,
    )
    achievement = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "完成情况", max_length=8, choices=_choices(ACHIEVEMENTS), null=True, blank=True,
    )
    ratio_override = models.DecimalField("调整得分比例", null=True, blank=True, **RATIO)
    override_reason = models.TextField("调整理由", blank=True)
    deviation_reason = models.TextField("偏差原因分析及改进措施", blank=True)
    basis = models.CharField("指标值设定依据", max_length=200, blank=True)
    data_source = models.CharField("数据来源", max_length=200, blank=True)
    core = models.BooleanField("核心指标", default=False)
    last_year_actual = models.CharField(  # noqa: DJ001 — None means not filled, distinct from ""
        "上年实际完成值", max_length=300, null=True, blank=True,
    )
    feed = models.CharField(  # noqa: DJ001 — None means no computed feed ("" would name one)
        "计算来源", max_length=100, null=True, blank=True,
    )
    stated_score = models.DecimalField("填报得分", null=True, blank=True, **SCORE)
    origin = models.CharField("来源", max_length=8, choices=_choices(ORIGINS), default="录入")

    class Meta:
        verbose_name = verbose_name_plural = "绩效指标"
        ordering = ["project", "position"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(department_year__isnull=False, project__isnull=True)
                           | Q(department_year__isnull=True, project__isnull=False)),
                name="budget_indicator_one_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Checkpoint(Versioned):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="checkpoints")
    position = models.PositiveIntegerField(default=0)
    month = models.PositiveSmallIntegerField("截止月份")
    goal_progress = models.TextField("总体目标执行情况", blank=True)
    expected_executed = models.DecimalField("全年预计执行数", null=True, blank=True, **MONEY)
    causes = models.JSONField("偏差原因", default=list, blank=True)
    measures = models.TextField("纠偏措施", blank=True)
    status = models.CharField("状态", max_length=8, choices=_choices(CHECKPOINT_STATUSES), default="填报")

    class Meta:
        verbose_name = verbose_name_plural = "监控节点"
        ordering = ["project", "position"]

    def __str__(self) -> str:
        return f"{self.month} 月监控"


class IndicatorProgress(models.Model):
    checkpoint = models.ForeignKey(Checkpoint, on_delete=models.CASCADE, related_name="indicators")
    position = models.PositiveIntegerField(default=0)
    indicator = models.CharField("指标编码", max_length=64)
    progress_text = models.CharField("执行情况", max_length=300, blank=True)
    forecast_text = models.CharField("全年预计完成情况", max_length=300, blank=True)
    likelihood = models.CharField("完成可能性", max_length=8, choices=_choices(LIKELIHOODS),
                                  default="确定能")
    causes = models.JSONField("偏差原因", default=list, blank=True)
    explanation = models.TextField("原因说明", blank=True)
    measures = models.TextField("纠偏措施", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标监控"
        ordering = ["checkpoint", "position"]

    def __str__(self) -> str:
        return f"指标 {self.indicator} 监控"


class Rectification(Versioned):
    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE,
                                        related_name="rectifications")
    position = models.PositiveIntegerField(default=0)
    code = models.CharField("整改编码", max_length=64, default="")
    problem = models.TextField("问题")
    measure = models.TextField("整改措施")
    owner = models.CharField("责任人", max_length=100, blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    status = models.CharField("状态", max_length=8, choices=_choices(RECTIFICATION_STATUSES),
                              default="待整改")
    project_code = models.CharField(  # noqa: DJ001 — None means the department's, not a project's
        "项目编码", max_length=64, null=True, blank=True,
    )

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"
        ordering = ["department_year", "position"]
        constraints = [
            models.UniqueConstraint(fields=["department_year", "code"], name="budget_rectification_unique"),
        ]

    def __str__(self) -> str:
        return f"整改事项 {self.code or self.problem[:30]}"


class TargetAdjustment(Versioned):
    """A change to an approved goal's target or weight (目标调整): the original stays, the adjusted
    value applies only once the adjustment is approved, and scoring and reports show both."""

    indicator = models.ForeignKey(Indicator, on_delete=models.CASCADE, related_name="adjustments")
    field = models.CharField("调整内容", max_length=16, choices=[("target_text", "指标值"), ("weight", "分值")])
    original = models.CharField("原值", max_length=300, blank=True)
    adjusted = models.CharField("调整后", max_length=300)
    reason = models.TextField("调整理由")
    status = models.CharField("状态", max_length=8, choices=_choices(ADJUSTMENT_STATUSES), default="待审核")
    requested_by = models.CharField("申请人", max_length=150)
    requested_at = models.DateTimeField("申请时间", default=timezone.now)
    decided_by = models.CharField("审核人", max_length=150, blank=True)
    decided_at = models.DateTimeField("审核时间", null=True, blank=True)
    decision_comment = models.TextField("审核意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "目标调整"
        ordering = ["-requested_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_field_display()}调整 {self.original} → {self.adjusted}（{self.status}）"


class Review(models.Model):
    """A finance-bureau re-score (复核) of a project's or the department's self-evaluation, with a
    score per indicator. The latest per (department-year, project) is in force; older ones stay."""

    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE, related_name="reviews")
    project = models.ForeignKey(Project, null=True, blank=True, on_delete=models.CASCADE,
                                related_name="reviews")  # null: 部门整体
    score = models.DecimalField("复核得分", **SCORE)
    grade = models.CharField("复核等级", max_length=8)
    self_score = models.DecimalField("自评得分", null=True, blank=True, **SCORE)
    self_grade = models.CharField("自评等级", max_length=8, blank=True)
    reason = models.TextField("复核意见")
    who = models.CharField("复核人", max_length=150)
    when = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "财政复核"
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"财政复核 {self.score}（{self.grade}）{self.who} {self.when:%Y-%m-%d}"


class ReviewItem(models.Model):
    """The reviewer's score of one indicator, beside the unit's own."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="items")
    indicator = models.ForeignKey(Indicator, null=True, on_delete=models.SET_NULL, related_name="+")
    indicator_code = models.CharField("指标编码", max_length=64)  # kept readable if the row goes
    name = models.CharField("指标名称", max_length=300, blank=True)
    self_score = models.DecimalField("自评得分", null=True, blank=True, **SCORE)
    score = models.DecimalField("复核得分", **SCORE)
    comment = models.TextField("复核说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "复核指标得分"
        ordering = ["review", "id"]

    def __str__(self) -> str:
        return f"{self.indicator_code} 复核得分 {self.score}"


class AppendOnlyError(Exception):
    """Raised on any attempt to change or remove change history."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("变更记录只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("变更记录只能追加，不能删除")


class AppendOnly(models.Model):
    """A history table: rows are added, never changed or removed (through an instance or a
    queryset). The department-year history below and every ledger's history use it."""

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("变更记录只能追加，不能修改")
        kwargs["force_insert"] = True
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("变更记录只能追加，不能删除")


class ChangeLog(AppendOnly):
    """Append-only history of stored data. ``who`` is the username as text so that removing a
    user never rewrites history. ``object_id`` (with ``model_label``) names the row, which keeps
    its identity across edits and imports; ``object_key`` ("demo/2022/项目/P01/指标/I03") stays
    for display and for rows that were deleted. ``version`` is the row's version after the change,
    so "what changed since version N" is a query."""

    when = models.DateTimeField("时间", default=timezone.now, db_index=True)
    who = models.CharField("操作人", max_length=150, blank=True)
    department = models.CharField("部门编码", max_length=64, db_index=True)
    year = models.PositiveSmallIntegerField("年度", null=True, blank=True)
    model_label = models.CharField("对象类型", max_length=64)
    object_id = models.BigIntegerField("对象编号", null=True, blank=True)
    version = models.PositiveIntegerField("版本", null=True, blank=True)
    object_key = models.CharField("对象标识", max_length=300)
    object_repr = models.CharField("对象名称", max_length=300, blank=True)
    field = models.CharField("字段", max_length=64)
    # None (no value: the object was created or deleted, or the field was not set) and "" (set to
    # blank) differ in a history
    before = models.TextField("修改前", null=True, blank=True)  # noqa: DJ001
    after = models.TextField("修改后", null=True, blank=True)  # noqa: DJ001
    reason = models.TextField("原因", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "变更记录"
        ordering = ["-when", "-id"]
        indexes = [models.Index(fields=["department", "year"], name="budget_changelog_dept_year"),
                   models.Index(fields=["model_label", "object_id"], name="budget_changelog_object")]

    def __str__(self) -> str:
        return f"{self.when:%Y-%m-%d %H:%M} {self.who} {self.object_repr} {self.field}"


class Membership(models.Model):
    """A user's role in one department. What a role may do is decided by the web layer."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="memberships")
    department = models.ForeignKey(Department, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("角色", max_length=8, choices=_choices(ROLES))

    class Meta:
        verbose_name = verbose_name_plural = "部门成员"
        constraints = [
            models.UniqueConstraint(fields=["user", "department", "role"],
                                    name="budget_membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.department} · {self.role}"


class LibraryEntry(Versioned):
    """Finance's curation of the indicator library (指标库), laid over the shipped data file
    (``rules/indicator-library.json``, see ``jixiao.core.library.curated``): a row with a shipped
    key retires, merges or edits that entry; a row with a new key is an indicator finance added."""

    key = models.CharField("指标库编号", max_length=32, unique=True)
    category = models.CharField("项目类别", max_length=64)
    level1 = models.CharField("一级指标", max_length=64)
    level2 = models.CharField("二级指标", max_length=64)
    name = models.CharField("三级指标", max_length=300)
    unit = models.CharField("度量单位", max_length=32, blank=True)
    direction = models.CharField("指标方向", max_length=8, default="≥")
    basis = models.CharField("建议取值依据", max_length=200, blank=True)
    example = models.CharField("示例指标值", max_length=300, blank=True)
    status = models.CharField("状态", max_length=8, default="在用")
    merged_into = models.CharField("合并到", max_length=32, blank=True)
    origin = models.CharField("来源", max_length=16, default="财政增补")
    updated_by = models.CharField("修改人", max_length=150)
    updated_at = models.DateTimeField("修改时间", default=timezone.now)
    reason = models.TextField("说明", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标库维护"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.key} {self.name}（{self.status}）"


class ResultDecision(models.Model):
    """The finance bureau's decision on next year's budget of a project (结果应用): the grade it
    rests on, the consequence and proposed amount the rules gave, and the amount decided. The
    latest per project is in force; older ones stay as its history."""

    department_year = models.ForeignKey(DepartmentYear, on_delete=models.CASCADE, related_name="result_decisions")
    project = models.ForeignKey(Project, null=True, on_delete=models.SET_NULL, related_name="+")
    project_code = models.CharField("项目编码", max_length=64)  # kept readable if the project goes
    grade = models.CharField("等级", max_length=8, blank=True)
    grade_basis = models.CharField("等级依据", max_length=8, blank=True)  # 自评 / 复核
    consequence = models.CharField("结果应用", max_length=64, blank=True)
    proposed = models.DecimalField("建议安排数", null=True, blank=True, **MONEY)
    decided = models.DecimalField("下年度安排数", **MONEY)
    comment = models.TextField("审核意见", blank=True)
    rules = models.CharField("结果应用规则", max_length=100)  # id@version/variant
    who = models.CharField("决定人", max_length=150)
    when = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "结果应用决定"
        ordering = ["-when", "-id"]

    def __str__(self) -> str:
        return f"结果应用 {self.project_code} {self.decided}（{self.who} {self.when:%Y-%m-%d}）"
