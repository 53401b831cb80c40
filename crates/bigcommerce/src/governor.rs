//! Pacing for BigCommerce's per-store request quota.
//!
//! BigCommerce counts every request against a quota per fixed window (150 per 30 s on the
//! Standard plan) shared by all apps on the store, and reports after each call how many requests
//! are left and how long until the window resets. One governor per store connection is shared by
//! every task, so twenty concurrent tasks spend one budget instead of twenty.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The four `X-Rate-Limit-*` headers of one response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QuotaReport {
    pub requests_left: i64,
    pub reset_in: Duration,
    pub window: Duration,
    pub quota: i64,
}

#[derive(Debug)]
pub struct Governor {
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// Requests we may still send in the current window; None until a response has told us.
    budget: Option<i64>,
    window_end: Option<Instant>,
    quota: Option<i64>,
    in_flight: i64,
}

/// Slack after the advertised reset, for clock granularity: sending one millisecond early costs a 429.
const RESET_MARGIN: Duration = Duration::from_millis(15);

impl Default for Governor {
    fn default() -> Governor {
        Governor { state: Mutex::new(State { budget: None, window_end: None, quota: None, in_flight: 0 }) }
    }
}

impl Governor {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until a request may be sent, and reserves it. Call [`Governor::settle`] when the
    /// response (or the failure) arrives.
    pub async fn acquire(&self) {
        self.acquire_announcing(|_| {}).await;
    }

    /// [`Governor::acquire`], calling `on_wait` with each wait before it begins.
    pub async fn acquire_announcing(&self, on_wait: impl Fn(Duration)) {
        loop {
            let wait = {
                let mut s = self.state();
                let now = Instant::now();
                if let Some(end) = s.window_end
                    && now >= end + RESET_MARGIN
                {
                    // A new window has begun. Requests still in flight may land in it.
                    s.budget = s.quota.map(|q| q - s.in_flight);
                    s.window_end = None;
                }
                match s.budget {
                    // Before the first response we know nothing: one probe request at a time.
                    None if s.in_flight == 0 => {
                        s.in_flight += 1;
                        return;
                    }
                    None => Duration::from_millis(20),
                    Some(b) if b > 0 => {
                        s.budget = Some(b - 1);
                        s.in_flight += 1;
                        return;
                    }
                    Some(_) => match s.window_end {
                        Some(end) => (end + RESET_MARGIN).saturating_duration_since(now),
                        None => Duration::from_millis(20),
                    },
                }
            };
            on_wait(wait);
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Records the outcome of a reserved request: the quota headers if the response had them.
    pub fn settle(&self, report: Option<QuotaReport>) {
        let mut s = self.state();
        s.in_flight = (s.in_flight - 1).max(0);
        let Some(r) = report else { return };
        let now = Instant::now();
        let end = now + r.reset_in;
        s.quota = Some(r.quota);
        // Other requests of ours are still on their way and will spend from what is left.
        let left = r.requests_left - s.in_flight;
        let same_window = s.window_end.is_some_and(|known| end <= known + r.window / 2);
        s.budget = Some(match (same_window, s.budget) {
            // Responses can arrive out of order; within one window the smallest count is the true one.
            (true, Some(b)) => b.min(left),
            _ => left,
        });
        if !same_window || s.window_end.is_none_or(|known| end > known) {
            s.window_end = Some(end);
        }
    }

    /// A 429: nothing more is sent until the advertised reset.
    pub fn rate_limited(&self, reset_in: Duration) {
        let mut s = self.state();
        s.in_flight = (s.in_flight - 1).max(0);
        s.budget = Some(0);
        s.window_end = Some(Instant::now() + reset_in);
    }

    /// Requests left in the window as far as we know, for the audit log.
    pub fn budget(&self) -> Option<i64> {
        self.state().budget
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(left: i64, reset_ms: u64) -> Option<QuotaReport> {
        Some(QuotaReport {
            requests_left: left,
            reset_in: Duration::from_millis(reset_ms),
            window: Duration::from_secs(30),
            quota: 150,
        })
    }

    #[tokio::test(start_paused = true)]
    async fn stops_when_the_quota_is_spent_and_resumes_after_the_reset() {
        let g = Governor::default();
        g.acquire().await;
        g.settle(report(2, 10_000));
        g.acquire().await;
        g.acquire().await;
        let start = Instant::now();
        g.settle(report(0, 10_000));
        g.settle(report(1, 10_000));
        g.acquire().await;
        let waited = start.elapsed();
        assert!(
            waited >= Duration::from_millis(10_000),
            "nothing is sent before the window resets (waited {waited:?})"
        );
        assert!(waited < Duration::from_millis(10_200), "but it resumes right after (waited {waited:?})");
    }

    #[tokio::test(start_paused = true)]
    async fn a_stale_higher_count_does_not_raise_the_budget() {
        let g = Governor::default();
        g.acquire().await;
        g.settle(report(5, 20_000));
        g.acquire().await;
        g.acquire().await;
        g.settle(report(3, 19_990)); // 3 left on the server, one of ours still on its way: 2 for us
        g.settle(report(4, 19_995)); // sent earlier, answered later
        assert_eq!(g.budget(), Some(2), "out-of-order responses must not hand back spent requests");
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_blocks_until_its_reset() {
        let g = Governor::default();
        g.acquire().await;
        g.settle(report(100, 30_000));
        g.acquire().await;
        g.rate_limited(Duration::from_millis(4_000));
        let start = Instant::now();
        g.acquire().await;
        assert!(start.elapsed() >= Duration::from_millis(4_000), "after a 429 the advertised reset is honoured");
    }
}
