-- A counter bumped by every catalog write (item upsert, delete, import), so
-- that each server replica can tell cheaply that its catalog masks are stale.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY NOT NULL,
    value INTEGER NOT NULL
);
INSERT INTO counters (name, value) VALUES ('catalog', 0);

-- Answers of requests sent with an Idempotency-Key header: a retry with the
-- same key and body gets the stored answer instead of acting twice. Keys are
-- forgotten after a day.
CREATE TABLE idempotency_keys (
    idem_key     TEXT PRIMARY KEY NOT NULL,
    request_hash TEXT NOT NULL,
    status       INTEGER NOT NULL,
    body         TEXT NOT NULL,
    created_at   INTEGER NOT NULL
);
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
