-- Foundation: settings, store identities, the audit trail and the durable job queue.
-- Times are UTC RFC 3339 with milliseconds ("2026-11-27T10:23:54.123Z"), so text order is time order.

CREATE TABLE schema_history (
    version     INTEGER PRIMARY KEY,
    name        TEXT NOT NULL,
    applied_at  TEXT NOT NULL
);

-- Values are JSON so a setting can be a number, a list or an object without another table.
CREATE TABLE settings (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);

-- Store identities only. The token lives in the OS keychain under `secret_ref`.
CREATE TABLE connections (
    id           INTEGER PRIMARY KEY,
    system       TEXT NOT NULL CHECK (system IN ('bigcommerce', 'shopify')),
    name         TEXT NOT NULL,
    api_url      TEXT NOT NULL,
    store_ref    TEXT NOT NULL,
    api_version  TEXT,
    secret_ref   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL,
    verified_at  TEXT,
    UNIQUE (system, store_ref)
);

-- One row per API call or webhook. `endpoint` is a template ("/v3/catalog/products/{id}"),
-- never a concrete URL, so no id, email or query value lands here.
CREATE TABLE audit_log (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    at              TEXT NOT NULL,
    system          TEXT NOT NULL CHECK (system IN ('bigcommerce', 'shopify')),
    direction       TEXT NOT NULL CHECK (direction IN ('outbound', 'inbound')),
    method          TEXT NOT NULL,
    endpoint        TEXT NOT NULL,
    status          INTEGER,
    duration_ms     INTEGER NOT NULL CHECK (duration_ms >= 0),
    attempt         INTEGER NOT NULL CHECK (attempt >= 1),
    correlation_id  TEXT NOT NULL,
    outcome         TEXT NOT NULL CHECK (outcome IN
                        ('success', 'rate_limited', 'retryable_error', 'permanent_error', 'rejected')),
    budget_left     INTEGER
);
CREATE INDEX audit_log_at ON audit_log (at);
CREATE INDEX audit_log_correlation ON audit_log (correlation_id);

-- The trail is evidence: once written, a row is never changed or removed.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

-- The durable outbox and retry queue. The UNIQUE idempotency key is what makes
-- "the same event twice" collapse into one job, across crashes and duplicate webhooks.
CREATE TABLE jobs (
    id               INTEGER PRIMARY KEY,
    kind             TEXT NOT NULL,
    payload          TEXT NOT NULL,
    idempotency_key  TEXT NOT NULL UNIQUE,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'running', 'done', 'failed', 'dead')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (state, next_attempt_at);
