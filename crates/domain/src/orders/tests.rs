//! The order planner against the shapes Shopify POS produces: taxes included and excluded, line
//! and order discounts, split tender, gift cards, cash rounding, unmatched variants, guests and a
//! presentment currency; and the refunds that follow.

use std::collections::HashMap;

use chrono::{TimeZone, Utc};
use rust_decimal::Decimal;

use super::*;

fn d(s: &str) -> Decimal {
    s.parse().unwrap_or_else(|e| panic!("{s}: {e}"))
}

fn line(n: u32, variant: Option<&str>, quantity: i64, price: &str) -> SaleLine {
    SaleLine {
        gid: format!("gid://shopify/LineItem/{n}"),
        name: format!("Harbour Tee {n}"),
        sku: Some(format!("TEE-{n}")),
        variant_gid: variant.map(str::to_string),
        quantity,
        unit_price: d(price),
        tax: Decimal::ZERO,
        line_discount: Decimal::ZERO,
        order_discount: Decimal::ZERO,
        gift_card: false,
    }
}

fn tender(gateway: &str, amount: &str) -> Tender {
    Tender { gateway: gateway.into(), kind: TenderKind::Sale, succeeded: true, amount: d(amount) }
}

fn sale(lines: Vec<SaleLine>, total: &str, tax: &str) -> Sale {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().unwrap_or_default();
    Sale {
        gid: "gid://shopify/Order/1001".into(),
        name: "#1001".into(),
        processed_at: at,
        updated_at: at,
        currency: "USD".into(),
        presentment: None,
        taxes_included: false,
        payment: Payment::Paid,
        fulfilment: Fulfilment::Fulfilled,
        cancelled: false,
        retail_location_gid: Some("gid://shopify/Location/1".into()),
        retail_location_name: Some("Harbour Street".into()),
        source_identifier: Some("R1-0042".into()),
        staff_member: Some("Till 1".into()),
        customer: None,
        lines,
        shipping: Decimal::ZERO,
        total_tax: d(tax),
        total: d(total),
        tenders: vec![tender("cash", total)],
        cash_rounding: Decimal::ZERO,
        refunds: Vec::new(),
        complete: true,
    }
}

fn catalog() -> HashMap<String, CatalogVariant> {
    HashMap::from([
        ("gid://shopify/ProductVariant/1".to_string(), CatalogVariant { product_id: 77, variant_id: 701 }),
        ("gid://shopify/ProductVariant/2".to_string(), CatalogVariant { product_id: 77, variant_id: 702 }),
    ])
}

const V1: Option<&str> = Some("gid://shopify/ProductVariant/1");
const V2: Option<&str> = Some("gid://shopify/ProductVariant/2");

fn draft(s: &Sale) -> Result<OrderDraft, Refusal> {
    let currencies = vec!["USD".to_string()];
    let catalog = catalog();
    draft_order(
        s,
        &OrderContext {
            channel_id: 2,
            store_currencies: &currencies,
            catalog: &catalog,
            customer_id: 0,
            billing: Billing::default(),
        },
    )
}

fn ok(s: &Sale) -> OrderDraft {
    draft(s).unwrap_or_else(|e| panic!("the sale maps: {e}"))
}

#[test]
fn tax_excluded_with_a_line_discount_and_an_order_discount_lands_on_shopifys_total() {
    // 2 × 20.00 with 5.00 off the line, 1 × 10.00; 10% off the order (3.50, spread 3.50 × 35/45
    // and 10/45 of it); 8% tax on what is left.
    let mut a = line(1, V1, 2, "20.00");
    a.line_discount = d("5.00");
    a.order_discount = d("3.50");
    a.tax = d("2.52");
    let mut b = line(2, V2, 1, "10.00");
    b.order_discount = d("1.00");
    b.tax = d("0.72");
    let s = sale(vec![a, b], "43.74", "3.24");
    let o = ok(&s);
    assert_eq!(o.total_inc_tax, d("43.74"), "BigCommerce shows Shopify's total to the cent");
    assert_eq!(o.total_ex_tax, d("40.50"), "the total without tax is Shopify's total less its tax");
    assert_eq!(o.discount_amount, d("4.50"), "the order's own discount goes to discount_amount");
    assert_eq!(o.subtotal_ex_tax, d("45.00"), "lines carry their own discounts only: 35.00 + 10.00");
    assert_eq!(o.subtotal_inc_tax, d("48.24"), "and their tax on top");
    let DraftLine::Catalog { price_ex_tax, price_inc_tax, variant_id, .. } = &o.lines[0] else {
        panic!("a matched variant is a catalog line: {:?}", o.lines[0]);
    };
    assert_eq!((*variant_id, *price_ex_tax, *price_inc_tax), (701, d("17.50"), d("18.76")), "per unit");
    assert_eq!(o.status, BcStatus::Completed, "paid and handed over at the counter");
    assert_eq!(o.external_order_id, "gid://shopify/Order/1001", "the anchor for exactly-once");
    assert!(o.unmatched.is_empty(), "every line was matched");
}

#[test]
fn tax_included_prices_keep_the_tax_inside() {
    // 23.00 including 15% VAT (3.00), less 2.30 off the order (VAT 0.30 of it comes off too).
    let mut a = line(1, V1, 1, "23.00");
    a.order_discount = d("2.30");
    a.tax = d("2.70");
    let mut s = sale(vec![a], "20.70", "2.70");
    s.taxes_included = true;
    let o = ok(&s);
    assert_eq!(o.total_inc_tax, d("20.70"), "the total already holds the tax");
    assert_eq!(o.total_ex_tax, d("18.00"), "less the tax");
    assert_eq!(o.subtotal_inc_tax, d("23.00"), "the line as priced");
    assert_eq!(o.subtotal_ex_tax, d("20.30"), "the line less its tax");
    assert_eq!(o.discount_amount, d("2.30"), "the order discount");
}

#[test]
fn shipping_and_its_tax_are_what_the_order_holds_beyond_its_lines() {
    let mut a = line(1, V1, 1, "50.00");
    a.tax = d("4.00");
    let mut s = sale(vec![a], "64.80", "4.80");
    s.shipping = d("10.00");
    s.fulfilment = Fulfilment::Unfulfilled;
    let o = ok(&s);
    assert_eq!((o.shipping_ex_tax, o.shipping_inc_tax), (d("10.00"), d("10.80")), "0.80 of the tax is shipping's");
    assert_eq!(o.status, BcStatus::AwaitingFulfillment, "a ship-from-store sale waits to be shipped");
}

#[test]
fn a_split_tender_lists_each_tender_with_its_amount() {
    let mut s = sale(vec![line(1, V1, 1, "35.50")], "35.50", "0");
    s.tenders = vec![
        tender("cash", "20.00"),
        tender("shopify_payments", "15.50"),
        Tender { gateway: "shopify_payments".into(), kind: TenderKind::Sale, succeeded: false, amount: d("15.50") },
    ];
    assert_eq!(ok(&s).payment_method, "Split tender: Cash 20.00 + Card 15.50", "a declined card took nothing");
}

#[test]
fn a_gift_card_sold_is_a_custom_line_and_one_spent_is_a_tender() {
    let mut card = line(9, None, 1, "50.00");
    card.gift_card = true;
    card.name = "Gift Card".into();
    card.sku = None;
    let mut s = sale(vec![line(1, V1, 1, "30.00"), card], "80.00", "0");
    s.tenders = vec![tender("gift_card", "30.00"), tender("cash", "50.00")];
    let o = ok(&s);
    assert!(
        matches!(&o.lines[1], DraftLine::Custom { name, .. } if name == "Gift Card"),
        "a gift card has no BigCommerce variant: {:?}",
        o.lines[1]
    );
    assert!(o.unmatched.is_empty(), "a gift card is not an unmatched variant to flag");
    assert_eq!(o.payment_method, "Split tender: Gift card 30.00 + Cash 50.00", "both tenders listed");
    assert!(o.staff_notes.contains("gift card"), "the notes say a gift card paid: {}", o.staff_notes);
}

#[test]
fn cash_rounding_is_noted_and_the_total_stays_the_orders() {
    let mut s = sale(vec![line(1, V1, 1, "10.03")], "10.03", "0");
    s.tenders = vec![tender("cash", "10.05")];
    s.cash_rounding = d("0.02");
    let o = ok(&s);
    assert_eq!(o.total_inc_tax, d("10.03"), "the order's total, not the rounded payment");
    assert!(o.staff_notes.contains("Cash rounding: +0.02"), "the rounding is recorded: {}", o.staff_notes);
}

#[test]
fn an_unmatched_variant_is_sent_as_a_custom_line_and_flagged() {
    let s =
        sale(vec![line(1, V1, 1, "10.00"), line(3, Some("gid://shopify/ProductVariant/3"), 2, "4.00")], "18.00", "0");
    let o = ok(&s);
    assert!(
        matches!(&o.lines[1], DraftLine::Custom { sku, quantity: 2, price_inc_tax, .. } if sku == "TEE-3" && *price_inc_tax == d("4.00")),
        "the line is kept by name and SKU, never dropped: {:?}",
        o.lines[1]
    );
    assert_eq!(o.unmatched, vec!["TEE-3".to_string()], "and named for a person");
}

#[test]
fn a_guest_sale_carries_customer_zero_and_the_billing_it_is_given() {
    let s = sale(vec![line(1, V1, 1, "10.00")], "10.00", "0");
    let currencies = vec!["USD".to_string()];
    let catalog = catalog();
    let billing = Billing { first_name: "Harbour Street".into(), zip: "02110".into(), ..Billing::default() };
    let ctx = OrderContext {
        channel_id: 2,
        store_currencies: &currencies,
        catalog: &catalog,
        customer_id: 0,
        billing: billing.clone(),
    };
    let o = draft_order(&s, &ctx).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((o.customer_id, o.billing), (0, billing), "a guest order, billed to the store");
}

#[test]
fn a_presentment_currency_is_noted_and_the_order_is_in_shop_money() {
    let mut s = sale(vec![line(1, V1, 1, "45.01"), line(2, V2, 1, "79.35")], "124.36", "0");
    s.presentment = Some(Presentment { currency: "EUR".into(), total: d("115.90") });
    let o = ok(&s);
    assert_eq!(o.total_inc_tax, d("124.36"), "BigCommerce carries the shop currency");
    assert!(o.staff_notes.contains("115.90 EUR"), "the customer's amount is in the notes: {}", o.staff_notes);
}

#[test]
fn bad_sales_are_refused_with_the_reason() {
    let zero = sale(vec![line(1, V1, 0, "10.00")], "0.00", "0");
    assert!(matches!(draft(&zero), Err(Refusal::Quantity { quantity: 0, .. })), "a zero quantity is refused");
    let negative = sale(vec![line(1, V1, -1, "10.00")], "-10.00", "0");
    assert!(matches!(draft(&negative), Err(Refusal::Quantity { quantity: -1, .. })), "so is a negative one");
    let mut cad = sale(vec![line(1, V1, 1, "10.00")], "10.00", "0");
    cad.currency = "CAD".into();
    let refusal = draft(&cad).err();
    assert!(matches!(&refusal, Some(Refusal::Currency { currency, .. }) if currency == "CAD"), "{refusal:?}");
    assert!(
        refusal.is_some_and(|r| r.to_string().contains("add the currency to BigCommerce")),
        "the message says what to do"
    );
    let off = sale(vec![line(1, V1, 1, "10.00")], "10.02", "0");
    assert!(
        matches!(draft(&off), Err(Refusal::Unbalanced { difference, .. }) if difference == d("0.02")),
        "two cents apart is not rounding; nothing is adjusted silently"
    );
    let cent = sale(vec![line(1, V1, 1, "10.00")], "10.01", "0");
    assert_eq!(ok(&cent).total_inc_tax, d("10.01"), "a cent is rounding, and Shopify's total is what is sent");
    let empty = sale(Vec::new(), "0.00", "0");
    assert_eq!(draft(&empty).err(), Some(Refusal::NoLines), "an order without lines has nothing to record");
}

#[test]
fn the_status_follows_payment_and_fulfilment() {
    let base = sale(vec![line(1, V1, 1, "10.00")], "10.00", "0");
    let cases = [
        (Payment::Paid, Fulfilment::Fulfilled, false, BcStatus::Completed),
        (Payment::PartiallyRefunded, Fulfilment::Fulfilled, false, BcStatus::Completed),
        (Payment::Paid, Fulfilment::PartiallyFulfilled, false, BcStatus::PartiallyShipped),
        (Payment::Paid, Fulfilment::Unfulfilled, false, BcStatus::AwaitingFulfillment),
        (Payment::PartiallyPaid, Fulfilment::Fulfilled, false, BcStatus::AwaitingPayment),
        (Payment::Pending, Fulfilment::Unfulfilled, false, BcStatus::AwaitingPayment),
        (Payment::Voided, Fulfilment::Unfulfilled, false, BcStatus::Cancelled),
        (Payment::Paid, Fulfilment::Fulfilled, true, BcStatus::Cancelled),
    ];
    for (payment, fulfilment, cancelled, want) in cases {
        let s = Sale { payment, fulfilment, cancelled, ..base.clone() };
        assert_eq!(status_for(&s), want, "{payment:?}, {fulfilment:?}, cancelled {cancelled}");
    }
    assert_eq!(BcStatus::Completed.id(), 10, "BigCommerce's id for Completed");
    assert_eq!(BcStatus::AwaitingPayment.id(), 7, "and for Awaiting Payment");
}

#[test]
fn an_edit_changes_payment_and_status_but_never_writes_over_a_refund_status() {
    let unpaid = Sale {
        payment: Payment::PartiallyPaid,
        tenders: vec![tender("cash", "4.00")],
        ..sale(vec![line(1, V1, 1, "10.00")], "10.00", "0")
    };
    let paid = Sale {
        payment: Payment::Paid,
        tenders: vec![tender("cash", "4.00"), tender("shopify_payments", "6.00")],
        ..unpaid.clone()
    };
    let (before, after) = (order_edit(&unpaid), order_edit(&paid));
    assert_ne!(before.fingerprint(), after.fingerprint(), "a payment added is an edit to send");
    assert_eq!(after.payment_method, "Split tender: Cash 4.00 + Card 6.00", "the new tender is listed");
    assert_eq!(after.status_over(7), Some(10), "Awaiting Payment becomes Completed once paid and collected");
    assert_eq!(after.status_over(10), None, "a status already right is not sent again");
    assert_eq!(after.status_over(14), None, "Partially Refunded was set by BigCommerce's refund and stays");
    assert_eq!(order_edit(&paid).fingerprint(), after.fingerprint(), "the same sale is the same edit");
}

fn refund(lines: Vec<RefundedLine>, amount: &str) -> SaleRefund {
    SaleRefund {
        gid: "gid://shopify/Refund/9".into(),
        created_at: None,
        lines,
        tenders: vec![Tender { gateway: "cash".into(), kind: TenderKind::Refund, succeeded: true, amount: d(amount) }],
        is_return: false,
    }
}

fn refunded(line: u32, quantity: i64, restock: Restock) -> RefundedLine {
    RefundedLine {
        line_gid: format!("gid://shopify/LineItem/{line}"),
        quantity,
        restock,
        subtotal: Decimal::ZERO,
        tax: d("0.80"),
    }
}

#[test]
fn a_refund_of_units_names_the_order_products_and_shopifys_amount() {
    let products = HashMap::from([("gid://shopify/LineItem/1".to_string(), 501)]);
    let r = refund(vec![refunded(1, 1, Restock::Return { location_gid: None })], "10.80");
    let plan = draft_refund(&r, 100, &products, d("64.80"));
    let Ok(RefundPlan::Send(draft)) = plan else { panic!("money went back, so BigCommerce records it: {plan:?}") };
    assert_eq!(draft.items, vec![RefundItemDraft::Product { order_product_id: 501, quantity: 1 }], "by order product");
    assert_eq!((draft.total, draft.tax), (d("10.80"), d("0.80")), "Shopify's amount and tax, to the cent");
}

#[test]
fn a_refund_of_money_alone_is_an_order_amount() {
    let r = refund(Vec::new(), "5.00");
    let plan = draft_refund(&r, 100, &HashMap::new(), d("64.80"));
    let Ok(RefundPlan::Send(draft)) = plan else { panic!("{plan:?}") };
    assert_eq!(draft.items, vec![RefundItemDraft::Order { order_id: 100, amount: d("5.00") }], "against the order");
}

#[test]
fn refunds_that_cannot_be_recorded_are_refused_or_skipped() {
    let products = HashMap::from([("gid://shopify/LineItem/1".to_string(), 501)]);
    let big = refund(vec![refunded(1, 1, Restock::NoRestock)], "70.00");
    assert!(
        matches!(draft_refund(&big, 100, &products, d("64.80")), Err(Refusal::RefundTooLarge { .. })),
        "more than is left to refund is refused, not capped"
    );
    let stranger = refund(vec![refunded(4, 1, Restock::NoRestock)], "1.00");
    assert!(
        matches!(draft_refund(&stranger, 100, &products, d("64.80")), Err(Refusal::RefundLine { .. })),
        "a line the BigCommerce order does not have is refused"
    );
    let exchange = refund(vec![refunded(1, 1, Restock::Return { location_gid: None })], "0.00");
    assert_eq!(
        draft_refund(&exchange, 100, &products, d("64.80")),
        Ok(RefundPlan::NoMoney),
        "no money back (an exchange): BigCommerce has nothing to record"
    );
}

#[test]
fn the_job_is_keyed_by_the_order() {
    let at = Utc.with_ymd_and_hms(2026, 12, 1, 10, 0, 0).single().unwrap_or_default();
    let w = PosOrderWork {
        order_gid: "gid://shopify/Order/1001".into(),
        name: "#1001".into(),
        updated_at: at,
        version: "v1".into(),
    };
    assert_eq!(w.entity_key(), "pos-order:gid://shopify/Order/1001", "never by the run that planned it");
    assert_eq!(w.lane(), crate::work::Lane::BigCommerce, "its writes go to BigCommerce");
}
