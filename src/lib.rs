//! Roster: a multi-tenant backend for users, groups and group memberships.

pub mod api; // the REST door: extract, parse, render; the only place that knows HTTP
pub mod cli; // the command line
pub mod config; // layered settings
pub mod db; // SQL only, over PostgreSQL and SQLite
pub mod domain; // parsed, always-valid values
pub mod error; // the REST door's error type and its §7 mapping
pub mod import; // the `roster import` client
pub mod scim; // the SCIM 2.0 door (RFC 7643/7644) over the same service
pub mod service; // the rules every door calls
pub mod startup; // building and binding the server
pub mod state; // what handlers share
pub mod tail; // `roster events tail`
pub mod telemetry; // logging
