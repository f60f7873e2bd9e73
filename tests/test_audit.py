"""The report auditor: the seed report audits clean, altered figures are caught with their place,
every claim kind is recomputed (a right and a wrong example each), jixiao's own reports audit
clean, and the CLI keeps its exit codes (0 clean, 1 findings, 2 unreadable)."""
from __future__ import annotations

import json
import re
import time
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.cli import main
from jixiao.core.audit import audit_lines, audit_text
from jixiao.core.drafting import draft_department, draft_project, execution_sentence, indicator_sentence, load_rules
from jixiao.core.model import Indicator
from jixiao.core.schemes import load_scheme
from jixiao.core.scoring import score_department, score_indicator

# A fragment in the seed report's shape, written for the tests (tests/data, so the tests run on a
# fresh clone): the demo department's figures, wrapped lines with blank lines between as text
# extracted from a PDF has them, two department rates, three project rates, two splits, 「等 4个」.
SEED = [Path(__file__).resolve().parent / "data" / "audit-report.txt"]


def _seed_lines() -> list[str]:
    return SEED[0].read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- the seed report


def test_seed_report_audits_clean_and_its_claims_are_recomputed():
    result = audit_lines(_seed_lines())
    assert result.findings == []
    # 2 department rates, 3 project rates, 2 splits of the total, 「…等 4个产业」
    assert result.checked >= 8


def test_altered_department_rate_is_caught_at_both_places():
    lines = [line.replace("95.8%", "97.8%") for line in _seed_lines()]
    result = audit_lines(lines)
    assert [f.kind for f in result.findings] == ["执行率", "执行率"]
    for f in result.findings:
        assert f.claimed == "97.8%" and f.recomputed == "95.8%"
        line_no = int(re.search(r"\d+", f.location).group())
        assert "97.8%" in lines[line_no - 1]  # the location names the line holding the figure


@pytest.mark.parametrize("old,new,kind", [
    ("89.3%", "88.3%", "执行率"),  # a project rate
    ("491.48", "493.48", "分项合计"),  # one part of 按支出性质看 no longer adds up
    ("4个产业", "5个产业", "计数"),  # 「高端装备、集成电路、美妆大健康、生物技术等 4个产业」
])
def test_other_altered_seed_figures_are_caught(old, new, kind):
    lines = [line.replace(old, new) for line in _seed_lines()]
    findings = audit_lines(lines).findings
    altered = sum(line.count(new) - line.count(old) for line in lines) or 1
    assert [f.kind for f in findings] == [kind] * altered


def test_claims_wrapped_across_blank_lines_are_joined():
    text = "全年预算数 200 万元，执行数 150 万元，完成预\n\n算的 76%。\n"
    (finding,) = audit_text(text).findings
    assert (finding.claimed, finding.recomputed, finding.location) == ("76%", "75%", "第 3 行")


# ---------------------------------------------------------------- each claim kind, right and wrong


@pytest.mark.parametrize("text,wrong", [
    ("全年预算数 200 万元，执行数 150 万元，完成预算的 75%。", False),
    ("全年预算数 200 万元，执行数 150 万元，完成预算的 76%。", True),
    ("甲项目全年预算数为 94.6万元，执行数为 86万元，完成预算的 90.9%；"
     "乙项目全年预算数为 150万元，执行数为 149.58万元，完成预算的 99.7%。", False),
    ("甲项目全年预算数为 94.6万元，执行数为 86万元，完成预算的 90.9%；"
     "乙项目全年预算数为 150万元，执行数为 149.58万元，完成预算的 99.8%。", True),
    ("预算数 1 亿元，执行数 9000 万元，执行率 90%。", False),  # units converted
])
def test_execution_rate(text, wrong):
    result = audit_text(text)
    assert result.checked >= 1
    assert bool(result.findings) is wrong


@pytest.mark.parametrize("text,wrong", [
    ("全年预算数 100 万元，执行数 90 万元，完成预算的 90%。\n"
     "按支出性质看，基本支出 40 万元，项目支出 50 万元。", False),
    ("全年预算数 100 万元，执行数 90 万元，完成预算的 90%。\n按支出性质看，基本支出 40 万元，项目支出 55 万元。", True),
    ("按资金来源分，财政拨款 60 万元，其他资金 40 万元，合计 100 万元。", False),
    ("按资金来源分，财政拨款 60 万元，其他资金 30 万元，合计 100 万元。", True),
])
def test_sum_of_parts(text, wrong):
    result = audit_text(text)
    assert result.checked >= 1
    assert [f.kind for f in result.findings] == (["分项合计"] if wrong else [])


def test_sum_of_parts_total_belongs_to_its_section():
    text = ("（一）收支\n全年预算数 100 万元，执行数 90 万元，完成预算的 90%。\n"
            "（二）其他\n按支出性质看，基本支出 40 万元，项目支出 55 万元。")
    assert audit_text(text).checked == 1  # no total stated in （二）: nothing to compare the parts with


@pytest.mark.parametrize("text,wrong", [
    ("得分构成：预算执行率 8 分 + 产出指标 45.5 分 + 效益指标 25.8 分 = 79.3 分。", False),
    ("得分构成：预算执行率 8 分 + 产出指标 45.5 分 + 效益指标 25.8 分 = 80.3 分。", True),
    ("得分构成：甲 3.33 分 + 乙 3.33 分 + 丙 3.33 分 = 10 分。", False),  # parts rounded on their own
])
def test_score_sum(text, wrong):
    result = audit_text(text)
    assert result.checked == 1
    assert bool(result.findings) is wrong


@pytest.mark.parametrize("claim,wrong", [
    ("完成率 121%", False),  # 8.5 ÷ 7 = 121.43%, compared at the stated precision
    ("完成率 121.43%", False),
    ("完成率 121.4%", False),
    ("完成率 121.5%", True),
    ("完成率 125%", True),
])
def test_completion_rate_at_stated_precision(claim, wrong):
    result = audit_text(f"注册项目数：年度目标值 ≥7个，实际完成 8.5个，{claim}。")
    assert result.checked == 1
    assert bool(result.findings) is wrong


@pytest.mark.parametrize(
    "claim,wrong", [("超额完成 20.67%", False), ("超额完成 21%", False), ("超额完成 25.67%", True)]
)
def test_over_completion(claim, wrong):
    result = audit_text(f"实际利用外资：年度目标值 ≥1500万美元，实际完成 1810万美元，{claim}。")
    assert bool(result.findings) is wrong
    if wrong:
        assert result.findings[0].recomputed == "20.67%"


def test_over_completion_converts_units_and_skips_negative_targets():
    assert audit_text("协议投资总额：年度目标值 ≥15亿元，实际完成 177500万元，超额完成 18.33%。").findings == []
    assert audit_text("结转结余率：年度目标值 ≤10%，实际完成 5%，完成率 50%。").checked == 0


def test_over_completion_without_target_is_not_recomputable():
    assert audit_text("2022年完成实际利用外资 1810 万美元，超额完成 20.67%。").checked == 0


@pytest.mark.parametrize("text,wrong", [
    ("规上工业产值 268.49亿元，上年同期 256.93亿元，同比增长 4.5%。", False),
    ("规上工业产值 268.49亿元，上年同期 256.93亿元，同比增长 5.5%。", True),
    ("销售额由 298.7亿元下降至 272.34亿元，同比下降 8.82%。", False),
    ("销售额由 298.7亿元下降至 272.34亿元，同比下降 9.82%。", True),
])
def test_year_on_year(text, wrong):
    result = audit_text(text)
    assert result.checked == 1
    assert bool(result.findings) is wrong


def test_year_on_year_with_one_value_is_left_alone():
    assert audit_text("132家规上工业企业实现产值 268.49亿元，同比增长 4.5%。").checked == 0


@pytest.mark.parametrize("text,wrong", [
    ("共 3 个项目，分别是：甲、乙、丙。", False),
    ("共 4 个项目，分别是：甲、乙、丙。", True),
    ("共 2 项，分别是：「甲、乙工程」、「丙」。", False),  # 、 inside a quoted name does not split
    ("高端装备、集成电路、生物技术等 3个产业均呈增长态势。", False),
    ("高端装备、集成电路、生物技术等 4个产业均呈增长态势。", True),
    ("主要任务共 3 项，包括：\n1.招商。\n2.摸查。\n3.服务。", False),
    ("主要任务共 4 项，包括：\n1.招商。\n2.摸查。\n3.服务。", True),
])
def test_counts(text, wrong):
    result = audit_text(text)
    assert result.checked == 1
    assert bool(result.findings) is wrong


# ---------------------------------------------------------------- jixiao's own drafts


def test_every_generated_draft_audits_clean(demo_dy):
    result = score_department(demo_dy)
    drafts = [draft_department(demo_dy, result)]
    drafts += [draft_project(demo_dy, p, r) for p, r in zip(demo_dy.projects, result.projects, strict=True)]
    for draft in drafts:
        audit = audit_lines(draft.text_lines(), wrapped=False)
        assert audit.findings == [], draft.title
        assert audit.checked > 0


@settings(max_examples=200, deadline=None)
@given(
    budget=st.integers(min_value=1, max_value=10**9),
    executed=st.integers(min_value=0, max_value=10**9),
)
def test_drafted_execution_sentences_always_agree_with_the_auditor(budget, executed):
    a, b = Decimal(budget).scaleb(-2), Decimal(executed).scaleb(-2)
    sentence = execution_sentence(a, b, b / a, "万元") + "。"
    result = audit_text(sentence)
    assert result.checked == 1 and result.findings == []


# ---------------------------------------------------------------- CLI


def test_cli_exit_codes_and_json(tmp_path, capsys):
    assert main(["audit", str(SEED[0])]) == 0
    tampered = tmp_path / "tampered.txt"
    tampered.write_text(SEED[0].read_text(encoding="utf-8").replace("95.8%", "97.8%"), encoding="utf-8")
    capsys.readouterr()
    assert main(["audit", str(tampered), "--json"]) == 1
    payload = json.loads(capsys.readouterr().out)
    assert payload["clean"] is False
    assert {f["claimed"] for f in payload["findings"]} == {"97.8%"}
    assert all(f["location"].startswith("第 ") for f in payload["findings"])


def test_cli_unreadable_inputs_exit_2(tmp_path, capsys):
    broken = tmp_path / "broken.docx"
    broken.write_bytes(b"not a zip")
    legacy = tmp_path / "report.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0")
    for path in (broken, legacy, tmp_path / "missing.txt"):
        assert main(["audit", str(path)]) == 2
        assert "Traceback" not in capsys.readouterr().err


@pytest.mark.parametrize(
    "text", ["甲、" * 3000 + "乙", "园区 1 分 + " * 500, "按资金来源分，" + "一般 1 万元，" * 2000]
)
def test_long_list_like_text_is_audited_in_linear_time(text):
    start = time.perf_counter()
    audit_text(text)
    assert time.perf_counter() - start < 1.0


@settings(max_examples=200, deadline=None)
@given(
    target=st.integers(min_value=1, max_value=100000),
    actual=st.integers(min_value=0, max_value=300000),
    places=st.sampled_from([0, 1, 2]),
)
def test_drafted_indicator_sentences_always_agree_with_the_auditor(target, actual, places):
    b = Decimal(actual).scaleb(-places)
    ind = Indicator(code="I1", level1="产出指标", level2="数量指标", name="完成数", target_text=f"≥{target}个",
                    weight=Decimal(10), actual_text=f"{b}个")
    res = score_indicator(ind, load_scheme("central-2020"))
    sentence, _ = indicator_sentence(ind, res, load_rules())
    result = audit_text(sentence + "。")
    assert result.checked >= 1 and result.findings == []


# ---------------------------------------------------------------- real prose (issue 15)


@pytest.mark.parametrize("text,code", [
    ("一是服务企业。走访企业712人次，解决企业诉求56项。\n二是工作成效。全年走访企业721人次。", "A-FIGURE"),
    ("走访企业人次年度目标值≥700人次，实际完成712人次，完成率102%。\n（四）主要工作成效\n全年共走访企业721人次。",
     "A-FIGURE"),
    ("2023年完成改造老旧小区12个。\n（四）主要工作成效\n全年完成改造老旧小区15个。", "A-FIGURE"),
    ("本部门下设直属单位10个，分别是：甲中心、乙站、丙所、丁队、戊中心、己站、庚所、辛队、壬中心。", "A-COUNT"),
    ("本部门下设直属单位十个，分别是：甲中心、乙站、丙所、丁队、戊中心、己站、庚所、辛队、壬中心。", "A-COUNT"),
    ("新建村级服务站8个+改建8个，共15个。", "A-SUM"),
    ("新建村级服务站8个、改建8个，共计15个。", "A-SUM"),
    ("项目资金已全部拨付到位，预算执行率为86.5%。", "A-FULL"),
    ("项目资金已全部拨付到位。全年预算数640万元，执行数553.6万元，预算执行率为86.5%。", "A-FULL"),
    ("中央补助资金300万元、省级资金200万元、县级配套100万元，合计650万元。", "A-SUM"),
    ("中央补助资金300万元、省级资金200万元、县级配套100万元，总计0.065亿元。", "A-SUM"),
    ("得分构成：基础分 96 + 加分 2 = 99 分。", "A-SCORE-SUM"),
    ("预算编制得10分（分值10分），预算执行得28分（分值30分），绩效管理得8分（分值10分），合计47分。", "A-SCORE-SUM"),
    ("年初预算数100万元，调整后预算数120万元，执行数114万元，执行率114%。", "A-RATE"),
])
def test_real_prose_inconsistencies_are_found(text, code):
    result = audit_text(text)
    assert [f.code for f in result.findings] == [code], [f.message for f in result.findings]
    assert result.findings[0].severity in ("错误", "警告")


@pytest.mark.parametrize("text", [
    "走访企业人次年度目标值≥700人次，实际完成712人次，完成率102%。\n（四）主要工作成效\n全年共走访企业712人次。",
    "本部门下设直属单位9个，分别是：甲中心、乙站、丙所、丁队、戊中心、己站、庚所、辛队、壬中心。",
    "完成改造3个，包括主楼的外墙和屋面。",  # a number without 共 and no list of names: not a count claim
    "新建村级服务站8个+改建7个，共15个。",
    "项目资金已足额到位，资金到位率100%，执行率100%。",
    "资金未全部拨付到位，执行率为86.5%。",  # negated: nothing claimed
    "项目资金已全部拨付到位，执行率100%。下一步加强管理。另一项目执行率为86.5%。",  # two sentences on
    "项目资金已全部拨付到位，执行率100%。去年该项目执行率为86.5%。",  # last year's rate
    "中央补助资金300万元、省级资金200万元、县级配套100万元，总计600万元。",
    "得分构成：基础分 96 + 加分 2 = 98 分。",
    "预算编制得10分（分值10分），预算执行得28分（分值30分），绩效管理得8分（分值10分），合计46分。",
    "年初预算数100万元，全年预算数120万元，执行数114万元，执行率95%。",  # of the adjusted budget
    "上年走访企业650人次。本年走访企业712人次。",  # last year's figure is another figure
    "2022年完成改造老旧小区12个。2023年完成改造老旧小区15个。",  # so is another year's
])
def test_real_prose_that_agrees_is_left_clean(text):
    result = audit_text(text)
    assert result.findings == [], [f.message for f in result.findings]


def test_a_wrapped_line_starting_with_a_number_continues_the_claim():
    text = "其中，仲裁项目全年预算数为\n207.5万元，执行数为185.3万元，完成预算的\n89.3%。\n1.聚焦优势产业。"
    result = audit_text(text)
    assert [c.kind for c in result.claims] == ["执行率"] and result.findings == []
    wrong = audit_text(text.replace("89.3%", "88.3%"))
    assert [(f.code, f.location) for f in wrong.findings] == [("A-RATE", "第 3 行")]


def test_pdf_page_numbers_inside_a_sentence_are_dropped(monkeypatch, tmp_path):
    from jixiao.report import reading  # noqa: PLC0415

    class Page:
        def extract_text(self) -> str:
            return "全年预算数 200 万元，执行数 150 万元，完成— 3 —预算的\n75%。"

    monkeypatch.setattr(reading, "PdfReader", lambda _: type("R", (), {"pages": [Page()]})())
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(b"%PDF-1.4")
    text = reading.read_report(pdf)
    result = audit_lines(text.lines, text.locations, text.wrapped)
    assert result.checked == 1 and result.findings == []


@pytest.mark.libreoffice
def test_jixiao_report_as_pdf_gives_the_docx_claims_and_catches_a_tampered_rate(tmp_path):
    import shutil  # noqa: PLC0415
    import zipfile  # noqa: PLC0415
    from collections import Counter  # noqa: PLC0415

    from jixiao.report.generate import generate  # noqa: PLC0415
    from jixiao.report.pdf import docx_to_pdf, find_soffice  # noqa: PLC0415
    from jixiao.report.reading import read_report  # noqa: PLC0415

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    from jixiao import exchange  # noqa: PLC0415
    from jixiao.cli.core_cmds import DEMO_FILE  # noqa: PLC0415

    docx = tmp_path / "r.docx"
    generate(exchange.read_file(DEMO_FILE), docx, {}, None)
    tampered = tmp_path / "t.docx"
    with zipfile.ZipFile(docx) as src, zipfile.ZipFile(tampered, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "word/document.xml":
                assert "完成预算的90.9%".encode() in data
                data = data.replace("完成预算的90.9%".encode(), "完成预算的91.9%".encode())
            dst.writestr(item, data)
    for path in (docx, tampered):
        pdf = path.with_suffix(".pdf")
        docx_to_pdf(path, pdf)
        results = []
        for f in (path, pdf):
            text = read_report(f)
            results.append(audit_lines(text.lines, text.locations, text.wrapped))
        word, printed = results
        assert Counter(c.kind for c in word.claims) == Counter(c.kind for c in printed.claims)
        assert word.checked == printed.checked > 30
        found = [(f.code, f.claimed) for f in printed.findings]
        assert found == ([] if path == docx else [("A-RATE", "91.9%")])
        assert [(f.code, f.claimed) for f in word.findings] == found
    shutil.rmtree(tmp_path, ignore_errors=True)
