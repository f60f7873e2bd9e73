"""JSON Schema of the exchange format, derived from the core dataclasses so the two cannot drift.

``schema.json`` beside this module is the committed copy; a test checks it equals
``build_schema()``. Regenerate with ``python -m jixiao.exchange.schema > jixiao/exchange/schema.json``.
"""
from __future__ import annotations

import dataclasses
import json
import typing
from decimal import Decimal
from typing import Any

from jixiao.core import model
from jixiao.exchange import CHOICES, FORMAT_NAME, FORMAT_VERSION, MONEY_UNITS, STATUS_CHOICES, _optional

DECIMAL = {"type": ["string", "number"], "pattern": r"^-?[0-9][0-9,]*(\.[0-9]+)?$",
           "description": "十进制数，建议写成字符串以免精度损失"}


def _field_schema(owner: str, name: str, tp: Any, defs: dict[str, Any]) -> dict[str, Any]:
    if _optional(tp):
        inner = next(a for a in typing.get_args(tp) if a is not type(None))
        return {"anyOf": [_field_schema(owner, name, inner, defs), {"type": "null"}]}
    origin = typing.get_origin(tp)
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        _define(tp, defs)
        return {"$ref": f"#/$defs/{tp.__name__}"}
    if origin is list:
        (item,) = typing.get_args(tp)
        return {"type": "array", "items": _field_schema(owner, name, item, defs)}
    if origin is dict:
        return {"type": "object", "propertyNames": {"pattern": "^(1[0-2]|[1-9])$"},
                "additionalProperties": DECIMAL}
    if tp is Decimal:
        return dict(DECIMAL)
    if tp is bool:
        return {"type": "boolean"}
    if tp is int:
        return {"type": "integer"}
    choices = STATUS_CHOICES.get(owner, model.STATUSES) if name == "status" else CHOICES.get(name)
    if name == "money_unit":
        choices = MONEY_UNITS
    return {"type": "string", "enum": list(choices)} if choices else {"type": "string"}


def _define(cls: type, defs: dict[str, Any]) -> None:
    if cls.__name__ in defs:
        return
    defs[cls.__name__] = {}  # placeholder against recursion
    hints = typing.get_type_hints(cls)
    props = {f.name: _field_schema(cls.__name__, f.name, hints[f.name], defs) for f in dataclasses.fields(cls)}
    required = [f.name for f in dataclasses.fields(cls)
                if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING]
    defs[cls.__name__] = {"type": "object", "properties": props, "required": required,
                          "additionalProperties": False}


def build_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    _define(model.DepartmentYear, defs)
    root = defs.pop("DepartmentYear")
    root["properties"] = {"format": {"const": FORMAT_NAME}, "format_version": {"const": FORMAT_VERSION},
                          **root["properties"]}
    root["required"] = ["format", "format_version", *root["required"]]
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"jixiao-department-year-v{FORMAT_VERSION}",
            "title": f"jixiao 部门年度数据交换格式（版本 {FORMAT_VERSION}）",
            **root, "$defs": dict(sorted(defs.items()))}


if __name__ == "__main__":
    print(json.dumps(build_schema(), ensure_ascii=False, indent=2))
