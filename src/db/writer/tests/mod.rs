//! The writer thread's groups, failures and shutdown, deterministically: jobs that
//! block on a channel hold the writer so that later jobs queue up.

use super::*;
use crate::db::DatabaseUrl;
use diesel::connection::SimpleConnection;
use diesel::{Connection, RunQueryDsl};
use std::path::PathBuf;
use std::sync::mpsc as chan;

/// A time limit no test reaches, so that groups close by count or empty queue only.
const LONG: Duration = Duration::from_secs(600);

struct TempDb {
    dir: PathBuf,
    manager: ConnectionManager,
}

impl TempDb {
    fn new() -> Self {
        let dir = std::env::temp_dir().join(format!(
            "roster_writer_{}_{}",
            std::process::id(),
            rand::random::<u64>()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("writer.db").display().to_string();
        let manager = ConnectionManager::new(DatabaseUrl::Sqlite(path));
        manager
            .connect()
            .unwrap()
            .batch_execute(
                "CREATE TABLE t (v TEXT NOT NULL);
                 CREATE TABLE parent (id INTEGER PRIMARY KEY);
                 CREATE TABLE child (id INTEGER PRIMARY KEY,
                     parent_id INTEGER NOT NULL REFERENCES parent (id));",
            )
            .unwrap();
        Self { dir, manager }
    }

    fn writer(&self, jobs: usize, open: Duration) -> Writer {
        Writer::spawn_with(self.manager.clone(), Limits { jobs, open }).unwrap()
    }

    /// The committed rows of `t`, seen from another connection.
    fn rows(&self) -> Vec<String> {
        values(&mut self.manager.connect().unwrap())
    }
}

impl Drop for TempDb {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

#[derive(Debug, PartialEq)]
enum Failure {
    Db(String),
    Writer(WriterError),
    Own,
}

impl From<WriterError> for Failure {
    fn from(e: WriterError) -> Self {
        Failure::Writer(e)
    }
}

impl From<DbError> for Failure {
    fn from(e: DbError) -> Self {
        Failure::Db(e.to_string())
    }
}

#[derive(diesel::QueryableByName)]
struct Text {
    #[diesel(sql_type = diesel::sql_types::Text)]
    v: String,
}

fn strings(conn: &mut AnyConnection, sql: &str) -> Vec<String> {
    let AnyConnection::Sqlite(c) = conn else {
        panic!("SQLite only")
    };
    let rows: Vec<Text> = diesel::sql_query(sql).load(c).unwrap();
    rows.into_iter().map(|r| r.v).collect()
}

fn values(conn: &mut AnyConnection) -> Vec<String> {
    strings(conn, "SELECT v FROM t ORDER BY rowid")
}

fn insert(conn: &mut AnyConnection, v: &str) -> Result<(), Failure> {
    Ok(conn.batch_execute(&format!("INSERT INTO t (v) VALUES ('{v}')"))?)
}

fn wait<T, E: From<WriterError>>(pending: Pending<T, E>) -> Result<T, E> {
    pending
        .answer
        .blocking_recv()
        .unwrap_or_else(|_| Err(WriterError::Stopped.into()))
}

/// A job that inserts `v` and holds the writer until released, so that the jobs
/// submitted meanwhile are queued behind it, in its group.
fn hold(writer: &Writer, v: &'static str) -> (Pending<(), Failure>, chan::Sender<()>) {
    let (release, released) = chan::channel::<()>();
    let pending = writer.submit(move |conn| {
        insert(conn, v)?;
        let _ = released.recv();
        Ok(())
    });
    (pending, release)
}

fn is_connection_error<T>(result: Result<T, Failure>) -> bool {
    matches!(result, Err(Failure::Writer(WriterError::Connection(_))))
}

#[test]
fn queued_jobs_share_one_transaction_and_are_answered_after_its_commit() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let mut outside = db.manager.connect().unwrap();
    let (mut h, release_h) = hold(&writer, "h");
    let mut a = writer.submit(|conn| insert(conn, "a"));
    let (started, b_started) = chan::channel();
    let (release_b, b_released) = chan::channel::<()>();
    let b = writer.submit(move |conn| {
        insert(conn, "b")?;
        let seen = (values(conn), values(&mut outside));
        let _ = started.send(());
        let _ = b_released.recv();
        Ok::<_, Failure>(seen)
    });
    release_h.send(()).unwrap();
    b_started.recv().unwrap();
    assert!(
        h.answer.try_recv().is_err(),
        "answered before its group's commit"
    );
    assert!(
        a.answer.try_recv().is_err(),
        "answered before its group's commit"
    );
    release_b.send(()).unwrap();
    assert_eq!(wait(h), Ok(()));
    assert_eq!(wait(a), Ok(()));
    let (inside, outside) = wait(b).unwrap();
    assert_eq!(inside, ["h", "a", "b"], "each job sees the rows before it");
    assert!(
        outside.is_empty(),
        "nothing is committed before the group ends"
    );
    assert_eq!(db.rows(), ["h", "a", "b"]);
    assert_eq!(writer.stats().commits, 1);
}

#[test]
fn a_failing_job_rolls_back_only_its_own_writes() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let (h, release) = hold(&writer, "h");
    let bad = writer.submit(|conn| {
        insert(conn, "bad")?;
        Err::<(), _>(Failure::Own)
    });
    let good = writer.submit(|conn| insert(conn, "good"));
    release.send(()).unwrap();
    assert_eq!(wait(bad), Err(Failure::Own));
    assert_eq!(wait(h), Ok(()));
    assert_eq!(wait(good), Ok(()));
    assert_eq!(db.rows(), ["h", "good"]);
    assert_eq!(writer.stats().commits, 1);
}

#[test]
fn a_panicking_job_is_answered_and_the_others_commit() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let (h, release) = hold(&writer, "h");
    // It panics inside a savepoint of its own, which is left open by the unwind.
    let panics = writer.submit(|conn| {
        insert(conn, "p1")?;
        conn.transaction::<(), Failure, _>(|conn| {
            insert(conn, "p2")?;
            panic!("boom")
        })
    });
    let good = writer.submit(|conn| insert(conn, "good"));
    release.send(()).unwrap();
    assert!(matches!(wait(panics), Err(Failure::Writer(WriterError::Panicked(m))) if m == "boom"));
    assert_eq!(wait(h), Ok(()));
    assert_eq!(wait(good), Ok(()));
    assert_eq!(db.rows(), ["h", "good"]);
    assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
    assert_eq!(db.rows(), ["h", "good", "after"]);
    assert_eq!(
        writer.stats(),
        WriterStats {
            commits: 2,
            reopened: 0
        }
    );
}

#[test]
fn a_failed_commit_fails_every_job_of_its_group() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let (h, release) = hold(&writer, "h");
    // A foreign-key violation checked only at COMMIT.
    let orphan = writer.submit(|conn| {
        Ok::<_, Failure>(conn.batch_execute(
            "PRAGMA defer_foreign_keys = ON; INSERT INTO child (parent_id) VALUES (999)",
        )?)
    });
    let own = writer.submit(|conn| {
        insert(conn, "own")?;
        Err::<(), _>(Failure::Own)
    });
    let good = writer.submit(|conn| insert(conn, "good"));
    release.send(()).unwrap();
    for result in [wait(h), wait(orphan), wait(good)] {
        assert!(
            matches!(&result, Err(Failure::Writer(WriterError::CommitFailed(m)))
                if m.contains("FOREIGN KEY")),
            "{result:?}"
        );
    }
    assert_eq!(
        wait(own),
        Err(Failure::Own),
        "a failed job keeps its own error"
    );
    assert!(db.rows().is_empty());
    let children = strings(
        &mut db.manager.connect().unwrap(),
        "SELECT CAST(parent_id AS TEXT) AS v FROM child",
    );
    assert!(children.is_empty());
    assert_eq!(writer.stats().commits, 0);
    assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
    assert_eq!(db.rows(), ["after"]);
}

fn cache_size(conn: &mut AnyConnection) -> String {
    strings(
        conn,
        "SELECT CAST(cache_size AS TEXT) AS v FROM pragma_cache_size",
    )
    .concat()
}

#[test]
fn the_writer_reopens_its_connection_after_a_connection_failure() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    // A setting of the connection itself, to tell it from a reopened one.
    let marked = writer.write_blocking(|conn| {
        conn.batch_execute("PRAGMA cache_size = 1234")?;
        Ok::<_, Failure>(cache_size(conn))
    });
    assert_eq!(marked, Ok("1234".to_string()));
    let (h, release) = hold(&writer, "h");
    // Ends the group's transaction behind the writer's back.
    let breaks = writer.submit(|conn| {
        insert(conn, "x")?;
        Ok::<_, Failure>(conn.batch_execute("ROLLBACK")?)
    });
    release.send(()).unwrap();
    assert!(is_connection_error(wait(h)));
    assert!(is_connection_error(wait(breaks)));
    let after = writer.write_blocking(|conn| {
        insert(conn, "after")?;
        Ok::<_, Failure>(cache_size(conn))
    });
    assert_ne!(
        after,
        Ok("1234".to_string()),
        "the connection was not reopened"
    );
    assert!(after.is_ok(), "{after:?}");
    assert_eq!(db.rows(), ["after"]);
    assert_eq!(
        writer.stats(),
        WriterStats {
            commits: 2,
            reopened: 1
        }
    );
}

#[test]
fn a_job_that_leaves_a_savepoint_open_fails_its_group() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let (h, release) = hold(&writer, "h");
    let leaks = writer.submit(|conn| {
        crate::per_backend!(&mut *conn, |c| AnsiTransactionManager::begin_transaction(c))?;
        insert(conn, "leak")
    });
    release.send(()).unwrap();
    assert!(is_connection_error(wait(h)));
    assert!(is_connection_error(wait(leaks)));
    assert!(db.rows().is_empty());
    assert_eq!(writer.write_blocking(|conn| insert(conn, "after")), Ok(()));
    assert_eq!(db.rows(), ["after"]);
    assert_eq!(
        writer.stats(),
        WriterStats {
            commits: 1,
            reopened: 1
        }
    );
}

#[test]
fn a_connection_that_cannot_be_reopened_fails_the_job_and_is_tried_again() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let broken = writer.write_blocking(|conn| Ok::<_, Failure>(conn.batch_execute("ROLLBACK")?));
    assert!(is_connection_error(broken));
    std::fs::remove_dir_all(&db.dir).unwrap();
    let refused = writer.write_blocking(|conn| Ok::<_, Failure>(conn.batch_execute("SELECT 1")?));
    assert!(
        matches!(refused, Err(Failure::Writer(WriterError::Connect(_)))),
        "{refused:?}"
    );
    std::fs::create_dir_all(&db.dir).unwrap();
    let fresh = writer.write_blocking(|conn| {
        Ok::<_, Failure>(conn.batch_execute("CREATE TABLE t (v TEXT NOT NULL)")?)
    });
    assert_eq!(fresh, Ok(()));
    assert_eq!(writer.stats().reopened, 1);
}

mod limits;
