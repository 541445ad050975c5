//! Kantata OX's response envelope: `count`, `meta`, `results` in order, and every
//! object once in a map keyed by ID under its plural name, sideloads beside it.

use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::query::DEFAULT_PER_PAGE as DEFAULT_PAGE_SIZE;
use crate::db::listing::Page;

pub struct Envelope {
    primary: &'static str,
    results: Vec<Value>,
    maps: Map<String, Value>,
    meta: Map<String, Value>,
    count: i64,
}

impl Envelope {
    pub fn new(primary: &'static str) -> Self {
        let mut maps = Map::new();
        maps.insert(primary.to_string(), Value::Object(Map::new()));
        Self {
            primary,
            results: Vec::new(),
            maps,
            meta: Map::new(),
            count: 0,
        }
    }

    /// Adds a primary object to `results` (in order) and to its map.
    pub fn push(&mut self, id: i64, object: Map<String, Value>) {
        self.results
            .push(json!({"key": self.primary, "id": id.to_string()}));
        self.count += 1;
        self.insert(self.primary, id, object);
    }

    /// Adds an associated object beside the primary ones.
    pub fn sideload(&mut self, plural: &'static str, id: i64, object: Map<String, Value>) {
        self.insert(plural, id, object);
    }

    /// Makes sure a sideload map exists even when it stays empty.
    pub fn ensure(&mut self, plural: &'static str) {
        self.maps
            .entry(plural.to_string())
            .or_insert_with(|| Value::Object(Map::new()));
    }

    fn insert(&mut self, plural: &'static str, id: i64, object: Map<String, Value>) {
        if let Value::Object(map) = self
            .maps
            .entry(plural.to_string())
            .or_insert_with(|| Value::Object(Map::new()))
        {
            map.insert(id.to_string(), Value::Object(object));
        }
    }

    /// Applies a function to each primary object (for `membership_ids`, `fields`).
    pub fn each_primary(&mut self, mut f: impl FnMut(&str, &mut Map<String, Value>)) {
        if let Some(Value::Object(map)) = self.maps.get_mut(self.primary) {
            for (id, obj) in map.iter_mut() {
                if let Value::Object(o) = obj {
                    f(id, o);
                }
            }
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

    pub fn into_value(self) -> Value {
        let mut meta = Map::new();
        meta.insert("count".into(), json!(self.count));
        if !self.meta.contains_key("page_count") {
            // Not a list page (a create, a read of one object): the whole answer is one
            // page, described as API.md §5's example describes it.
            meta.insert("page_count".into(), json!(1));
            meta.insert("page_number".into(), json!(1));
            meta.insert("page_size".into(), json!(self.count.max(DEFAULT_PAGE_SIZE)));
            meta.insert("next_cursor".into(), Value::Null);
        }
        for (k, v) in self.meta {
            meta.insert(k, v);
        }
        let mut out = Map::new();
        out.insert("count".into(), json!(self.count));
        out.insert("meta".into(), Value::Object(meta));
        out.insert("results".into(), Value::Array(self.results));
        for (k, v) in self.maps {
            out.insert(k, v);
        }
        Value::Object(out)
    }

    pub fn respond(self, status: StatusCode) -> HttpResponse {
        HttpResponse::build(status).json(self.into_value())
    }
}
