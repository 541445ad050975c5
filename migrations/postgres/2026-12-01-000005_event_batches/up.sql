-- One row per write instead of one per event (db/events.rs): a bulk of 100 memberships
-- wrote 100 rows and 100 index entries for its events; it now writes one, whose
-- `entries` (the events' own fields, as a JSON array in id order) PostgreSQL
-- compresses with lz4 and keeps in the row (STORAGE MAIN) up to a page.
-- The events of a row have the ids last_id - count + 1 ..= last_id; everything they
-- share (when, who, which request) is stored once.

CREATE TABLE event_batches (
    instance_id BIGINT NOT NULL,
    last_id BIGINT NOT NULL,
    count BIGINT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    actor_kind TEXT NOT NULL,
    actor_key_id BIGINT,
    actor_user_id BIGINT,
    request_id TEXT,
    -- [{"type", "object_id", "source", "user", "group", "data", "previous"}, …]: `user`
    -- and `group` are whom the object concerns (what a user key may read, API.md §6).
    entries TEXT NOT NULL,
    PRIMARY KEY (instance_id, last_id)
);
ALTER TABLE event_batches ALTER COLUMN entries SET STORAGE MAIN;
-- lz4 where the server was built with it (PostgreSQL's own pglz otherwise).
DO $$
BEGIN
    ALTER TABLE event_batches ALTER COLUMN entries SET COMPRESSION lz4;
EXCEPTION WHEN OTHERS THEN
    NULL;
END
$$;

-- Every event kept so far becomes a row of its own.
INSERT INTO event_batches (instance_id, last_id, count, occurred_at, actor_kind,
                           actor_key_id, actor_user_id, request_id, entries)
SELECT instance_id, id, 1, occurred_at, actor_kind, actor_key_id, actor_user_id, request_id,
       json_build_array(json_build_object(
           'type', type, 'object_id', object_id, 'source', source,
           'user', subject_user_id, 'group', subject_group_id,
           'data', data::json, 'previous', previous::json))::text
FROM events;

DROP TABLE events;
