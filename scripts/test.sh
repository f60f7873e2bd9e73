#!/usr/bin/env bash
# The whole test suite, twice: on SQLite, then on a throw-away PostgreSQL server.
# As root it first installs the Debian packages the tests need (only those missing).
set -euo pipefail
cd "$(dirname "$0")/.."
PROJECT_DIR=$(pwd)

APT_PACKAGES=(fonts-noto-cjk fonts-wqy-microhei texlive-lang-chinese libreoffice-writer-nogui libreoffice-calc-nogui poppler-utils chromium postgresql)

install_system_packages() {
  local missing=() pkg
  for pkg in "${APT_PACKAGES[@]}"; do
    dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
  done
  # python3.11 without ensurepip (Debian's split packaging) cannot create the virtualenv.
  if command -v python3.11 >/dev/null && ! python3.11 -c 'import ensurepip, venv' 2>/dev/null; then
    missing+=(python3.11-venv)
  fi
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ]; then
    echo "缺少系统软件包：${missing[*]}（请以 root 运行本脚本，或自行 apt-get install）" >&2
    return 0
  fi
  echo "== 安装系统软件包：${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

run_pytest() {
  local label=$1 rc=0
  echo "== pytest（$label）"
  # --durations: CI logs name the ten slowest tests.
  .venv/bin/python -m pytest --durations=10 "${PYTEST_ARGS[@]}" || rc=$?
  if [ $rc -eq 5 ]; then
    echo "FAIL（$label）：没有收集到任何测试" >&2
    return 1
  fi
  if [ $rc -ne 0 ]; then
    echo "FAIL（$label）：pytest 退出码 $rc" >&2
    return 1
  fi
}

PG_BIN="" PG_ROOT="" PG_AS=()
stop_postgres() {
  if [ -n "$PG_ROOT" ] && [ -f "$PG_ROOT/data/postmaster.pid" ]; then
    "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -m fast -w stop >/dev/null || true
  fi
  [ -n "$PG_ROOT" ] && rm -rf "$PG_ROOT"
  PG_ROOT=""
}

start_postgres() {
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/initdb" ]; then
    echo "FAIL：未找到 PostgreSQL（/usr/lib/postgresql/*/bin），请安装 postgresql" >&2
    return 1
  fi
  PG_ROOT=$(mktemp -d /tmp/jixiao-pg.XXXXXX)
  trap stop_postgres EXIT
  trap 'stop_postgres; exit 130' INT
  trap 'stop_postgres; exit 143' TERM
  # The server runs from its own directory: the postgres user may not be able to enter ours.
  cd "$PG_ROOT"
  # initdb refuses to run as root: run the server as the postgres user then.
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres:postgres "$PG_ROOT"
    PG_AS=(runuser -u postgres --)
  else
    PG_AS=(env)
  fi
  local port
  port=$("$PROJECT_DIR/.venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  "${PG_AS[@]}" "$PG_BIN/initdb" -D "$PG_ROOT/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 \
    >"$PG_ROOT/initdb.log" 2>&1 || { cat "$PG_ROOT/initdb.log" >&2; cd "$PROJECT_DIR"; return 1; }
  "${PG_AS[@]}" "$PG_BIN/pg_ctl" -D "$PG_ROOT/data" -l "$PG_ROOT/server.log" -w \
    -o "-c listen_addresses=127.0.0.1 -p $port -k $PG_ROOT -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >/dev/null || { cat "$PG_ROOT/server.log" >&2; cd "$PROJECT_DIR"; return 1; }
  # CREATEDB: the test runner creates its own test_jixiao database.
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qc \
    "CREATE ROLE jixiao LOGIN CREATEDB PASSWORD 'jixiao'"
  "$PG_BIN/psql" -h 127.0.0.1 -p "$port" -U postgres -v ON_ERROR_STOP=1 -qc \
    "CREATE DATABASE jixiao OWNER jixiao"
  PG_URL="postgres://jixiao:jixiao@127.0.0.1:$port/jixiao"
  cd "$PROJECT_DIR"
}

PYTEST_ARGS=("$@")
install_system_packages
make install
# Never touch a developer's own database.
unset DATABASE_URL DB_ENGINE
run_pytest "SQLite"
start_postgres
DATABASE_URL="$PG_URL" run_pytest "PostgreSQL"
stop_postgres
echo "== 全部测试通过（SQLite 与 PostgreSQL）"
