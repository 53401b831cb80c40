//! A Shopify POS order, as read, in the order planner's terms; and the billing address it is sent
//! with. The conversion keeps Shopify's own figures: nothing here computes money.

use rust_decimal::Decimal;
use tillbridge_domain::orders::{
    Billing, Fulfilment, Payment, Presentment, RefundedLine, Restock, Sale, SaleCustomer, SaleLine, SaleRefund, Tender,
    TenderKind,
};
use tillbridge_shopify::models::{
    Address, DiscountTarget, FinancialStatus, FulfillmentStatus, PosOrder, RestockType, Transaction, TransactionKind,
    TransactionStatus,
};

fn payment_of(status: Option<FinancialStatus>) -> Payment {
    match status {
        Some(FinancialStatus::Paid) => Payment::Paid,
        Some(FinancialStatus::PartiallyPaid) => Payment::PartiallyPaid,
        Some(FinancialStatus::Pending) => Payment::Pending,
        Some(FinancialStatus::Authorized) => Payment::Authorized,
        Some(FinancialStatus::PartiallyRefunded) => Payment::PartiallyRefunded,
        Some(FinancialStatus::Refunded) => Payment::Refunded,
        Some(FinancialStatus::Voided | FinancialStatus::Expired) => Payment::Voided,
        Some(FinancialStatus::Unknown) | None => Payment::Unknown,
    }
}

fn fulfilment_of(status: Option<FulfillmentStatus>) -> Fulfilment {
    match status {
        Some(FulfillmentStatus::Fulfilled | FulfillmentStatus::Restocked) => Fulfilment::Fulfilled,
        Some(FulfillmentStatus::PartiallyFulfilled) => Fulfilment::PartiallyFulfilled,
        _ => Fulfilment::Unfulfilled,
    }
}

fn tender_of(t: &Transaction) -> Tender {
    Tender {
        gateway: t.gateway.clone().unwrap_or_else(|| "manual".into()),
        kind: match t.kind {
            TransactionKind::Sale => TenderKind::Sale,
            TransactionKind::Capture => TenderKind::Capture,
            TransactionKind::Authorization | TransactionKind::EmvAuthorization => TenderKind::Authorization,
            TransactionKind::Refund => TenderKind::Refund,
            TransactionKind::Change => TenderKind::Change,
            TransactionKind::Void => TenderKind::Void,
            TransactionKind::SuggestedRefund | TransactionKind::Unknown => TenderKind::Other,
        },
        succeeded: t.status == TransactionStatus::Success,
        amount: t.amount,
    }
}

/// The order as a sale. Discounts aimed at the whole order (target ALL) are the order's; those
/// aimed at lines (explicit or entitled) are the lines'.
pub(crate) fn sale_of(order: &PosOrder) -> Sale {
    let lines = order
        .line_items
        .iter()
        .map(|l| {
            let (mut line_discount, mut order_discount) = (Decimal::ZERO, Decimal::ZERO);
            for a in &l.discount_allocations {
                match a.target {
                    DiscountTarget::All => order_discount += a.amount,
                    _ => line_discount += a.amount,
                }
            }
            SaleLine {
                gid: l.id.to_string(),
                name: l.name.clone(),
                sku: l.sku.clone(),
                variant_gid: l.variant_id.as_ref().map(ToString::to_string),
                quantity: l.quantity,
                unit_price: l.unit_price,
                tax: l.tax_lines.iter().map(|t| t.amount).sum(),
                line_discount,
                order_discount,
                gift_card: l.gift_card,
            }
        })
        .collect();
    let refunds = order
        .refunds
        .iter()
        .map(|r| SaleRefund {
            gid: r.id.to_string(),
            created_at: r.created_at,
            lines: r
                .lines
                .iter()
                .map(|l| RefundedLine {
                    line_gid: l.line_item_id.to_string(),
                    quantity: l.quantity,
                    restock: match l.restock_type {
                        RestockType::Return | RestockType::LegacyRestock => {
                            Restock::Return { location_gid: l.location_id.as_ref().map(ToString::to_string) }
                        }
                        RestockType::Cancel => {
                            Restock::Cancel { location_gid: l.location_id.as_ref().map(ToString::to_string) }
                        }
                        RestockType::NoRestock | RestockType::Unknown => Restock::NoRestock,
                    },
                    subtotal: l.subtotal,
                    tax: l.tax,
                })
                .collect(),
            tenders: r.transactions.iter().map(tender_of).collect(),
            is_return: r.return_id.is_some(),
        })
        .collect();
    let presented_elsewhere = !order.presentment_currency.eq_ignore_ascii_case(&order.currency);
    Sale {
        gid: order.id.to_string(),
        name: order.name.clone(),
        processed_at: order.processed_at,
        updated_at: order.updated_at,
        currency: order.currency.clone(),
        presentment: presented_elsewhere
            .then(|| Presentment { currency: order.presentment_currency.clone(), total: order.presentment_total }),
        taxes_included: order.taxes_included,
        payment: payment_of(order.financial_status),
        fulfilment: fulfilment_of(order.fulfillment_status),
        cancelled: order.cancelled_at.is_some(),
        retail_location_gid: order.retail_location.as_ref().map(|l| l.id.to_string()),
        retail_location_name: order.retail_location.as_ref().map(|l| l.name.clone()),
        source_identifier: order.source_identifier.clone(),
        staff_member: order.staff_member.clone(),
        customer: order.customer.as_ref().map(|c| SaleCustomer { gid: c.id.to_string() }),
        lines,
        shipping: order.shipping,
        total_tax: order.total_tax.unwrap_or_default(),
        total: order.total,
        tenders: order.transactions.iter().map(tender_of).collect(),
        cash_rounding: order.cash_rounding,
        refunds,
        complete: order.complete,
    }
}

/// The address the order is billed to: the customer's own, else the store's (a walk-in sale), with
/// the customer's name and email when known. Held in memory for the one request.
pub(crate) fn billing_of(order: &PosOrder) -> Billing {
    let store = order.retail_location.as_ref().and_then(|l| l.address.clone());
    let address: Address = order.billing_address.clone().or(store).unwrap_or_default();
    let customer = order.customer.as_ref();
    let first = customer.and_then(|c| c.first_name.clone()).or(address.first_name.clone());
    let last = customer.and_then(|c| c.last_name.clone()).or(address.last_name.clone());
    let walk_in = customer.is_none();
    let country_iso2 = address.country_code.clone().unwrap_or_default();
    Billing {
        first_name: first.unwrap_or_else(|| if walk_in { "Walk-in" } else { "" }.into()),
        last_name: last.unwrap_or_else(|| if walk_in { "customer" } else { "" }.into()),
        street_1: address.address1.unwrap_or_default(),
        city: address.city.unwrap_or_default(),
        state: address.province_code.unwrap_or_default(),
        zip: address.zip.unwrap_or_default(),
        country: country_name(&country_iso2).to_string(),
        country_iso2,
        email: customer.and_then(|c| c.email.clone()).or(order.email.clone()).unwrap_or_default(),
    }
}

/// BigCommerce asks for the country's name next to its code; the few a demo or a first shop uses
/// are named, the rest are sent by code (BigCommerce reads `country_iso2` first).
fn country_name(iso2: &str) -> &str {
    match iso2 {
        "US" => "United States",
        "CA" => "Canada",
        "GB" => "United Kingdom",
        "AU" => "Australia",
        "IE" => "Ireland",
        "DE" => "Germany",
        "FR" => "France",
        "NL" => "Netherlands",
        "HK" => "Hong Kong",
        other => other,
    }
}

/// The order's version: what an edit can change (statuses, payments, refunds, cancellation) with
/// its `updatedAt`. Shopify's `updatedAt` has whole seconds, and a refund can share the second of
/// the sale it refunds, so the time alone would miss it.
pub(crate) fn version_of(order: &PosOrder) -> String {
    use sha2::{Digest, Sha256};
    let mut text = format!(
        "{}|{:?}|{:?}|{:?}|{}",
        order.updated_at.timestamp_millis(),
        order.financial_status,
        order.fulfillment_status,
        order.cancelled_at,
        order.total_refunded
    );
    for t in &order.transactions {
        text.push_str(&format!("|t:{}:{:?}:{}", t.id, t.status, t.amount));
    }
    for r in &order.refunds {
        text.push_str(&format!("|r:{}", r.id));
    }
    Sha256::digest(text.as_bytes()).iter().take(12).map(|b| format!("{b:02x}")).collect()
}
