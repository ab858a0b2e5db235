-- API keys: only a SHA-256 of each key is stored; the key itself is shown
-- once, when it is created.
CREATE TABLE api_keys (
    key_id     TEXT PRIMARY KEY NOT NULL,
    key_hash   TEXT NOT NULL UNIQUE,
    scope      TEXT NOT NULL,
    label      TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
