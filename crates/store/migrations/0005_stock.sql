-- Stock per location: which BigCommerce location is synced with which Shopify location and under
-- which rules, the bookkeeping of every item at every pair, and the conflicts a person decides.

-- Each location appears in at most one pair; unmapped locations are left alone.
CREATE TABLE location_pairs (
    id                       INTEGER PRIMARY KEY,
    bigcommerce_location_id  INTEGER NOT NULL UNIQUE,
    shopify_location_id      TEXT NOT NULL UNIQUE,
    -- "Downtown ↔ Downtown store", as the stores named them when the pair was made.
    name                     TEXT NOT NULL,
    owner                    TEXT NOT NULL CHECK (owner IN ('bigcommerce', 'shopify', 'both')),
    same_window              TEXT NOT NULL CHECK (same_window IN ('merge', 'owner-wins', 'manual')),
    hold_back                INTEGER NOT NULL DEFAULT 0 CHECK (hold_back >= 0),
    cap                      INTEGER CHECK (cap IS NULL OR cap >= 0),
    created_at               TEXT NOT NULL,
    updated_at               TEXT NOT NULL
);

-- One item (a matched variant pair) at one location pair. The bases are what each side showed when
-- the cell last converged plus what has been carried since; each landed write adds to them. See
-- tillbridge_domain::stock::Ledger.
CREATE TABLE stock_cells (
    pair_id                  INTEGER NOT NULL REFERENCES location_pairs (id) ON DELETE CASCADE,
    bigcommerce_variant_id   INTEGER NOT NULL,
    shopify_item_id          TEXT NOT NULL,
    label                    TEXT NOT NULL,
    base_bigcommerce         INTEGER,
    base_shopify             INTEGER,
    version_bigcommerce      INTEGER NOT NULL DEFAULT 0,
    version_shopify          INTEGER NOT NULL DEFAULT 0,
    echo_bigcommerce_before  INTEGER,
    echo_bigcommerce_adjust  INTEGER,
    echo_bigcommerce_until   TEXT,
    echo_shopify_before      INTEGER,
    echo_shopify_adjust      INTEGER,
    echo_shopify_until       TEXT,
    decided                  INTEGER NOT NULL DEFAULT 0 CHECK (decided IN (0, 1)),
    revision                 INTEGER NOT NULL DEFAULT 0,
    -- The last read of each side, for the Inventory view.
    seen_bigcommerce         INTEGER,
    seen_shopify             INTEGER,
    seen_at                  TEXT,
    -- When a read last showed a change on either side.
    changed_at               TEXT,
    PRIMARY KEY (pair_id, bigcommerce_variant_id, shopify_item_id)
);
CREATE INDEX stock_cells_label ON stock_cells (label);

-- Both sides changed in the same window under the `manual` rule. The item's writes wait until a
-- person decides; the decision is kept for the audit.
CREATE TABLE stock_conflicts (
    id                       INTEGER PRIMARY KEY,
    pair_id                  INTEGER NOT NULL REFERENCES location_pairs (id) ON DELETE CASCADE,
    bigcommerce_variant_id   INTEGER NOT NULL,
    shopify_item_id          TEXT NOT NULL,
    label                    TEXT NOT NULL,
    base_bigcommerce         INTEGER NOT NULL,
    base_shopify             INTEGER NOT NULL,
    seen_bigcommerce         INTEGER NOT NULL,
    seen_shopify             INTEGER NOT NULL,
    -- Why it was raised: "same_window", or "in_doubt" for a write that may or may not have landed.
    reason                   TEXT NOT NULL,
    state                    TEXT NOT NULL CHECK (state IN ('open', 'resolved')),
    resolution               TEXT,
    stock                    INTEGER,
    raised_at                TEXT NOT NULL,
    resolved_at              TEXT
);
CREATE UNIQUE INDEX stock_conflicts_one_open
    ON stock_conflicts (pair_id, bigcommerce_variant_id, shopify_item_id) WHERE state = 'open';
