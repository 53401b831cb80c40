//! A stock cycle: read the sellable quantity of every synced item at every paired location on both
//! stores, plan each cell ([`tillbridge_domain::stock::plan_cell`]), save the bookkeeping, raise
//! conflicts, and hand the writes to the runtime as jobs keyed `stock:{pair}:{item}:{store}`.
//!
//! Snapshot → pure plan → persisted jobs → the lanes execute: a dry run stops after the plan.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Timelike, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tillbridge_domain::Scope;
use tillbridge_domain::stock::{
    BigCommerceWatch, CellInput, CellKey, CellPlan, Level, Note, Outcome, Side, SidePair, StockCounts, WholeRead,
    count, drift, plan_cell,
};
use tillbridge_domain::work::{Capability, Work};
use tillbridge_shopify::gid::LocationId;
use tillbridge_store::{
    CellId, CellUpdate, DriftRecord, LocationPairRecord, StockCellRecord, StockItem, Trigger, enqueue_in,
    raise_conflict_in, record_validation_in, save_cell_plan_in, supersede_entities_in, supersede_unplanned_in,
};
use tillbridge_transport::correlation;

use crate::clients::StoreClients;
use crate::progress::SyncPhase;
use crate::runtime::runs::RunContext;
use crate::runtime::work::new_job;
use crate::{ApiError, App};

/// How many changed cells a report lists; the counts cover them all.
const REPORT_ROWS: usize = 500;

#[derive(Debug, Clone, Copy, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct StockSyncRequest {
    pub dry_run: bool,
    /// Read every Shopify location whole instead of what changed since the last read: the
    /// validation that catches anything a changed-since read could miss.
    pub full: bool,
    /// Only this location pair (Resync on a location).
    pub pair_id: Option<i64>,
    /// Only this item (Resync on an item), by its BigCommerce variant id.
    pub bigcommerce_variant_id: Option<i64>,
}

/// One cell in a report: both sides, the base, and what the plan does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StockCellView {
    pub pair_id: i64,
    pub location: String,
    pub label: String,
    pub bigcommerce_product_id: i64,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub bigcommerce: Option<i64>,
    pub shopify: Option<i64>,
    pub base_bigcommerce: Option<i64>,
    pub base_shopify: Option<i64>,
    /// "in_step", "writes", "conflict" or "held".
    pub outcome: String,
    /// The writes in plain words ("2 units off TB-1 at BigCommerce location 1 (7 → 5)").
    pub writes: Vec<String>,
    pub notes: Vec<String>,
}

/// The writes a cycle planned to one store at one location (BigCommerce) or in all (Shopify),
/// which is how the stores batch them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StoreWrites {
    pub store: Side,
    /// The BigCommerce location id; empty for Shopify, whose writes go 250 a call across locations.
    pub location: String,
    pub writes: u64,
    /// Of those, items not stocked there yet: on Shopify one `inventoryActivate` each, on
    /// BigCommerce an absolute adjustment (packed apart from the relative ones).
    pub activations: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StockSyncReport {
    pub run_id: i64,
    pub dry_run: bool,
    pub counts: StockCounts,
    /// Cells with writes, conflicts, holds or notes, up to 500.
    pub cells: Vec<StockCellView>,
    pub writes_by_store: Vec<StoreWrites>,
    /// How BigCommerce's stock was read: whole and why, or not at all because no order moved
    /// and nothing of ours waits to be confirmed (a poll's cheap path).
    pub bigcommerce_read: String,
    /// A validation (a full check of every cell, not a dry run) records what drifted: its id in the
    /// drift report, and how many cells it found.
    pub validation_id: Option<i64>,
    pub drifted: u64,
    pub written: u64,
    pub failed: u64,
    pub superseded: u64,
}

fn note_text(note: &Note) -> String {
    match note {
        Note::FirstAlignment { bigcommerce, shopify, stock } => format!(
            "first alignment: BigCommerce showed {bigcommerce}, Shopify {shopify}; both are set from {stock} (the owner's, or the lower when neither owns the location)"
        ),
        Note::Overwritten { side, delta } => {
            format!("{}'s change of {delta:+} was overwritten: the owner's change stands", side.name())
        }
        Note::StaleRead { side } => {
            format!("{} still showed the value from before our write; not a change", side.name())
        }
        Note::Oversold { stock } => format!("oversold: the merged stock is {stock}"),
    }
}

fn outcome_text(outcome: &Outcome) -> String {
    match outcome {
        Outcome::InStep => "in_step".into(),
        Outcome::Writes => "writes".into(),
        Outcome::Conflict(_) => "conflict".into(),
        Outcome::Held(_) => "held".into(),
    }
}

/// What both stores showed, per (variant, location) and (item, location).
pub(crate) struct StockRead {
    /// Whether BigCommerce was read; when not, every cell there stands as last seen.
    bigcommerce_read: bool,
    bigcommerce: HashMap<(i64, i64), i64>,
    shopify: HashMap<(String, String), i64>,
    /// Shopify locations read whole: an item absent there is not stocked there. At the others only
    /// the levels changed since the cursor were read, and the rest stand as last seen.
    shopify_whole: HashSet<String>,
    /// The latest update time each Shopify location showed: where its next read starts.
    shopify_latest: HashMap<String, DateTime<Utc>>,
}

/// Where a Shopify location's next changed-since read starts, in the settings.
fn cursor_key(location: &str) -> String {
    format!("stock.cursor.shopify.{location}")
}

/// The cursor once a read with the overlap found nothing newer: later reads need no overlap, since
/// anything saved just before it has been seen by then.
fn settled_key(location: &str) -> String {
    format!("stock.cursor_settled.shopify.{location}")
}

/// When (our clock) the read that moved a location's cursor ended, in the settings: the cursor's
/// own second cannot still be filling once an overlap has passed since then.
fn cursor_seen_key(location: &str) -> String {
    format!("stock.cursor_seen_at.shopify.{location}")
}

/// The cursor once a read that found nothing newer began at least an overlap (our clock) after the
/// read that moved it ended: that read saw every level saved in the cursor's own second, so later
/// reads start at the next second. Shopify gives `updatedAt` in whole seconds and its search
/// compares them, so a settled read from the cursor's second returns that second's levels again on
/// every poll; after an alignment, whose writes land within a second or two, that is thousands of
/// levels each time, and the sales behind them wait.
fn sealed_key(location: &str) -> String {
    format!("stock.cursor_sealed.shopify.{location}")
}

/// Where a changed-since read of a location starts; the read takes the levels updated at or after
/// that second. One overlap before an unsettled cursor, the cursor's own second once settled, and
/// the next second once sealed.
pub(crate) fn read_start(
    cursor: DateTime<Utc>,
    settled: Option<DateTime<Utc>>,
    sealed: Option<DateTime<Utc>>,
) -> DateTime<Utc> {
    if sealed == Some(cursor) {
        cursor.with_nanosecond(0).unwrap_or(cursor) + chrono::Duration::seconds(1)
    } else if settled == Some(cursor) {
        cursor
    } else {
        cursor - CURSOR_OVERLAP
    }
}

/// Whether a read that found nothing newer than the cursor seals it: it began an overlap or more
/// after the read that moved the cursor ended. Both times are ours, so the stores' clocks may be
/// off from ours by any amount; only the time between them counts.
pub(crate) fn seals(read_started: DateTime<Utc>, cursor_seen: Option<DateTime<Utc>>) -> bool {
    cursor_seen.is_some_and(|seen| read_started - seen >= CURSOR_OVERLAP)
}

/// How often a poll reads every Shopify location whole instead of what changed: the validation
/// that catches anything a changed-since read could have missed.
const FULL_CHECK_EVERY: chrono::Duration = chrono::Duration::hours(6);
/// When the last full check of every pair ended, in the settings.
const LAST_FULL_CHECK: &str = "stock.last_full_check";
/// What the polls know of BigCommerce's orders and reads ([`BigCommerceWatch`]), in the settings.
const BIGCOMMERCE_WATCH: &str = "stock.bigcommerce.watch";
/// When a webhook last said BigCommerce's stock changed (our clock), in the settings: the next poll
/// reads it whole. Kept apart from the watch, which a cycle saves whole at its end.
pub(crate) const BIGCOMMERCE_ANNOUNCED: &str = "stock.bigcommerce.announced_at";

/// How far before a new cursor the next changed-since read starts: a level saved a moment before
/// the last read may carry an earlier update time than ones already seen. Reading a change twice is
/// harmless; missing one is not. Once a read with the overlap finds nothing newer, the cursor is
/// settled and reads start at it, and once sealed ([`sealed_key`]) after it: re-reading the last
/// batch of changes (after an alignment, a few thousand levels) on every quiet poll would cost
/// minutes of Shopify's budget each time.
const CURSOR_OVERLAP: chrono::Duration = chrono::Duration::seconds(60);

/// Reads BigCommerce whole (a thousand items a request) unless `read_bigcommerce` is false, and
/// each Shopify location either whole or changed since `since` (None for whole).
pub(crate) async fn read_levels(
    clients: &StoreClients,
    pairs: &[LocationPairRecord],
    read_bigcommerce: bool,
    since: &HashMap<String, DateTime<Utc>>,
) -> Result<StockRead, ApiError> {
    let bc_locations: Vec<i64> = pairs.iter().map(|p| p.bigcommerce_location_id).collect();
    let mut bigcommerce = HashMap::new();
    if read_bigcommerce {
        let mut pages = clients.bigcommerce.inventory_items(&bc_locations);
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| ApiError::unavailable(format!("reading BigCommerce's stock failed: {e}")))?;
            for item in page {
                for at in item.locations.iter().filter(|l| bc_locations.contains(&l.location_id)) {
                    bigcommerce.insert((item.identity.variant_id, at.location_id), at.available_to_sell);
                }
            }
        }
    }
    let mut shopify = HashMap::new();
    let mut shopify_whole = HashSet::new();
    let mut shopify_latest: HashMap<String, DateTime<Utc>> = HashMap::new();
    for pair in pairs {
        let location = LocationId(pair.shopify_location_id.clone());
        let started = std::time::Instant::now();
        let (mut read_pages, mut read_levels) = (0u32, 0usize);
        let mut pages = match since.get(&pair.shopify_location_id) {
            Some(t) => clients.shopify.inventory_levels_changed_at(&location, *t),
            None => {
                shopify_whole.insert(pair.shopify_location_id.clone());
                clients.shopify.inventory_levels_at(&location)
            }
        };
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| ApiError::unavailable(format!("reading Shopify's stock failed: {e}")))?;
            read_pages += 1;
            read_levels += page.len();
            for level in page {
                if let Some(t) = level.updated_at {
                    let latest = shopify_latest.entry(pair.shopify_location_id.clone()).or_insert(t);
                    *latest = (*latest).max(t);
                }
                if let Some(available) = level.quantities.available() {
                    shopify.insert((level.item_id.0, level.location_id.0), available);
                }
            }
        }
        // What a slow poll spent its time on: a changed-since read that returns thousands of
        // levels shows here with the moment it started from.
        tracing::debug!(
            location = %pair.shopify_location_id,
            since = ?since.get(&pair.shopify_location_id),
            pages = read_pages,
            levels = read_levels,
            latest = ?shopify_latest.get(&pair.shopify_location_id),
            ms = started.elapsed().as_millis() as u64,
            "read Shopify's levels"
        );
    }
    Ok(StockRead { bigcommerce_read: read_bigcommerce, bigcommerce, shopify, shopify_whole, shopify_latest })
}

/// Every cell's planner input: each synced item at each pair.
pub(crate) fn cell_inputs(
    pairs: &[LocationPairRecord],
    items: &[StockItem],
    stored: &HashMap<CellId, StockCellRecord>,
    read: &StockRead,
    busy: &HashSet<String>,
    held: &HashSet<CellId>,
    conflicts: &HashSet<CellId>,
) -> Vec<CellInput> {
    let mut inputs = Vec::with_capacity(pairs.len() * items.len());
    for pair in pairs {
        for item in items {
            let key = CellKey {
                pair: pair.id,
                bigcommerce_location: pair.bigcommerce_location_id,
                shopify_location: pair.shopify_location_id.clone(),
                bigcommerce_product: item.bigcommerce_product_id,
                bigcommerce_variant: item.bigcommerce_variant_id,
                shopify_item: item.shopify_item_id.clone(),
                label: item.label.clone(),
            };
            let id = cell_id(&key);
            let level = |q: Option<&i64>| q.map_or(Level::NotStocked, |q| Level::Stocked(*q));
            let stored_cell = stored.get(&id);
            let shopify = match read.shopify.get(&(item.shopify_item_id.clone(), pair.shopify_location_id.clone())) {
                Some(q) => Level::Stocked(*q),
                None if read.shopify_whole.contains(&pair.shopify_location_id) => Level::NotStocked,
                // Unchanged since the last read: as last seen (our landed writes included).
                None => level(stored_cell.and_then(|c| c.seen.shopify).as_ref()),
            };
            let bigcommerce = if read.bigcommerce_read {
                level(read.bigcommerce.get(&(item.bigcommerce_variant_id, pair.bigcommerce_location_id)))
            } else {
                // No order moved and nothing of ours awaits confirmation: as last seen.
                level(stored_cell.and_then(|c| c.seen.bigcommerce).as_ref())
            };
            let seen = SidePair::new(bigcommerce, shopify);
            inputs.push(CellInput {
                // A write of the cell on the wire, or a POS order being created that will lower
                // BigCommerce's stock here: either's outcome decides the bases.
                in_flight: Side::BOTH.iter().any(|s| busy.contains(&key.entity_key(*s))) || held.contains(&id),
                open_conflict: conflicts.contains(&id),
                ledger: stored.get(&id).map(|c| c.ledger.clone()).unwrap_or_default(),
                key,
                policy: pair.policy,
                seen,
            });
        }
    }
    inputs
}

pub(crate) fn cell_id(key: &CellKey) -> CellId {
    CellId {
        pair_id: key.pair,
        bigcommerce_variant_id: key.bigcommerce_variant,
        shopify_item_id: key.shopify_item.clone(),
    }
}

fn cell_view(input: &CellInput, plan: &CellPlan, location: &str) -> StockCellView {
    let seen = |l: Level| match l {
        Level::Stocked(q) => Some(q),
        Level::NotStocked => None,
    };
    let base = plan.ledger.as_ref().unwrap_or(&input.ledger).base;
    StockCellView {
        pair_id: input.key.pair,
        location: location.to_string(),
        label: input.key.label.clone(),
        bigcommerce_product_id: input.key.bigcommerce_product,
        bigcommerce_variant_id: input.key.bigcommerce_variant,
        shopify_item_id: input.key.shopify_item.clone(),
        bigcommerce: seen(input.seen.bigcommerce),
        shopify: seen(input.seen.shopify),
        base_bigcommerce: base.map(|b| b.bigcommerce),
        base_shopify: base.map(|b| b.shopify),
        outcome: outcome_text(&plan.outcome),
        writes: plan.writes.iter().map(|w| w.describe()).collect(),
        notes: plan.notes.iter().map(note_text).collect(),
    }
}

impl App {
    /// Starts a polled stock cycle in the background, unless one is still under way here, no
    /// location is paired, or no item is matched yet. A cycle another process is running refuses
    /// this one, quietly.
    pub(crate) fn spawn_stock_poll(&self, woken: bool) {
        if !self.runtime.stock_polling.enter(woken) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                app.stock_poll_once().await;
                if !app.runtime.stock_polling.leave() {
                    break;
                }
            }
        });
    }

    async fn stock_poll_once(&self) {
        let due = self
            .blocking(|app| {
                // Nothing to poll until locations are paired and the catalog has matched items; a
                // poll started then would only record a failed run every 30 s.
                let paired = !app.store.location_pairs()?.is_empty() && app.store.has_stock_items()?;
                let last: Option<DateTime<Utc>> = app.store.setting(LAST_FULL_CHECK)?;
                Ok((paired, last.is_none_or(|t| app.now() - t >= FULL_CHECK_EVERY)))
            })
            .await;
        let Ok((true, full)) = due else { return };
        let request = StockSyncRequest { full, ..StockSyncRequest::default() };
        match self.stock_cycle(request, Trigger::Scheduled).await {
            Ok(r) if r.counts.writes > 0 || r.counts.conflicts > 0 => {
                tracing::info!(
                    run_id = r.run_id,
                    writes = r.counts.writes,
                    conflicts = r.counts.conflicts,
                    "stock cycle"
                );
            }
            Ok(_) => {}
            // Another process's cycle is under way, or the catalog is not matched yet.
            Err(e) if matches!(e.kind, crate::ErrorKind::Conflict | crate::ErrorKind::Invalid) => {
                tracing::debug!(error = %e, "no stock poll this time");
            }
            Err(e) => tracing::warn!(error = %e, "a polled stock cycle failed; the next poll tries again"),
        }
    }

    /// When the polls next check every cell whole (a validation): six hours after the last one,
    /// or at the next poll when none has run.
    pub(crate) fn next_stock_check(&self) -> Result<Option<DateTime<Utc>>, ApiError> {
        if self.store.location_pairs()?.is_empty() {
            return Ok(None);
        }
        let last: Option<DateTime<Utc>> = self.store.setting(LAST_FULL_CHECK)?;
        Ok(Some(last.map_or_else(|| self.now(), |t| t + FULL_CHECK_EVERY)))
    }

    /// Runs one stock cycle to its end: reads, plans, and (unless a dry run) queues the writes and
    /// follows them until the lanes have settled them.
    pub async fn stock_sync(&self, request: StockSyncRequest) -> Result<StockSyncReport, ApiError> {
        self.stock_cycle(request, Trigger::Manual).await
    }

    /// One poll, as the runtime makes it every 30 s, run now: tests drive the polls' cheap path
    /// with it without waiting on the runtime's timer.
    #[doc(hidden)]
    pub async fn stock_poll_now(&self) -> Result<StockSyncReport, ApiError> {
        self.stock_cycle(StockSyncRequest::default(), Trigger::Scheduled).await
    }

    pub(crate) async fn stock_cycle(
        &self,
        request: StockSyncRequest,
        trigger: Trigger,
    ) -> Result<StockSyncReport, ApiError> {
        let mode = if request.full { Scope::Full } else { Scope::Delta };
        let run = self.begin_run(Capability::Stock, mode, request.dry_run, trigger, |_| false).await?;
        let outcome = correlation::scope(format!("run-{}", run.id), self.stock_steps(&run, request, trigger)).await;
        let whole = request.pair_id.is_none() && request.bigcommerce_variant_id.is_none();
        if outcome.is_ok() && request.full && whole && !request.dry_run {
            let result = self.blocking(|app| Ok(app.store.set_setting(LAST_FULL_CHECK, &app.now(), app.now())?)).await;
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not record the full stock check");
            }
        }
        self.finish_cycle(
            &run,
            &outcome,
            trigger,
            |r| [r.counts.writes, r.written, r.failed, r.superseded],
            |r| r.counts.writes == 0 && r.counts.conflicts == 0,
        )
        .await;
        outcome
    }

    async fn stock_steps(
        &self,
        run: &RunContext,
        request: StockSyncRequest,
        trigger: Trigger,
    ) -> Result<StockSyncReport, ApiError> {
        let (mut pairs, mut items) =
            self.blocking(|app| Ok((app.store.location_pairs()?, app.store.stock_items()?))).await?;
        let whole = request.pair_id.is_none() && request.bigcommerce_variant_id.is_none();
        let every_item = request.bigcommerce_variant_id.is_none();
        if let Some(id) = request.pair_id {
            pairs.retain(|p| p.id == id);
            if pairs.is_empty() {
                return Err(ApiError::not_found(format!("no location pair {id}; `tillbridge locations` lists them")));
            }
        }
        if let Some(variant) = request.bigcommerce_variant_id {
            items.retain(|i| i.bigcommerce_variant_id == variant);
            if items.is_empty() {
                return Err(ApiError::not_found(format!(
                    "BigCommerce variant {variant} is not a synced item: it must be matched by a catalog sync first"
                )));
            }
        }
        if pairs.is_empty() {
            return Err(ApiError::invalid(
                "no locations are paired yet: pair one with `tillbridge locations map BIGCOMMERCE_ID SHOPIFY_ID --owner …` or on the Locations screen",
            ));
        }
        if items.is_empty() {
            return Err(ApiError::invalid(
                "no products are matched yet, so there is no stock to sync: run a full catalog sync first",
            ));
        }
        let clients = self.shared_clients().await?;
        // A location is read changed-since its cursor only when every item there has been seen
        // before; otherwise (a new pair, newly matched items, or a full cycle) it is read whole.
        let (stored, since, mut watch, bigcommerce_seen, latest_echo) = {
            let pairs = pairs.clone();
            let items = items.clone();
            let full = request.full;
            self.blocking(move |app| {
                let stored: HashMap<CellId, StockCellRecord> =
                    app.store.stock_cells()?.into_iter().map(|c| (c.id.clone(), c)).collect();
                let mut since = HashMap::new();
                let mut bigcommerce_seen = true;
                for pair in &pairs {
                    let seen = |side: Side| {
                        items.iter().all(|i| {
                            let id = CellId {
                                pair_id: pair.id,
                                bigcommerce_variant_id: i.bigcommerce_variant_id,
                                shopify_item_id: i.shopify_item_id.clone(),
                            };
                            stored.get(&id).is_some_and(|c| c.seen.get(side).is_some())
                        })
                    };
                    bigcommerce_seen &= seen(Side::BigCommerce);
                    let cursor: Option<DateTime<Utc>> = app.store.setting(&cursor_key(&pair.shopify_location_id))?;
                    let settled: Option<DateTime<Utc>> =
                        app.store.setting(&settled_key(&pair.shopify_location_id)).ok().flatten();
                    let sealed: Option<DateTime<Utc>> =
                        app.store.setting(&sealed_key(&pair.shopify_location_id)).ok().flatten();
                    if let (false, true, Some(cursor)) = (full, seen(Side::Shopify), cursor) {
                        since.insert(pair.shopify_location_id.clone(), read_start(cursor, settled, sealed));
                    }
                }
                let latest_echo = stored.values().filter_map(|c| c.ledger.echo.bigcommerce.map(|e| e.until)).max();
                let watch: BigCommerceWatch =
                    app.store.setting::<BigCommerceWatch>(BIGCOMMERCE_WATCH).ok().flatten().unwrap_or_default();
                let announced: Option<DateTime<Utc>> = app.store.setting(BIGCOMMERCE_ANNOUNCED).ok().flatten();
                let latest_echo = latest_echo.max(announced);
                Ok((stored, since, watch, bigcommerce_seen, latest_echo))
            })
            .await?
        };
        self.enter_phase(run, SyncPhase::ReadingBigcommerce);
        // Every whole cycle looks at the orders changed since the last look (one request), so a
        // poll knows whether BigCommerce's stock can have moved. A poll reads BigCommerce whole only
        // when it may have; a person's cycle, a full check and a Resync always read it.
        let read_started = self.now();
        let mut orders_moved = false;
        if whole {
            match clients.bigcommerce.orders_modified_since(watch.orders_since(), 250).await {
                Ok(orders) => {
                    let changes: Vec<(i64, DateTime<Utc>)> =
                        orders.iter().map(|o| (o.id, o.date_modified.with_timezone(&Utc))).collect();
                    orders_moved = watch.observe_orders(&changes, read_started);
                }
                // Without the look (a token with no orders scope, a refusal) the stock is read
                // whole, as before the look existed: it costs requests, never a missed change.
                Err(e) => {
                    tracing::warn!(error = %e, "could not look at BigCommerce's recent orders; reading its stock whole");
                    orders_moved = true;
                }
            }
        }
        let polled = trigger == Trigger::Scheduled && whole && !request.full;
        let whole_read = if polled {
            watch.whole_read(read_started, orders_moved, bigcommerce_seen, latest_echo)
        } else {
            Some(WholeRead::FirstRead)
        };
        let bigcommerce_read = match (polled, whole_read) {
            (false, _) => "read whole: asked for".to_string(),
            (true, Some(why)) => why.describe().to_string(),
            (true, None) => {
                "not read: no order changed since the last look and no change of ours awaits confirmation".to_string()
            }
        };
        if whole_read.is_some() && whole {
            watch.last_whole_read = Some(read_started);
        }
        let read = read_levels(&clients, &pairs, whole_read.is_some(), &since).await?;
        self.enter_phase(run, SyncPhase::Planning);
        let now = self.now();
        let run_id = run.id;
        let dry_run = request.dry_run;
        let validation = request.full && whole && !dry_run;
        let (counts, cells, writes_by_store, validation_id, drifted) = self
            .blocking(move |app| {
                let busy = app.store.busy_entities(Capability::Stock)?;
                let failed = if validation { app.store.failed_entities(Capability::Stock)? } else { HashSet::new() };
                let held = app.store.held_stock_cells()?;
                let conflicts = app.store.open_conflict_cells()?;
                let inputs = cell_inputs(&pairs, &items, &stored, &read, &busy, &held, &conflicts);
                let plans: Vec<CellPlan> = inputs.iter().map(|i| plan_cell(i, now)).collect();
                let names: HashMap<i64, String> = pairs.iter().map(|p| (p.id, p.name.clone())).collect();
                let cells: Vec<StockCellView> = inputs
                    .iter()
                    .zip(&plans)
                    .filter(|(_, p)| p.outcome != Outcome::InStep || !p.notes.is_empty())
                    .take(REPORT_ROWS)
                    .map(|(i, p)| cell_view(i, p, names.get(&i.key.pair).map_or("", String::as_str)))
                    .collect();
                let counts = count(&plans);
                let mut by_store: std::collections::BTreeMap<(Side, String), (u64, u64)> = Default::default();
                for w in plans.iter().flat_map(|p| &p.writes) {
                    let location = match w.side {
                        Side::BigCommerce => w.cell.bigcommerce_location.to_string(),
                        Side::Shopify => String::new(),
                    };
                    let entry = by_store.entry((w.side, location)).or_default();
                    entry.0 += 1;
                    entry.1 += u64::from(w.activate);
                }
                let writes_by_store: Vec<StoreWrites> = by_store
                    .into_iter()
                    .map(|((store, location), (writes, activations))| StoreWrites {
                        store,
                        location,
                        writes,
                        activations,
                    })
                    .collect();
                let found: Vec<DriftRecord> = if validation {
                    inputs
                        .iter()
                        .zip(&plans)
                        .filter_map(|(input, plan)| {
                            let failed_write = Side::BOTH.iter().any(|s| failed.contains(&input.key.entity_key(*s)));
                            let d = drift(input, plan, now, failed_write)?;
                            Some(DriftRecord {
                                pair_id: input.key.pair,
                                location: names.get(&input.key.pair).cloned().unwrap_or_default(),
                                bigcommerce_variant_id: input.key.bigcommerce_variant,
                                shopify_item_id: input.key.shopify_item.clone(),
                                label: input.key.label.clone(),
                                base: d.base,
                                seen: d.seen,
                                reason: d.reason,
                                action: d.action,
                            })
                        })
                        .collect()
                } else {
                    Vec::new()
                };
                let drifted = found.len() as u64;
                let mut validation_id = None;
                if !dry_run {
                    app.store.write(|tx| {
                        if validation {
                            validation_id = Some(record_validation_in(tx, inputs.len() as u64, &found, now)?);
                        }
                        let mut planned = HashSet::new();
                        for (input, plan) in inputs.iter().zip(&plans) {
                            let id = cell_id(&input.key);
                            let seen = SidePair::new(input.seen.bigcommerce.quantity(), input.seen.shopify.quantity());
                            let before = stored.get(&id).map(|c| c.seen);
                            let unchanged = before == Some(SidePair::new(Some(seen.bigcommerce), Some(seen.shopify)));
                            // Most cells of a poll are in step and read as before: nothing to save.
                            if unchanged && plan.ledger.is_none() && plan.writes.is_empty() {
                                continue;
                            }
                            let update = CellUpdate {
                                id: id.clone(),
                                label: input.key.label.clone(),
                                read_revision: input.ledger.revision,
                                ledger: plan.ledger.clone(),
                                seen,
                                changed: before
                                    .is_some_and(|b| b != SidePair::new(Some(seen.bigcommerce), Some(seen.shopify))),
                            };
                            if !save_cell_plan_in(tx, &update, now)? {
                                continue;
                            }
                            if let Outcome::Conflict(snapshot) = &plan.outcome {
                                raise_conflict_in(tx, &id, &input.key.label, snapshot, "same_window", now)?;
                            }
                            for write in &plan.writes {
                                let job = new_job(&Work::StockWrite(write.clone()), Some(run_id))
                                    .map_err(|e| tillbridge_store::StoreError::Refused(e.message))?;
                                enqueue_in(tx, &job, now)?;
                                planned.insert(job.entity_key);
                            }
                        }
                        if whole {
                            supersede_unplanned_in(tx, Capability::Stock, &planned, now)?;
                        } else {
                            // A Resync looked at some cells only; waiting writes of the others stand.
                            let looked: HashSet<String> = inputs
                                .iter()
                                .flat_map(|i| Side::BOTH.map(|side| i.key.entity_key(side)))
                                .filter(|k| !planned.contains(k))
                                .collect();
                            supersede_entities_in(tx, &looked, now)?;
                        }
                        Ok(())
                    })?;
                    if whole {
                        app.store.set_setting(BIGCOMMERCE_WATCH, &watch, now)?;
                    }
                    // Every item of these locations was read and planned, so their next reads
                    // start from here; an item-only Resync leaves the cursors where they were.
                    if every_item {
                        for pair in &pairs {
                            let location = &pair.shopify_location_id;
                            let key = cursor_key(location);
                            let old: Option<DateTime<Utc>> = app.store.setting(&key)?;
                            match (read.shopify_latest.get(location), old) {
                                // Something newer: the next read starts one overlap before it.
                                (Some(latest), old) if old.is_none_or(|o| *latest > o) => {
                                    app.store.set_setting(&key, latest, now)?;
                                    app.store.set_setting(&cursor_seen_key(location), &now, now)?;
                                }
                                // Nothing newer than the cursor, read with its overlap or whole.
                                (_, Some(cursor)) if !read.shopify_whole.contains(location) => {
                                    app.store.set_setting(&settled_key(location), &cursor, now)?;
                                    let seen: Option<DateTime<Utc>> =
                                        app.store.setting(&cursor_seen_key(location)).ok().flatten();
                                    if seals(read_started, seen) {
                                        app.store.set_setting(&sealed_key(location), &cursor, now)?;
                                    }
                                }
                                _ => {}
                            }
                        }
                    }
                }
                Ok((counts, cells, writes_by_store, validation_id, drifted))
            })
            .await?;
        let mut report = StockSyncReport {
            run_id,
            dry_run,
            counts,
            cells,
            writes_by_store,
            bigcommerce_read,
            validation_id,
            drifted,
            written: 0,
            failed: 0,
            superseded: 0,
        };
        if dry_run || report.counts.writes == 0 {
            return Ok(report);
        }
        self.enter_phase(run, SyncPhase::Writing);
        self.wake_lanes();
        let settled = self.follow_jobs(run).await?;
        report.written = settled.done;
        report.failed = settled.failed + settled.dead;
        report.superseded = settled.superseded + settled.cancelled;
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn a_read_starts_an_overlap_early_then_at_the_cursor_then_at_the_next_second() {
        let cursor = at("2026-12-07T06:31:12Z");
        let older = at("2026-12-07T06:30:00Z");
        assert_eq!(read_start(cursor, None, None), cursor - CURSOR_OVERLAP, "an unsettled cursor overlaps");
        assert_eq!(
            read_start(cursor, Some(older), Some(older)),
            cursor - CURSOR_OVERLAP,
            "a cursor that moved since it settled overlaps again"
        );
        assert_eq!(
            read_start(cursor, Some(cursor), None),
            cursor,
            "settled by a read begun soon after it: the cursor's second may still have been filling"
        );
        assert_eq!(
            read_start(cursor, Some(cursor), Some(cursor)),
            at("2026-12-07T06:31:13Z"),
            "sealed: the cursor's second was read in full, so reading it again would repeat its levels"
        );
    }

    #[test]
    fn only_a_read_begun_an_overlap_after_the_cursor_moved_seals_it() {
        let seen = at("2026-12-07T06:31:40Z");
        assert!(!seals(seen + chrono::Duration::seconds(30), Some(seen)), "30 s on, a late save may still show");
        assert!(seals(seen + CURSOR_OVERLAP, Some(seen)), "an overlap on, the cursor's second is complete");
        assert!(!seals(seen + chrono::Duration::hours(1), None), "a cursor with no known read time never seals");
    }
}
