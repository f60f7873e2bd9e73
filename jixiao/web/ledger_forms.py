"""Entering park-ledger records in the browser: for any table of any ledger (land, investment,
enterprise — ``jixiao.features``), the list of its records, the add and edit form and the
delete (注销) button, and the first step of a year without a ledger (新建本年度台账).

The form is drawn from the ledger's own field table (``jixiao.core.ledger.Table``: Chinese
title, kind, choices, required), so it asks exactly what an import reads, and every save is one
call of ``jixiao.services.ledgers`` — the same checks as an import (values, the core's
cross-row checks under the year's pinned rule set, capacity, versions, history). A wrong value
is shown next to its field; the indicators the ledger feeds are recounted on the next page view.
Each ledger's URL module routes here with its key (``{"ledger": "land"}``)."""
from __future__ import annotations

import dataclasses
import json
import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from jixiao import features
from jixiao.core.display import fmt_value
from jixiao.core.errors import InputError, Problem
from jixiao.core.ledger import FieldSpec, record_keys
from jixiao.ledgers.store import Ledger, TableStore
from jixiao.services import ledgers
from jixiao.services.actor import actor_for
from jixiao.web import access, presenters
from jixiao.web.views.common import Request, page_context, refused, service_call

# Columns of the record list: the first few fields of the table (its identity comes first).
LIST_COLUMNS = 7
BOOL_CHOICES = (("", "（未填）"), ("是", "是"), ("否", "否"))
LIST_KINDS = ("list", "names", "measures")


def ledger_or_404(key: str) -> Ledger:
    try:
        return features.ledger(key)
    except KeyError:
        raise Http404("没有该台账") from None


def _table(ledger: Ledger, request: Request) -> TableStore:
    key = (request.POST.get("table") or request.GET.get("table") or ledger.tables[0].key).strip()
    try:
        return ledger.table(key)
    except KeyError:
        raise Http404(f"{ledger.noun}没有该表") from None


def as_text(spec: FieldSpec, value: Any) -> str:
    """A stored value as the form shows it (and reads it back unchanged)."""
    if value is None:
        return ""
    if spec.kind == "bool":
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return fmt_value(value, 6)
    if isinstance(value, date):
        return value.isoformat()
    if spec.kind in LIST_KINDS:
        return "，".join(str(v) for v in value)
    if spec.kind == "json":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _blank_value(t: TableStore, attr: str) -> Any:
    """What a field emptied in the form becomes: the row type's default ("" for text, False, an
    empty list), or None where it has none."""
    f = next(x for x in dataclasses.fields(t.table.cls) if x.name == attr)
    if f.default is not dataclasses.MISSING:
        return f.default
    if f.default_factory is not dataclasses.MISSING:
        return f.default_factory()
    return None


def children(ledger: Ledger, t: TableStore) -> list[TableStore]:
    """Tables whose rows belong to a record of ``t`` (named by its first identity attribute and
    listed after it): 办理过程 of a 问题直通车 ticket, 分成计分 of a project, 处置跟踪 of a parcel.
    The add form offers their first row, saved together with the record."""
    if not t.table.identity:
        return []
    head = t.table.identity[0]
    after = list(ledger.tables)[list(ledger.tables).index(t) + 1:]
    return [c for c in after if c.table.identity and c.table.identity[0] == head]


_ROW_WHERE = re.compile(r"^(?P<sheet>.+?)\[(?P<n>\d+)\]\.(?P<attr>\w+)$")


def readable(ledger: Ledger, location: str) -> str:
    """「问题直通车[16].status」 → 「问题直通车第 16 条「状态」」: a place as users name it."""
    hit = _ROW_WHERE.match(location)
    if hit is None:
        return location
    t = next((x for x in ledger.tables if x.table.sheet == hit["sheet"]), None)
    title = next((s.title for s in t.table.specs if s.attr == hit["attr"]), None) if t else None
    if t is None:
        return location
    return f"{hit['sheet']}第 {hit['n']} 条" + (f"「{title}」" if title else "")


def _routes(ledger: Ledger) -> dict[str, str]:
    return {name: f"{ledger.key}:{name}" for name in ("records", "record_form", "record_delete", "start", "upload",
                                                        "upload_confirm")}


def ledger_context(request: Request, code: str, year: int, ledger: Ledger, **extra: Any) -> dict:
    row = access.get_year_or_404(request.user, code, year)
    nav = [(label, url) for label, name in features.nav_pages() if name.startswith(f"{ledger.key}:")
           for url in [reverse(name, args=[code, year])]]
    return page_context(request, row, ledger=ledger, routes=_routes(ledger), ledger_home=nav[0] if nav else None,
                        has_year=ledger.exists(code, year), header_fields=_header_fields(ledger), **extra)


def _header_fields(ledger: Ledger) -> list[dict[str, str]]:
    titles = {f.name: str(f.verbose_name) for f in ledger.year_model._meta.fields}
    return [{"name": f, "title": titles.get(f, f)} for f in ledger.header_fields()]


@login_required
def records(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """The records of one table, each with 修改 and 删除; the tables as tabs; a year without a
    ledger offers to begin one."""
    led = ledger_or_404(ledger)
    t = _table(led, request)
    ctx = ledger_context(request, code, year, led, table=t,
                   tables=[(x.key, x.table.sheet) for x in led.tables])
    rows: list[dict[str, Any]] = []
    if ctx["has_year"]:
        year_row = led.year_row(code, year)
        stored = led._records(t, year_row, for_keys=True)
        values = [led._values(t, r) for r in stored]
        specs = t.table.specs[:LIST_COLUMNS]
        for key, r, v in zip(record_keys(t.table, values), stored, values, strict=True):
            rows.append({"key": key, "version": r.version, "query": urlencode({"table": t.key, "key": key}),
                         "cells": [as_text(s, v[s.attr]) for s in specs]})
        ctx["columns"] = [s.title for s in specs]
    ctx["rows"] = rows
    return render(request, "web/ledger_records.html", ctx)


def _fields(t: TableStore, values: dict[str, str], problems: list[Problem], where_prefixes: tuple[str, ...]
            ) -> tuple[list[dict[str, Any]], list[Problem]]:
    """The form's fields with their values and the problems that name them; the other problems."""
    own: dict[str, list[str]] = {}
    rest = []
    for p in problems:
        attr = next((p.location[len(w) + 1:] for w in where_prefixes if p.location.startswith(w + ".")), None)
        if attr is not None and attr in t.table.attrs:
            own.setdefault(attr, []).append(p.message)
        else:
            rest.append(p)
    fields = []
    for s in t.table.specs:
        choices: tuple[tuple[str, str], ...] = ()
        if s.kind == "bool":
            choices = BOOL_CHOICES
        elif s.choices and s.kind == "str":
            choices = (("", "（未填）"), *((c, c) for c in s.choices if c))
        hint = {"date": "如 2022-03-31", "list": "多个用逗号分隔", "names": "多人用逗号分隔",
                "json": "GeoJSON 几何对象"}.get(s.kind, "")
        if s.kind == "measures":
            hint = "可选：" + "、".join(s.choices) + "（多个用逗号分隔）"
        fields.append({"name": s.attr, "title": s.title, "required": s.required, "kind": s.kind,
                       "choices": choices, "hint": hint, "value": values.get(s.attr, ""),
                       "errors": own.get(s.attr, []), "input": "date" if s.kind == "date" else "text",
                       "numeric": s.kind in ("dec", "int")})
    return fields, rest


def _form_page(request: Request, code: str, year: int, led: Ledger, t: TableStore, key: str,
               values: dict[str, str], version: int | None, problems: list[Problem] | None = None,
               **extra: Any) -> HttpResponse:
    where = (f"{t.table.sheet}（{key}）" if key else f"{t.table.sheet}（新增）",)
    fields, rest = _fields(t, values, problems or [], where)
    sections = []
    for c in [] if key else children(led, t):
        prefix = f"{c.key}-"
        own = {a[len(prefix):]: v for a, v in values.items() if a.startswith(prefix)}
        child_fields, rest = _fields(c, own, rest, (f"{c.table.sheet}（新增 1）",))
        shared = c.table.identity[0]
        shown = [dict(f, name=prefix + f["name"]) for f in child_fields if f["name"] != shared]
        sections.append({"title": c.table.sheet, "fields": shown,
                         "open": any(own.values()) or any(f["errors"] for f in child_fields)})
    ctx = ledger_context(request, code, year, led, table=t, key=key, version=version, fields=fields,
                         sections=sections, **extra)
    if rest:
        ctx["problems"] = presenters.problem_rows(
            [Problem(readable(led, p.location), p.message, p.field) for p in rest])
    return render(request, "web/ledger_form.html", ctx)


@login_required
def record_form(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """GET: the add form (no ``key``) or the edit form of record ``key``; POST: save it."""
    led = ledger_or_404(ledger)
    t = _table(led, request)
    source: QueryDict = request.POST if request.method == "POST" else request.GET
    key = source.get("key", "").strip()
    stored: dict[str, Any] = {}
    version = None
    if key:
        found = led.record(code, year, t.key, key)
        if found is None:
            access.get_year_or_404(request.user, code, year)  # out of scope: 404 before "no such record"
            raise Http404(f"未找到{t.table.sheet}“{key}”")
        row, stored = found
        version = row.version
    stored_text = {s.attr: as_text(s, stored.get(s.attr)) for s in t.table.specs}
    if request.method != "POST":
        access.get_year_or_404(request.user, code, year)
        return _form_page(request, code, year, led, t, key, stored_text, version)
    posted = {s.attr: request.POST.get(s.attr, "").strip() for s in t.table.specs}
    linked: dict[str, list[dict[str, str]]] = {}
    for c in [] if key else children(led, t):
        shared = c.table.identity[0]
        own = {s.attr: request.POST.get(f"{c.key}-{s.attr}", "").strip() for s in c.table.specs if s.attr != shared}
        posted.update({f"{c.key}-{a}": v for a, v in own.items()})
        if any(own.values()):  # a section left blank adds nothing
            linked[c.key] = [{**{a: v for a, v in own.items() if v}, shared: posted.get(shared, "")}]
    actor = actor_for(request.user)
    if key:
        # only what the user changed: untouched fields keep their stored values exactly
        changed: dict[str, Any] = {a: (v if v else _blank_value(t, a)) for a, v in posted.items()
                                   if v != stored_text[a]}
        base = int(request.POST.get("version", "0") or 0)
        saved, exc = service_call(ledgers.edit_record, actor, led.key, code, year, t.key, key, changed, base)
    else:
        saved, exc = service_call(ledgers.create_record, actor, led.key, code, year, t.key,
                                  {a: v for a, v in posted.items() if v and a in t.table.attrs}, linked=linked)
    if exc is not None:
        problems = exc.problems if isinstance(exc, InputError) else []
        return refused(request, exc, lambda extra: _form_page(
            request, code, year, led, t, key, posted, version, problems,
            **{k: v for k, v in extra.items() if k != "problems"}))
    messages.success(request, f"已{'修改' if key else '新增'}{t.table.sheet}“{saved.key}”；"
                              f"{led.noun}汇总及取自台账的绩效指标已按新数据重新计算")
    return redirect(reverse(f"{led.key}:records", args=[code, year]) + "?" + urlencode({"table": t.key}))


@login_required
@require_POST
def record_delete(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """Delete (注销) record ``key``, based on the version the list showed."""
    led = ledger_or_404(ledger)
    t = _table(led, request)
    access.get_year_or_404(request.user, code, year)
    key = request.POST.get("key", "").strip()
    raw = request.POST.get("version", "").strip()
    _, exc = service_call(ledgers.delete_record, actor_for(request.user), led.key, code, year, t.key, key,
                          int(raw) if raw.isdigit() else None, request.POST.get("reason", "").strip())
    back = reverse(f"{led.key}:records", args=[code, year]) + "?" + urlencode({"table": t.key})
    if exc is not None:
        return refused(request, exc, lambda extra: render(request, "web/error.html", ledger_context(
            request, code, year, led, **extra)))
    messages.success(request, f"已删除{t.table.sheet}“{key}”")
    return redirect(back)


@login_required
@require_POST
def start(request: Request, code: str, year: int, ledger: str) -> HttpResponse:
    """Begin this year's ledger (empty), then go to the add form of its first table."""
    led = ledger_or_404(ledger)
    access.get_year_or_404(request.user, code, year)
    header = {f: request.POST.get(f, "") for f in led.header_fields()}
    _, exc = service_call(ledgers.start_year, actor_for(request.user), led.key, code, year, header)
    if exc is not None:
        return refused(request, exc, lambda extra: render(request, "web/ledger_records.html", ledger_context(
            request, code, year, led, table=led.tables[0], tables=[(x.key, x.table.sheet) for x in led.tables],
            rows=[], **extra)))
    messages.success(request, f"已新建{year}年度{led.noun}，请逐条录入")
    return redirect(reverse(f"{led.key}:record_form", args=[code, year]) + "?" + urlencode(
        {"table": led.tables[0].key}))


def feed_rows(feeds: dict[str, Any]) -> list[tuple[str, Any]]:
    """A ledger's indicator feeds as users know them (「招商引资台账：实际利用外资」), not by key."""
    return [(presenters.feed_source(k)[0], v) for k, v in feeds.items()]
