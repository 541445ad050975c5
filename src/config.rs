//! Settings: loaded once at start-up and passed in (no globals).

use std::path::Path;

use anyhow::{anyhow, bail, Context};
use serde::Deserialize;

/// The defaults, compiled in so the binary runs from any directory.
const DEFAULTS: &str = include_str!("../config/default.toml");

#[derive(Debug, Clone)]
pub struct Settings {
    pub database_url: String,
    pub bind: String,
    pub account_key: Option<String>,
    pub log: String,
    pub log_json: bool,
    pub workers: usize,
    pub pool_size: u32,
    pub pool_timeout_ms: u64,
    pub max_body_bytes: usize,
    pub cors_origins: Vec<String>,
    pub shutdown_timeout_secs: u64,
    /// A request head must arrive within this (from the connection's start, or from
    /// the first byte of a later request on a kept-alive connection): else `408`.
    pub head_timeout_ms: u64,
    /// A request body must arrive whole within this, once its handler reads it: else
    /// `408`. Also the longest a response may wait for the client to read it.
    pub body_timeout_ms: u64,
    /// How long an idle kept-alive connection stays open.
    pub keep_alive_ms: u64,
    /// Concurrent connections, over all workers (each takes its share).
    pub max_connections: usize,
    /// How long the change feed keeps its events (API.md §9).
    pub event_retention_days: u32,
    /// Webhooks (API.md §10): how deliveries are made and retried (`WebhookSettings`).
    pub webhooks: WebhookSettings,
}

/// Webhook deliveries: the contract's figures by default; shorter ones let tests see a
/// timeout, a retry or a disabling in seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WebhookSettings {
    /// Deliver to loopback, private, link-local and metadata addresses too (local
    /// development and tests only).
    pub allow_private: bool,
    /// A delivery must be answered 2xx within this.
    pub timeout_ms: u64,
    /// The first retry comes after about this long; each next one after twice as long.
    pub retry_base_ms: u64,
    /// The longest wait between two attempts.
    pub retry_max_ms: u64,
    /// An endpoint that has failed for this long without a success is disabled.
    pub failure_window_ms: u64,
}

impl Default for WebhookSettings {
    fn default() -> Self {
        Self {
            allow_private: false,
            timeout_ms: 10_000,
            retry_base_ms: 1000,
            retry_max_ms: 3_600_000,
            failure_window_ms: 86_400_000,
        }
    }
}

/// One layer of configuration; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Layer {
    database_url: Option<String>,
    bind: Option<String>,
    account_key: Option<String>,
    log: Option<String>,
    log_format: Option<String>,
    workers: Option<usize>,
    pool_size: Option<u32>,
    pool_timeout_ms: Option<u64>,
    max_body_bytes: Option<usize>,
    cors_origins: Option<Vec<String>>,
    shutdown_timeout_secs: Option<u64>,
    head_timeout_ms: Option<u64>,
    body_timeout_ms: Option<u64>,
    keep_alive_ms: Option<u64>,
    max_connections: Option<usize>,
    event_retention_days: Option<u32>,
    webhook_allow_private: Option<bool>,
    webhook_timeout_ms: Option<u64>,
    webhook_retry_base_ms: Option<u64>,
    webhook_retry_max_ms: Option<u64>,
    webhook_failure_window_ms: Option<u64>,
}

impl Layer {
    fn over(self, base: Layer) -> Layer {
        Layer {
            database_url: self.database_url.or(base.database_url),
            bind: self.bind.or(base.bind),
            account_key: self.account_key.or(base.account_key),
            log: self.log.or(base.log),
            log_format: self.log_format.or(base.log_format),
            workers: self.workers.or(base.workers),
            pool_size: self.pool_size.or(base.pool_size),
            pool_timeout_ms: self.pool_timeout_ms.or(base.pool_timeout_ms),
            max_body_bytes: self.max_body_bytes.or(base.max_body_bytes),
            cors_origins: self.cors_origins.or(base.cors_origins),
            shutdown_timeout_secs: self.shutdown_timeout_secs.or(base.shutdown_timeout_secs),
            head_timeout_ms: self.head_timeout_ms.or(base.head_timeout_ms),
            body_timeout_ms: self.body_timeout_ms.or(base.body_timeout_ms),
            keep_alive_ms: self.keep_alive_ms.or(base.keep_alive_ms),
            max_connections: self.max_connections.or(base.max_connections),
            event_retention_days: self.event_retention_days.or(base.event_retention_days),
            webhook_allow_private: self.webhook_allow_private.or(base.webhook_allow_private),
            webhook_timeout_ms: self.webhook_timeout_ms.or(base.webhook_timeout_ms),
            webhook_retry_base_ms: self.webhook_retry_base_ms.or(base.webhook_retry_base_ms),
            webhook_retry_max_ms: self.webhook_retry_max_ms.or(base.webhook_retry_max_ms),
            webhook_failure_window_ms: self
                .webhook_failure_window_ms
                .or(base.webhook_failure_window_ms),
        }
    }
}

fn parse_layer(text: &str, origin: &str) -> anyhow::Result<Layer> {
    toml::from_str(text).with_context(|| origin.to_string())
}

fn env_layer(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Layer> {
    fn num<T: std::str::FromStr>(name: &str, v: Option<String>) -> anyhow::Result<Option<T>> {
        v.map(|s| {
            s.trim()
                .parse::<T>()
                .map_err(|_| anyhow!("{name} must be a number, got {s:?}"))
        })
        .transpose()
    }
    Ok(Layer {
        database_url: get("ROSTER_DATABASE_URL"),
        bind: get("ROSTER_BIND"),
        account_key: get("ROSTER_ACCOUNT_KEY"),
        log: get("ROSTER_LOG"),
        log_format: get("ROSTER_LOG_FORMAT"),
        workers: num("ROSTER_WORKERS", get("ROSTER_WORKERS"))?,
        pool_size: num("ROSTER_POOL_SIZE", get("ROSTER_POOL_SIZE"))?,
        pool_timeout_ms: num("ROSTER_POOL_TIMEOUT_MS", get("ROSTER_POOL_TIMEOUT_MS"))?,
        max_body_bytes: num("ROSTER_MAX_BODY_BYTES", get("ROSTER_MAX_BODY_BYTES"))?,
        cors_origins: get("ROSTER_CORS_ORIGINS").map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|o| !o.is_empty())
                .map(String::from)
                .collect()
        }),
        shutdown_timeout_secs: num(
            "ROSTER_SHUTDOWN_TIMEOUT_SECS",
            get("ROSTER_SHUTDOWN_TIMEOUT_SECS"),
        )?,
        head_timeout_ms: num("ROSTER_HEAD_TIMEOUT_MS", get("ROSTER_HEAD_TIMEOUT_MS"))?,
        body_timeout_ms: num("ROSTER_BODY_TIMEOUT_MS", get("ROSTER_BODY_TIMEOUT_MS"))?,
        keep_alive_ms: num("ROSTER_KEEP_ALIVE_MS", get("ROSTER_KEEP_ALIVE_MS"))?,
        max_connections: num("ROSTER_MAX_CONNECTIONS", get("ROSTER_MAX_CONNECTIONS"))?,
        event_retention_days: num(
            "ROSTER_EVENT_RETENTION_DAYS",
            get("ROSTER_EVENT_RETENTION_DAYS"),
        )?,
        webhook_allow_private: get("ROSTER_WEBHOOK_ALLOW_PRIVATE")
            .map(|v| match v.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Ok(true),
                "false" | "0" | "no" => Ok(false),
                _ => Err(anyhow!(
                    "ROSTER_WEBHOOK_ALLOW_PRIVATE must be true or false, got {v:?}"
                )),
            })
            .transpose()?,
        webhook_timeout_ms: num(
            "ROSTER_WEBHOOK_TIMEOUT_MS",
            get("ROSTER_WEBHOOK_TIMEOUT_MS"),
        )?,
        webhook_retry_base_ms: num(
            "ROSTER_WEBHOOK_RETRY_BASE_MS",
            get("ROSTER_WEBHOOK_RETRY_BASE_MS"),
        )?,
        webhook_retry_max_ms: num(
            "ROSTER_WEBHOOK_RETRY_MAX_MS",
            get("ROSTER_WEBHOOK_RETRY_MAX_MS"),
        )?,
        webhook_failure_window_ms: num(
            "ROSTER_WEBHOOK_FAILURE_WINDOW_MS",
            get("ROSTER_WEBHOOK_FAILURE_WINDOW_MS"),
        )?,
    })
}

impl Settings {
    /// Defaults, then `ROSTER_CONFIG`'s file, then the environment.
    pub fn load() -> anyhow::Result<Self> {
        Self::load_with(&|name| std::env::var(name).ok().filter(|v| !v.is_empty()))
    }

    pub fn load_with(get: &dyn Fn(&str) -> Option<String>) -> anyhow::Result<Self> {
        let mut layer = parse_layer(DEFAULTS, "built-in defaults")?;
        if let Some(path) = get("ROSTER_CONFIG") {
            let text = std::fs::read_to_string(Path::new(&path))
                .with_context(|| format!("cannot read ROSTER_CONFIG file {path}"))?;
            layer = parse_layer(&text, &path)?.over(layer);
        }
        layer = env_layer(get)?.over(layer);
        Self::from_layer(layer)
    }

    fn from_layer(l: Layer) -> anyhow::Result<Self> {
        let cores = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2);
        let workers = match l.workers.unwrap_or(0) {
            0 => cores,
            n => n,
        };
        let database_url = l
            .database_url
            .unwrap_or_else(|| "sqlite://data/roster.db".into());
        // A few connections per core: on PostgreSQL they keep its backends busy without
        // crowding them; on SQLite writes run on the writer thread's own connection and
        // hold none of these, so they serve only reads (key lookups, sideloads). SQLite
        // had 8 x cores while each queued writer parked one; measured since the writer
        // thread (`bench/quick.py --backend sqlite --clients 8,32`, 6 and 16
        // alternating, two runs each): 8 clients 20,960 / 21,010 rows/s with 6 and
        // 21,030 / 22,430 with 16; 32 clients 17,320 / 18,740 and 15,010 / 18,860.
        let pool_size = match l.pool_size.unwrap_or(0) {
            0 => (2 * cores as u32 + 2).max(4),
            n => n,
        };
        let log_json = match l.log_format.as_deref().unwrap_or("text") {
            "json" => true,
            "text" | "pretty" => false,
            other => {
                bail!("ROSTER_LOG_FORMAT must be text or json, got {other:?}")
            }
        };
        let max_body_bytes = l.max_body_bytes.unwrap_or(1 << 20);
        if max_body_bytes == 0 {
            bail!("ROSTER_MAX_BODY_BYTES must be positive");
        }
        let positive = |value: Option<u64>, default: u64, name: &str| match value {
            Some(0) => Err(anyhow!("{name} must be positive")),
            v => Ok(v.unwrap_or(default)),
        };
        let head_timeout_ms = positive(l.head_timeout_ms, 5000, "ROSTER_HEAD_TIMEOUT_MS")?;
        let body_timeout_ms = positive(l.body_timeout_ms, 30_000, "ROSTER_BODY_TIMEOUT_MS")?;
        let keep_alive_ms = positive(l.keep_alive_ms, 5000, "ROSTER_KEEP_ALIVE_MS")?;
        let max_connections = match l.max_connections.unwrap_or(10_000) {
            0 => bail!("ROSTER_MAX_CONNECTIONS must be positive"),
            n => n,
        };
        let event_retention_days = match l.event_retention_days.unwrap_or(30) {
            0 => bail!("ROSTER_EVENT_RETENTION_DAYS must be positive"),
            n => n,
        };
        let d = WebhookSettings::default();
        let webhooks = WebhookSettings {
            allow_private: l.webhook_allow_private.unwrap_or(d.allow_private),
            timeout_ms: positive(
                l.webhook_timeout_ms,
                d.timeout_ms,
                "ROSTER_WEBHOOK_TIMEOUT_MS",
            )?,
            retry_base_ms: positive(
                l.webhook_retry_base_ms,
                d.retry_base_ms,
                "ROSTER_WEBHOOK_RETRY_BASE_MS",
            )?,
            retry_max_ms: positive(
                l.webhook_retry_max_ms,
                d.retry_max_ms,
                "ROSTER_WEBHOOK_RETRY_MAX_MS",
            )?,
            failure_window_ms: positive(
                l.webhook_failure_window_ms,
                d.failure_window_ms,
                "ROSTER_WEBHOOK_FAILURE_WINDOW_MS",
            )?,
        };
        Ok(Self {
            database_url,
            bind: l.bind.unwrap_or_else(|| "127.0.0.1:8080".into()),
            account_key: l.account_key,
            log: l.log.unwrap_or_else(|| "info".into()),
            log_json,
            workers,
            pool_size,
            pool_timeout_ms: l.pool_timeout_ms.unwrap_or(3000),
            max_body_bytes,
            cors_origins: l.cors_origins.unwrap_or_default(),
            shutdown_timeout_secs: l.shutdown_timeout_secs.unwrap_or(30),
            head_timeout_ms,
            body_timeout_ms,
            keep_alive_ms,
            max_connections,
            event_retention_days,
            webhooks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn load(vars: &[(&str, &str)]) -> anyhow::Result<Settings> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Settings::load_with(&move |k| map.get(k).cloned())
    }

    #[test]
    fn defaults_then_environment() {
        let s = load(&[]).unwrap();
        assert_eq!(s.database_url, "sqlite://data/roster.db");
        assert_eq!(s.bind, "127.0.0.1:8080");
        assert_eq!(s.max_body_bytes, 1 << 20);
        let s = load(&[
            ("ROSTER_BIND", "0.0.0.0:9"),
            ("ROSTER_CORS_ORIGINS", "https://a.io, https://b.io"),
        ])
        .unwrap();
        assert_eq!(s.bind, "0.0.0.0:9");
        assert_eq!(s.cors_origins, vec!["https://a.io", "https://b.io"]);
        assert!(load(&[("ROSTER_POOL_SIZE", "many")]).is_err());
        assert!(load(&[("ROSTER_LOG_FORMAT", "xml")]).is_err());
        let s = load(&[]).unwrap();
        assert_eq!(
            (s.head_timeout_ms, s.body_timeout_ms, s.keep_alive_ms),
            (5000, 30_000, 5000)
        );
        assert_eq!(s.max_connections, 10_000);
        let s = load(&[
            ("ROSTER_HEAD_TIMEOUT_MS", "250"),
            ("ROSTER_BODY_TIMEOUT_MS", "900"),
            ("ROSTER_MAX_CONNECTIONS", "4"),
        ])
        .unwrap();
        assert_eq!((s.head_timeout_ms, s.body_timeout_ms), (250, 900));
        assert_eq!(s.max_connections, 4);
        assert!(load(&[("ROSTER_HEAD_TIMEOUT_MS", "0")]).is_err());
        assert!(load(&[("ROSTER_MAX_CONNECTIONS", "0")]).is_err());
        assert_eq!(load(&[]).unwrap().webhooks, WebhookSettings::default());
        let s = load(&[
            ("ROSTER_WEBHOOK_ALLOW_PRIVATE", "true"),
            ("ROSTER_WEBHOOK_TIMEOUT_MS", "500"),
            ("ROSTER_WEBHOOK_FAILURE_WINDOW_MS", "2000"),
        ])
        .unwrap();
        assert!(s.webhooks.allow_private);
        assert_eq!(
            (s.webhooks.timeout_ms, s.webhooks.failure_window_ms),
            (500, 2000)
        );
        assert!(load(&[("ROSTER_WEBHOOK_ALLOW_PRIVATE", "maybe")]).is_err());
        assert!(load(&[("ROSTER_WEBHOOK_RETRY_BASE_MS", "0")]).is_err());
    }
}
