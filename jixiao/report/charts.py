"""Static charts for the reports: matplotlib (Agg) PNGs at print resolution with Chinese text.

The CJK font must be the mainland (SC) face: a Noto CJK .ttc registers HK/JP/KR faces too and
matplotlib would otherwise pick the first. ``CJK_FONT_PATH`` names a font file to use instead;
WenQuanYi Micro Hei is the fallback.
"""
from __future__ import annotations

import io
import os
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import matplotlib

matplotlib.use("Agg")
from matplotlib import font_manager
from matplotlib import pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.typing import RcKeyType

from jixiao.core.drafting import Chart
from jixiao.core.errors import InputError, Problem

DPI = 200  # print resolution; a 15 cm wide figure is ~1200 px
FAMILIES = ["Noto Sans CJK SC", "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "DejaVu Sans"]
CANDIDATE_FILES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "C:/Windows/Fonts/msyh.ttc",
)
BAR = "#3b6ea5"
LOW = "#c0504d"
LABEL_CHARS = 18


@lru_cache(maxsize=1)
def cjk_families() -> tuple[str, ...]:
    """Register the CJK font files present and return the family preference list."""
    custom = os.environ.get("CJK_FONT_PATH")
    files = [custom] if custom else []
    files += [f for f in CANDIDATE_FILES if Path(f).is_file()]
    families: list[str] = []
    for path in files:
        if not Path(path).is_file():
            raise InputError([Problem("CJK_FONT_PATH", f"字体文件「{path}」不存在，请检查 CJK_FONT_PATH 设置")])
        font_manager.fontManager.addfont(path)
        if path == custom:
            families.append(font_manager.FontProperties(fname=path).get_name())
    installed = {f.name for f in font_manager.fontManager.ttflist}
    families += [f for f in FAMILIES if f in installed and f not in families]
    if not any(f != "DejaVu Sans" for f in families):
        raise InputError([Problem("图表字体", "未找到中文字体，无法绘制图表；"
                                          "请安装 fonts-noto-cjk 或 fonts-wqy-microhei，或设置 CJK_FONT_PATH")])
    return tuple(families)


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


def render_chart(chart: Chart) -> bytes:
    rc: dict[RcKeyType, Any] = {
        "font.family": "sans-serif",
        "font.sans-serif": list(cjk_families()),
        "axes.unicode_minus": False,
        "font.size": 10,
    }
    # Values are exact Decimals; plotting is display only, so float is fine here.
    values = [float(v) for v in chart.values]
    with plt.rc_context(rc):
        if chart.kind == "bars":
            height = max(2.4, 0.32 * len(values) + 1.2)
            fig, ax = plt.subplots(figsize=(6.3, height), dpi=DPI)
            positions = list(range(len(values)))[::-1]
            ref = float(chart.reference) if chart.reference is not None else None
            colors = [LOW if ref is not None and v < ref else BAR for v in values]
            ax.barh(positions, values, color=colors, height=0.6)
            ax.set_yticks(positions, [_short(label) for label in chart.labels])
            ax.set_xlabel(chart.axis_label)
            top = max([*values, ref or 0, 100.0]) * 1.12
            ax.set_xlim(0, top)
            for y, v in zip(positions, values, strict=True):
                ax.text(v + top * 0.01, y, f"{v:.1f}", va="center", fontsize=8)
            if ref is not None:
                ax.axvline(ref, color="#555555", linestyle="--", linewidth=0.8)
        else:
            fig, ax = plt.subplots(figsize=(6.3, 3.0), dpi=DPI)
            ax.bar(range(len(values)), values, color=BAR, width=0.6)
            ax.set_xticks(range(len(values)), chart.labels)
            ax.set_ylabel(chart.axis_label)
            for x, v in enumerate(values):
                ax.text(x, v, f"{v:g}", ha="center", va="bottom", fontsize=9)
            ax.set_ylim(0, max([*values, 1.0]) * 1.2)
        ax.set_title(chart.title)
        ax.spines[["top", "right"]].set_visible(False)
        fig.tight_layout()
        buf = io.BytesIO()
        # The Agg canvas's own PNG writer, not fig.savefig: after tight_layout savefig lays the
        # figure out again in a draw of its own before the real one (a fifth of a chart's time),
        # with the same pixels. zlib level 1: the PNG is ~2 % larger, encoding takes a third of
        # the time (it was a quarter of a chart); a batch of 1,000 reports draws 3,000 charts.
        cast(FigureCanvasAgg, fig.canvas).print_png(buf, pil_kwargs={"compress_level": 1})  # Agg: set above
        plt.close(fig)
    return buf.getvalue()
