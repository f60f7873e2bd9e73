"""Shared pieces of the Playwright tests (stack.md §8): the live demo site in Debian chromium,
logging in as a demo role, stage screenshots and the check that no request leaves the app.

Each stage test saves its screenshots as test-output/stage-NAME-NN-what.png (NAME: goals,
library, adjust, monitoring, selfeval, evidence, rectification, results, ledger, review), which
`make test-browser` and the browser acceptance check look for."""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, sync_playwright
from web_support import FAST_HASHERS, load_site

from jixiao.web.demo import DEMO_PASSWORD

# The sync Playwright API keeps an event loop in this thread; the ORM refuses to run there otherwise.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"]
OUT = Path(__file__).resolve().parents[1] / "test-output"

browser_marks = [pytest.mark.browser,
                 pytest.mark.skipif(not shutil.which(CHROMIUM), reason="Debian chromium 未安装")]


@dataclass
class Site:
    """One browser on the live demo site."""
    page: Page
    base: str
    requests: list[str] = field(default_factory=list)
    shots: dict[str, int] = field(default_factory=dict)

    def login(self, username: str) -> None:
        self.page.context.clear_cookies()
        self.page.goto(self.base + "/")
        self.page.fill("input[name=username]", username)
        self.page.fill("input[name=password]", DEMO_PASSWORD)
        self.page.click("button[type=submit]")
        self.page.wait_for_load_state("networkidle")

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)
        self.page.wait_for_load_state("networkidle")

    def shot(self, stage: str, what: str) -> Path:
        """Save test-output/stage-STAGE-NN-WHAT.png (a full page)."""
        n = self.shots[stage] = self.shots.get(stage, 0) + 1
        OUT.mkdir(exist_ok=True)
        path = OUT / f"stage-{stage}-{n:02d}-{what}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_no_foreign_requests(self) -> None:
        host = urlsplit(self.base).netloc
        foreign = [u for u in self.requests
                   if urlsplit(u).scheme in ("http", "https") and urlsplit(u).netloc != host]
        assert not foreign, foreign


@pytest.fixture
def site(live_server, settings, transactional_db) -> Iterator[Site]:
    """The demo site (two departments under a bureau, one login per role) in a fresh browser."""
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.STORAGES = {**settings.STORAGES, "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
    load_site()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        s = Site(page, live_server.url)
        page.on("request", lambda r: s.requests.append(r.url))
        page.set_default_timeout(20000)
        yield s
        s.assert_no_foreign_requests()
        browser.close()
