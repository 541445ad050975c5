DROP INDEX users_active_idx;
DROP INDEX groups_external_id_key;
DROP INDEX users_external_id_key;
ALTER TABLE groups DROP COLUMN external_id;
ALTER TABLE users DROP COLUMN external_id;
ALTER TABLE users DROP COLUMN active;
