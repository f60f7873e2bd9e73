"""Loading a department-year for the pages, scored, with a small in-process cache.

Scoring a large department on every page view would be wasteful: the cache key is the stored
year's ``updated_at`` (every save and every edit made here moves it) plus the time each park
ledger of that department-year was last saved (every ledger write moves its year row's
``saved_at``), so a cached result is never stale — and a warm page reads two timestamps instead
of recomputing the ledger feeds (which loads and summarises every ledger). The quality findings
of a cached year are worked out once, the first time a page asks. Cached objects are shared
between requests and must not be mutated.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.db.models import CharField, Value

from jixiao import features
from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.core import quality
from jixiao.core.errors import InputError, Problem
from jixiao.core.model import DepartmentYear
from jixiao.core.quality import QualityFinding
from jixiao.core.results import DepartmentResult
from jixiao.core.scoring import ScoringError, score_department
from jixiao.core.targets import TargetError

T = TypeVar("T")

# A 20-project department takes about 1 MB scored; a user moves between a few departments, a
# finance reviewer through dozens.
_CACHE_SIZE = 64
_lock = threading.Lock()


@dataclass
class _Entry:
    dy: DepartmentYear
    result: DepartmentResult
    findings: list[QualityFinding] | None = None
    extra: dict = field(default_factory=dict)


_cache: OrderedDict[tuple, _Entry] = OrderedDict()
# The ledger feeds by (department-year, ledger stamps): a save of a budget value moves the year's
# ``updated_at`` but no ledger, so the re-score after it does not recompute the feeds.
_feeds: OrderedDict[tuple, dict[str, str]] = OrderedDict()


@dataclass
class Scored:
    row: m.DepartmentYear
    dy: DepartmentYear
    result: DepartmentResult
    entry: _Entry

    def findings(self) -> list[QualityFinding]:
        """The quality findings (goal setting and year end) of this version of the year."""
        if self.entry.findings is None:
            self.entry.findings = quality.review(self.dy, self.result)
        return self.entry.findings

    def memo(self, name: str, build: Callable[[], T]) -> T:
        """``build()`` once per cached version of the year: page parts that only depend on it."""
        if name not in self.entry.extra:
            self.entry.extra[name] = build()
        return self.entry.extra[name]


def feed_stamps(row: m.DepartmentYear) -> tuple[tuple[str, str], ...]:
    """(ledger, last saved) of each park ledger the department keeps for the year, in one query."""
    queries = [
        features.resolve(f.ledger).year_model._default_manager
        .filter(department_id=row.department_id, year=row.year)
        .annotate(ledger=Value(f.key, output_field=CharField())).values_list("ledger", "saved_at")
        for f in features.ledgers()
    ]
    if not queries:
        return ()
    rows = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    return tuple(sorted((key, saved.isoformat()) for key, saved in rows))


def scored(row: m.DepartmentYear) -> Scored:
    """The department-year of ``row`` and its score; ``InputError`` when stored data cannot be scored."""
    key = (row.pk, row.updated_at.isoformat(), feed_stamps(row))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return Scored(row, hit.dy, hit.result, hit)
    feeds_key = (row.pk, key[2])
    with _lock:
        feeds = _feeds.get(feeds_key)
    if feeds is None:
        feeds = collect_feeds(row.department.code, row.year)
        with _lock:
            _feeds[feeds_key] = feeds
            while len(_feeds) > 4 * _CACHE_SIZE:
                _feeds.popitem(last=False)
    dy = load_department_year(row.department.code, row.year)
    try:
        result = score_department(dy, feeds)
    except (ScoringError, TargetError) as exc:
        raise InputError([Problem(f"{row.department.code}/{row.year}", str(exc))]) from exc
    entry = _Entry(dy, result)
    with _lock:
        _cache[key] = entry
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return Scored(row, dy, result, entry)


def latest_year(department: m.Department) -> m.DepartmentYear | None:
    return department.years.order_by("-year").first()
