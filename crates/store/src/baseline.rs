//! The catalog as of the last sync that wrote, and where the next delta read starts.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::catalog::{BC_COLUMNS, SH_COLUMNS, bc_from_row, sh_from_row};
use crate::time::{format_time, parse_time};
use crate::{BcVariantRow, ShVariantRow, Store, StoreError};

/// Where each store's next delta read starts (RFC 3339, the store's own clock).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncCursors {
    pub bigcommerce: Option<String>,
    pub shopify: Option<String>,
    pub synced_at: DateTime<Utc>,
}

/// Makes the current snapshot the baseline, remembers the pairs this sync matched, and moves the
/// cursors. A `None` cursor (a read that returned nothing) keeps the previous one, so an empty
/// delta never rewinds to the beginning.
pub fn save_baseline(
    tx: &Transaction<'_>,
    pairs: &[(i64, String)],
    bigcommerce_cursor: Option<&str>,
    shopify_cursor: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    tx.execute("DELETE FROM synced_pairs", [])?;
    let mut insert = tx.prepare_cached(
        "INSERT OR IGNORE INTO synced_pairs (bigcommerce_variant_id, shopify_variant_id) VALUES (?1, ?2)",
    )?;
    for (b, s) in pairs {
        insert.execute(params![b, s])?;
    }
    tx.execute("DELETE FROM bigcommerce_baseline", [])?;
    tx.execute(&format!("INSERT INTO bigcommerce_baseline ({BC_COLUMNS}, read_id) SELECT {BC_COLUMNS}, read_id FROM bigcommerce_variants"), [])?;
    tx.execute("DELETE FROM shopify_baseline", [])?;
    tx.execute(
        &format!(
            "INSERT INTO shopify_baseline ({SH_COLUMNS}, read_id) SELECT {SH_COLUMNS}, read_id FROM shopify_variants"
        ),
        [],
    )?;
    let at = format_time(now);
    for (system, cursor) in [("bigcommerce", bigcommerce_cursor), ("shopify", shopify_cursor)] {
        tx.execute(
            "INSERT INTO sync_cursors (system, cursor, synced_at) VALUES (?1, ?2, ?3)
             ON CONFLICT (system) DO UPDATE SET cursor = COALESCE(excluded.cursor, sync_cursors.cursor), synced_at = excluded.synced_at",
            params![system, cursor, at],
        )?;
    }
    Ok(())
}

fn cursors(conn: &Connection) -> Result<Option<SyncCursors>, StoreError> {
    let row = |system: &str| -> Result<Option<(Option<String>, String)>, StoreError> {
        Ok(conn
            .query_row("SELECT cursor, synced_at FROM sync_cursors WHERE system = ?1", [system], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?)
    };
    match (row("bigcommerce")?, row("shopify")?) {
        (Some((bigcommerce, at)), Some((shopify, _))) => {
            Ok(Some(SyncCursors { bigcommerce, shopify, synced_at: parse_time(&at).unwrap_or_default() }))
        }
        _ => Ok(None),
    }
}

impl Store {
    /// The BigCommerce variants as of the last sync that wrote; empty before the first.
    pub fn bigcommerce_baseline(&self) -> Result<Vec<BcVariantRow>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare(&format!("SELECT {BC_COLUMNS} FROM bigcommerce_baseline ORDER BY variant_id"))?;
            let rows = stmt.query_map([], bc_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    pub fn shopify_baseline(&self) -> Result<Vec<ShVariantRow>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {SH_COLUMNS} FROM shopify_baseline ORDER BY variant_id"))?;
            let rows = stmt.query_map([], sh_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// The pairs the last sync that wrote had matched.
    pub fn synced_pairs(&self) -> Result<Vec<(i64, String)>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT bigcommerce_variant_id, shopify_variant_id FROM synced_pairs ORDER BY 1, 2")?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// None until a sync has written (a delta needs a full sync before it).
    pub fn sync_cursors(&self) -> Result<Option<SyncCursors>, StoreError> {
        self.read(cursors)
    }
}
