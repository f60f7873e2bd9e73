"""The land ledger's tables (parcels, disposals) and its JSON file. The field tables drive JSON,
Excel (``jixiao.land.excel``) and the database columns; parsing is ``jixiao.core.ledger``'s, the
cross-row checks ``jixiao.core.land.check_ledger``, and every problem is located
(``file: $.parcels[3].site_area_m2`` or ``宗地台账!F12``). Pure Python apart from reading and
writing the file.
"""
from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from jixiao.core import land
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

FORMAT = "jixiao-land"
FORMAT_VERSION = 1

PARCELS = Table("parcels", "宗地台账", land.Parcel, (
    FieldSpec("parcel_id", "宗地编号", "str", required=True),
    FieldSpec("street", "所在街道", "str", required=True),
    FieldSpec("location", "坐落", "str"),
    FieldSpec("site_area_m2", "用地面积（平方米）", "dec", required=True, positive=True),
    FieldSpec("owner", "土地使用权人", "str", required=True),
    FieldSpec("owner_uscc", "权利人统一社会信用代码", "uscc"),
    FieldSpec("actual_user", "现状土地使用人", "str"),
    FieldSpec("actual_user_uscc", "使用人统一社会信用代码", "uscc"),
    FieldSpec("title_cert_no", "不动产权证号", "str"),
    FieldSpec("land_source", "土地来源", "str", choices=land.LAND_SOURCES),
    FieldSpec("right_type", "权属性质", "str", choices=land.RIGHT_TYPES),
    FieldSpec("contract_no", "出让合同编号", "str"),
    FieldSpec("contract_date", "合同签订日期", "date"),
    FieldSpec("agreed_start_date", "约定动工日期", "date"),
    FieldSpec("agreed_completion_date", "约定竣工日期", "date"),
    FieldSpec("approved_use", "批准用途", "str"),
    FieldSpec("current_use", "现状用途", "str"),
    FieldSpec("planned_use", "规划用途", "str"),
    FieldSpec("industry_code", "行业代码", "str"),
    FieldSpec("floor_area_m2", "已建建筑面积（平方米）", "dec"),
    FieldSpec("footprint_m2", "基底面积（平方米）", "dec"),
    FieldSpec("planned_floor_area_m2", "应开发建设总面积（平方米）", "dec"),
    FieldSpec("contract_far", "合同容积率", "dec"),
    FieldSpec("total_investment_agreed", "约定总投资（万元）", "dec"),
    FieldSpec("invested_to_date", "已投资额（万元）", "dec"),
    FieldSpec("construction_status", "建设状态", "str", required=True, choices=land.CONSTRUCTION_STATUSES),
    FieldSpec("suspension_start_date", "停建起始日期", "date"),
    FieldSpec("production_status", "生产状态", "str", choices=land.PRODUCTION_STATUSES),
    FieldSpec("fixed_asset_investment", "固定资产投资（万元）", "dec"),
    FieldSpec("output", "本年产值（万元）", "dec"),
    FieldSpec("output_prev", "上年产值（万元）", "dec"),
    FieldSpec("tax", "本年税收（万元）", "dec"),
    FieldSpec("tax_prev", "上年税收（万元）", "dec"),
    FieldSpec("employment", "就业人数", "int"),
    FieldSpec("delay_cause", "延迟原因", "str", choices=land.DELAY_CAUSES),
    FieldSpec("non_compliant", "不符合产业或安全环保情况", "str"),
    FieldSpec("status_override", "人工认定状态", "str", choices=("", *land.LAND_STATUSES)),
    FieldSpec("override_reason", "人工认定理由", "str"),
    FieldSpec("enterprises", "经营企业信用代码（逗号分隔）", "list"),
    FieldSpec("geometry", "范围（GeoJSON）", "json"),
    FieldSpec("note", "备注", "str"),
    FieldSpec("origin", "数据来源", "str", choices=ORIGINS),
), identity=("parcel_id",))

DISPOSALS = Table("disposals", "处置跟踪", land.Disposal, (
    FieldSpec("parcel_id", "宗地编号", "str", required=True),
    FieldSpec("strategy", "处置策略", "str", required=True, choices=land.DISPOSAL_STRATEGIES),
    FieldSpec("status", "处置进度", "str", required=True, choices=land.DISPOSAL_STATUSES),
    FieldSpec("partner", "合作方", "str"),
    FieldSpec("partner_is_soe", "合作方为区属国企", "bool"),
    FieldSpec("start_date", "开始日期", "date"),
    FieldSpec("finish_date", "完成日期", "date"),
    FieldSpec("area_m2", "处置面积（平方米）", "dec", required=True, positive=True),
    FieldSpec("disposed_m2", "已处置面积（平方米）", "dec"),
    FieldSpec("not_implemented_reason", "未实施原因", "str", choices=land.NOT_IMPLEMENTED_REASONS),
    FieldSpec("note", "备注", "str"),
    FieldSpec("origin", "数据来源", "str", choices=ORIGINS),
), required=False, identity=("parcel_id",))

TABLES: tuple[Table, ...] = (PARCELS, DISPOSALS)


def build(department: str, year: int, header: Mapping[str, Any], rows: Mapping[str, list[Any]],
          where: Where) -> tuple[land.Ledger, list[Problem]]:
    """The ledger of a survey year from its rows by table (the checks are ``land.check_ledger``)."""
    return land.Ledger(department=department, year=year, parcels=list(rows.get("parcels", [])),
                       disposals=list(rows.get("disposals", [])), origin=header.get("origin", "录入")), []


def header(ledger: land.Ledger) -> dict[str, Any]:
    return {"origin": ledger.origin}


def flat(ledger: land.Ledger) -> dict[str, list[Any]]:
    return {"parcels": ledger.parcels, "disposals": ledger.disposals}


def checked(ledger: land.Ledger, where: Where) -> land.Ledger:
    problems = land.check_ledger(ledger, None, where)
    if problems:
        raise InputError(problems)
    return ledger


# ---------------------------------------------------------------- JSON file

def ledger_to_dict(ledger: land.Ledger) -> dict[str, Any]:
    return ledger_dict(FORMAT, FORMAT_VERSION, {"department": ledger.department, "year": ledger.year}, TABLES,
                       {"parcels": ledger.parcels, "disposals": ledger.disposals})


def ledger_from_dict(data: Any, source: str) -> land.Ledger:
    department, year = header_from_dict(data, source, FORMAT, "土地台账")
    # a file without parcels is refused rather than read as an empty survey that deletes them all
    rows = tables_from_dict(data, source, TABLES, {"parcels": {"survey_year": year}}, present=("parcels",))
    return checked(land.Ledger(department=department, year=year, parcels=rows["parcels"],
                               disposals=rows["disposals"]), json_where(source))


def read_json(path: Path) -> land.Ledger:
    return ledger_from_dict(read_json_file(path), path.name)


def write_json(ledger: land.Ledger, path: Path) -> None:
    write_json_file(ledger_to_dict(ledger), path)
