"""One source for every statement (issue 18): the drafted text, the 得分率 chart, the 得分构成 and
the 附件 tables come from one scored list, so every count and list the text states agrees with the
appendix — checked on the demo and on a hundred generated departments. And the reviewer's
checklist (jixiao/rules/report-forbidden.json): no drafted report carries a pattern a finance
bureau would mark up."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from jixiao import exchange
from jixiao.core.drafting import Chart, Draft, Paragraph, Table, draft_department, draft_project, load_rules
from jixiao.core.scoring import score_department

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from synth import make_city  # noqa: E402  (bench/ is not a package)

DEMO_FILE = ROOT / "jixiao" / "data" / "demo" / "department-2022.json"
FORBIDDEN = json.loads((ROOT / "jixiao" / "rules" / "report-forbidden.json").read_text(encoding="utf-8"))
MARK = load_rules().illustrative_mark


def _departments():
    yield exchange.read_file(DEMO_FILE)
    yield from make_city(units=100, projects=400, indicators=4000, seed=18)


DEPARTMENTS = list(_departments())


def _paragraphs(draft: Draft) -> list[str]:
    return [b.text for b in draft.blocks if isinstance(b, Paragraph)]


def _table(draft: Draft, header0: str, caption: str) -> Table:
    return next(b for b in draft.blocks if isinstance(b, Table) and b.header[0] == header0 and caption in b.caption)


def _name(cell: str) -> str:
    return cell[: -len(MARK)] if cell.endswith(MARK) else cell


def _listed(text: str, pattern: str) -> tuple[int, list[str]] | None:
    m = re.search(pattern + r"共(\d+)[项个]，分别是：([^。]*)。", text)
    if not m:
        return None
    return int(m.group(1)), [_name(x.strip("“”")) for x in re.findall(r"“[^”]*”", m.group(2))]


@pytest.mark.parametrize("dy", DEPARTMENTS, ids=lambda d: d.department.code)
def test_every_count_and_list_in_the_text_agrees_with_the_appendix(dy):
    result = score_department(dy)
    draft = draft_department(dy, result)
    text = "\n".join(_paragraphs(draft))
    appendix = _table(draft, "一级指标", "部门整体支出绩效自评表")
    lines, total = appendix.rows[:-1], appendix.rows[-1]

    # 未取得满分的指标: the count and the names are the appendix's rows below full marks.
    short = [_name(r[2]) for r in lines if r[6] != "—" and Decimal(r[6]) < Decimal(r[5])]
    stated = _listed(text, "未取得满分的指标")
    if short:
        assert stated is not None and stated[0] == len(short) and Counter(stated[1]) == Counter(short)
    else:
        assert stated is None
    # The execution rate is one of the appendix's lines, under its 一级指标, in the same place as
    # in the 得分构成 and the chart.
    assert sum(1 for r in lines if r[2] == "预算执行率") == 1

    # 得分构成: each 一级指标's points are the sum of its appendix rows; the total is the table's.
    if result.total is not None:
        m = re.search(r"从一级指标看，(.*)，合计([\d.]+)分。", text)
        assert m and m.group(2) == total[6]
        parts = dict(re.findall(r"([^，]+?)得([\d.]+)分（分值[\d.]+分）", m.group(1)))
        by_class: dict[str, Decimal] = {}
        for r in lines:
            by_class[r[0]] = by_class.get(r[0], Decimal(0)) + (Decimal(r[6]) if r[6] != "—" else 0)
        # Each part is the exact class sum shown at display precision (a shown row may be rounded).
        assert set(parts) == set(by_class)
        for level1, shown in parts.items():
            assert abs(Decimal(shown) - by_class[level1]) <= Decimal("0.005") * sum(1 for r in lines
                                                                                   if r[0] == level1)

    # The 得分率 chart shows exactly the appendix's scored lines.
    chart = next(b for b in draft.blocks if isinstance(b, Chart) and b.key == "dept-indicators")
    scored = [_name(r[2]) for r in lines if r[6] != "—" and r[5] not in ("—", "0")]
    if chart.kind == "bars":
        assert Counter(_name(x) for x in chart.labels) == Counter(scored)
    else:
        assert sum(chart.values) == len(scored)

    # Projects: the grade counts and the low-execution list are the 附件2 table's.
    projects = _table(draft, "序号", "项目支出绩效自评情况")
    rows = projects.rows[:-1]
    grades = Counter(r[7] for r in rows if r[7] != "—")
    if rows:
        clause = text.split("项目自评等级为", 1)[1].split("。", 1)[0] if "项目自评等级为" in text else ""
        said = {g: int(n) for g, n in re.findall(r"([优良中差])(\d+)个", clause)}
        assert said == dict(grades)
        low_rule = load_rules().low_execution_rate
        low = [_name(r[2]) for r, pr in zip(rows, result.projects, strict=True)
               if pr.execution.rate is not None and pr.execution.rate < low_rule]
        stated_low = _listed(text, "预算执行率低于90%的项目")
        assert (stated_low is None and not low) or (stated_low is not None and stated_low == (len(low), low))

    # Every 示例 line carries the mark, and the legend is said once.
    origins: dict[str, set[bool]] = {}
    for ind in dy.indicators:
        origins.setdefault(ind.name, set()).add(ind.origin == "示例")
    for r in lines:
        if len(origins.get(_name(r[2]), {False})) == 1:
            assert r[2].endswith(MARK) == (True in origins.get(_name(r[2]), {False})), r[2]
    legend = load_rules().illustrative_legend
    marked = any(MARK in c for b in draft.blocks if isinstance(b, Table) for row in b.rows for c in row)
    assert sum(1 for p in _paragraphs(draft) if p == legend) == (1 if marked else 0)


def _all_drafts():
    for dy in DEPARTMENTS[:21]:
        result = score_department(dy)
        yield draft_department(dy, result)
        for p, pr in list(zip(dy.projects, result.projects, strict=True))[:2]:
            yield draft_project(dy, p, pr)


@pytest.mark.parametrize("rule", FORBIDDEN["patterns"], ids=lambda r: r["why"][:24])
def test_reviewers_checklist_finds_nothing_in_any_drafted_report(rule):
    pattern = re.compile(rule["pattern"])
    for draft in _all_drafts():
        hits = [line for line in draft.text_lines() if pattern.search(line)]
        assert hits == [], f"{rule['why']}：{draft.title} {hits[:2]}"


def test_the_demo_calls_itself_wei_throughout():
    dy = DEPARTMENTS[0]
    text = "\n".join(draft_department(dy, score_department(dy)).text_lines())
    assert "我委" in text and not {w for w in ("我局", "我单位", "我部门") if w in text}


def test_dropping_illustrative_rows_for_a_real_department(monkeypatch, tmp_path):
    """The deployment setting: a real department's report shows no 示例 row, and its figures are
    scored on what is left (text and appendix still agree)."""
    from jixiao.report.generate import draft_for  # noqa: PLC0415

    monkeypatch.setenv("JIXIAO_REPORT_ILLUSTRATIVE", "drop")
    dy = exchange.read_file(DEMO_FILE)
    draft = draft_for(dy)
    cells = [c for b in draft.blocks if isinstance(b, Table) for row in b.rows for c in row]
    assert not any(MARK in c for c in cells) and load_rules().illustrative_legend not in _paragraphs(draft)
    appendix = _table(draft, "一级指标", "部门整体支出绩效自评表")
    assert {r[2] for r in appendix.rows[:-1]} >= {"实际利用外资", "预算执行率"}
    assert "服务对象满意度" not in {r[2] for r in appendix.rows}
