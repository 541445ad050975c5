//! Black-box tests over HTTP, each on SQLite and on PostgreSQL with a database of its own.

mod helpers;

mod foundation;
