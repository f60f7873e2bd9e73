"""Pages of the land ledger: parcel list with filters, parcel detail with history, and the year's
summary with ECharts charts and a plain-SVG map drawn from the parcels' GeoJSON (no map tiles).
Access goes through ``jixiao.web.access``: another department's ledger is a 404."""
from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from jixiao.core import land
from jixiao.core.display import fmt_rate, fmt_value
from jixiao.land import models as lm
from jixiao.land import store
from jixiao.web import access, ledger_forms
from jixiao.web.views.common import page_context

STATUS_COLOURS = {"正常": "#8fbf8f", "低效": "#e6a23c", "闲置": "#d9534f"}
MAP_WIDTH = 900


def _ha(m2: Decimal) -> str:
    return fmt_value(land.m2_to_ha(m2), 2)


def _context(request: HttpRequest, code: str, year: int, **extra: Any) -> dict:
    row = access.get_year_or_404(request.user, code, year)
    has_ledger = lm.LandYear.objects.filter(department=row.department, year=year).first()
    return page_context(request, row, land_year=has_ledger,
                        land_years=store.ledger_years(code), **extra)


@login_required
def parcel_list(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = _context(request, code, year)
    rows = lm.Parcel.objects.filter(department=ctx["department"], survey_year=year)
    options = {
        "streets": sorted(set(rows.values_list("street", flat=True))),
        "uses": sorted(set(rows.values_list("current_use", flat=True))),
        "statuses": land.LAND_STATUSES,
        "construction": land.CONSTRUCTION_STATUSES,
    }
    f = {k: request.GET.get(k, "").strip() for k in ("street", "use", "status", "construction", "q")}
    if f["street"]:
        rows = rows.filter(street=f["street"])
    if f["use"]:
        rows = rows.filter(current_use=f["use"])
    if f["status"]:
        rows = rows.filter(status=f["status"])
    if f["construction"]:
        rows = rows.filter(construction_status=f["construction"])
    if f["q"]:
        rows = rows.filter(Q(parcel_id__icontains=f["q"]) | Q(owner__icontains=f["q"]) |
                           Q(actual_user__icontains=f["q"]) | Q(location__icontains=f["q"]))
    parcels = list(rows.order_by("parcel_id"))
    total = sum((r.site_area_m2 for r in parcels), Decimal(0))
    items = [{"row": r, "ha": _ha(r.site_area_m2), "mu": fmt_value(land.m2_to_mu(r.site_area_m2), 2),
              "types": "、".join(dict.fromkeys(f["type"] for f in r.findings if r.status != "正常"))}
             for r in parcels]
    ctx.update(items=items, filters=f, options=options, count=len(parcels), total_ha=_ha(total))
    return render(request, "land/list.html", ctx)


@login_required
def parcel_detail(request: HttpRequest, code: str, year: int, parcel_id: str) -> HttpResponse:
    ctx = _context(request, code, year)
    row = lm.Parcel.objects.filter(department=ctx["department"], survey_year=year, parcel_id=parcel_id).first()
    if row is None:
        raise Http404("未找到该宗地")
    p = store.load_ledger(code, year)
    parcel = next(x for x in p.parcels if x.parcel_id == parcel_id)
    m = land.metrics(parcel)
    metrics = [
        ("用地面积", f"{fmt_value(parcel.site_area_m2, 2)} 平方米 = {_ha(parcel.site_area_m2)} 公顷 = "
                  f"{fmt_value(parcel.site_area_mu, 2)} 亩"),
        ("亩均税收", _num(m["tax_per_mu"], "万元/亩")), ("上年亩均税收", _num(m["tax_per_mu_prev"], "万元/亩")),
        ("亩均产值", _num(m["output_per_mu"], "万元/亩")), ("容积率", _num(m["far"], "")),
        ("建筑系数", fmt_rate(m["coverage"], 1) if m["coverage"] is not None else "—"),
        ("亩均固定资产投资", _num(m["invest_intensity_per_mu"], "万元/亩")),
    ]
    fields = [(f.verbose_name, _show(getattr(row, f.name))) for f in lm.Parcel._meta.fields
              if f.name not in ("id", "department", "geometry", "findings", "explanation", "updated_at")]
    snapshots = list(lm.Parcel.objects.filter(department=ctx["department"], parcel_id=parcel_id)
                     .order_by("survey_year").values_list("survey_year", "status"))
    ctx.update(parcel=row, metrics=metrics, fields=fields, disposals=list(row.disposals.all()),
               history=store.parcel_history(code, year, parcel_id), snapshots=snapshots,
               map=_svg_map([row], height=260) if row.geometry else None)
    return render(request, "land/parcel.html", ctx)


@login_required
def summary(request: HttpRequest, code: str, year: int) -> HttpResponse:
    ctx = _context(request, code, year)
    if ctx["land_year"] is None:
        return render(request, "land/summary.html", ctx)
    s = store.load_summary(code, year)
    data = s.as_dict()
    rows = list(lm.Parcel.objects.filter(department=ctx["department"], survey_year=year).order_by("parcel_id"))
    animation = ctx["animation"]
    charts = {
        "land-street": _stacked("各街道地块利用状态（公顷）", s.by_street, animation),
        "land-use": _stacked("各现状用途地块利用状态（公顷）", s.by_use, animation),
        "land-disposal": _pie("处置策略（公顷）", s.disposal_by_strategy, animation),
        "land-type": _pie("低效类型（公顷，一宗地可有多种类型）", s.by_low_type, animation),
    }
    tables = [("按街道", _table("街道", "street", s.by_street)), ("按现状用途", _table("现状用途", "use", s.by_use))]
    ctx.update(s=s, data=data, charts=charts, tables=tables, statuses=land.LAND_STATUSES,
               map=_svg_map(rows) if any(r.geometry for r in rows) else None,
               feeds=ledger_forms.feed_rows(land.land_feeds(s)), colours=STATUS_COLOURS)
    return render(request, "land/summary.html", ctx)


def _table(head: str, param: str, groups: dict[str, dict[str, land.Group]]) -> dict:
    rows = []
    for key, by_status in groups.items():
        cells = [by_status.get(st, land.Group()) for st in land.LAND_STATUSES]
        rows.append({"key": key, "cells": [{"count": g.count, "ha": _ha(g.area_m2)} for g in cells]})
    return {"head": head, "param": param, "rows": rows}


def _num(v: Decimal | None, unit: str) -> str:
    return "—" if v is None else f"{fmt_value(v, 2)} {unit}".strip()


def _show(v: Any) -> str:
    if v is None or v == "":
        return "—"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, Decimal):
        return fmt_value(v, 4)
    if isinstance(v, list):
        return "、".join(str(x) for x in v) or "—"
    return str(v)


def _stacked(title: str, groups: dict[str, dict[str, land.Group]], animation: bool) -> dict:
    names = list(groups)
    return {
        "animation": animation,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0},
        "grid": {"left": 60, "right": 20, "top": 50, "bottom": 60},
        "xAxis": {"type": "category", "data": names},
        "yAxis": {"type": "value", "name": "公顷"},
        "series": [{"type": "bar", "stack": "area", "name": status, "itemStyle": {"color": colour},
                    "data": [float(_ha(groups[n][status].area_m2)) if status in groups[n] else 0 for n in names]}
                   for status, colour in STATUS_COLOURS.items()],
    }


def _pie(title: str, groups: dict[str, land.Group], animation: bool) -> dict:
    return {
        "animation": animation,
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "series": [{"type": "pie", "radius": "60%", "top": 30,
                    "data": [{"name": k, "value": float(_ha(g.area_m2))} for k, g in groups.items()]}],
    }


def _rings(geometry: dict) -> Iterable[list[list[float]]]:
    kind, coords = geometry.get("type"), geometry.get("coordinates") or []
    if kind == "Polygon":
        yield from coords[:1]
    elif kind == "MultiPolygon":
        for polygon in coords:
            yield from polygon[:1]


def _svg_map(rows: list[lm.Parcel], height: int = 520) -> dict:
    """Outer rings projected onto an SVG viewBox: longitude scaled by cos(latitude) so squares
    stay square at the park's latitude; north up."""
    shapes = [(r, ring) for r in rows if r.geometry for ring in _rings(r.geometry)]
    points = [pt for _, ring in shapes for pt in ring]
    if not points:
        return {"shapes": [], "width": MAP_WIDTH, "height": height}
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    k = math.cos(math.radians(sum(lats) / len(lats)))
    span_x = max((max(lons) - min(lons)) * k, 1e-9)
    span_y = max(max(lats) - min(lats), 1e-9)
    scale = min((MAP_WIDTH - 20) / span_x, (height - 20) / span_y)
    out = []
    for r, ring in shapes:
        pts = " ".join(f"{10 + (lon - min(lons)) * k * scale:.1f},{10 + (max(lats) - lat) * scale:.1f}"
                       for lon, lat in ring)
        out.append({"points": pts, "fill": STATUS_COLOURS.get(r.status, "#ccc"), "row": r})
    return {"shapes": out, "width": MAP_WIDTH, "height": height}
