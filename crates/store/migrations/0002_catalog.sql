-- Catalog snapshots, the operator's mapping decisions, the matcher's latest results and the sync history.
-- Money is TEXT holding a decimal ("19.90"), never REAL: a binary float cannot hold 0.10 exactly, and a
-- price that drifts by a cent on each round trip would be "changed" on every sync.

-- One row per catalog read. A delta read asks the store only for what changed since the previous
-- read's `cursor` (BigCommerce `date_modified:min`, Shopify `updated_at:>`), so the cursor is kept
-- with the time the read was taken. Old rows are pruned; the latest full read per system is kept.
CREATE TABLE catalog_reads (
    id        INTEGER PRIMARY KEY,
    system    TEXT NOT NULL CHECK (system IN ('bigcommerce', 'shopify')),
    scope     TEXT NOT NULL CHECK (scope IN ('full', 'delta')),
    taken_at  TEXT NOT NULL,
    cursor    TEXT,
    variants  INTEGER NOT NULL CHECK (variants >= 0)
);
CREATE INDEX catalog_reads_latest ON catalog_reads (system, scope, id);

-- The BigCommerce catalog as last read, one row per variant, so a delta read only has to fetch what
-- changed and matching can run without calling the store. `read_id` is the read that last wrote the
-- row: a full read removes every row it did not write, which is how vanished variants disappear.
-- The product's price is kept beside the variant's because a variant without its own price sells at it.
CREATE TABLE bigcommerce_variants (
    variant_id     INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    upc            TEXT NOT NULL,
    gtin           TEXT NOT NULL,
    product_price  TEXT NOT NULL,
    price          TEXT,
    sale_price     TEXT,
    title          TEXT NOT NULL,
    options        TEXT NOT NULL,  -- JSON [[name, value], ...], in the store's order
    date_modified  TEXT,
    read_id        INTEGER NOT NULL
);
CREATE INDEX bigcommerce_variants_product ON bigcommerce_variants (product_id);

-- The Shopify catalog as last read; ids are GIDs kept exactly as read. `inventory_item_id` is what
-- inventory writes address, so it is kept to avoid a lookup per write.
CREATE TABLE shopify_variants (
    variant_id         TEXT PRIMARY KEY,
    product_id         TEXT NOT NULL,
    inventory_item_id  TEXT NOT NULL,
    sku                TEXT NOT NULL,
    barcode            TEXT NOT NULL,
    price              TEXT NOT NULL,
    compare_at_price   TEXT,
    title              TEXT NOT NULL,
    options            TEXT NOT NULL,  -- JSON [[name, value], ...], in the store's order
    updated_at         TEXT,
    read_id            INTEGER NOT NULL
);
CREATE INDEX shopify_variants_product ON shopify_variants (product_id);

-- What the operator decided. Automatic matching never overrides these, so a re-match after a catalog
-- change cannot undo a person's work. A link or unlink names both variants; an ignore names exactly one.
CREATE TABLE mapping_decisions (
    id                      INTEGER PRIMARY KEY,
    kind                    TEXT NOT NULL CHECK (kind IN ('link', 'unlink', 'ignore')),
    bigcommerce_variant_id  INTEGER,
    shopify_variant_id      TEXT,
    decided_at              TEXT NOT NULL,
    CHECK (CASE kind
        WHEN 'ignore' THEN (bigcommerce_variant_id IS NULL) <> (shopify_variant_id IS NULL)
        ELSE bigcommerce_variant_id IS NOT NULL AND shopify_variant_id IS NOT NULL
    END)
);
-- A plain UNIQUE would treat the NULL side of an ignore as distinct from every other NULL, letting the
-- same ignore be stored twice; the COALESCEs make the missing side compare equal. BigCommerce ids start
-- at 1 and Shopify ids are GIDs, so 0 and '' never collide with a real id.
CREATE UNIQUE INDEX mapping_decisions_unique
    ON mapping_decisions (kind, COALESCE(bigcommerce_variant_id, 0), COALESCE(shopify_variant_id, ''));

-- The matcher's latest result, one row per record, so the mapping screen can page, filter and search
-- 100,000 records without re-running the matcher or holding them all in memory. Replaced whole after
-- each match. Side columns are NULL when the record has no variant on that side.
CREATE TABLE mapping_records (
    id             INTEGER PRIMARY KEY,
    class          TEXT NOT NULL CHECK (class IN ('matched', 'ambiguous', 'conflict', 'unmatched', 'ignored')),
    -- The screen lists the records needing attention first; a number sorts and indexes that order.
    -- A plain column (the CHECK keeps it in step with `class`) rather than a generated one, because
    -- SQLite never reads a generated column from an index alone, and counting by class should.
    class_rank     INTEGER NOT NULL CHECK (class_rank = CASE class
                       WHEN 'unmatched' THEN 0 WHEN 'conflict' THEN 1 WHEN 'ambiguous' THEN 2
                       WHEN 'matched' THEN 3 ELSE 4 END),
    match_key      TEXT,
    reason         TEXT NOT NULL,
    flags          TEXT NOT NULL,  -- JSON ["...", ...]
    decided        INTEGER NOT NULL CHECK (decided IN (0, 1)),
    bc_product_id  INTEGER,
    bc_variant_id  INTEGER,
    bc_sku         TEXT COLLATE NOCASE,
    bc_barcode     TEXT,
    bc_title       TEXT COLLATE NOCASE,
    bc_options     TEXT,
    sh_product_id  TEXT,
    sh_variant_id  TEXT,
    sh_sku         TEXT COLLATE NOCASE,
    sh_barcode     TEXT,
    sh_title       TEXT COLLATE NOCASE,
    sh_options     TEXT,
    -- Lowercased SKUs, barcodes and titles of both sides, separated by newlines so a search cannot
    -- match across two fields; a substring test on one column is what the search box needs.
    search         TEXT NOT NULL
);
-- The screen's order, so a page is read straight off the index instead of sorting 100,000 rows.
-- Titles and SKUs sort without regard to case, as a person reading the list expects. `search` rides
-- along so a search is tested on the index entry, and only the rows that match are fetched.
CREATE INDEX mapping_records_order
    ON mapping_records (class_rank, bc_title, bc_sku, sh_title, sh_sku, id, search);

-- One row per sync run, dry or not, so the screen can show the last run's outcome after a restart.
-- `phase` names are the engine's; a run with no `finished_at` was interrupted (see
-- Store::interrupted_sync_runs_to_failed). Old runs are pruned.
CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY,
    mode         TEXT NOT NULL CHECK (mode IN ('full', 'delta')),
    dry_run      INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    phase        TEXT NOT NULL,
    error        TEXT,
    changes      INTEGER NOT NULL DEFAULT 0 CHECK (changes >= 0),
    written      INTEGER NOT NULL DEFAULT 0 CHECK (written >= 0),
    failed       INTEGER NOT NULL DEFAULT 0 CHECK (failed >= 0),
    -- Renewed while the run is alive. Another process (the CLI beside the window) must not start a
    -- second sync over a live one, nor mistake a live one for a crashed one.
    heartbeat_at TEXT
);

-- Every field change a run planned, in plan order (`seq`): the preview of a dry run and the record
-- of a real one. Only the latest runs keep theirs, since a full sync can plan 100,000 changes.
CREATE TABLE sync_changes (
    run_id                  INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    seq                     INTEGER NOT NULL,
    bigcommerce_variant_id  INTEGER NOT NULL,
    shopify_variant_id      TEXT NOT NULL,
    title                   TEXT NOT NULL,
    sku                     TEXT NOT NULL,
    field                   TEXT NOT NULL,
    direction               TEXT NOT NULL,
    old                     TEXT,
    new                     TEXT,
    PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
