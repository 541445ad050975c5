-- Webhooks (API.md §10): an instance's endpoints, each with its delivery cursor (the
-- last event id delivered or skipped, advanced only after a 2xx), its failure state and
-- the lease that lets one Roster process at a time deliver to it; and the log of every
-- delivery attempt. Both are keyed by instance_id, the distribution column on Citus.

CREATE TABLE webhooks (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    -- Comma-separated event types (API.md §9); NULL: every type.
    types TEXT,
    description TEXT,
    enabled BOOLEAN NOT NULL,
    secret TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    disabled_reason TEXT,
    delivered_through BIGINT NOT NULL,
    failing_since TIMESTAMP,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP,
    lease_owner TEXT,
    lease_until TIMESTAMP,
    -- What the deliveries' composite foreign key points at.
    UNIQUE (instance_id, id)
);
CREATE INDEX webhooks_enabled_idx ON webhooks (enabled);

CREATE TABLE webhook_deliveries (
    instance_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    webhook_id BIGINT NOT NULL,
    event_id BIGINT NOT NULL,
    attempt INTEGER NOT NULL,
    status_code INTEGER,
    duration_ms BIGINT NOT NULL,
    error TEXT,
    next_retry_at TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    FOREIGN KEY (instance_id, webhook_id) REFERENCES webhooks (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX webhook_deliveries_webhook_idx ON webhook_deliveries (instance_id, webhook_id, id);
CREATE INDEX webhook_deliveries_created_idx ON webhook_deliveries (created_at);
