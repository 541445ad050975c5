//! Reading an import file: CSV with a header, or JSON Lines. Every problem is kept with
//! its line number; good rows are never held back by bad ones.

use std::collections::HashSet;

use serde_json::{Map, Value};

/// How a row names its user or its group.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Ref {
    Id(String),
    Name(String),
}

/// One membership to import.
#[derive(Debug, Clone)]
pub struct Row {
    pub line: usize,
    pub raw: String,
    pub user: Ref,
    pub group: Ref,
    pub role: Option<String>,
    /// `None`: omitted; `Some(Value::Null)`: given as null.
    pub permissions: Option<Value>,
}

/// A line that could not be read.
#[derive(Debug, Clone)]
pub struct BadLine {
    pub line: usize,
    pub raw: String,
    pub error: String,
}

pub const COLUMNS: &[&str] = &[
    "user_id",
    "username",
    "group_id",
    "group",
    "role",
    "configurable_permissions",
];

#[derive(Default)]
pub struct Parsed {
    pub rows: Vec<Row>,
    pub bad: Vec<BadLine>,
    /// Problems that concern the whole file (e.g. an unknown CSV column), with a line.
    pub warnings: Vec<BadLine>,
}

fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Builds a row from named fields (from either format).
fn row_from(fields: &Map<String, Value>, line: usize, raw: &str) -> Result<Row, String> {
    let user = match (text(fields.get("user_id")), text(fields.get("username"))) {
        (Some(id), _) => Ref::Id(id),
        (None, Some(name)) => Ref::Name(name),
        (None, None) => return Err("the row names no user (user_id or username)".into()),
    };
    let group = match (text(fields.get("group_id")), text(fields.get("group"))) {
        (Some(id), _) => Ref::Id(id),
        (None, Some(name)) => Ref::Name(name),
        (None, None) => return Err("the row names no group (group_id or group)".into()),
    };
    if let Ref::Id(id) = user.clone() {
        if id.parse::<u64>().map(|v| v == 0).unwrap_or(true) {
            return Err(format!("user_id {id:?} is not a positive integer"));
        }
    }
    if let Ref::Id(id) = group.clone() {
        if id.parse::<u64>().map(|v| v == 0).unwrap_or(true) {
            return Err(format!("group_id {id:?} is not a positive integer"));
        }
    }
    let role = text(fields.get("role"));
    let permissions = match fields.get("configurable_permissions") {
        None => None,
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) => Some(
            serde_json::from_str(s)
                .map_err(|e| format!("configurable_permissions is not JSON: {e}"))?,
        ),
        Some(other) => Some(other.clone()),
    };
    Ok(Row {
        line,
        raw: raw.to_string(),
        user,
        group,
        role,
        permissions,
    })
}

pub fn parse_jsonl(content: &str) -> Parsed {
    let mut out = Parsed::default();
    for (i, raw) in content.lines().enumerate() {
        let line = i + 1;
        if raw.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<Value>(raw) {
            Ok(Value::Object(map)) => match map.keys().find(|k| !COLUMNS.contains(&k.as_str())) {
                Some(k) => Err(format!(
                    "unknown field {k:?} (known: {})",
                    COLUMNS.join(", ")
                )),
                None => row_from(&map, line, raw),
            },
            Ok(_) => Err("the line is not a JSON object".into()),
            Err(e) => Err(format!("malformed JSON: {e}")),
        };
        match result {
            Ok(row) => out.rows.push(row),
            Err(error) => out.bad.push(BadLine {
                line,
                raw: raw.to_string(),
                error,
            }),
        }
    }
    out
}

pub fn parse_csv(content: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .trim(csv::Trim::All)
        .from_reader(content.as_bytes());
    let headers: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.to_string()).collect(),
        Err(e) => {
            out.bad.push(BadLine {
                line: 1,
                raw: String::new(),
                error: format!("unreadable header: {e}"),
            });
            return out;
        }
    };
    let known: HashSet<&str> = COLUMNS.iter().copied().collect();
    for h in headers.iter().filter(|h| !known.contains(h.as_str())) {
        out.warnings.push(BadLine {
            line: 1,
            raw: headers.join(","),
            error: format!(
                "unknown column {h:?} is ignored (known: {})",
                COLUMNS.join(", ")
            ),
        });
    }
    let lines: Vec<&str> = content.lines().collect();
    for record in reader.records() {
        let (line, result) = match record {
            Ok(rec) => {
                let line = rec.position().map(|p| p.line() as usize).unwrap_or(0);
                let raw = lines.get(line.saturating_sub(1)).copied().unwrap_or("");
                if rec.len() != headers.len() {
                    (
                        line,
                        Err(format!(
                            "the line has {} fields; the header has {}",
                            rec.len(),
                            headers.len()
                        )),
                    )
                } else {
                    let map: Map<String, Value> = headers
                        .iter()
                        .zip(rec.iter())
                        .filter(|(h, _)| known.contains(h.as_str()))
                        .map(|(h, v)| (h.clone(), Value::String(v.to_string())))
                        .collect();
                    (line, row_from(&map, line, raw))
                }
            }
            Err(e) => (
                e.position().map(|p| p.line() as usize).unwrap_or(0),
                Err(format!("malformed CSV: {e}")),
            ),
        };
        match result {
            Ok(row) => out.rows.push(row),
            Err(error) => {
                let raw = lines
                    .get(line.saturating_sub(1))
                    .copied()
                    .unwrap_or("")
                    .to_string();
                out.bad.push(BadLine { line, raw, error });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_and_bad_lines_keep_their_line_numbers() {
        let p = parse_csv("username,group,role,color\ngeralt,witchers,admin,red\n,witchers,member,x\nciri,witchers\n");
        assert_eq!(p.rows.len(), 1);
        assert_eq!(p.rows[0].line, 2);
        assert_eq!(p.rows[0].user, Ref::Name("geralt".into()));
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4]);
    }

    #[test]
    fn jsonl_rejects_unknown_fields_and_malformed_lines() {
        let p = parse_jsonl("{\"user_id\": 5, \"group_id\": \"3\"}\n\nnot json\n{\"user_id\": 1, \"group_id\": 2, \"x\": 1}\n{\"user_id\": 1, \"group\": \"g\", \"configurable_permissions\": null}\n");
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0].user, Ref::Id("5".into()));
        assert_eq!(p.rows[1].permissions, Some(Value::Null));
        assert_eq!(p.bad.iter().map(|b| b.line).collect::<Vec<_>>(), vec![3, 4]);
    }
}
