"""Ledger rows ⇄ plain values, shared by the JSON file, the Excel workbook and the database.

One table of fields (English attribute, Chinese column title, kind) drives parsing, validation and
export, so the three formats cannot drift apart. Parsing collects every problem with its location
(``file: $.parcels[3].site_area_m2`` or ``宗地台账!F12``) before anything is built. Pure Python.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

from jixiao.core import land
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import ORIGINS
from jixiao.core.numbers import normalize

FORMAT = "jixiao-land"
FORMAT_VERSION = 1
USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")


@dataclass(frozen=True)
class FieldSpec:
    attr: str
    title: str  # column title in the workbook
    kind: str  # str / int / dec / date / bool / list / json
    required: bool = False
    choices: tuple[str, ...] = ()
    positive: bool = False  # must be > 0 (areas)


PARCEL_FIELDS: tuple[FieldSpec, ...] = (
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
    FieldSpec("status_override", "人工认定状态", "str", choices=("",) + land.LAND_STATUSES),
    FieldSpec("override_reason", "人工认定理由", "str"),
    FieldSpec("enterprises", "经营企业信用代码（逗号分隔）", "list"),
    FieldSpec("geometry", "范围（GeoJSON）", "json"),
    FieldSpec("note", "备注", "str"),
    FieldSpec("origin", "数据来源", "str", choices=ORIGINS),
)

DISPOSAL_FIELDS: tuple[FieldSpec, ...] = (
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
)

_TRUE = {"是", "true", "1", "y", "yes", "√"}
_FALSE = {"否", "false", "0", "n", "no", ""}


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def parse_value(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """One raw cell or JSON value → (typed value, Chinese problem or None)."""
    if _blank(raw):
        if spec.required:
            return None, "必填，请填写"
        return None, None  # the dataclass default applies
    if spec.kind in ("str", "uscc"):
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))  # calamine and Excel hand back codes typed as numbers as floats
        if spec.kind == "uscc" and not USCC_RE.match(text.upper()):
            return None, f"“{text}”不是18位统一社会信用代码"
        if spec.choices and text not in spec.choices:
            return None, f"“{text}”不在可选值中，请填写：{'、'.join(c for c in spec.choices if c)}"
        return (text.upper() if spec.kind == "uscc" else text), None
    if spec.kind in ("dec", "int"):
        if isinstance(raw, bool):
            return None, "应为数值"
        try:
            value = Decimal(str(raw)) if isinstance(raw, (int, float, Decimal)) else Decimal(
                normalize(str(raw)).replace(",", ""))
        except InvalidOperation:
            return None, f"“{raw}”不是数值"
        if not value.is_finite():
            return None, f"“{raw}”不是数值"
        if value < 0:
            return None, "不能为负数"
        if spec.positive and value == 0:
            return None, "应大于0"
        if spec.kind == "int":
            if value != value.to_integral_value():
                return None, "应为整数"
            return int(value), None
        return value, None
    if spec.kind == "date":
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        try:
            return date.fromisoformat(str(raw).strip()), None
        except ValueError:
            return None, f"“{raw}”不是日期，请写成 2022-03-31 的格式"
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in _TRUE:
            return True, None
        if text in _FALSE:
            return False, None
        return None, f"“{raw}”应填“是”或“否”"
    if spec.kind == "list":
        items = raw if isinstance(raw, list) else re.split(r"[,，;；\s]+", str(raw))
        codes = [str(x).strip().upper() for x in items if str(x).strip()]
        bad = [c for c in codes if not USCC_RE.match(c)]
        if bad:
            return None, f"“{'、'.join(bad)}”不是18位统一社会信用代码"
        return codes, None
    if spec.kind == "json":
        if isinstance(raw, dict):
            value = raw
        else:
            try:
                value = json.loads(str(raw))
            except ValueError:
                return None, "不是有效的 GeoJSON"
        if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
            return None, "应为含 type 和 coordinates 的 GeoJSON 几何对象"
        return value, None
    raise ValueError(spec.kind)


def build_rows(
    cls: type, specs: tuple[FieldSpec, ...], rows: Iterable[tuple[Mapping[str, Any], Callable[[str], str]]],
    extra: Mapping[str, Any], problems: list[Problem],
) -> list[Any]:
    """Typed dataclass rows from raw mappings; each row comes with a function that names the
    location of one of its fields."""
    out = []
    for raw, where in rows:
        values: dict[str, Any] = dict(extra)
        ok = True
        for spec in specs:
            value, problem = parse_value(spec, raw.get(spec.attr))
            if problem:
                problems.append(Problem(where(spec.attr), problem, spec.title))
                ok = False
            elif value is not None:
                values[spec.attr] = value
        if ok:
            out.append(cls(**values))
    return out


def check_ledger(ledger: land.Ledger, parcel_where: Callable[[int, str], str],
                 disposal_where: Callable[[int, str], str]) -> list[Problem]:
    """Cross-row checks: unique parcel ids, disposals of known parcels within their area."""
    problems: list[Problem] = []
    seen: dict[str, int] = {}
    for i, p in enumerate(ledger.parcels):
        if p.parcel_id in seen:
            problems.append(Problem(parcel_where(i, "parcel_id"),
                                    f"宗地编号“{p.parcel_id}”重复（与第{seen[p.parcel_id] + 1}条相同），每宗地只能登记一次",
                                    "宗地编号"))
        else:
            seen[p.parcel_id] = i
        if p.footprint_m2 > p.site_area_m2:
            problems.append(Problem(parcel_where(i, "footprint_m2"), "基底面积不能大于用地面积", "基底面积（平方米）"))
        if p.status_override and p.status_override != "" and not p.override_reason.strip():
            problems.append(Problem(parcel_where(i, "override_reason"), "人工认定状态时须写明理由", "人工认定理由"))
        if p.construction_status == "停建" and p.suspension_start_date is None:
            problems.append(Problem(parcel_where(i, "suspension_start_date"), "停建的宗地须填写停建起始日期", "停建起始日期"))
        if p.construction_status == "未动工" and p.agreed_start_date is None:
            problems.append(Problem(parcel_where(i, "agreed_start_date"), "未动工的宗地须填写约定动工日期", "约定动工日期"))
    areas = {p.parcel_id: p.site_area_m2 for p in ledger.parcels}
    for i, d in enumerate(ledger.disposals):
        if d.parcel_id not in areas:
            problems.append(Problem(disposal_where(i, "parcel_id"),
                                    f"宗地编号“{d.parcel_id}”不在本年度台账中，请先登记该宗地", "宗地编号"))
        elif d.area_m2 > areas[d.parcel_id]:
            problems.append(Problem(disposal_where(i, "area_m2"), "处置面积不能大于该宗地的用地面积", "处置面积（平方米）"))
        if d.disposed_m2 > d.area_m2:
            problems.append(Problem(disposal_where(i, "disposed_m2"), "已处置面积不能大于处置面积", "已处置面积（平方米）"))
        if d.finish_date and d.start_date and d.finish_date < d.start_date:
            problems.append(Problem(disposal_where(i, "finish_date"), "完成日期早于开始日期", "完成日期"))
    return problems


# ---------------------------------------------------------------- JSON file

def to_value(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def ledger_to_dict(ledger: land.Ledger) -> dict[str, Any]:
    return {
        "format": FORMAT, "version": FORMAT_VERSION,
        "department": ledger.department, "year": ledger.year,
        "parcels": [{s.attr: to_value(getattr(p, s.attr)) for s in PARCEL_FIELDS} for p in ledger.parcels],
        "disposals": [{s.attr: to_value(getattr(d, s.attr)) for s in DISPOSAL_FIELDS} for d in ledger.disposals],
    }


def ledger_from_dict(data: Any, source: str) -> land.Ledger:
    problems: list[Problem] = []
    if not isinstance(data, dict):
        raise InputError(f"{source} 不是土地台账文件：顶层应为对象", source)
    if data.get("format") != FORMAT:
        problems.append(Problem(f"{source}: $.format", f"应为“{FORMAT}”（土地台账交换格式）"))
    department = data.get("department")
    if not isinstance(department, str) or not department.strip():
        problems.append(Problem(f"{source}: $.department", "缺少部门编码"))
    year = data.get("year")
    if not isinstance(year, int) or not 1990 <= year <= 2100:
        problems.append(Problem(f"{source}: $.year", "年度应为四位整数，如 2022"))
        year = 0
    parcels_raw = data.get("parcels")
    disposals_raw = data.get("disposals", [])
    for key, value in (("parcels", parcels_raw), ("disposals", disposals_raw)):
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            problems.append(Problem(f"{source}: $.{key}", "应为对象列表"))
    if problems:
        raise InputError(problems)

    def where(key: str, i: int) -> Callable[[str], str]:
        return lambda attr: f"{source}: $.{key}[{i}].{attr}"

    parcels = build_rows(land.Parcel, PARCEL_FIELDS, ((r, where("parcels", i)) for i, r in enumerate(parcels_raw)),
                         {"survey_year": year}, problems)
    disposals = build_rows(land.Disposal, DISPOSAL_FIELDS,
                           ((r, where("disposals", i)) for i, r in enumerate(disposals_raw)), {}, problems)
    if problems:
        raise InputError(problems)
    ledger = land.Ledger(department=department.strip(), year=year, parcels=parcels, disposals=disposals)
    problems = check_ledger(ledger, lambda i, a: f"{source}: $.parcels[{i}].{a}",
                            lambda i, a: f"{source}: $.disposals[{i}].{a}")
    if problems:
        raise InputError(problems)
    return ledger


def read_json(path: Path) -> land.Ledger:
    try:
        with path.open(encoding="utf-8") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        raise InputError(f"找不到文件 {path}", str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"不是有效的 JSON 文件：{exc}", str(path)) from None
    return ledger_from_dict(data, path.name)


def write_json(ledger: land.Ledger, path: Path) -> None:
    path.write_text(json.dumps(ledger_to_dict(ledger), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
