//! What every handler shares: the pool and the settings.

use std::sync::Arc;

use crate::config::Settings;
use crate::db::DbPool;
use crate::service::idempotency::InFlight;

#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    pub settings: Arc<Settings>,
    /// SHA-256 of `ROSTER_ACCOUNT_KEY` when it is configured.
    pub account_key_hash: Option<String>,
    /// Idempotency keys whose first request is still running.
    pub in_flight: InFlight,
}
