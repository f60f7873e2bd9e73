"""预检 of a stored department-year: the pack run on what is stored, with the ledger feeds and
the evidence attached to each indicator (the rule "no supporting material" needs to know)."""
from __future__ import annotations

import importlib

from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.core.precheck import Precheck, load_pack, run_pack
from jixiao.core.scoring import score_department
from jixiao.services.actor import Actor
from jixiao.services.scope import department


def evidence_counts(code: str, year: int) -> dict[tuple[str, str], int] | None:
    """Files attached per (project code, indicator code); None when jixiao keeps no evidence."""
    try:  # the evidence feature is optional: without it the rule is left out, not applied to all
        evidence = importlib.import_module("jixiao.services.evidence")
    except ImportError:
        return None
    counts = getattr(evidence, "counts_by_indicator", None)
    return counts(code, year) if counts else None


def stored_precheck(actor: Actor, code: str, year: int, pack: str = "default") -> Precheck:
    department(actor, code, "view")
    dy = load_department_year(code, year)
    result = score_department(dy, collect_feeds(code, year))
    return run_pack(dy, result, load_pack(pack), evidence_counts(code, year))
