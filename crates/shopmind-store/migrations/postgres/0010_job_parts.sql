-- Partitioned jobs. A job whose work splits into independent chunks (one
-- forecast per series, one elasticity per item, the neighbour lists of a
-- range of items) "fans out": in one transaction it stores its input as a
-- blob, queues one part per chunk (parent_id = the job, phase = which
-- fan-out) and becomes 'waiting': no lease, no worker held. Workers claim
-- parts like any job; each part stores its output as a blob of the parent.
-- The transaction that finishes the last part of a phase requeues the
-- parent, which continues from that phase with the parts' outputs; a part
-- that fails fails the parent. Blobs are deleted when the parent ends.
ALTER TABLE jobs ADD COLUMN parent_id TEXT;
ALTER TABLE jobs ADD COLUMN phase BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_parent ON jobs (parent_id, phase);
CREATE TABLE job_blobs (
    job_id TEXT NOT NULL,
    name   TEXT NOT NULL,
    bytes  BYTEA NOT NULL,
    PRIMARY KEY (job_id, name)
);
