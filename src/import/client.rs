//! The HTTP side of `roster import`: requests with the key, retries with exponential
//! backoff and jitter for 409, 429, 5xx and connection errors, honouring Retry-After.

use std::time::Duration;

use rand::Rng;
use serde_json::Value;

/// A response the import acts on.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub replayed: bool,
}

pub struct Client {
    agent: ureq::Agent,
    base: String,
    key: String,
    pub max_retries: u32,
}

fn retryable(status: u16) -> bool {
    matches!(status, 409 | 429 | 500 | 502 | 503 | 504)
}

/// The wait before retry `attempt` (from 0): 200 ms doubling, at most 10 s, times a
/// random factor in [0.5, 1.5); a server's Retry-After wins when it is longer.
pub fn backoff(attempt: u32, retry_after: Option<u64>) -> Duration {
    let base = 200u64.saturating_mul(1 << attempt.min(10)).min(10_000);
    let jittered = (base as f64 * rand::thread_rng().gen_range(0.5..1.5)) as u64;
    let server = retry_after.map(|s| s.saturating_mul(1000)).unwrap_or(0);
    Duration::from_millis(jittered.max(server))
}

impl Client {
    pub fn new(base: &str, key: &str, max_retries: u32) -> Self {
        let agent = ureq::AgentBuilder::new()
            .timeout_connect(Duration::from_secs(5))
            .timeout_read(Duration::from_secs(120))
            .build();
        Self {
            agent,
            base: base.trim_end_matches('/').to_string(),
            key: key.to_string(),
            max_retries,
        }
    }

    /// Sends a request, retrying what can be retried; `Err` is a final failure.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        idempotency_key: Option<&str>,
        body: Option<&Value>,
    ) -> Result<Reply, String> {
        let url = format!("{}{}", self.base, path);
        let mut attempt = 0;
        loop {
            let mut req = self
                .agent
                .request(method, &url)
                .set("X-API-KEY", &self.key)
                .set("Roster-Source", "import");
            if let Some(k) = idempotency_key {
                req = req.set("Idempotency-Key", k);
            }
            let result = match body {
                Some(b) => req
                    .set("Content-Type", "application/json")
                    .send_string(&b.to_string()),
                None => req.call(),
            };
            let (retry, why, retry_after) = match result {
                Ok(res) => return Ok(read(res)),
                Err(ureq::Error::Status(status, res)) => {
                    let retry_after = res
                        .header("Retry-After")
                        .and_then(|v| v.trim().parse::<u64>().ok());
                    let reply = read(res);
                    if !retryable(status) {
                        return Ok(reply);
                    }
                    (true, format!("HTTP {status}: {}", reply.body), retry_after)
                }
                Err(ureq::Error::Transport(t)) => (true, format!("connection error: {t}"), None),
            };
            if !retry || attempt >= self.max_retries {
                return Err(format!(
                    "{method} {path} failed after {} attempts: {why}",
                    attempt + 1
                ));
            }
            std::thread::sleep(backoff(attempt, retry_after));
            attempt += 1;
        }
    }
}

fn read(res: ureq::Response) -> Reply {
    let status = res.status();
    let replayed = res
        .header("Idempotent-Replayed")
        .is_some_and(|v| v == "true");
    let body = res
        .into_string()
        .ok()
        .and_then(|s| serde_json::from_str(&s).ok())
        .unwrap_or(Value::Null);
    Reply {
        status,
        body,
        replayed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_bounded_and_honours_retry_after() {
        for attempt in 0..20 {
            let d = backoff(attempt, None);
            assert!(d <= Duration::from_millis(15_000));
        }
        assert!(backoff(0, None) < Duration::from_millis(300));
        assert!(backoff(5, None) >= Duration::from_millis(3_200));
        assert!(backoff(0, Some(3)) >= Duration::from_secs(3));
    }
}
