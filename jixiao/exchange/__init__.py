"""The exchange format: one department-year as a JSON document (format version 2; version 1
files are read and upgraded, see ``_upgrade``).

The document mirrors ``jixiao.core.model`` field by field; ``docs/exchange-format.md`` describes
it and ``schema.json`` beside this file is its JSON Schema. Amounts are written as strings so
that no value passes through a float; numbers are accepted on input too.

Reading is strict and reports every problem at once, each with its JSON path, for example
``demo.json: $.projects[2].indicators[0].weight：分值必须是数字``.
"""
from __future__ import annotations

import copy
import dataclasses
import functools
import json
import types
import typing
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from jixiao import files
from jixiao.core import model
from jixiao.core.errors import InputError, Problem
from jixiao.core.limits import section
from jixiao.core.numbers import WELL_FORMED
from jixiao.core.text import (
    CODE_FIELDS,
    ONE_LINE_FIELDS,
    REFUSED,
    REFUSED_ONE_LINE,
    normalize_code,
    number_problem,
    shown,
    text_problem,
)
from jixiao.exchange import safejson
from jixiao.exchange.validate import validate_semantics

FORMAT_NAME = "jixiao-department-year"
FORMAT_VERSION = 2
READABLE_VERSIONS = (1, 2)

# Chinese names of fields, used in messages so a user recognises the column they filled in.
FIELD_LABELS: dict[str, str] = {
    "code": "编码", "name": "名称", "year": "年度", "budget": "全年预算数", "executed": "执行数",
    "initial": "年初预算数", "carry_over": "结转结余", "fund_source": "资金来源", "nature": "支出性质",
    "weight": "分值", "target_text": "指标值", "actual_text": "实际完成值", "level1": "一级指标",
    "level2": "二级指标", "unit": "度量单位", "achievement": "完成等级", "ratio_override": "得分比例",
    "status": "状态", "origin": "数据来源标记", "month": "月份", "likelihood": "完成目标可能性",
    "causes": "偏差原因", "money_unit": "金额单位", "monthly_executed": "月度执行数",
}

# Closed vocabularies: field name -> allowed values.
CHOICES: dict[str, tuple[str, ...]] = {
    "fund_source": model.FUND_SOURCES,
    "nature": model.NATURES,
    "origin": model.ORIGINS,
    "likelihood": model.LIKELIHOODS,
    "achievement": model.ACHIEVEMENTS,
    "goal_status": model.GOAL_STATUSES,
}
# "status" is the state of the record's own stage: 绩效自评 unless the class says otherwise.
STATUS_CHOICES: dict[str, tuple[str, ...]] = {
    "Rectification": model.RECTIFICATION_STATUSES, "Checkpoint": model.CHECKPOINT_STATUSES,
}
MONEY_UNITS = ("万元", "元", "亿元")


def _label(name: str) -> str:
    return FIELD_LABELS.get(name, name)


# A converter turns one raw JSON value into the field's value: (reader, raw, path) -> value.
Converter = Callable[["_Reader", Any, str], Any]


@dataclasses.dataclass(frozen=True)
class _Field:
    name: str
    required: bool
    convert: Converter


@functools.cache
def _fields(cls: type) -> tuple[frozenset[str], tuple[_Field, ...]]:
    """A dataclass's fields with a converter each, built once per class: resolving the type hints
    and dispatching on them per value was most of the time of reading a large file."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        name = f"{cls.__name__}.status" if f.name == "status" else f.name
        required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
        out.append(_Field(f.name, required, _converter(hints[f.name], name)))
    return frozenset(f.name for f in out), tuple(out)


def _converter(tp: Any, name: str) -> Converter:
    """The converter of a value of type ``tp`` in the field ``name`` (``Class.status`` for states)."""
    if _optional(tp):
        inner = _converter(next(a for a in typing.get_args(tp) if a is not type(None)), name)
        return lambda r, raw, path: None if raw is None else inner(r, raw, path)
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        cls = tp
        return lambda r, raw, path: r.build(cls, raw, path)
    if origin is list:
        (item_tp,) = typing.get_args(tp)
        item = _converter(item_tp, name)

        def convert_list(r: _Reader, raw: Any, path: str) -> Any:
            if not isinstance(raw, list):
                r.problem(path, "应为列表（[…]）", _label(name))
                return []
            return [item(r, v, f"{path}[{i}]") for i, v in enumerate(raw)]
        return convert_list
    if origin is dict:
        return lambda r, raw, path: r.month_map(raw, path, name)
    if tp is Decimal:
        return lambda r, raw, path: r.decimal(raw, path, name)
    if tp is bool:
        return lambda r, raw, path: r.boolean(raw, path, name)
    if tp is int:
        return lambda r, raw, path: r.integer(raw, path, name)
    if tp is str:
        allowed = CHOICES.get(name)
        label = name
        if name.endswith(".status"):
            allowed = STATUS_CHOICES.get(name.split(".")[0], model.STATUSES)
            label = "status"
        refused = REFUSED if label not in ONE_LINE_FIELDS else REFUSED_ONE_LINE
        plain = label not in CODE_FIELDS and not allowed

        def convert_text(r: _Reader, raw: Any, path: str) -> Any:
            # the common value, a free text of allowed characters, with one search
            if plain and type(raw) is str and refused.search(raw) is None:
                return raw
            return r.text(raw, path, allowed, label)
        return convert_text
    raise TypeError(f"unsupported field type {tp!r}")  # a programming error, not user input


class _Reader:
    """Builds dataclasses from parsed JSON, collecting problems instead of stopping at the first."""

    def __init__(self, source: str):
        self.source = source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str, field: str = "") -> None:
        self.problems.append(Problem(location=f"{self.source}: {path}", message=message, field=field))

    def build(self, cls: type, data: Any, path: str) -> Any:
        if not isinstance(data, dict):
            self.problem(path, "应为 JSON 对象（{…}）")
            return None
        known, fields = _fields(cls)
        if not data.keys() <= known:
            for key in data:
                if key not in known:
                    self.problem(f"{path}.{key}",
                                 f"未知字段「{key}」，请检查拼写（可用字段：{'、'.join(sorted(known))}）")
        kwargs: dict[str, Any] = {}
        missing = False
        for f in fields:
            if f.name not in data:
                if f.required:
                    self.problem(f"{path}.{f.name}", "缺少必填字段", _label(f.name))
                    missing = True
                continue
            kwargs[f.name] = f.convert(self, data[f.name], f"{path}.{f.name}")
        # A missing required field leaves nothing to build; other problems are collected and the
        # caller raises once the whole document has been read.
        return None if missing else cls(**kwargs)

    def boolean(self, raw: Any, path: str, name: str) -> bool:
        if not isinstance(raw, bool):
            self.problem(path, "应为 true 或 false", _label(name))
        return bool(raw)

    def integer(self, raw: Any, path: str, name: str) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            self.problem(path, f"应为整数，收到「{shown(raw)}」", _label(name))
            return 0
        return raw

    def text(self, raw: Any, path: str, allowed: tuple[str, ...] | None, label: str) -> str:
        if not isinstance(raw, str):
            self.problem(path, f"应为文本，收到「{shown(raw)}」", _label(label))
            return str(raw)
        why = text_problem(raw, multiline=label not in ONE_LINE_FIELDS)
        if why:
            self.problem(path, f"{why}，请删除后重新导入", _label(label))
            return raw
        if label in CODE_FIELDS:
            raw = normalize_code(raw)
        if allowed and raw not in allowed:
            self.problem(path, f"「{raw}」不是有效取值，应为：{'、'.join(allowed)}", _label(label))
        return raw

    def decimal(self, raw: Any, path: str, name: str) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, (str, int, Decimal)):
            self.problem(path, f"应为数字，收到「{shown(raw)}」", _label(name))
            return Decimal("0")
        if isinstance(raw, str) and "," in raw and not WELL_FORMED.fullmatch(raw.strip()):
            # "7,00.0,77" is not 700.077: thousands groups have three digits (real-work.md §3)
            self.problem(path, f"「{shown(raw)}」不是有效数字（千分位应为三位一组，如 1,234.5）", _label(name))
            return Decimal("0")
        try:
            value = Decimal(str(raw).replace(",", "").strip())
        except InvalidOperation:
            self.problem(path, f"「{shown(raw)}」不是有效数字", _label(name))
            return Decimal("0")
        why = number_problem(value)
        if why:
            self.problem(path, why, _label(name))
            return Decimal("0")
        return value

    def month_map(self, raw: Any, path: str, name: str) -> dict[int, Decimal]:
        if not isinstance(raw, dict):
            self.problem(path, "应为以月份为键的对象，如 {\"1\": \"10.5\"}", _label(name))
            return {}
        out: dict[int, Decimal] = {}
        for key, val in raw.items():
            # ASCII digits only: "²".isdigit() is true but int("²") fails
            if not (str(key).isascii() and str(key).isdigit() and len(str(key)) <= 2 and 1 <= int(key) <= 12):
                self.problem(f"{path}.{shown(key)}", "月份应为 1 到 12", _label("month"))
                continue
            out[int(key)] = self.decimal(val, f"{path}.{key}", name)
        return out


def _optional(tp: Any) -> bool:
    return (typing.get_origin(tp) in (typing.Union, types.UnionType)) and type(None) in typing.get_args(tp)


def from_dict(data: Any, source: str = "<数据>") -> model.DepartmentYear:
    """Validate a parsed document and build the department-year, or raise InputError."""
    reader = _Reader(source)
    if not isinstance(data, dict):
        raise InputError([Problem(f"{source}: $", "文件内容应为一个 JSON 对象（{…}）")])
    body = dict(data)
    fmt = body.pop("format", None)
    # Version 1 named the format version "version"; from version 2 on that key is the stored
    # version of the department-year, like on every other object, and the format's is
    # "format_version".
    version = body.pop("format_version") if "format_version" in body else body.pop("version", None)
    if fmt != FORMAT_NAME:
        reader.problem("$.format", f"应为「{FORMAT_NAME}」，这不是 jixiao 交换格式文件")
    elif version not in READABLE_VERSIONS:
        readable = "、".join(str(v) for v in READABLE_VERSIONS)
        reader.problem("$.version", f"不支持的格式版本「{version}」，本程序读取版本 {readable}")
    if reader.problems:
        raise InputError(reader.problems)
    if version == 1:
        body = _upgrade(body)
    dy = reader.build(model.DepartmentYear, body, "$")
    if dy is not None and not reader.problems:
        if dy.money_unit not in MONEY_UNITS:
            reader.problem("$.money_unit", f"金额单位应为：{'、'.join(MONEY_UNITS)}", "金额单位")
        reader.problems.extend(validate_semantics(dy, source))
    if reader.problems or dy is None:
        raise InputError(reader.problems)
    return dy


# Version 1 named the states of two stages differently; version 2 adds ``version`` (the stored
# version a copy was exported at), ``goal_status``, rectification ``code`` and
# ``original_target_text`` — all optional, so only the renamed states need upgrading.
_V1_CHECKPOINT_STATES = {"草稿": "填报", "锁定": "已审核"}
_V1_RECTIFICATION_STATES = {"未开始": "待整改"}


def _upgrade(body: dict[str, Any]) -> dict[str, Any]:
    """A version-1 document as version 2 (the input is not modified)."""
    body = copy.deepcopy(body)
    for r in body.get("rectifications") or []:
        if isinstance(r, dict) and r.get("status") in _V1_RECTIFICATION_STATES:
            r["status"] = _V1_RECTIFICATION_STATES[r["status"]]
    for p in body.get("projects") or []:
        for c in (p.get("checkpoints") or []) if isinstance(p, dict) else []:
            if isinstance(c, dict) and c.get("status") in _V1_CHECKPOINT_STATES:
                c["status"] = _V1_CHECKPOINT_STATES[c["status"]]
    return body


def read_file(path: str | Path) -> model.DepartmentYear:
    """Read an exchange-format file; every problem is reported with its JSON path."""
    p = Path(path)
    name = p.name
    if not p.is_file():
        raise InputError(f"找不到文件「{path}」", location=str(path))
    limit = section("json")["max_file_bytes"]
    if p.stat().st_size > limit:
        raise InputError(f"文件超过 {limit // 1024 // 1024} MB 上限，请拆分后再导入", location=name)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("文件不是 UTF-8 编码的 JSON 文本", location=name) from None
    return from_dict(safejson.loads(text, name), name)


def to_dict(dy: model.DepartmentYear) -> dict[str, Any]:
    """The document for a department-year; Decimals become strings, months become "1".."12"."""
    body = _plain(dy)
    return {"format": FORMAT_NAME, "format_version": FORMAT_VERSION, **body}


def _plain(obj: Any) -> Any:
    if dataclasses.is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    if isinstance(obj, dict):
        return {str(k): _plain(v) for k, v in sorted(obj.items())}
    if isinstance(obj, Decimal):
        return str(obj)
    return obj


def dumps(dy: model.DepartmentYear) -> str:
    return json.dumps(to_dict(dy), ensure_ascii=False, indent=2) + "\n"


def write_file(dy: model.DepartmentYear, path: str | Path) -> None:
    files.write_text(path, dumps(dy))  # beside and renamed: never a half-written file
