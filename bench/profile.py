#!/usr/bin/env python3
"""Where Roster's bulk create spends its time: perf profiles under load.

Starts Roster (release build) on a fresh database, seeds 10,000 users and 1,000 groups,
runs bulk creates (100 memberships, include=user,group) at --clients clients, and while
they run records, with `perf record` (software cpu-clock sampling, so it works without
hardware counters), Roster's process with DWARF call graphs and, on PostgreSQL, the
backends serving it. Writes text reports to bench/results/raw/profile-<time>/.

    bench/.venv/bin/python bench/profile.py [--backend postgres|sqlite] [--clients 8] [--seconds 10]

Needs perf (Debian: linux-perf) and a built target/release/roster and bench/.build/loadgen
(bench/run.sh builds both).
"""

import argparse
import json
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402

PG_FUNCS = ("PostgresMain|exec_bind_message|exec_parse_message|exec_execute_message|"
            "exec_simple_query|pg_parse_query|pg_analyze_and_rewrite|pg_plan_queries|"
            "GetCachedPlan|standard_ExecutorStart|standard_ExecutorRun|ExecInsertIndexTuples|"
            "heap_insert|AfterTriggerEndQuery|ExecScan|index_getnext_slot|SeqNext|"
            "CommitTransactionCommand|XLogFlush|XLogInsert|printtup|secure_read|secure_write")


def report(data, out, extra_args, grep=None, limit=60):
    cmd = ["perf", "report", "-i", str(data), "--stdio", *extra_args]
    r = subprocess.run(cmd, capture_output=True, text=True)
    lines = [re.sub(r"\s{2,}", " ", l).rstrip(" -") for l in r.stdout.splitlines()
             if l.strip() and not l.startswith("#")]
    if grep:
        lines = [l for l in lines if re.search(grep, l) and "(inlined)" not in l]
    out.write_text("\n".join(l[:220] for l in lines[:limit]) + "\n")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("postgres", "sqlite"), default="postgres")
    p.add_argument("--clients", type=int, default=8)
    p.add_argument("--seconds", type=float, default=10)
    p.add_argument("--roster", default=str(B.ROOT / "target" / "release" / "roster"))
    p.add_argument("--loadgen", default=str(B.BENCH / ".build" / "loadgen"))
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    a = p.parse_args()
    if not shutil.which("perf"):
        sys.exit("perf is not installed (Debian: apt-get install linux-perf)")
    a.roster_rev, a.keep, a.duration, a.warmup = "", False, a.seconds, 1.0
    b = B.Bench(a)
    # Names of its own, so that it never touches a running benchmark's databases.
    b.db_roster, b.db_raw, b.work = "bench_profile_pg", "bench_profile_raw", B.BENCH / ".work-profile"
    out = B.BENCH / "results" / "raw" / f"profile-{b.stamp.strftime('%Y-%m-%dT%H%M%SZ')}-{a.backend}"
    out.mkdir(parents=True, exist_ok=True)
    b.raw = out
    b.work.mkdir(parents=True, exist_ok=True)
    try:
        if a.backend == "postgres":
            b.pg.recreate(b.db_roster)
            s = b.start_roster("roster", b.pg.url(b.db_roster))
        else:
            db = b.work / "profile.db"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db}{suffix}").unlink(missing_ok=True)
            s = b.start_roster("roster", f"sqlite://{db}")
        seed = b.seed_roster(s, "profile")
        if a.backend == "postgres":
            b.pg.sql(b.db_roster, "ANALYZE;")
        total = a.seconds + 4
        load = subprocess.Popen([a.loadgen, "--url", s.base, "--mode", "roster-bulk",
                                 "--path", "/instances/bench/memberships?include=user,group",
                                 "--header", f"X-API-KEY: {seed['key']}", "--users", seed["users"],
                                 "--groups", seed["groups"], "--concurrency", str(a.clients),
                                 "--duration", str(total - 1), "--warmup", "1",
                                 "--out", str(out / "load.json")])
        time.sleep(2)
        recs = [subprocess.Popen(["perf", "record", "-F", "499", "--call-graph", "dwarf,16384",
                                  "-p", str(s.pid), "-o", str(out / "roster.data"), "--",
                                  "sleep", str(a.seconds)],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
        if a.backend == "postgres":
            pids = b.pg.backend_pids(b.db_roster)
            recs.append(subprocess.Popen(["perf", "record", "-F", "499", "-g", "-p",
                                          ",".join(map(str, pids)), "-o", str(out / "postgres.data"),
                                          "--", "sleep", str(a.seconds)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        for r in recs:
            r.wait()
        load.wait()
        B.log("writing reports")
        report(out / "roster.data", out / "roster.self.txt",
               ["--no-children", "--sort", "dso,symbol", "-g", "none"])
        report(out / "roster.data", out / "roster.inclusive.txt",
               ["--children", "--sort", "symbol", "-g", "none"],
               grep=r"roster::|sqlite3|PQ|serde_json::(de|ser)|_int_malloc|malloc_consolidate|"
                    r"drop_in_place<serde_json|with_prepared_query|walk_ast|collect_binds|"
                    r"tracing_actix_web|actix_http::h1::dispatcher", limit=80)
        if a.backend == "postgres":
            report(out / "postgres.data", out / "postgres.self.txt",
                   ["--no-children", "--sort", "symbol", "-g", "none"])
            report(out / "postgres.data", out / "postgres.inclusive.txt",
                   ["--children", "--sort", "symbol", "-g", "none"], grep=PG_FUNCS)
        r = json.loads((out / "load.json").read_text())
        B.log(f"load: {r['rows_per_s']:.0f} rows/s, p50 {r['latency_ms']['p50']} ms; reports in {out}")
        for f in ("roster.data", "postgres.data"):
            (out / f).unlink(missing_ok=True)
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
