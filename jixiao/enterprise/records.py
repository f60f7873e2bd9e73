"""The enterprise ledger's tables and its JSON / Excel files. Ticket histories and plan measures
are flat tables in the files (one row per step or measure) and nested lists in the core."""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jixiao.core import enterprise as ent
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

FORMAT = "jixiao-enterprise"
FORMAT_VERSION = 1
ORIGIN = FieldSpec("origin", "数据来源", "str", choices=ORIGINS)
USCC = FieldSpec("uscc", "统一社会信用代码", "uscc", required=True)

ENTERPRISES = Table("enterprises", "企业名录", ent.Enterprise, (
    USCC,
    FieldSpec("name", "企业名称", "str", required=True),
    FieldSpec("industry_code", "行业代码（4位）", "str", required=True),
    FieldSpec("main_revenue", "上年主营业务收入（万元）", "dec"),
    FieldSpec("ownership", "登记注册类型", "str"),
    FieldSpec("street", "所在街道", "str"),
    FieldSpec("address", "地址", "str"),
    FieldSpec("parcel_id", "宗地编号", "str"),
    FieldSpec("high_tech", "高新技术企业", "bool"),
    FieldSpec("officer", "服务专员", "str"),
    FieldSpec("note", "备注", "str"),
    ORIGIN,
), identity=("uscc",))
RECOGNITIONS = Table("recognitions", "专精特新认定", ent.Recognition, (
    USCC,
    FieldSpec("program", "认定类别", "str", required=True),
    FieldSpec("level", "级别", "str", required=True, choices=ent.LEVELS),
    FieldSpec("recognised_on", "认定日期", "date", required=True),
    FieldSpec("batch", "批次", "str"),
    FieldSpec("expires_on", "有效期至", "date"),
    ORIGIN,
), required=False, identity=("uscc", "program", "level"))
STATS = Table("stats", "月度统计", ent.MonthlyStat, (
    USCC,
    FieldSpec("month", "月份", "int", required=True),
    FieldSpec("vintage", "数据版本日期", "date", required=True),
    FieldSpec("output", "工业总产值（万元）", "dec"),
    FieldSpec("output_prior", "上年同期工业总产值（同口径，万元）", "dec"),
    FieldSpec("sales", "销售额（万元）", "dec"),
    FieldSpec("sales_prior", "上年同期销售额（同口径，万元）", "dec"),
    FieldSpec("main_revenue", "主营业务收入（万元）", "dec"),
    FieldSpec("price_basis", "价格口径", "str", choices=ent.PRICE_BASES),
    ORIGIN,
), identity=("uscc", "month", "vintage"))
PUBLISHED = Table("published", "上年公布数", ent.PublishedTotal, (
    FieldSpec("measure", "指标", "str", required=True),
    FieldSpec("year", "年度", "int", required=True),
    FieldSpec("value", "公布数（万元）", "dec", required=True),
    FieldSpec("source", "来源", "str"),
    ORIGIN,
), required=False, identity=("measure", "year"))
VISITS = Table("visits", "走访记录", ent.Visit, (
    FieldSpec("visit_id", "走访编号", "str", required=True),
    FieldSpec("date", "走访日期", "date", required=True),
    USCC,
    FieldSpec("staff", "走访人员", "names", required=True),
    FieldSpec("leader_involved", "领导带队", "bool"),
    FieldSpec("purpose", "走访目的", "str"),
    FieldSpec("issues_raised", "反映问题", "str"),
    ORIGIN,
), required=False, identity=("visit_id",))
TICKETS = Table("tickets", "问题直通车", ent.Ticket, (
    FieldSpec("ticket_id", "工单编号", "str", required=True),
    USCC,
    FieldSpec("category", "问题类别", "str", required=True),
    FieldSpec("description", "问题描述", "str", required=True),
    FieldSpec("received_on", "收到日期", "date", required=True),
    FieldSpec("source", "来源", "str", choices=ent.TICKET_SOURCES),
    FieldSpec("assigned_dept", "承办部门", "str"),
    FieldSpec("deadline", "办理时限", "date"),
    FieldSpec("resolution", "办理结果", "str"),
    FieldSpec("satisfaction", "满意度", "str", choices=ent.SATISFACTION),
    ORIGIN,
), required=False, identity=("ticket_id",))
TICKET_EVENTS = Table("ticket_events", "办理过程", ent.TicketEvent, (
    FieldSpec("ticket_id", "工单编号", "str", required=True),
    FieldSpec("status", "状态", "str", required=True, choices=ent.TICKET_STATUSES),
    FieldSpec("date", "日期", "date", required=True),
    FieldSpec("note", "说明", "str"),
    ORIGIN,
), required=False, identity=("ticket_id", "status"))
PLANS = Table("plans", "一企一策", ent.Plan, (
    FieldSpec("plan_id", "方案编号", "str", required=True),
    USCC,
    FieldSpec("title", "方案名称", "str", required=True),
    FieldSpec("goals", "目标", "str"),
    FieldSpec("started_on", "制定日期", "date"),
    FieldSpec("reviewed_on", "最近评估日期", "date"),
    ORIGIN,
), required=False, identity=("plan_id",))
PLAN_MEASURES = Table("plan_measures", "一企一策措施", ent.PlanMeasure, (
    FieldSpec("plan_id", "方案编号", "str", required=True),
    FieldSpec("measure", "措施", "str", required=True),
    FieldSpec("owner_dept", "责任部门", "str"),
    FieldSpec("due_on", "完成时限", "date"),
    FieldSpec("status", "进展", "str", choices=ent.MEASURE_STATUSES),
    ORIGIN,
), required=False, identity=("plan_id",))
BRIEFINGS = Table("briefings", "政策宣讲会", ent.Briefing, (
    FieldSpec("briefing_id", "宣讲会编号", "str", required=True),
    FieldSpec("date", "日期", "date", required=True),
    FieldSpec("topic", "主题", "str", required=True),
    FieldSpec("policies", "宣讲政策", "str"),
    FieldSpec("organiser", "组织单位", "str"),
    FieldSpec("enterprise_count", "参会企业数", "int"),
    FieldSpec("person_count", "参会人数", "int"),
    ORIGIN,
), required=False, identity=("briefing_id",))

TABLES: tuple[Table, ...] = (ENTERPRISES, RECOGNITIONS, STATS, PUBLISHED, VISITS, TICKETS, TICKET_EVENTS, PLANS,
                             PLAN_MEASURES, BRIEFINGS)


def _attach(department: str, year: int, header: Mapping[str, Any], rows: Mapping[str, list[Any]],
            where: Where) -> tuple[ent.EnterpriseLedger, list[Problem], list[int]]:
    """The ledger from flat tables, steps and measures attached to their ticket and plan; the
    problems of rows naming no known ticket or plan; and the flat row of each step in ticket order."""
    problems: list[Problem] = []
    tickets = {t.ticket_id: t for t in rows.get("tickets", [])}
    plans = {p.plan_id: p for p in rows.get("plans", [])}
    for t in tickets.values():
        t.events = []
    for p in plans.values():
        p.measures = []
    positions: dict[str, list[int]] = {}
    for i, e in enumerate(rows.get("ticket_events", [])):
        if e.ticket_id not in tickets:
            problems.append(Problem(where("ticket_events", i, "ticket_id"),
                                    f"工单“{e.ticket_id}”不在问题直通车表中", "工单编号"))
            continue
        tickets[e.ticket_id].events.append(e)
        positions.setdefault(e.ticket_id, []).append(i)
    for i, m in enumerate(rows.get("plan_measures", [])):
        if m.plan_id not in plans:
            problems.append(Problem(where("plan_measures", i, "plan_id"),
                                    f"方案“{m.plan_id}”不在一企一策表中", "方案编号"))
            continue
        plans[m.plan_id].measures.append(m)
    order = [i for t in rows.get("tickets", []) for i in positions.get(t.ticket_id, [])]
    ledger = ent.EnterpriseLedger(department, year, origin=header.get("origin", "录入"), **{
        t.key: list(rows.get(t.key, [])) for t in TABLES if t.key not in ("ticket_events", "plan_measures")})
    return ledger, problems, order


def build(department: str, year: int, header: Mapping[str, Any], rows: Mapping[str, list[Any]],
          where: Where) -> tuple[ent.EnterpriseLedger, list[Problem]]:
    """The ledger from its rows by table (the cross-row checks are ``ent.check_ledger``)."""
    ledger, problems, _ = _attach(department, year, header, rows, where)
    return ledger, problems


def header(ledger: ent.EnterpriseLedger) -> dict[str, Any]:
    return {"origin": ledger.origin}


def assemble(department: str, year: int, rows: dict[str, list[Any]], where: Where,
             rules: ent.EnterpriseRules | None = None) -> ent.EnterpriseLedger:
    """The ledger of a file from its flat tables, after every cross-row check, located in the file."""
    ledger, problems, order = _attach(department, year, {}, rows, where)

    # check_ledger counts steps in ticket order; map those positions back to the file's rows
    def located(table: str, i: int, attr: str) -> str:
        return where(table, order[i] if table == "ticket_events" else i, attr)

    rules = rules or ent.select_rules(ent.load_rules(), year)
    problems += ent.check_ledger(ledger, rules, located)
    if problems:
        raise InputError(problems)
    return ledger


def ledger_from_dict(data: Any, source: str) -> ent.EnterpriseLedger:
    department, year = header_from_dict(data, source, FORMAT, "企业服务台账")
    return assemble(department, year, tables_from_dict(data, source, TABLES), json_where(source))


def flat(ledger: ent.EnterpriseLedger) -> dict[str, list[Any]]:
    out = {t.key: getattr(ledger, t.key) for t in TABLES if hasattr(ledger, t.key)}
    out["ticket_events"] = [e for t in ledger.tickets for e in t.events]
    out["plan_measures"] = [m for p in ledger.plans for m in p.measures]
    return out


def ledger_to_dict(ledger: ent.EnterpriseLedger) -> dict[str, Any]:
    rows = flat(ledger)
    return ledger_dict(FORMAT, FORMAT_VERSION, {"department": ledger.department, "year": ledger.year}, TABLES, rows)


def read_json(path: Path) -> ent.EnterpriseLedger:
    return ledger_from_dict(read_json_file(path), path.name)


def write_json(ledger: ent.EnterpriseLedger, path: Path) -> None:
    write_json_file(ledger_to_dict(ledger), path)


def read_excel(path: Path, department: str, year: int) -> ent.EnterpriseLedger:
    rows, where = read_workbook(path, TABLES)
    return assemble(department, year, rows, where)


def write_excel(ledger: ent.EnterpriseLedger, path: Path) -> None:
    rows = flat(ledger)
    write_workbook(path, [(t, rows[t.key]) for t in TABLES], [
        f"部门：{ledger.department}　年度：{ledger.year}",
        "金额以万元填写。规上工业、限上商贸身份按上年主营业务收入和统计规则中的标准自动判定。",
        "月度统计按统计局报送填写，须含上年同期同口径数；同一企业同一月份有多个数据版本时取最新版本。",
        "增速只按同口径数计算；“上年公布数”仅作参考，不参与计算。",
        "走访按人次计：每次走访的每位人员计1人次。问题直通车按 受理→转办→办理中→办结→回访 的顺序逐步登记。",
        "导入时全部校验通过才会保存，任何一处错误都会以“工作表!单元格”列出，不会部分导入。",
    ])
