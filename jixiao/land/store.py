"""The land ledger in the shared ledger storage (``jixiao.ledgers.store``): its declaration
(``LEDGER``) and the reads the pages, commands and feeds need. Writing is
``jixiao.services.ledgers``'; the parcels' classification is the ledger's derived fields,
computed with the year's pinned rule set on every save and stored on the parcel."""
from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db.models import Q

from jixiao.core import land
from jixiao.land import models as m
from jixiao.land import records
from jixiao.ledgers.models import LedgerYear
from jixiao.ledgers.store import Ledger, Ref, TableStore

_CLASSIFICATION = ("status", "computed_status", "rule_id", "rule_version")  # a change of these is 认定
_DERIVED = ("status", "computed_status", "findings", "explanation", "government_delay", "proposal", "rule_id",
            "rule_version")


def _parcel_columns(year_row: LedgerYear) -> dict[str, Any]:
    return {"department": year_row.department, "survey_year": year_row.year}


def _derive(ledger: land.Ledger, rules: land.RuleSet) -> dict[str, list[dict[str, Any]]]:
    return {"parcels": [land.result_fields(c) for c in land.classify_all(ledger.parcels, rules)]}


def _newest(rule_sets: list[land.RuleSet], year: int) -> land.RuleSet:
    return land.select_rule_set(rule_sets, year)


LEDGER = Ledger(
    key="land", noun="土地台账", command="land", year_model=m.LandYear, change_model=m.ParcelChange,
    tables=(
        TableStore(records.PARCELS, m.Parcel, carried=("survey_year",), columns=_parcel_columns,
                   derived=_DERIVED, silent=("findings", "explanation")),
        TableStore(records.DISPOSALS, m.Disposal, refs={"parcel_id": Ref("parcel", "parcels", "parcel_id")}),
    ),
    rules_what="识别规则", counted="认定", load_rules=land.load_rule_sets, newest_rules=_newest,
    header=records.header, build=records.build, flat=records.flat, check=land.check_ledger, derive=_derive,
    derived_action=lambda attr: "认定" if attr in _CLASSIFICATION else "修改",
)


def ledger_years(code: str) -> list[int]:
    return LEDGER.years(code)


def load_ledger(code: str, year: int) -> land.Ledger:
    ledger = LEDGER.load(code, year)
    ledger.parcels.sort(key=lambda p: p.parcel_id)
    return ledger


def stored_results(code: str, year: int) -> list[land.Classification]:
    """Each parcel's stored classification, by parcel id."""
    row = LEDGER.year_row(code, year)
    parcels = m.Parcel.objects.filter(ledger=row).order_by("parcel_id")
    return [land.from_result_fields(LEDGER._core(LEDGER.table("parcels"), p), {a: getattr(p, a) for a in _DERIVED})
            for p in parcels]


def year_rule_set(code: str, year: int, rule_sets: Iterable[land.RuleSet] | None = None) -> land.RuleSet:
    return LEDGER.rules_for(code, year, rule_sets)


def load_summary(code: str, year: int, rule_sets: Iterable[land.RuleSet] | None = None) -> land.LandSummary:
    """The year's totals from the stored rows and their stored classification."""
    ledger = load_ledger(code, year)
    rs = LEDGER.rules_of(LEDGER.year_row(code, year), rule_sets)
    return land.summarize(ledger, stored_results(code, year), rs, land.grade_users(ledger.parcels, rs))


def parcel_history(code: str, year: int, parcel_id: str) -> list[m.ParcelChange]:
    """The history of a parcel-year and of its disposals (keyed ``parcel_id``, ``parcel_id #2`` …)."""
    return list(m.ParcelChange.objects.filter(department=code, year=year).filter(
        Q(table="parcels", record=parcel_id) | Q(table="disposals", record=parcel_id)
        | Q(table="disposals", record__startswith=f"{parcel_id} #")))


def history(code: str, year: int) -> list[m.ParcelChange]:
    return LEDGER.history(code, year)


def land_feed_provider(code: str, year: int) -> dict[str, str]:
    """Indicator actuals from the stored ledger; nothing when the department has no ledger that year."""
    return land.land_feeds(load_summary(code, year)) if LEDGER.exists(code, year) else {}
