#!/usr/bin/env python3
"""SQLite's own speed for Roster's bulk insert: the SQLite counterpart of the pgbench
ceiling, without Roster.

Applies migrations/sqlite/*/up.sql to a fresh file, seeds 10,000 users and 1,000 groups,
then for --seconds inserts 100 memberships per transaction (BEGIN IMMEDIATE, one
multi-row INSERT ... RETURNING, COMMIT) with Roster's pragmas (WAL, synchronous=NORMAL,
foreign_keys=ON), from one thread (SQLite has one writer). Two pair orders:
`scattered` (the harness's permutation: 100 different users and groups per
transaction) and `clustered` (100 consecutive users of one group, as an import of one
team would be), because index locality decides how many pages each COMMIT writes.
A third run takes the scattered pairs with checkpoints off the writer
(`wal_autocheckpoint = 0`), as Roster does (its maintenance thread checkpoints), and a
fourth puts four bulks in each transaction, each in a savepoint, as Roster's group
commit does when writers queue together.

    python3 bench/sqlite_ceiling.py [--seconds 5]
"""

import argparse
import glob
import os
import sqlite3
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def pair(k, clustered):
    q, r = (k // 10000) % 1000, k % 10000
    if clustered:
        return r + 1, q + 1
    u = (r * 7777) % 10000
    return u + 1, (q + u * 7919) % 1000 + 1


def run(path, clustered, seconds, writer_checkpoints=True, per_transaction=1):
    for f in glob.glob(f"{path}*"):
        os.remove(f)
    c = sqlite3.connect(path, isolation_level=None)
    for up in sorted((ROOT / "migrations" / "sqlite").glob("*/up.sql")):
        c.executescript(up.read_text())
    c.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;")
    if not writer_checkpoints:
        c.execute("PRAGMA wal_autocheckpoint = 0")
    t0 = "2026-11-22 10:00:00.000000"
    c.execute("INSERT INTO instances (id, name, created_at, updated_at) VALUES (1, 'bench', ?, ?)", (t0, t0))
    c.execute("BEGIN")
    c.executemany("INSERT INTO users (instance_id, id, username, principal, created_at, updated_at) "
                  "VALUES (1, ?, ?, 'user', ?, ?)", [(i, f"user{i}", t0, t0) for i in range(1, 10001)])
    c.executemany("INSERT INTO groups (instance_id, id, name, created_at, updated_at) "
                  "VALUES (1, ?, ?, ?, ?)", [(i, f"group{i}", t0, t0) for i in range(1, 1001)])
    c.execute("COMMIT")
    sql = ("INSERT INTO memberships (instance_id, user_id, group_id, role, configurable_permissions, "
           "created_at, updated_at) VALUES "
           + ",".join([f"(1, ?, ?, 'member', '{{}}', '{t0}', '{t0}')"] * 100) + " RETURNING *")
    k, n, in_commit, start = 0, 0, 0.0, time.time()
    while time.time() - start < seconds:
        c.execute("BEGIN IMMEDIATE")
        for _ in range(per_transaction):
            params = []
            for _ in range(100):
                params += pair(k, clustered)
                k += 1
            if per_transaction > 1:
                c.execute("SAVEPOINT bulk")
            c.execute(sql, params).fetchall()
            if per_transaction > 1:
                c.execute("RELEASE bulk")
            n += 100
        t = time.time()
        c.execute("COMMIT")
        in_commit += time.time() - t
    took = time.time() - start
    c.close()
    return n / took, in_commit / took


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seconds", type=float, default=5)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        for name, clustered, ckpt, per_tx in (
                ("scattered pairs", False, True, 1),
                ("clustered pairs", True, True, 1),
                ("scattered pairs, no writer checkpoints", False, False, 1),
                ("scattered pairs, no writer checkpoints, 4 bulks a transaction", False, False, 4)):
            rate, commit = run(os.path.join(d, "ceiling.db"), clustered, a.seconds, ckpt, per_tx)
            print(f"SQLite ceiling, {name}: {rate:,.0f} rows/s (COMMIT {commit:.0%} of the time)")


if __name__ == "__main__":
    main()
