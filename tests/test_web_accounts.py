"""Login, lock-out, password rules, security headers, CSRF."""
from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import get_default_password_validators, validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from web_support import FAST_HASHERS, client_for, load_site, set_status

from jixiao.web import security
from jixiao.web.demo import DEMO_PASSWORD
from jixiao.web.models import LoginThrottle, SecurityEvent
from jixiao.web.passwords import CharacterClassesValidator


@pytest.fixture
def site(db, settings):
    settings.PASSWORD_HASHERS = FAST_HASHERS
    load_site()


def test_login_page_is_chinese_and_self_contained(site):
    page = Client().get("/accounts/login/")
    html = page.content.decode()
    assert page.status_code == 200 and "登录" in html and "用户名" in html
    assert "http://" not in html and "https://" not in html
    csp = page["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "http" not in csp
    assert page["X-Frame-Options"] == "DENY"
    assert page["X-Content-Type-Options"] == "nosniff"
    assert page["Referrer-Policy"] == "same-origin"


def test_anonymous_home_redirects_to_login(site):
    answer = Client().get("/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")


def test_login_and_logout(site):
    c = Client()
    answer = c.post("/accounts/login/", {"username": "jingban", "password": DEMO_PASSWORD})
    assert answer.status_code == 302
    assert c.get("/d/demo/2022/").status_code == 200
    assert c.post("/accounts/logout/").status_code == 302
    assert c.get("/d/demo/2022/").status_code == 302


def test_lockout_after_repeated_failures(site, settings):
    settings.JIXIAO_LOGIN_MAX_FAILURES = 3
    c = Client()
    for _ in range(3):
        page = c.post("/accounts/login/", {"username": "jingban", "password": "wrong-password"})
        assert page.status_code == 200 and "请输入一个正确的" in page.content.decode()
        assert "账号已锁定" not in page.content.decode()
    # Locked now: even the right password is refused, with a Chinese reason.
    page = c.post("/accounts/login/", {"username": "jingban", "password": DEMO_PASSWORD})
    # (the login page always mentions 锁定 in its hint: look for the refusal itself)
    assert page.status_code == 200 and "账号已锁定 15 分钟" in page.content.decode()
    assert c.get("/d/demo/2022/").status_code == 302
    # Another account is not affected.
    assert Client().post("/accounts/login/", {"username": "bumen", "password": DEMO_PASSWORD}).status_code == 302
    # three failures, one lock-out, one refused attempt without a password check
    kinds = list(SecurityEvent.objects.filter(username="jingban").order_by("id").values_list("kind", flat=True))
    assert kinds == ["登录失败", "登录失败", "登录失败", "账号锁定", "锁定期内登录"]


def test_lockout_ends_after_the_window(site, settings):
    settings.JIXIAO_LOGIN_MAX_FAILURES = 2

    for _ in range(2):
        Client().post("/accounts/login/", {"username": "jingban", "password": "nope"})
    window = timedelta(minutes=settings.JIXIAO_LOGIN_LOCK_MINUTES + 1)
    LoginThrottle.objects.update(last_failure=timezone.now() - window)
    assert Client().post("/accounts/login/", {"username": "jingban", "password": DEMO_PASSWORD}).status_code == 302


def test_passwords_are_never_stored_in_attempts(site):
    Client().post("/accounts/login/", {"username": "jingban", "password": "Secret-Guess-123"})
    (attempt,) = SecurityEvent.objects.all().values()  # the failed attempt is recorded …
    assert attempt["username"] == "jingban" and attempt["kind"] == "登录失败"
    assert "Secret-Guess-123" not in str(attempt)  # … without the password


@pytest.mark.parametrize(("weak", "code"), [
    ("short1A!", "password_too_short"),
    ("alllowercaseletters", "password_too_simple"),
    ("1234567890123", "password_entirely_numeric"),
    ("jingban2024jingban", "password_too_simple"),  # similar to the username, and one class only
])
def test_weak_passwords_are_refused(site, weak, code):
    user = get_user_model().objects.get(username="jingban")
    with pytest.raises(ValidationError) as refused:
        validate_password(weak, user)
    assert code in {e.code for e in refused.value.error_list}


def test_strong_password_is_accepted_by_every_configured_rule(site):

    rules = get_default_password_validators()
    assert {type(v).__name__ for v in rules} >= {"MinimumLengthValidator", "CharacterClassesValidator",
                                                 "CommonPasswordValidator", "NumericPasswordValidator",
                                                 "UserAttributeSimilarityValidator"}
    assert next(v for v in rules if isinstance(v, CharacterClassesValidator)).min_classes == 3
    assert validate_password("Budget#Review2024", get_user_model().objects.get(username="jingban")) is None
    # The same password changed to lack two of its classes is refused: the rules are live.
    with pytest.raises(ValidationError):
        validate_password("budgetreview2024", get_user_model().objects.get(username="jingban"))


def test_csrf_is_enforced_on_htmx_posts(site):
    set_status("demo", "P01", "草稿")
    c = Client(enforce_csrf_checks=True)
    c.login(username="jingban", password=DEMO_PASSWORD)
    url = "/d/demo/2022/p/P01/i/P01-I1/actual/"
    assert c.post(url, {"actual": "3件"}, HTTP_HX_REQUEST="true").status_code == 403
    page = c.get("/d/demo/2022/p/P01/")
    token = page.cookies["csrftoken"].value if "csrftoken" in page.cookies else c.cookies["csrftoken"].value
    assert 'hx-headers=\'{"X-CSRFToken"' in page.content.decode()
    ok = c.post(url, {"actual": "3件"}, HTTP_HX_REQUEST="true", HTTP_X_CSRFTOKEN=token)
    assert ok.status_code == 200


def test_session_settings(settings):
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE and settings.SESSION_COOKIE_HTTPONLY


def test_idle_session_is_refreshed_at_most_once_a_minute(site, monkeypatch):
    """No session write on every page view, yet an active user's session keeps moving forward
    and an idle one still ends."""

    clock = [1_000_000.0]
    monkeypatch.setattr(security.time, "time", lambda: clock[0])
    c = client_for("jingban")
    key = c.cookies["sessionid"].value
    c.get("/d/demo/2022/")
    first = Session.objects.get(session_key=key).expire_date
    clock[0] += 30
    c.get("/d/demo/2022/")
    assert Session.objects.get(session_key=key).expire_date == first  # within the minute: no write
    clock[0] += 31
    c.get("/d/demo/2022/")
    assert Session.objects.get(session_key=key).expire_date > first
    Session.objects.filter(session_key=key).update(expire_date=first.replace(year=2000))
    answer = c.get("/d/demo/2022/")
    assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_upload_size_is_limited(site, settings):
    settings.JIXIAO_UPLOAD_MAX_BYTES = 100
    c = client_for("jingban")
    page = c.post("/d/demo/upload/", {"file": SimpleUploadedFile("big.json", b"x" * 500)})
    assert page.status_code == 400 and "文件过大" in page.content.decode()
