#!/usr/bin/env bash
# scim2-tester (every check it has) against the SCIM door (API.md §12) of a debug server,
# on a fresh SQLite database and then on a fresh PostgreSQL database, each with one
# instance and its admin key. Installs scim2-tester (pinned) in a virtual environment
# under target/. Fails on any check that did not pass, a skipped one included.
#
# Usage: .ci/scim.sh [sqlite|postgres]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."

SCIM2_TESTER_VERSION=0.5.2
SCIM2_CLIENT_VERSION=0.13.2
HTTPX2_VERSION=2.16.2
TOOLS=target/ci-tools
VENV=$TOOLS/scim-venv
WORK=$TOOLS/scim
PG_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
ACCOUNT_KEY="rk_scim$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
BIN="${CARGO_TARGET_DIR:-target}/debug/roster"
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)

fail() {
  echo "scim: FAILED: $*" >&2
  exit 1
}

ready() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=2)' "$1" 2>/dev/null
}

if ! "$VENV/bin/python" -c "import importlib.metadata as m, sys; sys.exit(m.version('scim2-tester') != '$SCIM2_TESTER_VERSION')" 2>/dev/null; then
  echo "scim: installing scim2-tester $SCIM2_TESTER_VERSION in $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV" || fail "python3 -m venv failed"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "scim2-tester==$SCIM2_TESTER_VERSION" \
    "scim2-client[httpx2]==$SCIM2_CLIENT_VERSION" "httpx2==$HTTPX2_VERSION" ||
    fail "pip install scim2-tester failed"
fi

echo "scim: cargo build (debug)"
cargo build --locked --bin roster
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

# An instance named "scim" and an admin key of it; prints the key.
seed() {
  python3 - "$1" "$ACCOUNT_KEY" <<'PY'
import json, sys, urllib.request
base, account = sys.argv[1], sys.argv[2]
def call(path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method="POST")
    req.add_header("X-API-KEY", account)
    req.add_header("Content-Type", "application/json")
    return json.loads(urllib.request.urlopen(req, timeout=10).read())
call("/instances", {"instance": {"name": "scim"}})
keys = call("/instances/scim/api_keys", {"api_key": {"role": "admin"}})
print(next(iter(keys["api_keys"].values()))["key"])
PY
}

run_backend() {
  local backend=$1 database_url port base key
  case "$backend" in
    sqlite)
      rm -f "$WORK"/scim.db*
      database_url="sqlite://$WORK/scim.db"
      ;;
    postgres)
      PG_DB="roster_scim_$$"
      psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      psql "$PG_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null || fail "cannot create $PG_DB"
      database_url="${PG_URL%/*}/$PG_DB"
      ;;
    *) fail "unknown backend $backend" ;;
  esac
  port=$(free_port)
  base="http://127.0.0.1:$port"
  echo "scim: $backend: starting the server at $base"
  ROSTER_DATABASE_URL="$database_url" ROSTER_BIND="127.0.0.1:$port" \
    ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" ROSTER_LOG=warn \
    "$BIN" serve >"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    ready "$base" && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "$backend: the server exited: $(tail -5 "$WORK/server-$backend.log")"
    sleep 0.2
  done
  ready "$base" || fail "$backend: the server is not ready"
  key=$(seed "$base") || fail "$backend: seeding failed"
  echo "scim: $backend: scim2-tester $SCIM2_TESTER_VERSION, every check"
  if ! "$VENV/bin/python" .ci/scim_check.py "$base/instances/scim/scim/v2" "$key" | tee "$WORK/report-$backend.txt"; then
    echo "scim: $backend: server log tail:" >&2
    tail -20 "$WORK/server-$backend.log" >&2
    fail "$backend: scim2-tester found failures (above)"
  fi
  cleanup
}

for backend in "${backends[@]}"; do
  run_backend "$backend"
done
echo "scim: passed on ${backends[*]}"
