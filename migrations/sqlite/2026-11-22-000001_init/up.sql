-- Same tables as the PostgreSQL side. SQLite only auto-increments a column declared
-- INTEGER PRIMARY KEY, so ids are global rowids (AUTOINCREMENT: never reused) and
-- UNIQUE (instance_id, id) is what the composite foreign keys point at.

CREATE TABLE account_keys (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key_hash TEXT NOT NULL UNIQUE,
    prefix TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP
);

CREATE TABLE instances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE users (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    username TEXT NOT NULL,
    name TEXT,
    email TEXT,
    avatar_url TEXT,
    principal TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (instance_id, id),
    UNIQUE (instance_id, username)
);
CREATE INDEX users_created_idx ON users (instance_id, created_at, id);
CREATE INDEX users_updated_idx ON users (instance_id, updated_at, id);
CREATE INDEX users_principal_idx ON users (instance_id, principal, id);

CREATE TABLE groups (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (instance_id, id),
    UNIQUE (instance_id, name)
);
CREATE INDEX groups_created_idx ON groups (instance_id, created_at, id);
CREATE INDEX groups_updated_idx ON groups (instance_id, updated_at, id);

CREATE TABLE memberships (
    instance_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL,
    group_id BIGINT NOT NULL,
    role TEXT NOT NULL,
    configurable_permissions TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (instance_id, user_id, group_id),
    FOREIGN KEY (instance_id, user_id) REFERENCES users (instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_id) REFERENCES groups (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX memberships_group_idx ON memberships (instance_id, group_id, id);
CREATE INDEX memberships_created_idx ON memberships (instance_id, created_at, id);
CREATE INDEX memberships_updated_idx ON memberships (instance_id, updated_at, id);

CREATE TABLE barriers (
    instance_id BIGINT NOT NULL,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    group_a_id BIGINT NOT NULL,
    group_b_id BIGINT NOT NULL,
    description TEXT,
    created_at TIMESTAMP NOT NULL,
    UNIQUE (instance_id, group_a_id, group_b_id),
    CHECK (group_a_id < group_b_id),
    FOREIGN KEY (instance_id, group_a_id) REFERENCES groups (instance_id, id) ON DELETE CASCADE,
    FOREIGN KEY (instance_id, group_b_id) REFERENCES groups (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX barriers_group_b_idx ON barriers (instance_id, group_b_id);
CREATE INDEX barriers_created_idx ON barriers (instance_id, created_at, id);

CREATE TABLE api_keys (
    instance_id BIGINT NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    role TEXT NOT NULL,
    user_id BIGINT,
    description TEXT,
    prefix TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    revoked_at TIMESTAMP,
    FOREIGN KEY (instance_id, user_id) REFERENCES users (instance_id, id) ON DELETE CASCADE
);
CREATE INDEX api_keys_created_idx ON api_keys (instance_id, created_at, id);

-- Idempotency records: instance_id 0 is the account scope (POST /instances).
CREATE TABLE idempotency_records (
    instance_id BIGINT NOT NULL,
    idem_key TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    status INTEGER,
    response_body TEXT,
    created_at TIMESTAMP NOT NULL,
    PRIMARY KEY (instance_id, idem_key)
);
CREATE INDEX idempotency_created_idx ON idempotency_records (created_at);
