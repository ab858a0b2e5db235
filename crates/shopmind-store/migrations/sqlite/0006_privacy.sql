-- The privacy delete (DELETE /v1/users/{id}) rewrites model artifacts that
-- name the user; `revision` counts such rewrites, so that every replica
-- reloads an active version whose artifact changed under the same id.
ALTER TABLE models ADD COLUMN revision INTEGER NOT NULL DEFAULT 0;

-- Users deleted recently, by SHA-256 of their id (never the id itself): a
-- training run that read the user's events before the delete is scrubbed of
-- them when it registers its version. Rows older than a week are purged.
CREATE TABLE user_deletions (
    id_hash    TEXT PRIMARY KEY NOT NULL,
    deleted_at INTEGER NOT NULL
);
