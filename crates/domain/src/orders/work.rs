//! The job that carries one POS sale into BigCommerce, and why a sale can need a person.

use chrono::{DateTime, Utc};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::work::Lane;

/// `pos-order:{order gid}`: one entity per POS order, so duplicate events and later edits of the
/// same order supersede one another, and its jobs (the create, then any refunds) run one at a time.
pub fn pos_order_entity(order_gid: &str) -> String {
    format!("pos-order:{order_gid}")
}

/// The payload holds ids only: the job reads the order again when it runs, so what it sends is the
/// order as it is then (an edit made since is not lost), and no name, email or address is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PosOrderWork {
    pub order_gid: String,
    /// "#1001", to name the order to a person.
    pub name: String,
    pub updated_at: DateTime<Utc>,
    /// The version seen (a digest of what an edit changes): the same event delivered twice is one
    /// job; an edit is a new one, even within the second of the last.
    #[serde(default)]
    pub version: String,
}

impl PosOrderWork {
    pub fn lane(&self) -> Lane {
        Lane::BigCommerce
    }

    pub fn entity_key(&self) -> String {
        pos_order_entity(&self.order_gid)
    }

    pub fn describe(&self) -> String {
        format!("POS order {} into BigCommerce", self.name)
    }
}

/// Why a sale (or one of its refunds) waits for a person instead of being written. Nothing was sent
/// for it, and the rest of the batch goes on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("the order has no lines; there is nothing to record in BigCommerce: skip it")]
    NoLines,
    #[error(
        "line \"{line}\" has a quantity of {quantity}; a sold line needs at least 1 unit: correct the order in Shopify, then retry"
    )]
    Quantity { line: String, quantity: i64 },
    #[error(
        "the order is in {currency}, which the BigCommerce store does not sell in (it has {store}): add the currency to BigCommerce, then retry"
    )]
    Currency { currency: String, store: String },
    #[error(
        "the order's parts come to {parts} but Shopify's total is {total} ({difference} apart, more than a cent): nothing was sent; check the order's discounts and taxes in Shopify"
    )]
    Unbalanced { total: Decimal, parts: Decimal, difference: Decimal },
    #[error(
        "refund {refund} gives back {amount} but only {left} is left to refund on the BigCommerce order: nothing was sent; check both orders' refunds"
    )]
    RefundTooLarge { refund: String, amount: Decimal, left: Decimal },
    #[error(
        "refund {refund} returns line {line}, which the BigCommerce order does not have: nothing was sent; check the order's lines"
    )]
    RefundLine { refund: String, line: String },
    #[error("BigCommerce refused it: {message}")]
    Store { message: String },
}
