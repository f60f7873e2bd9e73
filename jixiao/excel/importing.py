"""One entry point for every Excel upload: recognise the kind of workbook, read it completely,
check it, and return the data with the warnings — or raise InputError with every problem.

A bulk workbook may hold several department-years (one 部门 row each): ``import_units`` reads
each of them on its own, for a batch import; ``import_file`` takes a workbook of one."""
from __future__ import annotations

import gc
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from jixiao.core.errors import InputError, Problem
from jixiao.excel import bulk_schema as S
from jixiao.excel.bulk_read import UnitRead, Where, read_units
from jixiao.excel.forms_read import read_forms
from jixiao.excel.outcome import ImportOutcome
from jixiao.excel.workbook import VERSION_SHEET, Book, open_book
from jixiao.exchange.validate import validate_semantics

_PATH = re.compile(r"^(.*?): (\$.*)$")
# Department-years named in the refusal of a several-department workbook by ``import_file``.
_NAMED = 5
T = TypeVar("T")


@dataclass
class Unit:
    """One department-year of a bulk workbook: its outcome, or the problems that keep it out."""

    code: str
    year: int | None
    label: str  # "demo/2022"
    place: str  # the cell of its 部门 row
    outcome: ImportOutcome | None = None
    problems: list[Problem] = field(default_factory=list)


def _relocate(problems: list[Problem], where: Where) -> list[Problem]:
    """Semantic checks speak in exchange-format paths; name the cell instead when we know it
    (the field's own cell, or the first cell of the closest enclosing row)."""
    out = []
    for prob in problems:
        match = _PATH.match(prob.location)
        cell = where.locate(match.group(2)) if match else None
        out.append(Problem(cell, prob.message, prob.field) if cell else prob)
    return out


@contextmanager
def _no_cyclic_gc() -> Iterator[None]:
    # Reading allocates millions of small objects and no reference cycles; with the cyclic
    # collector on, its repeated scans of everything alive cost as much as the reading itself.
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def import_file(path: str | Path) -> ImportOutcome:
    with _no_cyclic_gc():
        return _import(Path(path))


def import_units(path: str | Path) -> list[Unit] | None:
    """Every department-year of a bulk workbook, each read and checked on its own: a unit with
    problems carries them and the others are unaffected. None when the file is not a bulk
    workbook (standard forms: ``import_file``); InputError for what concerns the whole file (not
    a workbook, a missing sheet or column)."""
    p = Path(path)
    with _no_cyclic_gc():
        return _with_book(p, lambda book: _units(book, p) if _is_bulk(book) else None)


def _with_book(p: Path, read: Callable[[Book], T]) -> T:
    with open_book(p, wanted={*S.SHEETS, VERSION_SHEET}) as book:
        return read(book)


def _is_bulk(book: Book) -> bool:
    names = set(book.sheet_names) | set(book.hidden)
    return S.DEPARTMENT_SHEET in names and S.INDICATOR_SHEET in names


def _units(book: Book, p: Path) -> list[Unit]:
    problems: list[Problem] = []
    warnings = list(book.warnings)
    reads = read_units(book, problems, warnings)
    if problems:
        raise InputError(problems)
    return [_checked(read, warnings, p) for read in reads]


def _checked(read: UnitRead, warnings: list[Problem], p: Path) -> Unit:
    unit = Unit(read.code, read.year, read.label, read.place, problems=list(read.problems))
    dy = read.dy
    if dy is not None and not unit.problems:
        unit.problems.extend(_relocate(validate_semantics(dy, p.name), read.where))
    if dy is not None and not unit.problems:
        unit.outcome = ImportOutcome(dy, list(warnings), "bulk", dy.department.code, dy.year)
    return unit


def _import(p: Path) -> ImportOutcome:
    with open_book(p, wanted={*S.SHEETS, VERSION_SHEET}) as book:
        if not _is_bulk(book):
            return read_forms(book, list(book.warnings))
        units = _units(book, p)
    if len(units) == 1:
        (unit,) = units
        if unit.outcome is None:
            raise InputError(unit.problems)
        return unit.outcome
    named = "、".join(u.label for u in units[:_NAMED]) + ("等" if len(units) > _NAMED else "")
    raise InputError([Problem(p.name, f"该工作簿包含 {len(units)} 个部门年度（{named}），逐个导入请用批量导入："
                                      "命令行 jixiao import-batch，或网页“Excel 上传”页的“批量导入”", "部门")])
