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

export type Health = { version: string, schema_version: number, };

export type DatabaseView = { path: string, };

export type SecretStoreKind = "keychain" | "file" | "memory";

export type SecretStoreView = { kind: SecretStoreKind, description: string, ok: boolean, problem: string | null, };

export type ConnectionView = { system: System, name: string, store_ref: string, api_url: string, api_version: string | null, verified_at: string | null, has_secret: boolean, 
/**
 * The store's IANA time zone, as its connection check read it; none when it gave none.
 */
time_zone: string | null, };

export type TimeZoneSource = "bigcommerce" | "shopify" | "machine";

export type StoreTimeZone = { zone: string, source: TimeZoneSource, };

export type Status = { version: string, schema_version: number, database: DatabaseView, secret_store: SecretStoreView, connections: Array<ConnectionView>, 
/**
 * Each store's health, from its latest requests.
 */
health: Array<StoreHealth>, 
/**
 * The kill switch: outgoing writes are paused.
 */
paused: boolean, 
/**
 * Jobs waiting for a person (dead) or for their next attempt (failed).
 */
failed_jobs: number, 
/**
 * The zone the screens show times in: BigCommerce's, else Shopify's, else this computer's.
 */
time_zone: StoreTimeZone, };

export type CheckState = "ok" | "warn" | "fail";

export type Check = { name: string, state: CheckState, detail: string, fix: string | null, };

export type DoctorReport = { 
/**
 * False when any check failed; warnings alone leave it true.
 */
healthy: boolean, checks: Array<Check>, };

export type Field = "title" | "price" | "sale_price" | "barcode" | "sku";

export type Owner = "bigcommerce" | "shopify" | "none";

export type Ownership = { title: Owner, price: Owner, sale_price: Owner, barcode: Owner, sku: Owner, };

export type Direction = "bigcommerce_to_shopify" | "shopify_to_bigcommerce";

export type ChangeCount = { field: Field, direction: Direction, changes: number, };

export type SyncRequest = { mode: Scope, dry_run: boolean, 
/**
 * The person saw the price moves the preview flagged (beyond the guard rails' price limit)
 * and wants them written. Without it a Full sync with flagged moves is refused.
 */
accept_price_changes: boolean, };

export type SyncPhase = "idle" | "reading_bigcommerce" | "reading_shopify" | "matching" | "planning" | "writing" | "done" | "failed" | "cancelled";

export type SyncSummary = { changes: number, written: number, 
/**
 * Failed or refused: each waits in the Failed view with its reason.
 */
failed: number, 
/**
 * Replaced by a newer plan for the same field, or cancelled before they went out.
 */
superseded: number, 
/**
 * Still queued when the run stopped following them (writes paused, or retries due later).
 */
queued: number, by_kind: Array<ChangeCount>, };

export type WaitCause = "not_answering" | "rate_limited";

export type StoreWait = { system: System, cause: WaitCause, until: string, 
/**
 * Whole seconds from the answer to `until`, rounded up, so a wait never reads "0 s".
 */
seconds_left: number, };

export type SyncProgress = { running: boolean, run_id: number | null, mode: Scope | null, dry_run: boolean, phase: SyncPhase, done: number, total: number, eta_s: number | null, started_at: string | null, finished_at: string | null, error: string | null, 
/**
 * Set when a run stopped before writing: why it waits for a person's approval.
 */
approval_reason: string | null, summary: SyncSummary | null, 
/**
 * While a run goes: what a store's client is waiting on right now (no answer, or a rate
 * limit), which an estimate cannot tell. None when nothing holds the requests back.
 */
waiting: StoreWait | null, 
/**
 * The planned changes: each is one field of one item. `done` and `total` count writes while
 * writing (one write may carry several changes of an item), and variants read before.
 */
changes: number | null, };

export type FlaggedPriceChange = { 
/**
 * Names the field written; with `new`, what the person accepted.
 */
entity_key: string, bigcommerce_variant_id: number, shopify_variant_id: string, sku: string, title: string, field: Field, direction: Direction, old: string | null, new: string | null, 
/**
 * The move in whole percent of the old price, signed: -94 is a 94 % cut.
 */
pct: number, };

export type Staleness = { what: string, changed_at: string | null, };

export type StockOwner = "bigcommerce" | "shopify" | "both";

export type SameWindow = "merge" | "owner-wins" | "manual";

export type StockCounts = { cells: number, in_step: number, writes: number, conflicts: number, held: number, first_alignments: number, oversold: number, };

export type StoreLocation = { id: string, name: string, active: boolean, 
/**
 * "12 Harbour Street, Boston 02101", when the store gives a street address.
 */
address: string | null, };

export type SuggestedBy = "name" | "address";

export type LocationSuggestion = { bigcommerce_location_id: number, shopify_location_id: string, 
/**
 * "Main Warehouse ↔ Main Warehouse", as the pair would be named.
 */
name: string, by: SuggestedBy, };

export type LocationPairView = { id: number, bigcommerce_location_id: number, shopify_location_id: string, name: string, owner: StockOwner, same_window: SameWindow, hold_back: number, cap: number | null, };

export type LocationsView = { bigcommerce: Array<StoreLocation>, shopify: Array<StoreLocation>, pairs: Array<LocationPairView>, 
/**
 * Locations not paired yet that look like one place, for the operator to confirm.
 */
suggestions: Array<LocationSuggestion>, };

export type LocationRules = { owner: StockOwner, same_window: SameWindow, hold_back: number, cap: number | null, };

export type MapLocationsRequest = { bigcommerce_location_id: number, 
/**
 * A Shopify location GID, or its number.
 */
shopify_location_id: string, owner: StockOwner, same_window: SameWindow, hold_back: number, cap: number | null, };

export type LocationRulesRequest = { id: number, owner: StockOwner, same_window: SameWindow, hold_back: number, cap: number | null, };

export type UnmapLocationsRequest = { id: number, };

export type StockSyncRequest = { dry_run: boolean, 
/**
 * Read every Shopify location whole instead of what changed since the last read: the
 * validation that catches anything a changed-since read could miss.
 */
full: boolean, 
/**
 * Only this location pair (Resync on a location).
 */
pair_id: number | null, 
/**
 * Only this item (Resync on an item), by its BigCommerce variant id.
 */
bigcommerce_variant_id: number | null, };

export type StockCellView = { pair_id: number, location: string, label: string, bigcommerce_product_id: number, bigcommerce_variant_id: number, shopify_item_id: string, bigcommerce: number | null, shopify: number | null, base_bigcommerce: number | null, base_shopify: number | null, 
/**
 * "in_step", "writes", "conflict" or "held".
 */
outcome: string, 
/**
 * The writes in plain words ("2 units off TB-1 at BigCommerce location 1 (7 → 5)").
 */
writes: Array<string>, notes: Array<string>, };

export type Side = "bigcommerce" | "shopify";

export type StoreWrites = { store: Side, 
/**
 * The BigCommerce location id; empty for Shopify, whose writes go 250 a call across locations.
 */
location: string, writes: number, 
/**
 * Of those, items not stocked there yet: on Shopify one `inventoryActivate` each, on
 * BigCommerce an absolute adjustment (packed apart from the relative ones).
 */
activations: number, };

export type StockSyncReport = { run_id: number, dry_run: boolean, counts: StockCounts, 
/**
 * Cells with writes, conflicts, holds or notes, up to 500.
 */
cells: Array<StockCellView>, writes_by_store: Array<StoreWrites>, 
/**
 * How BigCommerce's stock was read: whole and why, or not at all because no order moved
 * and nothing of ours waits to be confirmed (a poll's cheap path).
 */
bigcommerce_read: string, 
/**
 * A validation (a full check of every cell, not a dry run) records what drifted: its id in the
 * drift report, and how many cells it found.
 */
validation_id: number | null, drifted: number, written: number, failed: number, superseded: number, };

export type StockItemQuery = { 
/**
 * A SKU (or part of one), a BigCommerce variant id or a Shopify inventory item id.
 */
q: string, };

export type StockItemView = { pair_id: number, location: string, label: string, bigcommerce_variant_id: number, shopify_item_id: string, bigcommerce: number | null, shopify: number | null, base_bigcommerce: number | null, base_shopify: number | null, seen_at: string | null, changed_at: string | null, 
/**
 * Writes waiting or on the wire, in plain words.
 */
pending: Array<string>, };

export type ConflictsQuery = { 
/**
 * Settled conflicts too.
 */
all: boolean, };

export type StockConflictView = { id: number, pair_id: number, location: string, label: string, bigcommerce_variant_id: number, shopify_item_id: string, base_bigcommerce: number, base_shopify: number, seen_bigcommerce: number, seen_shopify: number, 
/**
 * The stock each one-click choice leads to.
 */
keep_bigcommerce: number, keep_shopify: number, sum: number, reason: string, state: string, resolution: string | null, stock: number | null, raised_at: string, resolved_at: string | null, };

export type ResolveConflictRequest = { id: number, 
/**
 * `bigcommerce`, `shopify`, `sum`, or a whole number of units.
 */
keep: string, };

export type DriftReason = "failed_write" | "negative" | "outside_change";

export type DriftAction = "carried" | "overwritten" | "conflict" | "absorbed";

export type DriftQuery = { 
/**
 * The validation to show; the latest when absent.
 */
validation_id: number | null, };

export type ValidationView = { id: number, checked_at: string, cells: number, drifted: number, };

export type DriftView = { pair_id: number, location: string, label: string, bigcommerce_variant_id: number, shopify_item_id: string, base_bigcommerce: number, base_shopify: number, seen_bigcommerce: number, seen_shopify: number, reason: DriftReason, 
/**
 * The reason in plain words.
 */
likely: string, action: DriftAction, };

export type DriftReport = { 
/**
 * Every validation kept, newest first: the drift found by each, for the chart.
 */
validations: Array<ValidationView>, 
/**
 * The one shown; None before the first validation.
 */
shown: ValidationView | null, rows: Array<DriftView>, };

export type OrderLinkState = "creating" | "created" | "needs_attention" | "skipped";

export type OrderLink = { shopify_order_gid: string, name: string, state: OrderLinkState, bigcommerce_order_id: number | null, shopify_total: string | null, bigcommerce_total: string | null, currency: string | null, seen_updated_at: string | null, unmatched_lines: number, retail_location_gid: string | null, processed_at: string | null, reason: string | null, updated_at: string, };

export type OrderLinkCounts = { creating: number, created: number, needs_attention: number, skipped: number, refunds_sent: number, refunds_needing_attention: number, };

export type OrdersConfig = { 
/**
 * Carry POS orders on the runtime's poll (off until the operator turns it on).
 */
enabled: boolean, 
/**
 * Create a BigCommerce customer for a shopper with no match by email; otherwise a guest order.
 */
create_customers: boolean, 
/**
 * The currencies the BigCommerce store sells in; an order in another is held for a person.
 */
store_currencies: Array<string>, 
/**
 * Only orders rung up at these Shopify locations (gids); empty means every location.
 */
locations: Array<string>, 
/**
 * BigCommerce lowers its own stock when an order is placed (its default): the decrement at its
 * default location is then folded into the stock bases, so a sale is counted once. Off for a
 * store that does not track the stock of these orders.
 */
bigcommerce_lowers_stock: boolean, 
/**
 * POS orders sold from this instant on are carried; older ones are left alone (a refund on
 * one waits for a person). Set to the first orders cycle when absent, so turning POS orders on
 * never copies years of till history into BigCommerce; set it earlier to carry a backlog.
 */
carry_from: string | null, 
/**
 * A shopper who agreed at the till to marketing email becomes a BigCommerce newsletter
 * subscriber (consent `marketing_newsletter`). Off until the operator turns it on.
 */
newsletter_from_consent: boolean, 
/**
 * Carry the online store's orders too (`sourceName: web`), not only POS sales.
 */
include_web_orders: boolean, };

export type OrderChannel = { id: number, name: string, 
/**
 * "storefront", "pos", "marketplace" or "marketing".
 */
kind: string, platform: string, status: string, };

export type OrderChannelsView = { channels: Array<OrderChannel>, 
/**
 * The channel chosen, or the one the first order found or created; None before either.
 */
chosen: number | null, 
/**
 * The channel used when none is chosen, found by this name or created.
 */
default_name: string, };

export type ChooseOrderChannel = { channel_id: number | null, };

export type OrdersQuery = { state: OrderLinkState | null, 
/**
 * Only orders sold at or after this instant.
 */
since: string | null, limit: number | null, };

export type OrdersView = { config: OrdersConfig, counts: OrderLinkCounts, cursor: string | null, orders: Array<OrderLink>, };

export type RetryOrdersRequest = { order: string | null, };

export type OrdersSyncRequest = { dry_run: boolean, 
/**
 * Read the orders changed since this instant instead of since the cursor.
 */
since: string | null, };

export type OrderPreview = { shopify_order_gid: string, name: string, 
/**
 * A dry run's "create", "update" or "held" (refused, with the reason); a run's "carried",
 * "held", or "queued" (still waiting for a retry).
 */
action: string, shopify_total: string, currency: string, status_id: number, payment_method: string, lines: number, 
/**
 * SKUs (or names) sent as custom lines because their variant is not matched.
 */
unmatched: Array<string>, refunds: number, reason: string | null, 
/**
 * A dry run's BigCommerce body, without the billing address and customer (personal data).
 */
body: unknown, };

export type OrdersSyncReport = { run_id: number, dry_run: boolean, 
/**
 * POS orders read from Shopify.
 */
read: number, 
/**
 * Of those, sold before carrying began (`carry_from`): left alone.
 */
before_start: number, 
/**
 * Orders already carried at the version read.
 */
in_step: number, queued: number, carried: number, failed: number, orders: Array<OrderPreview>, };

export type OrderRef = { order: string, };

export type OrderTimelineView = { link: OrderLink, jobs: Array<JobTimelineView>, };

export type Figures = { sales: string, refunds: string, tax: string, };

export type DayRow = { location: string, orders: number, 
/**
 * Orders with no BigCommerce order yet; their figures are not in either column.
 */
not_carried: number, shopify: Figures, bigcommerce: Figures, 
/**
 * Shopify's net less BigCommerce's, over the orders carried: 0.00 when they agree.
 */
difference: string, };

export type ReconcileRequest = { 
/**
 * "2026-12-06".
 */
day: string, 
/**
 * An IANA zone; the store's when absent (BigCommerce's, else Shopify's, else this computer's).
 */
time_zone: string | null, };

export type ReconcileView = { day: string, time_zone: string, 
/**
 * Per retail location, then "All locations".
 */
rows: Array<DayRow>, };

export type HomeQuery = { 
/**
 * The operator's last visit; the figures "since" count from it. Defaults to 16 hours ago.
 */
since: string | null, };

export type CapabilityRuns = { capability: Capability, last: RunView | null, 
/**
 * When the next scheduled run of this kind starts, where a moment is known.
 */
next_at: string | null, 
/**
 * How the next run comes, in words: "every morning at 06:30 (Europe/London)", "polled every 30 s".
 */
cadence: string, };

export type QueueTotals = { 
/**
 * Jobs that landed since the moment asked about.
 */
written: number, 
/**
 * Jobs waiting for a retry or given up (a person decides): the Failed list.
 */
failed: number, 
/**
 * Jobs queued or on the wire.
 */
waiting: number, };

export type ReviewCounts = { unmatched: number, conflict: number, ambiguous: number, stock_conflicts: number, 
/**
 * POS orders and refunds BigCommerce or the planner refused.
 */
orders_needing_attention: number, };

export type HomeView = { now: string, since: string, runs: Array<CapabilityRuns>, queue: QueueTotals, review: ReviewCounts, 
/**
 * POS orders whose BigCommerce order was made since `since`.
 */
orders_carried: number, 
/**
 * Stock writes that landed since `since` (one item at one location of one store each).
 */
stock_moved: number, health: Array<StoreHealth>, paused: boolean, };

export type QuotaHour = { system: System, 
/**
 * The hour's start.
 */
hour: string, requests: number, 
/**
 * Requests the store refused for its rate limit (429, or a throttled GraphQL query).
 */
throttled: number, 
/**
 * The least quota left the store reported in the hour: requests (BigCommerce) or cost points
 * (Shopify); None when no answer said.
 */
least_left: number | null, };

export type HistoryPoint = { run_id: number, capability: Capability, started_at: string, changes: number, written: number, failed: number, duration_ms: number | null, };

export type OrdersHour = { hour: string, orders: number, };

export type ChartsView = { 
/**
 * The first hour the hourly series cover; they end at the current hour.
 */
from_hour: string, hours: number, quota: Array<QuotaHour>, 
/**
 * Finished runs that were not dry runs, oldest first.
 */
history: Array<HistoryPoint>, orders: Array<OrdersHour>, 
/**
 * Every kept validation, oldest first.
 */
drift: Array<ValidationView>, };

export type OnboardingStep = "connect" | "pos_channel" | "locations" | "owners" | "preview" | "full_sync" | "schedule";

export type StepState = "done" | "current" | "waiting";

export type OnboardingStepView = { step: OnboardingStep, state: StepState, 
/**
 * Where the step stands, in words: what is there, or what to do.
 */
summary: string, };

export type OnboardingView = { 
/**
 * The seven steps, in order.
 */
steps: Array<OnboardingStepView>, complete: boolean, dismissed: boolean, 
/**
 * Open the setup when the app starts: some step is not done and the operator did not put it away.
 */
show: boolean, 
/**
 * The finished preview that makes step 5 done.
 */
preview_run_id: number | null, 
/**
 * The finished full sync that makes step 6 done.
 */
full_sync_run_id: number | null, };

export type OnboardingDismissRequest = { 
/**
 * True puts the setup away; false brings it back when the app next opens.
 */
dismissed: boolean, };
