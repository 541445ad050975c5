#!/usr/bin/env bash
# Swagger UI in a real browser: a release server on a fresh SQLite database, Debian's
# Chromium (installed if missing) driven headless by playwright-core (installed from npm
# under target/), .ci/docs-browser.cjs checks /docs; screenshot target/ci-tools/docs.png.
# Fails loudly (never skips).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
TOOLS=$ROOT/target/ci-tools
NODE_DIR=$TOOLS/node
WORK=$TOOLS/browser
PLAYWRIGHT_VERSION=1
ACCOUNT_KEY="rk_browser$(od -An -N24 -tx1 /dev/urandom | tr -d ' \n')"

# 200 from /readyz (python3 rather than curl: one tool fewer to have).
ready() {
  python3 -c 'import sys, urllib.request; urllib.request.urlopen(sys.argv[1] + "/readyz", timeout=2)' "$1" 2>/dev/null
}

fail() {
  echo "browser: FAILED: $*" >&2
  exit 1
}

if [ ! -x /usr/bin/chromium ]; then
  echo "browser: installing Debian's chromium"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq || fail "apt-get update failed"
  apt-get install -y -qq chromium >/dev/null || fail "apt-get install chromium failed"
fi
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing"
/usr/bin/chromium --version
command -v node >/dev/null || fail "node is missing"
if [ ! -f "$NODE_DIR/node_modules/playwright-core/package.json" ]; then
  echo "browser: installing playwright-core@$PLAYWRIGHT_VERSION in $NODE_DIR"
  mkdir -p "$NODE_DIR"
  (cd "$NODE_DIR" && npm install --no-save --no-audit --no-fund --prefix . "playwright-core@$PLAYWRIGHT_VERSION") ||
    fail "npm install playwright-core failed"
fi

[ -x "${CARGO_TARGET_DIR:-target}/release/roster" ] || cargo build --release --locked --bin roster
mkdir -p "$WORK"
rm -f "$WORK"/browser.db*
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
base="http://127.0.0.1:$port"
ROSTER_DATABASE_URL="sqlite://$WORK/browser.db" ROSTER_BIND="127.0.0.1:$port" \
  ROSTER_ACCOUNT_KEY="$ACCOUNT_KEY" ROSTER_LOG=warn \
  "${CARGO_TARGET_DIR:-target}/release/roster" serve >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
trap 'kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true' EXIT
for _ in $(seq 1 100); do
  ready "$base" && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "the server exited: $(tail -5 "$WORK/server.log")"
  sleep 0.2
done
ready "$base" || fail "the server is not ready"

PLAYWRIGHT_CORE="$NODE_DIR/node_modules/playwright-core" \
  timeout 180 node .ci/docs-browser.cjs "$base" "$ACCOUNT_KEY" "$TOOLS/docs.png" ||
  fail "Swagger UI check failed (above)"
