//! Roster's benchmark load generator: std only, built with plain `rustc -O` by
//! bench/run.sh (no crates, so it compiles in seconds on a fresh clone).
//!
//! Closed loop (`--concurrency C`): C connections, each sends its next request as soon
//! as the previous answer arrived. Open loop (`--rate R`): requests are scheduled at
//! t0 + i/R whatever the server does; each is sent by the first free connection of a
//! pool and its latency counts from its *scheduled* time, so queueing behind a slow
//! answer is included (no coordinated omission, as wrk2 and `oha -q` do it).
//!
//! Request bodies never repeat a (user, group) pair: pair number k (from a shared
//! counter starting at `--start`) is split as k = q * U + r (U users, G groups), then
//! user = (r * 7777) mod U and group = (q + user * 7919) mod G. For U = 10,000 (7777 is
//! coprime to it) this is a bijection of [0, U * G) onto the pairs; any run of U * n
//! consecutive k gives every user n memberships and spreads them evenly over the groups,
//! and consecutive k scatter over users and groups. bench.py and the raw pgbench
//! scripts use the same formula.
//!
//! Only requests that *finish* inside the measured window (after `--warmup` seconds,
//! for `--duration` seconds) count, for throughput and for latency alike.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const USER_MULTIPLIER: u64 = 7777;
const GROUP_MULTIPLIER: u64 = 7919;

#[derive(Clone, Copy, PartialEq, Debug)]
enum Mode {
    /// Roster: POST {"memberships": [n objects]} (n = --rows).
    RosterBulk,
    /// Roster: POST {"membership": {...}}.
    RosterSingle,
    /// PocketBase: POST /api/batch with n record creates, each with ?expand=member,team.
    PbBatch,
    /// The same without expand.
    PbBatchPlain,
    /// PocketBase: POST one record.
    PbSingle,
    /// GET the URLs of --urls, round robin.
    Get,
}

struct Config {
    host: String,
    mode: Mode,
    path: String,
    headers: Vec<String>,
    users: Vec<String>,
    groups: Vec<String>,
    urls: Vec<String>,
    start: u64,
    rows: u64,
    concurrency: usize,
    rate: f64,
    duration: f64,
    warmup: f64,
    out: Option<String>,
    label: String,
}

fn usage() -> ! {
    eprintln!(
        "usage: loadgen --url http://127.0.0.1:PORT --mode roster-bulk|roster-single|pb-batch|pb-batch-plain|pb-single|get \
         [--path P] [--header 'K: V']... [--users FILE --groups FILE --start K --rows N] [--urls FILE] \
         (--concurrency C | --rate R [--concurrency POOL]) --duration S [--warmup S] [--out FILE] [--label L]"
    );
    std::process::exit(2)
}

fn read_lines(path: &str) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("cannot read {path}: {e}"))
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}

fn parse_args() -> Config {
    let mut args = std::env::args().skip(1);
    let mut c = Config {
        host: String::new(),
        mode: Mode::Get,
        path: String::new(),
        headers: Vec::new(),
        users: Vec::new(),
        groups: Vec::new(),
        urls: Vec::new(),
        start: 0,
        rows: 100,
        concurrency: 0,
        rate: 0.0,
        duration: 10.0,
        warmup: 1.0,
        out: None,
        label: String::new(),
    };
    let mut mode_set = false;
    while let Some(a) = args.next() {
        let mut v = || args.next().unwrap_or_else(|| usage());
        match a.as_str() {
            "--url" => {
                let u = v();
                c.host = u
                    .strip_prefix("http://")
                    .unwrap_or_else(|| usage())
                    .trim_end_matches('/')
                    .to_string();
            }
            "--mode" => {
                mode_set = true;
                c.mode = match v().as_str() {
                    "roster-bulk" => Mode::RosterBulk,
                    "roster-single" => Mode::RosterSingle,
                    "pb-batch" => Mode::PbBatch,
                    "pb-batch-plain" => Mode::PbBatchPlain,
                    "pb-single" => Mode::PbSingle,
                    "get" => Mode::Get,
                    _ => usage(),
                }
            }
            "--path" => c.path = v(),
            "--header" => c.headers.push(v()),
            "--users" => c.users = read_lines(&v()),
            "--groups" => c.groups = read_lines(&v()),
            "--urls" => c.urls = read_lines(&v()),
            "--start" => c.start = v().parse().unwrap_or_else(|_| usage()),
            "--rows" => c.rows = v().parse().unwrap_or_else(|_| usage()),
            "--concurrency" => c.concurrency = v().parse().unwrap_or_else(|_| usage()),
            "--rate" => c.rate = v().parse().unwrap_or_else(|_| usage()),
            "--duration" => c.duration = v().parse().unwrap_or_else(|_| usage()),
            "--warmup" => c.warmup = v().parse().unwrap_or_else(|_| usage()),
            "--out" => c.out = Some(v()),
            "--label" => c.label = v(),
            _ => usage(),
        }
    }
    if c.host.is_empty() || !mode_set {
        usage()
    }
    if c.mode == Mode::Get && c.urls.is_empty() {
        eprintln!("--mode get needs --urls");
        usage()
    }
    if c.mode != Mode::Get && (c.users.is_empty() || c.groups.is_empty()) {
        eprintln!("write modes need --users and --groups");
        usage()
    }
    if matches!(c.mode, Mode::RosterSingle | Mode::PbSingle) {
        c.rows = 1;
    }
    if c.rate > 0.0 && c.concurrency == 0 {
        c.concurrency = 32;
    }
    if c.concurrency == 0 {
        usage()
    }
    c
}

/// The body and path of the next request; `None` path means `cfg.path`.
fn next_request(cfg: &Config, pairs: &AtomicU64, urls: &AtomicU64) -> (String, Option<String>) {
    let (nu, ng) = (cfg.users.len() as u64, cfg.groups.len() as u64);
    let pair = |k: u64| {
        let (q, r) = ((k / nu) % ng, k % nu);
        let u = (r * USER_MULTIPLIER) % nu;
        let g = (q + u * GROUP_MULTIPLIER) % ng;
        (&cfg.users[u as usize], &cfg.groups[g as usize])
    };
    match cfg.mode {
        Mode::Get => {
            let i = urls.fetch_add(1, Ordering::Relaxed) as usize % cfg.urls.len();
            (String::new(), Some(cfg.urls[i].clone()))
        }
        Mode::RosterSingle => {
            let (u, g) = pair(pairs.fetch_add(1, Ordering::Relaxed));
            (
                format!(r#"{{"membership":{{"user_id":"{u}","group_id":"{g}"}}}}"#),
                None,
            )
        }
        Mode::PbSingle => {
            let (u, g) = pair(pairs.fetch_add(1, Ordering::Relaxed));
            (
                format!(r#"{{"member":"{u}","team":"{g}","role":"member"}}"#),
                None,
            )
        }
        Mode::RosterBulk => {
            let k0 = pairs.fetch_add(cfg.rows, Ordering::Relaxed);
            let mut b = String::with_capacity(64 * cfg.rows as usize);
            b.push_str(r#"{"memberships":["#);
            for k in k0..k0 + cfg.rows {
                let (u, g) = pair(k);
                if k > k0 {
                    b.push(',');
                }
                b.push_str(&format!(r#"{{"user_id":"{u}","group_id":"{g}"}}"#));
            }
            b.push_str("]}");
            (b, None)
        }
        Mode::PbBatch | Mode::PbBatchPlain => {
            let expand = if cfg.mode == Mode::PbBatch { "?expand=member,team" } else { "" };
            let k0 = pairs.fetch_add(cfg.rows, Ordering::Relaxed);
            let mut b = String::with_capacity(160 * cfg.rows as usize);
            b.push_str(r#"{"requests":["#);
            for k in k0..k0 + cfg.rows {
                let (u, g) = pair(k);
                if k > k0 {
                    b.push(',');
                }
                b.push_str(&format!(
                    r#"{{"method":"POST","url":"/api/collections/memberships/records{expand}","body":{{"member":"{u}","team":"{g}","role":"member"}}}}"#
                ));
            }
            b.push_str("]}");
            (b, None)
        }
    }
}

struct Reply {
    status: u16,
    query_count: Option<u64>,
    body_len: usize,
    body_head: String,
    /// The server will close the connection after this answer.
    close: bool,
}

struct Conn {
    reader: BufReader<TcpStream>,
}

impl Conn {
    fn open(host: &str) -> std::io::Result<Self> {
        let s = TcpStream::connect(host)?;
        s.set_nodelay(true)?;
        s.set_read_timeout(Some(Duration::from_secs(60)))?;
        Ok(Self {
            reader: BufReader::with_capacity(64 * 1024, s),
        })
    }

    fn send(&mut self, cfg: &Config, path: &str, body: &str) -> std::io::Result<Reply> {
        let mut req = String::with_capacity(256 + body.len());
        let method = if cfg.mode == Mode::Get { "GET" } else { "POST" };
        req.push_str(&format!("{method} {path} HTTP/1.1\r\nHost: {}\r\n", cfg.host));
        for h in &cfg.headers {
            req.push_str(h);
            req.push_str("\r\n");
        }
        if method == "POST" {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                body.len()
            ));
        }
        req.push_str("\r\n");
        req.push_str(body);
        self.reader.get_mut().write_all(req.as_bytes())?;

        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed",
            ));
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("bad status line {line:?}")))?;
        let (mut length, mut chunked, mut close, mut query_count) = (None, false, false, None);
        loop {
            line.clear();
            if self.reader.read_line(&mut line)? == 0 {
                return Err(std::io::Error::other("eof in headers"));
            }
            let l = line.trim_end();
            if l.is_empty() {
                break;
            }
            if let Some((k, v)) = l.split_once(':') {
                let (k, v) = (k.trim().to_ascii_lowercase(), v.trim());
                match k.as_str() {
                    "content-length" => length = v.parse::<usize>().ok(),
                    "transfer-encoding" => chunked = v.eq_ignore_ascii_case("chunked"),
                    "connection" => close = v.eq_ignore_ascii_case("close"),
                    "x-query-count" => query_count = v.parse().ok(),
                    _ => {}
                }
            }
        }
        let mut body_buf = Vec::new();
        if chunked {
            loop {
                line.clear();
                self.reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim().split(';').next().unwrap_or(""), 16)
                    .map_err(|_| std::io::Error::other("bad chunk size"))?;
                if size == 0 {
                    line.clear();
                    self.reader.read_line(&mut line)?;
                    break;
                }
                let at = body_buf.len();
                body_buf.resize(at + size, 0);
                self.reader.read_exact(&mut body_buf[at..])?;
                let mut crlf = [0u8; 2];
                self.reader.read_exact(&mut crlf)?;
            }
        } else if let Some(n) = length {
            body_buf.resize(n, 0);
            self.reader.read_exact(&mut body_buf)?;
        } else if status >= 200 && status != 204 && status != 304 {
            self.reader.read_to_end(&mut body_buf)?;
            close = true;
        }
        Ok(Reply {
            status,
            query_count,
            body_len: body_buf.len(),
            body_head: head(&body_buf, status),
            close,
        })
    }
}

fn head(body: &[u8], status: u16) -> String {
    if (200..300).contains(&status) {
        return String::new();
    }
    String::from_utf8_lossy(&body[..body.len().min(400)]).into_owned()
}

#[derive(Default)]
struct Tally {
    latencies_us: Vec<u64>,
    ok: u64,
    errors: BTreeMap<String, u64>,
    error_sample: Option<String>,
    queries: Vec<u64>,
    bytes: u64,
}

fn main() {
    let cfg = Arc::new(parse_args());
    let pairs = Arc::new(AtomicU64::new(cfg.start));
    let urls = Arc::new(AtomicU64::new(0));
    let slots = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let tally = Arc::new(Mutex::new(Tally::default()));
    let t0 = Instant::now() + Duration::from_millis(50);
    let window_start = t0 + Duration::from_secs_f64(cfg.warmup);
    let window_end = window_start + Duration::from_secs_f64(cfg.duration);

    let mut handles = Vec::new();
    for _ in 0..cfg.concurrency {
        let (cfg, pairs, urls, slots, stop, tally) = (
            cfg.clone(),
            pairs.clone(),
            urls.clone(),
            slots.clone(),
            stop.clone(),
            tally.clone(),
        );
        handles.push(std::thread::spawn(move || {
            let mut local = Tally::default();
            let mut conn: Option<Conn> = None;
            loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                // When this request counts from: now (closed loop) or its slot (open loop).
                let scheduled = if cfg.rate > 0.0 {
                    let i = slots.fetch_add(1, Ordering::Relaxed);
                    let at = t0 + Duration::from_secs_f64(i as f64 / cfg.rate);
                    if at >= window_end {
                        break;
                    }
                    let now = Instant::now();
                    if at > now {
                        std::thread::sleep(at - now);
                    }
                    at
                } else {
                    let now = Instant::now();
                    if now < t0 {
                        std::thread::sleep(t0 - now);
                    }
                    if Instant::now() >= window_end {
                        break;
                    }
                    Instant::now()
                };
                let (body, path) = next_request(&cfg, &pairs, &urls);
                let path = path.as_deref().unwrap_or(&cfg.path);
                if conn.is_none() {
                    match Conn::open(&cfg.host) {
                        Ok(c) => conn = Some(c),
                        Err(e) => {
                            *local.errors.entry(format!("connect: {e}")).or_default() += 1;
                            std::thread::sleep(Duration::from_millis(10));
                            continue;
                        }
                    }
                }
                let result = conn.as_mut().unwrap().send(&cfg, path, &body);
                let done = Instant::now();
                let counts = done >= window_start && done < window_end;
                match result {
                    Ok(r) => {
                        if r.close {
                            conn = None;
                        }
                        if !counts {
                            continue;
                        }
                        local.latencies_us.push((done - scheduled).as_micros() as u64);
                        local.bytes += r.body_len as u64;
                        if let Some(q) = r.query_count {
                            local.queries.push(q);
                        }
                        if (200..300).contains(&r.status) {
                            local.ok += 1;
                        } else {
                            *local.errors.entry(r.status.to_string()).or_default() += 1;
                            if local.error_sample.is_none() {
                                local.error_sample = Some(r.body_head);
                            }
                        }
                    }
                    Err(e) => {
                        conn = None;
                        if counts {
                            *local.errors.entry(format!("io: {e}")).or_default() += 1;
                        }
                    }
                }
            }
            let mut t = tally.lock().unwrap();
            t.latencies_us.extend(local.latencies_us);
            t.queries.extend(local.queries);
            t.ok += local.ok;
            t.bytes += local.bytes;
            for (k, v) in local.errors {
                *t.errors.entry(k).or_default() += v;
            }
            if t.error_sample.is_none() {
                t.error_sample = local.error_sample;
            }
        }));
    }
    // Closed-loop threads stop on their own at window_end; this guards a stuck server.
    let guard_stop = stop.clone();
    let guard_end = window_end + Duration::from_secs(30);
    std::thread::spawn(move || {
        while Instant::now() < guard_end {
            std::thread::sleep(Duration::from_millis(100));
        }
        guard_stop.store(true, Ordering::Relaxed);
    });
    for h in handles {
        let _ = h.join();
    }
    // Linger a moment so the harness's end-of-window CPU snapshot still finds us.
    std::thread::sleep(Duration::from_millis(300));
    let t = tally.lock().unwrap();
    let mut lat = t.latencies_us.clone();
    lat.sort_unstable();
    let pct = |p: f64| -> f64 {
        if lat.is_empty() {
            return f64::NAN;
        }
        let i = ((p / 100.0) * lat.len() as f64).ceil() as usize;
        lat[i.clamp(1, lat.len()) - 1] as f64 / 1000.0
    };
    let mean = if lat.is_empty() {
        f64::NAN
    } else {
        lat.iter().sum::<u64>() as f64 / lat.len() as f64 / 1000.0
    };
    let (qmin, qmax, qmean) = if t.queries.is_empty() {
        ("null".to_string(), "null".to_string(), "null".to_string())
    } else {
        (
            t.queries.iter().min().unwrap().to_string(),
            t.queries.iter().max().unwrap().to_string(),
            format!(
                "{:.2}",
                t.queries.iter().sum::<u64>() as f64 / t.queries.len() as f64
            ),
        )
    };
    let errors: Vec<String> = t
        .errors
        .iter()
        .map(|(k, v)| format!("{}: {v}", json_str(k)))
        .collect();
    let num = |x: f64| {
        if x.is_finite() {
            format!("{x:.3}")
        } else {
            "null".into()
        }
    };
    let total = lat.len() as f64;
    let json = format!(
        concat!(
            "{{\"label\": {}, \"mode\": {}, \"concurrency\": {}, \"rate\": {}, ",
            "\"duration_s\": {}, \"warmup_s\": {}, \"rows_per_request\": {}, ",
            "\"completed\": {}, \"ok\": {}, \"errors\": {{{}}}, \"error_sample\": {}, ",
            "\"requests_per_s\": {}, \"rows_per_s\": {}, ",
            "\"latency_ms\": {{\"mean\": {}, \"p50\": {}, \"p90\": {}, \"p99\": {}, \"p999\": {}, \"max\": {}}}, ",
            "\"query_count\": {{\"min\": {}, \"mean\": {}, \"max\": {}}}, ",
            "\"mean_response_bytes\": {}, \"next_k\": {}}}"
        ),
        json_str(&cfg.label),
        json_str(&format!("{:?}", cfg.mode)),
        cfg.concurrency,
        num(cfg.rate),
        cfg.duration,
        cfg.warmup,
        cfg.rows,
        lat.len(),
        t.ok,
        errors.join(", "),
        t.error_sample
            .as_deref()
            .map(json_str)
            .unwrap_or_else(|| "null".into()),
        num(t.ok as f64 / cfg.duration),
        num(t.ok as f64 * cfg.rows as f64 / cfg.duration),
        num(mean),
        num(pct(50.0)),
        num(pct(90.0)),
        num(pct(99.0)),
        num(pct(99.9)),
        num(pct(100.0)),
        qmin,
        qmean,
        qmax,
        num(if total > 0.0 { t.bytes as f64 / total } else { f64::NAN }),
        pairs.load(Ordering::Relaxed),
    );
    match &cfg.out {
        Some(p) => std::fs::write(p, json + "\n").expect("cannot write --out"),
        None => println!("{json}"),
    }
}

fn json_str(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for ch in s.chars() {
        match ch {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\r' => o.push_str("\\r"),
            '\t' => o.push_str("\\t"),
            c if (c as u32) < 0x20 => o.push_str(&format!("\\u{:04x}", c as u32)),
            c => o.push(c),
        }
    }
    o.push('"');
    o
}
