//! The command line: serve, migrate, instance and key administration, shutdown.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::{postgres_url, Backend};

fn roster(db: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_roster"));
    cmd.env("ROSTER_DATABASE_URL", db)
        .env("ROSTER_LOG", "warn")
        .env_remove("ROSTER_ACCOUNT_KEY")
        .env_remove("ROSTER_CONFIG");
    cmd
}

fn run(db: &str, args: &[&str]) -> (i32, String, String) {
    let out = roster(db).args(args).output().expect("run roster");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into(),
        String::from_utf8_lossy(&out.stderr).into(),
    )
}

/// A fresh database URL for this test and a guard that removes it.
struct Db {
    url: String,
    drop_sql: Option<(String, String)>,
}

impl Db {
    fn new(backend: Backend, name: &str) -> Option<Db> {
        let suffix = format!("{}_{}", std::process::id(), name).to_lowercase();
        match backend {
            Backend::Sqlite => {
                let path = std::env::temp_dir().join(format!("roster_cli_{suffix}.db"));
                Some(Db {
                    url: format!("sqlite://{}", path.display()),
                    drop_sql: None,
                })
            }
            Backend::Postgres => {
                use diesel::connection::SimpleConnection;
                use diesel::Connection;
                let admin = postgres_url()?;
                let db = format!("roster_cli_{suffix}");
                let mut c = diesel::PgConnection::establish(&admin).expect("connect");
                c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"))
                    .expect("drop db");
                c.batch_execute(&format!("CREATE DATABASE {db}"))
                    .expect("create db");
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                Some(Db {
                    url: format!("{base}/{db}"),
                    drop_sql: Some((admin, db)),
                })
            }
        }
    }
}

impl Drop for Db {
    fn drop(&mut self) {
        match &self.drop_sql {
            Some((admin, db)) => {
                use diesel::connection::SimpleConnection;
                use diesel::Connection;
                if let Ok(mut c) = diesel::PgConnection::establish(admin) {
                    let _ = c.batch_execute(&format!("DROP DATABASE IF EXISTS {db} WITH (FORCE)"));
                }
            }
            None => {
                let path = self.url.trim_start_matches("sqlite://").to_string();
                for s in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{path}{s}"));
                }
            }
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn get(port: u16, path: &str, key: Option<&str>) -> (u16, String) {
    let mut req = ureq::get(&format!("http://127.0.0.1:{port}{path}"));
    if let Some(k) = key {
        req = req.set("X-API-KEY", k);
    }
    match req.call() {
        Ok(r) => (r.status(), r.into_string().unwrap_or_default()),
        Err(ureq::Error::Status(s, r)) => (s, r.into_string().unwrap_or_default()),
        Err(e) => panic!("request failed: {e}"),
    }
}

fn cli_administration(backend: Backend) {
    let Some(db) = Db::new(backend, &format!("admin_{backend:?}")) else {
        return;
    };
    let (code, out, err) = run(&db.url, &["migrate"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("up to date"));
    // instance create prints an admin key.
    let (code, out, err) = run(&db.url, &["instance", "create", "acme"]);
    assert_eq!(code, 0, "{err}");
    let admin = out
        .split_whitespace()
        .find(|w| w.starts_with("rk_"))
        .expect("an admin key")
        .to_string();
    // Bad input: clear message, non-zero exit.
    for (args, needle) in [
        (vec!["instance", "create", "acme"], "already exists"),
        (vec!["instance", "create", "Bad_Name"], "name must be"),
        (vec!["key", "create", "--instance", "nope"], "no instance"),
        (
            vec!["key", "create", "--instance", "acme", "--role", "user"],
            "--user",
        ),
        (
            vec![
                "key",
                "create",
                "--instance",
                "acme",
                "--role",
                "user",
                "--user",
                "999",
            ],
            "no user 999",
        ),
        (
            vec!["key", "create", "--instance", "acme", "--role", "boss"],
            "boss",
        ),
        (
            vec!["key", "revoke", "--instance", "acme", "999"],
            "no key 999",
        ),
    ] {
        let (code, _, err) = run(&db.url, &args);
        assert_ne!(code, 0, "{args:?} should fail");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    let (code, _, err) = run("postgress://typo/x", &["migrate"]);
    assert_ne!(code, 0);
    assert!(err.contains("postgres://"), "{err}");
    let (code, out, err) = run(&db.url, &["key", "create", "--instance", "acme"]);
    assert_eq!(code, 0, "{err}");
    let second = out.trim().to_string();
    assert!(second.starts_with("rk_"));
    // Serve on the same database: the CLI's keys work; revoking by CLI takes effect.
    let port = free_port();
    let mut server = roster(&db.url)
        .env("ROSTER_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let stdout = server.stdout.take().expect("stdout");
    let mut lines = BufReader::new(stdout).lines();
    let account_line = lines.next().expect("a line").expect("text");
    assert!(
        account_line.contains("rk_"),
        "first start prints the generated account key: {account_line}"
    );
    let account = account_line
        .split_whitespace()
        .find(|w| w.starts_with("rk_"))
        .unwrap()
        .to_string();
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(port, "/instances/acme", Some(&admin)).0, 200);
    assert_eq!(get(port, "/instances", Some(&account)).0, 200);
    let (_, keys) = get(port, "/instances/acme/api_keys", Some(&admin));
    let keys: serde_json::Value = serde_json::from_str(&keys).unwrap();
    let second_id = keys["results"][1]["id"].as_str().unwrap().to_string();
    assert_eq!(get(port, "/instances/acme", Some(&second)).0, 200);
    let (code, _, _) = run(
        &db.url,
        &["key", "revoke", "--instance", "acme", &second_id],
    );
    assert_eq!(code, 0);
    assert_eq!(get(port, "/instances/acme", Some(&second)).0, 401);
    // Graceful shutdown on SIGTERM: the process exits cleanly and stops listening.
    let pid = server.id().to_string();
    assert!(Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .expect("kill")
        .success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = server.try_wait().expect("wait") {
            break s;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
    // A second start does not print a new account key (one is stored).
    let port = free_port();
    let again = roster(&db.url)
        .env("ROSTER_BIND", format!("127.0.0.1:{port}"))
        .stdout(Stdio::piped())
        .spawn()
        .expect("serve");
    let deadline = Instant::now() + Duration::from_secs(20);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(get(port, "/instances", Some(&account)).0, 200);
    let _ = Command::new("kill")
        .args(["-INT", &again.id().to_string()])
        .status();
    let out = again.wait_with_output().expect("wait");
    assert!(
        !String::from_utf8_lossy(&out.stdout).contains("rk_"),
        "the account key is printed only once"
    );
}

#[test]
fn cli_administration_sqlite() {
    cli_administration(Backend::Sqlite);
}

#[test]
fn cli_administration_postgres() {
    cli_administration(Backend::Postgres);
}
