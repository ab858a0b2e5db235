-- The SHA-256 of each version's artifact: two versions with the same digest
-- are the same model, bit for bit (a training run is deterministic). Empty
-- for versions registered before this column existed.
ALTER TABLE models ADD COLUMN artifact_sha256 TEXT NOT NULL DEFAULT '';
