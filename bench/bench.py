#!/usr/bin/env python3
"""Roster's benchmark: one run, every figure of issue 8 item 1, same-run ratios.

Run it through bench/run.sh (which builds Roster and the load generator and installs
PocketBase into bench/.venv). Standard library only, so any Python 3.9+ runs it.
"""

import argparse
import base64
import datetime as dt
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
N_USERS, N_GROUPS = 10_000, 1_000
USER_MULT, GROUP_MULT = 7777, 7919  # the pair permutation of loadgen.rs (see there)


def pair_sql(k):
    """SQL (or pgbench) expressions of the user and group index (0-based) of pair k."""
    u = f"((({k}) % {N_USERS}) * {USER_MULT} % {N_USERS})"
    g = f"(((({k}) / {N_USERS}) % {N_GROUPS} + {u} * {GROUP_MULT}) % {N_GROUPS})"
    return u, g
def roster_statements_sql():
    """A pgbench script of what a Roster bulk create asks PostgreSQL to do: the key
    lookup (an index probe), the users and groups sideload (`src/db/sideloads.rs`) and
    the INSERT guarded against barriers (`src/db/bulk_insert.rs`), all prepared, with
    the harness's pairs. The ID arrays are computed in SQL from one parameter (pgbench
    allows 255), which adds a little work of its own."""
    k = ":k + i"
    u, g = pair_sql(k)
    ua = f"ARRAY(SELECT ({u} + 1)::bigint FROM generate_series(0, 99) i ORDER BY i)"
    ga = f"ARRAY(SELECT ({g} + 1)::bigint FROM generate_series(0, 99) i ORDER BY i)"
    return (
        "\\set k :base + (:n * :nc + :client_id) * 100\n"
        "SELECT k.role, k.user_id, i.id, i.name, i.created_at, i.updated_at FROM api_keys k "
        "JOIN instances i ON i.id = k.instance_id WHERE k.key_hash = 'none' AND k.revoked_at IS NULL;\n"
        "SELECT TRUE AS is_user, u.instance_id, u.id, u.username, u.name, u.email, u.avatar_url, "
        f"u.principal, u.created_at, u.updated_at FROM unnest({ua}) AS x (id) JOIN users u "
        "ON u.instance_id = 1 AND u.id = x.id UNION ALL SELECT FALSE, g.instance_id, g.id, g.name, "
        f"g.description, NULL, NULL, NULL, g.created_at, g.updated_at FROM unnest({ga}) AS y (id) "
        "JOIN groups g ON g.instance_id = 1 AND g.id = y.id;\n"
        f"WITH a AS (SELECT {ua} AS us, {ga} AS gs), barred AS (SELECT EXISTS (SELECT 1 FROM "
        "barriers, a WHERE instance_id = 1 AND (group_a_id = ANY(a.gs) OR group_b_id = ANY(a.gs))) AS b) "
        "INSERT INTO memberships (instance_id, user_id, group_id, role, configurable_permissions, "
        "created_at, updated_at) SELECT r.* FROM a, UNNEST(array_fill(1::bigint, ARRAY[100]), a.us, "
        "a.gs, array_fill('member'::text, ARRAY[100]), array_fill(NULL::text, ARRAY[100]), "
        "array_fill(now()::timestamp, ARRAY[100]), array_fill(now()::timestamp, ARRAY[100])) AS r "
        "WHERE NOT (SELECT b FROM barred) RETURNING instance_id, id, user_id, group_id, role, "
        "configurable_permissions, created_at, updated_at;\n"
        "\\set n :n + 1\n")


SPACE = N_USERS * N_GROUPS
TARGET_MEMBERSHIPS = 1_000_000
ACCOUNT_KEY = "rk_bench_account_key_0123456789abcdefghijklmnopqrstuvwxyz"
PB_EMAIL, PB_PASSWORD = "bench@example.com", "bench-password-123"
CLK_TCK = os.sysconf("SC_CLK_TCK")


def log(msg):
    print(f"[{time.strftime('%H:%M:%S')}] {msg}", flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- PostgreSQL helpers


class Pg:
    def __init__(self, url):
        m = re.match(r"postgres(?:ql)?://([^@/]+)@([^:/]+)(?::(\d+))?/(\w+)", url)
        if not m:
            sys.exit(f"cannot parse PostgreSQL URL {url!r} (want postgres://user@host:port/db)")
        self.user, self.host, self.port, self.admin_db = (
            m.group(1), m.group(2), m.group(3) or "5432", m.group(4))

    def url(self, db):
        return f"postgres://{self.user}@{self.host}:{self.port}/{db}"

    def args(self, db):
        return ["-h", self.host, "-p", self.port, "-U", self.user, "-d", db]

    def sql(self, db, sql, fetch=False):
        cmd = ["psql", *self.args(db), "-v", "ON_ERROR_STOP=1", "-q", "-X"]
        if fetch:
            cmd += ["-At", "-F", "\t"]
        r = subprocess.run(cmd, input=sql, capture_output=True, text=True)
        if r.returncode != 0:
            raise RuntimeError(f"psql failed on {db}: {r.stderr.strip()}\n{sql[:500]}")
        if fetch:
            return [line.split("\t") for line in r.stdout.splitlines() if line]
        return None

    def recreate(self, db):
        self.sql(self.admin_db, f"DROP DATABASE IF EXISTS {db} WITH (FORCE);")
        self.sql(self.admin_db, f"CREATE DATABASE {db};")

    def drop(self, db):
        self.sql(self.admin_db, f"DROP DATABASE IF EXISTS {db} WITH (FORCE);")

    def backend_pids(self, db):
        rows = self.sql(self.admin_db, "SELECT pid FROM pg_stat_activity WHERE datname = "
                        f"'{db}' AND backend_type = 'client backend' AND pid <> pg_backend_pid();",
                        fetch=True)
        return [int(r[0]) for r in rows]


# ---------------------------------------------------------------- process accounting


def proc_cpu_s(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return None


def proc_status(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1]) / 1024.0  # MiB
    except OSError:
        pass
    return None


def machine_busy_s():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]
    return (sum(v[:8]) - idle) / CLK_TCK


class Accounting:
    """CPU seconds of the server, its PostgreSQL backends, the load generator and the
    whole machine over the measured window, and the server's RSS (sampled every 50 ms)."""

    def __init__(self, pg, server_pid=None, db=None):
        self.pg, self.server_pid, self.db = pg, server_pid, db
        self.rss_max = 0.0
        self._stop = threading.Event()
        self.snaps = {}

    def snapshot(self, name, client_pid):
        snap = {"machine": machine_busy_s(), "t": time.monotonic()}
        if self.server_pid:
            snap["server"] = proc_cpu_s(self.server_pid)
        if client_pid:
            snap["client"] = proc_cpu_s(client_pid)
        if self.db:
            snap["db"] = {p: proc_cpu_s(p) for p in self.pg.backend_pids(self.db)}
        self.snaps[name] = snap

    def start(self, client_pid, warmup, duration):
        t0 = time.monotonic()

        def run():
            if self._stop.wait(max(0.0, warmup + 0.05 - (time.monotonic() - t0))):
                return
            self.snapshot("start", client_pid)
            end = self.snaps["start"]["t"] + duration
            while not self._stop.is_set() and time.monotonic() < end:
                if self.server_pid:
                    rss = proc_status(self.server_pid, "VmRSS")
                    if rss:
                        self.rss_max = max(self.rss_max, rss)
                time.sleep(0.05)
            if not self._stop.is_set():
                self.snapshot("end", client_pid)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()

    def finish(self):
        self.thread.join(timeout=60)
        self._stop.set()
        a, b = self.snaps.get("start"), self.snaps.get("end")
        if not a or not b:
            return None
        out = {"window_s": round(b["t"] - a["t"], 3),
               "machine_busy_cpu_s": round(b["machine"] - a["machine"], 3)}
        for k in ("server", "client"):
            if a.get(k) is not None and b.get(k) is not None:
                out[f"{k}_cpu_s"] = round(b[k] - a[k], 3)
        if "db" in a:
            total = 0.0
            for p, v in b["db"].items():
                if v is not None:
                    total += v - (a["db"].get(p) or 0.0)
            out["db_cpu_s"] = round(total, 3)
        known = sum(out.get(k, 0.0) for k in ("server_cpu_s", "client_cpu_s", "db_cpu_s"))
        out["other_cpu_s"] = round(out["machine_busy_cpu_s"] - known, 3)
        if self.server_pid:
            out["server_rss_max_mib"] = round(self.rss_max, 1)
            out["server_vmhwm_mib"] = round(proc_status(self.server_pid, "VmHWM") or 0, 1)
        return out


# ---------------------------------------------------------------- servers


class Server:
    def __init__(self, name, cmd, env, cwd, logfile, port):
        self.name, self.port = name, port
        self.log = open(logfile, "w")
        self.proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=self.log,
                                     stderr=subprocess.STDOUT, start_new_session=True)
        self.pid = self.proc.pid
        self.base = f"http://127.0.0.1:{port}"

    def wait_ready(self, path, timeout=60):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.name} exited with {self.proc.returncode}; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as r:
                    if r.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        raise RuntimeError(f"{self.name} did not become ready; see {self.log.name}")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def http(method, url, body=None, headers=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    h = {"Content-Type": "application/json"} if data is not None else {}
    h.update(headers or {})
    req = urllib.request.Request(url, data=data, headers=h, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
            return r.status, (json.loads(raw) if raw else None), {k.lower(): v for k, v in r.headers.items()}
    except urllib.error.HTTPError as e:
        raise RuntimeError(f"{method} {url} -> {e.code}: {e.read()[:500]!r}") from None


# ---------------------------------------------------------------- the run


class Bench:
    def __init__(self, a):
        self.a = a
        self.pg = Pg(a.pg_url)
        self.stamp = dt.datetime.now(dt.timezone.utc)
        self.work = BENCH / ".work"
        self.raw = BENCH / "results" / "raw" / self.stamp.strftime("%Y-%m-%dT%H%M%SZ")
        self.servers = []
        self.results = {"phases": {}}
        self.db_roster = "bench_roster_pg"
        self.db_raw = "bench_raw"

    # ---- plumbing

    def out(self, name):
        return str(self.raw / f"{name}.json")

    def loadgen(self, name, server, mode, *, path="", headers=(), users=None, groups=None,
                start=0, concurrency=1, rate=0.0, duration=None, urls=None, db=None,
                rows=100):
        duration = duration if duration is not None else self.a.duration
        cmd = [self.a.loadgen, "--url", server.base, "--mode", mode, "--duration", str(duration),
               "--warmup", str(self.a.warmup), "--concurrency", str(concurrency),
               "--out", self.out(name), "--label", name, "--start", str(start),
               "--rows", str(rows)]
        if path:
            cmd += ["--path", path]
        for h in headers:
            cmd += ["--header", h]
        if users:
            cmd += ["--users", users, "--groups", groups]
        if urls:
            cmd += ["--urls", urls]
        if rate:
            cmd += ["--rate", str(rate)]
        proc = subprocess.Popen(cmd)
        acct = Accounting(self.pg, server.pid, db)
        acct.start(proc.pid, self.a.warmup, duration)
        rc = proc.wait()
        cpu = acct.finish()
        if rc != 0:
            raise RuntimeError(f"loadgen {name} failed ({rc})")
        r = json.loads(Path(self.out(name)).read_text())
        r["cpu"] = cpu
        self.results["phases"][name] = r
        lat = r["latency_ms"]
        errs = f" errors={r['errors']}" if r["errors"] else ""
        log(f"  {name}: {r['requests_per_s']:.0f} req/s, {r['rows_per_s']:.0f} rows/s, "
            f"p50 {lat['p50']} ms, p99 {lat['p99']} ms, queries {r['query_count']['mean']}"
            f"{errs}")
        if r["errors"]:
            log(f"    sample error: {r['error_sample']}")
        return r

    def pgbench(self, name, script, concurrency, base, protocol="prepared"):
        duration, warmup = self.a.duration, self.a.warmup
        total = int(math.ceil(warmup + duration)) + 1
        prefix = self.raw / f"pgbench_{name}"
        # (pgbench's -d is --debug: the database is its last, positional argument)
        cmd = ["pgbench", "-h", self.pg.host, "-p", self.pg.port, "-U", self.pg.user,
               "-n", "-M", protocol, "-f", script,
               "-c", str(concurrency), "-j", str(min(concurrency, 2)), "-T", str(total),
               "-D", "n=0", "-D", f"nc={concurrency}", "-D", f"base={base}",
               "-l", f"--log-prefix={prefix}", self.db_raw]
        launched = time.time()
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                cwd=self.raw)
        acct = Accounting(self.pg, None, self.db_raw)
        acct.start(proc.pid, warmup + 0.1, duration)
        output, _ = proc.communicate()
        cpu = acct.finish()
        (self.raw / f"pgbench_{name}.txt").write_text(output)
        if proc.returncode != 0:
            raise RuntimeError(f"pgbench {name} failed:\n{output}")
        # Per-transaction log lines: client_id tx_no latency_us script_no epoch_s epoch_us
        # (the completion time); count those that completed inside the window.
        w0 = launched + warmup + 0.1
        w1 = w0 + duration
        lat, failed = [], 0
        for f in self.raw.glob(f"pgbench_{name}.*"):
            if f.suffix == ".txt":
                continue
            for line in f.read_text().splitlines():
                p = line.split()
                if len(p) < 6:
                    continue
                done = int(p[4]) + int(p[5]) / 1e6
                if w0 <= done < w1:
                    if p[2] == "failed":
                        failed += 1
                    else:
                        lat.append(int(p[2]))
            f.unlink()  # the raw per-transaction logs are large; the summary is kept
        lat.sort()
        rows_per_tx = 100 if "bulk" in name else 1

        def pct(q):
            if not lat:
                return None
            return round(lat[min(len(lat), max(1, math.ceil(q / 100 * len(lat)))) - 1] / 1000, 3)

        tps = len(lat) / duration
        r = {"label": name, "mode": "pgbench", "concurrency": concurrency,
             "duration_s": duration, "warmup_s": warmup, "rows_per_request": rows_per_tx,
             "completed": len(lat), "ok": len(lat), "errors": {"failed": failed} if failed else {},
             "requests_per_s": round(tps, 3), "rows_per_s": round(tps * rows_per_tx, 3),
             "latency_ms": {"mean": round(sum(lat) / len(lat) / 1000, 3) if lat else None,
                            "p50": pct(50), "p90": pct(90), "p99": pct(99), "p999": pct(99.9),
                            "max": pct(100)},
             "protocol": protocol,
             "query_count": {"min": 1, "mean": 1, "max": 1},
             "pgbench_tps_line": next((l for l in output.splitlines() if l.startswith("tps")), None),
             "cpu": cpu}
        self.results["phases"][name] = r
        log(f"  {name}: {tps:.0f} tx/s, {r['rows_per_s']:.0f} rows/s, p50 {r['latency_ms']['p50']} ms,"
            f" p99 {r['latency_ms']['p99']} ms")
        return r

    # ---- setup

    def machine(self):
        cpu_model = "unknown"
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu_model = line.split(":", 1)[1].strip()
                    break
        with open("/proc/meminfo") as f:
            mem_kb = int(f.readline().split()[1])
        pgv = self.pg.sql(self.pg.admin_db, "SHOW server_version;", fetch=True)[0][0]
        commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "src",
                                "Cargo.toml", "Cargo.lock", "migrations"],
                               capture_output=True, text=True).stdout.strip()
        return {"date_utc": self.stamp.strftime("%Y-%m-%d %H:%M:%SZ"), "nproc": os.cpu_count(),
                "memory_gib": round(mem_kb / 1024 / 1024, 1), "cpu_model": cpu_model,
                "kernel": platform.release(), "postgresql": pgv,
                "sqlite_python": sqlite3.sqlite_version,
                "roster_commit": self.a.roster_rev or (
                    commit + (" (+ uncommitted changes in src/)" if dirty else "")),
                "load_average_at_start": list(os.getloadavg())}

    def start_roster(self, name, db_url, extra_env=None):
        port = free_port()
        env = dict(os.environ)
        for k in list(env):
            if k.startswith("ROSTER_"):
                del env[k]
        env.update({"ROSTER_DATABASE_URL": db_url, "ROSTER_BIND": f"127.0.0.1:{port}",
                    "ROSTER_ACCOUNT_KEY": ACCOUNT_KEY})
        env.update(extra_env or {})
        s = Server(name, [self.a.roster], env, str(self.work), self.raw / f"{name}.log", port)
        self.servers.append(s)
        s.wait_ready("/healthz")
        return s

    def seed_roster(self, s, tag):
        acct = {"X-API-KEY": ACCOUNT_KEY}
        http("POST", s.base + "/instances", {"instance": {"name": "bench"}}, acct)
        _, body, _ = http("POST", s.base + "/instances/bench/api_keys",
                          {"api_key": {"role": "admin"}}, acct)
        key = next(iter(body["api_keys"].values()))["key"]
        h = {"X-API-KEY": key}
        t = time.time()
        uids, gids, qc = [], [], []
        for b in range(N_USERS // 100):
            _, body, hd = http("POST", s.base + "/instances/bench/users",
                               {"users": [{"username": f"user{b * 100 + i}"} for i in range(100)]}, h)
            uids += [r["id"] for r in body["results"]]
            qc.append(int(hd.get("x-query-count", -1)))
        for b in range(N_GROUPS // 100):
            _, body, hd = http("POST", s.base + "/instances/bench/groups",
                               {"groups": [{"name": f"group{b * 100 + i}"} for i in range(100)]}, h)
            gids += [r["id"] for r in body["results"]]
        took = time.time() - t
        for ids in (uids, gids):
            if [int(x) for x in ids] != list(range(int(ids[0]), int(ids[0]) + len(ids))):
                raise RuntimeError("seeded IDs are not contiguous; the SQL top-up relies on it")
        (self.work / f"{tag}_users.txt").write_text("\n".join(uids) + "\n")
        (self.work / f"{tag}_groups.txt").write_text("\n".join(gids) + "\n")
        log(f"  {tag}: seeded {len(uids)} users and {len(gids)} groups through the API in "
            f"{took:.1f} s (X-Query-Count of a 100-user create: {qc[0]})")
        return {"key": key, "users": str(self.work / f"{tag}_users.txt"),
                "groups": str(self.work / f"{tag}_groups.txt"), "umin": int(uids[0]),
                "gmin": int(gids[0]), "uids": uids, "gids": gids, "next_k": 0,
                "seed_s": round(took, 2)}

    def setup_raw(self):
        self.pg.recreate(self.db_raw)
        for up in sorted((ROOT / "migrations" / "postgres").glob("*/up.sql")):
            self.pg.sql(self.db_raw, up.read_text())
        self.pg.sql(self.db_raw, f"""
            INSERT INTO instances (id, name, created_at, updated_at) VALUES (1, 'bench', now(), now());
            INSERT INTO users (instance_id, id, username, principal, created_at, updated_at)
              SELECT 1, i, 'user' || i, 'user', now(), now() FROM generate_series(1, {N_USERS}) i;
            INSERT INTO groups (instance_id, id, name, created_at, updated_at)
              SELECT 1, i, 'group' || i, now(), now() FROM generate_series(1, {N_GROUPS}) i;
            VACUUM ANALYZE;""")
        cols = "instance_id, user_id, group_id, role, configurable_permissions, created_at, updated_at"

        def pair_sets(i, k):
            u, g = pair_sql(k)
            return f"\\set u{i} {u} + 1\n\\set g{i} {g} + 1\n"

        bulk = ["\\set k :base + (:n * :nc + :client_id) * 100\n"]
        bulk += [pair_sets(i, f":k + {i}") for i in range(100)]
        values = ",\n  ".join(f"(1, :u{i}, :g{i}, 'member', '{{}}', now(), now())" for i in range(100))
        bulk.append(f"INSERT INTO memberships ({cols}) VALUES\n  {values}\nRETURNING *;\n")
        bulk.append("\\set n :n + 1\n")
        single = ["\\set k :base + :n * :nc + :client_id\n", pair_sets(0, ":k"),
                  f"INSERT INTO memberships ({cols}) VALUES (1, :u0, :g0, 'member', '{{}}', now(), now())"
                  " RETURNING *;\n", "\\set n :n + 1\n"]
        (self.work / "raw_bulk.sql").write_text("".join(bulk))
        (self.work / "raw_bulk_roster_statements.sql").write_text(roster_statements_sql())

        (self.work / "raw_single.sql").write_text("".join(single))

    def start_pocketbase(self):
        pb_dir = self.work / "pocketbase"
        shutil.rmtree(pb_dir, ignore_errors=True)
        pb_dir.mkdir(parents=True)
        subprocess.run([self.a.pocketbase, "superuser", "upsert", PB_EMAIL, PB_PASSWORD,
                        "--dir", str(pb_dir / "pb_data")], check=True, capture_output=True,
                       cwd=pb_dir)
        port = free_port()
        s = Server("pocketbase", [self.a.pocketbase, "serve", "--http", f"127.0.0.1:{port}",
                                  "--dir", str(pb_dir / "pb_data")],
                   dict(os.environ), str(pb_dir), self.raw / "pocketbase.log", port)
        self.servers.append(s)
        s.wait_ready("/api/health")
        _, body, _ = http("POST", s.base + "/api/collections/_superusers/auth-with-password",
                          {"identity": PB_EMAIL, "password": PB_PASSWORD})
        token = body["token"]
        h = {"Authorization": token}
        http("PATCH", s.base + "/api/settings",
             {"batch": {"enabled": True, "maxRequests": 100, "timeout": 30, "maxBodySize": 0}}, h)
        autodates = [{"name": "created", "type": "autodate", "onCreate": True},
                     {"name": "updated", "type": "autodate", "onCreate": True, "onUpdate": True}]
        _, m, _ = http("POST", s.base + "/api/collections", {
            "name": "members", "type": "base",
            "fields": [{"name": "username", "type": "text", "required": True}] + autodates,
            "indexes": ["CREATE UNIQUE INDEX idx_members_username ON members (username)"]}, h)
        _, t, _ = http("POST", s.base + "/api/collections", {
            "name": "teams", "type": "base",
            "fields": [{"name": "name", "type": "text", "required": True}] + autodates,
            "indexes": ["CREATE UNIQUE INDEX idx_teams_name ON teams (name)"]}, h)
        http("POST", s.base + "/api/collections", {
            "name": "memberships", "type": "base",
            "fields": [
                {"name": "member", "type": "relation", "collectionId": m["id"], "maxSelect": 1,
                 "required": True, "cascadeDelete": True},
                {"name": "team", "type": "relation", "collectionId": t["id"], "maxSelect": 1,
                 "required": True, "cascadeDelete": True},
                {"name": "role", "type": "select", "values": ["member", "admin"], "maxSelect": 1},
            ] + autodates,
            "indexes": ["CREATE UNIQUE INDEX idx_memberships_member_team ON memberships (member, team)",
                        "CREATE INDEX idx_memberships_team ON memberships (team)"]}, h)
        t0 = time.time()
        ids = {}
        for coll, n, field, prefix in (("members", N_USERS, "username", "user"),
                                       ("teams", N_GROUPS, "name", "group")):
            ids[coll] = []
            for b in range(n // 100):
                reqs = [{"method": "POST", "url": f"/api/collections/{coll}/records",
                         "body": {field: f"{prefix}{b * 100 + i}"}} for i in range(100)]
                _, body, _ = http("POST", s.base + "/api/batch", {"requests": reqs}, h)
                ids[coll] += [r["body"]["id"] for r in body]
        took = time.time() - t0
        (self.work / "pb_users.txt").write_text("\n".join(ids["members"]) + "\n")
        (self.work / "pb_groups.txt").write_text("\n".join(ids["teams"]) + "\n")
        log(f"  pocketbase {self.pocketbase_version()}: seeded {N_USERS} members and {N_GROUPS} "
            f"teams through its batch API in {took:.1f} s")
        return s, {"token": token, "users": str(self.work / "pb_users.txt"),
                   "groups": str(self.work / "pb_groups.txt"), "uids": ids["members"],
                   "gids": ids["teams"], "next_k": 0, "dir": pb_dir / "pb_data",
                   "seed_s": round(took, 2)}

    def pocketbase_version(self):
        r = subprocess.run([self.a.pocketbase, "--version"], capture_output=True, text=True)
        return r.stdout.strip().split()[-1] if r.returncode == 0 else "?"

    # ---- top-ups to 1,000,000 memberships (SQL straight into the tables)

    def topup_pg(self, seed):
        have = int(self.pg.sql(self.db_roster, "SELECT count(*) FROM memberships;", fetch=True)[0][0])
        need = max(0, TARGET_MEMBERSHIPS - have)
        k0, t = seed["next_k"], time.time()
        u, g = pair_sql("k")
        if need:
            # The rows are valid by construction, so the foreign-key triggers are skipped
            # (session_replication_role = replica); every index is still maintained.
            # That skips the trigger keeping Roster's per-instance membership count
            # too, so the count is set afterwards from a real COUNT.
            self.pg.sql(self.db_roster, f"""
                SET session_replication_role = replica;
                INSERT INTO memberships (instance_id, user_id, group_id, role,
                                         configurable_permissions, created_at, updated_at)
                SELECT 1, {u} + {seed['umin']}, {g} + {seed['gmin']},
                       'member', '{{}}', now() AT TIME ZONE 'utc', now() AT TIME ZONE 'utc'
                FROM generate_series({k0}::bigint, {k0 + need - 1}::bigint) k
                ORDER BY 2, 3;
                SET session_replication_role = origin;
                DELETE FROM membership_counts;
                INSERT INTO membership_counts (instance_id, slot, n)
                SELECT instance_id, 0, count(*) FROM memberships GROUP BY instance_id;""")
        self.pg.sql(self.db_roster, "VACUUM ANALYZE memberships;")
        seed["next_k"] = k0 + need
        total = int(self.pg.sql(self.db_roster, "SELECT count(*) FROM memberships;", fetch=True)[0][0])
        log(f"  postgres: {have} memberships made through the API, {need} added by SQL "
            f"in {time.time() - t:.1f} s (then VACUUM ANALYZE) -> {total}")
        return {"through_api": have, "by_sql": need, "total": total,
                "seconds": round(time.time() - t, 1)}

    def topup_sqlite(self, path, seed):
        t = time.time()
        c = sqlite3.connect(path, timeout=60)
        c.execute("PRAGMA cache_size = -262144")  # 256 MiB for this bulk load only
        u, g = pair_sql("k")
        have = c.execute("SELECT count(*) FROM memberships").fetchone()[0]
        need = max(0, TARGET_MEMBERSHIPS - have)
        k0 = seed["next_k"]
        ts, perms = c.execute("SELECT created_at, configurable_permissions FROM memberships "
                              "ORDER BY id DESC LIMIT 1").fetchone()
        if need:
            c.execute(f"""
                WITH RECURSIVE s(k) AS (SELECT ? UNION ALL SELECT k + 1 FROM s WHERE k + 1 < ?)
                INSERT INTO memberships (instance_id, user_id, group_id, role,
                                         configurable_permissions, created_at, updated_at)
                SELECT 1, {u} + {seed['umin']}, {g} + {seed['gmin']},
                       'member', ?, ?, ? FROM s ORDER BY 2, 3""", (k0, k0 + need, perms, ts, ts))
            c.commit()
        seed["next_k"] = k0 + need
        total = c.execute("SELECT count(*) FROM memberships").fetchone()[0]
        c.close()
        log(f"  sqlite: {have} memberships made through the API, {need} added by SQL "
            f"in {time.time() - t:.1f} s -> {total}")
        return {"through_api": have, "by_sql": need, "total": total,
                "seconds": round(time.time() - t, 1)}

    def topup_pocketbase(self, pb):
        t = time.time()
        c = sqlite3.connect(str(pb["dir"] / "data.db"), timeout=60)
        c.execute("PRAGMA cache_size = -262144")  # 256 MiB for this bulk load only
        u, g = pair_sql("k")
        have = c.execute("SELECT count(*) FROM memberships").fetchone()[0]
        need = max(0, TARGET_MEMBERSHIPS - have)
        k0 = pb["next_k"]
        ts = c.execute("SELECT created FROM memberships ORDER BY rowid DESC LIMIT 1").fetchone()[0]
        if need:
            c.execute("CREATE TEMP TABLE um (i INTEGER PRIMARY KEY, id TEXT)")
            c.execute("CREATE TEMP TABLE gm (i INTEGER PRIMARY KEY, id TEXT)")
            c.executemany("INSERT INTO um VALUES (?, ?)", enumerate(pb["uids"]))
            c.executemany("INSERT INTO gm VALUES (?, ?)", enumerate(pb["gids"]))
            c.execute(f"""
                WITH RECURSIVE s(k) AS (SELECT ? UNION ALL SELECT k + 1 FROM s WHERE k + 1 < ?)
                INSERT INTO memberships (id, member, team, role, created, updated)
                SELECT substr(lower(hex(randomblob(8))), 1, 15), um.id, gm.id, 'member', ?, ?
                FROM s JOIN um ON um.i = {u} JOIN gm ON gm.i = {g} ORDER BY 2, 3""",
                      (k0, k0 + need, ts, ts))
            c.commit()
        pb["next_k"] = k0 + need
        total = c.execute("SELECT count(*) FROM memberships").fetchone()[0]
        c.close()
        log(f"  pocketbase: {have} memberships made through the API, {need} added by SQL "
            f"in {time.time() - t:.1f} s -> {total}")
        return {"through_api": have, "by_sql": need, "total": total,
                "seconds": round(time.time() - t, 1)}

    # ---- read URL sets

    def roster_read_urls(self, s, seed, tag, id_rows):
        rnd = random.Random(8)
        base = "/instances/bench/memberships?per_page=100&include=user,group"
        sets = {
            "by_group": [f"{base}&group_id={g}" for g in rnd.sample(seed["gids"], 200)],
            "by_user": [f"{base}&user_id={u}" for u in rnd.sample(seed["uids"], 200)],
            "first_page": [base],
        }
        # The cursor of the page after row N: take the format from a real next_cursor and
        # put in the ID of the N-th row (N = 900,000, 900,100, ... in ID order).
        _, first, _ = http("GET", s.base + base, headers={"X-API-KEY": seed["key"]})
        token = first["meta"]["next_cursor"]
        raw = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        if "i" not in raw:
            raise RuntimeError(f"unexpected cursor format {raw}")
        deep = []
        for (mid,) in id_rows:
            raw["i"] = int(mid)
            enc = base64.urlsafe_b64encode(json.dumps(raw, separators=(",", ":")).encode())
            deep.append(f"{base}&cursor={enc.decode().rstrip('=')}")
        sets["deep_cursor_900k"] = deep
        files = {}
        for k, urls in sets.items():
            f = self.work / f"{tag}_urls_{k}.txt"
            f.write_text("\n".join(urls) + "\n")
            files[k] = str(f)
        # Sanity: the deep page starts right after row 900,000.
        _, page, _ = http("GET", s.base + deep[0], headers={"X-API-KEY": seed["key"]})
        if len(page["results"]) != 100:
            raise RuntimeError(f"deep cursor page has {len(page['results'])} rows")
        return files

    def deep_ids_sql(self):
        return ("SELECT id FROM (SELECT id, row_number() OVER (ORDER BY id) AS rn FROM memberships "
                "WHERE instance_id = 1) t WHERE rn >= 900000 AND rn < 905000 AND (rn - 900000) % 100 = 0 "
                "ORDER BY id")

    def pb_read_urls(self, pb):
        rnd = random.Random(8)
        base = "/api/collections/memberships/records?perPage=100&expand=member,team"
        sets = {
            "by_group": [f"{base}&filter=(team='{g}')" for g in rnd.sample(pb["gids"], 200)],
            "by_user": [f"{base}&filter=(member='{u}')" for u in rnd.sample(pb["uids"], 200)],
            "first_page": [base],
            "deep_page_offset_900k": [f"{base}&page={9001 + j}" for j in range(50)],
        }
        files = {}
        for k, urls in sets.items():
            f = self.work / f"pb_urls_{k}.txt"
            f.write_text("\n".join(u.replace("'", "%27").replace("(", "%28").replace(")", "%29")
                                   for u in urls) + "\n")
            files[k] = str(f)
        return files

    # ---- phases

    def run(self):
        a = self.a
        self.work.mkdir(parents=True, exist_ok=True)
        self.raw.mkdir(parents=True, exist_ok=True)
        self.results["machine"] = self.machine()
        self.results["settings"] = {
            "duration_s": a.duration, "warmup_s": a.warmup, "open_loop_s": a.open_duration,
            "read_s": a.read_duration, "levels": a.levels, "rate": a.rate,
            "roster_env": "defaults (ROSTER_WORKERS / ROSTER_POOL_SIZE unset)" if not a.roster_env
            else a.roster_env}
        m = self.results["machine"]
        log(f"machine: {m['nproc']} cores, {m['memory_gib']} GiB, {m['cpu_model']}, "
            f"PostgreSQL {m['postgresql']}, load average {m['load_average_at_start']}")
        extra_env = dict(kv.split("=", 1) for kv in a.roster_env) if a.roster_env else {}

        if a.sweep_only:
            self.sweep("/instances/bench/memberships?include=user,group")
            self.results["machine"]["load_average_at_end"] = list(os.getloadavg())
            return
        log("setup: databases, servers, seeds")
        self.pg.recreate(self.db_roster)
        self.setup_raw()
        sqlite_path = self.work / "roster.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{sqlite_path}{suffix}").unlink(missing_ok=True)
        pg_s = self.start_roster("roster-postgres", self.pg.url(self.db_roster), extra_env)
        sq_s = self.start_roster("roster-sqlite", f"sqlite://{sqlite_path}", extra_env)
        pg_seed = self.seed_roster(pg_s, "postgres")
        sq_seed = self.seed_roster(sq_s, "sqlite")
        # The project's PostgreSQL runs with autovacuum off: analyze the seeded tables as
        # autovacuum would, as bench_raw is (without it the sideload SELECTs plan for a
        # near-empty users table and scan all 10,000 users).
        self.pg.sql(self.db_roster, "ANALYZE;")
        pb_s, pb = (None, None)
        if not a.skip_pocketbase:
            pb_s, pb = self.start_pocketbase()
        self.results["seed_seconds"] = {"roster_postgres": pg_seed["seed_s"],
                                        "roster_sqlite": sq_seed["seed_s"],
                                        "pocketbase": pb["seed_s"] if pb else None}
        create_path = "/instances/bench/memberships?include=user,group"
        top = max(a.levels)

        def roster(name, s, seed, mode, c, **kw):
            r = self.loadgen(name, s, mode, path=create_path,
                             headers=[f"X-API-KEY: {seed['key']}"], users=seed["users"],
                             groups=seed["groups"], start=seed["next_k"], concurrency=c,
                             db=self.db_roster if s is pg_s else None, **kw)
            seed["next_k"] = r["next_k"]
            return r

        def pocketbase(name, mode, c, path, **kw):
            r = self.loadgen(name, pb_s, mode, path=path, headers=[f"Authorization: {pb['token']}"],
                             users=pb["users"], groups=pb["groups"], start=pb["next_k"],
                             concurrency=c, **kw)
            pb["next_k"] = r["next_k"]
            return r

        log("bulk create: 100 memberships per request (include=user,group), raw ceiling beside")
        for i, c in enumerate(a.levels):
            self.pgbench(f"raw_bulk_c{c}", str(self.work / "raw_bulk.sql"), c, base=i * 2_000_000)
            roster(f"pg_bulk_c{c}", pg_s, pg_seed, "roster-bulk", c)
            roster(f"sqlite_bulk_c{c}", sq_s, sq_seed, "roster-bulk", c)
            if pb:
                pocketbase(f"pb_bulk_c{c}", "pb-batch", c, "/api/batch")
            if c == 8:
                # Where the gap lies: Roster's own three statements, sent by pgbench, so
                # without HTTP, JSON or Roster's CPU (see roster_statements_sql).
                self.pgbench("raw_bulk_roster_statements_c8",
                             str(self.work / "raw_bulk_roster_statements.sql"), c, base=8_000_000)
                if pb:
                    # PocketBase's batch without expand (no related records in the answer).
                    pocketbase("pb_bulk_noexpand_c8", "pb-batch-plain", c, "/api/batch")

        log("single create (closed loop), raw single-row INSERT beside")
        for i, c in enumerate(a.levels):
            self.pgbench(f"raw_single_c{c}", str(self.work / "raw_single.sql"), c,
                         base=6_000_000 + i * 500_000)
            roster(f"pg_single_c{c}", pg_s, pg_seed, "roster-single", c)

        # The bulk phases leave PostgreSQL with hundreds of MB of WAL, and a checkpoint
        # triggered by them can be writing it out for a minute or two (the server log
        # shows `checkpoint starting: wal` ... `write=108 s`), stalling commits now and
        # then. Latency is measured on a settled server: finish that work first.
        self.pg.sql(self.pg.admin_db, "CHECKPOINT;")
        log(f"single create, open loop at {a.rate} requests/s")
        roster("pg_single_open", pg_s, pg_seed, "roster-single", 32, rate=a.rate,
               duration=a.open_duration)
        roster("sqlite_single_open", sq_s, sq_seed, "roster-single", 32, rate=a.rate,
               duration=a.open_duration)
        if pb:
            pocketbase("pb_single_open", "pb-single", 32,
                       "/api/collections/memberships/records?expand=member,team",
                       rate=a.rate, duration=a.open_duration)

        log(f"reads at scale: top up to {TARGET_MEMBERSHIPS} memberships by SQL")
        # The three loads run at once (nothing is measured meanwhile).
        jobs = {"postgres": lambda: self.topup_pg(pg_seed),
                "sqlite": lambda: self.topup_sqlite(str(sqlite_path), sq_seed)}
        if pb:
            jobs["pocketbase"] = lambda: self.topup_pocketbase(pb)
        loaded, failures = {}, []

        def job(name, fn):
            try:
                loaded[name] = fn()
            except Exception as e:  # noqa: BLE001 - reported below
                failures.append(f"{name}: {e}")

        threads = [threading.Thread(target=job, args=kv) for kv in jobs.items()]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        if failures:
            raise RuntimeError("top-up failed: " + "; ".join(failures))
        self.results["loaded"] = {k: loaded[k] for k in jobs}
        pg_deep = self.pg.sql(self.db_roster, self.deep_ids_sql() + ";", fetch=True)
        c = sqlite3.connect(str(sqlite_path))
        sq_deep = c.execute(self.deep_ids_sql()).fetchall()
        c.close()
        reads = {"pg": (pg_s, pg_seed, self.roster_read_urls(pg_s, pg_seed, "pg", pg_deep)),
                 "sqlite": (sq_s, sq_seed, self.roster_read_urls(sq_s, sq_seed, "sqlite", sq_deep))}
        log("reads: list pages of 100 with include=user,group, 1 client")
        for tag, (s, seed, files) in reads.items():
            for kind, f in files.items():
                self.loadgen(f"{tag}_read_{kind}", s, "get", urls=f, rows=1,
                             headers=[f"X-API-KEY: {seed['key']}"], concurrency=1,
                             duration=a.read_duration,
                             db=self.db_roster if s is pg_s else None)
        if pb:
            for kind, f in self.pb_read_urls(pb).items():
                self.loadgen(f"pb_read_{kind}", pb_s, "get", urls=f, rows=1,
                             headers=[f"Authorization: {pb['token']}"], concurrency=1,
                             duration=a.read_duration)

        if a.sweep:
            self.sweep(create_path)
        self.results["machine"]["load_average_at_end"] = list(os.getloadavg())

    def sweep(self, create_path):
        """Bulk create on PostgreSQL at 8 clients under other worker and pool sizes."""
        log("sweep: ROSTER_WORKERS x ROSTER_POOL_SIZE, bulk create on PostgreSQL at 8 clients")
        out = []
        # (2, 6) is the default on 2 cores; it runs first and last to show the drift.
        for n, (workers, pool) in enumerate(((2, 6), (1, 2), (1, 4), (2, 4), (2, 16), (4, 6),
                                             (4, 10), (2, 6))):
            db = f"bench_sweep_w{workers}_p{pool}"
            self.pg.recreate(db)
            s = self.start_roster(f"sweep-w{workers}-p{pool}", self.pg.url(db),
                                  {"ROSTER_WORKERS": str(workers), "ROSTER_POOL_SIZE": str(pool)})
            seed = self.seed_roster(s, f"sweep_w{workers}_p{pool}")
            self.pg.sql(db, "ANALYZE;")
            r = self.loadgen(f"sweep{n}_bulk_w{workers}_p{pool}", s, "roster-bulk", path=create_path,
                             headers=[f"X-API-KEY: {seed['key']}"], users=seed["users"],
                             groups=seed["groups"], concurrency=8, db=db)
            out.append({"workers": workers, "pool_size": pool, "rows_per_s": r["rows_per_s"],
                        "p50_ms": r["latency_ms"]["p50"], "p99_ms": r["latency_ms"]["p99"]})
            s.stop()
            self.servers.remove(s)
            self.pg.drop(db)
        self.results["sweep"] = out

    def cleanup(self):
        for s in self.servers:
            try:
                s.stop()
            except Exception as e:  # noqa: BLE001 - best effort at exit
                log(f"stopping {s.name}: {e}")
        if not self.a.keep:
            for db in (self.db_roster, self.db_raw):
                try:
                    self.pg.drop(db)
                except Exception as e:  # noqa: BLE001
                    log(f"dropping {db}: {e}")
            shutil.rmtree(self.work, ignore_errors=True)


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--roster", default=str(ROOT / "target" / "release" / "roster"))
    p.add_argument("--roster-rev", default="",
                   help="what the Roster binary was built from (default: git HEAD of this tree)")
    p.add_argument("--loadgen", default=str(BENCH / ".build" / "loadgen"))
    p.add_argument("--pocketbase", default=str(BENCH / ".venv" / "bin" / "pocketbase"))
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL",
                                                      "postgres://postgres@127.0.0.1:5432/test"))
    p.add_argument("--duration", type=float, default=float(os.environ.get("BENCH_DURATION", 6)),
                   help="measured seconds of each throughput phase")
    p.add_argument("--warmup", type=float, default=1.0)
    p.add_argument("--open-duration", type=float, default=float(os.environ.get("BENCH_OPEN_DURATION", 10)))
    p.add_argument("--read-duration", type=float, default=float(os.environ.get("BENCH_READ_DURATION", 3)))
    p.add_argument("--rate", type=float, default=500.0, help="open-loop requests/s")
    p.add_argument("--levels", default="1,8,32")
    p.add_argument("--roster-env", action="append", default=[],
                   help="extra ROSTER_*=value for both Roster servers (default: none)")
    p.add_argument("--skip-pocketbase", action="store_true")
    p.add_argument("--sweep", action="store_true",
                   help="also try worker/pool sizes (about 2 more minutes)")
    p.add_argument("--sweep-only", action="store_true", help="only the worker/pool sweep")
    p.add_argument("--keep", action="store_true", help="keep databases and bench/.work")
    p.add_argument("--tag", default="", help="suffix of the results file names")
    a = p.parse_args()
    a.levels = [int(x) for x in a.levels.split(",")]
    a.roster, a.loadgen, a.pocketbase = (str(Path(x).resolve()) for x in (a.roster, a.loadgen, a.pocketbase))
    for tool in ("psql", "pgbench"):
        if not shutil.which(tool):
            sys.exit(f"{tool} is not installed (Debian: apt-get install postgresql-client)")
    for path in (a.roster, a.loadgen) + (() if a.skip_pocketbase else (a.pocketbase,)):
        if not Path(path).exists():
            sys.exit(f"missing {path}: run bench/run.sh")
    b = Bench(a)
    t0 = time.time()
    try:
        b.run()
    finally:
        b.cleanup()
    b.results["bench_seconds"] = round(time.time() - t0, 1)
    if os.environ.get("BENCH_BUILD_SECONDS"):
        b.results["build_seconds"] = float(os.environ["BENCH_BUILD_SECONDS"])
    sys.path.insert(0, str(BENCH))
    import report  # noqa: E402

    name = b.stamp.strftime("%Y-%m-%d") + (f"-{a.tag}" if a.tag else "")
    paths = report.write(b.results, BENCH / "results", name)
    log(f"done in {b.results['bench_seconds']:.0f} s: " + ", ".join(str(p.relative_to(ROOT)) for p in paths))


if __name__ == "__main__":
    main()
