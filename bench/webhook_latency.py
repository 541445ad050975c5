#!/usr/bin/env python3
"""Webhook latency (API.md §10): from a write's commit to its event's arrival at a
receiver, at a steady rate of single creates.

For each backend, starts target/release/roster on a fresh database (SQLite in
bench/.work-webhooks, or a new PostgreSQL database), a receiver on 127.0.0.1 that
answers 200 at once, and an endpoint for `user.created` pointing at it
(ROSTER_WEBHOOK_ALLOW_PRIVATE=true). Then creates single users at --rate per second,
open loop (each request sent at its scheduled time, whatever the previous ones did),
for --seconds after a warm-up, and reports, over the measured events:

- from the response: arrival minus the moment the create's 201 was read (the commit
  came before it, so this is at most the true latency, less the response's trip);
- from occurred_at: arrival minus the event's occurred_at (taken in the write's
  transaction before its commit, on the same clock: at least the true latency).

Target: p50 <= 50 ms, p99 <= 500 ms. Needs only Python's standard library.

    cargo build --release && python3 bench/webhook_latency.py --backend both
"""

import argparse
import http.client
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ACCOUNT_KEY = "rk_webhookbench" + "x" * 32


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Receiver(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self):
        self.arrivals = {}  # user id -> (arrival time, occurred_at as epoch seconds)
        self.ids = []
        self.lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), Handler)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.time()
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
        event = json.loads(body)
        occurred = datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00")).timestamp()
        with self.server.lock:
            self.server.ids.append(self.headers["webhook-id"])
            self.server.arrivals[event["object_id"]] = (now, occurred)

    def log_message(self, *args):
        pass


def request(conn, method, path, key, body=None):
    headers = {"X-API-KEY": key, "Content-Type": "application/json"}
    conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    res = conn.getresponse()
    data = res.read()
    return res.status, json.loads(data) if data else None


def pct(values, q):
    if not values:
        return float("nan")
    s = sorted(values)
    return s[min(len(s) - 1, int(q * len(s)))]


def run(backend, a):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ROSTER_")}
    if backend == "postgres":
        db = "bench_webhooks"
        admin = a.pg_url
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)
        url = admin.rsplit("/", 1)[0] + "/" + db
    else:
        work = ROOT / "bench" / ".work-webhooks"
        work.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{work}/hooks.db{suffix}").unlink(missing_ok=True)
        url = f"sqlite://{work}/hooks.db"
    env.update({"ROSTER_DATABASE_URL": url, "ROSTER_BIND": f"127.0.0.1:{port}",
                "ROSTER_ACCOUNT_KEY": ACCOUNT_KEY, "ROSTER_WEBHOOK_ALLOW_PRIVATE": "true",
                "ROSTER_LOG": "warn"})
    server = subprocess.Popen([a.roster], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    receiver = Receiver()
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    try:
        for _ in range(300):
            try:
                c = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                c.request("GET", "/readyz")
                if c.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        request(conn, "POST", "/instances", ACCOUNT_KEY, {"instance": {"name": "bench"}})
        _, k = request(conn, "POST", "/instances/bench/api_keys", ACCOUNT_KEY, {"api_key": {"role": "admin"}})
        key = next(iter(k["api_keys"].values()))["key"]
        hook_url = f"http://127.0.0.1:{receiver.server_address[1]}/hook"
        status, _ = request(conn, "POST", "/instances/bench/webhooks", key,
                            {"webhook": {"url": hook_url, "types": ["user.created"]}})
        assert status == 201, status

        local = threading.local()
        answered = {}  # user id -> when its 201 was read
        failures = []

        def create(i, due):
            delay = due - time.time()
            if delay > 0:
                time.sleep(delay)
            if not hasattr(local, "conn"):
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                status, body = request(local.conn, "POST", "/instances/bench/users", key,
                                       {"user": {"username": f"u{i}"}})
            except OSError as e:
                local.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                failures.append(str(e))
                return
            t = time.time()
            if status != 201:
                failures.append(status)
                return
            uid = body["results"][0]["id"]
            answered[uid] = (t, i)

        total = int((a.warmup + a.seconds) * a.rate)
        start = time.time() + 0.2
        with ThreadPoolExecutor(max_workers=32) as pool:
            for i in range(total):
                pool.submit(create, i, start + i / a.rate)
        measured_from = int(a.warmup * a.rate)
        deadline = time.time() + 15
        while time.time() < deadline and len(receiver.arrivals) < len(answered):
            time.sleep(0.05)
        from_response, from_occurred, missing = [], [], 0
        for uid, (t, i) in answered.items():
            if i < measured_from:
                continue
            got = receiver.arrivals.get(uid)
            if got is None:
                missing += 1
                continue
            from_response.append((got[0] - t) * 1000)
            from_occurred.append((got[0] - got[1]) * 1000)
        dupes = len(receiver.ids) - len(set(receiver.ids))
        sent = sum(1 for _, i in answered.values() if i >= measured_from)
        line = (f"{backend}: {a.rate:.0f} creates/s for {a.seconds:.0f} s, {sent} measured events, "
                f"{missing} not delivered, {dupes} duplicates, {len(failures)} failed creates; "
                f"from the response p50 {pct(from_response, .5):.1f} ms p99 {pct(from_response, .99):.1f} ms "
                f"max {max(from_response, default=float('nan')):.1f} ms; "
                f"from occurred_at p50 {pct(from_occurred, .5):.1f} ms p99 {pct(from_occurred, .99):.1f} ms")
        print(line, flush=True)
        return missing == 0 and sent > 0
    finally:
        server.terminate()
        server.wait(timeout=30)
        receiver.shutdown()
        if backend == "postgres":
            subprocess.run(["psql", a.pg_url, "-qc", "DROP DATABASE IF EXISTS bench_webhooks WITH (FORCE)"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--roster", default=str(ROOT / "target" / "release" / "roster"))
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    a = p.parse_args()
    backends = ("sqlite", "postgres") if a.backend == "both" else (a.backend,)
    ok = all([run(b, a) for b in backends])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
