//! Sync runs and the changes each planned: the progress screen's memory across restarts, and the
//! dry run's preview.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use tillbridge_domain::Scope;
use tillbridge_domain::work::Capability;

use crate::columns::{count_at, count_to_sql, optional_time_at, time_at};
use crate::time::format_time;
use crate::{Store, StoreError};

/// Runs whose changes are kept. A full sync can plan 100,000 changes; only the recent ones are looked at.
const RUNS_WITH_CHANGES_KEPT: i64 = 20;

/// Runs kept at all: their summaries are small, but a delta every few minutes adds up over years.
const RUNS_KEPT: i64 = 1_000;

/// The phase a run starts in: reading the catalogs is always the first thing a sync does.
pub const FIRST_PHASE: &str = "reading_bigcommerce";

/// The phase of a run that ended in an error, including one interrupted by a crash.
pub const FAILED_PHASE: &str = "failed";

/// Said of a run found unfinished when the store opens: the process that ran it is gone.
pub const INTERRUPTED_ERROR: &str =
    "Tillbridge stopped before this sync finished (it was closed or crashed). Run the sync again to finish it.";

/// What started a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    Manual,
    Scheduled,
}

impl Trigger {
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Manual => "manual",
            Trigger::Scheduled => "scheduled",
        }
    }

    pub fn parse(s: &str) -> Option<Trigger> {
        match s {
            "manual" => Some(Trigger::Manual),
            "scheduled" => Some(Trigger::Scheduled),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRunRecord {
    pub id: i64,
    pub capability: Capability,
    pub mode: Scope,
    pub dry_run: bool,
    pub trigger: Trigger,
    pub started_at: DateTime<Utc>,
    /// None while the run is going, or when its process died (see `heartbeat_at`).
    pub finished_at: Option<DateTime<Utc>>,
    pub phase: String,
    pub error: Option<String>,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
    pub superseded: u64,
    /// Why a scheduled run waits for a person (phase `needs_approval`).
    pub approval_reason: Option<String>,
    /// The process running it ("host/pid/start/instance").
    pub owner: Option<String>,
    pub heartbeat_at: Option<DateTime<Utc>>,
    pub cancel_requested: bool,
}

/// A run about to start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRun<'a> {
    pub capability: Capability,
    pub mode: Scope,
    pub dry_run: bool,
    pub trigger: Trigger,
    pub owner: &'a str,
}

/// How a run got going.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunStart {
    Started(i64),
    /// A run of the same kind lost with its process was taken over, to be finished from where it
    /// stopped.
    Resumed(SyncRunRecord),
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRunEnd {
    /// "done", "failed", "cancelled" or "needs_approval", in the engine's phase names.
    pub phase: String,
    pub error: Option<String>,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
    pub superseded: u64,
    pub approval_reason: Option<String>,
}

impl SyncRunEnd {
    /// The end of a run that stopped before its counts meant anything (`phase` "failed" or
    /// "cancelled"), with why.
    pub fn stopped(phase: &str, error: String) -> SyncRunEnd {
        SyncRunEnd {
            phase: phase.into(),
            error: Some(error),
            changes: 0,
            written: 0,
            failed: 0,
            superseded: 0,
            approval_reason: None,
        }
    }
}

/// One field change a run planned, as the preview lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncChangeRow {
    pub bigcommerce_variant_id: i64,
    pub shopify_variant_id: String,
    pub title: String,
    pub sku: String,
    /// "title", "price", "sale_price", "barcode" or "sku".
    pub field: String,
    /// "bigcommerce_to_shopify" or "shopify_to_bigcommerce".
    pub direction: String,
    pub old: Option<String>,
    pub new: Option<String>,
    /// The job that carries it (None in a dry run).
    #[serde(default)]
    pub job_id: Option<i64>,
    /// What became of it: the job's state (pending, running, done, failed, dead, superseded,
    /// skipped, cancelled), or "planned" in a dry run. Filled in when read.
    #[serde(default)]
    pub result: Option<String>,
}

/// How many of a run's changes touch one field in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncChangeKindCount {
    pub field: String,
    pub direction: String,
    pub changes: u64,
}

/// The unfinished run of `capability` whose lease is fresh and whose process is not provably gone.
fn live_run(
    tx: &Transaction<'_>,
    capability: Capability,
    now: DateTime<Utc>,
    is_gone: &dyn Fn(&str) -> bool,
) -> Result<Option<(i64, DateTime<Utc>)>, StoreError> {
    let rows: Vec<(i64, String, Option<String>)> = tx
        .prepare_cached(
            "SELECT id, heartbeat_at, owner FROM sync_runs
             WHERE capability = ?1 AND finished_at IS NULL AND heartbeat_at > ?2 ORDER BY id DESC",
        )?
        .query_map(params![capability.as_str(), format_time(now - SYNC_LEASE)], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows
        .into_iter()
        .find(|(_, _, owner)| owner.as_deref().is_none_or(|o| !is_gone(o)))
        .map(|(id, beat, _)| (id, crate::time::parse_time(&beat).unwrap_or(now))))
}

/// Starts a run of `new.capability`, unless one is alive (in another process, or this one): that
/// is refused with [`StoreError::SyncRunning`]. Runs of the capability lost with their process
/// (lease expired, or owner provably gone) are taken over when `resumable` says the new run would
/// do what they were doing, and marked failed otherwise. Prunes the oldest runs.
pub fn start_run(
    tx: &Transaction<'_>,
    new: &NewRun<'_>,
    now: DateTime<Utc>,
    is_gone: &dyn Fn(&str) -> bool,
    resumable: &dyn Fn(&SyncRunRecord) -> bool,
) -> Result<RunStart, StoreError> {
    if let Some((run_id, beat)) = live_run(tx, new.capability, now, is_gone)? {
        return Err(StoreError::SyncRunning { run_id, seconds_ago: (now - beat).num_seconds() });
    }
    let lost: Vec<SyncRunRecord> = tx
        .prepare_cached(&format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE capability = ?1 AND finished_at IS NULL ORDER BY id DESC"
        ))?
        .query_map([new.capability.as_str()], run_from_row)?
        .collect::<Result<_, _>>()?;
    let mut resumed = None;
    for run in lost {
        if resumed.is_none() && resumable(&run) {
            tx.execute(
                "UPDATE sync_runs SET owner = ?2, heartbeat_at = ?3 WHERE id = ?1",
                params![run.id, new.owner, format_time(now)],
            )?;
            resumed = Some(run.id);
        } else {
            tx.execute(
                "UPDATE sync_runs SET phase = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
                params![run.id, FAILED_PHASE, INTERRUPTED_ERROR, format_time(now)],
            )?;
        }
    }
    if let Some(id) = resumed {
        return Ok(RunStart::Resumed(sync_run(tx, id)?));
    }
    let id = tx.query_row(
        "INSERT INTO sync_runs (capability, mode, dry_run, trigger, started_at, phase, heartbeat_at, owner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7) RETURNING id",
        params![
            new.capability.as_str(),
            new.mode.as_str(),
            new.dry_run,
            new.trigger.as_str(),
            format_time(now),
            FIRST_PHASE,
            new.owner
        ],
        |r| r.get(0),
    )?;
    // The cascade removes the pruned runs' changes too.
    tx.execute(
        "DELETE FROM sync_runs WHERE id <= (SELECT id FROM sync_runs ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        [RUNS_KEPT],
    )?;
    Ok(RunStart::Started(id))
}

/// Records how many changes a run planned, as soon as its plan is saved, so a run taken over after
/// a crash still reports them.
pub fn record_planned(tx: &Transaction<'_>, run_id: i64, changes: u64) -> Result<(), StoreError> {
    tx.execute("UPDATE sync_runs SET changes = ?2 WHERE id = ?1", params![run_id, count_to_sql(changes)])?;
    Ok(())
}

pub fn update_sync_run_phase(tx: &Transaction<'_>, run_id: i64, phase: &str) -> Result<(), StoreError> {
    let n = tx.execute("UPDATE sync_runs SET phase = ?2 WHERE id = ?1", params![run_id, phase])?;
    if n == 0 { Err(StoreError::NotFound { what: "sync run", id: run_id }) } else { Ok(()) }
}

pub fn finish_sync_run(
    tx: &Transaction<'_>,
    run_id: i64,
    end: &SyncRunEnd,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let n = tx.execute(
        "UPDATE sync_runs SET phase = ?2, error = ?3, changes = ?4, written = ?5, failed = ?6, finished_at = ?7,
             superseded = ?8, approval_reason = ?9
         WHERE id = ?1",
        params![
            run_id,
            end.phase,
            end.error,
            count_to_sql(end.changes),
            count_to_sql(end.written),
            count_to_sql(end.failed),
            format_time(now),
            count_to_sql(end.superseded),
            end.approval_reason,
        ],
    )?;
    if n == 0 { Err(StoreError::NotFound { what: "sync run", id: run_id }) } else { Ok(()) }
}

/// Appends changes to a run, after those already saved (a run may save its plan in batches), then
/// drops the changes of all but the latest runs.
pub fn save_sync_changes(tx: &Transaction<'_>, run_id: i64, rows: &[SyncChangeRow]) -> Result<(), StoreError> {
    let last_seq: Option<i64> = tx
        .query_row(
            "SELECT (SELECT MAX(seq) FROM sync_changes WHERE run_id = ?1) FROM sync_runs WHERE id = ?1",
            [run_id],
            |r| r.get(0),
        )
        .optional()?
        .ok_or(StoreError::NotFound { what: "sync run", id: run_id })?;
    let mut seq = last_seq.unwrap_or(0);
    let mut stmt = tx.prepare_cached(
        "INSERT INTO sync_changes
           (run_id, seq, bigcommerce_variant_id, shopify_variant_id, title, sku, field, direction, old, new, job_id)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    )?;
    for c in rows {
        seq += 1;
        stmt.execute(params![
            run_id,
            seq,
            c.bigcommerce_variant_id,
            c.shopify_variant_id,
            c.title,
            c.sku,
            c.field,
            c.direction,
            c.old,
            c.new,
            c.job_id
        ])?;
    }
    tx.execute(
        "DELETE FROM sync_changes
         WHERE run_id < (SELECT MIN(id) FROM (SELECT id FROM sync_runs ORDER BY id DESC LIMIT ?1))",
        [RUNS_WITH_CHANGES_KEPT],
    )?;
    Ok(())
}

/// How long a running sync's lease lasts without renewal. The engine renews it well within this,
/// so a run older than this without news was lost with its process.
pub const SYNC_LEASE: chrono::Duration = chrono::Duration::seconds(30);

const RUN_COLUMNS: &str = "id, capability, mode, dry_run, trigger, started_at, finished_at, phase, error, changes, \
     written, failed, superseded, approval_reason, owner, heartbeat_at, cancel_requested";

/// The newest run of `capability`; `dry_run` narrows it to previews or to real runs.
pub fn latest_sync_run(
    conn: &Connection,
    capability: Capability,
    dry_run: Option<bool>,
) -> Result<Option<SyncRunRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {RUN_COLUMNS} FROM sync_runs WHERE capability = ?1 AND (?2 IS NULL OR dry_run = ?2)
                 ORDER BY id DESC LIMIT 1"
            ),
            params![capability.as_str(), dry_run],
            run_from_row,
        )
        .optional()?)
}

/// The newest catalog run of this kind (a preview, or a real full sync) that finished without
/// failing, being cancelled or stopping for approval: what the first-run setup counts as done.
pub fn latest_finished_catalog_run(
    conn: &Connection,
    dry_run: bool,
    full_only: bool,
) -> Result<Option<SyncRunRecord>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {RUN_COLUMNS} FROM sync_runs
                 WHERE capability = ?1 AND dry_run = ?2 AND finished_at IS NOT NULL
                   AND phase NOT IN ('failed', 'cancelled', 'needs_approval')
                   AND (?3 = 0 OR mode = 'full')
                 ORDER BY id DESC LIMIT 1"
            ),
            params![Capability::Catalog.as_str(), dry_run, full_only],
            run_from_row,
        )
        .optional()?)
}

/// Runs newest first, a page at a time, with how many there are; `capability` narrows them.
pub fn sync_runs_page(
    conn: &Connection,
    capability: Option<Capability>,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<SyncRunRecord>), StoreError> {
    let cap = capability.map(Capability::as_str);
    let total = conn
        .query_row("SELECT COUNT(*) FROM sync_runs WHERE ?1 IS NULL OR capability = ?1", [cap], |r| count_at(r, 0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE ?1 IS NULL OR capability = ?1 ORDER BY id DESC LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt
        .query_map(params![cap, count_to_sql(limit), count_to_sql(offset)], run_from_row)?
        .collect::<Result<_, _>>()?;
    Ok((total, rows))
}

pub fn sync_run(conn: &Connection, run_id: i64) -> Result<SyncRunRecord, StoreError> {
    conn.query_row(&format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?1"), [run_id], run_from_row)
        .optional()?
        .ok_or(StoreError::NotFound { what: "sync run", id: run_id })
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<SyncRunRecord> {
    let capability: String = r.get(1)?;
    let mode: String = r.get(2)?;
    let trigger: String = r.get(4)?;
    // The CHECK constraints admit only the names parsed here.
    Ok(SyncRunRecord {
        id: r.get(0)?,
        capability: Capability::parse(&capability).unwrap_or(Capability::Catalog),
        mode: Scope::parse(&mode).unwrap_or(Scope::Full),
        dry_run: r.get(3)?,
        trigger: Trigger::parse(&trigger).unwrap_or(Trigger::Manual),
        started_at: time_at(r, 5)?,
        finished_at: optional_time_at(r, 6)?,
        phase: r.get(7)?,
        error: r.get(8)?,
        changes: count_at(r, 9)?,
        written: count_at(r, 10)?,
        failed: count_at(r, 11)?,
        superseded: count_at(r, 12)?,
        approval_reason: r.get(13)?,
        owner: r.get(14)?,
        heartbeat_at: optional_time_at(r, 15)?,
        cancel_requested: r.get(16)?,
    })
}

const CHANGE_COLUMNS: &str = "c.bigcommerce_variant_id, c.shopify_variant_id, c.title, c.sku, c.field, c.direction, \
     c.old, c.new, c.job_id, COALESCE(j.state, CASE WHEN c.job_id IS NULL THEN 'planned' ELSE 'pruned' END)";

/// Each change with the job that carries it, so its result is read with it.
const CHANGE_FROM: &str = "sync_changes c LEFT JOIN jobs j ON j.id = c.job_id";

fn change_from_row(r: &Row<'_>) -> rusqlite::Result<SyncChangeRow> {
    Ok(SyncChangeRow {
        bigcommerce_variant_id: r.get(0)?,
        shopify_variant_id: r.get(1)?,
        title: r.get(2)?,
        sku: r.get(3)?,
        field: r.get(4)?,
        direction: r.get(5)?,
        old: r.get(6)?,
        new: r.get(7)?,
        job_id: r.get(8)?,
        result: r.get(9)?,
    })
}

/// One page of a run's changes in plan order, with how many the run has in all. A run whose changes
/// were pruned has none.
pub fn sync_changes_page(
    conn: &Connection,
    run_id: i64,
    offset: u64,
    limit: u64,
) -> Result<(u64, Vec<SyncChangeRow>), StoreError> {
    let total = conn.query_row("SELECT COUNT(*) FROM sync_changes WHERE run_id = ?1", [run_id], |r| count_at(r, 0))?;
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {CHANGE_COLUMNS} FROM {CHANGE_FROM} WHERE c.run_id = ?1 ORDER BY c.seq LIMIT ?2 OFFSET ?3"
    ))?;
    let rows = stmt
        .query_map(params![run_id, count_to_sql(limit), count_to_sql(offset)], change_from_row)?
        .collect::<Result<_, _>>()?;
    Ok((total, rows))
}

/// Visits every change of a run in plan order without holding them all in memory (for the CSV
/// export); returns how many.
pub fn sync_changes_all(
    conn: &Connection,
    run_id: i64,
    mut visit: impl FnMut(&SyncChangeRow),
) -> Result<u64, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {CHANGE_COLUMNS} FROM {CHANGE_FROM} WHERE c.run_id = ?1 ORDER BY c.seq"))?;
    let mut rows = stmt.query([run_id])?;
    let mut visited = 0;
    while let Some(r) = rows.next()? {
        visit(&change_from_row(r)?);
        visited += 1;
    }
    Ok(visited)
}

/// A run's changes counted by field and direction, for the summary.
pub fn sync_change_kinds(conn: &Connection, run_id: i64) -> Result<Vec<SyncChangeKindCount>, StoreError> {
    let mut stmt = conn.prepare_cached(
        "SELECT field, direction, COUNT(*) FROM sync_changes WHERE run_id = ?1
         GROUP BY field, direction ORDER BY field, direction",
    )?;
    let rows = stmt
        .query_map([run_id], |r| {
            Ok(SyncChangeKindCount { field: r.get(0)?, direction: r.get(1)?, changes: count_at(r, 2)? })
        })?
        .collect::<Result<_, _>>()?;
    Ok(rows)
}

/// Marks the unfinished runs whose process is gone (lease expired, or owner provably dead) as
/// failed, saying so; a run lost while writing is kept open for `keep_writing_runs_for`, so the
/// next start can take it over. A running process calls this now and then, so the Runs list never shows a
/// lost run as running for ever. Returns how many.
pub fn fail_lost_runs(
    tx: &Transaction<'_>,
    now: DateTime<Utc>,
    keep_writing_runs_for: chrono::Duration,
    is_gone: &dyn Fn(&str) -> bool,
) -> Result<usize, StoreError> {
    let open: Vec<(i64, Option<String>, Option<String>, String)> = tx
        .prepare_cached("SELECT id, owner, heartbeat_at, phase FROM sync_runs WHERE finished_at IS NULL")?
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))?
        .collect::<Result<_, _>>()?;
    let stale = format_time(now - SYNC_LEASE);
    let too_old_to_resume = format_time(now - keep_writing_runs_for);
    let mut n = 0;
    for (id, owner, beat, phase) in open {
        let expired = beat.as_deref().is_none_or(|b| b <= stale.as_str());
        // A run lost while writing stays open for the next start to take over and finish, until
        // it is too old for that.
        let awaiting_resume = phase == "writing" && beat.as_deref().is_some_and(|b| b > too_old_to_resume.as_str());
        if (expired || owner.as_deref().is_some_and(is_gone)) && !awaiting_resume {
            n += tx.execute(
                "UPDATE sync_runs SET phase = ?2, error = ?3, finished_at = ?4 WHERE id = ?1",
                params![id, FAILED_PHASE, INTERRUPTED_ERROR, format_time(now)],
            )?;
        }
    }
    Ok(n)
}

impl Store {
    pub fn start_run(
        &self,
        new: &NewRun<'_>,
        now: DateTime<Utc>,
        is_gone: &dyn Fn(&str) -> bool,
        resumable: &dyn Fn(&SyncRunRecord) -> bool,
    ) -> Result<RunStart, StoreError> {
        self.write(|tx| start_run(tx, new, now, is_gone, resumable))
    }

    /// Asks a run to stop: recorded for every process to see, and its queued jobs cancelled at
    /// once (running ones finish). Returns how many jobs were cancelled.
    /// Removes a finished scheduled run that found nothing to do, so a poll every 30 s does not
    /// bury the runs that did something. Returns whether it was removed.
    pub fn forget_quiet_run(&self, run_id: i64) -> Result<bool, StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "DELETE FROM sync_runs WHERE id = ?1 AND trigger = 'scheduled' AND finished_at IS NOT NULL
                     AND changes = 0 AND written = 0 AND failed = 0 AND error IS NULL
                     AND NOT EXISTS (SELECT 1 FROM jobs WHERE jobs.run_id = sync_runs.id)",
                [run_id],
            )?;
            Ok(n > 0)
        })
    }

    pub fn request_cancel(&self, run_id: i64, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| {
            tx.execute("UPDATE sync_runs SET cancel_requested = 1 WHERE id = ?1 AND finished_at IS NULL", [run_id])?;
            Ok(tx.execute(
                "UPDATE jobs SET state = 'cancelled', updated_at = ?2,
                     last_error = 'its run was cancelled before it went out'
                 WHERE run_id = ?1 AND state IN ('pending', 'failed')",
                params![run_id, format_time(now)],
            )?)
        })
    }

    pub fn fail_lost_runs(
        &self,
        now: DateTime<Utc>,
        keep_writing_runs_for: chrono::Duration,
        is_gone: &dyn Fn(&str) -> bool,
    ) -> Result<usize, StoreError> {
        self.write(|tx| fail_lost_runs(tx, now, keep_writing_runs_for, is_gone))
    }

    pub fn sync_runs_page(
        &self,
        capability: Option<Capability>,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<SyncRunRecord>), StoreError> {
        self.read(|c| sync_runs_page(c, capability, offset, limit))
    }

    pub fn update_sync_run_phase(&self, run_id: i64, phase: &str) -> Result<(), StoreError> {
        self.write(|tx| update_sync_run_phase(tx, run_id, phase))
    }

    pub fn finish_sync_run(&self, run_id: i64, end: &SyncRunEnd, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| finish_sync_run(tx, run_id, end, now))
    }

    pub fn save_sync_changes(&self, run_id: i64, rows: &[SyncChangeRow]) -> Result<(), StoreError> {
        self.write(|tx| save_sync_changes(tx, run_id, rows))
    }

    pub fn latest_sync_run(
        &self,
        capability: Capability,
        dry_run: Option<bool>,
    ) -> Result<Option<SyncRunRecord>, StoreError> {
        self.read(|c| latest_sync_run(c, capability, dry_run))
    }

    pub fn sync_run(&self, run_id: i64) -> Result<SyncRunRecord, StoreError> {
        self.read(|c| sync_run(c, run_id))
    }

    pub fn latest_finished_catalog_run(
        &self,
        dry_run: bool,
        full_only: bool,
    ) -> Result<Option<SyncRunRecord>, StoreError> {
        self.read(|c| latest_finished_catalog_run(c, dry_run, full_only))
    }

    pub fn sync_changes_page(
        &self,
        run_id: i64,
        offset: u64,
        limit: u64,
    ) -> Result<(u64, Vec<SyncChangeRow>), StoreError> {
        self.read(|c| sync_changes_page(c, run_id, offset, limit))
    }

    /// Visits every change of a run; holds the store while it runs, so `visit` should only format
    /// and buffer.
    pub fn sync_changes_all(&self, run_id: i64, visit: impl FnMut(&SyncChangeRow)) -> Result<u64, StoreError> {
        self.read(|c| sync_changes_all(c, run_id, visit))
    }

    pub fn sync_change_kinds(&self, run_id: i64) -> Result<Vec<SyncChangeKindCount>, StoreError> {
        self.read(|c| sync_change_kinds(c, run_id))
    }
}
