"""The ledger's aggregates (by status, street, use, low-efficiency type, disposal) and the
indicator feeds they supply."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from jixiao.core.display import fmt_rate, fmt_value
from jixiao.core.land.classify import Classification, Grade
from jixiao.core.land.records import LAND_STATUSES, Ledger, m2_to_ha, m2_to_mu
from jixiao.core.land.rules import RuleSet
from jixiao.core.ledger import count_samples


@dataclass
class Group:
    count: int = 0
    area_m2: Decimal = Decimal("0")

    def add(self, area: Decimal) -> None:
        self.count += 1
        self.area_m2 += area

    def as_dict(self) -> dict[str, Any]:
        return {"count": self.count, "area_m2": fmt_value(self.area_m2, 2),
                "area_ha": fmt_value(m2_to_ha(self.area_m2), 2), "area_mu": fmt_value(m2_to_mu(self.area_m2), 2)}


@dataclass
class LandSummary:
    department: str
    year: int
    rule_id: str
    rule_version: int
    illustrative_rules: bool
    parcels: Group
    low_efficiency: Group
    idle: Group
    government_delay: Group
    by_status: dict[str, Group]
    by_street: dict[str, dict[str, Group]]  # street → status → group
    by_use: dict[str, dict[str, Group]]
    by_low_type: dict[str, Group]
    disposal_by_strategy: dict[str, Group]
    disposal_by_status: dict[str, Group]
    disposal_soe: Group
    disposal_area_m2: Decimal
    disposed_m2: Decimal
    remaining_m2: Decimal
    avg_tax_per_mu: Decimal | None
    avg_output_per_mu: Decimal | None
    grades: dict[str, int]
    sample_rows: int  # rows marked 示例

    @property
    def low_efficiency_share(self) -> Decimal | None:
        if self.parcels.area_m2 <= 0:
            return None
        return self.low_efficiency.area_m2 / self.parcels.area_m2

    def as_dict(self) -> dict[str, Any]:
        def groups(d: Mapping[str, Group]) -> dict[str, Any]:
            return {k: v.as_dict() for k, v in d.items()}

        def nested(d: Mapping[str, Mapping[str, Group]]) -> dict[str, Any]:
            return {k: groups(v) for k, v in d.items()}

        def ha(v: Decimal) -> str:
            return fmt_value(m2_to_ha(v), 2)

        return {
            "department": self.department, "year": self.year,
            "rule_set": {"id": self.rule_id, "version": self.rule_version, "illustrative": self.illustrative_rules},
            "parcels_surveyed": self.parcels.count,
            "surveyed_area_ha": ha(self.parcels.area_m2),
            "surveyed_area_mu": fmt_value(m2_to_mu(self.parcels.area_m2), 2),
            "low_efficiency_count": self.low_efficiency.count,
            "low_efficiency_area_ha": ha(self.low_efficiency.area_m2),
            "low_efficiency_area_mu": fmt_value(m2_to_mu(self.low_efficiency.area_m2), 2),
            "low_efficiency_area_share": fmt_rate(self.low_efficiency_share, 2),
            "idle_count": self.idle.count,
            "idle_area_ha": ha(self.idle.area_m2),
            "government_delay_count": self.government_delay.count,
            "government_delay_area_ha": ha(self.government_delay.area_m2),
            "by_status": groups(self.by_status),
            "by_low_efficiency_type": groups(self.by_low_type),
            "by_street": nested(self.by_street),
            "by_use": nested(self.by_use),
            "disposal": {
                "area_ha": ha(self.disposal_area_m2),
                "disposed_ha": ha(self.disposed_m2),
                "remaining_ha": ha(self.remaining_m2),
                "by_strategy": groups(self.disposal_by_strategy),
                "by_status": groups(self.disposal_by_status),
                "with_district_soe": self.disposal_soe.as_dict(),
            },
            "avg_tax_per_mu": None if self.avg_tax_per_mu is None else fmt_value(self.avg_tax_per_mu, 2),
            "avg_output_per_mu": None if self.avg_output_per_mu is None else fmt_value(self.avg_output_per_mu, 2),
            "grades": self.grades,
            "sample_rows": self.sample_rows,
        }


def summarize(ledger: Ledger, results: Iterable[Classification], rs: RuleSet,
              grades: Iterable[Grade] = ()) -> LandSummary:
    """Totals of one department's ledger for one year. Only the ledger's own parcels count: a
    classification or disposal that names a parcel outside the ledger is ignored."""
    by_id = {p.parcel_id: p for p in ledger.parcels}
    result_of = {c.parcel_id: c for c in results if c.parcel_id in by_id}
    total, low, idle, gov = Group(), Group(), Group(), Group()
    by_status: dict[str, Group] = {s: Group() for s in LAND_STATUSES}
    by_street: dict[str, dict[str, Group]] = {}
    by_use: dict[str, dict[str, Group]] = {}
    by_type: dict[str, Group] = {}
    tax_sum = out_sum = Decimal("0")
    tax_mu = out_mu = Decimal("0")
    for p in ledger.parcels:
        c = result_of.get(p.parcel_id)
        status = c.status if c else "正常"
        area = p.site_area_m2
        total.add(area)
        by_status[status].add(area)
        by_street.setdefault(p.street or "（未填）", {}).setdefault(status, Group()).add(area)
        by_use.setdefault(p.current_use or "（未填）", {}).setdefault(status, Group()).add(area)
        if status == "低效":
            low.add(area)
            for t in (c.types if c else []):
                by_type.setdefault(t, Group()).add(area)
        elif status == "闲置":
            idle.add(area)
        if c and c.government_delay:
            gov.add(area)
        if p.tax is not None and p.construction_status in rs.grading.graded_statuses:
            tax_sum += p.tax
            tax_mu += m2_to_mu(area)
        if p.output is not None and p.construction_status in rs.grading.graded_statuses:
            out_sum += p.output
            out_mu += m2_to_mu(area)
    d_strategy: dict[str, Group] = {}
    d_status: dict[str, Group] = {}
    soe = Group()
    d_area = d_done = Decimal("0")
    for d in ledger.disposals:
        if d.parcel_id not in by_id:
            continue
        d_strategy.setdefault(d.strategy, Group()).add(d.area_m2)
        d_status.setdefault(d.status, Group()).add(d.area_m2)
        if d.partner_is_soe:
            soe.add(d.area_m2)
        d_area += d.area_m2
        d_done += d.disposed_m2
    grade_counts: dict[str, int] = {}
    for g in grades:
        grade_counts[g.grade] = grade_counts.get(g.grade, 0) + 1
    return LandSummary(
        department=ledger.department, year=ledger.year, rule_id=rs.id, rule_version=rs.version,
        illustrative_rules=rs.illustrative, parcels=total, low_efficiency=low, idle=idle, government_delay=gov,
        by_status=by_status, by_street=by_street, by_use=by_use, by_low_type=by_type,
        disposal_by_strategy=d_strategy, disposal_by_status=d_status, disposal_soe=soe,
        disposal_area_m2=d_area, disposed_m2=d_done, remaining_m2=d_area - d_done,
        avg_tax_per_mu=tax_sum / tax_mu if tax_mu > 0 else None,
        avg_output_per_mu=out_sum / out_mu if out_mu > 0 else None,
        grades=grade_counts, sample_rows=count_samples(ledger.parcels),
    )


def land_feeds(s: LandSummary) -> dict[str, str]:
    """The indicator feeds this ledger supplies, as actual-value texts with their units."""
    def ha(v: Decimal) -> str:
        return f"{fmt_value(m2_to_ha(v), 2)}公顷"

    return {
        "land.parcels_surveyed": f"{s.parcels.count}宗",
        "land.surveyed_area_ha": ha(s.parcels.area_m2),
        "land.low_efficiency_count": f"{s.low_efficiency.count}个",
        "land.low_efficiency_area_ha": ha(s.low_efficiency.area_m2),
        "land.idle_count": f"{s.idle.count}宗",
        "land.idle_area_ha": ha(s.idle.area_m2),
        "land.disposal_area_ha": ha(s.disposal_area_m2),
    }
