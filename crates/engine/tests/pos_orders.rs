//! POS orders end to end against the emulated stores: sales rung up at the Shopify till become
//! one BigCommerce order each with Shopify's totals to the cent, customers are matched once, a
//! create whose answer was lost (or whose process died) is never repeated, and refunds follow
//! their order exactly once.

// Setup that cannot succeed should stop the test on the spot: unwrap is the point here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::HashMap;

use futures_util::TryStreamExt;
use rust_decimal::Decimal;
use serde_json::Value;
use tillbridge_emulator::bigcommerce::BcConfig;
use tillbridge_emulator::shopify::{PosDiscount, PosDiscountType, PosLine, PosSale, PosTender};
use tillbridge_emulator::{FaultConfig, RunningStores, SeedSpec};
use tillbridge_engine::stock::{LocationPairView, StockCellView};
use tillbridge_engine::{
    App, ChooseOrderChannel, ErrorKind, FailedQuery, LocationRules, MapLocationsRequest, OrderLinkState, OrdersConfig,
    OrdersQuery, OrdersSyncRequest, RetryOrdersRequest, RuntimeOptions, SameWindow, Scope, StockOwner,
    StockSyncRequest, SyncPhase, SyncRequest,
};
use tillbridge_shopify::gid::LocationId;
use tillbridge_shopify::models::{PosOrder, RestockType, TransactionKind};
use tillbridge_shopify::{IdempotencyKey, NewRefund, RefundLineInput, RefundMoney, ShopifyClient, VariantQuery};
use tillbridge_store::{OrderLinkUpdate, Store};

use support::{connected_with, merchant};

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// Stores, an app with the catalog matched and POS orders set up, and the matched Shopify
/// variants (by number) the sales can use.
async fn ready(create_customers: bool) -> (RunningStores, App, Vec<u64>, u64) {
    let s = support::stores(SeedSpec { variants: 40, locations: 2, ..SeedSpec::default() }).await;
    ready_on(s, create_customers).await
}

async fn ready_on(s: RunningStores, create_customers: bool) -> (RunningStores, App, Vec<u64>, u64) {
    let app = connected_with(&s, None, RuntimeOptions::one_shot()).await;
    let p = app.sync_run(SyncRequest::new(Scope::Full, false)).await.unwrap();
    assert_eq!(p.phase, SyncPhase::Done, "the catalog sync matches the products first: {:?}", p.error);
    // The sales these tests ring up come before the first cycle: carrying starts a day back.
    let carry_from = Some(chrono::Utc::now() - chrono::Duration::days(1));
    app.set_orders_config(OrdersConfig { create_customers, carry_from, ..OrdersConfig::default() }).await.unwrap();
    let (_, sh) = merchant(&s);
    let variants: Vec<_> = sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    let gids: Vec<String> = variants.into_iter().flatten().map(|v| v.id.0).collect();
    let matched = app.store().matched_bigcommerce_variants(&gids).unwrap();
    let mut numbers: Vec<u64> =
        matched.keys().map(|g| tillbridge_shopify::gid::VariantId(g.clone()).number().unwrap()).collect();
    numbers.sort_unstable();
    assert!(numbers.len() >= 4, "the seeded catalog has matched variants to sell: {}", numbers.len());
    let locations: Vec<_> = sh.locations().try_collect().await.unwrap();
    let store = locations.into_iter().flatten().next().unwrap().id.number().unwrap();
    (s, app, numbers, store)
}

fn line(variant: u64, quantity: i64) -> PosLine {
    PosLine { variant_id: Some(variant), quantity, ..PosLine::default() }
}

async fn pos_orders(sh: &ShopifyClient) -> Vec<PosOrder> {
    let pages: Vec<Vec<PosOrder>> = sh.pos_orders(None).try_collect().await.unwrap();
    pages.concat()
}

/// BigCommerce's orders (its own record, not an API answer), by external order id.
fn bigcommerce_orders(s: &RunningStores) -> HashMap<String, Vec<Value>> {
    let mut out: HashMap<String, Vec<Value>> = HashMap::new();
    for o in s.bigcommerce.orders_snapshot()["orders"].as_array().unwrap() {
        if let Some(ext) = o["external_order_id"].as_str() {
            out.entry(ext.to_string()).or_default().push(o.clone());
        }
    }
    out
}

fn money(v: &Value) -> Decimal {
    v.as_str().map(d).or_else(|| v.as_f64().map(|f| Decimal::try_from(f).unwrap())).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_pos_sale_becomes_one_bigcommerce_order_with_shopifys_totals() {
    let (s, app, v, store) = ready(true).await;
    let sales = [
        // Cash, a line discount, 8 % tax, a known shopper.
        PosSale {
            location_id: store,
            lines: vec![PosLine { discount: Some(d("5.00")), ..line(v[0], 2) }],
            customer_email: Some("ada@example.com".into()),
            tax_rate: Some(d("0.08")),
            ..PosSale::default()
        },
        // Split tender and 10 % off the whole order over two lines.
        PosSale {
            location_id: store,
            lines: vec![line(v[1], 1), line(v[2], 3)],
            tenders: vec![
                PosTender { gateway: "cash".into(), amount: Some(d("20.00")) },
                PosTender { gateway: "shopify_payments".into(), amount: None },
            ],
            discounts: vec![PosDiscount {
                value_type: PosDiscountType::Percentage,
                value: d("10"),
                ..PosDiscount::default()
            }],
            tax_rate: Some(d("0.08")),
            ..PosSale::default()
        },
        // Prices that include 20 % tax, by the same shopper.
        PosSale {
            location_id: store,
            lines: vec![line(v[3], 1)],
            customer_email: Some("ADA@example.com".into()),
            taxes_included: true,
            tax_rate: Some(d("0.20")),
            ..PosSale::default()
        },
        // A gift card sold beside goods: a custom line, never dropped.
        PosSale {
            location_id: store,
            lines: vec![
                line(v[0], 1),
                PosLine {
                    gift_card: true,
                    price: Some(d("25.00")),
                    title: Some("Gift card".into()),
                    quantity: 1,
                    ..PosLine::default()
                },
            ],
            ..PosSale::default()
        },
    ];
    for sale in &sales {
        s.shopify.ring_up(sale).unwrap();
    }
    let (bc, sh) = merchant(&s);
    let shopify = pos_orders(&sh).await;
    assert_eq!(shopify.len(), sales.len(), "every sale is a POS order in Shopify");

    let preview = app.orders_sync(OrdersSyncRequest { dry_run: true, ..Default::default() }).await.unwrap();
    assert_eq!(preview.orders.iter().filter(|o| o.action == "create").count(), 4, "a dry run plans every create");
    assert!(bigcommerce_orders(&s).is_empty(), "and sends nothing");
    let body = preview.orders[0].body.as_ref().unwrap();
    assert!(body.get("billing_address").is_none(), "a preview shows no personal data: {body}");

    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((report.queued, report.carried, report.failed), (4, 4, 0), "each sale carried once: {report:?}");
    let carried = bigcommerce_orders(&s);
    for order in &shopify {
        let made = carried.get(&order.id.0).unwrap_or_else(|| panic!("{} reached BigCommerce", order.name));
        assert_eq!(made.len(), 1, "exactly one BigCommerce order for {}", order.name);
        let made = &made[0];
        assert_eq!(money(&made["total_inc_tax"]), order.total, "{}: BigCommerce's total is Shopify's", order.name);
        let tax = money(&made["total_inc_tax"]) - money(&made["total_ex_tax"]);
        assert_eq!(Some(tax), order.total_tax, "{}: and so is the tax", order.name);
        assert_eq!(made["external_source"], "Shopify POS", "named as a POS order");
        assert_eq!(made["status_id"], 10, "{}: paid and collected at the counter is Completed", order.name);
        let catalog_lines =
            made["lines"].as_array().unwrap().iter().filter(|l| l["product_id"].as_i64().unwrap_or(0) > 0).count();
        let sold_goods = order.line_items.iter().filter(|l| !l.gift_card).count();
        assert_eq!(catalog_lines, sold_goods, "{}: matched variants are catalog lines", order.name);
        assert_eq!(made["lines"].as_array().unwrap().len(), order.line_items.len(), "no line is dropped");
    }
    let by_ada: Vec<i64> = shopify
        .iter()
        .filter(|o| o.customer.as_ref().and_then(|c| c.email.as_deref()).is_some())
        .map(|o| carried[&o.id.0][0]["customer_id"].as_i64().unwrap())
        .collect();
    assert_eq!(by_ada.len(), 2, "two sales were to the shopper");
    assert!(by_ada[0] > 0 && by_ada[0] == by_ada[1], "both go to one BigCommerce customer, made once: {by_ada:?}");
    let customers = bc.customers_by_email(&["ada@example.com".into()]).await.unwrap();
    assert_eq!(customers.len(), 1, "the email found the customer the second time instead of making another");

    let again = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((again.queued, again.in_step), (0, 4), "orders already carried are not queued again: {again:?}");
    let view = app.orders(OrdersQuery::default()).await.unwrap();
    assert_eq!(view.counts.created, 4, "four orders linked");
    assert!(view.orders.iter().all(|o| o.shopify_total == o.bigcommerce_total), "the screen shows both totals agree");
    assert_pii_free(app.store(), &["ada@example.com", "Ada"]);
}

/// None of `probes` (a shopper's email, name) reaches the database: links hold ids and a salted hash.
fn assert_pii_free(store: &Store, probes: &[&str]) {
    let dump = store
        .read(|c| {
            let mut text = String::new();
            for table in ["order_links", "refund_links", "customer_links", "jobs", "audit_log"] {
                let Ok(mut stmt) = c.prepare(&format!("SELECT * FROM {table}")) else { continue };
                let n = stmt.column_count();
                let rows = stmt
                    .query_map([], |r| {
                        let mut line = String::new();
                        for i in 0..n {
                            if let Ok(v) = r.get::<_, rusqlite::types::Value>(i) {
                                line.push_str(&format!("{v:?}|"));
                            }
                        }
                        Ok(line)
                    })
                    .unwrap();
                for row in rows {
                    text.push_str(&row.unwrap());
                    text.push('\n');
                }
            }
            Ok(text)
        })
        .unwrap();
    // Emails match without regard to case; names as written ("Ada" is not "canada").
    let lower = dump.to_lowercase();
    for probe in probes {
        let found = if probe.contains('@') { lower.contains(&probe.to_lowercase()) } else { dump.contains(probe) };
        assert!(!found, "{probe:?} is not stored");
    }
}

/// A BigCommerce order for `order` made outside this Tillbridge (by hand, or another installation).
fn made_elsewhere(order: &PosOrder) -> tillbridge_bigcommerce::models::NewOrder {
    tillbridge_bigcommerce::models::NewOrder {
        customer_id: 0,
        status_id: 10,
        channel_id: 1,
        external_source: "Shopify POS".into(),
        external_order_id: order.id.0.clone(),
        billing_address: tillbridge_bigcommerce::models::BillingAddress {
            first_name: "Walk-in".into(),
            last_name: "customer".into(),
            street_1: "1 Main St".into(),
            city: "Boston".into(),
            state: "MA".into(),
            zip: "02110".into(),
            country: "United States".into(),
            country_iso2: "US".into(),
            email: String::new(),
        },
        products: vec![tillbridge_bigcommerce::models::NewOrderLine::Custom {
            name: "Sold".into(),
            sku: "X".into(),
            quantity: 1,
            price_inc_tax: order.total,
            price_ex_tax: order.total,
        }],
        discount_amount: Decimal::ZERO,
        subtotal_ex_tax: order.total,
        subtotal_inc_tax: order.total,
        shipping_cost_ex_tax: Decimal::ZERO,
        shipping_cost_inc_tax: Decimal::ZERO,
        total_ex_tax: order.total,
        total_inc_tax: order.total,
        payment_method: "Cash".into(),
        staff_notes: None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_answer_or_a_crash_mid_create_never_makes_a_second_order() {
    let (s, app, v, store) = ready(false).await;
    for &variant in &v[..3] {
        s.shopify
            .ring_up(&PosSale { location_id: store, lines: vec![line(variant, 1)], ..PosSale::default() })
            .unwrap();
    }
    let (bc, sh) = merchant(&s);
    let orders = pos_orders(&sh).await;

    // A crash after the create reached BigCommerce: the order exists there and the link says
    // 'creating'. The job must find it, not make another.
    let crashed = &orders[0];
    app.store()
        .save_order_link(
            OrderLinkState::Creating,
            &OrderLinkUpdate {
                shopify_order_gid: crashed.id.0.clone(),
                name: crashed.name.clone(),
                ..OrderLinkUpdate::default()
            },
            chrono::Utc::now(),
        )
        .unwrap();
    let landed = bc.create_order(&made_elsewhere(crashed)).await.unwrap();
    // Another sale's BigCommerce order was made before this database knew of it (an earlier
    // installation): it is linked as it is.
    let before_us = &orders[1];
    let existing = bc.create_order(&made_elsewhere(before_us)).await.unwrap();

    // And every create's answer is lost after BigCommerce committed it, with 5xx besides.
    s.bigcommerce
        .faults()
        .set(FaultConfig {
            drop_after_commit: 2,
            target: Some("POST /stores/{store_hash}/v2/orders".into()),
            ..Default::default()
        })
        .unwrap();
    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(report.failed, 0, "lost answers are found again, not failures: {report:?}");
    let carried = bigcommerce_orders(&s);
    for order in &orders {
        assert_eq!(carried.get(&order.id.0).map(Vec::len), Some(1), "{}: exactly one BigCommerce order", order.name);
    }
    let link = app.store().order_link(&crashed.id.0).unwrap().unwrap();
    assert_eq!(
        (link.state, link.bigcommerce_order_id),
        (OrderLinkState::Created, Some(landed.id)),
        "the order made before the crash is the one linked"
    );
    let link = app.store().order_link(&before_us.id.0).unwrap().unwrap();
    assert_eq!(link.bigcommerce_order_id, Some(existing.id), "the order made before this database is linked");
    assert!(app.store().held_stock_cells().unwrap().is_empty(), "and no stock cell is left held");

    // The same orders delivered three more times (a replayed cursor): nothing new.
    for _ in 0..3 {
        let since = Some(chrono::Utc::now() - chrono::Duration::hours(1));
        let again = app.orders_sync(OrdersSyncRequest { since, ..Default::default() }).await.unwrap();
        assert_eq!(again.queued, 0, "an order already carried at this version is in step");
    }
    assert_eq!(bigcommerce_orders(&s).values().map(Vec::len).sum::<usize>(), 3, "still three orders in all");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refunds_follow_their_order_once_with_shopifys_amounts() {
    let (s, app, v, store) = ready(false).await;
    s.shopify
        .ring_up(&PosSale {
            location_id: store,
            lines: vec![line(v[0], 3)],
            tax_rate: Some(d("0.08")),
            ..PosSale::default()
        })
        .unwrap();
    let (_, sh) = merchant(&s);
    let order = pos_orders(&sh).await.remove(0);
    let first = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(first.carried, 1, "the sale is carried: {first:?}");

    let sale_tx = order.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
    let line_item = &order.line_items[0];
    let per_unit = (order.total / Decimal::from(line_item.quantity)).round_dp(2);
    let refund_one = |n: u32| NewRefund {
        order_id: order.id.clone(),
        note: Some(format!("return {n}")),
        lines: vec![RefundLineInput {
            line_item_id: line_item.id.clone(),
            quantity: 1,
            restock_type: RestockType::Return,
            location_id: Some(LocationId::from_number(store)),
        }],
        money: vec![RefundMoney { amount: per_unit, gateway: "cash".into(), parent_id: Some(sale_tx.id.clone()) }],
    };
    sh.create_refund(&refund_one(1), &IdempotencyKey::for_job("test-refund-1", "refund")).await.unwrap();
    let second = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((second.queued, second.failed), (1, 0), "the refunded order is queued again: {second:?}");
    let made = &bigcommerce_orders(&s)[&order.id.0][0];
    assert_eq!(money(&made["refunded_amount"]), per_unit, "BigCommerce records Shopify's refund to the cent");
    assert_eq!(made["refunds"].as_array().unwrap().len(), 1, "one refund");
    assert_eq!(made["lines"][0]["quantity_refunded"], 1, "on the returned unit's line");
    assert_eq!(made["status_id"], 14, "the order is Partially Refunded");

    // The second refund's answer is lost after BigCommerce committed it.
    s.bigcommerce
        .faults()
        .set(FaultConfig {
            drop_after_commit: 1,
            target: Some("POST /stores/{store_hash}/v3/orders/{order_id}/payment_actions/refunds".into()),
            ..Default::default()
        })
        .unwrap();
    sh.create_refund(&refund_one(2), &IdempotencyKey::for_job("test-refund-2", "refund")).await.unwrap();
    let third = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(third.failed, 0, "a lost refund answer is found among the order's refunds: {third:?}");
    let made = &bigcommerce_orders(&s)[&order.id.0][0];
    assert_eq!(made["refunds"].as_array().unwrap().len(), 2, "two refunds, not three");
    assert_eq!(money(&made["refunded_amount"]), per_unit * Decimal::from(2), "for both amounts");
    let links = app.store().refund_links(&order.id.0).unwrap();
    assert!(
        links.iter().all(|l| l.state == tillbridge_store::RefundLinkState::Sent),
        "both refunds are linked as sent: {links:?}"
    );
    let fourth = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(fourth.queued, 0, "nothing left to carry: {fourth:?}");

    // Another sale, not carried yet: the day's reconciliation counts it apart.
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[1], 1)], ..PosSale::default() }).unwrap();
    // The sale's own day (a run that crosses midnight still reads the right one).
    let today = order.processed_at.date_naive();
    let day = app
        .orders_reconcile(tillbridge_engine::ReconcileRequest { day: today, time_zone: Some("UTC".into()) })
        .await
        .unwrap();
    let total = day.rows.last().unwrap();
    assert_eq!((total.orders, total.not_carried), (2, 1), "two sales today, one not carried yet: {day:?}");
    assert_eq!(total.shopify.refunds, per_unit * Decimal::from(2), "Shopify's refunds of the carried order");
    assert_eq!(total.bigcommerce.refunds, total.shopify.refunds, "beside BigCommerce's");
    assert_eq!(total.shopify.tax, total.bigcommerce.tax, "the tax agrees");
    assert_eq!(total.difference, Decimal::ZERO, "and the difference reads 0.00");
    let csv = app
        .orders_reconcile_csv(tillbridge_engine::ReconcileRequest { day: today, time_zone: Some("UTC".into()) })
        .await
        .unwrap();
    assert!(csv.starts_with("day,time_zone,location,orders"), "the CSV has its header: {csv}");
    assert!(csv.trim_end().ends_with(",0.00"), "and its total row reads 0.00: {csv}");
    let yesterday = app
        .orders_reconcile(tillbridge_engine::ReconcileRequest {
            day: today.pred_opt().unwrap(),
            time_zone: Some("UTC".into()),
        })
        .await
        .unwrap();
    assert_eq!(yesterday.rows.last().unwrap().orders, 0, "another day holds none of them");
}

/// Carries every POS order, then sends again whatever a lost answer left waiting for a retry, until
/// nothing is failed (the queue would retry it on its own after 30 s; a test does not wait).
async fn drain(app: &App) {
    let first = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert!(first.queued > 0 || first.in_step > 0, "the cycle read the POS orders: {first:?}");
    for _ in 0..10 {
        let failed = app.failed_jobs(FailedQuery::default()).await.unwrap();
        if failed.jobs.is_empty() {
            return;
        }
        let retried = app.retry_orders(RetryOrdersRequest::default()).await.unwrap();
        app.settle_jobs(retried.ids, std::time::Duration::from_secs(60)).await.unwrap();
    }
    let failed = app.failed_jobs(FailedQuery::default()).await.unwrap();
    panic!("orders still failing after ten retries: {:?}", failed.jobs);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fifty_sales_and_their_refunds_land_exactly_once_while_a_fifth_of_answers_are_lost() {
    // A roomier quota than a real store's, so the test spends its time on the faults.
    let s = support::stores_with(
        SeedSpec { variants: 60, locations: 1, ..SeedSpec::default() },
        BcConfig { quota: 2_000, ..BcConfig::default() },
    )
    .await;
    let (s, app, v, store) = ready_on(s, false).await;
    // The channel is made once, before the faults: its create has no lookup to fall back on.
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[0], 1)], ..PosSale::default() }).unwrap();
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    // The sales below come after this database began carrying orders (as if a minute had passed),
    // so their first create is sent without a lookup: the lost answers test the lookups that
    // follow an unknown outcome.
    let since = chrono::Utc::now() - chrono::Duration::minutes(5);
    app.store().set_setting("orders.carrying_since", &since, chrono::Utc::now()).unwrap();
    for i in 1..50usize {
        let quantity = 1 + (i % 3) as i64;
        let mut sale = PosSale {
            location_id: store,
            lines: vec![line(v[i % v.len()], quantity), line(v[(i * 7 + 1) % v.len()], 1)],
            tax_rate: (i % 2 == 0).then(|| d("0.08")),
            ..PosSale::default()
        };
        if i % 5 == 0 {
            sale.discounts =
                vec![PosDiscount { value_type: PosDiscountType::Percentage, value: d("15"), ..PosDiscount::default() }];
        }
        if i % 7 == 0 {
            sale.tenders = vec![
                PosTender { gateway: "cash".into(), amount: Some(d("5.00")) },
                PosTender { gateway: "shopify_payments".into(), amount: None },
            ];
        }
        s.shopify.ring_up(&sale).unwrap();
    }
    s.bigcommerce.faults().set(FaultConfig { drop_after_commit_rate: 0.2, ..Default::default() }).unwrap();
    s.bigcommerce.requests().reset();
    drain(&app).await;
    let count = |route: &str| -> u64 {
        s.bigcommerce.requests().snapshot().iter().filter(|r| r.route == route).map(|r| r.count).sum()
    };
    let (creates, lookups) =
        (count("POST /stores/{store_hash}/v2/orders"), count("GET /stores/{store_hash}/v2/orders"));
    assert!(creates >= 49, "every sale was sent: {creates}");
    assert!(
        lookups > 0 && lookups < creates,
        "a first send does not look; a send after a lost answer does ({lookups} lookups, {creates} creates)"
    );
    // Every order delivered twice more, from an hour back: nothing new.
    for _ in 0..2 {
        let since = Some(chrono::Utc::now() - chrono::Duration::hours(1));
        let again = app.orders_sync(OrdersSyncRequest { since, ..Default::default() }).await.unwrap();
        assert_eq!(again.queued, 0, "a replayed order already carried is in step: {again:?}");
    }

    let (_, sh) = merchant(&s);
    let shopify = pos_orders(&sh).await;
    assert_eq!(shopify.len(), 50, "fifty sales");
    let carried = bigcommerce_orders(&s);
    for order in &shopify {
        let made = carried.get(&order.id.0).map(Vec::as_slice).unwrap_or_default();
        assert_eq!(made.len(), 1, "{}: exactly one BigCommerce order although answers were lost", order.name);
        assert_eq!(money(&made[0]["total_inc_tax"]), order.total, "{}: with Shopify's total", order.name);
    }
    assert_eq!(carried.values().map(Vec::len).sum::<usize>(), 50, "and no other order");

    // Refunds on ten of them: returns with restock, money-only refunds, a whole order refunded.
    for (k, order) in shopify.iter().skip(1).take(10).enumerate() {
        let sale_tx = order.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
        let l = order.line_items.last().unwrap();
        let whole = k == 9;
        let (lines, amount) = if whole {
            let lines = order
                .line_items
                .iter()
                .map(|li| RefundLineInput {
                    line_item_id: li.id.clone(),
                    quantity: li.quantity,
                    restock_type: RestockType::Return,
                    location_id: Some(LocationId::from_number(store)),
                })
                .collect();
            (lines, order.total)
        } else {
            let restock = if k % 2 == 0 { RestockType::Return } else { RestockType::NoRestock };
            let share = (order.total * Decimal::from(l.quantity)
                / Decimal::from(order.line_items.iter().map(|li| li.quantity).sum::<i64>()))
            .round_dp(2);
            let line = RefundLineInput {
                line_item_id: l.id.clone(),
                quantity: l.quantity,
                restock_type: restock,
                location_id: (restock == RestockType::Return).then(|| LocationId::from_number(store)),
            };
            (vec![line], share)
        };
        let refund = NewRefund {
            order_id: order.id.clone(),
            note: None,
            lines,
            money: vec![RefundMoney {
                amount,
                gateway: sale_tx.gateway.clone().unwrap(),
                parent_id: Some(sale_tx.id.clone()),
            }],
        };
        s.bigcommerce.faults().set(FaultConfig::default()).unwrap();
        sh.create_refund(&refund, &IdempotencyKey::for_job(&format!("refund-{k}"), "refund")).await.unwrap();
        s.bigcommerce.faults().set(FaultConfig { drop_after_commit_rate: 0.2, ..Default::default() }).unwrap();
    }
    drain(&app).await;
    let shopify = pos_orders(&sh).await;
    let carried = bigcommerce_orders(&s);
    for order in shopify.iter().filter(|o| !o.refunds.is_empty()) {
        let made = &carried[&order.id.0][0];
        assert_eq!(
            made["refunds"].as_array().unwrap().len(),
            order.refunds.len(),
            "{}: one BigCommerce refund per Shopify refund",
            order.name
        );
        assert_eq!(money(&made["refunded_amount"]), order.total_refunded, "{}: the same money back", order.name);
        let want = if order.total_refunded >= order.total { 4 } else { 14 };
        assert_eq!(made["status_id"], want, "{}: Refunded or Partially Refunded, as in Shopify", order.name);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_waits_with_its_reason_sends_nothing_and_the_batch_goes_on() {
    let (s, app, v, store) = ready(true).await;
    let (bc, sh) = merchant(&s);
    // A variant the merchant deleted in BigCommerce after the catalog was matched.
    let gone = tillbridge_shopify::gid::VariantId::from_number(v[0]).0;
    let (_, deleted) = app.store().matched_bigcommerce_variants(std::slice::from_ref(&gone)).unwrap()[&gone];
    assert!(s.bigcommerce.delete_variant(deleted), "the merchant deletes the variant");
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[0], 1)], ..PosSale::default() }).unwrap();
    // A shopper whose email BigCommerce refuses.
    s.shopify
        .ring_up(&PosSale {
            location_id: store,
            lines: vec![line(v[1], 1)],
            customer_email: Some("pat@localhost".into()),
            ..PosSale::default()
        })
        .unwrap();
    // A good sale, which is carried.
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[2], 2)], ..PosSale::default() }).unwrap();

    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((report.carried, report.failed), (1, 2), "one carried, two wait: {report:?}");
    let held: HashMap<String, String> = report
        .orders
        .iter()
        .filter(|o| o.action == "held")
        .map(|o| (o.name.clone(), o.reason.clone().unwrap_or_default()))
        .collect();
    assert!(held["#1001"].contains("does not belong to product"), "BigCommerce's own words: {}", held["#1001"]);
    assert!(held["#1002"].contains("valid email"), "the email is named as the problem: {}", held["#1002"]);
    let carried = bigcommerce_orders(&s);
    assert_eq!(carried.len(), 1, "nothing was written for the orders that wait");
    let query = OrdersQuery { state: Some(OrderLinkState::NeedsAttention), ..OrdersQuery::default() };
    let view = app.orders(query).await.unwrap();
    assert_eq!(view.orders.len(), 2, "both are listed as needing attention");

    // The deleted variant's order: its timeline shows BigCommerce's refusal; a person skips it.
    let deleted_gid = view.orders.iter().find(|o| o.name == "#1001").unwrap().shopify_order_gid.clone();
    let timeline = app.order_timeline(tillbridge_engine::OrderRef { order: deleted_gid.clone() }).await.unwrap();
    let requests: Vec<_> = timeline.jobs.iter().flat_map(|j| &j.attempts).flat_map(|a| &a.requests).collect();
    assert!(
        requests.iter().any(|r| r.method == "POST" && r.status.is_some_and(|s| (400..500).contains(&s))),
        "the timeline holds the create BigCommerce refused: {requests:?}"
    );
    let skipped = app.skip_order(tillbridge_engine::OrderRef { order: deleted_gid.clone() }).await.unwrap();
    assert_eq!(skipped.link.state, OrderLinkState::Skipped, "skipped by a person");
    let replay = app
        .orders_sync(OrdersSyncRequest {
            since: Some(chrono::Utc::now() - chrono::Duration::hours(1)),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(
        !replay.orders.iter().any(|o| o.shopify_order_gid == deleted_gid),
        "a skipped order is never queued again: {replay:?}"
    );

    // A refund larger than what is left: the BigCommerce order was refunded there in full first.
    let good = pos_orders(&sh).await.into_iter().find(|o| o.name == "#1003").unwrap();
    let bc_order = carried[&good.id.0][0]["id"].as_i64().unwrap();
    bc.create_refund(
        bc_order,
        &tillbridge_bigcommerce::models::NewRefund {
            items: vec![tillbridge_bigcommerce::models::RefundItem::Order { item_id: bc_order, amount: good.total }],
            payments: vec![tillbridge_bigcommerce::models::RefundPayment {
                provider_id: "custom".into(),
                amount: good.total,
                offline: true,
            }],
            merchant_calculated_override: None,
        },
    )
    .await
    .unwrap();
    let sale_tx = good.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
    let one = NewRefund {
        order_id: good.id.clone(),
        note: None,
        lines: vec![RefundLineInput {
            line_item_id: good.line_items[0].id.clone(),
            quantity: 1,
            restock_type: RestockType::NoRestock,
            location_id: None,
        }],
        money: vec![RefundMoney {
            amount: (good.total / Decimal::from(2)).round_dp(2),
            gateway: "cash".into(),
            parent_id: Some(sale_tx.id.clone()),
        }],
    };
    sh.create_refund(&one, &IdempotencyKey::for_job("too-large", "refund")).await.unwrap();
    let after = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(after.failed, 1, "the refund waits: {after:?}");
    let refunds = app.store().refund_links(&good.id.0).unwrap();
    assert_eq!(refunds[0].state, tillbridge_store::RefundLinkState::NeedsAttention, "as needing attention");
    assert!(
        refunds[0].reason.as_deref().is_some_and(|r| r.contains("only 0") && r.contains("left to refund")),
        "saying how much is left: {:?}",
        refunds[0].reason
    );
    let made = &bigcommerce_orders(&s)[&good.id.0][0];
    assert_eq!(made["refunds"].as_array().unwrap().len(), 1, "no second refund was sent");
}

/// What both stores hold of one synced item at one pair, read from the stores' own records.
fn shelf_of(s: &RunningStores, pair: &LocationPairView, cell: &StockCellView) -> (i64, i64) {
    let item = tillbridge_shopify::gid::InventoryItemId(cell.shopify_item_id.clone()).number().unwrap();
    let location = LocationId(pair.shopify_location_id.clone()).number().unwrap();
    (
        s.bigcommerce.sellable(cell.bigcommerce_variant_id, pair.bigcommerce_location_id).unwrap(),
        s.shopify.available(item, location).unwrap(),
    )
}

/// Two stores with two locations paired by name, stock aligned; the pair at BigCommerce's default
/// location first; and an item with stock at both pairs, its cell at each.
async fn stocked(decrement_on_order: bool) -> (RunningStores, App, Vec<LocationPairView>, [StockCellView; 2]) {
    let s = support::stores_with(
        SeedSpec { variants: 40, locations: 2, ..SeedSpec::default() },
        BcConfig { decrement_stock_on_order: decrement_on_order, ..BcConfig::default() },
    )
    .await;
    let (s, app, _, _) = ready_on(s, false).await;
    let config = app.orders(OrdersQuery::default()).await.unwrap().config;
    app.set_orders_config(OrdersConfig { bigcommerce_lowers_stock: decrement_on_order, ..config }).await.unwrap();
    let (bc, _) = merchant(&s);
    let default = bc.default_location().await.unwrap().expect("the store names its default location");
    let live = app.locations().await.unwrap();
    let mut pairs = Vec::new();
    for b in &live.bigcommerce {
        let shop = live.shopify.iter().find(|l| l.name == b.name).unwrap();
        let rules = LocationRules { owner: StockOwner::Both, same_window: SameWindow::Merge, hold_back: 0, cap: None };
        let pair = app
            .map_locations(MapLocationsRequest {
                bigcommerce_location_id: b.id.parse().unwrap(),
                shopify_location_id: shop.id.clone(),
                rules,
            })
            .await
            .unwrap();
        pairs.push(pair);
    }
    pairs.sort_by_key(|p| p.bigcommerce_location_id != default);
    let first = app.stock_sync(StockSyncRequest::default()).await.unwrap();
    let cell_at = |pair: &LocationPairView, variant: i64| {
        first.cells.iter().find(|c| c.pair_id == pair.id && c.bigcommerce_variant_id == variant).cloned()
    };
    let (a, b) = first
        .cells
        .iter()
        .filter(|c| c.pair_id == pairs[0].id)
        .find_map(|c| {
            let (a, b) = (cell_at(&pairs[0], c.bigcommerce_variant_id)?, cell_at(&pairs[1], c.bigcommerce_variant_id)?);
            (shelf_of(&s, &pairs[0], &a).0 >= 5 && shelf_of(&s, &pairs[1], &b).0 >= 5).then_some((a, b))
        })
        .expect("an item with stock at both locations");
    for (pair, cell) in [(&pairs[0], &a), (&pairs[1], &b)] {
        let (bc_units, shop_units) = shelf_of(&s, pair, cell);
        assert_eq!(bc_units, shop_units, "the first cycle aligned {} at {}", cell.label, pair.name);
    }
    (s, app, pairs, [a, b])
}

/// One unit of `variant` rung up at the pair's Shopify store.
fn sell(s: &RunningStores, pair: &LocationPairView, variant: u64) {
    let location = LocationId(pair.shopify_location_id.clone()).number().unwrap();
    s.shopify.ring_up(&PosSale { location_id: location, lines: vec![line(variant, 1)], ..PosSale::default() }).unwrap();
}

async fn shopify_variant_of(s: &RunningStores, cell: &StockCellView) -> u64 {
    let (_, sh) = merchant(s);
    let variants: Vec<_> = sh.product_variants(VariantQuery::default()).try_collect().await.unwrap();
    variants.into_iter().flatten().find(|v| v.inventory_item_id.0 == cell.shopify_item_id).unwrap().id.number().unwrap()
}

async fn counted_once(decrement_on_order: bool) {
    let (s, app, pairs, [home, away]) = stocked(decrement_on_order).await;
    let variant = shopify_variant_of(&s, &home).await;
    let (home_start, _) = shelf_of(&s, &pairs[0], &home);
    let (away_start, _) = shelf_of(&s, &pairs[1], &away);
    let cycle = || app.stock_sync(StockSyncRequest::default());

    // Sold at the default location's store; the order is carried before the stock sync looks.
    sell(&s, &pairs[0], variant);
    assert_eq!(app.orders_sync(OrdersSyncRequest::default()).await.unwrap().carried, 1, "the sale is carried");
    cycle().await.unwrap();
    cycle().await.unwrap();
    assert_eq!(shelf_of(&s, &pairs[0], &home), (home_start - 1, home_start - 1), "one unit sold, counted once");

    // Sold at the other store: BigCommerce still takes the order's unit at its default location.
    sell(&s, &pairs[1], variant);
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    cycle().await.unwrap();
    cycle().await.unwrap();
    assert_eq!(
        shelf_of(&s, &pairs[0], &home),
        (home_start - 1, home_start - 1),
        "the default location gets its unit back: nothing was sold there"
    );
    assert_eq!(shelf_of(&s, &pairs[1], &away), (away_start - 1, away_start - 1), "the sale counts where it was made");

    // Sold at the default location again, with the stock sync first this time.
    sell(&s, &pairs[0], variant);
    cycle().await.unwrap();
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    cycle().await.unwrap();
    cycle().await.unwrap();
    assert_eq!(shelf_of(&s, &pairs[0], &home), (home_start - 2, home_start - 2), "still counted once");
    assert!(app.store().held_stock_cells().unwrap().is_empty(), "no cell is left held");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_sale_is_counted_once_when_bigcommerce_lowers_stock_on_orders() {
    counted_once(true).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pos_sale_is_counted_once_when_bigcommerce_leaves_stock_to_tillbridge() {
    counted_once(false).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sales_from_before_carrying_began_are_left_alone_and_a_refund_on_one_waits_with_its_reason() {
    let (s, app, v, store) = ready(false).await;
    let (_, sh) = merchant(&s);
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[0], 2)], ..PosSale::default() }).unwrap();
    let old = pos_orders(&sh).await.remove(0);
    let sale_tx = old.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
    let refund = NewRefund {
        order_id: old.id.clone(),
        note: None,
        lines: vec![RefundLineInput {
            line_item_id: old.line_items[0].id.clone(),
            quantity: 1,
            restock_type: RestockType::NoRestock,
            location_id: None,
        }],
        money: vec![RefundMoney {
            amount: (old.total / Decimal::from(2)).round_dp(2),
            gateway: "cash".into(),
            parent_id: Some(sale_tx.id.clone()),
        }],
    };
    sh.create_refund(&refund, &IdempotencyKey::for_job("old-refund", "refund")).await.unwrap();
    // Carrying begins after that sale; the next one is sold later.
    let carry_from = Some(old.processed_at + chrono::Duration::seconds(1));
    app.set_orders_config(OrdersConfig { carry_from, ..OrdersConfig::default() }).await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(2_100)).await;
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[1], 1)], ..PosSale::default() }).unwrap();

    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((report.before_start, report.carried), (1, 1), "the old sale is left alone, the new one carried");
    let carried = bigcommerce_orders(&s);
    assert!(!carried.contains_key(&old.id.0), "no BigCommerce order is made for a sale from before");
    let link = app.store().order_link(&old.id.0).unwrap().expect("the refunded old sale is listed");
    assert_eq!(link.state, OrderLinkState::NeedsAttention, "as needing a person");
    assert!(
        link.reason
            .as_deref()
            .is_some_and(|r| r.contains("sold before Tillbridge began carrying") && r.contains("by hand")),
        "saying why and what to do: {:?}",
        link.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_return_with_restock_puts_the_unit_back_on_both_stores_once_and_a_refund_alone_does_not() {
    let (s, app, pairs, [home, _]) = stocked(true).await;
    let (_, sh) = merchant(&s);
    let variant = shopify_variant_of(&s, &home).await;
    let (start, _) = shelf_of(&s, &pairs[0], &home);
    let location = LocationId(pairs[0].shopify_location_id.clone()).number().unwrap();
    s.shopify.ring_up(&PosSale { location_id: location, lines: vec![line(variant, 2)], ..PosSale::default() }).unwrap();
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    app.stock_sync(StockSyncRequest::default()).await.unwrap();
    assert_eq!(shelf_of(&s, &pairs[0], &home), (start - 2, start - 2), "two units sold");

    let order = pos_orders(&sh).await.into_iter().next().unwrap();
    let sale_tx = order.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
    let unit = (order.total / Decimal::from(2)).round_dp(2);
    let refund = |restock: RestockType, key: &str| {
        let refund = NewRefund {
            order_id: order.id.clone(),
            note: None,
            lines: vec![RefundLineInput {
                line_item_id: order.line_items[0].id.clone(),
                quantity: 1,
                restock_type: restock,
                location_id: (restock == RestockType::Return).then(|| LocationId::from_number(location)),
            }],
            money: vec![RefundMoney { amount: unit, gateway: "cash".into(), parent_id: Some(sale_tx.id.clone()) }],
        };
        let key = IdempotencyKey::for_job(key, "refund");
        let sh = &sh;
        async move { sh.create_refund(&refund, &key).await.unwrap() }
    };
    // The customer brings one unit back to the shelf.
    refund(RestockType::Return, "return-1").await;
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    app.stock_sync(StockSyncRequest::default()).await.unwrap();
    app.stock_sync(StockSyncRequest::default()).await.unwrap();
    assert_eq!(shelf_of(&s, &pairs[0], &home), (start - 1, start - 1), "the returned unit is back on both stores");
    // Money back for the other unit, which the customer keeps.
    refund(RestockType::NoRestock, "refund-2").await;
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    app.stock_sync(StockSyncRequest::default()).await.unwrap();
    assert_eq!(shelf_of(&s, &pairs[0], &home), (start - 1, start - 1), "a refund alone moves no stock");
    let made = &bigcommerce_orders(&s)[&order.id.0][0];
    assert_eq!(made["refunds"].as_array().unwrap().len(), 2, "both refunds reached BigCommerce");
    assert_eq!(made["status_id"], 4, "and the order is Refunded there, as in Shopify");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_exchange_is_a_return_on_the_first_order_and_a_new_order_for_what_was_taken() {
    let (s, app, v, store) = ready(false).await;
    s.shopify
        .ring_up(&PosSale {
            location_id: store,
            lines: vec![line(v[0], 2)],
            tax_rate: Some(d("0.08")),
            ..PosSale::default()
        })
        .unwrap();
    assert_eq!(app.orders_sync(OrdersSyncRequest::default()).await.unwrap().carried, 1, "the sale is carried");
    let (_, sh) = merchant(&s);
    let first = pos_orders(&sh).await.remove(0);
    // At the till: one unit back on the shelf, another variant taken instead.
    let body = serde_json::json!({
        "order_id": first.id.number().unwrap(),
        "return_lines": [{"line_item_id": first.line_items[0].id.number().unwrap(), "quantity": 1, "restock": true}],
        "new_lines": [{"variant_id": v[1], "quantity": 1}],
        "tax_rate": "0.08",
    });
    let answer = reqwest::Client::new()
        .post(format!("{}/__admin/pos/exchange", s.credentials.shopify.shop_url))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert!(answer.status().is_success(), "the till made the exchange: {}", answer.text().await.unwrap());

    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((report.queued, report.failed), (2, 0), "the first order's return and the new sale: {report:?}");
    let shopify = pos_orders(&sh).await;
    let carried = bigcommerce_orders(&s);
    let returned = shopify.iter().find(|o| o.id == first.id).unwrap();
    let made = &carried[&first.id.0][0];
    assert_eq!(made["refunds"].as_array().unwrap().len(), 1, "the return is a refund on the first order");
    assert_eq!(money(&made["refunded_amount"]), returned.total_refunded, "for Shopify's amount");
    assert_eq!(made["status_id"], 14, "which is Partially Refunded");
    let new = shopify.iter().find(|o| o.id != first.id).expect("the exchange's new sale");
    assert_eq!(carried[&new.id.0].len(), 1, "the new sale is one BigCommerce order");
    assert_eq!(money(&carried[&new.id.0][0]["total_inc_tax"]), new.total, "with Shopify's total");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn marketing_consent_given_at_the_till_becomes_one_newsletter_subscription_only_when_turned_on() {
    let (s, app, v, store) = ready(false).await;
    let (bc, _) = merchant(&s);
    let sale = |email: &str, consents: bool, variant: u64| PosSale {
        location_id: store,
        lines: vec![line(variant, 1)],
        customer_email: Some(email.into()),
        customer_accepts_marketing: consents,
        ..PosSale::default()
    };
    s.shopify.ring_up(&sale("nell.early@example.com", true, v[0])).unwrap();
    app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert!(bc.subscribers().await.unwrap().is_empty(), "nothing is subscribed while the setting is off");

    let config = app.orders(OrdersQuery::default()).await.unwrap().config;
    app.set_orders_config(OrdersConfig { newsletter_from_consent: true, ..config }).await.unwrap();
    s.shopify.ring_up(&sale("nell.later@example.com", true, v[1])).unwrap();
    s.shopify.ring_up(&sale("nell.later@example.com", true, v[2])).unwrap();
    s.shopify.ring_up(&sale("otto.quiet@example.com", false, v[3])).unwrap();
    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(report.carried, 3, "the sales are carried: {report:?}");
    let subscribers = bc.subscribers().await.unwrap();
    let emails: Vec<&str> = subscribers.iter().map(|s| s.email.as_str()).collect();
    assert_eq!(emails, ["nell.later@example.com"], "one subscription, for the shopper who agreed, once");
    assert_eq!(subscribers[0].source, "Shopify POS", "saying where the consent was given");
    assert_pii_free(
        app.store(),
        &["nell.later@example.com", "nell.early@example.com", "otto.quiet@example.com", "Nell", "Otto"],
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_the_chosen_stores_are_carried_and_a_refund_elsewhere_waits_with_its_reason() {
    let (s, app, v, store) = ready(false).await;
    let (_, sh) = merchant(&s);
    let locations: Vec<_> = sh.locations().try_collect().await.unwrap();
    let other = locations.into_iter().flatten().map(|l| l.id).find(|l| l.number() != Some(store)).unwrap();
    s.shopify
        .ring_up(&PosSale { location_id: other.number().unwrap(), lines: vec![line(v[0], 1)], ..PosSale::default() })
        .unwrap();
    let elsewhere = pos_orders(&sh).await.remove(0);
    let sale_tx = elsewhere.transactions.iter().find(|t| t.kind == TransactionKind::Sale).unwrap();
    let refund = NewRefund {
        order_id: elsewhere.id.clone(),
        note: None,
        lines: vec![],
        money: vec![RefundMoney { amount: d("1.00"), gateway: "cash".into(), parent_id: Some(sale_tx.id.clone()) }],
    };
    sh.create_refund(&refund, &IdempotencyKey::for_job("elsewhere", "refund")).await.unwrap();
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[1], 1)], ..PosSale::default() }).unwrap();
    let config = app.orders(OrdersQuery::default()).await.unwrap().config;
    let chosen = vec![LocationId::from_number(store).0];
    app.set_orders_config(OrdersConfig { locations: chosen, ..config }).await.unwrap();

    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(report.carried, 1, "only the chosen store's sale is carried: {report:?}");
    assert!(!bigcommerce_orders(&s).contains_key(&elsewhere.id.0), "nothing is made for the other store's sale");
    let link = app.store().order_link(&elsewhere.id.0).unwrap().expect("its refund is listed");
    assert_eq!(link.state, OrderLinkState::NeedsAttention, "for a person");
    assert!(
        link.reason.as_deref().is_some_and(|r| r.contains("does not carry orders from")),
        "saying why: {:?}",
        link.reason
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn online_store_orders_are_carried_only_when_turned_on() {
    let (s, app, v, store) = ready(false).await;
    let address = tillbridge_emulator::shopify::MailingAddress {
        first_name: Some("Wen".into()),
        last_name: Some("Online".into()),
        address1: Some("9 Web Way".into()),
        city: Some("Boston".into()),
        province_code: Some("MA".into()),
        country_code: Some("US".into()),
        zip: Some("02110".into()),
        ..Default::default()
    };
    s.shopify
        .ring_up(&PosSale {
            location_id: store,
            lines: vec![line(v[0], 1)],
            online: true,
            customer_email: Some("wen.online@example.com".into()),
            billing_address: Some(address),
            ..PosSale::default()
        })
        .unwrap();
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[1], 1)], ..PosSale::default() }).unwrap();
    let first = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!((first.read, first.carried), (1, 1), "only the POS sale is read and carried: {first:?}");

    let config = app.orders(OrdersQuery::default()).await.unwrap().config;
    app.set_orders_config(OrdersConfig { include_web_orders: true, ..config }).await.unwrap();
    let second = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(second.carried, 1, "with online orders turned on, the online order is carried: {second:?}");
    let (_, sh) = merchant(&s);
    let web: Vec<PosOrder> = sh.sale_orders(None, true).try_collect::<Vec<_>>().await.unwrap().concat();
    let web = web.iter().find(|o| o.source_name.as_deref() == Some("web")).expect("the online order");
    let made = &bigcommerce_orders(&s)[&web.id.0][0];
    assert_eq!(money(&made["total_inc_tax"]), web.total, "with Shopify's total");
    assert_eq!(made["status_id"], 11, "paid, not yet shipped: Awaiting Fulfillment");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pos_orders_land_on_the_channel_the_operator_picks_and_an_unknown_one_is_refused() {
    let (s, app, v, store) = ready(false).await;
    let listed = app.order_channels().await.unwrap();
    assert_eq!(listed.chosen, None, "nothing is chosen before the operator picks or the first order creates one");
    let storefront = listed.channels.iter().find(|c| c.kind == "storefront").expect("every store has its storefront");
    let picked = storefront.id;

    let refused = app.choose_order_channel(ChooseOrderChannel { channel_id: Some(9_999) }).await.unwrap_err();
    assert_eq!(refused.kind, ErrorKind::Invalid, "a channel the store does not list is bad input: {}", refused.message);
    assert!(
        refused.message.contains(&storefront.name),
        "the refusal names the channels to choose from: {}",
        refused.message
    );
    assert_eq!(app.order_channels().await.unwrap().chosen, None, "and changes nothing");

    let chosen = app.choose_order_channel(ChooseOrderChannel { channel_id: Some(picked) }).await.unwrap();
    assert_eq!(chosen.chosen, Some(picked), "the choice is answered back");
    s.shopify.ring_up(&PosSale { location_id: store, lines: vec![line(v[0], 1)], ..PosSale::default() }).unwrap();
    let report = app.orders_sync(OrdersSyncRequest::default()).await.unwrap();
    assert_eq!(report.carried, 1, "the sale is carried: {report:?}");
    let made: Vec<Value> = bigcommerce_orders(&s).into_values().flatten().collect();
    assert_eq!(made.len(), 1, "one order for one sale");
    assert_eq!(
        made[0]["channel_id"].as_i64(),
        Some(picked),
        "on the channel picked, not Tillbridge's own: {}",
        made[0]
    );

    let own = app.choose_order_channel(ChooseOrderChannel { channel_id: None }).await.unwrap();
    assert_eq!(own.chosen, None, "choosing none leaves it to Tillbridge's own {:?} again", own.default_name);
}
