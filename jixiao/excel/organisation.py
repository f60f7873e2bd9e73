"""The organisation workbook: the bureau's unit list and user list, as jixiao exports it and
reads it back (``jixiao org export`` / ``jixiao org import``, the 组织与用户 page).

Sheets 单位 and 用户 with one header row each (columns found by their labels, so a bureau may
reorder them or paste its own list under the headers), a 说明 sheet with the instructions, and the
export time in the very-hidden ``_jixiao`` sheet: a row changed in jixiao after that time and
changed again in the file is a conflict, as in every other import.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from jixiao.core import organisation as org
from jixiao.core.errors import InputError, Problem
from jixiao.excel.cells import addr, is_blank, label_key, to_text
from jixiao.excel.workbook import open_book

UNIT_SHEET, USER_SHEET, HELP_SHEET, META_SHEET = "单位", "用户", "说明", "_jixiao"
UNIT_COLUMNS = ("单位编码", "单位名称", "上级单位编码", "类型", "统一社会信用代码", "状态")
USER_COLUMNS = ("姓名", "登录名", "单位编码", "角色", "联系电话", "状态")
REQUIRED = {UNIT_SHEET: ("单位编码", "单位名称"), USER_SHEET: ("登录名", "姓名", "单位编码", "角色")}
STATES = ("启用", "停用")
HELP = (
    "单位与用户名单（由 jixiao 导出，可直接填写后导入）",
    "1. “单位”表每行一个单位：单位编码唯一；上级单位编码填写其主管部门或财政局的编码（顶级财政局留空）；"
    "类型为财政局、主管部门或单位；统一社会信用代码可不填，填写时须为 18 位并通过校验。",
    "2. “用户”表每行为一个用户在一个单位的角色：同一登录名可在不同单位各占一行。新建用户的初始密码在导入后显示一次，"
    "用户首次登录时须修改。",
    "3. 单位和用户不能删除，只能把“状态”改为“停用”。",
    "4. 导入前会先显示预览：新增、修改和问题逐行列出；有问题或冲突时不导入任何内容。",
    "5. 如导出后他人在系统中修改了同一单位或用户，而本表也修改了它，导入时会列为冲突，请重新导出后再改。",
)


def write_workbook(path: str | Path, units: Iterable[org.UnitRow], users: Iterable[org.UserRow],
                   exported_at: datetime) -> None:
    wb = Workbook()
    head = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    sheets = ((UNIT_SHEET, UNIT_COLUMNS, [(u.code, u.name, u.parent_code, u.kind, u.credit_code,
                                           "启用" if u.active else "停用") for u in units]),
              (USER_SHEET, USER_COLUMNS, [(u.name, u.username, u.unit_code, u.role, u.phone,
                                           "启用" if u.active else "停用") for u in users]))
    wb.remove(wb.worksheets[0])
    for title, columns, rows in sheets:
        ws = wb.create_sheet(title)
        ws.append(list(columns))
        for c in ws[1]:
            c.font, c.fill = head, fill
        for row in rows:
            ws.append(list(row))
        for i, width in enumerate((16, 30, 16, 12, 22, 8)):
            ws.column_dimensions[chr(ord("A") + i)].width = width
        ws.freeze_panes = "A2"
        # every code-like column is text: 001 stays 001, a credit code never becomes a number
        for col in (("A", "C", "E") if title == UNIT_SHEET else ("B", "C", "E")):
            ws.column_dimensions[col].number_format = "@"
            for r in range(2, len(rows) + 2):
                ws[f"{col}{r}"].number_format = "@"
        choices = {UNIT_SHEET: {"D": org.UNIT_KINDS, "F": STATES},
                   USER_SHEET: {"D": org.ROLES, "F": STATES}}[title]
        for col, values in choices.items():
            dv = DataValidation(type="list", formula1='"' + ",".join(values) + '"', allow_blank=True,
                                error="请从下拉列表中选择", errorTitle="取值无效", showErrorMessage=True)
            ws.add_data_validation(dv)
            dv.add(f"{col}2:{col}2000")
    help_ws = wb.create_sheet(HELP_SHEET)
    for line in HELP:
        help_ws.append([line])
    help_ws.column_dimensions["A"].width = 110
    for row in help_ws.iter_rows():
        for c in row:
            c.alignment = Alignment(wrap_text=True, vertical="top")
    help_ws["A1"].font = Font(bold=True, size=14)
    meta = wb.create_sheet(META_SHEET)
    meta.append(["format", "jixiao-organisation"])
    meta.append(["exported_at", exported_at.isoformat()])
    meta.sheet_state = "veryHidden"
    wb.save(path)


def _text(value: object) -> str:
    return "" if is_blank(value) else to_text(value).strip()


def _columns(header: list, sheet: str) -> dict[str, int]:
    wanted = {label_key(c): c for c in (UNIT_COLUMNS if sheet == UNIT_SHEET else USER_COLUMNS)}
    found: dict[str, int] = {}
    for i, cell in enumerate(header):
        key = label_key(cell)
        if key in wanted and wanted[key] not in found:
            found[wanted[key]] = i
    return found


def read_workbook(path: str | Path) -> tuple[list[org.UnitRow], list[org.UserRow], datetime | None]:
    """The unit and user rows of an organisation workbook, each with its sheet!cell. A sheet
    may be absent (only units, or only users); a present sheet needs its required columns."""
    p = Path(path)
    with open_book(p, wanted={META_SHEET}) as book:
        names = set(book.sheet_names)
        if UNIT_SHEET not in names and USER_SHEET not in names:
            raise InputError([Problem(p.name, f"未找到“{UNIT_SHEET}”或“{USER_SHEET}”工作表：请使用 jixiao 导出的"
                                              "单位与用户名单模板（组织与用户页面或 jixiao org export）")])
        problems: list[Problem] = []
        units: list[org.UnitRow] = []
        users: list[org.UserRow] = []
        for sheet in (UNIT_SHEET, USER_SHEET):
            if sheet not in names:
                continue
            grid = book.grid(sheet)
            cols = _columns(grid.rows[0] if grid.rows else [], sheet)
            missing = [c for c in REQUIRED[sheet] if c not in cols]
            if missing:
                problems.append(Problem(f"{sheet}!1", f"表头缺少列：{'、'.join(missing)}"))
                continue
            for r in range(1, len(grid.rows)):
                values = {label: _text(grid.get(r, c)) for label, c in cols.items()}
                if not any(values.values()):
                    continue
                where = addr(sheet, r, 0)
                state = values.get("状态") or "启用"
                if state not in STATES:
                    problems.append(Problem(addr(sheet, r, cols["状态"]), f"状态「{state}」无效，应为启用或停用",
                                            "状态"))
                if sheet == UNIT_SHEET:
                    units.append(org.UnitRow(
                        code=org.clean_code(values["单位编码"]), name=values["单位名称"],
                        parent_code=org.clean_code(values.get("上级单位编码", "")), kind=values.get("类型") or "单位",
                        credit_code=org.clean_code(values.get("统一社会信用代码", "")).upper(),
                        active=state != "停用", location=where))
                else:
                    users.append(org.UserRow(
                        username=org.clean_code(values["登录名"]), name=values["姓名"],
                        unit_code=org.clean_code(values["单位编码"]), role=values["角色"],
                        phone=org.clean_code(values.get("联系电话", "")), active=state != "停用", location=where))
        exported_at = None
        if META_SHEET in book.hidden:
            meta = book.grid(META_SHEET)
            for row in meta.rows:
                if len(row) > 1 and row[0] == "exported_at" and row[1]:
                    try:
                        exported_at = datetime.fromisoformat(str(row[1]))
                    except ValueError:
                        problems.append(Problem(f"{META_SHEET}!B2", "导出时间无法识别，请重新导出模板"))
    if problems:
        raise InputError(problems)
    return units, users, exported_at
