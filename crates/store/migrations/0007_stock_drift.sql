-- What each stock validation (a full check of every cell) found out of step, kept for the drift
-- report. Migrations are append-only, so the stock capability's later tables come here rather than
-- in 0005. Ids and quantities only.

-- One validation, including those that found nothing: the chart of drift per validation needs them.
CREATE TABLE stock_validations (
    id           INTEGER PRIMARY KEY,
    checked_at   TEXT NOT NULL,
    cells        INTEGER NOT NULL CHECK (cells >= 0),
    drifted      INTEGER NOT NULL CHECK (drifted >= 0)
);

-- One drifted cell at one validation. `seen_*` counts our writes a read did not show yet.
CREATE TABLE stock_drift (
    validation_id            INTEGER NOT NULL REFERENCES stock_validations (id) ON DELETE CASCADE,
    pair_id                  INTEGER NOT NULL,
    location                 TEXT NOT NULL,
    bigcommerce_variant_id   INTEGER NOT NULL,
    shopify_item_id          TEXT NOT NULL,
    label                    TEXT NOT NULL,
    base_bigcommerce         INTEGER NOT NULL,
    base_shopify             INTEGER NOT NULL,
    seen_bigcommerce         INTEGER NOT NULL,
    seen_shopify             INTEGER NOT NULL,
    reason                   TEXT NOT NULL CHECK (reason IN ('failed_write', 'negative', 'outside_change')),
    action                   TEXT NOT NULL CHECK (action IN ('carried', 'overwritten', 'conflict', 'absorbed')),
    PRIMARY KEY (validation_id, pair_id, bigcommerce_variant_id, shopify_item_id)
);
