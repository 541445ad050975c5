DROP TRIGGER membership_counts_remove ON memberships;
DROP TRIGGER membership_counts_add ON memberships;
DROP FUNCTION membership_counts_remove();
DROP FUNCTION membership_counts_add();
DROP TABLE membership_counts;
