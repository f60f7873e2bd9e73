"""The land ledger's demo rows: ``jixiao demo`` (re)loads them into the demo department."""
from __future__ import annotations

from pathlib import Path

from jixiao.core import land
from jixiao.core.model import DepartmentYear
from jixiao.land import records, store
from jixiao.services import ledgers

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "land-2022.json"


def load_demo_ledger(dy: DepartmentYear) -> str:
    """The demo loader of this feature (``jixiao/features.py``): a line saying what was loaded."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledgers.load_demo("land", ledger, "载入示例土地台账")
    s = store.load_summary(ledger.department, ledger.year)
    return (f"已载入示例土地台账 {ledger.year} 年度：摸查地块 {s.parcels.count} 宗，"
            f"低效用地 {s.low_efficiency.count} 个，"
            f"{land.land_feeds(s)['land.low_efficiency_area_ha']}（示例数据）")
