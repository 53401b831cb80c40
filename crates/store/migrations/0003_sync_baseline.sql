-- The catalog as of the last sync that wrote (not a dry run). A delta sync pushes a field only when
-- its owner changed it since this baseline, which is what keeps an edit on the non-owning side from
-- being reverted by a delta: only a full sync compares everything.
-- Kept apart from the snapshot tables because a dry run refreshes the snapshot; if it moved the
-- baseline too, the next real sync would no longer see the changes the preview showed.
CREATE TABLE bigcommerce_baseline (
    variant_id     INTEGER PRIMARY KEY,
    product_id     INTEGER NOT NULL,
    sku            TEXT NOT NULL,
    upc            TEXT NOT NULL,
    gtin           TEXT NOT NULL,
    product_price  TEXT NOT NULL,
    price          TEXT,
    sale_price     TEXT,
    title          TEXT NOT NULL,
    options        TEXT NOT NULL,
    date_modified  TEXT,
    read_id        INTEGER NOT NULL
);

CREATE TABLE shopify_baseline (
    variant_id         TEXT PRIMARY KEY,
    product_id         TEXT NOT NULL,
    inventory_item_id  TEXT NOT NULL,
    sku                TEXT NOT NULL,
    barcode            TEXT NOT NULL,
    price              TEXT NOT NULL,
    compare_at_price   TEXT,
    title              TEXT NOT NULL,
    options            TEXT NOT NULL,
    updated_at         TEXT,
    read_id            INTEGER NOT NULL
);

-- Where the next delta read starts, per store: the latest modification time the last syncing read saw
-- (the store's own clock, so skew between this machine and the store cannot skip a change).
CREATE TABLE sync_cursors (
    system     TEXT PRIMARY KEY CHECK (system IN ('bigcommerce', 'shopify')),
    cursor     TEXT,
    synced_at  TEXT NOT NULL
);

-- The pairs the last sync that wrote had matched. The matcher keeps them paired while both variants
-- exist (unless the operator says otherwise), so a synced field that changes on its owner's side (a
-- barcode) is carried over by the next sync instead of turning the pair into a conflict.
CREATE TABLE synced_pairs (
    bigcommerce_variant_id  INTEGER NOT NULL,
    shopify_variant_id      TEXT NOT NULL,
    PRIMARY KEY (bigcommerce_variant_id, shopify_variant_id)
);
