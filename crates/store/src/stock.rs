//! Stock per location: the location pairs and their rules, the bookkeeping of each item at each
//! pair, and the conflicts a person decides. The ledger's arithmetic lives in
//! `tillbridge_domain::stock`; this module only keeps it, and saves a plan's changes only when no
//! other change reached the cell since the plan read it.

use std::collections::HashSet;

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension, Row, Transaction, params};
use serde::Serialize;
use tillbridge_domain::stock::{
    Buffer, ConflictSnapshot, DriftAction, DriftReason, Echo, LandingError, Ledger, Owner, PairPolicy, SameWindow,
    Side, SidePair, StockWrite,
};

use crate::columns::{optional_time_at, time_at};
use crate::time::format_time;
use crate::{Store, StoreError};

/// A BigCommerce location synced with a Shopify location.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationPairRecord {
    pub id: i64,
    pub bigcommerce_location_id: i64,
    pub shopify_location_id: String,
    pub name: String,
    pub policy: PairPolicy,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewLocationPair {
    pub bigcommerce_location_id: i64,
    pub shopify_location_id: String,
    pub name: String,
    pub policy: PairPolicy,
}

/// The address of a stock cell.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct CellId {
    pub pair_id: i64,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
}

/// A cell as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockCellRecord {
    pub id: CellId,
    pub label: String,
    pub ledger: Ledger,
    pub seen: SidePair<Option<i64>>,
    pub seen_at: Option<DateTime<Utc>>,
    pub changed_at: Option<DateTime<Utc>>,
}

/// A plan's change to one cell: the ledger it leaves (when it changed it), and what was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellUpdate {
    pub id: CellId,
    pub label: String,
    /// The revision the plan read; the ledger is saved only if it is still the stored one.
    pub read_revision: u64,
    pub ledger: Option<Ledger>,
    pub seen: SidePair<i64>,
    pub changed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StockConflictRecord {
    pub id: i64,
    pub cell: CellId,
    pub label: String,
    pub snapshot: ConflictSnapshot,
    pub reason: String,
    pub state: String,
    pub resolution: Option<String>,
    pub stock: Option<i64>,
    pub raised_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
}

const PAIR_COLUMNS: &str = "id, bigcommerce_location_id, shopify_location_id, name, owner, same_window, hold_back, cap, created_at, updated_at";

fn pair_from_row(r: &Row<'_>) -> rusqlite::Result<LocationPairRecord> {
    let owner: String = r.get(4)?;
    let same_window: String = r.get(5)?;
    Ok(LocationPairRecord {
        id: r.get(0)?,
        bigcommerce_location_id: r.get(1)?,
        shopify_location_id: r.get(2)?,
        name: r.get(3)?,
        policy: PairPolicy {
            // The CHECK constraints hold these to the known spellings.
            owner: Owner::parse(&owner).unwrap_or(Owner::Both),
            same_window: SameWindow::parse(&same_window).unwrap_or_default(),
            buffer: Buffer { hold_back: r.get(6)?, cap: r.get(7)? },
        },
        created_at: time_at(r, 8)?,
        updated_at: time_at(r, 9)?,
    })
}

const CELL_COLUMNS: &str = "pair_id, bigcommerce_variant_id, shopify_item_id, label, base_bigcommerce, base_shopify,
    version_bigcommerce, version_shopify, echo_bigcommerce_before, echo_bigcommerce_adjust, echo_bigcommerce_until,
    echo_shopify_before, echo_shopify_adjust, echo_shopify_until, decided, revision, seen_bigcommerce, seen_shopify,
    seen_at, changed_at";

fn echo_from(r: &Row<'_>, at: usize) -> rusqlite::Result<Option<Echo>> {
    let before: Option<i64> = r.get(at)?;
    let adjust: Option<i64> = r.get(at + 1)?;
    let until = optional_time_at(r, at + 2)?;
    Ok(match (before, adjust, until) {
        (Some(before), Some(adjust), Some(until)) => Some(Echo { before, adjust, until }),
        _ => None,
    })
}

fn cell_from_row(r: &Row<'_>) -> rusqlite::Result<StockCellRecord> {
    let base_bc: Option<i64> = r.get(4)?;
    let base_sh: Option<i64> = r.get(5)?;
    let version_bc: i64 = r.get(6)?;
    let version_sh: i64 = r.get(7)?;
    let revision: i64 = r.get(15)?;
    Ok(StockCellRecord {
        id: CellId { pair_id: r.get(0)?, bigcommerce_variant_id: r.get(1)?, shopify_item_id: r.get(2)? },
        label: r.get(3)?,
        ledger: Ledger {
            base: base_bc.zip(base_sh).map(|(b, s)| SidePair::new(b, s)),
            version: SidePair::new(version_bc as u64, version_sh as u64),
            echo: SidePair::new(echo_from(r, 8)?, echo_from(r, 11)?),
            decided: r.get::<_, i64>(14)? != 0,
            revision: revision as u64,
        },
        seen: SidePair::new(r.get(16)?, r.get(17)?),
        seen_at: optional_time_at(r, 18)?,
        changed_at: optional_time_at(r, 19)?,
    })
}

/// One cell, inside a transaction the caller composes.
pub fn stock_cell_in(tx: &Connection, id: &CellId) -> Result<Option<StockCellRecord>, StoreError> {
    Ok(tx
        .prepare_cached(&format!(
            "SELECT {CELL_COLUMNS} FROM stock_cells
             WHERE pair_id = ?1 AND bigcommerce_variant_id = ?2 AND shopify_item_id = ?3"
        ))?
        .query_row(params![id.pair_id, id.bigcommerce_variant_id, id.shopify_item_id], cell_from_row)
        .optional()?)
}

fn save_ledger_in(tx: &Transaction<'_>, id: &CellId, label: &str, ledger: &Ledger) -> Result<(), StoreError> {
    let echo = |side: Side| {
        let e = ledger.echo.get(side);
        (e.map(|e| e.before), e.map(|e| e.adjust), e.map(|e| format_time(e.until)))
    };
    let (bb, ba, bu) = echo(Side::BigCommerce);
    let (sb, sa, su) = echo(Side::Shopify);
    tx.prepare_cached(
        "INSERT INTO stock_cells (pair_id, bigcommerce_variant_id, shopify_item_id, label, base_bigcommerce,
             base_shopify, version_bigcommerce, version_shopify, echo_bigcommerce_before, echo_bigcommerce_adjust,
             echo_bigcommerce_until, echo_shopify_before, echo_shopify_adjust, echo_shopify_until, decided, revision)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
         ON CONFLICT (pair_id, bigcommerce_variant_id, shopify_item_id) DO UPDATE SET
             label = excluded.label, base_bigcommerce = excluded.base_bigcommerce,
             base_shopify = excluded.base_shopify, version_bigcommerce = excluded.version_bigcommerce,
             version_shopify = excluded.version_shopify, echo_bigcommerce_before = excluded.echo_bigcommerce_before,
             echo_bigcommerce_adjust = excluded.echo_bigcommerce_adjust,
             echo_bigcommerce_until = excluded.echo_bigcommerce_until,
             echo_shopify_before = excluded.echo_shopify_before, echo_shopify_adjust = excluded.echo_shopify_adjust,
             echo_shopify_until = excluded.echo_shopify_until, decided = excluded.decided,
             revision = excluded.revision",
    )?
    .execute(params![
        id.pair_id,
        id.bigcommerce_variant_id,
        id.shopify_item_id,
        label,
        ledger.base.map(|b| b.bigcommerce),
        ledger.base.map(|b| b.shopify),
        ledger.version.bigcommerce as i64,
        ledger.version.shopify as i64,
        bb,
        ba,
        bu,
        sb,
        sa,
        su,
        ledger.decided as i64,
        ledger.revision as i64,
    ])?;
    Ok(())
}

/// Saves what a plan read and, when the plan changed the ledger, the ledger — but only if its
/// revision is still the one the plan read. Returns whether the ledger was saved (false means
/// something reached the cell meanwhile; the next cycle plans it again).
pub fn save_cell_plan_in(tx: &Transaction<'_>, update: &CellUpdate, now: DateTime<Utc>) -> Result<bool, StoreError> {
    let stored = stock_cell_in(tx, &update.id)?;
    let current = stored.as_ref().map_or(0, |c| c.ledger.revision);
    let saved = match &update.ledger {
        Some(ledger) if current == update.read_revision => {
            save_ledger_in(tx, &update.id, &update.label, ledger)?;
            true
        }
        Some(_) => false,
        None => {
            if stored.is_none() {
                save_ledger_in(tx, &update.id, &update.label, &Ledger::default())?;
            }
            true
        }
    };
    tx.prepare_cached(
        "UPDATE stock_cells SET seen_bigcommerce = ?4, seen_shopify = ?5, seen_at = ?6,
             changed_at = CASE WHEN ?7 THEN ?6 ELSE changed_at END
         WHERE pair_id = ?1 AND bigcommerce_variant_id = ?2 AND shopify_item_id = ?3",
    )?
    .execute(params![
        update.id.pair_id,
        update.id.bigcommerce_variant_id,
        update.id.shopify_item_id,
        update.seen.bigcommerce,
        update.seen.shopify,
        format_time(now),
        update.changed,
    ])?;
    Ok(saved)
}

/// Records that `write` landed on its store: see [`Ledger::land`]. A refusal means the write is
/// stale (something landed on that side after it was planned) and must not be counted.
pub fn land_in(
    tx: &Transaction<'_>,
    id: &CellId,
    write: &StockWrite,
    now: DateTime<Utc>,
    echo_window: chrono::Duration,
) -> Result<Result<(), LandingError>, StoreError> {
    let Some(mut cell) = stock_cell_in(tx, id)? else { return Ok(Err(LandingError::NoBase)) };
    if let Err(e) = cell.ledger.land(write, now, echo_window) {
        return Ok(Err(e));
    }
    save_ledger_in(tx, id, &cell.label, &cell.ledger)?;
    // The Inventory view shows the last known value; the write's answer is newer than the read.
    let column = match write.side {
        Side::BigCommerce => "seen_bigcommerce",
        Side::Shopify => "seen_shopify",
    };
    tx.prepare_cached(&format!(
        "UPDATE stock_cells SET {column} = ?4, seen_at = ?5
         WHERE pair_id = ?1 AND bigcommerce_variant_id = ?2 AND shopify_item_id = ?3"
    ))?
    .execute(params![
        id.pair_id,
        id.bigcommerce_variant_id,
        id.shopify_item_id,
        write.after(),
        format_time(now)
    ])?;
    Ok(Ok(()))
}

/// Folds BigCommerce's decrement for a POS order into a cell (see
/// [`Ledger::fold_order_decrement`]): it took `quantity` units, or what the location last showed
/// when that was less (it does not go below zero). False when the cell has no base yet.
pub fn fold_order_decrement_in(
    tx: &Transaction<'_>,
    id: &CellId,
    quantity: i64,
    now: DateTime<Utc>,
    echo_window: chrono::Duration,
) -> Result<bool, StoreError> {
    let Some(mut cell) = stock_cell_in(tx, id)? else { return Ok(false) };
    let Some(before) = cell.seen.bigcommerce else { return Ok(false) };
    let taken = quantity.min(before.max(0));
    if cell.ledger.fold_order_decrement(taken, before, now, echo_window).is_none() {
        return Ok(false);
    }
    save_ledger_in(tx, id, &cell.label, &cell.ledger)?;
    tx.prepare_cached(
        "UPDATE stock_cells SET seen_bigcommerce = ?4, seen_at = ?5
         WHERE pair_id = ?1 AND bigcommerce_variant_id = ?2 AND shopify_item_id = ?3",
    )?
    .execute(params![
        id.pair_id,
        id.bigcommerce_variant_id,
        id.shopify_item_id,
        before - taken,
        format_time(now)
    ])?;
    Ok(true)
}

/// Raises a conflict for a cell unless one is open already. Returns its id.
pub fn raise_conflict_in(
    tx: &Transaction<'_>,
    id: &CellId,
    label: &str,
    snapshot: &ConflictSnapshot,
    reason: &str,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    let open: Option<i64> = tx
        .prepare_cached(
            "SELECT id FROM stock_conflicts WHERE pair_id = ?1 AND bigcommerce_variant_id = ?2
                 AND shopify_item_id = ?3 AND state = 'open'",
        )?
        .query_row(params![id.pair_id, id.bigcommerce_variant_id, id.shopify_item_id], |r| r.get(0))
        .optional()?;
    if let Some(open) = open {
        return Ok(open);
    }
    tx.prepare_cached(
        "INSERT INTO stock_conflicts (pair_id, bigcommerce_variant_id, shopify_item_id, label, base_bigcommerce,
             base_shopify, seen_bigcommerce, seen_shopify, reason, state, raised_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 'open', ?10)",
    )?
    .execute(params![
        id.pair_id,
        id.bigcommerce_variant_id,
        id.shopify_item_id,
        label,
        snapshot.base_bigcommerce,
        snapshot.base_shopify,
        snapshot.seen_bigcommerce,
        snapshot.seen_shopify,
        reason,
        format_time(now),
    ])?;
    Ok(tx.last_insert_rowid())
}

const CONFLICT_COLUMNS: &str = "id, pair_id, bigcommerce_variant_id, shopify_item_id, label, base_bigcommerce,
    base_shopify, seen_bigcommerce, seen_shopify, reason, state, resolution, stock, raised_at, resolved_at";

fn conflict_from_row(r: &Row<'_>) -> rusqlite::Result<StockConflictRecord> {
    Ok(StockConflictRecord {
        id: r.get(0)?,
        cell: CellId { pair_id: r.get(1)?, bigcommerce_variant_id: r.get(2)?, shopify_item_id: r.get(3)? },
        label: r.get(4)?,
        snapshot: ConflictSnapshot {
            base_bigcommerce: r.get(5)?,
            base_shopify: r.get(6)?,
            seen_bigcommerce: r.get(7)?,
            seen_shopify: r.get(8)?,
        },
        reason: r.get(9)?,
        state: r.get(10)?,
        resolution: r.get(11)?,
        stock: r.get(12)?,
        raised_at: time_at(r, 13)?,
        resolved_at: optional_time_at(r, 14)?,
    })
}

/// A matched variant pair whose stock is synced: from the pairs the last catalog sync that wrote
/// had matched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockItem {
    pub bigcommerce_product_id: i64,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub label: String,
}

impl Store {
    /// Whether any item's stock can be synced yet: a catalog sync that wrote has matched some.
    pub fn has_stock_items(&self) -> Result<bool, StoreError> {
        self.read(|conn| Ok(conn.query_row("SELECT EXISTS (SELECT 1 FROM synced_pairs)", [], |r| r.get(0))?))
    }

    /// The items whose stock is synced: every pair the last catalog sync that wrote had matched.
    pub fn stock_items(&self) -> Result<Vec<StockItem>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT b.product_id, b.variant_id, s.inventory_item_id, CASE WHEN b.sku <> '' THEN b.sku ELSE s.sku END
                 FROM synced_pairs p
                 JOIN bigcommerce_baseline b ON b.variant_id = p.bigcommerce_variant_id
                 JOIN shopify_baseline s ON s.variant_id = p.shopify_variant_id
                 ORDER BY b.variant_id",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(StockItem {
                        bigcommerce_product_id: r.get(0)?,
                        bigcommerce_variant_id: r.get(1)?,
                        shopify_item_id: r.get(2)?,
                        label: r.get(3)?,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// Pairs two locations. Each location can be in one pair only, so a second pair for either is
    /// refused with the pair it is already in.
    pub fn add_location_pair(&self, pair: &NewLocationPair, now: DateTime<Utc>) -> Result<i64, StoreError> {
        self.write(|tx| {
            let existing: Option<(i64, i64, String)> = tx
                .query_row(
                    "SELECT id, bigcommerce_location_id, shopify_location_id FROM location_pairs
                     WHERE bigcommerce_location_id = ?1 OR shopify_location_id = ?2",
                    params![pair.bigcommerce_location_id, pair.shopify_location_id],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?;
            if let Some((id, bc, shop)) = existing {
                let which = if bc == pair.bigcommerce_location_id {
                    format!("BigCommerce location {bc}")
                } else {
                    format!("Shopify location {shop}")
                };
                return Err(StoreError::Refused(format!(
                    "{which} is already in pair {id} (BigCommerce {bc} with Shopify {shop}); a location is synced with one other location only. Unmap pair {id} first."
                )));
            }
            tx.execute(
                "INSERT INTO location_pairs (bigcommerce_location_id, shopify_location_id, name, owner, same_window,
                     hold_back, cap, created_at, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8)",
                params![
                    pair.bigcommerce_location_id,
                    pair.shopify_location_id,
                    pair.name,
                    pair.policy.owner.as_str(),
                    pair.policy.same_window.as_str(),
                    pair.policy.buffer.hold_back,
                    pair.policy.buffer.cap,
                    format_time(now),
                ],
            )?;
            Ok(tx.last_insert_rowid())
        })
    }

    /// Changes a pair's rules. The bookkeeping stays: a new owner or buffer applies from the next
    /// cycle on.
    pub fn set_location_policy(&self, id: i64, policy: &PairPolicy, now: DateTime<Utc>) -> Result<(), StoreError> {
        self.write(|tx| {
            let n = tx.execute(
                "UPDATE location_pairs SET owner = ?2, same_window = ?3, hold_back = ?4, cap = ?5, updated_at = ?6
                 WHERE id = ?1",
                params![
                    id,
                    policy.owner.as_str(),
                    policy.same_window.as_str(),
                    policy.buffer.hold_back,
                    policy.buffer.cap,
                    format_time(now)
                ],
            )?;
            if n == 0 {
                return Err(StoreError::NotFound { what: "location pair", id });
            }
            Ok(())
        })
    }

    /// Unpairs two locations and forgets their bookkeeping; neither store's stock is touched.
    pub fn remove_location_pair(&self, id: i64) -> Result<(), StoreError> {
        self.write(|tx| {
            if tx.execute("DELETE FROM location_pairs WHERE id = ?1", [id])? == 0 {
                return Err(StoreError::NotFound { what: "location pair", id });
            }
            Ok(())
        })
    }

    pub fn location_pairs(&self) -> Result<Vec<LocationPairRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {PAIR_COLUMNS} FROM location_pairs ORDER BY id"))?;
            let rows = stmt.query_map([], pair_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// Every cell, for the planner.
    pub fn stock_cells(&self) -> Result<Vec<StockCellRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!("SELECT {CELL_COLUMNS} FROM stock_cells"))?;
            let rows = stmt.query_map([], cell_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// Cells whose SKU contains `q` (case-insensitive), or whose variant or item id is `q`.
    pub fn stock_cells_matching(&self, q: &str, limit: u32) -> Result<Vec<StockCellRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(&format!(
                "SELECT {CELL_COLUMNS} FROM stock_cells
                 WHERE instr(lower(label), lower(?1)) > 0 OR CAST(bigcommerce_variant_id AS TEXT) = ?1
                     OR shopify_item_id = ?1
                 ORDER BY label, pair_id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![q, limit], cell_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    pub fn stock_cell(&self, id: &CellId) -> Result<Option<StockCellRecord>, StoreError> {
        self.read(|conn| stock_cell_in(conn, id))
    }

    /// The cells with an open conflict.
    pub fn open_conflict_cells(&self) -> Result<HashSet<CellId>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT pair_id, bigcommerce_variant_id, shopify_item_id FROM stock_conflicts WHERE state = 'open'",
            )?;
            let rows = stmt
                .query_map([], |r| {
                    Ok(CellId { pair_id: r.get(0)?, bigcommerce_variant_id: r.get(1)?, shopify_item_id: r.get(2)? })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// Conflicts, newest first; open ones only unless `all`.
    pub fn stock_conflicts(&self, all: bool) -> Result<Vec<StockConflictRecord>, StoreError> {
        self.read(|conn| {
            let filter = if all { "" } else { "WHERE state = 'open'" };
            let mut stmt =
                conn.prepare(&format!("SELECT {CONFLICT_COLUMNS} FROM stock_conflicts {filter} ORDER BY id DESC"))?;
            let rows = stmt.query_map([], conflict_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// One conflict, open or settled.
    pub fn stock_conflict(&self, id: i64) -> Result<Option<StockConflictRecord>, StoreError> {
        self.read(|conn| {
            Ok(conn
                .prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM stock_conflicts WHERE id = ?1"))?
                .query_row([id], conflict_from_row)
                .optional()?)
        })
    }

    /// Settles an open conflict: shifts the cell's bases so the next cycle takes the stock to
    /// `stock` ([`Ledger::decide`]), and keeps the decision. Returns the settled conflict.
    pub fn resolve_stock_conflict(
        &self,
        id: i64,
        policy: &PairPolicy,
        resolution: &str,
        stock: i64,
        now: DateTime<Utc>,
    ) -> Result<StockConflictRecord, StoreError> {
        self.write(|tx| {
            let conflict = tx
                .prepare_cached(&format!("SELECT {CONFLICT_COLUMNS} FROM stock_conflicts WHERE id = ?1"))?
                .query_row([id], conflict_from_row)
                .optional()?
                .ok_or(StoreError::NotFound { what: "stock conflict", id })?;
            if conflict.state != "open" {
                return Err(StoreError::Refused(format!(
                    "conflict {id} was already settled ({}); nothing was changed",
                    conflict.resolution.as_deref().unwrap_or("no decision recorded")
                )));
            }
            let mut cell = stock_cell_in(tx, &conflict.cell)?.ok_or(StoreError::NotFound { what: "stock cell", id })?;
            cell.ledger.decide(policy, &conflict.snapshot, stock);
            save_ledger_in(tx, &conflict.cell, &cell.label, &cell.ledger)?;
            tx.execute(
                "UPDATE stock_conflicts SET state = 'resolved', resolution = ?2, stock = ?3, resolved_at = ?4
                 WHERE id = ?1",
                params![id, resolution, stock, format_time(now)],
            )?;
            Ok(StockConflictRecord {
                state: "resolved".into(),
                resolution: Some(resolution.into()),
                stock: Some(stock),
                resolved_at: Some(now),
                ..conflict
            })
        })
    }
}

/// One drifted cell found by a validation: see `tillbridge_domain::stock::drift`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftRecord {
    pub pair_id: i64,
    pub location: String,
    pub bigcommerce_variant_id: i64,
    pub shopify_item_id: String,
    pub label: String,
    pub base: SidePair<i64>,
    pub seen: SidePair<i64>,
    pub reason: DriftReason,
    pub action: DriftAction,
}

/// One validation and how much it found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationRecord {
    pub id: i64,
    pub checked_at: DateTime<Utc>,
    pub cells: u64,
    pub drifted: u64,
}

/// How many validations the drift report keeps: at one every 6 hours, about two months.
pub const VALIDATIONS_KEPT: u32 = 240;

/// Records a validation and what it found, and forgets the oldest beyond [`VALIDATIONS_KEPT`].
pub fn record_validation_in(
    tx: &Transaction<'_>,
    cells: u64,
    found: &[DriftRecord],
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    tx.prepare_cached("INSERT INTO stock_validations (checked_at, cells, drifted) VALUES (?1, ?2, ?3)")?
        .execute(params![format_time(now), cells as i64, found.len() as i64])?;
    let id = tx.last_insert_rowid();
    let mut insert = tx.prepare_cached(
        "INSERT OR REPLACE INTO stock_drift (validation_id, pair_id, location, bigcommerce_variant_id, shopify_item_id,
             label, base_bigcommerce, base_shopify, seen_bigcommerce, seen_shopify, reason, action)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
    )?;
    for d in found {
        insert.execute(params![
            id,
            d.pair_id,
            d.location,
            d.bigcommerce_variant_id,
            d.shopify_item_id,
            d.label,
            d.base.bigcommerce,
            d.base.shopify,
            d.seen.bigcommerce,
            d.seen.shopify,
            d.reason.as_str(),
            d.action.as_str(),
        ])?;
    }
    tx.prepare_cached(
        "DELETE FROM stock_drift WHERE validation_id NOT IN (SELECT id FROM stock_validations ORDER BY id DESC LIMIT ?1)",
    )?
    .execute([VALIDATIONS_KEPT])?;
    tx.prepare_cached(
        "DELETE FROM stock_validations WHERE id NOT IN (SELECT id FROM stock_validations ORDER BY id DESC LIMIT ?1)",
    )?
    .execute([VALIDATIONS_KEPT])?;
    Ok(id)
}

fn drift_from_row(r: &Row<'_>) -> rusqlite::Result<DriftRecord> {
    let text = |i: usize| -> rusqlite::Result<String> { r.get(i) };
    let bad = |i: usize, what: &str| {
        rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, format!("unknown {what}").into())
    };
    Ok(DriftRecord {
        pair_id: r.get(0)?,
        location: r.get(1)?,
        bigcommerce_variant_id: r.get(2)?,
        shopify_item_id: r.get(3)?,
        label: r.get(4)?,
        base: SidePair::new(r.get(5)?, r.get(6)?),
        seen: SidePair::new(r.get(7)?, r.get(8)?),
        reason: DriftReason::parse(&text(9)?).ok_or_else(|| bad(9, "drift reason"))?,
        action: DriftAction::parse(&text(10)?).ok_or_else(|| bad(10, "drift action"))?,
    })
}

impl Store {
    /// The validations kept, newest first.
    pub fn stock_validations(&self, limit: u32) -> Result<Vec<ValidationRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt =
                conn.prepare("SELECT id, checked_at, cells, drifted FROM stock_validations ORDER BY id DESC LIMIT ?1")?;
            let rows = stmt
                .query_map([limit], |r| {
                    Ok(ValidationRecord {
                        id: r.get(0)?,
                        checked_at: time_at(r, 1)?,
                        cells: r.get::<_, i64>(2)?.max(0) as u64,
                        drifted: r.get::<_, i64>(3)?.max(0) as u64,
                    })
                })?
                .collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }

    /// What one validation found, by location and item.
    pub fn stock_drift(&self, validation_id: i64) -> Result<Vec<DriftRecord>, StoreError> {
        self.read(|conn| {
            let mut stmt = conn.prepare(
                "SELECT pair_id, location, bigcommerce_variant_id, shopify_item_id, label, base_bigcommerce,
                     base_shopify, seen_bigcommerce, seen_shopify, reason, action
                 FROM stock_drift WHERE validation_id = ?1 ORDER BY location, label, bigcommerce_variant_id",
            )?;
            let rows = stmt.query_map([validation_id], drift_from_row)?.collect::<Result<_, _>>()?;
            Ok(rows)
        })
    }
}
