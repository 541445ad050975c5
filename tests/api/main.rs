//! Black-box tests over HTTP, each on SQLite and on PostgreSQL with a database of its own.

mod helpers;

mod access;
mod barriers;
mod cli;
mod foundation;
mod idempotency;
mod import;
mod memberships;
mod openapi;
mod routes;
mod users_groups;
