"""Django settings. Everything a deployment changes comes from the environment:

- ``DATABASE_URL``: ``sqlite:////abs/path.sqlite3`` or ``postgres://user:pw@host:port/db``;
  without it, ``DB_ENGINE=postgresql`` plus the libpq ``PG*`` variables select PostgreSQL, and
  otherwise SQLite at ``var/jixiao.sqlite3`` is used (created on demand).
- ``JIXIAO_SECRET_KEY``, ``JIXIAO_DEBUG``, ``JIXIAO_DEMO``, ``JIXIAO_ALLOWED_HOSTS``,
  ``JIXIAO_CSRF_TRUSTED_ORIGINS``, ``JIXIAO_HTTPS``, ``JIXIAO_SESSION_MINUTES``, ``JIXIAO_VAR_DIR``.
- Security (docs/security.md): ``JIXIAO_BASE_URL`` (the address users type; derives the allowed
  host, the CSRF origin and, for https, secure cookies and HSTS), ``JIXIAO_TRUSTED_PROXIES``,
  ``JIXIAO_ADMIN``, ``JIXIAO_SESSION_MAX_HOURS``, ``JIXIAO_LOGIN_*``, ``JIXIAO_PASSWORD_MAX_DAYS``,
  ``JIXIAO_SECURITY_LOG_DAYS``.
- ``JIXIAO_CHART_ANIMATION=0`` draws the web charts without animation (reduced motion, screenshots).

Application code reads only these settings, never whether it runs under a test: the test-only
choices (a throw-away key, static files straight from the apps) are made here, from ``_TESTING``.
"""
from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

from django.core.exceptions import ImproperlyConfigured

from jixiao import features
from jixiao.core.limits import section as limits_section

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("JIXIAO_VAR_DIR") or BASE_DIR / "var")


def _flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def parse_database_url(url: str) -> dict:
    """Turn a database URL into a Django ``DATABASES`` entry.

    The part after ``sqlite://`` is always an absolute path, so both ``sqlite:///tmp/x`` and
    ``sqlite:////tmp/x`` mean ``/tmp/x``.
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        raw = unquote(parts.netloc + parts.path)
        if not raw.strip("/"):
            raise ImproperlyConfigured(f"DATABASE_URL 缺少 SQLite 数据库文件路径：{url}")
        path = Path("/" + raw.lstrip("/"))
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(path)}
    if scheme in ("postgres", "postgresql", "pgsql"):
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ImproperlyConfigured(f"DATABASE_URL 缺少 PostgreSQL 数据库名：{url}")
        try:
            port = parts.port
        except ValueError as exc:
            raise ImproperlyConfigured(f"DATABASE_URL 端口无效：{url}") from exc
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "",
            "PORT": str(port or ""),
            "OPTIONS": dict(parse_qsl(parts.query)),
        }
    raise ImproperlyConfigured(
        f"DATABASE_URL 的类型“{parts.scheme}”不受支持，请使用 sqlite:/// 或 postgres:// 开头的地址"
    )


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        db = parse_database_url(url)
    elif os.environ.get("DB_ENGINE", "").strip().lower() in ("postgresql", "postgres"):
        # Empty values let libpq fall back to its own PG* defaults (socket, current user …).
        db = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("PGDATABASE", "jixiao"),
            "USER": os.environ.get("PGUSER", ""),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", ""),
            "PORT": os.environ.get("PGPORT", ""),
        }
    else:
        db = {"ENGINE": "django.db.backends.sqlite3", "NAME": str(VAR_DIR / "jixiao.sqlite3")}
    if db["ENGINE"].endswith("sqlite3"):
        Path(db["NAME"]).parent.mkdir(parents=True, exist_ok=True)
        # Several CLI processes and the web server may share one file: wait instead of failing.
        # IMMEDIATE: a transaction takes the write lock when it begins, so writers queue up
        # instead of deadlocking when each read before writing (the application layer reads the
        # stored version inside the transaction that writes).
        # WAL: readers never wait for the writer and the writer never waits for readers, so
        # page views go on during a save or an import; it is a property of the file, set at every
        # connection (a no-op once set). synchronous=NORMAL is durable in WAL mode and saves an
        # fsync per commit. "timeout" is SQLite's busy timeout (seconds) for the write lock.
        db["OPTIONS"] = {
            "timeout": 30, "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        # The test database is a file too: an in-memory one is shared between threads with
        # table locks that fail at once instead of waiting, unlike the real one.
        # One file per test process, so that parallel runs never share it.
        db["TEST"] = {"NAME": str(Path(tempfile.gettempdir()) / f"jixiao-test-{os.getpid()}.sqlite3")}
    else:
        db["CONN_MAX_AGE"] = 60
    db["ATOMIC_REQUESTS"] = False
    return db


DEBUG = _flag("JIXIAO_DEBUG")
JIXIAO_DEMO = _flag("JIXIAO_DEMO")
# pytest (>= 8.2) exports PYTEST_VERSION while it runs. For the choices in this file only, hence
# private (not a setting: Django reads only upper-case names): application code must not branch on
# it (it reads the settings below, e.g. JIXIAO_CHART_ANIMATION).
_TESTING = bool(os.environ.get("PYTEST_VERSION"))
# The web charts animate unless switched off (a test that wants static charts sets it False with
# pytest-django's ``settings`` fixture).
JIXIAO_CHART_ANIMATION = _flag("JIXIAO_CHART_ANIMATION", default=True)


def _secret_key() -> str:
    key = os.environ.get("JIXIAO_SECRET_KEY", "").strip()
    if key:
        return key
    if DEBUG or JIXIAO_DEMO or _TESTING:
        # A throw-away key: sessions simply end when the process restarts.
        return secrets.token_urlsafe(50)
    # Production without an explicit key: a strong random key kept per installation, so that
    # logins survive restarts. Set JIXIAO_SECRET_KEY when several servers share sessions.
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it first
        else:
            with os.fdopen(fd, "w", encoding="ascii") as fh:
                fh.write(secrets.token_urlsafe(50))
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 40:
        raise ImproperlyConfigured(f"密钥文件 {path} 内容无效，请删除后重试或设置 JIXIAO_SECRET_KEY")
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = _list("JIXIAO_ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = _list("JIXIAO_CSRF_TRUSTED_ORIGINS", "")
# One address for a deployment behind a proxy: https://jixiao.example.gov.cn gives the allowed
# host, the trusted CSRF origin and (https) the HTTPS-only protections below.
JIXIAO_BASE_URL = os.environ.get("JIXIAO_BASE_URL", "").strip().rstrip("/")
if JIXIAO_BASE_URL:
    _base = urlsplit(JIXIAO_BASE_URL)
    if _base.scheme not in ("http", "https") or not _base.hostname:
        raise ImproperlyConfigured(f"JIXIAO_BASE_URL 应为 http(s)://主机名[:端口]，收到：{JIXIAO_BASE_URL}")
    ALLOWED_HOSTS.append(_base.hostname)
    CSRF_TRUSTED_ORIGINS.append(f"{_base.scheme}://{_base.netloc}")
# The proxy whose X-Forwarded-For/-Proto are believed (``jixiao serve`` hands it to waitress,
# which ignores and removes those headers from everyone else).
JIXIAO_TRUSTED_PROXIES = _list("JIXIAO_TRUSTED_PROXIES", "")
# The Django admin is off unless asked for; when on, it logs in through the site's login. (The
# tests run with it on, so that its scoping and its shared lock-out are tested.)
JIXIAO_ADMIN = _flag("JIXIAO_ADMIN", default=_TESTING)

# The platform. Feature apps are listed separately below.
PLATFORM_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    # Background jobs (jixiao/jobs): the tasks framework and its queue table.
    "django_tasks",
    "django_tasks_db",
    "jixiao.budget",
]
# Feature apps: each feature declares its app once, in jixiao/features.py.
FEATURE_APPS: list[str] = features.installed_apps()
INSTALLED_APPS = PLATFORM_APPS + FEATURE_APPS

MIDDLEWARE = [
    "jixiao.web.security.RequestSizeMiddleware",  # first: refuse an oversized body before anything reads it
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "jixiao.web.security.SecurityHeadersMiddleware",
    "jixiao.web.security.SessionIdleMiddleware",
    "jixiao.web.security.AuditMiddleware",
    "jixiao.organisation.middleware.MustChangePasswordMiddleware",
]

ROOT_URLCONF = "jixiao.urls"
WSGI_APPLICATION = "jixiao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "jixiao.organisation.context.organisation",
            ],
            # number filters (|score |money |rate |year) in every template: one formatting rule
            "builtins": ["jixiao.web.templatetags.jx"],
        },
    },
]

DATABASES = {"default": _database()}
# Background jobs are queued in the database (django-tasks-db): `jixiao worker` runs them, on this
# machine or any other that reaches the same database.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# A running job's lease: without a heartbeat for this long its worker is taken for dead and the
# job is queued again (jixiao/jobs/runtime.py).
JIXIAO_JOB_LEASE_SECONDS = float(os.environ.get("JIXIAO_JOB_LEASE_SECONDS", "60"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# 等保 password policy; ``createsuperuser`` and every password form go through the same list.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "jixiao.web.passwords.CharacterClassesValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "jixiao.web.passwords.NoUsernameValidator"},
    {"NAME": "jixiao.web.passwords.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "jixiao.web.passwords.HistoryValidator", "OPTIONS": {"keep": 5}},
]
# 0: passwords do not expire; otherwise a password older than this many days must be changed.
JIXIAO_PASSWORD_MAX_DAYS = int(os.environ.get("JIXIAO_PASSWORD_MAX_DAYS", "0"))
# Lock-out: JIXIAO_LOGIN_MAX_FAILURES failed logins within JIXIAO_LOGIN_LOCK_MINUTES lock the account.
JIXIAO_LOGIN_MAX_FAILURES = int(os.environ.get("JIXIAO_LOGIN_MAX_FAILURES", "5"))
JIXIAO_LOGIN_LOCK_MINUTES = int(os.environ.get("JIXIAO_LOGIN_LOCK_MINUTES", "15"))
# … and JIXIAO_LOGIN_IP_MAX_FAILURES failures from one address, whatever the accounts.
JIXIAO_LOGIN_IP_MAX_FAILURES = int(os.environ.get("JIXIAO_LOGIN_IP_MAX_FAILURES", "20"))
# Security log entries are kept this long (等保: at least six months) before --prune may remove them.
JIXIAO_SECURITY_LOG_DAYS = int(os.environ.get("JIXIAO_SECURITY_LOG_DAYS", "180"))
_REQUEST_LIMITS = limits_section("request")
_UPLOAD_MB = os.environ.get("JIXIAO_UPLOAD_MAX_MB", "").strip()
JIXIAO_UPLOAD_MAX_BYTES = int(_UPLOAD_MB) * 1024 * 1024 if _UPLOAD_MB else _REQUEST_LIMITS["max_upload_bytes"]
JIXIAO_REQUEST_MAX_BYTES = JIXIAO_UPLOAD_MAX_BYTES + _REQUEST_LIMITS["envelope_bytes"]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = LOGIN_URL

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# `jixiao serve` collects into STATIC_ROOT; tests serve straight from the app folders instead
# (no collected copy exists there, and whitenoise would warn about the missing directory).
STATIC_ROOT = None if _TESTING else BASE_DIR / "staticfiles"
WHITENOISE_USE_FINDERS = DEBUG or _TESTING
# Hashed, precompressed files in production; plain files while developing and under tests,
# where the manifest does not exist and live_server serves from the finders.
_STATIC_BACKEND = (
    "django.contrib.staticfiles.storage.StaticFilesStorage"
    if DEBUG or _TESTING
    else "whitenoise.storage.CompressedManifestStaticFilesStorage"
)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": _STATIC_BACKEND},
}
MEDIA_ROOT = VAR_DIR / "media"

# Idle sessions end after JIXIAO_SESSION_MINUTES (default two hours) and with the browser.
SESSION_COOKIE_AGE = int(os.environ.get("JIXIAO_SESSION_MINUTES", "120")) * 60
# Not on every request (a database write per page): SessionIdleMiddleware refreshes the expiry
# at most once a minute.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# However active, a session ends after JIXIAO_SESSION_MAX_HOURS (absolute lifetime, 等保 身份鉴别).
JIXIAO_SESSION_MAX_SECONDS = int(os.environ.get("JIXIAO_SESSION_MAX_HOURS", "12")) * 3600
# The CSRF cookie lives no longer than a session may (Django's default is a year).
CSRF_COOKIE_AGE = JIXIAO_SESSION_MAX_SECONDS

# Intranets often run plain HTTP; switch on the HTTPS-only protections when TLS is in front
# (JIXIAO_HTTPS=1, or a JIXIAO_BASE_URL starting with https://).
HTTPS = _flag("JIXIAO_HTTPS") or JIXIAO_BASE_URL.startswith("https://")
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
# Never from a header anyone can send: behind a proxy, ``jixiao serve`` has waitress take the
# scheme from X-Forwarded-Proto for JIXIAO_TRUSTED_PROXIES only (wsgi.url_scheme).
SECURE_PROXY_SSL_HEADER = None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

DATA_UPLOAD_MAX_MEMORY_SIZE = JIXIAO_UPLOAD_MAX_BYTES
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("JIXIAO_LOG_LEVEL", "WARNING")},
}
