//! An orders cycle: read the Shopify POS orders changed since the cursor (less an overlap), skip
//! the versions already carried, and queue one job per order, keyed `pos-order:{gid}`. A dry run
//! plans each order instead and shows what BigCommerce would receive.
//!
//! The cursor is the newest `updatedAt` seen, Shopify's own clock, so the PC's clock never decides
//! what is read. Reading an order twice is harmless: the job is keyed by the order and its
//! version, and the order link makes the create happen once.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use tillbridge_domain::Scope;
use tillbridge_domain::orders::{
    CatalogVariant, DraftLine, OrderContext, PosOrderWork, draft_order, order_edit, pos_order_entity, status_for,
};
use tillbridge_domain::work::{Capability, Work};
use tillbridge_shopify::models::PosOrder;
use tillbridge_store::{OrderLink, OrderLinkCounts, OrderLinkState, OrderLinkUpdate, Trigger, enqueue_in};
use tillbridge_transport::correlation;

use super::sale::{billing_of, sale_of, version_of};
use super::settings::{OrderSettings, OrdersConfig};
use super::{CARRYING_SINCE, SETTINGS_KEY};
use crate::progress::SyncPhase;
use crate::runtime::queue::{QueueActionView, RetryRequest};
use crate::runtime::runs::RunContext;
use crate::runtime::work::new_job;
use crate::{ApiError, App};

/// Where the cursor is kept: the newest Shopify `updatedAt` read.
const CURSOR: &str = "orders.cursor";
/// Each read starts this far before the cursor: Shopify's search index lags writes by a few
/// seconds, so an order updated just before the last read may only now be found.
const OVERLAP: Duration = Duration::minutes(5);

/// How far this computer's clock may be from Shopify's, for comparing one with the other.
const CLOCK_SKEW: Duration = Duration::seconds(60);

/// At most this many orders wait in memory for their jobs; past it, jobs read their orders again.
const READ_ORDERS_KEPT: usize = 5_000;

/// Where an order read by a cycle waits for its job.
pub(crate) fn read_key(gid: &str, version: &str) -> String {
    format!("{gid}#{version}")
}

#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OrdersSyncRequest {
    pub dry_run: bool,
    /// Read the orders changed since this instant instead of since the cursor.
    pub since: Option<DateTime<Utc>>,
}

/// One order in a report: what a run queued, or what a dry run would send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderPreview {
    pub shopify_order_gid: String,
    pub name: String,
    /// A dry run's "create", "update" or "held" (refused, with the reason); a run's "carried",
    /// "held", or "queued" (still waiting for a retry).
    pub action: String,
    pub shopify_total: String,
    pub currency: String,
    pub status_id: i64,
    pub payment_method: String,
    pub lines: u32,
    /// SKUs (or names) sent as custom lines because their variant is not matched.
    pub unmatched: Vec<String>,
    pub refunds: u32,
    pub reason: Option<String>,
    /// A dry run's BigCommerce body, without the billing address and customer (personal data).
    #[ts(type = "unknown")]
    pub body: Option<serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrdersSyncReport {
    pub run_id: i64,
    pub dry_run: bool,
    /// POS orders read from Shopify.
    pub read: u64,
    /// Of those, sold before carrying began (`carry_from`): left alone.
    pub before_start: u64,
    /// Orders already carried at the version read.
    pub in_step: u64,
    pub queued: u64,
    pub carried: u64,
    pub failed: u64,
    pub orders: Vec<OrderPreview>,
}

/// Which orders the Orders screen lists.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct OrdersQuery {
    pub state: Option<OrderLinkState>,
    /// Only orders sold at or after this instant.
    #[ts(type = "string | null")]
    pub since: Option<DateTime<Utc>>,
    pub limit: Option<u32>,
}

/// Carry failed orders again: one (its GID, number or name), or every one when `order` is None.
#[derive(Debug, Clone, Default, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct RetryOrdersRequest {
    pub order: Option<String>,
}

/// One order, by its Shopify GID.
#[derive(Debug, Clone, Deserialize, ts_rs::TS)]
pub struct OrderRef {
    pub order: String,
}

/// An order's link and the jobs that carried it, with every attempt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrderTimelineView {
    pub link: OrderLink,
    pub jobs: Vec<crate::runtime::queue::JobTimelineView>,
}

/// The Orders screen: counts and the newest links.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct OrdersView {
    pub config: OrdersConfig,
    pub counts: OrderLinkCounts,
    pub cursor: Option<DateTime<Utc>>,
    pub orders: Vec<OrderLink>,
}

impl App {
    pub async fn orders(&self, q: OrdersQuery) -> Result<OrdersView, ApiError> {
        let (state, since, limit) = (q.state, q.since, q.limit.unwrap_or(100).min(1000));
        self.blocking(move |app| {
            Ok(OrdersView {
                config: app.store.setting(SETTINGS_KEY)?.unwrap_or_default(),
                counts: app.store.order_link_counts()?,
                cursor: app.store.setting(CURSOR)?,
                orders: app.store.order_links(state, since, limit)?,
            })
        })
        .await
    }

    /// One order's link and every job that carried it, each with its attempts and the requests
    /// they made (status and outcome): the order's timeline.
    pub async fn order_timeline(&self, request: OrderRef) -> Result<OrderTimelineView, ApiError> {
        self.blocking(move |app| {
            let gid = request.order;
            let link = app
                .store
                .order_link(&gid)?
                .ok_or_else(|| ApiError::not_found(format!("Tillbridge has no record of order {gid}")))?;
            let jobs = app.store.jobs_for_entity(&pos_order_entity(&gid))?;
            let mut timeline = Vec::with_capacity(jobs.len());
            for job in jobs {
                timeline.push(crate::runtime::queue::timeline_of(app, job)?);
            }
            Ok(OrderTimelineView { link, jobs: timeline })
        })
        .await
    }

    /// A person's choice not to carry an order: its waiting jobs are skipped and it is never sent.
    pub async fn skip_order(&self, request: OrderRef) -> Result<OrderTimelineView, ApiError> {
        let gid = request.order.clone();
        self.blocking(move |app| {
            let now = app.now();
            app.store.skip_order(&gid, now)?;
            let waiting: Vec<i64> = app
                .store
                .jobs_for_entity(&pos_order_entity(&gid))?
                .into_iter()
                .filter(|j| {
                    matches!(
                        j.state,
                        tillbridge_store::JobState::Failed
                            | tillbridge_store::JobState::Dead
                            | tillbridge_store::JobState::Pending
                    )
                })
                .map(|j| j.id)
                .collect();
            app.store.skip_jobs(&waiting, now)?;
            Ok(())
        })
        .await?;
        self.order_timeline(request).await
    }

    /// Sends the failed jobs of one order, or of all, again now.
    pub async fn retry_orders(&self, request: RetryOrdersRequest) -> Result<QueueActionView, ApiError> {
        let ids = self.failed_order_jobs(request.order).await?;
        self.retry_jobs(RetryRequest { ids, all: false }).await
    }

    /// The failed and dead POS order jobs: of one order (its GID, number or name such as #1001),
    /// or all.
    async fn failed_order_jobs(&self, order: Option<String>) -> Result<Vec<i64>, ApiError> {
        let wanted = order.map(|o| o.trim().trim_start_matches('#').to_string());
        self.blocking(move |app| {
            let (_, jobs) = app.store.jobs_in_states(
                &[tillbridge_store::JobState::Failed, tillbridge_store::JobState::Dead],
                Some(Capability::Orders),
                0,
                10_000,
            )?;
            let picked: Vec<i64> = jobs
                .into_iter()
                .filter(|job| {
                    let Some(wanted) = &wanted else { return true };
                    let Ok(Work::PosOrder(work)) = serde_json::from_value::<Work>(job.payload.clone()) else {
                        return false;
                    };
                    work.order_gid == *wanted
                        || work.name.trim_start_matches('#') == wanted
                        || work.order_gid.rsplit('/').next() == Some(wanted.as_str())
                })
                .map(|job| job.id)
                .collect();
            if picked.is_empty() {
                return Err(ApiError::not_found(match &wanted {
                    Some(o) => format!("order {o} has no failed job; `tillbridge orders --state needs-attention` lists the orders that wait"),
                    None => "no POS order job has failed".to_string(),
                }));
            }
            Ok(picked)
        })
        .await
    }

    pub async fn set_orders_config(&self, config: OrdersConfig) -> Result<OrdersConfig, ApiError> {
        if config.store_currencies.iter().any(|c| c.len() != 3 || !c.chars().all(|ch| ch.is_ascii_alphabetic())) {
            return Err(ApiError::invalid(format!(
                "store currencies are three-letter codes such as USD; got {:?}",
                config.store_currencies
            )));
        }
        let config = OrdersConfig {
            store_currencies: config.store_currencies.iter().map(|c| c.to_ascii_uppercase()).collect(),
            ..config
        };
        let saved = config.clone();
        self.blocking(move |app| Ok(app.store.set_setting(SETTINGS_KEY, &saved, app.now())?)).await?;
        Ok(config)
    }

    /// Runs one orders cycle to its end: reads, queues the orders (or previews them), and follows
    /// the jobs until the lane has settled them.
    pub async fn orders_sync(&self, request: OrdersSyncRequest) -> Result<OrdersSyncReport, ApiError> {
        self.orders_cycle(request, Trigger::Manual).await
    }

    /// The runtime's poll: a cycle when the operator turned POS orders on, one at a time.
    pub(crate) fn spawn_orders_poll(&self, woken: bool) {
        if !self.runtime.orders_polling.enter(woken) {
            return;
        }
        let app = self.clone();
        tokio::spawn(async move {
            loop {
                let on = app
                    .blocking(|app| Ok(app.store.setting::<OrdersConfig>(SETTINGS_KEY)?.unwrap_or_default().enabled))
                    .await;
                if let Ok(true) = on {
                    match app.orders_cycle(OrdersSyncRequest::default(), Trigger::Scheduled).await {
                        Ok(r) if r.queued > 0 => {
                            tracing::info!(run_id = r.run_id, queued = r.queued, carried = r.carried, "orders cycle")
                        }
                        Ok(_) => {}
                        Err(e) => tracing::warn!(error = %e, "a polled orders cycle failed; the next poll tries again"),
                    }
                }
                if !app.runtime.orders_polling.leave() {
                    break;
                }
            }
        });
    }

    pub(crate) async fn orders_cycle(
        &self,
        request: OrdersSyncRequest,
        trigger: Trigger,
    ) -> Result<OrdersSyncReport, ApiError> {
        let run = self.begin_run(Capability::Orders, Scope::Delta, request.dry_run, trigger, |_| false).await?;
        let outcome = correlation::scope(format!("run-{}", run.id), self.orders_steps(&run, &request)).await;
        self.finish_cycle(&run, &outcome, trigger, |r| [r.queued, r.carried, r.failed, 0], |r| r.queued == 0).await;
        outcome
    }

    async fn orders_steps(&self, run: &RunContext, request: &OrdersSyncRequest) -> Result<OrdersSyncReport, ApiError> {
        let (config, cursor) = self
            .blocking(|app| {
                let mut config: OrdersConfig = app.store.setting(SETTINGS_KEY)?.unwrap_or_default();
                if config.carry_from.is_none() {
                    config.carry_from = Some(app.now());
                    app.store.set_setting(SETTINGS_KEY, &config, app.now())?;
                }
                let cursor: Option<DateTime<Utc>> = app.store.setting(CURSOR)?;
                if app.store.setting::<DateTime<Utc>>(CARRYING_SINCE)?.is_none() {
                    // Set late by a margin: it is compared with Shopify's clock, and erring late
                    // only costs a lookup.
                    app.store.set_setting(CARRYING_SINCE, &(app.now() + CLOCK_SKEW), app.now())?;
                }
                Ok((config, cursor))
            })
            .await?;
        let carry_from = config.carry_from.unwrap_or_else(|| self.now());
        let since = request.since.or(cursor.map(|c| c - OVERLAP)).or(Some(carry_from - OVERLAP));
        self.enter_phase(run, SyncPhase::ReadingShopify);
        let clients = self.shared_clients().await?;
        let mut report = OrdersSyncReport {
            run_id: run.id,
            dry_run: request.dry_run,
            read: 0,
            before_start: 0,
            in_step: 0,
            queued: 0,
            carried: 0,
            failed: 0,
            orders: Vec::new(),
        };
        let mut to_preview: Vec<PosOrder> = Vec::new();
        let mut pages = clients.shopify.sale_orders(since, config.include_web_orders);
        // Each page is queued as it arrives (oldest change first), so BigCommerce's lane creates
        // orders while Shopify's next pages are still being read: the two stores' limits overlap
        // instead of adding up.
        while let Some(page) = pages.next().await {
            let mut orders =
                page.map_err(|e| ApiError::unavailable(format!("reading Shopify's POS orders failed: {e}")))?;
            let newest = orders.iter().map(|o| o.updated_at).max();
            if !config.locations.is_empty() {
                let (kept, elsewhere): (Vec<PosOrder>, Vec<PosOrder>) = orders
                    .into_iter()
                    .partition(|o| o.retail_location.as_ref().is_some_and(|l| config.locations.contains(&l.id.0)));
                if !request.dry_run {
                    let why = "it was sold at a store Tillbridge does not carry orders from (see `tillbridge orders settings --locations`)";
                    self.flag_uncarried_refunds(&elsewhere, why).await?;
                }
                orders = kept;
            }
            report.read += orders.len() as u64;
            // Sold before carrying began: left alone, but a refund on one is never dropped silently.
            let (older, current): (Vec<PosOrder>, Vec<PosOrder>) =
                orders.into_iter().partition(|o| o.processed_at < carry_from);
            report.before_start += older.len() as u64;
            if !request.dry_run {
                let why = format!(
                    "it was sold before Tillbridge began carrying POS orders ({}; `tillbridge orders settings --carry-from` sets an earlier start)",
                    carry_from.format("%Y-%m-%d %H:%M UTC")
                );
                self.flag_uncarried_refunds(&older, &why).await?;
            }
            let mut orders = current;
            let gids: Vec<String> = orders.iter().map(|o| o.id.to_string()).collect();
            let seen = self.blocking(move |app| Ok(app.store.seen_order_versions(&gids)?)).await?;
            let before = orders.len();
            orders.retain(|o| {
                seen.get(&o.id.0).is_none_or(|v| v != tillbridge_store::orders::EVERY_VERSION && *v != version_of(o))
            });
            report.in_step += (before - orders.len()) as u64;
            if request.dry_run {
                to_preview.extend(orders);
                continue;
            }
            // Kept before the jobs exist, so no job starts before its order is there to take.
            report.orders.extend(orders.iter().map(queued_row));
            let works = works_of(&orders);
            self.keep_read(orders);
            report.queued += self.queue_orders(run.id, works, newest).await?;
            self.wake_lanes();
        }
        drop(pages);
        if request.dry_run {
            self.enter_phase(run, SyncPhase::Planning);
            to_preview.sort_by_key(|o| o.processed_at);
            report.orders = self.preview(&to_preview).await?;
            return Ok(report);
        }
        if report.queued == 0 {
            return Ok(report);
        }
        self.enter_phase(run, SyncPhase::Writing);
        self.wake_lanes();
        let settled = self.follow_jobs(run).await?;
        report.carried = settled.done;
        report.failed = settled.failed + settled.dead;
        // Each row says what became of its order, and why when it waits for a person.
        let gids: Vec<String> = report.orders.iter().map(|o| o.shopify_order_gid.clone()).collect();
        let links = self
            .blocking(move |app| {
                let mut out = HashMap::new();
                for gid in gids {
                    let link = app.store.order_link(&gid)?;
                    let error = app.store.last_error_of(&pos_order_entity(&gid))?;
                    out.insert(gid, (link, error));
                }
                Ok(out)
            })
            .await?;
        for row in &mut report.orders {
            let Some((link, error)) = links.get(&row.shopify_order_gid) else { continue };
            if let Some(link) = link {
                row.action = match link.state {
                    OrderLinkState::Created => "carried",
                    OrderLinkState::NeedsAttention => "held",
                    OrderLinkState::Creating => "in doubt",
                    OrderLinkState::Skipped => "skipped",
                }
                .into();
            }
            row.reason = link.as_ref().and_then(|l| l.reason.clone()).or(error.clone());
        }
        Ok(report)
    }

    /// Queues one job per order of a page, and moves the cursor past the page: the cursor moves
    /// only once the orders it passes are queued. Returns how many were queued.
    async fn queue_orders(
        &self,
        run_id: i64,
        works: Vec<PosOrderWork>,
        newest: Option<DateTime<Utc>>,
    ) -> Result<u64, ApiError> {
        self.blocking(move |app| {
            let now = app.now();
            let queued = app.store.write(|tx| {
                let mut queued = 0;
                for work in works {
                    let job = new_job(&Work::PosOrder(work), Some(run_id))
                        .map_err(|e| tillbridge_store::StoreError::Refused(e.message))?;
                    enqueue_in(tx, &job, now)?;
                    queued += 1;
                }
                Ok(queued)
            })?;
            if let Some(newest) = newest {
                let old: Option<DateTime<Utc>> = app.store.setting(CURSOR)?;
                app.store.set_setting(CURSOR, &old.map_or(newest, |o| o.max(newest)), now)?;
            }
            Ok(queued)
        })
        .await
    }

    /// Records, as needing attention, each order Tillbridge does not carry (`why`) that has a refund:
    /// the refund cannot follow an order BigCommerce does not have, and is never dropped silently.
    /// Orders already linked are not touched (their refunds are carried by their jobs).
    async fn flag_uncarried_refunds(&self, orders: &[PosOrder], why: &str) -> Result<(), ApiError> {
        let flagged: Vec<OrderLinkUpdate> = orders
            .iter()
            .filter(|o| !o.refunds.is_empty())
            .map(|o| OrderLinkUpdate {
                shopify_order_gid: o.id.0.clone(),
                name: o.name.clone(),
                shopify_total: Some(o.total),
                currency: Some(o.currency.clone()),
                retail_location_gid: o.retail_location.as_ref().map(|l| l.id.0.clone()),
                processed_at: Some(o.processed_at),
                reason: Some(format!(
                    "a refund of {:.2} {} was made on an order BigCommerce does not have, because {why}: record it in BigCommerce by hand",
                    o.total_refunded, o.currency
                )),
                ..OrderLinkUpdate::default()
            })
            .collect();
        if flagged.is_empty() {
            return Ok(());
        }
        self.blocking(move |app| {
            for link in flagged {
                let linked =
                    app.store.order_link(&link.shopify_order_gid)?.is_some_and(|l| l.state == OrderLinkState::Created);
                if !linked {
                    app.store.save_order_link(OrderLinkState::NeedsAttention, &link, app.now())?;
                }
            }
            Ok(())
        })
        .await
    }

    /// Keeps the orders a page read for their jobs, in memory.
    fn keep_read(&self, orders: Vec<PosOrder>) {
        let mut read = self.runtime.orders_read.lock().unwrap_or_else(|p| p.into_inner());
        // A backlog nobody carries (the lanes run in another process) must not grow forever.
        if read.len() > READ_ORDERS_KEPT {
            read.clear();
        }
        for order in orders {
            read.insert(read_key(&order.id.0, &version_of(&order)), order);
        }
    }

    /// What each order would become, planned as the job would plan it but without sending or
    /// creating anything: the customer is the linked one, else shown as a guest.
    async fn preview(&self, orders: &[PosOrder]) -> Result<Vec<OrderPreview>, ApiError> {
        let settings = OrderSettings::load(self).await?;
        let variant_gids: Vec<String> = orders
            .iter()
            .flat_map(|o| &o.line_items)
            .filter_map(|l| l.variant_id.as_ref().map(|v| v.0.clone()))
            .collect();
        let order_gids: Vec<String> = orders.iter().map(|o| o.id.0.clone()).collect();
        let (catalog, links) = self
            .blocking(move |app| {
                let catalog: HashMap<String, CatalogVariant> = app
                    .store
                    .matched_bigcommerce_variants(&variant_gids)?
                    .into_iter()
                    .map(|(gid, (product_id, variant_id))| (gid, CatalogVariant { product_id, variant_id }))
                    .collect();
                let mut links = HashMap::new();
                for gid in order_gids {
                    if let Some(link) = app.store.order_link(&gid)? {
                        links.insert(gid, link.state);
                    }
                }
                Ok((catalog, links))
            })
            .await?;
        let mut out = Vec::with_capacity(orders.len());
        for order in orders {
            let sale = sale_of(order);
            let ctx = OrderContext {
                channel_id: settings.channel_id.unwrap_or_default(),
                store_currencies: &settings.store_currencies,
                catalog: &catalog,
                customer_id: 0,
                billing: billing_of(order),
            };
            let mut row = queued_row(order);
            if links.get(&order.id.0) == Some(&OrderLinkState::Created) {
                let edit = order_edit(&sale);
                row.action = "update".into();
                row.payment_method = edit.payment_method;
                out.push(row);
                continue;
            }
            match draft_order(&sale, &ctx) {
                Ok(draft) => {
                    row.action = "create".into();
                    row.payment_method = draft.payment_method.clone();
                    row.unmatched = draft.unmatched.clone();
                    row.body = Some(preview_body(&draft));
                }
                Err(refusal) => {
                    row.action = "held".into();
                    row.reason = Some(refusal.to_string());
                }
            }
            out.push(row);
        }
        Ok(out)
    }
}

/// The jobs' payloads: ids and the version read, nothing personal.
fn works_of(orders: &[PosOrder]) -> Vec<PosOrderWork> {
    orders
        .iter()
        .map(|o| PosOrderWork {
            order_gid: o.id.to_string(),
            name: o.name.clone(),
            updated_at: o.updated_at,
            version: version_of(o),
        })
        .collect()
}

fn queued_row(order: &PosOrder) -> OrderPreview {
    let sale = sale_of(order);
    OrderPreview {
        shopify_order_gid: order.id.0.clone(),
        name: order.name.clone(),
        action: "queued".into(),
        shopify_total: format!("{:.2}", order.total),
        currency: order.currency.clone(),
        status_id: status_for(&sale).id(),
        payment_method: String::new(),
        lines: order.line_items.len() as u32,
        unmatched: Vec::new(),
        refunds: order.refunds.len() as u32,
        reason: None,
        body: None,
    }
}

/// The order body a dry run shows, in BigCommerce's field names, without the billing address.
fn preview_body(d: &tillbridge_domain::orders::OrderDraft) -> serde_json::Value {
    let money = |m: rust_decimal::Decimal| format!("{:.4}", m);
    let lines: Vec<serde_json::Value> = d
        .lines
        .iter()
        .map(|l| match l {
            DraftLine::Catalog { product_id, variant_id, quantity, price_inc_tax, price_ex_tax, .. } => {
                serde_json::json!({"product_id": product_id, "variant_id": variant_id, "quantity": quantity,
                    "price_inc_tax": money(*price_inc_tax), "price_ex_tax": money(*price_ex_tax)})
            }
            DraftLine::Custom { name, sku, quantity, price_inc_tax, price_ex_tax, .. } => {
                serde_json::json!({"name": name, "sku": sku, "quantity": quantity,
                    "price_inc_tax": money(*price_inc_tax), "price_ex_tax": money(*price_ex_tax)})
            }
        })
        .collect();
    serde_json::json!({
        "status_id": d.status.id(),
        "channel_id": d.channel_id,
        "external_source": d.external_source,
        "external_order_id": d.external_order_id,
        "products": lines,
        "discount_amount": money(d.discount_amount),
        "subtotal_ex_tax": money(d.subtotal_ex_tax),
        "subtotal_inc_tax": money(d.subtotal_inc_tax),
        "shipping_cost_ex_tax": money(d.shipping_ex_tax),
        "shipping_cost_inc_tax": money(d.shipping_inc_tax),
        "total_ex_tax": money(d.total_ex_tax),
        "total_inc_tax": money(d.total_inc_tax),
        "payment_method": d.payment_method,
        "staff_notes": d.staff_notes,
    })
}
