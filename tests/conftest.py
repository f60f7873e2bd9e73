"""Shared fixtures. Pure tests need no database: pytest-django creates the test database only
for tests that ask for it (``db`` or the fixtures below)."""
from __future__ import annotations

from pathlib import Path

import pytest

from jixiao.core.model import DepartmentYear

DEMO_FILE = Path(__file__).resolve().parents[1] / "jixiao" / "data" / "demo" / "department-2022.json"


@pytest.fixture
def demo_dy() -> DepartmentYear:
    """The demo department-year, freshly read (tests may change it)."""
    from jixiao import exchange

    return exchange.read_file(DEMO_FILE)


@pytest.fixture
def stored_demo(db, demo_dy: DepartmentYear) -> DepartmentYear:
    """The demo department-year saved in the test database; returns what was saved."""
    from jixiao.budget.store import save_department_year

    save_department_year(demo_dy, user="pytest", reason="测试数据")
    return demo_dy
