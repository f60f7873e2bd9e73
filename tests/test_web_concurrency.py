"""Concurrent work on one department: no lost updates (real-work.md §5).

- Two people save the same indicator at the same moment over real HTTP (a live server, two
  threads, each with its own logged-in session and CSRF token), both based on the version their
  page showed: exactly one save lands, the other gets the conflict message naming who changed
  what and when, with the current value re-rendered; nothing is lost and the history is complete.
- A stale file (exported before a browser edit) uploaded afterwards: the preview lists the
  conflict and the import writes nothing.
- A bulk workbook whose 状态 column says 锁定, uploaded by an 经办人: the preview warns, the
  import changes the data and no state.
"""
from __future__ import annotations

import html as htmllib
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao import excel
from jixiao.budget import models as m
from jixiao.budget.store import load_department_year
from jixiao.core.scoring import score_department
from jixiao.web.demo import DEMO_PASSWORD

PROJECT = "/d/demo/2022/p/P01/"
EDIT = "/d/demo/2022/p/P01/i/P01-I4/actual/"


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


class Browser:
    """One user's browser: its own cookies (session, CSRF), over real HTTP."""

    def __init__(self, base: str):
        self.base = base
        self.jar = CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path: str, data: dict | None = None, headers: dict | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        req = urllib.request.Request(self.base + path, data=body, headers=headers or {})
        try:
            with self.opener.open(req, timeout=60) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode()

    def csrf(self) -> str:
        return next(c.value for c in self.jar if c.name == "csrftoken")

    def login(self, username: str) -> None:
        self.request("/accounts/login/")
        status, _ = self.request("/accounts/login/", {"username": username, "password": DEMO_PASSWORD,
                                                      "csrfmiddlewaretoken": self.csrf()})
        assert status == 302, f"{username} 未能登录"


def _field(page: str, row_id: str, name: str) -> str:
    row = page.split(f'id="{row_id}"')[1].split("</tr>")[0]
    return htmllib.unescape(re.search(rf'name="{name}" value="([^"]*)"', row).group(1))


@pytest.fixture
def live_site(live_server, settings, transactional_db):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    set_status("demo", "P01", "草稿")
    return live_server.url


def _indicator() -> m.Indicator:
    return m.Indicator.objects.get(project__department_year__department__code="demo", project__code="P01",
                                   code="P01-I4")


def test_two_browsers_save_one_indicator_at_once_exactly_one_wins(live_site):
    people = {"jingban": "9公顷", "bumen": "11公顷"}
    browsers = {name: Browser(live_site) for name in people}
    seen: dict[str, str] = {}
    for name, browser in browsers.items():
        browser.login(name)
        status, page = browser.request(PROJECT)
        assert status == 200
        seen[name] = _field(page, "ind-P01-I4", "version")
    assert len(set(seen.values())) == 1  # both pages show the same version
    start = threading.Barrier(len(people))
    answers: dict[str, tuple[int, str]] = {}

    def save(name: str) -> None:
        browser = browsers[name]
        start.wait()
        answers[name] = browser.request(
            EDIT, {"actual": people[name], "version": seen[name], "csrfmiddlewaretoken": browser.csrf()},
            {"HX-Request": "true", "X-CSRFToken": browser.csrf()})

    threads = [threading.Thread(target=save, args=(name,)) for name in people]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert set(answers) == set(people)
    assert all(status == 200 for status, _ in answers.values())  # htmx fragments
    won = [name for name, (_, body) in answers.items() if "实际完成值已保存" in body]
    lost = [name for name, (_, body) in answers.items() if "未保存：该数据已被他人修改" in body]
    assert len(won) == 1 and len(lost) == 1, {k: v[1][:400] for k, v in answers.items()}
    winner, loser = won[0], lost[0]
    body = answers[loser][1]
    assert f"实际完成值已被 {winner} 于" in body and f"改为「{people[winner]}」" in body
    assert f"您填写的「{people[loser]}」未保存" in body  # what the loser typed is shown back
    assert _field(body, "ind-P01-I4", "actual") == people[winner]  # the current value, re-rendered
    ind = _indicator()
    assert ind.actual_text == people[winner] and ind.version == int(seen[winner]) + 1
    history = list(m.ChangeLog.objects.filter(model_label="budget.indicator", object_id=ind.pk, field="actual_text"))
    assert [(h.who, h.before, h.after, h.version) for h in history] == [
        (winner, "8.6公顷", people[winner], ind.version)]

    # the loser saves again on the fresh version: nothing was lost, the history has both
    fresh = _field(body, "ind-P01-I4", "version")
    browser = browsers[loser]
    status, again = browser.request(EDIT, {"actual": people[loser], "version": fresh,
                                           "csrfmiddlewaretoken": browser.csrf()}, {"HX-Request": "true"})
    assert status == 200 and "实际完成值已保存" in again
    history = m.ChangeLog.objects.filter(model_label="budget.indicator", object_id=ind.pk,
                                         field="actual_text").order_by("id")
    assert [(h.who, h.before, h.after) for h in history] == [
        (winner, "8.6公顷", people[winner]), (loser, people[winner], people[loser])]


def test_stale_save_without_htmx_is_a_409_page(live_site):
    browser = Browser(live_site)
    browser.login("jingban")
    _, page = browser.request(PROJECT)
    version = _field(page, "ind-P01-I4", "version")
    other = Browser(live_site)
    other.login("bumen")
    assert other.request(EDIT, {"actual": "9公顷", "version": version, "csrfmiddlewaretoken": other.csrf()})[0] == 302
    status, body = browser.request(EDIT, {"actual": "7公顷", "version": version,
                                          "csrfmiddlewaretoken": browser.csrf()})
    assert status == 409 and "实际完成值已被 bumen 于" in body and "<html" in body
    assert _indicator().actual_text == "9公顷"


@pytest.fixture
def site(db, settings, tmp_path):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.JIXIAO_UPLOAD_DIR = tmp_path / "uploads"
    load_site()
    m.Project.objects.filter(department_year__department__code="demo").update(status="草稿")


def _token(html: str) -> str:
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def test_stale_upload_after_a_browser_edit_is_a_conflict_and_overwrites_nothing(site):
    operator = client_for("jingban")
    exported = operator.get("/d/demo/2022/export.json").content  # carries every object's version
    version = _indicator().version
    client_for("bumen").post(EDIT, {"actual": "9公顷", "version": version})  # fixed in the browser meanwhile
    page = operator.post("/d/demo/upload/", {"file": SimpleUploadedFile("demo-2022.json", exported)})
    html = page.content.decode()
    assert page.status_code == 200
    conflicts = html.split('id="preview-conflict"')[1].split("</table>")[0]
    assert "项目 P01 / 指标 P01-I4" in conflicts and "实际完成值已被 bumen 于" in conflicts
    assert "您的文件基于修改前的数据" in conflicts
    assert "disabled>确认导入" in html
    before = m.ChangeLog.objects.count()
    answer = operator.post("/d/demo/upload/confirm/", {"token": _token(html), "action": "apply"})
    assert answer.status_code == 409 and "未导入任何数据" in answer.content.decode()
    assert _indicator().actual_text == "9公顷" and m.ChangeLog.objects.count() == before


def test_bulk_workbook_saying_locked_changes_no_state(site, tmp_path):
    dy = load_department_year("demo", 2022)
    dy.status = "锁定"
    for p in dy.projects:
        p.status = "锁定"
    dy.projects[1].name = "城市更新项目（工作簿修改）"
    path = tmp_path / "bulk.xlsx"
    excel.write_form(dy, score_department(dy), "bulk", path)
    operator = client_for("jingban")
    states = {p.code: p.status for p in m.Project.objects.filter(department_year__department__code="demo")}
    page = operator.post("/d/demo/upload/", {"file": SimpleUploadedFile("bulk.xlsx", path.read_bytes())})
    html = page.content.decode()
    assert page.status_code == 200, html[:2000]
    warnings = html.split('id="preview-warning"')[1].split("</table>")[0]
    assert "文件中为「锁定」" in warnings and "导入不改变状态" in warnings
    assert f"项目 {dy.projects[1].code}" in warnings
    answer = operator.post("/d/demo/upload/confirm/", {"token": _token(html), "action": "apply"})
    assert answer.status_code == 302
    assert m.Project.objects.filter(name="城市更新项目（工作簿修改）").exists()  # the data was imported
    assert {p.code: p.status for p in m.Project.objects.filter(department_year__department__code="demo")} == states
    assert m.DepartmentYear.objects.get(department__code="demo").status == "已审核"
    assert not m.ChangeLog.objects.filter(field__in=("status", "goal_status"), who="jingban").exists()
