"""``/healthz`` for a load balancer or a monitor, and concurrency that holds on the embedded
SQLite: WAL mode and a busy timeout, so ten people saving at once all succeed (issue 16)."""
from __future__ import annotations

import json
import threading

import pytest
from django.db import connection
from web_support import FAST_HASHERS, load_site, set_status

from jixiao.budget import models as m
from jixiao.services import jobs, records
from jixiao.services.actor import system_actor


def test_healthz_answers_json_without_login(db, client):
    jobs_before = client.get("/healthz")
    assert jobs_before.status_code == 200 and jobs_before["Content-Type"] == "application/json"
    body = json.loads(jobs_before.content)
    assert body["status"] == "ok" and body["database"]["ok"] is True
    assert body["jobs"]["queued"] == 0 and body["jobs"]["stale"] == 0
    if connection.vendor == "sqlite":
        assert body["database"]["journal_mode"] == "wal"


def test_healthz_counts_the_queue(db, client, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    jobs.start(system_actor(), "score_city", "hp-finance", {"year": 2022})
    body = json.loads(client.get("/healthz").content)
    assert body["jobs"]["queued"] == 1 and body["jobs"]["tasks_ready"] == 1


@pytest.mark.django_db(transaction=True)
def test_ten_concurrent_writers_all_succeed(settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    for project in ("P01", "P02", "P03"):
        set_status("demo", project, "草稿")
    # Each writer owns one indicator and blanks / restores its actual value five times.
    owned = list(m.Indicator.objects.filter(project__department_year__department__code="demo",
                                            project__code__in=("P01", "P02", "P03"))
                 .exclude(actual_text="").values_list("project__code", "code", "actual_text")[:10])
    assert len(owned) == 10
    errors: list[BaseException] = []
    start = threading.Barrier(10)

    def writer(n: int) -> None:
        project, indicator, actual = owned[n]
        try:
            start.wait()
            for k in range(5):
                records.set_actual(system_actor(), "demo", 2022, project, indicator, "" if k % 2 == 0 else actual, None)
        except BaseException as exc:  # any "database is locked" or other failure counts
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert errors == []
    assert m.ChangeLog.objects.filter(department="demo", field="actual_text", who=system_actor().name).count() == 50
