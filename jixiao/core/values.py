"""Value rules for an indicator's 实际完成值: what is refused outright and what must be confirmed.

A value is read the way scoring reads it (``jixiao.core.targets.parse_actual``) and compared with
the indicator's target and last year's actual:

- **refused**: a negative count or share, a share (满意度, 合格率, 覆盖率 …) outside 0–100 %, a unit
  that differs from the target's and cannot be converted (scoring could not compare them), a
  figure beyond any plausible magnitude;
- **asked** (stored only after the user confirms): a figure far from the target or from last
  year's actual, and a bare fraction such as ``0.96`` against a percent target — "是否为 96%？",
  with ``96%`` as the suggested value.

Text that carries no figure (qualitative results, dates, blanks) passes: blanks are a state and
unreadable text is a quality finding, not a refusal. Thresholds and word lists are rules data
(``jixiao/rules/values.json``). Pure: no Django.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jixiao.core.display import fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import Indicator
from jixiao.core.money import canonical_unit, unit_factor
from jixiao.core.targets import Target, TargetError, parse_actual, parse_target

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "values.json"
HUNDRED = Decimal(100)


@dataclass(frozen=True)
class ValueRules:
    version: str
    share_words: tuple[str, ...]
    share_min: Decimal
    share_max: Decimal
    count_units: frozenset[str]
    max_magnitude: Decimal
    far_from_target: Decimal
    far_from_last_year: Decimal
    fraction_max: Decimal


@dataclass(frozen=True)
class Question:
    """A value that is stored only once the user confirms it; ``suggestion`` is the value the
    user probably meant (offered as the other answer), when there is one."""

    message: str
    suggestion: str | None = None


@dataclass(frozen=True)
class ValueCheck:
    refusals: tuple[str, ...] = ()
    questions: tuple[Question, ...] = ()


class Unconfirmed(InputError):
    """The value needs the user's confirmation (``questions``); resubmit with ``confirm``."""

    def __init__(self, problems: list[Problem], questions: tuple[Question, ...]):
        super().__init__(problems)
        self.questions = questions


def rules_from_dict(data: dict) -> ValueRules:
    try:
        return ValueRules(
            version=str(data["version"]),
            share_words=tuple(data["share_words"]),
            share_min=Decimal(data["share_range"]["min"]),
            share_max=Decimal(data["share_range"]["max"]),
            count_units=frozenset(data["count_units"]),
            max_magnitude=Decimal(data["max_magnitude"]),
            far_from_target=Decimal(data["far_from_target"]),
            far_from_last_year=Decimal(data["far_from_last_year"]),
            fraction_max=Decimal(data["fraction_max"]),
        )
    except (KeyError, TypeError, ArithmeticError) as exc:
        raise InputError(f"取值规则文件缺少或写错了「{exc}」", "rules/values.json") from None


@lru_cache(maxsize=1)
def load_value_rules() -> ValueRules:
    with RULES_FILE.open(encoding="utf-8") as fh:
        return rules_from_dict(json.load(fh))


def is_share(ind: Indicator, target: Target | None, rules: ValueRules) -> bool:
    """A percent of a whole (满意度, 合格率 …): its value lies between 0 and 100 %."""
    percent = (target is not None and target.percent) or ind.unit.strip() in ("%", "百分比")
    return percent and any(w in ind.name for w in rules.share_words)


def _target(ind: Indicator) -> Target | None:
    try:
        target = parse_target(ind.target_text, ind.unit, ind.name)
    except TargetError:
        return None
    return target if target.quantitative and target.value is not None else None


def _fmt(value: Decimal) -> str:
    # display rounding is the core's one rule; magnitudes past its range print plainly
    return fmt_value(value) if abs(value) < 10 ** 15 else f"{value:f}"



def _ratio_text(value: Decimal, base: Decimal) -> str:
    ratio = value / base
    return f"{fmt_value(ratio, 1)} 倍" if ratio >= 1 else f"{fmt_value(ratio * HUNDRED, 1)}%"


def check_actual(ind: Indicator, text: str | None, rules: ValueRules) -> ValueCheck:
    """The refusals and questions for ``text`` as ``ind``'s 实际完成值 (nothing for a blank)."""
    if text is None or not text.strip():
        return ValueCheck()
    value, unit, percent = parse_actual(text.strip())
    if value is None:
        return ValueCheck()
    target = _target(ind)
    refusals: list[str] = []
    questions: list[Question] = []
    written = text.strip()
    share = is_share(ind, target, rules)
    counted = canonical_unit(unit or (target.unit if target else ind.unit)) in rules.count_units

    if abs(value) > rules.max_magnitude:
        refusals.append(f"「{written}」超出合理范围（绝对值不超过 {_fmt(rules.max_magnitude)}），请核实")
    if value < 0 and (share or counted):
        refusals.append(f"「{written}」为负数；{'占比' if share else '数量'}类指标的实际完成值不能为负数")

    in_target_unit: Decimal | None = value
    if target is not None and unit and target.unit and canonical_unit(unit) != canonical_unit(target.unit):
        factor = None if percent != target.percent else unit_factor(unit, target.unit)
        if factor is None:
            refusals.append(f"单位「{unit}」与指标值「{target.text}」的单位「{target.unit}」不同，无法换算；"
                            f"请按「{target.unit}」填写")
            in_target_unit = None
        else:
            in_target_unit = value * factor

    fraction = (target is not None and target.percent and not unit and Decimal(0) < value <= rules.fraction_max
                and target.value is not None and target.value > rules.fraction_max)
    if share and in_target_unit is not None and not fraction and in_target_unit > rules.share_max:
        refusals.append(f"「{written}」超过 {_fmt(rules.share_max)}%；「{ind.name}」是占比类指标，"
                        f"应在 {_fmt(rules.share_min)}%～{_fmt(rules.share_max)}% 之间")
    if refusals:
        return ValueCheck(tuple(refusals), ())

    if fraction:
        meant = f"{_fmt(value * HUNDRED)}%"
        questions.append(Question(f"指标值为「{ind.target_text}」，填写的「{written}」是否为 {meant}？"
                                  f"不带 % 的「{written}」将按 {written}% 计分", meant))
    elif target is not None and target.value is not None and target.value > 0 and in_target_unit is not None \
            and in_target_unit > 0:
        far = rules.far_from_target
        if in_target_unit >= target.value * far or in_target_unit * far <= target.value:
            questions.append(Question(f"「{written}」与指标值「{target.text}」相差悬殊（为指标值的 "
                                      f"{_ratio_text(in_target_unit, target.value)}），请核实后确认"))
    last_value, last_unit, _ = parse_actual(ind.last_year_actual.strip()) if ind.last_year_actual else (None, "", False)
    if last_value is not None and last_value > 0 and value > 0 and not fraction \
            and canonical_unit(last_unit or unit) == canonical_unit(unit or last_unit):
        far = rules.far_from_last_year
        if value >= last_value * far or value * far <= last_value:
            questions.append(Question(f"「{written}」与上年实际完成值「{ind.last_year_actual}」相差悬殊（为上年的 "
                                      f"{_ratio_text(value, last_value)}），请核实后确认"))
    return ValueCheck((), tuple(questions))


def enforce(ind: Indicator, text: str | None, rules: ValueRules, where: str, confirmed: bool) -> None:
    """Raise ``InputError`` for a refused value, ``Unconfirmed`` for one that needs confirming
    (unless ``confirmed``); return quietly otherwise."""
    check = check_actual(ind, text, rules)
    label = "实际完成值"
    if check.refusals:
        raise InputError([Problem(where, msg, label) for msg in check.refusals])
    if check.questions and not confirmed:
        raise Unconfirmed([Problem(where, q.message, label) for q in check.questions], check.questions)
