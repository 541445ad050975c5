//! SQLite's upkeep on a connection of its own: checkpoints and planner statistics.

use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use super::{schema, writer, AnyConnection, ConnectionManager, DatabaseUrl, SetupError};

/// How often the maintenance thread copies the WAL back (a few MiB each time under
/// load), and how often it looks whether the statistics are due.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);
const STATS_CHECK_EVERY: Duration = Duration::from_secs(5);

/// SQLite's upkeep on its own connection, until the pool is dropped:
///
/// - Passive checkpoints, which never block readers or writers. Without them the
///   writer whose commit crosses `wal_autocheckpoint` does the checkpoint while holding
///   the write lock: a third of the time of a bulk of 100 scattered memberships went
///   there (`bench/sqlite_ceiling.py`: 25,000 rows/s with writers checkpointing,
///   37,000 without).
/// - Planner statistics (`ANALYZE`, sampling about 1,000 rows per index, a few ms),
///   whenever the memberships have grown by a quarter since the last run. Without
///   them SQLite guesses that `instance_id = ?` picks a few rows, and lists one user's
///   memberships by walking the whole instance in ID order instead of taking the
///   user's rows from the (instance, user, group) index and sorting them.
pub(super) fn spawn(
    url: &DatabaseUrl,
    writer: Option<writer::Writer>,
    alive: std::sync::Weak<()>,
) -> Result<(), SetupError> {
    let DatabaseUrl::Sqlite(_) = url else {
        return Ok(());
    };
    let mut conn = ConnectionManager::new(url.clone()).connect()?;
    std::thread::Builder::new()
        .name("sqlite-maintenance".into())
        .spawn(move || {
            let mut analyzed_at: i64 = 0;
            let mut last_check = std::time::Instant::now();
            while alive.upgrade().is_some() {
                std::thread::sleep(CHECKPOINT_EVERY);
                if let Err(e) = conn.batch_execute("PRAGMA wal_checkpoint(PASSIVE)") {
                    tracing::warn!(error = %e, "checkpoint failed");
                }
                if last_check.elapsed() >= STATS_CHECK_EVERY {
                    last_check = std::time::Instant::now();
                    match refresh_stats(&mut conn, writer.as_ref(), analyzed_at) {
                        Ok(size) => analyzed_at = size,
                        Err(e) => tracing::warn!(error = %e, "ANALYZE failed"),
                    }
                }
            }
        })
        .map(|_| ())
        .map_err(|e| SetupError::Thread {
            what: "maintenance thread",
            cause: e.to_string(),
        })
}

/// Runs `ANALYZE` if the memberships (by their highest ID, which costs one index
/// step to read) grew by a quarter since `analyzed_at`; returns the size analyzed at.
fn refresh_stats(
    conn: &mut AnyConnection,
    writer: Option<&writer::Writer>,
    analyzed_at: i64,
) -> QueryResult<i64> {
    use diesel::dsl::max;
    let size = schema::memberships::table
        .select(max(schema::memberships::id))
        .first::<Option<i64>>(conn)?
        .unwrap_or(0);
    if size <= analyzed_at + analyzed_at / 4 + 100 {
        return Ok(analyzed_at);
    }
    // ANALYZE writes its tables: it queues with this process's writers.
    const ANALYZE: &str = "PRAGMA analysis_limit = 1000; ANALYZE;";
    match writer {
        Some(w) => w.write_blocking(|c| c.batch_execute(ANALYZE))?,
        None => conn.batch_execute(ANALYZE)?,
    }
    Ok(size)
}
