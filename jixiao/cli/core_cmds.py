"""``jixiao score`` and what the command modules share: reading a department-year from a file,
setting up the database, the demo department's file.

Scoring a file needs no database, not even a usable ``DATABASE_URL``: this module does not need
Django configured (``django=False`` in ``jixiao/features.py``) and only scoring a stored
department-year loads the database layer, after ``setup_database()``.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError

from jixiao import cli, exchange
from jixiao.budget.feeds import collect_feeds
from jixiao.core.errors import InputError
from jixiao.core.model import DepartmentYear
from jixiao.core.scoring import score_department
from jixiao.published import SUPPORTED, read_if_published
from jixiao.scorecard import scorecard_dict, scorecard_text

DEMO_FILE = Path(__file__).resolve().parent.parent / "data" / "demo" / "department-2022.json"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("score", help="计算评分：从文件（不使用数据库）或数据库中的部门年度")
    p.add_argument("file", nargs="?", metavar="文件",
                   help=".json、.xlsx，或已发布的自评表（.xls/.docx/.pdf）；省略时用 --department 与 --year")
    department_args(p, required=False)
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=cmd_score)


def department_args(p: argparse.ArgumentParser, required: bool) -> None:
    p.add_argument("--department", required=required, metavar="部门编码")
    p.add_argument("--year", type=int, required=required, metavar="年度")


def setup_database(migrate_postgres: bool = False) -> None:
    """Django with the schema in place; configuration and connection problems become InputError."""
    try:
        cli.django_setup(migrate_postgres)
    except ImproperlyConfigured as exc:
        raise InputError(f"配置有误：{exc}", location="环境变量") from None
    except OperationalError as exc:
        raise InputError(f"无法连接数据库，请检查 DATABASE_URL：{exc}".strip(), location="数据库") from None


def read_department_year(path: str) -> DepartmentYear:
    """A department-year from an exchange-format .json, a bulk .xlsx workbook, or a published 自评表."""
    p = Path(path)
    if not p.is_file():
        raise InputError("找不到该文件，请检查路径", location=str(path))
    suffix = p.suffix.lower()
    if suffix == ".json":
        return exchange.read_file(p)
    reading = read_if_published(p)  # a published 自评表 (.xlsx/.xls/.docx/.pdf) in a local layout
    if reading is not None:
        return reading.dy
    if suffix == ".xlsx":
        from jixiao import excel  # noqa: PLC0415 — openpyxl (and numpy) only for a workbook: a .json starts faster

        return excel.read_workbook(p)
    raise InputError(f"不支持的文件类型「{suffix or p.name}」，{SUPPORTED}", location=p.name)


def cmd_score(args: argparse.Namespace) -> int:
    if args.file:
        if args.department or args.year:
            raise InputError("请只指定文件，或只指定 --department 与 --year，不要同时指定", location="参数")
        # Straight from the file: no database, no ledger feeds beyond the file's own figures.
        result = score_department(read_department_year(args.file))
    else:
        if not (args.department and args.year):
            raise InputError("请指定要评分的文件，或同时指定 --department 与 --year", location="参数")
        setup_database()
        from jixiao.budget.store import load_department_year  # noqa: PLC0415 — models: Django only for the database

        dy = load_department_year(args.department, args.year)
        result = score_department(dy, collect_feeds(args.department, args.year))
    if args.json:
        print(json.dumps(scorecard_dict(result), ensure_ascii=False, indent=2))
    else:
        print(scorecard_text(result), end="")
    return 0
