//! Logging: a tracing subscriber with the `ROSTER_LOG` filter, text or JSON lines.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

/// Installs the global subscriber (once; later calls, as in tests, do nothing).
pub fn init(filter: &str, json: bool) {
    let filter = EnvFilter::try_new(filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = if json {
        builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .try_init()
    } else {
        builder.try_init()
    };
}

/// The root span of each request: method, path, request id, and on the way out the
/// status and, for an error, its message. `tracing-actix-web`'s default span also works
/// out the client IP, host, scheme, user agent, route template and OpenTelemetry
/// names on every request, and the fmt layer formats them all when the span opens,
/// whether or not anything is ever logged in it: about 6% of Roster's CPU in a bulk
/// create's profile (`bench/profile.py`).
pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(req: &ServiceRequest) -> Span {
        let request_id = req.extensions().get::<RequestId>().copied();
        tracing::info_span!(
            "request",
            method = %req.method(),
            path = req.path(),
            request_id = request_id.map(tracing::field::display),
            status = tracing::field::Empty,
            error = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        match outcome {
            Ok(res) => {
                span.record("status", res.status().as_u16());
                if let Some(error) = res.response().error() {
                    span.record("error", tracing::field::display(error));
                }
            }
            Err(error) => {
                let res = error.as_response_error();
                span.record("status", res.status_code().as_u16());
                span.record("error", tracing::field::display(error));
            }
        }
    }
}
