//! Roster: a multi-tenant backend for users, groups and group memberships.

pub mod api; // HTTP handlers, envelope, query parsing
pub mod auth; // keys, hashing, the resolved caller
pub mod cli; // the command line
pub mod config; // layered settings
pub mod db; // storage over PostgreSQL and SQLite
pub mod domain; // parsed, always-valid values
pub mod error; // the one error type
pub mod import; // the `roster import` client
pub mod startup; // building and binding the server
pub mod state; // what handlers share
pub mod telemetry; // logging
