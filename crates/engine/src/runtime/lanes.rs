//! A lane: one store's due jobs, one request at a time.
//!
//! Each step takes the lane's lease (one holder across processes), reads the due jobs (highest
//! priority first; never an entity whose older job is still running), lets the capability that owns
//! the first of them pack what it can into one request, claims exactly those jobs, sends, and
//! settles each job from the answer. Claiming just before sending means a job marked `running` is
//! one whose request may be in flight: if the process dies, only those come back in doubt.

use std::time::Duration;

use chrono::{DateTime, Utc};
use tillbridge_domain::work::{Capability, Lane, Work};
use tillbridge_store::{AttemptOutcome, Job, Settlement};
use tillbridge_transport::Backoff;
use tokio_util::sync::CancellationToken;

use super::LEASE;
use super::work::work_of;
use crate::{ApiError, App};

/// How many due jobs a step looks at: enough for the largest catalog request (50 BigCommerce
/// variants with a few field groups each) with room to pick the most urgent.
const DUE_WINDOW: u32 = 500;
/// A BigCommerce stock adjustment takes 2,000 items; when the window is full of them, a step looks
/// this far, or it would cut them into several requests.
const STOCK_DUE_WINDOW: u32 = tillbridge_domain::stock::BIGCOMMERCE_ITEMS_PER_WRITE as u32;
/// The longest a lane sleeps when it has nothing to do; new work also wakes it at once.
const IDLE_WAIT: Duration = Duration::from_secs(1);

/// Job-level retries, after the client's own quick retries within one attempt have failed: the
/// store is down or refusing for minutes, so the queue waits longer each time, and after ten
/// attempts (about five hours) a person looks at it.
pub(crate) fn job_backoff() -> Backoff {
    Backoff { base: Duration::from_secs(30), cap: Duration::from_secs(60 * 60), max_attempts: 10 }
}

/// What one step of a lane did.
pub(crate) enum Step {
    /// Sent a request (or settled jobs without one); look again at once.
    Worked,
    /// Nothing due; the next job falls due after this long, if any is waiting.
    Idle(Option<Duration>),
    /// Another process holds this lane.
    NotHolder,
    /// Outgoing writes are paused by the kill switch.
    Paused,
}

/// One attempt's result for the jobs a request carried, before it is written down.
pub(crate) struct Sent {
    pub request_id: String,
    pub started_at: DateTime<Utc>,
    pub settlements: Vec<(i64, Settlement)>,
}

/// Runs `lane` until `cancel`.
pub(crate) async fn run(app: &App, lane: Lane, cancel: &CancellationToken) {
    loop {
        if cancel.is_cancelled() {
            break;
        }
        // Registered before looking, so a wake-up between the look and the wait is not lost.
        let woken = app.runtime.wake.notified();
        let wait = match step(app, lane, cancel).await {
            Ok(Step::Worked) => continue,
            Ok(Step::Idle(next)) => next.map_or(IDLE_WAIT, |d| d.min(IDLE_WAIT)),
            Ok(Step::NotHolder | Step::Paused) => IDLE_WAIT,
            Err(e) => {
                tracing::warn!(lane = lane.as_str(), error = %e, "a lane step failed; trying again shortly");
                Duration::from_secs(2)
            }
        };
        tokio::select! {
            _ = cancel.cancelled() => break,
            _ = woken => {}
            _ = tokio::time::sleep(wait) => {}
        }
    }
}

async fn step(app: &App, lane: Lane, cancel: &CancellationToken) -> Result<Step, ApiError> {
    let (held, paused, due, next_due) = app
        .blocking(move |app| {
            let now = app.now();
            let owner = &app.runtime.owner;
            let held = app.store.acquire_lane(lane, owner.as_str(), now + LEASE, now, |o| owner.is_gone(o))?;
            if !held {
                return Ok((false, false, Vec::new(), None));
            }
            if app.paused_now()? {
                return Ok((true, true, Vec::new(), None));
            }
            let mut due = app.store.due_jobs(lane, now, DUE_WINDOW)?;
            let full_of_stock =
                due.len() == DUE_WINDOW as usize && due.first().is_some_and(|j| j.capability == Capability::Stock);
            if lane == Lane::BigCommerce && full_of_stock {
                due = app.store.due_jobs(lane, now, STOCK_DUE_WINDOW)?;
            }
            let next = if due.is_empty() { app.store.next_due_at(lane)? } else { None };
            Ok((true, false, due, next.map(|t| (t - now).to_std().unwrap_or_default())))
        })
        .await?;
    if !held {
        return Ok(Step::NotHolder);
    }
    if paused {
        return Ok(Step::Paused);
    }
    let Some(first) = due.first() else { return Ok(Step::Idle(next_due)) };
    // One capability per request: the most urgent job's.
    let capability = first.capability;
    let mut readable = Vec::new();
    let mut unreadable = Vec::new();
    for job in due.into_iter().filter(|j| j.capability == capability) {
        match work_of(&job) {
            Ok(work) => readable.push((job, work)),
            Err(why) => unreadable.push((job.id, Settlement::Dead { error: why })),
        }
    }
    if !unreadable.is_empty() {
        let now = app.now();
        let outcomes: Vec<AttemptOutcome> = unreadable
            .into_iter()
            .map(|(job_id, settlement)| AttemptOutcome {
                job_id,
                request_id: format!("job-{job_id}.unread"),
                started_at: now,
                settlement,
            })
            .collect();
        app.blocking(move |app| Ok(app.store.settle(&outcomes, app.now())?)).await?;
        return Ok(Step::Worked);
    }
    let sent = match capability {
        Capability::Catalog => crate::catalog::execute::send_next(app, lane, readable, cancel).await?,
        Capability::Stock => crate::stock::execute::send_next(app, lane, readable, cancel).await?,
        Capability::Orders => crate::orders::execute::send_next(app, lane, readable, cancel).await?,
    };
    if let Some(sent) = sent {
        let outcomes: Vec<AttemptOutcome> = sent
            .settlements
            .into_iter()
            .map(|(job_id, settlement)| AttemptOutcome {
                job_id,
                request_id: sent.request_id.clone(),
                started_at: sent.started_at,
                settlement,
            })
            .collect();
        app.blocking(move |app| Ok(app.store.settle(&outcomes, app.now())?)).await?;
        app.runtime.settled.notify_waiters();
    }
    Ok(Step::Worked)
}

/// Claims `jobs` for this process, just before their request goes out. Returns the ones claimed
/// (another process may have taken some in between, or a run been cancelled).
pub(crate) async fn claim(app: &App, jobs: &[&Job]) -> Result<Vec<Job>, ApiError> {
    let ids: Vec<i64> = jobs.iter().map(|j| j.id).collect();
    app.blocking(move |app| {
        let now = app.now();
        Ok(app.store.claim(&ids, app.runtime.owner.as_str(), now + LEASE, now)?)
    })
    .await
}

/// The settlement of a job whose attempt failed with a retryable error: due again after the
/// job-level backoff, or dead once it has had its attempts.
pub(crate) fn retry_or_give_up(app: &App, job: &Job, reason: &str) -> Settlement {
    let backoff = job_backoff();
    if backoff.gives_up_after(job.attempts) {
        return Settlement::Dead { error: format!("gave up after {} attempts: {reason}", job.attempts) };
    }
    let jitter = app.jitter();
    let delay = backoff.delay(job.attempts, &*jitter);
    Settlement::RetryAt { at: app.now() + chrono::Duration::from_std(delay).unwrap_or_default(), error: reason.into() }
}

/// The request id of an attempt: its first job's correlation id and attempt, so a request that
/// carries a single job is found by that job's id alone.
pub(crate) fn request_id(first: &Job) -> String {
    format!("{}.{}", first.correlation_id, first.attempts)
}

/// The works of a lane's due jobs, as a capability executor receives them.
pub(crate) type DueWork = Vec<(Job, Work)>;
