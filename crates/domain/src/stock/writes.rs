//! Stock writes: the job payload that carries a change to one store, and the requests they pack
//! into (Shopify 250 rows per `inventoryAdjustQuantities`, BigCommerce 2,000 items per relative
//! adjustment, one location per request).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::policy::{Side, SidePair};
use crate::work::Lane;

/// Shopify's inventory mutations take at most this many rows.
pub const SHOPIFY_ROWS_PER_WRITE: usize = 250;
/// BigCommerce's inventory adjustments take at most this many items.
pub const BIGCOMMERCE_ITEMS_PER_WRITE: usize = 2000;

/// One item at one location pair, with the ids each store knows it by.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct CellKey {
    /// The location pair's id in Tillbridge.
    pub pair: i64,
    pub bigcommerce_location: i64,
    pub shopify_location: String,
    pub bigcommerce_product: i64,
    pub bigcommerce_variant: i64,
    pub shopify_item: String,
    /// The SKU, to name the item to a person.
    pub label: String,
}

impl CellKey {
    pub fn entity_key(&self, side: Side) -> String {
        stock_entity(self.pair, self.bigcommerce_variant, &self.shopify_item, side)
    }
}

/// `stock:{pair}:{item}:{side}`, the item being both stores' ids. The side is part of the key
/// because one cell can have a write to each store at once; each supersedes only an older write
/// to the same store.
pub fn stock_entity(pair: i64, bigcommerce_variant: i64, shopify_item: &str, side: Side) -> String {
    format!("stock:{pair}:bigcommerce/{bigcommerce_variant}+{shopify_item}:{}", side.as_str())
}

/// A change of one cell's sellable quantity on one store: add `adjust`, which the plan computed
/// when the store showed `expect`. `carries` is what the write folds into the bases when it
/// lands (the other store's change it delivers, or this store's own change it answers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StockWrite {
    pub cell: CellKey,
    pub side: Side,
    pub adjust: i64,
    /// The sellable quantity the store showed at planning: Shopify's `changeFromQuantity`, and
    /// on BigCommerce (no compare-and-set) what an in-doubt check compares against.
    pub expect: i64,
    pub carries: SidePair<i64>,
    /// The ledger's landing count for this side when planned; see [`super::Ledger::admits`].
    pub planned_version: u64,
    /// The item is not stocked at the location yet: Shopify activates it first; BigCommerce takes an
    /// absolute adjustment (it refuses a relative one on an item it does not track there).
    pub activate: bool,
}

impl StockWrite {
    pub fn lane(&self) -> Lane {
        match self.side {
            Side::BigCommerce => Lane::BigCommerce,
            Side::Shopify => Lane::Shopify,
        }
    }

    pub fn entity_key(&self) -> String {
        self.cell.entity_key(self.side)
    }

    /// The quantity the store shows after the write.
    pub fn after(&self) -> i64 {
        self.expect + self.adjust
    }

    /// "2 units off TB-1-RED-M at location 3 (7 → 5)".
    pub fn describe(&self) -> String {
        let label = if self.cell.label.is_empty() { "an item without SKU" } else { self.cell.label.as_str() };
        let units = |n: i64| if n.abs() == 1 { "1 unit".to_string() } else { format!("{} units", n.abs()) };
        let verb = if self.adjust < 0 { "off" } else { "onto" };
        let at = match self.side {
            Side::BigCommerce => format!("BigCommerce location {}", self.cell.bigcommerce_location),
            Side::Shopify => format!("Shopify location {}", self.cell.shopify_location),
        };
        format!("{} {verb} {label} at {at} ({} → {})", units(self.adjust), self.expect, self.after())
    }
}

/// Packs due writes of one store into requests: Shopify up to 250 rows per call across
/// locations; BigCommerce up to 2,000 items per call, one location per call (its adjustments at
/// one location must not overlap), absolute ones apart from relative ones.
pub fn batch(writes: Vec<StockWrite>) -> Vec<Vec<StockWrite>> {
    // BigCommerce: relative adjustments and the absolute ones for items not yet tracked there go to
    // different endpoints, so they are packed apart.
    let mut groups: BTreeMap<(Side, Option<i64>, bool), Vec<StockWrite>> = BTreeMap::new();
    for w in writes {
        let bigcommerce = w.side == Side::BigCommerce;
        let location = bigcommerce.then_some(w.cell.bigcommerce_location);
        groups.entry((w.side, location, bigcommerce && w.activate)).or_default().push(w);
    }
    let mut out = Vec::new();
    for ((side, _, _), group) in groups {
        let size = match side {
            Side::BigCommerce => BIGCOMMERCE_ITEMS_PER_WRITE,
            Side::Shopify => SHOPIFY_ROWS_PER_WRITE,
        };
        let mut group = group.into_iter().peekable();
        while group.peek().is_some() {
            out.push(group.by_ref().take(size).collect());
        }
    }
    out
}
