//! `roster import`: sends a CSV or JSON Lines file of memberships to a running Roster,
//! in batches of up to 100, each labelled with an `Idempotency-Key` derived from the
//! file's content and the batch, so that running the same command again after a crash
//! or Ctrl-C finishes the job without creating anything twice.

mod client;
mod progress;
mod resolve;
pub mod source;

use std::collections::HashMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Instant;

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use client::Client;
use progress::Progress;
use source::{BadLine, Row};

pub struct Options {
    pub file: PathBuf,
    pub url: String,
    pub instance: String,
    pub key: String,
    pub create_missing: bool,
    pub concurrency: usize,
    pub on_conflict_ignore: bool,
    pub rejects: Option<PathBuf>,
    pub strict: bool,
    pub batch_size: usize,
    pub max_retries: u32,
}

/// What happened, for the closing summary.
#[derive(Debug, Default, Clone)]
pub struct Summary {
    pub rows: usize,
    pub created: usize,
    pub already_present: usize,
    /// Rows of batches an earlier run had already sent (replayed by the server).
    pub replayed: usize,
    pub rejected: usize,
    pub failed: usize,
    pub seconds: f64,
}

/// One rejected row: its line, its data and why.
#[derive(Debug, Clone)]
pub struct Reject {
    pub line: usize,
    pub data: String,
    pub error: String,
}

impl From<BadLine> for Reject {
    fn from(b: BadLine) -> Self {
        Reject {
            line: b.line,
            data: b.raw,
            error: b.error,
        }
    }
}

/// A batch ready to send: the rows and their membership objects.
struct Batch {
    rows: Vec<Row>,
    objects: Vec<Value>,
}

pub fn run(opts: &Options) -> Result<Summary, String> {
    let started = Instant::now();
    let content = std::fs::read_to_string(&opts.file)
        .map_err(|e| format!("cannot read {}: {e}", opts.file.display()))?;
    let jsonl = opts
        .file
        .extension()
        .is_some_and(|e| e == "jsonl" || e == "ndjson" || e == "json");
    let parsed = if jsonl {
        source::parse_jsonl(&content)
    } else {
        source::parse_csv(&content)
    };
    let mut rejects: Vec<Reject> = Vec::new();
    for w in &parsed.warnings {
        eprintln!("roster import: line {}: {}", w.line, w.error);
    }
    for b in &parsed.bad {
        eprintln!("roster import: line {}: {}", b.line, b.error);
    }
    if opts.strict && (!parsed.bad.is_empty() || !parsed.warnings.is_empty()) {
        return Err("the file has bad lines and --strict is given: nothing was sent".into());
    }
    rejects.extend(parsed.bad.into_iter().map(Reject::from));
    let client = Client::new(&opts.url, &opts.key, opts.max_retries);
    let base = format!("/instances/{}", opts.instance);
    let file_hash = hex::encode(Sha256::digest(content.as_bytes()));
    let label = format!(
        "{file_hash}:{}:{}",
        opts.on_conflict_ignore, opts.batch_size
    );

    let (rows, unresolved) =
        resolve::resolve(&client, &base, parsed.rows, opts.create_missing, &label)?;
    rejects.extend(unresolved);
    let total = rows.len();
    let batches: Vec<Batch> = rows
        .chunks(opts.batch_size.clamp(1, crate::domain::MAX_BULK))
        .map(|chunk| Batch {
            rows: chunk.to_vec(),
            objects: chunk.iter().map(membership_object).collect(),
        })
        .collect();

    let summary = Mutex::new(Summary {
        rows: total + rejects.len(),
        rejected: rejects.len(),
        ..Default::default()
    });
    let rejects = Mutex::new(rejects);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let progress = Progress::new(total as u64);
    let path = format!(
        "{base}/memberships{}",
        if opts.on_conflict_ignore {
            "?on_conflict=ignore"
        } else {
            ""
        }
    );
    let fatal: Mutex<Option<String>> = Mutex::new(None);
    std::thread::scope(|s| {
        for _ in 0..opts.concurrency.max(1) {
            s.spawn(|| loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(batch) = batches.get(i) else { break };
                let key = batch_key(&label, i, &batch.rows);
                match send_batch(&client, &path, &key, batch) {
                    Ok(outcome) => {
                        let mut sum = summary.lock().unwrap_or_else(|p| p.into_inner());
                        sum.created += outcome.created;
                        sum.already_present += outcome.present;
                        sum.replayed += outcome.replayed;
                        sum.rejected += outcome.rejects.len();
                        if opts.strict && !outcome.rejects.is_empty() {
                            stop.store(true, Ordering::Relaxed);
                        }
                        rejects
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .extend(outcome.rejects);
                    }
                    Err(BatchError::Fatal(e)) => {
                        stop.store(true, Ordering::Relaxed);
                        fatal
                            .lock()
                            .unwrap_or_else(|p| p.into_inner())
                            .get_or_insert(e);
                    }
                    Err(BatchError::GaveUp(e)) => {
                        eprintln!(
                            "roster import: batch {i} (lines {}-{}): {e}",
                            batch.rows[0].line,
                            batch.rows[batch.rows.len() - 1].line
                        );
                        summary.lock().unwrap_or_else(|p| p.into_inner()).failed +=
                            batch.rows.len();
                    }
                }
                progress.advance(batch.rows.len() as u64);
            });
        }
    });
    progress.finish();
    let mut rejects = rejects.into_inner().unwrap_or_else(|p| p.into_inner());
    rejects.sort_by_key(|r| r.line);
    if let Some(path) = &opts.rejects {
        write_rejects(path, &rejects)?;
    }
    if let Some(e) = fatal.into_inner().unwrap_or_else(|p| p.into_inner()) {
        return Err(e);
    }
    let mut summary = summary.into_inner().unwrap_or_else(|p| p.into_inner());
    summary.seconds = started.elapsed().as_secs_f64();
    Ok(summary)
}

fn membership_object(row: &Row) -> Value {
    let (source::Ref::Id(user), source::Ref::Id(group)) = (&row.user, &row.group) else {
        return Value::Null;
    };
    let mut obj = json!({"user_id": user, "group_id": group});
    if let Some(role) = &row.role {
        obj["role"] = json!(role);
    }
    if let Some(p) = &row.permissions {
        obj["configurable_permissions"] = p.clone();
    }
    obj
}

/// Stable for the same file, options and batch; different for anything else.
fn batch_key(label: &str, index: usize, rows: &[Row]) -> String {
    let mut h = Sha256::new();
    h.update(label.as_bytes());
    h.update(index.to_be_bytes());
    for r in rows {
        h.update(r.line.to_be_bytes());
    }
    format!("roster-import-{}", &hex::encode(h.finalize())[..40])
}

struct Outcome {
    created: usize,
    present: usize,
    replayed: usize,
    rejects: Vec<Reject>,
}

enum BatchError {
    /// Stops the whole import (bad key, unknown instance, ...).
    Fatal(String),
    /// This batch could not be sent; the others go on.
    GaveUp(String),
}

/// Sends one batch. Rows the server rejects are set aside and the rest sent again
/// (a batch is all or nothing), under a key derived from what is left.
fn send_batch(
    client: &Client,
    path: &str,
    key: &str,
    batch: &Batch,
) -> Result<Outcome, BatchError> {
    let mut out = Outcome {
        created: 0,
        present: 0,
        replayed: 0,
        rejects: Vec::new(),
    };
    let mut live: Vec<usize> = (0..batch.rows.len()).collect();
    let mut round = 0;
    while !live.is_empty() {
        let objects: Vec<Value> = live.iter().map(|&i| batch.objects[i].clone()).collect();
        let round_key = if round == 0 {
            key.to_string()
        } else {
            format!("{key}-r{round}")
        };
        let reply = client
            .send(
                "POST",
                path,
                Some(&round_key),
                Some(&json!({ "memberships": objects })),
            )
            .map_err(BatchError::GaveUp)?;
        match reply.status {
            201 => {
                let count = reply.body["count"].as_u64().unwrap_or(live.len() as u64) as usize;
                let created = reply.body["meta"]["created"]
                    .as_u64()
                    .unwrap_or(count as u64) as usize;
                if reply.replayed {
                    out.replayed += count;
                }
                out.created += created;
                out.present += count.saturating_sub(created);
                return Ok(out);
            }
            422 => {
                let mut by_index: HashMap<usize, Vec<String>> = HashMap::new();
                let errors = reply.body["errors"].as_array().cloned().unwrap_or_default();
                for e in &errors {
                    let message = format!(
                        "{}: {}",
                        e["type"].as_str().unwrap_or("error"),
                        e["message"].as_str().unwrap_or("")
                    );
                    match e["index"].as_u64() {
                        Some(i) if (i as usize) < live.len() => {
                            by_index.entry(i as usize).or_default().push(message)
                        }
                        _ => {
                            for i in 0..live.len() {
                                by_index.entry(i).or_default().push(message.clone());
                            }
                        }
                    }
                }
                if by_index.is_empty() {
                    return Err(BatchError::GaveUp(format!(
                        "422 without errors: {}",
                        reply.body
                    )));
                }
                let mut keep = Vec::new();
                for (pos, &i) in live.iter().enumerate() {
                    match by_index.remove(&pos) {
                        Some(messages) => {
                            let row = &batch.rows[i];
                            out.rejects.push(Reject {
                                line: row.line,
                                data: row.raw.clone(),
                                error: messages.join("; "),
                            });
                        }
                        None => keep.push(i),
                    }
                }
                live = keep;
                round += 1;
            }
            status => {
                let message = reply.body["errors"][0]["message"]
                    .as_str()
                    .unwrap_or("")
                    .to_string();
                return Err(BatchError::Fatal(format!(
                    "the server answered {status}: {message}"
                )));
            }
        }
    }
    Ok(out)
}

/// The rejects file: one JSON object per line with the line number, data and error.
fn write_rejects(path: &PathBuf, rejects: &[Reject]) -> Result<(), String> {
    let mut f =
        std::fs::File::create(path).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    for r in rejects {
        let line = json!({"line": r.line, "data": r.data, "error": r.error});
        writeln!(f, "{line}").map_err(|e| e.to_string())?;
    }
    Ok(())
}
