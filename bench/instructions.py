#!/usr/bin/env python3
"""Roster's own instructions per bulk create, counted by callgrind: a figure that does
not move with the machine's load, for comparing two builds of Roster (the timed phases
of bench/run.sh and bench/quick.py move by ±10% from run to run on this shared machine).

For each binary given, starts it under `valgrind --tool=callgrind` with collection off,
on a fresh database, seeds 10,000 users and 1,000 groups through the API, then turns
collection on and runs bulk creates of 100 memberships (include=user,group) from one
client (or --clients) for --seconds, turns it off and prints Roster's instructions per
request (all its threads; the database's own work is not counted, and on SQLite the engine runs
inside Roster's process, so it is).

    bench/.venv/bin/python bench/instructions.py --backend postgres \\
        --roster /tmp/roster-before,target/release/roster

Needs valgrind and bench/run.sh's builds (target/release/roster, bench/.build/loadgen).
"""

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402


def callgrind(pid, *args):
    subprocess.run(["callgrind_control", *args, str(pid)], check=True, capture_output=True)


def total_ir(out_dir):
    """The instructions in every dump of the run's output files (`totals:`; the
    `summary:` line of a dump taken on request reads 0)."""
    total = 0
    for f in Path(out_dir).glob("callgrind.out.*"):
        for line in f.read_text(errors="replace").splitlines():
            m = re.match(r"totals: (\d+)", line)
            if m:
                total += int(m.group(1))
                break
    return total


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--roster", default=str(B.ROOT / "target" / "release" / "roster"),
                   help="binaries to compare, comma-separated")
    p.add_argument("--seconds", type=float, default=20)
    p.add_argument("--clients", type=int, default=1,
                   help="concurrent clients (on SQLite, more than one forms commit groups)")
    p.add_argument("--loadgen", default=str(B.BENCH / ".build" / "loadgen"))
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    q = p.parse_args()
    pg = q.backend == "postgres"
    for binary in q.roster.split(","):
        a = argparse.Namespace(roster=binary, loadgen=q.loadgen, pg_url=q.pg_url, roster_rev="",
                               keep=False, duration=q.seconds, warmup=0.0)
        b = B.Bench(a)
        b.db_roster, b.db_raw, b.work = "bench_instr_pg", "bench_instr_raw", B.BENCH / ".work-instr"
        b.raw = b.work / "raw"
        b.raw.mkdir(parents=True, exist_ok=True)
        out_dir = B.BENCH / ".work-callgrind" / f"{time.time():.0f}"
        out_dir.mkdir(parents=True)
        try:
            if pg:
                b.pg.recreate(b.db_roster)
                url = b.pg.url(b.db_roster)
            else:
                db = b.work / "instr.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                url = f"sqlite://{db}"
            server = start_under_callgrind(b, url, out_dir)
            seed = b.seed_roster(server, "instr")
            if pg:
                b.pg.sql(b.db_roster, "ANALYZE;")
            callgrind(server.pid, "--zero")
            callgrind(server.pid, "--instr=on")
            r = b.loadgen("instr", server, "roster-bulk",
                          path="/instances/bench/memberships?include=user,group",
                          headers=[f"X-API-KEY: {seed['key']}"], users=seed["users"],
                          groups=seed["groups"], start=seed["next_k"], concurrency=q.clients,
                          db=b.db_roster if pg else None)
            callgrind(server.pid, "--instr=off")
            callgrind(server.pid, "--dump")
            server.stop()
            b.servers.remove(server)
            ir = total_ir(out_dir)
            n = max(1, r["completed"])
            print(f"RESULT {binary}: {n} requests, {ir / n / 1e6:.3f} M instructions per request "
                  f"(100 rows)", flush=True)
        finally:
            b.cleanup()


def start_under_callgrind(b, url, out_dir):
    port = B.free_port()
    env = {k: v for k, v in B.os.environ.items() if not k.startswith("ROSTER_")}
    env.update({"ROSTER_DATABASE_URL": url, "ROSTER_BIND": f"127.0.0.1:{port}",
                "ROSTER_ACCOUNT_KEY": B.ACCOUNT_KEY})
    cmd = ["valgrind", "--tool=callgrind", "--instr-atstart=no",
           f"--callgrind-out-file={out_dir}/callgrind.out.%p", b.a.roster]
    s = B.Server("roster-callgrind", cmd, env, str(b.work), b.raw / "callgrind.log", port)
    b.servers.append(s)
    s.wait_ready("/healthz", timeout=180)
    return s


if __name__ == "__main__":
    main()
