//! Kantata OX's response envelope: `count`, `meta`, `results` in order, and every
//! object once in a map keyed by ID under its plural name, sideloads beside it.
//!
//! Objects are kept as the JSON text they were rendered to (`Obj::Raw`) and written
//! straight into the response: no tree of `serde_json::Value`s is built and walked for
//! the hundreds of objects of a bulk or a page (that tree cost about a third of
//! Roster's CPU per bulk create). Only what must be edited after rendering (`fields`,
//! `membership_ids`) is turned into a map, and only for the primary objects.

use std::collections::HashMap;

use actix_web::http::header::ContentType;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{json, Map, Value};

use super::query::DEFAULT_PER_PAGE as DEFAULT_PAGE_SIZE;
use crate::db::listing::Page;

/// One rendered object.
pub enum Obj {
    Raw(Box<RawValue>),
    Map(Map<String, Value>),
}

impl Obj {
    /// Renders a typed object to its JSON text.
    pub fn render<T: Serialize>(value: &T) -> Obj {
        match serde_json::value::to_raw_value(value) {
            Ok(raw) => Obj::Raw(raw),
            Err(e) => {
                // The render types are plain structs of strings and numbers; this
                // cannot happen, and would show as an empty object, not a panic.
                tracing::error!(error = %e, "rendering an object failed");
                Obj::Map(Map::new())
            }
        }
    }

    /// Edits the object as a map (parsing its text if need be).
    fn edit(&mut self, f: impl FnOnce(&mut Map<String, Value>)) {
        let mut map = match std::mem::replace(self, Obj::Map(Map::new())) {
            Obj::Map(m) => m,
            Obj::Raw(raw) => match serde_json::from_str::<Value>(raw.get()) {
                Ok(Value::Object(m)) => m,
                _ => Map::new(),
            },
        };
        f(&mut map);
        *self = Obj::Map(map);
    }
}

impl Serialize for Obj {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Obj::Raw(raw) => raw.serialize(s),
            Obj::Map(map) => map.serialize(s),
        }
    }
}

/// The objects of one plural name, in the order they were added, each once.
struct Section {
    plural: &'static str,
    objects: Vec<(i64, Obj)>,
    at: HashMap<i64, usize>,
}

impl Section {
    fn new(plural: &'static str) -> Self {
        Self {
            plural,
            objects: Vec::new(),
            at: HashMap::new(),
        }
    }

    fn insert(&mut self, id: i64, obj: Obj) {
        match self.at.get(&id) {
            Some(&i) => self.objects[i].1 = obj,
            None => {
                self.at.insert(id, self.objects.len());
                self.objects.push((id, obj));
            }
        }
    }
}

impl Serialize for Section {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(self.objects.len()))?;
        for (id, obj) in &self.objects {
            // serde_json writes integer keys as strings: "17".
            m.serialize_entry(id, obj)?;
        }
        m.end()
    }
}

/// `{"key": "memberships", "id": "17"}`
#[derive(Serialize)]
struct ResultRef {
    key: &'static str,
    #[serde(serialize_with = "crate::domain::ser_id")]
    id: i64,
}

pub struct Envelope {
    primary: &'static str,
    results: Vec<i64>,
    sections: Vec<Section>,
    meta: Map<String, Value>,
    count: i64,
}

impl Envelope {
    pub fn new(primary: &'static str) -> Self {
        Self {
            primary,
            results: Vec::new(),
            sections: vec![Section::new(primary)],
            meta: Map::new(),
            count: 0,
        }
    }

    /// Adds a primary object to `results` (in order) and to its map.
    pub fn push(&mut self, id: i64, object: Obj) {
        self.results.push(id);
        self.count += 1;
        self.sections[0].insert(id, object);
    }

    /// Adds an associated object beside the primary ones.
    pub fn sideload(&mut self, plural: &'static str, id: i64, object: Obj) {
        self.section(plural).insert(id, object);
    }

    /// Makes sure a sideload map exists even when it stays empty.
    pub fn ensure(&mut self, plural: &'static str) {
        self.section(plural);
    }

    fn section(&mut self, plural: &'static str) -> &mut Section {
        let i = match self.sections.iter().position(|s| s.plural == plural) {
            Some(i) => i,
            None => {
                self.sections.push(Section::new(plural));
                self.sections.len() - 1
            }
        };
        &mut self.sections[i]
    }

    /// Applies a function to each primary object (for `membership_ids`, `fields`).
    pub fn each_primary(&mut self, mut f: impl FnMut(i64, &mut Map<String, Value>)) {
        for (id, obj) in &mut self.sections[0].objects {
            obj.edit(|m| f(*id, m));
        }
    }

    /// Keeps only these attributes of the primary objects. `id` is always kept, and so
    /// is `membership_ids`, which only an `include` adds and which links the sideloads.
    pub fn keep_fields(&mut self, fields: &Option<Vec<String>>) {
        if let Some(fields) = fields {
            self.each_primary(|_, o| {
                o.retain(|k, _| k == "id" || k == "membership_ids" || fields.iter().any(|f| f == k))
            });
        }
    }

    pub fn meta(&mut self, key: &str, value: Value) {
        self.meta.insert(key.to_string(), value);
    }

    /// Sets `count` and `meta` for a list page.
    pub fn page_meta<T>(
        &mut self,
        page: &Page<T>,
        page_number: Option<i64>,
        per_page: i64,
        next_cursor: Option<String>,
    ) {
        self.count = page.total;
        let page_count = (page.total + per_page - 1) / per_page;
        self.meta("count", json!(page.total));
        self.meta("page_count", json!(page_count));
        self.meta("page_number", json!(page_number));
        self.meta("page_size", json!(per_page));
        self.meta("next_cursor", json!(next_cursor));
    }

    /// `meta` as sent: a list page's own, or, for anything else (a create, a read of
    /// one object), the whole answer as one page, as API.md §5's example describes it.
    fn full_meta(&self) -> Map<String, Value> {
        let mut meta = Map::new();
        meta.insert("count".into(), json!(self.count));
        if !self.meta.contains_key("page_count") {
            meta.insert("page_count".into(), json!(1));
            meta.insert("page_number".into(), json!(1));
            meta.insert("page_size".into(), json!(self.count.max(DEFAULT_PAGE_SIZE)));
            meta.insert("next_cursor".into(), Value::Null);
        }
        for (k, v) in &self.meta {
            meta.insert(k.clone(), v.clone());
        }
        meta
    }

    /// The envelope as a JSON tree, for the few callers that edit it after rendering.
    pub fn into_value(self) -> Value {
        serde_json::to_value(&self).unwrap_or_else(|e| {
            tracing::error!(error = %e, "rendering an envelope failed");
            Value::Null
        })
    }

    /// The envelope as the response body's JSON text.
    pub fn into_body(self) -> String {
        serde_json::to_string(&self).unwrap_or_else(|e| {
            tracing::error!(error = %e, "rendering an envelope failed");
            String::new()
        })
    }

    pub fn respond(self, status: StatusCode) -> HttpResponse {
        json_response(status, self.into_body())
    }
}

impl Serialize for Envelope {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3 + self.sections.len()))?;
        m.serialize_entry("count", &self.count)?;
        m.serialize_entry("meta", &self.full_meta())?;
        let results: Vec<ResultRef> = self
            .results
            .iter()
            .map(|&id| ResultRef {
                key: self.primary,
                id,
            })
            .collect();
        m.serialize_entry("results", &results)?;
        for section in &self.sections {
            m.serialize_entry(section.plural, section)?;
        }
        m.end()
    }
}

/// A response whose body is already JSON text.
pub fn json_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body)
}
