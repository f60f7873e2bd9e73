"""The OpenAPI 3.1 description of the JSON API, built here so it cannot drift from the routes
(tests compare it with the committed docs/openapi.json, with the URLconf's API routes and the
methods each view declares, and its writable fields with ``jixiao.core.editing.EDITABLE``).
Regenerate the file with ``python -m jixiao.web.openapi > docs/openapi.json``.

Pure: no Django (the field types come from the dataclasses of ``jixiao.core.model``)."""
from __future__ import annotations

import json
import sys
import typing
from decimal import Decimal
from typing import Any

from jixiao.core import model as core
from jixiao.core.editing import EDITABLE

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}
_INT = {"type": "integer"}
_BOOL = {"type": "boolean"}
_STRS = {"type": "array", "items": _STR}
_TIME = {"type": "string", "format": "date-time"}
_CHANGED = {"type": "array", "items": {"type": "string"}, "description": "只在 PATCH 的回答中：实际改变的字段"}
_NTIME = {"type": ["string", "null"], "format": "date-time"}

_CLASSES: dict[str, type] = {
    "year": core.DepartmentYear, "budget_line": core.BudgetLine, "project": core.Project, "fund": core.FundLine,
    "indicator": core.Indicator, "checkpoint": core.Checkpoint, "rectification": core.Rectification,
}
LABELS = {
    "work_tasks": "年度总体工作和重点工作任务", "management": "部门整体绩效管理情况", "goal": "年度总体目标",
    "goal_actual": "目标实际完成情况", "achievements": "主要工作成效", "problems": "存在的主要问题",
    "measures": "下一步改进措施（监控：纠偏措施）",
    "execution_explanation": "预算执行情况说明（执行率低于 90% 时必填）",
    "budget": "全年预算数（调整后）", "executed": "执行数", "initial": "年初预算数", "carry_over": "年末结转和结余",
    "name": "名称", "unit": "实施单位（指标：度量单位）", "category": "项目类别", "budget_cut_midyear": "年中调减预算",
    "level1": "一级指标", "level2": "二级指标", "target_text": "年度指标值（原文，如 ≥24场）", "weight": "分值",
    "actual_text": "实际完成值（原文，如 26场；空：尚未填报）", "achievement": "定性指标完成情况：达成/部分达成/未达成",
    "ratio_override": "定性指标在档内选定的得分比例（0–1）", "override_reason": "选定得分比例的理由",
    "deviation_reason": "偏差原因分析及改进措施", "basis": "指标值设定依据", "data_source": "数据来源",
    "core": "核心指标", "last_year_actual": "上年实际完成值", "stated_score": "单位自评得分",
    "goal_progress": "年度总体目标 1-X 月执行情况", "expected_executed": "全年预计执行数",
    "causes": "偏差原因（偏差原因词表中的取值）", "problem": "问题", "measure": "整改措施", "owner": "责任人/责任单位",
    "deadline": "整改期限（ISO 日期，如 2023-06-30）", "project": "所属项目编码（空：部门整体）",
}
_AMOUNT = {"type": ["string", "number", "null"], "description": "精确小数，建议以字符串给出，如 \"12.50\""}

_ERRORS = {
    "401": "Unauthorized", "403": "Forbidden", "404": "NotFound", "409": "Conflict", "422": "Unprocessable",
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(props: dict[str, Any], required: list[str] | None = None, **extra: Any) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props, **extra}
    if required:
        schema["required"] = required
    return schema


def _field_schema(cls: type, name: str) -> dict[str, Any]:
    """The JSON a request may give for one dataclass field (text is always accepted: the layer
    parses it as the field's type)."""
    hint = typing.get_type_hints(cls)[name]
    args = typing.get_args(hint)
    base = next((a for a in args if a is not type(None)), hint) if type(None) in args else hint
    schema: dict[str, Any]
    if base is Decimal:
        schema = dict(_AMOUNT)
    elif base is bool:
        schema = {"type": ["boolean", "string"], "description": "true/false，或“是”/“否”"}
    elif typing.get_origin(base) is list:
        schema = {"type": ["array", "string"], "items": _STR, "description": "列表，或以逗号分隔的文字"}
    elif base is int:
        schema = {"type": ["integer", "string"]}
    else:
        schema = {"type": ["string", "null"]}
    label = LABELS.get(name)
    if label:
        schema["description"] = label + ("；" + schema["description"] if "description" in schema else "")
    return schema


def _fields(kind: str) -> dict[str, Any]:
    return {name: _field_schema(_CLASSES[kind], name) for name in EDITABLE[kind]}


def _stored(kind: str) -> dict[str, Any]:
    """The writable fields as a read answers them (amounts as exact strings)."""
    cls = _CLASSES[kind]
    out: dict[str, Any] = {}
    for name in EDITABLE[kind]:
        hint = typing.get_type_hints(cls)[name]
        optional = type(None) in typing.get_args(hint)
        base = next((a for a in typing.get_args(hint) if a is not type(None)), hint) if optional else hint
        if base is bool:
            schema: dict[str, Any] = dict(_BOOL)
        elif typing.get_origin(base) is list:
            schema = dict(_STRS)
        elif base is int:
            schema = dict(_INT)
        else:
            schema = dict(_NSTR if optional or base is Decimal else _STR)
        if name in LABELS:
            schema["description"] = LABELS[name]
        out[name] = schema
    return out


def _patch_schema(kind: str, aliases: dict[str, str] | None = None) -> dict[str, Any]:
    props = _fields(kind)
    for alias, name in (aliases or {}).items():
        props[alias] = {**props[name], "description": f"「{name}」的别名"}
    props["version"] = {"type": "integer", "description": "读取该对象时得到的 version；已被他人修改时返回 409"}
    props["reason"] = {"type": "string", "description": "修改原因（记入变更记录，可省略）"}
    if kind == "indicator":
        props["confirm"] = {"type": "boolean", "description": "true：按原值保存取值规则要求确认的实际完成值"
                                                             "（与指标值相差悬殊、百分比指标填写小数等；否则返回 422）"}
    return _obj(props, ["version"], additionalProperties=False)


def _create_schema(kind: str, key: str, key_schema: dict[str, Any], required: list[str]) -> dict[str, Any]:
    props = {key: key_schema, **_fields(kind),
             "reason": {"type": "string", "description": "修改原因（记入变更记录，可省略）"}}
    return _obj(props, [key, *required], additionalProperties=False)


_PARAMS = {
    "code": ("部门编码", _STR), "year": ("年度", _INT), "pcode": ("项目编码", _STR),
    "icode": ("指标编码", _STR), "source": ("资金来源，如 一般公共预算", _STR), "month": ("监控截止月份（1–12）", _INT),
    "rcode": ("整改事项编码，如 R01", _STR), "id": ("目标调整申请编号", _INT),
}


def _params(*names: str) -> list[dict[str, Any]]:
    return [{"name": n, "in": "path", "required": True, "description": _PARAMS[n][0], "schema": _PARAMS[n][1]}
            for n in names]


def _query(name: str, description: str, schema: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": False, "description": description, "schema": schema or _STR}


def _content(schema_name: str) -> dict[str, Any]:
    return {"application/json": {"schema": _ref(schema_name)}}


def _op(summary: str, ok: str, *, body: str | None = None, status: str = "200", ok_text: str = "成功",
        errors: tuple[str, ...] = ("401", "404"), description: str = "",
        query: list[dict[str, Any]] | None = None, conflict: str = "Conflict") -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary}
    if description:
        op["description"] = description
    if query:
        op["parameters"] = query
    if body:
        op["requestBody"] = {"required": True, "content": _content(body)}
    responses: dict[str, Any] = {status: {"description": ok_text, "content": _content(ok)}}
    for code in errors:
        name = conflict if code == "409" else _ERRORS[code]
        responses[code] = {"$ref": f"#/components/responses/{name}"}
    op["responses"] = responses
    return op


_WRITE = ("401", "403", "404", "409", "422")
_READ = ("401", "404")


def _path(params: list[dict[str, Any]], **ops: dict[str, Any]) -> dict[str, Any]:
    return {"parameters": params, **ops} if params else dict(ops)


def _object_path(params: list[dict[str, Any]], what: str, read: str, kind: str, delete: bool = True,
                 aliases: dict[str, str] | None = None) -> dict[str, Any]:
    ops = {
        "get": _op(f"{what}", read, errors=_READ),
        "patch": _op(f"修改{what}", read, body=f"{read}Patch", errors=_WRITE,
                     ok_text="已保存：对象的新内容与新 version",
                     description=f"可修改的字段：{'、'.join(EDITABLE[kind])}"
                                 + (f"（别名：{'、'.join(f'{a}={n}' for a, n in aliases.items())}）" if aliases else "")
                                 + "。须给出读取时的 version：对象已被他人修改时返回 409（说明谁在何时改了什么），"
                                   "角色或流程状态不允许时返回 403，取值有误时返回 422。"),
    }
    if delete:
        ops["delete"] = _op(f"删除{what}", "Deleted", errors=_WRITE, query=[_query(
            "version", "读取时得到的 version（也可放在请求体中）", _INT)])
    return _path(params, **ops)


def _move_path(params: list[dict[str, Any]], what: str, actions: str) -> dict[str, Any]:
    return _path(params, post=_op(
        f"{what}的流程操作", "Moved", body="WorkflowAction", errors=_WRITE,
        description=f"action：{actions}。角色或当前状态不允许时返回 403；退回等须填意见、提交时质量检查有"
                    "“错误”级问题时返回 422；给出的 version 已过期时返回 409。"))


def _schemas() -> dict[str, Any]:
    error = _obj({"detail": {"type": "string", "description": "中文说明"},
                  "error": {"type": "string", "description": "同 detail（兼容旧调用方）"},
                  "location": {"type": "string", "description": "涉及的对象，如 项目 B01 / 指标 B01-I1"},
                  "problems": {"type": "array", "items": _obj({"location": _STR, "field": _STR, "message": _STR})}},
                 ["detail", "error"])
    indicator = _obj({
        "code": _STR, **_stored("indicator"),
        "target": {**_NSTR, "description": "年度指标值（同 target_text）"}, "target_parsed": _NSTR,
        "actual": {**_NSTR, "description": "实际完成值，照填写原文（同 actual_text）"},
        "original_target_text": {**_NSTR, "description": "目标调整前的指标值"},
        "score": _NSTR, "trace": _STR, "flags": _STRS, "feed": _NSTR, "origin": _STR,
        "version": {"type": ["integer", "null"]}, "changed": _CHANGED,
    }, ["code", "name", "weight", "score", "actual", "target", "version"])
    review = {"oneOf": [{"type": "null"}, _obj({"score": _STR, "grade": _STR, "reason": _STR, "who": _STR,
                                                "when": _TIME})]}
    states = {"status": {"type": "string", "description": "绩效自评状态：草稿/已提交/退回/已审核/锁定"},
              "goal_status": {"type": "string", "description": "绩效目标申报状态"},
              "version": {"type": ["integer", "null"]}}
    project_summary = _obj({
        "code": _STR, "name": _STR, "budget": _STR, "executed": _STR, "execution_rate": _NSTR,
        "execution_weight": _STR, "execution_score": _STR, "score": _STR, "grade": _STR, **states,
    }, ["code", "name", "score", "grade", "status", "goal_status", "version"])
    fund = _obj({"fund_source": _STR, **_stored("fund"), "version": {"type": ["integer", "null"]},
                 "changed": _CHANGED}, ["fund_source", "version"])
    checkpoint = _obj({
        "month": _INT, "goal_progress": _STR, "expected_executed": _NSTR, "causes": _STRS, "measures": _STR,
        "indicators": {"type": "array", "items": _obj({
            "indicator": _STR, "progress_text": _STR, "forecast_text": _STR, "likelihood": _STR, "causes": _STRS,
            "explanation": _STR, "measures": _STR})},
        "status": {"type": "string", "description": "监控状态：填报/已提交/退回/已审核"},
        "version": {"type": ["integer", "null"]}, "changed": _CHANGED,
    }, ["month", "status", "version"])
    rectification = _obj({
        "code": _STR, "problem": _STR, "measure": _STR, "owner": _STR, "deadline": _NSTR, "project": _NSTR,
        "status": {"type": "string", "description": "整改状态：待整改/整改中/已完成/已确认"},
        "version": {"type": ["integer", "null"]}, "changed": _CHANGED,
    }, ["code", "problem", "status", "version"])
    adjustment = _obj({
        "id": _INT, "project": _NSTR, "indicator": _STR,
        "field": {"type": "string", "enum": ["target_text", "weight"]}, "original": _STR, "adjusted": _STR,
        "reason": _STR, "status": {"type": "string", "description": "待审核/已批准/已驳回"},
        "requested_by": _STR, "requested_at": _TIME, "decided_by": _NSTR, "decided_at": _NTIME,
        "decision_comment": _STR, "version": _INT,
    }, ["id", "indicator", "field", "adjusted", "status", "version"])
    preview_item = _obj({
        "kind": {"type": "string", "enum": ["added", "changed", "deleted", "conflict", "warning"]},
        "location": _STR, "name": _STR, "field": _STR, "before": _NSTR, "after": _NSTR, "message": _STR,
    }, ["kind", "location"])
    preview = _obj({
        "department": _STR, "year": _INT, "source": _STR, "new": _BOOL,
        "counts": _obj(dict.fromkeys(("added", "changed", "deleted", "conflict", "warning"), _INT)),
        "items": {"type": "array", "items": preview_item}, "summary": _STR,
        "applied": {"type": "boolean", "description": "是否已写入（dry_run 或有冲突时为 false）"},
        "reading": {"type": "array", "items": _obj({"location": _STR, "field": _STR, "message": _STR}),
                    "description": "读取文件时的提示"},
    }, ["department", "year", "counts", "items", "applied"])
    return {
        "Error": error,
        "ImportConflictError": {"allOf": [_ref("Error"), _obj({"preview": _ref("ImportPreview")}, ["preview"])]},
        "Indicator": indicator,
        "IndicatorPatch": _patch_schema("indicator", {"actual": "actual_text", "target": "target_text"}),
        "IndicatorCreate": _create_schema("indicator", "code", {"type": "string", "description": "指标编码"},
                                          ["level1", "level2", "name", "target_text", "weight"]),
        "IndicatorList": _obj({"indicators": {"type": "array", "items": _ref("Indicator")}}, ["indicators"]),
        "DepartmentList": _obj({"departments": {"type": "array", "items": _obj({
            "code": _STR, "name": _STR, "kind": _STR,
            "parent": {**_NSTR, "description": "上级部门的编码，没有时为 null"},
            "roles": _STRS, "years": {"type": "array", "items": _INT}}, ["code", "name", "parent"])}},
            ["departments"]),
        "DepartmentYear": _obj({
            "code": _STR, "name": _STR, "year": _INT, "money_unit": _STR,
            "budget": _STR, "executed": _STR, "execution_rate": _NSTR, "score": _STR, "grade": _STR,
            "trace": _STR, **_stored("year"), **states,
            "indicators": {"type": "array", "items": _ref("Indicator")},
            "projects": {"type": "array", "items": _obj({"code": _STR, "name": _STR, **states})},
            "changed": _CHANGED,
        }, ["code", "year", "budget", "executed", "score", "grade", "status", "version"]),
        "DepartmentYearPatch": _patch_schema("year"),
        "ProjectList": _obj({"projects": {"type": "array", "items": project_summary}}, ["projects"]),
        "Project": {"allOf": [project_summary, _obj({
            **_stored("project"), "trace": _STR, "origin": _STR, "funds": {"type": "array", "items": _ref("Fund")},
            "indicators": {"type": "array", "items": _ref("Indicator")},
            "changed": _CHANGED})]},
        "ProjectPatch": _patch_schema("project"),
        "ProjectCreate": _create_schema("project", "code", {"type": "string", "description": "项目编码"}, ["name"]),
        "Fund": fund,
        "FundPatch": _patch_schema("fund"),
        "Checkpoint": checkpoint,
        "CheckpointList": _obj({"checkpoints": {"type": "array", "items": _ref("Checkpoint")}}, ["checkpoints"]),
        "CheckpointPatch": _patch_schema("checkpoint"),
        "CheckpointCreate": _create_schema("checkpoint", "month", {"type": ["integer", "string"],
                                                                   "description": "监控截止月份（1–12）"}, []),
        "Rectification": rectification,
        "RectificationList": _obj({"rectifications": {"type": "array", "items": _ref("Rectification")}},
                                  ["rectifications"]),
        "RectificationPatch": _patch_schema("rectification"),
        "RectificationCreate": _create_schema("rectification", "code",
                                              {"type": "string", "description": "整改事项编码，如 R02"},
                                              ["problem", "measure"]),
        "Deleted": _obj({"detail": _STR, "location": _STR}, ["detail", "location"]),
        "WorkflowAction": _obj({
            "action": {"type": "string", "description": "流程操作，如 submit、return、approve、lock、unlock、ratify、"
                                                        "start、complete、confirm（见 jixiao/rules/workflow.json）"},
            "comment": {"type": "string", "description": "意见；退回、解除锁定等须填写"},
            "stage": {"type": "string", "enum": ["self_evaluation", "goals", "monitoring", "rectification"],
                      "description": "流程阶段；项目默认 self_evaluation（绩效自评），goals 为绩效目标申报"},
            "version": {"type": "integer", "description": "可选：读取时的 version，已过期时返回 409"},
        }, ["action"], additionalProperties=False),
        "IndicatorMoveRequest": _obj({
            "direction": {"type": "string", "enum": ["up", "down"], "description": "up 上移一位，down 下移一位"},
            "version": {**_INT, "description": "读取该指标时的 version（可选，过期时 409）"},
        }, ["direction"], additionalProperties=False),
        "IndicatorOrder": _obj({"moved": {"type": "boolean", "description": "已在首位/末位时为 false"},
                                "order": {"type": "array", "items": _STR, "description": "指标编码，新的顺序"}},
                               ["moved", "order"]),
        "ProjectCopyRequest": _obj({
            "from_year": {"type": ["string", "integer"], "description": "复制自年度（本部门以前年度）"},
            "from_project": {"type": "string", "description": "复制自项目编码"},
            "code": {"type": "string", "description": "本年度项目编码；不填则沿用原编码"},
        }, ["from_year", "from_project"], additionalProperties=False),
        "Moved": _obj({"location": _STR, "stage": _STR, "before": _STR, "status": _STR, "version": _INT},
                      ["stage", "before", "status", "version"]),
        "ResultDecisionRequest": _obj({
            "project": {"type": "string", "description": "项目编码"},
            "amount": {"type": ["string", "number", "null"],
                       "description": "下年度安排数（部门年度的金额单位）；空为采纳建议安排数"},
            "comment": {"type": "string", "description": "审核意见（与建议安排数不同时必填）"},
        }, ["project"], additionalProperties=False),
        "ResultDecision": _obj({
            "project": _STR, "grade": _STR, "grade_basis": {"type": "string", "description": "自评 或 复核"},
            "consequence": _STR, "proposed": _NSTR, "decided": _STR, "comment": _STR,
            "rules": {"type": "string", "description": "结果应用规则 id@版本/方案"}, "who": _STR, "when": _TIME,
        }, ["project", "decided", "who", "when"]),
        "ResultList": _obj({"money_unit": _STR, "projects": {"type": "array", "items": _obj({
            "project": _STR, "name": _STR, "score": _NSTR, "grade": _NSTR, "grade_basis": _STR,
            "consequence": _NSTR, "budget": _NSTR, "proposed": _NSTR,
            "reason": {**_NSTR, "description": "没有建议安排数的原因"},
            "decision": {"oneOf": [{"type": "null"}, _ref("ResultDecision")]}},
            ["project", "grade", "proposed", "decision"])}}, ["projects"]),
        "ReviewRequest": _obj({
            "project": {**_NSTR, "description": "项目编码；null 为部门整体"},
            "reason": {"type": "string", "description": "复核意见（必填）"},
            "scores": {"type": "array", "items": _obj({
                "indicator": _STR, "score": {"type": ["string", "number"]}, "comment": _STR}, ["indicator", "score"])},
            "total": {"type": ["string", "number", "null"], "description": "不逐项打分时的复核总分"},
        }, ["reason"], additionalProperties=False),
        "Review": _obj({
            "id": _INT, "project": _NSTR, "score": _STR, "grade": _STR, "self_score": _NSTR, "self_grade": _STR,
            "reason": _STR, "who": _STR, "when": _TIME,
            "items": {"type": "array", "items": _obj({"indicator": _STR, "name": _STR, "score": _STR,
                                                      "self_score": _NSTR, "comment": _STR})},
        }, ["id", "score", "grade", "reason", "who", "when"]),
        "AdjustmentRequest": _obj({
            "field": {"type": "string", "enum": ["target_text", "weight", "target"],
                      "description": "调整内容：target_text（指标值，别名 target）或 weight（分值）"},
            "value": {"type": "string", "description": "调整后的值"},
            "reason": {"type": "string", "description": "调整理由（必填）"},
        }, ["field", "value", "reason"], additionalProperties=False),
        "AdjustmentDecision": _obj({
            "action": {"type": "string", "enum": ["approve", "reject"]},
            "comment": {"type": "string", "description": "审核意见；驳回须填写"},
            "version": {"type": "integer", "description": "可选：读取时的 version"},
        }, ["action"], additionalProperties=False),
        "Adjustment": adjustment,
        "AdjustmentList": _obj({"adjustments": {"type": "array", "items": _ref("Adjustment")}}, ["adjustments"]),
        "ExchangeDocument": {"type": "object", "description": "交换格式文档（docs/exchange-format.md），"
                                                             "即 jixiao export --format json 的内容"},
        "ImportPreview": preview,
        "Evaluation": _obj({
            "code": _STR, "year": _INT, "status": _STR, "score": _STR, "grade": _STR,
            "review": review,
            "projects": {"type": "array", "items": _obj({"code": _STR, "name": _STR, "status": _STR,
                                                         "score": _STR, "grade": _STR, "review": review})},
        }, ["code", "year", "status", "score", "grade"]),
    }


def _paths() -> dict[str, Any]:
    a = "/api/departments/{code}/{year}/"
    y, p = _params("code", "year"), _params("code", "year", "pcode")
    i = _params("code", "year", "pcode", "icode")
    se = "submit（提交）、return（退回，须填意见）、approve（审核通过）、lock（锁定）、unlock（解除锁定，须填意见）"
    return {
        "/api/departments/": _path([], get=_op("可见的部门及其年度", "DepartmentList", errors=("401",))),
        a: _object_path(y, "部门年度概况与部门整体得分", "DepartmentYear", "year", delete=False),
        a + "workflow/": _move_path(y, "部门整体自评", se),
        a + "projects/": _path(y, get=_op("项目列表及自评得分", "ProjectList", errors=_READ),
                               post=_op("新增项目", "Project", body="ProjectCreate", status="201", ok_text="已新增",
                                        errors=_WRITE)),
        a + "projects/{pcode}/": _object_path(p, "项目详情与指标", "Project", "project"),
        a + "projects/{pcode}/workflow/": _move_path(
            p, "项目", f"绩效自评（stage=self_evaluation，默认）：{se}；绩效目标申报（stage=goals）：submit、return、"
                       "approve（部门审核通过）、ratify（财政审核通过）"),
        a + "projects/{pcode}/indicators/": _path(
            p, get=_op("项目的绩效指标", "IndicatorList", errors=_READ),
            post=_op("新增指标", "Indicator", body="IndicatorCreate", status="201", ok_text="已新增", errors=_WRITE)),
        a + "projects/{pcode}/indicators/{icode}/": _object_path(
            i, "一个指标", "Indicator", "indicator", aliases={"actual": "actual_text", "target": "target_text"}),
        a + "projects/{pcode}/indicators/{icode}/adjustments/": _path(
            i, get=_op("该指标的目标调整申请", "AdjustmentList", errors=_READ),
            post=_op("申请目标调整（目标批复后修改指标值或分值）", "Adjustment", body="AdjustmentRequest", status="201",
                     ok_text="已提交申请", errors=_WRITE)),
        a + "projects/{pcode}/indicators/{icode}/move/": _path(
            i, post=_op("调整指标顺序（绩效目标申报）", "IndicatorOrder", body="IndicatorMoveRequest", errors=_WRITE,
                        description="目标已提交或批复时返回 403。")),
        a + "copy-project/": _path(
            y, post=_op("复制以前年度的项目为本年度草稿（绩效目标申报）", "Project", body="ProjectCopyRequest",
                        status="201", ok_text="已复制", errors=_WRITE,
                        description="复制名称、实施单位、类别、总体目标、资金来源（金额留空）和指标（上年实际完成值记为"
                                    "上年实际完成值）；编码已存在时返回 409。")),
        a + "projects/{pcode}/funds/{source}/": _object_path(
            _params("code", "year", "pcode", "source"), "项目资金（按资金来源）", "Fund", "fund", delete=False),
        a + "projects/{pcode}/checkpoints/": _path(
            p, get=_op("项目的监控节点", "CheckpointList", errors=_READ),
            post=_op("新增监控节点", "Checkpoint", body="CheckpointCreate", status="201", ok_text="已新增",
                     errors=_WRITE)),
        a + "projects/{pcode}/checkpoints/{month}/": _object_path(
            _params("code", "year", "pcode", "month"), "一个监控节点", "Checkpoint", "checkpoint"),
        a + "projects/{pcode}/checkpoints/{month}/workflow/": _move_path(
            _params("code", "year", "pcode", "month"), "监控节点",
            "submit（提交）、return（退回，须填意见）、approve（审核通过）"),
        a + "rectifications/": _path(
            y, get=_op("整改事项", "RectificationList", errors=_READ),
            post=_op("新增整改事项", "Rectification", body="RectificationCreate", status="201", ok_text="已新增",
                     errors=_WRITE)),
        a + "rectifications/{rcode}/": _object_path(
            _params("code", "year", "rcode"), "一个整改事项", "Rectification", "rectification"),
        a + "rectifications/{rcode}/workflow/": _move_path(
            _params("code", "year", "rcode"), "整改事项",
            "start（开始整改）、complete（整改完成，须填意见）、return（退回继续整改，须填意见）、confirm（确认整改）"),
        a + "review/": _path(y, post=_op(
            "财政复核（逐项复核打分）", "Review", body="ReviewRequest", status="201", ok_text="已记录复核",
            errors=_WRITE, description="只有财政审核、系统管理员可以复核（其他角色 403）；"
                                       "只能复核已提交/已审核/锁定的自评（否则 403）。")),
        a + "results/": _path(
            y, get=_op("结果应用：各项目等级、结果应用、建议安排数与现行决定", "ResultList", errors=_READ),
            post=_op("记录下年度预算安排决定（结果应用）", "ResultDecision", body="ResultDecisionRequest", status="201",
                     ok_text="已记录", errors=_WRITE,
                     description="只有财政审核、系统管理员可以决定（其他角色 403）；规则见 rules/results.json。")),
        a + "adjustments/": _path(y, get=_op("本年度的目标调整申请", "AdjustmentList", errors=_READ)),
        a + "evaluation/": _path(y, get=_op("自评与财政复核结果", "Evaluation", errors=_READ)),
        "/api/adjustments/{id}/": _path(
            _params("id"), get=_op("一个目标调整申请", "Adjustment", errors=_READ),
            post=_op("审核目标调整（批准或驳回）", "Adjustment", body="AdjustmentDecision", errors=_WRITE,
                     description="批准后调整后的值生效，原值保留在 original_target_text。")),
        "/api/import/": _path([], post={
            **_op("导入交换格式文档或 Excel 工作簿（先预览，全部或全不）", "ImportPreview", errors=_WRITE,
                  conflict="ImportConflict", query=[
                      _query("dry_run", "1：只返回预览，不写入任何数据"),
                      _query("delete_missing", "1：同时删除文档中没有的对象（否则只列为“删除”项而不执行）"),
                      _query("reason", "导入原因（记入变更记录）")],
                  description="请求体为交换格式 JSON 文档，或 multipart/form-data 的 file 字段（.json/.xlsx）。"
                              "文件不改变流程状态（不同的状态只列为提示）；有任何冲突（流程状态不允许的修改、"
                              "他人在导出后修改过的字段）时不写入任何数据，返回 409 与预览。"),
            "requestBody": {"required": True, "content": {
                "application/json": {"schema": _ref("ExchangeDocument")},
                "multipart/form-data": {"schema": _obj({"file": {"type": "string", "format": "binary"}}, ["file"])},
            }},
        }),
    }


def openapi_document() -> dict[str, Any]:
    error = {"application/json": {"schema": _ref("Error")}}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jixiao 预算绩效管理 API", "version": "2",
            "description": "与网页相同的权限：只能读取、修改本人所属部门（及其下级部门）的数据，其他部门一律返回 404。"
                           "认证：程序使用 API 令牌（请求头 Authorization: Bearer 令牌，"
                           "由 jixiao token create 用户名 创建），"
                           "或使用网站会话（先在 /accounts/login/ 登录；会话调用的写操作须带 CSRF 令牌）。"
                           "金额为精确小数字符串，执行率为百分数，得分保留两位小数。"
                           "写入：每个可修改的对象带 version；PATCH/DELETE 须给出读取时的 version，"
                           "对象已被他人修改时返回 409（说明谁在何时改了什么），不会覆盖他人的修改。"
                           "所有修改经应用层（jixiao.services）执行，与网页、命令行同样检查角色、流程状态与取值。",
        },
        "security": [{"bearerAuth": []}, {"sessionAuth": []}],
        "paths": _paths(),
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "API 令牌（jixiao token create 用户名）；"
                                              "令牌无效、已撤销或账号停用时返回 401"},
                "sessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                                "description": "网站登录会话；写操作另须请求头 X-CSRFToken"},
            },
            "schemas": _schemas(),
            "responses": {
                "Unauthorized": {"description": "未登录，或 API 令牌无效、已撤销", "content": error},
                "Forbidden": {"description": "角色或流程状态不允许（如修改已提交的项目、经办人审核通过）",
                              "content": error},
                "NotFound": {"description": "不存在或无权查看（其他部门的数据一律 404）", "content": error},
                "Conflict": {"description": "version 已过期：对象已被他人修改（detail 说明谁在何时改成了什么），未保存",
                             "content": error},
                "ImportConflict": {"description": "导入有冲突，未写入任何数据；preview 列出冲突",
                                   "content": {"application/json": {"schema": _ref("ImportConflictError")}}},
                "Unprocessable": {"description": "取值有误；problems 列出每处问题（location、field、message）",
                                  "content": error},
            },
        },
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n")
