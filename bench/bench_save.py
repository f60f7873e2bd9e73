"""Server time of saving one 实际完成值, as the self-evaluation page sends it (htmx), on the demo
and in a synthetic department of 200 projects.

    .venv/bin/python bench/bench_save.py [--saves 30] [--projects 200 --indicators 1300]
                                         [--endpoint selfeval|project|both] [--profile FILE]

Each case runs in its own throw-away SQLite database: the demo as ``jixiao demo`` loads it (its
ledgers and logins), or ``bench/synth.py``'s ``make_city(1, projects, indicators)`` imported
through ``services.imports.apply`` with a 经办人 of that department. The client logs in as that
经办人, opens the page once (the cold first score is not what is measured), then posts
``--saves`` htmx saves of one indicator's actual value, alternating two values the value rules
accept without asking, so every save changes something; each post carries the version the
previous answer rendered. Printed per case: wall and CPU p50/p95 (CPU of this process: SQLite
runs in-process, so it is counted; steadier than wall time on a busy machine), queries per save,
the load average, and the ratio to a bare operation timed in the same run — a conditional
``UPDATE … WHERE version = …`` of that indicator row plus one ``SELECT`` of it through the ORM —
so that figures from machines of different speed can be compared. Goal (issue 16): p95 < 100 ms
on the demo and < 250 ms with 200 projects. ``--profile`` writes a cProfile of the saves.
"""
from __future__ import annotations

import argparse
import cProfile
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

GOALS_MS = {"demo": 100.0, "synth": 250.0}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"load {one:.2f}/{five:.2f}"


@dataclass
class Target:
    code: str
    year: int
    project: str
    indicator: str
    values: tuple[str, str]
    username: str


@dataclass
class Timing:
    wall: list[float]
    cpu: list[float]
    queries: list[int]
    load: str

    def line(self, label: str) -> str:
        return (f"{label:<28} n={len(self.wall):<3} wall p50={statistics.median(self.wall):6.1f} "
                f"p95={_pct(self.wall, 0.95):6.1f} ms  CPU p50={statistics.median(self.cpu):6.1f} "
                f"p95={_pct(self.cpu, 0.95):6.1f} ms  查询 {min(self.queries)}–{max(self.queries)} 次  {self.load}")


def _setup(db: Path) -> None:
    os.environ["DATABASE_URL"] = f"sqlite:///{db}"
    os.environ["JIXIAO_DEBUG"] = "1"  # plain static storage: no collectstatic needed
    os.environ["JIXIAO_DEMO"] = "1"  # the demo logins
    from jixiao.cli import django_setup  # noqa: PLC0415 — Django only once DATABASE_URL names this run's file

    django_setup()
    from django.conf import settings  # noqa: PLC0415 — after setup

    settings.ALLOWED_HOSTS = ["*"]
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _candidates(target_text: str | None, unit: str) -> list[str]:
    """Actual values near a numeric target ("≥7个" → "7个", "8个"), to be checked by the rules."""
    found = re.search(r"(\d+(?:\.\d+)?)\s*([^\d\s.%～\-至]*%?)", target_text or "")
    if not found:
        return []
    number, suffix = found.group(1), found.group(2) or unit
    n = float(number)
    return [f"{number}{suffix}", f"{n * 1.02:.1f}{suffix}", f"{n + 1:g}{suffix}", f"{n + 2:g}{suffix}"]


def _pick(code: str, year: int, username: str, prefer: str) -> Target:
    """An indicator whose actual value the user may change now, with two values the value rules
    accept without a question (``prefer``: the project tried first)."""
    from jixiao.budget.store import load_department_year  # noqa: PLC0415 — models after setup
    from jixiao.core import values as value_rules  # noqa: PLC0415
    from jixiao.core.changes import Ref  # noqa: PLC0415
    from jixiao.core.editing import refusal  # noqa: PLC0415

    dy = load_department_year(code, year)
    rules = value_rules.load_value_rules()
    projects = sorted(dy.projects, key=lambda p: p.code != prefer)
    for p in projects:
        for ind in p.indicators:
            if ind.feed or refusal(dy, Ref("indicator", p.code, ind.code), "actual_text"):
                continue
            ok = [v for v in _candidates(ind.target_text, ind.unit)
                  if v != ind.actual_text
                  and not (c := value_rules.check_actual(ind, v, rules)).refusals and not c.questions]
            if len(ok) >= 2 and ok[0] != ok[1]:
                return Target(code, year, p.code, ind.code, (ok[0], ok[1]), username)
    raise SystemExit(f"{code}/{year} 中没有可填报的指标")


def load_demo() -> Target:
    from django.db import transaction  # noqa: PLC0415 — after setup

    from jixiao import exchange, features  # noqa: PLC0415
    from jixiao.cli.core_cmds import DEMO_FILE  # noqa: PLC0415
    from jixiao.services.demo import load_demo_year  # noqa: PLC0415
    from jixiao.web.demo import DEMO_USERS  # noqa: PLC0415

    dy = exchange.read_file(DEMO_FILE)
    with transaction.atomic():  # as ``jixiao demo`` does
        load_demo_year(dy)
        for loader in features.demo_loaders():
            loader(dy)
    clerk = next(u for u in DEMO_USERS if u.role == "经办人" and u.department == dy.department.code)
    # The demo ships its projects 已审核 (nothing to fill in); as the web tests do, P01's
    # self-evaluation is put back to 草稿 so that its actual values can be saved.
    from jixiao.budget import models as m  # noqa: PLC0415
    from jixiao.core import workflow  # noqa: PLC0415

    m.Project.objects.filter(department_year__department__code=dy.department.code, code="P01").update(
        status=workflow.stage(workflow.SELF_EVALUATION).initial)
    return _pick(dy.department.code, dy.year, clerk.username, "P01")


def load_synth(projects: int, indicators: int) -> Target:
    from django.contrib.auth import get_user_model  # noqa: PLC0415 — after setup

    from bench.synth import make_city  # noqa: PLC0415
    from jixiao.budget import models as m  # noqa: PLC0415
    from jixiao.services import imports  # noqa: PLC0415
    from jixiao.services.actor import system_actor  # noqa: PLC0415

    (dy,) = make_city(1, projects, indicators)
    imports.apply(system_actor(), dy, "bench_save 合成部门")
    user, _ = get_user_model().objects.get_or_create(username="bench-clerk")
    user.set_password("bench")
    user.save()
    m.Membership.objects.get_or_create(user=user, department=m.Department.objects.get(code=dy.department.code),
                                       role="经办人")
    return _pick(dy.department.code, dy.year, "bench-clerk", f"P{projects // 2:03d}")


def _login(t: Target):  # type: ignore[no-untyped-def]
    from django.contrib.auth import get_user_model  # noqa: PLC0415 — after setup
    from django.test import Client  # noqa: PLC0415

    c = Client()
    c.force_login(get_user_model().objects.get(username=t.username))
    return c


def _urls(t: Target, endpoint: str) -> tuple[str, str]:
    base = f"/d/{t.code}/{t.year}"
    if endpoint == "selfeval":
        return f"{base}/selfeval/p/{t.project}/", f"{base}/selfeval/p/{t.project}/i/{t.indicator}/"
    return f"{base}/p/{t.project}/", f"{base}/p/{t.project}/i/{t.indicator}/actual/"


def _version(html: str, indicator: str, endpoint: str) -> str:
    """The version the answer rendered for the indicator's form (what the next post sends)."""
    if endpoint == "selfeval":
        part = html.split(f'id="row-{indicator}"')[1].split("</tr>")[0]
    else:
        part = html.split(f'id="ind-{indicator}"')[1].split("</tr>")[0]
    return part.split('name="version" value="')[1].split('"')[0]


def time_saves(t: Target, endpoint: str, saves: int, profile: cProfile.Profile | None) -> Timing:
    from django.db import connection, reset_queries  # noqa: PLC0415 — after setup
    from django.test.utils import CaptureQueriesContext  # noqa: PLC0415

    c = _login(t)
    page_url, save_url = _urls(t, endpoint)
    page = c.get(page_url)
    assert page.status_code == 200, page.status_code
    html = page.content.decode()
    wall, cpu, queries = [], [], []
    saved = "已保存"
    for n in range(saves):
        value = t.values[n % 2]
        form = {"actual": value, "version": _version(html, t.indicator, endpoint)}
        if endpoint == "selfeval":
            form["reason"] = ""
        reset_queries()
        with CaptureQueriesContext(connection) as captured:
            if profile is not None:
                profile.enable()
            w0, c0 = time.perf_counter(), time.process_time()
            answer = c.post(save_url, form, HTTP_HX_REQUEST="true")
            w1, c1 = time.perf_counter(), time.process_time()
            if profile is not None:
                profile.disable()
        html = answer.content.decode()
        if answer.status_code != 200 or saved not in html:
            raise SystemExit(f"保存未成功（{answer.status_code}）：{html[:800]}")
        wall.append((w1 - w0) * 1000)
        cpu.append((c1 - c0) * 1000)
        queries.append(len(captured))
    return Timing(wall, cpu, queries, _load())


def time_bare(t: Target, n: int) -> Timing:
    """A conditional versioned UPDATE of the indicator row and one SELECT of it, in a transaction."""
    from django.db import transaction  # noqa: PLC0415 — after setup
    from django.db.models import F  # noqa: PLC0415

    from jixiao.budget import models as m  # noqa: PLC0415

    row = m.Indicator.objects.get(project__department_year__department__code=t.code,
                                  project__department_year__year=t.year, project__code=t.project, code=t.indicator)
    wall, cpu = [], []
    for k in range(n):
        w0, c0 = time.perf_counter(), time.process_time()
        with transaction.atomic():
            done = m.Indicator.objects.filter(pk=row.pk, version=row.version).update(
                actual_text=t.values[k % 2], version=F("version") + 1)
            row = m.Indicator.objects.get(pk=row.pk)
        w1, c1 = time.perf_counter(), time.process_time()
        assert done == 1
        wall.append((w1 - w0) * 1000)
        cpu.append((c1 - c0) * 1000)
    return Timing(wall, cpu, [2], _load())


def run_case(name: str, load: Callable[[], Target], endpoints: list[str], saves: int,
             profile: cProfile.Profile | None) -> dict[str, Timing]:
    with tempfile.TemporaryDirectory(prefix=f"jixiao-bench-save-{name}-") as tmp:
        _setup(Path(tmp) / "bench.sqlite3")
        t0 = time.perf_counter()
        target = load()
        print(f"[{name}] 载入 {time.perf_counter() - t0:.1f} s；保存 {target.code}/{target.year} 项目 {target.project} "
              f"指标 {target.indicator}，交替填写「{target.values[0]}」「{target.values[1]}」")
        out = {e: time_saves(target, e, saves, profile) for e in endpoints}
        out["bare"] = time_bare(target, max(saves, 30))
        from django.db import connections  # noqa: PLC0415 — after setup

        connections.close_all()  # the file goes with the directory
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="保存实际完成值的服务器端耗时：示例部门与 200 个项目的合成部门")
    ap.add_argument("--saves", type=int, default=30)
    ap.add_argument("--projects", type=int, default=200)
    ap.add_argument("--indicators", type=int, default=1300)
    ap.add_argument("--endpoint", choices=("selfeval", "project", "both"), default="both")
    ap.add_argument("--only", choices=("demo", "synth"), help="run one case only")
    ap.add_argument("--profile", type=Path, help="write a cProfile of the timed saves to this file")
    args = ap.parse_args(argv)
    endpoints = ["selfeval", "project"] if args.endpoint == "both" else [args.endpoint]
    profile = cProfile.Profile() if args.profile else None
    cases: dict[str, Callable[[], Target]] = {
        "demo": load_demo, "synth": lambda: load_synth(args.projects, args.indicators)}
    # Django is configured once per process; each case needs its own database, so a second case
    # runs in a child process of this script.
    names = [args.only] if args.only else list(cases)
    if len(names) > 1:
        import subprocess  # noqa: PLC0415 — only the parent run starts children

        p95: dict[str, float] = {}
        for name in names:
            cmd = [sys.executable, __file__, "--only", name, "--saves", str(args.saves), "--endpoint", args.endpoint,
                   "--projects", str(args.projects), "--indicators", str(args.indicators)]
            if args.profile:
                cmd += ["--profile", str(args.profile.with_suffix(f".{name}{args.profile.suffix}"))]
            done = subprocess.run(cmd, capture_output=True, text=True, check=False)
            sys.stdout.write("\n".join(x for x in done.stdout.splitlines() if not x.startswith("P95 ")) + "\n")
            if done.returncode:
                sys.stderr.write(done.stderr)
                return done.returncode
            p95[name] = float(next(x for x in done.stdout.splitlines() if x.startswith("P95 ")).split()[1])
        print(f"save demo p95 {p95['demo']:.0f} ms; {args.projects} projects p95 {p95['synth']:.0f} ms "
              f"(wall, selfeval htmx save; goals {GOALS_MS['demo']:.0f} / {GOALS_MS['synth']:.0f} ms)")
        return 0
    name = names[0]
    out = run_case(name, cases[name], endpoints, args.saves, profile)
    bare = out["bare"]
    for label, timing in out.items():
        ratio = "" if label == "bare" else f"  ×{_pct(timing.cpu, 0.5) / _pct(bare.cpu, 0.5):.0f} of bare CPU"
        print(timing.line(f"[{name}] {label}") + ratio)
    if profile is not None and args.profile:
        profile.dump_stats(str(args.profile))
        print(f"[{name}] cProfile → {args.profile}")
    main_timing = out[endpoints[0]]
    print(f"P95 {_pct(main_timing.wall, 0.95):.1f}")
    if not args.only:
        print(f"save {name} p95 {_pct(main_timing.wall, 0.95):.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
