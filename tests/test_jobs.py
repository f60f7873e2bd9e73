"""Background jobs (issue 16): a batch of reports started from the bureau page, its progress
page, the worker that runs it, a dead worker's job taken over without duplicate output,
cancelling, and ``jixiao report --bureau`` working without any worker running."""
from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from web_support import FAST_HASHERS, client_for, load_site

from jixiao.budget import models as m
from jixiao.budget.feeds import collect_feeds
from jixiao.budget.store import load_department_year
from jixiao.cli import job_cmds
from jixiao.core import quality
from jixiao.core.scoring import score_department
from jixiao.jobs import kinds, runtime, worker
from jixiao.jobs.models import CANCELLED, DONE, FAILED, QUEUED, RUNNING, Job
from jixiao.services import jobs
from jixiao.services.actor import actor_for, system_actor
from jixiao.services.errors import Denied, NotFound


@pytest.fixture
def site(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    load_site()


def _docx_names(data: bytes) -> list[str]:
    return [n for n in zipfile.ZipFile(io.BytesIO(data)).namelist() if n.endswith(".docx")]


def test_bureau_button_starts_a_batch_whose_page_shows_progress_and_the_zip(site):
    c = client_for("caizheng")
    page = c.get("/bureau/hp-finance/2022/").content.decode()
    assert "生成全部部门报告" in page
    response = c.post("/bureau/hp-finance/2022/reports/")
    assert response.status_code == 302
    job = Job.objects.get()
    assert response["Location"] == f"/jobs/{job.id}/"
    detail = c.get(f"/jobs/{job.id}/").content.decode()
    assert "排队中" in detail and "<progress" in detail and 'hx-trigger="every 1s"' in detail
    assert "任务" in c.get("/jobs/").content.decode()

    assert worker.run(once=True) == 1
    job.refresh_from_db()
    assert job.state == DONE and job.done == job.total == 3  # two departments, then the zip
    fragment = c.get(f"/jobs/{job.id}/progress/").content.decode()
    assert "已完成" in fragment and "every 1s" not in fragment  # polling stops when the job ends
    download = c.get(f"/jobs/{job.id}/download/")
    assert download.status_code == 200
    names = _docx_names(b"".join(download.streaming_content))
    assert len(names) == 2 and any(n.startswith("demo-b-") for n in names)


def test_a_department_user_cannot_start_the_batch_nor_see_others_jobs(site):
    job = jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022})
    c = client_for("jingban")
    assert c.post("/bureau/hp-finance/2022/reports/").status_code == 404
    assert c.get(f"/jobs/{job.id}/").status_code == 404
    assert c.get("/healthz").status_code == 200


def test_a_dead_workers_job_is_taken_over_and_its_output_written_once(site):
    job = jobs.start(system_actor(), "bureau_reports", "hp-finance", {"bureau": "hp-finance", "year": 2022})
    # A worker claimed it, wrote the first department's report, then was killed: its lease runs out.
    claimed = worker.claim("dead-worker")
    assert claimed is not None and str(claimed.id) == job.task_id
    parts = runtime.jobs_dir() / str(job.id) / "parts"
    parts.mkdir(parents=True)
    (parts / "demo.docx").write_bytes(b"written before the kill")
    Job.objects.filter(id=job.id).update(state=RUNNING, worker="dead-worker", attempts=1,
                                         started_at=timezone.now() - timedelta(minutes=5),
                                         heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert worker.claim("other") is None  # the task is taken until the lease runs out

    assert worker.run(once=True) == 1
    job.refresh_from_db()
    assert job.state == DONE and job.attempts == 2
    assert "已失联" in job.log and "任务重新排队" in job.log
    with zipfile.ZipFile(runtime.result_path(job)) as zf:
        names = [n for n in zf.namelist() if n.endswith(".docx")]
        assert len(names) == 2 and len(set(names)) == 2
        demo = next(n for n in names if n.startswith("demo-") and not n.startswith("demo-b"))
        assert zf.read(demo) == b"written before the kill"  # kept, not made a second time
    assert not list((runtime.jobs_dir() / str(job.id)).rglob("*part.*"))  # no half file left behind
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.SUCCESSFUL


def _split_batch(monkeypatch) -> tuple[Job, list[int]]:
    """A batch of the two departments in parts of one, claimed by a worker that is alive."""
    monkeypatch.setattr(kinds, "REPORTS_PER_PART", 1)
    job = jobs.start(system_actor(), "bureau_reports", "hp-finance", {"bureau": "hp-finance", "year": 2022})
    assert worker.claim("busy") is not None
    Job.objects.filter(id=job.id).update(state=RUNNING, worker="busy", attempts=1, heartbeat_at=timezone.now())
    job.refresh_from_db()
    names = [[d.code, d.name] for d in m.Department.objects.filter(code__in=["demo", "demo-b"]).order_by("code")]
    return job, runtime.add_parts(job, "bureau_reports_part", [{"year": 2022, "departments": [n]} for n in names])


def test_an_idle_worker_helps_with_the_parts_of_a_batch_another_worker_runs(site, monkeypatch):
    job, part_ids = _split_batch(monkeypatch)
    assert worker.run(once=True, wid="helper") == 0  # no queue task of its own: only the parts
    parts = Job.objects.filter(id__in=part_ids)
    assert {(p.state, p.worker, p.attempts) for p in parts} == {(DONE, "helper", 1)}
    assert sorted(f.name for f in (runtime.jobs_dir() / str(job.id) / "parts").iterdir()) == ["demo-b.docx",
                                                                                             "demo.docx"]
    assert not jobs.visible(actor_for(get_user_model().objects.get(username="caizheng"))).filter(
        id__in=part_ids).exists()  # a user sees the batch, not its parts


def test_a_split_batch_whose_worker_died_is_resumed_with_its_parts_each_made_once(site, monkeypatch):
    job, part_ids = _split_batch(monkeypatch)
    parts = runtime.jobs_dir() / str(job.id) / "parts"
    parts.mkdir(parents=True)
    (parts / "demo.docx").write_bytes(b"written before the kill")  # the first part was under way
    old = timezone.now() - timedelta(minutes=5)
    Job.objects.filter(id__in=[job.id, part_ids[0]]).update(state=RUNNING, worker="busy", attempts=1,
                                                            started_at=old, heartbeat_at=old)

    assert worker.run(once=True) == 1  # the batch again: the same parts, the rest made
    job.refresh_from_db()
    assert job.state == DONE and job.done == job.total == 3 and job.attempts == 2
    assert list(Job.objects.filter(id__in=part_ids).values_list("state", "attempts").order_by("id")) == [
        (DONE, 2), (DONE, 1)]
    assert Job.objects.filter(kind="bureau_reports_part").count() == 2  # none added by the retry
    with zipfile.ZipFile(runtime.result_path(job)) as zf:
        names = [n for n in zf.namelist() if n.endswith(".docx")]
        assert len(names) == 2 and len(set(names)) == 2
        assert zf.read(next(n for n in names if not n.startswith("demo-b"))) == b"written before the kill"
    assert not list((runtime.jobs_dir() / str(job.id)).rglob("*part.*"))


def test_cancelling_a_split_batch_cancels_its_parts(site, monkeypatch):
    job, part_ids = _split_batch(monkeypatch)
    Job.objects.filter(id=job.id).update(cancel_requested=True)
    progress = runtime.Progress(Job.objects.get(id=job.id))
    progress.start(3)
    with pytest.raises(runtime.Cancelled):
        runtime.run_parts(progress, part_ids, kinds.work_for)
    assert set(Job.objects.filter(id__in=part_ids).values_list("state", flat=True)) <= {DONE, CANCELLED}
    assert Job.objects.filter(id__in=part_ids, state=CANCELLED).exists()


def test_a_job_that_kills_its_worker_every_time_fails_after_three_attempts(site):
    job = jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022})
    worker.claim("dead")
    Job.objects.filter(id=job.id).update(state=RUNNING, attempts=3, heartbeat_at=timezone.now() - timedelta(hours=1))
    worker.requeue_stale()
    job.refresh_from_db()
    assert job.state == FAILED and "3 次" in job.error


def test_cancel_a_queued_job_and_a_running_one(site):
    queued = jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022})
    assert jobs.cancel(system_actor(), queued.id).state == CANCELLED
    worker.run(once=True)
    queued.refresh_from_db()
    assert queued.state == CANCELLED and not queued.result_file and "取消" in queued.log
    with pytest.raises(Denied):
        jobs.cancel(system_actor(), queued.id)

    running = jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022})
    Job.objects.filter(id=running.id).update(cancel_requested=True, state=RUNNING)
    progress = runtime.Progress(Job.objects.get(id=running.id))
    progress.start(10)
    with pytest.raises(runtime.Cancelled):
        progress.advance(10)


def test_city_scoring_job_gives_a_table_per_unit(site):
    job = jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022, "bureau": "hp-finance"})
    worker.run(once=True)
    job.refresh_from_db()
    assert job.state == DONE
    assert sorted(r["unit"] for r in job.result_rows) == ["demo", "demo-b"]
    assert all("分" in r["message"] and "审核：" in r["message"] for r in job.result_rows)
    table = runtime.result_path(job).read_text(encoding="utf-8-sig").splitlines()
    assert table[0] == "部门编码,部门名称,评分,等级,审核错误,审核警告,审核提示"
    # the checks are those of the department's pages: the same counts
    dy = load_department_year("demo", 2022)
    found = quality.review(dy, score_department(dy, collect_feeds("demo", 2022)))
    demo = next(line.split(",") for line in table if line.startswith("demo,"))
    assert demo[4:] == [str(sum(1 for f in found if f.severity == s)) for s in quality.SEVERITIES]
    assert sum(map(int, demo[4:])) > 0  # the demo has findings: the count is not trivially zero


def test_unknown_bureau_is_not_found(site):
    with pytest.raises(NotFound):
        jobs.start(system_actor(), "bureau_reports", "nope", {"bureau": "nope", "year": 2022})


@pytest.mark.django_db(transaction=True)
def test_report_bureau_runs_the_job_itself_when_no_worker_takes_it(settings, tmp_path, cli, monkeypatch):
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    load_site()
    monkeypatch.setattr(job_cmds, "PICKUP_SECONDS", 0.2)
    out = tmp_path / "all.zip"
    ran = cli("report", "--bureau", "hp-finance", "--year", "2022", "-o", out)
    assert ran.returncode == 0, ran.stderr
    assert "改在本命令中执行" in ran.stderr and "已完成：3/3" in ran.stderr
    assert len(_docx_names(out.read_bytes())) == 2
    assert Job.objects.get().state == DONE and QUEUED not in Job.objects.values_list("state", flat=True)


@pytest.mark.django_db(transaction=True)
def test_one_report_as_a_background_job(settings, tmp_path, cli, monkeypatch):
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    load_site()
    monkeypatch.setattr(job_cmds, "PICKUP_SECONDS", 0.2)
    out = tmp_path / "demo.docx"
    ran = cli("report", "--department", "demo", "--year", "2022", "--background", "-o", out)
    assert ran.returncode == 0, ran.stderr
    assert out.read_bytes()[:2] == b"PK" and "已完成：1/1" in ran.stderr
    assert Job.objects.get().kind == "report"


def test_report_bureau_needs_a_zip(cli, tmp_path):
    ran = cli("report", "--bureau", "hp-finance", "--year", "2022", "-o", tmp_path / "x.docx")
    assert ran.returncode == 2 and ".zip" in ran.stderr and "Traceback" not in ran.stderr


def _database_url() -> str:
    """The test database as a URL, for the worker processes."""
    d = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{d['NAME']}"
    auth = f"{quote(d['USER'])}:{quote(d['PASSWORD'])}@" if d["USER"] else ""
    return f"postgres://{auth}{d['HOST'] or '127.0.0.1'}:{d['PORT'] or 5432}/{d['NAME']}"


def _two_workers_run_each_job_once(tmp_path: Path) -> None:
    m.Department.objects.create(code="fin", name="财政局", kind="财政局")
    queued = [jobs.start(system_actor(), "score_city", "fin", {"year": 2022}) for _ in range(100)]
    env = dict(os.environ, DATABASE_URL=_database_url(), JIXIAO_VAR_DIR=str(tmp_path),
               JIXIAO_SECRET_KEY="test-" + "x" * 50)
    env.pop("PYTEST_VERSION", None)  # the workers are ordinary processes, not tests
    # `jixiao worker` from this source tree (the installed script may point at another checkout)
    command = [sys.executable, "-c", "import sys; from jixiao.cli import main; sys.exit(main())",
               "worker", "--once", "--interval", "0.1"]
    root = Path(__file__).resolve().parent.parent
    workers = [subprocess.Popen(command, env=env, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
               for _ in range(2)]
    outputs = [w.communicate(timeout=600) for w in workers]
    assert all(w.returncode == 0 for w in workers), outputs
    done = Job.objects.filter(id__in=[j.id for j in queued])
    assert sorted(done.values_list("state", flat=True)) == [DONE] * 100
    assert set(done.values_list("attempts", flat=True)) == {1}  # each job ran exactly once
    tasks = DBTaskResult.objects.filter(id__in=[j.task_id for j in queued])
    assert all(len(t.worker_ids) == 1 for t in tasks)
    assert {t.status for t in tasks} == {TaskResultStatus.SUCCESSFUL}
    ran = [int(err.rsplit("共执行 ", 1)[1].split()[0]) for _, err in outputs]
    assert sum(ran) == 100, ran


@pytest.mark.postgres
@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_postgresql_run_each_of_100_jobs_once(tmp_path):
    _two_workers_run_each_job_once(tmp_path)


@pytest.mark.subprocess
@pytest.mark.django_db(transaction=True)
def test_two_workers_on_one_sqlite_file_run_each_of_100_jobs_once(tmp_path):
    if connection.vendor != "sqlite":
        pytest.skip("the PostgreSQL variant above covers this database")
    _two_workers_run_each_job_once(tmp_path)


@pytest.mark.django_db(transaction=True)
def test_import_batch_imports_a_zip_of_units_as_one_job_with_a_row_per_unit(settings, tmp_path, cli, monkeypatch):
    settings.JIXIAO_JOBS_DIR = str(tmp_path / "jobs")
    monkeypatch.setattr(job_cmds, "PICKUP_SECONDS", 0.2)
    demo = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo"
    upload = tmp_path / "units.zip"
    with zipfile.ZipFile(upload, "w") as zf:
        zf.write(demo / "department-2022.json", "单位甲.json")
        zf.write(demo / "department-b-2022.json", "单位乙.json")
        zf.writestr("abcdef.json", "{不是 JSON")
    # as Windows Explorer writes it: the name in GBK, without the UTF-8 flag
    assert len("坏文件.json".encode("gbk")) == len(b"abcdef.json")
    upload.write_bytes(upload.read_bytes().replace(b"abcdef.json", "坏文件.json".encode("gbk")))
    ran = cli("import-batch", upload)
    assert ran.returncode == 1, ran.stderr  # one unit was not imported
    lines = ran.stdout.splitlines()
    assert any(line.startswith("demo/2022（单位甲.json）\t已导入") for line in lines), lines
    assert any(line.startswith("demo-b/2022（单位乙.json）\t已导入") for line in lines), lines
    assert any(line.startswith("坏文件.json\t未导入") for line in lines), lines
    assert "共 3 个部门年度：导入 2 个，未导入 1 个" in ran.stdout
    assert m.DepartmentYear.objects.filter(department__code__in=["demo", "demo-b"]).count() == 2
    assert m.ChangeLog.objects.filter(department="demo", reason__contains="单位甲.json").exists()  # history kept
    assert "Traceback" not in ran.stderr


def _unit_zip(tmp_path: Path, count: int) -> Path:
    """A zip of ``count`` unit files: copies of demo-b under new codes (so each is a new unit)."""
    demo = Path(__file__).resolve().parent.parent / "jixiao" / "data" / "demo" / "department-b-2022.json"
    text = demo.read_text(encoding="utf-8")
    upload = tmp_path / "city.zip"
    with zipfile.ZipFile(upload, "w") as zf:
        for n in range(count):
            zf.writestr(f"单位{n:02d}.json", text.replace('"demo-b"', f'"unit-{n:02d}"'))
    return upload


def test_a_large_batch_import_is_split_into_parts_that_an_idle_worker_helps_with(site, monkeypatch, tmp_path):
    monkeypatch.setattr(kinds, "IMPORTS_PER_PART", 2)
    upload = _unit_zip(tmp_path, 5)
    xitong = actor_for(get_user_model().objects.get(username="xitong"))
    job = jobs.start(xitong, "import", "hp-finance", {"file": str(upload), "source": upload.name})
    assert worker.claim("busy") is not None  # the batch's own worker is alive and busy …
    Job.objects.filter(id=job.id).update(state=RUNNING, worker="busy", attempts=1, heartbeat_at=timezone.now())
    job.refresh_from_db()
    # … and has split it into three parts, which an idle worker takes
    unpacked = runtime.Progress(job).work_dir
    named = [(name, str(path)) for name, path in kinds._import_members(upload, unpacked, upload.name)]
    part_ids = runtime.add_parts(job, "import_part", [{"members": named[i:i + 2]} for i in range(0, 5, 2)])
    assert worker.run(once=True, wid="helper") == 0
    parts = list(Job.objects.filter(id__in=part_ids).order_by("id"))
    assert [(p.state, p.worker, len(p.result_rows)) for p in parts] == [(DONE, "helper", 2), (DONE, "helper", 2),
                                                                        (DONE, "helper", 1)]
    assert all(r["status"] == "已导入" for p in parts for r in p.result_rows)
    assert m.DepartmentYear.objects.filter(department__code__startswith="unit-").count() == 5
    assert m.ChangeLog.objects.filter(department="unit-00", who=xitong.name).exists()  # as the batch's user


def test_a_batch_import_on_sqlite_is_not_split_its_one_writer_would_make_the_parts_wait(site, monkeypatch,
                                                                                        tmp_path):
    assert kinds._import_in_parts() is (connection.vendor != "sqlite")
    monkeypatch.setattr(kinds, "IMPORTS_PER_PART", 2)
    monkeypatch.setattr(kinds, "_import_in_parts", lambda: False)  # as on SQLite
    upload = _unit_zip(tmp_path, 5)
    job = jobs.start(system_actor(), "import", "hp-finance", {"file": str(upload), "source": upload.name})
    assert worker.run(once=True) == 1
    job.refresh_from_db()
    assert job.state == DONE and len(job.result_rows) == 5
    assert not Job.objects.filter(kind="import_part").exists()


def test_a_split_import_gives_one_row_per_unit_and_a_retried_part_imports_only_what_is_left(
        site, monkeypatch, tmp_path):
    monkeypatch.setattr(kinds, "IMPORTS_PER_PART", 2)
    monkeypatch.setattr(kinds, "_import_in_parts", lambda: True)  # as on PostgreSQL
    upload = _unit_zip(tmp_path, 5)
    job = jobs.start(system_actor(), "import", "hp-finance", {"file": str(upload), "source": upload.name})
    assert worker.run(once=True) == 1
    job.refresh_from_db()
    assert job.state == DONE, job.error
    assert [r["unit"] for r in job.result_rows] == [f"unit-{n:02d}/2022（单位{n:02d}.json）" for n in range(5)]
    assert {r["status"] for r in job.result_rows} == {"已导入"}
    assert Job.objects.filter(kind="import_part").count() == 3
    # A part killed after its first file: the retry finds that file's row and imports only the second.
    part = Job.objects.filter(kind="import_part").order_by("id").first()
    assert part is not None
    first = part.result_rows[0]
    Job.objects.filter(id=part.id).update(result_rows=[first])
    before = m.ChangeLog.objects.count()
    progress = runtime.Progress(part)
    kinds.import_part(Job.objects.get(id=part.id), progress)
    part.refresh_from_db()
    assert [r["unit"] for r in part.result_rows] == [first["unit"], "unit-01/2022（单位01.json）"]
    assert m.ChangeLog.objects.count() == before  # unit-01 was stored already: the same file changes nothing
    assert part.result_rows[0] == first


def test_the_parts_of_a_batch_are_counted_apart_in_the_listing_and_the_health_check(site, monkeypatch, client):
    job, part_ids = _split_batch(monkeypatch)
    assert list(jobs.visible(system_actor()).values_list("id", flat=True)) == [job.id]  # the batch, not its parts
    queue = client.get("/healthz").json()["jobs"]
    assert (queue["queued"], queue["parts_queued"], queue["running"]) == (0, 2, 1)
    assert queue["oldest_queued_seconds"] == 0  # parts waiting for their running batch are not a stuck queue
