//! Turns usernames and group names into IDs through the API: one listing of the
//! instance in pages of 200 per kind, never one request per row. With
//! `--create-missing`, missing users and groups are created first, in bulks of 100.

use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use super::client::Client;
use super::source::{Ref, Row};
use super::Reject;

/// The plural route, the name field and the singular word of a kind.
struct Kind {
    route: &'static str,
    field: &'static str,
    what: &'static str,
}

const USERS: Kind = Kind {
    route: "users",
    field: "username",
    what: "user",
};
const GROUPS: Kind = Kind {
    route: "groups",
    field: "name",
    what: "group",
};

fn fail(status: u16, body: &Value) -> String {
    format!(
        "the server answered {status}: {}",
        body["errors"][0]["message"].as_str().unwrap_or("")
    )
}

/// Every name → ID of a kind in the instance, by cursor pages.
fn fetch_all(client: &Client, base: &str, kind: &Kind) -> Result<HashMap<String, String>, String> {
    let mut map = HashMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("{base}/{}?per_page=200&fields={}", kind.route, kind.field);
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let reply = client.send("GET", &path, None, None)?;
        if reply.status != 200 {
            return Err(fail(reply.status, &reply.body));
        }
        if let Some(objs) = reply.body[kind.route].as_object() {
            for (id, obj) in objs {
                if let Some(name) = obj[kind.field].as_str() {
                    map.insert(name.to_string(), id.clone());
                }
            }
        }
        match reply.body["meta"]["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => return Ok(map),
        }
    }
}

/// Creates the missing names; returns the ones the server refused, with why.
fn create(
    client: &Client,
    base: &str,
    kind: &Kind,
    names: &[String],
    label: &str,
) -> Result<HashMap<String, String>, String> {
    let mut refused = HashMap::new();
    for chunk in names.chunks(crate::domain::MAX_BULK) {
        let mut live: Vec<&String> = chunk.iter().collect();
        while !live.is_empty() {
            let mut h = Sha256::new();
            h.update(label.as_bytes());
            h.update(kind.route.as_bytes());
            for n in &live {
                h.update(n.as_bytes());
                h.update([0]);
            }
            let key = format!(
                "roster-import-{}-{}",
                kind.route,
                &hex::encode(h.finalize())[..32]
            );
            let objects: Vec<Value> = live.iter().map(|n| json!({ kind.field: n })).collect();
            let reply = client.send(
                "POST",
                &format!("{base}/{}", kind.route),
                Some(&key),
                Some(&json!({ kind.route: objects })),
            )?;
            match reply.status {
                201 => break,
                422 => {
                    let mut bad = BTreeSet::new();
                    for e in reply.body["errors"].as_array().into_iter().flatten() {
                        let Some(i) = e["index"]
                            .as_u64()
                            .map(|i| i as usize)
                            .filter(|i| *i < live.len())
                        else {
                            return Err(fail(422, &reply.body));
                        };
                        // Taken meanwhile by someone else: it exists, which is all we need.
                        if e["type"] != json!("duplicate") {
                            refused.insert(
                                live[i].clone(),
                                e["message"].as_str().unwrap_or("invalid").to_string(),
                            );
                        }
                        bad.insert(i);
                    }
                    live = live
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| !bad.contains(i))
                        .map(|(_, n)| *n)
                        .collect();
                }
                status => return Err(fail(status, &reply.body)),
            }
        }
    }
    Ok(refused)
}

/// Name → ID (or name → why it was refused).
type Names = HashMap<String, String>;

/// Resolves one kind of name for every row.
fn resolve_kind(
    client: &Client,
    base: &str,
    kind: &Kind,
    rows: &[Row],
    pick: fn(&Row) -> &Ref,
    create_missing: bool,
    label: &str,
) -> Result<(Names, Names), String> {
    let wanted: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| match pick(r) {
            Ref::Name(n) => Some(n.clone()),
            Ref::Id(_) => None,
        })
        .collect();
    if wanted.is_empty() {
        return Ok((HashMap::new(), HashMap::new()));
    }
    let mut ids = fetch_all(client, base, kind)?;
    let missing: Vec<String> = wanted
        .iter()
        .filter(|n| !ids.contains_key(*n))
        .cloned()
        .collect();
    let mut refused = HashMap::new();
    if !missing.is_empty() && create_missing {
        refused = create(client, base, kind, &missing, label)?;
        ids = fetch_all(client, base, kind)?;
    }
    let unknown: Vec<&String> = missing
        .iter()
        .filter(|n| !ids.contains_key(*n) && !refused.contains_key(*n))
        .collect();
    for n in unknown {
        let hint = if create_missing {
            ""
        } else {
            " (use --create-missing to create it)"
        };
        refused.insert(
            n.clone(),
            format!("{} {n:?} does not exist{hint}", kind.what),
        );
    }
    Ok((ids, refused))
}

pub fn resolve(
    client: &Client,
    base: &str,
    rows: Vec<Row>,
    create_missing: bool,
    label: &str,
) -> Result<(Vec<Row>, Vec<Reject>), String> {
    let (users, bad_users) = resolve_kind(
        client,
        base,
        &USERS,
        &rows,
        |r| &r.user,
        create_missing,
        label,
    )?;
    let (groups, bad_groups) = resolve_kind(
        client,
        base,
        &GROUPS,
        &rows,
        |r| &r.group,
        create_missing,
        label,
    )?;
    let mut ok = Vec::with_capacity(rows.len());
    let mut rejects = Vec::new();
    for mut row in rows {
        let mut errors = Vec::new();
        if let Ref::Name(n) = &row.user {
            match users.get(n) {
                Some(id) => row.user = Ref::Id(id.clone()),
                None => errors.push(
                    bad_users
                        .get(n)
                        .cloned()
                        .unwrap_or_else(|| format!("user {n:?} not found")),
                ),
            }
        }
        if let Ref::Name(n) = &row.group {
            match groups.get(n) {
                Some(id) => row.group = Ref::Id(id.clone()),
                None => errors.push(
                    bad_groups
                        .get(n)
                        .cloned()
                        .unwrap_or_else(|| format!("group {n:?} not found")),
                ),
            }
        }
        if errors.is_empty() {
            ok.push(row);
        } else {
            rejects.push(Reject {
                line: row.line,
                data: row.raw,
                error: errors.join("; "),
            });
        }
    }
    Ok((ok, rejects))
}
