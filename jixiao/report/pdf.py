"""DOCX → PDF through LibreOffice headless.

Each conversion gets its own LibreOffice profile directory: two conversions sharing a profile make
the second exit silently without a PDF. ``FONTCONFIG_FILE`` points at the shipped fonts.conf so
仿宋/黑体/楷体/宋体 resolve to Noto CJK SC and the PDF embeds real Chinese glyphs.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from jixiao.core.errors import InputError, Problem

FONTS_CONF = Path(__file__).resolve().parent / "fonts.conf"
TIMEOUT_S = 180


def find_soffice() -> str | None:
    configured = os.environ.get("SOFFICE")
    if configured:
        return configured if Path(configured).is_file() else None
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(docx: Path, pdf: Path) -> None:
    soffice = find_soffice()
    if soffice is None:
        raise InputError([Problem(
            "PDF 转换",
            "未找到 LibreOffice（soffice），无法生成 PDF。请安装 LibreOffice"
            "（Debian/Ubuntu：apt-get install libreoffice-writer-nogui），或设置环境变量 SOFFICE 指向 soffice；"
            "也可以先输出 .docx 再用 Word/WPS 另存为 PDF。",
        )])
    with tempfile.TemporaryDirectory(prefix="jixiao-pdf-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        env = dict(os.environ, FONTCONFIG_FILE=str(FONTS_CONF), HOME=str(work))
        cmd = [
            soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore",
            "--convert-to", "pdf", "--outdir", str(work), str(docx),
        ]
        try:
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise InputError([Problem("PDF 转换", f"LibreOffice 转换超过 {TIMEOUT_S} 秒仍未完成，"
                                                  "请稍后重试或改为输出 .docx")]) from None
        produced = work / (docx.stem + ".pdf")
        if done.returncode != 0 or not produced.is_file():
            detail = (done.stderr or done.stdout or "").strip().splitlines()[-1:] or ["无输出"]
            raise InputError([Problem("PDF 转换", f"LibreOffice 未能生成 PDF（{detail[0]}），可改为输出 .docx")])
        pdf.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(str(produced), str(pdf))
