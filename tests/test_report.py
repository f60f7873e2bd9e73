"""The self-evaluation reports: the demo department's report carries every figure the seed states
and its four-part outline; narrative gaps are flagged, not printed; typography follows the
reference document; charts render Chinese with no missing glyph; PDF via LibreOffice embeds CJK
fonts; the project report; the CLI from a file and from the database."""
from __future__ import annotations

import io
import shutil
import subprocess
import warnings
from copy import deepcopy
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from PIL import Image

import jixiao.cli
from jixiao import exchange
from jixiao.cli import main
from jixiao.core.audit import audit_lines
from jixiao.core.drafting import TODO, Chart, Paragraph, draft_department, is_placeholder
from jixiao.core.errors import InputError
from jixiao.core.model import Department, DepartmentYear
from jixiao.core.scoring import score_department
from jixiao.report import reference
from jixiao.report.charts import DPI, render_chart
from jixiao.report.generate import draft_for, generate
from jixiao.report.pdf import docx_to_pdf
from jixiao.report.reading import read_report

# Figures the seed report states (and /work/shared/checks/report.sh looks for).
SEED_FIGURES = ["1153.25", "1104.37", "95.8%", "491.48", "612.89", "96分", "等级为优", "1810", "20.67%",
                "190", "56", "161.95", "207.5", "185.3", "89.3%", "150", "149.58", "99.7%", "94.6", "86万元",
                "90.9%", "121%"]
OUTLINE = ["一、基本情况", "（一）部门概况", "（二）年度总体工作和重点工作任务", "（三）部门整体收支情况",
           "（四）部门整体绩效管理情况", "二、综合评价分析", "（一）自评结论综述",
           "（二）各项工作任务绩效目标完成情况分析", "（三）各重点任务项目支出完成情况分析", "（四）主要工作成效",
           "三、存在的主要问题", "四、下一步改进措施", "附件1：部门整体支出绩效自评表", "附件2：项目支出绩效自评情况表"]
DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice not installed")


def _docx_text(path: Path) -> str:
    return "\n".join(read_report(path).lines)


@pytest.fixture(scope="module")
def demo_docx(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("report") / "demo.docx"
    generate(exchange.read_file(DEMO_FILE), out)
    return out


# ---------------------------------------------------------------- content


def test_demo_report_has_every_seed_figure_and_the_outline(demo_docx):
    text = _docx_text(demo_docx)
    assert [f for f in SEED_FIGURES if f not in text] == []
    positions = [text.find(h) for h in OUTLINE]
    assert -1 not in positions and positions == sorted(positions)


def test_demo_report_sentences_are_drafted_from_the_scores(demo_docx):
    text = _docx_text(demo_docx)
    assert "全年预算数1153.25万元，执行数1104.37万元，完成预算的95.8%" in text
    assert "按支出性质看，基本支出491.48万元*，项目支出612.89万元*" in text  # 示例 budget lines: marked
    assert "实际利用外资年度目标值≥1500万美元，实际完成1810万美元，完成率121%，超额完成20.67%" in text
    assert "仲裁解除用地合同经费项目全年预算数为207.5万元，执行数为185.3万元，完成预算的89.3%" in text
    assert "部门整体支出绩效自评得分96分，等级为优" in text
    # The seed's sentence where the data holds its figures (issue 18, item 2).
    assert "我委组织对2022年度11个一般公共预算项目支出开展绩效自评，共涉及资金612.89万元，" \
           "占一般公共预算项目支出总额的100%" in text
    # A growth rate in 个百分点, a qualitative indicator as what was achieved (item 4).
    assert "规上工业总产值同比增长率年度目标值≥3%，实际完成4.5%，高于目标1.5个百分点，达到目标" in text
    assert "产业提升与策略研究报告方面，已完成" in text
    assert "注：上述指标中，2项指标的实际完成值由系统从预算执行数据自动取数。" in text  # no ledgers: a file
    assert text.count("自动取数") == 1 and "数据来自" not in text


def test_work_task_structure_of_section_two_two(demo_docx):
    """二（二） follows the unit's own tasks (招商, 用地摸查, 稳经济) with their figures, then the
    management classes; the seed's 用地摸查 narrative comes with the task its project carries."""
    text = _docx_text(demo_docx)
    start = text.index("（二）各项工作任务绩效目标完成情况分析")
    section = text[start:text.index("（三）各重点任务项目支出完成情况分析")]
    paragraphs = section.splitlines()[1:]
    assert paragraphs[0].startswith("一是做好优质项目招商引资工作。实际利用外资")
    assert paragraphs[1].startswith("二是为实现由云埔工业园区向穗港科技合作园区的转变")
    assert "摸查地块数" in paragraphs[1]
    assert "以内业与外业有机结合方式，对辖区土地进行拉网式摸查" in paragraphs[1]
    assert paragraphs[2].startswith("三是集中力量开展稳定经济发展工作。") and "走访企业人次" in paragraphs[2]
    assert paragraphs[3].startswith("四是预算编制方面。")


def test_report_uses_fed_actuals(demo_dy):
    """An indicator's actual value comes from its feed when the ledger supplies one."""
    draft = draft_for(demo_dy, {"invest.fdi_usd": "1650万美元"})
    text = "\n".join(draft.text_lines())
    assert "实际完成1650万美元，完成率110%，超额完成10.00%" in text
    assert "数据来自" not in text and text.count("招商引资台账") == 1  # the source, once in a note


def test_demo_tables_carry_budget_projects_and_indicators(demo_docx):
    document = docx.Document(str(demo_docx))
    headers = [[c.text for c in t.rows[0].cells] for t in document.tables]
    assert ["分类", "项目", "全年预算数", "全年执行数", "执行率"] in headers
    assert ["序号", "项目编码", "项目名称", "全年预算数", "全年执行数", "执行率", "自评得分", "等级"] in headers
    assert ["一级指标", "二级指标", "三级指标", "年度指标值", "实际完成值", "分值", "得分",
            "偏差原因分析及改进措施"] in headers
    projects = next(t for t in document.tables if t.rows[0].cells[1].text == "项目编码")
    assert len(projects.rows) == 1 + 11 + 1  # header, 11 projects, total
    assert [c.text for c in projects.rows[-1].cells][3:6] == ["653.25", "612.89", "93.8%"]


@pytest.mark.parametrize("value", ["", "暂无", "无。", "同上", "  略 ", "暂无明显问题"])
def test_boilerplate_narratives_are_flagged_not_printed(demo_dy, value):
    demo_dy.problems = value
    draft = draft_department(demo_dy, score_department(demo_dy))
    texts = [b.text for b in draft.blocks if isinstance(b, Paragraph)]
    start = texts.index(next(t for t in texts if "存在的主要问题尚未填写" in t))
    assert texts[start].startswith(TODO)
    assert any("存在的主要问题" in w for w in draft.warnings)
    if value.strip(" 。"):
        assert f"“{value.strip()}”" in texts[start]  # says what was written instead


def test_real_narratives_are_not_flagged():
    assert not is_placeholder("无人机巡查覆盖园区全部地块，发现问题 3 处并已整改。")
    assert not is_placeholder("各业务科室经办人财务绩效设置水平有待提高。")


def test_missing_deviation_reason_and_low_execution_explanation_are_flagged(demo_dy):
    p01 = demo_dy.project("P01")
    p01.execution_explanation = "暂无"
    demo_dy.indicators[5].deviation_reason = ""  # D06 scores 3.5 of 5
    draft = draft_department(demo_dy, score_department(demo_dy))
    todo = [b.text for b in draft.blocks if isinstance(b, Paragraph) and b.todo]
    assert any("仲裁解除用地合同经费" in t and "原因说明" in t for t in todo)
    assert any("绩效目标设置合理性" in t and "偏差原因" in t for t in todo)
    assert len(draft.warnings) == 2


def test_project_report(demo_dy, tmp_path):
    out = tmp_path / "p01.docx"
    draft = generate(demo_dy, out, project="P01")
    text = _docx_text(out)
    assert "仲裁解除用地合同经费" in text and "2022年项目支出绩效自评报告" in text
    assert "全年预算数207.5万元，执行数185.3万元，完成预算的89.3%" in text
    assert "项目支出绩效自评得分90.23分，等级为优" in text
    for heading in ("一、项目基本情况", "二、绩效目标完成情况分析", "三、自评结论", "四、存在的主要问题",
                    "五、下一步改进措施"):
        assert heading in text
    assert draft.warnings  # the demo project has no written goal/problems: flagged
    assert audit_lines(read_report(out).lines, wrapped=False).findings == []


def test_unknown_project_is_an_input_error(demo_dy, tmp_path):
    with pytest.raises(InputError) as err:
        generate(demo_dy, tmp_path / "x.docx", project="P99")
    assert "P99" in str(err.value) and "P01" in str(err.value)


# ---------------------------------------------------------------- typography


def _east_asia(style) -> str | None:
    return style.element.rPr.rFonts.get(qn("w:eastAsia"))


def test_reference_document_is_styles_only_with_official_typography():
    document = docx.Document(str(reference.DEFAULT_PATH))
    assert document.paragraphs == [] and document.tables == []
    section = document.sections[0]
    mm = [round(v.mm) for v in (section.page_width, section.page_height, section.top_margin,
                                section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]  # A4; GB/T 9704 margins
    styles = document.styles
    assert _east_asia(styles["Normal"]) == "仿宋" and styles["Normal"].font.size.pt == reference.BODY_PT
    assert _east_asia(styles["Heading 1"]) == "黑体"
    assert _east_asia(styles["Heading 2"]) == "楷体"
    assert "PAGE" in section.footer._element.xml and "PAGE" in section.even_page_footer._element.xml
    assert document.settings.odd_and_even_pages_header_footer
    grid = section._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "linesAndChars" and grid.get(qn("w:linePitch")) == "580"  # 225 mm / 22 lines


def test_reference_document_is_reproducible_by_its_script(tmp_path):
    rebuilt = docx.Document(str(reference.build_reference(tmp_path / "ref.docx")))
    shipped = docx.Document(str(reference.DEFAULT_PATH))
    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Caption", reference.TABLE_TEXT, reference.NOTE):
        assert rebuilt.styles[name].element.xml == shipped.styles[name].element.xml


def test_runs_carry_the_east_asian_font_of_their_style(demo_docx):
    document = docx.Document(str(demo_docx))
    expected = {"Title": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体", "Normal": "仿宋"}
    seen = set()
    for para in document.paragraphs:
        name = para.style.name
        for run in para.runs:
            if run.text and name in expected and run.style.name != reference.TODO_MARK:
                assert run._element.rPr.rFonts.get(qn("w:eastAsia")) == expected[name]
                seen.add(name)
    assert seen == set(expected)


def test_a_unit_can_restyle_the_report_through_its_own_reference(demo_dy, tmp_path, monkeypatch):
    custom = tmp_path / "our-style.docx"
    document = docx.Document(str(reference.DEFAULT_PATH))
    reference.set_fonts(document.styles["Normal"], "Times New Roman", "宋体")
    document.save(str(custom))
    monkeypatch.setenv("JIXIAO_REPORT_REFERENCE", str(custom))
    out = tmp_path / "r.docx"
    generate(demo_dy, out)
    body = [p for p in docx.Document(str(out)).paragraphs if p.style.name == "Normal" and p.text]
    assert body and all(p.runs[0]._element.rPr.rFonts.get(qn("w:eastAsia")) == "宋体" for p in body)
    monkeypatch.setenv("JIXIAO_REPORT_REFERENCE", str(tmp_path / "missing.docx"))
    with pytest.raises(InputError):
        generate(demo_dy, out)


# ---------------------------------------------------------------- charts


def test_charts_render_chinese_without_missing_glyphs(demo_dy):
    draft = draft_for(demo_dy)
    charts = [b for b in draft.blocks if isinstance(b, Chart)]
    assert {c.key for c in charts} == {"dept-indicators", "execution", "grades"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "Glyph … missing from font" becomes a failure
        for chart in charts:
            png = render_chart(chart)
            image = Image.open(io.BytesIO(png))
            assert round(image.info["dpi"][0]) == DPI
            assert image.size[0] >= 1200  # print resolution at 15 cm


def test_many_projects_are_charted_as_a_distribution(demo_dy):
    base = demo_dy.projects[3]
    for i in range(40):
        clone = deepcopy(base)
        clone.code = f"X{i:02d}"
        demo_dy.projects.append(clone)
    chart = next(b for b in draft_for(demo_dy).blocks if isinstance(b, Chart) and b.key == "execution")
    assert chart.kind == "columns" and sum(chart.values) == len(demo_dy.projects)


# ---------------------------------------------------------------- PDF


@pytest.mark.libreoffice
@needs_soffice
def test_pdf_has_figures_headings_and_embedded_cjk_fonts(demo_docx, tmp_path):
    pdf = tmp_path / "demo.pdf"
    docx_to_pdf(demo_docx, pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    flat = "".join(text.split())
    for figure in ["1153.25", "1104.37", "95.8%", "491.48", "612.89", "1810", "20.67%", "161.95", "185.3", "149.58"]:
        assert figure in flat
    for heading in ("一、基本情况", "二、综合评价分析", "三、存在的主要问题", "四、下一步改进措施"):
        assert heading in flat
    fonts = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True).stdout
    rows = fonts.splitlines()[2:]
    assert any("FandolFang" in r for r in rows) and any("FandolHei" in r for r in rows)
    assert all(r.split()[-5] == "yes" for r in rows)  # every font embedded: no tofu from a missing face
    assert audit_lines(read_report(pdf).lines).findings == []


def test_pdf_without_libreoffice_is_a_clear_error(demo_docx, tmp_path, monkeypatch):
    monkeypatch.setenv("SOFFICE", str(tmp_path / "no-soffice"))
    with pytest.raises(InputError) as err:
        docx_to_pdf(demo_docx, tmp_path / "x.pdf")
    assert "LibreOffice" in str(err.value) and ".docx" in str(err.value)


# ---------------------------------------------------------------- CLI


def test_cli_report_from_file_and_bad_arguments(tmp_path, capsys):
    out = tmp_path / "r.docx"
    assert main(["report", "--file", str(DEMO_FILE), "-o", str(out)]) == 0
    assert out.is_file() and "已生成报告" in capsys.readouterr().out
    assert main(["audit", str(out)]) == 0
    assert main(["report", "--file", str(DEMO_FILE), "-o", str(tmp_path / "r.odt")]) == 2
    assert main(["report", "--department", "demo", "-o", str(out)]) == 2
    assert main(["report", "--file", str(DEMO_FILE), "--project", "P99", "-o", str(out)]) == 2
    assert main(["report", "--file", str(DEMO_FILE), "-o", str(out / "under-a-file.docx")]) == 2  # unwritable
    err = capsys.readouterr().err
    assert "Traceback" not in err and ".docx" in err and "--year" in err and "P99" in err and "无法写入" in err


def test_cli_report_from_database(stored_demo, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(jixiao.cli, "django_setup", lambda *args: None)  # pytest-django owns the test database
    out = tmp_path / "db.docx"
    assert main(["report", "--department", "demo", "--year", "2022", "-o", str(out)]) == 0
    text = _docx_text(out)
    assert "完成预算的95.8%" in text and "1810" in text
    project = tmp_path / "p03.docx"
    assert main(["report", "--department", "demo", "--year", "2022", "--project", "P03", "-o", str(project)]) == 0
    assert "完成预算的90.9%" in _docx_text(project)


def test_empty_department_is_flagged_throughout_and_still_written(tmp_path):
    dy = DepartmentYear(department=Department(code="x", name="某局"), year=2023)
    out = tmp_path / "empty.docx"
    draft = generate(dy, out)
    text = _docx_text(out)
    assert "全年预算数为0，无法计算执行率" in text
    for what in ("部门主要职责", "绩效指标", "项目支出", "存在的主要问题", "下一步改进措施"):
        assert any(what in w for w in draft.warnings), what
    assert text.count(TODO) >= len(draft.warnings)
    assert audit_lines(read_report(out).lines, wrapped=False).findings == []


def test_empty_problems_section_offers_the_quality_review_as_a_draft(demo_dy):
    demo_dy.problems = "暂无"
    draft = draft_department(demo_dy, score_department(demo_dy))
    texts = [getattr(b, "text", "") for b in draft.blocks]
    (offer,) = [t for t in texts if t.startswith("（系统根据质量检查生成的草稿")]
    assert "实际利用外资" in offer and "指标值设置偏低" in offer
    # The unit's own text, when written, is printed as written and no draft is offered.
    demo_dy.problems = "个别项目绩效目标完成值设置过低。"
    texts = [getattr(b, "text", "") for b in draft_department(demo_dy, score_department(demo_dy)).blocks]
    assert not any(t.startswith("（系统根据质量检查生成的草稿") for t in texts)


# ---------------------------------------------------------------- figures in the narrative


def test_a_figure_typed_in_the_narrative_is_checked_against_the_data(demo_dy):
    """A number the unit wrote beside an indicator's name must be the indicator's actual value;
    the same figure written twice must agree. Each finding names the field and both values."""
    assert draft_department(demo_dy, score_department(demo_dy)).warnings == []
    demo_dy.achievements = demo_dy.achievements.replace("实际利用外资1810万美元", "实际利用外资1350万美元")
    demo_dy.goal_actual += "由委领导班子带队，全年共出动721人次走访园区内企业。"
    warnings = draft_department(demo_dy, score_department(demo_dy)).warnings
    fdi = [w for w in warnings if "实际利用外资" in w]
    assert len(fdi) == 1 and "主要工作成效" in fdi[0] and "1350万美元" in fdi[0] and "1810万美元" in fdi[0]
    visits = [w for w in warnings if "人次" in w]
    assert len(visits) == 1 and "721人次" in visits[0] and "712人次" in visits[0]


def test_a_narrative_that_calls_the_unit_otherwise_is_flagged(demo_dy):
    demo_dy.management = demo_dy.management.replace("我委制定", "我部门制定")
    warnings = draft_department(demo_dy, score_department(demo_dy)).warnings
    assert any("我部门" in w and "我委" in w and "部门整体绩效管理情况" in w for w in warnings)
