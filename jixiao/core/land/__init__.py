"""The land-use survey ledger (土地使用状况一本帐). Pure functions over dataclasses — no Django.

By concern:

- ``records``: parcels, disposals, the ledger of a survey year, vocabularies and area units
  (1 公顷 = 15 亩 = 10000 m², exact Decimal; money in 万元);
- ``rules``: the dated, versioned rule sets under ``jixiao/rules/land/`` and how a year's set is
  chosen (a classification names the set and version it used, so a year's figures stay
  reproducible after the rules change);
- ``checks``: the ledger's cross-row checks;
- ``classify``: the idle / low-efficiency classification and the 亩均 grading;
- ``summary``: the aggregates and the indicator feeds.

Everything is re-exported here: ``from jixiao.core import land`` then ``land.classify(...)``.
"""
from __future__ import annotations

from jixiao.core.land.checks import check_ledger
from jixiao.core.land.classify import (
    Classification,
    Grade,
    RuleHit,
    add_years,
    classify,
    classify_all,
    from_result_fields,
    grade_users,
    metrics,
    result_fields,
)
from jixiao.core.land.records import (
    CONSTRUCTION_STATUSES,
    DELAY_CAUSES,
    DISPOSAL_STATUSES,
    DISPOSAL_STRATEGIES,
    LAND_SOURCES,
    LAND_STATUSES,
    M2_PER_HA,
    MU_PER_HA,
    NOT_IMPLEMENTED_REASONS,
    PRODUCTION_STATUSES,
    RIGHT_TYPES,
    Disposal,
    Ledger,
    Parcel,
    ha_to_m2,
    m2_to_ha,
    m2_to_mu,
    mu_to_m2,
)
from jixiao.core.land.rules import (
    METRICS,
    RULES_DIR,
    Grading,
    IdleRule,
    MetricRule,
    RuleSet,
    load_rule_sets,
    parse_rule_set,
    rule_set_by_id,
    select_rule_set,
)
from jixiao.core.land.summary import Group, LandSummary, land_feeds, summarize

__all__ = [
    "CONSTRUCTION_STATUSES", "DELAY_CAUSES", "DISPOSAL_STATUSES", "DISPOSAL_STRATEGIES", "LAND_SOURCES",
    "LAND_STATUSES", "M2_PER_HA", "METRICS", "MU_PER_HA", "NOT_IMPLEMENTED_REASONS", "PRODUCTION_STATUSES",
    "RIGHT_TYPES", "RULES_DIR", "Classification", "Disposal", "RuleHit", "Grade", "Grading", "Group", "IdleRule",
    "LandSummary", "Ledger", "MetricRule", "Parcel", "RuleSet", "add_years", "check_ledger", "classify",
    "classify_all", "from_result_fields", "grade_users", "ha_to_m2", "land_feeds", "load_rule_sets", "m2_to_ha",
    "m2_to_mu", "metrics", "mu_to_m2", "parse_rule_set", "result_fields", "rule_set_by_id", "select_rule_set",
    "summarize",
]
