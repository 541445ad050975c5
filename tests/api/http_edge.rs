//! The HTTP layer's own answers (API.md §7): what actix-http says before a handler
//! runs gets the §7 body; slow heads and bodies are 408; long targets 414; too many
//! headers 431; gzip bodies are decoded with the limit on the decoded size; HEAD is
//! served wherever GET is. Malformed requests go over raw sockets (reqwest cannot send
//! them).

use std::io::Write;
use std::time::{Duration, Instant};

use flate2::write::GzEncoder;
use flate2::Compression;
use reqwest::Method;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::both;
use crate::support::{Backend, Resp, TestApp};

/// Runs a test on SQLite and on PostgreSQL with tweaked settings.
macro_rules! both_with {
    ($(async fn $name:ident($app:ident) with $tweak:expr; $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;

                async fn run($app: TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    let app = TestApp::spawn_with(Backend::Sqlite, $tweak).await.expect("sqlite app");
                    run(app).await;
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = TestApp::spawn_with(Backend::Postgres, $tweak).await {
                        run(app).await;
                    }
                }
            }
        )*
    };
}

/// How long a test waits for any one answer before it fails.
const PATIENCE: Duration = Duration::from_secs(15);

/// A response read off a socket.
#[derive(Debug)]
struct Raw {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Asserts the §7 form: the status, `application/json`, a JSON body whose errors
    /// all have this type and a message.
    #[track_caller]
    fn assert_error(&self, status: u16, kind: &str) -> Value {
        let text = String::from_utf8_lossy(&self.body).to_string();
        assert_eq!(self.status, status, "{self:?} {text}");
        assert_eq!(
            self.header("content-type"),
            Some("application/json"),
            "{self:?}"
        );
        let body: Value = serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {self:?} {text:?}"));
        let errors = body["errors"].as_array().expect("errors").clone();
        assert!(!errors.is_empty(), "{text}");
        for e in &errors {
            assert_eq!(e["type"], kind, "{text}");
            assert!(
                e["message"].as_str().is_some_and(|m| !m.is_empty()),
                "{text}"
            );
        }
        body
    }
}

fn addr(app: &TestApp) -> String {
    app.base.trim_start_matches("http://").to_string()
}

async fn connect(app: &TestApp) -> TcpStream {
    TcpStream::connect(addr(app)).await.expect("connect")
}

/// Reads one response (its body by `content-length`; none for a HEAD).
async fn read_response<R: AsyncRead + Unpin>(
    stream: &mut R,
    buf: &mut Vec<u8>,
    head_request: bool,
) -> Raw {
    let read = async {
        loop {
            if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = String::from_utf8_lossy(&buf[..end]).to_string();
                let mut lines = head.split("\r\n");
                let status_line = lines.next().unwrap_or_default();
                let status = status_line
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or_else(|| panic!("bad status line {status_line:?}"));
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let length: usize = headers
                    .iter()
                    .find(|(n, _)| n == "content-length")
                    .and_then(|(_, v)| v.parse().ok())
                    .unwrap_or(0);
                let length = if head_request { 0 } else { length };
                if buf.len() >= end + 4 + length {
                    let body = buf[end + 4..end + 4 + length].to_vec();
                    buf.drain(..end + 4 + length);
                    return Raw {
                        status,
                        headers,
                        body,
                    };
                }
            }
            let mut chunk = [0u8; 16384];
            let n = stream.read(&mut chunk).await.expect("read");
            assert!(
                n > 0,
                "connection closed mid-response: {:?}",
                String::from_utf8_lossy(buf)
            );
            buf.extend_from_slice(&chunk[..n]);
        }
    };
    tokio::time::timeout(PATIENCE, read)
        .await
        .expect("no answer in time")
}

/// Whether the server closes the connection (reads to EOF) with nothing more sent.
async fn closed_after<R: AsyncRead + Unpin>(stream: &mut R, buf: &[u8]) -> bool {
    let mut rest = Vec::new();
    let eof = tokio::time::timeout(PATIENCE, stream.read_to_end(&mut rest)).await;
    eof.is_ok() && buf.is_empty() && rest.is_empty()
}

/// Sends `request` whole on a new connection and reads the answer.
async fn exchange(app: &TestApp, request: &[u8]) -> Raw {
    let mut stream = connect(app).await;
    stream.write_all(request).await.expect("write");
    read_response(&mut stream, &mut Vec::new(), false).await
}

/// Sends `bytes` in pieces of `piece` bytes, `every` apart, ignoring a connection the
/// server closed.
async fn trickle<W: AsyncWrite + Unpin>(
    stream: &mut W,
    bytes: &[u8],
    piece: usize,
    every: Duration,
) {
    for part in bytes.chunks(piece) {
        if stream.write_all(part).await.is_err() {
            return;
        }
        tokio::time::sleep(every).await;
    }
}

fn gzip(data: &[u8], level: Compression) -> Vec<u8> {
    let mut encoder = GzEncoder::new(Vec::new(), level);
    encoder.write_all(data).expect("gzip");
    encoder.finish().expect("gzip")
}

/// Sends `head` on a new connection and reads the answer while `body` trickles in;
/// with `closes`, also whether the server then closes the connection.
async fn exchange_trickled(
    app: &TestApp,
    head: &[u8],
    body: &[u8],
    (piece, every): (usize, Duration),
    closes: bool,
) -> (Raw, bool) {
    let stream = connect(app).await;
    let (mut reader, mut writer) = stream.into_split();
    writer.write_all(head).await.expect("write");
    let body = body.to_vec();
    let trickler = tokio::spawn(async move {
        trickle(&mut writer, &body, piece, every).await;
        // Dropping the writer would send FIN: the server would see the client gone.
        tokio::time::sleep(PATIENCE).await;
        drop(writer);
    });
    let mut buf = Vec::new();
    let answer = read_response(&mut reader, &mut buf, false).await;
    let closed = closes && closed_after(&mut reader, &buf).await;
    trickler.abort();
    (answer, closed)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_long_query_string_is_414_with_the_error_body() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    // 100,000 characters: more than actix-http parses (it answered 400 with no body).
    let long = format!(
        "GET /healthz?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(100_000)
    );
    exchange(&app, long.as_bytes())
        .await
        .assert_error(414, "uri_too_long");
    // 200,000: more than actix-http's head buffer (it answered 431 with no body).
    let longer = format!(
        "GET /healthz?q={} HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(200_000)
    );
    exchange(&app, longer.as_bytes())
        .await
        .assert_error(414, "uri_too_long");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_target_one_byte_over_8_kib_is_414() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let path = "/healthz?pad=";
    let at_limit = format!(
        "{path}{}",
        "a".repeat(roster::api::edge::MAX_URI_BYTES - path.len())
    );
    assert_eq!(at_limit.len(), 8192);
    let r = app.request(Method::GET, &at_limit, None, None).await;
    r.assert_status(200);
    let r = app
        .request(Method::GET, &format!("{at_limit}a"), None, None)
        .await;
    r.assert_error(414, "uri_too_long");
    assert_eq!(r.header("content-type"), Some("application/json"));
    // A long path, with a trailing slash it would lose; the connection stays usable.
    let request = format!(
        "GET /instances/{}/ HTTP/1.1\r\nHost: x\r\nX-API-KEY: {}\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "a".repeat(8192 - "/instances//".len() + 1),
        app.account_key
    );
    let mut stream = connect(&app).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    read_response(&mut stream, &mut buf, false)
        .await
        .assert_error(414, "uri_too_long");
    assert_eq!(
        read_response(&mut stream, &mut buf, false).await.status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_hundred_headers_are_431_with_the_error_body() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    let headers: String = (0..200).map(|i| format!("X-Header-{i}: v\r\n")).collect();
    let request = format!("GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n");
    let mut stream = connect(&app).await;
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut buf = Vec::new();
    let r = read_response(&mut stream, &mut buf, false).await;
    r.assert_error(431, "headers_too_large");
    assert_eq!(r.header("connection"), Some("close"));
    assert!(
        closed_after(&mut stream, &buf).await,
        "the connection stays open"
    );
    // One header of 140 KB: more than actix-http's head buffer.
    let request = format!(
        "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "b".repeat(140_000)
    );
    exchange(&app, request.as_bytes())
        .await
        .assert_error(431, "headers_too_large");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_heads_are_400_with_the_error_body() {
    let app = TestApp::spawn(Backend::Sqlite).await.expect("app");
    for bad in [
        &b"GET /healthz HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"[..],
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nX-A: a\x00b\r\n\r\n",
        b"GET /healthz HTTP/1.1\r\n\r\n", // HTTP/1.1 without Host
        b"NOT-HTTP\r\n\r\n",
    ] {
        exchange(&app, bad).await.assert_error(400, "bad_request");
    }
    // After a good request on the same connection: the good answer, then the 400.
    let mut stream = connect(&app).await;
    stream
        .write_all(
            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\nGET /x\x00 HTTP/1.1\r\nHost: x\r\n\r\n",
        )
        .await
        .unwrap();
    let mut buf = Vec::new();
    let ok = read_response(&mut stream, &mut buf, false).await;
    assert_eq!(
        (ok.status, ok.body.as_slice()),
        (200, &br#"{"status":"ok"}"#[..])
    );
    read_response(&mut stream, &mut buf, false)
        .await
        .assert_error(400, "bad_request");
    assert!(closed_after(&mut stream, &buf).await);
    // HTTP/1.0 too.
    let mut stream = connect(&app).await;
    stream
        .write_all(b"GET /healthz HTTP/1.0\r\nBad\r\n\r\n")
        .await
        .unwrap();
    let mut buf = Vec::new();
    let r = read_response(&mut stream, &mut buf, false).await;
    r.assert_error(400, "bad_request");
}

fn short_timeouts(s: &mut roster::config::Settings) {
    s.head_timeout_ms = 600;
    s.keep_alive_ms = 3000;
    s.body_timeout_ms = 1500;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_head_slower_than_the_head_timeout_is_408() {
    let app = TestApp::spawn_with(Backend::Sqlite, short_timeouts)
        .await
        .expect("app");
    // Nothing at all; a head trickled a byte every 100 ms (each byte in time).
    for head in [&b""[..], b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"] {
        let started = Instant::now();
        let (r, closed) =
            exchange_trickled(&app, b"", head, (1, Duration::from_millis(100)), true).await;
        r.assert_error(408, "request_timeout");
        assert!(closed, "the connection stays open");
        assert!(
            started.elapsed() >= Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_later_head_on_a_kept_alive_connection_is_408() {
    let app = TestApp::spawn_with(Backend::Sqlite, short_timeouts)
        .await
        .expect("app");
    let stream = connect(&app).await;
    let (mut reader, mut writer) = stream.into_split();
    let mut buf = Vec::new();
    let request = b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    writer.write_all(request).await.unwrap();
    assert_eq!(
        read_response(&mut reader, &mut buf, false).await.status,
        200
    );
    // Idle longer than the head timeout (within keep-alive), then a head sent at once.
    tokio::time::sleep(Duration::from_millis(1000)).await;
    writer.write_all(request).await.unwrap();
    assert_eq!(
        read_response(&mut reader, &mut buf, false).await.status,
        200
    );
    // Then one trickled: actix-http times only a connection's first head.
    let trickler = tokio::spawn(async move {
        trickle(&mut writer, request, 1, Duration::from_millis(100)).await;
        writer
    });
    // (Without the stream's own timer: 200 once the 3.7 s head is all there.)
    read_response(&mut reader, &mut buf, false)
        .await
        .assert_error(408, "request_timeout");
    assert!(closed_after(&mut reader, &buf).await);
    trickler.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_holding_every_connection_do_not_keep_a_request_out() {
    let app = TestApp::spawn_with(Backend::Sqlite, |s| {
        short_timeouts(s);
        s.workers = 2;
        s.max_connections = 2;
    })
    .await
    .expect("app");
    // Two slowloris clients: a byte of head every 100 ms, each in time, never done.
    let mut slow = Vec::new();
    for _ in 0..2 {
        let stream = connect(&app).await;
        let (mut reader, mut writer) = stream.into_split();
        let trickler = tokio::spawn(async move {
            trickle(&mut writer, &[b'G'; 1000], 1, Duration::from_millis(100)).await;
        });
        let answer = tokio::spawn(async move {
            let mut buf = Vec::new();
            let r = read_response(&mut reader, &mut buf, false).await;
            (r, closed_after(&mut reader, &buf).await)
        });
        slow.push((trickler, answer));
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Every connection is taken: this one waits until the slow ones are cut off.
    let started = Instant::now();
    let r = exchange(
        &app,
        b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    )
    .await;
    assert_eq!(r.status, 200, "{r:?}");
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "the limit did not hold: {:?}",
        started.elapsed()
    );
    for (trickler, answer) in slow {
        let (r, closed) = answer.await.unwrap();
        r.assert_error(408, "request_timeout");
        assert!(closed);
        trickler.abort();
    }
}

both_with! {
    async fn a_body_slower_than_the_body_timeout_is_408(app) with short_timeouts; {
        let t = app.tenant("acme").await;
        let body = br#"{"group": {"name": "slow"}}"#;
        let head = format!(
            "POST {} HTTP/1.1\r\nHost: x\r\nX-API-KEY: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            t.at("/groups"), t.key, body.len()
        );
        // In time: three pieces over about 0.4 s of the 1.5 s.
        let (r, _) = exchange_trickled(&app, head.as_bytes(), body, (10, Duration::from_millis(200)), false).await;
        assert_eq!(r.status, 201, "{r:?}");
        // Too slow: a byte every 100 ms, 2.7 s in all (without the timeout: 422, a
        // duplicate name, once it is all there).
        let (r, closed) = exchange_trickled(&app, head.as_bytes(), body, (1, Duration::from_millis(100)), true).await;
        r.assert_error(408, "request_timeout");
        assert!(closed, "the connection stays open");
        let r = app.get(&t.at("/groups"), &t.key).await;
        assert_eq!(r.body["count"], 1, "{}", r.text);
    }
}

/// Posts `body` with a `Content-Encoding`.
async fn post_encoded(app: &TestApp, path: &str, key: &str, encoding: &str, body: Vec<u8>) -> Resp {
    let res = app
        .raw(Method::POST, path)
        .header("X-API-KEY", key)
        .header("Content-Type", "application/json")
        .header("Content-Encoding", encoding)
        .body(body)
        .send()
        .await
        .expect("request");
    TestApp::read(res).await
}

both_with! {
    async fn gzip_bodies_are_decoded_with_the_limit_on_the_decoded_size(app) with |s| s.max_body_bytes = 4096; {
        let t = app.tenant("acme").await;
        let group = |name: &str, description: &str| {
            serde_json::to_vec(&json!({"group": {"name": name, "description": description}})).unwrap()
        };
        let text = "the quick brown fox jumps over the lazy dog ".repeat(20);
        let plain = app.post(&t.at("/groups"), &t.key, json!({"group": {"name": "plain", "description": text}})).await;
        plain.assert_status(201);
        let mut made = vec![plain.results()[0].clone()];
        for (name, encoding) in [("gz", "gzip"), ("xgz", "x-gzip"), ("both", "identity, gzip")] {
            let r = post_encoded(&app, &t.at("/groups"), &t.key, encoding, gzip(&group(name, &text), Compression::default())).await;
            r.assert_status(201);
            made.push(r.results()[0].clone());
        }
        let r = post_encoded(&app, &t.at("/groups"), &t.key, "identity", group("id", &text)).await;
        r.assert_status(201);
        for g in &made[1..] {
            for field in ["description", "external_id"] {
                assert_eq!(g[field], made[0][field], "{g}");
            }
        }
        // Decoded under the limit, compressed over it (stored, not deflated): accepted.
        let fits = group("stored", &"x".repeat(4090 - group("stored", "").len()));
        assert_eq!(fits.len(), 4090);
        let stored = gzip(&fits, Compression::none());
        assert!(stored.len() > 4096);
        post_encoded(&app, &t.at("/groups"), &t.key, "gzip", stored).await.assert_status(201);
        // A plain body over the limit is still refused, and so is a small gzip that
        // expands past it (8 MB of zeros in 8 KB).
        let over = group("over", &"x".repeat(4096));
        app.raw(Method::POST, &t.at("/groups")).header("X-API-KEY", &t.key).header("Content-Type", "application/json").body(over.clone()).send().await.map(|r| assert_eq!(r.status(), 413)).unwrap();
        let bomb = gzip(&vec![b' '; 8 << 20], Compression::best());
        assert!(bomb.len() < 16 << 10, "{}", bomb.len());
        post_encoded(&app, &t.at("/groups"), &t.key, "gzip", bomb).await.assert_error(413, "payload_too_large");
        // Corrupt or not gzip at all: 400.
        let mut cut = gzip(&group("cut", &text), Compression::default());
        cut.truncate(cut.len() - 6);
        post_encoded(&app, &t.at("/groups"), &t.key, "gzip", cut).await.assert_error(400, "bad_request");
        post_encoded(&app, &t.at("/groups"), &t.key, "gzip", group("plain2", "")).await.assert_error(400, "bad_request");
        // Other encodings: 415 naming the encoding.
        for encoding in ["br", "deflate", "gzip, gzip", "zstd"] {
            let r = post_encoded(&app, &t.at("/groups"), &t.key, encoding, group("enc", "")).await;
            r.assert_error(415, "unsupported_media_type");
            let message = r.body["errors"][0]["message"].as_str().unwrap_or_default();
            assert!(message.contains(&format!("{encoding:?}")), "{message}");
        }
        let r = app.get(&t.at("/groups?per_page=100"), &t.key).await;
        assert_eq!(r.body["count"], 6, "{}", r.text);
    }
}

both! {
    async fn head_is_served_wherever_get_is(app) {
        let t = app.tenant("acme").await;
        app.users(&t, &["ann", "bob"]).await;
        for path in [t.at("/users"), t.at("/users?per_page=1"), "/healthz".to_string(), "/instances/acme/".to_string()] {
            let get = app.raw(Method::GET, &path).header("X-API-KEY", &t.key).send().await.unwrap();
            let (get_status, get_headers) = (get.status(), get.headers().clone());
            let get_body = get.bytes().await.unwrap();
            let request = format!("HEAD {path} HTTP/1.1\r\nHost: x\r\nX-API-KEY: {}\r\nConnection: close\r\n\r\n", t.key);
            let mut stream = connect(&app).await;
            stream.write_all(request.as_bytes()).await.unwrap();
            let mut buf = Vec::new();
            let head = read_response(&mut stream, &mut buf, true).await;
            assert_eq!(head.status, get_status.as_u16(), "{path}");
            assert!(closed_after(&mut stream, &buf).await, "HEAD {path} sent a body: {buf:?}");
            assert_eq!(head.header("content-length"), Some(get_body.len().to_string().as_str()), "{path}");
            let mut names: Vec<&str> = get_headers.keys().map(|n| n.as_str()).filter(|n| *n != "date").collect();
            names.sort();
            let mut head_names: Vec<&str> = head.headers.iter().map(|(n, _)| n.as_str()).filter(|n| *n != "date" && *n != "connection").collect();
            head_names.sort();
            assert_eq!(head_names, names, "{path}");
            for name in ["content-type", "x-query-count"] {
                assert_eq!(head.header(name), get_headers.get(name).and_then(|v| v.to_str().ok()), "{path} {name}");
            }
        }
        // The error answers too, with the GET's status.
        let r = app.raw(Method::HEAD, &t.at("/users/999")).header("X-API-KEY", &t.key).send().await.unwrap();
        assert_eq!(r.status(), 404);
        let r = app.raw(Method::HEAD, &t.at("/users")).send().await.unwrap();
        assert_eq!(r.status(), 401);
        // Where there is no GET, HEAD is 405, and Allow names HEAD only beside GET.
        let r = app.request(Method::HEAD, &t.at("/api_keys/1"), Some(&t.key), None).await;
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("DELETE"));
        let r = app.request(Method::PUT, "/instances", Some(&app.account_key), None).await;
        r.assert_error(405, "method_not_allowed");
        assert_eq!(r.header("allow"), Some("POST, GET, HEAD"));
        let r = app.request(Method::PUT, &t.at("/memberships/1"), Some(&t.key), None).await;
        assert_eq!(r.header("allow"), Some("GET, HEAD, PATCH, DELETE"));
    }
}
