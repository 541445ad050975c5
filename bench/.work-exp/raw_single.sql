\set k :base + :n * :nc + :client_id
\set u0 (((:k) % 10000) * 7777 % 10000) + 1
\set g0 ((((:k) / 10000) % 1000 + (((:k) % 10000) * 7777 % 10000) * 7919) % 1000) + 1
INSERT INTO memberships (instance_id, user_id, group_id, role, configurable_permissions, created_at, updated_at) VALUES (1, :u0, :g0, 'member', '{}', now(), now()) RETURNING *;
\set n :n + 1
