"""The land ledger's cross-row checks, every problem located through ``where`` (table key, row
index, attribute) → ``file: $.parcels[3].footprint_m2`` or ``宗地台账!F12``."""
from __future__ import annotations

from typing import Any

from jixiao.core.errors import Problem
from jixiao.core.land.records import Ledger
from jixiao.core.ledger import Where, duplicate_problems


def check_ledger(ledger: Ledger, rules: Any, where: Where) -> list[Problem]:
    """Unique parcel ids within the survey year; per parcel the facts its status needs; disposals
    of known parcels within their area. ``rules`` (the year's rule set) is not consulted yet."""
    def parcel_where(i: int, attr: str) -> str:
        return where("parcels", i, attr)

    def disposal_where(i: int, attr: str) -> str:
        return where("disposals", i, attr)

    problems = duplicate_problems(ledger.parcels, "parcel_id", "宗地编号", parcel_where, "，每宗地只能登记一次")
    for i, p in enumerate(ledger.parcels):
        if p.survey_year != ledger.year:
            problems.append(Problem(parcel_where(i, "survey_year"),
                                    f"摸查年度{p.survey_year}与台账年度{ledger.year}不一致", "摸查年度"))
        if p.footprint_m2 > p.site_area_m2:
            problems.append(Problem(parcel_where(i, "footprint_m2"), "基底面积不能大于用地面积",
                                    "基底面积（平方米）"))
        if p.status_override and not p.override_reason.strip():
            problems.append(Problem(parcel_where(i, "override_reason"), "人工认定状态时须写明理由", "人工认定理由"))
        if p.construction_status == "停建" and p.suspension_start_date is None:
            problems.append(Problem(parcel_where(i, "suspension_start_date"), "停建的宗地须填写停建起始日期",
                                    "停建起始日期"))
        if p.construction_status == "未动工" and p.agreed_start_date is None:
            problems.append(Problem(parcel_where(i, "agreed_start_date"), "未动工的宗地须填写约定动工日期",
                                    "约定动工日期"))
    areas = {p.parcel_id: p.site_area_m2 for p in ledger.parcels}
    for i, d in enumerate(ledger.disposals):
        if d.parcel_id not in areas:
            problems.append(Problem(disposal_where(i, "parcel_id"),
                                    f"宗地编号“{d.parcel_id}”不在本年度台账中，请先登记该宗地", "宗地编号"))
        elif d.area_m2 > areas[d.parcel_id]:
            problems.append(Problem(disposal_where(i, "area_m2"), "处置面积不能大于该宗地的用地面积",
                                    "处置面积（平方米）"))
        if d.disposed_m2 > d.area_m2:
            problems.append(Problem(disposal_where(i, "disposed_m2"), "已处置面积不能大于处置面积",
                                    "已处置面积（平方米）"))
        if d.finish_date and d.start_date and d.finish_date < d.start_date:
            problems.append(Problem(disposal_where(i, "finish_date"), "完成日期早于开始日期", "完成日期"))
    return problems
