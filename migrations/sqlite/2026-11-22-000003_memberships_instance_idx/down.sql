DROP INDEX memberships_instance_idx;
