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
SELECT b.instance_id, b.last_id - b.count + e.n, e.v->>'type', (e.v->>'object_id')::BIGINT,
       (e.v->'data')::TEXT,
       CASE WHEN json_typeof(e.v->'previous') = 'null' THEN NULL ELSE (e.v->'previous')::TEXT END,
       b.actor_kind, b.actor_key_id, b.actor_user_id, e.v->>'source', b.request_id,
       b.occurred_at, (e.v->>'user')::BIGINT, (e.v->>'group')::BIGINT
FROM event_batches b, json_array_elements(b.entries::json) WITH ORDINALITY AS e(v, n);

DROP TABLE event_batches;
