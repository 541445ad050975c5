//! Kantata OX's response envelope: `count`, `meta`, `results` in order, and every
//! object once in a map keyed by ID under its plural name, sideloads beside it.
//!
//! Objects are rendered, as they are added, into one text buffer of the envelope, and
//! the body is written from that buffer: no tree of `serde_json::Value`s is built and
//! walked for the hundreds of objects of a bulk or a page (that tree cost about a third
//! of Roster's CPU per bulk create), and no object gets an allocation of its own (a
//! boxed text per object, grown while it was written, kept glibc's allocator busy:
//! about a fifth of Roster's CPU per bulk create was `malloc` and `free`). Only what
//! must be edited after rendering (`fields`, `membership_ids`) is turned into a map,
//! and only for the primary objects.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::ops::Range;

use actix_web::http::header::ContentType;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;
use serde_json::{json, Map, Value};

use super::query::DEFAULT_PER_PAGE as DEFAULT_PAGE_SIZE;
use super::render::Row;
use crate::db::listing::Page;
use crate::error::ApiError;
use crate::service::ServiceError;

/// One rendered object: a span of the envelope's text, or a map once edited.
enum Obj {
    Text(Range<usize>),
    Map(Map<String, Value>),
}

/// Hashes an object ID with one multiplication (IDs are database keys, not text an
/// attacker chooses freely; SipHash was 2–3% of Roster's CPU per bulk create).
#[derive(Default)]
struct IdHasher(u64);

impl Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }

    fn write_i64(&mut self, id: i64) {
        self.0 = (id as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The objects of one plural name, in the order they were added, each once.
struct Section {
    plural: &'static str,
    objects: Vec<(i64, Obj)>,
    at: HashMap<i64, usize, BuildHasherDefault<IdHasher>>,
}

impl Section {
    fn new(plural: &'static str) -> Self {
        Self {
            plural,
            objects: Vec::new(),
            at: HashMap::default(),
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

pub struct Envelope {
    primary: &'static str,
    results: Vec<i64>,
    sections: Vec<Section>,
    meta: Map<String, Value>,
    count: i64,
    /// `meta` is `count` and what `meta()` set, no page fields (the change feed's).
    plain_meta: bool,
    /// The JSON text of every object, one after another (`Obj::Text` spans).
    text: Vec<u8>,
}

impl Envelope {
    pub fn new(primary: &'static str) -> Self {
        Self {
            primary,
            results: Vec::new(),
            sections: vec![Section::new(primary)],
            meta: Map::new(),
            count: 0,
            plain_meta: false,
            text: Vec::new(),
        }
    }

    /// Makes room for `n` more objects of one plural name (a bulk's, a page's, their
    /// sideloads), so that the buffers are not grown and copied again and again while
    /// they are written.
    pub fn reserve(&mut self, plural: &'static str, n: usize) {
        self.text.reserve(n * 256);
        if plural == self.primary {
            self.results.reserve(n);
        }
        let section = self.section(plural);
        section.objects.reserve(n);
        section.at.reserve(n);
    }

    /// Renders a row into the text buffer.
    fn render<R: Row>(&mut self, row: &R) -> Obj {
        let start = self.text.len();
        row.write_json(&mut self.text);
        Obj::Text(start..self.text.len())
    }

    /// Adds a primary object to `results` (in order) and to its map.
    pub fn push<R: Row>(&mut self, row: &R) {
        let obj = self.render(row);
        let id = row.id();
        self.results.push(id);
        self.count += 1;
        self.sections[0].insert(id, obj);
    }

    /// Adds an associated object beside the primary ones, under its plural name.
    pub fn sideload<R: Row>(&mut self, row: &R) {
        let obj = self.render(row);
        self.section(R::PLURAL).insert(row.id(), obj);
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
        let text = &self.text;
        for (id, obj) in &mut self.sections[0].objects {
            let mut map = match std::mem::replace(obj, Obj::Map(Map::new())) {
                Obj::Map(m) => m,
                Obj::Text(span) => match serde_json::from_slice::<Value>(&text[span]) {
                    Ok(Value::Object(m)) => m,
                    _ => Map::new(),
                },
            };
            f(*id, &mut map);
            *obj = Obj::Map(map);
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

    /// An envelope of `n` objects whose `meta` is `count` and what `meta()` sets (the
    /// change feed: a cursor of its own, no pages).
    pub fn plain(&mut self, n: i64) {
        self.count = n;
        self.plain_meta = true;
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
        if !self.plain_meta && !self.meta.contains_key("page_count") {
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

    /// The envelope as the response body's JSON text:
    /// `{"count":…,"meta":{…},"results":[{"key":…,"id":"…"},…],"<plural>":{"<id>":{…},…},…}`.
    pub fn into_body(self) -> Result<String, RenderError> {
        let mut out = Vec::with_capacity(self.text.len() + 48 * self.results.len() + 512);
        out.extend_from_slice(b"{\"count\":");
        out.extend_from_slice(itoa::Buffer::new().format(self.count).as_bytes());
        out.extend_from_slice(b",\"meta\":");
        write_json(&mut out, &self.full_meta());
        out.extend_from_slice(b",\"results\":[");
        let mut ids = itoa::Buffer::new();
        for (i, id) in self.results.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(b"{\"key\":");
            write_json(&mut out, self.primary);
            out.extend_from_slice(b",\"id\":\"");
            out.extend_from_slice(ids.format(*id).as_bytes());
            out.extend_from_slice(b"\"}");
        }
        out.push(b']');
        for section in &self.sections {
            out.push(b',');
            write_json(&mut out, section.plural);
            out.extend_from_slice(b":{");
            for (i, (id, obj)) in section.objects.iter().enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.push(b'"');
                out.extend_from_slice(ids.format(*id).as_bytes());
                out.extend_from_slice(b"\":");
                match obj {
                    Obj::Text(span) => out.extend_from_slice(&self.text[span.clone()]),
                    Obj::Map(map) => write_json(&mut out, map),
                }
            }
            out.push(b'}');
        }
        out.push(b'}');
        // Every piece was written by serde_json or is ASCII: a failure here is a bug,
        // answered 500 (and logged), never an empty 200.
        String::from_utf8(out).map_err(|e| RenderError(format!("an envelope was not UTF-8: {e}")))
    }

    pub fn respond(self, status: StatusCode) -> Result<HttpResponse, ApiError> {
        Ok(json_response(status, self.into_body()?))
    }
}

pub use crate::service::objects::write_json;

/// An envelope that could not be rendered: a bug.
#[derive(Debug)]
pub struct RenderError(pub String);

impl From<RenderError> for ApiError {
    fn from(e: RenderError) -> Self {
        ApiError::Internal(e.0)
    }
}

impl From<RenderError> for ServiceError {
    fn from(e: RenderError) -> Self {
        ServiceError::Internal(e.0)
    }
}

/// A response whose body is already JSON text.
pub fn json_response(status: StatusCode, body: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type(ContentType::json())
        .body(body)
}
