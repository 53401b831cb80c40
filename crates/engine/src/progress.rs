//! What a running sync reports to the UI: its phase, how far it is, and when it should end.
//!
//! The estimate accounts for rate limits: a write can never go faster than the store allows,
//! so the time left is the larger of what the writes so far took and what the limits impose.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::catalog::ChangeCount;
use tillbridge_store::Scope;
use tillbridge_transport::{System, WaitCause, WaitSink};

use crate::clock::Clock;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum SyncPhase {
    Idle,
    ReadingBigcommerce,
    ReadingShopify,
    Matching,
    Planning,
    Writing,
    Done,
    Failed,
    Cancelled,
}

impl SyncPhase {
    pub fn as_str(self) -> &'static str {
        match self {
            SyncPhase::Idle => "idle",
            SyncPhase::ReadingBigcommerce => "reading_bigcommerce",
            SyncPhase::ReadingShopify => "reading_shopify",
            SyncPhase::Matching => "matching",
            SyncPhase::Planning => "planning",
            SyncPhase::Writing => "writing",
            SyncPhase::Done => "done",
            SyncPhase::Failed => "failed",
            SyncPhase::Cancelled => "cancelled",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct SyncSummary {
    pub changes: usize,
    pub written: usize,
    /// Failed or refused: each waits in the Failed view with its reason.
    pub failed: usize,
    /// Replaced by a newer plan for the same field, or cancelled before they went out.
    pub superseded: usize,
    /// Still queued when the run stopped following them (writes paused, or retries due later).
    pub queued: usize,
    pub by_kind: Vec<ChangeCount>,
}

#[derive(Debug, Clone, PartialEq, Serialize, ts_rs::TS)]
pub struct SyncProgress {
    pub running: bool,
    pub run_id: Option<i64>,
    pub mode: Option<Scope>,
    pub dry_run: bool,
    pub phase: SyncPhase,
    pub done: u64,
    pub total: u64,
    pub eta_s: Option<f64>,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
    /// Set when a run stopped before writing: why it waits for a person's approval.
    pub approval_reason: Option<String>,
    pub summary: Option<SyncSummary>,
    /// While a run goes: what a store's client is waiting on right now (no answer, or a rate
    /// limit), which an estimate cannot tell. None when nothing holds the requests back.
    pub waiting: Option<StoreWait>,
    /// The planned changes: each is one field of one item. `done` and `total` count writes while
    /// writing (one write may carry several changes of an item), and variants read before.
    pub changes: Option<u64>,
}

/// A store's client holding its requests back, and until when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct StoreWait {
    pub system: System,
    pub cause: WaitCause,
    pub until: DateTime<Utc>,
    /// Whole seconds from the answer to `until`, rounded up, so a wait never reads "0 s".
    pub seconds_left: u64,
}

/// What each store waits on, and until when.
type WaitsByStore = HashMap<System, (WaitCause, DateTime<Utc>)>;

/// The latest wait each store's client announced, with when it ends; shared by every client of
/// this process, so any run can say what holds the stores back.
#[derive(Debug, Clone)]
pub(crate) struct StoreWaits {
    clock: Arc<dyn Clock>,
    /// One wait per store: its newest announcement replaces the older one.
    latest: Arc<Mutex<WaitsByStore>>,
}

impl StoreWaits {
    pub fn new(clock: Arc<dyn Clock>) -> StoreWaits {
        StoreWaits { clock, latest: Arc::default() }
    }

    /// The wait that ends last among those not over at `now`.
    pub fn current(&self, now: DateTime<Utc>) -> Option<StoreWait> {
        let latest = self.latest.lock().unwrap_or_else(|p| p.into_inner());
        latest.iter().filter(|(_, (_, until))| *until > now).max_by_key(|(_, (_, until))| *until).map(
            |(&system, &(cause, until))| {
                let ms = (until - now).num_milliseconds().max(0) as u64;
                StoreWait { system, cause, until, seconds_left: ms.div_ceil(1000) }
            },
        )
    }
}

impl WaitSink for StoreWaits {
    fn waiting(&self, system: System, cause: WaitCause, wait: Duration) {
        let until = self.clock.now() + chrono::Duration::from_std(wait).unwrap_or(chrono::Duration::MAX);
        self.latest.lock().unwrap_or_else(|p| p.into_inner()).insert(system, (cause, until));
    }
}

impl SyncProgress {
    pub fn idle() -> SyncProgress {
        SyncProgress {
            running: false,
            run_id: None,
            mode: None,
            dry_run: false,
            phase: SyncPhase::Idle,
            done: 0,
            total: 0,
            eta_s: None,
            started_at: None,
            finished_at: None,
            error: None,
            approval_reason: None,
            summary: None,
            waiting: None,
            changes: None,
        }
    }
}

/// The slowest each kind of write may go at the connected stores' limits.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WritePace {
    /// BigCommerce: one request per (window / quota), e.g. 30 s / 150.
    pub bigcommerce_per_request: Duration,
    /// Shopify: a write's cost divided by the bucket's restore rate, e.g. 10 / 100 per second.
    pub shopify_per_request: Duration,
}

impl Default for WritePace {
    /// The Standard plans: 150 BigCommerce requests per 30 s; Shopify restores 100 points a second.
    fn default() -> WritePace {
        WritePace {
            bigcommerce_per_request: Duration::from_millis(200),
            shopify_per_request: Duration::from_millis(100),
        }
    }
}

/// Seconds left for `left_bc` BigCommerce and `left_sh` Shopify writes, given that `done` writes
/// took `elapsed`. The two stores are written concurrently, so the floor is the slower of them.
pub fn estimate_seconds_left(pace: WritePace, left_bc: u64, left_sh: u64, done: u64, elapsed: Duration) -> f64 {
    let floor_bc = pace.bigcommerce_per_request.as_secs_f64() * left_bc as f64;
    let floor_sh = pace.shopify_per_request.as_secs_f64() * left_sh as f64;
    let floor = floor_bc.max(floor_sh);
    let observed = if done == 0 { 0.0 } else { elapsed.as_secs_f64() / done as f64 * (left_bc + left_sh) as f64 };
    floor.max(observed)
}

/// The shared, live progress of a capability's one run at a time, in this process.
#[derive(Debug, Clone)]
pub(crate) struct ProgressCell(Arc<Mutex<SyncProgress>>);

impl Default for ProgressCell {
    fn default() -> ProgressCell {
        ProgressCell(Arc::new(Mutex::new(SyncProgress::idle())))
    }
}

impl ProgressCell {
    pub fn get(&self) -> SyncProgress {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }

    pub fn update(&self, f: impl FnOnce(&mut SyncProgress)) {
        f(&mut self.0.lock().unwrap_or_else(|p| p.into_inner()));
    }

    /// Claims the right to run; false when a sync is already running.
    pub fn try_start(&self, mode: Scope, dry_run: bool, now: DateTime<Utc>) -> bool {
        let mut p = self.0.lock().unwrap_or_else(|p| p.into_inner());
        if p.running {
            return false;
        }
        *p = SyncProgress {
            running: true,
            mode: Some(mode),
            dry_run,
            phase: SyncPhase::ReadingBigcommerce,
            started_at: Some(now),
            ..SyncProgress::idle()
        };
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_never_beats_the_rate_limits() {
        let pace = WritePace::default();
        let fast_so_far = estimate_seconds_left(pace, 150, 0, 10, Duration::from_millis(10));
        assert!(
            (fast_so_far - 30.0).abs() < 1e-9,
            "150 BigCommerce writes take at least one 30 s window, however fast the first ones went"
        );
        let slow_so_far = estimate_seconds_left(pace, 10, 0, 10, Duration::from_secs(20));
        assert!(
            (slow_so_far - 20.0).abs() < 1e-9,
            "when writes go slower than the limits, the observed pace is the estimate"
        );
        let both = estimate_seconds_left(pace, 10, 100, 0, Duration::ZERO);
        assert!((both - 10.0).abs() < 1e-9, "the stores are written side by side, so the slower one sets the time");
    }

    #[derive(Debug)]
    struct Fixed(DateTime<Utc>);
    impl Clock for Fixed {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    #[test]
    fn a_wait_is_told_until_it_ends_and_the_longest_one_is_shown() {
        let t0 = Utc::now();
        let waits = StoreWaits::new(Arc::new(Fixed(t0)));
        assert_eq!(waits.current(t0), None, "nothing announced, nothing waits");
        waits.waiting(System::Shopify, WaitCause::NotAnswering, Duration::from_millis(7_200));
        let wait = waits.current(t0).expect("an announced wait is current");
        assert_eq!((wait.system, wait.cause), (System::Shopify, WaitCause::NotAnswering), "names store and cause");
        assert_eq!(wait.seconds_left, 8, "7.2 s left reads as 8 s, rounded up");
        waits.waiting(System::BigCommerce, WaitCause::RateLimited, Duration::from_secs(25));
        assert_eq!(waits.current(t0).map(|w| w.system), Some(System::BigCommerce), "the wait that ends last shows");
        let later = t0 + chrono::Duration::seconds(26);
        assert_eq!(waits.current(later), None, "once every wait is over, nothing is shown");
        waits.waiting(System::BigCommerce, WaitCause::NotAnswering, Duration::from_secs(2));
        assert_eq!(
            waits.current(t0).map(|w| w.cause),
            Some(WaitCause::NotAnswering),
            "a store's newest wait replaces its older one"
        );
    }

    #[test]
    fn only_one_sync_runs_at_a_time() {
        let cell = ProgressCell::default();
        let now = Utc::now();
        assert!(cell.try_start(Scope::Full, false, now), "the first start is accepted");
        assert!(!cell.try_start(Scope::Delta, true, now), "a second start while one runs is refused");
        cell.update(|p| p.running = false);
        assert!(cell.try_start(Scope::Delta, true, now), "once finished, a new sync may start");
    }
}
