-- A list of one instance's memberships in ID order (the default order, and every
-- cursor page) reads this index in order and stops after a page. Without it SQLite
-- took every membership of the instance from another index and sorted them: 94 ms for
-- a page at a million memberships. PostgreSQL's primary key (instance_id, id) already
-- is this index; SQLite's is the bare rowid.
CREATE INDEX memberships_instance_idx ON memberships (instance_id, id);
