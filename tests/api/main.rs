//! Black-box tests over HTTP, each on SQLite and on PostgreSQL with a database of its own.

mod support;

mod access;
mod barriers;
mod cli;
mod directory_fields;
mod events;
mod feed;
mod foundation;
mod http_edge;
mod idempotency;
mod import;
mod memberships;
mod openapi;
mod query_arrays;
mod resilience;
mod routes;
mod scim;
mod users_groups;
mod webhooks;
