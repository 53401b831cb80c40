//! A Shopify refund as a BigCommerce refund (`POST /v3/orders/{id}/payment_actions/refunds`).
//!
//! The refunded units go as PRODUCT items, so BigCommerce marks those lines refunded; the amount is
//! Shopify's, sent as the merchant's own calculation, so the money on both orders agrees to the
//! cent; and the payment is offline, because the money already moved at the till. BigCommerce
//! refunds never restock: a return with restock raised Shopify's stock at its location, and the
//! stock sync carries that like any other change.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::sale::SaleRefund;
use super::work::Refusal;

/// BigCommerce's offline payment provider: the money moved outside BigCommerce.
pub const OFFLINE_PROVIDER: &str = "custom";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundItemDraft {
    /// Units of an order line, by BigCommerce order product id.
    Product { order_product_id: i64, quantity: i64 },
    /// An amount against the whole order (a refund of money with no goods, such as shipping).
    Order { order_id: i64, amount: Decimal },
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RefundDraft {
    pub refund_gid: String,
    pub items: Vec<RefundItemDraft>,
    pub total: Decimal,
    pub tax: Decimal,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RefundPlan {
    Send(RefundDraft),
    /// No money went back (a return exchanged for goods, or a restock alone): BigCommerce has
    /// nothing to record, and the goods' stock follows through the stock sync.
    NoMoney,
}

/// The BigCommerce refund for `refund` on order `order_id`, given which order product each
/// Shopify line became and what is left to refund there.
pub fn draft_refund(
    refund: &SaleRefund,
    order_id: i64,
    order_products: &HashMap<String, i64>,
    left: Decimal,
) -> Result<RefundPlan, Refusal> {
    let amount = refund.amount();
    if amount <= Decimal::ZERO {
        return Ok(RefundPlan::NoMoney);
    }
    if amount > left {
        return Err(Refusal::RefundTooLarge { refund: refund.gid.clone(), amount, left });
    }
    let mut items = Vec::new();
    for line in refund.lines.iter().filter(|l| l.quantity > 0) {
        let Some(&order_product_id) = order_products.get(&line.line_gid) else {
            return Err(Refusal::RefundLine { refund: refund.gid.clone(), line: line.line_gid.clone() });
        };
        items.push(RefundItemDraft::Product { order_product_id, quantity: line.quantity });
    }
    if items.is_empty() {
        items.push(RefundItemDraft::Order { order_id, amount });
    }
    Ok(RefundPlan::Send(RefundDraft {
        refund_gid: refund.gid.clone(),
        items,
        total: amount,
        tax: refund.tax().min(amount),
    }))
}
