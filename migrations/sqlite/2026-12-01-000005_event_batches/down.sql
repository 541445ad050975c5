CREATE TABLE events (
    instance_id BIGINT NOT NULL,
    id BIGINT NOT NULL,
    type TEXT NOT NULL,
    object_id BIGINT NOT NULL,
    data TEXT NOT NULL,
    previous TEXT,
    actor_kind TEXT NOT NULL,
    actor_key_id BIGINT,
    actor_user_id BIGINT,
    source TEXT NOT NULL,
    request_id TEXT,
    occurred_at TIMESTAMP NOT NULL,
    subject_user_id BIGINT,
    subject_group_id BIGINT,
    PRIMARY KEY (instance_id, id)
);

INSERT INTO events
SELECT b.instance_id, b.last_id - b.count + 1 + e.key, json_extract(e.value, '$.type'),
       json_extract(e.value, '$.object_id'), json_extract(e.value, '$.data'),
       json_extract(e.value, '$.previous'), b.actor_kind, b.actor_key_id, b.actor_user_id,
       json_extract(e.value, '$.source'), b.request_id, b.occurred_at,
       json_extract(e.value, '$.user'), json_extract(e.value, '$.group')
FROM event_batches b, json_each(b.entries) AS e;

DROP TABLE event_batches;
