-- Every activation, in order: what "roll back to the previously active
-- version" reads (timestamps alone tie within a second).
CREATE TABLE model_activations (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind     TEXT NOT NULL,
    model_id TEXT NOT NULL,
    at       INTEGER NOT NULL
);
CREATE INDEX model_activations_kind ON model_activations (kind, seq);
