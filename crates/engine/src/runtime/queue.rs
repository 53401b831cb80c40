//! The queue as a person sees it: what failed, in plain words, with the store's own message;
//! each job's timeline from the audit log; Retry, Retry all and Skip; and Cancel for a run.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::work::{Capability, Lane};
use tillbridge_store::{AttemptRecord, Job, JobState};
use tokio::sync::oneshot;

use super::Command;
use crate::{ApiError, App};

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct FailedQuery {
    pub capability: Option<Capability>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// A failed or dead job, said for a person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FailedJobView {
    pub id: i64,
    pub capability: Capability,
    pub lane: Lane,
    pub entity_key: String,
    pub state: JobState,
    /// "Shopify refused the barcode 0123 on TB-1-RED-M: barcode already used".
    pub sentence: String,
    /// The store's own words (or the transport's), as recorded on the last attempt.
    pub message: Option<String>,
    pub attempts: u32,
    /// When it goes out again by itself; None when it waits for a person.
    pub next_attempt_at: Option<DateTime<Utc>>,
    pub run_id: Option<i64>,
    pub correlation_id: String,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct FailedView {
    pub total: u64,
    pub jobs: Vec<FailedJobView>,
}

/// One job and every attempt at it, with each request's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct JobTimelineView {
    pub job: FailedJobView,
    pub attempts: Vec<AttemptRecord>,
}

/// Which failed jobs to retry: the listed ones, or all of them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(default)]
pub struct RetryRequest {
    pub ids: Vec<i64>,
    pub all: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct SkipRequest {
    pub ids: Vec<i64>,
}

/// What a retry, skip or cancel touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct QueueActionView {
    pub ids: Vec<i64>,
    /// Asked for but left alone: a newer job for the same item is queued, or the job is not in a
    /// state the action applies to.
    pub left: Vec<i64>,
}

/// Where a set of jobs stands after [`App::settle_jobs`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct SettledView {
    pub done: u64,
    /// Failed again (retrying by itself) or dead (waiting for a person).
    pub failed: u64,
    /// Still queued or running when the wait ended.
    pub waiting: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
pub struct CancelRequest {
    pub capability: Capability,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct CancelView {
    /// The run asked to stop; None when none was running.
    pub run_id: Option<i64>,
}

fn store_name(lane: Lane) -> &'static str {
    match lane {
        Lane::BigCommerce => "BigCommerce",
        Lane::Shopify => "Shopify",
    }
}

/// The job's failure in one sentence: which store, what it was asked, and what it said.
pub(crate) fn sentence(job: &Job) -> String {
    let store = store_name(job.lane);
    let why = job.last_error.as_deref().unwrap_or("no reason was recorded");
    match job.state {
        JobState::Dead => format!("{store} refused {}: {why}", job.summary),
        JobState::Failed => format!("{store} could not take {} yet: {why}", job.summary),
        _ => format!("{} ({}): {why}", job.summary, job.state.as_str()),
    }
}

/// A job said for a person, with its attempts and the requests they made.
pub(crate) fn timeline_of(app: &App, job: Job) -> Result<JobTimelineView, ApiError> {
    let attempts = app.store.job_timeline(job.id)?;
    Ok(JobTimelineView { job: failed_view(job), attempts })
}

fn failed_view(job: Job) -> FailedJobView {
    FailedJobView {
        sentence: sentence(&job),
        next_attempt_at: (job.state == JobState::Failed).then_some(job.next_attempt_at),
        id: job.id,
        capability: job.capability,
        lane: job.lane,
        entity_key: job.entity_key,
        state: job.state,
        message: job.last_error,
        attempts: job.attempts,
        run_id: job.run_id,
        correlation_id: job.correlation_id,
        updated_at: job.updated_at,
    }
}

impl App {
    /// Every failed (retrying by itself) or dead (waiting for a person) job, newest first.
    pub async fn failed_jobs(&self, q: FailedQuery) -> Result<FailedView, ApiError> {
        self.blocking(move |app| {
            let limit = u64::from(q.limit.unwrap_or(100).clamp(1, 1000));
            let (total, jobs) = app.store.jobs_in_states(
                &[JobState::Failed, JobState::Dead],
                q.capability,
                u64::from(q.offset.unwrap_or(0)),
                limit,
            )?;
            Ok(FailedView { total, jobs: jobs.into_iter().map(failed_view).collect() })
        })
        .await
    }

    /// A job's attempts, each with the requests the audit log holds for it.
    pub async fn job_timeline(&self, job_id: i64) -> Result<JobTimelineView, ApiError> {
        self.blocking(move |app| timeline_of(app, app.store.job(job_id)?)).await
    }

    /// Makes failed jobs due now. Goes through the runtime loop when it runs here, so a retry
    /// never races a lane's settlement; straight to the queue otherwise (another process's lanes,
    /// or the next start, send them).
    pub async fn retry_jobs(&self, request: RetryRequest) -> Result<QueueActionView, ApiError> {
        let ids = (!request.all).then(|| request.ids.clone());
        let (reply, answer) = oneshot::channel();
        let retried = match self.runtime.send(Command::Retry { ids, reply }) {
            Ok(()) => answer.await.map_err(|_| ApiError::internal("the runtime stopped before it could retry"))??,
            Err(_) => self.retry_now((!request.all).then_some(request.ids.clone())).await?,
        };
        let left = request.ids.iter().copied().filter(|id| !retried.contains(id)).collect();
        Ok(QueueActionView { ids: retried, left })
    }

    pub(crate) async fn retry_now(&self, ids: Option<Vec<i64>>) -> Result<Vec<i64>, ApiError> {
        let retried = self
            .blocking(move |app| {
                let now = app.now();
                Ok(match ids {
                    Some(ids) => app.store.retry_jobs(&ids, now)?,
                    None => app.store.retry_all_failed(now)?,
                })
            })
            .await?;
        if !retried.is_empty() {
            tracing::info!(jobs = retried.len(), "failed jobs queued again at a person's request");
            self.wake_lanes();
        }
        Ok(retried)
    }

    /// Waits, at most `within`, until none of `ids` is queued or running any more (the lanes here
    /// or in another process send them), and says where each ended.
    pub async fn settle_jobs(&self, ids: Vec<i64>, within: std::time::Duration) -> Result<SettledView, ApiError> {
        let deadline = tokio::time::Instant::now() + within;
        loop {
            let settled = self.runtime.settled.notified();
            let ids = ids.clone();
            let jobs = self
                .blocking(move |app| {
                    ids.iter().map(|id| Ok(app.store.job(*id)?)).collect::<Result<Vec<Job>, ApiError>>()
                })
                .await?;
            let open = jobs.iter().any(|j| matches!(j.state, JobState::Pending | JobState::Running));
            if !open || tokio::time::Instant::now() >= deadline {
                let count = |state: JobState| jobs.iter().filter(|j| j.state == state).count() as u64;
                return Ok(SettledView {
                    done: count(JobState::Done),
                    failed: jobs.iter().filter(|j| matches!(j.state, JobState::Failed | JobState::Dead)).count() as u64,
                    waiting: jobs.iter().filter(|j| matches!(j.state, JobState::Pending | JobState::Running)).count()
                        as u64,
                });
            }
            tokio::select! {
                _ = settled => {}
                _ = tokio::time::sleep(std::time::Duration::from_millis(250)) => {}
            }
        }
    }

    /// Marks jobs as not to be sent.
    pub async fn skip_jobs(&self, request: SkipRequest) -> Result<QueueActionView, ApiError> {
        let asked = request.ids.clone();
        let skipped = self.blocking(move |app| Ok(app.store.skip_jobs(&request.ids, app.now())?)).await?;
        let left = asked.into_iter().filter(|id| !skipped.contains(id)).collect();
        Ok(QueueActionView { ids: skipped, left })
    }

    /// Asks the capability's live run to stop between requests: its queued jobs are cancelled at
    /// once, the ones in flight finish and are settled.
    pub async fn cancel_sync(&self, request: CancelRequest) -> Result<CancelView, ApiError> {
        let (reply, answer) = oneshot::channel();
        let run_id = match self.runtime.send(Command::Cancel { capability: request.capability, reply }) {
            Ok(()) => answer.await.map_err(|_| ApiError::internal("the runtime stopped before it could cancel"))??,
            Err(_) => self.cancel_now(request.capability).await?,
        };
        Ok(CancelView { run_id })
    }

    pub(crate) async fn cancel_now(&self, capability: Capability) -> Result<Option<i64>, ApiError> {
        let run_id = self
            .blocking(move |app| {
                let Some(run) = app.store.latest_sync_run(capability, None)? else { return Ok(None) };
                if run.finished_at.is_some() {
                    return Ok(None);
                }
                let cancelled = app.store.request_cancel(run.id, app.now())?;
                tracing::warn!(run_id = run.id, cancelled, "a run was asked to stop");
                Ok(Some(run.id))
            })
            .await?;
        if let Some(id) = run_id {
            self.runtime.cancel_run_here(id);
        }
        Ok(run_id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job(state: JobState, lane: Lane, error: &str) -> Job {
        let t = DateTime::<Utc>::default();
        Job {
            id: 7,
            kind: "catalog_write".into(),
            capability: Capability::Catalog,
            lane,
            entity_key: "product:gid://shopify/Product/1:variant-fields".into(),
            idempotency_key: "k".into(),
            payload: serde_json::Value::Null,
            summary: "the barcode 0123 on TB-1-RED-M".into(),
            priority: 10,
            run_id: Some(1),
            correlation_id: "job-7".into(),
            state,
            attempts: 2,
            next_attempt_at: t,
            last_error: Some(error.into()),
            in_doubt: false,
            lease_owner: None,
            lease_expires_at: None,
            superseded_by: None,
            created_at: t,
            updated_at: t,
        }
    }

    #[test]
    fn a_failure_reads_as_a_sentence_naming_the_store_the_item_and_the_reason() {
        assert_eq!(
            sentence(&job(JobState::Dead, Lane::Shopify, "barcode already used")),
            "Shopify refused the barcode 0123 on TB-1-RED-M: barcode already used",
            "a person reads what was refused, where, and why"
        );
        assert_eq!(
            sentence(&job(JobState::Failed, Lane::BigCommerce, "503 Service Unavailable")),
            "BigCommerce could not take the barcode 0123 on TB-1-RED-M yet: 503 Service Unavailable",
            "a retryable failure does not read as a refusal"
        );
        let view = failed_view(job(JobState::Dead, Lane::Shopify, "x"));
        assert_eq!(view.next_attempt_at, None, "a dead job has no next attempt: it waits for a person");
    }
}
