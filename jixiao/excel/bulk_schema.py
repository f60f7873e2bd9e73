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
  opt_int   optional whole number
  bool      是/否
  list      several values from a closed list, joined with "、"
  version   the stored version the row's object was exported at (a system column: written grey at
            the end of the sheet, its header says not to edit it; blank = unknown, e.g. a row the
            user added). The import compares it with the stored version to detect a stale workbook.

A column of a required kind must be present unless ``required=False`` (a column added in a later
release, so that older workbooks still read); an optional kind's column may be absent unless
``required=True`` (分值 and 年度指标值 may be blank, but the column belongs to the table).
"""
from __future__ import annotations

from dataclasses import dataclass

from jixiao.core import model

LIST_SEPARATOR = "、"


VERSION_NOTE = "系统填写，请勿修改"


@dataclass(frozen=True)
class Col:
    attr: str  # dotted attribute path on the object the row describes
    header: str  # Chinese column name; money columns get "（<单位>）" appended
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool | None = None  # must the sheet have the column? None: by its kind (see above)
    name: str = ""  # the value's key when read, when ``attr`` is taken by another column of the sheet
    renamed: tuple[tuple[str, str], ...] = ()  # (earlier name, current name) of a choice

    @property
    def key(self) -> str:
        return self.name or self.attr

    @property
    def column_required(self) -> bool:
        if self.required is not None:
            return self.required
        return not self.kind.startswith("opt") and self.kind != "version"

    def title(self, money_unit: str) -> str:
        if self.kind in ("money", "opt_money"):
            return f"{self.header}（{money_unit}）"
        if self.kind == "version":
            return f"{self.header}（{VERSION_NOTE}）"
        return self.header


VERSION = Col("version", "版本", "version")


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
    VERSION,
)

DUTIES_SHEET = "职责"
DUTIES_COLS = (Col("seq", "序号", "int"), Col("text", "主要职责"))

BUDGET_SHEET = "预算"
BUDGET_COLS = (
    Col("fund_source", "资金来源", choices=model.FUND_SOURCES),
    Col("nature", "支出性质", choices=model.NATURES),
    Col("budget", "全年预算数", "opt_money", required=True),  # blank = not filled in, not 0
    Col("executed", "全年执行数", "opt_money", required=True),
    Col("initial", "年初预算数", "opt_money"),
    Col("carry_over", "年末结转和结余", "money"),
    Col("origin", "数据标记", choices=model.ORIGINS),
    VERSION,
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
    # blank or absent (a workbook of an earlier release): the initial state; files never change states
    Col("goal_status", "目标申报状态", "opt_text", model.GOAL_STATUSES),
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
# The two objects of a row, each with its version: the system columns at the end of the sheet.
PROJECT_VERSION_COLS = (
    Col("version", "项目版本", "version"),
    Col("version", "资金版本", "version", name="fund_version"),
)

INDICATOR_SHEET = "指标"
OWNER_COL = Col("project", "项目编码", "opt_text")  # blank = a department-overall indicator
INDICATOR_COLS = (
    Col("code", "指标编码"),
    Col("level1", "一级指标"),
    Col("level2", "二级指标"),
    Col("name", "三级指标"),
    Col("target_text", "年度指标值", "opt_text", required=True),  # blank = not filled in yet
    # set when an approved 目标调整 replaced the target (年度指标值 is then the adjusted one)
    Col("original_target_text", "原指标值", "opt_text"),
    Col("unit", "度量单位"),
    Col("weight", "分值", "opt_decimal", required=True),  # blank = not filled in yet, never 0
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
    VERSION,
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
    # blank: 填报; the names of earlier releases are read as today's
    Col("status", "状态", "opt_text", model.CHECKPOINT_STATUSES, renamed=(("草稿", "填报"), ("锁定", "已审核"))),
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
CHECKPOINT_VERSION_COLS = (VERSION,)  # on the checkpoint's own row (指标编码 blank) only

RECTIFICATION_SHEET = "整改"
RECTIFICATION_COLS = (
    # blank or absent: matched by 存在问题 to a stored rectification, else numbered on import
    Col("code", "整改编码", required=False),
    Col("project", "项目编码", "opt_text"),
    Col("problem", "存在问题"),
    Col("measure", "整改措施"),
    Col("owner", "责任人"),
    Col("deadline", "整改期限", "opt_text"),
    Col("status", "整改状态", choices=model.RECTIFICATION_STATUSES, renamed=(("未开始", "待整改"),)),
    VERSION,
)

# A workbook of several department-years (批量工作簿，多部门): the 部门 sheet has one row per
# department-year, and every other sheet names the department-year of each row in these two
# columns, written first. A sheet without 部门编码 (a one-department workbook, as every release
# before wrote it) belongs wholly to the only department row; without 年度, a row belongs to the
# department-year of its 部门编码 when the workbook has only one year of that department.
UNIT_CODE = Col("unit_code", "部门编码", "opt_text", required=False)
UNIT_YEAR = Col("unit_year", "年度", "opt_int", required=False)
UNIT_COLS = (UNIT_CODE, UNIT_YEAR)

SHEETS = (
    DEPARTMENT_SHEET, DUTIES_SHEET, BUDGET_SHEET, PROJECT_SHEET, INDICATOR_SHEET,
    MONTHLY_SHEET, CHECKPOINT_SHEET, RECTIFICATION_SHEET,
)
