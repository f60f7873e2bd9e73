"""The investment ledger's tables (one field list per row type) and its JSON / Excel files.
The same tables drive validation, the file formats and the database columns."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jixiao.core import invest
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import (
    FieldSpec,
    Table,
    Where,
    header_from_dict,
    json_where,
    ledger_dict,
    read_json_file,
    tables_from_dict,
    write_json_file,
)
from jixiao.core.model import ORIGINS
from jixiao.ledgers.workbook import read_workbook, write_workbook

FORMAT = "jixiao-invest"
FORMAT_VERSION = 1
ORIGIN = FieldSpec("origin", "数据来源", "str", choices=ORIGINS)
NOTE = FieldSpec("note", "备注", "str")

PROJECTS = Table("projects", "项目台账", invest.Project, (
    FieldSpec("project_id", "项目编号", "str", required=True),
    FieldSpec("name", "项目名称", "str", required=True),
    FieldSpec("stage", "当前阶段", "str", required=True, choices=invest.ALL_STAGES),
    FieldSpec("investor", "投资方", "str"),
    FieldSpec("investor_region", "投资方国别地区", "str"),
    FieldSpec("is_foreign", "外资项目", "bool"),
    FieldSpec("industry_code", "行业代码", "str"),
    FieldSpec("industry_tag", "重点产业", "str"),
    FieldSpec("source_channel", "引进渠道", "str"),
    FieldSpec("first_contact_date", "首次接洽日期", "date"),
    FieldSpec("entered_pool_date", "入库日期", "date"),
    FieldSpec("signed_date", "签约日期", "date"),
    FieldSpec("registered_date", "注册日期", "date"),
    FieldSpec("landed_date", "落地日期", "date"),
    FieldSpec("started_date", "动工日期", "date"),
    FieldSpec("production_date", "投产日期", "date"),
    FieldSpec("full_production_date", "达产日期", "date"),
    FieldSpec("closed_date", "终止日期", "date"),
    FieldSpec("agreement_no", "协议编号", "str"),
    FieldSpec("agreed_investment", "协议投资额", "dec"),
    FieldSpec("agreed_investment_unit", "协议投资额单位", "str"),
    FieldSpec("agreed_output", "协议达产年产值", "dec"),
    FieldSpec("agreed_output_unit", "协议达产年产值单位", "str"),
    FieldSpec("fx_rate_cny", "折人民币汇率（元/原币）", "dec", positive=True),
    FieldSpec("fx_rate_source", "汇率来源", "str"),
    FieldSpec("registered_uscc", "注册企业统一社会信用代码", "uscc"),
    FieldSpec("registered_capital", "注册资本", "dec"),
    FieldSpec("registered_capital_unit", "注册资本单位", "str"),
    FieldSpec("officer", "责任人", "str"),
    NOTE, ORIGIN,
), identity=("project_id",))

CREDITS = Table("credits", "分成计分", invest.Credit, (
    FieldSpec("project_id", "项目编号", "str", required=True),
    FieldSpec("unit", "计分单位", "str", required=True),
    FieldSpec("share", "分成比例", "dec", required=True, positive=True),
    FieldSpec("role", "角色", "str", choices=invest.CREDIT_ROLES),
    FieldSpec("counts_for", "计分环节", "measures", choices=invest.MEASURES),
    FieldSpec("amount_split", "协议金额按比例分成", "bool"),
    NOTE, ORIGIN,
), identity=("project_id", "unit"))

FDI = Table("fdi", "实际利用外资", invest.FdiInflow, (
    FieldSpec("fdi_id", "到资编号", "str", required=True),
    FieldSpec("arrival_date", "到资日期", "date", required=True),
    FieldSpec("amount", "原币金额", "dec", required=True, positive=True),
    FieldSpec("unit", "原币单位", "str", required=True),
    FieldSpec("type", "到资类型", "str", choices=invest.FDI_TYPES),
    FieldSpec("project_id", "项目编号", "str"),
    FieldSpec("enterprise_uscc", "企业统一社会信用代码", "uscc"),
    FieldSpec("enterprise", "外资企业", "str"),
    FieldSpec("fx_rate_usd", "折美元汇率（美元/原币）", "dec", positive=True),
    FieldSpec("fx_rate_source", "汇率来源", "str"),
    FieldSpec("credited_unit", "计入单位", "str"),
    FieldSpec("share", "计入比例", "dec", positive=True),
    FieldSpec("verified_by", "核实部门", "str"),
    NOTE, ORIGIN,
), identity=("fdi_id",))

EVENTS = Table("events", "招商活动", invest.PromotionEvent, (
    FieldSpec("event_id", "活动编号", "str", required=True),
    FieldSpec("date", "活动日期", "date", required=True),
    FieldSpec("type", "活动类型", "str", required=True, choices=invest.EVENT_TYPES),
    FieldSpec("title", "活动名称", "str", required=True),
    FieldSpec("place", "举办地点", "str"),
    FieldSpec("outside_district", "区外举办", "bool"),
    FieldSpec("organiser", "主办单位", "str"),
    FieldSpec("partners", "合作单位", "str"),
    FieldSpec("attendees", "参加人数", "int"),
    FieldSpec("leads_generated", "获取线索数", "int"),
    FieldSpec("projects_signed", "现场签约项目数", "int"),
    NOTE, ORIGIN,
), identity=("event_id",))

VISITS = Table("visits", "领导拜访企业", invest.LeaderVisit, (
    FieldSpec("visit_id", "拜访编号", "str", required=True),
    FieldSpec("date", "拜访日期", "date", required=True),
    FieldSpec("leaders", "带队领导", "str", required=True),
    FieldSpec("enterprise", "拜访企业", "str", required=True),
    FieldSpec("city", "所在城市", "str"),
    FieldSpec("outside_city", "赴市外", "bool"),
    FieldSpec("purpose", "目的", "str", choices=invest.VISIT_PURPOSES),
    FieldSpec("outcome", "成效", "str"),
    FieldSpec("follow_up", "跟进事项", "str"),
    NOTE, ORIGIN,
), identity=("visit_id",))

TABLES: tuple[Table, ...] = (PROJECTS, CREDITS, FDI, EVENTS, VISITS)


def check(ledger: invest.InvestLedger, where: Where) -> None:
    # the credit cap is a rule too: a file is checked against the rule set of its year
    rules = invest.select_rules(invest.load_rules(), ledger.year)
    problems = invest.check_ledger(ledger, rules, where)
    if problems:
        raise InputError(problems)


def build(department: str, year: int, header: Mapping[str, Any], rows: Mapping[str, list[Any]],
          where: Where) -> tuple[invest.InvestLedger, list[Problem]]:
    """The ledger from its rows by table (the checks are ``invest.check_ledger``)."""
    return invest.InvestLedger(department, year, header["unit"], origin=header.get("origin", "录入"),
                               **{t.key: list(rows.get(t.key, [])) for t in TABLES}), []


def _ledger(department: str, year: int, unit: str, rows: Mapping[str, list[Any]]) -> invest.InvestLedger:
    """The ledger of a file's rows by table (every table's key is there, perhaps with no rows)."""
    return invest.InvestLedger(department, year, unit, projects=rows["projects"], credits=rows["credits"],
                               fdi=rows["fdi"], events=rows["events"], visits=rows["visits"])


def header(ledger: invest.InvestLedger) -> dict[str, Any]:
    return {"origin": ledger.origin, "unit": ledger.unit}


def ledger_from_dict(data: Any, source: str) -> invest.InvestLedger:
    department, year = header_from_dict(data, source, FORMAT, "招商台账")
    unit = data.get("unit")
    if not isinstance(unit, str) or not unit.strip():
        raise InputError("缺少计分单位名称（本部门在分成计分中的单位名称）", f"{source}: $.unit")
    rows = tables_from_dict(data, source, TABLES)
    ledger = _ledger(department, year, unit.strip(), rows)
    check(ledger, json_where(source))
    return ledger


def ledger_to_dict(ledger: invest.InvestLedger) -> dict[str, Any]:
    return ledger_dict(FORMAT, FORMAT_VERSION, {"department": ledger.department, "year": ledger.year,
                                                "unit": ledger.unit}, TABLES, flat(ledger))


def flat(ledger: invest.InvestLedger) -> dict[str, list[Any]]:
    """The ledger's rows by table key, as files and the database keep them."""
    return {t.key: getattr(ledger, t.key) for t in TABLES}


def read_json(path: Path) -> invest.InvestLedger:
    return ledger_from_dict(read_json_file(path), path.name)


def write_json(ledger: invest.InvestLedger, path: Path) -> None:
    write_json_file(ledger_to_dict(ledger), path)


def read_excel(path: Path, department: str, year: int, unit: str) -> invest.InvestLedger:
    rows, where = read_workbook(path, TABLES)
    ledger = _ledger(department, year, unit, rows)
    check(ledger, where)
    return ledger


def write_excel(ledger: invest.InvestLedger, path: Path) -> None:
    rows = flat(ledger)
    write_workbook(path, [(t, rows[t.key]) for t in TABLES], [
        f"部门：{ledger.department}　年度：{ledger.year}　计分单位：{ledger.unit}",
        "每个项目填写到达各阶段的日期；项目按入库、签约、注册日期所在年度计数，与当前阶段无关。",
        "共同引进的项目在“分成计分”中逐单位登记分成比例，同一项目各单位合计不得超过1。",
        "外币金额须填写汇率及来源：协议金额折人民币，实际利用外资折美元（按到资日期计入年度）。",
        "导入时全部校验通过才会保存，任何一处错误都会以“工作表!单元格”列出，不会部分导入。",
    ])
