//! HTTP: parse, authorize, shape the envelope. Never SQL.

pub mod barriers;
pub mod body;
pub mod caller;
pub mod common;
pub mod directory;
pub mod edge;
pub mod envelope;
pub mod events;
pub mod group_users;
pub mod groups;
pub mod health;
pub mod idempotency;
pub mod include;
pub mod instances;
pub mod keys;
pub mod memberships;
pub mod openapi;
mod plain_memberships;
pub mod query;
pub mod render;
pub mod users;
pub mod views;
pub mod webhooks;

use actix_web::http::header::{self, HeaderValue};
use actix_web::{web, HttpResponse, ResponseError};

use crate::error::ApiError;
use groups::GroupsDoor;
use users::UsersDoor;

async fn not_found() -> Result<HttpResponse, ApiError> {
    Err(ApiError::NotFound)
}

/// 405 in the §7 form, with the `Allow` header RFC 9110 requires.
async fn method_not_allowed(allow: &'static [&'static str]) -> HttpResponse {
    let mut response = ApiError::MethodNotAllowed.error_response();
    if let Ok(value) = HeaderValue::from_str(&allow.join(", ")) {
        response.headers_mut().insert(header::ALLOW, value);
    }
    response
}

/// Declares every route once: `configure` registers them and `ROUTES` lists them
/// (for the authorization matrix and the API description). `HEAD` is served wherever
/// `GET` is, by the GET handler (actix-http sends its headers without the body), and
/// listed in `Allow`; `ROUTES` and the description name the declared methods only.
macro_rules! routes {
    (@head $resource:ident GET $handler:path) => {
        $resource.route(web::head().to($handler))
    };
    (@head $resource:ident $method:ident $handler:path) => {
        $resource
    };
    (@allow [$($out:expr),*]) => {
        &[$($out),*]
    };
    (@allow [$($out:expr),*] GET $($rest:ident)*) => {
        routes!(@allow [$($out,)* "GET", "HEAD"] $($rest)*)
    };
    (@allow [$($out:expr),*] $method:ident $($rest:ident)*) => {
        routes!(@allow [$($out,)* stringify!($method)] $($rest)*)
    };
    ($($path:literal => { $($method:ident : $handler:path),+ $(,)? }),+ $(,)?) => {
        /// Every (path, methods) the server serves.
        pub const ROUTES: &[(&str, &[&str])] = &[
            $(($path, &[$(stringify!($method)),+])),+
        ];

        /// Registers every route; a known path with another method answers 405,
        /// an unknown path 404, both in the §7 form.
        pub fn configure(cfg: &mut web::ServiceConfig) {
            $(
                let resource = web::resource($path)
                    $(.route(web::method(actix_web::http::Method::$method).to($handler)))+;
                $(let resource = routes!(@head resource $method $handler);)+
                cfg.service(resource.default_service(web::to(|| {
                    method_not_allowed(routes!(@allow [] $($method)+))
                })));
            )+
            cfg.default_service(web::to(not_found));
        }
    };
}

routes! {
    // Matched in this order, each dynamic path by a regular expression: the busiest
    // routes first (the paths never overlap, so the order changes nothing else).
    "/instances/{instance}/memberships" => { POST: memberships::create, GET: memberships::list },
    "/instances/{instance}/memberships/{id}" => { GET: memberships::get, PATCH: memberships::update, DELETE: memberships::delete },
    "/instances/{instance}/groups/{group_id}/users" => { POST: group_users::add_users, GET: group_users::list_group_users },
    "/instances/{instance}/groups/{group_id}/users/{user_id}" => { GET: group_users::get_pair, DELETE: group_users::remove_pair },
    "/instances/{instance}/users/{user_id}/groups" => { GET: group_users::list_user_groups },
    "/instances/{instance}/users" => { POST: directory::create::<UsersDoor>, GET: directory::list::<UsersDoor> },
    "/instances/{instance}/users/{id}" => { GET: directory::get::<UsersDoor>, PATCH: directory::update::<UsersDoor>, DELETE: directory::delete::<UsersDoor> },
    "/instances/{instance}/groups" => { POST: directory::create::<GroupsDoor>, GET: directory::list::<GroupsDoor> },
    "/instances/{instance}/groups/{id}" => { GET: directory::get::<GroupsDoor>, PATCH: directory::update::<GroupsDoor>, DELETE: directory::delete::<GroupsDoor> },
    "/healthz" => { GET: health::healthz },
    "/readyz" => { GET: health::readyz },
    "/instances" => { POST: instances::create, GET: instances::list },
    "/instances/{instance}" => { GET: instances::get, PATCH: instances::update, DELETE: instances::delete },
    "/instances/{instance}/api_keys" => { POST: keys::create, GET: keys::list },
    "/instances/{instance}/api_keys/{id}" => { DELETE: keys::revoke },
    "/instances/{instance}/barriers" => { POST: barriers::create, GET: barriers::list },
    "/instances/{instance}/barriers/{id}" => { GET: barriers::get, DELETE: barriers::delete },
    "/instances/{instance}/events" => { GET: events::list },
    "/instances/{instance}/events/stream" => { GET: events::stream },
    "/instances/{instance}/webhooks" => { POST: webhooks::create, GET: webhooks::list },
    "/instances/{instance}/webhooks/{id}" => { GET: webhooks::get, PATCH: webhooks::update, DELETE: webhooks::delete },
    "/instances/{instance}/webhooks/{id}/deliveries" => { GET: webhooks::deliveries },
}
