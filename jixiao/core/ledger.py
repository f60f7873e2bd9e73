"""What the park ledgers (land, investment, enterprise) have in common. Pure Python.

- Field tables: one ``FieldSpec`` per column (English attribute, Chinese column title, kind) and
  one ``Table`` per row type drive parsing, validation and export in JSON, Excel and the database,
  so the formats cannot drift apart. Parsing collects every problem with its location
  (``f.json: $.projects[3].share`` or ``项目台账!F12``) before anything is built. Ledger JSON
  files are a header plus one list per table, one row per line.
- Rule sets: the common header (id, version, effective date, illustrative flag), reading a rule
  file with every problem reported, and choosing the set for a year — the pinned one a stored year
  was first counted under, else the newest in force at the year's end.
- History: the field-by-field difference between a stored year and its replacement, which the
  shell writes with who and when.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, TypeVar

from jixiao.core.errors import InputError, Problem
from jixiao.core.numbers import normalize

USCC_RE = re.compile(r"^[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}$")
SAMPLE_ORIGIN = "示例"

Where = Callable[[str, int, str], str]  # (table key, row index, attribute) → location text
RowWhere = Callable[[int, str], str]  # (row index, attribute) → location text within one table
RawRow = tuple[Mapping[str, Any], Callable[[str], str]]  # raw values, and where each attribute is


# ---------------------------------------------------------------- field tables

@dataclass(frozen=True)
class FieldSpec:
    attr: str
    title: str  # column title in the workbook
    kind: str  # str / uscc / int / dec / date / bool / list (USCC codes) / names / measures / json
    required: bool = False
    choices: tuple[str, ...] = ()
    positive: bool = False  # must be > 0 (areas, amounts)


@dataclass(frozen=True)
class Table:
    key: str  # JSON key
    sheet: str  # Excel sheet title
    cls: type  # the core dataclass of one row
    specs: tuple[FieldSpec, ...]
    required: bool = True  # the sheet must exist in a workbook
    identity: tuple[str, ...] = ()  # attributes naming a row in the change history

    @property
    def attrs(self) -> list[str]:
        return [s.attr for s in self.specs]


_TRUE = {"是", "true", "1", "y", "yes", "√"}
_FALSE = {"否", "false", "0", "n", "no", ""}


def _blank(raw: Any) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def _items(raw: Any, separators: str) -> list[str]:
    items = raw if isinstance(raw, list) else re.split(separators, str(raw or ""))
    return [str(x).strip() for x in items if str(x).strip()]


def parse_value(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    """One raw cell or JSON value → (typed value, Chinese problem or None). A blank optional
    value gives (None, None): the dataclass default applies."""
    if spec.kind in ("names", "measures"):
        values = _items(raw, r"[,，、;；\s]+")
        if not values and spec.required:
            return None, "必填，请填写"
        if spec.kind == "measures":
            bad = [v for v in values if v not in spec.choices]
            if bad:
                return None, f"“{'、'.join(bad)}”不在可选值中，请填写：{'、'.join(spec.choices)}"
        return (values if values else None), None
    if _blank(raw):
        return (None, "必填，请填写") if spec.required else (None, None)
    if spec.kind in ("str", "uscc"):
        text = str(raw).strip()
        if isinstance(raw, float) and raw.is_integer():
            text = str(int(raw))  # calamine and Excel hand back codes typed as numbers as floats
        if spec.kind == "uscc" and not USCC_RE.match(text.upper()):
            return None, f"“{text}”不是18位统一社会信用代码"
        if spec.choices and text not in spec.choices:
            return None, f"“{text}”不在可选值中，请填写：{'、'.join(c for c in spec.choices if c)}"
        return (text.upper() if spec.kind == "uscc" else text), None
    if spec.kind in ("dec", "int"):
        return _number(spec, raw)
    if spec.kind == "date":
        if isinstance(raw, datetime):
            return raw.date(), None
        if isinstance(raw, date):
            return raw, None
        try:
            return date.fromisoformat(str(raw).strip()), None
        except ValueError:
            return None, f"“{raw}”不是日期，请写成 2022-03-31 的格式"
    if spec.kind == "bool":
        if isinstance(raw, bool):
            return raw, None
        text = str(raw).strip().lower()
        if text in _TRUE or text in _FALSE:
            return text in _TRUE, None
        return None, f"“{raw}”应填“是”或“否”"
    if spec.kind == "list":
        codes = [c.upper() for c in _items(raw, r"[,，;；\s]+")]
        bad = [c for c in codes if not USCC_RE.match(c)]
        if bad:
            return None, f"“{'、'.join(bad)}”不是18位统一社会信用代码"
        return codes, None
    if spec.kind == "json":
        return _geometry(raw)
    raise ValueError(spec.kind)


def _number(spec: FieldSpec, raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, bool):
        return None, "应为数值"
    try:
        value = Decimal(str(raw)) if isinstance(raw, (int, float, Decimal)) else Decimal(
            normalize(str(raw)).replace(",", ""))
    except InvalidOperation:
        return None, f"“{raw}”不是数值"
    if not value.is_finite():
        return None, f"“{raw}”不是数值"
    if value < 0:
        return None, "不能为负数"
    if spec.positive and value == 0:
        return None, "应大于0"
    if spec.kind == "int":
        if value != value.to_integral_value():
            return None, "应为整数"
        return int(value), None
    return value, None


def _floats(value: Any) -> Any:
    # GeoJSON coordinates are floats by definition; ledger files are read with exact decimals
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_floats(v) for v in value]
    if isinstance(value, dict):
        return {k: _floats(v) for k, v in value.items()}
    return value


def _geometry(raw: Any) -> tuple[Any, str | None]:
    if isinstance(raw, dict):
        value = raw
    else:
        try:
            value = json.loads(str(raw))
        except ValueError:
            return None, "不是有效的 GeoJSON"
    if not isinstance(value, dict) or "type" not in value or "coordinates" not in value:
        return None, "应为含 type 和 coordinates 的 GeoJSON 几何对象"
    return _floats(value), None


def build_rows(table: Table, rows: Iterable[RawRow], extra: Mapping[str, Any], problems: list[Problem]) -> list[Any]:
    """Typed dataclass rows from raw mappings; a row with any problem is left out (and the caller
    raises with every problem once all rows have been read)."""
    out = []
    for raw, where in rows:
        values: dict[str, Any] = dict(extra)
        ok = True
        for spec in table.specs:
            value, problem = parse_value(spec, raw.get(spec.attr))
            if problem:
                problems.append(Problem(where(spec.attr), problem, spec.title))
                ok = False
            elif value is not None:
                values[spec.attr] = value
        if ok:
            out.append(table.cls(**values))
    return out


def to_value(value: Any) -> Any:
    """A field value as JSON text: decimals and dates as strings, never floats."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def row_dict(table: Table, obj: Any) -> dict[str, Any]:
    return {s.attr: to_value(getattr(obj, s.attr)) for s in table.specs}


def duplicate_problems(rows: Sequence[Any], attr: str, title: str, where: RowWhere, hint: str = "") -> list[Problem]:
    """Every row whose ``attr`` repeats an earlier row's, naming the first one."""
    problems: list[Problem] = []
    seen: dict[Any, int] = {}
    for i, row in enumerate(rows):
        key = getattr(row, attr)
        if key in seen:
            problems.append(Problem(where(i, attr), f"{title}“{key}”重复（与第{seen[key] + 1}条相同）{hint}", title))
        else:
            seen[key] = i
    return problems


def count_samples(rows: Iterable[Any]) -> int:
    """Rows marked 示例 (illustrative), shown beside every total."""
    return sum(1 for r in rows if r.origin == SAMPLE_ORIGIN)


# ---------------------------------------------------------------- ledger files (header + tables)

def header_from_dict(data: Any, source: str, fmt: str, what: str) -> tuple[str, int]:
    """Department code and year of a ledger file; a wrong header stops before any row is read."""
    if not isinstance(data, dict):
        raise InputError(f"{source} 不是{what}文件：顶层应为对象", source)
    problems: list[Problem] = []
    if data.get("format") != fmt:
        problems.append(Problem(f"{source}: $.format", f"应为“{fmt}”（{what}交换格式）"))
    department = data.get("department")
    if not isinstance(department, str) or not department.strip():
        problems.append(Problem(f"{source}: $.department", "缺少部门编码"))
    year = data.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        problems.append(Problem(f"{source}: $.year", "年度应为四位整数，如 2022"))
    if problems:
        raise InputError(problems)
    assert isinstance(department, str) and isinstance(year, int)  # checked above
    return department.strip(), year


def tables_from_dict(data: Mapping[str, Any], source: str, tables: Iterable[Table],
                     extra: Mapping[str, Mapping[str, Any]] | None = None,
                     present: Collection[str] = ()) -> dict[str, list[Any]]:
    """Every table's rows; raises with every problem of every row. A table whose key is missing
    is empty, unless its key is in ``present``."""
    problems: list[Problem] = []
    raw: dict[str, list[Any]] = {}
    tables = list(tables)
    for t in tables:
        value = data.get(t.key) if t.key in present else data.get(t.key, [])
        if not isinstance(value, list) or not all(isinstance(x, dict) for x in value):
            problems.append(Problem(f"{source}: $.{t.key}", "应为对象列表"))
        else:
            raw[t.key] = value
    if problems:
        raise InputError(problems)
    out = {}
    for t in tables:
        rows = ((r, lambda a, i=i, k=t.key: f"{source}: $.{k}[{i}].{a}") for i, r in enumerate(raw[t.key]))
        out[t.key] = build_rows(t, rows, (extra or {}).get(t.key, {}), problems)
    if problems:
        raise InputError(problems)
    return out


def json_where(source: str) -> Where:
    return lambda table, i, attr: f"{source}: $.{table}[{i}].{attr}"


def ledger_dict(fmt: str, version: int, header: Mapping[str, Any], tables: Iterable[Table],
                rows: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """The file form of a ledger: format, version, the header fields, then one list per table."""
    tables_data = {t.key: [row_dict(t, r) for r in rows[t.key]] for t in tables}
    return {"format": fmt, "version": version, **header} | tables_data


def read_json_file(path: Path) -> Any:
    """A ledger file; its numbers with a fraction are read as exact ``Decimal`` (a float would
    turn ``12345678901234.5678`` into ``12345678901234.568``)."""
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh, parse_float=Decimal)
    except FileNotFoundError:
        raise InputError(f"找不到文件 {path}", str(path)) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"不是有效的 JSON 文件：{exc}", str(path)) from None


def write_json_file(data: Mapping[str, Any], path: Path) -> None:
    """One row per line: a several-thousand-row ledger stays readable in a diff."""
    lines = ["{"]
    items = list(data.items())
    for n, (key, value) in enumerate(items):
        comma = "," if n < len(items) - 1 else ""
        if isinstance(value, list):
            body = ",\n".join("  " + json.dumps(r, ensure_ascii=False) for r in value)
            lines.append(f' "{key}": [\n{body}\n ]{comma}' if value else f' "{key}": []{comma}')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}{comma}")
    lines.append("}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# ---------------------------------------------------------------- rule sets

@dataclass(frozen=True)
class RuleSetHeader:
    """What every ledger rule set file starts with; the ledger's own rules follow."""

    id: str
    version: int
    effective_from: date
    title: str
    illustrative: bool
    note: str

    @property
    def label(self) -> str:
        return f"规则 {self.id} v{self.version}"


class RuleReader:
    """Reads one rule file, collecting every missing or malformed entry instead of stopping at the
    first, so an editor sees them all at once."""

    def __init__(self, data: Mapping[str, Any], source: str) -> None:
        self.data, self.source = data, source
        self.problems: list[Problem] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(Problem(f"{self.source}: {path}", message))

    def get(self, obj: Any, key: str, path: str = "$") -> Any:
        if not isinstance(obj, Mapping) or key not in obj:
            self.problem(f"{path}.{key}", "缺少此项，请补充")
            return None
        return obj[key]

    def dec(self, raw: Any, path: str, message: str | None = None) -> Decimal:
        try:
            return Decimal(str(raw))
        except ArithmeticError:
            self.problem(path, message or f"“{raw}”不是数值")
            return Decimal(0)

    def header(self) -> dict[str, Any]:
        """The ``RuleSetHeader`` fields, as keyword arguments."""
        data = self.data
        try:
            effective = date.fromisoformat(str(self.get(data, "effective_from")))
        except ValueError:
            self.problem("$.effective_from", "日期格式应为 YYYY-MM-DD")
            effective = date.min
        return {"id": str(self.get(data, "id")), "version": int(self.get(data, "version") or 0),
                "effective_from": effective, "title": str(data.get("title", "")),
                "illustrative": bool(data.get("illustrative", False)), "note": str(data.get("note", ""))}

    def done(self, rules: R) -> R:
        if self.problems:
            raise InputError(self.problems)
        return rules


R = TypeVar("R", bound=RuleSetHeader)


def load_rule_files(directory: Path, parse: Callable[[Mapping[str, Any], str], R]) -> list[R]:
    """Every rule set file in ``directory``, oldest first."""
    out = []
    for path in sorted(directory.glob("*.json")):
        with path.open(encoding="utf-8") as fh:
            out.append(parse(json.load(fh), path.name))
    return sorted(out, key=lambda r: (r.effective_from, r.id, r.version))


def newest_in_force(rule_sets: Iterable[R], year: int, what: str, folder: str) -> R:
    """The newest rule set in force at the year's end (latest effective date, then version)."""
    in_force = [r for r in rule_sets if r.effective_from <= date(year, 12, 31)]
    if not in_force:
        raise InputError(f"{year}年没有生效的{what}，请在 jixiao/rules/{folder}/ 中添加", "规则")
    return max(in_force, key=lambda r: (r.effective_from, r.version, r.id))


def pinned_rule_set(rule_sets: Iterable[R], pin: tuple[str, int], what: str, counted: str) -> R:
    """The rule set a stored year was first counted under; a missing file is an error, never a
    silent switch to another version (that would change the year's published figures)."""
    for r in rule_sets:
        if (r.id, r.version) == pin:
            return r
    raise InputError(f"找不到 {pin[0]} v{pin[1]} 版{what}；该年度曾按此版本{counted}，请恢复该规则文件", "规则")


# ---------------------------------------------------------------- change history

@dataclass(frozen=True)
class Change:
    """One entry of a record's history: 新增 / 删除 with the whole record, or one changed field."""

    record: str  # the record's identity, e.g. a parcel or project id
    action: str
    field: str = ""
    before: str | None = None
    after: str | None = None


def as_text(value: Any) -> str | None:
    """How a value is written into the history: lists and objects as sorted JSON, decimals and
    dates as in the files."""
    if value is None:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(to_value(value))


def record_text(values: Mapping[str, Any]) -> str | None:
    """A whole record in the history (added or deleted), as in the files."""
    return as_text({a: to_value(v) for a, v in values.items()})


def same(a: Any, b: Any) -> bool:
    # Decimals compare by value: 1.50 stored in a 4-place column is the 1.5 of the file
    if isinstance(a, Decimal) and isinstance(b, Decimal):
        return a == b
    return as_text(a) == as_text(b)


def diff_records(old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]],
                 describe: Callable[[Mapping[str, Any]], str | None] = record_text,
                 action: Callable[[str], str] = lambda attr: "修改",
                 silent: Collection[str] = ()) -> list[Change]:
    """Record id → field values, before and after: 新增 for new records, a row per changed field
    of a kept one (``action(attr)`` names the change, ``silent`` fields are compared but not
    logged because their effect shows elsewhere), 删除 for records no longer there."""
    changes: list[Change] = []
    for key, values in new.items():
        before = old.get(key)
        if before is None:
            changes.append(Change(key, "新增", after=describe(values)))
            continue
        for attr, value in values.items():
            if attr not in silent and not same(before.get(attr), value):
                changes.append(Change(key, action(attr), attr, as_text(before.get(attr)), as_text(value)))
    changes += [Change(key, "删除", before=describe(values)) for key, values in old.items() if key not in new]
    return changes


def record_keys(table: Table, rows: Iterable[Mapping[str, Any]]) -> list[str]:
    """Each row's key — its natural identity (``Table.identity`` joined by “/”); rows that share
    an identity are told apart by their order (#2, #3 …), as files list them. The key is how an
    import finds the stored record it updates, and how the history names a record."""
    keys: list[str] = []
    seen: set[str] = set()
    for row in rows:
        base = " / ".join(str(to_value(row[a])) for a in table.identity)
        key, n = base, 1
        while key in seen:
            n += 1
            key = f"{base} #{n}"
        seen.add(key)
        keys.append(key)
    return keys


def keyed_rows(table: Table, rows: Iterable[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """Rows by their key (``record_keys``)."""
    values = [dict(r) for r in rows]
    return dict(zip(record_keys(table, values), values, strict=True))


def object_values(table: Table, obj: Any) -> dict[str, Any]:
    """A core row's values of the table's fields."""
    return {a: getattr(obj, a) for a in table.attrs}


# ---------------------------------------------------------------- what an import or edit changes

@dataclass
class TablePlan:
    """What bringing one stored table to a new list of rows does, record by record (by key)."""

    table: Table
    created: list[str]  # keys, in the new rows' order
    updated: dict[str, list[str]]  # key → attributes whose value changes
    unchanged: list[str]
    missing: list[str]  # stored records the new rows leave out: deleted only when confirmed

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.missing)


def plan_table(table: Table, old: Mapping[str, Mapping[str, Any]], new: Mapping[str, Mapping[str, Any]]
               ) -> TablePlan:
    """Compare stored records with new rows, both by key → values."""
    created, unchanged, updated = [], [], {}
    for key, values in new.items():
        before = old.get(key)
        if before is None:
            created.append(key)
            continue
        fields = [a for a, v in values.items() if not same(before.get(a), v)]
        if fields:
            updated[key] = fields
        else:
            unchanged.append(key)
    return TablePlan(table, created, updated, unchanged, [k for k in old if k not in new])


def plan_text(plans: Iterable[TablePlan], confirmed: bool) -> list[str]:
    """The preview of an import in Chinese, one line per table that changes."""
    lines = []
    for p in plans:
        if not p.changed:
            continue
        parts = [f"新增 {len(p.created)} 条", f"修改 {len(p.updated)} 条", f"不变 {len(p.unchanged)} 条"]
        if p.missing:
            shown = "、".join(p.missing[:5]) + (f" 等 {len(p.missing)} 条" if len(p.missing) > 5 else "")
            parts.append(f"{'删除' if confirmed else '文件中没有（保留，确认后才删除）'} {len(p.missing)} 条：{shown}")
        lines.append(f"{p.table.sheet}：{'，'.join(parts)}")
    return lines


@dataclass(frozen=True)
class Entry:
    """One stored history row, as the conflict message reads it."""

    when: datetime
    who: str
    action: str
    field: str
    before: str | None
    after: str | None
    version: int | None


def changes_since(title: str, base_version: int, current_version: int, entries: Iterable[Entry],
                  field_titles: Mapping[str, str]) -> str:
    """Why an edit based on ``base_version`` is refused: what changed since, by whom, when."""
    lines = []
    for e in entries:
        stamp = f"{e.when:%Y-%m-%d %H:%M}"
        who = e.who or "（未记录）"
        if e.action in ("修改", "认定") and e.field:
            name = field_titles.get(e.field, e.field)
            lines.append(f"{stamp} {who} {e.action}了{name}：{e.before if e.before is not None else '（空）'} → "
                         f"{e.after if e.after is not None else '（空）'}")
        else:
            lines.append(f"{stamp} {who} {e.action}了该记录")
    detail = "；".join(lines) if lines else "（变更记录中没有找到具体内容）"
    return (f"{title}已被他人修改：您基于第 {base_version} 版编辑，当前为第 {current_version} 版。"
            f"此后的变更：{detail}。请刷新后在最新版本上重新修改。")
