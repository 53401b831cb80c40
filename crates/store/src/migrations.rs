use chrono::{DateTime, Utc};
use rusqlite::{Connection, TransactionBehavior};

use crate::StoreError;
use crate::time::format_time;

/// One step of the schema. Steps are applied in order, each in its own transaction, and
/// `PRAGMA user_version` records the last one applied.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: u32,
    pub name: &'static str,
    pub sql: &'static str,
}

pub const MIGRATIONS: &[Migration] = &[
    Migration { version: 1, name: "foundation", sql: include_str!("../migrations/0001_foundation.sql") },
    Migration { version: 2, name: "catalog", sql: include_str!("../migrations/0002_catalog.sql") },
    Migration { version: 3, name: "sync baseline", sql: include_str!("../migrations/0003_sync_baseline.sql") },
    Migration { version: 4, name: "runtime", sql: include_str!("../migrations/0004_runtime.sql") },
    Migration { version: 5, name: "stock", sql: include_str!("../migrations/0005_stock.sql") },
    Migration { version: 6, name: "orders", sql: include_str!("../migrations/0006_orders.sql") },
    Migration { version: 7, name: "stock drift", sql: include_str!("../migrations/0007_stock_drift.sql") },
    Migration { version: 8, name: "webhooks", sql: include_str!("../migrations/0008_webhooks.sql") },
    Migration { version: 9, name: "mapping reach", sql: include_str!("../migrations/0009_mapping_reach.sql") },
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: u32 = MIGRATIONS.len() as u32;

pub(crate) fn user_version(conn: &Connection) -> rusqlite::Result<u32> {
    conn.query_row("PRAGMA user_version", [], |r| r.get(0))
}

/// Applies every migration above the database's version. A failed step rolls back whole,
/// so the file is always at some exact version.
pub(crate) fn migrate(conn: &mut Connection, migrations: &[Migration], now: DateTime<Utc>) -> Result<u32, StoreError> {
    let start = user_version(conn)?;
    let mut version = start;
    for m in migrations.iter().filter(|m| m.version > start) {
        let fail = |e: rusqlite::Error| StoreError::Migration { version: m.version, detail: e.to_string() };
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(fail)?;
        tx.execute_batch(m.sql).map_err(fail)?;
        tx.execute(
            "INSERT INTO schema_history (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![m.version, m.name, format_time(now)],
        )
        .map_err(fail)?;
        tx.pragma_update(None, "user_version", m.version).map_err(fail)?;
        tx.commit().map_err(fail)?;
        version = m.version;
        tracing::info!(version, name = m.name, "applied schema migration");
    }
    Ok(version)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_are_contiguous_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version as usize, i + 1, "user_version arithmetic assumes steps 1, 2, 3 … with no gaps");
        }
    }
}
