"""Turns one run's results (bench.py) into bench/results/<name>.{json,md,svg}.

`python3 bench/report.py bench/results/<name>.json` rewrites the .md and .svg from a
stored .json (handy after editing this file)."""

import json
import math
import sys
from pathlib import Path

TARGETS = {
    "bulk_pg_vs_raw_c8": 0.7,
    "single_pg_vs_raw": 0.6,
    "single_p99_ms_at_500": 5.0,
    "bulk_sqlite_rows_s": 60_000,
    "bulk_sqlite_vs_pb": 10.0,
    "list_p50_ms": 5.0,
    "deep_vs_first": 1.2,
    "rss_mib": 64.0,
}


def fnum(x, digits=0):
    if x is None:
        return "n/a"
    if isinstance(x, float) and x != x:
        return "n/a"
    if digits == 0:
        return f"{x:,.0f}"
    return f"{x:,.{digits}f}"


def ratio(a, b):
    if a is None or b is None or not b:
        return None
    return a / b


def fratio(r):
    return "n/a" if r is None else f"{r:.2f}×"


def cpu_per_row(p):
    """CPU ms of server + database + load generator per row made, in the window."""
    if not p or not p.get("cpu") or not p.get("ok"):
        return None
    c = p["cpu"]
    total = sum(c.get(k, 0.0) for k in ("server_cpu_s", "db_cpu_s", "client_cpu_s"))
    return total * 1000 / (p["ok"] * p["rows_per_request"])


def summarize(res):
    ph = res["phases"]
    g = ph.get
    levels = res["settings"]["levels"]
    s = {"bulk": [], "single": [], "open_loop": {}, "reads": {}, "rss_mib": {}, "cpu_ms_per_request": {}}
    for c in levels:
        raw, pg, sq, pb = (g(f"raw_bulk_c{c}"), g(f"pg_bulk_c{c}"), g(f"sqlite_bulk_c{c}"),
                           g(f"pb_bulk_c{c}"))
        row = {"clients": c}
        for k, p in (("raw", raw), ("roster_pg", pg), ("roster_sqlite", sq), ("pocketbase", pb)):
            if p:
                row[k] = {"rows_per_s": p["rows_per_s"], "p50_ms": p["latency_ms"]["p50"],
                          "p99_ms": p["latency_ms"]["p99"], "errors": p["errors"],
                          "queries": p["query_count"]["mean"]}
        row["pg_over_raw"] = ratio(pg and pg["rows_per_s"], raw and raw["rows_per_s"])
        row["pg_over_raw_by_cpu"] = ratio(cpu_per_row(raw), cpu_per_row(pg))
        row["sqlite_over_pb"] = ratio(sq and sq["rows_per_s"], pb and pb["rows_per_s"])
        pbn = g(f"pb_bulk_noexpand_c{c}")
        if pbn:
            row["pocketbase_noexpand"] = {"rows_per_s": pbn["rows_per_s"], "p50_ms": pbn["latency_ms"]["p50"],
                                          "p99_ms": pbn["latency_ms"]["p99"], "errors": pbn["errors"]}
            row["sqlite_over_pb_noexpand"] = ratio(sq and sq["rows_per_s"], pbn["rows_per_s"])
        row["sqlite_over_raw_pg"] = ratio(sq and sq["rows_per_s"], raw and raw["rows_per_s"])
        s["bulk"].append(row)
        raw1, pg1 = g(f"raw_single_c{c}"), g(f"pg_single_c{c}")
        row = {"clients": c}
        for k, p in (("raw", raw1), ("roster_pg", pg1)):
            if p:
                row[k] = {"per_s": p["requests_per_s"], "p50_ms": p["latency_ms"]["p50"],
                          "p99_ms": p["latency_ms"]["p99"], "errors": p["errors"],
                          "queries": p["query_count"]["mean"]}
        row["pg_over_raw"] = ratio(pg1 and pg1["requests_per_s"], raw1 and raw1["requests_per_s"])
        s["single"].append(row)
    for k in ("pg", "sqlite", "pb"):
        p = g(f"{k}_single_open")
        if p:
            s["open_loop"][k] = {"rate": p["rate"], "achieved_per_s": p["requests_per_s"],
                                 **{q: p["latency_ms"][q] for q in ("p50", "p99", "p999", "max")},
                                 "errors": p["errors"], "queries": p["query_count"]["mean"]}
    for k in ("pg", "sqlite", "pb"):
        kinds = {}
        for name, p in ph.items():
            if name.startswith(f"{k}_read_"):
                kinds[name[len(k) + 6:]] = {"p50_ms": p["latency_ms"]["p50"],
                                            "p99_ms": p["latency_ms"]["p99"],
                                            "per_s": p["requests_per_s"], "errors": p["errors"],
                                            "queries": p["query_count"]["mean"],
                                            "bytes": p.get("mean_response_bytes")}
        if kinds:
            deep = kinds.get("deep_cursor_900k") or kinds.get("deep_page_offset_900k")
            first = kinds.get("first_page")
            kinds["deep_over_first_p50"] = ratio(deep and deep["p50_ms"], first and first["p50_ms"])
            s["reads"][k] = kinds
    top = max(levels)
    for k in ("pg", "sqlite", "pb"):
        p = g(f"{k}_bulk_c{top}")
        if p and p.get("cpu"):
            s["rss_mib"][k] = {"max_sampled_vmrss": p["cpu"].get("server_rss_max_mib"),
                               "vmhwm": p["cpu"].get("server_vmhwm_mib")}
    for name, p in ph.items():
        cpu = p.get("cpu")
        n = p.get("completed") or 0
        if not cpu or not n:
            continue
        s["cpu_ms_per_request"][name] = {
            k[:-6]: round(cpu[k] * 1000 / n, 3)
            for k in ("server_cpu_s", "db_cpu_s", "client_cpu_s", "other_cpu_s") if k in cpu}
        s["cpu_ms_per_request"][name]["machine_busy_share"] = round(
            cpu["machine_busy_cpu_s"] / (cpu["window_s"] * res["machine"]["nproc"]), 3)
    bd = []
    for name, label in (("raw_bulk_c8", "raw INSERT of 100 rows, prepared (the ceiling)"),
                        ("raw_bulk_roster_statements_c8", "Roster's three statements (key, sideloads, INSERT) sent by pgbench"),
                        ("pg_bulk_c8", "Roster on PostgreSQL")):
        p = g(name)
        if p:
            c = p.get("cpu") or {}
            n = p.get("ok") or 1
            bd.append({"phase": name, "what": label, "rows_per_s": p["rows_per_s"],
                       "p50_ms": p["latency_ms"]["p50"],
                       "server_ms": round(c["server_cpu_s"] * 1000 / n, 3) if "server_cpu_s" in c else None,
                       "db_ms": round(c["db_cpu_s"] * 1000 / n, 3) if "db_cpu_s" in c else None,
                       "client_ms": round(c["client_cpu_s"] * 1000 / n, 3) if "client_cpu_s" in c else None})
    base = bd[0]["rows_per_s"] if bd and bd[0]["phase"] == "raw_bulk_c8" else None
    for r in bd:
        r["over_ceiling"] = ratio(r["rows_per_s"], base)
    s["breakdown_c8"] = bd
    s["targets"] = targets(s, levels)
    return s


def targets(s, levels):
    out = []

    def add(what, measured, ok, shown):
        out.append({"target": what, "measured": shown, "met": ok})

    b8 = next((r for r in s["bulk"] if r["clients"] == 8), None)
    if b8 and b8["pg_over_raw"] is not None:
        r = b8["pg_over_raw"]
        add("bulk create on PostgreSQL at 8 clients ≥ 0.7 × raw ceiling", r,
            r >= TARGETS["bulk_pg_vs_raw_c8"],
            f"{fratio(r)} ({fnum(b8['roster_pg']['rows_per_s'])} vs {fnum(b8['raw']['rows_per_s'])} rows/s)")
    singles = [r for r in s["single"] if r["pg_over_raw"] is not None]
    if singles:
        shown = ", ".join(f"{fratio(r['pg_over_raw'])} at {r['clients']}" for r in singles)
        add("single create on PostgreSQL ≥ 0.6 × raw single-row insert rate",
            None, all(r["pg_over_raw"] >= TARGETS["single_pg_vs_raw"] for r in singles), shown)
    ol = s["open_loop"].get("pg")
    if ol:
        add(f"single create on PostgreSQL p99 ≤ 5 ms at {ol['rate']:.0f} requests/s", ol["p99"],
            ol["p99"] is not None and ol["p99"] <= TARGETS["single_p99_ms_at_500"] and not ol["errors"],
            f"p99 {fnum(ol['p99'], 2)} ms")
    sq_rates = [r for r in s["bulk"] if "roster_sqlite" in r]
    if sq_rates:
        best = max(r["roster_sqlite"]["rows_per_s"] for r in sq_rates)
        add("bulk create on SQLite ≥ 60,000 memberships/s", best,
            best >= TARGETS["bulk_sqlite_rows_s"], f"best {fnum(best)} rows/s")
    pbr = [r for r in s["bulk"] if r["sqlite_over_pb"] is not None]
    if pbr:
        shown = ", ".join(f"{fratio(r['sqlite_over_pb'])} at {r['clients']}" for r in pbr)
        add("bulk create on SQLite ≥ 10 × PocketBase's batch rate", None,
            all(r["sqlite_over_pb"] >= TARGETS["bulk_sqlite_vs_pb"] for r in pbr), shown)
    for k, name in (("pg", "PostgreSQL"), ("sqlite", "SQLite")):
        rd = s["reads"].get(k)
        if not rd:
            continue
        worst = max(rd[x]["p50_ms"] for x in ("by_group", "by_user", "first_page", "deep_cursor_900k")
                    if x in rd)
        add(f"list page at 1M memberships p50 ≤ 5 ms ({name})", worst,
            worst <= TARGETS["list_p50_ms"],
            "by group " + fnum(rd["by_group"]["p50_ms"], 2) + " ms, by user "
            + fnum(rd["by_user"]["p50_ms"], 2) + " ms, first page "
            + fnum(rd["first_page"]["p50_ms"], 2) + " ms, deep cursor "
            + fnum(rd["deep_cursor_900k"]["p50_ms"], 2) + " ms")
        r = rd["deep_over_first_p50"]
        add(f"deep cursor page ≤ 1.2 × first page ({name})", r,
            r is not None and r <= TARGETS["deep_vs_first"], fratio(r))
    for k, name in (("pg", "PostgreSQL"), ("sqlite", "SQLite")):
        m = s["rss_mib"].get(k)
        if m:
            add(f"peak RSS ≤ 64 MiB under the {max(levels)}-client load ({name})",
                m["max_sampled_vmrss"], (m["max_sampled_vmrss"] or 0) <= TARGETS["rss_mib"],
                f"{fnum(m['max_sampled_vmrss'], 1)} MiB (VmHWM {fnum(m['vmhwm'], 1)} MiB)")
    return out


def lat(p):
    if not p:
        return "n/a"
    return f"{fnum(p['p50_ms'], 2)} / {fnum(p['p99_ms'], 2)}"


def markdown(res, s):
    m = res["machine"]
    st = res["settings"]
    L = []
    w = L.append
    w(f"# Roster benchmark, {m['date_utc']}\n")
    w(f"- Machine: {m['nproc']} cores ({m['cpu_model']}), {m['memory_gib']} GiB, Linux {m['kernel']}; "
      f"PostgreSQL {m['postgresql']}; shared with other jobs (load average {', '.join(f'{x:.2f}' for x in m['load_average_at_start'])} "
      f"at the start, {', '.join(f'{x:.2f}' for x in m.get('load_average_at_end', []))} at the end).")
    w(f"- Roster {m['roster_commit']}, release build, settings: {st['roster_env']}.")
    build = res.get("build_seconds")
    w(f"- Each throughput figure: {st['warmup_s']:g} s warm-up, then {st['duration_s']:g} s measured; open loop "
      f"{st['open_loop_s']:g} s at {st['rate']:g} requests/s; reads {st['read_s']:g} s with 1 client. "
      f"The benchmark took {fnum(res.get('bench_seconds'))} s"
      + (f", after {fnum(build)} s of building." if build is not None else "."))
    w("- Load generator: bench/loadgen.rs (closed loop: N connections back to back; open loop: "
      "latency from each request's scheduled time). Raw ceiling: pgbench -M prepared on a copy of "
      "the schema (bench_raw), the same pairs, `INSERT ... VALUES (100 rows) RETURNING *`.")
    w("- Ratios compare figures of this same run. The machine is shared, so absolute figures drift; "
      "the CPU table below shows how much of the machine other processes took in each window.\n")

    if any("raw" in r or "roster_pg" in r for r in s["bulk"]):
        bulk_section(w, s)
    if any("raw" in r or "roster_pg" in r for r in s["single"]):
        single_section(w, s)
    rest(w, res, s, st)
    return "\n".join(L) + "\n"


def bulk_section(w, s):
    w("## Bulk create: 100 memberships per request, `include=user,group`\n")
    w("rows/s, and latency p50 / p99 in ms per request (a pgbench transaction for the raw ceiling).\n")
    w("| clients | raw PostgreSQL | Roster on PostgreSQL | Roster ÷ raw | Roster ÷ raw by CPU cost | Roster on SQLite | PocketBase batch | SQLite ÷ PocketBase |")
    w("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in s["bulk"]:
        def cell(k):
            p = r.get(k)
            if not p:
                return "n/a"
            e = " ⚠ errors" if p["errors"] else ""
            return f"{fnum(p['rows_per_s'])} ({lat(p)}){e}"
        w(f"| {r['clients']} | {cell('raw')} | {cell('roster_pg')} | {fratio(r['pg_over_raw'])} | "
          f"{fratio(r.get('pg_over_raw_by_cpu'))} | {cell('roster_sqlite')} | {cell('pocketbase')} | {fratio(r['sqlite_over_pb'])} |")
    for r in s["bulk"]:
        if r.get("pocketbase_noexpand"):
            p = r["pocketbase_noexpand"]
            w(f"\nPocketBase's batch without `expand` at {r['clients']} clients: {fnum(p['rows_per_s'])} rows/s "
              f"({lat(p)} ms); Roster on SQLite (with its sideloads) ÷ that: "
              f"{fratio(r['sqlite_over_pb_noexpand'])}.")
    q = [r["roster_pg"]["queries"] for r in s["bulk"] if "roster_pg" in r]
    if q:
        w(f"\nX-Query-Count of a Roster bulk create: {q[0]} statements (key lookup included). "
          "\"By CPU cost\": raw ÷ Roster CPU per row (server + PostgreSQL backends + load "
          "generator), i.e. the ratio if both had the 2 cores to themselves; it moves less with "
          "the machine's other load than the throughput ratio.\n")
    if s.get("breakdown_c8"):
        w("### Where the gap comes from (8 clients, same run)\n")
        w("CPU per 100 rows from /proc: Roster's process, the PostgreSQL backends serving the "
          "phase, the load generator (pgbench for the raw rows).\n")
        w("| what | rows/s | ÷ ceiling | p50 ms | CPU ms per 100 rows: Roster | PostgreSQL | load generator |")
        w("|---|---:|---:|---:|---:|---:|---:|")
        for r in s["breakdown_c8"]:
            w(f"| {r['what']} | {fnum(r['rows_per_s'])} | {fratio(r['over_ceiling'])} | {fnum(r['p50_ms'], 2)} | "
              f"{fnum(r['server_ms'], 2)} | {fnum(r['db_ms'], 2)} | {fnum(r['client_ms'], 2)} |")
        w("")



def single_section(w, s):
    w("## Single create (closed loop)\n")
    w("requests/s (a raw pgbench transaction is one single-row `INSERT ... RETURNING`), p50 / p99 ms.\n")
    w("| clients | raw PostgreSQL | Roster on PostgreSQL | Roster ÷ raw |")
    w("|---:|---:|---:|---:|")
    for r in s["single"]:
        def cell(k):
            p = r.get(k)
            return "n/a" if not p else f"{fnum(p['per_s'])} ({lat(p)})" + (" ⚠ errors" if p["errors"] else "")
        w(f"| {r['clients']} | {cell('raw')} | {cell('roster_pg')} | {fratio(r['pg_over_raw'])} |")



def rest(w, res, s, st):
    if s["open_loop"]:
        rate = next(iter(s["open_loop"].values()))["rate"]
        w(f"\n## Single create latency, open loop at {rate:.0f} requests/s\n")
        w("| server | achieved req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |")
        w("|---|---:|---:|---:|---:|---:|---|")
        names = {"pg": "Roster on PostgreSQL", "sqlite": "Roster on SQLite", "pb": "PocketBase"}
        for k, o in s["open_loop"].items():
            w(f"| {names[k]} | {fnum(o['achieved_per_s'])} | {fnum(o['p50'], 2)} | {fnum(o['p99'], 2)} | "
              f"{fnum(o['p999'], 2)} | {fnum(o['max'], 2)} | {o['errors'] or 'none'} |")
        sq, pb = s["open_loop"].get("sqlite"), s["open_loop"].get("pb")
        if sq and pb:
            w(f"\nRoster on SQLite ÷ PocketBase, p99: {fratio(ratio(sq['p99'], pb['p99']))} "
              f"(below 1 means Roster is faster).")

    if s["reads"]:
        lo = res.get("loaded", {})
        w("\n## Reads at scale: list pages of 100 with the user and group sideloaded\n")
        w("Memberships loaded: " + "; ".join(
            f"{k}: {fnum(v['total'])} ({fnum(v['through_api'])} through the API, {fnum(v['by_sql'])} by SQL)"
            for k, v in lo.items()) + ". One client; p50 / p99 ms.\n")
        w("| list | Roster on PostgreSQL | Roster on SQLite | PocketBase (`expand=member,team`) |")
        w("|---|---:|---:|---:|")
        rows = (("by_group", "filtered by group (≈1,000 matches)"),
                ("by_user", "filtered by user (≈100 matches)"),
                ("first_page", "first page, unfiltered"),
                ("deep_cursor_900k", "cursor page at depth 900,000 (PocketBase: page 9001, offset)"))
        for key, label in rows:
            cells = []
            for k in ("pg", "sqlite", "pb"):
                rd = s["reads"].get(k, {})
                p = rd.get(key) or (rd.get("deep_page_offset_900k") if key == "deep_cursor_900k" else None)
                cells.append(lat(p) + (" ⚠ errors" if p and p["errors"] else ""))
            w(f"| {label} | " + " | ".join(cells) + " |")
        w("| deep ÷ first page (p50) | " + " | ".join(
            fratio(s["reads"].get(k, {}).get("deep_over_first_p50")) for k in ("pg", "sqlite", "pb")) + " |")
        qs = s["reads"].get("pg", {})
        if qs:
            w("\nX-Query-Count of a Roster list page: " + ", ".join(
                f"{k} {v['queries']}" for k, v in qs.items() if isinstance(v, dict)) + ".")
        sq, pb = s["reads"].get("sqlite"), s["reads"].get("pb")
        if sq and pb:
            w("Roster on SQLite ÷ PocketBase, p50: by group "
              f"{fratio(ratio(sq['by_group']['p50_ms'], pb['by_group']['p50_ms']))}, by user "
              f"{fratio(ratio(sq['by_user']['p50_ms'], pb['by_user']['p50_ms']))}.")

    if s["rss_mib"]:
        w(f"\n## Memory under the {max(st['levels'])}-client bulk load\n")
        w("| server | peak RSS (sampled every 50 ms) | VmHWM (process lifetime peak) |")
        w("|---|---:|---:|")
        names = {"pg": "Roster on PostgreSQL", "sqlite": "Roster on SQLite", "pb": "PocketBase"}
        for k, v in s["rss_mib"].items():
            w(f"| {names[k]} | {fnum(v['max_sampled_vmrss'], 1)} MiB | {fnum(v['vmhwm'], 1)} MiB |")
        sq, pb = s["rss_mib"].get("sqlite"), s["rss_mib"].get("pb")
        if sq and pb:
            w(f"\nRoster on SQLite ÷ PocketBase: {fratio(ratio(sq['max_sampled_vmrss'], pb['max_sampled_vmrss']))}.")

    cpu = s["cpu_ms_per_request"]
    if cpu:
        w("\n## Where the CPU went (ms of CPU per request, measured window)\n")
        w("`server`: Roster or PocketBase; `db`: the PostgreSQL backends serving it; `client`: the load "
          "generator or pgbench; `other`: everything else on the machine: other jobs, and "
          "PostgreSQL's WAL writer and checkpointer; busy: share of both cores in use.\n")
        w("| phase | server | db | client | other | busy |")
        w("|---|---:|---:|---:|---:|---:|")
        for name, v in cpu.items():
            if "_read_" in name:
                continue
            w(f"| {name} | {fnum(v.get('server'), 2)} | {fnum(v.get('db'), 2)} | {fnum(v.get('client'), 2)} | "
              f"{fnum(v.get('other'), 2)} | {v['machine_busy_share'] * 100:.0f}% |")

    if res.get("sweep"):
        w("\n## Worker and pool sizes (bulk create on PostgreSQL, 8 clients)\n")
        w("| ROSTER_WORKERS | ROSTER_POOL_SIZE | rows/s | p50 ms | p99 ms |")
        w("|---:|---:|---:|---:|---:|")
        for r in res["sweep"]:
            w(f"| {r['workers']} | {r['pool_size']} | {fnum(r['rows_per_s'])} | {fnum(r['p50_ms'], 2)} | "
              f"{fnum(r['p99_ms'], 2)} |")

    if not s["targets"]:
        return
    w("\n## Issue 8, item 2 targets\n")
    w("| target | measured | met |")
    w("|---|---|---|")
    for t in s["targets"]:
        w(f"| {t['target']} | {t['measured']} | {'yes' if t['met'] else '**no**'} |")
    if has_chart(s):
        w("\nChart: throughput against concurrency, Roster beside the raw ceiling: "
          f"[{res['_name']}.svg]({res['_name']}.svg).")


def svg(res, s):
    levels = res["settings"]["levels"]
    W, H = 980, 420
    panels = [
        ("Bulk create, 100 rows per request: rows/s", "bulk",
         [("raw", "raw PostgreSQL (pgbench)", "#444", "rows_per_s", "6,4"),
          ("roster_pg", "Roster on PostgreSQL", "#1f77b4", "rows_per_s", None),
          ("roster_sqlite", "Roster on SQLite", "#2ca02c", "rows_per_s", None),
          ("pocketbase", "PocketBase batch", "#d62728", "rows_per_s", None)]),
        ("Single create: requests/s", "single",
         [("raw", "raw PostgreSQL single-row INSERT", "#444", "per_s", "6,4"),
          ("roster_pg", "Roster on PostgreSQL", "#1f77b4", "per_s", None)]),
    ]
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
           f'font-family="Helvetica, Arial, sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="20" text-anchor="middle" font-size="15">Roster throughput against '
           f'concurrency, {res["machine"]["date_utc"][:10]}, {res["machine"]["nproc"]} cores '
           f'({res["machine"]["cpu_model"]})</text>']
    pw = W / 2
    for pi, (title, key, series) in enumerate(panels):
        x0, y0, x1, y1 = pi * pw + 70, 50, pi * pw + pw - 20, H - 130
        vals = [r[k][f] for r in s[key] for k, _, _, f, _ in series if k in r]
        ymax = max(vals) if vals else 1
        mag = 10 ** (len(str(int(ymax))) - 1)
        ymax = math.ceil(ymax / mag) * mag if ymax > 0 else 1
        out.append(f'<text x="{(x0 + x1) / 2}" y="{y0 - 10}" text-anchor="middle" font-size="13">{title}</text>')
        out.append(f'<line x1="{x0}" y1="{y1}" x2="{x1}" y2="{y1}" stroke="#000"/>')
        out.append(f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" stroke="#000"/>')
        for i in range(6):
            v = ymax * i / 5
            y = y1 - (y1 - y0) * i / 5
            out.append(f'<line x1="{x0}" y1="{y}" x2="{x1}" y2="{y}" stroke="#ddd"/>')
            out.append(f'<text x="{x0 - 6}" y="{y + 4}" text-anchor="end">{v:,.0f}</text>')

        def xpos(i):
            return x0 + (x1 - x0) * (i + 0.5) / len(levels)

        for i, c in enumerate(levels):
            out.append(f'<text x="{xpos(i)}" y="{y1 + 18}" text-anchor="middle">{c}</text>')
        out.append(f'<text x="{(x0 + x1) / 2}" y="{y1 + 36}" text-anchor="middle">concurrent clients</text>')
        for si, (k, label, color, f, dash) in enumerate(series):
            pts = [(xpos(i), y1 - (y1 - y0) * r[k][f] / ymax, r[k][f])
                   for i, r in enumerate(s[key]) if k in r]
            if not pts:
                continue
            d = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="2"{d} points="'
                       + " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in pts) + '"/>')
            ratios = [r.get("pg_over_raw") if k == "roster_pg" else None for r in s[key] if k in r]
            for (x, y, v), rr in zip(pts, ratios):
                extra = f" ({rr:.2f}× raw)" if rr is not None else ""
                out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{color}"/>')
                out.append(f'<text x="{x + 6:.1f}" y="{y - 6:.1f}" fill="{color}" font-size="10">{v:,.0f}{extra}</text>')
            ly = y1 + 56 + si * 16
            out.append(f'<line x1="{x0}" y1="{ly - 4}" x2="{x0 + 24}" y2="{ly - 4}" stroke="{color}" '
                       f'stroke-width="2"{d}/>')
            out.append(f'<text x="{x0 + 30}" y="{ly}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"



def has_chart(s):
    return any("raw" in r or "roster_pg" in r for r in s["bulk"] + s["single"])


def write(res, outdir, name):
    outdir.mkdir(parents=True, exist_ok=True)
    res["_name"] = name
    res["summary"] = summarize(res)
    pj, pm, ps = outdir / f"{name}.json", outdir / f"{name}.md", outdir / f"{name}.svg"
    pj.write_text(json.dumps(res, indent=1, default=str) + "\n")
    pm.write_text(markdown(res, res["summary"]))
    if not has_chart(res["summary"]):
        return [pm, pj]
    ps.write_text(svg(res, res["summary"]))
    return [pm, pj, ps]


if __name__ == "__main__":
    p = Path(sys.argv[1])
    r = json.loads(p.read_text())
    for f in write(r, p.parent, p.stem):
        print(f)
