#!/usr/bin/env python3
"""The change feed's speed (API.md §9, §10): from a write's commit to its event's
arrival at a webhook receiver, at a long-polling client and at a Server-Sent Events
client, at a steady rate of single creates; then reading the feed back in pages of
1,000.

For each backend, starts target/release/roster on a fresh database (SQLite in
bench/.work-feed, or a new PostgreSQL database), a receiver on 127.0.0.1 that
answers 200 at once, and an endpoint for `user.created` pointing at it
(ROSTER_WEBHOOK_ALLOW_PRIVATE=true). Then creates single users at --rate per second,
open loop (each request sent at its scheduled time, whatever the previous ones did),
for --seconds after a warm-up, and reports, over the measured events:

- from the response: arrival minus the moment the create's 201 was read (the commit
  came before it, so this is at most the true latency, less the response's trip);
- from occurred_at: arrival minus the event's occurred_at (taken in the write's
  transaction before its commit, on the same clock: at least the true latency).

The long-poll client loops on `GET …/events?after=N&wait=30&types=user.created`; the
SSE client reads `…/events/stream?types=user.created`; both note each event's arrival
as the receiver does (the same two measures).

Then --bulk users are created in bulks of 100, and the whole feed is read back in
pages of 1,000 (`?after=…&limit=1000`, one client), three times: events per second.

Targets: p50 <= 50 ms, p99 <= 500 ms for each of the three; >= 50,000 events/s read.
Needs only Python's standard library.

    cargo build --release && python3 bench/feed.py --backend both
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


def occurred_of(event):
    return datetime.fromisoformat(event["occurred_at"].replace("Z", "+00:00")).timestamp()


def long_poll(port, key, arrivals, stop):
    """Tails the feed with long-polls, noting each user.created's arrival."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    _, body = request(conn, "GET", "/instances/bench/events?after=0&limit=1000", key)
    after = body["meta"]["next_after"]
    while not stop.is_set():
        _, body = request(conn, "GET", f"/instances/bench/events?after={after}&wait=5&limit=1000&types=user.created", key)
        now = time.time()
        for r in body["results"]:
            e = body["events"][r["id"]]
            arrivals.setdefault(e["object_id"], (now, occurred_of(e)))
        after = body["meta"]["next_after"]


def sse(port, key, arrivals, stop):
    """Reads the stream, noting each user.created's arrival."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.request("GET", "/instances/bench/events/stream?types=user.created", headers={"X-API-KEY": key})
    res = conn.getresponse()
    while not stop.is_set():
        line = res.readline()
        if not line:
            return
        if line.startswith(b"data: "):
            now = time.time()
            e = json.loads(line[6:])
            arrivals.setdefault(e["object_id"], (now, occurred_of(e)))


def read_back(port, key, n_bulk):
    """Creates n_bulk users in bulks of 100, then reads the whole feed in pages of 1,000
    three times; the best events/s, and the feed's length."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    for b in range(n_bulk // 100):
        users = [{"username": f"bulk{b}_{i}"} for i in range(100)]
        status, _ = request(conn, "POST", "/instances/bench/users", key, {"users": users})
        assert status == 201, status
    rates = []
    for _ in range(3):
        after, n, t0 = "0", 0, time.time()
        while True:
            _, body = request(conn, "GET", f"/instances/bench/events?after={after}&limit=1000", key)
            n += len(body["results"])
            if body["meta"]["next_after"] == after:
                break
            after = body["meta"]["next_after"]
        rates.append(n / (time.time() - t0))
    return rates, n


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.time()
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()
        event = json.loads(body)
        occurred = occurred_of(event)
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
        db = "bench_feed"
        admin = a.pg_url
        subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {db} WITH (FORCE)"], check=True)
        subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {db}"], check=True)
        url = admin.rsplit("/", 1)[0] + "/" + db
    else:
        work = ROOT / "bench" / ".work-feed"
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
        stop = threading.Event()
        polled, streamed = {}, {}
        threading.Thread(target=long_poll, args=(port, key, polled, stop), daemon=True).start()
        threading.Thread(target=sse, args=(port, key, streamed, stop), daemon=True).start()
        time.sleep(0.5)

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
        time.sleep(1)
        stop.set()
        sent = sum(1 for _, i in answered.values() if i >= measured_from)
        ok = sent > 0 and not failures
        for name, arrivals in (("webhook", receiver.arrivals), ("long-poll", polled), ("SSE", streamed)):
            from_response, from_occurred, missing = [], [], 0
            for uid, (t, i) in answered.items():
                if i < measured_from:
                    continue
                got = arrivals.get(uid)
                if got is None:
                    missing += 1
                    continue
                from_response.append((got[0] - t) * 1000)
                from_occurred.append((got[0] - got[1]) * 1000)
            extra = ""
            if name == "webhook":
                extra = f", {len(receiver.ids) - len(set(receiver.ids))} duplicates"
            print(f"{backend}: {name}: {a.rate:.0f} creates/s for {a.seconds:.0f} s, {sent} measured events, "
                  f"{missing} not delivered{extra}, {len(failures)} failed creates; "
                  f"from the response p50 {pct(from_response, .5):.1f} ms p99 {pct(from_response, .99):.1f} ms "
                  f"max {max(from_response, default=float('nan')):.1f} ms; "
                  f"from occurred_at p50 {pct(from_occurred, .5):.1f} ms p99 {pct(from_occurred, .99):.1f} ms",
                  flush=True)
            ok = ok and missing == 0
        rates, n = read_back(port, key, a.bulk)
        print(f"{backend}: reading {n} events back in pages of 1,000: "
              + ", ".join(f"{r:,.0f}" for r in rates) + " events/s", flush=True)
        return ok
    finally:
        server.terminate()
        server.wait(timeout=30)
        receiver.shutdown()
        if backend == "postgres":
            subprocess.run(["psql", a.pg_url, "-qc", "DROP DATABASE IF EXISTS bench_feed WITH (FORCE)"])


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    p.add_argument("--rate", type=float, default=200)
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--warmup", type=float, default=2)
    p.add_argument("--bulk", type=int, default=50_000, help="users created in bulks before the read-back")
    p.add_argument("--roster", default=str(ROOT / "target" / "release" / "roster"))
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    a = p.parse_args()
    backends = ("sqlite", "postgres") if a.backend == "both" else (a.backend,)
    ok = all([run(b, a) for b in backends])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
