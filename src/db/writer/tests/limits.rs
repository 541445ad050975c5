//! The writer's limits and lifetime: groups split by count and by time, the thread's
//! end, nesting, waiting on itself, a connection that cannot be opened.

use super::*;

#[test]
fn more_than_eight_queued_jobs_are_split_into_groups_of_eight() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let outside = Arc::new(Mutex::new(db.manager.connect().unwrap()));
    let (h, release) = hold(&writer, "h");
    let jobs: Vec<_> = (0..9)
        .map(|i| {
            let outside = Arc::clone(&outside);
            writer.submit(move |conn| {
                insert(conn, &format!("j{i}"))?;
                Ok::<_, Failure>(values(&mut outside.lock().unwrap()).len())
            })
        })
        .collect();
    release.send(()).unwrap();
    assert_eq!(wait(h), Ok(()));
    let committed_before: Vec<usize> = jobs.into_iter().map(|j| wait(j).unwrap()).collect();
    assert_eq!(committed_before, [0, 0, 0, 0, 0, 0, 0, 8, 8]);
    assert_eq!(db.rows().len(), 10);
    assert_eq!(writer.stats().commits, 2);
}

#[test]
fn a_group_closes_once_its_time_is_up() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, Duration::ZERO);
    let outside = Arc::new(Mutex::new(db.manager.connect().unwrap()));
    let (h, release) = hold(&writer, "h");
    let jobs: Vec<_> = (0..2)
        .map(|i| {
            let outside = Arc::clone(&outside);
            writer.submit(move |conn| {
                insert(conn, &format!("j{i}"))?;
                Ok::<_, Failure>(values(&mut outside.lock().unwrap()).len())
            })
        })
        .collect();
    release.send(()).unwrap();
    assert_eq!(wait(h), Ok(()));
    let committed_before: Vec<usize> = jobs.into_iter().map(|j| wait(j).unwrap()).collect();
    assert_eq!(committed_before, [1, 2]);
    assert_eq!(writer.stats().commits, 3);
}

#[test]
fn the_thread_ends_once_the_last_handle_is_dropped_and_its_queue_is_done() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let other = writer.clone();
    let finished = writer.finished();
    let (h, release) = hold(&writer, "h");
    let a = other.submit(|conn| insert(conn, "a"));
    drop(writer);
    drop(other);
    assert!(!finished.is_finished(), "it is still running h");
    release.send(()).unwrap();
    assert_eq!(wait(h), Ok(()));
    assert_eq!(
        wait(a),
        Ok(()),
        "jobs queued before the last drop still run"
    );
    assert!(
        finished.wait(Duration::from_secs(10)),
        "the writer thread did not end"
    );
    assert_eq!(db.rows(), ["h", "a"]);
}

#[test]
fn nested_write_transactions_in_a_job_are_savepoints_of_the_group() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    assert!(!in_transaction(&mut db.manager.connect().unwrap()));
    let result = writer.write_blocking(|conn| {
        let inside = in_transaction(conn);
        let failed = conn.transaction(|conn| {
            insert(conn, "inner")?;
            Err::<(), _>(Failure::Own)
        });
        conn.transaction(|conn| insert(conn, "kept"))?;
        Ok::<_, Failure>((inside, failed))
    });
    assert_eq!(result, Ok((true, Err(Failure::Own))));
    assert_eq!(db.rows(), ["kept"]);
    assert_eq!(writer.stats().commits, 1);
}

#[test]
fn waiting_for_the_same_writer_inside_a_job_is_refused() {
    let db = TempDb::new();
    let writer = db.writer(MAX_GROUP, LONG);
    let same = writer.clone();
    let result = writer.write_blocking(move |conn| {
        insert(conn, "outer")?;
        Ok::<_, Failure>(same.write_blocking(|conn| insert(conn, "inner")))
    });
    assert_eq!(result, Ok(Err(Failure::Writer(WriterError::Nested))));
    assert_eq!(db.rows(), ["outer"]);
}

#[test]
fn a_writer_that_cannot_connect_does_not_start() {
    let db = TempDb::new();
    let path = db
        .dir
        .join("missing")
        .join("writer.db")
        .display()
        .to_string();
    let started = Writer::spawn(ConnectionManager::new(DatabaseUrl::Sqlite(path)));
    assert!(matches!(started, Err(WriterError::Connect(_))));
}

#[tokio::test]
async fn an_async_caller_awaits_its_answer() {
    let db = TempDb::new();
    let writer = Writer::spawn(db.manager.clone()).unwrap();
    fn spawnable<F: Future + Send + 'static>(f: F) -> F {
        f
    }
    let writer_in_task = writer.clone();
    let answer = spawnable(async move { writer_in_task.write(|conn| insert(conn, "a")).await });
    assert_eq!(answer.await, Ok(()));
    assert_eq!(db.rows(), ["a"]);
}
