-- Webhook deliveries received, and privacy requests honoured. Ids only: a delivery is recorded by
-- its source's own id (Shopify's X-Shopify-Event-Id, BigCommerce's webhook-id), its topic and the id
-- of the resource it names; its body is never stored. A privacy request keeps no email, name or id of
-- the customer it was about.

CREATE TABLE webhook_inbox (
    id             INTEGER PRIMARY KEY,
    source         TEXT NOT NULL CHECK (source IN ('shopify', 'bigcommerce')),
    -- The source's id for the event, shared by its retries: the dedupe key.
    delivery_key   TEXT NOT NULL,
    topic          TEXT NOT NULL,
    -- "order 1001", "inventory_item 808950810": the resource the hook names, re-read, never trusted.
    resource       TEXT,
    triggered_at   TEXT,
    received_at    TEXT NOT NULL,
    -- What the delivery woke: "stock", "orders", "privacy", or "nothing" (with why in `note`).
    woke           TEXT NOT NULL,
    note           TEXT,
    UNIQUE (source, delivery_key)
);
CREATE INDEX webhook_inbox_received ON webhook_inbox (received_at);

CREATE TABLE privacy_requests (
    id             INTEGER PRIMARY KEY,
    kind           TEXT NOT NULL CHECK (kind IN ('redact_customer', 'export_customer', 'redact_shop')),
    -- "webhook" or "cli".
    origin         TEXT NOT NULL,
    received_at    TEXT NOT NULL,
    -- What was done, in counts: {"customer_links": 1, "newsletter_subscriptions": 0, …}.
    outcome        TEXT NOT NULL
);
