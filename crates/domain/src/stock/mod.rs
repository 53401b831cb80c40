//! The stock capability's pure core: the rules of a location pair ([`policy`]), the bookkeeping of
//! one item at one pair ([`ledger`]), the planner that turns bases and reads into writes and
//! conflicts ([`plan`]), the writes it hands to the runtime ([`writes`]), and when a poll must read
//! BigCommerce whole ([`watch`]).
//!
//! The quantity synced is the sellable one (Shopify `available`, BigCommerce `available_to_sell`),
//! never on-hand against on-hand.

pub mod drift;
pub mod ledger;
pub mod plan;
pub mod policy;
pub mod watch;
pub mod writes;

pub use drift::{Drift, DriftAction, DriftReason, drift};
pub use ledger::{ConflictSnapshot, Echo, InDoubt, LandingError, Ledger, Resolution, in_doubt, rebase_to};
pub use plan::{CellInput, CellPlan, Hold, Level, Note, Outcome, StockCounts, count, plan_cell};
pub use policy::{Buffer, Owner, PairPolicy, PolicyError, SameWindow, Side, SidePair};
pub use watch::{BigCommerceWatch, WholeRead};
pub use writes::{BIGCOMMERCE_ITEMS_PER_WRITE, CellKey, SHOPIFY_ROWS_PER_WRITE, StockWrite, batch, stock_entity};

#[cfg(test)]
mod tests;
