-- The runtime: a queue keyed by the work each job does, leases that tell a live process from a dead
-- one, per-store lanes, per-capability runs, and each attempt of each job for the timeline.

-- Jobs are rebuilt: the state list grows (superseded, skipped, cancelled), which a CHECK cannot be
-- altered to allow.
CREATE TABLE jobs_v4 (
    id               INTEGER PRIMARY KEY,
    -- The payload's variant ("catalog_write", later "stock_write", "pos_order"): what reads it.
    kind             TEXT NOT NULL,
    capability       TEXT NOT NULL CHECK (capability IN ('catalog', 'stock', 'orders')),
    -- The store whose lane runs the job.
    lane             TEXT NOT NULL CHECK (lane IN ('bigcommerce', 'shopify')),
    -- What the job changes ("product:gid://shopify/ProductVariant/1:price"); ids only, never a value.
    entity_key       TEXT NOT NULL,
    -- The entity plus a digest of what is written: the same work planned twice is one job.
    idempotency_key  TEXT NOT NULL,
    payload          TEXT NOT NULL,
    -- The job in plain words, for the Failed list; product identifiers only, never personal data.
    summary          TEXT NOT NULL,
    -- Higher goes first within a lane: orders, then stock, then catalog.
    priority         INTEGER NOT NULL DEFAULT 0,
    -- The run that planned it (NULL for work from elsewhere, such as an event).
    run_id           INTEGER,
    -- Every audit row of this job's requests carries it, so one item's history is one query.
    correlation_id   TEXT GENERATED ALWAYS AS ('job-' || id) VIRTUAL,
    state            TEXT NOT NULL CHECK (state IN
                         ('pending', 'running', 'done', 'failed', 'dead', 'superseded', 'skipped', 'cancelled')),
    attempts         INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_attempt_at  TEXT NOT NULL,
    last_error       TEXT,
    -- Set when a process died with the job's request in flight: the request may have landed, so
    -- the executor checks before sending it again where the store offers no idempotency.
    in_doubt         INTEGER NOT NULL DEFAULT 0 CHECK (in_doubt IN (0, 1)),
    -- The process running it ("host/pid/start/instance") and until when its claim holds. Only an
    -- expired claim, or one whose process is provably gone, is taken back.
    lease_owner      TEXT,
    lease_expires_at TEXT,
    superseded_by    INTEGER,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK ((state = 'running') = (lease_owner IS NOT NULL))
);

-- Jobs from before the work-keyed queue carried whole batches under run-scoped keys; they cannot be
-- replayed as single items. Finished ones are kept for the record; unfinished ones are marked
-- superseded with the reason (every product write is absolute, and the next full sync plans again
-- whatever is still needed).
INSERT INTO jobs_v4 (id, kind, capability, lane, entity_key, idempotency_key, payload, summary, priority,
                     state, attempts, next_attempt_at, last_error, created_at, updated_at)
SELECT id, kind, 'catalog',
       CASE WHEN payload LIKE '%"kind":"bigcommerce%' THEN 'bigcommerce' ELSE 'shopify' END,
       'legacy:' || idempotency_key, idempotency_key, payload, 'a product write from before the upgrade', 10,
       CASE WHEN state = 'done' THEN 'done' ELSE 'superseded' END,
       attempts, next_attempt_at,
       CASE WHEN state = 'done' THEN last_error
            ELSE 'replaced at the upgrade to the work-keyed queue; run a full sync to send what is still needed' END,
       created_at, updated_at
FROM jobs;

DROP TABLE jobs;
ALTER TABLE jobs_v4 RENAME TO jobs;

-- The same work is one job while it is unfinished. A finished job does not block the same value
-- being written again later (a price changed back and forth).
CREATE UNIQUE INDEX jobs_one_active_per_key ON jobs (idempotency_key)
    WHERE state IN ('pending', 'running', 'failed', 'dead');
-- At most one queued job per entity: a newer plan supersedes an older one that has not gone out.
-- A running job may coexist with one queued successor, which waits until it finishes.
CREATE UNIQUE INDEX jobs_one_queued_per_entity ON jobs (entity_key) WHERE state IN ('pending', 'failed', 'dead');
CREATE INDEX jobs_due ON jobs (lane, state, priority DESC, next_attempt_at, id);
CREATE INDEX jobs_entity ON jobs (entity_key, id);
CREATE INDEX jobs_run ON jobs (run_id, state);
CREATE INDEX jobs_lease ON jobs (lease_owner) WHERE lease_owner IS NOT NULL;

-- Each attempt of each job: when, in which request (`request_id` is the audit rows' correlation
-- id), and what came of it. The timeline of an item is this table joined with the audit log.
CREATE TABLE job_attempts (
    id           INTEGER PRIMARY KEY,
    job_id       INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
    attempt      INTEGER NOT NULL CHECK (attempt >= 1),
    request_id   TEXT NOT NULL,
    started_at   TEXT NOT NULL,
    finished_at  TEXT NOT NULL,
    -- done, retry, refused, in_doubt (the process died mid-request), cancelled, superseded, skipped
    outcome      TEXT NOT NULL,
    message      TEXT
);
CREATE INDEX job_attempts_job ON job_attempts (job_id, id);

-- One lane per store, across processes: only the holder runs that store's jobs, so two processes
-- never spend one store's quota against each other.
CREATE TABLE lane_leases (
    lane        TEXT PRIMARY KEY CHECK (lane IN ('bigcommerce', 'shopify')),
    owner       TEXT NOT NULL,
    expires_at  TEXT NOT NULL
);

-- Runs belong to a capability, name what started them, and hold a lease of their own.
ALTER TABLE sync_runs ADD COLUMN capability TEXT NOT NULL DEFAULT 'catalog'
    CHECK (capability IN ('catalog', 'stock', 'orders'));
ALTER TABLE sync_runs ADD COLUMN trigger TEXT NOT NULL DEFAULT 'manual' CHECK (trigger IN ('manual', 'scheduled'));
ALTER TABLE sync_runs ADD COLUMN owner TEXT;
ALTER TABLE sync_runs ADD COLUMN superseded INTEGER NOT NULL DEFAULT 0 CHECK (superseded >= 0);
-- Why a scheduled run waits for a person instead of writing (phase 'needs_approval').
ALTER TABLE sync_runs ADD COLUMN approval_reason TEXT;
ALTER TABLE sync_runs ADD COLUMN cancel_requested INTEGER NOT NULL DEFAULT 0 CHECK (cancel_requested IN (0, 1));
CREATE INDEX sync_runs_capability ON sync_runs (capability, id);

-- Each planned change points at the job that carries it, so the diff can show its result.
ALTER TABLE sync_changes ADD COLUMN job_id INTEGER;

-- Store health reads each store's latest requests.
CREATE INDEX audit_log_system ON audit_log (system, id);
