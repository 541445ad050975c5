#!/usr/bin/env bash
# Schemathesis against /openapi.json: a release server on a fresh SQLite database, then
# on a fresh PostgreSQL database, each with an account key and a seeded instance, with
# every check Schemathesis has. Installs Schemathesis in a virtual environment under
# target/. Fails loudly (never skips).
#
# Usage: .ci/conformance.sh [sqlite|postgres]...   (default: both)
# Budget per backend: ROSTER_CONFORMANCE_SECONDS (default 150), at most
# ROSTER_CONFORMANCE_EXAMPLES test cases per operation and phase (default 40).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SCHEMATHESIS_VERSION=4.32.5
TOOLS=target/ci-tools
VENV=$TOOLS/venv
WORK=$TOOLS/conformance
SECONDS_PER_BACKEND="${ROSTER_CONFORMANCE_SECONDS:-150}"
EXAMPLES="${ROSTER_CONFORMANCE_EXAMPLES:-40}"
PG_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
ACCOUNT_KEY="rk_conformance$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)

# 200 from /readyz (python3 rather than curl: one tool fewer to have).
ready() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=2)' "$1" 2>/dev/null
}

fail() {
  echo "conformance: FAILED: $*" >&2
  exit 1
}

if [ ! -x "$VENV/bin/schemathesis" ] ||
  [ "$("$VENV/bin/schemathesis" --version 2>/dev/null)" != "schemathesis, version $SCHEMATHESIS_VERSION" ]; then
  echo "conformance: installing schemathesis $SCHEMATHESIS_VERSION in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || fail "python3 -m venv failed"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" ||
    fail "pip install schemathesis failed"
fi
"$VENV/bin/schemathesis" --version

echo "conformance: cargo build --release"
cargo build --release --locked --bin roster
mkdir -p "$WORK"

SERVER_PID=""
PG_DB=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
  if [ -n "$PG_DB" ]; then
    psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

run_backend() {
  local backend=$1 database_url port base started
  case "$backend" in
    sqlite)
      rm -f "$WORK"/conformance.db*
      database_url="sqlite://$WORK/conformance.db"
      ;;
    postgres)
      PG_DB="roster_conformance_$$"
      psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      psql "$PG_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null || fail "cannot create $PG_DB"
      database_url="${PG_URL%/*}/$PG_DB"
      ;;
    *) fail "unknown backend $backend" ;;
  esac
  port=$(free_port)
  base="http://127.0.0.1:$port"
  echo "conformance: $backend: starting the release server at $base"
  # Webhook URLs are pinned to loopback (schemathesis.toml), so no generated URL is
  # resolved by DNS or delivered to off this machine.
  ROSTER_DATABASE_URL="$database_url" ROSTER_BIND="127.0.0.1:$port" \
    ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" ROSTER_LOG=warn ROSTER_WEBHOOK_ALLOW_PRIVATE=true \
    "${CARGO_TARGET_DIR:-target}/release/roster" serve >"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    ready "$base" && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "$backend: the server exited: $(tail -5 "$WORK/server-$backend.log")"
    sleep 0.2
  done
  ready "$base" || fail "$backend: the server is not ready"
  "$VENV/bin/python" .ci/seed.py "$base" "$ACCOUNT_KEY" >/dev/null || fail "$backend: seeding failed"
  started=$(date +%s)
  echo "conformance: $backend: schemathesis, all checks, ${SECONDS_PER_BACKEND}s, $EXAMPLES examples"
  # From $WORK, where Schemathesis keeps its example database and caches.
  if ! (cd "$WORK" && ROSTER_CONFORMANCE_KEY="$ACCOUNT_KEY" "$ROOT/$VENV/bin/schemathesis" \
    --no-color --config-file "$ROOT/.ci/schemathesis.toml" run "$base/openapi.json" \
    --checks all --max-examples "$EXAMPLES" --max-time "$SECONDS_PER_BACKEND" \
    --request-timeout 10 --workers 1 \
    --report junit --report-junit-path "junit-$backend.xml"); then
    echo "conformance: $backend: server log tail:" >&2
    tail -20 "$WORK/server-$backend.log" >&2
    fail "$backend: Schemathesis found failures (above)"
  fi
  echo "conformance: $backend: passed in $(($(date +%s) - started))s"
  cleanup
}

for backend in "${backends[@]}"; do
  run_backend "$backend"
done
