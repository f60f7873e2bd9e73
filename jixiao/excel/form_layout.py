"""The labels of the standard forms, shared by the writer and the reader so the two never drift.

Column headers follow the published layouts (财预〔2020〕10号 自评表, 136号 监控表, 申报表
templates); ``指标编码`` is an extra last column so that an exported form can be re-imported
onto the same indicators. The 自评表 also carries ``得分比例`` and ``得分比例调整理由``: the
evaluator's choice inside a qualitative level's band, without which the score cannot be
recomputed. A form filled in elsewhere without it still loads (codes are then numbered in row
order).
"""
from __future__ import annotations

from jixiao.core.drafting import DEPT_FORM_HEAD, PROJECT_FORM_HEAD, REPORT_HEADER

# The official 自评表 layout shared with the report's 附件 (``jixiao.core.drafting``): the header
# block labels and the columns a printed form shows; the Excel forms add the columns the system
# needs to read a form back (指标性质, 度量单位, 完成等级, 得分比例, 调整理由, 指标编码), which are not
# printed beyond 偏差原因分析及改进措施.
OFFICIAL_COLUMNS = REPORT_HEADER
__all__ = ["DEPT_FORM_HEAD", "OFFICIAL_COLUMNS", "PROJECT_FORM_HEAD"]

TITLES = {
    "target": "项目支出绩效目标申报表",
    "monitor": "项目支出绩效运行监控表",
    "self-eval": "项目支出绩效自评表",
    "dept-self-eval": "部门整体支出绩效自评表",
}
BLANK_OF = {"blank-target": "target", "blank-self-eval": "self-eval"}

# Header labels (label -> attribute). Readers compare labels after folding full-width characters
# and dropping spaces and colons, and also accept the aliases below.
HEADER_FIELDS = {
    "项目名称": "name", "项目编码": "code", "主管部门": "department_name", "部门编码": "department_code",
    "实施单位": "unit", "年度": "year", "项目类别": "category", "评分模板": "template",
    "单位名称": "department_name", "监控截止月份": "month",
}
HEADER_ALIASES = {"主管部门编码": "部门编码", "项目实施单位": "实施单位", "部门名称": "单位名称", "填报年度": "年度",
                  "截止月份": "监控截止月份"}

FUNDS_TOTAL = "年度资金总额"
FUNDS_PART_PREFIX = "其中："
GOAL_LABEL = "年度总体目标"
GOAL_EXPECTED = "预期目标"
GOAL_ACTUAL = "实际完成情况"
GOAL_PROGRESS = "1-X月执行情况"
TOTAL_LABEL = "总分"
GRADE_LABEL = "等级"

# Indicator table columns per form: (label, attribute). Aliases map published variants.
INDICATOR_COLUMNS = {
    "target": [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"), ("指标性质", "op"),
               ("指标值", "target_text"), ("度量单位", "unit"), ("分值", "weight"), ("指标值设定依据", "basis"),
               ("数据来源", "data_source"), ("核心指标", "core"), ("指标编码", "code")],
    "self-eval": [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"), ("指标性质", "op"),
                  ("年度指标值(A)", "target_text"), ("度量单位", "unit"), ("实际完成值(B)", "actual_text"),
                  ("完成等级", "achievement"), ("分值", "weight"), ("得分", "score"),
                  ("偏差原因分析及改进措施", "deviation_reason"),
                  ("得分比例", "ratio_override"), ("得分比例调整理由", "override_reason"), ("指标编码", "code")],
    "monitor": [("一级指标", "level1"), ("二级指标", "level2"), ("三级指标", "name"), ("年度指标值", "target_text"),
                ("1-X月执行情况", "progress_text"), ("全年预计完成情况", "forecast_text"),
                ("完成目标可能性", "likelihood"), ("偏差原因", "causes"), ("原因说明", "explanation"),
                ("纠偏措施", "measures"), ("指标编码", "code")],
}
INDICATOR_COLUMNS["dept-self-eval"] = INDICATOR_COLUMNS["self-eval"]
# Columns printed per form (the print area): up to 偏差原因分析及改进措施 on the 自评表.
PRINTED_COLUMNS = {form: [label for label, _ in cols].index("偏差原因分析及改进措施") + 1
                   for form, cols in INDICATOR_COLUMNS.items() if form in ("self-eval", "dept-self-eval")}
COLUMN_ALIASES = {
    "三级指标": ("指标名称", "指标内容"), "年度指标值(A)": ("年度指标值", "指标值", "全年指标值"),
    "实际完成值(B)": ("实际完成值", "全年实际值", "全年实际值(B)", "全年完成值"),
    "分值": ("权重", "指标权重", "指标权重(分)", "权重(分)"), "得分": ("指标得分", "指标得分(分)"),
    "偏差原因分析及改进措施": ("未完成原因分析", "偏差原因分析", "未完成原因分析及改进措施"),
    "指标值": ("年度指标值", "年度指标值(A)"), "指标性质": ("计算符号",), "核心指标": ("是否核心指标",),
    "1-X月执行情况": ("执行情况",), "完成等级": ("达成情况", "完成程度"),
    "得分比例": ("档内得分比例",), "得分比例调整理由": ("调整理由",),
}

# Funds block columns (project self-evaluation / declaration / monitoring).
FUNDS_COLUMNS = {
    "self-eval": ["年初预算数", "全年预算数(A)", "全年执行数(B)", "分值", "执行率(B/A)", "得分"],
    "target": ["年初预算数", "全年预算数"],
    "monitor": ["年初预算数", "全年预算数", "1-X月执行数", "1-X月执行率", "时间进度", "全年预计执行数", "预警等级"],
}

MONITOR_FUNDS_CAUSES = "资金偏差原因"
MONITOR_FUNDS_MEASURES = "资金纠偏措施"
DEPT_BUDGET_DETAIL = "预算明细"
DEPT_DETAIL_COLUMNS = ["资金来源", "支出性质", "年初预算数", "全年预算数", "全年执行数", "年末结转和结余"]
# The first two are the official header block (DEPT_FORM_HEAD: 年度总体目标, 实际完成情况); forms
# exported by earlier releases wrote them as TEXT_ALIASES says, and still read.
DEPT_TEXT_FIELDS = [(DEPT_FORM_HEAD[2], "goal"), (DEPT_FORM_HEAD[3], "goal_actual"), ("主要工作成效", "achievements"),
                    ("存在的主要问题", "problems"), ("下一步改进措施", "measures"),
                    ("执行率偏低说明", "execution_explanation")]
TEXT_ALIASES = {DEPT_FORM_HEAD[2]: ("部门整体绩效目标",), DEPT_FORM_HEAD[3]: ("目标实际完成情况",)}
PROJECT_TEXT_FIELDS = [("执行率偏低说明", "execution_explanation"), ("存在问题", "problems"), ("改进措施", "measures")]
# The signature block under every form (written with a trailing “：”); a reader stops there.
SIGNATURES = (("填报单位（盖章）", "审核人"), ("填报人", "联系电话", "填报日期"))
DROPDOWN_ROWS = 60  # empty indicator rows with dropdowns on a blank template

# The hidden, protected sheet of an exported form (``workbook.VERSION_SHEET``) recording what it was
# based on: the department-year, and each object on the form with the stored version it was exported
# at (kind, project code, key as in ``jixiao.core.changes.Ref``). A blank template, a form made
# elsewhere or one exported by an earlier release has no such sheet: its versions are unknown (None).
VERSION_TITLE = "jixiao 导出信息（系统使用，请勿修改）：导出时各对象的版本，导入时据此判断文件是否基于旧数据"
VERSION_DEPARTMENT = "部门编码"
VERSION_YEAR = "年度"
VERSION_COLUMNS = ("对象", "项目编码", "编码", "版本")
