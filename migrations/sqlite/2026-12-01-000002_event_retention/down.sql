ALTER TABLE event_counters DROP COLUMN purged_through;
CREATE INDEX events_occurred_idx ON events (instance_id, occurred_at);
