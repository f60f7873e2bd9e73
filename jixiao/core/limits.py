"""The safety limits of reading: one rules file, ``jixiao/rules/limits.json``, with a section per
kind of input (request, excel, docx, pdf, json, numbers). Readers take their section from here so
that no limit is written twice in code."""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

LIMITS_FILE = Path(__file__).resolve().parent.parent / "rules" / "limits.json"


@lru_cache(maxsize=1)
def _all() -> dict[str, Any]:
    return json.loads(LIMITS_FILE.read_text(encoding="utf-8"))


@cache
def section(name: str) -> Mapping[str, int]:
    """The integer limits of one section, e.g. ``section("json")["max_depth"]``; read once per
    section (the number check asks for its limits on every value of an import), read-only."""
    return MappingProxyType({k: int(v) for k, v in _all()[name].items() if k != "note"})
