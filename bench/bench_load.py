"""Concurrent users over real HTTP: start the application on loopback, log N simulated users in
and let them view pages and save values for S seconds; print the errors, the p95 response time
and the throughput.

    .venv/bin/python bench/bench_load.py --users 10 --seconds 10              # SQLite: one server
    DATABASE_URL=postgres://u:pw@127.0.0.1:5432/db \\
        .venv/bin/python bench/bench_load.py --users 50 --seconds 60          # PostgreSQL: 4 servers
    .venv/bin/python bench/bench_load.py --users 50 --think 0                 # saturation: no pauses

The database is ``DATABASE_URL`` (without it, a new SQLite file in a temporary directory). The
demo is loaded first when the database has none. On PostgreSQL four application processes
(``jixiao serve``, waitress) run side by side on consecutive ports and the users are spread over
them, as a load balancer would; on SQLite one process (one file, one writer at a time). Only
127.0.0.1 is ever contacted; every request has a time-out and the run ends after S seconds.

Each user logs in (not timed); one view of every page per application process warms it (not
timed: a process's first views load templates and rules and score the years, once per start, and
fifty users arriving at a cold process at once measure that start-up); then each user, in a
loop: the department home, a project page, the charts, the change history, and one in four
rounds an htmx save of an indicator's actual value (blanked, then restored) in the second demo
department, whose records are still drafts. Between two requests a user thinks for a random
time drawn uniformly from ``--think A-B`` seconds (default 1-3, as a load tool's
``between(1, 3)``); ``--think 0`` sends the next request as soon as the last one answered, which
measures the servers' saturation throughput, not N users. A conflict answer (another user saved
the same indicator first) is a correct answer, not an error; an error is a failed connection, a
time-out or an HTTP status ≥ 400.

Printed: per page the p50/p95/max, the CPU seconds of the application processes and of the
PostgreSQL server (when it runs on this machine and its processes are readable), the load
average before and after. Last line: ``errors E p95 X ms throughput Y/s``.
"""
from __future__ import annotations

import argparse
import html
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
JIXIAO = ROOT / ".venv" / "bin" / "jixiao"
PASSWORD = "Jixiao#2022"  # the demo accounts' password (jixiao.web.demo.DEMO_PASSWORD)
TIMEOUT = 30.0
# (user, department, year, projects): who views what; editors save in the draft department.
VIEWERS = (("jingban", "demo"), ("bumen", "demo"), ("caizheng", "demo"), ("jingban-b", "demo-b"))
EDITOR, EDIT_DEPARTMENT, EDIT_PROJECTS = "jingban-b", "demo-b", ("B01", "B02", "B03")
YEAR = 2022
# A person reading a page before the next click takes seconds, not milliseconds: 1-3 s is what
# load tools use by default for a clicking user (Locust's between(1, 3)), and it is short for
# people filling in forms, so the offered load is if anything higher than a real office's.
DEFAULT_THINK = "1-3"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class User:
    def __init__(self, base: str, name: str):
        self.base, self.name = base, name
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: dict[str, str] | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=TIMEOUT) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self) -> str:
        return next(c.value or "" for c in self.jar if c.name == "csrftoken")

    def login(self) -> None:
        self.request("/accounts/login/")
        status, _ = self.request("/accounts/login/", {"username": self.name, "password": PASSWORD,
                                                      "csrfmiddlewaretoken": self.csrf()})
        if status != 302:
            raise SystemExit(f"{self.name} 未能登录（HTTP {status}）：请确认数据库中有示例数据和示例账号")


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.times: dict[str, list[float]] = {}
        self.errors: list[str] = []
        self.start = time.monotonic()
        self.slowest: list[tuple[float, float, str]] = []  # (seconds, at, kind): where a p95 comes from

    def add(self, kind: str, seconds: float, error: str = "") -> None:
        with self.lock:
            self.times.setdefault(kind, []).append(seconds)
            self.slowest = sorted([*self.slowest, (seconds, time.monotonic() - seconds - self.start, kind)])[-5:]
            if error:
                self.errors.append(f"{kind}: {error}")


def indicator_rows(page: str) -> list[tuple[str, str, int]]:
    """(indicator code, actual value, version) of each indicator row of a project page."""
    found = []
    for chunk in page.split("<tr")[1:]:
        m_id = re.search(r'id="ind-([^"]+)"', chunk)
        m_actual = re.search(r'name="actual" value="([^"]*)"', chunk)
        m_version = re.search(r'name="version" value="(\d+)"', chunk)
        if m_id and m_actual and m_version:
            found.append((m_id.group(1), html.unescape(m_actual.group(1)), int(m_version.group(1))))
    return found


def timed(stats: Stats, kind: str, user: User, path: str, data: dict[str, str] | None = None,
          headers: dict[str, str] | None = None) -> str | None:
    """One request, its time recorded under ``kind``; its body, or None when it failed."""
    t0 = time.perf_counter()
    try:
        status, body = user.request(path, data, headers)
    except OSError as exc:  # refused, reset, timed out
        stats.add(kind, time.perf_counter() - t0, str(exc))
        return None
    stats.add(kind, time.perf_counter() - t0, f"HTTP {status}" if status >= 400 else "")
    return body if status < 400 else None


def think_range(text: str) -> tuple[float, float]:
    """``"1-3"`` → (1.0, 3.0); ``"0"`` → (0.0, 0.0)."""
    low, _, high = text.partition("-")
    try:
        a, b = float(low), float(high or low)
    except ValueError:
        raise argparse.ArgumentTypeError(f"思考时间应写作 A-B（秒），如 1-3，或 0：{text}") from None
    if a < 0 or b < a:
        raise argparse.ArgumentTypeError(f"思考时间应满足 0 ≤ A ≤ B：{text}")
    return a, b


def pause(think: tuple[float, float], deadline: float, rng: random.Random) -> bool:
    """The user reads the page before the next click; False when the run ends meanwhile."""
    if think[1] > 0:
        time.sleep(max(0.0, min(rng.uniform(*think), deadline - time.monotonic())))
    return time.monotonic() < deadline


def simulate(user: User, department: str, edits: bool, deadline: float, stats: Stats,
             originals: dict[str, str], rng: random.Random, think: tuple[float, float]) -> None:
    base = f"/d/{department}/{YEAR}/"
    pages = [("home", base), ("charts", base + "dashboard/"), ("history", base + "history/")]
    # Users arrive spread over one think time instead of all clicking in the same millisecond,
    # as a load tool's spawn rate does; otherwise the first seconds measure a burst of 50.
    if think[1] > 0 and not pause((0.0, think[1]), deadline, rng):
        return
    rounds = 0
    while time.monotonic() < deadline:
        rounds += 1
        kind, path = pages[rounds % len(pages)] if rounds % 2 else ("home", base)
        timed(stats, kind, user, path)
        if not pause(think, deadline, rng) or not edits:
            continue
        project = rng.choice(EDIT_PROJECTS)
        page = timed(stats, "project", user, f"{base}p/{project}/")
        # an editor saves in its first round (a short run still measures saves), then every fourth
        if not pause(think, deadline, rng) or page is None or (rounds - 1) % 4:
            continue
        rows = indicator_rows(page)
        if not rows:
            continue
        code, actual, version = rng.choice(rows)
        if actual:
            originals.setdefault(code, actual)
        new = "" if actual else originals.get(code, "")
        if not actual and not new:
            continue  # blank and its value unknown: nothing to restore
        timed(stats, "save", user, f"{base}p/{project}/i/{code}/actual/",
              {"actual": new, "version": str(version), "csrfmiddlewaretoken": user.csrf()},
              {"HX-Request": "true", "X-CSRFToken": user.csrf()})
        pause(think, deadline, rng)


def warm_up(users: list[tuple[User, str, bool, random.Random]]) -> float:
    """One view of every page the run uses, per application process, before timing: a process's
    first view of a page loads templates, rules and modules and scores the years (seconds, once
    per process start), which is not what a user of a running service waits for. Returns the
    slowest of these views."""
    slowest, seen = 0.0, set()
    for user, department, edits, _ in users:
        if (user.base, department, edits) in seen:
            continue
        seen.add((user.base, department, edits))
        base = f"/d/{department}/{YEAR}/"
        for path in (base, base + "dashboard/", base + "history/",
                     *(f"{base}p/{code}/" for code in EDIT_PROJECTS if edits)):
            t0 = time.perf_counter()
            user.request(path)
            slowest = max(slowest, time.perf_counter() - t0)
    return slowest


def restore(user: User, originals: dict[str, str]) -> int:
    """Put back every actual value the run blanked and nobody restored before the end: the next
    run (and the demo) finds the values it started from, so there is something to blank again."""
    base = f"/d/{EDIT_DEPARTMENT}/{YEAR}/"
    count = 0
    for project in EDIT_PROJECTS:
        status, page = user.request(f"{base}p/{project}/")
        for code, actual, version in indicator_rows(page) if status == 200 else []:
            if not actual and originals.get(code):
                user.request(f"{base}p/{project}/i/{code}/actual/",
                             {"actual": originals[code], "version": str(version), "csrfmiddlewaretoken": user.csrf()},
                             {"HX-Request": "true", "X-CSRFToken": user.csrf()})
                count += 1
    return count


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(url: str, users: int) -> dict[str, str]:
    env = dict(os.environ, DATABASE_URL=url, JIXIAO_DEMO="1")
    # Every simulated user comes from 127.0.0.1, and the per-address login throttle counts each
    # attempt from one address (a success clears only the account's count): allow one per user.
    env["JIXIAO_LOGIN_IP_MAX_FAILURES"] = str(max(20, 2 * users + 20))
    env.setdefault("JIXIAO_SECRET_KEY", "bench-load-" + "x" * 50)  # one key for every server: shared sessions
    return env


def _ensure_demo(env: dict[str, str]) -> None:
    probe = subprocess.run([sys.executable, "-c", (
        "import os, sys; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'jixiao.settings');"
        "from jixiao.cli import django_setup; django_setup();"
        "from jixiao.budget.models import Department;"
        "sys.exit(0 if Department.objects.filter(code='demo-b').exists() else 3)")],
        env=env, cwd=ROOT, capture_output=True, text=True)
    if probe.returncode == 3:
        print("loading the demo …", flush=True)
        subprocess.run([str(JIXIAO), "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    elif probe.returncode != 0:
        sys.stderr.write(probe.stderr[-2000:])
        raise SystemExit("无法连接数据库")


def _wait_up(port: int, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"端口 {port} 上的网页服务启动失败（退出码 {proc.returncode}）")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"端口 {port} 上的网页服务 {seconds:.0f} 秒内未就绪")


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU of each of these processes so far (Linux /proc; left out where unreadable)."""
    tick = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / tick  # utime, stime (fields 14, 15)
    return found


def cpu_since(before: dict[int, float], now: dict[int, float]) -> float:
    """CPU spent since ``before``; a process started meanwhile (a new backend) counts from 0."""
    return sum(t - before.get(pid, 0.0) for pid, t in now.items())


def postgres_pids(port: int) -> list[int]:
    """The PostgreSQL server processes listening on ``port`` of this machine, by their command
    line (the postmaster names its data directory, the backends do not: take its children)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmd = (proc / "cmdline").read_bytes().split(b"\0")
            ppid = int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        found.append((int(proc.name), ppid, cmd))
    masters = {pid for pid, _, cmd in found if cmd and cmd[0].endswith(b"postgres")
               and str(port).encode() in b" ".join(cmd)}
    return sorted(masters | {pid for pid, ppid, _ in found if ppid in masters})


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="并发负载基准：模拟多个用户通过 HTTP 浏览页面并保存数据")
    ap.add_argument("--users", type=int, default=10)
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--servers", type=int, help="网页服务进程数（默认 PostgreSQL 4 个，SQLite 1 个）")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--think", type=think_range, default=think_range(DEFAULT_THINK), metavar="A-B",
                    help=f"每次请求之间的思考时间（秒，均匀分布），默认 {DEFAULT_THINK}；0 表示不停顿（测饱和吞吐）")
    args = ap.parse_args(argv)
    tmp = None
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        tmp = tempfile.TemporaryDirectory(prefix="jixiao-load-")
        url = f"sqlite:///{tmp.name}/load.sqlite3"
    postgres = url.startswith(("postgres", "pgsql"))
    servers = args.servers or (4 if postgres else 1)
    env = _env(url, args.users)
    _ensure_demo(env)
    procs: list[subprocess.Popen] = []
    ports = [_free_port() for _ in range(servers)]
    try:
        for port in ports:
            procs.append(subprocess.Popen([str(JIXIAO), "serve", "--host", "127.0.0.1", "--port", str(port)],
                                          env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for port, proc in zip(ports, procs, strict=True):
            _wait_up(port, proc)
        think = f"{args.think[0]:g}-{args.think[1]:g} s" if args.think[1] else "none (saturation)"
        print(f"{'PostgreSQL' if postgres else 'SQLite'}: {servers} application process(es) on ports "
              f"{', '.join(map(str, ports))}; {args.users} users for {args.seconds:g} s, think time {think}; "
              f"load average {os.getloadavg()[0]:.2f}", flush=True)
        rng = random.Random(args.seed)
        users = []
        for n in range(args.users):
            base = f"http://127.0.0.1:{ports[n % servers]}"
            edits = n % 2 == 0
            name, department = (EDITOR, EDIT_DEPARTMENT) if edits else VIEWERS[n % len(VIEWERS)]
            user = User(base, name)
            user.login()
            users.append((user, department, edits, random.Random(rng.random())))
        slowest = warm_up(users)
        print(f"warm-up (first view of each page in each process, not timed): slowest {slowest * 1000:.0f} ms",
              flush=True)
        stats, originals = Stats(), dict[str, str]()
        pg_port = urllib.parse.urlsplit(url).port or 5432
        server_pids = [p.pid for p in procs]
        cpu0 = (cpu_seconds(server_pids), cpu_seconds(postgres_pids(pg_port) if postgres else []),
                time.process_time())
        start = stats.start = time.monotonic()
        deadline = start + args.seconds
        threads = [threading.Thread(target=simulate, args=(u, d, e, deadline, stats, originals, r, args.think),
                                    daemon=True) for u, d, e, r in users]
        for t in threads:
            t.start()
        for t in threads:
            t.join(args.seconds + TIMEOUT + 5)
        elapsed = time.monotonic() - start
        pg = postgres_pids(pg_port) if postgres else []
        cpu = (cpu_since(cpu0[0], cpu_seconds(server_pids)), cpu_since(cpu0[1], cpu_seconds(pg)),
               time.process_time() - cpu0[2])
        editor = next((u for u, _, e, _ in users if e), None)
        if editor is not None:
            print(f"restored {restore(editor, originals)} actual value(s) the run left blank (not timed)")
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
        if tmp is not None:
            tmp.cleanup()
    every = [t for times in stats.times.values() for t in times]
    for kind, times in sorted(stats.times.items()):
        print(f"  {kind:8s} {len(times):6d} requests  p50 {percentile(times, 0.5) * 1000:7.1f} ms  "
              f"p95 {percentile(times, 0.95) * 1000:7.1f} ms  max {max(times) * 1000:7.1f} ms")
    print("  slowest: " + ", ".join(f"{kind} {t * 1000:.0f} ms at {at:.1f} s" for t, at, kind in stats.slowest[::-1]))
    for e in stats.errors[:10]:
        print(f"  error: {e}")
    print(f"CPU over {elapsed:.1f} s: application processes {cpu[0]:.1f} s"
          + (f", PostgreSQL {cpu[1]:.1f} s ({len(pg)} processes)" if pg else "")
          + f", this client {cpu[2]:.1f} s; {os.cpu_count()} CPUs")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    print(f"errors {len(stats.errors)} p95 {percentile(every, 0.95) * 1000:.0f} ms "
          f"throughput {len(every) / elapsed:.1f}/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
