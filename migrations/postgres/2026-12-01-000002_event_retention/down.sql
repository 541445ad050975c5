ALTER TABLE event_counters DROP COLUMN purged_through;
CREATE INDEX events_occurred_idx ON events (instance_id, occurred_at);
ALTER TABLE events ADD CONSTRAINT events_instance_id_fkey
    FOREIGN KEY (instance_id) REFERENCES instances (id) ON DELETE CASCADE;
