"""Arithmetic audit of a self-evaluation report's text: recompute every figure the text lets us.

Input is plain text lines with a location label each (line, paragraph, table row or page line);
the shell reads .txt/.docx/.pdf into that shape. Claims found and recomputed:

- 执行率: 「预算数 A … 执行数 B … 完成预算的 R%」 → R = B ÷ A;
- 分项合计: 「按资金来源分 / 按支出性质看 …」 parts → their sum equals the total stated in the section;
- 得分合计: 「a 分 + b 分 + … = t 分」;
- 完成率 / 超额完成: 「目标值 A … 实际完成 B … 完成率 R% / 超额完成 x%」 → R = B ÷ A, x = B ÷ A − 1;
- 同比: 「上年 A … B … 同比增长 x%」 or 「由 A 增长至 B，同比增长 x%」 → x = B ÷ A − 1;
- 计数: 「（共）N 个，分别是：甲、乙、丙」, 「甲、乙、丙等 N 个」 → the items listed;
- 合计 by any wording: 「甲 a 万元、乙 b 万元，合计/共计/总计/共 t 万元」, 「8个+8个，共15个」,
  「预算编制得10分（分值10分）…，合计96分」 → the parts add up to the total (parenthesised
  figures are not parts);
- 前后数字: the same figure stated twice with different values (「走访企业 712 人次」 in one
  section, 「走访企业 721 人次」 in another);
- 全额表述: 「资金全部拨付/足额到位」 in a paragraph that states a rate below 100 %.

A claim is compared at the precision it is written in: 121% agrees with 121.43%, 95.8% with
95.76% (ROUND_HALF_UP, the rule of ``jixiao.core.display``); a score total printed 99 is the sum of
its printed parts rounded to whole points (96 + 2 = 99 is wrong). A claim whose inputs are not all
stated (「同比增长 4.5%」 alone) cannot be recomputed and is left alone. An execution rate is taken
against the 全年/调整后 budget when the 年初 budget is stated as well.

Reports wrap lines anywhere, even inside a number's sentence, and PDF/text extraction adds blank
lines; so lines are first joined into paragraphs, and claims are matched on the joined text. A
wrapped line that starts with a number (「207.5万元，执行数…」) continues its paragraph; only
「1.」「2、」 followed by text start a numbered item. Word lists and the codes of the findings (A-…)
are data: ``jixiao/rules/audit.json``.
"""
from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache
from pathlib import Path

from jixiao.core.display import fmt_decimal
from jixiao.core.money import unit_factor

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "audit.json"


@dataclass(frozen=True)
class AuditRules:
    checks: dict[str, tuple[str, str]]  # code -> (severity, kind)
    sum_words: tuple[str, ...]
    list_words: tuple[str, ...]
    count_words: tuple[str, ...]
    figure_units: tuple[str, ...]
    figure_prefix_words: tuple[str, ...]
    figure_suffix_words: tuple[str, ...]
    figure_skip_words: tuple[str, ...]
    full_phrases: tuple[str, ...]
    negations: tuple[str, ...]
    full_rates: tuple[str, ...]
    budget_kinds_adjusted: tuple[str, ...]
    budget_kinds_initial: tuple[str, ...]

    def code(self, kind: str) -> str:
        return next(c for c, (_, k) in self.checks.items() if k == kind)


@lru_cache(maxsize=1)
def load_audit_rules() -> AuditRules:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    lists = {k: tuple(sorted(v, key=len, reverse=True)) for k, v in data.items() if isinstance(v, list)}
    checks = {c: (v["severity"], v["kind"]) for c, v in data["checks"].items()}
    return AuditRules(checks=checks, **{k: lists[k] for k in AuditRules.__dataclass_fields__ if k != "checks"})


def _alternation(words: Sequence[str]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))

ZERO = Decimal(0)
ONE = Decimal(1)
HUNDRED = Decimal(100)

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
MONEY_UNIT = r"亿元|万元|千元|元|亿美元|万美元|美元"
_HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|附件\s*\d*)")
# 「1.招商」「2、摸查」 start an item; 「90.9%」 or 「207.5万元」 at the start of a wrapped line do not.
_ITEM = re.compile(r"^\s*(?:\d+(?:[.．](?!\d)|、)|[一二三四五六七八九十]+是)")
_NUMBERED = re.compile(r"^\s*[（(]?(\d+)[.．、)）]")
_BLOCK_END = tuple("。！？!?：:")

_EXECUTION = re.compile(
    rf"预算数\s*(?:为|是)?\s*(?P<a>{NUM})\s*(?P<ua>{MONEY_UNIT})?"
    rf"[^。；;]{{0,80}}?执行数\s*(?:为|是)?\s*(?P<b>{NUM})\s*(?P<ub>{MONEY_UNIT})?"
    rf"[^。；;]{{0,40}}?(?:完成预算的|预算执行率为?|执行率为?|完成率为?)\s*(?P<r>{NUM})\s*%"
)
# Every budget figure of a sentence with its kind (年初 / 全年 / 调整后 …): the rate's denominator
# is the adjusted budget when both are stated.
_BUDGET = re.compile(rf"(?P<kind>[\u4e00-\u9fff]{{0,3}}?)预算数\s*(?:为|是)?\s*(?P<a>{NUM})\s*(?P<ua>{MONEY_UNIT})?")
_TOTAL_BUDGET = re.compile(rf"预算(?:总)?数\s*(?:为|是)?\s*(?P<v>{NUM})\s*(?P<u>{MONEY_UNIT})")
_TOTAL_EXECUTED = re.compile(rf"(?:执行数|支出总额|总支出|支出合计)\s*(?:为|是)?\s*(?P<v>{NUM})\s*(?P<u>{MONEY_UNIT})")
_SPLIT = re.compile(
    r"按(?:资金来源|支出性质|经济分类|功能分类|支出经济分类|支出功能分类)[^，,：:。]{0,4}[，,：:]\s*(?P<body>[^。]+)"
)
_PART = re.compile(rf"(?P<v>{NUM})\s*(?P<u>{MONEY_UNIT})")
_STATED_SUM = re.compile(rf"(?:合计|共计|总计)\s*(?:为|是)?\s*(?P<v>{NUM})\s*(?P<u>{MONEY_UNIT})")
# Claims whose left side is a list are found from their anchor and read backwards to the start
# of the clause: a regex with a repeated group backtracks quadratically on long list-like text.
_SCORE_TOTAL = re.compile(rf"[=＝]\s*(?P<t>{NUM})\s*分")
_OP = r"≥|≤|>=|<=|＞=|＜=|>|<|＞|＜|不低于|不少于|不小于|至少|达到|不高于|不超过|不多于|不大于|控制在"
_NEGATIVE_OPS = ("≤", "<=", "＜=", "<", "＜", "不高于", "不超过", "不多于", "不大于", "控制在")
_UNIT = r"[^\d\s，,。；;、（()）]{0,6}?"
_TARGET_ACTUAL = re.compile(
    rf"目标值?\s*(?:为|是)?\s*(?P<op>{_OP})?\s*(?P<a>{NUM})\s*(?P<ua>{_UNIT})\s*[，,]\s*"
    rf"(?:实际)?完成(?:值|数)?\s*(?:为|是)?\s*(?P<b>{NUM})\s*(?P<ub>{_UNIT})(?=[（(，,；;。]|$)"
)
_COMPLETION = re.compile(rf"^[^；;。]*?完成率\s*(?:为|是)?\s*(?P<r>{NUM})\s*%")
_OVER = re.compile(rf"^[^；;。]*?超额完成\s*(?P<x>{NUM})\s*%")
_YOY = re.compile(rf"同比(?P<dir>增长|增加|上升|提高|下降|减少|降低)\s*(?P<x>{NUM})\s*%")
_PREVIOUS = re.compile(
    rf"(?:上年|去年|上一年)(?:同期)?(?:的|为|是|实现|完成)?\s*(?P<v>{NUM})\s*(?P<u>[^\d\s，,。；;]{{0,6}}?)"
    r"(?=[，,；;。）)]|\s|较|比|增|减|下|上|$)"
)
_FROM_TO = re.compile(
    rf"由\s*(?P<a>{NUM})\s*(?P<ua>[^\d\s，,。；;]{{0,6}}?)\s*(?:增长|增加|上升|提高|下降|减少|降低)(?:到|至)\s*(?P<b>{NUM})\s*(?P<ub>[^\d\s，,。；;]{{0,6}}?)(?=[，,；;。]|$)"
)
_AMOUNT_ANY = re.compile(rf"(?P<v>{NUM})\s*(?P<u>[^\d\s，,。；;、]{{1,6}}?)(?=[，,；;。]|$)")
_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_COUNT = "一二两三四五六七八九十百"
_CN_VALUE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_PARENS = re.compile(r"[（(][^（）()]*[)）]")


@lru_cache(maxsize=1)
def _patterns() -> dict[str, re.Pattern[str]]:
    """The patterns built from the word lists of ``jixiao/rules/audit.json``."""
    r = load_audit_rules()
    count = _alternation(r.count_words)
    lists = _alternation(r.list_words)
    sums = _alternation(r.sum_words)
    family = rf"{MONEY_UNIT}|{count}|分"
    return {
        # 「共 3 个项目，分别是…」 (共 written) and 「直属单位10个，分别是…」 (共 omitted)
        "listed": re.compile(
            rf"(?P<gong>共|共有|合计)?\s*(?P<n>\d+|[{_CN_COUNT}]+)\s*(?P<w>{count})[^，,。；;：:\d]{{0,20}}?[，,]?\s*"
            rf"(?:{lists})\s*[：:]?\s*(?P<items>[^。；;]*)"),
        "etc": re.compile(rf"等\s*(?P<n>\d+)\s*(?P<w>{count})"),
        "total": re.compile(
            rf"(?P<word>{sums})[^\d，,。；;、（()）]{{0,6}}?\s*(?:为|是|达|达到)?\s*(?P<v>{NUM})\s*(?P<u>{family})"),
        "part": re.compile(rf"(?P<v>{NUM})\s*(?P<u>{family})"),
        "figure": re.compile(rf"(?P<v>{NUM})\s*(?P<u>{_alternation(r.figure_units)})"),
        "full": re.compile(_alternation(r.full_phrases)),
        "rate": re.compile(rf"(?:{_alternation(r.full_rates)}|完成预算的)\s*(?:为|是|达到|达|仅为|仅|只有)?\s*"
                           rf"(?P<r>{NUM})\s*%"),
    }


def _count(text: str) -> int | None:
    """A count written in digits or in simple Chinese numerals (十, 十二, 二十三)."""
    if text.isdigit():
        return int(text)
    if "百" in text:
        return None
    if text == "十":
        return 10
    tens, _, ones = text.partition("十")
    if "十" not in text:
        return _CN_VALUE.get(text)
    value = (_CN_VALUE.get(tens, 0) if tens else 1) * 10
    return value + (_CN_VALUE.get(ones, 0) if ones else 0)
_BRACKETS = {"「": "」", "“": "”", "《": "》", "（": "）", "(": ")", "『": "』", "【": "】"}


@dataclass
class AuditFinding:
    location: str
    kind: str  # 执行率 / 分项合计 / 得分合计 / 完成率 / 超额完成 / 同比 / 计数 / 前后数字 / 全额表述
    claim: str  # the sentence excerpt that makes the claim
    claimed: str  # the figure as written
    recomputed: str  # the figure recomputed from the other stated values, at the claim's precision
    message: str
    code: str = ""  # A-…, from jixiao/rules/audit.json
    severity: str = ""  # 错误 / 警告

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


@dataclass(frozen=True)
class Claim:
    """A statement the auditor could recompute, whether it was right or wrong."""

    kind: str
    location: str
    claim: str


@dataclass
class AuditResult:
    findings: list[AuditFinding] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)  # every claim recomputed, in text order

    @property
    def checked(self) -> int:
        return len(self.claims)

    @property
    def clean(self) -> bool:
        return not self.findings


@dataclass
class _Block:
    text: str
    starts: list[tuple[int, str]]  # (offset in text, location label) of each source line

    def where(self, offset: int) -> str:
        label = self.starts[0][1]
        for start, loc in self.starts:
            if start > offset:
                break
            label = loc
        return label


# ---------------------------------------------------------------- joining lines into blocks


def _glue(left: str, right: str) -> str:
    """Join wrapped text: CJK needs no space, but two ASCII words or numbers must stay apart."""
    if left and right and left[-1].isascii() and left[-1].isalnum() and right[0].isascii() and right[0].isalnum():
        return " "
    return ""


def _is_heading(line: str) -> bool:
    return bool(_HEADING.match(line)) and len(line) <= 40 and "。" not in line


def build_blocks(lines: Sequence[str], locations: Sequence[str], wrapped: bool) -> list[_Block]:
    """Paragraphs from lines. ``wrapped``: the lines are a text layout (txt/pdf), a paragraph may
    run over many lines; otherwise every line is a paragraph already (docx)."""
    blocks: list[_Block] = []
    current: _Block | None = None
    for raw, loc in zip(lines, locations, strict=True):  # one location per line
        line = raw.strip()
        if not line:
            continue
        starts_new = (
            current is None or not wrapped or _is_heading(line) or bool(_ITEM.match(line))
            or current.text.endswith(_BLOCK_END) or _is_heading(current.text)
        )
        if starts_new:
            current = _Block(line, [(0, loc)])
            blocks.append(current)
        else:
            assert current is not None
            glue = _glue(current.text, line)
            current.starts.append((len(current.text) + len(glue), loc))
            current.text += glue + line
    return blocks


# ---------------------------------------------------------------- numbers


def _dec(text: str) -> Decimal:
    return Decimal(text.replace(",", ""))


def _places(text: str) -> int:
    text = text.replace(",", "")
    return len(text.split(".", 1)[1]) if "." in text else 0


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _agrees(claimed: str, value: Decimal) -> bool:
    """The claim agrees when the recomputed value, rounded to the claim's decimals, equals it."""
    return _round(value, _places(claimed)) == _dec(claimed)


def _convert(value: Decimal, unit: str, to: str) -> Decimal | None:
    if not unit or not to or unit == to:
        return value
    factor = unit_factor(unit, to)
    return None if factor is None else value * factor


def _excerpt(text: str, start: int, end: int, pad: int = 12) -> str:
    lo, hi = max(0, start - pad), min(len(text), end + pad)
    return ("…" if lo else "") + text[lo:hi] + ("…" if hi < len(text) else "")


# ---------------------------------------------------------------- the auditor


class _Auditor:
    def __init__(self) -> None:
        self.rules = load_audit_rules()
        self.p = _patterns()
        self.result = AuditResult()
        # Totals stated in the current section: the parts of 「按资金来源分…」 add up to one of them.
        self.totals: list[tuple[Decimal, str, str]] = []  # (value, unit, label)
        # (subject, unit) -> (year or "", value as written, location) of the statements of a figure
        self.figures: dict[tuple[str, str], list[tuple[str, str, str]]] = {}

    def checked(self, block: _Block, offset: int, kind: str, claim: str) -> None:
        self.result.claims.append(Claim(kind, block.where(offset), claim))

    def finding(
        self, block: _Block, offset: int, kind: str, claim: str, claimed: str, recomputed: str, message: str
    ) -> None:
        code = self.rules.code(kind)
        self.result.findings.append(AuditFinding(block.where(offset), kind, claim, claimed, recomputed, message,
                                                 code, self.rules.checks[code][0]))

    def run(self, blocks: list[_Block]) -> AuditResult:
        for i, block in enumerate(blocks):
            if _is_heading(block.text):
                self.totals = []
            self.execution(block)
            split_spans = self.splits(block)
            self.sums(block, split_spans)
            self.score_sums(block)
            self.completion(block)
            self.yoy(block)
            self.counts(block, blocks[i + 1:])
            self.full_statements(block)
            self.same_figures(block)
        return self.result

    # 执行率
    def execution(self, block: _Block) -> None:
        text = block.text
        for m in _EXECUTION.finditer(text):
            a_text, ua = m["a"], m["ua"] or ""
            # 「年初预算数 100 万元，全年预算数 120 万元，执行数 114 万元」: the rate is of the adjusted one.
            between = text[m.start(): m.start("b")]
            budgets = list(_BUDGET.finditer(between))
            adjusted = [x for x in budgets if any(k in x["kind"] for k in self.rules.budget_kinds_adjusted)]
            plain = [x for x in budgets if not any(k in x["kind"] for k in self.rules.budget_kinds_initial)]
            chosen = (adjusted or plain or budgets)[-1] if budgets else None
            if chosen is not None:
                a_text, ua = chosen["a"], chosen["ua"] or ua
            a, b = _dec(a_text), _dec(m["b"])
            ub = m["ub"] or ""
            b_in_a = _convert(b, ub, ua) if ua and ub else b
            if a == 0 or b_in_a is None:
                continue
            self.checked(block, m.start("r"), "执行率", _excerpt(text, m.start(), m.end(), 0))
            rate = b_in_a / a * HUNDRED
            claimed = m["r"]
            if not _agrees(claimed, rate):
                shown = fmt_decimal(rate, _places(claimed))
                self.finding(
                    block, m.start("r"), "执行率", _excerpt(text, m.start(), m.end(), 0), f"{claimed}%", f"{shown}%",
                    f"执行率应为 {shown}%（执行数 {m['b']}{ub} ÷ 预算数 {a_text}{ua}），报告写的是 {claimed}%",
                )
        for m in _TOTAL_BUDGET.finditer(text):
            self.totals.append((_dec(m["v"]), m["u"], f"预算数 {m['v']}{m['u']}"))
        for m in _TOTAL_EXECUTED.finditer(text):
            self.totals.append((_dec(m["v"]), m["u"], f"执行数 {m['v']}{m['u']}"))

    # 分项合计 (按资金来源分 / 按支出性质看 …): the parts against the total of the section
    def splits(self, block: _Block) -> list[tuple[int, int]]:
        text = block.text
        spans = []
        for m in _SPLIT.finditer(text):
            spans.append((m.start(), m.end()))
            body = m["body"]
            stated = _STATED_SUM.search(body)
            parts_text = body[: stated.start()] if stated else body
            parts = list(_PART.finditer(parts_text))
            if len(parts) < 2:
                continue
            unit = parts[0]["u"]
            values = [_convert(_dec(p["v"]), p["u"], unit) for p in parts]
            if any(v is None for v in values):
                continue
            total = sum((v for v in values if v is not None), ZERO)
            places = max(_places(p["v"]) for p in parts)
            if stated:
                candidates = [(_dec(stated["v"]), stated["u"], f"合计 {stated['v']}{stated['u']}")]
            else:
                candidates = self.totals
            comparable = [(c, label) for v, u, label in candidates if (c := _convert(v, u, unit)) is not None]
            if not comparable:
                continue
            self.checked(block, m.start(), "分项合计", _excerpt(text, m.start(), m.end(), 0))
            if any(_round(total, places) == _round(v, places) for v, _ in comparable):
                continue
            head = text[m.start(): m.start() + 6]
            shown = fmt_decimal(total, places)
            reference, label = comparable[-1]
            self.finding(
                block, m.start(), "分项合计", _excerpt(text, m.start(), m.end(), 0), label, f"{shown}{unit}",
                f"{head}各项合计 {shown}{unit}，与本节所述{label}不一致",
            )
        return spans

    # 合计/共计/总计/共 t: the parts stated before it in the sentence (not those in brackets)
    def sums(self, block: _Block, skip: list[tuple[int, int]]) -> None:
        text = block.text
        for m in self.p["total"].finditer(text):
            if any(lo <= m.start() < hi for lo, hi in skip):
                continue
            start = max(text.rfind(sep, 0, m.start()) for sep in "。；;：:") + 1
            region = _PARENS.sub(lambda x: " " * len(x.group()), text[start: m.start()])
            unit = m["u"]
            family = _family(unit)
            parts: list[tuple[re.Match[str], Decimal]] = []
            for p in self.p["part"].finditer(region):
                if _family(p["u"]) != family or (family == "分" and re.search(r"(?:分值|满分|权重)\s*$",
                                                                            region[: p.start()])):
                    continue
                value = _convert(_dec(p["v"]), p["u"], unit) if family == "money" else (
                    _dec(p["v"]) if p["u"] == unit else None)
                if value is None:
                    parts = []
                    break
                parts.append((p, value))
            if len(parts) < 2:
                continue
            kind = "得分合计" if family == "分" else "分项合计"
            excerpt = _excerpt(text, start, m.end(), 0)
            self.checked(block, m.start("v"), kind, excerpt)
            total = sum((v for _, v in parts), ZERO)
            places = _places(m["v"])
            if _sum_agrees([p["v"] for p, _ in parts], m["v"], total):
                continue
            shown = fmt_decimal(total, max(places, max(_places(p["v"]) for p, _ in parts)))
            listed = "＋".join(f"{p['v']}{p['u']}" for p, _ in parts)
            self.finding(block, m.start("v"), kind, excerpt, f"{m['v']}{unit}", f"{shown}{unit}",
                         f"{listed} 相加为 {shown}{unit}，报告写的{m['word']}是 {m['v']}{unit}")

    # 得分合计: 「a 分 + b 分 + … = t 分」
    def score_sums(self, block: _Block) -> None:
        text = block.text
        for m in _SCORE_TOTAL.finditer(text):
            start = _clause_start(text, m.start())
            pieces = re.split(r"[+＋]", text[start: m.start()])
            parts = [p.group(1) for piece in pieces if (p := re.search(rf"({NUM})\s*分?\s*$", piece.strip()))]
            if len(parts) < 2 or len(parts) != len(pieces):
                continue
            self.checked(block, m.start("t"), "得分合计", _excerpt(text, start, m.end(), 0))
            total = sum((_dec(p) for p in parts), ZERO)
            if _sum_agrees(parts, m["t"]):
                continue
            shown = fmt_decimal(total, max([_places(p) for p in parts] + [_places(m["t"])]))
            self.finding(
                block, m.start("t"), "得分合计", _excerpt(text, start, m.end(), 0), f"{m['t']} 分", f"{shown} 分",
                f"各项得分相加为 {shown} 分，报告写的合计是 {m['t']} 分",
            )

    # 完成率 / 超额完成
    def completion(self, block: _Block) -> None:
        text = block.text
        for m in _TARGET_ACTUAL.finditer(text):
            if (m["op"] or "") in _NEGATIVE_OPS:
                continue
            a = _dec(m["a"])
            b = (_convert(_dec(m["b"]), m["ub"].strip(), m["ua"].strip()) if m["ua"].strip() and m["ub"].strip()
                 else _dec(m["b"]))
            if a == 0 or b is None:
                continue
            ratio = b / a
            tail = text[m.end():]
            rate = _COMPLETION.match(tail)
            if rate:
                self.checked(block, m.end() + rate.start("r"), "完成率",
                             _excerpt(text, m.start(), m.end() + rate.end(), 0))
                value = ratio * HUNDRED
                if not _agrees(rate["r"], value):
                    shown = fmt_decimal(value, _places(rate["r"]))
                    self.finding(
                        block, m.end() + rate.start("r"), "完成率", _excerpt(text, m.start(), m.end() + rate.end(), 0),
                        f"{rate['r']}%", f"{shown}%",
                        f"完成率应为 {shown}%（实际完成 {m['b']}{m['ub']} ÷ 目标值 {m['a']}{m['ua']}），"
                        f"报告写的是 {rate['r']}%",
                    )
            over = _OVER.match(tail)
            if over:
                self.checked(block, m.end() + over.start("x"), "超额完成",
                             _excerpt(text, m.start(), m.end() + over.end(), 0))
                value = (ratio - ONE) * HUNDRED
                if not _agrees(over["x"], value):
                    shown = fmt_decimal(value, _places(over["x"]))
                    self.finding(
                        block, m.end() + over.start("x"), "超额完成",
                        _excerpt(text, m.start(), m.end() + over.end(), 0),
                        f"{over['x']}%", f"{shown}%",
                        f"超额完成比例应为 {shown}%（实际完成 {m['b']}{m['ub']} ÷ 目标值 {m['a']}{m['ua']} − 1），"
                        f"报告写的是 {over['x']}%",
                    )

    # 同比
    def yoy(self, block: _Block) -> None:
        text = block.text
        for m in _YOY.finditer(text):
            clause_start = max(text.rfind(sep, 0, m.start()) for sep in "。；;") + 1
            clause = text[clause_start: m.start()]
            pair = self._yoy_values(clause)
            if pair is None:
                continue
            previous, current = pair
            if previous == 0:
                continue
            self.checked(block, m.start("x"), "同比", _excerpt(text, clause_start, m.end(), 0))
            change = (current / previous - ONE) * HUNDRED
            if m["dir"] in ("下降", "减少", "降低"):
                change = -change
            if not _agrees(m["x"], change):
                shown = fmt_decimal(change, _places(m["x"]))
                self.finding(
                    block, m.start("x"), "同比", _excerpt(text, clause_start, m.end(), 0), f"{m['x']}%", f"{shown}%",
                    f"同比{m['dir']}应为 {shown}%（本期 {fmt_decimal(current, 4).rstrip('0').rstrip('.')} 与上年 "
                    f"{fmt_decimal(previous, 4).rstrip('0').rstrip('.')} 相比），报告写的是 {m['x']}%",
                )

    @staticmethod
    def _yoy_values(clause: str) -> tuple[Decimal, Decimal] | None:
        ft = _FROM_TO.search(clause)
        if ft:
            b = _convert(_dec(ft["b"]), ft["ub"], ft["ua"]) if ft["ua"] and ft["ub"] else _dec(ft["b"])
            return (_dec(ft["a"]), b) if b is not None else None
        prev = _PREVIOUS.search(clause)
        if not prev:
            return None
        others = [a for a in _AMOUNT_ANY.finditer(clause) if not (prev.start() <= a.start() < prev.end())]
        others += [a for a in _AMOUNT_ANY.finditer(clause[: prev.start()]) if a not in others]
        if not others:
            return None
        cur = others[0] if others[0].start() < prev.start() else others[-1]
        value = _convert(_dec(cur["v"]), cur["u"], prev["u"]) if prev["u"] else _dec(cur["v"])
        return (_dec(prev["v"]), value) if value is not None else None

    # 计数
    def counts(self, block: _Block, following: list[_Block]) -> None:
        text = block.text
        for m in self.p["listed"].finditer(text):
            n = _count(m["n"])
            if n is None:
                continue
            items_text = m["items"].strip()
            if items_text:
                counts = _item_counts(items_text)
                # Without 共 the number may belong to something else (「完成3个，包括设计和施工」):
                # only a list of names separated by 、 is compared.
                if not m["gong"] and "、" not in items_text:
                    continue
            else:
                counts = {_numbered_run(following)}
                if counts == {0}:
                    continue
            self._count_finding(block, m, n, counts)
        for m in self.p["etc"].finditer(text):
            items = text[_clause_start(text, m.start()): m.start()]
            if "、" in items:
                self._count_finding(block, m, int(m["n"]), _item_counts(items))

    def _count_finding(self, block: _Block, m: re.Match[str], n: int, counts: set[int]) -> None:
        self.checked(block, m.start("n"), "计数", _excerpt(block.text, m.start(), m.end(), 0))
        if n in counts:
            return
        listed = min(counts, key=lambda c: abs(c - n))
        self.finding(
            block, m.start("n"), "计数", _excerpt(block.text, m.start(), m.end(), 0),
            f"{n}{m['w']}", f"{listed}{m['w']}",
            f"文中称共 {n}{m['w']}，但列出的是 {listed}{m['w']}",
        )

    # 全额表述: 「全部拨付/足额到位」 beside a stated rate below 100 %
    def full_statements(self, block: _Block) -> None:
        text = block.text
        for m in self.p["full"].finditer(text):
            before = text[max(0, m.start() - 3): m.start()]
            if any(before.endswith(w) or w in before[-2:] for w in self.rules.negations):
                continue
            # The rate that speaks of the same money: in the phrase's sentence or the next one, and
            # not last year's.
            start, end = _sentences_around(text, m.start(), m.end())
            rates = [r for r in self.p["rate"].finditer(text, start, end)
                     if not re.search(r"上年|去年|上一年", text[max(start, r.start() - 8): r.start()])]
            low = next((r for r in rates if _dec(r["r"]) < HUNDRED), None)
            self.checked(block, m.start(), "全额表述", _excerpt(text, m.start(), m.end()))
            if low is None:
                continue
            self.finding(block, low.start("r"), "全额表述", _excerpt(text, m.start(), m.end()),
                         m.group(), f"{low['r']}%",
                         f"称「{m.group()}」，但同段所述{_excerpt(text, low.start(), low.end(), 0)}，低于 100%")
            return

    # 前后数字: the same figure, stated again with another value
    def same_figures(self, block: _Block) -> None:
        text = block.text
        for m in self.p["figure"].finditer(text):
            subject = self._subject(text, m.start())
            if subject is None:
                continue
            unit = m["u"]
            where = block.where(m.start("v"))
            # 「2022年完成…100个，2023年完成…120个」: figures of different years are different figures.
            years = _YEAR.findall(text[max(text.rfind(sep, 0, m.start()) for sep in "。；;") + 1: m.start()])
            year = years[-1] if years else ""
            seen = self.figures.setdefault((subject, unit), [])
            earlier = next((f for f in seen if year in (f[0], "") or not f[0]), None)
            if earlier is None:
                seen.append((year, m["v"], where))
                continue
            _, value, place = earlier
            excerpt = _excerpt(text, max(0, m.start() - len(subject) - 4), m.end(), 0)
            self.checked(block, m.start("v"), "前后数字", excerpt)
            if _dec(value) == _dec(m["v"]):
                continue
            self.finding(block, m.start("v"), "前后数字", excerpt, f"{m['v']}{unit}", f"{value}{unit}",
                         f"「{subject}」在{place}为 {value}{unit}，此处为 {m['v']}{unit}，前后不一致")

    def _subject(self, text: str, at: int) -> str | None:
        """What a figure counts: the words just before it (「走访企业」 in 「走访企业712人次」), or the
        indicator of a 「…年度目标值≥A，实际完成B」 sentence; None when the figure is a target, a
        part, last year's, or the words say too little to be sure it is the same figure elsewhere."""
        r = self.rules
        before = text[max(0, at - 40): at].rstrip()
        run = re.search(r"[\u4e00-\u9fff]+$", before)
        words = run.group() if run else ""
        context = before[-(len(words) + 8):]
        if any(w in context for w in r.figure_skip_words):
            return None
        indicator = re.search(r"([\u4e00-\u9fff]{3,}?)(?:年度)?目标值[^，,；;。]*[，,]\s*实际完成$", before)
        subject = _strip_words(words, r.figure_prefix_words)
        if not subject and indicator:
            subject = indicator.group(1)
        subject = _strip_words(subject, r.figure_prefix_words, r.figure_suffix_words + r.figure_units)
        return subject if len(subject) >= 4 else None


def _strip_words(text: str, words: Sequence[str], suffixes: Sequence[str] = ()) -> str:
    """``text`` without the ``words`` at either end (and the ``suffixes`` at its end), repeatedly."""
    changed = True
    while changed and text:
        changed = False
        for w in words:
            if text.startswith(w) and len(text) > len(w):
                text, changed = text[len(w):], True
            if text.endswith(w):
                text, changed = text[: -len(w)], True
        for w in suffixes:
            if text.endswith(w) and len(text) > len(w):
                text, changed = text[: -len(w)], True
        if text[:1] in "年月日":
            text, changed = text[1:], True
    return text


def _half(places: int) -> Decimal:
    return Decimal(5).scaleb(-places - 1)


def _sum_agrees(parts: Sequence[str], stated: str, total: Decimal | None = None) -> bool:
    """Whether parts as printed add up to a total as printed. A part printed with decimals may
    have been rounded (by half its last digit); a whole number is taken as exact, so 96 + 2 = 99 is
    wrong while 3.33 + 3.33 + 3.33 = 10 is right. The total is compared at its own precision."""
    if total is None:
        total = sum((_dec(p) for p in parts), ZERO)
    slack = sum((_half(_places(p)) for p in parts if _places(p)), ZERO)
    target, half = _dec(stated), _half(_places(stated))
    return total - slack < target + half and target - half < total + slack or _round(total, _places(stated)) == target


def _family(unit: str) -> str:
    """Amounts add up within a family: money in any unit, points, one counting word."""
    if re.fullmatch(MONEY_UNIT, unit):
        return "money"
    return "分" if unit == "分" else unit


def _sentences_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The span of the sentence holding text[start:end] and of the sentence after it."""
    ends = "。！？"
    lo = max(text.rfind(sep, 0, start) for sep in ends) + 1
    hi = end
    for _ in range(2):
        found = [i for sep in ends if (i := text.find(sep, hi)) >= 0]
        hi = min(found) + 1 if found else len(text)
    return lo, hi


def _clause_start(text: str, end: int) -> int:
    """Offset just after the last clause separator before ``end``."""
    for i in range(end - 1, -1, -1):
        if text[i] in "，,。：:；;":
            return i + 1
    return 0


def _split_items(text: str) -> list[str]:
    """Split on 、 outside quotes and brackets (names such as 「甲、乙项目」 stay whole)."""
    items, depth_stack, current = [], [], ""
    for ch in text:
        if ch in _BRACKETS:
            depth_stack.append(_BRACKETS[ch])
        elif depth_stack and ch == depth_stack[-1]:
            depth_stack.pop()
        if ch == "、" and not depth_stack:
            items.append(current)
            current = ""
        else:
            current += ch
    items.append(current)
    return [i.strip() for i in items if i.strip()]


def _item_counts(text: str) -> set[int]:
    """How many items a list names. A last item joined with 和/及 may be one name or two, so
    both readings are accepted."""
    items = _split_items(text)
    counts = {len(items)}
    if items and re.search(r"[和及与]", items[-1].strip("「」“”《》")):
        counts.add(len(items) + 1)
    return counts


def _numbered_run(following: list[_Block]) -> int:
    """Length of the 1. 2. 3. … list that follows a 「共 N 项如下：」 sentence."""
    expected = 1
    for block in following:
        m = _NUMBERED.match(block.text)
        if not m or int(m.group(1)) != expected:
            break
        expected += 1
    return expected - 1


def audit_lines(lines: Sequence[str], locations: Sequence[str] | None = None, wrapped: bool = True) -> AuditResult:
    """Audit report text. ``locations`` label each line (default 「第 n 行」)."""
    if locations is None:
        locations = [f"第 {i} 行" for i in range(1, len(lines) + 1)]
    return _Auditor().run(build_blocks(lines, locations, wrapped))


def audit_text(text: str) -> AuditResult:
    return audit_lines(text.splitlines())
