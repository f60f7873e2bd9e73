"""Time drafting and writing the department report of a synthetic department with 200 projects.

    .venv/bin/python bench/bench_report.py [--projects N --indicators N --seed N --pdf]

Prints the time of each step (score + draft, charts + Word) and the total. Goal: < 10 s for the
.docx of a 200-project department. ``--pdf`` also times the LibreOffice conversion (reported
separately; it depends on the machine's LibreOffice start-up).
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_city
from jixiao.core.audit import audit_lines
from jixiao.report.generate import draft_for, write_report
from jixiao.report.reading import read_report

GOAL_S = 10.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="报告基准：合成部门（默认 200 个项目）的自评报告生成时间")
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--indicators", type=int, default=1300, help="指标总数（十分之一为部门整体指标）")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--pdf", action="store_true", help="同时计时 PDF 转换")
    args = ap.parse_args(argv)

    (dy,) = make_city(units=1, projects=args.projects, indicators=args.indicators, seed=args.seed)
    with tempfile.TemporaryDirectory(prefix="jixiao-bench-") as tmp:
        out = Path(tmp) / "report.docx"
        t0 = time.perf_counter()
        draft = draft_for(dy)
        t1 = time.perf_counter()
        write_report(draft, out)
        t2 = time.perf_counter()
        total = t2 - t0
        text = read_report(out)
        audit = audit_lines(text.lines, text.locations, text.wrapped)
        n_ind = sum(len(p.indicators) for p in dy.projects) + len(dy.indicators)
        print(f"项目 {len(dy.projects)} 个，指标 {n_ind} 项")
        print(f"评分+起草 {t1 - t0:.2f} s；图表+Word {t2 - t1:.2f} s；合计 {total:.2f} s（目标 < {GOAL_S:.0f} s）")
        print(f"报告 {out.stat().st_size / 1024:.0f} KB；"
              f"审核：核对 {audit.checked} 处，不一致 {len(audit.findings)} 处")
        if args.pdf:
            t3 = time.perf_counter()
            write_report(draft, out.with_suffix(".pdf"))
            print(f"PDF 转换（含再次生成 Word）{time.perf_counter() - t3:.2f} s")
    return 0 if total < GOAL_S and audit.clean else 1


if __name__ == "__main__":
    raise SystemExit(main())
