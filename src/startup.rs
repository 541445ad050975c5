//! Builds the application: pool, migrations, account key, HTTP server.

use std::net::TcpListener;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_cors::Cors;
use actix_http::error::DispatchError;
use actix_http::HttpServiceBuilder;
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::{AppConfig, Extensions, Server, Service};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::{NormalizePath, TrailingSlash};
use actix_web::rt::net::TcpStream;
use actix_web::{web, App, HttpMessage};
use tracing_actix_web::{RequestId, TracingLogger};

use anyhow::Context;

use crate::api::edge::{self, EdgeStream};

use crate::config::Settings;
use crate::db::{self, DatabaseUrl, DbPool, REQUEST_STATEMENTS};
use crate::service::keys::{self, hash_key};
use crate::service::webhooks::Dispatcher;
use crate::state::AppState;

/// A bound, not yet awaited server.
pub struct Application {
    pub server: Server,
    pub port: u16,
    pub pool: DbPool,
    /// The account key generated on this start, if one was (printed once by the CLI).
    pub generated_account_key: Option<String>,
    /// The webhook dispatcher (API.md §10); stop it once the server has stopped.
    pub webhooks: Arc<Dispatcher>,
}

/// Opens the database and brings its schema up to date.
pub fn open_database(settings: &Settings) -> anyhow::Result<DbPool> {
    let url = DatabaseUrl::parse(&settings.database_url)?;
    let pool = db::build_pool(
        &url,
        settings.pool_size,
        Duration::from_millis(settings.pool_timeout_ms),
    )?;
    let mut conn = pool.get().context("cannot connect to the database")?;
    db::run_migrations(&mut conn)?;
    Ok(pool)
}

/// Without `ROSTER_ACCOUNT_KEY` and with no account key stored, makes one.
fn ensure_account_key(pool: &DbPool, settings: &Settings) -> anyhow::Result<Option<String>> {
    if settings.account_key.is_some() {
        return Ok(None);
    }
    let mut conn = pool.get()?;
    Ok(keys::ensure_account_key(&mut conn)?)
}

/// Builds and binds the server. `handle_signals` is off in tests.
pub fn build(settings: Settings, handle_signals: bool) -> anyhow::Result<Application> {
    let pool = open_database(&settings)?;
    let generated_account_key = ensure_account_key(&pool, &settings)?;
    let listener = TcpListener::bind(&settings.bind)
        .with_context(|| format!("cannot bind {}", settings.bind))?;
    let port = listener.local_addr()?.port();
    let state = web::Data::new(AppState {
        pool: pool.clone(),
        account_key_hash: settings.account_key.as_deref().map(hash_key),
        settings: Arc::new(settings.clone()),
        in_flight: Default::default(),
    });
    let max_body = settings.max_body_bytes;
    let origins = settings.cors_origins.clone();
    let ms = Duration::from_millis;
    let timeouts = edge::Timeouts {
        head: ms(settings.head_timeout_ms),
        keep_alive: ms(settings.keep_alive_ms),
        send: ms(settings.body_timeout_ms),
    };
    let local_addr = listener.local_addr()?;
    let workers = settings.workers.max(1);
    // actix-server's limit is per worker; it stops accepting while every worker is full.
    let per_worker = settings.max_connections.div_ceil(workers).max(1);
    let mut builder = Server::build()
        .workers(workers)
        .max_concurrent_connections(per_worker)
        .shutdown_timeout(settings.shutdown_timeout_secs);
    if !handle_signals {
        builder = builder.disable_signals();
    }
    let draining = builder.graceful_shutdown_signal();
    // What `HttpServer` does, with each connection's socket wrapped in an `EdgeStream`.
    let builder = builder
        .listen("roster", listener, move || {
            let app = App::new()
                .app_data(state.clone())
                .app_data(web::PayloadConfig::new(max_body))
                .wrap_fn(|req, srv| {
                    let statements = Arc::new(AtomicU64::new(0));
                    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
                    let fut = REQUEST_STATEMENTS.scope(statements.clone(), srv.call(req));
                    async move {
                        let mut res = fut.await?;
                        let headers = res.headers_mut();
                        let count = statements.load(Ordering::Relaxed);
                        headers.insert(
                            HeaderName::from_static("x-query-count"),
                            HeaderValue::from(count),
                        );
                        if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok())
                        {
                            headers.insert(HeaderName::from_static("x-request-id"), id);
                        }
                        Ok(res)
                    }
                })
                .wrap(TracingLogger::<crate::telemetry::RootSpan>::new())
                .wrap(cors(&origins))
                .wrap(NormalizePath::new(TrailingSlash::Trim))
                // Outermost: it sees every request, and the target as it came.
                .wrap_fn(edge::guard)
                // The API's routes first: routes are tried in order, and the docs'
                // catch-all path is a regular expression.
                .configure(crate::api::configure)
                .configure(crate::scim::configure)
                .configure(crate::api::openapi::configure);
            let app = app.into_factory().map_err(|e| e.error_response());
            let draining = draining.clone();
            let http = HttpServiceBuilder::<EdgeStream<TcpStream>, _>::default()
                .keep_alive(timeouts.keep_alive)
                // The stream times every head (actix-http's timer covers only a
                // connection's first, on a clock that ticks every 500 ms).
                .client_request_timeout(Duration::ZERO)
                .client_disconnect_timeout(Duration::from_secs(1))
                .h1_allow_half_closed(true)
                .local_addr(local_addr)
                .graceful_shutdown_signal(move || {
                    let draining = draining.clone();
                    async move { draining.notified().await }
                })
                .on_connect_ext(|io: &EdgeStream<TcpStream>, ext: &mut Extensions| {
                    ext.insert(io.connection());
                })
                .h1(map_config(app, |_| AppConfig::default()));
            fn_service(move |io: TcpStream| {
                let peer = io.peer_addr().ok();
                std::future::ready(Ok::<_, DispatchError>((
                    EdgeStream::new(io, timeouts),
                    peer,
                )))
            })
            .and_then(http)
        })
        .context("cannot listen")?;
    purge_idempotency_records(pool.clone());
    purge_old_events(pool.clone(), settings.event_retention_days);
    pool.listen()?;
    let webhooks = Arc::new(Dispatcher::spawn(pool.clone(), settings.webhooks.clone()));
    Ok(Application {
        server: builder.run(),
        port,
        pool,
        generated_account_key,
        webhooks,
    })
}

/// Deletes idempotency records older than 24 hours, now and every 10 minutes.
fn purge_idempotency_records(pool: DbPool) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(600));
        loop {
            every.tick().await;
            match crate::service::idempotency::purge_expired(&pool).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "expired idempotency records deleted"),
                Err(e) => tracing::warn!(error = %e, "idempotency purge failed"),
            }
        }
    });
}

/// Retention of the change feed (API.md §9): events older than `days`, now and hourly.
fn purge_old_events(pool: DbPool, days: u32) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(Duration::from_secs(3600));
        loop {
            every.tick().await;
            match crate::service::events::purge(&pool, days).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(purged = n, "events past the retention deleted"),
                Err(e) => tracing::warn!(error = %e, "event purge failed"),
            }
        }
    });
}

/// CORS for web frontends: only the configured origins; preflights answered.
fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "DELETE", "OPTIONS"])
        .allowed_headers([
            header::AUTHORIZATION,
            header::CONTENT_TYPE,
            header::ACCEPT,
            HeaderName::from_static("x-api-key"),
            HeaderName::from_static("idempotency-key"),
        ])
        .expose_headers([
            HeaderName::from_static("idempotent-replayed"),
            HeaderName::from_static("x-request-id"),
            header::RETRY_AFTER,
        ])
        .max_age(3600);
    for origin in origins {
        cors = if origin == "*" {
            cors.allow_any_origin()
        } else {
            cors.allowed_origin(origin)
        };
    }
    cors
}
