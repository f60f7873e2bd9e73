"""Helpers for the web tests: the demo site (two departments under a bureau, one login per role)."""
from __future__ import annotations

from django.test import Client

from jixiao import exchange
from jixiao.budget import models as m
from jixiao.budget.store import save_department_year
from jixiao.cli.core_cmds import DEMO_FILE
from jixiao.web.demo import DEMO_PASSWORD, load_web_demo

# Password hashing is deliberately slow; tests log in hundreds of times.
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def load_site() -> None:
    dy = exchange.read_file(DEMO_FILE)
    save_department_year(dy, who="pytest", reason="测试数据")
    load_web_demo(dy)


def client_for(username: str) -> Client:
    c = Client()
    assert c.login(username=username, password=DEMO_PASSWORD)
    return c


def set_status(code: str, project: str, status: str) -> None:
    m.Project.objects.filter(department_year__department__code=code, code=project).update(status=status)
