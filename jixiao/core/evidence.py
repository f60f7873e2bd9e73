"""Which files may be attached as 佐证材料, judged by their content, not only by their name.

A file is accepted when its extension is one of the rules' types (``jixiao/rules/evidence.json``)
and its first bytes are that type's signature; an Office file (a zip package) must also contain
the type's own part (``xl/`` for a workbook, ``word/`` for a document), so a renamed archive or
program is refused. Pure: no Django.
"""
from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path, PurePath

from jixiao.core.drafting import Block, Heading, Paragraph, Table
from jixiao.core.errors import InputError, Problem

RULES_FILE = Path(__file__).resolve().parent.parent / "rules" / "evidence.json"
FIELD = "佐证材料"


@dataclass(frozen=True)
class FileType:
    key: str
    label: str
    extensions: tuple[str, ...]
    magic: tuple[bytes, ...]
    content_type: str
    member: str = ""


@dataclass(frozen=True)
class EvidenceRules:
    version: str
    max_bytes: int
    max_name_length: int
    types: tuple[FileType, ...]

    def accepted(self) -> str:
        return "、".join(f"{t.label}（{'/'.join(t.extensions)}）" for t in self.types)

    def type(self, key: str) -> FileType:
        return next(t for t in self.types if t.key == key)


@lru_cache(maxsize=1)
def load_evidence_rules() -> EvidenceRules:
    data = json.loads(RULES_FILE.read_text(encoding="utf-8"))
    return EvidenceRules(
        version=str(data["version"]), max_bytes=int(data["max_bytes"]),
        max_name_length=int(data["max_name_length"]),
        types=tuple(FileType(k, t["label"], tuple(t["extensions"]), tuple(bytes.fromhex(x) for x in t["magic"]),
                             t["content_type"], t.get("member", "")) for k, t in data["types"].items()),
    )


def _zip_has(data: bytes, member: str) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            return any(n.startswith(member) for n in z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False


def clean_name(name: str) -> str:
    """The file's own name without any folder a browser may send."""
    return PurePath(name.replace("\\", "/")).name.strip()


def check_file(name: str, data: bytes, rules: EvidenceRules, where: str) -> FileType:
    """The type of the file ``name`` with content ``data``; ``InputError`` saying why it is refused."""
    shown = clean_name(name) or "（无文件名）"

    def refuse(message: str) -> InputError:
        return InputError([Problem(where, message, FIELD)])

    if not clean_name(name):
        raise refuse("请选择要上传的文件")
    if len(shown) > rules.max_name_length:
        raise refuse(f"文件名「{shown[:40]}…」过长（不超过 {rules.max_name_length} 个字符），请改短后上传")
    if not data:
        raise refuse(f"「{shown}」是空文件")
    if len(data) > rules.max_bytes:
        raise refuse(f"「{shown}」大小 {len(data) / 1048576:.1f} MB，超过 {rules.max_bytes / 1048576:.0f} MB 的上限")
    suffix = PurePath(shown).suffix.lower()
    ft = next((t for t in rules.types if suffix in t.extensions), None)
    if ft is None:
        raise refuse(f"「{shown}」的类型不能作为佐证材料；可上传：{rules.accepted()}")
    if not any(data.startswith(m) for m in ft.magic) or (ft.member and not _zip_has(data, ft.member)):
        raise refuse(f"「{shown}」的内容不是{ft.label}（扩展名为 {suffix}），请上传原始文件")
    return ft


@dataclass(frozen=True)
class EvidenceLine:
    """One indicator's 佐证材料 for the report's appendix: where it is and its files' names."""

    project: str  # "" for a department-level indicator
    project_name: str
    code: str
    name: str
    files: tuple[str, ...]


def appendix_blocks(lines: list[EvidenceLine]) -> list[Block]:
    """The report's last section: the evidence attached to each indicator (nothing when none is)."""
    if not lines:
        return []
    rows = [[f"项目 {x.project} {x.project_name}" if x.project else x.project_name, f"{x.code} {x.name}",
             "；".join(x.files)] for x in lines]
    return [Heading(1, "附件：绩效指标佐证材料清单"),
            Paragraph(f"共 {sum(len(x.files) for x in lines)} 份佐证材料，涉及 {len(lines)} 项指标；"
                      "原件保存在预算绩效管理系统中。", style="note"),
            Table("绩效指标佐证材料清单", ["所属", "绩效指标", "佐证材料"], rows, widths=(3, 3, 4))]
