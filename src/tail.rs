//! `roster events tail`: the change feed at the terminal (API.md §9), one JSON line per
//! event, for operators. Reads the database directly with the account's view, and
//! waits for new events as the server's long-polls do (`db::wake`; on SQLite, whose
//! writes come from another process, it sees them within the wake-up safety net).

use std::io::Write;
use std::time::Duration;

use anyhow::{anyhow, Context};

use crate::config::Settings;
use crate::db::{self, DatabaseUrl};
use crate::domain::EventId;
use crate::service::events::{self, EventFilter, Query};
use crate::service::{self, Caller};

pub fn run(
    settings: &Settings,
    instance: &str,
    after: Option<i64>,
    once: bool,
) -> anyhow::Result<()> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    {
        let mut conn = db::connect_once(&url)?;
        db::run_migrations(&mut conn)?;
    }
    let pool = db::build_pool(&url, 2, Duration::from_millis(settings.pool_timeout_ms))?;
    pool.listen()?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async move {
        let name = instance.to_string();
        let found = service::read(&pool, move |conn| service::instances::find_on(conn, &name))
            .await
            .map_err(|e| anyhow!("{e}"))?;
        let instance_id = found
            .ok_or_else(|| anyhow!("no instance named {instance:?}"))?
            .id;
        let mut after = EventId(after.unwrap_or(0));
        let mut out = std::io::stdout().lock();
        loop {
            let q = Query {
                after,
                limit: 1_000,
                filter: EventFilter::default(),
                wait: (!once).then_some(Duration::from_secs(60)),
            };
            let page = events::read(&pool, Caller::Account, instance_id, q)
                .await
                .map_err(|e| anyhow!("{e}"))?;
            for e in &page.events {
                let line = events::event_json(e);
                if writeln!(out, "{line}").is_err() {
                    return Ok(()); // the reader went away (a closed pipe)
                }
            }
            if out.flush().is_err() {
                return Ok(());
            }
            if once && page.events.is_empty() {
                return Ok(());
            }
            after = page.next_after;
        }
    })
}
