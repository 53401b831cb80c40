//! A POS sale as a BigCommerce order (`POST /v2/orders`).
//!
//! Each line carries its price after its own discounts; discounts on the whole order go to
//! `discount_amount`. Taxes follow Shopify's `taxesIncluded`. The subtotals, shipping and totals
//! are sent as overrides computed from Shopify's own figures, so the BigCommerce order shows
//! Shopify's totals to the cent whatever its own rounding would have made of the lines.

use std::collections::HashMap;

use rust_decimal::Decimal;

use super::sale::{Sale, Tender};
use super::status::{BcStatus, status_for};
use super::work::Refusal;

/// What `external_source` says on every order Tillbridge creates.
pub const EXTERNAL_SOURCE: &str = "Shopify POS";

/// A matched BigCommerce variant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CatalogVariant {
    pub product_id: i64,
    pub variant_id: i64,
}

/// The billing address: the customer's, or the retail location's for a guest. Held in memory for
/// the one request that sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Billing {
    pub first_name: String,
    pub last_name: String,
    pub street_1: String,
    pub city: String,
    pub state: String,
    pub zip: String,
    pub country: String,
    pub country_iso2: String,
    pub email: String,
}

/// What the planner needs besides the sale.
#[derive(Debug, Clone)]
pub struct OrderContext<'a> {
    pub channel_id: i64,
    /// The currencies the BigCommerce store sells in.
    pub store_currencies: &'a [String],
    /// Shopify variant gid → the matched BigCommerce variant.
    pub catalog: &'a HashMap<String, CatalogVariant>,
    /// The BigCommerce customer, or 0 for a guest.
    pub customer_id: i64,
    pub billing: Billing,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DraftLine {
    Catalog {
        line_gid: String,
        product_id: i64,
        variant_id: i64,
        quantity: i64,
        price_inc_tax: Decimal,
        price_ex_tax: Decimal,
    },
    /// A line whose variant is not matched (or a gift card): sent by name and SKU, flagged to a person.
    Custom { line_gid: String, name: String, sku: String, quantity: i64, price_inc_tax: Decimal, price_ex_tax: Decimal },
}

impl DraftLine {
    pub fn line_gid(&self) -> &str {
        match self {
            DraftLine::Catalog { line_gid, .. } | DraftLine::Custom { line_gid, .. } => line_gid,
        }
    }

    pub fn quantity(&self) -> i64 {
        match self {
            DraftLine::Catalog { quantity, .. } | DraftLine::Custom { quantity, .. } => *quantity,
        }
    }
}

/// The body of `POST /v2/orders`, in BigCommerce's terms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderDraft {
    pub external_order_id: String,
    pub external_source: &'static str,
    pub customer_id: i64,
    pub status: BcStatus,
    pub channel_id: i64,
    pub billing: Billing,
    pub lines: Vec<DraftLine>,
    pub discount_amount: Decimal,
    pub subtotal_ex_tax: Decimal,
    pub subtotal_inc_tax: Decimal,
    pub shipping_ex_tax: Decimal,
    pub shipping_inc_tax: Decimal,
    pub total_ex_tax: Decimal,
    pub total_inc_tax: Decimal,
    pub payment_method: String,
    pub staff_notes: String,
    /// SKUs (or names) of the lines sent as custom lines because their variant is not matched.
    pub unmatched: Vec<String>,
}

/// One unit's price: BigCommerce keeps four decimals, and the totals are overridden anyway.
fn per_unit(amount: Decimal, quantity: i64) -> Decimal {
    (amount / Decimal::from(quantity)).round_dp(4)
}

/// The sale as a BigCommerce order, or why it must wait for a person.
pub fn draft_order(sale: &Sale, ctx: &OrderContext<'_>) -> Result<OrderDraft, Refusal> {
    if sale.lines.is_empty() {
        return Err(Refusal::NoLines);
    }
    if let Some(bad) = sale.lines.iter().find(|l| l.quantity < 1) {
        return Err(Refusal::Quantity { line: bad.name.clone(), quantity: bad.quantity });
    }
    if !ctx.store_currencies.iter().any(|c| c.eq_ignore_ascii_case(&sale.currency)) {
        return Err(Refusal::Currency { currency: sale.currency.clone(), store: ctx.store_currencies.join(", ") });
    }

    let mut lines = Vec::with_capacity(sale.lines.len());
    let mut unmatched = Vec::new();
    let (mut subtotal_ex, mut subtotal_inc, mut line_tax, mut order_discount) =
        (Decimal::ZERO, Decimal::ZERO, Decimal::ZERO, Decimal::ZERO);
    for line in &sale.lines {
        let net = line.net();
        let (ex, inc) = if sale.taxes_included { (net - line.tax, net) } else { (net, net + line.tax) };
        subtotal_ex += ex;
        subtotal_inc += inc;
        line_tax += line.tax;
        order_discount += line.order_discount;
        let (price_ex_tax, price_inc_tax) = (per_unit(ex, line.quantity), per_unit(inc, line.quantity));
        let matched = line.variant_gid.as_ref().and_then(|v| ctx.catalog.get(v)).filter(|_| !line.gift_card);
        lines.push(match matched {
            Some(v) => DraftLine::Catalog {
                line_gid: line.gid.clone(),
                product_id: v.product_id,
                variant_id: v.variant_id,
                quantity: line.quantity,
                price_inc_tax,
                price_ex_tax,
            },
            None => {
                let sku = line.sku.clone().unwrap_or_default();
                if !line.gift_card {
                    unmatched.push(if sku.is_empty() { line.name.clone() } else { sku.clone() });
                }
                DraftLine::Custom {
                    line_gid: line.gid.clone(),
                    name: line.name.clone(),
                    sku,
                    quantity: line.quantity,
                    price_inc_tax,
                    price_ex_tax,
                }
            }
        });
    }

    // Shipping's tax is what the order's tax holds beyond its lines'.
    let shipping_tax = sale.total_tax - line_tax;
    let (shipping_ex, shipping_inc) = if sale.taxes_included {
        (sale.shipping - shipping_tax, sale.shipping)
    } else {
        (sale.shipping, sale.shipping + shipping_tax)
    };
    let parts = subtotal_inc + shipping_inc - order_discount;
    let difference = (parts - sale.total).abs();
    if difference > Decimal::new(1, 2) || shipping_tax < Decimal::ZERO {
        return Err(Refusal::Unbalanced { total: sale.total, parts, difference });
    }

    let edit = order_edit(sale);
    Ok(OrderDraft {
        external_order_id: sale.gid.clone(),
        external_source: EXTERNAL_SOURCE,
        customer_id: ctx.customer_id,
        status: edit.status,
        channel_id: ctx.channel_id,
        billing: ctx.billing.clone(),
        lines,
        discount_amount: order_discount,
        subtotal_ex_tax: subtotal_ex,
        subtotal_inc_tax: subtotal_inc,
        shipping_ex_tax: shipping_ex,
        shipping_inc_tax: shipping_inc,
        total_ex_tax: sale.total - sale.total_tax,
        total_inc_tax: sale.total,
        payment_method: edit.payment_method,
        staff_notes: edit.staff_notes,
        unmatched,
    })
}

/// What a later edit of the POS order (a payment added, a note, a fulfilment) may change on the
/// BigCommerce order that was made for it. The lines and money are fixed at creation; refunds are
/// carried as refunds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderEdit {
    pub status: BcStatus,
    pub payment_method: String,
    pub staff_notes: String,
}

impl OrderEdit {
    /// The edit's content, for telling whether it changed since it was last sent.
    pub fn fingerprint(&self) -> String {
        format!("{}\n{}\n{}", self.status.id(), self.payment_method, self.staff_notes)
    }

    /// The status to send, given the BigCommerce order's current one: never over a status that
    /// BigCommerce's own refunds set, and nothing when it is already right.
    pub fn status_over(&self, current: i64) -> Option<i64> {
        (!BcStatus::set_by_refunds(current) && current != self.status.id()).then_some(self.status.id())
    }
}

pub fn order_edit(sale: &Sale) -> OrderEdit {
    OrderEdit {
        status: status_for(sale),
        payment_method: payment_method(&sale.tenders),
        staff_notes: staff_notes(sale),
    }
}

/// A gateway as a person reads it.
fn gateway_label(gateway: &str) -> String {
    match gateway {
        "cash" => "Cash".into(),
        "shopify_payments" => "Card".into(),
        "gift_card" => "Gift card".into(),
        "manual" => "Manual".into(),
        "" => "Unknown".into(),
        other => other.to_string(),
    }
}

/// "Cash", "Card", or with several tenders "Split tender: Cash 20.00 + Card 15.50". "Unpaid"
/// when no money was taken yet.
pub fn payment_method(tenders: &[Tender]) -> String {
    let mut by_gateway: Vec<(String, Decimal)> = Vec::new();
    for t in tenders.iter().filter(|t| t.took()) {
        let label = gateway_label(&t.gateway);
        match by_gateway.iter_mut().find(|(g, _)| *g == label) {
            Some((_, sum)) => *sum += t.amount,
            None => by_gateway.push((label, t.amount)),
        }
    }
    match by_gateway.as_slice() {
        [] => "Unpaid".into(),
        [(one, _)] => one.clone(),
        several => {
            let parts: Vec<String> = several.iter().map(|(g, a)| format!("{g} {:.2}", a)).collect();
            format!("Split tender: {}", parts.join(" + "))
        }
    }
}

/// Where and by whom the sale was rung up, and what BigCommerce's fields cannot hold.
fn staff_notes(sale: &Sale) -> String {
    let mut notes = vec![format!("Shopify POS order {}", sale.name)];
    if let Some(location) = &sale.retail_location_name {
        notes.push(format!("Location: {location}"));
    }
    if let Some(staff) = &sale.staff_member {
        notes.push(format!("Staff: {staff}"));
    }
    if let Some(register) = &sale.source_identifier {
        notes.push(format!("Register/sale: {register}"));
    }
    if let Some(p) = sale.presentment.as_ref().filter(|p| !p.currency.eq_ignore_ascii_case(&sale.currency)) {
        notes.push(format!("Customer paid in {}: {:.2} {}", p.currency, p.total, p.currency));
    }
    if !sale.cash_rounding.is_zero() {
        notes.push(format!("Cash rounding: {:+.2}", sale.cash_rounding));
    }
    if sale.tenders.iter().any(|t| t.took() && t.gateway == "gift_card") {
        notes.push("Paid in part or whole by gift card".into());
    }
    notes.join("\n")
}
