-- Every activation, in order: what "roll back to the previously active
-- version" reads (timestamps alone tie within a second).
CREATE TABLE model_activations (
    seq      BIGSERIAL PRIMARY KEY,
    kind     TEXT NOT NULL,
    model_id TEXT NOT NULL,
    at       BIGINT NOT NULL
);
CREATE INDEX model_activations_kind ON model_activations (kind, seq);
