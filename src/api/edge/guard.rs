//! The outermost middleware: the connection told while a request is served, `414` for
//! a long target, a middleware's own error answers in the §7 form.

use std::future::{ready, Future, Ready};
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{BodySize, EitherBody, MessageBody};
use actix_web::dev::{Service, ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::ResponseError;
use futures_util::future::Either;

use super::{Connection, MAX_URI_BYTES};
use crate::error::ApiError;

/// Whether the request target is longer than `MAX_URI_BYTES`.
fn target_too_long(req: &ServiceRequest) -> bool {
    let uri = req.uri();
    let target = uri.path_and_query().map_or(0, |p| p.as_str().len())
        + uri.authority().map_or(0, |a| a.as_str().len())
        + uri.scheme_str().map_or(0, |s| s.len() + 3);
    target > MAX_URI_BYTES
}

/// A request the app is serving: the connection's head timer waits for its answer.
struct Serving(Option<Rc<Connection>>);

impl Serving {
    fn start(req: &ServiceRequest) -> Self {
        let conn = req.conn_data::<Rc<Connection>>().cloned();
        if let Some(conn) = &conn {
            conn.request_started();
        }
        Self(conn)
    }
}

impl Drop for Serving {
    fn drop(&mut self) {
        if let Some(conn) = &self.0 {
            conn.request_answered();
        }
    }
}

pin_project_lite::pin_project! {
    /// A response body that holds its request's `Serving` until actix-http has sent it
    /// all (or dropped the connection): the next head's timer starts after the answer.
    pub struct Served<B> {
        #[pin]
        body: B,
        serving: Serving,
    }
}

impl<B: MessageBody> MessageBody for Served<B> {
    type Error = B::Error;

    fn size(&self) -> BodySize {
        self.body.size()
    }

    fn poll_next(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Bytes, Self::Error>>> {
        self.project().body.poll_next(cx)
    }
}

/// The outermost middleware (`App::wrap_fn`): tells the connection while a request is
/// served (every request passes here, CORS preflights included), and answers `414` to
/// a request target over `MAX_URI_BYTES` as it was received.
#[allow(clippy::type_complexity)]
pub fn guard<S, B>(
    req: ServiceRequest,
    srv: &S,
) -> Either<
    Ready<Result<ServiceResponse<EitherBody<Served<B>>>, actix_web::Error>>,
    impl Future<Output = Result<ServiceResponse<EitherBody<Served<B>>>, actix_web::Error>>,
>
where
    S: Service<ServiceRequest, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let serving = Serving::start(&req);
    if target_too_long(&req) {
        drop(serving); // answered here, in full
        let response = req.error_response(ApiError::UriTooLong(MAX_URI_BYTES));
        return Either::Left(ready(Ok(response.map_into_right_body())));
    }
    let call = srv.call(req);
    Either::Right(async move {
        let response = call.await?;
        // A middleware's own refusal answered with its own body (actix-cors answers a
        // preflight from an origin it does not allow with plain text): the same status
        // in the §7 body. Roster's own errors (REST's, SCIM's) already have theirs.
        let foreign = response
            .response()
            .error()
            .filter(|e| e.as_error::<ApiError>().is_none())
            .filter(|e| e.as_error::<crate::scim::error::ScimError>().is_none())
            .map(foreign_error);
        if let Some(error) = foreign {
            drop(serving);
            let (request, _) = response.into_parts();
            let answer = ServiceResponse::new(request, error.error_response());
            return Ok(answer.map_into_right_body());
        }
        Ok(response
            .map_body(|_, body| Served { body, serving })
            .map_into_left_body())
    })
}

/// An error some middleware raised (not Roster's own `ApiError`) as an `ApiError` of
/// the same status, its message kept where the status has room for one.
fn foreign_error(e: &actix_web::Error) -> ApiError {
    let message = e.to_string();
    match e.as_response_error().status_code() {
        StatusCode::BAD_REQUEST => ApiError::bad_request(message),
        StatusCode::UNAUTHORIZED => ApiError::Unauthorized,
        StatusCode::FORBIDDEN => ApiError::forbidden(message),
        StatusCode::NOT_FOUND => ApiError::NotFound,
        StatusCode::METHOD_NOT_ALLOWED => ApiError::MethodNotAllowed,
        StatusCode::REQUEST_TIMEOUT => ApiError::RequestTimeout,
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::UnsupportedMediaType,
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => ApiError::HeadersTooLarge,
        _ => ApiError::Internal(message),
    }
}
