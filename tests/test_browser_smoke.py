"""The shared browser fixture works: log in, see the department home, no request leaves the app."""
from __future__ import annotations

from browser_support import Site, browser_marks

pytestmark = browser_marks


def test_login_and_home(site: Site) -> None:
    site.login("jingban")
    site.go("/")
    assert "登录" not in site.page.title()
