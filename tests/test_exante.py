"""事前绩效评估: the trigger at its boundaries, the panel arithmetic, a supported proposal from
申报 to the budget year, an unsupported one that cannot enter, conflicts of interest, the report
and the scoring form."""
from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from openpyxl import load_workbook
from web_support import FAST_HASHERS, load_site

from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core import exante as rules
from jixiao.core.errors import InputError
from jixiao.exante import documents
from jixiao.services import exante
from jixiao.services.actor import actor_for
from jixiao.services.errors import Denied, NotFound

D = Decimal


@pytest.mark.parametrize("kind, requested, last_year, required", [
    ("新增", "49.99", None, False), ("新增", "50", None, True),
    ("延续", "119.9", "100", False), ("延续", "120", "100", True),  # 19.9 % / 20 %
    ("延续", "549.99", "500", False), ("延续", "550", "500", True),  # +49.99 / +50 万元 (under 20 %)
    ("延续", "80", None, True),  # no last year: cannot tell, assessed
])
def test_trigger_at_its_boundaries(kind, requested, last_year, required):
    t = rules.trigger(kind, D(requested), D(last_year) if last_year else None)
    assert t.required is required, t.reason
    assert ("须开展" in t.reason) is required


def test_panel_arithmetic():
    three = rules.panel_score([D(80), D(70), D(90)])
    assert three.score == D(80) and not three.dropped
    five = rules.panel_score([D(95), D(60), D(80), D(82), D(78)])
    assert five.dropped == (D(95), D(60)) and five.score == D(80) and "去掉一个最高分和一个最低分" in five.method
    assert [rules.conclusion(D(x)) for x in ("80", "79.99", "60", "59.99")] == \
        ["予以支持", "调整后支持", "调整后支持", "不予支持"]
    cut = rules.total_cut([(D(100), D(80)), (D(100), D(0))])
    assert (cut.amount, cut.rate) == (D(120), D("0.6"))


def test_scoring_systems_add_up_to_100():
    for policy in (False, True):
        system = rules.system_for(policy)
        assert len(system.dimensions) == 5 and sum(d.points for d in system.dimensions) == 100


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    bureau = m.Department.objects.get(code="hp-finance")
    for n in range(1, 6):
        user = get_user_model().objects.create(username=f"expert{n}", first_name=f"专家{n}")
        m.Membership.objects.create(user=user, department=bureau, role="评审专家")


def actor(username: str):
    return actor_for(get_user_model().objects.get(username=username))


def full(system: rules.System, share: str) -> dict[str, str]:
    return {i.key: str((i.points * D(share)).quantize(D("0.1"))) for i in system.items()}


def propose(requested: str = "120") -> int:
    p = exante.create(actor("jingban"), "demo", 2023, "X01", {
        "name": "园区企业服务数字化平台建设", "kind": "新增", "requested": requested, "unit": "企业服务科",
        "goal": "建成企业服务平台，覆盖园区规上企业", "indicators": [
            {"level1": "产出指标", "level2": "数量指标", "name": "接入企业数", "target_text": "≥120家",
             "weight": "30"},
            {"level1": "效益指标", "level2": "社会效益指标", "name": "诉求办结率", "target_text": "≥95%",
             "weight": "30"}]})
    assert "须开展事前绩效评估" in p.trigger_reason
    exante.step(actor("jingban"), p.pk, "submit")
    exante.assign_panel(actor("caizheng"), p.pk, ["expert1", "expert2", "expert3"])
    exante.step(actor("caizheng"), p.pk, "review")
    return p.pk


def test_a_supported_proposal_enters_the_budget_year(site, tmp_path):
    pk = propose()
    system = rules.system_for(False)
    with pytest.raises(Denied, match="利益冲突"):  # no declaration yet
        exante.score(actor("expert1"), pk, full(system, "0.9"))
    for n, share in ((1, "0.9"), (2, "0.8"), (3, "0.85")):
        exante.declare(actor(f"expert{n}"), pk, conflict=False)
        exante.score(actor(f"expert{n}"), pk, full(system, share), opinion=f"专家{n}意见：建议细化验收标准")
    with pytest.raises(NotFound):  # an expert not on this panel sees nothing of it
        exante.proposal(actor("expert4"), pk)
    done = exante.conclude(actor("caizheng"), pk, "100", "建议压减平台运维费用")
    assert done.label == "予以支持" and done.proposal.panel_score == D("85.00")
    assert (done.cut.amount, done.cut.rate) == (D(20), D(20) / D(120))
    project = exante.enter_budget(actor("caizheng"), pk)
    dy = load_department_year("demo", 2023)
    stored = dy.project("X01")
    assert stored.funds[0].budget == D(100) and [i.name for i in stored.indicators] == ["接入企业数", "诉求办结率"]
    assert project.code == "X01" and m.ChangeLog.objects.filter(model_label="事前评估").count() >= 8
    out = tmp_path / "r.docx"
    documents.write_report(done.proposal, out)
    text = zipfile.ZipFile(out).read("word/document.xml").decode("utf-8")
    for heading in ("一、评估对象基本情况", "二、评估工作开展情况", "三、综合评估情况与评估结论", "四、相关建议",
                    "五、其他"):
        assert heading in text
    assert "予以支持" in text and "核减率" in text and "专家1" in text
    form = tmp_path / "f.xlsx"
    documents.write_form(done.proposal, form)
    ws = load_workbook(form).active
    assert ws.protection.sheet and ws["D5"].value is not None


def test_an_unsupported_proposal_cannot_enter(site):
    pk = propose()
    system = rules.system_for(False)
    for n in (1, 2, 3):
        exante.declare(actor(f"expert{n}"), pk, conflict=False)
        exante.score(actor(f"expert{n}"), pk, full(system, "0.5"))
    done = exante.conclude(actor("caizheng"), pk, "120")
    assert done.label == "不予支持" and done.proposal.approved == 0
    with pytest.raises(Denied, match="不予支持"):
        exante.enter_budget(actor("caizheng"), pk)
    assert not m.Project.objects.filter(code="X01").exists()


def test_conflicts_scores_and_roles(site):
    pk = propose()
    exante.declare(actor("expert1"), pk, conflict=True, text="本人为申报单位聘请的顾问")
    with pytest.raises(Denied, match="回避"):
        exante.score(actor("expert1"), pk, full(rules.system_for(False), "0.9"))
    exante.declare(actor("expert2"), pk, conflict=False)
    with pytest.raises(InputError, match="未评分"):
        exante.score(actor("expert2"), pk, {"A1": "8"})
    with pytest.raises(InputError, match="应在 0 到"):
        exante.score(actor("expert2"), pk, {**full(rules.system_for(False), "0.9"), "A1": "9"})
    with pytest.raises(InputError, match="尚有专家未评分"):
        exante.conclude(actor("caizheng"), pk, "100")
    with pytest.raises(Denied):  # a unit cannot conclude its own proposal
        exante.conclude(actor("bumen"), pk, "100")


def test_a_submitted_proposal_is_not_edited_and_a_return_needs_a_reason(site):
    p = exante.create(actor("jingban"), "demo", 2023, "X02", {"name": "园区道路维修", "kind": "延续",
                                                            "requested": "60", "last_year": "55"})
    assert "可不开展" in p.trigger_reason
    exante.step(actor("jingban"), p.pk, "submit")
    with pytest.raises(Denied, match="不能修改"):
        exante.edit(actor("jingban"), p.pk, {"requested": "80"}, None)
    with pytest.raises(InputError, match="意见"):
        exante.step(actor("caizheng"), p.pk, "return")
    exante.step(actor("caizheng"), p.pk, "return", "请补充测算依据")
    edited = exante.edit(actor("jingban"), p.pk, {"requested": "80"}, None)
    assert "须开展" in edited.trigger_reason  # +25 万元 and 45.5 %: now assessed


def test_exante_cli(site, cli, tmp_path):
    pk = propose()
    assert cli("exante", "list", "--department", "demo", "--year", "2023").returncode == 0
    ran = cli("exante", "report", "--department", "demo", "--year", "2023", "--project", "X01",
              "-o", tmp_path / "r.docx")
    assert ran.returncode == 0 and (tmp_path / "r.docx").is_file(), ran.stderr
    missing = cli("exante", "report", "--department", "demo", "--year", "2023", "--project", "NONE",
                  "-o", tmp_path / "x.docx")
    assert missing.returncode == 2 and "没有项目编码" in missing.stderr
    assert pk


@pytest.mark.parametrize("typed, ok", [("1,200.5", True), ("7,00.0,77", False), ("1e-999999999", False),
                                       ("一百万", False)])
def test_amounts_are_read_strictly(site, typed, ok):
    if ok:
        p = exante.create(actor("jingban"), "demo", 2023, "X09", {"name": "项目", "requested": typed})
        assert p.requested == D("1200.5")
    else:
        with pytest.raises(InputError):
            exante.create(actor("jingban"), "demo", 2023, "X09", {"name": "项目", "requested": typed})
