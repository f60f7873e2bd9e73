"""The labels a published 自评表 is recognised by, and the codes of what reading finds (R-…):
data in ``jixiao/rules/published.json``, plus the labels and aliases of jixiao's own forms
(``jixiao/excel/form_layout.py``), since a form retyped elsewhere is a published table as well."""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from jixiao.excel import form_layout as L
from jixiao.excel.forms_read.sheet import key

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "published.json"
INDICATOR_ATTRS = ("level1", "level2", "name", "target_text", "actual_text", "weight", "score", "deviation_reason",
                   "unit")


@dataclass(frozen=True)
class Labels:
    columns: dict[str, str]  # label key -> indicator attribute
    header: dict[str, str]  # label key -> header attribute
    funds: dict[str, set[str]]  # role -> label keys
    goal: set[str]
    goal_expected: set[str]
    goal_actual: set[str]
    total: set[str]
    grade: set[str]
    stop: set[str]
    department_titles: tuple[str, ...]
    project_titles: tuple[str, ...]
    checks: dict[str, tuple[str, str]]  # code -> (severity, title)


def _keys(labels: list[str]) -> set[str]:
    return {key(x) for x in labels}


@lru_cache(maxsize=1)
def labels() -> Labels:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    columns: dict[str, str] = {}
    for attr, names in data["indicator_columns"].items():
        for name in names:
            columns.setdefault(key(name), attr)
    own = dict(L.INDICATOR_COLUMNS["self-eval"])
    for label, attr in own.items():
        if attr in INDICATOR_ATTRS:
            for variant in (label, *L.COLUMN_ALIASES.get(label, ())):
                columns.setdefault(key(variant), attr)
    header: dict[str, str] = {}
    for attr, names in data["header_labels"].items():
        for name in names:
            header.setdefault(key(name), attr)
    funds = {role: _keys(names) for role, names in data["funds"].items()}
    footer = data["footer"]
    return Labels(columns, header, funds, _keys(data["goal_labels"]), _keys(data["goal_expected"]),
                  _keys(data["goal_actual"]), _keys(footer["total"]), _keys(footer["grade"]), _keys(footer["stop"]),
                  tuple(data["titles"]["department"]), tuple(data["titles"]["project"]),
                  {c: (v["severity"], v["title"]) for c, v in data["checks"].items()})




def severity(code: str) -> str:
    return labels().checks[code][0]


def titles() -> dict[str, str]:
    return {code: title for code, (_, title) in labels().checks.items()}
