//! The database going away and coming back (API.md §7, `503 unavailable`): connections
//! the server closed are never reused, a read that met one runs again on a fresh one,
//! `503` comes within the pool timeout, and the first request after the database is
//! back succeeds. PostgreSQL only, except where said: SQLite has no server to lose.

use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::{Connection, PgConnection, RunQueryDsl};
use serde_json::json;
use tokio::io::AsyncWriteExt;
use tokio::net::{TcpListener, TcpStream};

use crate::support::{postgres_url, Backend, Tenant, TestApp};

/// Terminates every server process of the app's database from outside, as an
/// administrator, an idle-connection reaper or a failover would.
fn terminate_backends(app: &TestApp) -> usize {
    let admin = postgres_url().expect("postgres url");
    let name = app
        .database_url
        .rsplit('/')
        .next()
        .and_then(|s| s.split('?').next())
        .expect("database name")
        .to_string();
    let mut c = PgConnection::establish(&admin).expect("admin connection");
    #[derive(diesel::QueryableByName)]
    struct Killed {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let rows: Vec<Killed> = diesel::sql_query(format!(
        "select count(pg_terminate_backend(pid)) as n from pg_stat_activity \
         where datname = '{name}' and pid <> pg_backend_pid()"
    ))
    .load(&mut c)
    .expect("terminate");
    rows.first().map(|r| r.n as usize).unwrap_or(0)
}

async fn pg_app(pool_size: u32, pool_timeout_ms: u64) -> Option<TestApp> {
    TestApp::spawn_with(Backend::Postgres, |s| {
        s.pool_size = pool_size;
        s.pool_timeout_ms = pool_timeout_ms;
    })
    .await
}

/// Uses every connection of the pool at once, so that all of them are idle after.
async fn fill_pool(app: &TestApp, t: &Tenant, n: usize) {
    let path = t.at("/users");
    let gets = (0..n).map(|_| app.get(&path, &t.key));
    for r in futures_util::future::join_all(gets).await {
        r.assert_status(200);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn idle_connections_terminated_then_one_request_succeeds() {
    let Some(app) = pg_app(8, 3000).await else {
        return;
    };
    let t = app.tenant("acme").await;
    let mut answered_200 = 0;
    for attempt in 0..20 {
        fill_pool(&app, &t, 8).await;
        let killed = terminate_backends(&app);
        assert!(killed >= 1, "attempt {attempt}: no backend to terminate");
        // Let the terminations land before the next request picks a connection.
        tokio::time::sleep(Duration::from_millis(50)).await;
        let r = app.get(&t.at("/users"), &t.key).await;
        assert_eq!(
            r.status, 200,
            "attempt {attempt}: one request after {killed} backends were terminated: {}",
            r.text
        );
        answered_200 += 1;
    }
    eprintln!("idle pool terminated: {answered_200} of 20 tries answered 200");
    // A write after the same, too: its key lookup meets the dead connection first.
    fill_pool(&app, &t, 8).await;
    terminate_backends(&app);
    tokio::time::sleep(Duration::from_millis(50)).await;
    app.post(
        &t.at("/users"),
        &t.key,
        json!({"user": {"username": "after"}}),
    )
    .await
    .assert_status(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminated_while_requests_are_in_flight() {
    let Some(app) = pg_app(6, 3000).await else {
        return;
    };
    let app = Arc::new(app);
    let t = Arc::new(app.tenant("acme").await);
    let stop = Arc::new(AtomicU8::new(0));
    let mut tasks = Vec::new();
    for worker in 0..6 {
        let (app, t, stop) = (app.clone(), t.clone(), stop.clone());
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            let mut n = 0;
            while stop.load(Ordering::Relaxed) == 0 {
                let r = if n % 2 == 0 {
                    app.post(
                        &t.at("/users"),
                        &t.key,
                        json!({"user": {"username": format!("w{worker}_{n}")}}),
                    )
                    .await
                } else {
                    app.get(&t.at("/users?per_page=5"), &t.key).await
                };
                if r.status.as_u16() == 503 {
                    r.assert_error(503, "unavailable");
                }
                statuses.push(r.status.as_u16());
                n += 1;
            }
            statuses
        }));
    }
    for _ in 0..5 {
        tokio::time::sleep(Duration::from_millis(150)).await;
        terminate_backends(&app);
    }
    tokio::time::sleep(Duration::from_millis(150)).await;
    stop.store(1, Ordering::Relaxed);
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("worker"));
    }
    assert!(all.len() > 20, "the workers barely ran: {}", all.len());
    for s in &all {
        assert!(
            [200, 201, 503].contains(s),
            "an answer other than 200/201/503 while backends were terminated: {s}"
        );
    }
    let ok = all.iter().filter(|s| **s != 503).count();
    eprintln!(
        "in flight: {} answers, {ok} 200/201, {} 503",
        all.len(),
        all.len() - ok
    );
    // The database never went away: the very next request succeeds.
    let started = Instant::now();
    app.get(&t.at("/users"), &t.key).await.assert_status(200);
    assert!(started.elapsed() < Duration::from_secs(1));
}

/// What the test proxy does with connections.
const UP: u8 = 0;
/// Accepts and closes at once, and closes every open connection: a server restarting.
const REFUSING: u8 = 1;
/// Accepts and never answers, and cuts every open connection: an unreachable server.
const SILENT: u8 = 2;

/// A TCP proxy in front of the test PostgreSQL that the test switches between modes.
struct Proxy {
    port: u16,
    mode: Arc<AtomicU8>,
    generation: Arc<tokio::sync::watch::Sender<u64>>,
}

impl Proxy {
    async fn start(target: String) -> Proxy {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind proxy");
        let port = listener.local_addr().expect("addr").port();
        let mode = Arc::new(AtomicU8::new(UP));
        let (generation, _) = tokio::sync::watch::channel(0u64);
        let generation = Arc::new(generation);
        let (m, g) = (mode.clone(), generation.clone());
        tokio::spawn(async move {
            let mut held = Vec::new();
            loop {
                let Ok((mut client, _)) = listener.accept().await else {
                    return;
                };
                match m.load(Ordering::SeqCst) {
                    REFUSING => {
                        let _ = client.shutdown().await;
                        drop(client);
                    }
                    SILENT => held.push(client),
                    _ => {
                        held.clear();
                        let target = target.clone();
                        let mut cut = g.subscribe();
                        tokio::spawn(async move {
                            let Ok(mut server) = TcpStream::connect(&target).await else {
                                return;
                            };
                            tokio::select! {
                                _ = tokio::io::copy_bidirectional(&mut client, &mut server) => {}
                                _ = cut.changed() => {}
                            }
                        });
                    }
                }
            }
        });
        Proxy {
            port,
            mode,
            generation,
        }
    }

    fn set(&self, mode: u8) {
        self.mode.store(mode, Ordering::SeqCst);
        if mode != UP {
            self.generation.send_modify(|g| *g += 1);
        }
    }
}

/// `postgres://user@host:port/db?...` with host:port replaced by the proxy's.
fn through(url: &str, port: u16) -> String {
    let (scheme, rest) = url.split_once("://").expect("scheme");
    let (authority, path) = rest.split_once('/').expect("path");
    let user = authority.rsplit_once('@').map(|(u, _)| format!("{u}@"));
    format!(
        "{scheme}://{}127.0.0.1:{port}/{path}",
        user.unwrap_or_default()
    )
}

async fn app_behind_proxy(pool_timeout_ms: u64) -> Option<(TestApp, Proxy)> {
    postgres_url()?;
    let target = "127.0.0.1:5432".to_string();
    let proxy = Proxy::start(target).await;
    let port = proxy.port;
    let app = TestApp::spawn_with(Backend::Postgres, move |s| {
        s.database_url = through(&s.database_url, port);
        s.pool_size = 4;
        s.pool_timeout_ms = pool_timeout_ms;
    })
    .await?;
    Some((app, proxy))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn database_restarted_behind_a_proxy() {
    let Some((app, proxy)) = app_behind_proxy(2000).await else {
        return;
    };
    let t = app.tenant("acme").await;
    fill_pool(&app, &t, 4).await;

    proxy.set(REFUSING);
    for _ in 0..3 {
        let started = Instant::now();
        let r = app.get(&t.at("/users"), &t.key).await;
        r.assert_error(503, "unavailable");
        assert!(
            started.elapsed() < Duration::from_millis(2500),
            "503 after {:?}, the pool timeout is 2 s",
            started.elapsed()
        );
        let w = app
            .post(
                &t.at("/users"),
                &t.key,
                json!({"user": {"username": "lost"}}),
            )
            .await;
        w.assert_error(503, "unavailable");
    }
    let r = app
        .raw(reqwest::Method::GET, "/readyz")
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 503);

    proxy.set(UP);
    let back = Instant::now();
    loop {
        let r = app.get(&t.at("/users"), &t.key).await;
        if r.status == 200 {
            break;
        }
        r.assert_error(503, "unavailable");
        assert!(
            back.elapsed() < Duration::from_secs(1),
            "still 503 {:?} after the database came back",
            back.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(back.elapsed() < Duration::from_secs(1));
    // Nothing that was answered 503 was written.
    let users = app.get(&t.at("/users?username=lost"), &t.key).await;
    assert_eq!(users.body["count"], 0, "{}", users.text);
    app.post(
        &t.at("/users"),
        &t.key,
        json!({"user": {"username": "back"}}),
    )
    .await
    .assert_status(201);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unreachable_database_answers_503_within_one_pool_timeout() {
    // The default pool timeout (3 s): a request waits once, not for a slot and again
    // for a connection; /readyz answers within a second.
    let Some((app, proxy)) = app_behind_proxy(3000).await else {
        return;
    };
    let t = app.tenant("acme").await;
    proxy.set(SILENT);
    let started = Instant::now();
    let r = app.get(&t.at("/users"), &t.key).await;
    let took = started.elapsed();
    r.assert_error(503, "unavailable");
    assert!(
        took >= Duration::from_millis(2500) && took < Duration::from_millis(3900),
        "503 after {took:?}; the pool timeout is 3 s"
    );
    let started = Instant::now();
    let r = app
        .raw(reqwest::Method::GET, "/readyz")
        .send()
        .await
        .expect("readyz");
    assert_eq!(r.status(), 503);
    let body: serde_json::Value = r.json().await.expect("readyz body");
    assert_eq!(body["errors"][0]["type"], "unavailable");
    assert!(
        started.elapsed() < Duration::from_millis(1500),
        "/readyz took {:?}",
        started.elapsed()
    );
    proxy.set(UP);
    let back = Instant::now();
    loop {
        let r = app
            .raw(reqwest::Method::GET, "/readyz")
            .send()
            .await
            .expect("readyz");
        if r.status() == 200 {
            break;
        }
        assert!(back.elapsed() < Duration::from_secs(3), "not ready again");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    app.get(&t.at("/users"), &t.key).await.assert_status(200);
}

crate::both! {
    async fn readyz_answers_when_the_database_does(app) {
        let started = Instant::now();
        let r = app.raw(reqwest::Method::GET, "/readyz").send().await.expect("readyz");
        assert_eq!(r.status(), 200);
        assert!(started.elapsed() < Duration::from_secs(1));
    }
}
