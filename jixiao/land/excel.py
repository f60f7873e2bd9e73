"""The land ledger as an Excel workbook: sheets 宗地台账 and 处置跟踪 (``jixiao.ledgers.workbook``),
plus grey computed columns on the parcel sheet (亩, 公顷, 利用状态, 认定说明 …) that an import
ignores: the ledger's figures come from the rules, not from the sheet."""
from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from jixiao.core import land
from jixiao.core.display import fmt_value
from jixiao.land import records
from jixiao.ledgers.workbook import Computed
from jixiao.ledgers.workbook import read_workbook as read_tables
from jixiao.ledgers.workbook import write_workbook as write_tables

COMPUTED = ("用地面积（亩）", "用地面积（公顷）", "利用状态", "低效类型", "认定说明", "识别规则")
NOTES = (
    "面积以平方米填写（1公顷 = 15亩 = 10000平方米），金额以万元填写，投资额均不含土地价款和税费。",
    "灰色列（亩、公顷、利用状态、认定说明等）由系统按识别规则计算，导入时不读取。",
    "导入时全部校验通过才会保存，任何一处错误都会以“工作表!单元格”列出，不会部分导入。",
)


def write_workbook(ledger: land.Ledger, results: Iterable[land.Classification], path: Path) -> None:
    result_of = {c.parcel_id: c for c in results}

    def result(text: Callable[[land.Classification], str]) -> Callable[[land.Parcel], str]:
        return lambda p: text(result_of[p.parcel_id]) if p.parcel_id in result_of else ""

    computed: tuple[Computed, ...] = tuple(zip(COMPUTED, (
        lambda p: fmt_value(p.site_area_mu, 2), lambda p: fmt_value(p.site_area_ha, 4),
        result(lambda c: c.status), result(lambda c: "、".join(c.types)), result(lambda c: c.explanation),
        result(lambda c: f"{c.rule_id} v{c.rule_version}"),
    ), strict=True))
    write_tables(path, [(records.PARCELS, ledger.parcels), (records.DISPOSALS, ledger.disposals)],
                 [f"部门：{ledger.department}　摸查年度：{ledger.year}", *NOTES],
                 computed={records.PARCELS.key: computed}, width=14)


def read_workbook(path: Path, department: str, year: int) -> land.Ledger:
    rows, where = read_tables(path, records.TABLES, {"parcels": {"survey_year": year}}, ignored=COMPUTED)
    return records.checked(land.Ledger(department=department, year=year, parcels=rows["parcels"],
                                       disposals=rows["disposals"]), where)
