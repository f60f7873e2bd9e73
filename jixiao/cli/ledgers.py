"""The command-line scaffolding of the park ledgers: ``jixiao <ledger> summary|import|export``
with the same arguments, checks and messages for each. A ledger's command module adds its own
subcommands and the parts that differ (what is read and printed); every write goes through
``jixiao.services.ledgers`` as the command-line actor."""
from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jixiao import features
from jixiao.cli.core_cmds import setup_database
from jixiao.core.errors import InputError
from jixiao.services import ledgers
from jixiao.services.actor import system_actor

Handler = Callable[[argparse.Namespace], int]

# the arguments an Excel import needs, since a workbook has no header: flag, metavar, noun, help
_EXCEL_ARGS = {
    "department": ("--department", "部门编码", "部门", "Excel 文件须指定部门"),
    "year": ("--year", "年度", "年度", "Excel 文件须指定年度"),
    "unit": ("--unit", "计分单位", "计分单位", "Excel 文件须指定本部门在分成计分中的单位名称"),
}


def setup() -> None:
    setup_database()


def ledger_commands(sub: argparse._SubParsersAction, name: str) -> argparse._SubParsersAction:
    """``jixiao <name>`` with the help its feature declares (``jixiao/features.py``): its
    subcommand parsers; without a subcommand it prints its help (exit 2)."""
    declared = features.command(name)
    p = sub.add_parser(name, help=declared.help if declared else None)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])
    return p.add_subparsers(dest=f"{name}_command", metavar="子命令", parser_class=type(p))


def department_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--department", required=True, metavar="部门编码")
    p.add_argument("--year", type=int, required=True, metavar="年度")


def add_command(sub: argparse._SubParsersAction, name: str, help: str, func: Handler,
                json_output: bool = False) -> argparse.ArgumentParser:
    """A subcommand on one department-year, optionally with ``--json``."""
    p = sub.add_parser(name, help=help)
    department_args(p)
    if json_output:
        p.add_argument("--json", action="store_true", help="输出 JSON")
    p.set_defaults(func=func)
    return p


def add_import(sub: argparse._SubParsersAction, noun: str, func: Handler,
               excel_needs: tuple[str, ...] = ("department", "year")) -> None:
    p = sub.add_parser("import", help=f"导入{noun} .json 或 .xlsx（全部成功或全部不导入）")
    p.add_argument("file", metavar="文件")
    for key in excel_needs:
        flag, metavar, _, text = _EXCEL_ARGS[key]
        p.add_argument(flag, type=int if key == "year" else str, metavar=metavar, help=text)
    p.add_argument("--reason", default="", help="变更原因，记入变更记录")
    p.add_argument("--dry-run", action="store_true", help="只预览将新增、修改、删除的记录，不保存")
    p.add_argument("--delete-missing", action="store_true",
                   help="删除文件中没有的已保存记录（默认保留，并在预览中列出）")
    p.set_defaults(func=func, excel_needs=excel_needs)


def add_export(sub: argparse._SubParsersAction, noun: str, func: Handler) -> None:
    p = sub.add_parser("export", help=f"导出{noun}为 .json 或 .xlsx")
    department_args(p)
    p.add_argument("-o", "--output", required=True, metavar="文件", help=".json 或 .xlsx")
    p.set_defaults(func=func)


def print_json(data: Any) -> int:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return 0


def import_file(args: argparse.Namespace, read_json: Callable[[Path], Any], read_excel: Callable[[Path], Any]) -> Any:
    """The ledger of ``args.file``: a JSON file names its department and year (which must agree
    with any given), a workbook takes them (and whatever else ``excel_needs``) from the arguments."""
    path = Path(args.file)
    if not path.is_file():
        raise InputError("找不到该文件，请检查路径", str(path))
    suffix = path.suffix.lower()
    if suffix == ".json":
        ledger = read_json(path)
        if args.department and args.department != ledger.department or args.year and args.year != ledger.year:
            raise InputError(f"文件中的部门、年度为 {ledger.department} {ledger.year}，与参数不一致", path.name)
        return ledger
    if suffix == ".xlsx":
        needs = args.excel_needs
        if not all(getattr(args, key) for key in needs):
            flags = [_EXCEL_ARGS[k][0] for k in needs]
            nouns = [_EXCEL_ARGS[k][2] for k in needs]
            raise InputError(f"导入 Excel 台账须用 {'、'.join(flags[:-1])} 和 {flags[-1]} "
                             f"指明{'、'.join(nouns[:-1])}和{nouns[-1]}", "参数")
        return read_excel(path)
    raise InputError(f"不支持的文件类型“{suffix or path.name}”，请使用 .json 或 .xlsx", path.name)


def import_reason(args: argparse.Namespace) -> str:
    return args.reason or f"导入 {Path(args.file).name}"


def run_import(args: argparse.Namespace, key: str, ledger: Any, done: Callable[[Any, ledgers.Saved], str]) -> int:
    """Preview, then (unless ``--dry-run``) store the file's ledger as the command-line actor."""
    setup()
    actor, source = system_actor(), Path(args.file).name
    if args.dry_run:
        preview = ledgers.preview_import(actor, key, ledger, source=source, confirm_delete=args.delete_missing)
        print(preview.text(args.delete_missing))
        return 0
    preview, saved = ledgers.import_ledger(actor, key, ledger, source=source, reason=import_reason(args),
                                           confirm_delete=args.delete_missing)
    print(preview.text(args.delete_missing))
    print(done(ledger, saved))
    return 0


def export_path(args: argparse.Namespace) -> Path:
    out = Path(args.output)
    if out.suffix.lower() not in (".json", ".xlsx"):
        raise InputError("输出文件应以 .json 或 .xlsx 结尾", str(out))
    if not out.parent.is_dir():
        raise InputError("输出目录不存在", str(out.parent))
    return out


def write_atomically(out: Path, write_json: Callable[[Path], None], write_excel: Callable[[Path], None]) -> None:
    """Write through a temporary file beside ``out``: a failed export leaves no half-written file."""
    tmp = out.with_name(f".{out.stem}.part{out.suffix}")
    try:
        (write_json if out.suffix.lower() == ".json" else write_excel)(tmp)
        tmp.replace(out)
    finally:
        tmp.unlink(missing_ok=True)
