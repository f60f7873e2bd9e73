"""Time scoring a whole synthetic city from memory, in one process.

    .venv/bin/python bench/bench_scoring.py [--units N --projects N --indicators N --seed N]

Prints build time, scoring wall and CPU time, indicators per second and peak RSS. Goal: < 3 s
and < 1.5 GB for 1000 units / 20000 projects / 300000 indicators.

One-off start-up work is done before the timed section and printed apart: ``cn2an``, which
``jixiao.core.numbers`` imports on the first Chinese numeral (about 0.3 s of CPU, once per
process). The parse caches of ``jixiao.core.targets`` start empty, as in a fresh process.
"""
from __future__ import annotations

import argparse
import gc
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.synth import make_city
from jixiao.core.numbers import parse_decimal
from jixiao.core.scoring import score_department


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="评分基准：在内存中为合成城市打分")
    ap.add_argument("--units", type=int, default=1000)
    ap.add_argument("--projects", type=int, default=20000)
    ap.add_argument("--indicators", type=int, default=300000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--gc", action="store_true", help="计时期间保持垃圾回收开启（默认关闭，与 timeit 相同）")
    args = ap.parse_args(argv)

    t0 = time.perf_counter()
    city = make_city(args.units, args.projects, args.indicators, args.seed)
    built = time.perf_counter() - t0
    n_ind = sum(len(dy.indicators) + sum(len(p.indicators) for p in dy.projects) for dy in city)
    # Like timeit, the timed section runs with the cyclic collector off by default: scoring
    # creates no reference cycles, and with a million live result objects the collector's
    # repeated full scans cost about as much as the scoring itself. --gc measures that case.
    c0 = time.process_time()
    parse_decimal("十二")  # imports cn2an, as the first Chinese numeral of any run does
    parse_decimal.cache_clear()
    warm = time.process_time() - c0
    gc.collect()
    if not args.gc:
        gc.disable()

    t1, c1 = time.perf_counter(), time.process_time()
    results = [score_department(dy) for dy in city]
    wall, cpu = time.perf_counter() - t1, time.process_time() - c1
    gc.enable()

    scored = sum(
        sum(1 for i in r.indicators if i.score is not None)
        + sum(1 for p in r.projects for i in p.indicators if i.score is not None)
        for r in results
    )
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux reports KiB
    print(f"city: {len(city)} units, {sum(len(dy.projects) for dy in city)} projects, {n_ind} indicators "
          f"(built in {built:.2f} s)")
    print(f"one-off start-up outside the timed section (cn2an import): CPU {warm:.2f} s")
    print(f"scoring wall time: {wall:.2f} s (CPU {cpu:.2f} s; wall exceeds CPU when the machine is shared; "
          f"gc {'on' if args.gc else 'off'})")
    print(f"indicators/s: {n_ind / wall:,.0f} ({scored} with a score)")
    print(f"peak RSS: {peak_mb:,.0f} MB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
