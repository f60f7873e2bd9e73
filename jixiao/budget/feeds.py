"""Computed indicator actuals ("feeds"): ledger apps register a provider that returns, for one
department-year, the actual value text of each feed key it knows (e.g. "land.low_efficiency_count"
→ "56宗"). The rules engine substitutes them for indicators whose ``feed`` names the key."""
from __future__ import annotations

from collections.abc import Callable

FeedProvider = Callable[[str, int], dict[str, str]]

_providers: list[FeedProvider] = []


def register_feed_provider(fn: FeedProvider) -> FeedProvider:
    """Register ``fn(department_code, year) -> {feed key: actual text}``; usable as a decorator.
    Registering the same function twice (an app's ready() run again) has no effect."""
    if fn not in _providers:
        _providers.append(fn)
    return fn


def collect_feeds(code: str, year: int) -> dict[str, str]:
    """Every registered provider's values for one department-year. Two providers claiming the
    same key is a programming error: one ledger must own each figure."""
    feeds: dict[str, str] = {}
    owner: dict[str, FeedProvider] = {}
    for provider in _providers:
        for key, value in provider(code, year).items():
            if key in feeds:
                raise RuntimeError(
                    f"feed {key!r} is provided by both {owner[key].__module__}.{owner[key].__qualname__}"
                    f" and {provider.__module__}.{provider.__qualname__}"
                )
            feeds[key] = value
            owner[key] = provider
    return feeds
