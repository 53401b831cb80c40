//! Pacing for Shopify's leaky bucket of query-cost points.
//!
//! Shopify deducts a query's *requested* cost before running it and refunds the difference to the
//! actual cost afterwards; the bucket refills at `restoreRate` points per second up to
//! `maximumAvailable`. Each response reports the bucket (`extensions.cost.throttleStatus`). The
//! governor keeps that picture current and holds a request back until the bucket can pay for it,
//! so the store never has to answer THROTTLED.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

#[derive(Debug, Default)]
pub struct CostGovernor {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    bucket: Option<(ThrottleStatus, Instant)>,
    /// Points requested by calls sent but not yet answered.
    reserved: f64,
    in_flight: u32,
}

impl State {
    fn available(&self, now: Instant) -> Option<f64> {
        let (b, at) = self.bucket?;
        let refilled = b.currently_available + b.restore_rate * now.saturating_duration_since(at).as_secs_f64();
        Some(refilled.min(b.maximum_available) - self.reserved)
    }
}

impl CostGovernor {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the bucket can pay `cost` points, then reserves them.
    pub async fn acquire(&self, cost: f64) {
        loop {
            let wait = {
                let mut s = self.state();
                let now = Instant::now();
                match (s.available(now), s.bucket) {
                    // Nothing known yet: one probe at a time until the first report.
                    (None, _) if s.in_flight == 0 => {
                        s.in_flight += 1;
                        s.reserved += cost;
                        return;
                    }
                    (None, _) => Duration::from_millis(20),
                    (Some(avail), Some((b, _))) => {
                        // A cost above the bucket size can never be paid in full; send it when the bucket is full.
                        let need = cost.min(b.maximum_available);
                        if avail >= need {
                            s.in_flight += 1;
                            s.reserved += cost;
                            return;
                        }
                        Duration::from_secs_f64((need - avail) / b.restore_rate.max(0.001))
                    }
                    (Some(_), None) => Duration::from_millis(20),
                }
            };
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Records a response: releases the reservation and takes the reported bucket as the truth.
    pub fn settle(&self, reserved_cost: f64, status: Option<ThrottleStatus>) {
        let mut s = self.state();
        s.reserved = (s.reserved - reserved_cost).max(0.0);
        s.in_flight = s.in_flight.saturating_sub(1);
        if let Some(status) = status {
            s.bucket = Some((status, Instant::now()));
        }
    }

    /// Points available now, as far as we know; for the audit log.
    pub fn available(&self) -> Option<f64> {
        self.state().available(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(current: f64) -> Option<ThrottleStatus> {
        Some(ThrottleStatus { maximum_available: 1000.0, currently_available: current, restore_rate: 100.0 })
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_bucket_to_refill_enough_for_the_next_query() {
        let g = CostGovernor::default();
        g.acquire(50.0).await;
        g.settle(50.0, status(100.0));
        g.acquire(80.0).await; // 100 available: goes at once
        let start = Instant::now();
        g.acquire(80.0).await; // 20 left: needs 60 more points at 100/s
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(600), "a query waits until its cost is covered (waited {waited:?})");
        assert!(waited < Duration::from_millis(700), "and no longer (waited {waited:?})");
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_reservations_share_one_bucket() {
        let g = std::sync::Arc::new(CostGovernor::default());
        g.acquire(10.0).await;
        g.settle(10.0, status(300.0));
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let g = g.clone();
                tokio::spawn(async move { g.acquire(100.0).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        // 500 points requested from 300: the last two wait for 200 points at 100/s.
        assert!(start.elapsed() >= Duration::from_millis(2_000), "tasks cannot all spend the same points");
    }
}
