"""A deterministic synthetic city: many departments, projects and indicators built from the core
dataclasses, for benchmarks. Same ``seed`` → same city, so timings are comparable across runs.

Values are invented; names are plausible Chinese labels so that text parsing meets realistic input
(≥/≤/range/qualitative targets, full-width forms, Chinese numerals, 万元/亿元 amounts).
"""
from __future__ import annotations

import random
from decimal import Decimal

from jixiao.core.model import BudgetLine, Department, DepartmentYear, FundLine, Indicator, Project

_AREAS = ("教育", "卫生健康", "交通运输", "住房建设", "农业农村", "生态环境", "科技", "商务", "文化旅游", "民政",
          "水务", "应急管理")
_UNIT_KINDS = ("局", "委员会", "中心", "服务中心", "事务所", "管理处")
_PROJECT_KINDS = ("专项经费", "运维经费", "建设项目", "补助资金", "工作经费", "服务采购", "课题研究经费")
_OUTPUT_NAMES = ("培训人次", "覆盖企业数", "完成项目数", "检查次数", "设备维护台数", "发放补贴户数", "举办活动场次")
_QUALITY_NAMES = ("验收合格率", "数据准确率", "资金拨付准确率", "设施完好率")
_COST_NAMES = ("项目成本控制", "单位运维成本", "采购成本")
_BENEFIT_NAMES = ("服务效率提升", "群众获得感", "产业带动效果", "环境改善程度", "长效机制建立")
_QUAL_TARGETS = ("按期完成", "效果明显", "严格执行相关制度规定", "达成预期指标", "≤12月31日", "有效提升")
_QUAL_ACTUALS = ("达成预期指标", "已按期完成", "已实现预期效果", "部分完成", "未完成")
_COUNT_UNITS = ("个", "次", "人次", "家", "场", "台", "户")


def _money(rng: random.Random, low: int, high: int) -> Decimal:
    """An amount in 万元 with two decimals, drawn as integer cents so it is exact."""
    return Decimal(rng.randint(low * 100, high * 100)).scaleb(-2)


def _indicator(rng: random.Random, code: str, level1: str, level2: str) -> Indicator:
    kind = rng.random()
    weight = Decimal(rng.choice((2, 3, 4, 5, 6, 10)))
    if kind < 0.45:  # positive count, sometimes full-width or in Chinese numerals
        unit = rng.choice(_COUNT_UNITS)
        a = rng.randint(1, 500)
        target = rng.choice((f"≥{a}{unit}", f"＞＝{a}{unit}", f"不少于{a}{unit}", f"{a}{unit}"))
        if a <= 99 and rng.random() < 0.1:
            target = f"不少于{_cn(a)}{unit}"
        actual = f"{Decimal(a) * Decimal(rng.randint(60, 140)) / 100:.1f}{unit}"
        name = rng.choice(_OUTPUT_NAMES)
    elif kind < 0.65:  # percent floor
        a = rng.choice((80, 85, 90, 95, 98, 100))
        target = rng.choice((f"≥{a}%", f"不低于{a}%", f"≥{a}百分比"))
        actual = f"{Decimal(rng.randint(700, 1000)) / 10}%"
        name = rng.choice(_QUALITY_NAMES)
    elif kind < 0.78:  # cost ceiling
        a = rng.randint(5, 800)
        target = f"≤{a}万元"
        actual = f"{_money(rng, max(1, a - 60), a + 30)}万元" if rng.random() < 0.9 else f"{Decimal(a) / 10000}亿元"
        name = rng.choice(_COST_NAMES)
        level1, level2 = "产出指标", "成本指标"
    elif kind < 0.85:  # range
        low = rng.choice((80, 85, 90))
        target = rng.choice((f"{low}%-{low + 5}%", f"{low}%～{low + 5}%", f"{low}%至{low + 5}%"))
        actual = f"{rng.randint(75, 99)}%"
        name = rng.choice(_QUALITY_NAMES)
    else:  # qualitative
        target = rng.choice(_QUAL_TARGETS)
        actual = rng.choice(_QUAL_ACTUALS)
        name = rng.choice(_BENEFIT_NAMES)
    return Indicator(
        code=code, level1=level1, level2=level2, name=name, target_text=target, weight=weight,
        actual_text=actual if rng.random() < 0.97 else None, origin="示例",
    )


def _cn(n: int) -> str:
    digits = "零一二三四五六七八九"
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else digits[tens] + "十")
    return head + (digits[ones] if ones or not head else "")


_PROJECT_CLASSES = (("产出指标", "数量指标"), ("产出指标", "质量指标"), ("效益指标", "社会效益指标"),
                    ("满意度指标", "服务对象满意度指标"))
_DEPT_CLASSES = (("履职效能", "数量指标"), ("履职效能", "质量指标"), ("社会效应", "社会效益"), ("预算执行", "预算执行"),
                 ("绩效管理", "绩效评价"))


def _spread(total: int, parts: int) -> list[int]:
    """``total`` split into ``parts`` counts that differ by at most one."""
    base, extra = divmod(total, parts)
    return [base + (1 if i < extra else 0) for i in range(parts)]


def make_city(units: int = 1000, projects: int = 20000, indicators: int = 300000,
              seed: int = 1) -> list[DepartmentYear]:
    """``units`` department-years holding ``projects`` projects and ``indicators`` indicators in
    all (a tenth of the indicators belong to departments, the rest to projects)."""
    rng = random.Random(seed)
    dept_inds = indicators // 10
    per_unit_projects = _spread(projects, units)
    per_unit_inds = _spread(dept_inds, units)
    per_project_inds = _spread(indicators - dept_inds, max(projects, 1))
    city: list[DepartmentYear] = []
    project_no = 0
    for u in range(units):
        area = _AREAS[u % len(_AREAS)]
        dept = Department(code=f"u{u:05d}", name=f"{area}{rng.choice(_UNIT_KINDS)}{u}", parent_code="fin",
                          parent_name="市财政局")
        dy = DepartmentYear(department=dept, year=2022, origin="示例",
                            department_template=rng.choice(("dept-default", "dept-step-2022")))
        dy.indicators = [
            _indicator(rng, f"D{i + 1:02d}", *_DEPT_CLASSES[i % len(_DEPT_CLASSES)]) for i in range(per_unit_inds[u])
        ]
        basic_budget = _money(rng, 200, 3000)
        basic_executed = basic_budget * Decimal(rng.randint(85, 100)) / 100
        dy.budget_lines.append(BudgetLine("一般公共预算", "基本支出", basic_budget, basic_executed, origin="示例"))
        project_budget = Decimal(0)
        project_executed = Decimal(0)
        for k in range(per_unit_projects[u]):
            budget = _money(rng, 10, 2000)
            executed = (budget * Decimal(rng.randint(50, 105)) / 100).quantize(Decimal("0.01"))
            project_budget += budget
            project_executed += executed
            p = Project(
                code=f"P{k + 1:03d}", name=f"{area}{rng.choice(_PROJECT_KINDS)}{k + 1}", unit=dept.name,
                funds=[FundLine("一般公共预算", budget, executed)], origin="示例",
            )
            p.indicators = [
                _indicator(rng, f"I{i + 1:02d}", *_PROJECT_CLASSES[i % len(_PROJECT_CLASSES)])
                for i in range(per_project_inds[project_no])
            ]
            project_no += 1
            dy.projects.append(p)
        dy.budget_lines.append(BudgetLine("一般公共预算", "项目支出", project_budget, project_executed,
                                          carry_over=project_budget - project_executed, origin="示例"))
        city.append(dy)
    return city
