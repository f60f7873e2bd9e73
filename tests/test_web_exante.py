"""事前绩效评估 in the browser (Django test client): each role sees and does its own part."""
from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.core import exante as rules
from jixiao.exante.models import Proposal


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()  # includes the demo experts zhuanjia1–3


def test_the_walk_from_proposal_to_the_budget_year(site):
    unit = client_for("jingban")
    assert "新建入库申报" in unit.get("/exante/").content.decode()
    made = unit.post("/exante/new/demo/", {"year": "2023", "code": "X01", "name": "园区企业服务平台", "kind": "新增",
                                          "requested": "120", "goal": "建成平台", "ind-0-name": "接入企业数",
                                          "ind-0-target": "≥120家", "ind-0-weight": "30"})
    assert made.status_code == 302
    p = Proposal.objects.get(code="X01")
    page = unit.get(f"/exante/{p.pk}/").content.decode()
    assert "须开展事前绩效评估" in page and "申报" in page
    assert unit.post(f"/exante/{p.pk}/act/", {"what": "submit"}).status_code == 302
    finance = client_for("caizheng")
    finance.post(f"/exante/{p.pk}/act/", {"what": "panel", "experts": ["zhuanjia1", "zhuanjia2", "zhuanjia3"]})
    finance.post(f"/exante/{p.pk}/act/", {"what": "review"})
    assert Proposal.objects.get(pk=p.pk).status == "评审中"
    items = {f"item-{i.key}": str(i.points) for i in rules.system_for(False).items()}
    for name in ("zhuanjia1", "zhuanjia2", "zhuanjia3"):
        expert = client_for(name)
        assert "提交声明" in expert.get(f"/exante/{p.pk}/").content.decode()
        expert.post(f"/exante/{p.pk}/act/", {"what": "declare", "conflict": "0"})
        assert expert.post(f"/exante/{p.pk}/act/", {"what": "score", **items}).status_code == 302
    # the unit never sees one expert's scores
    assert "<h2>专家评分</h2>" not in unit.get(f"/exante/{p.pk}/").content.decode()
    assert "<h2>专家评分</h2>" in finance.get(f"/exante/{p.pk}/").content.decode()
    finance.post(f"/exante/{p.pk}/act/", {"what": "conclude", "approved": "110", "opinion": "压减运维费"})
    assert Proposal.objects.get(pk=p.pk).conclusion == "予以支持"
    finance.post(f"/exante/{p.pk}/act/", {"what": "enter"})
    assert m.Project.objects.filter(department_year__department__code="demo", department_year__year=2023,
                                    code="X01").exists()
    assert finance.get(f"/exante/{p.pk}/report.docx").status_code == 200
    assert finance.get(f"/exante/{p.pk}/form.xlsx").status_code == 200


def test_a_bad_amount_is_shown_next_to_the_form(site):
    made = client_for("jingban").post("/exante/new/demo/", {"year": "2023", "code": "X02", "name": "项目",
                                                           "kind": "新增", "requested": "一百万"})
    assert made.status_code == 400 and "不是金额" in made.content.decode()


def test_an_expert_sees_only_assigned_proposals(site):
    unit = client_for("jingban")
    unit.post("/exante/new/demo/", {"year": "2023", "code": "X03", "name": "项目三", "kind": "新增", "requested": "80"})
    p = Proposal.objects.get(code="X03")
    assert client_for("zhuanjia1").get(f"/exante/{p.pk}/").status_code == 404
    assert client_for("jingban-b").get(f"/exante/{p.pk}/").status_code == 404
    assert get_user_model().objects.get(username="zhuanjia1").memberships.get().role == "评审专家"
