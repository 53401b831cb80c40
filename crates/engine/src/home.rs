//! The home screen an operator opens before opening hours: what ran overnight and what runs next,
//! what landed, failed and waits, what needs a person, what was carried since the last visit, and
//! each store's health from its real requests. Plus the charts' series. Read-only: every figure is
//! counted from the capabilities' own tables, so the home and the screens it links to agree.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::work::Capability;
use tillbridge_store::{MappingClassCounts, OrdersHour, QueueTotals, QuotaHour};

use crate::runtime::STOCK_POLL;
use crate::runtime::health::StoreHealth;
use crate::runtime::runs::{RunView, run_view};
use crate::stock::ValidationView;
use crate::stock::drift::validation_view;
use crate::{ApiError, App};

/// How far back the home looks when the screen has no last visit to give: a night.
const DEFAULT_LOOKBACK: Duration = Duration::hours(16);
/// How many hours the charts cover.
const CHART_HOURS: i64 = 24;
/// How many runs the sync-history chart shows.
const HISTORY_RUNS: u32 = 60;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct HomeQuery {
    /// The operator's last visit; the figures "since" count from it. Defaults to 16 hours ago.
    pub since: Option<DateTime<Utc>>,
}

/// One kind of run: its last run, and when the next one comes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CapabilityRuns {
    pub capability: Capability,
    pub last: Option<RunView>,
    /// When the next scheduled run of this kind starts, where a moment is known.
    pub next_at: Option<DateTime<Utc>>,
    /// How the next run comes, in words: "every morning at 06:30 (Europe/London)", "polled every 30 s".
    pub cadence: String,
}

/// What waits for a person, each counted where the screen that resolves it counts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ReviewCounts {
    pub unmatched: u64,
    pub conflict: u64,
    pub ambiguous: u64,
    pub stock_conflicts: u64,
    /// POS orders and refunds BigCommerce or the planner refused.
    pub orders_needing_attention: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HomeView {
    pub now: DateTime<Utc>,
    pub since: DateTime<Utc>,
    pub runs: Vec<CapabilityRuns>,
    pub queue: QueueTotals,
    pub review: ReviewCounts,
    /// POS orders whose BigCommerce order was made since `since`.
    pub orders_carried: u64,
    /// Stock writes that landed since `since` (one item at one location of one store each).
    pub stock_moved: u64,
    pub health: Vec<StoreHealth>,
    pub paused: bool,
}

/// One run of the sync history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct HistoryPoint {
    pub run_id: i64,
    pub capability: Capability,
    pub started_at: DateTime<Utc>,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
    pub duration_ms: Option<u64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct ChartsView {
    /// The first hour the hourly series cover; they end at the current hour.
    pub from_hour: DateTime<Utc>,
    pub hours: u32,
    pub quota: Vec<QuotaHour>,
    /// Finished runs that were not dry runs, oldest first.
    pub history: Vec<HistoryPoint>,
    pub orders: Vec<OrdersHour>,
    /// Every kept validation, oldest first.
    pub drift: Vec<ValidationView>,
}

fn review(mapping: MappingClassCounts, stock_conflicts: u64, orders: u64) -> ReviewCounts {
    ReviewCounts {
        unmatched: mapping.unmatched,
        conflict: mapping.conflict,
        ambiguous: mapping.ambiguous,
        stock_conflicts,
        orders_needing_attention: orders,
    }
}

impl App {
    pub async fn home(&self, q: HomeQuery) -> Result<HomeView, ApiError> {
        self.blocking(move |app| {
            let now = app.now();
            let since = q.since.filter(|s| *s <= now).unwrap_or(now - DEFAULT_LOOKBACK);
            let schedule = app.schedule_view()?;
            let cadence = |capability: Capability| -> Result<(Option<DateTime<Utc>>, String), ApiError> {
                Ok(match capability {
                    Capability::Catalog => match (&schedule.at, &schedule.time_zone, schedule.enabled) {
                        (Some(at), Some(zone), true) => {
                            (schedule.next_run_at, format!("full sync every morning at {at} ({zone})"))
                        }
                        _ => (None, "no morning sync is scheduled: set one in Settings".into()),
                    },
                    Capability::Stock => (
                        app.next_stock_check()?,
                        format!("polled every {} s, checked whole every 6 h", STOCK_POLL.as_secs()),
                    ),
                    Capability::Orders => (None, format!("polled every {} s", STOCK_POLL.as_secs())),
                })
            };
            let mut runs = Vec::new();
            for capability in [Capability::Catalog, Capability::Stock, Capability::Orders] {
                let (_, last) = app.store.sync_runs_page(Some(capability), 0, 1)?;
                let (next_at, cadence) = cadence(capability)?;
                runs.push(CapabilityRuns { capability, last: last.into_iter().next().map(run_view), next_at, cadence });
            }
            let orders = app.store.order_link_counts()?;
            Ok(HomeView {
                now,
                since,
                runs,
                queue: app.store.queue_totals(since)?,
                review: review(
                    app.store.mapping_counts()?,
                    app.store.open_stock_conflicts()?,
                    orders.needs_attention + orders.refunds_needing_attention,
                ),
                orders_carried: app.store.orders_carried_since(since)?,
                stock_moved: app.store.stock_moved_since(since)?,
                health: app.store_health()?,
                paused: app.paused_now()?,
            })
        })
        .await
    }

    pub async fn charts(&self) -> Result<ChartsView, ApiError> {
        self.blocking(|app| {
            let now = app.now();
            let quota = app.store.quota_by_hour(now, CHART_HOURS)?;
            let orders = app.store.orders_by_hour(now, CHART_HOURS)?;
            let (_, runs) = app.store.sync_runs_page(None, 0, u64::from(HISTORY_RUNS))?;
            let mut history: Vec<HistoryPoint> = runs
                .into_iter()
                .map(run_view)
                .filter(|r| !r.dry_run && r.finished_at.is_some())
                .map(|r| HistoryPoint {
                    run_id: r.id,
                    capability: r.capability,
                    started_at: r.started_at,
                    changes: r.changes,
                    written: r.written,
                    failed: r.failed,
                    duration_ms: r.duration_ms,
                })
                .collect();
            history.reverse();
            let mut drift: Vec<ValidationView> =
                app.store.stock_validations(tillbridge_store::VALIDATIONS_KEPT)?.iter().map(validation_view).collect();
            drift.reverse();
            let current = tillbridge_store::hour_start(now);
            Ok(ChartsView {
                from_hour: current - Duration::hours(CHART_HOURS - 1),
                hours: CHART_HOURS as u32,
                quota,
                history,
                orders,
                drift,
            })
        })
        .await
    }
}
