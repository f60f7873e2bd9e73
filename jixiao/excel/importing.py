"""One entry point for every Excel upload: recognise the kind of workbook, read it completely,
check it, and return the data with the warnings — or raise InputError with every problem."""
from __future__ import annotations

import gc
import re
from pathlib import Path

from jixiao.core.errors import InputError, Problem
from jixiao.excel import bulk_schema as S
from jixiao.excel.bulk_read import Where, read_bulk
from jixiao.excel.forms_read import read_forms
from jixiao.excel.outcome import ImportOutcome
from jixiao.excel.workbook import VERSION_SHEET, open_book
from jixiao.exchange.validate import validate_semantics

_PATH = re.compile(r"^(.*?): (\$.*)$")


def _relocate(problems: list[Problem], where: Where) -> list[Problem]:
    """Semantic checks speak in exchange-format paths; name the cell instead when we know it
    (the field's own cell, or the first cell of the closest enclosing row)."""
    out = []
    for prob in problems:
        match = _PATH.match(prob.location)
        cell = where.locate(match.group(2)) if match else None
        out.append(Problem(cell, prob.message, prob.field) if cell else prob)
    return out


def import_file(path: str | Path) -> ImportOutcome:
    # Reading allocates millions of small objects and no reference cycles; with the cyclic
    # collector on, its repeated scans of everything alive cost as much as the reading itself.
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _import(Path(path))
    finally:
        if enabled:
            gc.enable()


def _import(p: Path) -> ImportOutcome:
    problems: list[Problem] = []
    with open_book(p, wanted={*S.SHEETS, VERSION_SHEET}) as book:
        warnings = list(book.warnings)
        names = set(book.sheet_names) | set(book.hidden)
        if S.DEPARTMENT_SHEET in names and S.INDICATOR_SHEET in names:
            dy, where = read_bulk(book, problems, warnings)
            if dy is not None and not problems:
                problems.extend(_relocate(validate_semantics(dy, p.name), where))
            if problems or dy is None:
                raise InputError(problems)
            return ImportOutcome(dy, warnings, "bulk", dy.department.code, dy.year)
        return read_forms(book, warnings)
