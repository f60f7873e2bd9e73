"""Drafting the self-evaluation reports (部门整体 / 项目支出绩效自评报告) as plain data.

The draft is a list of blocks — headings, paragraphs, tables, charts — built only from a
``DepartmentYear`` and the rules engine's result, so every figure in a sentence is the same
number the tables show. Nothing here knows about Word: ``jixiao.report`` renders a draft to
.docx/.pdf, and the auditor can read the draft's text directly.

Numbers become text only through ``jixiao.core.display`` (ROUND_HALF_UP at display).
Narrative fields the unit writes are inserted as written; an empty field or boilerplate such as
「暂无」 becomes a visible 【待补充】 marker plus a warning, so nothing empty is printed silently.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from jixiao.core.display import fmt_amount, fmt_amount_fixed, fmt_decimal, fmt_rate, fmt_score, fmt_value
from jixiao.core.model import FUND_SOURCES, DepartmentYear, Indicator, Project, sum_known
from jixiao.core.quality import draft_problems_text, review
from jixiao.core.results import Cause, DepartmentResult, ExecutionResult, IndicatorResult, ProjectResult
from jixiao.core.scoring import infer_achievement
from jixiao.core.targets import NEGATIVE_OPS, POSITIVE_OPS, TargetError, parse_target

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "report.json"
TODO = "【待补充】"
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
GRADES = ("优", "良", "中", "差")
_PUNCT = " \t\r\n\u3000。．.，,；;：:！!？?、"


# ---------------------------------------------------------------- the draft as data


@dataclass
class Heading:
    level: int  # 0 title, 1 一、, 2 （一）
    text: str


@dataclass
class Paragraph:
    text: str
    todo: bool = False  # the text is a 【待补充】 marker, shown in the marker style
    style: str = "body"  # body | note | item (numbered list entry, no extra indent rules)


@dataclass
class Table:
    caption: str
    header: list[str]
    rows: list[list[str]]
    numeric: frozenset[int] = frozenset()  # column indexes right-aligned
    widths: tuple[float, ...] = ()  # relative column widths


@dataclass
class Chart:
    key: str  # file-name-safe id
    kind: str  # "bars" (horizontal, percent) | "columns" (vertical, counts)
    title: str
    labels: list[str]
    values: list[Decimal]
    axis_label: str
    reference: Decimal | None = None  # a reference line (e.g. 90%) in the value's scale


@dataclass
class PageBreak:
    pass


Block = Heading | Paragraph | Table | Chart | PageBreak


@dataclass
class Draft:
    title: list[str]
    blocks: list[Block] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def text_lines(self) -> list[str]:
        """The draft as the lines a reader sees: titles, headings, paragraphs, table rows."""
        lines = list(self.title)
        for b in self.blocks:
            if isinstance(b, (Heading, Paragraph)):
                lines.append(b.text)
            elif isinstance(b, Table):
                lines.append(b.caption)
                lines.append("  ".join(b.header))
                lines.extend("  ".join(r) for r in b.rows)
            elif isinstance(b, Chart):
                lines.append(b.title)
        return lines


# ---------------------------------------------------------------- rules


@dataclass(frozen=True)
class ReportRules:
    version: str
    placeholder_words: frozenset[str]
    placeholder_prefixes: tuple[str, ...]
    placeholder_prefix_max_length: int
    key_projects: int
    low_execution_rate: Decimal
    chart_bar_limit: int
    execution_buckets: tuple[Decimal, ...]
    score_rate_buckets: tuple[Decimal, ...]
    feed_sources: Mapping[str, str]


@lru_cache(maxsize=1)
def load_rules(path: Path = RULES_PATH) -> ReportRules:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return ReportRules(
        version=str(data["version"]),
        placeholder_words=frozenset(w.lower() for w in data["placeholder_words"]),
        placeholder_prefixes=tuple(data["placeholder_prefixes"]),
        placeholder_prefix_max_length=int(data["placeholder_prefix_max_length"]),
        key_projects=int(data["key_projects"]),
        low_execution_rate=Decimal(data["low_execution_rate"]),
        chart_bar_limit=int(data["chart_bar_limit"]),
        execution_buckets=tuple(Decimal(b) for b in data["execution_buckets"]),
        score_rate_buckets=tuple(Decimal(b) for b in data["score_rate_buckets"]),
        feed_sources=dict(data["feed_sources"]),
    )


def is_placeholder(text: str | None, rules: ReportRules | None = None) -> bool:
    """True when a narrative field says nothing: empty, or boilerplate such as 「暂无」「无」「同上」."""
    rules = rules or load_rules()
    folded = (text or "").strip(_PUNCT).lower()
    if not folded or folded in rules.placeholder_words:
        return True
    return len(folded) <= rules.placeholder_prefix_max_length and folded.startswith(rules.placeholder_prefixes)


class _Writer:
    """Collects blocks and warnings while a report is drafted."""

    def __init__(self, rules: ReportRules):
        self.rules = rules
        self.blocks: list[Block] = []
        self.warnings: list[str] = []

    def h1(self, text: str) -> None:
        self.blocks.append(Heading(1, text))

    def h2(self, text: str) -> None:
        self.blocks.append(Heading(2, text))

    def p(self, text: str, style: str = "body") -> None:
        self.blocks.append(Paragraph(text, style=style))

    def todo(self, what: str, hint: str = "") -> None:
        self.blocks.append(Paragraph(f"{TODO}{what}{hint}", todo=True))

    def narrative(self, text: str | None, label: str) -> None:
        """A field the unit writes, inserted as written, one paragraph per line."""
        if is_placeholder(text, self.rules):
            shown = (text or "").strip()
            said = f"（现填写为「{shown}」）" if shown else ""
            self.todo(f"{label}尚未填写{said}", "，请在系统中补充后重新生成报告。")
            self.warnings.append(f"「{label}」为空或为「暂无」等套话{said}，报告中已标注{TODO}")
            return
        for line in (text or "").splitlines():
            if line.strip():
                self.p(line.strip())

    def add(self, block: Block) -> None:
        self.blocks.append(block)


# ---------------------------------------------------------------- sentence pieces


def _amount(d: Decimal | None, unit: str) -> str:
    """An amount with its unit; a blank one (not filled in) is marked for the unit to complete."""
    return TODO if d is None else f"{fmt_amount(d)} {unit}"


def _fixed(d: Decimal | None) -> str:
    """An amount for a table cell; "—" when blank."""
    return "—" if d is None else fmt_amount_fixed(d)


def _rate_of(executed: Decimal | None, budget: Decimal | None) -> str:
    return fmt_rate(executed / budget, 1) if executed is not None and budget else "—"


def execution_sentence(
    budget: Decimal | None, executed: Decimal | None, rate: Decimal | None, unit: str, verb: str = ""
) -> str:
    """「全年预算数 1153.25 万元，执行数 1104.37 万元，完成预算的 95.8%」 (``verb`` e.g. 为)."""
    head = f"全年预算数{verb} {_amount(budget, unit)}，执行数{verb} {_amount(executed, unit)}"
    if budget is None or executed is None:
        return f"{head}，执行率无法计算"
    if rate is None:
        return f"{head}，全年预算数为 0，无法计算执行率"
    return f"{head}，完成预算的 {fmt_rate(rate, 1)}"


def _score_conclusion(w: _Writer, subject: str, total: Decimal | None, grade: str | None, reason: str | None) -> str:
    """「自评得分 96 分，等级为优」, or why the total cannot be stated yet (with a warning)."""
    if total is None:
        w.warnings.append(f"{subject}{reason}，报告中已标注{TODO}")
        return f"自评得分{TODO}（{reason}）"
    return f"自评得分 {fmt_score(total)} 分，等级为{grade}"


def _project_label(name: str) -> str:
    return name if name.endswith("项目") else f"{name}项目"


def _quote(name: str) -> str:
    return f"「{name}」"


def _completion_text(ratio: Decimal) -> str:
    """Completion rate with no decimals, as the forms write it (121%) — unless that would read
    100% for a result that is not exactly complete; then two decimals keep the shortfall visible."""
    text = fmt_rate(ratio, 0)
    if text == "100%" and ratio != ONE:
        return fmt_rate(ratio, 2)
    return text


def _feed_note(feed: str | None, rules: ReportRules) -> str:
    if not feed:
        return ""
    source = rules.feed_sources.get(feed.split(".", 1)[0])
    return f"（数据来自{source}）" if source else ""


def indicator_sentence(ind: Indicator, res: IndicatorResult, rules: ReportRules) -> tuple[str, bool]:
    """One indicator's result as a sentence, and whether it is unreported (needs 【待补充】)."""
    name = ind.name
    if res.score is None:
        why = "尚未填报实际完成值" if res.cause == Cause.MISSING_ACTUAL else (res.reason or "无法计分")
        return f"{name}：年度目标值 {ind.target_text or '（未填写）'}，{why}{TODO}", True
    actual = (res.actual_text or "").strip()
    note = _feed_note(res.feed, rules)
    try:
        target = parse_target(ind.target_text or "", ind.unit)
    except TargetError:
        target = None
    if target is None or target.op == "qualitative":
        level = ind.achievement or infer_achievement(ind.target_text or "", actual) or "—"
        return f"{name}：年度目标「{ind.target_text}」，实际完成情况「{actual}」{note}，评价为{level}", False
    ratio = res.ratio if res.ratio is not None else ZERO
    head = f"{name}：年度目标值 {ind.target_text}，实际完成 {actual}{note}"
    if target.op in POSITIVE_OPS and target.value is not None and target.value > 0:
        text = f"{head}，完成率 {_completion_text(ratio)}"
        if res.over_completion is not None and res.over_completion > 0:
            text += f"，超额完成 {fmt_rate(res.over_completion, 2)}"
        return text, False
    if target.op in NEGATIVE_OPS or target.op in ("=", "range") or target.op in POSITIVE_OPS:
        return f"{head}，{'达到目标' if ratio >= ONE else '未达到目标'}", False
    return head, False


def _full_marks(res: IndicatorResult) -> bool:
    return res.score is not None and res.weight is not None and res.score >= res.weight


def _indicator_analysis(w: _Writer, pairs: list[tuple[Indicator, IndicatorResult]], subject: str) -> None:
    """Sentences per 一级指标, then the indicators short of full marks with their reasons."""
    if not pairs:
        w.todo(f"{subject}尚未设置绩效指标", "，请在系统中补充绩效目标和指标。")
        w.warnings.append(f"{subject}没有绩效指标，报告中已标注{TODO}")
        return
    groups: dict[str, list[str]] = {}
    unreported: list[str] = []
    for ind, res in pairs:
        sentence, missing = indicator_sentence(ind, res, w.rules)
        groups.setdefault(ind.level1, []).append(sentence)
        if missing:
            unreported.append(ind.name)
    numerals = "一二三四五六七八九十"
    for i, (level1, sentences) in enumerate(groups.items()):
        order = f"{numerals[i]}是" if i < len(numerals) else ""
        w.p(f"{order}{level1}方面。" + "；".join(sentences) + "。")
    if unreported:
        w.warnings.append(f"{subject}有 {len(unreported)} 项指标尚未计分：{'、'.join(unreported)}")
    short = [(ind, res) for ind, res in pairs if res.score is not None and not _full_marks(res)]
    if not short:
        w.p(f"{subject}已填报的绩效指标均取得满分。")
        return
    w.p(f"未取得满分的指标共 {len(short)} 项，分别是：" + "、".join(_quote(ind.name) for ind, _ in short) + "。")
    for ind, res in short:
        got = f"{_quote(ind.name)}分值 {fmt_score(res.weight)} 分，得 {fmt_score(res.score)} 分。"
        if is_placeholder(ind.deviation_reason, w.rules):
            w.blocks.append(Paragraph(f"{got}偏差原因：{TODO}请填写偏差原因分析及改进措施。", todo=True))
            w.warnings.append(f"指标{_quote(ind.name)}未取得满分，偏差原因未填写，报告中已标注{TODO}")
        else:
            w.p(f"{got}偏差原因及改进措施：{ind.deviation_reason.strip()}")


def _score_parts(
    execution: ExecutionResult, results: Iterable[IndicatorResult], exec_name: str
) -> list[tuple[str, Decimal]]:
    """Points per 一级指标 of a verifiable total (every part has a score)."""
    parts: dict[str, Decimal] = {exec_name: execution.score or ZERO}
    for r in results:
        parts[r.level1] = parts.get(r.level1, ZERO) + (r.score or ZERO)
    return list(parts.items())


def score_sentence(total: Decimal, parts: list[tuple[str, Decimal]]) -> str:
    """「得分构成：预算执行率 8 分 + 预算编制 10 分 + … = 96 分」 — the parts sum to the exact total."""
    body = " + ".join(f"{name} {fmt_score(score)} 分" for name, score in parts)
    return f"得分构成：{body} = {fmt_score(total)} 分。"


def _indicator_rows(pairs: Iterable[tuple[Indicator, IndicatorResult]]) -> list[list[str]]:
    rows = []
    for ind, res in pairs:
        name = ind.name + ("（示例）" if ind.origin == "示例" else "")
        rows.append([
            ind.level1, ind.level2, name, ind.target_text or "—", res.actual_text or "—",
            fmt_score(res.weight), fmt_score(res.score), ind.deviation_reason.strip() or "—",
        ])
    return rows


INDICATOR_HEADER = [
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
]
INDICATOR_WIDTHS = (1.2, 1.3, 2.0, 1.5, 1.6, 0.95, 0.95, 2.6)


def _band_counts(values: list[Decimal], edges: tuple[Decimal, ...], unit: str) -> tuple[list[str], list[Decimal]]:
    """Counts per band [edge_i, edge_i+1), with an open band below the first and above the last edge."""
    labels = [f"低于{fmt_value(edges[0])}{unit}"]
    labels += [f"{fmt_value(lo)}{unit}–{fmt_value(hi)}{unit}" for lo, hi in pairwise(edges)]
    labels.append(f"{fmt_value(edges[-1])}{unit}及以上")
    counts = [ZERO] * len(labels)
    for v in values:
        counts[sum(1 for e in edges if v >= e)] += 1
    return labels, counts


def _indicator_chart(
    key: str, title: str, pairs: list[tuple[Indicator, IndicatorResult]], rules: ReportRules
) -> Chart | None:
    scored = [(ind, res) for ind, res in pairs if res.score is not None and res.weight]
    if not scored:
        return None
    rates = [res.score / res.weight * HUNDRED for _, res in scored]  # type: ignore[operator]
    if len(scored) > rules.chart_bar_limit:
        # One bar per indicator would be unreadable: count indicators per score-rate band.
        labels, counts = _band_counts(rates, rules.score_rate_buckets, "%")
        return Chart(key=key, kind="columns", title=f"{title}分布", labels=labels, values=counts,
                     axis_label="指标数（项）")
    return Chart(key=key, kind="bars", title=title, labels=[ind.name for ind, _ in scored], values=rates,
                 axis_label="得分率（%）", reference=HUNDRED)


def _execution_chart(projects: list[ProjectResult], rules: ReportRules) -> Chart | None:
    rated = [p for p in projects if p.execution.rate is not None]
    if not rated:
        return None
    line = rules.low_execution_rate * HUNDRED
    if len(rated) <= rules.chart_bar_limit:
        return Chart(
            key="execution", kind="bars", title="各项目预算执行率",
            labels=[p.name for p in rated],
            values=[p.execution.rate * HUNDRED for p in rated],  # type: ignore[operator]
            axis_label="预算执行率（%）", reference=line,
        )
    # Too many projects for one bar each: count them per execution-rate band instead.
    labels, counts = _band_counts([p.execution.rate * HUNDRED for p in rated],  # type: ignore[operator]
                                  tuple(e * HUNDRED for e in rules.execution_buckets), "%")
    return Chart(key="execution", kind="columns", title="项目预算执行率分布", labels=labels,
                 values=counts, axis_label="项目数（个）")


def _grade_chart(projects: list[ProjectResult]) -> Chart | None:
    if not projects:
        return None
    counts = dict.fromkeys(GRADES, 0)
    for p in projects:
        if p.grade is not None:  # an unverifiable total has no grade yet
            counts[p.grade] = counts.get(p.grade, 0) + 1
    return Chart(key="grades", kind="columns", title="项目自评等级分布", labels=list(counts),
                 values=[Decimal(c) for c in counts.values()], axis_label="项目数（个）")


def _origin_note(w: _Writer, dy: DepartmentYear) -> None:
    origins = [
        dy.origin, *(b.origin for b in dy.budget_lines), *(i.origin for i in dy.indicators),
        *(p.origin for p in dy.projects), *(i.origin for p in dy.projects for i in p.indicators),
    ]
    illustrative = "示例" in origins
    if illustrative:
        w.p("说明：本报告部分数据为系统演示用的示例数据，表格中已标注「示例」，不代表单位实际填报情况。", style="note")


# ---------------------------------------------------------------- 部门整体支出绩效自评报告


def draft_department(dy: DepartmentYear, result: DepartmentResult, rules: ReportRules | None = None) -> Draft:
    rules = rules or load_rules()
    w = _Writer(rules)
    unit = result.money_unit
    name = dy.department.name
    _origin_note(w, dy)

    w.h1("一、基本情况")
    w.h2("（一）部门概况")
    duties = [d.strip() for d in dy.department.responsibilities if d.strip()]
    if duties:
        w.p(f"{name}的主要职责是：")
        for i, duty in enumerate(duties, 1):
            w.p(f"{i}.{duty}", style="item")
    else:
        w.narrative("", "部门主要职责")

    w.h2("（二）年度总体工作和重点工作任务")
    w.narrative(dy.work_tasks, "年度总体工作和重点工作任务")
    if dy.goal.strip():
        w.p(f"年度部门整体绩效目标：{dy.goal.strip()}")

    w.h2("（三）部门整体收支情况")
    rate = result.execution.rate
    w.p(execution_sentence(result.budget, result.executed, rate, unit) + "。")
    by_source = []
    for source in FUND_SOURCES:
        executed = result.by_source.get(source, (ZERO, ZERO))[1]
        label = f"{source}财政拨款支出" if source != "其他" else "其他资金支出"
        by_source.append(f"{label} {_amount(executed, unit)}")
    extra = [s for s in result.by_source if s not in FUND_SOURCES]
    by_source += [f"{s}支出 {_amount(result.by_source[s][1], unit)}" for s in extra]
    carry = sum((b.carry_over for b in dy.budget_lines), ZERO)
    w.p(
        "按资金来源分，" + "，".join(by_source) + "。"
        + "按支出性质看，" + "，".join(f"{n} {_amount(v[1], unit)}" for n, v in result.by_nature.items()) + "。"
        + f"年末结转和结余 {fmt_decimal(carry, 2)} {unit}。"
    )
    w.add(_budget_table(result, unit))
    if rate is not None and rate < rules.low_execution_rate:
        w.narrative(dy.execution_explanation, f"预算执行率低于 {fmt_rate(rules.low_execution_rate, 0)} 的原因说明")
    elif dy.execution_explanation.strip():
        w.p(dy.execution_explanation.strip())

    w.h2("（四）部门整体绩效管理情况")
    w.narrative(dy.management, "部门整体绩效管理情况")

    w.h1("二、综合评价分析")
    w.h2("（一）自评结论综述")
    w.p(
        f"{dy.year}年我单位" + execution_sentence(result.budget, result.executed, rate, unit)
        + f"；部门整体支出绩效{_score_conclusion(w, '部门整体', result.total, result.grade, result.reason)}。"
    )
    if result.total is not None:
        w.p(score_sentence(result.total, _score_parts(result.execution, result.indicators, "预算执行率")))
    if dy.goal_actual.strip():
        w.p(f"年度部门整体绩效目标实际完成情况：{dy.goal_actual.strip()}")

    w.h2("（二）各项工作任务绩效目标完成情况分析")
    pairs = list(zip(dy.indicators, result.indicators, strict=True))
    _indicator_analysis(w, pairs, "部门整体")
    chart = _indicator_chart("dept-indicators", "部门整体绩效指标完成情况（得分率）", pairs, rules)
    if chart:
        w.add(chart)

    w.h2("（三）各重点任务项目支出完成情况分析")
    _project_analysis(w, dy, result)

    w.h2("（四）主要工作成效")
    w.narrative(dy.achievements, "主要工作成效")

    w.h1("三、存在的主要问题")
    w.narrative(dy.problems, "存在的主要问题")
    if is_placeholder(dy.problems, rules):
        # An empty section 三 is where boilerplate creeps in; offer the quality review's findings
        # as a draft for the unit to edit instead of leaving the reader with nothing.
        findings = review(dy, result)
        w.p(f"（系统根据质量检查生成的草稿，请修改后填入系统）{draft_problems_text(findings)}", style="note")

    w.h1("四、下一步改进措施")
    w.narrative(dy.measures, "下一步改进措施")
    if dy.rectifications:
        w.add(Table(
            caption="整改事项清单",
            header=["序号", "问题", "整改措施", "责任单位", "完成时限", "状态"],
            rows=[[str(i), r.problem, r.measure, r.owner or "—", r.deadline or "—", r.status]
                  for i, r in enumerate(dy.rectifications, 1)],
            widths=(0.6, 3, 3, 1.4, 1.2, 0.9),
        ))

    w.add(PageBreak())
    w.h1("附件1：部门整体支出绩效自评表")
    w.add(_department_table(dy, result))
    w.add(PageBreak())
    w.h1("附件2：项目支出绩效自评情况表")
    w.add(_projects_table(result.projects, dy, unit))
    return Draft(title=[name, f"{dy.year}年部门整体支出绩效自评报告"], blocks=w.blocks, warnings=w.warnings)


def _budget_table(result: DepartmentResult, unit: str) -> Table:
    rows = []
    for group, split in (("资金来源", result.by_source), ("支出性质", result.by_nature)):
        for key, (budget, executed) in split.items():
            rows.append([group, key, _fixed(budget), _fixed(executed), _rate_of(executed, budget)])
    rows.append(["合计", "", _fixed(result.budget), _fixed(result.executed), fmt_rate(result.execution.rate, 1)])
    return Table(
        caption=f"表1 部门整体收支情况（单位：{unit}）",
        header=["分类", "项目", "全年预算数", "全年执行数", "执行率"],
        rows=rows, numeric=frozenset({2, 3, 4}), widths=(1.2, 2.2, 1.6, 1.6, 1.0),
    )


def _project_analysis(w: _Writer, dy: DepartmentYear, result: DepartmentResult) -> None:
    unit = result.money_unit
    projects = result.projects
    if not projects:
        w.todo("本年度尚无项目支出自评数据", "，请在系统中录入项目及其自评结果。")
        w.warnings.append(f"没有项目支出数据，报告中已标注{TODO}")
        return
    budget = sum_known(p.budget for p in projects)
    executed = sum_known(p.executed for p in projects)
    rate = executed / budget if executed is not None and budget else None
    w.p(
        f"根据财政预算绩效管理要求，我部门组织对 {dy.year} 年度 {len(projects)} 个项目支出开展绩效自评，"
        + execution_sentence(budget, executed, rate, unit).replace("全年", "项目全年", 1)
        + "。"
    )
    key = sorted(projects, key=lambda p: (-(p.budget or ZERO), p.code))[: w.rules.key_projects]
    if key:
        w.p("其中，" + "；".join(
            _project_label(p.name) + execution_sentence(p.budget, p.executed, p.execution.rate, unit, "为")
            for p in key
        ) + "。")
    counts = {g: sum(1 for p in projects if p.grade == g) for g in GRADES}
    unverified = sum(1 for p in projects if p.total is None)
    tail = f"，总分无法核实 {unverified} 个" if unverified else ""
    w.p("项目自评等级：" + "，".join(f"{g} {n} 个" for g, n in counts.items()) + tail + "。")
    threshold = w.rules.low_execution_rate
    low = [p for p in projects if p.execution.rate is not None and p.execution.rate < threshold]
    if low:
        w.p(f"预算执行率低于 {fmt_rate(threshold, 0)} 的项目共 {len(low)} 个，分别是："
            + "、".join(_quote(p.name) for p in low) + "。")
        for p in low:
            explanation = dy.project(p.code).execution_explanation
            head = f"{_quote(p.name)}预算执行率 {fmt_rate(p.execution.rate, 1)}。"
            if is_placeholder(explanation, w.rules):
                w.blocks.append(Paragraph(f"{head}原因说明：{TODO}请填写执行率偏低的原因。", todo=True))
                w.warnings.append(f"项目{_quote(p.name)}预算执行率低于 {fmt_rate(threshold, 0)}，"
                                  f"原因说明未填写，报告中已标注{TODO}")
            else:
                w.p(f"{head}原因说明：{explanation.strip()}")
    for chart in (_execution_chart(projects, w.rules), _grade_chart(projects)):
        if chart:
            w.add(chart)


def _department_table(dy: DepartmentYear, result: DepartmentResult) -> Table:
    unit = result.money_unit
    exec_row = [
        "预算执行", "预算执行率",
        f"预算执行率（全年预算数 {_amount(result.budget, unit)}，执行数 {_amount(result.executed, unit)}）",
        "100%", fmt_rate(result.execution.rate, 1), fmt_score(result.execution.weight),
        fmt_score(result.execution.score),
        "—" if (result.execution.rate or ZERO) >= load_rules().low_execution_rate
        else (dy.execution_explanation.strip() or "—"),
    ]
    rows = [exec_row, *_indicator_rows(zip(dy.indicators, result.indicators, strict=True))]
    weight = sum_known([result.execution.weight, *(r.weight for r in result.indicators)])
    rows.append(
        ["合计", "", "", "", "", fmt_score(weight), fmt_score(result.total), f"自评等级：{result.grade or '—'}"]
    )
    return Table(
        caption=f"{dy.department.name} {dy.year} 年度部门整体支出绩效自评表",
        header=INDICATOR_HEADER, rows=rows, numeric=frozenset({5, 6}), widths=INDICATOR_WIDTHS,
    )


def _projects_table(projects: list[ProjectResult], dy: DepartmentYear, unit: str) -> Table:
    rows = []
    for i, p in enumerate(projects, 1):
        shown = p.name + ("（示例）" if dy.project(p.code).origin == "示例" else "")
        rows.append([str(i), p.code, shown, _fixed(p.budget), _fixed(p.executed),
                     fmt_rate(p.execution.rate, 1), fmt_score(p.total), p.grade or "—"])
    budget = sum_known(p.budget for p in projects)
    executed = sum_known(p.executed for p in projects)
    rows.append(["", "合计", "", _fixed(budget), _fixed(executed), _rate_of(executed, budget), "", ""])
    return Table(
        caption=f"{dy.year} 年度项目支出绩效自评情况（单位：{unit}）",
        header=["序号", "项目编码", "项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "等级"],
        rows=rows, numeric=frozenset({3, 4, 5, 6}), widths=(0.6, 0.9, 3.0, 1.4, 1.4, 1.2, 1.2, 0.8),
    )


# ---------------------------------------------------------------- 项目支出绩效自评报告


def draft_project(
    dy: DepartmentYear, project: Project, result: ProjectResult, rules: ReportRules | None = None
) -> Draft:
    rules = rules or load_rules()
    w = _Writer(rules)
    unit = dy.money_unit
    _origin_note(w, dy)

    w.h1("一、项目基本情况")
    w.h2("（一）项目概况")
    facts = [f"项目名称：{project.name}", f"项目编码：{project.code}", f"主管部门：{dy.department.name}"]
    if project.unit.strip():
        facts.append(f"实施单位：{project.unit.strip()}")
    if project.category.strip():
        facts.append(f"项目类别：{project.category.strip()}")
    w.p("；".join(facts) + "。")
    if is_placeholder(project.goal, rules):
        w.narrative(project.goal, "项目年度总体目标")
    else:
        w.p(f"年度总体目标：{project.goal.strip()}")

    w.h2("（二）项目资金情况")
    w.p(execution_sentence(result.budget, result.executed, result.execution.rate, unit) + "。")
    rows = []
    for f in project.funds:
        rows.append([f.fund_source, _fixed(f.initial), _fixed(f.budget), _fixed(f.executed),
                     _rate_of(f.executed, f.budget)])
    rows.append(["合计", _fixed(project.initial_budget), _fixed(result.budget), _fixed(result.executed),
                 fmt_rate(result.execution.rate, 1)])
    w.add(Table(caption=f"项目资金情况（单位：{unit}）",
                header=["资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率"],
                rows=rows, numeric=frozenset({1, 2, 3, 4}), widths=(2.0, 1.5, 1.5, 1.5, 1.0)))
    rate = result.execution.rate
    if rate is not None and rate < rules.low_execution_rate:
        w.narrative(project.execution_explanation, f"预算执行率低于 {fmt_rate(rules.low_execution_rate, 0)} 的原因说明")
    elif project.execution_explanation.strip():
        w.p(project.execution_explanation.strip())

    w.h1("二、绩效目标完成情况分析")
    w.h2("（一）总体目标完成情况")
    w.narrative(project.goal_actual, "总体目标实际完成情况")
    w.h2("（二）绩效指标完成情况")
    pairs = list(zip(project.indicators, result.indicators, strict=True))
    _indicator_analysis(w, pairs, "本项目")
    chart = _indicator_chart("project-indicators", "项目绩效指标完成情况（得分率）", pairs, rules)
    if chart:
        w.add(chart)

    w.h1("三、自评结论")
    w.p(f"本项目{execution_sentence(result.budget, result.executed, rate, unit)}；"
        f"项目支出绩效{_score_conclusion(w, '本项目', result.total, result.grade, result.reason)}。")
    if result.total is not None:
        w.p(score_sentence(result.total, _score_parts(result.execution, result.indicators, "预算执行率")))

    w.h1("四、存在的主要问题")
    w.narrative(project.problems, "项目存在的主要问题")
    w.h1("五、下一步改进措施")
    w.narrative(project.measures, "项目下一步改进措施")
    linked = [r for r in dy.rectifications if r.project == project.code]
    for r in linked:
        w.p(f"整改事项：{r.problem}整改措施：{r.measure}（状态：{r.status}"
            + (f"，完成时限：{r.deadline}" if r.deadline else "") + "）")

    w.add(PageBreak())
    w.h1("附件：项目支出绩效自评表")
    exec_row = ["预算执行", "预算执行率", "预算执行率", "100%", fmt_rate(rate, 1),
                fmt_score(result.execution.weight), fmt_score(result.execution.score),
                project.execution_explanation.strip() or "—"]
    table_rows = [exec_row, *_indicator_rows(pairs)]
    weight = sum_known([result.execution.weight, *(r.weight for r in result.indicators)])
    table_rows.append(
        ["合计", "", "", "", "", fmt_score(weight), fmt_score(result.total), f"自评等级：{result.grade or '—'}"]
    )
    w.add(Table(caption=f"{project.name} {dy.year} 年度项目支出绩效自评表", header=INDICATOR_HEADER,
                rows=table_rows, numeric=frozenset({5, 6}), widths=INDICATOR_WIDTHS))
    return Draft(title=[project.name, f"{dy.year}年项目支出绩效自评报告"], blocks=w.blocks, warnings=w.warnings)

