//! The durable queue every capability shares.
//!
//! A job is keyed by the work it does: `entity_key` names what it changes, `idempotency_key` adds
//! a digest of the value, so the same work planned twice is one job and a newer value for the same
//! entity supersedes an older one that has not gone out yet. A running job holds a lease (an owner
//! and an expiry); only an expired lease, or one whose process is provably gone, is taken back, so
//! opening the database from a second process never disturbs the first one's work.

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use tillbridge_domain::work::{Capability, Lane};

use crate::columns::{optional_time_at, time_at};
use crate::time::format_time;
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its first attempt, or for a replay a person asked for.
    Pending,
    /// Claimed by a lane; its request may be in flight. `lease_owner` says which process.
    Running,
    Done,
    /// Failed with a retryable error; due again at `next_attempt_at`.
    Failed,
    /// Failed for good (a refusal, or out of attempts); waits for a person to retry or skip it.
    Dead,
    /// A newer plan for the same entity replaced it before it went out, or the stores were found
    /// to agree already. Kept for the timeline.
    Superseded,
    /// A person decided it should not be sent.
    Skipped,
    /// Its run was cancelled before it went out.
    Cancelled,
}

impl JobState {
    pub const ALL: [JobState; 8] = [
        JobState::Pending,
        JobState::Running,
        JobState::Done,
        JobState::Failed,
        JobState::Dead,
        JobState::Superseded,
        JobState::Skipped,
        JobState::Cancelled,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Dead => "dead",
            JobState::Superseded => "superseded",
            JobState::Skipped => "skipped",
            JobState::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<JobState> {
        JobState::ALL.into_iter().find(|state| state.as_str() == s)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    /// The payload's variant, which says what reads it.
    pub kind: String,
    pub capability: Capability,
    pub lane: Lane,
    /// What the job changes ("product:gid://shopify/ProductVariant/1:price"); ids only.
    pub entity_key: String,
    /// The entity plus what is written (or the event that asked for it), never random: the same
    /// work enqueued twice must produce the same key.
    pub idempotency_key: String,
    pub payload: serde_json::Value,
    /// The job in plain words, for a person; product identifiers only, never personal data.
    pub summary: String,
    pub priority: i64,
    pub run_id: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub capability: Capability,
    pub lane: Lane,
    pub entity_key: String,
    pub idempotency_key: String,
    pub payload: serde_json::Value,
    pub summary: String,
    pub priority: i64,
    pub run_id: Option<i64>,
    pub correlation_id: String,
    pub state: JobState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub in_doubt: bool,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<DateTime<Utc>>,
    pub superseded_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// What enqueuing did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    /// A new job; `superseded` is the queued job for the same entity it replaced, if any.
    Created { id: i64, superseded: Option<i64> },
    /// The same work was already queued or running: nothing was added.
    Existing { id: i64 },
}

impl Enqueued {
    pub fn id(self) -> i64 {
        match self {
            Enqueued::Created { id, .. } | Enqueued::Existing { id } => id,
        }
    }
}

/// What became of one attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Settlement {
    Done,
    /// Retryable: due again at the given time (unless a newer job for the entity is queued, in
    /// which case this one is superseded).
    RetryAt {
        at: DateTime<Utc>,
        error: String,
    },
    /// Refused, or out of attempts: waits for a person.
    Dead {
        error: String,
    },
    /// The stores turned out to agree already (checked after a doubtful attempt).
    AlreadyApplied,
    /// Its run was cancelled before the request went out.
    Cancelled,
    /// Not sent: the work it carried is out of date (another write reached the same thing after it
    /// was planned, or the store's value moved under a compare-and-set). The next plan carries
    /// what is still to do.
    Superseded {
        reason: String,
    },
}

/// One job's attempt, as a lane reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptOutcome {
    pub job_id: i64,
    /// The audit rows' correlation id of the request that carried it.
    pub request_id: String,
    pub started_at: DateTime<Utc>,
    pub settlement: Settlement,
}

/// One attempt in a job's timeline, with what the store answered to its requests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AttemptRecord {
    pub attempt: u32,
    pub request_id: String,
    pub started_at: DateTime<Utc>,
    pub finished_at: DateTime<Utc>,
    pub outcome: String,
    pub message: Option<String>,
    /// Each HTTP request of the attempt (client retries included): status and outcome, in order.
    pub requests: Vec<AttemptRequest>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ts_rs::TS)]
pub struct AttemptRequest {
    pub at: DateTime<Utc>,
    pub method: String,
    pub endpoint: String,
    pub status: Option<u16>,
    pub outcome: String,
    pub duration_ms: u64,
}

/// Job counts by state, for a run or for the whole queue.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct JobCounts {
    pub pending: u64,
    pub running: u64,
    pub done: u64,
    pub failed: u64,
    pub dead: u64,
    pub superseded: u64,
    pub skipped: u64,
    pub cancelled: u64,
}

impl JobCounts {
    fn add(&mut self, state: JobState, n: u64) {
        let slot = match state {
            JobState::Pending => &mut self.pending,
            JobState::Running => &mut self.running,
            JobState::Done => &mut self.done,
            JobState::Failed => &mut self.failed,
            JobState::Dead => &mut self.dead,
            JobState::Superseded => &mut self.superseded,
            JobState::Skipped => &mut self.skipped,
            JobState::Cancelled => &mut self.cancelled,
        };
        *slot += n;
    }

    /// Jobs that may still go out: queued, running, or waiting for a retry.
    pub fn unsettled(&self) -> u64 {
        self.pending + self.running + self.failed
    }
}

const JOB_COLUMNS: &str = "id, kind, capability, lane, entity_key, idempotency_key, payload, summary, priority, run_id, \
     correlation_id, state, attempts, next_attempt_at, last_error, in_doubt, lease_owner, lease_expires_at, \
     superseded_by, created_at, updated_at";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let payload: String = r.get(6)?;
    let capability: String = r.get(2)?;
    let lane: String = r.get(3)?;
    let state: String = r.get(11)?;
    Ok(Job {
        id: r.get(0)?,
        kind: r.get(1)?,
        capability: Capability::parse(&capability).unwrap_or(Capability::Catalog),
        lane: Lane::parse(&lane).unwrap_or(Lane::BigCommerce),
        entity_key: r.get(4)?,
        idempotency_key: r.get(5)?,
        // The payload was written by serde_json; if it does not parse, keep it visible as a string.
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
        summary: r.get(7)?,
        priority: r.get(8)?,
        run_id: r.get(9)?,
        correlation_id: r.get(10)?,
        state: JobState::parse(&state).unwrap_or(JobState::Dead),
        attempts: r.get(12)?,
        next_attempt_at: time_at(r, 13)?,
        last_error: r.get(14)?,
        in_doubt: r.get(15)?,
        lease_owner: r.get(16)?,
        lease_expires_at: optional_time_at(r, 17)?,
        superseded_by: r.get(18)?,
        created_at: time_at(r, 19)?,
        updated_at: time_at(r, 20)?,
    })
}

/// Adds a job unless the same work is already unfinished.
///
/// - The same idempotency key pending, running, failed or dead: nothing is added ([`Enqueued::Existing`]).
/// - Another job for the same entity queued (pending, failed or dead): it is marked `superseded`
///   and the new one takes its place.
/// - A job for the same entity running: the new one waits behind it; lanes never claim an entity
///   that has a job running, so the older write cannot land after the newer one.
///
/// Takes a transaction so a plan's jobs land together with what produced them, or not at all.
pub fn enqueue_in(tx: &Transaction<'_>, job: &NewJob, now: DateTime<Utc>) -> Result<Enqueued, StoreError> {
    let at = format_time(now);
    let existing: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM jobs WHERE idempotency_key = ?1 AND state IN ('pending', 'running', 'failed', 'dead')",
        )?
        .query_row([&job.idempotency_key], |r| r.get(0))
        .optional()?;
    if let Some(id) = existing {
        return Ok(Enqueued::Existing { id });
    }
    let queued: Option<i64> = tx
        .prepare_cached("SELECT id FROM jobs WHERE entity_key = ?1 AND state IN ('pending', 'failed', 'dead')")?
        .query_row([&job.entity_key], |r| r.get(0))
        .optional()?;
    if let Some(old) = queued {
        tx.prepare_cached(
            "UPDATE jobs SET state = 'superseded', last_error = 'a newer write for the same item replaced it', updated_at = ?2
             WHERE id = ?1",
        )?
        .execute(params![old, at])?;
    }
    let id: i64 = tx
        .prepare_cached(
            "INSERT INTO jobs (kind, capability, lane, entity_key, idempotency_key, payload, summary, priority, run_id,
                               state, attempts, next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'pending', 0, ?10, ?10, ?10)
             RETURNING id",
        )?
        .query_row(
            params![
                job.kind,
                job.capability.as_str(),
                job.lane.as_str(),
                job.entity_key,
                job.idempotency_key,
                job.payload.to_string(),
                job.summary,
                job.priority,
                job.run_id,
                at
            ],
            |r| r.get(0),
        )?;
    if let Some(old) = queued {
        tx.prepare_cached("UPDATE jobs SET superseded_by = ?2 WHERE id = ?1")?.execute(params![old, id])?;
    }
    Ok(Enqueued::Created { id, superseded: queued })
}

/// After a full plan of `capability`: every queued job of it whose entity the plan did not name
/// is superseded, since the plan read both stores and found nothing left to do there. Returns how
/// many. `planned` holds the entity keys the plan enqueued.
pub fn supersede_unplanned_in(
    tx: &Transaction<'_>,
    capability: Capability,
    planned: &std::collections::HashSet<String>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let queued: Vec<(i64, String)> = tx
        .prepare_cached(
            "SELECT id, entity_key FROM jobs WHERE capability = ?1 AND state IN ('pending', 'failed', 'dead')",
        )?
        .query_map([capability.as_str()], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<Result<_, _>>()?;
    let mut stmt = tx.prepare_cached(
        "UPDATE jobs SET state = 'superseded', updated_at = ?2,
             last_error = 'a later full sync read both stores and found nothing left to write'
         WHERE id = ?1",
    )?;
    let mut n = 0;
    for (id, entity) in queued {
        if !planned.contains(&entity) {
            n += stmt.execute(params![id, format_time(now)])?;
        }
    }
    Ok(n)
}

/// Supersedes the queued jobs (pending, failed or dead) of these entities: a plan looked at them
/// and found nothing left to write.
pub fn supersede_entities_in(
    tx: &Transaction<'_>,
    entities: &std::collections::HashSet<String>,
    now: DateTime<Utc>,
) -> Result<usize, StoreError> {
    let mut stmt = tx.prepare_cached(
        "UPDATE jobs SET state = 'superseded', updated_at = ?2,
             last_error = 'a later plan read both stores and found nothing left to write'
         WHERE entity_key = ?1 AND state IN ('pending', 'failed', 'dead')",
    )?;
    let mut n = 0;
    for entity in entities {
        n += stmt.execute(params![entity, format_time(now)])?;
    }
    Ok(n)
}

impl Store {
    /// Adds a job unless the same work is unfinished; see [`enqueue_in`].
    pub fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<Enqueued, StoreError> {
        self.write(|tx| enqueue_in(tx, job, now))
    }

    /// Up to `limit` jobs of `lane` that are due, highest priority first, then oldest due; never one
    /// whose entity has a job running (it must finish first). Nothing is claimed.
    pub fn due_jobs(&self, lane: Lane, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs j
                 WHERE lane = ?1 AND state IN ('pending', 'failed') AND next_attempt_at <= ?2
                   AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.entity_key = j.entity_key AND r.state = 'running')
                 ORDER BY priority DESC, next_attempt_at, id LIMIT ?3"
            ))?;
            let jobs = stmt.query_map(params![lane.as_str(), format_time(now), limit], job_from_row)?;
            Ok(jobs.collect::<Result<_, _>>()?)
        })
    }

    /// When the next job of `lane` falls due, if any is waiting.
    pub fn next_due_at(&self, lane: Lane) -> Result<Option<DateTime<Utc>>, StoreError> {
        self.read(|c| {
            let at: Option<String> = c.query_row(
                "SELECT MIN(next_attempt_at) FROM jobs WHERE lane = ?1 AND state IN ('pending', 'failed')",
                [lane.as_str()],
                |r| r.get(0),
            )?;
            Ok(at.and_then(|t| crate::time::parse_time(&t)))
        })
    }

    /// Claims the given jobs for `owner` until `lease_until`, counting an attempt each. Only jobs
    /// still due and not running elsewhere are taken; the claimed ones come back, in id order.
    pub fn claim(
        &self,
        ids: &[i64],
        owner: &str,
        lease_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<Job>, StoreError> {
        self.write(|tx| {
            let mut stmt = tx.prepare_cached(&format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_owner = ?2, lease_expires_at = ?3,
                                 updated_at = ?4
                 WHERE id = ?1 AND state IN ('pending', 'failed') AND next_attempt_at <= ?4
                   AND NOT EXISTS (SELECT 1 FROM jobs r WHERE r.entity_key = jobs.entity_key AND r.state = 'running')
                 RETURNING {JOB_COLUMNS}"
            ))?;
            let mut claimed = Vec::new();
            for id in ids {
                if let Some(job) = stmt
                    .query_row(params![id, owner, format_time(lease_until), format_time(now)], job_from_row)
                    .optional()?
                {
                    claimed.push(job);
                }
            }
            claimed.sort_by_key(|j| j.id);
            Ok(claimed)
        })
    }

    /// Records what became of claimed jobs, all in one transaction, with an attempt row each.
    /// A retryable failure of a job that a newer one for the same entity now waits behind becomes
    /// `superseded`: the newer value goes out instead.
    pub fn settle(&self, outcomes: &[AttemptOutcome], now: DateTime<Utc>) -> Result<(), StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            for o in outcomes {
                let job: Option<(u32, String)> = tx
                    .prepare_cached("SELECT attempts, entity_key FROM jobs WHERE id = ?1")?
                    .query_row([o.job_id], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()?;
                let Some((attempt, entity)) = job else { continue };
                let successor: Option<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM jobs WHERE entity_key = ?1 AND id <> ?2 AND state IN ('pending', 'failed', 'dead')",
                    )?
                    .query_row(params![entity, o.job_id], |r| r.get(0))
                    .optional()?;
                let (outcome, message) = match &o.settlement {
                    Settlement::Done => {
                        tx.prepare_cached(
                            "UPDATE jobs SET state = 'done', last_error = NULL, in_doubt = 0, lease_owner = NULL,
                                 lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at])?;
                        ("done", None)
                    }
                    Settlement::AlreadyApplied => {
                        tx.prepare_cached(
                            "UPDATE jobs SET state = 'done', last_error = NULL, in_doubt = 0, lease_owner = NULL,
                                 lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at])?;
                        ("already_applied", Some("the store already held this value; nothing was sent"))
                    }
                    Settlement::RetryAt { at: when, error } => {
                        let (state, superseded_by) = match successor {
                            Some(newer) => ("superseded", Some(newer)),
                            None => ("failed", None),
                        };
                        tx.prepare_cached(
                            "UPDATE jobs SET state = ?3, last_error = ?4, next_attempt_at = ?5, superseded_by = ?6,
                                 lease_owner = NULL, lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at, state, error, format_time(*when), superseded_by])?;
                        ("retry", Some(error.as_str()))
                    }
                    Settlement::Dead { error } => {
                        let (state, superseded_by) = match successor {
                            Some(newer) => ("superseded", Some(newer)),
                            None => ("dead", None),
                        };
                        tx.prepare_cached(
                            "UPDATE jobs SET state = ?3, last_error = ?4, superseded_by = ?5, lease_owner = NULL,
                                 lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at, state, error, superseded_by])?;
                        ("refused", Some(error.as_str()))
                    }
                    Settlement::Superseded { reason } => {
                        tx.prepare_cached(
                            "UPDATE jobs SET state = 'superseded', last_error = ?3, superseded_by = ?4, in_doubt = 0,
                                 lease_owner = NULL, lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at, reason, successor])?;
                        ("superseded", Some(reason.as_str()))
                    }
                    Settlement::Cancelled => {
                        tx.prepare_cached(
                            "UPDATE jobs SET state = 'cancelled', attempts = MAX(attempts - 1, 0), lease_owner = NULL,
                                 lease_expires_at = NULL, updated_at = ?2 WHERE id = ?1",
                        )?
                        .execute(params![o.job_id, at])?;
                        ("cancelled", Some("its run was cancelled before the request went out"))
                    }
                };
                tx.prepare_cached(
                    "INSERT INTO job_attempts (job_id, attempt, request_id, started_at, finished_at, outcome, message)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                )?
                .execute(params![o.job_id, attempt.max(1), o.request_id, format_time(o.started_at), at, outcome, message])?;
            }
            Ok(())
        })
    }

    /// Extends every lease `owner` holds (its running jobs and its lanes) to `until`, and marks its
    /// runs alive at `now`. A process calls this while it is alive; a lease that is not renewed runs
    /// out and its work is taken back.
    pub fn renew_leases(&self, owner: &str, now: DateTime<Utc>, until: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| {
            let jobs = tx.execute(
                "UPDATE jobs SET lease_expires_at = ?2 WHERE lease_owner = ?1 AND state = 'running'",
                params![owner, format_time(until)],
            )?;
            tx.execute("UPDATE lane_leases SET expires_at = ?2 WHERE owner = ?1", params![owner, format_time(until)])?;
            tx.execute(
                "UPDATE sync_runs SET heartbeat_at = ?2 WHERE owner = ?1 AND finished_at IS NULL",
                params![owner, format_time(now)],
            )?;
            Ok(jobs)
        })
    }

    /// Takes back running jobs whose lease ran out or whose owner `is_gone` says is provably dead:
    /// they are due again, marked in doubt (their request may have landed), unless a newer job for
    /// the same entity is queued, which then goes out instead. Jobs of live owners are never
    /// touched. Returns how many were taken back.
    pub fn recover_orphans(&self, is_gone: impl Fn(&str) -> bool, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let running: Vec<(i64, String, u32, String, Option<String>, String)> = tx
                .prepare_cached(
                    "SELECT id, lease_owner, attempts, entity_key, lease_expires_at, updated_at FROM jobs WHERE state = 'running'",
                )?
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)))?
                .collect::<Result<_, _>>()?;
            let mut n = 0;
            for (id, owner, attempt, entity, expires, claimed_at) in running {
                let expired = expires.as_deref().is_none_or(|e| e <= at.as_str());
                if !expired && !is_gone(&owner) {
                    continue;
                }
                let successor: Option<i64> = tx
                    .prepare_cached(
                        "SELECT id FROM jobs WHERE entity_key = ?1 AND id <> ?2 AND state IN ('pending', 'failed', 'dead')",
                    )?
                    .query_row(params![entity, id], |r| r.get(0))
                    .optional()?;
                let reason = "the process sending it stopped mid-request; it is checked or sent again";
                match successor {
                    Some(newer) => tx.execute(
                        "UPDATE jobs SET state = 'superseded', superseded_by = ?3, lease_owner = NULL,
                             lease_expires_at = NULL, last_error = ?4, updated_at = ?2 WHERE id = ?1",
                        params![id, at, newer, reason],
                    )?,
                    None => tx.execute(
                        "UPDATE jobs SET state = 'pending', in_doubt = 1, next_attempt_at = ?2, lease_owner = NULL,
                             lease_expires_at = NULL, last_error = ?3, updated_at = ?2 WHERE id = ?1",
                        params![id, at, reason],
                    )?,
                };
                tx.execute(
                    "INSERT INTO job_attempts (job_id, attempt, request_id, started_at, finished_at, outcome, message)
                     VALUES (?1, ?2, ?3, ?4, ?5, 'in_doubt', ?6)",
                    params![id, attempt.max(1), format!("job-{id}.{attempt}"), claimed_at, at, reason],
                )?;
                n += 1;
            }
            Ok(n)
        })
    }

    /// At a clean shutdown: this process's running jobs go back to the queue, in doubt (a request
    /// cut off by the shutdown may have landed), and its lanes are released.
    pub fn release_owner(&self, owner: &str, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE jobs SET state = 'pending', in_doubt = 1, next_attempt_at = ?2, lease_owner = NULL,
                     lease_expires_at = NULL, updated_at = ?2
                 WHERE lease_owner = ?1 AND state = 'running'",
                params![owner, at],
            )?;
            tx.execute("DELETE FROM lane_leases WHERE owner = ?1", [owner])?;
            Ok(n)
        })
    }

    /// Takes `lane` for `owner` until `until` when it is free, expired, held by a process
    /// `is_gone` says is dead, or already `owner`'s. Returns whether `owner` holds it now.
    pub fn acquire_lane(
        &self,
        lane: Lane,
        owner: &str,
        until: DateTime<Utc>,
        now: DateTime<Utc>,
        is_gone: impl Fn(&str) -> bool,
    ) -> Result<bool, StoreError> {
        self.write(|tx| {
            let holder: Option<(String, String)> = tx
                .query_row("SELECT owner, expires_at FROM lane_leases WHERE lane = ?1", [lane.as_str()], |r| {
                    Ok((r.get(0)?, r.get(1)?))
                })
                .optional()?;
            let free = match &holder {
                None => true,
                Some((holder, expires)) => {
                    holder == owner || expires.as_str() <= format_time(now).as_str() || is_gone(holder)
                }
            };
            if free {
                tx.execute(
                    "INSERT INTO lane_leases (lane, owner, expires_at) VALUES (?1, ?2, ?3)
                     ON CONFLICT (lane) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at",
                    params![lane.as_str(), owner, format_time(until)],
                )?;
            }
            Ok(free)
        })
    }

    /// Who holds each lane, and until when.
    pub fn lane_holders(&self) -> Result<Vec<(Lane, String, DateTime<Utc>)>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT lane, owner, expires_at FROM lane_leases ORDER BY lane")?;
            let rows = stmt.query_map([], |r| {
                let lane: String = r.get(0)?;
                Ok((Lane::parse(&lane).unwrap_or(Lane::BigCommerce), r.get(1)?, time_at(r, 2)?))
            })?;
            Ok(rows.collect::<Result<_, _>>()?)
        })
    }

    pub fn job(&self, id: i64) -> Result<Job, StoreError> {
        self.read(|c| {
            c.query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job_from_row)
                .optional()?
                .ok_or(StoreError::NotFound { what: "job", id })
        })
    }

    /// Jobs in any of `states`, newest first, a page at a time; `capability` narrows them.
    pub fn jobs_in_states(
        &self,
        states: &[JobState],
        capability: Option<Capability>,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<Job>), StoreError> {
        let list = states.iter().map(|s| format!("'{}'", s.as_str())).collect::<Vec<_>>().join(", ");
        self.read(|c| {
            let cap = capability.map(Capability::as_str);
            let total: i64 = c.query_row(
                &format!("SELECT COUNT(*) FROM jobs WHERE state IN ({list}) AND (?1 IS NULL OR capability = ?1)"),
                [cap],
                |r| r.get(0),
            )?;
            let mut stmt = c.prepare(&format!(
                "SELECT {JOB_COLUMNS} FROM jobs WHERE state IN ({list}) AND (?1 IS NULL OR capability = ?1)
                 ORDER BY updated_at DESC, id DESC LIMIT ?2 OFFSET ?3"
            ))?;
            let jobs = stmt
                .query_map(params![cap, limit as i64, offset as i64], job_from_row)?
                .collect::<Result<Vec<_>, _>>()?;
            Ok((total.max(0) as u64, jobs))
        })
    }

    /// Every job ever queued for `entity_key`, oldest first: an item's history across runs.
    /// The entities of `capability` with a job on the wire or in doubt: their answers decide the
    /// bookkeeping, so a planner leaves those entities alone until they settle.
    pub fn busy_entities(&self, capability: Capability) -> Result<std::collections::HashSet<String>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT entity_key FROM jobs WHERE capability = ?1
                     AND (state = 'running' OR (in_doubt = 1 AND state IN ('pending', 'failed')))",
            )?;
            let rows = stmt.query_map([capability.as_str()], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// The entities of `capability` whose last write failed: waiting for a retry, or given up.
    pub fn failed_entities(&self, capability: Capability) -> Result<std::collections::HashSet<String>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT entity_key FROM jobs WHERE capability = ?1 AND state IN ('failed', 'dead')")?;
            let rows = stmt.query_map([capability.as_str()], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    pub fn jobs_for_entity(&self, entity_key: &str) -> Result<Vec<Job>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE entity_key = ?1 ORDER BY id"))?;
            let jobs = stmt.query_map([entity_key], job_from_row)?.collect::<Result<_, _>>()?;
            Ok(jobs)
        })
    }

    /// A job's attempts, each with the requests the audit log recorded for it (one query).
    pub fn job_timeline(&self, job_id: i64) -> Result<Vec<AttemptRecord>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare(
                "SELECT a.attempt, a.request_id, a.started_at, a.finished_at, a.outcome, a.message,
                        l.at, l.method, l.endpoint, l.status, l.outcome, l.duration_ms
                 FROM job_attempts a LEFT JOIN audit_log l ON l.correlation_id = a.request_id
                 WHERE a.job_id = ?1 ORDER BY a.id, l.id",
            )?;
            let mut out: Vec<AttemptRecord> = Vec::new();
            let mut last_key: Option<(u32, String, String)> = None;
            let mut rows = stmt.query([job_id])?;
            while let Some(r) = rows.next()? {
                let attempt: u32 = r.get(0)?;
                let request_id: String = r.get(1)?;
                let started_text: String = r.get(2)?;
                let key = (attempt, request_id.clone(), started_text);
                if last_key.as_ref() != Some(&key) {
                    out.push(AttemptRecord {
                        attempt,
                        request_id,
                        started_at: time_at(r, 2)?,
                        finished_at: time_at(r, 3)?,
                        outcome: r.get(4)?,
                        message: r.get(5)?,
                        requests: Vec::new(),
                    });
                    last_key = Some(key);
                }
                if let (Some(at), Some(last)) = (optional_time_at(r, 6)?, out.last_mut()) {
                    last.requests.push(AttemptRequest {
                        at,
                        method: r.get(7)?,
                        endpoint: r.get(8)?,
                        status: r.get(9)?,
                        outcome: r.get(10)?,
                        duration_ms: r.get::<_, i64>(11)?.max(0) as u64,
                    });
                }
            }
            Ok(out)
        })
    }

    /// A person's "try again": failed, dead, cancelled or skipped jobs become due now (attempts kept
    /// for the record). A job with a newer one queued for its entity is left alone: the newer value
    /// is what should go out. Returns the ids retried.
    pub fn retry_jobs(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let mut done = Vec::new();
            for &id in ids {
                let n = tx.execute(
                    "UPDATE jobs SET state = 'pending', next_attempt_at = ?2, updated_at = ?2
                     WHERE id = ?1 AND state IN ('failed', 'dead', 'cancelled', 'skipped')
                       AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.entity_key = jobs.entity_key AND n.id <> jobs.id
                                         AND n.state IN ('pending', 'failed', 'dead'))
                       AND NOT EXISTS (SELECT 1 FROM jobs n WHERE n.idempotency_key = jobs.idempotency_key
                                         AND n.id <> jobs.id AND n.state IN ('pending', 'running', 'failed', 'dead'))",
                    params![id, at],
                )?;
                if n > 0 {
                    done.push(id);
                }
            }
            Ok(done)
        })
    }

    /// Every failed or dead job, due now. Returns the ids retried.
    pub fn retry_all_failed(&self, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        let ids: Vec<i64> = self.read(|c| {
            let mut stmt = c.prepare("SELECT id FROM jobs WHERE state IN ('failed', 'dead') ORDER BY id")?;
            let ids = stmt.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
            Ok(ids)
        })?;
        self.retry_jobs(&ids, now)
    }

    /// A person's "don't send this": failed, dead or pending jobs become `skipped`. Returns the ids.
    pub fn skip_jobs(&self, ids: &[i64], now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let mut done = Vec::new();
            for &id in ids {
                let n = tx.execute(
                    "UPDATE jobs SET state = 'skipped', updated_at = ?2 WHERE id = ?1 AND state IN ('pending', 'failed', 'dead')",
                    params![id, at],
                )?;
                if n > 0 {
                    done.push(id);
                }
            }
            Ok(done)
        })
    }

    /// Job counts by state: of one run, or of the whole queue. A run's jobs are those it created
    /// and those its changes point at (the same work already queued by an earlier run).
    pub fn job_counts(&self, run_id: Option<i64>) -> Result<JobCounts, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare_cached(
                "SELECT state, COUNT(*) FROM jobs
                 WHERE ?1 IS NULL OR run_id = ?1
                    OR id IN (SELECT job_id FROM sync_changes WHERE run_id = ?1 AND job_id IS NOT NULL)
                 GROUP BY state ORDER BY state",
            )?;
            let rows = stmt.query_map([run_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut counts = JobCounts::default();
            for row in rows {
                let (state, n) = row?;
                if let Some(state) = JobState::parse(&state) {
                    counts.add(state, n.max(0) as u64);
                }
            }
            Ok(counts)
        })
    }

    /// The last error of the newest job for `entity_key`, if it has one: why that work is waiting.
    pub fn last_error_of(&self, entity_key: &str) -> Result<Option<String>, StoreError> {
        self.read(|c| {
            let error: Option<Option<String>> = c
                .prepare_cached("SELECT last_error FROM jobs WHERE entity_key = ?1 ORDER BY id DESC LIMIT 1")?
                .query_row([entity_key], |r| r.get(0))
                .optional()?;
            Ok(error.flatten())
        })
    }

    /// How many jobs of `lane` are queued or running (of one run, or in all), for the progress ETA.
    pub fn queued_in_lane(&self, lane: Lane, run_id: Option<i64>) -> Result<u64, StoreError> {
        self.read(|c| {
            let n: i64 = c.query_row(
                "SELECT COUNT(*) FROM jobs WHERE lane = ?1 AND state IN ('pending', 'running')
                   AND (?2 IS NULL OR run_id = ?2
                        OR id IN (SELECT job_id FROM sync_changes WHERE run_id = ?2 AND job_id IS NOT NULL))",
                params![lane.as_str(), run_id],
                |r| r.get(0),
            )?;
            Ok(n.max(0) as u64)
        })
    }
}
