"""The organisation as a bureau keeps it: its unit list and its user list.

Pure rules over plain rows: what a valid unit or user row is, whether a 统一社会信用代码 is
well formed (GB 32100-2015, check character included), whether a set of parent links makes a tree,
and what differs between a file and what is stored. The application layer
(``jixiao.services.organisation``) reads the rows, asks these questions and writes.
"""
from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from jixiao.core.errors import Problem

UNIT_KINDS = ("财政局", "主管部门", "单位")
# 评审专家: an expert of the 事前绩效评估 panel, who sees only the proposals assigned to them
ROLES = ("经办人", "部门管理员", "财政审核", "第三方只读", "系统管理员", "评审专家")

# Codes travel through URLs, file names and other systems' exports: letters, digits and . _ -
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$")
USERNAME = re.compile(r"^[0-9A-Za-z][0-9A-Za-z._@+-]{0,149}$")
# A mainland mobile number, or a landline with its area code (0XX-XXXXXXXX, extension optional)
PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?)$")

# GB 32100-2015: the 31 characters of the code (no I, O, Z, S, V) and the weights of its 17 positions
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "organisation.json"
# A deeper tree than this is a data error (a province has five levels at most), never a loop to follow
MAX_DEPTH = 12


@dataclass(frozen=True)
class UnitRow:
    code: str
    name: str
    parent_code: str = ""
    kind: str = "单位"
    credit_code: str = ""
    active: bool = True
    location: str = ""  # where the row came from, e.g. "单位!A5"


@dataclass(frozen=True)
class UserRow:
    username: str
    name: str
    unit_code: str
    role: str
    phone: str = ""
    active: bool = True
    location: str = ""


@dataclass
class Change:
    """One row of an organisation preview: what happens to a unit or a user."""

    kind: str  # "单位" / "用户"
    key: str  # the unit code or the login name
    action: str  # "新增" / "修改" / "不变"
    fields: dict[str, tuple[str, str]] = field(default_factory=dict)  # field label → (before, after)
    location: str = ""


@cache
def _assignable() -> dict[str, tuple[str, ...]]:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return {role: tuple(granted) for role, granted in data["assignable_roles"].items()}


def assignable_roles(held: Iterable[str]) -> list[str]:
    """The roles someone holding ``held`` may grant (``rules/organisation.json``), in ``ROLES`` order."""
    table = _assignable()
    granted = {r for h in held for r in table.get(h, ())}
    return [r for r in ROLES if r in granted]


def clean_code(text: str) -> str:
    """A code as typed: full-width letters and digits folded (NFKC), surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", text or "").strip()


def credit_code_problem(code: str) -> str:
    """Why ``code`` is not a valid 统一社会信用代码, or "" when it is."""
    if len(code) != 18:
        return f"统一社会信用代码应为 18 位，这里是 {len(code)} 位"
    bad = sorted({c for c in code if c not in _CREDIT_CHARS})
    if bad:
        return f"统一社会信用代码含有不允许的字符「{''.join(bad)}」（不使用 I、O、Z、S、V）"
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], _CREDIT_WEIGHTS, strict=True))
    expected = _CREDIT_CHARS[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"统一社会信用代码校验位不符：按前 17 位应为「{expected}」，这里是「{code[17]}」"
    return ""


def unit_problems(row: UnitRow) -> list[Problem]:
    where = row.location
    out: list[Problem] = []
    if not row.code:
        out.append(Problem(where, "缺少单位编码", "单位编码"))
    elif not CODE.match(row.code):
        out.append(Problem(where, f"单位编码「{row.code}」只能由字母、数字及 . _ - 组成，最长 64 位", "单位编码"))
    if not row.name:
        out.append(Problem(where, "缺少单位名称", "单位名称"))
    elif len(row.name) > 200:
        out.append(Problem(where, "单位名称超过 200 字", "单位名称"))
    if row.parent_code and row.parent_code == row.code:
        out.append(Problem(where, "上级单位不能是本单位", "上级单位编码"))
    if row.kind not in UNIT_KINDS:
        out.append(Problem(where, f"类型「{row.kind}」无效，应为{'、'.join(UNIT_KINDS)}之一", "类型"))
    if row.credit_code:
        why = credit_code_problem(row.credit_code)
        if why:
            out.append(Problem(where, why, "统一社会信用代码"))
    return out


def user_problems(row: UserRow) -> list[Problem]:
    where = row.location
    out: list[Problem] = []
    if not row.username:
        out.append(Problem(where, "缺少登录名", "登录名"))
    elif not USERNAME.match(row.username):
        out.append(Problem(where, f"登录名「{row.username}」只能由字母、数字及 . _ @ + - 组成", "登录名"))
    if not row.name:
        out.append(Problem(where, "缺少姓名", "姓名"))
    if not row.unit_code:
        out.append(Problem(where, "缺少所在单位编码", "单位编码"))
    if row.role not in ROLES:
        out.append(Problem(where, f"角色「{row.role}」无效，应为{'、'.join(ROLES)}之一", "角色"))
    if row.phone and not PHONE.match(row.phone):
        out.append(Problem(where, f"联系电话「{row.phone}」格式不对（手机 11 位，或座机如 020-12345678）", "联系电话"))
    return out


def duplicates(keys: Iterable[tuple[str, str]], label: str) -> list[Problem]:
    """A key given twice in one file: both places named."""
    first: dict[str, str] = {}
    out: list[Problem] = []
    for key, where in keys:
        if not key:
            continue
        if key in first:
            out.append(Problem(where, f"{label}「{key}」与 {first[key]} 重复", label))
        else:
            first[key] = where
    return out


def cycle_from(start: str, parents: Mapping[str, str]) -> list[str]:
    """The chain of codes from ``start`` up to the root; a non-empty result that ends where it
    started is a cycle. Bounded by ``MAX_DEPTH`` whatever ``parents`` holds."""
    chain = [start]
    node = start
    for _ in range(MAX_DEPTH + 1):
        node = parents.get(node, "")
        if not node:
            return []
        if node in chain:
            return [*chain, node]
        chain.append(node)
    return chain  # deeper than MAX_DEPTH: reported like a cycle, it cannot be a real organisation


def tree_problems(parents: Mapping[str, str], where: Mapping[str, str]) -> list[Problem]:
    """Every code whose parent chain loops or runs deeper than ``MAX_DEPTH``."""
    out: list[Problem] = []
    reported: set[str] = set()
    for code in sorted(parents):
        chain = cycle_from(code, parents)
        if chain and code not in reported:
            reported.update(chain)
            if chain[-1] in chain[:-1]:
                msg = f"上级关系形成循环：{' → '.join(chain)}"
            else:
                msg = f"上级关系超过 {MAX_DEPTH} 级：{' → '.join(chain)}"
            out.append(Problem(where.get(code, code), msg, "上级单位编码"))
    return out


def diff_fields(before: Mapping[str, str] | None, after: Mapping[str, str],
                labels: Mapping[str, str]) -> dict[str, tuple[str, str]]:
    """Field label → (stored, file) for every field the file changes."""
    if before is None:
        return {}
    return {labels[k]: (before.get(k, ""), v) for k, v in after.items() if before.get(k, "") != v}
