-- POS orders carried into BigCommerce, their refunds, and the customers matched for them. Ids,
-- amounts and a salted email hash only: names, emails and addresses stay in the stores' APIs.

-- One row per Shopify POS order, written before the create is sent ('creating'), so a process that
-- dies mid-create knows to look the order up by external_order_id instead of sending it again.
CREATE TABLE order_links (
    shopify_order_gid   TEXT PRIMARY KEY,
    -- "#1001", to name the order to a person.
    name                TEXT NOT NULL,
    -- 'skipped': a person chose not to carry it; nothing is sent for it again.
    state               TEXT NOT NULL CHECK (state IN ('creating', 'created', 'needs_attention', 'skipped')),
    bigcommerce_order_id INTEGER UNIQUE,
    -- Shopify's total and BigCommerce's, as decimal text, so a screen can show they agree.
    shopify_total       TEXT,
    bigcommerce_total   TEXT,
    currency            TEXT,
    -- What the last update sent (status, payment method, notes), so an edit sends only a change.
    sent_digest         TEXT,
    -- The Shopify order's version last carried (a digest of its updatedAt, statuses, payments
    -- and refunds: updatedAt alone has whole seconds, and an edit can share the sale's second).
    -- Polling the same version again does nothing.
    seen_version        TEXT,
    seen_updated_at     TEXT,
    -- JSON: Shopify line gid → BigCommerce order product id, which refunds name.
    line_map            TEXT NOT NULL DEFAULT '{}',
    -- Lines sent as custom lines because their variant is not matched (flagged to a person).
    unmatched_lines     INTEGER NOT NULL DEFAULT 0,
    retail_location_gid TEXT,
    processed_at        TEXT,
    reason              TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX order_links_state ON order_links (state);
CREATE INDEX order_links_processed ON order_links (processed_at);

-- One row per Shopify refund; 'sending' is written before the request, for the same reason.
CREATE TABLE refund_links (
    shopify_refund_gid  TEXT PRIMARY KEY,
    shopify_order_gid   TEXT NOT NULL REFERENCES order_links (shopify_order_gid) ON DELETE CASCADE,
    state               TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'no_money', 'needs_attention')),
    bigcommerce_refund_id INTEGER UNIQUE,
    amount              TEXT NOT NULL,
    reason              TEXT,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
);
CREATE INDEX refund_links_order ON refund_links (shopify_order_gid);

-- A Shopify customer and the BigCommerce customer their orders go to. The email is kept only as a
-- salted hash, enough to tell that a customer's email changed without storing it.
CREATE TABLE customer_links (
    shopify_customer_gid    TEXT PRIMARY KEY,
    bigcommerce_customer_id INTEGER NOT NULL,
    email_hash              TEXT,
    created_at              TEXT NOT NULL
);
CREATE INDEX customer_links_email ON customer_links (email_hash);

-- The stock cells an order being created will lower in BigCommerce (its default location), held
-- from the stock planner until the order's decrement is folded into their bases: written with the
-- 'creating' link, removed in the transaction that records the order as created.
CREATE TABLE order_stock_holds (
    shopify_order_gid       TEXT NOT NULL,
    pair_id                 INTEGER NOT NULL REFERENCES location_pairs (id) ON DELETE CASCADE,
    bigcommerce_variant_id  INTEGER NOT NULL,
    shopify_item_id         TEXT NOT NULL,
    quantity                INTEGER NOT NULL CHECK (quantity > 0),
    PRIMARY KEY (shopify_order_gid, pair_id, bigcommerce_variant_id, shopify_item_id)
);

-- Shopify customers whose marketing consent was carried to BigCommerce's newsletter: carried once.
CREATE TABLE newsletter_subscriptions (
    shopify_customer_gid    TEXT PRIMARY KEY,
    subscribed_at           TEXT NOT NULL
);
