DROP TABLE idempotency_records;
DROP TABLE api_keys;
DROP TABLE barriers;
DROP TABLE memberships;
DROP TABLE groups;
DROP TABLE users;
DROP TABLE instances;
DROP TABLE account_keys;
