"""佐证材料: attaching, listing, reading and deleting the files that support an indicator's actual
value, a monitoring checkpoint or a rectification.

- **scope and state**: attaching and deleting take the ``edit`` permission in the department and a
  target whose workflow state allows its content to change (an approved self-evaluation's
  evidence is as frozen as its values: ``jixiao.core.editing.refusal``); reading takes ``view``;
- **content**: the type is judged by the file's first bytes (``jixiao.core.evidence``);
- **storage**: under ``JIXIAO_EVIDENCE_DIR`` (default ``var/evidence``), named by a random
  token; the user's file name is kept only as data, and a download goes through a page that
  checks scope like every other;
- **history**: every attachment and deletion is a ``ChangeLog`` row of its target
  ("佐证材料": before/after the file name), shown with the target's history.
"""
from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from django.conf import settings
from django.db import transaction

from jixiao.budget import models as m
from jixiao.core import model as core
from jixiao.core.changes import Ref
from jixiao.core.editing import refusal
from jixiao.core.evidence import FIELD, EvidenceLine, check_file, clean_name, load_evidence_rules
from jixiao.core.results import DepartmentResult
from jixiao.evidence.models import Evidence
from jixiao.services import history
from jixiao.services.actor import Actor
from jixiao.services.errors import Denied, NotFound
from jixiao.services.scope import department, find, locked_year

KINDS = ("indicator", "checkpoint", "rectification")
# The field whose workflow state governs the target's evidence (its content field).
STATE_FIELD = {"indicator": "actual_text", "checkpoint": "measures", "rectification": "measure"}
LABEL = "evidence.evidence"


def evidence_dir() -> Path:
    return Path(getattr(settings, "JIXIAO_EVIDENCE_DIR", "") or Path(settings.VAR_DIR) / "evidence")


def ref_of(e: Evidence) -> Ref:
    return Ref(e.kind, e.project, e.key)


def _year_row(code: str, year: int) -> m.DepartmentYear:
    row = m.DepartmentYear.objects.filter(department__code=code, year=year).first()
    if row is None:
        raise NotFound("未找到该年度数据", f"{code}/{year}")
    return row


def _record(actor: Actor, code: str, year: int, ref: Ref, e: Evidence, before: str | None, after: str | None,
            reason: str) -> None:
    history.record(who=actor.name, department=code, year=year, label=LABEL, object_id=e.pk, version=None,
                   key=f"{history.object_key(code, year, ref)}/佐证材料", name=f"{ref.path()} 佐证材料",
                   field=FIELD, before=before, after=after, reason=reason)


def attach(actor: Actor, code: str, year: int, ref: Ref, name: str, data: bytes, note: str = "") -> Evidence:
    """Attach the file ``name`` (content ``data``) to the indicator, checkpoint or rectification ``ref``."""
    if ref.kind not in KINDS:
        raise NotFound(f"不能对{ref.path()}上传佐证材料", ref.path())
    rules = load_evidence_rules()
    where = f"{ref.path()} 佐证材料"
    ft = check_file(name, data, rules, where)
    folder = evidence_dir()
    folder.mkdir(parents=True, exist_ok=True)
    storage = secrets.token_urlsafe(24)
    path = folder / storage
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        find(dy, ref)
        why = refusal(dy, ref, STATE_FIELD[ref.kind])
        if why:
            raise Denied(why, ref.path())
        path.write_bytes(data)
        try:
            e = Evidence.objects.create(
                department_year=_year_row(code, year), kind=ref.kind, project=ref.project, key=ref.key,
                name=clean_name(name), storage=storage, file_type=ft.key, size=len(data),
                sha256=hashlib.sha256(data).hexdigest(), note=note.strip()[:300], uploaded_by=actor.name)
            _record(actor, code, year, ref, e, None, e.name, note.strip())
        except BaseException:
            path.unlink(missing_ok=True)
            raise
    return e


def delete(actor: Actor, code: str, year: int, evidence_id: int, reason: str = "") -> None:
    """Remove one attached file (its row and its stored copy); the history keeps its name."""
    with transaction.atomic():
        dy = locked_year(actor, code, year)
        e = Evidence.objects.filter(pk=evidence_id, department_year__department__code=code,
                                    department_year__year=year).first()
        if e is None:
            raise NotFound("未找到该佐证材料", f"{code}/{year}")
        ref = ref_of(e)
        try:
            find(dy, ref)
        except NotFound:
            pass  # the target itself was deleted since: its evidence may still be removed
        else:
            why = refusal(dy, ref, STATE_FIELD[ref.kind])
            if why:
                raise Denied(why, ref.path())
        _record(actor, code, year, ref, e, e.name, None, reason.strip())
        path = evidence_dir() / e.storage
        e.delete()
        transaction.on_commit(lambda: path.unlink(missing_ok=True))


def open_file(actor: Actor, code: str, year: int, storage: str) -> tuple[Evidence, Path]:
    """The row and the stored file behind the token ``storage``, for a user who may see the
    department; anything else is ``NotFound`` (never saying which)."""
    department(actor, code, "view")
    e = Evidence.objects.filter(storage=storage, department_year__department__code=code,
                                department_year__year=year).first()
    path = evidence_dir() / e.storage if e is not None else None
    if e is None or path is None or not path.is_file():
        raise NotFound("未找到该佐证材料", f"{code}/{year}")
    return e, path


def listing(code: str, year: int) -> dict[Ref, list[Evidence]]:
    """Every attached file of the department-year, by the record it supports (a read for pages of
    a user already scoped to the department)."""
    out: dict[Ref, list[Evidence]] = {}
    for e in Evidence.objects.filter(department_year__department__code=code, department_year__year=year):
        out.setdefault(ref_of(e), []).append(e)
    return out


def by_indicator(dy: core.DepartmentYear, code: str | None = None) -> list[EvidenceLine]:
    """The evidence of each indicator of ``dy`` (department-level first, then the projects in
    order), only indicators that have some — the report's appendix."""
    files = listing(code or dy.department.code, dy.year)
    out = [EvidenceLine("", "部门整体", i.code, i.name, tuple(e.name for e in files[Ref("indicator", "", i.code)]))
           for i in dy.indicators if Ref("indicator", "", i.code) in files]
    for p in dy.projects:
        out.extend(EvidenceLine(p.code, p.name, i.code, i.name,
                                     tuple(e.name for e in files[Ref("indicator", p.code, i.code)]))
                   for i in p.indicators if Ref("indicator", p.code, i.code) in files)
    return out


def missing(dy: core.DepartmentYear, result: DepartmentResult) -> list[tuple[str, core.Indicator]]:
    """Scored indicators (a score was computed) with no evidence: (project code, indicator)."""
    files = listing(dy.department.code, dy.year)
    out = [("", i) for i, r in zip(dy.indicators, result.indicators, strict=True)
           if r.score is not None and not i.feed and Ref("indicator", "", i.code) not in files]
    for p, pr in zip(dy.projects, result.projects, strict=True):
        out.extend((p.code, i) for i, r in zip(p.indicators, pr.indicators, strict=True)
                   if r.score is not None and not i.feed and Ref("indicator", p.code, i.code) not in files)
    return out
