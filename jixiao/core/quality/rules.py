"""Thresholds, word lists and the check catalogue, read from ``jixiao/rules/quality.json``.

Localities disagree on what counts as "too low" or as boilerplate, so none of it lives in code:
``defaults`` hold the values for every scoring scheme and ``schemes.<id>`` replaces single entries
for one scheme (a whole entry is replaced, lists are not merged, so an override can also
shorten a list).
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any

from jixiao.core.errors import InputError, Problem

RULES_FILE = Path(__file__).resolve().parent.parent.parent / "rules" / "quality.json"
SEVERITIES: tuple[str, ...] = ("错误", "警告", "提示")


@dataclass(frozen=True)
class Check:
    severity: str  # one of SEVERITIES
    title: str  # short Chinese name, used in summaries and the report draft


@dataclass(frozen=True)
class QualityRules:
    version: str
    scheme: str | None  # the scheme id whose overrides were applied, None = defaults only
    target_low_margin: Decimal  # over-completion share above which a target counts as too low
    # a stated score or total is compared at the decimals it is printed with; a whole number
    # ("20", "97") is taken as printed with this many (a form prints whole scores without ".00")
    whole_score_places: int
    execution_explain_below: Decimal  # execution rate (fraction) under which an explanation is due
    min_indicators: int
    vague_words: tuple[str, ...]
    input_indicator_names: tuple[str, ...]
    output_level1: tuple[str, ...]
    count_level2: tuple[str, ...]
    count_units: tuple[str, ...]
    rate_name_endings: tuple[str, ...]
    rate_name_exceptions: tuple[str, ...]
    count_name_endings: tuple[str, ...]
    count_name_exceptions: tuple[str, ...]
    satisfaction_words: tuple[str, ...]
    carry_over_names: tuple[str, ...]  # indicators that state the carry-over rate (结转结余率)
    boilerplate_phrases: tuple[str, ...]
    checks: dict[str, Check]

    def severity(self, code: str) -> str:
        return self.checks[code].severity

    def title(self, code: str) -> str:
        return self.checks[code].title

    def __hash__(self) -> int:  # dict field: the file version and scheme identify the rules
        return hash((self.version, self.scheme))


def rules_from_dict(data: dict[str, Any], scheme_id: str | None = None, where: str = "quality.json") -> QualityRules:
    """Build the rules for one scheme; every problem in the file is reported at once."""
    problems: list[Problem] = []
    values: dict[str, Any] = dict(data.get("defaults") or {})
    overrides = (data.get("schemes") or {}).get(scheme_id or "", {})
    values.update(overrides)

    def dec(key: str) -> Decimal:
        raw = values.get(key)
        try:
            value = Decimal(str(raw))
            if value.is_finite() and value >= 0:
                return value
        except InvalidOperation:
            pass
        problems.append(Problem(f"{where}: {key}", f"应为非负数值，实际为「{raw}」"))
        return Decimal(0)

    def words(key: str) -> tuple[str, ...]:
        raw = values.get(key)
        if not isinstance(raw, list) or not all(isinstance(w, str) and w for w in raw):
            problems.append(Problem(f"{where}: {key}", "应为非空文字组成的列表"))
            return ()
        return tuple(raw)

    checks: dict[str, Check] = {}
    for code, spec in (data.get("checks") or {}).items():
        severity = (spec or {}).get("severity")
        if severity not in SEVERITIES:
            problems.append(Problem(f"{where}: checks.{code}.severity", f"应为{'、'.join(SEVERITIES)}之一"))
            continue
        checks[code] = Check(severity, str(spec.get("title") or code))
    def count(key: str) -> int:
        raw = values.get(key)
        if isinstance(raw, bool) or not isinstance(raw, int) or raw < 0:
            problems.append(Problem(f"{where}: {key}", f"应为非负整数，实际为「{raw}」"))
            return 0
        return raw

    minimum = count("min_indicators")
    whole_places = count("whole_score_places")
    # keyword arguments are evaluated in order: the problems come in the order of the fields
    rules = QualityRules(
        version=str(data.get("version", "")), scheme=scheme_id,
        target_low_margin=dec("target_low_margin"), whole_score_places=whole_places,
        execution_explain_below=dec("execution_explain_below"), min_indicators=minimum,
        vague_words=words("vague_words"), input_indicator_names=words("input_indicator_names"),
        output_level1=words("output_level1"), count_level2=words("count_level2"), count_units=words("count_units"),
        rate_name_endings=words("rate_name_endings"), rate_name_exceptions=words("rate_name_exceptions"),
        count_name_endings=words("count_name_endings"), count_name_exceptions=words("count_name_exceptions"),
        satisfaction_words=words("satisfaction_words"), boilerplate_phrases=words("boilerplate_phrases"),
        carry_over_names=words("carry_over_names"),
        checks=checks,
    )
    if problems:
        raise InputError(problems)
    return rules


@lru_cache(maxsize=64)
def load_rules(scheme_id: str | None = None) -> QualityRules:
    """The rules of ``quality.json`` with the overrides of ``scheme_id`` applied."""
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return rules_from_dict(data, scheme_id)
