//! Sync runs and the changes each planned: the progress screen's memory across restarts, and the
//! dry run's preview.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::{Deserialize, Serialize};

use tillbridge_domain::Scope;

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

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncRunRecord {
    pub id: i64,
    pub mode: Scope,
    pub dry_run: bool,
    pub started_at: DateTime<Utc>,
    /// None while the run is going (or until an interrupted run is found at start).
    pub finished_at: Option<DateTime<Utc>>,
    pub phase: String,
    pub error: Option<String>,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncRunEnd {
    /// "done" or "failed", in the engine's phase names.
    pub phase: String,
    pub error: Option<String>,
    pub changes: u64,
    pub written: u64,
    pub failed: u64,
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
}

/// How many of a run's changes touch one field in one direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SyncChangeKindCount {
    pub field: String,
    pub direction: String,
    pub changes: u64,
}

/// Records the start of a run in [`FIRST_PHASE`] and returns its id. Prunes the oldest runs.
pub fn start_sync_run(tx: &Transaction<'_>, mode: Scope, dry_run: bool, now: DateTime<Utc>) -> Result<i64, StoreError> {
    if let Some((run_id, beat)) = live_run(tx, now)? {
        return Err(StoreError::SyncRunning { run_id, seconds_ago: (now - beat).num_seconds() });
    }
    let id = tx.query_row(
        "INSERT INTO sync_runs (mode, dry_run, started_at, phase, heartbeat_at) VALUES (?1, ?2, ?3, ?4, ?3) RETURNING id",
        params![mode.as_str(), dry_run, format_time(now), FIRST_PHASE],
        |r| r.get(0),
    )?;
    // The cascade removes the pruned runs' changes too.
    tx.execute(
        "DELETE FROM sync_runs WHERE id <= (SELECT id FROM sync_runs ORDER BY id DESC LIMIT 1 OFFSET ?1)",
        [RUNS_KEPT],
    )?;
    Ok(id)
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
        "UPDATE sync_runs SET phase = ?2, error = ?3, changes = ?4, written = ?5, failed = ?6, finished_at = ?7
         WHERE id = ?1",
        params![
            run_id,
            end.phase,
            end.error,
            count_to_sql(end.changes),
            count_to_sql(end.written),
            count_to_sql(end.failed),
            format_time(now)
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
           (run_id, seq, bigcommerce_variant_id, shopify_variant_id, title, sku, field, direction, old, new)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
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
            c.new
        ])?;
    }
    tx.execute(
        "DELETE FROM sync_changes
         WHERE run_id < (SELECT MIN(id) FROM (SELECT id FROM sync_runs ORDER BY id DESC LIMIT ?1))",
        [RUNS_WITH_CHANGES_KEPT],
    )?;
    Ok(())
}

/// A run left unfinished by a crash can never finish: marks it failed, saying so. Call once at
/// start, before any run begins. Returns how many runs were marked.
pub fn interrupted_sync_runs_to_failed(tx: &Transaction<'_>, now: DateTime<Utc>) -> Result<usize, StoreError> {
    // A run whose lease is fresh belongs to a process that is still working on it.
    Ok(tx.execute(
        "UPDATE sync_runs SET phase = ?1, error = ?2, finished_at = ?3
         WHERE finished_at IS NULL AND (heartbeat_at IS NULL OR heartbeat_at <= ?4)",
        params![FAILED_PHASE, INTERRUPTED_ERROR, format_time(now), format_time(now - SYNC_LEASE)],
    )?)
}

/// How long a running sync's lease lasts without renewal. The engine renews it well within this,
/// so a run older than this without news was lost with its process.
pub const SYNC_LEASE: chrono::Duration = chrono::Duration::seconds(60);

/// The unfinished run whose lease is still fresh, with its last renewal.
fn live_run(conn: &Connection, now: DateTime<Utc>) -> Result<Option<(i64, DateTime<Utc>)>, StoreError> {
    let row: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, heartbeat_at FROM sync_runs WHERE finished_at IS NULL AND heartbeat_at > ?1 ORDER BY id DESC LIMIT 1",
            [format_time(now - SYNC_LEASE)],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    Ok(row.map(|(id, beat)| (id, crate::time::parse_time(&beat).unwrap_or(now))))
}

/// Renews a running sync's lease.
pub fn renew_sync_run(tx: &Transaction<'_>, run_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
    tx.execute(
        "UPDATE sync_runs SET heartbeat_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
        params![run_id, format_time(now)],
    )?;
    Ok(())
}

const RUN_COLUMNS: &str = "id, mode, dry_run, started_at, finished_at, phase, error, changes, written, failed";

pub fn latest_sync_run(conn: &Connection) -> Result<Option<SyncRunRecord>, StoreError> {
    Ok(conn
        .query_row(&format!("SELECT {RUN_COLUMNS} FROM sync_runs ORDER BY id DESC LIMIT 1"), [], run_from_row)
        .optional()?)
}

pub fn sync_run(conn: &Connection, run_id: i64) -> Result<SyncRunRecord, StoreError> {
    conn.query_row(&format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?1"), [run_id], run_from_row)
        .optional()?
        .ok_or(StoreError::NotFound { what: "sync run", id: run_id })
}

fn run_from_row(r: &Row<'_>) -> rusqlite::Result<SyncRunRecord> {
    let mode: String = r.get(1)?;
    Ok(SyncRunRecord {
        id: r.get(0)?,
        // The CHECK constraint admits only the two modes.
        mode: Scope::parse(&mode).unwrap_or(Scope::Full),
        dry_run: r.get(2)?,
        started_at: time_at(r, 3)?,
        finished_at: optional_time_at(r, 4)?,
        phase: r.get(5)?,
        error: r.get(6)?,
        changes: count_at(r, 7)?,
        written: count_at(r, 8)?,
        failed: count_at(r, 9)?,
    })
}

const CHANGE_COLUMNS: &str = "bigcommerce_variant_id, shopify_variant_id, title, sku, field, direction, old, new";

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
        "SELECT {CHANGE_COLUMNS} FROM sync_changes WHERE run_id = ?1 ORDER BY seq LIMIT ?2 OFFSET ?3"
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
        conn.prepare_cached(&format!("SELECT {CHANGE_COLUMNS} FROM sync_changes WHERE run_id = ?1 ORDER BY seq"))?;
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

impl Store {
    pub fn start_sync_run(&self, mode: Scope, dry_run: bool, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.write(|tx| start_sync_run(tx, mode, dry_run, now))
    }

    pub fn renew_sync_run(&self, run_id: i64, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| renew_sync_run(tx, run_id, now))
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

    /// Marks runs left unfinished by a crash as failed; see [`interrupted_sync_runs_to_failed`].
    pub fn interrupted_sync_runs_to_failed(&self, now: DateTime<Utc>) -> Result<usize, StoreError> {
        self.write(|tx| interrupted_sync_runs_to_failed(tx, now))
    }

    pub fn latest_sync_run(&self) -> Result<Option<SyncRunRecord>, StoreError> {
        self.read(latest_sync_run)
    }

    pub fn sync_run(&self, run_id: i64) -> Result<SyncRunRecord, StoreError> {
        self.read(|c| sync_run(c, run_id))
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
