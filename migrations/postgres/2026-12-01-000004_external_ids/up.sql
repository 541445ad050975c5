-- API.md §2: a user's `active` (default true) and an identity provider's own ID
-- (`external_id`) on users and groups, unique per instance when set (NULLs are
-- distinct, so any number of rows may have none).
ALTER TABLE users ADD COLUMN active BOOLEAN NOT NULL DEFAULT TRUE;
ALTER TABLE users ADD COLUMN external_id TEXT;
ALTER TABLE groups ADD COLUMN external_id TEXT;
CREATE UNIQUE INDEX users_external_id_key ON users (instance_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE UNIQUE INDEX groups_external_id_key ON groups (instance_id, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX users_active_idx ON users (instance_id, active, id);
