//! The bookkeeping of one stock cell (one item at one location pair): what each store showed when
//! the cell last converged, and which of Tillbridge's own writes may not be visible yet.
//!
//! The base is kept per side, and every change to it is additive and tied to the write that
//! carries it. A change seen on one side is folded into that side's base only by the write that
//! carries it to the other side; so when one of the two writes lands and the other fails, the
//! failed direction's change is still owed, and the next plan carries it again. Nothing is lost,
//! and nothing is carried twice.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::policy::{PairPolicy, Side, SidePair};
use super::writes::StockWrite;

/// Writes of ours that landed but that a read may not show yet (BigCommerce applies inventory
/// writes asynchronously). Until `until`, a read that still shows `before` is not a change: it is
/// the store from before our writes, and counts as `before + adjust`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Echo {
    /// What the side showed when the first of these writes was planned.
    pub before: i64,
    /// What our writes added to the side, in total, since a read last showed them.
    pub adjust: i64,
    pub until: DateTime<Utc>,
}

/// A cell's bookkeeping, persisted per (location pair, item).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ledger {
    /// What each side showed when the cell last converged, plus what has been carried since.
    /// None until the first alignment.
    pub base: Option<SidePair<i64>>,
    /// How many of our writes have landed on each side. A write planned at an older version is
    /// stale: something landed on that side after it was planned, and sending it could apply a
    /// change twice.
    pub version: SidePair<u64>,
    pub echo: SidePair<Option<Echo>>,
    /// A person's decision (or the first alignment) is being carried out: both sides' changes are
    /// merged until the cell is in step, so carrying out a decision never raises a new conflict.
    pub decided: bool,
    /// Bumped on every saved change: a plan's own changes to the ledger are saved only if nothing
    /// changed it since the plan read it.
    pub revision: u64,
}

/// Why a write was not recorded as landed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LandingError {
    #[error("the item has no base yet; plan it again")]
    NoBase,
    #[error(
        "another write reached {side} after this one was planned (planned at {planned}, now {current}); the next stock cycle plans it again"
    )]
    Stale { side: &'static str, planned: u64, current: u64 },
}

impl Ledger {
    /// Whether `write` may still be sent: nothing landed on its side since it was planned.
    pub fn admits(&self, write: &StockWrite) -> Result<(), LandingError> {
        let current = *self.version.get(write.side);
        if current != write.planned_version {
            return Err(LandingError::Stale { side: write.side.name(), planned: write.planned_version, current });
        }
        if self.base.is_none() {
            return Err(LandingError::NoBase);
        }
        Ok(())
    }

    /// Records that `write` landed: its own adjustment is not a change of the side it went to,
    /// and the changes it carries are folded into the bases. `echo_window` is how long a read
    /// may still show the side without it.
    pub fn land(
        &mut self,
        write: &StockWrite,
        now: DateTime<Utc>,
        echo_window: chrono::Duration,
    ) -> Result<(), LandingError> {
        self.admits(write)?;
        let Some(base) = self.base.as_mut() else { return Err(LandingError::NoBase) };
        *base.get_mut(write.side) += write.adjust;
        base.bigcommerce += write.carries.bigcommerce;
        base.shopify += write.carries.shopify;
        *self.version.get_mut(write.side) += 1;
        if write.adjust != 0 {
            let echo = self.echo.get_mut(write.side);
            let (before, pending) = echo.map_or((write.expect, 0), |e| (e.before, e.adjust));
            *echo = Some(Echo { before, adjust: pending + write.adjust, until: now + echo_window });
        }
        self.revision += 1;
        Ok(())
    }
}

impl Ledger {
    /// Folds in BigCommerce's own stock decrement when Tillbridge created an order for a POS sale:
    /// BigCommerce took `taken` units at this cell's location, and that decrement carries a Shopify
    /// change of the same size. Both bases move by it, so:
    /// - when the sale was rung up at this pair's Shopify location, the order's decrement is the
    ///   sale reaching BigCommerce, and the sale is counted once;
    /// - when it was rung up elsewhere, the decrement is not a sale here: the next cycle sees
    ///   Shopify `taken` above its base and gives the units back to BigCommerce;
    /// - when the stock sync carried the sale before the order was made, the same arithmetic
    ///   gives back the second decrement.
    ///
    /// It counts as a landing on BigCommerce (a write planned before it is stale), with an echo for
    /// reads that still show `before`, the stock before the order. None when the cell has no base.
    pub fn fold_order_decrement(
        &mut self,
        taken: i64,
        before: i64,
        now: DateTime<Utc>,
        echo_window: chrono::Duration,
    ) -> Option<()> {
        let base = self.base.as_mut()?;
        base.bigcommerce -= taken;
        base.shopify -= taken;
        self.version.bigcommerce += 1;
        if taken != 0 {
            let echo = &mut self.echo.bigcommerce;
            let (first, pending) = echo.map_or((before, 0), |e| (e.before, e.adjust));
            *echo = Some(Echo { before: first, adjust: pending - taken, until: now + echo_window });
        }
        self.revision += 1;
        Some(())
    }
}

/// How a person settles a conflict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(tag = "keep", content = "value", rename_all = "snake_case")]
pub enum Resolution {
    /// BigCommerce's change stands; Shopify's is overwritten.
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    Shopify,
    /// Both changes count.
    Sum,
    /// A counted quantity, typed in.
    Value(i64),
}

impl Resolution {
    /// Reads the CLI and API spelling: `bigcommerce`, `shopify`, `sum`, or a whole number of
    /// units, 0 or more.
    pub fn parse(s: &str) -> Result<Resolution, String> {
        match s.trim() {
            "bigcommerce" => Ok(Resolution::BigCommerce),
            "shopify" => Ok(Resolution::Shopify),
            "sum" => Ok(Resolution::Sum),
            other => match other.parse::<i64>() {
                Ok(v) if v >= 0 => Ok(Resolution::Value(v)),
                Ok(v) => Err(format!("a stock count cannot be negative (got {v}); type 0 or more")),
                Err(_) => {
                    Err(format!("{other:?} is not a choice: use bigcommerce, shopify, sum, or a whole number of units"))
                }
            },
        }
    }
}

/// What a conflict recorded: the bases and what each side showed when both had changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct ConflictSnapshot {
    pub base_bigcommerce: i64,
    pub base_shopify: i64,
    pub seen_bigcommerce: i64,
    pub seen_shopify: i64,
}

impl ConflictSnapshot {
    pub fn delta(&self, side: Side) -> i64 {
        match side {
            Side::BigCommerce => self.seen_bigcommerce - self.base_bigcommerce,
            Side::Shopify => self.seen_shopify - self.base_shopify,
        }
    }

    pub fn seen(&self, side: Side) -> i64 {
        match side {
            Side::BigCommerce => self.seen_bigcommerce,
            Side::Shopify => self.seen_shopify,
        }
    }

    /// The stock the person chose, in the primary side's terms.
    pub fn chosen_stock(&self, policy: &PairPolicy, resolution: Resolution) -> i64 {
        let primary = policy.primary();
        let before = self.seen(primary) - self.delta(primary);
        match resolution {
            Resolution::Value(v) => v,
            Resolution::Sum => before + self.delta(Side::BigCommerce) + self.delta(Side::Shopify),
            Resolution::BigCommerce => before + self.delta(Side::BigCommerce),
            Resolution::Shopify => before + self.delta(Side::Shopify),
        }
    }
}

/// Whether a write that may or may not have landed (its process died mid-request) shows on a
/// store that cannot replay it: BigCommerce adjustments are not idempotent, so its stock is read
/// instead. Anything but the value before or the value after is unclear and goes to a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InDoubt {
    Landed,
    NotLanded,
    Unclear,
}

pub fn in_doubt(write: &StockWrite, seen_now: i64) -> InDoubt {
    if seen_now == write.after() {
        InDoubt::Landed
    } else if seen_now == write.expect {
        InDoubt::NotLanded
    } else {
        InDoubt::Unclear
    }
}

/// Re-bases a cell that has no base yet so that the ordinary plan carries the stock to `stock`:
/// the primary side's base becomes what it showed, and the other side's base is set so that its
/// delta is exactly the difference still to apply.
pub fn rebase_to(policy: &PairPolicy, seen: SidePair<i64>, stock: i64) -> SidePair<i64> {
    let primary = policy.primary();
    let p = *seen.get(primary);
    let mut base = seen;
    *base.get_mut(primary.other()) = seen.get(primary.other()) - (stock - p);
    base
}

impl Ledger {
    /// Carries out a person's decision on a conflict: shifts the bases so that the ordinary plan
    /// takes the stock to `stock`. The shift is added, like every other change to the bases, so a
    /// write that landed after the conflict was seen keeps its effect; and anything either side
    /// sold after the conflict was seen stays a delta on top, so a decision never erases a sale.
    pub fn decide(&mut self, policy: &PairPolicy, conflict: &ConflictSnapshot, stock: i64) {
        let primary = policy.primary();
        let seen_primary = conflict.seen(primary);
        let mut shift = SidePair::default();
        *shift.get_mut(primary) = conflict.delta(primary);
        *shift.get_mut(primary.other()) = conflict.delta(primary.other()) - (stock - seen_primary);
        if let Some(base) = self.base.as_mut() {
            base.bigcommerce += shift.bigcommerce;
            base.shopify += shift.shopify;
        } else {
            let seen = SidePair::new(conflict.seen_bigcommerce, conflict.seen_shopify);
            self.base = Some(rebase_to(policy, seen, stock));
        }
        self.decided = true;
        self.revision += 1;
    }
}
