use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, Row, Transaction};
use serde::Serialize;

use crate::time::{format_time, parse_time};
use crate::{Store, StoreError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    /// Waiting for its first attempt, or for a replay a person asked for.
    Pending,
    /// Claimed by an executor. After a crash, `requeue_interrupted` puts it back.
    Running,
    Done,
    /// Failed with a retryable error; due again at `next_attempt_at`.
    Failed,
    /// Failed for good (a permanent error, or out of attempts); waits for a person to replay it.
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Pending => "pending",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Failed => "failed",
            JobState::Dead => "dead",
        }
    }

    fn parse(s: &str) -> Option<JobState> {
        Some(match s {
            "pending" => JobState::Pending,
            "running" => JobState::Running,
            "done" => JobState::Done,
            "failed" => JobState::Failed,
            "dead" => JobState::Dead,
            _ => return None,
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// Derived from what the job does (e.g. "pos-order:gid://shopify/Order/1"), never random:
    /// the same work enqueued twice must produce the same key.
    pub idempotency_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Job {
    pub id: i64,
    pub kind: String,
    pub payload: serde_json::Value,
    pub idempotency_key: String,
    pub state: JobState,
    pub attempts: u32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Enqueued {
    pub id: i64,
    /// False when a job with the same idempotency key already existed; nothing was added.
    pub created: bool,
}

/// What to do with a job whose attempt failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    At(DateTime<Utc>),
    Never,
}

const JOB_COLUMNS: &str =
    "id, kind, payload, idempotency_key, state, attempts, next_attempt_at, last_error, created_at, updated_at";

fn job_from_row(r: &Row<'_>) -> rusqlite::Result<Job> {
    let payload: String = r.get(2)?;
    let state: String = r.get(4)?;
    let next: String = r.get(6)?;
    let created: String = r.get(8)?;
    let updated: String = r.get(9)?;
    Ok(Job {
        id: r.get(0)?,
        kind: r.get(1)?,
        // The payload was written by serde_json; if it does not parse, keep it visible as a string.
        payload: serde_json::from_str(&payload).unwrap_or(serde_json::Value::String(payload)),
        idempotency_key: r.get(3)?,
        state: JobState::parse(&state).unwrap_or(JobState::Dead),
        attempts: r.get(5)?,
        next_attempt_at: parse_time(&next).unwrap_or_default(),
        last_error: r.get(7)?,
        created_at: parse_time(&created).unwrap_or_default(),
        updated_at: parse_time(&updated).unwrap_or_default(),
    })
}

/// Adds a job unless one with the same idempotency key exists, in which case the existing job is left
/// exactly as it is, whatever its state. Takes a transaction so a plan's jobs land together with what
/// produced them (a catalog read, a sync run) or not at all.
pub fn enqueue_in(tx: &Transaction<'_>, job: &NewJob, now: DateTime<Utc>) -> Result<Enqueued, StoreError> {
    let at = format_time(now);
    let inserted: Option<i64> = tx
        .prepare_cached(
            "INSERT INTO jobs (kind, payload, idempotency_key, state, attempts, next_attempt_at, created_at, updated_at)
             VALUES (?1, ?2, ?3, 'pending', 0, ?4, ?4, ?4)
             ON CONFLICT (idempotency_key) DO NOTHING
             RETURNING id",
        )?
        .query_row(rusqlite::params![job.kind, job.payload.to_string(), job.idempotency_key, at], |r| r.get(0))
        .optional()?;
    match inserted {
        Some(id) => Ok(Enqueued { id, created: true }),
        None => {
            let id = tx
                .prepare_cached("SELECT id FROM jobs WHERE idempotency_key = ?1")?
                .query_row([&job.idempotency_key], |r| r.get(0))?;
            Ok(Enqueued { id, created: false })
        }
    }
}

impl Store {
    /// Adds a job unless one with the same idempotency key exists; see [`enqueue_in`].
    pub fn enqueue(&self, job: &NewJob, now: DateTime<Utc>) -> Result<Enqueued, StoreError> {
        self.write(|tx| enqueue_in(tx, job, now))
    }

    /// Like [`Store::claim_due`], for one kind of job only, so one executor never takes
    /// another's work.
    pub fn claim_due_of_kind(&self, kind: &str, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let mut stmt = tx.prepare(&format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?1
                 WHERE id IN (SELECT id FROM jobs WHERE kind = ?3 AND state IN ('pending', 'failed') AND next_attempt_at <= ?1
                              ORDER BY next_attempt_at, id LIMIT ?2)
                 RETURNING {JOB_COLUMNS}"
            ))?;
            let mut jobs: Vec<Job> =
                stmt.query_map(rusqlite::params![at, limit, kind], job_from_row)?.collect::<Result<_, _>>()?;
            jobs.sort_by(|a, b| a.next_attempt_at.cmp(&b.next_attempt_at).then(a.id.cmp(&b.id)));
            Ok(jobs)
        })
    }

    /// How many jobs of `kind` are due, without claiming them.
    pub fn count_due_of_kind(&self, kind: &str, now: DateTime<Utc>) -> Result<u64, StoreError> {
        self.read(|conn| {
            Ok(conn.query_row(
                "SELECT COUNT(*) FROM jobs WHERE kind = ?1 AND state IN ('pending', 'failed') AND next_attempt_at <= ?2",
                rusqlite::params![kind, format_time(now)],
                |r| r.get(0),
            )?)
        })
    }

    /// Marks up to `limit` due jobs as running and returns them, oldest due first.
    pub fn claim_due(&self, now: DateTime<Utc>, limit: u32) -> Result<Vec<Job>, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            let mut stmt = tx.prepare(&format!(
                "UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ?1
                 WHERE id IN (SELECT id FROM jobs WHERE state IN ('pending', 'failed') AND next_attempt_at <= ?1
                              ORDER BY next_attempt_at, id LIMIT ?2)
                 RETURNING {JOB_COLUMNS}"
            ))?;
            let mut jobs: Vec<Job> =
                stmt.query_map(rusqlite::params![at, limit], job_from_row)?.collect::<Result<_, _>>()?;
            jobs.sort_by(|a, b| a.next_attempt_at.cmp(&b.next_attempt_at).then(a.id.cmp(&b.id)));
            Ok(jobs)
        })
    }

    pub fn complete_job(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.update_job(
            id,
            "UPDATE jobs SET state = 'done', last_error = NULL, updated_at = ?2 WHERE id = ?1",
            (id, format_time(now)),
        )
    }

    /// Records a failed attempt: due again at `retry`, or dead for a person to look at.
    pub fn fail_job(&self, id: i64, error: &str, retry: Retry, now: DateTime<Utc>) -> Result<(), StoreError> {
        match retry {
            Retry::At(when) => self.update_job(
                id,
                "UPDATE jobs SET state = 'failed', last_error = ?3, next_attempt_at = ?4, updated_at = ?2 WHERE id = ?1",
                (id, format_time(now), error, format_time(when)),
            ),
            Retry::Never => self.update_job(
                id,
                "UPDATE jobs SET state = 'dead', last_error = ?3, updated_at = ?2 WHERE id = ?1",
                (id, format_time(now), error),
            ),
        }
    }

    /// Records a failed attempt of a batch that partly succeeded: the payload is narrowed to what still
    /// has to be done, so a retry does not repeat the items that landed. The idempotency key stays, so
    /// the event that produced the batch still cannot enqueue it a second time.
    pub fn reschedule_job_with_payload(
        &self,
        id: i64,
        payload: &serde_json::Value,
        error: &str,
        retry: Retry,
        now: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let (state, next) = match retry {
            Retry::At(when) => ("failed", Some(format_time(when))),
            Retry::Never => ("dead", None),
        };
        self.update_job(
            id,
            "UPDATE jobs SET state = ?3, payload = ?4, last_error = ?5,
                 next_attempt_at = COALESCE(?6, next_attempt_at), updated_at = ?2
             WHERE id = ?1",
            rusqlite::params![id, format_time(now), state, payload.to_string(), error, next],
        )
    }

    /// A person's "try again": the job becomes due now. Its attempt count is kept for the record.
    pub fn replay_job(&self, id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.update_job(
            id,
            "UPDATE jobs SET state = 'pending', next_attempt_at = ?2, updated_at = ?2 WHERE id = ?1",
            (id, format_time(now)),
        )
    }

    /// After a crash, jobs left running were interrupted mid-attempt; they become due again.
    /// Their executors must be idempotent, which is why every job carries an idempotency key.
    pub fn requeue_interrupted(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        let at = format_time(now);
        self.write(|tx| {
            Ok(tx.execute(
                "UPDATE jobs SET state = 'pending', next_attempt_at = ?1, updated_at = ?1 WHERE state = 'running'",
                [&at],
            )?)
        })
    }

    pub fn job(&self, id: i64) -> Result<Job, StoreError> {
        self.read(|c| {
            c.query_row(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE id = ?1"), [id], job_from_row)
                .optional()?
                .ok_or(StoreError::NotFound { what: "job", id })
        })
    }

    pub fn jobs_in_state(&self, state: JobState, limit: u32) -> Result<Vec<Job>, StoreError> {
        self.read(|c| {
            let mut stmt =
                c.prepare(&format!("SELECT {JOB_COLUMNS} FROM jobs WHERE state = ?1 ORDER BY id LIMIT ?2"))?;
            let jobs =
                stmt.query_map(rusqlite::params![state.as_str(), limit], job_from_row)?.collect::<Result<_, _>>()?;
            Ok(jobs)
        })
    }

    pub fn count_jobs(&self) -> Result<Vec<(JobState, u64)>, StoreError> {
        self.read(|c| {
            let mut stmt = c.prepare("SELECT state, COUNT(*) FROM jobs GROUP BY state ORDER BY state")?;
            let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
            let mut out = Vec::new();
            for row in rows {
                let (state, n) = row?;
                if let Some(state) = JobState::parse(&state) {
                    out.push((state, n.max(0) as u64));
                }
            }
            Ok(out)
        })
    }

    fn update_job(&self, id: i64, sql: &str, params: impl rusqlite::Params) -> Result<(), StoreError> {
        self.write(
            |tx| {
                if tx.execute(sql, params)? == 0 { Err(StoreError::NotFound { what: "job", id }) } else { Ok(()) }
            },
        )
    }
}
