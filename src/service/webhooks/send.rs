//! One delivery: a signed `POST` of an event's JSON (Standard Webhooks), answered 2xx
//! within the timeout or failed. The client is ureq (blocking, already a dependency for
//! `roster import`), run on tokio's blocking threads so that a slow receiver holds a
//! thread, never an async worker or a database connection. It connects only to the
//! addresses `target::resolve_checked` let through at that moment, and follows no
//! redirect (one could point at a refused address).

use std::io::Read;
use std::net::SocketAddr;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use super::sign::signature;
use super::target::resolve_checked;

/// How an attempt went.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: Option<u16>,
    pub duration: Duration,
    /// `None` for a 2xx.
    pub error: Option<String>,
}

impl Outcome {
    pub fn ok(&self) -> bool {
        self.error.is_none()
    }
}

/// What a delivery needs.
pub struct Request {
    pub url: String,
    pub secret: String,
    pub event_id: String,
    pub body: Arc<Vec<u8>>,
}

/// The most of a receiver's answer read (and dropped) so the connection can be reused.
const MAX_ANSWER: u64 = 64 * 1024;

struct CheckedResolver {
    allow_private: bool,
}

impl ureq::Resolver for CheckedResolver {
    fn resolve(&self, netloc: &str) -> std::io::Result<Vec<SocketAddr>> {
        resolve_checked(netloc, self.allow_private)
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::PermissionDenied, e))
    }
}

/// The HTTP client: one agent (its connection pool) per process and setting.
#[derive(Clone)]
pub struct Client {
    agent: ureq::Agent,
}

impl Client {
    pub fn new(timeout: Duration, allow_private: bool) -> Self {
        let mut builder = ureq::AgentBuilder::new()
            .timeout(timeout)
            .redirects(0)
            .max_idle_connections_per_host(2)
            .user_agent("Roster-Webhooks/1")
            .resolver(CheckedResolver { allow_private });
        if let Some(tls) = tls() {
            builder = builder.tls_connector(tls);
        }
        Self {
            agent: builder.build(),
        }
    }

    /// Sends `r` (blocking).
    pub fn send(&self, r: &Request) -> Outcome {
        let started = Instant::now();
        let timestamp = chrono::Utc::now().timestamp();
        let done = |status: Option<u16>, error: Option<String>| Outcome {
            status,
            duration: started.elapsed(),
            error,
        };
        let Some(sig) = signature(&r.secret, &r.event_id, timestamp, &r.body) else {
            return done(
                None,
                Some("the endpoint's secret is not a whsec_ secret".into()),
            );
        };
        let answer = self
            .agent
            .post(&r.url)
            .set("content-type", "application/json")
            .set("webhook-id", &r.event_id)
            .set("webhook-timestamp", itoa::Buffer::new().format(timestamp))
            .set("webhook-signature", &sig)
            .send_bytes(&r.body);
        match answer {
            Ok(res) => {
                let status = res.status();
                let mut sink = std::io::sink();
                let _ = std::io::copy(&mut res.into_reader().take(MAX_ANSWER), &mut sink);
                if (200..300).contains(&status) {
                    done(Some(status), None)
                } else {
                    done(Some(status), Some(format!("answered {status}, not 2xx")))
                }
            }
            Err(ureq::Error::Status(status, _)) => {
                done(Some(status), Some(format!("answered {status}, not 2xx")))
            }
            Err(ureq::Error::Transport(t)) => done(None, Some(transport_error(&t))),
        }
    }
}

/// A transport failure in words, the refusal of a target included.
fn transport_error(t: &ureq::Transport) -> String {
    let mut text = t.to_string();
    if let Some(source) = std::error::Error::source(t) {
        let s = source.to_string();
        if !text.contains(&s) {
            text = format!("{text}: {s}");
        }
    }
    text
}

/// The TLS connector, made once, on first need; `None` (https then fails) only if the
/// system's TLS library cannot be set up, which is logged.
fn tls() -> Option<Arc<ureq::native_tls::TlsConnector>> {
    static TLS: OnceLock<Option<Arc<ureq::native_tls::TlsConnector>>> = OnceLock::new();
    TLS.get_or_init(|| match ureq::native_tls::TlsConnector::new() {
        Ok(c) => Some(Arc::new(c)),
        Err(e) => {
            tracing::error!(error = %e, "TLS cannot be set up: https webhooks will fail");
            None
        }
    })
    .clone()
}
