-- The number of memberships of each instance, kept by triggers, so an unfiltered list
-- answers meta.count without counting a million rows (API.md §5: meta.count is exact).
-- SQLite has only row-level triggers; the rows they touch are one page, already in
-- the cache. Foreign-key cascades fire them too.
CREATE TABLE membership_counts (
    instance_id INTEGER PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    n INTEGER NOT NULL
);

INSERT INTO membership_counts (instance_id, n)
SELECT instance_id, count(*) FROM memberships GROUP BY instance_id;

CREATE TRIGGER membership_counts_add AFTER INSERT ON memberships
BEGIN
    INSERT INTO membership_counts (instance_id, n) VALUES (NEW.instance_id, 1)
    ON CONFLICT (instance_id) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER membership_counts_remove AFTER DELETE ON memberships
BEGIN
    UPDATE membership_counts SET n = n - 1 WHERE instance_id = OLD.instance_id;
END;
