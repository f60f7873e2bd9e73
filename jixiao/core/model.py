"""The domain as plain data: one department's budget-performance year.

Every feature (scoring, quality checks, monitoring, Excel, reports, the web app) works on these
dataclasses. They carry no behaviour that needs a database; Django models are converted to and
from them in ``jixiao.budget.store``, and the exchange format (``jixiao.exchange``) is their JSON
mirror.

Money: ``Decimal`` in the unit named by ``DepartmentYear.money_unit`` (万元 unless stated), never
float. Indicator targets and actuals keep the text the unit wrote (``target_text``,
``actual_text``); ``jixiao.core.targets`` parses them.

Provenance: every record has ``origin``: ``"报告"`` when the value is taken from a published
report, ``"示例"`` when it is illustrative demo data, ``"录入"`` for data a user entered or
imported. The UI and reports show 示例 wherever it applies.
"""
from __future__ import annotations

import copy
from collections.abc import Iterable
from dataclasses import dataclass, field, is_dataclass
from decimal import Decimal
from typing import TypeVar

FUND_SOURCES: tuple[str, ...] = ("一般公共预算", "政府性基金预算", "国有资本经营预算", "其他")
NATURES: tuple[str, ...] = ("基本支出", "项目支出")
# Workflow states per stage; the transitions between them are data (jixiao/rules/workflow.json).
STATUSES: tuple[str, ...] = ("草稿", "已提交", "退回", "已审核", "锁定")  # 绩效自评
GOAL_STATUSES: tuple[str, ...] = ("草稿", "已提交", "退回", "部门审核通过", "财政审核通过")  # 绩效目标申报
CHECKPOINT_STATUSES: tuple[str, ...] = ("填报", "已提交", "退回", "已审核")  # 运行监控
ADJUSTMENT_STATUSES: tuple[str, ...] = ("待审核", "已批准", "已驳回")  # 目标调整
ORIGINS: tuple[str, ...] = ("报告", "示例", "录入")
LIKELIHOODS: tuple[str, ...] = ("确定能", "有可能", "完全不可能")
DEVIATION_CAUSES: tuple[str, ...] = ("经费保障", "制度保障", "人员保障", "硬件条件保障", "其他")
ACHIEVEMENTS: tuple[str, ...] = ("达成", "部分达成", "未达成")
RECTIFICATION_STATUSES: tuple[str, ...] = ("待整改", "整改中", "已完成", "已确认")


T = TypeVar("T")
_SHARED = (str, int, Decimal, type(None))  # immutable: a copy may share them
_SHARED_TYPES = frozenset({str, int, bool, Decimal, type(None)})


def clone(value: T) -> T:
    """A deep copy of a department-year (or any part of it) — what ``copy.deepcopy`` gives for
    these dataclasses of texts, numbers, lists and dicts, several times faster (an import copies
    every unit it previews)."""
    if isinstance(value, _SHARED):
        return value
    if isinstance(value, list):
        return [clone(v) for v in value]  # type: ignore[return-value]
    if isinstance(value, dict):
        return {k: clone(v) for k, v in value.items()}  # type: ignore[return-value]
    if isinstance(value, tuple):
        return tuple(clone(v) for v in value)  # type: ignore[return-value]
    if is_dataclass(value) and not isinstance(value, type) and hasattr(value, "__dict__"):
        new = copy.copy(value)
        new.__dict__.update({k: clone(v) for k, v in value.__dict__.items() if type(v) not in _SHARED_TYPES})
        return new
    return copy.deepcopy(value)


def sum_known(values: Iterable[Decimal | None]) -> Decimal | None:
    """The sum of amounts, or None when any of them is blank: a blank is unknown, not 0."""
    total = Decimal("0")
    for value in values:
        if value is None:
            return None
        total += value
    return total


@dataclass
class Stated:
    """Figures the unit itself wrote on a form or report, kept beside the computed ones so
    that quality checks can compare them. ``None`` means the unit stated nothing."""

    execution_rate: Decimal | None = None  # percent, e.g. Decimal("95.8")
    execution_score: Decimal | None = None
    total: Decimal | None = None
    grade: str | None = None


@dataclass
class Indicator:
    """One third-level indicator (三级指标) with its target and year-end result."""

    code: str  # unique within its project (or the department), e.g. "I01"
    level1: str  # 一级指标, e.g. 产出指标
    level2: str  # 二级指标, e.g. 数量指标
    name: str  # 三级指标
    # 年度指标值 as written, e.g. "≥7个", "按期完成"; None (or a placeholder such as "—", see
    # jixiao.core.targets.target_missing) = no target filled in yet
    target_text: str | None
    weight: Decimal | None  # 分值; None = not filled in yet (a draft), never read as 0
    unit: str = ""  # 度量单位 when given in its own column
    actual_text: str | None = None  # 实际完成值 as written; None = not yet reported
    achievement: str | None = None  # qualitative result: 达成 / 部分达成 / 未达成
    ratio_override: Decimal | None = None  # score ratio chosen inside the qualitative band (0..1)
    override_reason: str = ""  # mandatory with ratio_override
    deviation_reason: str = ""  # 偏差原因分析及改进措施
    basis: str = ""  # 指标值设定依据 (计划标准/行业标准/历史标准/…)
    data_source: str = ""  # 数据来源
    core: bool = False  # 核心指标
    last_year_actual: str | None = None  # 上年实际完成值 as written, for the "weaker target" check
    feed: str | None = None  # key of a computed feed (e.g. "invest.fdi_usd") supplying the actual
    stated_score: Decimal | None = None  # score the unit wrote
    origin: str = "录入"
    # Set when an approved 目标调整 replaced the target: target_text is then the adjusted value.
    original_target_text: str | None = None
    version: int | None = None  # the stored version this copy was read at (None: not stored)


@dataclass
class FundLine:
    """Budget and execution of one fund source (for a project) in the money unit."""

    fund_source: str  # one of FUND_SOURCES
    budget: Decimal | None  # 全年预算数 (adjusted) — the denominator of every execution rate; None = blank
    executed: Decimal | None  # 全年执行数; None = blank
    initial: Decimal | None = None  # 年初预算数, informative only
    version: int | None = None


@dataclass
class BudgetLine:
    """The department budget split by fund source × nature (部门整体收支)."""

    fund_source: str
    nature: str  # one of NATURES
    budget: Decimal | None  # None = blank, not 0
    executed: Decimal | None
    initial: Decimal | None = None
    carry_over: Decimal = Decimal("0")  # 年末结转和结余
    origin: str = "录入"
    version: int | None = None


@dataclass
class IndicatorProgress:
    """Mid-year progress of one indicator at a monitoring checkpoint."""

    indicator: str  # Indicator.code
    progress_text: str = ""  # 1-X月执行情况 as written
    forecast_text: str = ""  # 全年预计完成情况 as written
    likelihood: str = "确定能"  # one of LIKELIHOODS
    causes: list[str] = field(default_factory=list)  # subset of DEVIATION_CAUSES
    explanation: str = ""  # 原因说明
    measures: str = ""  # 纠偏措施


@dataclass
class Checkpoint:
    """A monitoring checkpoint (绩效运行监控) of a project at the end of ``month``."""

    month: int  # cut-off month, 1..12
    goal_progress: str = ""  # 年度总体目标 1-X月执行情况
    expected_executed: Decimal | None = None  # 全年预计执行数 the unit stated
    indicators: list[IndicatorProgress] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)  # deviation causes of the funds block
    measures: str = ""  # 纠偏措施 for the funds block
    status: str = "填报"  # one of CHECKPOINT_STATUSES
    version: int | None = None


@dataclass
class Project:
    code: str  # 项目编码, unique within the department-year
    name: str
    unit: str = ""  # 实施单位
    category: str = ""  # e.g. 一般公共预算项目 / 专项
    funds: list[FundLine] = field(default_factory=list)
    goal: str = ""  # 年度总体目标 (预期目标)
    goal_actual: str = ""  # 实际完成情况
    indicators: list[Indicator] = field(default_factory=list)
    # executed amount per month (spent in that month, not cumulative), month 1..12
    monthly_executed: dict[int, Decimal] = field(default_factory=dict)
    checkpoints: list[Checkpoint] = field(default_factory=list)
    execution_explanation: str = ""  # required when execution < 90%
    problems: str = ""
    measures: str = ""
    budget_cut_midyear: bool = False  # budget reduced during the year (调减预算)
    status: str = "草稿"  # 绩效自评 stage, one of STATUSES
    goal_status: str = "草稿"  # 绩效目标申报 stage, one of GOAL_STATUSES
    stated: Stated = field(default_factory=Stated)
    origin: str = "录入"
    version: int | None = None

    @property
    def budget(self) -> Decimal | None:
        """Σ fund-line budgets; None when any of them is blank (the sum is then unknown)."""
        return sum_known(f.budget for f in self.funds)

    @property
    def executed(self) -> Decimal | None:
        return sum_known(f.executed for f in self.funds)

    @property
    def initial_budget(self) -> Decimal | None:
        if any(f.initial is None for f in self.funds) or not self.funds:
            return None
        return sum((f.initial for f in self.funds if f.initial is not None), Decimal("0"))


@dataclass
class Rectification:
    """A problem found by the evaluation and the measure taken (整改), tracked to a deadline."""

    problem: str
    measure: str
    owner: str = ""
    deadline: str | None = None  # ISO date
    status: str = "待整改"  # one of RECTIFICATION_STATUSES
    project: str | None = None  # Project.code or None for the department
    code: str = ""  # unique within the department-year (R01, …); given on save when empty
    version: int | None = None


@dataclass
class Department:
    code: str  # short unique code, e.g. "demo"
    name: str
    parent_code: str | None = None  # 主管部门 / finance bureau above it
    parent_name: str | None = None
    responsibilities: list[str] = field(default_factory=list)  # 主要职责


@dataclass
class DepartmentYear:
    """Everything one department reports for one fiscal year: the unit of exchange."""

    department: Department
    year: int
    money_unit: str = "万元"
    project_template: str = "central-2020"  # id of a file under jixiao/rules/schemes/
    department_template: str = "dept-default"
    budget_lines: list[BudgetLine] = field(default_factory=list)
    work_tasks: str = ""  # 年度总体工作和重点工作任务
    management: str = ""  # 部门整体绩效管理情况
    goal: str = ""  # 部门整体绩效目标
    goal_actual: str = ""
    indicators: list[Indicator] = field(default_factory=list)  # department-overall indicators
    projects: list[Project] = field(default_factory=list)
    achievements: str = ""  # 主要工作成效, as the unit wrote it
    problems: str = ""  # 存在的主要问题
    measures: str = ""  # 下一步改进措施
    execution_explanation: str = ""
    rectifications: list[Rectification] = field(default_factory=list)
    status: str = "草稿"
    stated: Stated = field(default_factory=Stated)
    origin: str = "录入"
    version: int | None = None

    @property
    def budget(self) -> Decimal | None:
        """Σ budget-line budgets; None when any of them is blank (the sum is then unknown)."""
        return sum_known(b.budget for b in self.budget_lines)

    @property
    def executed(self) -> Decimal | None:
        return sum_known(b.executed for b in self.budget_lines)

    def project(self, code: str) -> Project:
        for p in self.projects:
            if p.code == code:
                return p
        raise KeyError(code)
