-- Imports stage their rows in the import_* tables, in short transactions,
-- and then publish them to the real tables in bounded chunks, so that an
-- import of millions of rows never holds the database's write lock for
-- more than a moment (SQLite has one writer at a time) and a failed or
-- killed import leaves the real tables as they were. The `imports` row is
-- the lock (one import at a time) and the commit point: while its state is
-- 'staging' the import can be discarded; once it reads 'publishing' it is
-- committed, and whoever finds it with a stale heartbeat finishes it from
-- where `published` says it stopped. The import_* tables mirror the real
-- ones plus `seq`, the order rows arrived in, by which publishing proceeds;
-- they are emptied when the import ends. On SQLite they have no unique
-- keys: staging is a plain append, and a key staged twice is merged when
-- it is published, row by row in `seq` order (SQLite applies an upsert's
-- rows one after the other; PostgreSQL refuses a key twice in one
-- statement, so its staging tables merge on their unique keys instead).

CREATE TABLE imports (
    lock_id      TEXT PRIMARY KEY NOT NULL,
    import_id    TEXT NOT NULL,
    state        TEXT NOT NULL,
    label        TEXT NOT NULL,
    started_at   INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL,
    -- How far publishing got: the staging table being published and the
    -- first `seq` not yet published in it ('' before publishing starts).
    published    TEXT NOT NULL DEFAULT ''
);

CREATE TABLE import_items (
    seq INTEGER PRIMARY KEY,
    item_id     TEXT NOT NULL,
    title       TEXT,
    description TEXT,
    category    TEXT,
    brand       TEXT,
    price       REAL,
    cost        REAL,
    tags        TEXT,
    active      INTEGER NOT NULL,
    attributes  TEXT,
    updated_at  INTEGER NOT NULL
);

CREATE TABLE import_users (
    seq INTEGER PRIMARY KEY,
    user_id    TEXT NOT NULL,
    attributes TEXT,
    updated_at INTEGER NOT NULL
);

-- Ids that staged rows mention; each becomes a stub row when missing.
CREATE TABLE import_user_refs (
    seq INTEGER PRIMARY KEY,
    user_id TEXT NOT NULL
);
CREATE TABLE import_item_refs (
    seq INTEGER PRIMARY KEY,
    item_id TEXT NOT NULL
);

CREATE TABLE import_events (
    seq INTEGER PRIMARY KEY,
    event_id   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    item_id    TEXT NOT NULL,
    event_type TEXT NOT NULL,
    value      REAL NOT NULL,
    ts         INTEGER NOT NULL
);

CREATE TABLE import_sales (
    seq INTEGER PRIMARY KEY,
    date           TEXT NOT NULL,
    item_id        TEXT NOT NULL,
    store_id       TEXT NOT NULL,
    units          REAL NOT NULL,
    returned_units REAL NOT NULL,
    price          REAL NOT NULL,
    promo          INTEGER NOT NULL,
    cost           REAL
);

CREATE TABLE import_inventory (
    seq INTEGER PRIMARY KEY,
    item_id            TEXT NOT NULL,
    store_id           TEXT NOT NULL,
    on_hand            REAL NOT NULL,
    on_order           REAL NOT NULL,
    lead_time_days     REAL NOT NULL,
    lead_time_std_days REAL NOT NULL,
    unit_cost          REAL NOT NULL,
    holding_cost_rate  REAL NOT NULL,
    order_cost         REAL NOT NULL,
    moq                REAL NOT NULL,
    case_pack          REAL NOT NULL
);

CREATE TABLE import_orders (
    seq INTEGER PRIMARY KEY,
    order_id   TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    status     TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    total      REAL NOT NULL
);

CREATE TABLE import_order_lines (
    seq INTEGER PRIMARY KEY,
    order_id TEXT NOT NULL,
    line_no  INTEGER NOT NULL,
    item_id  TEXT NOT NULL,
    quantity REAL NOT NULL,
    price    REAL NOT NULL
);

CREATE TABLE import_faq (
    seq INTEGER PRIMARY KEY,
    faq_id   TEXT NOT NULL,
    question TEXT NOT NULL,
    answer   TEXT NOT NULL,
    intent   TEXT
);

CREATE TABLE import_intents (
    seq INTEGER PRIMARY KEY,
    example_id TEXT NOT NULL,
    text       TEXT NOT NULL,
    intent     TEXT NOT NULL
);

CREATE TABLE import_series (
    seq INTEGER PRIMARY KEY,
    series_id TEXT NOT NULL,
    t         INTEGER NOT NULL,
    value     REAL NOT NULL
);

-- Staged lines are found by their order (an order staged again replaces its lines).
CREATE INDEX import_order_lines_order ON import_order_lines (order_id);
