"""Attacks on the login (等保 身份鉴别): one login path with one lock-out, counted atomically,
by account-and-address and by address; the password policy; session lifetimes; and the security
log that records all of it (安全审计)."""
from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import timedelta
from http.cookiejar import CookieJar

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import models
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone
from web_support import FAST_HASHERS, client_for, load_site

import jixiao.urls
from jixiao.budget import models as m
from jixiao.web import security
from jixiao.web.demo import DEMO_PASSWORD
from jixiao.web.models import ApiToken, LoginThrottle, PasswordHistory, SecurityEvent


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def _post_login(client: Client, username: str, password: str, ip: str = "127.0.0.1", path: str = "/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=ip)


def _kinds(username: str) -> list[str]:
    return list(SecurityEvent.objects.filter(username=username).order_by("id").values_list("kind", flat=True))


# -- one lock-out, counted atomically -------------------------------------------------------

@pytest.fixture
def live_site(live_server, settings, transactional_db):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()
    return live_server.url


def _http_login(base: str, username: str, password: str) -> int:
    jar = CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.open(base + "/accounts/login/", timeout=60).read()
    token = next(c.value for c in jar if c.name == "csrftoken")
    data = urllib.parse.urlencode({"username": username, "password": password,
                                   "csrfmiddlewaretoken": token}).encode()
    try:
        with opener.open(urllib.request.Request(base + "/accounts/login/", data=data), timeout=60) as r:
            return r.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_a_parallel_burst_of_40_gets_exactly_the_limit_of_password_checks(live_site, settings):
    """40 wrong passwords at once over real HTTP: exactly JIXIAO_LOGIN_MAX_FAILURES of them are
    checked (and logged as failures); the others are refused unchecked. Afterwards the right
    password is refused too."""
    start = threading.Barrier(40)
    answers: list[int] = []

    def attempt(i: int) -> None:
        start.wait()
        answers.append(_http_login(live_site, "jingban", f"wrong-{i}"))

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(40)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert len(answers) == 40 and all(a == 200 for a in answers)  # the form again, never a 500
    kinds = _kinds("jingban")
    assert kinds.count("登录失败") == settings.JIXIAO_LOGIN_MAX_FAILURES
    assert kinds.count("锁定期内登录") == 40 - settings.JIXIAO_LOGIN_MAX_FAILURES
    assert kinds.count("账号锁定") >= 1
    # the right password now meets the lock, not the password check
    assert _http_login(live_site, "jingban", DEMO_PASSWORD) == 200
    assert _kinds("jingban")[-1] == "锁定期内登录"


def test_the_admin_login_is_the_sites_login_with_the_same_lockout(site, settings):
    c = Client()
    page = c.get("/admin/login/?next=/admin/")
    assert page.status_code == 200 and "连续登录失败" in page.content.decode()  # the site's own form
    for i in range(8):
        _post_login(c, "xitong", f"wrong-{i}", path="/admin/login/?next=/admin/")
    answer = _post_login(c, "xitong", DEMO_PASSWORD, path="/admin/login/?next=/admin/")
    assert answer.status_code == 200 and "账号已锁定" in answer.content.decode()
    assert c.get("/admin/").status_code == 302  # not logged in
    assert _kinds("xitong").count("登录失败") == settings.JIXIAO_LOGIN_MAX_FAILURES


def test_the_admin_is_off_unless_switched_on(db, settings):
    settings.JIXIAO_ADMIN = False
    try:
        clear_url_caches()
        import importlib  # noqa: PLC0415 — rebuilding the URLconf is what this test is about

        importlib.reload(jixiao.urls)
        assert Client().get("/admin/login/").status_code == 404
        assert Client().get("/accounts/password_reset/").status_code == 404  # unused auth routes gone
    finally:
        settings.JIXIAO_ADMIN = True
        importlib.reload(jixiao.urls)
        clear_url_caches()
    assert Client().get("/admin/login/").status_code == 200


def test_nobody_elsewhere_can_lock_out_a_chosen_user(site, settings):
    """The account's count is per address: failures from one address do not lock the user out
    at another."""
    for i in range(settings.JIXIAO_LOGIN_MAX_FAILURES + 2):
        _post_login(Client(), "bumen", f"wrong-{i}", ip="10.0.0.66")
    assert _post_login(Client(), "bumen", DEMO_PASSWORD, ip="10.0.0.66").status_code == 200  # locked there
    assert _post_login(Client(), "bumen", DEMO_PASSWORD, ip="10.0.0.7").status_code == 302  # not here


def test_one_address_trying_many_accounts_is_locked_out(site, settings):
    settings.JIXIAO_LOGIN_IP_MAX_FAILURES = 6
    for i in range(6):
        _post_login(Client(), f"guess{i}", "wrong-password", ip="10.9.9.9")
    answer = _post_login(Client(), "jingban", DEMO_PASSWORD, ip="10.9.9.9")
    assert answer.status_code == 200 and "账号已锁定" in answer.content.decode()
    assert _post_login(Client(), "jingban", DEMO_PASSWORD, ip="10.9.9.10").status_code == 302


def test_a_lock_ends_after_the_window_and_a_success_clears_the_count(site, settings):
    for i in range(settings.JIXIAO_LOGIN_MAX_FAILURES):
        _post_login(Client(), "jingban", f"nope-{i}")
    assert _post_login(Client(), "jingban", DEMO_PASSWORD).status_code == 200
    window = timedelta(minutes=settings.JIXIAO_LOGIN_LOCK_MINUTES + 1)
    LoginThrottle.objects.update(last_failure=timezone.now() - window)
    assert _post_login(Client(), "jingban", DEMO_PASSWORD).status_code == 302
    assert LoginThrottle.objects.get(key="jingban|127.0.0.1").failures == 0


# -- the password policy ----------------------------------------------------------------------

@pytest.mark.parametrize(("weak", "code"), [
    ("password123!", "password_too_common"),  # a common word with digits and a symbol
    ("Qwerty@20245", "password_too_common"),  # a keyboard walk, decorated
    ("Aa1!short", "password_too_short"),
    ("Jingban#20245", "password_contains_username"),
    ("lowercase-only-words", "password_too_simple"),
])
def test_weak_passwords_are_refused(site, weak, code):
    user = get_user_model().objects.get(username="jingban")
    with pytest.raises(ValidationError) as refused:
        validate_password(weak, user)
    assert code in {e.code for e in refused.value.error_list}


def test_the_demo_password_satisfies_the_policy(site):
    user = get_user_model().objects.create_user("newcomer")
    assert validate_password(DEMO_PASSWORD, user) is None


def test_the_last_five_passwords_cannot_be_reused(site):
    user = get_user_model().objects.get(username="jingban")
    passwords = [f"Budget#Review{n}x" for n in range(6)]
    for p in passwords:
        validate_password(p, user)
        user.set_password(p)
        user.save()
    assert PasswordHistory.objects.filter(user=user).count() == 5
    with pytest.raises(ValidationError) as refused:
        validate_password(passwords[-1], user)
    assert "最近 5 次" in str(refused.value)
    validate_password(passwords[0], user)  # six changes ago: allowed again


def test_createsuperuser_goes_through_the_same_validators(site, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "password123!")
    with pytest.raises(Exception) as refused:
        call_command("createsuperuser", "--noinput", username="root2", email="r@example.org", verbosity=0)
    assert "常见" in str(refused.value)
    assert not get_user_model().objects.filter(username="root2").exists()


def test_an_expired_password_must_be_changed_first(site, settings):
    settings.JIXIAO_PASSWORD_MAX_DAYS = 90
    user = get_user_model().objects.get(username="jingban")
    PasswordHistory.objects.filter(user=user).update(changed=timezone.now() - timedelta(days=91))
    c = client_for("jingban")
    answer = c.get("/d/demo/2022/")
    assert answer.status_code == 302 and answer["Location"] == reverse("web:password_change")
    assert c.get(reverse("web:password_change")).status_code == 200
    new = "Fresh#Budget2031"
    assert c.post(reverse("web:password_change"), {"old_password": DEMO_PASSWORD, "new_password1": new,
                                                   "new_password2": new}).status_code == 302
    assert c.get("/d/demo/2022/").status_code == 200


# -- sessions ------------------------------------------------------------------------------------

def test_a_session_ends_after_its_absolute_lifetime_however_active(site, settings, monkeypatch):
    clock = [2_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    c = client_for("jingban")
    assert c.get("/d/demo/2022/").status_code == 200
    for _ in range(3):  # active all the time: the idle timeout never strikes
        clock[0] += settings.JIXIAO_SESSION_MAX_SECONDS / 3 - 10
        assert c.get("/d/demo/2022/").status_code == 200
    clock[0] += 60
    answer = c.get("/d/demo/2022/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_csrf_cookie_lives_no_longer_than_a_session(settings):
    assert settings.CSRF_COOKIE_AGE <= settings.JIXIAO_SESSION_MAX_SECONDS <= 24 * 3600


# -- the security log -------------------------------------------------------------------------

def test_logins_logouts_denials_and_exports_are_logged(site):
    c = Client()
    _post_login(c, "jingban-b", "wrong")
    assert _post_login(c, "jingban-b", DEMO_PASSWORD).status_code == 302
    assert c.get("/d/demo/2022/").status_code == 404  # another department: denied
    assert c.get("/api/departments/demo/2022/").status_code == 404
    assert c.get("/d/demo-b/2022/export.json").status_code == 200
    c.post("/accounts/logout/")
    rows = list(SecurityEvent.objects.filter(username="jingban-b").order_by("id"))
    assert [r.kind for r in rows] == ["登录失败", "登录成功", "拒绝访问", "拒绝访问", "导出", "退出登录"]
    denied = rows[2]
    assert denied.path == "/d/demo/2022/" and denied.status == 404 and denied.ip == "127.0.0.1"
    assert "wrong" not in json.dumps([r.as_dict() for r in rows])  # never a password


def test_the_log_is_append_only(site):
    entry = security.log_event("登录失败", username="x")
    with pytest.raises(m.AppendOnlyError):
        SecurityEvent.objects.filter(pk=entry.pk).update(detail="changed")
    with pytest.raises(m.AppendOnlyError):
        entry.delete()


def test_admin_actions_are_logged_and_deletions_enter_the_change_history(site):
    admin = client_for("xitong")
    token = ApiToken.objects.create(user=get_user_model().objects.get(username="jingban"), prefix="jx_test",
                                    key_hash="0" * 64, name="测试")
    # what the admin's delete view records (ModelAdmin.log_deletions)
    LogEntry.objects.log_actions(get_user_model().objects.get(username="xitong").pk, [token], DELETION)
    assert SecurityEvent.objects.filter(kind="管理操作", username="xitong", detail__contains="删除").exists()
    history = m.ChangeLog.objects.filter(model_label="web.apitoken", field="（删除）", object_id=token.pk)
    assert history.count() == 1 and history.get().who == "xitong"
    assert admin.get("/admin/").status_code == 200


def test_the_security_log_page_and_its_export(site):
    _post_login(Client(), "jingban", "wrong")
    page = client_for("xitong").get(reverse("security:log"))
    assert page.status_code == 200 and "登录失败" in page.content.decode() and "jingban" in page.content.decode()
    assert "安全审计" in page.content.decode()  # in the navigation
    exported = client_for("xitong").get(reverse("security:export"))
    rows = json.loads(exported.content)["entries"]
    assert any(r["kind"] == "登录失败" and r["username"] == "jingban" for r in rows)
    assert SecurityEvent.objects.filter(kind="导出", username="xitong").exists()
    assert client_for("bumen").get(reverse("security:log")).status_code == 404


def test_security_log_command_prints_json_and_prunes_after_the_retention(site, cli, settings):
    _post_login(Client(), "jingban", "wrong")
    ran = cli("security-log", "--json")
    assert ran.returncode == 0
    entries = json.loads(ran.stdout)["entries"]
    assert any(e["username"] == "jingban" and e["kind"] == "登录失败" for e in entries)
    old = security.log_event("登录失败", username="old")
    # backdate it around the append-only guard (the test's doing, not the application's)
    models.QuerySet.update(SecurityEvent.objects.filter(pk=old.pk),
                           when=timezone.now() - timedelta(days=settings.JIXIAO_SECURITY_LOG_DAYS + 1))
    ran = cli("security-log", "--prune")
    assert ran.returncode == 0 and "1 条" in ran.stdout
    assert not SecurityEvent.objects.filter(username="old").exists()
    assert SecurityEvent.objects.filter(kind="登录失败", username="jingban").exists()  # within the period: kept
    assert SecurityEvent.objects.filter(kind="清理日志").exists()
    assert cli("security-log", "--kind", "无此类").returncode == 2


def test_request_bodies_over_the_limit_are_refused_before_reading(site, settings):
    settings.JIXIAO_REQUEST_MAX_BYTES = 1000
    t0 = time.monotonic()
    answer = Client().generic("POST", "/api/import/", b"x" * 5000, content_type="application/json")
    assert answer.status_code == 413 and "超过上限" in json.loads(answer.content)["detail"]
    assert time.monotonic() - t0 < 5


def test_a_command_line_export_is_logged(db, cli, tmp_path):
    assert cli("demo").returncode == 0
    out = tmp_path / "demo.json"
    assert cli("export", "--department", "demo", "--year", "2022", "--format", "json", "-o", out).returncode == 0
    entry = SecurityEvent.objects.get(kind="导出")
    assert entry.username.startswith("命令行") and str(out) in entry.detail


def test_a_refused_step_is_logged_as_a_denied_access(site):
    answer = client_for("jingban").post("/api/departments/demo/2022/workflow/", {"action": "lock"},
                                        content_type="application/json")
    assert answer.status_code == 403
    entry = SecurityEvent.objects.get(kind="拒绝访问", username="jingban")
    assert entry.status == 403 and entry.path == "/api/departments/demo/2022/workflow/"


def test_good_logins_from_one_address_never_lock_it(site, settings):
    """An office behind one address logs in all day: successes give back the check they took
    of the address's allowance, so only failures count against it."""
    settings.JIXIAO_LOGIN_IP_MAX_FAILURES = 3
    for _ in range(10):
        assert _post_login(Client(), "jingban", DEMO_PASSWORD, ip="10.1.1.1").status_code == 302
    assert LoginThrottle.objects.get(key="ip:10.1.1.1").failures == 0
    for i in range(3):
        _post_login(Client(), f"guess{i}", "wrong-password", ip="10.1.1.1")
    answer = _post_login(Client(), "jingban", DEMO_PASSWORD, ip="10.1.1.1")
    assert answer.status_code == 200 and "账号已锁定" in answer.content.decode()
