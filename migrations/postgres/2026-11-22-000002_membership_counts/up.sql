-- The number of memberships of each instance, kept by triggers, so an unfiltered list
-- answers meta.count without counting a million rows (API.md §5: meta.count is exact).
-- Statement-level triggers with transition tables: one UPDATE per statement, not per
-- row; cascaded deletes (a user, a group) run as statements of their own and are
-- counted too.
CREATE TABLE membership_counts (
    instance_id BIGINT PRIMARY KEY REFERENCES instances (id) ON DELETE CASCADE,
    n BIGINT NOT NULL
);

INSERT INTO membership_counts (instance_id, n)
SELECT instance_id, count(*) FROM memberships GROUP BY instance_id;

CREATE FUNCTION membership_counts_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO membership_counts AS c (instance_id, n)
    SELECT instance_id, count(*) FROM added GROUP BY instance_id
    ON CONFLICT (instance_id) DO UPDATE SET n = c.n + EXCLUDED.n;
    RETURN NULL;
END $$;

CREATE FUNCTION membership_counts_remove() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE membership_counts AS c SET n = c.n - r.k
    FROM (SELECT instance_id, count(*) AS k FROM removed GROUP BY instance_id) AS r
    WHERE c.instance_id = r.instance_id;
    RETURN NULL;
END $$;

CREATE TRIGGER membership_counts_add AFTER INSERT ON memberships
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION membership_counts_add();

CREATE TRIGGER membership_counts_remove AFTER DELETE ON memberships
    REFERENCING OLD TABLE AS removed
    FOR EACH STATEMENT EXECUTE FUNCTION membership_counts_remove();
