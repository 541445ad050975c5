//! Written by hand: one description of the tables for both backends.

diesel::table! {
    account_keys (id) {
        id -> BigInt,
        key_hash -> Text,
        prefix -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    instances (id) {
        id -> BigInt,
        name -> Text,
        description -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    users (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        username -> Text,
        name -> Nullable<Text>,
        email -> Nullable<Text>,
        avatar_url -> Nullable<Text>,
        principal -> Text,
        active -> Bool,
        external_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    groups (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        name -> Text,
        description -> Nullable<Text>,
        external_id -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    memberships (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        user_id -> BigInt,
        group_id -> BigInt,
        role -> Text,
        configurable_permissions -> Nullable<Text>,
        created_at -> Timestamp,
        updated_at -> Timestamp,
    }
}

diesel::table! {
    barriers (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        group_a_id -> BigInt,
        group_b_id -> BigInt,
        description -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    api_keys (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        role -> Text,
        user_id -> Nullable<BigInt>,
        description -> Nullable<Text>,
        prefix -> Text,
        key_hash -> Text,
        created_at -> Timestamp,
        revoked_at -> Nullable<Timestamp>,
    }
}

diesel::table! {
    idempotency_records (instance_id, idem_key) {
        instance_id -> BigInt,
        idem_key -> Text,
        fingerprint -> Text,
        status -> Nullable<Integer>,
        response_body -> Nullable<Text>,
        created_at -> Timestamp,
    }
}

diesel::table! {
    /// The number of memberships of each instance, kept by triggers (see the migration).
    membership_counts (instance_id, slot) {
        instance_id -> BigInt,
        slot -> Integer,
        n -> BigInt,
    }
}

diesel::table! {
    /// Each instance's last event id (`db::events`: taken last, in commit order).
    event_counters (instance_id) {
        instance_id -> BigInt,
        last_id -> BigInt,
        /// Retention removed this instance's events up to here (§9's `410`).
        purged_through -> BigInt,
    }
}

diesel::table! {
    /// The change feed (API.md §9): one row per write, holding its events
    /// (`db::events`), ids `last_id - count + 1 ..= last_id`.
    event_batches (instance_id, last_id) {
        instance_id -> BigInt,
        last_id -> BigInt,
        count -> BigInt,
        occurred_at -> Timestamp,
        actor_kind -> Text,
        actor_key_id -> Nullable<BigInt>,
        actor_user_id -> Nullable<BigInt>,
        request_id -> Nullable<Text>,
        entries -> Text,
    }
}

diesel::table! {
    /// Webhook endpoints (API.md §10), with each one's delivery state and lease.
    webhooks (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        url -> Text,
        /// Comma-separated event types; NULL: every type.
        types -> Nullable<Text>,
        description -> Nullable<Text>,
        enabled -> Bool,
        secret -> Text,
        created_at -> Timestamp,
        updated_at -> Timestamp,
        disabled_reason -> Nullable<Text>,
        /// The last event id delivered (2xx) or skipped (not of `types`).
        delivered_through -> BigInt,
        failing_since -> Nullable<Timestamp>,
        failed_attempts -> Integer,
        next_attempt_at -> Nullable<Timestamp>,
        lease_owner -> Nullable<Text>,
        lease_until -> Nullable<Timestamp>,
    }
}

diesel::table! {
    /// Every delivery attempt of a webhook endpoint.
    webhook_deliveries (instance_id, id) {
        instance_id -> BigInt,
        id -> BigInt,
        webhook_id -> BigInt,
        event_id -> BigInt,
        attempt -> Integer,
        status_code -> Nullable<Integer>,
        duration_ms -> BigInt,
        error -> Nullable<Text>,
        next_retry_at -> Nullable<Timestamp>,
        created_at -> Timestamp,
    }
}

diesel::allow_tables_to_appear_in_same_query!(
    webhooks,
    webhook_deliveries,
    event_batches,
    instances,
    users,
    groups,
    memberships,
    barriers,
    api_keys,
);
