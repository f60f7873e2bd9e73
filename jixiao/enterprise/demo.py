"""The enterprise ledger's demo rows: ``jixiao demo`` (re)loads them into the demo department."""
from __future__ import annotations

from pathlib import Path

from jixiao.core import enterprise as ent
from jixiao.core.model import DepartmentYear
from jixiao.enterprise import records, store
from jixiao.services import ledgers

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "enterprise-2022.json"


def load_demo_ledger(dy: DepartmentYear) -> str:
    """The demo loader of this feature (``jixiao/features.py``): a line saying what was loaded."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledgers.load_demo("enterprise", ledger, "载入示例企业服务台账")
    feeds = ent.enterprise_feeds(store.load_summary(ledger.department, ledger.year))
    return (f"已载入示例企业服务台账 {ledger.year} 年度：规上工业企业 {feeds['enterprise.above_scale_count']}，"
            f"产值 {feeds['enterprise.above_scale_output']}，走访 {feeds['enterprise.visit_person_times']}（示例数据）")
