"""Loading a department-year for the pages, scored, with a small in-process cache.

Scoring a large department on every page view would be wasteful: the cache key is the stored
year's ``updated_at`` (every save and every edit made here moves it) plus the ledger feeds, so a
cached result is never stale. Cached objects are shared between requests and must not be mutated.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.core.results import DepartmentResult
from jixiao.core.scoring import ScoringError, score_department
from jixiao.core.targets import TargetError

_CACHE_SIZE = 32
_cache: OrderedDict[tuple, tuple[DepartmentYear, DepartmentResult]] = OrderedDict()
_lock = threading.Lock()


@dataclass
class Scored:
    row: m.DepartmentYear
    dy: DepartmentYear
    result: DepartmentResult


def scored(row: m.DepartmentYear) -> Scored:
    """The department-year of ``row`` and its score; ``InputError`` when stored data cannot be scored."""
    feeds = collect_feeds(row.department.code, row.year)
    key = (row.pk, row.updated_at.isoformat(), tuple(sorted(feeds.items())))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return Scored(row, *hit)
    dy = load_department_year(row.department.code, row.year)
    try:
        result = score_department(dy, feeds)
    except (ScoringError, TargetError) as exc:
        raise InputError([Problem(f"{row.department.code}/{row.year}", str(exc))]) from exc
    with _lock:
        _cache[key] = (dy, result)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return Scored(row, dy, result)


def latest_year(department: m.Department) -> m.DepartmentYear | None:
    return department.years.order_by("-year").first()
