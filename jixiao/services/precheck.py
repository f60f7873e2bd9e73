"""预检 of a stored department-year: the pack run on what is stored, with the ledger feeds and
the evidence attached to each indicator (the rule "no supporting material" needs to know)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.core.model import DepartmentYear
from jixiao.core.precheck import Precheck, load_pack, run_pack
from jixiao.core.results import DepartmentResult
from jixiao.core.scoring import score_department
from jixiao.core.workpaper import Workpaper, build
from jixiao.services.actor import Actor
from jixiao.services.evidence import listing
from jixiao.services.reviews import latest_reviews
from jixiao.services.scope import department, departments_under


def evidence_counts(code: str, year: int) -> dict[tuple[str, str], int]:
    """Files attached per (project code, indicator code)."""
    return {(ref.project, ref.key): len(files) for ref, files in listing(code, year).items()
            if ref.kind == "indicator"}


def stored_precheck(actor: Actor, code: str, year: int, pack: str = "default") -> Precheck:
    return _checked(actor, code, year, pack)[2]


def _checked(actor: Actor, code: str, year: int, pack: str) -> tuple[DepartmentYear, DepartmentResult, Precheck]:
    department(actor, code, "view")
    dy = load_department_year(code, year)
    result = score_department(dy, collect_feeds(code, year))
    return dy, result, run_pack(dy, result, load_pack(pack), evidence_counts(code, year))


def finance_scores(code: str, year: int) -> dict[tuple[str, str], tuple[Decimal, str]]:
    """The finance bureau's recorded review scores and comments per (project, indicator)."""
    row = m.DepartmentYear.objects.filter(department__code=code, year=year).first()
    if row is None:
        return {}
    out: dict[tuple[str, str], tuple[Decimal, str]] = {}
    for project, review in latest_reviews(row).items():
        for item in review.items.all():
            out[(project, item.indicator_code)] = (item.score, item.comment or f"财政复核：{review.reason}")
    return out


def stored_review(actor: Actor, code: str, year: int, pack: str = "default") -> tuple[Precheck, Workpaper]:
    """The pre-check and the reviewer's workpaper built from it (the pack's scores, and the
    bureau's own where it has reviewed), from one scoring of the department-year."""
    dy, result, checked = _checked(actor, code, year, pack)
    return checked, build(dy, result, checked, finance_scores(code, year))


@dataclass(frozen=True)
class DepartmentLine:
    code: str
    name: str
    self_total: Decimal
    review_total: Decimal
    rules: dict[str, int]  # rule code → indicators it changed

    @property
    def difference(self) -> Decimal:
        return self.self_total - self.review_total


def bureau_summary(actor: Actor, bureau: str, year: int, pack: str = "default") -> list[DepartmentLine]:
    """Every department under ``bureau`` with a department-year: self-score vs reviewed score and
    the rules that made the difference."""
    root = department(actor, bureau, "review")
    lines = []
    for d in departments_under(actor, root, year):
        checked, wp = stored_review(actor, d.code, year, pack)
        counts: dict[str, int] = {}
        for f in checked.findings:
            if f.deduction:
                counts[f.code] = counts.get(f.code, 0) + 1
        lines.append(DepartmentLine(d.code, d.name, sum((r.self_score or Decimal(0) for r in wp.rows), Decimal(0)),
                                    sum((r.review_score or Decimal(0) for r in wp.rows), Decimal(0)), counts))
    return lines
