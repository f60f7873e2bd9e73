"""The investment ledger's demo rows: ``jixiao demo`` (re)loads them into the demo department."""
from __future__ import annotations

from pathlib import Path

from jixiao.core import invest
from jixiao.core.model import DepartmentYear
from jixiao.invest import records, store
from jixiao.services import ledgers

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "invest-2022.json"


def load_demo_ledger(dy: DepartmentYear) -> str:
    """The demo loader of this feature (``jixiao/features.py``): a line saying what was loaded."""
    ledger = records.read_json(DEMO_FILE)
    if ledger.department != dy.department.code:
        return ""
    ledgers.load_demo("invest", ledger, "载入示例招商台账")
    feeds = invest.invest_feeds(store.load_summary(ledger.department, ledger.year))
    return (f"已载入示例招商台账 {ledger.year} 年度：项目 {len(ledger.projects)} 个，"
            f"新洽谈入库 {feeds['invest.pool_entered']}，"
            f"注册 {feeds['invest.registered']}，实际利用外资 {feeds['invest.fdi_usd']}（示例数据）")
