"""The OpenAPI 3.1 description of the JSON API, built here so it cannot drift from the routes
(tests compare it with the committed docs/openapi.json). Regenerate the file with
``python -m jixiao.web.openapi > docs/openapi.json``."""
from __future__ import annotations

import json
import sys
from typing import Any

_STR = {"type": "string"}
_NSTR = {"type": ["string", "null"]}


def _obj(props: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": props}
    if required:
        schema["required"] = required
    return schema


def _params(*names: str) -> list[dict[str, Any]]:
    docs = {"code": ("部门编码", _STR), "year": ("年度", {"type": "integer"}), "pcode": ("项目编码", _STR)}
    return [{"name": n, "in": "path", "required": True, "description": docs[n][0], "schema": docs[n][1]}
            for n in names]


def _get(summary: str, schema_ref: str, params: list[dict[str, Any]]) -> dict[str, Any]:
    return {"get": {
        "summary": summary, "parameters": params,
        "responses": {
            "200": {"description": "成功", "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema_ref}"}}}},
            "401": {"$ref": "#/components/responses/Unauthorized"},
            "404": {"$ref": "#/components/responses/NotFound"},
        },
    }}


def openapi_document() -> dict[str, Any]:
    indicator = _obj({
        "code": _STR, "level1": _STR, "level2": _STR, "name": _STR, "weight": _STR,
        "target": _STR, "target_parsed": _NSTR, "unit": _STR, "actual": _NSTR, "score": _NSTR,
        "trace": _STR, "flags": {"type": "array", "items": _STR}, "feed": _NSTR, "origin": _STR,
    }, ["code", "name", "weight", "score"])
    review = {"oneOf": [{"type": "null"}, _obj({"score": _STR, "grade": _STR, "reason": _STR, "who": _STR,
                                                "when": {"type": "string", "format": "date-time"}})]}
    project_summary = _obj({
        "code": _STR, "name": _STR, "budget": _STR, "executed": _STR, "execution_rate": _NSTR,
        "execution_weight": _STR, "execution_score": _STR, "score": _STR, "grade": _STR, "status": _STR,
    }, ["code", "name", "score", "grade", "status"])
    y, p = _params("code", "year"), _params("code", "year", "pcode")
    error = _obj({"detail": _STR, "error": _STR, "problems": {"type": "array", "items": _obj(
        {"location": _STR, "field": _STR, "message": _STR})}}, ["detail"])
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "jixiao 预算绩效管理 API", "version": "1",
            "description": "与网页相同的权限：只能读取本人所属部门（及其下级部门）的数据，其他部门一律返回 404。"
                           "认证：程序使用 API 令牌（请求头 Authorization: Bearer 令牌，由 jixiao token create 用户名 创建），"
                           "或使用网站会话（先在 /accounts/login/ 登录；会话调用的写操作须带 CSRF 令牌）。"
                           "金额为精确小数字符串，执行率为百分数，得分保留两位小数。",
        },
        "security": [{"bearerAuth": []}, {"sessionAuth": []}],
        "paths": {
            "/api/departments/": _get("可见的部门及其年度", "DepartmentList", []),
            "/api/departments/{code}/{year}/": _get("部门年度概况与部门整体得分", "DepartmentYear", y),
            "/api/departments/{code}/{year}/projects/": _get("项目列表及自评得分", "ProjectList", y),
            "/api/departments/{code}/{year}/projects/{pcode}/": _get("项目详情与指标", "Project", p),
            "/api/departments/{code}/{year}/projects/{pcode}/indicators/": _get("项目的绩效指标", "IndicatorList", p),
            "/api/departments/{code}/{year}/evaluation/": _get("自评与财政复核结果", "Evaluation", y),
        },
        "components": {
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer",
                               "description": "API 令牌（jixiao token create 用户名）；令牌无效、已撤销或账号停用时返回 401"},
                "sessionAuth": {"type": "apiKey", "in": "cookie", "name": "sessionid",
                                "description": "网站登录会话；写操作另须请求头 X-CSRFToken"},
            },
            "schemas": {
                "Error": error,
                "Indicator": indicator,
                "DepartmentList": _obj({"departments": {"type": "array", "items": _obj({
                    "code": _STR, "name": _STR, "kind": _STR, "parent": _NSTR,
                    "roles": {"type": "array", "items": _STR},
                    "years": {"type": "array", "items": {"type": "integer"}}})}}, ["departments"]),
                "DepartmentYear": _obj({
                    "code": _STR, "name": _STR, "year": {"type": "integer"}, "money_unit": _STR,
                    "budget": _STR, "executed": _STR, "execution_rate": _NSTR, "score": _STR, "grade": _STR,
                    "status": _STR, "trace": _STR,
                    "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}},
                    "projects": {"type": "array", "items": _obj({"code": _STR, "name": _STR, "status": _STR})},
                }, ["code", "year", "budget", "executed", "score", "grade", "status"]),
                "ProjectList": _obj({"projects": {"type": "array", "items": project_summary}}, ["projects"]),
                "Project": {"allOf": [project_summary, _obj({
                    "trace": _STR, "origin": _STR,
                    "indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}}})]},
                "IndicatorList": _obj({"indicators": {"type": "array", "items": {"$ref": "#/components/schemas/Indicator"}}}),
                "Evaluation": _obj({
                    "code": _STR, "year": {"type": "integer"}, "status": _STR, "score": _STR, "grade": _STR,
                    "review": review,
                    "projects": {"type": "array", "items": _obj({"code": _STR, "name": _STR, "status": _STR,
                                                                 "score": _STR, "grade": _STR, "review": review})},
                }, ["code", "year", "status", "score", "grade"]),
            },
            "responses": {
                "Unauthorized": {"description": "未登录，或 API 令牌无效、已撤销", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "NotFound": {"description": "不存在或无权查看", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            },
        },
    }


if __name__ == "__main__":
    sys.stdout.write(json.dumps(openapi_document(), ensure_ascii=False, indent=2) + "\n")
