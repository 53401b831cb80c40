//! Pacing for Shopify's leaky bucket of query-cost points.
//!
//! Shopify deducts a query's *requested* cost before running it and refunds the difference to the
//! actual cost afterwards; the bucket refills at `restoreRate` points per second up to
//! `maximumAvailable`. Each response reports the bucket (`extensions.cost.throttleStatus`). The
//! governor keeps that picture current and holds a request back until the bucket can pay for it,
//! so the store never has to answer THROTTLED.
//!
//! A report describes the bucket at the moment Shopify answered, and answers to concurrent
//! requests can arrive in any order. An answer that overtook an older one has already been
//! released from the reservations, yet the older report may not include what it spent; taking
//! that report as the truth would overestimate the bucket and invite a THROTTLED. So a report
//! that was overtaken is reduced by what the overtaking answers spent (or, where that counts them
//! twice, replaced by the governor's own running model, never above the report).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleStatus {
    pub maximum_available: f64,
    pub currently_available: f64,
    pub restore_rate: f64,
}

/// A reservation for one request: hand it back to [`CostGovernor::settle`] with the answer.
#[derive(Debug)]
#[must_use = "a reservation is released only by settling it"]
pub struct Ticket {
    cost: f64,
    /// How many answers had been settled when this request was sent.
    answers_before: u64,
}

impl Ticket {
    pub fn cost(&self) -> f64 {
        self.cost
    }
}

/// What one answer told us about the bucket.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Answer {
    /// The bucket as the answer reported it; None when there was no usable body (5xx, cut).
    pub status: Option<ThrottleStatus>,
    /// Points the request really took: `actualQueryCost`, 0 when it was throttled, the full
    /// reservation when we cannot know (a cut connection may have run the query).
    pub spent: f64,
}

#[derive(Debug, Default)]
pub struct CostGovernor {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// Our estimate of the bucket at an instant, before subtracting reservations.
    bucket: Option<(ThrottleStatus, Instant)>,
    /// Points requested by calls sent but not yet answered.
    reserved: f64,
    in_flight: u32,
    /// Answers settled so far, and what each recent one spent (by settle number).
    answers: u64,
    spent_log: VecDeque<(u64, f64)>,
    /// `answers_before` of the tickets in flight, to know how much of the log is still needed.
    open_tickets: Vec<u64>,
}

/// Enough history for thousands of concurrent requests; older entries are dropped once no
/// ticket in flight can need them.
const SPENT_LOG_CAP: usize = 65_536;

impl State {
    fn refilled(&self, now: Instant) -> Option<(ThrottleStatus, f64)> {
        let (b, at) = self.bucket?;
        let refilled = b.currently_available + b.restore_rate * now.saturating_duration_since(at).as_secs_f64();
        Some((b, refilled.min(b.maximum_available)))
    }

    fn available(&self, now: Instant) -> Option<f64> {
        self.refilled(now).map(|(_, points)| points - self.reserved)
    }

    fn spent_since(&self, answers_before: u64) -> f64 {
        self.spent_log.iter().filter(|(n, _)| *n > answers_before).map(|(_, s)| s).sum()
    }
}

impl CostGovernor {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until the bucket can pay `cost` points, then reserves them.
    pub async fn acquire(&self, cost: f64) -> Ticket {
        self.acquire_announcing(cost, |_| {}).await
    }

    /// [`Governor::acquire`], calling `on_wait` with each wait before it begins.
    pub async fn acquire_announcing(&self, cost: f64, on_wait: impl Fn(Duration)) -> Ticket {
        loop {
            let wait = {
                let mut s = self.state();
                let wait = match s.refilled(Instant::now()) {
                    // Nothing known yet: one probe at a time until the first report.
                    None if s.in_flight == 0 => None,
                    None => Some(Duration::from_millis(20)),
                    Some((b, points)) => {
                        // A cost above the bucket size can never be paid in full; send it when the bucket is full.
                        let need = cost.min(b.maximum_available);
                        let avail = points - s.reserved;
                        (avail < need).then(|| Duration::from_secs_f64((need - avail) / b.restore_rate.max(0.001)))
                    }
                };
                match wait {
                    Some(wait) => wait,
                    None => {
                        s.in_flight += 1;
                        s.reserved += cost;
                        let answers_before = s.answers;
                        s.open_tickets.push(answers_before);
                        return Ticket { cost, answers_before };
                    }
                }
            };
            on_wait(wait);
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
    }

    /// Records an answer: releases the reservation and updates the picture of the bucket.
    pub fn settle(&self, ticket: Ticket, answer: Answer) {
        let mut s = self.state();
        let now = Instant::now();
        s.reserved = (s.reserved - ticket.cost).max(0.0);
        s.in_flight = s.in_flight.saturating_sub(1);
        if let Some(i) = s.open_tickets.iter().position(|t| *t == ticket.answers_before) {
            s.open_tickets.swap_remove(i);
        }
        // Answers that arrived while this request was out may be missing from its report.
        let overtaken = s.spent_since(ticket.answers_before);
        let model = s.refilled(now).map(|(b, points)| (b, points - answer.spent));
        s.answers += 1;
        let n = s.answers;
        s.spent_log.push_back((n, answer.spent));
        let oldest_needed = s.open_tickets.iter().copied().min().unwrap_or(n);
        while s.spent_log.front().is_some_and(|(k, _)| *k <= oldest_needed) || s.spent_log.len() > SPENT_LOG_CAP {
            s.spent_log.pop_front();
        }
        let estimate = match (answer.status, model) {
            // Nothing was answered while this request was out: the report is exact.
            (Some(report), _) if overtaken == 0.0 => report,
            (Some(report), Some((_, modelled))) => {
                // The report minus what overtaking answers spent is safe but may count them
                // twice; our own model, capped by the report, wastes less. A report is never
                // low by mistake, so the model may not rise above it.
                let corrected = (report.currently_available - overtaken).max(modelled.min(report.currently_available));
                ThrottleStatus { currently_available: corrected, ..report }
            }
            (Some(report), None) => {
                ThrottleStatus { currently_available: report.currently_available - overtaken, ..report }
            }
            (None, Some((b, modelled))) => ThrottleStatus { currently_available: modelled, ..b },
            (None, None) => return,
        };
        s.bucket = Some((estimate, now));
    }

    /// Points available now, as far as we know; for the audit log.
    pub fn available(&self) -> Option<f64> {
        self.state().available(Instant::now())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(current: f64) -> Answer {
        Answer {
            status: Some(ThrottleStatus {
                maximum_available: 1000.0,
                currently_available: current,
                restore_rate: 100.0,
            }),
            spent: 0.0,
        }
    }

    #[tokio::test(start_paused = true)]
    async fn waits_for_the_bucket_to_refill_enough_for_the_next_query() {
        let g = CostGovernor::default();
        let probe = g.acquire(50.0).await;
        g.settle(probe, report(100.0));
        let first = g.acquire(80.0).await; // 100 available: goes at once
        let start = Instant::now();
        let second = g.acquire(80.0).await; // 20 left: needs 60 more points at 100/s
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(600), "a query waits until its cost is covered (waited {waited:?})");
        assert!(waited < Duration::from_millis(700), "and no longer (waited {waited:?})");
        drop((first, second));
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_reservations_share_one_bucket() {
        let g = std::sync::Arc::new(CostGovernor::default());
        let probe = g.acquire(10.0).await;
        g.settle(probe, report(300.0));
        let start = Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let g = g.clone();
                tokio::spawn(async move { g.acquire(100.0).await })
            })
            .collect();
        for t in tasks {
            let _ticket = t.await.unwrap();
        }
        // 500 points requested from 300: the last two wait for 200 points at 100/s.
        assert!(start.elapsed() >= Duration::from_millis(2_000), "tasks cannot all spend the same points");
    }

    #[tokio::test(start_paused = true)]
    async fn a_late_report_cannot_resurrect_points_an_overtaking_answer_spent() {
        let g = CostGovernor::default();
        let probe = g.acquire(1.0).await;
        g.settle(probe, report(100.0));
        let slow = g.acquire(40.0).await;
        let fast = g.acquire(40.0).await;
        // The server ran `slow` first (report taken at 60) and `fast` second (report 20), but the
        // answer to `fast` arrived first.
        g.settle(fast, Answer { spent: 40.0, ..report(20.0) });
        g.settle(slow, Answer { spent: 40.0, ..report(60.0) });
        let known = g.available().unwrap();
        assert!(
            known <= 20.5,
            "the stale report of 60 must be reduced by what the overtaking answer spent, got {known}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_unanswered_request_is_assumed_to_have_spent_its_reservation() {
        let g = CostGovernor::default();
        let probe = g.acquire(1.0).await;
        g.settle(probe, report(100.0));
        let lost = g.acquire(30.0).await;
        g.settle(lost, Answer { status: None, spent: 30.0 });
        let known = g.available().unwrap();
        assert!(
            (69.0..=70.5).contains(&known),
            "a cut connection may have run the query, so its cost is gone: {known}"
        );
    }
}
