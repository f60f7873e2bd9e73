"""Read the standard forms back, finding every field by its label rather than by address.

Tolerated, because real forms arrive that way: extra blank rows and columns, merged cells
(a vertically merged 一级指标 applies to every row it spans), numbers stored as text, full-width
characters, trailing spaces, an operator column or the operator inside the value ("≥100%"),
Chinese numerals, and money in 元 when the block header says so. Problems are collected over the
whole file and raised together; nothing is returned half-read.

One module per form — ``target`` (项目支出绩效目标申报表), ``monitor`` (绩效运行监控表),
``self_eval`` (项目支出绩效自评表), ``dept_self_eval`` (部门整体支出绩效自评表) — over the blocks
they share in ``sheet``; ``reader`` recognises each sheet's form and checks the sheets together.
"""
from __future__ import annotations

from jixiao.excel.forms_read.reader import read_forms

__all__ = ["read_forms"]
