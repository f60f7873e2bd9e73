"""The shipped demo departments: loading them, and starting over.

The demo is reference data the project ships (its states are part of what it demonstrates), so
loading it is a system action of its own, not an import: it stores the demo department-years
whole, states included, and records that in the history like any other change. It creates the
demo's units through the organisation use cases first — a department-year file never creates or
moves a unit.

Loading never replaces data: ``jixiao demo`` loads the demo departments only when they are absent
(``make run`` only into an empty database), and ``reset_demo`` — ``jixiao demo --reset``, asked
for explicitly and confirmed — removes every record of the demo departments (their years, reviews,
ledgers, jobs, evidence, memberships and their history) before they are loaded again.
"""
from __future__ import annotations

from functools import cache
from pathlib import Path

from django.apps import apps
from django.db import models, transaction

from jixiao.budget import models as m
from jixiao.budget.store import Saved, save_department_year
from jixiao.core import model as core
from jixiao.core import organisation as org
from jixiao.core.changes import assign_rectification_codes
from jixiao.evidence.models import Evidence
from jixiao.ledgers.models import ChangeRecord
from jixiao.services import organisation
from jixiao.services.actor import Actor
from jixiao.services.evidence import evidence_dir

DEMO_WHO = "系统（示例数据）"
DATA = Path(__file__).resolve().parent.parent / "data" / "demo"
DEMO_FILES = (DATA / "department-2022.json", DATA / "department-b-2022.json")


def demo_actor() -> Actor:
    return Actor(name=DEMO_WHO, system=True)


@cache
def demo_codes() -> list[str]:
    """The codes of the shipped demo departments (read from their files' names, not hard-coded)."""
    from jixiao import exchange  # noqa: PLC0415 — the exchange reader only when the demo is asked for

    return [exchange.read_file(f).department.code for f in DEMO_FILES]


def demo_present() -> bool:
    return m.Department.objects.filter(code__in=demo_codes()).exists()


def database_empty() -> bool:
    """No unit at all: a new database (``make run`` loads the demo only then)."""
    return not m.Department.objects.exists()


def ensure_units(dy: core.DepartmentYear) -> None:
    """The demo department's bureau and the department itself, created (not changed) through
    the organisation use cases."""
    d = dy.department
    actor = demo_actor()
    if d.parent_code and not m.Department.objects.filter(code=d.parent_code).exists():
        organisation.save_unit(actor, org.UnitRow(code=d.parent_code, name=d.parent_name or d.parent_code,
                                                  kind="财政局"), reason="载入示例数据")
    if not m.Department.objects.filter(code=d.code).exists():
        organisation.save_unit(actor, org.UnitRow(code=d.code, name=d.name, parent_code=d.parent_code or "",
                                                  kind="主管部门" if d.parent_code else "财政局"),
                               reason="载入示例数据")


def load_demo_year(dy: core.DepartmentYear) -> Saved:
    ensure_units(dy)
    assign_rectification_codes(None, dy)
    return save_department_year(dy, who=DEMO_WHO, reason="载入示例数据")


def _dependents(departments: models.QuerySet) -> list[models.QuerySet]:
    """Rows that point at the departments without being removed with them (SET_NULL, PROTECT):
    jobs and anything a feature adds later. Removed explicitly, so that a reset leaves nothing
    of the demo behind whatever the feature chose for ``on_delete``."""
    out = []
    for rel in m.Department._meta.related_objects:
        on_delete = getattr(rel, "on_delete", None)
        model = rel.related_model
        if rel.one_to_many and on_delete is not None and on_delete is not models.CASCADE \
                and isinstance(model, type) and model is not m.Department:
            out.append(model._default_manager.filter(**{f"{rel.field.name}__in": departments}))
    return out


def reset_demo() -> list[str]:
    """Remove every record of the demo departments; the caller loads them again. The demo's bureau
    stays (it may hold other units); the security log is not touched."""
    codes = demo_codes()
    attached = Evidence.objects.filter(department_year__department__code__in=codes)
    stored_files = [evidence_dir() / name for name in attached.values_list("storage", flat=True)]
    with transaction.atomic():
        departments = m.Department.objects.filter(code__in=codes)
        for qs in _dependents(departments):
            qs.delete()
        # the demo's own history goes with it: a fresh demo starts with a fresh history. The
        # append-only guard refuses deletes; this one deliberate exception names its rows.
        histories: list[type[models.Model]] = [
            m.ChangeLog, *(model for model in apps.get_models() if issubclass(model, ChangeRecord))]
        for model in histories:
            rows = model._default_manager.filter(department__in=codes)
            rows._raw_delete(rows.db)
        departments.delete()
    for path in stored_files:  # the attached files go with their rows, once the rows are gone
        path.unlink(missing_ok=True)
    return codes
