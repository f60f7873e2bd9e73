"""Loading a department-year for the pages, scored, with a small in-process cache.

Scoring a large department on every page view would be wasteful: the cache key is the stored
year's ``updated_at`` (every save and every edit made here moves it) plus the time each park
ledger of that department-year was last saved (every ledger write moves its year row's
``saved_at``), so a cached result is never stale — and a warm page reads two timestamps instead
of recomputing the ledger feeds (which loads and summarises every ledger). The quality findings
of a cached year are worked out once, the first time a page asks. Cached objects are shared
between requests and must not be mutated.

A project's pages (and the fragments a save answers with) need one project scored, not the
year: ``scored_project`` takes the cached year when it is current, and otherwise scores only that
project, with the same scoring and quality functions over the year restricted to it (its
scores do not depend on the other projects; the feeds it reads are the whole year's). That
is not cached: right after a save the year's cache entry is stale anyway, and scoring and
reviewing 200 projects to show one row cost ~0.3 s.
"""
from __future__ import annotations

import dataclasses
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
from jixiao.core.scoring import ScoringError, budget_feeds, score_department
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
    """A scored department-year. From ``scored_project`` with a cache miss, ``dy`` holds only the
    project ``only`` (and the year's own fields, budget lines and rectifications, but not its
    indicators): ``result`` and ``findings()`` are right for that project, not for the year."""

    row: m.DepartmentYear
    dy: DepartmentYear
    result: DepartmentResult
    entry: _Entry
    only: str | None = None

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


def _cached(row: m.DepartmentYear) -> tuple[tuple, Scored | None]:
    key = (row.pk, row.updated_at.isoformat(), feed_stamps(row))
    with _lock:
        hit = _cache.get(key)
        if hit is not None:
            _cache.move_to_end(key)
            return key, Scored(row, hit.dy, hit.result, hit)
    return key, None


def _ledger_feeds(row: m.DepartmentYear, stamps: tuple) -> dict[str, str]:
    feeds_key = (row.pk, stamps)
    with _lock:
        feeds = _feeds.get(feeds_key)
    if feeds is None:
        feeds = collect_feeds(row.department.code, row.year)
        with _lock:
            _feeds[feeds_key] = feeds
            while len(_feeds) > 4 * _CACHE_SIZE:
                _feeds.popitem(last=False)
    return feeds


def _score(row: m.DepartmentYear, dy: DepartmentYear, feeds: dict[str, str]) -> DepartmentResult:
    try:
        return score_department(dy, feeds)
    except (ScoringError, TargetError) as exc:
        raise InputError([Problem(f"{row.department.code}/{row.year}", str(exc))]) from exc


def scored(row: m.DepartmentYear) -> Scored:
    """The department-year of ``row`` and its score; ``InputError`` when stored data cannot be scored."""
    key, hit = _cached(row)
    if hit is not None:
        return hit
    feeds = _ledger_feeds(row, key[2])
    dy = load_department_year(row.department.code, row.year)
    result = _score(row, dy, feeds)
    entry = _Entry(dy, result)
    with _lock:
        _cache[key] = entry
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return Scored(row, dy, result, entry)


def scored_project(row: m.DepartmentYear, pcode: str) -> Scored:
    """What a page of project ``pcode`` needs: the cached year when current, else the year
    restricted to that project and scored (see the module's docstring). A code the year does not
    hold gives the year without projects (the page answers 404)."""
    key, hit = _cached(row)
    if hit is not None:
        return hit
    dy = load_department_year(row.department.code, row.year)
    # The feeds the project would be scored with in the whole year: the ledgers' and the year's
    # own figures (budget_feeds counts every project), passed in so that the restricted year's
    # own figures (one project) never replace them.
    feeds = budget_feeds(dy) | _ledger_feeds(row, key[2])
    part = dataclasses.replace(dy, indicators=[], projects=[p for p in dy.projects if p.code == pcode])
    result = _score(row, part, feeds)
    return Scored(row, part, result, _Entry(part, result), only=pcode)


def latest_year(department: m.Department) -> m.DepartmentYear | None:
    return department.years.order_by("-year").first()
