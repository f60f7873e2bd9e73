"""The indicator library (指标库): common indicators to pick instead of typing them, and the
warning a target gets when it is set below last year's actual value. Pure: no Django.

The shipped library is data (``rules/indicator-library.json``, with its version and source).
Finance users curate it on top: an entry they add, retire (停用) or merge into another is stored
by the application layer and laid over the shipped list here (``curated``), so the data file
itself never changes at run time and a new version of it keeps the curation.
"""
from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from jixiao.core.display import fmt_value
from jixiao.core.numbers import normalize
from jixiao.core.targets import NEGATIVE_OPS, POSITIVE_OPS, TargetError, parse_actual, parse_target, target_missing

LIBRARY_FILE = Path(__file__).resolve().parent.parent / "rules" / "indicator-library.json"

ACTIVE, RETIRED, MERGED = "在用", "停用", "已合并"
STATUSES = (ACTIVE, RETIRED, MERGED)
COMMON = "通用"  # the category whose indicators suit every project


@dataclass(frozen=True)
class Entry:
    """One library indicator. ``origin``: "共性指标库" (shipped) or "财政增补" (added by finance)."""

    key: str
    category: str
    level1: str
    level2: str
    name: str
    unit: str = ""
    direction: str = "≥"  # ≥ / ≤ / = / 定性 (rules file, ``directions``)
    basis: str = ""  # suggested 指标值设定依据
    example: str = ""  # a typical target as written
    status: str = ACTIVE
    merged_into: str = ""  # the entry that replaces a merged one
    origin: str = "共性指标库"


@dataclass(frozen=True)
class Library:
    id: str
    version: str
    source: str
    directions: dict[str, str]
    bases: tuple[str, ...]
    categories: tuple[str, ...]
    keywords: dict[str, tuple[str, ...]]
    entries: tuple[Entry, ...]

    @property
    def ref(self) -> str:
        return f"{self.id}@{self.version}"


FIELDS = ("category", "level1", "level2", "name", "unit", "direction", "basis", "example")


@lru_cache(maxsize=1)
def load_library(path: Path = LIBRARY_FILE) -> Library:
    with path.open(encoding="utf-8") as fh:
        data = json.load(fh)
    entries = tuple(Entry(key=e["key"], **{f: e.get(f, "") for f in FIELDS}) for e in data["entries"])
    return Library(
        id=data["id"], version=data["version"], source=data["source"], directions=dict(data["directions"]),
        bases=tuple(data["bases"]), categories=tuple(data["categories"]),
        keywords={k: tuple(v) for k, v in data.get("keywords", {}).items()}, entries=entries,
    )


def curated(shipped: Iterable[Entry], stored: Iterable[Entry]) -> list[Entry]:
    """The library as users see it: the shipped entries with the stored curation laid over them
    (a stored entry of the same key replaces the shipped one: retired, merged or edited), then the
    entries finance added, in the order they were stored."""
    over = {e.key: e for e in stored}
    out = [over.pop(e.key, e) for e in shipped]
    return out + list(over.values())


def resolve(entries: Sequence[Entry], key: str) -> Entry | None:
    """The entry ``key`` names, following merges to the entry that replaced it."""
    by_key = {e.key: e for e in entries}
    seen: set[str] = set()
    entry = by_key.get(key)
    while entry is not None and entry.status == MERGED and entry.merged_into and entry.key not in seen:
        seen.add(entry.key)
        entry = by_key.get(entry.merged_into)
    return entry


def suggest_categories(library: Library, *texts: str) -> list[str]:
    """Library categories whose keywords occur in a project's name or category, best first."""
    joined = "".join(texts)
    return [c for c in library.categories if any(w in joined for w in library.keywords.get(c, ()))]


def search(entries: Iterable[Entry], category: str = "", level1: str = "", text: str = "",
           include_inactive: bool = False) -> list[Entry]:
    """Entries of ``category`` (with the common ones), of ``level1``, whose name contains
    ``text``; retired and merged ones only when asked (the curation page)."""
    words = normalize(text).split()
    out = []
    for e in entries:
        if not include_inactive and e.status != ACTIVE:
            continue
        if category and e.category not in (category, COMMON):
            continue
        if level1 and e.level1 != level1:
            continue
        if words and not all(w in f"{e.name}{e.level2}{e.category}" for w in words):
            continue
        out.append(e)
    return out


def with_status(entry: Entry, status: str, merged_into: str = "") -> Entry:
    return replace(entry, status=status, merged_into=merged_into if status == MERGED else "")


# ---------------------------------------------------------------------------------------------
# Earlier years of the unit's own indicators, as the basis of a new target


@dataclass(frozen=True)
class Earlier:
    """An indicator of an earlier year of the same department: what was set and what came of it."""

    year: int
    project: str  # project code
    project_name: str
    code: str
    level1: str
    level2: str
    name: str
    unit: str
    target_text: str | None
    actual_text: str | None
    weight: Decimal | None


def _key(name: str) -> str:
    return normalize(name).replace(" ", "")


def earlier_for(name: str, earlier: Iterable[Earlier]) -> list[Earlier]:
    """The earlier indicators of the same name, latest year first."""
    key = _key(name)
    return sorted((e for e in earlier if _key(e.name) == key), key=lambda e: (-e.year, e.project, e.code))


def basis_text(e: Earlier) -> str:
    """The 取值依据 an earlier year gives a new target, in the words of a 目标申报表."""
    actual = e.actual_text if e.actual_text and not target_missing(e.actual_text) else "未填报"
    return f"历史标准：{e.year}年指标值{e.target_text or '未填写'}，实际完成{actual}"


# ---------------------------------------------------------------------------------------------
# The "below last year's actual" warning (目标设置过低), the same at goal setting and in the checks


@dataclass(frozen=True)
class Weaker:
    target: Decimal
    last: Decimal
    direction: str  # 低于 (a floor below last year) / 宽于 (a ceiling above it)


def weaker_than_last_year(target_text: str | None, unit: str, last_year_actual: str | None) -> Weaker | None:
    """Whether a quantitative target asks less than last year's actual value: a floor (≥) below
    it, or a ceiling (≤) above it. Only like is compared with like: a percent with a percent, the
    same unit with the same unit; anything unreadable or qualitative gives no warning."""
    if not last_year_actual or target_missing(target_text):
        return None
    try:
        t = parse_target(target_text, unit)
    except TargetError:
        return None
    if t.value is None or t.op not in POSITIVE_OPS | NEGATIVE_OPS:
        return None
    last, last_unit, percent = parse_actual(last_year_actual)
    # a unit change makes the figures incomparable, not weaker
    if last is None or percent != t.percent or (last_unit and t.unit and last_unit != t.unit):
        return None
    if t.op in POSITIVE_OPS and t.value < last:
        return Weaker(t.value, last, "低于")
    if t.op in NEGATIVE_OPS and t.value > last:
        return Weaker(t.value, last, "宽于")
    return None


def last_year_warning(target_text: str | None, unit: str, last_year_actual: str | None) -> str | None:
    """The message of a target weaker than last year's actual value; None when it is not."""
    w = weaker_than_last_year(target_text, unit, last_year_actual)
    if w is None:
        return None
    return (f"指标值「{target_text}」{w.direction}上年实际完成值「{last_year_actual}」，目标比上年实际还弱；"
            "请以上年实际为基础设定指标值，确需降低的写明依据")


def weaker_figures(w: Weaker) -> dict[str, str]:
    return {"指标值": fmt_value(w.target), "上年实际完成值": fmt_value(w.last)}
