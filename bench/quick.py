#!/usr/bin/env python3
"""One Roster phase on a fresh database, for A/B comparisons between binaries or
settings (the full run, bench/run.sh, continues each phase on the database the earlier
phases filled).

For each setting in --envs (`;` between settings, `,` between variables), starts the
Roster binary --roster on a fresh database (SQLite in --dir, or a new PostgreSQL
database), seeds 10,000 users and 1,000 groups through the API, and runs the load
generator at each of --clients: bulk creates of 100 memberships (`--mode roster-bulk`,
include=user,group) or single creates (`--mode roster-single`, with --rate for an open
loop). Prints one line per setting: rows/s, latency, Roster's CPU per request,
PostgreSQL's CPU per request, and peak RSS.

    bench/.venv/bin/python bench/quick.py --backend sqlite --clients 8,32 \\
        --envs "ROSTER_POOL_SIZE=6;ROSTER_POOL_SIZE=16"
    bench/.venv/bin/python bench/quick.py --backend postgres --clients 32 \\
        --mode roster-single --rate 500 --seconds 10

Needs bench/run.sh's builds (target/release/roster, bench/.build/loadgen).
"""

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench as B  # noqa: E402


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=("postgres", "sqlite"), default="sqlite")
    p.add_argument("--clients", default="1,8,32")
    p.add_argument("--envs", default="", help='e.g. "ROSTER_POOL_SIZE=6;ROSTER_POOL_SIZE=16"')
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--mode", default="roster-bulk", choices=("roster-bulk", "roster-single"))
    p.add_argument("--rate", type=float, default=0.0, help="open-loop requests/s (0: closed loop)")
    p.add_argument("--roster", default=str(B.ROOT / "target" / "release" / "roster"))
    p.add_argument("--loadgen", default=str(B.BENCH / ".build" / "loadgen"))
    p.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/test")
    p.add_argument("--dir", default=None, help="where the SQLite database goes (default bench/.work-quick)")
    q = p.parse_args()
    a = argparse.Namespace(roster=q.roster, loadgen=q.loadgen, pg_url=q.pg_url, roster_rev="",
                           keep=False, duration=q.seconds, warmup=1.0)
    b = B.Bench(a)
    # Names of its own, so that it never touches a running benchmark's databases.
    b.db_roster, b.db_raw, b.work = "bench_quick_pg", "bench_quick_raw", B.BENCH / ".work-quick"
    b.raw = b.work / "raw"
    b.raw.mkdir(parents=True, exist_ok=True)
    pg = q.backend == "postgres"
    try:
        for setting in (q.envs.split(";") if q.envs else [""]):
            extra = dict(kv.split("=", 1) for kv in setting.split(",") if kv)
            if pg:
                b.pg.recreate(b.db_roster)
                url = b.pg.url(b.db_roster)
            else:
                db = Path(q.dir or b.work) / "quick.db"
                for suffix in ("", "-wal", "-shm"):
                    Path(f"{db}{suffix}").unlink(missing_ok=True)
                url = f"sqlite://{db}"
            s = b.start_roster(f"quick{time.time():.0f}", url, extra)
            seed = b.seed_roster(s, "quick")
            if pg:
                b.pg.sql(b.db_roster, "ANALYZE;")
            out = []
            for c in map(int, q.clients.split(",")):
                r = b.loadgen(f"quick_c{c}", s, q.mode, rate=q.rate,
                              path="/instances/bench/memberships?include=user,group",
                              headers=[f"X-API-KEY: {seed['key']}"], users=seed["users"],
                              groups=seed["groups"], start=seed["next_k"], concurrency=c,
                              db=b.db_roster if pg else None)
                seed["next_k"] = r["next_k"]
                cpu, lat, n = r["cpu"], r["latency_ms"], max(1, r["completed"])
                out.append(f"c{c}: {r['rows_per_s']:,.0f} rows/s, p50 {lat['p50']} p99 {lat['p99']} "
                           f"p99.9 {lat['p999']} ms, CPU per request Roster "
                           f"{cpu['server_cpu_s'] * 1000 / n:.3f} PostgreSQL "
                           f"{cpu.get('db_cpu_s', 0) * 1000 / n:.3f} ms, RSS "
                           f"{cpu.get('server_rss_max_mib')} MiB")
            print(f"RESULT {setting or 'defaults'}: " + "; ".join(out), flush=True)
            s.stop()
            b.servers.remove(s)
    finally:
        b.cleanup()


if __name__ == "__main__":
    main()
