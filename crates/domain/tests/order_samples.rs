//! The order planner on real Shopify payloads (`../shared/samples/shopify`): a discounted order
//! with a manual percentage across the order and an automatic discount on entitled lines, an order
//! presented in EUR in a USD shop, and a refund captured from a POS store. Each must map to a
//! BigCommerce order (or refund) whose money equals the payload's to the cent.
//!
//! The payloads are REST/webhook shaped; the reader below lifts what the planner takes, the way
//! the GraphQL reader does for polled orders.

use std::collections::HashMap;
use std::path::PathBuf;

use chrono::Utc;
use rust_decimal::Decimal;
use serde_json::Value;
use tillbridge_domain::orders::{
    Billing, CatalogVariant, DraftLine, Fulfilment, OrderContext, Payment, Presentment, RefundItemDraft, RefundPlan,
    RefundedLine, Restock, Sale, SaleLine, SaleRefund, Tender, TenderKind, draft_order, draft_refund,
};

fn sample(file: &str) -> Option<Value> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/samples/shopify");
    if !dir.is_dir() {
        eprintln!("NOTICE: ../shared is absent ({}); the check against {file} is skipped.", dir.display());
        return None;
    }
    let text = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    Some(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file} is JSON: {e}")))
}

fn money(v: &Value) -> Decimal {
    match v {
        Value::String(s) => s.parse().unwrap_or_else(|e| panic!("{s}: {e}")),
        Value::Number(n) => n.to_string().parse().unwrap_or_else(|e| panic!("{n}: {e}")),
        other => panic!("not money: {other}"),
    }
}

fn shop_money(set: &Value) -> Decimal {
    money(&set["shop_money"]["amount"])
}

/// A REST line item, with each discount allocation put on the line or the order by its
/// application's target selection (`all` is the whole order).
fn rest_line(l: &Value, applications: &[Value]) -> SaleLine {
    let (mut line_discount, mut order_discount) = (Decimal::ZERO, Decimal::ZERO);
    for a in l["discount_allocations"].as_array().into_iter().flatten() {
        let index = a["discount_application_index"].as_u64().unwrap_or_default() as usize;
        let whole_order = applications.get(index).is_some_and(|app| app["target_selection"] == "all");
        let amount = shop_money(&a["amount_set"]);
        if whole_order { order_discount += amount } else { line_discount += amount }
    }
    SaleLine {
        gid: format!("gid://shopify/LineItem/{}", l["id"]),
        name: l["name"].as_str().unwrap_or_default().into(),
        sku: l["sku"].as_str().filter(|s| !s.is_empty()).map(str::to_string),
        variant_gid: l["variant_id"].as_u64().map(|v| format!("gid://shopify/ProductVariant/{v}")),
        quantity: l["quantity"].as_i64().unwrap_or_default(),
        unit_price: l.get("price_set").map_or_else(|| money(&l["price"]), shop_money),
        tax: l["tax_lines"].as_array().into_iter().flatten().map(|t| shop_money(&t["price_set"])).sum(),
        line_discount,
        order_discount,
        gift_card: l["gift_card"].as_bool().unwrap_or(false),
    }
}

fn rest_sale(o: &Value) -> Sale {
    let applications = o["discount_applications"].as_array().cloned().unwrap_or_default();
    let currency = o["currency"].as_str().unwrap_or_default().to_string();
    let presented = o["presentment_currency"].as_str().unwrap_or_default();
    Sale {
        gid: o["admin_graphql_api_id"].as_str().unwrap_or_default().into(),
        name: o["name"].as_str().unwrap_or_default().into(),
        processed_at: Utc::now(),
        updated_at: Utc::now(),
        presentment: (presented != currency).then(|| Presentment {
            currency: presented.into(),
            total: money(&o["total_price_set"]["presentment_money"]["amount"]),
        }),
        currency,
        taxes_included: o["taxes_included"].as_bool().unwrap_or(false),
        payment: if o["financial_status"] == "paid" { Payment::Paid } else { Payment::Unknown },
        fulfilment: Fulfilment::Fulfilled,
        cancelled: !o["cancelled_at"].is_null(),
        retail_location_gid: None,
        retail_location_name: None,
        source_identifier: o["source_identifier"].as_str().map(str::to_string),
        staff_member: None,
        customer: None,
        lines: o["line_items"].as_array().into_iter().flatten().map(|l| rest_line(l, &applications)).collect(),
        shipping: shop_money(&o["total_shipping_price_set"]),
        total_tax: shop_money(&o["total_tax_set"]),
        total: shop_money(&o["total_price_set"]),
        tenders: o["payment_gateway_names"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|g| Tender {
                gateway: g.as_str().unwrap_or_default().into(),
                kind: TenderKind::Sale,
                succeeded: true,
                amount: shop_money(&o["total_price_set"]),
            })
            .collect(),
        cash_rounding: Decimal::ZERO,
        refunds: Vec::new(),
        complete: true,
    }
}

fn map(sale: &Sale, currency: &str) -> tillbridge_domain::orders::OrderDraft {
    let currencies = vec![currency.to_string()];
    // The first line's variant is matched; any others are sent as custom lines.
    let catalog: HashMap<String, CatalogVariant> = sale.lines[..1]
        .iter()
        .filter_map(|l| l.variant_gid.clone())
        .map(|v| (v, CatalogVariant { product_id: 1, variant_id: 2 }))
        .collect();
    let ctx = OrderContext {
        channel_id: 1,
        store_currencies: &currencies,
        catalog: &catalog,
        customer_id: 0,
        billing: Billing::default(),
    };
    draft_order(sale, &ctx).unwrap_or_else(|e| panic!("{} maps: {e}", sale.name))
}

#[test]
fn a_percentage_across_the_order_and_an_entitled_discount_land_on_the_payloads_total() {
    let Some(o) =
        sample("webhook_orders_create_draft_percentage_and_automatic_discount_allocations_HKD_itakastudio_2025.json")
    else {
        return;
    };
    let sale = rest_sale(&o);
    let draft = map(&sale, "HKD");
    assert_eq!(draft.total_inc_tax, money(&o["total_price"]), "BigCommerce's total is the payload's");
    assert_eq!(
        draft.discount_amount,
        Decimal::new(2910, 2),
        "the manual 15% across the order (14.10 + 15.00) goes to discount_amount"
    );
    let DraftLine::Catalog { price_ex_tax, .. } = &draft.lines[0] else { panic!("matched: {:?}", draft.lines[0]) };
    assert_eq!(*price_ex_tax, Decimal::new(9400, 2), "the automatic 5.00 on an entitled line stays on the line");
    assert_eq!(draft.shipping_inc_tax, Decimal::new(2200, 2), "the shipping charged");
    assert_eq!(
        draft.subtotal_inc_tax + draft.shipping_inc_tax - draft.discount_amount,
        draft.total_inc_tax,
        "the parts add up to the total with nothing adjusted"
    );
}

#[test]
fn an_order_presented_in_eur_is_recorded_in_the_shops_usd() {
    let Some(o) = sample("webhook_orders_create_presentment_EUR_shop_USD_carpaudio_2024_scrubbed.json") else {
        return;
    };
    let sale = rest_sale(&o);
    let draft = map(&sale, "USD");
    assert_eq!(draft.total_inc_tax, Decimal::new(12436, 2), "shop money: 124.36 USD");
    assert!(draft.staff_notes.contains("115.90 EUR"), "the customer's EUR amount is kept: {}", draft.staff_notes);
    assert_eq!(draft.unmatched.len(), 1, "the second line is not matched and is flagged, not dropped");
}

#[test]
fn the_pos_refund_capture_becomes_one_refund_of_the_same_money() {
    let Some(r) = sample("webhook_refunds_create_POS_capture_2024_scrubbed.json") else { return };
    let lines: Vec<RefundedLine> = r["refund_line_items"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|l| RefundedLine {
            line_gid: l["line_item"]["admin_graphql_api_id"].as_str().unwrap_or_default().into(),
            quantity: l["quantity"].as_i64().unwrap_or_default(),
            restock: match l["restock_type"].as_str() {
                Some("return") => Restock::Return { location_gid: l["location_id"].as_u64().map(|l| l.to_string()) },
                Some("cancel") => Restock::Cancel { location_gid: None },
                _ => Restock::NoRestock,
            },
            subtotal: shop_money(&l["subtotal_set"]),
            tax: shop_money(&l["total_tax_set"]),
        })
        .collect();
    let refund = SaleRefund {
        gid: r["admin_graphql_api_id"].as_str().unwrap_or_default().into(),
        created_at: None,
        lines,
        tenders: r["transactions"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|t| Tender {
                gateway: t["gateway"].as_str().unwrap_or_default().into(),
                kind: if t["kind"] == "refund" { TenderKind::Refund } else { TenderKind::Other },
                succeeded: t["status"] == "success",
                amount: money(&t["amount"]),
            })
            .collect(),
        is_return: !r["return"].is_null(),
    };
    // The sold line, as the capture embeds it, is the order the refund came from.
    let line = &r["refund_line_items"][0]["line_item"];
    let mut sale = rest_sale(&serde_json::json!({
        "admin_graphql_api_id": "gid://shopify/Order/6022498320664", "name": "#POS", "currency": "CAD",
        "presentment_currency": "CAD", "taxes_included": false, "financial_status": "paid", "cancelled_at": null,
        "line_items": [line], "total_shipping_price_set": {"shop_money": {"amount": "0.00"}},
        "total_tax_set": {"shop_money": {"amount": "17.28"}}, "total_price_set": {"shop_money": {"amount": "161.25"}},
    }));
    sale.refunds = vec![refund.clone()];
    let order = map(&sale, "CAD");
    assert_eq!(order.total_inc_tax, Decimal::new(16125, 2), "4 × 39.99 − 15.99 + GST 7.20 + RST 10.08");
    let products = HashMap::from([(order.lines[0].line_gid().to_string(), 901)]);
    let plan = draft_refund(&refund, 77, &products, order.total_inc_tax);
    let Ok(RefundPlan::Send(draft)) = plan else { panic!("the refund maps: {plan:?}") };
    assert_eq!(draft.total, Decimal::new(16125, 2), "the card refund's 161.25, to the cent");
    assert_eq!(draft.tax, Decimal::new(1728, 2), "its tax, GST and RST");
    assert_eq!(
        draft.items,
        vec![RefundItemDraft::Product { order_product_id: 901, quantity: 4 }],
        "the four units returned"
    );
    assert!(
        matches!(refund.lines[0].restock, Restock::Return { .. }),
        "the capture restocks at its location, which the stock sync carries"
    );
}
