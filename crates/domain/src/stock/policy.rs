//! How a pair of locations is synced: which store owns its stock, what happens when both stores
//! changed in the same window, and how many units the non-owning store is shown.

use serde::{Deserialize, Serialize};

/// One of the two stores, as a side of a stock cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    Shopify,
}

impl Side {
    pub const BOTH: [Side; 2] = [Side::BigCommerce, Side::Shopify];

    pub fn other(self) -> Side {
        match self {
            Side::BigCommerce => Side::Shopify,
            Side::Shopify => Side::BigCommerce,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Side::BigCommerce => "bigcommerce",
            Side::Shopify => "shopify",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Side::BigCommerce => "BigCommerce",
            Side::Shopify => "Shopify",
        }
    }
}

/// A value per store. Stock bookkeeping is symmetric, so most of it is written once over this.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SidePair<T> {
    pub bigcommerce: T,
    pub shopify: T,
}

impl<T> SidePair<T> {
    pub fn new(bigcommerce: T, shopify: T) -> Self {
        SidePair { bigcommerce, shopify }
    }

    pub fn get(&self, side: Side) -> &T {
        match side {
            Side::BigCommerce => &self.bigcommerce,
            Side::Shopify => &self.shopify,
        }
    }

    pub fn get_mut(&mut self, side: Side) -> &mut T {
        match side {
            Side::BigCommerce => &mut self.bigcommerce,
            Side::Shopify => &mut self.shopify,
        }
    }
}

/// Which store's stock is the truth for a location pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(rename = "StockOwner")]
pub enum Owner {
    #[serde(rename = "bigcommerce")]
    BigCommerce,
    Shopify,
    /// Neither: both stores sell from the shelf, and their changes are merged.
    Both,
}

impl Owner {
    pub fn side(self) -> Option<Side> {
        match self {
            Owner::BigCommerce => Some(Side::BigCommerce),
            Owner::Shopify => Some(Side::Shopify),
            Owner::Both => None,
        }
    }

    pub fn parse(s: &str) -> Option<Owner> {
        match s {
            "bigcommerce" => Some(Owner::BigCommerce),
            "shopify" => Some(Owner::Shopify),
            "both" => Some(Owner::Both),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Owner::BigCommerce => "bigcommerce",
            Owner::Shopify => "shopify",
            Owner::Both => "both",
        }
    }
}

/// What happens when both stores changed an item's stock since the last sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
#[serde(rename_all = "kebab-case")]
pub enum SameWindow {
    /// Apply both changes: two sales are two sales.
    #[default]
    Merge,
    /// The owner's change stands and the other store's is overwritten.
    OwnerWins,
    /// Raise a conflict and hold the item's writes until a person decides.
    Manual,
}

impl SameWindow {
    pub fn parse(s: &str) -> Option<SameWindow> {
        match s {
            "merge" => Some(SameWindow::Merge),
            "owner-wins" => Some(SameWindow::OwnerWins),
            "manual" => Some(SameWindow::Manual),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SameWindow::Merge => "merge",
            SameWindow::OwnerWins => "owner-wins",
            SameWindow::Manual => "manual",
        }
    }
}

/// Units held back from the non-owning store, a merchant's guard against selling the last unit
/// twice: it is shown `min(max(stock − hold_back, 0), cap)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, ts_rs::TS)]
pub struct Buffer {
    pub hold_back: i64,
    pub cap: Option<i64>,
}

impl Buffer {
    pub fn is_none(&self) -> bool {
        self.hold_back == 0 && self.cap.is_none()
    }
}

/// The sync rules of one location pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ts_rs::TS)]
pub struct PairPolicy {
    pub owner: Owner,
    pub same_window: SameWindow,
    pub buffer: Buffer,
}

/// A policy that cannot be applied, said so a person can fix it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("owner-wins needs an owner: choose --owner bigcommerce or --owner shopify, or use merge or manual")]
    OwnerWinsWithoutOwner,
    #[error("a buffer holds units back from the store that does not own the stock: choose an owner first")]
    BufferWithoutOwner,
    #[error("the held-back quantity must be 0 or more (got {0})")]
    NegativeHoldBack(i64),
    #[error("the cap must be 0 or more (got {0})")]
    NegativeCap(i64),
}

impl PairPolicy {
    pub fn new(owner: Owner, same_window: SameWindow, buffer: Buffer) -> Result<PairPolicy, PolicyError> {
        let policy = PairPolicy { owner, same_window, buffer };
        policy.validate()?;
        Ok(policy)
    }

    pub fn validate(&self) -> Result<(), PolicyError> {
        if self.buffer.hold_back < 0 {
            return Err(PolicyError::NegativeHoldBack(self.buffer.hold_back));
        }
        if let Some(cap) = self.buffer.cap.filter(|c| *c < 0) {
            return Err(PolicyError::NegativeCap(cap));
        }
        if self.owner == Owner::Both {
            if self.same_window == SameWindow::OwnerWins {
                return Err(PolicyError::OwnerWinsWithoutOwner);
            }
            if !self.buffer.is_none() {
                return Err(PolicyError::BufferWithoutOwner);
            }
        }
        Ok(())
    }

    /// The side whose value is the stock itself. Under `both` it is Shopify, because Shopify can
    /// show an oversell (a negative `available`) and BigCommerce cannot: the store that can hold
    /// every value holds the truth, and the other is shown it.
    pub fn primary(&self) -> Side {
        self.owner.side().unwrap_or(Side::Shopify)
    }

    /// What `side` should show when the stock is `stock`: the buffer is held back from the
    /// non-owning side, and BigCommerce never goes below zero (it refuses stock below its safety
    /// stock), so an oversell shows there as 0.
    pub fn shown(&self, side: Side, stock: i64) -> i64 {
        let mut shown = stock;
        if side != self.primary() && !self.buffer.is_none() {
            shown = (stock - self.buffer.hold_back).max(0);
            if let Some(cap) = self.buffer.cap {
                shown = shown.min(cap);
            }
        }
        if side == Side::BigCommerce {
            shown = shown.max(0);
        }
        shown
    }
}

impl Default for PairPolicy {
    /// Both stores sell from the same shelf and every change counts: the safe default, since it
    /// never drops a sale.
    fn default() -> Self {
        PairPolicy { owner: Owner::Both, same_window: SameWindow::Merge, buffer: Buffer::default() }
    }
}
