"""预检 / 复核: a reviewer's rule pack applied to a scored department-year.

A rule pack (``jixiao/rules/review-packs/*.json``) is the written rulebook of a re-review practice:
each rule has a code, a severity (P0 blocks submission, P1 deducts, P2 advises), the share of the
indicator's 分值 it takes away and its Chinese message. ``run_pack`` gives, per indicator, the
self-score, the score a reviewer applying the pack would give and why — the unit runs it before
submitting, the finance reviewer starts from it. Pure: no Django, no files beyond the pack.
"""
from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.errors import InputError
from jixiao.core.model import DepartmentYear, Indicator
from jixiao.core.results import DepartmentResult, IndicatorResult
from jixiao.core.targets import target_missing

PACKS = Path(__file__).resolve().parent.parent / "rules" / "review-packs"
SEVERITIES = ("P0", "P1", "P2")
EXECUTION = "预算执行率"  # the code of the execution row in a workpaper
HUNDRED = Decimal(100)
# "扣2分" / "扣 20%" / "扣减 1.5 分" in a deduction reason
_STATED_POINTS = re.compile(r"扣(?:减|除)?\s*(\d+(?:\.\d+)?)\s*分")
_STATED_SHARE = re.compile(r"扣(?:减|除)?\s*(\d+(?:\.\d+)?)\s*[%％]")
_PROJECT_COUNT = re.compile(r"(?:共|涉及|实施|安排)(?:有)?\s*(\d+)\s*个(?:预算)?项目")
_DIGIT = re.compile(r"\d")
# words too common in indicator names to tie an indicator to its project
_COMMON = ("满意度", "指标", "完成", "情况", "年度", "项目", "工作", "开展", "数量", "质量", "时效", "成本", "效益",
           "按期", "及时", "合格", "时间", "时限", "数据")


@dataclass(frozen=True)
class Rule:
    code: str
    severity: str
    deduction: Decimal  # share of the indicator's 分值 taken away (P1), 0 otherwise
    message: str
    words: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pack:
    id: str
    name: str
    version: str
    source: str
    rules: dict[str, Rule]

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


@dataclass(frozen=True)
class Finding:
    code: str
    severity: str
    message: str
    project: str  # project code; "" for the department level
    indicator: str  # indicator code; "" for a finding on the whole project or department
    deduction: Decimal = Decimal(0)  # points taken away from the self-score

    def as_dict(self) -> dict:
        return {"code": self.code, "severity": self.severity, "message": self.message, "project": self.project,
                "indicator": self.indicator, "deduction": str(self.deduction)}


@dataclass
class IndicatorReview:
    project: str
    code: str
    level1: str
    level2: str
    name: str
    weight: Decimal | None
    self_score: Decimal | None
    review_score: Decimal | None
    codes: list[str] = field(default_factory=list)

    @property
    def difference(self) -> Decimal | None:
        """自评 − 复核, the 差值表's figure."""
        if self.self_score is None or self.review_score is None:
            return None
        return self.self_score - self.review_score

    def as_dict(self) -> dict:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else str(v)
        return {"project": self.project, "code": self.code, "level1": self.level1, "level2": self.level2,
                "name": self.name, "weight": text(self.weight), "self_score": text(self.self_score),
                "review_score": text(self.review_score), "difference": text(self.difference), "codes": self.codes}


@dataclass
class Precheck:
    pack: Pack
    findings: list[Finding]
    indicators: list[IndicatorReview]

    @property
    def blocking(self) -> bool:
        return any(f.severity == "P0" for f in self.findings)

    def totals(self) -> dict[str, tuple[Decimal, Decimal]]:
        """Project code ("" the department) → (self total, review total) over the indicators."""
        out: dict[str, tuple[Decimal, Decimal]] = {}
        for r in self.indicators:
            s, v = out.get(r.project, (Decimal(0), Decimal(0)))
            out[r.project] = (s + (r.self_score or 0), v + (r.review_score or 0))
        return out

    def as_dict(self) -> dict:
        return {"pack": self.pack.label, "pack_name": self.pack.name, "blocking": self.blocking,
                "findings": [f.as_dict() for f in self.findings],
                "indicators": [r.as_dict() for r in self.indicators],
                "totals": {k or "部门整体": {"self": str(s), "review": str(v)} for k, (s, v) in self.totals().items()}}


def pack_names() -> list[str]:
    return sorted(p.stem for p in PACKS.glob("*.json"))


@cache
def load_pack(name: str = "default") -> Pack:
    path = PACKS / f"{name}.json"
    if not path.is_file():
        raise InputError(f"没有名为「{name}」的复核规则包；可用：{'、'.join(pack_names())}", location="--pack")
    data = json.loads(path.read_text(encoding="utf-8"))
    rules = {r["code"]: Rule(r["code"], r["severity"], Decimal(r["deduction"]), r["message"], tuple(r.get("words", ())))
             for r in data["rules"]}
    bad = [c for c, r in rules.items() if r.severity not in SEVERITIES]
    if bad:
        raise InputError(f"规则包 {name} 中 {', '.join(bad)} 的严重程度无效（应为 P0/P1/P2）", location=str(path))
    return Pack(data["id"], data["name"], data["version"], data.get("source", ""), rules)


def _bigrams(text: str) -> set[str]:
    for word in _COMMON:
        text = text.replace(word, "|")
    grams: set[str] = set()
    for part in re.split(r"[^\u4e00-\u9fff]+", text):
        grams.update(a + b for a, b in zip(part, part[1:], strict=False))
    return grams


def _placeholder(text: str) -> bool:
    return text.strip() in ("", "—", "-", "/", "无", "——", "不涉及")


class _Checker:
    def __init__(self, pack: Pack, evidence: Mapping[tuple[str, str], int] | None):
        self.pack = pack
        self.evidence = evidence
        self.findings: list[Finding] = []

    def hit(self, code: str, project: str, indicator: str, weight: Decimal | None, **values: object) -> Decimal:
        rule = self.pack.rules.get(code)
        if rule is None:  # a pack without this rule does not apply it
            return Decimal(0)
        points = (rule.deduction * weight) if (rule.severity == "P1" and weight) else Decimal(0)
        self.findings.append(Finding(code, rule.severity, rule.message.format(**values), project, indicator, points))
        return points

    def words(self, code: str) -> tuple[str, ...]:
        rule = self.pack.rules.get(code)
        return rule.words if rule else ()

    def indicator(self, project: str, ind: Indicator, res: IndicatorResult, context: set[str],
                  seen: dict[str, str]) -> IndicatorReview:
        w = ind.weight
        self_score = ind.stated_score if ind.stated_score is not None else res.score
        review = IndicatorReview(project, ind.code, ind.level1, ind.level2, ind.name, w, self_score, None)
        before = len(self.findings)
        lost = Decimal(0)
        target = (ind.target_text or "").strip()
        actual = (res.actual_text or ind.actual_text or "").strip()
        if target_missing(ind.target_text):
            lost += self.hit("R-EMPTY-TARGET", project, ind.code, w)
        elif not _DIGIT.search(target):
            vague = next((x for x in self.words("R-VAGUE-TARGET") if x in target), None)
            generic = next((x for x in self.words("R-QUALITATIVE-NO-CRITERION") if x in target), None)
            if vague:
                lost += self.hit("R-VAGUE-TARGET", project, ind.code, w, target=target, word=vague)
            elif generic and len(target) <= 6:
                lost += self.hit("R-QUALITATIVE-NO-CRITERION", project, ind.code, w, target=target)
        if self.evidence is not None and not self.evidence.get((project, ind.code)) and self_score:
            lost += self.hit("R-NO-EVIDENCE", project, ind.code, w)
        if "满意度" in ind.level2 + ind.name and self_score:
            sources = ind.data_source + ind.basis + actual + ind.deviation_reason
            if not any(x in sources for x in self.words("R-SATISFACTION-NO-SURVEY")) \
                    and not (self.evidence and self.evidence.get((project, ind.code))):
                lost += self.hit("R-SATISFACTION-NO-SURVEY", project, ind.code, w)
        if res.ratio is not None and res.ratio > Decimal("1.3"):
            self.hit("R-OVER-130", project, ind.code, w, ratio=fmt_rate(res.ratio))
        if "时效" in ind.level2 and w and self_score == w and res.ratio is not None and res.ratio < 1:
            lost += self.hit("R-TIMELINESS-PARTIAL", project, ind.code, w, actual=actual or "—", target=target or "—")
        key = re.sub(r"\s", "", ind.name)
        if key in seen and ind.level1 != seen[key].split("|")[0] and "效益" in ind.level1:
            lost += self.hit("R-DUPLICATE", project, ind.code, w, other=seen[key].split("|")[1])
        seen.setdefault(key, f"{ind.level1}|{ind.code}（{ind.name}）")
        if "数量" in ind.level2 and any(x in ind.name for x in self.words("R-QUANTITY-IS-SPENDING")):
            lost += self.hit("R-QUANTITY-IS-SPENDING", project, ind.code, w, name=ind.name)
        own = _bigrams(ind.name)
        # a heuristic, so only an advice, and only for a name long enough to carry meaning
        if context and len(own) >= 3 and not own & context and "满意度" not in ind.name:
            self.hit("R-UNRELATED", project, ind.code, w, name=ind.name)
        if w is not None and self_score is not None and self_score < w:
            reason = ind.deviation_reason.strip()
            deducted = w - self_score
            if _placeholder(reason):
                self.hit("R-NO-REASON", project, ind.code, w, lost=fmt_score(deducted))
            else:
                m_points, m_share = _STATED_POINTS.search(reason), _STATED_SHARE.search(reason)
                if m_points and Decimal(m_points.group(1)) != deducted.quantize(Decimal(m_points.group(1))):
                    self.hit("R-REASON-MISMATCH", project, ind.code, w, stated=f"{m_points.group(1)} 分",
                             actual=f"{fmt_score(deducted)} 分")
                elif m_share and w:
                    share = deducted / w * HUNDRED
                    if Decimal(m_share.group(1)) != share.quantize(Decimal(m_share.group(1))):
                        self.hit("R-REASON-MISMATCH", project, ind.code, w, stated=f"{m_share.group(1)}%",
                                 actual=f"{fmt_score(share)}%")
        if self_score is not None:
            review.review_score = max(Decimal(0), self_score - min(lost, w or lost))
        review.codes = [f.code for f in self.findings[before:]]
        return review


def run_pack(dy: DepartmentYear, result: DepartmentResult, pack: Pack | None = None,
             evidence: Mapping[tuple[str, str], int] | None = None) -> Precheck:
    """The pack's findings and the reviewer's score per indicator. ``evidence``: number of
    supporting files per (project code, indicator code); None when not known (a file), which
    leaves the evidence rule out rather than deducting everything."""
    pack = pack or load_pack()
    chk = _Checker(pack, evidence)
    reviews: list[IndicatorReview] = []
    by_code = {p.code: p for p in result.projects}
    for project in dy.projects:
        pres = by_code.get(project.code)
        if pres is None:
            continue
        results = {r.code: r for r in pres.indicators}
        leaves = [i for i in project.indicators if i.code in results and not results[i.code].children]
        total = sum((i.weight for i in leaves if i.weight is not None), Decimal(0))
        if pres.execution.row is None:
            total += pres.execution.weight or 0
        if leaves and all(i.weight is not None for i in leaves) and total != HUNDRED:
            chk.hit("R-WEIGHTS-100", project.code, "", None, total=fmt_score(total), expected=fmt_score(HUNDRED))
        if pres.execution.row is None and pres.execution.score is not None:
            # the execution rate scored beside the table: in the workpaper as its own row, which
            # no rule of the pack deducts (its score is computed from the amounts)
            own_exec = project.stated.execution_score
            reviews.append(IndicatorReview(project.code, EXECUTION, "预算执行", "预算执行率", "预算执行率",
                                           pres.execution.weight,
                                           own_exec if own_exec is not None else pres.execution.score,
                                           pres.execution.score))
        seen: dict[str, str] = {}
        for ind in leaves:
            # what the indicator should share words with: the project, its goal, the other indicators
            context = _bigrams(" ".join([project.name, project.goal, project.goal_actual, *(
                f"{i.name} {i.target_text or ''} {i.actual_text or ''}" for i in project.indicators if i is not ind)]))
            reviews.append(chk.indicator(project.code, ind, results[ind.code], context, seen))
    dept_results = {r.code: r for r in result.indicators}
    seen_dept: dict[str, str] = {}
    for ind in dy.indicators:
        if ind.code in dept_results and not dept_results[ind.code].children:
            reviews.append(chk.indicator("", ind, dept_results[ind.code], set(), seen_dept))
    for where, text in _narratives(dy):
        m = _PROJECT_COUNT.search(text)
        if m and int(m.group(1)) != len(dy.projects):
            chk.hit("R-PROJECT-COUNT", "", "", None, where=where, stated=m.group(1), actual=len(dy.projects))
    order = {s: i for i, s in enumerate(SEVERITIES)}
    chk.findings.sort(key=lambda f: order[f.severity])
    return Precheck(pack, chk.findings, reviews)


def _narratives(dy: DepartmentYear) -> Iterable[tuple[str, str]]:
    yield from (("年度工作任务", dy.work_tasks), ("绩效管理情况", dy.management), ("主要成效", dy.achievements),
                ("存在问题", dy.problems), ("改进措施", dy.measures))
