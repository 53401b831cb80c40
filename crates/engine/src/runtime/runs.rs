//! Runs: what every capability's sync shares. A run holds a lease of its own (one live run per
//! capability, across processes), reports its phase and progress, follows its jobs until the lanes
//! have settled them, and ends with its counts. The Runs view lists them all.

use std::time::Instant;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tillbridge_domain::Scope;
use tillbridge_domain::work::{Capability, Lane};
use tillbridge_store::{JobCounts, NewRun, RunStart, SyncRunEnd, SyncRunRecord, Trigger};
use tokio_util::sync::CancellationToken;

use crate::progress::{SyncPhase, WritePace, estimate_seconds_left};
use crate::{ApiError, App};

/// A run this process is carrying out.
#[derive(Debug, Clone)]
pub(crate) struct RunContext {
    pub id: i64,
    pub capability: Capability,
    pub cancel: CancellationToken,
    /// The phase a lost run had reached when this process took it over; None for a new run.
    pub resumed_from: Option<String>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
#[serde(default)]
pub struct RunsQuery {
    pub capability: Option<Capability>,
    pub offset: Option<u32>,
    pub limit: Option<u32>,
}

/// How a run ended, as the Runs view says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum RunResult {
    Running,
    Done,
    /// Done, but some writes failed (they wait in the queue with their reasons).
    DoneWithFailures,
    Failed,
    Cancelled,
    /// A scheduled run that stopped before writing, waiting for a person to approve it.
    NeedsApproval,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RunView {
    pub id: i64,
    pub capability: Capability,
    pub mode: Scope,
    pub dry_run: bool,
    pub trigger: Trigger,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub duration_ms: Option<u64>,
    pub phase: String,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
    pub superseded: u64,
    pub result: RunResult,
    pub error: Option<String>,
    pub approval_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct RunsView {
    pub total: u64,
    pub runs: Vec<RunView>,
}

pub(crate) fn run_view(r: SyncRunRecord) -> RunView {
    let result = match (r.finished_at, r.phase.as_str()) {
        (None, _) => RunResult::Running,
        (Some(_), "needs_approval") => RunResult::NeedsApproval,
        (Some(_), "cancelled") => RunResult::Cancelled,
        (Some(_), "failed") => RunResult::Failed,
        (Some(_), _) if r.failed > 0 => RunResult::DoneWithFailures,
        (Some(_), _) => RunResult::Done,
    };
    RunView {
        id: r.id,
        capability: r.capability,
        mode: r.mode,
        dry_run: r.dry_run,
        trigger: r.trigger,
        started_at: r.started_at,
        duration_ms: r.finished_at.map(|end| (end - r.started_at).num_milliseconds().max(0) as u64),
        finished_at: r.finished_at,
        phase: r.phase,
        changes: r.changes,
        written: r.written,
        failed: r.failed,
        superseded: r.superseded,
        result,
        error: r.error,
        approval_reason: r.approval_reason,
    }
}

/// How long a run lost with its process may be taken over and finished by the next start; an
/// older one is stale (the stores have moved on) and is marked failed instead.
pub(crate) const RESUME_WINDOW: chrono::Duration = chrono::Duration::minutes(10);

impl App {
    /// Every run, newest first.
    pub async fn runs(&self, q: RunsQuery) -> Result<RunsView, ApiError> {
        self.blocking(move |app| {
            let limit = u64::from(q.limit.unwrap_or(50).clamp(1, 500));
            let (total, runs) = app.store.sync_runs_page(q.capability, u64::from(q.offset.unwrap_or(0)), limit)?;
            Ok(RunsView { total, runs: runs.into_iter().map(run_view).collect() })
        })
        .await
    }

    /// Starts a run of `capability` under this process's lease. A live run of it (here or in
    /// another process) refuses the start; a run lost with its process is taken over when
    /// `resumable` says this run would do what it was doing, and marked failed otherwise.
    pub(crate) async fn begin_run(
        &self,
        capability: Capability,
        mode: Scope,
        dry_run: bool,
        trigger: Trigger,
        resumable: impl Fn(&SyncRunRecord) -> bool + Send + 'static,
    ) -> Result<RunContext, ApiError> {
        let started = self
            .blocking(move |app| {
                let now = app.now();
                let owner = &app.runtime.owner;
                let new = NewRun { capability, mode, dry_run, trigger, owner: owner.as_str() };
                let fresh = |run: &SyncRunRecord| {
                    run.heartbeat_at.is_some_and(|beat| now - beat < RESUME_WINDOW) && resumable(run)
                };
                Ok(app.store.start_run(&new, now, &|o| owner.is_gone(o), &fresh)?)
            })
            .await?;
        let (id, resumed_from) = match started {
            RunStart::Started(id) => (id, None),
            RunStart::Resumed(run) => {
                tracing::warn!(run_id = run.id, phase = %run.phase, "taking over a run lost with its process");
                (run.id, Some(run.phase))
            }
        };
        let cancel = self.runtime.register_run(id);
        Ok(RunContext { id, capability, cancel, resumed_from })
    }

    /// Records the phase a run is in, here and in the database.
    pub(crate) fn enter_phase(&self, run: &RunContext, phase: SyncPhase) {
        self.runtime.progress(run.capability).update(|p| {
            p.phase = phase;
            p.done = 0;
            p.total = 0;
            p.eta_s = None;
        });
        if let Err(e) = self.store.update_sync_run_phase(run.id, phase.as_str()) {
            tracing::warn!(run_id = run.id, error = %e, "could not record a run's phase");
        }
    }

    /// Records how a run ended.
    /// Ends a polled cycle (stock, orders): records its end from its outcome (`counts` gives a
    /// success's changes, written, failed and superseded), forgets a scheduled one that found
    /// nothing to do (`quiet`), and leaves the progress at its result.
    pub(crate) async fn finish_cycle<T>(
        &self,
        run: &RunContext,
        outcome: &Result<T, ApiError>,
        trigger: Trigger,
        counts: impl Fn(&T) -> [u64; 4],
        quiet: impl Fn(&T) -> bool,
    ) {
        let end = match outcome {
            Ok(r) => {
                let [changes, written, failed, superseded] = counts(r);
                SyncRunEnd {
                    phase: SyncPhase::Done.as_str().into(),
                    error: None,
                    changes,
                    written,
                    failed,
                    superseded,
                    approval_reason: None,
                }
            }
            Err(e) => SyncRunEnd::stopped(SyncPhase::Failed.as_str(), e.message.clone()),
        };
        let quiet = outcome.as_ref().is_ok_and(quiet);
        self.end_run(run, end).await;
        if trigger == Trigger::Scheduled && quiet {
            let run_id = run.id;
            if let Err(e) = self.blocking(move |app| Ok(app.store.forget_quiet_run(run_id)?)).await {
                tracing::warn!(run_id, error = %e, "could not forget a quiet poll");
            }
        }
        self.runtime.progress(run.capability).update(|p| {
            p.running = false;
            p.phase = if outcome.is_ok() { SyncPhase::Done } else { SyncPhase::Failed };
        });
    }

    pub(crate) async fn end_run(&self, run: &RunContext, end: SyncRunEnd) {
        let run_id = run.id;
        self.runtime.forget_run(run_id);
        let ended = self
            .blocking(move |app| {
                app.store.finish_sync_run(run_id, &end, app.now())?;
                Ok(app.store.sync_run(run_id)?)
            })
            .await;
        match ended {
            Ok(run) => self.alert_if_due(&run),
            Err(e) => tracing::error!(run_id, error = %e, "could not record the end of a run"),
        }
    }

    /// Follows a run's jobs until none is queued or running: the lanes (here, or in the process
    /// holding them) send them; a job that failed waits for its retry in the queue and does not
    /// hold the run. Stops early, leaving the jobs queued, while writes are paused. Cancelling the
    /// run cancels its queued jobs and waits for the running ones.
    pub(crate) async fn follow_jobs(&self, run: &RunContext) -> Result<JobCounts, ApiError> {
        let started = Instant::now();
        let run_id = run.id;
        let mut cancelled = false;
        loop {
            let settled = self.runtime.settled.notified();
            if run.cancel.is_cancelled() && !cancelled {
                cancelled = true;
                self.blocking(move |app| Ok(app.store.request_cancel(run_id, app.now())?)).await?;
            }
            let (counts, left_bc, left_sh, paused, lanes_elsewhere, cancel_asked) = self
                .blocking(move |app| {
                    // A cancel asked for in another process (`tillbridge` beside `serve`) is in the database.
                    let cancel_asked = app.store.sync_run(run_id)?.cancel_requested;
                    let counts = app.store.job_counts(Some(run_id))?;
                    let bc = app.store.queued_in_lane(Lane::BigCommerce, Some(run_id))?;
                    let sh = app.store.queued_in_lane(Lane::Shopify, Some(run_id))?;
                    let now = app.now();
                    let elsewhere = app.store.lane_holders()?.iter().any(|(_, owner, until)| {
                        owner != app.runtime.owner.as_str() && *until > now && !app.runtime.owner.is_gone(owner)
                    });
                    Ok((counts, bc, sh, app.paused_now()?, elsewhere, cancel_asked))
                })
                .await?;
            if cancel_asked {
                run.cancel.cancel();
            }
            let left = counts.pending + counts.running;
            let total = counts.pending + counts.running + counts.done + counts.failed + counts.dead + counts.superseded;
            let done = total - left;
            let elapsed = started.elapsed();
            self.runtime.progress(run.capability).update(|p| {
                p.total = total;
                p.done = done;
                p.eta_s = Some(estimate_seconds_left(WritePace::default(), left_bc, left_sh, done, elapsed));
            });
            if left == 0 || (paused && counts.running == 0) {
                return Ok(counts);
            }
            if !self.runtime.has_lanes() && !lanes_elsewhere {
                return Err(ApiError::internal(
                    "no lane is running to send this run's writes: start the runtime (tillbridge run, serve or the app)",
                ));
            }
            tokio::select! {
                _ = settled => {}
                _ = run.cancel.cancelled(), if !cancelled => {}
                _ = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(phase: &str, finished: bool, failed: u64) -> SyncRunRecord {
        let t = DateTime::<Utc>::default();
        SyncRunRecord {
            id: 1,
            capability: Capability::Catalog,
            mode: Scope::Full,
            dry_run: false,
            trigger: Trigger::Scheduled,
            started_at: t,
            finished_at: finished.then_some(t + chrono::Duration::seconds(90)),
            phase: phase.into(),
            error: None,
            changes: 10,
            written: 10 - failed,
            failed,
            superseded: 0,
            approval_reason: None,
            owner: None,
            heartbeat_at: None,
            cancel_requested: false,
        }
    }

    #[test]
    fn a_run_says_how_it_ended() {
        assert_eq!(run_view(record("writing", false, 0)).result, RunResult::Running, "unfinished is running");
        assert_eq!(run_view(record("done", true, 0)).result, RunResult::Done, "all written");
        assert_eq!(run_view(record("done", true, 2)).result, RunResult::DoneWithFailures, "failures are not hidden");
        assert_eq!(run_view(record("needs_approval", true, 0)).result, RunResult::NeedsApproval, "waits for a person");
        assert_eq!(run_view(record("done", true, 0)).duration_ms, Some(90_000), "the duration is measured");
    }
}
