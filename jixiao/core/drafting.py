"""Drafting the self-evaluation reports (部门整体 / 项目支出绩效自评报告) as plain data.

The draft is a list of blocks — headings, paragraphs, tables, charts — built only from a
``DepartmentYear`` and the rules engine's result. One list of scored lines (``score_lines``: the
execution rate under its 一级指标, then every indicator) feeds the sentences, the 得分率 chart,
the 得分构成 and the 附件 self-evaluation table, so their counts, lists and classes agree by
construction. Nothing here knows about Word: ``jixiao.report`` renders a draft to .docx/.pdf, and
the auditor can read the draft's text directly.

Numbers become text only through ``jixiao.core.display`` (ROUND_HALF_UP at display). Every text
passes through ``typeset`` once: “” quotation marks, no space between Chinese and numbers, the
示例 mark. Narrative fields the unit writes are inserted as written; an empty field or
boilerplate such as “暂无” becomes a visible 【待补充】 marker plus a warning, so nothing empty is
printed silently.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import lru_cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from jixiao.core.display import fmt_amount, fmt_amount_fixed, fmt_rate, fmt_score, fmt_value
from jixiao.core.model import FUND_SOURCES, DepartmentYear, Indicator, Project, sum_known
from jixiao.core.narrative import figures_across, narrative_fields, narrative_figures
from jixiao.core.quality import draft_problems_text, review
from jixiao.core.results import Cause, DepartmentResult, ExecutionResult, IndicatorResult, ProjectResult
from jixiao.core.schemes import load_scheme
from jixiao.core.scoring import infer_achievement
from jixiao.core.targets import NEGATIVE_OPS, POSITIVE_OPS, TargetError, parse_actual, parse_target

RULES_PATH = Path(__file__).resolve().parent.parent / "rules" / "report.json"
TODO = "【待补充】"
ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)
GRADES = ("优", "良", "中", "差")
NUMERALS = "一二三四五六七八九十"
_PUNCT = " \t\r\n\u3000。．.，,；;：:！!？?、"
ILLUSTRATIVE = "示例"
_ILLUSTRATIVE_TEXT = "（示例）"  # how the demo marks an illustrative text inside a real record


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
    # The official forms: label/value rows above the column header (部门名称, 年度预算, …), and the
    # columns whose equal neighbours are one merged cell (一级/二级指标 classes).
    head: list[tuple[str, str]] = field(default_factory=list)
    merge: frozenset[int] = frozenset()


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
    author: str = ""  # the department, for the document properties
    subject: str = ""

    def text_lines(self) -> list[str]:
        """The draft as the lines a reader sees: titles, headings, paragraphs, table rows."""
        lines = list(self.title)
        for b in self.blocks:
            if isinstance(b, (Heading, Paragraph)):
                lines.append(b.text)
            elif isinstance(b, Table):
                lines.append(b.caption)
                lines.extend(f"{label}  {value}" for label, value in b.head)
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
    self_reference: tuple[tuple[str, str], ...] = ()
    self_reference_default: str = "我单位"
    illustrative_mark: str = "*"
    illustrative_legend: str = ""
    management_level1: frozenset[str] = frozenset()
    task_match_min_share: Decimal = Decimal("0.6")


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
        self_reference=tuple((str(a), str(b)) for a, b in data["self_reference"]),
        self_reference_default=str(data["self_reference_default"]),
        illustrative_mark=str(data["illustrative_mark"]),
        illustrative_legend=str(data["illustrative_legend"]),
        management_level1=frozenset(data["management_level1"]),
        task_match_min_share=Decimal(data["task_match_min_share"]),
    )


def is_placeholder(text: str | None, rules: ReportRules | None = None) -> bool:
    """True when a narrative field says nothing: empty, or boilerplate such as “暂无”“无”“同上”."""
    rules = rules or load_rules()
    folded = (text or "").strip(_PUNCT).lower()
    if not folded or folded in rules.placeholder_words:
        return True
    return len(folded) <= rules.placeholder_prefix_max_length and folded.startswith(rules.placeholder_prefixes)


def self_reference(name: str, rules: ReportRules | None = None) -> str:
    """How the unit calls itself (我委 / 我局 / 我单位), by the kind of body its name ends with."""
    rules = rules or load_rules()
    for suffix, ref in rules.self_reference:
        if name.endswith(suffix):
            return ref
    return rules.self_reference_default


# ---------------------------------------------------------------- typesetting

_CJK = "\u3400-\u9fff\uf900-\ufaff"
_NEIGHBOUR = f"{_CJK}（），。；：、“”"
_SPACE_CJK_NUM = re.compile(rf"(?<=[{_NEIGHBOUR}])[ \t]+(?=[-+≥≤<>]?[0-9])|(?<=[0-9%])[ \t]+(?=[{_NEIGHBOUR}])")
_SPACE_OP_NUM = re.compile(r"(?<=[≥≤<>])[ \t]+(?=[0-9])")


def typeset(text: str, rules: ReportRules | None = None) -> str:
    """The one typesetting pass of every drafted text: “” for quotations (「」 is not used in
    mainland official documents), no ASCII space between Chinese and numbers (it stretches a
    justified line), and the 示例 footnote mark instead of a written-out （示例）."""
    rules = rules or load_rules()
    text = text.replace("「", "“").replace("」", "”")
    text = text.replace("（示例）", rules.illustrative_mark).replace("(示例)", rules.illustrative_mark)
    text = _SPACE_CJK_NUM.sub("", text)
    return _SPACE_OP_NUM.sub("", text)


def _typeset_block(block: Block, rules: ReportRules) -> Block:
    if isinstance(block, (Heading, Paragraph)):
        return replace(block, text=typeset(block.text, rules))
    if isinstance(block, Table):
        return replace(block, caption=typeset(block.caption, rules),
                       header=[typeset(h, rules) for h in block.header],
                       rows=[[typeset(c, rules) for c in row] for row in block.rows],
                       head=[(typeset(a, rules), typeset(b, rules)) for a, b in block.head])
    if isinstance(block, Chart):
        return replace(block, title=typeset(block.title, rules), labels=[typeset(x, rules) for x in block.labels])
    return block


class _Writer:
    """Collects blocks and warnings while a report is drafted."""

    def __init__(self, rules: ReportRules, we: str = "我单位"):
        self.rules = rules
        self.we = we
        self.blocks: list[Block] = []
        self.warnings: list[str] = []
        self.mark = rules.illustrative_mark
        self.marked = False  # a 示例 mark was used: the legend goes on the first page

    def h1(self, text: str) -> None:
        self.blocks.append(Heading(1, text))

    def h2(self, text: str) -> None:
        self.blocks.append(Heading(2, text))

    def p(self, text: str, style: str = "body") -> None:
        self.blocks.append(Paragraph(text, style=style))

    def todo(self, what: str, hint: str = "") -> None:
        self.blocks.append(Paragraph(f"{TODO}{what}{hint}", todo=True))

    def ill(self, text: str, illustrative: bool) -> str:
        """``text`` with the 示例 footnote mark when its value is illustrative."""
        if not illustrative:
            return text
        self.marked = True
        return f"{text}{self.mark}"

    def narrative(self, text: str | None, label: str) -> None:
        """A field the unit writes, inserted as written, one paragraph per line."""
        if is_placeholder(text, self.rules):
            shown = (text or "").strip()
            said = f"（现填写为“{shown}”）" if shown else ""
            self.todo(f"{label}尚未填写{said}", "，请在系统中补充后重新生成报告。")
            self.warnings.append(f"“{label}”为空或为“暂无”等套话{said}，报告中已标注{TODO}")
            return
        for line in (text or "").splitlines():
            if line.strip():
                self.p(line.strip())

    def add(self, block: Block) -> None:
        self.blocks.append(block)

    def draft(self, title: list[str], author: str, subject: str) -> Draft:
        blocks = self.blocks
        if self.marked or any(_ILLUSTRATIVE_TEXT in _block_text(b) for b in blocks):
            blocks = [Paragraph(self.rules.illustrative_legend, style="note"), *blocks]
        return Draft(title=[typeset(t, self.rules) for t in title],
                     blocks=[_typeset_block(b, self.rules) for b in blocks],
                     warnings=self.warnings, author=author, subject=subject)


def _block_text(b: Block) -> str:
    if isinstance(b, (Heading, Paragraph)):
        return b.text
    if isinstance(b, Table):
        return " ".join(c for row in b.rows for c in row)
    return ""


# ---------------------------------------------------------------- the one scored list


@dataclass(frozen=True)
class ScoreLine:
    """One line of a self-evaluation table: the execution rate (under the 一级指标 its scheme
    puts it in) or an indicator. Text, chart, 得分构成 and 附件 are all drafted from these."""

    level1: str
    level2: str
    name: str
    target: str
    actual: str
    weight: Decimal | None
    score: Decimal | None
    reason: str  # 偏差原因分析及改进措施 as written (or, for the execution rate, as computed)
    illustrative: bool = False
    indicator: Indicator | None = None
    result: IndicatorResult | None = None

    @property
    def short(self) -> bool:
        """Scored below full marks."""
        return self.score is not None and self.weight is not None and self.score < self.weight

    @property
    def rate(self) -> Decimal | None:
        """Score as a percentage of the weight."""
        return self.score / self.weight * HUNDRED if self.score is not None and self.weight else None


def score_lines(execution: ExecutionResult, indicators: Iterable[Indicator], results: Iterable[IndicatorResult],
                template: str, explanation: str = "", unit: str = "万元") -> list[ScoreLine]:
    """The execution rate first (a 一级指标 of its own, or the class its scheme names), then
    each indicator in order."""
    rule = load_scheme(template).execution
    rate = execution.rate
    if execution.score is not None and execution.score < execution.weight and rate is not None:
        computed = (f"全年执行数{_amount(execution.executed, unit)}，占全年预算数的{fmt_rate(rate, 1)}，"
                    f"未全部执行")
        reason = f"{computed}；{explanation.strip()}" if explanation.strip() and not is_placeholder(explanation) \
            else computed + "。"
    else:
        reason = explanation.strip() if explanation.strip() and not is_placeholder(explanation) else ""
    first = ScoreLine(rule.level1 or rule.name, rule.name, rule.name, "100%", fmt_rate(rate, 1),
                      execution.weight, execution.score, reason)
    lines: list[ScoreLine] = []
    for ind, res in zip(indicators, results, strict=True):
        lines.append(ScoreLine(ind.level1, ind.level2, ind.name, ind.target_text or "—", res.actual_text or "—",
                               res.weight, res.score, ind.deviation_reason.strip(), ind.origin == ILLUSTRATIVE,
                               ind, res))
    # The execution rate opens its class where the class first appears (the form's order).
    at = next((i for i, ln in enumerate(lines) if ln.level1 == first.level1), 0)
    return [*lines[:at], first, *lines[at:]]


# ---------------------------------------------------------------- sentence pieces


def _amount(d: Decimal | None, unit: str) -> str:
    """An amount with its unit; a blank one (not filled in) is marked for the unit to complete."""
    return TODO if d is None else f"{fmt_amount(d)}{unit}"


def _fixed(d: Decimal | None) -> str:
    """An amount for a table cell; "—" when blank."""
    return "—" if d is None else fmt_amount_fixed(d)


def _rate_of(executed: Decimal | None, budget: Decimal | None) -> str:
    return fmt_rate(executed / budget, 1) if executed is not None and budget else "—"


def execution_sentence(
    budget: Decimal | None, executed: Decimal | None, rate: Decimal | None, unit: str, verb: str = ""
) -> str:
    """“全年预算数1153.25万元，执行数1104.37万元，完成预算的95.8%” (``verb`` e.g. 为)."""
    head = f"全年预算数{verb}{_amount(budget, unit)}，执行数{verb}{_amount(executed, unit)}"
    if budget is None or executed is None:
        return f"{head}，执行率无法计算"
    if rate is None:
        return f"{head}，全年预算数为0，无法计算执行率"
    return f"{head}，完成预算的{fmt_rate(rate, 1)}"


def _score_conclusion(w: _Writer, subject: str, total: Decimal | None, grade: str | None, reason: str | None) -> str:
    """“自评得分96分，等级为优”, or why the total cannot be stated yet (with a warning)."""
    if total is None:
        w.warnings.append(f"{subject}{reason}，报告中已标注{TODO}")
        return f"自评得分{TODO}（{reason}）"
    return f"自评得分{fmt_score(total)}分，等级为{grade}"


def _project_label(name: str) -> str:
    return name if name.endswith("项目") else f"{name}项目"


def _quote(name: str) -> str:
    return f"“{name}”"


def _completion_text(ratio: Decimal) -> str:
    """Completion rate with no decimals, as the forms write it (121%) — unless that would read
    100% for a result that is not exactly complete; then two decimals keep the shortfall visible."""
    text = fmt_rate(ratio, 0)
    if text == "100%" and ratio != ONE:
        return fmt_rate(ratio, 2)
    return text


def _points(target: Decimal, actual: Decimal) -> str:
    return fmt_value(abs(actual - target), 2)


def indicator_sentence(ind: Indicator, res: IndicatorResult, rules: ReportRules) -> tuple[str, bool]:
    """One indicator's result as a sentence, and whether it is unreported (needs 【待补充】).

    The pattern follows the kind of indicator: a count or amount states its completion rate; a
    percentage (a rate, a growth rate, a satisfaction) states the difference in 个百分点; a
    qualitative indicator states what was achieved. Ledger sources are not repeated here: the
    report names them once in a note."""
    name = ind.name
    if res.score is None:
        why = "尚未填报实际完成值" if res.cause == Cause.MISSING_ACTUAL else (res.reason or "无法计分")
        return f"{name}年度目标值{ind.target_text or '（未填写）'}，{why}{TODO}", True
    actual = (res.actual_text or "").strip()
    try:
        target = parse_target(ind.target_text or "", ind.unit, ind.name)
    except TargetError:
        target = None
    if target is None or target.op == "qualitative":
        level = ind.achievement or infer_achievement(ind.target_text or "", actual) or "达成"
        said = actual.rstrip("。；;，,")
        if level == "达成":
            return f"{name}方面，{said}", False
        verdict = "部分达到" if level == "部分达成" else "未达到"
        return f"{name}方面，{said}，{verdict}“{ind.target_text}”的年度目标", False
    ratio = res.ratio if res.ratio is not None else ZERO
    head = f"{name}年度目标值{ind.target_text}，实际完成{actual}"
    number, _, _ = parse_actual(actual)
    if target.percent and target.value is not None and number is not None and target.op != "range":
        diff = number - target.value
        if diff == 0:
            return f"{head}，与目标持平", False
        side = "高于" if diff > 0 else "低于"
        bound = "目标上限" if target.op in NEGATIVE_OPS else "目标"
        met = "达到目标" if ratio >= ONE else "未达到目标"
        return f"{head}，{side}{bound}{_points(target.value, number)}个百分点，{met}", False
    if target.op in POSITIVE_OPS and target.value is not None and target.value > 0:
        text = f"{head}，完成率{_completion_text(ratio)}"
        if res.over_completion is not None and res.over_completion > 0:
            text += f"，超额完成{fmt_rate(res.over_completion, 2)}"
        return text, False
    if target.op in NEGATIVE_OPS or target.op in ("=", "range") or target.op in POSITIVE_OPS:
        return f"{head}，{'达到目标' if ratio >= ONE else '未达到目标'}", False
    return head, False


# ---------------------------------------------------------------- the unit's work tasks


@dataclass(frozen=True)
class WorkTask:
    title: str  # “做好优质项目招商引资工作”
    text: str  # the whole paragraph the unit wrote


_TASK_START = re.compile(r"^\s*([一二三四五六七八九十]+)是")


def work_tasks(text: str) -> list[WorkTask]:
    """The unit's own task list: the “一是…二是…三是…” paragraphs of 年度总体工作和重点工作任务."""
    tasks = []
    for line in (text or "").splitlines():
        m = _TASK_START.match(line)
        if not m:
            continue
        body = line[m.end():].strip()
        title = re.split(r"[。；;]", body, maxsplit=1)[0].strip("，, ")
        tasks.append(WorkTask(title, body))
    return tasks


def _bigrams(text: str) -> set[str]:
    return {text[i:i + 2] for i in range(len(text) - 1) if all("\u4e00" <= ch <= "\u9fff" for ch in text[i:i + 2])}


def _best_task(words: Iterable[str], tasks: list[WorkTask]) -> int | None:
    """The task whose text shares most two-character words with ``words`` (first on a tie)."""
    for word in words:
        grams = _bigrams(word)
        scores = [len(grams & _bigrams(t.text)) for t in tasks]
        if scores and max(scores) > 0:
            return scores.index(max(scores))
    return None


def _task_of_project(name: str, tasks: list[WorkTask], rules: ReportRules) -> int | None:
    grams = _bigrams(name)
    if not grams:
        return None
    shares = [Decimal(len(grams & _bigrams(t.text))) / len(grams) for t in tasks]
    best = max(shares, default=ZERO)
    return shares.index(best) if best >= rules.task_match_min_share else None


# ---------------------------------------------------------------- figures in the narrative


def _narrative_check(w: _Writer, dy: DepartmentYear, result: DepartmentResult) -> None:
    actuals = {ind.name: res.actual_text or "" for ind, res in zip(dy.indicators, result.indicators, strict=True)
               if res.actual_text}
    fields = narrative_fields(dy)
    w.warnings.extend(narrative_figures(actuals, fields))
    w.warnings.extend(figures_across(fields))
    others = {ref for _, ref in w.rules.self_reference} | {w.rules.self_reference_default, "我部门"}
    for label, text in fields.items():
        used = sorted(r for r in others - {w.we} if r in (text or ""))
        if used:
            w.warnings.append(f"“{label}”中自称“{'、'.join(used)}”，与本单位的自称“{w.we}”不一致，请统一")


# ---------------------------------------------------------------- analysis of the scored lines


def _feed_note(w: _Writer, lines: list[ScoreLine]) -> None:
    """The ledgers that supplied actual values, named once for the whole section."""
    fed = [ln for ln in lines if ln.result is not None and ln.result.feed]
    sources: list[str] = []
    for ln in fed:
        source = w.rules.feed_sources.get((ln.result.feed or "").split(".", 1)[0])  # type: ignore[union-attr]
        if source and source not in sources:
            sources.append(source)
    if sources:
        w.p(f"注：上述指标中，{len(fed)}项指标的实际完成值由系统从{'、'.join(sources)}自动取数。", style="note")


def _short_analysis(w: _Writer, lines: list[ScoreLine], subject: str) -> None:
    """The lines short of full marks — the same lines the 附件 shows below full marks."""
    scored = [ln for ln in lines if ln.score is not None]
    short = [ln for ln in scored if ln.short]
    if not short:
        if scored:
            w.p(f"{subject}已计分的绩效指标均取得满分。")
        return
    w.p(f"未取得满分的指标共{len(short)}项，分别是：" + "、".join(_quote(ln.name) for ln in short) + "。")
    for ln in short:
        got = f"{_quote(ln.name)}分值{fmt_score(ln.weight)}分，得{fmt_score(ln.score)}分。"
        if is_placeholder(ln.reason, w.rules):
            w.blocks.append(Paragraph(f"{got}偏差原因：{TODO}请填写偏差原因分析及改进措施。", todo=True))
            w.warnings.append(f"指标{_quote(ln.name)}未取得满分，偏差原因未填写，报告中已标注{TODO}")
        else:
            w.p(f"{got}偏差原因及改进措施：{ln.reason}")


def _sentences(w: _Writer, lines: list[ScoreLine], subject: str) -> list[tuple[ScoreLine, str]]:
    out = []
    unreported = []
    for ln in lines:
        if ln.indicator is None or ln.result is None:
            continue
        sentence, missing = indicator_sentence(ln.indicator, ln.result, w.rules)
        out.append((ln, w.ill(sentence, ln.illustrative)))
        if missing:
            unreported.append(ln.name)
    if unreported:
        w.warnings.append(f"{subject}有{len(unreported)}项指标尚未计分：{'、'.join(unreported)}")
    return out


def _by_level1(w: _Writer, said: list[tuple[ScoreLine, str]], start: int = 0) -> int:
    groups: dict[str, list[str]] = {}
    for ln, sentence in said:
        groups.setdefault(ln.level1, []).append(sentence)
    for i, (level1, sentences) in enumerate(groups.items(), start):
        order = f"{NUMERALS[i]}是" if i < len(NUMERALS) else ""
        w.p(f"{order}{level1}方面。" + "；".join(sentences) + "。")
    return start + len(groups)


def _indicator_analysis(w: _Writer, lines: list[ScoreLine], subject: str) -> None:
    """Sentences per 一级指标, the ledger note, then the lines short of full marks."""
    if not any(ln.indicator is not None for ln in lines):
        w.todo(f"{subject}尚未设置绩效指标", "，请在系统中补充绩效目标和指标。")
        w.warnings.append(f"{subject}没有绩效指标，报告中已标注{TODO}")
        return
    _by_level1(w, _sentences(w, lines, subject))
    _feed_note(w, lines)
    _short_analysis(w, lines, subject)


def _task_analysis(w: _Writer, dy: DepartmentYear, lines: list[ScoreLine]) -> None:
    """二（二） by the unit's own work tasks (一是…二是…), each with its indicators' figures and
    the narrative of the projects that carry it; management indicators (预算编制, 绩效管理, …)
    and indicators no task names follow in their own paragraphs."""
    tasks = work_tasks(dy.work_tasks)
    said = _sentences(w, lines, "部门整体")
    if not said:
        _indicator_analysis(w, lines, "部门整体")
        return
    per_task: dict[int, list[str]] = {}
    rest: list[tuple[ScoreLine, str]] = []
    for ln, sentence in said:
        k = None if ln.level1 in w.rules.management_level1 or not tasks else _best_task([ln.level2, ln.name], tasks)
        if k is None:
            rest.append((ln, sentence))
        else:
            per_task.setdefault(k, []).append(sentence)
    projects: dict[int, list[str]] = {}
    for p in dy.projects:
        k = _task_of_project(p.name, tasks, w.rules) if tasks else None
        if k is not None and not is_placeholder(p.goal_actual, w.rules):
            projects.setdefault(k, []).append(p.goal_actual.strip())
    n = 0
    for k, task in enumerate(tasks):
        if k not in per_task and k not in projects:
            continue
        body = f"{NUMERALS[n] if n < len(NUMERALS) else ''}是{task.title}。"
        if k in per_task:
            body += "；".join(per_task[k]) + "。"
        w.p(body + "".join(projects.get(k, [])))
        n += 1
    _by_level1(w, rest, n)
    _feed_note(w, lines)
    _short_analysis(w, lines, "部门整体")


def _score_parts(lines: list[ScoreLine]) -> list[tuple[str, Decimal, Decimal]]:
    """Points and weight per 一级指标, the execution rate inside its class."""
    parts: dict[str, list[Decimal]] = {}
    for ln in grouped(lines):
        got = parts.setdefault(ln.level1, [ZERO, ZERO])
        got[0] += ln.score or ZERO
        got[1] += ln.weight or ZERO
    return [(k, v[0], v[1]) for k, v in parts.items()]


def score_sentence(total: Decimal, parts: list[tuple[str, Decimal, Decimal]]) -> str:
    """“从一级指标看，预算编制得10分（分值10分），…”: the parts of the total, in words."""
    body = "，".join(f"{name}得{fmt_score(score)}分（分值{fmt_score(weight)}分）" for name, score, weight in parts)
    return f"从一级指标看，{body}，合计{fmt_score(total)}分。"


def _band_counts(values: list[Decimal], edges: tuple[Decimal, ...], unit: str) -> tuple[list[str], list[Decimal]]:
    """Counts per band [edge_i, edge_i+1), with an open band below the first and above the last edge."""
    labels = [f"低于{fmt_value(edges[0])}{unit}"]
    labels += [f"{fmt_value(lo)}{unit}–{fmt_value(hi)}{unit}" for lo, hi in pairwise(edges)]
    labels.append(f"{fmt_value(edges[-1])}{unit}及以上")
    counts = [ZERO] * len(labels)
    for v in values:
        counts[sum(1 for e in edges if v >= e)] += 1
    return labels, counts


def _indicator_chart(key: str, title: str, lines: list[ScoreLine], rules: ReportRules) -> Chart | None:
    scored = [ln for ln in lines if ln.rate is not None]
    if not scored:
        return None
    rates = [ln.rate for ln in scored if ln.rate is not None]
    if len(scored) > rules.chart_bar_limit:
        # One bar per indicator would be unreadable: count indicators per score-rate band.
        labels, counts = _band_counts(rates, rules.score_rate_buckets, "%")
        return Chart(key=key, kind="columns", title=f"{title}分布", labels=labels, values=counts,
                     axis_label="指标数（项）")
    return Chart(key=key, kind="bars", title=title, labels=[ln.name for ln in scored], values=rates,
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


def without_illustrative(dy: DepartmentYear) -> DepartmentYear:
    """The department-year without its 示例 content: what a real department's report shows when
    the deployment drops illustrative rows. 示例 records go; a text the demo marks “（示例）” is
    treated as not written (it becomes 【待补充】); what is left is scored again, so totals agree."""
    def real(items: list[Any]) -> list[Any]:
        return [_clean(x) for x in items if getattr(x, "origin", "") != ILLUSTRATIVE]
    projects = [replace(p, indicators=real(p.indicators)) for p in real(dy.projects)]
    rectifications = [r for r in dy.rectifications
                      if not any(_ILLUSTRATIVE_TEXT in str(v) for v in vars(r).values())]
    return _clean(replace(dy, budget_lines=real(dy.budget_lines), indicators=real(dy.indicators),
                          projects=projects, rectifications=rectifications))


def _clean(obj: Any) -> Any:
    marked = {k: "" for k, v in vars(obj).items() if isinstance(v, str) and _ILLUSTRATIVE_TEXT in v}
    return replace(obj, **marked) if marked else obj


# ---------------------------------------------------------------- 部门整体支出绩效自评报告


def draft_department(dy: DepartmentYear, result: DepartmentResult, rules: ReportRules | None = None) -> Draft:
    rules = rules or load_rules()
    name = dy.department.name
    w = _Writer(rules, self_reference(name, rules))
    unit = result.money_unit
    lines = score_lines(result.execution, dy.indicators, result.indicators, dy.department_template,
                        dy.execution_explanation, unit)

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
        by_source.append(f"{label}{_amount(executed, unit)}")
    extra = [s for s in result.by_source if s not in FUND_SOURCES]
    by_source += [f"{s}支出{_amount(result.by_source[s][1], unit)}" for s in extra]
    carry = sum((b.carry_over for b in dy.budget_lines), ZERO)
    natures = [w.ill(f"{n}{_amount(v[1], unit)}", _all_illustrative(dy, nature=n)) for n, v in result.by_nature.items()]
    w.p("按资金来源分，" + "，".join(by_source) + "。" + "按支出性质看，" + "，".join(natures) + "。"
        + f"年末结转和结余{fmt_amount_fixed(carry)}{unit}。")
    w.add(_budget_table(w, dy, result, unit))
    if rate is not None and rate < rules.low_execution_rate:
        w.narrative(dy.execution_explanation, f"预算执行率低于{fmt_rate(rules.low_execution_rate, 0)}的原因说明")
    elif dy.execution_explanation.strip():
        w.p(dy.execution_explanation.strip())

    w.h2("（四）部门整体绩效管理情况")
    w.narrative(dy.management, "部门整体绩效管理情况")

    w.h1("二、综合评价分析")
    w.h2("（一）自评结论综述")
    w.p(
        f"{dy.year}年{w.we}" + execution_sentence(result.budget, result.executed, rate, unit)
        + f"；部门整体支出绩效{_score_conclusion(w, '部门整体', result.total, result.grade, result.reason)}。"
    )
    if result.total is not None:
        w.p(score_sentence(result.total, _score_parts(lines)))
    if dy.goal_actual.strip():
        w.p(f"年度部门整体绩效目标实际完成情况：{dy.goal_actual.strip()}")

    w.h2("（二）各项工作任务绩效目标完成情况分析")
    _task_analysis(w, dy, lines)
    chart = _indicator_chart("dept-indicators", "部门整体绩效指标完成情况（得分率）", lines, rules)
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
    _narrative_check(w, dy, result)

    w.add(PageBreak())
    w.h1("附件1：部门整体支出绩效自评表")
    w.add(_department_table(w, dy, result, lines))
    w.add(PageBreak())
    w.h1("附件2：项目支出绩效自评情况表")
    w.add(_projects_table(w, result.projects, dy, unit))
    title = f"{dy.year}年部门整体支出绩效自评报告"
    return w.draft([name, title], name, f"{name}{title}")


def _all_illustrative(dy: DepartmentYear, source: str | None = None, nature: str | None = None) -> bool:
    """The figure of this source/nature comes only from 示例 budget lines."""
    chosen = [b for b in dy.budget_lines if (source is None or b.fund_source == source)
              and (nature is None or b.nature == nature)]
    return bool(chosen) and all(b.origin == ILLUSTRATIVE for b in chosen)


def _budget_table(w: _Writer, dy: DepartmentYear, result: DepartmentResult, unit: str) -> Table:
    rows = []
    for group, split, kw in (("资金来源", result.by_source, "source"), ("支出性质", result.by_nature, "nature")):
        for key, (budget, executed) in split.items():
            mark = _all_illustrative(dy, **{kw: key})
            rows.append([group, w.ill(key, mark), _fixed(budget), _fixed(executed), _rate_of(executed, budget)])
    rows.append(["合计", "", _fixed(result.budget), _fixed(result.executed), fmt_rate(result.execution.rate, 1)])
    return Table(
        caption=f"表1\u3000部门整体收支情况（单位：{unit}）",
        header=["分类", "项目", "全年预算数", "全年执行数", "执行率"],
        rows=rows, numeric=frozenset({2, 3, 4}), widths=(1.2, 2.2, 1.6, 1.6, 1.0), merge=frozenset({0}),
    )


def _project_analysis(w: _Writer, dy: DepartmentYear, result: DepartmentResult) -> None:
    unit = result.money_unit
    projects = result.projects
    if not projects:
        w.todo("本年度尚无项目支出自评数据", "，请在系统中录入项目及其自评结果。")
        w.warnings.append(f"没有项目支出数据，报告中已标注{TODO}")
        return
    executed = sum_known(p.executed for p in projects)
    sources = {f.fund_source for p in dy.projects for f in p.funds}
    kind = f"{next(iter(sources))}" if len(sources) == 1 else ""
    line_total = result.by_nature.get("项目支出", (None, None))[1]
    if len(sources) == 1:
        line_total = sum_known(b.executed for b in dy.budget_lines
                               if b.fund_source == kind and b.nature == "项目支出")
    head = f"根据财政预算绩效管理要求，{w.we}组织对{dy.year}年度{len(projects)}个{kind}项目支出开展绩效自评"
    if executed is not None and line_total:
        # The seed's sentence: the money the evaluated projects cover, and its share of the
        # 项目支出 line of the same fund source.
        share = fmt_rate(executed / line_total, 0)
        w.p(f"{head}，共涉及资金{_amount(executed, unit)}，占{kind}项目支出总额的{share}。")
    else:
        budget = sum_known(p.budget for p in projects)
        rate = executed / budget if executed is not None and budget else None
        w.p(f"{head}，" + execution_sentence(budget, executed, rate, unit).replace("全年", "项目全年", 1) + "。")
    key = sorted(projects, key=lambda p: (-(p.budget or ZERO), p.code))[: w.rules.key_projects]
    if key:
        w.p("其中，" + "；".join(
            w.ill(_project_label(p.name), dy.project(p.code).origin == ILLUSTRATIVE)
            + execution_sentence(p.budget, p.executed, p.execution.rate, unit, "为")
            for p in key
        ) + "。")
    counts = {g: sum(1 for p in projects if p.grade == g) for g in GRADES}
    unverified = sum(1 for p in projects if p.total is None)
    said = [f"{g}{n}个" for g, n in counts.items() if n]
    tail = f"，总分无法核实{unverified}个" if unverified else ""
    w.p("项目自评等级为" + "、".join(said) + tail + "。" if said else f"项目自评总分无法核实{unverified}个。")
    threshold = w.rules.low_execution_rate
    low = [p for p in projects if p.execution.rate is not None and p.execution.rate < threshold]
    if low:
        w.p(f"预算执行率低于{fmt_rate(threshold, 0)}的项目共{len(low)}个，分别是："
            + "、".join(_quote(w.ill(p.name, dy.project(p.code).origin == ILLUSTRATIVE)) for p in low) + "。")
        for p in low:
            explanation = dy.project(p.code).execution_explanation
            head = f"{_quote(p.name)}预算执行率{fmt_rate(p.execution.rate, 1)}。"
            if is_placeholder(explanation, w.rules):
                w.blocks.append(Paragraph(f"{head}原因说明：{TODO}请填写执行率偏低的原因。", todo=True))
                w.warnings.append(f"项目{_quote(p.name)}预算执行率低于{fmt_rate(threshold, 0)}，"
                                  f"原因说明未填写，报告中已标注{TODO}")
            else:
                w.p(f"{head}原因说明：{explanation.strip()}")
    for chart in (_execution_chart(projects, w.rules), _grade_chart(projects)):
        if chart:
            w.add(chart)


REPORT_HEADER = [
    "一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分", "偏差原因分析及改进措施",
]
INDICATOR_HEADER = REPORT_HEADER
INDICATOR_WIDTHS = (1.2, 1.3, 2.0, 1.5, 1.6, 0.95, 0.95, 2.6)


def _line_rows(w: _Writer, lines: list[ScoreLine]) -> list[list[str]]:
    return [[ln.level1, ln.level2, w.ill(ln.name, ln.illustrative), ln.target, ln.actual, fmt_score(ln.weight),
             fmt_score(ln.score), ln.reason or "—"] for ln in grouped(lines)]


def grouped(lines: list[ScoreLine]) -> list[ScoreLine]:
    """Lines ordered by 一级 then 二级 class in order of first appearance, so that a class is
    one merged cell (the execution rate sits inside its class, as the official form has it)."""
    order1: dict[str, int] = {}
    order2: dict[tuple[str, str], int] = {}
    for ln in lines:
        order1.setdefault(ln.level1, len(order1))
        order2.setdefault((ln.level1, ln.level2), len(order2))
    return sorted(lines, key=lambda ln: (order1[ln.level1], order2[(ln.level1, ln.level2)]))


def _total_row(lines: list[ScoreLine], total: Decimal | None, grade: str | None) -> list[str]:
    weight = sum_known(ln.weight for ln in lines)
    return ["合计", "", "", "", "", fmt_score(weight), fmt_score(total), f"自评等级：{grade or '—'}"]


# The official 自评表 layout (财预〔2020〕10号): the header block labels and the indicator columns.
# ``jixiao.excel.form_layout`` reads the same names for the Excel forms, so Word and Excel agree.
DEPT_FORM_HEAD = ("部门名称", "年度预算", "年度总体目标", "实际完成情况")
PROJECT_FORM_HEAD = ("项目名称", "主管部门", "实施单位", "项目资金", "年度总体目标", "实际完成情况")


def _budget_head(budget: Decimal | None, executed: Decimal | None, rate: Decimal | None, unit: str) -> str:
    return (f"全年预算数{_amount(budget, unit)}，全年执行数{_amount(executed, unit)}，"
            f"执行率{fmt_rate(rate, 1)}")


def _department_table(w: _Writer, dy: DepartmentYear, result: DepartmentResult, lines: list[ScoreLine]) -> Table:
    unit = result.money_unit
    values = (dy.department.name, _budget_head(result.budget, result.executed, result.execution.rate, unit),
              dy.goal.strip() or "—", dy.goal_actual.strip() or "—")
    return Table(
        caption=f"{dy.department.name}{dy.year}年度部门整体支出绩效自评表",
        head=list(zip(DEPT_FORM_HEAD, values, strict=True)),
        header=REPORT_HEADER, rows=[*_line_rows(w, lines), _total_row(lines, result.total, result.grade)],
        numeric=frozenset({5, 6}), widths=INDICATOR_WIDTHS, merge=frozenset({0, 1}),
    )


def _projects_table(w: _Writer, projects: list[ProjectResult], dy: DepartmentYear, unit: str) -> Table:
    rows = []
    for i, p in enumerate(projects, 1):
        shown = w.ill(p.name, dy.project(p.code).origin == ILLUSTRATIVE)
        rows.append([str(i), p.code, shown, _fixed(p.budget), _fixed(p.executed),
                     fmt_rate(p.execution.rate, 1), fmt_score(p.total), p.grade or "—"])
    budget = sum_known(p.budget for p in projects)
    executed = sum_known(p.executed for p in projects)
    rows.append(["", "合计", "", _fixed(budget), _fixed(executed), _rate_of(executed, budget), "", ""])
    return Table(
        caption=f"{dy.year}年度项目支出绩效自评情况（单位：{unit}）",
        header=["序号", "项目编码", "项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "等级"],
        rows=rows, numeric=frozenset({3, 4, 5, 6}), widths=(0.6, 0.9, 3.0, 1.4, 1.4, 1.2, 1.2, 0.8),
    )


# ---------------------------------------------------------------- 项目支出绩效自评报告


def draft_project(
    dy: DepartmentYear, project: Project, result: ProjectResult, rules: ReportRules | None = None
) -> Draft:
    rules = rules or load_rules()
    w = _Writer(rules, self_reference(dy.department.name, rules))
    unit = dy.money_unit
    rate = result.execution.rate
    lines = score_lines(result.execution, project.indicators, result.indicators, dy.project_template,
                        project.execution_explanation, unit)

    w.h1("一、项目基本情况")
    w.h2("（一）项目概况")
    facts = [f"项目名称：{w.ill(project.name, project.origin == ILLUSTRATIVE)}", f"项目编码：{project.code}",
             f"主管部门：{dy.department.name}"]
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
    w.p(execution_sentence(result.budget, result.executed, rate, unit) + "。")
    rows = []
    for f in project.funds:
        rows.append([f.fund_source, _fixed(f.initial), _fixed(f.budget), _fixed(f.executed),
                     _rate_of(f.executed, f.budget)])
    rows.append(["合计", _fixed(project.initial_budget), _fixed(result.budget), _fixed(result.executed),
                 fmt_rate(rate, 1)])
    w.add(Table(caption=f"项目资金情况（单位：{unit}）",
                header=["资金来源", "年初预算数", "全年预算数", "全年执行数", "执行率"],
                rows=rows, numeric=frozenset({1, 2, 3, 4}), widths=(2.0, 1.5, 1.5, 1.5, 1.0)))
    if rate is not None and rate < rules.low_execution_rate:
        w.narrative(project.execution_explanation, f"预算执行率低于{fmt_rate(rules.low_execution_rate, 0)}的原因说明")
    elif project.execution_explanation.strip():
        w.p(project.execution_explanation.strip())

    w.h1("二、绩效目标完成情况分析")
    w.h2("（一）总体目标完成情况")
    w.narrative(project.goal_actual, "总体目标实际完成情况")
    w.h2("（二）绩效指标完成情况")
    _indicator_analysis(w, lines, "本项目")
    chart = _indicator_chart("project-indicators", "项目绩效指标完成情况（得分率）", lines, rules)
    if chart:
        w.add(chart)

    w.h1("三、自评结论")
    w.p(f"本项目{execution_sentence(result.budget, result.executed, rate, unit)}；"
        f"项目支出绩效{_score_conclusion(w, '本项目', result.total, result.grade, result.reason)}。")
    if result.total is not None:
        w.p(score_sentence(result.total, _score_parts(lines)))

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
    values = (project.name, dy.department.name, project.unit.strip() or dy.department.name,
              _budget_head(result.budget, result.executed, rate, unit), project.goal.strip() or "—",
              project.goal_actual.strip() or "—")
    w.add(Table(caption=f"{project.name}{dy.year}年度项目支出绩效自评表",
                head=list(zip(PROJECT_FORM_HEAD, values, strict=True)), header=REPORT_HEADER,
                rows=[*_line_rows(w, lines), _total_row(lines, result.total, result.grade)],
                numeric=frozenset({5, 6}), widths=INDICATOR_WIDTHS, merge=frozenset({0, 1})))
    title = f"{dy.year}年项目支出绩效自评报告"
    return w.draft([project.name, title], dy.department.name, f"{project.name}{title}")
