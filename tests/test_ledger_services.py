"""The park ledgers' one storage mechanism through the application layer (``jixiao.services.ledgers``):
stable record identities and versions, conflicts that say what changed, imports that delete only
what was confirmed, append-only history, exact money, capacity refusals, roles — the same for
land, investment and enterprise."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal as D
from pathlib import Path

import pytest

from jixiao.budget.models import AppendOnlyError, Department
from jixiao.cli import ledgers as cli_ledgers
from jixiao.cli import main
from jixiao.core import invest, land
from jixiao.core.errors import InputError
from jixiao.core.ledger import row_dict
from jixiao.enterprise import records as ent_records
from jixiao.enterprise.models import Enterprise
from jixiao.invest import records as invest_records
from jixiao.invest import store as invest_store
from jixiao.invest.models import FdiInflow, InvestChange, Project
from jixiao.land import records as land_records
from jixiao.land import store as land_store
from jixiao.land.models import Disposal, Parcel, ParcelChange
from jixiao.services import ledgers
from jixiao.services.actor import Actor
from jixiao.services.errors import Conflict, Denied, NotFound

DEMO_DIR = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo"
ROOT = Path(__file__).resolve().parent.parent / "jixiao"
ADMIN = Actor(name="管理员甲", system=True)
US = "本单位"


@dataclass
class FakeActor:
    """The duck type the use cases need: a name and the roles held in a department."""

    name: str
    roles: set[str] = field(default_factory=set)

    def roles_in(self, department) -> set[str]:
        return self.roles


def parcel(pid: str, **kw) -> land.Parcel:
    base = {
        "parcel_id": pid, "survey_year": 2022, "street": "云埔街道", "location": "云埔一路1号",
        "site_area_m2": D("10000"), "owner": "测试公司", "approved_use": "M1", "current_use": "M1",
        "construction_status": "投产", "production_status": "正常", "floor_area_m2": D("15000"),
        "footprint_m2": D("4000"), "tax": D("450"), "tax_prev": D("450"), "output": D("4500"),
        "output_prev": D("4500"),
    }
    base.update(kw)
    return land.Parcel(**base)


@pytest.fixture
def dept(db) -> Department:
    return Department.objects.create(code="demo", name="示例部门")


def small_land(*pids: str, disposals=()) -> land.Ledger:
    return land.Ledger("demo", 2022, [parcel(p) for p in pids], list(disposals))


def save_land(ledger: land.Ledger, actor=ADMIN, **kw) -> ledgers.Saved:
    return ledgers.import_ledger(actor, "land", ledger, source="测试", **kw)[1]


# ---------------------------------------------------------------- identity and versions

def test_records_keep_their_identity_and_count_versions(dept):
    save_land(small_land("P1", "P2"))
    ids = dict(Parcel.objects.values_list("parcel_id", "id"))
    saved = ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P1", {"tax": "300"}, base_version=1,
                                reason="更正税收")
    assert saved.version == 2 and saved.key == "P1"
    changed = small_land("P1", "P2")
    changed.parcels[1].note = "导入更正"
    save_land(changed)  # P1 back to its file values, P2 changed: both updated in place
    assert dict(Parcel.objects.values_list("parcel_id", "id")) == ids
    assert dict(Parcel.objects.values_list("parcel_id", "version")) == {"P1": 3, "P2": 2}
    history = ParcelChange.objects.filter(table="parcels", record_id=ids["P1"]).order_by("id")
    assert [(h.action, h.field, h.version) for h in history] == [
        ("新增", "", 1), ("修改", "tax", 2), ("修改", "tax", 3)]
    assert history[1].who == "管理员甲" and history[1].reason == "更正税收" and history[1].record == "P1"


def test_an_edit_based_on_an_older_version_is_refused_saying_what_changed(dept):
    save_land(small_land("P1"))
    ledgers.edit_record(Actor(name="张三", system=True), "land", "demo", 2022, "parcels", "P1",
                        {"tax": "300", "note": "核实"}, base_version=1)
    with pytest.raises(Conflict) as exc:
        ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P1", {"output": "1"}, base_version=1)
    message = exc.value.message
    assert "第 1 版" in message and "第 2 版" in message and "张三" in message
    assert "本年税收（万元）：450.0000 → 300" in message and "备注" in message
    assert re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", message)
    assert Parcel.objects.get().output == D("4500")  # nothing written
    with pytest.raises(Conflict):
        ledgers.delete_record(ADMIN, "land", "demo", 2022, "parcels", "P1", base_version=1)


def test_changing_a_records_key_keeps_its_row(dept):
    save_land(small_land("P1"))
    pk = Parcel.objects.get().pk
    saved = ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P1", {"parcel_id": "P1-A"}, base_version=1)
    row = Parcel.objects.get()
    assert (row.pk, row.parcel_id, row.version, saved.key) == (pk, "P1-A", 2, "P1-A")
    assert ParcelChange.objects.filter(record_id=pk, field="parcel_id", before="P1", after="P1-A").exists()


def test_edit_values_are_checked_as_the_whole_year(dept):
    save_land(small_land("P1", "P2"))
    with pytest.raises(InputError) as exc:
        ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P1", {"site_area_m2": "很大"}, base_version=1)
    assert exc.value.problems[0].field == "用地面积（平方米）"
    with pytest.raises(InputError) as exc:  # the core's cross-row check: a duplicate parcel id
        ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P2", {"parcel_id": "P1"}, base_version=1)
    assert "重复" in str(exc.value)
    with pytest.raises(InputError):
        ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P1", {"no_such_field": "1"}, base_version=1)
    with pytest.raises(NotFound):
        ledgers.edit_record(ADMIN, "land", "demo", 2022, "parcels", "P9", {"tax": "1"}, base_version=1)
    assert set(Parcel.objects.values_list("version", flat=True)) == {1}


def test_create_and_delete_records(dept):
    save_land(small_land("P1"))
    saved = ledgers.create_record(ADMIN, "land", "demo", 2022, "disposals",
                                  {"parcel_id": "P1", "strategy": "收储", "status": "洽谈中", "area_m2": "500"})
    d = Disposal.objects.get()
    assert (d.parcel.parcel_id, d.version, saved.key) == ("P1", 1, "P1")
    with pytest.raises(InputError):  # the parcel a disposal names must exist
        ledgers.create_record(ADMIN, "land", "demo", 2022, "disposals",
                              {"parcel_id": "P9", "strategy": "收储", "status": "洽谈中", "area_m2": "1"})
    with pytest.raises(InputError):  # a parcel with a disposal cannot go alone
        ledgers.delete_record(ADMIN, "land", "demo", 2022, "parcels", "P1", base_version=1)
    ledgers.delete_record(ADMIN, "land", "demo", 2022, "disposals", "P1", base_version=1, reason="撤销")
    assert not Disposal.objects.exists()
    gone = ParcelChange.objects.get(action="删除")
    assert (gone.table, gone.record, gone.record_id, gone.reason) == ("disposals", "P1", d.pk, "撤销")
    with pytest.raises(InputError):
        ledgers.create_record(ADMIN, "land", "demo", 2022, "parcels", row_dict(land_records.PARCELS, parcel("P1")))


# ---------------------------------------------------------------- imports

def test_an_import_deletes_only_what_was_confirmed(dept, tmp_path):
    save_land(small_land("P1", "P2", "P3"))
    ids = dict(Parcel.objects.values_list("parcel_id", "id"))
    partial = small_land("P1", "P3")
    partial.parcels[0].note = "改"
    preview = ledgers.preview_import(ADMIN, "land", partial, source="p.json")
    assert preview.missing == [("parcels", "P2")] and preview.updated == 1 and not preview.new
    assert "P2" in preview.text() and "--delete-missing" in preview.text()
    save_land(partial)  # not confirmed: P2 stays as it was
    assert dict(Parcel.objects.values_list("parcel_id", "id")) == ids
    assert Parcel.objects.get(parcel_id="P1").note == "改"
    assert Parcel.objects.get(parcel_id="P2").version == 1
    save_land(partial, confirm_delete=True)
    assert set(Parcel.objects.values_list("parcel_id", flat=True)) == {"P1", "P3"}
    assert ParcelChange.objects.get(action="删除").record_id == ids["P2"]

    # the command line: --dry-run writes nothing, --delete-missing confirms
    path = tmp_path / "one.json"
    land_records.write_json(small_land("P1"), path)
    assert main(["land", "import", str(path), "--dry-run"]) == 0
    assert Parcel.objects.count() == 2
    assert main(["land", "import", str(path)]) == 0
    assert Parcel.objects.count() == 2
    assert main(["land", "import", str(path), "--delete-missing"]) == 0
    assert list(Parcel.objects.values_list("parcel_id", flat=True)) == ["P1"]


@pytest.fixture(autouse=True)
def _no_migrate(monkeypatch):
    monkeypatch.setattr(cli_ledgers, "setup", lambda: None)  # pytest-django owns the test database


def test_an_import_is_all_or_nothing(dept):
    save_land(small_land("P1"))
    bad = small_land("P1", "P2")
    bad.parcels[0].note = "改"
    bad.parcels[1].owner = "很长" * 200  # longer than the column
    with pytest.raises(InputError) as exc:
        save_land(bad)
    problem = exc.value.problems[0]
    assert problem.location == "宗地台账[2]（P2）" and problem.field == "土地使用权人"
    assert "最多 200 字" in problem.message
    assert Parcel.objects.get().note == "" and Parcel.objects.count() == 1


def test_the_same_mechanism_serves_investment_and_enterprise(dept):
    demo = invest_records.read_json(DEMO_DIR / "invest-2022.json")
    ledgers.import_ledger(ADMIN, "invest", demo)
    first = next(p for p in demo.projects if p.agreed_investment is not None)
    row = Project.objects.get(project_id=first.project_id)
    ledgers.edit_record(ADMIN, "invest", "demo", 2022, "projects", first.project_id, {"officer": "李四"}, 1)
    again = invest_records.read_json(DEMO_DIR / "invest-2022.json")
    ledgers.import_ledger(ADMIN, "invest", again)  # the file wins again; the row is the same
    assert Project.objects.get(project_id=first.project_id).pk == row.pk
    assert Project.objects.get(pk=row.pk).version == 3
    history = InvestChange.objects.filter(table="projects", record_id=row.pk).order_by("id")
    assert list(history.values_list("action", "version")) == [("新增", 1), ("修改", 2), ("修改", 3)]
    with pytest.raises(InputError):  # the credit cap (a rule) is checked on an edit as well
        ledgers.create_record(ADMIN, "invest", "demo", 2022, "credits",
                              {"project_id": demo.credits[0].project_id, "unit": "第三个单位", "share": "0.9"})

    ent = ent_records.read_json(DEMO_DIR / "enterprise-2022.json")
    ledgers.import_ledger(ADMIN, "enterprise", ent)
    firm = Enterprise.objects.order_by("uscc").first()
    saved = ledgers.edit_record(ADMIN, "enterprise", "demo", 2022, "enterprises", firm.uscc, {"officer": "王五"}, 1)
    assert saved.version == 2 and Enterprise.objects.get(pk=firm.pk).officer == "王五"


# ---------------------------------------------------------------- exact money and capacity

def test_money_comes_back_exactly(dept, tmp_path):
    amount = "123456789012.3456"
    data = invest_records.ledger_to_dict(invest.InvestLedger("demo", 2022, US, [invest.Project(
        "P1", "项目一", "新洽谈入库", entered_pool_date=date(2022, 3, 1))]))
    data["fdi"] = [{"fdi_id": "F1", "arrival_date": "2022-05-01", "amount": "__AMOUNT__", "unit": "万美元",
                    "project_id": "P1"}]
    path = tmp_path / "money.json"
    path.write_text(json.dumps(data, ensure_ascii=False).replace('"__AMOUNT__"', amount), encoding="utf-8")
    ledger = invest_records.read_json(path)  # a JSON number, read as an exact decimal
    assert ledger.fdi[0].amount == D(amount)
    ledgers.import_ledger(ADMIN, "invest", ledger)
    assert FdiInflow.objects.get().amount == D(amount)
    assert invest_store.load_ledger("demo", 2022).fdi[0].amount == D(amount)
    ledgers.edit_record(ADMIN, "invest", "demo", 2022, "fdi", "F1", {"amount": "99999999999999.9999"}, 1)
    assert FdiInflow.objects.get().amount == D("99999999999999.9999")
    with pytest.raises(InputError) as exc:  # 15 integer digits: more than the column holds
        ledgers.edit_record(ADMIN, "invest", "demo", 2022, "fdi", "F1", {"amount": "123456789012345.5"}, 2)
    problem = exc.value.problems[0]
    assert problem.field == "原币金额" and "整数部分最多 14 位" in problem.message
    assert "实际利用外资" in problem.location
    with pytest.raises(InputError) as exc:
        ledgers.edit_record(ADMIN, "invest", "demo", 2022, "fdi", "F1", {"amount": "1.00001"}, 2)
    assert "超过 4 位小数" in exc.value.problems[0].message
    assert FdiInflow.objects.get().amount == D("99999999999999.9999")


# ---------------------------------------------------------------- history and roles

def test_history_is_append_only(dept):
    save_land(small_land("P1"))
    entry = ParcelChange.objects.first()
    with pytest.raises(AppendOnlyError):
        ParcelChange.objects.update(who="别人")
    with pytest.raises(AppendOnlyError):
        ParcelChange.objects.filter(pk=entry.pk).delete()
    entry.who = "别人"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        InvestChange.objects.all().delete()
    assert ParcelChange.objects.get(pk=entry.pk).who == "管理员甲"


def test_roles_decide_who_may_write(dept):
    save_land(small_land("P1"))
    with pytest.raises(Denied):
        ledgers.edit_record(FakeActor("审核员", {"财政审核"}), "land", "demo", 2022, "parcels", "P1", {"tax": "1"}, 1)
    with pytest.raises(Denied):
        save_land(small_land("P1", "P2"), actor=FakeActor("只读", {"第三方只读"}))
    with pytest.raises(NotFound):  # no role at all: the department is not even there
        ledgers.edit_record(FakeActor("外人"), "land", "demo", 2022, "parcels", "P1", {"tax": "1"}, 1)
    saved = ledgers.edit_record(FakeActor("经办人甲", {"经办人"}), "land", "demo", 2022, "parcels", "P1",
                                {"tax": "1"}, 1)
    assert saved.version == 2 and ParcelChange.objects.filter(who="经办人甲").exists()
    assert land_store.load_summary("demo", 2022).parcels.count == 1


def test_nothing_outside_the_application_layer_writes_ledger_models():
    """Only jixiao.services.ledgers calls the store's write; no other module writes ledger rows."""
    models = ("Parcel", "Disposal", "LandYear", "ParcelChange", "InvestYear", "Project", "Credit", "FdiInflow",
              "PromotionEvent", "LeaderVisit", "InvestChange", "EnterpriseYear", "Enterprise", "Recognition",
              "MonthlyStat", "PublishedTotal", "Visit", "Ticket", "TicketEvent", "Plan", "PlanMeasure", "Briefing",
              "EnterpriseChange")
    names = "|".join(models)
    writes = re.compile(rf"\b(?:m|lm|im|em)?\.?(?:{names})\.objects\.(?:create|bulk_create|bulk_update|update|"
                        r"update_or_create|get_or_create|filter\([^)]*\)\.(?:update|delete))\(")
    offenders = []
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT).as_posix()
        if "/migrations/" in rel or rel in ("ledgers/store.py", "services/ledgers.py"):
            continue
        text = path.read_text(encoding="utf-8")
        if not re.search(r"from jixiao\.(?:land|invest|enterprise)(?:\.models)? import", text):
            continue  # e.g. the budget's own Project
        if writes.search(text) or re.search(r"\.apply\(plan", text):
            offenders.append(rel)
    assert offenders == []
