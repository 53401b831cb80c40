// Generated from the Rust types by crates/engine/tests/ts_types.rs; do not edit by hand.
// Regenerate: TILLBRIDGE_WRITE_TS=1 cargo test -p tillbridge-engine --test ts_types

export type System = "bigcommerce" | "shopify";

export type Lane = "bigcommerce" | "shopify";

export type Capability = "catalog" | "stock" | "orders";

export type Scope = "full" | "delta";

export type Trigger = "manual" | "scheduled";

export type JobState = "pending" | "running" | "done" | "failed" | "dead" | "superseded" | "skipped" | "cancelled";

export type GuardRails = { 
/**
 * At most this many field changes are written without approval.
 */
max_changes: number, 
/**
 * No price may change by more than this percentage without approval.
 */
max_price_change_pct: number, };

export type HealthState = "unknown" | "healthy" | "degraded" | "down";

export type StoreHealth = { system: System, state: HealthState, 
/**
 * What the state rests on, for a person.
 */
detail: string, last_request_at: string | null, last_status: number | null, };

export type RunResult = "running" | "done" | "done_with_failures" | "failed" | "cancelled" | "needs_approval";

export type RunView = { id: number, capability: Capability, mode: Scope, dry_run: boolean, trigger: Trigger, started_at: string, finished_at: string | null, duration_ms: number | null, phase: string, changes: number, written: number, failed: number, superseded: number, result: RunResult, error: string | null, approval_reason: string | null, };

export type RunsView = { total: number, runs: Array<RunView>, };

export type FailedJobView = { id: number, capability: Capability, lane: Lane, entity_key: string, state: JobState, 
/**
 * "Shopify refused the barcode 0123 on TB-1-RED-M: barcode already used".
 */
sentence: string, 
/**
 * The store's own words (or the transport's), as recorded on the last attempt.
 */
message: string | null, attempts: number, 
/**
 * When it goes out again by itself; None when it waits for a person.
 */
next_attempt_at: string | null, run_id: number | null, correlation_id: string, updated_at: string, };

export type FailedView = { total: number, jobs: Array<FailedJobView>, };

export type AttemptRequest = { at: string, method: string, endpoint: string, status: number | null, outcome: string, duration_ms: number, };

export type AttemptRecord = { attempt: number, request_id: string, started_at: string, finished_at: string, outcome: string, message: string | null, 
/**
 * Each HTTP request of the attempt (client retries included): status and outcome, in order.
 */
requests: Array<AttemptRequest>, };

export type JobTimelineView = { job: FailedJobView, attempts: Array<AttemptRecord>, };

export type RetryRequest = { ids: Array<number>, all: boolean, };

export type SkipRequest = { ids: Array<number>, };

export type QueueActionView = { ids: Array<number>, 
/**
 * Asked for but left alone: a newer job for the same item is queued, or the job is not in a
 * state the action applies to.
 */
left: Array<number>, };

export type CancelRequest = { capability: Capability, };

export type CancelView = { 
/**
 * The run asked to stop; None when none was running.
 */
run_id: number | null, };

export type PauseView = { paused: boolean, };

export type ScheduleRequest = { at: string | null, time_zone: string | null, guard: GuardRails | null, };

export type ScheduleView = { enabled: boolean, at: string | null, time_zone: string | null, guard: GuardRails, next_run_at: string | null, last_fired_at: string | null, };
