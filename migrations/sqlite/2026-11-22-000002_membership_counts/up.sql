-- The number of memberships of each instance, kept by triggers, so an unfiltered list
-- answers meta.count without counting a million rows (API.md §5: meta.count is exact).
-- SQLite has only row-level triggers; the row they touch is one page, already in the
-- cache. Foreign-key cascades fire them too. The slot column mirrors PostgreSQL's
-- schema (where writers spread over 16 rows per instance); SQLite's writers are
-- serial, so they all use slot 0.
CREATE TABLE membership_counts (
    instance_id INTEGER NOT NULL REFERENCES instances (id) ON DELETE CASCADE,
    slot INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (instance_id, slot)
);

INSERT INTO membership_counts (instance_id, slot, n)
SELECT instance_id, 0, count(*) FROM memberships GROUP BY instance_id;

CREATE TRIGGER membership_counts_add AFTER INSERT ON memberships
BEGIN
    INSERT INTO membership_counts (instance_id, slot, n) VALUES (NEW.instance_id, 0, 1)
    ON CONFLICT (instance_id, slot) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER membership_counts_remove AFTER DELETE ON memberships
BEGIN
    UPDATE membership_counts SET n = n - 1 WHERE instance_id = OLD.instance_id AND slot = 0;
END;
