"""A feature is declared once (``jixiao/features.py``) and reaches every place that lists features:
INSTALLED_APPS, the URL configuration, the navigation, the feed pages and the command line — and
the command line imports a command's module only when that command runs."""
from __future__ import annotations

import argparse
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.urls import clear_url_caches, path, reverse

from jixiao import features
from jixiao.budget.feeds import _providers
from jixiao.cli import build_parser, main
from jixiao.web import presenters
from jixiao.web.views import common

ROOT = Path(__file__).resolve().parent.parent

# ---------------------------------------------------------------- a fake feature, declared once

app_name = "fake"  # this module doubles as the fake feature's URL module and command module
CALLS: list[str] = []


def _page(request, code: str, year: int):
    return HttpResponse(f"假功能 {code} {year}")


urlpatterns = [path("d/<str:code>/<int:year>/fake/", _page, name="page")]


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("fake", help=features.command("fake").help)
    p.set_defaults(func=lambda args: CALLS.append("fake") or 0)


FAKE = features.Feature(
    key="fake", title="假功能", urls=__name__, nav=(features.Page("假功能", "fake:page"),),
    commands=(features.Command("fake", "假功能的命令", __name__),), feeds=(("fake", "fake:page"),),
)


@pytest.fixture
def fake_feature(monkeypatch, settings):
    monkeypatch.setattr(features, "FEATURES", [*features.FEATURES, FAKE])
    # the URL configuration and the navigation are read when their modules load: load them again
    urls = importlib.reload(importlib.import_module("jixiao.urls"))
    monkeypatch.setattr(common, "FEATURE_PAGES", features.nav_pages())
    settings.ROOT_URLCONF = urls
    clear_url_caches()
    yield
    monkeypatch.undo()
    importlib.reload(importlib.import_module("jixiao.urls"))
    clear_url_caches()


def test_a_feature_declared_once_appears_in_urls_nav_feeds_and_cli(fake_feature):
    assert reverse("fake:page", args=["demo", 2022]) == "/d/demo/2022/fake/"
    assert ("假功能", "/d/demo/2022/fake/") in common.feature_links("demo", 2022)
    assert presenters.feed_source("fake.anything")[1] == "fake:page"
    help_text = build_parser([]).format_help()
    assert "fake" in help_text and "假功能的命令" in help_text
    assert main(["fake"]) == 0 and CALLS == ["fake"]


# ---------------------------------------------------------------- every declared feature is reachable

def test_every_declared_feature_is_installed_routed_and_listed(db):
    for f in features.all_features():
        if f.app:
            assert f.app in settings.INSTALLED_APPS, f.key
        for page in f.nav:
            assert (page.label, page.route) in common.FEATURE_PAGES
            assert reverse(page.route, args=["demo", 2022]).startswith("/d/demo/2022/")
        for prefix, route in f.feeds:
            assert presenters.feed_source(f"{prefix}.x")[1] == route
            assert reverse(route, args=["demo", 2022])
        if f.feed_provider:
            assert features.resolve(f.feed_provider) in _providers, f.key
        if f.demo_loader:
            assert callable(features.resolve(f.demo_loader))
        if f.ledger:
            assert features.ledger(f.key).key == f.key


def test_every_declared_command_is_registered_by_its_module_with_its_help():
    help_text = build_parser([]).format_help()
    by_module: dict[str, list[features.Command]] = {}
    for c in features.commands():
        assert c.name in help_text
        by_module.setdefault(c.module, []).append(c)
    for module, declared in by_module.items():
        parser = argparse.ArgumentParser()
        sub = parser.add_subparsers()
        importlib.import_module(module).register(sub)
        registered = {a.dest: a.help for a in sub._choices_actions}
        assert registered == {c.name: c.help for c in declared}, module
    names = [c.name for c in features.commands()]
    assert len(names) == len(set(names))


@pytest.mark.subprocess
def test_the_command_line_imports_only_the_module_of_the_command_run():
    code = (
        "import sys\n"
        "from jixiao.cli import build_parser\n"
        "build_parser([]).format_help()\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('jixiao.cli.') or m == 'django.db.models')\n"
        "print(loaded)\n"
        "build_parser(['score', '--help'][:1])\n"
        "print(sorted(m for m in sys.modules if m.endswith('_cmds')))\n"
    )
    env = {**os.environ, "JIXIAO_SECRET_KEY": "x" * 50}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env,
                         check=True).stdout.splitlines()
    assert out[0] == "[]"  # --help: no command module, no Django models
    assert out[1] == "['jixiao.cli.core_cmds']"
