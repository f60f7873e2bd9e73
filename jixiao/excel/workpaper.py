"""The reviewer's workpaper as a workbook: 复核底稿, 偏离度 and 差值表 (openpyxl)."""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from jixiao.core.display import fmt_rate, fmt_score
from jixiao.core.workpaper import Workpaper

HEAD = Font(bold=True)
FILL = PatternFill("solid", fgColor="DDEBF7")
DIFF = PatternFill("solid", fgColor="FCE4D6")


def _score(v: Decimal | None) -> float | str:
    return float(fmt_score(v)) if v is not None else "—"


def _rate(v: Decimal | None) -> str:
    return fmt_rate(v) if v is not None else "—"


def write_workpaper(wp: Workpaper, path: str | Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "复核底稿"
    sheets = {
        "复核底稿": (["项目", "一级指标", "二级指标", "三级指标", "指标性质", "指标值", "权重", "自评完成值",
                    "自评得分", "复核完成值", "复核得分", "备注"],
                   [[r.project_name, r.level1, r.level2, r.name, r.nature, r.target, _score(r.weight), r.self_actual,
                     _score(r.self_score), r.review_actual, _score(r.review_score), r.note] for r in wp.rows]),
        "偏离度": (["项目", "三级指标", "权重", "目标完成率", "自评得分", "自评得分率", "偏离度"],
                 [[r.project_name, r.name, _score(r.weight), _rate(r.completion), _score(r.self_score),
                   _rate(r.self_rate), _rate(r.deviation)] for r in wp.rows]),
        "差值表": (["项目", "三级指标", "自评得分", "复核得分", "差值（自评−复核）"],
                 [[r.project_name, r.name, _score(r.self_score), _score(r.review_score), _score(r.difference)]
                  for r in wp.rows]
                 + [[f"{name} 合计", "", _score(own), _score(review), _score(own - review)]
                    for _, name, own, review in wp.by_project()]),
    }
    first = True
    for title, (head, rows) in sheets.items():
        sheet = ws if first else wb.create_sheet(title)
        first = False
        sheet.append([f"{wp.department} {wp.year} 年度绩效自评复核{title}（规则包 {wp.pack}）"])
        sheet["A1"].font = Font(bold=True, size=13)
        sheet.append(head)
        for c in sheet[2]:
            c.font, c.fill = HEAD, FILL
        for row in rows:
            sheet.append(row)
            last = sheet[sheet.max_row]
            if title == "差值表" and isinstance(row[-1], float) and row[-1] != 0:
                for c in last:
                    c.fill = DIFF
        for n in range(1, len(head) + 1):
            letter = get_column_letter(n)
            sheet.column_dimensions[letter].width = 14 if letter not in ("A", "D", "L") else 28
        for row_cells in sheet.iter_rows(min_row=3):
            for c in row_cells:
                c.alignment = Alignment(wrap_text=True, vertical="top")
        sheet.freeze_panes = "A3"
        sheet.print_title_rows = "2:2"
    wb.save(str(path))
