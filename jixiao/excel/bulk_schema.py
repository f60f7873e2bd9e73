"""Column layout of the bulk workbook (批量导入导出工作簿): sheet names, Chinese headers, and
the attribute of the domain object each column fills. The writer and the reader both work from
these tables, so a column added here is written and read without further code.

Kinds:
  text      required text (blank cell = "")
  opt_text  optional text (blank cell = not stated)
  money     amount in the department's money unit; the header names the unit, e.g. "全年预算数（万元）"
  opt_money optional amount
  decimal   a number that is not money (分值, 百分比)
  opt_decimal
  int       whole number (年度, 月份)
  bool      是/否
  list      several values from a closed list, joined with "、"
"""
from __future__ import annotations

from dataclasses import dataclass

from jixiao.core import model

LIST_SEPARATOR = "、"


@dataclass(frozen=True)
class Col:
    attr: str  # dotted attribute path on the object the row describes
    header: str  # Chinese column name; money columns get "（<单位>）" appended
    kind: str = "text"
    choices: tuple[str, ...] = ()

    def title(self, money_unit: str) -> str:
        return f"{self.header}（{money_unit}）" if self.kind in ("money", "opt_money") else self.header


STATED = (
    Col("stated.execution_rate", "自评执行率（%）", "opt_decimal"),
    Col("stated.execution_score", "自评执行率得分", "opt_decimal"),
    Col("stated.total", "自评总分", "opt_decimal"),
    Col("stated.grade", "自评等级", "opt_text"),
)

DEPARTMENT_SHEET = "部门"
DEPARTMENT_COLS = (
    Col("department.code", "部门编码"),
    Col("department.name", "部门名称"),
    Col("department.parent_code", "主管部门编码", "opt_text"),
    Col("department.parent_name", "主管部门名称", "opt_text"),
    Col("year", "年度", "int"),
    Col("money_unit", "金额单位", choices=("万元", "元", "亿元")),
    Col("project_template", "项目评分模板"),
    Col("department_template", "部门评分模板"),
    Col("goal", "部门整体绩效目标"),
    Col("goal_actual", "目标实际完成情况"),
    Col("work_tasks", "年度总体工作和重点工作任务"),
    Col("management", "部门整体绩效管理情况"),
    Col("achievements", "主要工作成效"),
    Col("problems", "存在的主要问题"),
    Col("measures", "下一步改进措施"),
    Col("execution_explanation", "执行率偏低说明"),
    Col("status", "状态", choices=model.STATUSES),
    *STATED,
    Col("origin", "数据标记", choices=model.ORIGINS),
)

DUTIES_SHEET = "职责"
DUTIES_COLS = (Col("seq", "序号", "int"), Col("text", "主要职责"))

BUDGET_SHEET = "预算"
BUDGET_COLS = (
    Col("fund_source", "资金来源", choices=model.FUND_SOURCES),
    Col("nature", "支出性质", choices=model.NATURES),
    Col("budget", "全年预算数", "money"),
    Col("executed", "全年执行数", "money"),
    Col("initial", "年初预算数", "opt_money"),
    Col("carry_over", "年末结转和结余", "money"),
    Col("origin", "数据标记", choices=model.ORIGINS),
)

PROJECT_SHEET = "项目"
PROJECT_COLS = (
    Col("code", "项目编码"),
    Col("name", "项目名称"),
    Col("unit", "实施单位"),
    Col("category", "项目类别"),
    Col("goal", "年度总体目标"),
    Col("goal_actual", "实际完成情况"),
    Col("execution_explanation", "执行率偏低说明"),
    Col("problems", "存在问题"),
    Col("measures", "改进措施"),
    Col("budget_cut_midyear", "年中调减预算", "bool"),
    Col("status", "状态", choices=model.STATUSES),
    *STATED,
    Col("origin", "数据标记", choices=model.ORIGINS),
)
# One row per project × fund source; a project without funds has one row with these blank.
FUND_COLS = (
    Col("fund_source", "资金来源", "opt_text", model.FUND_SOURCES),
    Col("budget", "全年预算数", "opt_money"),
    Col("executed", "全年执行数", "opt_money"),
    Col("initial", "年初预算数", "opt_money"),
)

INDICATOR_SHEET = "指标"
OWNER_COL = Col("project", "项目编码", "opt_text")  # blank = a department-overall indicator
INDICATOR_COLS = (
    Col("code", "指标编码"),
    Col("level1", "一级指标"),
    Col("level2", "二级指标"),
    Col("name", "三级指标"),
    Col("target_text", "年度指标值"),
    Col("unit", "度量单位"),
    Col("weight", "分值", "decimal"),
    Col("actual_text", "实际完成值", "opt_text"),
    Col("achievement", "完成等级", "opt_text", model.ACHIEVEMENTS),
    Col("ratio_override", "得分比例", "opt_decimal"),
    Col("override_reason", "得分比例调整理由"),
    Col("deviation_reason", "偏差原因分析及改进措施"),
    Col("basis", "指标值设定依据"),
    Col("data_source", "数据来源"),
    Col("core", "核心指标", "bool"),
    Col("last_year_actual", "上年实际完成值", "opt_text"),
    Col("feed", "自动取数来源", "opt_text"),
    Col("stated_score", "自评得分", "opt_decimal"),
    Col("origin", "数据标记", choices=model.ORIGINS),
)

MONTHLY_SHEET = "月度执行"
MONTHLY_COLS = (
    Col("project", "项目编码"),
    Col("month", "月份", "int"),
    Col("amount", "当月执行数", "money"),
)

CHECKPOINT_SHEET = "监控"
# A checkpoint is one row with 指标编码 blank, followed by one row per indicator's progress.
CHECKPOINT_KEY_COLS = (
    Col("project", "项目编码"),
    Col("month", "截止月份", "int"),
    Col("indicator", "指标编码", "opt_text"),
)
CHECKPOINT_COLS = (
    Col("goal_progress", "总体目标执行情况"),
    Col("expected_executed", "全年预计执行数", "opt_money"),
    Col("status", "状态", "opt_text", model.STATUSES),
)
PROGRESS_COLS = (
    Col("progress_text", "指标执行情况"),
    Col("forecast_text", "全年预计完成情况"),
    Col("likelihood", "完成目标可能性", "opt_text", model.LIKELIHOODS),
    Col("explanation", "原因说明"),
)
SHARED_CHECK_COLS = (  # on both kinds of rows
    Col("causes", "偏差原因", "list", model.DEVIATION_CAUSES),
    Col("measures", "纠偏措施"),
)

RECTIFICATION_SHEET = "整改"
RECTIFICATION_COLS = (
    Col("project", "项目编码", "opt_text"),
    Col("problem", "存在问题"),
    Col("measure", "整改措施"),
    Col("owner", "责任人"),
    Col("deadline", "整改期限", "opt_text"),
    Col("status", "整改状态", choices=model.RECTIFICATION_STATUSES),
)

SHEETS = (
    DEPARTMENT_SHEET, DUTIES_SHEET, BUDGET_SHEET, PROJECT_SHEET, INDICATOR_SHEET,
    MONTHLY_SHEET, CHECKPOINT_SHEET, RECTIFICATION_SHEET,
)
