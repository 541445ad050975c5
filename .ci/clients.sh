#!/usr/bin/env bash
# The generated clients against the running server: a release server on a fresh SQLite
# database, then on a fresh PostgreSQL database, each with an account key; on each, both
# clients regenerated from its /openapi.json (clients/generate.sh: any generator warning
# fails) and compared with the committed ones (any drift fails), Redocly's recommended
# lint (any error fails; warnings reported), the Python flow (pytest, in
# clients/python/.venv) and the TypeScript flow (tsc --strict, then node --test).
# Installs what it needs under clients/ (ignored by git). Fails loudly (never skips).
#
# Usage: .ci/clients.sh [sqlite|postgres]...   (default: both)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
STARTED=$(date +%s)
WORK=${CARGO_TARGET_DIR:-target}/ci-tools/clients
PG_URL="${ROSTER_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/test}"
ACCOUNT_KEY="rk_clients$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"
GENERATED=(clients/openapi.json clients/python/roster_api clients/typescript/src/schema.ts)
backends=("$@")
[ ${#backends[@]} -gt 0 ] || backends=(sqlite postgres)
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true

fail() {
  echo "clients: FAILED: $*" >&2
  exit 1
}

# 200 from /readyz (python3 rather than curl: one tool fewer to have).
ready() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=2)' "$1" 2>/dev/null
}

# The generated files must be what is committed.
git ls-files --error-unmatch "${GENERATED[@]}" >/dev/null 2>&1 ||
  fail "the generated clients are not committed (${GENERATED[*]})"
[ -z "$(git status --porcelain -- "${GENERATED[@]}")" ] ||
  fail "the generated clients differ from the committed ones before this run: commit or restore them"

CLIENTS=$ROOT/clients
. clients/tools.sh
ensure_python
ensure_node typescript
ensure_node lint
VENV=$ROOT/clients/python/.venv
echo "clients: $("$VENV/bin/openapi-python-client" --version), openapi-typescript $(clients/typescript/node_modules/.bin/openapi-typescript --version 2>/dev/null | tr -d '\n'), $(clients/typescript/node_modules/.bin/tsc --version), redocly $(clients/lint/node_modules/.bin/redocly --version 2>/dev/null | tail -1)"

echo "clients: cargo build --release"
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
  local backend=$1 database_url port base step totals
  case "$backend" in
    sqlite)
      rm -f "$WORK"/clients.db*
      database_url="sqlite://$WORK/clients.db"
      ;;
    postgres)
      PG_DB="roster_clients_$$"
      psql "$PG_URL" -qAtc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
      psql "$PG_URL" -qAtc "CREATE DATABASE $PG_DB" >/dev/null || fail "cannot create $PG_DB"
      database_url="${PG_URL%/*}/$PG_DB"
      ;;
    *) fail "unknown backend $backend" ;;
  esac
  port=$(free_port)
  base="http://127.0.0.1:$port"
  echo "clients: $backend: starting the release server at $base"
  ROSTER_DATABASE_URL="$database_url" ROSTER_BIND="127.0.0.1:$port" \
    ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" ROSTER_LOG=warn \
    "${CARGO_TARGET_DIR:-target}/release/roster" serve >"$WORK/server-$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    ready "$base" && break
    kill -0 "$SERVER_PID" 2>/dev/null || fail "$backend: the server exited: $(tail -5 "$WORK/server-$backend.log")"
    sleep 0.2
  done
  ready "$base" || fail "$backend: the server is not ready"

  step=$(date +%s)
  echo "clients: $backend: regenerating both clients from $base/openapi.json"
  clients/generate.sh "$base" || fail "$backend: generation failed or warned (above)"
  if [ -n "$(git status --porcelain -- "${GENERATED[@]}")" ]; then
    git status --short -- "${GENERATED[@]}" | head -20 >&2
    git diff --stat -- "${GENERATED[@]}" | tail -5 >&2
    git diff -- "${GENERATED[@]}" | head -60 >&2
    fail "$backend: the clients generated from the served description differ from the committed ones: run clients/generate.sh <base-url> and commit"
  fi
  echo "clients: $backend: no drift ($(($(date +%s) - step))s)"

  echo "clients: $backend: Redocly lint (recommended)"
  (cd clients/lint && node_modules/.bin/redocly lint --config redocly.yaml ../openapi.json) 2>&1 |
    grep -v '[║╔╚]' | grep -v '^\s*$' || true
  totals=$(cd clients/lint && node_modules/.bin/redocly lint --config redocly.yaml --format=json ../openapi.json 2>/dev/null |
    python3 -c 'import json, sys; t = json.load(sys.stdin)["totals"]; print(t["errors"], t["warnings"])') ||
    fail "$backend: Redocly lint did not run"
  read -r lint_errors lint_warnings <<<"$totals"
  echo "clients: $backend: Redocly: $lint_errors errors, $lint_warnings warnings"
  [ "$lint_errors" = 0 ] || fail "$backend: Redocly lint found $lint_errors errors (above)"

  step=$(date +%s)
  echo "clients: $backend: the Python flow"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps --no-build-isolation \
    --force-reinstall ./clients/python || fail "pip install ./clients/python failed"
  (cd clients/python && "$VENV/bin/ruff" check roster tests && "$VENV/bin/ruff" format --check roster tests) ||
    fail "ruff: the hand-written Python is not clean (above)"
  # From tests/ with the package installed: the flow imports what pip installed.
  (cd clients/python/tests && ROSTER_URL="$base" ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" \
    "$VENV/bin/python" -m pytest -q -p no:cacheprovider --rootdir=. -c /dev/null .) ||
    fail "$backend: the Python flow failed (above)"
  echo "clients: $backend: the Python flow passed ($(($(date +%s) - step))s)"

  step=$(date +%s)
  echo "clients: $backend: the TypeScript flow (tsc --strict, node --test)"
  rm -rf clients/typescript/dist
  (cd clients/typescript && node_modules/.bin/tsc -p tsconfig.json) || fail "tsc --strict failed (above)"
  (cd clients/typescript && ROSTER_URL="$base" ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" node --test dist/test/) ||
    fail "$backend: the TypeScript flow failed (above)"
  echo "clients: $backend: the TypeScript flow passed ($(($(date +%s) - step))s)"
  cleanup
}

for backend in "${backends[@]}"; do
  run_backend "$backend"
done
echo "clients: passed on ${backends[*]} in $(($(date +%s) - STARTED))s"
