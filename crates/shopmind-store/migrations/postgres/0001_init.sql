-- shopmind schema, PostgreSQL flavour. Timestamps are Unix seconds (INTEGER),
-- dates are ISO 'YYYY-MM-DD' text, JSON is text: the shapes sqlx's Any
-- driver maps identically on SQLite and PostgreSQL.

CREATE TABLE items (
    item_id     TEXT PRIMARY KEY NOT NULL,
    title       TEXT,
    description TEXT,
    category    TEXT,
    brand       TEXT,
    price       DOUBLE PRECISION,
    cost        DOUBLE PRECISION,
    tags        TEXT,
    active      BIGINT NOT NULL DEFAULT 1,
    attributes  TEXT,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX items_category ON items (category);

CREATE TABLE users (
    user_id    TEXT PRIMARY KEY NOT NULL,
    attributes TEXT,
    updated_at BIGINT NOT NULL
);

CREATE TABLE events (
    event_id   TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    event_type TEXT NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    ts         BIGINT NOT NULL
);
CREATE INDEX events_user_ts ON events (user_id, ts);
CREATE INDEX events_item ON events (item_id);

CREATE TABLE sales (
    date           TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    store_id       TEXT NOT NULL,
    units          DOUBLE PRECISION NOT NULL,
    returned_units DOUBLE PRECISION NOT NULL DEFAULT 0,
    price          DOUBLE PRECISION NOT NULL,
    promo          BIGINT NOT NULL DEFAULT 0,
    cost           DOUBLE PRECISION,
    PRIMARY KEY (item_id, store_id, date)
);
CREATE INDEX sales_date ON sales (date);

CREATE TABLE inventory (
    item_id            TEXT NOT NULL,
    store_id           TEXT NOT NULL,
    on_hand            DOUBLE PRECISION NOT NULL,
    on_order           DOUBLE PRECISION NOT NULL,
    lead_time_days     DOUBLE PRECISION NOT NULL,
    lead_time_std_days DOUBLE PRECISION NOT NULL,
    unit_cost          DOUBLE PRECISION NOT NULL,
    holding_cost_rate  DOUBLE PRECISION NOT NULL,
    order_cost         DOUBLE PRECISION NOT NULL,
    moq                DOUBLE PRECISION NOT NULL,
    case_pack          DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (item_id, store_id)
);

CREATE TABLE orders (
    order_id   TEXT PRIMARY KEY NOT NULL,
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    total      DOUBLE PRECISION NOT NULL
);
CREATE INDEX orders_user ON orders (user_id);

CREATE TABLE order_lines (
    order_id TEXT NOT NULL,
    line_no  BIGINT NOT NULL,
    item_id  TEXT NOT NULL,
    quantity DOUBLE PRECISION NOT NULL,
    price    DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (order_id, line_no)
);

CREATE TABLE faq (
    faq_id   TEXT PRIMARY KEY NOT NULL,
    question TEXT NOT NULL,
    answer   TEXT NOT NULL,
    intent   TEXT
);

CREATE TABLE intents (
    example_id TEXT PRIMARY KEY NOT NULL,
    text       TEXT NOT NULL,
    intent     TEXT NOT NULL
);

CREATE TABLE series (
    series_id TEXT NOT NULL,
    t         BIGINT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    PRIMARY KEY (series_id, t)
);

CREATE TABLE models (
    model_id         TEXT PRIMARY KEY NOT NULL,
    kind             TEXT NOT NULL,
    algorithm        TEXT NOT NULL,
    params           TEXT NOT NULL,
    data_fingerprint TEXT NOT NULL,
    metrics          TEXT NOT NULL,
    artifact_size    BIGINT NOT NULL,
    status           TEXT NOT NULL,
    created_at       BIGINT NOT NULL,
    activated_at     BIGINT
);
CREATE INDEX models_kind ON models (kind, created_at);

CREATE TABLE model_artifacts (
    model_id TEXT PRIMARY KEY NOT NULL,
    bytes    BYTEA NOT NULL
);
