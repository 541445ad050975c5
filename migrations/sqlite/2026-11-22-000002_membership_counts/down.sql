DROP TRIGGER membership_counts_remove;
DROP TRIGGER membership_counts_add;
DROP TABLE membership_counts;
