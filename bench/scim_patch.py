#!/usr/bin/env python3
"""A SCIM PATCH adding 1,000 members to a group (one transaction) against a REST bulk of
the same rows (ten POST /memberships of 100, each its own transaction), on a fresh
database of each backend. Prints the median of --trials for each, and the ratio
SCIM ÷ REST (the issue asks for at most 2).

    python3 bench/scim_patch.py                      # target/release/roster, both backends
    python3 bench/scim_patch.py --roster target/debug/roster --backends sqlite

Standard library only; PostgreSQL databases are made and dropped with psql.
"""

import argparse
import json
import os
import secrets
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def call(base, method, path, key, body=None, scim=False):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method)
    req.add_header("Authorization", f"Bearer {key}")
    if data is not None:
        req.add_header("Content-Type", "application/scim+json" if scim else "application/json")
    with urllib.request.urlopen(req, timeout=120) as r:
        text = r.read()
        return r.status, (json.loads(text) if text else None)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_backend(q, backend):
    account = "rk_bench" + secrets.token_hex(24)
    tmp = tempfile.mkdtemp(prefix="scim-bench-")
    pg_db = None
    if backend == "postgres":
        pg_db = f"bench_scim_{os.getpid()}"
        subprocess.run(["psql", q.pg_url, "-qAtc", f"DROP DATABASE IF EXISTS {pg_db}"], check=True)
        subprocess.run(["psql", q.pg_url, "-qAtc", f"CREATE DATABASE {pg_db}"], check=True)
        url = q.pg_url.rsplit("/", 1)[0] + "/" + pg_db
    else:
        url = f"sqlite://{tmp}/bench.db"
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = dict(os.environ, ROSTER_DATABASE_URL=url, ROSTER_BIND=f"127.0.0.1:{port}",
               ROSTER_ACCOUNT_KEY=account, ROSTER_LOG="warn")
    server = subprocess.Popen([q.roster, "serve"], env=env, stdout=subprocess.DEVNULL,
                              stderr=open(f"{tmp}/server.log", "w"))
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(base + "/readyz", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        call(base, "POST", "/instances", account, {"instance": {"name": "bench"}})
        _, k = call(base, "POST", "/instances/bench/api_keys", account, {"api_key": {"role": "admin"}})
        key = next(iter(k["api_keys"].values()))["key"]
        users = []
        for b in range(q.members // 100):
            _, r = call(base, "POST", "/instances/bench/users", key,
                        {"users": [{"username": f"u{b * 100 + i}"} for i in range(100)]})
            users += [x["id"] for x in r["results"]]
        rest, scim = [], []
        for trial in range(q.trials):
            _, g = call(base, "POST", "/instances/bench/groups", key, {"group": {"name": f"rest{trial}"}})
            gid = g["results"][0]["id"]
            t = time.perf_counter()
            for b in range(0, len(users), 100):
                call(base, "POST", "/instances/bench/memberships", key,
                     {"memberships": [{"user_id": u, "group_id": gid} for u in users[b:b + 100]]})
            rest.append(time.perf_counter() - t)
            _, g = call(base, "POST", "/instances/bench/scim/v2/Groups", key,
                        {"displayName": f"scim{trial}"}, scim=True)
            path = f"/instances/bench/scim/v2/Groups/{g['id']}"
            body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
                    "Operations": [{"op": "add", "path": "members",
                                    "value": [{"value": u} for u in users]}]}
            t = time.perf_counter()
            status, r = call(base, "PATCH", path, key, body, scim=True)
            scim.append(time.perf_counter() - t)
            assert status == 200 and len(r["members"]) == len(users), (status, r)
        a, b = statistics.median(rest), statistics.median(scim)
        print(f"{backend}: {len(users)} members, median of {q.trials}: REST 10 bulks {a * 1000:.1f} ms, "
              f"SCIM one PATCH {b * 1000:.1f} ms, SCIM/REST {b / a:.2f}")
        return b / a
    finally:
        server.terminate()
        server.wait()
        if pg_db:
            subprocess.run(["psql", q.pg_url, "-qAtc", f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--roster", default=str(ROOT / "target" / "release" / "roster"))
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/test"))
    p.add_argument("--members", type=int, default=1000)
    p.add_argument("--trials", type=int, default=5)
    q = p.parse_args()
    ratios = [run_backend(q, b) for b in q.backends.split(",")]
    sys.exit(0 if all(r <= 2.0 for r in ratios) else 1)


if __name__ == "__main__":
    main()
