-- The feed's hot path writes one row per changed object: no foreign key to check per
-- row (instances::delete removes an instance's events itself) and no second index.
-- Retention removes a prefix of each instance's feed by id and remembers where it
-- stopped (`purged_through`), so that an older cursor is answered 410 (API.md §9).
ALTER TABLE events DROP CONSTRAINT events_instance_id_fkey;
DROP INDEX events_occurred_idx;
ALTER TABLE event_counters ADD COLUMN purged_through BIGINT NOT NULL DEFAULT 0;
