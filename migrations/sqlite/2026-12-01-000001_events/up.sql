-- The change feed (API.md §9). An event's id is taken from its instance's counter row
-- as the last statement of the transaction that made the change. SQLite's writes are
-- serial (one writer thread, one write lock), so ids are handed out in commit order
-- within an instance (db/events.rs says why that makes the feed exact).

CREATE TABLE event_counters (
    instance_id BIGINT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    last_id BIGINT NOT NULL
);

CREATE TABLE events (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id BIGINT NOT NULL,
    type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    data TEXT NOT NULL,
    previous TEXT,
    actor_kind TEXT NOT NULL,
    actor_key_id BIGINT,
    actor_user_id BIGINT,
    source TEXT NOT NULL,
    request_id TEXT,
    occurred_at TIMESTAMP NOT NULL,
    -- Who may read it under API.md §6: the user the object is or names, and its group.
    subject_user_id BIGINT,
    subject_group_id BIGINT,
    PRIMARY KEY (instance_id, id)
);
CREATE INDEX events_occurred_idx ON events (instance_id, occurred_at);
