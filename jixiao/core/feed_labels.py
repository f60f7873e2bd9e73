"""How a computed feed is named to users: 「招商引资台账：实际利用外资」, never its key
(``invest.fdi_usd``). Pure: reads the rules files only.

The label of each key is ``rules/feed-labels.json``; the name of the ledger (or data) it comes
from is ``rules/report.json``'s ``feed_sources`` (the report names its sources the same way).
One answer for the scoring trace, the pages and the report.
"""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "rules"


@lru_cache(maxsize=1)
def labels() -> dict[str, str]:
    """Feed key → its Chinese label."""
    with (RULES / "feed-labels.json").open(encoding="utf-8") as fh:
        return dict(json.load(fh)["labels"])


@lru_cache(maxsize=1)
def _sources() -> dict[str, str]:
    with (RULES / "report.json").open(encoding="utf-8") as fh:
        return dict(json.load(fh)["feed_sources"])


def feed_label(key: str) -> str:
    """「ledger：label」 for a known feed key; an unknown key (a table's own source) as written."""
    label = labels().get(key)
    if label is None:
        return key
    prefix = key.split(".", 1)[0]
    return f"{_sources().get(prefix, prefix)}：{label}"
