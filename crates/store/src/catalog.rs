//! Catalog snapshots: each store's variants as last read, and the record of each read.
//!
//! The free functions take a transaction (writes) or a connection (reads), so the engine can record
//! a read, store its variants and enqueue the jobs it implies in one `Store::write`: either all of it
//! lands or none does. The `Store` methods are the same operations in a transaction of their own.

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use tillbridge_domain::Scope;

use crate::columns::{
    count_at, count_to_sql, decimal_at, json_at, json_text, optional_decimal_at, optional_time_at, time_at,
};
use crate::time::format_time;
use crate::{Store, StoreError, System};

/// How many reads per system are remembered. Only the latest are ever consulted; the rest are kept
/// a while for diagnosis.
const KEPT_READS_PER_SYSTEM: i64 = 100;

/// A finished read, about to be recorded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRead {
    pub system: System,
    pub scope: Scope,
    /// When the read started: anything changed after this may be missing from it, so the next
    /// delta must reach back at least this far.
    pub taken_at: DateTime<Utc>,
    /// What the next delta read passes to the store (BigCommerce `date_modified:min`, Shopify
    /// `updated_at:>`).
    pub cursor: Option<String>,
    /// How many variants the read returned.
    pub variants: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReadRecord {
    pub id: i64,
    pub system: System,
    pub scope: Scope,
    pub taken_at: DateTime<Utc>,
    pub cursor: Option<String>,
    pub variants: u64,
}

/// A BigCommerce variant as read, with its product's name and price.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BcVariantRow {
    pub variant_id: i64,
    pub product_id: i64,
    pub sku: String,
    pub upc: String,
    pub gtin: String,
    /// The product's price, which applies when the variant has no price of its own.
    pub product_price: Decimal,
    pub price: Option<Decimal>,
    pub sale_price: Option<Decimal>,
    /// The product's name.
    pub title: String,
    /// (option name, value) pairs in the store's order.
    pub options: Vec<(String, String)>,
    pub date_modified: Option<DateTime<Utc>>,
}

/// A Shopify variant as read. Ids are GIDs, kept exactly as read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ShVariantRow {
    pub variant_id: String,
    pub product_id: String,
    pub inventory_item_id: String,
    pub sku: String,
    pub barcode: String,
    pub price: Decimal,
    pub compare_at_price: Option<Decimal>,
    /// The product's title.
    pub title: String,
    /// (option name, value) pairs in the store's order.
    pub options: Vec<(String, String)>,
    pub updated_at: Option<DateTime<Utc>>,
}

/// Records a read and returns its id, which the variants it returned are stored under.
/// Prunes old reads of the same system, always keeping the latest full one.
pub fn record_read(tx: &Transaction<'_>, read: &NewRead) -> Result<i64, StoreError> {
    let id = tx.query_row(
        "INSERT INTO catalog_reads (system, scope, taken_at, cursor, variants) VALUES (?1, ?2, ?3, ?4, ?5) RETURNING id",
        params![
            read.system.as_str(),
            read.scope.as_str(),
            format_time(read.taken_at),
            read.cursor,
            count_to_sql(read.variants)
        ],
        |r| r.get(0),
    )?;
    tx.execute(
        "DELETE FROM catalog_reads
         WHERE system = ?1
           AND id NOT IN (SELECT id FROM catalog_reads WHERE system = ?1 ORDER BY id DESC LIMIT ?2)
           AND id <> COALESCE((SELECT MAX(id) FROM catalog_reads WHERE system = ?1 AND scope = 'full'), -1)",
        params![read.system.as_str(), KEPT_READS_PER_SYSTEM],
    )?;
    Ok(id)
}

/// The latest read of `system`, full or delta: its cursor is where the next delta starts.
pub fn last_read(conn: &Connection, system: System) -> Result<Option<ReadRecord>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, system, scope, taken_at, cursor, variants FROM catalog_reads
             WHERE system = ?1 ORDER BY id DESC LIMIT 1",
            [system.as_str()],
            read_from_row,
        )
        .optional()?)
}

/// The latest full read of `system`: deltas never see deletions, so this says how fresh the
/// knowledge of what no longer exists is.
pub fn last_full_read(conn: &Connection, system: System) -> Result<Option<ReadRecord>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT id, system, scope, taken_at, cursor, variants FROM catalog_reads
             WHERE system = ?1 AND scope = 'full' ORDER BY id DESC LIMIT 1",
            [system.as_str()],
            read_from_row,
        )
        .optional()?)
}

fn read_from_row(r: &Row<'_>) -> rusqlite::Result<ReadRecord> {
    let system: String = r.get(1)?;
    let scope: String = r.get(2)?;
    Ok(ReadRecord {
        id: r.get(0)?,
        // The CHECK constraints admit only the known values.
        system: System::parse(&system).unwrap_or(System::BigCommerce),
        scope: Scope::parse(&scope).unwrap_or(Scope::Full),
        taken_at: time_at(r, 3)?,
        cursor: r.get(4)?,
        variants: count_at(r, 5)?,
    })
}

pub(crate) const BC_COLUMNS: &str =
    "variant_id, product_id, sku, upc, gtin, product_price, price, sale_price, title, options, date_modified";

const BC_UPSERT: &str = "INSERT INTO bigcommerce_variants
       (variant_id, product_id, sku, upc, gtin, product_price, price, sale_price, title, options, date_modified, read_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
     ON CONFLICT (variant_id) DO UPDATE SET
       product_id = excluded.product_id, sku = excluded.sku, upc = excluded.upc, gtin = excluded.gtin,
       product_price = excluded.product_price, price = excluded.price, sale_price = excluded.sale_price,
       title = excluded.title, options = excluded.options, date_modified = excluded.date_modified,
       read_id = excluded.read_id";

/// Stores the variants of a full read: every row is written under `read_id`, and every variant the
/// read did not return is removed, since a full read is the whole catalog. Returns how many were removed.
pub fn replace_bigcommerce_variants(
    tx: &Transaction<'_>,
    read_id: i64,
    rows: &[BcVariantRow],
) -> Result<usize, StoreError> {
    upsert_bigcommerce_variants(tx, read_id, rows)?;
    Ok(tx.execute("DELETE FROM bigcommerce_variants WHERE read_id <> ?1", [read_id])?)
}

/// Stores the variants of a delta read, leaving every other variant as it was. A delta cannot
/// report deletions; the next full read removes what vanished.
pub fn upsert_bigcommerce_variants(
    tx: &Transaction<'_>,
    read_id: i64,
    rows: &[BcVariantRow],
) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(BC_UPSERT)?;
    for v in rows {
        stmt.execute(params![
            v.variant_id,
            v.product_id,
            v.sku,
            v.upc,
            v.gtin,
            v.product_price.to_string(),
            v.price.map(|d| d.to_string()),
            v.sale_price.map(|d| d.to_string()),
            v.title,
            json_text(&v.options)?,
            v.date_modified.map(format_time),
            read_id,
        ])?;
    }
    Ok(())
}

/// Every stored BigCommerce variant, by variant id.
pub fn bigcommerce_variants(conn: &Connection) -> Result<Vec<BcVariantRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {BC_COLUMNS} FROM bigcommerce_variants ORDER BY variant_id"))?;
    let rows = stmt.query_map([], bc_from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The stored variants among `ids`, in the order asked; ids not stored are skipped.
pub fn bigcommerce_variants_by_id(conn: &Connection, ids: &[i64]) -> Result<Vec<BcVariantRow>, StoreError> {
    let mut stmt =
        conn.prepare_cached(&format!("SELECT {BC_COLUMNS} FROM bigcommerce_variants WHERE variant_id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt.query_row([id], bc_from_row).optional()? {
            out.push(row);
        }
    }
    Ok(out)
}

pub(crate) fn bc_from_row(r: &Row<'_>) -> rusqlite::Result<BcVariantRow> {
    Ok(BcVariantRow {
        variant_id: r.get(0)?,
        product_id: r.get(1)?,
        sku: r.get(2)?,
        upc: r.get(3)?,
        gtin: r.get(4)?,
        product_price: decimal_at(r, 5)?,
        price: optional_decimal_at(r, 6)?,
        sale_price: optional_decimal_at(r, 7)?,
        title: r.get(8)?,
        options: json_at(r, 9)?,
        date_modified: optional_time_at(r, 10)?,
    })
}

pub(crate) const SH_COLUMNS: &str =
    "variant_id, product_id, inventory_item_id, sku, barcode, price, compare_at_price, title, options, updated_at";

const SH_UPSERT: &str = "INSERT INTO shopify_variants
       (variant_id, product_id, inventory_item_id, sku, barcode, price, compare_at_price, title, options, updated_at, read_id)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)
     ON CONFLICT (variant_id) DO UPDATE SET
       product_id = excluded.product_id, inventory_item_id = excluded.inventory_item_id, sku = excluded.sku,
       barcode = excluded.barcode, price = excluded.price, compare_at_price = excluded.compare_at_price,
       title = excluded.title, options = excluded.options, updated_at = excluded.updated_at,
       read_id = excluded.read_id";

/// Stores the variants of a full read and removes every variant the read did not return.
/// Returns how many were removed.
pub fn replace_shopify_variants(
    tx: &Transaction<'_>,
    read_id: i64,
    rows: &[ShVariantRow],
) -> Result<usize, StoreError> {
    upsert_shopify_variants(tx, read_id, rows)?;
    Ok(tx.execute("DELETE FROM shopify_variants WHERE read_id <> ?1", [read_id])?)
}

/// Stores the variants of a delta read, leaving every other variant as it was.
pub fn upsert_shopify_variants(tx: &Transaction<'_>, read_id: i64, rows: &[ShVariantRow]) -> Result<(), StoreError> {
    let mut stmt = tx.prepare_cached(SH_UPSERT)?;
    for v in rows {
        stmt.execute(params![
            v.variant_id,
            v.product_id,
            v.inventory_item_id,
            v.sku,
            v.barcode,
            v.price.to_string(),
            v.compare_at_price.map(|d| d.to_string()),
            v.title,
            json_text(&v.options)?,
            v.updated_at.map(format_time),
            read_id,
        ])?;
    }
    Ok(())
}

/// Every stored Shopify variant, by variant id.
pub fn shopify_variants(conn: &Connection) -> Result<Vec<ShVariantRow>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {SH_COLUMNS} FROM shopify_variants ORDER BY variant_id"))?;
    let rows = stmt.query_map([], sh_from_row)?.collect::<Result<_, _>>()?;
    Ok(rows)
}

/// The stored variants among `ids`, in the order asked; ids not stored are skipped.
pub fn shopify_variants_by_id(conn: &Connection, ids: &[String]) -> Result<Vec<ShVariantRow>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!("SELECT {SH_COLUMNS} FROM shopify_variants WHERE variant_id = ?1"))?;
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(row) = stmt.query_row([id], sh_from_row).optional()? {
            out.push(row);
        }
    }
    Ok(out)
}

pub(crate) fn sh_from_row(r: &Row<'_>) -> rusqlite::Result<ShVariantRow> {
    Ok(ShVariantRow {
        variant_id: r.get(0)?,
        product_id: r.get(1)?,
        inventory_item_id: r.get(2)?,
        sku: r.get(3)?,
        barcode: r.get(4)?,
        price: decimal_at(r, 5)?,
        compare_at_price: optional_decimal_at(r, 6)?,
        title: r.get(7)?,
        options: json_at(r, 8)?,
        updated_at: optional_time_at(r, 9)?,
    })
}

impl Store {
    /// Records a BigCommerce read and stores its variants in one transaction: a full read replaces
    /// the stored catalog, a delta updates it. Returns the read's id.
    pub fn save_bigcommerce_read(&self, read: &NewRead, rows: &[BcVariantRow]) -> Result<i64, StoreError> {
        self.write(|tx| {
            let id = record_read(tx, read)?;
            match read.scope {
                Scope::Full => replace_bigcommerce_variants(tx, id, rows).map(drop)?,
                Scope::Delta => upsert_bigcommerce_variants(tx, id, rows)?,
            }
            Ok(id)
        })
    }

    /// Records a Shopify read and stores its variants in one transaction, as
    /// [`Store::save_bigcommerce_read`] does.
    pub fn save_shopify_read(&self, read: &NewRead, rows: &[ShVariantRow]) -> Result<i64, StoreError> {
        self.write(|tx| {
            let id = record_read(tx, read)?;
            match read.scope {
                Scope::Full => replace_shopify_variants(tx, id, rows).map(drop)?,
                Scope::Delta => upsert_shopify_variants(tx, id, rows)?,
            }
            Ok(id)
        })
    }

    pub fn record_read(&self, read: &NewRead) -> Result<i64, StoreError> {
        self.write(|tx| record_read(tx, read))
    }

    pub fn replace_bigcommerce_variants(&self, read_id: i64, rows: &[BcVariantRow]) -> Result<usize, StoreError> {
        self.write(|tx| replace_bigcommerce_variants(tx, read_id, rows))
    }

    pub fn upsert_bigcommerce_variants(&self, read_id: i64, rows: &[BcVariantRow]) -> Result<(), StoreError> {
        self.write(|tx| upsert_bigcommerce_variants(tx, read_id, rows))
    }

    pub fn replace_shopify_variants(&self, read_id: i64, rows: &[ShVariantRow]) -> Result<usize, StoreError> {
        self.write(|tx| replace_shopify_variants(tx, read_id, rows))
    }

    pub fn upsert_shopify_variants(&self, read_id: i64, rows: &[ShVariantRow]) -> Result<(), StoreError> {
        self.write(|tx| upsert_shopify_variants(tx, read_id, rows))
    }

    pub fn bigcommerce_variants(&self) -> Result<Vec<BcVariantRow>, StoreError> {
        self.read(bigcommerce_variants)
    }

    pub fn bigcommerce_variants_by_id(&self, ids: &[i64]) -> Result<Vec<BcVariantRow>, StoreError> {
        self.read(|c| bigcommerce_variants_by_id(c, ids))
    }

    pub fn shopify_variants(&self) -> Result<Vec<ShVariantRow>, StoreError> {
        self.read(shopify_variants)
    }

    pub fn shopify_variants_by_id(&self, ids: &[String]) -> Result<Vec<ShVariantRow>, StoreError> {
        self.read(|c| shopify_variants_by_id(c, ids))
    }

    pub fn last_read(&self, system: System) -> Result<Option<ReadRecord>, StoreError> {
        self.read(|c| last_read(c, system))
    }

    pub fn last_full_read(&self, system: System) -> Result<Option<ReadRecord>, StoreError> {
        self.read(|c| last_full_read(c, system))
    }
}
