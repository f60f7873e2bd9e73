"""`jixiao worker` (run background jobs) and `jixiao jobs` (list them, cancel one); ``wait`` is how
a command that queued a job waits for it, with a progress line on stderr."""
from __future__ import annotations

import argparse
import shutil
import signal
import sys
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from django.db import connection

from jixiao import cli
from jixiao.core.errors import InputError
from jixiao.jobs import worker
from jixiao.jobs.models import QUEUED, STATES, Job
from jixiao.jobs.runtime import jobs_dir, progress_text, result_path
from jixiao.services import jobs
from jixiao.services.actor import system_actor

# A queued job that no worker has taken after this many seconds is run by the waiting command
# itself: the embedded installation needs no worker to produce a batch of reports.
PICKUP_SECONDS = 3.0


def register(subparsers: argparse._SubParsersAction) -> None:
    w = subparsers.add_parser("worker", help="运行后台任务工作进程（批量报告、PDF 转换、批量导入、全部部门评分）",
                              description="从数据库中的任务队列领取并执行后台任务；可在多台机器上同时运行。")
    w.add_argument("--once", action="store_true", help="执行完队列中的任务后退出")
    w.add_argument("--interval", type=float, default=1.0, help="队列为空时的轮询间隔（秒），默认 1")
    w.set_defaults(func=run_worker)

    b = subparsers.add_parser(
        "import-batch", help="批量导入：多个单位的 .xlsx/.json 打包为 .zip，作为一个后台任务逐个导入",
        description="压缩包中每个文件是一个部门年度（交换格式 .json 或 Excel .xlsx）；批量工作簿的「部门」表"
                    "可有多行，每行一个部门年度。每个部门年度各自先预览、无冲突时全部导入，否则该部门年度不导入"
                    "（不影响其他部门年度）；最后列出每个单位的结果。")
    b.add_argument("file", metavar="文件", help=".zip，或单个 .json/.xlsx（可为含多个部门的批量工作簿）")
    b.add_argument("--bureau", help="这些单位的上级部门（财政局）编码（可省略：命令行可导入任何部门）")
    b.add_argument("--delete-missing", action="store_true", help="删除文件中没有、数据库中已有的对象（默认保留）")
    b.set_defaults(func=import_batch)

    j = subparsers.add_parser("jobs", help="列出后台任务；--cancel 取消任务",
                              description="列出最近的后台任务及其进度。")
    j.add_argument("--cancel", type=int, metavar="编号", help="取消该编号的任务")
    j.add_argument("--limit", type=int, default=20, help="列出的条数，默认 20")
    j.set_defaults(func=list_jobs)


def run_worker(args: argparse.Namespace) -> int:
    cli.django_setup()
    stopping = threading.Event()

    def stop(signum: int, frame: FrameType | None) -> None:
        if stopping.is_set():
            raise KeyboardInterrupt  # a second signal: stop now, the lease hands the job on
        stopping.set()
        sys.stderr.write("收到停止信号：当前任务完成后退出（再次发送则立即退出）\n")

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)

    ran = worker.run(once=args.once, interval=max(args.interval, 0.1), say=_stderr, stop=stopping.is_set)
    _stderr(f"工作进程退出，共执行 {ran} 个任务")
    return 0


def import_batch(args: argparse.Namespace) -> int:
    source = Path(args.file)
    if not source.is_file():
        raise InputError("找不到该文件，请检查路径", location=args.file)
    if source.suffix.lower() not in (".zip", ".json", ".xlsx"):
        raise InputError(f"不支持的文件类型「{source.suffix or source.name}」，请使用 .zip、.json 或 .xlsx",
                         location=source.name)
    cli.django_setup()
    # The worker may run on another machine: the file goes to the shared job storage first.
    uploads = jobs_dir() / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    stored = uploads / f"{uuid.uuid4().hex}{source.suffix.lower()}"
    shutil.copyfile(source, stored)
    job = wait(jobs.start(system_actor(), "import", args.bureau,
                          {"file": str(stored), "source": source.name, "delete_missing": args.delete_missing},
                          title=f"批量导入：{source.name}"))
    for row in job.result_rows:
        print(f"{row['unit']}\t{row['status']}\t{row['message']}")
    if job.state != "done":
        sys.stderr.write(f"错误：任务 {job.id} {job.state_label}：{job.error}\n")
        return 2 if job.state == "failed" else 1
    failed = sum(1 for row in job.result_rows if row["status"] != "已导入")
    print(f"共 {len(job.result_rows)} 个部门年度：导入 {len(job.result_rows) - failed} 个，未导入 {failed} 个")
    return 1 if failed else 0


def list_jobs(args: argparse.Namespace) -> int:
    cli.django_setup()
    actor = system_actor()
    if args.cancel is not None:
        job = jobs.cancel(actor, args.cancel)
        print(f"任务 {job.id}：{job.state_label}")
        return 0
    for job in jobs.visible(actor)[: args.limit]:
        print(f"{job.id}\t{job.state_label}\t{progress_text(job)}\t{job.title}\t{job.who}")
    return 0


def _run_here(task_id: str, say: Callable[[str], None]) -> threading.Thread | None:
    """Claim the task for this process and run it in a thread; None when a worker took it first."""
    wid = worker.worker_id("cli-")
    found = worker.claim(wid, task_id)
    if found is None:
        return None
    say("未检测到运行中的后台工作进程（jixiao worker），改在本命令中执行该任务")

    def body() -> None:
        try:
            worker.run_claimed(found, wid)
        finally:
            connection.close()

    thread = threading.Thread(target=body, name="jixiao-job", daemon=True)
    thread.start()
    return thread


def _stderr(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def wait(job: Job, say: Callable[[str], None] = _stderr, poll: float = 0.5) -> Job:
    """Wait for ``job`` to finish, printing its progress to stderr when it changes."""
    queued_since = time.monotonic()
    shown: tuple[str, int, int] | None = None
    shown_at = 0.0
    here: threading.Thread | None = None
    say(f"已提交后台任务 {job.id}：{job.title}")
    while True:
        job.refresh_from_db()
        # A line when the counts or the state change, and every few seconds for the time left.
        now = (job.state, job.done, job.total)
        if now != shown or time.monotonic() - shown_at > 5:
            say(f"{STATES[job.state]}：{progress_text(job)}")
            shown, shown_at = now, time.monotonic()
        if job.finished:
            break
        if job.state == QUEUED and here is None and time.monotonic() - queued_since > PICKUP_SECONDS:
            here = _run_here(job.task_id, say)
            queued_since = time.monotonic()
        time.sleep(poll)
    if here is not None:
        here.join()
    return job


def finished_output(job: Job) -> str | None:
    """The path of the finished job's result file, if any."""
    path = result_path(job)
    return str(path) if path is not None and path.exists() else None
