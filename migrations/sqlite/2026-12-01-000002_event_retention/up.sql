-- The feed's hot path writes one row per changed object: no foreign key to check per
-- row (instances::delete removes an instance's events itself) and no second index.
-- Retention removes a prefix of each instance's feed by id and remembers where it
-- stopped (`purged_through`), so that an older cursor is answered 410 (API.md §9).
CREATE TABLE events_new (
    instance_id BIGINT NOT NULL,
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
    subject_user_id BIGINT,
    subject_group_id BIGINT,
    PRIMARY KEY (instance_id, id)
);
INSERT INTO events_new SELECT * FROM events;
DROP TABLE events;
ALTER TABLE events_new RENAME TO events;
ALTER TABLE event_counters ADD COLUMN purged_through BIGINT NOT NULL DEFAULT 0;
