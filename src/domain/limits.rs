//! Every limit of API.md in one place, used by the parsers, the rules and the API
//! description alike.

/// Objects in one bulk create (§4).
pub const MAX_BULK: usize = 100;
/// A username's length in characters (§2).
pub const MAX_USERNAME: usize = 150;
/// A group name, and a user's display name (§2).
pub const MAX_NAME: usize = 255;
/// A description of a group, barrier, API key or instance (§2).
pub const MAX_DESCRIPTION: usize = 4096;
/// An `external_id`'s length in characters, at least 1 (§2).
pub const MAX_EXTERNAL_ID: usize = 255;
/// An avatar URL's length (§2).
pub const MAX_AVATAR_URL: usize = 2048;
/// An instance name: 2–63 characters (§2).
pub const MIN_INSTANCE_NAME: usize = 2;
pub const MAX_INSTANCE_NAME: usize = 63;
/// Keys of `configurable_permissions`, and a key's length (§2).
pub const MAX_PERMISSION_KEYS: usize = 32;
pub const MAX_PERMISSION_KEY: usize = 64;
/// Rows per list page, and the default (§5).
pub const MAX_PER_PAGE: i64 = 200;
pub const DEFAULT_PER_PAGE: i64 = 20;
/// The deepest offset a page may start at; deeper lists use the cursor (§5).
pub const MAX_OFFSET: i64 = 10_000;
/// IDs one `ids=` filter may name (Roster's own limit, README).
pub const MAX_IDS: usize = 1_000;
/// An `Idempotency-Key`'s length in printable ASCII characters (§8).
pub const MAX_IDEMPOTENCY_KEY: usize = 255;
