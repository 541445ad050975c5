//! Spawns the real app on port 0 with a database of its own, and speaks HTTP to it.
#![allow(dead_code)] // not every helper is used by every test

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use diesel::connection::SimpleConnection;
use diesel::{Connection, PgConnection};
use reqwest::{Method, StatusCode};
use roster::config::Settings;
use serde_json::{json, Value};

mod memberships;
pub use memberships::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The database a test owns; removed when the test ends.
enum DbGuard {
    Sqlite(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl Drop for DbGuard {
    fn drop(&mut self) {
        match self {
            DbGuard::Sqlite(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            DbGuard::Postgres { admin_url, name } => {
                if let Ok(mut c) = PgConnection::establish(admin_url) {
                    let _ =
                        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
                }
            }
        }
    }
}

fn unique_suffix() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!(
        "{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// The PostgreSQL server tests use, or `None` (loudly) when it is not configured.
/// Under CI a missing URL is a failure, never a skip.
pub fn postgres_url() -> Option<String> {
    match std::env::var("ROSTER_TEST_POSTGRES_URL")
        .ok()
        .filter(|v| !v.is_empty())
    {
        Some(url) => Some(without_tls(url)),
        None => {
            if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
                panic!("ROSTER_TEST_POSTGRES_URL is not set under CI: PostgreSQL tests must not be skipped");
            }
            eprintln!("!!! SKIPPED on PostgreSQL: set ROSTER_TEST_POSTGRES_URL (e.g. postgres://postgres@127.0.0.1:5432/test)");
            None
        }
    }
}

/// The test server's pools keep reconnecting in background threads to the databases
/// the tests have dropped, until the process exits; a thread inside OpenSSL's handshake
/// while OpenSSL's exit handlers run crashed the test binary once with SIGSEGV after
/// every test had passed. On a local server TLS protects nothing, so the tests' URL
/// turns it off unless it says otherwise (`sslmode=…`).
fn without_tls(url: String) -> String {
    if url.contains("sslmode=") {
        url
    } else if url.contains('?') {
        format!("{url}&sslmode=disable")
    } else {
        format!("{url}?sslmode=disable")
    }
}

fn replace_db_name(url: &str, name: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let prefix = match base.rfind('/') {
        Some(i) if i > "postgres://".len() => &base[..i],
        _ => base,
    };
    match query {
        Some(q) => format!("{prefix}/{name}?{q}"),
        None => format!("{prefix}/{name}"),
    }
}

pub struct TestApp {
    pub base: String,
    pub account_key: String,
    pub backend: Backend,
    pub database_url: String,
    client: reqwest::Client,
    handle: actix_web::dev::ServerHandle,
    /// The app's own pool (its wake-ups are the ones its webhook dispatcher hears).
    pub pool: roster::db::DbPool,
    webhooks: std::sync::Arc<roster::service::webhooks::Dispatcher>,
    /// `None` for a second app on another's database (`spawn_beside`).
    _db: Option<DbGuard>,
}

/// A response: status, headers and the JSON body (`Value::Null` when empty; a body
/// that is not JSON fails the test in `TestApp::read`).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
    pub text: String,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `type` of each error, in order.
    pub fn error_types(&self) -> Vec<String> {
        self.body["errors"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["type"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `index` of each error, in order (`None` where absent).
    pub fn error_indexes(&self) -> Vec<Option<u64>> {
        self.body["errors"]
            .as_array()
            .map(|a| a.iter().map(|e| e["index"].as_u64()).collect())
            .unwrap_or_default()
    }

    /// The primary objects in `results` order.
    pub fn results(&self) -> Vec<Value> {
        let Some(results) = self.body["results"].as_array() else {
            return Vec::new();
        };
        results
            .iter()
            .map(|r| {
                let key = r["key"].as_str().unwrap_or("");
                let id = r["id"].as_str().unwrap_or("");
                self.body[key][id].clone()
            })
            .collect()
    }

    /// The ID of the first primary object.
    pub fn id(&self) -> String {
        self.body["results"][0]["id"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    #[track_caller]
    pub fn assert_status(&self, status: u16) -> &Self {
        assert_eq!(
            self.status.as_u16(),
            status,
            "unexpected status; body: {}",
            self.text
        );
        self
    }

    /// Asserts an error response in the §7 form with exactly these types.
    #[track_caller]
    pub fn assert_error(&self, status: u16, kind: &str) -> &Self {
        self.assert_status(status);
        let types = self.error_types();
        assert!(
            !types.is_empty() && types.iter().all(|t| t == kind),
            "expected errors of type {kind}, got {}",
            self.text
        );
        for e in self.body["errors"].as_array().into_iter().flatten() {
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "error without a message: {}",
                self.text
            );
        }
        self
    }
}

impl TestApp {
    /// Starts the app on `backend`; `None` when PostgreSQL is not configured here.
    pub async fn spawn(backend: Backend) -> Option<TestApp> {
        Self::spawn_with(backend, |_| {}).await
    }

    pub async fn spawn_with(
        backend: Backend,
        tweak: impl FnOnce(&mut Settings),
    ) -> Option<TestApp> {
        let suffix = unique_suffix();
        let (database_url, guard) = match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("roster_test_{suffix}.db"));
                (
                    format!("sqlite://{}", path.display()),
                    DbGuard::Sqlite(path),
                )
            }
            Backend::Postgres => {
                let admin_url = postgres_url()?;
                let name = format!("roster_t_{suffix}");
                let mut c =
                    PgConnection::establish(&admin_url).expect("connect to the test PostgreSQL");
                c.batch_execute(&format!("CREATE DATABASE {name}"))
                    .expect("create the test database");
                (
                    replace_db_name(&admin_url, &name),
                    DbGuard::Postgres { admin_url, name },
                )
            }
        };
        let account_key = format!("rk_test_account_{suffix}");
        Some(Self::start(
            backend,
            database_url,
            account_key,
            Some(guard),
            tweak,
        ))
    }

    /// Another app on this app's database (a restart, or a second process).
    pub fn spawn_beside(&self, tweak: impl FnOnce(&mut Settings)) -> TestApp {
        Self::start(
            self.backend,
            self.database_url.clone(),
            self.account_key.clone(),
            None,
            tweak,
        )
    }

    fn start(
        backend: Backend,
        database_url: String,
        account_key: String,
        guard: Option<DbGuard>,
        tweak: impl FnOnce(&mut Settings),
    ) -> TestApp {
        let mut settings = Settings::load_with(&|_| None).expect("default settings");
        settings.database_url = database_url.clone();
        settings.bind = "127.0.0.1:0".into();
        settings.account_key = Some(account_key.clone());
        settings.workers = 2;
        settings.pool_size = 6;
        settings.log = std::env::var("ROSTER_TEST_LOG").unwrap_or_else(|_| "error".into());
        tweak(&mut settings);
        roster::telemetry::init(&settings.log, false);
        let app = roster::startup::build(settings, false).expect("build the app");
        let handle = app.server.handle();
        tokio::spawn(app.server);
        TestApp {
            base: format!("http://127.0.0.1:{}", app.port),
            account_key,
            backend,
            database_url,
            client: reqwest::Client::new(),
            handle,
            pool: app.pool,
            webhooks: app.webhooks,
            _db: guard,
        }
    }

    /// Sends a request; `body` is sent as JSON when given.
    pub async fn request(
        &self,
        method: Method,
        path: &str,
        key: Option<&str>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self
            .client
            .request(method, format!("{}{}", self.base, path));
        if let Some(k) = key {
            req = req.header("X-API-KEY", k);
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        Self::read(req.send().await.expect("request")).await
    }

    /// Reads a reqwest response into a `Resp`.
    pub async fn read(res: reqwest::Response) -> Resp {
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.expect("body");
        // An empty body is `Value::Null`; any other body must be JSON, or the test fails.
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|err| {
                panic!("the body of a {status} response is not JSON ({err}): {text:?}")
            })
        };
        Resp {
            status,
            headers,
            body,
            text,
        }
    }

    /// A request builder for headers and bodies the helpers do not cover.
    pub fn raw(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.client
            .request(method, format!("{}{}", self.base, path))
    }

    pub async fn get(&self, path: &str, key: &str) -> Resp {
        self.request(Method::GET, path, Some(key), None).await
    }

    pub async fn post(&self, path: &str, key: &str, body: Value) -> Resp {
        self.request(Method::POST, path, Some(key), Some(body))
            .await
    }

    pub async fn patch(&self, path: &str, key: &str, body: Value) -> Resp {
        self.request(Method::PATCH, path, Some(key), Some(body))
            .await
    }

    pub async fn delete(&self, path: &str, key: &str) -> Resp {
        self.request(Method::DELETE, path, Some(key), None).await
    }

    /// Creates an instance and an admin key for it through the API.
    pub async fn tenant(&self, name: &str) -> Tenant {
        self.post(
            "/instances",
            &self.account_key,
            json!({"instance": {"name": name}}),
        )
        .await
        .assert_status(201);
        let key = self
            .post(
                &format!("/instances/{name}/api_keys"),
                &self.account_key,
                json!({"api_key": {"role": "admin"}}),
            )
            .await;
        key.assert_status(201);
        let id = key.id();
        Tenant {
            name: name.to_string(),
            key: key.body["api_keys"][&id]["key"]
                .as_str()
                .expect("key")
                .to_string(),
        }
    }

    /// Runs SQL straight on the test's database (for triggers and checks).
    pub fn sql(&self, statements: &str) {
        let url = roster::db::DatabaseUrl::parse(&self.database_url).expect("url");
        let pool =
            roster::db::build_pool(&url, 1, std::time::Duration::from_secs(5)).expect("pool");
        let mut conn = pool.get().expect("conn");
        conn.batch_execute(statements).expect("sql");
    }

    /// Reverts the app's database's newest migration (its `down.sql`); an app started
    /// on it after this runs that migration again.
    pub fn revert_last_migration(&self) {
        use diesel_migrations::MigrationHarness;
        let url = roster::db::DatabaseUrl::parse(&self.database_url).expect("url");
        let pool =
            roster::db::build_pool(&url, 1, std::time::Duration::from_secs(5)).expect("pool");
        let mut conn = pool.get().expect("conn");
        let reverted = match &mut *conn {
            roster::db::AnyConnection::Postgresql(c) => {
                c.revert_last_migration(roster::db::PG_MIGRATIONS)
            }
            roster::db::AnyConnection::Sqlite(c) => {
                c.revert_last_migration(roster::db::SQLITE_MIGRATIONS)
            }
        };
        reverted.expect("revert the newest migration");
    }

    pub async fn stop(&self) {
        self.handle.stop(true).await;
        self.webhooks.stop().await;
    }
}

/// An instance and its admin key.
pub struct Tenant {
    pub name: String,
    pub key: String,
}

impl Tenant {
    /// The path of a route under this instance: `t.at("/users")`.
    pub fn at(&self, path: &str) -> String {
        format!("/instances/{}{}", self.name, path)
    }
}

impl TestApp {
    /// Creates users by username; returns their IDs in order.
    pub async fn users(&self, t: &Tenant, names: &[&str]) -> Vec<String> {
        let objs: Vec<Value> = names.iter().map(|n| json!({"username": n})).collect();
        let r = self
            .post(&t.at("/users"), &t.key, json!({ "users": objs }))
            .await;
        r.assert_status(201);
        r.results()
            .iter()
            .map(|u| u["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Creates groups by name; returns their IDs in order.
    pub async fn groups(&self, t: &Tenant, names: &[&str]) -> Vec<String> {
        let objs: Vec<Value> = names.iter().map(|n| json!({"name": n})).collect();
        let r = self
            .post(&t.at("/groups"), &t.key, json!({ "groups": objs }))
            .await;
        r.assert_status(201);
        r.results()
            .iter()
            .map(|g| g["id"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    /// Issues a user key bound to `user_id`.
    pub async fn user_key(&self, t: &Tenant, user_id: &str) -> String {
        let r = self
            .post(
                &t.at("/api_keys"),
                &t.key,
                json!({"api_key": {"role": "user", "user_id": user_id}}),
            )
            .await;
        r.assert_status(201);
        r.body["api_keys"][&r.id()]["key"]
            .as_str()
            .expect("key")
            .to_string()
    }
}

/// Declares each test once and runs it on SQLite and on PostgreSQL:
/// `both! { async fn name(app) { ... } }` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! both {
    ($(async fn $name:ident($app:ident) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                #[allow(unused_imports)]
                use $crate::support::*;

                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::spawn(Backend::Sqlite).await.expect("sqlite app");
                    run(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn(Backend::Postgres).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}
