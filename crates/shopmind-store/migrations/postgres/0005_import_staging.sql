-- Imports stage their rows in the import_* tables, in short transactions,
-- and then publish them to the real tables in bounded chunks, so that an
-- import of millions of rows never holds the database's write lock for
-- more than a moment (SQLite has one writer at a time) and a failed or
-- killed import leaves the real tables as they were. The `imports` row is
-- the lock (one import at a time) and the commit point: while its state is
-- 'staging' the import can be discarded; once it reads 'publishing' it is
-- committed, and whoever finds it with a stale heartbeat finishes it from
-- where `published` says it stopped. The import_* tables mirror the real
-- ones, keyed the same way, plus `seq`, the order rows arrived in, by which
-- publishing proceeds; they are emptied when the import ends.

CREATE TABLE imports (
    lock_id      TEXT PRIMARY KEY NOT NULL,
    import_id    TEXT NOT NULL,
    state        TEXT NOT NULL,
    label        TEXT NOT NULL,
    started_at   BIGINT NOT NULL,
    heartbeat_at BIGINT NOT NULL,
    -- How far publishing got: the staging table being published and the
    -- first `seq` not yet published in it ('' before publishing starts).
    published    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE import_items (
    seq BIGSERIAL PRIMARY KEY,
    item_id     TEXT NOT NULL UNIQUE,
    title       TEXT,
    description TEXT,
    category    TEXT,
    brand       TEXT,
    price       DOUBLE PRECISION,
    cost        DOUBLE PRECISION,
    tags        TEXT,
    active      BIGINT NOT NULL,
    attributes  TEXT,
    updated_at  BIGINT NOT NULL
);

CREATE TABLE import_users (
    seq BIGSERIAL PRIMARY KEY,
    user_id    TEXT NOT NULL UNIQUE,
    attributes TEXT,
    updated_at BIGINT NOT NULL
);

-- Ids that staged rows mention; each becomes a stub row when missing.
CREATE TABLE import_user_refs (
    seq BIGSERIAL PRIMARY KEY,
    user_id TEXT NOT NULL UNIQUE
);
CREATE TABLE import_item_refs (
    seq BIGSERIAL PRIMARY KEY,
    item_id TEXT NOT NULL UNIQUE
);

CREATE TABLE import_events (
    seq BIGSERIAL PRIMARY KEY,
    event_id   TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    event_type TEXT NOT NULL,
    value      DOUBLE PRECISION NOT NULL,
    ts         BIGINT NOT NULL
);

CREATE TABLE import_sales (
    seq BIGSERIAL PRIMARY KEY,
    date           TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    store_id       TEXT NOT NULL,
    units          DOUBLE PRECISION NOT NULL,
    returned_units DOUBLE PRECISION NOT NULL,
    price          DOUBLE PRECISION NOT NULL,
    promo          BIGINT NOT NULL,
    cost           DOUBLE PRECISION,
    UNIQUE (item_id, store_id, date)
);

CREATE TABLE import_inventory (
    seq BIGSERIAL PRIMARY KEY,
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
    UNIQUE (item_id, store_id)
);

CREATE TABLE import_orders (
    seq BIGSERIAL PRIMARY KEY,
    order_id   TEXT NOT NULL UNIQUE,
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    total      DOUBLE PRECISION NOT NULL
);

CREATE TABLE import_order_lines (
    seq BIGSERIAL PRIMARY KEY,
    order_id TEXT NOT NULL,
    line_no  BIGINT NOT NULL,
    item_id  TEXT NOT NULL,
    quantity DOUBLE PRECISION NOT NULL,
    price    DOUBLE PRECISION NOT NULL,
    UNIQUE (order_id, line_no)
);

CREATE TABLE import_faq (
    seq BIGSERIAL PRIMARY KEY,
    faq_id   TEXT NOT NULL UNIQUE,
    question TEXT NOT NULL,
    answer   TEXT NOT NULL,
    intent   TEXT
);

CREATE TABLE import_intents (
    seq BIGSERIAL PRIMARY KEY,
    example_id TEXT NOT NULL UNIQUE,
    text       TEXT NOT NULL,
    intent     TEXT NOT NULL
);

CREATE TABLE import_series (
    seq BIGSERIAL PRIMARY KEY,
    series_id TEXT NOT NULL,
    t         BIGINT NOT NULL,
    value     DOUBLE PRECISION NOT NULL,
    UNIQUE (series_id, t)
);
