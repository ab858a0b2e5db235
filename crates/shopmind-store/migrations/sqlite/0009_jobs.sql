-- Background jobs (training, simulations) as rows, so that any process can
-- run them and every replica answers GET /v1/jobs/{id} alike. A worker
-- claims the oldest runnable job (queued, or running under a lease that
-- expired: its runner died) and holds it under a lease it renews while the
-- work runs; PostgreSQL claims with FOR UPDATE SKIP LOCKED, SQLite's single
-- writer serialises the claim. `request` is the work's JSON (what the API
-- accepted); `result` the answer of work that computes one.
CREATE TABLE jobs (
    job_id      TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    algorithm   TEXT NOT NULL,
    started_by  TEXT NOT NULL,
    request     TEXT NOT NULL,
    state       TEXT NOT NULL,
    progress    REAL NOT NULL DEFAULT 0,
    stage       TEXT NOT NULL DEFAULT 'queued',
    model_id    TEXT,
    decision    TEXT,
    error       TEXT,
    result      TEXT,
    created_at  BIGINT NOT NULL,
    finished_at BIGINT,
    lease_owner TEXT,
    lease_until BIGINT NOT NULL DEFAULT 0,
    attempts    BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX jobs_runnable ON jobs (state, created_at);
