"""Attacks on the running server (``jixiao serve``, waitress), in a child process on its own
SQLite copy of the demo (等保 入侵防范): a decompression bomb uploaded over the API leaves the
server's memory under 1 GB; a 30 MB body is refused while it streams in; behind a proxy, the
forwarded scheme and address are believed from JIXIAO_TRUSTED_PROXIES only, and one
JIXIAO_BASE_URL gives HSTS, secure cookies and the CSRF origin."""
from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import INSTALLED, run_installed
from hostile import make_hostile

from jixiao.web.demo import DEMO_PASSWORD

pytestmark = pytest.mark.subprocess
BASE_URL = "https://jixiao.example.gov.cn"


@dataclass
class Server:
    url: str
    process: subprocess.Popen
    db: Path

    def peak_rss_mb(self) -> float:
        """The server process's peak resident memory (VmHWM), in MB."""
        status = Path(f"/proc/{self.process.pid}/status").read_text()
        return int(re.search(r"VmHWM:\s+(\d+) kB", status).group(1)) / 1024


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path, log: Path, **env: str) -> Iterator[Server]:
    port = _free_port()
    environ = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "DB_ENGINE", "PYTEST_VERSION")}
    environ.update(DATABASE_URL=f"sqlite:///{db}", JIXIAO_DEMO="1", **env)
    with log.open("w") as out:
        proc = subprocess.Popen([str(INSTALLED), "serve", "--port", str(port)], env=environ, stdout=out,
                                stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            try:
                urllib.request.urlopen(url + "/accounts/login/", timeout=5).read()
                break
            except (urllib.error.URLError, ConnectionError):
                time.sleep(0.5)
        else:
            pytest.fail("jixiao serve 未能启动：" + log.read_text()[-2000:])
        yield Server(url, proc, db)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def demo_db(fresh_demo_sqlite, tmp_path_factory) -> Path:
    db = tmp_path_factory.mktemp("attack-server") / "db.sqlite3"
    shutil.copy(fresh_demo_sqlite, db)
    return db


@pytest.fixture(scope="module")
def server(demo_db, tmp_path_factory) -> Iterator[Server]:
    """Behind a TLS proxy at 127.0.0.1 (the tests play the proxy)."""
    log = tmp_path_factory.mktemp("attack-server-log") / "serve.log"
    yield from _serve(demo_db, log, JIXIAO_TRUSTED_PROXIES="127.0.0.1", JIXIAO_BASE_URL=BASE_URL,
                      JIXIAO_ALLOWED_HOSTS="127.0.0.1,localhost")


def _token(db: Path, username: str) -> str:
    ran = run_installed("token", "create", username, db=db)
    assert ran.returncode == 0, ran.stderr
    return ran.stdout.strip().splitlines()[-1]


def _multipart(name: str, data: bytes) -> tuple[bytes, str]:
    boundary = uuid.uuid4().hex
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return head + data + f"\r\n--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"


def _open(req: urllib.request.Request, timeout: float = 300) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def test_a_bomb_upload_leaves_the_server_under_one_gigabyte(server, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    compressed, uncompressed = make_hostile.xlsx_bomb(bomb)
    assert uncompressed > 1_400_000_000 and 400 < uncompressed / compressed < 500
    body, content_type = _multipart("bomb.xlsx", bomb.read_bytes())
    req = urllib.request.Request(server.url + "/api/import/?dry_run=1", data=body, method="POST", headers={
        "Authorization": f"Bearer {_token(server.db, 'jingban')}", "Content-Type": content_type})
    status, _, answer = _open(req)
    assert status == 422 and "单元格超过上限" in answer.decode()
    peak = server.peak_rss_mb()
    print(f"bomb {compressed / 1e6:.1f} MB → {uncompressed / 1e9:.2f} GB: server peak RSS {peak:.0f} MB")
    assert peak < 1024, f"服务进程内存峰值 {peak:.0f} MB"


def test_a_30_mb_body_is_refused_while_it_streams(server):
    req = urllib.request.Request(server.url + "/api/departments/", data=b"x" * (30 * 1024 * 1024), method="POST",
                                 headers={"Content-Type": "application/octet-stream"})
    t0 = time.monotonic()
    try:
        status, _, _ = _open(req, timeout=60)
    except (ConnectionError, urllib.error.URLError):
        status = 413  # the server closed the connection before the body was sent
    took = time.monotonic() - t0
    print(f"30 MB body: {status} after {took:.2f} s")
    assert status == 413 and took < 10


def _login(url: str, headers: dict[str, str], username: str, password: str) -> tuple[int, dict]:
    """A login through the proxy: cookies carried by hand (they are Secure, the test speaks http)."""
    status, got, page = _open(urllib.request.Request(url + "/accounts/login/", headers=headers))
    cookie = got.get("Set-Cookie", "").split(";")[0]
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
    data = urllib.parse.urlencode({"username": username, "password": password, "csrfmiddlewaretoken": token})
    req = urllib.request.Request(url + "/accounts/login/", data=data.encode(), headers={
        **headers, "Cookie": cookie, "Origin": BASE_URL, "Referer": BASE_URL + "/accounts/login/"})
    req.get_method = lambda: "POST"

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    try:
        with urllib.request.build_opener(Keep()).open(req, timeout=60) as r:
            return r.status, dict(r.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


PROXIED = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "Host": "jixiao.example.gov.cn"}


def test_behind_the_trusted_proxy_https_is_honoured_from_one_base_url(server):
    status, headers, _ = _open(urllib.request.Request(server.url + "/accounts/login/", headers=PROXIED))
    assert status == 200 and "max-age=31536000" in headers.get("Strict-Transport-Security", "")
    assert "Secure" in headers.get("Set-Cookie", "")
    # a POST through the proxy passes the CSRF origin check (JIXIAO_BASE_URL), and logs in
    status, headers = _login(server.url, PROXIED, "jingban", DEMO_PASSWORD)
    assert status == 302 and "Secure" in headers.get("Set-Cookie", "")
    # the forwarded address is the one the security log keeps
    _login(server.url, PROXIED, "bumen", "wrong-password")
    ran = run_installed("security-log", "--json", "--user", "bumen", db=server.db)
    entries = json.loads(ran.stdout)["entries"]
    assert any(e["kind"] == "登录失败" and e["ip"] == "203.0.113.9" for e in entries)


def test_forwarded_headers_from_anyone_else_are_ignored(demo_db, tmp_path):
    for srv in _serve(demo_db, tmp_path / "serve.log", JIXIAO_TRUSTED_PROXIES="10.255.0.1",
                      JIXIAO_BASE_URL=BASE_URL, JIXIAO_ALLOWED_HOSTS="127.0.0.1,localhost"):
        status, headers, _ = _open(urllib.request.Request(srv.url + "/accounts/login/", headers={
            "X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.1"}))
        assert status == 200 and "Strict-Transport-Security" not in headers  # not https: not believed
        _login(srv.url, {"X-Forwarded-For": "198.51.100.1"}, "caizheng", "wrong-password")
        ran = run_installed("security-log", "--json", "--user", "caizheng", db=srv.db)
        ips = {e["ip"] for e in json.loads(ran.stdout)["entries"]}
        assert "198.51.100.1" not in ips and "127.0.0.1" in ips
